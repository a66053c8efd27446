"""Reads for the clinic side. A therapist reads only the patients linked to their clinic.

The caseload is read in a fixed number of queries whatever the page size: one for the page (its
order and need computed by the database, so sorting by need covers every patient, not just a
page), then one each for the page's alerts, scores, exercise days and programs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import Case, DateField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from lumbar.domain import adherence, instruments
from lumbar.domain.progression_rules import default_rules
from lumbar.web.clinic.models import AuditEvent, Invite, Therapist
from lumbar.web.formcheck import presenters as formcheck_presenters
from lumbar.web.records import selectors as records
from lumbar.web.records.models import (
    Alert,
    CheckIn,
    ExerciseLog,
    ExerciseSession,
    OutcomeScore,
    Profile,
    ProgramVersion,
)

User = get_user_model()

PAGE_SIZE = 25
# "No activity": no session and no check-in for this many days (a display choice for sorting the
# caseload, LUMBAR_CASELOAD_QUIET_DAYS; the clinical low-adherence alert has its own rule).
QUIET_DAYS_SETTING = "LUMBAR_CASELOAD_QUIET_DAYS"
DEFAULT_QUIET_DAYS = 7
# Need, most pressing first: open alerts by severity, then patients who have gone quiet.
NEED_EMERGENCY, NEED_URGENT, NEED_REVIEW, NEED_QUIET, NEED_NONE = range(5)
NEED_LABELS = {
    NEED_EMERGENCY: "Emergency alert",
    NEED_URGENT: "Urgent alert",
    NEED_REVIEW: "Needs review",
    NEED_QUIET: "No activity",
    NEED_NONE: "On track",
}
SEVERITY_RANK = {"emergency": NEED_EMERGENCY, "urgent": NEED_URGENT, "review": NEED_REVIEW}
FUNCTION_ORDER = ("odi", "rmdq", "psfs")  # the function score shown: the first the person has
FILTERS = ("all", "alerts", "quiet")


def therapist_for(user: AbstractBaseUser) -> Therapist | None:
    if not user.is_authenticated:
        return None
    return Therapist.objects.select_related("clinic", "user").filter(user=user).first()


def clinic_patients(therapist: Therapist) -> QuerySet[Any]:
    """Every patient linked to a therapist of this therapist's clinic."""
    return User.objects.filter(
        profile__role=Profile.PATIENT, profile__therapist__therapist__clinic=therapist.clinic_id
    )


def linked_patient(therapist: Therapist, patient_id: int) -> Any | None:
    return clinic_patients(therapist).select_related("profile__therapist").filter(pk=patient_id).first()


def quiet_days() -> int:
    return int(getattr(settings, QUIET_DAYS_SETTING, DEFAULT_QUIET_DAYS))


# --- The caseload ---------------------------------------------------------------------------------


@dataclass
class Change:
    instrument: str
    name: str
    baseline: float
    latest: float
    direction: str  # improved / unchanged / worse, by the minimal important change
    reason: str


@dataclass
class CaseloadRow:
    patient: Any
    need: int
    therapist_email: str
    latest_pain: int | None = None
    latest_pain_on: dt.date | None = None
    pain_change: Change | None = None
    function_change: Change | None = None
    adherence: adherence.Adherence | None = None
    last_session: dt.date | None = None
    alerts: dict[str, int] = field(default_factory=dict)
    form_check: dict[str, Any] | None = None  # the latest camera check, in words

    @property
    def need_label(self) -> str:
        return NEED_LABELS[self.need]

    @property
    def name(self) -> str:
        return self.patient.profile.display_name or self.patient.email or self.patient.get_username()


@dataclass(frozen=True)
class _Standing:
    """What sorting by need reads of one patient: four values, read for every patient at once."""

    pk: int
    alert_rank: int
    last_session: dt.date | None
    last_activity: dt.date

    def need(self, quiet_since: dt.date) -> int:
        if self.alert_rank < NEED_QUIET:
            return self.alert_rank
        return NEED_QUIET if self.last_activity < quiet_since else NEED_NONE


def _standings(therapist: Therapist, *, mine: bool, search: str) -> list[_Standing]:
    """Every matching patient's alert rank and last activity in one query. The need and the order
    are worked out here rather than in SQL, where each use of an annotation repeats its subqueries."""
    open_alerts = Alert.objects.filter(
        patient=OuterRef("pk"), resolved_at__isnull=True, severity__in=list(SEVERITY_RANK)
    )
    alert_rank = Subquery(
        open_alerts.annotate(
            rank=Case(
                *(When(severity=s, then=Value(r)) for s, r in SEVERITY_RANK.items()),
                default=Value(NEED_NONE),
                output_field=IntegerField(),
            )
        )
        .order_by("rank")
        .values("rank")[:1],
        output_field=IntegerField(),
    )
    last_session = Subquery(
        ExerciseSession.objects.filter(patient=OuterRef("pk"), completed_at__isnull=False)
        .order_by("-date")
        .values("date")[:1],
        output_field=DateField(),
    )
    last_checkin = Subquery(
        CheckIn.objects.filter(patient=OuterRef("pk")).order_by("-date").values("date")[:1],
        output_field=DateField(),
    )
    # Starting a program counts as activity: a patient who joined this week is not "quiet".
    started = Subquery(
        ProgramVersion.objects.filter(patient=OuterRef("pk"))
        .order_by("number")
        .values("created_at__date")[:1],
        output_field=DateField(),
    )
    rows = clinic_patients(therapist)
    if mine:
        rows = rows.filter(profile__therapist=therapist.user_id)
    if search:
        rows = rows.filter(Q(email__icontains=search) | Q(profile__display_name__icontains=search))
    long_ago = dt.date(1970, 1, 1)
    return [
        _Standing(
            pk,
            NEED_NONE if rank is None else rank,
            session,
            max(session or long_ago, checkin or long_ago, start or long_ago),
        )
        for pk, rank, session, checkin, start in rows.annotate(
            alert_rank=alert_rank, last_session=last_session, last_checkin=last_checkin, started=started
        ).values_list("pk", "alert_rank", "last_session", "last_checkin", "started")
    ]


def caseload(
    therapist: Therapist,
    *,
    page: int = 1,
    mine: bool = False,
    search: str = "",
    show: str = "all",
    today: dt.date | None = None,
    page_size: int = PAGE_SIZE,
) -> tuple[Page[Any], list[CaseloadRow]]:
    """The page of the caseload, most pressing first: open alerts by severity, then patients with
    no session or check-in for `quiet_days()`, then the rest; within each, the longest quiet first."""
    today = today or timezone.localdate()
    quiet_since = today - dt.timedelta(days=quiet_days())
    standings = _standings(therapist, mine=mine, search=search.strip()[:80])
    needs = {s.pk: s.need(quiet_since) for s in standings}
    if show == "alerts":
        standings = [s for s in standings if needs[s.pk] < NEED_QUIET]
    elif show == "quiet":
        standings = [s for s in standings if needs[s.pk] == NEED_QUIET]
    standings.sort(key=lambda s: (needs[s.pk], s.last_activity, s.pk))
    paged = Paginator(standings, page_size).get_page(page)
    ids = [s.pk for s in paged.object_list]
    people = User.objects.select_related("profile", "profile__therapist").in_bulk(ids)
    rows = {
        s.pk: CaseloadRow(
            patient=people[s.pk],
            need=needs[s.pk],
            therapist_email=people[s.pk].profile.therapist.email if people[s.pk].profile.therapist else "",
            last_session=s.last_session,
        )
        for s in paged.object_list
    }
    if ids:
        _add_alerts(rows, ids)
        _add_scores(rows, ids)
        _add_adherence(rows, ids, today)
        _add_form_checks(rows, ids)
    return paged, [rows[i] for i in ids]


def _add_form_checks(rows: dict[int, CaseloadRow], ids: list[int]) -> None:
    latest = records.latest_form_checks(ids)
    for patient_id, check in latest.items():
        rows[patient_id].form_check = formcheck_presenters.listed([check])[0]


def _add_alerts(rows: dict[int, CaseloadRow], ids: list[int]) -> None:
    for patient_id, severity in Alert.objects.filter(
        patient__in=ids, resolved_at__isnull=True, severity__in=list(SEVERITY_RANK)
    ).values_list("patient_id", "severity"):
        counts = rows[patient_id].alerts
        counts[severity] = counts.get(severity, 0) + 1


def _add_scores(rows: dict[int, CaseloadRow], ids: list[int]) -> None:
    """Pain: the latest reading (a morning check-in or an NPRS score) against the first NPRS score.
    Function: the first of ODI, RMDQ, PSFS the person has, first score against latest."""
    content = instruments.default_instruments()
    names = {
        "nprs": content.nprs.short_name,
        "odi": content.odi.short_name,
        "rmdq": content.rmdq.short_name,
        "psfs": content.psfs.short_name,
    }
    scores: dict[int, dict[str, list[tuple[dt.date, float]]]] = {}
    for patient_id, instrument, day, score in (
        OutcomeScore.objects.filter(patient__in=ids, instrument__in=("nprs", *FUNCTION_ORDER))
        .order_by("date", "id")
        .values_list("patient_id", "instrument", "date", "score")
    ):
        scores.setdefault(patient_id, {}).setdefault(instrument, []).append((day, score))
    # The last check-in of each patient: a correlated subquery keeps it one query on both databases.
    newest = CheckIn.objects.filter(patient=OuterRef("patient_id")).order_by("-date").values("date")[:1]
    latest_morning: dict[int, tuple[dt.date, int]] = {
        patient_id: (day, pain)
        for patient_id, day, pain in CheckIn.objects.filter(
            patient__in=ids, date=Subquery(newest)
        ).values_list("patient_id", "date", "morning_pain")
    }
    for patient_id, row in rows.items():
        own = scores.get(patient_id, {})
        readings = [(d, float(s)) for d, s in own.get("nprs", [])]
        if patient_id in latest_morning:
            readings.append((latest_morning[patient_id][0], float(latest_morning[patient_id][1])))
        if readings:
            day, value = max(readings, key=lambda r: r[0])
            row.latest_pain, row.latest_pain_on = int(value), day
            if own.get("nprs"):
                row.pain_change = _change("nprs", names["nprs"], own["nprs"][0][1], value)
        for instrument in FUNCTION_ORDER:
            series = own.get(instrument)
            if series and len(series) > 1:
                row.function_change = _change(instrument, names[instrument], series[0][1], series[-1][1])
                break


def _change(instrument: str, name: str, before: float, after: float) -> Change:
    verdict = instruments.change(instrument, before, after)
    return Change(instrument, name, before, after, verdict.direction, verdict.reason)


def _add_adherence(rows: dict[int, CaseloadRow], ids: list[int], today: dt.date) -> None:
    """Exercise days over the adherence window (content/progression.toml [adherence]) against the
    days the current program prescribes, counted as the progression review counts them."""
    rules = default_rules().adherence
    window_start = today - dt.timedelta(days=rules.window_days - 1)
    walking = default_rules().walking.exercise_id
    days: dict[int, set[dt.date]] = {}
    for patient_id, day in (
        ExerciseLog.objects.filter(
            session__patient__in=ids,
            session__date__gte=window_start,
            session__date__lte=today,
            completed=True,
        )
        .exclude(exercise_id=walking)
        .values_list("session__patient_id", "session__date")
        .distinct()
    ):
        days.setdefault(patient_id, set()).add(day)
    newest = (
        ProgramVersion.objects.filter(patient=OuterRef("patient_id")).order_by("-number").values("number")[:1]
    )
    first = (
        ProgramVersion.objects.filter(patient=OuterRef("patient_id"))
        .order_by("number")
        .values("created_at")[:1]
    )
    for patient_id, program, started in (
        ProgramVersion.objects.filter(patient__in=ids, number=Subquery(newest))
        .annotate(started=Subquery(first))
        .values_list("patient_id", "program", "started")
    ):
        per_week = max((int(e.get("sessions_per_week", 0)) for e in program.get("exercises", [])), default=0)
        known = (today - timezone.localdate(started)).days + 1
        rows[patient_id].adherence = adherence.over_window(
            len(days.get(patient_id, ())), per_week, rules.window_days, known
        )


# --- Invitations and the audit trail ----------------------------------------------------------------


def open_invites(therapist: Therapist) -> list[Invite]:
    return list(
        Invite.objects.filter(
            therapist=therapist,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
    )


def audit_page(therapist: Therapist, page: int = 1, size: int = 50) -> Page[Any]:
    events = AuditEvent.objects.filter(clinic=therapist.clinic_id).select_related(
        "patient", "patient__profile"
    )
    return Paginator(events, size).get_page(page)


def audit_of(patient: AbstractBaseUser) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(patient=patient)


def audit_rows(patient: AbstractBaseUser) -> Iterator[dict[str, Any]]:
    """The patient's audit trail for their data export, oldest first."""
    yield from (
        AuditEvent.objects.filter(patient=patient)
        .order_by("at", "id")
        .values("at", "actor_email", "action", "detail", clinic_name=F("clinic__name"))
        .iterator(chunk_size=200)
    )


# --- The monthly summary (remote-monitoring data) ----------------------------------------------------

MONTHLY_COLUMNS = (
    "patient",
    "email",
    "therapist",
    "month",
    "days_with_data",
    "sessions",
    "exercise_minutes",
    "checkins",
    "alerts",
)


def monthly_rows(
    therapist: Therapist, first_day: dt.date, patient_id: int | None = None
) -> Iterator[dict[str, Any]]:
    """One row per patient of the clinic for the month starting `first_day`: the days with any data
    (a session or a check-in), the finished sessions, the minutes of exercise done (each completed
    exercise at the dose logged, timed as the planner times it), check-ins and alerts raised."""
    from lumbar.domain.catalog import default_catalog
    from lumbar.domain.prescription import exercise_seconds
    from lumbar.domain.prescription_rules import default_rules as prescription_rules

    last_day = (first_day + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    patients = clinic_patients(therapist).select_related("profile", "profile__therapist").order_by("pk")
    if patient_id is not None:
        patients = patients.filter(pk=patient_id)
    catalog, rules = default_catalog(), prescription_rules()
    # Batches keep memory flat however large the clinic.
    ids_all = list(patients.values_list("pk", flat=True))
    for start in range(0, len(ids_all), 200):
        ids = ids_all[start : start + 200]
        people = {p.pk: p for p in patients.filter(pk__in=ids)}
        days: dict[int, set[dt.date]] = {i: set() for i in ids}
        sessions: dict[int, int] = dict.fromkeys(ids, 0)
        seconds: dict[int, float] = dict.fromkeys(ids, 0.0)
        for patient_id_, day, completed in ExerciseSession.objects.filter(
            patient__in=ids, date__gte=first_day, date__lte=last_day
        ).values_list("patient_id", "date", "completed_at"):
            days[patient_id_].add(day)
            sessions[patient_id_] += completed is not None
        for patient_id_, exercise_id, sets, reps, hold in (
            ExerciseLog.objects.filter(
                session__patient__in=ids,
                session__date__gte=first_day,
                session__date__lte=last_day,
                completed=True,
            )
            .values_list("session__patient_id", "exercise_id", "sets", "reps", "hold_seconds")
            .iterator(chunk_size=2000)
        ):
            exercise = catalog.exercises.get(exercise_id)
            if exercise is not None and sets:
                seconds[patient_id_] += exercise_seconds(exercise, sets, reps, hold, rules)
        checkins: dict[int, int] = dict.fromkeys(ids, 0)
        for patient_id_, day in CheckIn.objects.filter(
            patient__in=ids, date__gte=first_day, date__lte=last_day
        ).values_list("patient_id", "date"):
            days[patient_id_].add(day)
            checkins[patient_id_] += 1
        alerts: dict[int, int] = dict.fromkeys(ids, 0)
        for patient_id_ in Alert.objects.filter(
            patient__in=ids, created_at__date__gte=first_day, created_at__date__lte=last_day
        ).values_list("patient_id", flat=True):
            alerts[patient_id_] += 1
        for pk in ids:
            person = people[pk]
            yield {
                "patient_id": pk,  # for the audit trail, not a column
                "patient": person.profile.display_name or person.email,
                "email": person.email,
                "therapist": person.profile.therapist.email if person.profile.therapist else "",
                "month": first_day.strftime("%Y-%m"),
                "days_with_data": len(days[pk]),
                "sessions": sessions[pk],
                "exercise_minutes": round(seconds[pk] / 60),
                "checkins": checkins[pk],
                "alerts": alerts[pk],
            }
