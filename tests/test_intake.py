"""The intake model mirrors contracts/intake.schema.json: defaults, and one-line refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lumbar.domain.errors import InvalidInput
from lumbar.domain.intake import Goal, Inflammatory, Intake, Pain, RedFlags, StartBackAnswers, parse_intake


def make_intake(**fields: Any) -> dict[str, Any]:
    return {"age": 40, "episode_weeks": 3, "pain": {"now": 4}, "leg_symptoms": "none", **fields}


def test_a_minimal_intake_takes_the_contract_defaults() -> None:
    intake = parse_intake(make_intake())
    assert intake.directional_preference == "unknown"
    assert intake.occupation == "mixed"
    assert intake.fitness == "moderate"
    assert intake.floor_ok is True
    assert intake.minutes_per_session == 15
    assert intake.sessions_per_week == 5
    assert intake.first_episode is False
    assert (intake.aggravating, intake.conditions, intake.equipment) == ([], [], [])
    assert intake.red_flags_positive == ()
    assert intake.inflammatory_positive == ()
    for optional in ("inflammatory", "startback", "odi_sections", "rmdq_yes", "goals", "sex", "leg_side"):
        assert getattr(intake, optional) is None, optional
    assert intake.sitting_hours is None


def test_the_model_has_exactly_the_contract_keys(shared_dir: Path) -> None:
    schema = json.loads((shared_dir / "contracts" / "intake.schema.json").read_text(encoding="utf-8"))
    assert list(Intake.model_fields) == list(schema["properties"])
    red_flags = schema["properties"]["red_flags"]["properties"]
    assert list(RedFlags.model_fields) == list(red_flags)
    nested = {"pain": Pain, "inflammatory": Inflammatory, "startback": StartBackAnswers}
    for key, model in nested.items():
        assert list(model.model_fields) == list(schema["properties"][key]["properties"]), key
    assert list(Goal.model_fields) == list(schema["properties"]["goals"]["items"]["properties"])


def test_the_intake_is_frozen() -> None:
    intake = parse_intake(make_intake())
    with pytest.raises(ValueError, match="frozen"):
        intake.age = 50  # type: ignore[misc]


def test_age_at_onset_subtracts_the_episode_length() -> None:
    assert parse_intake(make_intake(age=40, episode_weeks=52)).age_at_onset == pytest.approx(39.0, abs=0.01)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"age": 15}, "intake: age: Lumbar's guidance covers adults aged 16 and over"),
        ({"age": 111}, "intake: age: Input should be less than or equal to 110 (got 111)"),
        ({"age": "40"}, "intake: age: Input should be a valid integer (got '40')"),
        ({"pain": {"now": 11}}, "intake: pain.now: Input should be less than or equal to 10 (got 11)"),
        ({"pain": {}}, "intake: pain.now: required but missing"),
        ({"episode_weeks": -1}, "intake: episode_weeks: Input should be greater than or equal to 0 (got -1)"),
        ({"mood": "ok"}, "intake: mood: unknown key"),
        ({"red_flags": {"headache": True}}, "intake: red_flags.headache: unknown key"),
        (
            {"red_flags": {"cancer_history": 1}},
            "intake: red_flags.cancer_history: Input should be a valid boolean",
        ),
        (
            {"leg_symptoms": "foot"},
            "intake: leg_symptoms: Input should be 'none', 'above_knee' or 'below_knee'",
        ),
        ({"conditions": ["diabetes", "diabetes"]}, "intake: conditions: duplicate entry 'diabetes'"),
        ({"rmdq_yes": [25]}, "intake: rmdq_yes.0: Input should be less than or equal to 24 (got 25)"),
        ({"rmdq_yes": None}, "intake: rmdq_yes: must not be null"),
        ({"odi_sections": [0] * 9}, "intake: odi_sections: List should have at least 10 items"),
        ({"goals": []}, "intake: goals: List should have at least 1 item"),
        (
            {"minutes_per_session": 4},
            "intake: minutes_per_session: Input should be greater than or equal to 5",
        ),
        ({"startback": {"leg_pain": True}}, "intake: startback.shoulder_neck_pain: required but missing"),
    ],
)
def test_invalid_intake_is_refused_with_one_line_naming_the_field(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_intake(make_intake(**fields))
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_a_missing_required_key_is_named() -> None:
    data = make_intake()
    del data["leg_symptoms"]
    with pytest.raises(InvalidInput, match="^intake: leg_symptoms: required but missing$"):
        parse_intake(data)


def test_something_other_than_an_object_is_refused() -> None:
    with pytest.raises(InvalidInput, match="intake: must be a JSON object"):
        parse_intake([1, 2])


def test_what_the_model_accepts_the_contract_accepts_too(
    contract_validator: Callable[..., Callable[[Any], None]],
) -> None:
    validate = contract_validator("intake")
    full = make_intake(
        sex="female",
        first_episode=True,
        leg_side=None,
        directional_preference="extension",
        aggravating=["sitting"],
        conditions=["osteoporosis"],
        red_flags={"thoracic_pain": True},
        inflammatory={"psoriasis": True},
        occupation="desk",
        sitting_hours=7.5,
        equipment=["mat"],
        floor_ok=False,
        startback={
            "leg_pain": True,
            "shoulder_neck_pain": False,
            "walk_short_distances": False,
            "dress_slowly": False,
            "unsafe_to_be_active": False,
            "worrying_thoughts": False,
            "terrible_never_better": False,
            "no_enjoyment": False,
            "bothersomeness": "slightly",
        },
        odi_sections=[1, None, 2, 3, 0, 0, 1, None, 2, 2],
        rmdq_yes=[1, 24],
        goals=[{"activity": "tie shoes", "score": 4}],
    )
    parse_intake(full)
    validate(full)
