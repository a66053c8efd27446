"""Form-fault rules: a signal compared with a threshold during a phase of the exercise.

A fault is flagged only when it lasts: a fault episode shorter than FAULT_MIN_SECONDS (or than the
whole phase it sits in, for a brief top of a quick rep) is treated as tracking noise.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lumbar.motion.reps import RepSpan, runs

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Shortest fault episode worth telling someone about (a measurement convention).
FAULT_MIN_SECONDS = 0.2


def violations(values: FloatArray, comparison: str, threshold: float) -> BoolArray:
    """Frames where `values comparison threshold` holds (never where the value is missing)."""
    with np.errstate(invalid="ignore"):
        found = values < threshold if comparison == "<" else values > threshold
    return np.asarray(found & ~np.isnan(values), dtype=np.bool_)


def lasting(present: BoolArray, phase: BoolArray, fps: float) -> BoolArray:
    """Keep the episodes of `present & phase` that last long enough to be real."""
    within = present & phase
    kept = np.zeros_like(within)
    min_frames = max(1, round(FAULT_MIN_SECONDS * fps))
    for phase_start, phase_end, in_phase in runs(phase):
        if not in_phase:
            continue
        needed = min(min_frames, phase_end - phase_start)
        for start, end, value in runs(within[phase_start:phase_end]):
            if value and end - start >= needed:
                kept[phase_start + start : phase_start + end] = True
    return kept


def rep_timing(kind: str, rep: RepSpan, fps: float) -> float:
    """Seconds of a rep (`rep_seconds`) or of its way back from the working end (`return_seconds`)."""
    if kind == "rep_seconds":
        return (rep.end - rep.start) / fps
    return (rep.end - rep.last_work_end) / fps


def timing_fault(kind: str, comparison: str, threshold: float, rep: RepSpan, fps: float) -> bool:
    value = rep_timing(kind, rep, fps)
    return value < threshold if comparison == "<" else value > threshold
