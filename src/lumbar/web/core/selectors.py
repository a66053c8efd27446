"""Reads for the core pages: health of the database and the content library."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from lumbar.domain.catalog import Catalog, default_catalog


@dataclass(frozen=True)
class Health:
    database_ok: bool
    content_version: str | None

    @property
    def ok(self) -> bool:
        return self.database_ok and self.content_version is not None


def health() -> Health:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            database_ok = cursor.fetchone() == (1,)
    except Exception:
        database_ok = False
    try:
        version: str | None = default_catalog().version
    except Exception:
        version = None
    return Health(database_ok=database_ok, content_version=version)


def catalog() -> Catalog:
    return default_catalog()
