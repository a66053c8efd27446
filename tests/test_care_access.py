"""Patients see and change only their own data: every URL of the patient app, tried by a second
patient with the first patient's ids, answers 404 (or sends them to their own pages) and changes
nothing of the first patient's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from tests.care_helpers import onboard

from lumbar.web.records.models import CheckIn, ExerciseLog, ExerciseSession, ProgramVersion

pytestmark = pytest.mark.django_db


def care_patterns() -> list[str]:
    """Every route of the patient app, as strings like 'session/<int:session_id>/finish/'."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.callback.__module__.startswith("lumbar.web.care"):
                found.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "")
    return found


def snapshot(user_email: str) -> dict[str, Any]:
    return {
        "programs": list(
            ProgramVersion.objects.filter(patient__username=user_email).values("number", "program")
        ),
        "sessions": list(ExerciseSession.objects.filter(patient__username=user_email).values()),
        "logs": list(ExerciseLog.objects.filter(session__patient__username=user_email).values()),
        "checkins": list(CheckIn.objects.filter(patient__username=user_email).values()),
    }


@pytest.fixture
def two_patients() -> tuple[Client, Client, dict[str, int]]:
    first, second = Client(), Client()
    onboard(first, "first@example.org")
    first.get("/session/")
    session = ExerciseSession.objects.get(patient__username="first@example.org")
    first.post(f"/session/{session.pk}/pain-before/", {"pain": "3"})
    first.post(f"/session/{session.pk}/exercise/1/", {"pain_during": "2", "difficulty": "right", "done": "1"})
    onboard(second, "second@example.org")
    ids = {"session_id": session.pk, "number": 1}
    return first, second, ids


def test_every_patient_url_refuses_another_patients_ids(
    two_patients: tuple[Client, Client, dict[str, int]],
) -> None:
    first, second, ids = two_patients
    before = snapshot("first@example.org")
    checked = 0
    for route in care_patterns():
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if not params:
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), 1)), route)
        for method in ("get", "post"):
            response = getattr(second, method)(path, {"pain": "9", "pain_during": "9", "done": "1"})
            if "session_id" in params:
                assert response.status_code == 404, (method, path, response.status_code)
            else:
                # Routes without a record id (e.g. program/v<number>/) resolve inside the asker's own data.
                assert response.status_code in (200, 302, 404, 405), (method, path)
            checked += 1
    assert checked >= 10
    assert snapshot("first@example.org") == before


def test_pages_need_a_signed_in_patient() -> None:
    anonymous = Client()
    for route in care_patterns():
        if route.startswith(("signup", "calendar")):
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", "1", route)
        response = anonymous.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path
