"""`lumbar illustrate ID [--frame start|end|animated] [--out FILE]`: an exercise's figure as SVG."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer


class FrameChoice(str, Enum):
    start = "start"
    end = "end"
    animated = "animated"


def register(app: typer.Typer) -> None:
    @app.command("illustrate")
    def illustrate(
        exercise_id: str = typer.Argument(..., metavar="ID", help="Exercise id, e.g. glute-bridge."),
        frame: FrameChoice = typer.Option(
            FrameChoice.animated,
            "--frame",
            show_envvar=False,
            help="The starting position, the end position, or the animated loop.",
        ),
        out: Path | None = typer.Option(
            None, "--out", metavar="FILE", show_envvar=False, help="Write the SVG here instead of stdout."
        ),
    ) -> None:
        """Draw an exercise from its keyframes as a self-contained SVG."""
        from lumbar.cli._common import fail
        from lumbar.domain.catalog import default_catalog
        from lumbar.domain.errors import InvalidInput
        from lumbar.motion.render import exercise_svg

        try:
            exercise = default_catalog().exercise(exercise_id)
            svg = exercise_svg(exercise, frame.value, uid=f"lf-{exercise.id}-{frame.value}")
        except InvalidInput as exc:
            fail(str(exc))
        except ValueError as exc:  # an exercise without an illustration
            fail(str(exc))
        if out is None:
            typer.echo(svg)
            return
        try:
            out.write_text(svg + "\n", encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {str(out)!r}: {exc.strerror or exc}")
