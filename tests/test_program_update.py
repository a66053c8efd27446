"""A review's decisions become the next program version, worded for the person."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lumbar.domain.catalog import Catalog, default_catalog
from lumbar.domain.program_update import apply_review


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


def entry(
    exercise_id: str, sets: int, reps: int | None, hold: int | None, catalog: Catalog
) -> dict[str, Any]:
    exercise = catalog.exercise(exercise_id)
    return {
        "id": exercise_id,
        "name": exercise.name,
        "sets": sets,
        "reps": reps,
        "hold_seconds": hold,
        "per_side": exercise.timing.per_side,
        "sessions_per_week": 5,
        "reasons": ["chosen"],
        "evidence": ["clinical-practice"],
        "cautions": [],
    }


def program(catalog: Catalog) -> dict[str, Any]:
    return {
        "status": "ok",
        "exercises": [
            entry("glute-bridge", 2, 10, 3, catalog),
            entry("prone-press-up", 1, 10, None, catalog),
        ],
        "walking": {"minutes_per_bout": 5, "bouts_per_day": 2, "days_per_week": 5},
        "precaution_keys": ["wrist_pain", "leg_symptoms"],
        "content_version": "old",
    }


def decision(exercise_id: str, action: str, to: dict[str, Any], reasons: list[str]) -> dict[str, Any]:
    return {"id": exercise_id, "action": action, "from": {}, "to": to, "reasons": reasons}


def review(
    *decisions: dict[str, Any], walking: dict[str, Any] | None = None, today: str = "2026-03-10"
) -> dict[str, Any]:
    return {"today": today, "decisions": list(decisions), "walking": walking, "alerts": []}


def test_progress_changes_only_the_dose_and_says_from_what_to_what(catalog: Catalog) -> None:
    before = program(catalog)
    after, changes = apply_review(
        before,
        review(
            decision(
                "glute-bridge",
                "progress",
                {"id": "glute-bridge", "sets": 2, "reps": 12, "hold_seconds": 3},
                ["Easy twice."],
            )
        ),
        catalog,
    )
    assert after["exercises"][0]["reps"] == 12
    assert after["exercises"][1] == before["exercises"][1]
    assert changes == ["Glute bridge: 2 x 12, hold 3 s now (was 2 x 10, hold 3 s). Easy twice."]
    assert after["content_version"] == catalog.version
    assert before["exercises"][0]["reps"] == 10  # the stored version is never edited


def test_hold_and_stop_leave_the_program_unchanged(catalog: Catalog) -> None:
    before = program(catalog)
    same = {"id": "glute-bridge", "sets": 2, "reps": 10, "hold_seconds": 3}
    after, changes = apply_review(
        before,
        review(
            decision("glute-bridge", "hold", same, ["x"]),
            decision("prone-press-up", "stop", {"id": "prone-press-up", "sets": 1, "reps": 10}, ["y"]),
        ),
        catalog,
    )
    assert changes == []
    assert after == before


def test_substitute_brings_the_new_exercises_own_cautions_for_this_person(catalog: Catalog) -> None:
    after, changes = apply_review(
        program(catalog),
        review(
            decision(
                "prone-press-up",
                "substitute",
                {"id": "supine-hamstring-stretch", "sets": 1, "reps": 3, "hold_seconds": 30},
                ["Spread down the leg."],
            )
        ),
        catalog,
    )
    new = after["exercises"][1]
    stretch = catalog.exercise("supine-hamstring-stretch")
    assert (new["id"], new["name"], new["reasons"]) == (
        "supine-hamstring-stretch",
        stretch.name,
        ["Spread down the leg."],
    )
    expected = [
        p.note
        for p in stretch.precautions
        if p.when in {"wrist_pain", "leg_symptoms"} and p.action != "avoid"
    ]
    assert expected  # the stretch tensions the sciatic nerve: a caution for a person with leg symptoms
    assert new["cautions"] == expected
    assert new["caution_keys"] == ["leg_symptoms"]
    assert changes[0].startswith("Prone press-up is replaced by ")


def test_a_substitute_in_another_direction_is_not_done_little_and_often(catalog: Catalog) -> None:
    before = program(catalog)
    before["exercises"][1]["times_per_day"] = 5
    to = {"id": "piriformis-stretch", "sets": 1, "reps": 3, "hold_seconds": 30}
    after, _ = apply_review(before, review(decision("prone-press-up", "substitute", to, ["x"])), catalog)
    assert "times_per_day" not in after["exercises"][1]
    along = {"id": "prone-press-up", "sets": 1, "reps": 10, "hold_seconds": None}
    sphinx = {**before, "exercises": [entry("sphinx", 1, 1, 30, catalog) | {"times_per_day": 5}]}
    after, _ = apply_review(sphinx, review(decision("sphinx", "progress", along, ["x"])), catalog)
    assert after["exercises"][0]["times_per_day"] == 5


def test_two_decisions_bringing_in_the_same_exercise_add_it_once(catalog: Catalog) -> None:
    before = program(catalog)
    to = {"id": "clamshell", "sets": 2, "reps": 10, "hold_seconds": None}
    after, changes = apply_review(
        before,
        review(
            decision("glute-bridge", "substitute", to, ["x"]),
            decision("prone-press-up", "substitute", to, ["y"]),
        ),
        catalog,
    )
    ids = [e["id"] for e in after["exercises"]]
    assert ids == ["clamshell", "prone-press-up"]
    assert len(changes) == 1


def test_a_variant_already_in_the_program_is_not_added_twice(catalog: Catalog) -> None:
    before = program(catalog)
    after, changes = apply_review(
        before,
        review(
            decision("glute-bridge", "substitute", {"id": "prone-press-up", "sets": 1, "reps": 10}, ["x"])
        ),
        catalog,
    )
    assert changes == []
    assert [e["id"] for e in after["exercises"]] == ["glute-bridge", "prone-press-up"]


def test_walking_changes_at_most_once_a_week(catalog: Catalog) -> None:
    walk = {
        "action": "progress",
        "from": {"minutes_per_bout": 5, "bouts_per_day": 2, "days_per_week": 5},
        "to": {"minutes_per_bout": 6, "bouts_per_day": 2, "days_per_week": 5},
        "reasons": ["You walked every planned day."],
    }
    after, changes = apply_review(program(catalog), review(walking=walk), catalog)
    assert after["walking"]["minutes_per_bout"] == 6
    assert changes == [
        "Walking: 6 minutes 2 times a day, 5 days a week now (was 5 minutes 2 times a day, 5 days a week). You walked every planned day."
    ]
    again = copy.deepcopy(walk)
    again["from"], again["to"] = walk["to"], {**walk["to"], "minutes_per_bout": 7}
    later, more = apply_review(after, review(walking=again, today="2026-03-12"), catalog)
    assert more == []
    assert later["walking"]["minutes_per_bout"] == 6
    next_week, changed = apply_review(after, review(walking=again, today="2026-03-17"), catalog)
    assert next_week["walking"]["minutes_per_bout"] == 7
    assert changed


def test_walk_runs_replace_the_walks_and_a_step_back_to_walking_removes_them(catalog: Catalog) -> None:
    walks = {"minutes_per_bout": 30, "bouts_per_day": 1, "days_per_week": 5}
    first = {"run_minutes": 1, "walk_minutes": 2, "repeats": 8}
    start = {
        "action": "progress",
        "from": walks,
        "to": {**walks, "running": first},
        "reasons": ["Your back has stayed settled."],
    }
    plan = program(catalog)
    plan["walking"].update(walks)
    running, changes = apply_review(plan, review(walking=start), catalog)
    assert running["walking"]["running"] == first
    assert changes == [
        "Walking: walk-runs of 1 minute jogging and 2 minutes walking, 8 times, 5 days a week now "
        "(was 30 minutes once a day, 5 days a week). Your back has stayed settled."
    ]
    back = {"action": "regress", "from": start["to"], "to": walks, "reasons": ["A flare."]}
    walking, changed = apply_review(running, review(walking=back, today="2026-03-20"), catalog)
    assert "running" not in walking["walking"]
    assert changed == [
        "Walking: 30 minutes once a day, 5 days a week now (was walk-runs of 1 minute jogging and 2 minutes "
        "walking, 8 times, 5 days a week). A flare."
    ]
