"""The embedded deployment behind `lumbar serve`: one data directory, SQLite, gunicorn and a task worker.

`prepare()` makes the data directory usable (creates it, checks it is writable and that the database
file is really a database, migrates, validates the content library). `Server` then runs gunicorn and
the django-tasks database worker as child processes and stops both cleanly.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
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

from lumbar.web.datadir import CACHE_SUBDIR, DATABASE_FILE, ENV_DATA_DIR, LOCK_FILE, make_private_dir

SETTINGS_MODULE = "lumbar.web.settings.production"
STARTUP_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0


class ServeError(Exception):
    """A problem the person starting the server can fix; the message is one line saying how."""


def check_data_dir(directory: Path) -> None:
    try:
        make_private_dir(directory)
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


DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def secure_database_files(directory: Path) -> None:
    """The SQLite files are readable by their owner only, whatever the umask.

    The database file is created empty with mode 600 before SQLite opens it, because SQLite gives its
    -wal and -shm files the mode of the database file; files left by an older start are tightened.
    """
    database = directory / DATABASE_FILE
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for suffix in DATABASE_SUFFIXES:
        path = database.with_name(database.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            path.chmod(0o600)


class DataDirLock:
    """An exclusive lock on the data directory, held for the server's life (released by the kernel
    if the process dies), so that two servers never share one database."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise ServeError(f"cannot create the lock file {self.path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            by = f" (process {holder})" if holder.isdigit() else ""
            raise ServeError(
                f"another lumbar serve is already using the data directory {self.path.parent}{by}; "
                "stop it first or use another --data-dir"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None


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
    secure_database_files(directory)
    (directory / "static").mkdir(exist_ok=True)
    configure_environment(directory)
    try:  # the cache every worker shares (settings CACHES): private, like the directory itself
        make_private_dir(directory / CACHE_SUBDIR)
    except OSError as exc:
        raise ServeError(f"cannot create the cache directory in {directory}: {exc.strerror or exc}") from None

    from lumbar.domain.catalog import ContentError, default_catalog

    try:
        version = default_catalog().version
    except ContentError as exc:
        raise ServeError(f"the exercise library is invalid: {exc}") from None

    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import call_command
    from django.db import DatabaseError

    try:
        django.setup()
    except ImproperlyConfigured as exc:  # a malformed LUMBAR_* variable: the message names it
        raise ServeError(str(exc)) from None
    try:
        call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as exc:
        raise ServeError(f"cannot prepare the database in {directory}: {exc}") from None
    from lumbar.web.security.tasks import ensure_scheduled

    ensure_scheduled()  # the daily housekeeping (old login logs, expired sessions) for the worker
    return version


ALL_INTERFACES = ("0.0.0.0", "::")  # noqa: S104 (recognised, not chosen: the default is 127.0.0.1)


def url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    if host in ALL_INTERFACES:
        shown = "localhost"
    return f"http://{shown}:{port}/"


class StopRequested(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that one `finally` stops the children in both cases."""


# The stop signals received. Python drops an exception raised inside a weakref finalizer or a
# __del__ ("Exception ignored in ..."), so a signal that lands there would be lost: the waiting loops
# look here too.
_signals_received: list[int] = []


def _raise_stop(signum: int, frame: object) -> None:
    _signals_received.append(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise StopRequested(signal.strsignal(signum))


def stop_if_signalled() -> None:
    """Raise again a stop signal whose exception was swallowed where it landed."""
    if _signals_received:
        raise StopRequested(signal.strsignal(_signals_received[-1]))


def _quiet_about_stops(unraisable: sys.UnraisableHookArgs) -> None:
    """sys.unraisablehook: a stop signal's exception swallowed in a finalizer is already recorded
    (`stop_if_signalled` acts on it), so it is not printed as a traceback; anything else is."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt) and _signals_received:
        return
    sys.__unraisablehook__(unraisable)


def stop_on_signals() -> None:
    """From now on SIGINT raises KeyboardInterrupt and SIGTERM raises StopRequested (its subclass)."""
    _signals_received.clear()
    sys.unraisablehook = _quiet_about_stops
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)


def ignore_stop_signals() -> None:
    """While shutting down, a second Ctrl-C must not interrupt the shutdown."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


PR_SET_PDEATHSIG = 1
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _die_with_parent(parent_pid: int) -> Callable[[], None]:
    """Run in the child between fork and exec: SIGTERM when the parent dies, even by SIGKILL (Linux).

    gunicorn's arbiter stops its workers on SIGTERM, and the task worker stops on it.
    """

    def preexec() -> None:
        # The parent blocks SIGINT/SIGTERM while it starts a child; the mask survives exec.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


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
            # gunicorn believes X-Forwarded-Proto from loopback by default; Lumbar decides instead, from
            # LUMBAR_TRUSTED_PROXIES only (lumbar.web.security.proxy).
            "--forwarded-allow-ips", "",
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
            # parent decides the order of shutdown. Ctrl-C or SIGTERM is held back while a child is
            # started, so that every child that exists is in the list `stop()` works through.
            # Their output goes to stderr so that stdout carries only our own lines (scripts read them).
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
            try:
                child = subprocess.Popen(  # noqa: S603
                    command,
                    env=env,
                    start_new_session=True,
                    stdout=sys.stderr.fileno(),
                    preexec_fn=_die_with_parent(os.getpid()),  # noqa: PLW1509 (no threads yet)
                )
                self._children.append(child)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self._wait_until_healthy()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        health = url_for("127.0.0.1" if self.host in ALL_INTERFACES else self.host, self.port) + "healthz"
        while time.monotonic() < deadline:
            stop_if_signalled()
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
        """Block until a child exits; return 1 then. Ctrl-C (KeyboardInterrupt) or SIGTERM (see
        `stop_on_signals`) ends the wait by an exception, and the caller's `finally` calls `stop()`."""
        while True:
            stop_if_signalled()
            for child in self._children:
                if child.poll() is not None:
                    self.say(f"a server process exited unexpectedly (exit code {child.returncode}); stopping")
                    self.stop()
                    return 1
            time.sleep(0.3)

    def stop(self) -> None:
        """Stop every child (SIGTERM, then SIGKILL after a grace period). Safe to call again, e.g. if a
        second Ctrl-C interrupted the first call: children are forgotten only once they have exited."""
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
