"""The therapist workspace (issue 17): clinics, invitations, the caseload, the record, alerts, audit."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.care_helpers import PASSWORD, onboard, patient_user
from tests.care_history import check_in, do_session, started_days_ago, without_review
from tests.clinic_helpers import (
    clinic_with_admin,
    colleague,
    invite_code,
    linked_patient,
    lone_patient,
)

from lumbar.web.clinic import selectors as clinic_selectors
from lumbar.web.clinic import services as clinic_services
from lumbar.web.clinic.models import AuditEvent, Invite, Therapist
from lumbar.web.records.models import Alert, Profile
from lumbar.web.records.services import ServiceError

pytestmark = pytest.mark.django_db


def _alert(patient: Any, severity: str, message: str = "Check this") -> Alert:
    return Alert.objects.create(patient=patient, kind=f"test_{severity}", severity=severity, message=message)


# --- Clinics and therapists -------------------------------------------------------------------------


def test_creating_a_clinic_makes_its_first_therapist_an_admin_with_a_new_account() -> None:
    made = clinic_services.create_clinic("Riverside Physio", "Anna@Riverside.example", PASSWORD)
    assert made.created_account
    assert (made.therapist.clinic.name, made.therapist.is_admin) == ("Riverside Physio", True)
    assert made.therapist.user.email == "anna@riverside.example"
    assert made.therapist.user.profile.role == Profile.THERAPIST
    assert made.therapist.user.check_password(PASSWORD)


def test_a_patient_with_a_record_cannot_become_a_therapist() -> None:
    onboard(Client(), "pat@example.org")
    with pytest.raises(ServiceError, match="a patient's account"):
        clinic_services.create_clinic("Riverside Physio", "pat@example.org", None)
    assert patient_user("pat@example.org").profile.role == Profile.PATIENT
    assert not Therapist.objects.exists()


def test_a_new_therapist_account_needs_a_password_that_passes_the_password_policy() -> None:
    with pytest.raises(ServiceError, match="too short"):
        clinic_services.create_clinic("Riverside Physio", "anna@riverside.example", "short")
    assert not Therapist.objects.exists()


def test_a_therapist_belongs_to_one_clinic() -> None:
    clinic_with_admin()
    with pytest.raises(ServiceError, match="another clinic"):
        clinic_services.create_clinic("Hilltop", "anna@riverside.example", None)


# --- Invitations and the link -------------------------------------------------------------------------


def test_a_patient_who_enters_the_code_is_linked_to_that_therapist() -> None:
    staff = clinic_with_admin()
    patient, client = linked_patient(staff, "pat@example.org")
    assert Profile.objects.get(user=patient).therapist == staff.user
    page = client.get("/settings/therapist/").content.decode()
    assert "anna@riverside.example" in page
    assert "Riverside Physio" in page
    assert AuditEvent.objects.filter(patient=patient, action=AuditEvent.LINKED).count() == 1


def test_the_same_code_sent_twice_links_once() -> None:
    staff = clinic_with_admin()
    _, client = lone_patient("pat@example.org")
    code = invite_code(staff)
    assert client.post("/join/", {"code": code}).status_code == 302
    assert client.post("/join/", {"code": code}).status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.LINKED).count() == 1


def test_a_code_used_by_one_patient_is_refused_to_another() -> None:
    staff = clinic_with_admin()
    code = invite_code(staff)
    _, first = lone_patient("pat@example.org")
    other, second = lone_patient("sam@example.org")
    assert first.post("/join/", {"code": code}).status_code == 302
    refused = second.post("/join/", {"code": code})
    assert refused.status_code == 200
    assert "used already" in refused.content.decode()
    assert Profile.objects.get(user=other).therapist is None


def test_codes_are_read_ignoring_case_spaces_and_dashes() -> None:
    staff = clinic_with_admin()
    code = invite_code(staff)
    patient, client = lone_patient("pat@example.org")
    typed = f" {code[:5].lower()} - {code[5:].lower()} "
    assert client.post("/join/", {"code": typed}).status_code == 302
    assert Profile.objects.get(user=patient).therapist == staff.user


@pytest.mark.parametrize("how", ["expired", "revoked", "unknown"])
def test_an_expired_revoked_or_unknown_code_is_refused_and_links_nobody(how: str) -> None:
    staff = clinic_with_admin()
    code = invite_code(staff)
    if how == "expired":
        Invite.objects.filter(code=code).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif how == "revoked":
        invite = Invite.objects.get(code=code)
        assert staff.client.post(f"/clinic/invites/{invite.pk}/revoke/").status_code == 302
    else:
        code = "ABCDEFGHJK" if code != "ABCDEFGHJK" else "ABCDEFGHJM"
    patient, client = lone_patient("pat@example.org")
    response = client.post("/join/", {"code": code})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert Profile.objects.get(user=patient).therapist is None
    assert not AuditEvent.objects.exists()


def test_a_therapist_makes_an_invitation_and_sees_its_code_and_link() -> None:
    staff = clinic_with_admin()
    response = staff.client.post("/clinic/invites/", {"label": "J.S."})
    assert response.status_code == 302
    invite = Invite.objects.get()
    page = staff.client.get("/clinic/invites/").content.decode()
    assert f"{invite.code[:5]}-{invite.code[5:]}" in page
    assert f"/join/{invite.code}/" in page
    assert "for J.S." in page


def test_the_link_in_an_invitation_fills_in_the_code() -> None:
    staff = clinic_with_admin()
    code = invite_code(staff)
    _, client = lone_patient("pat@example.org")
    page = client.get(f"/join/{code}/").content.decode()
    assert f'value="{code}"' in page


def test_a_patient_who_ends_the_link_drops_out_of_the_clinic_and_keeps_their_record() -> None:
    staff = clinic_with_admin()
    patient, client = linked_patient(staff, "pat@example.org")
    assert staff.client.get(f"/clinic/patients/{patient.pk}/").status_code == 200
    assert client.post("/settings/therapist/unlink/").status_code == 302
    assert Profile.objects.get(user=patient).therapist is None
    assert staff.client.get(f"/clinic/patients/{patient.pk}/").status_code == 404
    assert client.get("/program/").status_code == 200
    assert AuditEvent.objects.filter(patient=patient, action=AuditEvent.UNLINKED).count() == 1
    assert "You are not linked" in client.get("/settings/therapist/").content.decode()


def test_a_patient_without_a_therapist_uses_lumbar_alone() -> None:
    _, client = lone_patient("pat@example.org")
    assert client.get("/today/").status_code == 200
    assert "You are not linked to a therapist" in client.get("/settings/therapist/").content.decode()


# --- The caseload -----------------------------------------------------------------------------------


def test_caseload_puts_emergency_then_urgent_then_review_then_quiet_patients_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without_review(monkeypatch)
    staff = clinic_with_admin()
    active, _ = linked_patient(staff, "active@example.org")
    quiet, _ = linked_patient(staff, "quiet@example.org")
    review, _ = linked_patient(staff, "review@example.org")
    urgent, _ = linked_patient(staff, "urgent@example.org")
    emergency, _ = linked_patient(staff, "emergency@example.org")
    for person in (active, quiet, review, urgent, emergency):
        started_days_ago(person, 20)
    today = timezone.localdate()
    do_session(active, today - dt.timedelta(days=1), before=3, after=2)
    _alert(review, "review")
    _alert(urgent, "urgent")
    _alert(urgent, "review")
    _alert(emergency, "emergency")
    _alert(active, "info")
    page, rows = clinic_selectors.caseload(staff.therapist)
    assert [r.patient.email for r in rows] == [
        "emergency@example.org",
        "urgent@example.org",
        "review@example.org",
        "quiet@example.org",
        "active@example.org",
    ]
    assert [r.need_label for r in rows] == [
        "Emergency alert",
        "Urgent alert",
        "Needs review",
        "No activity",
        "On track",
    ]
    assert rows[1].alerts == {"urgent": 1, "review": 1}
    only_alerts = clinic_selectors.caseload(staff.therapist, show="alerts")[1]
    assert [r.patient.email for r in only_alerts] == [
        "emergency@example.org",
        "urgent@example.org",
        "review@example.org",
    ]
    assert [r.patient.email for r in clinic_selectors.caseload(staff.therapist, show="quiet")[1]] == [
        "quiet@example.org"
    ]


def test_a_resolved_alert_no_longer_raises_the_patients_need(monkeypatch: pytest.MonkeyPatch) -> None:
    without_review(monkeypatch)
    staff = clinic_with_admin()
    patient, _ = linked_patient(staff, "pat@example.org")
    alert = _alert(patient, "urgent")
    clinic_services.resolve_alert(staff.therapist, patient.pk, alert.pk, "Phoned; seen by GP today.")
    row = clinic_selectors.caseload(staff.therapist)[1][0]
    assert row.alerts == {}
    assert row.need_label == "On track"


def test_caseload_shows_pain_against_its_starting_score_function_change_and_adherence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pain 4 at intake, 1 this morning: better by more than the minimal important change. Two
    exercise days in the last 14 of a program of a few days a week."""
    without_review(monkeypatch)
    staff = clinic_with_admin()
    patient, _ = linked_patient(staff, "pat@example.org")
    started_days_ago(patient, 30)
    today = timezone.localdate()
    do_session(patient, today - dt.timedelta(days=3), before=3, after=2)
    do_session(patient, today - dt.timedelta(days=1), before=2, after=1)
    check_in(patient, today, 1)
    row = clinic_selectors.caseload(staff.therapist)[1][0]
    assert (row.latest_pain, row.latest_pain_on) == (1, today)
    assert row.pain_change is not None
    assert (row.pain_change.baseline, row.pain_change.latest, row.pain_change.direction) == (4, 1, "improved")
    assert row.last_session == today - dt.timedelta(days=1)
    assert row.adherence is not None
    assert row.adherence.sessions_done == 2
    per_week = max(e["sessions_per_week"] for e in patient.programs.first().exercises)
    assert row.adherence.sessions_prescribed == -(-per_week * 14 // 7)
    page = staff.client.get("/clinic/").content.decode()
    assert "2 of" in page
    assert "Improved" in page


def test_caseload_reads_a_fixed_number_of_queries_however_many_patients_are_on_the_page(
    monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    without_review(monkeypatch)
    staff = clinic_with_admin()
    patients = [linked_patient(staff, f"p{i}@example.org")[0] for i in range(2)]
    for p in patients:
        _alert(p, "review")

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert staff.client.get("/clinic/").status_code == 200
        return len(queries)

    two = count()
    patients += [linked_patient(staff, f"q{i}@example.org")[0] for i in range(4)]
    for p in patients[2:]:
        _alert(p, "urgent")
        do_session(p, timezone.localdate(), before=3, after=2)
    assert count() == two


def test_caseload_pages_and_searches() -> None:
    staff = clinic_with_admin()
    for i in range(3):
        linked_patient(staff, f"p{i}@example.org")
    page, rows = clinic_selectors.caseload(staff.therapist, page_size=2)
    assert (page.paginator.count, page.paginator.num_pages, len(rows)) == (3, 2, 2)
    assert [r.patient.email for r in clinic_selectors.caseload(staff.therapist, search="p1@")[1]] == [
        "p1@example.org"
    ]


def test_only_my_patients_narrows_the_clinics_caseload_to_the_therapists_own() -> None:
    anna = clinic_with_admin()
    ben = colleague(anna, "ben@riverside.example")
    linked_patient(anna, "annas@example.org")
    linked_patient(ben, "bens@example.org")
    everyone = {r.patient.email for r in clinic_selectors.caseload(anna.therapist)[1]}
    assert everyone == {"annas@example.org", "bens@example.org"}
    mine = [r.patient.email for r in clinic_selectors.caseload(anna.therapist, mine=True)[1]]
    assert mine == ["annas@example.org"]


# --- The patient's record, alerts and the audit trail ---------------------------------------------------


def test_opening_a_record_is_audited_with_who_and_when() -> None:
    staff = clinic_with_admin()
    patient, _ = linked_patient(staff, "pat@example.org")
    page = staff.client.get(f"/clinic/patients/{patient.pk}/")
    assert page.status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.VIEWED_RECORD)
    assert (event.actor, event.actor_email, event.patient, event.clinic) == (
        staff.user,
        "anna@riverside.example",
        patient,
        staff.therapist.clinic,
    )


def test_the_record_shows_the_program_scores_and_open_alerts(monkeypatch: pytest.MonkeyPatch) -> None:
    without_review(monkeypatch)
    staff = clinic_with_admin()
    patient, _ = linked_patient(staff, "pat@example.org")
    _alert(patient, "urgent", "Leg symptoms spread during the session.")
    page = staff.client.get(f"/clinic/patients/{patient.pk}/").content.decode()
    assert "Leg symptoms spread during the session." in page
    assert "Version 1" in page
    assert "Made from your answers" in page
    assert "Numeric Pain Rating Scale" in page or "NPRS" in page


def test_acknowledging_then_resolving_an_alert_keeps_the_note_and_is_audited() -> None:
    staff = clinic_with_admin()
    patient, _ = linked_patient(staff, "pat@example.org")
    alert = _alert(patient, "urgent")
    url = f"/clinic/patients/{patient.pk}/alerts/{alert.pk}/"
    assert staff.client.post(url, {"action": "acknowledge", "note": "Calling today"}).status_code == 302
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.resolved_at, alert.therapist_note) == (
        staff.user,
        None,
        "Calling today",
    )
    assert (
        staff.client.post(url, {"action": "resolve", "note": "Seen by GP, no red flags"}).status_code == 302
    )
    assert (
        staff.client.post(url, {"action": "resolve", "note": "Seen by GP, no red flags"}).status_code == 302
    )
    alert.refresh_from_db()
    assert alert.resolved_by == staff.user
    assert alert.therapist_note == "Seen by GP, no red flags"
    actions = list(
        AuditEvent.objects.filter(patient=patient).order_by("at", "id").values_list("action", flat=True)
    )
    assert actions == [AuditEvent.LINKED, AuditEvent.ACKNOWLEDGED_ALERT, AuditEvent.RESOLVED_ALERT]


def test_the_clinic_admin_sees_the_audit_trail_and_other_therapists_do_not() -> None:
    anna = clinic_with_admin()
    ben = colleague(anna, "ben@riverside.example")
    patient, _ = linked_patient(ben, "pat@example.org")
    ben.client.get(f"/clinic/patients/{patient.pk}/")
    trail = anna.client.get("/clinic/audit/")
    assert trail.status_code == 200
    assert "ben@riverside.example" in trail.content.decode()
    assert "Viewed the record" in trail.content.decode()
    assert ben.client.get("/clinic/audit/").status_code == 404


def test_the_patients_export_includes_every_read_and_change_of_their_record() -> None:
    staff = clinic_with_admin()
    patient, client = linked_patient(staff, "pat@example.org")
    staff.client.get(f"/clinic/patients/{patient.pk}/")
    response = client.post("/settings/export.json", {"password": PASSWORD})
    data = json.loads(b"".join(response.streaming_content))
    assert [(e["action"], e["actor_email"], e["clinic_name"]) for e in data["audit_trail"]] == [
        ("linked", "anna@riverside.example", "Riverside Physio"),
        ("viewed_record", "anna@riverside.example", "Riverside Physio"),
    ]


# --- Who may see what: two clinics, two therapists each side, linked and unlinked patients ---------------


@pytest.fixture
def two_clinics() -> dict[str, Any]:
    anna = clinic_with_admin("Riverside Physio", "anna@riverside.example")
    ben = colleague(anna, "ben@riverside.example")
    cara = clinic_with_admin("Hilltop Clinic", "cara@hilltop.example")
    river_patient, river_client = linked_patient(ben, "river@example.org")
    hill_patient, _ = linked_patient(cara, "hill@example.org")
    alone, alone_client = lone_patient("alone@example.org")
    alert = _alert(river_patient, "urgent")
    return {
        "anna": anna,
        "ben": ben,
        "cara": cara,
        "river": river_patient,
        "river_client": river_client,
        "hill": hill_patient,
        "alone": alone,
        "alone_client": alone_client,
        "alert": alert,
    }


def _clinic_urls(patient: Any, alert: Alert) -> list[tuple[str, str]]:
    return [
        ("GET", "/clinic/"),
        ("GET", "/clinic/invites/"),
        ("POST", "/clinic/invites/"),
        ("GET", "/clinic/audit/"),
        ("GET", f"/clinic/patients/{patient.pk}/"),
        ("POST", f"/clinic/patients/{patient.pk}/alerts/{alert.pk}/"),
        ("GET", f"/clinic/patients/{patient.pk}/program/"),
        ("POST", f"/clinic/patients/{patient.pk}/program/"),
        ("POST", f"/clinic/patients/{patient.pk}/suggestions/1/"),
        ("GET", f"/clinic/monthly.csv?patient={patient.pk}"),
        ("GET", "/clinic/monthly.csv"),
    ]


def test_a_patient_never_sees_the_clinic_pages(two_clinics: dict[str, Any]) -> None:
    for client in (two_clinics["river_client"], two_clinics["alone_client"]):
        for method, url in _clinic_urls(two_clinics["river"], two_clinics["alert"]):
            response = client.generic(method, url)
            assert response.status_code == 404, (method, url, response.status_code)
    assert not Invite.objects.filter(therapist__user__email__in=["river@example.org"]).exists()


def test_signed_out_visitors_are_sent_to_sign_in(two_clinics: dict[str, Any]) -> None:
    for method, url in _clinic_urls(two_clinics["river"], two_clinics["alert"]):
        response = Client().generic(method, url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_a_therapist_of_another_clinic_cannot_reach_a_patient_by_their_id(
    two_clinics: dict[str, Any],
) -> None:
    cara, river, alert = two_clinics["cara"], two_clinics["river"], two_clinics["alert"]
    for method, url in _clinic_urls(river, alert):
        if str(river.pk) in url:
            assert cara.client.generic(method, url).status_code == 404, (method, url)
    assert cara.client.get(f"/clinic/patients/{river.pk}/").status_code == 404
    response = cara.client.post(f"/clinic/patients/{river.pk}/alerts/{alert.pk}/", {"action": "resolve"})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.resolved_at is None
    hill = two_clinics["hill"]
    assert (
        cara.client.post(f"/clinic/patients/{hill.pk}/alerts/{alert.pk}/", {"action": "resolve"}).status_code
        == 404
    )
    alert.refresh_from_db()
    assert alert.resolved_at is None
    assert {r.patient.email for r in clinic_selectors.caseload(cara.therapist)[1]} == {"hill@example.org"}
    assert not AuditEvent.objects.filter(actor=cara.user, patient=river).exists()


def test_every_therapist_of_the_clinic_sees_its_linked_patients_and_no_unlinked_one(
    two_clinics: dict[str, Any],
) -> None:
    anna, ben, river, alone = (
        two_clinics["anna"],
        two_clinics["ben"],
        two_clinics["river"],
        two_clinics["alone"],
    )
    assert anna.client.get(f"/clinic/patients/{river.pk}/").status_code == 200
    assert ben.client.get(f"/clinic/patients/{river.pk}/").status_code == 200
    for staff in (anna, ben, two_clinics["cara"]):
        assert staff.client.get(f"/clinic/patients/{alone.pk}/").status_code == 404
        assert staff.client.get("/clinic/patients/999999/").status_code == 404


def test_a_therapist_cannot_revoke_another_clinics_invitation(two_clinics: dict[str, Any]) -> None:
    code = invite_code(two_clinics["anna"])
    invite = Invite.objects.get(code=code)
    assert two_clinics["cara"].client.post(f"/clinic/invites/{invite.pk}/revoke/").status_code == 302
    invite.refresh_from_db()
    assert invite.revoked_at is None


def test_a_therapist_is_sent_to_the_caseload_from_the_patients_pages(two_clinics: dict[str, Any]) -> None:
    response = two_clinics["anna"].client.get("/today/")
    assert (response.status_code, response["Location"]) == (302, "/clinic/")
    assert two_clinics["anna"].client.get("/join/").status_code == 302


# --- The monthly summary ---------------------------------------------------------------------------------


def test_the_monthly_summary_counts_days_with_data_sessions_minutes_and_alerts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without_review(monkeypatch)
    staff = clinic_with_admin()
    patient, _ = linked_patient(staff, "pat@example.org")
    linked_patient(staff, "quiet@example.org")
    november = dt.date(2026, 11, 1)
    do_session(patient, dt.date(2026, 11, 3), before=3, after=2)
    do_session(patient, dt.date(2026, 11, 5), before=3, after=2)
    check_in(patient, dt.date(2026, 11, 6), 2)
    check_in(patient, dt.date(2026, 11, 5), 2)
    do_session(patient, dt.date(2026, 10, 30), before=3, after=2)  # another month
    response = staff.client.get("/clinic/monthly.csv?month=2026-11")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert (
        lines[0] == "patient,email,therapist,month,days_with_data,sessions,exercise_minutes,checkins,alerts"
    )
    rows = {line.split(",")[1]: line.split(",") for line in lines[1:]}
    pat = rows["pat@example.org"]
    assert pat[3:6] == ["2026-11", "3", "2"]
    assert int(pat[6]) > 0
    assert pat[7:] == ["2", "0"]
    assert rows["quiet@example.org"][3:] == ["2026-11", "0", "0", "0", "0", "0"]
    assert clinic_selectors.monthly_rows(staff.therapist, november, patient.pk).__next__()["sessions"] == 2
    downloads = AuditEvent.objects.filter(action=AuditEvent.DOWNLOADED)
    assert sorted(downloads.values_list("patient__email", flat=True)) == [
        "pat@example.org",
        "quiet@example.org",
    ]


def test_the_monthly_summary_refuses_a_bad_month_and_another_clinics_patient() -> None:
    staff = clinic_with_admin()
    other = clinic_with_admin("Hilltop Clinic", "cara@hilltop.example")
    patient, _ = linked_patient(staff, "pat@example.org")
    assert staff.client.get("/clinic/monthly.csv?month=2026-13").status_code == 400
    assert staff.client.get("/clinic/monthly.csv?month=nonsense").status_code == 400
    assert other.client.get(f"/clinic/monthly.csv?patient={patient.pk}").status_code == 404
    body = other.client.get("/clinic/monthly.csv").content.decode()
    assert "pat@example.org" not in body


# --- The patient's documents for their therapist (issue 18's clinic side) ---------------------------------


def test_the_therapist_downloads_the_patients_handout_report_and_fhir_record_and_each_is_audited() -> None:
    from tests import pdf_helpers as pdf

    staff = clinic_with_admin()
    patient, _ = linked_patient(staff, "pat@example.org")
    program = patient.programs.first().program
    handout = staff.client.get(f"/clinic/patients/{patient.pk}/handout.pdf")
    assert (handout.status_code, handout["Content-Type"]) == (200, "application/pdf")
    text = pdf.flat(pdf.text(handout.content))
    for entry in program["exercises"]:
        assert pdf.flat(entry["name"]) in text
    report = staff.client.get(f"/clinic/patients/{patient.pk}/report.pdf?weeks=4")
    assert (report.status_code, report["Content-Type"]) == (200, "application/pdf")
    bundle = json.loads(staff.client.get(f"/clinic/patients/{patient.pk}/fhir.json").content)
    assert bundle["resourceType"] == "Bundle"
    assert any(e["resource"]["resourceType"] == "Patient" for e in bundle["entry"])
    documents = AuditEvent.objects.filter(patient=patient, action=AuditEvent.DOWNLOADED)
    assert sorted(e.detail["document"] for e in documents) == [
        "FHIR export",
        "program handout",
        "progress report",
    ]


def test_another_clinic_gets_none_of_the_patients_documents() -> None:
    staff = clinic_with_admin()
    other = clinic_with_admin("Hilltop Clinic", "cara@hilltop.example")
    patient, client = linked_patient(staff, "pat@example.org")
    for document in ("handout.pdf", "report.pdf", "fhir.json"):
        assert other.client.get(f"/clinic/patients/{patient.pk}/{document}").status_code == 404
        assert client.get(f"/clinic/patients/{patient.pk}/{document}").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.DOWNLOADED).exists()


def test_the_records_pain_chart_comes_as_an_image_of_its_own_for_the_clinic_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without_review(monkeypatch)
    staff = clinic_with_admin()
    other = clinic_with_admin("Hilltop Clinic", "cara@hilltop.example")
    patient, _ = linked_patient(staff, "pat@example.org")
    do_session(patient, timezone.localdate(), before=4, after=3)
    page = staff.client.get(f"/clinic/patients/{patient.pk}/").content.decode()
    assert f'src="/clinic/patients/{patient.pk}/pain.svg"' in page
    chart = staff.client.get(f"/clinic/patients/{patient.pk}/pain.svg")
    assert (chart.status_code, chart["Content-Type"]) == (200, "image/svg+xml")
    assert chart.content.startswith(b"<svg") or b"<svg" in chart.content[:300]
    assert b'xmlns="http://www.w3.org/2000/svg"' in chart.content[:500]
    assert other.client.get(f"/clinic/patients/{patient.pk}/pain.svg").status_code == 404
