"""A clinic, its therapists, the invitations that link patients to them, and the audit trail.

A patient is linked to one therapist through `Profile.therapist` (records); the therapist's clinic
decides who else may read the record: the therapists of the same clinic, nobody else.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

# Invitation codes avoid letters and digits that look alike when read aloud or copied from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # 31**10, about 8e14 codes: unguessable within the sign-in throttle's limits


def new_invite_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Clinic(models.Model):
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Therapist(models.Model):
    """A physical therapist's place in a clinic. The clinic's admins also see its audit trail."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="therapist")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="therapists")
    is_admin = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.clinic})"


class Invite(models.Model):
    """An invitation a therapist gives a patient, as a short code or a link carrying it. Accepting
    links the patient to the therapist; a code is used once and expires."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="invites")
    code = models.CharField(max_length=16, unique=True, default=new_invite_code)
    label = models.CharField(max_length=80, blank=True, help_text="the therapist's own note of who it is for")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class AuditEvent(models.Model):
    """One read or change of a patient's record by someone other than the patient: who, what, when.

    Kept with the patient (deleted with their account, included in their export) and shown to their
    clinic's admins."""

    VIEWED_RECORD = "viewed_record"
    CHANGED_PROGRAM = "changed_program"
    ACKNOWLEDGED_ALERT = "acknowledged_alert"
    RESOLVED_ALERT = "resolved_alert"
    LINKED = "linked"
    UNLINKED = "unlinked"
    DOWNLOADED = "downloaded"
    DECLINED_SUGGESTION = "declined_suggestion"
    ACTIONS = [
        (VIEWED_RECORD, "Viewed the record"),
        (CHANGED_PROGRAM, "Changed the program"),
        (ACKNOWLEDGED_ALERT, "Acknowledged an alert"),
        (RESOLVED_ALERT, "Resolved an alert"),
        (LINKED, "Linked to a therapist"),
        (UNLINKED, "Unlinked from a therapist"),
        (DOWNLOADED, "Downloaded a document"),
        (DECLINED_SUGGESTION, "Declined a suggested change"),
    ]

    at = models.DateTimeField(auto_now_add=True)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as written at the time: the actor's account may be deleted later, the trail may not lose them.
    actor_email = models.CharField(max_length=254)
    clinic = models.ForeignKey(Clinic, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit")
    action = models.CharField(max_length=32, choices=ACTIONS)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "at"]), models.Index(fields=["clinic", "at"])]
