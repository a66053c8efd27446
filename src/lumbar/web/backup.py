"""Backups of a Lumbar deployment: the database and the secret key in one private file.

A backup is a gzip'd tar archive, written readable by its owner only (mode 600), holding:

    lumbar-backup.json   what it is: format, Lumbar version, date, database kind, a privacy notice
    database.sqlite3     the embedded SQLite database, copied with SQLite's online backup API (safe
                         while the server runs and writes), then vacuumed so no free page remains
    database.pgdump      or, for PostgreSQL (DATABASE_URL), `pg_dump --format=custom`
    secret_key           the server's secret key (sessions, reset links and calendar tokens' HMACs)

`restore` puts it back into an empty data directory (and, for PostgreSQL, into the empty database
DATABASE_URL names, with pg_restore). Nothing here imports Django.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lumbar import __version__
from lumbar.web.datadir import DATABASE_FILE, LOCK_FILE, SECRET_FILE, make_private_dir

FORMAT = "lumbar-backup"
FORMAT_VERSION = 1
MANIFEST = "lumbar-backup.json"
SQLITE_MEMBER = "database.sqlite3"
PGDUMP_MEMBER = "database.pgdump"
KEY_MEMBER = "secret_key"
MEMBERS = {MANIFEST, SQLITE_MEMBER, PGDUMP_MEMBER, KEY_MEMBER}
NOTICE = (
    "This file holds the health records of everyone on this Lumbar and the server's secret key. "
    "Keep it private (it is written readable by its owner only, mode 600) and delete it when no "
    "longer needed."
)
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql", "postgis")
PG_TIMEOUT_SECONDS = 3600


class BackupError(Exception):
    """A problem the person can fix; the message is one line saying what and how."""


@dataclass(frozen=True)
class Database:
    kind: str  # "sqlite" | "postgresql"
    sqlite_path: Path | None = None
    url: str = ""


def database_for(data_dir: Path, environ: Mapping[str, str]) -> Database:
    """The database the server in `data_dir` uses: DATABASE_URL if set, else the SQLite file."""
    url = environ.get("DATABASE_URL", "").strip()
    if not url:
        return Database("sqlite", sqlite_path=data_dir / DATABASE_FILE)
    scheme = url.split(":", 1)[0].lower()
    if scheme == "sqlite":
        path = url.split("sqlite://", 1)[1] if "sqlite://" in url else ""
        if not path.startswith("/") or path in {"/", "/:memory:"}:
            raise BackupError(f"DATABASE_URL {url!r} names no SQLite file (sqlite:////path/to/file)")
        return Database("sqlite", sqlite_path=Path(path[1:] if path.startswith("//") else path))
    if scheme in POSTGRES_SCHEMES:
        return Database("postgresql", url="postgresql" + url[len(scheme) :])
    raise BackupError(f"DATABASE_URL: cannot back up a {scheme!r} database (SQLite or PostgreSQL only)")


def secret_key_of(data_dir: Path, environ: Mapping[str, str]) -> str:
    configured = environ.get("LUMBAR_SECRET_KEY", "").strip()
    if configured:
        return configured
    try:
        return (data_dir / SECRET_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise BackupError(f"no secret key in {data_dir} and LUMBAR_SECRET_KEY is not set") from None
    except OSError as exc:
        raise BackupError(f"cannot read the secret key in {data_dir}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _private_tempdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="lumbar-backup-") as name:
        Path(name).chmod(0o700)
        yield Path(name)


def _copy_sqlite(source: Path, target: Path) -> None:
    if not source.is_file() or source.stat().st_size == 0:
        raise BackupError(f"there is no Lumbar database at {source}; check --data-dir or DATABASE_URL")
    try:
        with (
            contextlib.closing(sqlite3.connect(source, timeout=30)) as src,
            contextlib.closing(sqlite3.connect(target)) as dst,
        ):
            src.execute("PRAGMA schema_version").fetchone()
            src.backup(dst)  # one step: a consistent snapshot even while the server writes
            dst.execute("PRAGMA journal_mode=DELETE")
            dst.execute("VACUUM")  # the copy keeps no free page (nothing of deleted rows)
            result = dst.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"cannot read the database {source}: {exc}") from None
    if result is None or result[0] != "ok":
        raise BackupError(f"the database {source} failed its integrity check; nothing was written")


def _run_pg(command: list[str], what: str) -> None:
    program = command[0]
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} not found: install the PostgreSQL client tools (Debian: postgresql-client)"
        )
    try:
        result = subprocess.run(  # noqa: S603 (a fixed program; the URL is the operator's own)
            command, capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise BackupError(f"{program} did not finish within {PG_TIMEOUT_SECONDS} seconds") from None
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower() or "failed" in line.lower()]
        detail = (errors or lines or [f"exit code {result.returncode}"])[0]
        raise BackupError(f"{what} failed: {detail}")


def _open_private(path: Path) -> int:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def _add_file(archive: tarfile.TarFile, name: str, path: Path) -> None:
    info = archive.gettarinfo(str(path), arcname=name)
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    with path.open("rb") as handle:
        archive.addfile(info, handle)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


@dataclass(frozen=True)
class BackupResult:
    path: Path
    database: str
    size: int


def backup(out: Path, data_dir: Path, environ: Mapping[str, str], *, force: bool = False) -> BackupResult:
    """Write the backup to `out` (mode 600). Refuses to replace an existing file unless `force`."""
    out = out.expanduser()
    if out.is_dir():
        raise BackupError(f"{out} is a directory; give a file name, e.g. {out / 'lumbar-backup.tar.gz'}")
    if out.exists() and not force:
        raise BackupError(f"{out} already exists; choose another name or pass --force to replace it")
    if not out.parent.is_dir():
        raise BackupError(f"the folder {out.parent} does not exist")
    database = database_for(data_dir, environ)
    if database.sqlite_path is not None and not database.sqlite_path.is_file():
        raise BackupError(
            f"there is no Lumbar database at {database.sqlite_path}; check --data-dir or DATABASE_URL"
        )
    key = secret_key_of(data_dir, environ)
    with _private_tempdir() as work:
        if database.kind == "sqlite":
            assert database.sqlite_path is not None
            member, dumped = SQLITE_MEMBER, work / SQLITE_MEMBER
            _copy_sqlite(database.sqlite_path, dumped)
        else:
            member, dumped = PGDUMP_MEMBER, work / PGDUMP_MEMBER
            _run_pg(
                [
                    "pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                    f"--file={dumped}", f"--dbname={database.url}",
                ],
                "pg_dump",
            )  # fmt: skip
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "lumbar_version": __version__,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": database.kind,
            "contains": [member, KEY_MEMBER],
            "notice": NOTICE,
        }
        partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
        try:
            fd = _open_private(partial)
        except OSError as exc:
            raise BackupError(f"cannot write {out}: {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode() + b"\n")
                _add_file(archive, member, dumped)
                _add_bytes(archive, KEY_MEMBER, key.encode() + b"\n")
                archive.close()
                raw.flush()
                os.fsync(raw.fileno())
            partial.replace(out)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(f"cannot write {out}: {exc.strerror or exc}") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(path=out, database=database.kind, size=out.stat().st_size)


# --- Restore --------------------------------------------------------------------------------------


def _read_archive(path: Path) -> tuple[dict[str, Any], dict[str, tarfile.TarInfo], tarfile.TarFile]:
    if not path.is_file():
        raise BackupError(f"backup file {str(path)!r} does not exist")
    try:
        archive = tarfile.open(path, mode="r:gz")  # noqa: SIM115 (the caller closes it)
    except (tarfile.TarError, OSError, EOFError):
        raise BackupError(f"{path} is not a Lumbar backup (not a .tar.gz made by lumbar backup)") from None
    try:
        members = {m.name: m for m in archive.getmembers() if m.isfile() and m.name in MEMBERS}
        handle = archive.extractfile(members[MANIFEST]) if MANIFEST in members else None
        manifest = json.loads(handle.read()) if handle is not None else None
    except (tarfile.TarError, OSError, EOFError, ValueError):
        archive.close()
        raise BackupError(f"{path} is damaged or not a Lumbar backup") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        archive.close()
        raise BackupError(f"{path} is not a Lumbar backup (no {MANIFEST} in it)")
    if manifest.get("format_version") != FORMAT_VERSION:
        archive.close()
        raise BackupError(
            f"{path} is a backup of format {manifest.get('format_version')}; this Lumbar reads 1"
        )
    return manifest, members, archive


def _extract(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    source = archive.extractfile(member)
    if source is None:
        raise BackupError(f"the backup's {member.name} is not a file")
    fd = _open_private(target)
    with os.fdopen(fd, "wb") as handle:
        shutil.copyfileobj(source, handle)
        handle.flush()
        os.fsync(handle.fileno())


def _check_not_served(data_dir: Path) -> None:
    import fcntl

    lock = data_dir / LOCK_FILE
    if not lock.exists():
        return
    fd = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise BackupError(f"a lumbar serve is running on {data_dir}; stop it before restoring") from None
    finally:
        os.close(fd)


def _postgres_is_empty(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            row = conn.execute("SELECT to_regclass('public.django_migrations') IS NULL").fetchone()
    except psycopg.Error as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BackupError(f"cannot connect to the database DATABASE_URL names: {message}") from None
    return bool(row and row[0])


@dataclass(frozen=True)
class RestoreResult:
    data_dir: Path
    database: str
    created_at: str


def restore(
    backup_file: Path, data_dir: Path, environ: Mapping[str, str], *, force: bool = False
) -> RestoreResult:
    """Put a backup back: the secret key into `data_dir`, the database into it (SQLite) or into the
    database DATABASE_URL names (PostgreSQL). Refuses to overwrite a database unless `force`."""
    manifest, members, archive = _read_archive(backup_file.expanduser())
    with archive:
        kind = manifest.get("database")
        member = SQLITE_MEMBER if kind == "sqlite" else PGDUMP_MEMBER if kind == "postgresql" else ""
        if member not in members or KEY_MEMBER not in members:
            raise BackupError(f"{backup_file} is incomplete: it lacks its database or its secret key")
        try:
            make_private_dir(data_dir)
        except OSError as exc:
            raise BackupError(f"cannot create the data directory {data_dir}: {exc.strerror or exc}") from None
        if not data_dir.is_dir():
            raise BackupError(f"the data directory {data_dir} is not a directory")
        _check_not_served(data_dir)
        target = database_for(data_dir, environ)
        if target.kind != kind:
            raise BackupError(
                f"this is a backup of a {kind} database but DATABASE_URL names a {target.kind} one; "
                "unset or change DATABASE_URL"
            )
        if target.kind == "sqlite":
            assert target.sqlite_path is not None
            _restore_sqlite(archive, members[member], target.sqlite_path, force=force)
        else:
            _restore_postgres(archive, members[member], target.url, force=force)
        _restore_key(archive, members[KEY_MEMBER], data_dir / SECRET_FILE)
    return RestoreResult(
        data_dir=data_dir, database=str(kind), created_at=str(manifest.get("created_at", ""))
    )


def _restore_key(archive: tarfile.TarFile, member: tarfile.TarInfo, path: Path) -> None:
    source = archive.extractfile(member)
    key = source.read().decode("utf-8", "replace").strip() if source is not None else ""
    if not key:
        raise BackupError("the backup's secret key is empty")
    path.unlink(missing_ok=True)
    with os.fdopen(_open_private(path), "w", encoding="utf-8") as handle:
        handle.write(key)


def _restore_sqlite(
    archive: tarfile.TarFile, member: tarfile.TarInfo, database: Path, *, force: bool
) -> None:
    companions = [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
    if database.exists() and database.stat().st_size > 0 and not force:
        raise BackupError(
            f"{database.parent} already has a database; restore into an empty directory "
            "or pass --force to replace it"
        )
    partial = database.with_name(f".{database.name}.restoring")
    partial.unlink(missing_ok=True)
    try:
        _extract(archive, member, partial)
        with contextlib.closing(sqlite3.connect(partial)) as db:
            result = db.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the database in the backup is damaged: {exc}") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot restore the database: {exc}") from None
    if result is None or result[0] != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError("the database in the backup failed its integrity check; nothing was restored")
    for companion in companions:
        companion.unlink(missing_ok=True)
    partial.replace(database)


def _restore_postgres(archive: tarfile.TarFile, member: tarfile.TarInfo, url: str, *, force: bool) -> None:
    if not force and not _postgres_is_empty(url):
        raise BackupError(
            "the database DATABASE_URL names already has Lumbar's tables; restore into an empty "
            "database or pass --force to replace them"
        )
    with _private_tempdir() as work:
        dump = work / PGDUMP_MEMBER
        _extract(archive, member, dump)
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={url}"]
        if force:
            command[1:1] = ["--clean", "--if-exists"]
        _run_pg([*command, str(dump)], "pg_restore")
