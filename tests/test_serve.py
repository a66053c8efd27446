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


@contextlib.contextmanager
def running_server(data_dir: Path) -> Iterator[tuple[subprocess.Popen[str], int, str]]:
    port = free_port()
    process = subprocess.Popen(
        serve_command(data_dir, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=server_env(),
    )
    first_line = ""
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        if "running at" not in first_line:
            process.kill()
            _, err = process.communicate(timeout=10)
            pytest.fail(f"server did not start: {first_line!r} {err!r}")
        yield process, port, first_line
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


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
