"""Requests per caller per minute: each token (and each signed-in browser) has its own count.

The count lives in the database (one row per caller, a fixed window), so every web worker and every
machine of a clinic shares it, and a deleted account takes its rows with it. The limit is ours, not
a clinical number: LUMBAR_API_REQUESTS_PER_MINUTE in the settings, 120 by default (two a second is
far more than an app syncing one person's record needs, and little enough that a runaway script
cannot crowd out the people using the site).
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from lumbar.web.api.models import RateWindow

DEFAULT_REQUESTS_PER_MINUTE = 120
WINDOW = dt.timedelta(minutes=1)


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: int) -> None:
        self.retry_after = retry_after
        self.limit = limit
        super().__init__(f"Too many requests: at most {limit} a minute. Try again in {retry_after} s.")


def limit() -> int:
    return int(getattr(settings, "LUMBAR_API_REQUESTS_PER_MINUTE", DEFAULT_REQUESTS_PER_MINUTE))


def count_request(user: AbstractBaseUser, key: str, *, now: dt.datetime | None = None) -> None:
    """Count one request for `key` (e.g. "token:12"); RateLimited (not counted) over the limit."""
    now = now or timezone.now()
    allowed = limit()
    with transaction.atomic():
        row, created = RateWindow.objects.select_for_update().get_or_create(
            key=key, defaults={"user": user, "started_at": now, "count": 1}
        )
        if created:
            return
        if now >= row.started_at + WINDOW or now < row.started_at:
            row.started_at, row.count = now, 1
        elif row.count >= allowed:
            wait = (row.started_at + WINDOW - now).total_seconds()
            raise RateLimited(max(1, math.ceil(wait)), allowed)
        else:
            row.count += 1
        row.save(update_fields=["started_at", "count"])
