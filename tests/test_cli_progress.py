"""`lumbar progress --history FILE|- [--json]`: the review on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lumbar.cli import app
from lumbar.domain.catalog import default_catalog
from simulator import (
    CHRONIC_EXTENSION_LEG,
    CHRONIC_LOW_FITNESS,
    day,
    every_log,
    history,
    log,
    program_for,
    session,
    with_dose,
)

runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def program() -> dict[str, Any]:
    return program_for(CHRONIC_LOW_FITNESS, default_catalog())


@pytest.fixture
def good_history(program: dict[str, Any], tmp_path: Path) -> Path:
    sessions = [session(0, every_log(program)), session(1, every_log(program))]
    path = tmp_path / "history.json"
    path.write_text(json.dumps(history(program, 1, sessions)), encoding="utf-8")
    return path


@pytest.fixture
def emergency_history(program: dict[str, Any], tmp_path: Path) -> Path:
    sessions = [session(0, every_log(program)), session(1, every_log(program, pain_during=7))]
    checkins = [{"date": day(1), "red_flags": {"bladder_change": True}}]
    path = tmp_path / "emergency.json"
    path.write_text(json.dumps(history(program, 1, sessions, checkins)), encoding="utf-8")
    return path


def test_progress_json_is_a_review_valid_against_the_contract(
    good_history: Path, contract_validator: Callable[..., Callable[[Any], None]]
) -> None:
    code, out, err = run("progress", "--history", str(good_history), "--json")
    assert (code, err) == (0, "")
    review = json.loads(out)
    contract_validator("progress", "Review")(review)
    assert {d["id"]: d["action"] for d in review["decisions"]} == {
        "cat-cow": "progress",
        "bird-dog": "progress",
        "curl-up": "progress",
        "glute-bridge": "progress",
        "sit-to-stand": "progress",
    }
    bridge = next(d for d in review["decisions"] if d["id"] == "glute-bridge")
    assert bridge["to"] == {"id": "glute-bridge", "sets": 2, "reps": 12, "hold_seconds": 3}
    assert review["adherence"] == {
        "window_days": 2,
        "sessions_done": 2,
        "sessions_prescribed": 2,
        "rate": 1.0,
    }


def test_progress_reads_the_history_from_standard_input(good_history: Path) -> None:
    from_file = run("progress", "--history", str(good_history), "--json")
    from_stdin = run("progress", "--history", "-", "--json", stdin=good_history.read_text(encoding="utf-8"))
    assert from_stdin == from_file


def test_progress_for_a_person_shows_alerts_first_then_the_decisions_and_adherence(
    emergency_history: Path,
) -> None:
    code, out, err = run("progress", "--history", str(emergency_history))
    assert (code, err) == (0, "")
    assert out.index("EMERGENCY (red flag)") < out.index("Cat-cow") < out.index("Sessions: 2 of 2")
    assert "- Stop all your exercises" in out
    assert "│ stop " in out


def test_an_emergency_red_flag_is_printed_in_bold(emergency_history: Path) -> None:
    from rich.console import Console

    from lumbar.cli.progress import print_review
    from lumbar.domain.history import parse_history
    from lumbar.domain.progression import review

    catalog = default_catalog()
    result = review(parse_history(json.loads(emergency_history.read_text()), catalog=catalog), catalog)
    console = Console(record=True, force_terminal=True, width=120, highlight=False)
    print_review(result, catalog, console)
    styled = console.export_text(styles=True)
    assert "\x1b[1;31mEMERGENCY (red flag)" in styled


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "error: history: not valid JSON (line 1, column 2"),
        ("[]", "error: history: must be a JSON object (got list)"),
        ('{"today": "2025-03-03", "sessions": []}', "error: history: program: required but missing"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_prints_nothing(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "history.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = run("progress", "--history", str(path), "--json")
    assert code == 2
    assert out == ""
    assert err.startswith(message)
    assert err.count("\n") == 1


def test_an_out_of_range_pain_score_names_the_field(program: dict[str, Any], tmp_path: Path) -> None:
    data = history(program, 1, [session(0, every_log(program, pain_during=12))])
    path = tmp_path / "history.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = run("progress", "--history", str(path))
    assert (code, out) == (2, "")
    assert err == (
        "error: history: sessions.0.exercises.0.pain_during: Input should be less than or equal to 10 (got 12)\n"
    )


def test_a_missing_history_file_exits_2(tmp_path: Path) -> None:
    code, out, err = run("progress", "--history", str(tmp_path / "nowhere.json"))
    assert (code, out) == (2, "")
    assert err.startswith("error: history file ")
    assert "does not exist" in err


def test_the_installed_command_runs_end_to_end(good_history: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lumbar", "progress", "--history", str(good_history), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["today"] == day(1)


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "history.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_patient_at_seven_with_six_during_is_not_regressed_on_the_command_line(
    program: dict[str, Any], tmp_path: Path
) -> None:
    harder = with_dose(program, "glute-bridge", 2, 14, 3)
    sessions = [session(1, [log(harder, "glute-bridge", pain_during=6)], pain_before=7)]
    code, out, _ = run("progress", "--history", str(write(tmp_path, history(harder, 2, sessions))), "--json")
    assert code == 0
    bridge = next(d for d in json.loads(out)["decisions"] if d["id"] == "glute-bridge")
    assert bridge["action"] != "regress"


def test_the_review_reads_the_directional_preference_from_the_programs_precaution_keys(
    tmp_path: Path, contract_validator: Callable[..., Callable[[Any], None]]
) -> None:
    program = program_for(CHRONIC_EXTENSION_LEG, default_catalog())
    assert "prefers_extension" in program["precaution_keys"]
    sessions = [session(0, [log(program, "prone-press-up", leg_symptoms="peripheralised")])]
    code, out, _ = run("progress", "--history", str(write(tmp_path, history(program, 0, sessions))), "--json")
    assert code == 0
    review = json.loads(out)
    contract_validator("progress", "Review")(review)
    press_up = next(d for d in review["decisions"] if d["id"] == "prone-press-up")
    assert (press_up["action"], press_up["to"]["id"]) == ("substitute", "piriformis-stretch")
    assert review["alerts"][0]["kind"] == "peripheralisation"
    assert review["alerts"][0]["severity"] == "review"
    assert "That direction has not held up" in review["alerts"][0]["message"]


def test_a_malformed_precaution_key_in_the_program_names_the_field(
    program: dict[str, Any], tmp_path: Path
) -> None:
    data = history({**program, "precaution_keys": ["Prefers Extension"]}, 0)
    code, out, err = run("progress", "--history", str(write(tmp_path, data)))
    assert (code, out) == (2, "")
    assert err.startswith("error: history: program.precaution_keys.0: String should match pattern")


def test_progress_is_listed_in_help() -> None:
    code, out, _ = run("--help")
    assert code == 0
    assert "progress" in out
