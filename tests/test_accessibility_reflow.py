"""Reflow (WCAG 1.4.10) and text spacing (1.4.12) in a real browser: at 320 px wide (a 1280 px screen
at 400% zoom), with and without the text-spacing overrides, no page scrolls sideways, and the signed-in
navigation wraps so that "Sign out" stays on the screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.accessibility_helpers import add_stylesheet
from tests.care_helpers import PASSWORD, onboard
from tests.care_history import do_session, patient, started_days_ago

from lumbar.web.outcomes import selectors as outcomes_selectors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The overrides of WCAG 2.2's success criterion 1.4.12, as its understanding document gives them.
TEXT_SPACING = """* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
  word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }"""

PUBLIC = ("/", "/exercises/", "/exercises/cat-cow/", "/learn/", "/signup/", "/accounts/login/")
SIGNED_IN = (
    "/today/",
    "/program/",
    "/progress/",
    "/progress/reassess/",
    "/checkin/",
    "/settings/",
    "/accounts/password/change/",
)


@pytest.fixture
def narrow_page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 320, "height": 640}, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def sideways(page: Any) -> list[str]:
    """How far the page scrolls sideways, and the elements that stick out past its right edge."""
    return page.evaluate(
        """() => {
      const width = document.documentElement.clientWidth;
      const out = [];
      if (document.documentElement.scrollWidth > width) out.push("page " + document.documentElement.scrollWidth);
      for (const el of document.querySelectorAll("body *")) {
        if (el.closest(".table-wrap, .visually-hidden")) continue;
        const box = el.getBoundingClientRect();
        if (box.width && box.right > width + 0.5) out.push(el.tagName.toLowerCase() + "." + el.className + " " + Math.round(box.right));
      }
      return out.slice(0, 8);
    }"""
    )


def on_screen(locator: Any, width: int = 320) -> bool:
    """Visible and wholly inside the screen's width."""
    box = locator.bounding_box()
    return locator.is_visible() and box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def check_every_page(page: Any, base: str, paths: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for spacing in (False, True):
        for path in paths:
            page.goto(base + path)
            if spacing:
                add_stylesheet(page, TEXT_SPACING)
            if problems := sideways(page):
                found[f"{path}{' with text spacing' if spacing else ''}"] = problems
    return found


def test_public_pages_reflow_at_320px_with_and_without_text_spacing(
    live_server: Any, narrow_page: Any
) -> None:
    assert check_every_page(narrow_page, live_server.url, PUBLIC) == {}


def test_signed_in_pages_reflow_at_320px_and_sign_out_stays_on_screen(
    live_server: Any, narrow_page: Any
) -> None:
    onboard(Client())
    user = patient()
    started_days_ago(user, outcomes_selectors.reassessment_weeks()[0] * 7 + 3)
    for n in (5, 3, 1):
        do_session(user, timezone.localdate() - dt.timedelta(days=n), before=5, after=4)
    page, base = narrow_page, live_server.url
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill("pat@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/today/")
    assert check_every_page(page, base, SIGNED_IN) == {}
    # The session player too.
    page.goto(base + "/session/")
    page.get_by_role("group", name="How bad is your back pain right now?").get_by_role(
        "radio", name="4"
    ).check()
    page.get_by_role("button", name="Start").click()
    assert sideways(page) == []
    add_stylesheet(page, TEXT_SPACING)
    assert sideways(page) == []
    # Every link of the navigation, "Sign out" last, is inside the screen with the spacing on.
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Today", "Program", "Progress", "Settings"):
        assert on_screen(nav.get_by_role("link", name=name)), name
    assert on_screen(nav.get_by_role("button", name="Sign out"))
