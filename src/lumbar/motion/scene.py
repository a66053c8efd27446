"""An illustration made concrete: keyframes placed on their supports, props built around them, a camera
and a timeline. The renderer draws a scene; the synthetic landmark generator samples one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from lumbar.motion.figure import (
    SHORTHAND_ANGLES,
    Ball,
    Body,
    Plane,
    Surface,
    Vec,
    expand_angles,
    gap,
    grip_gap,
    limit_for,
    lowest_point,
    pose_body,
    rot_y,
)
from lumbar.motion.illustration import Illustration, Keyframe

UP = np.array([0.0, 1.0, 0.0])
MAT_THICKNESS = 0.012
BALL_RADIUS = 0.16  # a 55 cm ball for a person of about 1.70 m
WATER_LEVEL = 0.0
CONTACT_TOLERANCE = 0.004  # about 7 mm for a person of 1.70 m
_REGULARISE = 1e-4  # how strongly the solver keeps free angles near the file's values (per degree)


@dataclass(frozen=True)
class Camera:
    """An orthographic camera: `right` and `up` span the picture, `toward` points at the viewer."""

    right: Vec
    up: Vec
    toward: Vec

    def project(self, p: Vec) -> tuple[float, float]:
        return float(p @ self.right), float(p @ self.up)

    def project_many(self, points: Vec) -> Vec:
        return np.stack([points @ self.right, points @ self.up], axis=-1)

    def depth(self, p: Vec) -> float:
        return float(p @ self.toward)


def camera_for(view: str, turn: float = 0.0, tilt: float = 0.0) -> Camera:
    """Side view looks at the figure's right side (it faces right); front view looks at its face."""
    if view == "side":
        right, toward = np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])
    else:
        right, toward = np.array([0.0, 0.0, -1.0]), np.array([1.0, 0.0, 0.0])
    spin = rot_y(turn)
    right, toward = spin @ right, spin @ toward
    t = math.radians(tilt)
    up = UP * math.cos(t) - toward * math.sin(t)
    toward = toward * math.cos(t) + UP * math.sin(t)
    return Camera(right, up, toward)


@dataclass(frozen=True)
class Box:
    """An axis-aligned box prop (chair parts, step, wall, mat, band post)."""

    name: str
    low: Vec
    high: Vec

    def corners(self) -> Vec:
        xs, ys, zs = zip(self.low, self.high, strict=True)
        return np.array([[x, y, z] for x in xs for y in ys for z in zs])


@dataclass(frozen=True)
class Props:
    surfaces: dict[str, Surface]
    boxes: list[Box] = field(default_factory=list)
    ball: Ball | None = None
    band_anchor: Vec | None = None
    floor_line: float = 0.0  # height of the drawn floor (below a mat)


@dataclass(frozen=True)
class Placed:
    """A keyframe solved: its full angles, where the figure sits, and the posed body."""

    name: str
    angles: dict[str, float]
    offset: Vec
    body: Body
    rest: Mapping[str, Sequence[str]]
    grip: Mapping[str, str]


def _body(angles: Mapping[str, float], offset: Vec) -> Body:
    return pose_body(angles).translated(offset)


def across_of(camera: Camera) -> Vec:
    """The horizontal direction across the picture: figures are anchored and slide along it."""
    flat = np.array([camera.right[0], 0.0, camera.right[2]])
    return flat / float(np.linalg.norm(flat))


def _solve(
    keyframe: Keyframe,
    angles: dict[str, float],
    anchor: str,
    across: Vec,
    anchor_x: float,
    surfaces: Mapping[str, Surface],
) -> tuple[dict[str, float], Vec]:
    """Least squares (Levenberg-Marquardt): height, and any free angles or sideways slide, chosen so
    that every resting part touches its support while free angles stay near the file's values."""
    contacts = [(part, surfaces[s]) for s, parts in keyframe.rest.items() if s in surfaces for part in parts]
    free_angles = [n for n in keyframe.free if n != "x"]
    slide = "x" in keyframe.free
    fixed_height = keyframe.at is not None
    target = (keyframe.at[0], keyframe.at[1]) if keyframe.at is not None else (anchor_x, 0.0)

    def place(trial: dict[str, float], lift: float, shift: float) -> Body:
        body = pose_body(trial)
        point = body.points[anchor]
        offset = across * (target[0] + shift - float(point @ across)) + UP * (
            target[1] - float(point[1]) + lift
        )
        return body.translated(offset)

    start = place(angles, 0.0, 0.0)
    base_lift = 0.0 if fixed_height else -lowest_point(start)
    if not contacts and not keyframe.grip:
        return angles, _offset_of(start.translated(UP * base_lift), angles)

    def unpack(v: Vec) -> tuple[dict[str, float], Body]:
        trial = dict(angles)
        for i, name in enumerate(free_angles):
            for full in _full_names(name):
                # Free angles stay within what the joint can do.
                low, high = limit_for(full) or (-180.0, 180.0)
                trial[full] = min(high, max(low, float(v[2 + i])))
        return trial, place(trial, base_lift + float(v[0]), float(v[1]))

    def residuals(v: Vec) -> Vec:
        trial, body = unpack(v)
        res = [gap(body, part, surface) for part, surface in contacts]
        res += [grip_gap(body, part, target) for part, target in keyframe.grip.items()]
        res += [_REGULARISE * (trial[_full_names(n)[0]] - angles[_full_names(n)[0]]) for n in free_angles]
        return np.array(res)

    v = np.array([0.0, 0.0, *(angles[_full_names(n)[0]] for n in free_angles)])
    active = [i for i in range(len(v)) if (i == 0 and not fixed_height) or (i == 1 and slide) or i >= 2]
    v = _least_squares(residuals, v, active)
    trial, body = unpack(v)
    return trial, _offset_of(body, trial)


def _least_squares(residuals: Callable[[Vec], Vec], v: Vec, active: list[int]) -> Vec:
    """Levenberg-Marquardt with a numerical Jacobian over the `active` entries of v. Small and
    dependency-free: a keyframe has a handful of unknowns and a dozen contacts at most."""
    damping = 1e-3
    r = residuals(v)
    for _ in range(80):
        cost = float(r @ r)
        if cost < 1e-9:
            break
        jac = np.zeros((len(r), len(active)))
        for j, i in enumerate(active):
            step = 1e-5 if i < 2 else 1e-3
            dv = v.copy()
            dv[i] += step
            jac[:, j] = (residuals(dv) - r) / step
        lhs = jac.T @ jac
        lhs += damping * np.diag(np.diag(lhs) + 1e-9)
        delta = np.linalg.solve(lhs, -jac.T @ r)
        trial_v = v.copy()
        trial_v[active] += delta
        trial_r = residuals(trial_v)
        trial_cost = float(trial_r @ trial_r)
        if trial_cost < cost:
            v, r = trial_v, trial_r
            damping = max(damping / 3, 1e-9)
            if cost - trial_cost < 1e-4 * cost:
                break  # no longer improving: the contacts conflict; the tests say which
        else:
            damping *= 4
            if damping > 1e8:
                break
    return v


def _offset_of(body: Body, angles: Mapping[str, float]) -> Vec:
    """The figure's translation: forward kinematics puts the mid-hip point at the origin."""
    del angles
    return body.points["pelvis"].copy()


def _full_names(name: str) -> tuple[str, ...]:
    """A both-sides shorthand (`hip`) frees the left and right angles together."""
    return (f"{name}_l", f"{name}_r") if name in SHORTHAND_ANGLES else (name,)


def _place(
    keyframe: Keyframe, ill: Illustration, across: Vec, anchor_x: float, surfaces: Mapping[str, Surface]
) -> Placed:
    angles = expand_angles(keyframe.angles)
    anchor = keyframe.anchor or ill.anchor
    solved, offset = _solve(keyframe, angles, anchor, across, anchor_x, surfaces)
    rest: dict[str, list[str]] = {str(support): parts for support, parts in keyframe.rest.items()}
    return Placed(keyframe.name, solved, offset, _body(solved, offset), rest, keyframe.grip)


def _forward_sign(body: Body) -> float:
    return 1.0 if body.frames["pelvis"][0, 0] >= 0 else -1.0


def _lowest_of(body: Body, parts: Sequence[str]) -> float:
    floor = Plane(UP, 0.0)
    return min(gap(body, part, floor) for part in parts)


def _build_props(ill: Illustration, placed: Sequence[Placed]) -> Props:
    surfaces: dict[str, Surface] = {}
    boxes: list[Box] = []
    ball: Ball | None = None
    if ill.ground == "floor":
        surfaces["floor"] = Plane(UP, 0.0)
    for support in ("chair", "step", "wall", "ball"):
        first = next((p for p in placed if support in p.rest), None)
        if first is None:
            continue
        parts = first.rest[support]
        body = first.body
        centre = np.mean([body.points.get(p, _part_centre(body, p)) for p in parts], axis=0)
        if support == "chair":
            seat = _lowest_of(body, parts)
            surfaces["chair"] = Plane(UP, seat)
            boxes += _chair(seat, float(body.points["pelvis"][0]), _forward_sign(body))
        elif support == "step":
            top = _lowest_of(body, parts)
            surfaces["step"] = Plane(UP, top)
            boxes.append(
                Box("step", np.array([centre[0] - 0.11, 0.0, -0.2]), np.array([centre[0] + 0.11, top, 0.2]))
            )
        elif support == "wall":
            sign = _forward_sign(body)
            normal = np.array([sign, 0.0, 0.0])
            # The wall is behind the figure, touching the rearmost resting part.
            back = min(gap(body, p, Plane(normal, 0.0)) for p in parts)
            surfaces["wall"] = Plane(normal, back)
            x = sign * back
            boxes.append(
                Box(
                    "wall",
                    np.array([min(x, x - sign * 0.06), 0.0, -0.6]),
                    np.array([max(x, x - sign * 0.06), 1.25, 0.6]),
                )
            )
        else:
            ball = Ball(np.array([centre[0], BALL_RADIUS, 0.0]), BALL_RADIUS)
            surfaces["ball"] = ball
    band = np.array(ill.band_anchor) if ill.band_anchor is not None else None
    if band is not None:
        boxes.append(
            Box(
                "post",
                np.array([band[0] - 0.02, 0.0, band[2] - 0.02]),
                np.array([band[0] + 0.02, band[1] + 0.12, band[2] + 0.02]),
            )
        )
    floor_line = 0.0
    if "mat" in ill.props:
        floor_line = -MAT_THICKNESS
    return Props(surfaces, boxes, ball, band, floor_line)


def _part_centre(body: Body, part: str) -> Vec:
    if part in body.points:
        return body.points[part]
    if part in ("shoulders",):
        return body.points["neck_base"]
    cap = body.capsule(part)
    return (cap.a + cap.b) / 2


def _chair(seat: float, pelvis_x: float, sign: float) -> list[Box]:
    back, front = pelvis_x - sign * 0.10, pelvis_x + sign * 0.17
    x0, x1 = min(back, front), max(back, front)
    thick, leg = 0.025, 0.018
    boxes = [Box("chair-seat", np.array([x0, seat - thick, -0.13]), np.array([x1, seat, 0.13]))]
    for x in (x0, x1 - leg):
        for z in (-0.125, 0.125 - leg):
            boxes.append(Box("chair-leg", np.array([x, 0.0, z]), np.array([x + leg, seat - thick, z + leg])))
    bx0 = back - sign * 0.022
    boxes.append(
        Box(
            "chair-back",
            np.array([min(back, bx0), seat, -0.12]),
            np.array([max(back, bx0), seat + 0.30, 0.12]),
        )
    )
    return boxes


@dataclass(frozen=True)
class Scene:
    illustration: Illustration
    camera: Camera
    keyframes: list[Placed]
    props: Props

    def keyframe(self, name: str) -> Placed:
        return next(k for k in self.keyframes if k.name == name)

    # --- timeline ---

    def moves(self) -> list[tuple[int, int, float]]:
        """(from keyframe, to keyframe, seconds) for each move of one cycle, in order; the hold comes
        after the first move that ends in the last keyframe."""
        tempo = self.illustration.tempo
        n = len(self.keyframes)
        # Out through every keyframe, then straight back to the first or back the same way.
        path = [*range(n), *range(n - 2, -1, -1)] if tempo.retrace else [*range(n), 0]
        return [
            (a, b, seconds) for (a, b), seconds in zip(itertools.pairwise(path), tempo.phases, strict=True)
        ]

    def segments(self) -> list[tuple[float, float, int, int]]:
        """(start time, duration, from keyframe, to keyframe) for each move of one cycle."""
        tempo = self.illustration.tempo
        last = len(self.keyframes) - 1
        t = tempo.rest
        out = []
        held = False
        for a, b, seconds in self.moves():
            if a == last and not held:
                t += tempo.hold
                held = True
            out.append((t, seconds, a, b))
            t += seconds
        return out

    def between(self, a: int, b: int, s: float) -> Body:
        """The figure a fraction `s` (0..1, eased) of the way from keyframe a to keyframe b."""
        ka, kb = self.keyframes[a], self.keyframes[b]
        if s <= 0:
            return ka.body
        if s >= 1:
            return kb.body
        angles = {n: ka.angles[n] + turn_between(ka.angles[n], kb.angles[n]) * s for n in ka.angles}
        offset = ka.offset + (kb.offset - ka.offset) * s
        body = _body(angles, offset)
        # Parts resting in both keyframes stay on their support on the way.
        shared = [
            (part, self.props.surfaces[support])
            for support, parts in ka.rest.items()
            if support in kb.rest and support in self.props.surfaces
            for part in parts
            if part in kb.rest[support]
        ]
        vertical = [gap(body, p, srf) for p, srf in shared if isinstance(srf, Plane) and srf.normal[1] > 0.5]
        if vertical:
            body = body.translated(UP * -float(np.mean(vertical)))
        if "floor" in self.props.surfaces:
            low = lowest_point(body)
            if low < 0:
                body = body.translated(UP * -low)
        return body

    def at_time(self, t: float) -> Body:
        """The figure at time t (seconds) of the looping animation."""
        cycle = self.illustration.tempo.cycle_seconds
        t = t % cycle
        for start, seconds, a, b in self.segments():
            if start <= t < start + seconds:
                return self.between(a, b, ease((t - start) / seconds))
        # Still: resting in the first keyframe before the first move, else holding in the last.
        return self.keyframes[0].body if t < self.illustration.tempo.rest else self.keyframes[-1].body


def turn_between(a: float, b: float) -> float:
    """The change from angle a to angle b the short way round (a swimmer's arm keeps circling)."""
    return (b - a + 180.0) % 360.0 - 180.0


def ease(s: float) -> float:
    """Slow out, slow in: a movement done with control."""
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, s)))


def build_scene(ill: Illustration) -> Scene:
    """Solve every keyframe against the floor, build the props from the first keyframe that uses each,
    then solve again with every support in place."""
    camera = camera_for(ill.view, ill.turn, ill.tilt)
    across = across_of(camera)
    first = _place(ill.keyframes[0], ill, across, 0.0, {})
    anchor_x = float(first.body.points[ill.keyframes[0].anchor or ill.anchor] @ across)
    floor: dict[str, Surface] = {"floor": Plane(UP, 0.0)} if ill.ground == "floor" else {}
    rough = [_place(k, ill, across, anchor_x, floor) for k in ill.keyframes]
    props = _build_props(ill, rough)
    if set(props.surfaces) == set(floor):
        placed = rough
    else:
        placed = [_place(k, ill, across, anchor_x, props.surfaces) for k in ill.keyframes]
    if "mat" in ill.props:
        props = _with_mat(props, placed)
    return Scene(ill, camera, placed, props)


def _with_mat(props: Props, placed: Sequence[Placed]) -> Props:
    """A mat under everything that lies on the floor in any keyframe, whichever way the body lies."""
    points = np.array(
        [p for k in placed for c in k.body.capsules() for p in (c.a, c.b)]
        + [s.centre for k in placed for s in k.body.sections()]
    )
    low, high = points.min(axis=0) - 0.06, points.max(axis=0) + 0.06
    for axis in (0, 2):
        middle = (low[axis] + high[axis]) / 2
        half = max((high[axis] - low[axis]) / 2, 0.17)
        low[axis], high[axis] = middle - half, middle + half
    mat = Box("mat", np.array([low[0], -MAT_THICKNESS, low[2]]), np.array([high[0], 0.0, high[2]]))
    return Props(props.surfaces, [mat, *props.boxes], props.ball, props.band_anchor, props.floor_line)


def contact_gaps(scene: Scene, placed: Placed) -> dict[tuple[str, str], float]:
    """How far each resting part of a keyframe is from its support (0 = touching)."""
    return {
        (support, part): gap(placed.body, part, scene.props.surfaces[support])
        for support, parts in placed.rest.items()
        for part in parts
    }
