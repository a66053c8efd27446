"""Writes for daily care: sessions, exercise logs, check-ins and the progression review they trigger.

Views call these and nothing else that writes. Every function takes the acting user and only ever
touches that user's rows, so a forged id in a URL can at most reach a 404 in the view.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from lumbar.domain.catalog import default_catalog
from lumbar.domain.errors import InvalidInput
from lumbar.domain.intake import RedFlags
from lumbar.web.care import selectors as care_selectors
from lumbar.web.onboarding.services import ScreenBlocks
from lumbar.web.records import selectors as records
from lumbar.web.records.models import (
    Alert,
    CheckIn,
    ExerciseLog,
    ExerciseSession,
    ProgramSuggestion,
    ProgramVersion,
    ScreeningEvent,
)
from lumbar.web.records.services import ServiceError, lock_person, next_version


class NoProgram(ServiceError):
    """Something that needs a program was asked for before the person has one."""


def start_session(user: AbstractBaseUser, *, today: dt.date | None = None) -> ExerciseSession:
    """Today's session of the current program (one per day; a second visit resumes it). Refused
    (ScreenBlocks) while a warning sign tells the person to get help first."""
    today = today or timezone.localdate()
    with transaction.atomic():
        lock_person(user)  # two taps on "start" make one session
        if records.blocking_screening(user) is not None:
            raise ScreenBlocks("A warning sign needs a doctor first.")
        program = records.current_program(user)
        if program is None:
            raise NoProgram("You don't have a program yet.")
        session = ExerciseSession.objects.filter(patient=user, date=today, program=program).first()
        if session is None:
            session = ExerciseSession.objects.create(patient=user, program=program, date=today)
    return session


def record_pain_before(user: AbstractBaseUser, session_id: int, pain: int) -> ExerciseSession:
    session = _own_session(user, session_id)
    session.pain_before = _pain(pain, "pain before the session")
    session.save(update_fields=["pain_before"])
    return session


def log_exercise(
    user: AbstractBaseUser,
    session_id: int,
    exercise_id: str,
    *,
    completed: bool,
    sets: int | None = None,
    reps: int | None = None,
    hold_seconds: int | None = None,
    pain_during: int | None = None,
    difficulty: str = "",
    leg_symptoms: str = "",
    skipped_reason: str = "",
) -> ExerciseLog:
    session = _own_session(user, session_id)
    planned = {e["id"]: i for i, e in enumerate(session.program.exercises)}
    if exercise_id not in planned:
        raise ServiceError("That exercise is not in today's session.")
    if difficulty not in ("", "easy", "right", "hard"):
        raise ServiceError("Difficulty must be easy, about right or hard.")
    if leg_symptoms not in ("", "none", "same", "centralised", "peripheralised"):
        raise ServiceError("Unknown answer about leg symptoms.")
    values = {
        "position": planned[exercise_id],
        "completed": completed,
        "sets": sets,
        "reps": reps,
        "hold_seconds": hold_seconds,
        "pain_during": None if pain_during is None else _pain(pain_during, "pain during the exercise"),
        "difficulty": difficulty,
        "leg_symptoms": leg_symptoms,
        "skipped_reason": skipped_reason[:200],
    }
    log, _ = ExerciseLog.objects.update_or_create(session=session, exercise_id=exercise_id, defaults=values)
    return log


def log_player_entry(
    user: AbstractBaseUser,
    session_id: int,
    exercise_id: str,
    *,
    skipped: bool,
    sets: int | None = None,
    reps: int | None = None,
    hold_seconds: int | None = None,
    pain_during: int | None = None,
    difficulty: str = "",
    leg_symptoms: str = "",
    skipped_reason: str = "",
) -> ExerciseLog:
    """Log one exercise of the session as the session player does: done as prescribed unless the
    person said otherwise (the prescribed sets, reps and hold fill what they left blank), nothing
    counted when skipped, and no leg symptoms when their program is not for leg symptoms."""
    session = _own_session(user, session_id)
    entry = next((e for e in session.program.exercises if e["id"] == exercise_id), None)
    if entry is None:
        raise ServiceError("That exercise is not in today's session.")
    return log_exercise(
        user,
        session_id,
        exercise_id,
        completed=not skipped,
        sets=None if skipped else sets or entry["sets"],
        reps=None if skipped else (reps if reps is not None else entry.get("reps")),
        hold_seconds=None if skipped else (hold_seconds or entry.get("hold_seconds")),
        pain_during=pain_during,
        difficulty=difficulty or "",
        leg_symptoms=leg_symptoms or ("none" if not records.has_leg_symptoms(session.program) else ""),
        skipped_reason=skipped_reason if skipped else "",
    )


@dataclass(frozen=True)
class ReviewOutcome:
    alerts: list[Alert]
    new_program: ProgramVersion | None
    triage: ScreeningEvent | None
    stops: list[str] = field(default_factory=list)
    # True when the request repeated one already carried out (a resent finish or check-in): nothing
    # was stored or reviewed again.
    repeated: bool = False


def finish_session(
    user: AbstractBaseUser, session_id: int, pain_after: int, *, today: dt.date | None = None
) -> ReviewOutcome:
    """Finish a session and run the review, once: a second submit (a double tap, a resent form, a
    concurrent request) finds the session finished and changes nothing."""
    pain_after = _pain(pain_after, "pain after the session")
    with transaction.atomic():
        lock_person(user)
        session = _own_session(user, session_id)
        if session.completed_at is not None:
            return ReviewOutcome(alerts=[], new_program=None, triage=None, repeated=True)
        session.pain_after = pain_after
        session.completed_at = timezone.now()
        session.save(update_fields=["pain_after", "completed_at"])
        return run_review(user, today=today or session.date)


def record_checkin(
    user: AbstractBaseUser, morning_pain: int, red_flags: dict[str, bool], *, today: dt.date | None = None
) -> ReviewOutcome:
    """One check-in a day. The same answers sent again (a double tap, a resent form, a concurrent
    request) change nothing and do not run the review twice; different answers replace the day's
    and are reviewed (a warning sign given on a second try must count)."""
    today = today or timezone.localdate()
    answers = RedFlags.model_validate({k: v for k, v in red_flags.items() if v})
    values = {
        "morning_pain": _pain(morning_pain, "morning pain"),
        "red_flags": answers.model_dump(exclude_defaults=True),
    }
    with transaction.atomic():
        lock_person(user)
        existing = CheckIn.objects.filter(patient=user, date=today).first()
        if existing is not None and {k: getattr(existing, k) for k in values} == values:
            # Nothing new to review; a warning sign the first one raised still stands.
            return ReviewOutcome(
                alerts=[], new_program=None, triage=records.blocking_screening(user), repeated=True
            )
        # A changed answer is dated when it was given: an afternoon correction of a morning check-in
        # is no longer a morning reading (records.is_next_morning_reading).
        CheckIn.objects.update_or_create(
            patient=user,
            date=today,
            create_defaults=values,
            defaults={**values, "created_at": timezone.now()},
        )
        return run_review(user, today=today)


def mark_alerts_seen(user: AbstractBaseUser) -> int:
    return Alert.objects.filter(patient=user, seen_at__isnull=True).update(seen_at=timezone.now())


def run_review(user: AbstractBaseUser, *, today: dt.date) -> ReviewOutcome:
    """Run the progression review on the person's recent history (with what the camera's form checks
    found) and apply what it decided.

    Progress, hold, regress and substitute make a new program version with the reasons; alerts are
    stored for the person and their therapist; a red flag at a check-in is stored as a screening.
    """
    from lumbar.domain.program_update import apply_review, hold_progressions
    from lumbar.domain.progression import parse_history, review

    program = records.current_program(user)
    if program is None:
        return ReviewOutcome(alerts=[], new_program=None, triage=None)
    data = records.history_json(user, program, today)
    data["form_findings"] = care_selectors.form_findings(user, today)
    history = parse_history(data)
    result = review(history, default_catalog()).to_json()
    with transaction.atomic():
        lock_person(user)
        alerts = _store_alerts(user, result["alerts"], today)
        event = None
        if result.get("triage") and result["triage"]["tier"] != "routine":
            latest = records.latest_checkin(user)
            event = ScreeningEvent.objects.create(
                patient=user,
                context=ScreeningEvent.CHECKIN,
                red_flags=latest.red_flags if latest else {},
                tier=result["triage"]["tier"],
                flags=result["triage"]["flags"],
                advice=result["triage"]["advice"],
            )
        applied = result
        if records.therapist_manages(user):
            applied, held = hold_progressions(result)
            _hold_for_therapist(user, program, held)
        updated, changes = apply_review(program.program, applied, default_catalog())
        new_program = None
        if changes:
            # The therapist's notes on exercises stay with them through the review's changes.
            new_program = next_version(
                program, source=ProgramVersion.REVIEW, program=updated, changes=changes
            )
    names = {e["id"]: e["name"] for e in program.exercises}
    stops = [
        f"{names.get(d['id'], d['id'])}: {' '.join(d['reasons'])}"
        for d in result["decisions"]
        if d["action"] == "stop"
    ]
    return ReviewOutcome(alerts=alerts, new_program=new_program, triage=event, stops=stops)


def _hold_for_therapist(user: AbstractBaseUser, program: ProgramVersion, held: dict[str, Any]) -> None:
    """Keep each held change as the open suggestion for its exercise (or the walk), replacing an
    older one, and tell the therapist once per new suggestion (a review alert)."""
    from lumbar.domain.program_update import held_changes

    for target, decision, words in held_changes(program.program, held, default_catalog()):
        suggestion = ProgramSuggestion.objects.filter(
            patient=user, target=target, status=ProgramSuggestion.OPEN
        ).first()
        if suggestion is not None:
            if suggestion.change != words or suggestion.program_id != program.pk:
                suggestion.program, suggestion.decision, suggestion.change = program, decision, words
                suggestion.save(update_fields=["program", "decision", "change", "updated_at"])
            continue
        ProgramSuggestion.objects.create(
            patient=user, program=program, target=target, decision=decision, change=words
        )
        Alert.objects.create(
            patient=user,
            kind="progression_suggested",
            severity="review",
            message=f"The review suggests a harder step for your therapist to approve: {words}",
        )


def _store_alerts(user: AbstractBaseUser, alerts: list[dict[str, Any]], today: dt.date) -> list[Alert]:
    """Store each alert once per day: reviews run after every session and check-in."""
    stored = []
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    for alert in alerts:
        exists = Alert.objects.filter(
            patient=user, kind=alert["kind"], message=alert["message"], created_at__gte=start
        ).exists()
        if not exists:
            stored.append(
                Alert.objects.create(
                    patient=user, kind=alert["kind"], severity=alert["severity"], message=alert["message"]
                )
            )
    return stored


def _own_session(user: AbstractBaseUser, session_id: int) -> ExerciseSession:
    session = ExerciseSession.objects.select_related("program").filter(patient=user, pk=session_id).first()
    if session is None:
        raise ServiceError("That session does not exist.")
    return session


def _pain(value: int, what: str) -> int:
    if not isinstance(value, int) or not 0 <= value <= 10:
        raise InvalidInput(f"{what} must be a whole number from 0 to 10")
    return value
