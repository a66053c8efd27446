"""Properties over random valid intakes: a tier always results, one more yes never lowers it,
scores stay in range, and the output keeps to the contract."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

from hypothesis import given, settings
from hypothesis import strategies as st

from lumbar.domain.instruments import score_intake
from lumbar.domain.intake import Condition, Inflammatory, RedFlags, StartBackAnswers, parse_intake
from lumbar.domain.screening import Tier, default_rules, triage, triage_red_flags, with_implied_flags

RED_FLAG_KEYS = tuple(RedFlags.model_fields)
INFLAMMATORY_KEYS = tuple(Inflammatory.model_fields)
STARTBACK_AGREE = tuple(key for key in StartBackAnswers.model_fields if key != "bothersomeness")
CONDITIONS = list(get_args(Condition))
BOTHER = ["not_at_all", "slightly", "moderately", "very_much", "extremely"]


def _subset_flags(keys: tuple[str, ...]) -> st.SearchStrategy[dict[str, bool]]:
    # Mix absent keys, explicit false and true: all three are valid and only true counts.
    return st.dictionaries(st.sampled_from(keys), st.booleans())


def _optional(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=strategies)


intakes: st.SearchStrategy[dict[str, Any]] = st.builds(
    lambda required, optional: {**required, **optional},
    st.fixed_dictionaries(
        {
            "age": st.integers(16, 110),
            "episode_weeks": st.one_of(st.integers(0, 2600), st.floats(0, 2600, allow_nan=False)),
            "pain": _optional(worst_24h=st.integers(0, 10), best_24h=st.integers(0, 10)).map(
                lambda extra: {"now": 5, **extra}
            ),
            "leg_symptoms": st.sampled_from(["none", "above_knee", "below_knee"]),
        }
    ),
    _optional(
        first_episode=st.booleans(),
        red_flags=_subset_flags(RED_FLAG_KEYS),
        inflammatory=_subset_flags(INFLAMMATORY_KEYS),
        startback=st.fixed_dictionaries(
            {key: st.booleans() for key in STARTBACK_AGREE} | {"bothersomeness": st.sampled_from(BOTHER)}
        ),
        odi_sections=st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10),
        rmdq_yes=st.lists(st.integers(1, 24), unique=True, max_size=24),
        goals=st.lists(
            st.fixed_dictionaries(
                {"activity": st.text(min_size=1, max_size=20), "score": st.integers(0, 10)}
            ),
            min_size=1,
            max_size=5,
        ),
        sex=st.sampled_from(["female", "male", "other", None]),
        leg_side=st.sampled_from(["left", "right", "both", None]),
        conditions=st.lists(st.sampled_from(CONDITIONS), unique=True, max_size=4),
        back_pain_years=st.floats(0, 90, allow_nan=False),
    ),
)

KNOWN_FLAGS = {
    *RED_FLAG_KEYS,
    *(combination.id for combination in default_rules().combinations),
    *(severe.id for severe in default_rules().severe_pain),
    "age_onset",
    "inflammatory_back_pain",
    "inflammatory_back_pain_possible",
}


@settings(max_examples=300, deadline=None)
@given(intakes)
def test_every_valid_intake_gets_a_tier_known_flags_and_advice(data: dict[str, Any]) -> None:
    result = triage(parse_intake(data))
    assert isinstance(result.tier, Tier)
    assert set(result.flags) <= KNOWN_FLAGS
    assert len(set(result.flags)) == len(result.flags)
    assert result.advice
    assert result == triage(parse_intake(data)), "triage must be deterministic"


@settings(max_examples=300, deadline=None)
@given(intakes, st.sampled_from(RED_FLAG_KEYS))
def test_answering_one_more_red_flag_yes_never_lowers_the_tier(data: dict[str, Any], flag: str) -> None:
    before = triage(parse_intake(data))
    more = {**data, "red_flags": {**data.get("red_flags", {}), flag: True}}
    after = triage(parse_intake(more))
    assert after.tier.severity >= before.tier.severity
    assert set(before.flags) <= set(after.flags)


@settings(max_examples=200, deadline=None)
@given(intakes, st.sampled_from(INFLAMMATORY_KEYS))
def test_one_more_inflammatory_criterion_never_lowers_the_tier(data: dict[str, Any], criterion: str) -> None:
    before = triage(parse_intake(data))
    more = {**data, "inflammatory": {**data.get("inflammatory", {}), criterion: True}}
    assert triage(parse_intake(more)).tier.severity >= before.tier.severity


@settings(max_examples=200, deadline=None)
@given(intakes)
def test_any_cauda_equina_sign_makes_any_intake_an_emergency(data: dict[str, Any]) -> None:
    ces = {**data, "red_flags": {**data.get("red_flags", {}), "saddle_numbness": True}}
    assert triage(parse_intake(ces)).tier is Tier.EMERGENCY_NOW


@settings(max_examples=300, deadline=None)
@given(intakes)
def test_scores_stay_in_their_ranges(data: dict[str, Any]) -> None:
    scores = score_intake(parse_intake(data))
    assert 0 <= scores["nprs"] <= 10
    if "odi_percent" in scores and scores["odi_percent"] is not None:
        assert 0 <= scores["odi_percent"] <= 100
        assert scores["odi_band"] in {"minimal", "moderate", "severe", "very_severe", "bed_bound"}
    if "odi_percent" in scores and scores["odi_percent"] is None:
        assert str(scores["odi_interpretation"]).startswith("not scorable")
    if "rmdq" in scores:
        assert 0 <= scores["rmdq"] <= 24
    if "psfs_mean" in scores:
        assert 0 <= scores["psfs_mean"] <= 10
    if "startback_total" in scores:
        total, psychosocial = scores["startback_total"], scores["startback_psychosocial"]
        assert 0 <= psychosocial <= 5
        assert psychosocial <= total <= 9
        expected = "low" if total <= 3 else "medium" if psychosocial <= 3 else "high"
        assert scores["startback_risk"] == expected


@settings(max_examples=100, deadline=None)
@given(intakes)
def test_random_intakes_are_valid_by_the_contract_and_triage_json_too(
    contract_validator: Callable[..., Callable[[Any], None]],
    contract_part_validator: Callable[[str, str], Callable[[Any], None]],
    data: dict[str, Any],
) -> None:
    contract_validator("intake")(data)
    contract_part_validator("program", "/properties/triage")(triage(parse_intake(data)).to_json())


@settings(max_examples=200, deadline=None)
@given(intakes)
def test_the_check_in_mini_screen_agrees_with_the_full_screen_on_red_flags(data: dict[str, Any]) -> None:
    intake = parse_intake(data)
    full = triage(intake)
    mini = triage_red_flags(
        with_implied_flags(intake), has_leg_symptoms=intake.has_leg_symptoms, conditions=intake.conditions
    )
    assert mini.tier.severity <= full.tier.severity
    assert set(mini.flags) <= set(full.flags)
    assert set(full.flags) - set(mini.flags) <= {
        "age_onset",
        "inflammatory_back_pain",
        "inflammatory_back_pain_possible",
        *(severe.id for severe in default_rules().severe_pain),
    }


# A fact that the intake can hold either as a condition or as a warning-sign answer.
SAME_FACT = [
    ("diabetes", "infection_risk"),
    ("steroid_use", "infection_risk"),
    ("recent_spinal_surgery", "recent_infection_or_spinal_procedure"),
]


@settings(max_examples=300, deadline=None)
@given(intakes, st.sampled_from(SAME_FACT))
def test_moving_a_fact_between_conditions_and_red_flags_never_changes_the_tier(
    data: dict[str, Any], fact: tuple[str, str]
) -> None:
    condition, flag = fact
    others = [c for c in data.get("conditions", []) if c not in {c for c, f in SAME_FACT if f == flag}]
    as_condition = {**data, "conditions": [*others, condition]}
    as_flag = {**data, "conditions": others, "red_flags": {**data.get("red_flags", {}), flag: True}}
    assert triage(parse_intake(as_condition)).tier is triage(parse_intake(as_flag)).tier


@settings(max_examples=300, deadline=None)
@given(intakes)
def test_advice_never_says_no_serious_cause_beside_go_to_an_emergency_department(
    data: dict[str, Any],
) -> None:
    advice = triage(parse_intake(data)).advice.lower()
    assert not ("serious cause" in advice and "emergency department" in advice)
