"""Browsing the exercise library: the filters behind `lumbar exercises list` (and the library pages),
and the plain-language wording of a dose that a person reads ("2 x 10, hold 3 s").

Pure functions over the validated catalog; nothing here reads files or knows about the CLI or web.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

from lumbar.domain.catalog import (
    Catalog,
    Category,
    DirectionBias,
    Dose,
    Exercise,
    Position,
    Precaution,
    Timing,
)
from lumbar.domain.errors import InvalidInput
from lumbar.domain.intake import Equipment

SECONDS_PER_MINUTE = 60

# What a person reads for each precaution key (the keys name intake answers; see catalog.py).
PRECAUTION_LABELS: dict[str, str] = {
    "osteoporosis": "Osteoporosis",
    "pregnancy": "Pregnancy",
    "hip_replacement": "Hip replacement",
    "recent_spinal_surgery": "Recent spinal surgery",
    "knee_pain": "Knee pain",
    "wrist_pain": "Wrist pain",
    "shoulder_pain": "Shoulder pain",
    "high_blood_pressure": "High blood pressure",
    "diabetes": "Diabetes",
    "spondylolisthesis": "Spondylolisthesis",
    "spinal_stenosis": "Spinal stenosis",
    "leg_symptoms": "Pain or tingling in the leg",
    "leg_symptoms_below_knee": "Pain or tingling below the knee",
    "prefers_extension": "Back eases when bending backwards",
    "prefers_flexion": "Back eases when bending forwards",
    "no_floor": "Cannot get down to the floor",
    "acute": "Recent or flaring back pain (acute phase)",
}
PRECAUTION_ACTION_LABELS: dict[str, str] = {"avoid": "avoid", "modify": "modify", "caution": "take care"}


def filter_exercises(
    exercises: Iterable[Exercise],
    *,
    category: str | None = None,
    position: str | None = None,
    bias: str | None = None,
    equipment: str | None = None,
    search: str | None = None,
) -> list[Exercise]:
    """The exercises that pass every given filter (filters combine with AND), in the input order.

    `equipment` keeps exercises that need nothing at all or that need that piece of equipment.
    `search` is split into words; each word must appear (case-insensitively) in the exercise's id,
    name, aliases, summary or muscles. A filter value the library does not know raises InvalidInput.
    """
    _check_choice("category", category, get_args(Category))
    _check_choice("position", position, get_args(Position))
    _check_choice("bias", bias, get_args(DirectionBias))
    _check_choice("equipment", equipment, get_args(Equipment))
    terms = search.casefold().split() if search else []
    return [
        exercise
        for exercise in exercises
        if (category is None or exercise.category == category)
        and (position is None or exercise.position == position)
        and (bias is None or exercise.direction_bias == bias)
        and (equipment is None or not exercise.equipment or equipment in exercise.equipment)
        and all(term in searchable_text(exercise) for term in terms)
    ]


def _check_choice(name: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise InvalidInput(f"{name}: unknown value {value!r}; choose one of {', '.join(choices)}")


def searchable_text(exercise: Exercise) -> str:
    """Everything a person might type to find an exercise, folded to lower case."""
    fields = [
        exercise.id,
        exercise.name,
        *exercise.aliases,
        exercise.text.summary,
        *exercise.primary_muscles,
        *exercise.secondary_muscles,
    ]
    return "\n".join(fields).casefold()


def describe_dose(dose: Dose, timing: Timing | None = None) -> str:
    """A dose as a person reads it: "2 x 10, hold 3 s", "3 x 30 s hold each side", "10 min".

    With `timing`, exercises done on each side say so after the count.
    """
    side = " each side" if timing is not None and timing.per_side else ""
    sets = f"{dose.sets} x "
    # One rep held for a time is a hold ("3 x 30 s hold"), not "3 x 1, hold 30 s".
    single_hold = dose.reps == 1 and dose.hold_seconds is not None
    if dose.reps is not None and not single_hold:
        parts = [f"{sets}{dose.reps}{side}"]
        if dose.hold_seconds is not None:
            parts.append(f"hold {describe_seconds(dose.hold_seconds)}")
        if dose.minutes is not None:
            parts.append(describe_minutes(dose.minutes))
        return ", ".join(parts)
    if dose.hold_seconds is not None:
        text = f"{sets}{describe_seconds(dose.hold_seconds)} hold{side}"
        return f"{text}, {describe_minutes(dose.minutes)}" if dose.minutes is not None else text
    # A timed bout (walking, swimming): one bout reads better without "1 x".
    minutes = describe_minutes(dose.minutes or 0)
    return f"{minutes}{side}" if dose.sets == 1 else f"{sets}{minutes}{side}"


def describe_seconds(seconds: int) -> str:
    """Whole minutes read as minutes ("2 min"); anything else stays in seconds ("90 s")."""
    if seconds >= SECONDS_PER_MINUTE and seconds % SECONDS_PER_MINUTE == 0:
        return f"{seconds // SECONDS_PER_MINUTE} min"
    return f"{seconds} s"


def describe_minutes(minutes: float) -> str:
    return f"{minutes:g} min"


def describe_rest(timing: Timing) -> str:
    """The rest between sets, e.g. "rest 45 s between sets" ("no rest between sets" for zero)."""
    if timing.rest_seconds == 0:
        return "no rest between sets"
    return f"rest {describe_seconds(timing.rest_seconds)} between sets"


def describe_precaution(precaution: Precaution) -> str:
    """E.g. "Pregnancy (modify): Later in pregnancy, ..."."""
    label = PRECAUTION_LABELS.get(precaution.when, precaution.when.replace("_", " ").capitalize())
    return f"{label} ({PRECAUTION_ACTION_LABELS[precaution.action]}): {precaution.note}"


def describe_library(catalog: Catalog) -> str:
    """The size of the library in one phrase: "38 exercises, 12 education topics, 48 references"."""
    return ", ".join(
        [
            _count(len(catalog.exercises), "exercise", "exercises"),
            _count(len(catalog.education), "education topic", "education topics"),
            _count(len(catalog.references), "reference", "references"),
        ]
    )


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"
