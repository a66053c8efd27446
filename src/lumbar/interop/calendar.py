"""The private calendar feed (iCalendar, RFC 5545): planned exercise days and movement-break reminders.

Pure: plain data in, the feed's bytes out. The web layer decides which days are planned (from the
program, through lumbar.domain.schedule) and what to call things; this module only writes them in
the shape calendar apps read.

- Each planned session day is an all-day event, so that it shows at the top of the day without
  claiming a time the person never chose.
- Movement breaks are one event on working days across the working hours, repeating weekly until the
  end of the feed, with a reminder at its start. Its times are "floating" (no time zone): 9 o'clock is
  9 o'clock wherever the person's phone is.
- Event ids are stable for a given feed, so a calendar app that refreshes updates events instead of
  adding copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from icalendar import Alarm, Calendar, Event, vDuration

PRODID = "-//Lumbar//Lumbar exercise plan//EN"
# How often calendar apps should fetch the feed again: the program can change after any session.
REFRESH = timedelta(hours=12)
ICAL_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class SessionDays:
    days: Sequence[date]
    minutes: float
    exercises: Sequence[str]


@dataclass(frozen=True)
class MovementBreaks:
    every_minutes: int
    exercises: Sequence[str]
    day_starts: time
    day_ends: time
    weekdays: Sequence[int] = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class Feed:
    """Everything the feed says. `uid_prefix` makes event ids unique to this person's feed."""

    name: str
    uid_prefix: str
    first_day: date
    last_day: date
    stamp: datetime
    sessions: SessionDays | None = None
    breaks: MovementBreaks | None = None
    app_url: str = ""
    checkin_url: str = ""


def build_calendar(feed: Feed) -> bytes:
    """The whole feed as an iCalendar document."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", feed.name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    if feed.sessions is not None:
        for day in feed.sessions.days:
            if feed.first_day <= day <= feed.last_day:
                calendar.add_component(_session_event(feed, feed.sessions, day))
    if feed.breaks is not None and feed.breaks.weekdays:
        first = _first_weekday_on_or_after(feed.first_day, feed.breaks.weekdays)
        if first <= feed.last_day:
            calendar.add_component(_breaks_event(feed, feed.breaks, first))
    return bytes(calendar.to_ical())


def _session_event(feed: Feed, sessions: SessionDays, day: date) -> Event:
    event = Event()
    event.add("uid", f"{feed.uid_prefix}-session-{day.isoformat()}@lumbar")
    event.add("dtstamp", feed.stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", f"Back exercises (about {sessions.minutes:.0f} minutes)")
    lines = ["Today's exercises from your Lumbar program:"]
    lines += [f"- {name}" for name in sessions.exercises]
    if feed.app_url:
        lines.append(f"Start your session: {feed.app_url}")
        event.add("url", feed.app_url)
    if feed.checkin_url:
        lines.append(f"The morning after, tell Lumbar how your back feels: {feed.checkin_url}")
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT")
    return event


def _breaks_event(feed: Feed, breaks: MovementBreaks, first: date) -> Event:
    event = Event()
    event.add("uid", f"{feed.uid_prefix}-movement-breaks@lumbar")
    event.add("dtstamp", feed.stamp)
    event.add("dtstart", datetime.combine(first, breaks.day_starts))
    event.add("dtend", datetime.combine(first, breaks.day_ends))
    event.add(
        "rrule",
        {
            "freq": "weekly",
            "byday": [ICAL_WEEKDAYS[d] for d in sorted(breaks.weekdays)],
            "until": datetime.combine(feed.last_day, time(23, 59, 59)),
        },
    )
    event.add("summary", f"Movement breaks: every {breaks.every_minutes} minutes")
    lines = [
        f"While you sit at work, take a minute to move every {breaks.every_minutes} minutes.",
        "One of these is enough:",
        *(f"- {name}" for name in breaks.exercises),
    ]
    if feed.app_url:
        lines.append(f"Open Lumbar: {feed.app_url}")
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Time to move: stand up every {breaks.every_minutes} minutes today.")
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)
    return event


def _first_weekday_on_or_after(day: date, weekdays: Sequence[int]) -> date:
    while day.weekday() not in weekdays:
        day += timedelta(days=1)
    return day
