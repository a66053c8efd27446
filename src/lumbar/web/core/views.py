"""Landing page and health check."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lumbar.web.core import selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    library = selectors.catalog()
    return render(
        request,
        "core/home.html",
        {"exercise_count": len(library.exercises), "topic_count": len(library.education)},
    )


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    state = selectors.health()
    body = {
        "status": "ok" if state.ok else "error",
        "database": "ok" if state.database_ok else "error",
        "content_version": state.content_version or "unavailable",
    }
    return JsonResponse(body, status=200 if state.ok else 503)
