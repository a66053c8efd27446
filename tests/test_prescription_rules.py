"""The generator's rule file (content/prescription.toml): every rule cited, strict, consistent."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from lumbar.domain.catalog import CONTENT_DIR, ContentError, default_catalog
from lumbar.domain.prescription_rules import RULES_FILE, default_rules, load_rules

RAW = (CONTENT_DIR / RULES_FILE).read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / RULES_FILE
    path.write_text(text, encoding="utf-8")
    return path


def test_every_rule_cites_sources_that_exist_in_the_references() -> None:
    references = set(default_catalog().references)
    cited = default_rules().evidence_ids()
    assert cited
    assert cited <= references, sorted(cited - references)


def test_every_education_topic_named_by_a_rule_exists() -> None:
    rules = default_rules()
    topics = {rule.topic for rule in rules.education} | set(rules.triage.refer_topics)
    assert topics <= set(default_catalog().education), sorted(topics - set(default_catalog().education))


def test_the_walking_rule_names_an_exercise_of_the_library() -> None:
    assert default_catalog().exercise(default_rules().walking.exercise_id).category == "aerobic"


def test_every_exercise_named_by_a_rule_exists_in_the_library() -> None:
    rules = default_rules()
    named = {ex for slot in rules.slots for ex in slot.exercises}
    named |= {ex for modifier in rules.modifiers for ex in modifier.exclude_exercises}
    assert named <= set(default_catalog().exercises), sorted(named - set(default_catalog().exercises))


def test_the_population_numbers_are_the_cited_ones() -> None:
    populations = default_rules().populations
    assert populations.pregnancy.supine_limited_from_weeks == 20  # ACOG 2020
    assert populations.postnatal.running_from_weeks == 12  # Goom 2019
    assert populations.spine_surgery.early_weeks == 6  # Oosterhuis 2014: programmes from 4-6 weeks
    assert populations.balance.age_at_least == 65


def test_the_clinical_numbers_are_the_cited_ones() -> None:
    rules = default_rules()
    assert (rules.phases.subacute_from_weeks, rules.phases.chronic_after_weeks) == (6, 12)
    assert (rules.walking.target_minutes, rules.walking.days_per_week) == (30, 5)
    assert 5 <= rules.walking.start_minutes_easier <= rules.walking.start_minutes <= 10
    assert 2 <= rules.walking.weekly_increase_minutes_easier <= rules.walking.weekly_increase_minutes <= 5
    assert 30 <= rules.movement_breaks.every_minutes <= 60
    assert rules.reassess.after_days == 14
    assert (rules.program.min_exercises, rules.program.max_exercises) == (3, 6)


def test_an_unknown_key_in_the_rule_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = _write(tmp_path, RAW.replace("[walking]\n", "[walking]\nduring_maximum = 4\n"))
    with pytest.raises(ContentError, match=r"prescription\.toml: walking\.during_maximum: unknown key"):
        load_rules(path)


def test_an_unknown_fact_in_a_rule_is_an_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path, RAW.replace('when = ["chronic"]\ncategories', 'when = ["sometimes"]\ncategories', 1)
    )
    with pytest.raises(ContentError, match=r"frequency\.0\.when\.0"):
        load_rules(path)


def test_a_reason_with_a_placeholder_the_generator_does_not_fill_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, RAW.replace("eases your {symptom}", "eases your {body_part}", 1))
    with pytest.raises(ContentError, match="unknown placeholder"):
        load_rules(path)


def test_a_modifier_for_an_unknown_condition_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, RAW.replace('when = "pregnancy"', 'when = "pregnant"', 1))
    with pytest.raises(ContentError, match="unknown key 'pregnant'"):
        load_rules(path)


def test_the_rule_file_parses_as_plain_toml() -> None:
    assert "slots" in tomllib.loads(RAW)
