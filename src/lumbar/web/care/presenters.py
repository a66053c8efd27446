"""Shape stored records for the templates: words, doses as text, timer settings, week strips.

No clinical decisions here: thresholds come from the content through the domain's rule objects.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import TYPE_CHECKING, Any

from django.contrib.auth.base_user import AbstractBaseUser

from lumbar.domain import progression_rules, screening
from lumbar.domain.catalog import Catalog, Dose, default_catalog
from lumbar.domain.library import describe_dose
from lumbar.domain.progression import Intervals
from lumbar.domain.progression_rules import pain_during_acceptable, pain_during_limit
from lumbar.web.formcheck import presenters as formcheck_presenters
from lumbar.web.formcheck import services as formcheck_services
from lumbar.web.library.figures import Frame, figure_svg
from lumbar.web.records import selectors as records
from lumbar.web.records.models import ExerciseSession, ProgramVersion

if TYPE_CHECKING:
    from lumbar.web.care.services import ReviewOutcome

# A program change is announced on the today page for this long.
RECENT = dt.timedelta(days=3)
# Countdown before the first set, to get into position (a usability choice, not a clinical dose).
GET_READY_SECONDS = 5


def pain_limit() -> int:
    return pain_during_limit()


def pain_stop_at(pain_before: int | None) -> int:
    """Pain during above which today's exercise stops: 5/10, or the pain before the session when
    that was higher (the same rule the progression review judges by)."""
    return math.floor(progression_rules.default_rules().pain_during.limit(pain_before))


def pain_too_high(pain: int, pain_before: int | None) -> bool:
    return not pain_during_acceptable(pain, pain_before)


def too_much_pain_message(name: str, pain_before: int | None) -> str:
    limit = pain_stop_at(pain_before)
    before = " (the pain you had before the session)" if limit > pain_limit() else ""
    return (
        f"Your pain went above {limit} out of 10{before} during {name}. Leave it for today; "
        "next time Lumbar will make it easier."
    )


def has_leg_symptoms(program: ProgramVersion) -> bool:
    return records.has_leg_symptoms(program)


def dose_text(entry: dict[str, Any], catalog: Catalog | None = None) -> str:
    catalog = catalog or default_catalog()
    exercise = catalog.exercises.get(entry["id"])
    dose = Dose(
        sets=entry["sets"],
        reps=entry.get("reps"),
        hold_seconds=entry.get("hold_seconds"),
        minutes=entry.get("minutes"),
    )
    return describe_dose(dose, exercise.timing if exercise else None)


def illustration(exercise_id: str, frame: Frame = "animated") -> str | None:
    """Inline SVG of the exercise, when its figure is drawn (None otherwise)."""
    return figure_svg(exercise_id, frame)


def program_page(version: ProgramVersion, history: list[ProgramVersion]) -> dict[str, Any]:
    catalog = default_catalog()
    program = version.program
    exercises = []
    for entry in program.get("exercises", []):
        exercise = catalog.exercises.get(entry["id"])
        exercises.append(
            {
                "entry": entry,
                "exercise": exercise,
                "dose": dose_text(entry, catalog),
                "svg": illustration(entry["id"], "animated"),
                "therapist_note": version.exercise_notes.get(entry["id"]),
            }
        )
    topics = [catalog.education[t] for t in program.get("education", []) if t in catalog.education]
    breaks = program.get("movement_breaks")
    break_cautions = (breaks or {}).get("cautions", {})
    break_exercises = [
        {"id": e, "name": catalog.exercises[e].name, "cautions": break_cautions.get(e, [])}
        for e in (breaks or {}).get("exercises", [])
        if e in catalog.exercises
    ]
    walking = program.get("walking") or {}
    running = walking.get("running")
    return {
        "version": version,
        "program": program,
        # Walk-runs in force replace the walks: said in the review's own words.
        "running_words": Intervals(
            running["run_minutes"], running["walk_minutes"], running["repeats"]
        ).words()
        if running
        else None,
        "exercises": exercises,
        "topics": topics,
        "breaks": breaks,
        "break_exercises": break_exercises,
        "history": history,
        "is_current": bool(history) and history[0].pk == version.pk,
    }


def player_context(session: ExerciseSession, number: int, catalog: Catalog) -> dict[str, Any]:
    entries = session.program.exercises
    entry = entries[number - 1]
    exercise = catalog.exercises.get(entry["id"])
    timer = {
        "sets": entry["sets"],
        "reps": entry.get("reps"),
        "hold": entry.get("hold_seconds"),
        "perSide": entry.get("per_side", False),
        "rest": exercise.timing.rest_seconds if exercise else 0,
        "move": exercise.timing.seconds_per_rep if exercise else 0,
        "getReady": GET_READY_SECONDS,
    }
    logs = {log.exercise_id: log for log in session.logs.all()}
    return {
        "session": session,
        "number": number,
        "total": len(entries),
        "entry": entry,
        "exercise": exercise,
        "dose": dose_text(entry, catalog),
        "svg": illustration(entry["id"], "animated"),
        "timer_json": json.dumps(timer),
        "asks_leg_symptoms": has_leg_symptoms(session.program),
        "previous_log": logs.get(entry["id"]),
        "pain_limit": pain_stop_at(session.pain_before),
        "pain_above_usual_limit": pain_stop_at(session.pain_before) > pain_limit(),
        "steps_done": [{"name": e["name"], "done": e["id"] in logs} for e in entries],
        "camera": _camera(session, number, entry),
    }


def _camera(session: ExerciseSession, number: int, entry: dict[str, Any]) -> dict[str, Any] | None:
    spec = formcheck_services.checkable_spec(entry["id"])
    return None if spec is None else formcheck_presenters.camera_panel(session, number, entry, spec)


def review_summary(outcome: ReviewOutcome) -> dict[str, Any]:
    """What to tell the person after a review, as plain data (kept in the session between requests)."""
    return {
        "alerts": [{"kind": a.kind, "severity": a.severity, "message": a.message} for a in outcome.alerts],
        "changes": list(outcome.new_program.changes) if outcome.new_program else [],
        "stops": list(outcome.stops),
        "new_version": outcome.new_program.number if outcome.new_program else None,
    }


def checkin_questions(program: ProgramVersion) -> list[screening.RedFlagRule]:
    """The warning-sign questions re-asked each morning (for everyone with leg symptoms)."""
    return screening.checkin_questions(has_leg_symptoms(program))


def week_strip(user: AbstractBaseUser, today: dt.date) -> list[dict[str, Any]]:
    """The last 7 days, oldest first: did the person do a session?"""
    start = today - dt.timedelta(days=6)
    done = {s.date for s in records.sessions_between(user, start, today) if s.completed_at is not None}
    return [
        {
            "date": start + dt.timedelta(days=i),
            "done": (start + dt.timedelta(days=i)) in done,
            "today": i == 6,
        }
        for i in range(7)
    ]
