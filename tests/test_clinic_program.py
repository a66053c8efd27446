"""The therapist's program editor and how it meets the automatic review (issue 17).

The rule: once a therapist has changed a patient's program, the review never makes it harder on its
own. Its harder steps wait as suggestions the therapist accepts or declines; its easier steps (a
regression, a substitute for an exercise that spreads leg symptoms), which the pain-monitoring rules
call for at once, still apply, and the patient and therapist see them in the version history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from tests.care_helpers import DESK_WORKER_ANSWERS, onboard, patient_user
from tests.clinic_helpers import Staff, clinic_with_admin, invite_code
from tests.test_care_review import DAY1, SCIATICA_ANSWERS, do_session

from lumbar.web.clinic.models import AuditEvent
from lumbar.web.records import selectors as records
from lumbar.web.records.models import Alert, ProgramSuggestion, ProgramVersion

pytestmark = pytest.mark.django_db

OSTEOPOROSIS_ANSWERS = {
    **DESK_WORKER_ANSWERS,
    "health": {**DESK_WORKER_ANSWERS.get("health", {}), "conditions": ["osteoporosis"]},
}


def linked(staff: Staff, answers: dict[str, dict[str, Any]] = DESK_WORKER_ANSWERS) -> tuple[Any, Client]:
    client = Client()
    onboard(client, "pat@example.org", answers)
    assert client.post("/join/", {"code": invite_code(staff)}).status_code == 302
    return patient_user("pat@example.org"), client


def editor_post(staff: Staff, patient: Any, rows: list[dict[str, Any]], note: str, based_on: int) -> Any:
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "8",
        "note": note,
        "based_on": str(based_on),
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{index}-{key}"] = "" if value is None else str(value)
        data.setdefault(f"form-{index}-ORDER", str(index + 1))
    return staff.client.post(f"/clinic/patients/{patient.pk}/program/", data)


def rows_of(version: ProgramVersion) -> list[dict[str, Any]]:
    return [
        {
            "exercise": e["id"],
            "sets": e["sets"],
            "reps": e.get("reps"),
            "hold_seconds": e.get("hold_seconds"),
            "sessions_per_week": e["sessions_per_week"],
        }
        for e in version.exercises
    ]


def test_the_editor_opens_with_the_current_program_and_its_doses() -> None:
    staff = clinic_with_admin()
    patient, _ = linked(staff)
    current = records.current_program(patient)
    page = staff.client.get(f"/clinic/patients/{patient.pk}/program/")
    assert page.status_code == 200
    html = page.content.decode()
    for entry in current.exercises:
        assert f'value="{entry["id"]}" selected' in html
    assert f'name="based_on" value="{current.number}"' in html


def test_a_therapist_changes_a_dose_and_the_patient_reads_why() -> None:
    staff = clinic_with_admin()
    patient, client = linked(staff)
    current = records.current_program(patient)
    rows = rows_of(current)
    first = current.exercises[0]
    rows[0]["sets"] = first["sets"] + 1
    rows[0]["note"] = "Slowly on the way down."
    response = editor_post(staff, patient, rows, "You managed the first week well.", current.number)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = records.current_program(patient)
    assert (saved.number, saved.source, saved.changed_by) == (2, ProgramVersion.THERAPIST, staff.user)
    assert saved.exercises[0]["sets"] == first["sets"] + 1
    assert saved.changes[0].startswith(f"{first['name']}: {first['sets'] + 1} x ")
    assert saved.exercise_notes == {first["id"]: "Slowly on the way down."}
    page = client.get("/program/").content.decode()
    assert "Your therapist changed your program" in page
    assert "You managed the first week well." in page
    assert "Slowly on the way down." in page
    event = AuditEvent.objects.get(action=AuditEvent.CHANGED_PROGRAM)
    assert event.detail["version"] == 2


def test_adding_removing_and_reordering_is_said_in_plain_words() -> None:
    staff = clinic_with_admin()
    patient, _ = linked(staff)
    current = records.current_program(patient)
    rows = rows_of(current)
    removed = rows.pop()
    rows.reverse()
    added = "bird-dog" if all(r["exercise"] != "bird-dog" for r in [*rows, removed]) else "glute-bridge"
    rows.append({"exercise": added})
    response = editor_post(staff, patient, rows, "A new order and one new exercise.", current.number)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = records.current_program(patient)
    assert [e["id"] for e in saved.exercises] == [r["exercise"] for r in rows]
    new = saved.exercises[-1]
    assert new["reasons"] == ["Chosen for you by your therapist."]
    assert new["sessions_per_week"] == max(e["sessions_per_week"] for e in current.exercises)
    assert any(c.startswith(f"Added {new['name']}:") for c in saved.changes)
    assert any(c == f"Removed {removed_name(current, removed)}." for c in saved.changes)
    assert "The exercises are in a new order." in saved.changes


def removed_name(version: ProgramVersion, row: dict[str, Any]) -> str:
    return next(e["name"] for e in version.exercises if e["id"] == row["exercise"])


def test_an_exercise_against_the_patients_precautions_needs_a_reason_which_is_recorded() -> None:
    """A 60-year-old with osteoporosis: a curl-up is a loaded forward bend the planner never gives."""
    staff = clinic_with_admin()
    patient, _ = linked(staff, OSTEOPOROSIS_ANSWERS)
    current = records.current_program(patient)
    rows = [*rows_of(current)[:3], {"exercise": "curl-up"}]
    refused = editor_post(staff, patient, rows, "Adding trunk work.", current.number)
    assert refused.status_code == 200
    assert "avoid with osteoporosis" in refused.content.decode()
    assert records.current_program(patient).number == current.number
    rows[-1]["override"] = "Bone density reviewed by her consultant; cleared for flexion work."
    saved = editor_post(staff, patient, rows, "Adding trunk work.", current.number)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    version = records.current_program(patient)
    assert version.overrides == [
        {
            "exercise": "curl-up",
            "check": "avoid with osteoporosis",
            "reason": "Bone density reviewed by her consultant; cleared for flexion work.",
        }
    ]


def test_the_same_save_sent_twice_makes_one_version() -> None:
    staff = clinic_with_admin()
    patient, _ = linked(staff)
    current = records.current_program(patient)
    rows = rows_of(current)
    rows[0]["sets"] += 1
    assert editor_post(staff, patient, rows, "One more set.", current.number).status_code == 302
    assert editor_post(staff, patient, rows, "One more set.", current.number).status_code == 302
    assert ProgramVersion.objects.filter(patient=patient).count() == 2


def test_an_edit_of_a_version_that_has_since_changed_is_refused() -> None:
    staff = clinic_with_admin()
    patient, _ = linked(staff)
    current = records.current_program(patient)
    rows = rows_of(current)
    rows[0]["sets"] += 1
    assert editor_post(staff, patient, rows, "One more set.", current.number).status_code == 302
    rows[1]["sets"] += 1
    stale = editor_post(staff, patient, rows, "Another change from an old tab.", current.number)
    assert stale.status_code == 200
    assert "The program changed since you opened it" in stale.content.decode()
    assert ProgramVersion.objects.filter(patient=patient).count() == 2


def test_a_save_without_a_note_to_the_patient_is_refused() -> None:
    staff = clinic_with_admin()
    patient, _ = linked(staff)
    current = records.current_program(patient)
    rows = rows_of(current)
    rows[0]["sets"] += 1
    response = editor_post(staff, patient, rows, "", current.number)
    assert response.status_code == 200
    assert "Tell the patient why" in response.content.decode()
    assert ProgramVersion.objects.filter(patient=patient).count() == 1


def test_another_clinic_cannot_open_or_save_the_editor() -> None:
    staff = clinic_with_admin()
    other = clinic_with_admin("Hilltop Clinic", "cara@hilltop.example")
    patient, _ = linked(staff)
    current = records.current_program(patient)
    assert other.client.get(f"/clinic/patients/{patient.pk}/program/").status_code == 404
    rows = rows_of(current)
    rows[0]["sets"] += 1
    assert editor_post(other, patient, rows, "Not mine.", current.number).status_code == 404
    assert ProgramVersion.objects.filter(patient=patient).count() == 1


# --- The review and the therapist ---------------------------------------------------------------------


def therapist_edit(staff: Staff, patient: Any) -> ProgramVersion:
    current = records.current_program(patient)
    rows = rows_of(current)
    rows[0]["note"] = "Keep your breathing steady."
    assert editor_post(staff, patient, rows, "Notes for you.", current.number).status_code == 302
    return records.current_program(patient)


def test_without_a_therapists_change_the_review_progresses_the_program_as_before() -> None:
    staff = clinic_with_admin()
    patient, _ = linked(staff)
    do_session(patient, DAY1)
    outcome = do_session(patient, DAY1 + dt.timedelta(days=1))
    assert outcome.new_program is not None
    assert outcome.new_program.source == ProgramVersion.REVIEW
    assert not ProgramSuggestion.objects.exists()


def test_the_review_does_not_make_a_therapists_program_harder_but_asks_the_therapist() -> None:
    staff = clinic_with_admin()
    patient, _ = linked(staff)
    edited = therapist_edit(staff, patient)
    do_session(patient, DAY1)
    outcome = do_session(patient, DAY1 + dt.timedelta(days=1))
    assert outcome.new_program is None
    assert records.current_program(patient).number == edited.number
    suggestions = list(ProgramSuggestion.objects.filter(patient=patient, status=ProgramSuggestion.OPEN))
    assert suggestions
    assert all(" now (was " in s.change or " is replaced by " in s.change for s in suggestions)
    assert Alert.objects.filter(patient=patient, kind="progression_suggested").count() == len(suggestions)
    # A third easy session does not pile up duplicates: one open suggestion per exercise.
    do_session(patient, DAY1 + dt.timedelta(days=2))
    targets = list(
        ProgramSuggestion.objects.filter(patient=patient, status=ProgramSuggestion.OPEN).values_list(
            "target", flat=True
        )
    )
    assert len(targets) == len(set(targets))
    page = staff.client.get(f"/clinic/patients/{patient.pk}/").content.decode()
    assert "Harder steps the review suggests" in page
    assert suggestions[0].change in page


def test_accepting_a_suggestion_makes_the_therapists_version_with_the_review_step() -> None:
    staff = clinic_with_admin()
    patient, client = linked(staff)
    edited = therapist_edit(staff, patient)
    do_session(patient, DAY1)
    do_session(patient, DAY1 + dt.timedelta(days=1))
    suggestion = ProgramSuggestion.objects.filter(patient=patient).first()
    url = f"/clinic/patients/{patient.pk}/suggestions/{suggestion.pk}/"
    assert staff.client.post(url, {"action": "accept", "reason": "Ready for more."}).status_code == 302
    assert staff.client.post(url, {"action": "accept", "reason": "Ready for more."}).status_code == 302
    version = records.current_program(patient)
    assert (version.number, version.source, version.note) == (
        edited.number + 1,
        ProgramVersion.THERAPIST,
        "Ready for more.",
    )
    assert version.changes == [suggestion.change]
    assert version.exercise_notes == edited.exercise_notes
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (ProgramSuggestion.ACCEPTED, staff.user)
    assert "Ready for more." in client.get("/program/").content.decode()


def test_declining_a_suggestion_needs_a_reason_and_keeps_the_program() -> None:
    staff = clinic_with_admin()
    patient, _ = linked(staff)
    edited = therapist_edit(staff, patient)
    do_session(patient, DAY1)
    do_session(patient, DAY1 + dt.timedelta(days=1))
    suggestion = ProgramSuggestion.objects.filter(patient=patient).first()
    url = f"/clinic/patients/{patient.pk}/suggestions/{suggestion.pk}/"
    staff.client.post(url, {"action": "decline", "reason": ""})
    suggestion.refresh_from_db()
    assert suggestion.status == ProgramSuggestion.OPEN
    staff.client.post(
        url, {"action": "decline", "reason": "Flared last month at this level; hold two weeks."}
    )
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reason) == (
        ProgramSuggestion.DECLINED,
        "Flared last month at this level; hold two weeks.",
    )
    assert records.current_program(patient).number == edited.number
    assert AuditEvent.objects.filter(action=AuditEvent.DECLINED_SUGGESTION).count() == 1


def test_spreading_leg_symptoms_still_ease_a_therapists_program_at_once() -> None:
    staff = clinic_with_admin()
    patient, _ = linked(staff, SCIATICA_ANSWERS)
    edited = therapist_edit(staff, patient)
    outcome = do_session(patient, DAY1, leg="peripheralised")
    assert outcome.new_program is not None
    assert outcome.new_program.source == ProgramVersion.REVIEW
    assert any(" is replaced by " in c for c in outcome.new_program.changes)
    assert outcome.new_program.number == edited.number + 1


def test_after_the_patient_unlinks_the_review_runs_on_its_own_again() -> None:
    staff = clinic_with_admin()
    patient, client = linked(staff)
    therapist_edit(staff, patient)
    client.post("/settings/therapist/unlink/")
    do_session(patient, DAY1)
    outcome = do_session(patient, DAY1 + dt.timedelta(days=1))
    assert outcome.new_program is not None
    assert outcome.new_program.source == ProgramVersion.REVIEW
