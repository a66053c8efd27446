"""Writes for the clinic side: clinics and therapists, invitations, links, alerts, the audit trail.

Every function that touches a patient's record takes the acting therapist and checks, inside the
transaction, that the patient is linked to a therapist of the same clinic; the views check it too,
but the rule lives here so that no page order or forged id can step around it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lumbar.domain.catalog import default_catalog
from lumbar.domain.intake import parse_intake
from lumbar.domain.program_edit import EditedExercise, apply_edits, check_exercises, dose_checks
from lumbar.domain.program_update import apply_review
from lumbar.web.clinic.models import AuditEvent, Clinic, Invite, Therapist
from lumbar.web.clinic.selectors import linked_patient
from lumbar.web.records import selectors as records
from lumbar.web.records.models import Alert, IntakeRecord, Profile, ProgramSuggestion, ProgramVersion
from lumbar.web.records.services import ServiceError, lock_person, next_version

User = get_user_model()

# How long an invitation code stays valid (an administrative choice, not a clinical one).
INVITE_DAYS_SETTING = "LUMBAR_INVITE_DAYS"
DEFAULT_INVITE_DAYS = 14
NOTE_MAX = 2000


class NotYourPatient(ServiceError):
    """The patient is not linked to a therapist of the acting therapist's clinic (or does not exist)."""


def invite_days() -> int:
    return int(getattr(settings, INVITE_DAYS_SETTING, DEFAULT_INVITE_DAYS))


# --- Clinics and therapists -----------------------------------------------------------------------


@dataclass(frozen=True)
class NewTherapist:
    therapist: Therapist
    created_account: bool


def create_clinic(name: str, admin_email: str, password: str | None) -> NewTherapist:
    """A new clinic with its first therapist, an admin. The account is made with `password`, or an
    existing account (not a patient's, not another clinic's therapist) becomes the admin."""
    name = name.strip()
    if not name:
        raise ServiceError("Give the clinic a name.")
    with transaction.atomic():
        clinic = Clinic.objects.create(name=name[:120])
        return add_therapist(clinic, admin_email, password, admin=True)


def add_therapist(clinic: Clinic, email: str, password: str | None, *, admin: bool = False) -> NewTherapist:
    email = clean_email(email)
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if user is None:
            if not password:
                raise ServiceError(f"There is no account for {email}: give a password to create one.")
            candidate = User(username=email, email=email)
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as exc:
                raise ServiceError(" ".join(exc.messages)) from None
            try:
                user = User.objects.create_user(username=email, email=email, password=password)
            except IntegrityError:
                raise ServiceError(f"An account for {email} already exists.") from None
        profile, _ = Profile.objects.get_or_create(user=user, defaults={"role": Profile.THERAPIST})
        if not created and profile.role == Profile.PATIENT and _has_record(user):
            raise ServiceError(f"{email} is a patient's account: a therapist needs an account of their own.")
        if Therapist.objects.filter(user=user).exclude(clinic=clinic).exists():
            raise ServiceError(f"{email} is already a therapist of another clinic.")
        profile.role = Profile.THERAPIST
        profile.therapist = None
        profile.save(update_fields=["role", "therapist"])
        therapist, made = Therapist.objects.get_or_create(
            user=user, defaults={"clinic": clinic, "is_admin": admin}
        )
        if not made and admin and not therapist.is_admin:
            therapist.is_admin = True
            therapist.save(update_fields=["is_admin"])
    return NewTherapist(therapist=therapist, created_account=created)


def clinic_exists(number: int) -> bool:
    return Clinic.objects.filter(pk=number).exists()


def account_exists(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def add_therapist_to(
    clinic_number: int, email: str, password: str | None, *, admin: bool = False
) -> NewTherapist:
    clinic = Clinic.objects.filter(pk=clinic_number).first()
    if clinic is None:
        raise ServiceError(f"There is no clinic number {clinic_number}: see `lumbar clinic list`.")
    return add_therapist(clinic, email, password, admin=admin)


def describe_clinics() -> list[str]:
    lines = []
    for clinic in Clinic.objects.prefetch_related("therapists__user").order_by("pk"):
        lines.append(f"{clinic.pk}  {clinic.name}")
        for t in clinic.therapists.all():
            lines.append(f"    {t.user.email}{' (admin)' if t.is_admin else ''}")
    return lines or ["No clinics yet: create one with `lumbar clinic create NAME --admin EMAIL`."]


def _has_record(user: AbstractBaseUser) -> bool:
    return bool(user.programs.exists() or user.screenings.exists())  # type: ignore[attr-defined]


def clean_email(email: str) -> str:
    email = email.strip()
    if "@" not in email or len(email) > 254:
        raise ServiceError("Give a valid email address.")
    return email.lower()


# --- Invitations and links ------------------------------------------------------------------------


def create_invite(therapist: Therapist, label: str = "") -> Invite:
    return Invite.objects.create(
        therapist=therapist,
        label=label.strip()[:80],
        expires_at=timezone.now() + dt.timedelta(days=invite_days()),
    )


def revoke_invite(therapist: Therapist, invite_id: int) -> None:
    Invite.objects.filter(
        pk=invite_id, therapist__clinic=therapist.clinic, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


def normalise_code(code: str) -> str:
    """Codes are read aloud and typed from paper: case, spaces and dashes do not matter."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


class InviteRefused(ServiceError):
    pass


def accept_invite(patient: AbstractBaseUser, code: str) -> Therapist:
    """Link the patient to the therapist who gave them the code. Accepting the same code twice (a
    double submit, two tabs) links once; a code used by someone else, expired or revoked is refused."""
    code = normalise_code(code)
    with transaction.atomic():
        lock_person(patient)
        profile, _ = Profile.objects.get_or_create(user=patient)
        if profile.role != Profile.PATIENT:
            raise InviteRefused("Only a patient's account can accept an invitation.")
        invite = (
            Invite.objects.select_for_update().select_related("therapist__user").filter(code=code).first()
        )
        if invite is None or invite.revoked_at is not None:
            raise InviteRefused("That code is not right. Check it with your therapist.")
        if invite.accepted_by_id is not None and invite.accepted_by_id != patient.pk:
            raise InviteRefused("That code has been used already. Ask your therapist for a new one.")
        if invite.accepted_by_id is None and invite.expires_at <= timezone.now():
            raise InviteRefused("That code has expired. Ask your therapist for a new one.")
        therapist = invite.therapist
        if invite.accepted_by_id is None:
            invite.accepted_by = patient  # type: ignore[assignment]
            invite.accepted_at = timezone.now()
            invite.save(update_fields=["accepted_by", "accepted_at"])
        if profile.therapist_id != therapist.user_id:
            profile.therapist = therapist.user
            profile.save(update_fields=["therapist"])
            audit(
                therapist.user,
                patient,
                AuditEvent.LINKED,
                clinic=therapist.clinic,
                detail={"invite": invite.pk},
            )
    return therapist


def unlink(patient: AbstractBaseUser) -> bool:
    """The patient ends the link with their therapist; their clinic no longer sees the record."""
    with transaction.atomic():
        lock_person(patient)
        profile = Profile.objects.select_related("therapist__therapist__clinic").filter(user=patient).first()
        if profile is None or profile.therapist is None:
            return False
        former = profile.therapist
        clinic = getattr(getattr(former, "therapist", None), "clinic", None)
        profile.therapist = None
        profile.save(update_fields=["therapist"])
        audit(patient, patient, AuditEvent.UNLINKED, clinic=clinic, detail={"therapist": former.email})
    return True


# --- Alerts ---------------------------------------------------------------------------------------


def acknowledge_alert(therapist: Therapist, patient_id: int, alert_id: int, note: str = "") -> Alert:
    return _review_alert(therapist, patient_id, alert_id, note, resolve=False)


def resolve_alert(therapist: Therapist, patient_id: int, alert_id: int, note: str = "") -> Alert:
    return _review_alert(therapist, patient_id, alert_id, note, resolve=True)


def _review_alert(therapist: Therapist, patient_id: int, alert_id: int, note: str, *, resolve: bool) -> Alert:
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(f"Keep the note under {NOTE_MAX} characters.")
    with transaction.atomic():
        patient = _patient(therapist, patient_id)
        alert = Alert.objects.select_for_update().filter(pk=alert_id, patient=patient).first()
        if alert is None:
            raise NotYourPatient("That alert is not in this patient's record.")
        now = timezone.now()
        fields = []
        if alert.acknowledged_at is None:
            alert.acknowledged_at, alert.acknowledged_by = now, therapist.user
            fields += ["acknowledged_at", "acknowledged_by"]
        if resolve and alert.resolved_at is None:
            alert.resolved_at, alert.resolved_by = now, therapist.user
            fields += ["resolved_at", "resolved_by"]
        if note and note != alert.therapist_note:
            alert.therapist_note = note
            fields.append("therapist_note")
        if fields:
            alert.save(update_fields=fields)
            action = AuditEvent.RESOLVED_ALERT if "resolved_at" in fields else AuditEvent.ACKNOWLEDGED_ALERT
            audit(
                therapist.user,
                patient,
                action,
                clinic=therapist.clinic,
                detail={"alert": alert.pk, "kind": alert.kind},
            )
    return alert


# --- The audit trail ------------------------------------------------------------------------------


def audit(
    actor: AbstractBaseUser,
    patient: AbstractBaseUser,
    action: str,
    *,
    clinic: Clinic | None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        actor_email=getattr(actor, "email", "") or actor.get_username(),
        patient=patient,
        clinic=clinic,
        action=action,
        detail=detail or {},
    )


def record_downloads(therapist: Therapist, patient_ids: list[int], what: str) -> None:
    """One DOWNLOADED entry per patient whose data left the server in a document."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=therapist.user,
            actor_email=therapist.user.email,
            patient_id=patient_id,
            clinic=therapist.clinic,
            action=AuditEvent.DOWNLOADED,
            detail={"document": what},
        )
        for patient_id in patient_ids
    )


def record_viewed(therapist: Therapist, patient: AbstractBaseUser, what: str = "record") -> None:
    audit(therapist.user, patient, AuditEvent.VIEWED_RECORD, clinic=therapist.clinic, detail={"page": what})


def _patient(therapist: Therapist, patient_id: int) -> AbstractBaseUser:
    patient = linked_patient(therapist, patient_id)
    if patient is None:
        raise NotYourPatient("That patient is not in your clinic's caseload.")
    return patient


# --- The program editor ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramEdit:
    """What the therapist saves: the exercise list in order, a note to the patient (why), a note per
    exercise, and a reason for each engine check they override (by exercise id)."""

    exercises: list[EditedExercise]
    note: str
    exercise_notes: dict[str, str]
    overrides: dict[str, str]
    based_on: int  # the version number the therapist was editing


class ChecksNotOverridden(ServiceError):
    """Some exercises fail the engine's checks and have no override reason."""

    def __init__(self, unresolved: dict[str, str]) -> None:
        self.unresolved = unresolved
        super().__init__(
            "Some choices go against this patient's precautions: give a reason to override each, or change them."
        )


class ProgramMoved(ServiceError):
    pass


def engine_checks(patient: AbstractBaseUser, edits: list[EditedExercise]) -> dict[str, dict[str, Any]]:
    """For each exercise: the refusals needing an override and the cautions, from the patient's intake."""
    intake_row = IntakeRecord.objects.filter(patient=patient).order_by("-created_at").first()
    catalog = default_catalog()
    result: dict[str, dict[str, Any]] = {e.id: {"refusals": [], "cautions": []} for e in edits}
    if intake_row is not None:
        for check in check_exercises(parse_intake(intake_row.data), [e.id for e in edits], catalog):
            if check.refusal:
                result[check.exercise_id]["refusals"].append(check.refusal)
            result[check.exercise_id]["cautions"] += list(check.cautions)
    for dose in dose_checks(edits, catalog):
        if dose.refusal:
            result[dose.exercise_id]["refusals"].append(dose.refusal)
    return result


def save_program(therapist: Therapist, patient_id: int, edit: ProgramEdit) -> ProgramVersion:
    """A new program version from the therapist's edit, once the engine's checks pass or are
    overridden with a reason. The same edit sent twice (a double submit) saves once; an edit of a
    version that has since changed (another tab, another therapist, the review) is refused."""
    note = edit.note.strip()
    if not note:
        raise ServiceError("Tell the patient why you changed their program.")
    if len(note) > NOTE_MAX or any(len(n) > NOTE_MAX for n in edit.exercise_notes.values()):
        raise ServiceError(f"Keep each note under {NOTE_MAX} characters.")
    with transaction.atomic():
        patient = _patient(therapist, patient_id)
        lock_person(patient)
        current = records.current_program(patient)
        if current is None:
            raise ServiceError("This patient has no program yet: they make one by finishing the intake.")
        updated, changes = apply_edits(current.program, edit.exercises, default_catalog())
        notes = {
            k: v.strip()
            for k, v in edit.exercise_notes.items()
            if v.strip() and k in {e.id for e in edit.exercises}
        }
        if current.number != edit.based_on:
            if (
                current.source == ProgramVersion.THERAPIST
                and current.changed_by_id == therapist.user_id
                and current.note == note
                and current.program["exercises"] == updated["exercises"]
                and current.exercise_notes == notes
            ):
                return current  # this very edit, saved a moment ago
            raise ProgramMoved(
                f"The program changed since you opened it (it is now version {current.number}). "
                "Look at the new version and make your change again."
            )
        checks = engine_checks(patient, edit.exercises)
        unresolved = {
            exercise_id: "; ".join(c["refusals"])
            for exercise_id, c in checks.items()
            if c["refusals"] and not edit.overrides.get(exercise_id, "").strip()
        }
        if unresolved:
            raise ChecksNotOverridden(unresolved)
        if not changes and notes == current.exercise_notes:
            raise ServiceError("Nothing changed: the program is as it was.")
        overrides = [
            {
                "exercise": exercise_id,
                "check": "; ".join(c["refusals"]),
                "reason": edit.overrides[exercise_id].strip()[:NOTE_MAX],
            }
            for exercise_id, c in checks.items()
            if c["refusals"]
        ]
        version = next_version(
            current,
            source=ProgramVersion.THERAPIST,
            program=updated,
            changes=changes or ["Your therapist's notes on your exercises changed."],
            exercise_notes=notes,
            changed_by=therapist.user,
            note=note,
            overrides=overrides,
        )
        # Suggestions were about the version they were made on; the therapist has now decided.
        ProgramSuggestion.objects.filter(patient=patient, status=ProgramSuggestion.OPEN).update(
            status=ProgramSuggestion.DECLINED,
            decided_by=therapist.user,
            decided_at=timezone.now(),
            reason="Superseded by the therapist's own change.",
        )
        audit(
            therapist.user,
            patient,
            AuditEvent.CHANGED_PROGRAM,
            clinic=therapist.clinic,
            detail={"version": version.number, "changes": changes, "overrides": overrides},
        )
    return version


def decide_suggestion(
    therapist: Therapist, patient_id: int, suggestion_id: int, *, accept: bool, reason: str = ""
) -> ProgramVersion | None:
    """Accept (a new program version with the change) or decline (with a reason) a held change.
    Deciding twice does nothing more."""
    with transaction.atomic():
        patient = _patient(therapist, patient_id)
        lock_person(patient)
        suggestion = (
            ProgramSuggestion.objects.select_for_update().filter(pk=suggestion_id, patient=patient).first()
        )
        if suggestion is None:
            raise NotYourPatient("That suggestion is not in this patient's record.")
        if suggestion.status != ProgramSuggestion.OPEN:
            return None
        if not accept and not reason.strip():
            raise ServiceError("Give a reason for declining, for the record.")
        suggestion.status = ProgramSuggestion.ACCEPTED if accept else ProgramSuggestion.DECLINED
        suggestion.decided_by, suggestion.decided_at = therapist.user, timezone.now()
        suggestion.reason = reason.strip()[:NOTE_MAX]
        suggestion.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
        version = None
        if accept:
            current = records.current_program(patient)
            if current is None:
                raise ServiceError("This patient has no program.")
            updated, changes = apply_review(current.program, suggestion.decision, default_catalog())
            if changes:
                version = next_version(
                    current,
                    source=ProgramVersion.THERAPIST,
                    program=updated,
                    changes=changes,
                    changed_by=therapist.user,
                    note=reason.strip()[:NOTE_MAX]
                    or "Your therapist approved the next step of your program.",
                )
        audit(
            therapist.user,
            patient,
            AuditEvent.CHANGED_PROGRAM if version else AuditEvent.DECLINED_SUGGESTION,
            clinic=therapist.clinic,
            detail={"suggestion": suggestion.pk, "accepted": accept, "change": suggestion.change},
        )
    return version
