"""The patient's endpoints, /api/v1/me/...: their own record only, through the services and
selectors the pages use (lumbar.web.care). Every query is scoped to the caller, so another person's
id answers 404, the same as an id that does not exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router

from lumbar.web.api import schemas
from lumbar.web.api.auth import caller, reading, writing
from lumbar.web.api.models import AccessToken
from lumbar.web.api.problems import Problem
from lumbar.web.care import presenters as care_presenters
from lumbar.web.care import services as care_services
from lumbar.web.onboarding import services as onboarding_services
from lumbar.web.outcomes import presenters as outcomes_presenters
from lumbar.web.outcomes import selectors as outcomes_selectors
from lumbar.web.records import selectors as records
from lumbar.web.records.models import Alert, ExerciseLog, ExerciseSession, ProgramVersion, ScreeningEvent

router = Router(tags=["patient"])

# Every operation may answer these (sign-in, role, bad parameters, rate limit).
_ALWAYS = (401, 403, 422, 429)
MAX_ID = 2**63 - 1  # a database id; larger numbers are a 422, not an overflow


def answers(ok: Any, *errors: int, status: int = 200) -> dict[int, Any]:
    return {status: ok} | dict.fromkeys(sorted({*_ALWAYS, *errors}), schemas.ProblemOut)


NO_PROGRAM = "You don't have a program yet: answer the questions in the app first."


# --- Shaping records -----------------------------------------------------------------------------


def warning_sign(event: ScreeningEvent | None) -> dict[str, Any] | None:
    if event is None:
        return None
    return {"tier": event.tier, "flags": list(event.flags), "advice": event.advice, "since": event.created_at}


def warning_sign_problem(user: Any) -> Problem:
    event = records.blocking_screening(user)
    found = warning_sign(event) or {}
    return Problem(
        "warning-sign",
        str(found.get("advice") or "A warning sign needs a doctor first."),
        tier=found.get("tier"),
        flags=found.get("flags", []),
    )


def alert_out(alert: Alert) -> dict[str, Any]:
    return {
        "kind": alert.kind,
        "severity": alert.severity,
        "message": alert.message,
        "created_at": alert.created_at,
        "seen": alert.seen_at is not None,
    }


def program_out(version: ProgramVersion) -> dict[str, Any]:
    return {
        "version": version.number,
        "created_at": version.created_at,
        "source": version.source,
        "changes": list(version.changes),
        "program": version.program,
    }


def token_out(token: AccessToken | None) -> dict[str, Any] | None:
    if token is None:
        return None
    return {"name": token.name, "prefix": token.prefix, "scope": token.scope, "expires_at": token.expires_at}


def log_out(log: ExerciseLog) -> dict[str, Any]:
    return {
        "exercise_id": log.exercise_id,
        "completed": log.completed,
        "sets": log.sets,
        "reps": log.reps,
        "hold_seconds": log.hold_seconds,
        "pain_during": log.pain_during,
        "difficulty": log.difficulty or None,
        "leg_symptoms": log.leg_symptoms or None,
        "skipped_reason": log.skipped_reason,
    }


def session_out(session: ExerciseSession) -> dict[str, Any]:
    entries = session.program.exercises
    logs = sorted(session.logs.all(), key=lambda log: (log.position, log.pk))
    done = {log.exercise_id for log in logs}
    following = next((e["id"] for e in entries if e["id"] not in done), None)
    if session.completed_at is not None:
        step = "done"
    elif session.pain_before is None:
        step = "pain_before"
    elif following is not None:
        step = "exercise"
    else:
        step = "finish"
    return {
        "id": session.pk,
        "date": session.date,
        "program_version": session.program.number,
        "started_at": session.started_at,
        "completed_at": session.completed_at,
        "pain_before": session.pain_before,
        "pain_after": session.pain_after,
        "planned": [
            {
                "number": number,
                "id": e["id"],
                "name": e["name"],
                "sets": e["sets"],
                "reps": e.get("reps"),
                "hold_seconds": e.get("hold_seconds"),
                "per_side": bool(e.get("per_side", False)),
            }
            for number, e in enumerate(entries, start=1)
        ],
        "logged": [log_out(log) for log in logs],
        "next_step": step,
        "next_exercise": following if step == "exercise" else None,
    }


def review_out(user: Any, outcome: care_services.ReviewOutcome) -> dict[str, Any]:
    summary = care_presenters.review_summary(outcome)
    return {
        "alerts": [alert_out(a) for a in outcome.alerts],
        "new_program_version": summary["new_version"],
        "changes": summary["changes"],
        "stops": summary["stops"],
        "warning_sign": warning_sign(records.blocking_screening(user)),
    }


def own_session(user: Any, session_id: int) -> ExerciseSession:
    session = records.session(user, session_id)
    if session is None:
        raise Problem("not-found", "You have no session with that id.")
    return session


# --- The person and their program ------------------------------------------------------------------


@router.get(
    "", response=answers(schemas.MeOut), auth=reading(), summary="You: program version, warning sign, alerts"
)
def me(request: HttpRequest) -> dict[str, Any]:
    who = caller(request)
    user = who.user
    program = records.current_program(user)
    return {
        "email": getattr(user, "email", "") or user.get_username(),
        "role": "patient",
        "program_version": program.number if program else None,
        "warning_sign": warning_sign(records.blocking_screening(user)),
        "unseen_alerts": [alert_out(a) for a in records.unseen_alerts(user)],
        "token": token_out(who.token),
    }


@router.get(
    "/program", response=answers(schemas.ProgramOut, 404), auth=reading(), summary="The program in force"
)
def program(request: HttpRequest) -> dict[str, Any]:
    current = records.current_program(caller(request).user)
    if current is None:
        raise Problem("not-found", NO_PROGRAM)
    return program_out(current)


# --- Sessions ------------------------------------------------------------------------------------------


@router.get(
    "/sessions", response=answers(schemas.SessionPage), auth=reading(), summary="Your sessions, newest first"
)
def list_sessions(
    request: HttpRequest,
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    sessions, count = records.session_page(caller(request).user, page=page, size=page_size)
    return {"items": [session_out(s) for s in sessions], "count": count, "page": page, "page_size": page_size}


@router.post(
    "/sessions",
    response=answers(schemas.SessionOut, 409),
    auth=writing(),
    summary="Start today's session, or get it back if it is already started",
)
def start_session(request: HttpRequest) -> dict[str, Any]:
    user = caller(request).user
    try:
        session = care_services.start_session(user)
    except onboarding_services.ScreenBlocks:
        raise warning_sign_problem(user) from None
    except care_services.NoProgram:
        raise Problem("no-program", NO_PROGRAM) from None
    return session_out(own_session(user, session.pk))


@router.get(
    "/sessions/{session_id}", response=answers(schemas.SessionOut, 404), auth=reading(), summary="One session"
)
def get_session(request: HttpRequest, session_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    return session_out(own_session(caller(request).user, session_id))


@router.put(
    "/sessions/{session_id}/pain-before",
    response=answers(schemas.SessionOut, 400, 404),
    auth=writing(),
    summary="Your pain before the session",
)
def pain_before(
    request: HttpRequest, body: schemas.PainBeforeIn, session_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    user = caller(request).user
    session = own_session(user, session_id)
    care_services.record_pain_before(user, session.pk, body.pain_before)
    return session_out(own_session(user, session.pk))


@router.put(
    "/sessions/{session_id}/exercises/{exercise_id}",
    response=answers(schemas.ExerciseLogResult, 400, 404),
    auth=writing(),
    summary="Log one exercise of the session (done, or skipped)",
)
def log_exercise(
    request: HttpRequest,
    body: schemas.ExerciseLogIn,
    session_id: int = Path(..., ge=1, le=MAX_ID),
    exercise_id: str = Path(..., max_length=60),
) -> dict[str, Any]:
    user = caller(request).user
    session = own_session(user, session_id)
    entry = next((e for e in session.program.exercises if e["id"] == exercise_id), None)
    if entry is None:
        raise Problem("not-found", "That exercise is not in this session.")
    log = care_services.log_player_entry(
        user,
        session.pk,
        exercise_id,
        skipped=not body.completed,
        sets=body.sets,
        reps=body.reps,
        hold_seconds=body.hold_seconds,
        pain_during=body.pain_during,
        difficulty=body.difficulty or "",
        leg_symptoms=body.leg_symptoms or "",
        skipped_reason=body.skipped_reason,
    )
    warning = None
    if body.pain_during is not None and care_presenters.pain_too_high(body.pain_during, session.pain_before):
        warning = care_presenters.too_much_pain_message(entry["name"], session.pain_before)
    return {"log": log_out(log), "pain_warning": warning}


@router.post(
    "/sessions/{session_id}/finish",
    response=answers(schemas.FinishOut, 400, 404),
    auth=writing(),
    summary="Finish the session with your pain after it; the review runs once",
)
def finish_session(
    request: HttpRequest, body: schemas.FinishIn, session_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    user = caller(request).user
    session = own_session(user, session_id)
    outcome = care_services.finish_session(user, session.pk, body.pain_after)
    return {
        "session": session_out(own_session(user, session.pk)),
        "repeated": outcome.repeated,
        "review": review_out(user, outcome),
    }


# --- Check-ins ---------------------------------------------------------------------------------------


@router.get(
    "/checkins/questions",
    response=answers(list[schemas.QuestionOut], 404),
    auth=reading(),
    summary="The warning-sign questions today's check-in asks",
)
def checkin_questions(request: HttpRequest) -> list[dict[str, str]]:
    current = records.current_program(caller(request).user)
    if current is None:
        raise Problem("not-found", NO_PROGRAM)
    return [{"key": q.key, "question": q.question} for q in care_presenters.checkin_questions(current)]


@router.post(
    "/checkins",
    response=answers(schemas.CheckInOut, 400, 409),
    auth=writing(),
    summary="Check in: your pain this morning and an answer to every warning-sign question",
)
def check_in(request: HttpRequest, body: schemas.CheckInIn) -> dict[str, Any]:
    user = caller(request).user
    current = records.current_program(user)
    if current is None:
        # A person stopped by the screen before they had a program is told why, as the pages do.
        if records.blocking_screening(user) is not None:
            raise warning_sign_problem(user)
        raise Problem("no-program", NO_PROGRAM)
    wanted = [q.key for q in care_presenters.checkin_questions(current)]
    given = body.warning_signs
    errors = [
        {"loc": ["body", "warning_signs", key], "msg": "Answer true or false.", "type": "missing"}
        for key in wanted
        if key not in given
    ] + [
        {
            "loc": ["body", "warning_signs", key],
            "msg": "Not a question of this check-in.",
            "type": "extra_forbidden",
        }
        for key in given
        if key not in wanted
    ]
    if errors:
        raise Problem(
            "invalid-request",
            "Answer every warning-sign question of GET /api/v1/me/checkins/questions, true or false, and no other.",
            errors=errors,
        )
    today = timezone.localdate()
    outcome = care_services.record_checkin(user, body.morning_pain, dict(given), today=today)
    stored = records.checkin_on(user, today)
    assert stored is not None
    return {
        "date": stored.date,
        "morning_pain": stored.morning_pain,
        "counts_as_morning_reading": records.is_next_morning_reading(stored.date, stored.created_at),
        "warning_signs": dict(stored.red_flags),
        "repeated": outcome.repeated,
        "review": review_out(user, outcome),
    }


# --- Progress ----------------------------------------------------------------------------------------


@router.get(
    "/progress",
    response=answers(schemas.ProgressOut, 404),
    auth=reading(),
    summary="Pain readings, scores with change verdicts, adherence, reassessment",
)
def get_progress(
    request: HttpRequest, weeks: int = Query(outcomes_presenters.CHART_WEEKS, ge=1, le=104)
) -> dict[str, Any]:
    user = caller(request).user
    today = timezone.localdate()
    span = outcomes_selectors.program_span(user)
    if span is None:
        raise Problem("not-found", NO_PROGRAM)
    since = today - dt.timedelta(weeks=weeks)
    sessions = outcomes_selectors.session_days(user, min(span.start, since), today)
    mornings = outcomes_selectors.morning_pain(user, since, today)
    outcomes = outcomes_selectors.outcome_rows(user)
    baseline = outcomes_selectors.baselines(outcomes).get("nprs")
    band = outcomes_presenters.nprs_band(baseline.score) if baseline is not None else None
    readings = outcomes_presenters.pain_readings([s for s in sessions if s.date >= since], mornings)
    adherence = outcomes_presenters.adherence_section(
        span, [s for s in sessions if s.date >= span.start], today
    )
    status = outcomes_selectors.reassessment_status(span, outcomes, today)
    rate = adherence["adherence"]
    return {
        "today": today,
        "pain": {
            "since": since,
            "readings": [{"date": r.day, "kind": r.kind, "value": r.value} for r in readings],
            "band": None
            if band is None
            else {"baseline": band.baseline, "low": band.low, "high": band.high, "label": band.label},
        },
        "scores": [
            {
                "id": group["id"],
                "name": group["name"],
                "scores": [
                    {
                        "date": row["outcome"].date,
                        "score": row["outcome"].score,
                        "text": row["score"],
                        "verdict": row["verdict"],
                    }
                    for row in group["rows"]
                ],
            }
            for group in outcomes_presenters.score_groups(outcomes)
        ],
        "adherence": {
            "sessions_per_week": adherence["per_week"],
            "planned_weekdays": adherence["planned_names"],
            "since": adherence["window_start"],
            "planned": rate.planned,
            "done": rate.done,
            "rate": rate.rate,
            "streak": adherence["streak"],
            "weeks": [
                {"monday": w["monday"], "done": w["done"], "planned": w["planned"]}
                for w in adherence["weeks"]
                if not w["before_start"]
            ],
        },
        "reassessment": {
            "due": None if status.due is None else {"week": status.due.week, "due_on": status.due.due_on},
            "upcoming": None
            if status.upcoming is None
            else {"week": status.upcoming.week, "due_on": status.upcoming.due_on},
        },
    }
