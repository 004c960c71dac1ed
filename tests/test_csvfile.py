"""CSV exports cannot carry spreadsheet formulas (OWASP CSV injection): one writer, every export."""

from __future__ import annotations

import csv
import types
from pathlib import Path

import pandas as pd
import pytest

from kit.report import pages
from kit.report.csvfile import FORMULA_STARTS, neutralise_formulas, write_csv
from kit.report.summary import _write_artefacts

PAYLOADS = ['=HYPERLINK("http://evil.example/","click")', "=cmd|' /C calc'!A0", "+1+1", "-2+3",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def _read_back(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _live(cell: str) -> bool:
    """What Excel would run as a formula: a cell starting with a formula character that is not a number."""
    try:
        float(cell)
        return False
    except ValueError:
        return cell.startswith(FORMULA_STARTS)


def test_every_payload_is_neutralised_and_reads_back_as_text(tmp_path):
    frame = pd.DataFrame({"segment": PAYLOADS, "n": range(len(PAYLOADS))})
    rows = _read_back(write_csv(frame, tmp_path / "x.csv"))
    cells = [r[0] for r in rows[1:]]
    assert not any(_live(c) for c in cells)
    # the quote is the only change (and a carriage return, which would split the row, becomes a line feed)
    assert [c[1:] for c in cells] == [p.replace("\r", "\n") for p in PAYLOADS]
    assert len(rows) == 1 + len(PAYLOADS)


def test_numbers_stay_numbers(tmp_path):
    # a numeric column with negatives, and text cells that are plain numbers: nothing is prefixed
    frame = pd.DataFrame({"change": [-0.075, 1.5], "text": ["-12.5", "+3"], "id": ["-", "K-1"]})
    rows = _read_back(write_csv(frame, tmp_path / "x.csv"))
    assert rows[1][:2] == ["-0.075", "-12.5"] and rows[2][:2] == ["1.5", "+3"]
    assert rows[1][2] == "'-"  # a lone dash is not a number: quoted (harmless, and the rule stays simple)
    assert pd.read_csv(tmp_path / "x.csv")["change"].dtype == float


def test_column_names_and_categoricals_are_covered():
    frame = pd.DataFrame({"=evil": pd.Categorical(["=1+1", "ok"])})
    out = neutralise_formulas(frame)
    assert list(out.columns) == ["'=evil"] and out.iloc[:, 0].tolist() == ["'=1+1", "ok"]


@pytest.fixture
def payload_exports(tmp_path, monkeypatch):
    """Every export of a run, written by the run's own ``_write_artefacts`` from frames full of payloads."""
    def frame(columns):
        return pd.DataFrame({c: PAYLOADS for c in columns} | {"value": [-1.5] * len(PAYLOADS)})

    monkeypatch.setattr(pages, "get_scorecard", lambda ctx: frame(["kpi", "label", "definition"]))
    monkeypatch.setattr(pages, "plan_frame", lambda ctx: frame(["title", "owner", "why"]))
    monkeypatch.setattr(pages, "list_frames", lambda ctx: {
        "watch_list": frame(["customer_id", "segment"]),
        "winback_list": frame(["customer_id", "reason", "category"]),
        "advocates": frame(["customer_id", "segment"])})
    _, _, written, _ = _write_artefacts(tmp_path, types.SimpleNamespace(lang="en"))
    return tmp_path, written


def test_payloads_through_every_export(payload_exports):
    folder, written = payload_exports
    csvs = [w for w in written if w.endswith(".csv")]
    assert sorted(csvs) == ["actions.csv", "advocates.csv", "kpis.csv", "watchlist.csv", "winback.csv"]
    for name in csvs:
        rows = _read_back(folder / name)
        header, body = rows[0], rows[1:]
        assert len(body) == len(PAYLOADS), name
        live = [(name, col, cell) for row in body for col, cell in zip(header, row, strict=True) if _live(cell)]
        assert live == []
        # the negative numbers of the numeric column are still numbers
        assert {row[header.index("value")] for row in body} == {"-1.5"}


def test_no_export_bypasses_the_writer():
    """Every CSV of the kit goes through write_csv (a plain to_csv would bring the injection back)."""
    kit = Path(__file__).resolve().parents[1] / "kit"
    offenders = [str(p.relative_to(kit)) for p in kit.rglob("*.py")
                 if ".to_csv(" in p.read_text(encoding="utf-8")
                 and p.name not in ("csvfile.py", "_write.py")]  # _write.py writes the sample's input files
    assert offenders == []
