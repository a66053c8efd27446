"""`lumbar plan`: JSON by contract, a readable program with reasons, exit 2 on a bad intake."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lumbar.cli import app
from lumbar.cli._common import run
from lumbar.cli.plan import dose_text
from lumbar.domain.catalog import default_catalog
from lumbar.domain.intake import parse_intake
from lumbar.domain.prescription import PrescribedExercise, prescribe

Validator = Callable[[Any], None]


def make_intake(**fields: Any) -> dict[str, Any]:
    return {"age": 45, "episode_weeks": 3, "pain": {"now": 4}, "leg_symptoms": "none", **fields}


SCIATICA_AT_A_DESK = make_intake(
    leg_symptoms="below_knee", leg_side="left", directional_preference="extension", occupation="desk"
)


def lumbar(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str | None = None
) -> tuple[int, str, str]:
    """Run the CLI in-process with its real error policy; returns (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["lumbar", *args])
    # Wide enough that no reason wraps inside the table, so the tests can look for whole sentences.
    monkeypatch.setenv("COLUMNS", "400")
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = run(app)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path: Path, data: Any) -> str:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.fixture
def program_contract(contract_validator: Callable[..., Validator]) -> Validator:
    return contract_validator("program")


def test_plan_json_is_the_program_of_the_contract(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    program_contract: Validator,
) -> None:
    code, out, err = lumbar(
        capsys, monkeypatch, "plan", "--intake", write(tmp_path, SCIATICA_AT_A_DESK), "--json"
    )
    assert (code, err) == (0, "")
    payload = json.loads(out)
    program_contract(payload)
    expected = prescribe(parse_intake(SCIATICA_AT_A_DESK), default_catalog()).to_json()
    assert payload == expected
    assert [item["id"] for item in payload["exercises"]] == [
        "prone-lying",
        "standing-back-extension",
        "heel-slide",
        "sciatic-nerve-glide",
    ]


def test_plan_reads_standard_input_for_a_dash_and_prints_the_same_bytes_every_time(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = json.dumps(make_intake(episode_weeks=30, occupation="desk"))
    first = lumbar(capsys, monkeypatch, "plan", "--intake", "-", "--json", stdin=stdin)
    second = lumbar(capsys, monkeypatch, "plan", "--intake", "-", "--json", stdin=stdin)
    assert first[0] == 0
    assert first == second
    assert json.loads(first[1])["phase"] == "chronic"


def test_a_referred_person_gets_status_refer_and_exit_0(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    program_contract: Validator,
) -> None:
    intake = make_intake(red_flags={"bladder_change": True})
    code, out, _ = lumbar(capsys, monkeypatch, "plan", "--intake", write(tmp_path, intake), "--json")
    assert code == 0
    payload = json.loads(out)
    program_contract(payload)
    assert (payload["status"], payload["triage"]["tier"], payload["exercises"]) == (
        "refer",
        "emergency_now",
        [],
    )


def test_readable_plan_shows_each_exercise_with_dose_and_reasons_then_walking_breaks_reading_and_stop_rules(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, err = lumbar(capsys, monkeypatch, "plan", "--intake", write(tmp_path, SCIATICA_AT_A_DESK))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "Your program (acute phase): about 4.7 minutes a session."
    assert "Lying on your front" in out
    assert "1 x hold 60 s" in out
    assert "5x a day" in out
    assert "1 x 10 reps, each side" in out
    assert "- Bending backward eases your leg pain, so this exercise moves that way." in out
    assert "Walking: 5 minutes 2 times a day, 5 days a week; add 2 minutes each week until you walk 30" in out
    assert (
        "Movement breaks: every 30 minutes of sitting, take a minute to move with one of: Standing back"
        in out
    )
    assert "(leg-symptoms)" in out
    assert "Stop an exercise if your pain while you do it goes above 5 out of 10 and above the pain" in out
    assert "Check in again in 14 days." in out
    order = [
        out.index(marker) for marker in ("Exercise", "Walking:", "Movement breaks:", "Read:", "Stop rules:")
    ]
    assert order == sorted(order)


def test_readable_plan_puts_the_doctor_advice_first_when_a_warning_sign_needs_a_doctor_soon(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    intake = make_intake(red_flags={"thoracic_pain": True})
    code, out, _ = lumbar(capsys, monkeypatch, "plan", "--intake", write(tmp_path, intake))
    assert code == 0
    assert out.index("Book") < out.index("Your program")
    assert "keep to this amount for now" in out
    assert "We recommend:" in out


def test_readable_refer_plan_gives_the_advice_and_no_exercises(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    intake = make_intake(red_flags={"saddle_numbness": True})
    code, out, _ = lumbar(capsys, monkeypatch, "plan", "--intake", write(tmp_path, intake))
    assert code == 0
    assert "Go to an emergency department now" in out
    assert "No exercise program until a clinician has seen you." in out
    assert "Your program" not in out
    assert "Stop and get medical help straight away if you notice any warning sign" in out


@pytest.mark.parametrize(
    ("intake", "message"),
    [
        (make_intake(age=15), "error: intake: age: Lumbar's guidance covers adults aged 16 and over"),
        (
            make_intake(minutes_per_session=3),
            "error: intake: minutes_per_session: Input should be greater than",
        ),
        (make_intake(equipment=["rowing-machine"]), "error: intake: equipment.0: Input should be"),
        (
            make_intake(directional_preference="sideways"),
            "error: intake: directional_preference: Input should be",
        ),
        (make_intake(favourite_colour="blue"), "error: intake: favourite_colour: unknown key"),
        ({"age": 40}, "error: intake: episode_weeks: required but missing"),
        ([1, 2, 3], "error: intake: must be a JSON object"),
    ],
)
def test_invalid_intake_exits_2_with_one_line_naming_the_field(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    intake: Any,
    message: str,
) -> None:
    code, out, err = lumbar(capsys, monkeypatch, "plan", "--intake", write(tmp_path, intake), "--json")
    assert code == 2
    assert out == ""
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_malformed_json_and_missing_files_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, err = lumbar(capsys, monkeypatch, "plan", "--intake", "-", stdin="{not json")
    assert (code, out) == (2, "")
    assert err.startswith("error: intake: not valid JSON")
    code, _, err = lumbar(capsys, monkeypatch, "plan", "--intake", str(tmp_path / "nope.json"))
    assert code == 2
    assert "does not exist" in err


def test_plan_needs_an_intake(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = lumbar(capsys, monkeypatch, "plan")
    assert (code, out) == (2, "")
    assert "Missing option '--intake'" in err


def _exercise(sets: int, reps: int | None, hold: int | None, per_side: bool) -> PrescribedExercise:
    return PrescribedExercise(
        id="x",
        name="X",
        slot="s",
        sets=sets,
        reps=reps,
        hold_seconds=hold,
        per_side=per_side,
        sessions_per_week=5,
        reasons=("r",),
        evidence=(),
        cautions=(),
        seconds=0,
    )


@pytest.mark.parametrize(
    ("sets", "reps", "hold", "per_side", "text"),
    [
        (2, 10, None, False, "2 x 10 reps"),
        (2, 10, 3, False, "2 x 10 reps, hold 3 s"),
        (1, 6, 5, True, "1 x 6 reps, hold 5 s, each side"),
        (3, 1, 10, True, "3 x hold 10 s, each side"),
        (1, None, 60, False, "1 x hold 60 s"),
    ],
)
def test_dose_reads_as_sets_reps_holds_and_sides(
    sets: int, reps: int | None, hold: int | None, per_side: bool, text: str
) -> None:
    assert dose_text(_exercise(sets, reps, hold, per_side)) == text


def test_the_installed_command_plans_from_standard_input() -> None:
    # One real process: the console entry point, stdin and exit codes end to end.
    result = subprocess.run(
        [sys.executable, "-m", "lumbar", "plan", "--intake", "-", "--json"],
        input=json.dumps(make_intake(episode_weeks=20)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "ok"
