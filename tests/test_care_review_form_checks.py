"""The camera's form checks feed the review after a session (issue 16), through the real services:
the FormCheck rows of the review's window become the history's form findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.care_history import log_every_exercise
from tests.clinic_helpers import clinic_with_admin, linked_patient
from tests.test_care_review import DAY1
from tests.test_clinic_program import editor_post, rows_of

from lumbar.web.care import services as care_services
from lumbar.web.records import selectors as records
from lumbar.web.records.models import FormCheck, ProgramVersion

pytestmark = pytest.mark.django_db


def plank_hold(seconds: float, sagging: float, *, camera_saw: bool = True) -> dict[str, Any]:
    """A checked plank set as the motion pipeline stores it (FormResult.to_json() plus counts_reps)."""
    return {
        "exercise": "front-plank",
        "counts_reps": False,
        "rep_count": 0,
        "reps": [],
        "holds": [{"start_seconds": 1.5, "end_seconds": 1.5 + seconds, "seconds": seconds}],
        "faults": [
            {
                "id": "hips_sagging",
                "message": "Your hips are sagging towards the floor, which arches your lower back.",
                "seconds": sagging,
                "frames": [],
            }
        ],
        "visibility": {"ok": camera_saw, "tracked_fraction": 0.96 if camera_saw else 0.3, "message": None},
    }


def session_with_plank_checks(
    user: Any, day: dt.date, holds: list[dict[str, Any]]
) -> care_services.ReviewOutcome:
    """Every exercise done as prescribed, about right, pain 2; each plank set checked by the camera."""
    session = care_services.start_session(user, today=day)
    care_services.record_pain_before(user, session.pk, 3)
    log_every_exercise(user, session, pain_during=2, difficulty="right", leg="none")
    for number, result in enumerate(holds, start=1):
        FormCheck.objects.create(
            patient=user,
            session=session,
            exercise_id="front-plank",
            mode=FormCheck.LIVE,
            status=FormCheck.DONE,
            client_key=f"plank-{day.isoformat()}-{number}",
            result=result,
        )
    return care_services.finish_session(user, session.pk, 2, today=day)


def test_hips_sagging_in_most_of_two_sessions_of_planks_replaces_the_plank_in_a_new_version() -> None:
    # Her physiotherapist added the front plank, 3 x hold 30 s; the camera watched each plank.
    staff = clinic_with_admin()
    patient, _ = linked_patient(staff, "plank@example.org")
    current = records.current_program(patient)
    rows = [
        *rows_of(current),
        {"exercise": "front-plank", "sets": 3, "reps": 1, "hold_seconds": 30, "sessions_per_week": 3},
    ]
    response = editor_post(staff, patient, rows, "Adding the plank for trunk endurance.", current.number)
    assert response.status_code == 302, response.content.decode()[:3000]
    edited = records.current_program(patient)
    assert "front-plank" in [e["id"] for e in edited.exercises]

    sagging = [plank_hold(30, 24), plank_hold(30, 26), plank_hold(30, 21)]
    first = session_with_plank_checks(patient, DAY1, sagging)
    assert first.new_program is None
    # Two sets filmed from too far count for nothing: counted, they would bring the sagging under half.
    unseen = [plank_hold(30, 0, camera_saw=False), plank_hold(30, 0, camera_saw=False)]
    second = session_with_plank_checks(patient, DAY1 + dt.timedelta(days=1), [*sagging, *unseen])

    # Easing applies at once, even to a program the therapist manages.
    assert second.new_program is not None
    assert (second.new_program.number, second.new_program.source) == (
        edited.number + 1,
        ProgramVersion.REVIEW,
    )
    assert second.new_program.changes == [
        "Front plank is replaced by Modified plank (on knees) (5 x 20 s hold). In your last 2 camera checks of "
        "this exercise (2 and 3 March) your hips sagged for most of the hold, so we are making it easier: "
        "switch to the modified plank (on knees), 5 x hold 20 s."
    ]
    plank = next(e for e in second.new_program.exercises if e["id"] == "modified-plank")
    assert (plank["sets"], plank["reps"], plank["hold_seconds"]) == (5, 1, 20)
    assert "front-plank" not in [e["id"] for e in second.new_program.exercises]
