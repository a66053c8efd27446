"""`lumbar handout` and `lumbar report`: the printed program and the progress report, as PDF.

    lumbar handout --program FILE|- --out FILE.pdf [--paper a4|letter] [--app-url URL]
    lumbar report --history FILE|- --out FILE.pdf [--from DATE] [--to DATE] [--paper a4|letter]

Both render with lumbar.reports (the same documents as the web app's). Bad input exits 2 with one
line; a machine without the PDF libraries (Pango) exits 1 with one line saying what to install.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from lumbar.reports.pdf import Paper

EXIT_UNAVAILABLE = 1

_OUT_HELP = "Write the PDF here; - for stdout."
_PAPER_HELP = "Paper size: a4 or letter (US Letter)."


def register(app: typer.Typer) -> None:
    @app.command("handout")
    def handout(
        program: str = typer.Option(
            ...,
            "--program",
            metavar="FILE",
            help="The program as JSON (contracts/program.schema.json, as `lumbar plan --json` prints it); - for stdin.",
        ),
        out: str = typer.Option(..., "--out", metavar="FILE.pdf", help=_OUT_HELP),
        paper: str = typer.Option("a4", "--paper", metavar="a4|letter", help=_PAPER_HELP),
        app_url: str | None = typer.Option(
            None,
            "--app-url",
            metavar="URL",
            help="The Lumbar app's address (e.g. https://lumbar.example.org): the handout's QR code opens its session player. Without it the handout says how to open the session instead.",
        ),
    ) -> None:
        """Print a program as a PDF handout: pictures, doses, steps, walking, when to stop and warning signs."""
        from lumbar.cli._common import read_json
        from lumbar.reports.handout import handout_pdf, session_address

        size = _paper(paper)
        session_url = session_address(app_url) if app_url is not None else None
        data = read_json(program, "program")
        pdf = _pdf_or_exit(
            lambda: handout_pdf(
                data, paper=size, printed_on=_today(), session_url=session_url, source="program"
            )
        )
        _write(out, pdf)

    @app.command("report")
    def report(
        history: str = typer.Option(
            ...,
            "--history",
            metavar="FILE",
            help="Program, sessions, check-ins and outcomes as JSON (contracts/progress.schema.json History); - for stdin.",
        ),
        out: str = typer.Option(..., "--out", metavar="FILE.pdf", help=_OUT_HELP),
        start: str | None = typer.Option(
            None,
            "--from",
            metavar="DATE",
            help="First day of the period (YYYY-MM-DD); default: the first day recorded.",
        ),
        end: str | None = typer.Option(
            None,
            "--to",
            metavar="DATE",
            help="Last day of the period (YYYY-MM-DD); default: the history's today.",
        ),
        paper: str = typer.Option("a4", "--paper", metavar="a4|letter", help=_PAPER_HELP),
    ) -> None:
        """Progress report PDF for a doctor: pain chart, scores with change verdicts, sessions, alerts, changes."""
        from pathlib import Path

        from lumbar.cli._common import read_json
        from lumbar.domain.catalog import default_catalog
        from lumbar.domain.history import parse_history
        from lumbar.reports.report import from_history, report_pdf

        size = _paper(paper)
        first = _date(start, "--from")
        last = _date(end, "--to")
        data = read_json(history, "history")
        catalog = default_catalog()
        parsed = parse_history(data, "history", catalog=catalog)
        source = "a history file" if history == "-" else f"the history file {Path(history).name}"
        report_input = from_history(parsed, start=first, end=last, catalog=catalog, source=source)
        pdf = _pdf_or_exit(lambda: report_pdf(report_input, paper=size, made_on=_today(), catalog=catalog))
        _write(out, pdf)


def _paper(value: str) -> Paper:
    from lumbar.cli._common import fail
    from lumbar.reports.pdf import paper

    try:
        return paper(value)
    except ValueError as exc:
        fail(f"--paper: {exc}")


def _date(value: str | None, option: str) -> date | None:
    import re
    from datetime import date

    from lumbar.cli._common import fail

    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        fail(f"{option}: must be a date YYYY-MM-DD (got {value!r})")
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: not a calendar date (got {value!r})")


def _today() -> date:
    from datetime import UTC, datetime

    return datetime.now(UTC).astimezone().date()


def _pdf_or_exit(make: Callable[[], bytes]) -> bytes:
    from lumbar.reports.pdf import PdfUnavailable

    try:
        return make()
    except PdfUnavailable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from None


def _write(out: str, pdf: bytes) -> None:
    """Write the PDF (or send it to stdout for -); an unwritable path is one line and exit 2."""
    import os
    import sys
    import tempfile
    from pathlib import Path

    from lumbar.cli._common import fail

    if out == "-":
        sys.stdout.buffer.write(pdf)
        sys.stdout.buffer.flush()
        return
    path = Path(out)
    if path.is_dir():
        fail(f"--out: {out!r} is a directory")
    try:
        # Through a temporary file beside it: a failed write never leaves half a PDF.
        fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", suffix=".part")
        with os.fdopen(fd, "wb") as handle:
            handle.write(pdf)
        Path(tmp).replace(path)
    except OSError as exc:
        fail(f"cannot write {out!r}: {exc.strerror or exc}")
