"""Reads for the core pages: health of the database and the content library."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from lumbar.domain.catalog import Catalog, default_catalog


@dataclass(frozen=True)
class Health:
    database_ok: bool
    content_version: str | None
    # Why the database cannot take writes (a full disk, a read-only data directory), or None.
    read_only: str | None = None

    @property
    def ok(self) -> bool:
        return self.database_ok and self.read_only is None and self.content_version is not None


def health() -> Health:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            database_ok = cursor.fetchone() == (1,)
    except Exception:
        database_ok = False
    from lumbar.web.security.failures import cannot_write

    read_only = cannot_write()
    try:
        version: str | None = default_catalog().version
    except Exception:
        version = None
    return Health(database_ok=database_ok, content_version=version, read_only=read_only)


def catalog() -> Catalog:
    return default_catalog()
