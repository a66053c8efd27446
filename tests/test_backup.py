"""`lumbar backup` and `lumbar restore`: a running server's data and key in one private file, put back
into a new data directory where the same person signs in."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from tests.hardening_helpers import PASSWORD, Browser
from tests.test_serve import running_server, server_env


def lumbar(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lumbar", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env if env is not None else server_env(),
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 2, result
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_running_server_is_backed_up_restored_into_a_new_directory_and_the_person_signs_in(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    backup_file = tmp_path / "lumbar-backup.tar.gz"
    with running_server(first) as (_, port, _):
        person = Browser(f"http://127.0.0.1:{port}")
        person.sign_up("kept@example.org")
        assert person.get("/settings/").status == 200
        result = lumbar("backup", "--out", str(backup_file), "--data-dir", str(first))
        assert result.returncode == 0, result.stderr
        # Written while the server kept serving.
        assert person.get("/settings/").status == 200
    assert backup_file.stat().st_mode & 0o777 == 0o600
    assert "readable only by you (mode 600)" in result.stdout
    assert "secret key" in result.stdout
    with tarfile.open(backup_file) as archive:
        names = sorted(archive.getnames())
        manifest = json.loads(archive.extractfile("lumbar-backup.json").read())  # type: ignore[union-attr]
    assert names == ["database.sqlite3", "lumbar-backup.json", "secret_key"]
    assert manifest["database"] == "sqlite"
    assert "mode 600" in manifest["notice"]

    result = lumbar("restore", str(backup_file), "--data-dir", str(second))
    assert result.returncode == 0, result.stderr
    assert f"lumbar serve --data-dir {second}" in result.stdout
    assert (second / "secret_key").read_text() == (first / "secret_key").read_text()
    assert second.stat().st_mode & 0o777 == 0o700
    assert (second / "lumbar.sqlite3").stat().st_mode & 0o777 == 0o600
    with running_server(second) as (_, port, _):
        again = Browser(f"http://127.0.0.1:{port}")
        signed_in = again.sign_in("kept@example.org")
        assert signed_in.status == 302, signed_in.body[:300]
        assert signed_in.location == "/today/"
        assert again.get("/settings/").status == 200
        # The same secret key and sessions: the first server's cookie still signs the person in.
        person.base = f"http://127.0.0.1:{port}"
        assert person.get("/settings/").status == 200
        assert Browser(again.base).sign_in("kept@example.org", "not-the-password").status == 200


def make_database(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700, parents=True)
    (data_dir / "secret_key").write_text("k" * 60)
    with contextlib.closing(sqlite3.connect(data_dir / "lumbar.sqlite3")) as db:
        db.execute("CREATE TABLE t (x TEXT)")
        db.execute("INSERT INTO t VALUES ('kept')")
        db.commit()


def test_backup_refuses_to_replace_a_file_unless_forced_and_restore_a_database_unless_forced(
    tmp_path: Path,
) -> None:
    make_database(tmp_path / "data")
    out = tmp_path / "b.tar.gz"
    out.write_text("something else")
    assert_one_line_error(
        lumbar("backup", "--out", str(out), "--data-dir", str(tmp_path / "data")), "already exists"
    )
    assert out.read_text() == "something else"
    assert (
        lumbar("backup", "--out", str(out), "--data-dir", str(tmp_path / "data"), "--force").returncode == 0
    )
    assert lumbar("restore", str(out), "--data-dir", str(tmp_path / "new")).returncode == 0
    assert_one_line_error(
        lumbar("restore", str(out), "--data-dir", str(tmp_path / "new")), "already has a database"
    )
    assert lumbar("restore", str(out), "--data-dir", str(tmp_path / "new"), "--force").returncode == 0
    with contextlib.closing(sqlite3.connect(tmp_path / "new" / "lumbar.sqlite3")) as db:
        assert db.execute("SELECT x FROM t").fetchall() == [("kept",)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not an archive at all", "is not a Lumbar backup"),
        (b"", "is not a Lumbar backup"),
    ],
)
def test_restoring_a_file_that_is_not_a_backup_exits_2_with_one_line(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(content)
    assert_one_line_error(lumbar("restore", str(bogus), "--data-dir", str(tmp_path / "d")), expected)
    assert not (tmp_path / "d" / "lumbar.sqlite3").exists()


def test_a_tar_without_a_manifest_or_a_truncated_backup_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as archive:
        info = tarfile.TarInfo("hello.txt")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"hi"))
    assert_one_line_error(
        lumbar("restore", str(other), "--data-dir", str(tmp_path / "d")), "not a Lumbar backup"
    )
    make_database(tmp_path / "data")
    good = tmp_path / "good.tar.gz"
    assert lumbar("backup", "--out", str(good), "--data-dir", str(tmp_path / "data")).returncode == 0
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    result = lumbar("restore", str(cut), "--data-dir", str(tmp_path / "e"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "e" / "lumbar.sqlite3").exists()


def test_bad_backup_arguments_exit_2_with_one_line(tmp_path: Path) -> None:
    assert_one_line_error(
        lumbar("backup", "--out", str(tmp_path / "x.tgz"), "--data-dir", str(tmp_path / "empty")),
        "there is no Lumbar database",
    )
    make_database(tmp_path / "data")
    assert_one_line_error(
        lumbar("backup", "--out", str(tmp_path / "missing" / "x.tgz"), "--data-dir", str(tmp_path / "data")),
        "does not exist",
    )
    assert_one_line_error(
        lumbar("restore", str(tmp_path / "absent.tgz"), "--data-dir", str(tmp_path / "d")), "does not exist"
    )
    result = lumbar("restore", str(tmp_path / "absent.tgz"))
    assert result.returncode == 2
    assert "--data-dir" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_postgresql_is_backed_up_with_pg_dump_and_restored_with_pg_restore(tmp_path: Path) -> None:
    """Runs in `make test`'s PostgreSQL pass (scripts/with-postgres.sh); skipped on SQLite."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: `make test` runs it against a throwaway server")
    get_user_model().objects.create_user(username="pg@example.org", email="pg@example.org", password=PASSWORD)
    settings: dict[str, Any] = connection.settings_dict

    def url(name: str) -> str:
        user = settings.get("USER") or ""
        secret = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        port = f":{settings['PORT']}" if settings.get("PORT") else ""
        host = str(settings.get("HOST") or settings.get("OPTIONS", {}).get("host") or "")
        if host.startswith("/"):
            return f"postgresql://{user}{secret}@{port}/{name}?host={host}"
        return f"postgresql://{user}{secret}@{host}{port}/{name}"

    restored = f"{settings['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        data = tmp_path / "data"
        data.mkdir(mode=0o700)
        (data / "secret_key").write_text("p" * 60)
        env = {**server_env(), "DATABASE_URL": url(settings["NAME"])}
        out = tmp_path / "pg.tar.gz"
        result = lumbar("backup", "--out", str(out), "--data-dir", str(data), env=env)
        assert result.returncode == 0, result.stderr
        assert out.stat().st_mode & 0o777 == 0o600
        with tarfile.open(out) as archive:
            assert "database.pgdump" in archive.getnames()
        env["DATABASE_URL"] = url(restored)
        result = lumbar("restore", str(out), "--data-dir", str(tmp_path / "new"), env=env)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "new" / "secret_key").read_text() == "p" * 60
        assert_one_line_error(
            lumbar("restore", str(out), "--data-dir", str(tmp_path / "new2"), env=env), "already has"
        )
        import psycopg

        with psycopg.connect(url(restored)) as db:
            rows = db.execute("SELECT username FROM auth_user").fetchall()
        assert rows == [("pg@example.org",)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
