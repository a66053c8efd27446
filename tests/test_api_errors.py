"""Errors under /api/ are RFC 9457 problem details (issue 18), the OpenAPI document is served with
them, and the docs page loads nothing from another site."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

import pytest
from django.test import Client
from tests.api_helpers import PROBLEM, assert_problem, call, patient_with_tokens

from lumbar.web.api import problems
from lumbar.web.records import selectors as records
from lumbar.web.security import failures

pytestmark = pytest.mark.django_db


def openapi() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document: dict[str, Any] = json.loads(response.content)
    return document


def test_the_openapi_document_describes_every_error_as_problem_details() -> None:
    document = openapi()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] == "Lumbar API"
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerToken"]["scheme"] == "bearer"
    assert schemes["BrowserSession"] == {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": "The session cookie of a browser signed in to Lumbar: for GET only.",
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            answers = operation["responses"]
            if not path.startswith("/api/v1/problems/"):
                assert {"401", "403", "422", "429"} <= answers.keys(), where
                assert answers["429"]["headers"]["Retry-After"]["required"] is True
                # Writes take a token only; reads also a signed-in browser.
                expected = (
                    [{"BearerToken": []}]
                    if method != "get"
                    else [{"BearerToken": []}, {"BrowserSession": []}]
                )
                assert operation["security"] == expected, where
            for status, answer in answers.items():
                media = set(answer.get("content", {}))
                assert media == ({PROBLEM} if int(status) >= 400 else {"application/json"}), (where, status)
            assert operation["operationId"] == re.sub(r"\W", "_", operation["operationId"]), where


def test_an_address_under_api_that_does_not_exist_is_a_404_problem() -> None:
    for path in ("/api", "/api/", "/api/v1/", "/api/v2/me", "/api/v1/me/", "/api/v1/nothing/here"):
        problem = assert_problem(Client().get(path), 404, "not-found")
        assert problem["instance"] == path
    # Outside /api/ the site's own 404 page answers.
    assert Client().get("/no-such-page/")["Content-Type"].startswith("text/html")


def test_a_method_an_address_does_not_take_is_a_405_problem_with_allow() -> None:
    person = patient_with_tokens()
    for method, path, allowed in (
        ("DELETE", "/api/v1/me", "GET"),
        ("PATCH", "/api/v1/me/sessions", "GET, POST"),
        ("GET", "/api/v1/me/checkins", "POST"),
    ):
        response = call(method, path, token=person.write)
        problem = assert_problem(response, 405, "method-not-allowed")
        assert sorted(response["Allow"].split(", ")) == sorted(allowed.split(", ")), path
        assert method in problem["detail"]


def test_each_problem_type_explains_itself_at_its_address() -> None:
    for slug, known in problems.TYPES.items():
        response = Client().get(f"/api/v1/problems/{slug}")
        assert response.status_code == 200
        assert json.loads(response.content) == {
            "type": f"/api/v1/problems/{slug}",
            "title": known.title,
            "status": known.status,
            "description": known.description,
        }
    assert_problem(Client().get("/api/v1/problems/no-such-problem"), 404, "not-found")


def test_an_unexpected_error_is_a_500_problem_and_a_full_disk_a_503(monkeypatch: pytest.MonkeyPatch) -> None:
    person = patient_with_tokens()
    client = Client(raise_request_exception=False)

    def broken(user: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(records, "current_program", broken)
    problem = assert_problem(
        call("GET", "/api/v1/me/program", token=person.read, client=client), 500, "server-error"
    )
    assert "a bug" not in json.dumps(problem)  # nothing of the error leaks

    def full(user: Any) -> Any:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(records, "current_program", full)
    try:
        response = call("GET", "/api/v1/me/program", token=person.read, client=client)
        assert_problem(response, 503, "unavailable")
        assert response["Retry-After"] == "300"
        assert failures.recent_failure() == "the disk is full"  # /healthz says so too
    finally:
        failures.forget()


def test_the_docs_page_loads_swagger_ui_from_this_server_only() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert not re.search(r"https?://", page), "the docs page must not load anything from another site"
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert {"/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css"} <= set(assets), assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        served = Client().get(asset)
        assert served.status_code == 200, asset
        body = b"".join(served.streaming_content) if served.streaming else served.content  # type: ignore[attr-defined]
        if asset.endswith(".js"):
            assert b"cdn.jsdelivr" not in body, asset
            assert b"unpkg.com" not in body, asset
    # Swagger UI's validator badge would send the document to validator.swagger.io: switched off.
    settings = json.loads(page.split('id="swagger-settings">')[1].split("</script>")[0])
    assert settings["validatorUrl"] is None
    assert settings["url"] == "/api/v1/openapi.json"


def test_api_answers_are_never_cached() -> None:
    person = patient_with_tokens()
    for response in (
        call("GET", "/api/v1/me", token=person.read),
        call("GET", "/api/v1/me"),
        Client().get("/api/v1/nothing"),
    ):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
