"""{% api_tokens_section %}: the settings page's section on access tokens for the API."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from lumbar.web.api import tokens

register = template.Library()


@register.inclusion_tag("api/settings_tokens.html", takes_context=True)
def api_tokens_section(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    return {
        "tokens": tokens.listed_tokens(request.user),
        "now": timezone.now(),
        "lifetimes": tokens.LIFETIME_DAYS,
        "default_lifetime": tokens.DEFAULT_LIFETIME_DAYS,
        "max_tokens": tokens.MAX_ACTIVE_TOKENS,
        "name_max": tokens.NAME_MAX,
        "csrf_token": context.get("csrf_token"),
        "docs_url": "/api/v1/docs",
        "for_therapist": context.get("therapist") is not None,
    }
