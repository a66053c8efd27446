"""Errors as RFC 9457 problem details (application/problem+json), everywhere under /api/.

Every error names its `type`: a relative URI, /api/v1/problems/<slug>, that answers with what the
problem means (GET, no sign-in). `title` is the same for every problem of a type; `detail` says
what happened this time; `status` repeats the HTTP status. Some types add members: `errors` (what
was wrong with the request, 422), `advice`, `tier` and `flags` (a warning sign, 409), and
`retry_after` (429, with the Retry-After header).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    description: str

    @property
    def uri(self) -> str:
        return TYPE_BASE + self.slug


TYPES = {
    t.slug: t
    for t in (
        ProblemType(
            "invalid-json",
            400,
            "The body is not JSON",
            "Send the body as JSON (Content-Type: application/json).",
        ),
        ProblemType(
            "not-signed-in",
            401,
            "Sign-in needed",
            "Send a personal access token (Authorization: Bearer ...), made in Settings. A browser "
            "signed in to Lumbar may also read (GET) with its session.",
        ),
        ProblemType(
            "invalid-token",
            401,
            "Access token not accepted",
            "The token is malformed, unknown, revoked, expired, or stopped working when the account's "
            "password changed. Make a new one in Settings.",
        ),
        ProblemType(
            "insufficient-scope",
            403,
            "The token may only read",
            "Writing (POST, PUT) needs a token made with read and write access. A browser session may "
            "only read.",
        ),
        ProblemType(
            "patients-only",
            403,
            "For patients only",
            "These endpoints serve a patient's own record.",
        ),
        ProblemType(
            "therapists-only",
            403,
            "For physical therapists only",
            "These endpoints serve a therapist's caseload.",
        ),
        ProblemType("not-found", 404, "Not found", "Nothing of yours is at this address."),
        ProblemType(
            "method-not-allowed",
            405,
            "Method not allowed",
            "The address exists but does not take this method; the Allow header lists the ones it takes.",
        ),
        ProblemType(
            "no-program",
            409,
            "No program yet",
            "Answer the questions in the app first: Lumbar makes a program from them.",
        ),
        ProblemType(
            "warning-sign",
            409,
            "A warning sign needs a doctor first",
            "An answer to a warning-sign question means seeing a doctor before exercising. Sessions "
            "stay closed until the person says in the app that a clinician has checked them.",
        ),
        ProblemType(
            "invalid-request",
            422,
            "The request is not valid",
            "A parameter or a member of the body is missing, of the wrong type, out of range or "
            "unknown; `errors` lists each one.",
        ),
        ProblemType(
            "rate-limited",
            429,
            "Too many requests",
            "Each token (and each signed-in browser) may make a set number of requests a minute. Wait "
            "the seconds in Retry-After.",
        ),
        ProblemType("server-error", 500, "Something went wrong", "The error was logged. Try again later."),
        ProblemType(
            "unavailable",
            503,
            "Lumbar cannot save anything just now",
            "The server's disk is full or its database is read-only. Try again later.",
        ),
    )
}

# The type of an error answered without one (Django's 404, ninja's 405, an exception); any other
# status without a Lumbar type of its own (e.g. 400) is about:blank, as RFC 9457 says.
_BY_STATUS = {
    TYPES[slug].status: TYPES[slug]
    for slug in (
        "invalid-json",
        "not-found",
        "method-not-allowed",
        "invalid-request",
        "rate-limited",
        "server-error",
        "unavailable",
    )
}


class Problem(Exception):
    """Raise to answer with a problem of a known type."""

    def __init__(
        self, slug: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        self.type = TYPES[slug]
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra
        super().__init__(detail)


def body(
    request: HttpRequest | None, status: int, detail: str, slug: str | None = None, **extra: Any
) -> dict[str, Any]:
    known = TYPES.get(slug or "") or _BY_STATUS.get(status)
    if known is not None and known.status == status:
        head = {"type": known.uri, "title": known.title}
    else:
        from http import HTTPStatus

        head = {"type": "about:blank", "title": HTTPStatus(status).phrase}
    result: dict[str, Any] = {**head, "status": status, "detail": detail}
    if request is not None:
        result["instance"] = request.path
    result.update(extra)
    return result


def response(
    request: HttpRequest | None,
    status: int,
    detail: str,
    slug: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    content = json.dumps(body(request, status, detail, slug, **extra), ensure_ascii=False)
    answer = HttpResponse(content, status=status, content_type=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        answer[name] = value
    answer["Cache-Control"] = "no-store"
    return answer


def from_problem(request: HttpRequest, problem: Problem) -> HttpResponse:
    return response(
        request,
        problem.type.status,
        problem.detail,
        problem.type.slug,
        headers=problem.headers,
        **problem.extra,
    )


def is_problem(answer: HttpResponse) -> bool:
    return answer.get("Content-Type", "").split(";")[0].strip() == MEDIA_TYPE
