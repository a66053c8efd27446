"""Onboarding: the warning-sign screen (one question per screen), then the intake steps.

The draft of answers is saved after every screen, so a person who closes the browser carries on
where they stopped. Nothing clinical is decided here: the screen's tier comes from
lumbar.domain.screening and the program from lumbar.domain.prescription, through the services.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from lumbar.domain import instruments, screening
from lumbar.domain.errors import InvalidInput
from lumbar.domain.instruments import StartBackWording
from lumbar.web.accounts.decorators import patient_required
from lumbar.web.accounts.request import SignedInRequest
from lumbar.web.onboarding import forms, selectors, services
from lumbar.web.records import selectors as records


@dataclass(frozen=True)
class Step:
    slug: str
    form: type[forms.IntakeStep]


STEPS: tuple[Step, ...] = (
    Step("about", forms.AboutYouStep),
    Step("pain", forms.PainStep),
    Step("legs", forms.LegsStep),
    Step("both-legs", forms.CaudaEquinaStep),
    Step("activities", forms.ActivitiesStep),
    Step("health", forms.HealthStep),
    Step("health-dates", forms.HealthDatesStep),
    Step("day", forms.WorkStep),
    Step("exercise", forms.ExerciseStep),
    Step("startback", forms.StartBackStep),
    Step("goals", forms.GoalsStep),
)


def red_flag_questions() -> list[screening.RedFlagRule]:
    return selectors.screen_questions()


def _answers(request: HttpRequest) -> dict[str, Any]:
    draft = selectors.draft(request.user)  # type: ignore[arg-type]
    return dict(draft.answers) if draft else {}


def _startback_wording() -> StartBackWording | None:
    """Keele's exact wording, when the deployer supplied it (it may not be shipped modified)."""
    directory = instruments.licensed_wording_dir(os.environ)
    if directory is None:
        return None
    wording = instruments.load_licensed_wording(directory).get("startback")
    return wording if isinstance(wording, StartBackWording) else None


def _active_steps(answers: dict[str, Any]) -> list[Step]:
    steps = list(STEPS)
    if _startback_wording() is None:
        steps = [s for s in steps if s.slug != "startback"]
    if not selectors.cauda_equina_recheck(answers):
        steps = [s for s in steps if s.form is not forms.CaudaEquinaStep]
    if not forms.HealthDatesStep.applies(answers):
        steps = [s for s in steps if s.form is not forms.HealthDatesStep]
    return steps


def _build_form(step: Step, answers: dict[str, Any], data: Any = None) -> forms.IntakeStep:
    initial = step.form.initial_from(answers)
    if step.form is forms.HealthStep:
        return forms.HealthStep(
            data,
            initial=initial,
            ask_inflammatory=_asks_inflammatory(answers),
            ask_postpartum=forms.HealthStep.asks_postpartum(answers),
        )
    if step.form is forms.HealthDatesStep:
        return forms.HealthDatesStep(data, initial=initial, answers=answers)
    if step.form is forms.CaudaEquinaStep:
        return forms.CaudaEquinaStep(data, initial=initial, questions=selectors.cauda_equina_recheck(answers))
    wording = _startback_wording() if step.form is forms.StartBackStep else None
    if wording is not None:
        order = ["not_at_all", "slightly", "moderately", "very_much", "extremely"]
        answers_text = [(key, wording.bothersomeness_answers[key]) for key in order]
        return forms.StartBackStep(
            data, initial=initial, wording=dict(wording.items), bothersomeness=answers_text
        )
    return step.form(data, initial=initial)


def _asks_inflammatory(answers: dict[str, Any]) -> bool:
    """NICE NG65's questions matter only for long-lasting pain that began young (rule in content)."""
    if "age" not in answers or "episode_weeks" not in answers:
        return False
    return screening.inflammatory_questions_apply(
        answers["age"], answers["episode_weeks"], answers.get("back_pain_years")
    )


@login_required
@patient_required
def start(request: SignedInRequest) -> HttpResponse:
    """Where a person without a program goes: the next unanswered screen."""
    if records.current_program(request.user) is not None:
        return redirect("today")
    return _next_place(request, _answers(request))


def _next_place(request: HttpRequest, answers: dict[str, Any]) -> HttpResponse:
    """The gate, in order: a blocking warning sign, then the screen, then the intake steps."""
    if records.blocking_screening(request.user) is not None:  # type: ignore[arg-type]
        return redirect("onboarding-stop")
    unanswered = selectors.unanswered_screen_questions(answers)
    if unanswered:
        return redirect("onboarding-screen", number=unanswered[0])
    for step in _active_steps(answers):
        if not _step_done(step, answers):
            return redirect("onboarding-step", slug=step.slug)
    return redirect("onboarding-review")


def _step_done(step: Step, answers: dict[str, Any]) -> bool:
    if step.form is forms.CaudaEquinaStep:
        return not selectors.recheck_unanswered(answers)
    return step.slug in answers.get("_done", []) and step.form.answered(answers)


@login_required
@patient_required
@require_http_methods(["GET", "POST"])
def screen_question(request: SignedInRequest, number: int) -> HttpResponse:
    questions = red_flag_questions()
    if not 1 <= number <= len(questions):
        raise Http404("No such question")
    # While a warning sign blocks, the questions cannot be answered again: only the clinician path.
    if records.blocking_screening(request.user) is not None:
        return redirect("onboarding-stop")
    question = questions[number - 1]
    answers = _answers(request)
    red_flags: dict[str, bool] = dict(answers.get("red_flags", {}))
    if request.method == "POST":
        form = forms.YesNoForm(request.POST)
        if form.is_valid():
            yes = form.cleaned_data["answer"] == "yes"
            try:
                draft = services.answer_screen_question(request.user, question.key, yes, number=number)
            except services.ScreenBlocks:
                return redirect("onboarding-stop")
            red_flags = draft.answers["red_flags"]
            # An emergency answer stops the questions at once: nothing else matters now.
            if yes and question.tier == screening.Tier.EMERGENCY_NOW.value:
                services.record_red_flag_screen(request.user, red_flags, context="onboarding")
                return redirect("onboarding-stop")
            if number < len(questions):
                return redirect("onboarding-screen", number=number + 1)
            unanswered = selectors.unanswered_screen_questions(draft.answers)
            if unanswered:  # came to the last question by its address: the others first
                return redirect("onboarding-screen", number=unanswered[0])
            event = services.record_red_flag_screen(request.user, red_flags, context="onboarding")
            if event.tier in records.BLOCKING_TIERS:
                return redirect("onboarding-stop")
            return redirect("onboarding-start")
    previous = reverse("onboarding-screen", kwargs={"number": number - 1}) if number > 1 else None
    return render(
        request,
        "care/screen_question.html",
        {
            "question": question,
            "number": number,
            "total": len(questions),
            "answer": red_flags.get(question.key),
            "previous": previous,
            "percent": round(100 * (number - 1) / len(questions)),
        },
    )


@login_required
@patient_required
def stop(request: SignedInRequest) -> HttpResponse:
    """The unmistakable 'get help now' page. No program is made while this stands."""
    event = records.blocking_screening(request.user)
    if event is None:
        return redirect("onboarding-start")
    meanings = screening.flag_meanings(
        screening.Triage(tier=screening.Tier(event.tier), flags=tuple(event.flags), advice=event.advice)
    )
    return render(
        request,
        "care/stop.html",
        {"event": event, "meanings": meanings, "emergency": event.tier == "emergency_now"},
    )


@login_required
@patient_required
def rescreen(request: SignedInRequest) -> HttpResponse:
    """After a clinician has seen them, a person may answer the warning-sign questions again."""
    if request.method != "POST" or records.blocking_screening(request.user) is None:
        return redirect("onboarding-stop")
    services.clear_blocking_screen(request.user)
    return redirect("onboarding-screen", number=1)


@login_required
@patient_required
@require_http_methods(["GET", "POST"])
def intake_step(request: SignedInRequest, slug: str) -> HttpResponse:
    answers = _answers(request)
    steps = _active_steps(answers)
    slugs = [s.slug for s in steps]
    if slug not in slugs:
        raise Http404("No such step")
    # The screen comes first: no intake step before every warning-sign question was answered.
    blocked = records.blocking_screening(request.user) is not None
    if blocked or selectors.unanswered_screen_questions(answers):
        return _next_place(request, answers)
    index = slugs.index(slug)
    step = steps[index]
    if request.method == "POST":
        form = _build_form(step, answers, request.POST)
        if form.is_valid():
            if step.form is forms.CaudaEquinaStep:
                try:
                    event = services.answer_cauda_equina_recheck(request.user, form.to_answers())
                except services.ScreenBlocks:
                    return redirect("onboarding-stop")
                if event is not None and event.tier in records.BLOCKING_TIERS:
                    return redirect("onboarding-stop")
            else:
                done = list(dict.fromkeys([*answers.get("_done", []), slug]))
                services.save_draft(request.user, {**form.to_answers(), "_done": done}, step=slug)
            # The next step is worked out from the saved answers: an answer can add a step.
            answers = _answers(request)
            steps = _active_steps(answers)
            later = steps[steps.index(step) + 1 :] if step in steps else []
            if later:
                return redirect("onboarding-step", slug=later[0].slug)
            return _next_place(request, answers)
    else:
        form = _build_form(step, answers)
    previous = (
        reverse("onboarding-step", kwargs={"slug": steps[index - 1].slug})
        if index > 0
        else reverse("onboarding-screen", kwargs={"number": len(red_flag_questions())})
    )
    return render(
        request,
        "care/intake_step.html",
        {
            "form": form,
            "step": step,
            "title": step.form.title,
            "intro": step.form.intro,
            "number": index + 1,
            "total": len(steps),
            "previous": previous,
            "percent": round(100 * index / len(steps)),
        },
    )


@login_required
@patient_required
@require_http_methods(["GET", "POST"])
def review(request: SignedInRequest) -> HttpResponse:
    draft = selectors.draft(request.user)
    answers = dict(draft.answers) if draft else {}
    if draft is not None:
        missing = [s for s in _active_steps(answers) if not _step_done(s, answers)]
        if missing:
            return _next_place(request, answers)
    elif request.method == "GET":
        return redirect("onboarding-start")
    if request.method == "POST":
        try:
            outcome = services.submit_intake(request.user)
        except services.ScreenBlocks:
            return redirect("onboarding-stop")
        except services.ScreenIncomplete:
            return redirect("onboarding-start")
        except InvalidInput as exc:
            messages.error(request, f"Something in your answers needs another look: {exc}")
            return redirect("onboarding-review")
        if outcome.referred:
            return redirect("onboarding-stop")
        messages.success(request, "Your program is ready.")
        return redirect("program")
    summary = _summary(services.intake_from_answers(answers))
    return render(request, "care/intake_review.html", {"summary": summary, "steps": _active_steps(answers)})


def _summary(intake: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(step slug, label, answer) lines for the person to check before the program is made."""
    pain = intake.get("pain", {})
    return [
        ("about", "Age", str(intake.get("age", ""))),
        ("pain", "Pain now", f"{pain.get('now', '')} out of 10"),
        ("pain", "This bout has lasted", _weeks(intake.get("episode_weeks", 0))),
        ("legs", "Leg symptoms", dict(forms.LegsStep.base_fields["leg_symptoms"].choices).get(intake.get("leg_symptoms", ""), "")),  # type: ignore[attr-defined]
        ("activities", "Makes it worse", ", ".join(intake.get("aggravating", [])).replace("_", " ") or "nothing in particular"),
        ("health", "Conditions", ", ".join(dict(forms.CONDITIONS)[c] for c in intake.get("conditions", [])) or "none"),
        ("day", "Work", str(intake.get("occupation", "")).replace("_", " ")),
        ("exercise", "Time", f"{intake.get('minutes_per_session', '')} minutes, {intake.get('sessions_per_week', '')} days a week"),
        ("goals", "Goals", ", ".join(g["activity"] for g in intake.get("goals") or []) or "none given"),
        ("goals", "Activities you want back", ", ".join(dict(forms.ACTIVITIES)[a] for a in intake.get("activities", [])) or "none given"),
    ]  # fmt: skip


def _weeks(weeks: float) -> str:
    if weeks < 1:
        return f"{round(weeks * 7)} days"
    return f"{weeks:g} weeks"
