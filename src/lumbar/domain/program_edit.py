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

from collections.abc import Sequence
from dataclasses import dataclass

from lumbar.domain.catalog import Catalog
from lumbar.domain.intake import Intake
from lumbar.domain.prescription import exclusion, presentation_of
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
            p.note for p in exercise.precautions if p.action in ("caution", "modify") and p.when in person.precaution_keys
        ]
        checks.append(ExerciseCheck(exercise_id, refusal, tuple(cautions)))
    return checks
