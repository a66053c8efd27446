"""Email from one variable: LUMBAR_EMAIL_URL.

    smtp://user:password@mail.example.org:587     SMTP with STARTTLS (the default for smtp://)
    smtp://relay.internal:25?starttls=off          SMTP without encryption (a relay on the same network)
    smtps://user:password@mail.example.org:465    SMTP over TLS from the first byte
    console://                                     print every email (links included) to the log

User name and password are URL-encoded ("%40" for "@"). Without LUMBAR_EMAIL_URL, a server that answers
only on loopback (a person's own computer) prints emails to its console, as it always has; any other
server sends nothing and logs only that an email could not be sent, never its text: reset and
sign-up links must not end up in a clinic's logs.

This module is imported by the settings: nothing in it needs Django's apps loaded.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
UNCONFIGURED_BACKEND = "lumbar.web.security.email.UnconfiguredEmailBackend"
EMAIL_TIMEOUT_SECONDS = 10

log = logging.getLogger("lumbar.email")


class EmailConfigError(ImproperlyConfigured, ValueError):
    """LUMBAR_EMAIL_URL cannot be understood; the message says how to write it."""


_OFF = {"0", "false", "no", "off"}
_ON = {"1", "true", "yes", "on"}


def _flag(query: dict[str, list[str]], name: str, default: bool) -> bool:
    values = query.get(name)
    if not values:
        return default
    value = values[-1].strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise EmailConfigError(f"LUMBAR_EMAIL_URL: {name}={values[-1]!r} should be on or off")


def email_settings(url: str | None, *, loopback_only: bool) -> dict[str, Any]:
    """The EMAIL_* settings for LUMBAR_EMAIL_URL (None or empty: the default described above)."""
    if not url or not url.strip():
        return {"EMAIL_BACKEND": CONSOLE_BACKEND if loopback_only else UNCONFIGURED_BACKEND}
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE_BACKEND}
    if scheme not in {"smtp", "smtps"}:
        raise EmailConfigError(
            f"LUMBAR_EMAIL_URL must start with smtp://, smtps:// or console:// (it starts with {parts.scheme or '?'}://)"
        )
    if not parts.hostname:
        raise EmailConfigError("LUMBAR_EMAIL_URL names no mail server (smtp://user:password@host:port)")
    try:
        port = parts.port
    except ValueError:
        raise EmailConfigError("LUMBAR_EMAIL_URL: the port is not a number") from None
    query = urllib.parse.parse_qs(parts.query)
    unknown = set(query) - {"starttls", "timeout"}
    if unknown:
        raise EmailConfigError(f"LUMBAR_EMAIL_URL: unknown option {sorted(unknown)[0]!r} (starttls, timeout)")
    try:
        timeout = int(query.get("timeout", [str(EMAIL_TIMEOUT_SECONDS)])[-1])
    except ValueError:
        raise EmailConfigError("LUMBAR_EMAIL_URL: timeout must be a number of seconds") from None
    implicit_tls = scheme == "smtps"
    return {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if implicit_tls else 587),
        "EMAIL_HOST_USER": urllib.parse.unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": urllib.parse.unquote(parts.password or ""),
        "EMAIL_USE_SSL": implicit_tls,
        "EMAIL_USE_TLS": not implicit_tls and _flag(query, "starttls", default=True),
        "EMAIL_TIMEOUT": timeout,
    }


class UnconfiguredEmailBackend(BaseEmailBackend):
    """A server reachable from the network with no LUMBAR_EMAIL_URL: nothing is sent and nothing of
    the message (address, text, links) is logged, only that an email was dropped and how to fix it."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for _ in email_messages:
            log.warning(
                "An email was not sent because LUMBAR_EMAIL_URL is not set (smtp://, smtps:// or console://)."
            )
        return 0
