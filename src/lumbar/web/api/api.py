"""The API object: /api/v1/, its OpenAPI document and docs page, and how errors are answered.

Routers plug in here: the patient's /me (lumbar.web.api.patient) and the therapist's /clinic
(lumbar.web.api.clinic: the caseload and a patient's record, with role=Profile.THERAPIST).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Path, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from lumbar.domain.errors import InvalidInput
from lumbar.web.api import clinic, patient, problems, schemas
from lumbar.web.api.auth import REALM
from lumbar.web.records.services import ServiceError
from lumbar.web.security.failures import remember, write_failure_reason

log = logging.getLogger("lumbar.api")
# Every operation that reads a JSON body names its argument so (see _where).
BODY_ARGUMENT = "body"

DESCRIPTION = """\
A patient's own record in Lumbar: the program in force, sessions, check-ins and progress.

Send a personal access token, made in Settings, as `Authorization: Bearer lumbar_...`. A read token
may GET; writing (POST, PUT) needs a token with read and write access. A browser signed in to
Lumbar may also GET with its session. Errors are RFC 9457 problem details
(`application/problem+json`). See docs/api.md.
"""


class LumbarAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        """ninja's document, with errors as application/problem+json and the headers they carry."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    code = int(status)
                    content = answer.get("content", {})
                    if code >= 400 and "application/json" in content:
                        answer["content"] = {problems.MEDIA_TYPE: content["application/json"]}
                    if code == 429:
                        answer["headers"] = {
                            "Retry-After": {
                                "description": "Seconds to wait before the next request",
                                "required": True,
                                "schema": {"type": "string", "pattern": "^[0-9]+$"},
                            }
                        }
        return schema

    def get_openapi_operation_id(self, operation: Any) -> str:
        """The view's name (finish_session), not its module path: names are unique across routers."""
        return str(operation.view_func.__name__)


api = LumbarAPI(
    title="Lumbar API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    # ninja serves Swagger UI from its own static files (in its wheel) when "ninja" is in
    # INSTALLED_APPS: nothing is loaded from a CDN. validatorUrl null: Swagger UI would otherwise
    # send the document to validator.swagger.io for its badge.
    docs=Swagger(settings={"persistAuthorization": False, "validatorUrl": None}),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("/me", patient.router)
api.add_router("/clinic", clinic.router)


@api.get(
    "/problems/{slug}",
    response={200: schemas.ProblemTypeOut, 404: schemas.ProblemOut, 422: schemas.ProblemOut},
    auth=None,
    tags=["errors"],
    summary="What a problem type means",
)
def problem_type(request: HttpRequest, slug: str = Path(..., pattern=r"^[a-z-]{1,40}$")) -> dict[str, Any]:
    known = problems.TYPES.get(slug)
    if known is None:
        raise problems.Problem("not-found", "There is no problem type of that name.")
    return {"type": known.uri, "title": known.title, "status": known.status, "description": known.description}


# --- Errors -----------------------------------------------------------------------------------------


@api.exception_handler(problems.Problem)
def _problem(request: HttpRequest, exc: problems.Problem) -> HttpResponse:
    return problems.from_problem(request, exc)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": _where(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors
    ]
    where = ", ".join(".".join(e["loc"]) for e in errors[:3]) or "the request"
    return problems.response(request, 422, f"Check {where}.", "invalid-request", errors=errors)


def _where(loc: Any) -> list[str]:
    """ninja's location of an error, without the name of the operation's body argument: ["body",
    "pain_after"], as a client sees the body, rather than ["body", "body", "pain_after"]."""
    parts = [str(part) for part in loc]
    if len(parts) > 2 and parts[0] == "body" and parts[1] == BODY_ARGUMENT:
        del parts[1]
    return parts


@api.exception_handler(AuthenticationError)
def _not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    user = getattr(request, "user", None)
    if request.method not in ("GET", "HEAD") and user is not None and user.is_authenticated:
        detail = (
            "Writing through the API needs an access token with read and write access (made in "
            "Settings), sent as Authorization: Bearer; a browser's sign-in may only read."
        )
    else:
        detail = "Send an access token made in Settings, as Authorization: Bearer <token>."
    return problems.response(request, 401, detail, "not-signed-in", headers={"WWW-Authenticate": REALM})


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problems.response(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problems.response(request, 404, "Nothing of yours is at this address.", "not-found")


@api.exception_handler(InvalidInput)
def _invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return problems.response(request, 422, str(exc), "invalid-request")


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return problems.response(request, 422, str(exc), "invalid-request")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return server_error(request, exc)


def server_error(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """503 when the database or disk refused a write (as the pages answer), else 500; logged."""
    reason = write_failure_reason(exc)
    if reason is not None:
        remember(reason)
        log.error("An API write failed because %s.", reason)
        return problems.response(
            request,
            503,
            f"Nothing can be saved just now: {reason}.",
            "unavailable",
            headers={"Retry-After": "300"},
        )
    log.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return problems.response(request, 500, "Something went wrong on our side. It was logged.", "server-error")
