"""The public exercise library and lessons."""

from __future__ import annotations

import pytest
from django.test import Client

from lumbar.domain.catalog import default_catalog

pytestmark = pytest.mark.django_db


def test_library_lists_every_exercise_without_filters(client: Client) -> None:
    html = client.get("/exercises/").content.decode()
    for exercise in default_catalog():
        assert f'href="/exercises/{exercise.id}/"' in html
    assert f"{len(default_catalog().exercises)} exercises" in html


def test_library_filters_combine_and_search_matches_aliases(client: Client) -> None:
    html = client.get("/exercises/", {"position": "prone", "bias": "extension"}).content.decode()
    assert 'href="/exercises/sphinx/"' in html
    assert 'href="/exercises/prone-press-up/"' in html
    assert 'href="/exercises/glute-bridge/"' not in html
    html = client.get("/exercises/", {"q": "hip bridge"}).content.decode()
    assert 'href="/exercises/glute-bridge/"' in html
    assert 'href="/exercises/sphinx/"' not in html


def test_library_ignores_unknown_filter_values_instead_of_failing(client: Client) -> None:
    response = client.get("/exercises/", {"category": "<script>", "position": "upside-down"})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1].split("</main>")[0]


def test_htmx_filter_request_returns_only_the_results_fragment(client: Client) -> None:
    response = client.get(
        "/exercises/", {"category": "aerobic"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert 'href="/exercises/walking/"' in html
    assert 'href="/exercises/glute-bridge/"' not in html


def test_exercise_page_shows_steps_dose_variants_precautions_and_sources(client: Client) -> None:
    exercise = default_catalog().exercise("glute-bridge")
    html = client.get("/exercises/glute-bridge/").content.decode()
    for step in exercise.text.steps:
        assert step.replace("'", "&#x27;") in html
    assert "2 x 10, hold 3 s" in html
    assert 'href="/exercises/pelvic-tilt/"' in html
    assert 'href="/exercises/marching-bridge/"' in html
    assert "Pregnancy." in html
    assert "George SZ" in html


def test_unknown_exercise_or_lesson_is_404(client: Client) -> None:
    assert client.get("/exercises/not-an-exercise/").status_code == 404
    assert client.get("/learn/not-a-lesson/").status_code == 404


def test_lessons_render_markdown_and_their_sources(client: Client) -> None:
    topic = default_catalog().topic("warning-signs")
    html = client.get("/learn/warning-signs/").content.decode()
    assert topic.title in html
    assert "<p>" in html
    assert "Sources" in html
    listing = client.get("/learn/").content.decode()
    for topic_id in default_catalog().education:
        assert f'href="/learn/{topic_id}/"' in listing


def test_exercise_page_shows_the_animated_figure_and_the_start_and_end_stills(client: Client) -> None:
    html = client.get("/exercises/bird-dog/").content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="fig-bird-dog-animated"' in html
    assert 'role="img"' in html
    assert 'src="/exercises/bird-dog/start.svg"' in html
    assert 'src="/exercises/bird-dog/end.svg"' in html


def test_figures_are_served_as_svg_files_and_kept_in_the_data_dir(client: Client) -> None:
    from django.conf import settings

    response = client.get("/exercises/glute-bridge/start.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.decode().startswith("<svg")
    assert "max-age" in response["Cache-Control"]
    cached = list((settings.DATA_DIR / "cache" / "figures").glob("*/glute-bridge-start.svg"))
    assert len(cached) == 1
    assert client.get("/exercises/glute-bridge/sideways.svg").status_code == 404
    assert client.get("/exercises/no-such-exercise/start.svg").status_code == 404


def test_library_list_shows_a_thumbnail_per_exercise_without_drawing_them_inline(client: Client) -> None:
    html = client.get("/exercises/").content.decode()
    assert html.count('class="thumb"') == len(default_catalog().exercises)
    assert "<svg xmlns" not in html
