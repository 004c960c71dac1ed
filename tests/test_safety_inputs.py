"""Inputs that used to give a silently wrong report: a date far in the future, odd files."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from kit.data.config import AnalysisConfig
from kit.data.io import read_data, validate
from kit.errors import DataError

ORDERS = "Nr;Kunde;Datum;Umsatz\n" + "".join(f"A{i};K{i % 3};{10 + i}.01.2026;10,00\n" for i in range(5))
MAPPING = {"Nr": "order_id", "Kunde": "customer_id", "Datum": "order_date", "Umsatz": "revenue"}


def _config(path: Path, **data) -> AnalysisConfig:
    return AnalysisConfig.model_validate({"business": {"name": "Test"}, "data": {
        **data, "tables": {"orders": {"file": str(path), "columns": MAPPING}}}})


def _orders(tmp_path: Path, text: str, *, mtime: str = "2026-02-01") -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    stamp = pd.Timestamp(mtime).timestamp()
    os.utime(path, (stamp, stamp))   # the export's file date
    return path


def test_one_future_date_is_a_data_error_naming_file_column_and_row(tmp_path):
    # row 7 (header = row 1, five orders rows 2-6) is dated 31.12.2200; the file was written 2026-02-01
    path = _orders(tmp_path, ORDERS + "A9;K1;31.12.2200;10,00\n")
    with pytest.raises(DataError, match=r"orders\.csv, column 'Datum': 1 date lies after 2026-03-04 "
                                        r"\(more than 31 days after the file's date 2026-02-01\) "
                                        r"\(mapped to order_date\) \(row 7: '2200-12-31'\).*data\.as_of"):
        read_data(_config(path))
    report = validate(_config(path))
    row = report[report["check_key"] == "not_after_export"].iloc[0]
    assert (row["severity"], row["count"]) == ("error", 1)


def test_as_of_and_future_days_are_configurable(tmp_path):
    # orders 10.-14.01.2026; as_of 2026-01-12 with 1 day of slack allows up to 13.01.: 14.01. is the one late row
    path = _orders(tmp_path, ORDERS)
    with pytest.raises(DataError, match=r"1 date lies after 2026-01-13 \(more than 1 day after data\.as_of 2026-01-12\)"
                                        r".*\(row 6: '2026-01-14'\)"):
        read_data(_config(path, as_of="2026-01-12", future_days=1))
    assert len(read_data(_config(path, as_of="2026-01-14", future_days=0)).orders) == 5


def test_dates_up_to_the_export_pass(tmp_path):
    path = _orders(tmp_path, ORDERS, mtime="2026-01-14")
    data = read_data(_config(path))
    check = data.quality[data.quality["check_key"] == "not_after_export"]
    assert check["count"].tolist() == [0]


# ---- pseudonyms in the data-quality report -----------------------------------------------------------------


def _shop(tmp_path: Path, *, pseudonymise: bool) -> Path:
    (tmp_path / "customers.csv").write_text("customer_id;segment\nK00001;A\nK00002;B\n", encoding="utf-8")
    (tmp_path / "orders.csv").write_text(
        "order_id;customer_id;order_date;revenue\n"
        "A1;K00001;10.01.2026;10,00\nA2;max.mustermann@example.com;11.01.2026;12,00\nA3;K00777;12.01.2026;9,00\n",
        encoding="utf-8")
    (tmp_path / "exits.csv").write_text("customer_id;exit_date\nK00002;01.01.2020\n", encoding="utf-8")
    (tmp_path / "analysis.yaml").write_text(
        "business: {name: Test}\n"
        "data:\n  tables:\n    customers: {file: customers.csv}\n    orders: {file: orders.csv}\n"
        "    exits: {file: exits.csv}\n"
        f"privacy: {{pseudonymise: {str(pseudonymise).lower()}, salt: s}}\n", encoding="utf-8")
    return tmp_path / "analysis.yaml"


@pytest.mark.parametrize("lang", ["en", "de"])
def test_quality_examples_show_pseudonyms(tmp_path, lang):
    from kit.data.io import translate_quality_report
    from kit.report import pages

    ctx = pages.context(_shop(tmp_path, pseudonymise=True), period="2026-01")
    shown = translate_quality_report(ctx.data.quality, lang).to_string() + ctx.data.quality.to_string()
    for raw in ("max.mustermann@example.com", "K00777"):
        assert raw not in shown
    # the unknown ids are still reported, under the pseudonyms the customer lists use
    from kit.data.privacy import pseudonymise

    assert pseudonymise(pd.Series(["K00777"]), salt="s").iloc[0] in shown


def test_quality_examples_keep_ids_when_pseudonymisation_is_off(tmp_path):
    from kit.report import pages

    ctx = pages.context(_shop(tmp_path, pseudonymise=False), period="2026-01")
    assert "K00777" in ctx.data.quality.to_string()


# ---- interview ids are text --------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["00153", "'00153'", '"00153"', "00153   # the customer number"])
def test_interview_customer_id_is_read_as_written(tmp_path, written):
    from kit.text.interviews import read_interviews

    (tmp_path / "i1.md").write_text(f"---\ncustomer_id: {written}\ndate: 2026-09-01\ninterviewer: Miriam Koch\n---\n"
                                    "Notes.\n", encoding="utf-8")
    # unquoted, YAML 1.1 reads 00153 as octal 107 (PyYAML) or as 153; the kit keeps the text
    assert read_interviews(tmp_path)["customer_id"].tolist() == ["00153"]


def test_interview_id_with_letters_is_unchanged(tmp_path):
    from kit.text.interviews import read_interviews

    (tmp_path / "i1.md").write_text("---\ncustomer_id: K01234\ndate: 2026-09-01\ninterviewer: Tom\n---\nx\n",
                                    encoding="utf-8")
    assert read_interviews(tmp_path)["customer_id"].tolist() == ["K01234"]


# ---- odd files ---------------------------------------------------------------------------------------------


def test_a_used_column_twice_in_the_header_is_an_error(tmp_path):
    path = _orders(tmp_path, "Nr;Kunde;Datum;Umsatz;Kunde\nA1;K1;10.01.2026;10,00;K2\n", mtime="2026-01-20")
    with pytest.raises(DataError, match=r"orders\.csv, column 'Kunde': the header has column 'Kunde' 2 times "
                                        r"\(columns 2, 5\).*rename or remove the extra column"):
        read_data(_config(path))


def test_an_unused_column_twice_is_a_warning_and_the_later_copy_is_ignored(tmp_path):
    path = _orders(tmp_path, "Nr;Kunde;Datum;Umsatz;Notiz;Notiz\nA1;K1;10.01.2026;10,00;a;b\n", mtime="2026-01-20")
    data = read_data(_config(path))
    row = data.quality[data.quality["check_key"] == "repeated_header"].iloc[0]
    assert (row["severity"], row["count"], row["example"]) == ("warning", 1, "Notiz (later copies ignored)")
    assert data.orders["Notiz"].tolist() == ["a"]


def test_nul_bytes_are_removed_and_reported(tmp_path):
    path = _orders(tmp_path, "Nr;Kunde;Datum;Umsatz\nA1;K1\x00\x00;10.01.2026;10,00\nA2;K1;11.01.2026;5,00\n",
                   mtime="2026-01-20")
    data = read_data(_config(path))
    # row 2 held 'K1\0\0': without the NULs it is the same customer as row 3
    assert data.orders["customer_id"].tolist() == ["K1", "K1"]
    row = data.quality[data.quality["check_key"] == "nul_bytes"].iloc[0]
    assert (row["severity"], row["count"], row["example"]) == ("warning", 1, "rows 2")


def test_an_oversized_sheet_is_refused_before_it_is_read(tmp_path, monkeypatch):
    import kit.data.rawtables as rawtables

    path = tmp_path / "orders.xlsx"
    pd.DataFrame({"Nr": [f"A{i}" for i in range(30)], "Kunde": "K1", "Datum": "10.01.2026",
                  "Umsatz": 1.0}).to_excel(path, index=False)

    def never(*args, **kwargs):
        raise AssertionError("the sheet was read although it is too large")

    monkeypatch.setattr(rawtables, "_read_excel", never)
    # 30 data rows (the header is row 1 of 31) > max_rows 10
    with pytest.raises(DataError, match=r"orders\.xlsx: sheet 'Sheet1' has 30 data rows, more than data\.max_rows "
                                        r"\(10\).*raise data\.max_rows"):
        read_data(_config(path, max_rows=10))
