"""Counting reps and timing holds from one signal.

Reps use a hysteresis state machine. Each frame falls in a zone: REST (at or past `exit`, the start
position), WORK (at or past `enter`, the working end), BETWEEN, or OFF (the person is not in the
exercise position or not seen). The counter arms only after the person has rested in the start
position for a moment, so getting down to the floor or walking into the picture is never counted; a
rep is REST -> WORK -> REST, and it counts only if it took a plausible time. Jitter around one
threshold cannot count twice because the signal must cross both.

The machine steps over runs of equal zones rather than single frames, which keeps it fast on long
recordings.

Movements taken to the person's own comfortable end (a side bend "until you feel a gentle stretch")
can also be judged against the person's own range (`count_own_range_reps`): someone whose bends
mostly fall short of the exercise's `enter` would otherwise get only the few that happen to reach
it. Their range is the median furthest point of the excursions that reach a floor (the spec's
`min_range`, which keeps fidgeting out), and a rep must reach a fixed share of it.
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
# Judged against the person's own range, a rep must reach this share of their typical excursion (a
# measurement convention, like the spec's own enter, which sits near half of a full side bend): a bend
# half as far as the person usually goes is still a rep, a twitch on the way is not.
OWN_ENTER_FRACTION = 0.5


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


@dataclass(frozen=True)
class OwnRange:
    """Reps judged against the person's own range."""

    typical: float  # the median furthest point of the person's excursions, from neutral
    enter: float  # the thresholds the reps were counted with
    exit: float
    reps: tuple[RepSpan, ...]


def count_own_range_reps(
    signal: FloatArray,
    usable: BoolArray,
    fps: float,
    *,
    enter: float,
    exit: float,
    min_range: float,
    min_seconds: float,
    max_seconds: float,
) -> OwnRange | None:
    """The reps in a signal measured from neutral (0), judged against the person's own range.

    Both thresholds are scaled down by the same factor, keeping the spec's proportions, so that
    `enter` sits at OWN_ENTER_FRACTION of the person's typical excursion, but never above the spec's
    `enter` (a full range is judged exactly as the fixed rule judges it) nor below `min_range`. None
    when no excursion reaches `min_range`. Only what the recording holds so far is used, and only
    excursions that are over: the same prefix of a growing recording always gives the same answer.
    """
    if not enter > exit >= 0 or not 0 < min_range < enter:
        raise ValueError("own range: needs enter > exit >= 0 and 0 < min_range < enter, from neutral")
    ratio = exit / enter
    rule = {"min_seconds": min_seconds, "max_seconds": max_seconds}
    # Every excursion that reaches the floor and comes back, timed like a rep: a person's range is
    # what they do in reps, not in one stray movement, nor in fidgeting below the floor.
    excursions = count_reps(signal, usable, fps, enter=min_range, exit=min_range * ratio, **rule)
    if not excursions:
        return None
    typical = float(np.median([signal[span.start : span.end].max() for span in excursions]))
    own_enter = min(enter, max(min_range, OWN_ENTER_FRACTION * typical))
    own_exit = own_enter * ratio
    reps = count_reps(signal, usable, fps, enter=own_enter, exit=own_exit, **rule)
    return OwnRange(typical, own_enter, own_exit, tuple(reps))
