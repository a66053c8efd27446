"""A deterministic patient simulator for progression journeys.

A simulated patient gets a real program (`prescribe` on their intake), then lives day by day:
a morning check-in (pain, and the red-flag questions), formal outcomes at the reassessment weeks,
and on exercise days a review before the session (what today's session should be), the session
itself, and a review after it. Each review's changes are applied to the program, the way a
physiotherapist approving them would: `progress`, `regress` and `substitute` change the dose (or
the exercise), `stop` leaves the program as it is. Walking changes too.

Patients differ only in how their body answers (the hooks below). Nothing is random: the same
patient always produces the same history and the same reviews.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from lumbar.domain.catalog import Catalog
from lumbar.domain.history import parse_history
from lumbar.domain.intake import parse_intake
from lumbar.domain.prescription import prescribe
from lumbar.domain.progression import review
from lumbar.domain.progression_rules import pain_during_acceptable

START = date(2025, 3, 3)  # a Monday: day 0
EXTENSION_CHAIN = ("prone-lying", "sphinx", "prone-press-up")
OUTCOME_DAYS = (0, 14, 28, 42, 84)  # baseline, then the 2, 4, 6 and 12-week reassessments

# A chronic back pain, no leg symptoms, low fitness: cat-cow, bird-dog, curl-up, glute-bridge,
# sit-to-stand, and walking 2 x 5 minutes a day building up by 2 minutes a week.
CHRONIC_LOW_FITNESS: dict[str, Any] = {
    "age": 45,
    "episode_weeks": 20,
    "pain": {"now": 5},
    "leg_symptoms": "none",
    "fitness": "low",
}
# Chronic back and thigh pain eased by bending backward: prone press-up, bird-dog, dead-bug,
# marching bridge and squat.
CHRONIC_EXTENSION_LEG: dict[str, Any] = {
    "age": 45,
    "episode_weeks": 20,
    "pain": {"now": 4},
    "leg_symptoms": "above_knee",
    "directional_preference": "extension",
}


@dataclass(frozen=True)
class Dose:
    id: str
    sets: int
    reps: int | None
    hold_seconds: int | None

    @classmethod
    def of(cls, exercise: dict[str, Any]) -> Dose:
        return cls(exercise["id"], exercise["sets"], exercise["reps"], exercise["hold_seconds"])


@dataclass
class Patient:
    """An adherent patient whose pain stays steady and whom every session suits. Override the hooks."""

    intake: dict[str, Any] = field(default_factory=lambda: dict(CHRONIC_LOW_FITNESS))
    days: int = 28

    def usual_pain(self, day: int) -> int:
        return 5

    def morning_pain(self, day: int) -> int:
        return self.usual_pain(day)

    def exercises_on(self, day: int) -> bool:
        return day % 7 < 5  # Monday to Friday

    def walks_on(self, day: int) -> bool:
        return self.exercises_on(day)

    def pain_during(self, day: int, dose: Dose) -> int:
        return 2

    def difficulty(self, day: int, dose: Dose) -> str:
        return "right"

    def leg_symptoms(self, day: int, dose: Dose) -> str:
        return "none"

    def red_flags(self, day: int) -> dict[str, bool] | None:
        return {}

    def outcomes(self, day: int) -> dict[str, float]:
        if day not in OUTCOME_DAYS:
            return {}
        return {"nprs": self.usual_pain(day)}


@dataclass(frozen=True)
class Event:
    """One review: the day, before or after that day's session, the program it saw, and its answer."""

    day: int
    when: str
    program: dict[str, Any]
    review: dict[str, Any]

    def decision(self, exercise_id: str) -> dict[str, Any]:
        return next(d for d in self.review["decisions"] if d["id"] == exercise_id)

    def actions(self) -> dict[str, str]:
        return {d["id"]: d["action"] for d in self.review["decisions"]}

    def alert_kinds(self) -> list[str]:
        return [a["kind"] for a in self.review["alerts"]]

    def alert(self, kind: str) -> dict[str, Any] | None:
        return next((a for a in self.review["alerts"] if a["kind"] == kind), None)


@dataclass
class Journey:
    patient: Patient
    events: list[Event]
    history: dict[str, Any]

    def after_sessions(self) -> list[Event]:
        return [e for e in self.events if e.when == "after"]

    def on(self, day: int, when: str = "after") -> Event:
        return next(e for e in self.events if e.day == day and e.when == when)

    def doses(self, chain: set[str]) -> list[tuple[int, Dose]]:
        """Each new dose of the exercise slot whose ids are in `chain`, with the day it took effect."""
        seen: list[tuple[int, Dose]] = []
        for event in self.events:
            for exercise in event.program["exercises"]:
                if exercise["id"] in chain:
                    dose = Dose.of(exercise)
                    if not seen or seen[-1][1] != dose:
                        seen.append((event.day, dose))
        return seen


def _today_exercises(program: dict[str, Any], day: int) -> list[dict[str, Any]]:
    """Daily exercises every exercise day; those prescribed 3 times a week on Monday, Wednesday, Friday."""
    chosen = []
    for exercise in program["exercises"]:
        per_week = exercise["sessions_per_week"]
        if per_week >= 5 or (per_week >= 3 and day % 7 in (0, 2, 4)) or (per_week < 3 and day % 7 in (0, 3)):
            chosen.append(exercise)
    return chosen


def apply(program: dict[str, Any], result: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
    """The program after a physiotherapist approves every change of a review."""
    updated = copy.deepcopy(program)
    by_id = {d["id"]: d for d in result["decisions"]}
    for exercise in updated["exercises"]:
        decision = by_id[exercise["id"]]
        if decision["action"] in ("progress", "regress", "substitute"):
            to = decision["to"]
            target = catalog.exercise(to["id"])
            exercise.update(
                id=to["id"],
                name=target.name,
                sets=to["sets"],
                reps=to["reps"],
                hold_seconds=to["hold_seconds"],
                per_side=target.timing.per_side,
            )
    walking = result.get("walking")
    if walking and walking["action"] in ("progress", "regress"):
        updated["walking"].update(walking["to"])
        if "running" not in walking["to"]:
            updated["walking"].pop("running", None)  # back to walking
    return updated


def _on_hold(result: dict[str, Any]) -> bool:
    return any(d["action"] == "stop" and d["rule"] == "red_flag" for d in result["decisions"])


def run(patient: Patient, catalog: Catalog) -> Journey:
    program = prescribe(parse_intake(patient.intake), catalog).to_json()
    sessions: list[dict[str, Any]] = []
    checkins: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any]] = []
    events: list[Event] = []

    def history(today: date) -> dict[str, Any]:
        return {
            "program": program,
            "today": today.isoformat(),
            "sessions": sessions,
            "checkins": checkins,
            "outcomes": outcomes,
        }

    def reviewed(day: int, when: str) -> dict[str, Any]:
        nonlocal program
        today = START + timedelta(days=day)
        result = review(parse_history(copy.deepcopy(history(today)), catalog=catalog), catalog).to_json()
        events.append(Event(day, when, copy.deepcopy(program), result))
        program = apply(program, result, catalog)
        return result

    for day in range(patient.days):
        today = START + timedelta(days=day)
        checkin: dict[str, Any] = {"date": today.isoformat()}
        if day > 0:
            checkin["morning_pain"] = patient.morning_pain(day)
        flags = patient.red_flags(day)
        if flags is not None:
            checkin["red_flags"] = flags
        checkins.append(checkin)
        for instrument, score in patient.outcomes(day).items():
            outcomes.append({"date": today.isoformat(), "instrument": instrument, "score": score})
        if flags and any(flags.values()) and _on_hold(reviewed(day, "checkin")):
            break  # a yes answer is screened at once; off to a doctor, the program is on hold
        if not patient.exercises_on(day):
            continue
        before = reviewed(day, "before")
        if _on_hold(before):
            break
        stopped = {d["id"] for d in before["decisions"] if d["action"] == "stop"}
        logs = []
        for exercise in _today_exercises(program, day):
            if exercise["id"] in stopped:
                continue
            dose = Dose.of(exercise)
            pain = patient.pain_during(day, dose)
            logs.append(
                {
                    "id": exercise["id"],
                    "completed": pain_during_acceptable(pain, patient.usual_pain(day)),
                    "sets": exercise["sets"],
                    "reps": exercise["reps"],
                    "hold_seconds": exercise["hold_seconds"],
                    "pain_during": pain,
                    "difficulty": patient.difficulty(day, dose),
                    "leg_symptoms": patient.leg_symptoms(day, dose),
                }
            )
        if program.get("walking") and patient.walks_on(day):
            walk = Dose("walking", 1, None, None)
            logs.append(
                {
                    "id": "walking",
                    "completed": True,
                    "pain_during": patient.pain_during(day, walk),
                    "difficulty": "right",
                    "leg_symptoms": patient.leg_symptoms(day, walk),
                }
            )
        sessions.append(
            {"date": today.isoformat(), "pain_before": patient.usual_pain(day), "exercises": logs}
        )
        reviewed(day, "after")
    final_day = START + timedelta(days=patient.days - 1)
    return Journey(patient, events, copy.deepcopy(history(final_day)))


# --- Building histories by hand (rule and property tests) ---------------------------------------------


def program_for(intake: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
    """A real program, as `lumbar plan --json` prints it."""
    return prescribe(parse_intake(intake), catalog).to_json()


def day(number: int) -> str:
    return (START + timedelta(days=number)).isoformat()


def with_dose(
    program: dict[str, Any], exercise_id: str, sets: int, reps: int | None, hold: int | None
) -> dict[str, Any]:
    """A copy of the program with one exercise at another dose."""
    changed = copy.deepcopy(program)
    exercise = next(ex for ex in changed["exercises"] if ex["id"] == exercise_id)
    exercise.update(sets=sets, reps=reps, hold_seconds=hold)
    return changed


def log(program: dict[str, Any], exercise_id: str, **changes: Any) -> dict[str, Any]:
    """One exercise done in full at its current dose, pain 2, about right, no leg symptoms."""
    exercise = next(ex for ex in program["exercises"] if ex["id"] == exercise_id)
    entry = {
        "id": exercise_id,
        "completed": True,
        "sets": exercise["sets"],
        "reps": exercise["reps"],
        "hold_seconds": exercise["hold_seconds"],
        "pain_during": 2,
        "difficulty": "right",
        "leg_symptoms": "none",
    }
    entry.update(changes)
    return entry


def every_log(program: dict[str, Any], **changes: Any) -> list[dict[str, Any]]:
    return [log(program, ex["id"], **changes) for ex in program["exercises"]]


def session(number: int, logs: list[dict[str, Any]], pain_before: int | None = 3) -> dict[str, Any]:
    entry: dict[str, Any] = {"date": day(number), "exercises": logs}
    if pain_before is not None:
        entry["pain_before"] = pain_before
    return entry


def history(
    program: dict[str, Any],
    today: int,
    sessions: list[dict[str, Any]] | None = None,
    checkins: list[dict[str, Any]] | None = None,
    outcomes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "program": program,
        "today": day(today),
        "sessions": sessions or [],
        "checkins": checkins or [],
        "outcomes": outcomes or [],
    }


# --- The patients of the journey tests ----------------------------------------------------------------


@dataclass
class Improving(Patient):
    """Pain eases a point every ten days, from 5 down to 1; every session suits."""

    days: int = 84

    def usual_pain(self, day: int) -> int:
        return max(1, 5 - day // 10)

    def outcomes(self, day: int) -> dict[str, float]:
        if day not in OUTCOME_DAYS:
            return {}
        return {"nprs": self.usual_pain(day), "odi": 8 * self.usual_pain(day)}


@dataclass
class Flaring(Patient):
    """Steady at 3 until a bad spell (days 15-18, morning pain 6 after the sessions of days 14 to 16),
    then better than before."""

    days: int = 42

    def usual_pain(self, day: int) -> int:
        if day < 15:
            return 3
        return 5 if day <= 18 else 2

    def morning_pain(self, day: int) -> int:
        return 6 if 15 <= day <= 17 else self.usual_pain(day)


@dataclass
class Peripheralising(Patient):
    """Back and thigh pain eased by bending backward, until press-ups spread the leg symptoms (day 3 on);
    the stretch put in their place moves them back toward the back."""

    intake: dict[str, Any] = field(default_factory=lambda: dict(CHRONIC_EXTENSION_LEG))
    days: int = 28

    def usual_pain(self, day: int) -> int:
        return 4

    def leg_symptoms(self, day: int, dose: Dose) -> str:
        if dose.id == "prone-press-up" and day >= 3:
            return "peripheralised"
        if dose.id == "piriformis-stretch":
            return "centralised"
        return "same"


@dataclass
class Centralising(Patient):
    """Back and thigh pain eased by bending backward, 8 weeks, low fitness: lying on the front first.
    Every position in that direction moves the thigh pain back toward the back."""

    intake: dict[str, Any] = field(
        default_factory=lambda: {**CHRONIC_EXTENSION_LEG, "episode_weeks": 8, "fitness": "low"}
    )
    days: int = 21

    def usual_pain(self, day: int) -> int:
        return 4

    def leg_symptoms(self, day: int, dose: Dose) -> str:
        return "centralised" if dose.id in EXTENSION_CHAIN else "same"


@dataclass
class SevenAtRest(Patient):
    """Starts every session at 7 out of 10 and has 6 during the exercises: her own pain, settling by
    the morning (back to 7)."""

    days: int = 21

    def usual_pain(self, day: int) -> int:
        return 7

    def pain_during(self, day: int, dose: Dose) -> int:
        return 6


@dataclass
class OnceAWeek(Patient):
    """Does one session a week, on Mondays, and finds it easy."""

    days: int = 28

    def exercises_on(self, day: int) -> bool:
        return day % 7 == 0

    def difficulty(self, day: int, dose: Dose) -> str:
        return "easy"


@dataclass
class NonAdherent(Patient):
    """Exercises one day in four, finds everything easy, and does not get better."""

    days: int = 42

    def exercises_on(self, day: int) -> bool:
        return day % 4 == 0

    def difficulty(self, day: int, dose: Dose) -> str:
        return "easy"


@dataclass
class RedFlagOnDay20(Patient):
    """Doing well until a check-in on day 20 reports numbness in the saddle area."""

    days: int = 35

    def red_flags(self, day: int) -> dict[str, bool] | None:
        return {"saddle_numbness": True} if day == 20 else {}


@dataclass
class NonResponder(Patient):
    """Does every session and tolerates every step, but pain and function do not change."""

    days: int = 49

    def outcomes(self, day: int) -> dict[str, float]:
        return {"nprs": 5, "odi": 40} if day in OUTCOME_DAYS else {}


# 34, back pain for 20 weeks, high fitness, 30 minutes a session; wants to run 10 km, deadlift and
# play netball again (the runner of the clinical review).
RUNNER: dict[str, Any] = {
    "age": 34,
    "sex": "female",
    "episode_weeks": 20,
    "pain": {"now": 3},
    "leg_symptoms": "none",
    "fitness": "high",
    "minutes_per_session": 30,
    "activities": ["running", "gym_lifting", "team_sport"],
}

# 80, low fitness, osteoporosis and a fall last winter; chronic back pain.
OLDER_ADULT: dict[str, Any] = {
    "age": 80,
    "sex": "female",
    "episode_weeks": 30,
    "pain": {"now": 4},
    "leg_symptoms": "none",
    "fitness": "low",
    "conditions": ["osteoporosis", "falls_or_poor_balance"],
}


@dataclass
class Runner(Improving):
    """The runner: pain 3 easing to 1, every session suits, 12 weeks."""

    intake: dict[str, Any] = field(default_factory=lambda: dict(RUNNER))

    def usual_pain(self, day: int) -> int:
        return max(1, 3 - day // 21)


@dataclass
class RunnerWhoseBackFlares(Runner):
    """The runner, whose morning pain rises to 6 the week the jogging first reaches 3 minutes."""

    flare_days: tuple[int, ...] = ()

    def morning_pain(self, day: int) -> int:
        return 6 if day in self.flare_days else self.usual_pain(day)


@dataclass
class OlderAdult(Improving):
    """The older adult with fragile bones and a fall: pain 4 easing slowly, every session suits."""

    intake: dict[str, Any] = field(default_factory=lambda: dict(OLDER_ADULT))

    def usual_pain(self, day: int) -> int:
        return max(2, 4 - day // 28)
