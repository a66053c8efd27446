"""/api/v1/ (django-ninja) with every error under /api/ as problem details, and the settings
page's token forms."""

from __future__ import annotations

import functools
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path
from django.utils.cache import add_never_cache_headers

from lumbar.web.api import problems, views
from lumbar.web.api.api import api, server_error

View = Callable[..., HttpResponse]


def as_problems(view: View) -> View:
    """Whatever answers under /api/ answers errors as problem details: ninja's own 405, a 404 the
    URL resolver or a view raised, an exception that escaped; and nothing of it is cached."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            answer = view(request, *args, **kwargs)
        except Http404:
            answer = problems.response(request, 404, "Nothing is at this address.", "not-found")
        except Exception as exc:
            answer = server_error(request, exc)
        if answer.status_code >= 400 and not problems.is_problem(answer):
            answer = _problem_from(request, answer)
        add_never_cache_headers(answer)  # a person's record: never kept by a browser or a proxy
        return answer

    return wrapper


def _problem_from(request: HttpRequest, answer: HttpResponse) -> HttpResponse:
    status = answer.status_code
    keep = {name: answer[name] for name in ("Allow", "Retry-After", "WWW-Authenticate") if name in answer}
    if status == 405:
        detail = f"{request.path} takes {answer.get('Allow', 'other methods')}, not {request.method}."
    else:
        detail = HTTPStatus(status).description or HTTPStatus(status).phrase
    return problems.response(request, status, detail, headers=keep)


def _wrapped(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    result: list[URLPattern | URLResolver] = []
    for item in patterns:
        if isinstance(item, URLPattern):
            item = URLPattern(  # noqa: PLW2901
                item.pattern, as_problems(item.callback), item.default_args, item.name
            )
        result.append(item)
    return result


@as_problems
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    raise Http404(rest)


_ninja_patterns, _ninja_app, _ninja_namespace = api.urls

urlpatterns = [
    path("api/v1/", include((_wrapped(_ninja_patterns), _ninja_app), namespace=_ninja_namespace)),
    # Any other address under /api/ is a 404 problem, not the site's 404 page.
    path("api", not_found),
    path("api/", not_found),
    path("api/<path:rest>", not_found, name="api-not-found"),
    path("settings/api-tokens/", views.create_token, name="api-token-create"),
    path("settings/api-tokens/<int:token_id>/revoke/", views.revoke_token, name="api-token-revoke"),
]
