"""`lumbar serve`: run the web app and its background worker on the embedded SQLite default."""

from __future__ import annotations

from pathlib import Path

import typer

from lumbar.cli._common import fail


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Where the database and keys live (default: your user data directory)."
    ),
    workers: int = typer.Option(2, min=1, max=16, help="Web worker processes."),
) -> None:
    """Start the web app and its background worker (SQLite by default)."""
    from lumbar.web import embedded
    from lumbar.web.datadir import data_dir as default_data_dir

    directory = data_dir.expanduser().resolve() if data_dir else default_data_dir()
    try:
        embedded.check_port_free(host, port)
        version = embedded.prepare(directory)
        server = embedded.Server(host=host, port=port, data_dir=directory, workers=workers, say=typer.echo)
        server.start()
    except embedded.ServeError as exc:
        fail(str(exc))
    _warm_figures_in_background()
    typer.echo(f"Lumbar is running at {embedded.url_for(host, port)}")
    typer.echo(f"Data: {directory}  ·  content {version}  ·  press Ctrl-C to stop")
    code = server.wait()
    typer.echo("Lumbar stopped.")
    raise typer.Exit(code)


def _warm_figures_in_background() -> None:
    """Draw the exercise figures into the shared disk cache while the first pages are served."""
    import threading

    from lumbar.web.library import figures

    threading.Thread(target=figures.warm, name="warm-figures", daemon=True).start()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
