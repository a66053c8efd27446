"""Accounts: resetting a forgotten password by an emailed link, and sign-in throttling (django-axes)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.test import Client
from tests.care_helpers import PASSWORD, sign_up
from tests.care_history import patient

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-42"


def sign_in(client: Client, email: str, password: str) -> object:
    return client.post("/accounts/login/", {"username": email, "password": password})


def signed_in(client: Client) -> bool:
    """Signed-in people are never sent to the sign-in page (a new one goes on to onboarding)."""
    response = client.get("/today/")
    return not (response.status_code == 302 and response["Location"].startswith("/accounts/login/"))


# --- Password reset --------------------------------------------------------------------------------


def test_a_forgotten_password_is_reset_through_an_emailed_link() -> None:
    sign_up(Client())
    login_page = Client().get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/"' in login_page
    client = Client()
    form = client.get("/accounts/password/reset/").content.decode()
    assert '<label class="field-label" for="id_email">' in form
    response = client.post("/accounts/password/reset/", {"email": "pat@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert "Check your email" in client.get(response["Location"]).content.decode()
    [message] = mail.outbox
    assert message.to == ["pat@example.org"]
    assert message.subject == "Choose a new password for Lumbar"
    link = re.search(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert link is not None
    # Django swaps the token in the address for one kept in the session, then shows the form.
    confirm = client.get(link.group(1))
    assert confirm.status_code == 302
    form_page = client.get(confirm["Location"]).content.decode()
    assert "Choose a new password" in form_page
    done = client.post(confirm["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/accounts/password/reset/done/"
    assert "Your new password is saved" in client.get(done["Location"]).content.decode()
    fresh = Client()
    sign_in(fresh, "pat@example.org", NEW_PASSWORD)
    assert signed_in(fresh)
    # The link works once.
    again = Client().get(link.group(1), follow=True).content.decode()
    assert "This link has expired" in again


def test_an_unknown_address_gets_the_same_answer_and_no_email() -> None:
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


# --- Throttling ----------------------------------------------------------------------------------------


def test_after_five_wrong_passwords_the_sixth_try_is_refused_even_with_the_right_password() -> None:
    sign_up(Client())
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for attempt in range(1, 5):
        response = sign_in(client, "pat@example.org", f"wrong-{attempt}")
        assert response.status_code == 200  # type: ignore[attr-defined]
        assert "That email and password did not match" in response.content.decode()  # type: ignore[attr-defined]
    fifth = sign_in(client, "pat@example.org", "wrong-5")
    assert fifth.status_code == 429  # type: ignore[attr-defined]
    sixth = sign_in(client, "pat@example.org", PASSWORD)
    assert sixth.status_code == 429  # type: ignore[attr-defined]
    page = sixth.content.decode()  # type: ignore[attr-defined]
    assert "Too many attempts to sign in" in page
    assert (
        "After 5 wrong passwords in a row, signing in to this account from here is paused for 15 minutes."
        in page
    )
    assert 'href="/accounts/password/reset/"' in page
    assert not signed_in(client)


def test_the_pause_is_per_account_and_address_and_ends_after_the_cool_off() -> None:
    sign_up(Client(), "pat@example.org")
    sign_up(Client(), "sam@example.org")
    client = Client()
    for attempt in range(5):
        sign_in(client, "pat@example.org", f"wrong-{attempt}")
    # Another account from the same address still signs in.
    other = Client()
    sign_in(other, "sam@example.org", PASSWORD)
    assert signed_in(other)
    # The same account from another address still signs in (a stranger cannot lock a person out).
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    sign_in(elsewhere, "pat@example.org", PASSWORD)
    assert signed_in(elsewhere)
    # Once the cool-off has passed, the right password works again from the first address.
    AccessAttempt.objects.update(
        attempt_time=dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    )
    later = Client()
    sign_in(later, "pat@example.org", PASSWORD)
    assert signed_in(later)


def test_tests_that_are_not_about_throttling_can_sign_in_without_the_login_form(client: Client) -> None:
    sign_up(Client())
    client.force_login(patient())
    assert signed_in(client)


# --- Navigation ---------------------------------------------------------------------------------------


def test_signed_in_pages_link_to_progress_and_settings(client: Client) -> None:
    sign_up(client)
    page = client.get("/").content.decode()
    nav = page.split('aria-label="Main"')[1].split("</nav>")[0]
    assert '<a href="/progress/">Progress</a>' in nav
    assert '<a href="/settings/">Settings</a>' in nav
    anonymous = Client().get("/").content.decode().split('aria-label="Main"')[1].split("</nav>")[0]
    assert "/progress/" not in anonymous
