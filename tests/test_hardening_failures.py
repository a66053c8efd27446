"""A full disk or a read-only database: writes answer a friendly 503 page and /healthz says
"database": "read-only" (503), never a 500 with "ok"."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.utils import DatabaseError, OperationalError
from django.test import Client
from tests.care_helpers import onboard
from tests.care_history import without_review
from tests.hardening_helpers import Browser
from tests.test_serve import running_server

from lumbar.web.security import failures

FRIENDLY = "Lumbar cannot save anything just now"
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture(autouse=True)
def _fresh_memory(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    without_review(monkeypatch)
    failures.forget()
    yield
    failures.forget()


def sqlite_error(code: int, text: str) -> DatabaseError:
    cause = sqlite3.OperationalError(text)
    cause.sqlite_errorcode = code  # type: ignore[attr-defined]
    error = OperationalError(text)
    error.__cause__ = cause
    return error


def postgres_error(name: str, text: str) -> DatabaseError:
    import psycopg.errors

    error = OperationalError(text)
    error.__cause__ = getattr(psycopg.errors, name)(text)
    return error


ERRORS: dict[str, Callable[[], BaseException]] = {
    "sqlite full": lambda: sqlite_error(13, "database or disk is full"),
    "sqlite read-only": lambda: sqlite_error(8, "attempt to write a readonly database"),
    "sqlite read-only (extended code)": lambda: sqlite_error(
        8 | (3 << 8), "attempt to write a readonly database"
    ),
    "postgresql disk full": lambda: postgres_error(
        "DiskFull", "could not extend file: No space left on device"
    ),
    "postgresql read-only": lambda: postgres_error(
        "ReadOnlySqlTransaction", "cannot execute UPDATE in a read-only transaction"
    ),
    "disk full outside the database": lambda: OSError(28, "No space left on device"),
}


@contextlib.contextmanager
def writes_fail(make_error: Callable[[], BaseException]) -> Iterator[None]:
    def refuse(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(WRITES):
            raise make_error()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


# transaction=True: as in the server, no test transaction around the request (a failed write inside
# one would break the queries after it).
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", list(ERRORS))
def test_a_write_that_the_disk_or_database_refuses_gets_the_friendly_503_page(kind: str) -> None:
    client = Client(raise_request_exception=False)
    onboard(client)
    assert client.get("/settings/").status_code == 200  # shows (and so clears) the welcome message
    with writes_fail(ERRORS[kind]):
        response = client.post("/settings/calendar/new-link/")
        assert response.status_code == 503
        page = response.content.decode()
        assert FRIENDLY in page
        assert "What you sent was not saved" in page
        assert "Traceback" not in page
        assert response["Retry-After"] == "300"
        assert "no-store" in response["Cache-Control"]
        # Reading still works, and the health check tells the operator.
        assert client.get("/settings/").status_code == 200
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["database"] == "read-only"
        assert health.json()["status"] == "error"
    # Once a write goes through again, so does the health check.
    assert client.post("/settings/calendar/new-link/").status_code == 302
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_any_other_failure_is_still_the_500_page() -> None:
    client = Client(raise_request_exception=False)
    onboard(client)
    with writes_fail(lambda: OperationalError("no such table: care_profile")):
        response = client.post("/settings/calendar/new-link/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert client.get("/healthz").json()["database"] == "ok"


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "48m") -> Iterator[Path]:
    """A small file system of our own (root only); skips where mounting is not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def fill(directory: Path) -> Path:
    filler = directory / "filler"
    with filler.open("wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * (1 << 20))
            handle.flush()
    return filler


@pytest.mark.slow
def test_lumbar_serve_on_a_full_disk_answers_503_and_healthz_says_read_only(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk, running_server(disk / "data") as (_, port, _):
        person = Browser(f"http://127.0.0.1:{port}")
        person.sign_up("full@example.org")
        assert person.get("/healthz").status == 200
        filler = fill(disk)
        health = person.get("/healthz")
        assert health.status == 503
        assert '"database": "read-only"' in health.body
        refused = person.post_form("/settings/calendar/new-link/", {}, "/settings/")
        assert refused.status == 503
        assert FRIENDLY in refused.body
        assert person.get("/settings/").status == 200  # reading still works
        filler.unlink()
        assert person.post_form("/settings/calendar/new-link/", {}, "/settings/").status == 302
        health = person.get("/healthz")
        assert health.status == 200
        assert '"database": "ok"' in health.body


@pytest.mark.django_db
def test_healthz_says_read_only_when_the_data_directory_is_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tmpfs(tmp_path / "ro", size="4m") as directory:
        database = directory / "lumbar.sqlite3"
        database.write_bytes(b"")
        monkeypatch.setattr(failures, "_sqlite_path", lambda: database)
        assert Client().get("/healthz").status_code == 200
        subprocess.run(["mount", "-o", "remount,ro", str(directory)], check=True)
        health = Client().get("/healthz")
        assert health.status_code == 503
        assert health.json()["database"] == "read-only"
        assert health.json()["reason"] == "the data directory is read-only"
