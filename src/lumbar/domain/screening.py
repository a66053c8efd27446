"""Safety screening: from intake answers to a triage tier, the flags that fired and advice.

The rules are data (content/screening.toml): one entry per red-flag question, the combinations
that are worse together, the first-episode age rule and the NICE NG65 inflammatory criteria. Each
rule that fires contributes a tier and the person gets the most severe one. Rules fire only on yes
answers or on criteria that add up, so one more yes can never lower the tier.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from lumbar.domain.bundled import bundled
from lumbar.domain.errors import InvalidInput, describe_validation_error
from lumbar.domain.intake import (
    DAYS_PER_WEEK,
    DAYS_PER_YEAR,
    Condition,
    Inflammatory,
    Intake,
    LegSide,
    RedFlags,
    age_at_onset,
)

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
SCREENING_FILE = CONTENT_DIR / "screening.toml"


class Tier(StrEnum):
    """How fast the person needs a doctor, from the most to the least severe."""

    EMERGENCY_NOW = "emergency_now"
    URGENT_SAME_DAY = "urgent_same_day"
    SEE_DOCTOR_SOON = "see_doctor_soon"
    ROUTINE = "routine"

    @property
    def severity(self) -> int:
        """3 for emergency_now down to 0 for routine; compare tiers with this."""
        return _SEVERITY[self]

    @property
    def blocks_program(self) -> bool:
        """Emergency and urgent tiers stop at the advice: no exercise program until a clinician clears."""
        return self.severity >= _SEVERITY[Tier.URGENT_SAME_DAY]

    @classmethod
    def most_severe(cls, tiers: Iterable[Tier]) -> Tier:
        return max(tiers, key=lambda tier: tier.severity, default=cls.ROUTINE)


_SEVERITY: dict[Tier, int] = {
    Tier.EMERGENCY_NOW: 3,
    Tier.URGENT_SAME_DAY: 2,
    Tier.SEE_DOCTOR_SOON: 1,
    Tier.ROUTINE: 0,
}

TIERS_BY_SEVERITY: tuple[Tier, ...] = tuple(sorted(Tier, key=lambda tier: -tier.severity))


@dataclass(frozen=True)
class Triage:
    """The answer of the screen. `flags` are intake red_flags keys and criterion ids, in bank order."""

    tier: Tier
    flags: tuple[str, ...]
    advice: str
    evidence: tuple[str, ...] = ()

    @property
    def blocks_program(self) -> bool:
        return self.tier.blocks_program

    def to_json(self) -> dict[str, object]:
        """The `triage` object of contracts/program.schema.json (plus the evidence ids)."""
        return {
            "tier": self.tier.value,
            "flags": list(self.flags),
            "advice": self.advice,
            "evidence": list(self.evidence),
        }


# --- The content model of screening.toml -----------------------------------------------------------

TierName = Literal["emergency_now", "urgent_same_day", "see_doctor_soon", "routine"]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
RefId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
FlagId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$")]


class _Content(BaseModel):
    # Built on first validation, not at import: a snapshot of validated content needs no schema.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


# Words the warning-signs lesson (content/education/warning-signs.md) uses for a sign, all in one
# item of the section for the sign's tier: every emergency and same-day sign must name them, so the
# lesson cannot drop a sign the screen asks about (tests/test_content_library.py checks the lesson).
LessonWords = list[Text]
_TIERS_THE_LESSON_MUST_NAME = ("emergency_now", "urgent_same_day")


def _check_lesson_words(tier: str, lesson_words: list[str]) -> None:
    if tier in _TIERS_THE_LESSON_MUST_NAME and not lesson_words:
        raise ValueError(
            "lesson_words: an emergency or same-day sign must give the words the warning-signs lesson uses for it"
        )


class TierText(_Content):
    label: Text
    advice: Text


class SafetyNet(_Content):
    applies_to: Literal["leg_symptoms"]
    advice: Text
    evidence: list[RefId] = Field(min_length=1)


class RedFlagRule(_Content):
    key: FlagId
    code: Text
    condition: Text
    question: Text
    meaning: Text
    tier: TierName
    risk_factor: bool = False
    advice: Text | None = None
    evidence: list[RefId] = Field(min_length=1)
    decision: Text | None = None
    lesson_words: LessonWords = Field(default_factory=list)

    @model_validator(mode="after")
    def _risk_factors_do_not_raise_alone(self) -> RedFlagRule:
        if self.risk_factor and self.tier != "routine":
            raise ValueError("a risk factor raises the tier only through a combination: tier must be routine")
        _check_lesson_words(self.tier, self.lesson_words)
        return self


class ImpliedFlag(_Content):
    """A fact given elsewhere in the intake that answers a warning-sign question yes."""

    flag: FlagId
    conditions: list[Condition] = Field(default_factory=list)
    leg_side: LegSide | None = None
    episode_under_weeks: float | None = None
    evidence: list[RefId] = Field(min_length=1)
    decision: Text | None = None

    @model_validator(mode="after")
    def _one_kind_of_fact(self) -> ImpliedFlag:
        by_leg = self.leg_side is not None and self.episode_under_weeks is not None
        if bool(self.conditions) == by_leg:
            raise ValueError("give either conditions, or leg_side with episode_under_weeks")
        return self

    def holds(self, intake: Intake) -> bool:
        if self.conditions:
            return any(condition in intake.conditions for condition in self.conditions)
        return (
            intake.has_leg_symptoms
            and intake.leg_side == self.leg_side
            and self.episode_under_weeks is not None
            and intake.episode_weeks < self.episode_under_weeks
        )


class SeverePain(_Content):
    """A warning sign whose tier rises when the pain is severe (e.g. a suspected fracture)."""

    id: FlagId
    meaning: Text
    any_of: list[FlagId] = Field(min_length=1)
    pain_at_least: int = Field(ge=0, le=10)
    tier: TierName
    advice: Text | None = None
    evidence: list[RefId] = Field(min_length=1)
    lesson_words: LessonWords = Field(default_factory=list)

    @model_validator(mode="after")
    def _named_in_the_lesson(self) -> SeverePain:
        _check_lesson_words(self.tier, self.lesson_words)
        return self


class Combination(_Content):
    id: FlagId
    meaning: Text
    all_of: list[FlagId] = Field(min_length=1)
    any_of: list[FlagId] = Field(min_length=1)
    tier: TierName
    evidence: list[RefId] = Field(min_length=1)
    decision: Text | None = None
    lesson_words: LessonWords = Field(default_factory=list)

    @model_validator(mode="after")
    def _named_in_the_lesson(self) -> Combination:
        _check_lesson_words(self.tier, self.lesson_words)
        return self


class AgeOnsetRule(_Content):
    flag: FlagId
    code: Text
    condition: Text
    question: Text
    meaning: Text
    first_episode_only: bool
    onset_over: float
    onset_under: float
    tier: TierName
    evidence: list[RefId] = Field(min_length=1)
    decision: Text | None = None
    lesson_words: LessonWords = Field(default_factory=list)

    @model_validator(mode="after")
    def _named_in_the_lesson(self) -> AgeOnsetRule:
        _check_lesson_words(self.tier, self.lesson_words)
        return self


class InflammatoryCriterion(_Content):
    key: FlagId
    code: Text
    question: Text
    meaning: Text
    also_when_onset_before: float | None = None


class InflammatoryRule(_Content):
    onset_before: float
    lasted_more_than_weeks: float
    refer_at_least: int = Field(ge=1)
    consider_at: int = Field(ge=1)
    refer_flag: FlagId
    refer_meaning: Text
    refer_tier: TierName
    refer_advice: Text
    consider_flag: FlagId
    consider_meaning: Text
    consider_tier: TierName
    consider_advice: Text
    evidence: list[RefId] = Field(min_length=1)
    decision: Text | None = None
    criteria: list[InflammatoryCriterion]

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> InflammatoryRule:
        if self.consider_at >= self.refer_at_least:
            raise ValueError("consider_at must be below refer_at_least")
        if _SEVERITY[Tier(self.consider_tier)] > _SEVERITY[Tier(self.refer_tier)]:
            raise ValueError(
                "consider_tier cannot be more severe than refer_tier (more criteria never lower it)"
            )
        return self


class CheckinScreen(_Content):
    """Which warning-sign questions are asked again at each morning check-in."""

    everyone: list[FlagId] = Field(min_length=1)
    with_leg_symptoms: list[FlagId] = Field(default_factory=list)
    evidence: list[RefId] = Field(min_length=1)


class ScreeningRules(_Content):
    """The validated red-flag bank. Every intake red_flags key and NG65 criterion has one entry."""

    tiers: dict[TierName, TierText]
    safety_net: SafetyNet
    red_flags: list[RedFlagRule]
    combinations: list[Combination] = Field(default_factory=list)
    implied_flags: list[ImpliedFlag] = Field(default_factory=list)
    severe_pain: list[SeverePain] = Field(default_factory=list)
    age_onset: AgeOnsetRule
    inflammatory: InflammatoryRule
    checkin: CheckinScreen

    @model_validator(mode="after")
    def _complete_and_consistent(self) -> ScreeningRules:
        missing_tiers = [tier.value for tier in Tier if tier.value not in self.tiers]
        if missing_tiers:
            raise ValueError(f"tiers: no text for {', '.join(missing_tiers)}")
        _require_exactly("red_flags", [rule.key for rule in self.red_flags], tuple(RedFlags.model_fields))
        _require_exactly(
            "inflammatory.criteria",
            [criterion.key for criterion in self.inflammatory.criteria],
            tuple(Inflammatory.model_fields),
        )
        for combination in self.combinations:
            unknown = [
                key for key in (*combination.all_of, *combination.any_of) if key not in RedFlags.model_fields
            ]
            if unknown:
                raise ValueError(f"combination {combination.id!r}: unknown red_flags key {unknown[0]!r}")
        for implied in self.implied_flags:
            if implied.flag not in RedFlags.model_fields:
                raise ValueError(f"implied_flags: unknown red_flags key {implied.flag!r}")
        for severe in self.severe_pain:
            unknown = [key for key in severe.any_of if key not in RedFlags.model_fields]
            if unknown:
                raise ValueError(f"severe_pain {severe.id!r}: unknown red_flags key {unknown[0]!r}")
        ids = [
            *(rule.key for rule in self.red_flags),
            *(combination.id for combination in self.combinations),
            *(severe.id for severe in self.severe_pain),
            self.age_onset.flag,
            self.inflammatory.refer_flag,
            self.inflammatory.consider_flag,
        ]
        unknown_checkin = [
            key
            for key in (*self.checkin.everyone, *self.checkin.with_leg_symptoms)
            if key not in RedFlags.model_fields
        ]
        if unknown_checkin:
            raise ValueError(f"checkin: unknown red_flags key {unknown_checkin[0]!r}")
        duplicates = sorted({flag for flag in ids if ids.count(flag) > 1})
        if duplicates:
            raise ValueError(f"flag id used twice: {duplicates[0]!r}")
        return self

    def meaning(self, flag: str) -> str:
        """Plain-language meaning of a flag id, for people reading the result."""
        return self._meanings().get(flag, flag.replace("_", " "))

    def label(self, tier: Tier) -> str:
        return self.tiers[tier.value].label

    def evidence_ids(self) -> Iterator[str]:
        yield from self.safety_net.evidence
        for rule in self.red_flags:
            yield from rule.evidence
        for combination in self.combinations:
            yield from combination.evidence
        for implied in self.implied_flags:
            yield from implied.evidence
        for severe in self.severe_pain:
            yield from severe.evidence
        yield from self.age_onset.evidence
        yield from self.inflammatory.evidence
        yield from self.checkin.evidence

    def _meanings(self) -> dict[str, str]:
        meanings = {rule.key: rule.meaning for rule in self.red_flags}
        meanings.update({combination.id: combination.meaning for combination in self.combinations})
        meanings.update({severe.id: severe.meaning for severe in self.severe_pain})
        meanings[self.age_onset.flag] = self.age_onset.meaning
        meanings[self.inflammatory.refer_flag] = self.inflammatory.refer_meaning
        meanings[self.inflammatory.consider_flag] = self.inflammatory.consider_meaning
        return meanings


def _require_exactly(where: str, keys: list[str], expected: tuple[str, ...]) -> None:
    for key in keys:
        if key not in expected:
            raise ValueError(f"{where}: {key!r} is not a key of the intake contract")
        if keys.count(key) > 1:
            raise ValueError(f"{where}: two entries for {key!r}")
    missing = [key for key in expected if key not in keys]
    if missing:
        raise ValueError(f"{where}: no entry for {missing[0]!r}")


def load_screening_rules(
    path: Path | None = None, references: Collection[str] | None = None
) -> ScreeningRules:
    """Read and check the red-flag bank. Evidence ids must exist in references.toml beside it."""
    path = path or SCREENING_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{path.name}: cannot read TOML: {exc}") from None
    try:
        rules = ScreeningRules.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(describe_validation_error(exc, path.name)) from None
    if references is None:
        references = _reference_ids(path.parent / "references.toml")
    unknown = [ref for ref in rules.evidence_ids() if ref not in references]
    if unknown:
        raise InvalidInput(f"{path.name}: unknown evidence id {unknown[0]!r}")
    return rules


def _reference_ids(path: Path) -> frozenset[str]:
    try:
        return frozenset(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{path.name}: cannot read TOML: {exc}") from None


def default_rules() -> ScreeningRules:
    """The bundled red-flag bank, loaded once per process."""
    return bundled("screening_rules", load_screening_rules)


# --- Triage -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fired:
    flag: str
    tier: Tier
    evidence: tuple[str, ...]
    advice: str | None = None


def triage(intake: Intake, *, rules: ScreeningRules | None = None) -> Triage:
    """Screen an intake for red flags. Deterministic: the same answers give the same result."""
    rules = rules or default_rules()
    answers = with_implied_flags(intake, rules)
    fired = [
        *_single_red_flags(answers, rules),
        *_age_onset(intake, rules.age_onset),
        *_inflammatory_back_pain(intake, rules.inflammatory),
        *_combinations(answers, rules),
        *_severe_pain(answers, max(intake.pain.now, intake.pain.worst_24h or 0), rules),
    ]
    tier = Tier.most_severe(rule.tier for rule in fired)
    evidence = tuple(dict.fromkeys(ref for rule in fired for ref in rule.evidence))
    return Triage(
        tier=tier,
        flags=tuple(rule.flag for rule in fired),
        advice=_advice(tier, fired, intake.has_leg_symptoms, rules),
        evidence=evidence,
    )


def with_implied_flags(intake: Intake, rules: ScreeningRules | None = None) -> RedFlags:
    """The red-flag answers, with every fact given elsewhere in the intake counted as its yes."""
    rules = rules or default_rules()
    implied = {rule.flag: True for rule in rules.implied_flags if rule.holds(intake)}
    if not implied:
        return intake.red_flags
    return intake.red_flags.model_copy(update=implied)


def implied_by_conditions(
    conditions: Collection[str], rules: ScreeningRules | None = None
) -> tuple[str, ...]:
    """The warning-sign keys that a person's conditions answer yes (for the check-in screen)."""
    rules = rules or default_rules()
    return tuple(rule.flag for rule in rules.implied_flags if any(c in conditions for c in rule.conditions))


def checkin_questions(has_leg_symptoms: bool, rules: ScreeningRules | None = None) -> list[RedFlagRule]:
    """The warning-sign questions to ask again this morning, in the bank's order."""
    rules = rules or default_rules()
    wanted = set(rules.checkin.everyone)
    if has_leg_symptoms:
        wanted.update(rules.checkin.with_leg_symptoms)
    return [rule for rule in rules.red_flags if rule.key in wanted]


def inflammatory_questions_apply(
    age: int,
    episode_weeks: float,
    back_pain_years: float | None = None,
    rules: ScreeningRules | None = None,
) -> bool:
    """Whether NICE NG65's questions apply: back pain that began before 45 and has lasted over
    3 months. Both are about the back pain, not the current episode, so `back_pain_years` (how long
    the person has had back pain on and off) is used when given."""
    rule = (rules or default_rules()).inflammatory
    weeks = back_pain_weeks(episode_weeks, back_pain_years)
    return weeks > rule.lasted_more_than_weeks and age_at_onset(age, weeks) < rule.onset_before


def back_pain_weeks(episode_weeks: float, back_pain_years: float | None) -> float:
    """How long the person has had back pain: the longer of the episode and the years on and off."""
    if back_pain_years is None:
        return episode_weeks
    return max(episode_weeks, back_pain_years * DAYS_PER_YEAR / DAYS_PER_WEEK)


def triage_red_flags(
    answers: RedFlags,
    *,
    has_leg_symptoms: bool = False,
    conditions: Collection[str] = (),
    rules: ScreeningRules | None = None,
) -> Triage:
    """The red-flag mini-screen asked again at check-ins: the questions and their combinations only.

    `conditions` (the intake's) count as the yes answers they imply, so a fever at a check-in is
    weighed with the person's diabetes as it was at intake. The age-at-onset and NG65 rules need
    the whole intake and are settled at intake.
    """
    rules = rules or default_rules()
    implied = implied_by_conditions(conditions, rules)
    if implied:
        answers = answers.model_copy(update=dict.fromkeys(implied, True))
    fired = [*_single_red_flags(answers, rules), *_combinations(answers, rules)]
    tier = Tier.most_severe(rule.tier for rule in fired)
    return Triage(
        tier=tier,
        flags=tuple(rule.flag for rule in fired),
        advice=_advice(tier, fired, has_leg_symptoms, rules),
        evidence=tuple(dict.fromkeys(ref for rule in fired for ref in rule.evidence)),
    )


def _single_red_flags(answers: RedFlags, rules: ScreeningRules) -> Iterator[_Fired]:
    for rule in rules.red_flags:
        if getattr(answers, rule.key):
            yield _Fired(rule.key, Tier(rule.tier), tuple(rule.evidence), rule.advice)


def _combinations(answers: RedFlags, rules: ScreeningRules) -> Iterator[_Fired]:
    for combination in rules.combinations:
        if all(getattr(answers, key) for key in combination.all_of) and any(
            getattr(answers, key) for key in combination.any_of
        ):
            yield _Fired(combination.id, Tier(combination.tier), tuple(combination.evidence))


def _severe_pain(answers: RedFlags, pain: int, rules: ScreeningRules) -> Iterator[_Fired]:
    for rule in rules.severe_pain:
        if pain >= rule.pain_at_least and any(getattr(answers, key) for key in rule.any_of):
            yield _Fired(rule.id, Tier(rule.tier), tuple(rule.evidence), rule.advice)


def _age_onset(intake: Intake, rule: AgeOnsetRule) -> Iterator[_Fired]:
    if rule.first_episode_only and not intake.first_episode:
        return
    onset = intake.age_at_onset
    if onset > rule.onset_over or onset < rule.onset_under:
        yield _Fired(rule.flag, Tier(rule.tier), tuple(rule.evidence))


def inflammatory_criteria_met(intake: Intake, rule: InflammatoryRule) -> tuple[str, ...]:
    """The NG65 criteria that count for this person: none when their back pain began at 45 or later.
    How long it has lasted is checked by the caller: four or more criteria count whatever the length."""
    weeks = back_pain_weeks(intake.episode_weeks, intake.back_pain_years)
    onset = age_at_onset(intake.age, weeks)
    if onset >= rule.onset_before:
        return ()
    answers = intake.inflammatory or Inflammatory()
    return tuple(
        criterion.key
        for criterion in rule.criteria
        if getattr(answers, criterion.key)
        or (criterion.also_when_onset_before is not None and onset < criterion.also_when_onset_before)
    )


def _inflammatory_back_pain(intake: Intake, rule: InflammatoryRule) -> Iterator[_Fired]:
    count = len(inflammatory_criteria_met(intake, rule))
    lasted = back_pain_weeks(intake.episode_weeks, intake.back_pain_years) > rule.lasted_more_than_weeks
    if count >= rule.refer_at_least:
        yield _Fired(rule.refer_flag, Tier(rule.refer_tier), tuple(rule.evidence), rule.refer_advice)
    elif count >= rule.consider_at and lasted:
        yield _Fired(rule.consider_flag, Tier(rule.consider_tier), tuple(rule.evidence), rule.consider_advice)


def _advice(tier: Tier, fired: list[_Fired], has_leg_symptoms: bool, rules: ScreeningRules) -> str:
    parts = [rules.tiers[tier.value].advice]
    for rule in fired:
        # Someone sent to an emergency department needs that one instruction, not errands for later.
        relevant = tier is not Tier.EMERGENCY_NOW or rule.tier is Tier.EMERGENCY_NOW
        if rule.advice and relevant and rule.advice not in parts:
            parts.append(rule.advice)
    if has_leg_symptoms and tier is not Tier.EMERGENCY_NOW:
        parts.append(rules.safety_net.advice)
    return " ".join(parts)


def flag_meanings(result: Triage, rules: ScreeningRules | None = None) -> Mapping[str, str]:
    """Each fired flag with its plain-language meaning, in the result's order."""
    rules = rules or default_rules()
    return {flag: rules.meaning(flag) for flag in result.flags}
