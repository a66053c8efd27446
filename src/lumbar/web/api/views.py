"""The settings page's access tokens: make one (shown once, on the page that answers) and revoke one.

Making a token asks for the password again, as downloading the data does: a token reads the whole
record, so someone at an unlocked device must not be able to take one away.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lumbar.web.accounts.request import SignedInRequest
from lumbar.web.accounts.views import RETYPE_HINT, password_confirmed
from lumbar.web.api import tokens
from lumbar.web.records.models import Profile
from lumbar.web.records.services import ServiceError

SECTION = "#api-heading"


def _tokens_page(request: SignedInRequest) -> str:
    """The page with the tokens: the patient's settings, or the therapist's account page."""
    therapist = Profile.objects.filter(user=request.user, role=Profile.THERAPIST).exists()
    return reverse("clinic-account" if therapist else "settings") + SECTION


def _back(request: SignedInRequest) -> HttpResponse:
    return redirect(_tokens_page(request))


# Patients and therapists alike: a token acts with the role of its account (lumbar.web.api.auth).
@login_required
@require_POST
@never_cache
def create_token(request: SignedInRequest) -> HttpResponse:
    if not password_confirmed(request):
        messages.error(request, f"No token was made. {RETYPE_HINT}", extra_tags="api-token-password")
        return _back(request)
    try:
        days = int(request.POST.get("days", ""))
    except ValueError:
        days = 0
    try:
        made = tokens.create_token(
            request.user,
            request.POST.get("name", ""),
            request.POST.get("scope", ""),
            days,
        )
    except ServiceError as exc:
        messages.error(request, str(exc), extra_tags="api-token-name")
        return _back(request)
    return render(request, "api/token_created.html", {"made": made, "back": _tokens_page(request)})


@login_required
@require_POST
def revoke_token(request: SignedInRequest, token_id: int) -> HttpResponse:
    if tokens.revoke_token(request.user, token_id):
        messages.success(request, "The token is revoked: it no longer works.")
    return _back(request)
