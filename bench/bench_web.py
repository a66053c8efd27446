"""The patient pages under load, measured in one run on this machine against a real `lumbar serve`.

A temporary data directory; `lumbar serve` (its default two gunicorn workers and the task worker) on a
free loopback port; 20 patients signed up and onboarded over HTTP (the loopback server shows the
confirmation link), then six weeks of sessions (Monday, Wednesday, Friday) and next-morning check-ins
each, added through the real services by a process run with the server's settings and data
directory. Then 20 signed-in patients at once for 60 s (BENCH_SECONDS), each going round /today/,
/program/, /progress/, /settings/, the exercise library and /healthz, one request at a time (at most
20 in flight). One untimed round first (a worker's first chart, figure and content load).

Printed: each page's p50 and p95 and its p95 over /healthz's p95 in the same run. Target: every
patient page's p95 within 2x /healthz's (the requests wait in the same queues, so the ratio is what
the page itself costs).

The server is stopped on exit, on Ctrl-C and on SIGTERM; it also dies with this process if that is
killed outright (Linux). Only loopback addresses are used.

Run: .venv/bin/python bench/bench_web.py    (BENCH_SECONDS=10 for a short run)
"""

from __future__ import annotations

import ctypes
import datetime as dt
import http.cookiejar
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/ helpers: the intake answers, the history builders

PATIENTS = 20
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
WEEKS = 6
PASSWORD = "correct-horse-battery-staple"
PAGES = ("/today/", "/program/", "/progress/", "/settings/", "/exercises/", "/healthz")
TARGET_RATIO = 2.0
STOP_SECONDS = 20.0


def email(n: int) -> str:
    return f"bench-{n:02d}@example.org"


# --- The server --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_me() -> Callable[[], None]:
    parent = os.getpid()

    def preexec() -> None:
        if sys.platform.startswith("linux"):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "LUMBAR_SECRET_KEY")}
    env["LUMBAR_DATA_DIR"] = str(data_dir)
    return env


def start_server(data_dir: Path, port: int) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "lumbar", "serve", "--data-dir", str(data_dir), "--port", str(port)]
    server = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=server_env(data_dir),
        preexec_fn=_die_with_me(),  # noqa: PLW1509 (no threads yet)
    )
    assert server.stdout is not None
    try:
        line = server.stdout.readline()
    except BaseException:  # Ctrl-C while it starts
        stop_server(server)
        raise
    if "running at" not in line:
        stop_server(server)
        raise SystemExit(f"lumbar serve did not start: {line!r}")
    return server


def stop_server(server: subprocess.Popen[str]) -> None:
    """Ctrl-C to `lumbar serve`, which stops gunicorn and the task worker; then kill if need be."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    if server.stdout is not None:
        server.stdout.close()


# --- A patient's browser: cookies and the CSRF token, no automatic redirects -------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path: str, data: dict[str, object] | None = None) -> tuple[int, str, str]:
        """(status, Location, body)."""
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}, doseq=True).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=60) as answer:
                return answer.status, answer.headers.get("Location", ""), answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode("utf-8", "replace")

    def csrf(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken" and cookie.value:
                return cookie.value
        self.request("/signup/")  # any page with a form sets the cookie
        return next(c.value for c in self.jar if c.name == "csrftoken" and c.value)

    def onboard(self, address: str) -> None:
        from tests.care_helpers import DESK_WORKER_ANSWERS

        from lumbar.domain import screening

        status, _, page = self.request(
            "/signup/", {"email": address, "password": PASSWORD, "understood": "1"}
        )
        link = re.search(r'href="http://[^"/]+(/signup/confirm/[^"]+)"', page)
        assert status == 200, f"sign-up of {address}: {status}"
        assert link, "the loopback server shows the confirmation link"
        status, location, _ = self.request(link[1].replace("&amp;", "&"))
        assert (status, location) == (302, "/start/"), (status, location)
        for number in range(1, len(screening.default_rules().red_flags) + 1):
            self.request(f"/start/screen/{number}/", {"answer": "no"})
        for slug, answers in DESK_WORKER_ANSWERS.items():
            status, _, _ = self.request(f"/start/{slug}/", answers)
            assert status == 302, f"intake step {slug}: {status}"
        status, location, _ = self.request("/start/review/", {})
        assert location == "/program/", f"the program of {address}: {status} {location}"


# --- Seeding the weeks of sessions (run with the server's settings and data directory) ---------------


def seed_history() -> None:
    import django

    django.setup()
    from django.utils import timezone
    from tests.care_history import check_in, do_session, patient, started_days_ago

    today = timezone.localdate()
    for n in range(PATIENTS):
        user = patient(email(n))
        start = started_days_ago(user, WEEKS * 7)
        for offset in range(WEEKS * 7):
            day = start + dt.timedelta(days=offset)
            if day.weekday() in (0, 2, 4) and day < today:
                do_session(user, day, before=5 - offset // 14, after=4 - offset // 14)
                check_in(user, day + dt.timedelta(days=1), 4 - offset // 14)


# --- The load -----------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def load(browsers: list[Browser], seconds: float) -> tuple[dict[str, list[float]], dict[str, int]]:
    timings: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop = threading.Event()
    deadline = time.monotonic() + seconds

    def patient(browser: Browser, first: int) -> None:
        turn = first
        while not stop.is_set() and time.monotonic() < deadline:
            page = PAGES[turn % len(PAGES)]
            turn += 1
            started = time.perf_counter()
            try:
                status, _, _ = browser.request(page)
            except OSError:
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                timings[page].append(elapsed)
                if status != 200:
                    failures[page] += 1

    # Each patient starts at a different page, so the pages are mixed at every moment.
    threads = [
        threading.Thread(target=patient, args=(b, n), daemon=True, name=f"patient-{n}")
        for n, b in enumerate(browsers)
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)
    finally:
        stop.set()
    return timings, failures


def report(timings: dict[str, list[float]], failures: dict[str, int], seconds: float) -> bool:
    health = percentile(timings["/healthz"], 0.95)
    total = sum(len(v) for v in timings.values())
    print(f"{PATIENTS} patients, {seconds:.0f} s, {total} requests ({total / seconds:.1f}/s)")
    print(f"{'page':<13}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p95/healthz':>13}")
    ok = True
    for page in PAGES:
        values = timings[page]
        p95 = percentile(values, 0.95)
        ratio = p95 / health
        misses = page != "/healthz" and ratio > TARGET_RATIO
        ok = ok and not misses and not failures[page]
        note = "  misses the target" if misses else ""
        if failures[page]:
            note += f"  ({failures[page]} not 200)"
        print(
            f"{page:<13}{len(values):>6}{percentile(values, 0.5) * 1000:>9.0f}{p95 * 1000:>9.0f}{ratio:>13.2f}{note}"
        )
    print(
        f"target: every patient page's p95 within {TARGET_RATIO:g}x /healthz's p95: {'met' if ok else 'missed'}"
    )
    return ok


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    with tempfile.TemporaryDirectory(prefix="lumbar-bench-web-") as tmp:
        data_dir = Path(tmp) / "data"
        port = free_port()
        began = time.monotonic()
        try:
            server = start_server(data_dir, port)
        except KeyboardInterrupt:
            print("interrupted while the server started; it is stopped")
            return 130
        try:
            base = f"http://127.0.0.1:{port}"
            browsers = [Browser(base) for _ in range(PATIENTS)]
            for n, browser in enumerate(browsers):
                browser.onboard(email(n))
            print(
                f"{PATIENTS} patients signed up and onboarded over HTTP in {time.monotonic() - began:.0f} s"
            )
            env = {**server_env(data_dir), "DJANGO_SETTINGS_MODULE": "lumbar.web.settings.production"}
            subprocess.run(
                [sys.executable, __file__, "--seed"], env=env, check=True, preexec_fn=_die_with_me()
            )
            print(
                f"their {WEEKS} weeks of sessions and check-ins added; {time.monotonic() - began:.0f} s so far"
            )
            for browser in browsers:  # one untimed round
                for page in PAGES:
                    browser.request(page)
            timings, failures = load(browsers, SECONDS)
            report(timings, failures, SECONDS)
        except KeyboardInterrupt:
            print("interrupted; stopping the server")
            return 130
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
            stop_server(server)
            signal.signal(signal.SIGINT, signal.default_int_handler)
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--seed"]:
        seed_history()
        sys.exit(0)
    sys.exit(main())
