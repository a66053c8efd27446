"""The patient's daily pages: today, the program, the session player and the morning check-in."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from lumbar.domain.catalog import default_catalog
from lumbar.domain.errors import InvalidInput
from lumbar.web.care import forms, presenters, selectors, services
from lumbar.web.care.decorators import patient_required


@login_required
@patient_required
def today(request: HttpRequest) -> HttpResponse:
    user = request.user
    day = timezone.localdate()
    program = selectors.current_program(user)  # type: ignore[arg-type]
    if program is None:
        return redirect("onboarding-start")
    context = {
        "program": program,
        "session": selectors.session_on(user, day),  # type: ignore[arg-type]
        "checkin": selectors.checkin_offer(user, timezone.now()),  # type: ignore[arg-type]
        "alerts": selectors.unseen_alerts(user),  # type: ignore[arg-type]
        "blocked": selectors.blocking_screening(user),  # type: ignore[arg-type]
        "recent_change": program
        if program.number > 1 and program.created_at.date() >= day - presenters.RECENT
        else None,
        "week": presenters.week_strip(user, day),  # type: ignore[arg-type]
    }
    return render(request, "care/today.html", context)


@login_required
@patient_required
@require_POST
def dismiss_alerts(request: HttpRequest) -> HttpResponse:
    services.mark_alerts_seen(request.user)  # type: ignore[arg-type]
    return redirect("today")


@login_required
@patient_required
def program(request: HttpRequest) -> HttpResponse:
    current = selectors.current_program(request.user)  # type: ignore[arg-type]
    if current is None:
        return redirect("onboarding-start")
    return render(
        request,
        "care/program.html",
        presenters.program_page(current, selectors.program_history(request.user)),
    )  # type: ignore[arg-type]


@login_required
@patient_required
def program_version(request: HttpRequest, number: int) -> HttpResponse:
    version = selectors.program_version(request.user, number)  # type: ignore[arg-type]
    if version is None:
        raise Http404("No such program version")
    return render(
        request,
        "care/program.html",
        presenters.program_page(version, selectors.program_history(request.user)),
    )  # type: ignore[arg-type]


# --- The session player -----------------------------------------------------------------------------


@login_required
@patient_required
def session_start(request: HttpRequest) -> HttpResponse:
    if selectors.blocking_screening(request.user) is not None:  # type: ignore[arg-type]
        return redirect("onboarding-stop")
    try:
        session = services.start_session(request.user)  # type: ignore[arg-type]
    except services.ScreenBlocks:
        return redirect("onboarding-stop")
    except services.ServiceError:
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
    session = selectors.session(request.user, session_id)  # type: ignore[arg-type]
    if session is None:
        raise Http404("No such session")
    return session


@login_required
@patient_required
@require_http_methods(["GET", "POST"])
def session_pain_before(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _own_session(request, session_id)
    form = forms.PainForm(request.POST or None, initial={"pain": session.pain_before})
    if request.method == "POST" and form.is_valid():
        services.record_pain_before(request.user, session.pk, form.cleaned_data["pain"])  # type: ignore[arg-type]
        return redirect("session-exercise", session_id=session.pk, number=1)
    return render(request, "care/session_pain.html", {"form": form, "session": session, "when": "before"})


@login_required
@patient_required
@require_http_methods(["GET", "POST"])
def session_exercise(request: HttpRequest, session_id: int, number: int) -> HttpResponse:
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
                    request.user,  # type: ignore[arg-type]
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
            except (services.ServiceError, InvalidInput) as exc:
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
def session_finish(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _own_session(request, session_id)
    form = forms.PainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.finish_session(request.user, session.pk, form.cleaned_data["pain"])  # type: ignore[arg-type]
        request.session["last_review"] = presenters.review_summary(outcome)
        return redirect("session-done", session_id=session.pk)
    return render(request, "care/session_pain.html", {"form": form, "session": session, "when": "after"})


@login_required
@patient_required
def session_done(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _own_session(request, session_id)
    summary = request.session.pop("last_review", None)
    return render(request, "care/session_done.html", {"session": session, "summary": summary})


# --- The morning check-in ---------------------------------------------------------------------------


@login_required
@patient_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest) -> HttpResponse:
    program = selectors.current_program(request.user)  # type: ignore[arg-type]
    if program is None:
        return redirect("onboarding-start")
    questions = presenters.checkin_questions(program)
    form = forms.CheckInForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        outcome = services.record_checkin(request.user, form.cleaned_data["morning_pain"], form.red_flags())  # type: ignore[arg-type]
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
        "offer": selectors.checkin_offer(request.user, now),  # type: ignore[arg-type]
        "counts_now": selectors.is_next_morning_reading(timezone.localdate(now), now),
        "closes_hour": selectors.checkin_hours()[1],
    }
    return render(request, "care/checkin.html", context)


@login_required
@patient_required
def checkin_done(request: HttpRequest) -> HttpResponse:
    summary = request.session.pop("last_review", None)
    return render(request, "care/checkin_done.html", {"summary": summary})
