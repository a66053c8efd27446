"""PDF speed, measured in one run on this machine, printed as ratios against the targets (CPU time of
this process, so that other work on the machine does not count).

1. Loading WeasyPrint (and Pango) in a new process: once per CLI run or web worker.
2. A 12-week progress report from a History (a simulated person, Monday-to-Friday sessions, daily
   check-ins, four reassessments): replaying the review on each day, the chart, the layout and the
   PDF. Target: under 3 s.
3. A handout of a desk worker's program with leg symptoms (4 exercises, movement breaks), its
   figures already drawn (as the web app's figure cache has them). Target: under 3 s.

Run: .venv/bin/python bench/bench_pdf.py
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # tests/simulator.py lives a person's twelve weeks

from lumbar.domain.catalog import default_catalog  # noqa: E402
from lumbar.domain.history import parse_history  # noqa: E402
from lumbar.domain.intake import parse_intake  # noqa: E402
from lumbar.domain.prescription import prescribe  # noqa: E402
from lumbar.reports import handout, report  # noqa: E402
from lumbar.reports.pdf import available  # noqa: E402
from simulator import Patient, run  # noqa: E402

REPORT_TARGET = 3.0
HANDOUT_TARGET = 3.0
INTAKE = {
    "age": 45,
    "episode_weeks": 3,
    "pain": {"now": 4},
    "leg_symptoms": "below_knee",
    "leg_side": "left",
    "directional_preference": "extension",
    "occupation": "desk",
}


def cpu(work: object) -> tuple[float, object]:
    start = time.process_time()
    result = work()  # type: ignore[operator]
    return time.process_time() - start, result


def main() -> int:
    catalog = default_catalog()
    seconds, missing = cpu(available)
    if missing:
        print(f"PDFs are not available here: {missing}")
        return 1
    print(f"load WeasyPrint: {seconds:.2f} s")

    history = parse_history(run(Patient(days=84), catalog).history, catalog=catalog)
    made = date(2026, 12, 3)
    seconds, pdf = cpu(lambda: report.report_pdf(report.from_history(history, catalog=catalog), made_on=made))
    print(
        f"12-week report: {seconds:.2f} s, {len(pdf) / 1024:.0f} KiB ({seconds / REPORT_TARGET:.2f} of the target)"
    )  # type: ignore[arg-type]

    program = prescribe(parse_intake(INTAKE), catalog).to_json()
    figures = handout.default_figures(catalog)
    drawn = {(e["id"], f): figures(e["id"], f) for e in program["exercises"] for f in ("start", "end")}
    seconds, pdf = cpu(
        lambda: handout.handout_pdf(program, printed_on=made, figures=lambda i, f: drawn[(i, f)])
    )
    print(
        f"handout: {seconds:.2f} s, {len(pdf) / 1024:.0f} KiB ({seconds / HANDOUT_TARGET:.2f} of the target)"
    )  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
