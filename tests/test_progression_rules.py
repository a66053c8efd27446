"""Each rule of the progression review, one test per rule, on histories built around real programs.

The programs come from `prescribe` (a chronic back pain with low fitness: cat-cow, bird-dog,
curl-up, glute bridge 2 x 10 reps hold 3 s, sit-to-stand, walking 2 x 5 minutes a day), so the
tests read like a physiotherapist's notes: "two good sessions of glute bridges: two more reps".
Day 0 is Monday 3 March 2025.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from lumbar.domain.catalog import Catalog, default_catalog
from lumbar.domain.dose_ladder import Dose, Setting, step_down, step_up
from lumbar.domain.errors import InvalidInput
from lumbar.domain.history import parse_history
from lumbar.domain.pain_monitoring import baseline_on
from lumbar.domain.progression import Review, review
from lumbar.domain.progression_rules import default_rules, load_rules
from simulator import (
    CHRONIC_EXTENSION_LEG,
    CHRONIC_LOW_FITNESS,
    day,
    every_log,
    history,
    log,
    program_for,
    session,
    with_dose,
)

RULES = default_rules()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


@pytest.fixture(scope="module")
def base_program(catalog: Catalog) -> dict[str, Any]:
    return program_for(CHRONIC_LOW_FITNESS, catalog)


@pytest.fixture
def program(base_program: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(base_program)


def run(data: dict[str, Any], catalog: Catalog) -> Review:
    return review(parse_history(copy.deepcopy(data), catalog=catalog), catalog)


def two_good_sessions(program: dict[str, Any], **changes: Any) -> list[dict[str, Any]]:
    return [session(0, every_log(program, **changes)), session(1, every_log(program, **changes))]


def test_the_program_under_test_is_the_one_prescribe_gives(program: dict[str, Any]) -> None:
    assert [(ex["id"], ex["sets"], ex["reps"], ex["hold_seconds"]) for ex in program["exercises"]] == [
        ("cat-cow", 1, 10, None),
        ("bird-dog", 1, 6, 5),
        ("curl-up", 1, 6, 5),
        ("glute-bridge", 2, 10, 3),
        ("sit-to-stand", 2, 10, None),
    ]
    walking = program["walking"]
    assert (walking["minutes_per_bout"], walking["bouts_per_day"], walking["weekly_increase_minutes"]) == (
        5,
        2,
        2,
    )


# --- Progress: one variable at a time, after two good sessions at the dose ---------------------------------


def test_two_good_sessions_at_the_dose_progress_glute_bridge_by_two_reps(
    program: dict[str, Any], catalog: Catalog
) -> None:
    result = run(history(program, 1, two_good_sessions(program)), catalog)
    decision = result.decision("glute-bridge")
    assert decision.action == "progress"
    assert decision.rule == "ready_to_progress"
    assert decision.from_dose == Dose("glute-bridge", 2, 10, 3)
    assert decision.to_dose == Dose("glute-bridge", 2, 12, 3)
    assert decision.reasons == (
        "You did this 2 sessions in a row at this level, it felt easy or about right and your pain stayed "
        "within limits: now 2 x 12 reps, hold 3 s.",
    )


def good_sessions(program: dict[str, Any], count: int) -> list[dict[str, Any]]:
    return [session(n, every_log(program)) for n in range(count)]


def test_with_very_flexible_joints_each_step_waits_for_a_third_good_session(catalog: Catalog) -> None:
    # Chronic back pain, low fitness, hypermobility: the glute bridge after two and after three good sessions.
    program = program_for({**CHRONIC_LOW_FITNESS, "conditions": ["hypermobility"]}, catalog)
    two = run(history(program, 2, good_sessions(program, 2)), catalog).decision("glute-bridge")
    assert (two.action, two.rule) == ("hold", "not_ready")
    assert two.reasons[0].endswith("So far: 2 of 3.")
    three = run(history(program, 3, good_sessions(program, 3)), catalog).decision("glute-bridge")
    assert three.action == "progress"
    assert three.to_dose == Dose("glute-bridge", 2, 12, 3)
    assert three.reasons == (
        "You did this 3 sessions in a row at this level, it felt easy or about right and your pain stayed "
        "within limits: now 2 x 12 reps, hold 3 s.",
        "With very flexible joints, each step waits for one more good session, and holds at the end of a "
        "movement are never made longer.",
    )
    assert "engelbert-2017-ajmg" in three.evidence


def test_with_very_flexible_joints_end_of_range_holds_are_never_lengthened(catalog: Catalog) -> None:
    # Chronic back and thigh pain eased by arching back: the press-up at 1 x 10, its most reps and sets.
    usual = program_for(CHRONIC_EXTENSION_LEG, catalog)
    flexible = program_for({**CHRONIC_EXTENSION_LEG, "conditions": ["hypermobility"]}, catalog)
    assert run(history(usual, 3, good_sessions(usual, 3)), catalog).decision(
        "prone-press-up"
    ).to_dose == Dose("prone-press-up", 1, 10, 3)
    decision = run(history(flexible, 3, good_sessions(flexible, 3)), catalog).decision("prone-press-up")
    assert (decision.action, decision.rule) == ("hold", "top_of_ladder")
    assert decision.to_dose == Dose("prone-press-up", 1, 10, None)


def test_one_good_session_is_not_enough_to_progress(program: dict[str, Any], catalog: Catalog) -> None:
    result = run(history(program, 0, [session(0, every_log(program))]), catalog)
    decision = result.decision("glute-bridge")
    assert decision.action == "hold"
    assert decision.to_dose == decision.from_dose
    assert decision.reasons[0].endswith("So far: 1 of 2.")


def test_a_session_rated_hard_holds_the_dose(program: dict[str, Any], catalog: Catalog) -> None:
    sessions = [session(0, every_log(program)), session(1, every_log(program, difficulty="hard"))]
    decision = run(history(program, 1, sessions), catalog).decision("glute-bridge")
    assert decision.action == "hold"
    assert decision.reasons == (
        "This exercise felt hard on 4 March: stay at this level until it feels about right.",
    )


def test_a_session_rated_easy_counts_like_about_right(program: dict[str, Any], catalog: Catalog) -> None:
    sessions = [session(0, every_log(program, difficulty="easy")), session(1, every_log(program))]
    assert run(history(program, 1, sessions), catalog).decision("glute-bridge").action == "progress"


def test_a_session_without_the_amounts_logged_does_not_count_toward_progress(
    program: dict[str, Any], catalog: Catalog
) -> None:
    sessions = [session(0, every_log(program)), session(1, every_log(program, reps=None))]
    decision = run(history(program, 1, sessions), catalog).decision("glute-bridge")
    assert decision.action == "hold"
    assert "did not record the reps" in decision.reasons[0]


def test_doing_less_than_planned_holds_the_dose(program: dict[str, Any], catalog: Catalog) -> None:
    sessions = [session(0, every_log(program)), session(1, [log(program, "glute-bridge", reps=8)])]
    decision = run(history(program, 1, sessions), catalog).decision("glute-bridge")
    assert decision.action == "hold"
    assert decision.reasons == (
        "You did less than planned on 4 March: keep to this level until you can do it all.",
    )


def test_pain_of_five_during_an_exercise_is_acceptable(program: dict[str, Any], catalog: Catalog) -> None:
    result = run(history(program, 1, two_good_sessions(program, pain_during=5)), catalog)
    assert result.decision("glute-bridge").action == "progress"


def test_sessions_before_the_last_progression_do_not_count_at_the_new_dose(
    program: dict[str, Any], catalog: Catalog
) -> None:
    harder = with_dose(program, "glute-bridge", 2, 12, 3)
    result = run(history(harder, 1, two_good_sessions(program)), catalog)
    assert result.decision("glute-bridge").action == "hold"


def test_an_exercise_at_its_maximum_with_no_harder_variant_holds(
    program: dict[str, Any], catalog: Catalog
) -> None:
    maxed = with_dose(program, "curl-up", 1, 8, 10)
    decision = run(history(maxed, 1, two_good_sessions(maxed)), catalog).decision("curl-up")
    assert decision.action == "hold"
    assert decision.rule == "top_of_ladder"
    assert decision.reasons == ("You are doing the full amount of the curl-up: keep it up.",)


# --- The dose ladder ---------------------------------------------------------------------------------------


def climb(start: Dose, catalog: Catalog, setting: Setting) -> list[Dose]:
    doses = [start]
    while (step := step_up(doses[-1], catalog, RULES.ladder, setting)) is not None:
        doses.append(step.dose)
    return doses


def test_the_ladder_goes_reps_then_hold_then_sets_then_the_harder_variant(catalog: Catalog) -> None:
    setting = Setting.of(["glute-bridge"], catalog)
    assert climb(Dose("glute-bridge", 2, 10, 3), catalog, setting) == [
        Dose("glute-bridge", 2, 10, 3),
        Dose("glute-bridge", 2, 12, 3),
        Dose("glute-bridge", 2, 14, 3),
        Dose("glute-bridge", 2, 15, 3),  # capped at the maximum of 15 reps
        Dose("glute-bridge", 2, 15, 8),
        Dose("glute-bridge", 2, 15, 10),
        Dose("glute-bridge", 3, 15, 10),
        Dose("marching-bridge", 2, 10, 3),  # the variant starts again at its own starting dose
        Dose("marching-bridge", 2, 10, 5),
        Dose("single-leg-bridge", 2, 10, 3),
        Dose("single-leg-bridge", 2, 10, 5),
    ]


def test_regression_walks_the_ladder_back_then_to_the_easier_variant_at_its_maximum(catalog: Catalog) -> None:
    setting = Setting.of(["glute-bridge"], catalog)
    doses = [Dose("glute-bridge", 3, 15, 10)]
    for _ in range(7):
        step = step_down(doses[-1], catalog, RULES.ladder, setting)
        assert step is not None
        doses.append(step.dose)
    assert doses == [
        Dose("glute-bridge", 3, 15, 10),
        Dose("glute-bridge", 2, 15, 10),  # sets first
        Dose("glute-bridge", 2, 15, 5),  # then hold time
        Dose("glute-bridge", 2, 15, 3),  # not below the starting hold
        Dose("glute-bridge", 2, 13, 3),  # then reps
        Dose("glute-bridge", 2, 11, 3),
        Dose("glute-bridge", 2, 10, 3),  # the starting dose
        Dose("pelvic-tilt", 2, 10, 5),  # the easier variant at its maximum
    ]


def test_without_an_easier_variant_the_dose_goes_below_the_start_to_a_floor(catalog: Catalog) -> None:
    setting = Setting.of(["clamshell"], catalog)
    doses = [Dose("clamshell", 2, 10, None)]
    while (step := step_down(doses[-1], catalog, RULES.ladder, setting)) is not None:
        doses.append(step.dose)
    assert doses == [
        Dose("clamshell", 2, 10, None),
        Dose("clamshell", 1, 10, None),
        Dose("clamshell", 1, 8, None),
        Dose("clamshell", 1, 6, None),
        Dose("clamshell", 1, 5, None),  # half the starting 10 reps
    ]


def test_a_variant_already_in_the_program_is_not_used(catalog: Catalog) -> None:
    setting = Setting.of(["glute-bridge", "pelvic-tilt"], catalog)
    step = step_down(Dose("glute-bridge", 2, 10, 3), catalog, RULES.ladder, setting)
    assert step is not None
    assert step.dose == Dose("glute-bridge", 1, 10, 3)  # below the start instead


def test_a_harder_variant_with_a_new_avoid_precaution_is_left_to_the_physiotherapist(
    catalog: Catalog,
) -> None:
    # Double knee-to-chest is to be avoided with osteoporosis; knee-to-chest is not. The history does
    # not say whether the person has osteoporosis.
    setting = Setting.of(["knee-to-chest"], catalog)
    assert step_up(Dose("knee-to-chest", 1, 3, 30), catalog, RULES.ladder, setting) is None


def test_a_floor_exercise_is_not_chosen_for_a_program_without_floor_work(catalog: Catalog) -> None:
    setting = Setting.of(["sit-to-stand", "standing-back-extension"], catalog)
    assert not setting.floor_ok
    assert not setting.fits(catalog.exercise("pelvic-tilt"), catalog.exercise("sit-to-stand"))


# --- Pain during an exercise -----------------------------------------------------------------------------


def test_pain_above_five_during_an_exercise_today_stops_it_for_today(
    program: dict[str, Any], catalog: Catalog
) -> None:
    sessions = [session(0, every_log(program)), session(1, [log(program, "glute-bridge", pain_during=7)])]
    decision = run(history(program, 1, sessions), catalog).decision("glute-bridge")
    assert decision.action == "stop"
    assert decision.rule == "pain_during"
    assert decision.to_dose == decision.from_dose
    assert decision.reasons == (
        "Your pain went above 5 out of 10 and the pain you had before the session (3 out of 10) during this "
        "exercise today (7 out of 10): stop it for today. Next time we will make it easier.",
    )


def test_pain_above_five_during_an_exercise_makes_it_easier_next_time(
    program: dict[str, Any], catalog: Catalog
) -> None:
    program = with_dose(program, "glute-bridge", 2, 14, 3)
    sessions = [session(0, every_log(program)), session(1, [log(program, "glute-bridge", pain_during=7)])]
    decision = run(history(program, 2, sessions), catalog).decision("glute-bridge")
    assert decision.action == "regress"
    assert decision.to_dose == Dose("glute-bridge", 2, 12, 3)
    assert decision.reasons == (
        "Your pain went above 5 out of 10 and the pain you had before the session (3 out of 10) during this "
        "exercise on 4 March, so we are making it easier: now 2 x 12 reps, hold 3 s.",
    )


def test_pain_above_five_at_the_starting_dose_moves_to_the_easier_variant(
    program: dict[str, Any], catalog: Catalog
) -> None:
    sessions = [session(1, [log(program, "glute-bridge", pain_during=8, completed=False)])]
    decision = run(history(program, 2, sessions), catalog).decision("glute-bridge")
    assert decision.action == "regress"
    assert decision.to_dose == Dose("pelvic-tilt", 2, 10, 5)
    assert decision.reasons[0].endswith("switch to the pelvic tilt, 2 x 10 reps, hold 5 s.")


def test_a_second_painful_session_at_the_same_dose_regresses_at_once(
    program: dict[str, Any], catalog: Catalog
) -> None:
    program = with_dose(program, "glute-bridge", 2, 14, 3)
    sessions = [session(n, [log(program, "glute-bridge", pain_during=7)]) for n in (1, 2)]
    decision = run(history(program, 2, sessions), catalog).decision("glute-bridge")
    assert decision.action == "regress"
    assert "on 4 and 5 March" in decision.reasons[0]


def test_a_good_session_at_the_same_dose_after_a_painful_one_shows_it_is_tolerated(
    program: dict[str, Any], catalog: Catalog
) -> None:
    sessions = [
        session(1, [log(program, "glute-bridge", pain_during=7)]),
        session(2, [log(program, "glute-bridge", pain_during=3)]),
    ]
    decision = run(history(program, 3, sessions), catalog).decision("glute-bridge")
    assert decision.action == "hold"
    assert decision.reasons[0].endswith("So far: 1 of 2.")


def test_a_painful_session_is_not_regressed_twice_once_the_dose_was_eased(
    program: dict[str, Any], catalog: Catalog
) -> None:
    was = with_dose(program, "glute-bridge", 2, 14, 3)
    eased = with_dose(program, "glute-bridge", 2, 12, 3)
    sessions = [session(1, [log(was, "glute-bridge", pain_during=7)])]
    decision = run(history(eased, 2, sessions), catalog).decision("glute-bridge")
    assert decision.action == "hold"


def test_pain_after_doing_more_than_planned_means_keeping_to_the_plan(
    program: dict[str, Any], catalog: Catalog
) -> None:
    sessions = [session(1, [log(program, "glute-bridge", reps=15, pain_during=7)])]
    decision = run(history(program, 2, sessions), catalog).decision("glute-bridge")
    assert decision.action == "hold"
    assert decision.reasons == (
        "Your pain went above 5 out of 10 and the pain you had before the session (3 out of 10) during this "
        "exercise on 4 March, when you did more than planned: keep to the planned amount.",
    )


def test_pain_above_five_in_an_exercise_that_cannot_be_made_easier_stops_it(catalog: Catalog) -> None:
    program = program_for(CHRONIC_LOW_FITNESS, catalog)
    program["exercises"][4].update(
        id="clamshell", name="Clamshell", sets=1, reps=5, hold_seconds=None, per_side=True
    )
    sessions = [session(1, [log(program, "clamshell", pain_during=8)])]
    decision = run(history(program, 2, sessions), catalog).decision("clamshell")
    assert decision.action == "stop"
    assert "cannot be made any easier" in decision.reasons[0]


def test_does_not_regress_when_pain_during_is_below_the_pain_before_the_session(
    program: dict[str, Any], catalog: Catalog
) -> None:
    # She starts her sessions at 7 out of 10 and has 6 during the glute bridge: her own pain, not the
    # exercise's doing. It counts as acceptable, so two such sessions make it harder, not easier.
    program = with_dose(program, "glute-bridge", 2, 14, 3)
    sessions = [session(n, [log(program, "glute-bridge", pain_during=6)], pain_before=7) for n in (0, 1)]
    decision = run(history(program, 1, sessions), catalog).decision("glute-bridge")
    assert decision.action == "progress"
    assert decision.to_dose == Dose("glute-bridge", 2, 15, 3)


def test_pain_during_no_higher_than_the_pain_before_does_not_stop_the_exercise_today(
    program: dict[str, Any], catalog: Catalog
) -> None:
    sessions = [session(1, [log(program, "glute-bridge", pain_during=7)], pain_before=7)]
    decision = run(history(program, 1, sessions), catalog).decision("glute-bridge")
    assert decision.action != "stop"
    assert decision.rule != "pain_during"


def test_pain_during_above_both_five_and_the_pain_before_still_makes_it_easier(
    program: dict[str, Any], catalog: Catalog
) -> None:
    program = with_dose(program, "glute-bridge", 2, 14, 3)
    sessions = [session(1, [log(program, "glute-bridge", pain_during=8)], pain_before=6)]
    decision = run(history(program, 2, sessions), catalog).decision("glute-bridge")
    assert decision.action == "regress"
    assert decision.reasons == (
        "Your pain went above 5 out of 10 and the pain you had before the session (6 out of 10) during this "
        "exercise on 4 March, so we are making it easier: now 2 x 12 reps, hold 3 s.",
    )


def test_without_a_pain_before_the_session_the_usual_level_is_the_persons_own_pain(
    program: dict[str, Any], catalog: Catalog
) -> None:
    program = with_dose(program, "glute-bridge", 2, 14, 3)
    sessions = [
        session(0, [log(program, "glute-bridge", pain_during=6)], pain_before=7),
        session(1, [log(program, "glute-bridge", pain_during=6)], pain_before=None),
    ]
    decision = run(history(program, 1, sessions), catalog).decision("glute-bridge")
    assert decision.action == "progress"


def test_pain_during_above_five_with_no_pain_before_known_is_judged_against_five(
    program: dict[str, Any], catalog: Catalog
) -> None:
    program = with_dose(program, "glute-bridge", 2, 14, 3)
    sessions = [session(1, [log(program, "glute-bridge", pain_during=6)], pain_before=None)]
    decision = run(history(program, 2, sessions), catalog).decision("glute-bridge")
    assert decision.action == "regress"
    assert decision.reasons[0].startswith("Your pain went above 5 out of 10 during this exercise on 4 March")


def test_pain_during_within_the_own_pain_that_has_not_settled_by_the_morning_makes_nothing_harder(
    program: dict[str, Any], catalog: Catalog
) -> None:
    program = with_dose(program, "glute-bridge", 2, 14, 3)
    sessions = [session(n, [log(program, "glute-bridge", pain_during=6)], pain_before=7) for n in (0, 1)]
    checkins = [{"date": day(2), "morning_pain": 8}]
    decision = run(history(program, 2, sessions, checkins), catalog).decision("glute-bridge")
    assert (decision.action, decision.rule) == ("hold", "next_morning")


def test_a_walk_no_more_painful_than_before_the_session_is_not_stopped(
    program: dict[str, Any], catalog: Catalog
) -> None:
    walk = {"id": "walking", "completed": True, "pain_during": 6}
    result = run(history(program, 1, [session(1, [walk], pain_before=7)]), catalog)
    assert result.walking is not None
    assert result.walking.action != "stop"


# --- The next morning ------------------------------------------------------------------------------------


def test_the_usual_level_is_the_median_pre_session_pain_of_the_last_seven_days(
    program: dict[str, Any], catalog: Catalog
) -> None:
    sessions = [
        session(0, [], pain_before=9),  # eight days before: outside the window
        session(8, [], pain_before=2),
        session(9, [], pain_before=2),
        session(10, [], pain_before=4),
    ]
    parsed = parse_history(history(program, 10, sessions), catalog=catalog)
    assert baseline_on(parsed, parsed.sessions[-1].date, RULES.next_morning.baseline_window_days) == 2


def test_next_morning_pain_above_the_usual_level_holds_every_exercise(
    program: dict[str, Any], catalog: Catalog
) -> None:
    checkins = [{"date": day(2), "morning_pain": 4}]
    result = run(history(program, 2, two_good_sessions(program), checkins), catalog)
    assert {d.action for d in result.decisions} == {"hold"}
    assert result.decision("glute-bridge").rule == "next_morning"
    assert result.decision("glute-bridge").reasons == (
        "Your pain the morning after your session on 4 March was higher than usual (4 against about 3 out of "
        "10), so nothing is made harder yet.",
    )


def test_next_morning_pain_back_to_the_usual_level_lets_progress_go_ahead(
    program: dict[str, Any], catalog: Catalog
) -> None:
    checkins = [{"date": day(1), "morning_pain": 5}, {"date": day(2), "morning_pain": 3}]
    result = run(history(program, 2, two_good_sessions(program), checkins), catalog)
    assert result.decision("glute-bridge").action == "progress"


def test_a_session_without_exercise_does_not_clear_a_morning_pain_above_the_usual_level(
    program: dict[str, Any], catalog: Catalog
) -> None:
    # Two good sessions, then the morning after the second the pain was 6 against a usual 3. The next
    # day's session was opened and closed with nothing done, and the morning after it was back to 3:
    # the last load was still not tolerated, so nothing is made harder.
    sessions = [*two_good_sessions(program), session(2, [], None)]
    checkins = [{"date": day(2), "morning_pain": 6}, {"date": day(3), "morning_pain": 3}]
    result = run(history(program, 3, sessions, checkins), catalog)
    assert {d.action for d in result.decisions} == {"hold"}
    assert result.decision("glute-bridge").rule == "next_morning"
    assert result.decision("glute-bridge").reasons == (
        "Your pain the morning after your session on 4 March was higher than usual (6 against about 3 out of "
        "10), so nothing is made harder yet.",
    )


def test_next_morning_pain_above_the_usual_level_twice_in_a_row_is_a_flare_that_eases_the_program(
    program: dict[str, Any], catalog: Catalog
) -> None:
    program = with_dose(program, "glute-bridge", 2, 14, 3)
    checkins = [{"date": day(1), "morning_pain": 6}, {"date": day(2), "morning_pain": 6}]
    result = run(history(program, 2, two_good_sessions(program), checkins), catalog)
    assert {d.action for d in result.decisions} == {"regress"}
    assert {d.rule for d in result.decisions} == {"flare"}
    assert result.decision("glute-bridge").to_dose == Dose("glute-bridge", 2, 12, 3)
    assert result.decision("cat-cow").to_dose == Dose("cat-cow", 1, 8, None)  # no easier variant: 2 reps less
    flare = [a for a in result.alerts if a.kind == "flare"]
    assert [(a.severity, a.message.split(":")[0]) for a in flare] == [
        (
            "review",
            "The morning after your sessions on 3 and 4 March your pain was above your usual level (about 3 out of 10) each time",
        )
    ]


def test_a_flare_does_not_ease_an_exercise_again_once_it_was_eased(
    program: dict[str, Any], catalog: Catalog
) -> None:
    was = with_dose(program, "glute-bridge", 2, 14, 3)
    eased = with_dose(program, "glute-bridge", 2, 12, 3)
    sessions = [*two_good_sessions(was), session(2, [log(eased, "glute-bridge")])]
    checkins = [{"date": day(1), "morning_pain": 6}, {"date": day(2), "morning_pain": 6}]
    decision = run(history(eased, 2, sessions, checkins), catalog).decision("glute-bridge")
    assert decision.action == "hold"
    assert (
        decision.reasons[-1] == "We have already eased this exercise since then: stay at this level for now."
    )


def test_a_flare_that_goes_on_at_the_eased_dose_eases_it_again(
    program: dict[str, Any], catalog: Catalog
) -> None:
    was = with_dose(program, "glute-bridge", 2, 14, 3)
    eased = with_dose(program, "glute-bridge", 2, 12, 3)
    sessions = [
        session(0, [log(was, "glute-bridge")]),
        session(1, [log(was, "glute-bridge")]),
        session(2, [log(eased, "glute-bridge")]),
        session(3, [log(eased, "glute-bridge")]),
    ]
    checkins = [{"date": day(n), "morning_pain": 6} for n in (1, 2, 3, 4)]
    decision = run(history(eased, 4, sessions, checkins), catalog).decision("glute-bridge")
    assert decision.action == "regress"
    assert decision.to_dose == Dose("glute-bridge", 2, 10, 3)


# --- Week to week ----------------------------------------------------------------------------------------


def weekly_pain(program: dict[str, Any], weeks: list[int]) -> list[dict[str, Any]]:
    """Sessions Monday to Friday, every exercise done, pre-session pain by week."""
    return [
        session(week * 7 + weekday, every_log(program), pain_before=pain)
        for week, pain in enumerate(weeks)
        for weekday in range(5)
    ]


def test_usual_pain_trending_up_week_over_week_eases_the_program_and_alerts(
    program: dict[str, Any], catalog: Catalog
) -> None:
    result = run(history(program, 18, weekly_pain(program, [4, 2, 3])), catalog)
    assert {d.action for d in result.decisions} == {"regress"}
    assert {d.rule for d in result.decisions} == {"pain_trend"}
    worsening = [a for a in result.alerts if a.kind == "worsening"]
    assert [(a.severity, a.message) for a in worsening] == [
        (
            "info",
            "Your usual pain has crept up this week (about 3 out of 10, against 2 the week before), so we have "
            "eased your program by one step.",
        )
    ]


def test_usual_pain_steady_week_over_week_is_no_trend(program: dict[str, Any], catalog: Catalog) -> None:
    result = run(history(program, 18, weekly_pain(program, [3, 3, 3])), catalog)
    assert "regress" not in {d.action for d in result.decisions}
    assert not [a for a in result.alerts if a.kind == "worsening"]


def test_a_thin_week_is_not_judged_for_a_trend(program: dict[str, Any], catalog: Catalog) -> None:
    sessions = [
        session(0, every_log(program), 2),
        session(1, every_log(program), 2),
        session(7, every_log(program), 5),
    ]
    result = run(history(program, 7, sessions), catalog)
    assert not [a for a in result.alerts if a.kind == "worsening"]


def test_worsening_by_the_minimal_important_change_alerts_for_review_and_eases_the_program(
    program: dict[str, Any], catalog: Catalog
) -> None:
    outcomes = [
        {"date": day(0), "instrument": "odi", "score": 30},
        {"date": day(18), "instrument": "odi", "score": 42},
    ]
    result = run(history(program, 18, weekly_pain(program, [3, 3, 3]), outcomes=outcomes), catalog)
    assert {d.rule for d in result.decisions} == {"worsening"}
    assert {d.action for d in result.decisions} == {"regress"}
    worsening = [a for a in result.alerts if a.kind == "worsening"]
    assert [a.severity for a in worsening] == ["review"]
    assert worsening[0].message.startswith(
        "Your ODI went from 30 to 42: worse by at least the smallest change that matters."
    )


# --- Leg symptoms ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extension_program(catalog: Catalog) -> dict[str, Any]:
    return program_for(CHRONIC_EXTENSION_LEG, catalog)


def test_peripheralisation_substitutes_a_neutral_exercise_not_one_against_the_preference(
    extension_program: dict[str, Any], catalog: Catalog
) -> None:
    # Back and thigh pain eased by bending backward; the press-up spreads the symptoms down the leg.
    # The pelvic tilt (a small bend forward) would work against the preference: a neutral one instead.
    program = copy.deepcopy(extension_program)
    assert program["exercises"][0]["id"] == "prone-press-up"
    sessions = [session(0, [log(program, "prone-press-up", leg_symptoms="peripheralised", pain_during=3)])]
    result = run(history(program, 0, sessions), catalog)
    decision = result.decision("prone-press-up")
    assert decision.action == "substitute"
    assert decision.to_dose == Dose("piriformis-stretch", 1, 3, 30)
    replacement = catalog.exercise(decision.to_dose.id)
    assert replacement.direction_bias == "neutral"
    assert not [p for p in replacement.precautions if p.action == "avoid"]
    assert decision.reasons[-1].endswith("which keeps your back in its middle position.")
    assert [(a.kind, a.severity) for a in result.alerts] == [
        ("peripheralisation", "review"),
        ("peripheralisation", "review"),
    ]
    assert "has not held up" in result.alerts[0].message
    assert "replaced it with the piriformis stretch" in result.alerts[1].message


def test_without_a_known_preference_peripheralisation_still_substitutes_a_neutral_exercise_first(
    catalog: Catalog,
) -> None:
    intake = {k: v for k, v in CHRONIC_EXTENSION_LEG.items() if k != "directional_preference"}
    program = program_for(intake, catalog)
    program = {**program, "exercises": [ex for ex in program["exercises"] if ex["id"] == "cat-cow"]}
    sessions = [session(0, [log(program, "cat-cow", leg_symptoms="peripheralised")])]
    decision = run(history(program, 0, sessions), catalog).decision("cat-cow")
    assert decision.action == "substitute"
    assert catalog.exercise(decision.to_dose.id).direction_bias == "neutral"


def test_never_holds_the_same_exercise_twice_after_substitution(
    extension_program: dict[str, Any], catalog: Catalog
) -> None:
    # Every exercise spread the symptoms at the same session: each gets its own substitute, none of them
    # already in the program or chosen for another exercise.
    program = copy.deepcopy(extension_program)
    sessions = [session(0, every_log(program, leg_symptoms="peripheralised"))]
    result = run(history(program, 0, sessions), catalog)
    after = [d.to_dose.id for d in result.decisions]
    assert len(set(after)) == len(after)
    assert {d.action for d in result.decisions} <= {"substitute", "stop"}
    for decision in result.decisions:
        if decision.action == "substitute":
            assert decision.to_dose.id not in [ex["id"] for ex in program["exercises"]]


def test_a_regression_never_brings_in_an_exercise_against_the_preference(catalog: Catalog) -> None:
    # A chronic extension-preference program with low fitness holds the glute bridge and the heel
    # slide, whose easier variant is the pelvic tilt (a bend forward): it is not used.
    program = program_for({**CHRONIC_EXTENSION_LEG, "fitness": "low"}, catalog)
    assert {"glute-bridge", "heel-slide"} <= {ex["id"] for ex in program["exercises"]}
    sessions = [session(1, every_log(program, pain_during=8, completed=False))]
    result = run(history(program, 2, sessions), catalog)
    for decision in result.decisions:
        assert catalog.exercise(decision.to_dose.id).direction_bias != "flexion"
    assert result.decision("glute-bridge").action == "regress"
    assert result.decision("glute-bridge").to_dose.id == "glute-bridge"


def test_raises_review_alert_when_every_easing_exercise_spread_symptoms(
    extension_program: dict[str, Any], catalog: Catalog
) -> None:
    program = copy.deepcopy(extension_program)
    sessions = [session(0, [log(program, "prone-press-up", leg_symptoms="peripheralised")])]
    result = run(history(program, 0, sessions), catalog)
    did_not_hold = [a for a in result.alerts if "has not held up" in a.message]
    assert [(a.kind, a.severity) for a in did_not_hold] == [("peripheralisation", "review")]
    assert did_not_hold[0].message.startswith(
        "Your leg symptoms spread with every exercise in the direction that seemed to ease your pain "
        "(bending backward): prone press-up. That direction has not held up, so a physiotherapist or doctor "
        "should reassess your back"
    )


def test_no_preference_alert_while_an_easing_exercise_still_suits(catalog: Catalog) -> None:
    # The sphinx spread the symptoms, but lying on the front did not: the preference may still hold.
    program = program_for({**CHRONIC_EXTENSION_LEG, "fitness": "low"}, catalog)
    assert program["exercises"][0]["id"] == "sphinx"
    sessions = [
        session(0, [{"id": "prone-lying", "completed": True, "leg_symptoms": "centralised"}]),
        session(1, [log(program, "sphinx", leg_symptoms="peripheralised")]),
    ]
    result = run(history(program, 1, sessions), catalog)
    assert result.decision("sphinx").action == "substitute"
    assert not [a for a in result.alerts if "has not held up" in a.message]


def test_leg_symptoms_spreading_hold_every_other_exercise_until_two_calm_sessions(
    extension_program: dict[str, Any], catalog: Catalog
) -> None:
    program = copy.deepcopy(extension_program)
    spread = [log(program, "prone-press-up", leg_symptoms="peripheralised"), *every_log(program)[1:]]
    sessions = [session(0, every_log(program)), session(1, spread)]
    first = run(history(program, 1, sessions), catalog)
    assert first.decision("bird-dog").action == "hold"
    assert first.decision("bird-dog").rule == "peripheralisation"
    substituted = [ex for ex in program["exercises"] if ex["id"] != "prone-press-up"]
    calm_program = {**program, "exercises": substituted}
    calm = [session(n, every_log(calm_program)) for n in (2, 3)]
    assert run(history(calm_program, 2, [*sessions, calm[0]]), catalog).decision("bird-dog").action == "hold"
    assert (
        run(history(calm_program, 3, [*sessions, *calm]), catalog).decision("bird-dog").action == "progress"
    )


def spread_by_the_sit_to_stand(program: dict[str, Any]) -> list[dict[str, Any]]:
    """Monday all fine; Tuesday the thigh pain spread down the leg during the sit-to-stand."""
    others = [entry for entry in every_log(program) if entry["id"] != "sit-to-stand"]
    tuesday = [*others, log(program, "sit-to-stand", leg_symptoms="peripheralised")]
    return [session(0, every_log(program)), session(1, tuesday)]


def test_sessions_with_no_exercise_done_do_not_clear_a_spreading_of_leg_symptoms(
    program: dict[str, Any], catalog: Catalog
) -> None:
    # The thigh pain spread during Tuesday's sit-to-stand. On Wednesday the session was opened and
    # closed with nothing logged, on Thursday every exercise was skipped: no load, so no evidence that
    # the symptoms have stopped spreading. The bird-dog stays where it is; the sit-to-stand is replaced.
    skipped = [{"id": ex["id"], "completed": False} for ex in program["exercises"]]
    sessions = [*spread_by_the_sit_to_stand(program), session(2, [], None), session(3, skipped, None)]
    result = run(history(program, 3, sessions), catalog)
    assert result.decision("sit-to-stand").action == "substitute"
    assert [a.kind for a in result.alerts] == ["peripheralisation"]
    bird_dog = result.decision("bird-dog")
    assert (bird_dog.action, bird_dog.rule) == ("hold", "peripheralisation")
    assert bird_dog.reasons == (
        "Your leg symptoms spread further down your leg during the sit to stand on 4 March, so nothing is made "
        "harder until you have had 2 sessions of exercise without that happening.",
    )


def test_skipping_the_exercise_that_spread_leg_symptoms_does_not_clear_it(
    program: dict[str, Any], catalog: Catalog
) -> None:
    # After Tuesday's spreading the person skipped the sit-to-stand on Wednesday and Thursday and did the
    # rest. Skipping it is no sign that it has stopped spreading the symptoms: it is still replaced, with
    # the alert, and nothing is made harder in the review that replaces it.
    others = [entry for entry in every_log(program) if entry["id"] != "sit-to-stand"]
    skipped = {"id": "sit-to-stand", "completed": False}
    sessions = [
        *spread_by_the_sit_to_stand(program),
        session(2, [*others, skipped]),
        session(3, [*others, skipped]),
    ]
    result = run(history(program, 3, sessions), catalog)
    decision = result.decision("sit-to-stand")
    assert (decision.action, decision.rule) == ("substitute", "peripheralisation")
    assert decision.reasons[0] == (
        "Your leg symptoms spread further down your leg during this exercise on 4 March: stop doing it."
    )
    assert [a.kind for a in result.alerts] == ["peripheralisation"]
    assert "progress" not in {d.action for d in result.decisions}


def test_nothing_is_made_harder_while_an_exercise_that_spread_leg_symptoms_is_still_in_the_program(
    program: dict[str, Any], catalog: Catalog
) -> None:
    # Two good sessions of the rest since Tuesday, but the sit-to-stand that spread the symptoms has not
    # been taken out yet: this review takes it out, and changes one thing at a time.
    others = [entry for entry in every_log(program) if entry["id"] != "sit-to-stand"]
    sessions = [*spread_by_the_sit_to_stand(program), session(2, others), session(3, others)]
    result = run(history(program, 3, sessions), catalog)
    assert result.decision("sit-to-stand").action == "substitute"
    bird_dog = result.decision("bird-dog")
    assert (bird_dog.action, bird_dog.rule) == ("hold", "peripheralisation")
    assert bird_dog.reasons == (
        "Your leg symptoms spread further down your leg during the sit to stand on 4 March, so nothing is made "
        "harder until it is out of your program.",
    )
    # Once it is out, the same two good sessions let the rest move on.
    without = {**program, "exercises": [ex for ex in program["exercises"] if ex["id"] != "sit-to-stand"]}
    assert run(history(without, 3, sessions), catalog).decision("bird-dog").action == "progress"


def test_a_session_in_which_leg_symptoms_spread_does_not_count_toward_making_that_exercise_harder(
    program: dict[str, Any], catalog: Catalog
) -> None:
    # The physiotherapist kept the bird-dog after it spread the symptoms on Monday. Tuesday without it,
    # Wednesday with it and all calm: the other exercises move on, but the bird-dog has had only one
    # good session since.
    without = [entry for entry in every_log(program) if entry["id"] != "bird-dog"]
    monday = [*without, log(program, "bird-dog", leg_symptoms="peripheralised")]
    sessions = [session(0, monday), session(1, without), session(2, every_log(program))]
    result = run(history(program, 2, sessions), catalog)
    assert result.decision("glute-bridge").action == "progress"
    bird_dog = result.decision("bird-dog")
    assert (bird_dog.action, bird_dog.rule) == ("hold", "not_ready")
    assert bird_dog.reasons[0].endswith("So far: 1 of 2.")


def test_leg_symptoms_moving_back_toward_the_back_are_good_news_and_hold_nothing(
    program: dict[str, Any], catalog: Catalog
) -> None:
    result = run(history(program, 1, two_good_sessions(program, leg_symptoms="centralised")), catalog)
    decision = result.decision("glute-bridge")
    assert decision.action == "progress"
    assert decision.reasons[-1] == (
        "Your leg symptoms moved back toward your back during this exercise on 4 March: a good sign, keep going."
    )


# --- Work in the easing direction: along the chain, by centralisation ---------------------------------------


@pytest.fixture(scope="module")
def prone_lying_program(catalog: Catalog) -> dict[str, Any]:
    """Back and thigh pain eased by bending backward, 8 weeks, low fitness: lying on the front first."""
    program = program_for({**CHRONIC_EXTENSION_LEG, "episode_weeks": 8, "fitness": "low"}, catalog)
    assert program["exercises"][0]["id"] == "prone-lying"
    return program


def test_centralisation_progresses_along_the_extension_chain(
    prone_lying_program: dict[str, Any], catalog: Catalog
) -> None:
    # Two good sessions lying on the front with the thigh pain moving back toward the back: the next
    # position is the sphinx, at its starting hold, not another 5 seconds lying down.
    program = copy.deepcopy(prone_lying_program)
    sessions = [session(n, [log(program, "prone-lying", leg_symptoms="centralised")]) for n in (0, 1)]
    decision = run(history(program, 1, sessions), catalog).decision("prone-lying")
    assert (decision.action, decision.rule) == ("progress", "centralisation")
    assert decision.from_dose == Dose("prone-lying", 1, 1, 60)
    assert decision.to_dose == Dose("sphinx", 1, 1, 30)
    assert decision.reasons[0].startswith(
        "In your last 2 sessions your leg symptoms moved back toward your back and your pain stayed within "
        "limits: the next step in the direction that eases your pain is to switch to the sphinx"
    )


def test_the_sphinx_moves_on_to_the_press_up_when_symptoms_stay_out_of_the_leg(catalog: Catalog) -> None:
    program = program_for({**CHRONIC_EXTENSION_LEG, "fitness": "low"}, catalog)
    assert program["exercises"][0]["id"] == "sphinx"
    sessions = [session(n, [log(program, "sphinx", leg_symptoms="none")]) for n in (0, 1)]
    decision = run(history(program, 1, sessions), catalog).decision("sphinx")
    assert (decision.action, decision.rule) == ("progress", "centralisation")
    assert decision.to_dose == Dose("prone-press-up", 1, 10, None)


def test_unchanged_leg_symptoms_keep_the_position_without_adding_seconds(
    prone_lying_program: dict[str, Any], catalog: Catalog
) -> None:
    program = copy.deepcopy(prone_lying_program)
    sessions = [session(n, [log(program, "prone-lying", leg_symptoms="same")]) for n in (0, 1)]
    decision = run(history(program, 1, sessions), catalog).decision("prone-lying")
    assert (decision.action, decision.rule) == ("hold", "centralisation")
    assert decision.to_dose == decision.from_dose
    assert decision.reasons == (
        "Keep doing the lying on your front at this level: your leg symptoms stayed the same during it. We "
        "move on to the sphinx once they move back toward your back.",
    )


def test_the_end_of_the_chain_climbs_the_dose_ladder(catalog: Catalog) -> None:
    program = program_for(CHRONIC_EXTENSION_LEG, catalog)
    sessions = [session(n, [log(program, "prone-press-up", leg_symptoms="centralised")]) for n in (0, 1)]
    decision = run(history(program, 1, sessions), catalog).decision("prone-press-up")
    assert (decision.action, decision.rule) == ("progress", "ready_to_progress")
    assert decision.to_dose == Dose("prone-press-up", 1, 10, 3)


def test_without_a_known_preference_prone_lying_climbs_the_ordinary_ladder(
    prone_lying_program: dict[str, Any], catalog: Catalog
) -> None:
    program = copy.deepcopy(prone_lying_program)
    program["precaution_keys"] = [k for k in program["precaution_keys"] if not k.startswith("prefers_")]
    sessions = [session(n, [log(program, "prone-lying")]) for n in (0, 1)]
    decision = run(history(program, 1, sessions), catalog).decision("prone-lying")
    assert decision.to_dose == Dose("prone-lying", 1, 1, 65)


# --- Waiting to see a doctor ---------------------------------------------------------------------------------


INFLAMMATORY_SIGNS = {
    "onset_before_35": True,
    "wakes_second_half_of_night": True,
    "buttock_pain": True,
    "improves_with_movement": True,
}


def test_inflammatory_back_pain_keeps_a_progressing_program(catalog: Catalog) -> None:
    # Four signs of axial spondyloarthritis: see a doctor for a rheumatology referral, and keep
    # exercising meanwhile, a program that progresses (NICE NG65: exercise is first-line treatment).
    intake = {**CHRONIC_LOW_FITNESS, "age": 30, "back_pain_years": 2, "inflammatory": INFLAMMATORY_SIGNS}
    program = program_for(intake, catalog)
    assert program["triage"]["tier"] == "see_doctor_soon"
    assert program["triage"]["flags"] == ["inflammatory_back_pain"]
    result = run(history(program, 1, two_good_sessions(program)), catalog)
    assert result.decision("glute-bridge").action == "progress"
    assert {d.rule for d in result.decisions} <= {"ready_to_progress", "top_of_ladder"}


def test_other_reasons_to_see_a_doctor_soon_make_nothing_harder(catalog: Catalog) -> None:
    program = program_for({**CHRONIC_LOW_FITNESS, "red_flags": {"constant_night_pain": True}}, catalog)
    assert program["triage"]["tier"] == "see_doctor_soon"
    result = run(history(program, 1, two_good_sessions(program)), catalog)
    assert {(d.action, d.rule) for d in result.decisions} == {("hold", "see_doctor_soon")}
    assert result.decisions[0].reasons == (
        "Your answers when you started point to seeing a doctor within the next few days, so nothing is made "
        "harder until a doctor has seen you.",
    )


def test_inflammatory_back_pain_with_another_warning_sign_makes_nothing_harder(catalog: Catalog) -> None:
    intake = {
        **CHRONIC_LOW_FITNESS,
        "age": 30,
        "back_pain_years": 2,
        "inflammatory": INFLAMMATORY_SIGNS,
        "red_flags": {"constant_night_pain": True},
    }
    program = program_for(intake, catalog)
    assert set(program["triage"]["flags"]) >= {"inflammatory_back_pain", "constant_night_pain"}
    result = run(history(program, 1, two_good_sessions(program)), catalog)
    assert "progress" not in {d.action for d in result.decisions}


# --- Red flags at a check-in -------------------------------------------------------------------------------


def test_a_cauda_equina_sign_at_a_checkin_is_an_emergency_that_stops_everything(
    program: dict[str, Any], catalog: Catalog
) -> None:
    checkins = [{"date": day(2), "morning_pain": 3, "red_flags": {"saddle_numbness": True}}]
    result = run(history(program, 2, two_good_sessions(program), checkins), catalog)
    assert result.alerts[0].kind == "red_flag"
    assert result.alerts[0].severity == "emergency"
    assert result.alerts[0].message.startswith("At your check-in on 5 March you answered yes to: ")
    assert "emergency department" in result.alerts[0].message
    assert result.triage is not None
    assert result.triage.tier.value == "emergency_now"
    assert result.triage.flags == ("saddle_numbness",)
    assert {(d.action, d.rule) for d in result.decisions} == {("stop", "red_flag")}
    assert result.walking is not None
    assert result.walking.action == "stop"


def test_a_red_flag_needing_a_doctor_today_is_urgent_and_stops_everything(
    program: dict[str, Any], catalog: Catalog
) -> None:
    checkins = [{"date": day(2), "red_flags": {"fever_or_unwell": True}}]
    result = run(history(program, 2, two_good_sessions(program), checkins), catalog)
    assert [(a.kind, a.severity) for a in result.alerts] == [("red_flag", "urgent")]
    assert {d.action for d in result.decisions} == {"stop"}


def test_a_red_flag_needing_a_doctor_soon_holds_progress(program: dict[str, Any], catalog: Catalog) -> None:
    checkins = [{"date": day(2), "red_flags": {"constant_night_pain": True}}]
    result = run(history(program, 2, two_good_sessions(program), checkins), catalog)
    assert [(a.kind, a.severity) for a in result.alerts] == [("red_flag", "review")]
    assert {(d.action, d.rule) for d in result.decisions} == {("hold", "red_flag")}


def test_a_risk_factor_alone_at_a_checkin_is_recorded_but_changes_nothing(
    program: dict[str, Any], catalog: Catalog
) -> None:
    checkins = [{"date": day(2), "red_flags": {"infection_risk": True}}]
    result = run(history(program, 1, two_good_sessions(program), checkins[:0]), catalog)
    flagged = run(history(program, 2, two_good_sessions(program), checkins), catalog)
    assert [(a.kind, a.severity) for a in flagged.alerts] == [("red_flag", "info")]
    assert flagged.triage is not None
    assert flagged.triage.tier.value == "routine"
    assert [d.action for d in flagged.decisions] == [d.action for d in result.decisions]


def test_a_fever_at_a_checkin_weighs_with_the_diabetes_the_program_records(
    program: dict[str, Any], catalog: Catalog
) -> None:
    checkins = [{"date": day(2), "red_flags": {"fever_or_unwell": True}}]
    without = run(history(program, 2, two_good_sessions(program), checkins), catalog)
    diabetic = {**program, "precaution_keys": ["diabetes"]}
    with_diabetes = run(history(diabetic, 2, two_good_sessions(diabetic), checkins), catalog)
    assert without.triage is not None
    assert with_diabetes.triage is not None
    assert without.triage.tier.value == "urgent_same_day"
    assert with_diabetes.triage.tier.value == "emergency_now"


def test_a_red_flag_answer_stays_in_force_for_a_week(program: dict[str, Any], catalog: Catalog) -> None:
    checkins = [
        {"date": day(1), "red_flags": {"saddle_numbness": True}},
        {"date": day(3), "red_flags": {}},
    ]
    assert run(history(program, 3, [], checkins), catalog).triage is not None
    assert run(history(program, 7, [], checkins), catalog).triage is not None
    assert run(history(program, 8, [], checkins), catalog).triage is None


def test_all_no_answers_at_a_checkin_raise_nothing(program: dict[str, Any], catalog: Catalog) -> None:
    result = run(
        history(program, 1, [], [{"date": day(1), "red_flags": {"saddle_numbness": False}}]), catalog
    )
    assert result.triage is None
    assert result.alerts == ()


# --- Adherence --------------------------------------------------------------------------------------------


def test_adherence_counts_exercise_days_done_against_days_prescribed_over_fourteen_days(
    program: dict[str, Any], catalog: Catalog
) -> None:
    sessions = [session(n, every_log(program)) for n in (0, 1, 2, 3, 4, 7, 8)]
    result = run(history(program, 13, sessions), catalog)
    assert result.adherence.to_json() == {
        "window_days": 14,
        "sessions_done": 7,
        "sessions_prescribed": 10,
        "rate": 0.7,
    }


def test_fewer_than_half_the_sessions_over_two_weeks_alerts_and_holds_progress(
    program: dict[str, Any], catalog: Catalog
) -> None:
    sessions = [session(n, every_log(program)) for n in (0, 11, 12)]
    result = run(history(program, 13, sessions), catalog)
    assert result.adherence.rate == 0.3
    assert [(a.kind, a.severity) for a in result.alerts] == [("low_adherence", "review")]
    assert result.alerts[0].message.startswith(
        "You did 3 of 10 planned exercise sessions in the last 14 days."
    )
    assert {(d.action, d.rule) for d in result.decisions} == {("hold", "low_adherence")}


def test_two_of_ten_sessions_in_two_weeks_is_low_adherence(program: dict[str, Any], catalog: Catalog) -> None:
    # The record starts at the first session (day 2): 13 days known, 10 sessions planned, 2 done.
    sessions = [session(n, every_log(program)) for n in (2, 9)]
    result = run(history(program, 14, sessions), catalog)
    assert result.adherence.to_json() == {
        "window_days": 13,
        "sessions_done": 2,
        "sessions_prescribed": 10,
        "rate": 0.2,
    }
    assert [(a.kind, a.severity) for a in result.alerts if a.kind == "low_adherence"] == [
        ("low_adherence", "review")
    ]
    assert {(d.action, d.rule) for d in result.decisions} == {("hold", "low_adherence")}


def test_does_not_progress_on_one_session_a_week(program: dict[str, Any], catalog: Catalog) -> None:
    # Two good sessions a week apart: too early to raise the alert, but not a reason to make it harder.
    sessions = [session(n, every_log(program)) for n in (0, 7)]
    result = run(history(program, 7, sessions), catalog)
    assert not [a for a in result.alerts if a.kind == "low_adherence"]
    decision = result.decision("glute-bridge")
    assert (decision.action, decision.rule) == ("hold", "low_adherence")
    assert decision.reasons == (
        "You did 2 of 6 planned sessions in the last 8 days: regular sessions come first, then we make "
        "things harder.",
    )


def test_low_adherence_is_not_alerted_before_ten_days_are_known(
    program: dict[str, Any], catalog: Catalog
) -> None:
    sessions = [session(n, every_log(program)) for n in (0, 7, 8)]
    result = run(history(program, 8, sessions), catalog)
    assert result.adherence.window_days == 9
    assert not [a for a in result.alerts if a.kind == "low_adherence"]


def test_regular_sessions_in_the_first_days_progress(program: dict[str, Any], catalog: Catalog) -> None:
    result = run(history(program, 2, [session(n, every_log(program)) for n in (0, 2)]), catalog)
    assert result.adherence.rate == 0.67
    assert result.decision("glute-bridge").action == "progress"


# --- Outcomes ---------------------------------------------------------------------------------------------


def steady_until(program: dict[str, Any], today: int, pain: int = 5) -> list[dict[str, Any]]:
    """Every exercise done Monday to Friday up to `today`, with the same pre-session pain."""
    return [s for s in weekly_pain(program, [pain] * (today // 7 + 1)) if s["date"] <= day(today)]


def test_no_improvement_after_four_weeks_is_noted_and_after_six_weeks_needs_a_review(
    program: dict[str, Any], catalog: Catalog
) -> None:
    outcomes = [
        {"date": day(0), "instrument": "nprs", "score": 5},
        {"date": day(28), "instrument": "nprs", "score": 5},
    ]
    at_27 = run(history(program, 27, steady_until(program, 27), outcomes=outcomes[:1]), catalog)
    at_28 = run(history(program, 28, steady_until(program, 28), outcomes=outcomes), catalog)
    at_42 = run(history(program, 42, steady_until(program, 42), outcomes=outcomes), catalog)
    assert not [a for a in at_27.alerts if a.kind == "no_improvement"]
    assert [(a.kind, a.severity) for a in at_28.alerts if a.kind == "no_improvement"] == [
        ("no_improvement", "info")
    ]
    assert [(a.kind, a.severity) for a in at_42.alerts if a.kind == "no_improvement"] == [
        ("no_improvement", "review")
    ]
    assert "reassess" in next(a for a in at_42.alerts if a.kind == "no_improvement").message


def test_no_improvement_is_not_blamed_on_the_program_when_it_was_not_followed(
    program: dict[str, Any], catalog: Catalog
) -> None:
    sessions = [session(n, every_log(program), pain_before=5) for n in range(0, 43, 7)]
    outcomes = [
        {"date": day(0), "instrument": "nprs", "score": 5},
        {"date": day(42), "instrument": "nprs", "score": 5},
    ]
    result = run(history(program, 42, sessions, outcomes=outcomes), catalog)
    assert not [a for a in result.alerts if a.kind == "no_improvement"]


def test_an_improvement_by_the_minimal_important_change_is_reported(
    program: dict[str, Any], catalog: Catalog
) -> None:
    outcomes = [
        {"date": day(0), "instrument": "nprs", "score": 6},
        {"date": day(14), "instrument": "nprs", "score": 4},
    ]
    result = run(history(program, 14, steady_until(program, 14, pain=4), outcomes=outcomes), catalog)
    assert [(a.kind, a.severity, a.message) for a in result.alerts] == [
        (
            "improved",
            "info",
            "Your pain score (NPRS) went from 6 to 4: a real improvement, at least the smallest change that matters.",
        )
    ]


@pytest.mark.parametrize(("instrument", "before", "after"), [("nprs", 4, 0), ("rmdq", 9, 2)])
def test_recovered_at_no_pain_or_an_rmdq_of_two_or_less(
    program: dict[str, Any], catalog: Catalog, instrument: str, before: int, after: int
) -> None:
    outcomes = [
        {"date": day(0), "instrument": instrument, "score": before},
        {"date": day(14), "instrument": instrument, "score": after},
    ]
    result = run(history(program, 14, steady_until(program, 14, pain=2), outcomes=outcomes), catalog)
    assert [a.kind for a in result.alerts] == ["improved", "recovered"]


def test_an_rmdq_of_three_is_not_yet_recovered(program: dict[str, Any], catalog: Catalog) -> None:
    outcomes = [
        {"date": day(0), "instrument": "rmdq", "score": 9},
        {"date": day(14), "instrument": "rmdq", "score": 3},
    ]
    assert "recovered" not in [a.kind for a in run(history(program, 14, outcomes=outcomes), catalog).alerts]


@pytest.mark.parametrize(("today", "weeks"), [(14, 2), (29, 4), (42, 6), (90, 12)])
def test_reassessment_is_due_at_two_four_six_and_twelve_weeks(
    program: dict[str, Any], catalog: Catalog, today: int, weeks: int
) -> None:
    outcomes = [{"date": day(0), "instrument": "nprs", "score": 5}]
    result = run(history(program, today, outcomes=outcomes), catalog)
    due = [a for a in result.alerts if a.kind == "reassessment_due"]
    assert [(a.severity, a.message.split(":")[0]) for a in due] == [
        ("info", f"Your {weeks}-week check was due on {day(weeks * 7)[8:].lstrip('0')} {_month(weeks * 7)}")
    ]


def _month(days: int) -> str:
    return {3: "March", 4: "April", 5: "May", 6: "June"}[int(day(days)[5:7])]


def test_a_reassessment_recorded_on_time_is_not_due(program: dict[str, Any], catalog: Catalog) -> None:
    outcomes = [
        {"date": day(0), "instrument": "nprs", "score": 5},
        {"date": day(14), "instrument": "odi", "score": 30},
    ]
    result = run(history(program, 20, outcomes=outcomes), catalog)
    assert "reassessment_due" not in [a.kind for a in result.alerts]


def test_nothing_is_due_before_two_weeks(program: dict[str, Any], catalog: Catalog) -> None:
    outcomes = [{"date": day(0), "instrument": "nprs", "score": 5}]
    result = run(history(program, 13, steady_until(program, 13), outcomes=outcomes), catalog)
    assert result.alerts == ()


# --- Walking ----------------------------------------------------------------------------------------------


def walking_weeks(
    program: dict[str, Any], days: list[int], walk: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    entry = {"id": "walking", "completed": True, "pain_during": 1, **(walk or {})}
    return [session(n, [*every_log(program), dict(entry)]) for n in days]


def test_walking_adds_the_weekly_increase_after_a_week_walked_as_planned(
    program: dict[str, Any], catalog: Catalog
) -> None:
    result = run(history(program, 7, walking_weeks(program, [0, 1, 2, 3, 4, 7])), catalog)
    assert result.walking is not None
    assert result.walking.action == "progress"
    assert result.walking.to_json()["to"] == {"minutes_per_bout": 6.0, "bouts_per_day": 2, "days_per_week": 5}
    assert result.walking.reasons == (
        "Last week went well: this week walk 6 minutes 2 times a day, 5 days a week.",
    )


def test_walking_is_reviewed_only_after_the_first_session_of_a_week(
    program: dict[str, Any], catalog: Catalog
) -> None:
    walked = walking_weeks(program, [0, 1, 2, 3, 4, 7, 8])
    assert run(history(program, 8, walked), catalog).walking.action == "hold"  # type: ignore[union-attr]
    assert run(history(program, 7, walked[:5]), catalog).walking.action == "hold"  # type: ignore[union-attr]


def test_walking_holds_when_fewer_walks_than_planned_were_logged(
    program: dict[str, Any], catalog: Catalog
) -> None:
    result = run(history(program, 7, walking_weeks(program, [0, 1, 2, 7])), catalog)
    assert result.walking is not None
    assert result.walking.action == "hold"
    assert result.walking.reasons == (
        "You logged walks on 3 of 5 planned days last week: walk on 5 days at this length before we add more.",
    )


def test_walking_adds_a_day_once_thirty_minutes_a_day_is_reached(
    program: dict[str, Any], catalog: Catalog
) -> None:
    program["walking"].update(minutes_per_bout=15, days_per_week=4)
    result = run(history(program, 7, walking_weeks(program, [0, 1, 2, 3, 7])), catalog)
    assert result.walking is not None
    assert result.walking.to_json()["to"] == {"minutes_per_bout": 15, "bouts_per_day": 2, "days_per_week": 5}


def test_walking_at_thirty_minutes_on_five_days_is_the_goal(
    program: dict[str, Any], catalog: Catalog
) -> None:
    program["walking"].update(minutes_per_bout=30, bouts_per_day=1)
    result = run(history(program, 7, walking_weeks(program, [0, 1, 2, 3, 4, 7])), catalog)
    assert result.walking is not None
    assert result.walking.action == "hold"
    assert result.walking.rule == "top_of_ladder"


def test_walking_steps_back_after_a_painful_walk(program: dict[str, Any], catalog: Catalog) -> None:
    program["walking"].update(minutes_per_bout=10)
    walks = walking_weeks(program, [0, 1, 2, 3, 4], {"pain_during": 7}) + walking_weeks(program, [7])
    result = run(history(program, 7, walks), catalog)
    assert result.walking is not None
    assert result.walking.action == "regress"
    assert result.walking.to_json()["to"]["minutes_per_bout"] == 9.0


def test_a_plan_without_weekly_increase_keeps_walks_the_same(
    program: dict[str, Any], catalog: Catalog
) -> None:
    program["walking"].update(weekly_increase_minutes=0)
    result = run(history(program, 7, walking_weeks(program, [0, 1, 2, 3, 4, 7])), catalog)
    assert result.walking is not None
    assert result.walking.action == "hold"


# --- The review as a whole -------------------------------------------------------------------------------


def test_every_exercise_of_the_program_gets_exactly_one_decision(
    program: dict[str, Any], catalog: Catalog
) -> None:
    result = run(history(program, 1, two_good_sessions(program)), catalog)
    assert [d.id for d in result.decisions] == [ex["id"] for ex in program["exercises"]]


def test_a_referred_program_has_no_decisions(catalog: Catalog) -> None:
    referred = program_for({**CHRONIC_LOW_FITNESS, "red_flags": {"saddle_numbness": True}}, catalog)
    assert referred["status"] == "refer"
    result = run(history(referred, 0), catalog)
    assert result.decisions == ()
    assert result.walking is None


def test_the_same_history_always_gives_the_same_review(program: dict[str, Any], catalog: Catalog) -> None:
    data = history(program, 18, weekly_pain(program, [4, 2, 3]))
    assert run(data, catalog).to_json() == run(data, catalog).to_json()


# --- Reading a history ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: h.update(today="5 March"), "history: today: must be an ISO date YYYY-MM-DD"),
        (lambda h: h.update(today="2025-02-30"), "history: today: not a calendar date"),
        (lambda h: h.update(mood="fine"), "history: mood: unknown key"),
        (lambda h: h.pop("sessions"), "history: sessions: required but missing"),
        (
            lambda h: h["sessions"][0]["exercises"][0].update(pain_during=11),
            "history: sessions.0.exercises.0.pain_during: Input should be less than or equal to 10 (got 11)",
        ),
        (
            lambda h: h["sessions"][0]["exercises"][0].update(pain_during="3"),
            "history: sessions.0.exercises.0.pain_during: Input should be a valid integer (got '3')",
        ),
        (
            lambda h: h["sessions"][0]["exercises"][0].update(difficulty="ok"),
            "history: sessions.0.exercises.0.difficulty: Input should be 'easy', 'right' or 'hard' (got 'ok')",
        ),
        (
            lambda h: h["sessions"][0].update(date="2025-03-09"),
            "history: sessions.0.date: 2025-03-09 is after today (2025-03-04)",
        ),
        (
            lambda h: h["sessions"][0]["exercises"][0].update(id="glute-bridges"),
            "history: sessions.0.exercises.0.id: unknown exercise id 'glute-bridges'; did you mean glute-bridge",
        ),
        (
            lambda h: h["sessions"][0]["exercises"].append(dict(h["sessions"][0]["exercises"][0])),
            "history: sessions.0.exercises.5.id: 'cat-cow' is logged twice in this session",
        ),
        (
            lambda h: h["checkins"].append({"date": "2025-03-04", "red_flags": {"saddle": True}}),
            "history: checkins.0.red_flags.saddle: unknown key",
        ),
        (
            lambda h: h["outcomes"].append({"date": "2025-03-03", "instrument": "odi", "score": 140}),
            "history: outcomes.0.score: a odi score lies between 0 and 100 (got 140)",
        ),
        (
            lambda h: h["outcomes"].append({"date": "2025-03-03", "instrument": "sf36", "score": 1}),
            "history: outcomes.0.instrument: Input should be 'nprs', 'odi', 'rmdq' or 'psfs' (got 'sf36')",
        ),
        (lambda h: h["program"].pop("exercises"), "history: program.exercises: required but missing"),
        (
            lambda h: h["program"]["exercises"][0].update(sets=0),
            "history: program.exercises.0.sets: Input should be greater than or equal to 1 (got 0)",
        ),
        (
            lambda h: h["program"]["exercises"][1].update(id="cat-cow"),
            "history: program.exercises.1.id: 'cat-cow' appears twice in the program",
        ),
        (
            lambda h: h["program"]["exercises"][0].update(id="moonwalk"),
            "history: program.exercises.0.id: unknown exercise id 'moonwalk'",
        ),
        (lambda h: h.update(program="glute bridges"), "history: program: Input should be a valid dictionary"),
    ],
)
def test_a_malformed_history_is_refused_with_one_line_naming_the_field(
    program: dict[str, Any], catalog: Catalog, change: Any, message: str
) -> None:
    data = history(program, 1, two_good_sessions(program))
    change(data)
    with pytest.raises(InvalidInput) as raised:
        parse_history(data, catalog=catalog)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_the_program_may_carry_extra_keys_as_its_contract_allows(
    program: dict[str, Any], catalog: Catalog
) -> None:
    data = history(program, 1, two_good_sessions(program))
    data["program"]["clinic_note"] = "seen by J."
    data["program"]["exercises"][0]["video"] = "cat-cow.mp4"
    assert parse_history(data, catalog=catalog).program.exercises[0].id == "cat-cow"


def test_sessions_may_name_exercises_no_longer_in_the_program(
    program: dict[str, Any], catalog: Catalog
) -> None:
    data = history(program, 1, [session(0, [{"id": "prone-press-up", "completed": True}])])
    assert parse_history(data, catalog=catalog).sessions[0].exercises[0].id == "prone-press-up"


# --- The rules file ------------------------------------------------------------------------------------------


def test_every_rule_number_cites_a_known_reference(catalog: Catalog) -> None:
    rules = load_rules()
    assert set(rules.evidence_ids()) <= set(catalog.references)
    assert rules.pain_during.acceptable_max == 5
    assert rules.pain_during.up_to_pain_before
    assert rules.pain_during.evidence[0] == "silbernagel-2007-ajsm"
    assert rules.adherence.evidence == ["clinical-practice"]
    assert rules.see_doctor_soon.progressing_evidence == ["nice-ng65-2017"]
    assert rules.reassessment.weeks == [2, 4, 6, 12]
    assert "pocovi-2024-lancet" in rules.walking.evidence
    assert "costa-2012-cmaj" in rules.outcomes.evidence


def test_the_flags_that_keep_a_program_progressing_are_the_planners_and_known_to_the_screen() -> None:
    from lumbar.domain.prescription_rules import default_rules as planner_rules
    from lumbar.domain.screening import default_rules as screening_rules

    flags = load_rules().see_doctor_soon.progressing_flags
    assert flags == planner_rules().triage.see_doctor_soon.full_program_when_only
    screen = screening_rules()
    assert set(flags) <= {screen.inflammatory.refer_flag, screen.inflammatory.consider_flag}


def test_a_typo_in_the_rules_file_is_an_error_naming_the_key(tmp_path: Path) -> None:
    from lumbar.domain.catalog import CONTENT_DIR, ContentError

    text = (CONTENT_DIR / "progression.toml").read_text(encoding="utf-8")
    bad = tmp_path / "progression.toml"
    bad.write_text(
        text.replace("acceptable_max = 5", "acceptable_max = 5\nacceptable_maximum = 5"), encoding="utf-8"
    )
    (tmp_path / "references.toml").write_text((CONTENT_DIR / "references.toml").read_text(encoding="utf-8"))
    with pytest.raises(ContentError, match=r"progression.toml: pain_during.acceptable_maximum: unknown key"):
        load_rules(bad)


def test_a_rule_citing_an_unknown_reference_is_refused(tmp_path: Path) -> None:
    from lumbar.domain.catalog import CONTENT_DIR, ContentError

    text = (CONTENT_DIR / "progression.toml").read_text(encoding="utf-8")
    bad = tmp_path / "progression.toml"
    bad.write_text(
        text.replace('evidence = ["clinical-practice"]', 'evidence = ["my-hunch"]'), encoding="utf-8"
    )
    (tmp_path / "references.toml").write_text((CONTENT_DIR / "references.toml").read_text(encoding="utf-8"))
    with pytest.raises(ContentError, match="unknown evidence id 'my-hunch'"):
        load_rules(bad)


def test_a_rise_of_thirty_percent_from_a_small_score_is_not_worsening(
    program: dict[str, Any], catalog: Catalog
) -> None:
    # 30% of a starting ODI of 10 is 3 points: far below the 10-point minimal important change.
    outcomes = [
        {"date": day(0), "instrument": "odi", "score": 10},
        {"date": day(18), "instrument": "odi", "score": 14},
    ]
    result = run(history(program, 18, weekly_pain(program, [3, 3, 3]), outcomes=outcomes), catalog)
    assert "worsening" not in {d.rule for d in result.decisions}
    assert not [a for a in result.alerts if a.kind == "worsening"]
