"""The bundled content library: every exercise and lesson the program relies on exists and is usable."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lumbar.cli import app
from lumbar.domain.catalog import CONTENT_DIR, Catalog, load_catalog
from lumbar.domain.errors import InvalidInput
from lumbar.domain.intake import parse_intake
from lumbar.domain.prescription import prescribe
from lumbar.domain.prescription_rules import default_rules as default_prescription_rules
from lumbar.domain.screening import SCREENING_FILE, load_screening_rules

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
    "pain-relief",
)

# Lessons are short reads for a person in pain: long enough to be useful, short enough to finish.
LESSON_MIN_WORDS = 200
LESSON_MAX_WORDS = 450
# The warning-signs card is a checklist, not a read: it must name every emergency and same-day sign
# the screen asks about (and the see-a-doctor-soon ones), grouped by how fast to act.
WARNING_SIGNS_MAX_WORDS = 700


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CONTENT_DIR)


def test_the_required_id_lists_have_no_repeats() -> None:
    assert len(set(REQUIRED_EXERCISE_IDS)) == len(REQUIRED_EXERCISE_IDS) == 49
    assert len(set(REQUIRED_TOPIC_IDS)) == len(REQUIRED_TOPIC_IDS) == 13


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
    limit = {"warning-signs": WARNING_SIGNS_MAX_WORDS}
    outside = {
        tid: n for tid, n in counts.items() if not LESSON_MIN_WORDS <= n <= limit.get(tid, LESSON_MAX_WORDS)
    }
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


# --- The warning-signs lesson names every sign the screen sends to a doctor today or sooner -------------

LESSON_SECTIONS = {
    "emergency_now": "## Go to an emergency department now",
    "urgent_same_day": "## Speak to a doctor today",
    "see_doctor_soon": "## See a doctor soon",
}


def _lesson_items(body: str, heading: str) -> list[str]:
    """The paragraphs and list items of one section of a lesson, lower-cased."""
    section = body.split(heading, 1)[1].split("\n## ", 1)[0]
    return [item.strip().casefold() for item in re.split(r"\n\s*\n|\n(?=- )", section) if item.strip()]


def _screen_signs() -> list[tuple[str, str, list[str]]]:
    rules = load_screening_rules()
    return [
        *((rule.key, rule.tier, rule.lesson_words) for rule in rules.red_flags),
        *((c.id, c.tier, c.lesson_words) for c in rules.combinations),
        *((s.id, s.tier, s.lesson_words) for s in rules.severe_pain),
        (rules.age_onset.flag, rules.age_onset.tier, rules.age_onset.lesson_words),
    ]


def test_warning_signs_lesson_names_every_emergency_and_urgent_flag(catalog: Catalog) -> None:
    body = catalog.topic("warning-signs").body_markdown
    signs = _screen_signs()
    must_name = [sign for sign, tier, _ in signs if tier in ("emergency_now", "urgent_same_day")]
    assert len(must_name) >= 20  # every cauda equina item, the combinations, the severe-pain rule, ...
    unnamed = [
        sign for sign, tier, words in signs if tier in ("emergency_now", "urgent_same_day") and not words
    ]
    assert unnamed == []
    # Each sign's words sit together in one item of the section for its tier, so the lesson tells
    # the person how fast to act on that sign; the see-a-doctor-soon signs that carry words too.
    missing = []
    for sign, tier, words in signs:
        if not words:
            continue
        items = _lesson_items(body, LESSON_SECTIONS[tier])
        if not any(all(word.casefold() in item for word in words) for item in items):
            missing.append((sign, tier, words))
    assert missing == []


def test_warning_signs_lesson_names_the_signs_the_clinical_review_found_missing(catalog: Catalog) -> None:
    body = catalog.topic("warning-signs").body_markdown.casefold()
    for words in (
        "lump in your belly that pulses",
        "first back pain ever, and it began after the age of 50",
        "between or below your shoulder blades",
        "fever, chills or night sweats",
        "today if the pain is severe",
    ):
        assert words in body


def test_a_bank_whose_emergency_sign_has_no_lesson_words_is_refused(tmp_path: Path) -> None:
    text = SCREENING_FILE.read_text(encoding="utf-8")
    line = 'lesson_words = ["lump in your belly that pulses"]\n'
    assert line in text
    (tmp_path / "screening.toml").write_text(text.replace(line, ""), encoding="utf-8")
    references = set(tomllib.loads((CONTENT_DIR / "references.toml").read_text(encoding="utf-8")))
    with pytest.raises(InvalidInput, match="lesson_words"):
        load_screening_rules(tmp_path / "screening.toml", references=references)


# --- Stop rules ------------------------------------------------------------------------------------------


def test_stop_rules_include_fever_or_feeling_unwell() -> None:
    rules = default_prescription_rules()
    fever = [
        rule
        for rule in rules.stop_rules
        if "fever" in rule.text and "unwell" in rule.text and rule.when == ["everyone"]
    ]
    assert fever
    assert all(rule.also_when_referred for rule in fever)
    base = {"age": 40, "episode_weeks": 2, "pain": {"now": 4}, "leg_symptoms": "none"}
    ok = prescribe(parse_intake(base), load_catalog()).to_json()
    referred = prescribe(parse_intake({**base, "red_flags": {"fever_or_unwell": True}}), load_catalog())
    for program in (ok, referred.to_json()):
        assert any("fever" in text and "feel generally unwell" in text for text in program["stop_rules"])


# --- Evidence ids support the claim they sit next to -------------------------------------------------------

SIT_STAND_DESK_TRIALS = {"barone-gibbs-2018-oem", "danquah-2017-sjweh", "johnston-2019-appl-ergon"}


def _evidence_lists(node: object) -> list[list[str]]:
    if isinstance(node, dict):
        found = [node["evidence"]] if isinstance(node.get("evidence"), list) else []
        return found + [lst for value in node.values() for lst in _evidence_lists(value)]
    if isinstance(node, list):
        return [lst for value in node for lst in _evidence_lists(value)]
    return []


def test_no_exercise_cites_the_sit_stand_desk_trial() -> None:
    # The sit-stand desk trials studied desks, counselling and prompts to break up sitting, not any
    # exercise of the library: they are cited for sitting and standing breaks only.
    citing = sorted(
        path.stem
        for path in (CONTENT_DIR / "exercises").glob("*.toml")
        for evidence in _evidence_lists(tomllib.loads(path.read_text(encoding="utf-8")))
        if SIT_STAND_DESK_TRIALS & set(evidence)
    )
    assert citing == []
    assert "barone-gibbs-2018-oem" in default_prescription_rules().movement_breaks.evidence
    sitting_lesson = set(load_catalog().topic("sitting-and-movement-breaks").evidence)
    assert sitting_lesson >= SIT_STAND_DESK_TRIALS


# WalkBack (Pocovi 2024) studied people who had recovered from an episode of back pain: what it found
# about the pain coming back is said of people who have recovered, never as a reason to someone in pain.
RECURRENCE = re.compile(
    r"walkback|twice as long|208 days|112 days|\b(?:came|come|comes|coming) back\b|pain away|recurr", re.I
)


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in _strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in _strings(value)]
    return []


def test_walkback_recurrence_figure_is_only_said_of_people_who_have_recovered(catalog: Catalog) -> None:
    units: list[str] = []
    for topic in catalog.education.values():
        paragraphs = [topic.summary, *re.split(r"\n\s*\n|\n(?=- |\d+\. )", topic.body_markdown)]
        cites = "pocovi-2024-lancet" in topic.evidence
        units += [p for p in paragraphs if cites or re.search("walkback", p, re.I)]
    for path in (CONTENT_DIR / "exercises").glob("*.toml"):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if "pocovi-2024-lancet" in data.get("evidence", []):
            units += _strings({k: v for k, v in data.items() if k in ("text", "precautions")})
    walking = default_prescription_rules().walking
    assert "pocovi-2024-lancet" in walking.evidence
    units += [*walking.reasons, *(note.text for note in walking.notes)]
    quoted = [unit for unit in units if RECURRENCE.search(unit)]
    assert len(quoted) >= 4  # the walking reason, the walking exercise, the walking and habit lessons
    assert [unit for unit in quoted if "recovered" not in unit] == []


# --- The pain-relief lesson -----------------------------------------------------------------------------------


def test_pain_relief_lesson_is_cited(catalog: Catalog) -> None:
    topic = catalog.topic("pain-relief")
    assert {"nice-ng59-2016", "french-2006-cochrane"} <= set(topic.evidence)
    assert set(topic.evidence) <= set(catalog.references)
    body = topic.body_markdown
    for heading in ("## Heat", "## Painkillers from the pharmacy", "## When to see a doctor"):
        assert heading in body
    # NICE NG59: anti-inflammatories at the lowest effective dose for the shortest time, not
    # paracetamol alone, no opioids for long-lasting pain, no gabapentinoids.
    for words in ("pharmacist", "lowest dose", "shortest time", "paracetamol on its own", "pregabalin"):
        assert words in body.casefold()
    rules = default_prescription_rules()
    assert any(rule.topic == "pain-relief" and rule.when == ["acute"] for rule in rules.education)


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
