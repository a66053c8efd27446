"""Benchmark of the CLI's cold start: `lumbar plan` for a representative intake, in fresh processes.

Target (issue 15): median `lumbar plan` under 1 s. Each command runs once to warm up (the operating
system's file cache, and the content snapshot that the first run after a change writes), then
`--runs` times in a fresh process each; the median and the slowest are printed with the ratio of
the median to the 1 s target. `lumbar --help` and `python -c pass` are measured the same way for
reference, and `lumbar plan` once more with the content snapshot off (every start validates the
content library).

Run: .venv/bin/python bench/bench_cli_start.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 1.0

# A person in the third week of an episode with sciatica and an extension preference, at a desk:
# slots, the nerve slider, starting easier, the walking plan and movement breaks all apply.
INTAKE = {
    "age": 45,
    "episode_weeks": 3,
    "pain": {"now": 6, "worst_24h": 8, "best_24h": 3},
    "leg_symptoms": "below_knee",
    "leg_side": "left",
    "directional_preference": "extension",
    "occupation": "desk",
    "sitting_hours": 8,
    "minutes_per_session": 20,
}


def lumbar_command() -> list[str]:
    script = Path(sys.executable).with_name("lumbar")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lumbar"]


def timings(command: list[str], runs: int, env: dict[str, str]) -> list[float]:
    subprocess.run(command, capture_output=True, check=True, env=env)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float], target: float | None = None) -> None:
    median = statistics.median(times)
    line = f"{label}: median {median * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {len(times)} runs"
    if target is not None:
        line += f", {median / target:.2f}x the {target:g} s target"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per command (after one warm-up)")
    args = parser.parse_args()

    lumbar = lumbar_command()
    with tempfile.TemporaryDirectory() as tmp:
        intake = Path(tmp) / "intake.json"
        intake.write_text(json.dumps(INTAKE), encoding="utf-8")
        env = {**os.environ, "LUMBAR_CACHE_DIR": str(Path(tmp) / "cache")}
        plan = [*lumbar, "plan", "--intake", str(intake)]
        report("lumbar plan --json", timings([*plan, "--json"], args.runs, env), TARGET_SECONDS)
        report("lumbar plan (table)", timings(plan, args.runs, env), TARGET_SECONDS)
        report("lumbar --help", timings([*lumbar, "--help"], args.runs, env))
        no_snapshot = {**env, "LUMBAR_CACHE_DIR": "off"}
        report("lumbar plan --json, no snapshot", timings([*plan, "--json"], args.runs, no_snapshot))
        report("python -c pass", timings([sys.executable, "-c", "pass"], args.runs, env))


if __name__ == "__main__":
    main()
