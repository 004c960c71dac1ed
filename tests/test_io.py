"""Reading real-world exports: formats, encodings, separators, decimal marks, dates, bad inputs.

Fixture files live in tests/fixtures (written by tests/fixtures/make_fixtures.py and
committed); files that only one test needs are written to tmp_path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit.data.config import AnalysisConfig, DataSources, TableSource, load_config
from kit.data.io import read_data, read_table, validate
from kit.errors import ConfigError, DataError

FIX = Path(__file__).resolve().parent / "fixtures"

GERMAN_ORDERS = {"Bestellnummer": "order_id", "Kundennummer": "customer_id", "Bestelldatum": "order_date",
                 "Umsatz": "revenue", "Erstattung": "refund_amount", "Retoure": "returned", "Menge": "quantity",
                 "Kategorie": "category"}
GERMAN_CUSTOMERS = {"Kundennummer": "customer_id", "Registriert_am": "signup_date", "Bundesland": "region"}


def read(name: str, file: str | Path, *, data: dict | None = None, **source) -> pd.DataFrame:
    """read_table on a fixture (or any path) with the given source options."""
    src = TableSource(file=FIX / file if isinstance(file, str) else file, **source)
    sources = DataSources(tables={"orders": src, name: src}, **(data or {}))
    return read_table(src, name, data=sources)


def config(tables: dict[str, dict], **data) -> AnalysisConfig:
    """A configuration whose table files are fixtures (names) or absolute paths."""
    resolved = {name: {**opts, "file": str(FIX / opts["file"]) if "/" not in str(opts["file"]) else opts["file"]}
                for name, opts in tables.items()}
    return AnalysisConfig.model_validate({"business": {"name": "Test"}, "data": {**data, "tables": resolved}})


# ------------------------------------------------------------------ twins and formats


def test_german_export_equals_english_twin():
    english = read("orders", "orders_en.csv")
    german = read("orders", "bestellungen_de.csv", columns=GERMAN_ORDERS)
    pd.testing.assert_frame_equal(german, english)
    # hand-read from the fixture: '1.234,50' -> 1234.5, '1.000.000,00' -> 1e6; empty refund -> 0
    assert english["revenue"].tolist() == [1234.5, 12.5, 49.9, 1_000_000.0]
    assert english["refund_amount"].tolist() == [0.0, 12.5, 0.0, 0.0]
    assert english["returned"].tolist() == [False, True, False, False]
    assert english["order_date"].tolist() == [pd.Timestamp(d) for d in
                                             ("2024-01-31", "2024-02-01", "2024-12-13", "2025-03-01")]
    assert english["customer_id"].tolist() == ["1001", "1002", "1001", "1003"]
    assert str(english["order_date"].dtype) == "datetime64[ns]"
    assert english["category"].tolist()[1] == "Zubehör"


@pytest.mark.parametrize("file", ["orders_en.parquet", "orders_en.xlsx"])
def test_parquet_and_excel_equal_csv(file):
    pd.testing.assert_frame_equal(read("orders", file), read("orders", "orders_en.csv"))


def test_excel_title_row_needs_header_row():
    pd.testing.assert_frame_equal(read("orders", "orders_title_row.xlsx", header_row=2),
                                  read("orders", "orders_en.csv"))
    with pytest.raises(DataError, match=r"orders_title_row\.xlsx, column 'order_id': required column .*header_row"):
        read("orders", "orders_title_row.xlsx")


def test_excel_unknown_sheet_lists_sheets():
    with pytest.raises(DataError, match=r"orders_en\.xlsx: sheet 'Orders' does not exist; sheets: 'Bestellungen'"):
        read("orders", "orders_en.xlsx", sheet="Orders")
    assert len(read("orders", "orders_en.xlsx", sheet="Bestellungen")) == 4


@pytest.mark.parametrize("file", ["kunden_utf8bom.csv", "kunden_cp1252.csv", "kunden_tab.tsv", "kunden_pipe.csv"])
def test_encodings_and_separators_load_equally(file):
    reference = read("customers", "kunden_utf8.csv", columns=GERMAN_CUSTOMERS)
    pd.testing.assert_frame_equal(read("customers", file, columns=GERMAN_CUSTOMERS), reference)
    assert reference["region"].tolist() == ["Baden-Württemberg", "Thüringen", "Nordrhein-Westfalen"]
    assert reference["signup_date"].tolist()[0] == pd.Timestamp("2024-01-05")  # 05.01.2024, day first


def test_configured_encoding_wrong_is_a_clear_error():
    with pytest.raises(DataError, match=r"kunden_declared_utf8\.csv: .*not valid utf-8 .*line 2.*cp1252"):
        read("customers", "kunden_declared_utf8.csv", columns=GERMAN_CUSTOMERS, csv={"encoding": "utf-8"})
    # the same file with its encoding detected reads fine
    assert read("customers", "kunden_declared_utf8.csv", columns=GERMAN_CUSTOMERS)["region"][1] == "Thüringen"


def test_configured_csv_options_override_detection(tmp_path):
    path = tmp_path / "o.csv"
    # '1,234' alone is ambiguous; configured decimal ',' makes it 1.234, the default for ',' files 1234
    path.write_text("order_id;customer_id;order_date;revenue\nA;1;2024-01-01;1,234\n", encoding="utf-8")
    assert read("orders", path)["revenue"].tolist() == [1.234]  # ';' file: decimal comma by default
    assert read("orders", path, csv={"decimal": ".", "thousands": ","})["revenue"].tolist() == [1234.0]
    assert read("orders", path, data={"csv": {"decimal": "."}})["revenue"].tolist() == [1234.0]


# ------------------------------------------------------------------ dates and time zones


def test_date_format_table_level_overrides_data_level():
    file = "orders_ambiguous_date.csv"  # 03/04/2024, 05/06/2024
    day_first = read("orders", file, data={"date_format": "%d/%m/%Y"})["order_date"].tolist()
    month_first = read("orders", file, data={"date_format": "%d/%m/%Y"}, date_format="%m/%d/%Y")["order_date"]
    assert day_first == [pd.Timestamp("2024-04-03"), pd.Timestamp("2024-06-05")]
    assert month_first.tolist() == [pd.Timestamp("2024-03-04"), pd.Timestamp("2024-05-06")]


# ------------------------------------------------------------------ ids and flags


def test_numeric_ids_from_parquet_are_text(tmp_path):
    path = tmp_path / "o.parquet"
    pd.DataFrame({"order_id": [1, 2], "customer_id": [1001.0, np.nan], "order_date": pd.to_datetime(["2024-01-01"] * 2),
                  "revenue": [1, 2]}).to_parquet(path)
    frame = read("orders", path)
    assert frame["order_id"].tolist() == ["1", "2"]
    assert frame["customer_id"].iloc[0] == "1001" and pd.isna(frame["customer_id"].iloc[1])


def test_unmapped_columns_are_kept_as_text():
    frame = read("customers", "kunden_utf8.csv", columns={"Kundennummer": "customer_id"})
    assert list(frame.columns) == ["customer_id", "Registriert_am", "Bundesland"]
    assert frame["Registriert_am"].tolist()[0] == "05.01.2024"


# ------------------------------------------------------------------ bad inputs (reading)

BAD_READS = [
    ("orders_missing_column.csv", "orders", {},
     r"orders_missing_column\.csv, column 'revenue': required column 'revenue' is missing; columns found: "
     r"'order_id', 'customer_id', 'order_date'"),
    ("orders_unparsable_date.csv", "orders", {},
     r"orders_unparsable_date\.csv, column 'order_date': 2 values are not dates \(rows 3, 5: '31\.02\.2024', "
     r"'morgen'\)\. Expected DD\.MM\.YYYY or ISO dates; correct the values in the export, or set date_format in "
     r"analysis\.yaml if the dates are written another way\."),
    ("orders_impossible_date.csv", "orders", {},
     r"orders_impossible_date\.csv, column 'order_date': 1 value is not a calendar date \(written like a date, but "
     r"that day does not exist\) \(row 3: '31\.02\.2024'\)\. Expected days that exist in the calendar; correct the "
     r"value in the export \(or leave the cell empty\)\."),
    ("orders_ambiguous_date.csv", "orders", {},
     r"orders_ambiguous_date\.csv, column 'order_date': 2 dates like '03/04/2024' are ambiguous: every value "
     r"could be DD/MM/YYYY or MM/DD/YYYY \(rows 2, 3"),
    ("orders_dayfirst_slash.csv", "orders", {},
     r"orders_dayfirst_slash\.csv, column 'order_date': .*suggest day first .*'13/04/2024'.*'%d/%m/%Y'"),
    ("orders_monthfirst_slash.csv", "orders", {},
     r"orders_monthfirst_slash\.csv, column 'order_date': .*suggest month first .*'04/13/2024'.*'%m/%d/%Y'"),
    ("orders_empty.csv", "orders", {}, r"orders_empty\.csv: the file is empty"),
    ("orders_header_only.csv", "orders", {}, r"orders_header_only\.csv: the file has a header but no data rows"),
    ("orders_bad_boolean.csv", "orders", {},
     r"orders_bad_boolean\.csv, column 'returned': 1 value is not a yes/no flag \(row 3: 'vielleicht'\)"),
    ("orders_text_in_number.csv", "orders", {},
     r"orders_text_in_number\.csv, column 'revenue': 1 value is not a number \(row 3: 'zehn'\)"),
    ("orders_mixed_decimals.csv", "orders", {},
     r"orders_mixed_decimals\.csv, column 'revenue': the column mixes decimal commas and decimal points"),
    ("bestellungen_de.csv", "orders", {"columns": {**GERMAN_ORDERS, "Umsatzz": "revenue"}},
     r"bestellungen_de\.csv, column 'Umsatzz': mapped column 'Umsatzz' \(-> revenue\) is not in the file; "
     r"columns found: 'Bestellnummer'.*did you mean 'Umsatz'\?"),
    ("bestellungen_de.csv", "orders", {"columns": {**GERMAN_ORDERS, "Bestelldatum": "order_date"},
                                       "date_format": "%Y-%m-%d"},
     r"bestellungen_de\.csv, column 'Bestelldatum': 4 values are not dates \(mapped to order_date\) \(rows 2, 3, 4, 5"),
    ("does_not_exist.csv", "orders", {}, r"does_not_exist\.csv: file not found: .*data\.tables\.orders\.file"),
    ("orders.json", "orders", {}, r"orders\.json: the JSON is an object with keys 'not', not a list of records"),
]


@pytest.mark.parametrize(("file", "table", "source", "match"), BAD_READS, ids=[b[0] for b in BAD_READS])
def test_bad_inputs_raise_data_error(file, table, source, match):
    with pytest.raises(DataError, match=match):
        read(table, file, **source)


def test_error_carries_structured_fields():
    with pytest.raises(DataError) as info:
        read("orders", "orders_unparsable_date.csv")
    assert info.value.file == "orders_unparsable_date.csv"
    assert info.value.column == "order_date"
    assert info.value.rows == [3, 5]  # header = row 1: '31.02.2024' is the 2nd data row -> row 3


def test_read_data_attaches_sources_and_quality():
    cfg = config({"orders": {"file": "bestellungen_de.csv", "columns": GERMAN_ORDERS},
                  "customers": {"file": "kunden_cp1252.csv", "columns": GERMAN_CUSTOMERS}})
    data = read_data(cfg)
    assert data.sources == {"orders": "bestellungen_de.csv", "customers": "kunden_cp1252.csv"}
    assert list(data.quality.columns) == ["table", "check", "severity", "count", "example",
                                          "check_key", "example_key", "params"]
    rows_read = data.quality[data.quality["check"] == "rows read"].set_index("table")["count"]
    assert rows_read.to_dict() == {"orders": 4, "customers": 3}
    assert data.surveys is None and len(data.orders) == 4


# ------------------------------------------------------------------ input files are never modified


def _fixture_hashes() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(FIX.iterdir()) if p.is_file()}


def test_reading_never_modifies_or_adds_files():
    before = _fixture_hashes()
    assert len(before) >= 30
    for file, table, source, _ in BAD_READS:
        with pytest.raises(DataError):
            read(table, file, **source)
    for file in ("orders_en.csv", "orders_en.parquet", "orders_en.xlsx"):
        read("orders", file)
    read("orders", "orders_title_row.xlsx", header_row=2)
    for file in ("kunden_utf8.csv", "kunden_utf8bom.csv", "kunden_cp1252.csv", "kunden_declared_utf8.csv"):
        read("customers", file, columns=GERMAN_CUSTOMERS)
    validate(config({"orders": {"file": "orders_duplicate_rows.csv"}, "surveys": {"file": "surveys_ok.csv"},
                     "tickets": {"file": "tickets_ok.csv"}, "exits": {"file": "exits_unknown_customer.csv"},
                     "customers": {"file": "customers_duplicate_ids.csv"}}))
    for path in sorted(FIX.iterdir()):  # every data file once more, through the whole validation
        if path.suffix in (".csv", ".tsv", ".xlsx", ".parquet", ".json"):
            table = "surveys" if path.name.startswith("surveys") else "orders"
            validate(config({table: {"file": path.name}}))
    for path in sorted(FIX.glob("config_*.yaml")):
        try:
            validate(load_config(path))
        except ConfigError:
            pass
    assert _fixture_hashes() == before
    assert sorted(p.name for p in FIX.iterdir()) == sorted(before)  # nothing written next to the inputs


# ------------------------------------------------------------------ real exports (../shared/datasets)


def test_real_nps_export_with_day_first_slash_dates(shared_datasets):
    path = shared_datasets / "bt-nps-verbatims" / "nps_verbatims.csv"
    columns = {"CUSTOMER_RESPONSE_DATE": "responded_at", "NPS_SCORE": "nps", "text": "comment"}
    with pytest.raises(DataError, match=r"nps_verbatims\.csv, column 'CUSTOMER_RESPONSE_DATE': 2385 dates like "
                                        r"'11/04/2018 20:09' are ambiguous: the values suggest day first"):
        read("surveys", path, columns=columns)
    frame = read("surveys", path, columns=columns, date_format="%d/%m/%Y %H:%M")
    # SOURCE.md (computed independently): 2,385 rows, 2,353 scored, 690 promoters, 1,271 detractors,
    # answers from 2017-12-11 to 2018-06-20
    assert len(frame) == 2385
    assert frame["nps"].notna().sum() == 2353
    assert (frame["nps"] >= 9).sum() == 690 and (frame["nps"] <= 6).sum() == 1271
    assert frame["responded_at"].min().date().isoformat() == "2017-12-11"
    assert frame["responded_at"].max().date().isoformat() == "2018-06-20"
    assert frame["responded_at"].iloc[0] == pd.Timestamp("2018-04-11 20:09")  # '11/04/2018 20:09', day first


def test_real_retail_lines_month_first_dates_and_float_ids(shared_datasets):
    path = shared_datasets / "uci-online-retail" / "online_retail_first240k.parquet"
    columns = {"InvoiceNo": "order_id", "CustomerID": "customer_id", "InvoiceDate": "order_date",
               "UnitPrice": "revenue", "Quantity": "quantity"}
    # the hint gives the format the values need: two-digit year and time of day (issue 16; it said '%m/%d/%Y')
    with pytest.raises(DataError, match=r"online_retail_first240k\.parquet, column 'InvoiceDate': .*suggest month "
                                        r"first .*set date_format: '%m/%d/%y %H:%M'"):
        read("orders", path, columns=columns)
    frame = read("orders", path, columns=columns, date_format="%m/%d/%y %H:%M")
    raw = pd.read_parquet(path)  # the oracle: the file as it is
    assert len(frame) == len(raw) == 240_007
    assert frame["customer_id"].iloc[0] == "17850"  # 17850.0 in the file
    assert frame["customer_id"].nunique() == 2974  # SOURCE.md
    assert frame["customer_id"].isna().sum() == raw["CustomerID"].isna().sum()
    assert frame["order_date"].min() == pd.Timestamp("2010-12-01 08:26")
    assert frame["order_date"].max() == pd.Timestamp("2011-06-26 10:59")
    # invoice lines are not orders: validation names the repeated ids and the negative quantities
    cfg = config({"orders": {"file": str(path), "columns": columns, "date_format": "%m/%d/%y %H:%M"}})
    report = validate(cfg)
    errors = report[report["severity"] == "error"].set_index("check")
    # exact duplicate lines are dropped first (warning), then quantities are checked
    dupes = report.set_index("check").loc["exact duplicate rows (dropped, first kept)"]
    assert (dupes["severity"], dupes["count"]) == ("warning", raw.duplicated().sum())
    assert errors.loc["quantity > 0", "count"] == (raw.drop_duplicates()["Quantity"] <= 0).sum()
    assert "column 'InvoiceNo'" in errors.loc["order_id unique", "example"]


def test_misplaced_thousands_marks_are_errors_not_dropped(tmp_path):
    from kit.data._convert_numbers import _to_number

    values = pd.Series(["1.234,5", "12.5", "1.000.000", "-7,25"], dtype="str")
    # German reading: 1234.5; '12.5' has a dot outside groups of three -> invalid; 1e6; -7.25
    result = _to_number(values, ",", ".")
    assert result.iloc[[0, 2, 3]].tolist() == [1234.5, 1_000_000.0, -7.25] and np.isnan(result.iloc[1])
    path = tmp_path / "o.csv"
    lines = "".join(f"A{i};1;2024-01-01;{i},50\n" for i in range(30_000))  # evidence comes from the first rows
    path.write_text("order_id;customer_id;order_date;revenue\n" + lines + "B;1;2024-01-01;12.5\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"o\.csv, column 'revenue': 1 value is not a number \(row 30002: '12\.5'\)"):
        read("orders", path)


def test_placeholder_dates_far_in_the_future_are_named(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("customer_id;signup_date\n1;01.02.2024\n2;31.12.9999\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"c\.csv, column 'signup_date': 1 date lies outside the years 1678-2261 .*"
                                        r"\(row 3: '31\.12\.9999'\).*empty cells"):
        read("customers", path)


def test_csv_title_lines_and_excel_sep_line(tmp_path):
    titled = tmp_path / "titled.csv"
    titled.write_text("Export vom 01.10.2026\n\norder_id;customer_id;order_date;revenue\nA;1;01.02.2024;1,5\n"
                      "B;1;xx;2\n", encoding="utf-8")
    # header on line 3 -> first data row is line 4, the bad date is on line 5
    with pytest.raises(DataError, match=r"titled\.csv, column 'order_date': 1 value is not a date \(row 5: 'xx'\)"):
        read("orders", titled, header_row=3)
    hinted = tmp_path / "hinted.csv"
    hinted.write_text("sep=;\norder_id;customer_id;order_date;revenue\nA;1;01.02.2024;1,5\n", encoding="utf-8-sig")
    assert read("orders", hinted)["revenue"].tolist() == [1.5]


@pytest.mark.parametrize(("name", "match"), [
    ("orders.xlsx", r"orders\.xlsx: cannot be read as an Excel workbook \(\.xlsx\)"),
    ("orders.parquet", r"orders\.parquet: cannot be read as a Parquet file"),
    ("orders.xls", r"orders\.xls: cannot be read as an Excel workbook \(\.xls\)"),
])
def test_files_that_are_not_what_their_suffix_says(tmp_path, name, match):
    path = tmp_path / name
    path.write_bytes((FIX / "orders_en.csv").read_bytes())
    with pytest.raises(DataError, match=match):
        read("orders", path)


def test_required_column_with_other_case_is_suggested(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("Order ID,customer_id,order_date,revenue\nA,1,2024-01-01,1\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"o\.csv, column 'order_id': .*did you mean 'Order ID'\? Map it with "
                                        r"columns: \{Order ID: order_id\}"):
        read("orders", path)


def test_random_german_numbers_read_like_their_english_twin(tmp_path):
    rng = np.random.default_rng(7)
    amounts = np.round(rng.lognormal(3, 2.5, 500) * rng.choice([1, -1], 500), 2)  # 0.01 .. millions, signed
    german = [f"{a:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".") for a in amounts]  # 1.234,50
    english = [f'"{a:,.2f}"' for a in amounts]  # "1,234.50" (quoted: it holds the separator)
    ids = [f"A{i}" for i in range(len(amounts))]
    (tmp_path / "de.csv").write_text("order_id;customer_id;order_date;revenue\n" + "".join(
        f"{i};1;31.12.2024;{g}\n" for i, g in zip(ids, german, strict=False)), encoding="cp1252")
    (tmp_path / "en.csv").write_text("order_id,customer_id,order_date,revenue\n" + "".join(
        f"{i},1,2024-12-31,{e}\n" for i, e in zip(ids, english, strict=False)), encoding="utf-8")
    de, en = read("orders", tmp_path / "de.csv"), read("orders", tmp_path / "en.csv")
    pd.testing.assert_frame_equal(de, en)
    np.testing.assert_allclose(de["revenue"].to_numpy(), amounts)  # the oracle: the numbers written


def test_format_quality_report_repeats_errors_in_full():
    from kit.data.io import format_quality_report

    message = "orders.csv, column 'revenue': 1 value is not a number (row 3: 'zehn'). " + "x" * 200
    report = pd.DataFrame([
        {"table": "orders", "check": "rows read", "severity": "info", "count": 3, "example": "orders.csv"},
        {"table": "orders", "check": "column types", "severity": "error", "count": 1, "example": message},
        {"table": "exits", "check": "customer_id known in customers", "severity": "warning", "count": 2,
         "example": "2 distinct ids"}])
    text = format_quality_report(report, width=100)
    lines = text.splitlines()
    assert lines[0].split() == ["table", "check", "severity", "count", "example"]
    assert all(len(line) <= 100 for line in lines[:4])  # the table fits; the full message follows
    assert "1 errors, 1 warnings, 3 checks." in text
    assert text.endswith("- " + message)
    assert format_quality_report(report.iloc[:0]) == "no checks were run (no tables configured)."


def _warned_orders(tmp_path: Path) -> AnalysisConfig:
    """Orders with a guessed decimal mark (TAB file, '1.234'), a mapping typo and an exact duplicate row."""
    path = tmp_path / "o.tsv"
    path.write_text("order_id\tcustomer_id\torder_date\trevenue\tKanal\n"
                    "A\t1\t2024-01-01\t1.234\tApp\nB\t1\t2024-01-02\t7\tWeb\nB\t1\t2024-01-02\t7\tWeb\n",
                    encoding="utf-8")
    return config({"orders": {"file": str(path), "columns": {"Kanal": "chanel"}}})


def test_quality_rows_render_from_their_json_able_keys_and_params(tmp_path):
    import json

    from kit.data.check_texts import check_text

    report = validate(_warned_orders(tmp_path))
    assert (report["check_key"] != "").all() and (report["severity"] == "warning").sum() == 3
    for row in report.itertuples():
        params = json.loads(json.dumps(row.params))  # JSON-able, and back
        # the English texts are the table's English texts: one place per check text
        assert check_text(row.check_key, "en", params) == row.check
        if row.example_key:
            assert check_text(row.example_key, "en", params) == row.example


def test_quality_report_in_german_by_hand(tmp_path):
    from kit.data.io import translate_quality_report

    report = validate(_warned_orders(tmp_path))
    german = translate_quality_report(report, "de").set_index("check_key")
    assert german.loc["rows_read", ["check", "example"]].tolist() == ["gelesene Zeilen", "o.tsv"]
    assert german.loc["mapped_columns", ["check", "example"]].tolist() == [
        "zugeordnete Spalten gehören zum Datenvertrag",
        "Kanal -> 'chanel' (gemeint: 'channel'?); als Attribute behalten"]
    # '1.234' in a TAB file: nothing proves the mark, the decimal point is assumed -> 1.234, German 1,234
    assert german.loc["decimal_mark", ["check", "example"]].tolist() == [
        "revenue: Dezimalzeichen",
        "revenue: '1.234' als 1,234 gelesen (Dezimalpunkt angenommen wegen des Trennzeichens '\\t'); "
        "falls falsch, csv.decimal setzen"]
    assert german.loc["exact_duplicates", ["check", "example"]].tolist() == [
        "exakt doppelte Zeilen (entfernt, erste behalten)", "Zeilen 4"]
    assert german.loc["not_before_year", "check"] == "order_date nicht vor 1990"
    # the English texts stay as they were, and so do the keys and parameters
    assert report.set_index("check_key").loc["exact_duplicates", "check"] == \
        "exact duplicate rows (dropped, first kept)"
    assert translate_quality_report(report, "en") is report
    assert german["params"].tolist() == report["params"].tolist()


def test_format_quality_report_in_german(tmp_path):
    from kit.data.io import format_quality_report

    report = validate(_warned_orders(tmp_path))
    text = format_quality_report(report, lang="de")
    lines = text.splitlines()
    assert lines[0].split() == ["Tabelle", "Prüfung", "Schweregrad", "Anzahl", "Beispiel"]
    assert lines[1].split()[:5] == ["Bestellungen", "gelesene", "Zeilen", "Info", "3"]  # the copy is dropped later
    assert any("exakt doppelte Zeilen (entfernt, erste behalten)  Warnung" in line for line in lines)
    assert lines[-1] == f"0 Fehler, 3 Warnungen, {len(report)} Prüfungen."
    assert format_quality_report(report.iloc[:0], lang="de") == \
        "keine Prüfungen gelaufen (keine Tabellen konfiguriert)."
    # errors are listed in full under "Fehler:", their messages in English like every error message
    bad = validate(config({"orders": {"file": "orders_text_in_number.csv"}}))
    german = format_quality_report(bad, lang="de")
    assert "Spaltentypen" in german and "\nFehler:\n- orders_text_in_number.csv, column 'revenue'" in german


def test_typed_parquet_columns(tmp_path):
    path = tmp_path / "t.parquet"
    pd.DataFrame({
        "ticket_id": pd.array([7, 8], dtype="Int64"),
        "opened_at": pd.to_datetime(["2024-01-15 12:00", "2024-07-15 12:00"]).tz_localize("UTC"),
        "is_complaint": pd.array([True, None], dtype="boolean"),
        "customer_id": ["K1", None],
    }).to_parquet(path)
    frame = read("tickets", path)
    assert frame["ticket_id"].tolist() == ["7", "8"]
    # 12:00 UTC is 13:00 in a Berlin winter and 14:00 in a Berlin summer
    assert frame["opened_at"].tolist() == [pd.Timestamp("2024-01-15 13:00"), pd.Timestamp("2024-07-15 14:00")]
    assert str(frame["opened_at"].dtype) == "datetime64[ns]"
    assert frame["is_complaint"].tolist() == [True, False] and frame["is_complaint"].dtype == bool
    surveys = tmp_path / "s.parquet"
    pd.DataFrame({"responded_at": ["2024-01-02", "2024-01-03"], "nps": pd.array([9, None], dtype="Int64")}
                 ).to_parquet(surveys)
    scores = read("surveys", surveys)["nps"]
    assert scores.dtype == "float64" and scores.iloc[0] == 9.0 and np.isnan(scores.iloc[1])
