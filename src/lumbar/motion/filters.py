"""Cleaning landmark tracks: bridging short dropouts, and the One-Euro filter against jitter.

Pose estimators lose a joint for a frame or two (a hand passes in front of a knee) and jitter by a few
pixels from frame to frame. Short gaps are bridged by straight lines; longer ones stay missing, so that
nothing is invented while the person was out of view. The One-Euro filter (Casiez, Roussel and Vogel,
CHI 2012) smooths hard when a joint is nearly still and little when it moves fast, which removes
jitter without making quick movements lag.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def fill_gaps(track: FloatArray, max_gap: int) -> FloatArray:
    """Bridge runs of at most `max_gap` missing (NaN) samples by linear interpolation, per column.

    `track` is (T,) or (T, C). Gaps at the very start or end, and longer gaps, stay NaN.
    """
    out = np.array(track, dtype=np.float64, copy=True)
    columns = out.reshape(out.shape[0], -1)
    for c in range(columns.shape[1]):
        _fill_column(columns[:, c], max_gap)
    return out


def _fill_column(column: FloatArray, max_gap: int) -> None:
    missing = np.isnan(column)
    if not missing.any() or missing.all() or max_gap <= 0:
        return
    # Gap runs: where `missing` switches on and off.
    edges = np.diff(np.concatenate(([0], missing.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)  # exclusive
    for start, end in zip(starts, ends, strict=True):
        if start == 0 or end == column.shape[0] or end - start > max_gap:
            continue
        before, after = column[start - 1], column[end]
        steps = np.arange(1, end - start + 1) / (end - start + 1)
        column[start:end] = before + (after - before) * steps


class OneEuro:
    """The One-Euro filter's settings.

    `min_cutoff` (Hz) sets the smoothing of a still signal; `beta` raises the cutoff with speed (per
    unit of the signal per second); `d_cutoff` (Hz) smooths the speed estimate itself.
    """

    def __init__(self, min_cutoff: float, beta: float, d_cutoff: float = 1.0) -> None:
        if min_cutoff <= 0 or d_cutoff <= 0 or beta < 0:
            raise ValueError("One-Euro cutoffs must be positive and beta not negative")
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.d_cutoff = d_cutoff

    def apply(self, track: FloatArray, fps: float) -> FloatArray:
        """Filter each column of `track` (T,) or (T, C) sampled at `fps`; NaN restarts the filter."""
        out = np.array(track, dtype=np.float64, copy=True)
        columns = out.reshape(out.shape[0], -1)
        for c in range(columns.shape[1]):
            column = columns[:, c]
            valid = ~np.isnan(column)
            if not valid.any():
                continue
            edges = np.diff(np.concatenate(([0], valid.view(np.int8), [0])))
            for start, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
                column[start:end] = self._run(column[start:end].tolist(), fps)
        return out

    def _run(self, samples: list[float], fps: float) -> list[float]:
        # Plain floats: for one channel this is several times faster than numpy per step.
        two_pi = 2.0 * math.pi
        alpha_d = 1.0 / (1.0 + fps / (two_pi * self.d_cutoff))
        rate = fps / two_pi
        min_cutoff, beta = self.min_cutoff, self.beta
        smoothed = samples[0]
        speed = 0.0
        out = [0.0] * len(samples)
        for i, x in enumerate(samples):
            # As in the reference implementation, speed is taken against the last filtered value.
            speed += alpha_d * ((x - smoothed) * fps - speed)
            alpha = 1.0 / (1.0 + rate / (min_cutoff + beta * abs(speed)))
            smoothed += alpha * (x - smoothed)
            out[i] = smoothed
        return out
