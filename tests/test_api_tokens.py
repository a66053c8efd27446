"""Personal access tokens (issue 18): made and revoked on the settings page, shown once, stored as a
hash, scoped read or write, lasting at most 90 days (our policy), ended by revoking, by a password
change and by deleting the account."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.api_helpers import assert_problem, call
from tests.care_helpers import PASSWORD, onboard, patient_user

from lumbar.web.api import tokens
from lumbar.web.api.models import AccessToken, RateWindow
from lumbar.web.records.services import ServiceError

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"lumbar_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def make(client: Client, **form: str) -> Any:
    data = {"name": "Phone app", "scope": "read", "days": "30", "password": PASSWORD, **form}
    return client.post("/settings/api-tokens/", data)


def shown_token(response: Any) -> str:
    assert response.status_code == 200, response
    found = TOKEN.findall(response.content.decode())
    assert len(found) == 1, found
    return str(found[0])


def test_the_settings_page_makes_a_token_shows_it_once_and_keeps_only_its_hash(client: Client) -> None:
    onboard(client)
    page = client.get("/settings/").content.decode()
    assert 'id="api-heading"' in page
    assert "You have no access tokens." in page
    response = make(client, name="Phone app", scope="write", days="90")
    assert "no-store" in response["Cache-Control"]
    token = shown_token(response)
    assert "Copy it now" in response.content.decode()
    record = AccessToken.objects.get()
    assert (record.name, record.scope, record.user) == ("Phone app", "write", patient_user())
    assert record.digest == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(v) for v in AccessToken.objects.values_list().get())
    assert token.split("_", 2)[2] not in stored  # the secret (which may hold "_") is nowhere in the row
    assert abs(record.expires_at - record.created_at - dt.timedelta(days=90)) < dt.timedelta(seconds=5)
    # The settings page lists it by name and prefix, never the token again.
    page = html.unescape(client.get("/settings/").content.decode())
    assert "Phone app" in page
    assert record.prefix in page
    assert "Read and write" in page
    assert token not in page
    assert call("GET", "/api/v1/me", token=token).status_code == 200


def test_making_a_token_asks_for_the_password_again(client: Client) -> None:
    onboard(client)
    response = make(client, password="not-my-password")
    assert response["Location"] == "/settings/#api-heading"
    assert not AccessToken.objects.exists()
    page = client.get("/settings/").content.decode()
    assert "No token was made." in page
    assert 'href="#api-token-password"' in page  # the error summary links to the field


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "  "}, "Give the token a name"),
        ({"name": "x" * 61}, "Keep the name to 60"),
        ({"scope": "admin"}, "Choose what the token may do"),
        ({"days": "365"}, "A token lasts 7, 30, 90 days at most."),
        ({"days": "forever"}, "A token lasts 7, 30, 90 days at most."),
    ],
)
def test_a_token_needs_a_name_a_scope_and_a_lifetime_of_at_most_90_days(
    client: Client, form: dict[str, str], message: str
) -> None:
    onboard(client)
    response = make(client, **form)
    assert response["Location"] == "/settings/#api-heading"
    assert message in html.unescape(client.get("/settings/").content.decode())
    assert not AccessToken.objects.exists()


def test_a_person_has_at_most_ten_working_tokens(client: Client) -> None:
    onboard(client)
    user = patient_user()
    for n in range(tokens.MAX_ACTIVE_TOKENS):
        tokens.create_token(user, f"script {n}", "read", 7)
    with pytest.raises(ServiceError, match="You have 10 tokens already"):
        tokens.create_token(user, "one more", "read", 7)
    # A revoked or expired one no longer counts.
    tokens.revoke_token(user, AccessToken.objects.first().pk)  # type: ignore[union-attr]
    tokens.create_token(user, "one more", "read", 7)


def test_revoking_stops_the_token_at_once_and_only_the_owner_can(client: Client) -> None:
    onboard(client)
    token = shown_token(make(client))
    record = AccessToken.objects.get()
    stranger = Client()
    onboard(stranger, "stranger@example.org")
    assert stranger.post(f"/settings/api-tokens/{record.pk}/revoke/")["Location"] == "/settings/#api-heading"
    assert call("GET", "/api/v1/me", token=token).status_code == 200  # not theirs to revoke
    assert client.get(f"/settings/api-tokens/{record.pk}/revoke/").status_code == 405  # POST only
    client.post(f"/settings/api-tokens/{record.pk}/revoke/")
    problem = assert_problem(call("GET", "/api/v1/me", token=token), 401, "invalid-token")
    assert problem["reason"] == "revoked"
    page = client.get("/settings/").content.decode()
    assert "The token is revoked" in page
    assert record.prefix not in page  # no longer listed


def test_an_expired_token_stops_working_and_is_listed_as_expired(client: Client) -> None:
    onboard(client)
    made = tokens.create_token(
        patient_user(), "Old script", "read", 7, now=timezone.now() - dt.timedelta(days=8)
    )
    problem = assert_problem(call("GET", "/api/v1/me", token=made.token), 401, "invalid-token")
    assert problem["reason"] == "expired"
    assert "Expired" in client.get("/settings/").content.decode()


def test_changing_the_password_stops_every_token(client: Client) -> None:
    onboard(client)
    token = shown_token(make(client))
    new = "another-long-passphrase-9"
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302, response.content[:500]
    problem = assert_problem(call("GET", "/api/v1/me", token=token), 401, "invalid-token")
    assert problem["reason"] == "password-changed"
    # A token made after the change works.
    client.post("/accounts/login/", {"username": "pat@example.org", "password": new})
    assert call("GET", "/api/v1/me", token=shown_token(make(client, password=new))).status_code == 200


def test_deleting_the_account_deletes_its_tokens_and_counts(client: Client) -> None:
    onboard(client)
    token = shown_token(make(client))
    assert call("GET", "/api/v1/me", token=token).status_code == 200
    assert RateWindow.objects.exists()
    client.post("/settings/delete/", {"confirmation": "DELETE", "password": PASSWORD})
    assert not AccessToken.objects.exists()
    assert not RateWindow.objects.exists()
    assert_problem(call("GET", "/api/v1/me", token=token), 401, "invalid-token")


def test_last_use_is_recorded_at_most_once_a_minute(client: Client) -> None:
    onboard(client)
    made = tokens.create_token(patient_user(), "App", "read", 7)
    assert made.record.last_used_at is None
    start = timezone.now()
    first = tokens.authenticate(made.token, now=start).last_used_at
    assert first == start
    assert tokens.authenticate(made.token, now=start + dt.timedelta(seconds=30)).last_used_at == start
    later = start + dt.timedelta(minutes=2)
    assert tokens.authenticate(made.token, now=later).last_used_at == later
