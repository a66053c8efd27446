"""The therapist's endpoints, /api/v1/clinic/...: the caseload and a patient's record, through the
clinic app's selectors and services. A patient of another clinic, or of none, answers 404, the same
as an id that does not exist; every read of a record is in the audit trail, as on the pages."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Path, Query, Router

from lumbar.web.api import schemas
from lumbar.web.api.auth import caller, reading
from lumbar.web.api.patient import MAX_ID, alert_out, answers, program_out
from lumbar.web.api.problems import Problem
from lumbar.web.clinic import selectors as clinic_selectors
from lumbar.web.clinic import services as clinic_services
from lumbar.web.clinic.models import Therapist
from lumbar.web.outputs import fhir as fhir_export
from lumbar.web.records import selectors as records
from lumbar.web.records.models import Alert, Profile

router = Router(tags=["clinic"])

NEEDS = {
    clinic_selectors.NEED_EMERGENCY: "emergency",
    clinic_selectors.NEED_URGENT: "urgent",
    clinic_selectors.NEED_REVIEW: "review",
    clinic_selectors.NEED_QUIET: "no_activity",
    clinic_selectors.NEED_NONE: "on_track",
}
THERAPIST = reading(Profile.THERAPIST)


def _therapist(request: HttpRequest) -> Therapist:
    therapist = clinic_selectors.therapist_for(caller(request).user)
    if therapist is None:
        raise Problem("therapists-only", "This account is not a therapist of a clinic.")
    return therapist


def _patient(therapist: Therapist, patient_id: int) -> Any:
    patient = clinic_selectors.linked_patient(therapist, patient_id)
    if patient is None:
        raise Problem("not-found", "No patient of your clinic has that id.")
    return patient


def _change(change: clinic_selectors.Change | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "instrument": change.instrument,
        "baseline": change.baseline,
        "latest": change.latest,
        "direction": change.direction,
    }


@router.get(
    "/patients",
    response=answers(schemas.CaseloadPage),
    auth=THERAPIST,
    summary="The caseload, most pressing first",
)
def caseload(
    request: HttpRequest,
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(25, ge=1, le=100),
    show: Literal["all", "alerts", "quiet"] = Query("all"),
    mine: bool = Query(False),
    q: str = Query("", max_length=80),
) -> dict[str, Any]:
    therapist = _therapist(request)
    paged, rows = clinic_selectors.caseload(
        therapist, page=page, page_size=page_size, show=show, mine=mine, search=q
    )
    items = [
        {
            "patient_id": r.patient.pk,
            "name": r.name,
            "email": r.patient.email,
            "therapist_email": r.therapist_email,
            "need": NEEDS[r.need],
            "open_alerts": r.alerts,
            "latest_pain": r.latest_pain,
            "latest_pain_on": r.latest_pain_on,
            "pain_change": _change(r.pain_change),
            "function_change": _change(r.function_change),
            "adherence": None
            if r.adherence is None
            else {
                "window_days": r.adherence.window_days,
                "sessions_done": r.adherence.sessions_done,
                "sessions_prescribed": r.adherence.sessions_prescribed,
            },
            "last_session": r.last_session,
        }
        for r in rows
    ]
    return {"items": items, "count": paged.paginator.count, "page": page, "page_size": page_size}


@router.get(
    "/patients/{patient_id}",
    response=answers(schemas.PatientRecordOut, 404),
    auth=THERAPIST,
    summary="A patient's record: the program in force and the alerts",
)
def patient_record(request: HttpRequest, patient_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    therapist = _therapist(request)
    patient = _patient(therapist, patient_id)
    clinic_services.record_viewed(therapist, patient, "API record")
    current = records.current_program(patient)
    alerts = Alert.objects.filter(patient=patient)[:50]
    return {
        "patient_id": patient.pk,
        "name": patient.profile.display_name or patient.email,
        "email": patient.email,
        "therapist_email": patient.profile.therapist.email if patient.profile.therapist else "",
        "program": None if current is None else program_out(current),
        "alerts": [
            {
                **alert_out(a),
                "id": a.pk,
                "acknowledged_at": a.acknowledged_at,
                "resolved_at": a.resolved_at,
                "therapist_note": a.therapist_note,
            }
            for a in alerts
        ],
    }


@router.get(
    "/patients/{patient_id}/fhir",
    response=answers(dict[str, Any], 404),
    auth=THERAPIST,
    summary="A patient's record as a FHIR R4B Bundle",
)
def patient_fhir(request: HttpRequest, patient_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    therapist = _therapist(request)
    patient = _patient(therapist, patient_id)
    clinic_services.record_downloads(therapist, [patient.pk], "FHIR export (API)")
    return fhir_export.bundle_for(patient)
