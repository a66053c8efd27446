"""The dose ladder: how an exercise is made harder or easier, one variable at a time.

Up: repetitions, then hold time, then sets (in the order content/progression.toml gives), each by
its step and never past the exercise's `max_dose`; once everything is at the maximum, the
exercise's progression variant at that variant's starting dose. Down: the same variables in
reverse, back to the starting dose; from the starting dose, the regression variant at its
`max_dose`. An exercise without a usable easier variant may go below its starting dose, down to a
floor (a fraction of the starting dose, at least one set).

A variant is usable only when it fits what the person's program shows about them: it needs no
equipment the program does not already use (beyond the things every home has), no floor work when
nothing in the program is done on the floor, it is not already in the program (nor brought in by
another decision of the same review), it does not move the back against the person's directional
preference nor is left out by another of the planner's modifiers for the person (prescription.toml),
and it carries no "avoid" precaution for the person's conditions: when the program records the
person's precaution keys, none of those; when it does not, none that the current exercise does not
have (a new exclusion is then left to the physiotherapist).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any, Literal

from lumbar.domain.catalog import ASSUMED_EQUIPMENT, Catalog, Exercise
from lumbar.domain.history import ExerciseLog, ProgramExercise
from lumbar.domain.prescription_rules import PrescriptionRules
from lumbar.domain.progression_rules import Ladder, LadderVariable

Change = Literal["reps", "hold_seconds", "sets", "variant"]


@dataclass(frozen=True)
class Dose:
    """An exercise at an amount: the `dose` object of the progress contract."""

    id: str
    sets: int
    reps: int | None
    hold_seconds: int | None

    @classmethod
    def of(cls, exercise: ProgramExercise) -> Dose:
        return cls(exercise.id, exercise.sets, exercise.reps, exercise.hold_seconds)

    @classmethod
    def start_of(cls, exercise: Exercise) -> Dose:
        return cls(exercise.id, exercise.dose.sets, exercise.dose.reps, exercise.dose.hold_seconds)

    @classmethod
    def max_of(cls, exercise: Exercise) -> Dose:
        return cls(
            exercise.id, exercise.max_dose.sets, exercise.max_dose.reps, exercise.max_dose.hold_seconds
        )

    def get(self, variable: LadderVariable) -> int | None:
        value: int | None = getattr(self, variable)
        return value

    def with_value(self, variable: LadderVariable, value: int | None) -> Dose:
        if variable == "sets":
            return replace(self, sets=value if value is not None else self.sets)
        if variable == "reps":
            return replace(self, reps=value)
        return replace(self, hold_seconds=value)

    def rank(self) -> tuple[int, int, int]:
        """Position on one exercise's ladder: sets are the top rung, then hold time, then reps."""
        return (self.sets, self.hold_seconds or 0, self.reps or 0)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "sets": self.sets, "reps": self.reps, "hold_seconds": self.hold_seconds}


@dataclass(frozen=True)
class Step:
    dose: Dose
    change: Change


def logged_dose(log: ExerciseLog, current: Dose) -> Dose:
    """What a log says was done; amounts left out are taken to be the current dose."""
    return Dose(
        log.id,
        log.sets if log.sets is not None else current.sets,
        log.reps if log.reps is not None else current.reps,
        log.hold_seconds if log.hold_seconds is not None else current.hold_seconds,
    )


def missing_amounts(log: ExerciseLog, current: Dose) -> list[LadderVariable]:
    """The amounts the dose prescribes that the log does not record."""
    missing: list[LadderVariable] = []
    if log.sets is None:
        missing.append("sets")
    if current.reps is not None and log.reps is None:
        missing.append("reps")
    if current.hold_seconds is not None and log.hold_seconds is None:
        missing.append("hold_seconds")
    return missing


def covers(log: ExerciseLog, current: Dose) -> bool:
    """Did the log record at least every amount of the current dose? Unrecorded amounts do not count."""
    if missing_amounts(log, current):
        return False
    assert log.sets is not None
    if log.sets < current.sets:
        return False
    if current.reps is not None and (log.reps or 0) < current.reps:
        return False
    return not (current.hold_seconds is not None and (log.hold_seconds or 0) < current.hold_seconds)


def is_harder_variant(candidate: str, than: str, catalog: Catalog) -> bool:
    """Is `candidate` further up the progression chain of `than` (or `than` down its regressions)?"""
    return _reaches(than, candidate, "progression", catalog) or _reaches(
        candidate, than, "regression", catalog
    )


def _reaches(start: str, target: str, link: str, catalog: Catalog) -> bool:
    seen: set[str] = set()
    current = catalog.exercises.get(start)
    while current is not None and current.id not in seen:
        seen.add(current.id)
        following = getattr(current, link)
        if following == target:
            return True
        current = catalog.exercises.get(following) if following else None
    return False


@dataclass(frozen=True)
class Setting:
    """What the program shows about the person's setting, for judging whether a variant fits.

    `in_program` also holds the exercises other decisions of the same review are bringing in, so
    that a program never holds the same exercise twice. `person_keys` are the person's precaution
    keys when the program records them (None: not known, then a variant may add no "avoid"
    precaution at all). The `excluded_*` sets are what the planner leaves out for this person
    (prescription.toml): the biases against the directional preference and the exclusions of the
    modifiers of the person's keys.
    """

    in_program: frozenset[str]
    equipment: frozenset[str]
    floor_ok: bool
    person_keys: frozenset[str] | None = None
    excluded_biases: frozenset[str] = frozenset()
    excluded_positions: frozenset[str] = frozenset()
    excluded_categories: frozenset[str] = frozenset()
    excluded_ids: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        program_ids: Collection[str],
        catalog: Catalog,
        *,
        person_keys: Collection[str] | None = None,
        preference: str | None = None,
        planner: PrescriptionRules | None = None,
    ) -> Setting:
        exercises = [catalog.exercises[i] for i in program_ids if i in catalog.exercises]
        used = {item for ex in exercises for item in ex.equipment}
        keys = frozenset(person_keys or ())
        biases: set[str] = set()
        positions: set[str] = set()
        categories: set[str] = set()
        ids: set[str] = set()
        if planner is not None:
            if preference in ("extension", "flexion"):
                biases.update(getattr(planner.directional_preference, preference).excluded_biases)
            for modifier in planner.modifiers:
                if modifier.when in keys:
                    biases.update(modifier.exclude_biases)
                    positions.update(modifier.exclude_positions)
                    categories.update(modifier.exclude_categories)
                    ids.update(modifier.exclude_exercises)
        return cls(
            in_program=frozenset(program_ids),
            equipment=frozenset(used) | ASSUMED_EQUIPMENT,
            # A program without any floor exercise may belong to someone who cannot get down.
            floor_ok=any(ex.needs_floor for ex in exercises) or not exercises,
            person_keys=None if person_keys is None else keys,
            excluded_biases=frozenset(biases),
            excluded_positions=frozenset(positions),
            excluded_categories=frozenset(categories),
            excluded_ids=frozenset(ids),
        )

    def taking(self, exercise_ids: Collection[str]) -> Setting:
        """The same setting with these exercises taken (brought in by another decision)."""
        return replace(self, in_program=self.in_program | frozenset(exercise_ids))

    def fits(self, exercise: Exercise, instead_of: Exercise) -> bool:
        """May a review bring this exercise in, in place of `instead_of`?"""
        return (
            exercise.id not in self.in_program
            and set(exercise.equipment) <= self.equipment
            and (self.floor_ok or not exercise.needs_floor)
            and self.allowed(exercise)
            and self.safe(exercise, instead_of)
        )

    def allowed(self, exercise: Exercise) -> bool:
        """Not left out by the planner for this person (directional preference, modifiers)."""
        return not (
            exercise.direction_bias in self.excluded_biases
            or exercise.position in self.excluded_positions
            or exercise.category in self.excluded_categories
            or exercise.id in self.excluded_ids
        )

    def safe(self, exercise: Exercise, instead_of: Exercise | None = None) -> bool:
        """No "avoid" precaution that applies: one of the person's keys when they are known, else
        any the exercise it replaces does not have (any at all, without one)."""
        if self.person_keys is not None:
            return not (_avoid_keys(exercise) & self.person_keys)
        before = _avoid_keys(instead_of) if instead_of is not None else frozenset()
        return not (_avoid_keys(exercise) - before)


def _avoid_keys(exercise: Exercise) -> frozenset[str]:
    return frozenset(p.when for p in exercise.precautions if p.action == "avoid")


def step_up(
    current: Dose,
    catalog: Catalog,
    ladder: Ladder,
    setting: Setting,
    *,
    kept: Collection[LadderVariable] = (),
) -> Step | None:
    """One rung up, or None at the top (maximum dose and no usable harder variant). Variables in
    `kept` are not raised (e.g. holds at the end of the range for very flexible joints)."""
    exercise = catalog.exercise(current.id)
    top = Dose.max_of(exercise)
    for variable in ladder.order:
        if variable in kept:
            continue
        value, ceiling = current.get(variable), top.get(variable)
        if ceiling is None:
            continue
        if variable == "reps" and value is None:
            continue  # a timed hold does not turn into repetitions
        if (value or 0) < ceiling:
            return Step(
                current.with_value(variable, min((value or 0) + ladder.step(variable), ceiling)), variable
            )
    harder = catalog.harder(exercise)
    if harder is not None and setting.fits(harder, exercise):
        return Step(Dose.start_of(harder), "variant")
    return None


def step_down(current: Dose, catalog: Catalog, ladder: Ladder, setting: Setting) -> Step | None:
    """One rung down, or None when nothing easier is left."""
    exercise = catalog.exercise(current.id)
    start = Dose.start_of(exercise)
    for variable in reversed(ladder.order):
        value, base = current.get(variable), start.get(variable)
        if value is not None and value > (base or 0):
            lowered: int | None = value - ladder.step(variable)
            if lowered is None or lowered <= (base or 0):
                lowered = base
            return Step(current.with_value(variable, lowered), variable)
    easier = catalog.easier(exercise)
    if easier is not None and setting.fits(easier, exercise):
        return Step(Dose.max_of(easier), "variant")
    return _below_start(current, start, ladder)


def _below_start(current: Dose, start: Dose, ladder: Ladder) -> Step | None:
    for variable in reversed(ladder.order):
        value, base = current.get(variable), start.get(variable)
        if value is None or base is None:
            continue
        floor = 1 if variable == "sets" else max(1, math.ceil(base * ladder.floor_fraction_of_starting_dose))
        if value > floor:
            return Step(current.with_value(variable, max(value - ladder.step(variable), floor)), variable)
    return None
