"""The progress page and the reassessment form: pain over time, function scores, adherence.

Reads (selectors) and the two views live here; the one write (storing a reassessment) is in
outcome_services. Nothing clinical is decided here: change verdicts come from
lumbar.domain.instruments, minimal important changes from content/instruments, the reassessment
weeks from content/progression.toml, planned days and streaks from lumbar.domain.schedule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from lumbar.domain import instruments, schedule
from lumbar.domain.errors import InvalidInput
from lumbar.reports.charts import ChangeBand, PainReading, pain_chart_svg
from lumbar.reports.report import nprs_band
from lumbar.web.care import outcome_services
from lumbar.web.care.decorators import patient_required
from lumbar.web.care.models import CheckIn, ExerciseSession, OutcomeScore, ProgramVersion
from lumbar.web.care.progress_forms import ReassessmentForm
from lumbar.web.care.selectors import is_next_morning_reading
from lumbar.web.care.services import ServiceError

# Display choices, not clinical numbers: how far back the pain chart looks, and the adherence
# calendar's span (four weeks, Monday to Sunday).
CHART_WEEKS = 12
CALENDAR_WEEKS = 4
CHART_CACHE_SECONDS = 60 * 60 * 24 * 7
INSTRUMENT_ORDER = ("nprs", "psfs", "odi", "rmdq", "startback")
VERDICT_LABELS = {"improved": "Better", "unchanged": "No real change", "worse": "Worse"}
READING_LABELS = {"before": "before a session", "after": "after a session", "morning": "next morning"}


# --- Selectors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramSpan:
    """When the person started (the local day of their first program) and the program in force."""

    start: dt.date
    current: ProgramVersion

    @property
    def sessions_per_week(self) -> int:
        """Days a week the program asks for: the most frequent exercise's count."""
        return max((int(e.get("sessions_per_week", 0)) for e in self.current.exercises), default=0)


def program_span(user: AbstractBaseUser) -> ProgramSpan | None:
    current = ProgramVersion.objects.filter(patient=user).order_by("-number").first()
    if current is None:
        return None
    first = (
        ProgramVersion.objects.filter(patient=user)
        .order_by("number")
        .values_list("created_at", flat=True)
        .first()
    )
    return ProgramSpan(start=timezone.localdate(first or current.created_at), current=current)


@dataclass(frozen=True)
class SessionDay:
    date: dt.date
    pain_before: int | None
    pain_after: int | None
    completed: bool


def session_days(user: AbstractBaseUser, since: dt.date, until: dt.date) -> list[SessionDay]:
    """Sessions between two days as small tuples (no model instances, no logs)."""
    rows = (
        ExerciseSession.objects.filter(patient=user, date__gte=since, date__lte=until)
        .order_by("date", "id")
        .values_list("date", "pain_before", "pain_after", "completed_at")
    )
    return [SessionDay(day, before, after, completed is not None) for day, before, after, completed in rows]


def morning_pain(user: AbstractBaseUser, since: dt.date, until: dt.date) -> list[tuple[dt.date, int]]:
    """Next-morning pain readings: a check-in given in the afternoon or evening is not one."""
    rows = (
        CheckIn.objects.filter(patient=user, date__gte=since, date__lte=until)
        .order_by("date")
        .values_list("date", "morning_pain", "created_at")
    )
    return [(day, pain) for day, pain, created in rows if is_next_morning_reading(day, created)]


def outcome_rows(user: AbstractBaseUser) -> list[OutcomeScore]:
    """Every outcome measure, oldest first (a few a month: small)."""
    return list(OutcomeScore.objects.filter(patient=user).order_by("date", "id"))


def baselines(outcomes: list[OutcomeScore]) -> dict[str, OutcomeScore]:
    """The first score of each instrument: what later scores are compared with."""
    first: dict[str, OutcomeScore] = {}
    for outcome in outcomes:
        first.setdefault(outcome.instrument, outcome)
    return first


@dataclass(frozen=True)
class ReassessmentStatus:
    due: schedule.Checkpoint | None
    upcoming: schedule.Checkpoint | None
    goals: list[str]


def reassessment_weeks() -> list[int]:
    """The checkpoints, in weeks after the first program, from content/progression.toml."""
    from lumbar.domain.progression_rules import default_rules

    return list(default_rules().reassessment.weeks)


def reassessment_status(
    span: ProgramSpan, outcomes: list[OutcomeScore], today: dt.date
) -> ReassessmentStatus:
    """Is a reassessment due? Any score recorded after the first day counts as one (the first day's
    scores are the intake's baseline)."""
    weeks = reassessment_weeks()
    later = [o.date for o in outcomes if o.date > span.start]
    due = schedule.reassessment_due(span.start, today, weeks, max(later, default=None))
    psfs = baselines(outcomes).get("psfs")
    goals = [str(a["activity"]) for a in (psfs.detail.get("activities", []) if psfs else [])]
    return ReassessmentStatus(
        due=due, upcoming=schedule.next_checkpoint(span.start, today, weeks), goals=goals
    )


def reassessment_for(
    user: AbstractBaseUser, today: dt.date
) -> tuple[ProgramSpan | None, ReassessmentStatus | None]:
    span = program_span(user)
    if span is None:
        return None, None
    return span, reassessment_status(span, outcome_rows(user), today)


# --- Pain over time -------------------------------------------------------------------------------


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
) -> dict[str, Any]:
    readings = pain_readings(sessions, mornings)
    band = nprs_band(baseline.score) if baseline is not None else None
    table = _pain_table(readings)
    if not readings:
        return {"svg": None, "table": table, "band": band}
    content = instruments.default_instruments().nprs
    description = _pain_description(readings, band)
    key_data = repr((readings, band, description)).encode()
    key = f"lumbar:pain-chart:{user.pk}:{hashlib.sha256(key_data).hexdigest()}"
    svg = cache.get(key)
    if svg is None:
        svg = pain_chart_svg(
            readings,
            scale_min=content.range.min,
            scale_max=content.range.max,
            band=band,
            title="Your back pain over time",
            description=description,
        )
        cache.set(key, svg, CHART_CACHE_SECONDS)
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


# --- Function scores -------------------------------------------------------------------------------


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


# --- Adherence -------------------------------------------------------------------------------------


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


# --- Views -----------------------------------------------------------------------------------------


@login_required
@patient_required
def progress_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    span = program_span(user)  # type: ignore[arg-type]
    if span is None:
        return redirect("onboarding-start")
    chart_since = today - dt.timedelta(weeks=CHART_WEEKS)
    sessions = session_days(user, min(span.start, chart_since), today)  # type: ignore[arg-type]
    mornings = morning_pain(user, chart_since, today)  # type: ignore[arg-type]
    outcomes = outcome_rows(user)  # type: ignore[arg-type]
    charted = [s for s in sessions if s.date >= chart_since]
    context = {
        "pain": pain_section(user, charted, mornings, baselines(outcomes).get("nprs")),  # type: ignore[arg-type]
        "scores": score_groups(outcomes),
        "adherence": adherence_section(span, [s for s in sessions if s.date >= span.start], today),
        "reassessment": reassessment_status(span, outcomes, today),
        "today": today,
    }
    return render(request, "care/progress.html", context)


SAVED = "Thank you: your answers are saved. See how they compare below."


@login_required
@patient_required
@require_http_methods(["GET", "POST"])
def reassess(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    span, status = reassessment_for(request.user, today)  # type: ignore[arg-type]
    if span is None or status is None:
        return redirect("onboarding-start")
    if status.due is None:
        if request.method == "POST":
            if outcome_services.reassessment_scores(request.user, on=today):  # type: ignore[arg-type]
                # The same answers sent twice (a double tap, a second tab): the first are kept.
                messages.success(request, SAVED)
            else:
                messages.info(request, "No check is due today, so nothing was saved.")
            return redirect("progress")
        return render(request, "care/reassess.html", {"status": status, "form": None})
    wording = outcome_services.licensed_wording()
    form = ReassessmentForm(request.POST or None, goals=status.goals, wording=wording)
    if request.method == "POST" and form.is_valid():
        try:
            outcome_services.record_reassessment(request.user, **form.answers(), today=today)  # type: ignore[arg-type]
        except (InvalidInput, ServiceError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, SAVED)
            return redirect("progress")
    return render(request, "care/reassess.html", {"status": status, "form": form, "wording": wording})
