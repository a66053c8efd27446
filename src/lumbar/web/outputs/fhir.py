"""The FHIR R4B export of a patient's record (issue 18): the download on the settings page, and
`bundle_for(user)` for the clinic side.

The Bundle itself is made by lumbar.interop.fhir from plain data; this module reads the person's
rows (every query scoped to that person) into that plain data. The download asks for the password
again, as the JSON export does (`account.password_confirmed`): it is the same record.

For the therapist's patient record (not built yet): call `bundle_for(patient)` once the clinic side
has checked that the therapist may see this patient, and audit the read there.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lumbar.interop import fhir
from lumbar.web.accounts.decorators import patient_required
from lumbar.web.accounts.request import SignedInRequest
from lumbar.web.accounts.views import RETYPE_HINT, password_confirmed
from lumbar.web.records import selectors as records
from lumbar.web.records.models import (
    Alert,
    CheckIn,
    ExerciseLog,
    ExerciseSession,
    IntakeRecord,
    OutcomeScore,
    Profile,
    ProgramVersion,
    ScreeningEvent,
)

FHIR_CONTENT_TYPE = "application/fhir+json; charset=utf-8"


def account_key(user: AbstractBaseUser) -> str:
    """The person's key for resource ids: stable for the account on this site (it is keyed with the
    site's SECRET_KEY, which `lumbar backup` keeps), and says nothing about the account number."""
    return salted_hmac("lumbar.fhir-export", str(user.pk), algorithm="sha256").hexdigest()[:32]


def patient_record(user: AbstractBaseUser) -> fhir.PatientRecord:
    """Everything of the person's that the Bundle holds, oldest first, as plain data."""
    profile = Profile.objects.filter(user=user).first()
    intakes = [
        fhir.IntakeAnswers(key=str(row.pk), answered=row.created_at, answers=row.data)
        for row in IntakeRecord.objects.filter(patient=user).order_by("created_at", "id")
    ]
    # The onboarding screens. A screen at a check-in restates that check-in's answers (and is made
    # again by each review while they are recent): the check-ins below carry those answers once.
    screens = [
        fhir.Screen(
            key=str(row.pk),
            when=row.created_at,
            context=row.context,
            tier=row.tier,
            flags=list(row.flags or []),
            red_flags=dict(row.red_flags or {}),
        )
        for row in ScreeningEvent.objects.filter(patient=user, context=ScreeningEvent.ONBOARDING).order_by(
            "created_at", "id"
        )
    ]
    programs = [
        fhir.ProgramVersion(
            number=row.number,
            made=row.created_at,
            program=row.program,
            changes=list(row.changes or []),
            intake_key=str(row.intake_id) if row.intake_id is not None else None,
        )
        for row in ProgramVersion.objects.filter(patient=user).order_by("number")
    ]
    logs = Prefetch("logs", queryset=ExerciseLog.objects.order_by("position", "id"))
    sessions = [
        fhir.Session(
            key=str(row.pk),
            day=row.date,
            exercises=[_log(log) for log in row.logs.all()],
            pain_before=row.pain_before,
            pain_after=row.pain_after,
            program_number=row.program.number,
        )
        for row in ExerciseSession.objects.filter(patient=user, completed_at__isnull=False)
        .select_related("program")
        .prefetch_related(logs)
        .order_by("date", "id")
    ]
    checkins = [
        fhir.CheckIn(
            key=str(row.pk),
            day=row.date,
            pain=row.morning_pain,
            red_flags=dict(row.red_flags or {}),
            morning=records.is_next_morning_reading(row.date, row.created_at),
            answered=row.created_at,
        )
        for row in CheckIn.objects.filter(patient=user).order_by("date", "id")
    ]
    scores = [
        fhir.Score(
            key=str(row.pk), day=row.date, instrument=row.instrument, score=row.score, detail=row.detail or {}
        )
        for row in OutcomeScore.objects.filter(patient=user).order_by("date", "id")
    ]
    alerts = [
        fhir.Message(
            key=str(row.pk), when=row.created_at, kind=row.kind, severity=row.severity, message=row.message
        )
        for row in Alert.objects.filter(patient=user).order_by("created_at", "id")
    ]
    return fhir.PatientRecord(
        account_key=account_key(user),
        display_name=profile.display_name if profile else "",
        email=getattr(user, "email", "") or "",
        intakes=intakes,
        screens=screens,
        programs=programs,
        sessions=sessions,
        checkins=checkins,
        scores=scores,
        alerts=alerts,
        screen_cleared_at=profile.screen_cleared_at if profile else None,
    )


def bundle_for(user: AbstractBaseUser, *, include_email: bool = False) -> dict[str, Any]:
    """The person's record as a FHIR R4B Bundle (JSON-ready). The caller has decided that whoever
    asks may see this person's record: the person themselves (`export_fhir`) or, later, their
    therapist (the clinic's record page). The email goes in only when asked (see lumbar.interop.fhir)."""
    return fhir.build_bundle(patient_record(user), include_email=include_email)


def bundle_json_for(user: AbstractBaseUser) -> str:
    return fhir.bundle_json(bundle_for(user))


@login_required
@patient_required
@require_POST
@never_cache
def export_fhir(request: SignedInRequest) -> HttpResponse:
    """The signed-in person's own record as a FHIR Bundle, once they have entered their password again."""
    if not password_confirmed(request):
        messages.error(request, f"Nothing was downloaded. {RETYPE_HINT}", extra_tags="export-password")
        return redirect(reverse("settings") + "#data-heading")
    bundle = bundle_for(request.user)
    response = HttpResponse(fhir.bundle_json(bundle), content_type=FHIR_CONTENT_TYPE)
    today = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="lumbar-fhir-{today}.json"'
    return response


def _log(log: ExerciseLog) -> dict[str, Any]:
    row: dict[str, Any] = {"id": log.exercise_id, "completed": log.completed}
    for name in ("sets", "reps", "hold_seconds", "pain_during", "difficulty", "leg_symptoms"):
        value = getattr(log, name)
        if value not in (None, ""):
            row[name] = value
    return row
