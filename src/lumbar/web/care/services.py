"""Writes for the patient's side. Each function is one thing a person does; the domain decides.

Views call these and nothing else that writes. Every function takes the acting user and only ever
touches that user's rows, so a forged id in a URL can at most reach a 404 in the view.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from lumbar.domain import screening
from lumbar.domain.catalog import default_catalog
from lumbar.domain.errors import InvalidInput
from lumbar.domain.intake import RedFlags, parse_intake
from lumbar.web.care import selectors
from lumbar.web.care.models import (
    Alert,
    CheckIn,
    ExerciseLog,
    ExerciseSession,
    IntakeDraft,
    IntakeRecord,
    OutcomeScore,
    Profile,
    ProgramVersion,
    ScreeningEvent,
)

User = get_user_model()


class ServiceError(Exception):
    """A request that cannot be carried out as asked; the message is shown to the person."""


# --- Accounts ------------------------------------------------------------------------------------


def delete_account(user: AbstractBaseUser) -> None:
    """Delete the person and everything they recorded (cascades through every care table)."""
    with transaction.atomic():
        ExerciseSession.objects.filter(patient=user).delete()
        ProgramVersion.objects.filter(patient=user).delete()
        User.objects.filter(pk=user.pk).delete()


# --- Onboarding: the red-flag screen, then the intake ---------------------------------------------


def save_draft(user: AbstractBaseUser, answers: dict[str, Any], step: str) -> IntakeDraft:
    with transaction.atomic():
        IntakeDraft.objects.get_or_create(patient=user)
        # Lock the row so two tabs saving at once merge their answers instead of losing one.
        draft = IntakeDraft.objects.select_for_update().get(patient=user)
        draft.answers = {**draft.answers, **answers}
        draft.step = step
        draft.save(update_fields=["answers", "step", "updated_at"])
    return draft


class ScreenIncomplete(ServiceError):
    """A program was asked for before every warning-sign question was answered."""


class ScreenBlocks(ServiceError):
    """A warning sign told the person to get help: no program until a clinician has checked them."""


def answer_screen_question(user: AbstractBaseUser, key: str, yes: bool, *, number: int) -> IntakeDraft:
    """Keep one answer of the onboarding screen. Refused while a warning sign blocks: answering the
    questions again with 'no' must not undo the advice (only the clinician path does)."""
    with transaction.atomic():
        lock_person(user)
        if selectors.blocking_screening(user) is not None:
            raise ScreenBlocks("A warning sign needs a doctor first.")
        draft = selectors.draft(user)
        red_flags = dict((draft.answers if draft else {}).get("red_flags") or {})
        red_flags[key] = yes
        return save_draft(user, {"red_flags": red_flags}, step=f"screen-{number}")


def answer_cauda_equina_recheck(user: AbstractBaseUser, answers: dict[str, bool]) -> ScreeningEvent | None:
    """Keep the answers to the cauda equina questions asked again (see selectors.cauda_equina_recheck).
    A yes counts as a yes of the screen and is triaged at once, like a yes on the screen itself."""
    with transaction.atomic():
        lock_person(user)
        if selectors.blocking_screening(user) is not None:
            raise ScreenBlocks("A warning sign needs a doctor first.")
        draft = selectors.draft(user)
        saved = dict(draft.answers) if draft else {}
        wanted = {rule.key for rule in selectors.cauda_equina_recheck(saved)}
        given = {k: bool(v) for k, v in answers.items() if k in wanted}
        red_flags = dict(saved.get("red_flags") or {})
        for key, yes in given.items():
            red_flags[key] = bool(red_flags.get(key)) or yes
        save_draft(user, {"red_flags": red_flags, selectors.RECHECK_KEY: given}, step="cauda-equina")
        if any(given.values()):
            return record_red_flag_screen(user, red_flags, context=ScreeningEvent.ONBOARDING)
    return None


def record_red_flag_screen(
    user: AbstractBaseUser, red_flags: dict[str, bool], context: str
) -> ScreeningEvent:
    """Triage the warning-sign answers alone and keep the result, whatever the tier."""
    answers = RedFlags.model_validate({k: v for k, v in red_flags.items() if v})
    result = screening.triage_red_flags(answers)
    return ScreeningEvent.objects.create(
        patient=user,
        context=context,
        red_flags=answers.model_dump(exclude_defaults=True),
        tier=result.tier.value,
        flags=list(result.flags),
        advice=result.advice,
    )


def clear_blocking_screen(user: AbstractBaseUser) -> None:
    """The person says a clinician has checked them: earlier blocking screens stop blocking, and
    they answer the warning-sign questions again (a new screen can block again)."""
    with transaction.atomic():
        lock_person(user)
        Profile.objects.filter(user=user).update(screen_cleared_at=timezone.now())
        if IntakeDraft.objects.filter(patient=user).exists():
            save_draft(user, {"red_flags": {}, selectors.RECHECK_KEY: {}}, step="screen-1")


@dataclass(frozen=True)
class IntakeOutcome:
    screening: ScreeningEvent | None
    program: ProgramVersion | None

    @property
    def referred(self) -> bool:
        return self.program is None


def intake_from_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """The intake contract's keys of a draft (its own bookkeeping keys start with '_')."""
    return {k: v for k, v in answers.items() if not k.startswith("_") and v is not None}


def submit_intake(user: AbstractBaseUser, *, today: dt.date | None = None) -> IntakeOutcome:
    """Make the person's program from their saved answers: once, and only through the gate.

    The draft row is locked for the whole transaction (on SQLite the IMMEDIATE transaction holds the
    write lock), so concurrent or repeated submits make one intake record, one screening, one set of
    baseline scores and one program version; a submit that finds the draft already used answers with
    what the first one made. No program is made while a warning sign blocks, before every question
    of the screen was answered, or before the cauda equina questions asked again were answered.
    Raises InvalidInput for bad answers, ScreenBlocks and ScreenIncomplete for the gate."""
    from lumbar.domain import instruments
    from lumbar.domain.prescription import prescribe

    today = today or timezone.localdate()
    with transaction.atomic():
        lock_person(user)
        draft = IntakeDraft.objects.select_for_update().filter(patient=user).first()
        if draft is None:
            return _made_already(user)
        if selectors.blocking_screening(user) is not None:
            raise ScreenBlocks("A warning sign needs a doctor first.")
        answers = dict(draft.answers)
        if selectors.unanswered_screen_questions(answers) or selectors.recheck_unanswered(answers):
            raise ScreenIncomplete("Please answer every warning-sign question first.")
        intake = parse_intake(intake_from_answers(answers))
        catalog = default_catalog()
        program = prescribe(intake, catalog).to_json()
        record = IntakeRecord.objects.create(
            patient=user, data=intake.model_dump(mode="json", exclude_none=True)
        )
        triage = program["triage"]
        event = ScreeningEvent.objects.create(
            patient=user,
            context=ScreeningEvent.ONBOARDING,
            red_flags=intake.red_flags.model_dump(exclude_defaults=True),
            tier=triage["tier"],
            flags=triage["flags"],
            advice=triage["advice"],
        )
        for instrument, score, detail in instruments.baseline_outcomes(intake):
            OutcomeScore.objects.create(
                patient=user, date=today, instrument=instrument, score=score, detail=detail
            )
        draft.delete()
        if program["status"] == "refer":
            return IntakeOutcome(screening=event, program=None)
        version = _next_program_number(user)
        saved = ProgramVersion.objects.create(
            patient=user,
            number=version,
            source=ProgramVersion.INITIAL,
            program=program,
            changes=["Made from your answers."],
            intake=record,
        )
    return IntakeOutcome(screening=event, program=saved)


def _made_already(user: AbstractBaseUser) -> IntakeOutcome:
    """What an earlier submit made from the draft (it is deleted once used)."""
    event = ScreeningEvent.objects.filter(patient=user, context=ScreeningEvent.ONBOARDING).first()
    program = selectors.current_program(user)
    if event is None and program is None:
        raise ScreenIncomplete("Please answer the questions first.")
    return IntakeOutcome(screening=event, program=program)


def lock_person(user: AbstractBaseUser) -> None:
    """Serialise one person's create-once writes inside the caller's transaction: lock their profile
    row (PostgreSQL); on SQLite the IMMEDIATE transaction already holds the database's write lock."""
    list(Profile.objects.select_for_update().filter(user=user).values_list("pk", flat=True))


def _next_program_number(user: AbstractBaseUser) -> int:
    latest = (
        ProgramVersion.objects.filter(patient=user)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return (latest or 0) + 1


# --- Sessions -------------------------------------------------------------------------------------


class NoProgram(ServiceError):
    """Something that needs a program was asked for before the person has one."""


def start_session(user: AbstractBaseUser, *, today: dt.date | None = None) -> ExerciseSession:
    """Today's session of the current program (one per day; a second visit resumes it). Refused
    (ScreenBlocks) while a warning sign tells the person to get help first."""
    today = today or timezone.localdate()
    with transaction.atomic():
        lock_person(user)  # two taps on "start" make one session
        if selectors.blocking_screening(user) is not None:
            raise ScreenBlocks("A warning sign needs a doctor first.")
        program = selectors.current_program(user)
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
        leg_symptoms=leg_symptoms or ("none" if not selectors.has_leg_symptoms(session.program) else ""),
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
                alerts=[], new_program=None, triage=selectors.blocking_screening(user), repeated=True
            )
        # A changed answer is dated when it was given: an afternoon correction of a morning check-in
        # is no longer a morning reading (selectors.is_next_morning_reading).
        CheckIn.objects.update_or_create(
            patient=user,
            date=today,
            create_defaults=values,
            defaults={**values, "created_at": timezone.now()},
        )
        return run_review(user, today=today)


def record_outcome(
    user: AbstractBaseUser,
    instrument: str,
    score: float,
    detail: dict[str, Any],
    *,
    today: dt.date | None = None,
) -> OutcomeScore:
    return OutcomeScore.objects.create(
        patient=user, date=today or timezone.localdate(), instrument=instrument, score=score, detail=detail
    )


def mark_alerts_seen(user: AbstractBaseUser) -> int:
    return Alert.objects.filter(patient=user, seen_at__isnull=True).update(seen_at=timezone.now())


# --- The review after each session and check-in ----------------------------------------------------


def run_review(user: AbstractBaseUser, *, today: dt.date) -> ReviewOutcome:
    """Run the progression review on the person's recent history and apply what it decided.

    Progress, hold, regress and substitute make a new program version with the reasons; alerts are
    stored for the person and their therapist; a red flag at a check-in is stored as a screening.
    """
    from lumbar.domain.program_update import apply_review
    from lumbar.domain.progression import parse_history, review

    program = selectors.current_program(user)
    if program is None:
        return ReviewOutcome(alerts=[], new_program=None, triage=None)
    history = parse_history(selectors.history_json(user, program, today))
    result = review(history, default_catalog()).to_json()
    with transaction.atomic():
        lock_person(user)
        alerts = _store_alerts(user, result["alerts"], today)
        event = None
        if result.get("triage") and result["triage"]["tier"] != "routine":
            latest = selectors.latest_checkin(user)
            event = ScreeningEvent.objects.create(
                patient=user,
                context=ScreeningEvent.CHECKIN,
                red_flags=latest.red_flags if latest else {},
                tier=result["triage"]["tier"],
                flags=result["triage"]["flags"],
                advice=result["triage"]["advice"],
            )
        updated, changes = apply_review(program.program, result, default_catalog())
        new_program = None
        if changes:
            new_program = ProgramVersion.objects.create(
                patient=user,
                number=_next_program_number(user),
                source=ProgramVersion.REVIEW,
                program=updated,
                changes=changes,
                intake=program.intake,
            )
    names = {e["id"]: e["name"] for e in program.exercises}
    stops = [
        f"{names.get(d['id'], d['id'])}: {' '.join(d['reasons'])}"
        for d in result["decisions"]
        if d["action"] == "stop"
    ]
    return ReviewOutcome(alerts=alerts, new_program=new_program, triage=event, stops=stops)


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


# --- helpers -------------------------------------------------------------------------------------


def _own_session(user: AbstractBaseUser, session_id: int) -> ExerciseSession:
    session = ExerciseSession.objects.select_related("program").filter(patient=user, pk=session_id).first()
    if session is None:
        raise ServiceError("That session does not exist.")
    return session


def _pain(value: int, what: str) -> int:
    if not isinstance(value, int) or not 0 <= value <= 10:
        raise InvalidInput(f"{what} must be a whole number from 0 to 10")
    return value
