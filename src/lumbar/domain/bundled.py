"""The bundled content library as validated in this process, shared by the `default_*()` loaders.

Each loader (`catalog.default_catalog`, `screening.default_rules`, `instruments.default_instruments`,
`prescription_rules.default_rules`, `progression_rules.default_rules`) validates its bundled content
files the first time it is asked and keeps the result here under its own name. Nothing here reads or
writes a file: an entry point that keeps validated content between processes (the CLI's snapshot,
`lumbar.cli._snapshot`) reads `loaded()` after validating and hands a stored copy back with `preload`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar, cast

T = TypeVar("T")

_loaded: dict[str, object] = {}


def bundled(name: str, load: Callable[[], T]) -> T:
    """The part `name` of the bundled content, validated by `load` on first use in this process."""
    if name not in _loaded:
        _loaded[name] = load()
    return cast("T", _loaded[name])


def loaded() -> dict[str, object]:
    """The parts validated (or preloaded) so far, by name."""
    return dict(_loaded)


def preload(parts: Mapping[str, object]) -> None:
    """Use already validated parts; a part this process has validated itself is kept."""
    for name, value in parts.items():
        _loaded.setdefault(name, value)
