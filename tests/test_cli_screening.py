"""`lumbar screen` and `lumbar score`: JSON by contract, readable summaries, exit 2 on bad intake."""

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

Validator = Callable[[Any], None]


def make_intake(**fields: Any) -> dict[str, Any]:
    return {"age": 40, "episode_weeks": 3, "pain": {"now": 4}, "leg_symptoms": "none", **fields}


FULL_INTAKE = make_intake(
    pain={"now": 6, "worst_24h": 8},
    leg_symptoms="below_knee",
    odi_sections=[2, 2, 2, 2, 2, 2, 1, 1, 1, 1],
    rmdq_yes=[2, 7, 11, 19, 20],
    goals=[{"activity": "walk to the shop", "score": 3}, {"activity": "lift my child", "score": 5}],
    startback={
        "leg_pain": True,
        "shoulder_neck_pain": False,
        "walk_short_distances": True,
        "dress_slowly": True,
        "unsafe_to_be_active": True,
        "worrying_thoughts": False,
        "terrible_never_better": False,
        "no_enjoyment": False,
        "bothersomeness": "moderately",
    },
)


def lumbar(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str | None = None
) -> tuple[int, str, str]:
    """Run the CLI in-process with its real error policy; returns (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["lumbar", *args])
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
def triage_contract(contract_part_validator: Callable[[str, str], Validator]) -> Validator:
    return contract_part_validator("program", "/properties/triage")


# --- lumbar screen ------------------------------------------------------------------------------


def test_screen_json_prints_the_triage_object_of_the_contract(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    triage_contract: Validator,
) -> None:
    intake = make_intake(red_flags={"cancer_history": True, "bilateral_leg_weakness": True})
    code, out, err = lumbar(capsys, monkeypatch, "screen", "--intake", write(tmp_path, intake), "--json")
    assert (code, err) == (0, "")
    payload = json.loads(out)
    triage_contract(payload)
    assert payload["tier"] == "emergency_now"
    assert payload["flags"] == [
        "bilateral_leg_weakness",
        "cancer_history",
        "cancer_history_with_neurological_symptoms",
    ]
    assert payload["advice"].startswith("Go to an emergency department now")


def test_screen_reads_standard_input_for_a_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, triage_contract: Validator
) -> None:
    stdin = json.dumps(make_intake(red_flags={"thoracic_pain": True}))
    code, out, _ = lumbar(capsys, monkeypatch, "screen", "--intake", "-", "--json", stdin=stdin)
    assert code == 0
    payload = json.loads(out)
    triage_contract(payload)
    assert (payload["tier"], payload["flags"]) == ("see_doctor_soon", ["thoracic_pain"])


def test_screen_without_json_prints_the_tier_and_advice_first_then_the_flags_in_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    intake = make_intake(red_flags={"fever_or_unwell": True})
    code, out, _ = lumbar(capsys, monkeypatch, "screen", "--intake", write(tmp_path, intake))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Speak to a doctor today"
    assert lines[1].startswith("Speak to a doctor today:")
    assert "What Lumbar found:" in out
    assert "fever, chills, night sweats or feeling generally unwell (fever_or_unwell)" in out
    assert out.index("Speak to a doctor today") < out.index("What Lumbar found:")


def test_screen_routine_summary_says_no_warning_signs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, _ = lumbar(capsys, monkeypatch, "screen", "--intake", write(tmp_path, make_intake()))
    assert code == 0
    assert out.splitlines()[0] == "No warning signs found"
    assert "What Lumbar found:" not in out


# --- lumbar score -------------------------------------------------------------------------------


def test_score_json_prints_every_computable_score_with_interpretation(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, err = lumbar(capsys, monkeypatch, "score", "--intake", write(tmp_path, FULL_INTAKE), "--json")
    assert (code, err) == (0, "")
    scores = json.loads(out)
    assert scores["nprs"] == 6
    assert scores["nprs_worst_24h"] == 8
    assert (scores["odi_percent"], scores["odi_band"]) == (32.0, "moderate")
    assert scores["rmdq"] == 5
    assert scores["psfs_mean"] == 4.0
    assert (scores["startback_total"], scores["startback_psychosocial"], scores["startback_risk"]) == (
        4,
        1,
        "medium",
    )
    for name in ("nprs", "odi", "rmdq", "psfs", "startback"):
        assert isinstance(scores[f"{name}_interpretation"], str)


def test_score_json_fits_the_scores_object_of_the_program_contract(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    contract_part_validator: Callable[[str, str], Validator],
) -> None:
    _, out, _ = lumbar(capsys, monkeypatch, "score", "--intake", write(tmp_path, FULL_INTAKE), "--json")
    contract_part_validator("program", "/properties/scores")(json.loads(out))


def test_score_without_json_prints_a_table_a_person_can_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, _ = lumbar(capsys, monkeypatch, "score", "--intake", write(tmp_path, FULL_INTAKE))
    assert code == 0
    for label in ("Pain now (NPRS)", "Oswestry Disability Index", "Roland-Morris", "STarT Back"):
        assert label in out
    assert "moderate disability" in out


def test_score_of_an_unscorable_odi_shows_the_reason(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    intake = make_intake(odi_sections=[1, None, None, None, 1, 1, 1, 1, 1, 1])
    code, out, _ = lumbar(capsys, monkeypatch, "score", "--intake", write(tmp_path, intake), "--json")
    assert code == 0
    scores = json.loads(out)
    assert scores["odi_percent"] is None
    assert scores["odi_interpretation"].startswith("not scorable")


# --- invalid input ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["screen", "score"])
@pytest.mark.parametrize(
    ("intake", "message"),
    [
        (make_intake(age=15), "error: intake: age: Lumbar's guidance covers adults aged 16 and over"),
        (make_intake(pain={"now": 12}), "error: intake: pain.now: Input should be less than or equal to 10"),
        (make_intake(red_flags={"nosebleed": True}), "error: intake: red_flags.nosebleed: unknown key"),
        (make_intake(favourite_colour="blue"), "error: intake: favourite_colour: unknown key"),
        ({"age": 40}, "error: intake: episode_weeks: required but missing"),
        (
            make_intake(goals=[{"activity": "", "score": 3}]),
            "error: intake: goals.0.activity: String should have",
        ),
    ],
)
def test_invalid_intake_exits_2_with_one_line_naming_the_field(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    command: str,
    intake: dict[str, Any],
    message: str,
) -> None:
    code, out, err = lumbar(capsys, monkeypatch, command, "--intake", write(tmp_path, intake), "--json")
    assert code == 2
    assert out == ""
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_malformed_json_exits_2(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = lumbar(capsys, monkeypatch, "screen", "--intake", "-", stdin="{not json")
    assert (code, out) == (2, "")
    assert err.startswith("error: intake: not valid JSON")


def test_a_missing_intake_file_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, _, err = lumbar(capsys, monkeypatch, "score", "--intake", str(tmp_path / "nope.json"))
    assert code == 2
    assert "does not exist" in err


def test_the_installed_command_screens_from_standard_input() -> None:
    # One real process: the console entry point, stdin and exit codes end to end.
    good = subprocess.run(
        [sys.executable, "-m", "lumbar", "screen", "--intake", "-", "--json"],
        input=json.dumps(make_intake(red_flags={"major_trauma": True})),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["tier"] == "emergency_now"
    bad = subprocess.run(
        [sys.executable, "-m", "lumbar", "screen", "--intake", "-"],
        input=json.dumps(make_intake(age=12)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.startswith("error: intake: age: Lumbar's guidance covers adults aged 16 and over")
