"""HTML to PDF with WeasyPrint: offline, tagged for accessibility (PDF/UA-1), A4 or US Letter.

WeasyPrint needs Pango (and through it GLib, HarfBuzz and Fontconfig) from the system; Debian's
packages are installed by scripts/system-deps.sh. When they are missing, `render_pdf` raises
`PdfUnavailable` with one sentence that says what to install, and callers show that sentence instead
of an error page or a traceback.

Nothing is fetched while rendering: the documents carry their figures, chart and QR code as inline
SVG and their style inline, and the URL fetcher refuses every URL but `data:` ones and files of this
package. Fonts come from the system through Fontconfig (Debian's DejaVu: fonts-dejavu-core and fonts-dejavu-extra).
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from pathlib import Path
from typing import Any, Literal

Paper = Literal["a4", "letter"]
PAPERS: tuple[Paper, ...] = ("a4", "letter")
# The CSS page size of each paper choice, and the words a person reads.
PAGE_SIZE: dict[Paper, str] = {"a4": "A4", "letter": "letter"}
PAPER_NAMES: dict[Paper, str] = {"a4": "A4", "letter": "US Letter"}
# PDF/UA-1: tagged PDF (structure tree, alternative text for figures) with the title shown in the
# window's title bar and the document's language in the catalogue.
PDF_VARIANT = "pdf/ua-1"

MISSING_LIBRARIES = (
    "PDF output is not available on this computer: it needs the Pango text libraries "
    "(on Debian or Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 "
    "fonts-dejavu-core fonts-dejavu-extra; scripts/system-deps.sh does it)"
)

_ASSETS = Path(__file__).resolve().parent
_loading = threading.Lock()
# The weasyprint module and the fetcher class, once loaded.
_loaded: dict[str, Any] = {}


class PdfUnavailable(RuntimeError):
    """WeasyPrint, or the system libraries it loads, cannot be used here."""


class RefusedURL(ValueError):
    """A document asked for something from outside: nothing is fetched while rendering."""


def paper(value: str) -> Paper:
    """A paper choice from user input ("a4", "letter", any case); ValueError otherwise."""
    lowered = value.strip().lower()
    for choice in PAPERS:
        if lowered == choice:
            return choice
    raise ValueError(f"unknown paper size {value!r}: choose a4 or letter")


def _weasyprint() -> Any:
    """The weasyprint module, imported once (it takes about a second and loads Pango)."""
    with _loading:
        if "module" not in _loaded:
            try:
                # WeasyPrint prints a troubleshooting banner to stdout before failing to load a library.
                with contextlib.redirect_stdout(io.StringIO()):
                    import weasyprint
            except (OSError, ImportError) as exc:
                raise PdfUnavailable(MISSING_LIBRARIES) from exc
            # Its progress ("Step 5 - Creating layout - Page 2") is no news in a server's log.
            logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
            _loaded["fetcher"] = _offline_fetcher(weasyprint.URLFetcher)
            _loaded["module"] = weasyprint
    return _loaded["module"]


def _offline_fetcher(base: Any) -> Any:
    class OfflineFetcher(base):  # type: ignore[misc]
        """Fetches `data:` URLs and files of this package; refuses everything else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data" or (scheme == "file" and _inside_assets(url)):
                return super().fetch(url, headers)
            raise RefusedURL(f"not fetched while making a PDF: {url[:80]}")

    return OfflineFetcher


def _inside_assets(url: str) -> bool:
    from urllib.parse import unquote, urlsplit

    path = Path(unquote(urlsplit(url).path)).resolve()
    return path.is_relative_to(_ASSETS)


def offline_fetcher() -> Any:
    """The URL fetcher every PDF is rendered with (exposed for the tests)."""
    _weasyprint()
    return _loaded["fetcher"](allowed_protocols={"data", "file"}, timeout=1)


def available() -> str | None:
    """None when PDFs can be made here, else the sentence that says why not."""
    try:
        _weasyprint()
    except PdfUnavailable as exc:
        return str(exc)
    return None


def render_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document (its <title> and <html lang> become the PDF's)."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=_ASSETS.as_uri() + "/", url_fetcher=offline_fetcher())
    data: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    return data
