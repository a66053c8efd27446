"""The live check's incremental analysis (lumbar.motion.live): samples at the browser's uneven rate put
on an even grid, a bounded window per update, reps counted once as they end, holds timed across
windows, and one cue at a time."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from tests.formcheck_helpers import synthetic

from lumbar.domain.catalog import default_catalog
from lumbar.domain.errors import InvalidInput
from lumbar.motion import live
from lumbar.motion.analyze import analyze, check_spec_of
from lumbar.motion.checkspec import CheckSpec


def spec(exercise_id: str) -> CheckSpec:
    return check_spec_of(default_catalog().exercise(exercise_id))


def run_live(exercise_id: str, recording: object, *, keep: np.ndarray | None = None, every_ms: float = 500.0):
    """Feed a recording as the page would (a batch every `every_ms`), the window the state asks for."""
    frames = recording.frames  # type: ignore[attr-defined]
    times = np.arange(frames.shape[0]) * 1000.0 / recording.fps  # type: ignore[attr-defined]
    if keep is not None:
        times, frames = times[keep], frames[keep]
    state = live.LiveState()
    readings = []
    windows = []
    end = every_ms
    while end <= times[-1] + every_ms:
        newest_ms = min(end, times[-1])
        start = state.window_start(newest_ms / 1000.0)
        mask = (times >= start * 1000.0) & (times <= newest_ms)
        if mask.any():
            window = live.Samples(times[mask], frames[mask])
            windows.append(window.times_ms[-1] - window.times_ms[0])
            reading, state = live.update(exercise_id, spec(exercise_id), window, state)
            readings.append(reading)
        end += every_ms
    return readings, state, windows


def test_samples_are_joined_by_straight_lines_on_an_even_grid() -> None:
    values = np.zeros((3, 33, 4), dtype=np.float32)
    values[1, :, 0] = 0.5
    values[2, :, 0] = 1.0
    recording = live.resample(live.Samples(np.array([0.0, 200.0, 400.0]), values), fps=10.0)
    assert recording.fps == 10.0
    assert recording.frame_count == 5
    assert recording.frames[:, 0, 0].tolist() == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])


def test_a_gap_of_more_than_three_seconds_is_left_empty_rather_than_bridged() -> None:
    values = np.ones((2, 33, 4), dtype=np.float32)
    recording = live.resample(live.Samples(np.array([0.0, 3500.0]), values), fps=10.0)
    assert recording.frame_count == 36
    assert not np.isnan(recording.frames[0]).any()
    assert np.isnan(recording.frames[1:35]).all()
    assert not np.isnan(recording.frames[35]).any()


def test_samples_a_slow_computer_gives_two_seconds_apart_are_joined() -> None:
    values = np.ones((2, 33, 4), dtype=np.float32)
    recording = live.resample(live.Samples(np.array([0.0, 2000.0]), values), fps=10.0)
    assert not np.isnan(recording.frames).any()


def test_a_moment_without_a_person_stays_empty_and_does_not_smear_into_its_neighbours() -> None:
    values = np.ones((3, 33, 4), dtype=np.float32)
    values[1] = np.nan
    recording = live.resample(live.Samples(np.array([0.0, 100.0, 200.0]), values), fps=20.0)
    assert recording.frame_count == 5
    assert np.isnan(recording.frames[1:4]).all()


def test_eight_squats_sampled_unevenly_count_eight_one_at_a_time_as_the_full_check_does() -> None:
    recording = synthetic("squat", reps=8, fps=30.0, noise=0.003)
    rng = np.random.default_rng(3)
    keep = np.sort(rng.choice(recording.frame_count, size=recording.frame_count // 3, replace=False))
    readings, state, _ = run_live("squat", recording, keep=keep)
    counts = [r.reps for r in readings]
    assert counts[-1] == 8
    assert all(b - a in (0, 1) for a, b in itertools.pairwise(counts))
    assert len(state.reps) == 8
    assert analyze("squat", spec("squat"), recording).rep_count == 8


def test_each_update_looks_at_a_bounded_window_however_long_the_set() -> None:
    recording = synthetic("squat", reps=20, fps=15.0)
    _, _, windows = run_live("squat", recording)
    assert recording.frame_count / recording.fps > 2 * live.WINDOW_SECONDS
    assert max(windows) <= live.WINDOW_SECONDS * 1000.0


def test_a_rep_seen_again_in_a_later_window_is_not_counted_again() -> None:
    recording = synthetic("glute-bridge", reps=3, fps=15.0)
    times = np.arange(recording.frame_count) * 1000.0 / recording.fps
    whole = live.Samples(times, recording.frames)
    _, state = live.update("glute-bridge", spec("glute-bridge"), whole, live.LiveState())
    assert len(state.reps) == 3
    again, state_again = live.update("glute-bridge", spec("glute-bridge"), whole, state)
    assert again.reps == 3
    assert state_again.reps == state.reps


def test_a_hold_longer_than_the_window_is_timed_from_where_it_began() -> None:
    recording = synthetic("front-plank", reps=1, fps=15.0, hold_seconds=45.0)
    readings, state, _ = run_live("front-plank", recording)
    timed = [r.hold_seconds for r in readings if r.hold_seconds is not None]
    assert max(timed) > live.WINDOW_SECONDS + 20
    assert timed == sorted(timed)
    whole = analyze(
        "front-plank",
        spec("front-plank"),
        live.resample(
            live.Samples(np.arange(recording.frame_count) * 1000.0 / recording.fps, recording.frames)
        ),
    )
    assert len(state.holds) == 1
    assert state.holds[0] == pytest.approx(whole.holds[0].seconds, abs=1.0)


def test_the_state_survives_its_json_round_trip() -> None:
    recording = synthetic("squat", reps=2, fps=15.0)
    _, state, _ = run_live("squat", recording)
    assert live.LiveState.from_json(state.to_json()) == state


def test_a_fault_in_the_rep_just_done_is_the_cue_in_its_first_clause() -> None:
    assert (
        live.short_cue(
            "Keep your heels on the floor: go down only as far as you can with your weight through your whole foot."
        )
        == "Keep your heels on the floor."
    )
    assert live.short_cue("Roll down and come back up slowly, without bouncing.") == (
        "Roll down and come back up slowly, without bouncing."
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "batch: 'samples' must be a non-empty list"),
        ([[0.0, 1.0, 2.0]], "batch: sample 0 must be [time] or [time, 132 numbers]"),
        ([[0.0, *([True] * 132)]], "batch: sample 0 holds something that is not a number"),
        ([[-5.0]], "batch: sample times must rise, from 0 to 15 minutes"),
        ([[10.0], [10.0]], "batch: sample times must rise, from 0 to 15 minutes"),
        ([[16 * 60_000.0]], "batch: sample times must rise, from 0 to 15 minutes"),
    ],
)
def test_malformed_samples_are_refused_with_one_sentence(rows: list[list[float]], message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        live.parse_samples(rows)
    assert str(raised.value) == message


def test_a_stall_of_the_page_is_cut_from_the_whole_recording_not_counted_as_out_of_view() -> None:
    recording = synthetic("squat", reps=4, fps=15.0)
    times = np.arange(recording.frame_count) * 1000.0 / recording.fps
    stalled = times + np.where(times > times[-1] / 2, 30_000.0, 0.0)  # 30 s with no frame looked at
    samples = live.Samples(stalled, recording.frames)
    as_sent = analyze("squat", spec("squat"), live.resample(samples))
    cut = live.resample(live.without_stalls(samples))
    assert not as_sent.visibility.ok  # the stall alone would read as "can't see you"
    assert cut.frame_count < recording.frame_count + round(recording.fps * (live.MAX_GAP_MS / 1000 + 0.2))
    assert np.isnan(cut.frames).all(axis=(1, 2)).any()  # nothing is joined across the cut
    result = analyze("squat", spec("squat"), cut)
    assert result.visibility.ok
    assert result.rep_count == 4  # the stall fell between the second and the third squat
    assert [round(r.start_seconds - result.reps[0].start_seconds, 1) for r in result.reps] == [
        0.0,
        4.5,
        11.9,
        16.5,
    ]
