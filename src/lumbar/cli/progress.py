"""`lumbar progress --history FILE|- [--json]`: review a history and say what changes next."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from lumbar.domain.catalog import Catalog
    from lumbar.domain.dose_ladder import Dose
    from lumbar.domain.progression import Decision, Review

_SEVERITY_STYLE = {"emergency": "bold red", "urgent": "bold red", "review": "yellow", "info": ""}
_ACTION_WORDS = {
    "progress": "harder",
    "hold": "same",
    "regress": "easier",
    "stop": "stop",
    "substitute": "replace",
}


def register(app: typer.Typer) -> None:
    @app.command("progress")
    def progress(
        history: str = typer.Option(
            ...,
            "--history",
            metavar="FILE",
            help="Program, sessions, check-ins and outcomes as JSON (contracts/progress.schema.json); - for stdin.",
        ),
        as_json: bool = typer.Option(
            False, "--json", help="Print the review as JSON (progress.schema.json#/$defs/Review)."
        ),
    ) -> None:
        """Review progress: decide each exercise's next dose, and raise alerts for pain, red flags and adherence."""
        from lumbar.cli._common import print_json, read_json
        from lumbar.domain.catalog import default_catalog
        from lumbar.domain.history import parse_history
        from lumbar.domain.progression import review

        data = read_json(history, "history")
        catalog = default_catalog()
        result = review(parse_history(data, "history", catalog=catalog), catalog)
        if as_json:
            print_json(result.to_json())
        else:
            print_review(result, catalog)


def print_review(result: Review, catalog: Catalog, console: Console | None = None) -> None:
    """Alerts first (the most severe on top), then what changes for each exercise, walking, adherence."""
    if console is None:
        from rich.console import Console

        console = Console(highlight=False, soft_wrap=False)
    console.print(f"[bold]Your review[/bold] for {result.today.isoformat()}")
    for alert in result.alerts:
        style = _SEVERITY_STYLE[alert.severity]
        label = f"{alert.severity.upper()} ({alert.kind.replace('_', ' ')})"
        console.print(
            f"\n[{style}]{label}[/{style}]: {alert.message}" if style else f"\n{label}: {alert.message}"
        )
    if result.decisions:
        _print_decisions(console, result.decisions, catalog)
    else:
        console.print("\nNo exercises in this program.")
    if result.walking is not None:
        walking = result.walking
        line = walking.from_dose.words()
        if walking.to_dose != walking.from_dose:
            line += f" -> {walking.to_dose.words()}"
        console.print(f"\n[bold]Walking[/bold] ({_ACTION_WORDS[walking.action]}): {line}")
        for reason in walking.reasons:
            console.print(f"  - {reason}")
    adherence = result.adherence
    console.print(
        f"\n[bold]Sessions[/bold]: {adherence.sessions_done} of {adherence.sessions_prescribed} planned in the "
        f"last {adherence.window_days} days ({adherence.rate:.0%})."
    )


def _print_decisions(console: Console, decisions: tuple[Decision, ...], catalog: Catalog) -> None:
    from rich.table import Table

    table = Table(show_lines=True, expand=True)
    table.add_column("Exercise", ratio=2, overflow="fold")
    table.add_column("Next", min_width=10, no_wrap=True)
    table.add_column("Dose", ratio=3)
    table.add_column("Why", ratio=5)
    for decision in decisions:
        dose = _dose_text(decision.from_dose.id, decision.from_dose, catalog)
        if decision.to_dose != decision.from_dose:
            dose += f"\n-> {_dose_text(decision.from_dose.id, decision.to_dose, catalog)}"
        style = "bold red" if decision.action == "stop" else ""
        next_step = _ACTION_WORDS[decision.action]
        table.add_row(
            f"{_name(catalog, decision.id)}\n[dim]{decision.id}[/dim]",
            f"[{style}]{next_step}[/{style}]" if style else next_step,
            dose,
            "\n".join(f"- {reason}" for reason in decision.reasons),
        )
    console.print(table)


def _dose_text(was: str, dose: Dose, catalog: Catalog) -> str:
    from lumbar.domain.plain_words import dose_words

    exercise = catalog.exercises.get(dose.id)
    words = dose_words(
        dose.sets, dose.reps, dose.hold_seconds, per_side=exercise.timing.per_side if exercise else False
    )
    return words if dose.id == was else f"{_name(catalog, dose.id)}: {words}"


def _name(catalog: Catalog, exercise_id: str) -> str:
    exercise = catalog.exercises.get(exercise_id)
    return exercise.name if exercise else exercise_id
