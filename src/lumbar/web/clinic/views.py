"""The therapist's pages: the caseload, invitations, a patient's record, the audit trail.

Only therapists reach them; anyone else gets a 404 (a patient has nothing at /clinic/). A patient's
record is found through the therapist's clinic, so a forged id reaches a 404 as well.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lumbar.web.clinic import selectors, services
from lumbar.web.clinic.models import Therapist
from lumbar.web.outcomes.presenters import overview
from lumbar.web.records import selectors as records
from lumbar.web.records.models import Alert, CheckIn, ExerciseSession, IntakeRecord, ScreeningEvent
from lumbar.web.records.services import ServiceError

RECENT_ROWS = 30


class TherapistRequest(HttpRequest):
    therapist: Therapist


View = Callable[..., HttpResponse]


def therapist_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        therapist = selectors.therapist_for(request.user)  # type: ignore[arg-type]
        if therapist is None:
            raise Http404("No clinic page here.")
        request.therapist = therapist  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@require_GET
@therapist_required
def caseload(request: TherapistRequest) -> HttpResponse:
    show = request.GET.get("show", "all")
    show = show if show in selectors.FILTERS else "all"
    mine = request.GET.get("mine") == "1"
    search = request.GET.get("q", "")[:80]
    page, rows = selectors.caseload(
        request.therapist, page=_page_number(request), mine=mine, search=search, show=show
    )
    query = {"show": show, "q": search, **({"mine": "1"} if mine else {})}
    return render(
        request,
        "clinic/caseload.html",
        {
            "therapist": request.therapist,
            "page": page,
            "rows": rows,
            "show": show,
            "mine": mine,
            "search": search,
            "query": "&".join(f"{k}={v}" for k, v in query.items() if v),
            "filters": [("all", "Everyone"), ("alerts", "Open alerts"), ("quiet", "No activity")],
            "quiet_days": selectors.quiet_days(),
        },
    )


@require_http_methods(["GET", "POST"])
@therapist_required
def invites(request: TherapistRequest) -> HttpResponse:
    if request.method == "POST":
        invite = services.create_invite(request.therapist, request.POST.get("label", ""))
        messages.success(request, f"New invitation code: {_spaced(invite.code)}")
        return redirect("clinic-invites")
    open_invites = selectors.open_invites(request.therapist)
    return render(
        request,
        "clinic/invites.html",
        {
            "invites": [
                {
                    "invite": invite,
                    "code": _spaced(invite.code),
                    "link": request.build_absolute_uri(reverse("join-code", args=[invite.code])),
                }
                for invite in open_invites
            ],
            "days": services.invite_days(),
        },
    )


def _spaced(code: str) -> str:
    """XXXXX-XXXXX: easier to read aloud and copy than ten letters in a row."""
    return f"{code[:5]}-{code[5:]}"


@require_POST
@therapist_required
def revoke_invite(request: TherapistRequest, invite_id: int) -> HttpResponse:
    services.revoke_invite(request.therapist, invite_id)
    messages.success(request, "The invitation no longer works.")
    return redirect("clinic-invites")


@require_GET
@therapist_required
def patient_record(request: TherapistRequest, patient_id: int) -> HttpResponse:
    patient = selectors.linked_patient(request.therapist, patient_id)
    if patient is None:
        raise Http404("Not a patient of this clinic.")
    services.record_viewed(request.therapist, patient)
    today = timezone.localdate()
    alerts = list(Alert.objects.filter(patient=patient).select_related("acknowledged_by", "resolved_by")[:50])
    context = {
        "patient": patient,
        "name": patient.profile.display_name or patient.email,
        "progress": overview(patient, today),
        "open_alerts": [a for a in alerts if a.resolved_at is None],
        "closed_alerts": [a for a in alerts if a.resolved_at is not None],
        "programs": records.program_history(patient),
        "sessions": list(
            ExerciseSession.objects.filter(patient=patient).prefetch_related("logs")[:RECENT_ROWS]
        ),
        "checkins": list(CheckIn.objects.filter(patient=patient)[:RECENT_ROWS]),
        "screenings": list(
            ScreeningEvent.objects.filter(patient=patient).order_by("-created_at")[:RECENT_ROWS]
        ),
        "intakes": list(IntakeRecord.objects.filter(patient=patient).order_by("-created_at")[:10]),
        "blocked": records.blocking_screening(patient),
    }
    return render(request, "clinic/patient.html", context)


@require_POST
@therapist_required
def review_alert(request: TherapistRequest, patient_id: int, alert_id: int) -> HttpResponse:
    action = request.POST.get("action")
    note = request.POST.get("note", "")
    try:
        if action == "resolve":
            services.resolve_alert(request.therapist, patient_id, alert_id, note)
            messages.success(request, "Alert resolved.")
        else:
            services.acknowledge_alert(request.therapist, patient_id, alert_id, note)
            messages.success(request, "Alert acknowledged.")
    except services.NotYourPatient:
        raise Http404("Not a patient of this clinic.") from None
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("clinic-patient", args=[patient_id]) + "#alerts")


@require_GET
@therapist_required
def audit(request: TherapistRequest) -> HttpResponse:
    if not request.therapist.is_admin:
        raise Http404("Only the clinic's admins see its audit trail.")
    page = selectors.audit_page(request.therapist, _page_number(request))
    return render(request, "clinic/audit.html", {"page": page, "clinic": request.therapist.clinic})
