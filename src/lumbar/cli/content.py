"""`lumbar content check`, `lumbar exercises list|show`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer

from lumbar.cli._common import fail, print_json

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from lumbar.domain.catalog import Catalog, Exercise

# The choices of the list filters. They repeat the Literal types of lumbar.domain.catalog so that
# `lumbar --help` does not have to import pydantic; a test keeps the two in step.
CATEGORIES = ("mobility", "stretch", "strength", "stabilisation", "balance", "neural", "aerobic")
POSITIONS = ("supine", "prone", "quadruped", "side-lying", "seated", "standing", "kneeling")
BIASES = ("flexion", "extension", "neutral", "rotation", "lateral", "mixed", "neural", "aerobic")
EQUIPMENT = ("mat", "chair", "wall", "step", "strap", "resistance-band", "stability-ball", "pillow")

content_app = typer.Typer(help="Check the content library.", no_args_is_help=True)
exercises_app = typer.Typer(help="Browse the exercise library.", no_args_is_help=True)

# show_envvar=False: with click >= 8.2, typer's default makes error messages say "(env var: 'None')".
JsonFlag = Annotated[
    bool, typer.Option("--json", show_envvar=False, help="Print JSON instead of text for a person.")
]


def register(app: typer.Typer) -> None:
    app.add_typer(content_app, name="content")
    app.add_typer(exercises_app, name="exercises")


@content_app.command("check")
def check(
    path: Annotated[
        Path | None,
        typer.Option(
            "--path",
            show_envvar=False,
            exists=True,
            file_okay=False,
            dir_okay=True,
            help="Content root to check (default: the bundled library).",
        ),
    ] = None,
) -> None:
    """Validate every exercise, education topic and reference; exit 2 naming the first problem."""
    from lumbar.domain.catalog import load_catalog
    from lumbar.domain.errors import InvalidInput
    from lumbar.domain.library import describe_library

    try:
        catalog = load_catalog(path)
    except InvalidInput as exc:
        fail(str(exc))
    typer.echo(f"{describe_library(catalog)}: all valid (content version {catalog.version})")


@exercises_app.command("list")
def list_exercises(
    as_json: JsonFlag = False,
    category: Annotated[
        str | None,
        typer.Option(
            "--category", click_type=click.Choice(CATEGORIES), show_envvar=False, help="Only this category."
        ),
    ] = None,
    position: Annotated[
        str | None,
        typer.Option(
            "--position", click_type=click.Choice(POSITIONS), show_envvar=False, help="Only this position."
        ),
    ] = None,
    bias: Annotated[
        str | None,
        typer.Option(
            "--bias", click_type=click.Choice(BIASES), show_envvar=False, help="Only this direction bias."
        ),
    ] = None,
    equipment: Annotated[
        str | None,
        typer.Option(
            "--equipment",
            click_type=click.Choice(EQUIPMENT),
            show_envvar=False,
            help="Only exercises that need nothing or need this.",
        ),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search", show_envvar=False, help="Words to find in the id, name, aliases, summary or muscles."
        ),
    ] = None,
) -> None:
    """List exercises, optionally filtered (filters combine: all must match)."""
    from lumbar.domain.library import filter_exercises

    found = filter_exercises(
        _catalog(),
        category=category,
        position=position,
        bias=bias,
        equipment=equipment,
        search=search,
    )
    if as_json:
        print_json([exercise.model_dump(mode="json") for exercise in found])
        return
    if not found:
        typer.echo("No exercises match these filters.")
        return
    _console().print(_exercise_table(found))


@exercises_app.command("show")
def show_exercise(
    exercise_id: Annotated[str, typer.Argument(metavar="ID", help="Exercise id, e.g. glute-bridge.")],
    as_json: JsonFlag = False,
) -> None:
    """Show everything about one exercise: how to do it, how much, precautions and evidence."""
    from lumbar.domain.errors import UnknownId

    catalog = _catalog()
    try:
        exercise = catalog.exercise(_resolve_exercise_id(catalog, exercise_id))
    except UnknownId as exc:
        fail(str(exc))
    if as_json:
        print_json(exercise.model_dump(mode="json"))
        return
    _print_exercise(_console(), exercise, catalog)


def _name_key(text: str) -> str:
    """How people type a name: any case, spaces or hyphens or none ("Bird dog", "birddog")."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _resolve_exercise_id(catalog: Catalog, typed: str) -> str:
    """The exercise id for what was typed: the id itself, or an id or alias in another case or spacing.
    Anything else is returned unchanged, for the catalog's own 'unknown id' message."""
    if typed in catalog.exercises:
        return typed
    key = _name_key(typed)
    if not key:
        return typed
    for exercise_id, exercise in catalog.exercises.items():
        if key == _name_key(exercise_id) or any(key == _name_key(str(alias)) for alias in exercise.aliases):
            return exercise_id
    return typed


def _catalog() -> Catalog:
    from lumbar.domain.catalog import default_catalog
    from lumbar.domain.errors import InvalidInput

    try:
        return default_catalog()
    except InvalidInput as exc:
        fail(f"the content library is invalid: {exc}")


# Piped output (a file, `less`, a test) is not squeezed into 80 columns: a table row stays one line.
PIPED_WIDTH = 160
# Running text wraps earlier than tables: long lines are hard to read.
READING_WIDTH = 100


def _console() -> Console:
    from rich.console import Console

    # Content text is data, never Rich markup or something to colour-guess.
    console = Console(highlight=False, markup=False, emoji=False)
    if not console.is_terminal:
        console.width = max(console.width, PIPED_WIDTH)
    return console


def _exercise_table(exercises: list[Exercise]) -> Table:
    from rich import box
    from rich.table import Table

    from lumbar.domain.library import describe_dose

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for header in ("id", "name", "category", "position", "bias"):
        table.add_column(header, no_wrap=header != "name")
    table.add_column("level", justify="right", no_wrap=True)
    table.add_column("starting dose")
    for exercise in exercises:
        table.add_row(
            exercise.id,
            exercise.name,
            exercise.category,
            exercise.position,
            exercise.direction_bias,
            str(exercise.level),
            describe_dose(exercise.dose, exercise.timing),
        )
    return table


class _Sheet:
    """Plain text blocks for one exercise: headings, labelled fields, lists with hanging indents."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.width = min(console.width, READING_WIDTH)

    def line(self, text: str = "") -> None:
        import textwrap

        self.console.print(textwrap.fill(text, self.width) if text else "")

    def title(self, name: str, exercise_id: str) -> None:
        from rich.text import Text

        self.console.print(Text.assemble((name, "bold"), f"  ({exercise_id})"))

    def heading(self, title: str) -> None:
        self.console.print()
        self.console.print(title, style="bold")

    def field(self, label: str, value: str) -> None:
        import textwrap

        from rich.text import Text

        text = Text(textwrap.fill(f"{label}: {value}", self.width, subsequent_indent="  "))
        text.stylize("bold", 0, len(label) + 1)
        self.console.print(text)

    def bullets(self, items: list[str]) -> None:
        self._list([("-", item) for item in items])

    def numbered(self, items: list[str]) -> None:
        self._list([(f"{number}.", item) for number, item in enumerate(items, start=1)])

    def _list(self, rows: list[tuple[str, str]]) -> None:
        import textwrap

        marker_width = max(len(marker) for marker, _ in rows)
        for marker, text in rows:
            first = f"  {marker.rjust(marker_width)} "
            self.line(
                textwrap.fill(text, self.width, initial_indent=first, subsequent_indent=" " * len(first))
            )


def _print_exercise(console: Console, exercise: Exercise, catalog: Catalog) -> None:
    sheet = _Sheet(console)
    sheet.title(exercise.name, exercise.id)
    sheet.line(exercise.text.summary)
    sheet.line()
    _print_facts(sheet, exercise, catalog)
    _print_instructions(sheet, exercise)
    _print_safety_and_evidence(sheet, exercise, catalog)


def _print_facts(sheet: _Sheet, exercise: Exercise, catalog: Catalog) -> None:
    from lumbar.domain.library import describe_dose, describe_rest

    sheet.field("Category", exercise.category)
    sheet.field("Position", exercise.position)
    sheet.field("Direction bias", exercise.direction_bias)
    sheet.field("Level", f"{exercise.level} of 5")
    sheet.field("Phases", ", ".join(exercise.phases))
    sheet.field("Equipment", ", ".join(exercise.equipment) or "none")
    sheet.field("Desk break", "yes" if exercise.desk_break else "no")
    sheet.field("Main muscles", ", ".join(exercise.primary_muscles))
    if exercise.secondary_muscles:
        sheet.field("Also works", ", ".join(exercise.secondary_muscles))
    if exercise.aliases:
        sheet.field("Also called", ", ".join(exercise.aliases))
    easier, harder = catalog.easier(exercise), catalog.harder(exercise)
    if easier is not None:
        sheet.field("Easier version", f"{easier.name} ({easier.id})")
    if harder is not None:
        sheet.field("Harder version", f"{harder.name} ({harder.id})")
    sheet.heading("Dose")
    start = describe_dose(exercise.dose, exercise.timing)
    rest = f"; {describe_rest(exercise.timing)}" if exercise.dose.sets > 1 else ""
    sheet.field("Start with", f"{start}{rest}")
    sheet.field("Build up to", describe_dose(exercise.max_dose, exercise.timing))


def _print_instructions(sheet: _Sheet, exercise: Exercise) -> None:
    sheet.heading("Steps")
    sheet.numbered(exercise.text.steps)
    sheet.heading("Cues")
    sheet.bullets(exercise.text.cues)
    sheet.heading("Breathing")
    sheet.bullets([exercise.text.breathing])
    sheet.heading("Common mistakes")
    sheet.bullets(exercise.text.mistakes)


def _print_safety_and_evidence(sheet: _Sheet, exercise: Exercise, catalog: Catalog) -> None:
    from lumbar.domain.library import describe_precaution

    if exercise.precautions:
        sheet.heading("Precautions")
        sheet.bullets([describe_precaution(precaution) for precaution in exercise.precautions])
    sheet.heading("Form check")
    checkable = exercise.camera == "checkable"
    sheet.line("  The camera can check this exercise." if checkable else "  Not checked by camera.")
    if exercise.camera_note:
        sheet.line(f"  {exercise.camera_note}")
    sheet.heading("Evidence")
    sheet.bullets(
        [
            f"{ref_id}: {catalog.references[ref_id].citation} [certainty {catalog.references[ref_id].certainty}]"
            for ref_id in exercise.evidence
        ]
    )
