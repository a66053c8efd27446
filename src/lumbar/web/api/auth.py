"""Who is calling: a personal access token (Authorization: Bearer), or a signed-in browser (reading
only). Each operation names the auth it takes; a caller that passes it is checked for their role
and counted against the rate limit, so `request.auth` is always an admitted Caller.

Reading (GET) takes a token of either scope or the browser's session cookie (no CSRF token is needed
to read: a GET changes nothing). Writing takes a token with write scope only: a cookie is sent by
the browser on its own, a token is not, so a write through the API cannot be forged by another site.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from lumbar.web.api import ratelimit, tokens
from lumbar.web.api.models import AccessToken
from lumbar.web.api.problems import Problem
from lumbar.web.records.models import Profile

REALM = 'Bearer realm="lumbar"'


@dataclass(frozen=True)
class Caller:
    user: AbstractBaseUser
    token: AccessToken | None  # None: a browser signed in to Lumbar

    @property
    def rate_key(self) -> str:
        return f"token:{self.token.pk}" if self.token is not None else f"user:{self.user.pk}"


ROLE_WORDS = {Profile.PATIENT: "patients", Profile.THERAPIST: "physical therapists"}


def admit(request: HttpRequest, caller: Caller, role: str) -> Caller:
    """The caller's role must be `role` (an account without a profile becomes a patient, as on the
    pages); then the request is counted against the caller's rate limit."""
    profile, _ = Profile.objects.get_or_create(user=caller.user)
    if profile.role != role:
        slug = "patients-only" if role == Profile.PATIENT else "therapists-only"
        raise Problem(slug, f"These endpoints are for {ROLE_WORDS.get(role, role)}.")
    try:
        ratelimit.count_request(caller.user, caller.rate_key)
    except ratelimit.RateLimited as exc:
        raise Problem(
            "rate-limited",
            str(exc),
            headers={"Retry-After": str(exc.retry_after)},
            retry_after=exc.retry_after,
        ) from None
    request.user = caller.user  # type: ignore[assignment]  (for logging and the no-store middleware)
    return caller


class BearerToken(HttpBearer):
    """`Authorization: Bearer lumbar_...`, a personal access token made in Settings."""

    openapi_bearerFormat = "lumbar_<12 hex>_<secret>"  # noqa: N815 (the OpenAPI member's name)
    openapi_description = (
        "A personal access token made in Settings. A read token may GET; POST and PUT need a token "
        "with read and write access."
    )

    def __init__(self, *, write: bool, role: str = Profile.PATIENT) -> None:
        self.write = write
        self.role = role
        super().__init__()

    def __call__(self, request: HttpRequest) -> Caller | None:
        value = request.headers.get(self.header, "").strip()
        if not value:
            return None
        scheme, _, credentials = value.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise Problem(
                "invalid-token",
                "Send the token as: Authorization: Bearer <token>.",
                headers={"WWW-Authenticate": f'{REALM}, error="invalid_request"'},
            )
        return self.authenticate(request, credentials.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        try:
            record = tokens.authenticate(token)
        except tokens.TokenRejected as exc:
            raise Problem(
                "invalid-token",
                str(exc),
                headers={"WWW-Authenticate": f'{REALM}, error="invalid_token", error_description="{exc}"'},
                reason=exc.reason,
            ) from None
        if self.write and record.scope != AccessToken.WRITE:
            raise Problem(
                "insufficient-scope",
                "This token may only read. Make a token with read and write access in Settings.",
                headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="write"'},
            )
        return admit(request, Caller(user=record.user, token=record), self.role)


class BrowserSession(APIKeyCookie):
    """The session cookie of a browser signed in to Lumbar: for reading (GET) only."""

    param_name: str = settings.SESSION_COOKIE_NAME
    openapi_description = "The session cookie of a browser signed in to Lumbar: for GET only."

    def __init__(self, role: str = Profile.PATIENT) -> None:
        self.role = role
        super().__init__(csrf=False)  # only ever on GET operations, which change nothing

    def authenticate(self, request: HttpRequest, key: Any) -> Caller | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return admit(request, Caller(user=user, token=None), self.role)


def reading(role: str = Profile.PATIENT) -> list[Any]:
    return [BearerToken(write=False, role=role), BrowserSession(role=role)]


def writing(role: str = Profile.PATIENT) -> list[Any]:
    return [BearerToken(write=True, role=role)]


def caller(request: HttpRequest) -> Caller:
    found = getattr(request, "auth", None)
    assert isinstance(found, Caller), "the operation has no auth"
    return found
