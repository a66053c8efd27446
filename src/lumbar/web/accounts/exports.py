"""Sections other apps add to a person's data export, without accounts importing them.

An app registers a function in its AppConfig.ready(); the export calls each with the person and
writes what it returns as one more named JSON array (the clinic app adds the audit trail this way).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

Section = Callable[[AbstractBaseUser], Iterable[dict[str, Any]]]
_sections: dict[str, Section] = {}


def register_section(name: str, rows: Section) -> None:
    _sections[name] = rows


def extra_sections(user: AbstractBaseUser) -> list[tuple[str, Iterable[dict[str, Any]]]]:
    return [(name, rows(user)) for name, rows in _sections.items()]
