"""Writes for accounts: sign-up with a confirmed email, a new calendar link, and deleting the account
with everything in it (and every trace of it in the database files)."""

from __future__ import annotations

import dataclasses
import enum
import logging
import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from lumbar.web.core import charts
from lumbar.web.records.models import ExerciseSession, Profile, ProgramVersion, new_feed_token
from lumbar.web.records.services import ServiceError

User = get_user_model()
log = logging.getLogger(__name__)

# The person must type this word to delete their account (compared ignoring case and spaces).
DELETE_CONFIRMATION = "DELETE"


def new_calendar_token(user: AbstractBaseUser) -> str:
    """Replace the calendar feed's key: the old link stops working at once."""
    token = new_feed_token()
    profile, _ = Profile.objects.get_or_create(user=user)
    profile.calendar_token = token
    profile.save(update_fields=["calendar_token"])
    return token


def delete_account_and_data(user: AbstractBaseUser, confirmation: str) -> None:
    """Delete the person, everything they recorded, their sessions on every device, the sign-in
    attempts and logs kept under their name and their password-reset counts; then, on SQLite, empty
    the write-ahead log so that nothing of it stays in the database files (deleted rows are already
    overwritten with zeros: PRAGMA secure_delete in the settings). The caller checked the password."""
    if confirmation.strip().upper() != DELETE_CONFIRMATION:
        raise ServiceError(f"To delete your account, type {DELETE_CONFIRMATION} in the box.")
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from lumbar.web.security import throttle

    username = user.get_username()
    email = getattr(user, "email", "") or username
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete=ON")
    with transaction.atomic():
        delete_sessions_of(user.pk)
        delete_account(user)
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username__iexact=username).delete()
        for address in {username, email}:
            throttle.forget("reset-address", address)
    transaction.on_commit(checkpoint_database)


def delete_sessions_of(user_pk: Any) -> int:
    """Sign the person out on every device: delete every stored session that carries their id."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    doomed = [
        session.pk
        for session in Session.objects.iterator(chunk_size=500)
        if session.get_decoded().get(SESSION_KEY) == str(user_pk)
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


CHECKPOINT_TRIES = 5


def checkpoint_database() -> bool:
    """SQLite: copy the write-ahead log into the database and truncate it to nothing, so the pages
    that held a deleted account survive in neither file. Readers can hold it up for a moment (the
    busy timeout waits for them); it is tried again a few times. Other databases: nothing to do here
    (PostgreSQL: see docs/web.md, "Running it for a clinic", on VACUUM)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return False
    for attempt in range(CHECKPOINT_TRIES):
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = cursor.fetchone()
        if row is not None and row[0] == 0:
            return True
        time.sleep(0.1 * (attempt + 1))
    log.warning("the write-ahead log could not be emptied after an account deletion (readers kept it busy)")
    return False


# --- Sign-up with a confirmed email -----------------------------------------------------------------
#
# Sign-up answers the same whether or not the address has an account (having an account here says
# something about a person's health). A new address gets an inactive account and a confirmation link;
# an address that already has an account gets a message saying someone tried to sign up, with sign-in
# and password-reset links. Both links have the same shape: a signed, timestamped "<pk>.<digest>".

_LINK_SALT = "lumbar.signup.confirm"
_DIGEST_SALT = "lumbar.signup.confirm.digest"


@dataclasses.dataclass(frozen=True)
class SignUpResult:
    """What the page may show: the address as stored and the link that was emailed (its path)."""

    email: str
    link_path: str


class ConfirmOutcome(enum.Enum):
    CONFIRMED = "confirmed"  # the account was pending and now works
    HAS_ACCOUNT = "has_account"  # already confirmed (a second click) or an existing-address link
    INVALID = "invalid"  # expired, tampered with, or the account is gone


def normalise_email(email: str) -> str:
    return User.objects.normalize_email(email or "").strip().lower()


def _digest(user: AbstractBaseUser) -> str:
    # Changes when the account is activated or its password changes, so a link works once.
    value = f"{user.pk}|{user.password}|{user.is_active}|{getattr(user, 'email', '')}"
    return salted_hmac(_DIGEST_SALT, value, algorithm="sha256").hexdigest()[:32]


def confirmation_token(user: AbstractBaseUser) -> str:
    return TimestampSigner(salt=_LINK_SALT).sign(f"{user.pk}.{_digest(user)}")


def _has_account_token(user: AbstractBaseUser) -> str:
    # Looks like a confirmation token but confirms nothing: it leads to "this address has an account".
    return TimestampSigner(salt=_LINK_SALT).sign(f"{user.pk}.{secrets.token_hex(16)}")


def _link_path(token: str) -> str:
    return reverse("signup-confirm", kwargs={"token": token})


def _send(template: str, email: str, context: dict[str, Any]) -> None:
    subject = render_to_string(f"registration/{template}_subject.txt", context).strip()
    body = render_to_string(f"registration/{template}_email.txt", context)
    send_mail(subject, body, None, [email])


def sign_up(email: str, password: str, *, site_url: str) -> SignUpResult:
    """Create a pending account (or tell an existing one someone tried) and email the link.

    Raises ServiceError for an invalid address or a weak password, whether or not the address has an
    account. `site_url` is the site's root URL ("http://127.0.0.1:8000/") for the emailed links."""
    email = normalise_email(email)
    if not email or "@" not in email or len(email) > 150:
        raise ServiceError("Please enter a valid email address.")
    try:
        validate_password(password, User(username=email, email=email))
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages)) from None
    root = site_url.rstrip("/")
    user = User.objects.filter(username__iexact=email).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=email, email=email, password=password, is_active=False
                )
                Profile.objects.create(user=user, role=Profile.PATIENT)
        except IntegrityError:  # a simultaneous sign-up with the same address won the race
            user = User.objects.filter(username__iexact=email).first()
            if user is None:
                raise
        else:
            return _send_confirmation(user, email, root)
    if not user.is_active and user.last_login is None:
        # Never confirmed and never used: the latest sign-up sets the password and gets a fresh link
        # (the earlier links stop working, since the digest covers the password).
        with transaction.atomic():
            user.set_password(password)
            user.save(update_fields=["password"])
        return _send_confirmation(user, email, root)
    token = _has_account_token(user)
    _send(
        "signup_exists",
        email,
        {
            "email": email,
            "login_url": root + reverse("login"),
            "reset_url": root + reverse("password_reset"),
        },
    )
    return SignUpResult(email=email, link_path=_link_path(token))


def _send_confirmation(user: AbstractBaseUser, email: str, root: str) -> SignUpResult:
    path = _link_path(confirmation_token(user))
    max_age_days = max(1, settings.LUMBAR_SIGNUP_LINK_MAX_AGE // 86400)
    _send("signup_confirm", email, {"email": email, "confirm_url": root + path, "days": max_age_days})
    return SignUpResult(email=email, link_path=path)


def confirm_email(token: str) -> tuple[ConfirmOutcome, AbstractBaseUser | None]:
    """Follow a sign-up link: a pending account becomes usable; following it again changes nothing."""
    try:
        value = TimestampSigner(salt=_LINK_SALT).unsign(token, max_age=settings.LUMBAR_SIGNUP_LINK_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return ConfirmOutcome.INVALID, None
    pk, _, digest = value.partition(".")
    if not pk.isdigit():
        return ConfirmOutcome.INVALID, None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=int(pk)).first()
        if user is None:
            return ConfirmOutcome.INVALID, None
        if not user.is_active and constant_time_compare(digest, _digest(user)):
            user.is_active = True
            user.save(update_fields=["is_active"])
            return ConfirmOutcome.CONFIRMED, user
    return ConfirmOutcome.HAS_ACCOUNT, None


def delete_account(user: AbstractBaseUser) -> None:
    """Delete the person and everything they recorded (cascades through every care table), and once
    that is committed, the charts drawn of it from the shared cache."""
    user_pk = user.pk
    with transaction.atomic():
        ExerciseSession.objects.filter(patient=user).delete()
        ProgramVersion.objects.filter(patient=user).delete()
        User.objects.filter(pk=user_pk).delete()
        transaction.on_commit(lambda: charts.forget(user_pk))
