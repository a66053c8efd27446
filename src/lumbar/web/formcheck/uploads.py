"""Upload instead of live: a phone's recording of one set, read by a background task, then deleted.

The request only stores the file (in a private folder under the data directory, mode 600) and queues
`analyse_upload`; the task worker decodes it with OpenCV, finds the pose with the server's MediaPipe
(lumbar.motion.pose), checks it with lumbar.motion and keeps the verdict and the keypoints on the
FormCheck. The video is deleted as soon as it has been read, and in every case by the end of the
task, failed or not. What is wrong with a file is found by decoding it, never from its name, and is
told to the person in one sentence on the result page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import task

from lumbar.domain.errors import InvalidInput
from lumbar.motion.analyze import analyze
from lumbar.motion.landmarks import Recording
from lumbar.web.datadir import make_private_dir
from lumbar.web.formcheck import services
from lumbar.web.records.models import FormCheck

log = logging.getLogger("lumbar.formcheck")

# Product limits (not clinical numbers). A set filmed on a phone: a minute or two of 1080p at 30 fps
# is 100-200 MB; three minutes leaves time to start the recording and walk into the picture; 4K
# (3840 x 2160, either way up) is the largest a phone records. Each limit also bounds the worker's
# time and memory on a hostile file.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
MAX_VIDEO_SECONDS = 3 * 60
MAX_VIDEO_SIDE = 4096
MIN_VIDEO_SIDE = 64  # smaller than this, nobody's joints can be told apart
MIN_FPS, MAX_FPS = 1.0, 240.0  # what a phone records: a timelapse at one end, slow motion at the other

# Where uploads wait for the worker: the data directory's private `uploads/` folder, unless the
# deployer names another (LUMBAR_FORMCHECK_UPLOAD_DIR, on the same disk as the data directory).
UPLOAD_SUBDIR = "uploads"

# What the person reads, one sentence each (result page or form).
TOO_LARGE = (
    "The video is larger than {mb} MB: film just one set, or at 1080p rather than 4K, and upload it again."
)
EMPTY_FILE = "The file is empty: choose the video again and upload it."
NO_FILE = "Choose a video to upload."
NOT_A_VIDEO = "This file could not be read as a video (it may be another kind of file, or cut off): upload the recording from your phone's camera again."
NO_FRAMES = "The video has no pictures in it: record the set again and upload the new video."
TOO_WIDE = "The video's picture is {width} × {height} pixels, larger than a phone records: film at 4K or less and upload it again."
TOO_SMALL = "The video's picture is {width} × {height} pixels, too small to see your joints: film at your phone's usual video setting and upload it again."
BAD_FRAME_RATE = "The video has no usable frame rate (it may be a still picture or damaged): upload the recording from your phone's camera."
TOO_LONG = "The video is longer than {minutes} minutes: film just one set (trim the video on your phone) and upload it again."
TRUNCATED = "The video stops part way through (it may be damaged or not fully uploaded): upload it again."
NO_PERSON = (
    "No one could be seen in the video: film from 2 to 3 metres away with your whole body in the picture."
)
NOT_CHECKABLE = "The camera cannot check this exercise."
COULD_NOT_ANALYSE = "The video could not be analysed: please try again, or record the set again."

# What lumbar.motion.pose says about a video (its messages name the file, which here is a random
# name), told in the words above.
_POSE_REFUSALS = (
    ("no person found", NO_PERSON),
    ("is truncated or damaged", TRUNCATED),
    ("contains no frames", NO_FRAMES),
    ("minutes", TOO_LONG),
    ("cannot read video", NOT_A_VIDEO),
)


class UnreadableVideo(Exception):
    """A refusal of the video itself; the message is the sentence the person reads."""


def too_large_message() -> str:
    return TOO_LARGE.format(mb=MAX_UPLOAD_BYTES // (1024 * 1024))


def upload_dir() -> Path:
    configured = getattr(settings, "LUMBAR_FORMCHECK_UPLOAD_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / UPLOAD_SUBDIR


# --- Receiving the file ---------------------------------------------------------------------------


class PrivateUpload(UploadedFile):
    """An upload as it arrives: a temporary file in the private upload folder (mode 600), deleted when
    closed (Django closes it at the end of the request)."""

    def __init__(
        self, name: str, content_type: str, charset: str | None, extra: dict[str, Any] | None
    ) -> None:
        folder = upload_dir()
        make_private_dir(folder)
        file = tempfile.NamedTemporaryFile(dir=folder, prefix="incoming-", suffix=".part")  # noqa: SIM115
        super().__init__(file, name, content_type, 0, charset, extra)

    def temporary_file_path(self) -> str:
        return str(self.file.name)

    def close(self) -> None:
        with contextlib.suppress(FileNotFoundError):  # already gone
            self.file.close()


class VideoUploadHandler(FileUploadHandler):
    """The only upload handler of the upload page: every file goes straight to the private folder,
    never to memory or the system's temporary folder, and the request's files stop being written at
    MAX_UPLOAD_BYTES (in all; the rest is read and thrown away), with `too_large` set for the form."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = MAX_UPLOAD_BYTES
        self.received = 0
        self.too_large = False
        self.file: PrivateUpload | None = None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.too_large:
            raise SkipFile
        self.file = PrivateUpload(
            self.file_name or "video", self.content_type or "", self.charset, self.content_type_extra
        )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise SkipFile  # Django closes (so deletes) the part written and reads past the rest
        assert self.file is not None
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.file is None:
            return None
        self.file.seek(0)  # also flushes what was written
        self.file.size = file_size
        return self.file

    def upload_interrupted(self) -> None:
        if self.file is not None:
            self.file.close()


# --- Starting the check ---------------------------------------------------------------------------


def _fresh_key() -> str:
    return "upload-" + secrets.token_urlsafe(16)


def _key(client_key: str | None) -> str:
    """The form's own key (a double submit is one check); a missing or malformed one, a fresh key."""
    if client_key:
        try:
            return services.client_key_of(client_key)
        except InvalidInput:
            pass
    return _fresh_key()


def _keep(video: UploadedFile) -> Path:
    """The upload under a random name in the private folder, mode 600: linked from the temporary file
    it arrived in when that is on the same disk, else copied in chunks."""
    folder = upload_dir()
    make_private_dir(folder)
    target = folder / f"{secrets.token_hex(16)}.video"
    arrived = getattr(video, "temporary_file_path", None)
    if arrived is not None:
        try:
            os.link(arrived(), target)
        except OSError:
            pass
        else:
            target.chmod(0o600)
            return target
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in video.chunks():
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def start_upload(
    user: AbstractBaseUser,
    session_id: int,
    number: int,
    video: UploadedFile,
    *,
    client_key: str | None = None,
) -> FormCheck:
    """Keep the video privately and queue its analysis; the check is `analysing` until the task ends.

    The same form sent twice (the same `client_key`) is the first check; the second file is not kept.
    Raises FormCheckRefused (no such session or exercise, a warning sign, an exercise the camera
    cannot check) and InvalidInput (an empty or too large file) before anything is kept.
    """
    session, exercise_id = services.exercise_in_session(user, session_id, number)
    key = _key(client_key)
    existing = FormCheck.objects.filter(patient=user, client_key=key).first()
    if existing is not None:
        return existing
    if not video.size:
        raise InvalidInput(EMPTY_FILE)
    if video.size > MAX_UPLOAD_BYTES:
        raise InvalidInput(too_large_message())
    path = _keep(video)
    try:
        with transaction.atomic():
            check = FormCheck.objects.create(
                patient=user,
                session=session,
                exercise_id=exercise_id,
                mode=FormCheck.UPLOAD,
                status=FormCheck.ANALYSING,
                client_key=key,
                video_path=str(path),
            )
            # In the same transaction: the database backend's worker sees the task only with its check
            # (the tests' immediate backend runs it here and now).
            analyse_upload.enqueue(check.pk)
    except IntegrityError:  # the same form, sent again at the same moment, made the check first
        path.unlink(missing_ok=True)
        return FormCheck.objects.get(patient=user, client_key=key)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return check


# --- The task -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoFacts:
    fps: float
    width: int
    height: int
    frame_count: int | None


def probe(path: Path) -> VideoFacts:
    """Open the video and decode its first frame: a file that is not a video, has no usable frame
    rate, a picture too large or too small, no frame, or a header saying it is too long is refused
    before the pose model sees anything."""
    import cv2

    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise UnreadableVideo(NOT_A_VIDEO)
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        _check_size(width, height)
        if not math.isfinite(fps) or not MIN_FPS <= fps <= MAX_FPS:
            raise UnreadableVideo(BAD_FRAME_RATE)
        if count > 0 and count / fps > MAX_VIDEO_SECONDS:
            raise UnreadableVideo(TOO_LONG.format(minutes=MAX_VIDEO_SECONDS // 60))
        ok, image = capture.read()
        if not ok or image is None:
            raise UnreadableVideo(NO_FRAMES)
        _check_size(int(image.shape[1]), int(image.shape[0]))  # the picture, not what the header says
        return VideoFacts(fps=fps, width=width, height=height, frame_count=count or None)
    finally:
        capture.release()


def _check_size(width: int, height: int) -> None:
    if max(width, height) > MAX_VIDEO_SIDE:
        raise UnreadableVideo(TOO_WIDE.format(width=width, height=height))
    if min(width, height) < MIN_VIDEO_SIDE:
        raise UnreadableVideo(TOO_SMALL.format(width=width, height=height))


def read_video(path: Path) -> Recording:
    """The pose in every analysed frame; the length limit holds while decoding too (a header can lie)."""
    from lumbar.motion.pose import estimate_video

    facts = probe(path)
    last_frame = math.floor(MAX_VIDEO_SECONDS * facts.fps) + 1

    def within_limit(frames_read: int, _total: int | None) -> None:
        if frames_read > last_frame:
            raise UnreadableVideo(TOO_LONG.format(minutes=MAX_VIDEO_SECONDS // 60))

    return estimate_video(path, progress=within_limit)


def _sentence(exc: Exception) -> str:
    if isinstance(exc, UnreadableVideo):
        return str(exc)
    if isinstance(exc, InvalidInput):
        text = str(exc)
        for words, sentence in _POSE_REFUSALS:
            if words in text:
                return sentence.format(minutes=MAX_VIDEO_SECONDS // 60)
    return COULD_NOT_ANALYSE


def _video_of(check: FormCheck) -> Path | None:
    """The check's waiting video, if it is one of ours (a path outside the upload folder is never
    read nor deleted)."""
    if not check.video_path:
        return None
    path = Path(check.video_path)
    return path if path.parent.resolve() == upload_dir().resolve() else None


def _fail(check_id: int, sentence: str) -> None:
    FormCheck.objects.filter(pk=check_id, status=FormCheck.ANALYSING).update(
        status=FormCheck.FAILED, error=sentence, finished_at=timezone.now(), updated_at=timezone.now()
    )


def _store(check_id: int, recording: Recording, result: Any) -> None:
    with transaction.atomic():
        # Still there and still waiting: a check the person deleted meanwhile stays deleted.
        check = FormCheck.objects.select_for_update().filter(pk=check_id, status=FormCheck.ANALYSING).first()
        if check is not None:
            services.store_result(check, recording, result)


@task()
def analyse_upload(check_id: int) -> str:
    """Read the uploaded video, delete it, check the set, keep the verdict; say what became of it."""
    check = FormCheck.objects.filter(pk=check_id).first()
    if check is None:
        return "gone"  # deleted by the person before the worker came to it (with its video)
    path = _video_of(check)
    try:
        if check.status != FormCheck.ANALYSING:
            return check.status
        if path is None or not path.is_file():
            raise UnreadableVideo(NOT_A_VIDEO)
        spec = services.checkable_spec(check.exercise_id)
        if spec is None:
            raise UnreadableVideo(NOT_CHECKABLE)
        started = time.perf_counter()
        recording = read_video(path)
        path.unlink(missing_ok=True)  # read: the video goes now, before the check is even made
        step = int(recording.extra.get("stride", 1))
        result = analyze(check.exercise_id, spec, recording, frame_step=step)
        elapsed = max(time.perf_counter() - started, 1e-9)
        _store(check_id, recording, result.with_speed(round(recording.frame_count / elapsed, 1)))
    except Exception as exc:
        sentence = _sentence(exc)
        if sentence == COULD_NOT_ANALYSE:
            log.exception("form check %s: the uploaded video could not be analysed", check_id)
        else:
            log.info("form check %s: video refused: %s", check_id, exc)
        _fail(check_id, sentence)
        return FormCheck.FAILED
    finally:
        if path is not None:
            path.unlink(missing_ok=True)
        FormCheck.objects.filter(pk=check_id).exclude(video_path="").update(video_path="")
    return FormCheck.DONE


# A video still waiting this long after its upload was left by a worker that stopped mid-way (or a
# request cut off after the file was kept): the daily housekeeping deletes it, so that no video
# outlives its analysis by more than a day, and tells the person to upload it again.
STALE_UPLOAD = dt.timedelta(hours=6)
STOPPED = "The analysis stopped before it finished: please upload the video again."


def sweep_stale_uploads(now: dt.datetime) -> dict[str, int]:
    """Fail the checks whose analysis never finished and delete every video older than STALE_UPLOAD
    (for housekeeping)."""
    cutoff = now - STALE_UPLOAD
    failed = 0
    for check in FormCheck.objects.filter(status=FormCheck.ANALYSING, created_at__lt=cutoff).iterator():
        path = _video_of(check)
        if path is not None:
            path.unlink(missing_ok=True)
        failed += FormCheck.objects.filter(pk=check.pk, status=FormCheck.ANALYSING).update(
            status=FormCheck.FAILED, error=STOPPED, video_path="", finished_at=now, updated_at=now
        )
    deleted = 0
    folder = upload_dir()
    if folder.is_dir():
        for leftover in folder.iterdir():
            try:
                old = dt.datetime.fromtimestamp(leftover.stat().st_mtime, tz=dt.UTC) < cutoff
            except FileNotFoundError:
                continue
            if leftover.is_file() and old:
                leftover.unlink(missing_ok=True)
                deleted += 1
    return {"stale_uploads_failed": failed, "stale_upload_files": deleted}
