"""Exercise figures for the pages, drawn once per content version and kept on disk.

Drawing a figure solves its poses and takes a fraction of a second; a page of them would take
seconds. So each figure is drawn on first use, kept in memory, and written to the data directory
(`cache/figures/<content version>/`), which every web worker and every later start shares.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Literal

from django.conf import settings

from lumbar.domain.catalog import default_catalog

Frame = Literal["start", "end", "animated"]
FRAMES: tuple[Frame, ...] = ("start", "end", "animated")

_memory: dict[tuple[str, str, str], str] = {}
_lock = threading.Lock()
# The animated figure's own <style> (its reduced-motion rule). A page's Content-Security-Policy
# allows no inline style, so a figure put inside a page goes without it: app.css has the same rules
# for every `svg.lumbar-figure`. The SVG file keeps it (lumbar.web.security.csp.svg_file_policy).
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>.*?</style>", re.DOTALL)


def _cache_dir(version: str) -> Path:
    return Path(settings.DATA_DIR) / "cache" / "figures" / version.replace("+", "-")


def figure_svg(exercise_id: str, frame: Frame) -> str | None:
    """The figure as inline SVG for a page (element ids unique per exercise and frame; no <style>
    element), or None when the exercise has no drawing."""
    svg = figure_document(exercise_id, frame)
    return None if svg is None else _STYLE_ELEMENT.sub("", svg)


def figure_document(exercise_id: str, frame: Frame) -> str | None:
    """The figure as an SVG file of its own (with the animated one's <style>), or None when the
    exercise has no drawing."""
    catalog = default_catalog()
    exercise = catalog.exercises.get(exercise_id)
    if exercise is None or exercise.motion is None or exercise.motion.illustration is None:
        return None
    key = (catalog.version, exercise_id, frame)
    cached = _memory.get(key)
    if cached is not None:
        return cached
    path = _cache_dir(catalog.version) / f"{exercise_id}-{frame}.svg"
    try:
        svg = path.read_text(encoding="utf-8")
    except OSError:
        from lumbar.motion.render import exercise_svg

        svg = exercise_svg(exercise, frame, uid=f"fig-{exercise_id}-{frame}")
        _write_atomically(path, svg)
    with _lock:
        _memory[key] = svg
    return svg


def _write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so another worker never reads half a figure."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(tmp).replace(path)
    except OSError:
        pass  # a read-only data directory only costs speed: the figure is drawn again next time


def warm(frames: tuple[Frame, ...] = ("start", "animated")) -> None:
    """Draw every figure ahead of the first visitor (run in the background at start-up)."""
    for exercise in default_catalog():
        for frame in frames:
            figure_document(exercise.id, frame)
