"""`lumbar exercises list|show`, and the library functions behind them (filters, dose wording)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import get_args

import pytest
from typer.testing import CliRunner

from lumbar.cli import app
from lumbar.cli import content as content_cli
from lumbar.domain import catalog as catalog_module
from lumbar.domain.catalog import (
    Catalog,
    Category,
    ContentError,
    DirectionBias,
    Dose,
    Equipment,
    Exercise,
    Position,
    Timing,
    default_catalog,
    load_catalog,
)
from lumbar.domain.errors import InvalidInput
from lumbar.domain.library import describe_dose, describe_library, describe_rest, filter_exercises

FIXTURE_ROOT = Path(__file__).resolve().parent / "fixtures" / "content" / "valid"

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def listed_ids(*filters: str) -> list[str]:
    code, out, err = run("exercises", "list", "--json", *filters)
    assert code == 0, err
    return [record["id"] for record in json.loads(out)]


def flat(text: str) -> str:
    """Text with every run of whitespace made one space, so that wrapping does not matter."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def fixture_catalog() -> Catalog:
    return load_catalog(FIXTURE_ROOT)


# --- Filters against the bundled library -------------------------------------------------------


def test_list_without_filters_shows_every_exercise_in_id_order() -> None:
    assert listed_ids() == sorted(default_catalog().exercises)


def test_list_by_category_aerobic_gives_walking_and_swimming() -> None:
    assert listed_ids("--category", "aerobic") == ["swimming", "walking"]


def test_list_filters_combine_prone_and_extension_gives_the_extension_ladder() -> None:
    assert listed_ids("--position", "prone", "--bias", "extension") == [
        "prone-lying",
        "prone-press-up",
        "sphinx",
    ]


def test_list_by_rotation_bias() -> None:
    assert listed_ids("--bias", "rotation") == [
        "seated-spinal-twist",
        "standing-trunk-rotation",
        "supine-lumbar-rotation",
    ]


def test_list_by_equipment_keeps_exercises_that_need_nothing_or_that_item() -> None:
    # The standing hamstring stretch needs a step, so a person with only a strap does not see it.
    assert listed_ids("--category", "stretch", "--equipment", "strap") == [
        "childs-pose",
        "double-knee-to-chest",
        "hip-flexor-stretch",
        "knee-to-chest",
        "piriformis-stretch",
        "supine-hamstring-stretch",
    ]
    assert listed_ids("--category", "strength", "--position", "standing", "--equipment", "wall") == [
        "floor-to-waist-lift",
        "hip-hinge",
        "split-squat",
        "squat",
        "wall-sit",
    ]


def test_list_search_is_case_insensitive() -> None:
    assert listed_ids("--search", "PIRIFORMIS") == ["piriformis-stretch"]


def test_list_search_finds_an_exercise_by_its_alias() -> None:
    assert "glute-bridge" in listed_ids("--search", "hip bridge")
    assert "sphinx" not in listed_ids("--search", "hip bridge")


def test_list_with_no_match_says_so_and_json_is_an_empty_list() -> None:
    assert run("exercises", "list", "--search", "trampoline") == (
        0,
        "No exercises match these filters.\n",
        "",
    )
    assert listed_ids("--search", "trampoline") == []


@pytest.mark.parametrize("option", ["--category", "--position", "--bias", "--equipment"])
def test_an_unknown_filter_value_exits_2_naming_the_option(option: str) -> None:
    code, out, err = run("exercises", "list", option, "bogus")
    assert code == 2
    assert out == ""
    assert f"Invalid value for '{option}': 'bogus' is not one of" in err
    assert "env var" not in err


def test_cli_choices_are_the_catalog_values() -> None:
    assert get_args(Category) == content_cli.CATEGORIES
    assert get_args(Position) == content_cli.POSITIONS
    assert get_args(DirectionBias) == content_cli.BIASES
    assert get_args(Equipment) == content_cli.EQUIPMENT


# --- Readable and JSON output ------------------------------------------------------------------


def test_list_table_has_one_row_per_exercise_with_its_starting_dose() -> None:
    code, out, _ = run("exercises", "list", "--category", "aerobic")
    assert code == 0
    assert re.match(
        r"id\s+name\s+category\s+position\s+bias\s+level\s+starting dose\s*$", out.splitlines()[0]
    )
    for exercise_id in ("swimming", "walking"):
        e = default_catalog().exercise(exercise_id)
        cells = [e.id, e.name, e.category, e.position, e.direction_bias, str(e.level)]
        row = (
            r"\s+".join(re.escape(cell) for cell in cells)
            + r"\s+"
            + re.escape(describe_dose(e.dose, e.timing))
        )
        assert re.search(rf"^{row}\s*$", out, re.MULTILINE), out


def test_list_json_records_are_full_valid_exercises() -> None:
    code, out, _ = run("exercises", "list", "--json")
    assert code == 0
    records = json.loads(out)
    assert len(records) == len(default_catalog().exercises)
    for record in records:
        assert Exercise.model_validate_json(json.dumps(record)) == default_catalog().exercise(record["id"])


def test_show_json_is_the_full_record() -> None:
    code, out, _ = run("exercises", "show", "glute-bridge", "--json")
    assert code == 0
    record = json.loads(out)
    assert Exercise.model_validate_json(out) == default_catalog().exercise("glute-bridge")
    assert record["dose"] == {"sets": 2, "reps": 10, "hold_seconds": 3, "minutes": None}


def test_show_prints_everything_a_patient_needs() -> None:
    exercise = default_catalog().exercise("glute-bridge")
    code, out, err = run("exercises", "show", "glute-bridge")
    assert (code, err) == (0, "")
    text = flat(out)
    assert flat(exercise.text.summary) in text
    for number, step in enumerate(exercise.text.steps, start=1):
        assert flat(f"{number}. {step}") in text
    for item in [*exercise.text.cues, *exercise.text.mistakes]:
        assert flat(f"- {item}") in text
    assert flat(exercise.text.breathing) in text
    assert "Start with: 2 x 10, hold 3 s; rest 45 s between sets" in text
    assert "Build up to: 3 x 15, hold 10 s" in text
    assert "Easier version: Pelvic tilt (pelvic-tilt)" in text
    assert "Harder version: Marching bridge (marching-bridge)" in text
    for precaution in exercise.precautions:
        assert flat(precaution.note) in text
    assert "Pregnancy (modify):" in text
    for ref_id in exercise.evidence:
        assert flat(f"{ref_id}: {default_catalog().references[ref_id].citation}") in text


def test_show_headings_come_in_reading_order() -> None:
    _, out, _ = run("exercises", "show", "glute-bridge")
    headings = [
        "Dose",
        "Steps",
        "Cues",
        "Breathing",
        "Common mistakes",
        "Precautions",
        "Form check",
        "Evidence",
    ]
    positions = [out.index(f"\n{heading}\n") for heading in headings]
    assert positions == sorted(positions)


def test_show_an_unknown_id_exits_2_suggesting_the_closest_ids() -> None:
    code, out, err = run("exercises", "show", "glute-bridg")
    assert (code, out) == (2, "")
    assert err.startswith("error: unknown exercise id 'glute-bridg'; did you mean glute-bridge")
    assert err.count("\n") == 1


def test_show_an_id_with_nothing_close_exits_2_without_suggestions() -> None:
    assert run("exercises", "show", "xyz") == (2, "", "error: unknown exercise id 'xyz'\n")


def test_an_invalid_bundled_library_exits_2_instead_of_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Catalog:
        raise ContentError("squat.toml: dose.reps: required but missing")

    monkeypatch.setattr(catalog_module, "default_catalog", broken)
    assert run("exercises", "list") == (
        2,
        "",
        "error: the content library is invalid: squat.toml: dose.reps: required but missing\n",
    )


# --- The same commands on the small fixture library (exact, independent of content edits) --------


def test_cli_lists_the_fixture_library_through_the_same_filters(
    monkeypatch: pytest.MonkeyPatch, fixture_catalog: Catalog
) -> None:
    monkeypatch.setattr(catalog_module, "default_catalog", lambda: fixture_catalog)
    assert listed_ids() == ["floor-bridge", "hip-tilt", "side-reach"]
    assert listed_ids("--equipment", "mat") == ["floor-bridge", "hip-tilt"]
    assert listed_ids("--category", "mobility", "--position", "supine") == ["hip-tilt"]
    code, out, _ = run("exercises", "list", "--position", "standing")
    assert code == 0
    assert re.search(
        r"^side-reach\s+Side reach\s+mobility\s+standing\s+lateral\s+2\s+1 x 5 each side, hold 10 s\s*$",
        out,
        re.M,
    )


def test_filter_by_equipment_keeps_what_needs_nothing_or_that_item(fixture_catalog: Catalog) -> None:
    ids = [e.id for e in filter_exercises(fixture_catalog, equipment="resistance-band")]
    assert ids == ["floor-bridge", "side-reach"]
    assert [e.id for e in filter_exercises(fixture_catalog, equipment="pillow")] == ["floor-bridge"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("floor-bridge", ["floor-bridge"]),  # id
        ("SIDE reach", ["side-reach"]),  # name, any case
        ("pelvic rock", ["hip-tilt"]),  # alias
        ("overhead", ["side-reach"]),  # summary
        ("quadratus", ["side-reach"]),  # primary muscle
        ("hamstrings", ["floor-bridge"]),  # secondary muscle
        ("lift buttocks", ["floor-bridge"]),  # every word must match, not the exact phrase
        ("lift trampoline", []),
        ("", ["floor-bridge", "hip-tilt", "side-reach"]),
    ],
)
def test_search_matches_id_name_aliases_summary_and_muscles(
    fixture_catalog: Catalog, search: str, expected: list[str]
) -> None:
    assert [e.id for e in filter_exercises(fixture_catalog, search=search)] == expected


def test_search_does_not_look_in_steps_or_cues(fixture_catalog: Catalog) -> None:
    assert filter_exercises(fixture_catalog, search="heels") == []  # only in floor-bridge's cues


def test_filters_combine_with_and(fixture_catalog: Catalog) -> None:
    found = filter_exercises(
        fixture_catalog, category="mobility", bias="lateral", equipment="resistance-band"
    )
    assert [e.id for e in found] == ["side-reach"]
    assert filter_exercises(fixture_catalog, category="strength", position="standing") == []


def test_an_unknown_filter_value_is_invalid_input(fixture_catalog: Catalog) -> None:
    with pytest.raises(
        InvalidInput, match=r"^category: unknown value 'yoga'; choose one of mobility, stretch, "
    ):
        filter_exercises(fixture_catalog, category="yoga")


def test_library_summary_counts_with_singular_and_plural(fixture_catalog: Catalog) -> None:
    assert describe_library(fixture_catalog) == "3 exercises, 1 education topic, 2 references"


# --- Dose wording -----------------------------------------------------------------------------

BOTH_SIDES = Timing(per_side=True, seconds_per_rep=3, rest_seconds=30)
ONE_SIDE = Timing(per_side=False, seconds_per_rep=3, rest_seconds=0)


@pytest.mark.parametrize(
    ("dose", "timing", "expected"),
    [
        (Dose(sets=2, reps=10, hold_seconds=3), None, "2 x 10, hold 3 s"),
        (Dose(sets=2, reps=10, hold_seconds=3), ONE_SIDE, "2 x 10, hold 3 s"),
        (Dose(sets=2, reps=10), BOTH_SIDES, "2 x 10 each side"),
        (Dose(sets=1, reps=5, hold_seconds=10), BOTH_SIDES, "1 x 5 each side, hold 10 s"),
        (Dose(sets=3, hold_seconds=30), None, "3 x 30 s hold"),
        (Dose(sets=3, hold_seconds=30), BOTH_SIDES, "3 x 30 s hold each side"),
        (Dose(sets=3, reps=1, hold_seconds=120), None, "3 x 2 min hold"),
        (Dose(sets=3, reps=1), None, "3 x 1"),
        (Dose(sets=1, hold_seconds=90), None, "1 x 90 s hold"),
        (Dose(sets=1, minutes=10), None, "10 min"),
        (Dose(sets=2, minutes=7.5), None, "2 x 7.5 min"),
    ],
)
def test_a_dose_reads_as_sets_by_reps_with_the_hold(dose: Dose, timing: Timing | None, expected: str) -> None:
    assert describe_dose(dose, timing) == expected


def test_rest_between_sets_reads_plainly() -> None:
    assert describe_rest(BOTH_SIDES) == "rest 30 s between sets"
    assert describe_rest(ONE_SIDE) == "no rest between sets"


@pytest.mark.parametrize("typed", ["birddog", "bird dog", "Bird Dog", "BIRD-DOG", "BirdDog", "pointer"])
def test_exercises_show_accepts_an_alias_or_the_id_in_any_case(typed: str) -> None:
    result = runner.invoke(app, ["exercises", "show", typed, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "bird-dog"


def test_exercises_show_with_an_unknown_name_still_exits_2_with_one_line() -> None:
    result = runner.invoke(app, ["exercises", "show", "no-such-exercise"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "unknown exercise id 'no-such-exercise'" in lines[0]
