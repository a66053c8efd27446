"""Reads for outcomes: the program's span, session days, morning pain, scores and reassessment due dates.

Nothing clinical is decided here: change verdicts come from lumbar.domain.instruments, minimal
important changes from content/instruments, the reassessment weeks from content/progression.toml.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from lumbar.domain import schedule
from lumbar.web.records.models import CheckIn, ExerciseSession, OutcomeScore, ProgramVersion
from lumbar.web.records.selectors import is_next_morning_reading


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
