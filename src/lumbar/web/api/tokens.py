"""Personal access tokens: made and revoked from the settings page, checked on every API request.

A token reads `lumbar_<prefix>_<secret>`: 12 hexadecimal characters that name the row (shown in the
settings page, safe to log) and 256 random bits. Only the SHA-256 of the whole token is stored: a
hash of a random secret that long needs no salt or slow hashing, and the database cannot give a
working token back. The token itself is shown once, when it is made.

Policy (ours, not a clinical number): a token lasts 7, 30 or 90 days, never longer, and a person has
at most MAX_ACTIVE_TOKENS at once. A token ends early when it is revoked, when the account is
deleted (its rows go with it), or when the password changes (a token made by someone who had the
password stops working when the owner changes it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from lumbar.web.api.models import AccessToken
from lumbar.web.records.services import ServiceError, lock_person

TOKEN_START = "lumbar_"  # noqa: S105 (the tokens' prefix, not a secret)
LIFETIME_DAYS = (7, 30, 90)
DEFAULT_LIFETIME_DAYS = 30
MAX_LIFETIME_DAYS = max(LIFETIME_DAYS)
MAX_ACTIVE_TOKENS = 10
NAME_MAX = 60
# last_used_at is written at most this often per token (every request would be a write).
TOUCH_EVERY = dt.timedelta(minutes=1)

_TOKEN = re.compile(r"lumbar_(?P<prefix>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class NewToken:
    record: AccessToken
    token: str  # the whole token, to show once; never stored


class TokenRejected(Exception):
    """The bearer token does not open the API; `reason` is one of the REASONS keys."""

    REASONS: ClassVar[dict[str, str]] = {
        "malformed": "That is not a Lumbar access token.",
        "unknown": "That access token is not valid.",
        "revoked": "That access token was revoked.",
        "expired": "That access token has expired.",
        "password-changed": "That access token stopped working when the account's password changed.",
        "inactive": "The account of that access token cannot sign in.",
    }

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(self.REASONS[reason])


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_tokens(user: AbstractBaseUser, *, now: dt.datetime | None = None) -> list[AccessToken]:
    """The person's tokens that still work, newest first."""
    now = now or timezone.now()
    return list(AccessToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now))


def listed_tokens(user: AbstractBaseUser) -> list[AccessToken]:
    """What the settings page lists: every token not revoked (an expired one is shown as such)."""
    return list(AccessToken.objects.filter(user=user, revoked_at__isnull=True))


def create_token(
    user: AbstractBaseUser, name: str, scope: str, days: int, *, now: dt.datetime | None = None
) -> NewToken:
    """Make a token for the person. Raises ServiceError for a bad name, scope or lifetime, or when
    they already have MAX_ACTIVE_TOKENS working tokens."""
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError("Give the token a name, such as the app or script that will use it.")
    if len(name) > NAME_MAX or _CONTROL.search(name):
        raise ServiceError(f"Keep the name to {NAME_MAX} letters, numbers and spaces.")
    if scope not in (AccessToken.READ, AccessToken.WRITE):
        raise ServiceError("Choose what the token may do: read, or read and write.")
    if days not in LIFETIME_DAYS:
        raise ServiceError(f"A token lasts {', '.join(map(str, LIFETIME_DAYS))} days at most.")
    now = now or timezone.now()
    with transaction.atomic():
        lock_person(user)  # two tabs cannot pass the limit together
        if len(active_tokens(user, now=now)) >= MAX_ACTIVE_TOKENS:
            raise ServiceError(
                f"You have {MAX_ACTIVE_TOKENS} tokens already. Revoke one you no longer use first."
            )
        while True:
            prefix = secrets.token_hex(6)
            if not AccessToken.objects.filter(prefix=prefix).exists():
                break
        token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
        record = AccessToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            digest=digest(token),
            scope=scope,
            auth_hash=user.get_session_auth_hash(),
            expires_at=now + dt.timedelta(days=days),
        )
    return NewToken(record=record, token=token)


def revoke_token(user: AbstractBaseUser, token_id: int, *, now: dt.datetime | None = None) -> bool:
    """Stop one of the person's tokens at once. True if it was working; revoking again, or another
    person's token, changes nothing."""
    updated = AccessToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )
    return bool(updated)


def authenticate(token: str, *, now: dt.datetime | None = None) -> AccessToken:
    """The token's row, with its user, if the token opens the API now; else TokenRejected."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise TokenRejected("malformed")
    record = AccessToken.objects.select_related("user").filter(prefix=match["prefix"]).first()
    if record is None or not constant_time_compare(record.digest, digest(token)):
        raise TokenRejected("unknown")
    now = now or timezone.now()
    if record.revoked_at is not None:
        raise TokenRejected("revoked")
    if record.expires_at <= now:
        raise TokenRejected("expired")
    if not record.user.is_active:
        raise TokenRejected("inactive")
    if not constant_time_compare(record.auth_hash, record.user.get_session_auth_hash()):
        raise TokenRejected("password-changed")
    if record.last_used_at is None or now - record.last_used_at >= TOUCH_EVERY:
        AccessToken.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
    return record
