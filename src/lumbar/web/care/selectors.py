"""Reads for daily care: whether today's check-in is offered, and what the camera's form checks found
for the progression review."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from lumbar.domain.catalog import default_catalog
from lumbar.domain.form_findings import finding_of
from lumbar.web.records.models import (
    CheckIn,
    ExerciseSession,
    FormCheck,
)
from lumbar.web.records.selectors import HISTORY_WINDOW_DAYS, checkin_hours, is_next_morning_reading


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


def form_findings(user: AbstractBaseUser, today: dt.date) -> list[dict[str, Any]]:
    """What the person's finished form checks found, one finding per session day and exercise, over
    the review's window (the History's `form_findings`). Only checks of finished sessions count, like
    the sessions of the history; checks the camera could not see well are left out by `finding_of`."""
    since = today - dt.timedelta(days=HISTORY_WINDOW_DAYS)
    checks = (
        FormCheck.objects.filter(
            patient=user,
            status=FormCheck.DONE,
            session__date__gte=since,
            session__date__lte=today,
            session__completed_at__isnull=False,
        )
        .order_by("session__date", "id")
        .values_list("session__date", "exercise_id", "result")
    )
    results: dict[tuple[dt.date, str], list[dict[str, Any]]] = defaultdict(list)
    known = default_catalog().exercises
    for day, exercise_id, result in checks:
        if isinstance(result, dict) and exercise_id in known:
            results[(day, exercise_id)].append(result)
    found = []
    for (day, exercise_id), day_results in results.items():
        finding = finding_of(day, exercise_id, day_results)
        if finding is not None:
            found.append(finding.model_dump(mode="json"))
    return found
