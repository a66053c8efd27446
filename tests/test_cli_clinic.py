"""`lumbar clinic create|add-therapist|list`: a clinic set up from the command line (issue 17)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PASSWORD = "a-long-clinic-password-9"


def lumbar(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(
        [sys.executable, "-m", "lumbar", *args, "--data-dir", str(data_dir)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


@pytest.mark.slow
def test_clinic_create_makes_the_clinic_and_its_admin_who_can_then_add_a_colleague(tmp_path: Path) -> None:
    made = lumbar(
        tmp_path,
        "clinic",
        "create",
        "Riverside Physio",
        "--admin",
        "Anna@Riverside.example",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert made.returncode == 0, made.stderr
    assert (
        "Created the clinic 'Riverside Physio' (number 1) with anna@riverside.example as its admin."
        in made.stdout
    )
    added = lumbar(
        tmp_path,
        "clinic",
        "add-therapist",
        "ben@riverside.example",
        "--clinic",
        "1",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert added.returncode == 0, added.stderr
    assert "ben@riverside.example is a therapist of 'Riverside Physio'." in added.stdout
    listed = lumbar(tmp_path, "clinic", "list")
    assert listed.stdout.splitlines() == [
        "1  Riverside Physio",
        "    anna@riverside.example (admin)",
        "    ben@riverside.example",
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("create", "  ", "--admin", "a@b.example"), "", "error: give the clinic a name"),
        (("create", "Riverside", "--admin", "not-an-email"), "", "error: Give a valid email address."),
        (
            ("create", "Riverside", "--admin", "a@b.example"),
            "",
            "error: no password given for the new account a@b.example",
        ),
        (
            ("create", "Riverside", "--admin", "a@b.example"),
            "short\nshort\n",
            "error: This password is too short.",
        ),
        (("add-therapist", "b@b.example", "--clinic", "7"), "", "error: There is no clinic number 7"),
    ],
)
def test_clinic_commands_refuse_bad_input_with_one_line_and_exit_code_2(
    tmp_path: Path, args: tuple[str, ...], stdin: str, message: str
) -> None:
    result = lumbar(tmp_path, "clinic", *args, stdin=stdin)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "Created" not in result.stdout
