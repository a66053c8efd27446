"""The request a signed-in page receives."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


class SignedInRequest(HttpRequest):
    """A request that passed `login_required` (and `patient_required`): its `user` is an account,
    never the anonymous user, so views and services can take it as the acting person."""

    user: User  # type: ignore[assignment]  (HttpRequest allows AnonymousUser; sign-in excluded it)
