"""What the API reads and answers (pydantic, through django-ninja). Bodies are strict: a number sent
as a string, an unknown member or a value out of range is a 422, never guessed at."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, StrictBool, StrictInt


def _storable(value: str) -> str:
    """Text a database can keep: no NUL character (PostgreSQL refuses it) and no lone surrogate."""
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


Pain = Annotated[StrictInt, Field(ge=0, le=10, description="0 (no pain) to 10 (worst imaginable)")]


class Body(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Errors ------------------------------------------------------------------------------------------


class ProblemOut(Schema):
    """RFC 9457 problem details (application/problem+json)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the problem; /api/v1/problems/<slug> explains it")
    title: str
    status: int
    detail: str
    instance: str | None = None


class ProblemTypeOut(Schema):
    type: str
    title: str
    status: int
    description: str


# --- The person --------------------------------------------------------------------------------------


class WarningSignOut(Schema):
    tier: str = Field(description="emergency_now or urgent_same_day: see a doctor before exercising")
    flags: list[str]
    advice: str
    since: dt.datetime


class AlertOut(Schema):
    kind: str
    severity: str
    message: str
    created_at: dt.datetime
    seen: bool


class TokenOut(Schema):
    name: str
    prefix: str
    scope: Literal["read", "write"]
    expires_at: dt.datetime


class MeOut(Schema):
    email: str
    role: Literal["patient", "therapist"]
    program_version: int | None = Field(description="The number of the program in force, if any")
    warning_sign: WarningSignOut | None = Field(
        description="Set while a warning sign closes the sessions (until a clinician has checked them)"
    )
    unseen_alerts: list[AlertOut]
    token: TokenOut | None = Field(description="The token of this request (none for a browser session)")


class ProgramOut(Schema):
    version: int
    created_at: dt.datetime
    source: Literal["initial", "review", "therapist"]
    changes: list[str] = Field(description="Why this version differs from the one before, in plain words")
    program: dict[str, Any] = Field(
        description="The program exactly as contracts/program.schema.json shapes it (lumbar plan --json)"
    )


# --- Sessions -----------------------------------------------------------------------------------------


class PlannedExerciseOut(Schema):
    number: int = Field(description="Its place in the session, from 1")
    id: str
    name: str
    sets: int
    reps: int | None
    hold_seconds: int | None
    per_side: bool


class ExerciseLogOut(Schema):
    exercise_id: str
    completed: bool
    sets: int | None
    reps: int | None
    hold_seconds: int | None
    pain_during: int | None
    difficulty: Literal["easy", "right", "hard"] | None
    leg_symptoms: Literal["none", "same", "centralised", "peripheralised"] | None
    skipped_reason: str


class SessionOut(Schema):
    id: int
    date: dt.date
    program_version: int
    started_at: dt.datetime
    completed_at: dt.datetime | None
    pain_before: int | None
    pain_after: int | None
    planned: list[PlannedExerciseOut]
    logged: list[ExerciseLogOut]
    next_step: Literal["pain_before", "exercise", "finish", "done"] = Field(
        description="What the session player would ask next"
    )
    next_exercise: str | None = Field(
        description="The id of the next exercise to log, when next_step is exercise"
    )


class SessionPage(Schema):
    items: list[SessionOut]
    count: int = Field(description="Sessions in all")
    page: int
    page_size: int


class PainBeforeIn(Body):
    pain_before: Pain


class FinishIn(Body):
    pain_after: Pain


class ExerciseLogIn(Body):
    """One exercise of the session. Left out, the prescribed sets, reps and hold count as done (as
    the session player does); `completed: false` logs it as skipped."""

    completed: StrictBool = True
    sets: Annotated[StrictInt, Field(ge=0, le=20)] | None = None
    reps: Annotated[StrictInt, Field(ge=0, le=100)] | None = None
    hold_seconds: Annotated[StrictInt, Field(ge=0, le=900)] | None = None
    pain_during: Pain | None = None
    difficulty: Literal["easy", "right", "hard"] | None = None
    leg_symptoms: Literal["none", "same", "centralised", "peripheralised"] | None = Field(
        None, description="Left out: none, unless the program is for leg symptoms"
    )
    skipped_reason: Annotated[str, Field(max_length=200), AfterValidator(_storable)] = ""


class ExerciseLogResult(Schema):
    log: ExerciseLogOut
    pain_warning: str | None = Field(
        description="Set when the pain during it was above the limit: stop this exercise for today"
    )


class ReviewOut(Schema):
    """What the progression review made of the person's record after a session or check-in."""

    alerts: list[AlertOut]
    new_program_version: int | None
    changes: list[str]
    stops: list[str] = Field(description="Exercises stopped, each with why")
    warning_sign: WarningSignOut | None = Field(
        description="A warning sign in force: see a doctor; sessions are closed until then"
    )


class FinishOut(Schema):
    session: SessionOut
    repeated: bool = Field(description="True when the session was already finished: nothing changed")
    review: ReviewOut


# --- Check-ins --------------------------------------------------------------------------------------


class QuestionOut(Schema):
    key: str
    question: str


class CheckInIn(Body):
    morning_pain: Pain
    warning_signs: dict[str, StrictBool] = Field(
        description="true or false for every key of GET /me/checkins/questions, and no other key"
    )


class CheckInOut(Schema):
    date: dt.date
    morning_pain: int
    counts_as_morning_reading: bool = Field(
        description="False for a check-in given on its own day in the afternoon or evening"
    )
    warning_signs: dict[str, bool] = Field(description="The answers that were yes")
    repeated: bool = Field(description="True when the same answers were already in: nothing changed")
    review: ReviewOut


# --- Progress ------------------------------------------------------------------------------------------


class PainReadingOut(Schema):
    date: dt.date
    kind: Literal["before", "after", "morning"]
    value: float


class ChangeBandOut(Schema):
    baseline: float
    low: float
    high: float
    label: str


class PainOut(Schema):
    since: dt.date
    readings: list[PainReadingOut]
    band: ChangeBandOut | None = Field(description="The starting pain and the range that is no real change")


class VerdictOut(Schema):
    direction: Literal["improved", "unchanged", "worse"]
    label: str
    reason: str


class ScoreOut(Schema):
    date: dt.date
    score: float
    text: str
    verdict: VerdictOut | None = Field(description="The change from the first score (none for the first)")


class InstrumentOut(Schema):
    id: str
    name: str
    scores: list[ScoreOut]


class AdherenceWeekOut(Schema):
    monday: dt.date
    done: int
    planned: int


class AdherenceOut(Schema):
    sessions_per_week: int
    planned_weekdays: list[str]
    since: dt.date
    planned: int
    done: int
    rate: float | None
    streak: int
    weeks: list[AdherenceWeekOut]


class CheckpointOut(Schema):
    week: int
    due_on: dt.date


class ReassessmentOut(Schema):
    due: CheckpointOut | None
    upcoming: CheckpointOut | None


class ProgressOut(Schema):
    today: dt.date
    pain: PainOut
    scores: list[InstrumentOut]
    adherence: AdherenceOut
    reassessment: ReassessmentOut


# --- The clinic (a therapist's token or browser) -------------------------------------------------------


class ChangeOut(Schema):
    instrument: str
    baseline: float
    latest: float
    direction: Literal["improved", "unchanged", "worse"] = Field(
        description="Judged by the instrument's minimal important change"
    )


class AdherenceWindowOut(Schema):
    window_days: int
    sessions_done: int
    sessions_prescribed: int


class CaseloadRowOut(Schema):
    patient_id: int
    name: str
    email: str
    therapist_email: str
    need: Literal["emergency", "urgent", "review", "no_activity", "on_track"] = Field(
        description="Open alerts by severity first, then no session or check-in for a while"
    )
    open_alerts: dict[str, int] = Field(description="Open emergency, urgent and review alerts by severity")
    latest_pain: int | None
    latest_pain_on: dt.date | None
    pain_change: ChangeOut | None
    function_change: ChangeOut | None
    adherence: AdherenceWindowOut | None
    last_session: dt.date | None


class CaseloadPage(Schema):
    items: list[CaseloadRowOut]
    count: int
    page: int
    page_size: int


class TherapistAlertOut(AlertOut):
    id: int
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    therapist_note: str


class PatientRecordOut(Schema):
    patient_id: int
    name: str
    email: str
    therapist_email: str
    program: ProgramOut | None
    alerts: list[TherapistAlertOut] = Field(description="The 50 newest, open and resolved")
