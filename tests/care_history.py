"""Build a patient's history through the real services, on days in the past.

The pages themselves are driven with the test client (tests/care_helpers.py); these helpers add the
weeks of sessions and check-ins a progress page needs without clicking through each one.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from lumbar.web.care import services as care_services
from lumbar.web.records.models import ExerciseSession, IntakeRecord, OutcomeScore, ProgramVersion


def patient(email: str = "pat@example.org") -> AbstractBaseUser:
    return get_user_model().objects.get(username=email)


def started_days_ago(user: AbstractBaseUser, days: int) -> dt.date:
    """Move the person's start (first program, intake and its baseline scores) `days` days back, as
    if they had signed up then. Returns the new start day."""
    shift = dt.timedelta(days=days)
    for version in ProgramVersion.objects.filter(patient=user):
        ProgramVersion.objects.filter(pk=version.pk).update(created_at=version.created_at - shift)
    for intake in IntakeRecord.objects.filter(patient=user):
        IntakeRecord.objects.filter(pk=intake.pk).update(created_at=intake.created_at - shift)
    for outcome in OutcomeScore.objects.filter(patient=user):
        OutcomeScore.objects.filter(pk=outcome.pk).update(date=outcome.date - shift)
    return timezone.localdate() - shift


def log_every_exercise(
    user: AbstractBaseUser, session: ExerciseSession, *, pain_during: int, difficulty: str, leg: str
) -> None:
    """Every exercise of the session logged as done as prescribed, with these answers."""
    for entry in session.program.exercises:
        care_services.log_exercise(
            user,
            session.pk,
            entry["id"],
            completed=True,
            sets=entry["sets"],
            reps=entry.get("reps"),
            hold_seconds=entry.get("hold_seconds"),
            pain_during=pain_during,
            difficulty=difficulty,
            leg_symptoms=leg,
        )


def do_session(user: AbstractBaseUser, day: dt.date, *, before: int, after: int) -> ExerciseSession:
    """A whole session on `day`: pain before, every exercise done as prescribed, pain after."""
    session = care_services.start_session(user, today=day)
    care_services.record_pain_before(user, session.pk, before)
    log_every_exercise(user, session, pain_during=min(before, 3), difficulty="right", leg="none")
    care_services.finish_session(user, session.pk, after, today=day)
    session.refresh_from_db()
    return session


def check_in(user: AbstractBaseUser, day: dt.date, pain: int) -> None:
    care_services.record_checkin(user, pain, {}, today=day)


def without_review(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave out the progression review after sessions and check-ins.

    The review (tested on its own) may make new program versions and alerts; the pages tested with
    these helpers read the record of sessions and scores, whatever the review made of it.
    """
    monkeypatch.setattr(
        care_services,
        "run_review",
        lambda user, *, today: care_services.ReviewOutcome(alerts=[], new_program=None, triage=None),
    )
