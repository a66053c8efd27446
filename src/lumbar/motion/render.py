"""Exercise figures as SVG: a still of the first or last keyframe, or a loop at the exercise's tempo.

The drawing is a list of flat shapes (paths and circles) in picture coordinates; `to_svg` writes them
and the contact-sheet script draws the same shapes with matplotlib for the PNG. The loop animates each
shape's geometry with SMIL `<animate>` between poses computed in advance (no script), and shows the
last keyframe still when the reader asks for reduced motion.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from xml.sax.saxutils import escape

import numpy as np

from lumbar.motion.figure import (
    BOTTOM_CAP,
    CHAINS,
    RADIUS,
    SEGMENTS,
    TOP_CAP,
    Body,
    Vec,
)
from lumbar.motion.illustration import Illustration
from lumbar.motion.scene import Camera, Scene, build_scene

if TYPE_CHECKING:
    from lumbar.domain.catalog import Exercise

Frame = Literal["start", "end", "animated"]
FRAMES: tuple[Frame, ...] = ("start", "end", "animated")

SCALE = 100.0  # picture units per body height
ASPECT = 4 / 3

# Style: a dark outline that prints well, light fills, the moving parts in the brand teal.
INK = "#1f2a30"
TEAL = "#0f766e"
FILL_NEAR = "#f7f9f9"
FILL_FAR = "#d5dde0"
HAIR = "#5b6b73"
MOVING_NEAR = "#9fd6cf"
MOVING_FAR = "#6eb3aa"
PROP_FILL = "#e4e9ec"
PROP_LINE = "#9aa6ac"
BAND = "#7d8a90"
FLOOR = "#8a979d"
GROUND = "#eef2f3"
WATER = "#dfeaf0"
WATER_LINE = "#7fa3b5"
OUTLINE = 1.25  # picture units
ARROW_WIDTH = 1.6


@dataclass(frozen=True)
class Shape:
    """A path (open or closed) or a circle, in picture coordinates (y down)."""

    points: Vec  # (n, 2); for a circle, one point: the centre
    fill: str | None
    stroke: str | None
    width: float
    closed: bool = False
    radius: float | None = None
    role: str = "figure"

    def is_circle(self) -> bool:
        return self.radius is not None


@dataclass(frozen=True)
class Drawing:
    view_box: tuple[float, float, float, float]
    shapes: list[Shape]


def _pic(camera: Camera, points: Vec) -> Vec:
    flat = camera.project_many(np.atleast_2d(points))
    return np.stack([flat[:, 0] * SCALE, -flat[:, 1] * SCALE], axis=-1)


# --- the figure ---


def _catmull_rom(points: Vec, per_span: int) -> tuple[Vec, Vec]:
    """Points along a smooth curve through `points`, and for each the fraction along its span."""
    padded = np.vstack([2 * points[0] - points[1], points, 2 * points[-1] - points[-2]])
    out, where = [], []
    for i in range(len(points) - 1):
        p0, p1, p2, p3 = padded[i : i + 4]
        for k in range(per_span):
            t = k / per_span
            out.append(
                0.5
                * (
                    2 * p1
                    + (-p0 + p2) * t
                    + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t * t
                    + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
                )
            )
            where.append(i + t)
    out.append(points[-1])
    where.append(len(points) - 1.0)
    return np.array(out), np.array(where)


def trunk_outline(body: Body, camera: Camera, per_span: int = 4, cap_steps: int = 6) -> Vec:
    """The trunk's silhouette: elliptical sections swept along a smooth spine, rounded at both ends."""
    sections = body.sections()
    spine3 = np.array([s.centre for s in sections])
    curve3, where = _catmull_rom(spine3, per_span)
    centre = _pic(camera, curve3)
    tangent = np.gradient(centre, axis=0)
    lengths = np.linalg.norm(tangent, axis=1, keepdims=True)
    tangent = np.where(lengths > 1e-6, tangent / np.maximum(lengths, 1e-9), np.array([[0.0, -1.0]]))
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=-1)
    widths = []
    for j, w in enumerate(where):
        i = min(int(w), len(sections) - 2)
        f = w - i
        a, b = sections[i], sections[i + 1]
        lateral = a.lateral * (1 - f) + b.lateral * f
        forward = a.forward * (1 - f) + b.forward * f
        half_w = a.half_width * (1 - f) + b.half_width * f
        half_d = a.half_depth * (1 - f) + b.half_depth * f
        lat2 = _pic(camera, lateral)[0] / SCALE
        fwd2 = _pic(camera, forward)[0] / SCALE
        n = normal[j]
        widths.append(math.hypot(half_w * float(lat2 @ n), half_d * float(fwd2 @ n)) * SCALE)
    width = np.array(widths)[:, None]
    left = centre + normal * width
    right = centre - normal * width
    down = _pic(camera, -body.frames["pelvis"][:, 1] * BOTTOM_CAP)[0]
    up = _pic(camera, body.frames["thorax"][:, 1] * TOP_CAP)[0]
    thetas = np.linspace(0, math.pi, cap_steps + 2)[1:-1]
    top = [centre[-1] + normal[-1] * width[-1] * math.cos(t) + up * math.sin(t) for t in thetas]
    bottom = [centre[0] - normal[0] * width[0] * math.cos(t) + down * math.sin(t) for t in thetas]
    return np.vstack([left, np.array(top), right[::-1], np.array(bottom)])


def _segment(body: Body, camera: Camera, name: str) -> Vec:
    start, end, _ = SEGMENTS[name]
    return _pic(camera, np.array([body.points[start], body.points[end]]))


def chain_order(scene: Scene) -> list[str]:
    """Chains from farthest to nearest (averaged over the keyframes), so near limbs overlap far ones.
    Legs get a small push back so that at equal depth the trunk covers the tops of the thighs."""
    depth = dict.fromkeys((*CHAINS, "trunk"), 0.0)
    for placed in scene.keyframes:
        body = placed.body
        for name, segments in CHAINS.items():
            pts = [body.points[p] for seg in segments for p in SEGMENTS[seg][:2]]
            bias = -0.03 if name.startswith("leg") else 0.0
            depth[name] += float(np.mean([scene.camera.depth(p) for p in pts])) + bias
        trunk = np.mean([s.centre for s in body.sections()], axis=0)
        depth["trunk"] += scene.camera.depth(trunk)
        depth["head"] += 0.001  # a tie goes to the head: it sits on top of the shoulders
    return sorted(depth, key=lambda k: depth[k])


def far_chains(scene: Scene) -> set[str]:
    """Chains clearly behind the trunk, side to side: drawn in a darker fill so the near side reads
    first. (Height is left out: from above, the parts nearest the floor are not 'far'.)"""
    toward = scene.camera.toward * np.array([1.0, 0.0, 1.0])
    norm = float(np.linalg.norm(toward))
    if norm < 1e-6:
        return set()
    toward = toward / norm
    far = set()
    for name, segments in CHAINS.items():
        if name == "head":
            continue
        depths = []
        for k in scene.keyframes:
            trunk = float(np.mean([s.centre for s in k.body.sections()], axis=0) @ toward)
            limb = float(
                np.mean([k.body.points[p] for s in segments for p in SEGMENTS[s][:2]], axis=0) @ toward
            )
            depths.append(limb - trunk)
        if float(np.mean(depths)) < -0.03:
            far.add(name)
    return far


_MOVES: dict[str, tuple[str, ...]] = {
    "trunk": ("lumbar", "thoracic", "pitch", "roll", "yaw"),
    "head": ("neck", "head"),
    "leg_l": ("hip_l", "hip_abd_l", "hip_rot_l", "knee_l"),
    "leg_r": ("hip_r", "hip_abd_r", "hip_rot_r", "knee_r"),
    "arm_l": ("shoulder_l", "shoulder_abd_l", "shoulder_rot_l", "elbow_l"),
    "arm_r": ("shoulder_r", "shoulder_abd_r", "shoulder_rot_r", "elbow_r"),
}


def moving_chains(scene: Scene) -> set[str]:
    """The parts to colour teal: named in the file, or those whose joints turn at least 12 degrees."""
    if scene.illustration.highlight is not None:
        return set(scene.illustration.highlight)
    moving = set()
    for chain, prefixes in _MOVES.items():
        for name in scene.keyframes[0].angles:
            if not any(name == p or name.startswith(p + "_") for p in prefixes):
                continue
            values = [k.angles[name] for k in scene.keyframes]
            if max(values) - min(values) >= 12:
                moving.add(chain)
    return moving


@dataclass(frozen=True)
class Look:
    order: list[str]
    far: set[str]
    moving: set[str]

    def fill(self, chain: str) -> str:
        far = chain in self.far
        if chain in self.moving:
            return MOVING_FAR if far else MOVING_NEAR
        return FILL_FAR if far else FILL_NEAR


def look_for(scene: Scene) -> Look:
    return Look(chain_order(scene), far_chains(scene), moving_chains(scene))


def figure_shapes(body: Body, camera: Camera, look: Look) -> list[Shape]:
    """The figure as shapes, in drawing order; the same count and kinds for every pose."""
    shapes: list[Shape] = []
    for chain in look.order:
        fill = look.fill(chain)
        if chain == "trunk":
            shapes.append(Shape(trunk_outline(body, camera), fill, INK, OUTLINE, closed=True))
        elif chain == "head":
            shapes += _head(body, camera, fill)
        else:
            segments = CHAINS[chain]
            for i, seg in enumerate(segments):
                r = RADIUS[SEGMENTS[seg][2]] * SCALE
                line = _segment(body, camera, seg)
                if i == 0 and fill == look.fill("trunk"):
                    # The outline starts a little way down the limb so that where it joins the trunk
                    # the limb's fill runs into the trunk without a seam.
                    along = line[1] - line[0]
                    length = float(np.linalg.norm(along))
                    if length > 1e-6:
                        line = np.array([line[0] + along * min(0.85 * r / length, 0.5), line[1]])
                shapes.append(Shape(line, None, INK, 2 * r + 2 * OUTLINE))
            for seg in segments:
                r = RADIUS[SEGMENTS[seg][2]] * SCALE
                shapes.append(Shape(_segment(body, camera, seg), None, fill, 2 * r))
    return shapes


def _head(body: Body, camera: Camera, fill: str) -> list[Shape]:
    neck = _segment(body, camera, "neck")
    r_neck = RADIUS["neck"] * SCALE
    r_head = RADIUS["head"] * SCALE
    centre = _pic(camera, body.points["head"])[0]
    nose = _pic(camera, body.points["nose"])[0]
    v = nose - centre
    perp = np.array([-v[1], v[0]])
    # The nose pokes out of the outline when the face is side-on and hides inside it when the face
    # turns to the viewer; drawn before the head so the head covers its root.
    tip = centre + v * (1 + 1.6 / r_head)
    nose_shape = np.array([centre + v * 0.75 + perp * 0.3, tip, centre + v * 0.75 - perp * 0.3])
    frame = body.frames["head"]
    shapes = [
        Shape(neck, None, INK, 2 * r_neck + 2 * OUTLINE),
        Shape(neck, None, fill, 2 * r_neck),
        Shape(nose_shape, fill, INK, OUTLINE * 0.9, closed=True),
        Shape(centre[None, :], fill, None, 0.0, radius=r_head),
        Shape(_hair(centre, v, r_head), HAIR, None, 0.0, closed=True),
        Shape(centre[None, :], None, INK, OUTLINE, radius=r_head),
    ]
    for side in (-1.0, 1.0):
        eye3 = body.points["head"] + frame @ np.array([0.046, 0.012, side * 0.024])
        facing = camera.depth(eye3) - camera.depth(body.points["head"])
        visible = facing > 0.012
        eye = _pic(camera, eye3)[0]
        shapes.append(Shape(eye[None, :], INK, None, 0.0, radius=0.8 if visible else 0.0))
    return shapes


def _hair(centre: Vec, face: Vec, radius: float, steps: int = 14) -> Vec:
    """Hair on the back and top of the head, away from the face: it tells at a glance which way the
    figure faces, lying down or standing. A segment of the head's disc cut off by a chord."""
    length = float(np.linalg.norm(face))
    side_on = min(1.0, length / radius)
    away = -face / length if length > 1e-9 else np.zeros(2)
    # Picture y points down: (0, -1) is the top of the head. Side-on, the hair is at the back and top.
    normal = away * side_on * 0.8 + np.array([0.0, -1.0]) * (1.0 - side_on * 0.6)
    normal /= float(np.linalg.norm(normal))
    middle = math.atan2(normal[1], normal[0])
    half = math.acos(0.3)  # the chord cuts off the back third of the head
    angles = np.linspace(middle - half, middle + half, steps)
    arc: Vec = centre + radius * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    return arc


# --- props, ground, arrow ---


def _hull(points: Vec) -> Vec:
    pts = sorted({(round(float(x), 4), round(float(y), 4)) for x, y in points})
    if len(pts) < 3:
        return np.array(pts)

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1])


def prop_shapes(scene: Scene) -> list[Shape]:
    """Props behind the figure, farthest first."""
    camera = scene.camera
    boxes = sorted(scene.props.boxes, key=lambda b: camera.depth((b.low + b.high) / 2))
    shapes = [
        Shape(_hull(_pic(camera, box.corners())), PROP_FILL, PROP_LINE, 1.0, closed=True, role=box.name)
        for box in boxes
    ]
    ball = scene.props.ball
    if ball is not None:
        centre = _pic(camera, ball.centre)[0]
        r = ball.radius * SCALE
        shapes.append(Shape(centre[None, :], PROP_FILL, PROP_LINE, 1.0, radius=r, role="ball"))
        arc = np.array(
            [centre + r * 0.72 * np.array([math.cos(t), -math.sin(t)]) for t in np.linspace(1.9, 2.9, 8)]
        )
        shapes.append(Shape(arc, None, "#ffffff", 2.0, role="ball-shine"))
    return shapes


def band_shapes(scene: Scene, body: Body) -> list[Shape]:
    """A resistance band from its anchor to the hands, or a strap from the hands to a foot."""
    ill = scene.illustration
    camera = scene.camera
    if scene.props.band_anchor is not None:
        hands = (
            body.points["hand_l"] + body.points["hand_r"] + body.points["wrist_l"] + body.points["wrist_r"]
        ) / 4
        line = _pic(camera, np.array([scene.props.band_anchor, hands]))
        return [Shape(line, None, BAND, 2.2, role="band")]
    if ill.strap_to is not None:
        loop = body.points[ill.strap_to]
        shapes = []
        for side in ("l", "r"):
            line = _pic(
                camera,
                np.array([body.points[f"wrist_{side}"] * 0.3 + body.points[f"hand_{side}"] * 0.7, loop]),
            )
            shapes.append(Shape(line, None, BAND, 1.8, role="strap"))
        return shapes
    return []


def _arrow_head(tip: Vec, direction: Vec, size: float) -> Vec:
    d = direction / max(float(np.linalg.norm(direction)), 1e-9)
    side = np.array([-d[1], d[0]])
    return np.array(
        [tip, tip - d * size + side * size * 0.55, tip - d * size * 0.7, tip - d * size - side * size * 0.55]
    )


def arrow_path(scene: Scene) -> Vec | None:
    """The arrow's line in picture coordinates (before heads are added), or None."""
    arrow = scene.illustration.arrow
    if arrow is None:
        return None
    camera = scene.camera
    if arrow.around is not None:
        centre = _pic(camera, scene.keyframes[0].body.points[arrow.around])[0]
        r = arrow.radius * SCALE
        angles = np.radians(np.linspace(arrow.start, arrow.start + arrow.sweep, 24))
        arc: Vec = np.stack(
            [centre[0] + r * np.cos(angles), centre[1] - r * arrow.squash * np.sin(angles)], axis=-1
        )
        return arc
    names = [k.name for k in scene.keyframes]
    first, last = arrow.between or (names[0], names[-1])
    a, b = names.index(first), names.index(last)
    step = 1 if b >= a else -1
    points = []
    for i in range(a, b, step):
        for s in np.linspace(0, 1, 12, endpoint=False):
            points.append(scene.between(i, i + step, float(s)).points[arrow.follows or ""])
    points.append(scene.keyframes[b].body.points[arrow.follows or ""])
    path = _pic(camera, np.array(points))
    middle = (path[0] + path[-1]) / 2
    path = middle + (path - middle) * arrow.scale
    if arrow.offset:
        tangent = np.gradient(path, axis=0)
        tangent /= np.maximum(np.linalg.norm(tangent, axis=1, keepdims=True), 1e-9)
        # Picture y points down, so (t_y, -t_x) is to the left of travel as the reader sees it.
        left = np.stack([tangent[:, 1], -tangent[:, 0]], axis=-1)
        path = path + left * arrow.offset * SCALE
    # Trim the ends so the arrow does not touch the limb it describes.
    total = np.cumsum(np.r_[0, np.linalg.norm(np.diff(path, axis=0), axis=1)])
    keep = (total >= total[-1] * 0.08) & (total <= total[-1] * 0.92)
    trimmed: Vec = path[keep] if keep.sum() >= 2 else path
    return trimmed


def arrow_shapes(scene: Scene) -> list[Shape]:
    path = arrow_path(scene)
    if path is None or len(path) < 2:
        return []
    size = 5.0
    line = path[:-1] if len(path) > 2 else path
    shapes = [
        Shape(line, None, "#ffffff", ARROW_WIDTH + 2.4, role="arrow-halo"),
        Shape(line, None, TEAL, ARROW_WIDTH, role="arrow"),
    ]
    shapes.append(
        Shape(_arrow_head(path[-1], path[-1] - path[-2], size), TEAL, TEAL, 0.8, closed=True, role="arrow")
    )
    arrow = scene.illustration.arrow
    if arrow is not None and arrow.both_ways:
        shapes.append(
            Shape(_arrow_head(path[0], path[0] - path[1], size), TEAL, TEAL, 0.8, closed=True, role="arrow")
        )
    return shapes


# --- composing a picture ---


def _bounds(shapes: Iterable[Shape]) -> tuple[float, float, float, float]:
    xs0, ys0, xs1, ys1 = [], [], [], []
    for s in shapes:
        if s.role in ("wall", "post", "ground"):
            continue
        pad = (s.radius or 0.0) + s.width / 2
        xs0.append(float(s.points[:, 0].min()) - pad)
        xs1.append(float(s.points[:, 0].max()) + pad)
        ys0.append(float(s.points[:, 1].min()) - pad)
        ys1.append(float(s.points[:, 1].max()) + pad)
    return min(xs0), min(ys0), max(xs1), max(ys1)


def view_box(scene: Scene, poses: Sequence[Body], look: Look) -> tuple[float, float, float, float]:
    """One frame for every pose of the loop (so stills and animation match), 4:3, with a margin."""
    shapes = [*prop_shapes(scene), *arrow_shapes(scene)]
    for body in poses:
        shapes += figure_shapes(body, scene.camera, look)
        shapes += band_shapes(scene, body)
    x0, y0, x1, y1 = _bounds(shapes)
    floor_y = _floor_y(scene)
    if floor_y is not None:
        y1 = max(y1, floor_y + 4.0)
    margin = 6.0
    x0, y0, x1, y1 = x0 - margin, y0 - margin, x1 + margin, y1 + margin
    width, height = x1 - x0, y1 - y0
    if width / height < ASPECT:
        grow = height * ASPECT - width
        x0, width = x0 - grow / 2, width + grow
    else:
        grow = width / ASPECT - height
        # Extra height goes mostly above the figure, so it stands on the floor near the bottom.
        keep_below = min(grow * 0.25, 8.0) if floor_y is not None else grow / 2
        y0, height = y0 - (grow - keep_below), height + grow
    return (round(x0, 1), round(y0, 1), round(width, 1), round(height, 1))


def _floor_y(scene: Scene) -> float | None:
    if scene.illustration.ground != "floor":
        return None
    tilt_back = np.array([0.0, scene.props.floor_line, -0.6 if scene.illustration.tilt else 0.0])
    return float(_pic(scene.camera, tilt_back)[0][1])


def ground_shapes(scene: Scene, box: tuple[float, float, float, float]) -> list[Shape]:
    x0, y0, w, h = box
    if scene.illustration.ground == "water":
        level = _water_level(scene)
        waves = np.array([[x, level + 1.2 * math.sin((x - x0) / 7.0)] for x in np.linspace(x0, x0 + w, 48)])
        body = np.vstack([waves, [[x0 + w, y0 + h], [x0, y0 + h]]])
        return [Shape(body, WATER, None, 0.0, closed=True, role="ground")]
    floor = _floor_y(scene)
    assert floor is not None
    area = np.array([[x0, floor], [x0 + w, floor], [x0 + w, y0 + h], [x0, y0 + h]])
    line = np.array([[x0, floor], [x0 + w, floor]])
    shapes = [Shape(area, GROUND, None, 0.0, closed=True, role="ground")]
    if not scene.illustration.tilt:
        # Seen from above, the floor is an area, not a line.
        shapes.append(Shape(line, None, FLOOR, 1.2, role="ground"))
    return shapes


def water_surface(scene: Scene, box: tuple[float, float, float, float]) -> list[Shape]:
    if scene.illustration.ground != "water":
        return []
    x0, _, w, _ = box
    level = _water_level(scene)
    waves = np.array([[x, level + 1.2 * math.sin((x - x0) / 7.0)] for x in np.linspace(x0, x0 + w, 48)])
    return [Shape(waves, None, WATER_LINE, 1.2, role="water")]


def _water_level(scene: Scene) -> float:
    # The water line runs along the swimmer's back.
    body = scene.keyframes[0].body
    return float(_pic(scene.camera, body.points["chest"])[0][1]) - 5.0


def still(scene: Scene, frame: Literal["start", "end"], look: Look | None = None) -> Drawing:
    """A still picture of the first (`start`) or last (`end`) keyframe."""
    look = look or look_for(scene)
    body = scene.keyframes[0 if frame == "start" else -1].body
    box = view_box(scene, _loop_poses(scene), look)
    shapes = [
        *ground_shapes(scene, box),
        *prop_shapes(scene),
        *_figure_with_band(scene, body, look),
        *water_surface(scene, box),
        *arrow_shapes(scene),
    ]
    return Drawing(box, shapes)


def _figure_with_band(scene: Scene, body: Body, look: Look) -> list[Shape]:
    # The band or strap runs between the trunk and the nearest limbs.
    figure = figure_shapes(body, scene.camera, look)
    extra = band_shapes(scene, body)
    if not extra:
        return figure
    return (
        figure[: len(figure) // 2] + extra + figure[len(figure) // 2 :]
        if scene.props.band_anchor is None
        else figure + extra
    )


def _steps(scene: Scene, a: int, b: int) -> int:
    """Enough samples that no bone turns more than about 9 degrees from one to the next, measured
    along the way (a bone's turn adds up every joint above it, and in 3-D it need not be monotonic)."""
    fine = [scene.between(a, b, k / 24) for k in range(25)]
    turned = np.zeros(len(fine[0].capsules()))
    for before, after in itertools.pairwise(fine):
        for i, (cap_a, cap_b) in enumerate(zip(before.capsules(), after.capsules(), strict=True)):
            u, v = cap_a.b - cap_a.a, cap_b.b - cap_b.a
            norms = float(np.linalg.norm(u) * np.linalg.norm(v))
            if norms > 1e-12:
                turned[i] += math.degrees(math.acos(max(-1.0, min(1.0, float(u @ v) / norms))))
    return max(3, min(40, math.ceil(float(turned.max()) / 9.0)))


def loop_samples(scene: Scene) -> list[tuple[float, Body]]:
    """(time, pose) pairs for one cycle, close enough together that straight-line motion between them
    looks like turning joints; the first pose is repeated at the end of the cycle."""
    tempo = scene.illustration.tempo
    samples: list[tuple[float, Body]] = [(0.0, scene.keyframes[0].body)]
    for start, seconds, a, b in scene.segments():
        n = _steps(scene, a, b)
        for k in range(n + 1):
            # Even steps along the movement, at the times the eased (slow out, slow in) curve reaches
            # them: the steps are equal, the time between them is not.
            s = k / n
            samples.append((start + seconds * math.acos(1 - 2 * s) / math.pi, scene.between(a, b, s)))
    samples.append((tempo.cycle_seconds, scene.keyframes[0].body))
    out: list[tuple[float, Body]] = []
    for t, body in samples:
        if out and abs(out[-1][0] - t) < 1e-9:
            out[-1] = (t, body)
        else:
            out.append((t, body))
    return out


def _loop_poses(scene: Scene) -> list[Body]:
    return [body for _, body in loop_samples(scene)]


# --- SVG ---


def _fmt(v: float) -> str:
    text = f"{v:.1f}"
    return "0" if text in ("-0.0", "0.0") else text.removesuffix(".0")


def _d(shape: Shape) -> str:
    pts = shape.points
    head = f"M{_fmt(pts[0, 0])} {_fmt(pts[0, 1])}"
    rest = "".join(f"L{_fmt(x)} {_fmt(y)}" for x, y in pts[1:])
    return head + rest + ("Z" if shape.closed else "")


def _paint(shape: Shape) -> str:
    parts = [f'fill="{shape.fill}"' if shape.fill else 'fill="none"']
    if shape.stroke:
        parts.append(
            f'stroke="{shape.stroke}" stroke-width="{_fmt(shape.width) if shape.width >= 0.1 else shape.width}"'
        )
    return " ".join(parts)


def _element(shape: Shape, animation: str = "") -> str:
    if shape.is_circle():
        cx, cy = shape.points[0]
        return f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(shape.radius or 0.0)}" {_paint(shape)}' + (
            f">{animation}</circle>" if animation else "/>"
        )
    return f'<path d="{_d(shape)}" {_paint(shape)}' + (f">{animation}</path>" if animation else "/>")


def _group(shapes: Iterable[Shape], css_class: str | None = None) -> str:
    attrs = f' class="{css_class}"' if css_class else ""
    return f"<g{attrs}>" + "".join(_element(s) for s in shapes) + "</g>"


def _animated(frames: Sequence[Sequence[Shape]], key_times: str, seconds: float) -> str:
    out = []
    timing = f'dur="{seconds:g}s" repeatCount="indefinite" calcMode="linear" keyTimes="{key_times}"'
    for shape_frames in zip(*frames, strict=True):
        first = shape_frames[0]
        if first.is_circle():
            xs = [_fmt(s.points[0, 0]) for s in shape_frames]
            ys = [_fmt(s.points[0, 1]) for s in shape_frames]
            rs = [_fmt(s.radius or 0.0) for s in shape_frames]
            anim = ""
            for attr, values in (("cx", xs), ("cy", ys), ("r", rs)):
                if len(set(values)) > 1:
                    anim += f'<animate attributeName="{attr}" values="{";".join(values)}" {timing}/>'
            out.append(_element(first, anim))
        else:
            ds = [_d(s) for s in shape_frames]
            anim = (
                f'<animate attributeName="d" values="{";".join(ds)}" {timing}/>' if len(set(ds)) > 1 else ""
            )
            out.append(_element(first, anim))
    return "".join(out)


def _svg_open(uid: str, box: tuple[float, float, float, float], title: str, desc: str) -> str:
    x0, y0, w, h = box
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{uid}" class="lumbar-figure" '
        f'viewBox="{_fmt(x0)} {_fmt(y0)} {_fmt(w)} {_fmt(h)}" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" stroke-linecap="round" stroke-linejoin="round">'
        f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{escape(desc)}</desc>'
    )


def to_svg(drawing: Drawing, uid: str, title: str, desc: str) -> str:
    """A still drawing as a self-contained SVG element."""
    return _svg_open(uid, drawing.view_box, title, desc) + _group(drawing.shapes) + "</svg>"


def animated_svg(scene: Scene, uid: str, title: str, desc: str) -> str:
    """The loop: every figure shape animated through precomputed poses; the last keyframe still for
    readers who prefer reduced motion."""
    look = look_for(scene)
    samples = loop_samples(scene)
    poses = [body for _, body in samples]
    box = view_box(scene, poses, look)
    cycle = scene.illustration.tempo.cycle_seconds
    key_times = ";".join(f"{t / cycle:.4f}".rstrip("0").rstrip(".") or "0" for t, _ in samples)
    frames = [_figure_with_band(scene, body, look) for body in poses]
    style = (
        f"<style>#{uid} .lf-still{{display:none}}"
        f"@media (prefers-reduced-motion: reduce){{#{uid} .lf-moving{{display:none}}#{uid} .lf-still{{display:inline}}}}"
        "</style>"
    )
    return (
        _svg_open(uid, box, title, desc)
        + style
        + _group([*ground_shapes(scene, box), *prop_shapes(scene)])
        + f'<g class="lf-moving">{_animated(frames, key_times, cycle)}</g>'
        + _group(_figure_with_band(scene, scene.keyframes[-1].body, look), "lf-still")
        + _group([*water_surface(scene, box), *arrow_shapes(scene)])
        + "</svg>"
    )


# --- the public entry points ---

_scenes: dict[str, Scene] = {}
_ids = itertools.count(1)


def scene_for(illustration: Illustration) -> Scene:
    """Scenes are solved once per process: the solver is the slow part."""
    key = illustration.model_dump_json()
    if key not in _scenes:
        if len(_scenes) > 256:
            _scenes.clear()
        _scenes[key] = build_scene(illustration)
    return _scenes[key]


def illustration_of(exercise: Exercise) -> Illustration:
    if exercise.motion is None or exercise.motion.illustration is None:
        raise ValueError(f"exercise {exercise.id!r} has no [motion.illustration] section")
    return exercise.motion.illustration


def svg_title(exercise: Exercise, frame: Frame) -> str:
    if frame == "animated":
        return f"{exercise.name}: how to do it (animation)"
    return f"{exercise.name}: {'starting' if frame == 'start' else 'end'} position"


def exercise_svg(exercise: Exercise, frame: Frame, *, uid: str | None = None) -> str:
    """A self-contained, accessible inline SVG of the exercise: `start` or `end` still, or `animated`.

    Each call gets its own element ids (pass `uid` for a fixed one), so several figures can share a
    page; there is no fixed width, so CSS sizes it from the viewBox.
    """
    ill = illustration_of(exercise)
    scene = scene_for(ill)
    uid = uid or f"lf-{exercise.id}-{next(_ids)}"
    title = svg_title(exercise, frame)
    if frame == "animated":
        return animated_svg(scene, uid, title, ill.description)
    return to_svg(still(scene, frame), uid, title, ill.description)


def drawing_for(exercise: Exercise, frame: Literal["start", "end"]) -> Drawing:
    """The shapes of a still, for other back ends (the contact sheet's PNG)."""
    return still(scene_for(illustration_of(exercise)), frame)
