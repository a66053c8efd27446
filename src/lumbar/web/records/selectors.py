"""Reads of a patient's record that every part of the site shares. Every query is scoped to one person."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch
from django.utils import timezone

from lumbar.domain import screening
from lumbar.web.records.models import (
    Alert,
    CheckIn,
    ExerciseLog,
    ExerciseSession,
    FormCheck,
    OutcomeScore,
    Profile,
    ProgramVersion,
    ScreeningEvent,
)

# How far back the progression review looks. Its longest rule (no improvement after 4-6 weeks,
# reassessment at 12 weeks) needs outcomes across the whole program, which are few; sessions and
# check-ins are daily, so they are read for this window only to keep the work per review flat.
HISTORY_WINDOW_DAYS = 7 * 13

# The screening tiers that stop the program until a clinician has seen the person.
BLOCKING_TIERS = tuple(tier.value for tier in screening.Tier if tier.blocks_program)


def current_program(user: AbstractBaseUser) -> ProgramVersion | None:
    return ProgramVersion.objects.filter(patient=user).order_by("-number").first()


def program_history(user: AbstractBaseUser) -> list[ProgramVersion]:
    return list(ProgramVersion.objects.filter(patient=user).order_by("-number"))


def program_version(user: AbstractBaseUser, number: int) -> ProgramVersion | None:
    return ProgramVersion.objects.filter(patient=user, number=number).first()


def latest_screening(user: AbstractBaseUser) -> ScreeningEvent | None:
    return ScreeningEvent.objects.filter(patient=user).first()


def blocking_screening(user: AbstractBaseUser) -> ScreeningEvent | None:
    """The latest screening that told the person to see a doctor today or go to hospital, unless
    they have since said a clinician checked them. A later screen with no warning signs does not
    lift it: only the clinician path does (Profile.screen_cleared_at)."""
    blocking = ScreeningEvent.objects.filter(patient=user, tier__in=BLOCKING_TIERS)
    cleared = Profile.objects.filter(user=user).values_list("screen_cleared_at", flat=True).first()
    if cleared is not None:
        blocking = blocking.filter(created_at__gt=cleared)
    return blocking.first()


def has_leg_symptoms(program: ProgramVersion) -> bool:
    """Whether the intake the program was made from reported leg symptoms (the session asks about
    them, and the check-in asks their warning-sign questions)."""
    intake = program.intake.data if program.intake else {}
    return intake.get("leg_symptoms", "none") != "none"


def latest_checkin(user: AbstractBaseUser) -> CheckIn | None:
    return CheckIn.objects.filter(patient=user).first()


def checkin_on(user: AbstractBaseUser, day: dt.date) -> CheckIn | None:
    return CheckIn.objects.filter(patient=user, date=day).first()


def session_on(user: AbstractBaseUser, day: dt.date) -> ExerciseSession | None:
    return (
        ExerciseSession.objects.filter(patient=user, date=day)
        .select_related("program")
        .prefetch_related("logs")
        .order_by("-id")
        .first()
    )


def session(user: AbstractBaseUser, session_id: int) -> ExerciseSession | None:
    return (
        ExerciseSession.objects.filter(patient=user, pk=session_id)
        .select_related("program")
        .prefetch_related("logs")
        .first()
    )


def session_page(user: AbstractBaseUser, *, page: int, size: int) -> tuple[list[ExerciseSession], int]:
    """One page (from 1) of the person's sessions, newest first, and how many there are in all."""
    sessions = ExerciseSession.objects.filter(patient=user).order_by("-date", "-id")
    start = (page - 1) * size
    rows = list(sessions.select_related("program").prefetch_related("logs")[start : start + size])
    return rows, sessions.count()


def unseen_alerts(user: AbstractBaseUser) -> list[Alert]:
    return list(Alert.objects.filter(patient=user, seen_at__isnull=True)[:20])


def recent_alerts(user: AbstractBaseUser, limit: int = 20) -> list[Alert]:
    return list(Alert.objects.filter(patient=user)[:limit])


def checkin_hours() -> tuple[int, int]:
    """(opens, closes): the hours of the check-in window, from the settings."""
    return settings.LUMBAR_CHECKIN_OPENS_HOUR, settings.LUMBAR_CHECKIN_CLOSES_HOUR


def is_next_morning_reading(day: dt.date, created_at: dt.datetime) -> bool:
    """Whether a check-in's pain is a morning reading: not given on its own day at or after the
    closing hour (the afternoon or evening). A check-in recorded on a later day for an earlier one
    (an import, a back-filled record) keeps its date's meaning."""
    local = timezone.localtime(created_at)
    return not (local.date() == day and local.hour >= checkin_hours()[1])


def history_json(user: AbstractBaseUser, program: ProgramVersion, today: dt.date) -> dict[str, Any]:
    """The person's recent record in the progression contract's History shape."""
    since = today - dt.timedelta(days=HISTORY_WINDOW_DAYS)
    sessions = (
        ExerciseSession.objects.filter(
            patient=user, date__gte=since, date__lte=today, completed_at__isnull=False
        )
        .order_by("date", "id")
        .prefetch_related(Prefetch("logs", queryset=ExerciseLog.objects.order_by("position", "id")))
    )
    session_rows = []
    for s in sessions:
        row: dict[str, Any] = {
            "date": s.date.isoformat(),
            "exercises": [_log_json(log) for log in s.logs.all()],
        }
        if s.pain_before is not None:
            row["pain_before"] = s.pain_before
        if s.pain_after is not None:
            row["pain_after"] = s.pain_after
        session_rows.append(row)
    checkins = []
    # Warning signs a clinician has since checked (the person said so) no longer count against them.
    cleared = Profile.objects.filter(user=user).values_list("screen_cleared_at", flat=True).first()
    for c in CheckIn.objects.filter(patient=user, date__gte=since, date__lte=today).order_by("date", "id"):
        entry: dict[str, Any] = {"date": c.date.isoformat()}
        # A check-in given in the afternoon or evening is not a next-morning reading: its warning
        # signs count, its pain is left out of the morning-after and usual-pain rules.
        if is_next_morning_reading(c.date, c.created_at):
            entry["morning_pain"] = c.morning_pain
        if c.red_flags and (cleared is None or c.created_at > cleared):
            entry["red_flags"] = c.red_flags
        checkins.append(entry)
    outcomes = [
        {"date": o.date.isoformat(), "instrument": o.instrument, "score": o.score}
        for o in OutcomeScore.objects.filter(
            patient=user, date__lte=today, instrument__in=["nprs", "odi", "rmdq", "psfs"]
        )
    ]
    return {
        "program": program.program,
        "today": today.isoformat(),
        "sessions": session_rows,
        "checkins": checkins,
        "outcomes": outcomes,
    }


def _log_json(log: ExerciseLog) -> dict[str, Any]:
    row: dict[str, Any] = {"id": log.exercise_id, "completed": log.completed}
    for name in ("sets", "reps", "hold_seconds", "pain_during"):
        value = getattr(log, name)
        if value is not None:
            row[name] = value
    if log.difficulty:
        row["difficulty"] = log.difficulty
    if log.leg_symptoms:
        row["leg_symptoms"] = log.leg_symptoms
    return row


def outcomes(user: AbstractBaseUser) -> list[OutcomeScore]:
    return list(OutcomeScore.objects.filter(patient=user).order_by("date", "id"))


def sessions_between(user: AbstractBaseUser, start: dt.date, end: dt.date) -> list[ExerciseSession]:
    return list(
        ExerciseSession.objects.filter(patient=user, date__gte=start, date__lte=end).order_by("date", "id")
    )


def checkins_between(user: AbstractBaseUser, start: dt.date, end: dt.date) -> list[CheckIn]:
    return list(CheckIn.objects.filter(patient=user, date__gte=start, date__lte=end).order_by("date", "id"))


def therapist_manages(user: AbstractBaseUser) -> bool:
    """Is the program a therapist's? The person is linked to a therapist who has changed their
    program at least once; until then, and after the person unlinks, the review runs on its own."""
    return (
        Profile.objects.filter(user=user, therapist__isnull=False).exists()
        and ProgramVersion.objects.filter(patient=user, source=ProgramVersion.THERAPIST).exists()
    )


def form_check(user: AbstractBaseUser, check_id: int) -> FormCheck | None:
    """One of the person's own form checks (another's, or a forged id, is None)."""
    return FormCheck.objects.filter(patient=user, pk=check_id).select_related("session__program").first()


def form_checks(session: ExerciseSession, exercise_id: str | None = None) -> list[FormCheck]:
    """A session's finished form checks (all, or one exercise's), newest first, without keypoints."""
    query = FormCheck.objects.filter(session=session).exclude(status=FormCheck.RECORDING)
    if exercise_id is not None:
        query = query.filter(exercise_id=exercise_id)
    return list(query.defer("keypoints", "live_state"))


def recent_form_checks(user: AbstractBaseUser, limit: int = 10) -> list[FormCheck]:
    """The person's latest finished form checks, newest first, without keypoints."""
    query = FormCheck.objects.filter(patient=user).exclude(status=FormCheck.RECORDING)
    return list(query.select_related("session__program").defer("keypoints", "live_state")[:limit])


def latest_form_checks(patient_ids: list[int]) -> dict[int, FormCheck]:
    """Each patient's latest finished form check (one query for a page of the caseload)."""
    latest: dict[int, FormCheck] = {}
    query = (
        FormCheck.objects.filter(patient_id__in=patient_ids)
        .exclude(status=FormCheck.RECORDING)
        .defer("keypoints", "live_state")
        .order_by("patient_id", "-created_at", "-id")
    )
    for check in query.iterator():
        latest.setdefault(check.patient_id, check)
    return latest


def form_check_export_rows(user: AbstractBaseUser) -> Iterator[dict[str, Any]]:
    """The person's form checks for their data export: the verdicts and the keypoints (the float16
    array, zlib-compressed, base64), one check at a time."""
    query = (
        FormCheck.objects.filter(patient=user)
        .exclude(status=FormCheck.RECORDING)
        .select_related("session")
        .order_by("created_at", "id")
    )
    for check in query.iterator(chunk_size=20):
        yield {
            "id": check.pk,
            "created_at": check.created_at.isoformat(),
            "session_date": check.session.date.isoformat() if check.session_id else None,
            "exercise_id": check.exercise_id,
            "mode": check.mode,
            "status": check.status,
            "result": check.result,
            "error": check.error,
            "fps": check.fps,
            "frame_count": check.frame_count,
            "keypoints_float16_zlib_base64": base64.b64encode(bytes(check.keypoints)).decode("ascii")
            if check.keypoints
            else None,
        }
