"""Benchmark of program generation: `prescribe` in-process, and the cold start of `lumbar plan`.

Targets (issue 5): median `prescribe` under 5 ms; `lumbar plan` cold start under 1 s, reported
as a ratio to `python -c pass` measured in the same run so that machines can be compared.

Run: .venv/bin/python bench/bench_prescribe.py [--repeat N] [--starts N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lumbar.domain.catalog import default_catalog
from lumbar.domain.intake import parse_intake
from lumbar.domain.prescription import prescribe

# A few presentations that exercise different rules (slots, step-down, time fitting, breaks).
INTAKES = [
    {"age": 40, "episode_weeks": 2, "pain": {"now": 4}, "leg_symptoms": "none", "occupation": "desk"},
    {
        "age": 45,
        "episode_weeks": 3,
        "pain": {"now": 6, "worst_24h": 8},
        "leg_symptoms": "below_knee",
        "directional_preference": "extension",
    },
    {
        "age": 68,
        "episode_weeks": 30,
        "pain": {"now": 3},
        "leg_symptoms": "none",
        "conditions": ["osteoporosis"],
        "fitness": "low",
        "minutes_per_session": 5,
    },
    {
        "age": 72,
        "episode_weeks": 10,
        "pain": {"now": 5},
        "leg_symptoms": "below_knee",
        "directional_preference": "flexion",
        "floor_ok": False,
        "startback": {
            "leg_pain": True,
            "shoulder_neck_pain": False,
            "walk_short_distances": True,
            "dress_slowly": True,
            "unsafe_to_be_active": True,
            "worrying_thoughts": True,
            "terrible_never_better": True,
            "no_enjoyment": False,
            "bothersomeness": "very_much",
        },
    },
]


def median_prescribe_ms(repeat: int) -> float:
    catalog = default_catalog()
    intakes = [parse_intake(data) for data in INTAKES]
    for intake in intakes:  # warm the caches (rules, screening, instruments)
        prescribe(intake, catalog)
    times = []
    for _ in range(repeat):
        for intake in intakes:
            start = time.perf_counter()
            prescribe(intake, catalog)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def median_seconds(command: list[str], starts: int, stdin: str | None = None) -> float:
    times = []
    for _ in range(starts):
        start = time.perf_counter()
        subprocess.run(command, input=stdin, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=500, help="prescribe calls per intake")
    parser.add_argument("--starts", type=int, default=7, help="process starts per command")
    args = parser.parse_args()

    prescribe_ms = median_prescribe_ms(args.repeat)
    print(f"prescribe: median {prescribe_ms:.2f} ms over {args.repeat * len(INTAKES)} calls (target < 5 ms)")

    with tempfile.TemporaryDirectory() as tmp:
        intake_file = Path(tmp) / "intake.json"
        intake_file.write_text(json.dumps(INTAKES[1]), encoding="utf-8")
        baseline = median_seconds([sys.executable, "-c", "pass"], args.starts)
        plan = median_seconds(
            [sys.executable, "-m", "lumbar", "plan", "--intake", str(intake_file), "--json"], args.starts
        )
        readable = median_seconds(
            [sys.executable, "-m", "lumbar", "plan", "--intake", str(intake_file)], args.starts
        )
    print(f"python -c pass: median {baseline * 1000:.0f} ms")
    print(
        f"lumbar plan --json: median {plan * 1000:.0f} ms, {plan / baseline:.1f}x python -c pass (target < 1 s)"
    )
    print(f"lumbar plan (table): median {readable * 1000:.0f} ms, {readable / baseline:.1f}x python -c pass")


if __name__ == "__main__":
    main()
