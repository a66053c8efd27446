"""The progression review: from what happened since a program was prescribed to what changes next.

`review(history, catalog)` is pure and deterministic: the same history, content and rules always give
the same review. It returns one decision per exercise of the program in force, a walking decision
when the program has a walking plan, alerts, adherence, and the triage of any red flag answered at
a recent check-in. Every number comes from content/progression.toml (and the instruments' minimal
important changes from content/instruments).

Pain during an exercise is judged against the person's own pain: up to 5/10, or no higher than the
pain before that session when that was higher (the session's reading, else the usual level that
day), is acceptable and never a reason to make an exercise easier; "too much pain" below means
above both. Whether it settled by the next morning is the next-morning rule's business.

The program's `precaution_keys` (an extra key of the plan) tell the review the person's conditions
and directional preference: a review never brings in an exercise the planner would leave out for
the person (against the preference, or ruled out by a condition), and never one that is already in
the program or brought in by another decision of the same review.

Decisions, one per exercise in the program:

- `progress`: one rung up the dose ladder (`lumbar.domain.dose_ladder`): reps, then hold time, then
  sets, up to the exercise's maximum, then its progression variant at the variant's starting dose
  (`to.id` differs). Only when the last 2 logged sessions of the exercise were completed at least at
  the current dose (the log must record the amounts: an unrecorded amount is not evidence), rated
  easy or about right, without too much pain, and no pain rule failed anywhere (next morning above
  the usual level, a flare, pain trending up, worsening by the minimal important change), no red
  flag, the program is not waiting for a doctor (see_doctor_soon, unless inflammatory back pain is
  all that fired), adherence is not low (over the days known so far, however few), 2 sessions with
  exercise done in them (a session with no logs, or only skipped exercises, does not count) have
  passed since leg symptoms last spread during any exercise, and no exercise of the program is being
  replaced or stopped for spreading them (its alert is in force). A logged session in which the leg
  symptoms spread never counts toward making that exercise harder. The next-morning rule looks at
  the morning after the latest session with exercise done and at any after it: a session without
  load does not clear a morning above the usual level. Work in the person's easing
  direction moves along its chain instead (prone lying -> sphinx -> prone press-up, rule
  `centralisation`), when the leg symptoms in those sessions centralised or were not in the leg;
  unchanged leg symptoms hold it.
- `hold`: the dose stays. The reasons say what is missing before it can be made harder.
- `regress`: one rung down the same ladder, in reverse: sets, then hold time, then reps, back to the
  starting dose; from the starting dose, the regression variant at its maximum dose (`to.id`
  differs); without a usable easier variant, below the starting dose down to a floor. Triggered by
  too much pain during the exercise at the current dose (the session after it hurt), or for the
  whole program by a flare (next-morning pain above the usual level after 2 sessions in a row), by
  usual pain trending up week on week, or by worsening by the minimal important change. Regressions
  do not stack: an exercise already eased since the trigger began (a harder amount or variant was
  logged since then) is held, and one not done since the trigger began is held too.
  The camera's form checks (`history.form_findings`, rule `form_fault`): the same fault seen in more
  than half the repetitions (or of the seconds held) in each of the last 2 sessions that had a good
  camera check of the exercise moves it to its easier version (the regression variant at its maximum
  dose, when usable); without one, one rung down the dose ladder; already at its easiest, it is held
  with the reason. Checks from before the exercise was last eased (a harder amount or another
  variant of its chain was logged since) do not count. A session in which the camera saw a fault in
  most of the work does not count toward `progress` either.
- `stop`: leave this exercise out for the rest of today; the dose is unchanged (`to` equals `from`).
  Given when there was too much pain during the exercise today, for the first time at this dose:
  the next review (the next day, or after the next session at this dose) regresses it. Also given
  for every exercise when a check-in red flag needs a doctor today or now, and when the exercise
  hurt too much but cannot be made easier, or spread leg symptoms and nothing safe can replace it
  (the physiotherapist decides; an alert says so).
- `substitute`: leg symptoms spread further down the leg (peripheralisation) the last time the
  exercise was done (later logs in which it was skipped do not clear it): it is replaced by an
  exercise of neutral direction first, then of the opposite direction, never one against the
  person's directional preference; one for the program's phase first, from the same or an adjacent
  category, safe for the person's conditions (with no "avoid" precaution at all when the program
  does not record them), that fits the program's setting, was never peripheralising before and is
  no harder; ties break by level, then id. `to` is the substitute at its starting dose. When every exercise in the easing direction the person has done
  spread their symptoms, a `review` alert says the directional preference did not hold.
  Centralisation (symptoms moving back toward the back) is good news: it never holds anything back.

Walking (the program's walking plan) is reviewed once a week, at the review after the first session
of each program week (weeks counted from the first record of the history), using the week before:
it adds the plan's weekly increase (kept within 2-5 minutes) to the daily minutes up to 30, then a
day a week up to 5, when the person walked on the planned number of days and the pain rules held;
it steps back by the same amount when a whole-program trigger fired or a walk hurt too much.
Walks are not logged with their length, so apply each review once.

Adherence is exercise days done against days prescribed over the last 14 days (see
`lumbar.domain.adherence`), judged for the alert once 10 days are known; alerts are described in
`lumbar.domain.alerts`. Parse untrusted input with `parse_history` (from `lumbar.domain.history`,
re-exported here).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal, NamedTuple

from lumbar.domain.adherence import Adherence, adherence
from lumbar.domain.alerts import (
    Alert,
    CheckInScreen,
    Measure,
    improvement_alerts,
    low_adherence_alert,
    ordered,
    outcome_measures,
    preference_did_not_hold_alert,
    reassessment_alert,
    recovered_alert,
    red_flag_alert,
    screen_checkins,
    worsened,
    worsening_alert,
)
from lumbar.domain.catalog import Catalog, Exercise
from lumbar.domain.dose_ladder import (
    Dose,
    Setting,
    Step,
    covers,
    is_harder_variant,
    logged_dose,
    missing_amounts,
    step_down,
    step_up,
)
from lumbar.domain.form_findings import faults_in_most, persisting_fault
from lumbar.domain.history import ExerciseLog, History, ProgramExercise, WalkingPlan, parse_history
from lumbar.domain.pain_monitoring import PainPicture, baseline_on, flare_between, pain_picture
from lumbar.domain.plain_words import dose_words, minutes_words, spoken_date, spoken_dates
from lumbar.domain.prescription_rules import default_rules as default_planner_rules
from lumbar.domain.progression_rules import LadderVariable, ProgressionRules, default_rules
from lumbar.domain.screening import Tier, Triage

Action = Literal["progress", "hold", "regress", "stop", "substitute"]
CHANGING = frozenset({"progress", "regress", "substitute"})


class Entry(NamedTuple):
    """One log of an exercise: the day, what was logged, and the pain before that session (the
    session's own reading, else the person's usual level that day; None when neither is known)."""

    day: date
    log: ExerciseLog
    pain_before: float | None


# --- The review ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What happens next to one exercise of the program; `rule` names the rule that decided."""

    id: str
    action: Action
    from_dose: Dose
    to_dose: Dose
    reasons: tuple[str, ...]
    rule: str
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "action": self.action,
            "from": self.from_dose.to_json(),
            "to": self.to_dose.to_json(),
            "reasons": list(self.reasons),
            "rule": self.rule,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class Intervals:
    """Walk-run intervals: jog `run_minutes`, then walk `walk_minutes`, `repeats` times."""

    run_minutes: float
    walk_minutes: float
    repeats: int

    @property
    def total_minutes(self) -> float:
        return (self.run_minutes + self.walk_minutes) * self.repeats

    def words(self) -> str:
        if self.walk_minutes == 0 and self.repeats == 1:
            return f"an easy run of {minutes_words(self.run_minutes)}"
        return (
            f"walk-runs of {minutes_words(self.run_minutes)} jogging and {minutes_words(self.walk_minutes)} "
            f"walking, {self.repeats} times"
        )

    def to_json(self) -> dict[str, Any]:
        return {"run_minutes": self.run_minutes, "walk_minutes": self.walk_minutes, "repeats": self.repeats}


@dataclass(frozen=True)
class WalkingDose:
    minutes_per_bout: float
    bouts_per_day: int
    days_per_week: int
    running: Intervals | None = None  # walk-runs in place of the walks, once started

    @classmethod
    def of(cls, plan: WalkingPlan) -> WalkingDose:
        running = None
        if plan.running is not None:
            r = plan.running
            running = Intervals(r.run_minutes, r.walk_minutes, r.repeats)
        return cls(plan.minutes_per_bout, plan.bouts_per_day, plan.days_per_week, running)

    @property
    def daily_minutes(self) -> float:
        return self.minutes_per_bout * self.bouts_per_day

    def words(self) -> str:
        if self.running is not None:
            return f"{self.running.words()}, {self.days_per_week} days a week"
        times = "once" if self.bouts_per_day == 1 else f"{self.bouts_per_day} times"
        return f"{minutes_words(self.minutes_per_bout)} {times} a day, {self.days_per_week} days a week"

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "minutes_per_bout": self.minutes_per_bout,
            "bouts_per_day": self.bouts_per_day,
            "days_per_week": self.days_per_week,
        }
        if self.running is not None:
            found["running"] = self.running.to_json()
        return found


@dataclass(frozen=True)
class WalkingDecision:
    action: Action
    from_dose: WalkingDose
    to_dose: WalkingDose
    reasons: tuple[str, ...]
    rule: str
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "from": self.from_dose.to_json(),
            "to": self.to_dose.to_json(),
            "reasons": list(self.reasons),
            "rule": self.rule,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class Review:
    """The answer of a review; `to_json()` is contracts/progress.schema.json#/$defs/Review (plus extras)."""

    today: date
    decisions: tuple[Decision, ...]
    walking: WalkingDecision | None
    alerts: tuple[Alert, ...]
    adherence: Adherence
    triage: Triage | None

    def decision(self, exercise_id: str) -> Decision:
        return next(d for d in self.decisions if d.id == exercise_id)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "today": self.today.isoformat(),
            "decisions": [decision.to_json() for decision in self.decisions],
            "walking": self.walking.to_json() if self.walking else None,
            "alerts": [alert.to_json() for alert in self.alerts],
            "adherence": self.adherence.to_json(),
        }
        if self.triage is not None:
            data["triage"] = self.triage.to_json()
        return data


def review(history: History, catalog: Catalog, *, rules: ProgressionRules | None = None) -> Review:
    """Review a history: one decision per exercise, walking, alerts and adherence. Pure."""
    rules = rules or default_rules()
    context = _Context.build(history, catalog, rules)
    decisions: list[Decision] = []
    alerts = list(context.alerts)
    for exercise in history.program.exercises:
        # What earlier decisions bring in is taken: a program never holds the same exercise twice.
        brought_in = [d.to_dose.id for d in decisions if d.action in CHANGING and d.to_dose.id != d.id]
        decision, raised = _decide(exercise, replace(context, setting=context.setting.taking(brought_in)))
        decisions.append(decision)
        alerts += raised
    did_not_hold = _preference_did_not_hold(decisions, context)
    if did_not_hold is not None:
        alerts.insert(0, did_not_hold)  # first of the peripheralisation alerts: the one that matters most
    return Review(
        today=history.today,
        decisions=tuple(decisions),
        walking=_walking(context),
        alerts=ordered(alerts),
        adherence=context.recent,
        triage=context.screen.triage if context.screen else None,
    )


# --- What holds for the whole program --------------------------------------------------------------------


@dataclass(frozen=True)
class _Reason:
    """A rule that applies to the whole program: its name, plain words, and since when it holds."""

    rule: str
    text: str
    since: date
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class _Context:
    history: History
    catalog: Catalog
    rules: ProgressionRules
    setting: Setting
    pain: PainPicture
    screen: CheckInScreen | None
    recent: Adherence
    triggers: tuple[_Reason, ...]  # ease the whole program one step
    blockers: tuple[_Reason, ...]  # make nothing harder
    alerts: tuple[Alert, ...]

    @classmethod
    def build(cls, history: History, catalog: Catalog, rules: ProgressionRules) -> _Context:
        program = history.program
        pain = pain_picture(history, rules)
        screen = screen_checkins(history, rules)
        walking_id = rules.walking.exercise_id
        recent = adherence(history, rules.adherence.window_days, walking_id=walking_id)
        overall = adherence(history, (history.today - history.start).days + 1, walking_id=walking_id)
        measures = outcome_measures(history, rules)
        trend = None
        if pain.trend_up and pain.last_week is not None and pain.this_week is not None:
            trend = (pain.last_week, pain.this_week)

        alerts: list[Alert] = []
        if screen is not None:
            alerts.append(red_flag_alert(screen))
        flare = _flare_alert(pain, rules)
        if flare is not None:
            alerts.append(flare)
        optional = [
            worsening_alert(measures, trend),
            low_adherence_alert(recent, rules),
            recovered_alert(history, measures),
            reassessment_alert(history, rules),
        ]
        alerts += [alert for alert in optional if alert is not None]
        alerts += improvement_alerts(measures, history, overall, rules)
        return cls(
            history=history,
            catalog=catalog,
            rules=rules,
            setting=Setting.of(
                [ex.id for ex in program.exercises],
                catalog,
                person_keys=program.precaution_keys,
                preference=program.preference,
                planner=default_planner_rules(),
            ),
            pain=pain,
            screen=screen,
            recent=recent,
            triggers=_triggers(history, pain, measures, rules),
            blockers=_blockers(history, pain, screen, recent, rules, catalog),
            alerts=tuple(alerts),
        )

    @property
    def blocking(self) -> bool:
        return self.screen is not None and self.screen.triage.blocks_program

    @property
    def pain_max(self) -> int:
        return self.rules.pain_during.acceptable_max

    @property
    def preference(self) -> str | None:
        return self.history.program.preference

    def entries(self, exercise_id: str) -> list[Entry]:
        """Every log of one exercise, oldest first, with the pain before its session."""
        history = self.history
        window = self.rules.next_morning.baseline_window_days
        found: list[Entry] = []
        for session in history.sessions:
            log = session.entry(exercise_id)
            if log is None:
                continue
            before: float | None = session.pain_before
            if before is None:
                before = baseline_on(history, session.date, window)
            found.append(Entry(session.date, log, before))
        return found

    def too_painful(self, entry: Entry) -> bool:
        """Pain during above what is acceptable for this person that day (Silbernagel, own pain)."""
        pain = entry.log.pain_during
        return pain is not None and not self.rules.pain_during.acceptable(pain, entry.pain_before)

    def limit_words(self, entries: Sequence[Entry]) -> str:
        """What the pain went above, in words: "5 out of 10", or also the pain before the session."""
        words = f"{self.pain_max} out of 10"
        if not self.rules.pain_during.up_to_pain_before:
            return words
        befores = [e.pain_before for e in entries if e.pain_before is not None]
        if not befores:
            return words
        return f"{words} and the pain you had before the session ({_pain_list(befores)})"


def _pain_list(values: Sequence[float]) -> str:
    unique = list(dict.fromkeys(f"{v:g}" for v in values))
    if len(unique) == 1:
        return f"{unique[0]} out of 10"
    return f"{', '.join(unique[:-1])} and {unique[-1]} out of 10"


def _flare_alert(pain: PainPicture, rules: ProgressionRules) -> Alert | None:
    if not pain.flare:
        return None
    baselines = [m.baseline for m in pain.flare if m.baseline is not None]
    usual = f" (about {max(baselines):g} out of 10)" if baselines else ""
    return Alert(
        kind="flare",
        severity="review",
        message=(
            f"The morning after your sessions on {spoken_dates([m.session_day for m in pain.flare])} your pain "
            f"was above your usual level{usual} each time: a flare-up. We are easing your whole program by one "
            "step. Keep moving gently, spread activity through the day, and follow your flare-up plan; tell "
            "your physiotherapist if it has not settled within a few days."
        ),
        evidence=tuple(rules.next_morning.evidence),
    )


def _triggers(
    history: History, pain: PainPicture, measures: Sequence[Measure], rules: ProgressionRules
) -> tuple[_Reason, ...]:
    triggers: list[_Reason] = []
    if pain.flare:
        triggers.append(
            _Reason(
                "flare",
                f"Your pain the morning after your sessions on "
                f"{spoken_dates([m.session_day for m in pain.flare])} was above your usual level each time, "
                "so we are easing your program by one step.",
                pain.flare[0].session_day,
                tuple(rules.next_morning.evidence),
            )
        )
    worse = worsened(measures)
    if worse:
        triggers.append(
            _Reason(
                "worsening",
                f"{'; '.join(m.words() for m in worse).capitalize()}: worse by at least the smallest change "
                "that matters, so we are easing your program by one step.",
                _two_windows_back(history.today, rules.outcomes.window_days),
                tuple(rules.outcomes.evidence),
            )
        )
    if pain.trend_up:
        triggers.append(
            _Reason(
                "pain_trend",
                f"Your usual pain has crept up this week (about {pain.this_week:g} out of 10, against "
                f"{pain.last_week:g} the week before), so we are easing your program by one step.",
                _two_windows_back(history.today, rules.weekly_trend.window_days),
                tuple(rules.weekly_trend.evidence),
            )
        )
    return tuple(triggers)


def _two_windows_back(today: date, window_days: int) -> date:
    """Where the evidence of a week-on-week signal begins: the start of the week it is compared with.

    An exercise eased within these two weeks is not eased again for the same signal: the eased dose
    first needs a week of its own to be judged against the week before.
    """
    return today - timedelta(days=2 * window_days - 1)


def _blockers(
    history: History,
    pain: PainPicture,
    screen: CheckInScreen | None,
    recent: Adherence,
    rules: ProgressionRules,
    catalog: Catalog,
) -> tuple[_Reason, ...]:
    today = history.today
    blockers: list[_Reason] = []
    waiting = rules.see_doctor_soon
    if (
        screen is not None
        and screen.triage.tier is Tier.SEE_DOCTOR_SOON
        and waiting.freezes(screen.triage.flags)
    ):
        blockers.append(
            _Reason(
                "red_flag",
                "You answered yes to a warning sign at your check-in, so nothing is made harder until a "
                "doctor has seen you.",
                today,
                tuple(dict.fromkeys([*screen.triage.evidence, *waiting.evidence])),
            )
        )
    triage = history.program.triage
    if triage.tier == Tier.SEE_DOCTOR_SOON.value and waiting.freezes(triage.flags):
        blockers.append(
            _Reason(
                "see_doctor_soon",
                "Your answers when you started point to seeing a doctor within the next few days, so nothing "
                "is made harder until a doctor has seen you.",
                today,
                tuple(waiting.evidence),
            )
        )
    above = pain.morning_above
    if above is not None:
        blockers.append(
            _Reason(
                "next_morning",
                f"Your pain the morning after your session on {spoken_date(above.session_day)} was higher than "
                f"usual ({above.morning_pain} against about {above.baseline:g} out of 10), so nothing is made "
                "harder yet.",
                above.session_day,
                tuple(rules.next_morning.evidence),
            )
        )
    if recent.judged(rules.adherence.judge_after_days) and recent.is_below(rules.adherence.low_below):
        blockers.append(
            _Reason(
                "low_adherence",
                f"You did {recent.sessions_done} of {recent.sessions_prescribed} planned sessions in the last "
                f"{recent.window_days} days, so we keep things as they are; regular sessions come first.",
                today,
                tuple(rules.adherence.evidence),
            )
        )
    spreading = _spreading_blocker(history, rules, catalog)
    if spreading is not None:
        blockers.append(spreading)
    return tuple(blockers)


def _spreading_blocker(history: History, rules: ProgressionRules, catalog: Catalog) -> _Reason | None:
    """Nothing is made harder until leg symptoms have not spread for `sessions_at_dose` sessions in
    which some exercise was done (a session with no logs, or only skipped exercises, is no evidence
    that they have stopped spreading), nor while an exercise of the program that spread them is still
    in it (this review replaces or stops it, with its alert)."""
    evidence = tuple(rules.peripheralisation.evidence)
    needed = rules.progress.sessions_at_dose
    spread = _latest_spread(history)
    if spread is not None:
        day, exercise_id = spread
        calm = len({s.date for s in history.sessions if s.date > day and s.worked})
        if calm < needed:
            name = catalog.exercise(exercise_id).name.lower()
            return _Reason(
                "peripheralisation",
                f"Your leg symptoms spread further down your leg during the {name} on {spoken_date(day)}, "
                f"so nothing is made harder until you have had {needed} sessions of exercise without that "
                "happening.",
                day,
                evidence,
            )
    for exercise in history.program.exercises:
        since = _spread_in_force(history.entries(exercise.id))
        if since is not None:
            name = catalog.exercise(exercise.id).name.lower()
            return _Reason(
                "peripheralisation",
                f"Your leg symptoms spread further down your leg during the {name} on {spoken_date(since)}, "
                "so nothing is made harder until it is out of your program.",
                since,
                evidence,
            )
    return None


def _spread_in_force(logs: Iterable[tuple[date, ExerciseLog]]) -> date | None:
    """The day leg symptoms spread during an exercise, when they did the last time it was done: later
    logs in which it was skipped (nothing done) do not clear it. None when they did not."""
    for day, log in reversed(list(logs)):
        if log.leg_symptoms == "peripheralised":
            return day
        if log.done:
            return None
    return None


def _latest_spread(history: History) -> tuple[date, str] | None:
    """The last session day on which leg symptoms spread during an exercise, and that exercise."""
    for session in reversed(history.sessions):
        for log in session.exercises:
            if log.leg_symptoms == "peripheralised":
                return session.date, log.id
    return None


# --- One exercise ------------------------------------------------------------------------------------------


def _decide(exercise: ProgramExercise, context: _Context) -> tuple[Decision, list[Alert]]:
    current = Dose.of(exercise)
    entries = context.entries(exercise.id)
    if context.blocking:
        return _same(
            exercise,
            "stop",
            "red_flag",
            [
                "Stop all your exercises until a doctor has checked you: you answered yes to a warning sign "
                "at your check-in."
            ],
            context.screen.triage.evidence if context.screen else (),
        ), []
    spread_on = _spread_in_force((entry.day, entry.log) for entry in entries)
    if spread_on is not None:
        return _substitute(exercise, spread_on, context)
    decision = _pain_during(exercise, current, entries, context)
    if decision is None and context.triggers:
        decision = _ease_for_triggers(exercise, current, entries, context)
    if decision is None:
        decision = _form_fault(exercise, current, context)
    if decision is None and context.blockers:
        decision = _same(
            exercise,
            "hold",
            context.blockers[0].rule,
            [b.text for b in context.blockers],
            tuple(ref for b in context.blockers for ref in b.evidence),
        )
    if decision is None:
        decision = _progress_or_hold(exercise, current, entries, context)
    return _with_good_news(decision, entries), []


def _same(
    exercise: ProgramExercise, action: Action, rule: str, reasons: Sequence[str], evidence: Sequence[str]
) -> Decision:
    dose = Dose.of(exercise)
    return Decision(exercise.id, action, dose, dose, tuple(reasons), rule, tuple(dict.fromkeys(evidence)))


def _moved(
    exercise: ProgramExercise,
    action: Action,
    step: Step,
    rule: str,
    reasons: Sequence[str],
    evidence: Sequence[str],
) -> Decision:
    return Decision(
        exercise.id,
        action,
        Dose.of(exercise),
        step.dose,
        tuple(reasons),
        rule,
        tuple(dict.fromkeys(evidence)),
    )


def _with_good_news(decision: Decision, entries: Sequence[Entry]) -> Decision:
    if entries and entries[-1].log.leg_symptoms == "centralised":
        note = (
            f"Your leg symptoms moved back toward your back during this exercise on "
            f"{spoken_date(entries[-1].day)}: a good sign, keep going."
        )
        return replace(decision, reasons=(*decision.reasons, note))
    return decision


def _pain_during(
    exercise: ProgramExercise, current: Dose, entries: Sequence[Entry], context: _Context
) -> Decision | None:
    """Pain above what is acceptable during this exercise at the current dose: stop today, regress
    next time.

    Acceptable is up to 5/10, or up to the pain before the session when that was higher (the
    person's own pain): such pain is never a reason to make the exercise easier. The sessions that
    count are the latest ones, back to the first that stayed acceptable. One done at more than the
    current dose ends the run: either the dose has been eased since, or the person did more than
    planned (then the answer is to keep to the plan, not to go lower).
    """
    run: list[Entry] = []
    for entry in reversed(entries):
        if not context.too_painful(entry):
            break
        if logged_dose(entry.log, current).rank() > current.rank():
            break
        run.append(entry)
    if not run:
        return None
    run.reverse()
    evidence = context.rules.pain_during.evidence
    today = context.history.today
    above = context.limit_words(run)
    if len(run) == 1 and run[0].day == today:
        return _same(
            exercise,
            "stop",
            "pain_during",
            [
                f"Your pain went above {above} during this exercise today ({run[0].log.pain_during} out "
                "of 10): stop it for today. Next time we will make it easier."
            ],
            evidence,
        )
    days = spoken_dates([entry.day for entry in run])
    step = step_down(current, context.catalog, context.rules.ladder, context.setting)
    if step is None:
        return _same(
            exercise,
            "stop",
            "pain_during",
            [
                f"Your pain went above {above} during this exercise on {days} and it cannot be made "
                "any easier: leave it out until your physiotherapist has looked at it."
            ],
            evidence,
        )
    return _moved(
        exercise,
        "regress",
        step,
        "pain_during",
        [
            f"Your pain went above {above} during this exercise on {days}, so we are making it "
            f"easier: {_step_words(step, context.catalog)}."
        ],
        evidence,
    )


def _ease_for_triggers(
    exercise: ProgramExercise, current: Dose, entries: Sequence[Entry], context: _Context
) -> Decision:
    triggers = context.triggers
    since = min(t.since for t in triggers)
    reasons = [t.text for t in triggers]
    evidence = [ref for t in triggers for ref in t.evidence]
    rule = triggers[0].rule
    recent = [entry for entry in entries if entry.day >= since]
    if _eased_since(exercise.id, current, since, context):
        reasons.append("We have already eased this exercise since then: stay at this level for now.")
        return _same(exercise, "hold", rule, reasons, evidence)
    if not recent:
        reasons.append("You have not done this exercise since then, so we keep it as it is.")
        return _same(exercise, "hold", rule, reasons, evidence)
    step = step_down(current, context.catalog, context.rules.ladder, context.setting)
    if step is None:
        reasons.append("This exercise is already at its easiest: keep to it gently.")
        return _same(exercise, "hold", rule, reasons, evidence)
    reasons.append(f"For this exercise: {_step_words(step, context.catalog)}.")
    return _moved(exercise, "regress", step, rule, reasons, evidence)


def _form_fault(exercise: ProgramExercise, current: Dose, context: _Context) -> Decision | None:
    """The camera saw the same fault in most of this exercise at each of its last camera-checked
    sessions (content/progression.toml [form_faults]): its easier version; without a usable one, one
    rung down the dose ladder; at its easiest, hold. None when no fault persists."""
    policy = context.rules.form_faults
    changed = _last_changed(exercise.id, current, context)
    findings = [f for f in context.history.form_findings if changed is None or f.date > changed]
    found = persisting_fault(findings, exercise.id, policy)
    if found is None:
        return None
    catalog = context.catalog
    item = catalog.exercise(exercise.id)
    seen = (
        f"In your last {len(found.findings)} camera checks of this exercise ({spoken_dates(found.days)}) "
        f"{policy.words(found.fault_id)} {_most_of(found.by_holds)}"
    )
    easier = catalog.easier(item)
    if easier is not None and context.setting.fits(easier, item):
        step: Step | None = Step(Dose.max_of(easier), "variant")
    else:
        step = step_down(current, catalog, context.rules.ladder, context.setting)
    if step is None:
        return _same(
            exercise,
            "hold",
            "form_fault",
            [
                f"{seen}. It is already at its easiest: keep to it gently, follow the camera's tips, and ask "
                "your physiotherapist to look at how you do it."
            ],
            policy.evidence,
        )
    return _moved(
        exercise,
        "regress",
        step,
        "form_fault",
        [f"{seen}, so we are making it easier: {_step_words(step, catalog)}."],
        policy.evidence,
    )


def _most_of(by_holds: bool) -> str:
    return "for most of the hold" if by_holds else "in most of your repetitions"


def _last_changed(exercise_id: str, current: Dose, context: _Context) -> date | None:
    """The last session day this exercise was done at more than its current dose, or another variant
    of its chain was done: the program has eased it (or moved along the chain) since, so a camera
    check from that day or before judged other work. None when there is no such day."""
    catalog = context.catalog
    last: date | None = None
    for session in context.history.sessions:
        for log in session.exercises:
            if log.id == exercise_id:
                if logged_dose(log, current).rank() > current.rank():
                    last = session.date
            elif is_harder_variant(log.id, exercise_id, catalog) or is_harder_variant(
                exercise_id, log.id, catalog
            ):
                last = session.date
    return last


def _eased_since(exercise_id: str, current: Dose, since: date, context: _Context) -> bool:
    """Has this exercise been made easier since the trouble began?

    It has when, from the last session that included it (or a harder variant of it) up to `since`
    onward, a log shows more of it than the current dose, or shows a harder variant: the program
    has stepped down since then.
    """
    catalog = context.catalog
    sessions = context.history.sessions

    def involved(log: ExerciseLog) -> bool:
        return log.id == exercise_id or is_harder_variant(log.id, exercise_id, catalog)

    anchor = max(
        (s.date for s in sessions if s.date <= since and any(involved(log) for log in s.exercises)),
        default=since,
    )
    for session in sessions:
        if session.date < anchor:
            continue
        for log in session.exercises:
            if log.id == exercise_id and logged_dose(log, current).rank() > current.rank():
                return True
            if log.id != exercise_id and involved(log):
                return True
    return False


def _progress_or_hold(
    exercise: ProgramExercise, current: Dose, entries: Sequence[Entry], context: _Context
) -> Decision:
    rules = context.rules
    keys = set(context.history.program.precaution_keys or ())
    pacing = [p for p in rules.pacing if p.when in keys]
    needed = max([rules.progress.sessions_at_dose, *(p.sessions_at_dose for p in pacing)])
    category = context.catalog.exercise(exercise.id).category
    kept: tuple[LadderVariable, ...] = (
        ("hold_seconds",) if any(category in p.holds_kept_for for p in pacing) else ()
    )
    evidence = [
        *rules.progress.evidence,
        *rules.pain_during.evidence,
        *(e for p in pacing for e in p.evidence),
    ]
    ready: list[Entry] = []
    problem: str | None = None
    for entry in reversed(entries):
        problem = _not_ready(entry, current, context)
        if problem is not None:
            break
        ready.append(entry)
        if len(ready) == needed:
            break
    if len(ready) >= needed:
        recent = context.recent
        if recent.is_below(rules.adherence.low_below):
            return _same(
                exercise,
                "hold",
                "low_adherence",
                [
                    f"You did {recent.sessions_done} of {recent.sessions_prescribed} planned sessions in the "
                    f"last {recent.window_days} days: regular sessions come first, then we make things harder."
                ],
                [*evidence, *rules.adherence.evidence],
            )
        chain = _along_the_chain(exercise, ready, context)
        if chain is not None:
            return chain
        step = step_up(current, context.catalog, rules.ladder, context.setting, kept=kept)
        if step is None:
            return _same(exercise, "hold", "top_of_ladder", [_top_words(exercise, context)], evidence)
        return _moved(
            exercise,
            "progress",
            step,
            "ready_to_progress",
            [
                f"You did this {needed} sessions in a row at this level, it felt easy or about right and your "
                f"pain stayed within limits: {_step_words(step, context.catalog)}.",
                *(p.reason for p in pacing),
            ],
            [*evidence, *rules.ladder.evidence],
        )
    if problem is not None and not ready:
        return _same(exercise, "hold", "not_ready", [problem], evidence)
    so_far = "" if not entries else f" So far: {len(ready)} of {needed}."
    return _same(
        exercise,
        "hold",
        "not_ready",
        [
            f"Do this exercise at this level {needed} sessions in a row, with pain no higher than "
            f"{context.pain_max} out of 10 (or than your pain before the session, if that was higher) and "
            "feeling easy or about right, and then we will make it harder." + so_far
        ],
        evidence,
    )


def _along_the_chain(exercise: ProgramExercise, ready: Sequence[Entry], context: _Context) -> Decision | None:
    """Work in the easing direction moves along its chain of variants, not by more seconds or reps.

    Applies when the exercise moves the back the person's preferred way and its harder variant does
    too (prone lying -> sphinx -> prone press-up). It moves on, at the variant's starting dose, when
    the leg symptoms during the good sessions were one of `moves_on_when` (centralising, or none in
    the leg); otherwise it holds. None when the exercise is not on such a chain (the dose ladder
    applies).
    """
    preference = context.preference
    catalog = context.catalog
    item = catalog.exercise(exercise.id)
    harder = catalog.harder(item)
    if preference is None or item.direction_bias != preference or harder is None:
        return None
    if harder.direction_bias != preference:
        return None
    policy = context.rules.directional_preference
    evidence = [*policy.evidence, *context.rules.progress.evidence]
    responses = [_leg_response(entry.log, context) for entry in ready]
    if not all(response in policy.moves_on_when for response in responses):
        if any(response is None for response in responses):
            words = "Tell us what your leg symptoms did during this exercise (moved toward your back, stayed "
            words += "the same or spread) so that we can tell when you are ready for the next position."
        else:
            words = (
                f"Keep doing the {item.name.lower()} at this level: your leg symptoms stayed the same during it. "
                f"We move on to the {harder.name.lower()} once they move back toward your back."
            )
        return _same(exercise, "hold", "centralisation", [words], evidence)
    if not context.setting.fits(harder, item):
        return _same(exercise, "hold", "top_of_ladder", [_top_words(exercise, context)], evidence)
    step = Step(Dose.start_of(harder), "variant")
    news = (
        "your leg symptoms moved back toward your back"
        if all(r == "centralised" for r in responses)
        else "your symptoms stayed out of your leg or moved back toward your back"
    )
    return _moved(
        exercise,
        "progress",
        step,
        "centralisation",
        [
            f"In your last {len(ready)} sessions {news} and your pain stayed within limits: the next step in "
            f"the direction that eases your pain is to {_step_words(step, catalog)}."
        ],
        evidence,
    )


def _leg_response(log: ExerciseLog, context: _Context) -> str | None:
    """What the leg symptoms did during an exercise; an unrecorded answer counts as none when the
    person has no leg symptoms (the program knows), else as unknown (None)."""
    if log.leg_symptoms is not None:
        return log.leg_symptoms
    keys = context.history.program.precaution_keys
    if keys is not None and "leg_symptoms" not in keys:
        return "none"
    return None


def _not_ready(entry: Entry, current: Dose, context: _Context) -> str | None:
    """Why this logged session does not count toward making the exercise harder, or None if it does."""
    day, log = entry.day, entry.log
    when = spoken_date(day)
    if not log.completed:
        return f"You did not finish this exercise on {when}: keep to this level until you can."
    if log.leg_symptoms == "peripheralised":
        return (
            f"Your leg symptoms spread further down your leg during this exercise on {when}: keep to this "
            "level until you have done it without that happening."
        )
    if context.too_painful(entry):
        return (
            f"Your pain went above {context.limit_words([entry])} during this exercise on {when}, when you "
            "did more than planned: keep to the planned amount."
        )
    missing = missing_amounts(log, current)
    if missing:
        words = ", ".join(m.replace("_", " ") for m in missing)
        return (
            f"The session on {when} did not record the {words} you did: log them so that we can tell when you "
            "are ready for more."
        )
    if not covers(log, current):
        return f"You did less than planned on {when}: keep to this level until you can do it all."
    if log.pain_during is None:
        return (
            "Tell us how much this exercise hurt (0 to 10) so that we can tell when you are ready for more."
        )
    if log.difficulty is None:
        return "Tell us how hard this exercise felt so that we can tell when you are ready for more."
    if log.difficulty not in context.rules.progress.difficulty_ok:
        return f"This exercise felt hard on {when}: stay at this level until it feels about right."
    policy = context.rules.form_faults
    for finding in context.history.form_findings:
        if finding.date == day and finding.exercise_id == log.id:
            faults = faults_in_most(finding, policy)
            if faults:
                return (
                    f"On {when} the camera saw that {policy.words(faults[0])} {_most_of(finding.by_holds)}: "
                    "keep to this level until you can hold your form."
                )
    return None


def _top_words(exercise: ProgramExercise, context: _Context) -> str:
    item = context.catalog.exercise(exercise.id)
    harder = context.catalog.harder(item)
    if harder is None:
        return f"You are doing the full amount of the {item.name.lower()}: keep it up."
    if harder.id in context.setting.in_program:
        return (
            f"You are doing the full amount of the {item.name.lower()}; its harder version, the "
            f"{harder.name.lower()}, is already in your program: keep it up."
        )
    return (
        f"You are doing the full amount of the {item.name.lower()}. The harder version, the "
        f"{harder.name.lower()}, may not suit you: your physiotherapist will decide on the next step."
    )


def _step_words(step: Step, catalog: Catalog) -> str:
    target = catalog.exercise(step.dose.id)
    amount = dose_words(
        step.dose.sets, step.dose.reps, step.dose.hold_seconds, per_side=target.timing.per_side
    )
    if step.change == "variant":
        return f"switch to the {target.name.lower()}, {amount}"
    return f"now {amount}"


# --- Leg symptoms spreading ---------------------------------------------------------------------------------


def _substitute(exercise: ProgramExercise, day: date, context: _Context) -> tuple[Decision, list[Alert]]:
    """Leg symptoms spread during this exercise the last time it was done: replace it, or stop it."""
    item = context.catalog.exercise(exercise.id)
    evidence = context.rules.peripheralisation.evidence
    spread = f"Your leg symptoms spread further down your leg during this exercise on {spoken_date(day)}: stop doing it."
    replacement = _replacement_for(item, context)
    if replacement is None:
        decision = _same(
            exercise,
            "stop",
            "peripheralisation",
            [spread, "Leave it out until your physiotherapist has chosen a replacement."],
            evidence,
        )
        instead = (
            "We could not find a safe replacement, so leave it out until your physiotherapist has seen you."
        )
    else:
        step = Step(Dose.start_of(replacement), "variant")
        decision = _moved(
            exercise,
            "substitute",
            step,
            "peripheralisation",
            [
                spread,
                f"Instead: {_step_words(step, context.catalog)}, which {_how_it_moves(replacement)}.",
            ],
            evidence,
        )
        instead = f"We have replaced it with the {replacement.name.lower()}."
    alert = Alert(
        kind="peripheralisation",
        severity="review",
        message=(
            f"During the {item.name.lower()} on {spoken_date(day)} your leg symptoms spread further down your leg. "
            f"{instead} If the symptoms stay spread for more than a day, contact your physiotherapist."
        ),
        evidence=tuple(evidence),
    )
    return decision, [alert]


def _how_it_moves(exercise: Exercise) -> str:
    if exercise.direction_bias == "neutral":
        return "keeps your back in its middle position"
    return "moves your back the other way"


def _replacement_for(item: Exercise, context: _Context) -> Exercise | None:
    """A substitute for an exercise that spread leg symptoms: neutral first, then the opposite
    direction, never one against the person's directional preference (with a known preference the
    opposite of the easing direction is exactly that); one for the program's phase first; same
    category first, then adjacent ones."""
    policy = context.rules.peripheralisation
    setting = context.setting
    biases: list[str] = []
    for wanted in policy.substitute_biases:
        if wanted == "neutral":
            biases.append("neutral")
        elif item.direction_bias in policy.opposite:
            biases.append(policy.opposite[item.direction_bias])
    biases = [bias for bias in biases if bias not in setting.excluded_biases]
    categories: list[str] = [item.category, *policy.adjacent_categories.get(item.category, [])]
    spread_before = _spread_ids(context.history)
    phase = context.history.program.phase
    candidates = [
        c
        for c in context.catalog
        if c.id != item.id
        and c.direction_bias in biases
        and c.category in categories
        and c.level <= item.level
        and setting.allowed(c)
        and (setting.safe(c) if setting.person_keys is not None else not _any_avoid(c))
        and c.id not in setting.in_program
        and c.id not in spread_before
        and set(c.equipment) <= setting.equipment
        and (setting.floor_ok or not c.needs_floor)
    ]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda c: (
            biases.index(c.direction_bias),
            phase not in c.phases,
            categories.index(c.category),
            any(p.when.startswith("leg_symptoms") for p in c.precautions),
            c.level,
            c.id,
        ),
    )


def _any_avoid(exercise: Exercise) -> bool:
    return any(p.action == "avoid" for p in exercise.precautions)


def _spread_ids(history: History) -> set[str]:
    """Every exercise during which leg symptoms spread, at any session of the history."""
    return {
        log.id
        for session in history.sessions
        for log in session.exercises
        if log.leg_symptoms == "peripheralised"
    }


def _preference_did_not_hold(decisions: Iterable[Decision], context: _Context) -> Alert | None:
    """Every exercise in the easing direction has spread the person's leg symptoms: the directional
    preference did not hold, and a clinician should reassess.

    Raised by the review that takes the last such exercise out (substitute or stop for spreading):
    when every exercise of the preferred direction that the person has done spread their symptoms,
    and the program keeps none of that direction that has not.
    """
    preference = context.preference
    if preference is None:
        return None
    catalog = context.catalog
    decisions = list(decisions)

    def easing(exercise_id: str) -> bool:
        item = catalog.exercises.get(exercise_id)
        return item is not None and item.direction_bias == preference

    taken_out = [d for d in decisions if d.rule == "peripheralisation" and d.action in ("substitute", "stop")]
    if not any(easing(d.id) for d in taken_out):
        return None
    spread = _spread_ids(context.history)
    done = {log.id for session in context.history.sessions for log in session.exercises if easing(log.id)}
    kept = {d.to_dose.id for d in decisions if d.action != "substitute" and easing(d.to_dose.id)}
    if not (done | kept) <= spread:
        return None
    names = [catalog.exercise(i).name.lower() for i in sorted(done | kept)]
    return preference_did_not_hold_alert(preference, names, context.rules)


# --- Walking ----------------------------------------------------------------------------------------------------


def _walking(context: _Context) -> WalkingDecision | None:
    plan = context.history.program.walking
    if plan is None:
        return None
    current = WalkingDose.of(plan)
    policy = context.rules.walking
    evidence = tuple(policy.evidence)

    def same(action: Action, rule: str, *reasons: str) -> WalkingDecision:
        return WalkingDecision(action, current, current, reasons, rule, evidence)

    if context.blocking:
        return same("stop", "red_flag", "No walking program until a doctor has checked you.")
    history = context.history
    walks = context.entries(policy.exercise_id)
    painful = [walk for walk in walks if context.too_painful(walk)]
    today_painful = [walk for walk in painful if walk.day == history.today]
    if today_painful:
        return same(
            "stop",
            "pain_during",
            f"Your pain went above {context.limit_words(today_painful)} during today's walk: stop for today "
            "and rest.",
        )
    week = (history.today - history.start).days // 7
    week_start = history.start + timedelta(weeks=week)
    first_session_of_week = any(s.date == history.today for s in history.sessions) and not any(
        week_start <= s.date < history.today for s in history.sessions
    )
    if week < 1 or not first_session_of_week:
        return same(
            "hold", "weekly", "Your walking is reviewed once a week, after your first session of the week."
        )

    last_week = [walk for walk in walks if week_start - timedelta(weeks=1) <= walk.day < week_start]
    hurt = [walk for walk in last_week if context.too_painful(walk)]
    # A flare during last week counts even once it has settled: the walks (or walk-runs) only grow
    # while the next-morning pain stays at its usual level.
    flared = flare_between(
        history, context.rules, week_start - timedelta(weeks=1), week_start - timedelta(days=1)
    )
    if context.triggers or hurt or flared:
        reasons = [t.text for t in context.triggers]
        if flared and not any(t.rule == "flare" for t in context.triggers):
            reasons.append(
                f"Your pain the morning after your sessions on "
                f"{spoken_dates([m.session_day for m in flared])} was above your usual level each time."
            )
        if hurt:
            reasons.append(
                f"Your pain went above {context.limit_words(hurt)} during your walk on "
                f"{spoken_dates(sorted({walk.day for walk in hurt}))}."
            )
        return _shorter_walks(current, plan, reasons, context)
    if context.blockers:
        return same("hold", context.blockers[0].rule, *(b.text for b in context.blockers))
    days_walked = len({walk.day for walk in last_week if walk.log.completed})
    if days_walked < current.days_per_week:
        return same(
            "hold",
            "walking_days",
            f"You logged walks on {days_walked} of {current.days_per_week} planned days last week: walk on "
            f"{current.days_per_week} days at this length before we add more.",
        )
    return _longer_walks(current, plan, context)


def _weekly_increase(plan: WalkingPlan, context: _Context) -> float:
    policy = context.rules.walking
    return min(max(plan.weekly_increase_minutes, policy.weekly_increase_min), policy.weekly_increase_max)


def _longer_walks(current: WalkingDose, plan: WalkingPlan, context: _Context) -> WalkingDecision:
    policy = context.rules.walking
    evidence = tuple(policy.evidence)
    if plan.weekly_increase_minutes == 0:
        return WalkingDecision(
            "hold",
            current,
            current,
            ("Your plan keeps your walks at this length for now.",),
            "walking_plan",
            evidence,
        )
    target = plan.target_minutes
    if current.running is not None or (
        plan.run_walk is not None
        and current.daily_minutes >= target
        and current.days_per_week >= policy.target_days_per_week
    ):
        return _more_running(current, plan, context)
    if current.daily_minutes < target:
        daily = min(current.daily_minutes + _weekly_increase(plan, context), target)
        to = replace(current, minutes_per_bout=round(daily / current.bouts_per_day, 1))
    elif current.days_per_week < policy.target_days_per_week:
        to = replace(current, days_per_week=current.days_per_week + 1)
    else:
        return WalkingDecision(
            "hold",
            current,
            current,
            (
                f"You walk {minutes_words(target)} on {current.days_per_week} days a week: the goal. Keep it up.",
            ),
            "top_of_ladder",
            evidence,
        )
    return WalkingDecision(
        "progress",
        current,
        to,
        (f"Last week went well: this week walk {to.words()}.",),
        "ready_to_progress",
        evidence,
    )


def _more_running(current: WalkingDose, plan: WalkingPlan, context: _Context) -> WalkingDecision:
    """Walking has reached its target without a flare: walk-runs in place of the walks, then a little
    more jogging each settled week, the session's length kept, until it is one easy run."""
    assert plan.run_walk is not None or current.running is not None
    evidence = (*context.rules.walking.evidence, *context.rules.walking.run_walk_evidence)
    start = plan.run_walk
    if current.running is None:
        assert start is not None
        to = replace(current, running=Intervals(start.run_minutes, start.walk_minutes, start.repeats))
        return WalkingDecision(
            "progress",
            current,
            to,
            (
                f"You have walked {minutes_words(plan.target_minutes)} on {current.days_per_week} days a week "
                f"and your back has stayed settled: this week swap your walks for {to.words()}.",
            ),
            "start_run_walk",
            evidence,
        )
    running = current.running
    if running.walk_minutes == 0:
        return WalkingDecision(
            "hold",
            current,
            current,
            (
                f"You run {minutes_words(running.run_minutes)} easily: keep it up, and build from there slowly.",
            ),
            "top_of_ladder",
            evidence,
        )
    step = start.weekly_increase_run_minutes if start is not None else 0
    if start is None or step == 0:
        return WalkingDecision(
            "hold",
            current,
            current,
            ("Your plan keeps your walk-runs as they are for now.",),
            "walking_plan",
            evidence,
        )
    total = (start.run_minutes + start.walk_minutes) * start.repeats  # the first walk-run's length, kept
    run = running.run_minutes + step
    repeats = math.floor(total / (run + running.walk_minutes))
    # When fewer than two intervals fit, the jogging has grown into one easy run of the same length.
    nxt = Intervals(total, 0, 1) if repeats < 2 else Intervals(run, running.walk_minutes, repeats)
    to = replace(current, running=nxt)
    return WalkingDecision(
        "progress",
        current,
        to,
        (f"Last week went well: this week do {to.words()}.",),
        "ready_to_progress",
        evidence,
    )


def _shorter_walks(
    current: WalkingDose, plan: WalkingPlan, reasons: list[str], context: _Context
) -> WalkingDecision:
    policy = context.rules.walking
    evidence = tuple(policy.evidence)
    if current.running is not None:
        return _less_running(current, plan, reasons, context)
    cut = _weekly_increase(plan, context) / current.bouts_per_day
    minutes = max(round(current.minutes_per_bout - cut, 1), policy.min_minutes_per_bout)
    if minutes >= current.minutes_per_bout:
        reasons.append("Your walks are already short: keep to them gently.")
        return WalkingDecision("hold", current, current, tuple(reasons), "walking_floor", evidence)
    to = replace(current, minutes_per_bout=minutes)
    reasons.append(f"This week walk {to.words()}.")
    return WalkingDecision("regress", current, to, tuple(reasons), "ease_walking", evidence)


def _less_running(
    current: WalkingDose, plan: WalkingPlan, reasons: list[str], context: _Context
) -> WalkingDecision:
    """A flare or a walk-run that hurt: back to the first week of walk-runs, or from there to walking."""
    assert current.running is not None
    evidence = (*context.rules.walking.evidence, *context.rules.walking.run_walk_evidence)
    start = plan.run_walk
    first = Intervals(start.run_minutes, start.walk_minutes, start.repeats) if start is not None else None
    if first is None or current.running == first:
        to = replace(current, running=None)
        reasons.append(f"This week go back to walking: {to.words()}.")
    else:
        to = replace(current, running=first)
        reasons.append(f"This week go back to {to.words()}.")
    return WalkingDecision("regress", current, to, tuple(reasons), "ease_walking", evidence)


__all__ = [
    "Decision",
    "History",
    "Review",
    "WalkingDecision",
    "WalkingDose",
    "parse_history",
    "review",
]
