"""The progress report for a doctor or physiotherapist (issue 18): from /progress/ over a chosen
period and from `lumbar report --history FILE`. The PDF is read back: its text (pain, scores with
their change verdicts, sessions against the plan, alerts, program changes), title, language and
pages (A4 or US Letter)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests import pdf_helpers as pdf
from tests.care_helpers import onboard
from tests.care_history import check_in, do_session, patient, started_days_ago
from tests.pdf_helpers import in_process, without_weasyprint

from lumbar.domain import instruments, schedule
from lumbar.domain.catalog import default_catalog
from lumbar.domain.history import parse_history
from lumbar.reports import report
from lumbar.reports.templating import day_text, short_day
from lumbar.web.records.models import Alert, ProgramVersion
from simulator import OUTCOME_DAYS, START, Patient, run

DAYS = 42  # six weeks on the program


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def six_weeks(client: Client, email: str = "pat@example.org") -> Any:
    """A person six weeks into their program: sessions three days a week with pain easing from 5 to
    2, morning check-ins, and the six-week reassessment (pain 2, goals 8 and 8). The progression
    review runs after every session and check-in, as in the app."""
    onboard(client, email)  # NPRS 4; PSFS 4 and 6
    user = patient(email)
    started_days_ago(user, DAYS)
    for n, days_ago in enumerate(range(DAYS - 1, 0, -2)):
        pain = max(2, 5 - n // 5)
        do_session(user, ago(days_ago), before=pain, after=max(0, pain - 1))
        check_in(user, ago(days_ago - 1), pain)
    response = client.post("/progress/reassess/", {"nprs": "2", "psfs_1": "8", "psfs_2": "8"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return user


def report_text(client: Client, query: str = "") -> tuple[bytes, str]:
    response = client.get(f"/progress/report.pdf{query}")
    assert response.status_code == 200, response.content[:2000]
    assert response["Content-Type"] == "application/pdf"
    return response.content, pdf.text(response.content)


@pytest.mark.django_db
def test_the_report_of_a_real_account_gives_pain_scores_with_verdicts_sessions_alerts_and_changes(
    client: Client, tmp_path: Path
) -> None:
    user = six_weeks(client)
    data, text = report_text(client, "?weeks=12")
    start, today = ago(DAYS), timezone.localdate()
    assert "Back pain progress report" in text
    assert "pat@example.org" in text
    # Twelve weeks reach back past the start: the period is the whole program.
    assert f"{day_text(start)} to {day_text(today)}" in text
    # Scores against the first one, with the verdict and its reason from instruments.change.
    for instrument, before, after in (("nprs", 4, 2), ("psfs", 5, 8)):
        verdict = instruments.change(instrument, before, after)
        assert verdict.direction == "improved"
        assert pdf.flat(f"Better {verdict.reason}") in text
    assert "Numeric Pain Rating Scale" in text or instruments.default_instruments().nprs.name in text
    assert "Starting score" in text
    # Sessions done against the plan, counted by lumbar.domain.schedule.
    per_week = max(
        e["sessions_per_week"] for e in ProgramVersion.objects.filter(patient=user).first().exercises
    )
    done_days = {ago(d) for d in range(DAYS - 1, 0, -2)}
    plan = schedule.adherence(done_days, start=start, today=today, days_per_week=per_week)
    assert f"{plan.done} of {plan.planned} planned sessions done" in text
    # Every alert the app raised and every program change it made, in the app's words.
    alerts = list(Alert.objects.filter(patient=user))
    changes = [c for v in ProgramVersion.objects.filter(patient=user, number__gt=1) for c in v.changes]
    assert changes, "the review should have changed the program in six weeks of easy sessions"
    for alert in alerts:
        assert pdf.flat(alert.message) in text
    for change in changes:
        assert pdf.flat(change) in text
    # Title, language, tags, and the chart announced by its title.
    assert pdf.info(data)["Title"].startswith("Back pain progress report: pat@example.org, ")
    assert pdf.catalogue(data)["root"]["/Lang"] == "en"
    assert pdf.info(data)["Tagged"] == "yes"
    assert any("Pain over the period" in alt for alt in pdf.figure_alt_texts(data))
    drawn = pdf.pages(data, tmp_path)
    assert len(drawn) == int(pdf.info(data)["Pages"]) >= 2
    assert all((p.width, p.height) == (298, 421) for p in drawn)


@pytest.mark.django_db
def test_the_period_is_a_choice_of_four_or_twelve_weeks_or_all_on_a4_or_letter(
    client: Client, tmp_path: Path
) -> None:
    user = six_weeks(client)
    today = timezone.localdate()
    data, text = report_text(client, "?weeks=4")
    four_weeks = today - dt.timedelta(weeks=4) + dt.timedelta(days=1)
    assert f"{day_text(four_weeks)} to {day_text(today)}" in text
    per_week = max(
        e["sessions_per_week"] for e in ProgramVersion.objects.filter(patient=user).first().exercises
    )
    done_days = {ago(d) for d in range(DAYS - 1, 0, -2)}
    plan = schedule.adherence(done_days, start=four_weeks, today=today, days_per_week=per_week)
    assert f"{plan.done} of {plan.planned} planned sessions done" in text
    # The starting scores stay the baseline, marked as before the period.
    assert "Starting score (before this period)" in text
    letter, everything = report_text(client, "?weeks=all&paper=letter")
    assert f"{day_text(ago(DAYS))} to {day_text(today)}" in everything
    assert pdf.page_points(letter) == pytest.approx(pdf.LETTER_POINTS, abs=0.5)
    assert all((p.width, p.height) == (306, 396) for p in pdf.pages(letter, tmp_path))
    assert client.get("/progress/report.pdf?weeks=5").status_code == 400
    assert client.get("/progress/report.pdf?paper=a3").status_code == 400


@pytest.mark.django_db
def test_the_progress_page_offers_the_report_for_each_period(client: Client) -> None:
    onboard(client)
    page = client.get("/progress/").content.decode()
    for weeks, words in (
        ("4", "of the last 4 weeks"),
        ("12", "of the last 12 weeks"),
        ("all", "since you started"),
    ):
        assert f'<a href="/progress/report.pdf?weeks={weeks}">Report {words}</a>' in page
    # From the first day: one day's period, nothing to chart yet.
    _, text = report_text(client)
    assert "No pain readings in this period." in text


@pytest.mark.django_db
def test_each_patient_gets_only_their_own_report_and_a_signed_out_visitor_signs_in_first() -> None:
    first, second = Client(), Client()
    onboard(first, "first@example.org")
    do_session(patient("first@example.org"), timezone.localdate(), before=6, after=5)
    onboard(second, "second@example.org")
    _, text = report_text(second)
    assert "second@example.org" in text
    assert "first@example.org" not in text
    assert "No pain readings in this period." in text  # the first patient's session is not theirs
    _, own = report_text(first)
    assert "first@example.org" in own
    response = Client().get("/progress/report.pdf?weeks=4")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/progress/report.pdf")


@pytest.mark.django_db
def test_without_the_pdf_libraries_the_report_page_says_so(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    onboard(client)
    without_weasyprint(monkeypatch)
    response = client.get("/progress/report.pdf")
    assert response.status_code == 503
    assert "PDF output is not available on this computer" in response.content.decode()


# --- From a History file --------------------------------------------------------------------------


@dataclass
class Easing(Patient):
    """Twelve weeks, Monday to Friday, pain easing from 6 to 2 by two-week steps."""

    days: int = 84

    def usual_pain(self, day: int) -> int:
        return max(2, 6 - day // 14)


@pytest.fixture(scope="module")
def history_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    journey = run(Easing(), default_catalog())
    path = tmp_path_factory.mktemp("history") / "history.json"
    path.write_text(json.dumps(journey.history), encoding="utf-8")
    return path


@pytest.mark.slow
def test_lumbar_report_reads_a_twelve_week_history_and_reports_what_the_review_said(
    history_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "lumbar", "report", "--history", str(history_file), "--out", str(out)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")
    data = out.read_bytes()
    text = pdf.text(data)
    history = parse_history(json.loads(history_file.read_text(encoding="utf-8")))
    expected = report.from_history(history)
    built = report.build_report(expected, made_on=dt.date(2026, 12, 3))
    assert f"{day_text(START)} to {day_text(history.today)}" in text
    assert "the history file history.json" in text
    # The alerts the review raised over the twelve weeks, each kind with its latest words.
    assert built.alerts
    for alert in built.alerts:
        assert pdf.flat(alert.message) in text
    # NPRS from 6 at the start to 3 at six weeks: better, in instruments.change's words.
    nprs = [o.score for o in history.outcomes if o.instrument == "nprs"]
    assert (nprs[0], nprs[-1]) == (6, 3)
    verdict = instruments.change("nprs", 6, 3)
    assert pdf.flat(f"Better {verdict.reason}") in text
    assert f"{built.done} of {built.planned} planned sessions done" in text
    assert "Changes the review suggests" in text
    for name in (e.name for e in history.program.exercises):
        assert name in text
    assert pdf.catalogue(data)["root"]["/Lang"] == "en"
    assert pdf.page_points(data) == pytest.approx(pdf.A4_POINTS, abs=0.5)
    assert len(pdf.pages(data, tmp_path)) == int(pdf.info(data)["Pages"])


def test_lumbar_report_takes_a_period_and_counts_only_its_sessions_and_scores(
    history_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.pdf"
    first, last = START + dt.timedelta(days=28), START + dt.timedelta(days=55)
    code, err = in_process(
        monkeypatch, capsys, "report", "--history", str(history_file), "--out", str(out),
        "--from", first.isoformat(), "--to", last.isoformat(), "--paper", "letter",
    )  # fmt: skip
    assert (code, err) == (0, "")
    data = out.read_bytes()
    text = pdf.text(data)
    assert f"{day_text(first)} to {day_text(last)}" in text
    history = parse_history(json.loads(history_file.read_text(encoding="utf-8")))
    plan = schedule.adherence(
        {s.date for s in history.sessions},
        start=first,
        today=last,
        days_per_week=history.program.session_days_per_week,
    )
    assert plan.done == 20  # four weeks of Monday-to-Friday sessions
    assert f"{plan.done} of {plan.planned} planned sessions done" in text
    # The scores of the period (the 4- and 6-week reassessments), not the 12-week one.
    for number in OUTCOME_DAYS:
        shown = short_day(START + dt.timedelta(days=number)) in text
        assert shown == (number == 0 or 28 <= number <= 55), number
    assert "Starting score (before this period)" in text
    assert pdf.page_points(data) == pytest.approx(pdf.LETTER_POINTS, abs=0.5)


@pytest.mark.parametrize(
    ("args", "content", "message"),
    [
        ((), "{", "error: history: not valid JSON (line 1, column 2"),
        ((), '{"today": "2025-01-01"}', "error: history: program: required but missing"),
        (("--from", "2025-05-01", "--to", "2025-04-01"), None, "error: --from: 2025-05-01 is after the end of the period (2025-04-01)"),
        (("--to", "2031-01-01"), None, "error: --to: 2031-01-01 is after the history's today"),
        (("--from", "1 May 2025"), None, "error: --from: must be a date YYYY-MM-DD (got '1 May 2025')"),
        (("--to", "2025-02-30"), None, "error: --to: not a calendar date (got '2025-02-30')"),
        (("--paper", "legal"), None, "error: --paper: unknown paper size 'legal': choose a4 or letter"),
        ((), "unknown-exercise", "error: history: sessions.0.exercises.0.id: unknown exercise id 'dancing'"),
    ],
)  # fmt: skip
def test_lumbar_report_refuses_bad_input_in_one_line_with_exit_2_and_writes_nothing(
    history_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    content: str | None,
    message: str,
) -> None:
    source = history_file
    if content == "unknown-exercise":
        history = json.loads(history_file.read_text(encoding="utf-8"))
        history["sessions"][0]["exercises"][0]["id"] = "dancing"
        source = tmp_path / "bad.json"
        source.write_text(json.dumps(history), encoding="utf-8")
    elif content is not None:
        source = tmp_path / "bad.json"
        source.write_text(content, encoding="utf-8")
    out = tmp_path / "out.pdf"
    code, err = in_process(monkeypatch, capsys, "report", "--history", str(source), "--out", str(out), *args)
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert err.startswith(message), err
    assert not out.exists()


def test_an_alert_raised_on_many_days_is_one_line_with_its_first_and_last_day() -> None:
    day = dt.date(2026, 3, 2)
    merged = report.grouped_alerts(
        [
            report.AlertEntry(day, "review", "no_improvement", "After 4 weeks ..."),
            report.AlertEntry(day + dt.timedelta(days=1), "urgent", "red_flag", "A warning sign ..."),
            report.AlertEntry(day + dt.timedelta(days=2), "review", "no_improvement", "After 4 weeks ..."),
            report.AlertEntry(day + dt.timedelta(days=7), "review", "no_improvement", "After 5 weeks ..."),
        ]
    )
    assert [(a.kind, a.day, a.last_day, a.days, a.message) for a in merged] == [
        ("no_improvement", day, day + dt.timedelta(days=2), 2, "After 4 weeks ..."),
        ("red_flag", day + dt.timedelta(days=1), day + dt.timedelta(days=1), 1, "A warning sign ..."),
        ("no_improvement", day + dt.timedelta(days=7), day + dt.timedelta(days=7), 1, "After 5 weeks ..."),
    ]
