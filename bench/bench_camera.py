"""The camera coach's budgets (issue 16), from one run: per active camera, the server's CPU, the upload
rate, and how far the counter lags the movement.

A patient (made through the real pages and services, as the tests make one) does a live set of
squats for SET_SECONDS: the keypoints come from the synthetic squat of the exercise file at the rate
a phone's pose model gives them (30 a second, sent at most 15 a second as the page does), in a batch
every half second, as JSON exactly as camera.js sends it, through Django's test client (the whole
request: middleware, session, database on SQLite). Printed:

- server CPU per camera: the process's CPU time spent answering the batches, over the set's length,
  against the 5% target;
- upload: the bytes of the batch bodies over the set's length, against 50 KB/s;
- lag: for each rep, from the moment it ended in the movement to the moment an answer showing it was
  back: the wait for the next batch to be sent plus the answer's time, against 1 s;
- the set's end: the whole recording checked once (ms).

Run: .venv/bin/python bench/bench_camera.py
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SET_SECONDS = 120.0
SENT_FPS = 15.0  # camera.js sends at most ~15 samples a second
BATCH_MS = 500.0  # camera.js sends a batch every half second
CPU_TARGET = 0.05
UPLOAD_TARGET = 50_000.0
LAG_TARGET = 1.0


def set_up_django(data_dir: str) -> None:
    os.environ["LUMBAR_DATA_DIR"] = data_dir
    os.environ.setdefault("LUMBAR_CACHE_DIR", str(Path(data_dir) / "cache"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "lumbar.web.settings.test"
    sys.path.insert(0, str(ROOT))

    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    logging.getLogger("axes").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        set_up_django(data_dir)
        from tests.formcheck_helpers import patient_with_camera_exercises, rows, synthetic

        from lumbar.domain.catalog import default_catalog
        from lumbar.motion.analyze import analyze, check_spec_of

        _, client, session_id = patient_with_camera_exercises("bench@camera.example")
        squats = round(SET_SECONDS / 4.5)
        recording = synthetic("squat", reps=squats, fps=30.0, noise=0.003)
        step = round(recording.fps / SENT_FPS)
        sent = recording.frames[::step]
        sent_fps = recording.fps / step
        truth = analyze("squat", check_spec_of(default_catalog().exercise("squat")), recording)
        rep_ends = [r.end_seconds for r in truth.reps]
        duration = recording.frame_count / recording.fps

        start = client.post(
            f"/camera/session/{session_id}/exercise/1/start/",
            json.dumps({"client_key": "bench-camera-1", "width": 640, "height": 480}),
            content_type="application/json",
        ).json()
        per_batch = round(sent_fps * BATCH_MS / 1000.0)
        uploaded = 0
        cpu = 0.0
        answer_ms: list[float] = []
        shown_at: dict[int, float] = {}
        from lumbar.motion.landmarks import Recording

        sub = Recording("blazepose33", sent_fps, sent, image_size=(640, 480))
        for seq, first in enumerate(range(0, sub.frame_count, per_batch)):
            body = json.dumps(
                {"seq": seq, "samples": rows(sub, first, first + per_batch)}, separators=(",", ":")
            )
            uploaded += len(body.encode())
            wall, before = time.perf_counter(), time.process_time()
            reading = client.post(start["batch_url"], body, content_type="application/json").json()
            cpu += time.process_time() - before
            took = time.perf_counter() - wall
            answer_ms.append(took * 1000)
            sent_at = min(first + per_batch, sub.frame_count) / sent_fps  # the batch leaves once it is full
            for n in range(1, reading["reps"] + 1):
                shown_at.setdefault(n, sent_at + took)
        wall = time.perf_counter()
        finished = client.post(start["finish_url"]).json()
        finish_ms = (time.perf_counter() - wall) * 1000

        lags = [shown_at[n] - rep_ends[n - 1] for n in sorted(shown_at) if n <= len(rep_ends)]
        cpu_share = cpu / duration
        rate = uploaded / duration
        print(
            f"set: {duration:.0f} s of squats, {sub.frame_count} samples sent at {sent_fps:g}/s in batches of {per_batch}"
        )
        print(
            f"reps: counted live {max(shown_at) if shown_at else 0}, at the end {finished['reps']}, in the movement {len(rep_ends)}"
        )
        print(
            f"server CPU per camera: {100 * cpu_share:.2f}% of a core (target 5%): ratio {cpu_share / CPU_TARGET:.2f}"
        )
        print(
            f"  answer per batch: median {statistics.median(answer_ms):.1f} ms, slowest {max(answer_ms):.1f} ms"
        )
        print(f"upload: {rate / 1000:.1f} KB/s (target 50 KB/s): ratio {rate / UPLOAD_TARGET:.2f}")
        if lags:
            worst = max(lags)
            print(
                f"lag from a rep's end to the counter: median {statistics.median(lags):.2f} s, "
                f"worst {worst:.2f} s (target 1 s): ratio {worst / LAG_TARGET:.2f}"
            )
        print(f"the set's end (the whole recording checked once): {finish_ms:.0f} ms")
        _ = np  # numpy is the recording's own type


if __name__ == "__main__":
    main()
