"""The camera's form checks feed the progression review (issue 16), rule `form_fault`.

The rule (content/progression.toml [form_faults]): the same fault seen in more than half of the
repetitions (or of the seconds held) in each of the last 2 sessions that had a good camera check of
an exercise makes it easier: its easier version, or without one, one rung down its dose ladder.

The program is the chronic, low-fitness one of test_progression_rules (cat-cow, bird-dog, curl-up,
glute bridge, sit-to-stand) with, in the plank vignettes, the curl-up swapped by the physiotherapist
for the front plank, 3 x hold 30 s. Day 0 is Monday 3 March 2025.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from lumbar.domain.catalog import Catalog, default_catalog
from lumbar.domain.dose_ladder import Dose
from lumbar.domain.errors import InvalidInput
from lumbar.domain.form_findings import finding_of
from lumbar.domain.history import parse_history
from lumbar.domain.program_update import apply_review, hold_progressions
from lumbar.domain.progression import Review, review
from lumbar.domain.progression_rules import default_rules
from simulator import CHRONIC_LOW_FITNESS, day, every_log, history, program_for, session, with_dose

RULES = default_rules()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


@pytest.fixture(scope="module")
def usual_program(catalog: Catalog) -> dict[str, Any]:
    return program_for(CHRONIC_LOW_FITNESS, catalog)


@pytest.fixture
def plank_program(usual_program: dict[str, Any]) -> dict[str, Any]:
    """The physiotherapist swapped the curl-up for the front plank, 3 x hold 30 s."""
    program = copy.deepcopy(usual_program)
    index = next(i for i, ex in enumerate(program["exercises"]) if ex["id"] == "curl-up")
    program["exercises"][index] = {
        **program["exercises"][index],
        "id": "front-plank",
        "name": "Front plank",
        "sets": 3,
        "reps": 1,
        "hold_seconds": 30,
        "per_side": False,
        "reasons": ["Chosen for you by your therapist."],
    }
    return program


def run(data: dict[str, Any], catalog: Catalog) -> Review:
    return review(parse_history(copy.deepcopy(data), catalog=catalog), catalog)


def held_plank(seconds: float, sagging: float = 0.0, *, camera_saw: bool = True) -> dict[str, Any]:
    """One plank hold as the camera judged it: `sagging` of its `seconds` with the hips sagging."""
    return {
        "exercise": "front-plank",
        "counts_reps": False,
        "rep_count": 0,
        "reps": [],
        "holds": [{"start_seconds": 2.0, "end_seconds": 2.0 + seconds, "seconds": seconds}],
        "faults": (
            [{"id": "hips_sagging", "message": "Your hips are sagging.", "seconds": sagging, "frames": []}]
            if sagging
            else []
        ),
        "visibility": {
            "ok": camera_saw,
            "tracked_fraction": 0.95 if camera_saw else 0.2,
            "message": None if camera_saw else "Step back so that your whole body is in view.",
        },
    }


def reps_checked(exercise_id: str, reps: int, faulty: dict[str, int]) -> dict[str, Any]:
    """One set judged by repetitions: the first `faulty[fault]` reps carry that fault."""
    return {
        "exercise": exercise_id,
        "counts_reps": True,
        "rep_count": reps,
        "reps": [
            {
                "start_seconds": 3.0 * n,
                "end_seconds": 3.0 * n + 2.5,
                "range": 40.0,
                "hold_seconds": None,
                "side": None,
                "faults": [fault for fault, count in faulty.items() if n < count],
            }
            for n in range(reps)
        ],
        "holds": [],
        "faults": [],
        "visibility": {"ok": True, "tracked_fraction": 0.97, "message": None},
    }


def findings(*days: tuple[int, str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The form findings of the history: (day, exercise, that day's checked sets)."""
    found = []
    for number, exercise_id, results in days:
        finding = finding_of(date.fromisoformat(day(number)), exercise_id, results)
        if finding is not None:
            found.append(finding.model_dump(mode="json"))
    return found


def plank_sessions(program: dict[str, Any], *days: int) -> list[dict[str, Any]]:
    return [session(n, every_log(program)) for n in days]


SAGGING_SETS = [held_plank(30, 22), held_plank(30, 25), held_plank(28, 24)]  # 71 of 88 s
GOOD_SETS = [held_plank(30), held_plank(30, 3), held_plank(30)]


# --- The finding of one day -----------------------------------------------------------------------


def test_a_days_plank_holds_add_up_to_the_share_of_the_seconds_held_with_the_hips_sagging() -> None:
    finding = finding_of(date(2025, 3, 3), "front-plank", SAGGING_SETS)
    assert finding is not None
    assert (finding.reps, finding.hold_seconds, finding.fault_shares) == (0, 88.0, {"hips_sagging": 0.807})


def test_a_days_repetitions_give_the_share_of_reps_with_each_fault() -> None:
    sets = [reps_checked("sit-to-stand", 10, {"dropping_into_seat": 7}), reps_checked("sit-to-stand", 10, {})]
    finding = finding_of(date(2025, 3, 3), "sit-to-stand", sets)
    assert finding is not None
    assert (finding.reps, finding.hold_seconds, finding.fault_shares) == (20, 0, {"dropping_into_seat": 0.35})


def test_a_check_the_camera_could_not_see_well_says_nothing() -> None:
    seen_badly = [held_plank(30, 30, camera_saw=False), held_plank(30, 30, camera_saw=False)]
    assert finding_of(date(2025, 3, 3), "front-plank", seen_badly) is None
    mixed = finding_of(
        date(2025, 3, 3), "front-plank", [held_plank(30, 30, camera_saw=False), held_plank(30)]
    )
    assert mixed is not None
    assert (mixed.hold_seconds, mixed.fault_shares) == (30.0, {})


def test_a_history_refuses_a_finding_that_judged_nothing(
    plank_program: dict[str, Any], catalog: Catalog
) -> None:
    data = history(plank_program, 0, [], [])
    data["form_findings"] = [{"date": day(0), "exercise_id": "front-plank", "fault_shares": {}}]
    with pytest.raises(InvalidInput, match=r"^history: form_findings\.0: a finding judges some repetitions"):
        parse_history(data, catalog=catalog)


# --- The rule ---------------------------------------------------------------------------------------------


def test_hips_sagging_for_most_of_the_plank_in_two_sessions_switch_to_the_modified_plank_with_the_reason(
    plank_program: dict[str, Any], catalog: Catalog
) -> None:
    # Monday and Wednesday the camera saw her hips sag for most of each plank; the plank felt about right.
    data = history(plank_program, 2, plank_sessions(plank_program, 0, 2))
    data["form_findings"] = findings((0, "front-plank", SAGGING_SETS), (2, "front-plank", SAGGING_SETS))
    result = run(data, catalog)
    decision = result.decision("front-plank")
    assert (decision.action, decision.rule) == ("regress", "form_fault")
    assert decision.to_dose == Dose("modified-plank", 5, 1, 20)
    assert decision.reasons == (
        "In your last 2 camera checks of this exercise (3 and 5 March) your hips sagged for most of the hold, "
        "so we are making it easier: switch to the modified plank (on knees), 5 x hold 20 s.",
    )
    assert decision.evidence == ("clinical-practice",)
    _, changes = apply_review(plank_program, result.to_json(), catalog)
    assert (
        "Front plank is replaced by Modified plank (on knees) (5 x 20 s hold). In your last 2 camera checks "
        "of this exercise (3 and 5 March) your hips sagged for most of the hold, so we are making it easier: "
        "switch to the modified plank (on knees), 5 x hold 20 s."
    ) in changes


def test_a_therapists_program_is_eased_for_a_form_fault_at_once_like_any_regression(
    plank_program: dict[str, Any], catalog: Catalog
) -> None:
    data = history(plank_program, 2, plank_sessions(plank_program, 0, 2))
    data["form_findings"] = findings((0, "front-plank", SAGGING_SETS), (2, "front-plank", SAGGING_SETS))
    applied, held = hold_progressions(run(data, catalog).to_json())
    assert [d["id"] for d in applied["decisions"] if d["action"] == "regress"] == ["front-plank"]
    assert "front-plank" not in [d["id"] for d in held["decisions"]]


def test_hips_sagging_in_only_one_of_the_two_sessions_changes_nothing(
    plank_program: dict[str, Any], catalog: Catalog
) -> None:
    data = history(plank_program, 2, plank_sessions(plank_program, 0, 2))
    data["form_findings"] = findings((0, "front-plank", SAGGING_SETS), (2, "front-plank", GOOD_SETS))
    decision = run(data, catalog).decision("front-plank")
    # No easier version; nor harder yet: Monday's sagging session does not count toward the next step.
    assert (decision.action, decision.rule) == ("hold", "not_ready")
    assert decision.to_dose == Dose("front-plank", 3, 1, 30)
    assert decision.reasons == (
        "Do this exercise at this level 2 sessions in a row, with pain no higher than 5 out of 10 (or than "
        "your pain before the session, if that was higher) and feeling easy or about right, and then we will "
        "make it harder. So far: 1 of 2.",
    )


def test_one_good_camera_session_in_between_starts_the_count_again(
    plank_program: dict[str, Any], catalog: Catalog
) -> None:
    data = history(plank_program, 4, plank_sessions(plank_program, 0, 2, 4))
    data["form_findings"] = findings(
        (0, "front-plank", SAGGING_SETS), (2, "front-plank", GOOD_SETS), (4, "front-plank", SAGGING_SETS)
    )
    decision = run(data, catalog).decision("front-plank")
    assert (decision.action, decision.rule) == ("hold", "not_ready")
    assert decision.reasons == (
        "On 7 March the camera saw that your hips sagged for most of the hold: keep to this level until you "
        "can hold your form.",
    )


def test_hips_sagging_for_a_minority_of_the_hold_changes_nothing(
    plank_program: dict[str, Any], catalog: Catalog
) -> None:
    a_third = [held_plank(30, 10), held_plank(30, 10), held_plank(30, 10)]
    data = history(plank_program, 2, plank_sessions(plank_program, 0, 2))
    data["form_findings"] = findings((0, "front-plank", a_third), (2, "front-plank", a_third))
    decision = run(data, catalog).decision("front-plank")
    assert (decision.action, decision.rule) == ("progress", "ready_to_progress")


def test_a_fault_in_exactly_half_the_reps_is_not_most_of_them(
    usual_program: dict[str, Any], catalog: Catalog
) -> None:
    half = [reps_checked("sit-to-stand", 10, {"dropping_into_seat": 5})] * 2
    data = history(usual_program, 2, plank_sessions(usual_program, 0, 2))
    data["form_findings"] = findings((0, "sit-to-stand", half), (2, "sit-to-stand", half))
    decision = run(data, catalog).decision("sit-to-stand")
    assert (decision.action, decision.rule) == ("progress", "ready_to_progress")


def test_dropping_into_the_seat_in_most_sit_to_stands_twice_switches_to_the_raised_sit_to_stand(
    usual_program: dict[str, Any], catalog: Catalog
) -> None:
    most = [
        reps_checked("sit-to-stand", 10, {"dropping_into_seat": 8}),
        reps_checked("sit-to-stand", 10, {"dropping_into_seat": 6}),
    ]
    data = history(usual_program, 2, plank_sessions(usual_program, 0, 2))
    data["form_findings"] = findings((0, "sit-to-stand", most), (2, "sit-to-stand", most))
    decision = run(data, catalog).decision("sit-to-stand")
    assert (decision.action, decision.rule) == ("regress", "form_fault")
    assert decision.to_dose == Dose("raised-sit-to-stand", 2, 10, None)
    assert decision.reasons == (
        "In your last 2 camera checks of this exercise (3 and 5 March) you dropped into the seat in most of "
        "your repetitions, so we are making it easier: switch to the sit to stand from a raised seat, "
        "2 x 10 reps.",
    )


def test_a_session_the_camera_could_not_see_is_ignored(
    plank_program: dict[str, Any], catalog: Catalog
) -> None:
    # Wednesday's checks were filmed from too far: only Monday's sagging counts, one session of two.
    unseen = [held_plank(30, 28, camera_saw=False)] * 3
    data = history(plank_program, 2, plank_sessions(plank_program, 0, 2))
    data["form_findings"] = findings((0, "front-plank", SAGGING_SETS), (2, "front-plank", unseen))
    assert len(data["form_findings"]) == 1
    decision = run(data, catalog).decision("front-plank")
    assert (decision.action, decision.rule) == ("hold", "not_ready")
    assert decision.reasons == (
        "Do this exercise at this level 2 sessions in a row, with pain no higher than 5 out of 10 (or than "
        "your pain before the session, if that was higher) and feeling easy or about right, and then we will "
        "make it harder. So far: 1 of 2.",
    )


def test_moving_too_fast_is_not_a_reason_for_an_easier_exercise(
    usual_program: dict[str, Any], catalog: Catalog
) -> None:
    rushed = [reps_checked("bird-dog", 6, {"rushing": 6})]
    data = history(usual_program, 2, plank_sessions(usual_program, 0, 2))
    data["form_findings"] = findings((0, "bird-dog", rushed), (2, "bird-dog", rushed))
    decision = run(data, catalog).decision("bird-dog")
    assert (decision.action, decision.rule) == ("progress", "ready_to_progress")


def test_without_an_easier_version_the_bird_dog_steps_down_its_dose_ladder(
    usual_program: dict[str, Any], catalog: Catalog
) -> None:
    # The bird-dog has no easier version: as for the other regressions, one rung down its ladder.
    assert catalog.exercise("bird-dog").regression is None
    too_high = [reps_checked("bird-dog", 6, {"leg_too_high": 5})]
    data = history(usual_program, 2, plank_sessions(usual_program, 0, 2))
    data["form_findings"] = findings((0, "bird-dog", too_high), (2, "bird-dog", too_high))
    decision = run(data, catalog).decision("bird-dog")
    assert (decision.action, decision.rule) == ("regress", "form_fault")
    assert (decision.from_dose, decision.to_dose) == (Dose("bird-dog", 1, 6, 5), Dose("bird-dog", 1, 6, 3))
    assert decision.reasons == (
        "In your last 2 camera checks of this exercise (3 and 5 March) your leg went higher than your back in "
        "most of your repetitions, so we are making it easier: now 1 x 6 reps, hold 3 s, each side.",
    )


def test_at_its_easiest_the_bird_dog_is_held_with_the_reason(
    usual_program: dict[str, Any], catalog: Catalog
) -> None:
    floor = with_dose(usual_program, "bird-dog", 1, 3, 3)
    too_high = [reps_checked("bird-dog", 3, {"leg_too_high": 3})]
    data = history(floor, 2, plank_sessions(floor, 0, 2))
    data["form_findings"] = findings((0, "bird-dog", too_high), (2, "bird-dog", too_high))
    decision = run(data, catalog).decision("bird-dog")
    assert (decision.action, decision.rule) == ("hold", "form_fault")
    assert decision.reasons == (
        "In your last 2 camera checks of this exercise (3 and 5 March) your leg went higher than your back in "
        "most of your repetitions. It is already at its easiest: keep to it gently, follow the camera's tips, "
        "and ask your physiotherapist to look at how you do it.",
    )


def test_checks_from_before_the_exercise_was_eased_do_not_ease_it_again(
    usual_program: dict[str, Any], catalog: Catalog
) -> None:
    # Wednesday's review eased the bird-dog to 1 x 6, hold 3 s; Thursday morning's review must not ease
    # it again on the same two checks, which judged the 5-second holds.
    eased = with_dose(usual_program, "bird-dog", 1, 6, 3)
    too_high = [reps_checked("bird-dog", 6, {"leg_too_high": 5})]
    data = history(eased, 3, plank_sessions(usual_program, 0, 2))
    data["form_findings"] = findings((0, "bird-dog", too_high), (2, "bird-dog", too_high))
    decision = run(data, catalog).decision("bird-dog")
    # Nor is it made harder again on the strength of those sessions.
    assert (decision.action, decision.rule) == ("hold", "not_ready")
    assert decision.to_dose == Dose("bird-dog", 1, 6, 3)
    assert decision.reasons == (
        "On 5 March the camera saw that your leg went higher than your back in most of your repetitions: keep "
        "to this level until you can hold your form.",
    )


def test_every_faults_words_name_a_fault_of_the_library(catalog: Catalog) -> None:
    faults = {
        fault.id
        for exercise in catalog
        if exercise.motion is not None and exercise.motion.check is not None
        for fault in exercise.motion.check.faults
    }
    assert set(RULES.form_faults.seen) <= faults
    assert set(RULES.form_faults.not_eased) <= faults
    assert (RULES.form_faults.sessions, RULES.form_faults.more_than) == (2, 0.5)
