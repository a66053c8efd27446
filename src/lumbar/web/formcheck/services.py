"""Writes for the form check: a live set's keypoint batches, its verdict, an uploaded video's analysis.

Every function takes the acting user and touches only that user's rows. The rules (reps, holds,
faults, whether the camera saw enough) are lumbar.motion's alone; this module stores what it says.
"""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from lumbar.domain.catalog import default_catalog
from lumbar.domain.errors import InvalidInput
from lumbar.motion import live
from lumbar.motion.analyze import FormResult, analyze, check_spec_of
from lumbar.motion.checkspec import CheckSpec
from lumbar.motion.landmarks import Recording
from lumbar.web.records import selectors as records
from lumbar.web.records.models import ExerciseSession, FormCheck, KeypointBatch
from lumbar.web.records.services import ServiceError

MAX_SAMPLES_PER_BATCH = 120  # 4 s at 30 samples a second: the page sends about one batch a second
MAX_BATCHES = 2000
MAX_IMAGE_SIDE = 8192


class FormCheckRefused(ServiceError):
    """The check cannot start or go on (no such exercise in the session, a warning sign, a set ended)."""


def checkable_spec(exercise_id: str) -> CheckSpec | None:
    """The exercise's check spec when a camera can judge it, else None."""
    exercise = default_catalog().exercises.get(exercise_id)
    if exercise is None:
        return None
    try:
        return check_spec_of(exercise)
    except InvalidInput:
        return None


def exercise_in_session(user: AbstractBaseUser, session_id: int, number: int) -> tuple[ExerciseSession, str]:
    """The person's session and the id of its exercise `number`, when a check of it may start: their
    own session, an exercise the camera can judge, and no warning sign in force (the session's gate)."""
    session = records.session(user, session_id)
    if session is None:
        raise FormCheckRefused("No such session.")
    entries = session.program.exercises
    if not 1 <= number <= len(entries):
        raise FormCheckRefused("No such exercise in this session.")
    if records.blocking_screening(user) is not None:
        raise FormCheckRefused("A warning sign needs a doctor first: exercise is on hold.")
    exercise_id = entries[number - 1]["id"]
    if checkable_spec(exercise_id) is None:
        raise FormCheckRefused("The camera cannot check this exercise.")
    return session, exercise_id


def client_key_of(value: Any) -> str:
    """The page's id for one set (or one upload form), checked: repeats of it are the same check."""
    key = str(value or "")
    if not 8 <= len(key) <= 40 or not all(c.isalnum() or c in "-_" for c in key):
        raise InvalidInput("client_key must be 8-40 letters, digits, '-' or '_'")
    return key


def _image_size(width: Any, height: Any) -> tuple[int, int]:
    for value in (width, height):
        if not isinstance(value, int) or isinstance(value, bool) or not 16 <= value <= MAX_IMAGE_SIDE:
            raise InvalidInput(f"the camera's picture size must be whole numbers from 16 to {MAX_IMAGE_SIDE}")
    return int(width), int(height)


def start_live(
    user: AbstractBaseUser, session_id: int, number: int, *, client_key: Any, width: Any, height: Any
) -> FormCheck:
    """A live check of one set; the same client_key again (a double tap, a retry) is the same check."""
    session, exercise_id = exercise_in_session(user, session_id, number)
    key = client_key_of(client_key)
    size = _image_size(width, height)
    existing = FormCheck.objects.filter(patient=user, client_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return FormCheck.objects.create(
                patient=user,
                session=session,
                exercise_id=exercise_id,
                mode=FormCheck.LIVE,
                status=FormCheck.RECORDING,
                client_key=key,
                live_state={"image_size": list(size)},
            )
    except IntegrityError:  # the other tab's request made it first
        return FormCheck.objects.get(patient=user, client_key=key)


def _own_check(user: AbstractBaseUser, check_id: int, *, lock: bool = False) -> FormCheck:
    query = FormCheck.objects.filter(patient=user, pk=check_id)
    if lock:
        query = query.select_for_update()
    check = query.first()
    if check is None:
        raise FormCheckRefused("No such form check.")
    return check


def _packed(times: np.ndarray, values: np.ndarray) -> bytes:
    rows = np.concatenate([times[:, None], values.reshape(values.shape[0], -1)], axis=1).astype(np.float32)
    return zlib.compress(rows.tobytes(), 6)


def _unpacked(blobs: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    width = 1 + live.LANDMARKS * live.VALUES_PER_LANDMARK
    rows = [np.frombuffer(zlib.decompress(bytes(b)), dtype=np.float32).reshape(-1, width) for b in blobs]
    merged = np.concatenate(rows) if rows else np.empty((0, width), dtype=np.float32)
    merged = merged[np.argsort(merged[:, 0], kind="stable")]
    if merged.shape[0]:  # a retried batch that overlaps another: each moment once
        merged = merged[np.concatenate(([True], np.diff(merged[:, 0]) > 0))]
    times = merged[:, 0].astype(np.float64)
    return times, merged[:, 1:].reshape(-1, live.LANDMARKS, live.VALUES_PER_LANDMARK)


def _samples(check: FormCheck, blobs: list[bytes]) -> live.Samples:
    times, values = _unpacked(blobs)
    size = check.live_state.get("image_size")
    return live.Samples(times, values, tuple(size) if size else None)


def add_batch(user: AbstractBaseUser, check_id: int, seq: Any, rows: Any) -> dict[str, Any]:
    """Store one batch (a batch sent twice is stored once) and say what the counter shows now."""
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < MAX_BATCHES:
        raise InvalidInput(f"seq must be a whole number from 0 to {MAX_BATCHES - 1}")
    if isinstance(rows, list) and len(rows) > MAX_SAMPLES_PER_BATCH:
        raise InvalidInput(f"a batch holds at most {MAX_SAMPLES_PER_BATCH} samples")
    times, values = live.parse_samples(rows)
    with transaction.atomic():
        check = _own_check(user, check_id, lock=True)
        if check.status != FormCheck.RECORDING:
            raise FormCheckRefused("This set has ended.")
        spec = checkable_spec(check.exercise_id)
        if spec is None:
            raise FormCheckRefused("The camera cannot check this exercise.")
        _, created = KeypointBatch.objects.get_or_create(
            form_check=check,
            seq=seq,
            defaults={
                "first_ms": float(times[0]),
                "last_ms": float(times[-1]),
                "samples": _packed(times, values),
            },
        )
        newest_ms = KeypointBatch.objects.filter(form_check=check).aggregate(newest=Max("last_ms"))["newest"]
        state = live.LiveState.from_json(check.live_state.get("live", {}))
        start = state.window_start(newest_ms / 1000.0)
        blobs = list(
            KeypointBatch.objects.filter(form_check=check, last_ms__gte=start * 1000.0).values_list(
                "samples", flat=True
            )
        )
        window = _samples(check, blobs).since(start)
        reading, state = live.update(check.exercise_id, spec, window, state)
        check.live_state = {**check.live_state, "live": state.to_json()}
        check.save(update_fields=["live_state", "updated_at"])
    return reading.to_json() | {"stored": created}


def finish_live(user: AbstractBaseUser, check_id: int) -> FormCheck:
    """The set has ended: the whole recording is checked once and stored; the batches go. Again is
    the same answer."""
    with transaction.atomic():
        check = _own_check(user, check_id, lock=True)
        if check.status != FormCheck.RECORDING:
            return check
        spec = checkable_spec(check.exercise_id)
        blobs = list(KeypointBatch.objects.filter(form_check=check).values_list("samples", flat=True))
        samples = _samples(check, blobs)
        if spec is None or samples.count < 2:
            check.status = FormCheck.FAILED
            check.error = "The camera sent nothing to check: no picture of you reached the check."
            check.finished_at = timezone.now()
            check.save()
        else:
            # The verdict is on what the page looked at: a stall is a cut, not time out of view.
            recording = live.resample(live.without_stalls(samples))
            store_result(check, recording, analyze(check.exercise_id, spec, recording))
        check.batches.all().delete()
    return check


def store_result(check: FormCheck, recording: Recording, result: FormResult) -> None:
    """Keep the verdict and the keypoints (float16, compressed) on the check; no image is kept."""
    check.result = result_json(result)
    check.fps = recording.fps
    check.frame_count = recording.frame_count
    check.keypoints = zlib.compress(recording.frames.astype(np.float16).tobytes(), 6)
    check.status = FormCheck.DONE
    check.error = ""
    check.finished_at = timezone.now()
    check.save()


def result_json(result: FormResult) -> dict[str, Any]:
    return result.to_json() | {"counts_reps": result.counts_reps}


def discard_video(check: FormCheck) -> None:
    """Delete an uploaded video still waiting on disk (analysed or not, it is never kept)."""
    if check.video_path:
        Path(check.video_path).unlink(missing_ok=True)


def delete_check(user: AbstractBaseUser, check_id: int) -> None:
    """The person removes a check and its keypoints (a video, if one is still waiting, goes too)."""
    with transaction.atomic():
        check = _own_check(user, check_id, lock=True)
        discard_video(check)
        check.delete()


# A live set nobody finished (the tab closed, the phone died) is checked with what arrived, this long
# after its last batch, by the daily housekeeping: the batches do not stay on the server.
ABANDONED_AFTER = dt.timedelta(hours=1)


def finish_abandoned(now: dt.datetime) -> dict[str, int]:
    """Finish the live sets left recording for longer than ABANDONED_AFTER (for housekeeping)."""
    finished = 0
    stale = FormCheck.objects.filter(status=FormCheck.RECORDING, updated_at__lt=now - ABANDONED_AFTER)
    for check in stale.only("pk", "patient_id").iterator():
        finish_live(check.patient, check.pk)
        finished += 1
    return {"abandoned_live_checks": finished}
