"""Converting text columns to contract types: decimal marks, dates and time zones, ids, flags.

The tables are built in memory (cells as a CSV reader delivers them); reading files is
tested in tests/test_io.py and tests/test_rawtables.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kit.data.convert import TableRead, _convert_ids, _decimal_evidence, convert_columns


def convert(table: str, columns: dict[str, list[str]], *, fmt: str | None = None,
            timezone: str = "Europe/Berlin") -> pd.DataFrame:
    """convert_columns on a frame of text cells, decimal marks detected."""
    read = TableRead(name=table, frame=pd.DataFrame(columns, dtype="str"), file="t.csv", first_row=2)
    convert_columns(read, fmt, timezone, {"decimal": None, "thousands": None}, None)
    return read.frame


@pytest.mark.parametrize(("values", "marks"), [
    (["12,50", "3"], {","}),
    (["1.234,50"], {","}),
    (["1.234.567"], {","}),
    (["12.50"], {"."}),
    (["1,234.50"], {"."}),
    (["1,234,567"], {"."}),
    (["1,234", "1.234", "7"], set()),  # grouped by three: either reading is possible
    (["12,5", "12.5"], {",", "."}),
])
def test_decimal_evidence(values, marks):
    assert _decimal_evidence(pd.Series(values, dtype="str")) == marks


def test_aware_timestamps_convert_to_business_time():
    cells = {"ticket_id": ["T1", "T2", "T3", "T4"],
             "opened_at": ["2024-01-15T12:00:00Z", "2024-07-15T12:00:00+00:00", "2024-07-15 14:30",
                           "2024-07-15T08:00:00-04:00"]}
    opened = convert("tickets", cells)["opened_at"].tolist()
    # Berlin is UTC+1 in January, UTC+2 in July; naive values are already local; 08:00-04:00 = 12:00Z = 14:00
    assert opened == [pd.Timestamp("2024-01-15 13:00"), pd.Timestamp("2024-07-15 14:00"),
                      pd.Timestamp("2024-07-15 14:30"), pd.Timestamp("2024-07-15 14:00")]
    utc = convert("tickets", cells, timezone="UTC")["opened_at"].tolist()
    assert utc[:2] == [pd.Timestamp("2024-01-15 12:00"), pd.Timestamp("2024-07-15 12:00")]


def test_german_dates_with_times():
    cells = {"ticket_id": ["T1", "T2", "T3"], "opened_at": ["31.01.2024 13:45", "1.2.2024 08:05:30", "02.02.2024"]}
    assert convert("tickets", cells)["opened_at"].tolist() == [
        pd.Timestamp("2024-01-31 13:45"), pd.Timestamp("2024-02-01 08:05:30"), pd.Timestamp("2024-02-02")]


def test_configured_format_still_accepts_iso():
    cells = {"order_id": ["A", "B"], "order_date": ["31.01.2024", "2024-02-01"]}
    assert convert("orders", cells, fmt="%d.%m.%Y")["order_date"].tolist() == [
        pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-01")]


def test_ids_from_excel_floats_are_text():
    frame = convert("orders", {"order_id": [" 17 ", "B-2.0"], "customer_id": ["1001.0", "0042"]})
    assert frame["order_id"].tolist() == ["17", "B-2.0"]  # only all-digit ids lose a '.0'
    assert frame["customer_id"].tolist() == ["1001", "0042"]  # leading zeros are kept


@pytest.mark.parametrize("values", [["K1", "K2", "K3", "K4"], [" K1", "K2", "K3 ", "K4"], ["7.0", "K2", "K3", "8"],
                                    ["K1", "", None, "K4"], ["K1", "K\u00a02", "K3\t", "Kö"],
                                    ["K1", "K2", "K3", " 9.00 "]])
def test_ids_of_arrow_text_convert_as_object_text(values):
    """Arrow-backed text skips the strip and the '.' search when no byte of the values needs them; the bytes are
    those of each chunk's own values, also when chunks are slices of one buffer (the last chunk below holds
    ' 9.00 ', the first three values of the buffer do not). The result is that of Python-object text."""
    import pyarrow as pa

    array = pa.array(values * 3, pa.large_string())
    pieces = [array.slice(0, 3), array.slice(4, 3), array.slice(9, 3)]
    text = pa.chunked_array(pieces).to_pandas(types_mapper={
        pa.large_string(): pd.StringDtype("pyarrow", na_value=float("nan"))}.get)
    expected = _convert_ids(pd.Series([v for piece in pieces for v in piece.to_pylist()], dtype=object))
    pd.testing.assert_series_equal(_convert_ids(text), expected)


def test_flag_tokens():
    tokens = ["true", "FALSE", "Yes", "no", "ja", "Nein", "wahr", "falsch", "1", "0", "x", "", "X"]
    assert convert("orders", {"returned": tokens})["returned"].tolist() == [
        True, False, True, False, True, False, True, False, True, False, True, False, True]


@pytest.mark.parametrize(("sep", "column", "german_example", "english_example"), [
    # ';' files are German exports: '1.234' is read with a decimal comma, as 1234 (no thousands dot, so the
    # reading cannot look like its input)
    (";", ["1.234", "7"],
     "Umsatz: '1.234' als 1234 gelesen (Dezimalkomma angenommen wegen des Trennzeichens ';'); "
     "falls falsch, csv.decimal setzen",
     "Umsatz: '1.234' read as 1234 (decimal comma assumed from the ';' separator); set csv.decimal if wrong"),
    # ',' files: '1.234' is read with a decimal point: 1.234, German 1,234
    (",", ["1.234", "7"],
     "Umsatz: '1.234' als 1,234 gelesen (Dezimalpunkt angenommen wegen des Trennzeichens ','); "
     "falls falsch, csv.decimal setzen",
     "Umsatz: '1.234' read as 1.234 (decimal point assumed from the ',' separator); set csv.decimal if wrong"),
    # Excel and Parquet have no separator to go by: the decimal point, so '1,234' is 1234
    (None, ["1,234", "7"],
     "Umsatz: '1,234' als 1234 gelesen (Dezimalpunkt angenommen wegen des Dateityps); "
     "falls falsch, csv.decimal setzen",
     "Umsatz: '1,234' read as 1234 (decimal point assumed from the file type); set csv.decimal if wrong"),
])
def test_guessed_decimal_mark_is_noted_in_english_and_german(sep, column, german_example, english_example):
    from kit.data.check_texts import check_text

    read = TableRead(name="orders", frame=pd.DataFrame({"revenue": column}, dtype="str"), file="t.csv",
                     first_row=2, user_names={"revenue": "Umsatz"}, sep=sep)
    convert_columns(read, None, "Europe/Berlin", {"decimal": None, "thousands": None}, None)
    [note] = read.notes
    assert (note["check"], note["severity"], note["count"], note["example"]) == (
        "revenue decimal mark", "warning", 1, english_example)
    assert check_text(note["check_key"], "de", note["params"]) == "revenue: Dezimalzeichen"
    assert check_text(note["example_key"], "de", note["params"]) == german_example
