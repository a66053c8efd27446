"""The figure's body plan without any geometry: segment proportions, joint and angle names, joint
ranges, and the parts that can rest on a support.

Kept free of numpy so that validating an exercise file's `[motion.illustration]` section (which every
command does when it loads the library) does not pay for the array library. `lumbar.motion.figure`
poses the body; see its docstring for the source of the proportions (Winter 2009, fig. 4.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Side = Literal["l", "r"]
SIDES: tuple[Side, Side] = ("l", "r")

# --- Winter (2009) fig. 4.1: segment lengths as fractions of height H (Drillis & Contini). ---
HIP_HEIGHT = 0.530  # greater trochanter
SHOULDER_HEIGHT = 0.818
CHIN_HEIGHT = 0.870
HEAD_HEIGHT = 0.130  # chin to vertex
THIGH = 0.245
SHANK = 0.246
ANKLE_HEIGHT = 0.039
FOOT_LENGTH = 0.152
UPPER_ARM = 0.186
FOREARM = 0.146
HAND = 0.108
SHOULDER_WIDTH = 0.259
HIP_WIDTH = 0.191

TRUNK = SHOULDER_HEIGHT - HIP_HEIGHT  # hip joints to shoulder joints
NECK = CHIN_HEIGHT - SHOULDER_HEIGHT

# --- Our own choices (not from Winter). ---
# The trunk bends at two places, the lumbosacral and thoracolumbar junctions: pelvis, lumbar and
# thoracic parts in roughly the proportions of the vertebral column beside the hip-to-shoulder span.
PELVIS = 0.070
LUMBAR = 0.090
THORACIC = TRUNK - PELVIS - LUMBAR
# Joint centres sit inside the outer body widths Winter gives.
HIP_OFFSET = HIP_WIDTH / 2 - 0.045
SHOULDER_OFFSET = SHOULDER_WIDTH / 2 - 0.020
# Radii of the drawn capsules (and so of the contacts with the floor or a chair).
RADIUS: dict[str, float] = {
    "thigh": 0.043,
    "shank": 0.031,
    "foot": 0.017,
    "upper_arm": 0.026,
    "forearm": 0.022,
    "hand": 0.019,
    "neck": 0.024,
    "head": HEAD_HEIGHT / 2 - 0.006,
}
HEEL_BACK = 0.030  # heel centre behind the ankle
TOE_FORWARD = FOOT_LENGTH - HEEL_BACK - 2 * RADIUS["foot"]

# Trunk cross-sections (half width side to side, half depth front to back) at five stations.
SECTION_SIZE: dict[str, tuple[float, float]] = {
    "pelvis": (0.088, 0.064),
    "sacrum": (0.082, 0.060),
    "waist": (0.076, 0.058),
    "chest": (0.088, 0.066),
    "shoulders": (0.100, 0.058),
}
TRUNK_STATIONS: tuple[str, ...] = ("pelvis", "sacrum", "waist", "chest", "shoulders")
BOTTOM_CAP = 0.040  # how far the buttocks round off below the hip joints
TOP_CAP = 0.022  # how far the shoulders round off above the shoulder joints

# --- The angles a pose may set. ---
ROOT_ANGLES: tuple[str, ...] = ("pitch", "roll", "yaw")
TRUNK_ANGLES: tuple[str, ...] = (
    "lumbar",
    "lumbar_side",
    "lumbar_rot",
    "thoracic",
    "thoracic_side",
    "thoracic_rot",
    "neck",
    "neck_side",
    "neck_rot",
    "head",
)
LIMB_ANGLES: tuple[str, ...] = (
    "hip",
    "hip_abd",
    "hip_rot",
    "knee",
    "ankle",
    "shoulder",
    "shoulder_abd",
    "shoulder_rot",
    "elbow",
    "wrist",
)
ANGLE_NAMES: tuple[str, ...] = (
    ROOT_ANGLES + TRUNK_ANGLES + tuple(f"{name}_{side}" for name in LIMB_ANGLES for side in SIDES)
)
# A limb angle without a side (`hip = 90`) sets both sides; `hip_r` then overrides the right one.
SHORTHAND_ANGLES: frozenset[str] = frozenset(LIMB_ANGLES)

# Ranges a joint can reach. These are not clinical thresholds: they only stop the drawings from
# showing a joint bent the wrong way or past what a body can do.
JOINT_LIMITS: dict[str, tuple[float, float]] = {
    "lumbar": (-35, 60),
    "lumbar_side": (-30, 30),
    "lumbar_rot": (-15, 15),
    "thoracic": (-30, 50),
    "thoracic_side": (-30, 30),
    "thoracic_rot": (-45, 45),
    "neck": (-60, 60),
    "neck_side": (-40, 40),
    "neck_rot": (-80, 80),
    "head": (-30, 30),
    "hip": (-30, 140),
    "hip_abd": (-30, 60),
    "hip_rot": (-45, 60),
    "knee": (0, 160),
    # The foot is one rigid piece: lying on the front or kneeling with the top of the foot flat on
    # the floor shows as a plantarflexion the midfoot and toes share in life.
    "ankle": (-85, 30),
    "shoulder": (-60, 180),
    "shoulder_abd": (-30, 180),
    "shoulder_rot": (-90, 90),
    "elbow": (0, 150),
    "wrist": (-90, 90),
}


def limit_for(angle_name: str) -> tuple[float, float] | None:
    """The range of a named angle (`hip_r` -> the hip's range); None for the whole-body angles."""
    base = angle_name[:-2] if angle_name[-2:] in ("_l", "_r") else angle_name
    return JOINT_LIMITS.get(base)


def expand_angles(angles: Mapping[str, float]) -> dict[str, float]:
    """Every angle by its full name: shorthands spread to both sides, missing angles are 0."""
    full = dict.fromkeys(ANGLE_NAMES, 0.0)
    for name, value in angles.items():
        if name in SHORTHAND_ANGLES:
            for side in SIDES:
                if f"{name}_{side}" not in angles:
                    full[f"{name}_{side}"] = float(value)
        elif name in full:
            full[name] = float(value)
        else:
            raise KeyError(name)
    return full


def unknown_angle_names(names: object) -> list[str]:
    """Names that are neither a full angle name nor a both-sides shorthand."""
    return [n for n in names if n not in ANGLE_NAMES and n not in SHORTHAND_ANGLES]  # type: ignore[attr-defined]


# Segments: name -> (start point, end point, radius key).
SEGMENTS: dict[str, tuple[str, str, str]] = {
    "neck": ("neck_base", "head_joint", "neck"),
    "head": ("head", "head", "head"),
}
for _side in SIDES:
    SEGMENTS.update(
        {
            f"thigh_{_side}": (f"hip_{_side}", f"knee_{_side}", "thigh"),
            f"shank_{_side}": (f"knee_{_side}", f"ankle_{_side}", "shank"),
            f"foot_{_side}": (f"heel_{_side}", f"toe_{_side}", "foot"),
            f"upper_arm_{_side}": (f"shoulder_{_side}", f"elbow_{_side}", "upper_arm"),
            f"forearm_{_side}": (f"elbow_{_side}", f"wrist_{_side}", "forearm"),
            f"hand_{_side}": (f"wrist_{_side}", f"hand_{_side}", "hand"),
        }
    )

# Chains are drawn as one piece each, far ones first.
CHAINS: dict[str, tuple[str, ...]] = {
    "leg_l": ("thigh_l", "shank_l", "foot_l"),
    "leg_r": ("thigh_r", "shank_r", "foot_r"),
    "arm_l": ("upper_arm_l", "forearm_l", "hand_l"),
    "arm_r": ("upper_arm_r", "forearm_r", "hand_r"),
    "head": ("neck", "head"),
}

JOINT_POINTS: tuple[str, ...] = (
    "pelvis",
    "sacrum",
    "waist",
    "chest",
    "neck_base",
    "head_joint",
    "head",
    "nose",
    *(
        f"{name}_{side}"
        for side in SIDES
        for name in ("hip", "knee", "ankle", "heel", "toe", "shoulder", "elbow", "wrist", "hand")
    ),
)
# Parts that can rest on a support: joints (as spheres), segments (as capsules), trunk sections.
PART_NAMES: frozenset[str] = frozenset(
    {
        p
        for p in JOINT_POINTS
        if p not in ("neck_base", "head_joint", "nose", "pelvis", "sacrum", "waist", "chest")
    }
    | set(SEGMENTS)
    | set(TRUNK_STATIONS)
)
