"""A patient whose program has exercises the camera can check (squat, front plank), put there by
their therapist through the program editor, with today's session started: for the form-check tests."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
from django.test import Client
from tests.clinic_helpers import clinic_with_admin, linked_patient

from lumbar.domain.catalog import default_catalog
from lumbar.domain.program_edit import EditedExercise
from lumbar.motion.landmarks import Recording, read_landmarks_json
from lumbar.motion.synthetic import Recording as SyntheticOptions
from lumbar.motion.synthetic import synthetic_recording
from lumbar.web.clinic.services import ProgramEdit, save_program
from lumbar.web.records import selectors as records

CAMERA_EXERCISES = (
    EditedExercise("squat", sets=1, reps=5, hold_seconds=None, sessions_per_week=3),
    EditedExercise("front-plank", sets=1, reps=None, hold_seconds=20, sessions_per_week=3),
)


def patient_with_camera_exercises(email: str) -> tuple[Any, Client, int]:
    """(patient, their signed-in client, today's session id); squat is exercise 1, the plank 2."""
    staff = clinic_with_admin(email=f"pt-{email}")
    patient, client = linked_patient(staff, email)
    current = records.current_program(patient)
    assert current is not None
    edit = ProgramEdit(
        exercises=list(CAMERA_EXERCISES),
        note="Practice with the camera.",
        exercise_notes={},
        overrides={e.id: "Checked in clinic: fine for this patient." for e in CAMERA_EXERCISES},
        based_on=current.number,
    )
    save_program(staff.therapist, patient.pk, edit)
    response = client.post("/session/")
    assert response.status_code == 302, response
    session_id = int(response["Location"].split("/")[2])
    return patient, client, session_id


def synthetic(exercise_id: str, reps: int, fps: float = 15.0, **options: Any) -> Recording:
    exercise = default_catalog().exercise(exercise_id)
    assert exercise.motion is not None
    doc = synthetic_recording(exercise.motion.illustration, SyntheticOptions(reps=reps, fps=fps, **options))
    return read_landmarks_json(io.StringIO(json.dumps(doc)))


def rows(recording: Recording, start: int, end: int) -> list[list[float]]:
    """Frames [start, end) as the browser sends them: [t_ms, 33 x (x, y, z, visibility)]."""
    out = []
    for i in range(start, min(end, recording.frame_count)):
        frame = recording.frames[i]
        t = round(i * 1000.0 / recording.fps, 1)
        if np.isnan(frame).all():
            out.append([t])
        else:
            out.append([t, *np.round(frame.astype(np.float64), 4).reshape(-1).tolist()])
    return out
