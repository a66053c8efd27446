"""The progress page: pain over time with the change band, function scores with their change verdicts,
adherence (calendar, streak, rate), and the reassessment at the content's checkpoints."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from tests.care_helpers import PASSWORD, at_once, onboard, sign_up
from tests.care_history import check_in, do_session, patient, started_days_ago, without_review

from lumbar.domain import instruments, schedule
from lumbar.domain.errors import InvalidInput
from lumbar.domain.intake import StartBackAnswers
from lumbar.reports.charts import ChangeBand, PainReading, pain_chart_svg
from lumbar.web.core import charts
from lumbar.web.outcomes import presenters as outcomes_presenters
from lumbar.web.outcomes import selectors as outcomes_selectors
from lumbar.web.outcomes import services as outcomes_services
from lumbar.web.records.models import OutcomeScore
from lumbar.web.records.services import ServiceError

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 6, 1)


def day(n: int) -> dt.date:
    """Day n of June 2026 (the 1st is a Monday)."""
    return MONDAY + dt.timedelta(days=n - 1)


@pytest.fixture(autouse=True)
def _quiet_review(monkeypatch: pytest.MonkeyPatch) -> None:
    without_review(monkeypatch)
    cache.clear()


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


# --- The plan and the record (pure) ---------------------------------------------------------------


def test_planned_days_are_spread_evenly_from_monday() -> None:
    assert schedule.planned_weekdays(0) == ()
    assert schedule.planned_weekdays(1) == (0,)
    assert schedule.planned_weekdays(2) == (0, 3)
    assert schedule.planned_weekdays(3) == (0, 2, 4)
    assert schedule.planned_weekdays(5) == (0, 1, 2, 4, 5)
    assert schedule.planned_weekdays(7) == (0, 1, 2, 3, 4, 5, 6)
    assert schedule.planned_days(day(1), day(14), 3) == [day(1), day(3), day(5), day(8), day(10), day(12)]
    for wrong in (8, -1, True):
        with pytest.raises(InvalidInput, match="sessions_per_week: must be 0-7"):
            schedule.planned_weekdays(wrong)


def test_rest_days_do_not_break_a_streak_but_a_missed_planned_day_does() -> None:
    # Plan: Monday, Wednesday, Friday. Saturday the 6th was an extra session; Wednesday the 3rd missed.
    done = {day(1), day(5), day(6), day(8), day(10), day(12)}
    assert schedule.streak(done, start=day(1), today=day(12), days_per_week=3) == 5
    # Today (Monday the 15th, planned) is not over: it does not end the run.
    assert schedule.streak(done, start=day(1), today=day(15), days_per_week=3) == 5
    # Nothing before the first program counts.
    assert schedule.streak(done, start=day(8), today=day(12), days_per_week=3) == 3
    # Friday the 12th missed: the run is over by Saturday.
    assert schedule.streak(done - {day(12)}, start=day(1), today=day(13), days_per_week=3) == 0


def test_adherence_is_sessions_done_over_planned_days_counting_today_once_done() -> None:
    start, today = day(1), day(12)
    # Planned: 1, 3, 5, 8, 10 and today the 12th. The extra Saturday makes up for the missed Wednesday.
    full = schedule.adherence(
        {day(1), day(5), day(6), day(8), day(10), day(12)}, start=start, today=today, days_per_week=3
    )
    assert (full.planned, full.done, full.rate) == (6, 6, 1.0)
    not_yet = schedule.adherence({day(1), day(8)}, start=start, today=today, days_per_week=3)
    assert (not_yet.planned, not_yet.done, not_yet.rate) == (5, 2, 0.4)
    # A program started on a Tuesday with a Monday-Wednesday-Friday plan: nothing planned yet.
    assert schedule.adherence(set(), start=day(2), today=day(2), days_per_week=3).rate is None


def test_reassessment_falls_due_at_each_checkpoint_until_it_is_answered() -> None:
    weeks = [2, 4, 6, 12]
    assert schedule.reassessment_due(day(1), day(14), weeks, None) is None
    assert schedule.reassessment_due(day(1), day(15), weeks, None) == schedule.Checkpoint(2, day(15))
    assert schedule.reassessment_due(day(1), day(20), weeks, last_reassessed=day(15)) is None
    # Missed the 2-week check and came back in week 5: asked once, for week 4.
    assert schedule.reassessment_due(day(1), day(36), weeks, None) == schedule.Checkpoint(4, day(29))
    assert schedule.next_checkpoint(day(1), day(15), weeks) == schedule.Checkpoint(4, day(29))
    assert schedule.next_checkpoint(day(1), day(1) + dt.timedelta(weeks=12), weeks) is None


# --- The chart ---------------------------------------------------------------------------------------


def test_the_band_edges_are_where_the_nprs_change_rule_stops_calling_it_unchanged() -> None:
    content = instruments.default_instruments().nprs
    for baseline in range(int(content.range.min), int(content.range.max) + 1):
        band = outcomes_presenters.nprs_band(baseline)
        assert band.low < baseline < band.high or baseline in (content.range.min, content.range.max)
        if band.low > content.range.min:
            assert instruments.change("nprs", baseline, band.low).direction == "improved"
            assert instruments.change("nprs", baseline, band.low + 0.01).direction == "unchanged"
        if band.high < content.range.max:
            assert instruments.change("nprs", baseline, band.high).direction == "worse"
            assert instruments.change("nprs", baseline, band.high - 0.01).direction == "unchanged"


def test_the_pain_chart_is_an_accessible_scalable_svg_and_the_same_data_draws_the_same_chart() -> None:
    readings = [
        PainReading(day(1), "before", 5),
        PainReading(day(1), "after", 3),
        PainReading(day(2), "morning", 4),
    ]
    band = ChangeBand(baseline=5, low=3.5, high=6.5, label="Starting pain 5")
    kwargs: dict[str, Any] = {
        "scale_min": 0,
        "scale_max": 10,
        "band": band,
        "title": "Pain & time",
        "description": "Three readings <test>",
    }
    svg = pain_chart_svg(readings, **kwargs)
    assert svg.startswith(
        '<svg id="pain-chart" class="chart" role="img" aria-labelledby="pain-chart-title pain-chart-desc"'
    )
    assert '<title id="pain-chart-title">Pain &amp; time</title>' in svg
    assert '<desc id="pain-chart-desc">Three readings &lt;test&gt;</desc>' in svg
    assert "<?xml" not in svg
    assert "<metadata>" not in svg
    assert 'viewBox="' in svg
    assert not re.search(r'<svg[^>]* (width|height)="', svg)
    assert '<g id="' not in svg  # no ids that a second chart on the page would repeat
    assert pain_chart_svg(readings, **kwargs) == svg


def test_pain_over_time_charts_session_and_morning_pain_with_the_band_around_the_baseline(
    client: Client,
) -> None:
    onboard(client)  # pain now: 4
    user = patient()
    started_days_ago(user, 10)
    do_session(user, ago(9), before=5, after=3)
    check_in(user, ago(8), 6)
    do_session(user, ago(3), before=4, after=2)
    page = client.get("/progress/").content.decode()
    band = outcomes_presenters.nprs_band(4)
    assert band.low < 4 < band.high
    assert '<svg id="pain-chart" class="chart" role="img"' in page
    assert '<title id="pain-chart-title">Your back pain over time</title>' in page
    desc = html.unescape(re.search(r'<desc id="pain-chart-desc">(.*?)</desc>', page).group(1))  # type: ignore[union-attr]
    assert desc.startswith(f"Pain from 0 to 10, 5 readings from {ago(9).day} ")
    assert f"Latest: 2 after a session on {ago(3).day} " in desc
    assert f"Your starting pain was 4. The shaded band from {band.low:g} to {band.high:g}" in desc
    # The same numbers in a table for screen readers, newest first.
    table = page[page.index("Your pain readings, newest first") :]
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', table
    )
    assert rows == [
        (f"{ago(3):%-d %b %Y}", "4", "2", ""),
        (f"{ago(8):%-d %b %Y}", "", "", "6"),
        (f"{ago(9):%-d %b %Y}", "5", "3", ""),
    ]


def test_the_chart_is_drawn_once_per_set_of_readings(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    onboard(client)
    user = patient()
    started_days_ago(user, 5)
    do_session(user, ago(4), before=5, after=3)
    drawn: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> str:
        drawn.append(1)
        return pain_chart_svg(*args, **kwargs)

    monkeypatch.setattr(outcomes_presenters, "pain_chart_svg", counting)
    client.get("/progress/")
    client.get("/progress/")
    assert len(drawn) == 1
    check_in(user, ago(3), 4)
    client.get("/progress/")
    assert len(drawn) == 2


def _pain_chart(page: bytes) -> str:
    found = re.search(r'<svg id="pain-chart".*?</svg>', page.decode(), re.DOTALL)
    assert found, "the page has the pain chart"
    return found.group(0)


def _chart_in_another_process(user_pk: Any) -> str:
    """What a second server process (another gunicorn worker) finds in the cache for the person's
    pain chart: the SVG's SHA-256, or "missing"."""
    code = (
        "import hashlib, django; django.setup();"
        "from django.core.cache import cache; from lumbar.web.core import charts;"
        f"entry = cache.get(charts.key('pain', {user_pk!r}));"
        "print(hashlib.sha256(entry[1].encode()).hexdigest() if entry else 'missing')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lumbar.web.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip()


def test_charts_are_cached_where_every_server_process_reads_them(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = settings.CACHES["default"]
    assert backend["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert Path(backend["LOCATION"]).is_relative_to(settings.DATA_DIR)  # no service to run
    onboard(client)
    user = patient()
    started_days_ago(user, 5)
    do_session(user, ago(4), before=5, after=3)
    drawn: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> str:
        drawn.append(1)
        return pain_chart_svg(*args, **kwargs)

    monkeypatch.setattr(outcomes_presenters, "pain_chart_svg", counting)
    svg = _pain_chart(client.get("/progress/").content)
    _, kept = cache.get(charts.key("pain", user.pk))
    assert _chart_in_another_process(user.pk) == hashlib.sha256(kept.encode()).hexdigest()
    # A second device of the same person (another worker's request) is not drawn again.
    other_device = Client()
    other_device.force_login(user)
    assert _pain_chart(other_device.get("/progress/").content) == svg
    assert len(drawn) == 1
    assert (Path(backend["LOCATION"]).stat().st_mode & 0o777) == 0o700


def test_a_chart_is_served_only_to_its_own_patient_and_only_for_the_same_readings() -> None:
    drawn: list[str] = []

    def draw(label: str) -> Callable[[], str]:
        return lambda: drawn.append(label) or f"<svg>{label}</svg>"

    assert charts.cached_chart("pain", 1, b"readings", draw("first")) == "<svg>first</svg>"
    assert charts.cached_chart("pain", 1, b"readings", draw("again")) == "<svg>first</svg>"
    # Another patient with exactly the same readings gets a chart drawn for them, never the first's.
    assert charts.cached_chart("pain", 2, b"readings", draw("second")) == "<svg>second</svg>"
    # New readings draw again and replace the entry: one chart per patient in the cache.
    assert charts.cached_chart("pain", 1, b"more readings", draw("newer")) == "<svg>newer</svg>"
    assert charts.cached_chart("pain", 1, b"readings", draw("older")) == "<svg>older</svg>"
    assert drawn == ["first", "second", "newer", "older"]
    with pytest.raises(ValueError, match="CHART_NAMES"):
        charts.cached_chart("unknown", 1, b"", draw("x"))


def test_the_chart_cache_is_bounded_in_entries_and_time() -> None:
    backend = settings.CACHES["default"]
    assert 0 < backend["OPTIONS"]["MAX_ENTRIES"] <= 10_000
    assert backend["OPTIONS"]["CULL_FREQUENCY"] > 1  # past the bound, a share of entries is dropped
    assert 0 < charts.TIMEOUT_SECONDS <= 60 * 60 * 24 * 31


def test_deleting_the_account_deletes_their_charts_from_the_cache(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    onboard(client)
    user = patient()
    started_days_ago(user, 5)
    do_session(user, ago(4), before=7, after=6)
    client.get("/progress/")
    assert cache.get(charts.key("pain", user.pk)) is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/settings/delete/", {"confirmation": "DELETE", "password": PASSWORD})
    assert response.status_code == 302
    assert cache.get(charts.key("pain", user.pk)) is None
    assert _chart_in_another_process(user.pk) == "missing"
    assert not list(Path(settings.CACHES["default"]["LOCATION"]).glob("*.djcache"))


def test_a_cache_that_cannot_be_written_only_costs_speed(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    onboard(client)
    user = patient()
    started_days_ago(user, 5)
    do_session(user, ago(4), before=5, after=3)

    def refused(*args: Any, **kwargs: Any) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(cache, "set", refused)
    monkeypatch.setattr(cache, "get", refused)
    response = client.get("/progress/")
    assert response.status_code == 200
    assert _pain_chart(response.content).startswith('<svg id="pain-chart"')


def test_with_no_readings_yet_the_page_says_so_instead_of_an_empty_chart(client: Client) -> None:
    onboard(client)
    page = client.get("/progress/").content.decode()
    assert "<svg" not in page.split('id="pain-heading"')[1].split("</section>")[0]
    assert "Your pain scores will show here after your first session" in page


def test_without_a_program_the_progress_pages_send_the_person_to_onboarding(client: Client) -> None:
    sign_up(client)
    assert client.get("/progress/")["Location"] == "/start/"
    assert client.get("/progress/reassess/")["Location"] == "/start/"


# --- Reassessment -----------------------------------------------------------------------------------


def first_checkpoint() -> int:
    return outcomes_selectors.reassessment_weeks()[0]


def test_reassessment_weeks_come_from_the_progression_content() -> None:
    from lumbar.domain.progression_rules import default_rules

    assert outcomes_selectors.reassessment_weeks() == list(default_rules().reassessment.weeks)


def test_the_check_falls_due_on_the_first_content_checkpoint_and_not_a_day_before(client: Client) -> None:
    onboard(client)
    user = patient()
    week = first_checkpoint()
    started_days_ago(user, week * 7 - 1)
    assert "-week check" not in client.get("/progress/").content.decode()
    early = client.get("/progress/reassess/").content.decode()
    assert "No check is due today." in early
    assert f"{timezone.localdate() + dt.timedelta(days=1):%-d %B %Y}, {week} weeks after you started" in early
    assert 'name="nprs"' not in early
    started_days_ago(user, 1)
    page = client.get("/progress/").content.decode()
    assert f"Time for your {week}-week check" in page
    assert 'href="/progress/reassess/"' in page


def test_the_check_re_rates_the_intakes_own_activities_and_then_is_no_longer_due(client: Client) -> None:
    onboard(client)
    user = patient()
    week = first_checkpoint()
    started_days_ago(user, week * 7)
    form = client.get("/progress/reassess/").content.decode()
    assert '<legend class="field-label">Sit through a meeting</legend>' in form
    assert '<legend class="field-label">Tie my shoes</legend>' in form
    assert (
        '<legend class="field-label">How strong is your back pain right now, from 0 to 10?</legend>' in form
    )
    # No licensed wording is configured: no ODI, RMDQ or STarT Back.
    assert "odi_1" not in form
    assert "rmdq" not in form
    assert "startback_" not in form
    # A forged third activity and a forged activity text are ignored: the activities are the intake's.
    response = client.post(
        "/progress/reassess/",
        {"nprs": "3", "psfs_1": "7", "psfs_2": "8", "psfs_3": "10", "activity_1": "Run a marathon"},
    )
    assert response["Location"] == "/progress/"
    psfs = OutcomeScore.objects.filter(instrument="psfs").latest("id")
    assert psfs.date == timezone.localdate()
    assert psfs.score == 7.5
    assert psfs.detail["activities"] == [
        {"activity": "Sit through a meeting", "score": 7},
        {"activity": "Tie my shoes", "score": 8},
    ]
    assert psfs.detail["reassessment_week"] == week
    nprs = OutcomeScore.objects.filter(instrument="nprs").latest("id")
    assert (nprs.score, nprs.detail["reassessment_week"]) == (3, week)
    assert "No check is due today." in client.get("/progress/reassess/").content.decode()
    assert "-week check" not in client.get("/progress/").content.decode()


def test_the_scores_table_gives_the_change_verdict_against_the_start_with_its_reason(client: Client) -> None:
    onboard(client)  # NPRS 4; PSFS 4 and 6 (mean 5)
    user = patient()
    started_days_ago(user, first_checkpoint() * 7)
    client.post("/progress/reassess/", {"nprs": "7", "psfs_1": "8", "psfs_2": "6"})
    page = html.unescape(client.get("/progress/").content.decode())
    worse = instruments.change("nprs", 4, 7)
    better = instruments.change("psfs", 5, 7)
    assert (worse.direction, better.direction) == ("worse", "improved")
    nprs_section = page.split('id="scores-nprs"')[1].split("</table>")[0]
    assert "Starting point" in nprs_section
    assert '<span class="tag verdict-worse">Worse</span>' in nprs_section
    assert worse.reason in nprs_section
    psfs_section = page.split('id="scores-psfs"')[1].split("</table>")[0]
    assert '<span class="tag verdict-improved">Better</span>' in psfs_section
    assert better.reason in psfs_section
    assert "7 out of 10" in nprs_section
    assert "5 out of 10" in psfs_section


def test_answers_out_of_range_are_refused_and_nothing_is_stored(client: Client) -> None:
    onboard(client)
    user = patient()
    started_days_ago(user, first_checkpoint() * 7)
    before = OutcomeScore.objects.count()
    response = client.post("/progress/reassess/", {"nprs": "11", "psfs_1": "4", "psfs_2": "5"})
    assert response.status_code == 200
    assert "Select a valid choice. 11 is not one of the available choices." in response.content.decode()
    for bad, message in (
        ({"nprs": 3, "psfs_scores": [11, 5]}, "psfs: score: Input should be less than or equal to 10"),
        ({"nprs": -1, "psfs_scores": [4, 5]}, "nprs: must be between 0 and 10"),
        ({"nprs": 3, "psfs_scores": [4]}, "psfs: rate each of your 2 activities"),
        ({"nprs": 3.5, "psfs_scores": [4, 5]}, "nprs: must be a whole number"),
    ):
        with pytest.raises(InvalidInput, match=re.escape(message)):
            outcomes_services.record_reassessment(user, **bad)
    assert OutcomeScore.objects.count() == before


def test_posting_a_check_that_is_not_due_changes_nothing(client: Client) -> None:
    onboard(client)
    before = OutcomeScore.objects.count()
    response = client.post("/progress/reassess/", {"nprs": "2", "psfs_1": "9", "psfs_2": "9"})
    assert response["Location"] == "/progress/"
    assert OutcomeScore.objects.count() == before
    with pytest.raises(ServiceError, match="No check is due today"):
        outcomes_services.record_reassessment(patient(), nprs=2, psfs_scores=[9, 9])


def test_the_same_reassessment_sent_twice_is_stored_once(client: Client) -> None:
    onboard(client)
    user = patient()
    started_days_ago(user, first_checkpoint() * 7)
    before = OutcomeScore.objects.count()
    answers = {"nprs": "2", "psfs_1": "7", "psfs_2": "8"}
    assert client.post("/progress/reassess/", answers)["Location"] == "/progress/"
    stored = OutcomeScore.objects.count()
    assert stored == before + 2  # NPRS and PSFS
    again = client.post("/progress/reassess/", {**answers, "nprs": "6"}, follow=True)
    assert "Thank you: your answers are saved." in again.content.decode()
    assert OutcomeScore.objects.count() == stored
    assert OutcomeScore.objects.filter(instrument="nprs").order_by("-pk").first().score == 2  # type: ignore[union-attr]
    # The service itself gives the first answers back.
    repeat = outcomes_services.record_reassessment(user, nprs=6, psfs_scores=[1, 1])
    assert [row.score for row in repeat] == [2, 7.5]


@pytest.mark.usefixtures("concurrent_writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_reassessments_store_one_set_of_scores() -> None:
    onboard(Client())
    user = patient()
    started_days_ago(user, first_checkpoint() * 7)
    before = OutcomeScore.objects.count()
    answers = {"nprs": "2", "psfs_1": "7", "psfs_2": "8"}
    results = at_once(user, 5, lambda c: c.post("/progress/reassess/", answers))
    assert all(getattr(r, "status_code", None) == 302 for r in results), results
    assert OutcomeScore.objects.count() == before + 2


def _fake_wording(directory: Path) -> None:
    """Stand-in wording (never the real licensed text) in the deployer's format."""
    sections = "\n".join(
        f'[[sections]]\ntopic = "fake topic {s}"\nstatements = [{", ".join(f"{chr(34)}fake statement {s}.{n}{chr(34)}" for n in range(6))}]'
        for s in range(1, 11)
    )
    (directory / "odi.toml").write_text(
        'instrument = "odi"\nversion = "2.1a"\ncopyright = "fake ODI copyright"\nlicence = "fake"\n'
        f'instructions = "fake ODI instructions"\n{sections}\n',
        encoding="utf-8",
    )
    items = ", ".join(f'"fake RMDQ item {n}"' for n in range(1, 25))
    (directory / "rmdq.toml").write_text(
        'instrument = "rmdq"\ncopyright = "fake RMDQ copyright"\nlicence = "fake"\n'
        f'instructions = "fake RMDQ instructions"\nitems = [{items}]\n',
        encoding="utf-8",
    )
    keys = "\n".join(f'{key} = "fake STarT item {key}"' for key in StartBackAnswers.model_fields)
    answers = "\n".join(
        f'{key} = "fake answer {key}"'
        for key in ("not_at_all", "slightly", "moderately", "very_much", "extremely")
    )
    (directory / "startback.toml").write_text(
        'instrument = "startback"\ncopyright = "fake Keele copyright"\ninstructions = "fake STarT instructions"\n'
        f"[items]\n{keys}\n[bothersomeness_answers]\n{answers}\n",
        encoding="utf-8",
    )


def test_odi_rmdq_and_startback_are_asked_only_in_the_deployers_licensed_wording(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    onboard(client)
    user = patient()
    started_days_ago(user, first_checkpoint() * 7)
    with pytest.raises(ServiceError, match="The ODI questionnaire is not offered here"):
        outcomes_services.record_reassessment(user, nprs=3, psfs_scores=[5, 5], odi_sections=[1] * 10)
    _fake_wording(tmp_path)
    monkeypatch.setenv(instruments.LICENSED_DIR_SETTING, str(tmp_path))
    form = client.get("/progress/reassess/").content.decode()
    for text in ("fake ODI instructions", "fake topic 10", "fake statement 1.5", "fake RMDQ item 24",
                 "fake STarT item no_enjoyment", "fake answer extremely", "fake Keele copyright"):  # fmt: skip
        assert text in form, text
    data = {"nprs": "3", "psfs_1": "5", "psfs_2": "6", "rmdq": ["2", "5", "9"]}
    data |= {f"odi_{n}": "1" for n in range(1, 10)}  # section 10 left unanswered
    data |= {f"startback_{key}": "disagree" for key in StartBackAnswers.model_fields}
    data["startback_bothersomeness"] = "moderately"
    assert client.post("/progress/reassess/", data)["Location"] == "/progress/"
    stored = {o.instrument: o for o in OutcomeScore.objects.filter(date=timezone.localdate())}
    assert stored["odi"].score == instruments.score_odi([1] * 9 + [None]).percent
    assert stored["rmdq"].score == 3
    answers = StartBackAnswers.model_validate(
        dict.fromkeys(StartBackAnswers.model_fields, False) | {"bothersomeness": "moderately"}
    )
    expected = instruments.score_startback(answers)
    assert (stored["startback"].score, stored["startback"].detail["risk"]) == (expected.total, expected.risk)
    page = client.get("/progress/").content.decode()
    assert instruments.default_instruments().odi.name in page
    assert (
        expected.risk in page
        or instruments.default_instruments().startback.strata[expected.risk].label in page
    )


# --- Adherence -----------------------------------------------------------------------------------------


def test_a_session_every_day_since_the_start_is_a_full_streak_and_full_adherence(client: Client) -> None:
    onboard(client)
    user = patient()
    started_days_ago(user, 9)
    for n in range(9, -1, -1):
        do_session(user, ago(n), before=4, after=3)
    page = client.get("/progress/").content.decode()
    assert '<strong class="stat">10</strong> days in your current streak' in page
    assert '<strong class="stat">100%</strong> of planned sessions done' in page
    per_week = outcomes_selectors.program_span(user).sessions_per_week  # type: ignore[union-attr]
    planned = " planned" if timezone.localdate().weekday() in schedule.planned_weekdays(per_week) else ""
    assert f'<td class="done{planned} is-today">' in page


def test_the_calendar_shows_four_weeks_with_the_plan_and_the_weekly_totals(client: Client) -> None:
    onboard(client)
    user = patient()
    started_days_ago(user, 30)
    do_session(user, ago(2), before=4, after=3)
    page = client.get("/progress/").content.decode()
    calendar = page.split('<table class="month">')[1].split("</table>")[0]
    weeks = calendar.split("<tr>")[2:]
    assert len(weeks) == 4
    per_week = outcomes_selectors.program_span(user).sessions_per_week  # type: ignore[union-attr]
    totals = [re.search(r'<td class="week-total">(\d+)<span', week).group(1) for week in weeks]  # type: ignore[union-attr]
    done_week = next(i for i, week in enumerate(weeks) if f"{ago(2):%A %-d %B}: 1 session done" in week)
    assert totals == ["1" if i == done_week else "0" for i in range(4)]
    assert f'<span class="visually-hidden"> of </span>{per_week}</td>' in weeks[0]
    assert f"{ago(1):%A %-d %B}: " in calendar
    assert "(today): no session yet" in calendar


# --- Queries and access ------------------------------------------------------------------------------


def test_the_progress_page_makes_the_same_few_queries_however_long_the_record(
    client: Client, django_assert_num_queries: Any
) -> None:
    onboard(client)
    user = patient()
    started_days_ago(user, 60)
    for n in (40, 30, 20):
        do_session(user, ago(n), before=5, after=4)
        check_in(user, ago(n - 1), 4)
    client.get("/progress/")  # warm the chart cache and the content caches
    # session, user, profile, current program, first program's date, sessions, check-ins, outcomes,
    # form checks
    with django_assert_num_queries(9):
        assert client.get("/progress/").status_code == 200
    for n in range(19, 0, -1):
        do_session(user, ago(n), before=4, after=3)
        check_in(user, ago(n - 1), 3)
    client.post("/progress/reassess/", {"nprs": "3", "psfs_1": "6", "psfs_2": "7"})
    with django_assert_num_queries(9):
        assert client.get("/progress/").status_code == 200


def test_a_second_patient_sees_only_their_own_progress_and_cannot_change_the_firsts(client: Client) -> None:
    onboard(client, "first@example.org")
    first = patient("first@example.org")
    started_days_ago(first, first_checkpoint() * 7)
    do_session(first, ago(2), before=9, after=8)
    other = Client()
    onboard(other, "second@example.org")
    first_rows = list(OutcomeScore.objects.filter(patient=first).values())
    page = other.get("/progress/").content.decode()
    assert "Sit through a meeting" in page  # their own goals (the same helper answers)
    assert (
        "<svg" not in page.split('id="pain-heading"')[1].split("</section>")[0]
    )  # the first's sessions are not shown
    assert (
        other.post("/progress/reassess/", {"nprs": "0", "psfs_1": "10", "psfs_2": "10"})["Location"]
        == "/progress/"
    )
    assert list(OutcomeScore.objects.filter(patient=first).values()) == first_rows
    assert client.get("/progress/reassess/").status_code == 200  # the first's check is still due


# --- In a browser ----------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_progress_and_the_check_fit_a_phone_and_work_with_the_keyboard_alone(
    live_server: Any, phone_page: Any
) -> None:
    setup = Client()
    onboard(setup)
    user = patient()
    started_days_ago(user, first_checkpoint() * 7)
    for n in (6, 4, 2):
        do_session(user, ago(n), before=5, after=4)
    page = phone_page
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("pat@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/today/")
    for path in ("/progress/", "/progress/reassess/", "/settings/"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    page.goto(live_server.url + "/progress/reassess/")
    # Tab into each scale and choose with the arrow keys, as a keyboard user does with radio buttons.
    for name, presses in (("nprs", 3), ("psfs_1", 6), ("psfs_2", 7)):
        page.locator(f'input[name="{name}"][value="0"]').focus()
        page.keyboard.press("Space")
        for _ in range(presses):
            page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Save my answers").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/progress/")
    latest = OutcomeScore.objects.filter(instrument="psfs").latest("id")
    assert latest.detail["activities"] == [
        {"activity": "Sit through a meeting", "score": 6},
        {"activity": "Tie my shoes", "score": 7},
    ]
