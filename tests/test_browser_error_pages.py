"""In a real browser: public pages, the sign-up page and the app's 404 page load with no console
error and no failed request (the favicon included)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_and_the_404_page_have_no_console_errors_or_failed_requests(
    live_server: Any, phone_page: Any
) -> None:
    page = phone_page
    errors: list[str] = []
    failed: list[str] = []
    page.on(
        "console", lambda msg: errors.append(f"{msg.text} at {msg.location}") if msg.type == "error" else None
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    base = live_server.url
    for path in ("/", "/exercises/", "/learn/", "/signup/", "/accounts/login/"):
        assert page.goto(base + path).status == 200, path
    missing = base + "/no-such-page/"
    assert page.goto(missing).status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert page.get_by_role("navigation", name="Main").is_visible()
    page.get_by_role("link", name="Go to the home page").click()
    assert page.url == base + "/"
    assert page.goto(base + "/favicon.ico").status == 200
    # The 404 document itself is expected; nothing else may fail or log an error.
    assert [f for f in failed if f != f"404 {missing}"] == []
    assert [e for e in errors if missing not in e] == []
