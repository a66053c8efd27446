"""`manage.py check --deploy`: Lumbar's own warnings for a clinic deployment."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from lumbar.web.security.email import UNCONFIGURED_BACKEND


@register(Tags.security, deploy=True)
def check_deployment(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if getattr(settings, "SECURE_SSL_REDIRECT", False) and not settings.LUMBAR_TRUSTED_PROXIES:
        messages.append(
            Warning(
                "LUMBAR_HTTPS is on but LUMBAR_TRUSTED_PROXIES is empty: X-Forwarded-Proto is ignored, so "
                "behind a proxy every request looks like plain HTTP and is redirected.",
                hint="Set LUMBAR_TRUSTED_PROXIES to the address of the HTTPS proxy (e.g. 127.0.0.1).",
                id="lumbar.W001",
            )
        )
    if settings.EMAIL_BACKEND == UNCONFIGURED_BACKEND:
        messages.append(
            Warning(
                "No email is sent: sign-up confirmations and password resets cannot reach anyone.",
                hint="Set LUMBAR_EMAIL_URL (smtp://user:password@host:587 or smtps://...:465).",
                id="lumbar.W002",
            )
        )
    return messages
