"""The therapist's API, /api/v1/clinic/ (issues 17, 18): the caseload and a patient's record for a
clinic's records system, with a therapist's token or browser; the same rules as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.api_helpers import assert_problem, call, patient_with_tokens
from tests.clinic_helpers import clinic_with_admin, linked_patient, lone_patient

from lumbar.web.api import tokens
from lumbar.web.clinic.models import AuditEvent
from lumbar.web.records.models import Alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic() -> dict[str, Any]:
    anna = clinic_with_admin()
    cara = clinic_with_admin("Hilltop Clinic", "cara@hilltop.example")
    patient, _ = linked_patient(anna, "pat@example.org")
    Alert.objects.create(patient=patient, kind="flare", severity="urgent", message="A flare")
    return {
        "anna": anna,
        "cara": cara,
        "patient": patient,
        "anna_token": tokens.create_token(anna.user, "records system", "read", 30).token,
        "cara_token": tokens.create_token(cara.user, "records system", "read", 30).token,
    }


def test_the_caseload_lists_the_clinics_patients_most_pressing_first(clinic: dict[str, Any]) -> None:
    body = call("GET", "/api/v1/clinic/patients", token=clinic["anna_token"]).json()
    assert (body["count"], body["page"], body["page_size"]) == (1, 1, 25)
    row = body["items"][0]
    assert (row["email"], row["need"], row["open_alerts"]) == ("pat@example.org", "urgent", {"urgent": 1})
    assert row["therapist_email"] == "anna@riverside.example"
    assert call("GET", "/api/v1/clinic/patients?show=quiet", token=clinic["anna_token"]).json()["count"] == 0


def test_a_patients_record_is_read_with_its_program_and_alerts_and_the_read_is_audited(
    clinic: dict[str, Any],
) -> None:
    patient = clinic["patient"]
    body = call("GET", f"/api/v1/clinic/patients/{patient.pk}", token=clinic["anna_token"]).json()
    assert body["program"]["version"] == 1
    assert [(a["severity"], a["message"], a["resolved_at"]) for a in body["alerts"]] == [
        ("urgent", "A flare", None)
    ]
    event = AuditEvent.objects.get(action=AuditEvent.VIEWED_RECORD)
    assert (event.actor, event.detail) == (clinic["anna"].user, {"page": "API record"})
    bundle = call("GET", f"/api/v1/clinic/patients/{patient.pk}/fhir", token=clinic["anna_token"]).json()
    assert bundle["resourceType"] == "Bundle"
    assert AuditEvent.objects.filter(action=AuditEvent.DOWNLOADED).count() == 1


def test_another_clinic_and_an_unlinked_patient_are_a_404(clinic: dict[str, Any]) -> None:
    patient = clinic["patient"]
    for path in (f"/api/v1/clinic/patients/{patient.pk}", f"/api/v1/clinic/patients/{patient.pk}/fhir"):
        assert_problem(call("GET", path, token=clinic["cara_token"]), 404, "not-found")
    alone, _ = lone_patient("alone@example.org")
    assert_problem(
        call("GET", f"/api/v1/clinic/patients/{alone.pk}", token=clinic["anna_token"]), 404, "not-found"
    )
    assert call("GET", "/api/v1/clinic/patients", token=clinic["cara_token"]).json()["count"] == 0
    assert not AuditEvent.objects.filter(actor=clinic["cara"].user).exists()


def test_a_patients_token_is_refused_the_clinic_endpoints(clinic: dict[str, Any]) -> None:
    other = patient_with_tokens("sam@example.org")
    for path in ("/api/v1/clinic/patients", f"/api/v1/clinic/patients/{clinic['patient'].pk}"):
        problem = assert_problem(call("GET", path, token=other.read), 403, "therapists-only")
        assert problem["detail"] == "These endpoints are for physical therapists."


def test_a_therapists_signed_in_browser_reads_the_caseload(clinic: dict[str, Any]) -> None:
    response = call("GET", "/api/v1/clinic/patients", client=clinic["anna"].client)
    assert response.status_code == 200
    assert call("GET", "/api/v1/clinic/patients", client=Client()).status_code == 401


def test_a_therapist_makes_a_token_on_their_account_page(clinic: dict[str, Any]) -> None:
    from tests.care_helpers import PASSWORD

    staff = clinic["anna"]
    page = staff.client.get("/clinic/account/").content.decode()
    assert "/api/v1/clinic/" in page
    made = staff.client.post(
        "/settings/api-tokens/", {"name": "EHR", "scope": "read", "days": "30", "password": PASSWORD}
    )
    assert made.status_code == 200
    assert 'href="/clinic/account/#api-heading"' in made.content.decode()
