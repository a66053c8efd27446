"""`lumbar serve`: run the web app and its background worker on the embedded SQLite default."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from lumbar.cli._common import fail

EXIT_INTERRUPTED = 130


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

    # Ctrl-C or SIGTERM at any moment from here on ends in the `finally` below, which stops every
    # child already started; the children also die with this process if it is killed outright.
    embedded.stop_on_signals()
    # Everything the server writes (database, WAL, caches) is for this user's eyes only.
    os.umask(0o077)
    directory = data_dir.expanduser().resolve() if data_dir else default_data_dir()
    lock = embedded.DataDirLock(directory)
    server = embedded.Server(host=host, port=port, data_dir=directory, workers=workers, say=typer.echo)
    code = EXIT_INTERRUPTED
    started = False
    try:
        try:
            embedded.check_data_dir(directory)
            lock.acquire()
            embedded.check_port_free(host, port)
            version = embedded.prepare(directory)
            server.start()
        except embedded.ServeError as exc:
            fail(str(exc))
        started = True
        _warm_figures_in_background()
        typer.echo(f"Lumbar is running at {embedded.url_for(host, port)}")
        typer.echo(f"Data: {directory}  ·  content {version}  ·  press Ctrl-C to stop")
        code = server.wait()
    except KeyboardInterrupt:
        code = 0 if started else EXIT_INTERRUPTED
    finally:
        embedded.ignore_stop_signals()
        server.stop()
        lock.release()
    typer.echo("Lumbar stopped.")
    raise typer.Exit(code)


def _warm_figures_in_background() -> None:
    """Draw the exercise figures into the shared disk cache while the first pages are served."""
    import threading

    from lumbar.web.library import figures

    threading.Thread(target=figures.warm, name="warm-figures", daemon=True).start()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
