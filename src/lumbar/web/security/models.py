"""Storage for throttling: one row per counted request, keyed by a keyed hash (never the address or
the email itself), purged by the housekeeping task once older than its window."""

from __future__ import annotations

from django.db import models


class ThrottleHit(models.Model):
    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="security_throttle_lookup")]
