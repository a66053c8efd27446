"""The progress page and the reassessment form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from lumbar.domain.errors import InvalidInput
from lumbar.web.accounts.decorators import patient_required
from lumbar.web.accounts.request import SignedInRequest
from lumbar.web.outcomes import services
from lumbar.web.outcomes.forms import ReassessmentForm
from lumbar.web.outcomes.presenters import (
    overview,
)
from lumbar.web.outcomes.selectors import (
    reassessment_for,
)
from lumbar.web.records.services import ServiceError

SAVED = "Thank you: your answers are saved. See how they compare below."


@login_required
@patient_required
def progress_page(request: SignedInRequest) -> HttpResponse:
    today = timezone.localdate()
    context = overview(request.user, today)
    if context is None:
        return redirect("onboarding-start")
    return render(request, "care/progress.html", context)


@login_required
@patient_required
@require_http_methods(["GET", "POST"])
def reassess(request: SignedInRequest) -> HttpResponse:
    today = timezone.localdate()
    span, status = reassessment_for(request.user, today)
    if span is None or status is None:
        return redirect("onboarding-start")
    if status.due is None:
        if request.method == "POST":
            if services.reassessment_scores(request.user, on=today):
                # The same answers sent twice (a double tap, a second tab): the first are kept.
                messages.success(request, SAVED)
            else:
                messages.info(request, "No check is due today, so nothing was saved.")
            return redirect("progress")
        return render(request, "care/reassess.html", {"status": status, "form": None})
    wording = services.licensed_wording()
    form = ReassessmentForm(request.POST or None, goals=status.goals, wording=wording)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_reassessment(request.user, **form.answers(), today=today)
        except (InvalidInput, ServiceError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, SAVED)
            return redirect("progress")
    return render(request, "care/reassess.html", {"status": status, "form": form, "wording": wording})
