"""A person's record as a FHIR R4B Bundle (type `collection`), built and validated with fhir.resources.

Pure: plain data in (a `PatientRecord`: the intake answers in the intake contract's JSON, the
screens, the program versions in the program contract's JSON, sessions, check-ins, scores and
alerts), a JSON-ready dict out. No Django: the web layer and the CLI build the record
(`lumbar.web.outputs.fhir`, `record_from_history` below) and decide who may see it.

What the Bundle holds (docs/web.md, "FHIR export", says the same for readers):

- Patient: no name unless the person gave one; the gender from the intake; the sign-in email only
  when the caller asks (`include_email`), since the Bundle may travel further than the account does.
- QuestionnaireResponse per intake, answering our intake Questionnaire (`INTAKE_QUESTIONNAIRE`),
  one item per contract key (linkId = the key's path, e.g. `pain.now`).
- Observation per score: NPRS (LOINC 72514-3), ODI (LOINC 97909-6, percent), STarT Back (panel
  91349-1 with total 91351-7, distress subscore 91350-9 and risk level 91352-5 and its LOINC
  answer code); the RMDQ and the PSFS have no LOINC code (clinical-reference.md 3.3, 3.4), so they
  carry codes of our own observation CodeSystem, as do the session and check-in observations.
- RiskAssessment per STarT Back result (or, with no STarT Back score, the program's stratum).
- Flag per warning sign answered yes (and per criterion a screen fired), categorised by its tier.
- CarePlan per program version; ServiceRequest per exercise and for the walking plan, coded with
  SNOMED CT 229065009 "Exercise therapy" and the exercise id, the name and dose in the narrative
  and the patient instruction, the schedule as a Timing.
- Observation per completed session (pain before and after, exercises done) and per check-in.
- Communication per alert the app gave the person.

The LOINC codes come from the instruments' content files (content/instruments/*.toml), which cite
them; the tests check every system and code against the clinical reference. Every fullUrl is a
urn:uuid made with uuid5 from the account key and the record's key, so exporting the same record
again gives the same ids, and the same data gives the same Bundle.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html import escape
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.resource import Resource
from fhir.resources.R4B.riskassessment import RiskAssessment
from fhir.resources.R4B.servicerequest import ServiceRequest
from pydantic import ValidationError

from lumbar.domain.history import History
from lumbar.domain.instruments import Instruments, default_instruments
from lumbar.domain.intake import Intake
from lumbar.domain.plain_words import dose_words, minutes_words
from lumbar.domain.screening import ScreeningRules, default_rules

FHIR_VERSION = "4.3.0"  # R4B

# --- Code systems ----------------------------------------------------------------------------------
#
# Lumbar has no web address of its own yet: its canonical URLs sit under the reserved .example
# domain (RFC 2606), the one place to change them. They name things; nothing is fetched from them.
LUMBAR_BASE = "https://lumbar.example/fhir"
INTAKE_QUESTIONNAIRE = f"{LUMBAR_BASE}/Questionnaire/intake"
EXERCISE_SYSTEM = f"{LUMBAR_BASE}/CodeSystem/exercise"  # exercise ids of the content library
RED_FLAG_SYSTEM = f"{LUMBAR_BASE}/CodeSystem/red-flag"  # intake red_flags keys and screen criteria
TIER_SYSTEM = f"{LUMBAR_BASE}/CodeSystem/triage-tier"  # emergency_now ... routine
OBSERVATION_SYSTEM = f"{LUMBAR_BASE}/CodeSystem/observation"  # what LOINC has no code for
ALERT_SYSTEM = f"{LUMBAR_BASE}/CodeSystem/alert-kind"
ALERT_SEVERITY_SYSTEM = f"{LUMBAR_BASE}/CodeSystem/alert-severity"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"

# SNOMED CT for an exercise prescription (clinical-reference.md 6.1 and 6.2: the HL7 Physical
# Activity IG's exercise prescription uses it).
EXERCISE_THERAPY = ("229065009", "Exercise therapy")
# LOINC names quoted in clinical-reference.md 3.1 and 3.2; the other LOINC codings carry no display
# (the reference does not quote their names) and say what they are in CodeableConcept.text.
LOINC_DISPLAY = {
    "72514-3": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    "97909-6": "Oswestry disability index score ODI",
}
# Our own observation codes, for what has no LOINC code in the reference.
LOCAL_OBSERVATIONS = {
    "rmdq-score": "Roland-Morris Disability Questionnaire (RMDQ-24) score, 0-24",
    "psfs-score": "Patient-Specific Functional Scale (PSFS) mean score, 0-10",
    "psfs-activity": "Patient-Specific Functional Scale: one activity's rating, 0-10",
    "exercise-session": "Home exercise session done",
    "pain-before-session": "Back pain just before the exercise session, 0-10",
    "pain-after-session": "Back pain just after the exercise session, 0-10",
    "exercises-completed": "Number of exercises completed in the session",
    "morning-pain": "Back pain the morning after an exercise session, 0-10",
    "checkin-pain": "Back pain at a check-in, 0-10",
}
# The STarT Back stratum as FHIR's risk-probability codes (RiskAssessment.prediction.qualitativeRisk).
RISK_PROBABILITY_CODES = {"low": "low", "medium": "moderate", "high": "high"}
RISK_OUTCOME = "Poor outcome of back pain (persistent disabling pain), as the STarT Back tool stratifies it"
TIER_TEXT = {
    "emergency_now": "Go to an emergency department now",
    "urgent_same_day": "See a doctor today",
    "see_doctor_soon": "See a doctor within days",
    "routine": "A risk factor, not a warning sign on its own",
}

_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, LUMBAR_BASE)

When = date | datetime


# --- The record --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeAnswers:
    """One completed intake: the intake contract's JSON, as stored."""

    key: str
    answered: When | None
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class Screen:
    """A warning-sign screen: the answers given yes and the flags (keys and criteria) that fired."""

    key: str
    when: When | None
    context: str
    tier: str
    flags: Sequence[str]
    red_flags: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class ProgramVersion:
    """A program as the planner or a review made it (program contract JSON); `number` counts from 1."""

    number: int
    made: When | None
    program: Mapping[str, Any]
    changes: Sequence[str] = ()
    intake_key: str | None = None


@dataclass(frozen=True)
class Session:
    """A completed session; `exercises` are the History contract's entries (id, completed, ...)."""

    key: str
    day: date
    exercises: Sequence[Mapping[str, Any]]
    pain_before: int | None = None
    pain_after: int | None = None
    program_number: int | None = None


@dataclass(frozen=True)
class CheckIn:
    """A check-in: the pain (a next-morning reading unless `morning` is False) and warning signs."""

    key: str
    day: date
    pain: int | None
    red_flags: Mapping[str, bool] = field(default_factory=dict)
    morning: bool = True
    answered: When | None = None


@dataclass(frozen=True)
class Score:
    """A scored questionnaire: nprs, odi (percent), rmdq, psfs (mean) or startback (total)."""

    key: str
    day: date
    instrument: str
    score: float
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Message:
    """An alert the app gave the person (progress.schema.json#/$defs/Review alerts, as stored)."""

    key: str
    when: When
    kind: str
    severity: str
    message: str


@dataclass(frozen=True)
class PatientRecord:
    """Everything exported for one person. `account_key` is opaque and stable for the person (the web
    derives it from the account with the site's secret); only uuid5 hashes of it reach the Bundle.
    Lists are in the order they happened (the adapters order them)."""

    account_key: str
    display_name: str = ""
    email: str = ""
    intakes: Sequence[IntakeAnswers] = ()
    screens: Sequence[Screen] = ()
    programs: Sequence[ProgramVersion] = ()
    sessions: Sequence[Session] = ()
    checkins: Sequence[CheckIn] = ()
    scores: Sequence[Score] = ()
    alerts: Sequence[Message] = ()
    # When the person said a clinician had checked them: the warning signs before it are inactive.
    screen_cleared_at: datetime | None = None


# --- Building the Bundle -----------------------------------------------------------------------------


def build_bundle(
    record: PatientRecord,
    *,
    include_email: bool = False,
    timestamp: datetime | None = None,
    instruments: Instruments | None = None,
    rules: ScreeningRules | None = None,
) -> dict[str, Any]:
    """The record as a FHIR R4B Bundle of type collection, as JSON-ready data.

    Every resource is built as its fhir.resources model (which validates it) before it joins the
    Bundle. `timestamp` (when the Bundle was assembled) is left out unless given, so that the same
    record always gives the same Bundle.
    """
    builder = _Builder(record, instruments or default_instruments(), rules or default_rules())
    resources = list(builder.resources(include_email=include_email))
    data: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r.id}", "resource": r} for r in resources],
    }
    if timestamp is not None:
        data["timestamp"] = _when(timestamp)
    bundle = Bundle.model_validate(data)
    result: dict[str, Any] = bundle.model_dump(mode="json")
    return result


def bundle_json(bundle: Mapping[str, Any]) -> str:
    """The Bundle as text: two-space indent, UTF-8 characters as they are, a final newline."""
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"


def resource_uuid(account_key: str, *parts: object) -> str:
    """The stable id of one resource: uuid5 of the account key and the record's path."""
    name = "/".join([account_key, *(str(part) for part in parts)])
    return str(uuid.uuid5(_ROOT, name))


class _Builder:
    def __init__(self, record: PatientRecord, instruments: Instruments, rules: ScreeningRules) -> None:
        self.record = record
        self.instruments = instruments
        self.rules = rules
        self.patient_id = resource_uuid(record.account_key, "Patient")
        self.patient_ref = _ref(self.patient_id)
        self.intake_ids = {i.key: resource_uuid(record.account_key, "intake", i.key) for i in record.intakes}
        self.plan_ids = {
            p.number: resource_uuid(record.account_key, "program", p.number) for p in record.programs
        }
        self.tiers = _flag_tiers(rules)
        self.names = {
            str(e["id"]): str(e["name"])
            for p in record.programs
            for e in p.program.get("exercises") or []
            if isinstance(e, Mapping) and "id" in e and "name" in e
        }

    def uid(self, *parts: object) -> str:
        return resource_uuid(self.record.account_key, *parts)

    def resources(self, *, include_email: bool) -> Iterator[Resource]:
        yield self.patient(include_email=include_email)
        for intake in self.record.intakes:
            yield self.intake(intake)
        startback_seen = False
        for score in self.record.scores:
            if score.instrument == "startback":
                startback_seen = True
                yield from self.startback(score)
            else:
                observation = self.score(score)
                if observation is not None:
                    yield observation
        if not startback_seen:
            risk = self.program_risk()
            if risk is not None:
                yield risk
        yield from self.flags()
        programs = sorted(self.record.programs, key=lambda p: p.number)
        for index, version in enumerate(programs):
            following = programs[index + 1] if index + 1 < len(programs) else None
            yield from self.care_plan(version, programs[index - 1] if index else None, following)
        for session in self.record.sessions:
            yield self.session(session)
        for checkin in self.record.checkins:
            if checkin.pain is not None:
                yield self.checkin(checkin)
        for alert in self.record.alerts:
            yield self.alert(alert)

    # --- Patient and intake ---------------------------------------------------------------------

    def patient(self, *, include_email: bool) -> Patient:
        data: dict[str, Any] = {"id": self.patient_id, "active": True}
        if self.record.display_name.strip():
            data["name"] = [{"text": self.record.display_name.strip()}]
        sex = next(
            (i.answers.get("sex") for i in reversed(self.record.intakes) if i.answers.get("sex")), None
        )
        if sex in ("female", "male", "other"):
            data["gender"] = sex
        if include_email and self.record.email:
            data["telecom"] = [{"system": "email", "value": self.record.email, "use": "home"}]
        return Patient.model_validate(data)

    def intake(self, intake: IntakeAnswers) -> QuestionnaireResponse:
        data: dict[str, Any] = {
            "id": self.intake_ids[intake.key],
            "questionnaire": INTAKE_QUESTIONNAIRE,
            "status": "completed",
            "subject": self.patient_ref,
            "source": self.patient_ref,
        }
        if intake.answered is not None:
            data["authored"] = _when(intake.answered)
        items = list(_items(_contract_order(intake.answers), ""))
        if items:
            data["item"] = items
        return QuestionnaireResponse.model_validate(data)

    # --- Scores -------------------------------------------------------------------------------------

    def score(self, score: Score) -> Observation | None:
        detail = score.detail or {}
        data = self._survey(self.uid("score", score.key), score.day)
        interpretation = detail.get("interpretation")
        if isinstance(interpretation, str) and interpretation:
            data["interpretation"] = [{"text": interpretation}]
        if score.instrument == "nprs":
            data["code"] = _loinc(self.instruments.nprs.loinc, "Pain now (NPRS, 0-10)")
            data.update(_number(score.score))
        elif score.instrument == "odi":
            data["code"] = _loinc(
                self.instruments.odi.loinc.score, "Oswestry Disability Index (ODI), percent"
            )
            data["valueQuantity"] = {"value": score.score, "unit": "%", "system": UCUM, "code": "%"}
        elif score.instrument == "rmdq":
            data["code"] = _local_observation("rmdq-score")
            data.update(_number(score.score))
        elif score.instrument == "psfs":
            data["code"] = _local_observation("psfs-score")
            data.update(_number(score.score, unit="{score}"))
            components = [
                {
                    "code": {**_local_observation("psfs-activity"), "text": str(a["activity"])},
                    "valueInteger": int(a["score"]),
                }
                for a in detail.get("activities") or []
                if isinstance(a, Mapping) and a.get("activity") and a.get("score") is not None
            ]
            if components:
                data["component"] = components
        else:
            return None
        return Observation.model_validate(data)

    def startback(self, score: Score) -> Iterator[Resource]:
        codes = self.instruments.startback.loinc
        detail = score.detail or {}
        total = self._survey(self.uid("score", score.key, "total"), score.day)
        total.update(code=_loinc(codes.total, "STarT Back total score, 0-9"), valueInteger=round(score.score))
        members = [total]
        psychosocial = detail.get("psychosocial")
        if psychosocial is not None:
            sub = self._survey(self.uid("score", score.key, "psychosocial"), score.day)
            sub.update(
                code=_loinc(codes.psychosocial, "STarT Back distress (psychosocial) subscore, 0-5"),
                valueInteger=int(psychosocial),
            )
            members.append(sub)
        risk = detail.get("risk")
        if risk in RISK_PROBABILITY_CODES:
            level = self._survey(self.uid("score", score.key, "risk"), score.day)
            level.update(
                code=_loinc(codes.risk, "STarT Back risk level"),
                valueCodeableConcept={
                    "coding": [{"system": LOINC, "code": self._risk_answer(risk)}],
                    "text": f"{risk} risk",
                },
            )
            members.append(level)
        panel = self._survey(self.uid("score", score.key, "panel"), score.day)
        panel.update(
            code=_loinc(codes.panel, "Keele STarT Back Screening Tool"),
            hasMember=[_ref(member["id"]) for member in members],
        )
        observations = [Observation.model_validate(d) for d in (panel, *members)]
        yield from observations
        if risk in RISK_PROBABILITY_CODES:
            yield self.risk_assessment(
                self.uid("score", score.key, "risk-assessment"),
                risk,
                score.day,
                basis=[_ref(d["id"]) for d in members],
            )

    def program_risk(self) -> RiskAssessment | None:
        """With no STarT Back score in the record, the stratum the latest program was planned with."""
        if not self.record.programs:
            return None
        latest = max(self.record.programs, key=lambda p: p.number)
        risk = latest.program.get("risk")
        if risk not in RISK_PROBABILITY_CODES:
            return None
        return self.risk_assessment(
            self.uid("program", latest.number, "risk-assessment"),
            str(risk),
            latest.made,
            basis=[],
            note="The STarT Back stratum the program was planned with (the scores are not in this record).",
        )

    def risk_assessment(
        self, resource_id: str, risk: str, when: When | None, *, basis: list[dict[str, str]], note: str = ""
    ) -> RiskAssessment:
        data: dict[str, Any] = {
            "id": resource_id,
            "status": "final",
            "subject": self.patient_ref,
            "method": _loinc(self.instruments.startback.loinc.panel, "Keele STarT Back Screening Tool"),
            "prediction": [
                {
                    "outcome": {"text": RISK_OUTCOME},
                    "qualitativeRisk": {
                        "coding": [
                            {"system": RISK_PROBABILITY, "code": RISK_PROBABILITY_CODES[risk]},
                            {"system": LOINC, "code": self._risk_answer(risk)},
                        ],
                        "text": f"{risk} risk (STarT Back)",
                    },
                }
            ],
        }
        if when is not None:
            data["occurrenceDateTime"] = _when(when)
        if basis:
            data["basis"] = basis
        if note:
            data["note"] = [{"text": note}]
        return RiskAssessment.model_validate(data)

    def _risk_answer(self, risk: str) -> str:
        return self.instruments.startback.strata[risk].loinc_answer  # type: ignore[index]

    def _survey(self, resource_id: str, day: When) -> dict[str, Any]:
        return {
            "id": resource_id,
            "status": "final",
            "category": [_category("survey")],
            "subject": self.patient_ref,
            "effectiveDateTime": _when(day),
        }

    # --- Warning signs --------------------------------------------------------------------------------

    def flags(self) -> Iterator[Flag]:
        # The screens of one intake restate its answers (a screen per question answered yes, then the
        # whole intake's): a warning sign counts once until a clinician has checked the person.
        # Each check-in is its own answer.
        cleared = self.record.screen_cleared_at
        counted: set[tuple[bool, str]] = set()
        for screen in self.record.screens:
            after_check = cleared is not None and screen.when is not None and _instant(screen.when) > cleared
            said_yes = [key for key, yes in screen.red_flags.items() if yes]
            for flag in dict.fromkeys([*said_yes, *screen.flags]):
                if (after_check, flag) not in counted:
                    counted.add((after_check, flag))
                    where = f"the {screen.context} screen"
                    yield self.flag(("screen", screen.key, flag), flag, screen.when, where)
        for checkin in self.record.checkins:
            for flag, yes in checkin.red_flags.items():
                if yes:
                    when = checkin.answered or checkin.day
                    yield self.flag(("checkin", checkin.key, flag), flag, when, "a check-in")

    def flag(self, path: tuple[str, ...], flag: str, when: When | None, where: str) -> Flag:
        tier = self.tiers.get(flag, "routine")
        meaning = self.rules.meaning(flag)
        cleared = self.record.screen_cleared_at
        inactive = cleared is not None and (when is None or _instant(when) <= cleared)
        data: dict[str, Any] = {
            "id": self.uid(*path),
            "status": "inactive" if inactive else "active",
            "category": [
                {"coding": [{"system": FLAG_CATEGORY, "code": "clinical", "display": "Clinical"}]},
                {
                    "coding": [{"system": TIER_SYSTEM, "code": tier, "display": TIER_TEXT[tier]}],
                    "text": TIER_TEXT[tier],
                },
            ],
            "code": {
                "coding": [{"system": RED_FLAG_SYSTEM, "code": flag, "display": meaning}],
                "text": f"{meaning} (answered at {where})",
            },
            "subject": self.patient_ref,
        }
        period: dict[str, str] = {}
        if when is not None:
            period["start"] = _when(when)
        if inactive and cleared is not None:
            period["end"] = _when(cleared)
        if period:
            data["period"] = period
        return Flag.model_validate(data)

    # --- Programs --------------------------------------------------------------------------------------

    def care_plan(
        self, version: ProgramVersion, before: ProgramVersion | None, after: ProgramVersion | None
    ) -> Iterator[Resource]:
        program = version.program
        plan_id = self.plan_ids[version.number]
        if program.get("status") == "refer":
            status, request_status = "on-hold", "on-hold"
        elif after is not None:
            status, request_status = "revoked", "revoked"
        else:
            status, request_status = "active", "active"
        requests = [
            self.exercise_request(version, exercise, request_status)
            for exercise in program.get("exercises") or []
        ]
        walking = program.get("walking")
        if isinstance(walking, Mapping):
            requests.append(self.walking_request(version, walking, request_status))
        data: dict[str, Any] = {
            "id": plan_id,
            "status": status,
            "intent": "plan",
            "title": f"Home exercise program, version {version.number}",
            "description": _plan_description(program, version.changes),
            "subject": self.patient_ref,
        }
        if version.made is not None:
            data["created"] = _when(version.made)
            data["period"] = {"start": _when(version.made)}
            if after is not None and after.made is not None:
                data["period"]["end"] = _when(after.made)
        if before is not None:
            data["replaces"] = [_ref(self.plan_ids[before.number])]
        if version.intake_key in self.intake_ids:
            data["supportingInfo"] = [_ref(self.intake_ids[version.intake_key])]
        if requests:
            data["activity"] = [{"reference": _ref(str(r.id))} for r in requests]
        notes = [*_breaks_note(program), *(str(rule) for rule in program.get("stop_rules") or [])]
        if notes:
            data["note"] = [{"text": text} for text in notes]
        yield CarePlan.model_validate(data)
        yield from requests

    def exercise_request(
        self, version: ProgramVersion, exercise: Mapping[str, Any], status: str
    ) -> ServiceRequest:
        name = str(exercise["name"])
        dose = dose_words(
            int(exercise["sets"]),
            exercise.get("reps"),
            exercise.get("hold_seconds"),
            per_side=bool(exercise.get("per_side")),
        )
        times_per_day = exercise.get("times_per_day")
        per_week = int(exercise["sessions_per_week"])
        if times_per_day:
            how_often = f"{times_per_day} times a day"
            repeat: dict[str, Any] = {"frequency": int(times_per_day), "period": 1, "periodUnit": "d"}
        else:
            how_often = f"{per_week} {'day' if per_week == 1 else 'days'} a week"
            repeat = {"frequency": per_week, "period": 1, "periodUnit": "wk"}
        instruction = f"{name}: {dose}, {how_often}."
        data = self._request(
            self.uid("program", version.number, "exercise", exercise["id"]),
            version,
            status,
            code={
                "coding": [
                    {"system": SNOMED, "code": EXERCISE_THERAPY[0], "display": EXERCISE_THERAPY[1]},
                    {"system": EXERCISE_SYSTEM, "code": str(exercise["id"]), "display": name},
                ],
                "text": name,
            },
            instruction=instruction,
            repeat=repeat,
        )
        cautions = [str(c) for c in exercise.get("cautions") or []]
        if cautions:
            data["note"] = [{"text": c} for c in cautions]
        return ServiceRequest.model_validate(data)

    def walking_request(
        self, version: ProgramVersion, walking: Mapping[str, Any], status: str
    ) -> ServiceRequest:
        minutes = float(walking["minutes_per_bout"])
        bouts = int(walking["bouts_per_day"])
        days = int(walking["days_per_week"])
        instruction = (
            f"Walking: {minutes_words(minutes)}, {bouts} {'time' if bouts == 1 else 'times'} a day, "
            f"{days} {'day' if days == 1 else 'days'} a week"
        )
        running = walking.get("running")
        if isinstance(running, Mapping):
            instruction += (
                f"; walk-run: jog {minutes_words(float(running['run_minutes']))} and walk "
                f"{minutes_words(float(running['walk_minutes']))}, {int(running['repeats'])} times"
            )
        target = walking.get("target_minutes")
        if target:
            instruction += f", building up to {minutes_words(float(target))} a day"
        instruction += "."
        # Timing cannot say "n times a day on d days a week": the weekly count of walks, each this long.
        repeat = {
            "frequency": bouts * days,
            "period": 1,
            "periodUnit": "wk",
            "duration": minutes,
            "durationUnit": "min",
        }
        data = self._request(
            self.uid("program", version.number, "walking"),
            version,
            status,
            code={
                "coding": [
                    {"system": SNOMED, "code": EXERCISE_THERAPY[0], "display": EXERCISE_THERAPY[1]},
                    {"system": EXERCISE_SYSTEM, "code": "walking", "display": "Walking"},
                ],
                "text": "Walking",
            },
            instruction=instruction,
            repeat=repeat,
        )
        return ServiceRequest.model_validate(data)

    def _request(
        self,
        resource_id: str,
        version: ProgramVersion,
        status: str,
        *,
        code: dict[str, Any],
        instruction: str,
        repeat: dict[str, Any],
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": resource_id,
            "text": {"status": "generated", "div": _div(instruction)},
            "basedOn": [_ref(self.plan_ids[version.number])],
            "status": status,
            "intent": "plan",
            "code": code,
            "subject": self.patient_ref,
            "occurrenceTiming": {"repeat": repeat},
            "patientInstruction": instruction,
        }
        if version.made is not None:
            data["authoredOn"] = _when(version.made)
        return data

    # --- Sessions, check-ins, alerts ---------------------------------------------------------------

    def session(self, session: Session) -> Observation:
        done = [e for e in session.exercises if e.get("completed")]
        components: list[dict[str, Any]] = []
        for code, value in (
            ("pain-before-session", session.pain_before),
            ("pain-after-session", session.pain_after),
        ):
            if value is not None:
                components.append({"code": _pain_code(code), "valueInteger": int(value)})
        components.append({"code": _local_observation("exercises-completed"), "valueInteger": len(done)})
        data: dict[str, Any] = {
            "id": self.uid("session", session.key),
            "status": "final",
            "category": [_category("activity")],
            "code": _local_observation("exercise-session"),
            "subject": self.patient_ref,
            "effectiveDateTime": _when(session.day),
            "valueBoolean": True,
            "component": components,
        }
        if session.program_number in self.plan_ids:
            data["basedOn"] = [_ref(self.plan_ids[session.program_number])]
        lines = [_logged(entry, self.names) for entry in session.exercises]
        if lines:
            data["note"] = [{"text": "\n".join(lines)}]
        return Observation.model_validate(data)

    def checkin(self, checkin: CheckIn) -> Observation:
        data = self._survey(self.uid("checkin", checkin.key), checkin.answered or checkin.day)
        data["code"] = _pain_code("morning-pain" if checkin.morning else "checkin-pain")
        data["valueInteger"] = checkin.pain
        return Observation.model_validate(data)

    def alert(self, alert: Message) -> Communication:
        data = {
            "id": self.uid("alert", alert.key),
            "status": "completed",
            "category": [
                {
                    "coding": [{"system": ALERT_SYSTEM, "code": alert.kind}],
                    "text": alert.kind.replace("_", " "),
                },
                {
                    "coding": [{"system": ALERT_SEVERITY_SYSTEM, "code": alert.severity}],
                    "text": alert.severity,
                },
            ],
            "subject": self.patient_ref,
            "recipient": [self.patient_ref],
            "sent": _when(alert.when),
            "payload": [{"contentString": alert.message}],
        }
        return Communication.model_validate(data)


# --- From a progress History (the CLI) ---------------------------------------------------------------


def record_from_history(
    history: History, program: Mapping[str, Any], *, account_key: str | None = None
) -> PatientRecord:
    """A record from a validated History (contracts/progress.schema.json#/$defs/History).

    `program` is the History's program as given (its extra keys, e.g. `times_per_day`, are kept);
    `history` is the same file parsed by lumbar.domain.history.parse_history. A History has no
    intake, no account and no program versions: the program becomes version 1, the warning signs of
    its triage a screen with no date. Records are keyed by date and order within the date; the
    account key, when not given, is a digest of the history itself (the same file, the same ids).
    """
    if account_key is None:
        canonical = json.dumps(history.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        account_key = "history-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
    triage = history.program.triage
    screens = [Screen(key="program", when=None, context="intake", tier=triage.tier, flags=triage.flags)]
    sessions = [
        Session(
            key=key,
            day=s.date,
            exercises=[log.model_dump(mode="json", exclude_none=True) for log in s.exercises],
            pain_before=s.pain_before,
            pain_after=s.pain_after,
            program_number=1,
        )
        for key, s in _keyed(history.sessions, lambda s: s.date.isoformat())
    ]
    checkins = [
        CheckIn(
            key=key,
            day=c.date,
            pain=c.morning_pain,
            red_flags=c.red_flags.model_dump(exclude_defaults=True) if c.red_flags is not None else {},
        )
        for key, c in _keyed(history.checkins, lambda c: c.date.isoformat())
    ]
    scores = [
        Score(key=key, day=o.date, instrument=o.instrument, score=o.score)
        for key, o in _keyed(history.outcomes, lambda o: f"{o.date.isoformat()}/{o.instrument}")
    ]
    return PatientRecord(
        account_key=account_key,
        screens=screens,
        programs=[ProgramVersion(number=1, made=None, program=program)],
        sessions=sessions,
        checkins=checkins,
        scores=scores,
    )


def _keyed(items: Sequence[Any], name: Any) -> Iterator[tuple[str, Any]]:
    """Each item with a key made of `name(item)` and its place among items of the same name."""
    seen: dict[str, int] = {}
    for item in items:
        base = name(item)
        seen[base] = seen.get(base, 0) + 1
        yield f"{base}#{seen[base]}", item


# --- Small pieces ----------------------------------------------------------------------------------


def _flag_tiers(rules: ScreeningRules) -> dict[str, str]:
    """The tier each warning sign or criterion brings on its own (content/screening.toml)."""
    tiers: dict[str, str] = {rule.key: rule.tier for rule in rules.red_flags}
    tiers.update({c.id: c.tier for c in rules.combinations})
    tiers.update({s.id: s.tier for s in rules.severe_pain})
    tiers[rules.age_onset.flag] = rules.age_onset.tier
    tiers[rules.inflammatory.refer_flag] = rules.inflammatory.refer_tier
    tiers[rules.inflammatory.consider_flag] = rules.inflammatory.consider_tier
    return tiers


def _ref(resource_id: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def _when(value: When) -> str:
    """FHIR date or dateTime: a datetime with its offset, a date alone (a naive datetime has no
    offset FHIR could state, so only its date is kept)."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.date().isoformat()
        return value.isoformat()
    return value.isoformat()


def _instant(value: When) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _category(code: str) -> dict[str, Any]:
    display = {"survey": "Survey", "activity": "Activity"}[code]
    return {"coding": [{"system": OBSERVATION_CATEGORY, "code": code, "display": display}]}


def _loinc(code: str, text: str) -> dict[str, Any]:
    coding: dict[str, str] = {"system": LOINC, "code": code}
    if code in LOINC_DISPLAY:
        coding["display"] = LOINC_DISPLAY[code]
    return {"coding": [coding], "text": text}


def _local_observation(code: str) -> dict[str, Any]:
    display = LOCAL_OBSERVATIONS[code]
    return {"coding": [{"system": OBSERVATION_SYSTEM, "code": code, "display": display}], "text": display}


def _pain_code(code: str) -> dict[str, Any]:
    """A 0-10 pain reading at a moment of our own: the NPRS LOINC code and ours saying which moment."""
    nprs = "72514-3"
    display = LOCAL_OBSERVATIONS[code]
    return {
        "coding": [
            {"system": LOINC, "code": nprs, "display": LOINC_DISPLAY[nprs]},
            {"system": OBSERVATION_SYSTEM, "code": code, "display": display},
        ],
        "text": display,
    }


def _number(value: float, *, unit: str = "") -> dict[str, Any]:
    """A whole score as valueInteger; a mean as a Quantity (Observation has no decimal value)."""
    if float(value).is_integer() and not unit:
        return {"valueInteger": int(value)}
    quantity: dict[str, Any] = {"value": value}
    if unit:
        quantity.update(unit=unit, system=UCUM, code=unit)
    return {"valueQuantity": quantity}


def _items(answers: Mapping[str, Any], prefix: str) -> Iterator[dict[str, Any]]:
    """QuestionnaireResponse items for the intake's keys: objects become groups, lists of objects
    repeated groups, lists with gaps (the ODI sections) one item per place, other lists one item
    with an answer per value."""
    for key, value in answers.items():
        link = f"{prefix}{key}"
        if value is None or value in ({}, []):
            continue
        if isinstance(value, Mapping):
            nested = list(_items(value, f"{link}."))
            if nested:
                yield {"linkId": link, "item": nested}
        elif isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
            for entry in value:
                nested = list(_items(entry, f"{link}."))
                if nested:
                    yield {"linkId": link, "item": nested}
        elif isinstance(value, list) and any(v is None for v in value):
            places = [
                {"linkId": f"{link}.{n}", **({"answer": [_answer(v)]} if v is not None else {})}
                for n, v in enumerate(value, start=1)
            ]
            yield {"linkId": link, "item": places}
        elif isinstance(value, list):
            yield {"linkId": link, "answer": [_answer(v) for v in value]}
        else:
            yield {"linkId": link, "answer": [_answer(value)]}


def _contract_order(answers: Mapping[str, Any]) -> Mapping[str, Any]:
    """The answers with their keys in the intake contract's order, whatever order the storage kept
    (PostgreSQL's jsonb sorts keys its own way); keys sorted when the answers no longer fit the
    contract (an intake stored under an older one)."""
    try:
        intake = Intake.model_validate_json(json.dumps(answers))
        ordered: Mapping[str, Any] = intake.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    except (ValidationError, TypeError, ValueError):
        ordered = _sorted_keys(answers)
    return ordered


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value


def _answer(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueDecimal": value}
    return {"valueString": str(value)}


def _div(text: str) -> str:
    return f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{escape(text)}</p></div>'


def _plan_description(program: Mapping[str, Any], changes: Sequence[str]) -> str:
    parts = []
    if program.get("status") == "refer":
        parts.append("No exercise for now: a warning sign needs a doctor first.")
    phase = program.get("phase")
    if phase:
        parts.append(f"Phase: {phase}.")
    risk = program.get("risk")
    if risk:
        parts.append(f"STarT Back risk: {risk}.")
    parts.extend(str(change) for change in changes)
    return " ".join(parts) or "Home exercise program."


def _breaks_note(program: Mapping[str, Any]) -> list[str]:
    breaks = program.get("movement_breaks")
    if not isinstance(breaks, Mapping):
        return []
    return [f"Movement breaks: get up and move every {breaks.get('every_minutes')} minutes while sitting."]


def _logged(entry: Mapping[str, Any], names: Mapping[str, str]) -> str:
    name = names.get(str(entry.get("id")), str(entry.get("id")))
    if not entry.get("completed"):
        return f"{name}: not done"
    sets = entry.get("sets")
    done = (
        dose_words(int(sets), entry.get("reps"), entry.get("hold_seconds"))
        if isinstance(sets, int) and sets > 0
        else "done"
    )
    pain = entry.get("pain_during")
    return f"{name}: {done}" + (f", pain during {pain}/10" if pain is not None else "")
