"""Reads for the public library pages: exercises, lessons and their sources, from the content catalog."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from lumbar.domain import library
from lumbar.domain.catalog import (
    Category,
    DirectionBias,
    EducationTopic,
    Exercise,
    Position,
    Reference,
    default_catalog,
)
from lumbar.domain.intake import Equipment

CATEGORY_LABELS = {
    "mobility": "Mobility",
    "stretch": "Stretch",
    "strength": "Strength",
    "stabilisation": "Stability",
    "balance": "Balance",
    "neural": "Nerve glide",
    "aerobic": "Aerobic",
}
POSITION_LABELS = {
    "supine": "Lying on your back",
    "prone": "Lying on your front",
    "quadruped": "On hands and knees",
    "side-lying": "Lying on your side",
    "seated": "Sitting",
    "standing": "Standing",
    "kneeling": "Kneeling",
}
BIAS_LABELS = {
    "flexion": "Bending forward",
    "extension": "Bending backward",
    "neutral": "Back kept still",
    "rotation": "Twisting",
    "lateral": "Side bending",
    "mixed": "Forward and backward",
    "neural": "Nerve glide",
    "aerobic": "Whole body",
}
EQUIPMENT_LABELS = {
    "mat": "Mat",
    "chair": "Chair",
    "wall": "Wall",
    "step": "Step",
    "strap": "Strap or towel",
    "resistance-band": "Resistance band",
    "stability-ball": "Stability ball",
    "pillow": "Pillow",
}
ACTION_LABELS = {"avoid": "Avoid", "modify": "Change it", "caution": "Take care"}


@dataclass(frozen=True)
class Filters:
    category: Category | None = None
    position: Position | None = None
    bias: DirectionBias | None = None
    equipment: Equipment | None = None
    search: str = ""

    @property
    def active(self) -> bool:
        return any((self.category, self.position, self.bias, self.equipment, self.search))


def parse_filters(query: dict[str, str]) -> Filters:
    """Unknown filter values are ignored rather than rejected: a stale bookmark still shows a page."""

    def pick(name: str, allowed: tuple[str, ...]) -> str | None:
        value = query.get(name, "")
        return value if value in allowed else None

    return Filters(
        category=pick("category", get_args(Category)),  # type: ignore[arg-type]
        position=pick("position", get_args(Position)),  # type: ignore[arg-type]
        bias=pick("bias", get_args(DirectionBias)),  # type: ignore[arg-type]
        equipment=pick("equipment", get_args(Equipment)),  # type: ignore[arg-type]
        search=query.get("q", "").strip()[:100],
    )


@dataclass(frozen=True)
class ExerciseCard:
    exercise: Exercise
    category_label: str
    position_label: str
    dose: str


def card(exercise: Exercise) -> ExerciseCard:
    return ExerciseCard(
        exercise=exercise,
        category_label=CATEGORY_LABELS[exercise.category],
        position_label=POSITION_LABELS[exercise.position],
        dose=library.describe_dose(exercise.dose, exercise.timing),
    )


def exercise_cards(filters: Filters) -> list[ExerciseCard]:
    catalog = default_catalog()
    ordered = sorted(catalog.exercises.values(), key=lambda e: (e.level, e.name))
    found = library.filter_exercises(
        ordered,
        category=filters.category,
        position=filters.position,
        bias=filters.bias,
        equipment=filters.equipment,
        search=filters.search or None,
    )
    return [card(e) for e in found]


@dataclass(frozen=True)
class PrecautionView:
    label: str
    action: str
    action_label: str
    note: str


@dataclass(frozen=True)
class ExerciseDetail:
    card: ExerciseCard
    bias_label: str
    equipment_labels: list[str]
    max_dose: str
    rest: str
    easier: Exercise | None
    harder: Exercise | None
    precautions: list[PrecautionView]
    evidence: list[tuple[str, Reference]]


def exercise_detail(exercise_id: str) -> ExerciseDetail | None:
    catalog = default_catalog()
    exercise = catalog.exercises.get(exercise_id)
    if exercise is None:
        return None
    return ExerciseDetail(
        card=card(exercise),
        bias_label=BIAS_LABELS[exercise.direction_bias],
        equipment_labels=[EQUIPMENT_LABELS[e] for e in exercise.equipment],
        max_dose=library.describe_dose(exercise.max_dose, exercise.timing),
        rest=library.describe_rest(exercise.timing),
        easier=catalog.easier(exercise),
        harder=catalog.harder(exercise),
        precautions=[
            PrecautionView(library.PRECAUTION_LABELS[p.when], p.action, ACTION_LABELS[p.action], p.note)
            for p in exercise.precautions
        ],
        evidence=[(ref, catalog.references[ref]) for ref in exercise.evidence],
    )


def topics() -> list[EducationTopic]:
    catalog = default_catalog()
    return sorted(catalog.education.values(), key=lambda t: t.title)


def topic(topic_id: str) -> tuple[EducationTopic, list[tuple[str, Reference]]] | None:
    catalog = default_catalog()
    found = catalog.education.get(topic_id)
    if found is None:
        return None
    return found, [(ref, catalog.references[ref]) for ref in found.evidence]


def choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "category": list(CATEGORY_LABELS.items()),
        "position": list(POSITION_LABELS.items()),
        "bias": list(BIAS_LABELS.items()),
        "equipment": list(EQUIPMENT_LABELS.items()),
    }
