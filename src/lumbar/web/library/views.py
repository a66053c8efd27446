"""Public pages: the exercise library and the lessons. No account needed."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from lumbar.web.library import markdown, selectors


@require_GET
def exercise_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.parse_filters(request.GET.dict())
    context = {"cards": selectors.exercise_cards(filters), "filters": filters, "choices": selectors.choices()}
    template = "library/exercise_list.html"
    if request.htmx and request.htmx.target == "results":  # type: ignore[attr-defined]
        template += "#results"
    return render(request, template, context)


@require_GET
def exercise_detail(request: HttpRequest, exercise_id: str) -> HttpResponse:
    detail = selectors.exercise_detail(exercise_id)
    if detail is None:
        raise Http404("No exercise with that id")
    return render(request, "library/exercise_detail.html", {"d": detail, "e": detail.card.exercise})


@require_GET
def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "library/topic_list.html", {"topics": selectors.topics()})


@require_GET
def topic_detail(request: HttpRequest, topic_id: str) -> HttpResponse:
    found = selectors.topic(topic_id)
    if found is None:
        raise Http404("No lesson with that id")
    topic, evidence = found
    body = mark_safe(markdown.render(topic.body_markdown))  # noqa: S308 (markdown-it with raw HTML disabled)
    return render(request, "library/topic_detail.html", {"topic": topic, "body": body, "evidence": evidence})
