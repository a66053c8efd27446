"""Alerts of a progression review: what the person and their physiotherapist need to know.

Kinds follow the progress contract. Severity says who should act and how fast: `emergency` (now),
`urgent` (a doctor today), `review` (the physiotherapist should look within days), `info` (for the
person and the record). This module builds the alerts that do not depend on a single exercise: red
flags at check-ins, outcome change (worsening, improvement, recovery, no improvement), low
adherence and reassessment due. Flare and peripheralisation alerts come with the decisions they
cause, in `lumbar.domain.progression`.

Red flags at a check-in. The check-in asks the red-flag questions again; the answers are screened
with the intake's bank by `lumbar.domain.screening.triage_red_flags`: the questions and their
combinations only, since the age-at-onset and inflammatory rules need the person's age and history,
which a check-in does not ask (they were judged at intake); the person's conditions, as the program's
precaution keys record them, count as the warning signs they imply. Leg symptoms are taken as present when
any session logged leg symptoms, so that the advice keeps the cauda equina safety net. Yes answers
from every check-in within the recall window count together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from lumbar.domain.adherence import Adherence
from lumbar.domain.history import History
from lumbar.domain.instruments import (
    ChangeVerdict,
    Nprs,
    Odi,
    Psfs,
    Rmdq,
    change,
    default_instruments,
    minimal_important_change,
)
from lumbar.domain.intake import RedFlags
from lumbar.domain.pain_monitoring import first_and_latest_week
from lumbar.domain.plain_words import spoken_date, spoken_dates
from lumbar.domain.progression_rules import ProgressionRules
from lumbar.domain.screening import Tier, Triage, flag_meanings, triage_red_flags

Kind = Literal[
    "red_flag",
    "peripheralisation",
    "flare",
    "worsening",
    "no_improvement",
    "low_adherence",
    "improved",
    "recovered",
    "reassessment_due",
]
Severity = Literal["info", "review", "urgent", "emergency"]

_SEVERITY_ORDER: dict[str, int] = {"emergency": 0, "urgent": 1, "review": 2, "info": 3}
_KIND_ORDER: dict[str, int] = {
    kind: index
    for index, kind in enumerate(
        (
            "red_flag",
            "peripheralisation",
            "flare",
            "worsening",
            "no_improvement",
            "low_adherence",
            "reassessment_due",
            "improved",
            "recovered",
        )
    )
}
_TIER_SEVERITY: dict[Tier, Severity] = {
    Tier.EMERGENCY_NOW: "emergency",
    Tier.URGENT_SAME_DAY: "urgent",
    Tier.SEE_DOCTOR_SOON: "review",
    Tier.ROUTINE: "info",
}
_NAMES = {"nprs": "pain score (NPRS)", "odi": "ODI", "rmdq": "RMDQ", "psfs": "PSFS"}


@dataclass(frozen=True)
class Alert:
    kind: Kind
    severity: Severity
    message: str
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "evidence": list(self.evidence),
        }


def ordered(alerts: Iterable[Alert]) -> tuple[Alert, ...]:
    """Most severe first; within a severity, in the contract's order of kinds."""
    return tuple(sorted(alerts, key=lambda a: (_SEVERITY_ORDER[a.severity], _KIND_ORDER[a.kind])))


# --- Red flags at check-ins ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInScreen:
    triage: Triage
    days: tuple[date, ...]


def screen_checkins(history: History, rules: ProgressionRules) -> CheckInScreen | None:
    """Screen the red-flag answers of recent check-ins; None when no recent answer was yes."""
    first = history.today - timedelta(days=rules.red_flags.lookback_days - 1)
    answered = [c for c in history.checkins if c.red_flags is not None and first <= c.date <= history.today]
    yes: dict[str, bool] = {}
    days: list[date] = []
    for checkin in answered:
        assert checkin.red_flags is not None
        positive = checkin.red_flags.positive()
        if positive:
            days.append(checkin.date)
            yes.update(dict.fromkeys(positive, True))
    if not yes:
        return None
    legs = any(
        log.leg_symptoms not in (None, "none") for session in history.sessions for log in session.exercises
    )
    # The person's conditions (the program's precaution keys) count as the yes answers they imply, as
    # at intake: a fever at a check-in weighs with diabetes.
    conditions = history.program.precaution_keys or ()
    result = triage_red_flags(RedFlags.model_validate(yes), has_leg_symptoms=legs, conditions=conditions)
    return CheckInScreen(result, tuple(sorted(set(days))))


def red_flag_alert(screen: CheckInScreen) -> Alert:
    meanings = "; ".join(flag_meanings(screen.triage).values())
    return Alert(
        kind="red_flag",
        severity=_TIER_SEVERITY[screen.triage.tier],
        message=(
            f"At your check-in on {spoken_dates(screen.days)} you answered yes to: {meanings}. "
            f"{screen.triage.advice}"
        ),
        evidence=screen.triage.evidence,
    )


# --- Outcome change ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One outcome followed from its first to its latest value."""

    name: str
    instrument: str
    before: float
    after: float
    verdict: ChangeVerdict

    def words(self) -> str:
        return f"your {self.name} went from {self.before:g} to {self.after:g}"


def outcome_measures(history: History, rules: ProgressionRules) -> list[Measure]:
    """Each instrument measured at least twice, plus the usual daily pain (first week vs latest)."""
    measures: list[Measure] = []
    for instrument, name in _NAMES.items():
        scores = [o for o in history.outcomes if o.instrument == instrument]
        if len(scores) >= 2 and scores[-1].date > scores[0].date:
            before, after = scores[0].score, scores[-1].score
            measures.append(Measure(name, instrument, before, after, change(instrument, before, after)))
    weeks = first_and_latest_week(history, rules.outcomes.window_days, rules.weekly_trend.min_readings)
    if weeks is not None:
        before, after = weeks
        measures.append(Measure("usual pain", "nprs", before, after, change("nprs", before, after)))
    return measures


def worsened(measures: Sequence[Measure]) -> list[Measure]:
    """The measures that got worse by the absolute minimal important change.

    Clinical reference 5.3 defines worsening by the absolute change (NPRS up by 2 or more, ODI/RMDQ
    worse by their MCID): 30% of a small starting score (pain 1 -> 2) is no reason to ease a program.
    """
    return [
        m
        for m in measures
        if m.verdict.direction == "worse"
        and abs(m.verdict.abs_change) >= minimal_important_change(m.instrument)
    ]


def worsening_alert(measures: Sequence[Measure], trend: tuple[float, float] | None) -> Alert | None:
    """Worse by the minimal important change (review), else pain creeping up week on week (info).

    Worsening needs the absolute change (clinical reference 5.3: NPRS up by 2 or more, ODI/RMDQ
    worse by the MCID): 30% of a small starting score (pain 1 -> 2) is not a reason to alarm anyone.
    """
    worse = [
        m
        for m in measures
        if m.verdict.direction == "worse"
        and abs(m.verdict.abs_change) >= minimal_important_change(m.instrument)
    ]
    nprs = default_instruments().nprs
    if worse:
        what = "; ".join(m.words() for m in worse)
        return Alert(
            kind="worsening",
            severity="review",
            message=(
                f"{_capital(what)}: worse by at least the smallest change that matters. We have eased "
                "your program by one step; your physiotherapist should review you within the next few days."
            ),
            evidence=tuple(dict.fromkeys([*nprs.change.evidence, "ostelo-2008-spine"])),
        )
    if trend is not None:
        last_week, this_week = trend
        return Alert(
            kind="worsening",
            severity="info",
            message=(
                f"Your usual pain has crept up this week (about {this_week:g} out of 10, against "
                f"{last_week:g} the week before), so we have eased your program by one step."
            ),
            evidence=("silbernagel-2007-ajsm",),
        )
    return None


def improvement_alerts(
    measures: Sequence[Measure], history: History, overall: Adherence, rules: ProgressionRules
) -> list[Alert]:
    """Improved by the minimal important change, or no such improvement after weeks of adherence."""
    improved = [m for m in measures if m.verdict.direction == "improved"]
    evidence = tuple(dict.fromkeys(ref for m in measures for ref in _change_evidence(m.instrument)))
    if improved:
        what = "; ".join(m.words() for m in improved)
        return [
            Alert(
                kind="improved",
                severity="info",
                message=f"{_capital(what)}: a real improvement, at least the smallest change that matters.",
                evidence=evidence,
            )
        ]
    weeks = (history.today - history.start).days / 7
    policy = rules.outcomes
    if (
        not measures
        or weeks < policy.no_improvement_earliest_weeks
        or overall.is_below(rules.adherence.low_below)
    ):
        return []
    if weeks >= policy.no_improvement_weeks:
        severity: Severity = "review"
        advice = (
            "Please see your physiotherapist or doctor to reassess your back and talk about other options."
        )
    else:
        severity = "info"
        advice = (
            f"Keep going; if nothing has changed by week {policy.no_improvement_weeks}, "
            "we will ask your physiotherapist to reassess you."
        )
    return [
        Alert(
            kind="no_improvement",
            severity=severity,
            message=(
                f"After {int(weeks)} weeks of regular exercise there is no clear improvement yet "
                f"({'; '.join(m.words() for m in measures)}). {advice}"
            ),
            evidence=tuple(dict.fromkeys([*policy.evidence, *evidence])),
        )
    ]


def recovered_alert(history: History, measures: Sequence[Measure]) -> Alert | None:
    """Latest NPRS at the 'recovered' cut-off, or RMDQ at or below it (Kamper 2010)."""
    instruments = default_instruments()
    latest = {o.instrument: o for o in history.outcomes}
    reached: list[str] = []
    if "nprs" in latest and latest["nprs"].score <= instruments.nprs.recovered.at_most:
        reached.append(f"your pain score is {latest['nprs'].score:g}")
    elif "nprs" not in latest:
        daily = next((m for m in measures if m.name == "usual pain"), None)
        if daily is not None and daily.after <= instruments.nprs.recovered.at_most:
            reached.append(f"your usual pain is {daily.after:g} out of 10")
    if "rmdq" in latest and latest["rmdq"].score <= instruments.rmdq.recovered.at_most:
        reached.append(f"your RMDQ score is {latest['rmdq'].score:g}")
    if not reached:
        return None
    return Alert(
        kind="recovered",
        severity="info",
        message=(
            f"{_capital(' and '.join(reached))}: the level that matches feeling recovered. Keep walking and "
            "keep your favourite exercises going to help stop the pain coming back."
        ),
        evidence=tuple(
            dict.fromkeys([*instruments.nprs.recovered.evidence, *instruments.rmdq.recovered.evidence])
        ),
    )


def reassessment_alert(history: History, rules: ProgressionRules) -> Alert | None:
    """The latest scheduled reassessment that has come and has no outcome recorded since."""
    due = [
        weeks for weeks in rules.reassessment.weeks if history.start + timedelta(weeks=weeks) <= history.today
    ]
    if not due:
        return None
    weeks = due[-1]
    day = history.start + timedelta(weeks=weeks)
    if any(o.date >= day for o in history.outcomes):
        return None
    return Alert(
        kind="reassessment_due",
        severity="info",
        message=(
            f"Your {weeks}-week check was due on {spoken_date(day)}: please answer the pain and "
            "everyday-activity questions again so that we can see how you are doing."
        ),
        evidence=tuple(rules.reassessment.evidence),
    )


def low_adherence_alert(recent: Adherence, rules: ProgressionRules) -> Alert | None:
    if not recent.judged(rules.adherence.judge_after_days) or not recent.is_below(rules.adherence.low_below):
        return None
    return Alert(
        kind="low_adherence",
        severity="review",
        message=(
            f"You did {recent.sessions_done} of {recent.sessions_prescribed} planned exercise sessions in the "
            f"last {recent.window_days} days. Nothing will be made harder for now; your physiotherapist may "
            "make the program simpler. Tell them what gets in the way."
        ),
        evidence=tuple(rules.adherence.evidence),
    )


def preference_did_not_hold_alert(preference: str, names: Sequence[str], rules: ProgressionRules) -> Alert:
    """Every exercise in the easing direction spread the leg symptoms: a clinician should reassess."""
    from lumbar.domain.prescription_rules import default_rules as planner_rules

    movement = getattr(planner_rules().directional_preference, preference).movement.lower()
    which = spoken_list(names)
    return Alert(
        kind="peripheralisation",
        severity="review",
        message=(
            f"Your leg symptoms spread with every exercise in the direction that seemed to ease your pain "
            f"({movement}): {which}. That direction has not held up, so a physiotherapist or doctor should "
            "reassess your back before you go on: please book an appointment within the next few days. Keep "
            "to the other exercises and walking as long as they do not spread your symptoms."
        ),
        evidence=tuple(
            dict.fromkeys([*rules.peripheralisation.evidence, *rules.directional_preference.evidence])
        ),
    )


def spoken_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _change_evidence(instrument: str) -> list[str]:
    instruments = default_instruments()
    contents: dict[str, Nprs | Odi | Rmdq | Psfs] = {
        "nprs": instruments.nprs,
        "odi": instruments.odi,
        "rmdq": instruments.rmdq,
        "psfs": instruments.psfs,
    }
    return list(contents[instrument].change.evidence)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
