"""The landing page in a real browser at phone size."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_fits_a_360px_phone_without_sideways_scrolling(live_server: Any, phone_page: Any) -> None:
    phone_page.goto(live_server.url + "/")
    assert phone_page.locator("h1").inner_text() == "Exercise for your lower back, safely, at home"
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360


def test_keyboard_user_can_skip_to_content_and_reach_sign_in(live_server: Any, phone_page: Any) -> None:
    phone_page.goto(live_server.url + "/")
    phone_page.keyboard.press("Tab")
    assert phone_page.evaluate("document.activeElement.textContent") == "Skip to content"
    phone_page.keyboard.press("Enter")
    assert phone_page.evaluate("document.activeElement.id") == "main"
    phone_page.get_by_role("link", name="Sign in").first.click()
    assert phone_page.url.endswith("/accounts/login/")
    assert phone_page.get_by_label("Email").is_visible()
