"""Form-check speed, measured in one run on this machine, printed as ratios against the targets.

1. Landmarks to result: a long landmark recording (real MediaPipe output of a drawn squatting person,
   repeated to 30 minutes) through the whole analysis, in memory and from a Landmarks JSON file.
   Target: over 20,000 frames/s.
2. Video end to end: a 640x480, 30 fps clip, decoded, run through MediaPipe and analysed, as a multiple
   of real time, at the default stride (about 15 analysed frames a second) and at every frame.
   Target: at least 1.5x real time.
3. Overhead: the whole video pipeline's time over bare MediaPipe inference on the same frames
   (already decoded and in memory). Target: under 1.15.

Run: .venv/bin/python bench/bench_form_check.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/motion_clips.py draws the clip

from tests.motion_clips import squat_clip  # noqa: E402

from lumbar.domain.catalog import default_catalog  # noqa: E402
from lumbar.motion.analyze import analyze, check_spec_of  # noqa: E402
from lumbar.motion.landmarks import Recording, read_landmarks_json, write_landmarks  # noqa: E402
from lumbar.motion.pose import _mediapipe_pose, _native_logs_silenced, estimate_video  # noqa: E402

LANDMARK_TARGET = 20_000.0
REALTIME_TARGET = 1.5
OVERHEAD_TARGET = 1.15


def timed(action: object) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()  # type: ignore[operator]
    return time.perf_counter() - started, result


def bare_inference(video: Path, stride: int) -> tuple[float, int]:
    """MediaPipe alone on the frames the pipeline analyses, decoded beforehand."""
    import cv2

    capture = cv2.VideoCapture(str(video))
    frames = []
    index = 0
    while True:
        ok, image = capture.read()
        if not ok:
            break
        if index % stride == 0:
            frames.append(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        index += 1
    capture.release()
    with _native_logs_silenced():
        started = time.perf_counter()
        model = _mediapipe_pose()
        for rgb in frames:
            model.process(rgb)
        model.close()
        return time.perf_counter() - started, len(frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the test clip")
    parser.add_argument("--minutes", type=float, default=30.0, help="length of the landmark recording")
    parser.add_argument("--repeat", type=int, default=2, help="timings per video measurement (best kept)")
    args = parser.parse_args()
    spec = check_spec_of(default_catalog().exercise("squat"))
    with tempfile.TemporaryDirectory() as folder:
        squats = max(1, round((args.seconds - 1.7) / 2.0))
        video = squat_clip(Path(folder) / "squats.mp4", squats=squats)
        seconds = 1.7 + 2.0 * squats
        print(
            f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; clip {seconds:.1f} s, 640x480 @ 30 fps"
        )

        # 2 and 3: the video pipeline (default stride and every frame) against bare inference. Each is
        # timed twice, alternately, and the faster time kept: the machine is shared.
        results = {}
        for stride in (None, 1):
            best_total = best_bare = float("inf")
            for _ in range(args.repeat):
                elapsed, recording = timed(lambda s=stride: estimate_video(video, stride=s))
                assert isinstance(recording, Recording)
                used = int(recording.extra["stride"])
                analysis_time, result = timed(
                    lambda r=recording, u=used: analyze("squat", spec, r, frame_step=u)
                )
                best_total = min(best_total, elapsed + analysis_time)
                bare, inferred = bare_inference(video, used)
                best_bare = min(best_bare, bare)
            results[stride] = (used, best_total, best_bare, inferred, result, recording)
        used, total, bare, inferred, result, recording = results[None]
        realtime = seconds / total
        overhead = total / bare
        print(
            f"video, default stride {used} ({30 / used:.0f} analysed frames/s): {total:.2f} s for {seconds:.1f} s "
            f"of video = {realtime:.2f}x real time (target >= {REALTIME_TARGET}x: "
            f"{'met' if realtime >= REALTIME_TARGET else 'NOT met'}); reps counted: {result.rep_count} of {squats}"  # type: ignore[attr-defined]
        )
        print(
            f"pipeline / bare MediaPipe on the same {inferred} frames: {total:.2f} s / {bare:.2f} s = {overhead:.3f} "
            f"(target < {OVERHEAD_TARGET}: {'met' if overhead < OVERHEAD_TARGET else 'NOT met'})"
        )
        used1, total1, bare1, inferred1, result1, _ = results[1]
        print(
            f"video, every frame: {seconds / total1:.2f}x real time; pipeline / bare = {total1 / bare1:.3f} "
            f"on {inferred1} frames; reps counted: {result1.rep_count} of {squats}"  # type: ignore[attr-defined]
        )

        # 1: landmarks to result, on real MediaPipe output repeated to a long recording.
        repeats = max(1, round(args.minutes * 60 * recording.fps / recording.frame_count))
        long = replace(recording, frames=np.concatenate([recording.frames] * repeats))
        frames = long.frame_count
        elapsed, result = timed(lambda: analyze("squat", spec, long))
        in_memory = frames / elapsed
        buffer = io.StringIO()
        write_landmarks(long, buffer)
        text = buffer.getvalue()
        elapsed_file, result_file = timed(
            lambda: analyze("squat", spec, read_landmarks_json(io.StringIO(text)))
        )
        from_file = frames / elapsed_file
        print(
            f"landmarks to result, {frames} frames ({frames / long.fps / 60:.0f} min at {long.fps:g} fps), "
            f"{result.rep_count} reps: {in_memory:,.0f} frames/s = {in_memory / LANDMARK_TARGET:.1f}x the "  # type: ignore[attr-defined]
            f"{LANDMARK_TARGET:,.0f} target ({'met' if in_memory > LANDMARK_TARGET else 'NOT met'})"
        )
        print(
            f"  the same read from Landmarks JSON text first: {from_file:,.0f} frames/s = "
            f"{from_file / LANDMARK_TARGET:.1f}x (parsing the JSON numbers is most of that time)"
        )
        assert result_file.rep_count == result.rep_count  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
