"""Pose estimation on a video: MediaPipe BlazePose (legacy `solutions.pose`, full model) frame by frame.

The one module of `lumbar.motion` that touches a camera model. The model files ship inside the
mediapipe wheel, so nothing is downloaded. OpenCV decodes the video one frame at a time on a reader
thread while the model works on the previous frame; at most a few decoded frames exist at once, so a
long video never sits in memory. The video itself is not kept: only the landmarks come back.
"""

from __future__ import annotations

import math
import os
import queue
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lumbar.domain.errors import InvalidInput
from lumbar.motion.landmarks import BLAZEPOSE33, Recording

# Longest video accepted (a set of exercises, not a film).
MAX_VIDEO_SECONDS = 20 * 60
# A video whose header promises more frames than can be decoded, by more than this share, is damaged.
TRUNCATION_TOLERANCE = 0.05
# Without an explicit stride, frames are analysed at about this rate: reps last a second or more and
# faults must last 0.2 s, so 15 frames a second see everything while halving the work on 30 fps video.
ANALYSIS_FPS = 15.0
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi"})
_QUEUE_FRAMES = 4

Progress = Callable[[int, int | None], None]


class VideoInfo:
    """What the container says about a video, checked before any frame is decoded."""

    def __init__(self, fps: float, frame_count: int | None, width: int, height: int) -> None:
        self.fps = fps
        self.frame_count = frame_count
        self.width = width
        self.height = height


def estimate_video(
    path: Path,
    *,
    stride: int | None = None,
    progress: Progress | None = None,
    estimator: Callable[[], Any] | None = None,
) -> Recording:
    """Landmarks of every `stride`-th frame of the video at `path` (default: about ANALYSIS_FPS a second).

    `progress(frames_read, total_or_None)` is called as frames are read. `estimator` makes the pose
    model (a factory returning an object with `process(rgb)` and `close()`, like MediaPipe's Pose);
    tests pass a stand-in. Raises InvalidInput for an unreadable, truncated, over-long or empty video
    and for a video in which no person was found.
    """
    if stride is not None and stride < 1:
        raise InvalidInput(f"stride: must be 1 or more (got {stride})")
    if not path.is_file():
        raise InvalidInput(f"video {str(path)!r} does not exist or is not a file")
    frames: list[NDArray[np.float32]] = []
    with _native_logs_silenced(), _opened(path) as capture:
        info = _video_info(capture, path)
        if stride is None:
            stride = max(1, round(info.fps / ANALYSIS_FPS))
        model = (estimator or _mediapipe_pose)()
        decoded = _decoded(capture, stride, info, path)
        try:
            read = 0
            for index, image in decoded:
                read = index + 1
                frames.append(_landmarks(model.process(image)))
                if progress is not None:
                    progress(read, info.frame_count)
        finally:
            decoded.close()  # stops the reader thread even when the model failed
            model.close()
    _check_complete(path, info, read, stride)
    if not frames:
        raise InvalidInput(f"video {path.name!r} contains no frames that could be decoded")
    data = np.stack(frames)
    if np.isnan(data[:, :, 0]).all():
        raise InvalidInput(
            f"no person found in video {path.name!r}: put the camera 2-3 m away with your whole body in the picture"
        )
    return Recording(
        landmark_set="blazepose33",
        fps=info.fps / stride,
        frames=data,
        coordinates="normalized",
        image_size=(info.width, info.height),
        extra={"source": path.name, "stride": stride},
    )


@contextmanager
def _native_logs_silenced() -> Iterator[None]:
    """Keep the C++ libraries' chatter (TensorFlow Lite, absl, FFmpeg) off standard error, where a
    person expects at most a progress bar and one clear line when something is wrong.

    The process's file descriptor 2 goes to the null device; Python's `sys.stderr` (the progress bar)
    is pointed at the real standard error meanwhile. Errors are raised as exceptions and printed after
    everything is restored.
    """
    python_stderr = sys.stderr
    try:
        python_stderr.flush()
        redirect_python = python_stderr.fileno() == 2
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    replacement = None
    try:
        with Path(os.devnull).open("w", encoding="utf-8") as sink:
            os.dup2(sink.fileno(), 2)
            if redirect_python:
                replacement = os.fdopen(os.dup(saved), "w", buffering=1, encoding="utf-8", errors="replace")
                sys.stderr = replacement
            yield
    finally:
        sys.stderr = python_stderr
        if replacement is not None:
            replacement.close()
        os.dup2(saved, 2)
        os.close(saved)


def _mediapipe_pose() -> Any:
    import mediapipe as mp

    # model_complexity=1 is the "full" landmark model bundled in the wheel (no download).
    return mp.solutions.pose.Pose(
        static_image_mode=False,
        model_complexity=1,
        smooth_landmarks=True,
        enable_segmentation=False,
        min_detection_confidence=0.5,
        min_tracking_confidence=0.5,
    )


@contextmanager
def _opened(path: Path) -> Iterator[Any]:
    import cv2

    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise InvalidInput(f"cannot read video {path.name!r}: not a video file that can be decoded")
        yield capture
    finally:
        capture.release()


def _video_info(capture: Any, path: Path) -> VideoInfo:
    import cv2

    fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
    if not math.isfinite(fps) or not 1.0 <= fps <= 240.0:
        raise InvalidInput(f"cannot read video {path.name!r}: no usable frame rate (got {fps:g})")
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
    height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
    if width <= 0 or height <= 0:
        raise InvalidInput(f"cannot read video {path.name!r}: no picture size")
    if count > 0 and count / fps > MAX_VIDEO_SECONDS:
        raise InvalidInput(
            f"video {path.name!r} is {count / fps / 60:.0f} minutes long; the limit is {MAX_VIDEO_SECONDS // 60} minutes"
        )
    return VideoInfo(fps, count if count > 0 else None, width, height)


def _decoded(
    capture: Any, stride: int, info: VideoInfo, path: Path
) -> Generator[tuple[int, Any], None, None]:
    """(frame index, RGB image) of every stride-th frame, decoded on a reader thread.

    Skipped frames are only grabbed (demuxed and decoded, not converted). The queue is small, so the
    reader runs at most a few frames ahead of the model.
    """
    limit = int(MAX_VIDEO_SECONDS * info.fps) + 1
    chunks: queue.Queue[tuple[int, Any] | None] = queue.Queue(maxsize=_QUEUE_FRAMES)
    stop = threading.Event()
    failure: list[BaseException] = []

    def read() -> None:
        try:
            index = 0
            while not stop.is_set() and index <= limit:
                if index % stride:
                    if not capture.grab():
                        break
                else:
                    ok, image = capture.read()
                    if not ok:
                        break
                    image = _rgb(image)  # here, off the model's thread
                    while not stop.is_set():
                        try:
                            chunks.put((index, image), timeout=0.1)
                            break
                        except queue.Full:
                            continue
                index += 1
        except BaseException as exc:  # handed to the consumer, which re-raises it
            failure.append(exc)
        finally:
            while not stop.is_set():
                try:
                    chunks.put(None, timeout=0.1)
                    break
                except queue.Full:
                    continue

    reader = threading.Thread(target=read, name="lumbar-video-reader", daemon=True)
    reader.start()
    try:
        while (item := chunks.get()) is not None:
            if item[0] >= limit:
                raise InvalidInput(
                    f"video {path.name!r} is longer than {MAX_VIDEO_SECONDS // 60} minutes, the limit"
                )
            yield item
        if failure:
            raise failure[0]
    finally:
        stop.set()
        reader.join(timeout=5)


def _check_complete(path: Path, info: VideoInfo, read: int, stride: int) -> None:
    """Refuse a video that stops well short of the frames its header promises (a cut-off upload)."""
    if info.frame_count is None:
        return
    # `read` counts up to the last frame handed to the model; the reader may have passed a few more.
    promised = info.frame_count
    decoded_at_least = read + stride - 1
    if decoded_at_least < promised * (1 - TRUNCATION_TOLERANCE) - 1:
        raise InvalidInput(
            f"video {path.name!r} is truncated or damaged: its header promises {promised} frames "
            f"but only {read} could be decoded"
        )


def _rgb(image: Any) -> Any:
    import cv2

    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def _landmarks(result: Any) -> NDArray[np.float32]:
    frame = np.full((len(BLAZEPOSE33), 4), np.nan, dtype=np.float32)
    found = getattr(result, "pose_landmarks", None)
    if found is None:
        return frame
    for i, point in enumerate(found.landmark):
        frame[i] = (point.x, point.y, point.z, point.visibility)
    return frame
