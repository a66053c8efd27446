"""The embedded deployment behind `lumbar serve`: one data directory, SQLite, gunicorn and a task worker.

`prepare()` makes the data directory usable (creates it, checks it is writable and that the database
file is really a database, migrates, validates the content library). `Server` then runs gunicorn and
the django-tasks database worker as child processes and stops both cleanly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lumbar.web.datadir import DATABASE_FILE, ENV_DATA_DIR

SETTINGS_MODULE = "lumbar.web.settings.production"
STARTUP_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0


class ServeError(Exception):
    """A problem the person starting the server can fix; the message is one line saying how."""


def check_data_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ServeError(f"cannot create the data directory {directory}: {exc.strerror or exc}") from None
    if not directory.is_dir():
        raise ServeError(f"the data directory {directory} is not a directory")
    probe = directory / ".lumbar-write-check"
    try:
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError:
        raise ServeError(
            f"the data directory {directory} is not writable; choose another with --data-dir"
        ) from None


def check_database_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database instead of letting the server fail later."""
    if not path.exists():
        return
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            db.execute("PRAGMA schema_version").fetchone()
            result = db.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ServeError(
            f"the database file {path} is damaged or not a Lumbar database ({exc}); "
            "restore a backup or start with another --data-dir"
        ) from None
    if result is None or result[0] != "ok":
        raise ServeError(f"the database file {path} failed its integrity check; restore a backup")


def check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # Same option gunicorn sets, so a port in TIME_WAIT is not reported as busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (98, 48):  # EADDRINUSE on Linux, macOS
                raise ServeError(
                    f"port {port} on {host} is already in use; stop the other program or use --port {port + 1}"
                ) from None
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def configure_environment(directory: Path) -> dict[str, str]:
    os.environ[ENV_DATA_DIR] = str(directory)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    return {**os.environ, ENV_DATA_DIR: str(directory), "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE}


def prepare(directory: Path) -> str:
    """Make the data directory ready to serve; return the content version. Raises ServeError."""
    check_data_dir(directory)
    check_database_file(directory / DATABASE_FILE)
    (directory / "static").mkdir(exist_ok=True)
    configure_environment(directory)

    from lumbar.domain.catalog import ContentError, default_catalog

    try:
        version = default_catalog().version
    except ContentError as exc:
        raise ServeError(f"the exercise library is invalid: {exc}") from None

    import django
    from django.core.management import call_command
    from django.db import DatabaseError

    django.setup()
    try:
        call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as exc:
        raise ServeError(f"cannot prepare the database in {directory}: {exc}") from None
    return version


ALL_INTERFACES = ("0.0.0.0", "::")  # noqa: S104 (recognised, not chosen: the default is 127.0.0.1)


def url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    if host in ALL_INTERFACES:
        shown = "localhost"
    return f"http://{shown}:{port}/"


@dataclass
class Server:
    host: str
    port: int
    data_dir: Path
    workers: int = 2
    say: Callable[[str], None] = print
    _children: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def _commands(self) -> list[list[str]]:
        bind = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        web = [
            sys.executable, "-m", "gunicorn", "lumbar.web.wsgi:application",
            "--bind", bind, "--workers", str(self.workers), "--worker-class", "gthread", "--threads", "4",
            "--graceful-timeout", "5", "--timeout", "120", "--log-level", "warning",
        ]  # fmt: skip
        # Access logs name the pages people visit; keep them only when the deployer asks.
        if os.environ.get("LUMBAR_ACCESS_LOG"):
            web += ["--access-logfile", os.environ["LUMBAR_ACCESS_LOG"]]
        worker = [
            sys.executable,
            "-m",
            "lumbar.web.manage",
            "db_worker",
            "--interval",
            "1",
            "--no-startup-delay",
        ]
        return [web, worker]

    def start(self) -> None:
        env = configure_environment(self.data_dir)
        for command in self._commands():
            # A new session keeps Ctrl-C in the terminal from reaching the children directly: the
            # parent decides the order of shutdown.
            # Their output goes to stderr so that stdout carries only our own lines (scripts read them).
            child = subprocess.Popen(command, env=env, start_new_session=True, stdout=sys.stderr.fileno())  # noqa: S603
            self._children.append(child)
        self._wait_until_healthy()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        health = url_for("127.0.0.1" if self.host in ALL_INTERFACES else self.host, self.port) + "healthz"
        while time.monotonic() < deadline:
            for child in self._children:
                if child.poll() is not None:
                    self.stop()
                    raise ServeError(f"the server stopped while starting (exit code {child.returncode})")
            with (
                contextlib.suppress(urllib.error.URLError, OSError),
                urllib.request.urlopen(health, timeout=2) as response,  # noqa: S310 (our own loopback URL)
            ):
                if response.status == 200:
                    return
            time.sleep(0.2)
        self.stop()
        raise ServeError(f"the server did not answer within {STARTUP_TIMEOUT_SECONDS:.0f} seconds")

    def wait(self) -> int:
        """Block until a child exits or we are asked to stop; return the exit code for `lumbar serve`."""
        stop_requested = False

        def request_stop(signum: int, frame: object) -> None:
            nonlocal stop_requested
            stop_requested = True

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not stop_requested:
                for child in self._children:
                    if child.poll() is not None:
                        self.say(
                            f"a server process exited unexpectedly (exit code {child.returncode}); stopping"
                        )
                        self.stop()
                        return 1
                time.sleep(0.3)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stop()
        return 0

    def stop(self) -> None:
        for child in self._children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in self._children:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self._children.clear()
