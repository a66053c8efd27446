"""The printed handout: a person's program on paper, for the fridge or the physiotherapist's desk.

One block per exercise with its start and end figures (the same SVG the app draws), the dose, how
often, the steps and the cues; then the walking plan, movement breaks, the stop rules and the
warning signs (the warning-signs lesson, whole). A QR code leads back to the session player when the
app's address is known; otherwise a sentence says how to get there.

Input is the program of the contract (contracts/program.schema.json: what `lumbar plan --json` prints
and what the web app stores as a program version). `parse_program` checks it the way the progress
review does (lumbar.domain.history.Program) and reads the extra keys the planner adds (cautions,
times a day, walking notes). The web app and `lumbar handout` both call `handout_pdf`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lumbar.domain.catalog import Catalog, Dose, default_catalog, unknown_id_message
from lumbar.domain.errors import InvalidInput, describe_validation_error
from lumbar.domain.history import Program, ProgramExercise
from lumbar.reports.pdf import PAGE_SIZE, PAPER_NAMES, Paper, render_pdf
from lumbar.reports.templating import render, trusted

Still = Literal["start", "end"]
# Draws an exercise's start or end position as inline SVG (None when it has no drawing). The web app
# passes its cached figures; the default draws them (lumbar.motion.render).
Figures = Callable[[str, Still], "str | None"]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The tick chart's length: a month of weeks, a display choice (not a clinical number).
TICK_WEEKS = 4
WARNING_SIGNS_TOPIC = "warning-signs"
NO_QR_SENTENCE = (
    "To do today's session with the timer and pictures, open Lumbar and choose “Start today's session”."
)


# --- The program's extra keys (the contract allows them; the planner writes these) -------------------


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class _ExerciseExtras(_Lenient):
    times_per_day: int | None = Field(default=None, ge=1, le=24)
    cautions: list[str] = Field(default_factory=list)


class _RunWalkExtras(_Lenient):
    starts_when: str | None = None


class _WalkingExtras(_Lenient):
    in_session: bool = False
    notes: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    target_days_per_week: int | None = Field(default=None, ge=1, le=7)
    run_walk: _RunWalkExtras | None = None


class _BreaksExtras(_Lenient):
    cautions: dict[str, list[str]] = Field(default_factory=dict)


class _ProgramExtras(_Lenient):
    exercises: list[_ExerciseExtras]
    walking: _WalkingExtras | None = None
    movement_breaks: _BreaksExtras | None = None
    session_minutes: float | None = Field(default=None, ge=0)
    recommendations: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class ParsedProgram:
    program: Program
    extras: _ProgramExtras


def parse_program(data: object, source: str = "program", *, catalog: Catalog | None = None) -> ParsedProgram:
    """Validate a program (decoded JSON). Raises InvalidInput with one line naming the field."""
    catalog = catalog or default_catalog()
    if not isinstance(data, dict):
        raise InvalidInput(f"{source}: must be a JSON object (got {type(data).__name__})")
    try:
        program = Program.model_validate(data)
        extras = _ProgramExtras.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(describe_validation_error(exc, source)) from None
    if program.status == "refer" and program.exercises:
        raise InvalidInput(f"{source}: exercises: a referred program (status refer) has no exercises")
    seen: set[str] = set()
    for index, exercise in enumerate(program.exercises):
        where = f"{source}: exercises.{index}.id"
        if exercise.id not in catalog.exercises:
            raise InvalidInput(f"{where}: {unknown_id_message('exercise', exercise.id, catalog.exercises)}")
        if exercise.id in seen:
            raise InvalidInput(f"{where}: {exercise.id!r} appears twice in the program")
        seen.add(exercise.id)
    for index, exercise_id in enumerate(program.movement_breaks.exercises if program.movement_breaks else []):
        if exercise_id not in catalog.exercises:
            where = f"{source}: movement_breaks.exercises.{index}"
            raise InvalidInput(f"{where}: {unknown_id_message('exercise', exercise_id, catalog.exercises)}")
    return ParsedProgram(program, extras)


# --- What the page shows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseBlock:
    number: int
    id: str
    name: str
    dose: str
    how_often: str
    summary: str
    steps: tuple[str, ...]
    cues: tuple[str, ...]
    breathing: str
    cautions: tuple[str, ...]
    start_svg: Markup | None
    end_svg: Markup | None


@dataclass(frozen=True)
class BreakExercise:
    name: str
    cautions: tuple[str, ...]


@dataclass(frozen=True)
class Handout:
    title: str
    paper: Paper
    page_size: str
    paper_name: str
    printed_on: date
    version_line: str | None
    refer: bool
    triage_label: str
    triage_advice: str
    triage_tier: str
    session_minutes: float
    days_per_week: int
    planned_days: tuple[str, ...]
    tick_weeks: tuple[tuple[bool, ...], ...]
    exercises: tuple[ExerciseBlock, ...]
    walking: tuple[str, ...]
    walking_notes: tuple[str, ...]
    breaks_every: int | None
    break_exercises: tuple[BreakExercise, ...]
    recommendations: tuple[str, ...]
    stop_rules: tuple[str, ...]
    warning_signs: Markup
    warning_signs_title: str
    reassess_after_days: int
    content_version: str
    session_url: str | None
    qr_svg: Markup | None
    no_qr_sentence: str = NO_QR_SENTENCE
    weekdays: tuple[str, ...] = field(default=WEEKDAYS)


def default_figures(catalog: Catalog) -> Figures:
    """Figures drawn on the spot (the CLI): each exercise's scene is solved once per process."""

    def draw(exercise_id: str, frame: Still) -> str | None:
        from lumbar.motion.render import exercise_svg

        exercise = catalog.exercises.get(exercise_id)
        if exercise is None or exercise.motion is None or exercise.motion.illustration is None:
            return None
        return exercise_svg(exercise, frame, uid=f"handout-{exercise_id}-{frame}")

    return draw


def dose_text(entry: ProgramExercise, catalog: Catalog) -> str:
    """The dose as the program page and the session player write it ("2 x 10 each side, hold 3 s")."""
    from lumbar.domain.library import describe_dose
    from lumbar.domain.plain_words import dose_words

    exercise = catalog.exercises.get(entry.id)
    if entry.reps is None and entry.hold_seconds is None:
        return dose_words(entry.sets, None, None, per_side=entry.per_side)
    # The contract's ranges are wider than a library dose's: describe it without re-validating.
    dose = Dose.model_construct(
        sets=entry.sets, reps=entry.reps, hold_seconds=entry.hold_seconds, minutes=None
    )
    return describe_dose(dose, exercise.timing if exercise else None)


def how_often(entry: ProgramExercise, extras: _ExerciseExtras) -> str:
    days = f"{entry.sessions_per_week} day{'s' if entry.sessions_per_week != 1 else ''} a week"
    if extras.times_per_day is not None and extras.times_per_day > 1:
        return f"{extras.times_per_day} times a day, {days}"
    return days


def walking_lines(parsed: ParsedProgram) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(what to do, why and notes) for the walking plan, in the program page's words."""
    from lumbar.domain.plain_words import minutes_words
    from lumbar.domain.progression import Intervals

    walking = parsed.program.walking
    if walking is None:
        return (), ()
    extras = parsed.extras.walking or _WalkingExtras()
    times = "" if walking.bouts_per_day == 1 else f", {walking.bouts_per_day} times a day"
    where = " at the end of your exercise session" if extras.in_session else ""
    lines = [
        f"Walk {minutes_words(walking.minutes_per_bout)}{where}{times}, on {walking.days_per_week} days a week."
    ]
    if walking.weekly_increase_minutes > 0:
        lines.append(
            f"Add about {minutes_words(walking.weekly_increase_minutes)} each week, building towards "
            f"{minutes_words(walking.target_minutes)}"
            + (f" on {extras.target_days_per_week} days a week." if extras.target_days_per_week else ".")
        )
    else:
        lines.append("Keep to this amount for now.")
    if walking.running is not None:
        words = Intervals(
            walking.running.run_minutes, walking.running.walk_minutes, walking.running.repeats
        ).words()
        lines.append(f"This week, in place of your walks: {words}, on {walking.days_per_week} days a week.")
    elif extras.run_walk is not None and extras.run_walk.starts_when:
        lines.append(extras.run_walk.starts_when)
    return tuple(lines), (*extras.notes, *extras.reasons)


def warning_signs_html(catalog: Catalog) -> tuple[str, Markup]:
    """The warning-signs lesson (title, body as HTML with its headings one level down)."""
    from markdown_it import MarkdownIt

    topic = catalog.education.get(WARNING_SIGNS_TOPIC)
    if topic is None:
        return "Warning signs", Markup("")
    md = MarkdownIt("commonmark", {"html": False, "linkify": False})
    tokens = md.parse(topic.body_markdown)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return topic.title, trusted(md.renderer.render(tokens, md.options, {}))


def qr_svg(url: str) -> Markup:
    """A QR code of `url` as inline SVG, announced as what it is."""
    import segno

    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(
        scale=1,
        border=2,
        dark="#1f2a30",
        omitsize=True,
        svgclass="qr",
        title=f"QR code: scan it to open today's session in Lumbar ({url})",
    )
    return trusted(svg.replace("<svg ", '<svg role="img" ', 1))


def build_handout(
    parsed: ParsedProgram,
    *,
    paper: Paper = "a4",
    printed_on: date,
    session_url: str | None = None,
    version_line: str | None = None,
    figures: Figures | None = None,
    catalog: Catalog | None = None,
) -> Handout:
    from lumbar.domain.schedule import planned_weekdays
    from lumbar.domain.screening import Tier
    from lumbar.domain.screening import default_rules as screening_rules

    catalog = catalog or default_catalog()
    figures = figures or default_figures(catalog)
    program, extras = parsed.program, parsed.extras

    blocks = []
    for number, (entry, more) in enumerate(zip(program.exercises, extras.exercises, strict=True), start=1):
        exercise = catalog.exercise(entry.id)
        start, end = figures(entry.id, "start"), figures(entry.id, "end")
        blocks.append(
            ExerciseBlock(
                number=number,
                id=entry.id,
                name=entry.name,
                dose=dose_text(entry, catalog),
                how_often=how_often(entry, more),
                summary=exercise.text.summary,
                steps=tuple(exercise.text.steps),
                cues=tuple(exercise.text.cues),
                breathing=exercise.text.breathing,
                cautions=tuple(more.cautions),
                start_svg=trusted(start) if start else None,
                end_svg=trusted(end) if end else None,
            )
        )
    per_week = program.session_days_per_week
    planned = set(planned_weekdays(min(per_week, 7)))
    walking, walking_notes = walking_lines(parsed)
    breaks = program.movement_breaks
    break_cautions = extras.movement_breaks.cautions if extras.movement_breaks else {}
    warning_title, warning_body = warning_signs_html(catalog)
    rules = screening_rules()
    tier = Tier(program.triage.tier)
    return Handout(
        title="Your exercise program" if program.status == "ok" else "See a clinician before you start",
        paper=paper,
        page_size=PAGE_SIZE[paper],
        paper_name=PAPER_NAMES[paper],
        printed_on=printed_on,
        version_line=version_line,
        refer=program.status == "refer",
        triage_label=rules.label(tier),
        triage_advice=program.triage.advice,
        triage_tier=program.triage.tier,
        session_minutes=extras.session_minutes
        if extras.session_minutes is not None
        else program.estimated_minutes,
        days_per_week=per_week,
        planned_days=tuple(WEEKDAYS[d] for d in sorted(planned)),
        tick_weeks=tuple(tuple(d in planned for d in range(7)) for _ in range(TICK_WEEKS))
        if per_week
        else (),
        exercises=tuple(blocks),
        walking=walking,
        walking_notes=walking_notes,
        breaks_every=breaks.every_minutes if breaks else None,
        break_exercises=tuple(
            BreakExercise(catalog.exercise(e).name, tuple(break_cautions.get(e, ())))
            for e in (breaks.exercises if breaks else [])
        ),
        recommendations=tuple(extras.recommendations),
        stop_rules=tuple(program.stop_rules),
        warning_signs=warning_body,
        warning_signs_title=warning_title,
        reassess_after_days=program.reassess_after_days,
        content_version=program.content_version,
        # A referred program has no session to open.
        session_url=session_url if program.status == "ok" else None,
        qr_svg=qr_svg(session_url) if session_url and program.status == "ok" else None,
    )


def handout_html(handout: Handout) -> str:
    return render("handout.html", h=handout)


def handout_pdf(
    data: object,
    *,
    paper: Paper = "a4",
    printed_on: date,
    session_url: str | None = None,
    version_line: str | None = None,
    figures: Figures | None = None,
    catalog: Catalog | None = None,
    source: str = "program",
) -> bytes:
    """The handout of a program (contract JSON, decoded) as PDF bytes.

    Raises InvalidInput for a program that breaks the contract, PdfUnavailable when PDFs cannot be
    made on this machine."""
    catalog = catalog or default_catalog()
    parsed = parse_program(data, source, catalog=catalog)
    handout = build_handout(
        parsed,
        paper=paper,
        printed_on=printed_on,
        session_url=session_url,
        version_line=version_line,
        figures=figures,
        catalog=catalog,
    )
    return render_pdf(handout_html(handout))


def session_address(app_url: str) -> str:
    """The session player's address under an app's base address ("https://x.org" -> ".../session/").

    Raises InvalidInput for anything but an http(s) address with a host."""
    from urllib.parse import urlsplit

    parts = urlsplit(app_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"--app-url: must be an http(s) address such as https://lumbar.example.org (got {app_url!r})"
        )
    if parts.query or parts.fragment:
        raise InvalidInput(f"--app-url: give the app's address without a query or fragment (got {app_url!r})")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/session/"
