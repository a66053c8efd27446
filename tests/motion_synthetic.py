"""Synthetic BlazePose-33 recordings from keyframes, for form-check tests with exact answers.

A side-view pose is a set of segment directions in degrees (0 = towards the way the person faces,
90 = up, -90 = down) plus the hip position, in torso lengths. A front-view pose is a sideways lean
and a turn of the shoulders (and hips). Keyframes are eased into one another at the given times, then
drawn into normalised image coordinates of a 640x480 picture, with optional jitter, dropouts (frames
with nobody, and single joints lost) and a left-right mirror as a selfie camera makes.

lumbar.motion.synthetic plays an exercise's illustration, which shows good form only; these
hand-made poses also make the faults (sagging hips, lifted heels, a rushed rep) whose detection the
tests check, and front views with a chosen lean and turn.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from lumbar.motion.landmarks import BLAZEPOSE33, Recording

WIDTH, HEIGHT = 640, 480
SCALE = 0.16  # one torso length as a fraction of the picture height
LENGTHS = {
    "trunk": 1.0,
    "neck": 0.32,
    "thigh": 0.9,
    "shin": 0.85,
    "upper_arm": 0.6,
    "forearm": 0.55,
    "foot": 0.28,
}

STANDING: dict[str, float] = {
    "trunk": 90, "neck": 90, "thigh_l": -90, "thigh_r": -90, "shin_l": -90, "shin_r": -90,
    "foot_l": -5, "foot_r": -5, "upper_arm_l": -90, "upper_arm_r": -90, "forearm_l": -90, "forearm_r": -90,
    "hip_x": 0.0, "hip_y": 1.75,
}  # fmt: skip


def pose(base: Mapping[str, float], **changes: float) -> dict[str, float]:
    """A keyframe: `base` with some angles changed; `thigh=..` sets both sides (`thigh_l`, `thigh_r`)."""
    out = dict(base)
    for key, value in changes.items():
        if key in ("thigh", "shin", "foot", "upper_arm", "forearm"):
            out[f"{key}_l"] = out[f"{key}_r"] = value
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Move:
    """Go to `pose` over `seconds`, then stay there for `hold` seconds."""

    pose: Mapping[str, float]
    seconds: float
    hold: float = 0.0


def timeline(
    start: Mapping[str, float], moves: Iterable[Move], fps: float = 30.0, lead: float = 1.0
) -> list[dict[str, float]]:
    """One pose per frame: `lead` seconds still at `start`, then each move eased (cosine) in turn."""
    frames = [dict(start)] * round(lead * fps)
    current = dict(start)
    for move in moves:
        target = dict(move.pose)
        steps = max(1, round(move.seconds * fps))
        for i in range(1, steps + 1):
            w = (1 - math.cos(math.pi * i / steps)) / 2
            frames.append({k: current[k] + (target[k] - current[k]) * w for k in current})
        frames.extend([target] * round(move.hold * fps))
        current = target
    return frames


def _point(origin: np.ndarray, angle: float, length: float) -> np.ndarray:
    a = math.radians(angle)
    return origin + length * np.array([math.cos(a), math.sin(a)])


def side_joints(p: Mapping[str, float]) -> dict[str, np.ndarray]:
    """2-D joint positions (torso lengths, y up) of a side-view pose, person facing +x."""
    hip = np.array([p["hip_x"], p["hip_y"]])
    shoulder = _point(hip, p["trunk"], LENGTHS["trunk"])
    ear = _point(shoulder, p["neck"], LENGTHS["neck"])
    joints = {"hip": hip, "shoulder": shoulder, "ear": ear, "nose": _point(ear, p["neck"] - 60, 0.12)}
    for s in ("l", "r"):
        knee = _point(hip, p[f"thigh_{s}"], LENGTHS["thigh"])
        ankle = _point(knee, p[f"shin_{s}"], LENGTHS["shin"])
        toe = _point(ankle, p[f"foot_{s}"], LENGTHS["foot"])
        heel = _point(ankle, p[f"foot_{s}"] + 180, 0.08) + np.array([0.0, -0.05])
        elbow = _point(shoulder, p[f"upper_arm_{s}"], LENGTHS["upper_arm"])
        wrist = _point(elbow, p[f"forearm_{s}"], LENGTHS["forearm"])
        joints |= {f"knee_{s}": knee, f"ankle_{s}": ankle, f"toe_{s}": toe, f"heel_{s}": heel}
        joints |= {f"elbow_{s}": elbow, f"wrist_{s}": wrist}
    return joints


@dataclass
class Camera:
    """How the synthetic recording is filmed and spoilt."""

    near: str = "left"  # side view: the side towards the camera
    facing: str = "right"  # side view: which way the person faces in the picture
    noise: float = 0.0  # jitter, in torso lengths (standard deviation)
    drop_frames: list[tuple[float, float]] = field(default_factory=list)  # (start, end) s with nobody seen
    drop_joint_rate: float = 0.0  # chance per frame that one random joint is not seen
    mirrored: bool = False  # the frames were flipped left-right before pose estimation
    seed: int = 0


_BLAZE = {name: i for i, name in enumerate(BLAZEPOSE33)}
_SIDE_NAMES = {"shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "ear"}


def side_recording(
    poses: list[dict[str, float]], camera: Camera | None = None, fps: float = 30.0
) -> Recording:
    """BlazePose landmarks of side-view poses, filmed as `camera` says."""
    cam = camera or Camera()
    frames = np.zeros((len(poses), 33, 4), dtype=np.float32)
    far = "right" if cam.near == "left" else "left"
    for t, p in enumerate(poses):
        joints = side_joints(p)
        for name, landmark in _landmarks_for(joints):
            side = (
                "left" if landmark.startswith("left") else "right" if landmark.startswith("right") else None
            )
            xy = joints[name].copy()
            depth = -0.15 if side == cam.near else 0.15 if side == far else -0.1
            xy[0] += 0.03 if side == far else 0.0
            frames[t, _BLAZE[landmark]] = (*xy, depth, 0.95 if side != far else 0.55)
    return _finish(frames, cam, fps, flip_x=cam.facing == "left")


def _landmarks_for(joints: Mapping[str, np.ndarray]) -> Iterable[tuple[str, str]]:
    for landmark in BLAZEPOSE33:
        if landmark == "nose" or landmark.startswith(("mouth", "left_eye", "right_eye")):
            yield "nose", landmark
            continue
        side, _, part = landmark.partition("_")
        s = side[0]
        if part in ("ear", "shoulder", "hip"):
            yield part, landmark
        elif part in ("pinky", "index", "thumb"):
            yield f"wrist_{s}", landmark
        elif part == "foot_index":
            yield f"toe_{s}", landmark
        else:
            yield f"{part}_{s}", landmark


def front_recording(
    leans: Iterable[float],
    twists: Iterable[float],
    camera: Camera | None = None,
    fps: float = 30.0,
    *,
    hip_shifts: Iterable[float] | None = None,
    roll: float = 0.0,
) -> Recording:
    """A person facing the camera: per frame a sideways lean of the trunk (degrees, + to the person's
    left), a turn of the shoulders (degrees, + to the left) and a sideways shift of the hips (torso
    lengths, + to the left). `roll` turns the whole picture about the hips: 90 lays the person on
    their right side (left side up), as in a side plank filmed from the front."""
    cam = camera or Camera()
    leans, twists = list(leans), list(twists)
    shifts = list(hip_shifts) if hip_shifts is not None else [0.0] * len(leans)
    frames = np.zeros((len(leans), 33, 4), dtype=np.float32)
    for t, (lean, twist, shift) in enumerate(zip(leans, twists, shifts, strict=True)):
        # Facing the camera, the person's left is on the picture's right (+x); z grows away.
        hip_mid = np.array([shift, 1.75, 0.0])
        a = math.radians(lean)
        shoulder_mid = np.array([0.0, 1.75, 0.0]) + np.array([math.sin(a), math.cos(a), 0.0])
        turn = math.radians(twist)
        half = 0.36 * np.array([math.cos(turn) * math.cos(a), -math.cos(turn) * math.sin(a), math.sin(turn)])
        points = {
            "left_shoulder": shoulder_mid + half,
            "right_shoulder": shoulder_mid - half,
            "left_hip": hip_mid + np.array([0.22, 0.0, 0.0]),
            "right_hip": hip_mid - np.array([0.22, 0.0, 0.0]),
            "nose": shoulder_mid + np.array([math.sin(a) * 0.4, math.cos(a) * 0.4, -0.1]),
        }
        points["left_ear"] = points["nose"] + np.array([0.07, 0.03, 0.08])
        points["right_ear"] = points["nose"] + np.array([-0.07, 0.03, 0.08])
        for side, sign in (("left", 1), ("right", -1)):
            sh = points[f"{side}_shoulder"]
            points[f"{side}_elbow"] = sh + np.array([sign * 0.05, -0.6, 0.0])
            points[f"{side}_wrist"] = sh + np.array([sign * 0.05, -1.15, 0.0])
            foot = np.array([sign * 0.22, 0.0, 0.0])  # the legs stay where they stand
            points[f"{side}_knee"] = foot + np.array([0.0, 0.85, 0.0])
            points[f"{side}_ankle"] = foot + np.array([0.0, 0.0, 0.0])
            points[f"{side}_heel"] = foot + np.array([0.0, -0.05, 0.05])
            points[f"{side}_foot_index"] = foot + np.array([0.0, -0.07, -0.2])
        for landmark in BLAZEPOSE33:
            source = landmark
            if landmark.startswith(("mouth", "left_eye", "right_eye")):
                source = "nose"
            elif landmark.endswith(("pinky", "index", "thumb")):
                source = landmark.split("_")[0] + "_wrist"
            x, y, z = points[source]
            if roll:
                # Knees and shoulders stay put; only the hips shift, as when the hips sag in a plank.
                base = np.array([0.0, 1.75])
                r = math.radians(roll)
                dx, dy = x - base[0], y - base[1]
                x, y = (
                    base[0] + math.cos(r) * dx - math.sin(r) * dy,
                    base[1] + math.sin(r) * dx + math.cos(r) * dy,
                )
            frames[t, _BLAZE[landmark]] = (x, y, z, 0.95)
    return _finish(frames, cam, fps, flip_x=False)


def _finish(frames: np.ndarray, cam: Camera, fps: float, *, flip_x: bool) -> Recording:
    """Body units to normalised picture coordinates, then jitter, dropouts and mirroring."""
    rng = np.random.default_rng(cam.seed)
    out = frames.copy()
    if flip_x:
        out[..., 0] *= -1
    out[..., :3] += rng.normal(0.0, cam.noise, out[..., :3].shape) if cam.noise else 0.0
    x, y, z = out[..., 0], out[..., 1], out[..., 2]
    out[..., 0] = 0.5 + x * SCALE * HEIGHT / WIDTH
    out[..., 1] = 0.75 - y * SCALE
    out[..., 2] = z * SCALE * HEIGHT / WIDTH
    if cam.drop_joint_rate:
        lost = rng.random(out.shape[0]) < cam.drop_joint_rate
        for t in np.flatnonzero(lost):
            out[t, rng.integers(11, 29), 3] = 0.1
    for start, end in cam.drop_frames:
        out[round(start * fps) : round(end * fps)] = np.nan
    if cam.mirrored:
        out = _mirror_picture(out)
    return Recording(
        "blazepose33", fps, out.astype(np.float32), image_size=(WIDTH, HEIGHT), mirrored=cam.mirrored
    )


def _mirror_picture(frames: np.ndarray) -> np.ndarray:
    """What a pose estimator reports on a left-right flipped picture: x flipped and, since the body
    looks mirrored, left and right swapped."""
    swap = [
        _BLAZE[n.replace("left", "@").replace("right", "left").replace("@", "right")] for n in BLAZEPOSE33
    ]
    mirrored = frames[:, swap, :].copy()
    mirrored[..., 0] = 1.0 - mirrored[..., 0]
    return mirrored
