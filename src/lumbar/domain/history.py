"""What has happened since a program was prescribed: a strict model of the History contract.

A History (contracts/progress.schema.json#/$defs/History) carries the program in force, the day of
the review (`today`), the sessions logged, the morning check-ins and the formal outcome measures;
and, an extra key of ours, what the camera's form checks found (`form_findings`, one per session day
and exercise: see `lumbar.domain.form_findings`).
Parse untrusted input with `parse_history`, which turns the first problem into one `InvalidInput`
line naming the field.

What is checked, beyond the contract's types and ranges:
- Dates are ISO calendar dates (YYYY-MM-DD) and none lies after `today`.
- Unknown keys are refused everywhere except inside `program`, whose contract allows extra keys;
  the program's required keys are still checked, with their types. Of the extra keys, the review
  reads `precaution_keys` (what the planner knew of the person: conditions, and presentations such
  as `prefers_extension`, the directional preference).
- Every exercise id, in the program and in the sessions, must name an exercise of the content
  library. Sessions may name exercises that are no longer in the program (a program changes over
  time; older sessions stay in the history), but not ids the library does not know.
- An exercise appears at most once in the program, at most once per session, and in at most one
  form finding per day.
- Outcome scores lie within their instrument's range (content/instruments).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError

from lumbar.domain.catalog import Catalog, default_catalog, unknown_id_message
from lumbar.domain.errors import InvalidInput, describe_validation_error
from lumbar.domain.intake import RedFlags

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> date:
    # Pydantic's lax date parsing would take Unix timestamps and datetimes; the contract wants dates.
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise PydanticCustomError("iso_date", "must be an ISO date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("iso_date", "not a calendar date") from None


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Pain = Annotated[int, Field(ge=0, le=10)]
Count = Annotated[int, Field(ge=0, le=1000)]
ExerciseId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(min_length=1)]
Difficulty = Literal["easy", "right", "hard"]
LegSymptoms = Literal["none", "same", "centralised", "peripheralised"]
Instrument = Literal["nprs", "odi", "rmdq", "psfs"]
Tier = Literal["emergency_now", "urgent_same_day", "see_doctor_soon", "routine"]
PrecautionKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$", max_length=80)]
# The precaution keys that carry the intake's directional preference (lumbar.domain.catalog).
_PREFERENCE_KEYS = {"prefers_extension": "extension", "prefers_flexion": "flexion"}


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Open(BaseModel):
    """Program parts: the contract allows extra keys; the ones we read are typed strictly."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


# --- The program in force ---------------------------------------------------------------------------


class ProgramTriage(_Open):
    tier: Tier
    flags: list[str]
    advice: Text


class ProgramExercise(_Open):
    """One exercise as prescribed: the dose in force and how often."""

    id: ExerciseId
    name: Text
    sets: int = Field(ge=1, le=20)
    reps: Annotated[int, Field(ge=1, le=200)] | None
    hold_seconds: Annotated[int, Field(ge=1, le=3600)] | None
    per_side: bool
    sessions_per_week: int = Field(ge=1, le=21)
    reasons: Annotated[list[Text], Field(min_length=1)]
    evidence: list[str]


class RunInterval(_Open):
    """Walk-run intervals: jog `run_minutes`, walk `walk_minutes`, `repeats` times."""

    run_minutes: float = Field(gt=0, le=120)
    walk_minutes: float = Field(ge=0, le=60)
    repeats: int = Field(ge=1, le=30)


class RunWalkPlan(RunInterval):
    """The walk-run plan a runner's program starts once walking reaches its target."""

    weekly_increase_run_minutes: float = Field(ge=0, le=30)


class WalkingPlan(_Open):
    minutes_per_bout: float = Field(ge=1, le=300)
    bouts_per_day: int = Field(ge=1, le=10)
    days_per_week: int = Field(ge=1, le=7)
    weekly_increase_minutes: float = Field(ge=0, le=60)
    target_minutes: float = Field(gt=0, le=600)
    run_walk: RunWalkPlan | None = None
    # The walk-run intervals in force, once started (None: walking only).
    running: RunInterval | None = None

    @property
    def daily_minutes(self) -> float:
        return self.minutes_per_bout * self.bouts_per_day


class MovementBreaks(_Open):
    every_minutes: int = Field(ge=10, le=120)
    exercises: list[str]


class Program(_Open):
    """The program in force, as `lumbar plan --json` printed it (contracts/program.schema.json)."""

    status: Literal["ok", "refer"]
    triage: ProgramTriage
    phase: Literal["acute", "subacute", "chronic"]
    risk: Literal["low", "medium", "high"] | None
    exercises: Annotated[list[ProgramExercise], Field(max_length=8)]
    walking: WalkingPlan | None
    movement_breaks: MovementBreaks | None
    education: list[str]
    stop_rules: Annotated[list[Text], Field(min_length=1)]
    reassess_after_days: int = Field(ge=1)
    estimated_minutes: float = Field(ge=0)
    content_version: Text
    # An extra key of `lumbar plan --json`: the person's precaution keys (conditions and presentations
    # such as prefers_extension). None when the program does not carry them (e.g. written by hand).
    precaution_keys: list[PrecautionKey] | None = None

    def exercise(self, exercise_id: str) -> ProgramExercise | None:
        return next((ex for ex in self.exercises if ex.id == exercise_id), None)

    @property
    def preference(self) -> str | None:
        """The person's directional preference ("extension" or "flexion"), None when not known."""
        for key in self.precaution_keys or ():
            if key in _PREFERENCE_KEYS:
                return _PREFERENCE_KEYS[key]
        return None

    @property
    def session_days_per_week(self) -> int:
        """How many days a week the person is asked to exercise: the most frequent exercise's count."""
        return max((ex.sessions_per_week for ex in self.exercises), default=0)


# --- What was logged ------------------------------------------------------------------------------------


class ExerciseLog(_Closed):
    """One exercise of one session: what was done and how it felt."""

    id: ExerciseId
    completed: bool
    sets: Count | None = None
    reps: Count | None = None
    hold_seconds: Count | None = None
    pain_during: Pain | None = None
    difficulty: Difficulty | None = None
    leg_symptoms: LegSymptoms | None = None

    @property
    def done(self) -> bool:
        """Was the exercise done at all: finished, or some sets, reps or seconds recorded? A skipped
        exercise (not finished, nothing recorded) is no evidence of how the body took the work."""
        return self.completed or any(
            (amount or 0) > 0 for amount in (self.sets, self.reps, self.hold_seconds)
        )


class Session(_Closed):
    date: IsoDate
    pain_before: Pain | None = None
    pain_after: Pain | None = None
    exercises: list[ExerciseLog]

    def entry(self, exercise_id: str) -> ExerciseLog | None:
        return next((log for log in self.exercises if log.id == exercise_id), None)

    @property
    def worked(self) -> bool:
        """Was any exercise done in this session? A session with no logs, or only skipped ones, put no
        load on the back: it says nothing about whether a pain rule now holds."""
        return any(log.done for log in self.exercises)


class CheckIn(_Closed):
    date: IsoDate
    morning_pain: Pain | None = None
    red_flags: RedFlags | None = None


class Outcome(_Closed):
    date: IsoDate
    instrument: Instrument
    score: float


FaultId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$", max_length=80)]
Share = Annotated[float, Field(ge=0, le=1)]


class FormFinding(_Closed):
    """What the camera's good form checks of one exercise on one day found: how much work was judged
    (repetitions, or seconds held for an exercise judged by its holds) and, for each fault seen, the
    share of that work it was seen in (reps with the fault / reps; or seconds of the fault / seconds
    held). Checks in which the camera could not see the person well are not in it."""

    date: IsoDate
    exercise_id: ExerciseId
    reps: Count = 0
    hold_seconds: float = Field(default=0, ge=0, le=36000)
    fault_shares: dict[FaultId, Share] = Field(default_factory=dict)

    @property
    def by_holds(self) -> bool:
        """Judged by the seconds held rather than by repetitions."""
        return self.reps == 0


class History(_Closed):
    """A validated history. Sessions, check-ins and outcomes are kept in date order (stable)."""

    program: Program
    today: IsoDate
    sessions: list[Session]
    checkins: list[CheckIn] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)
    form_findings: list[FormFinding] = Field(default_factory=list)

    def entries(self, exercise_id: str) -> Iterator[tuple[date, ExerciseLog]]:
        """Every log of one exercise, oldest first."""
        for session in self.sessions:
            log = session.entry(exercise_id)
            if log is not None:
                yield session.date, log

    @property
    def start(self) -> date:
        """The first day anything was recorded: when the person started on their program."""
        dates = [
            *(s.date for s in self.sessions),
            *(c.date for c in self.checkins),
            *(o.date for o in self.outcomes),
        ]
        return min(dates, default=self.today)


# --- Parsing ---------------------------------------------------------------------------------------------


def parse_history(data: object, source: str = "history", *, catalog: Catalog | None = None) -> History:
    """Validate untrusted history data (already decoded from JSON).

    Raises InvalidInput with one line naming the field and the problem, e.g.
    `history: sessions.3.exercises.0.pain_during: Input should be less than or equal to 10 (got 12)`.
    """
    if not isinstance(data, dict):
        raise InvalidInput(f"{source}: must be a JSON object (got {type(data).__name__})")
    try:
        history = History.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(describe_validation_error(exc, source)) from None
    _check_consistency(history, source, catalog or default_catalog())
    # Entries of the same date keep the order they were given in.
    return history.model_copy(
        update={
            "sessions": sorted(history.sessions, key=lambda s: s.date),
            "checkins": sorted(history.checkins, key=lambda c: c.date),
            "outcomes": sorted(history.outcomes, key=lambda o: o.date),
            "form_findings": sorted(history.form_findings, key=lambda f: f.date),
        }
    )


def _check_consistency(history: History, source: str, catalog: Catalog) -> None:
    program = history.program
    if program.status == "refer" and program.exercises:
        raise InvalidInput(f"{source}: program.exercises: a referred program (status refer) has no exercises")
    seen: set[str] = set()
    for index, exercise in enumerate(program.exercises):
        where = f"{source}: program.exercises.{index}.id"
        if exercise.id not in catalog.exercises:
            raise InvalidInput(f"{where}: {unknown_id_message('exercise', exercise.id, catalog.exercises)}")
        if exercise.id in seen:
            raise InvalidInput(f"{where}: {exercise.id!r} appears twice in the program")
        seen.add(exercise.id)

    today = history.today
    for index, session in enumerate(history.sessions):
        if session.date > today:
            raise InvalidInput(f"{source}: sessions.{index}.date: {session.date} is after today ({today})")
        logged: set[str] = set()
        for number, log in enumerate(session.exercises):
            where = f"{source}: sessions.{index}.exercises.{number}.id"
            if log.id not in catalog.exercises:
                raise InvalidInput(f"{where}: {unknown_id_message('exercise', log.id, catalog.exercises)}")
            if log.id in logged:
                raise InvalidInput(f"{where}: {log.id!r} is logged twice in this session")
            logged.add(log.id)
    for index, checkin in enumerate(history.checkins):
        if checkin.date > today:
            raise InvalidInput(f"{source}: checkins.{index}.date: {checkin.date} is after today ({today})")
    for index, outcome in enumerate(history.outcomes):
        if outcome.date > today:
            raise InvalidInput(f"{source}: outcomes.{index}.date: {outcome.date} is after today ({today})")
        _check_score(outcome, f"{source}: outcomes.{index}.score")
    found: set[tuple[date, str]] = set()
    for index, finding in enumerate(history.form_findings):
        where = f"{source}: form_findings.{index}"
        if finding.date > today:
            raise InvalidInput(f"{where}.date: {finding.date} is after today ({today})")
        if finding.exercise_id not in catalog.exercises:
            raise InvalidInput(
                f"{where}.exercise_id: {unknown_id_message('exercise', finding.exercise_id, catalog.exercises)}"
            )
        if finding.reps == 0 and finding.hold_seconds == 0:
            raise InvalidInput(f"{where}: a finding judges some repetitions or some seconds held")
        if (finding.date, finding.exercise_id) in found:
            raise InvalidInput(f"{where}: {finding.exercise_id!r} has two findings on {finding.date}")
        found.add((finding.date, finding.exercise_id))


def _check_score(outcome: Outcome, where: str) -> None:
    from lumbar.domain.instruments import default_instruments

    instruments = default_instruments()
    score_range = {
        "nprs": instruments.nprs.range,
        "odi": instruments.odi.range,
        "rmdq": instruments.rmdq.range,
        "psfs": instruments.psfs.range,
    }[outcome.instrument]
    if not score_range.min <= outcome.score <= score_range.max:
        raise InvalidInput(
            f"{where}: a {outcome.instrument} score lies between {score_range.min:g} and "
            f"{score_range.max:g} (got {outcome.score:g})"
        )
