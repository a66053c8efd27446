"""The program generator's rule set: strict models of content/prescription.toml.

Every parameter of `lumbar.domain.prescription` (phase boundaries, slots, start-easier policy,
walking build-up, movement breaks, education, stop rules, review) is data with its citations, so a
clinician can change a rule without touching code. A typo in the file is an error naming the key.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from lumbar.domain.bundled import bundled
from lumbar.domain.catalog import (
    CONTENT_DIR,
    PRECAUTION_KEYS,
    Category,
    ContentError,
    DirectionBias,
    Phase,
    Position,
)
from lumbar.domain.errors import describe_validation_error

RULES_FILE = "prescription.toml"

# Facts about a person that rules may test; `lumbar.domain.prescription` computes them.
Fact = Literal[
    "everyone",
    "acute",
    "subacute",
    "chronic",
    "not_acute",
    "leg_symptoms",
    "leg_symptoms_below_knee",
    "preference_known",
    "no_preference_known",
    "low_irritability",
    "high_pain",
    "low_fitness",
    "desk_worker",
    "high_risk",
    "walking_plan",
    "short_program",
    "lifting_or_bending_hurts",
    "lying_hurts",
    "flexion_eases_leg_pain",
    "see_doctor_soon",
    "suspected_fracture",
    "pregnant",
    "postnatal",
    "pregnant_or_postnatal",
    "after_spine_surgery",
    "early_after_spine_surgery",
    "needs_balance",
    "hypermobility",
    "fragile_bones",
    "fit_for_more",
    "lifting_goal",
    "running_goal",
    "sport_goal",
    "pool",
]
Bothersomeness = Literal["not_at_all", "slightly", "moderately", "very_much", "extremely"]
Fitness = Literal["low", "moderate", "high"]
Occupation = Literal["desk", "manual", "mixed", "not_working"]
SlotBias = DirectionBias | Literal["preferred"]

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Evidence = Annotated[list[Id], Field(min_length=1)]
When = Annotated[list[Fact], Field(min_length=1)]


class _Strict(BaseModel):
    # Built on first validation, not at import: a snapshot of validated content needs no schema.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


def _check_template(text: str, allowed: Iterable[str], where: str) -> None:
    """Templates may only use the placeholders the generator fills in."""
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    unknown = names - set(allowed)
    if unknown:
        raise ValueError(f"{where}: unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(allowed)}")


class Phases(_Strict):
    subacute_from_weeks: float = Field(gt=0)
    chronic_after_weeks: float = Field(gt=0)
    evidence: Evidence

    @model_validator(mode="after")
    def _ordered(self) -> Phases:
        if self.chronic_after_weeks < self.subacute_from_weeks:
            raise ValueError("chronic_after_weeks must not be below subacute_from_weeks")
        return self


FlagId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$")]


class SeeDoctorSoon(_Strict):
    max_exercises: int = Field(ge=1, le=6)
    max_level: int = Field(ge=1, le=5)
    walking_weekly_increase_minutes: float = Field(ge=0)
    evidence: Evidence
    # Flags whose "see a doctor soon" does not call for gentleness meanwhile: when these are the
    # only ones, the program is the full, progressing one.
    full_program_when_only: list[FlagId] = Field(default_factory=list)
    full_program_evidence: list[Id] = Field(default_factory=list)


class DerivedPrecaution(_Strict):
    """A precaution key that other answers stand for (e.g. a fracture sign for osteoporosis)."""

    key: str
    from_keys: list[str] = Field(default_factory=list)
    from_flags: list[FlagId] = Field(default_factory=list)
    evidence: Evidence

    @model_validator(mode="after")
    def _known_keys(self) -> DerivedPrecaution:
        unknown = [k for k in (self.key, *self.from_keys) if k not in PRECAUTION_KEYS]
        if unknown:
            raise ValueError(f"unknown precaution key {unknown[0]!r}")
        if not self.from_keys and not self.from_flags:
            raise ValueError("give from_keys or from_flags")
        return self


class LittleAndOften(_Strict):
    """Acute, with a known easing direction: repeated little and often through the day."""

    phases: list[Phase] = Field(min_length=1)
    slots: list[Id] = Field(min_length=1)
    sets: int = Field(ge=1, le=5)
    reps: int = Field(ge=1, le=30)
    times_per_day: int = Field(ge=1, le=12)
    reason: Text
    evidence: Evidence

    @model_validator(mode="after")
    def _template(self) -> LittleAndOften:
        _check_template(self.reason, ("times",), "little_and_often reason")
        return self


class TriageRules(_Strict):
    refer_topics: list[Id]
    evidence: Evidence
    see_doctor_soon: SeeDoctorSoon


class ProgramSize(_Strict):
    min_exercises: int = Field(ge=1, le=8)
    max_exercises: int = Field(ge=1, le=8)
    slot_excluded_categories: list[Category]
    one_per_progression_chain: bool
    evidence: Evidence
    # Equipment that, when the person has it, makes an exercise using it the first choice of a slot.
    prefer_equipment: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> ProgramSize:
        if self.max_exercises < self.min_exercises:
            raise ValueError("max_exercises must not be below min_exercises")
        return self


class LevelBand(_Strict):
    target: int = Field(ge=1, le=5)
    max: int = Field(ge=1, le=5)


class Levels(_Strict):
    acute: LevelBand
    subacute: LevelBand
    chronic: LevelBand

    def for_phase(self, phase: Phase) -> LevelBand:
        band: LevelBand = getattr(self, phase)
        return band


class StartEasier(_Strict):
    low_fitness: list[Fitness]
    high_pain_bothersomeness: list[Bothersomeness]
    high_pain_worst_24h_at_least: int = Field(ge=0, le=11, description="11 = never from the pain score")
    regression_steps: int = Field(ge=0, le=3)
    evidence: Evidence


class Direction(_Strict):
    movement: Text
    excluded_biases: list[DirectionBias]


class DirectionalPreference(_Strict):
    evidence: Evidence
    extension: Direction
    flexion: Direction
    little_and_often: LittleAndOften | None = None


REASON_PLACEHOLDERS = ("movement", "symptom")


class PhaseCounts(_Strict):
    acute: int = Field(default=0, ge=0, le=6)
    subacute: int = Field(default=0, ge=0, le=6)
    chronic: int = Field(default=0, ge=0, le=6)

    def for_phase(self, phase: Phase) -> int:
        count: int = getattr(self, phase)
        return count


class PhaseLevels(_Strict):
    acute: int | None = Field(default=None, ge=1, le=5)
    subacute: int | None = Field(default=None, ge=1, le=5)
    chronic: int | None = Field(default=None, ge=1, le=5)

    def for_phase(self, phase: Phase) -> int | None:
        level: int | None = getattr(self, phase)
        return level


class Slot(_Strict):
    id: Id
    label: Text
    when: When
    # Any one of these facts also opens the slot (e.g. over 65 with low fitness, or falls).
    when_any: list[Fact] = Field(default_factory=list)
    # Only these exercises may fill the slot (e.g. pelvic-floor work); empty = any that fits.
    exercises: list[Id] = Field(default_factory=list)
    # The listed exercises fill this slot and no other, nor the top-up or the movement breaks: the
    # pelvic-floor squeeze is for pregnancy and after birth, not a generic trunk exercise.
    reserved: bool = False
    count: PhaseCounts
    priority: int = Field(ge=1)
    target_level: PhaseLevels = Field(default_factory=PhaseLevels, description="overrides [levels]")
    categories: list[Category] = Field(min_length=1)
    biases: list[SlotBias] = Field(min_length=1)
    reason: Text
    evidence: Evidence

    @model_validator(mode="after")
    def _template(self) -> Slot:
        _check_template(self.reason, REASON_PLACEHOLDERS, f"slot {self.id} reason")
        if self.reserved and not self.exercises:
            raise ValueError(f"slot {self.id}: a reserved slot names its exercises")
        return self


class Fallback(_Strict):
    label: Text
    reason: Text
    evidence: Evidence


class Frequency(_Strict):
    when: When
    categories: list[Category] = Field(min_length=1)
    max_sessions_per_week: int = Field(ge=1, le=21)
    reason: Text
    evidence: Evidence

    @model_validator(mode="after")
    def _template(self) -> Frequency:
        _check_template(self.reason, ("sessions",), "frequency reason")
        return self


class Modifier(_Strict):
    when: str
    prefer_biases: list[DirectionBias] = Field(default_factory=list)
    prefer_positions: list[Position] = Field(default_factory=list)
    exclude_biases: list[DirectionBias] = Field(default_factory=list)
    exclude_positions: list[Position] = Field(default_factory=list)
    exclude_categories: list[Category] = Field(default_factory=list)
    exclude_exercises: list[Id] = Field(default_factory=list)
    reason: Text
    evidence: Evidence

    @model_validator(mode="after")
    def _known_key(self) -> Modifier:
        if self.when not in PRECAUTION_KEYS:
            raise ValueError(f"unknown key {self.when!r}; known keys: {', '.join(sorted(PRECAUTION_KEYS))}")
        return self


class Note(_Strict):
    when: When
    text: Text
    evidence: Evidence


class WalkingAlternative(_Strict):
    """Another aerobic exercise offered in place of some walks (e.g. swimming with a pool)."""

    exercise_id: Id
    when: When
    text: Text
    evidence: Evidence


class RunWalk(_Strict):
    """Running comes back as walk-run intervals once walking has reached its target."""

    when: When
    run_minutes: float = Field(gt=0)
    walk_minutes: float = Field(gt=0)
    repeats: int = Field(ge=1, le=20)
    weekly_increase_run_minutes: float = Field(ge=0)
    text: Text
    evidence: Evidence


class Walking(_Strict):
    exercise_id: Id
    start_minutes: float = Field(gt=0)
    start_minutes_easier: float = Field(gt=0)
    bouts_per_day: int = Field(ge=1)
    bouts_per_day_easier: int = Field(ge=1)
    weekly_increase_minutes: float = Field(ge=0)
    weekly_increase_minutes_easier: float = Field(ge=0)
    days_per_week: int = Field(ge=1, le=7)
    target_minutes: float = Field(gt=0)
    reasons: list[Text] = Field(min_length=1)
    evidence: Evidence
    notes: list[Note] = Field(default_factory=list)
    alternatives: list[WalkingAlternative] = Field(default_factory=list)
    run_walk: RunWalk | None = None


class MovementBreaks(_Strict):
    every_minutes: int = Field(ge=10, le=120)
    occupations: list[Occupation]
    sitting_hours_at_least: float = Field(ge=0, le=24)
    min_exercises: int = Field(ge=1)
    max_exercises: int = Field(ge=1)
    reason: Text
    evidence: Evidence

    @model_validator(mode="after")
    def _checks(self) -> MovementBreaks:
        if self.max_exercises < self.min_exercises:
            raise ValueError("max_exercises must not be below min_exercises")
        _check_template(self.reason, ("every",), "movement_breaks reason")
        return self


class EducationRule(_Strict):
    topic: Id
    when: When
    unless: list[Fact] = Field(default_factory=list)


class Pregnancy(_Strict):
    # From this week on, long spells lying flat on the back are left out (unknown weeks count as later).
    supine_limited_from_weeks: int = Field(ge=1, le=42)
    evidence: Evidence


class Postnatal(_Strict):
    # No running (walk-run plan) before this many weeks after birth.
    running_from_weeks: int = Field(ge=0, le=104)
    evidence: Evidence


class SpineSurgery(_Strict):
    # Within this many weeks of lumbar surgery (unknown weeks count as within) the early rules apply.
    early_weeks: int = Field(ge=1, le=52)
    evidence: Evidence


class Balance(_Strict):
    # Balance work for older people with low fitness, and for anyone with these precaution keys.
    age_at_least: int = Field(ge=16, le=110)
    with_fitness: list[Fitness]
    precaution_keys: list[str]
    evidence: Evidence


class Performance(_Strict):
    """Goals and fitness that shape the later phases."""

    phases: list[Phase] = Field(min_length=1)
    fitness: list[Fitness] = Field(min_length=1)
    lifting_activities: list[str]
    running_activities: list[str]
    sport_activities: list[str]
    pool_activities: list[str]
    # Fit people in these phases get the time they offered: doses rise toward their maximum until
    # the session is within this fraction of the minutes offered.
    fill_time_within: float = Field(gt=0, lt=1)
    evidence: Evidence


class Populations(_Strict):
    pregnancy: Pregnancy
    postnatal: Postnatal
    spine_surgery: SpineSurgery
    balance: Balance
    performance: Performance


class Timing(_Strict):
    setup_seconds_per_exercise: int = Field(ge=0, le=120)
    min_fraction_of_starting_dose: float = Field(gt=0, le=1)


def _everyone() -> list[Fact]:
    return ["everyone"]


class StopRule(_Strict):
    text: Text
    evidence: Evidence
    also_when_referred: bool = False
    when: When = Field(default_factory=_everyone)

    @model_validator(mode="after")
    def _template(self) -> StopRule:
        _check_template(self.text, ("pain_max",), "stop rule")
        return self


class Reassess(_Strict):
    after_days: int = Field(ge=1)
    refer_after_days: int = Field(ge=1)
    evidence: Evidence


class PrescriptionRules(_Strict):
    phases: Phases
    triage: TriageRules
    program: ProgramSize
    levels: Levels
    start_easier: StartEasier
    directional_preference: DirectionalPreference
    slots: list[Slot] = Field(min_length=1)
    fallback: Fallback
    frequency: list[Frequency] = Field(default_factory=list)
    modifiers: list[Modifier] = Field(default_factory=list)
    derived_precautions: list[DerivedPrecaution] = Field(default_factory=list)
    populations: Populations
    walking: Walking
    movement_breaks: MovementBreaks
    education: list[EducationRule] = Field(default_factory=list)
    recommendations: list[Note] = Field(default_factory=list)
    timing: Timing
    stop_rules: list[StopRule] = Field(min_length=1)
    reassess: Reassess

    @model_validator(mode="after")
    def _consistent(self) -> PrescriptionRules:
        ids = [slot.id for slot in self.slots]
        if len(set(ids)) != len(ids):
            raise ValueError("slots: duplicate slot id")
        little = self.directional_preference.little_and_often
        if little is not None and not set(little.slots) <= set(ids):
            raise ValueError("directional_preference.little_and_often: unknown slot id")
        if not any(rule.also_when_referred for rule in self.stop_rules):
            raise ValueError("stop_rules: at least one rule must apply when the person is referred")
        return self

    def reserved_for(self, exercise_id: str) -> Slot | None:
        """The slot an exercise is kept for, if any (see `Slot.reserved`)."""
        for slot in self.slots:
            if slot.reserved and exercise_id in slot.exercises:
                return slot
        return None

    def evidence_ids(self) -> set[str]:
        """Every citation id the rules use (checked against references.toml by the tests)."""
        found: set[str] = set()

        def walk(node: object) -> None:
            if isinstance(node, BaseModel):
                for name in type(node).model_fields:
                    value = getattr(node, name)
                    if name == "evidence":
                        found.update(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self)
        return found


def load_rules(path: Path | None = None) -> PrescriptionRules:
    """Read and check the rule file (default: the bundled content/prescription.toml)."""
    path = path or CONTENT_DIR / RULES_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ContentError(f"{path.name}: cannot read TOML: {exc}") from None
    try:
        return PrescriptionRules.model_validate(raw)
    except ValidationError as exc:
        raise ContentError(describe_validation_error(exc, path.name)) from None


def default_rules() -> PrescriptionRules:
    """The bundled rules, loaded once per process."""
    return bundled("prescription_rules", load_rules)
