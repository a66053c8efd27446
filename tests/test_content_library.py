"""The bundled content library: every exercise and lesson the program relies on exists and is usable."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lumbar.cli import app
from lumbar.domain.catalog import CONTENT_DIR, Catalog, load_catalog

REQUIRED_EXERCISE_IDS = (
    "pelvic-tilt",
    "seated-pelvic-tilt",
    "glute-bridge",
    "marching-bridge",
    "single-leg-bridge",
    "stability-ball-bridge",
    "cat-cow",
    "knee-to-chest",
    "double-knee-to-chest",
    "bird-dog",
    "dead-bug",
    "heel-slide",
    "curl-up",
    "modified-plank",
    "front-plank",
    "side-plank-knees",
    "band-pallof-press",
    "prone-lying",
    "sphinx",
    "prone-press-up",
    "standing-back-extension",
    "childs-pose",
    "seated-spinal-twist",
    "supine-lumbar-rotation",
    "standing-trunk-rotation",
    "standing-side-bend",
    "standing-hamstring-stretch",
    "supine-hamstring-stretch",
    "piriformis-stretch",
    "hip-flexor-stretch",
    "seated-forward-fold",
    "sciatic-nerve-glide",
    "clamshell",
    "wall-sit",
    "squat",
    "sit-to-stand",
    "walking",
    "swimming",
    # balance (issue 13)
    "supported-single-leg-stance",
    "tandem-stance",
    "heel-toe-walk",
    "step-up",
    "raised-sit-to-stand",
    # pregnancy and after birth (issue 13)
    "pelvic-floor-contraction",
    "abdominal-drawing-in",
    "standing-pelvic-tilt",
    # performance (issue 13)
    "hip-hinge",
    "floor-to-waist-lift",
    "split-squat",
)

REQUIRED_TOPIC_IDS = (
    "staying-active",
    "hurt-not-harm",
    "leg-symptoms",
    "sitting-and-movement-breaks",
    "lifting-and-bending",
    "sleep-positions",
    "walking-program",
    "flare-up-plan",
    "warning-signs",
    "low-impact-activity",
    "building-the-habit",
    "pain-and-graded-activity",
)

# Lessons are short reads for a person in pain: long enough to be useful, short enough to finish.
LESSON_MIN_WORDS = 200
LESSON_MAX_WORDS = 450


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CONTENT_DIR)


def test_the_required_id_lists_have_no_repeats() -> None:
    assert len(set(REQUIRED_EXERCISE_IDS)) == len(REQUIRED_EXERCISE_IDS) == 49
    assert len(set(REQUIRED_TOPIC_IDS)) == len(REQUIRED_TOPIC_IDS) == 12


@pytest.mark.parametrize("exercise_id", REQUIRED_EXERCISE_IDS)
def test_every_required_exercise_exists_in_its_own_file(catalog: Catalog, exercise_id: str) -> None:
    assert (CONTENT_DIR / "exercises" / f"{exercise_id}.toml").is_file()
    assert catalog.exercise(exercise_id).id == exercise_id


@pytest.mark.parametrize("topic_id", REQUIRED_TOPIC_IDS)
def test_every_required_lesson_exists_in_its_own_file(catalog: Catalog, topic_id: str) -> None:
    assert (CONTENT_DIR / "education" / f"{topic_id}.md").is_file()
    assert catalog.topic(topic_id).id == topic_id


def test_every_exercise_has_at_least_three_steps_and_two_mistakes(catalog: Catalog) -> None:
    too_thin = [e.id for e in catalog if len(e.text.steps) < 3 or len(e.text.mistakes) < 2]
    assert too_thin == []


def test_every_regression_and_progression_names_an_exercise_in_the_library(catalog: Catalog) -> None:
    dangling = [
        (exercise.id, target)
        for exercise in catalog
        for target in (exercise.regression, exercise.progression)
        if target is not None and target not in catalog.exercises
    ]
    assert dangling == []


def test_following_progressions_always_ends(catalog: Catalog) -> None:
    for exercise in catalog:
        seen = {exercise.id}
        step = catalog.harder(exercise)
        while step is not None:
            assert step.id not in seen, f"{exercise.id}: progressions loop at {step.id}"
            seen.add(step.id)
            step = catalog.harder(step)


def test_the_starting_dose_never_exceeds_the_maximum(catalog: Catalog) -> None:
    over = []
    for exercise in catalog:
        start, top = exercise.dose, exercise.max_dose
        pairs = [(start.sets, top.sets), (start.reps, top.reps), (start.hold_seconds, top.hold_seconds)]
        pairs.append((start.minutes, top.minutes))
        if any(a is not None and b is not None and a > b for a, b in pairs):
            over.append(exercise.id)
    assert over == []


def test_every_lesson_is_a_short_read(catalog: Catalog) -> None:
    counts = {
        t.id: len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’-]*", t.body_markdown))
        for t in catalog.education.values()
    }
    outside = {tid: n for tid, n in counts.items() if not LESSON_MIN_WORDS <= n <= LESSON_MAX_WORDS}
    assert outside == {}


def test_lessons_leave_the_title_and_sources_to_the_app(catalog: Catalog) -> None:
    # The page renders the title and the evidence list itself; repeating them in the body doubles them.
    for topic in catalog.education.values():
        assert not topic.body_markdown.startswith("# "), topic.id
        assert not re.search(r"^#+\s*(Sources|References)\b", topic.body_markdown, re.MULTILINE), topic.id


def test_the_warning_signs_lesson_sends_cauda_equina_symptoms_to_the_emergency_department(
    catalog: Catalog,
) -> None:
    body = catalog.topic("warning-signs").body_markdown
    emergency = body.split("## Go to an emergency department now", 1)[1].split("\n## ", 1)[0]
    for sign in ("saddle", "urine", "bowels", "both legs"):
        assert sign in emergency
    assert "## Speak to a doctor today" in body


def test_content_check_passes_on_the_bundled_library() -> None:
    result = CliRunner().invoke(app, ["content", "check"])
    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(
        r"49 exercises, \d+ education topics, \d+ references: all valid "
        r"\(content version 0\.1\.0\+[0-9a-f]{12}\)\n",
        result.stdout,
    )


def test_the_content_version_changes_when_any_rule_file_changes(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parent / "fixtures" / "content" / "valid"
    root = tmp_path / "content"
    shutil.copytree(fixture, root)
    first = load_catalog(root).version
    assert load_catalog(root).version == first  # same files, same version
    # A file the catalog does not parse itself (screening, prescription rules) still counts:
    # a program records the version it was made with.
    (root / "prescription.toml").write_text("walking_target_minutes = 30\n", encoding="utf-8")
    second = load_catalog(root).version
    assert second != first
    (root / "prescription.toml").write_text("walking_target_minutes = 25\n", encoding="utf-8")
    assert load_catalog(root).version not in (first, second)
