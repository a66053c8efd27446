"""When a person plans to exercise, and how their record compares with that plan.

A program says on how many days a week to exercise, not on which days. The plan spreads those days
over the week from Monday, always the same way, so that the calendar feed, the progress calendar and
the streak all show the same days. The reassessment checkpoints (weeks after the first program) come
from content/progression.toml through the caller; nothing here holds a clinical number.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from lumbar.domain.errors import InvalidInput

DAYS_PER_WEEK = 7
ONE_DAY = timedelta(days=1)


def planned_weekdays(days_per_week: int) -> tuple[int, ...]:
    """Weekday numbers (Monday is 0) for `days_per_week` sessions, spread as evenly as whole days allow.

    3 -> Monday, Wednesday, Friday; 5 -> Monday to Wednesday, Friday, Saturday; never two rest days
    in a row unless the plan has fewer than four days.
    """
    if isinstance(days_per_week, bool) or not 0 <= days_per_week <= DAYS_PER_WEEK:
        raise InvalidInput(f"sessions_per_week: must be 0-{DAYS_PER_WEEK} (got {days_per_week!r})")
    return tuple(i * DAYS_PER_WEEK // days_per_week for i in range(days_per_week))


def days_between(start: date, end: date) -> Iterator[date]:
    """Every day from `start` to `end`, both included."""
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


def planned_days(start: date, end: date, days_per_week: int) -> list[date]:
    """The planned session days from `start` to `end`, both included."""
    weekdays = set(planned_weekdays(days_per_week))
    return [day for day in days_between(start, end) if day.weekday() in weekdays]


@dataclass(frozen=True)
class Adherence:
    """Sessions done against sessions planned over a stretch of days.

    `rate` is done / planned, at most 1 (extra sessions do not make up for later misses); None while
    nothing has been planned yet.
    """

    planned: int
    done: int
    rate: float | None


def adherence(done_days: Collection[date], *, start: date, today: date, days_per_week: int) -> Adherence:
    """How many of the planned days from `start` to `today` had a completed session.

    A session on an unplanned day counts as done (people move their sessions around). Today counts
    as planned only once its session is done: the day is not over.
    """
    if start > today:
        return Adherence(planned=0, done=0, rate=None)
    done = {day for day in done_days if start <= day <= today}
    weekdays = set(planned_weekdays(days_per_week))
    planned = sum(
        1 for day in days_between(start, today) if day.weekday() in weekdays and (day < today or day in done)
    )
    rate = min(len(done) / planned, 1.0) if planned else None
    return Adherence(planned=planned, done=len(done), rate=rate)


def streak(done_days: Collection[date], *, start: date, today: date, days_per_week: int) -> int:
    """Days in the current run of sessions.

    Walking back from today: a day with a completed session adds one; a planned day without one
    ends the run; a day that was not planned (a rest day) is neutral. Today never ends the run (the
    day is not over), and nothing before `start` (the first program) counts.
    """
    weekdays = set(planned_weekdays(days_per_week))
    done = set(done_days)
    count = 0
    day = today
    while day >= start:
        if day in done:
            count += 1
        elif day != today and day.weekday() in weekdays:
            break
        day -= ONE_DAY
    return count


@dataclass(frozen=True)
class Checkpoint:
    """A formal reassessment point: `week` weeks after the first program, on `due_on`."""

    week: int
    due_on: date


def checkpoints(start: date, weeks: Sequence[int]) -> list[Checkpoint]:
    return [Checkpoint(week=week, due_on=start + timedelta(weeks=week)) for week in weeks]


def reassessment_due(
    start: date, today: date, weeks: Sequence[int], last_reassessed: date | None
) -> Checkpoint | None:
    """The latest checkpoint that has come and has no reassessment on or after its day, if any.

    A person who missed the 2-week check and opens the app at week 5 is asked once, for week 4.
    """
    reached = [c for c in checkpoints(start, weeks) if c.due_on <= today]
    if not reached:
        return None
    latest = reached[-1]
    if last_reassessed is not None and last_reassessed >= latest.due_on:
        return None
    return latest


def next_checkpoint(start: date, today: date, weeks: Sequence[int]) -> Checkpoint | None:
    """The first checkpoint still to come, if any."""
    return next((c for c in checkpoints(start, weeks) if c.due_on > today), None)
