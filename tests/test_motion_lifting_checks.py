"""Form checks for the hip hinge, the floor-to-waist lift and the split squat (issue 13): each
illustration posed wrongly by hand is flagged with its fault. Good form (the illustrations as drawn:
one clean rep per repetition, no fault) is checked with all the others in test_motion_keyframes.py.
"""

from __future__ import annotations

import io
import json

import pytest

from lumbar.domain.catalog import default_catalog
from lumbar.motion.analyze import FormResult, analyze, check_spec_of
from lumbar.motion.illustration import Illustration
from lumbar.motion.landmarks import read_landmarks_json
from lumbar.motion.synthetic import Recording as Options
from lumbar.motion.synthetic import synthetic_recording

REPS = 3
FILMED = Options(reps=REPS, fps=15.0, noise=0.002, landmark_dropout=0.03, frame_dropout=0.02, seed=5)


def posed(exercise_id: str, keyframe: str, **angles: float) -> Illustration:
    """The exercise's illustration with one keyframe's angles changed by hand (and kept by the solver)."""
    motion = default_catalog().exercise(exercise_id).motion
    assert motion is not None
    assert motion.illustration is not None
    frames = [
        frame.model_copy(
            update={
                "angles": {**frame.angles, **angles},
                "free": [name for name in frame.free if name not in angles],
            }
        )
        if frame.name == keyframe
        else frame
        for frame in motion.illustration.keyframes
    ]
    return motion.illustration.model_copy(update={"keyframes": frames})


def filmed(exercise_id: str, illustration: Illustration) -> FormResult:
    exercise = default_catalog().exercise(exercise_id)
    document = synthetic_recording(illustration, FILMED, dose_hold=exercise.dose.hold_seconds)
    document["image_size"] = [round(1080 * FILMED.aspect), 1080]
    recording = read_landmarks_json(io.StringIO(json.dumps(document)))
    return analyze(exercise_id, check_spec_of(exercise), recording)


@pytest.mark.parametrize(
    ("exercise_id", "keyframe", "angles", "fault"),
    [
        # Knees bent deeply and hips low: a squat, not a hinge.
        ("hip-hinge", "hinged", {"knee": 70.0, "hip": 95.0}, "squatting_not_hinging"),
        # Arms reaching far out in front at the bottom of the lift.
        ("floor-to-waist-lift", "hands-at-the-floor", {"shoulder": 110.0}, "load_far_from_body"),
        # Folded forwards over the front leg at the bottom.
        (
            "split-squat",
            "back-knee-lowered",
            {"pitch": 45.0, "hip_r": 125.0, "hip_l": 51.0},
            "leaning_forwards",
        ),
    ],
)
def test_a_faulty_rep_is_counted_and_flagged(
    exercise_id: str, keyframe: str, angles: dict[str, float], fault: str
) -> None:
    result = filmed(exercise_id, posed(exercise_id, keyframe, **angles))
    assert result.rep_count == REPS
    assert all(fault in rep.faults for rep in result.reps)


@pytest.mark.parametrize("exercise_id", ["hip-hinge", "floor-to-waist-lift", "split-squat"])
def test_the_thresholds_are_labelled_as_our_conventions(exercise_id: str) -> None:
    exercise = default_catalog().exercise(exercise_id)
    spec = check_spec_of(exercise)
    assert exercise.camera == "checkable"
    assert spec.evidence == ["clinical-practice"]
    assert spec.note is not None
    assert "measurement conventions of ours" in spec.note
