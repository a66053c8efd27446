"""Upload instead of live (issue 16): a phone's video of one set, read by the background task with the
server's MediaPipe, deleted as soon as it is read, the verdict on the same result page. Bad or hostile
files get one sentence and leave nothing behind.

Tasks run inline here (settings/test.py: ImmediateBackend), so the check is finished when the upload's
redirect comes back. Each test has its own upload folder (LUMBAR_FORMCHECK_UPLOAD_DIR), so "nothing
left behind" is exact under pytest-xdist too. The videos are drawn by tests/motion_clips.py, a figure
MediaPipe finds.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from tests.care_helpers import checkin_answers
from tests.formcheck_helpers import patient_with_camera_exercises
from tests.motion_clips import blank, draw_person, empty_room_clip, squat_clip

from lumbar.web.formcheck import uploads
from lumbar.web.records.models import FormCheck

pytestmark = pytest.mark.django_db

SQUAT = 1  # the squat is exercise 1 of the helper's program


@pytest.fixture
def upload_dir(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "uploads"
    settings.LUMBAR_FORMCHECK_UPLOAD_DIR = str(folder)
    return folder


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="module")
def three_squats(clips: Path) -> Path:
    return squat_clip(clips / "three-squats.mp4", squats=3)


def url(session_id: int, number: int = SQUAT) -> str:
    return f"/camera/session/{session_id}/exercise/{number}/upload/"


def send(
    client: Client, session_id: int, name: str, data: bytes, *, number: int = SQUAT, key: str = ""
) -> Any:
    video = SimpleUploadedFile(name, data, content_type="video/mp4")
    return client.post(url(session_id, number), {"video": video, "key": key})


def left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def the_check(response: Any) -> FormCheck:
    assert response.status_code == 302, response.content.decode()[:3000]
    found = re.fullmatch(r"/camera/checks/(\d+)/", response["Location"])
    assert found, response["Location"]
    return FormCheck.objects.get(pk=int(found.group(1)))


def assert_refused(client: Client, response: Any, sentence: str, folder: Path) -> None:
    """The check failed with exactly this sentence, shown on the result page; no video anywhere."""
    check = the_check(response)
    assert (check.mode, check.status, check.error) == (FormCheck.UPLOAD, FormCheck.FAILED, sentence)
    assert check.video_path == ""
    assert check.keypoints is None
    assert check.finished_at is not None
    assert left_in(folder) == []
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert escape(sentence) in page.content.decode()


def written(
    path: Path, size: tuple[int, int], frames: int, *, fourcc: str = "MJPG", fps: float = 30.0
) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, size)
    assert writer.isOpened()
    for i in range(frames):
        image = np.full((size[1], size[0], 3), 128 + i % 2, dtype=np.uint8)
        writer.write(image)
    writer.release()
    return path


# --- A real video --------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_video_of_three_squats_is_three_reps_on_the_result_page_and_the_video_is_gone(
    three_squats: Path, upload_dir: Path
) -> None:
    patient, client, session_id = patient_with_camera_exercises("three@example.org")

    response = send(client, session_id, "IMG_0042.MOV", three_squats.read_bytes(), key="page-key-0001")

    check = the_check(response)
    assert (check.patient, check.session_id, check.exercise_id) == (patient, session_id, "squat")
    assert (check.mode, check.status, check.error) == (FormCheck.UPLOAD, FormCheck.DONE, "")
    assert check.result["rep_count"] == 3
    assert check.result["visibility"]["ok"] is True
    assert check.frame_count == 116  # 7.7 s at 30 fps, every other frame analysed
    assert check.fps == 15.0
    assert check.keypoints  # kept, for the person and their therapist
    assert check.video_path == ""
    assert left_in(upload_dir) == []
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<strong>3 reps, form looked good</strong>" in page.content.decode()


@pytest.mark.slow
def test_the_video_is_deleted_once_read_before_the_check_is_made_and_even_when_the_check_raises(
    clips: Path, upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client, session_id = patient_with_camera_exercises("raises@example.org")
    seen: list[bool] = []

    def broken_analyze(*args: Any, **kwargs: Any) -> Any:
        check = FormCheck.objects.get()
        seen.append(Path(check.video_path).exists())
        raise RuntimeError("the check crashed")

    monkeypatch.setattr(uploads, "analyze", broken_analyze)
    clip = squat_clip(clips / "one-squat.mp4", squats=1, lead=0.5, tail=0.3)

    response = send(client, session_id, "one.mp4", clip.read_bytes())

    assert seen == [False]  # the video was already gone when the check ran
    assert_refused(client, response, uploads.COULD_NOT_ANALYSE, upload_dir)


def test_the_video_waits_in_a_private_folder_and_is_deleted_when_the_pose_model_raises(
    three_squats: Path, upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client, session_id = patient_with_camera_exercises("private@example.org")
    modes: list[tuple[int, int]] = []

    def crashing_pose_model(path: Path, **kwargs: Any) -> Any:
        modes.append((stat.S_IMODE(path.stat().st_mode), stat.S_IMODE(path.parent.stat().st_mode)))
        raise RuntimeError("segfault-ish")

    monkeypatch.setattr("lumbar.motion.pose.estimate_video", crashing_pose_model)

    response = send(client, session_id, "squats.mp4", three_squats.read_bytes())

    assert modes == [(0o600, 0o700)]
    assert_refused(client, response, uploads.COULD_NOT_ANALYSE, upload_dir)


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_upload_waits_for_the_worker_which_reads_and_deletes_it(
    upload_dir: Path, settings: Any
) -> None:
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    _, client, session_id = patient_with_camera_exercises("worker@example.org")

    check = the_check(send(client, session_id, "notes.mp4", b"not a video"))

    assert check.status == FormCheck.ANALYSING
    assert left_in(upload_dir) == [Path(check.video_path).name]  # only the video: the part it arrived in went
    assert DBTaskResult.objects.get().task_path == "lumbar.web.formcheck.uploads.analyse_upload"
    page = client.get(f"/camera/checks/{check.pk}/")
    assert "Analysing your video…" in page.content.decode()

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    check.refresh_from_db()
    assert (check.status, check.error, check.video_path) == (FormCheck.FAILED, uploads.NOT_A_VIDEO, "")
    assert left_in(upload_dir) == []


# --- Bad or hostile files: one sentence, nothing kept ------------------------------------------------


def test_a_cut_off_mp4_is_refused_as_not_a_readable_video(three_squats: Path, upload_dir: Path) -> None:
    _, client, session_id = patient_with_camera_exercises("cut@example.org")
    data = three_squats.read_bytes()

    response = send(client, session_id, "cut.mp4", data[: len(data) // 2])

    assert_refused(client, response, uploads.NOT_A_VIDEO, upload_dir)


@pytest.mark.slow
def test_a_video_that_stops_short_of_its_header_is_refused_as_stopping_part_way(
    tmp_path: Path, upload_dir: Path
) -> None:
    _, client, session_id = patient_with_camera_exercises("short@example.org")
    whole = tmp_path / "whole.avi"
    writer = cv2.VideoWriter(str(whole), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 480))
    for i in range(40):
        image = blank()
        draw_person(image, 40.0 * (i % 2))
        writer.write(image)
    writer.release()
    data = whole.read_bytes()

    response = send(client, session_id, "short.avi", data[: len(data) // 2])

    assert_refused(client, response, uploads.TRUNCATED, upload_dir)


def test_a_text_file_named_mp4_is_refused_as_not_a_video(upload_dir: Path) -> None:
    _, client, session_id = patient_with_camera_exercises("text@example.org")

    response = send(client, session_id, "notes.mp4", b"these are not moving pictures\n" * 100)

    assert_refused(client, response, uploads.NOT_A_VIDEO, upload_dir)


def test_a_video_with_no_frames_is_refused_as_having_no_pictures(tmp_path: Path, upload_dir: Path) -> None:
    _, client, session_id = patient_with_camera_exercises("noframes@example.org")
    empty = written(tmp_path / "empty.avi", (640, 480), 0)

    response = send(client, session_id, "empty.mp4", empty.read_bytes())

    assert_refused(client, response, uploads.NO_FRAMES, upload_dir)


def test_a_picture_wider_than_4k_is_refused_before_the_pose_model_sees_it(
    tmp_path: Path, upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client, session_id = patient_with_camera_exercises("wide@example.org")
    monkeypatch.setattr("lumbar.motion.pose.estimate_video", lambda *a, **k: pytest.fail("decoded"))
    wide = written(tmp_path / "wide.avi", (4200, 64), 3)

    response = send(client, session_id, "wide.mp4", wide.read_bytes())

    assert_refused(
        client,
        response,
        "The video's picture is 4200 × 64 pixels, larger than a phone records: film at 4K or less and upload it again.",
        upload_dir,
    )


def test_a_video_longer_than_three_minutes_is_refused(tmp_path: Path, upload_dir: Path) -> None:
    _, client, session_id = patient_with_camera_exercises("long@example.org")
    long = written(tmp_path / "long.avi", (64, 64), 190, fps=1.0)  # 190 s

    response = send(client, session_id, "long.avi", long.read_bytes())

    assert_refused(
        client,
        response,
        "The video is longer than 3 minutes: film just one set (trim the video on your phone) and upload it again.",
        upload_dir,
    )


@pytest.mark.slow
def test_a_video_with_nobody_in_it_is_refused_saying_no_one_could_be_seen(
    clips: Path, upload_dir: Path
) -> None:
    _, client, session_id = patient_with_camera_exercises("nobody@example.org")
    clip = empty_room_clip(clips / "empty-room.mp4", seconds=1.0)

    response = send(client, session_id, "room.mp4", clip.read_bytes())

    assert_refused(client, response, uploads.NO_PERSON, upload_dir)


def test_an_empty_file_is_refused_on_the_form_and_nothing_is_made(upload_dir: Path) -> None:
    _, client, session_id = patient_with_camera_exercises("zero@example.org")

    response = send(client, session_id, "zero.mp4", b"")

    assert response.status_code == 200
    assert response.context["form"].errors == {"video": [uploads.EMPTY_FILE]}
    assert FormCheck.objects.count() == 0
    assert left_in(upload_dir) == []


def test_a_form_without_a_file_asks_for_one(upload_dir: Path) -> None:
    _, client, session_id = patient_with_camera_exercises("nofile@example.org")

    response = client.post(url(session_id), {"key": "page-key-0001"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"video": ["Choose a video to upload."]}
    assert FormCheck.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_on_the_form_and_not_written_past_the_limit(
    upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client, session_id = patient_with_camera_exercises("big@example.org")
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1024 * 1024)  # 1 MB here; 200 MB in the product
    biggest: list[int] = []
    receive = uploads.VideoUploadHandler.receive_data_chunk

    def watched(self: uploads.VideoUploadHandler, raw_data: bytes, start: int) -> None:
        try:
            receive(self, raw_data, start)
        finally:
            if self.file is not None and not self.file.closed:
                biggest.append(self.file.tell())

    monkeypatch.setattr(uploads.VideoUploadHandler, "receive_data_chunk", watched)

    response = send(client, session_id, "huge.mp4", b"\0" * (1024 * 1024 + 1))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "video": [
            "The video is larger than 1 MB: film just one set, or at 1080p rather than 4K, and upload it again."
        ]
    }
    assert max(biggest) <= 1024 * 1024
    assert FormCheck.objects.count() == 0
    assert left_in(upload_dir) == []


def test_the_size_limit_is_200_mb_three_minutes_and_4k() -> None:
    assert uploads.MAX_UPLOAD_BYTES == 200 * 1024 * 1024
    assert uploads.MAX_VIDEO_SECONDS == 180
    assert uploads.MAX_VIDEO_SIDE == 4096


# --- Who may upload, and where -----------------------------------------------------------------------


def test_another_patients_session_is_404_and_their_upload_is_not_kept(upload_dir: Path) -> None:
    _, _, others_session = patient_with_camera_exercises("owner@example.org")
    _, intruder, _ = patient_with_camera_exercises("intruder@example.org")

    assert intruder.get(url(others_session)).status_code == 404
    response = send(intruder, others_session, "notes.mp4", b"not a video")

    assert response.status_code == 404
    assert FormCheck.objects.count() == 0
    assert left_in(upload_dir) == []


@pytest.mark.parametrize("number", [0, 3, 99])
def test_an_exercise_number_not_in_the_session_is_404(number: int, upload_dir: Path) -> None:
    _, client, session_id = patient_with_camera_exercises(f"n{number}@example.org")

    assert client.get(url(session_id, number)).status_code == 404
    assert send(client, session_id, "a.mp4", b"x", number=number).status_code == 404
    assert left_in(upload_dir) == []


def test_signed_out_visitors_are_sent_to_sign_in(upload_dir: Path) -> None:
    _, _, session_id = patient_with_camera_exercises("out@example.org")

    response = Client().post(url(session_id), {"video": SimpleUploadedFile("a.mp4", b"x")})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert left_in(upload_dir) == []


def test_an_upload_without_the_pages_csrf_token_is_refused(upload_dir: Path) -> None:
    patient, _, session_id = patient_with_camera_exercises("csrf@example.org")
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)

    response = send(client, session_id, "notes.mp4", b"not a video")

    assert response.status_code == 403
    assert FormCheck.objects.count() == 0
    assert left_in(upload_dir) == []


def test_the_page_sent_as_a_browser_sends_it_with_its_csrf_token_and_key_makes_the_check(
    upload_dir: Path,
) -> None:
    patient, _, session_id = patient_with_camera_exercises("browser@example.org")
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    html = client.get(url(session_id)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    key = re.search(r'name="key" value="([^"]+)"', html)
    assert token
    assert key

    response = client.post(
        url(session_id),
        {
            "csrfmiddlewaretoken": token.group(1),
            "key": key.group(1),
            "video": SimpleUploadedFile("notes.mp4", b"not a video"),
        },
    )

    check = the_check(response)
    assert (check.client_key, check.status) == (key.group(1), FormCheck.FAILED)
    assert left_in(upload_dir) == []


def test_a_warning_sign_puts_uploads_on_hold_with_one_sentence(upload_dir: Path) -> None:
    _, client, session_id = patient_with_camera_exercises("hold@example.org")
    assert client.post("/checkin/", checkin_answers(yes=("saddle_numbness",))).status_code == 302

    response = send(client, session_id, "notes.mp4", b"not a video")

    assert response.status_code == 409
    assert response.context["error"] == "A warning sign needs a doctor first: exercise is on hold."
    assert FormCheck.objects.count() == 0
    assert left_in(upload_dir) == []


def test_the_same_form_sent_twice_is_one_check(upload_dir: Path) -> None:
    _, client, session_id = patient_with_camera_exercises("twice@example.org")

    first = the_check(send(client, session_id, "notes.mp4", b"not a video", key="page-key-0001"))
    second = the_check(send(client, session_id, "notes.mp4", b"not a video", key="page-key-0001"))

    assert first.pk == second.pk
    assert FormCheck.objects.count() == 1
    assert left_in(upload_dir) == []


# --- The page --------------------------------------------------------------------------------------


def test_the_upload_page_labels_its_field_says_the_limits_and_that_the_video_is_deleted(
    upload_dir: Path,
) -> None:
    _, client, session_id = patient_with_camera_exercises("page@example.org")

    response = client.get(url(session_id))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post" enctype="multipart/form-data"' in html
    assert '<label class="field-label" for="id_video">Your video</label>' in html
    assert 'accept="video/*"' in html
    assert "A video from your phone (MP4 or MOV), up to 200 MB and 3 minutes." in html
    assert "Your video is deleted as soon as it has been read." in html
    assert re.search(r'<input type="hidden" name="key" value="[A-Za-z0-9_-]{22}"', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (the CSP refuses it)
    assert " style=" not in html
    assert "<style" not in html


def test_the_session_players_camera_panel_links_to_the_upload_page(upload_dir: Path) -> None:
    _, client, session_id = patient_with_camera_exercises("link@example.org")

    response = client.get(f"/session/{session_id}/exercise/{SQUAT}/")

    assert f'href="{url(session_id)}"' in response.content.decode()


def test_a_missing_or_malformed_page_key_is_replaced_by_a_fresh_one(upload_dir: Path) -> None:
    _, client, session_id = patient_with_camera_exercises("badkey@example.org")

    first = the_check(send(client, session_id, "notes.mp4", b"not a video", key="<script>" * 20))
    second = the_check(send(client, session_id, "notes.mp4", b"not a video"))

    assert first.pk != second.pk
    assert re.fullmatch(r"upload-[A-Za-z0-9_-]{22}", first.client_key)
    assert re.fullmatch(r"upload-[A-Za-z0-9_-]{22}", second.client_key)
    assert left_in(upload_dir) == []
