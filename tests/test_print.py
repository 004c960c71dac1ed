"""Printing the report (slow): the index and page 3 printed to A4 PDF keep every column header of every table,
and the index fits on three pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


class _Headers(HTMLParser):
    """The text of every ``<th>`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.current, self.headers = False, "", []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "th":
            self.inside, self.current = True, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self.inside = False
            self.headers.append(self.current.strip())

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.current += data


def _squash(text: str) -> str:
    """Text without white space and soft or hard hyphens at line ends (a PDF's text wraps anywhere)."""
    return re.sub(r"[\s\u00ad\u2010]+", "", text)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    pytest.importorskip("weasyprint")
    from kit.report import run_report

    out = tmp_path_factory.mktemp("printed")
    return run_report(ROOT / "data" / "analysis.yaml", "2026-Q3", out=out, smoke=True, pdf=True, timeout=600)


@pytest.mark.parametrize("page", ["index", "03_criteria"])
def test_every_column_header_is_on_the_printed_page(printed, page):
    pypdf = pytest.importorskip("pypdf")
    parser = _Headers()
    parser.feed((printed / f"{page}.html").read_text(encoding="utf-8"))
    headers = [h for h in parser.headers if h]
    assert len(headers) > 10
    text = _squash(" ".join(p.extract_text() for p in pypdf.PdfReader(printed / f"{page}.pdf").pages))
    missing = [h for h in headers if _squash(h) not in text]
    assert missing == []


def test_the_index_prints_to_at_most_three_a4_pages(printed):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(printed / "index.pdf")
    assert 1 <= len(reader.pages) <= 3
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)             # A4 in points
