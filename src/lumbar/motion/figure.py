"""A human figure posed by joint angles: forward kinematics for the exercise illustrations.

The figure lives in 3-D so that one set of angles can be drawn from the side or from the front and so
that twists (a turn of the chest, a knee falling out to the side) project the way they look. Lengths
are fractions of standing height H, so the figure is 1.0 tall when it stands.

Segment lengths and joint heights follow the body-segment proportions of Drillis and Contini as given
by Winter, *Biomechanics and Motor Control of Human Movement*, 4th ed. 2009, fig. 4.1 (references.toml
id `winter-2009-biomechanics`). Winter gives no split of the trunk into pelvis, lumbar and thoracic
parts, nor segment thicknesses: those are our own drawing choices, marked below.

Coordinates: x to the right of a side view, y up, z towards the viewer of a side view. In the
reference pose the figure stands facing +x with its arms hanging at its sides; its right side is +z.
Angles are degrees; each joint's positive direction is the movement a physiotherapist names first
(flexion, abduction, external rotation, bending or turning to the right).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lumbar.motion.body import (  # re-exported: the body plan is part of the figure model
    ANGLE_NAMES as ANGLE_NAMES,
)
from lumbar.motion.body import (
    ANKLE_HEIGHT as ANKLE_HEIGHT,
)
from lumbar.motion.body import (
    BOTTOM_CAP as BOTTOM_CAP,
)
from lumbar.motion.body import (
    CHAINS as CHAINS,
)
from lumbar.motion.body import (
    CHIN_HEIGHT as CHIN_HEIGHT,
)
from lumbar.motion.body import (
    FOOT_LENGTH as FOOT_LENGTH,
)
from lumbar.motion.body import (
    FOREARM as FOREARM,
)
from lumbar.motion.body import (
    HAND as HAND,
)
from lumbar.motion.body import (
    HEAD_HEIGHT as HEAD_HEIGHT,
)
from lumbar.motion.body import (
    HEEL_BACK as HEEL_BACK,
)
from lumbar.motion.body import (
    HIP_HEIGHT as HIP_HEIGHT,
)
from lumbar.motion.body import (
    HIP_OFFSET as HIP_OFFSET,
)
from lumbar.motion.body import (
    HIP_WIDTH as HIP_WIDTH,
)
from lumbar.motion.body import (
    JOINT_LIMITS as JOINT_LIMITS,
)
from lumbar.motion.body import (
    JOINT_POINTS as JOINT_POINTS,
)
from lumbar.motion.body import (
    LIMB_ANGLES as LIMB_ANGLES,
)
from lumbar.motion.body import (
    LUMBAR as LUMBAR,
)
from lumbar.motion.body import (
    NECK as NECK,
)
from lumbar.motion.body import (
    PART_NAMES as PART_NAMES,
)
from lumbar.motion.body import (
    PELVIS as PELVIS,
)
from lumbar.motion.body import (
    RADIUS as RADIUS,
)
from lumbar.motion.body import (
    ROOT_ANGLES as ROOT_ANGLES,
)
from lumbar.motion.body import (
    SECTION_SIZE as SECTION_SIZE,
)
from lumbar.motion.body import (
    SEGMENTS as SEGMENTS,
)
from lumbar.motion.body import (
    SHANK as SHANK,
)
from lumbar.motion.body import (
    SHORTHAND_ANGLES as SHORTHAND_ANGLES,
)
from lumbar.motion.body import (
    SHOULDER_HEIGHT as SHOULDER_HEIGHT,
)
from lumbar.motion.body import (
    SHOULDER_OFFSET as SHOULDER_OFFSET,
)
from lumbar.motion.body import (
    SHOULDER_WIDTH as SHOULDER_WIDTH,
)
from lumbar.motion.body import (
    SIDES as SIDES,
)
from lumbar.motion.body import (
    THIGH as THIGH,
)
from lumbar.motion.body import (
    THORACIC as THORACIC,
)
from lumbar.motion.body import (
    TOE_FORWARD as TOE_FORWARD,
)
from lumbar.motion.body import (
    TOP_CAP as TOP_CAP,
)
from lumbar.motion.body import (
    TRUNK as TRUNK,
)
from lumbar.motion.body import (
    TRUNK_ANGLES as TRUNK_ANGLES,
)
from lumbar.motion.body import (
    TRUNK_STATIONS as TRUNK_STATIONS,
)
from lumbar.motion.body import (
    UPPER_ARM as UPPER_ARM,
)
from lumbar.motion.body import (
    Side as Side,
)
from lumbar.motion.body import (
    expand_angles as expand_angles,
)
from lumbar.motion.body import (
    limit_for as limit_for,
)
from lumbar.motion.body import (
    unknown_angle_names as unknown_angle_names,
)

Vec = NDArray[np.float64]

# --- Rotations. ---


def rot_x(deg: float) -> Vec:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(deg: float) -> Vec:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(deg: float) -> Vec:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _spine_joint(a: Mapping[str, float], name: str) -> Vec:
    # Flexion tips the segment forward (+x), side bending to the right (+z), turning right brings the
    # front round to the right.
    return rot_z(-a[name]) @ rot_x(a[f"{name}_side"]) @ rot_y(-a[f"{name}_rot"])


def _ball_joint(a: Mapping[str, float], name: str, side: Side) -> Vec:
    # A limb hangs along -y: flexion swings it forward; abduction out to its own side (+z for the
    # right); external rotation turns its front outwards.
    sign = 1.0 if side == "r" else -1.0
    return (
        rot_z(a[f"{name}_{side}"])
        @ rot_x(-sign * a[f"{name}_abd_{side}"])
        @ rot_y(-sign * a[f"{name}_rot_{side}"])
    )


def root_rotation(a: Mapping[str, float]) -> Vec:
    """The pelvis's orientation, applied in this order: pitch tips the body forward (90 = lying face
    down, head to +x; -90 = lying on the back, head to -x), then roll tips it onto its right side,
    then yaw turns it to its right about its own long axis (standing: turning round; lying on the
    back: rolling the pelvis towards its right side)."""
    return rot_z(-a["pitch"]) @ rot_x(a["roll"]) @ rot_y(-a["yaw"])


@dataclass(frozen=True)
class Capsule:
    """A limb segment drawn as a rounded stroke from `a` to `b`."""

    name: str
    a: Vec
    b: Vec
    radius: float


@dataclass(frozen=True)
class Section:
    """An elliptical cross-section of the trunk: `lateral` and `forward` are unit vectors."""

    name: str
    centre: Vec
    lateral: Vec
    forward: Vec
    half_width: float
    half_depth: float

    def extent(self, direction: Vec) -> float:
        """How far the section reaches from its centre along a unit direction."""
        return math.hypot(
            self.half_width * float(self.lateral @ direction),
            self.half_depth * float(self.forward @ direction),
        )


@dataclass(frozen=True)
class Body:
    """A posed figure: joint centres, body frames, and the shapes drawn and tested."""

    points: dict[str, Vec]
    frames: dict[str, Vec]

    def capsule(self, name: str) -> Capsule:
        start, end, radius_key = SEGMENTS[name]
        return Capsule(name, self.points[start], self.points[end], RADIUS[radius_key])

    def capsules(self) -> list[Capsule]:
        return [self.capsule(name) for name in SEGMENTS]

    def section(self, name: str) -> Section:
        frame = self.frames[_SECTION_FRAME[name]]
        half_width, half_depth = SECTION_SIZE[name]
        centre = self.points["neck_base" if name == "shoulders" else name]
        return Section(name, centre, frame[:, 2], frame[:, 0], half_width, half_depth)

    def sections(self) -> list[Section]:
        return [self.section(name) for name in TRUNK_STATIONS]

    def joint_radius(self, point: str) -> float:
        """A joint's contact radius: the thickest drawn segment that ends there."""
        return max(RADIUS[key] for start, end, key in SEGMENTS.values() if point in (start, end))

    def bottom_cap(self) -> Vec:
        """The lowest point of the rounded buttocks, below the pelvis section along the trunk axis."""
        return self.points["pelvis"] - self.frames["pelvis"][:, 1] * BOTTOM_CAP

    def translated(self, offset: Vec) -> Body:
        return Body({k: v + offset for k, v in self.points.items()}, self.frames)


_SECTION_FRAME = {
    "pelvis": "pelvis",
    "sacrum": "pelvis",
    "waist": "lumbar",
    "chest": "thorax",
    "shoulders": "thorax",
}


def pose_body(angles: Mapping[str, float]) -> Body:
    """Forward kinematics: the figure for a set of angles, with the mid-hip point at the origin.

    A frame's columns are its forward, up and right directions, so a point `length` up a segment is
    `frame[:, 1] * length`."""
    a = expand_angles(angles)
    pelvis = root_rotation(a)
    lumbar = pelvis @ _spine_joint(a, "lumbar")
    thorax = lumbar @ _spine_joint(a, "thoracic")
    neck = thorax @ _spine_joint(a, "neck")
    head = neck @ rot_z(-a["head"])
    p: dict[str, Vec] = {"pelvis": np.zeros(3)}
    p["sacrum"] = pelvis[:, 1] * PELVIS
    p["waist"] = p["sacrum"] + lumbar[:, 1] * LUMBAR
    p["chest"] = p["waist"] + thorax[:, 1] * (THORACIC * 0.5)
    p["neck_base"] = p["waist"] + thorax[:, 1] * THORACIC
    p["head_joint"] = p["neck_base"] + neck[:, 1] * NECK
    p["head"] = p["head_joint"] + head[:, 0] * 0.012 + head[:, 1] * (HEAD_HEIGHT / 2)
    p["nose"] = p["head"] + head[:, 0] * RADIUS["head"] - head[:, 1] * 0.008
    frames = {"pelvis": pelvis, "lumbar": lumbar, "thorax": thorax, "neck": neck, "head": head}
    sole = ANKLE_HEIGHT - RADIUS["foot"]
    for side in SIDES:
        lateral = 1.0 if side == "r" else -1.0
        hip = pelvis[:, 2] * (lateral * HIP_OFFSET)
        thigh = pelvis @ _ball_joint(a, "hip", side)
        knee = hip - thigh[:, 1] * THIGH
        shank = thigh @ rot_z(-a[f"knee_{side}"])
        ankle = knee - shank[:, 1] * SHANK
        foot = shank @ rot_z(a[f"ankle_{side}"])
        shoulder = p["neck_base"] + thorax[:, 2] * (lateral * SHOULDER_OFFSET)
        upper_arm = thorax @ _ball_joint(a, "shoulder", side)
        elbow = shoulder - upper_arm[:, 1] * UPPER_ARM
        forearm = upper_arm @ rot_z(a[f"elbow_{side}"])
        wrist = elbow - forearm[:, 1] * FOREARM
        hand = forearm @ rot_z(a[f"wrist_{side}"])
        p.update(
            {
                f"hip_{side}": hip,
                f"knee_{side}": knee,
                f"ankle_{side}": ankle,
                f"heel_{side}": ankle - foot[:, 0] * HEEL_BACK - foot[:, 1] * sole,
                f"toe_{side}": ankle + foot[:, 0] * TOE_FORWARD - foot[:, 1] * sole,
                f"shoulder_{side}": shoulder,
                f"elbow_{side}": elbow,
                f"wrist_{side}": wrist,
                f"hand_{side}": wrist - hand[:, 1] * (HAND - RADIUS["hand"]),
            }
        )
        frames.update({f"thigh_{side}": thigh, f"shank_{side}": shank, f"foot_{side}": foot})
        frames.update({f"upper_arm_{side}": upper_arm, f"forearm_{side}": forearm, f"hand_{side}": hand})
    return Body(p, frames)


# --- Supports: what a resting part touches. ---


@dataclass(frozen=True)
class Plane:
    """A flat support: points with `normal @ p >= offset` are outside it (in the open air)."""

    normal: Vec
    offset: float


@dataclass(frozen=True)
class Ball:
    centre: Vec
    radius: float


Surface = Plane | Ball


def _closest_on_segment(a: Vec, b: Vec, q: Vec) -> Vec:
    ab = b - a
    denom = float(ab @ ab)
    t = 0.0 if denom == 0 else min(1.0, max(0.0, float((q - a) @ ab) / denom))
    return a + t * ab


def gap(body: Body, part: str, surface: Surface) -> float:
    """Distance from a body part's surface to a support: 0 touching, negative sunk into it."""
    if part in TRUNK_STATIONS:
        section = body.section(part)
        if isinstance(surface, Plane):
            return float(surface.normal @ section.centre) - surface.offset - section.extent(surface.normal)
        towards = section.centre - surface.centre
        length = float(np.linalg.norm(towards))
        return length - surface.radius - section.extent(towards / length)
    if part in SEGMENTS:
        cap = body.capsule(part)
        a, b, radius = cap.a, cap.b, cap.radius
    else:
        a = b = body.points[part]
        radius = body.joint_radius(part)
    if isinstance(surface, Plane):
        return min(float(surface.normal @ a), float(surface.normal @ b)) - surface.offset - radius
    closest = _closest_on_segment(a, b, surface.centre)
    return float(np.linalg.norm(closest - surface.centre)) - surface.radius - radius


def grip_gap(body: Body, part: str, target: str) -> float:
    """Distance between the surfaces of two body parts (a hand holding a knee: 0)."""
    p = body.points[part]
    radius = body.joint_radius(part)
    if target in TRUNK_STATIONS:
        section = body.section(target)
        towards = p - section.centre
        length = float(np.linalg.norm(towards))
        return length - radius - section.extent(towards / max(length, 1e-9))
    q = body.points[target]
    return float(np.linalg.norm(p - q)) - radius - body.joint_radius(target)


def lowest_point(body: Body) -> float:
    """The height of the lowest surface point of the whole figure (capsules, trunk, buttocks)."""
    up = np.array([0.0, 1.0, 0.0])
    lows = [min(c.a[1], c.b[1]) - c.radius for c in body.capsules()]
    lows += [s.centre[1] - s.extent(up) for s in body.sections()]
    lows.append(float(body.bottom_cap()[1]))
    return float(min(lows))


def segment_lengths(body: Body) -> dict[str, float]:
    """Distances between connected joints; constant for every pose of the same figure."""
    pairs = {
        "pelvis": ("pelvis", "sacrum"),
        "lumbar": ("sacrum", "waist"),
        "thoracic": ("waist", "neck_base"),
        "neck": ("neck_base", "head_joint"),
        "head": ("head_joint", "head"),
    }
    for side in SIDES:
        pairs.update(
            {
                f"hip_width_{side}": ("pelvis", f"hip_{side}"),
                f"thigh_{side}": (f"hip_{side}", f"knee_{side}"),
                f"shank_{side}": (f"knee_{side}", f"ankle_{side}"),
                f"foot_{side}": (f"heel_{side}", f"toe_{side}"),
                f"heel_{side}": (f"ankle_{side}", f"heel_{side}"),
                f"shoulder_width_{side}": ("neck_base", f"shoulder_{side}"),
                f"upper_arm_{side}": (f"shoulder_{side}", f"elbow_{side}"),
                f"forearm_{side}": (f"elbow_{side}", f"wrist_{side}"),
                f"hand_{side}": (f"wrist_{side}", f"hand_{side}"),
            }
        )
    return {name: float(np.linalg.norm(body.points[b] - body.points[a])) for name, (a, b) in pairs.items()}
