"""Storage for the patient's side. Models hold data; the clinical work happens in lumbar.domain.

JSON columns keep what the domain produced (a program, an intake) exactly as the contract shapes it,
so the history of what a person was told is never rewritten.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class Profile(models.Model):
    PATIENT = "patient"
    THERAPIST = "therapist"
    ROLES = [(PATIENT, "Patient"), (THERAPIST, "Physical therapist")]

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=16, choices=ROLES, default=PATIENT)
    # A patient has at most one therapist; a therapist has none.
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="patients"
    )
    display_name = models.CharField(max_length=80, blank=True)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    # When the person said a clinician has checked them after a blocking screen: screens before this
    # no longer block, and they answer the questions again.
    screen_cleared_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class IntakeDraft(models.Model):
    """Answers so far, saved at every step so that closing the browser loses nothing."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intake_draft"
    )
    answers = models.JSONField(default=dict)
    step = models.CharField(max_length=40, default="")
    updated_at = models.DateTimeField(auto_now=True)


class ScreeningEvent(models.Model):
    """One red-flag screen: at onboarding or at a check-in. Kept even when it blocks the program."""

    ONBOARDING = "onboarding"
    CHECKIN = "checkin"
    CONTEXTS = [(ONBOARDING, "Onboarding"), (CHECKIN, "Check-in")]

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="screenings")
    context = models.CharField(max_length=16, choices=CONTEXTS)
    created_at = models.DateTimeField(auto_now_add=True)
    red_flags = models.JSONField(default=dict)
    tier = models.CharField(max_length=24)
    flags = models.JSONField(default=list)
    advice = models.TextField()

    class Meta:
        ordering = ["-created_at", "-id"]


class IntakeRecord(models.Model):
    """A completed intake (contract intake.schema.json), the basis of a program."""

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intakes")
    created_at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]


class ProgramVersion(models.Model):
    """Every program a person was given. A change makes a new version; old ones are never edited."""

    INITIAL = "initial"
    REVIEW = "review"
    THERAPIST = "therapist"
    SOURCES = [
        (INITIAL, "Made from your answers"),
        (REVIEW, "Adjusted after your sessions"),
        (THERAPIST, "Changed by your therapist"),
    ]

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programs")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=16, choices=SOURCES)
    program = models.JSONField()
    changes = models.JSONField(default=list, help_text="plain-language reasons for this version")
    intake = models.ForeignKey(IntakeRecord, null=True, on_delete=models.SET_NULL, related_name="programs")
    # A therapist's version: who made it, their note to the patient ("because ..."), a note per
    # exercise, and each engine check they overrode with their reason.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    exercise_notes = models.JSONField(default=dict, blank=True)
    overrides = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "number"], name="one_number_per_program_version")
        ]

    @property
    def exercises(self) -> list[dict[str, Any]]:
        return list(self.program.get("exercises", []))


class ExerciseSession(models.Model):
    """One day's session of the program."""

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions")
    program = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    pain_before = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_after = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["patient", "date"])]


class ExerciseLog(models.Model):
    DIFFICULTY = [("easy", "Easy"), ("right", "About right"), ("hard", "Hard")]
    LEG = [
        ("none", "No leg symptoms"),
        ("same", "Same as before"),
        ("centralised", "Eased / moved up"),
        ("peripheralised", "Spread further down"),
    ]

    session = models.ForeignKey(ExerciseSession, on_delete=models.CASCADE, related_name="logs")
    exercise_id = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    completed = models.BooleanField(default=False)
    skipped_reason = models.CharField(max_length=200, blank=True)
    sets = models.PositiveSmallIntegerField(null=True, blank=True)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_during = models.PositiveSmallIntegerField(null=True, blank=True)
    difficulty = models.CharField(max_length=8, choices=DIFFICULTY, blank=True)
    leg_symptoms = models.CharField(max_length=16, choices=LEG, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "exercise_id"], name="one_log_per_exercise_per_session"
            )
        ]


class CheckIn(models.Model):
    """The next-morning check-in: morning pain and, for leg symptoms, the warning-sign questions."""

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins")
    date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    morning_pain = models.PositiveSmallIntegerField()
    red_flags = models.JSONField(default=dict)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["patient", "date"], name="one_checkin_per_day")]


class OutcomeScore(models.Model):
    """A scored questionnaire (NPRS, ODI, RMDQ, PSFS, STarT Back) at a point in time."""

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outcomes")
    date = models.DateField()
    instrument = models.CharField(max_length=16)
    score = models.FloatField()
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["date", "id"]


class Alert(models.Model):
    """Something the patient (and their therapist) must see: a red flag, a flare, no improvement..."""

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts")
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=32)
    severity = models.CharField(max_length=16)
    message = models.TextField()
    seen_at = models.DateTimeField(null=True, blank=True)
    # The therapist's side: an alert is open until a therapist resolves it; acknowledging says
    # someone has it in hand. The note says what was done.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    therapist_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "resolved_at"])]


class ProgramSuggestion(models.Model):
    """A change the automatic review would make to a program a therapist manages, held for the
    therapist to accept or decline: the review never makes a therapist's program harder on its own
    (easier changes, which the pain-monitoring rules call for at once, still apply).

    One open suggestion per exercise (or the walk); a later review updates it."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    STATUSES = [(OPEN, "Waiting for the therapist"), (ACCEPTED, "Accepted"), (DECLINED, "Declined")]
    WALKING = "walking"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suggestions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    program = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="suggestions")
    target = models.CharField(max_length=60, help_text="the exercise id, or 'walking'")
    decision = models.JSONField(help_text="the review's decision, as apply_review reads it")
    change = models.TextField(help_text="the change in plain words")
    status = models.CharField(max_length=16, choices=STATUSES, default=OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "target"],
                condition=models.Q(status="open"),
                name="one_open_suggestion_per_target",
            )
        ]


class FormCheck(models.Model):
    """One set checked by the camera: live in the browser (keypoints only) or from an uploaded video.

    The verdict is the motion pipeline's FormResult (contracts/form-check.schema.json#/$defs/Result);
    the keypoints stay, compressed, so that the person and later their therapist can see what was
    judged; no image is ever stored. Keyed to the session and the exercise rather than to the log,
    because the check happens before the person logs the exercise.
    """

    LIVE = "live"
    UPLOAD = "upload"
    MODES = [(LIVE, "Live camera"), (UPLOAD, "Uploaded video")]
    RECORDING = "recording"
    ANALYSING = "analysing"
    DONE = "done"
    FAILED = "failed"
    STATUSES = [(RECORDING, "Recording"), (ANALYSING, "Analysing"), (DONE, "Done"), (FAILED, "Failed")]

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_checks"
    )
    session = models.ForeignKey(ExerciseSession, on_delete=models.CASCADE, related_name="form_checks")
    exercise_id = models.CharField(max_length=60)
    mode = models.CharField(max_length=8, choices=MODES)
    status = models.CharField(max_length=12, choices=STATUSES)
    # The browser's own id for this set, so a double start (two taps, a retried request) is one check.
    client_key = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    live_state = models.JSONField(default=dict, blank=True, help_text="the incremental count so far")
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    fps = models.FloatField(null=True, blank=True)
    frame_count = models.PositiveIntegerField(default=0)
    keypoints = models.BinaryField(null=True, blank=True, help_text="zlib-compressed float16 landmarks")
    video_path = models.CharField(max_length=300, blank=True, help_text="an upload waiting to be read")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["session", "exercise_id"]),
            models.Index(fields=["patient", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["patient", "client_key"], name="one_form_check_per_client_key")
        ]


class KeypointBatch(models.Model):
    """A few seconds of landmarks from the browser, as sent; merged into the check when the set ends."""

    form_check = models.ForeignKey(FormCheck, on_delete=models.CASCADE, related_name="batches")
    seq = models.PositiveIntegerField()
    first_ms = models.FloatField()
    last_ms = models.FloatField()
    samples = models.BinaryField(help_text="zlib-compressed float32: per sample, the time then 33 x 4")

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["form_check", "seq"], name="one_batch_per_seq")]
