"""Access rules for the patient's pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from lumbar.web.records.models import Profile

View = Callable[..., HttpResponse]


def is_patient(request: HttpRequest) -> bool:
    """Whether the signed-in account is a patient's (one without a profile becomes a patient)."""
    profile, _ = Profile.objects.get_or_create(user=request.user)  # type: ignore[misc]
    return bool(profile.role == Profile.PATIENT)


def patient_required(view: View) -> View:
    """Patients only; therapists go to their caseload. An account without a profile (e.g. one made
    with `createsuperuser`) becomes a patient on first use."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_patient(request):
            return redirect("clinic-caseload")
        return view(request, *args, **kwargs)

    return wrapper
