"""`lumbar serve` as a person uses it: a real process on a free port, real HTTP, Ctrl-C to stop."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_command(data_dir: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "lumbar",
        "serve",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--workers",
        "1",
    ]


def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "LUMBAR_DATA_DIR")}
    env.pop("LUMBAR_SECRET_KEY", None)
    return env


def descendants_or_users_of(data_dir: Path, pids: set[int]) -> list[str]:
    """Processes still alive that descend from `pids` or mention `data_dir` in their command line or
    environment (gunicorn and the task worker get it as LUMBAR_DATA_DIR), read from /proc."""
    needle = str(data_dir).encode()
    parents: dict[int, int] = {}
    found: list[str] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if state == "Z":
            continue
        parents[pid] = int(ppid)
        if pid != os.getpid() and (needle + b"\0" in cmdline or needle + b"\0" in environ + b"\0"):
            shown = cmdline.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{pid}: {shown}")
    for pid, ppid in parents.items():
        if ppid in pids and pid not in pids:
            found.append(f"{pid}: child of {ppid}")
    return found


def wait_for_no_process_of(data_dir: Path, pids: set[int], seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    left = descendants_or_users_of(data_dir, pids)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = descendants_or_users_of(data_dir, pids)
    return left


def kill_every_process_of(data_dir: Path) -> None:
    """Last resort of a test's teardown: nothing it started may outlive it."""
    for line in descendants_or_users_of(data_dir, set()):
        with contextlib.suppress(OSError):
            os.kill(int(line.split(":")[0]), signal.SIGKILL)


def start_server(data_dir: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        serve_command(data_dir, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=server_env(),
    )


def stop_server(process: subprocess.Popen[str], data_dir: Path) -> None:
    """Ctrl-C, then kill; then make sure gunicorn and the worker are gone too."""
    try:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        if wait_for_no_process_of(data_dir, {process.pid}, 15):
            kill_every_process_of(data_dir)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@contextlib.contextmanager
def running_server(data_dir: Path) -> Iterator[tuple[subprocess.Popen[str], int, str]]:
    port = free_port()
    process = start_server(data_dir, port)
    first_line = ""
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        if "running at" not in first_line:
            pytest.fail(f"server did not start: {first_line!r}")
        yield process, port, first_line
    finally:
        # Stopping only the `lumbar serve` process (process.kill()) is what once left gunicorn and the
        # worker running after the suite; stop_server waits for them and kills any that remain.
        stop_server(process, data_dir)


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def test_first_start_creates_the_data_dir_and_a_wal_database_and_serves_health_and_home(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "fresh" / "lumbar-data"
    with running_server(data_dir) as (process, port, first_line):
        assert first_line.strip() == f"Lumbar is running at http://127.0.0.1:{port}/"
        status, body = get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200
        health = json.loads(body)
        assert health["status"] == "ok"
        assert health["database"] == "ok"
        assert health["content_version"].startswith("0.1.0+")
        status, home = get(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert "Lumbar" in home
        assert 'href="/accounts/login/"' in home
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        out = process.stdout.read() if process.stdout else ""
        assert "Lumbar stopped." in out
    assert (data_dir / "lumbar.sqlite3").is_file()
    assert (data_dir / "secret_key").stat().st_mode & 0o777 == 0o600
    with contextlib.closing(sqlite3.connect(data_dir / "lumbar.sqlite3")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 0
    # Ctrl-C stopped the web server and the worker: the port is free again.
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))


def test_second_start_reuses_the_data_and_the_secret_key(tmp_path: Path) -> None:
    with running_server(tmp_path):
        pass
    key = (tmp_path / "secret_key").read_text()
    with contextlib.closing(sqlite3.connect(tmp_path / "lumbar.sqlite3")) as db:
        db.execute("CREATE TABLE kept_between_starts (x INTEGER)")
        db.commit()
    with running_server(tmp_path) as (_, port, _):
        status, _ = get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200
    assert (tmp_path / "secret_key").read_text() == key
    with contextlib.closing(sqlite3.connect(tmp_path / "lumbar.sqlite3")) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "kept_between_starts" in tables


def run_serve_expecting_failure(data_dir: Path, port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        serve_command(data_dir, port),
        capture_output=True,
        text=True,
        timeout=120,
        env=server_env(),
        check=False,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_port_already_in_use_exits_2_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_serve_expecting_failure(tmp_path, port)
    assert_one_clear_line(result, f"port {port} on 127.0.0.1 is already in use")


def test_unwritable_data_dir_exits_2_with_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_serve_expecting_failure(blocker / "data", free_port())
    assert_one_clear_line(result, "cannot create the data directory")


def test_corrupt_database_file_exits_2_with_one_line_and_is_left_untouched(tmp_path: Path) -> None:
    damaged = tmp_path / "lumbar.sqlite3"
    damaged.write_bytes(b"this is not an sqlite database" * 100)
    before = damaged.read_bytes()
    result = run_serve_expecting_failure(tmp_path, free_port())
    assert_one_clear_line(result, "is damaged or not a Lumbar database")
    assert damaged.read_bytes() == before


def test_ctrl_c_right_after_running_at_stops_gunicorn_and_the_worker(tmp_path: Path) -> None:
    with running_server(tmp_path) as (process, _, _):
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert wait_for_no_process_of(tmp_path, {process.pid}, 5) == []


@pytest.mark.parametrize("delay", [0.5, 2.0, 4.0])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_during_start_up_leaves_no_process_behind(
    tmp_path: Path, sig: signal.Signals, delay: float
) -> None:
    process = start_server(tmp_path, free_port())
    try:
        time.sleep(delay)
        process.send_signal(sig)
        process.wait(timeout=30)
        assert wait_for_no_process_of(tmp_path, {process.pid}, 5) == []
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()
    finally:
        stop_server(process, tmp_path)


def test_sigterm_stops_a_running_server_and_its_children(tmp_path: Path) -> None:
    with running_server(tmp_path) as (process, _, _):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        assert wait_for_no_process_of(tmp_path, {process.pid}, 5) == []


def test_sigkill_of_the_server_takes_gunicorn_its_workers_and_the_task_worker_with_it(tmp_path: Path) -> None:
    with running_server(tmp_path) as (process, port, _):
        children = descendants_or_users_of(tmp_path, {process.pid})
        assert len(children) >= 3, children  # gunicorn's arbiter, its worker, the task worker
        process.kill()
        process.wait()
        assert wait_for_no_process_of(tmp_path, {process.pid}, 10) == []
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))


def test_a_second_serve_on_the_same_data_dir_exits_2_with_one_line(tmp_path: Path) -> None:
    with running_server(tmp_path) as (process, port, _):
        result = run_serve_expecting_failure(tmp_path, free_port())
        assert_one_clear_line(result, f"another lumbar serve is already using the data directory {tmp_path}")
        assert f"(process {process.pid})" in result.stderr
        status, _ = get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200
    # The lock goes with the server: the next start works.
    with running_server(tmp_path):
        pass


def test_data_dir_is_0700_and_database_files_0600_even_with_umask_000(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "lumbar-data"
    old_umask = os.umask(0)
    try:
        with running_server(data_dir) as (_, port, _):
            get(f"http://127.0.0.1:{port}/healthz")
            modes = {
                path.name: path.stat().st_mode & 0o777
                for path in data_dir.iterdir()
                if path.name.startswith("lumbar.sqlite3")
            }
    finally:
        os.umask(old_umask)
    assert data_dir.stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
    assert set(modes) >= {"lumbar.sqlite3", "lumbar.sqlite3-wal", "lumbar.sqlite3-shm"}
    assert modes == dict.fromkeys(modes, 0o600)
    assert (data_dir / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (data_dir / "lumbar.lock").stat().st_mode & 0o777 == 0o600
    # The cache every worker shares (charts): private like the rest, created before the first request.
    assert (data_dir / "cache").stat().st_mode & 0o777 == 0o700
    assert (data_dir / "cache" / "django").stat().st_mode & 0o777 == 0o700
