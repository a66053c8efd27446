"""Form checks for the bridges on one leg, marching and on a ball, child's pose, the strap hamstring
stretch and the sciatic nerve glide, and the honest refusal for the exercises a phone cannot judge.

The good-form check (each illustration filmed N times gives exactly N clean reps or holds) runs for
these exercises with all the others in test_motion_keyframes.py. Here, faulty form is the same
illustration with one keyframe posed wrongly by hand.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from tests.motion_synthetic import STANDING, Move, pose, side_recording, timeline

from lumbar.domain.catalog import default_catalog
from lumbar.domain.errors import InvalidInput
from lumbar.motion.analyze import FormResult, analyze, check_spec_of
from lumbar.motion.illustration import Illustration
from lumbar.motion.landmarks import read_landmarks_json
from lumbar.motion.synthetic import Recording as Options
from lumbar.motion.synthetic import synthetic_landmarks, synthetic_recording

REPS = 3
# 15 frames a second, as a 30 fps video is analysed; noise in picture heights (a few pixels).
FILMED = Options(reps=REPS, fps=15.0, noise=0.002, landmark_dropout=0.03, frame_dropout=0.02, seed=5)

# exercise -> (what one repetition of the illustration is, the side it shows)
CHECKED: dict[str, tuple[str, str | None]] = {
    "single-leg-bridge": ("rep", None),
    "stability-ball-bridge": ("rep", None),
    "marching-bridge": ("rep", "right"),
    "sciatic-nerve-glide": ("rep", "right"),
    "childs-pose": ("hold", None),
    "supine-hamstring-stretch": ("hold", "right"),
}
NOT_JUDGEABLE = ["band-pallof-press", "clamshell", "hip-flexor-stretch"]


def illustration_of(exercise_id: str) -> Illustration:
    motion = default_catalog().exercise(exercise_id).motion
    assert motion is not None
    assert motion.illustration is not None
    return motion.illustration


def posed(
    exercise_id: str, keyframe: str, rest: dict[str, list[str]] | None = None, **angles: float
) -> Illustration:
    """The exercise's illustration with one keyframe's angles (and resting parts) changed by hand; the
    angles set here are taken off the keyframe's `free` list so that the solver keeps them."""
    illustration = illustration_of(exercise_id)
    frames = []
    for frame in illustration.keyframes:
        if frame.name != keyframe:
            frames.append(frame)
            continue
        changes: dict[str, object] = {
            "angles": {**frame.angles, **angles},
            "free": [name for name in frame.free if name not in angles],
        }
        if rest is not None:
            changes["rest"] = rest
        frames.append(frame.model_copy(update=changes))
    assert [f.angles for f in frames] != [f.angles for f in illustration.keyframes]
    return illustration.model_copy(update={"keyframes": frames})


def filmed(
    exercise_id: str, illustration: Illustration | None = None, options: Options = FILMED
) -> FormResult:
    exercise = default_catalog().exercise(exercise_id)
    document = synthetic_recording(
        illustration or illustration_of(exercise_id), options, dose_hold=exercise.dose.hold_seconds
    )
    # The generator frames a 16:9 picture; the checker needs its shape to measure angles in it.
    document["image_size"] = [round(1080 * options.aspect), 1080]
    recording = read_landmarks_json(io.StringIO(json.dumps(document)))
    return analyze(exercise_id, check_spec_of(exercise), recording)


def rep_faults(result: FormResult) -> list[tuple[str, ...]]:
    return [rep.faults for rep in result.reps]


# --- Good form: the illustration --------------------------------------------------------------


@pytest.mark.parametrize("exercise_id", ["childs-pose", "supine-hamstring-stretch"])
def test_stretch_holds_last_the_doses_hold_time(exercise_id: str) -> None:
    dose = default_catalog().exercise(exercise_id).dose.hold_seconds
    assert dose is not None
    holds = filmed(exercise_id).holds
    # Each hold also takes in the end of the way into the stretch and the start of the way out.
    assert len(holds) == REPS
    assert all(dose <= hold.seconds <= dose + 4 for hold in holds)


@pytest.mark.parametrize("exercise_id", sorted(CHECKED))
def test_the_thresholds_are_labelled_as_our_conventions_with_clinical_practice_evidence(
    exercise_id: str,
) -> None:
    exercise = default_catalog().exercise(exercise_id)
    spec = check_spec_of(exercise)
    assert exercise.camera == "checkable"
    assert spec.evidence == ["clinical-practice"]
    assert spec.note is not None
    assert "measurement conventions of ours" in spec.note


# --- Bridges ----------------------------------------------------------------------------------


@pytest.mark.parametrize("exercise_id", ["single-leg-bridge", "stability-ball-bridge"])
def test_a_bridge_lifted_past_the_straight_line_is_flagged_as_an_arched_back(exercise_id: str) -> None:
    arched = posed(exercise_id, "up", hip=-30)  # hips pushed 30 degrees above the shoulder-knee line
    result = filmed(exercise_id, arched)
    assert result.rep_count == REPS
    assert rep_faults(result) == [("back_arched_at_top",)] * REPS
    assert [fault.id for fault in result.faults] == ["back_arched_at_top"]


def test_marching_bridge_flags_hips_that_sink_while_a_foot_is_up() -> None:
    # Both hips bend a further 35 degrees as the foot lifts: the trunk drops to about 6 degrees.
    sinking = posed("marching-bridge", "foot-lifted", hip=35, hip_r=65)
    result = filmed("marching-bridge", sinking)
    assert [rep.side for rep in result.reps] == ["right"] * REPS
    assert rep_faults(result) == [("hips_sinking",)] * REPS


def test_sinking_hips_with_both_feet_on_the_floor_are_not_marches() -> None:
    # The hips drop and rise again but the feet stay down: the shoulders-to-ankle height hardly moves.
    sagging = posed("marching-bridge", "foot-lifted", pitch=-97, hip=10, hip_r=40, knee=95, knee_r=110)
    result = filmed("marching-bridge", sagging)
    assert result.visibility.ok
    assert result.reps == ()


def test_marching_bridge_counts_each_lift_for_the_foot_that_lifts() -> None:
    other_foot = Options(reps=REPS, fps=15.0, noise=0.002, mirror=True, seed=5)
    assert [rep.side for rep in filmed("marching-bridge", options=other_foot).reps] == ["left"] * REPS


# --- Sciatic nerve glide ----------------------------------------------------------------------


def test_nerve_glide_flags_looking_down_while_the_knee_is_straight() -> None:
    # The tensioner: chin down (as in the bent-knee keyframe) while the knee straightens.
    chin_down = posed("sciatic-nerve-glide", "knee-straight-head-up", neck=30, head=10)
    result = filmed("sciatic-nerve-glide", chin_down)
    assert [rep.side for rep in result.reps] == ["right"] * REPS
    assert rep_faults(result) == [("head_down_with_knee_straight",)] * REPS


def test_nerve_glide_flags_glides_done_at_twice_the_pace() -> None:
    rushed = Options(reps=REPS, fps=15.0, noise=0.002, seed=5, speed=2.0)
    result = filmed("sciatic-nerve-glide", options=rushed)
    assert rep_faults(result) == [("rushing",)] * REPS


# --- Stretches held ---------------------------------------------------------------------------


def test_hamstring_stretch_flags_the_hips_lifted_off_the_floor() -> None:
    # The pelvis leaves the floor and the trunk tilts 15 degrees up from the shoulders.
    hips_up = posed(
        "supine-hamstring-stretch",
        "leg-straight",
        rest={"floor": ["shoulders", "head", "heel_l", "toe_l"]},
        pitch=-105,
    )
    result = filmed("supine-hamstring-stretch", hips_up)
    assert [hold.side for hold in result.holds] == ["right"] * REPS
    assert [fault.id for fault in result.faults] == ["hips_lifting"]


def test_childs_pose_rocking_back_only_a_little_is_not_a_hold() -> None:
    part_way = posed("childs-pose", "sitting-back", hip=95, knee=105, lumbar=5, thoracic=5, shoulder=120)
    result = filmed("childs-pose", part_way)
    assert result.visibility.ok
    assert result.holds == ()


SEATED = pose(STANDING, hip_y=1.0, trunk=80, thigh=0, shin=-90)


@pytest.mark.parametrize(
    ("start", "folded"),
    [
        (STANDING, pose(STANDING, trunk=-60, neck=-70)),  # a standing toe-touch: knees straight
        (SEATED, pose(SEATED, trunk=-20, neck=-30)),  # chest on the thighs on a chair: hips not above knees
    ],
    ids=["standing", "seated"],
)
def test_a_forward_bend_standing_or_on_a_chair_is_not_a_childs_pose(
    start: dict[str, float], folded: dict[str, float]
) -> None:
    frames = timeline(start, [Move(folded, 2.0, hold=10.0), Move(start, 2.0, hold=1.0)])
    result = analyze(
        "childs-pose", check_spec_of(default_catalog().exercise("childs-pose")), side_recording(frames)
    )
    assert result.visibility.ok
    assert result.in_position_fraction == 0.0
    assert result.holds == ()


# --- What a phone cannot judge ----------------------------------------------------------------


@pytest.mark.parametrize("exercise_id", NOT_JUDGEABLE)
def test_exercises_a_phone_cannot_judge_say_why_instead_of_checking(exercise_id: str) -> None:
    exercise = default_catalog().exercise(exercise_id)
    assert exercise.camera == "not-checkable"
    assert exercise.camera_note
    spec = exercise.motion.check if exercise.motion else None
    assert spec is not None
    assert spec.judgeable is False
    with pytest.raises(InvalidInput, match=f"^exercise '{exercise_id}': a camera cannot judge it: "):
        check_spec_of(exercise)


@pytest.mark.parametrize("exercise_id", NOT_JUDGEABLE)
def test_check_form_gives_the_reason_and_exits_2(
    exercise_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lumbar.cli import app
    from lumbar.cli._common import run

    path = tmp_path / "bridge.json"
    bridge = default_catalog().exercise("glute-bridge")
    path.write_text(json.dumps(synthetic_landmarks(bridge, Options(reps=1))), encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["lumbar", "check-form", str(path), "--exercise", exercise_id])
    assert run(app) == 2
    out, err = capsys.readouterr()
    reason = check_reason(exercise_id)
    assert out == ""
    assert err == f"error: exercise '{exercise_id}': a camera cannot judge it: {reason}\n"


def check_reason(exercise_id: str) -> str:
    motion = default_catalog().exercise(exercise_id).motion
    assert motion is not None
    assert motion.check is not None
    assert motion.check.reason is not None
    return motion.check.reason
