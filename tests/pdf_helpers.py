"""Read a PDF back the way a person and their reader would: its text (pdftotext), its pages drawn
(pdftoppm), its catalogue (title, language, tags: pypdf) and a QR code on a page (zbarimg)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Page sizes in PostScript points (1/72 inch), as pdfinfo reports them.
A4_POINTS = (595.28, 841.89)
LETTER_POINTS = (612.0, 792.0)


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is missing: run `make test` (scripts/system-deps.sh installs it)")
    return path


def text(pdf: bytes) -> str:
    """The PDF's text with every run of white space made one space (lines wrap anywhere)."""
    out = subprocess.run(
        [need("pdftotext"), "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")
    return flat(out)


def flat(words: str) -> str:
    return re.sub(r"\s+", " ", words).strip()


def info(pdf: bytes) -> dict[str, str]:
    out = subprocess.run(
        [need("pdfinfo"), "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")
    return {
        key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())
    }


def page_points(pdf: bytes) -> tuple[float, float]:
    found = re.match(r"([\d.]+) x ([\d.]+) pts", info(pdf)["Page size"])
    assert found, info(pdf)
    return float(found[1]), float(found[2])


@dataclass(frozen=True)
class Page:
    path: Path
    width: int
    height: int


def pages(pdf: bytes, folder: Path, dpi: int = 36) -> list[Page]:
    """Every page drawn to PNG by pdftoppm, in order."""
    from PIL import Image

    source = folder / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [need("pdftoppm"), "-r", str(dpi), "-png", str(source), str(folder / "page")], check=True, timeout=120
    )
    drawn = sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    result = []
    for path in drawn:
        with Image.open(path) as image:
            result.append(Page(path, *image.size))
    return result


def catalogue(pdf: bytes) -> dict[str, Any]:
    """The document catalogue and the info dictionary, resolved."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return {"root": reader.trailer["/Root"], "info": reader.metadata}


def figure_alt_texts(pdf: bytes) -> list[str]:
    """The alternative text of every Figure in the structure tree (what a screen reader says)."""
    root = catalogue(pdf)["root"]
    found: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not hasattr(node, "get"):
            return
        if node.get("/S") == "/Figure" and "/Alt" in node:
            found.append(str(node["/Alt"]))
        kids = node.get("/K")
        if kids is not None:
            walk(kids)

    walk(root["/StructTreeRoot"])
    return found


def qr_codes(png: Path) -> list[str]:
    """The QR codes zbarimg reads on a drawn page."""
    out = subprocess.run(
        [need("zbarimg"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        check=False,
        timeout=60,
    )
    return [line for line in out.stdout.decode("utf-8").splitlines() if line]


def without_weasyprint(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without Pango: importing weasyprint fails."""
    from lumbar.reports import pdf as pdf_module

    monkeypatch.setattr(pdf_module, "_loaded", {})
    monkeypatch.setitem(sys.modules, "weasyprint", None)


def in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    """Run the CLI in this process with its real error policy; returns (exit code, stderr)."""
    from lumbar.cli import app
    from lumbar.cli._common import run

    monkeypatch.setattr(sys, "argv", ["lumbar", *args])
    code = run(app)
    return code, capsys.readouterr().err
