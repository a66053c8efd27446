"""The engine's checks on a therapist's hand-edited program (issue 17), as a physiotherapist states them."""

from __future__ import annotations

from typing import Any

from lumbar.domain.catalog import default_catalog
from lumbar.domain.intake import parse_intake
from lumbar.domain.program_edit import ExerciseCheck, check_exercises

BASE: dict[str, Any] = {"age": 40, "episode_weeks": 2, "pain": {"now": 4}, "leg_symptoms": "none"}


def check(exercise_id: str, **answers: Any) -> ExerciseCheck:
    return check_exercises(parse_intake({**BASE, **answers}), [exercise_id], default_catalog())[0]


def test_a_curl_up_for_a_woman_with_osteoporosis_needs_an_override() -> None:
    result = check("curl-up", age=68, sex="female", episode_weeks=20, conditions=["osteoporosis"])
    assert result.needs_override
    assert result.refusal == "avoid with osteoporosis"


def test_knee_to_chest_against_an_extension_preference_needs_an_override() -> None:
    result = check("knee-to-chest", leg_symptoms="below_knee", directional_preference="extension")
    assert result.refusal == "avoid with prefers_extension"


def test_an_exercise_needing_a_band_the_person_lacks_needs_an_override() -> None:
    result = check("band-pallof-press", episode_weeks=30, equipment=[])
    assert result.refusal == "needs resistance-band"


def test_the_same_exercise_is_allowed_when_the_person_has_the_band() -> None:
    assert check("band-pallof-press", episode_weeks=30, equipment=["resistance-band"]).refusal is None


def test_a_harder_exercise_than_the_planner_would_start_with_is_a_caution_not_a_refusal() -> None:
    """Two weeks into acute pain the planner starts low; a therapist may judge otherwise."""
    result = check("side-plank-knees")
    assert result.refusal is None
    assert result.cautions
    assert not result.needs_override


def test_an_exercise_the_planner_would_give_passes_without_a_word() -> None:
    assert check("pelvic-tilt") == ExerciseCheck("pelvic-tilt", None, ())
