"""Nothing of a form check is left behind (issue 16): the daily housekeeping finishes a live set nobody
finished, and deletes a video whose analysis stopped mid-way, telling the person to upload it again."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from tests.formcheck_helpers import patient_with_camera_exercises, rows, synthetic

from lumbar.web.formcheck import uploads
from lumbar.web.records.models import FormCheck, KeypointBatch
from lumbar.web.security import tasks

pytestmark = pytest.mark.django_db


def test_a_live_set_left_recording_for_over_an_hour_is_checked_with_what_arrived_and_its_batches_go() -> None:
    _, client, session_id = patient_with_camera_exercises("left@example.org")
    check = client.post(
        f"/camera/session/{session_id}/exercise/1/start/",
        json.dumps({"client_key": "left-open-123", "width": 640, "height": 480}),
        content_type="application/json",
    ).json()
    recording = synthetic("squat", reps=2)
    for seq, first in enumerate(range(0, recording.frame_count, 8)):
        client.post(
            check["batch_url"],
            json.dumps({"seq": seq, "samples": rows(recording, first, first + 8)}),
            content_type="application/json",
        )
    counts = tasks.purge(timezone.now() + dt.timedelta(minutes=30))
    assert counts["abandoned_live_checks"] == 0  # still within the hour: the person may be resting
    counts = tasks.purge(timezone.now() + dt.timedelta(hours=2))
    assert counts["abandoned_live_checks"] == 1
    stored = FormCheck.objects.get()
    assert stored.status == "done"
    assert stored.result["rep_count"] == 2
    assert not KeypointBatch.objects.exists()


def test_a_video_whose_analysis_stopped_mid_way_is_deleted_and_the_person_told(
    settings: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "uploads"
    settings.LUMBAR_FORMCHECK_UPLOAD_DIR = str(folder)
    folder.mkdir()
    patient, _, session_id = patient_with_camera_exercises("stopped@example.org")
    video = folder / "waiting.video"
    video.write_bytes(b"a video")
    orphan = folder / "orphan.video"
    orphan.write_bytes(b"left by a cut-off request")
    day_ago = (timezone.now() - dt.timedelta(days=1)).timestamp()
    os.utime(orphan, (day_ago, day_ago))
    fresh = folder / "fresh.video"
    fresh.write_bytes(b"just arrived")
    check = FormCheck.objects.create(
        patient=patient,
        session_id=session_id,
        exercise_id="squat",
        mode="upload",
        status="analysing",
        client_key="upload-stopped-1",
        video_path=str(video),
    )
    FormCheck.objects.filter(pk=check.pk).update(created_at=timezone.now() - dt.timedelta(hours=7))

    counts = tasks.purge(timezone.now())

    assert counts["stale_uploads_failed"] == 1
    assert counts["stale_upload_files"] == 1  # the orphan; the stale check's own video went with it
    check.refresh_from_db()
    assert check.status == "failed"
    assert check.error == uploads.STOPPED
    assert check.video_path == ""
    assert not video.exists()
    assert not orphan.exists()
    assert fresh.exists()  # a video that may still be on its way to the worker stays
