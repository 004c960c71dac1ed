"""The report as PDF: each HTML page printed to A4 with the print stylesheet, by WeasyPrint.

WeasyPrint is a Python library (BSD licence, maintained by CourtBouillon) that lays out HTML and CSS
itself: no browser is downloaded or started. It needs the Pango text library of the system
(``apt-get install libpango-1.0-0 libpangoft2-1.0-0``; conda-forge ``weasyprint`` brings it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from kit.errors import ReportError

__all__ = ["write_pdf", "html_to_pdf", "check_pdf"]

_LOG = logging.getLogger("kit.report")


def check_pdf() -> None:
    """Raise :class:`ReportError` now, before any kernel starts, when PDFs cannot be written."""
    _weasyprint_html()


def _weasyprint_html() -> type:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as err:   # OSError: the Pango library of the system is missing
        raise ReportError(f"--pdf needs WeasyPrint and the system's Pango library ({type(err).__name__}: {err}). "
                          "Install them with 'pip install weasyprint' and 'apt-get install libpango-1.0-0 "
                          "libpangoft2-1.0-0' (or 'conda install -c conda-forge weasyprint'), or run without "
                          "--pdf") from None
    return HTML


def html_to_pdf(source: Path, target: Path) -> Path:
    """Print one self-contained HTML page to an A4 PDF (its ``@media print`` rules apply).

    Raises
    ------
    ReportError
        When WeasyPrint or the system's Pango library is missing (the message says how to install them).
    """
    HTML = _weasyprint_html()  # noqa: N806 - the library's class
    HTML(filename=str(source), base_url=str(source.parent)).write_pdf(str(target))
    return target


def write_pdf(folder: Path, pages: Sequence[str]) -> list[Path]:
    """Print ``pages`` (HTML files of ``folder``) to PDFs next to them (``index.html`` -> ``index.pdf``).

    Returns
    -------
    list of Path
        The PDFs written, in the order of ``pages``.
    """
    out = []
    for name in pages:
        source = folder / name
        out.append(html_to_pdf(source, source.with_suffix(".pdf")))
        _LOG.info("%s printed to PDF", name)
    return out
