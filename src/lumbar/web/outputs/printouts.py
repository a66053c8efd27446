"""The printed handout (/program/handout.pdf) and the progress report (/progress/report.pdf).

Both are the person's own: the views read only the signed-in patient's records, and the documents
are rendered by lumbar.reports, the same code `lumbar handout` and `lumbar report` run. When this
machine cannot make PDFs (the Pango libraries are missing), the pages say so in one sentence with
status 503 instead of failing.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from lumbar.reports.pdf import PAPERS, PdfUnavailable, paper
from lumbar.web.accounts.decorators import patient_required
from lumbar.web.accounts.request import SignedInRequest
from lumbar.web.outcomes.selectors import morning_pain, program_span
from lumbar.web.records import selectors as records
from lumbar.web.records.models import Alert, ExerciseSession, OutcomeScore, Profile, ProgramVersion

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from lumbar.reports.report import ReportInput

# The report's period choices: weeks back from today, or everything since the start.
PERIODS: dict[str, int | None] = {"4": 4, "12": 12, "all": None}
DEFAULT_PERIOD = "12"
REPORT_INSTRUMENTS = ("nprs", "odi", "rmdq", "psfs")


def _paper(request: HttpRequest) -> Any:
    try:
        return paper(request.GET.get("paper", "a4"))
    except ValueError as exc:
        raise BadRequest(f"{exc} ({' or '.join(PAPERS)})") from None


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Content-Length"] = str(len(data))
    return response


def _unavailable(request: HttpRequest, exc: PdfUnavailable, back: str) -> HttpResponse:
    return render(request, "care/pdf_unavailable.html", {"message": str(exc), "back": back}, status=503)


def session_url(request: HttpRequest) -> str | None:
    """The session player's address for the handout's QR code, as the person reached the app; None on
    a loopback address, which a phone scanning the code could not open."""
    host = split_domain_port(request.get_host())[0].strip("[]")
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            return None
    return request.build_absolute_uri(reverse("session-start"))


@login_required
@patient_required
def program_handout(request: SignedInRequest) -> HttpResponse:
    if records.current_program(request.user) is None:
        return redirect("onboarding-start")
    return handout_response(request, request.user, back=reverse("program"))


@login_required
@patient_required
def progress_report(request: SignedInRequest) -> HttpResponse:
    if records.current_program(request.user) is None:
        return redirect("onboarding-start")
    return report_response(request, request.user, back=reverse("progress"))


def handout_response(request: HttpRequest, user: AbstractBaseUser, *, back: str) -> HttpResponse:
    """The person's current program as the printed handout (the caller has decided who may see it)."""
    from lumbar.reports.handout import handout_pdf
    from lumbar.web.library.figures import figure_svg

    size = _paper(request)
    current = records.current_program(user)
    if current is None:
        raise Http404("No program yet.")
    made = timezone.localdate(current.created_at)
    try:
        data = handout_pdf(
            current.program,
            paper=size,
            printed_on=timezone.localdate(),
            session_url=session_url(request),
            version_line=f"Version {current.number}, from {made.day} {made:%B %Y}",
            figures=figure_svg,
        )
    except PdfUnavailable as exc:
        return _unavailable(request, exc, back)
    return _pdf(data, "lumbar-program.pdf")


def report_response(request: HttpRequest, user: AbstractBaseUser, *, back: str) -> HttpResponse:
    """The person's progress report over ?weeks=4|12|all (the caller has decided who may see it)."""
    from lumbar.reports.report import report_pdf

    size = _paper(request)
    period = request.GET.get("weeks", DEFAULT_PERIOD)
    if period not in PERIODS:
        raise BadRequest("Choose a period of 4 or 12 weeks, or all.")
    today = timezone.localdate()
    report_input = report_input_for(user, PERIODS[period], today)
    if report_input is None:
        raise Http404("No program yet.")
    try:
        data = report_pdf(report_input, paper=size, made_on=today)
    except PdfUnavailable as exc:
        return _unavailable(request, exc, back)
    return _pdf(data, f"lumbar-progress-{report_input.period_start}-to-{today}.pdf")


def report_input_for(user: AbstractBaseUser, weeks: int | None, today: dt.date) -> ReportInput | None:
    """The person's record for the report: the last `weeks` weeks to today (None: since the start)."""
    from lumbar.reports.handout import parse_program
    from lumbar.reports.report import AlertEntry, ProgramChange, ReportInput, Score, SessionDay

    span = program_span(user)
    if span is None:
        return None
    start = (
        span.start
        if weeks is None
        else max(span.start, today - dt.timedelta(weeks=weeks) + dt.timedelta(days=1))
    )
    start = min(start, today)
    sessions = ExerciseSession.objects.filter(
        patient=user, date__gte=start, date__lte=today, completed_at__isnull=False
    ).values_list("date", "pain_before", "pain_after")
    scores = OutcomeScore.objects.filter(
        patient=user, date__lte=today, instrument__in=REPORT_INSTRUMENTS
    ).values_list("date", "instrument", "score")
    alerts = [
        AlertEntry(timezone.localdate(created), severity, kind, message)
        for created, severity, kind, message in Alert.objects.filter(patient=user).values_list(
            "created_at", "severity", "kind", "message"
        )
        if start <= timezone.localdate(created) <= today
    ]
    sources = dict(ProgramVersion.SOURCES)
    changes = [
        ProgramChange(
            timezone.localdate(v.created_at),
            f"Version {v.number}: {sources.get(v.source, v.source)}",
            tuple(v.changes),
        )
        for v in ProgramVersion.objects.filter(patient=user, number__gt=1).order_by("number")
        if start <= timezone.localdate(v.created_at) <= today
    ]
    profile = Profile.objects.filter(user=user).values_list("display_name", flat=True).first()
    return ReportInput(
        program=parse_program(span.current.program, "stored program").program,
        started=span.start,
        period_start=start,
        period_end=today,
        sessions=tuple(SessionDay(day, before, after) for day, before, after in sessions),
        mornings=tuple(morning_pain(user, start, today)),
        scores=tuple(Score(day, instrument, score) for day, instrument, score in scores),
        alerts=tuple(alerts),
        changes=tuple(changes),
        person=profile or user.get_username(),
        source="the Lumbar app",
    )
