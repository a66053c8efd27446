"""Simulated patients followed for 4-12 weeks: does the review behave as a careful therapist would?

Each journey runs the deterministic simulator (tests/simulator.py): a real program from
`prescribe`, then day by day a check-in, a review before each session, the session, and a review
after it, with every change applied. The assertions read the whole sequence of reviews.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from lumbar.domain.catalog import Catalog, default_catalog
from simulator import (
    EXTENSION_CHAIN,
    START,
    Centralising,
    Dose,
    Flaring,
    Improving,
    Journey,
    NonAdherent,
    NonResponder,
    OlderAdult,
    OnceAWeek,
    Peripheralising,
    RedFlagOnDay20,
    Runner,
    RunnerWhoseBackFlares,
    SevenAtRest,
    day,
    run,
)

BRIDGES = {"glute-bridge", "marching-bridge", "single-leg-bridge"}
SERIOUS = {"review", "urgent", "emergency"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


@pytest.fixture(scope="module")
def improving(catalog: Catalog) -> Journey:
    return run(Improving(), catalog)


@pytest.fixture(scope="module")
def flaring(catalog: Catalog) -> Journey:
    return run(Flaring(), catalog)


@pytest.fixture(scope="module")
def peripheralising(catalog: Catalog) -> Journey:
    return run(Peripheralising(), catalog)


@pytest.fixture(scope="module")
def non_adherent(catalog: Catalog) -> Journey:
    return run(NonAdherent(), catalog)


@pytest.fixture(scope="module")
def red_flag(catalog: Catalog) -> Journey:
    return run(RedFlagOnDay20(), catalog)


@pytest.fixture(scope="module")
def non_responder(catalog: Catalog) -> Journey:
    return run(NonResponder(), catalog)


@pytest.fixture(scope="module")
def centralising(catalog: Catalog) -> Journey:
    return run(Centralising(), catalog)


@pytest.fixture(scope="module")
def seven_at_rest(catalog: Catalog) -> Journey:
    return run(SevenAtRest(), catalog)


@pytest.fixture(scope="module")
def once_a_week(catalog: Catalog) -> Journey:
    return run(OnceAWeek(), catalog)


@pytest.fixture(scope="module")
def runner(catalog: Catalog) -> Journey:
    return run(Runner(), catalog)


@pytest.fixture(scope="module")
def runner_flaring(catalog: Catalog) -> Journey:
    # Two bad mornings after the sessions of days 49 and 50 (third walk-run week), and two after the
    # sessions of days 57 and 58, the week the walk-runs started again.
    return run(RunnerWhoseBackFlares(flare_days=(50, 51, 58, 59)), catalog)


@pytest.fixture(scope="module")
def older_adult(catalog: Catalog) -> Journey:
    return run(OlderAdult(), catalog)


def sessions_at(journey: Journey, dose: Dose) -> int:
    """How many sessions logged this exercise at exactly this dose."""
    return sum(
        1
        for s in journey.history["sessions"]
        for log in s["exercises"]
        if (log["id"], log.get("sets"), log.get("reps"), log.get("hold_seconds"))
        == (dose.id, dose.sets, dose.reps, dose.hold_seconds)
    )


def actions_between(journey: Journey, first: int, last: int) -> Counter[str]:
    return Counter(
        action for e in journey.events if first <= e.day <= last for action in e.actions().values()
    )


# --- Improving ---------------------------------------------------------------------------------------------


def test_improving_patient_climbs_the_glute_bridge_ladder_every_two_sessions_then_moves_to_marching_bridge(
    improving: Journey,
) -> None:
    doses = [dose for _, dose in improving.doses(BRIDGES)]
    assert doses == [
        Dose("glute-bridge", 2, 10, 3),
        Dose("glute-bridge", 2, 12, 3),
        Dose("glute-bridge", 2, 14, 3),
        Dose("glute-bridge", 2, 15, 3),
        Dose("glute-bridge", 2, 15, 8),
        Dose("glute-bridge", 2, 15, 10),
        Dose("glute-bridge", 3, 15, 10),
        Dose("marching-bridge", 2, 10, 3),
        Dose("marching-bridge", 2, 10, 5),
        Dose("single-leg-bridge", 2, 10, 3),
        Dose("single-leg-bridge", 2, 10, 5),
    ]
    # Every step came after exactly two sessions at the dose before it.
    assert [sessions_at(improving, dose) for dose in doses[:-1]] == [2] * 10


def test_improving_patient_progresses_one_variable_at_a_time_and_never_goes_backward(
    improving: Journey,
) -> None:
    for event in improving.events:
        for decision in event.review["decisions"]:
            assert decision["action"] in ("progress", "hold")
            before, after = decision["from"], decision["to"]
            if decision["action"] == "progress" and before["id"] == after["id"]:
                changed = [key for key in ("sets", "reps", "hold_seconds") if before[key] != after[key]]
                assert len(changed) == 1, decision


def test_improving_patient_builds_walking_up_weekly_to_thirty_minutes_a_day(improving: Journey) -> None:
    walking = [
        (e.day, e.review["walking"]["to"]["minutes_per_bout"])
        for e in improving.events
        if e.review["walking"]["action"] == "progress"
    ]
    assert walking == [(7 * week, 5.0 + week) for week in range(1, 11)]
    assert improving.events[-1].program["walking"]["minutes_per_bout"] * 2 == 30


def test_improving_patient_hears_of_the_improvement_and_never_gets_a_serious_alert(
    improving: Journey,
) -> None:
    first_improved = next(e for e in improving.events if "improved" in e.alert_kinds())
    assert first_improved.day <= 28
    assert all("improved" in e.alert_kinds() for e in improving.events if e.day >= 28)
    assert not [a for e in improving.events for a in e.review["alerts"] if a["severity"] in SERIOUS]
    assert not [e for e in improving.events if "reassessment_due" in e.alert_kinds()]


# --- Flaring -------------------------------------------------------------------------------------------------


def test_flaring_patient_gets_nothing_harder_the_day_after_a_bad_morning(flaring: Journey) -> None:
    # The morning after the day-14 session was 6 against a usual 3.
    assert set(flaring.on(15, "before").actions().values()) == {"hold"}
    assert {d["rule"] for d in flaring.on(15, "before").review["decisions"]} == {"next_morning"}


def test_flaring_patient_has_the_whole_program_eased_once_after_two_bad_mornings(flaring: Journey) -> None:
    eased = flaring.on(16, "before")
    assert set(eased.actions().values()) == {"regress"}
    assert eased.alert("flare") == {
        "kind": "flare",
        "severity": "review",
        "message": eased.alert("flare")["message"],  # type: ignore[index]
        "evidence": ["silbernagel-2007-ajsm", "clinical-practice"],
    }
    assert eased.alert("flare")["message"].startswith(  # type: ignore[index]
        "The morning after your sessions on 17 and 18 March your pain was above your usual level"
    )
    # The flare went on for another morning, at the old dose: nothing is eased twice for it.
    regressions = Counter(
        d["id"]
        for e in flaring.events
        if 16 <= e.day <= 21
        for d in e.review["decisions"]
        if d["action"] == "regress"
    )
    assert set(regressions.values()) == {1}


def test_flaring_patient_gets_nothing_harder_until_the_flare_has_settled(flaring: Journey) -> None:
    assert actions_between(flaring, 15, 22)["progress"] == 0
    # The flare's week still counts as a worse week until day 22; on day 23 it has passed.
    assert [e.alert("worsening")["severity"] for e in flaring.events if e.day in (21, 22)] == [  # type: ignore[index]
        "review",
        "review",
        "review",
        "info",
    ]
    first_progress_after = min(
        e.day for e in flaring.events if e.day > 15 and "progress" in e.actions().values()
    )
    assert first_progress_after == 23
    assert set(flaring.on(23, "before").actions().values()) == {"progress"}


def test_flaring_patient_walks_a_little_less_the_week_after_the_flare(flaring: Journey) -> None:
    changes = [
        (e.day, e.review["walking"]["action"])
        for e in flaring.events
        if e.review["walking"]["action"] != "hold"
    ]
    assert changes == [(7, "progress"), (14, "progress"), (21, "regress"), (28, "progress"), (35, "progress")]


def test_flaring_patient_is_told_once_the_pain_has_improved(flaring: Journey) -> None:
    assert "improved" in flaring.events[-1].alert_kinds()
    assert "worsening" not in flaring.events[-1].alert_kinds()


# --- Peripheralising ------------------------------------------------------------------------------------------


def test_peripheralising_patient_has_the_press_up_replaced_by_a_neutral_exercise_the_day_symptoms_spread(
    peripheralising: Journey, catalog: Catalog
) -> None:
    event = peripheralising.on(3, "after")
    decision = event.decision("prone-press-up")
    assert decision["action"] == "substitute"
    assert decision["to"] == {"id": "piriformis-stretch", "sets": 1, "reps": 3, "hold_seconds": 30}
    # Neutral, not the pelvic tilt: a bend forward would work against her preference for bending backward.
    assert catalog.exercise("piriformis-stretch").direction_bias == "neutral"
    # The press-up was the only exercise in the easing direction: the preference did not hold.
    assert [(a["kind"], a["severity"]) for a in event.review["alerts"]] == [
        ("peripheralisation", "review"),
        ("peripheralisation", "review"),
    ]
    assert "That direction has not held up" in event.review["alerts"][0]["message"]
    others = [d for d in event.review["decisions"] if d["id"] != "prone-press-up"]
    assert {(d["action"], d["rule"]) for d in others} == {("hold", "peripheralisation")}


def test_peripheralising_patient_never_does_the_press_up_again_and_settles(peripheralising: Journey) -> None:
    substituted = peripheralising.events.index(peripheralising.on(3, "after"))
    after = peripheralising.events[substituted + 1 :]
    assert all("prone-press-up" not in e.actions() for e in after)
    assert not [e for e in after if "peripheralisation" in e.alert_kinds()]
    # Nothing is made harder until two sessions have passed without the symptoms spreading.
    assert actions_between(peripheralising, 4, 4)["progress"] == 0
    assert "progress" in peripheralising.on(7, "after").actions().values()


def test_peripheralising_patient_hears_that_centralisation_is_a_good_sign(peripheralising: Journey) -> None:
    reasons = [
        r
        for e in peripheralising.events
        if "piriformis-stretch" in e.actions()
        for r in e.decision("piriformis-stretch")["reasons"]
    ]
    assert any("a good sign, keep going" in reason for reason in reasons)
    # The stretch starts at its full dose: it stays there.
    assert [d for _, d in peripheralising.doses({"piriformis-stretch"})] == [
        Dose("piriformis-stretch", 1, 3, 30)
    ]


# --- Centralising ----------------------------------------------------------------------------------------------


def test_centralising_patient_moves_along_the_extension_chain_not_by_adding_seconds(
    centralising: Journey,
) -> None:
    doses = [dose for _, dose in centralising.doses(set(EXTENSION_CHAIN))]
    assert doses[:3] == [
        Dose("prone-lying", 1, 1, 60),
        Dose("sphinx", 1, 1, 30),
        Dose("prone-press-up", 1, 10, None),
    ]
    # Each position was done for exactly two sessions before the next.
    assert [sessions_at(centralising, dose) for dose in doses[:2]] == [2, 2]


# --- Pain during at the person's own level -----------------------------------------------------------------------


def test_patient_starting_at_seven_with_six_during_is_never_regressed(seven_at_rest: Journey) -> None:
    assert actions_between(seven_at_rest, 0, 20)["regress"] == 0
    assert actions_between(seven_at_rest, 0, 20)["stop"] == 0
    assert actions_between(seven_at_rest, 0, 20)["progress"] > 0
    assert not [e for e in seven_at_rest.events if {"flare", "worsening"} & set(e.alert_kinds())]


# --- Once a week ---------------------------------------------------------------------------------------------------


def test_once_a_week_patient_gets_nothing_harder_and_is_flagged(once_a_week: Journey) -> None:
    assert actions_between(once_a_week, 0, 27)["progress"] == 0
    assert all(e.review["walking"]["action"] != "progress" for e in once_a_week.events)
    flagged = [e.day for e in once_a_week.events if e.alert("low_adherence")]
    assert flagged
    assert min(flagged) == 14


# --- Non-adherent ------------------------------------------------------------------------------------------------


def test_non_adherent_patient_is_flagged_within_two_weeks_and_nothing_is_made_harder(
    non_adherent: Journey,
) -> None:
    # One day in four: 4 of 10 planned sessions by day 12 (13 days known) is low adherence.
    flagged = [e for e in non_adherent.events if e.day >= 10]
    assert flagged
    for event in flagged:
        assert event.alert("low_adherence") is not None
        assert event.alert("low_adherence")["severity"] == "review"  # type: ignore[index]
        assert "progress" not in event.actions().values()
        assert event.review["walking"]["action"] == "hold"
        assert event.review["adherence"]["rate"] < 0.5
    assert not [e for e in non_adherent.events if e.day < 10 and e.alert("low_adherence")]
    assert actions_between(non_adherent, 0, 41)["progress"] <= 5  # at most on day 4, after 2 of 4 sessions


def test_non_adherent_patient_is_not_referred_for_a_program_they_did_not_do(non_adherent: Journey) -> None:
    assert not [e for e in non_adherent.events if "no_improvement" in e.alert_kinds()]


# --- Red flag on day 20 ---------------------------------------------------------------------------------------------


def test_red_flag_on_day_20_is_an_emergency_that_stops_the_program(
    red_flag: Journey, contract_validator: Callable[..., Callable[[Any], None]]
) -> None:
    assert not [e for e in red_flag.events if e.day < 20 and "red_flag" in e.alert_kinds()]
    last = red_flag.events[-1]
    assert (last.day, last.when) == (20, "checkin")
    assert last.review["alerts"][0]["kind"] == "red_flag"
    assert last.review["alerts"][0]["severity"] == "emergency"
    assert last.review["alerts"][0]["message"].startswith(
        "At your check-in on 23 March you answered yes to: "
    )
    assert last.review["triage"]["tier"] == "emergency_now"
    assert last.review["triage"]["flags"] == ["saddle_numbness"]
    assert {(d["action"], d["rule"]) for d in last.review["decisions"]} == {("stop", "red_flag")}
    assert last.review["walking"]["action"] == "stop"
    contract_validator("progress", "Review")(last.review)


# --- Non-responder -------------------------------------------------------------------------------------------------


def test_non_responder_is_noted_at_four_weeks_and_referred_for_review_at_six(non_responder: Journey) -> None:
    severities = {
        e.day: e.alert("no_improvement")["severity"]
        for e in non_responder.events
        if e.alert("no_improvement")
    }  # type: ignore[index]
    assert min(severities) == 28
    assert {s for d, s in severities.items() if d < 42} == {"info"}
    assert {s for d, s in severities.items() if d >= 42} == {"review"}
    assert not [
        e for e in non_responder.events if "worsening" in e.alert_kinds() or "improved" in e.alert_kinds()
    ]


def test_non_responder_keeps_a_tolerated_program_going_while_waiting_for_review(
    non_responder: Journey,
) -> None:
    assert actions_between(non_responder, 28, 48)["progress"] > 0
    assert actions_between(non_responder, 0, 48)["regress"] == 0


# --- Every journey ---------------------------------------------------------------------------------------------------


# --- The runner (12 weeks) ------------------------------------------------------------------------------


def walking_changes(journey: Journey) -> list[tuple[int, str, str, dict[str, Any] | None]]:
    return [
        (
            e.day,
            e.review["walking"]["action"],
            e.review["walking"]["rule"],
            e.review["walking"]["to"].get("running"),
        )
        for e in journey.events
        if e.review["walking"]["action"] != "hold"
    ]


def intervals(run_minutes: float, walk_minutes: float, repeats: int) -> dict[str, Any]:
    return {"run_minutes": run_minutes, "walk_minutes": walk_minutes, "repeats": repeats}


def test_runner_walks_up_to_thirty_minutes_then_swaps_walks_for_walk_runs_that_grow_weekly(
    runner: Journey,
) -> None:
    changes = walking_changes(runner)
    # Four weeks building the walk (10 -> 30 minutes), then walk-runs from week 6, the session's
    # 24 minutes kept: a minute more jogging each settled week, fewer repeats.
    assert [c[0] for c in changes] == [7, 14, 21, 28, 35, 42, 49, 56, 63, 70, 77]
    assert all(action == "progress" for _, action, _, _ in changes)
    assert [c[3] for c in changes[:4]] == [None] * 4
    assert changes[4][2] == "start_run_walk"
    assert [c[3] for c in changes[4:]] == [
        intervals(1, 2, 8),
        intervals(2, 2, 6),
        intervals(3, 2, 4),
        intervals(4, 2, 4),
        intervals(5, 2, 3),
        intervals(6, 2, 3),
        intervals(7, 2, 2),
    ]
    assert runner.on(35).review["walking"]["reasons"] == [
        "You have walked 30 minutes on 5 days a week and your back has stayed settled: this week swap your "
        "walks for walk-runs of 1 minute jogging and 2 minutes walking, 8 times, 5 days a week."
    ]


def test_runner_practises_the_lift_and_single_leg_strength_and_gets_no_balance_or_pelvic_floor_work(
    runner: Journey, catalog: Catalog
) -> None:
    first = [ex["id"] for ex in runner.events[0].program["exercises"]]
    last = [ex["id"] for ex in runner.events[-1].program["exercises"]]
    assert {"hip-hinge", "split-squat"} <= set(first)
    assert "floor-to-waist-lift" in last  # the hinge grew into the lift itself
    every = {ex["id"] for e in runner.events for ex in e.program["exercises"]}
    assert not {"pelvic-floor-contraction", "abdominal-drawing-in"} & every
    assert all(catalog.exercise(i).category != "balance" for i in every)
    assert not any(kind in SERIOUS for e in runner.events for kind in e.alert_kinds())


def test_a_flare_sends_the_runner_back_to_the_first_walk_run_week_then_to_walking(
    runner_flaring: Journey,
) -> None:
    changes = walking_changes(runner_flaring)
    regressions = [(d, to) for d, action, _, to in changes if action == "regress"]
    # Third walk-run week flared: back to the first week's intervals at the next weekly review; a
    # flare in that first week again: back to walking.
    assert regressions == [(56, intervals(1, 2, 8)), (63, None)]
    reasons = runner_flaring.on(56).review["walking"]["reasons"]
    assert reasons[0].startswith("Your pain the morning after your sessions on ")
    assert reasons[-1] == (
        "This week go back to walk-runs of 1 minute jogging and 2 minutes walking, 8 times, 5 days a week."
    )
    # Never more jogging the week after a flare.
    flare_weeks = {56, 63}
    assert not any(d in flare_weeks and action == "progress" for d, action, _, _ in changes)


# --- The older adult with fragile bones and a fall (12 weeks) ----------------------------------------------

BALANCE_CHAIN = ("supported-single-leg-stance", "tandem-stance", "heel-toe-walk")


def test_older_adult_keeps_one_balance_exercise_that_moves_up_its_chain_one_step_at_a_time(
    older_adult: Journey, catalog: Catalog
) -> None:
    balance = []
    for event in older_adult.events:
        ids = [
            ex["id"] for ex in event.program["exercises"] if catalog.exercise(ex["id"]).category == "balance"
        ]
        assert len(ids) == 1
        if not balance or balance[-1] != ids[0]:
            balance.append(ids[0])
    assert tuple(balance) == BALANCE_CHAIN


def test_older_adult_with_fragile_bones_never_bends_forward_twists_or_runs(
    older_adult: Journey, catalog: Catalog
) -> None:
    for event in older_adult.events:
        for exercise in event.program["exercises"]:
            assert catalog.exercise(exercise["id"]).direction_bias not in {"flexion", "rotation", "mixed"}
        assert event.program["walking"].get("run_walk") is None
        assert event.program["walking"].get("running") is None


def test_older_adult_builds_short_walks_a_minute_a_walk_each_week(older_adult: Journey) -> None:
    first = older_adult.events[0].program["walking"]
    last = older_adult.events[-1].program["walking"]
    assert (first["minutes_per_bout"], first["bouts_per_day"]) == (5, 2)
    assert (last["minutes_per_bout"], last["bouts_per_day"]) == (15, 2)


@pytest.mark.parametrize(
    "name",
    [
        "improving",
        "flaring",
        "peripheralising",
        "non_adherent",
        "red_flag",
        "non_responder",
        "centralising",
        "seven_at_rest",
        "once_a_week",
        "runner",
        "runner_flaring",
        "older_adult",
    ],
)
def test_every_review_of_every_journey_follows_the_contract(
    request: pytest.FixtureRequest, name: str, contract_validator: Callable[..., Callable[[Any], None]]
) -> None:
    journey: Journey = request.getfixturevalue(name)
    validate = contract_validator("progress", "Review")
    validate_history = contract_validator("progress", "History")
    for event in journey.events:
        validate(event.review)
        assert [d["id"] for d in event.review["decisions"]] == [ex["id"] for ex in event.program["exercises"]]
    validate_history(journey.history)


def test_journeys_are_deterministic(catalog: Catalog) -> None:
    first = run(Flaring(days=24), catalog)
    second = run(Flaring(days=24), catalog)
    assert [e.review for e in first.events] == [e.review for e in second.events]
    assert first.history["today"] == day(23)
    assert first.history["sessions"][0]["date"] == START.isoformat()
