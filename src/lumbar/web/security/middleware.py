"""Middleware: the real client behind trusted proxies, security headers and the
Content-Security-Policy on every response, and signed-in pages kept out of every cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers

from lumbar.web.security import failures
from lumbar.web.security.proxy import apply_to_meta

GetResponse = Callable[[HttpRequest], HttpResponse]


class TrustedProxyMiddleware:
    """First in the list: from a proxy in LUMBAR_TRUSTED_PROXIES, REMOTE_ADDR becomes the client's
    address (X-Forwarded-For) and X-Forwarded-Proto is kept for SECURE_PROXY_SSL_HEADER; from anyone
    else those headers are removed before Django reads them."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        apply_to_meta(request.META, tuple(getattr(settings, "LUMBAR_TRUSTED_PROXIES", ())))
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Right after Django's SecurityMiddleware and before WhiteNoise, so static files get them too:
    X-Frame-Options DENY (the page is never framed) and the Referrer-Policy. Django's own middleware
    sets them on views; this one covers every response. ContentSecurityPolicyMiddleware, next in
    the list, adds the Content-Security-Policy."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY"))
        policy = getattr(settings, "SECURE_REFERRER_POLICY", None)
        if policy:
            response.headers.setdefault("Referrer-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (the policy is CONTENT_SECURITY_POLICY), before WhiteNoise so that
    static files carry it too. A path in LUMBAR_CSP_ADDITIONS gets those sources added for it alone
    (the REST API's docs page). A view that sets its own Content-Security-Policy header keeps it: an
    exercise figure's SVG file (lumbar.web.security.csp.svg_file_policy)."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        additions: dict[str, list[Any]] = getattr(settings, "LUMBAR_CSP_ADDITIONS", {}).get(
            request.path_info, {}
        )
        if additions and not report_only:
            update = dict(parts.update or {})
            for directive, sources in additions.items():
                update[directive] = [*update.get(directive, []), *sources]
            parts.update = update
        return parts


class PrivatePagesMiddleware:
    """After AuthenticationMiddleware: a response to a signed-in person is never stored by the browser
    or a proxy (Cache-Control: no-store, private), unless its view marked it `public`: the same for
    everyone (an exercise figure, robots.txt), so nothing of the person is in it."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _public(response):
            add_never_cache_headers(response)
        return response


class WriteRecoveryMiddleware:
    """Once a write failed (a full disk), /healthz reports "read-only" for a while; a later request
    that changes something and succeeds shows writes work again, so the report ends there."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and response.status_code < 500 and failures.recent_failure():
            failures.forget()
        return response


SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _public(response: HttpResponse) -> bool:
    directives = response.get("Cache-Control", "").split(",")
    return any(d.strip().split("=", 1)[0].lower() == "public" for d in directives)
