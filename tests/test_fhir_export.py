"""The FHIR R4B export (issue 18): a real account's record from the settings page, and a progress
History from `lumbar export fhir`. Every resource is validated by fhir.resources (which checks the
structure, not the codes), every coding's system and code is checked against the table below (taken
from ../shared/clinical-reference.md, not from the code under test), every reference resolves inside
the Bundle, and the same data gives the same Bundle."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from tests.care_helpers import (
    DESK_WORKER_ANSWERS,
    PASSWORD,
    answer_intake,
    answer_screen,
    onboard,
    sign_up,
)
from tests.care_history import do_session, patient, started_days_ago
from tests.test_care_progress import _fake_wording, first_checkpoint
from typer.testing import CliRunner

from lumbar.cli import app
from lumbar.domain import instruments, screening
from lumbar.domain.catalog import default_catalog
from lumbar.domain.intake import StartBackAnswers
from lumbar.interop import fhir
from lumbar.web.care import services as care_services
from lumbar.web.onboarding import services as onboarding_services
from lumbar.web.outcomes import services as outcomes_services
from lumbar.web.outputs import fhir as outputs_fhir
from lumbar.web.records.models import Alert, OutcomeScore, Profile, ProgramVersion
from simulator import CHRONIC_LOW_FITNESS, day, every_log, history, log, program_for, session

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OURS = "https://lumbar.example/fhir"

# clinical-reference.md: 3.1 (NPRS), 3.2 (ODI), 2.4 (STarT Back: panel, total, subscore, risk level
# and its answers); 6.1/6.2 (SNOMED CT 229065009 for an exercise prescription). The RMDQ and PSFS
# have no LOINC code there, so they may carry none.
NPRS, ODI_SCORE = "72514-3", "97909-6"
STARTBACK = {"panel": "91349-1", "total": "91351-7", "psychosocial": "91350-9", "risk": "91352-5"}
RISK_ANSWERS = {"low": "LA9194-7", "medium": "LA8982-6", "high": "LA9193-9"}
EXERCISE_THERAPY = "229065009"

CATALOG = default_catalog()
RULES = screening.default_rules()
RED_FLAG_IDS = {rule.key for rule in RULES.red_flags} | {
    *(c.id for c in RULES.combinations),
    *(s.id for s in RULES.severe_pain),
    RULES.age_onset.flag,
    RULES.inflammatory.refer_flag,
    RULES.inflammatory.consider_flag,
}
TIERS = {"emergency_now", "urgent_same_day", "see_doctor_soon", "routine"}
ALERT_KINDS = {
    "red_flag",
    "peripheralisation",
    "flare",
    "worsening",
    "no_improvement",
    "low_adherence",
    "improved",
    "recovered",
    "reassessment_due",
}  # fmt: skip  (progress.schema.json#/$defs/Review alerts.kind)

# Every system the Bundle may use, with the codes allowed in it.
EXPECTED_CODES: dict[str, set[str]] = {
    LOINC: {NPRS, ODI_SCORE, *STARTBACK.values(), *RISK_ANSWERS.values()},
    SNOMED: {EXERCISE_THERAPY},
    UCUM: {"%", "{score}", "min"},
    "http://terminology.hl7.org/CodeSystem/observation-category": {"survey", "activity"},
    "http://terminology.hl7.org/CodeSystem/flag-category": {"clinical"},
    "http://terminology.hl7.org/CodeSystem/risk-probability": {"low", "moderate", "high"},
    f"{OURS}/CodeSystem/exercise": {*CATALOG.exercises},
    f"{OURS}/CodeSystem/red-flag": RED_FLAG_IDS,
    f"{OURS}/CodeSystem/triage-tier": TIERS,
    f"{OURS}/CodeSystem/observation": {
        "rmdq-score",
        "psfs-score",
        "psfs-activity",
        "exercise-session",
        "pain-before-session",
        "pain-after-session",
        "exercises-completed",
        "morning-pain",
        "checkin-pain",
    },
    f"{OURS}/CodeSystem/alert-kind": ALERT_KINDS,
    f"{OURS}/CodeSystem/alert-severity": {"info", "review", "urgent", "emergency"},
}
# fhir.resources checks structure, not codes: the status values each resource's value set allows.
STATUSES = {
    "Patient": None,
    "QuestionnaireResponse": {"completed"},
    "Observation": {"final"},
    "RiskAssessment": {"final"},
    "Flag": {"active", "inactive"},
    "CarePlan": {"active", "revoked", "on-hold"},
    "ServiceRequest": {"active", "revoked", "on-hold"},
    "Communication": {"completed"},
}

runner = CliRunner()


# --- Checks every Bundle gets ---------------------------------------------------------------------------


def codings(value: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every Coding (and coded Quantity) in a resource, with where it is."""
    if isinstance(value, dict):
        if "code" in value and "system" in value:
            yield path, value
        for key, item in value.items():
            yield from codings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from codings(item, f"{path}[{index}]")


def references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def check_bundle(bundle: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Validate the Bundle and each resource with fhir.resources, its codes against EXPECTED_CODES,
    its references and ids; return the resources by type."""
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    Bundle.model_validate(bundle)
    by_type: dict[str, list[dict[str, Any]]] = {}
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(full_urls) == len(set(full_urls)), "a fullUrl appears twice"
    for entry in bundle["entry"]:
        resource = entry["resource"]
        kind = resource["resourceType"]
        get_fhir_model_class(kind).model_validate(resource)
        by_type.setdefault(kind, []).append(resource)
        # urn:uuid of a name-based (version 5) uuid, and the resource's id is that uuid.
        match = re.fullmatch(r"urn:uuid:([0-9a-f-]{36})", entry["fullUrl"])
        assert match, entry["fullUrl"]
        assert uuid.UUID(match[1]).version == 5
        assert resource["id"] == match[1]
        allowed = STATUSES[kind]
        if allowed is not None:
            assert resource["status"] in allowed, (kind, resource["status"])
        for where, coding in codings(resource):
            assert coding["system"] in EXPECTED_CODES, f"{kind}{where}: unknown system {coding['system']}"
            assert coding["code"] in EXPECTED_CODES[coding["system"]], f"{kind}{where}: {coding}"
        for reference in references(resource):
            assert reference in full_urls, f"{kind}: {reference} is not in the Bundle"
    assert len(by_type["Patient"]) == 1
    patient_ref = f"urn:uuid:{by_type['Patient'][0]['id']}"
    for kind, resources in by_type.items():
        for resource in resources:
            if kind != "Patient":
                assert resource["subject"] == {"reference": patient_ref}, kind
    return by_type


def codes_of(resource: dict[str, Any], element: str = "code") -> list[tuple[str, str]]:
    return [(c["system"], c["code"]) for c in resource[element].get("coding", [])]


def observations_coded(
    by_type: dict[str, list[dict[str, Any]]], system: str, code: str
) -> list[dict[str, Any]]:
    return [o for o in by_type.get("Observation", []) if (system, code) in codes_of(o)]


def check_plan(
    by_type: dict[str, list[dict[str, Any]]], program: dict[str, Any], status: str
) -> dict[str, Any]:
    """The CarePlan of `program` has a ServiceRequest per exercise (and one for walking), each coded
    with SNOMED CT 229065009 and the exercise id, the name and dose in its text, a weekly or daily
    timing from sessions_per_week / times_per_day."""
    plans = [p for p in by_type["CarePlan"] if p["status"] == status]
    assert len(plans) == 1
    plan = plans[0]
    requests = {f"urn:uuid:{r['id']}": r for r in by_type["ServiceRequest"]}
    planned = [requests[a["reference"]["reference"]] for a in plan["activity"]]
    expected_ids = [e["id"] for e in program["exercises"]] + (["walking"] if program.get("walking") else [])
    assert [codes_of(r)[1][1] for r in planned] == expected_ids
    for request, exercise in zip(planned, program["exercises"], strict=False):
        assert codes_of(request)[0] == (SNOMED, EXERCISE_THERAPY)
        assert request["code"]["coding"][0]["display"] == "Exercise therapy"
        assert request["code"]["text"] == exercise["name"]
        assert request["status"] == status
        assert request["basedOn"] == [{"reference": f"urn:uuid:{plan['id']}"}]
        words = (
            f"{exercise['sets']} x {exercise['reps']} reps"
            if exercise["reps"] not in (None, 1)
            else f"hold {exercise['hold_seconds']} s"
        )
        assert words in request["patientInstruction"]
        assert exercise["name"] in request["text"]["div"]
        repeat = request["occurrenceTiming"]["repeat"]
        if exercise.get("times_per_day"):
            assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (
                exercise["times_per_day"], 1, "d"
            )  # fmt: skip
        else:
            assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (
                exercise["sessions_per_week"], 1, "wk"
            )  # fmt: skip
    if program.get("walking"):
        walk = planned[-1]
        assert codes_of(walk)[0] == (SNOMED, EXERCISE_THERAPY)
        repeat = walk["occurrenceTiming"]["repeat"]
        walking = program["walking"]
        assert repeat["duration"] == walking["minutes_per_bout"]
        assert repeat["frequency"] == walking["bouts_per_day"] * walking["days_per_week"]
    return plan


# --- A real account ------------------------------------------------------------------------------------


# At the reassessment: nothing agreed with, bothered a little: total 0, low risk.
LOW_RISK_ANSWERS: dict[str, Any] = {
    **dict.fromkeys(StartBackAnswers.model_fields, False),
    "bothersomeness": "slightly",
}


def startback_answers() -> dict[str, Any]:
    """Agree with the physical items and one distress item, bothered very much: total 6, distress 2."""
    answers: dict[str, Any] = dict.fromkeys(StartBackAnswers.model_fields, False)
    answers.update(leg_pain=True, shoulder_neck_pain=True, walk_short_distances=True, dress_slowly=True)
    answers.update(worrying_thoughts=True, bothersomeness="very_much")
    return answers


@pytest.fixture
def licensed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-in ODI, RMDQ and STarT Back wording, so the reassessment asks them."""
    _fake_wording(tmp_path)
    monkeypatch.setenv(instruments.LICENSED_DIR_SETTING, str(tmp_path))


def with_record(client: Client, email: str = "pat@example.org") -> Any:
    """A person who answered one warning sign yes (not a blocking one), got a program, did sessions,
    checked in (once with a warning sign), and answered a reassessment with every questionnaire, all
    through the real pages and services."""
    sign_up(client, email)
    answer_screen(client, yes=("thoracic_pain",))
    answers = {key: value for key, value in DESK_WORKER_ANSWERS.items() if key != "goals"}
    form = {
        k: ("agree" if v is True else "disagree" if v is False else v) for k, v in startback_answers().items()
    }
    answer_intake(client, {**answers, "startback": form, "goals": DESK_WORKER_ANSWERS["goals"]})
    assert client.post("/start/review/")["Location"] == "/program/"
    user = patient(email)
    Profile.objects.filter(user=user).update(display_name="Pat")
    start = started_days_ago(user, first_checkpoint() * 7)
    do_session(user, start + dt.timedelta(days=1), before=5, after=4)
    do_session(user, start + dt.timedelta(days=2), before=4, after=3)
    care_services.record_checkin(user, 3, {}, today=start + dt.timedelta(days=3))
    care_services.record_checkin(user, 4, {"constant_night_pain": True}, today=start + dt.timedelta(days=4))
    outcomes_services.record_reassessment(
        user,
        nprs=3,
        psfs_scores=[6, 7],
        odi_sections=[1, 2, 1, 0, 2, 1, 1, None, 1, 1],
        rmdq_yes=[2, 5, 9],
        startback=LOW_RISK_ANSWERS,
    )
    return user


def download(client: Client) -> dict[str, Any]:
    response = client.post("/settings/export.fhir.json", {"password": PASSWORD})
    assert response.status_code == 200, response
    result: dict[str, Any] = json.loads(response.content)
    return result


@pytest.mark.django_db
@pytest.mark.usefixtures("licensed")
def test_a_real_accounts_record_is_a_valid_bundle_with_the_expected_codes(client: Client) -> None:
    user = with_record(client)
    response = client.post("/settings/export.fhir.json", {"password": PASSWORD})
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="lumbar-fhir-{timezone.localdate().isoformat()}.json"'
    )
    assert "no-cache" in response["Cache-Control"]
    by_type = check_bundle(json.loads(response.content))

    # Patient: the name the person gave, the gender from the intake, no email (privacy by default).
    (person,) = by_type["Patient"]
    assert person["name"] == [{"text": "Pat"}]
    assert person["gender"] == "female"
    assert "telecom" not in person
    assert "pat@example.org" not in response.content.decode()
    assert person["id"] == fhir.resource_uuid(outputs_fhir.account_key(user), "Patient")

    # The intake, answering our Questionnaire.
    (intake,) = by_type["QuestionnaireResponse"]
    assert intake["questionnaire"] == f"{OURS}/Questionnaire/intake"
    items = {item["linkId"]: item for item in intake["item"]}
    assert items["age"]["answer"] == [{"valueInteger": 38}]
    pain = {item["linkId"]: item for item in items["pain"]["item"]}
    assert pain["pain.now"]["answer"] == [{"valueInteger": 4}]
    goals = [item for item in intake["item"] if item["linkId"] == "goals"]
    assert [[(i["linkId"], i["answer"]) for i in g["item"]] for g in goals] == [
        [
            ("goals.activity", [{"valueString": "Sit through a meeting"}]),
            ("goals.score", [{"valueInteger": 4}]),
        ],
        [("goals.activity", [{"valueString": "Tie my shoes"}]), ("goals.score", [{"valueInteger": 6}])],
    ]  # in the contract's order, whatever order the database keeps a JSON object's keys in
    assert [item["linkId"] for item in intake["item"]][:3] == ["age", "sex", "episode_weeks"]

    # Scores: every stored score appears once, with its instrument's code.
    stored = list(OutcomeScore.objects.filter(patient=user).order_by("date", "id"))
    nprs = observations_coded(by_type, LOINC, NPRS)
    score_nprs = [o for o in nprs if len(o["code"]["coding"]) == 1]
    assert [o["valueInteger"] for o in score_nprs] == [s.score for s in stored if s.instrument == "nprs"]
    assert [o["valueInteger"] for o in score_nprs] == [4, 3]
    (odi,) = observations_coded(by_type, LOINC, ODI_SCORE)
    assert odi["valueQuantity"]["value"] == instruments.score_odi([1, 2, 1, 0, 2, 1, 1, None, 1, 1]).percent
    assert (odi["valueQuantity"]["system"], odi["valueQuantity"]["code"]) == (UCUM, "%")
    (rmdq,) = observations_coded(by_type, f"{OURS}/CodeSystem/observation", "rmdq-score")
    assert rmdq["valueInteger"] == 3
    psfs = observations_coded(by_type, f"{OURS}/CodeSystem/observation", "psfs-score")
    assert [o["valueQuantity"]["value"] for o in psfs] == [5.0, 6.5]
    assert [c["code"]["text"] for c in psfs[1]["component"]] == ["Sit through a meeting", "Tie my shoes"]
    for observation in [rmdq, *psfs]:  # no LOINC code in the reference: none invented
        assert all(system != LOINC for system, _ in codes_of(observation))

    # STarT Back at the intake (medium risk) and at the reassessment (low): each a panel with its
    # members, and a RiskAssessment on them.
    results = [
        instruments.score_startback(StartBackAnswers.model_validate(answers))
        for answers in (startback_answers(), LOW_RISK_ANSWERS)
    ]
    assert [r.risk for r in results] == ["medium", "low"]
    panels = observations_coded(by_type, LOINC, STARTBACK["panel"])
    totals = observations_coded(by_type, LOINC, STARTBACK["total"])
    distress = observations_coded(by_type, LOINC, STARTBACK["psychosocial"])
    levels = observations_coded(by_type, LOINC, STARTBACK["risk"])
    risks = by_type["RiskAssessment"]
    assert len(panels) == len(risks) == 2
    for n, expected in enumerate(results):
        assert (totals[n]["valueInteger"], distress[n]["valueInteger"]) == (
            expected.total,
            expected.psychosocial,
        )
        assert codes_of(levels[n], "valueCodeableConcept") == [(LOINC, RISK_ANSWERS[expected.risk])]
        members = {f"urn:uuid:{o['id']}" for o in (totals[n], distress[n], levels[n])}
        assert {m["reference"] for m in panels[n]["hasMember"]} == members
        assert codes_of(risks[n], "method") == [(LOINC, STARTBACK["panel"])]
        qualitative = [
            (c["system"], c["code"]) for c in risks[n]["prediction"][0]["qualitativeRisk"]["coding"]
        ]
        probability = {"low": "low", "medium": "moderate", "high": "high"}[expected.risk]
        assert qualitative == [
            ("http://terminology.hl7.org/CodeSystem/risk-probability", probability),
            (LOINC, RISK_ANSWERS[expected.risk]),
        ]
        assert {b["reference"] for b in risks[n]["basis"]} == members

    # A Flag per warning sign answered yes, with its tier: the screen's and the check-in's.
    flags = {codes_of(f)[0][1]: f for f in by_type["Flag"]}
    assert set(flags) == {"thoracic_pain", "constant_night_pain"}
    assert len(by_type["Flag"]) == 2  # the intake's screens restate its answers: counted once
    for key, flag in flags.items():
        rule = next(r for r in RULES.red_flags if r.key == key)
        assert (f"{OURS}/CodeSystem/triage-tier", rule.tier) in [
            (c["system"], c["code"]) for category in flag["category"] for c in category["coding"]
        ]
        assert flag["status"] == "active"

    # A CarePlan per program version, the latest active, each earlier one revoked and replaced.
    versions = list(ProgramVersion.objects.filter(patient=user).order_by("number"))
    assert len(by_type["CarePlan"]) == len(versions)
    check_plan(by_type, versions[-1].program, "active")
    assert sum(p["status"] == "revoked" for p in by_type["CarePlan"]) == len(versions) - 1

    # An Observation per completed session, pain before and after; one per check-in.
    sessions = observations_coded(by_type, f"{OURS}/CodeSystem/observation", "exercise-session")
    assert [s["effectiveDateTime"] for s in sessions] == [
        (timezone.localdate() - dt.timedelta(days=first_checkpoint() * 7 - n)).isoformat() for n in (1, 2)
    ]
    pains = [
        {c["code"]["coding"][-1]["code"]: c.get("valueInteger") for c in s["component"]} for s in sessions
    ]
    assert [(p["pain-before-session"], p["pain-after-session"]) for p in pains] == [(5, 4), (4, 3)]
    assert all(p["exercises-completed"] == len(versions[0].program["exercises"]) for p in pains[:1])
    for s in sessions:
        assert s["basedOn"][0]["reference"] in {f"urn:uuid:{p['id']}" for p in by_type["CarePlan"]}
    checkin_pains = [o for o in nprs if len(o["code"]["coding"]) == 2 and "component" not in o]
    assert sorted(o["valueInteger"] for o in checkin_pains) == [3, 4]

    # The alerts the app gave (the warning sign at the check-in among them).
    alerts = list(Alert.objects.filter(patient=user))
    assert len(by_type["Communication"]) == len(alerts) > 0
    assert "red_flag" in {c["category"][0]["coding"][0]["code"] for c in by_type["Communication"]}


@pytest.mark.django_db
@pytest.mark.usefixtures("licensed")
def test_the_same_record_gives_the_same_bundle(client: Client) -> None:
    user = with_record(client)
    first = client.post("/settings/export.fhir.json", {"password": PASSWORD}).content
    second = client.post("/settings/export.fhir.json", {"password": PASSWORD}).content
    assert first == second
    assert outputs_fhir.bundle_for(user) == json.loads(first)
    # A new session adds resources; the ones already there keep their ids and contents.
    do_session(user, timezone.localdate(), before=3, after=2)
    third = json.loads(client.post("/settings/export.fhir.json", {"password": PASSWORD}).content)
    before = {e["fullUrl"]: e["resource"] for e in json.loads(first)["entry"]}
    after = {e["fullUrl"]: e["resource"] for e in third["entry"]}
    assert set(before) <= set(after)
    unchanged = [url for url, resource in before.items() if after[url] == resource]
    assert len(unchanged) >= len(before) - 2 * len(by_kind(third, "CarePlan")) - len(
        by_kind(third, "ServiceRequest")
    )


def by_kind(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.mark.django_db
def test_the_email_goes_in_only_when_the_caller_asks(client: Client) -> None:
    onboard(client)
    user = patient()
    (person,) = by_kind(outputs_fhir.bundle_for(user), "Patient")
    assert "telecom" not in person
    assert "name" not in person  # no name given, none made up
    (person,) = by_kind(outputs_fhir.bundle_for(user, include_email=True), "Patient")
    assert person["telecom"] == [{"system": "email", "value": "pat@example.org", "use": "home"}]


@pytest.mark.django_db
def test_a_patient_downloads_only_their_own_record(client: Client) -> None:
    onboard(client, "first@example.org")
    other = Client()
    onboard(
        other,
        "second@example.org",
        answers={**DESK_WORKER_ANSWERS, "goals": {"activity_1": "Garden", "score_1": "3"}},
    )
    first, second = patient("first@example.org"), patient("second@example.org")
    mine = download(other)
    check_bundle(mine)
    raw = json.dumps(mine)
    assert fhir.resource_uuid(outputs_fhir.account_key(second), "Patient") in raw
    assert fhir.resource_uuid(outputs_fhir.account_key(first), "Patient") not in raw
    assert "Garden" in raw
    assert "Sit through a meeting" not in raw
    assert outputs_fhir.account_key(first) != outputs_fhir.account_key(second)


@pytest.mark.django_db
def test_the_download_needs_a_signed_in_patient_and_their_password(client: Client) -> None:
    signed_out = Client().post("/settings/export.fhir.json", {"password": PASSWORD})
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith("/accounts/login/")
    onboard(client)
    wrong = client.post("/settings/export.fhir.json", {"password": "not-my-password"})
    assert wrong.status_code == 302
    assert wrong["Location"] == "/settings/#data-heading"
    assert "resourceType" not in wrong.content.decode()
    assert client.get("/settings/export.fhir.json").status_code == 405
    user = patient()
    Profile.objects.filter(user=user).update(role=Profile.THERAPIST)
    therapist = client.post("/settings/export.fhir.json", {"password": PASSWORD})
    assert (therapist.status_code, therapist["Location"]) == (302, "/clinic/")


@pytest.mark.django_db
def test_the_settings_page_offers_the_fhir_download_with_the_same_password(client: Client) -> None:
    onboard(client)
    page = client.get("/settings/").content.decode()
    form = page.split('action="/settings/export.json"')[1].split("</form>")[0]
    assert 'formaction="/settings/export.fhir.json"' in form
    assert 'name="password"' in form


@pytest.mark.django_db
def test_a_warning_sign_a_clinician_has_since_checked_is_an_inactive_flag(client: Client) -> None:
    with_record_flags = Client()
    sign_up(with_record_flags, "flag@example.org")
    answer_screen(with_record_flags, yes=("thoracic_pain",))
    answer_intake(with_record_flags)
    with_record_flags.post("/start/review/")
    user = patient("flag@example.org")
    onboarding_services.clear_blocking_screen(user)
    by_type = check_bundle(outputs_fhir.bundle_for(user))
    (flag,) = by_type["Flag"]
    assert flag["status"] == "inactive"
    assert flag["period"]["end"] >= flag["period"]["start"]


# --- The command line --------------------------------------------------------------------------------

# An acute back pain eased by bending backward (little and often: times_per_day), with a warning sign
# that does not block (thoracic pain) and STarT Back answers (the program's risk stratum).
ACUTE_WITH_FLAG: dict[str, Any] = {
    "age": 40,
    "episode_weeks": 2,
    "pain": {"now": 6},
    "leg_symptoms": "none",
    "directional_preference": "extension",
    "red_flags": {"thoracic_pain": True},
    "startback": startback_answers(),
}


@pytest.fixture(scope="module")
def cli_program() -> dict[str, Any]:
    program = program_for(ACUTE_WITH_FLAG, CATALOG)
    assert program["status"] == "ok"
    assert program["risk"] == "medium"
    assert any(e.get("times_per_day") for e in program["exercises"])
    return program


def cli_history(program: dict[str, Any]) -> dict[str, Any]:
    sessions = [session(0, every_log(program)), session(1, every_log(program), pain_before=4)]
    sessions[1]["pain_after"] = 3
    sessions[1]["exercises"][0] = log(program, program["exercises"][0]["id"], completed=False)
    checkins = [
        {"date": day(1), "morning_pain": 4},
        {"date": day(2), "morning_pain": 3, "red_flags": {"bladder_change": True}},
    ]
    outcomes = [
        {"date": day(0), "instrument": "nprs", "score": 6},
        {"date": day(0), "instrument": "odi", "score": 32.0},
        {"date": day(0), "instrument": "rmdq", "score": 9},
        {"date": day(0), "instrument": "psfs", "score": 4.5},
        {"date": day(2), "instrument": "nprs", "score": 4},
    ]
    return history(program, 2, sessions, checkins, outcomes)


def write(tmp_path: Path, data: dict[str, Any], name: str = "history.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_exports_a_history_as_a_valid_bundle(
    cli_program: dict[str, Any], tmp_path: Path, contract_validator: Callable[..., Callable[[Any], None]]
) -> None:
    data = cli_history(cli_program)
    contract_validator("progress", "History")(data)
    out = tmp_path / "bundle.json"
    code, stdout, stderr = run("export", "fhir", "--history", str(write(tmp_path, data)), "--out", str(out))
    assert (code, stdout, stderr) == (0, "", "")
    by_type = check_bundle(json.loads(out.read_text(encoding="utf-8")))
    assert set(by_type) == {"Patient", "Observation", "RiskAssessment", "Flag", "CarePlan", "ServiceRequest"}
    (person,) = by_type["Patient"]
    assert set(person) == {"resourceType", "id", "active"}  # nothing about the person is known
    nprs = [o for o in observations_coded(by_type, LOINC, NPRS) if len(o["code"]["coding"]) == 1]
    assert [(o["effectiveDateTime"], o["valueInteger"]) for o in nprs] == [(day(0), 6), (day(2), 4)]
    (odi,) = observations_coded(by_type, LOINC, ODI_SCORE)
    assert odi["valueQuantity"]["value"] == 32.0
    (rmdq,) = observations_coded(by_type, f"{OURS}/CodeSystem/observation", "rmdq-score")
    assert rmdq["valueInteger"] == 9
    (psfs,) = observations_coded(by_type, f"{OURS}/CodeSystem/observation", "psfs-score")
    assert psfs["valueQuantity"]["value"] == 4.5
    # No STarT Back scores in a History: the risk is the program's, with no basis.
    (risk,) = by_type["RiskAssessment"]
    coded = [(c["system"], c["code"]) for c in risk["prediction"][0]["qualitativeRisk"]["coding"]]
    assert coded == [
        ("http://terminology.hl7.org/CodeSystem/risk-probability", "moderate"),
        (LOINC, "LA8982-6"),
    ]
    assert "basis" not in risk
    # The program's triage flag and the check-in's, each with its own tier.
    tiers = {
        codes_of(f)[0][1]: next(
            c["code"] for cat in f["category"] for c in cat["coding"] if "triage-tier" in c["system"]
        )
        for f in by_type["Flag"]
    }
    assert tiers == {"thoracic_pain": "see_doctor_soon", "bladder_change": "emergency_now"}
    check_plan(by_type, cli_program, "active")
    sessions = observations_coded(by_type, f"{OURS}/CodeSystem/observation", "exercise-session")
    assert [s["effectiveDateTime"] for s in sessions] == [day(0), day(1)]
    done = [
        next(
            c["valueInteger"]
            for c in s["component"]
            if c["code"]["coding"][-1]["code"] == "exercises-completed"
        )
        for s in sessions
    ]
    assert done == [len(cli_program["exercises"]), len(cli_program["exercises"]) - 1]
    assert "not done" in sessions[1]["note"][0]["text"]
    morning = observations_coded(by_type, f"{OURS}/CodeSystem/observation", "morning-pain")
    assert [o["valueInteger"] for o in morning] == [4, 3]


def test_the_cli_gives_the_same_bundle_for_the_same_history_and_keeps_ids_with_a_patient_key(
    cli_program: dict[str, Any], tmp_path: Path
) -> None:
    data = cli_history(cli_program)
    path = write(tmp_path, data)
    first = run("export", "fhir", "--history", str(path))
    again = run("export", "fhir", "--history", "-", stdin=path.read_text(encoding="utf-8"))
    assert first[0] == again[0] == 0
    assert first[1] == again[1]
    # A longer history of the same person: with --patient, what was there keeps its ids.
    longer = copy.deepcopy(data)
    longer["sessions"].append(session(2, every_log(cli_program)))
    before = json.loads(run("export", "fhir", "--history", str(path), "--patient", "MRN-1")[1])
    after = json.loads(
        run("export", "fhir", "--history", str(write(tmp_path, longer, "l.json")), "--patient", "MRN-1")[1]
    )
    urls = {e["fullUrl"] for e in before["entry"]}
    assert urls < {e["fullUrl"] for e in after["entry"]}
    assert "MRN-1" not in json.dumps(after)  # only a hash of the key is written
    # Without it, a different history is a different (anonymous) person.
    other = json.loads(run("export", "fhir", "--history", str(write(tmp_path, longer, "m.json")))[1])
    assert by_kind(other, "Patient")[0]["id"] != by_kind(json.loads(first[1]), "Patient")[0]["id"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "error: history: not valid JSON"),
        ("[]", "error: history: must be a JSON object"),
        ('{"today": "2025-03-03", "sessions": []}', "error: history: program: required but missing"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    content: str, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    out = tmp_path / "bundle.json"
    code, stdout, stderr = run("export", "fhir", "--history", str(path), "--out", str(out))
    assert code == 2
    assert stdout == ""
    assert stderr.startswith(message), stderr
    assert stderr.count("\n") == 1
    assert not out.exists()


def test_a_pain_score_out_of_range_names_the_field(cli_program: dict[str, Any], tmp_path: Path) -> None:
    data = cli_history(cli_program)
    data["sessions"][0]["pain_before"] = 12
    code, stdout, stderr = run("export", "fhir", "--history", str(write(tmp_path, data)))
    assert (code, stdout) == (2, "")
    assert stderr.startswith("error: history: sessions.0.pain_before:"), stderr


def test_a_missing_file_and_an_unwritable_output_exit_2(cli_program: dict[str, Any], tmp_path: Path) -> None:
    code, _, stderr = run("export", "fhir", "--history", str(tmp_path / "nope.json"))
    assert code == 2
    assert "does not exist" in stderr
    path = write(tmp_path, cli_history(cli_program))
    code, _, stderr = run("export", "fhir", "--history", str(path), "--out", str(tmp_path / "no" / "b.json"))
    assert code == 2
    assert stderr.startswith("error: cannot write")
    assert stderr.count("\n") == 1


def test_export_is_listed_in_help() -> None:
    code, stdout, _ = run("--help")
    assert code == 0
    assert "export" in stdout
    code, stdout, _ = run("export", "fhir", "--help")
    assert code == 0
    assert "--history" in stdout
    assert "--out" in stdout


def test_the_history_parser_refuses_an_unknown_key_before_anything_is_built(
    cli_program: dict[str, Any], tmp_path: Path
) -> None:
    data = cli_history(cli_program)
    data["sessions"][0]["extra"] = 1
    code, stdout, stderr = run("export", "fhir", "--history", str(write(tmp_path, data)))
    assert (code, stdout) == (2, "")
    assert "sessions.0.extra" in stderr


def test_the_pure_builder_marks_a_superseded_plan_revoked_and_links_the_versions() -> None:
    program = program_for(CHRONIC_LOW_FITNESS, CATALOG)
    later = copy.deepcopy(program)
    later["exercises"] = later["exercises"][:2]
    record = fhir.PatientRecord(
        account_key="k",
        programs=[
            fhir.ProgramVersion(number=1, made=dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC), program=program),
            fhir.ProgramVersion(number=2, made=dt.datetime(2025, 3, 10, 9, tzinfo=dt.UTC), program=later),
        ],
    )
    by_type = check_bundle(fhir.build_bundle(record))
    first, second = by_type["CarePlan"]
    assert (first["status"], second["status"]) == ("revoked", "active")
    assert second["replaces"] == [{"reference": f"urn:uuid:{first['id']}"}]
    assert first["period"] == {"start": "2025-03-03T09:00:00Z", "end": "2025-03-10T09:00:00Z"}
    check_plan(by_type, later, "active")
    check_plan(by_type, program, "revoked")
    stamped = fhir.build_bundle(record, timestamp=dt.datetime(2025, 3, 11, tzinfo=dt.UTC))
    assert stamped["timestamp"] == "2025-03-11T00:00:00Z"


def test_an_intake_stored_under_an_older_contract_is_still_exported_with_its_keys_in_order() -> None:
    record = fhir.PatientRecord(
        account_key="k",
        intakes=[
            fhir.IntakeAnswers(
                key="1", answered=dt.date(2024, 5, 2), answers={"zeta": 1, "age": 40, "old": True}
            )
        ],
    )
    by_type = check_bundle(fhir.build_bundle(record))
    (intake,) = by_type["QuestionnaireResponse"]
    assert [item["linkId"] for item in intake["item"]] == ["age", "old", "zeta"]
    assert intake["authored"] == "2024-05-02"
