"""The camera coach's pages and the small JSON exchange of a live set.

The page runs the pose model in the browser; only keypoints come here, a batch about every second,
and the answer is what the counter shows. Nothing in a request is an image.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from lumbar.domain.errors import InvalidInput
from lumbar.web.accounts.decorators import is_patient, patient_required
from lumbar.web.accounts.request import SignedInRequest
from lumbar.web.formcheck import presenters, services
from lumbar.web.records import selectors as records

MAX_BODY_BYTES = 256 * 1024  # a batch of 120 samples is ~100 KB of JSON


def _problem(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def json_patient(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """Signed-in patients only, answered in JSON (a page's script reads it, not a person)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        if not request.user.is_authenticated:
            return _problem("Please sign in again.", 401)
        if not is_patient(request):
            return _problem("The camera check is for patients.", 403)
        try:
            return view(request, *args, **kwargs)
        except services.FormCheckRefused as exc:
            return _problem(str(exc), 404 if str(exc).startswith("No such") else 409)
        except InvalidInput as exc:
            return _problem(str(exc))

    return wrapper


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY_BYTES:
        raise InvalidInput("the batch is too large")
    try:
        doc = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("the request is not valid JSON") from exc
    if not isinstance(doc, dict):
        raise InvalidInput("the request must be a JSON object")
    return doc


@require_POST
@json_patient
def live_start(request: SignedInRequest, session_id: int, number: int) -> JsonResponse:
    doc = _body(request)
    check = services.start_live(
        request.user,
        session_id,
        number,
        client_key=doc.get("client_key"),
        width=doc.get("width"),
        height=doc.get("height"),
    )
    return JsonResponse(
        {
            "id": check.pk,
            "status": check.status,
            "batch_url": reverse("form-check-batch", args=[check.pk]),
            "finish_url": reverse("form-check-finish", args=[check.pk]),
            "result_url": reverse("form-check-result", args=[check.pk]),
        },
        status=201,
    )


@require_POST
@json_patient
def live_batch(request: SignedInRequest, check_id: int) -> JsonResponse:
    doc = _body(request)
    return JsonResponse(services.add_batch(request.user, check_id, doc.get("seq"), doc.get("samples")))


@require_POST
@json_patient
def live_finish(request: SignedInRequest, check_id: int) -> JsonResponse:
    check = services.finish_live(request.user, check_id)
    return JsonResponse(presenters.finished_json(check))


@login_required
@patient_required
def result(request: SignedInRequest, check_id: int) -> HttpResponse:
    check = records.form_check(request.user, check_id)
    if check is None:
        raise Http404("No such form check")
    return render(request, "formcheck/result.html", presenters.result_context(check))


@login_required
@patient_required
@require_http_methods(["POST"])
def delete(request: SignedInRequest, check_id: int) -> HttpResponse:
    check = records.form_check(request.user, check_id)
    if check is None:
        raise Http404("No such form check")
    back = presenters.exercise_url(check)
    services.delete_check(request.user, check_id)
    return redirect(back)
