"""The camera coach's live exchange (issue 16): keypoints in, the counter out, the verdict stored.

The browser's part (the pose model, the drawing, the speech) is tested in
test_browser_camera_coach.py; here the same requests are made with synthetic keypoints."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import numpy as np
import pytest
from django.test import Client
from tests.formcheck_helpers import patient_with_camera_exercises, rows, synthetic

from lumbar.web.formcheck import assets
from lumbar.web.records.models import ExerciseLog, FormCheck, KeypointBatch

pytestmark = pytest.mark.django_db

HALF_SECOND = 8  # frames of a 15 fps recording in one batch: the page sends about every half second


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def start(client: Client, session_id: int, number: int, key: str = "set-one-abcdef") -> dict[str, Any]:
    response = post(
        client,
        f"/camera/session/{session_id}/exercise/{number}/start/",
        {"client_key": key, "width": 640, "height": 480},
    )
    assert response.status_code == 201, response.content
    return response.json()


def send_all(client: Client, check: dict[str, Any], recording: Any) -> list[dict[str, Any]]:
    readings = []
    for seq, first in enumerate(range(0, recording.frame_count, HALF_SECOND)):
        response = post(
            client, check["batch_url"], {"seq": seq, "samples": rows(recording, first, first + HALF_SECOND)}
        )
        assert response.status_code == 200, response.content
        readings.append(response.json())
    return readings


def test_a_live_set_of_five_squats_counts_each_rep_as_it_ends_and_stores_the_verdict() -> None:
    patient, client, session_id = patient_with_camera_exercises("five@example.org")
    check = start(client, session_id, 1)
    recording = synthetic("squat", reps=5)

    readings = send_all(client, check, recording)

    counts = [r["reps"] for r in readings]
    assert counts[-1] == 5
    assert counts == sorted(counts)  # the counter never goes back
    assert sorted(set(counts)) == [0, 1, 2, 3, 4, 5]  # one at a time
    assert [r["cue"] for r in readings if r["cue_kind"] == "rep"] == ["1.", "2.", "3.", "4.", "5."]

    finished = post(client, check["finish_url"], {}).json()
    assert finished["status"] == "done"
    assert finished["reps"] == 5
    assert finished["headline"] == "5 reps, form looked good"
    stored = FormCheck.objects.get(pk=check["id"])
    assert stored.patient == patient
    assert stored.exercise_id == "squat"
    assert stored.result["rep_count"] == 5
    assert stored.result["visibility"]["ok"] is True
    assert not KeypointBatch.objects.filter(form_check=stored).exists()  # merged, then gone
    keypoints = np.frombuffer(zlib.decompress(bytes(stored.keypoints)), dtype=np.float16)
    assert keypoints.size == stored.frame_count * 33 * 4


def test_a_plank_hold_is_timed_live_across_updates() -> None:
    _, client, session_id = patient_with_camera_exercises("plank@example.org")
    check = start(client, session_id, 2)
    recording = synthetic("front-plank", reps=1, hold_seconds=25.0)

    readings = send_all(client, check, recording)

    timed = [r["hold_seconds"] for r in readings if r["hold_seconds"] is not None]
    assert timed == sorted(timed)  # one hold, timed on from where it began, window after window
    finished = post(client, check["finish_url"], {}).json()
    assert finished["reps"] is None
    whole = FormCheck.objects.get(pk=check["id"]).result["holds"]
    assert len(whole) == 1
    assert whole[0]["seconds"] >= 25.0  # the 25 s hold, and the settling into and out of it
    assert abs(max(timed) - whole[0]["seconds"]) <= 1.0  # the live timer agrees with the whole recording
    assert finished["hold_seconds"] == round(whole[0]["seconds"])


def test_a_batch_sent_twice_is_stored_once_and_no_rep_is_counted_twice() -> None:
    _, client, session_id = patient_with_camera_exercises("twice@example.org")
    check = start(client, session_id, 1)
    recording = synthetic("squat", reps=3)
    last = None
    for seq, first in enumerate(range(0, recording.frame_count, HALF_SECOND)):
        body = {"seq": seq, "samples": rows(recording, first, first + HALF_SECOND)}
        post(client, check["batch_url"], body)
        last = post(client, check["batch_url"], body).json()  # the retry of a slow answer
        assert last["stored"] is False
    assert last is not None
    assert last["reps"] == 3
    assert KeypointBatch.objects.filter(form_check_id=check["id"]).count() == seq + 1
    assert post(client, check["finish_url"], {}).json()["reps"] == 3


def test_starting_twice_with_the_same_key_is_one_check_and_finishing_twice_one_answer() -> None:
    _, client, session_id = patient_with_camera_exercises("double@example.org")
    first = start(client, session_id, 1, key="same-key-123")
    second = start(client, session_id, 1, key="same-key-123")
    assert first["id"] == second["id"]
    send_all(client, first, synthetic("squat", reps=2))
    one = post(client, first["finish_url"], {}).json()
    two = post(client, first["finish_url"], {}).json()
    assert one == two
    assert FormCheck.objects.count() == 1
    late = post(client, first["batch_url"], {"seq": 999, "samples": [[100000.0]]})
    assert late.status_code == 409
    assert late.json() == {"error": "This set has ended."}


def test_another_patients_check_is_not_found_and_left_alone() -> None:
    _, owner, session_id = patient_with_camera_exercises("owner@example.org")
    _, other, other_session = patient_with_camera_exercises("other@example.org")
    check = start(owner, session_id, 1)
    recording = synthetic("squat", reps=1)

    response = post(other, check["batch_url"], {"seq": 0, "samples": rows(recording, 0, 8)})
    assert response.status_code == 404
    assert response.json() == {"error": "No such form check."}
    assert post(other, check["finish_url"], {}).status_code == 404
    assert other.get(check["result_url"]).status_code == 404
    assert other.post(f"/camera/checks/{check['id']}/delete/").status_code == 404
    assert (
        post(
            other, f"/camera/session/{session_id}/exercise/1/start/", {"client_key": "forged-123"}
        ).status_code
        == 404
    )
    assert not KeypointBatch.objects.exists()
    assert FormCheck.objects.get(pk=check["id"]).status == "recording"
    assert other_session != session_id


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "the request is not valid JSON"),
        ([1, 2], "the request must be a JSON object"),
        ({"seq": -1, "samples": [[0.0]]}, "seq must be a whole number from 0 to 1999"),
        ({"seq": 0, "samples": []}, "batch: 'samples' must be a non-empty list"),
        ({"seq": 0, "samples": [[0.0, 1.0]]}, "batch: sample 0 must be [time] or [time, 132 numbers]"),
        (
            {"seq": 0, "samples": [[0.0, *(["x"] * 132)]]},
            "batch: sample 0 holds something that is not a number",
        ),
        ({"seq": 0, "samples": [[0.0, *([1e9] * 132)]]}, "batch: sample 0 has a value out of range"),
        ({"seq": 0, "samples": [[500.0], [100.0]]}, "batch: sample times must rise, from 0 to 15 minutes"),
        ({"seq": 0, "samples": [[0.0]] * 121}, "a batch holds at most 120 samples"),
    ],
)
def test_a_malformed_batch_gets_one_clear_error_and_changes_nothing(body: Any, message: str) -> None:
    _, client, session_id = patient_with_camera_exercises("bad@example.org")
    check = start(client, session_id, 1)
    raw = body if isinstance(body, str) else json.dumps(body)
    response = client.post(check["batch_url"], raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert not KeypointBatch.objects.exists()
    assert FormCheck.objects.get(pk=check["id"]).live_state.get("live") is None


def test_a_set_the_camera_never_saw_is_stored_as_not_seen_rather_than_guessed() -> None:
    _, client, session_id = patient_with_camera_exercises("dark@example.org")
    check = start(client, session_id, 1)
    nobody = [[t * 66.0] for t in range(60)]
    reading = post(client, check["batch_url"], {"seq": 0, "samples": nobody}).json()
    assert reading["seen"] is False
    assert reading["cue_kind"] == "see"
    assert reading["cue"] == "I can't see all of you. Put the camera side-on at hip height."
    finished = post(client, check["finish_url"], {}).json()
    assert finished["seen"] is False
    assert finished["headline"] == "The camera could not see well enough"


def test_the_player_offers_the_camera_for_checkable_exercises_with_a_placement_guide() -> None:
    _, client, session_id = patient_with_camera_exercises("guide@example.org")
    page = client.get(f"/session/{session_id}/exercise/1/").content.decode()
    assert "Check my form with the camera" in page
    assert "1. Place your camera: side-on" in page
    assert "At hip height" in page
    assert "2 to 3 metres away" in page
    assert "sends only those points, never a picture" in page
    assert "lumbar/camera.js" in page
    assert "'wasm-unsafe-eval'" in client.get(f"/session/{session_id}/exercise/1/")["Content-Security-Policy"]


def test_without_the_pose_files_the_player_says_the_live_camera_is_not_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, client, session_id = patient_with_camera_exercises("nonpm@example.org")
    monkeypatch.setattr(assets, "live_camera_available", lambda: False)
    monkeypatch.setattr("lumbar.web.formcheck.presenters.live_camera_available", lambda: False)
    page = client.get(f"/session/{session_id}/exercise/1/").content.decode()
    assert "The live camera check is not installed on this server" in page
    assert "Upload a video instead" in page
    assert "lumbar/camera.js" not in page


def test_the_counted_reps_go_into_the_log_when_the_person_keeps_them() -> None:
    _, client, session_id = patient_with_camera_exercises("log@example.org")
    check = start(client, session_id, 1)
    send_all(client, check, synthetic("squat", reps=4))
    post(client, check["finish_url"], {})
    client.post(
        f"/session/{session_id}/exercise/1/",
        {"sets": "1", "reps": "4", "pain_during": "2", "difficulty": "right", "done": "1"},
    )
    log = ExerciseLog.objects.get(session_id=session_id, exercise_id="squat")
    assert log.reps == 4
    page = client.get(f"/session/{session_id}/exercise/1/").content.decode()
    assert "4 reps, form looked good" in page


def test_the_person_deletes_a_check_and_its_keypoints() -> None:
    _, client, session_id = patient_with_camera_exercises("delete@example.org")
    check = start(client, session_id, 1)
    send_all(client, check, synthetic("squat", reps=1))
    post(client, check["finish_url"], {})
    response = client.post(f"/camera/checks/{check['id']}/delete/")
    assert response.status_code == 302
    assert response["Location"] == f"/session/{session_id}/exercise/1/"
    assert not FormCheck.objects.exists()


def test_the_session_summary_progress_and_the_therapists_caseload_show_the_check() -> None:
    patient, client, session_id = patient_with_camera_exercises("shown@example.org")
    check = start(client, session_id, 1)
    send_all(client, check, synthetic("squat", reps=3))
    post(client, check["finish_url"], {})
    client.post(f"/session/{session_id}/pain-before/", {"pain": "3"})
    for number in (1, 2):
        client.post(
            f"/session/{session_id}/exercise/{number}/",
            {"sets": "1", "pain_during": "2", "difficulty": "right", "done": "1"},
        )
    client.post(f"/session/{session_id}/finish/", {"pain": "2"})
    done = client.get(f"/session/{session_id}/done/").content.decode()
    assert "Your form checks today" in done
    assert "3 reps, form looked good" in done
    assert "3 reps, form looked good" in client.get("/progress/").content.decode()

    from lumbar.web.clinic.models import Therapist

    therapist = Therapist.objects.get(user__email="pt-shown@example.org")
    staff = Client()
    staff.force_login(therapist.user)
    caseload = staff.get("/clinic/").content.decode()
    assert "Squat: 3 reps, form looked good" in caseload
    record = staff.get(f"/clinic/patients/{patient.pk}/").content.decode()
    assert "3 reps, form looked good" in record


def test_the_persons_data_export_holds_their_checks_with_the_keypoints_kept() -> None:
    _, client, session_id = patient_with_camera_exercises("export@example.org")
    check = start(client, session_id, 1)
    send_all(client, check, synthetic("squat", reps=2))
    post(client, check["finish_url"], {})
    response = client.post("/settings/export.json", {"password": "correct-horse-battery-staple"})
    data = json.loads(b"".join(response.streaming_content))
    [exported] = data["form_checks"]
    assert exported["exercise_id"] == "squat"
    assert exported["result"]["rep_count"] == 2
    stored = FormCheck.objects.get()
    assert exported["keypoints_float16_zlib_base64"] == base64.b64encode(bytes(stored.keypoints)).decode()
