"""Embedded and clinic deployments: DEBUG off; with LUMBAR_HTTPS, HTTPS only behind a trusted proxy.

`manage.py check --deploy --fail-level WARNING` passes with the variables of the README's "Running it
for a clinic" (LUMBAR_HTTPS, LUMBAR_TRUSTED_PROXIES, LUMBAR_ALLOWED_HOSTS, LUMBAR_EMAIL_URL).
"""

from __future__ import annotations

from lumbar.web.settings.base import *  # noqa: F403
from lumbar.web.settings.base import env_flag

if env_flag("LUMBAR_HTTPS"):
    # Plain HTTP is redirected to HTTPS, except /healthz (load balancers and `lumbar serve` itself
    # probe it over plain HTTP on the private side of the proxy).
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Believed only from LUMBAR_TRUSTED_PROXIES: TrustedProxyMiddleware drops the header otherwise.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Browsers remember for a year to use HTTPS only, for this host and the names under it.
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("LUMBAR_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Asking to be on the browsers' built-in HSTS list is the domain owner's decision (it covers the
    # whole registered domain and is slow to undo): LUMBAR_HSTS_PRELOAD=1 adds "preload".
    SECURE_HSTS_PRELOAD = env_flag("LUMBAR_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
