"""Dates and doses in the words a person reads in their review ("12 March", "2 x 12 reps, hold 3 s").

Month names are spelled out here rather than taken from the system locale, so that the same
history always gives the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def spoken_date(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}"


def spoken_dates(days: Sequence[date]) -> str:
    """'3 March', '3 and 4 March', '28 February and 1 March'."""
    if not days:
        return ""
    if len(days) == 1:
        return spoken_date(days[0])
    *first, last = days
    same_month = all(d.month == last.month and d.year == last.year for d in first)
    head = ", ".join(str(d.day) if same_month else spoken_date(d) for d in first)
    return f"{head} and {spoken_date(last)}"


def dose_words(sets: int, reps: int | None, hold_seconds: int | None, *, per_side: bool = False) -> str:
    """'2 x 12 reps, hold 3 s, each side'; a single timed hold reads '3 x hold 30 s'."""
    if reps is not None and not (reps == 1 and hold_seconds is not None):
        text = f"{sets} x {reps} reps"
        if hold_seconds is not None:
            text += f", hold {hold_seconds} s"
    elif hold_seconds is not None:
        text = f"{sets} x hold {hold_seconds} s"
    else:
        text = f"{sets} set{'s' if sets != 1 else ''}"
    return text + (", each side" if per_side else "")


def minutes_words(minutes: float) -> str:
    return f"{minutes:g} minute{'s' if minutes != 1 else ''}"
