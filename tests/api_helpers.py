"""Call the REST API as an app would: a patient made through the pages (tests/care_helpers.py), a
personal access token made by the token service, JSON in and out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client
from tests.care_helpers import DESK_WORKER_ANSWERS, onboard, patient_user

from lumbar.web.api import tokens
from lumbar.web.care import services as care_services

PROBLEM = "application/problem+json"


@dataclass
class Patient:
    email: str
    user: Any
    client: Client  # signed in to the site (a browser)
    write: str  # a read-and-write token
    read: str  # a read-only token


def patient_with_tokens(
    email: str = "pat@example.org", answers: dict[str, dict[str, Any]] = DESK_WORKER_ANSWERS
) -> Patient:
    """A person onboarded through the pages, with a write token and a read token."""
    client = Client()
    onboard(client, email, answers)
    user = patient_user(email)
    write = tokens.create_token(user, "phone app", "write", 30).token
    read = tokens.create_token(user, "spreadsheet", "read", 7).token
    return Patient(email=email, user=user, client=client, write=write, read=read)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def call(
    method: str, path: str, body: Any = None, *, token: str | None = None, client: Client | None = None
) -> Any:
    """One request: a JSON body (if any), the token (if any), through `client` or a fresh one."""
    client = client or Client()
    headers = bearer(token) if token else {}
    if body is None:
        return getattr(client, method.lower())(path, **headers)
    return getattr(client, method.lower())(
        path, data=json.dumps(body), content_type="application/json", **headers
    )


def assert_problem(response: Any, status: int, slug: str | None = None) -> dict[str, Any]:
    """The response is RFC 9457 problem details with this status (and type)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].split(";")[0] == PROBLEM, response["Content-Type"]
    problem: dict[str, Any] = json.loads(response.content)
    assert {"type", "title", "status", "detail"} <= problem.keys(), problem
    assert problem["status"] == status
    assert problem["detail"], problem
    if slug is not None:
        assert problem["type"] == f"/api/v1/problems/{slug}", problem
    return problem


def checkin_body(user: Any, pain: int = 3, yes: tuple[str, ...] = ()) -> dict[str, Any]:
    """A check-in body answering every question the person is asked (no, unless named in `yes`)."""
    from lumbar.web.care import presenters as care_presenters
    from lumbar.web.records import selectors as records

    program = records.current_program(user)
    assert program is not None
    keys = [q.key for q in care_presenters.checkin_questions(program)]
    return {"morning_pain": pain, "warning_signs": {k: k in yes for k in keys}}


def started_session(user: Any) -> Any:
    """Today's session, started through the service the API and the pages share."""
    return care_services.start_session(user)
