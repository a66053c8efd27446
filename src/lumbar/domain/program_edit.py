"""The engine's checks on a program a therapist edits by hand.

A therapist may add, swap, reorder and re-dose exercises, but the planner's safety rules still
apply to each exercise they choose, for this person (from their intake):

- refused unless overridden with a reason: an "avoid" precaution of the person's (e.g. osteoporosis
  and loaded flexion), equipment they said they lack, floor work for someone who cannot get down,
  the direction opposite to their directional preference, and the population modifiers
  (`prescription.exclusion` with the phase and level ceiling relaxed);
- cautions, shown but not blocking: outside the exercises' phases or above the starting level the
  planner would choose (a therapist's clinical judgement), and the exercise's own "caution" notes.

The rules are the planner's (content/prescription.toml); nothing is decided here that the planner
does not decide.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from lumbar.domain.catalog import Catalog, Dose, Exercise
from lumbar.domain.errors import InvalidInput, describe_validation_error
from lumbar.domain.intake import Intake
from lumbar.domain.library import describe_dose
from lumbar.domain.prescription import exclusion, exercise_seconds, presentation_of
from lumbar.domain.prescription_rules import PrescriptionRules, default_rules


@dataclass(frozen=True)
class ExerciseCheck:
    exercise_id: str
    refusal: str | None  # why the planner would never give it to this person; None when allowed
    cautions: tuple[str, ...]

    @property
    def needs_override(self) -> bool:
        return self.refusal is not None


def check_exercises(
    intake: Intake, exercise_ids: Sequence[str], catalog: Catalog, *, rules: PrescriptionRules | None = None
) -> list[ExerciseCheck]:
    """Each exercise of an edited program checked against the person's intake. Raises KeyError for
    an id that is not in the library (the catalog's error names it)."""
    rules = rules or default_rules()
    person = presentation_of(intake, rules)
    checks = []
    for exercise_id in exercise_ids:
        exercise = catalog.exercise(exercise_id)
        refusal = exclusion(exercise, person, rules, relaxed=True)
        cautions: list[str] = []
        if refusal is None and (strict := exclusion(exercise, person, rules)) is not None:
            cautions.append(strict)
        cautions += [
            p.note
            for p in exercise.precautions
            if p.action in ("caution", "modify") and p.when in person.precaution_keys
        ]
        checks.append(ExerciseCheck(exercise_id, refusal, tuple(cautions)))
    return checks


# --- Applying a therapist's edits -------------------------------------------------------------------

# The program format's own limit (contracts/program.schema.json, exercises maxItems); the planner
# itself gives at most `[program] max_exercises` (content/prescription.toml).
FORMAT_MAX_EXERCISES = 8
MAX_DAYS_PER_WEEK = 7  # the program prescribes exercise days (lumbar.domain.schedule)
THERAPIST_REASON = "Chosen for you by your therapist."


@dataclass(frozen=True)
class EditedExercise:
    """One line of the edited program, in the therapist's order."""

    id: str
    sets: int
    reps: int | None
    hold_seconds: int | None
    sessions_per_week: int


@dataclass(frozen=True)
class DoseCheck:
    exercise_id: str
    refusal: str | None  # above the library's most for this exercise: needs an override


def dose_checks(edits: Sequence[EditedExercise], catalog: Catalog) -> list[DoseCheck]:
    """Is each dose within the library's `max_dose` for the exercise? Beyond it needs an override."""
    checks = []
    for edit in edits:
        top = catalog.exercise(edit.id).max_dose
        over = [
            f"{what} {given} is above the most the library gives ({most})"
            for what, given, most in (
                ("sets", edit.sets, top.sets),
                ("reps", edit.reps, top.reps),
                ("hold", edit.hold_seconds, top.hold_seconds),
            )
            if given is not None and most is not None and given > most
        ]
        checks.append(DoseCheck(edit.id, "; ".join(over) or None))
    return checks


def apply_edits(
    program: dict[str, Any],
    edits: Sequence[EditedExercise],
    catalog: Catalog,
    *,
    rules: PrescriptionRules | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The program with the therapist's exercise list, and one plain sentence per change for the
    patient ("Added Bird-dog: 2 x 8 each side", "Removed Curl-up"). Raises InvalidInput for an edit
    the program format cannot hold (no exercise, too many, one twice, a dose without an amount);
    whether an exercise suits this person is `check_exercises`' and `dose_checks`' to say."""
    rules = rules or default_rules()
    _check_shape(edits, catalog)
    before = {entry["id"]: entry for entry in program.get("exercises", [])}
    keys = set(program.get("precaution_keys", []))
    entries = []
    changes: list[str] = []
    for edit in edits:
        exercise = catalog.exercise(edit.id)
        old = before.get(edit.id)
        entry = dict(old) if old is not None else _new_entry(exercise, keys)
        entry.update(
            sets=edit.sets,
            reps=edit.reps,
            hold_seconds=edit.hold_seconds,
            sessions_per_week=edit.sessions_per_week,
        )
        seconds = exercise_seconds(exercise, edit.sets, edit.reps, edit.hold_seconds, rules)
        entry["estimated_minutes"] = round(seconds / 60, 1)
        entries.append(entry)
        dose = _dose_words(entry, exercise)
        if old is None:
            changes.append(f"Added {exercise.name}: {dose}, {_days(edit.sessions_per_week)}.")
        elif _dose_words(old, exercise) != dose:
            changes.append(f"{exercise.name}: {dose} now (was {_dose_words(old, exercise)}).")
        elif old.get("sessions_per_week") != edit.sessions_per_week:
            changes.append(
                f"{exercise.name}: {_days(edit.sessions_per_week)} now (was {_days(old['sessions_per_week'])})."
            )
    kept = {edit.id for edit in edits}
    changes += [
        f"Removed {entry['name']}." for exercise_id, entry in before.items() if exercise_id not in kept
    ]
    same_ids = [e for e in before if e in kept]
    if same_ids != [edit.id for edit in edits if edit.id in before]:
        changes.append("The exercises are in a new order.")
    updated = copy.deepcopy(program)
    updated["exercises"] = entries
    updated["estimated_minutes"] = round(sum(e["estimated_minutes"] for e in entries), 1)
    walking = updated.get("walking") or {}
    walk = walking.get("minutes_per_bout", 0) if walking.get("in_session") else 0
    updated["session_minutes"] = round(updated["estimated_minutes"] + walk, 1)
    if changes:
        updated["content_version"] = catalog.version
    return updated, changes


def _check_shape(edits: Sequence[EditedExercise], catalog: Catalog) -> None:
    if not edits:
        raise InvalidInput("a program needs at least one exercise")
    if len(edits) > FORMAT_MAX_EXERCISES:
        raise InvalidInput(f"a program holds at most {FORMAT_MAX_EXERCISES} exercises")
    seen: set[str] = set()
    for edit in edits:
        exercise = catalog.exercise(edit.id)
        if edit.id in seen:
            raise InvalidInput(f"{exercise.name} is in the program twice")
        seen.add(edit.id)
        if exercise.category == "aerobic":
            raise InvalidInput(f"{exercise.name} is planned as the walk, not in the exercise list")
        if edit.reps is None and edit.hold_seconds is None:
            raise InvalidInput(f"{exercise.name}: give reps, a hold time or both")
        try:
            Dose(sets=edit.sets, reps=edit.reps, hold_seconds=edit.hold_seconds)
        except ValidationError as exc:
            raise InvalidInput(f"{exercise.name}: {describe_validation_error(exc, 'dose')}") from None
        if not 1 <= edit.sessions_per_week <= MAX_DAYS_PER_WEEK:
            raise InvalidInput(f"{exercise.name}: days a week must be from 1 to {MAX_DAYS_PER_WEEK}")


def _new_entry(exercise: Exercise, keys: set[str]) -> dict[str, Any]:
    notes = [p for p in exercise.precautions if p.action != "avoid" and p.when in keys]
    return {
        "id": exercise.id,
        "name": exercise.name,
        "per_side": exercise.timing.per_side,
        "times_per_day": None,
        "reasons": [THERAPIST_REASON],
        "evidence": list(exercise.evidence),
        "cautions": [p.note for p in notes],
        "caution_keys": [p.when for p in notes],
    }


def _dose_words(entry: dict[str, Any], exercise: Exercise) -> str:
    dose = Dose(sets=entry["sets"], reps=entry.get("reps"), hold_seconds=entry.get("hold_seconds"))
    return describe_dose(dose, exercise.timing)


def _days(per_week: int) -> str:
    return (
        "every day"
        if per_week == MAX_DAYS_PER_WEEK
        else f"{per_week} day{'s' if per_week != 1 else ''} a week"
    )
