"""A subscription business on the report: scorecard rows from subscriptions, page 3's subscriptions section,
and the one line that says what the section needs when there are no subscriptions."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import pandas as pd
import pytest

from kit.data.config import load_config
from kit.data.io import read_data
from kit.errors import KitWarning
from kit.plan.scorecards import scorecard
from kit.report import pages

FIXTURE = Path(__file__).resolve().parent / "fixtures_report" / "analysis.yaml"

# 40 subscribers, monthly billing from January 2025: 10 cancel in 2025, 6 in 2026-Q1 (4 of them started in Q1:
# joined and left within it), the rest run on; the data end on 31 March 2026
_ROWS = ([(f"A{i:02d}", "2025-01-15", f"2025-{3 + i % 9:02d}-20") for i in range(10)]
         + [(f"B{i:02d}", "2025-02-01", "2026-02-10") for i in range(2)]
         + [(f"C{i:02d}", "2026-01-05", "2026-03-01") for i in range(4)]
         + [(f"D{i:02d}", "2025-03-01", "") for i in range(24)])


@pytest.fixture(scope="module")
def subscription_config(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("abo")
    lines = ["Kunde;Beginn;Ende;Tarif;Betrag"] + [
        f"{c};{pd.Timestamp(a):%d.%m.%Y};{pd.Timestamp(b):%d.%m.%Y};Basis;19,90" if b
        else f"{c};{pd.Timestamp(a):%d.%m.%Y};;Basis;19,90" for c, a, b in _ROWS]
    lines.append("Z99;31.03.2026;;Basis;19,90")  # the last day of the data
    (folder / "abos.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "analysis.yaml").write_text(
        "business: {name: Abo GmbH}\nperiods: {granularity: quarter}\nclv: {annual_discount_rate: 0.1}\n"
        "data:\n  tables:\n    subscriptions:\n      file: abos.csv\n      date_format: '%d.%m.%Y'\n"
        "      columns: {Kunde: customer_id, Beginn: start_date, Ende: end_date, Tarif: plan, Betrag: amount}\n",
        encoding="utf-8")
    return folder / "analysis.yaml"


def test_scorecard_takes_churn_from_subscriptions_without_orders(subscription_config):
    config = load_config(subscription_config)
    data = read_data(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KitWarning)
        card = scorecard(data, config, period="2026-Q1").set_index("kpi")
    churn = card.loc["churn_rate"]
    # at 1 January 2026: B (2) + D (24) = 26 subscribers (the A's ended in 2025); lost in Q1: the 2 B's -> 2 / 26;
    # the 4 C's joined and left within Q1: in neither count, said in the note
    assert churn["n"] == 26 and churn["value"] == pytest.approx(2 / 26)
    assert "4 customers joined and left within the period" in churn["definition"]
    assert card.loc["retention_rate", "value"] == pytest.approx(24 / 26)
    # 2025-Q4: A_i ends on the 20th of month 3 + i % 9 (March twice, April ... November): A07 (October) and A08
    # (November) are still active on 1 October, with B (2) and D (24): 28 at the start, 2 lost -> 2 / 28
    assert card.loc["churn_rate", "previous"] == pytest.approx(2 / 28)
    clv = card.loc["clv_contractual"]
    assert clv["n"] == 25 and clv["value"] > 0 and clv["ci_low"] < clv["value"] < clv["ci_high"]
    assert card.loc["repeat_purchase_rate", "status"] == "no_data"


def test_orders_stay_the_churn_source_when_both_exist_unless_configured(subscription_config, tmp_path):
    config = load_config(FIXTURE)
    data = read_data(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KitWarning)
        card = scorecard(data, config, period="2026-Q2").set_index("kpi")
    assert "no order for" in card.loc["churn_rate", "definition"]           # the inactivity rule
    assert "no subscription data" in card.loc["clv_contractual", "definition"]
    forced = config.model_copy(update={"thresholds": config.thresholds.model_copy(
        update={"churn_from": "subscriptions"})})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KitWarning)
        card = scorecard(data, forced, period="2026-Q2").set_index("kpi")
    assert card.loc["churn_rate", "status"] == "no_data"
    assert "no subscription data" in card.loc["churn_rate", "definition"]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_contracts_section_on_a_subscription_business(subscription_config, lang):
    ctx = pages.context(subscription_config, period="2026-Q1", smoke=True)
    ctx = dataclasses.replace(ctx, lang=lang, _cache={})
    s = pages.criterion(ctx, "contracts")
    shown = str(s)
    assert "Traceback" not in shown
    tables = [b.content for b in s.blocks if b.kind == "table"]
    assert len(tables) == 3                                                  # trend, tenure, value per plan
    trend = tables[0]
    assert trend.iloc[-1, 0] == "2026-Q1" and trend.iloc[-1, -1] == "4"     # joined and left within Q1
    retention = str(pages.criterion(ctx, "retention"))
    assert "no order data" not in retention and "keine Bestelldaten" not in retention


def test_contracts_section_says_what_it_needs():
    ctx = pages.context(FIXTURE, period="2026-Q2", smoke=True)
    s = pages.criterion(ctx, "contracts")
    assert [b.kind for b in s.blocks] == ["missing"]
    assert "need a subscriptions table (customer_id, start_date, end_date)" in str(s)


def test_sample_shows_contractual_churn_and_value_beside_the_orders():
    ctx = pages.context(None, period="latest", smoke=True)
    s = str(pages.criterion(ctx, "contracts"))
    assert "893 subscribers, 677 still running at 2026-09-30" in s
    assert "Abo 2 Tüten" in s and "sBG: 1 - r(t)" in s


def test_a_status_snapshot_says_where_its_churn_falls(tmp_path):
    (tmp_path / "c.csv").write_text("id,Churn,tenure\n1,Yes,3\n2,No,10\n3,No,20\n", encoding="utf-8")
    (tmp_path / "analysis.yaml").write_text(
        "business: {name: Telco}\nperiods: {granularity: month}\ndata:\n  as_of: 2026-07-01\n  tables:\n"
        "    customers: {file: c.csv, columns: {id: customer_id, Churn: status, tenure: tenure_months}}\n",
        encoding="utf-8")
    ctx = pages.context(tmp_path / "analysis.yaml", period="latest", smoke=True)
    assert ctx.period.label == "2026-06"
    s = str(pages.criterion(ctx, "contracts"))
    assert "snapshot taken on 2026-07-01" in s and "count as lost on 2026-06-30" in s
    # customer 1 (3 months back from 30 June: 31 March) is active on 1 June with 2 and 3, lost on 30 June -> 1 / 3
    assert "Churn rate = 33.3 %" in s and "n = 3" in s
