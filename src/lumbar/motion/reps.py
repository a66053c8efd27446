"""Counting reps and timing holds from one signal.

Reps use a hysteresis state machine. Each frame falls in a zone: REST (at or past `exit`, the start
position), WORK (at or past `enter`, the working end), BETWEEN, or OFF (the person is not in the
exercise position or not seen). The counter arms only after the person has rested in the start
position for a moment, so getting down to the floor or walking into the picture is never counted; a
rep is REST -> WORK -> REST, and it counts only if it took a plausible time. Jitter around one
threshold cannot count twice because the signal must cross both.

The machine steps over runs of equal zones rather than single frames, which keeps it fast on long
recordings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# The start position must be held this long before reps are counted (a measurement convention).
ARM_SECONDS = 0.5
# A hold survives brief wobbles out of its band (or brief tracking loss) up to this long.
HOLD_WOBBLE_SECONDS = 0.5


class Zone(IntEnum):
    OFF = 0
    REST = 1
    BETWEEN = 2
    WORK = 3


@dataclass(frozen=True)
class RepSpan:
    """One counted rep, in frame indices: [start, end) from leaving rest to being back at rest."""

    start: int
    end: int
    work: tuple[tuple[int, int], ...]  # [start, end) runs spent at the working end
    last_work_end: int
    rest_start: int  # where the stay in the start position before the rep began (for its range)

    @property
    def work_frames(self) -> int:
        return sum(end - start for start, end in self.work)


@dataclass(frozen=True)
class HoldSpan:
    start: int
    end: int  # exclusive


def zones(signal: FloatArray, usable: BoolArray, enter: float, exit: float) -> NDArray[np.int8]:
    """The zone of every frame. `enter` beyond `exit` in the direction of the movement."""
    rising = enter > exit
    directed = signal if rising else -signal
    top, bottom = (enter, exit) if rising else (-enter, -exit)
    zone = np.full(signal.shape[0], Zone.BETWEEN, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        zone[directed >= top] = Zone.WORK
        zone[directed <= bottom] = Zone.REST
    zone[~usable | np.isnan(signal)] = Zone.OFF
    return zone


def runs(values: NDArray[np.int8] | BoolArray) -> list[tuple[int, int, int]]:
    """(start, end, value) for each run of equal values; end is exclusive."""
    if values.shape[0] == 0:
        return []
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [values.shape[0]]))
    return [(int(s), int(e), int(values[s])) for s, e in zip(starts, ends, strict=True)]


def count_reps(
    signal: FloatArray,
    usable: BoolArray,
    fps: float,
    *,
    enter: float,
    exit: float,
    min_seconds: float,
    max_seconds: float,
) -> list[RepSpan]:
    """The reps in one signal (see the module docstring for the rules)."""
    arm_frames = max(1, round(ARM_SECONDS * fps))
    min_frames, max_frames = min_seconds * fps, max_seconds * fps
    reps: list[RepSpan] = []
    armed = False
    in_rep = False
    rest_start = rest_end = rep_start = last_work_end = rep_rest_start = 0
    work: list[tuple[int, int]] = []
    for start, end, zone in runs(zones(signal, usable, enter, exit)):
        if zone == Zone.OFF:
            armed = in_rep = False
            continue
        if not armed:
            if zone == Zone.REST and end - start >= arm_frames:
                armed, rest_start, rest_end = True, start, end
            continue
        if not in_rep:
            if zone == Zone.REST:
                rest_start, rest_end = start, end
            elif zone == Zone.WORK:
                in_rep, rep_start, work, last_work_end = True, rest_end, [(start, end)], end
                rep_rest_start = rest_start
            continue
        if zone == Zone.WORK:
            work.append((start, end))
            last_work_end = end
        elif zone == Zone.REST:
            if min_frames <= start - rep_start <= max_frames:
                reps.append(RepSpan(rep_start, start, tuple(work), last_work_end, rep_rest_start))
            in_rep, rest_start, rest_end = False, start, end
        elif start - rep_start > max_frames:
            # Too long away from the start position to be one rep: wait for a fresh start.
            in_rep = armed = False
    return reps


def find_holds(
    signal: FloatArray, usable: BoolArray, fps: float, *, low: float, high: float, min_seconds: float
) -> list[HoldSpan]:
    """Stretches where the signal stays inside [low, high] for at least `min_seconds`.

    Wobbles out of the band shorter than HOLD_WOBBLE_SECONDS do not end a hold.
    """
    with np.errstate(invalid="ignore"):
        inside = usable & (signal >= low) & (signal <= high)
    wobble = round(HOLD_WOBBLE_SECONDS * fps)
    spans: list[list[int]] = []
    for start, end, value in runs(inside):
        if not value:
            continue
        if spans and start - spans[-1][1] <= wobble:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [HoldSpan(s, e) for s, e in spans if (e - s) / fps >= min_seconds]
