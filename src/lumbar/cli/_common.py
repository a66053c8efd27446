"""Shared plumbing for CLI commands: reading input files, one-line errors, exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
import typer

EXIT_INVALID = 2
EXIT_INTERNAL = 1


def fail(message: str) -> NoReturn:
    """Print one line to stderr and exit 2: the input was wrong, nothing was written."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_INVALID)


def read_text(source: str, what: str) -> str:
    """Read a file path, or standard input for '-'."""
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{what} file {source!r} does not exist")
    except IsADirectoryError:
        fail(f"{what} file {source!r} is a directory")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {what} file {source!r}: {exc}")


def read_json(source: str, what: str) -> Any:
    text = read_text(source, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{what}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


def run(app: typer.Typer) -> int:
    """Run the Typer app with our error policy: usage errors and invalid input exit 2 with one
    line, internal errors exit 1 with one line (set LUMBAR_DEBUG=1 for the traceback)."""
    import os

    try:
        # Without standalone mode click returns typer.Exit's code instead of raising it.
        result = app(prog_name="lumbar", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        typer.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("LUMBAR_DEBUG"):
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0
