"""The `[motion.check]` sections: every bundled spec is valid and honest, and bad specs are refused."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from lumbar.domain.catalog import default_catalog
from lumbar.motion.checkspec import CheckSpec

# The exercises the form checker must judge (issue 8), and their kind of check.
REQUIRED: dict[str, str] = {
    "glute-bridge": "reps",
    "bird-dog": "reps",
    "cat-cow": "reps",
    "knee-to-chest": "reps",
    "dead-bug": "reps",
    "modified-plank": "hold",
    "front-plank": "hold",
    "side-plank-knees": "hold",
    "standing-side-bend": "reps",
    "standing-trunk-rotation": "reps",
    "squat": "reps",
    "sit-to-stand": "reps",
    "wall-sit": "hold",
    "prone-press-up": "reps",
    "standing-hamstring-stretch": "hold",
}


def spec(exercise_id: str) -> CheckSpec | None:
    exercise = default_catalog().exercise(exercise_id)
    return exercise.motion.check if exercise.motion else None


@pytest.mark.parametrize(("exercise_id", "kind"), sorted(REQUIRED.items()))
def test_required_exercises_have_a_judgeable_spec_and_are_marked_checkable(
    exercise_id: str, kind: str
) -> None:
    found = spec(exercise_id)
    assert found is not None
    assert found.judgeable
    assert getattr(found, kind) is not None
    assert default_catalog().exercise(exercise_id).camera == "checkable"


def test_planks_flag_sagging_and_piked_hips() -> None:
    for exercise_id in ("front-plank", "modified-plank"):
        found = spec(exercise_id)
        assert found is not None
        assert {fault.id for fault in found.faults} >= {"hips_sagging", "hips_piked"}


def test_every_spec_agrees_with_the_exercises_camera_field_and_cites_known_evidence() -> None:
    catalog = default_catalog()
    for exercise in catalog:
        found = exercise.motion.check if exercise.motion else None
        if found is None:
            continue
        assert (exercise.camera == "checkable") == found.judgeable, exercise.id
        for ref in found.evidence:
            assert ref in catalog.references, (exercise.id, ref)


def test_exercises_a_camera_cannot_judge_say_why() -> None:
    found = spec("pelvic-tilt")
    assert found is not None
    assert found.judgeable is False
    assert found.reason is not None
    assert "camera cannot" in found.reason


def test_thresholds_are_labelled_as_our_conventions_with_clinical_practice_evidence() -> None:
    for exercise_id in REQUIRED:
        found = spec(exercise_id)
        assert found is not None
        assert "clinical-practice" in found.evidence
        assert found.note is not None
        assert "measurement conventions of ours" in found.note


GOOD: dict[str, Any] = {
    "view": "side",
    "evidence": ["clinical-practice"],
    "signal": {"name": "hip_line", "kind": "bend", "joints": ["shoulder", "hip", "knee"]},
    "reps": {"enter": -15.0, "exit": -30.0, "min_seconds": 1.0, "max_seconds": 30.0},
}


def with_(**changes: Any) -> dict[str, Any]:
    return {**GOOD, **changes}


def test_the_reference_spec_is_valid() -> None:
    assert CheckSpec.model_validate(GOOD).reps is not None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (with_(colour="red"), "Extra inputs are not permitted"),
        (with_(reps={**GOOD["reps"], "exit": -15.0}), "enter and exit must differ"),
        (with_(reps={**GOOD["reps"], "min_seconds": 40.0}), "min_seconds must be below max_seconds"),
        (with_(signal={**GOOD["signal"], "joints": ["hip", "knee"]}), "takes 3 joints"),
        (with_(signal={**GOOD["signal"], "kind": "elbow_flare"}), "Input should be"),
        (
            with_(signal={**GOOD["signal"], "side": "each"}),
            "alternation 'limbs' goes with a signal on side 'each'",
        ),
        (with_(reps={**GOOD["reps"], "alternation": "direction"}), "enter and exit are sizes"),
        (
            with_(reps={**GOOD["reps"], "enter": 15.0, "exit": 5.0, "alternation": "direction"}),
            "needs a lean or twist signal",
        ),
        (with_(reps=None), "needs reps, a hold, or both"),
        (with_(evidence=[]), "needs evidence"),
        (with_(reason="too small"), "reason is for judgeable = false only"),
        ({"judgeable": False}, "needs a reason"),
        ({"judgeable": False, "reason": "hidden", "view": "side"}, "has only a reason"),
        (
            with_(
                faults=[
                    {
                        "id": "slow",
                        "signal": {"name": "t", "kind": "rep_seconds"},
                        "comparison": ">",
                        "threshold": 5.0,
                        "phase": "top",
                        "message": "Too slow.",
                    }
                ]
            ),
            "timing signals go with phase 'rep'",
        ),
        (
            with_(
                faults=[
                    {
                        "id": "sag",
                        "signal": GOOD["signal"],
                        "comparison": "<",
                        "threshold": -40.0,
                        "phase": "hold",
                        "message": "Sagging.",
                    }
                ]
            ),
            "phase 'hold' needs a hold",
        ),
    ],
)
def test_broken_specs_are_refused(raw: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        CheckSpec.model_validate(raw)
