"""The therapist's pages: the caseload, invitations, a patient's record, the audit trail.

Only therapists reach them; anyone else gets a 404 (a patient has nothing at /clinic/). A patient's
record is found through the therapist's clinic, so a forged id reaches a 404 as well.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
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

from lumbar.domain.errors import InvalidInput
from lumbar.domain.program_edit import EditedExercise
from lumbar.web.clinic import forms, selectors, services
from lumbar.web.clinic.models import Therapist
from lumbar.web.outcomes.presenters import overview, pain_chart
from lumbar.web.outputs import fhir as fhir_export
from lumbar.web.outputs import printouts
from lumbar.web.records import selectors as records
from lumbar.web.records.models import (
    Alert,
    CheckIn,
    ExerciseSession,
    IntakeRecord,
    ProgramSuggestion,
    ProgramVersion,
    ScreeningEvent,
)
from lumbar.web.records.services import ServiceError

RECENT_ROWS = 30
RECENT_VERSIONS = 20


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
        # The chart comes as an image of its own (clinic-pain-chart): drawing it after new readings
        # takes longer than the rest of the page.
        "progress": overview(patient, today, draw_chart=False),
        "open_alerts": [a for a in alerts if a.resolved_at is None],
        "closed_alerts": [a for a in alerts if a.resolved_at is not None],
        "programs": list(
            ProgramVersion.objects.filter(patient=patient)
            .select_related("changed_by")
            .order_by("-number")[:RECENT_VERSIONS]
        ),
        "older_versions": max(0, ProgramVersion.objects.filter(patient=patient).count() - RECENT_VERSIONS),
        "sessions": list(
            ExerciseSession.objects.filter(patient=patient).prefetch_related("logs")[:RECENT_ROWS]
        ),
        "checkins": list(CheckIn.objects.filter(patient=patient)[:RECENT_ROWS]),
        "screenings": list(
            ScreeningEvent.objects.filter(patient=patient).order_by("-created_at")[:RECENT_ROWS]
        ),
        "intakes": list(IntakeRecord.objects.filter(patient=patient).order_by("-created_at")[:10]),
        "blocked": records.blocking_screening(patient),
        "suggestions": list(ProgramSuggestion.objects.filter(patient=patient, status=ProgramSuggestion.OPEN)),
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


@require_http_methods(["GET", "POST"])
@therapist_required
def program_editor(request: TherapistRequest, patient_id: int) -> HttpResponse:
    patient = selectors.linked_patient(request.therapist, patient_id)
    if patient is None:
        raise Http404("Not a patient of this clinic.")
    current = records.current_program(patient)
    if current is None:
        messages.error(request, "This patient has no program yet: they make one by finishing the intake.")
        return redirect("clinic-patient", patient_id)
    entries = current.exercises
    currents = [e["id"] for e in entries]
    days = max((int(e.get("sessions_per_week", 0)) for e in entries), default=0) or None
    unresolved: dict[str, str] = {}
    if request.method == "POST":
        rows = forms.ExerciseRows(request.POST, currents=currents, default_days=days)
        head = forms.ProgramNoteForm(request.POST)
        if rows.is_valid() and head.is_valid():
            chosen = rows.chosen()
            edit = services.ProgramEdit(
                exercises=[row.edited() for row in chosen],
                note=head.cleaned_data["note"],
                exercise_notes={r.cleaned_data["exercise"]: r.cleaned_data.get("note", "") for r in chosen},
                overrides={r.cleaned_data["exercise"]: r.cleaned_data.get("override", "") for r in chosen},
                based_on=head.cleaned_data["based_on"],
            )
            try:
                version = services.save_program(request.therapist, patient.pk, edit)
            except services.ChecksNotOverridden as exc:
                unresolved = exc.unresolved
                head.add_error(None, str(exc))
            except (InvalidInput, ServiceError) as exc:
                head.add_error(None, str(exc))
            else:
                messages.success(
                    request, f"Saved as version {version.number}. The patient sees it with your note."
                )
                return redirect(reverse("clinic-patient", args=[patient.pk]) + "#program-heading")
    else:
        services.record_viewed(request.therapist, patient, "program editor")
        initial = [
            {
                "exercise": e["id"],
                "sets": e.get("sets"),
                "reps": e.get("reps"),
                "hold_seconds": e.get("hold_seconds"),
                "sessions_per_week": e.get("sessions_per_week"),
                "note": current.exercise_notes.get(e["id"], ""),
                "ORDER": index,
            }
            for index, e in enumerate(entries, start=1)
        ]
        rows = forms.ExerciseRows(initial=initial, currents=currents, default_days=days)
        head = forms.ProgramNoteForm(initial={"based_on": current.number})
    shown = currents + [i for i in unresolved if i not in currents]
    checks = services.engine_checks(patient, [EditedExercise(i, 1, 1, None, 1) for i in shown])
    return render(
        request,
        "clinic/program_editor.html",
        {
            "patient": patient,
            "name": patient.profile.display_name or patient.email,
            "current": current,
            "rows": rows,
            "head": head,
            "unresolved": unresolved,
            "cautions": {k: v["cautions"] for k, v in checks.items()},
            "refusals": {k: v["refusals"] for k, v in checks.items()},
            "flagged": {k for k, v in checks.items() if v["refusals"]} | set(unresolved),
            "suggestions": list(
                ProgramSuggestion.objects.filter(patient=patient, status=ProgramSuggestion.OPEN)
            ),
        },
    )


@require_POST
@therapist_required
def decide_suggestion(request: TherapistRequest, patient_id: int, suggestion_id: int) -> HttpResponse:
    accept = request.POST.get("action") == "accept"
    try:
        version = services.decide_suggestion(
            request.therapist, patient_id, suggestion_id, accept=accept, reason=request.POST.get("reason", "")
        )
    except services.NotYourPatient:
        raise Http404("Not a patient of this clinic.") from None
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        if version is not None:
            messages.success(request, f"Accepted: saved as version {version.number}.")
        elif accept:
            messages.info(request, "That suggestion was already decided.")
        else:
            messages.success(request, "Declined, with your reason kept in the record.")
    return redirect(reverse("clinic-patient", args=[patient_id]) + "#program-heading")


def _month(value: str | None, today: dt.date) -> dt.date | None:
    """The first day of a YYYY-MM month; last month when none is given; None when malformed."""
    if not value:
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    year, _, month = value.partition("-")
    if not (year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12):
        return None
    return dt.date(int(year), int(month), 1)


@require_GET
@therapist_required
def monthly_csv(request: TherapistRequest) -> HttpResponse:
    """?month=YYYY-MM (default: last month), optionally &patient=<id>: the clinic's monthly summary."""
    month = _month(request.GET.get("month"), timezone.localdate())
    if month is None:
        return HttpResponse(
            "Give the month as YYYY-MM, e.g. 2026-11.\n", status=400, content_type="text/plain"
        )
    patient_id = request.GET.get("patient")
    if patient_id is not None and (
        not patient_id.isdigit() or selectors.linked_patient(request.therapist, int(patient_id)) is None
    ):
        raise Http404("Not a patient of this clinic.")
    rows = list(selectors.monthly_rows(request.therapist, month, int(patient_id) if patient_id else None))
    services.record_downloads(
        request.therapist, [r["patient_id"] for r in rows], f"monthly summary {month:%Y-%m}"
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=selectors.MONTHLY_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lumbar-monthly-{month:%Y-%m}.csv"'
    return response


# --- The patient's documents, for their therapist -----------------------------------------------------


def _document_patient(request: TherapistRequest, patient_id: int, what: str) -> Any:
    patient = selectors.linked_patient(request.therapist, patient_id)
    if patient is None:
        raise Http404("Not a patient of this clinic.")
    services.record_downloads(request.therapist, [patient.pk], what)
    return patient


@require_GET
@therapist_required
def patient_handout(request: TherapistRequest, patient_id: int) -> HttpResponse:
    patient = _document_patient(request, patient_id, "program handout")
    return printouts.handout_response(request, patient, back=reverse("clinic-patient", args=[patient_id]))


@require_GET
@therapist_required
def patient_report(request: TherapistRequest, patient_id: int) -> HttpResponse:
    patient = _document_patient(request, patient_id, "progress report")
    return printouts.report_response(request, patient, back=reverse("clinic-patient", args=[patient_id]))


@require_GET
@therapist_required
def patient_fhir(request: TherapistRequest, patient_id: int) -> HttpResponse:
    """The patient's record as a FHIR R4B Bundle, for the clinic's own records system."""
    patient = _document_patient(request, patient_id, "FHIR export")
    response = HttpResponse(fhir_export.bundle_json_for(patient), content_type=fhir_export.FHIR_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="lumbar-fhir-patient-{patient_id}-{timezone.localdate().isoformat()}.json"'
    )
    return response


@require_GET
@therapist_required
def account(request: TherapistRequest) -> HttpResponse:
    """The therapist's account: their password, and access tokens for the API's /clinic endpoints."""
    return render(request, "clinic/account.html", {"therapist": request.therapist})


@require_GET
@therapist_required
def patient_pain_chart(request: TherapistRequest, patient_id: int) -> HttpResponse:
    """The record page's pain chart, as an image (read as part of the record: not audited again)."""
    patient = selectors.linked_patient(request.therapist, patient_id)
    if patient is None:
        raise Http404("Not a patient of this clinic.")
    svg = pain_chart(patient, timezone.localdate())
    if svg is None:
        raise Http404("No pain readings yet.")
    return HttpResponse(svg, content_type="image/svg+xml")
