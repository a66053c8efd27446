"""The form checker on synthetic recordings with known answers: each exercise's reps, holds and faults,
through jitter, dropouts, mirroring and the wrong camera view (tests/motion_synthetic.py)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from tests.motion_synthetic import STANDING, Camera, Move, front_recording, pose, side_recording, timeline

from lumbar.domain.catalog import default_catalog
from lumbar.motion.analyze import FormResult, analyze, check_spec_of
from lumbar.motion.landmarks import Recording

FPS = 30.0
JITTER = Camera(noise=0.02, drop_frames=[(2.1, 2.25)], drop_joint_rate=0.05, seed=7)


def check(exercise_id: str, recording: Recording) -> FormResult:
    return analyze(exercise_id, check_spec_of(default_catalog().exercise(exercise_id)), recording)


def rep_faults(result: FormResult) -> list[tuple[str, ...]]:
    return [rep.faults for rep in result.reps]


def fault_seconds(result: FormResult, fault_id: str) -> float:
    return next((f.seconds for f in result.faults if f.id == fault_id), 0.0)


# --- Lying on the back: glute bridge, knee to chest, dead bug -----------------------------------

SUPINE = pose(STANDING, trunk=180, neck=180, thigh=50, shin=-60, foot=-5, upper_arm=0, forearm=0, hip_y=0.25)
BRIDGE_TOP = pose(SUPINE, hip_x=0.1, hip_y=0.75, trunk=206.6, thigh=26.6, shin=-90)
BRIDGE_ARCHED = pose(BRIDGE_TOP, trunk=220.6, thigh=12.6)  # hips pushed above the straight line
BRIDGE_HALF = pose(SUPINE, hip_y=0.5, trunk=194.0, thigh=40.0, shin=-75)  # stops between the thresholds


def bridge(top: dict[str, float], hold: float = 2.0) -> list[Move]:
    return [Move(top, 1.0, hold=hold), Move(SUPINE, 1.0, hold=1.0)]


def test_glute_bridge_counts_each_lift_with_its_hold_through_jitter_and_dropouts() -> None:
    frames = timeline(SUPINE, [m for _ in range(5) for m in bridge(BRIDGE_TOP)])
    result = check("glute-bridge", side_recording(frames, JITTER))
    assert result.visibility.ok
    assert result.side_towards_camera == "left"
    assert result.rep_count == 5
    assert all(2.0 <= rep.hold_seconds <= 3.0 for rep in result.reps)
    assert all(40 <= rep.range <= 60 for rep in result.reps)
    assert result.faults == ()


def test_glute_bridge_flags_an_arched_back_only_on_the_reps_that_arch() -> None:
    tops = [BRIDGE_TOP, BRIDGE_ARCHED, BRIDGE_TOP, BRIDGE_ARCHED]
    frames = timeline(SUPINE, [m for top in tops for m in bridge(top)])
    result = check("glute-bridge", side_recording(frames, JITTER))
    assert result.rep_count == 4
    assert rep_faults(result) == [(), ("back_arched_at_top",), (), ("back_arched_at_top",)]
    assert 3.5 <= fault_seconds(result, "back_arched_at_top") <= 5.5


def test_half_lifts_that_stop_between_the_thresholds_are_not_reps() -> None:
    moves = bridge(BRIDGE_TOP) + bridge(BRIDGE_HALF) + bridge(BRIDGE_HALF) + bridge(BRIDGE_TOP)
    result = check("glute-bridge", side_recording(timeline(SUPINE, moves), JITTER))
    assert result.rep_count == 2


def test_a_recording_that_starts_at_the_top_of_a_bridge_does_not_count_the_way_down() -> None:
    frames = timeline(BRIDGE_TOP, [Move(SUPINE, 1.0, hold=1.0), *bridge(BRIDGE_TOP), *bridge(BRIDGE_TOP)])
    assert check("glute-bridge", side_recording(frames, JITTER)).rep_count == 2


KNEE_TO_CHEST_LEFT = pose(SUPINE, thigh_l=125, shin_l=20)
KNEE_TO_CHEST_RIGHT = pose(SUPINE, thigh_r=125, shin_r=20)


def test_knee_to_chest_counts_holds_per_side_and_flags_a_lifted_head() -> None:
    head_up = pose(KNEE_TO_CHEST_RIGHT, neck=150)
    moves = [
        Move(KNEE_TO_CHEST_LEFT, 1.5, hold=20.0),
        Move(SUPINE, 1.5, hold=2.0),
        Move(KNEE_TO_CHEST_RIGHT, 1.5, hold=5.0),
        Move(head_up, 0.5, hold=5.0),
        Move(KNEE_TO_CHEST_RIGHT, 0.5, hold=5.0),
        Move(SUPINE, 1.5, hold=2.0),
    ]
    result = check("knee-to-chest", side_recording(timeline(SUPINE, moves), JITTER))
    assert [rep.side for rep in result.reps] == ["left", "right"]
    assert 20.0 <= result.reps[0].hold_seconds <= 22.0
    assert 15.0 <= result.reps[1].hold_seconds <= 17.5
    assert rep_faults(result) == [(), ("head_lifting",)]
    assert 4.5 <= fault_seconds(result, "head_lifting") <= 6.5


TABLE_TOP = pose(SUPINE, thigh=90, shin=0, upper_arm=90, forearm=90)


def test_dead_bug_counts_alternating_legs_and_flags_the_rushed_one() -> None:
    left_out = pose(TABLE_TOP, thigh_l=20, shin_l=10, upper_arm_r=180, forearm_r=180)
    right_out = pose(TABLE_TOP, thigh_r=20, shin_r=10, upper_arm_l=180, forearm_l=180)
    moves = [
        Move(left_out, 2.0, hold=0.5),
        Move(TABLE_TOP, 2.0, hold=0.5),
        Move(right_out, 2.0, hold=0.5),
        Move(TABLE_TOP, 2.0, hold=0.5),
        Move(left_out, 0.8),
        Move(TABLE_TOP, 0.8, hold=1.0),
    ]
    result = check("dead-bug", side_recording(timeline(TABLE_TOP, moves), JITTER))
    assert [rep.side for rep in result.reps] == ["left", "right", "left"]
    assert rep_faults(result) == [(), (), ("rushing",)]


# --- On hands and knees: bird-dog, cat-cow -----------------------------------------------------

QUADRUPED = pose(
    STANDING, hip_y=0.95, trunk=0, neck=-10, thigh=-90, shin=180, foot=180, upper_arm=-90, forearm=-90
)
# Angles are eased as numbers: -180 (not 180) swings the thigh backwards from -90 (straight down).
REACH_LEFT_LEG = pose(QUADRUPED, thigh_l=-180, shin_l=180, upper_arm_r=0, forearm_r=0)
REACH_RIGHT_LEG = pose(QUADRUPED, thigh_r=-180, shin_r=180, upper_arm_l=0, forearm_l=0)


def bird_dog_moves(high_left: bool = False) -> list[Move]:
    left = pose(REACH_LEFT_LEG, thigh_l=-200, shin_l=160) if high_left else REACH_LEFT_LEG
    return [
        Move(left, 1.5, hold=3.0),
        Move(QUADRUPED, 1.5, hold=1.0),
        Move(REACH_RIGHT_LEG, 1.5, hold=3.0),
        Move(QUADRUPED, 1.5, hold=1.0),
    ]


def test_bird_dog_counts_each_side_and_flags_a_leg_lifted_above_the_back() -> None:
    moves = (
        bird_dog_moves()
        + bird_dog_moves(high_left=True)
        + [Move(REACH_LEFT_LEG, 1.0), Move(QUADRUPED, 1.0, hold=1)]
    )
    result = check("bird-dog", side_recording(timeline(QUADRUPED, moves), JITTER))
    assert [rep.side for rep in result.reps] == ["left", "right", "left", "right", "left"]
    assert rep_faults(result) == [(), (), ("leg_too_high",), (), ("rushing",)]


def test_mirrored_footage_gives_the_same_sides_once_the_mirroring_is_undone() -> None:
    frames = timeline(QUADRUPED, bird_dog_moves())
    plain = check("bird-dog", side_recording(frames, JITTER))
    selfie = side_recording(frames, replace(JITTER, mirrored=True))
    assert selfie.mirrored
    undone = check("bird-dog", selfie)
    assert [r.side for r in undone.reps] == [r.side for r in plain.reps] == ["left", "right"]
    assert undone.side_towards_camera == plain.side_towards_camera == "left"
    taken_as_is = check("bird-dog", replace(selfie, mirrored=False))
    assert [r.side for r in taken_as_is.reps] == ["right", "left"]


def test_cat_cow_counts_each_round_from_the_persons_own_neutral() -> None:
    cat, cow = pose(QUADRUPED, neck=-60), pose(QUADRUPED, neck=20)
    cycle = [Move(cat, 3.0, hold=0.5), Move(cow, 3.0, hold=0.5)]
    moves = cycle * 4 + [Move(cat, 3.0), Move(QUADRUPED, 2.0, hold=1.0)]
    result = check("cat-cow", side_recording(timeline(QUADRUPED, moves), JITTER))
    assert result.rep_count == 5
    assert result.faults == ()
    rushed = check(
        "cat-cow", side_recording(timeline(QUADRUPED, [Move(cat, 1.2), Move(cow, 1.2)] * 3), JITTER)
    )
    assert rushed.rep_count == 3
    assert rep_faults(rushed) == [("rushing",)] * 3


# --- Planks (holds) ---------------------------------------------------------------------------

PRONE = pose(STANDING, hip_y=0.2, trunk=0, neck=0, thigh=180, shin=180, foot=-90, upper_arm=180, forearm=180)
PLANK = pose(PRONE, hip_y=0.6, trunk=7.0, thigh=187.0, shin=187.0, upper_arm=-90, forearm=0)
PLANK_SAGGING = pose(PLANK, hip_y=0.4, trunk=20.0, thigh=175.0, shin=195.0)
PLANK_PIKED = pose(PLANK, hip_y=0.95, trunk=-35.0, thigh=225.0, shin=165.0)


def test_front_plank_times_the_hold_and_flags_the_seconds_the_hips_sag() -> None:
    moves = [
        Move(PLANK, 1.5, hold=4.0),
        Move(PLANK_SAGGING, 0.5, hold=3.0),
        Move(PLANK, 0.5, hold=4.0),
        Move(PRONE, 1.5, hold=2.0),
    ]
    result = check("front-plank", side_recording(timeline(PRONE, moves), JITTER))
    assert result.visibility.ok
    assert len(result.holds) == 1
    assert 12.0 <= result.holds[0].seconds <= 14.5
    assert [f.id for f in result.faults] == ["hips_sagging"]
    assert 3.0 <= fault_seconds(result, "hips_sagging") <= 4.0


def test_front_plank_flags_piked_hips_and_lying_flat_is_not_a_hold() -> None:
    moves = [Move(PLANK_PIKED, 1.5, hold=6.0), Move(PRONE, 1.5, hold=6.0)]
    result = check("front-plank", side_recording(timeline(PRONE, moves), JITTER))
    assert [f.id for f in result.faults] == ["hips_piked"]
    # The hold's first and last second (getting into and out of it) are not judged.
    assert 4.5 <= fault_seconds(result, "hips_piked") <= 5.5
    assert len(result.holds) == 1
    assert result.holds[0].seconds < 8.0  # the six seconds lying flat afterwards are not part of it


def test_side_plank_times_each_side_from_the_front_and_flags_dropping_hips() -> None:
    n = round(16 * FPS)
    shifts = np.full(n, -0.45)  # hips resting on the floor
    shifts[round(1 * FPS) : round(12 * FPS)] = 0.0  # lifted into a straight line
    shifts[round(7 * FPS) : round(10 * FPS)] = -0.09  # sinking towards the floor
    recording = front_recording([0.0] * n, [0.0] * n, JITTER, hip_shifts=shifts, roll=90.0)
    result = check("side-plank-knees", recording)
    assert result.visibility.ok
    assert [(round(h.seconds), h.side) for h in result.holds] == [(11, "right")]
    assert 2.5 <= fault_seconds(result, "hips_dropping") <= 3.5


# --- Standing: side bend, trunk rotation, squat, sit-to-stand, wall sit, hamstring stretch ----


def waves(peaks: list[float], seconds_each: float = 4.0, lead: float = 1.0) -> np.ndarray:
    """One smooth excursion per peak (out and back), after `lead` seconds still."""
    parts = [np.zeros(round(lead * FPS))]
    for peak in peaks:
        t = np.arange(round(seconds_each * FPS)) / (seconds_each * FPS)
        parts.append(peak * (1 - np.cos(2 * np.pi * t)) / 2)
    parts.append(np.zeros(round(FPS)))
    return np.concatenate(parts)


def test_standing_side_bend_counts_bends_to_each_side_from_the_front() -> None:
    leans = waves([25, -25, 25, -25, 8, -25])  # the 8-degree one is a half-hearted bend
    result = check("standing-side-bend", front_recording(leans, np.zeros_like(leans), JITTER))
    assert result.view == "front"
    assert [rep.side for rep in result.reps] == ["left", "right", "left", "right", "right"]


def test_standing_trunk_rotation_counts_turns_to_each_side_and_flags_a_swing() -> None:
    turns = np.concatenate([waves([40, -40, 40]), waves([-40], seconds_each=1.0, lead=0.2)])
    result = check("standing-trunk-rotation", front_recording(np.zeros_like(turns), turns, JITTER))
    assert [rep.side for rep in result.reps] == ["left", "right", "left", "right"]
    assert rep_faults(result) == [(), (), (), ("swinging",)]


SQUAT_BOTTOM = pose(STANDING, hip_y=1.107, thigh=-20, shin=-110, trunk=50)
SQUAT_ON_TOES = pose(SQUAT_BOTTOM, foot=-35)


def test_squat_counts_reps_and_flags_the_one_where_the_heels_lift() -> None:
    bottoms = [SQUAT_BOTTOM, SQUAT_BOTTOM, SQUAT_ON_TOES, SQUAT_BOTTOM]
    moves = [m for b in bottoms for m in (Move(b, 1.2, hold=0.5), Move(STANDING, 1.2, hold=0.6))]
    result = check(
        "squat", side_recording(timeline(STANDING, moves), replace(JITTER, near="right", facing="left"))
    )
    assert result.side_towards_camera == "right"
    assert result.rep_count == 4
    assert rep_faults(result) == [(), (), ("heels_lifting",), ()]


def test_a_squat_filmed_from_the_front_gets_a_concrete_camera_instruction() -> None:
    n = round(8 * FPS)
    result = check("squat", front_recording(np.zeros(n), np.zeros(n), JITTER))
    assert result.visibility.ok is False
    assert result.visibility.message == (
        "Can't judge this exercise from the front: it needs a side view. "
        "Put the camera side-on at hip height, 2-3 m away, with your whole body in the picture."
    )
    assert result.reps == ()


def test_long_dropouts_give_cant_see_you_instead_of_a_count() -> None:
    frames = timeline(STANDING, [Move(SQUAT_BOTTOM, 1.2), Move(STANDING, 1.2, hold=0.6)] * 4)
    camera = replace(JITTER, drop_frames=[(0.5, 4.0), (5.0, 9.0)])
    result = check("squat", side_recording(frames, camera))
    assert result.visibility.ok is False
    assert result.visibility.message.startswith(
        "Can't see you well enough: your whole body was in view in only"
    )
    assert result.rep_count == 0


SEATED = pose(STANDING, hip_y=1.0, trunk=80, thigh=0, shin=-90)
RISING = pose(SEATED, hip_y=1.1, trunk=50)


def test_sit_to_stand_flags_dropping_into_the_chair() -> None:
    up = [Move(RISING, 0.8), Move(STANDING, 1.2, hold=0.8)]
    moves = [
        *up,
        Move(SEATED, 4.0, hold=1.0),
        *up,
        Move(SEATED, 0.5, hold=1.0),
        *up,
        Move(SEATED, 4.0, hold=1.0),
    ]
    result = check("sit-to-stand", side_recording(timeline(SEATED, moves), JITTER))
    assert result.rep_count == 3
    assert rep_faults(result) == [(), ("dropping_into_seat",), ()]


WALL_SIT = pose(STANDING, hip_y=1.0, trunk=90, thigh=0, shin=-90)
WALL_SIT_KNEES_FORWARD = pose(WALL_SIT, thigh=-10, shin=-115, hip_y=1.05)


def test_wall_sit_times_the_hold_and_flags_knees_past_the_toes() -> None:
    moves = [
        Move(WALL_SIT, 2.0, hold=15.0),
        Move(STANDING, 2.0, hold=3.0),
        Move(WALL_SIT_KNEES_FORWARD, 2.0, hold=10.0),
    ]
    result = check("wall-sit", side_recording(timeline(STANDING, moves), JITTER))
    # Each hold also takes in the last part of the slide down and the first of the push up.
    assert len(result.holds) == 2
    assert 16.0 <= result.holds[0].seconds <= 17.5
    assert 10.0 <= result.holds[1].seconds <= 12.0
    assert [f.id for f in result.faults] == ["knees_past_toes"]
    assert 9.0 <= fault_seconds(result, "knees_past_toes") <= 12.0


def test_prone_press_up_counts_presses_and_flags_hips_leaving_the_floor() -> None:
    up, up_hips = pose(PRONE, trunk=35), pose(PRONE, trunk=35, thigh=200, hip_y=0.45)
    moves = [m for top in (up, up, up_hips) for m in (Move(top, 1.5, hold=1.0), Move(PRONE, 1.5, hold=1.0))]
    result = check("prone-press-up", side_recording(timeline(PRONE, moves), JITTER))
    assert result.rep_count == 3
    assert rep_faults(result) == [(), (), ("hips_lifting",)]


HEEL_ON_STEP = pose(STANDING, thigh_l=-30, shin_l=-30)


def test_hamstring_stretch_times_each_leg_and_tells_hinging_from_rounding() -> None:
    hinge = pose(HEEL_ON_STEP, trunk=45, neck=45)
    right_heel_up = pose(STANDING, thigh_r=-30, shin_r=-30, trunk=45, neck=45)
    moves = [
        Move(hinge, 2.0, hold=20.0),
        Move(STANDING, 2.0, hold=2.0),
        Move(right_heel_up, 2.0, hold=8.0),
        Move(pose(right_heel_up, neck=0), 1.0, hold=8.0),
        Move(STANDING, 2.0, hold=1.0),
    ]
    result = check("standing-hamstring-stretch", side_recording(timeline(STANDING, moves), JITTER))
    # Each hold also takes in the part of the lean in and out beyond 15 degrees.
    assert [h.side for h in result.holds] == ["left", "right"]
    assert 21.0 <= result.holds[0].seconds <= 23.0
    assert 18.0 <= result.holds[1].seconds <= 20.0
    assert [f.id for f in result.faults] == ["back_rounding"]
    assert 7.5 <= fault_seconds(result, "back_rounding") <= 10.0


# --- The same answers whatever the jitter -----------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_do_not_depend_on_the_noise(seed: int) -> None:
    frames = timeline(SUPINE, [m for _ in range(6) for m in bridge(BRIDGE_TOP, hold=1.0)])
    camera = replace(JITTER, noise=0.03, seed=seed, drop_joint_rate=0.1)
    assert check("glute-bridge", side_recording(frames, camera)).rep_count == 6


def test_a_coco17_recording_counts_the_same_and_says_which_faults_it_cannot_check() -> None:
    from lumbar.motion.landmarks import BLAZEPOSE33, COCO17

    moves = [m for _ in range(3) for m in (Move(SQUAT_BOTTOM, 1.2, hold=0.5), Move(STANDING, 1.2, hold=0.6))]
    blaze = side_recording(timeline(STANDING, moves), JITTER)
    coco = replace(
        blaze, landmark_set="coco17", frames=blaze.frames[:, [BLAZEPOSE33.index(n) for n in COCO17], :]
    )
    result = check("squat", coco)
    assert result.rep_count == check("squat", blaze).rep_count == 3
    assert result.not_checked == ("heels_lifting",)  # COCO has no heel or toe points
