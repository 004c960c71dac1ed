"""Interviews: reading notes and intercoder agreement (kit.text.interviews)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit.errors import DataError, DataQualityWarning
from kit.text.codebook import read_codebook
from kit.text.coding import code_texts
from kit.text.interviews import intercoder_agreement, read_interviews

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _write(folder: Path, name: str, header: str | None, body: str = "Die Lieferung war gut.") -> Path:
    path = folder / name
    text = (f"---\n{header}\n---\n\n{body}\n" if header is not None else body + "\n")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample_codebook():
    return read_codebook(SAMPLE / "codebook.yaml")


# ---- read_interviews ----------------------------------------------------------------------------

def test_read_interviews_columns_codes_dates_and_order(tmp_path):
    _write(tmp_path, "b.md", "customer_id: 1002\ndate: 03.09.2026\ninterviewer: Tom Becker\nsegment: lost")
    _write(tmp_path, "a.md", "customer_id: K1\ndate: 2026-09-05\ninterviewer: Jana Wolf\nsegment: loyal\n"
                             "codes: [service, quality]", body="# Notes\n\nService top.")
    frame = read_interviews(tmp_path)
    assert frame["interview_id"].tolist() == ["b", "a"]               # sorted by date: 3 Sep before 5 Sep
    assert frame["customer_id"].tolist() == ["1002", "K1"]             # ids are text, even when YAML reads a number
    assert frame["date"].tolist() == [pd.Timestamp("2026-09-03"), pd.Timestamp("2026-09-05")]
    assert frame["date"].dtype == "datetime64[ns]"
    assert frame["codes"].tolist() == [None, ("service", "quality")]
    assert frame.loc[1, "text"] == "# Notes\n\nService top."
    assert frame["file"].tolist() == ["b.md", "a.md"]


def test_missing_front_matter_names_file_and_shows_example(tmp_path):
    _write(tmp_path, "notes.md", None)
    with pytest.raises(DataError, match=r"notes.md: has no front matter") as info:
        read_interviews(tmp_path)
    assert "customer_id: K01234" in str(info.value)                   # the example header


def test_missing_key_is_named(tmp_path):
    _write(tmp_path, "x.md", "customer_id: K1\ndate: 2026-09-01")
    with pytest.raises(DataError, match=r"x.md: front matter lacks 'interviewer'.*Expected a YAML front matter"):
        read_interviews(tmp_path)


def test_broken_yaml_bad_date_bad_segment_bad_codes(tmp_path):
    cases = {
        "customer_id: K1\ndate: [2026\ninterviewer: A": r"not valid YAML",
        "customer_id: K1\ndate: 31.02.2026\ninterviewer: A": r"'date' is not a date \('31.02.2026'\)",
        "customer_id: K1\ndate: 2026-09-01\ninterviewer: A\nsegment: happy":
            r"'segment' is 'happy'.*loyal, at_risk, lost",
        "customer_id: K1\ndate: 2026-09-01\ninterviewer: A\ncodes: {a: 1}": r"'codes'.*a list of theme ids",
    }
    for header, message in cases.items():
        folder = tmp_path / str(abs(hash(header)))
        folder.mkdir()
        _write(folder, "i.md", header)
        with pytest.raises(DataError, match=message):
            read_interviews(folder)


def test_unknown_manual_code_with_codebook(tmp_path, sample_codebook):
    _write(tmp_path, "i.md", "customer_id: K1\ndate: 2026-09-01\ninterviewer: A\ncodes: [servise]")
    with pytest.raises(DataError, match=r"unknown theme ids \['servise'\].*delivery, price"):
        read_interviews(tmp_path, codebook=sample_codebook)


def test_missing_folder_and_empty_folder(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        read_interviews(tmp_path / "nope")
    with pytest.warns(DataQualityWarning, match="no interview files"):
        frame = read_interviews(tmp_path)
    assert frame.empty and "customer_id" in frame.columns


def test_unknown_customer_warns_with_counts(tmp_path):
    _write(tmp_path, "a.md", "customer_id: K1\ndate: 2026-09-01\ninterviewer: A")
    _write(tmp_path, "b.md", "customer_id: K9\ndate: 2026-09-02\ninterviewer: A")
    customers = pd.DataFrame({"customer_id": ["K1", "K2"]})
    with pytest.warns(DataQualityWarning, match=r"1 of 2 interviews name a customer_id that is not in customers \(K9"):
        read_interviews(tmp_path, customers=customers)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_interviews(tmp_path, customers=pd.DataFrame({"customer_id": ["K1", "K9"]}))


def test_read_interviews_handles_bom_crlf_and_latin1(tmp_path):
    (tmp_path / "a.md").write_bytes("\ufeff---\r\ncustomer_id: K1\r\ndate: 01.09.2026\r\ninterviewer: Jörg Müller\r\n"
                                    "---\r\n\r\nDie Lieferung war schön.\r\n".encode())
    (tmp_path / "b.md").write_bytes("---\ncustomer_id: K2\ndate: 2026-09-02\ninterviewer: Jörg Müller\n---\n\n"
                                    "Die Qualität ist schön, über alles zufrieden. Äußerst günstig.\n"
                                    .encode("latin-1"))
    frame = read_interviews(tmp_path)
    assert frame["interviewer"].tolist() == ["Jörg Müller", "Jörg Müller"]
    assert frame["date"].tolist() == [pd.Timestamp("2026-09-01"), pd.Timestamp("2026-09-02")]   # 01.09. = 1 Sep
    assert frame.loc[1, "text"].startswith("Die Qualität ist schön")


# ---- intercoder agreement -------------------------------------------------------------------------

def test_kappa_against_hand_calculation_and_statsmodels():
    # 10 interviews, theme "price": both 4, manual only 1, automatic only 2, neither 3.
    # p_o = 7/10; p_manual = 5/10, p_auto = 6/10; p_e = .5*.6 + .5*.4 = .5; kappa = (.7 - .5) / .5 = 0.4
    ids = [f"i{k}" for k in range(10)]
    manual = [("price",)] * 4 + [("price",)] + [()] * 2 + [()] * 3
    interviews = pd.DataFrame({"interview_id": ids, "codes": manual})
    auto_ids = ids[:4] + ids[5:7]
    coded = pd.DataFrame({"text_id": auto_ids, "theme": "price"})
    out = intercoder_agreement(interviews, coded, themes=["price"]).set_index("theme")
    row = out.loc["price"]
    assert row[["n", "both", "manual_only", "auto_only", "neither"]].tolist() == [10, 4, 1, 2, 3]
    assert row["agreement"] == pytest.approx(0.7)
    assert row["kappa"] == pytest.approx(0.4)
    from statsmodels.stats.inter_rater import cohens_kappa

    assert row["kappa"] == pytest.approx(cohens_kappa(np.array([[4, 1], [2, 3]])).kappa)


def test_kappa_skips_interviews_without_codes_and_is_nan_when_undefined():
    interviews = pd.DataFrame({"interview_id": ["a", "b", "c"], "codes": [("service",), ("service",), None]})
    coded = pd.DataFrame({"text_id": ["a", "b", "c"], "theme": ["service", "service", "price"]})
    out = intercoder_agreement(interviews, coded, themes=["service"]).set_index("theme")
    assert out.loc["service", "n"] == 2                            # "c" has no manual codes
    assert np.isnan(out.loc["service", "kappa"])                   # p_e = 1: both always "yes"
    assert out.loc["service", "agreement"] == 1.0


def test_kappa_of_an_empty_coding_is_empty(sample_codebook):
    empty = code_texts(pd.Series([], dtype=object), sample_codebook)
    interviews = pd.DataFrame({"interview_id": ["a"], "customer_id": ["K1"], "segment": ["loyal"], "codes": [None]})
    assert intercoder_agreement(interviews, empty).empty
