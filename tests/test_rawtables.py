"""Reading table files as text: separator detection and the Arrow CSV parser (checked against pandas')."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from kit.data.rawtables import NA_TOKENS, _detect_sep, _read_csv_arrow

FIX = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize(("text", "sep"), [
    ("a;b;c\n1,5;2;3\n4,5;5;6\n", ";"),
    ("a,b,c\n1.5,2,3\n", ","),
    ("a\tb\n1\t2\n", "\t"),
    ("a|b\n1|2\n", "|"),
    ('a,b\n"x;y",2\n', ","),
    ("a;b\n1,50;2,50\n3,50;4,50\n", ";"),  # commas consistent in every row, but the header has none
])
def test_detect_sep(text, sep):
    assert _detect_sep(text) == sep


@pytest.mark.parametrize("file", ["orders_en.csv", "bestellungen_de.csv", "kunden_utf8.csv", "kunden_utf8bom.csv",
                                  "surveys_ok.csv", "tickets_ok.csv", "exits_unknown_customer.csv",
                                  "kunden_tab.tsv", "kunden_pipe.csv", "quoted"])
def test_arrow_csv_parser_matches_pandas_parser(file, tmp_path):
    if file == "quoted":  # line breaks, separators and empty strings inside quotes; NA tokens
        path = tmp_path / "quoted.csv"
        path.write_text('a,b,c\n1,"line one\nline two",NA\n2,"x, y",""\n3,,n/a\n', encoding="utf-8")
    else:
        path = FIX / file
    text = path.read_bytes().decode("utf-8-sig")
    sep = _detect_sep(text)
    header = next(csv.reader(text.splitlines()[:1], delimiter=sep))
    fast = _read_csv_arrow(path, sep, 0, header)
    slow = pd.read_csv(path, sep=sep, encoding="utf-8-sig", dtype=str, keep_default_na=False,
                       na_values=list(NA_TOKENS), engine="c")
    assert fast is not None
    pd.testing.assert_frame_equal(fast, slow)


def test_arrow_csv_parser_declines_what_it_cannot_match(tmp_path):
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    assert _read_csv_arrow(ragged, ",", 0, ["a", "b"]) is None
    assert _read_csv_arrow(ragged, ",", 0, ["a", "a"]) is None  # repeated header names
    assert _read_csv_arrow(FIX / "kunden_cp1252.csv", ";", 0, ["Kundennummer", "Registriert_am", "Bundesland"]) \
        is None  # not UTF-8
