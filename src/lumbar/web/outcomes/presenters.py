"""What the progress page shows: the pain chart and its description, score groups, adherence.

Nothing clinical is decided here: change verdicts come from lumbar.domain.instruments, planned days and
streaks from lumbar.domain.schedule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from lumbar.domain import instruments, schedule
from lumbar.reports.charts import ChangeBand, PainReading, pain_chart_svg
from lumbar.reports.report import nprs_band
from lumbar.web.core import charts
from lumbar.web.formcheck import presenters as formcheck_presenters
from lumbar.web.outcomes.selectors import (
    ProgramSpan,
    SessionDay,
    baselines,
    morning_pain,
    outcome_rows,
    program_span,
    reassessment_status,
    session_days,
)
from lumbar.web.records import selectors as records
from lumbar.web.records.models import OutcomeScore

# Display choices, not clinical numbers: how far back the pain chart looks, and the adherence
# calendar's span (four weeks, Monday to Sunday).
CHART_WEEKS = 12


CALENDAR_WEEKS = 4


INSTRUMENT_ORDER = ("nprs", "psfs", "odi", "rmdq", "startback")


VERDICT_LABELS = {"improved": "Better", "unchanged": "No real change", "worse": "Worse"}


READING_LABELS = {"before": "before a session", "after": "after a session", "morning": "next morning"}


def pain_readings(sessions: list[SessionDay], mornings: list[tuple[dt.date, int]]) -> list[PainReading]:
    readings = []
    for s in sessions:
        if s.pain_before is not None:
            readings.append(PainReading(s.date, "before", s.pain_before))
        if s.pain_after is not None:
            readings.append(PainReading(s.date, "after", s.pain_after))
    readings += [PainReading(day, "morning", pain) for day, pain in mornings]
    return sorted(readings, key=lambda r: (r.day, list(READING_LABELS).index(r.kind)))


def pain_section(
    user: AbstractBaseUser,
    sessions: list[SessionDay],
    mornings: list[tuple[dt.date, int]],
    baseline: OutcomeScore | None,
    *,
    draw: bool = True,
) -> dict[str, Any]:
    """The pain chart (drawn unless `draw` is false: a page that loads it as an image, later), its
    readings as a table and the starting band."""
    readings = pain_readings(sessions, mornings)
    band = nprs_band(baseline.score) if baseline is not None else None
    table = _pain_table(readings)
    if not readings or not draw:
        return {"svg": None, "table": table, "band": band}
    content = instruments.default_instruments().nprs
    description = _pain_description(readings, band)
    # Drawn once per set of readings, by whichever worker sees it first (lumbar.web.core.charts).
    svg = charts.cached_chart(
        "pain",
        user.pk,
        repr((readings, band, description)).encode(),
        lambda: pain_chart_svg(
            readings,
            scale_min=content.range.min,
            scale_max=content.range.max,
            band=band,
            title="Your back pain over time",
            description=description,
        ),
    )
    return {"svg": svg, "table": table, "band": band}


def _pain_description(readings: list[PainReading], band: ChangeBand | None) -> str:
    first, last = readings[0], readings[-1]
    parts = [
        f"Pain from 0 to 10, {len(readings)} readings from {_day(first.day)} to {_day(last.day)}.",
        f"Latest: {last.value:g} {READING_LABELS[last.kind]} on {_day(last.day)}.",
    ]
    if band is not None:
        parts.append(
            f"Your starting pain was {band.baseline:g}. The shaded band from {band.low:g} to "
            f"{band.high:g} marks changes too small to count as a real change."
        )
    return " ".join(parts)


def _pain_table(readings: list[PainReading]) -> list[dict[str, Any]]:
    rows: dict[dt.date, dict[str, Any]] = {}
    for r in readings:
        rows.setdefault(r.day, {"date": r.day})[r.kind] = r.value
    return [rows[day] for day in sorted(rows, reverse=True)]


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def score_text(outcome: OutcomeScore) -> str:
    content = instruments.default_instruments()
    if outcome.instrument == "odi":
        return f"{outcome.score:g}%"
    if outcome.instrument == "rmdq":
        return f"{outcome.score:g} of {content.rmdq.scoring.items}"
    if outcome.instrument == "startback":
        risk = str(outcome.detail.get("risk", ""))
        stratum = content.startback.strata.get(risk)  # type: ignore[call-overload]
        return stratum.label if stratum is not None else f"{outcome.score:g}"
    maximum = content.nprs.range.max if outcome.instrument == "nprs" else content.psfs.range.max
    return f"{outcome.score:g} out of {maximum:g}"


def score_groups(outcomes: list[OutcomeScore]) -> list[dict[str, Any]]:
    """One group per instrument: each score with its change from the first one."""
    content = instruments.default_instruments()
    names = {
        "nprs": content.nprs.name,
        "psfs": content.psfs.name,
        "odi": content.odi.name,
        "rmdq": content.rmdq.name,
        "startback": content.startback.name,
    }
    groups = []
    first = baselines(outcomes)
    for instrument in INSTRUMENT_ORDER:
        rows = [o for o in outcomes if o.instrument == instrument]
        if not rows:
            continue
        baseline = first[instrument]
        entries = []
        for outcome in rows:
            entry: dict[str, Any] = {"outcome": outcome, "score": score_text(outcome), "verdict": None}
            if outcome.pk != baseline.pk and instrument != "startback":
                verdict = instruments.change(instrument, baseline.score, outcome.score)
                entry["verdict"] = {
                    "direction": verdict.direction,
                    "label": VERDICT_LABELS[verdict.direction],
                    "reason": verdict.reason,
                }
            entries.append(entry)
        groups.append({"id": instrument, "name": names[instrument], "rows": entries})
    return groups


def adherence_section(span: ProgramSpan, sessions: list[SessionDay], today: dt.date) -> dict[str, Any]:
    per_week = span.sessions_per_week
    done_counts: dict[dt.date, int] = {}
    for s in sessions:
        if s.completed:
            done_counts[s.date] = done_counts.get(s.date, 0) + 1
    done_days = set(done_counts)
    planned = set(schedule.planned_weekdays(per_week))
    monday = today - dt.timedelta(days=today.weekday(), weeks=CALENDAR_WEEKS - 1)
    weeks = []
    for w in range(CALENDAR_WEEKS):
        days = []
        for d in range(7):
            day = monday + dt.timedelta(weeks=w, days=d)
            days.append(
                {
                    "date": day,
                    "count": done_counts.get(day, 0),
                    "planned": day.weekday() in planned and span.start <= day,
                    "future": day > today,
                    "before_start": day < span.start,
                    "today": day == today,
                }
            )
        # A week is counted against the days planned in it since the person started: the first week
        # counts only its days from the start, and weeks wholly before it are left blank (not 0 of N).
        weeks.append(
            {
                "days": days,
                "done": sum(1 for d in days if d["count"]),
                "planned": sum(1 for d in days if d["planned"]),
                "before_start": all(d["before_start"] for d in days),
                "monday": days[0]["date"],
            }
        )
    window_start = max(span.start, monday)
    rate = schedule.adherence(done_days, start=window_start, today=today, days_per_week=per_week)
    return {
        "weeks": weeks,
        "per_week": per_week,
        "planned_names": [_weekday_name(d) for d in sorted(planned)],
        "adherence": rate,
        "percent": None if rate.rate is None else round(rate.rate * 100),
        "streak": schedule.streak(done_days, start=span.start, today=today, days_per_week=per_week),
        "window_start": window_start,
    }


def _weekday_name(weekday: int) -> str:
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[weekday]


def overview(user: AbstractBaseUser, today: dt.date, *, draw_chart: bool = True) -> dict[str, Any] | None:
    """The progress page's sections (pain over time, scores against their minimal important change,
    adherence, the next reassessment), for the person and for their therapist's record of them;
    None before the first program."""
    span = program_span(user)
    if span is None:
        return None
    chart_since = today - dt.timedelta(weeks=CHART_WEEKS)
    sessions = session_days(user, min(span.start, chart_since), today)
    mornings = morning_pain(user, chart_since, today)
    outcomes = outcome_rows(user)
    charted = [s for s in sessions if s.date >= chart_since]
    return {
        "pain": pain_section(user, charted, mornings, baselines(outcomes).get("nprs"), draw=draw_chart),
        "scores": score_groups(outcomes),
        "adherence": adherence_section(span, [s for s in sessions if s.date >= span.start], today),
        "reassessment": reassessment_status(span, outcomes, today),
        "form_checks": formcheck_presenters.listed(records.recent_form_checks(user)),
        "today": today,
    }


def pain_chart(user: AbstractBaseUser, today: dt.date) -> str | None:
    """The pain chart alone (an SVG document), as the progress page draws it; None without readings."""
    chart_since = today - dt.timedelta(weeks=CHART_WEEKS)
    sessions = [s for s in session_days(user, chart_since, today) if s.date >= chart_since]
    section = pain_section(
        user, sessions, morning_pain(user, chart_since, today), baselines(outcome_rows(user)).get("nprs")
    )
    svg: str | None = section["svg"]
    return svg
