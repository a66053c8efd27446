"""What a person tells Lumbar at intake: a strict model of contracts/intake.schema.json.

The model mirrors the contract field for field: unknown keys, wrong types (a string for a number,
1 for true) and out-of-range values are errors, and keys the contract does not allow to be null
are refused when sent as null. Parse untrusted input with `parse_intake`, which turns the first
problem into one `InvalidInput` line naming the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from lumbar.domain.errors import InvalidInput, describe_validation_error

# The guidance Lumbar encodes (NICE NG59, NG65) covers people aged 16 and over.
MINIMUM_AGE = 16
MAXIMUM_AGE = 110
DAYS_PER_WEEK = 7
DAYS_PER_YEAR = 365.25

Sex = Literal["female", "male", "other"]
LegSymptoms = Literal["none", "above_knee", "below_knee"]
LegSide = Literal["left", "right", "both"]
DirectionalPreference = Literal["extension", "flexion", "none", "unknown"]
Aggravating = Literal[
    "sitting", "standing", "walking", "bending", "lifting", "lying", "twisting", "coughing", "getting_up"
]
Condition = Literal[
    "osteoporosis",
    "pregnancy",
    "hip_replacement",
    "recent_spinal_surgery",
    "knee_pain",
    "wrist_pain",
    "shoulder_pain",
    "high_blood_pressure",
    "diabetes",
    "spondylolisthesis",
    "spinal_stenosis",
    "pelvic_girdle_pain",
    "hypermobility",
    "previous_vertebral_fracture",
    "falls_or_poor_balance",
    "steroid_use",
]
Occupation = Literal["desk", "manual", "mixed", "not_working"]
Fitness = Literal["low", "moderate", "high"]
Equipment = Literal["mat", "chair", "wall", "step", "strap", "resistance-band", "stability-ball", "pillow"]
Activity = Literal[
    "walking",
    "running",
    "gym_lifting",
    "team_sport",
    "racket_sport",
    "golf",
    "swimming",
    "cycling",
    "gardening",
    "lifting_at_work",
    "childcare",
    "dancing",
    "yoga_pilates",
]
Bothersomeness = Literal["not_at_all", "slightly", "moderately", "very_much", "extremely"]

T = TypeVar("T")


def _no_null(value: Any) -> Any:
    # An absent key takes its default; an explicit null is only allowed where the contract says so.
    if value is None:
        raise PydanticCustomError("not_null", "must not be null (leave the key out instead)")
    return value


def _unique(items: list[T]) -> list[T]:
    seen: list[T] = []
    for item in items:
        if item in seen:
            raise PydanticCustomError("duplicate", f"duplicate entry {item!r}")
        seen.append(item)
    return items


NotNull = BeforeValidator(_no_null)
Unique = AfterValidator(_unique)
Score0to10 = Annotated[int, Field(ge=0, le=10)]
OdiSection = Annotated[int, Field(ge=0, le=5)] | None
RmdqItem = Annotated[int, Field(ge=1, le=24)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Pain(_Strict):
    """Pain on the 0-10 numeric rating scale: now, and best/worst over the last 24 hours."""

    now: Score0to10
    worst_24h: Annotated[Score0to10 | None, NotNull] = None
    best_24h: Annotated[Score0to10 | None, NotNull] = None


class RedFlags(_Strict):
    """Each key is one red-flag question answered yes (clinical-reference 1.3 ids in comments)."""

    saddle_numbness: Annotated[bool, NotNull] = False  # CES1
    bladder_change: Annotated[bool, NotNull] = False  # CES2
    urinary_retention_or_incontinence: Annotated[bool, NotNull] = False  # CES3
    bowel_incontinence: Annotated[bool, NotNull] = False  # CES4
    sexual_dysfunction: Annotated[bool, NotNull] = False  # CES5
    bilateral_leg_symptoms: Annotated[bool, NotNull] = False  # CES6
    bilateral_leg_weakness: Annotated[bool, NotNull] = False  # CES7
    progressive_leg_weakness: Annotated[bool, NotNull] = False  # NEU1
    spreading_numbness: Annotated[bool, NotNull] = False  # NEU2
    fever_or_unwell: Annotated[bool, NotNull] = False  # INF1
    infection_risk: Annotated[bool, NotNull] = False  # INF2
    recent_infection_or_spinal_procedure: Annotated[bool, NotNull] = False  # INF3
    cancer_history: Annotated[bool, NotNull] = False  # MAL1
    unexplained_weight_loss: Annotated[bool, NotNull] = False  # MAL2
    constant_night_pain: Annotated[bool, NotNull] = False  # MAL4
    thoracic_pain: Annotated[bool, NotNull] = False  # MAL6
    major_trauma: Annotated[bool, NotNull] = False  # FRA1
    minor_trauma_with_bone_risk: Annotated[bool, NotNull] = False  # FRA2
    sudden_severe_pain_eased_lying: Annotated[bool, NotNull] = False  # FRA3
    sudden_severe_abdominal_or_back_pain_with_faintness: Annotated[bool, NotNull] = False  # AAA1
    pulsating_abdominal_mass: Annotated[bool, NotNull] = False  # AAA2

    def positive(self) -> tuple[str, ...]:
        """The keys answered yes, in the contract's order."""
        return tuple(name for name in type(self).model_fields if getattr(self, name))


class Inflammatory(_Strict):
    """NICE NG65 criteria for suspecting axial spondyloarthritis (SPA1-SPA9)."""

    onset_before_35: Annotated[bool, NotNull] = False
    wakes_second_half_of_night: Annotated[bool, NotNull] = False
    buttock_pain: Annotated[bool, NotNull] = False
    improves_with_movement: Annotated[bool, NotNull] = False
    improves_with_nsaids_48h: Annotated[bool, NotNull] = False
    relative_with_spondyloarthritis: Annotated[bool, NotNull] = False
    arthritis: Annotated[bool, NotNull] = False
    enthesitis: Annotated[bool, NotNull] = False
    psoriasis: Annotated[bool, NotNull] = False

    def positive(self) -> tuple[str, ...]:
        return tuple(name for name in type(self).model_fields if getattr(self, name))


class StartBackAnswers(_Strict):
    """Keele STarT Back answers by construct (never by item number: orders differ between papers).

    Items 1-8 are agree (true) / disagree (false); bothersomeness is the 5-point item 9.
    """

    leg_pain: bool
    shoulder_neck_pain: bool
    walk_short_distances: bool
    dress_slowly: bool
    unsafe_to_be_active: bool
    worrying_thoughts: bool
    terrible_never_better: bool
    no_enjoyment: bool
    bothersomeness: Bothersomeness


class Goal(_Strict):
    """One Patient-Specific Functional Scale activity: 0 unable .. 10 as before the problem."""

    activity: Annotated[str, Field(min_length=1, max_length=200)]
    score: Score0to10


OdiSections = Annotated[list[OdiSection], Field(min_length=10, max_length=10)]
Goals = Annotated[list[Goal], Field(min_length=1, max_length=5)]


class Intake(_Strict):
    """A validated intake. Construct it through `parse_intake` for untrusted input."""

    age: Annotated[int, Field(le=MAXIMUM_AGE)]
    sex: Sex | None = None
    episode_weeks: Annotated[float, Field(ge=0, le=2600)]
    first_episode: Annotated[bool, NotNull] = False
    pain: Pain
    leg_symptoms: LegSymptoms
    leg_side: LegSide | None = None
    directional_preference: Annotated[DirectionalPreference, NotNull] = "unknown"
    aggravating: Annotated[list[Aggravating], NotNull, Unique] = Field(default_factory=list)
    conditions: Annotated[list[Condition], NotNull, Unique] = Field(default_factory=list)
    red_flags: Annotated[RedFlags, NotNull] = Field(default_factory=RedFlags)
    inflammatory: Annotated[Inflammatory | None, NotNull] = None
    occupation: Annotated[Occupation, NotNull] = "mixed"
    sitting_hours: Annotated[Annotated[float, Field(ge=0, le=24)] | None, NotNull] = None
    fitness: Annotated[Fitness, NotNull] = "moderate"
    equipment: Annotated[list[Equipment], NotNull, Unique] = Field(default_factory=list)
    floor_ok: Annotated[bool, NotNull] = True
    minutes_per_session: Annotated[int, NotNull, Field(ge=5, le=90)] = 15
    sessions_per_week: Annotated[int, NotNull, Field(ge=1, le=14)] = 5
    startback: Annotated[StartBackAnswers | None, NotNull] = None
    odi_sections: Annotated[OdiSections | None, NotNull] = None
    rmdq_yes: Annotated[Annotated[list[RmdqItem], Unique] | None, NotNull] = None
    goals: Annotated[Goals | None, NotNull] = None
    # NG65's "back pain lasting over 3 months" is about the back pain, not the current episode.
    back_pain_years: Annotated[Annotated[float, Field(ge=0, le=90)] | None, NotNull] = None
    pregnancy_weeks: Annotated[Annotated[int, Field(ge=1, le=42)] | None, NotNull] = None
    postpartum_weeks: Annotated[Annotated[int, Field(ge=0, le=104)] | None, NotNull] = None
    surgery_weeks: Annotated[Annotated[int, Field(ge=0, le=520)] | None, NotNull] = None
    activities: Annotated[list[Activity], NotNull, Unique] = Field(default_factory=list)

    @model_validator(mode="after")
    def _weeks_need_their_condition(self) -> Intake:
        # Weeks of pregnancy or since surgery mean nothing without the condition they time.
        for field, condition in (
            ("pregnancy_weeks", "pregnancy"),
            ("surgery_weeks", "recent_spinal_surgery"),
        ):
            if getattr(self, field) is not None and condition not in self.conditions:
                raise PydanticCustomError(
                    "needs_condition",
                    "{field} is only given with the '{condition}' condition",
                    {"field": field, "condition": condition},
                )
        return self

    @field_validator("age")
    @classmethod
    def _adult(cls, age: int) -> int:
        if age < MINIMUM_AGE:
            raise PydanticCustomError(
                "under_16",
                "Lumbar's guidance covers adults aged {minimum} and over; please see a doctor or "
                "physiotherapist instead",
                {"minimum": MINIMUM_AGE},
            )
        return age

    @property
    def has_leg_symptoms(self) -> bool:
        return self.leg_symptoms != "none"

    @property
    def age_at_onset(self) -> float:
        """Approximate age when the current episode began (age now minus its duration)."""
        return age_at_onset(self.age, self.episode_weeks)

    @property
    def red_flags_positive(self) -> tuple[str, ...]:
        return self.red_flags.positive()

    @property
    def inflammatory_positive(self) -> tuple[str, ...]:
        return self.inflammatory.positive() if self.inflammatory else ()


def age_at_onset(age: float, episode_weeks: float) -> float:
    """Approximate age when the current episode began (age now minus its duration)."""
    return age - episode_weeks * DAYS_PER_WEEK / DAYS_PER_YEAR


def parse_intake(data: object, source: str = "intake") -> Intake:
    """Validate untrusted intake data (already decoded from JSON).

    Raises InvalidInput with one line naming the field and the problem, e.g.
    `intake: pain.now: Input should be less than or equal to 10 (got 12)`.
    """
    if not isinstance(data, dict):
        raise InvalidInput(f"{source}: must be a JSON object (got {type(data).__name__})")
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(describe_validation_error(exc, source)) from None


def intake_keys() -> Sequence[str]:
    """Top-level keys of the contract, in order (for documentation and tests)."""
    return tuple(Intake.model_fields)
