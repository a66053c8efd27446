"""Counting requests per key (an email address, a client address) in a sliding window, in the
database so that every web worker and every machine of a clinic shares the count."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from lumbar.web.security.models import ThrottleHit


def _digest(scope: str, key: str) -> str:
    return salted_hmac(f"lumbar.throttle.{scope}", key.strip().lower(), algorithm="sha256").hexdigest()


def allow(scope: str, key: str, *, limit: int, window: dt.timedelta) -> bool:
    """Count one request for `key`; False (and not counted) once `limit` were counted in `window`."""
    digest = _digest(scope, key)
    now = timezone.now()
    with transaction.atomic():
        recent = ThrottleHit.objects.filter(scope=scope, key=digest, at__gte=now - window).count()
        if recent >= limit:
            return False
        ThrottleHit.objects.create(scope=scope, key=digest, at=now)
    return True


def forget(scope: str, key: str) -> None:
    """Remove every count kept for `key` (an account being deleted)."""
    ThrottleHit.objects.filter(scope=scope, key=_digest(scope, key)).delete()


def purge_older_than(cutoff: dt.datetime) -> int:
    deleted, _ = ThrottleHit.objects.filter(at__lt=cutoff).delete()
    return deleted
