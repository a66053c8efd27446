"""Therapist workspace speed (issue 17): the caseload and a patient's record with 1,000 patients.

A clinic with three therapists and 1,000 linked patients, each with a year of sessions (exercise logs
included), morning check-ins, outcome scores, program versions and alerts. Then, signed in as the
clinic's admin (Django's test client, force_login), each page is rendered N times: the median and
the slowest 5% (p95) are printed with their ratio to the 300 ms target, and the number of queries
each render makes (CaptureQueriesContext). The caseload's query count is shown at page sizes 10, 25
and 50 and with 100 and 1,000 patients: it must not grow with either.

How the patients are made. Making 1,000 people x 365 days through the real services would take
hours, so:
1. The first patient is made through the real pages and services, as the tests do
   (tests/clinic_helpers.py, tests/care_helpers.py, tests/care_history.py): sign-up, the
   warning-sign screen and the intake with the test client, the therapist's invitation code entered
   on /join/, then a year of check-ins (`check_in`) and Monday-to-Friday sessions (`do_session`),
   each followed by the real progression review, which makes program versions and alerts as it does
   for a person. Versions and alerts are dated on the day they were made.
2. The other 999 are clones of the first one's rows, written with bulk_create in batches (so memory
   stays flat): the same program versions, intake, screen, baseline scores, sessions with their
   logs and check-ins, with varied pains, adherence (some sessions and check-ins left out), last
   activity (one in five went quiet 8-90 days ago), reassessment scores, open and closed alerts
   (acknowledged or resolved by a therapist) and, for one in three, a program version changed by a
   therapist.

Databases: SQLite (a file database in a temporary directory, settings lumbar.web.settings.test) and
PostgreSQL (a throwaway server from scripts/with-postgres.sh). With no argument (as `make bench`
runs it) the bench runs on SQLite, then on PostgreSQL when its server is installed; otherwise it
says how to run that half.

Run: .venv/bin/python bench/bench_clinic.py [--database sqlite|postgres|both] [--renders N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 300.0
PATIENTS = 1_000
FIRST_STEP = 100  # measured once at 100 patients, then again at 1,000
DAYS = 365
BATCH = 25  # patients per bulk_create transaction
THERAPISTS = ("anna@riverside.example", "ben@riverside.example", "cara@riverside.example")
PAGE_SIZES = (10, 25, 50)


def postgres_installed() -> bool:
    return any(os.access(p, os.X_OK) for p in Path("/usr/lib/postgresql").glob("*/bin/initdb"))


# --- Django ----------------------------------------------------------------------------------------


def set_up_django(data_dir: str) -> None:
    os.environ["LUMBAR_DATA_DIR"] = data_dir  # the SQLite file goes here (unless DATABASE_URL is set)
    os.environ.setdefault("LUMBAR_CACHE_DIR", str(Path(data_dir) / "cache"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "lumbar.web.settings.test"
    sys.path.insert(0, str(ROOT))  # tests/*_helpers.py drive the real pages and services

    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()  # the in-memory outbox (sign-up confirmation) and the testserver host
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per sign-in otherwise
    call_command("migrate", verbosity=0)


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (file in a temporary directory)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]} (throwaway server, scripts/with-postgres.sh)"


# --- The first patient, through the real services -------------------------------------------------


def morning_pain(day_number: int, rng: random.Random) -> int:
    """Pain easing from 5 to about 2 over the year, with day-to-day noise and a flare every ~9 weeks."""
    base = 5 - 3 * min(1.0, day_number / 200)
    if day_number % 63 in (40, 41, 42):
        base += 4
    return max(0, min(10, round(base + rng.uniform(-1, 1))))


def make_staff() -> tuple[Any, list[Any]]:
    from tests.clinic_helpers import clinic_with_admin, colleague

    admin = clinic_with_admin("Riverside Physio", THERAPISTS[0])
    others = [colleague(admin, email) for email in THERAPISTS[1:]]
    return admin, [admin.therapist, *(o.therapist for o in others)]


def make_first_patient(admin: Any) -> Any:
    """Sign-up, screen, intake and /join/ through the pages; a year of check-ins and sessions through
    the services (the progression review runs after each). Versions and alerts get their real day."""
    from django.utils import timezone
    from tests.care_history import check_in, do_session, started_days_ago
    from tests.clinic_helpers import linked_patient

    from lumbar.web.records.models import Alert, ProgramVersion

    patient, _client = linked_patient(admin, "p0000@bench.example")
    today = timezone.localdate()
    start = started_days_ago(patient, DAYS)
    ProgramVersion.objects.filter(patient=patient).update(created_at=at(start))
    rng = random.Random(0)
    known_versions = set(ProgramVersion.objects.filter(patient=patient).values_list("pk", flat=True))
    known_alerts: set[int] = set()
    for n in range(1, DAYS):
        day = start + dt.timedelta(days=n)
        if day >= today:
            break
        pain = morning_pain(n, rng)
        check_in(patient, day, pain)
        if day.weekday() < 5:
            do_session(patient, day, before=pain, after=max(0, pain - rng.choice((0, 1, 1, 2))))
        versions = set(ProgramVersion.objects.filter(patient=patient).values_list("pk", flat=True))
        alerts = set(Alert.objects.filter(patient=patient).values_list("pk", flat=True))
        ProgramVersion.objects.filter(pk__in=versions - known_versions).update(created_at=at(day))
        Alert.objects.filter(pk__in=alerts - known_alerts).update(created_at=at(day))
        known_versions, known_alerts = versions, alerts
    return patient


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


# --- The others: clones of the first patient's rows -----------------------------------------------


class Template:
    """The first patient's rows, read once."""

    def __init__(self, patient: Any) -> None:
        from lumbar.web.records.models import (
            Alert,
            CheckIn,
            ExerciseSession,
            IntakeRecord,
            OutcomeScore,
            ProgramVersion,
            ScreeningEvent,
        )

        self.patient = patient
        self.versions = list(ProgramVersion.objects.filter(patient=patient).order_by("number"))
        self.intake = IntakeRecord.objects.filter(patient=patient).order_by("created_at").first()
        self.screenings = list(ScreeningEvent.objects.filter(patient=patient).order_by("created_at"))
        self.outcomes = list(OutcomeScore.objects.filter(patient=patient).order_by("date", "id"))
        self.sessions = list(
            ExerciseSession.objects.filter(patient=patient).order_by("date").prefetch_related("logs")
        )
        self.checkins = list(CheckIn.objects.filter(patient=patient).order_by("date"))
        self.alerts = list(Alert.objects.filter(patient=patient).order_by("created_at"))
        self.start = self.versions[0].created_at.date()
        # Shared values for the clones' JSON columns (adapted once, see Rows).
        self.changed_reasons = ["Your therapist changed the program."]
        self.no_notes: dict[str, str] = {}
        self.no_overrides: list[Any] = []


def clone_patients(template: Template, therapists: list[Any], first: int, last: int) -> None:
    """Patients number first..last-1, BATCH at a time, each batch in one transaction."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    for lo in range(first, last, BATCH):
        with transaction.atomic():
            clone_batch(template, therapists, range(lo, min(last, lo + BATCH)))
    # The big tables were written with their ids: PostgreSQL's sequences must catch up.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(Rows.models)):
            cursor.execute(sql)


class Rows:
    """Rows of one model, written with executemany in batches, ids given here.

    bulk_create costs about 0.6 ms a row in Django's SQL compiler on this machine, too slow for the
    1.5 million session, log and check-in rows of 1,000 people; the same rows written as plain
    INSERTs (values adapted as Django adapts them for the database) take a tenth of that. Smaller
    tables (users, profiles, intakes, screens, scores, audit) go through bulk_create."""

    models: ClassVar[set[Any]] = set()

    def __init__(self, model: Any) -> None:
        from django.db import connection
        from django.db.models import Max

        Rows.models.add(model)
        self.model = model
        self.rows: list[dict[str, Any]] = []
        self.next_id = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self._json: dict[int, tuple[Any, Any]] = {}  # id(value) -> (value kept alive, adapted)
        self.connection = connection

    def add(self, **values: Any) -> int:
        values["id"] = self.next_id
        self.next_id += 1
        self.rows.append(values)
        return int(values["id"])

    def _adapter(self, name: str) -> Callable[[Any], Any]:
        from django.db import models

        field = self.model._meta.get_field(name)  # a name or a foreign key's attname (patient_id)
        ops = self.connection.ops
        if isinstance(field, models.DateTimeField):
            return ops.adapt_datetimefield_value  # type: ignore[no-any-return]
        if isinstance(field, models.DateField):
            return ops.adapt_datefield_value  # type: ignore[no-any-return]
        if isinstance(field, models.JSONField):

            def adapt(value: Any) -> Any:
                key = id(value)
                if key not in self._json:
                    self._json[key] = (value, field.get_db_prep_save(value, self.connection))
                return self._json[key][1]

            return adapt
        return lambda value: value

    def write(self) -> None:
        if not self.rows:
            return
        names = list(self.rows[0])
        columns = [self.model._meta.get_field(n).column for n in names]
        adapters = [self._adapter(n) for n in names]
        quote = self.connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(self.model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        with self.connection.cursor() as cursor:
            for lo in range(0, len(self.rows), 5000):
                cursor.executemany(
                    sql,
                    [
                        [adapt(row[n]) for n, adapt in zip(names, adapters, strict=True)]
                        for row in self.rows[lo : lo + 5000]
                    ],
                )
        self.rows = []


def clone_batch(template: Template, therapists: list[Any], numbers: range) -> None:  # noqa: PLR0915
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from lumbar.web.clinic.models import AuditEvent
    from lumbar.web.records.models import (
        Alert,
        CheckIn,
        ExerciseLog,
        ExerciseSession,
        IntakeRecord,
        OutcomeScore,
        Profile,
        ProgramVersion,
        ScreeningEvent,
    )

    user_model = get_user_model()
    password = make_password(None)  # unusable: the bench signs in with force_login
    users = user_model.objects.bulk_create(
        [
            user_model(username=f"p{n:04d}@bench.example", email=f"p{n:04d}@bench.example", password=password)
            for n in numbers
        ]
    )
    rngs = {u.pk: random.Random(n) for n, u in zip(numbers, users, strict=True)}
    owner = {u.pk: therapists[n % len(therapists)] for n, u in zip(numbers, users, strict=True)}
    Profile.objects.bulk_create(
        [
            Profile(
                user=u,
                role=Profile.PATIENT,
                therapist=owner[u.pk].user,
                display_name=f"Bench Patient {n:04d}",
            )
            for n, u in zip(numbers, users, strict=True)
        ]
    )
    # Each person's dates move back by `shift` days: most were active in the last two days, one in
    # five went quiet 8-90 days ago.
    shift = {
        u.pk: rngs[u.pk].randint(8, 90) if rngs[u.pk].random() < 0.2 else rngs[u.pk].randint(0, 1)
        for u in users
    }
    today = timezone.localdate()

    def moved(u: Any, value: Any) -> Any:
        return value - dt.timedelta(days=shift[u.pk])

    intakes = IntakeRecord.objects.bulk_create(
        [
            IntakeRecord(
                patient=u, data=template.intake.data, created_at=moved(u, template.intake.created_at)
            )
            for u in users
        ]
    )
    intake_of = {i.patient_id: i.pk for i in intakes}
    ScreeningEvent.objects.bulk_create(
        [
            ScreeningEvent(
                patient=u,
                context=e.context,
                created_at=moved(u, e.created_at),
                red_flags=e.red_flags,
                tier=e.tier,
                flags=e.flags,
                advice=e.advice,
            )
            for u in users
            for e in template.screenings
        ]
    )

    versions, sessions, logs, checkins, alerts = (
        Rows(ProgramVersion),
        Rows(ExerciseSession),
        Rows(ExerciseLog),
        Rows(CheckIn),
        Rows(Alert),
    )
    outcomes = []
    for u in users:
        rng = rngs[u.pk]
        version_of = {}
        for v in template.versions:
            version_of[v.pk] = versions.add(
                patient_id=u.pk,
                number=v.number,
                created_at=moved(u, v.created_at),
                source=v.source,
                program=v.program,
                changes=v.changes,
                intake_id=intake_of[u.pk],
                changed_by_id=None,
                note="",
                exercise_notes=v.exercise_notes,
                overrides=v.overrides,
            )
        # One in three has a version changed by their therapist two weeks before their last day.
        changed_on, changed_id = None, None
        if rng.random() < 1 / 3:
            changed_on = moved(u, today) - dt.timedelta(days=14)
            changed_id = versions.add(
                patient_id=u.pk,
                number=template.versions[-1].number + 1,
                created_at=at(changed_on),
                source=ProgramVersion.THERAPIST,
                program=template.versions[-1].program,
                changes=template.changed_reasons,
                intake_id=intake_of[u.pk],
                changed_by_id=owner[u.pk].user_id,
                note="Less bending for two weeks, then we look again.",
                exercise_notes=template.no_notes,
                overrides=template.no_overrides,
            )
        keep_session, keep_checkin = rng.uniform(0.4, 1.0), rng.uniform(0.5, 1.0)
        offset = rng.randint(-2, 3)
        for s in template.sessions:
            if rng.random() > keep_session:
                continue
            day = moved(u, s.date)
            program = changed_id if changed_on and day >= changed_on else version_of[s.program_id]
            session_id = sessions.add(
                patient_id=u.pk,
                program_id=program,
                date=day,
                started_at=at(day, 10),
                completed_at=s.completed_at and at(day, 10),
                pain_before=vary(s.pain_before, offset, rng),
                pain_after=vary(s.pain_after, offset, rng),
            )
            for log in s.logs.all():
                logs.add(
                    session_id=session_id,
                    exercise_id=log.exercise_id,
                    position=log.position,
                    completed=log.completed,
                    skipped_reason=log.skipped_reason,
                    sets=log.sets,
                    reps=log.reps,
                    hold_seconds=log.hold_seconds,
                    pain_during=vary(log.pain_during, 0, rng),
                    difficulty=log.difficulty,
                    leg_symptoms=log.leg_symptoms,
                )
        for c in template.checkins:
            if rng.random() <= keep_checkin:
                day = moved(u, c.date)
                checkins.add(
                    patient_id=u.pk,
                    date=day,
                    created_at=at(day, 7),
                    morning_pain=vary(c.morning_pain, offset, rng),
                    red_flags=c.red_flags,
                )
        for o in template.outcomes:
            outcomes.append(
                OutcomeScore(
                    patient=u, date=moved(u, o.date), instrument=o.instrument, score=o.score, detail=o.detail
                )
            )
        # Reassessments at weeks 2, 4, 6 and 12 (NPRS and PSFS), better or worse by person.
        trend = rng.uniform(-0.4, 0.15)
        for week in (2, 4, 6, 12):
            for o in template.outcomes:
                if o.instrument in ("nprs", "psfs"):
                    factor = 1 + (trend if o.instrument == "nprs" else -trend) * week / 6
                    outcomes.append(
                        OutcomeScore(
                            patient=u,
                            date=moved(u, template.start + dt.timedelta(weeks=week)),
                            instrument=o.instrument,
                            score=round(max(0.0, min(10.0, o.score * factor + rng.uniform(-0.5, 0.5))), 1),
                            detail={**o.detail, "reassessment_week": week},
                        )
                    )
        # A quarter of the first patient's alerts, resolved by the therapist.
        for a in template.alerts:
            if rng.random() < 0.25:
                alerts.add(
                    patient_id=u.pk,
                    created_at=moved(u, a.created_at),
                    kind=a.kind,
                    severity=a.severity,
                    message=a.message,
                    seen_at=None,
                    acknowledged_at=at(today),
                    acknowledged_by_id=owner[u.pk].user_id,
                    resolved_at=at(today),
                    resolved_by_id=owner[u.pk].user_id,
                    therapist_note="Phoned: settled with the eased program.",
                )
        # Open alerts: one in five people has one to three, some acknowledged.
        if rng.random() < 0.2:
            severity = rng.choice(("emergency", "urgent", "review", "review", "review"))
            for k in range(rng.randint(1, 3)):
                acknowledged = rng.random() < 0.4
                alerts.add(
                    patient_id=u.pk,
                    created_at=at(moved(u, today) - dt.timedelta(days=k)),
                    kind=f"bench_{severity}",
                    severity=severity,
                    message=f"Bench {severity} alert {k + 1}: pain rose three days running.",
                    seen_at=None,
                    acknowledged_at=at(today) if acknowledged else None,
                    acknowledged_by_id=owner[u.pk].user_id if acknowledged else None,
                    resolved_at=None,
                    resolved_by_id=None,
                    therapist_note="Will call tomorrow." if acknowledged else "",
                )
    for rows in (versions, sessions, logs, checkins, alerts):
        rows.write()
    OutcomeScore.objects.bulk_create(outcomes, batch_size=2000)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                patient=u,
                actor_id=owner[u.pk].user_id,
                actor_email=owner[u.pk].user.email,
                clinic_id=owner[u.pk].clinic_id,
                action=AuditEvent.LINKED,
                detail={"bench": True},
            )
            for u in users
        ]
    )


def vary(value: int | None, offset: int, rng: random.Random) -> int | None:
    if value is None:
        return None
    return max(0, min(10, value + offset + rng.choice((-1, 0, 0, 1))))


# --- Measuring ------------------------------------------------------------------------------------


def render(client: Any, url: str) -> tuple[float, float, int]:
    """Wall-clock ms, this process's CPU ms (other work on a shared machine does not count; on
    SQLite it includes the database's work, on PostgreSQL not) and the number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        elapsed, cpu = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, cpu, len(queries)


def timed(client: Any, url: str, renders: int) -> tuple[float, float, float, int]:
    render(client, url)  # warm: templates compiled, the chart drawn and cached
    times, cpus, counts = zip(*(render(client, url) for _ in range(renders)), strict=True)
    return statistics.median(times), percentile(list(times), 95), statistics.median(cpus), max(counts)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(label: str, median: float, p95: float, cpu: float, queries: int) -> None:
    verdict = "ok" if median < TARGET_MS else "OVER TARGET"
    print(
        f"  {label:<44} median {median:6.1f} ms  p95 {p95:6.1f} ms  cpu {cpu:6.1f} ms  {queries:3d} queries"
        f"  ({median / TARGET_MS:.2f} of 300 ms, {verdict})",
        flush=True,
    )


@contextmanager
def page_size(size: int) -> Iterator[None]:
    """The caseload view at another page size (the selector's page_size)."""
    from lumbar.web.clinic import selectors

    original = selectors.caseload

    def sized(*args: Any, **kwargs: Any) -> Any:
        return original(*args, **{**kwargs, "page_size": size})

    with mock.patch.object(selectors, "caseload", sized):
        yield


def caseload_counts(client: Any) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {}
    for url in ("/clinic/", "/clinic/?show=alerts"):
        for size in PAGE_SIZES:
            with page_size(size):
                counts.setdefault(url, []).append(render(client, url)[2])
    return counts


def measure(client: Any, patients: int, renders: int, record_ids: dict[str, int]) -> dict[str, Any]:
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"\n{patients} patients, {renders} renders each after a warm-up (load average {load} on {os.cpu_count()} cores):"
    )
    for url in ("/clinic/", "/clinic/?show=alerts", "/clinic/?show=quiet", "/clinic/?page=10"):
        report(f"caseload {url}", *timed(client, url, renders))
    with page_size(50):
        report("caseload /clinic/ at 50 a page", *timed(client, "/clinic/", renders))
    for what, pk in record_ids.items():
        report(f"record {what}", *timed(client, f"/clinic/patients/{pk}/", renders))
    counts = caseload_counts(client)
    for url, numbers in counts.items():
        shown = ", ".join(f"{n} at {s}" for n, s in zip(numbers, PAGE_SIZES, strict=True))
        print(f"  queries, caseload {url:<22} {shown} a page")
    return counts


def first_views(client: Any, ids: list[int]) -> None:
    """A record seen for the first time draws its pain chart (then cached): the cold render."""
    renders = [render(client, f"/clinic/patients/{pk}/") for pk in ids]
    times = [r[0] for r in renders]
    cpu = statistics.median(r[1] for r in renders)
    report(
        f"record, first view ({len(ids)} patients)",
        statistics.median(times),
        percentile(times, 95),
        cpu,
        max(r[2] for r in renders),
    )


def record_queries(client: Any, ids: dict[str, int]) -> dict[str, int]:
    return {what: render(client, f"/clinic/patients/{pk}/")[2] for what, pk in ids.items()}


def run(renders: int) -> int:
    with tempfile.TemporaryDirectory(prefix="lumbar-bench-clinic-") as data_dir:
        set_up_django(data_dir)
        return bench(renders)


def bench(renders: int) -> int:
    from django.test import Client

    from lumbar.web.records.models import ExerciseLog, ExerciseSession, Profile, ProgramVersion

    print(f"== {database_label()}")
    started = time.perf_counter()
    admin, therapists = make_staff()
    first = make_first_patient(admin)
    template_seconds = time.perf_counter() - started
    template = Template(first)
    print(
        f"first patient through the real services: {template_seconds:.1f} s "
        f"({len(template.sessions)} sessions, {len(template.checkins)} check-ins, "
        f"{len(template.versions)} program versions, {len(template.alerts)} alerts)"
    )
    clone_start = time.perf_counter()
    clone_patients(template, therapists, 1, FIRST_STEP)
    clone_seconds = time.perf_counter() - clone_start

    client = Client()
    client.force_login(admin.user)
    ids = record_ids(first)
    counts_100 = measure(client, FIRST_STEP, renders, ids)
    records_100 = record_queries(client, ids)

    clone_start = time.perf_counter()
    clone_patients(template, therapists, FIRST_STEP, PATIENTS)
    clone_seconds += time.perf_counter() - clone_start
    print(
        f"\nseeding: {template_seconds + clone_seconds:.1f} s "
        f"(first patient {template_seconds:.1f} s, {PATIENTS - 1} clones {clone_seconds:.1f} s); "
        f"{Profile.objects.filter(role=Profile.PATIENT).count()} patients, "
        f"{ExerciseSession.objects.count():,} sessions, {ExerciseLog.objects.count():,} exercise logs"
    )
    counts_1000 = measure(client, PATIENTS, renders, ids)
    records_1000 = record_queries(client, ids)
    later = list(
        ProgramVersion.objects.filter(number=1)
        .order_by("-patient_id")
        .values_list("patient_id", flat=True)[:20]
    )
    first_views(client, later)

    steady = all(len(set(n)) == 1 for n in counts_1000.values()) and counts_100 == counts_1000
    print(f"\ncaseload queries the same at page sizes {PAGE_SIZES} and at 100 and 1,000 patients: {steady}")
    print(f"record queries at 100 patients {records_100}, at 1,000 {records_1000}")
    return 0


def record_ids(first: Any) -> dict[str, int]:
    """The first patient (the longest record), one with a therapist's version, one without."""
    from lumbar.web.records.models import ProgramVersion

    changed = ProgramVersion.objects.filter(source=ProgramVersion.THERAPIST).order_by("patient_id").first()
    plain = (
        ProgramVersion.objects.exclude(patient=first)
        .exclude(patient__programs__source=ProgramVersion.THERAPIST)
        .order_by("patient_id")
        .first()
    )
    ids = {"(first patient, real services)": first.pk}
    if changed:
        ids["(with a therapist's version)"] = changed.patient_id
    if plain:
        ids["(without)"] = plain.patient_id
    return ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default=None)
    parser.add_argument("--renders", type=int, default=15)
    args = parser.parse_args()
    if os.environ.get("LUMBAR_BENCH_CLINIC_CHILD"):  # inside scripts/with-postgres.sh
        return run(args.renders)
    which = args.database or ("both" if postgres_installed() else "sqlite")
    status = 0
    if which in ("sqlite", "both"):
        status |= subprocess.call(
            [sys.executable, __file__, "--renders", str(args.renders)],
            env={
                **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
                "LUMBAR_BENCH_CLINIC_CHILD": "1",
            },
        )
    if which in ("postgres", "both"):
        if not postgres_installed():
            print(
                "PostgreSQL's server is not installed: run scripts/system-deps.sh, then --database postgres"
            )
            return 1
        status |= subprocess.call(
            [
                "bash",
                str(ROOT / "scripts/with-postgres.sh"),
                sys.executable,
                __file__,
                "--renders",
                str(args.renders),
            ],
            env={**os.environ, "LUMBAR_BENCH_CLINIC_CHILD": "1"},
        )
    elif args.database is None:
        print(
            "\nPostgreSQL half skipped (server not installed): run scripts/system-deps.sh, then "
            ".venv/bin/python bench/bench_clinic.py --database postgres"
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
