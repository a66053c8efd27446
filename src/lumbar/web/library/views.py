"""Public pages: the exercise library and the lessons. No account needed."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from lumbar.domain.progression_rules import pain_during_limit
from lumbar.web.library import figures, markdown, selectors
from lumbar.web.security.csp import svg_file_policy


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
    context = {
        "d": detail,
        "e": detail.card.exercise,
        "animated": figures.figure_svg(exercise_id, "animated"),
        "has_stills": figures.figure_svg(exercise_id, "start") is not None,
        "pain_limit": pain_during_limit(),
    }
    return render(request, "library/exercise_detail.html", context)


@require_GET
def figure(request: HttpRequest, exercise_id: str, frame: str) -> HttpResponse:
    """An exercise's figure as an SVG file (for <img> on list pages; cached by the browser), with a
    policy of its own that allows its <style> element and nothing else."""
    if frame not in figures.FRAMES:
        raise Http404("No such frame")
    svg = figures.figure_document(exercise_id, frame)  # type: ignore[arg-type]
    if svg is None:
        raise Http404("No figure for that exercise")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = svg_file_policy(svg)
    response["Cache-Control"] = "public, max-age=86400"
    return response


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
