"""Validation against the data contract: ranges, keys, chronology, duplicates, relations, quality report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kit.data.config import AnalysisConfig
from kit.data.io import read_data, validate
from kit.data.schema import check_relations, check_table, table_schema
from kit.errors import DataError

FIX = Path(__file__).resolve().parent / "fixtures"
GERMAN_CUSTOMERS = {"Kundennummer": "customer_id", "Registriert_am": "signup_date", "Bundesland": "region"}


def config(tables: dict[str, dict], **sections) -> AnalysisConfig:
    resolved = {name: {**opts, "file": str(FIX / opts["file"])} for name, opts in tables.items()}
    return AnalysisConfig.model_validate({"business": {"name": "Test"}, **sections, "data": {"tables": resolved}})


def quality_row(report: pd.DataFrame, table: str, check: str) -> pd.Series:
    rows = report[(report["table"] == table) & (report["check"] == check)]
    assert len(rows) == 1, f"expected one {table}/{check} row, found {len(rows)}"
    return rows.iloc[0]


BAD_TABLES = [
    ("surveys", "surveys_nps_11.csv",
     r"surveys_nps_11\.csv, column 'nps': 1 value outside 0-10 \(row 3: 11\.0\)\. Expected NPS answers 0 to 10"),
    ("surveys", "surveys_nps_fraction.csv", r"surveys_nps_fraction\.csv, column 'nps': 1 value with decimals"
                                            r" \(row 3: 7\.5\)"),
    ("surveys", "surveys_csat_0.csv", r"surveys_csat_0\.csv, column 'csat': 1 value outside 1-5 \(row 2: 0\.0\)"),
    ("surveys", "surveys_rating_6.csv", r"surveys_rating_6\.csv, column 'rating': 1 value outside 1-5 \(row 2"),
    ("surveys", "surveys_ces_8.csv",
     r"surveys_ces_8\.csv, column 'ces': 1 value outside 1-7 \(row 3: 8\.0\).*thresholds\.ces_scale"),
    ("surveys", "surveys_driver_12.csv",
     r"surveys_driver_12\.csv, column 'driver_price': 1 value outside both driver scales 1-5 and 0-10 \(row 3"),
    ("surveys", "surveys_no_score.csv", r"surveys_no_score\.csv: no score column"),
    ("orders", "orders_duplicate_ids.csv",
     r"orders_duplicate_ids\.csv, column 'order_id': 1 id occurs more than once \(2 rows\) "
     r"\(rows 2, 3: 'A-1', 'A-1'\)"),
    ("orders", "orders_negative_revenue.csv",
     r"orders_negative_revenue\.csv, column 'revenue': 1 value below 0 \(row 2: -5\.0\)"),
    ("orders", "orders_refund_over_revenue.csv",
     r"orders_refund_over_revenue\.csv, column 'refund_amount': 1 refund exceeds the order's revenue "
     r"\(row 3: '15\.0 > 10\.0'\)"),
    ("orders", "orders_quantity_0.csv", r"orders_quantity_0\.csv, column 'quantity': 1 value at or below 0"),
    ("tickets", "tickets_response_before_open.csv",
     r"tickets_response_before_open\.csv, column 'first_response_at': 1 ticket has first_response_at before "
     r"opened_at \(row 3"),
    ("tickets", "tickets_resolved_before_open.csv",
     r"tickets_resolved_before_open\.csv, column 'resolved_at': 1 ticket has resolved_at before opened_at \(row 2"),
    ("customers", "customers_duplicate_ids.csv",
     r"customers_duplicate_ids\.csv, column 'customer_id': 1 id occurs more than once \(2 rows\) \(rows 2, 4"),
]


@pytest.mark.parametrize(("table", "file", "match"), BAD_TABLES, ids=[b[1] for b in BAD_TABLES])
def test_contract_violations_raise(table, file, match):
    tables = {table: {"file": file}}
    if table not in ("orders", "surveys"):
        tables["orders"] = {"file": "orders_en.csv"}
    with pytest.raises(DataError, match=match):
        read_data(config(tables))


@pytest.mark.parametrize(("table", "file", "match"), BAD_TABLES, ids=[b[1] for b in BAD_TABLES])
def test_validate_reports_instead_of_raising(table, file, match):
    tables = {table: {"file": file}}
    if table not in ("orders", "surveys"):
        tables["orders"] = {"file": "orders_en.csv"}
    report = validate(config(tables))
    errors = report[report["severity"] == "error"]
    assert len(errors) == 1
    assert pd.Series(errors["example"]).str.contains(match, regex=True).all()


def test_mapped_column_names_appear_in_messages(tmp_path):
    path = tmp_path / "umfrage.csv"
    path.write_text("Zeit;Empfehlung\n2024-01-02;12\n", encoding="utf-8")
    cfg = AnalysisConfig.model_validate({"business": {"name": "T"}, "data": {"tables": {"surveys": {
        "file": str(path), "columns": {"Zeit": "responded_at", "Empfehlung": "nps"}}}}})
    with pytest.raises(DataError, match=r"umfrage\.csv, column 'Empfehlung': 1 value outside 0-10 \(mapped to nps\)"):
        read_data(cfg)


def test_ces_scale_follows_thresholds():
    cfg = config({"surveys": {"file": "surveys_ces_8.csv"}}, thresholds={"ces_scale": [1, 10]})
    assert read_data(cfg).surveys["ces"].tolist() == [3.0, 8.0]


def test_validate_collects_every_table_and_read_data_raises_the_first():
    cfg = config({"orders": {"file": "orders_negative_revenue.csv"}, "surveys": {"file": "surveys_nps_11.csv"},
                  "tickets": {"file": "orders_empty.csv"}})
    report = validate(cfg)
    errors = report[report["severity"] == "error"]
    assert errors["table"].tolist() == ["orders", "surveys", "tickets"]
    assert errors["example"].str.contains(r"orders_empty\.csv: the file is empty").iloc[2]
    with pytest.raises(DataError, match="orders_negative_revenue"):
        read_data(cfg)


def test_validate_collects_several_column_errors_of_one_table(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("order_id,customer_id,order_date,revenue,returned\nA,1,morgen,zehn,vielleicht\n",
                    encoding="utf-8")
    cfg = AnalysisConfig.model_validate({"business": {"name": "T"},
                                         "data": {"tables": {"orders": {"file": str(path)}}}})
    errors = validate(cfg).query("severity == 'error'")
    assert [m.split(":")[0] for m in errors["example"]] == [
        "o.csv, column 'order_date'", "o.csv, column 'revenue'", "o.csv, column 'returned'"]


# ------------------------------------------------------------------ warnings


def test_unknown_customers_and_exit_before_signup_are_warnings():
    cfg = config({"orders": {"file": "orders_en.csv"}, "exits": {"file": "exits_unknown_customer.csv"},
                  "customers": {"file": "kunden_utf8.csv", "columns": GERMAN_CUSTOMERS}})
    data = read_data(cfg)  # warnings do not raise
    report = data.quality
    unknown = quality_row(report, "exits", "customer_id known in customers")
    assert (unknown["severity"], unknown["count"]) == ("warning", 1)  # 9999 is not a customer
    assert "'9999'" in unknown["example"]
    assert quality_row(report, "orders", "customer_id known in customers")["count"] == 0
    early = quality_row(report, "exits", "exit_date not before signup_date")
    # 1003 signed up 01.02.2024 and left 2024-01-15
    assert (early["severity"], early["count"]) == ("warning", 1)
    assert len(data.exits) == 3


def test_exact_duplicates_dropped_and_old_dates_warned():
    data = read_data(config({"orders": {"file": "orders_duplicate_rows.csv"}}))
    dupes = quality_row(data.quality, "orders", "exact duplicate rows (dropped, first kept)")
    assert (dupes["severity"], dupes["count"], dupes["example"]) == ("warning", 1, "rows 4")
    assert data.orders["order_id"].tolist() == ["A-1", "A-2", "A-3"]
    assert data.orders.index.tolist() == [0, 1, 2]
    old = quality_row(data.quality, "orders", "order_date not before 1990")
    assert (old["severity"], old["count"]) == ("warning", 1)  # 1899-12-30, Excel's day zero


def test_dates_after_the_end_of_the_data_are_warned(tmp_path):
    path = tmp_path / "exits.csv"
    path.write_text("customer_id,exit_date\n1001,2025-03-02\n1002,2025-03-03\n1003,2062-01-01\n", encoding="utf-8")
    cfg = AnalysisConfig.model_validate({"business": {"name": "T"}, "data": {"tables": {
        "orders": {"file": str(FIX / "orders_en.csv")}, "exits": {"file": str(path)}}}})
    row = quality_row(validate(cfg), "exits", "exit_date not after the data's end + 1 day")
    # the last order is on 2025-03-01: 03-02 is within a day, 03-03 and 2062 are not
    assert (row["severity"], row["count"]) == ("warning", 2)
    assert row["example"] == "end 2025-03-01: 2025-03-03 00:00:00, 2062-01-01 00:00:00"


def test_driver_scale_is_inferred_per_column():
    data = read_data(config({"surveys": {"file": "surveys_ok.csv"}}))
    report = data.quality
    assert quality_row(report, "surveys", "driver_delivery scale")["example"] == "read as a 0-10 scale"  # has an 8
    assert data.surveys["nps"].isna().sum() == 1


def test_quality_report_lists_passed_checks_as_info():
    data = read_data(config({"orders": {"file": "orders_en.csv"}, "tickets": {"file": "tickets_ok.csv"}}))
    report = data.quality
    assert set(report["severity"]) == {"info"}
    passed = report[report["check"] != "rows read"]
    assert (passed["count"] == 0).all()
    assert {"revenue >= 0", "order_id unique", "refund_amount <= revenue", "first_response_at >= opened_at",
            "resolved_at >= opened_at"} <= set(report["check"])
    assert data.tickets["is_complaint"].tolist() == [True, False]


# ------------------------------------------------------------------ the quality report in German


def german(report: pd.DataFrame, table: str, check_key: str, column: str | None = None) -> list[str]:
    """check and example of one row, in German (kit.data.io.translate_quality_report)."""
    from kit.data.io import translate_quality_report

    rows = translate_quality_report(report, "de")
    rows = rows[(rows["table"] == table) & (rows["check_key"] == check_key)]
    if column is not None:
        rows = rows[[p.get("column") == column for p in rows["params"]]]
    assert len(rows) == 1, f"expected one {table}/{check_key} row, found {len(rows)}"
    return [rows["check"].iloc[0], rows["example"].iloc[0]]


def test_driver_scales_in_german(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("responded_at,nps,driver_delivery,driver_price\n"
                    "2024-01-02,9,5,4\n2024-01-03,3,1,8\n", encoding="utf-8")
    report = validate(AnalysisConfig.model_validate({"business": {"name": "T"}, "data": {"tables": {
        "surveys": {"file": str(path)}}}}))
    # delivery 5 and 1: all within 1-5; price has an 8: 0-10
    assert german(report, "surveys", "driver_scale", "driver_delivery") == ["driver_delivery: Skala",
                                                                            "als Skala 1-5 gelesen"]
    assert german(report, "surveys", "driver_scale", "driver_price") == ["driver_price: Skala",
                                                                         "als Skala 0-10 gelesen"]
    assert quality_row(report, "surveys", "driver_delivery scale")["example"] == "read as a 1-5 scale"
    assert german(report, "surveys", "driver_range", "driver_price")[0] == "driver_price 1-5 oder 0-10"
    assert german(report, "surveys", "range", "nps")[0] == "nps 0-10"
    assert german(report, "surveys", "integer", "nps")[0] == "nps ganzzahlig"


def test_date_range_and_relations_in_german(tmp_path):
    path = tmp_path / "exits.csv"
    path.write_text("customer_id,exit_date\n1001,2025-03-02\n1002,2025-03-03\n1003,2062-01-01\n9999,2024-01-20\n",
                    encoding="utf-8")
    report = validate(config({"orders": {"file": "orders_en.csv"}, "exits": {"file": str(path)},
                              "customers": {"file": "kunden_utf8.csv", "columns": GERMAN_CUSTOMERS}}))
    # the last order is on 2025-03-01: 03-03 and 2062 lie more than a day after it
    assert german(report, "exits", "not_after_end") == [
        "exit_date nicht nach Datenende + 1 Tag", "Datenende 2025-03-01: 2025-03-03 00:00:00, 2062-01-01 00:00:00"]
    assert german(report, "customers", "not_after_end") == ["signup_date nicht nach Datenende + 1 Tag",
                                                            "Datenende 2025-03-01"]
    assert german(report, "exits", "known_customer") == ["customer_id in Kunden vorhanden",
                                                         "verschiedene IDs: 1, z. B. '9999'"]
    # 1003 signed up on 01.02.2024 and is fine; the unknown 9999 has no signup date
    assert german(report, "exits", "exit_after_signup") == ["exit_date nicht vor signup_date", ""]
    assert german(report, "exits", "not_before_year") == ["exit_date nicht vor 1990", ""]
    # the English report keeps its wording
    assert quality_row(report, "exits", "exit_date not after the data's end + 1 day")["example"] == \
        "end 2025-03-01: 2025-03-03 00:00:00, 2062-01-01 00:00:00"


def test_check_names_in_german_for_every_contract_check():
    orders = pd.DataFrame({"order_id": ["A"], "customer_id": ["1"], "revenue": [5.0], "refund_amount": [1.0],
                           "quantity": [1.0], "order_date": pd.to_datetime(["2024-01-01"]).astype("datetime64[ns]")})
    tickets = pd.DataFrame({"ticket_id": ["T"], "opened_at": pd.to_datetime(["2024-01-01"]).astype("datetime64[ns]"),
                            "resolved_at": pd.to_datetime(["2024-01-02"]).astype("datetime64[ns]")})
    from kit.data.io import translate_quality_report

    rows = check_table(orders, "orders", file="o.csv")[0] + check_table(tickets, "tickets", file="t.csv")[0]
    checks = translate_quality_report(pd.DataFrame(rows), "de")["check"].tolist()
    assert checks == ["nicht leer", "exakt doppelte Zeilen (entfernt, erste behalten)", "revenue >= 0",
                      "refund_amount >= 0", "quantity > 0", "order_id eindeutig", "order_id ausgefüllt",
                      "refund_amount <= revenue", "customer_id in jeder Zeile angegeben",
                      "order_date in jeder Zeile angegeben", "revenue in jeder Zeile angegeben",
                      "order_date nicht vor 1990",
                      "nicht leer", "exakt doppelte Zeilen (entfernt, erste behalten)", "ticket_id eindeutig",
                      "ticket_id ausgefüllt", "resolved_at >= opened_at", "opened_at in jeder Zeile angegeben",
                      "opened_at nicht vor 1990",
                      "resolved_at nicht vor 1990"]


# ------------------------------------------------------------------ the functions on hand-built frames


def test_check_table_on_a_hand_built_frame():
    frame = pd.DataFrame({"ticket_id": ["T1", "T2", "T2"],
                          "opened_at": pd.to_datetime(["2024-01-02 10:00"] * 3).astype("datetime64[ns]"),
                          "resolved_at": pd.to_datetime(["2024-01-02 09:00", "2024-01-03 00:00", "2024-01-03 00:00"]
                                                        ).astype("datetime64[ns]")})
    rows, errors, kept = check_table(frame, "tickets", file="t.xlsx", first_row=3,
                                     user_names={"resolved_at": "Gelöst"})
    # row 3 is an exact copy of row 2 -> dropped (warning), so T2 is unique afterwards;
    # T1 was resolved an hour before it was opened -> the one error, at sheet row 3 (first data row)
    assert len(kept) == 2
    assert [str(e) for e in errors] == [
        "t.xlsx, column 'Gelöst': 1 ticket has resolved_at before opened_at (mapped to resolved_at) "
        "(row 3: '2024-01-02 09:00:00 < 2024-01-02 10:00:00'). Expected resolved_at at or after opened_at; "
        "check the time zones of both columns or correct the rows."]
    severities = {r["check"]: (r["severity"], r["count"]) for r in rows}
    assert severities["exact duplicate rows (dropped, first kept)"] == ("warning", 1)
    assert severities["ticket_id unique"] == ("info", 0)


def test_table_schema_is_a_pandera_schema():
    import pandera.pandas as pa

    schema = table_schema("orders", ["order_id", "customer_id", "order_date", "revenue"])
    frame = pd.DataFrame({"order_id": ["A", "A"], "customer_id": ["1", "2"],
                          "order_date": pd.to_datetime(["2024-01-01"] * 2).astype("datetime64[ns]"),
                          "revenue": [1.0, -1.0]})
    with pytest.raises(pa.errors.SchemaErrors) as info:
        schema.validate(frame, lazy=True)
    failed = set(zip(info.value.failure_cases["column"], info.value.failure_cases["check"], strict=False))
    assert ("revenue", "greater_than_or_equal_to(0)") in failed
    assert ("order_id", "field_uniqueness") in failed


def test_check_relations_counts_unknown_referrals():
    customers = pd.DataFrame({"customer_id": ["1", "2"]})
    referrals = pd.DataFrame({"referrer_id": ["1", "3", "3"], "referred_id": ["2", "4", None],
                              "referred_at": pd.to_datetime(["2024-01-01"] * 3)})
    rows = {(r["table"], r["check"]): r["count"] for r in check_relations({"customers": customers,
                                                                           "referrals": referrals})}
    # referrers 3 and 3 are unknown (2 rows); referred 4 is unknown, the missing one is not counted
    assert rows[("referrals", "referrer_id known in customers")] == 2
    assert rows[("referrals", "referred_id known in customers")] == 1


def test_mapping_onto_an_unknown_name_is_a_warning(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("order_id,customer_id,order_date,revenue,Kanal\nA,1,2024-01-01,1,App\n", encoding="utf-8")
    cfg = AnalysisConfig.model_validate({"business": {"name": "T"}, "data": {"tables": {"orders": {
        "file": str(path), "columns": {"Kanal": "chanel"}}}}})
    data = read_data(cfg)
    row = quality_row(data.quality, "orders", "mapped columns are contract columns")
    assert (row["severity"], row["count"]) == ("warning", 1)
    assert row["example"] == "Kanal -> 'chanel' (did you mean 'channel'?); kept as attributes"
    assert data.orders["chanel"].tolist() == ["App"]


def test_decimal_mark_guessed_from_the_separator_is_warned(tmp_path):
    path = tmp_path / "o.tsv"
    path.write_text("order_id\tcustomer_id\torder_date\trevenue\nA\t1\t2024-01-01\t1.234\nB\t1\t2024-01-01\t7\n",
                    encoding="utf-8")
    cfg = AnalysisConfig.model_validate({"business": {"name": "T"}, "data": {"tables": {"orders": {
        "file": str(path)}}}})
    data = read_data(cfg)
    # nothing in the file proves the decimal mark: a TAB file defaults to the decimal point
    assert data.orders["revenue"].tolist() == [1.234, 7.0]
    row = quality_row(data.quality, "orders", "revenue decimal mark")
    assert (row["severity"], row["count"]) == ("warning", 1)
    assert row["example"] == ("revenue: '1.234' read as 1.234 (decimal point assumed from the '\\t' separator); "
                              "set csv.decimal if wrong")
