"""`lumbar plan --intake FILE|- [--json]`: the personalised exercise program for an intake."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from lumbar.domain.catalog import Catalog
    from lumbar.domain.prescription import PrescribedExercise, Program, WalkingPlan


def register(app: typer.Typer) -> None:
    @app.command("plan")
    def plan(
        intake: str = typer.Option(
            ...,
            "--intake",
            metavar="FILE",
            help="Intake answers as JSON (contracts/intake.schema.json); - for stdin.",
        ),
        as_json: bool = typer.Option(
            False, "--json", help="Print the program as JSON (contracts/program.schema.json)."
        ),
    ) -> None:
        """Screen the intake, then print a personalised program with the reasons for each exercise."""
        from lumbar.cli._common import print_json, read_json
        from lumbar.cli._snapshot import use_content_snapshot
        from lumbar.domain.catalog import default_catalog
        from lumbar.domain.intake import parse_intake
        from lumbar.domain.prescription import prescribe

        data = read_json(intake, "intake")
        use_content_snapshot()
        catalog = default_catalog()
        program = prescribe(parse_intake(data, "intake"), catalog)
        if as_json:
            print_json(program.to_json())
        else:
            print_program(program, catalog)


def print_program(program: Program, catalog: Catalog) -> None:
    """The program for a person to read: safety first, then what to do and why, then when to stop."""
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=False)
    _print_triage(console, program)
    if program.status == "refer":
        console.print("No exercise program until a clinician has seen you.", style="bold")
        _print_list(console, "While you wait", program.stop_rules)
        return

    risk = f", STarT Back risk {program.risk}" if program.risk else ""
    console.print(
        f"[bold]Your program[/bold] ({program.phase} phase{risk}): "
        f"about {program.session_minutes:g} minutes a session."
    )
    _print_exercises(console, program.exercises)
    if program.walking is not None:
        _print_walking(console, program.walking)
    if program.movement_breaks is not None:
        names = ", ".join(_name(catalog, ex_id) for ex_id in program.movement_breaks.exercises)
        console.print(
            f"\n[bold]Movement breaks[/bold]: every {program.movement_breaks.every_minutes} minutes of sitting, "
            f"take a minute to move with one of: {names}."
        )
        for ex_id, notes in program.movement_breaks.cautions.items():
            for note in notes:
                console.print(f"  ! {_name(catalog, ex_id)}: {note}")
    if program.education:
        titles = [catalog.education[t].title if t in catalog.education else t for t in program.education]
        _print_list(
            console,
            "Read",
            [f"{title} ({topic})" for title, topic in zip(titles, program.education, strict=True)],
        )
    if program.recommendations:
        _print_list(console, "We recommend", program.recommendations)
    _print_list(console, "Stop rules", program.stop_rules)
    if program.triage.tier.value == "routine":
        _print_list(console, "Your safety check", [program.triage.advice])
    console.print(
        f"\nCheck in again in {program.reassess_after_days} days. Content {program.content_version}."
    )


def _print_triage(console: Console, program: Program) -> None:
    from rich.panel import Panel

    tier = program.triage.tier.value
    if tier == "routine":
        return
    from lumbar.domain.screening import Tier, default_rules

    style = "red" if program.status == "refer" else "yellow"
    title = default_rules().label(Tier(tier))
    console.print(Panel(program.triage.advice, title=title, border_style=style, expand=False))


def _print_exercises(console: Console, exercises: tuple[PrescribedExercise, ...]) -> None:
    from rich.table import Table

    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", width=2)
    table.add_column("Exercise", ratio=2, overflow="fold")
    table.add_column("Dose", ratio=2)
    table.add_column("Why", ratio=5)
    for number, exercise in enumerate(exercises, start=1):
        why = "\n".join(f"- {reason}" for reason in exercise.reasons)
        if exercise.cautions:
            why += "\n" + "\n".join(f"[yellow]! {caution}[/yellow]" for caution in exercise.cautions)
        table.add_row(
            str(number),
            f"{exercise.name}\n[dim]{exercise.id}[/dim]",
            f"{dose_text(exercise)}\n{_how_often(exercise)}",
            why,
        )
    console.print(table)


def _how_often(exercise: PrescribedExercise) -> str:
    if exercise.times_per_day is not None:
        return f"{exercise.times_per_day}x a day"
    return f"{exercise.sessions_per_week}x a week"


def dose_text(exercise: PrescribedExercise) -> str:
    """'2 x 10 reps, hold 3 s, each side' in words a person can follow."""
    parts = []
    if exercise.reps == 1 and exercise.hold_seconds is not None:
        parts.append(f"{exercise.sets} x hold {exercise.hold_seconds} s")
    elif exercise.reps is not None:
        parts.append(f"{exercise.sets} x {exercise.reps} reps")
        if exercise.hold_seconds is not None:
            parts.append(f"hold {exercise.hold_seconds} s")
    elif exercise.hold_seconds is not None:
        parts.append(f"{exercise.sets} x hold {exercise.hold_seconds} s")
    else:
        parts.append(f"{exercise.sets} set{'s' if exercise.sets > 1 else ''}")
    if exercise.per_side:
        parts.append("each side")
    return ", ".join(parts)


def _print_walking(console: Console, walking: WalkingPlan) -> None:
    times = "once" if walking.bouts_per_day == 1 else f"{walking.bouts_per_day} times"
    build = (
        f"add {walking.weekly_increase_minutes:g} minutes each week until you walk "
        f"{walking.target_minutes:g} minutes on {walking.target_days_per_week} days a week"
        if walking.weekly_increase_minutes > 0
        else "keep to this amount for now"
    )
    finish = ", to finish your exercise session" if walking.in_session else ""
    console.print(
        f"\n[bold]Walking[/bold]: {walking.minutes_per_bout:g} minutes {times} a day{finish}, "
        f"{walking.days_per_week} days a week; {build}."
    )
    run_walk = (str(walking.run_walk["starts_when"]),) if walking.run_walk is not None else ()
    _print_bullets(console, (*walking.reasons, *walking.notes, *run_walk))


def _print_list(console: Console, title: str, lines: tuple[str, ...] | list[str]) -> None:
    console.print(f"\n[bold]{title}[/bold]:")
    _print_bullets(console, lines)


def _print_bullets(console: Console, lines: tuple[str, ...] | list[str]) -> None:
    """One bullet per line, wrapped lines indented under the text rather than the bullet."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=3, justify="right")
    grid.add_column(ratio=1)
    for line in lines:
        grid.add_row("-", line)
    console.print(grid)


def _name(catalog: Catalog, exercise_id: str) -> str:
    exercise = catalog.exercises.get(exercise_id)
    return exercise.name if exercise else exercise_id
