"""The `lumbar` console script.

Kept apart from `lumbar.cli` so that it imports nothing heavy itself: a Ctrl-C while the CLI's
modules are still loading (Typer, pydantic, Django for `serve`) ends the program quietly with the
usual exit code 130 instead of a traceback.
"""

from __future__ import annotations

import sys

INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C


def main() -> None:
    try:
        from lumbar.cli import main as run_cli
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)
    run_cli()
