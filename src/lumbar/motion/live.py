"""The live camera check: keypoints arrive from the browser a few seconds at a time, and the counter,
hold timer and one short cue are given back while the set goes on.

The browser samples at whatever rate its pose model manages (a phone 20-30 a second, a laptop without
a GPU one or two), so the samples are first put on an even time grid (`resample`), which is what the
rest of the motion pipeline expects. Each update then runs the ordinary `analyze` on a bounded window
at the end of the recording rather than on all of it, so the work per update stays the same however
long the set goes on; reps and holds already given to the person are remembered in `LiveState` and a
rep seen again in a later window is not counted twice. When the set ends, the whole recording goes
through `analyze` once, and that is the verdict that is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lumbar.domain.errors import InvalidInput
from lumbar.motion.analyze import CAMERA_SETUP, FormResult, analyze
from lumbar.motion.checkspec import CheckSpec
from lumbar.motion.landmarks import Recording

# Measurement conventions of the live check (not clinical thresholds).
GRID_FPS = 15.0  # the even rate the samples are put on; the pipeline's time constants assume >= 10
# The page sends a sample for every frame its model looked at, with or without a person in it, so a
# stretch with no sample at all means the device was slow, not that the person went: neighbours are
# joined up to this far apart (a computer without a GPU under load looks at a frame every 0.6-2 s).
# Beyond it the page was most likely hidden or stalled, and nothing is made up.
MAX_GAP_MS = 3000.0
WINDOW_SECONDS = 20.0  # the most of the recording one update looks at
# A window reaches back this far before the last rep already counted, so that the rest before the next
# rep (which arms the counter) is inside it.
LOOK_BACK_SECONDS = 2.0
RECENT_SECONDS = 1.5  # "right now": the stretch the position and visibility cues are judged on ...
RECENT_SAMPLES = 4  # ... or the last few samples, when they come slower than that
SETTLE_SECONDS = 2.0  # no "can't see you" before the set has run this long (the person gets placed)
ONGOING_SLACK_SECONDS = 0.5  # a hold that ends this close to the newest sample is still going on
LANDMARKS = 33  # BlazePose, as the browser's @mediapipe/pose gives them
VALUES_PER_LANDMARK = 4  # x, y, z, visibility
MAX_SET_SECONDS = 15 * 60.0  # a set longer than this is not one set: the check refuses more samples


@dataclass(frozen=True)
class LiveRep:
    start: float  # seconds since the set started
    end: float
    side: str | None
    faults: tuple[str, ...]


@dataclass(frozen=True)
class LiveState:
    """What has been told to the person so far; stored between updates as JSON."""

    reps: tuple[LiveRep, ...] = ()
    holds: tuple[float, ...] = ()  # finished holds, in seconds
    hold_start: float | None = None  # the hold going on now, since (seconds since the set started)
    hold_seen: float | None = None  # ... and when it was last seen going on
    cue: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "reps": [[r.start, r.end, r.side, list(r.faults)] for r in self.reps],
            "holds": list(self.holds),
            "hold_start": self.hold_start,
            "hold_seen": self.hold_seen,
            "cue": self.cue,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> LiveState:
        if not doc:
            return cls()
        return cls(
            reps=tuple(LiveRep(float(s), float(e), side, tuple(f)) for s, e, side, f in doc.get("reps", [])),
            holds=tuple(float(h) for h in doc.get("holds", [])),
            hold_start=None if doc.get("hold_start") is None else float(doc["hold_start"]),
            hold_seen=None if doc.get("hold_seen") is None else float(doc["hold_seen"]),
            cue=str(doc.get("cue", "")),
        )

    def window_start(self, newest: float) -> float:
        """Where the next update's window begins (seconds since the set started)."""
        start = newest - WINDOW_SECONDS
        if self.reps:
            start = max(start, min(self.reps[-1].start - LOOK_BACK_SECONDS, newest - WINDOW_SECONDS / 2))
        return max(0.0, start)


@dataclass(frozen=True)
class LiveReading:
    """What the counter shows now."""

    reps: int
    hold_seconds: float | None  # the hold going on now
    holds: tuple[float, ...]  # finished holds
    cue: str  # one short sentence, or "" when there is nothing to say
    cue_kind: str  # "see" (the camera cannot see), "position", "fault", "rep" or ""
    seen: bool
    newest: float  # seconds since the set started, of the newest sample

    def to_json(self) -> dict[str, Any]:
        return {
            "reps": self.reps,
            "hold_seconds": None if self.hold_seconds is None else round(self.hold_seconds, 1),
            "holds": [round(h, 1) for h in self.holds],
            "cue": self.cue,
            "cue_kind": self.cue_kind,
            "seen": self.seen,
            "newest_seconds": round(self.newest, 2),
        }


@dataclass(frozen=True)
class Samples:
    """Keypoints as the browser sent them: times in ms since the set started, and (N, 33, 4) values;
    a sample in which no person was found is all NaN."""

    times_ms: NDArray[np.float64]
    values: NDArray[np.float32]
    image_size: tuple[int, int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return int(self.times_ms.shape[0])

    def since(self, seconds: float) -> Samples:
        keep = self.times_ms >= seconds * 1000.0
        return replace(self, times_ms=self.times_ms[keep], values=self.values[keep])


def parse_samples(rows: Any, what: str = "batch") -> tuple[NDArray[np.float64], NDArray[np.float32]]:
    """Validate the browser's rows: each [t_ms] (nobody seen) or [t_ms, 33 x (x, y, z, visibility)]."""
    if not isinstance(rows, list) or not rows:
        raise InvalidInput(f"{what}: 'samples' must be a non-empty list")
    width = 1 + LANDMARKS * VALUES_PER_LANDMARK
    times = np.empty(len(rows), dtype=np.float64)
    values = np.full((len(rows), LANDMARKS, VALUES_PER_LANDMARK), np.nan, dtype=np.float32)
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) not in (1, width):
            raise InvalidInput(f"{what}: sample {i} must be [time] or [time, {width - 1} numbers]")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in row):
            raise InvalidInput(f"{what}: sample {i} holds something that is not a number")
        numbers = np.asarray(row, dtype=np.float64)
        if not np.isfinite(numbers).all() or np.abs(numbers[1:]).max(initial=0.0) > 10.0:
            raise InvalidInput(f"{what}: sample {i} has a value out of range")
        times[i] = numbers[0]
        if len(row) == width:
            values[i] = numbers[1:].reshape(LANDMARKS, VALUES_PER_LANDMARK)
    if times[0] < 0 or times[-1] > MAX_SET_SECONDS * 1000.0 or (np.diff(times) <= 0).any():
        raise InvalidInput(f"{what}: sample times must rise, from 0 to {MAX_SET_SECONDS / 60:g} minutes")
    return times, values


def without_stalls(samples: Samples) -> Samples:
    """The samples with every gap longer than MAX_GAP_MS shortened to just over it: the time the page
    looked at nothing (a stalled or busy device) is left out of the recording rather than counted as
    time the person was out of view; the gap stays long enough that nothing is joined across it."""
    times = samples.times_ms
    if times.shape[0] < 2:
        return samples
    gaps = np.diff(times)
    excess = np.where(gaps > MAX_GAP_MS, gaps - (MAX_GAP_MS + 1.0), 0.0)
    return replace(samples, times_ms=times - np.concatenate(([0.0], np.cumsum(excess))))


def resample(samples: Samples, fps: float = GRID_FPS) -> Recording:
    """The samples on an even grid from the first sample's time: straight lines between neighbours up
    to MAX_GAP_MS apart, nothing (NaN) across longer gaps or next to a sample without a person."""
    times, values = samples.times_ms, samples.values.astype(np.float64)
    step = 1000.0 / fps
    if times.shape[0] == 0:
        grid = np.empty(0)
    else:
        grid = times[0] + step * np.arange(int((times[-1] - times[0]) // step) + 1)
    right = np.clip(np.searchsorted(times, grid, side="left"), 0, max(0, times.shape[0] - 1))
    left = np.clip(right - 1, 0, None)
    exact = times[right] == grid if times.shape[0] else np.zeros(0, dtype=np.bool_)
    left = np.where(exact, right, left)
    span = times[right] - times[left]
    weight = np.divide(grid - times[left], span, out=np.zeros_like(grid), where=span > 0)
    frames = values[left] * (1.0 - weight)[:, None, None] + values[right] * weight[:, None, None]
    frames[span > MAX_GAP_MS] = np.nan
    return Recording(
        landmark_set="blazepose33",
        fps=fps,
        frames=frames.astype(np.float32),
        coordinates="normalized",
        image_size=samples.image_size,
        extra=dict(samples.extra),
    )


def short_cue(message: str) -> str:
    """The first clause of a fault's message: enough to say while moving."""
    head = message.split(":", 1)[0].split(". ", 1)[0].strip().rstrip(".")
    return head + "."


def _see_cue(spec: CheckSpec) -> str:
    setup = CAMERA_SETUP[spec.view or "side"]
    return "I can't see all of you. " + setup.split(",")[0] + "."


def update(
    exercise_id: str, spec: CheckSpec, window: Samples, state: LiveState
) -> tuple[LiveReading, LiveState]:
    """One live update: `window` is the end of the recording from `state.window_start(newest)` on."""
    if window.count == 0:
        raise InvalidInput("no samples to check")
    origin = float(window.times_ms[0]) / 1000.0
    newest = float(window.times_ms[-1]) / 1000.0
    recording = resample(window)
    result = analyze(exercise_id, spec, recording)
    recent = _recent(exercise_id, spec, window, newest)

    reps = _new_reps(state.reps, result, origin)
    holds, hold_start, hold_seen = _holds(state, result, origin, newest)
    counted = replace(state, reps=reps, holds=holds, hold_start=hold_start, hold_seen=hold_seen)
    cue, kind = _cue(spec, result, recent, state, counted)
    seen = result.visibility.ok and (recent is None or recent.visibility.ok)
    hold_now = newest - hold_start if hold_start is not None else None
    reading = LiveReading(len(reps), hold_now, holds, cue, kind, seen, newest)
    return reading, replace(counted, cue=cue)


def _recent(exercise_id: str, spec: CheckSpec, window: Samples, newest: float) -> FormResult | None:
    """The analysis of the last moment alone: is the person in view and in position right now?"""
    since = newest - RECENT_SECONDS
    if window.count >= RECENT_SAMPLES:
        since = min(since, float(window.times_ms[-RECENT_SAMPLES]) / 1000.0)
    tail = window.since(since)
    if tail.count < 2:
        return None
    return analyze(exercise_id, spec, resample(tail))


def _new_reps(counted: tuple[LiveRep, ...], result: FormResult, origin: float) -> tuple[LiveRep, ...]:
    """Reps of this window not yet counted: a rep whose middle comes after the end of the last rep
    counted on its side (a rep seen again in a later window lies before that end)."""
    reps = list(counted)
    for rep in result.reps:
        start, end = origin + rep.start_seconds, origin + rep.end_seconds
        last = next((r for r in reversed(reps) if r.side == rep.side), None)
        if last is None or (start + end) / 2 > last.end:
            reps.append(LiveRep(round(start, 3), round(end, 3), rep.side, rep.faults))
    return tuple(reps)


def _holds(
    state: LiveState, result: FormResult, origin: float, newest: float
) -> tuple[tuple[float, ...], float | None, float | None]:
    """Finished holds, and the start of the one going on now and when it was last seen."""
    holds = list(state.holds)
    last = result.holds[-1] if result.holds else None
    if last is not None and newest - (origin + last.end_seconds) <= ONGOING_SLACK_SECONDS:
        start = origin + last.start_seconds
        # A hold longer than the window starts where the window does: the start already seen stands.
        # Smoothing moves a hold's edges by a frame or two between windows: the same hold is still the
        # one that started then.
        same = state.hold_start is not None and (
            last.start_seconds <= ONGOING_SLACK_SECONDS or abs(start - state.hold_start) < 1.0
        )
        if same and state.hold_start is not None:
            start = state.hold_start
        if state.hold_start is not None and state.hold_seen is not None and start != state.hold_start:
            holds.append(round(state.hold_seen - state.hold_start, 1))  # one ended, another began
        return tuple(holds), start, newest
    if state.hold_start is not None and state.hold_seen is not None:
        holds.append(round(state.hold_seen - state.hold_start, 1))
    return tuple(holds), None, None


def _cue(
    spec: CheckSpec, result: FormResult, recent: FormResult | None, before: LiveState, now: LiveState
) -> tuple[str, str]:
    """One cue at a time, the most useful first: can't see you, get into position, a fault in the rep
    just done, the rep count."""
    settled = result.duration_seconds >= SETTLE_SECONDS
    if settled and (not result.visibility.ok or (recent is not None and not recent.visibility.ok)):
        return _see_cue(spec), "see"
    if recent is not None and spec.position and recent.in_position_fraction < 0.5:
        return "Get into the starting position.", "position"
    if len(now.reps) > len(before.reps):
        faults = now.reps[-1].faults
        if faults:
            message = next((f.message for f in spec.faults if f.id == faults[0]), "")
            return short_cue(message), "fault"
        return f"{len(now.reps)}.", "rep"
    if now.hold_start is not None and before.hold_start is None:
        return "Hold.", "rep"
    return "", ""  # the page keeps the last cue up for a moment
