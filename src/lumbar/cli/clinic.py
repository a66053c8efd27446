"""`lumbar clinic create NAME --admin EMAIL` and `lumbar clinic add-therapist`: set up a clinic.

They work on the same data directory as `lumbar serve` (safe while the server runs) and migrate it
first, so a clinic can be created before the server's first start.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from lumbar.cli._common import fail

clinic_app = typer.Typer(
    help="Clinics and their therapists (the therapist workspace at /clinic/).", no_args_is_help=True
)

DATA_DIR = typer.Option(
    None,
    "--data-dir",
    help="The server's data directory (default: $LUMBAR_DATA_DIR or your user data directory).",
)


def _prepare(data_dir: Path | None) -> None:
    from lumbar.web import embedded
    from lumbar.web.datadir import data_dir as default_data_dir

    directory = data_dir.expanduser().resolve() if data_dir else default_data_dir()
    try:
        embedded.prepare(directory)
    except embedded.ServeError as exc:
        fail(str(exc))


def _password_if_new(email: str) -> str | None:
    import click

    from lumbar.web.clinic import services
    from lumbar.web.records.services import ServiceError

    try:
        email = services.clean_email(email)
    except ServiceError as exc:
        fail(str(exc))
    if services.account_exists(email):
        return None
    if not sys.stdin.isatty():
        # Piped in (a script): the password and its repetition, a line each, without terminal echo games.
        given, repeated = sys.stdin.readline().rstrip("\n"), sys.stdin.readline().rstrip("\n")
        if not given:
            fail(f"no password given for the new account {email}")
        if given != repeated:
            fail("the two passwords differ")
        return given
    try:
        return str(typer.prompt(f"A password for {email}", hide_input=True, confirmation_prompt=True))
    except click.exceptions.Abort:
        fail(f"no password given for the new account {email}")


@clinic_app.command("create")
def create(
    name: str = typer.Argument(..., help="The clinic's name, as therapists and patients see it."),
    admin: str = typer.Option(..., "--admin", help="The email of the clinic's first therapist, its admin."),
    data_dir: Path | None = DATA_DIR,
) -> None:
    """Create a clinic and its first therapist (an admin, who also sees the clinic's audit trail).

    A new account is made for EMAIL (you are asked for its password); an existing account without a
    patient record becomes the therapist."""
    if not name.strip():
        fail("give the clinic a name")
    _prepare(data_dir)
    from lumbar.web.clinic import services
    from lumbar.web.records.services import ServiceError

    try:
        made = services.create_clinic(name, admin, _password_if_new(admin))
    except ServiceError as exc:
        fail(str(exc))
    clinic = made.therapist.clinic
    typer.echo(
        f"Created the clinic {clinic.name!r} (number {clinic.pk}) with {made.therapist.user.email} as its admin."
    )
    typer.echo("Sign in at /accounts/login/ on the server, then open /clinic/ to invite patients.")


@clinic_app.command("add-therapist")
def add_therapist(
    email: str = typer.Argument(..., help="The therapist's email."),
    clinic_number: int = typer.Option(
        ..., "--clinic", help="The clinic's number (see `lumbar clinic list`)."
    ),
    admin: bool = typer.Option(False, "--admin", help="Also an admin of the clinic."),
    data_dir: Path | None = DATA_DIR,
) -> None:
    """Add a therapist to a clinic."""
    _prepare(data_dir)
    from lumbar.web.clinic import services
    from lumbar.web.records.services import ServiceError

    if not services.clinic_exists(clinic_number):
        fail(f"There is no clinic number {clinic_number}: see `lumbar clinic list`.")
    try:
        made = services.add_therapist_to(clinic_number, email, _password_if_new(email), admin=admin)
    except ServiceError as exc:
        fail(str(exc))
    role = "an admin" if made.therapist.is_admin else "a therapist"
    typer.echo(f"{made.therapist.user.email} is {role} of {made.therapist.clinic.name!r}.")


@clinic_app.command("list")
def list_clinics(data_dir: Path | None = DATA_DIR) -> None:
    """The clinics, their numbers and their therapists."""
    _prepare(data_dir)
    from lumbar.web.clinic import services

    for line in services.describe_clinics():
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.add_typer(clinic_app, name="clinic")
