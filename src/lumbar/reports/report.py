"""The progress report: what a doctor or physiotherapist reads about a stretch of a person's program.

Pain over time (the app's chart, with the band of no important change around the starting pain),
the outcome scores with their change verdicts (lumbar.domain.instruments.change), sessions done
against the plan (lumbar.domain.schedule), a week-by-week table, the alerts and the program changes
of the period, and the program in force at its end.

Two sources fill the same `ReportInput`:
- the web app, from the person's stored record (lumbar.web.outputs.printouts): its alerts and program
  versions are the ones the app raised and made;
- a History file (`lumbar report --history FILE`, contracts/progress.schema.json#/$defs/History):
  `from_history` replays the review (lumbar.domain.progression.review) on every day of the period that
  has a session, a check-in or a score, as the app does after each one, and collects the alerts it
  raised; a file holds only the program in force, so its "program changes" are the changes the review
  on the last day suggests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from statistics import fmean
from typing import TYPE_CHECKING, Literal

from markupsafe import Markup

from lumbar.domain import instruments
from lumbar.domain.catalog import Catalog, default_catalog
from lumbar.domain.errors import InvalidInput
from lumbar.domain.history import History, Program
from lumbar.reports.charts import ChangeBand, PainReading, pain_chart_svg
from lumbar.reports.pdf import PAGE_SIZE, Paper, render_pdf
from lumbar.reports.templating import day_text, render, short_day, trusted

if TYPE_CHECKING:
    from lumbar.domain.progression import Review

Instrument = Literal["nprs", "odi", "rmdq", "psfs"]
INSTRUMENT_ORDER: tuple[Instrument, ...] = ("nprs", "psfs", "odi", "rmdq")
VERDICT_LABELS = {"improved": "Better", "unchanged": "No important change", "worse": "Worse"}
SEVERITY_LABELS = {"emergency": "Emergency", "urgent": "Urgent", "review": "Review", "info": "Information"}
ACTION_WORDS = {
    "progress": "harder",
    "hold": "no change",
    "regress": "easier",
    "stop": "stop",
    "substitute": "replace",
}
# Sized for a page: the printed chart is wider than the phone's.
CHART_INCHES = (6.9, 3.3)
# Markers on each line of the printed chart, at most: a marker a day for months would blot the line
# (and slow the layout); the line still passes through every reading.
MAX_MARKERS = 30


# --- What the report is made from -------------------------------------------------------------------


@dataclass(frozen=True)
class SessionDay:
    """A finished session: its day and the pain before and after it."""

    day: date
    pain_before: int | None = None
    pain_after: int | None = None


@dataclass(frozen=True)
class Score:
    day: date
    instrument: Instrument
    score: float


@dataclass(frozen=True)
class AlertEntry:
    """An alert raised in the period; the same alert raised again on later days counts up."""

    day: date
    severity: str
    kind: str
    message: str
    last_day: date | None = None
    days: int = 1


@dataclass(frozen=True)
class ProgramChange:
    day: date
    title: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class ReportInput:
    program: Program  # the program in force at the end of the period
    started: date  # the person's first day on a program
    period_start: date
    period_end: date
    sessions: tuple[SessionDay, ...]
    mornings: tuple[tuple[date, int], ...]
    scores: tuple[Score, ...]  # every score up to the end of the period: the first of each is the baseline
    alerts: tuple[AlertEntry, ...]
    changes: tuple[ProgramChange, ...]
    changes_heading: str = "Program changes"
    changes_note: str | None = None
    alerts_note: str | None = None
    person: str | None = None
    source: str = "Lumbar"


# --- What the page shows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    direction: str
    label: str
    reason: str


@dataclass(frozen=True)
class ScoreRow:
    day: date
    text: str
    verdict: Verdict | None
    baseline: bool
    before_period: bool


@dataclass(frozen=True)
class ScoreGroup:
    id: str
    name: str
    rows: tuple[ScoreRow, ...]
    threshold: str


@dataclass(frozen=True)
class WeekRow:
    monday: date
    first: date
    last: date
    done: int
    planned: int
    before: float | None
    after: float | None
    morning: float | None


@dataclass(frozen=True)
class ProgramLine:
    name: str
    dose: str
    how_often: str


@dataclass(frozen=True)
class Report:
    title: str
    page_size: str
    made_on: date
    person: str | None
    source: str
    period_start: date
    period_end: date
    period_days: int
    started: date
    chart_svg: Markup | None
    chart_caption: str
    band: ChangeBand | None
    pain_first: PainReading | None
    pain_last: PainReading | None
    pain_verdict: Verdict | None
    scores: tuple[ScoreGroup, ...]
    startback: str | None
    done: int
    planned: int
    percent: int | None
    per_week: int
    weeks: tuple[WeekRow, ...]
    alerts: tuple[AlertEntry, ...]
    alerts_note: str | None
    changes: tuple[ProgramChange, ...]
    changes_heading: str
    changes_note: str | None
    program: tuple[ProgramLine, ...]
    walking: str | None
    phase: str
    stop_rules: tuple[str, ...]
    content_version: str
    severity_labels: dict[str, str] = field(default_factory=lambda: dict(SEVERITY_LABELS))


def nprs_band(baseline: float) -> ChangeBand:
    """The starting pain, give or take the smallest change `instruments.change` counts as important
    (the absolute MCID, or the relative one where the content gives it and it is smaller)."""
    content = instruments.default_instruments().nprs
    rule = content.change
    threshold = rule.mcid_abs
    if rule.mcid_rel is not None and baseline > 0:
        threshold = min(threshold, rule.mcid_rel * baseline)
    low = max(content.range.min, baseline - threshold)
    high = min(content.range.max, baseline + threshold)
    return ChangeBand(
        baseline=baseline,
        low=round(low, 2),
        high=round(high, 2),
        label=f"Starting pain {baseline:g}, give or take {threshold:g}",
    )


def score_words(instrument: str, score: float) -> str:
    content = instruments.default_instruments()
    if instrument == "odi":
        return f"{score:g}%"
    if instrument == "rmdq":
        return f"{score:g} of {content.rmdq.scoring.items}"
    maximum = content.nprs.range.max if instrument == "nprs" else content.psfs.range.max
    return f"{score:g} out of {maximum:g}"


def _verdict(instrument: str, before: float, after: float) -> Verdict:
    found = instruments.change(instrument, before, after)
    return Verdict(found.direction, VERDICT_LABELS[found.direction], found.reason)


def _threshold(instrument: Instrument) -> str:
    rule = {
        "nprs": instruments.default_instruments().nprs.change,
        "odi": instruments.default_instruments().odi.change,
        "rmdq": instruments.default_instruments().rmdq.change,
        "psfs": instruments.default_instruments().psfs.change,
    }[instrument]
    text = f"{rule.mcid_abs:g} points"
    if rule.mcid_rel is not None:
        text += f" or {rule.mcid_rel:.0%} of the starting score"
    return text


def _names() -> dict[str, str]:
    content = instruments.default_instruments()
    return {
        "nprs": content.nprs.name,
        "psfs": content.psfs.name,
        "odi": content.odi.name,
        "rmdq": content.rmdq.name,
    }


def score_groups(scores: Sequence[Score], start: date, end: date) -> tuple[ScoreGroup, ...]:
    """Each instrument's scores in the period, and its first score (the baseline) wherever it lies."""
    names = _names()
    groups = []
    for instrument in INSTRUMENT_ORDER:
        mine = sorted((s for s in scores if s.instrument == instrument and s.day <= end), key=lambda s: s.day)
        if not mine:
            continue
        baseline = mine[0]
        rows = []
        for index, s in enumerate(mine):
            if index > 0 and s.day < start:
                continue
            rows.append(
                ScoreRow(
                    day=s.day,
                    text=score_words(instrument, s.score),
                    verdict=None if index == 0 else _verdict(instrument, baseline.score, s.score),
                    baseline=index == 0,
                    before_period=s.day < start,
                )
            )
        groups.append(ScoreGroup(instrument, names[instrument], tuple(rows), _threshold(instrument)))
    return tuple(groups)


def pain_readings(
    sessions: Iterable[SessionDay], mornings: Iterable[tuple[date, int]], start: date, end: date
) -> list[PainReading]:
    order = ("before", "after", "morning")
    readings = []
    for s in sessions:
        if start <= s.day <= end:
            if s.pain_before is not None:
                readings.append(PainReading(s.day, "before", s.pain_before))
            if s.pain_after is not None:
                readings.append(PainReading(s.day, "after", s.pain_after))
    readings += [PainReading(day, "morning", pain) for day, pain in mornings if start <= day <= end]
    return sorted(readings, key=lambda r: (r.day, order.index(r.kind)))


def _mean(values: list[float]) -> float | None:
    return round(fmean(values), 1) if values else None


def week_rows(data: ReportInput, per_week: int) -> tuple[WeekRow, ...]:
    """Monday-to-Sunday weeks of the period: sessions done against planned, and mean pain readings."""
    from lumbar.domain.schedule import adherence

    done_days = {s.day for s in data.sessions}
    counted_from = max(data.started, data.period_start)
    rows = []
    monday = data.period_start - timedelta(days=data.period_start.weekday())
    while monday <= data.period_end:
        first, last = max(monday, data.period_start), min(monday + timedelta(days=6), data.period_end)
        plan = adherence(done_days, start=max(first, counted_from), today=last, days_per_week=per_week)
        week_sessions = [s for s in data.sessions if first <= s.day <= last]
        rows.append(
            WeekRow(
                monday=monday,
                first=first,
                last=last,
                done=len({s.day for s in week_sessions}),
                planned=plan.planned,
                before=_mean([s.pain_before for s in week_sessions if s.pain_before is not None]),
                after=_mean([s.pain_after for s in week_sessions if s.pain_after is not None]),
                morning=_mean([float(p) for d, p in data.mornings if first <= d <= last]),
            )
        )
        monday += timedelta(days=7)
    return tuple(rows)


def _program_lines(program: Program, catalog: Catalog) -> tuple[ProgramLine, ...]:
    from lumbar.reports.handout import dose_text

    lines = []
    for entry in program.exercises:
        days = f"{entry.sessions_per_week} day{'s' if entry.sessions_per_week != 1 else ''} a week"
        lines.append(ProgramLine(entry.name, dose_text(entry, catalog), days))
    return tuple(lines)


def _walking_words(program: Program) -> str | None:
    from lumbar.domain.progression import WalkingDose

    if program.walking is None:
        return None
    return f"Walking: {WalkingDose.of(program.walking).words()}."


def build_report(
    data: ReportInput, *, paper: Paper = "a4", made_on: date, catalog: Catalog | None = None
) -> Report:
    catalog = catalog or default_catalog()
    from lumbar.domain.schedule import adherence

    if data.period_start > data.period_end:
        raise InvalidInput(f"the period starts ({data.period_start}) after it ends ({data.period_end})")
    start, end = data.period_start, data.period_end
    content = instruments.default_instruments().nprs
    nprs = sorted((s for s in data.scores if s.instrument == "nprs" and s.day <= end), key=lambda s: s.day)
    band = nprs_band(nprs[0].score) if nprs else None
    readings = pain_readings(data.sessions, data.mornings, start, end)
    caption = _chart_caption(readings, band)
    chart = None
    if readings:
        chart = trusted(
            pain_chart_svg(
                readings,
                scale_min=content.range.min,
                scale_max=content.range.max,
                band=band,
                title="Pain over the period",
                description=caption,
                element_id="report-pain-chart",
                size=CHART_INCHES,
                legend_columns=2,
                max_markers=MAX_MARKERS,
            )
        )
    # The headline compares like with like: the starting score with the latest usual pain (before a
    # session or on waking), not with pain just after exercising.
    usual = [r for r in readings if r.kind != "after"]
    latest = usual[-1] if usual else None
    pain_verdict = _verdict("nprs", band.baseline, latest.value) if band is not None and latest else None
    per_week = program_days(data.program)
    counted_from = max(data.started, start)
    plan = adherence({s.day for s in data.sessions}, start=counted_from, today=end, days_per_week=per_week)
    startback = None
    if data.program.risk is not None:
        stratum = instruments.default_instruments().startback.strata.get(data.program.risk)
        startback = stratum.label if stratum is not None else data.program.risk
    return Report(
        title="Back pain progress report",
        page_size=PAGE_SIZE[paper],
        made_on=made_on,
        person=data.person,
        source=data.source,
        period_start=start,
        period_end=end,
        period_days=(end - start).days + 1,
        started=data.started,
        chart_svg=chart,
        chart_caption=caption,
        band=band,
        pain_first=readings[0] if readings else None,
        pain_last=latest,
        pain_verdict=pain_verdict,
        scores=score_groups(data.scores, start, end),
        startback=startback,
        done=plan.done,
        planned=plan.planned,
        percent=None if plan.rate is None else round(plan.rate * 100),
        per_week=per_week,
        weeks=week_rows(data, per_week),
        alerts=grouped_alerts(data.alerts),
        alerts_note=data.alerts_note,
        changes=tuple(sorted(data.changes, key=lambda c: c.day)),
        changes_heading=data.changes_heading,
        changes_note=data.changes_note,
        program=_program_lines(data.program, catalog),
        walking=_walking_words(data.program),
        phase=data.program.phase,
        stop_rules=tuple(data.program.stop_rules),
        content_version=data.program.content_version,
    )


def grouped_alerts(alerts: Iterable[AlertEntry]) -> tuple[AlertEntry, ...]:
    """One line per alert said in the same words: the first day it was raised, the last, and on
    how many days (a review raises a standing alert again after every session)."""
    groups: dict[tuple[str, str, str], AlertEntry] = {}
    for alert in sorted(alerts, key=lambda a: a.day):
        key = (alert.kind, alert.severity, alert.message)
        seen = groups.get(key)
        last = alert.last_day or alert.day
        if seen is None:
            groups[key] = AlertEntry(alert.day, alert.severity, alert.kind, alert.message, last, alert.days)
        else:
            groups[key] = replace(
                seen, last_day=max(last, seen.last_day or seen.day), days=seen.days + alert.days
            )
    return tuple(sorted(groups.values(), key=lambda a: (a.day, a.kind)))


def program_days(program: Program) -> int:
    return min(program.session_days_per_week, 7)


def _chart_caption(readings: list[PainReading], band: ChangeBand | None) -> str:
    if not readings:
        return "No pain readings in this period."
    labels = {"before": "before a session", "after": "after a session", "morning": "next morning"}
    first, last = readings[0], readings[-1]
    parts = [
        f"Pain from 0 (none) to 10 (worst imaginable): {len(readings)} readings from {short_day(first.day)} "
        f"to {short_day(last.day)}; the latest {last.value:g} {labels[last.kind]}.",
    ]
    if band is not None:
        parts.append(
            f"The shaded band is the starting pain ({band.baseline:g}) give or take the minimal important "
            f"change: {band.low:g} to {band.high:g}. Readings at or below its lower edge are an important improvement."
        )
    return " ".join(parts)


def report_html(report: Report) -> str:
    return render("report.html", r=report)


def report_pdf(
    data: ReportInput, *, paper: Paper = "a4", made_on: date, catalog: Catalog | None = None
) -> bytes:
    """The report as PDF bytes. Raises PdfUnavailable when PDFs cannot be made on this machine."""
    return render_pdf(report_html(build_report(data, paper=paper, made_on=made_on, catalog=catalog)))


# --- From a History file -------------------------------------------------------------------------------


def from_history(
    history: History,
    *,
    start: date | None = None,
    end: date | None = None,
    catalog: Catalog | None = None,
    source: str = "a history file",
) -> ReportInput:
    """The report's input from a validated History: the period defaults to the whole record (its first
    day to `today`); alerts come from replaying the review on each day of the period with something
    recorded; the program changes are those the review on the period's last day suggests."""
    from lumbar.domain.progression import review

    catalog = catalog or default_catalog()
    end = end or history.today
    start = start or history.start
    if end > history.today:
        raise InvalidInput(f"--to: {end} is after the history's today ({history.today})")
    if start > end:
        raise InvalidInput(f"--from: {start} is after the end of the period ({end})")
    days = sorted(
        {
            *(s.date for s in history.sessions),
            *(c.date for c in history.checkins),
            *(o.date for o in history.outcomes),
        }
        | {end}
    )
    alerts: list[AlertEntry] = []
    last_review = None
    for day in (d for d in days if start <= d <= end):
        last_review = review(_until(history, day), catalog)
        alerts += [AlertEntry(day, a.severity, a.kind, a.message) for a in last_review.alerts]
    changes: list[ProgramChange] = []
    if last_review is not None:
        changes = _suggested_changes(last_review, catalog, end)
    return ReportInput(
        program=history.program,
        started=history.start,
        period_start=start,
        period_end=end,
        sessions=tuple(
            SessionDay(s.date, s.pain_before, s.pain_after) for s in history.sessions if s.date <= end
        ),
        mornings=tuple((c.date, c.morning_pain) for c in history.checkins if c.morning_pain is not None),
        scores=tuple(Score(o.date, o.instrument, o.score) for o in history.outcomes),
        alerts=grouped_alerts(alerts),
        changes=tuple(changes),
        changes_heading="Changes the review suggests",
        changes_note=(
            f"A history file holds only the program in force, so these are the changes Lumbar's review "
            f"suggests on {day_text(end)}, the last day of the period."
        ),
        alerts_note=(
            "Raised by Lumbar's review, run again on each day of the period that has a session, a check-in "
            "or a score, as the app does after each one."
        ),
        source=source,
    )


def _until(history: History, day: date) -> History:
    return history.model_copy(
        update={
            "today": day,
            "sessions": [s for s in history.sessions if s.date <= day],
            "checkins": [c for c in history.checkins if c.date <= day],
            "outcomes": [o for o in history.outcomes if o.date <= day],
        }
    )


def _suggested_changes(result: Review, catalog: Catalog, day: date) -> list[ProgramChange]:
    from lumbar.domain.library import describe_dose

    def name(exercise_id: str) -> str:
        exercise = catalog.exercises.get(exercise_id)
        return exercise.name if exercise else exercise_id

    def dose(dose_id: str, sets: int, reps: int | None, hold: int | None) -> str:
        from lumbar.domain.catalog import Dose
        from lumbar.domain.plain_words import dose_words

        exercise = catalog.exercises.get(dose_id)
        if reps is None and hold is None:
            return dose_words(sets, None, None)
        return describe_dose(
            Dose.model_construct(sets=sets, reps=reps, hold_seconds=hold, minutes=None),
            exercise.timing if exercise else None,
        )

    changes = []
    for decision in result.decisions:
        if decision.action == "hold":
            continue
        before = dose(
            decision.id, decision.from_dose.sets, decision.from_dose.reps, decision.from_dose.hold_seconds
        )
        to = decision.to_dose
        after = dose(to.id, to.sets, to.reps, to.hold_seconds)
        if to.id != decision.id:
            after = f"{name(to.id)}: {after}"
        what = f"{before} → {after}" if after != before else before
        changes.append(
            ProgramChange(
                day,
                f"{name(decision.id)}: {ACTION_WORDS[decision.action]} ({what})",
                decision.reasons,
            )
        )
    walking = result.walking
    if walking is not None and walking.action != "hold":
        what = walking.from_dose.words()
        if walking.to_dose != walking.from_dose:
            what += f" → {walking.to_dose.words()}"
        changes.append(
            ProgramChange(day, f"Walking: {ACTION_WORDS[walking.action]} ({what})", walking.reasons)
        )
    return changes
