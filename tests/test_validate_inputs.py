"""What ``validate`` must find before ``run`` uses the data (issue 16): chronology of ticket times, blank
required values, keys written twice in YAML, referrals that look alike because the export has no id,
date hints that match the values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kit.data.config import AnalysisConfig, load_config
from kit.data.io import read_data, read_table, validate
from kit.errors import ConfigError, DataError
from kit.text.codebook import read_codebook

FIX = Path(__file__).resolve().parent / "fixtures"


def config(tables: dict[str, dict], **sections) -> AnalysisConfig:
    resolved = {name: {**opts, "file": str(FIX / opts["file"])} for name, opts in tables.items()}
    return AnalysisConfig.model_validate({"business": {"name": "Test"}, **sections, "data": {"tables": resolved}})


def row(report: pd.DataFrame, table: str, check: str) -> pd.Series:
    found = report[(report["table"] == table) & (report["check"] == check)]
    assert len(found) == 1, f"expected one {table}/{check} row, found {len(found)}"
    return found.iloc[0]


# ------------------------------------------------------------------ chronology of ticket times


def test_resolved_before_first_response_is_an_error():
    # T2: answered 12:00, resolved 09:30 -> impossible; T1 is in order
    cfg = config({"orders": {"file": "orders_en.csv"}, "tickets": {"file": "tickets_resolved_before_response.csv"}})
    with pytest.raises(DataError, match=r"tickets_resolved_before_response\.csv, column 'resolved_at': 1 ticket has "
                                        r"resolved_at before first_response_at \(row 3: '2024-02-05 09:30:00 < "
                                        r"2024-02-05 12:00:00'\)\. Expected resolved_at at or after first_response_at"):
        read_data(cfg)
    errors = validate(cfg).query("severity == 'error'")
    assert errors["check"].tolist() == ["resolved_at >= first_response_at"]


def test_tickets_in_order_pass_the_chronology_check():
    report = validate(config({"orders": {"file": "orders_en.csv"}, "tickets": {"file": "tickets_ok.csv"}}))
    assert row(report, "tickets", "resolved_at >= first_response_at")["severity"] == "info"


# ------------------------------------------------------------------ blank values in required columns


def test_guest_orders_are_kept_and_said():
    cfg = config({"orders": {"file": "orders_blank_customer.csv"}})
    data = read_data(cfg)
    assert len(data.orders) == 3  # kept: revenue 10 + 20 + 30 counts for order-level KPIs
    found = row(data.quality, "orders", "customer_id given in every row")
    assert (found["severity"], found["count"]) == ("warning", 2)
    assert found["example"].startswith("2 orders without customer_id (rows 3, 4): kept as guest orders")


def test_survey_answers_without_a_date_are_counted_with_their_rows():
    report = validate(config({"surveys": {"file": "surveys_blank_date.csv"}}))
    found = row(report, "surveys", "responded_at given in every row")
    assert (found["severity"], found["count"]) == ("warning", 1)
    assert found["example"] == "1 without responded_at (rows 3): left out wherever responded_at is needed"


def test_blank_required_check_is_shown_in_german():
    from kit.data.io import translate_quality_report

    report = translate_quality_report(validate(config({"orders": {"file": "orders_blank_customer.csv"}})), "de")
    found = report[report["check_key"] == "blank_required"]
    assert "Gastbestellungen" in found[found["table"] == "orders"]["example"].iloc[0]


# ------------------------------------------------------------------ referrals that look alike


def test_same_day_referrals_without_referred_id_are_counted_not_dropped():
    # 1001 referred three people on 2024-03-01; the export has no referred_id -> 3 rows, not 1
    data = read_data(config({"orders": {"file": "orders_en.csv"}, "referrals": {"file": "referrals_same_day.csv"}}))
    assert data.referrals["referrer_id"].value_counts().to_dict() == {"1001": 3, "1002": 1}
    found = row(data.quality, "referrals", "identical rows without an id (each counted)")
    assert (found["severity"], found["count"]) == ("warning", 2)


def test_referrals_with_an_id_still_drop_true_copies():
    # rows 2 and 3 are the same referral (referred 2001 twice): one dropped; rows 4 and 5 have no id: both kept
    data = read_data(config({"orders": {"file": "orders_en.csv"},
                             "referrals": {"file": "referrals_same_day_ids.csv"}}))
    assert len(data.referrals) == 3
    assert row(data.quality, "referrals", "exact duplicate rows (dropped, first kept)")["count"] == 1
    assert row(data.quality, "referrals", "identical rows without an id (each counted)")["count"] == 1


# ------------------------------------------------------------------ YAML keys written twice


def test_config_key_written_twice_names_key_and_both_lines():
    with pytest.raises(ConfigError, match=r"config_duplicate_key\.yaml, key 'thresholds\.inactivity_days': written "
                                          r"twice \(lines 3 and 5\)"):
        load_config(FIX / "config_duplicate_key.yaml")


def test_codebook_key_written_twice_names_key_and_both_lines():
    with pytest.raises(ConfigError, match=r"codebook_duplicate_key\.yaml, key 'themes\[0\]\.patterns\.en': written "
                                          r"twice \(lines 5 and 7\)"):
        read_codebook(FIX / "codebook_duplicate_key.yaml")


def test_same_key_in_different_mappings_is_fine(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("business: {name: A}\ndata:\n  tables:\n    orders: {file: o.csv, columns: {X: order_id}}\n"
                    "    surveys: {file: s.csv, columns: {X: nps}}\n", encoding="utf-8")
    assert load_config(path).data.tables["surveys"].columns == {"X": "nps"}


# ------------------------------------------------------------------ date hints match the values


@pytest.mark.parametrize(("values", "hint"), [
    (["12/1/10 8:26", "12/13/10 14:05"], "'%m/%d/%y %H:%M'"),        # the Online Retail export
    (["13/1/2010", "12/1/2010"], "'%d/%m/%Y'"),
    (["12/13/2010 08:26:10"], "'%m/%d/%Y %H:%M:%S'"),
    (["1/2/10"], "('%d/%m/%y' or '%m/%d/%y')"),
])
def test_date_hint_matches_two_digit_years_and_times(tmp_path, values, hint):
    path = tmp_path / "o.csv"
    lines = [f"A{i},1,{v},1" for i, v in enumerate(values)]
    path.write_text("order_id,customer_id,order_date,revenue\n" + "\n".join(lines) + "\n", encoding="utf-8")
    from kit.data.config import DataSources, TableSource

    src = TableSource(file=path)
    with pytest.raises(DataError, match=r"o\.csv, column 'order_date': .*ambiguous.*" + hint.replace("(", r"\(")
                       .replace(")", r"\)")) as info:
        read_table(src, "orders", data=DataSources(tables={"orders": src}))
    # the suggested format reads every value
    fmt = hint.strip("()").split("'")[1]
    assert pd.to_datetime(pd.Series(values), format=fmt, errors="coerce").notna().all(), info.value


# ------------------------------------------------------------------ codebook, interviews, optional columns


def _config_file(folder: Path, extra: str = "") -> Path:
    path = folder / "analysis.yaml"
    path.write_text(f"business: {{name: Test}}\ndata:\n{extra}  tables:\n"
                    f"    orders: {{file: {FIX / 'orders_en.csv'}}}\n", encoding="utf-8")
    return path


def test_validate_reads_the_codebook_and_exits_1_when_it_is_broken(tmp_path, capsys):
    from kit.cli import main

    config = _config_file(tmp_path, f"  codebook: {FIX / 'codebook_duplicate_key.yaml'}\n")
    assert main(["validate", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "codebook_duplicate_key.yaml, key 'themes[0].patterns.en': written twice (lines 5 and 7)" in out


def test_validate_reads_the_interviews_and_names_the_broken_file(tmp_path):
    from kit.text.sources import check_text_sources

    notes = tmp_path / "interviews"
    notes.mkdir()
    (notes / "good.md").write_text("---\ncustomer_id: K1\ndate: 2024-03-01\ninterviewer: A\n---\nAlles gut.\n",
                                   encoding="utf-8")
    (notes / "broken.md").write_text("---\ncustomer_id: K2\ninterviewer: A\n---\nZu teuer.\n", encoding="utf-8")
    rows = check_text_sources(load_config(_config_file(tmp_path, f"  interviews: {notes}\n")))
    errors = rows[rows["severity"] == "error"]
    assert errors["table"].tolist() == ["interviews"]
    assert errors["example"].iloc[0].startswith("broken.md: front matter lacks 'date'")
    assert "codebook" not in set(rows["table"])  # none configured: no row


def test_validate_of_the_sample_reads_its_codebook_and_interviews(sample_config):
    from kit.text.sources import check_text_sources

    rows = check_text_sources(sample_config).set_index("table")
    assert rows.loc["codebook", "severity"] == "info" and rows.loc["codebook", "example"].startswith("8 themes")
    assert rows.loc["interviews", "example"] == "14 interview files"


def test_optional_columns_say_which_sections_they_feed():
    report = validate(config({"orders": {"file": "orders_en.csv"}, "tickets": {"file": "tickets_ok.csv"},
                              "exits": {"file": "exits_unknown_customer.csv"}}))
    found = report[report["check"] == "optional columns for report sections"].set_index("table")
    # orders_en has refund_amount and returned: nothing absent, nothing to say
    assert (found.loc["orders", "count"], found.loc["orders", "example"]) == (0, "")
    tickets = pd.read_csv(FIX / "tickets_ok.csv")
    absent = {"customer_id", "first_response_at", "resolved_at", "is_complaint", "category"} - set(tickets.columns)
    assert found.loc["tickets", "count"] == len(absent)
    from kit.data.io import translate_quality_report

    german = translate_quality_report(report, "de")
    assert german.loc[german["check_key"] == "optional_columns", "check"].iloc[0] == \
        "optionale Spalten für Abschnitte des Berichts"


def test_page_2_lists_absent_optional_columns_as_a_note(sample_config):
    """Absent optional columns are a remark on page 2 (the sections say what they need), not a finding."""
    from kit.data.contract import LoyaltyData
    from kit.data.sections import optional_columns_row
    from kit.report import pages
    from kit.report.pages._context import Context

    quality = pd.DataFrame([optional_columns_row("exits", ["customer_id", "exit_date"])])
    for lang, expected in [
        ("en", "Optional columns (info: the sections they feed say what they need): exits: absent: reason "
               "(reasons for leaving, coded by the codebook); category (exit categories)."),
        ("de", "Optionale Spalten (Info: die Abschnitte, die sie speisen, sagen, was ihnen fehlt): Kündigungen: "
               "fehlen: reason (Kündigungsgründe, mit dem Codebuch codiert); category (Kündigungskategorien)."),
    ]:
        s = pages.data_quality(Context(config=sample_config, data=LoyaltyData(quality=quality), period=None,
                                       lang=lang))
        assert not [b for b in s.blocks if b.kind == "table"]
        assert [b.content for b in s.blocks if b.kind == "note"] == [expected]


def test_anonymous_identical_survey_answers_are_counted_but_copies_with_a_customer_are_dropped(tmp_path):
    # rows 2-3: two anonymous 10s on one day (two people) -> both kept; rows 4-5: the same answer of customer K1
    # exported twice -> one dropped
    path = tmp_path / "s.csv"
    path.write_text("responded_at,nps,customer_id\n2024-01-02,10,\n2024-01-02,10,\n2024-01-03,3,K1\n"
                    "2024-01-03,3,K1\n", encoding="utf-8")
    data = read_data(AnalysisConfig.model_validate({"business": {"name": "T"},
                                                    "data": {"tables": {"surveys": {"file": str(path)}}}}))
    assert data.surveys["nps"].tolist() == [10.0, 10.0, 3.0]
    counted = row(data.quality, "surveys", "identical rows without an id (each counted)")
    assert counted["example"] == ("rows 3: the export has no response_id or customer_id, so anonymous answers with "
                                  "the same date and scores look alike; each is counted")
    assert row(data.quality, "surveys", "exact duplicate rows (dropped, first kept)")["count"] == 1
