"""`lumbar backup --out FILE` and `lumbar restore FILE --data-dir DIR`."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from lumbar.cli._common import fail


def _directory(data_dir: Path | None) -> Path:
    from lumbar.web.datadir import data_dir as default_data_dir

    return data_dir.expanduser().resolve() if data_dir else default_data_dir()


def backup(
    out: Path = typer.Option(..., "--out", help="The backup file to write (e.g. lumbar-2025-01-31.tar.gz)."),
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        help="The server's data directory (default: $LUMBAR_DATA_DIR or your user data directory).",
    ),
    force: bool = typer.Option(False, "--force", help="Replace FILE if it exists."),
) -> None:
    """Back up the database and the secret key into one private file (safe while the server runs).

    SQLite is copied with its online backup API; with DATABASE_URL set, PostgreSQL with pg_dump."""
    from lumbar.web import backup as backups

    os.umask(0o077)
    try:
        result = backups.backup(out, _directory(data_dir), os.environ, force=force)
    except backups.BackupError as exc:
        fail(str(exc))
    size = f"{result.size / 1024:.0f} KiB" if result.size < 1024**2 else f"{result.size / 1024**2:.1f} MiB"
    typer.echo(f"Backed up the {result.database} database and the secret key to {result.path} ({size}).")
    typer.echo(
        f"{result.path} is readable only by you (mode 600): it holds everyone's health records and the "
        "server's secret key. Keep it private; anyone who has it can read every record."
    )


def restore(
    backup_file: Path = typer.Argument(..., metavar="FILE", help="A file written by lumbar backup."),
    data_dir: Path = typer.Option(
        ..., "--data-dir", help="The data directory to restore into (new or empty)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace a database that is already there."),
) -> None:
    """Restore a backup into a data directory (and, for PostgreSQL, the database DATABASE_URL names)."""
    from lumbar.web import backup as backups

    os.umask(0o077)
    directory = _directory(data_dir)
    try:
        result = backups.restore(backup_file, directory, os.environ, force=force)
    except backups.BackupError as exc:
        fail(str(exc))
    typer.echo(
        f"Restored the {result.database} database of {result.created_at} and its secret key into {directory}."
    )
    typer.echo(f"Start it with: lumbar serve --data-dir {directory}")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
