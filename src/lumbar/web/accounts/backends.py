"""Sign-in by email whatever its case: Django's ModelBackend with a case-insensitive user name."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest


class EmailBackend(ModelBackend):
    """Matches the user name ignoring case (sign-up stores it in lower case; older accounts may not).

    An exact match wins if two old accounts differ only in case."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        username = username.strip()
        matches = list(
            user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__iexact": username})[:5]
        )
        exact = [u for u in matches if u.get_username() == username]
        user = exact[0] if exact else (matches[0] if len(matches) == 1 else None)
        if user is None:
            user_model().set_password(password)  # the same work as a wrong password, against timing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The user name django-axes counts failures under: the address, stripped and in lower case."""
    source: Any = credentials or (request.POST if request is not None else {})
    name = source.get("username") if source else None
    return name.strip().lower() if isinstance(name, str) else name
