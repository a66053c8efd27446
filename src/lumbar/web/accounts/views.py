"""Settings: the private calendar feed, the data export, account deletion.

The calendar feed needs no sign-in: its address carries the person's unguessable calendar token
(Profile.calendar_token), which they can replace at any time. Everything else is the signed-in
person's own data only, and the export and the deletion ask for the password again (someone at an
unlocked phone cannot take or destroy the record).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import json
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Model, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lumbar import __version__
from lumbar.domain import schedule
from lumbar.domain.catalog import default_catalog
from lumbar.interop import calendar
from lumbar.web.accounts import exports, services
from lumbar.web.accounts.decorators import patient_required
from lumbar.web.accounts.request import SignedInRequest
from lumbar.web.records import selectors as records
from lumbar.web.records import services as records_services
from lumbar.web.records.models import (
    Alert,
    CheckIn,
    ExerciseLog,
    ExerciseSession,
    IntakeDraft,
    IntakeRecord,
    OutcomeScore,
    Profile,
    ProgramVersion,
    ScreeningEvent,
)

# The feed looks this far ahead; calendar apps fetch it again every few hours.
FEED_WEEKS = 8
# When movement-break reminders run, on weekdays. A scheduling default, not a clinical number:
# a deployment sets its own with LUMBAR_WORKING_HOURS="08:30-16:30".
WORKING_HOURS_SETTING = "LUMBAR_WORKING_HOURS"
DEFAULT_WORKING_HOURS = "09:00-17:00"
EXPORT_CHUNK = 200


# --- Settings page -------------------------------------------------------------------------------


# --- Sign-up ------------------------------------------------------------------------------------------

_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "[::1]", "::1"}


def shows_links(request: HttpRequest) -> bool:
    """Whether a page may show an emailed link: the server answers only on loopback (a setting), this
    request came to a loopback host name, and from a loopback address (so a machine elsewhere cannot
    get the link by sending "Host: localhost" to a server bound to every interface)."""
    if not getattr(settings, "LUMBAR_SHOW_LINKS_ON_LOOPBACK", False):
        return False
    host = request.get_host().lower()
    name = host[: host.find("]") + 1] if host.startswith("[") else host.rsplit(":", 1)[0]
    peer = request.META.get("REMOTE_ADDR", "")
    try:
        local_peer = ipaddress.ip_address(peer).is_loopback
    except ValueError:
        local_peer = False
    return name in _LOOPBACK_NAMES and local_peer


@require_http_methods(["GET", "POST"])
@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("today")
    error = error_field = ""  # error_field: the id of the field the error summary links to
    email = ""
    if request.method == "POST":
        email = request.POST.get("email", "")
        password = request.POST.get("password", "")
        if not request.POST.get("understood"):
            error = "Please confirm that you have read how Lumbar can and cannot help."
            error_field = "id_understood"
        else:
            try:
                result = services.sign_up(email, password, site_url=request.build_absolute_uri("/"))
            except records_services.ServiceError as exc:
                error = str(exc)
                error_field = "id_password" if "password" in error.lower() else "id_email"
            else:
                # The same page for a new and an existing address: only the emailed link differs.
                link = request.build_absolute_uri(result.link_path) if shows_links(request) else ""
                return render(request, "care/signup_sent.html", {"email": result.email, "link": link})
    return render(request, "care/signup.html", {"error": error, "error_field": error_field, "email": email})


@require_GET
@never_cache
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    outcome, user = services.confirm_email(token)
    if outcome is services.ConfirmOutcome.CONFIRMED and user is not None:
        if request.user.is_authenticated:
            logout(request)
        login(request, user, backend="lumbar.web.accounts.backends.EmailBackend")
        messages.success(request, "Your email is confirmed. Welcome to Lumbar.")
        return redirect("onboarding-start")
    # Like Django's password-reset link: an expired or altered link gets a page saying so (200).
    return render(request, "care/signup_confirm.html", {"outcome": outcome.value})


@login_required
@patient_required
def settings_page(request: SignedInRequest) -> HttpResponse:
    profile = Profile.objects.get(user=request.user)
    feed_path = reverse("calendar-feed", kwargs={"token": profile.calendar_token})
    feed_url = request.build_absolute_uri(feed_path)
    return render(
        request,
        "care/settings.html",
        {
            "feed_url": feed_url,
            "webcal_url": re.sub(r"^https?://", "webcal://", feed_url),
            "confirmation_word": services.DELETE_CONFIRMATION,
            "feed_weeks": FEED_WEEKS,
        },
    )


@login_required
@patient_required
@require_POST
def new_calendar_link(request: SignedInRequest) -> HttpResponse:
    services.new_calendar_token(request.user)
    messages.success(
        request,
        "Your calendar has a new link. The old one has stopped working: subscribe again with this one.",
    )
    return redirect("settings")


def password_confirmed(request: HttpRequest) -> bool:
    """Re-authentication: the POSTed `password` is the signed-in person's. A wrong one counts as a
    failed sign-in for django-axes, so guessing here is throttled like guessing at the sign-in page
    (after 5, the lockout page answers instead)."""
    password = request.POST.get("password", "")
    if not password:
        return False
    user = authenticate(request, username=request.user.get_username(), password=password)
    return user is not None and user.pk == request.user.pk


RETYPE_HINT = "That password is not right. Enter the password you sign in with."


@login_required
@patient_required
@require_POST
def delete_account(request: SignedInRequest) -> HttpResponse:
    if not password_confirmed(request):
        messages.error(request, f"Your account was not deleted. {RETYPE_HINT}", extra_tags="delete-password")
        return redirect(reverse("settings") + "#delete-heading")
    try:
        services.delete_account_and_data(request.user, request.POST.get("confirmation", ""))
    except records_services.ServiceError as exc:
        messages.error(request, str(exc), extra_tags="confirmation")  # the field the error links to
        return redirect("settings")
    logout(request)
    messages.success(request, "Your account and everything in it have been deleted.")
    return redirect("home")


# --- Calendar feed -------------------------------------------------------------------------------


def working_hours(environ: Any = os.environ) -> tuple[dt.time, dt.time]:
    value = environ.get(WORKING_HOURS_SETTING, "").strip() or DEFAULT_WORKING_HOURS
    match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", value)
    try:
        if match is None:
            raise ValueError
        start = dt.time(int(match[1]), int(match[2]))
        end = dt.time(int(match[3]), int(match[4]))
    except ValueError:
        raise ImproperlyConfigured(
            f"{WORKING_HOURS_SETTING} must look like 09:00-17:00 (got {value!r})"
        ) from None
    if end <= start:
        raise ImproperlyConfigured(f"{WORKING_HOURS_SETTING}: the end must come after the start ({value!r})")
    return start, end


def feed_for(
    user: AbstractBaseUser, today: dt.date, *, session_url: str, checkin_url: str = ""
) -> calendar.Feed:
    """What the person's calendar shows: planned days for the next weeks and, for people whose
    program has movement breaks, the working-day reminder. Nothing while a screen tells them to see
    a doctor first, or before they have a program."""
    last_day = today + dt.timedelta(weeks=FEED_WEEKS, days=-1)
    uid_prefix = salted_hmac("lumbar.calendar-feed", str(user.pk)).hexdigest()[:20]
    feed = calendar.Feed(
        name="Lumbar: my exercise plan",
        uid_prefix=uid_prefix,
        first_day=today,
        last_day=last_day,
        stamp=timezone.now().replace(microsecond=0),
        app_url=session_url,
        checkin_url=checkin_url,
    )
    program = records.current_program(user)
    if program is None or records.blocking_screening(user) is not None:
        return feed
    per_week = max((int(e.get("sessions_per_week", 0)) for e in program.exercises), default=0)
    sessions = calendar.SessionDays(
        days=schedule.planned_days(today, last_day, per_week),
        minutes=float(program.program.get("estimated_minutes") or 0),
        exercises=[e["name"] for e in program.exercises],
    )
    breaks = None
    plan = program.program.get("movement_breaks")
    if plan:
        catalog = default_catalog()
        start, end = working_hours()
        breaks = calendar.MovementBreaks(
            every_minutes=int(plan["every_minutes"]),
            exercises=[
                catalog.exercises[e].name for e in plan.get("exercises", []) if e in catalog.exercises
            ],
            day_starts=start,
            day_ends=end,
        )
    return dataclasses.replace(feed, sessions=sessions, breaks=breaks)


@require_GET
@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    profile = (
        Profile.objects.select_related("user")
        .filter(calendar_token=token, role=Profile.PATIENT, user__is_active=True)
        .first()
    )
    if profile is None:
        raise Http404("No such calendar")
    feed = feed_for(
        profile.user,
        timezone.localdate(),
        session_url=request.build_absolute_uri(reverse("session-start")),
        checkin_url=request.build_absolute_uri(reverse("checkin")),
    )
    response = HttpResponse(calendar.build_calendar(feed), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="lumbar.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- Export --------------------------------------------------------------------------------------


@login_required
@patient_required
@require_POST
@never_cache
def export_data(request: SignedInRequest) -> HttpResponse:
    """All the person's records as one JSON document, written as it is read (memory stays flat),
    once the person has entered their password again."""
    if not password_confirmed(request):
        messages.error(request, f"Nothing was downloaded. {RETYPE_HINT}", extra_tags="export-password")
        return redirect(reverse("settings") + "#data-heading")
    today = timezone.localdate()
    response = StreamingHttpResponse(
        export_chunks(request.user),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="lumbar-data-{today.isoformat()}.json"'
    return response


def export_chunks(user: AbstractBaseUser) -> Iterator[str]:
    """The export, a piece at a time: the header, then each kind of record as a JSON array."""
    account = get_user_model().objects.filter(pk=user.pk).values("email", "date_joined", "last_login").first()
    profile = (
        Profile.objects.filter(user=user)
        .values(
            "role", "display_name", "created_at", "screen_cleared_at", therapist_email=F("therapist__email")
        )
        .first()
    )
    draft = IntakeDraft.objects.filter(patient=user).values("answers", "step", "updated_at").first()
    header = {
        "format": "lumbar-export",
        "format_version": 1,
        "lumbar_version": __version__,
        "exported_at": timezone.now(),
        "account": account,
        "profile": profile,
        "intake_draft": draft,
    }
    yield _dump(header)[:-1]  # leave the object open for the arrays that follow
    sections: list[tuple[str, Iterable[dict[str, Any]]]] = [
        ("intakes", _rows(IntakeRecord.objects.filter(patient=user), "created_at", "data")),
        (
            "screenings",
            _rows(
                ScreeningEvent.objects.filter(patient=user),
                "created_at",
                "context",
                "tier",
                "flags",
                "red_flags",
                "advice",
            ),
        ),
        (
            "program_versions",
            _rows(
                ProgramVersion.objects.filter(patient=user).order_by("number"),
                "number",
                "created_at",
                "source",
                "changes",
                "program",
                "note",
                "exercise_notes",
                "overrides",
                changed_by_email=F("changed_by__email"),
            ),
        ),
        ("sessions", _sessions(user)),
        ("checkins", _rows(CheckIn.objects.filter(patient=user), "date", "morning_pain", "red_flags")),
        (
            "outcomes",
            _rows(OutcomeScore.objects.filter(patient=user), "date", "instrument", "score", "detail"),
        ),
        (
            "alerts",
            _rows(
                Alert.objects.filter(patient=user),
                "created_at",
                "kind",
                "severity",
                "message",
                "seen_at",
                "acknowledged_at",
                "resolved_at",
                "therapist_note",
            ),
        ),
        *exports.extra_sections(user),
    ]
    for name, rows in sections:
        yield f', "{name}": ['
        for index, row in enumerate(rows):
            yield ("," if index else "") + _dump(row)
        yield "]"
    yield "}\n"


def _rows(queryset: QuerySet[Model], *fields: str, **expressions: Any) -> Iterator[dict[str, Any]]:
    ordered = queryset if queryset.query.order_by else queryset.order_by("pk")
    yield from ordered.values(*fields, **expressions).iterator(chunk_size=EXPORT_CHUNK)


def _sessions(user: AbstractBaseUser) -> Iterator[dict[str, Any]]:
    logs = Prefetch("logs", queryset=ExerciseLog.objects.order_by("position", "id"))
    sessions = (
        ExerciseSession.objects.filter(patient=user)
        .select_related("program")
        .only("date", "started_at", "completed_at", "pain_before", "pain_after", "program__number")
        .order_by("date", "id")
        .prefetch_related(logs)
    )
    log_fields = (
        "exercise_id",
        "completed",
        "skipped_reason",
        "sets",
        "reps",
        "hold_seconds",
        "pain_during",
        "difficulty",
        "leg_symptoms",
    )
    for s in sessions.iterator(chunk_size=EXPORT_CHUNK):
        yield {
            "date": s.date,
            "program_version": s.program.number,
            "started_at": s.started_at,
            "completed_at": s.completed_at,
            "pain_before": s.pain_before,
            "pain_after": s.pain_after,
            "logs": [{f: getattr(log, f) for f in log_fields} for log in s.logs.all()],
        }


def _dump(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
