"""The pain-monitoring model (Silbernagel 2007, borrowed for back pain): what the pain says about load.

Three time scales, with every window and limit from content/progression.toml:

- During an exercise: up to the acceptable maximum (5/10) is fine; above it the exercise stops for
  the day and is made easier next time (applied per exercise in `lumbar.domain.progression`).
- The next morning: pain should be back to the person's usual level. The usual level ("baseline")
  is the median of the pain reported before sessions over the last days up to the session. Morning
  pain above it means the load was not tolerated; above it after two sessions in a row is a flare.
  The mornings that say whether the latest load was tolerated are the one after the latest session
  in which some exercise was done and the ones after any later session days (sessions with nothing
  done, or only skipped exercises): a session without load does not clear a morning that was above.
- Week to week: the person's usual pain (pre-session and morning check-in readings) must not trend
  upward: the median of the last week is compared with the week before.

A rule that lacks the readings to judge (no check-in the next morning, no pre-session pain, a thin
week) does not fire: the review says what it could not check instead of guessing.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from lumbar.domain.history import History
from lumbar.domain.progression_rules import ProgressionRules


@dataclass(frozen=True)
class MorningAfter:
    """How the morning after one session day compared with the usual pain at the time."""

    session_day: date
    baseline: float | None
    morning_pain: int | None

    @property
    def above(self) -> bool | None:
        """True above the usual level, False at or below it, None when one of the two is unknown."""
        if self.baseline is None or self.morning_pain is None:
            return None
        return self.morning_pain > self.baseline


@dataclass(frozen=True)
class PainPicture:
    mornings: tuple[MorningAfter, ...]
    flare: tuple[MorningAfter, ...]
    # The mornings after the latest session with exercise done and after every later session day.
    since_load: tuple[MorningAfter, ...]
    this_week: float | None
    last_week: float | None

    @property
    def last_morning(self) -> MorningAfter | None:
        return self.mornings[-1] if self.mornings else None

    @property
    def morning_above(self) -> MorningAfter | None:
        """The latest morning above the usual level among those after the latest session with
        exercise done and after any later session day (None when none was above)."""
        return next((m for m in reversed(self.since_load) if m.above), None)

    @property
    def trend_up(self) -> bool:
        return self.this_week is not None and self.last_week is not None and self.this_week > self.last_week


def usual_pain(history: History) -> list[tuple[date, int]]:
    """Resting pain readings, oldest first: before each session and at each morning check-in."""
    readings = [(s.date, s.pain_before) for s in history.sessions if s.pain_before is not None]
    readings += [(c.date, c.morning_pain) for c in history.checkins if c.morning_pain is not None]
    return sorted(readings, key=lambda reading: reading[0])


def baseline_on(history: History, day: date, window_days: int) -> float | None:
    """The median pre-session pain over the `window_days` ending on `day` (None without readings)."""
    first = day - timedelta(days=window_days - 1)
    values = [s.pain_before for s in history.sessions if first <= s.date <= day and s.pain_before is not None]
    return statistics.median(values) if values else None


def morning_pain_on(history: History, day: date) -> int | None:
    # Two check-ins on one morning: the higher pain counts (the cautious reading).
    values = [c.morning_pain for c in history.checkins if c.date == day and c.morning_pain is not None]
    return max(values) if values else None


def mornings_after(history: History, rules: ProgressionRules) -> tuple[MorningAfter, ...]:
    """The latest session days whose next morning has come (up to today), oldest first: as many as
    the flare rule needs to look back over."""
    days = sorted({s.date for s in history.sessions if s.date + timedelta(days=1) <= history.today})
    recent = days[-rules.next_morning.flare_after_consecutive :]
    return tuple(_morning_after(history, day, rules) for day in recent)


def mornings_since_load(history: History, rules: ProgressionRules) -> tuple[MorningAfter, ...]:
    """The mornings after the latest session day with exercise done (whose next morning has come)
    and after every later session day, oldest first; without any such session, the latest session
    day's morning."""
    days = sorted({s.date for s in history.sessions if s.date + timedelta(days=1) <= history.today})
    if not days:
        return ()
    loaded = [s.date for s in history.sessions if s.worked and s.date + timedelta(days=1) <= history.today]
    since = max(loaded, default=days[-1])
    return tuple(_morning_after(history, day, rules) for day in days if day >= since)


def _morning_after(history: History, day: date, rules: ProgressionRules) -> MorningAfter:
    """The usual pain around a session day and the pain the next morning."""
    window = rules.next_morning.baseline_window_days
    return MorningAfter(
        day, baseline_on(history, day, window), morning_pain_on(history, day + timedelta(days=1))
    )


def flare_between(
    history: History, rules: ProgressionRules, first: date, last: date
) -> tuple[MorningAfter, ...]:
    """The first flare among the sessions from `first` to `last` (the next morning above the usual
    level after that many sessions in a row), or (): a weekly review looks back over the whole week,
    not only at its last sessions."""
    days = sorted(
        {
            s.date
            for s in history.sessions
            if first <= s.date <= last and s.date + timedelta(days=1) <= history.today
        }
    )
    mornings = [_morning_after(history, day, rules) for day in days]
    needed = rules.next_morning.flare_after_consecutive
    for start in range(len(mornings) - needed + 1):
        run = mornings[start : start + needed]
        if all(m.above for m in run):
            return tuple(run)
    return ()


def weekly_median(
    readings: Iterable[tuple[date, int]], first: date, last: date, min_readings: int
) -> float | None:
    values = [value for day, value in readings if first <= day <= last]
    return statistics.median(values) if len(values) >= min_readings else None


def pain_picture(history: History, rules: ProgressionRules) -> PainPicture:
    mornings = mornings_after(history, rules)
    needed = rules.next_morning.flare_after_consecutive
    recent = mornings[-needed:]
    flare = recent if len(recent) == needed and all(m.above for m in recent) else ()

    readings = usual_pain(history)
    week = timedelta(days=rules.weekly_trend.window_days)
    least = rules.weekly_trend.min_readings
    this_start = history.today - week + timedelta(days=1)
    return PainPicture(
        mornings=mornings,
        flare=flare,
        since_load=mornings_since_load(history, rules),
        this_week=weekly_median(readings, this_start, history.today, least),
        last_week=weekly_median(readings, this_start - week, this_start - timedelta(days=1), least),
    )


def first_and_latest_week(
    history: History, window_days: int, min_readings: int
) -> tuple[float, float] | None:
    """Median usual pain over the first and over the latest `window_days`, once they do not overlap."""
    readings = usual_pain(history)
    week = timedelta(days=window_days)
    latest_start = history.today - week + timedelta(days=1)
    first_end = history.start + week - timedelta(days=1)
    if first_end >= latest_start:
        return None
    first = weekly_median(readings, history.start, first_end, min_readings)
    latest = weekly_median(readings, latest_start, history.today, min_readings)
    return None if first is None or latest is None else (first, latest)
