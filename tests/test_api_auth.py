"""Who may call the REST API (issue 18): the same authorization checks on every endpoint.

Signed out, a bad token (unknown, malformed, revoked, expired, outlived a password change, an account
that cannot sign in), a read token on a write, another patient's ids, a therapist's account and a
browser session that tries to write: each gets its problem details and changes nothing. Each token
has its own rate limit."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from tests.api_helpers import (
    Patient,
    assert_problem,
    call,
    checkin_body,
    patient_with_tokens,
    started_session,
)

from lumbar.web.api import tokens
from lumbar.web.api.models import RateWindow
from lumbar.web.records.models import CheckIn, ExerciseLog, ExerciseSession, Profile

pytestmark = pytest.mark.django_db

READS = ("GET",)


def endpoints(owner: Patient) -> list[tuple[str, str, Any]]:
    """Every operation of the patient API, with real ids and a valid body of the owner's."""
    session = started_session(owner.user)
    sid, exercise = session.pk, session.program.exercises[0]["id"]
    return [
        ("GET", "/api/v1/me", None),
        ("GET", "/api/v1/me/program", None),
        ("GET", "/api/v1/me/sessions", None),
        ("POST", "/api/v1/me/sessions", None),
        ("GET", f"/api/v1/me/sessions/{sid}", None),
        ("PUT", f"/api/v1/me/sessions/{sid}/pain-before", {"pain_before": 3}),
        ("PUT", f"/api/v1/me/sessions/{sid}/exercises/{exercise}", {"pain_during": 2, "difficulty": "easy"}),
        ("POST", f"/api/v1/me/sessions/{sid}/finish", {"pain_after": 2}),
        ("GET", "/api/v1/me/checkins/questions", None),
        ("POST", "/api/v1/me/checkins", checkin_body(owner.user)),
        ("GET", "/api/v1/me/progress", None),
    ]


def record(user: Any) -> tuple[Any, ...]:
    """What the writes could change: sessions, logs and check-ins, as stored."""
    sessions = tuple(
        ExerciseSession.objects.filter(patient=user).values_list(
            "pk", "pain_before", "pain_after", "completed_at"
        )
    )
    logs = tuple(ExerciseLog.objects.filter(session__patient=user).values_list("exercise_id", "pain_during"))
    checkins = tuple(CheckIn.objects.filter(patient=user).values_list("date", "morning_pain"))
    return sessions, logs, checkins


@pytest.fixture
def owner() -> Patient:
    return patient_with_tokens()


def test_the_matrix_covers_every_operation_of_the_openapi(owner: Patient) -> None:
    schema = json.loads(Client().get("/api/v1/openapi.json").content)
    documented = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if path.startswith("/api/v1/me")  # the clinic's endpoints: tests/test_api_clinic.py
    }
    templated = {
        (
            method,
            re.sub(
                r"/sessions/\d+",
                "/sessions/{session_id}",
                re.sub(r"/exercises/[^/]+", "/exercises/{exercise_id}", path),
            ),
        )
        for method, path, _ in endpoints(owner)
    }
    assert templated == documented


def test_signed_out_every_endpoint_answers_401_and_changes_nothing(owner: Patient) -> None:
    cases = endpoints(owner)
    before = record(owner.user)
    for method, path, body in cases:
        response = call(method, path, body)
        problem = assert_problem(response, 401, "not-signed-in")
        assert response["WWW-Authenticate"] == 'Bearer realm="lumbar"', path
        assert "Authorization: Bearer" in problem["detail"]
        assert problem["instance"] == path
    assert record(owner.user) == before


def test_a_token_that_does_not_open_the_api_answers_401_on_every_endpoint(owner: Patient) -> None:
    other = patient_with_tokens("other@example.org")
    revoked = tokens.create_token(owner.user, "old laptop", "write", 7)
    tokens.revoke_token(owner.user, revoked.record.pk)
    expired = tokens.create_token(
        owner.user, "last month", "write", 30, now=timezone.now() - dt.timedelta(days=31)
    )
    # The other person changes their password: the token made before stops working.
    other.user.set_password("a-brand-new-passphrase-2")
    other.user.save()
    unknown = "lumbar_0123456789ab_" + "A" * 43
    forged = owner.write[:-4] + "AAAA"  # the right prefix, the wrong secret
    bad = {
        "unknown": unknown,
        "forged": forged,
        "malformed": "not-a-token",
        "revoked": revoked.token,
        "expired": expired.token,
        "password-changed": other.write,
    }
    reasons = {"forged": "unknown"}
    cases = endpoints(owner)
    before = record(owner.user)
    for kind, token in bad.items():
        for method, path, body in cases:
            problem = assert_problem(call(method, path, body, token=token), 401, "invalid-token")
            assert problem["reason"] == reasons.get(kind, kind), (kind, path)
    assert record(owner.user) == before
    # The header says why, as RFC 6750 asks.
    response = call("GET", "/api/v1/me", token=revoked.token)
    assert response["WWW-Authenticate"].startswith('Bearer realm="lumbar", error="invalid_token"')
    assert "revoked" in response["WWW-Authenticate"]
    # Another scheme than Bearer, or an empty one, is refused the same way.
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Token " + owner.write):
        assert_problem(Client().get("/api/v1/me", HTTP_AUTHORIZATION=header), 401, "invalid-token")


def test_an_account_that_cannot_sign_in_cannot_use_its_tokens(owner: Patient) -> None:
    get_user_model().objects.filter(pk=owner.user.pk).update(is_active=False)
    problem = assert_problem(call("GET", "/api/v1/me", token=owner.read), 401, "invalid-token")
    assert problem["reason"] == "inactive"


def test_a_read_token_reads_every_endpoint_and_writes_none(owner: Patient) -> None:
    cases = endpoints(owner)
    before = record(owner.user)
    for method, path, body in cases:
        response = call(method, path, body, token=owner.read)
        if method in READS:
            assert response.status_code == 200, (path, response.content[:300])
            assert response["Content-Type"] == "application/json; charset=utf-8"
        else:
            assert_problem(response, 403, "insufficient-scope")
            assert 'error="insufficient_scope", scope="write"' in response["WWW-Authenticate"]
    assert record(owner.user) == before


def test_a_write_token_may_call_every_endpoint(owner: Patient) -> None:
    for method, path, body in endpoints(owner):
        response = call(method, path, body, token=owner.write)
        assert response.status_code == 200, (method, path, response.content[:300])


def test_another_patients_ids_answer_404_and_change_nothing(owner: Patient) -> None:
    stranger = patient_with_tokens("stranger@example.org")
    cases = [(m, p, b) for m, p, b in endpoints(owner) if "/sessions/" in p]
    assert len(cases) == 4
    before = record(owner.user)
    for method, path, body in cases:
        problem = assert_problem(call(method, path, body, token=stranger.write), 404, "not-found")
        assert "session" in problem["detail"]
    assert record(owner.user) == before
    # Their lists are their own: the stranger sees none of the owner's sessions.
    mine = json.loads(call("GET", "/api/v1/me/sessions", token=stranger.read).content)
    assert mine["count"] == 0
    assert (
        json.loads(call("GET", "/api/v1/me", token=stranger.read).content)["email"] == "stranger@example.org"
    )


def test_an_id_that_does_not_exist_or_is_out_of_range_is_a_404_or_422_not_an_error(owner: Patient) -> None:
    assert_problem(call("GET", "/api/v1/me/sessions/999999", token=owner.read), 404, "not-found")
    for path in ("/api/v1/me/sessions/0", f"/api/v1/me/sessions/{2**63}", "/api/v1/me/sessions/abc"):
        assert_problem(call("GET", path, token=owner.read), 422, "invalid-request")


def test_a_therapists_token_is_refused_the_patient_endpoints(owner: Patient) -> None:
    therapist = get_user_model().objects.create_user(
        "pt@example.org", "pt@example.org", "a-long-passphrase-1"
    )
    Profile.objects.create(user=therapist, role=Profile.THERAPIST)
    token = tokens.create_token(therapist, "clinic", "write", 30).token
    for method, path, body in endpoints(owner):
        problem = assert_problem(call(method, path, body, token=token), 403, "patients-only")
        assert problem["detail"] == "These endpoints are for patients."


def test_a_signed_in_browser_may_read_but_never_write(owner: Patient) -> None:
    cases = endpoints(owner)
    before = record(owner.user)
    browser = owner.client  # signed in to the site, with its session cookie
    for method, path, body in cases:
        response = call(method, path, body, client=browser)
        if method in READS:
            assert response.status_code == 200, (path, response.content[:300])
        else:
            problem = assert_problem(response, 401, "not-signed-in")
            assert "may only read" in problem["detail"], problem
    assert record(owner.user) == before
    # Even with the CSRF token of the page, a cookie does not write through the API.
    browser.get("/settings/")
    csrf = browser.cookies["csrftoken"].value
    response = browser.post("/api/v1/me/sessions", HTTP_X_CSRFTOKEN=csrf)
    assert_problem(response, 401, "not-signed-in")


# --- Rate limits ------------------------------------------------------------------------------------


def test_each_token_has_its_own_rate_limit_answered_with_429_and_retry_after(
    owner: Patient, settings: Any
) -> None:
    settings.LUMBAR_API_REQUESTS_PER_MINUTE = 3
    for _ in range(3):
        assert call("GET", "/api/v1/me", token=owner.write).status_code == 200
    response = call("POST", "/api/v1/me/sessions", token=owner.write)
    problem = assert_problem(response, 429, "rate-limited")
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 60
    assert problem["retry_after"] == wait
    assert not ExerciseSession.objects.filter(patient=owner.user).exists()  # refused, not carried out
    # The person's other token, and another person, have counts of their own.
    assert call("GET", "/api/v1/me", token=owner.read).status_code == 200
    stranger = patient_with_tokens("stranger@example.org")
    assert call("GET", "/api/v1/me", token=stranger.read).status_code == 200
    # A minute later the token may call again.
    window = RateWindow.objects.get(key=f"token:{tokens.authenticate(owner.write).pk}")
    RateWindow.objects.filter(pk=window.pk).update(started_at=window.started_at - dt.timedelta(seconds=61))
    assert call("POST", "/api/v1/me/sessions", token=owner.write).status_code == 200


def test_a_signed_in_browser_is_counted_by_its_account(owner: Patient, settings: Any) -> None:
    settings.LUMBAR_API_REQUESTS_PER_MINUTE = 2
    for _ in range(2):
        assert call("GET", "/api/v1/me/program", client=owner.client).status_code == 200
    assert_problem(call("GET", "/api/v1/me/program", client=owner.client), 429, "rate-limited")
    assert call("GET", "/api/v1/me/program", token=owner.read).status_code == 200


def test_a_bad_token_is_not_counted_against_the_good_one(owner: Patient, settings: Any) -> None:
    settings.LUMBAR_API_REQUESTS_PER_MINUTE = 2
    for _ in range(5):
        assert call("GET", "/api/v1/me", token="lumbar_0123456789ab_" + "B" * 43).status_code == 401
    assert call("GET", "/api/v1/me", token=owner.read).status_code == 200
