"""Synthetic BlazePose-33 landmark sequences made from an exercise's keyframes, for form-check tests.

The figure does the reps at the illustration's tempo, holds for the dose's hold time, and is filmed
by an ideal camera from the illustration's view. Noise, missed frames, unseen landmarks and a
mirrored (other side) version are added on request, reproducibly from a seed. The output is the
`lumbar-landmarks/1` shape (contracts/form-check.schema.json#/$defs/Landmarks): normalised image
coordinates, y down, one [x, y, z, visibility] per landmark.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lumbar.motion.figure import RADIUS, Body, Vec
from lumbar.motion.illustration import Illustration
from lumbar.motion.landmarks import BLAZEPOSE33
from lumbar.motion.scene import Camera, Scene, build_scene, camera_for, ease

if TYPE_CHECKING:
    from lumbar.domain.catalog import Exercise

BLAZEPOSE_33: tuple[str, ...] = BLAZEPOSE33
# Mirroring swaps each left landmark with its right twin.
MIRROR_INDEX: tuple[int, ...] = tuple(
    BLAZEPOSE_33.index(name.replace("left", "@").replace("right", "left").replace("@", "right"))
    for name in BLAZEPOSE_33
)
VISIBLE = 0.98
FAR_SIDE = 0.75  # a limb behind the body is still found, with less confidence
UNSEEN = 0.05


@dataclass(frozen=True)
class Recording:
    """Options of a synthetic recording. Times are seconds; noise is in image heights."""

    reps: int = 3
    hold_seconds: float | None = None  # None: the exercise's dose hold, else the illustration's
    fps: float = 30.0
    lead_seconds: float = 1.0  # still in the first keyframe before the first rep and after the last
    noise: float = 0.0  # standard deviation of Gaussian noise added to x, y and z
    frame_dropout: float = 0.0  # chance that a frame has nobody detected (null)
    landmark_dropout: float = 0.0  # chance that one landmark is unseen (low visibility, jittered)
    mirror: bool = False  # the other side: left and right swapped, picture flipped
    seed: int = 0
    aspect: float = 16 / 9  # image width / height
    view: str | None = None  # "side" or "front"; default: the illustration's view
    speed: float = 1.0  # 2.0 moves twice as fast as the illustration's tempo


def _landmarks_3d(body: Body) -> Vec:
    """The 33 BlazePose points of a posed figure, in figure coordinates (H units)."""
    p = body.points
    head = body.frames["head"]
    centre = p["head"]
    r = RADIUS["head"]

    def on_head(forward: float, up: float, right: float) -> Vec:
        return np.asarray(centre + head @ np.array([forward, up, right]), dtype=np.float64)

    points = [
        p["nose"],
        on_head(r * 0.9, 0.012, -0.012),
        on_head(r * 0.85, 0.012, -0.022),
        on_head(r * 0.8, 0.012, -0.032),
        on_head(r * 0.9, 0.012, 0.012),
        on_head(r * 0.85, 0.012, 0.022),
        on_head(r * 0.8, 0.012, 0.032),
        on_head(-0.005, 0.0, -r),
        on_head(-0.005, 0.0, r),
        on_head(r * 0.85, -0.03, -0.016),
        on_head(r * 0.85, -0.03, 0.016),
    ]
    for name in ("shoulder", "elbow", "wrist"):
        points += [p[f"{name}_l"], p[f"{name}_r"]]
    for finger, (along, forward, inward) in {
        "pinky": (0.07, 0.0, -0.02),
        "index": (0.085, 0.0, 0.012),
        "thumb": (0.045, 0.02, 0.025),
    }.items():
        del finger
        for side in ("l", "r"):
            lateral = 1.0 if side == "r" else -1.0
            hand = body.frames[f"hand_{side}"]
            points.append(p[f"wrist_{side}"] + hand @ np.array([forward, -along, -lateral * inward]))
    for name in ("hip", "knee", "ankle", "heel", "toe"):
        points += [p[f"{name}_l"], p[f"{name}_r"]]
    return np.array(points)


_FAR_TEST: dict[int, str] = {
    i: ("l" if name.startswith("left") else "r")
    for i, name in enumerate(BLAZEPOSE_33)
    if name.startswith(("left", "right")) and i >= 11
}


def _timeline(
    scene: Scene, reps: int, hold: float, lead: float, speed: float
) -> tuple[float, Callable[[float], Body]]:
    """Total length and the pose at any time: lead-in, reps (moves, hold, moves back, rest), lead-out."""
    last = len(scene.keyframes) - 1
    moves = [(a, b, seconds / speed) for a, b, seconds in scene.moves()]
    rest = scene.illustration.tempo.rest / speed
    one_rep = sum(seconds for _, _, seconds in moves) + hold
    total = lead * 2 + reps * one_rep + max(reps - 1, 0) * rest

    def in_rep(t: float) -> Body:
        held = False
        for a, b, seconds in moves:
            if a == last and not held:
                held = True
                if t < hold:
                    return scene.keyframes[last].body
                t -= hold
            if t < seconds:
                return scene.between(a, b, ease(t / seconds))
            t -= seconds
        return scene.keyframes[0].body

    def pose(t: float) -> Body:
        t -= lead
        if t < 0 or reps == 0:
            return scene.keyframes[0].body
        for _ in range(reps):
            if t < one_rep:
                return in_rep(t)
            t -= one_rep + rest
            if t < 0:
                return scene.keyframes[0].body
        return scene.keyframes[0].body

    return total, pose


def synthetic_recording(
    illustration: Illustration, options: Recording | None = None, *, dose_hold: float | None = None
) -> dict[str, Any]:
    """A landmark recording of the illustrated movement (see `Recording` for the options)."""
    opts = options or Recording()
    if opts.fps <= 0 or opts.reps < 0 or opts.speed <= 0:
        raise ValueError("fps and speed must be positive and reps not negative")
    for name in ("frame_dropout", "landmark_dropout"):
        if not 0.0 <= getattr(opts, name) <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1")
    scene = build_scene(illustration)
    camera = camera_for(opts.view or illustration.view, illustration.turn, illustration.tilt)
    hold = opts.hold_seconds if opts.hold_seconds is not None else dose_hold
    if hold is None:
        hold = illustration.tempo.hold
    total, pose = _timeline(scene, opts.reps, hold, opts.lead_seconds, opts.speed)
    count = max(1, round(total * opts.fps))
    bodies = [pose(i / opts.fps) for i in range(count)]
    clean = _to_image(bodies, camera, opts.aspect)
    rng = np.random.default_rng(opts.seed)
    frames: list[list[list[float]] | None] = []
    for body, points in zip(bodies, clean, strict=True):
        if rng.random() < opts.frame_dropout:
            frames.append(None)
            continue
        visibility = _visibility(body, camera)
        values = points.copy()
        if opts.noise > 0:
            values += rng.normal(0.0, opts.noise, size=values.shape)
        unseen = rng.random(len(values)) < opts.landmark_dropout
        if unseen.any():
            values[unseen] += rng.normal(0.0, max(opts.noise, 0.01) * 5, size=(int(unseen.sum()), 3))
            visibility[unseen] = rng.uniform(0.0, 2 * UNSEEN, size=int(unseen.sum()))
        if opts.mirror:
            values[:, 0] = 1.0 - values[:, 0]
            values = values[list(MIRROR_INDEX)]
            visibility = visibility[list(MIRROR_INDEX)]
        frames.append([[*map(_round, row), _round(v)] for row, v in zip(values, visibility, strict=True)])
    return {
        "format": "lumbar-landmarks/1",
        "landmark_set": "blazepose33",
        "fps": opts.fps,
        "coordinates": "normalized",
        "frames": frames,
    }


def synthetic_landmarks(exercise: Exercise, options: Recording | None = None) -> dict[str, Any]:
    """A recording of the exercise as its illustration shows it, holding for the dose's hold."""
    ill = exercise.motion.illustration if exercise.motion is not None else None
    if ill is None:
        raise ValueError(f"exercise {exercise.id!r} has no [motion.illustration] section")
    return synthetic_recording(ill, options, dose_hold=exercise.dose.hold_seconds)


def _round(v: float) -> float:
    return round(float(v), 5)


def _to_image(bodies: list[Body], camera: Camera, aspect: float) -> list[Vec]:
    """Project every frame with one fixed framing: the whole movement fills 80% of the picture."""
    raw = [_landmarks_3d(body) for body in bodies]
    flat = np.concatenate([camera.project_many(points) for points in raw])
    low, high = flat.min(axis=0), flat.max(axis=0)
    span = np.maximum(high - low, 1e-6)
    scale = 0.8 * min(aspect / span[0], 1.0 / span[1])  # image heights per body height
    middle = (low + high) / 2
    out = []
    for points, body in zip(raw, bodies, strict=True):
        uv = camera.project_many(points)
        x = ((uv[:, 0] - middle[0]) * scale + aspect / 2) / aspect
        y = 1.0 - ((uv[:, 1] - middle[1]) * scale + 0.5)
        hips = (body.points["hip_l"] + body.points["hip_r"]) / 2
        # BlazePose z: depth from the hips' midpoint, smaller is nearer the camera, in x's scale.
        z = -(points @ camera.toward - float(hips @ camera.toward)) * scale / aspect
        out.append(np.stack([x, y, z], axis=-1))
    return out


def _visibility(body: Body, camera: Camera) -> Vec:
    """High for landmarks in view, lower for limbs on the far side of the body."""
    out = np.full(len(BLAZEPOSE_33), VISIBLE)
    trunk = float(np.mean([s.centre for s in body.sections()], axis=0) @ camera.toward)
    for index, side in _FAR_TEST.items():
        name = BLAZEPOSE_33[index].split("_", 1)[1]
        part = {"foot_index": "toe", "pinky": "wrist", "index": "wrist", "thumb": "wrist"}.get(name, name)
        if float(body.points[f"{part}_{side}"] @ camera.toward) < trunk - 0.03:
            out[index] = FAR_SIDE
    return out
