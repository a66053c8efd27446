"""Embedded and clinic deployments: DEBUG off, secure cookies when served over HTTPS."""

from __future__ import annotations

from lumbar.web.settings.base import *  # noqa: F403
from lumbar.web.settings.base import env_flag

if env_flag("LUMBAR_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30
