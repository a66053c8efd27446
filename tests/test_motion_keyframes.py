"""The checker judges the movement the app illustrates as correct: each exercise's illustration
(its `[motion.illustration]` keyframes and tempo, holding for the dose's hold time), made into
BlazePose landmarks by lumbar.motion.synthetic with jitter and dropouts, gives one rep or one hold per
repetition and no form fault."""

from __future__ import annotations

import io
import json

import pytest

from lumbar.domain.catalog import default_catalog
from lumbar.motion.analyze import FormResult, analyze, check_spec_of
from lumbar.motion.landmarks import read_landmarks_json
from lumbar.motion.synthetic import Recording as Options
from lumbar.motion.synthetic import synthetic_landmarks

REPS = 2
# 15 frames a second, as a 30 fps video is analysed; noise in picture heights (a few pixels).
FILMED = Options(reps=REPS, fps=15.0, noise=0.002, landmark_dropout=0.03, frame_dropout=0.02, seed=5)

# exercise -> (what one repetition of the illustration is, the side it shows)
EXPECTED: dict[str, tuple[str, str | None]] = {
    "glute-bridge": ("rep", None),
    "bird-dog": ("rep", "left"),
    "knee-to-chest": ("rep", "right"),
    "dead-bug": ("rep", "left"),
    "standing-side-bend": ("rep", "right"),
    "standing-trunk-rotation": ("rep", "right"),
    "squat": ("rep", None),
    "sit-to-stand": ("rep", None),
    "raised-sit-to-stand": ("rep", None),
    "hip-hinge": ("rep", None),
    "floor-to-waist-lift": ("rep", None),
    "split-squat": ("rep", None),
    "prone-press-up": ("rep", None),
    "modified-plank": ("hold", None),
    "front-plank": ("hold", None),
    "side-plank-knees": ("hold", "right"),
    "wall-sit": ("hold", None),
    "standing-hamstring-stretch": ("hold", "right"),
    "double-knee-to-chest": ("rep", None),
    "heel-slide": ("rep", "right"),
    "seated-forward-fold": ("rep", None),
    "standing-back-extension": ("rep", None),
    "sphinx": ("hold", None),
    "single-leg-bridge": ("rep", None),
    "stability-ball-bridge": ("rep", None),
    "marching-bridge": ("rep", "right"),
    "sciatic-nerve-glide": ("rep", "right"),
    "childs-pose": ("hold", None),
    "supine-hamstring-stretch": ("hold", "right"),
}


def check(exercise_id: str, options: Options = FILMED, *, selfie: bool = False) -> FormResult:
    exercise = default_catalog().exercise(exercise_id)
    if exercise.motion is None or exercise.motion.illustration is None:
        pytest.skip(f"{exercise_id} has no illustration yet")
    document = synthetic_landmarks(exercise, options)
    # The generator frames a 16:9 picture; the checker needs its shape to measure angles in it.
    width = round(1080 * options.aspect)
    document["image_size"] = [width, 1080]
    if selfie:
        document["mirrored"] = True
    recording = read_landmarks_json(io.StringIO(json.dumps(document)))
    return analyze(exercise_id, check_spec_of(exercise), recording)


@pytest.mark.parametrize(("exercise_id", "expected"), sorted(EXPECTED.items()))
def test_each_illustrated_repetition_is_one_clean_rep_or_hold(
    exercise_id: str, expected: tuple[str, str | None]
) -> None:
    kind, side = expected
    result = check(exercise_id)
    assert result.visibility.ok, result.visibility.message
    if kind == "rep":
        assert [rep.side for rep in result.reps] == [side] * REPS
        assert result.holds == ()
    else:
        assert result.rep_count == 0
        assert [hold.side for hold in result.holds] == [side] * REPS
    assert result.faults == ()
    assert result.not_checked == ()


def test_holds_last_the_doses_hold_time() -> None:
    dose = default_catalog().exercise("wall-sit").dose.hold_seconds
    assert dose is not None
    result = check("wall-sit")
    # Each hold also takes in the end of the slide down and the start of the push back up.
    assert all(dose <= hold.seconds <= dose + 3 for hold in result.holds)


def test_cat_cow_illustration_starts_rounded_so_its_first_round_is_getting_into_position() -> None:
    # The illustration starts and ends in the cat: the rounds counted are those that start and end
    # with the back out of the cat, one fewer than the rounds shown.
    result = check("cat-cow", Options(reps=REPS + 1, fps=15.0, noise=0.002, seed=5))
    assert result.rep_count == REPS
    assert result.faults == ()


def test_the_other_side_is_reported_as_the_other_side_unless_it_was_a_selfie() -> None:
    other_side = Options(reps=REPS, fps=15.0, noise=0.002, mirror=True, seed=5)
    assert [rep.side for rep in check("bird-dog", other_side).reps] == ["right"] * REPS
    # The same frames, declared as flipped before pose estimation, are the original movement.
    assert [rep.side for rep in check("bird-dog", other_side, selfie=True).reps] == ["left"] * REPS
