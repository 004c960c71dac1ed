"""CDNOW as an orders-only business: the whole report runs on it, and its KPIs match a plain pandas count.

The CDNOW sample (Fader & Hardie; ../shared/datasets/cdnow) is a purchase log of 2,357 customers with no order id,
survey, ticket or customer table: the shape of a shop that exports only its orders. The test writes it as such an
export (one row per purchase, the row number as order id) into a temporary folder and runs ``validate`` and the
report on it. Skipped when ../shared is absent.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from kit.data.config import load_config
from kit.data.io import validate
from kit.report.run import run_report

pytestmark = [pytest.mark.shared]


@pytest.fixture(scope="module")
def cdnow_export(shared_datasets, tmp_path_factory):
    raw = pd.read_csv(shared_datasets / "cdnow" / "CDNOW_sample.txt", sep=r"\s+", header=None, dtype=str,
                      names=["master_id", "sample_id", "date", "number_of_cds", "dollar_value"])
    folder = tmp_path_factory.mktemp("cdnow")
    export = pd.DataFrame({"Order": range(1, len(raw) + 1), "Customer": raw["sample_id"],
                           "Date": raw["date"], "Amount": raw["dollar_value"]})
    export.to_csv(folder / "orders.csv", index=False)
    (folder / "analysis.yaml").write_text(
        "business: {name: CDNOW sample, language: en}\n"
        "periods: {granularity: quarter}\n"
        "data:\n"
        "  timezone: America/New_York\n"
        "  tables:\n"
        "    orders:\n"
        "      file: orders.csv\n"
        "      date_format: '%Y%m%d'\n"
        "      columns: {Order: order_id, Customer: customer_id, Date: order_date, Amount: revenue}\n",
        encoding="utf-8")
    return folder, raw


def test_cdnow_validates_as_an_orders_only_business(cdnow_export):
    folder, raw = cdnow_export
    report = validate(load_config(folder / "analysis.yaml"))
    assert not (report["severity"] == "error").any(), report[report["severity"] == "error"]
    assert len(raw) == 6919   # SOURCE.md: 6,919 purchases of the 2,357-customer sample


def test_cdnow_report_runs_and_its_kpis_match_a_pandas_count(cdnow_export, tmp_path):
    folder, raw = cdnow_export
    run = run_report(folder / "analysis.yaml", period="1997-Q2", out=tmp_path / "reports", smoke=True)
    pages = sorted(p.name for p in run.glob("0*.html"))
    assert len(pages) == 5
    for page in run.glob("*.html"):
        shown = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
        assert "Traceback" not in shown, page.name
    kpis = pd.read_csv(run / "kpis.csv").set_index("kpi")
    # the independent count: purchases dated 1997-04-01 .. 1997-06-30
    dates = pd.to_datetime(raw["date"], format="%Y%m%d")
    q2 = raw[(dates >= "1997-04-01") & (dates < "1997-07-01")]
    per_customer = q2.groupby("sample_id").size()
    assert kpis.loc["repeat_purchase_rate", "n"] == len(per_customer)
    assert kpis.loc["repeat_purchase_rate", "value"] == pytest.approx((per_customer >= 2).mean())
    assert kpis.loc["average_order_value", "value"] == pytest.approx(q2["dollar_value"].astype(float).mean())
    # no survey, ticket, referral or contact table: those KPIs say they have no data
    for kpi in ("nps", "first_response_hours", "referral_rate", "response_rate"):
        assert kpis.loc[kpi, "status"] == "no_data", kpi
