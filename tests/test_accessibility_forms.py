"""Refused forms, in a real browser: the page's title starts with "Error:", the focus is on an error
summary at the top, and the summary has a link to each field with an error that moves the focus to
that field (a group of options: its first option). A page that was not refused has neither."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.accessibility_helpers import focused, sign_in
from tests.care_helpers import PASSWORD, onboard

from lumbar.domain import screening

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def summary_links(page: Any) -> list[tuple[str, str]]:
    """The error summary's links: (text, the element it leads to, as `focused` describes it once
    followed). Each link is followed in turn, back from the summary."""
    summary = page.locator("[data-error-summary]")
    assert summary.count() == 1
    page.wait_for_load_state("load")
    page.wait_for_function("document.activeElement.matches('[data-error-summary]')", timeout=2000)
    assert focused(page) == f"div#{summary.get_attribute('id')}"
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    found = []
    for index in range(summary.locator("a").count()):
        link = summary.locator("a").nth(index)
        text = link.inner_text()
        link.click()
        found.append((text, focused(page)))
    return found


def test_a_refused_sign_up_names_its_field_and_takes_the_focus(live_server: Any, phone_page: Any) -> None:
    page, base = phone_page, live_server.url
    page.goto(base + "/signup/")
    assert page.title() == "Create your account · Lumbar"
    assert page.locator("[data-error-summary]").count() == 0
    page.get_by_label("Email").fill("new@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert page.title() == "Error: Create your account · Lumbar"
    assert summary_links(page) == [
        ("Please confirm that you have read how Lumbar can and cannot help.", "checkbox understood=1")
    ]
    page.get_by_label("Password").fill("short")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Create account").click()
    assert page.title() == "Error: Create your account · Lumbar"
    [(text, target)] = summary_links(page)
    assert "password" in text.lower()
    assert target == "input password"
    page.get_by_label("Email").fill("no-at-sign")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Create account").click()
    assert summary_links(page) == [("Please enter a valid email address.", "input email")]


def test_a_refused_sign_in_links_to_the_email(live_server: Any, phone_page: Any) -> None:
    page, base = phone_page, live_server.url
    page.goto(base + "/accounts/login/")
    page.get_by_role("button", name="Sign in").click()
    assert page.title() == "Error: Sign in · Lumbar"
    assert summary_links(page) == [("Enter your email and your password.", "input username")]
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.title() == "Error: Sign in · Lumbar"
    assert summary_links(page) == [
        ("That email and password did not match. Please try again.", "input username")
    ]


def test_refused_patient_forms_link_each_field_with_an_error(live_server: Any, phone_page: Any) -> None:
    onboard(Client())
    page, base = phone_page, live_server.url
    sign_in(page, base)
    # The pain before a session: a 0-10 scale, linked at its first option.
    page.goto(base + "/session/")
    page.get_by_role("button", name="Start").click()
    assert page.title().startswith("Error: Before you start")
    assert summary_links(page) == [("How bad is your back pain right now?", "radio pain=0")]
    # The check-in: the pain and each warning sign.
    page.goto(base + "/checkin/")
    page.get_by_role("button", name="Send").click()
    assert page.title() == "Error: Morning check-in · Lumbar"
    questions = screening.checkin_questions(False)
    assert summary_links(page) == [
        ("How bad is your back pain this morning?", "radio morning_pain=0"),
        *[(q.question, f"radio flag_{q.key}=no") for q in questions],
    ]
    # Changing the password: three text fields.
    page.goto(base + "/accounts/password/change/")
    page.get_by_role("button", name="Change my password").click()
    assert page.title() == "Error: Change your password · Lumbar"
    assert summary_links(page) == [
        ("Old password", "input old_password"),
        ("New password", "input new_password1"),
        ("New password confirmation", "input new_password2"),
    ]


def test_a_refusal_sent_back_to_the_settings_page_links_to_its_field(
    live_server: Any, phone_page: Any
) -> None:
    onboard(Client())
    page, base = phone_page, live_server.url
    sign_in(page, base)
    page.goto(base + "/settings/")
    assert page.title() == "Settings · Lumbar"
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    page.locator("#delete-password").fill("not-the-password")
    page.get_by_role("button", name="Delete my account and data").click()
    assert page.title() == "Error: Settings · Lumbar"
    [(text, target)] = summary_links(page)
    assert text.startswith("Your account was not deleted.")
    assert target == "input password"
    assert page.evaluate("document.activeElement.id") == "delete-password"
    page.locator("#export-password").fill("not-the-password")
    page.get_by_role("button", name="Download my data").click()
    [(text, _)] = summary_links(page)
    assert text.startswith("Nothing was downloaded.")
    assert page.evaluate("document.activeElement.id") == "export-password"
