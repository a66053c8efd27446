"""Writes every part of the site shares: the error a service raises for a request it cannot carry out,
the per-person lock that makes create-once writes safe to race, and program numbering.
"""

from __future__ import annotations

from typing import Any

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


def next_version(
    current: ProgramVersion,
    *,
    source: str,
    program: dict[str, Any],
    changes: list[str],
    exercise_notes: dict[str, str] | None = None,
    **therapist: Any,
) -> ProgramVersion:
    """The version after `current`, inside the caller's transaction (which holds `lock_person`): the
    next number, the same intake, and the therapist's notes on the exercises still in the program
    unless new notes are given. `therapist` holds a therapist's changed_by, note and overrides."""
    kept = {entry["id"] for entry in program.get("exercises", [])}
    notes = current.exercise_notes if exercise_notes is None else exercise_notes
    return ProgramVersion.objects.create(
        patient=current.patient,
        number=next_program_number(current.patient),
        source=source,
        program=program,
        changes=changes,
        intake=current.intake,
        exercise_notes={k: v for k, v in notes.items() if k in kept},
        **therapist,
    )
