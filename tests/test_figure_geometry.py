"""The exercise figures are bodies: bones keep their length, nothing sinks into the floor, resting parts
touch what they rest on, joints stay within what they can do, and the picture frames the whole move.

Checked for every exercise in the library, for each keyframe and for every pose of the animation.
"""

from __future__ import annotations

import math
import re
from functools import cache

import numpy as np
import pytest
from pydantic import ValidationError

from lumbar.domain.catalog import Exercise, default_catalog
from lumbar.motion import figure
from lumbar.motion.figure import (
    ANGLE_NAMES,
    expand_angles,
    grip_gap,
    limit_for,
    lowest_point,
    pose_body,
    segment_lengths,
)
from lumbar.motion.illustration import Illustration
from lumbar.motion.render import figure_shapes, look_for, loop_samples, view_box
from lumbar.motion.scene import Scene, build_scene, contact_gaps

# About 7 mm for a person 1.70 m tall: the solver gets well inside it.
TOLERANCE = 0.004

CATALOG = default_catalog()
EXERCISES = [e for e in CATALOG if e.motion is not None and e.motion.illustration is not None]
IDS = [e.id for e in EXERCISES]


@cache
def scene_of(exercise_id: str) -> Scene:
    exercise = CATALOG.exercise(exercise_id)
    assert exercise.motion is not None
    assert exercise.motion.illustration is not None
    return build_scene(exercise.motion.illustration)


def illustration(exercise: Exercise) -> Illustration:
    assert exercise.motion is not None
    assert exercise.motion.illustration is not None
    return exercise.motion.illustration


def test_every_exercise_in_the_library_has_an_illustration() -> None:
    missing = [e.id for e in CATALOG if e.motion is None or e.motion.illustration is None]
    assert missing == []
    assert len(EXERCISES) == len(CATALOG.exercises) >= 38


# --- the figure model ---


def standing() -> figure.Body:
    body = pose_body({})
    return body.translated(np.array([0.0, -lowest_point(body), 0.0]))


def test_the_standing_figure_is_one_body_height_from_soles_to_crown() -> None:
    body = standing()
    crown = body.points["head"][1] + figure.RADIUS["head"]
    assert crown == pytest.approx(1.0, abs=0.01)


def test_segment_lengths_are_winters_fractions_of_height() -> None:
    lengths = segment_lengths(pose_body({}))
    assert lengths["thigh_l"] == pytest.approx(0.245)
    assert lengths["shank_r"] == pytest.approx(0.246)
    assert lengths["upper_arm_l"] == pytest.approx(0.186)
    assert lengths["forearm_r"] == pytest.approx(0.146)
    body = standing()
    assert body.points["pelvis"][1] == pytest.approx(figure.HIP_HEIGHT)
    assert body.points["shoulder_r"][1] == pytest.approx(figure.SHOULDER_HEIGHT)
    assert body.points["ankle_l"][1] == pytest.approx(figure.ANKLE_HEIGHT)


def test_the_reference_pose_faces_right_with_its_right_side_to_the_viewer() -> None:
    body = pose_body({})
    assert body.points["nose"][0] > body.points["head"][0]
    assert body.points["toe_r"][0] > body.points["heel_r"][0]
    assert body.points["shoulder_r"][2] > 0 > body.points["shoulder_l"][2]


@pytest.mark.parametrize(
    ("angles", "point", "axis", "direction"),
    [
        ({"hip_r": 60}, "knee_r", 0, +1),  # hip flexion brings the knee forward
        ({"knee_r": 60}, "ankle_r", 0, -1),  # knee flexion takes the foot back
        ({"ankle_r": 20}, "toe_r", 1, +1),  # dorsiflexion lifts the toes
        ({"shoulder_r": 90}, "wrist_r", 0, +1),  # shoulder flexion raises the arm forward
        ({"elbow_r": 90}, "wrist_r", 0, +1),  # elbow flexion brings the hand forward
        ({"lumbar": 30}, "head", 0, +1),  # trunk flexion bends forward
        ({"lumbar": -20}, "head", 0, -1),  # extension bends backward
        ({"lumbar_side": 20}, "head", 2, +1),  # side bending to the right
        ({"hip_abd_r": 30}, "knee_r", 2, +1),  # abduction takes the leg out to its own side
        ({"hip_abd_l": 30}, "knee_l", 2, -1),
        ({"pitch": 90}, "head", 0, +1),  # lying face down, head to the right
        ({"pitch": -90}, "head", 0, -1),  # lying on the back, head to the left
    ],
)
def test_each_angle_moves_the_body_the_way_a_physiotherapist_names_it(
    angles: dict[str, float], point: str, axis: int, direction: int
) -> None:
    moved = pose_body(angles).points[point][axis] - pose_body({}).points[point][axis]
    assert moved * direction > 0.02


def test_turning_the_chest_to_the_right_brings_its_front_round_to_the_right() -> None:
    front = pose_body({"thoracic_rot": 40}).frames["thorax"][:, 0]
    assert front[2] > 0.5
    assert (
        pose_body({"thoracic_rot": 40}).points["shoulder_r"][0]
        < 0
        < pose_body({"thoracic_rot": 40}).points["shoulder_l"][0]
    )


def test_a_limb_angle_without_a_side_sets_both_sides_unless_one_is_named() -> None:
    full = expand_angles({"hip": 40, "hip_r": 10})
    assert (full["hip_l"], full["hip_r"]) == (40.0, 10.0)
    assert set(full) == set(ANGLE_NAMES)


# --- every exercise, every keyframe, every animation pose ---


@pytest.mark.parametrize("exercise_id", IDS)
def test_bones_keep_their_length_in_every_pose(exercise_id: str) -> None:
    reference = segment_lengths(pose_body({}))
    for _, body in loop_samples(scene_of(exercise_id)):
        lengths = segment_lengths(body)
        for name, length in reference.items():
            assert lengths[name] == pytest.approx(length, abs=1e-9), name


@pytest.mark.parametrize("exercise_id", IDS)
def test_nothing_goes_below_the_floor(exercise_id: str) -> None:
    scene = scene_of(exercise_id)
    if scene.illustration.ground != "floor":
        pytest.skip("in the water: there is no floor")
    for placed in scene.keyframes:
        assert lowest_point(placed.body) >= -TOLERANCE, placed.name
    for t, body in loop_samples(scene):
        assert lowest_point(body) >= -TOLERANCE, f"at {t:.2f} s"


@pytest.mark.parametrize("exercise_id", IDS)
def test_resting_parts_touch_their_support_in_every_keyframe(exercise_id: str) -> None:
    scene = scene_of(exercise_id)
    for placed in scene.keyframes:
        for (support, part), gap in contact_gaps(scene, placed).items():
            assert abs(gap) <= TOLERANCE, f"{placed.name}: {part} is {gap * 170:.1f} cm off the {support}"
        for part, target in placed.grip.items():
            gap = grip_gap(placed.body, part, target)
            assert abs(gap) <= TOLERANCE, f"{placed.name}: {part} is {gap * 170:.1f} cm from {target}"


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_keyframe_rests_on_something(exercise_id: str) -> None:
    """A figure with nothing under it would float: only the swimmer may."""
    scene = scene_of(exercise_id)
    for placed in scene.keyframes:
        if scene.illustration.ground == "floor":
            assert placed.rest, placed.name


@pytest.mark.parametrize("exercise_id", IDS)
def test_joints_stay_within_what_a_body_can_do(exercise_id: str) -> None:
    for placed in scene_of(exercise_id).keyframes:
        for name, value in placed.angles.items():
            limits = limit_for(name)
            if limits is not None:
                assert limits[0] - 1e-6 <= value <= limits[1] + 1e-6, f"{placed.name}: {name} = {value:.1f}"


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_solver_changes_only_the_angles_the_file_sets_free(exercise_id: str) -> None:
    ill = illustration(CATALOG.exercise(exercise_id))
    for keyframe, placed in zip(ill.keyframes, scene_of(exercise_id).keyframes, strict=True):
        written = expand_angles(keyframe.angles)
        free = {full for name in keyframe.free for full in (name, f"{name}_l", f"{name}_r")}
        for name, value in written.items():
            if name not in free:
                assert placed.angles[name] == value, f"{keyframe.name}: {name}"


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_figure_stays_inside_the_picture_for_the_whole_loop(exercise_id: str) -> None:
    scene = scene_of(exercise_id)
    look = look_for(scene)
    poses = [body for _, body in loop_samples(scene)]
    x0, y0, width, height = view_box(scene, poses, look)
    assert width / height == pytest.approx(4 / 3, abs=0.01)
    for body in poses:
        for shape in figure_shapes(body, scene.camera, look):
            pad = (shape.radius or 0.0) + shape.width / 2
            assert shape.points[:, 0].min() - pad >= x0 - 0.1
            assert shape.points[:, 0].max() + pad <= x0 + width + 0.1
            assert shape.points[:, 1].min() - pad >= y0 - 0.1
            assert shape.points[:, 1].max() + pad <= y0 + height + 0.1


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_one_animated_rep_takes_the_exercises_time_per_rep(exercise: Exercise) -> None:
    if exercise.timing.seconds_per_rep == 0:
        pytest.skip("a timed bout (walking, swimming) has no rep")
    assert illustration(exercise).tempo.moving_seconds == pytest.approx(exercise.timing.seconds_per_rep)


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_movement_is_big_enough_to_see(exercise_id: str) -> None:
    """Between the first and the last keyframe something moves at least 2 cm (for 1.70 m)."""
    scene = scene_of(exercise_id)
    first, last = scene.keyframes[0].body, scene.keyframes[-1].body
    moved = max(float(np.linalg.norm(first.points[p] - last.points[p])) for p in first.points)
    assert moved > 0.012


@pytest.mark.parametrize(
    ("exercise_id", "expected"),
    [
        ("bird-dog", {"arm_r", "leg_l"}),  # opposite arm and leg
        ("dead-bug", {"arm_r", "leg_l"}),
        ("sciatic-nerve-glide", {"leg_r", "head"}),
    ],
)
def test_opposite_limbs_move_together_where_the_exercise_says_so(
    exercise_id: str, expected: set[str]
) -> None:
    scene = scene_of(exercise_id)
    first, last = scene.keyframes[0].angles, scene.keyframes[-1].angles
    changed = {
        chain
        for chain, joint in {
            "arm_r": "shoulder_r",
            "arm_l": "shoulder_l",
            "leg_r": "knee_r" if exercise_id == "sciatic-nerve-glide" else "hip_r",
            "leg_l": "hip_l",
            "head": "neck",
        }.items()
        if abs(first[joint] - last[joint]) >= 30
    }
    assert changed == expected


def test_the_prone_press_up_keeps_the_hips_down_while_the_chest_rises() -> None:
    scene = scene_of("prone-press-up")
    down, up = scene.keyframes[0].body, scene.keyframes[-1].body
    assert up.points["neck_base"][1] - down.points["neck_base"][1] > 0.15
    assert up.points["pelvis"][1] - down.points["pelvis"][1] == pytest.approx(0.0, abs=0.01)


def test_cat_cow_rounds_the_back_up_and_then_lets_it_sag() -> None:
    scene = scene_of("cat-cow")
    cat, cow = scene.keyframes[0].angles, scene.keyframes[-1].angles
    assert min(cat["lumbar"], cat["thoracic"], cat["neck"]) > 15  # rounded, head down
    assert max(cow["lumbar"], cow["neck"]) < -15  # sagging, looking ahead


def test_the_sciatic_nerve_glide_straightens_the_knee_while_the_head_tips_back() -> None:
    scene = scene_of("sciatic-nerve-glide")
    bent, straight = scene.keyframes[0].angles, scene.keyframes[-1].angles
    assert bent["knee_r"] > 80
    assert straight["knee_r"] < 30
    assert bent["neck"] > 0 > straight["neck"]
    assert "chair" in scene.props.surfaces


def test_the_side_plank_is_on_the_knees_with_the_body_lifted_into_a_line() -> None:
    scene = scene_of("side-plank-knees")

    def sag(placed_index: int) -> float:
        """How far the mid-hip point sits off the line from the knees to the shoulders, in the picture."""
        body = scene.keyframes[placed_index].body
        knees = (
            np.array(scene.camera.project(body.points["knee_l"]))
            + scene.camera.project(body.points["knee_r"])
        ) / 2
        hips = np.array(scene.camera.project(body.points["pelvis"]))
        shoulders = np.array(scene.camera.project(body.points["neck_base"]))
        line = (shoulders - knees) / np.linalg.norm(shoulders - knees)
        return abs(float(np.cross(line, hips - knees)))

    lifted = scene.keyframes[-1]
    assert lifted.angles["knee_r"] >= 60
    assert "knee_r" in lifted.rest["floor"]
    assert not {"pelvis", "thigh_r"} & set(lifted.rest["floor"])
    assert sag(0) > 0.04  # resting on the hip first
    assert sag(-1) < 0.01  # then a straight line from knees to shoulders


# --- the content model refuses what it cannot draw ---


def _minimal(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "view": "side",
        "description": "A test.",
        "tempo": {"phases": [1.0, 1.0]},
        "keyframes": [
            {"name": "a", "angles": {"hip": 10}, "rest": {"floor": ["heel_l"]}},
            {"name": "b", "angles": {"hip": 20}, "rest": {"floor": ["heel_l"]}},
        ],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"tempo": {"phases": [1.0]}},
            "tempo.phases: needs 2 moves (per keyframe, the last returning to the first)",
        ),
        (
            {"tempo": {"phases": [1.0, 1.0, 1.0], "retrace": True}},
            "tempo.phases: needs 2 moves (out and back",
        ),
        (
            {"keyframes": [{"name": "a", "angles": {"hips": 1}}, {"name": "b", "angles": {}}]},
            "unknown angle 'hips'",
        ),
        (
            {"keyframes": [{"name": "a", "angles": {"knee_r": -20}}, {"name": "b", "angles": {}}]},
            "knee_r = -20.0 is outside 0..160",
        ),
        (
            {
                "keyframes": [
                    {"name": "a", "angles": {}, "rest": {"chair": ["thigh_l"]}},
                    {"name": "b", "angles": {}},
                ]
            },
            "rests on a chair but props has no 'chair'",
        ),
        (
            {
                "keyframes": [
                    {"name": "a", "angles": {}, "rest": {"floor": ["tail"]}},
                    {"name": "b", "angles": {}},
                ]
            },
            "unknown body part 'tail'",
        ),
        ({"arrow": {"follows": "hand_r", "around": "pelvis"}}, "give exactly one of follows"),
        ({"props": ["strap"]}, "strap_to: give it exactly when props has 'strap'"),
        ({"highlight": ["tail"]}, "highlight: unknown part 'tail'"),
    ],
)
def test_the_illustration_model_rejects_what_it_cannot_draw(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        Illustration.model_validate(_minimal(**changes))


def test_a_minimal_illustration_is_valid_and_draws() -> None:
    scene = build_scene(Illustration.model_validate(_minimal()))
    assert math.isclose(lowest_point(scene.keyframes[0].body), 0.0, abs_tol=TOLERANCE)
