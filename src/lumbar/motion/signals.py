"""Body signals: one number per frame measured on the joint model (angles, inclinations, distances).

All signals work on positions in torso lengths (the distance from mid-hip to mid-shoulder), so that
they do not depend on how far the person stands from the camera. On a video (2-D) they are measured in
the picture plane; on a depth-camera recording (3-D, metres) they are measured in space. Signed signals
follow the person's anatomy, not the picture: `lean` and `twist` are positive towards the person's
left, `bend` is positive when the middle joint rises above the straight line (towards the ceiling).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from lumbar.motion.checkspec import Signal
from lumbar.motion.landmarks import JOINT_INDEX

FloatArray = NDArray[np.float64]
AnatomicalSide = Literal["left", "right"]

# Joints used to tell which side faces the camera.
_SIDE_PROBES = ("shoulder", "hip", "knee", "ankle")


@dataclass(frozen=True)
class Body:
    """A cleaned recording: positions (T, joints, 3) in torso lengths, and what was learnt about it."""

    positions: FloatArray
    is_3d: bool
    near: AnatomicalSide
    facing: FloatArray  # unit vector, horizontal: the direction the person faces (for `forward`)

    @property
    def frame_count(self) -> int:
        return int(self.positions.shape[0])

    def joint(self, name: str, side: str) -> FloatArray:
        """(T, 3) positions of a joint; `side` is left/right/near/far/mid (ignored for the nose)."""
        if name == "nose":
            return self.positions[:, JOINT_INDEX["nose"], :]
        if side == "near":
            side = self.near
        elif side == "far":
            side = "right" if self.near == "left" else "left"
        if side in ("left", "right"):
            return self.positions[:, JOINT_INDEX[f"{side}_{name}"], :]
        left = self.positions[:, JOINT_INDEX[f"left_{name}"], :]
        right = self.positions[:, JOINT_INDEX[f"right_{name}"], :]
        # Where one side is missing, the midpoint falls back on the other rather than vanishing.
        return np.where(np.isnan(left), right, np.where(np.isnan(right), left, (left + right) / 2.0))

    def planar(self, vectors: FloatArray) -> FloatArray:
        """Drop depth on 2-D recordings (a camera's z is a rough guess); keep it in 3-D."""
        if self.is_3d:
            return vectors
        flat = vectors.copy()
        flat[..., 2] = 0.0
        return flat


def measure(signal: Signal, body: Body, side: str | None = None) -> FloatArray:
    """The signal's value in every frame (NaN where a joint it needs is missing).

    `side` overrides the signal's own side (used for side 'each': call once with left, once with right).
    """
    chosen = side or signal.side
    kind = signal.kind
    if kind == "lean":
        values = _lean(body)
    elif kind == "twist":
        values = _twist(body, signal.joints[0])
    elif kind == "inclination":
        a, b = (body.joint(name, chosen) for name in signal.joints)
        incline = _inclination_vertical if signal.reference == "vertical" else _inclination_horizontal
        values = incline(body, a, b)
    else:
        points = [body.joint(name, chosen) for name in signal.joints]
        values = _GEOMETRY[kind](body, *points)
    if signal.negate:
        values = -values
    if signal.absolute:
        values = np.abs(values)
    return values


def _norm(v: FloatArray) -> FloatArray:
    return _floats(np.sqrt(np.einsum("...i,...i->...", v, v)))


def _floats(values: object) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _angle_between(u: FloatArray, v: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.einsum("...i,...i->...", u, v) / (_norm(u) * _norm(v))
    return _floats(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def _angle(body: Body, a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    return _angle_between(body.planar(a - b), body.planar(c - b))


def _bend(body: Body, a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    a, b, c = body.planar(a), body.planar(b), body.planar(c)
    deviation = 180.0 - _angle_between(a - b, c - b)
    line = c - a
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.einsum("...i,...i->...", b - a, line) / np.einsum("...i,...i->...", line, line)
    offset = b - (a + t[:, None] * line)
    # Above the line (towards the ceiling) is positive, whichever way the person faces.
    return np.where(offset[:, 1] < 0, -deviation, deviation)


def _horizontal(body: Body, v: FloatArray) -> FloatArray:
    return np.hypot(v[:, 0], v[:, 2]) if body.is_3d else np.abs(v[:, 0])


def _inclination_vertical(body: Body, a: FloatArray, b: FloatArray) -> FloatArray:
    v = b - a
    return _floats(np.degrees(np.arctan2(_horizontal(body, v), v[:, 1])))


def _inclination_horizontal(body: Body, a: FloatArray, b: FloatArray) -> FloatArray:
    v = b - a
    return _floats(np.degrees(np.arctan2(v[:, 1], _horizontal(body, v))))


def _height(body: Body, a: FloatArray, b: FloatArray) -> FloatArray:
    return b[:, 1] - a[:, 1]


def _distance(body: Body, a: FloatArray, b: FloatArray) -> FloatArray:
    return _norm(body.planar(b - a))


def _forward(body: Body, a: FloatArray, b: FloatArray) -> FloatArray:
    return np.asarray(body.planar(b - a) @ body.facing, dtype=np.float64)


def _lean(body: Body) -> FloatArray:
    """Sideways lean of the trunk (mid-hip to mid-shoulder) from the vertical, in the body's frontal
    plane. Measured against the vertical rather than the pelvis: camera trackers place the hip points
    from the silhouette, and in a side bend they tilt with the trunk, hiding most of the movement."""
    hips = body.joint("hip", "left") - body.joint("hip", "right")
    trunk = body.planar(body.joint("shoulder", "mid") - body.joint("hip", "mid"))
    leftward = hips.copy()
    leftward[:, 1] = 0.0
    if not body.is_3d:
        leftward[:, 2] = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        leftward = leftward / _norm(leftward)[:, None]
    sideways = np.einsum("...i,...i->...", trunk, leftward)
    return _floats(np.degrees(np.arctan2(sideways, trunk[:, 1])))


def _twist(body: Body, joint: str) -> FloatArray:
    """Turn of the shoulder (or hip) line about the vertical, from its square-on position.

    In 3-D the line's direction in the floor plane is compared with its typical (circular mean)
    direction. On video the depth guess is too rough for an angle, so the size of the turn comes from
    how much the line shortens in the picture compared with its longest (square-on) length, relative
    to the torso; the depth guess then gives only the direction.
    """
    line = body.joint(joint, "left") - body.joint(joint, "right")
    if body.is_3d:
        heading = np.arctan2(line[:, 2], line[:, 0])
        valid = ~np.isnan(heading)
        if not valid.any():
            return np.full(body.frame_count, np.nan)
        typical = np.arctan2(np.sin(heading[valid]).mean(), np.cos(heading[valid]).mean())
        turned = np.angle(np.exp(1j * (heading - typical)))
        return np.asarray(np.degrees(turned), dtype=np.float64)
    torso = _norm(body.planar(body.joint("shoulder", "mid") - body.joint("hip", "mid")))
    with np.errstate(invalid="ignore", divide="ignore"):
        width = _norm(body.planar(line)) / torso
    if np.isnan(width).all():
        return np.full(body.frame_count, np.nan)
    square_on = float(np.nanpercentile(width, 95))
    size = np.degrees(np.arccos(np.clip(width / square_on, 0.0, 1.0)))
    # Turning to the left takes the left shoulder away from the camera (larger z).
    direction = np.where(line[:, 2] < 0, -1.0, 1.0)
    return np.where(np.isnan(width), np.nan, size * direction)


_GEOMETRY: dict[str, Callable[..., FloatArray]] = {
    "angle": _angle,
    "bend": _bend,
    "height": _height,
    "distance": _distance,
    "forward": _forward,
}


# --- What the recording tells about the camera and the person ------------------------------------


def torso_lengths(positions: FloatArray, is_3d: bool) -> FloatArray:
    """Per-frame distance from mid-hip to mid-shoulder (in the picture plane on video)."""
    body = Body(positions, is_3d, "left", np.array([1.0, 0.0, 0.0]))
    return _norm(body.planar(body.joint("shoulder", "mid") - body.joint("hip", "mid")))


def near_side(positions: FloatArray, visibility: FloatArray) -> AnatomicalSide:
    """Which side of the body faces the camera: the nearer one by depth, else the better-seen one."""
    left = [JOINT_INDEX[f"left_{j}"] for j in _SIDE_PROBES]
    right = [JOINT_INDEX[f"right_{j}"] for j in _SIDE_PROBES]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames with nobody in them: all-NaN rows
        depth = np.nanmean(positions[:, left, 2], axis=1) - np.nanmean(positions[:, right, 2], axis=1)
        seen = np.nanmean(visibility[:, left], axis=1) - np.nanmean(visibility[:, right], axis=1)
    depth_gap = float(np.nanmedian(depth)) if not np.isnan(depth).all() else 0.0
    if abs(depth_gap) > 0.02:  # torso lengths; below this the depth says nothing
        return "left" if depth_gap < 0 else "right"
    seen_gap = float(np.nanmedian(seen)) if not np.isnan(seen).all() else 0.0
    return "left" if seen_gap >= 0 else "right"


def facing_direction(positions: FloatArray, near: AnatomicalSide, is_3d: bool) -> FloatArray:
    """The horizontal direction the person faces, from the feet (toes ahead of heels or ankles) or,
    without feet, from the nose ahead of the ears. Defaults to the picture's right."""
    probes = [("toe", "heel"), ("toe", "ankle"), ("nose", "ear")]
    for front, back in probes:
        tip = positions[:, JOINT_INDEX["nose" if front == "nose" else f"{near}_{front}"], :]
        base = positions[:, JOINT_INDEX[f"{near}_{back}"], :]
        step = tip - base
        step = step[~np.isnan(step).any(axis=1)]
        if step.shape[0] == 0:
            continue
        direction = np.median(step, axis=0)
        direction[1] = 0.0
        if not is_3d:
            direction[2] = 0.0
        size = float(np.linalg.norm(direction))
        if size > 1e-6:
            return np.asarray(direction / size, dtype=np.float64)
    return np.array([1.0, 0.0, 0.0])


def shoulder_width_ratio(positions: FloatArray) -> float:
    """Typical shoulder width over torso length in the picture: about 0.7 square-on, near 0 side-on."""
    body = Body(positions, False, "left", np.array([1.0, 0.0, 0.0]))
    width = _norm(body.planar(body.joint("shoulder", "left") - body.joint("shoulder", "right")))
    torso = _norm(body.planar(body.joint("shoulder", "mid") - body.joint("hip", "mid")))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = width / torso
    ratio = ratio[np.isfinite(ratio)]
    return float(np.median(ratio)) if ratio.size else float("nan")
