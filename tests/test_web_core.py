"""The landing page and the health check."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_content_version(client: Client) -> None:
    from lumbar.domain.catalog import default_catalog

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "content_version": default_catalog().version,
    }
    assert "no-cache" in response["Cache-Control"]


def test_home_page_says_what_lumbar_is_and_links_to_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "lower back" in html
    assert 'href="/accounts/login/"' in html
    assert "not a substitute for a doctor" in html


def test_sign_in_page_has_labelled_fields(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html


def test_database_is_the_one_database_url_names() -> None:
    """`make test` runs the database tests twice: on SQLite, then on PostgreSQL via DATABASE_URL."""
    import os

    from django.db import connection

    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
