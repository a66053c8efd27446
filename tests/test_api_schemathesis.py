"""Schemathesis fuzzes the REST API from its own OpenAPI document (issue 18).

Its Python API drives the Django app in-process through WSGI, as a signed-in patient with a write
token: for every operation, data that fits the schema (positive) and data that breaks it (negative),
a bounded number of examples with a fixed seed (derandomized), so a run is the same every time and
takes well under a minute. No answer may be a server error, and every answer must be documented:
its status, its content type (problem+json for errors), its headers and its body's schema; data
that breaks the schema must be refused. Session operations are fuzzed both with ids of the person's
real session and with generated ones."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, strategies
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.api_helpers import patient_with_tokens, started_session

from lumbar.web.api import tokens
from lumbar.web.clinic import services as clinic_services

pytestmark = pytest.mark.django_db

EXAMPLES = 15  # per operation and mode: 12 operations x 2 modes x 15 (x2 with real ids) stays under a minute
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@contextlib.contextmanager
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI application, sharing the test's database connection and transaction: as
    Django's test client does, requests do not close the connection when they start or end. (The
    test client connects the closing again after each request: nothing may use it inside.)"""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(
    mode: GenerationMode, settings: Any
) -> None:
    settings.LUMBAR_API_REQUESTS_PER_MINUTE = 1_000_000  # the fuzzer is one token making many requests
    person = patient_with_tokens()
    session = started_session(person.user)
    real = {
        "session_id": session.pk,
        "exercise_id": session.program.exercises[0]["id"],
        "slug": "warning-sign",
    }
    # The clinic's endpoints are fuzzed as the patient's therapist, with the patient's real id.
    made = clinic_services.create_clinic("Riverside Physio", "anna@riverside.example", "a-long-passphrase-1")
    clinic_services.accept_invite(person.user, clinic_services.create_invite(made.therapist).code)
    therapist_token = tokens.create_token(made.therapist.user, "records system", "read", 30).token
    real["patient_id"] = person.user.pk
    headers = {"Authorization": f"Bearer {person.write}"}
    clinic_headers = {"Authorization": f"Bearer {therapist_token}"}
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
    with wsgi_app() as app:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 15  # /me (11), /clinic (3), /problems (1)
        fuzzed = []
        for operation in operations:
            names = {p.name for p in operation.path_parameters}
            elsewhere = len(operation.query) + len(operation.body)  # what may be broken besides the path
            variants = []
            if mode is GenerationMode.POSITIVE or names or elsewhere:
                variants.append(operation.as_strategy(generation_mode=mode))
            if names and (mode is GenerationMode.POSITIVE or elsewhere):
                fixed = {name: real[name] for name in names}
                variants.append(operation.as_strategy(generation_mode=mode, path_parameters=fixed))
            if variants:  # nothing of GET /me, say, can break its schema: it has no parameters
                try:
                    as_who = clinic_headers if "/clinic/" in operation.path else headers
                    run_operation(strategies.one_of(variants), as_who, checks)
                except Exception as exc:
                    exc.add_note(f"while fuzzing {operation.label} ({mode})")
                    raise
                fuzzed.append(operation.label)
    assert len(fuzzed) == (15 if mode is GenerationMode.POSITIVE else 11), fuzzed


def run_operation(strategy: Any, headers: dict[str, str], checks: list[Any]) -> None:
    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def fuzz(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=checks)

    fuzz()
