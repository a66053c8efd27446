"""The patient's side of the link: accept a therapist's invitation, see who it is, end the link.

The patient keeps control: the link is made only by their own accepting, and they can end it at any
time; their record stays theirs either way.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from lumbar.web.accounts.decorators import patient_required
from lumbar.web.accounts.request import SignedInRequest
from lumbar.web.clinic import services
from lumbar.web.clinic.models import Therapist
from lumbar.web.records.models import Profile


def _current(request: SignedInRequest) -> Therapist | None:
    profile = Profile.objects.filter(user=request.user).select_related("therapist").first()
    if profile is None or profile.therapist is None:
        return None
    return Therapist.objects.select_related("clinic", "user").filter(user=profile.therapist).first()


@login_required
@patient_required
@require_http_methods(["GET", "POST"])
def join(request: SignedInRequest, code: str = "") -> HttpResponse:
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        try:
            therapist = services.accept_invite(request.user, code)
        except services.InviteRefused as exc:
            error = str(exc)
        else:
            messages.success(request, f"You are linked to {therapist.user.email} at {therapist.clinic.name}.")
            return redirect("my-therapist")
    return render(
        request,
        "clinic/join.html",
        {"code": services.normalise_code(code), "error": error, "current": _current(request)},
    )


@login_required
@patient_required
def my_therapist(request: SignedInRequest) -> HttpResponse:
    return render(request, "clinic/my_therapist.html", {"current": _current(request)})


@login_required
@patient_required
@require_POST
def unlink(request: SignedInRequest) -> HttpResponse:
    if services.unlink(request.user):
        messages.success(request, "You are no longer linked to a therapist. Your record is yours alone.")
    return redirect("my-therapist")
