"""`lumbar illustrate ID [--frame start|end|animated] [--out FILE]` prints or writes the exercise's figure."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lumbar.cli import app

runner = CliRunner()
SVG = "{http://www.w3.org/2000/svg}"


def illustrate(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["illustrate", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("frame", ["start", "end", "animated"])
def test_prints_the_chosen_frame_as_svg(frame: str) -> None:
    code, out, err = illustrate("glute-bridge", "--frame", frame)
    assert (code, err) == (0, "")
    root = ET.fromstring(out)
    assert root.tag == f"{SVG}svg"
    assert root.get("id") == f"lf-glute-bridge-{frame}"
    assert (root.findtext(f"{SVG}title") or "").startswith("Glute bridge")
    assert (root.find(f".//{SVG}animate") is not None) == (frame == "animated")


def test_the_animated_loop_is_the_default() -> None:
    code, out, _ = illustrate("cat-cow")
    assert code == 0
    assert "<animate " in out


def test_the_same_frame_prints_the_same_svg_every_time() -> None:
    assert illustrate("bird-dog", "--frame", "end") == illustrate("bird-dog", "--frame", "end")


def test_writes_the_svg_to_a_file_and_prints_nothing(tmp_path: Path) -> None:
    target = tmp_path / "bridge.svg"
    code, out, err = illustrate("glute-bridge", "--frame", "start", "--out", str(target))
    assert (code, out, err) == (0, "", "")
    assert ET.parse(target).getroot().tag == f"{SVG}svg"


def test_an_unknown_exercise_exits_2_with_suggestions() -> None:
    code, out, err = illustrate("glute-brige")
    assert code == 2
    assert out == ""
    assert (
        err
        == "error: unknown exercise id 'glute-brige'; did you mean glute-bridge, single-leg-bridge, marching-bridge?\n"
    )


def test_an_unknown_frame_exits_2() -> None:
    code, out, err = illustrate("glute-bridge", "--frame", "middle")
    assert code == 2
    assert out == ""
    assert "Invalid value for '--frame'" in err


def test_an_unwritable_output_exits_2_without_a_traceback(tmp_path: Path) -> None:
    code, out, err = illustrate("glute-bridge", "--out", str(tmp_path / "missing" / "x.svg"))
    assert code == 2
    assert out == ""
    assert err.startswith("error: cannot write ")
    assert "Traceback" not in err
