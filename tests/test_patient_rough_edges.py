"""Rough edges a patient met on a phone (issue 14): the adherence calendar before the start, the pain
chart at 360 px, the next-morning check-in window and what the home page promises."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from tests.care_helpers import PASSWORD, checkin_answers, onboard
from tests.care_history import do_session, patient, started_days_ago, without_review

from lumbar.domain import schedule
from lumbar.domain.pain_monitoring import mornings_after
from lumbar.domain.progression import parse_history
from lumbar.domain.progression_rules import default_rules
from lumbar.reports.charts import (
    FONT_POINTS,
    ChangeBand,
    PainReading,
    pain_chart_svg,
)
from lumbar.web.outcomes import presenters as outcomes_presenters
from lumbar.web.outcomes import selectors as outcomes_selectors
from lumbar.web.records import selectors as records
from lumbar.web.records.models import CheckIn

pytestmark = pytest.mark.django_db

# Text smaller than this many CSS pixels is hard to read on a phone.
READABLE_PX = 12
SHOTS = Path(os.environ["LUMBAR_SCREENSHOTS"]) if os.environ.get("LUMBAR_SCREENSHOTS") else None


@pytest.fixture(autouse=True)
def _quiet_review(monkeypatch: pytest.MonkeyPatch) -> None:
    without_review(monkeypatch)
    cache.clear()


def at(monkeypatch: pytest.MonkeyPatch, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Stop the clock at `hour`:`minute` local time on `day` (the way a person's phone sees it)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


# --- The adherence calendar ---------------------------------------------------------------------------


def calendar_weeks(page: str) -> list[str]:
    calendar = page.split('<table class="month">')[1].split("</table>")[0]
    return calendar.split("<tr>")[2:]


def test_calendar_leaves_days_before_the_program_blank(client: Client) -> None:
    onboard(client)
    user = patient()
    today = timezone.localdate()
    first_monday = today - dt.timedelta(days=today.weekday(), weeks=outcomes_presenters.CALENDAR_WEEKS - 1)
    start = first_monday + dt.timedelta(weeks=1, days=2)  # the Wednesday of the second week
    started_days_ago(user, (today - start).days)
    do_session(user, start, before=4, after=3)
    weeks = calendar_weeks(client.get("/progress/").content.decode())
    assert len(weeks) == 4
    # The first week is wholly before the start: no count at all, not "0/4".
    assert (
        '<td class="week-total off"><span class="visually-hidden">before you started</span></td>' in weeks[0]
    )
    assert 'week-total">' not in weeks[0]
    assert "planned, no session" not in weeks[0]
    assert weeks[0].count("before you started") == 8  # seven days and the total
    for n in range(7):
        assert f"{first_monday + dt.timedelta(days=n):%A %-d %B}: before you started" in weeks[0]
    # The week the person started counts the planned days from the start only.
    per_week = outcomes_selectors.program_span(user).sessions_per_week  # type: ignore[union-attr]
    planned_from_start = sum(1 for d in schedule.planned_weekdays(per_week) if d >= start.weekday())
    assert (
        f'<td class="week-total">1<span aria-hidden="true">/</span><span class="visually-hidden"> of </span>{planned_from_start}</td>'
        in weeks[1]
    )
    for n in range(2):
        day = first_monday + dt.timedelta(weeks=1, days=n)
        assert f"{day:%A %-d %B}: before you started" in weeks[1]
        cell = weeks[1].split(f"{day:%A %-d %B}")[0].rsplit("<td", 1)[1]
        assert cell.startswith(' class="off"'), cell
    assert f"{start:%A %-d %B}: 1 session done" in weeks[1]
    # Later weeks count the whole plan.
    assert f'<span class="visually-hidden"> of </span>{per_week}</td>' in weeks[2]


# --- The pain chart ------------------------------------------------------------------------------------


def chart_texts(svg: str) -> list[str]:
    """Every piece of text in the chart, in drawing order (matplotlib notes each glyph run's text)."""
    return re.findall(r"<!-- (.*?) -->", svg)


BAND = ChangeBand(baseline=5, low=3.5, high=6.5, label="Starting pain 5, give or take 1.5")
Y_TEXTS = ["0", "2", "4", "6", "8", "10", "Pain (0-10)"]


def draw(readings: list[PainReading]) -> str:
    return pain_chart_svg(
        readings, scale_min=0, scale_max=10, band=BAND, title="Pain", description="Readings"
    )


def test_pain_chart_uses_day_ticks_not_hours() -> None:
    first = dt.date(2026, 12, 3)
    # Two days of readings: matplotlib's own date locator labels such a span in hours ("12:00").
    readings = [
        PainReading(first, "before", 5),
        PainReading(first, "after", 3),
        PainReading(first + dt.timedelta(days=1), "morning", 4),
    ]
    texts = chart_texts(draw(readings))
    # Whole days, the latest reading's day labelled, the axis reaching back a week; then the pain
    # scale, and the legend: no time of day, no separate month or year label anywhere.
    assert texts == [
        "28 Nov",
        "30 Nov",
        "2 Dec",
        "4 Dec",
        *Y_TEXTS,
        "Starting pain 5, give or take 1.5",
        "Before a session",
        "After a session",
        "Next morning",
    ]
    assert not any(":" in t for t in texts)
    # A long record: at most four day labels, still whole days.
    long = [PainReading(first - dt.timedelta(days=n), "before", 4) for n in range(0, 80, 2)]
    texts = chart_texts(draw(long))
    assert texts[4:] == [*Y_TEXTS, "Starting pain 5, give or take 1.5", "Before a session"]
    assert texts[3] == "3 Dec"
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", t) for t in texts[:4])


def test_pain_chart_with_one_reading_shows_it() -> None:
    day = dt.date(2026, 12, 3)
    svg = draw([PainReading(day, "before", 5)])
    texts = chart_texts(svg)
    assert texts == [
        "27 Nov",
        "29 Nov",
        "1 Dec",
        "3 Dec",
        *Y_TEXTS,
        "5",
        "Starting pain 5, give or take 1.5",
        "Before a session",
    ]
    # The reading's marker: once on the chart and once in the legend.
    assert svg.count('fill="#0f766e" stroke="#0f766e"') == 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pain_chart_text_is_at_least_12_px_on_a_360_px_phone(live_server: Any, phone_page: Any) -> None:
    onboard(Client())
    user = patient()
    started_days_ago(user, 3)
    do_session(user, timezone.localdate() - dt.timedelta(days=1), before=5, after=4)  # one day of readings
    page = phone_page
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("pat@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/today/")
    page.goto(live_server.url + "/progress/")
    if SHOTS:
        page.locator("#pain-chart").screenshot(path=str(SHOTS / "pain-chart-phone.png"))
        page.screenshot(path=str(SHOTS / "progress-phone.png"), full_page=True)
    drawn = page.evaluate(
        "(() => { const s = document.getElementById('pain-chart');"
        " return [s.getBoundingClientRect().width, s.viewBox.baseVal.width]; })()"
    )
    width_px, width_pt = drawn
    assert width_px <= 360
    # The smallest text (the legend and the ticks) is FONT_POINTS in the SVG's own units.
    assert FONT_POINTS * width_px / width_pt >= READABLE_PX
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


# --- The next-morning check-in ----------------------------------------------------------------------


def offer_on_today(client: Client) -> str | None:
    """The heading of the check-in card on the Today page, or None when none is offered."""
    page = client.get("/today/").content.decode()
    found = re.search(
        r'<section class="card highlight" id="checkin-offer".*?<h2[^>]*>(.*?)</h2>(.*?)</section>', page, re.S
    )
    if found is None:
        return None
    assert 'href="/checkin/"' in found.group(2)
    return found.group(1)


def test_checkin_is_offered_from_the_evening_after_a_session_until_midday(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert records.checkin_hours() == (18, 12)
    onboard(client)
    user = patient()
    session_day = timezone.localdate() + dt.timedelta(days=7)
    at(monkeypatch, session_day, 9)
    assert offer_on_today(client) is None  # no session yet
    do_session(user, session_day, before=4, after=3)
    at(monkeypatch, session_day, 15)
    assert offer_on_today(client) is None  # the same afternoon
    at(monkeypatch, session_day, 17, 59)
    assert offer_on_today(client) is None
    at(monkeypatch, session_day, 18)
    assert offer_on_today(client) == "Tomorrow morning: how is your back?"
    at(monkeypatch, session_day, 23, 59)
    assert offer_on_today(client) == "Tomorrow morning: how is your back?"
    morning = session_day + dt.timedelta(days=1)
    at(monkeypatch, morning, 0)
    assert offer_on_today(client) == "Good morning: how is your back?"
    at(monkeypatch, morning, 11, 59)
    assert offer_on_today(client) == "Good morning: how is your back?"
    at(monkeypatch, morning, 12)
    assert offer_on_today(client) is None  # midday: the morning is over
    # Answered in the morning, it is no longer offered.
    at(monkeypatch, morning, 8)
    assert client.post("/checkin/", checkin_answers(3))["Location"] == "/checkin/done/"
    assert offer_on_today(client) is None
    # A day without a session offers nothing that evening or the next morning.
    at(monkeypatch, morning, 20)
    assert offer_on_today(client) is None
    at(monkeypatch, morning + dt.timedelta(days=1), 8)
    assert offer_on_today(client) is None


def test_same_afternoon_checkin_is_not_a_next_morning_reading(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    onboard(client)
    user = patient()
    first = timezone.localdate() + dt.timedelta(days=7)
    second = first + dt.timedelta(days=1)
    at(monkeypatch, first, 10)
    do_session(user, first, before=4, after=3)
    at(monkeypatch, second, 10)
    do_session(user, second, before=4, after=3)
    # The afternoon of the second session: the page says the pain will not count as a morning
    # reading, and takes the answers anyway (warning signs count at any hour).
    at(monkeypatch, second, 15)
    page = client.get("/checkin/").content.decode()
    assert 'id="not-next-morning"' in page
    assert "A pain score given now is kept, but not counted as a next-morning reading." in page
    assert client.post("/checkin/", checkin_answers(9))["Location"] == "/checkin/done/"
    stored = CheckIn.objects.get(patient=user, date=second)
    assert stored.morning_pain == 9
    # What the progression review reads: the check-in, without a morning pain.
    program = records.current_program(user)
    assert program is not None
    history = records.history_json(user, program, second)
    assert history["checkins"] == [{"date": second.isoformat()}]
    mornings = mornings_after(parse_history(history), default_rules())
    assert [(m.session_day, m.morning_pain) for m in mornings] == [(first, None)]
    # Nor is it charted as a next-morning reading.
    assert outcomes_selectors.morning_pain(user, first, second) == []
    # The next morning, before midday, is the reading.
    morning = second + dt.timedelta(days=1)
    at(monkeypatch, morning, 7, 30)
    page = client.get("/checkin/").content.decode()
    assert 'id="not-next-morning"' not in page
    assert client.post("/checkin/", checkin_answers(3))["Location"] == "/checkin/done/"
    history = records.history_json(user, program, morning)
    assert history["checkins"] == [
        {"date": second.isoformat()},
        {"date": morning.isoformat(), "morning_pain": 3},
    ]
    mornings = mornings_after(parse_history(history), default_rules())
    assert [(m.session_day, m.morning_pain) for m in mornings] == [(first, None), (second, 3)]
    assert outcomes_selectors.morning_pain(user, first, morning) == [(morning, 3)]


def test_a_checkin_on_the_evening_of_a_session_asks_for_the_next_morning(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    onboard(client)
    user = patient()
    day = timezone.localdate() + dt.timedelta(days=7)
    at(monkeypatch, day, 10)
    do_session(user, day, before=4, after=3)
    at(monkeypatch, day, 19)
    page = client.get("/checkin/").content.decode()
    assert "Please come back tomorrow morning, before 12:00" in page
    client.post("/checkin/", checkin_answers(6))
    # Kept, not a morning reading: the card still asks for tomorrow morning's.
    assert not records.is_next_morning_reading(day, CheckIn.objects.get(patient=user).created_at)
    assert offer_on_today(client) == "Tomorrow morning: how is your back?"


# --- The home page -------------------------------------------------------------------------------------


def test_home_page_does_not_promise_video_form_checks(client: Client) -> None:
    page = client.get("/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert "can check your form from a video" not in text
    assert "It guides each session step by step and adjusts as you get better." in text
    assert (
        "Coming later: checking your form from a video in the app. For now it is only a command for "
        "people who run Lumbar on their own computer (lumbar check-form, described in the project's "
        "command-line guide, docs/cli.md)."
    ) in text.replace("&#x27;", "'")


def test_a_morning_checkin_changed_in_the_afternoon_is_no_longer_a_morning_reading(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    onboard(client)
    user = patient()
    day = timezone.localdate() + dt.timedelta(days=7)
    at(monkeypatch, day, 8)
    client.post("/checkin/", checkin_answers(3))
    assert outcomes_selectors.morning_pain(user, day, day) == [(day, 3)]
    at(monkeypatch, day, 14)
    client.post("/checkin/", checkin_answers(7))
    assert CheckIn.objects.get(patient=user).morning_pain == 7
    assert outcomes_selectors.morning_pain(user, day, day) == []
