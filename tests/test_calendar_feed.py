"""The private calendar feed: planned exercise days for the next weeks and movement-break reminders,
built with icalendar and read back with it, served at an unguessable address without signing in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from tests.care_helpers import DESK_WORKER_ANSWERS, onboard, sign_up
from tests.care_history import patient

from lumbar.domain import schedule
from lumbar.domain.catalog import default_catalog
from lumbar.interop import calendar
from lumbar.web.accounts import views as accounts_views
from lumbar.web.onboarding import services as onboarding_services
from lumbar.web.records import selectors as records
from lumbar.web.records.models import Profile

MONDAY = dt.date(2026, 6, 1)
STAMP = dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.UTC)


def feed(**changes: Any) -> calendar.Feed:
    values: dict[str, Any] = {
        "name": "Lumbar: my exercise plan",
        "uid_prefix": "abc123",
        "first_day": MONDAY,
        "last_day": MONDAY + dt.timedelta(weeks=2, days=-1),
        "stamp": STAMP,
        "sessions": calendar.SessionDays(
            days=schedule.planned_days(MONDAY, MONDAY + dt.timedelta(weeks=2, days=-1), 3),
            minutes=14.6,
            exercises=["Glute bridge", "Cat-cow"],
        ),
        "app_url": "https://lumbar.example/session/",
    }
    return calendar.Feed(**(values | changes))


def events(data: bytes) -> list[Any]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


# --- The feed itself (pure) -------------------------------------------------------------------------


def test_each_planned_day_is_an_all_day_event_with_the_exercises_and_a_link() -> None:
    data = calendar.build_calendar(feed())
    parsed = Calendar.from_ical(data)
    assert str(parsed["X-WR-CALNAME"]) == "Lumbar: my exercise plan"
    assert str(parsed["PRODID"]) == calendar.PRODID
    found = events(data)
    days = [e.decoded("DTSTART") for e in found]
    assert days == [MONDAY + dt.timedelta(days=n) for n in (0, 2, 4, 7, 9, 11)]
    first = found[0]
    assert isinstance(first.decoded("DTSTART"), dt.date)
    assert not isinstance(first.decoded("DTSTART"), dt.datetime)
    assert first.decoded("DTEND") == MONDAY + dt.timedelta(days=1)
    assert str(first["SUMMARY"]) == "Back exercises (about 15 minutes)"
    assert str(first["DESCRIPTION"]).splitlines() == [
        "Today's exercises from your Lumbar program:",
        "- Glute bridge",
        "- Cat-cow",
        "Start your session: https://lumbar.example/session/",
    ]
    assert str(first["URL"]) == "https://lumbar.example/session/"
    assert str(first["TRANSP"]) == "TRANSPARENT"
    assert str(first["UID"]) == "abc123-session-2026-06-01@lumbar"


def test_event_ids_stay_the_same_when_the_feed_is_fetched_again() -> None:
    once = [str(e["UID"]) for e in events(calendar.build_calendar(feed()))]
    again = [
        str(e["UID"]) for e in events(calendar.build_calendar(feed(stamp=STAMP + dt.timedelta(hours=5))))
    ]
    assert once == again
    assert len(set(once)) == len(once)


def test_days_outside_the_feeds_span_are_left_out() -> None:
    sessions = calendar.SessionDays(
        days=[MONDAY - dt.timedelta(days=1), MONDAY, MONDAY + dt.timedelta(weeks=3)],
        minutes=10,
        exercises=["Cat-cow"],
    )
    assert [e.decoded("DTSTART") for e in events(calendar.build_calendar(feed(sessions=sessions)))] == [
        MONDAY
    ]


def test_movement_breaks_are_one_weekday_event_across_working_hours_with_a_reminder() -> None:
    breaks = calendar.MovementBreaks(
        every_minutes=30,
        exercises=["Standing back extension", "Sit to stand"],
        day_starts=dt.time(9, 0),
        day_ends=dt.time(17, 0),
    )
    saturday = MONDAY + dt.timedelta(days=5)
    data = calendar.build_calendar(feed(sessions=None, breaks=breaks, first_day=saturday))
    [event] = events(data)
    # Floating times (no time zone): nine o'clock wherever the person is.
    assert event.decoded("DTSTART") == dt.datetime.combine(dt.date(2026, 6, 8), dt.time(9, 0))
    assert event.decoded("DTEND") == dt.datetime.combine(dt.date(2026, 6, 8), dt.time(17, 0))
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["BYDAY"] == ["MO", "TU", "WE", "TH", "FR"]
    assert rule["UNTIL"] == [dt.datetime.combine(dt.date(2026, 6, 14), dt.time(23, 59, 59))]
    assert str(event["SUMMARY"]) == "Movement breaks: every 30 minutes"
    assert "- Standing back extension" in str(event["DESCRIPTION"]).splitlines()
    [alarm] = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == dt.timedelta(0)


def test_the_feed_tells_calendar_apps_to_refresh_twice_a_day() -> None:
    text = calendar.build_calendar(feed()).decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in text
    assert "X-PUBLISHED-TTL:PT12H" in text


def test_working_hours_come_from_the_environment_and_a_bad_value_is_refused_clearly() -> None:
    assert accounts_views.working_hours({}) == (dt.time(9), dt.time(17))
    assert accounts_views.working_hours({"LUMBAR_WORKING_HOURS": "08:30-16:15"}) == (
        dt.time(8, 30),
        dt.time(16, 15),
    )
    for bad in ("9-17", "25:00-26:00", "17:00-09:00"):
        with pytest.raises(ImproperlyConfigured, match="LUMBAR_WORKING_HOURS"):
            accounts_views.working_hours({"LUMBAR_WORKING_HOURS": bad})


# --- Served to the person ---------------------------------------------------------------------------


def feed_url(email: str = "pat@example.org") -> str:
    return f"/calendar/{Profile.objects.get(user__username=email).calendar_token}.ics"


@pytest.mark.django_db
def test_the_feed_needs_no_sign_in_and_lists_the_next_eight_weeks_of_planned_days(client: Client) -> None:
    onboard(client)
    user = patient()
    program = records.current_program(user)
    assert program is not None
    response = Client().get(feed_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"].startswith("max-age=0")
    today = timezone.localdate()
    last = today + dt.timedelta(weeks=accounts_views.FEED_WEEKS, days=-1)
    per_week = max(e["sessions_per_week"] for e in program.exercises)
    found = events(response.content)
    sessions = [e for e in found if "-session-" in str(e["UID"])]
    assert [e.decoded("DTSTART") for e in sessions] == schedule.planned_days(today, last, per_week)
    assert len(sessions) == accounts_views.FEED_WEEKS * per_week
    names = [e["name"] for e in program.exercises]
    lines = str(sessions[0]["DESCRIPTION"]).splitlines()
    assert lines[1:-2] == [f"- {n}" for n in names]
    assert lines[-1] == "The morning after, tell Lumbar how your back feels: http://testserver/checkin/"
    assert str(sessions[0]["URL"]) == "http://testserver/session/"


@pytest.mark.django_db
def test_a_desk_worker_with_movement_breaks_gets_the_working_day_reminder(client: Client) -> None:
    onboard(client)
    program = records.current_program(patient())
    assert program is not None
    breaks = program.program["movement_breaks"]
    assert breaks is not None  # sits 8 hours a day at a desk
    [reminder] = [e for e in events(Client().get(feed_url()).content) if "movement-breaks" in str(e["UID"])]
    assert str(reminder["SUMMARY"]) == f"Movement breaks: every {breaks['every_minutes']} minutes"
    catalog = default_catalog()
    for exercise_id in breaks["exercises"]:
        assert f"- {catalog.exercises[exercise_id].name}" in str(reminder["DESCRIPTION"]).splitlines()
    assert reminder.decoded("DTSTART").time() == dt.time(9, 0)
    assert reminder.decoded("DTSTART").weekday() < 5


@pytest.mark.django_db
def test_without_movement_breaks_there_is_no_break_reminder(client: Client) -> None:
    answers = {**DESK_WORKER_ANSWERS, "day": {"occupation": "manual", "sitting_hours": "1"}}
    onboard(client, answers=answers)
    program = records.current_program(patient())
    assert program is not None
    assert program.program["movement_breaks"] is None
    found = events(Client().get(feed_url()).content)
    assert found
    assert not [e for e in found if "movement-breaks" in str(e["UID"])]


@pytest.mark.django_db
def test_someone_told_to_see_a_doctor_first_gets_no_exercise_days(client: Client) -> None:
    onboard(client)
    assert events(Client().get(feed_url()).content)
    # A warning sign at a later check: until a clinician has seen them, no exercise days.
    onboarding_services.record_red_flag_screen(patient(), {"saddle_numbness": True}, context="checkin")
    response = Client().get(feed_url())
    assert response.status_code == 200
    assert events(response.content) == []


@pytest.mark.django_db
def test_someone_without_a_program_gets_an_empty_calendar(client: Client) -> None:
    sign_up(client)
    response = Client().get(feed_url())
    assert response.status_code == 200
    assert events(response.content) == []


@pytest.mark.django_db
def test_a_forged_or_replaced_address_finds_nothing(client: Client) -> None:
    onboard(client)
    old = feed_url()
    anonymous = Client()
    assert anonymous.get("/calendar/not-a-real-token-at-all-0123456789.ics").status_code == 404
    assert anonymous.get(old.replace(".ics", "x.ics")).status_code == 404
    assert anonymous.post(old).status_code == 405
    response = client.post("/settings/calendar/new-link/")
    assert response["Location"] == "/settings/"
    new = feed_url()
    assert new != old
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    assert new in client.get("/settings/").content.decode()


@pytest.mark.django_db
def test_a_second_patient_cannot_replace_the_firsts_address_or_read_it_with_their_own(client: Client) -> None:
    onboard(client, "first@example.org")
    first = feed_url("first@example.org")
    other = Client()
    onboard(other, "second@example.org")
    other.post("/settings/calendar/new-link/")
    assert feed_url("first@example.org") == first
    assert Client().get(first).status_code == 200
    assert first not in other.get("/settings/").content.decode()


@pytest.mark.django_db
def test_an_inactive_account_has_no_feed(client: Client) -> None:
    onboard(client)
    url = feed_url()
    user = patient()
    user.is_active = False
    user.save()
    assert Client().get(url).status_code == 404
