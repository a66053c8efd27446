"""When the database cannot be written (a full disk, a read-only data directory or database): the
request gets a friendly 503 page instead of a 500, and /healthz says "database": "read-only".

Django sends every exception a view or a middleware raises to `handler500`; ours
(`server_error`) answers 503 with templates/503.html when the exception says the disk is full or the
database is read-only, and Django's own 500 page otherwise.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

log = logging.getLogger("lumbar.failures")

READ_ONLY = "read-only"
RETRY_AFTER_SECONDS = 300
# A write failure seen by this process keeps /healthz at 503 this long (the disk may be freed).
REMEMBER_SECONDS = 60.0
# Below this much free space in the data directory, writes are about to fail.
MIN_FREE_BYTES = 1024 * 1024

_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_FULL = 13
_PG_DISK_FULL = "53100"
_PG_READ_ONLY = "25006"
_OS_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}

_lock = threading.Lock()
_last_failure: tuple[float, str] | None = None


def write_failure_reason(exc: BaseException | None) -> str | None:
    """'the disk is full' or 'the database is read-only' when `exc` (or what caused it) says so."""
    seen = 0
    while exc is not None and seen < 10:
        seen += 1
        if isinstance(exc, sqlite3.Error):
            code = getattr(exc, "sqlite_errorcode", None)
            primary = code & 0xFF if isinstance(code, int) else None
            text = str(exc).lower()
            if primary == _SQLITE_FULL or "disk is full" in text:
                return "the disk is full"
            if primary == _SQLITE_READONLY or "readonly database" in text:
                return "the database is read-only"
            if primary == _SQLITE_IOERR or "disk i/o error" in text:
                return "the disk cannot be written"
        sqlstate = getattr(exc, "sqlstate", None)
        if sqlstate == _PG_DISK_FULL:
            return "the disk is full"
        if sqlstate == _PG_READ_ONLY:
            return "the database is read-only"
        if isinstance(exc, OSError):
            if exc.errno in _OS_FULL:
                return "the disk is full"
            if exc.errno == errno.EROFS:
                return "the data directory is read-only"
        exc = exc.__cause__ or exc.__context__
    return None


def remember(reason: str) -> None:
    global _last_failure  # noqa: PLW0603 (one value per process, read by /healthz)
    with _lock:
        _last_failure = (time.monotonic(), reason)


def recent_failure() -> str | None:
    with _lock:
        last = _last_failure
    if last is not None and time.monotonic() - last[0] < REMEMBER_SECONDS:
        return last[1]
    return None


def forget() -> None:
    global _last_failure  # noqa: PLW0603
    with _lock:
        _last_failure = None


def _sqlite_path() -> Path | None:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return None
    name = str(database.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def _sqlite_cannot_write(path: Path) -> str | None:
    directory = path.parent
    try:
        stats = os.statvfs(directory)
    except OSError:
        return None
    if stats.f_flag & os.ST_RDONLY:
        return "the data directory is read-only"
    if not os.access(directory, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "the database file or its directory is read-only"
    if stats.f_bavail * stats.f_frsize < MIN_FREE_BYTES:
        return "the disk is full"
    return None


def _postgres_cannot_write() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")
            row = cursor.fetchone()
    except Exception:
        return None
    if row and (row[0] or row[1] == "on"):
        return "the database is read-only"
    return None


def cannot_write() -> str | None:
    """Why the database cannot take writes now, or None. Reads only: /healthz must stay cheap."""
    path = _sqlite_path()
    if path is not None:
        reason = _sqlite_cannot_write(path)
    elif connection.vendor == "postgresql":
        reason = _postgres_cannot_write()
    else:
        reason = None
    return reason or recent_failure()


def unavailable_page() -> HttpResponse:
    """The 503 page, rendered without the request (the database may be unusable)."""
    try:
        body = loader.get_template("503.html").render()
    except Exception:
        body = "<h1>Lumbar cannot save anything just now</h1><p>Please try again later.</p>"
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a 503 page when the database or disk refused a write, Django's 500 otherwise."""
    reason = write_failure_reason(sys.exc_info()[1])
    if reason is not None:
        remember(reason)
        log.error("A write failed because %s; answering 503 until it can be written again.", reason)
        return unavailable_page()
    from django.views.defaults import server_error as django_server_error

    response: HttpResponse = django_server_error(request)
    return response if response is not None else HttpResponseServerError()
