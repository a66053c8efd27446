"""The patient's daily pages: today, the program, the session player and the morning check-in."""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from lumbar.domain.catalog import default_catalog
from lumbar.domain.errors import InvalidInput
from lumbar.web.accounts.decorators import patient_required
from lumbar.web.accounts.request import SignedInRequest
from lumbar.web.care import forms, presenters, selectors, services
from lumbar.web.formcheck import presenters as formcheck_presenters
from lumbar.web.onboarding import services as onboarding_services
from lumbar.web.records import selectors as records
from lumbar.web.records import services as records_services


@login_required
@patient_required
def today(request: SignedInRequest) -> HttpResponse:
    user = request.user
    day = timezone.localdate()
    program = records.current_program(user)
    if program is None:
        return redirect("onboarding-start")
    context = {
        "program": program,
        "session": records.session_on(user, day),
        "checkin": selectors.checkin_offer(user, timezone.now()),
        "alerts": records.unseen_alerts(user),
        "blocked": records.blocking_screening(user),
        "recent_change": program
        if program.number > 1 and program.created_at.date() >= day - presenters.RECENT
        else None,
        "week": presenters.week_strip(user, day),
    }
    return render(request, "care/today.html", context)


@login_required
@patient_required
@require_POST
def dismiss_alerts(request: SignedInRequest) -> HttpResponse:
    services.mark_alerts_seen(request.user)
    return redirect("today")


@login_required
@patient_required
def program(request: SignedInRequest) -> HttpResponse:
    current = records.current_program(request.user)
    if current is None:
        return redirect("onboarding-start")
    return render(
        request,
        "care/program.html",
        presenters.program_page(current, records.program_history(request.user)),
    )


@login_required
@patient_required
def program_version(request: SignedInRequest, number: int) -> HttpResponse:
    version = records.program_version(request.user, number)
    if version is None:
        raise Http404("No such program version")
    return render(
        request,
        "care/program.html",
        presenters.program_page(version, records.program_history(request.user)),
    )


# --- The session player -----------------------------------------------------------------------------


@login_required
@patient_required
def session_start(request: SignedInRequest) -> HttpResponse:
    if records.blocking_screening(request.user) is not None:
        return redirect("onboarding-stop")
    try:
        session = services.start_session(request.user)
    except onboarding_services.ScreenBlocks:
        return redirect("onboarding-stop")
    except records_services.ServiceError:
        return redirect("onboarding-start")
    if session.completed_at is not None:
        return redirect("session-done", session_id=session.pk)
    if session.pain_before is None:
        return redirect("session-pain-before", session_id=session.pk)
    done = {log.exercise_id for log in session.logs.all()}
    for index, entry in enumerate(session.program.exercises, start=1):
        if entry["id"] not in done:
            return redirect("session-exercise", session_id=session.pk, number=index)
    return redirect("session-finish", session_id=session.pk)


def _own_session(request: HttpRequest, session_id: int) -> Any:
    session = records.session(request.user, session_id)  # type: ignore[arg-type]
    if session is None:
        raise Http404("No such session")
    return session


@login_required
@patient_required
@require_http_methods(["GET", "POST"])
def session_pain_before(request: SignedInRequest, session_id: int) -> HttpResponse:
    session = _own_session(request, session_id)
    form = forms.PainForm(request.POST or None, initial={"pain": session.pain_before})
    if request.method == "POST" and form.is_valid():
        services.record_pain_before(request.user, session.pk, form.cleaned_data["pain"])
        return redirect("session-exercise", session_id=session.pk, number=1)
    return render(request, "care/session_pain.html", {"form": form, "session": session, "when": "before"})


# The camera coach on this page compiles the in-browser pose model's WebAssembly: 'wasm-unsafe-eval'
# allows that and nothing else (no JavaScript eval).
@login_required
@patient_required
@require_http_methods(["GET", "POST"])
@csp_update({"script-src": ["'wasm-unsafe-eval'"]})
def session_exercise(request: SignedInRequest, session_id: int, number: int) -> HttpResponse:
    session = _own_session(request, session_id)
    entries = session.program.exercises
    if not 1 <= number <= len(entries):
        raise Http404("No such exercise in this session")
    entry = entries[number - 1]
    if request.method == "POST":
        form = forms.ExerciseLogForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.log_player_entry(
                    request.user,
                    session.pk,
                    entry["id"],
                    skipped="skip" in request.POST,
                    sets=data.get("sets"),
                    reps=data.get("reps"),
                    hold_seconds=data.get("hold_seconds"),
                    pain_during=data.get("pain_during"),
                    difficulty=data.get("difficulty") or "",
                    leg_symptoms=data.get("leg_symptoms") or "",
                    skipped_reason=data.get("skipped_reason", ""),
                )
            except (records_services.ServiceError, InvalidInput) as exc:
                messages.error(request, str(exc))
            else:
                if data.get("pain_during") is not None and presenters.pain_too_high(
                    data["pain_during"], session.pain_before
                ):
                    messages.warning(
                        request, presenters.too_much_pain_message(entry["name"], session.pain_before)
                    )
                if number < len(entries):
                    return redirect("session-exercise", session_id=session.pk, number=number + 1)
                return redirect("session-finish", session_id=session.pk)
    else:
        form = forms.ExerciseLogForm()
    context = presenters.player_context(session, number, default_catalog())
    context["form"] = form
    return render(request, "care/session_exercise.html", context)


@login_required
@patient_required
@require_http_methods(["GET", "POST"])
def session_finish(request: SignedInRequest, session_id: int) -> HttpResponse:
    session = _own_session(request, session_id)
    form = forms.PainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.finish_session(request.user, session.pk, form.cleaned_data["pain"])
        request.session["last_review"] = presenters.review_summary(outcome)
        return redirect("session-done", session_id=session.pk)
    return render(request, "care/session_pain.html", {"form": form, "session": session, "when": "after"})


@login_required
@patient_required
def session_done(request: SignedInRequest, session_id: int) -> HttpResponse:
    session = _own_session(request, session_id)
    summary = request.session.pop("last_review", None)
    checks = formcheck_presenters.listed(records.form_checks(session))
    return render(
        request, "care/session_done.html", {"session": session, "summary": summary, "form_checks": checks}
    )


# --- The morning check-in ---------------------------------------------------------------------------


@login_required
@patient_required
@require_http_methods(["GET", "POST"])
def checkin(request: SignedInRequest) -> HttpResponse:
    program = records.current_program(request.user)
    if program is None:
        return redirect("onboarding-start")
    questions = presenters.checkin_questions(program)
    form = forms.CheckInForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        outcome = services.record_checkin(request.user, form.cleaned_data["morning_pain"], form.red_flags())
        if outcome.triage is not None and outcome.triage.tier in ("emergency_now", "urgent_same_day"):
            return redirect("onboarding-stop")
        request.session["last_review"] = presenters.review_summary(outcome)
        return redirect("checkin-done")
    # Offered or not, the check-in is always taken (warning signs count at any hour); outside the
    # morning after a session the page says its pain will not count as a next-morning reading.
    now = timezone.now()
    context = {
        "form": form,
        "questions": [form[f"flag_{q.key}"] for q in questions],
        "offer": selectors.checkin_offer(request.user, now),
        "counts_now": records.is_next_morning_reading(timezone.localdate(now), now),
        "closes_hour": records.checkin_hours()[1],
    }
    return render(request, "care/checkin.html", context)


@login_required
@patient_required
def checkin_done(request: SignedInRequest) -> HttpResponse:
    summary = request.session.pop("last_review", None)
    return render(request, "care/checkin_done.html", {"summary": summary})
