"""`lumbar content check` rejects a content root that breaks any library rule: exit 2, one line naming
the file and the rule, no traceback.

Each case under tests/fixtures/content/ is a copy of `valid/` with exactly one rule broken.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lumbar.cli import app
from lumbar.domain.catalog import ContentError, load_catalog

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "content"
VALID = FIXTURES / "valid"

runner = CliRunner()


def check(root: Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["content", "check", "--path", str(root)])
    return result.exit_code, result.stdout, result.stderr


def assert_rejected(case: str, message: str) -> None:
    """Both entry points give the same one-line message: the loader raises it, the CLI prints it."""
    with pytest.raises(ContentError) as raised:
        load_catalog(FIXTURES / case)
    assert str(raised.value) == message
    code, out, err = check(FIXTURES / case)
    assert (code, out, err) == (2, "", f"error: {message}\n")


def test_the_minimal_valid_root_passes_with_a_one_line_summary() -> None:
    code, out, err = check(VALID)
    assert code == 0, err
    assert re.fullmatch(
        r"3 exercises, 1 education topic, 2 references: all valid \(content version 0\.1\.0\+[0-9a-f]{12}\)\n",
        out,
    )


def test_an_unknown_key_is_rejected_not_ignored() -> None:
    assert_rejected("unknown-key", "floor-bridge.toml: dose.tempo: unknown key")


def test_a_missing_required_field_is_rejected() -> None:
    assert_rejected("missing-required-field", "floor-bridge.toml: text.breathing: required but missing")


def test_a_dose_out_of_range_is_rejected() -> None:
    assert_rejected(
        "dose-out-of-range",
        "floor-bridge.toml: dose.reps: Input should be less than or equal to 50 (got 500)",
    )


def test_two_files_with_the_same_id_are_a_duplicate_not_a_file_name_mismatch() -> None:
    assert_rejected(
        "duplicate-id",
        "floor-bridge.toml: duplicate exercise id 'floor-bridge' (also in floor-bridge-copy.toml)",
    )


def test_an_id_must_match_its_file_name() -> None:
    assert_rejected("id-not-file-name", "side-reach.toml: id 'side-stretch' must match the file name")


def test_a_regression_must_name_an_exercise_in_the_library() -> None:
    assert_rejected(
        "dangling-regression", "floor-bridge.toml: regression 'pelvic-rock' is not an exercise in the library"
    )


def test_a_progression_chain_must_not_loop() -> None:
    assert_rejected(
        "progression-cycle",
        "floor-bridge.toml: progression chain loops: floor-bridge -> hip-tilt -> floor-bridge",
    )


def test_exercise_evidence_must_be_a_known_reference() -> None:
    assert_rejected("unknown-evidence-id", "side-reach.toml: unknown evidence id 'smith-1999-made-up'")


def test_a_precaution_must_name_a_known_intake_key() -> None:
    with pytest.raises(ContentError) as raised:
        load_catalog(FIXTURES / "unknown-precaution-key")
    message = str(raised.value)
    assert message.startswith(
        "floor-bridge.toml: precautions.0: Value error, unknown precaution key 'back_pain'; known keys: acute, "
    )
    assert "osteoporosis" in message
    assert "pregnancy" in message
    assert_rejected("unknown-precaution-key", message)


def test_an_education_topic_needs_toml_front_matter_between_plus_lines() -> None:
    assert_rejected(
        "bad-front-matter", "moving-well.md: must start with TOML front matter between '+++' lines"
    )


def test_an_education_topic_needs_a_title() -> None:
    assert_rejected("topic-missing-title", "moving-well.md: title: required but missing")


def test_education_evidence_must_be_a_known_reference() -> None:
    assert_rejected("topic-unknown-evidence-id", "moving-well.md: unknown evidence id 'nice-2099-guideline'")


def test_an_invalid_list_element_is_named_by_its_position() -> None:
    assert_rejected(
        "list-element-invalid",
        "hip-tilt.toml: equipment.1: Input should be 'mat', 'chair', 'wall', 'step', 'strap', "
        "'resistance-band', 'stability-ball' or 'pillow' (got 'dumbbell')",
    )


def test_a_blank_step_is_rejected() -> None:
    assert_rejected(
        "empty-step", "hip-tilt.toml: text.steps.1: String should have at least 1 character (got '  ')"
    )


def test_every_broken_fixture_has_a_test_and_differs_from_the_valid_root() -> None:
    # A new fixture directory without a test here would prove nothing; a copy identical to `valid`
    # would make its test pass for the wrong reason.
    cases = {path.name for path in FIXTURES.iterdir() if path.is_dir()} - {"valid"}
    source = Path(__file__).read_text(encoding="utf-8")
    assert all(f'"{case}"' in source for case in cases), sorted(cases)
    for case in cases:
        assert _tree(FIXTURES / case) != _tree(VALID), case


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def test_a_front_matter_key_named_like_the_body_is_rejected(tmp_path: Path) -> None:
    root = _copy_valid(tmp_path)
    topic = root / "education" / "moving-well.md"
    topic.write_text(
        topic.read_text().replace('title = "Moving well"', 'title = "Moving well"\nbody_markdown = "x"')
    )
    with pytest.raises(ContentError, match=r"^moving-well\.md: body_markdown: unknown key$"):
        load_catalog(root)


def test_an_education_topic_that_is_not_utf8_is_a_content_error(tmp_path: Path) -> None:
    root = _copy_valid(tmp_path)
    (root / "education" / "moving-well.md").write_bytes(b'+++\nid = "moving-well"\n\xff\xfe+++\n')
    code, _, err = check(root)
    assert code == 2
    assert err.startswith("error: moving-well.md: cannot read: ")


def test_a_directory_without_exercises_is_not_a_content_root(tmp_path: Path) -> None:
    code, _, err = check(tmp_path)
    assert (code, err) == (2, f"error: {tmp_path}: no exercises/ directory: not a content root\n")


def test_a_path_that_does_not_exist_exits_2(tmp_path: Path) -> None:
    code, _, err = check(tmp_path / "nowhere")
    assert code == 2
    assert "does not exist" in err


def _copy_valid(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    return root
