"""Synthetic landmark recordings from the illustration keyframes: in the contract's shape, doing the
asked reps at the exercise's tempo with its hold, and noisy, gappy or mirrored exactly as asked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from lumbar.domain.catalog import default_catalog
from lumbar.motion.synthetic import BLAZEPOSE_33, Recording, synthetic_landmarks

CATALOG = default_catalog()
BRIDGE = CATALOG.exercise("glute-bridge")
L_HIP, R_HIP = BLAZEPOSE_33.index("left_hip"), BLAZEPOSE_33.index("right_hip")
L_SHOULDER, R_SHOULDER = BLAZEPOSE_33.index("left_shoulder"), BLAZEPOSE_33.index("right_shoulder")


def as_array(recording: dict[str, Any]) -> np.ndarray:
    """(frames, 33, 4) with NaN for frames where nobody was seen."""
    return np.array(
        [f if f is not None else np.full((33, 4), np.nan) for f in recording["frames"]], dtype=float
    )


@pytest.mark.parametrize(
    "exercise_id", ["glute-bridge", "bird-dog", "standing-side-bend", "walking", "swimming"]
)
def test_a_recording_has_the_shape_of_the_landmarks_contract(
    exercise_id: str, contract_validator: Callable[..., Callable[[Any], None]]
) -> None:
    recording = synthetic_landmarks(
        CATALOG.exercise(exercise_id), Recording(reps=1, noise=0.002, frame_dropout=0.05, seed=1)
    )
    contract_validator("form-check", "Landmarks")(recording)
    assert recording["landmark_set"] == "blazepose33"
    assert recording["coordinates"] == "normalized"
    for frame in recording["frames"]:
        assert frame is None or (len(frame) == 33 and all(len(point) == 4 for point in frame))


def test_without_noise_every_landmark_is_inside_the_picture_and_seen() -> None:
    frames = as_array(synthetic_landmarks(BRIDGE, Recording(reps=1)))
    assert not np.isnan(frames).any()
    assert frames[..., :2].min() >= 0.0
    assert frames[..., :2].max() <= 1.0
    assert frames[..., 3].min() >= 0.5


def test_the_same_seed_gives_the_same_recording_and_another_seed_another() -> None:
    options = Recording(reps=1, noise=0.003, frame_dropout=0.1, landmark_dropout=0.05, seed=7)
    assert synthetic_landmarks(BRIDGE, options) == synthetic_landmarks(BRIDGE, options)
    assert synthetic_landmarks(BRIDGE, options) != synthetic_landmarks(BRIDGE, replace(options, seed=8))


def test_noise_has_the_standard_deviation_asked_for() -> None:
    clean = as_array(synthetic_landmarks(BRIDGE, Recording(reps=2)))
    noisy = as_array(synthetic_landmarks(BRIDGE, Recording(reps=2, noise=0.004, seed=3)))
    difference = (noisy - clean)[..., :2]
    assert float(difference.std()) == pytest.approx(0.004, rel=0.1)
    assert abs(float(difference.mean())) < 0.0005


def test_frames_drop_out_as_often_as_asked_and_never_otherwise() -> None:
    dropped = synthetic_landmarks(BRIDGE, Recording(reps=3, frame_dropout=0.2, seed=5))["frames"]
    share = sum(f is None for f in dropped) / len(dropped)
    assert share == pytest.approx(0.2, abs=0.05)
    assert all(f is not None for f in synthetic_landmarks(BRIDGE, Recording(reps=3))["frames"])


def test_an_unseen_landmark_has_a_low_visibility() -> None:
    frames = as_array(synthetic_landmarks(BRIDGE, Recording(reps=2, landmark_dropout=0.1, seed=2)))
    share = float((frames[..., 3] < 0.2).mean())
    assert share == pytest.approx(0.1, abs=0.02)


def test_a_limb_on_the_far_side_is_seen_less_surely_than_the_near_one() -> None:
    frames = as_array(synthetic_landmarks(CATALOG.exercise("bird-dog"), Recording(reps=1)))
    # Side view, facing right: the right side is nearer the camera.
    assert frames[:, L_SHOULDER, 3].mean() < frames[:, R_SHOULDER, 3].mean()


def test_mirroring_swaps_left_and_right_and_flips_the_picture() -> None:
    plain = as_array(synthetic_landmarks(BRIDGE, Recording(reps=1)))
    mirrored = as_array(synthetic_landmarks(BRIDGE, Recording(reps=1, mirror=True)))
    np.testing.assert_allclose(mirrored[:, L_SHOULDER, 0], 1 - plain[:, R_SHOULDER, 0], atol=1e-4)
    np.testing.assert_allclose(mirrored[:, R_HIP, 1], plain[:, L_HIP, 1], atol=1e-4)


def lifts(frames: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) frame of each time the hips are up, from the hips' height in the picture."""
    hips_y = np.nanmean(frames[:, [L_HIP, R_HIP], 1], axis=1)
    low, high = np.nanmin(hips_y), np.nanmax(hips_y)
    up = hips_y < low + (high - low) * 0.1  # y grows downward: up is small y
    runs, start = [], None
    for i, flag in enumerate(up):
        if flag and start is None:
            start = i
        if not flag and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, len(up) - 1))
    return runs


@pytest.mark.parametrize("reps", [1, 3, 5])
def test_the_recording_does_the_number_of_reps_asked(reps: int) -> None:
    frames = as_array(synthetic_landmarks(BRIDGE, Recording(reps=reps)))
    assert len(lifts(frames)) == reps


def test_each_rep_holds_the_top_for_the_doses_hold_and_moves_at_the_illustrations_tempo() -> None:
    fps = 30.0
    recording = synthetic_landmarks(BRIDGE, Recording(reps=2, fps=fps, lead_seconds=1.0))
    frames = as_array(recording)
    assert BRIDGE.dose.hold_seconds == 3
    tempo = BRIDGE.motion.illustration.tempo  # type: ignore[union-attr]
    one_rep = sum(tempo.phases) + 3
    expected = 2 * 1.0 + 2 * one_rep + tempo.rest
    assert len(frames) == round(expected * fps)
    for first, last in lifts(frames):
        # Within 10% of the top for the hold and a little either side of it.
        assert 3.0 <= (last - first + 1) / fps <= 3.0 + 0.5 * sum(tempo.phases) / 2


def test_a_hold_and_a_speed_can_be_chosen() -> None:
    short = as_array(synthetic_landmarks(BRIDGE, Recording(reps=1, hold_seconds=0.0, speed=2.0)))
    long = as_array(synthetic_landmarks(BRIDGE, Recording(reps=1, hold_seconds=6.0)))
    assert len(long) - len(short) == round((6.0 + 2.0) * 30)


@pytest.mark.parametrize(
    "options",
    [Recording(fps=0), Recording(reps=-1), Recording(frame_dropout=1.5), Recording(speed=0)],
)
def test_impossible_options_are_refused(options: Recording) -> None:
    with pytest.raises(ValueError, match="must be"):
        synthetic_landmarks(BRIDGE, options)
