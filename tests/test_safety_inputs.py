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
