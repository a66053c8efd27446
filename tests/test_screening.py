"""Red-flag triage: every question on its own, the combinations, the age and NG65 rules, the advice."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lumbar.domain.errors import InvalidInput
from lumbar.domain.intake import Inflammatory, RedFlags, parse_intake
from lumbar.domain.screening import (
    SCREENING_FILE,
    Tier,
    Triage,
    default_rules,
    load_screening_rules,
    triage,
    triage_red_flags,
)

CES = [
    "saddle_numbness",
    "bladder_change",
    "urinary_retention_or_incontinence",
    "bowel_incontinence",
    "sexual_dysfunction",
    "bilateral_leg_symptoms",
    "bilateral_leg_weakness",
]
NEUROLOGICAL = [*CES, "progressive_leg_weakness", "spreading_numbness"]
INFECTION_RISKS = ["infection_risk", "recent_infection_or_spinal_procedure"]

# The tier each red-flag question raises on its own (clinical-reference 1.3), written out here
# independently of screening.toml so that a change to the bank has to change this table too.
TIER_ALONE: dict[str, Tier] = {
    **dict.fromkeys(CES, Tier.EMERGENCY_NOW),
    "progressive_leg_weakness": Tier.URGENT_SAME_DAY,
    "spreading_numbness": Tier.SEE_DOCTOR_SOON,
    "fever_or_unwell": Tier.URGENT_SAME_DAY,
    "infection_risk": Tier.ROUTINE,
    "recent_infection_or_spinal_procedure": Tier.ROUTINE,
    "cancer_history": Tier.URGENT_SAME_DAY,
    "unexplained_weight_loss": Tier.SEE_DOCTOR_SOON,
    "constant_night_pain": Tier.SEE_DOCTOR_SOON,
    "thoracic_pain": Tier.SEE_DOCTOR_SOON,
    "major_trauma": Tier.EMERGENCY_NOW,
    "minor_trauma_with_bone_risk": Tier.SEE_DOCTOR_SOON,
    "sudden_severe_pain_eased_lying": Tier.SEE_DOCTOR_SOON,
    "sudden_severe_abdominal_or_back_pain_with_faintness": Tier.EMERGENCY_NOW,
    "pulsating_abdominal_mass": Tier.EMERGENCY_NOW,
}


def make_intake(**fields: Any) -> dict[str, Any]:
    """A plain intake: 40 years old, 3 weeks of back pain, no leg symptoms, no red flags."""
    return {"age": 40, "episode_weeks": 3, "pain": {"now": 4}, "leg_symptoms": "none", **fields}


def screen(*flags: str, **fields: Any) -> Triage:
    red_flags = dict.fromkeys(flags, True)
    return triage(parse_intake(make_intake(red_flags=red_flags, **fields)))


def test_the_expected_tier_table_covers_every_red_flag_key_of_the_contract() -> None:
    assert set(TIER_ALONE) == set(RedFlags.model_fields)


def test_no_red_flags_is_routine_with_no_flags() -> None:
    result = screen()
    assert result.tier is Tier.ROUTINE
    assert result.flags == ()
    assert "You answered no to every warning-sign question" in result.advice


@pytest.mark.parametrize(("flag", "tier"), sorted(TIER_ALONE.items()))
def test_every_red_flag_alone_gives_its_tier(flag: str, tier: Tier) -> None:
    result = screen(flag)
    assert result.tier is tier
    assert result.flags == (flag,)
    assert result.evidence, "a fired rule must cite its sources"


@pytest.mark.parametrize("flag", CES)
def test_any_cauda_equina_sign_is_an_emergency(flag: str) -> None:
    result = screen(flag)
    assert result.tier is Tier.EMERGENCY_NOW
    assert result.advice.startswith("Go to an emergency department now, or call your local emergency number.")


@pytest.mark.parametrize("neuro", NEUROLOGICAL)
def test_cancer_history_with_any_neurological_symptom_is_an_emergency(neuro: str) -> None:
    result = screen("cancer_history", neuro)
    assert result.tier is Tier.EMERGENCY_NOW
    assert "cancer_history_with_neurological_symptoms" in result.flags


def test_cancer_history_with_leg_weakness_is_an_emergency() -> None:
    assert screen("cancer_history", "progressive_leg_weakness").tier is Tier.EMERGENCY_NOW


def test_cancer_history_alone_is_urgent_with_advice_to_call_the_cancer_team() -> None:
    result = screen("cancer_history")
    assert result.tier is Tier.URGENT_SAME_DAY
    assert "cancer team" in result.advice


def test_cancer_history_with_a_non_neurological_flag_stays_urgent() -> None:
    result = screen("cancer_history", "thoracic_pain")
    assert result.tier is Tier.URGENT_SAME_DAY
    assert "cancer_history_with_neurological_symptoms" not in result.flags


@pytest.mark.parametrize("risk", INFECTION_RISKS)
def test_fever_in_someone_at_risk_of_spinal_infection_is_an_emergency(risk: str) -> None:
    result = screen("fever_or_unwell", risk)
    assert result.tier is Tier.EMERGENCY_NOW
    assert "infection_signs_with_risk_factor" in result.flags


@pytest.mark.parametrize("neuro", NEUROLOGICAL)
def test_fever_with_neurological_symptoms_is_an_emergency(neuro: str) -> None:
    result = screen("fever_or_unwell", neuro)
    assert result.tier is Tier.EMERGENCY_NOW
    assert "infection_signs_with_neurological_symptoms" in result.flags


@pytest.mark.parametrize("risk", INFECTION_RISKS)
def test_constant_night_pain_with_an_infection_risk_factor_is_urgent(risk: str) -> None:
    result = screen("constant_night_pain", risk)
    assert result.tier is Tier.URGENT_SAME_DAY
    assert result.flags == (risk, "constant_night_pain", "constant_pain_with_infection_risk")


@pytest.mark.parametrize("risk", INFECTION_RISKS)
def test_an_infection_risk_factor_alone_is_reported_but_changes_nothing(risk: str) -> None:
    result = screen(risk)
    assert result.tier is Tier.ROUTINE
    assert result.flags == (risk,)


@pytest.mark.parametrize("ces", CES)
def test_progressive_weakness_with_a_cauda_equina_sign_is_an_emergency(ces: str) -> None:
    result = screen("progressive_leg_weakness", ces)
    assert result.tier is Tier.EMERGENCY_NOW
    assert "progressive_weakness_with_cauda_equina_sign" in result.flags


def test_spreading_numbness_with_leg_weakness_is_upgraded_to_urgent() -> None:
    result = screen("spreading_numbness", "progressive_leg_weakness")
    assert result.tier is Tier.URGENT_SAME_DAY
    assert "spreading_numbness_with_weakness" in result.flags


def test_the_most_severe_rule_wins_and_every_fired_flag_is_reported() -> None:
    result = screen("thoracic_pain", "fever_or_unwell", "major_trauma")
    assert result.tier is Tier.EMERGENCY_NOW
    assert set(result.flags) == {"thoracic_pain", "fever_or_unwell", "major_trauma"}


def test_flags_come_in_bank_order_whatever_order_they_were_answered() -> None:
    assert screen("thoracic_pain", "saddle_numbness").flags == ("saddle_numbness", "thoracic_pain")


# --- First episode at an unusual age (MAL3) ---------------------------------------------------


@pytest.mark.parametrize(
    ("age", "episode_weeks", "first_episode", "fires"),
    [
        (51, 0, True, True),  # began at 51: over 50
        (50, 0, True, False),  # exactly 50 is not over 50
        (19, 0, True, True),  # under 20
        (20, 0, True, False),  # exactly 20 is not under 20
        (70, 4, False, False),  # not a first episode
        (52, 156, True, False),  # now 52, but the episode began three years ago, at about 49
        (53, 52, True, True),  # began a year ago, at about 52
    ],
)
def test_first_episode_over_50_or_under_20_means_see_a_doctor_soon(
    age: int, episode_weeks: float, first_episode: bool, fires: bool
) -> None:
    result = screen(age=age, episode_weeks=episode_weeks, first_episode=first_episode)
    assert ("age_onset" in result.flags) is fires
    assert result.tier is (Tier.SEE_DOCTOR_SOON if fires else Tier.ROUTINE)


# --- NICE NG65 inflammatory back pain --------------------------------------------------------


def criteria(*names: str) -> dict[str, bool]:
    return dict.fromkeys(names, True)


FOUR = ("wakes_second_half_of_night", "buttock_pain", "improves_with_movement", "psoriasis")


def test_four_inflammatory_criteria_mean_rheumatology_referral() -> None:
    # 40 years old, half a year of pain: began at about 39.5, so the onset-before-35 criterion is not met.
    result = screen(age=40, episode_weeks=26, inflammatory=criteria(*FOUR))
    assert result.tier is Tier.SEE_DOCTOR_SOON
    assert result.flags == ("inflammatory_back_pain",)
    assert "rheumatologist" in result.advice
    assert "nice-ng65-2017" in result.evidence


def test_three_inflammatory_criteria_mean_ask_about_hla_b27() -> None:
    result = screen(age=40, episode_weeks=26, inflammatory=criteria(*FOUR[:3]))
    assert result.tier is Tier.SEE_DOCTOR_SOON
    assert result.flags == ("inflammatory_back_pain_possible",)
    assert "HLA-B27" in result.advice


def test_two_inflammatory_criteria_raise_nothing() -> None:
    result = screen(age=40, episode_weeks=26, inflammatory=criteria(*FOUR[:2]))
    assert result.tier is Tier.ROUTINE
    assert result.flags == ()


def test_all_nine_inflammatory_criteria_still_refer_to_rheumatology() -> None:
    result = screen(age=30, episode_weeks=26, inflammatory=criteria(*Inflammatory.model_fields))
    assert result.flags == ("inflammatory_back_pain",)


def test_three_inflammatory_criteria_count_only_once_back_pain_has_lasted_more_than_12_weeks() -> None:
    assert screen(age=40, episode_weeks=12, inflammatory=criteria(*FOUR[:3])).flags == ()
    assert screen(age=40, episode_weeks=12.5, inflammatory=criteria(*FOUR[:3])).flags == (
        "inflammatory_back_pain_possible",
    )


def test_four_inflammatory_criteria_refer_whatever_the_episode_length() -> None:
    # A 30-year-old in a 2-week flare of back pain that has come and gone for years.
    result = screen(age=30, episode_weeks=2, inflammatory=criteria(*FOUR))
    assert result.tier is Tier.SEE_DOCTOR_SOON
    assert result.flags == ("inflammatory_back_pain",)


def test_ng65_duration_is_about_the_back_pain_not_the_episode() -> None:
    # 40 years old, a 3-week flare, back pain on and off for 5 years: three criteria now count.
    assert screen(age=40, episode_weeks=3, back_pain_years=5, inflammatory=criteria(*FOUR[:3])).flags == (
        "inflammatory_back_pain_possible",
    )


def test_ng65_onset_comes_from_the_years_of_back_pain_when_given() -> None:
    # 50 now with back pain for 10 years: it began at 40, before 45, so NG65 applies.
    assert screen(age=50, episode_weeks=3, back_pain_years=10, inflammatory=criteria(*FOUR)).flags == (
        "inflammatory_back_pain",
    )
    # 50 now with back pain for 2 years: it began at 48, so it does not.
    assert screen(age=50, episode_weeks=3, back_pain_years=2, inflammatory=criteria(*FOUR)).flags == ()


def test_ng65_does_not_apply_when_the_pain_began_at_45_or_later() -> None:
    # 46 now after 26 weeks: began at about 45.5.
    assert screen(age=46, episode_weeks=26, inflammatory=criteria(*FOUR)).flags == ()
    # 45 now after 26 weeks: began at about 44.5.
    assert screen(age=45, episode_weeks=26, inflammatory=criteria(*FOUR)).flags == ("inflammatory_back_pain",)


def test_an_episode_that_began_before_35_counts_as_the_onset_before_35_criterion() -> None:
    # 34 now after 26 weeks: three ticked criteria plus onset before 35 make four.
    result = screen(age=34, episode_weeks=26, inflammatory=criteria(*FOUR[:3]))
    assert result.flags == ("inflammatory_back_pain",)


def test_inflammatory_criteria_without_the_questionnaire_answered_raise_nothing() -> None:
    assert screen(age=20, episode_weeks=26).flags == ()


# --- Suspected fracture, both legs, the same fact entered two ways -------------------------------


@pytest.mark.parametrize("sign", ["minor_trauma_with_bone_risk", "sudden_severe_pain_eased_lying"])
@pytest.mark.parametrize("pain", [{"now": 7}, {"now": 3, "worst_24h": 7}, {"now": 9, "worst_24h": 10}])
def test_suspected_osteoporotic_fracture_with_severe_pain_is_urgent_same_day(
    sign: str, pain: dict[str, int]
) -> None:
    # A 78-year-old woman with osteoporosis: pain after lifting a shopping bag, 7/10 or worse.
    result = screen(sign, age=78, sex="female", pain=pain, conditions=["osteoporosis"])
    assert result.tier is Tier.URGENT_SAME_DAY
    assert result.flags == (sign, "suspected_fracture_with_severe_pain")
    assert "today" in result.advice
    assert result.blocks_program


@pytest.mark.parametrize("sign", ["minor_trauma_with_bone_risk", "sudden_severe_pain_eased_lying"])
def test_suspected_fracture_below_severe_pain_stays_see_doctor_soon(sign: str) -> None:
    result = screen(sign, age=78, pain={"now": 6, "worst_24h": 6})
    assert result.tier is Tier.SEE_DOCTOR_SOON
    assert result.flags == (sign,)


def test_severe_pain_alone_raises_nothing() -> None:
    assert screen(pain={"now": 9, "worst_24h": 10}).tier is Tier.ROUTINE


@pytest.mark.parametrize("leg_symptoms", ["above_knee", "below_knee"])
def test_new_sciatica_in_both_legs_is_a_cauda_equina_emergency(leg_symptoms: str) -> None:
    # Three weeks of back pain with pain down both legs, though the CES6 question was answered no.
    result = screen(episode_weeks=3, leg_symptoms=leg_symptoms, leg_side="both")
    assert result.tier is Tier.EMERGENCY_NOW
    assert result.flags == ("bilateral_leg_symptoms",)
    assert "emergency department" in result.advice


def test_long_standing_unchanged_symptoms_in_both_legs_are_not_an_emergency() -> None:
    # A 72-year-old with two years of stenosis symptoms in both legs, unchanged, eased by sitting.
    result = screen(age=72, episode_weeks=104, leg_symptoms="below_knee", leg_side="both")
    assert result.tier is Tier.ROUTINE


def test_sciatica_in_one_leg_in_a_new_episode_is_not_an_emergency() -> None:
    assert screen(episode_weeks=2, leg_symptoms="below_knee", leg_side="left").tier is Tier.ROUTINE


@pytest.mark.parametrize(
    ("condition", "flag"),
    [
        ("diabetes", "infection_risk"),
        ("steroid_use", "infection_risk"),
        ("recent_spinal_surgery", "recent_infection_or_spinal_procedure"),
    ],
)
def test_a_condition_counts_as_the_risk_factor_it_names(condition: str, flag: str) -> None:
    # Fever with the back pain: an emergency for someone at risk of spinal infection, wherever the
    # risk was entered.
    as_condition = screen("fever_or_unwell", conditions=[condition])
    as_flag = screen("fever_or_unwell", flag)
    assert as_condition.tier is as_flag.tier is Tier.EMERGENCY_NOW
    assert as_condition.flags == as_flag.flags


def test_check_in_weighs_a_fever_with_the_intake_conditions() -> None:
    answers = RedFlags(fever_or_unwell=True)
    assert triage_red_flags(answers).tier is Tier.URGENT_SAME_DAY
    assert triage_red_flags(answers, conditions=["diabetes"]).tier is Tier.EMERGENCY_NOW


def test_no_advice_says_no_serious_cause_and_go_to_an_emergency_department() -> None:
    for result in (
        screen(leg_symptoms="below_knee", leg_side="both"),
        screen(leg_symptoms="below_knee", leg_side="left"),
        screen("saddle_numbness", leg_symptoms="below_knee"),
    ):
        assert not ("serious cause" in result.advice and "emergency department" in result.advice)


# --- Advice -----------------------------------------------------------------------------------


def test_people_with_leg_symptoms_get_the_cauda_equina_warning_card() -> None:
    result = screen(leg_symptoms="below_knee")
    assert result.tier is Tier.ROUTINE
    assert "Because your symptoms reach your leg" in result.advice
    assert "both legs" in result.advice


def test_people_without_leg_symptoms_do_not_get_the_warning_card() -> None:
    assert "Because your symptoms reach your leg" not in screen().advice


def test_emergency_advice_is_not_diluted_by_errands_for_later() -> None:
    result = screen(
        "saddle_numbness",
        "cancer_history",
        leg_symptoms="below_knee",
        age=40,
        episode_weeks=26,
        inflammatory=criteria(*FOUR),
    )
    assert result.tier is Tier.EMERGENCY_NOW
    assert "rheumatologist" not in result.advice
    assert "cancer team" not in result.advice
    assert "Because your symptoms reach your leg" not in result.advice


@pytest.mark.parametrize("tier", list(Tier))
def test_every_tier_has_plain_advice_that_says_where_to_go(tier: Tier) -> None:
    rules = default_rules()
    assert rules.tiers[tier.value].advice
    assert rules.label(tier)


def test_urgent_advice_says_today_and_soon_advice_says_within_two_weeks() -> None:
    assert "today" in screen("fever_or_unwell").advice
    assert "one to two weeks" in screen("thoracic_pain").advice


def test_emergency_and_urgent_tiers_block_the_program_and_the_others_do_not() -> None:
    assert Tier.EMERGENCY_NOW.blocks_program
    assert Tier.URGENT_SAME_DAY.blocks_program
    assert not Tier.SEE_DOCTOR_SOON.blocks_program
    assert not Tier.ROUTINE.blocks_program


def test_tiers_are_ordered_by_severity() -> None:
    assert [t.value for t in sorted(Tier, key=lambda t: t.severity)] == [
        "routine",
        "see_doctor_soon",
        "urgent_same_day",
        "emergency_now",
    ]
    assert Tier.most_severe([]) is Tier.ROUTINE
    assert Tier.most_severe([Tier.SEE_DOCTOR_SOON, Tier.EMERGENCY_NOW, Tier.ROUTINE]) is Tier.EMERGENCY_NOW


def test_triage_is_deterministic() -> None:
    assert screen("thoracic_pain", "cancer_history") == screen("thoracic_pain", "cancer_history")


def test_triage_json_matches_the_contract(
    contract_part_validator: Callable[..., Callable[[Any], None]],
) -> None:
    validate = contract_part_validator("program", "/properties/triage")
    for flags in [(), ("saddle_numbness",), ("cancer_history", "spreading_numbness")]:
        payload = screen(*flags, leg_symptoms="above_knee").to_json()
        validate(payload)
        assert payload["tier"] in {"emergency_now", "urgent_same_day", "see_doctor_soon", "routine"}


def test_the_contract_validator_rejects_a_broken_triage(
    contract_part_validator: Callable[..., Callable[[Any], None]],
) -> None:
    from jsonschema import ValidationError

    validate = contract_part_validator("program", "/properties/triage")
    with pytest.raises(ValidationError):
        validate({"tier": "panic", "flags": [], "advice": "x"})


# --- The bank itself --------------------------------------------------------------------------


def test_every_flag_has_a_plain_meaning() -> None:
    rules = default_rules()
    ids = [
        *RedFlags.model_fields,
        *(c.id for c in rules.combinations),
        "age_onset",
        "inflammatory_back_pain",
        "inflammatory_back_pain_possible",
    ]
    for flag in ids:
        assert rules.meaning(flag) != flag.replace("_", " "), flag


def test_every_question_in_the_bank_is_distinct() -> None:
    rules = default_rules()
    questions = [r.question for r in rules.red_flags] + [c.question for c in rules.inflammatory.criteria]
    assert len(set(questions)) == len(questions)


def _write_bank(tmp_path: Path, edit: Callable[[str], str]) -> Path:
    path = tmp_path / "screening.toml"
    path.write_text(edit(SCREENING_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def _references() -> set[str]:
    return set(tomllib.loads((SCREENING_FILE.parent / "references.toml").read_text(encoding="utf-8")))


def test_a_bank_missing_a_red_flag_entry_is_refused(tmp_path: Path) -> None:
    path = _write_bank(
        tmp_path, lambda text: text.replace('key = "thoracic_pain"', 'key = "thoracic_pain_x"')
    )
    with pytest.raises(InvalidInput, match=r"screening\.toml: .*red_flags: 'thoracic_pain_x' is not a key"):
        load_screening_rules(path, references=_references())


def test_a_combination_naming_an_unknown_question_is_refused(tmp_path: Path) -> None:
    path = _write_bank(
        tmp_path, lambda text: text.replace('all_of = ["cancer_history"]', 'all_of = ["cancer"]')
    )
    with pytest.raises(InvalidInput, match="unknown red_flags key 'cancer'"):
        load_screening_rules(path, references=_references())


def test_a_risk_factor_that_raises_the_tier_alone_is_refused(tmp_path: Path) -> None:
    def edit(text: str) -> str:
        return text.replace(
            'tier = "routine"\nrisk_factor = true', 'tier = "see_doctor_soon"\nrisk_factor = true', 1
        )

    with pytest.raises(InvalidInput, match="risk factor"):
        load_screening_rules(_write_bank(tmp_path, edit), references=_references())


def test_a_bank_citing_an_unknown_source_is_refused(tmp_path: Path) -> None:
    path = _write_bank(tmp_path, lambda text: text.replace('"nice-ng65-2017"', '"nice-ng99-2099"'))
    with pytest.raises(InvalidInput, match="unknown evidence id 'nice-ng99-2099'"):
        load_screening_rules(path, references=_references())


def test_an_unknown_key_in_the_bank_is_refused(tmp_path: Path) -> None:
    path = _write_bank(tmp_path, lambda text: text.replace("[safety_net]\n", "[safety_net]\ncolour = 1\n"))
    with pytest.raises(InvalidInput, match=r"safety_net\.colour: unknown key"):
        load_screening_rules(path, references=_references())


def test_the_bundled_bank_loads_with_every_citation_known() -> None:
    rules = load_screening_rules()
    assert set(rules.evidence_ids()) <= _references()


# --- The check-in mini-screen ------------------------------------------------------------------


def test_the_check_in_mini_screen_triages_red_flags_alone() -> None:
    result = triage_red_flags(RedFlags(cancer_history=True, spreading_numbness=True))
    assert result.tier is Tier.EMERGENCY_NOW
    assert result.flags == (
        "spreading_numbness",
        "cancer_history",
        "cancer_history_with_neurological_symptoms",
    )


def test_the_check_in_mini_screen_with_no_yes_is_routine() -> None:
    result = triage_red_flags(RedFlags())
    assert (result.tier, result.flags) == (Tier.ROUTINE, ())


def test_the_check_in_mini_screen_adds_the_warning_card_for_leg_symptoms() -> None:
    assert (
        "Because your symptoms reach your leg" in triage_red_flags(RedFlags(), has_leg_symptoms=True).advice
    )
    assert "Because your symptoms reach your leg" not in triage_red_flags(RedFlags()).advice
