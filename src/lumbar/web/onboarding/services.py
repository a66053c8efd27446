"""Writes for onboarding: the red-flag screen, the intake draft, and the first program.

Each function is one thing a person does; the domain decides. Every function takes the acting user
and only ever touches that user's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from lumbar.domain import screening
from lumbar.domain.catalog import default_catalog
from lumbar.domain.intake import RedFlags, parse_intake
from lumbar.web.onboarding import selectors
from lumbar.web.records import selectors as records
from lumbar.web.records.models import (
    IntakeDraft,
    IntakeRecord,
    OutcomeScore,
    Profile,
    ProgramVersion,
    ScreeningEvent,
)
from lumbar.web.records.services import ServiceError, lock_person, next_program_number


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
        if records.blocking_screening(user) is not None:
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
        if records.blocking_screening(user) is not None:
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
        if records.blocking_screening(user) is not None:
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
        version = next_program_number(user)
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
    program = records.current_program(user)
    if event is None and program is None:
        raise ScreenIncomplete("Please answer the questions first.")
    return IntakeOutcome(screening=event, program=program)
