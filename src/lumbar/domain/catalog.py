"""The exercise library: strict models of the content files and the loader that checks them.

Content is data: one TOML file per exercise in `content/exercises/`, education lessons in
`content/education/`, sources in `content/references.toml`. Everything is validated here with
`extra="forbid"` so that a typo in a content file is an error, never a silently ignored key.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from lumbar.domain.bundled import bundled
from lumbar.domain.errors import InvalidInput, UnknownId, describe_validation_error
from lumbar.domain.intake import Condition, Equipment
from lumbar.motion.checkspec import CheckSpec
from lumbar.motion.illustration import Illustration

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
CONTENT_SUFFIXES = frozenset({".toml", ".md"})

Category = Literal["mobility", "stretch", "strength", "stabilisation", "balance", "neural", "aerobic"]
Position = Literal["supine", "prone", "quadruped", "side-lying", "seated", "standing", "kneeling"]
DirectionBias = Literal[
    "flexion", "extension", "neutral", "rotation", "lateral", "mixed", "neural", "aerobic"
]
Phase = Literal["acute", "subacute", "chronic"]
PrecautionAction = Literal["avoid", "modify", "caution"]

# Positions that need the person to get down to the floor (intake `floor_ok: false` rules them out).
FLOOR_POSITIONS: frozenset[str] = frozenset({"supine", "prone", "quadruped", "side-lying", "kneeling"})

# Equipment every home is assumed to have (the intake asks only about the rest).
ASSUMED_EQUIPMENT: frozenset[str] = frozenset({"mat", "chair", "wall"})

# Keys a precaution may be attached to. They name intake answers (contracts/intake.schema.json):
# the `conditions` ids as they are, plus presentations derived from other answers.
CONDITION_KEYS: tuple[str, ...] = get_args(Condition)
PRESENTATION_KEYS: tuple[str, ...] = (
    "leg_symptoms",  # any leg symptoms (above or below the knee)
    "leg_symptoms_below_knee",
    "prefers_extension",  # directional_preference == extension
    "prefers_flexion",  # directional_preference == flexion
    "no_floor",  # floor_ok == false
    "acute",  # phase acute (episode < 6 weeks)
    "suspected_fracture",  # a fracture warning sign, not yet ruled out by a doctor
    "pregnancy_later",  # pregnant from about 20 weeks (or weeks not given)
    "postnatal",  # gave birth within the last two years (postpartum_weeks given)
    "early_after_spine_surgery",  # lumbar surgery within the early weeks (or weeks not given)
)
PRECAUTION_KEYS: frozenset[str] = frozenset(CONDITION_KEYS + PRESENTATION_KEYS)

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Strict(BaseModel):
    # Built on first validation, not at import: a snapshot of validated content needs no schema.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class Dose(Strict):
    """How much of an exercise: sets of reps (each held for a time) or a timed bout (walking)."""

    sets: int = Field(ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=50)
    hold_seconds: int | None = Field(default=None, ge=1, le=600)
    minutes: float | None = Field(
        default=None, gt=0, le=120, description="for timed bouts (walking, swimming)"
    )

    @model_validator(mode="after")
    def _has_an_amount(self) -> Dose:
        if self.reps is None and self.hold_seconds is None and self.minutes is None:
            raise ValueError("a dose needs reps, hold_seconds or minutes")
        return self


class Timing(Strict):
    """What the session timer and the time estimate need."""

    per_side: bool = Field(description="reps/holds are done on each side (left then right)")
    seconds_per_rep: float = Field(ge=0, le=60, description="moving time of one rep, excluding the hold")
    rest_seconds: int = Field(ge=0, le=300, description="rest between sets")


class ExerciseText(Strict):
    summary: Text
    steps: list[Text] = Field(min_length=3)
    cues: list[Text] = Field(min_length=1)
    breathing: Text
    mistakes: list[Text] = Field(min_length=2)


class Precaution(Strict):
    when: str
    action: PrecautionAction
    note: Text

    @model_validator(mode="after")
    def _known_key(self) -> Precaution:
        if self.when not in PRECAUTION_KEYS:
            known = ", ".join(sorted(PRECAUTION_KEYS))
            raise ValueError(f"unknown precaution key {self.when!r}; known keys: {known}")
        return self


class Motion(Strict):
    """What the figure draws (`illustration`) and what the form checker measures (`check`).

    Both come from the same file so that the picture and the checker agree on the movement.
    """

    illustration: Illustration | None = None
    check: CheckSpec | None = None


class Exercise(Strict):
    id: Id
    name: Text
    aliases: list[Text] = Field(default_factory=list)
    category: Category
    position: Position
    direction_bias: DirectionBias
    phases: list[Phase] = Field(min_length=1)
    level: int = Field(ge=1, le=5, description="1 gentlest .. 5 hardest, within the whole library")
    equipment: list[Equipment] = Field(default_factory=list)
    desk_break: bool = Field(description="can be done at or beside a desk in work clothes")
    primary_muscles: list[Text] = Field(min_length=1)
    secondary_muscles: list[Text] = Field(default_factory=list)
    regression: Id | None = None
    progression: Id | None = None
    dose: Dose
    max_dose: Dose
    timing: Timing
    text: ExerciseText
    precautions: list[Precaution] = Field(default_factory=list)
    evidence: list[Id] = Field(min_length=1)
    camera: Literal["checkable", "not-checkable"] = "not-checkable"
    camera_note: str | None = None
    motion: Motion | None = None

    @property
    def needs_floor(self) -> bool:
        return self.position in FLOOR_POSITIONS

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        if self.id in (self.regression, self.progression):
            raise ValueError("an exercise cannot be its own regression or progression")
        if len(set(self.phases)) != len(self.phases):
            raise ValueError("phases: duplicate entry")
        if len(set(self.equipment)) != len(self.equipment):
            raise ValueError("equipment: duplicate entry")
        if len({p.when for p in self.precautions}) != len(self.precautions):
            raise ValueError("precautions: two entries for the same key")
        return self

    def precaution_for(self, key: str) -> Precaution | None:
        return next((p for p in self.precautions if p.when == key), None)


class Reference(Strict):
    citation: Text
    certainty: Literal["V", "P", "U"]


class EducationTopic(Strict):
    id: Id
    title: Text
    summary: Text
    evidence: list[Id] = Field(min_length=1)
    body_markdown: Text


@dataclass(frozen=True)
class Catalog:
    """The whole validated library. Lookups by id; iteration in id order (stable output)."""

    exercises: Mapping[str, Exercise]
    references: Mapping[str, Reference]
    education: Mapping[str, EducationTopic]
    version: str
    _by_alias: Mapping[str, str] = field(default_factory=dict, repr=False)

    def exercise(self, exercise_id: str) -> Exercise:
        try:
            return self.exercises[exercise_id]
        except KeyError:
            raise UnknownId(unknown_id_message("exercise", exercise_id, self.exercises)) from None

    def topic(self, topic_id: str) -> EducationTopic:
        try:
            return self.education[topic_id]
        except KeyError:
            raise UnknownId(unknown_id_message("education topic", topic_id, self.education)) from None

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self.exercises[k] for k in sorted(self.exercises))

    def harder(self, exercise: Exercise) -> Exercise | None:
        return self.exercises[exercise.progression] if exercise.progression else None

    def easier(self, exercise: Exercise) -> Exercise | None:
        return self.exercises[exercise.regression] if exercise.regression else None


def unknown_id_message(kind: str, wanted: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(wanted, list(known), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown {kind} id {wanted!r}{hint}"


class ContentError(InvalidInput):
    """A content file breaks the library's rules; the message names the file."""


def _read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ContentError(f"{path.name}: cannot read TOML: {exc}") from None


# `+++` alone on the first line, the TOML, `+++` alone on a line, then the Markdown body.
_FRONT_MATTER = re.compile(
    r"\A\+\+\+[ \t]*\r?\n(?P<meta>.*?)^\+\+\+[ \t]*\r?$(?P<body>.*)\Z", re.DOTALL | re.MULTILINE
)


def _parse_topic(path: Path) -> EducationTopic:
    """An education lesson is Markdown with TOML front matter between `+++` lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path.name}: cannot read: {exc}") from None
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise ContentError(f"{path.name}: must start with TOML front matter between '+++' lines")
    try:
        meta = tomllib.loads(match["meta"])
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path.name}: front matter: {exc}") from None
    if "body_markdown" in meta:
        # The body comes from below the front matter; a key of that name would be silently replaced.
        raise ContentError(f"{path.name}: body_markdown: unknown key")
    try:
        topic = EducationTopic.model_validate({**meta, "body_markdown": match["body"].strip()})
    except ValidationError as exc:
        raise ContentError(describe_validation_error(exc, path.name)) from None
    if topic.id != path.stem:
        raise ContentError(f"{path.name}: id {topic.id!r} must match the file name")
    return topic


def _content_files(root: Path) -> list[Path]:
    """Every data file under the root: a program records the version, so a change to any rule file
    (screening, instruments, prescription, ...) must change it, not only the files loaded here."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and path.suffix in CONTENT_SUFFIXES and not path.name.startswith(".")
    )


def _content_version(files: Iterable[Path], root: Path) -> str:
    from lumbar import __version__

    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def load_catalog(root: Path | None = None) -> Catalog:
    """Load and check every content file under `root` (default: the bundled content).

    Raises ContentError naming the first file and rule broken: schema violations, duplicate ids,
    dangling or cyclic regression/progression chains, unknown evidence ids.
    """
    root = root or CONTENT_DIR
    if not (root / "exercises").is_dir():
        raise ContentError(f"{root}: no exercises/ directory: not a content root")
    ref_path = root / "references.toml"
    raw_refs = _read_toml(ref_path) if ref_path.exists() else {}
    references: dict[str, Reference] = {}
    for ref_id, body in raw_refs.items():
        try:
            references[ref_id] = Reference.model_validate(body)
        except ValidationError as exc:
            raise ContentError(describe_validation_error(exc, f"references.toml [{ref_id}]")) from None

    exercise_files = sorted((root / "exercises").glob("*.toml"))
    exercises = _load_exercises(exercise_files)

    topic_files = sorted((root / "education").glob("*.md"))
    education: dict[str, EducationTopic] = {}
    for path in topic_files:
        topic = _parse_topic(path)
        education[topic.id] = topic

    for exercise in exercises.values():
        _check_links(exercise, exercises, references)
    for topic in education.values():
        for ref in topic.evidence:
            if ref not in references:
                raise ContentError(f"{topic.id}.md: unknown evidence id {ref!r}")
    _check_acyclic(exercises, "progression")
    _check_acyclic(exercises, "regression")

    return Catalog(
        exercises=exercises,
        references=references,
        education=education,
        version=_content_version(_content_files(root), root),
    )


def _load_exercises(paths: Iterable[Path]) -> dict[str, Exercise]:
    parsed: list[tuple[Path, Exercise]] = []
    for path in paths:
        try:
            parsed.append((path, Exercise.model_validate(_read_toml(path))))
        except ValidationError as exc:
            raise ContentError(describe_validation_error(exc, path.name)) from None
    # Duplicates are looked for before file names are compared: a copied file keeps its twin's id
    # and would otherwise be reported as a mere file-name mismatch.
    first_file: dict[str, Path] = {}
    for path, exercise in parsed:
        if exercise.id in first_file:
            other = first_file[exercise.id].name
            raise ContentError(f"{path.name}: duplicate exercise id {exercise.id!r} (also in {other})")
        first_file[exercise.id] = path
    for path, exercise in parsed:
        if exercise.id != path.stem:
            raise ContentError(f"{path.name}: id {exercise.id!r} must match the file name")
    return {exercise.id: exercise for _, exercise in parsed}


def _check_links(
    exercise: Exercise, exercises: Mapping[str, Exercise], references: Mapping[str, Reference]
) -> None:
    for kind in ("regression", "progression"):
        target = getattr(exercise, kind)
        if target is not None and target not in exercises:
            raise ContentError(f"{exercise.id}.toml: {kind} {target!r} is not an exercise in the library")
    for ref in exercise.evidence:
        if ref not in references:
            raise ContentError(f"{exercise.id}.toml: unknown evidence id {ref!r}")


def _check_acyclic(exercises: Mapping[str, Exercise], kind: str) -> None:
    for start in sorted(exercises):
        seen = [start]
        current = getattr(exercises[start], kind)
        while current is not None:
            if current in seen:
                chain = " -> ".join([*seen, current])
                raise ContentError(f"{start}.toml: {kind} chain loops: {chain}")
            seen.append(current)
            current = getattr(exercises[current], kind)


def default_catalog() -> Catalog:
    """The bundled library, loaded once per process."""
    return bundled("catalog", lambda: load_catalog(CONTENT_DIR))
