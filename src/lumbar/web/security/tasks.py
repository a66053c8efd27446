"""Housekeeping, run daily by the task worker: login logs older than LUMBAR_LOGIN_LOG_DAYS (default
30), throttling counts older than a day and expired sessions are deleted.

The task schedules its own next run (django-tasks has no periodic scheduler). `lumbar serve` calls
`ensure_scheduled()` at start; a clinic that runs its own workers runs
`python -m lumbar.web.manage housekeeping --schedule` once after deploying (or `housekeeping` alone
from cron, which purges straight away).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django_tasks import task

log = logging.getLogger("lumbar.housekeeping")

INTERVAL = dt.timedelta(days=1)
FIRST_RUN_DELAY = dt.timedelta(minutes=1)
THROTTLE_KEPT = dt.timedelta(days=1)


# Other apps' own clean-ups, run with the daily purge (registered in their AppConfig.ready(), so that
# this app imports none of them): each takes `now` and returns {what: how many}.
_extra: dict[str, Callable[[dt.datetime], dict[str, int]]] = {}


def register_purge(name: str, clean_up: Callable[[dt.datetime], dict[str, int]]) -> None:
    _extra[name] = clean_up


def purge(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what is past its keeping time; return how many rows of each kind went."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    from lumbar.web.security import throttle

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=int(settings.LUMBAR_LOGIN_LOG_DAYS))
    counts = {
        "login_log": AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "login_failures": AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "login_attempts": AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "throttle": throttle.purge_older_than(now - THROTTLE_KEPT),
        "expired_sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
    }
    for clean_up in _extra.values():
        counts.update(clean_up(now))
    log.info("housekeeping: deleted %s", ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return counts


@task()
def housekeeping() -> dict[str, int]:
    counts = purge()
    schedule_next(timezone.now() + INTERVAL)
    return counts


def _pending() -> bool:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    # Waiting, whenever it is due (the queryset's ready() means "due now").
    return DBTaskResult.objects.filter(
        task_path=housekeeping.module_path, status=TaskResultStatus.READY
    ).exists()


def schedule_next(when: dt.datetime) -> bool:
    """Queue the next run at `when` unless one is already waiting; False where the backend cannot
    defer (the tests' immediate backend) or is not the database backend."""
    backend = housekeeping.get_backend()
    if not backend.supports_defer or "django_tasks_db" not in type(backend).__module__:
        return False
    if _pending():
        return False
    housekeeping.using(run_after=when).enqueue()
    return True


def ensure_scheduled() -> bool:
    """At server start: make sure a housekeeping run is queued (soon, for the first one)."""
    return schedule_next(timezone.now() + FIRST_RUN_DELAY)
