"""Short videos the tests (and bench/) make themselves: a flat-shaded person doing squats, side-on.

The figure is drawn with OpenCV: head with hair, eye, nose and mouth, a torso in a shirt, two legs
in trousers and shoes, two arms held forward. MediaPipe's BlazePose finds and tracks it, so the
clips exercise the real video path: decoding, pose estimation, and the form check.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

WIDTH, HEIGHT = 640, 480
BACKGROUND = (205, 205, 205)
FLOOR = (150, 160, 170)


def _rotated(vector: tuple[float, float], degrees: float) -> np.ndarray:
    a = math.radians(degrees)
    x, y = vector
    return np.array([math.cos(a) * x - math.sin(a) * y, math.sin(a) * x + math.cos(a) * y])


def _pt(p: np.ndarray) -> tuple[int, int]:
    return round(float(p[0])), round(float(p[1]))


def draw_person(image: np.ndarray, knee_bend: float, scale: float = 0.72) -> None:
    """A person seen from their right, facing the picture's right; `knee_bend` 0 is standing."""
    k = scale
    skin, shirt, shirt_far = (140, 170, 215), (70, 70, 180), (50, 50, 130)
    pants, pants_far, shoe, hair = (100, 60, 40), (70, 40, 25), (40, 40, 40), (40, 50, 70)
    bend = math.radians(knee_bend)

    def leg(ankle_x: float, colour: tuple[int, int, int]) -> np.ndarray:
        ankle = np.array([ankle_x, 420.0])
        knee = ankle + np.array([math.sin(bend * 0.55), -math.cos(bend * 0.55)]) * 105 * k
        hip = knee + np.array([-math.sin(bend * 0.75), -math.cos(bend * 0.75)]) * 110 * k
        cv2.line(image, _pt(ankle + np.array((-14, 14))), _pt(ankle + np.array((34, 16))), shoe, 16)
        cv2.line(image, _pt(knee), _pt(ankle), colour, int(30 * k))
        cv2.line(image, _pt(hip), _pt(knee), colour, int(38 * k))
        return hip

    hip = leg(318.0, pants_far)
    lean = knee_bend * 0.45
    shoulder = hip + _rotated((0.0, -150.0 * k), lean)
    far_elbow = shoulder + _rotated((0.0, 70 * k), -80 + lean * 0.3)
    cv2.line(image, _pt(shoulder), _pt(far_elbow), shirt_far, 22)
    cv2.line(image, _pt(far_elbow), _pt(far_elbow + np.array((70 * k, 5))), (120, 150, 195), 16)
    hip = leg(300.0, pants)
    cv2.line(image, _pt(hip), _pt(shoulder), shirt, int(64 * k))
    neck = shoulder + _rotated((0.0, -38.0 * k), lean * 0.5)
    cv2.line(image, _pt(shoulder), _pt(neck), skin, 24)
    head = neck + _rotated((8.0 * k, -30.0 * k), lean * 0.3)
    cv2.ellipse(image, _pt(head), (int(30 * k), int(36 * k)), 0, 0, 360, skin, -1)
    cv2.ellipse(image, _pt(head + np.array((-6, -14))), (int(30 * k), int(24 * k)), 0, 180, 360, hair, -1)
    cv2.circle(image, _pt(head + np.array((18, -4))), 4, (30, 30, 30), -1)
    cv2.line(image, _pt(head + np.array((28, 2))), _pt(head + np.array((33, 8))), (110, 140, 190), 4)
    cv2.line(image, _pt(head + np.array((16, 18))), _pt(head + np.array((26, 17))), (60, 60, 150), 3)
    cv2.circle(image, _pt(head + np.array((-4, 4))), 7, (110, 140, 190), -1)
    elbow = shoulder + _rotated((0.0, 75.0 * k), -75 + lean * 0.3)
    wrist = elbow + np.array((72.0 * k, 4.0))
    cv2.line(image, _pt(shoulder), _pt(elbow), shirt, 24)
    cv2.line(image, _pt(elbow), _pt(wrist), skin, 18)
    cv2.circle(image, _pt(wrist), 10, skin, -1)


def blank() -> np.ndarray:
    image = np.full((HEIGHT, WIDTH, 3), BACKGROUND, dtype=np.uint8)
    cv2.rectangle(image, (0, 436), (WIDTH, HEIGHT), FLOOR, -1)
    return image


def squat_frames(
    squats: int, *, fps: float, seconds_per_squat: float, lead: float, tail: float
) -> Iterator[np.ndarray]:
    """Standing still for `lead` s, `squats` smooth squats (knees to about 100 degrees of bend), and
    standing again for `tail` s: one picture at a time."""
    frames = round(fps * (lead + squats * seconds_per_squat + tail))
    for i in range(frames):
        t = i / fps - lead
        moving = 0 <= t < squats * seconds_per_squat
        bend = 100.0 * (1 - math.cos(2 * math.pi * t / seconds_per_squat)) / 2 if moving else 0.0
        image = blank()
        draw_person(image, bend)
        yield image


def squat_clip(
    path: Path,
    squats: int,
    *,
    fps: float = 30.0,
    seconds_per_squat: float = 2.0,
    lead: float = 1.0,
    tail: float = 0.7,
) -> Path:
    """An mp4 of `squat_frames`."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (WIDTH, HEIGHT))
    try:
        for image in squat_frames(squats, fps=fps, seconds_per_squat=seconds_per_squat, lead=lead, tail=tail):
            writer.write(image)
    finally:
        writer.release()
    return path


def empty_room_clip(path: Path, seconds: float = 2.0, fps: float = 30.0) -> Path:
    """An mp4 with nobody in it: a ball rolling across an empty room."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (WIDTH, HEIGHT))
    try:
        for i in range(round(seconds * fps)):
            image = blank()
            cv2.circle(image, (40 + i * 8, 410), 25, (40, 120, 200), -1)
            writer.write(image)
    finally:
        writer.release()
    return path


def squat_y4m(
    path: Path,
    squats: int,
    *,
    fps: int = 10,
    seconds_per_squat: float = 6.0,
    lead: float = 3.0,
    tail: float = 30.0,
    size: tuple[int, int] = (320, 240),
) -> Path:
    """The same figure as a raw Y4M clip, which Chromium plays as a fake camera
    (--use-file-for-fake-video-capture). Slow squats: the pose model in headless Chromium on two cores
    manages one or two frames a second. Chromium loops the clip, so a long tail of standing still
    keeps a test's set from starting over. Written frame by frame (the file is tens of MB)."""
    width, height = size
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for image in squat_frames(squats, fps=fps, seconds_per_squat=seconds_per_squat, lead=lead, tail=tail):
            small = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(small, cv2.COLOR_BGR2YUV_I420).tobytes())
    return path
