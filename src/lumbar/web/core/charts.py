"""Drawn charts, kept in the cache every server process shares (`settings.CACHES`: files in the data
directory), so a chart is drawn once for a set of readings by whichever worker sees it first.

One entry per person and chart: the key is the chart's name and the person's id, and the entry holds
the SHA-256 of the data drawn beside the SVG. A chart is served only to the person it belongs to and
only while the data still hashes the same; new data draws it again and replaces the entry. So the
cache holds at most one chart of each kind per person, and deleting an account deletes their charts
(`forget`, called by the account deletion): none of them stays readable, in the cache or its files.

The cache is a speed-up, never a requirement: a data directory that cannot be read or written (full,
read-only) only means the chart is drawn on every view.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

# How long an entry lives after it is drawn (a display choice): a week, so a person who comes back
# within the week finds their chart drawn. The cache's MAX_ENTRIES bounds the total (settings/base.py).
TIMEOUT_SECONDS = 60 * 60 * 24 * 7

# Every chart kept per person; `forget` deletes them all.
CHART_NAMES = ("pain",)


def key(name: str, user_pk: Any) -> str:
    return f"lumbar:chart:{name}:{user_pk}"


def cached_chart(name: str, user_pk: Any, data: bytes, draw: Callable[[], str]) -> str:
    """The chart `name` of the person `user_pk` drawn from `data` (bytes that change whenever the
    drawing would): from the cache when it holds this person's chart of the same data, else `draw()`,
    which is then kept."""
    if name not in CHART_NAMES:
        raise ValueError(f"unknown chart {name!r}: add it to CHART_NAMES so that forget() deletes it")
    digest = hashlib.sha256(data).hexdigest()
    entry = None
    with contextlib.suppress(OSError):
        entry = cache.get(key(name, user_pk))
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == digest and isinstance(entry[1], str):
        return entry[1]
    svg = draw()
    with contextlib.suppress(OSError):
        cache.set(key(name, user_pk), (digest, svg), TIMEOUT_SECONDS)
    return svg


def forget(user_pk: Any) -> None:
    """Delete every chart kept for the person (their account is being deleted)."""
    with contextlib.suppress(OSError):
        cache.delete_many([key(name, user_pk) for name in CHART_NAMES])
