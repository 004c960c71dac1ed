"""Quotes without personal data, shown as escaped HTML (kit.text.verbatims; scrubbing from kit.data.privacy)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kit.data.privacy import scrub_personal_data
from kit.text.codebook import read_codebook
from kit.text.coding import code_texts
from kit.text.interviews import read_interviews
from kit.text.verbatims import as_html_table, quotes

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def sample_codebook():
    return read_codebook(SAMPLE / "codebook.yaml")


# ---- quotes, privacy, escaping -----------------------------------------------------------------------

def test_scrub_personal_data():
    text = ("Frau Schmidt bat um Rückruf unter 0221 9876543 oder +49 (171) 234-5678, Mail an anna.b@example.com; "
            "Mr. Smith and Ms Brown agreed. Miriam notierte es am 12.03.2026 für 39,90 EUR.")
    out = scrub_personal_data(text, names=["Miriam Koch"])
    for personal in ("Schmidt", "9876543", "234-5678", "anna.b@example.com", "Smith", "Brown", "Miriam"):
        assert personal not in out
    assert out.count("[phone]") == 2 and "[e-mail]" in out and out.count("[name]") == 4
    assert "12.03.2026" in out and "39,90 EUR" in out                  # dates and amounts stay


def test_quotes_are_short_one_per_theme_polarity_and_scrubbed(tmp_path, sample_codebook):
    body = ("Miriam Koch fragte nach dem Service. "
            "Herr Weber lobt den Kundenservice als sehr freundlich und schnell, Mail an k.weber@example.de. "
            "Karl findet die Lieferung viel zu langsam, die Pakete kommen leider immer eine Woche zu spät an. "
            "Der Kundenservice war freundlich. "
            "Die Lieferung kam leider viel zu spät und das Paket war fast zwei Wochen lang unterwegs gewesen. "
            "Lieferung zu spät, " + "wirklich " * 30 + "ärgerlich.")
    header = "customer_id: K1\ndate: 2026-09-01\ninterviewer: Miriam Koch\nsegment: loyal\nname: Karl Weber"
    (tmp_path / "i1.md").write_text(f"---\n{header}\n---\n\n{body}\n", encoding="utf-8")
    interviews = read_interviews(tmp_path)
    coded = code_texts(interviews, sample_codebook)
    out = quotes(coded, interviews=interviews, codebook=sample_codebook)
    assert out.groupby(["theme", "polarity"]).size().max() == 1
    assert out["words"].between(8, 30).all()                         # the 36-word sentence is left out
    service = out.set_index(["theme", "polarity"]).loc[("service", "positive"), "quote"]
    assert service == "[name] lobt den Kundenservice als sehr freundlich und schnell, Mail an [e-mail]."
    assert not out["quote"].str.contains("Miriam|Koch|Weber|Karl|@").any()
    assert "[name] findet die Lieferung" in " ".join(quotes(coded, interviews=interviews, per_group=3)["quote"])
    assert out.set_index(["theme", "polarity"]).loc[("delivery", "negative"), "segment"] == "loyal"


def test_script_in_a_comment_is_escaped_in_html(sample_codebook):
    comments = pd.Series({"r1": "Alles gut <script>alert(1)</script> – der Kaffee ist frisch und schmeckt gut."})
    coded = code_texts(comments, sample_codebook)
    table = quotes(coded, min_words=3)
    assert "<script>" in table.loc[0, "quote"]                      # the data keeps the plain text
    html = as_html_table(table)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in table._repr_html_()                     # pandas' own notebook display escapes too


def test_quotes_of_an_empty_coding_are_empty(sample_codebook):
    empty = code_texts(pd.Series([], dtype=object), sample_codebook)
    interviews = pd.DataFrame({"interview_id": ["a"], "customer_id": ["K1"], "segment": ["loyal"], "codes": [None]})
    assert quotes(empty, interviews=interviews).empty
