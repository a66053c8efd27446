"""Outcome measures: scoring at the boundaries, interpretation bands, change, licensed wording."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from lumbar.domain.errors import InvalidInput, UnknownId
from lumbar.domain.instruments import (
    INSTRUMENTS_DIR,
    LICENSED_DIR_SETTING,
    band_for,
    baseline_outcomes,
    change,
    default_instruments,
    licensed_wording_dir,
    load_instruments,
    load_licensed_wording,
    score_intake,
    score_nprs,
    score_odi,
    score_psfs,
    score_rmdq,
    score_startback,
)
from lumbar.domain.intake import Goal, StartBackAnswers, parse_intake

# --- NPRS -------------------------------------------------------------------------------------


def test_nprs_zero_is_the_recovered_level() -> None:
    assert score_nprs(0).recovered
    assert not score_nprs(1).recovered
    assert score_nprs(7).interpretation.startswith("7 out of 10")


@pytest.mark.parametrize("value", [-1, 11])
def test_nprs_outside_0_to_10_is_refused(value: int) -> None:
    with pytest.raises(InvalidInput, match="nprs: must be between 0 and 10"):
        score_nprs(value)


# --- ODI --------------------------------------------------------------------------------------


def test_odi_16_of_50_is_32_percent() -> None:
    result = score_odi([2, 2, 2, 2, 2, 2, 1, 1, 1, 1])
    assert result.percent == 32.0
    assert result.raw_sum == 16
    assert result.sections_answered == 10
    assert result.band == "moderate"


def test_odi_one_section_missing_16_of_45_is_35_6_percent() -> None:
    result = score_odi([2, 2, 2, 2, 2, 2, 2, 1, 1, None])
    assert result.percent == 35.6
    assert result.sections_answered == 9
    assert "1 section unanswered" in result.interpretation


def test_odi_two_sections_missing_is_still_scored() -> None:
    result = score_odi([5, 5, 5, 5, 5, 5, 5, 5, None, None])
    assert result.percent == 100.0
    assert result.band == "bed_bound"


def test_odi_more_than_two_sections_missing_is_not_scorable_with_a_reason() -> None:
    result = score_odi([5, 5, 5, 5, 5, 5, 5, None, None, None])
    assert result.percent is None
    assert not result.scorable
    assert result.band is None
    assert result.reason == "not scorable: 3 of 10 sections unanswered (at most 2 may be missing)"


def test_odi_all_zero_is_minimal_disability() -> None:
    result = score_odi([0] * 10)
    assert result.percent == 0.0
    assert result.band == "minimal"


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (0, "minimal"),
        (20, "minimal"),
        (20.5, "moderate"),
        (21, "moderate"),
        (40, "moderate"),
        (41, "severe"),
        (60, "severe"),
        (61, "very_severe"),
        (80, "very_severe"),
        (81, "bed_bound"),
        (100, "bed_bound"),
    ],
)
def test_odi_bands_follow_the_developers_cut_offs(percent: float, band: str) -> None:
    assert band_for(percent, default_instruments().odi.bands).id == band


def test_odi_band_boundary_through_scoring_20_and_22_percent() -> None:
    assert score_odi([1] * 10).band == "minimal"  # 10/50 = 20%
    assert score_odi([2, 1, 1, 1, 1, 1, 1, 1, 1, None]).band == "moderate"  # 10/45 = 22.2%


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ([0] * 9, "odi_sections: need 10 sections"),
        ([6, 0, 0, 0, 0, 0, 0, 0, 0, 0], "odi_sections: section 1 must be 0-5"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, -1], "odi_sections: section 10 must be 0-5"),
    ],
)
def test_odi_with_bad_sections_is_refused(sections: list[int | None], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        score_odi(sections)


# --- RMDQ -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ticked", "score", "recovered", "phrase"),
    [
        ([], 0, True, "recovered"),
        ([1, 2], 2, True, "recovered"),
        ([1, 2, 3], 3, False, "scores this low change little"),
        (list(range(1, 5)), 4, False, "tracks change well"),
        (list(range(1, 21)), 20, False, "tracks change well"),
        (list(range(1, 22)), 21, False, "scores this high change little"),
        (list(range(1, 25)), 24, False, "scores this high change little"),
    ],
)
def test_rmdq_counts_ticked_statements_with_floor_ceiling_and_recovery(
    ticked: list[int], score: int, recovered: bool, phrase: str
) -> None:
    result = score_rmdq(ticked)
    assert result.value == score
    assert result.recovered is recovered
    assert phrase in result.interpretation


def test_rmdq_statement_numbers_outside_1_to_24_are_refused() -> None:
    with pytest.raises(InvalidInput, match="rmdq_yes: statement numbers run 1-24"):
        score_rmdq([0])
    with pytest.raises(InvalidInput, match="rmdq_yes: statement numbers run 1-24"):
        score_rmdq([25])
    with pytest.raises(InvalidInput, match="ticked twice"):
        score_rmdq([3, 3])


# --- PSFS -------------------------------------------------------------------------------------


def goals(*scores: int) -> list[Goal]:
    return [Goal(activity=f"activity {n}", score=score) for n, score in enumerate(scores, 1)]


def test_psfs_is_the_mean_of_the_activity_ratings() -> None:
    result = score_psfs(goals(3, 4, 6))
    assert result.mean == 4.3
    assert result.activities == 3


def test_psfs_with_fewer_than_three_activities_is_scored_with_a_note() -> None:
    result = score_psfs(goals(7))
    assert result.mean == 7.0
    assert "usually asks for 3 activities" in result.interpretation


def test_psfs_range_ends() -> None:
    assert score_psfs(goals(0, 0, 0, 0, 0)).mean == 0.0
    assert score_psfs(goals(10, 10, 10)).mean == 10.0


def test_psfs_with_no_or_too_many_activities_is_refused() -> None:
    with pytest.raises(InvalidInput, match="goals: need 1-5 activities"):
        score_psfs([])
    with pytest.raises(InvalidInput, match="goals: need 1-5 activities"):
        score_psfs(goals(1, 2, 3, 4, 5, 6))


# --- STarT Back --------------------------------------------------------------------------------

PHYSICAL = ("leg_pain", "shoulder_neck_pain", "walk_short_distances", "dress_slowly")
PSYCHOSOCIAL_AGREE = ("unsafe_to_be_active", "worrying_thoughts", "terrible_never_better", "no_enjoyment")


def startback(*agree: str, bothersomeness: str = "not_at_all") -> StartBackAnswers:
    answers: dict[str, Any] = {key: key in agree for key in (*PHYSICAL, *PSYCHOSOCIAL_AGREE)}
    return StartBackAnswers(**answers, bothersomeness=bothersomeness)


@pytest.mark.parametrize(
    ("answers", "total", "psychosocial", "risk"),
    [
        (startback(), 0, 0, "low"),
        # total 3 is low whatever the subscore
        (startback("unsafe_to_be_active", "worrying_thoughts", "no_enjoyment"), 3, 3, "low"),
        # total 4 with subscore 3: medium
        (startback("leg_pain", "unsafe_to_be_active", "worrying_thoughts", "no_enjoyment"), 4, 3, "medium"),
        # total 4 with subscore 4: high
        (startback(*PSYCHOSOCIAL_AGREE), 4, 4, "high"),
        (startback(*PHYSICAL), 4, 0, "medium"),
        (startback(*PHYSICAL, *PSYCHOSOCIAL_AGREE, bothersomeness="extremely"), 9, 5, "high"),
    ],
)
def test_startback_total_subscore_and_risk(
    answers: StartBackAnswers, total: int, psychosocial: int, risk: str
) -> None:
    result = score_startback(answers)
    assert (result.total, result.psychosocial, result.risk) == (total, psychosocial, risk)
    assert result.interpretation.startswith(f"{risk} risk")


@pytest.mark.parametrize(
    ("answer", "point"),
    [("not_at_all", 0), ("slightly", 0), ("moderately", 0), ("very_much", 1), ("extremely", 1)],
)
def test_startback_bothersomeness_scores_only_very_much_and_extremely(answer: str, point: int) -> None:
    result = score_startback(startback(bothersomeness=answer))
    assert result.total == point
    assert result.psychosocial == point


def test_startback_psychosocial_subscore_is_by_construct_not_item_position() -> None:
    # Shoulder/neck pain is a physical item even though some papers number it among the others.
    assert score_startback(startback("shoulder_neck_pain")).psychosocial == 0
    assert score_startback(startback("no_enjoyment")).psychosocial == 1


# --- Change -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument", "before", "after", "direction"),
    [
        ("nprs", 6, 4, "improved"),  # 2 points: the absolute MCID
        ("nprs", 10, 8, "improved"),  # 2 points although only 20%
        ("nprs", 5, 4, "unchanged"),  # 1 point, 20%
        ("nprs", 3, 2, "improved"),  # 1 point but 33%: the relative MCID
        ("nprs", 4, 6, "worse"),
        ("nprs", 5, 6, "unchanged"),
        ("nprs", 0, 1, "unchanged"),  # no relative change from zero
        ("nprs", 0, 2, "worse"),
        ("odi", 40, 30, "improved"),
        ("odi", 50, 41, "unchanged"),  # 9 points, 18%
        ("odi", 30, 21, "improved"),  # 9 points but exactly 30%
        ("odi", 30, 40, "worse"),
        ("odi", 0, 8, "unchanged"),
        ("rmdq", 10, 7, "improved"),  # 3 points, exactly 30%
        ("rmdq", 20, 16, "unchanged"),  # 4 points, 20%
        ("rmdq", 20, 15, "improved"),  # 5 points
        ("rmdq", 10, 13, "worse"),  # 30% worse
        ("psfs", 3, 5, "improved"),  # higher is better
        ("psfs", 3, 4.5, "unchanged"),
        ("psfs", 2, 3, "unchanged"),  # 50% up, but the PSFS has no relative MCID
        ("psfs", 5, 3, "worse"),
        ("psfs", 6, 6, "unchanged"),
    ],
)
def test_change_uses_absolute_and_relative_mcid_in_the_right_direction(
    instrument: str, before: float, after: float, direction: str
) -> None:
    assert change(instrument, before, after).direction == direction


def test_change_reports_both_the_absolute_and_the_relative_change() -> None:
    verdict = change("odi", 40, 30)
    assert verdict.abs_change == -10
    assert verdict.pct_change == -25.0
    assert "10 points or 30% of the starting score" in verdict.reason
    assert change("nprs", 0, 3).pct_change is None


def test_change_on_startback_is_refused_because_it_is_a_stratifier() -> None:
    with pytest.raises(InvalidInput, match="startback: a risk stratifier"):
        change("startback", 3, 5)


def test_change_on_an_unknown_instrument_is_refused() -> None:
    with pytest.raises(UnknownId, match="unknown instrument 'vas'"):
        change("vas", 3, 5)


def test_change_values_out_of_range_are_refused() -> None:
    with pytest.raises(InvalidInput, match="rmdq after: must be between 0 and 24"):
        change("rmdq", 3, 25)


# --- Scoring a whole intake --------------------------------------------------------------------


def test_score_intake_gives_every_computable_score_with_its_interpretation() -> None:
    intake = parse_intake(
        {
            "age": 40,
            "episode_weeks": 8,
            "pain": {"now": 6, "worst_24h": 8, "best_24h": 3},
            "leg_symptoms": "none",
            "odi_sections": [2, 2, 2, 2, 2, 2, 1, 1, 1, 1],
            "rmdq_yes": [1, 5, 9, 12],
            "goals": [{"activity": "walk the dog", "score": 3}, {"activity": "sit at work", "score": 5}],
            "startback": dict.fromkeys((*PHYSICAL, *PSYCHOSOCIAL_AGREE), True)
            | {"bothersomeness": "slightly"},
        }
    )
    scores = score_intake(intake)
    assert scores["nprs"] == 6
    assert scores["nprs_worst_24h"] == 8
    assert scores["nprs_best_24h"] == 3
    assert scores["odi_percent"] == 32.0
    assert scores["odi_band"] == "moderate"
    assert scores["rmdq"] == 4
    assert scores["psfs_mean"] == 4.0
    assert (scores["startback_total"], scores["startback_psychosocial"], scores["startback_risk"]) == (
        8,
        4,
        "high",
    )
    for key in ("nprs", "odi", "rmdq", "psfs", "startback"):
        assert scores[f"{key}_interpretation"], key


def test_score_intake_leaves_out_what_was_not_asked() -> None:
    scores = score_intake(
        parse_intake({"age": 40, "episode_weeks": 8, "pain": {"now": 2}, "leg_symptoms": "none"})
    )
    assert set(scores) == {"nprs", "nprs_interpretation"}


def test_score_intake_with_an_unscorable_odi_says_why() -> None:
    intake = parse_intake(
        {
            "age": 40,
            "episode_weeks": 8,
            "pain": {"now": 2},
            "leg_symptoms": "none",
            "odi_sections": [1, None, None, None, 1, 1, 1, 1, 1, 1],
        }
    )
    scores = score_intake(intake)
    assert scores["odi_percent"] is None
    assert scores["odi_band"] is None
    assert str(scores["odi_interpretation"]).startswith("not scorable: 3 of 10 sections unanswered")


# --- Content ----------------------------------------------------------------------------------


def test_instrument_thresholds_match_the_clinical_reference() -> None:
    instruments = default_instruments()
    assert (instruments.nprs.change.mcid_abs, instruments.nprs.change.mcid_rel) == (2, 0.30)
    assert (instruments.odi.change.mcid_abs, instruments.odi.change.mcid_rel) == (10, 0.30)
    assert (instruments.rmdq.change.mcid_abs, instruments.rmdq.change.mcid_rel) == (5, 0.30)
    assert (instruments.psfs.change.mcid_abs, instruments.psfs.change.mcid_rel) == (2, None)
    assert instruments.odi.scoring.max_missing_sections == 2
    assert instruments.rmdq.recovered.at_most == 2
    assert instruments.nprs.loinc == "72514-3"
    assert (instruments.odi.loinc.panel, instruments.odi.loinc.score) == ("97908-8", "97909-6")
    loinc = instruments.startback.loinc
    assert (loinc.panel, loinc.total, loinc.psychosocial, loinc.risk) == (
        "91349-1",
        "91351-7",
        "91350-9",
        "91352-5",
    )
    assert [instruments.startback.strata[r].loinc_answer for r in ("low", "medium", "high")] == [
        "LA9194-7",
        "LA8982-6",
        "LA9193-9",
    ]


def test_startback_content_carries_keeles_copyright_and_funding_statement() -> None:
    statement = default_instruments().startback.copyright
    assert "Keele University" in statement
    assert "2007" in statement
    assert "Arthritis Research UK" in statement


def test_no_licensed_item_text_is_bundled() -> None:
    # The bundled ODI and RMDQ files name section topics only; statements come from the deployer.
    for name in ("odi", "rmdq"):
        data = tomllib.loads((INSTRUMENTS_DIR / f"{name}.toml").read_text(encoding="utf-8"))
        assert "statements" not in str(data)
        assert "items" not in data or not isinstance(data["items"], list)


def test_instrument_content_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    content = tmp_path / "instruments"
    content.mkdir()
    for path in INSTRUMENTS_DIR.glob("*.toml"):
        (content / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    odi = content / "odi.toml"
    odi.write_text(
        odi.read_text(encoding="utf-8").replace("[change]\n", "[change]\nmcid_typo = 3\n"), encoding="utf-8"
    )
    references = set(tomllib.loads((INSTRUMENTS_DIR.parent / "references.toml").read_text(encoding="utf-8")))
    with pytest.raises(InvalidInput, match=r"odi\.toml: change\.mcid_typo: unknown key"):
        load_instruments(content, references=references)


def test_bands_that_do_not_reach_the_top_of_the_range_are_refused(tmp_path: Path) -> None:
    content = tmp_path / "instruments"
    content.mkdir()
    for path in INSTRUMENTS_DIR.glob("*.toml"):
        (content / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    odi = content / "odi.toml"
    odi.write_text(odi.read_text(encoding="utf-8").replace("upper = 100", "upper = 99"), encoding="utf-8")
    with pytest.raises(InvalidInput, match="the last band must end at the top of the range"):
        load_instruments(content, references={"fairbank-2000-spine"})


# --- Licensed wording supplied by a deployer (fake text only) ----------------------------------


def _fake_odi(statements_per_section: int = 6) -> str:
    lines = [
        'instrument = "odi"',
        'version = "2.1a"',
        'copyright = "fake copyright line"',
        'licence = "fake licence for tests"',
        'instructions = "fake instructions"',
    ]
    for section in range(1, 11):
        statements = ", ".join(
            f'"fake section {section} statement {n}"' for n in range(statements_per_section)
        )
        lines += ["[[sections]]", f'topic = "fake topic {section}"', f"statements = [{statements}]"]
    return "\n".join(lines) + "\n"


def _fake_rmdq(items: int = 24) -> str:
    listed = ", ".join(f'"fake statement {n}"' for n in range(1, items + 1))
    return (
        'instrument = "rmdq"\ncopyright = "fake"\nlicence = "fake"\ninstructions = "fake"\n'
        f"items = [{listed}]\n"
    )


def test_licensed_wording_is_loaded_from_the_deployers_directory(tmp_path: Path) -> None:
    (tmp_path / "odi.toml").write_text(_fake_odi(), encoding="utf-8")
    (tmp_path / "rmdq.toml").write_text(_fake_rmdq(), encoding="utf-8")
    wording = load_licensed_wording(tmp_path)
    assert sorted(wording) == ["odi", "rmdq"]
    odi = wording["odi"]
    assert odi.instrument == "odi"
    assert len(odi.sections) == 10
    assert odi.sections[0].statements[5] == "fake section 1 statement 5"
    rmdq = wording["rmdq"]
    assert rmdq.instrument == "rmdq"
    assert rmdq.items[23] == "fake statement 24"


def test_an_empty_licensed_directory_gives_no_wording(tmp_path: Path) -> None:
    assert load_licensed_wording(tmp_path) == {}


def test_an_odi_section_without_six_statements_is_refused(tmp_path: Path) -> None:
    (tmp_path / "odi.toml").write_text(_fake_odi(statements_per_section=5), encoding="utf-8")
    with pytest.raises(
        InvalidInput, match=r"^odi\.toml: sections\.0\.statements: List should have at least 6"
    ):
        load_licensed_wording(tmp_path)


def test_an_rmdq_file_without_24_statements_is_refused(tmp_path: Path) -> None:
    (tmp_path / "rmdq.toml").write_text(_fake_rmdq(items=23), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"^rmdq\.toml: items: List should have at least 24"):
        load_licensed_wording(tmp_path)


def test_fake_startback_wording_must_cover_every_construct(tmp_path: Path) -> None:
    answers = "\n".join(
        f'{key} = "fake"' for key in ("not_at_all", "slightly", "moderately", "very_much", "extremely")
    )
    items = "\n".join(f'{key} = "fake"' for key in StartBackAnswers.model_fields if key != "no_enjoyment")
    text = (
        'instrument = "startback"\ncopyright = "fake"\ninstructions = "fake"\n'
        f"[items]\n{items}\n[bothersomeness_answers]\n{answers}\n"
    )
    (tmp_path / "startback.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match="startback.toml: .*one text per construct"):
        load_licensed_wording(tmp_path)
    complete = text.replace("[bothersomeness_answers]", 'no_enjoyment = "fake"\n[bothersomeness_answers]')
    (tmp_path / "startback.toml").write_text(complete, encoding="utf-8")
    assert load_licensed_wording(tmp_path)["startback"].instrument == "startback"


def test_a_licensed_directory_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=f"{LICENSED_DIR_SETTING}: .* is not a directory"):
        load_licensed_wording(tmp_path / "missing")


def test_the_licensed_directory_setting_is_read_from_the_environment(tmp_path: Path) -> None:
    assert licensed_wording_dir({}) is None
    assert licensed_wording_dir({LICENSED_DIR_SETTING: "  "}) is None
    assert licensed_wording_dir({LICENSED_DIR_SETTING: str(tmp_path)}) == tmp_path


def test_baseline_outcomes_give_one_number_per_answered_instrument() -> None:
    intake = parse_intake(
        {
            "age": 40,
            "episode_weeks": 8,
            "pain": {"now": 6},
            "leg_symptoms": "none",
            "odi_sections": [2, 2, 2, 2, 2, 2, 2, 1, 1, None],
            "rmdq_yes": [1, 2, 3],
            "goals": [{"activity": "garden", "score": 4}],
            "startback": dict.fromkeys((*PHYSICAL, *PSYCHOSOCIAL_AGREE), False)
            | {"bothersomeness": "extremely"},
        }
    )
    outcomes = {name: (score, detail) for name, score, detail in baseline_outcomes(intake)}
    assert {name: score for name, (score, _) in outcomes.items()} == {
        "nprs": 6,
        "odi": 35.6,
        "rmdq": 3,
        "psfs": 4.0,
        "startback": 1,
    }
    assert outcomes["odi"][1]["band"] == "moderate"
    assert outcomes["startback"][1]["risk"] == "low"


def test_baseline_outcomes_leave_out_an_unscorable_odi() -> None:
    intake = parse_intake(
        {
            "age": 40,
            "episode_weeks": 8,
            "pain": {"now": 6},
            "leg_symptoms": "none",
            "odi_sections": [None, None, None, 1, 1, 1, 1, 1, 1, 1],
        }
    )
    assert [name for name, _, _ in baseline_outcomes(intake)] == ["nprs"]
