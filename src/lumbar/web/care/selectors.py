"""Reads for daily care: whether today's check-in is offered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from lumbar.web.records.models import (
    CheckIn,
    ExerciseSession,
)
from lumbar.web.records.selectors import checkin_hours, is_next_morning_reading


@dataclass(frozen=True)
class CheckInOffer:
    """The next-morning check-in after a session day, offered from that evening until the next midday
    (the hours are settings.LUMBAR_CHECKIN_OPENS_HOUR and LUMBAR_CHECKIN_CLOSES_HOUR)."""

    session_day: dt.date
    # True in the morning after the session (answers now are the next-morning reading); False on
    # the evening of the session day (the reading is asked for tomorrow morning).
    is_morning: bool
    closes_hour: int


def checkin_offer(user: AbstractBaseUser, now: dt.datetime) -> CheckInOffer | None:
    """The check-in to offer at `now`: from the evening of a day with a finished session until
    midday the next day, unless that morning's check-in is already in."""
    opens, closes = checkin_hours()
    local = timezone.localtime(now)
    if local.hour >= opens:
        session_day, is_morning = local.date(), False
    elif local.hour < closes:
        session_day, is_morning = local.date() - dt.timedelta(days=1), True
    else:
        return None
    had_session = ExerciseSession.objects.filter(
        patient=user, date=session_day, completed_at__isnull=False
    ).exists()
    if not had_session:
        return None
    morning = session_day + dt.timedelta(days=1)
    answered = any(
        is_next_morning_reading(day, created)
        for day, created in CheckIn.objects.filter(patient=user, date=morning).values_list(
            "date", "created_at"
        )
    )
    return None if answered else CheckInOffer(session_day, is_morning, closes)
