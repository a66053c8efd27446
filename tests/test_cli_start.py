"""`lumbar plan` starts fast: it loads only what planning needs, and reads validated content from a
snapshot that is safe to read (issue 15). The timing itself is measured by bench/bench_cli_start.py."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from lumbar.cli import _snapshot
from lumbar.domain import catalog

INTAKE = {
    "age": 45,
    "episode_weeks": 3,
    "pain": {"now": 6, "worst_24h": 8},
    "leg_symptoms": "below_knee",
    "directional_preference": "extension",
    "occupation": "desk",
}

# Runs the console script's entry in this interpreter, then prints the top-level modules it loaded.
LOADED_MODULES = """
import json, sys
from lumbar.entry import main
try:
    main()
except SystemExit as exc:
    code = exc.code
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
sys.exit(code)
"""


def run_lumbar(*args: str, cache: Path | str, wrapper: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", wrapper, *args] if wrapper else [sys.executable, "-m", "lumbar", *args]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "LUMBAR_CACHE_DIR": str(cache)},
    )


@pytest.fixture
def intake_file(tmp_path: Path) -> str:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(INTAKE), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "table"])
def test_plan_loads_no_web_video_pdf_or_schema_stack(tmp_path: Path, intake_file: str, as_json: bool) -> None:
    args = ["plan", "--intake", intake_file, *(["--json"] if as_json else [])]
    result = run_lumbar(*args, cache=tmp_path / "cache", wrapper=LOADED_MODULES)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stderr.strip().splitlines()[-1]))
    heavy = {"django", "ninja", "mediapipe", "cv2", "numpy", "weasyprint", "jsonschema", "gunicorn"}
    assert loaded & heavy == set()
    if as_json:
        assert "rich" not in loaded  # rich only draws the table


def test_help_loads_no_rich_and_no_content(tmp_path: Path) -> None:
    result = run_lumbar("--help", cache=tmp_path / "cache", wrapper=LOADED_MODULES)
    assert result.returncode == 0
    loaded = set(json.loads(result.stderr.strip().splitlines()[-1]))
    assert "rich" not in loaded
    assert "tomllib" not in loaded


def test_plan_prints_the_same_program_with_and_without_the_snapshot(tmp_path: Path, intake_file: str) -> None:
    cache = tmp_path / "cache"
    without = run_lumbar("plan", "--intake", intake_file, "--json", cache="off")
    first = run_lumbar("plan", "--intake", intake_file, "--json", cache=cache)
    second = run_lumbar("plan", "--intake", intake_file, "--json", cache=cache)
    assert without.returncode == first.returncode == second.returncode == 0
    assert first.stdout == second.stdout == without.stdout
    assert not (tmp_path / "off").exists()
    (snapshot,) = cache.glob("content-*.pickle")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600


def test_snapshot_holds_exactly_the_validated_content(tmp_path: Path) -> None:
    path = tmp_path / f"content-{_snapshot.snapshot_key()}.pickle"
    validated = _snapshot.validate_content()
    _snapshot.write_snapshot(path, validated)
    assert _snapshot.read_snapshot(path) == validated


def test_snapshot_key_changes_when_any_content_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    shutil.copytree(catalog.CONTENT_DIR, content)
    monkeypatch.setattr(catalog, "CONTENT_DIR", content)
    before = _snapshot.snapshot_key()
    assert _snapshot.snapshot_key() == before
    lesson = next((content / "education").glob("*.md"))
    lesson.write_text(lesson.read_text(encoding="utf-8") + " ", encoding="utf-8")
    edited = _snapshot.snapshot_key()
    assert edited != before
    (content / "exercises" / "new.toml").write_text("", encoding="utf-8")
    assert _snapshot.snapshot_key() not in {before, edited}


def _stored(tmp_path: Path, payload: bytes, key: str = "k") -> Path:
    path = tmp_path / f"content-{key}.pickle"
    path.write_bytes(_snapshot.HEADER + key.encode() + b"\n" + payload)
    path.chmod(0o600)
    return path


class _Touch:
    """An object whose unpickling would create a file: what a tampered snapshot could try."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return (Path.touch, (self.marker,))


def test_snapshot_that_names_anything_but_content_classes_is_never_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = _stored(tmp_path, pickle.dumps({"catalog": _Touch(marker)}))
    assert _snapshot.read_snapshot(path) is None
    assert not marker.exists()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other_key", "writable_by_others", "wrong_parts"])
def test_snapshot_that_is_damaged_foreign_or_unsafe_is_not_read(tmp_path: Path, damage: str) -> None:
    whole = pickle.dumps(_snapshot.validate_content(), protocol=pickle.HIGHEST_PROTOCOL)
    payload = {
        "garbage": b"\x80\x05not a pickle",
        "truncated": whole[: len(whole) // 2],
        "wrong_parts": pickle.dumps({"catalog": 1}),
    }.get(damage, whole)
    path = _stored(tmp_path, payload)
    if damage == "other_key":
        path = path.rename(tmp_path / "content-other.pickle")
    if damage == "writable_by_others":
        path.chmod(0o666)
    assert _snapshot.read_snapshot(path) is None


def test_damaged_snapshot_means_validating_again(tmp_path: Path, intake_file: str) -> None:
    cache = tmp_path / "cache"
    expected = run_lumbar("plan", "--intake", intake_file, "--json", cache="off").stdout
    cache.mkdir(mode=0o700)
    path = cache / f"content-{_snapshot.snapshot_key()}.pickle"
    path.write_bytes(_snapshot.HEADER + b"garbage")
    path.chmod(0o600)
    result = run_lumbar("plan", "--intake", intake_file, "--json", cache=cache)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected
    assert _snapshot.read_snapshot(path) is not None  # replaced by a whole one


def test_snapshot_is_off_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUMBAR_CACHE_DIR", "off")
    assert _snapshot.cache_dir() is None
