"""`lumbar export fhir --history FILE|- [--out FILE] [--patient KEY]`: a History as a FHIR R4B Bundle."""

from __future__ import annotations

from pathlib import Path

import typer

export_app = typer.Typer(help="Export records for other systems.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")


@export_app.command("fhir")
def fhir(
    history: str = typer.Option(
        ...,
        "--history",
        metavar="FILE",
        help="Program, sessions, check-ins and outcomes as JSON (contracts/progress.schema.json); - for stdin.",
    ),
    out: Path | None = typer.Option(
        None, "--out", metavar="FILE", help="Write the Bundle to FILE instead of standard output."
    ),
    patient: str | None = typer.Option(
        None,
        "--patient",
        metavar="KEY",
        help="A key of yours for the person (e.g. a record number), so that later exports of the same "
        "person keep the same resource ids; only a hash of it is written. Default: a digest of the file.",
    ),
) -> None:
    """Export a history as a FHIR R4B Bundle (JSON): Patient, scores, risk, warning signs, plan, sessions."""
    from lumbar.cli._common import fail, read_json
    from lumbar.domain.catalog import default_catalog
    from lumbar.domain.history import parse_history
    from lumbar.interop.fhir import build_bundle, bundle_json, record_from_history

    data = read_json(history, "history")
    parsed = parse_history(data, "history", catalog=default_catalog())
    if patient is not None and not patient.strip():
        fail("--patient: must not be empty")
    record = record_from_history(parsed, data["program"], account_key=patient.strip() if patient else None)
    text = bundle_json(build_bundle(record))
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {str(out)!r}: {exc.strerror or exc}")
