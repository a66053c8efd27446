"""`lumbar`: the command-line entry point.

Each command group lives in its own module with a `register(app)` function; the commands are thin:
parse input, call one domain/service function, print. Heavy modules are imported inside the command
functions so that `lumbar --help` and quick commands start fast.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

import click


def _import_typer_without_rich() -> None:
    """Import Typer as if rich were not installed: Typer otherwise loads rich and its Markdown and
    syntax highlighting at import (a third of `lumbar plan`'s start-up) for help and error panels
    that this app turns off (`rich_markup_mode=None`, no pretty exceptions, plain errors from
    `_common.run`). Commands that print with rich import it themselves, later."""
    if "typer" in sys.modules or "rich" in sys.modules:
        return
    sys.modules["rich"] = None  # type: ignore[assignment]  # `import rich` raises ImportError
    try:
        import typer  # noqa: F401
    finally:
        del sys.modules["rich"]


_import_typer_without_rich()

import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from lumbar import __version__  # noqa: E402
from lumbar.domain.errors import InvalidInput  # noqa: E402

# Modules under lumbar.cli that add commands; order is the order of `lumbar --help`.
COMMAND_MODULES: tuple[str, ...] = (
    "serve",
    "backup",
    "clinic",
    "content",
    "screening",
    "plan",
    "progress",
    "export",
    "form",
    "illustrate",
    "printouts",
)


class PlainHelpFormatter(click.HelpFormatter):
    """Help text as plain text: Typer escapes "[required]" for rich markup even when rich markup is
    off, which would show a literal backslash."""

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, text.replace("\\[", "[")) for term, text in rows], col_max, col_spacing)


class LumbarContext(click.Context):
    formatter_class = PlainHelpFormatter


def _use_plain_help(command: click.Command) -> None:
    command.context_class = LumbarContext
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _use_plain_help(sub)


class LumbarGroup(TyperGroup):
    """Every command's invalid input becomes one line on stderr and exit code 2, in one place."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _use_plain_help(self)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except InvalidInput as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=LumbarGroup,
    name="lumbar",
    help="Lumbar: home physical therapy for lower back pain.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"max_content_width": 120, "terminal_width": 120},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lumbar {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Lumbar: home physical therapy for lower back pain."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"lumbar.cli.{_name}").register(app)


def main() -> None:
    """Console-script entry: run the app, turning input errors into one line and exit code 2."""
    from lumbar.cli._common import run

    sys.exit(run(app))
