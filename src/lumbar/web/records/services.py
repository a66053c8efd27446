"""Writes every part of the site shares: the error a service raises for a request it cannot carry out,
the per-person lock that makes create-once writes safe to race, and program numbering.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser

from lumbar.web.records.models import (
    Profile,
    ProgramVersion,
)


class ServiceError(Exception):
    """A request that cannot be carried out as asked; the message is shown to the person."""


def lock_person(user: AbstractBaseUser) -> None:
    """Serialise one person's create-once writes inside the caller's transaction: lock their profile
    row (PostgreSQL); on SQLite the IMMEDIATE transaction already holds the database's write lock."""
    list(Profile.objects.select_for_update().filter(user=user).values_list("pk", flat=True))


def next_program_number(user: AbstractBaseUser) -> int:
    latest = (
        ProgramVersion.objects.filter(patient=user)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return (latest or 0) + 1
