"""Adherence: how many of the prescribed exercise sessions the person did over a recent window.

A session counts when at least one exercise other than walking was completed in it; several
sessions on one day count once, because the program prescribes exercise days. The number
prescribed is the program's exercise days per week (its most frequent exercise) pro rata over the
window, rounded up. A window never reaches back before the person's first record: in the first days of a
program it is shorter. The review raises a low-adherence alert once `judge_after_days` are known
(content/progression.toml: "about two weeks", since the first record is often a few days after the
program was made); before that, low adherence so far only keeps the program from being made harder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lumbar.domain.history import History


@dataclass(frozen=True)
class Adherence:
    window_days: int
    sessions_done: int
    sessions_prescribed: int
    full_window: bool

    @property
    def rate(self) -> float:
        """Done over prescribed, at most 1 (extra sessions are welcome but do not make up for missed
        ones in another week); 0 when nothing was due."""
        if not self.sessions_prescribed:
            return 0.0
        return round(min(1.0, self.sessions_done / self.sessions_prescribed), 2)

    def is_below(self, threshold: float) -> bool:
        return self.sessions_prescribed > 0 and self.rate < threshold

    def judged(self, after_days: int) -> bool:
        """Are enough days known to judge adherence (and raise an alert)? Progression does not wait:
        it needs adherence over the days known so far, however few."""
        return self.window_days >= after_days

    def to_json(self) -> dict[str, Any]:
        return {
            "window_days": self.window_days,
            "sessions_done": self.sessions_done,
            "sessions_prescribed": self.sessions_prescribed,
            "rate": self.rate,
        }


def adherence(history: History, window_days: int, *, walking_id: str) -> Adherence:
    """Sessions done and prescribed over the last `window_days` (fewer at the start of a program)."""
    known_days = (history.today - history.start).days + 1
    days = min(window_days, known_days)
    first = history.today - timedelta(days=days - 1)
    done = exercise_days(history, first, history.today, walking_id)
    return over_window(len(done), history.program.session_days_per_week, window_days, known_days)


def over_window(days_done: int, days_per_week: int, window_days: int, known_days: int) -> Adherence:
    """Adherence from counts: `days_done` exercise days in the last `window_days` (or the
    `known_days` since the first record, if fewer), of a program of `days_per_week`."""
    days = max(1, min(window_days, known_days))
    # Rounded up: on the first day of a program one session is due, not five sevenths of one.
    prescribed = math.ceil(round(days_per_week * days / 7, 9)) if days_per_week else 0
    return Adherence(
        window_days=days,
        sessions_done=days_done,
        sessions_prescribed=prescribed,
        full_window=days >= window_days,
    )


def exercise_days(history: History, first: date, last: date, walking_id: str) -> set[date]:
    return {
        session.date
        for session in history.sessions
        if first <= session.date <= last
        and any(log.completed and log.id != walking_id for log in session.exercises)
    }
