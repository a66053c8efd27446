"""Every exercise draws as valid, accessible, self-contained SVG, and its animation passes through
exactly the keyframes its file describes, at the file's tempo."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from functools import cache

import numpy as np
import pytest

from lumbar.domain.catalog import Exercise, default_catalog
from lumbar.motion import render
from lumbar.motion.render import FRAMES, exercise_svg, loop_samples, scene_for

SVG = "{http://www.w3.org/2000/svg}"
CATALOG = default_catalog()
EXERCISES = [e for e in CATALOG if e.motion is not None and e.motion.illustration is not None]
IDS = [e.id for e in EXERCISES]


@cache
def svg_of(exercise_id: str, frame: str) -> str:
    return exercise_svg(CATALOG.exercise(exercise_id), frame, uid=f"t-{exercise_id}-{frame}")  # type: ignore[arg-type]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.parametrize("exercise_id", IDS)
def test_every_exercise_and_frame_is_well_formed_accessible_svg(exercise_id: str, frame: str) -> None:
    root = parse(svg_of(exercise_id, frame))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert (title.text or "").startswith(CATALOG.exercise(exercise_id).name)
    assert len((desc.text or "").split()) >= 8
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    # Sized by CSS from its viewBox: no fixed width or height.
    assert root.get("width") is None
    assert root.get("height") is None
    x0, y0, width, height = map(float, (root.get("viewBox") or "").split())
    assert width > 0
    assert height > 0


@pytest.mark.parametrize("exercise_id", IDS)
def test_no_script_and_nothing_fetched_from_elsewhere(exercise_id: str) -> None:
    for frame in FRAMES:
        svg = svg_of(exercise_id, frame)
        root = parse(svg)
        assert root.find(f".//{SVG}script") is None
        for element in root.iter():
            assert not [name for name in element.attrib if name.lower().startswith("on")]
            assert "href" not in " ".join(element.attrib)
        assert "javascript" not in svg.lower()


def test_two_figures_on_one_page_never_share_an_id() -> None:
    exercise = CATALOG.exercise("bird-dog")
    first, second = exercise_svg(exercise, "animated"), exercise_svg(exercise, "animated")
    ids_first = {e.get("id") for e in parse(first).iter() if e.get("id")}
    ids_second = {e.get("id") for e in parse(second).iter() if e.get("id")}
    assert ids_first
    assert not ids_first & ids_second
    # Styles are scoped to their own figure.
    uid = parse(first).get("id")
    for rule in re.findall(r"([^{}]+)\{", parse(first).findtext(f".//{SVG}style") or ""):
        if not rule.strip().startswith("@media"):
            assert rule.strip().startswith(f"#{uid} ")


def test_a_whole_library_page_of_figures_has_unique_ids() -> None:
    page = [exercise_svg(e, frame) for e in EXERCISES for frame in FRAMES]
    ids = [el.get("id") for svg in page for el in parse(svg).iter() if el.get("id")]
    assert len(ids) == len(set(ids))


def moving_elements(exercise_id: str) -> tuple[ET.Element, list[ET.Element], list[float], float]:
    root = parse(svg_of(exercise_id, "animated"))
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "lf-moving")
    elements = list(group)
    animate = next(a for a in group.iter(f"{SVG}animate"))
    key_times = [float(t) for t in (animate.get("keyTimes") or "").split(";")]
    seconds = float((animate.get("dur") or "0s").removesuffix("s"))
    return root, elements, key_times, seconds


def frame_values(element: ET.Element, count: int) -> list[str]:
    """An element's geometry at each key time ('d' for a path, 'cx cy r' for a circle)."""
    animations = {
        a.get("attributeName"): (a.get("values") or "").split(";") for a in element.iter(f"{SVG}animate")
    }
    if element.tag == f"{SVG}path":
        return animations.get("d", [element.get("d") or ""] * count)
    return [
        " ".join(animations.get(attr, [element.get(attr) or ""] * count)[i] for attr in ("cx", "cy", "r"))
        for i in range(count)
    ]


def expected_values(exercise: Exercise, keyframe_index: int) -> list[str]:
    """What the figure looks like in a keyframe, drawn on its own."""
    assert exercise.motion is not None
    assert exercise.motion.illustration is not None
    scene = scene_for(exercise.motion.illustration)
    look = render.look_for(scene)
    shapes = render._figure_with_band(scene, scene.keyframes[keyframe_index].body, look)
    out = []
    for shape in shapes:
        if shape.is_circle():
            cx, cy = shape.points[0]
            out.append(" ".join(render._fmt(v) for v in (cx, cy, shape.radius or 0.0)))
        else:
            out.append(render._d(shape))
    return out


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_the_animation_passes_through_every_keyframe_of_the_file_at_its_tempo(exercise: Exercise) -> None:
    assert exercise.motion is not None
    ill = exercise.motion.illustration
    assert ill is not None
    _, elements, key_times, seconds = moving_elements(exercise.id)
    assert seconds == pytest.approx(ill.tempo.cycle_seconds)
    assert key_times[0] == 0
    assert key_times[-1] == 1
    assert key_times == sorted(key_times)
    # When each keyframe is reached: after the rest, then after each move out (the hold comes next).
    reached = [0.0]
    t = ill.tempo.rest
    for seconds_of_move in ill.tempo.phases[: len(ill.keyframes) - 1]:
        t += seconds_of_move
        reached.append(t)
    for index, time in enumerate(reached):
        position = min(
            range(len(key_times)), key=lambda i: abs(key_times[i] - time / ill.tempo.cycle_seconds)
        )
        assert key_times[position] == pytest.approx(time / ill.tempo.cycle_seconds, abs=1e-4)
        drawn = [frame_values(element, len(key_times))[position] for element in elements]
        assert drawn == expected_values(exercise, index), ill.keyframes[index].name
    # The loop closes on the first keyframe.
    assert [frame_values(e, len(key_times))[-1] for e in elements] == expected_values(exercise, 0)


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_the_still_shown_for_reduced_motion_is_the_last_keyframe(exercise: Exercise) -> None:
    root = parse(svg_of(exercise.id, "animated"))
    still = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "lf-still")
    last = len(exercise.motion.illustration.keyframes) - 1  # type: ignore[union-attr]
    drawn = []
    for element in still:
        if element.tag == f"{SVG}path":
            drawn.append(element.get("d"))
        else:
            drawn.append(" ".join(element.get(a) or "" for a in ("cx", "cy", "r")))
    assert drawn == expected_values(exercise, last)
    style = root.findtext(f".//{SVG}style") or ""
    uid = root.get("id")
    assert (
        f"@media (prefers-reduced-motion: reduce){{#{uid} .lf-moving{{display:none}}#{uid} .lf-still{{display:inline}}}}"
        in style
    )


def test_the_stills_show_the_first_and_the_last_keyframe() -> None:
    exercise = CATALOG.exercise("cat-cow")
    start, end = svg_of("cat-cow", "start"), svg_of("cat-cow", "end")
    assert all(d in start for d in expected_values(exercise, 0) if d.startswith("M"))
    assert all(d in end for d in expected_values(exercise, 1) if d.startswith("M"))
    assert start != end


def test_the_moving_parts_are_drawn_in_the_brand_teal_and_the_figure_in_dark_ink() -> None:
    svg = svg_of("bird-dog", "end")
    assert render.INK in svg
    assert render.MOVING_NEAR in svg  # the reaching arm, on the near side
    assert render.MOVING_FAR in svg  # the reaching leg, on the far side
    assert render.TEAL in svg  # the movement arrow


@pytest.mark.parametrize(
    ("exercise_id", "prop"),
    [("sit-to-stand", "chair"), ("wall-sit", "wall"), ("standing-hamstring-stretch", "step")],
)
def test_props_are_drawn_in_soft_grey(exercise_id: str, prop: str) -> None:
    scene = scene_for(CATALOG.exercise(exercise_id).motion.illustration)  # type: ignore[union-attr]
    roles = {shape.role for shape in render.prop_shapes(scene)}
    assert any(role.startswith(prop) for role in roles)
    assert render.PROP_FILL in svg_of(exercise_id, "start")


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_the_animation_samples_are_close_enough_to_look_smooth(exercise: Exercise) -> None:
    """Between two samples no bone turns more than 15 degrees, so straight-line motion between them
    shortens it by under 1%."""
    scene = scene_for(exercise.motion.illustration)  # type: ignore[union-attr]
    samples = [body for _, body in loop_samples(scene)]
    for a, b in itertools.pairwise(samples):
        for bone_a, bone_b in zip(a.capsules(), b.capsules(), strict=True):
            u, v = bone_a.b - bone_a.a, bone_b.b - bone_b.a
            if np.linalg.norm(u) < 1e-9:
                continue  # the head is a ball
            cosine = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
            assert math.degrees(math.acos(min(1.0, cosine))) < 15, f"{exercise.id}: {bone_a.name}"
