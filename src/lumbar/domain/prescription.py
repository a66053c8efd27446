"""Personalised program generation: from a validated intake to a home exercise program.

The generator is a small, explainable rule engine over content/prescription.toml:

1. Triage first. Tiers that block a program give status `refer`: no exercises, only the advice.
   `see_doctor_soon` gives a short, gentle program plus the advice to book a doctor.
2. The person's presentation becomes a set of facts (phase, leg symptoms, directional preference,
   high pain, desk work, STarT Back risk, ...) and precaution keys (conditions and presentations).
3. Exercises that are unsafe or impossible for this person are excluded: an `avoid` precaution,
   missing equipment, floor work when they cannot get to the floor, the direction opposite to the
   one that eases them, a level above the phase's ceiling.
4. Slots (what the phase and presentation need: movement in the easing direction, trunk endurance,
   hip strength, a nerve glide, ...) are filled with the best-ranked eligible exercise; ties break
   by id, so the same intake and content always give the same program.
5. Low fitness or high pain starts one step down the regression chain; the doses are cut to fit the
   minutes the person has; every exercise carries the reasons of the rules that chose it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from lumbar.domain.catalog import ASSUMED_EQUIPMENT, Catalog, Exercise, Phase
from lumbar.domain.intake import Intake
from lumbar.domain.prescription_rules import (
    Fact,
    LittleAndOften,
    Modifier,
    PrescriptionRules,
    Slot,
    default_rules,
)
from lumbar.domain.progression_rules import pain_during_limit
from lumbar.domain.screening import Tier, Triage, triage

Direction = Literal["extension", "flexion"]
Status = Literal["ok", "refer"]
Risk = Literal["low", "medium", "high"]

_DIRECTIONS: dict[str, Direction] = {"extension": "extension", "flexion": "flexion"}

# Words for the slot reasons: what the easing direction relieves.
_SYMPTOM_WORDS = {True: "leg pain", False: "back pain"}


# --- The program ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrescribedExercise:
    """One exercise of a program with its starting dose and why it was chosen."""

    id: str
    name: str
    slot: str
    sets: int
    reps: int | None
    hold_seconds: int | None
    per_side: bool
    sessions_per_week: int
    reasons: tuple[str, ...]
    evidence: tuple[str, ...]
    cautions: tuple[str, ...]
    seconds: float
    # Done little and often through the day (acute work in the easing direction); None = once a session.
    times_per_day: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "slot": self.slot,
            "sets": self.sets,
            "reps": self.reps,
            "hold_seconds": self.hold_seconds,
            "per_side": self.per_side,
            "sessions_per_week": self.sessions_per_week,
            "times_per_day": self.times_per_day,
            "estimated_minutes": _minutes(self.seconds),
            "reasons": list(self.reasons),
            "evidence": list(self.evidence),
            "cautions": list(self.cautions),
        }


@dataclass(frozen=True)
class WalkingPlan:
    minutes_per_bout: float
    bouts_per_day: int
    days_per_week: int
    weekly_increase_minutes: float
    target_minutes: float
    target_days_per_week: int
    reasons: tuple[str, ...]
    notes: tuple[str, ...]
    evidence: tuple[str, ...]
    # Exercises offered in place of some walks (swimming, for someone with a pool).
    alternatives: tuple[str, ...] = ()
    run_walk: Mapping[str, Any] | None = None
    # Walked at the end of the exercise session (its minutes count in the session's length).
    in_session: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "alternatives": list(self.alternatives),
            "in_session": self.in_session,
            "run_walk": dict(self.run_walk) if self.run_walk is not None else None,
            "minutes_per_bout": self.minutes_per_bout,
            "bouts_per_day": self.bouts_per_day,
            "days_per_week": self.days_per_week,
            "weekly_increase_minutes": self.weekly_increase_minutes,
            "target_minutes": self.target_minutes,
            "target_days_per_week": self.target_days_per_week,
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class MovementBreakPlan:
    every_minutes: int
    exercises: tuple[str, ...]
    reasons: tuple[str, ...]
    evidence: tuple[str, ...]
    # The same cautions the program would give each of these exercises, by exercise id.
    cautions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "every_minutes": self.every_minutes,
            "exercises": list(self.exercises),
            "reasons": list(self.reasons),
            "evidence": list(self.evidence),
            "cautions": {ex_id: list(notes) for ex_id, notes in self.cautions.items()},
        }


@dataclass(frozen=True)
class Program:
    """A prescribed program; `to_json()` is exactly contracts/program.schema.json (plus extras)."""

    status: Status
    triage: Triage
    phase: Phase
    risk: Risk | None
    scores: Mapping[str, Any]
    exercises: tuple[PrescribedExercise, ...]
    walking: WalkingPlan | None
    movement_breaks: MovementBreakPlan | None
    education: tuple[str, ...]
    recommendations: tuple[str, ...]
    stop_rules: tuple[str, ...]
    reassess_after_days: int
    content_version: str
    # The person's precaution keys (conditions and presentations), so that a later change of
    # exercise can apply the same `avoid`/`modify`/`caution` notes without the whole intake.
    precaution_keys: tuple[str, ...] = ()

    @property
    def estimated_minutes(self) -> float:
        return _minutes(sum(exercise.seconds for exercise in self.exercises))

    @property
    def session_minutes(self) -> float:
        """The whole session: the exercises, plus the walk when it is part of the session."""
        walk = self.walking.minutes_per_bout if self.walking and self.walking.in_session else 0
        return round(self.estimated_minutes + walk, 1)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "triage": self.triage.to_json(),
            "phase": self.phase,
            "risk": self.risk,
            "scores": dict(self.scores),
            "exercises": [exercise.to_json() for exercise in self.exercises],
            "walking": self.walking.to_json() if self.walking else None,
            "movement_breaks": self.movement_breaks.to_json() if self.movement_breaks else None,
            "education": list(self.education),
            "recommendations": list(self.recommendations),
            "stop_rules": list(self.stop_rules),
            "reassess_after_days": self.reassess_after_days,
            "estimated_minutes": self.estimated_minutes,
            "session_minutes": self.session_minutes,
            "content_version": self.content_version,
            "precaution_keys": list(self.precaution_keys),
        }


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 1)


# --- The person, as the rules see them ---------------------------------------------------------------


@dataclass(frozen=True)
class Presentation:
    """What the rules need to know about one person, derived once from the intake."""

    phase: Phase
    risk: Risk | None
    tier: Tier
    facts: frozenset[str]
    precaution_keys: frozenset[str]
    preference: Direction | None
    has_leg_symptoms: bool
    equipment: frozenset[str]
    floor_ok: bool
    budget_seconds: float
    sessions_per_week: int
    easier_because: tuple[str, ...]
    aggravated_by_walking: bool

    @property
    def gentle_until_seen(self) -> bool:
        """Must see a doctor soon, for a reason that calls for gentle exercise meanwhile."""
        return "see_doctor_soon" in self.facts

    @property
    def gentle(self) -> bool:
        """Few, gentle exercises: until a doctor has been seen, or early after spine surgery."""
        return self.gentle_until_seen or "early_after_spine_surgery" in self.facts

    def holds(self, when: Iterable[Fact]) -> bool:
        return all(fact in self.facts for fact in when)


def episode_phase(weeks: float, rules: PrescriptionRules | None = None) -> Phase:
    """Acute, subacute or chronic from the length of the current episode."""
    rules = rules or default_rules()
    if weeks < rules.phases.subacute_from_weeks:
        return "acute"
    if weeks <= rules.phases.chronic_after_weeks:
        return "subacute"
    return "chronic"


def _risk(scores: Mapping[str, Any]) -> Risk | None:
    value = scores.get("startback_risk")
    if value in ("low", "medium", "high"):
        risk: Risk = value
        return risk
    return None


def _high_pain_because(intake: Intake, rules: PrescriptionRules) -> tuple[str, ...]:
    """Why the pain counts as high: the pain score, else how much it bothers the person, else neither
    (so "your pain is high" is said only when the score is)."""
    policy = rules.start_easier
    if max(intake.pain.now, intake.pain.worst_24h or 0) >= policy.high_pain_worst_24h_at_least:
        return ("pain",)
    if intake.startback is not None and intake.startback.bothersomeness in policy.high_pain_bothersomeness:
        return ("bother",)
    return ()


def _gentle_until_seen(screen: Triage, rules: PrescriptionRules) -> bool:
    if screen.tier != Tier.SEE_DOCTOR_SOON:
        return False
    return not set(screen.flags) <= set(rules.triage.see_doctor_soon.full_program_when_only)


def _precaution_keys(given: Iterable[str], flags: Iterable[str], rules: PrescriptionRules) -> frozenset[str]:
    """The person's precaution keys plus every key they stand for, followed until nothing new is
    added (a derived key, such as a suspected fracture, may itself stand for another)."""
    keys = set(given)
    fired = set(flags)
    while True:
        more = {
            derived.key
            for derived in rules.derived_precautions
            if derived.key not in keys and (keys & set(derived.from_keys) or fired & set(derived.from_flags))
        }
        if not more:
            return frozenset(keys)
        keys |= more


def _population_keys(intake: Intake, rules: PrescriptionRules) -> dict[str, bool]:
    """Precaution keys of pregnancy, birth and surgery that depend on how many weeks it has been."""
    populations = rules.populations
    pregnant = "pregnancy" in intake.conditions
    weeks = intake.pregnancy_weeks
    surgery = "recent_spinal_surgery" in intake.conditions
    return {
        "pregnancy_later": pregnant
        and (weeks is None or weeks >= populations.pregnancy.supine_limited_from_weeks),
        "postnatal": intake.postpartum_weeks is not None and not pregnant,
        "early_after_spine_surgery": surgery
        and (intake.surgery_weeks is None or intake.surgery_weeks < populations.spine_surgery.early_weeks),
    }


def _population_facts(
    intake: Intake,
    phase: Phase,
    keys: frozenset[str],
    facts: Mapping[str, bool],
    rules: PrescriptionRules,
) -> dict[str, bool]:
    populations = rules.populations
    balance = populations.balance
    performance = populations.performance
    pregnant = "pregnancy" in intake.conditions
    postnatal = "postnatal" in keys
    activities = set(intake.activities)
    fit_for_more = (
        phase in performance.phases
        and intake.fitness in performance.fitness
        and not facts["see_doctor_soon"]
        and not pregnant
        and "early_after_spine_surgery" not in keys
    )
    too_soon_after_birth = (
        postnatal
        and intake.postpartum_weeks is not None
        and intake.postpartum_weeks < populations.postnatal.running_from_weeks
    )
    return {
        "pregnant": pregnant,
        "postnatal": postnatal,
        "pregnant_or_postnatal": pregnant or postnatal,
        "after_spine_surgery": "recent_spinal_surgery" in intake.conditions,
        "early_after_spine_surgery": "early_after_spine_surgery" in keys,
        "needs_balance": (intake.age >= balance.age_at_least and intake.fitness in balance.with_fitness)
        or bool(keys & set(balance.precaution_keys)),
        "hypermobility": "hypermobility" in keys,
        "fragile_bones": "osteoporosis" in keys,
        "suspected_fracture": "suspected_fracture" in keys,
        "fit_for_more": fit_for_more,
        "lifting_goal": fit_for_more and bool(activities & set(performance.lifting_activities)),
        # No running plan with fragile bones (no high-impact progression) or too soon after birth.
        "running_goal": fit_for_more
        and bool(activities & set(performance.running_activities))
        and "osteoporosis" not in keys
        and not too_soon_after_birth,
        "sport_goal": fit_for_more and bool(activities & set(performance.sport_activities)),
        "pool": bool(activities & set(performance.pool_activities)),
    }


def present(intake: Intake, screen: Triage, risk: Risk | None, rules: PrescriptionRules) -> Presentation:
    phase = episode_phase(intake.episode_weeks, rules)
    legs = intake.leg_symptoms != "none"
    preference = _DIRECTIONS.get(intake.directional_preference)
    high_pain_because = _high_pain_because(intake, rules)
    high_pain = bool(high_pain_because)
    low_fitness = intake.fitness in rules.start_easier.low_fitness
    breaks = rules.movement_breaks
    desk = intake.occupation in breaks.occupations or (
        intake.sitting_hours is not None and intake.sitting_hours >= breaks.sitting_hours_at_least
    )
    candidates: dict[str, bool] = {
        "everyone": True,
        phase: True,
        "not_acute": phase != "acute",
        "leg_symptoms": legs,
        "leg_symptoms_below_knee": intake.leg_symptoms == "below_knee",
        "preference_known": preference is not None,
        "no_preference_known": preference is None,
        "high_pain": high_pain,
        "low_irritability": not high_pain,
        "low_fitness": low_fitness,
        "desk_worker": desk,
        "high_risk": risk == "high",
        "lifting_or_bending_hurts": bool({"bending", "lifting"} & set(intake.aggravating))
        or intake.occupation == "manual",
        "lying_hurts": "lying" in intake.aggravating,
        "flexion_eases_leg_pain": legs and preference == "flexion",
        "see_doctor_soon": _gentle_until_seen(screen, rules),
    }
    keys: dict[str, bool] = {
        "leg_symptoms": legs,
        "leg_symptoms_below_knee": intake.leg_symptoms == "below_knee",
        "prefers_extension": preference == "extension",
        "prefers_flexion": preference == "flexion",
        "no_floor": not intake.floor_ok,
        "acute": phase == "acute",
    }
    easier = (*high_pain_because, *(("fitness",) if low_fitness else ()))
    keys.update(_population_keys(intake, rules))
    precaution_keys = _precaution_keys(
        [*intake.conditions, *(key for key, holds in keys.items() if holds)], screen.flags, rules
    )
    candidates.update(_population_facts(intake, phase, precaution_keys, candidates, rules))
    return Presentation(
        phase=phase,
        risk=risk,
        tier=screen.tier,
        facts=frozenset(name for name, holds in candidates.items() if holds),
        precaution_keys=precaution_keys,
        preference=preference,
        has_leg_symptoms=legs,
        equipment=frozenset(intake.equipment) | ASSUMED_EQUIPMENT,
        floor_ok=intake.floor_ok,
        budget_seconds=intake.minutes_per_session * 60,
        sessions_per_week=intake.sessions_per_week,
        easier_because=easier,
        aggravated_by_walking="walking" in intake.aggravating,
    )


# --- Eligibility ----------------------------------------------------------------------------------------


def exclusion(
    exercise: Exercise, person: Presentation, rules: PrescriptionRules, *, relaxed: bool = False
) -> str | None:
    """Why this exercise must not be prescribed to this person, or None when it may be.
    `relaxed` ignores the exercise's phases and the phase's starting level (never the safety rules,
    nor the gentle ceiling of a person who must see a doctor soon): the last resort of a program
    that is short of exercises."""
    for precaution in exercise.precautions:
        if precaution.action == "avoid" and precaution.when in person.precaution_keys:
            return f"avoid with {precaution.when}"
    missing = sorted(set[str](exercise.equipment) - person.equipment)
    if missing:
        return f"needs {', '.join(missing)}"
    if exercise.needs_floor and not person.floor_ok:
        return "needs the floor"
    if person.preference is not None:
        excluded = getattr(rules.directional_preference, person.preference).excluded_biases
        if exercise.direction_bias in excluded:
            return f"loads the direction opposite to {person.preference}"
    for modifier in _modifiers(person, rules):
        if exercise.direction_bias in modifier.exclude_biases:
            return f"{exercise.direction_bias} with {modifier.when}"
        if exercise.position in modifier.exclude_positions:
            return f"{exercise.position} position with {modifier.when}"
        if exercise.category in modifier.exclude_categories:
            return f"{exercise.category} with {modifier.when}"
        if exercise.id in modifier.exclude_exercises:
            return f"not with {modifier.when}"
    if person.phase not in exercise.phases and not relaxed:
        return f"not for the {person.phase} phase"
    if exercise.level > _max_level(person, rules, relaxed=relaxed):
        return f"level {exercise.level} is above the starting ceiling"
    return None


def explain_exclusions(
    intake: Intake, catalog: Catalog, *, rules: PrescriptionRules | None = None
) -> dict[str, str]:
    """Every exercise this person may not be given, with the reason (for clinicians and tests)."""
    rules = rules or default_rules()
    person = presentation_of(intake, rules)
    return {ex.id: why for ex in catalog if (why := exclusion(ex, person, rules)) is not None}


def presentation_of(intake: Intake, rules: PrescriptionRules) -> Presentation:
    """What the rules need to know about this person, as `prescribe` derives it."""
    return present(intake, triage(intake), _risk(_scores(intake)), rules)


def _max_level(person: Presentation, rules: PrescriptionRules, *, relaxed: bool = False) -> int:
    ceiling = 5 if relaxed else rules.levels.for_phase(person.phase).max
    if person.gentle:
        ceiling = min(ceiling, rules.triage.see_doctor_soon.max_level)
    return ceiling


def _modifiers(person: Presentation, rules: PrescriptionRules) -> list[Modifier]:
    return [modifier for modifier in rules.modifiers if modifier.when in person.precaution_keys]


def _cautions(exercise: Exercise, person: Presentation) -> tuple[str, ...]:
    # Two precautions may give the same advice (leg pain eased by bending forward, and stenosis):
    # it is said once.
    return tuple(
        dict.fromkeys(
            p.note
            for p in exercise.precautions
            if p.action in ("modify", "caution") and p.when in person.precaution_keys
        )
    )


def _preferences_met(exercise: Exercise, person: Presentation, rules: PrescriptionRules) -> list[Modifier]:
    return [
        modifier
        for modifier in _modifiers(person, rules)
        if exercise.direction_bias in modifier.prefer_biases or exercise.position in modifier.prefer_positions
    ]


# --- Selection ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pick:
    """One place in the program: which slot, which of its places, and the chosen exercise."""

    slot: Slot | None  # None: the fallback
    order: int  # session order
    importance: tuple[int, int]  # lower = more important; the last one is dropped first
    exercise: Exercise
    stepped_down_from: Exercise | None = None
    sets: int = 0
    reps: int | None = None
    hold_seconds: int | None = None
    shortened: bool = False


def _slot_open(slot: Slot, person: Presentation) -> bool:
    return person.holds(slot.when) and (not slot.when_any or any(f in person.facts for f in slot.when_any))


def _slot_biases(slot: Slot, person: Presentation) -> list[str]:
    biases: list[str] = []
    for bias in slot.biases:
        if bias == "preferred":
            if person.preference is not None:
                biases.append(person.preference)
        else:
            biases.append(bias)
    return biases


def _rank(
    exercise: Exercise, slot: Slot, biases: Sequence[str], person: Presentation, rules: PrescriptionRules
) -> tuple[Any, ...]:
    target = slot.target_level.for_phase(person.phase) or rules.levels.for_phase(person.phase).target
    preferred_kit = set(exercise.equipment) & set(rules.program.prefer_equipment) & person.equipment
    return (
        -len(_preferences_met(exercise, person, rules)),
        -len(preferred_kit),
        biases.index(exercise.direction_bias) if exercise.direction_bias in biases else len(biases),
        slot.categories.index(exercise.category)
        if exercise.category in slot.categories
        else len(slot.categories),
        slot.exercises.index(exercise.id) if exercise.id in slot.exercises else len(slot.exercises),
        bool(_cautions(exercise, person)),
        abs(exercise.level - target),
        exercise.level,
        exercise.id,
    )


def _chain(exercise: Exercise, catalog: Catalog) -> tuple[str, str]:
    """The progression chain an exercise belongs to, within its category: glute bridge and
    marching bridge share one, pelvic tilt (mobility) and heel slide (stabilisation) do not."""
    current = exercise
    while current.regression is not None and current.regression in catalog.exercises:
        current = catalog.exercises[current.regression]
    return current.id, exercise.category


def _select(
    eligible: Sequence[Exercise], person: Presentation, catalog: Catalog, rules: PrescriptionRules
) -> list[_Pick]:
    limit = rules.program.max_exercises
    if person.gentle:
        limit = min(limit, rules.triage.see_doctor_soon.max_exercises)
    places: list[tuple[tuple[int, int], int, Slot]] = []
    for order, slot in enumerate(rules.slots):
        if not _slot_open(slot, person):
            continue
        for index in range(slot.count.for_phase(person.phase)):
            places.append(((index, slot.priority), order * 10 + index, slot))
    places.sort(key=lambda place: place[0])

    picks: list[_Pick] = []
    used: set[str] = set()
    chains: set[tuple[str, str]] = set()
    for importance, order, slot in places:
        if len(picks) >= limit:
            break
        biases = _slot_biases(slot, person)
        candidates = [
            ex
            for ex in eligible
            if ex.category in slot.categories
            and ex.direction_bias in biases
            and _may_fill(ex, slot, rules)
            and ex.id not in used
            # A reserved slot names the very exercises it wants, whatever chain they share.
            and (
                slot.reserved
                or not (rules.program.one_per_progression_chain and _chain(ex, catalog) in chains)
            )
        ]
        if not candidates:
            continue
        best = min(candidates, key=lambda ex: _rank(ex, slot, biases, person, rules))
        picks.append(_Pick(slot=slot, order=order, importance=importance, exercise=best))
        used.add(best.id)
        chains.add(_chain(best, catalog))

    _top_up(picks, used, chains, eligible, person, catalog, rules, limit)
    if len(picks) < min(rules.program.min_exercises, limit):
        # Still short: an exercise the library files under another phase or above the phase's starting
        # level, if safe for this person in every other respect, is better than a program of two.
        other_phase = [
            ex
            for ex in catalog
            if ex.id not in used
            and ex.category not in rules.program.slot_excluded_categories
            and exclusion(ex, person, rules, relaxed=True) is None
        ]
        _top_up(picks, used, chains, other_phase, person, catalog, rules, limit, gentlest_first=True)
    return picks


def _may_fill(exercise: Exercise, slot: Slot | None, rules: PrescriptionRules) -> bool:
    """Whether the exercise may take this place (None: the fallback)."""
    if slot is not None and slot.exercises:
        return exercise.id in slot.exercises
    return rules.reserved_for(exercise.id) is None


def _kept_for_others(exercise: Exercise, person: Presentation, rules: PrescriptionRules) -> bool:
    """An exercise a slot names (balance work, the pelvic-floor squeeze) that no slot open for this
    person may take: not for them, even as a movement break."""
    if not any(exercise.id in slot.exercises for slot in rules.slots):
        return False
    return not any(
        _slot_open(slot, person) and exercise.category in slot.categories and _may_fill(exercise, slot, rules)
        for slot in rules.slots
    )


def _fits(exercise: Exercise, slot: Slot, person: Presentation, rules: PrescriptionRules) -> bool:
    return (
        exercise.category in slot.categories
        and exercise.direction_bias in _slot_biases(slot, person)
        and _may_fill(exercise, slot, rules)
    )


def _top_up(
    picks: list[_Pick],
    used: set[str],
    chains: set[tuple[str, str]],
    eligible: Sequence[Exercise],
    person: Presentation,
    catalog: Catalog,
    rules: PrescriptionRules,
    limit: int,
    *,
    gentlest_first: bool = False,
) -> None:
    """Few exercises fit this person (e.g. no floor work): fill up to the minimum with the gentlest
    remaining ones. First those of a kind this phase needs, then of a kind another phase would give
    this person, then any other, then a second of a kind already there; never one only a rule that
    does not apply would choose (a nerve glide without leg symptoms). New progression chains first,
    then any."""
    wanted = min(rules.program.min_exercises, limit)
    applicable = [s for s in rules.slots if _slot_open(s, person)]
    taken = Counter(pick.slot.id for pick in picks if pick.slot is not None)
    now = [s for s in applicable if s.count.for_phase(person.phase) > taken[s.id]]
    later = [s for s in applicable if s.count.for_phase(person.phase) == 0]
    # A slot this phase has already filled (the one balance exercise) wants no second of its kind
    # before any other gentle exercise: variety first.
    full = [s for s in applicable if s not in now and s not in later]
    categories = {category for s in applicable for category in s.categories}

    def kind(exercise: Exercise) -> tuple[int, Slot | None]:
        for tier, slots in ((0, now), (1, later)):
            for slot in slots:
                if _fits(exercise, slot, person, rules):
                    return tier, slot
        for slot in full:
            if _fits(exercise, slot, person, rules):
                return 3, slot
        only_for_others = rules.reserved_for(exercise.id) is not None or (
            exercise.category not in categories
            and any(_fits(exercise, slot, person, rules) for slot in rules.slots)
        )
        return (4 if only_for_others else 2), None

    for distinct_chains in (True, False):
        spare = sorted(
            (
                (kind(ex), ex)
                for ex in eligible
                if ex.id not in used and not (distinct_chains and _chain(ex, catalog) in chains)
            ),
            key=lambda pair: (
                pair[1].level if gentlest_first else 0,
                pair[0][0],
                -len(_preferences_met(pair[1], person, rules)),
                bool(_cautions(pair[1], person)),
                pair[1].level,
                pair[1].id,
            ),
        )
        for (tier, slot), ex in spare:
            if len(picks) >= wanted:
                break
            if tier == 4:
                continue
            position = rules.slots.index(slot) if slot is not None else len(rules.slots)
            order = position * 10 + 9
            picks.append(_Pick(slot=slot, order=order, importance=(99, len(picks)), exercise=ex))
            used.add(ex.id)
            chains.add(_chain(ex, catalog))


def _step_down(
    picks: list[_Pick], person: Presentation, catalog: Catalog, rules: PrescriptionRules
) -> list[_Pick]:
    """Low fitness or high pain: start on the easier variant where a safe one exists."""
    if not person.easier_because:
        return picks
    used = {pick.exercise.id for pick in picks}
    result = []
    for pick in picks:
        current = pick.exercise
        for _ in range(rules.start_easier.regression_steps):
            easier = catalog.easier(current)
            if (
                easier is None
                or easier.id in used
                or easier.category in rules.program.slot_excluded_categories
                or not _may_fill(easier, pick.slot, rules)
                or exclusion(easier, person, rules) is not None
            ):
                break
            current = easier
        if current is pick.exercise:
            result.append(pick)
            continue
        used.discard(pick.exercise.id)
        used.add(current.id)
        result.append(replace(pick, exercise=current, stepped_down_from=pick.exercise))
    return result


# --- Dose and time ---------------------------------------------------------------------------------------------


def exercise_seconds(
    exercise: Exercise, sets: int, reps: int | None, hold_seconds: int | None, rules: PrescriptionRules
) -> float:
    """Time of one exercise at a dose: sets of reps (moving time plus hold), per side, with rests."""
    timing = exercise.timing
    if reps is not None:
        one_set = reps * (timing.seconds_per_rep + (hold_seconds or 0))
    elif hold_seconds is not None:
        one_set = float(hold_seconds)
    else:
        one_set = (exercise.dose.minutes or 0) * 60
    if timing.per_side:
        one_set *= 2
    return sets * one_set + (sets - 1) * timing.rest_seconds + rules.timing.setup_seconds_per_exercise


def _with_start_dose(pick: _Pick, person: Presentation, rules: PrescriptionRules) -> _Pick:
    dose = pick.exercise.dose
    pick = replace(pick, sets=dose.sets, reps=dose.reps, hold_seconds=dose.hold_seconds, shortened=False)
    little = _little_and_often(pick, person, rules)
    if little is not None:
        # Work in the easing direction is done little and often at the rule's own dose: the session's
        # minutes count it at that dose, so that fitting the time never leaves it over the minutes.
        repeated = pick.reps is not None and pick.hold_seconds is None
        pick = replace(pick, sets=little.sets, reps=little.reps if repeated else pick.reps)
    return pick


def _seconds(pick: _Pick, rules: PrescriptionRules) -> float:
    return exercise_seconds(pick.exercise, pick.sets, pick.reps, pick.hold_seconds, rules)


def _total(picks: Sequence[_Pick], rules: PrescriptionRules) -> float:
    return sum(_seconds(pick, rules) for pick in picks)


def _floor(start: int, rules: PrescriptionRules) -> int:
    return max(1, math.ceil(start * rules.timing.min_fraction_of_starting_dose))


def _trim(pick: _Pick, person: Presentation, rules: PrescriptionRules) -> _Pick | None:
    """One notch less of this exercise within the allowed floor, or None when at the floor (or when
    the dose is little-and-often's, which is the rule's and not cut)."""
    if _little_and_often(pick, person, rules) is not None:
        return None
    start = pick.exercise.dose
    if pick.reps is not None and start.reps is not None and pick.reps > _floor(start.reps, rules):
        return replace(pick, reps=pick.reps - 1, shortened=True)
    if (
        pick.reps is None
        and pick.hold_seconds is not None
        and start.hold_seconds is not None
        and pick.hold_seconds > _floor(start.hold_seconds, rules)
    ):
        return replace(pick, hold_seconds=pick.hold_seconds - 1, shortened=True)
    return None


def _fit_time(
    picks: list[_Pick], eligible: Sequence[Exercise], person: Presentation, rules: PrescriptionRules
) -> list[_Pick]:
    """Cut the program to the person's minutes: sets first, then the least important exercises,
    then repetitions (to a floor), then swap the longest exercise for a shorter one in its slot."""
    picks = [_with_start_dose(pick, person, rules) for pick in picks]
    budget = person.budget_seconds
    minimum = rules.program.min_exercises

    while _total(picks, rules) > budget:
        most_sets = max(picks, key=lambda p: (p.sets, p.importance), default=None)
        if most_sets is None or most_sets.sets <= 1:
            break
        picks[picks.index(most_sets)] = replace(most_sets, sets=most_sets.sets - 1, shortened=True)

    while _total(picks, rules) > budget and len(picks) > minimum:
        picks.remove(max(picks, key=lambda p: p.importance))

    while _total(picks, rules) > budget:
        trimmable = [(p, t) for p in picks if (t := _trim(p, person, rules)) is not None]
        if not trimmable:
            break
        longest, trimmed = max(trimmable, key=lambda pair: (_seconds(pair[0], rules), pair[0].importance))
        picks[picks.index(longest)] = trimmed

    for pick in sorted(picks, key=lambda p: (-_seconds(p, rules), p.importance)):
        if _total(picks, rules) <= budget:
            break
        picks = _swap_for_shorter(pick, picks, eligible, person, rules)
    return picks


def _fill_time(
    picks: list[_Pick],
    person: Presentation,
    rules: PrescriptionRules,
    *,
    sets_only: bool,
    reserved_seconds: float = 0,
) -> list[_Pick]:
    """A fit person in the later phases gets the minutes they offered: one step more of each
    exercise in turn (a set; with `sets_only` false also repetitions, then hold time), most
    important first, never past the exercise's maximum dose or the minutes offered (less the
    minutes `reserved` for the walk that ends the session)."""
    if "fit_for_more" not in person.facts:
        return picks
    budget = person.budget_seconds - reserved_seconds
    target = person.budget_seconds * (1 - rules.populations.performance.fill_time_within) - reserved_seconds
    picks = list(picks)
    while _total(picks, rules) < target:
        grown = False
        for pick in sorted(picks, key=lambda p: p.importance):
            more = _one_step_more(pick, sets_only=sets_only)
            if more is None:
                continue
            trial = [more if p is pick else p for p in picks]
            if _total(trial, rules) <= budget:
                picks = trial
                grown = True
                if _total(picks, rules) >= target:
                    break
        if not grown:
            break
    return picks


def _one_step_more(pick: _Pick, *, sets_only: bool) -> _Pick | None:
    # More sets first; repetitions and holds only when sets and the walk leave time over, so the
    # doses keep room to progress on the ladder.
    top = pick.exercise.max_dose
    if pick.sets < top.sets:
        return replace(pick, sets=pick.sets + 1)
    if sets_only:
        return None
    if pick.reps is not None and top.reps is not None and pick.reps < top.reps and pick.reps > 1:
        return replace(pick, reps=min(top.reps, pick.reps + 2))
    if (
        pick.hold_seconds is not None
        and top.hold_seconds is not None
        and pick.hold_seconds < top.hold_seconds
    ):
        return replace(pick, hold_seconds=min(top.hold_seconds, pick.hold_seconds + 5))
    return None


def _swap_for_shorter(
    pick: _Pick,
    picks: list[_Pick],
    eligible: Sequence[Exercise],
    person: Presentation,
    rules: PrescriptionRules,
) -> list[_Pick]:
    used = {p.exercise.id for p in picks}
    if pick.slot is not None:
        biases = _slot_biases(pick.slot, person)
        pool = [
            ex
            for ex in eligible
            if ex.category in pick.slot.categories
            and ex.direction_bias in biases
            and _may_fill(ex, pick.slot, rules)
        ]
    else:
        pool = [ex for ex in eligible if _may_fill(ex, None, rules)]
    options = []
    for ex in pool:
        if ex.id in used:
            continue
        option = _with_start_dose(replace(pick, exercise=ex, stepped_down_from=None), person, rules)
        if _little_and_often(option, person, rules) is None:
            option = replace(option, sets=1, shortened=True)
        while (trimmed := _trim(option, person, rules)) is not None:
            option = trimmed
        if _seconds(option, rules) < _seconds(pick, rules):
            options.append(option)
    if not options:
        return picks
    shortest = min(options, key=lambda o: (_seconds(o, rules), o.exercise.id))
    return [shortest if p is pick else p for p in picks]


# --- Reasons -------------------------------------------------------------------------------------------------------


def _reasons(
    pick: _Pick, person: Presentation, rules: PrescriptionRules, sessions: int, frequency_reason: str | None
) -> tuple[str, ...]:
    values = {
        "movement": getattr(rules.directional_preference, person.preference).movement
        if person.preference
        else "",
        "symptom": _SYMPTOM_WORDS[person.has_leg_symptoms],
    }
    reasons = [(pick.slot.reason if pick.slot else rules.fallback.reason).format(**values)]
    reasons += [modifier.reason for modifier in _preferences_met(pick.exercise, person, rules)]
    if pick.stepped_down_from is not None:
        why = " and ".join(_EASIER_WORDS[key] for key in person.easier_because)
        harder = pick.stepped_down_from.name
        reasons.append(
            f"You start with this easier version of the {harder.lower()} because {why}; "
            f"move on to the {harder.lower()} once this feels easy."
        )
    if pick.shortened:
        reasons.append(
            "Your sessions are short, so you start with a smaller amount; it builds up as the exercise gets easier."
        )
    if frequency_reason is not None:
        reasons.append(frequency_reason.format(sessions=sessions))
    return tuple(reasons)


_EASIER_WORDS = {
    "pain": "your pain is high at the moment",
    "bother": "your pain bothers you a lot at the moment",
    "fitness": "you told us your fitness is low",
}


def _evidence(
    pick: _Pick, person: Presentation, rules: PrescriptionRules, extra: Iterable[str]
) -> tuple[str, ...]:
    ids: list[str] = list(pick.slot.evidence if pick.slot else rules.fallback.evidence)
    for modifier in _preferences_met(pick.exercise, person, rules):
        ids += modifier.evidence
    if pick.stepped_down_from is not None:
        ids += rules.start_easier.evidence
    ids += extra
    ids += pick.exercise.evidence
    return tuple(dict.fromkeys(ids))


def _prescribed(pick: _Pick, person: Presentation, rules: PrescriptionRules) -> PrescribedExercise:
    sessions = person.sessions_per_week
    frequency_reason: str | None = None
    frequency_evidence: list[str] = []
    for rule in rules.frequency:
        if (
            person.holds(rule.when)
            and pick.exercise.category in rule.categories
            and sessions > rule.max_sessions_per_week
        ):
            sessions = rule.max_sessions_per_week
            frequency_reason = rule.reason
            frequency_evidence = list(rule.evidence)
    reasons = _reasons(pick, person, rules, sessions, frequency_reason)
    evidence = _evidence(pick, person, rules, frequency_evidence)
    times_per_day: int | None = None
    little = _little_and_often(pick, person, rules)
    if little is not None:
        # Repeated movements take the little-and-often repetitions; held positions keep their holds.
        repeated = pick.reps is not None and pick.hold_seconds is None
        pick = replace(pick, sets=little.sets, reps=little.reps if repeated else pick.reps)
        times_per_day = little.times_per_day
        reasons += (little.reason.format(times=little.times_per_day),)
        evidence = tuple(dict.fromkeys([*evidence, *little.evidence]))
    return PrescribedExercise(
        id=pick.exercise.id,
        name=pick.exercise.name,
        slot=pick.slot.id if pick.slot else "fallback",
        sets=pick.sets,
        reps=pick.reps,
        hold_seconds=pick.hold_seconds,
        per_side=pick.exercise.timing.per_side,
        sessions_per_week=sessions,
        reasons=reasons,
        evidence=evidence,
        cautions=_cautions(pick.exercise, person),
        seconds=_seconds(pick, rules),
        times_per_day=times_per_day,
    )


def _little_and_often(pick: _Pick, person: Presentation, rules: PrescriptionRules) -> LittleAndOften | None:
    little = rules.directional_preference.little_and_often
    if (
        little is None
        or person.preference is None
        or person.phase not in little.phases
        or pick.slot is None
        or pick.slot.id not in little.slots
    ):
        return None
    return little


# --- Walking, movement breaks, education --------------------------------------------------------------------------


def _walking(person: Presentation, catalog: Catalog, rules: PrescriptionRules) -> WalkingPlan | None:
    plan = rules.walking
    walk = catalog.exercises.get(plan.exercise_id)
    notes: list[str] = []
    evidence = list(plan.evidence)
    modified = False
    if walk is not None:
        applying = [p for p in walk.precautions if p.when in person.precaution_keys]
        if any(p.action == "avoid" for p in applying):
            return None
        modified = any(p.action == "modify" for p in applying)
        notes += _cautions(walk, person)
    # A walking precaution that asks to modify it (e.g. short bouts while acute) starts gently too.
    easier = bool(person.easier_because) or person.aggravated_by_walking or modified
    increase = plan.weekly_increase_minutes_easier if easier else plan.weekly_increase_minutes
    if person.gentle_until_seen:
        increase = rules.triage.see_doctor_soon.walking_weekly_increase_minutes
    for note in plan.notes:
        if person.holds(note.when):
            notes.append(note.text)
            evidence += note.evidence
    alternatives: list[str] = []
    for alternative in plan.alternatives:
        other = catalog.exercises.get(alternative.exercise_id)
        if other is None or not person.holds(alternative.when):
            continue
        if any(p.action == "avoid" and p.when in person.precaution_keys for p in other.precautions):
            continue
        alternatives.append(other.id)
        notes += [alternative.text, *_cautions(other, person)]
        evidence += alternative.evidence
    run_walk = None
    if plan.run_walk is not None and person.holds(plan.run_walk.when):
        rw = plan.run_walk
        run_walk = {
            "run_minutes": rw.run_minutes,
            "walk_minutes": rw.walk_minutes,
            "repeats": rw.repeats,
            "weekly_increase_run_minutes": rw.weekly_increase_run_minutes,
            "starts_when": rw.text,
        }
        evidence += rw.evidence
    return WalkingPlan(
        minutes_per_bout=plan.start_minutes_easier if easier else plan.start_minutes,
        bouts_per_day=plan.bouts_per_day_easier if easier else plan.bouts_per_day,
        days_per_week=plan.days_per_week,
        weekly_increase_minutes=increase,
        target_minutes=plan.target_minutes,
        target_days_per_week=plan.days_per_week,
        reasons=tuple(plan.reasons),
        notes=tuple(dict.fromkeys(notes)),
        evidence=tuple(dict.fromkeys(evidence)),
        alternatives=tuple(alternatives),
        run_walk=run_walk,
    )


def _walk_in_session(
    walking: WalkingPlan | None, picks: Sequence[_Pick], person: Presentation, rules: PrescriptionRules
) -> WalkingPlan | None:
    """A fit person whose exercises leave minutes over finishes the session with the day's walk,
    as long as the minutes allow (up to the walking target)."""
    if walking is None or "fit_for_more" not in person.facts or walking.weekly_increase_minutes == 0:
        return walking
    if walking.minutes_per_bout != rules.walking.start_minutes or walking.bouts_per_day != 1:
        return walking  # an easier start (pain, fitness, walking hurts) stays as it is
    spare = math.floor((person.budget_seconds - _total(picks, rules)) / 60)
    if spare < walking.minutes_per_bout:
        return walking
    return replace(walking, minutes_per_bout=float(min(spare, walking.target_minutes)), in_session=True)


def _movement_breaks(
    person: Presentation, catalog: Catalog, rules: PrescriptionRules
) -> MovementBreakPlan | None:
    if "desk_worker" not in person.facts:
        return None
    breaks = rules.movement_breaks
    fitting = [
        ex
        for ex in catalog
        if ex.desk_break and exclusion(ex, person, rules) is None and not _kept_for_others(ex, person, rules)
    ]
    fitting.sort(
        key=lambda ex: (
            ex.direction_bias != person.preference,
            -len(_preferences_met(ex, person, rules)),
            bool(_cautions(ex, person)),
            ex.level,
            ex.id,
        )
    )
    # Different movements first (two pelvic tilts make a poor choice of three), then any.
    chosen: list[Exercise] = []
    for ex in fitting:
        if ex.direction_bias not in {c.direction_bias for c in chosen}:
            chosen.append(ex)
    chosen += [ex for ex in fitting if ex not in chosen]
    chosen = chosen[: breaks.max_exercises]
    return MovementBreakPlan(
        every_minutes=breaks.every_minutes,
        exercises=tuple(ex.id for ex in chosen),
        reasons=(breaks.reason.format(every=breaks.every_minutes),),
        evidence=tuple(breaks.evidence),
        cautions={ex.id: notes for ex in chosen if (notes := _cautions(ex, person))},
    )


def _education(facts: frozenset[str], catalog: Catalog, rules: PrescriptionRules) -> tuple[str, ...]:
    topics = [
        rule.topic
        for rule in rules.education
        if all(fact in facts for fact in rule.when)
        and not any(fact in facts for fact in rule.unless)
        and rule.topic in catalog.education
    ]
    return tuple(dict.fromkeys(topics))


def _scores(intake: Intake) -> dict[str, Any]:
    from lumbar.domain.instruments import score_intake

    return dict(score_intake(intake))


# --- The generator ---------------------------------------------------------------------------------------------


def prescribe(intake: Intake, catalog: Catalog, *, rules: PrescriptionRules | None = None) -> Program:
    """The program for this intake. Pure and deterministic: the same intake, content and rules
    always give the same program (byte-identical JSON)."""
    rules = rules or default_rules()
    screen = triage(intake)
    scores = _scores(intake)
    person = present(intake, screen, _risk(scores), rules)
    stop_rules = [
        (rule.text.format(pain_max=pain_during_limit()), rule.also_when_referred)
        for rule in rules.stop_rules
        if person.holds(rule.when)
    ]

    if screen.blocks_program:
        return Program(
            status="refer",
            triage=screen,
            phase=person.phase,
            risk=person.risk,
            scores=scores,
            exercises=(),
            walking=None,
            movement_breaks=None,
            education=tuple(t for t in rules.triage.refer_topics if t in catalog.education),
            recommendations=(),
            stop_rules=tuple(text for text, when_referred in stop_rules if when_referred),
            reassess_after_days=rules.reassess.refer_after_days,
            content_version=catalog.version,
            precaution_keys=tuple(sorted(person.precaution_keys)),
        )

    excluded_categories = set(rules.program.slot_excluded_categories)
    eligible = [
        ex
        for ex in catalog
        if ex.category not in excluded_categories and exclusion(ex, person, rules) is None
    ]
    picks = _select(eligible, person, catalog, rules)
    picks = _step_down(picks, person, catalog, rules)
    picks = _fit_time(picks, eligible, person, rules)
    picks = _fill_time(picks, person, rules, sets_only=True)
    picks.sort(key=lambda pick: pick.order)

    walking = _walking(person, catalog, rules)
    walking = _walk_in_session(walking, picks, person, rules)
    in_session = walking.minutes_per_bout * 60 if walking is not None and walking.in_session else 0
    picks = _fill_time(picks, person, rules, sets_only=False, reserved_seconds=in_session)
    facts = set(person.facts)
    if walking is not None:
        facts.add("walking_plan")
    if len(picks) < rules.program.min_exercises:
        facts.add("short_program")
    return Program(
        status="ok",
        triage=screen,
        phase=person.phase,
        risk=person.risk,
        scores=scores,
        exercises=tuple(_prescribed(pick, person, rules) for pick in picks),
        walking=walking,
        movement_breaks=_movement_breaks(person, catalog, rules),
        education=_education(frozenset(facts), catalog, rules),
        recommendations=tuple(r.text for r in rules.recommendations if all(f in facts for f in r.when)),
        stop_rules=tuple(text for text, _ in stop_rules),
        reassess_after_days=rules.reassess.after_days,
        content_version=catalog.version,
        precaution_keys=tuple(sorted(person.precaution_keys)),
    )


__all__ = [
    "MovementBreakPlan",
    "PrescribedExercise",
    "Presentation",
    "Program",
    "WalkingPlan",
    "episode_phase",
    "exclusion",
    "exercise_seconds",
    "explain_exclusions",
    "prescribe",
    "present",
]
