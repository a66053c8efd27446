"""Landing page, health check, robots.txt and the favicon."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache
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
        "database": "read-only" if state.read_only else ("ok" if state.database_ok else "error"),
        "content_version": state.content_version or "unavailable",
    }
    if state.read_only:
        body["reason"] = state.read_only
    return JsonResponse(body, status=200 if state.ok else 503)


# Search engines may index the public library and lessons; everything a person records stays out.
ROBOTS_TXT = """User-agent: *
Allow: /$
Allow: /exercises/
Allow: /learn/
Disallow: /signup/
Disallow: /accounts/
Disallow: /start/
Disallow: /today/
Disallow: /program/
Disallow: /session/
Disallow: /checkin/
Disallow: /progress/
Disallow: /settings/
Disallow: /calendar/
Disallow: /api/
Disallow: /admin/
Disallow: /healthz
"""


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico for browsers that ask for it whatever the page says: the app's SVG icon."""
    path = finders.find("lumbar/icon.svg")
    if not path or isinstance(path, list):
        raise Http404("no icon")
    return HttpResponse(Path(path).read_bytes(), content_type="image/svg+xml")
