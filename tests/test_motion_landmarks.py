"""Landmark files, the joint model, mirroring, gap filling, smoothing and the body signals."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest

from lumbar.domain.errors import InvalidInput
from lumbar.motion.analyze import SMOOTHING
from lumbar.motion.checkspec import Signal
from lumbar.motion.filters import fill_gaps
from lumbar.motion.landmarks import (
    BLAZEPOSE33,
    JOINT_INDEX,
    KINECT25,
    Recording,
    read_kinect_csv,
    read_landmarks_json,
    to_joint_model,
    write_landmarks,
)
from lumbar.motion.signals import Body, measure


class Trickle(io.StringIO):
    """A stream that hands out a few characters per read, to split every token across reads."""

    def read(self, size: int | None = -1) -> str:
        return super().read(7)


def landmarks_doc(frames: list[object], **extra: object) -> dict[str, object]:
    return {
        "format": "lumbar-landmarks/1",
        "landmark_set": "blazepose33",
        "fps": 30,
        "frames": frames,
        **extra,
    }


def a_frame(value: float = 0.5) -> list[list[float]]:
    return [[value + i / 1000, 0.25, -0.125, 0.9] for i in range(33)]


def test_landmarks_json_read_in_tiny_pieces_matches_the_whole_document() -> None:
    doc = landmarks_doc([None, a_frame(0.123456789), None, a_frame(0.5)], image_size=[640, 480])
    recording = read_landmarks_json(Trickle(json.dumps(doc)))
    assert recording.frame_count == 4
    assert recording.image_size == (640, 480)
    assert np.isnan(recording.frames[0]).all()
    assert np.isnan(recording.frames[2]).all()
    assert recording.frames[1, 0, 0] == pytest.approx(0.123456789, abs=1e-6)
    assert recording.frames[3, 32].tolist() == pytest.approx([0.532, 0.25, -0.125, 0.9])


def test_written_landmarks_read_back_the_same() -> None:
    frames = np.random.default_rng(0).random((5, 33, 4)).astype(np.float32)
    frames[2] = np.nan
    out = io.StringIO()
    write_landmarks(Recording("blazepose33", 25.0, frames, image_size=(1280, 720), mirrored=True), out)
    back = read_landmarks_json(io.StringIO(out.getvalue()))
    assert back.fps == 25.0
    assert back.mirrored is True
    assert np.allclose(back.frames, frames, atol=1e-5, equal_nan=True)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (landmarks_doc([a_frame()[:17]]), "frames: blazepose33 has 33 landmarks per frame, got 17"),
        (landmarks_doc([a_frame(), a_frame()[:30]]), "frames[1]: expected 33 landmarks, got 30"),
        (landmarks_doc([[[0, 0, 0]] * 33]), "frames[0]: each landmark must be [x, y, z, visibility]"),
        (landmarks_doc([a_frame()], fps=0), "fps: must be above 0"),
        (landmarks_doc([a_frame()], landmark_set="openpose"), "landmark_set: must be one of"),
        (landmarks_doc([a_frame()], format="lumbar-landmarks/2"), "format: must be 'lumbar-landmarks/1'"),
        (landmarks_doc([a_frame()], colour="red"), "colour: unknown key"),
        ({"format": "lumbar-landmarks/1", "fps": 30, "frames": []}, "landmark_set: required but missing"),
    ],
)
def test_bad_landmark_files_are_refused_naming_the_problem(doc: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_landmarks_json(io.StringIO(json.dumps(doc)))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "lumbar-landmarks/1", "frames": [[[1, 2', "not valid JSON"),
        ('{"format": "lumbar-landmarks/1"} trailing', "extra data after the object"),
        (
            '{"format": "lumbar-landmarks/1", "landmark_set": "coco17", "fps": NaN, "frames": []}',
            "fps: must be a number",
        ),
        ("[]", "expected '{'"),
    ],
)
def test_truncated_or_malformed_json_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        read_landmarks_json(io.StringIO(text))


def kinect_row(x: float = 0.1, state: int = 2) -> str:
    return ",".join(f"{x + j / 100},{1 - j / 100},{2.5},{state}" for j in range(25)) + ","


def test_kinect_csv_keeps_empty_rows_as_frames_without_a_body_and_maps_tracking_states() -> None:
    text = "\n\n" + kinect_row() + "\n" + kinect_row(state=1) + "\n"
    recording = read_kinect_csv(io.StringIO(text))
    assert recording.frame_count == 4
    assert np.isnan(recording.frames[:2]).all()
    assert recording.frames[2, :, 3].tolist() == [1.0] * 25
    assert recording.frames[3, :, 3].tolist() == [0.5] * 25
    assert recording.is_3d


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,2,3\n", "line 1: expected 100 values"),
        (kinect_row().replace("0.1", "abc", 1) + "\n", "line 1: not a row of numbers"),
        (kinect_row(state=3) + "\n", "line 1: tracking states must be 0, 1 or 2"),
        ("", "the file is empty"),
    ],
)
def test_bad_kinect_rows_are_refused_with_their_line_number(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        read_kinect_csv(io.StringIO(text))


def test_the_joint_model_puts_every_set_in_one_frame_with_y_up_and_the_image_right_as_x() -> None:
    frames = np.zeros((1, 33, 4), dtype=np.float32)
    frames[0, BLAZEPOSE33.index("left_shoulder")] = (0.6, 0.3, 0.0, 1.0)
    frames[0, BLAZEPOSE33.index("left_hip")] = (0.6, 0.6, 0.0, 1.0)
    joints = to_joint_model(Recording("blazepose33", 30.0, frames, image_size=(1920, 1080)))
    shoulder, hip = joints[0, JOINT_INDEX["left_shoulder"]], joints[0, JOINT_INDEX["left_hip"]]
    assert shoulder[1] > hip[1]  # up is +y
    assert shoulder[0] == pytest.approx(0.6 * 1920 / 1080)  # aspect ratio restored

    kinect = np.zeros((1, 25, 4), dtype=np.float32)
    kinect[0, KINECT25.index("ShoulderLeft")] = (-0.3, 0.5, 2.0, 1.0)  # sensor's right = image right
    joints = to_joint_model(Recording("kinect25", 30.0, kinect, coordinates="meters"))
    assert joints[0, JOINT_INDEX["left_shoulder"], :3].tolist() == pytest.approx([0.3, 0.5, 2.0])
    assert np.isnan(joints[0, JOINT_INDEX["nose"]]).all()  # Kinect has no nose


def test_undoing_mirroring_flips_x_and_swaps_left_and_right() -> None:
    frames = np.zeros((1, 33, 4), dtype=np.float32)
    frames[0, BLAZEPOSE33.index("left_wrist")] = (0.2, 0.5, 0.0, 1.0)
    plain = to_joint_model(Recording("blazepose33", 30.0, frames))
    flipped = to_joint_model(Recording("blazepose33", 30.0, frames, mirrored=True))
    assert flipped[0, JOINT_INDEX["right_wrist"], 0] == pytest.approx(-plain[0, JOINT_INDEX["left_wrist"], 0])
    assert flipped[0, JOINT_INDEX["right_wrist"], 1] == pytest.approx(plain[0, JOINT_INDEX["left_wrist"], 1])


def test_short_dropouts_are_bridged_and_long_ones_left_missing() -> None:
    track = np.array([0.0, np.nan, np.nan, 3.0, np.nan, np.nan, np.nan, np.nan, 8.0, np.nan])
    filled = fill_gaps(track, max_gap=3)
    assert filled[:4].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert np.isnan(filled[4:8]).all()  # 4 frames: too long to invent
    assert np.isnan(filled[9])  # nothing after it to bridge to


def test_one_euro_removes_jitter_when_still_and_follows_fast_movement_closely() -> None:
    rng = np.random.default_rng(3)
    still = 1.0 + rng.normal(0, 0.02, 300)  # torso lengths: a few pixels of jitter
    smoothed = SMOOTHING.apply(still, 30.0)
    assert np.std(smoothed[30:]) < np.std(still) / 3
    ramp = np.concatenate([np.zeros(30), np.linspace(0, 3, 30), np.full(30, 3.0)])  # 3 torso lengths/s
    followed = SMOOTHING.apply(ramp, 30.0)
    assert np.max(np.abs(followed - ramp)) < 0.2  # under 2 frames of lag at full speed
    assert followed[-1] == pytest.approx(3.0, abs=0.01)


def body_from(points: dict[str, tuple[float, float, float]], is_3d: bool = False) -> Body:
    positions = np.full((1, len(JOINT_INDEX), 3), np.nan)
    for name, xyz in points.items():
        positions[0, JOINT_INDEX[name]] = xyz
    return Body(positions, is_3d, "left", np.array([1.0, 0.0, 0.0]))


STANDING = {
    "left_shoulder": (0.2, 1.0, 0.0),
    "right_shoulder": (-0.2, 1.0, 0.0),
    "left_hip": (0.12, 0.0, 0.0),
    "right_hip": (-0.12, 0.0, 0.0),
}


def test_sideways_lean_is_positive_towards_the_persons_left_whichever_way_they_face() -> None:
    lean = Signal(name="lean", kind="lean")
    towards_left = {k: (x + (0.3 if "shoulder" in k else 0), y, z) for k, (x, y, z) in STANDING.items()}
    assert measure(lean, body_from(towards_left))[0] == pytest.approx(math.degrees(math.atan(0.3)))
    # Facing away from the camera the person's left is on the picture's left.
    back_view = {k: (-x, y, z) for k, (x, y, z) in towards_left.items()}
    assert measure(lean, body_from(back_view))[0] == pytest.approx(math.degrees(math.atan(0.3)))


def test_a_turn_to_the_left_takes_the_left_shoulder_away_from_the_camera() -> None:
    twist = Signal(name="turn", kind="twist", joints=["shoulder"])
    square = body_from(STANDING, is_3d=True)
    turned = dict(STANDING, left_shoulder=(0.17, 1.0, 0.1), right_shoulder=(-0.17, 1.0, -0.1))
    both = Body(
        np.concatenate([square.positions, body_from(turned, is_3d=True).positions]),
        True,
        "left",
        np.array([1.0, 0.0, 0.0]),
    )
    values = measure(twist, both)
    assert values[1] - values[0] == pytest.approx(math.degrees(math.atan2(0.2, 0.34)), abs=0.01)


def test_bend_is_positive_when_the_middle_joint_rises_above_the_line() -> None:
    bend = Signal(name="body_line", kind="bend", joints=["shoulder", "hip", "ankle"], side="left")
    piked = {"left_shoulder": (0.0, 0.3, 0.0), "left_hip": (1.0, 0.6, 0.0), "left_ankle": (2.0, 0.0, 0.0)}
    sagging = dict(piked, left_hip=(1.0, 0.0, 0.0))
    assert measure(bend, body_from(piked))[0] > 20
    assert measure(bend, body_from(sagging))[0] < -5
    facing_left = {k: (-x, y, z) for k, (x, y, z) in piked.items()}
    assert measure(bend, body_from(facing_left))[0] == pytest.approx(measure(bend, body_from(piked))[0])
