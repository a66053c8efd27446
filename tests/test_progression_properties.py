"""Properties of the progression review over generated histories (hypothesis).

Whatever the person logged: one decision per exercise (so never progress and regress of the same
exercise at once), nothing made harder when a pain rule failed, doses that move the way the action
says, a contract-valid answer, and the same answer every time.
"""

from __future__ import annotations

import copy
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumbar.domain.catalog import default_catalog
from lumbar.domain.dose_ladder import Dose, Setting, step_down, step_up
from lumbar.domain.history import parse_history
from lumbar.domain.progression import review
from lumbar.domain.progression_rules import default_rules
from simulator import CHRONIC_EXTENSION_LEG, CHRONIC_LOW_FITNESS, Journey, Patient, day, program_for
from simulator import Dose as SimDose
from simulator import run as simulate

CATALOG = default_catalog()
RULES = default_rules()
PROGRAMS = [program_for(CHRONIC_LOW_FITNESS, CATALOG), program_for(CHRONIC_EXTENSION_LEG, CATALOG)]
LADDER_EXERCISES = sorted(ex.id for ex in CATALOG if ex.category != "aerobic")
RED_FLAG_KEYS = ["saddle_numbness", "constant_night_pain", "fever_or_unwell", "infection_risk"]
PAIN = st.integers(min_value=0, max_value=10)
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def logged(draw: st.DrawFn, exercise: dict[str, Any]) -> dict[str, Any]:
    """One exercise log: often done as prescribed and fine, otherwise anything the contract allows."""
    if draw(st.integers(min_value=0, max_value=2)):
        return {
            "id": exercise["id"],
            "completed": True,
            "sets": exercise["sets"],
            "reps": exercise["reps"],
            "hold_seconds": exercise["hold_seconds"],
            "pain_during": draw(st.integers(min_value=0, max_value=6)),
            "difficulty": draw(st.sampled_from(["easy", "right"])),
        }
    entry: dict[str, Any] = {"id": exercise["id"], "completed": draw(st.booleans())}
    for key in ("sets", "reps", "hold_seconds"):
        prescribed = exercise.get(key)
        entry[key] = draw(
            st.sampled_from([prescribed, prescribed, None]) | st.integers(min_value=0, max_value=20)
            if key != "sets"
            else st.sampled_from([prescribed, prescribed]) | st.integers(min_value=0, max_value=4)
        )
    entry["pain_during"] = draw(st.none() | PAIN | st.integers(min_value=0, max_value=3))
    entry["difficulty"] = draw(st.sampled_from([None, "easy", "right", "right", "hard"]))
    entry["leg_symptoms"] = draw(
        st.sampled_from([None, "none", "none", "same", "centralised", "peripheralised"])
    )
    return {k: v for k, v in entry.items() if v is not None or k in ("reps", "hold_seconds")}


@st.composite
def histories(draw: st.DrawFn) -> dict[str, Any]:
    program = copy.deepcopy(draw(st.sampled_from(PROGRAMS)))
    for exercise in program["exercises"]:
        item = CATALOG.exercise(exercise["id"])
        if draw(st.booleans()):
            exercise["sets"] = draw(st.integers(min_value=1, max_value=item.max_dose.sets + 1))
            if exercise["reps"] is not None:
                exercise["reps"] = draw(st.integers(min_value=1, max_value=(item.max_dose.reps or 10) + 2))
    today = draw(st.integers(min_value=0, max_value=45))
    days = sorted(draw(st.sets(st.integers(min_value=0, max_value=today), max_size=20)))
    walker = [{"id": "walking", "sets": 1, "reps": None, "hold_seconds": None}]
    sessions = []
    for number in days:
        chosen = draw(st.lists(st.sampled_from(program["exercises"] + walker), unique_by=lambda e: e["id"]))
        entry: dict[str, Any] = {"date": day(number), "exercises": [draw(logged(ex)) for ex in chosen]}
        if draw(st.booleans()) or draw(st.booleans()):
            entry["pain_before"] = draw(PAIN)
        sessions.append(entry)
    checkins = []
    for number in sorted(draw(st.sets(st.integers(min_value=0, max_value=today), max_size=20))):
        checkin: dict[str, Any] = {"date": day(number), "morning_pain": draw(PAIN)}
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            checkin["red_flags"] = {draw(st.sampled_from(RED_FLAG_KEYS)): True}
        checkins.append(checkin)
    outcomes = [
        {
            "date": day(draw(st.integers(min_value=0, max_value=today))),
            "instrument": "nprs",
            "score": draw(PAIN),
        }
        for _ in range(draw(st.integers(min_value=0, max_value=3)))
    ]
    return {
        "program": program,
        "today": day(today),
        "sessions": sessions,
        "checkins": checkins,
        "outcomes": outcomes,
    }


@st.composite
def good_streaks(draw: st.DrawFn) -> dict[str, Any]:
    """Daily sessions done as prescribed and rated fine, where only the pain readings vary: the
    histories in which an exercise is ready to be made harder unless a pain rule says otherwise."""
    program = draw(st.sampled_from(PROGRAMS))
    today = draw(st.integers(min_value=1, max_value=20))
    sessions = []
    for number in range(today + 1):
        logs = [
            {
                "id": ex["id"],
                "completed": True,
                "sets": ex["sets"],
                "reps": ex["reps"],
                "hold_seconds": ex["hold_seconds"],
                "pain_during": draw(st.integers(min_value=0, max_value=6)),
                "difficulty": "right",
            }
            for ex in program["exercises"]
        ]
        sessions.append({"date": day(number), "pain_before": draw(PAIN), "exercises": logs})
    checkins = [
        {"date": day(number), "morning_pain": draw(PAIN)}
        for number in range(1, today + 1)
        if draw(st.booleans())
    ]
    return {"program": program, "today": day(today), "sessions": sessions, "checkins": checkins}


def run(data: dict[str, Any]) -> dict[str, Any]:
    return review(parse_history(copy.deepcopy(data), catalog=CATALOG), CATALOG).to_json()


def morning_rule_failed(data: dict[str, Any]) -> bool:
    """The pain the morning after the latest session (whose morning has come) above its usual level,
    worked out here independently of the review."""
    today = date.fromisoformat(data["today"])
    session_days = sorted(
        {date.fromisoformat(s["date"]) for s in data["sessions"] if date.fromisoformat(s["date"]) < today}
    )
    if not session_days:
        return False
    last = session_days[-1]
    before = [
        s["pain_before"]
        for s in data["sessions"]
        if "pain_before" in s and last - timedelta(days=6) <= date.fromisoformat(s["date"]) <= last
    ]
    morning = [
        c["morning_pain"]
        for c in data["checkins"]
        if date.fromisoformat(c["date"]) == last + timedelta(days=1)
    ]
    return bool(before and morning) and max(morning) > statistics.median(before)


def last_logs(data: dict[str, Any], exercise_id: str, count: int) -> list[dict[str, Any]]:
    logs = [
        log
        for s in sorted(data["sessions"], key=lambda s: s["date"])
        for log in s["exercises"]
        if log["id"] == exercise_id
    ]
    return logs[-count:]


def last_logs_with_pain_before(
    data: dict[str, Any], exercise_id: str, count: int
) -> list[tuple[dict[str, Any], float | None]]:
    """The latest logs of an exercise, each with the pain before its session (the session's reading,
    else the median of the readings of the 7 days up to it), worked out independently of the review."""
    sessions = sorted(data["sessions"], key=lambda s: s["date"])
    found = []
    for s in sessions:
        for log in s["exercises"]:
            if log["id"] != exercise_id:
                continue
            before = s.get("pain_before")
            if before is None:
                day_ = date.fromisoformat(s["date"])
                window = [
                    o["pain_before"]
                    for o in sessions
                    if "pain_before" in o
                    and day_ - timedelta(days=6) <= date.fromisoformat(o["date"]) <= day_
                ]
                before = statistics.median(window) if window else None
            found.append((log, before))
    return found[-count:]


@given(histories())
@SETTINGS
def test_each_exercise_gets_exactly_one_decision_so_never_progress_and_regress_at_once(
    data: dict[str, Any],
) -> None:
    result = run(data)
    ids = [d["id"] for d in result["decisions"]]
    assert ids == [ex["id"] for ex in data["program"]["exercises"]]
    assert len(set(ids)) == len(ids)


@given(histories() | good_streaks())
@SETTINGS
def test_nothing_is_made_harder_when_a_pain_rule_failed(data: dict[str, Any]) -> None:
    result = run(data)
    progressed = [d for d in result["decisions"] if d["action"] == "progress"]
    if not progressed:
        return
    kinds = {a["kind"] for a in result["alerts"]}
    assert not kinds & {"flare", "worsening", "low_adherence", "peripheralisation"}
    assert not morning_rule_failed(data)
    assert result.get("triage") is None or result["triage"]["tier"] == "routine"
    # Progression needs adherence over the days known so far.
    assert result["adherence"]["rate"] >= RULES.adherence.low_below
    for decision in progressed:
        logs = last_logs_with_pain_before(data, decision["id"], RULES.progress.sessions_at_dose)
        assert len(logs) == RULES.progress.sessions_at_dose
        for log, before in logs:
            assert log["completed"]
            assert log.get("pain_during") is not None
            # Up to 5/10, or no higher than the pain before the session when that was higher.
            assert log["pain_during"] <= max(RULES.pain_during.acceptable_max, before or 0)
            assert log.get("difficulty") in RULES.progress.difficulty_ok
            assert log.get("leg_symptoms") != "peripheralised"


@given(histories() | good_streaks())
@SETTINGS
def test_pain_during_no_higher_than_the_pain_before_is_never_a_reason_to_regress(
    data: dict[str, Any],
) -> None:
    for decision in run(data)["decisions"]:
        if decision["rule"] != "pain_during":
            continue
        log, before = last_logs_with_pain_before(data, decision["id"], 1)[0]
        assert log["pain_during"] > RULES.pain_during.acceptable_max
        assert before is None or log["pain_during"] > before


@given(histories())
@SETTINGS
def test_doses_move_the_way_the_action_says(data: dict[str, Any]) -> None:
    for decision in run(data)["decisions"]:
        before, after = decision["from"], decision["to"]
        assert decision["reasons"]
        assert all(reason.strip() for reason in decision["reasons"])
        if decision["action"] in ("hold", "stop"):
            assert after == before
        elif decision["action"] == "substitute":
            assert after["id"] != before["id"]
        else:
            assert after != before
            if after["id"] == before["id"]:
                rank = lambda d: (d["sets"], d["hold_seconds"] or 0, d["reps"] or 0)  # noqa: E731
                assert (rank(after) > rank(before)) == (decision["action"] == "progress")


@given(histories())
@SETTINGS
def test_a_red_flag_needing_a_doctor_today_or_now_stops_every_exercise(data: dict[str, Any]) -> None:
    result = run(data)
    if result.get("triage") and result["triage"]["tier"] in ("emergency_now", "urgent_same_day"):
        assert {d["action"] for d in result["decisions"]} <= {"stop"}
        assert result["alerts"][0]["kind"] == "red_flag"
        assert result["alerts"][0]["severity"] in ("emergency", "urgent")


@pytest.fixture(scope="module")
def validate_review(contract_validator: Callable[..., Callable[[Any], None]]) -> Callable[[Any], None]:
    return contract_validator("progress", "Review")


@pytest.fixture(scope="module")
def validate_history(contract_validator: Callable[..., Callable[[Any], None]]) -> Callable[[Any], None]:
    return contract_validator("progress", "History")


@given(data=histories())
@SETTINGS
def test_every_review_is_valid_against_the_contract_and_repeatable(
    data: dict[str, Any], validate_review: Callable[[Any], None], validate_history: Callable[[Any], None]
) -> None:
    validate_history(data)
    result = run(data)
    validate_review(result)
    assert run(data) == result


@given(
    st.sampled_from(LADDER_EXERCISES),
    st.integers(min_value=1, max_value=6),
    st.none() | st.integers(min_value=1, max_value=30),
    st.none() | st.integers(min_value=1, max_value=90),
)
@SETTINGS
def test_a_ladder_step_up_is_harder_and_a_step_down_is_easier(
    exercise_id: str, sets: int, reps: int | None, hold: int | None
) -> None:
    setting = Setting.of([exercise_id], CATALOG)
    dose = Dose(exercise_id, sets, reps, hold)
    up = step_up(dose, CATALOG, RULES.ladder, setting)
    if up is not None:
        if up.change == "variant":
            assert CATALOG.exercise(exercise_id).progression == up.dose.id
        else:
            assert up.dose.rank() > dose.rank()
    down = step_down(dose, CATALOG, RULES.ladder, setting)
    if down is not None:
        if down.change == "variant":
            assert CATALOG.exercise(exercise_id).regression == down.dose.id
        else:
            assert down.dose.rank() < dose.rank()
            assert down.dose.sets >= 1


# --- Over any sequence of reviews -------------------------------------------------------------------------------

PREFERENCE_INTAKES = [
    {
        **CHRONIC_EXTENSION_LEG,
        "episode_weeks": weeks,
        "fitness": fitness,
        "directional_preference": preference,
    }
    for weeks in (2, 8, 20)
    for fitness in ("low", "moderate")
    for preference in ("extension", "flexion")
]
OPPOSITE = {"extension": "flexion", "flexion": "extension"}
JOURNEY_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Scripted(Patient):
    """A patient whose every answer is drawn by hypothesis: pain, difficulty, leg symptoms, attendance."""

    draw: Callable[[Any], Any] = lambda strategy: None  # replaced by st.data().draw
    days: int = 21

    def usual_pain(self, day: int) -> int:
        return 4

    def exercises_on(self, day: int) -> bool:
        return bool(self.draw(st.integers(min_value=0, max_value=3)))

    def pain_during(self, day: int, dose: SimDose) -> int:
        return int(self.draw(st.sampled_from([1, 2, 3, 4, 5, 6, 8])))

    def difficulty(self, day: int, dose: SimDose) -> str:
        return str(self.draw(st.sampled_from(["easy", "right", "right", "hard"])))

    def leg_symptoms(self, day: int, dose: SimDose) -> str:
        return str(
            self.draw(st.sampled_from(["none", "same", "centralised", "centralised", "peripheralised"]))
        )

    def morning_pain(self, day: int) -> int:
        return int(self.draw(st.sampled_from([3, 4, 4, 4, 5])))


def journey(data: st.DataObject) -> tuple[str, Journey]:
    intake = data.draw(st.sampled_from(PREFERENCE_INTAKES))
    patient = Scripted(intake=dict(intake), draw=data.draw)
    return intake["directional_preference"], simulate(patient, CATALOG)


def programs_of(result: Journey) -> list[dict[str, Any]]:
    """Every program version the person was given, the one in force at the end included."""
    return [event.program for event in result.events] + [result.history["program"]]


@given(st.data())
@JOURNEY_SETTINGS
def test_no_program_ever_contains_an_exercise_against_the_directional_preference(data: st.DataObject) -> None:
    preference, result = journey(data)
    for program in programs_of(result):
        for exercise in program["exercises"]:
            assert CATALOG.exercise(exercise["id"]).direction_bias != OPPOSITE[preference], exercise["id"]


@given(st.data())
@JOURNEY_SETTINGS
def test_a_program_never_holds_the_same_exercise_twice_after_any_sequence_of_reviews(
    data: st.DataObject,
) -> None:
    _, result = journey(data)
    for program in programs_of(result):
        ids = [exercise["id"] for exercise in program["exercises"]]
        assert len(ids) == len(set(ids)), ids
    for event in result.events:
        after = [d["to"]["id"] for d in event.review["decisions"]]
        assert len(after) == len(set(after)), after
