"""Sign-up: the same answer for a new and an existing address, a confirmed email before the account
works, case-insensitive sign-in, no 500 under simultaneous sign-ups; and the app's error pages,
robots.txt and favicon."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, connections
from django.test import Client, RequestFactory, override_settings
from django.views import defaults
from tests.care_helpers import PASSWORD, confirmation_path, sign_up

from lumbar.web.accounts import services as accounts_services

User = get_user_model()
LOOPBACK = {"HTTP_HOST": "127.0.0.1:8000"}
TOKEN = re.compile(r"/signup/confirm/[^/\s\"]+/")


def post_signup(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post("/signup/", {"email": email, "password": password, "understood": "1"})


def page_shape(response: Any, email: str) -> str:
    """The page with the address and any link's token taken out."""
    text = response.content.decode().replace(email, "EMAIL")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    return TOKEN.sub("/signup/confirm/TOKEN/", text)


def token_shape(path: str) -> str:
    return re.sub(r"[A-Za-z0-9_-]", "x", path)


def signs_in(email: str, password: str = PASSWORD) -> bool:
    client = Client()
    response = client.post("/accounts/login/", {"username": email, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


# --- The same answer for every address ---------------------------------------------------------------


@pytest.mark.django_db
def test_signup_answers_the_same_for_new_and_existing_email() -> None:
    sign_up(Client(), "pat@example.org")
    existing = post_signup(Client(), "pat@example.org")
    new = post_signup(Client(), "sam@example.org")
    assert existing.status_code == new.status_code == 200
    assert "Check your email to confirm" in new.content.decode()
    assert page_shape(existing, "pat@example.org") == page_shape(new, "sam@example.org")
    assert existing.cookies.keys() == new.cookies.keys()


@pytest.mark.django_db
def test_on_loopback_the_page_shows_a_link_of_the_same_shape_for_new_and_existing_email() -> None:
    sign_up(Client(), "pat@example.org")
    existing = post_signup(Client(**LOOPBACK), "pat@example.org")
    new = post_signup(Client(**LOOPBACK), "sam@example.org")
    assert page_shape(existing, "pat@example.org") == page_shape(new, "sam@example.org")
    [existing_link] = TOKEN.findall(existing.content.decode())
    [new_link] = TOKEN.findall(new.content.decode())
    assert len(existing_link) == len(new_link)
    assert token_shape(existing_link) == token_shape(new_link)
    # The new address's link confirms the account; the existing one's says it has an account.
    assert new_link == confirmation_path("sam@example.org")
    confirmed = Client(**LOOPBACK).get(new_link)
    assert confirmed["Location"] == "/start/"
    has_account = Client(**LOOPBACK).get(existing_link).content.decode()
    assert "This address already has an account" in has_account
    assert 'href="/accounts/login/"' in has_account
    assert 'href="/accounts/password/reset/"' in has_account


@pytest.mark.django_db
def test_the_link_is_not_shown_off_loopback_or_when_the_setting_is_off() -> None:
    elsewhere = post_signup(Client(), "sam@example.org")  # host "testserver"
    assert not TOKEN.search(elsewhere.content.decode())
    assert "printed in the window where Lumbar runs" in elsewhere.content.decode()
    from_elsewhere = post_signup(Client(REMOTE_ADDR="192.0.2.7", **LOOPBACK), "lee@example.org")
    assert not TOKEN.search(from_elsewhere.content.decode())  # "Host: 127.0.0.1" sent from afar
    with override_settings(LUMBAR_SHOW_LINKS_ON_LOOPBACK=False):
        off = post_signup(Client(**LOOPBACK), "kim@example.org")
    assert not TOKEN.search(off.content.decode())


@pytest.mark.django_db
def test_existing_email_gets_a_someone_tried_to_sign_up_email() -> None:
    sign_up(Client(), "pat@example.org")
    mail.outbox.clear()
    post_signup(Client(), "Pat@Example.org", "a-different-passphrase-9")
    [message] = mail.outbox
    assert message.to == ["pat@example.org"]
    assert message.subject == "Someone tried to sign up to Lumbar with your email"
    assert "http://testserver/accounts/login/" in message.body
    assert "http://testserver/accounts/password/reset/" in message.body
    assert "/signup/confirm/" not in message.body
    # Nothing changed: the password is still the old one.
    assert signs_in("pat@example.org")
    assert not signs_in("pat@example.org", "a-different-passphrase-9")
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_new_email_gets_a_confirmation_email() -> None:
    post_signup(Client(), "sam@example.org")
    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert message.subject == "Confirm your email for Lumbar"
    assert re.search(r"http://testserver/signup/confirm/\S+/", message.body)


@pytest.mark.django_db
def test_weak_password_or_bad_address_is_refused_the_same_for_new_and_existing_email() -> None:
    sign_up(Client(), "pat@example.org")
    mail.outbox.clear()
    existing = post_signup(Client(), "pat@example.org", "short")
    new = post_signup(Client(), "sam@example.org", "short")
    assert page_shape(existing, "pat@example.org") == page_shape(new, "sam@example.org")
    assert "Create your account" in new.content.decode()
    assert "Please enter a valid email address." in post_signup(Client(), "not-an-address").content.decode()
    assert mail.outbox == []


# --- Confirmation ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_account_signs_in_only_after_confirmation_link() -> None:
    response = post_signup(Client(), "sam@example.org")
    assert "_auth_user_id" not in response.client.session
    assert not signs_in("sam@example.org")
    assert Client().get("/today/")["Location"].startswith("/accounts/login/")
    client = Client()
    confirmed = client.get(confirmation_path("sam@example.org"))
    assert confirmed["Location"] == "/start/"  # signed in, on to the warning-sign questions
    assert client.get("/start/").status_code in (200, 302)
    assert "_auth_user_id" in client.session
    assert signs_in("sam@example.org")


@pytest.mark.django_db
def test_confirmation_link_twice_is_harmless() -> None:
    post_signup(Client(), "sam@example.org")
    link = confirmation_path("sam@example.org")
    assert Client().get(link)["Location"] == "/start/"
    again_client = Client()
    again = again_client.get(link)
    assert again.status_code == 200
    assert "This address already has an account" in again.content.decode()
    assert "_auth_user_id" not in again_client.session
    assert User.objects.filter(username="sam@example.org", is_active=True).count() == 1


@pytest.mark.django_db
def test_signing_up_again_before_confirming_sends_a_new_link_and_the_old_one_stops() -> None:
    post_signup(Client(), "sam@example.org")
    old = confirmation_path("sam@example.org")
    post_signup(Client(), "sam@example.org", "a-newer-passphrase-77")
    new = confirmation_path("sam@example.org")
    assert "This address already has an account" in Client().get(old).content.decode()
    assert Client().get(new)["Location"] == "/start/"
    assert signs_in("sam@example.org", "a-newer-passphrase-77")
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_an_expired_or_altered_link_confirms_nothing() -> None:
    post_signup(Client(), "sam@example.org")
    link = confirmation_path("sam@example.org")
    altered = Client().get(link[:-3] + "x/")
    assert altered.status_code == 200
    assert "This link does not work" in altered.content.decode()
    with override_settings(LUMBAR_SIGNUP_LINK_MAX_AGE=-1):
        assert "This link does not work" in Client().get(link).content.decode()
    assert not User.objects.get(username="sam@example.org").is_active


# --- Sign-in -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_in_email_is_case_insensitive() -> None:
    sign_up(Client(), "Pat@Example.ORG")
    assert User.objects.get().username == "pat@example.org"
    assert signs_in("PAT@example.org")
    assert signs_in(" pat@EXAMPLE.org ")
    # An older account kept with capitals still signs in, however it is typed.
    User.objects.create_user(username="Old@Example.org", email="Old@Example.org", password=PASSWORD)
    assert signs_in("old@example.org")
    assert signs_in("Old@Example.org")
    assert not signs_in("old@example.org", "wrong-passphrase-123")


@pytest.mark.django_db
def test_changing_the_case_of_the_email_does_not_reset_the_sign_in_throttle() -> None:
    sign_up(Client(), "pat@example.org")
    for typed in (
        "pat@example.org",
        "PAT@example.org",
        "Pat@example.org",
        "pAt@example.org",
        "paT@example.org",
    ):
        Client().post("/accounts/login/", {"username": typed, "password": "wrong-passphrase-123"})
    response = Client().post("/accounts/login/", {"username": "PAT@EXAMPLE.ORG", "password": PASSWORD})
    assert response.status_code == 429


# --- Concurrency -------------------------------------------------------------------------------------


@pytest.fixture
def concurrent_writers() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the test database is SQLite in memory, which refuses concurrent writers")


@pytest.mark.usefixtures("concurrent_writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_signups_give_one_user_and_no_500() -> None:
    count = 4
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        client = Client(raise_request_exception=False)
        try:
            barrier.wait()
            results[index] = post_signup(client, "Race@example.org")
        except Exception as exc:  # a failure is a result the test looks at
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [getattr(r, "status_code", r) for r in results] == [200] * count
    assert all("Check your email to confirm" in r.content.decode() for r in results)
    assert User.objects.filter(username__iexact="race@example.org").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_lost_race_on_the_unique_user_gives_the_normal_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same race made certain: the other sign-up creates the user just after the check."""
    real_filter = User.objects.filter
    calls = {"n": 0}

    def filter_after_the_other_won(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            User.objects.create_user(username="race@example.org", email="race@example.org", is_active=False)
            return real_filter(pk=-1)
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(accounts_services.User.objects, "filter", filter_after_the_other_won)
    response = post_signup(Client(raise_request_exception=False), "race@example.org")
    monkeypatch.undo()
    assert response.status_code == 200
    assert "Check your email to confirm" in response.content.decode()
    assert User.objects.filter(username="race@example.org").count() == 1


# --- Error pages, robots.txt, favicon ----------------------------------------------------------------


def in_app_layout(html: str) -> bool:
    return all(
        part in html
        for part in (
            'aria-label="Main"',  # the navigation
            'href="/"',  # a way home
            "Lumbar is not a substitute for a doctor or physiotherapist",  # the disclaimer
            'rel="icon"',
        )
    )


@pytest.mark.django_db
def test_404_page_uses_the_app_layout() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert in_app_layout(response.content.decode())


@pytest.mark.django_db
def test_403_csrf_failure_page_uses_the_app_layout() -> None:
    response = Client(enforce_csrf_checks=True).post("/signup/", {"email": "a@example.org"})
    assert response.status_code == 403
    assert "That form had expired" in response.content.decode()
    assert in_app_layout(response.content.decode())


@pytest.mark.django_db
def test_403_and_400_pages_use_the_app_layout() -> None:
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    request.user = AnonymousUser()
    forbidden = defaults.permission_denied(request, PermissionDenied())
    assert forbidden.status_code == 403
    assert in_app_layout(forbidden.content.decode())
    bad = defaults.bad_request(request, Exception())
    assert bad.status_code == 400
    assert in_app_layout(bad.content.decode())
    # A host the server does not answer to is a 400 in the same layout.
    response = Client(HTTP_HOST="evil.example").get("/")
    assert response.status_code == 400
    assert in_app_layout(response.content.decode())


def test_500_page_uses_the_app_layout_without_a_database_or_request_context() -> None:
    # No django_db mark: any database query here would fail the test.
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert in_app_layout(html)


@pytest.mark.django_db
def test_robots_txt_disallows_private_pages() -> None:
    response = Client().get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    for private in (
        "/today/",
        "/program/",
        "/session/",
        "/checkin/",
        "/progress/",
        "/settings/",
        "/calendar/",
    ):
        assert f"Disallow: {private}" in lines
    assert "Allow: /exercises/" in lines
    assert "Allow: /learn/" in lines


@pytest.mark.django_db
def test_favicon_is_served_and_linked() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<svg") or b"<svg" in response.content[:200]
    home = Client().get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', home)
    assert icon
    assert Client().get(icon.group(1)).status_code == 200
