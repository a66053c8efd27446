"""Outcome measures and risk stratification: scoring, interpretation and change.

NPRS, ODI v2.1a, RMDQ-24, PSFS and the Keele STarT Back tool. Every threshold (ranges, minimal
important changes, bands, cut-offs) comes from content/instruments/*.toml next to its citation.

Licensing: the ODI and RMDQ statements (and Keele's verbatim STarT Back items) are not shipped. A
deployer with the right to use them puts them in the directory named by the setting
LUMBAR_LICENSED_INSTRUMENTS_DIR; `load_licensed_wording` reads and checks that directory. Scores are
computed from section/item answers whether or not the wording is present.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from lumbar.domain.bundled import bundled
from lumbar.domain.errors import InvalidInput, UnknownId, describe_validation_error
from lumbar.domain.intake import Goal, Intake, StartBackAnswers

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
INSTRUMENTS_DIR = CONTENT_DIR / "instruments"
LICENSED_DIR_SETTING = "LUMBAR_LICENSED_INSTRUMENTS_DIR"

Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
RefId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Better = Literal["lower", "higher"]
Direction = Literal["improved", "unchanged", "worse"]
Risk = Literal["low", "medium", "high"]
ChangeInstrument = Literal["nprs", "odi", "rmdq", "psfs"]


# --- Content model -----------------------------------------------------------------------------------


class _Content(BaseModel):
    # Built on first validation, not at import: a snapshot of validated content needs no schema.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


ContentT = TypeVar("ContentT", bound=BaseModel)


class ScoreRange(_Content):
    min: float
    max: float
    better: Better


class ChangeRule(_Content):
    """Minimal important change: an absolute amount, and optionally a fraction of the baseline."""

    mcid_abs: float = Field(gt=0)
    mcid_rel: float | None = Field(default=None, gt=0, lt=1)
    mcid_abs_single_activity: float | None = Field(default=None, gt=0)
    evidence: list[RefId] = Field(min_length=1)


class Cutoff(_Content):
    at_most: float
    evidence: list[RefId] = Field(min_length=1)


class NprsText(_Content):
    question: Text
    low_anchor: Text
    high_anchor: Text


class Nprs(_Content):
    id: Literal["nprs"]
    name: Text
    short_name: Text
    loinc: Text
    evidence: list[RefId] = Field(min_length=1)
    licence: Text
    range: ScoreRange
    change: ChangeRule
    recovered: Cutoff
    text: NprsText


class Band(_Content):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")]
    upper: float
    label: Text


class OdiLoinc(_Content):
    panel: Text
    score: Text


class OdiScoring(_Content):
    sections: int = Field(ge=1)
    section_max: int = Field(ge=1)
    max_missing_sections: int = Field(ge=0)
    decimals: int = Field(ge=0, le=3)
    evidence: list[RefId] = Field(min_length=1)
    section_topics: list[Text]


class Odi(_Content):
    id: Literal["odi"]
    name: Text
    short_name: Text
    version: Text
    evidence: list[RefId] = Field(min_length=1)
    licence: Text
    loinc: OdiLoinc
    range: ScoreRange
    scoring: OdiScoring
    change: ChangeRule
    bands: list[Band] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Odi:
        if len(self.scoring.section_topics) != self.scoring.sections:
            raise ValueError("scoring.section_topics: one topic per section")
        _check_bands(self.bands, self.range)
        return self


class RmdqScoring(_Content):
    items: int = Field(ge=1)
    floor_below: float
    ceiling_above: float
    evidence: list[RefId] = Field(min_length=1)


class Rmdq(_Content):
    id: Literal["rmdq"]
    name: Text
    short_name: Text
    evidence: list[RefId] = Field(min_length=1)
    licence: Text
    range: ScoreRange
    scoring: RmdqScoring
    change: ChangeRule
    recovered: Cutoff


class PsfsScoring(_Content):
    activities_usual: int = Field(ge=1)
    activities_max: int = Field(ge=1)
    decimals: int = Field(ge=0, le=3)
    evidence: list[RefId] = Field(min_length=1)


class PsfsText(_Content):
    instructions: Text


class Psfs(_Content):
    id: Literal["psfs"]
    name: Text
    short_name: Text
    evidence: list[RefId] = Field(min_length=1)
    licence: Text
    range: ScoreRange
    scoring: PsfsScoring
    change: ChangeRule
    text: PsfsText


class StartBackLoinc(_Content):
    panel: Text
    total: Text
    psychosocial: Text
    risk: Text


class StartBackScoring(_Content):
    total_max: int
    psychosocial_max: int
    bothersomeness_positive: list[Literal["not_at_all", "slightly", "moderately", "very_much", "extremely"]]
    low_if_total_at_most: int
    high_if_psychosocial_at_least: int
    evidence: list[RefId] = Field(min_length=1)


class StartBackItem(_Content):
    key: Text
    subscale: Literal["physical", "psychosocial"]
    about: Text = Field(description="Lumbar's own short description of the construct, not Keele's wording")


class Stratum(_Content):
    label: Text
    loinc_answer: Text
    implication: Text


class StartBack(_Content):
    id: Literal["startback"]
    name: Text
    short_name: Text
    copyright: Text
    evidence: list[RefId] = Field(min_length=1)
    loinc: StartBackLoinc
    scoring: StartBackScoring
    items: list[StartBackItem]
    strata: dict[Risk, Stratum]

    @model_validator(mode="after")
    def _by_construct(self) -> StartBack:
        keys = [item.key for item in self.items]
        if sorted(keys) != sorted(StartBackAnswers.model_fields):
            raise ValueError("items: need exactly one entry per construct of the intake contract")
        if len(self.items) != self.scoring.total_max:
            raise ValueError("scoring.total_max must equal the number of items")
        if sum(item.subscale == "psychosocial" for item in self.items) != self.scoring.psychosocial_max:
            raise ValueError("scoring.psychosocial_max must equal the number of psychosocial items")
        if sorted(self.strata) != ["high", "low", "medium"]:
            raise ValueError("strata: need low, medium and high")
        return self


def _check_bands(bands: Sequence[Band], score_range: ScoreRange) -> None:
    uppers = [band.upper for band in bands]
    if uppers != sorted(set(uppers)):
        raise ValueError("bands: upper bounds must rise strictly")
    if uppers[-1] != score_range.max:
        raise ValueError("bands: the last band must end at the top of the range")


@dataclass(frozen=True)
class Instruments:
    nprs: Nprs
    odi: Odi
    rmdq: Rmdq
    psfs: Psfs
    startback: StartBack

    def evidence_ids(self) -> Iterator[str]:
        for content in (self.nprs, self.odi, self.rmdq, self.psfs):
            yield from content.evidence
            yield from content.change.evidence
        yield from self.odi.scoring.evidence
        yield from self.rmdq.scoring.evidence
        yield from self.psfs.scoring.evidence
        yield from self.nprs.recovered.evidence
        yield from self.rmdq.recovered.evidence
        yield from self.startback.evidence
        yield from self.startback.scoring.evidence


def _read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{path.name}: cannot read TOML: {exc}") from None


def _load(model: type[ContentT], path: Path) -> ContentT:
    try:
        return model.model_validate(_read_toml(path))
    except ValidationError as exc:
        raise InvalidInput(describe_validation_error(exc, path.name)) from None


def load_instruments(directory: Path | None = None, references: Collection[str] | None = None) -> Instruments:
    """Read and check content/instruments/*.toml; evidence ids must be in references.toml."""
    directory = directory or INSTRUMENTS_DIR
    instruments = Instruments(
        nprs=_load(Nprs, directory / "nprs.toml"),
        odi=_load(Odi, directory / "odi.toml"),
        rmdq=_load(Rmdq, directory / "rmdq.toml"),
        psfs=_load(Psfs, directory / "psfs.toml"),
        startback=_load(StartBack, directory / "startback.toml"),
    )
    if references is None:
        references = frozenset(_read_toml(directory.parent / "references.toml"))
    unknown = [ref for ref in instruments.evidence_ids() if ref not in references]
    if unknown:
        raise InvalidInput(f"instruments: unknown evidence id {unknown[0]!r}")
    return instruments


def default_instruments() -> Instruments:
    """The bundled instrument definitions, loaded once per process."""
    return bundled("instruments", load_instruments)


# --- Scores ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NprsScore:
    value: int
    recovered: bool
    interpretation: str


@dataclass(frozen=True)
class OdiScore:
    """`percent` is None when too many sections are unanswered; `reason` then says why."""

    percent: float | None
    raw_sum: int
    sections_answered: int
    band: str | None
    interpretation: str
    reason: str | None = None

    @property
    def scorable(self) -> bool:
        return self.percent is not None


@dataclass(frozen=True)
class RmdqScore:
    value: int
    recovered: bool
    interpretation: str


@dataclass(frozen=True)
class PsfsScore:
    mean: float
    activities: int
    interpretation: str


@dataclass(frozen=True)
class StartBackScore:
    total: int
    psychosocial: int
    risk: Risk
    interpretation: str


def _check_range(name: str, value: float, score_range: ScoreRange) -> None:
    if isinstance(value, bool) or not score_range.min <= value <= score_range.max:
        raise InvalidInput(
            f"{name}: must be between {score_range.min:g} and {score_range.max:g} (got {value!r})"
        )


def score_nprs(value: int, *, instruments: Instruments | None = None) -> NprsScore:
    content = (instruments or default_instruments()).nprs
    _check_range("nprs", value, content.range)
    recovered = value <= content.recovered.at_most
    scale = f"{value} out of {content.range.max:g}"
    return NprsScore(
        value=value,
        recovered=recovered,
        interpretation=(
            f"{scale}: no pain, the level that best matches feeling recovered"
            if recovered
            else f"{scale} ({content.text.low_anchor}, {content.text.high_anchor})"
        ),
    )


def score_odi(sections: Sequence[int | None], *, instruments: Instruments | None = None) -> OdiScore:
    """ODI v2.1a from section scores (0-5, None when unanswered or not applicable).

    Each missing section comes out of the denominator: 16 over 10 sections is 32%, over 9 is 35.6%.
    When two statements are ticked in one section the caller records the higher.
    """
    content = (instruments or default_instruments()).odi
    rules = content.scoring
    if len(sections) != rules.sections:
        raise InvalidInput(f"odi_sections: need {rules.sections} sections (got {len(sections)})")
    for number, answer in enumerate(sections, start=1):
        if answer is not None and (isinstance(answer, bool) or not 0 <= answer <= rules.section_max):
            raise InvalidInput(
                f"odi_sections: section {number} must be 0-{rules.section_max} (got {answer!r})"
            )
    answered = [answer for answer in sections if answer is not None]
    missing = rules.sections - len(answered)
    raw_sum = sum(answered)
    if missing > rules.max_missing_sections:
        reason = (
            f"not scorable: {missing} of {rules.sections} sections unanswered "
            f"(at most {rules.max_missing_sections} may be missing)"
        )
        return OdiScore(None, raw_sum, len(answered), None, reason, reason)
    percent = round(raw_sum / (rules.section_max * len(answered)) * 100, rules.decimals)
    band = band_for(percent, content.bands)
    note = f" ({missing} section{'s' if missing > 1 else ''} unanswered)" if missing else ""
    return OdiScore(
        percent=percent,
        raw_sum=raw_sum,
        sections_answered=len(answered),
        band=band.id,
        interpretation=f"{percent:g}% on the 0-100% scale: {band.label}{note}",
    )


def band_for(value: float, bands: Sequence[Band]) -> Band:
    """The first band whose upper bound the value does not exceed."""
    return next(band for band in bands if value <= band.upper)


def score_rmdq(ticked: Collection[int], *, instruments: Instruments | None = None) -> RmdqScore:
    """RMDQ-24: the number of statements ticked (each numbered 1-24)."""
    content = (instruments or default_instruments()).rmdq
    rules = content.scoring
    for item in ticked:
        if isinstance(item, bool) or not 1 <= item <= rules.items:
            raise InvalidInput(f"rmdq_yes: statement numbers run 1-{rules.items} (got {item!r})")
    if len(set(ticked)) != len(ticked):
        raise InvalidInput("rmdq_yes: a statement is ticked twice")
    value = len(ticked)
    recovered = value <= content.recovered.at_most
    if recovered:
        meaning = "at or below the level that matches feeling recovered"
    elif value < rules.floor_below:
        meaning = "low disability; scores this low change little, so follow the PSFS too"
    elif value > rules.ceiling_above:
        meaning = "high disability; scores this high change little, so the ODI suits better"
    else:
        meaning = "disability in the range where the RMDQ tracks change well"
    return RmdqScore(
        value=value,
        recovered=recovered,
        interpretation=f"{value} of {rules.items} statements: {meaning}",
    )


def score_psfs(goals: Sequence[Goal], *, instruments: Instruments | None = None) -> PsfsScore:
    """PSFS: the mean of the activity ratings (0 unable .. 10 as before); higher is better."""
    content = (instruments or default_instruments()).psfs
    rules = content.scoring
    if not 1 <= len(goals) <= rules.activities_max:
        raise InvalidInput(f"goals: need 1-{rules.activities_max} activities (got {len(goals)})")
    for goal in goals:
        _check_range(f"goals: {goal.activity!r}", goal.score, content.range)
    mean = round(sum(goal.score for goal in goals) / len(goals), rules.decimals)
    note = (
        f"; the scale usually asks for {rules.activities_usual} activities"
        if len(goals) < rules.activities_usual
        else ""
    )
    return PsfsScore(
        mean=mean,
        activities=len(goals),
        interpretation=(
            f"average {mean:g} of {content.range.max:g} over {len(goals)} "
            f"activit{'y' if len(goals) == 1 else 'ies'} (10 = as well as before the back trouble){note}"
        ),
    )


def score_startback(answers: StartBackAnswers, *, instruments: Instruments | None = None) -> StartBackScore:
    """STarT Back total (0-9), psychosocial subscore (0-5) and risk stratum, scored by construct."""
    content = (instruments or default_instruments()).startback
    rules = content.scoring
    points = {
        item.key: _startback_point(answers, item.key, rules.bothersomeness_positive) for item in content.items
    }
    total = sum(points.values())
    psychosocial = sum(points[item.key] for item in content.items if item.subscale == "psychosocial")
    risk: Risk
    if total <= rules.low_if_total_at_most:
        risk = "low"
    elif psychosocial < rules.high_if_psychosocial_at_least:
        risk = "medium"
    else:
        risk = "high"
    stratum = content.strata[risk]
    return StartBackScore(
        total=total,
        psychosocial=psychosocial,
        risk=risk,
        interpretation=(
            f"{stratum.label} (total {total}/{rules.total_max}, psychosocial "
            f"{psychosocial}/{rules.psychosocial_max}): {stratum.implication}"
        ),
    )


def _startback_point(answers: StartBackAnswers, key: str, positive: Collection[str]) -> int:
    answer = getattr(answers, key)
    if isinstance(answer, bool):
        return int(answer)
    return int(answer in positive)


def score_intake(intake: Intake, *, instruments: Instruments | None = None) -> dict[str, object]:
    """Every score the intake allows, flat keys with an interpretation beside each.

    Keys follow the `scores` object of the program contract (odi_percent, startback_total, rmdq, ...).
    Instruments the intake did not answer are left out; an ODI with too many gaps has
    odi_percent null and the reason in odi_interpretation.
    """
    instruments = instruments or default_instruments()
    scores: dict[str, object] = {}
    nprs = score_nprs(intake.pain.now, instruments=instruments)
    scores["nprs"] = nprs.value
    scores["nprs_interpretation"] = nprs.interpretation
    if intake.pain.worst_24h is not None:
        scores["nprs_worst_24h"] = intake.pain.worst_24h
    if intake.pain.best_24h is not None:
        scores["nprs_best_24h"] = intake.pain.best_24h
    if intake.odi_sections is not None:
        odi = score_odi(intake.odi_sections, instruments=instruments)
        scores["odi_percent"] = odi.percent
        scores["odi_band"] = odi.band
        scores["odi_sections_answered"] = odi.sections_answered
        scores["odi_interpretation"] = odi.interpretation
    if intake.rmdq_yes is not None:
        rmdq = score_rmdq(intake.rmdq_yes, instruments=instruments)
        scores["rmdq"] = rmdq.value
        scores["rmdq_interpretation"] = rmdq.interpretation
    if intake.goals is not None:
        psfs = score_psfs(intake.goals, instruments=instruments)
        scores["psfs_mean"] = psfs.mean
        scores["psfs_interpretation"] = psfs.interpretation
    if intake.startback is not None:
        startback = score_startback(intake.startback, instruments=instruments)
        scores["startback_total"] = startback.total
        scores["startback_psychosocial"] = startback.psychosocial
        scores["startback_risk"] = startback.risk
        scores["startback_interpretation"] = startback.interpretation
    return scores


def baseline_outcomes(
    intake: Intake, *, instruments: Instruments | None = None
) -> Iterator[tuple[str, float, dict[str, object]]]:
    """(instrument id, score, detail) for each instrument the intake answers, to store as outcomes.

    The score is the number change is judged on (ODI percent, PSFS mean, STarT Back total); an ODI
    that is not scorable is left out, since there is no number to compare later.
    """
    instruments = instruments or default_instruments()
    nprs = score_nprs(intake.pain.now, instruments=instruments)
    yield "nprs", nprs.value, {"interpretation": nprs.interpretation, "recovered": nprs.recovered}
    if intake.odi_sections is not None:
        odi = score_odi(intake.odi_sections, instruments=instruments)
        if odi.percent is not None:
            detail: dict[str, object] = {
                "band": odi.band,
                "raw_sum": odi.raw_sum,
                "sections_answered": odi.sections_answered,
                "interpretation": odi.interpretation,
            }
            yield "odi", odi.percent, detail
    if intake.rmdq_yes is not None:
        rmdq = score_rmdq(intake.rmdq_yes, instruments=instruments)
        yield "rmdq", rmdq.value, {"interpretation": rmdq.interpretation, "recovered": rmdq.recovered}
    if intake.goals is not None:
        psfs = score_psfs(intake.goals, instruments=instruments)
        activities = [{"activity": goal.activity, "score": goal.score} for goal in intake.goals]
        yield "psfs", psfs.mean, {"interpretation": psfs.interpretation, "activities": activities}
    if intake.startback is not None:
        startback = score_startback(intake.startback, instruments=instruments)
        yield (
            "startback",
            startback.total,
            {
                "psychosocial": startback.psychosocial,
                "risk": startback.risk,
                "interpretation": startback.interpretation,
            },
        )


# --- Change -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeVerdict:
    """`abs_change` is after minus before; `pct_change` is that as a percentage of before (None at 0)."""

    direction: Direction
    abs_change: float
    pct_change: float | None
    reason: str


def minimal_important_change(instrument: str, *, instruments: Instruments | None = None) -> float:
    """The instrument's absolute minimal important change, in its own units."""
    return _change_content(instrument, instruments or default_instruments()).change.mcid_abs


def change(
    instrument: str, before: float, after: float, *, instruments: Instruments | None = None
) -> ChangeVerdict:
    """Has the person improved, stayed the same or worsened, by the minimal important change?

    Direction-aware: for NPRS, ODI and RMDQ lower is better; for the PSFS higher is better.
    Improved when the change in the good direction reaches the absolute MCID or, where the content
    gives one, the relative MCID (a fraction of the baseline; Ostelo 2008). Worse is the mirror
    image: the same thresholds in the bad direction. Anything smaller is unchanged.
    """
    content = _change_content(instrument, instruments or default_instruments())
    _check_range(f"{instrument} before", before, content.range)
    _check_range(f"{instrument} after", after, content.range)
    rule = content.change
    difference = after - before
    pct = None if before == 0 else round(difference / before * 100, 1)
    gain = -difference if content.range.better == "lower" else difference
    direction: Direction = "unchanged"
    if _reaches(gain, before, rule):
        direction = "improved"
    elif _reaches(-gain, before, rule):
        direction = "worse"
    reason = _change_reason(content.short_name, direction, rule, difference, pct)
    return ChangeVerdict(direction, difference, pct, reason)


def _change_content(instrument: str, instruments: Instruments) -> Nprs | Odi | Rmdq | Psfs:
    options: dict[str, Nprs | Odi | Rmdq | Psfs] = {
        "nprs": instruments.nprs,
        "odi": instruments.odi,
        "rmdq": instruments.rmdq,
        "psfs": instruments.psfs,
    }
    if instrument == "startback":
        raise InvalidInput(
            "startback: a risk stratifier with no minimal important change; re-stratify instead"
        )
    try:
        return options[instrument]
    except KeyError:
        raise UnknownId(f"unknown instrument {instrument!r}; known: {', '.join(options)}") from None


def _reaches(amount: float, baseline: float, rule: ChangeRule) -> bool:
    # Round away float noise so that 10 -> 7 counts as exactly 30%.
    if round(amount, 9) <= 0:
        return False
    if round(amount - rule.mcid_abs, 9) >= 0:
        return True
    return rule.mcid_rel is not None and baseline > 0 and round(amount / baseline - rule.mcid_rel, 9) >= 0


def _change_reason(
    name: str, direction: Direction, rule: ChangeRule, difference: float, pct: float | None
) -> str:
    threshold = f"{rule.mcid_abs:g} points"
    if rule.mcid_rel is not None:
        threshold += f" or {rule.mcid_rel:.0%} of the starting score"
    moved = f"{name} moved {difference:+g} points" + (f" ({pct:+g}%)" if pct is not None else "")
    if direction == "unchanged":
        return f"{moved}: less than the minimal important change ({threshold})"
    better_or_worse = "better" if direction == "improved" else "worse"
    return f"{moved}: {better_or_worse} by at least the minimal important change ({threshold})"


def change_json(verdict: ChangeVerdict) -> dict[str, object]:
    return {
        "direction": verdict.direction,
        "abs_change": verdict.abs_change,
        "pct_change": verdict.pct_change,
        "reason": verdict.reason,
    }


# --- Licensed wording supplied by a deployer ------------------------------------------------------


class _Wording(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class OdiSectionWording(_Wording):
    topic: Text
    statements: list[Text] = Field(min_length=6, max_length=6)


class OdiWording(_Wording):
    instrument: Literal["odi"]
    version: Text
    copyright: Text
    licence: Text
    instructions: Text
    sections: list[OdiSectionWording] = Field(min_length=10, max_length=10)


class RmdqWording(_Wording):
    instrument: Literal["rmdq"]
    copyright: Text
    licence: Text
    instructions: Text
    items: list[Text] = Field(min_length=24, max_length=24)


class StartBackWording(_Wording):
    """Keele's verbatim items, keyed by construct as in the intake contract."""

    instrument: Literal["startback"]
    copyright: Text
    instructions: Text
    items: dict[str, Text]
    bothersomeness_answers: dict[str, Text]

    @model_validator(mode="after")
    def _every_construct(self) -> StartBackWording:
        if sorted(self.items) != sorted(StartBackAnswers.model_fields):
            raise ValueError("items: need exactly one text per construct of the intake contract")
        answers = ["extremely", "moderately", "not_at_all", "slightly", "very_much"]
        if sorted(self.bothersomeness_answers) != answers:
            raise ValueError(f"bothersomeness_answers: need exactly {', '.join(answers)}")
        return self


LicensedWording = OdiWording | RmdqWording | StartBackWording
_WORDING_MODELS: dict[str, type[OdiWording] | type[RmdqWording] | type[StartBackWording]] = {
    "odi": OdiWording,
    "rmdq": RmdqWording,
    "startback": StartBackWording,
}


def load_licensed_wording(directory: Path) -> dict[str, LicensedWording]:
    """Read the deployer's licensed item text: odi.toml, rmdq.toml, startback.toml (each optional).

    Returns the instruments found, keyed by id. A file with the wrong shape raises InvalidInput
    naming the file, so a broken deployment fails loudly instead of showing half a questionnaire.
    """
    if not directory.is_dir():
        raise InvalidInput(f"{LICENSED_DIR_SETTING}: {str(directory)!r} is not a directory")
    found: dict[str, LicensedWording] = {}
    for name, model in _WORDING_MODELS.items():
        path = directory / f"{name}.toml"
        if not path.exists():
            continue
        found[name] = _load(model, path)
    return found


def licensed_wording_dir(environ: Mapping[str, str]) -> Path | None:
    """The directory named by LUMBAR_LICENSED_INSTRUMENTS_DIR, or None when it is not set."""
    value = environ.get(LICENSED_DIR_SETTING, "").strip()
    return Path(value) if value else None
