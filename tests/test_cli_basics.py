"""The CLI shell: version, help, and how it refuses what it does not understand."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lumbar import __version__
from lumbar.cli import app


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lumbar", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        check=False,
    )


def registered_commands() -> list[str]:
    names = [c.name for c in app.registered_commands if c.name]
    names += [g.name for g in app.registered_groups if g.name]
    return names


def test_version_prints_the_package_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"lumbar {__version__}"


def test_help_lists_every_command_with_its_one_line_help() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    commands_section = result.stdout.split("Commands:", 1)[1]
    listed = {line.split()[0] for line in commands_section.splitlines() if line.strip()}
    assert set(registered_commands()) <= listed
    for line in commands_section.splitlines():
        if line.strip():
            name, _, summary = line.strip().partition(" ")
            assert summary.strip(), f"{name} has no one-line help"
            assert not summary.strip().endswith("..."), f"{name}'s help is cut off: {summary!r}"


def test_serve_is_a_command() -> None:
    assert "serve" in registered_commands()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("frobnicate",), "No such command 'frobnicate'"),
        (("--colour",), "No such option: --colour"),
        (("serve", "--port", "notanumber"), "Invalid value for '--port'"),
        (("serve", "--port", "70000"), "Invalid value for '--port'"),
    ],
)
def test_unknown_commands_and_bad_options_exit_2_with_usage_and_no_traceback(
    args: tuple[str, ...], expected: str
) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Usage:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_no_arguments_shows_help() -> None:
    result = run_cli()
    assert "Usage:" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def every_command_path() -> list[list[str]]:
    """Every command and group of the app, walked through click, e.g. ["exercises", "show"]."""
    import click
    import typer.main

    paths: list[list[str]] = [[]]

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                paths.append([*path, name])
                walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def test_help_of_every_command_shows_no_none_env_var_and_no_escaped_bracket() -> None:
    from typer.testing import CliRunner

    runner = CliRunner()
    paths = every_command_path()
    assert ["exercises", "show"] in paths
    assert ["landmarks", "extract"] in paths
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "env var" not in result.output, path
        assert "'None'" not in result.output, path
        assert "\\[" not in result.output, path


def test_help_marks_required_options_with_plain_brackets() -> None:
    result = run_cli("exercises", "show", "--help")
    assert result.returncode == 0
    assert "Exercise id, e.g. glute-bridge.  [required]" in result.stdout
    assert "\\[required]" not in result.stdout
