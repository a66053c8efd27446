"""The progression review's rule set: strict models of content/progression.toml.

Every threshold the review applies (pain limits, windows, ladder steps, walking build-up, adherence,
reassessment weeks) is data next to its citations, so a clinician can change a rule without touching
code. A typo in the file is an error naming the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from lumbar.domain.bundled import bundled
from lumbar.domain.catalog import CONTENT_DIR, Category, ContentError, DirectionBias
from lumbar.domain.errors import describe_validation_error

RULES_FILE = "progression.toml"

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
FlagId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$", max_length=80)]
Evidence = Annotated[list[Id], Field(min_length=1)]
Difficulty = Literal["easy", "right", "hard"]
LadderVariable = Literal["reps", "hold_seconds", "sets"]
SubstituteBias = Literal["neutral", "opposite"]
Days = Annotated[int, Field(ge=1, le=366)]


class _Strict(BaseModel):
    # Built on first validation, not at import: a snapshot of validated content needs no schema.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class PainDuring(_Strict):
    acceptable_max: int = Field(ge=0, le=10)
    up_to_pain_before: bool
    evidence: Evidence

    def limit(self, pain_before: float | None) -> float:
        """The most pain acceptable during an exercise for someone whose pain before it was
        `pain_before` (None: not known): the absolute maximum, or the pain before when that is higher."""
        if self.up_to_pain_before and pain_before is not None:
            return max(self.acceptable_max, pain_before)
        return self.acceptable_max

    def acceptable(self, pain_during: int, pain_before: float | None) -> bool:
        return pain_during <= self.limit(pain_before)


class NextMorning(_Strict):
    baseline_window_days: Days
    flare_after_consecutive: int = Field(ge=1, le=14)
    evidence: Evidence


class WeeklyTrend(_Strict):
    window_days: Days
    min_readings: int = Field(ge=1, le=100)
    evidence: Evidence


class Progress(_Strict):
    sessions_at_dose: int = Field(ge=1, le=20)
    difficulty_ok: Annotated[list[Difficulty], Field(min_length=1)]
    evidence: Evidence


class Ladder(_Strict):
    order: list[LadderVariable]
    reps_step: int = Field(ge=1, le=20)
    hold_step_seconds: int = Field(ge=1, le=120)
    sets_step: int = Field(ge=1, le=5)
    floor_fraction_of_starting_dose: float = Field(gt=0, le=1)
    evidence: Evidence

    @model_validator(mode="after")
    def _every_variable_once(self) -> Ladder:
        if sorted(self.order) != sorted(("reps", "hold_seconds", "sets")):
            raise ValueError("order: name each of reps, hold_seconds and sets exactly once")
        return self

    def step(self, variable: LadderVariable) -> int:
        return {"reps": self.reps_step, "hold_seconds": self.hold_step_seconds, "sets": self.sets_step}[
            variable
        ]


class Pacing(_Strict):
    """A slower ladder for people with a precaution key (e.g. hypermobility)."""

    when: FlagId  # a precaution key of the program
    sessions_at_dose: int = Field(ge=1, le=10)
    # Categories whose holds are not lengthened (holds at the end of the range).
    holds_kept_for: list[Category] = Field(default_factory=list)
    reason: str = Field(min_length=1, max_length=400)
    evidence: Evidence


class Walking(_Strict):
    exercise_id: Id
    weekly_increase_min: float = Field(gt=0, le=30)
    weekly_increase_max: float = Field(gt=0, le=30)
    target_minutes: float = Field(gt=0, le=180)
    target_days_per_week: int = Field(ge=1, le=7)
    min_minutes_per_bout: float = Field(gt=0, le=60)
    evidence: Evidence
    # Cited by the walk-run decisions, besides `evidence`.
    run_walk_evidence: Evidence = Field(default_factory=list)

    @model_validator(mode="after")
    def _range_in_order(self) -> Walking:
        if self.weekly_increase_min > self.weekly_increase_max:
            raise ValueError("weekly_increase_min must not exceed weekly_increase_max")
        return self


class Peripheralisation(_Strict):
    substitute_biases: Annotated[list[SubstituteBias], Field(min_length=1)]
    opposite: dict[DirectionBias, DirectionBias]
    adjacent_categories: dict[Category, list[Category]]
    evidence: Evidence


class Outcomes(_Strict):
    window_days: Days
    no_improvement_earliest_weeks: int = Field(ge=1, le=52)
    no_improvement_weeks: int = Field(ge=1, le=52)
    evidence: Evidence

    @model_validator(mode="after")
    def _earliest_first(self) -> Outcomes:
        if self.no_improvement_earliest_weeks > self.no_improvement_weeks:
            raise ValueError("no_improvement_earliest_weeks must not exceed no_improvement_weeks")
        return self


class Adherence(_Strict):
    window_days: Days
    low_below: float = Field(gt=0, le=1)
    judge_after_days: Days
    evidence: Evidence

    @model_validator(mode="after")
    def _judged_within_the_window(self) -> Adherence:
        if self.judge_after_days > self.window_days:
            raise ValueError("judge_after_days must not exceed window_days")
        return self


LegResponse = Literal["none", "same", "centralised", "peripheralised"]


class DirectionalPreference(_Strict):
    moves_on_when: Annotated[list[LegResponse], Field(min_length=1)]
    evidence: Evidence

    @model_validator(mode="after")
    def _never_onward_while_spreading(self) -> DirectionalPreference:
        if "peripheralised" in self.moves_on_when:
            raise ValueError("moves_on_when: spreading leg symptoms never move work along its chain")
        return self


class SeeDoctorSoon(_Strict):
    progressing_flags: list[FlagId]
    evidence: Evidence
    progressing_evidence: Evidence

    def freezes(self, flags: Collection[str]) -> bool:
        """Does a see_doctor_soon tier with these flags freeze progression? Not when every flag is one
        that keeps a progressing program (inflammatory back pain)."""
        return not set(flags) or not set(flags) <= set(self.progressing_flags)


class Reassessment(_Strict):
    weeks: Annotated[list[Annotated[int, Field(ge=1, le=104)]], Field(min_length=1)]
    evidence: Evidence

    @model_validator(mode="after")
    def _rising(self) -> Reassessment:
        if self.weeks != sorted(set(self.weeks)):
            raise ValueError("weeks: must rise strictly")
        return self


class RedFlagRecall(_Strict):
    lookback_days: Days
    evidence: Evidence


class FormFaults(_Strict):
    """The camera's form checks in the review: a fault seen in more than `more_than` of the work
    (repetitions, or seconds of the hold) in each of the last `sessions` sessions with a good camera
    check of an exercise makes that exercise easier. `seen` words each fault for the reason ("your
    hips sagged"); `not_eased` are faults an easier exercise would not put right (moving too fast)."""

    sessions: int = Field(ge=1, le=10)
    more_than: float = Field(ge=0, lt=1)
    not_eased: list[FlagId] = Field(default_factory=list)
    seen: dict[FlagId, Annotated[str, StringConstraints(min_length=1, max_length=120)]] = Field(
        default_factory=dict
    )
    evidence: Evidence

    def words(self, fault_id: str) -> str:
        """What the camera saw, in words: "your hips sagged" (from `seen`), else the fault's id."""
        return self.seen.get(fault_id) or f"the camera flagged {fault_id.replace('_', ' ')}"


class ProgressionRules(_Strict):
    """The validated content of progression.toml."""

    pain_during: PainDuring
    next_morning: NextMorning
    weekly_trend: WeeklyTrend
    progress: Progress
    ladder: Ladder
    walking: Walking
    peripheralisation: Peripheralisation
    outcomes: Outcomes
    adherence: Adherence
    directional_preference: DirectionalPreference
    see_doctor_soon: SeeDoctorSoon
    reassessment: Reassessment
    red_flags: RedFlagRecall
    form_faults: FormFaults
    pacing: list[Pacing] = Field(default_factory=list)

    def evidence_ids(self) -> Iterator[str]:
        for section in (
            self.pain_during,
            self.next_morning,
            self.weekly_trend,
            self.progress,
            self.ladder,
            self.walking,
            self.peripheralisation,
            self.outcomes,
            self.adherence,
            self.directional_preference,
            self.see_doctor_soon,
            self.reassessment,
            self.red_flags,
            self.form_faults,
        ):
            yield from section.evidence
        yield from self.see_doctor_soon.progressing_evidence
        yield from self.walking.run_walk_evidence
        for pacing in self.pacing:
            yield from pacing.evidence


def load_rules(path: Path | None = None, references: Collection[str] | None = None) -> ProgressionRules:
    """Read and check progression.toml; evidence ids must exist in references.toml beside it."""
    path = path or CONTENT_DIR / RULES_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ContentError(f"{path.name}: cannot read TOML: {exc}") from None
    try:
        rules = ProgressionRules.model_validate(raw)
    except ValidationError as exc:
        raise ContentError(describe_validation_error(exc, path.name)) from None
    if references is None:
        try:
            references = frozenset(
                tomllib.loads((path.parent / "references.toml").read_text(encoding="utf-8"))
            )
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ContentError(f"references.toml: cannot read TOML: {exc}") from None
    unknown = [ref for ref in rules.evidence_ids() if ref not in references]
    if unknown:
        raise ContentError(f"{path.name}: unknown evidence id {unknown[0]!r}")
    return rules


def default_rules() -> ProgressionRules:
    """The bundled rules, loaded once per process."""
    return bundled("progression_rules", load_rules)


def pain_during_limit() -> int:
    """The most pain (0-10) acceptable during an exercise whatever the pain before it (5/10).

    The one source of this number for the whole app: stop rules, the session player and the review.
    Pain above it is still acceptable when it is no higher than the pain before the session: see
    `pain_during_acceptable`.
    """
    return default_rules().pain_during.acceptable_max


def pain_during_acceptable(pain_during: int, pain_before: float | None) -> bool:
    """Is this pain during an exercise acceptable for someone whose pain before the session was
    `pain_before` (None: not known)? Up to 5/10, or up to the pain before when that was higher."""
    return default_rules().pain_during.acceptable(pain_during, pain_before)
