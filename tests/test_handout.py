"""The printed handout (issue 18): a person's program as a PDF, from the program page and from
`lumbar handout`. Read back as a person and their screen reader would: the text, the drawn pages
(A4 or US Letter), the title and language, the tagged figures and the QR code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests import pdf_helpers as pdf
from tests.care_helpers import DESK_WORKER_ANSWERS, onboard, patient_user
from tests.pdf_helpers import in_process, without_weasyprint

from lumbar.domain import screening
from lumbar.domain.catalog import default_catalog
from lumbar.domain.intake import parse_intake
from lumbar.domain.prescription import prescribe
from lumbar.reports import handout
from lumbar.reports.pdf import PdfUnavailable, RefusedURL, offline_fetcher
from lumbar.web.care import presenters as care_presenters
from lumbar.web.records import selectors as records

SCIATICA_ANSWERS = {
    **DESK_WORKER_ANSWERS,
    "legs": {"leg_symptoms": "below_knee", "leg_side": "left", "directional_preference": "extension"},
}
SCIATICA_INTAKE = {
    "age": 45,
    "episode_weeks": 3,
    "pain": {"now": 4},
    "leg_symptoms": "below_knee",
    "leg_side": "left",
    "directional_preference": "extension",
    "occupation": "desk",
}


def warning_sign_words() -> list[str]:
    """The words the warning-signs lesson uses for every emergency and same-day sign of the screen."""
    urgent = {screening.Tier.EMERGENCY_NOW, screening.Tier.URGENT_SAME_DAY}
    return [
        words
        for rule in screening.default_rules().red_flags
        if screening.Tier(rule.tier) in urgent
        for words in rule.lesson_words
    ]


def assert_is_the_program(text: str, program: dict[str, Any]) -> None:
    catalog = default_catalog()
    for entry in program["exercises"]:
        assert entry["name"] in text
        # The dose in the same words as the program page and the session player.
        assert care_presenters.dose_text(entry, catalog) in text, entry
        for step in catalog.exercise(entry["id"]).text.steps:
            assert pdf.flat(step) in text
        for cue in catalog.exercise(entry["id"]).text.cues:
            assert pdf.flat(cue) in text
    for rule in program["stop_rules"]:
        assert pdf.flat(rule) in text
    for words in warning_sign_words():
        assert words in text, words
    assert "Walking" in text
    assert "Go to an emergency department now" in text


# --- From the web app -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_handout_of_a_real_account_has_every_exercise_dose_step_stop_rule_and_warning_sign(
    client: Client, tmp_path: Path
) -> None:
    onboard(client)
    program = records.current_program(patient_user()).program
    response = client.get("/program/handout.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="lumbar-program.pdf"'
    data = response.content
    text = pdf.text(data)
    assert_is_the_program(text, program)
    assert "Your exercise program" in text
    assert "Version 1, from" in text
    # Title and language in the catalogue; a tagged PDF whose pictures have alternative text.
    assert pdf.info(data)["Title"] == "Your exercise program · Lumbar"
    assert pdf.info(data)["Tagged"] == "yes"
    root = pdf.catalogue(data)["root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True  # the title, not the file name
    assert "/Outlines" in root  # bookmarks: a heading per section and exercise
    alts = pdf.figure_alt_texts(data)
    for entry in program["exercises"]:
        assert f"{entry['name']}: starting position" in alts
        assert f"{entry['name']}: end position" in alts
    # A4 by default: every page drawn is A4.
    assert pdf.page_points(data) == pytest.approx(pdf.A4_POINTS, abs=0.5)
    drawn = pdf.pages(data, tmp_path)
    assert len(drawn) == int(pdf.info(data)["Pages"]) >= 2
    assert all((p.width, p.height) == (298, 421) for p in drawn)


@pytest.mark.django_db
def test_us_letter_is_a_choice_and_lays_the_same_program_on_letter_pages(
    client: Client, tmp_path: Path
) -> None:
    onboard(client)
    data = client.get("/program/handout.pdf?paper=letter").content
    assert pdf.page_points(data) == pytest.approx(pdf.LETTER_POINTS, abs=0.5)
    drawn = pdf.pages(data, tmp_path)
    assert len(drawn) == int(pdf.info(data)["Pages"])
    assert all((p.width, p.height) == (306, 396) for p in drawn)
    assert_is_the_program(pdf.text(data), records.current_program(patient_user()).program)


@pytest.mark.django_db
def test_the_qr_code_opens_the_session_player_at_the_address_the_person_used(
    client: Client, tmp_path: Path
) -> None:
    onboard(client)
    data = client.get("/program/handout.pdf").content
    first_page = pdf.pages(data, tmp_path, dpi=150)[0]
    assert pdf.qr_codes(first_page.path) == ["http://testserver/session/"]
    assert "Scan to open today's session" in pdf.text(data)
    assert any(
        alt.startswith("QR code: scan it to open today's session") for alt in pdf.figure_alt_texts(data)
    )


@pytest.mark.django_db
def test_on_a_loopback_address_the_qr_code_is_left_out_with_a_sentence(
    client: Client, tmp_path: Path
) -> None:
    onboard(client)
    data = client.get("/program/handout.pdf", HTTP_HOST="127.0.0.1:8000").content
    text = pdf.text(data)
    assert handout.NO_QR_SENTENCE in text
    assert "Scan to open" not in text
    assert pdf.qr_codes(pdf.pages(data, tmp_path, dpi=150)[0].path) == []


@pytest.mark.django_db
def test_the_program_page_links_to_the_handout_on_both_paper_sizes(client: Client) -> None:
    onboard(client)
    page = client.get("/program/").content.decode()
    assert '<a href="/program/handout.pdf">Print / PDF</a>' in page
    assert 'href="/program/handout.pdf?paper=letter"' in page


def exercise_names(program: dict[str, Any]) -> set[str]:
    """Every exercise a program names: its exercises and its movement breaks."""
    catalog = default_catalog()
    breaks = (program.get("movement_breaks") or {}).get("exercises", [])
    return {e["name"] for e in program["exercises"]} | {catalog.exercise(i).name for i in breaks}


@pytest.mark.django_db
def test_each_patient_gets_only_their_own_handout_and_a_signed_out_visitor_signs_in_first() -> None:
    desk, sciatica = Client(), Client()
    onboard(desk, "desk@example.org")
    onboard(sciatica, "legs@example.org", SCIATICA_ANSWERS)
    desk_names = exercise_names(records.current_program(patient_user("desk@example.org")).program)
    legs_names = exercise_names(records.current_program(patient_user("legs@example.org")).program)
    only_desk, only_legs = desk_names - legs_names, legs_names - desk_names
    assert only_desk
    assert only_legs
    desk_text = pdf.text(desk.get("/program/handout.pdf").content)
    legs_text = pdf.text(sciatica.get("/program/handout.pdf").content)
    assert all(name in desk_text for name in desk_names)
    assert not any(name in desk_text for name in only_legs)
    assert all(name in legs_text for name in legs_names)
    assert not any(name in legs_text for name in only_desk)
    response = Client().get("/program/handout.pdf")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/program/handout.pdf")


@pytest.mark.django_db
def test_a_person_without_a_program_is_sent_to_the_start_and_a_wrong_paper_size_is_refused(
    client: Client,
) -> None:
    from tests.care_helpers import sign_up

    sign_up(client)
    assert client.get("/program/handout.pdf")["Location"] == "/start/"
    onboard(Client(), "other@example.org")
    other = Client()
    other.force_login(patient_user("other@example.org"))
    assert other.get("/program/handout.pdf?paper=a5").status_code == 400


@pytest.mark.django_db
def test_without_the_pdf_libraries_the_page_says_what_is_missing_in_one_sentence(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    onboard(client)
    without_weasyprint(monkeypatch)
    response = client.get("/program/handout.pdf")
    assert response.status_code == 503
    page = response.content.decode()
    assert "PDF output is not available on this computer" in page
    assert "libpango-1.0-0" in page
    assert 'href="/program/"' in page


# --- Nothing is fetched -----------------------------------------------------------------------------


def test_rendering_fetches_data_urls_and_refuses_the_network() -> None:
    fetcher = offline_fetcher()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in (
        "http://127.0.0.1:9/x.png",
        "https://example.org/font.woff2",
        "ftp://example.org/x",
        "file:///etc/passwd",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_the_handout_html_carries_its_pictures_inline_and_asks_for_nothing_outside() -> None:
    catalog = default_catalog()
    program = prescribe(parse_intake(SCIATICA_INTAKE), catalog).to_json()
    parsed = handout.parse_program(program, catalog=catalog)
    page = handout.handout_html(
        handout.build_handout(parsed, printed_on=_today(), session_url="https://lumbar.example.org/session/")
    )
    assert "<svg" in page
    for attribute in ("src=", "url(", "@import", "<link"):
        assert attribute not in page
    assert '<html lang="en">' in page


# --- From the command line --------------------------------------------------------------------------


def lumbar(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "lumbar", *args], input=stdin, capture_output=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def program_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A program file as `lumbar plan --json` writes it (tests/test_cli_plan.py: the same JSON)."""
    path = tmp_path_factory.mktemp("plan") / "program.json"
    program = prescribe(parse_intake(SCIATICA_INTAKE), default_catalog()).to_json()
    path.write_text(json.dumps(program, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.slow
def test_lumbar_handout_prints_the_plan_on_letter_with_a_qr_code_to_the_app(
    program_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "handout.pdf"
    result = lumbar(
        "handout", "--program", str(program_file), "--out", str(out), "--paper", "letter",
        "--app-url", "https://lumbar.example.org/clinic/",
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")
    data = out.read_bytes()
    program = json.loads(program_file.read_text(encoding="utf-8"))
    text = pdf.text(data)
    assert_is_the_program(text, program)
    assert "Movement breaks" in text  # a desk worker's program
    for entry in program["exercises"]:
        for caution in entry["cautions"]:
            assert pdf.flat(caution) in text
    assert pdf.page_points(data) == pytest.approx(pdf.LETTER_POINTS, abs=0.5)
    assert pdf.catalogue(data)["root"]["/Lang"] == "en"
    drawn = pdf.pages(data, tmp_path, dpi=150)
    assert len(drawn) == int(pdf.info(data)["Pages"])
    assert pdf.qr_codes(drawn[0].path) == ["https://lumbar.example.org/clinic/session/"]


@pytest.mark.slow
def test_lumbar_handout_without_an_app_address_says_how_to_open_the_session_and_writes_to_stdout(
    program_file: Path,
) -> None:
    result = lumbar("handout", "--program", "-", "--out", "-", stdin=program_file.read_bytes())
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"%PDF-")
    text = pdf.text(result.stdout)
    assert handout.NO_QR_SENTENCE in text
    assert pdf.page_points(result.stdout) == pytest.approx(pdf.A4_POINTS, abs=0.5)


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ("{not json", (), "error: program: not valid JSON (line 1, column 2"),
        ('{"status": "ok"}', (), "error: program: triage: required but missing"),
        (None, ("--paper", "a5"), "error: --paper: unknown paper size 'a5': choose a4 or letter"),
        (None, ("--app-url", "lumbar.example.org"), "error: --app-url: must be an http(s) address"),
        ("unknown-exercise", (), "error: program: exercises.0.id: unknown exercise id 'dancing'"),
        ("[]", (), "error: program: must be a JSON object (got list)"),
    ],
)
def test_lumbar_handout_refuses_bad_input_in_one_line_with_exit_2_and_writes_nothing(
    program_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    extra: tuple[str, ...],
    message: str,
) -> None:
    source = tmp_path / "program.json"
    if content == "unknown-exercise":
        program = json.loads(program_file.read_text(encoding="utf-8"))
        program["exercises"][0]["id"] = "dancing"
        source.write_text(json.dumps(program), encoding="utf-8")
    elif content is None:
        source = program_file
    else:
        source.write_text(content, encoding="utf-8")
    out = tmp_path / "out.pdf"
    code, stderr = in_process(
        monkeypatch, capsys, "handout", "--program", str(source), "--out", str(out), *extra
    )
    assert code == 2, stderr
    assert stderr.count("\n") == 1, stderr
    assert stderr.startswith(message), stderr
    assert "Traceback" not in stderr
    assert not out.exists()


def test_lumbar_handout_to_a_folder_or_a_missing_file_is_one_line_and_exit_2(
    program_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for args, message in (
        (("--program", str(tmp_path / "none.json"), "--out", str(tmp_path / "x.pdf")), "does not exist"),
        (("--program", str(program_file), "--out", str(tmp_path)), "is a directory"),
    ):
        code, stderr = in_process(monkeypatch, capsys, "handout", *args)
        assert (code, stderr.count("\n")) == (2, 1), stderr
        assert message in stderr


def test_lumbar_handout_without_the_pdf_libraries_exits_1_with_one_line(
    program_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    without_weasyprint(monkeypatch)
    out = tmp_path / "x.pdf"
    code, stderr = in_process(
        monkeypatch, capsys, "handout", "--program", str(program_file), "--out", str(out)
    )
    assert code == 1
    assert stderr.count("\n") == 1
    assert stderr.startswith("error: PDF output is not available on this computer")
    assert not out.exists()
    with pytest.raises(PdfUnavailable):
        handout.handout_pdf(json.loads(program_file.read_text(encoding="utf-8")), printed_on=_today())


def _today() -> Any:
    import datetime as dt

    return dt.date(2026, 12, 3)


def test_a_referred_program_prints_the_advice_to_see_a_clinician_and_no_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = default_catalog()
    intake = {**SCIATICA_INTAKE, "red_flags": {"saddle_numbness": True}}
    program = prescribe(parse_intake(intake), catalog).to_json()
    assert (program["status"], program["exercises"]) == ("refer", [])
    source, out = tmp_path / "program.json", tmp_path / "advice.pdf"
    source.write_text(json.dumps(program), encoding="utf-8")
    code, err = in_process(
        monkeypatch,
        capsys,
        "handout",
        "--program",
        str(source),
        "--out",
        str(out),
        "--app-url",
        "https://x.org",
    )
    assert (code, err) == (0, "")
    data = out.read_bytes()
    text = pdf.text(data)
    assert pdf.info(data)["Title"] == "See a clinician before you start · Lumbar"
    assert pdf.flat(program["triage"]["advice"]) in text
    assert "No exercise program until a clinician has seen you." in text
    assert "While you wait" in text
    for words in warning_sign_words():
        assert words in text
    assert handout.NO_QR_SENTENCE not in text
    assert "Scan to open" not in text
    assert "Your exercises" not in text


@pytest.mark.parametrize(
    ("host", "secure", "expected"),
    [
        ("lumbar.example.org", True, "https://lumbar.example.org/session/"),
        ("clinic.example.org:8443", False, "http://clinic.example.org:8443/session/"),
        ("127.0.0.1:8000", False, None),
        ("[::1]:8000", False, None),
        ("[::1]", False, None),
        ("localhost:8000", False, None),
    ],
)
def test_the_qr_code_address_is_the_one_the_person_used_unless_only_this_computer_can_open_it(
    host: str, secure: bool, expected: str | None, settings: Any
) -> None:
    from django.test import RequestFactory

    from lumbar.web.outputs.printouts import session_url

    settings.ALLOWED_HOSTS = ["*"]
    request = RequestFactory().get("/program/handout.pdf", HTTP_HOST=host, secure=secure)
    assert session_url(request) == expected
