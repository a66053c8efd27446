"""The rep state machine, hold detection and fault persistence, on hand-made signals."""

from __future__ import annotations

import numpy as np

from lumbar.motion.faults import lasting, violations
from lumbar.motion.reps import count_reps, find_holds

FPS = 30.0


def seconds(*pieces: tuple[float, float, float]) -> np.ndarray:
    """A signal from (start value, end value, seconds) ramps."""
    parts = [np.linspace(a, b, round(s * FPS), endpoint=False) for a, b, s in pieces]
    return np.concatenate(parts)


def bridge_reps(n: int, top: float = 0.0, rest: float = -45.0) -> np.ndarray:
    one = [(rest, rest, 1.0), (rest, top, 1.0), (top, top, 1.0), (top, rest, 1.0)]
    return seconds(*(one * n), (rest, rest, 1.0))


def reps_in(signal: np.ndarray, usable: np.ndarray | None = None, **kw: float) -> int:
    rule = {"enter": -15.0, "exit": -30.0, "min_seconds": 1.0, "max_seconds": 30.0} | kw
    mask = np.ones(signal.shape[0], dtype=bool) if usable is None else usable
    return len(count_reps(signal, mask, FPS, **rule))


def test_each_trip_from_rest_past_enter_and_back_past_exit_is_one_rep() -> None:
    assert reps_in(bridge_reps(5)) == 5


def test_jitter_around_one_threshold_never_counts_twice() -> None:
    rng = np.random.default_rng(1)
    signal = bridge_reps(3, top=-14.0)  # the top only just passes enter...
    signal += rng.normal(0, 1.5, signal.shape[0])  # ...and jitters across it many times
    assert reps_in(signal) == 3


def test_a_movement_that_stops_between_the_thresholds_is_not_a_rep() -> None:
    assert reps_in(bridge_reps(4, top=-20.0)) == 0


def test_no_rep_is_counted_before_the_start_position_has_been_held() -> None:
    # The recording starts at the top of a bridge (getting into position), dips through the start
    # zone for under half a second, and does one more lift.
    signal = seconds((0, 0, 1.0), (0, -45, 0.3), (-45, 0, 1.0), (0, -45, 1.0), (-45, -45, 1.0))
    assert reps_in(signal) == 0
    # Resting a full second first arms the counter, and the same lift counts.
    signal = seconds(
        (0, 0, 1.0), (0, -45, 0.3), (-45, -45, 1.0), (-45, 0, 1.0), (0, -45, 1.0), (-45, -45, 1.0)
    )
    assert reps_in(signal) == 1


def test_reps_quicker_than_the_minimum_or_slower_than_the_maximum_do_not_count() -> None:
    quick = seconds((-45, -45, 1.0), (-45, 0, 0.2), (0, -45, 0.2), (-45, -45, 1.0))
    assert reps_in(quick) == 0
    slow = seconds((-45, -45, 1.0), (-45, 0, 1.0), (0, 0, 40.0), (0, -45, 1.0), (-45, -45, 1.0))
    assert reps_in(slow) == 0
    assert reps_in(slow, max_seconds=60.0) == 1


def test_losing_sight_of_the_person_mid_rep_drops_that_rep_and_rearms() -> None:
    signal = bridge_reps(3)
    usable = np.ones(signal.shape[0], dtype=bool)
    usable[round(6.5 * FPS) : round(7 * FPS)] = False  # during the top of the second rep
    assert reps_in(signal, usable) == 2


def test_a_falling_signal_counts_when_enter_is_below_exit() -> None:
    knee_to_chest = seconds(
        *[(135, 135, 1.0), (135, 60, 1.5), (60, 60, 3.0), (60, 135, 1.5)] * 3, (135, 135, 1)
    )
    spans = count_reps(
        knee_to_chest,
        np.ones(knee_to_chest.shape[0], dtype=bool),
        FPS,
        enter=85,
        exit=105,
        min_seconds=1,
        max_seconds=60,
    )
    assert len(spans) == 3
    # Time at the working end is the hold: 3 s plus the parts of the ramps below 85 degrees.
    assert all(3.5 < span.work_frames / FPS < 4.5 for span in spans)


def test_a_hold_is_time_inside_the_band_and_brief_wobbles_do_not_end_it() -> None:
    signal = seconds((90, 90, 2.0), (0, 0, 10.0), (90, 90, 2.0), (0, 0, 2.0), (90, 90, 1.0))
    signal[round(6 * FPS) : round(6.3 * FPS)] = 90  # a 0.3 s wobble out of the band
    holds = find_holds(signal, np.ones(signal.shape[0], dtype=bool), FPS, low=-20, high=20, min_seconds=3)
    assert [(h.start / FPS, h.end / FPS) for h in holds] == [(2.0, 12.0)]  # the 2 s hold is too short


def test_a_fault_must_last_before_it_is_reported() -> None:
    values = np.zeros(90)
    values[10:13] = -20  # 0.1 s: noise
    values[40:60] = -20  # 0.67 s: real
    phase = np.ones(90, dtype=bool)
    kept = lasting(violations(values, "<", -10), phase, FPS)
    assert np.flatnonzero(kept).tolist() == list(range(40, 60))


def test_a_fault_filling_a_whole_brief_phase_counts_even_if_the_phase_is_short() -> None:
    values = np.full(90, -20.0)
    phase = np.zeros(90, dtype=bool)
    phase[30:33] = True  # the 0.1 s bottom of a quick rep
    assert lasting(violations(values, "<", -10), phase, FPS).sum() == 3


def test_missing_values_never_count_as_a_fault() -> None:
    values = np.array([np.nan, -20.0, np.nan])
    assert violations(values, "<", -10).tolist() == [False, True, False]
    assert violations(values, ">", -30).tolist() == [False, True, False]
