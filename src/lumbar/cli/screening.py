"""`lumbar screen` (red-flag triage) and `lumbar score` (outcome measures) for one intake."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from lumbar.domain.intake import Intake
    from lumbar.domain.screening import ScreeningRules, Triage

INTAKE_HELP = "Intake answers as JSON (contracts/intake.schema.json); '-' reads standard input."
JSON_HELP = "Print JSON for scripts instead of a summary for people."

# Colours only; the words carry the meaning for anyone who cannot see them.
_TIER_STYLE = {
    "emergency_now": "bold white on red",
    "urgent_same_day": "bold red",
    "see_doctor_soon": "bold yellow",
    "routine": "bold green",
}


def register(app: typer.Typer) -> None:
    app.command("screen")(screen)
    app.command("score")(score)


def _load_intake(source: str) -> Intake:
    from lumbar.cli._common import read_json
    from lumbar.domain.intake import parse_intake

    return parse_intake(read_json(source, "intake"), source="intake")


def screen(
    intake: str = typer.Option(..., "--intake", metavar="FILE", help=INTAKE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Screen an intake for red flags: triage tier, the flags that fired and what to do."""
    from lumbar.cli._common import print_json
    from lumbar.domain.screening import default_rules, triage

    answers = _load_intake(intake)
    result = triage(answers)
    if as_json:
        print_json(result.to_json())
    else:
        _print_triage(result, default_rules())


def score(
    intake: str = typer.Option(..., "--intake", metavar="FILE", help=INTAKE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Score every questionnaire the intake answers (NPRS, ODI, RMDQ, PSFS, STarT Back)."""
    from lumbar.cli._common import print_json
    from lumbar.domain.instruments import score_intake

    scores = score_intake(_load_intake(intake))
    if as_json:
        print_json(scores)
    else:
        _print_scores(scores)


def _print_triage(result: Triage, rules: ScreeningRules) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    console.print(Text(rules.label(result.tier), style=_TIER_STYLE[result.tier.value]))
    console.print(result.advice)
    if result.flags:
        console.print()
        console.print("What Lumbar found:")
        for flag in result.flags:
            console.print(f"  - {rules.meaning(flag)} ({flag})")
    if result.evidence:
        console.print()
        console.print(f"Sources: {', '.join(result.evidence)}", style="dim")


_SCORE_LINES: tuple[tuple[str, str, str], ...] = (
    ("Pain now (NPRS)", "nprs", "nprs_interpretation"),
    ("Oswestry Disability Index", "odi_percent", "odi_interpretation"),
    ("Roland-Morris (RMDQ)", "rmdq", "rmdq_interpretation"),
    ("Patient-Specific Functional Scale", "psfs_mean", "psfs_interpretation"),
    ("STarT Back", "startback_total", "startback_interpretation"),
)


def _print_scores(scores: dict[str, object]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_header=True, header_style="bold")
    table.add_column("Measure")
    table.add_column("Score", justify="right")
    table.add_column("What it means")
    for label, value_key, meaning_key in _SCORE_LINES:
        if value_key not in scores:
            continue
        value = scores[value_key]
        table.add_row(
            label,
            "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value),
            str(scores[meaning_key]),
        )
    Console(highlight=False).print(table)
