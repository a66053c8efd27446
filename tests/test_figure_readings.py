"""The figures a clinical reviewer read wrongly at thumbnail size read as their steps say (issue 12).

Each test names the reading and checks the geometry that makes it: positions come from the project's
own figure model (`lumbar.motion.figure`, posed and placed by `lumbar.motion.scene`), in body heights
H (the figure is 1.0 tall standing; 1 cm is about 0.006 H for a person of 1.70 m). The thresholds
are readability limits for the drawings, taken from the words of each exercise's steps; they are not
clinical numbers.
"""

from __future__ import annotations

import itertools
import math
from functools import cache

import numpy as np

from lumbar.domain.catalog import default_catalog
from lumbar.motion.figure import CHAINS, HAND, RADIUS, SEGMENTS, Body, Plane, Vec, gap, grip_gap
from lumbar.motion.render import OUTLINE, SCALE, arrow_path, look_for, loop_samples, trunk_outline, view_box
from lumbar.motion.scene import Camera, Scene, build_scene

CM = 1 / 170  # one centimetre, in body heights, for a person 1.70 m tall
FLOOR = Plane(np.array([0.0, 1.0, 0.0]), 0.0)
TOLERANCE = 0.004  # the contact tolerance of tests/test_figure_geometry.py (about 7 mm)


@cache
def scene_of(exercise_id: str) -> Scene:
    exercise = default_catalog().exercise(exercise_id)
    assert exercise.motion is not None
    assert exercise.motion.illustration is not None
    return build_scene(exercise.motion.illustration)


def angle_at(b: Vec, a: Vec, c: Vec) -> float:
    """The angle a-b-c in degrees (180 = straight), in 3-D or in the picture."""
    u, v = a - b, c - b
    return math.degrees(math.acos(float(np.clip(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)), -1, 1))))


def pictured(camera: Camera, point: Vec) -> Vec:
    return np.array(camera.project(point))


def pictured_knee(camera: Camera, body: Body, side: str) -> float:
    """The knee angle as drawn: what a reader of the picture sees."""
    p = body.points
    return angle_at(
        pictured(camera, p[f"knee_{side}"]),
        pictured(camera, p[f"hip_{side}"]),
        pictured(camera, p[f"ankle_{side}"]),
    )


def knee(body: Body, side: str) -> float:
    p = body.points
    return angle_at(p[f"knee_{side}"], p[f"hip_{side}"], p[f"ankle_{side}"])


# A knee drawn at 150 degrees or more reads as a straight leg at thumbnail size: "bend your knees"
# needs at least 30 degrees of bend in the picture, not only in the model.
VISIBLY_BENT = 150.0


def test_side_plank_knees_has_bent_knees_in_every_view() -> None:
    """'Bend your knees so your feet are behind you', 'propped up on your elbow ... your forearm
    flat on the floor': in every pose of the loop both knees are bent as drawn, and the supporting
    forearm lies on the floor under the shoulder, drawn at length rather than pointing at the viewer."""
    scene = scene_of("side-plank-knees")
    for t, body in loop_samples(scene):
        for side in ("l", "r"):
            assert knee(body, side) <= 120, f"{side} knee at {t:.2f} s"
            assert pictured_knee(scene.camera, body, side) <= VISIBLY_BENT, f"{side} knee at {t:.2f} s"
    for placed in scene.keyframes:
        body = placed.body
        for part in ("elbow_r", "wrist_r"):
            assert part in placed.rest["floor"]
            assert abs(gap(body, part, FLOOR)) <= TOLERANCE, (placed.name, part)
        elbow, wrist, shoulder = body.points["elbow_r"], body.points["wrist_r"], body.points["shoulder_r"]
        forearm = float(np.linalg.norm(wrist - elbow))
        drawn = float(np.linalg.norm(pictured(scene.camera, wrist) - pictured(scene.camera, elbow)))
        assert drawn >= 0.5 * forearm, placed.name  # not foreshortened into a straight arm
        # "the elbow right under your shoulder": within about 7 cm side to side of the shoulder.
        assert math.hypot(*(shoulder - elbow)[[0, 2]]) <= 12 * CM, placed.name
    # And the lifted hold is a straight line from the shoulders to the knees in 3-D too.
    lifted = scene.keyframes[-1].body.points
    knees = (lifted["knee_l"] + lifted["knee_r"]) / 2
    assert angle_at(lifted["pelvis"], lifted["neck_base"], knees) >= 170


def test_clamshell_keeps_knees_bent_and_feet_together() -> None:
    """'Lie on your side with your hips and knees bent', 'keeping your heels together, slowly lift
    your top knee': the bend shows in the picture, the top knee rises well away from the bottom one
    while the heels stay where they were, and the feet start together."""
    scene = scene_of("clamshell")
    start, end = scene.keyframes[0].body, scene.keyframes[-1].body
    for body in (start, end):
        for side in ("l", "r"):
            assert 60 <= 180 - knee(body, side) <= 120  # knees bent about a right angle
            p = body.points
            hip_flexion = 180 - angle_at(p[f"hip_{side}"], p["neck_base"], p[f"knee_{side}"])
            assert hip_flexion >= 30  # hips bent, knees in front of the body
    for side in ("l", "r"):
        assert pictured_knee(scene.camera, start, side) <= VISIBLY_BENT
    assert pictured_knee(scene.camera, end, "r") <= VISIBLY_BENT
    assert pictured_knee(scene.camera, end, "l") <= VISIBLY_BENT
    # Feet together: the ankles touch at the start ...
    assert abs(grip_gap(start, "ankle_l", "ankle_r")) <= TOLERANCE
    # ... and the heels stay together: the top heel moves under 1 cm while the knee opens.
    assert np.linalg.norm(end.points["heel_l"] - start.points["heel_l"]) <= 1 * CM
    assert (
        abs(
            np.linalg.norm(end.points["heel_l"] - end.points["heel_r"])
            - np.linalg.norm(start.points["heel_l"] - start.points["heel_r"])
        )
        <= 1 * CM
    )
    # The top knee opens: the knees part by at least 15 cm more, and visibly so in the picture.
    opened = np.linalg.norm(end.points["knee_l"] - end.points["knee_r"]) - np.linalg.norm(
        start.points["knee_l"] - start.points["knee_r"]
    )
    assert opened >= 15 * CM
    drawn_gap = np.linalg.norm(
        pictured(scene.camera, end.points["knee_l"]) - pictured(scene.camera, end.points["knee_r"])
    )
    assert drawn_gap >= 2 * np.linalg.norm(
        pictured(scene.camera, start.points["knee_l"]) - pictured(scene.camera, start.points["knee_r"])
    )
    # The top knee goes up, not the foot: the top ankle rises less than 5 cm.
    assert end.points["ankle_l"][1] - start.points["ankle_l"][1] <= 5 * CM


def test_standing_back_extension_end_frame_leans_back() -> None:
    """'Put your palms on the back of your hips', 'push your hips forward into your hands and lean
    your upper body backwards, looking slightly up': the figure faces +x; at the end the shoulders
    are behind the hips (trunk behind vertical), the hips ahead of the feet, the head still on top of
    the trunk with the face turned up, and the hands behind the pelvis."""
    scene = scene_of("standing-back-extension")
    tall, back = scene.keyframes[0].body, scene.keyframes[-1].body

    def trunk_lean(body: Body) -> float:
        """Degrees from vertical of the mid-hip to mid-shoulder line; positive = forwards (+x)."""
        p = body.points
        shoulders = (p["shoulder_l"] + p["shoulder_r"]) / 2
        v = shoulders - p["pelvis"]
        return math.degrees(math.atan2(float(v[0]), float(v[1])))

    assert abs(trunk_lean(tall)) <= 5
    assert trunk_lean(back) <= -15  # clearly behind vertical: a lean back, not a stoop
    p = back.points
    feet = (p["ankle_l"] + p["ankle_r"]) / 2
    # Hips pushed forward of the feet by at least 10 cm: less, and the side view is the mirror image
    # of someone stooping the other way with the hips back.
    assert p["pelvis"][0] - feet[0] >= 10 * CM
    # The head stays on top of the trunk, at least 3/4 of its standing height above the base of the
    # neck (a head tipped back below that hangs, and reads as someone looking at the floor) ...
    standing = tall.points["head"][1] - tall.points["neck_base"][1]
    assert p["head"][1] - p["neck_base"][1] >= 0.72 * standing
    # ... and the face points forwards and up.
    face = p["nose"] - p["head"]
    assert face[0] > 0
    assert face[1] > 0
    for body in (tall, back):
        for side in ("l", "r"):
            assert body.points[f"hand_{side}"][0] < body.points["pelvis"][0]  # on the back of the hips


def test_pelvic_tilt_frames_differ_in_pelvic_angle() -> None:
    """'Notice the small gap between your lower back and the floor', 'let your pelvis roll back so
    your lower back presses softly into the floor', 'keep your bottom on the floor': the pelvis turns
    by at least 15 degrees between the stills (less is invisible at thumbnail size), the waist is
    clear of the floor at the start and on it at the end, and the bottom never leaves the floor."""
    scene = scene_of("pelvic-tilt")
    start, flat = scene.keyframes[0].body, scene.keyframes[-1].body
    axis_start, axis_flat = start.frames["pelvis"][:, 1], flat.frames["pelvis"][:, 1]
    assert angle_at(np.zeros(3), axis_start, axis_flat) >= 15
    assert gap(start, "waist", FLOOR) >= 2 * CM  # the gap under the low back
    assert abs(gap(flat, "waist", FLOOR)) <= TOLERANCE  # closed
    for placed in scene.keyframes:
        assert abs(gap(placed.body, "pelvis", FLOOR)) <= TOLERANCE, placed.name
    # "The movement is small, only a few centimetres at your tailbone": under 10 cm.
    tailbone_moved = np.linalg.norm(flat.bottom_cap() - start.bottom_cap())
    assert tailbone_moved <= 10 * CM


def test_marching_bridge_foot_lifts_only_a_few_centimetres() -> None:
    """'Keeping your hips up and level, lift one foot a few centimetres off the floor, knee still
    bent': the lifted foot clears the floor (at least 2 cm, or it is not lifted) by no more than
    10 cm (the most that 'a few centimetres' can mean), the knee stays bent, the hips stay up."""
    scene = scene_of("marching-bridge")
    bridge, lifted = scene.keyframes[0].body, scene.keyframes[-1].body
    clearance = min(gap(lifted, part, FLOOR) for part in ("foot_r", "shank_r"))
    assert 2 * CM <= clearance <= 10 * CM
    assert abs(gap(lifted, "foot_l", FLOOR)) <= TOLERANCE  # the other foot stays down
    assert 180 - knee(lifted, "r") >= 60  # knee still bent
    assert abs(lifted.points["pelvis"][1] - bridge.points["pelvis"][1]) <= 1 * CM  # hips stay up
    # The knee rises only as much as the foot does, not towards the chest.
    assert lifted.points["knee_r"][1] - bridge.points["knee_r"][1] <= 10 * CM


def test_prone_press_up_hands_sit_under_the_shoulders() -> None:
    """'Put your hands flat on the floor under your shoulders, as if to do a push-up' and push up
    with the hips on the floor: in both stills the heel of each hand (the wrist) is within a hand's
    length of the shoulder along the body, at the top no more than a hand's length in front of it
    (not far ahead), and the hands stay about where they were put."""
    scene = scene_of("prone-press-up")
    down, up = scene.keyframes[0].body, scene.keyframes[-1].body
    for body in (down, up):
        for side in ("l", "r"):
            ahead = body.points[f"wrist_{side}"][0] - body.points[f"shoulder_{side}"][0]
            assert abs(ahead) <= HAND
            assert abs(gap(body, f"hand_{side}", FLOOR)) <= TOLERANCE
    for side in ("l", "r"):
        assert up.points[f"wrist_{side}"][0] >= up.points[f"shoulder_{side}"][0]  # just in front
        slid = abs(up.points[f"wrist_{side}"][0] - down.points[f"wrist_{side}"][0])
        assert slid <= 5 * CM
    assert up.points["neck_base"][1] - down.points["neck_base"][1] >= 0.15  # the chest rises


# --- issue 12, second round: the pelvic tilt and the standing back extension at thumbnail size ---

THUMBNAIL = 240  # px: the width of a figure in the library list and on the contact sheet


def thumbnail_px(scene: Scene) -> float:
    """Picture units to pixels when the whole picture is drawn THUMBNAIL pixels wide."""
    poses = [body for _, body in loop_samples(scene)]
    return THUMBNAIL / view_box(scene, poses, look_for(scene))[2]


def drawn_clearance(outline: Vec, x: float) -> float:
    """How far the lowest edge of a drawn outline is above the floor line (picture y = 0, y down) at
    picture x: what a reader sees as the gap between the body and the floor."""
    crossings = []
    for (x0, y0), (x1, y1) in zip(outline, np.roll(outline, -1, axis=0), strict=True):
        if x0 != x1 and (x0 - x) * (x1 - x) <= 0:
            crossings.append(y0 + (x - x0) / (x1 - x0) * (y1 - y0))
    return -max(crossings)


def test_pelvic_tilt_gap_under_the_low_back_shows_at_thumbnail_size() -> None:
    """'Notice the small gap between your lower back and the floor', then 'your lower back presses
    softly into the floor and the gap closes': drawn 240 px wide, the start shows a gap of at least
    5 px under the low back (between the sacrum and the waist) that no arm or leg covers, and the
    end shows none (under 1 px). With the arms by the sides the near arm hid the gap, and the two
    stills looked the same."""
    scene = scene_of("pelvic-tilt")
    px = thumbnail_px(scene)
    look = look_for(scene)
    gaps = []
    for placed in scene.keyframes:
        body = placed.body
        outline = trunk_outline(body, scene.camera)
        lumbar = np.linspace(
            pictured(scene.camera, body.points["sacrum"])[0] * SCALE,
            pictured(scene.camera, body.points["waist"])[0] * SCALE,
            11,
        )
        clearances = [drawn_clearance(outline, x) for x in lumbar]
        gaps.append(max(clearances) * px)
        if placed is scene.keyframes[0]:
            # The middle of the gap at its highest is open: no limb is drawn over it.
            apex = lumbar[int(np.argmax(clearances))]
            middle = np.array([apex, -max(clearances) / 2])
            for chain in look.order:
                for segment in CHAINS.get(chain, ()):
                    start, end, radius = SEGMENTS[segment]
                    a = pictured(scene.camera, body.points[start]) * [SCALE, -SCALE]
                    b = pictured(scene.camera, body.points[end]) * [SCALE, -SCALE]
                    t = float(np.clip((middle - a) @ (b - a) / max(float((b - a) @ (b - a)), 1e-9), 0, 1))
                    reach = RADIUS[radius] * SCALE + OUTLINE
                    assert np.linalg.norm(middle - (a + t * (b - a))) > reach, segment
    start_gap, end_gap = gaps
    assert start_gap >= 5, f"{start_gap:.1f} px"
    assert end_gap < 1, f"{end_gap:.1f} px"


def test_pelvic_tilt_rolls_the_pelvis_back_and_the_arrow_points_at_the_low_back() -> None:
    """The gap is under the lumbar spine (at least 3 cm at both its ends, the sacrum and the waist),
    the thorax rests on the floor at the shoulder blades; at the end the tailbone lifts by a few
    centimetres ('only a few centimetres at your tailbone'); the arrow turns the way the pelvis rolls
    and ends over the low back, pointing down into the floor."""
    scene = scene_of("pelvic-tilt")
    start, flat = scene.keyframes[0].body, scene.keyframes[-1].body
    for part in ("sacrum", "waist"):
        assert gap(start, part, FLOOR) >= 3 * CM, part
        assert abs(gap(flat, part, FLOOR)) <= TOLERANCE, part
    assert abs(gap(start, "shoulders", FLOOR)) <= TOLERANCE
    lifted = flat.bottom_cap()[1] - start.bottom_cap()[1]
    assert 1 * CM <= lifted <= 6 * CM
    # The arc turns the way the pelvis turns in the picture (positive sweep: anticlockwise).
    axis_start = pictured(scene.camera, start.frames["pelvis"][:, 1])
    axis_flat = pictured(scene.camera, flat.frames["pelvis"][:, 1])
    turned = float(axis_start[0] * axis_flat[1] - axis_start[1] * axis_flat[0])
    arrow = scene.illustration.arrow
    assert arrow is not None
    assert arrow.around == "pelvis"
    assert turned * arrow.sweep > 0
    path = arrow_path(scene)
    assert path is not None
    x_pelvis = pictured(scene.camera, start.points["pelvis"])[0] * SCALE
    x_waist = pictured(scene.camera, start.points["waist"])[0] * SCALE
    tip, before = path[-1], path[-2]
    assert min(x_pelvis, x_waist) <= tip[0] <= max(x_pelvis, x_waist)  # over the low back
    assert tip[1] - before[1] > 0  # pointing down (picture y points down)


def back_gap(body: Body, point: Vec, radius: float) -> float:
    """Distance from a sphere at `point` to the trunk's surface, the trunk being the sections swept
    from one station to the next along the spine (as `trunk_outline` draws it); 0 touching."""
    sections = body.sections()
    best = math.inf
    for a, b in itertools.pairwise(sections):
        axis = b.centre - a.centre
        length = float(np.linalg.norm(axis))
        axis = axis / length
        t = float((point - a.centre) @ axis) / length
        if not 0 <= t <= 1:
            continue
        centre = a.centre * (1 - t) + b.centre * t
        lateral = a.lateral * (1 - t) + b.lateral * t
        forward = a.forward * (1 - t) + b.forward * t
        across = point - centre
        across = across - (across @ axis) * axis
        distance = float(np.linalg.norm(across))
        u = across / distance
        extent = math.hypot(
            (a.half_width * (1 - t) + b.half_width * t) * float(lateral @ u) / float(np.linalg.norm(lateral)),
            (a.half_depth * (1 - t) + b.half_depth * t) * float(forward @ u) / float(np.linalg.norm(forward)),
        )
        best = min(best, distance - extent - radius, key=abs)
    return best


def test_standing_back_extension_hands_rest_on_the_low_back() -> None:
    """'Put your palms on the back of your hips, just below your waist, fingers pointing down, as if
    tucking in a shirt': in both stills each palm lies on the back of the trunk above the hip joints
    (the fingertips too: hands at the hip joints read as hands on the backs of the thighs), behind
    the trunk rather than at its side, the fingers pointing down, the elbows bent and drawn well
    behind the shoulders; and the hands stay where they were put while the hips push forward."""
    scene = scene_of("standing-back-extension")
    placed_on_pelvis = []
    for placed in scene.keyframes:
        body = placed.body
        p = body.points
        frame = body.frames["pelvis"]
        shoulders_x = pictured(scene.camera, (p["shoulder_l"] + p["shoulder_r"]) / 2)[0]
        for side in ("l", "r"):
            wrist, tip = p[f"wrist_{side}"], p[f"hand_{side}"]
            palm = (wrist + tip) / 2
            for point in (wrist, palm, tip):
                assert abs(back_gap(body, point, RADIUS["hand"])) <= 1 * CM, (placed.name, side)
            # Above the hip joints, measured up the pelvis, and the palm's middle well above them.
            up = [float((q - p["pelvis"]) @ frame[:, 1]) for q in (wrist, palm, tip)]
            assert min(up) >= 2 * CM, (placed.name, side)
            assert up[1] >= 10 * CM, (placed.name, side)
            # On the back: at least 10 cm behind the hip joints, and more behind than out to the side.
            offset = palm - p["pelvis"]
            behind, out = -float(offset @ frame[:, 0]), abs(float(offset @ frame[:, 2]))
            assert behind >= max(10 * CM, 1.5 * out), (placed.name, side)
            # Fingers down: the fingertips at least 10 cm below the wrist.
            assert wrist[1] - tip[1] >= 10 * CM, (placed.name, side)
            # The elbows point back: drawn at least 10 cm behind the shoulders.
            assert shoulders_x - pictured(scene.camera, p[f"elbow_{side}"])[0] >= 10 * CM, (placed.name, side)
            placed_on_pelvis.append(frame.T @ offset)
    # The palms stay within 3 cm of where they were on the pelvis (left and right, start and end).
    for side in range(2):
        moved = np.linalg.norm(placed_on_pelvis[side] - placed_on_pelvis[2 + side])
        assert moved <= 3 * CM, moved / CM
