"""Input shapes on real exports (../shared/datasets; skipped when absent): the Online Retail line items folded
into orders by the kit's own reader, and the BT NPS verbatims as a surveys-only business with coded comments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kit.data.config import AnalysisConfig
from kit.data.io import read_data

pytestmark = pytest.mark.shared

RETAIL = "uci-online-retail/online_retail_first240k.parquet"
VERBATIMS = "bt-nps-verbatims/nps_verbatims.csv"
ROOT = Path(__file__).resolve().parents[1]


def _retail_config(shared_datasets, **options) -> AnalysisConfig:
    orders = {"file": str(shared_datasets / RETAIL), "date_format": "%m/%d/%y %H:%M", "group_by": "InvoiceNo",
              "cancellation_prefix": "C", "columns": {"CustomerID": "customer_id", "InvoiceDate": "order_date",
                                                      "Quantity": "quantity", "UnitPrice": "unit_price"}, **options}
    return AnalysisConfig.model_validate({"business": {"name": "Online Retail"},
                                          "data": {"tables": {"orders": orders}}})


@pytest.fixture(scope="module")
def retail(shared_datasets):
    # lines without a CustomerID left out by a row filter, as SOURCE.md's figures are for those lines
    return read_data(_retail_config(shared_datasets, where=[{"column": "CustomerID", "blank": False}]))


def test_retail_lines_fold_into_the_published_invoice_counts(retail):
    # SOURCE.md: among invoices with a CustomerID, 1,846 of 10,436 are cancellations -> 8,590 orders
    assert len(retail.orders) == 10_436 - 1_846
    q = retail.quality.set_index("check")
    assert q.loc["rows left out by where", "count"] == 240_007 - 172_782  # CustomerID non-null on 172,782 lines
    assert q.loc["line items folded into orders", "params"]["cancellations"] == 1_846
    assert retail.orders["customer_id"].nunique() <= 2_974


def test_retail_cancelled_value_matches_the_readme_and_refunds_stay_below_it(retail, shared_datasets):
    q = retail.quality.set_index("check")
    cancelled = q.loc["line items folded into orders", "params"]["cancelled"]
    unmatched = q.loc["cancellations without an earlier order of the customer", "params"]["value"]
    gross = retail.orders["revenue"].sum()
    # the oracle: plain pandas on the lines with a CustomerID
    lines = pd.read_parquet(shared_datasets / RETAIL)
    lines = lines[lines["CustomerID"].notna()]
    value = lines["Quantity"] * lines["UnitPrice"]
    is_cancel = lines["InvoiceNo"].str.startswith("C")
    assert cancelled == pytest.approx(-value[is_cancel].sum())
    assert gross == pytest.approx(value[~is_cancel].clip(lower=0).sum(), rel=1e-9)
    # README: cancelled value is 6.76 % of gross sales value
    assert round(100 * cancelled / gross, 2) == 6.76
    # booked refunds + cancellations without an earlier order in the export = all cancelled value
    booked = retail.orders["refund_amount"].sum()
    assert booked + unmatched == pytest.approx(cancelled)
    # refunds are 6.40 % of revenue: the 6.76 % less the 191 cancellations of orders bought before 2010-12-01
    assert round(100 * booked / gross, 2) == 6.40
    assert q.loc["cancellations without an earlier order of the customer", "count"] == 191
    assert (retail.orders["refund_amount"] <= retail.orders["revenue"] + 1e-9).all()
    from kit.metrics.value import refund_share

    assert refund_share(retail.orders).value == pytest.approx(booked / gross)


def test_retail_guest_orders_are_kept_and_said(shared_datasets):
    data = read_data(_retail_config(shared_datasets))
    guests = data.orders["customer_id"].isna()
    assert guests.sum() > 0
    found = data.quality.set_index("check").loc["customer_id given in every row"]
    assert (found["severity"], found["count"]) == ("warning", int(guests.sum()))


# ------------------------------------------------------------------ a surveys-only business: the BT verbatims


def _verbatims_config(shared_datasets, folder) -> object:
    from kit.data.config import load_config

    path = folder / "analysis.yaml"
    codebook = ROOT / "data" / "codebook_telecom.yaml"
    path.write_text(
        "business: {name: Telecom, language: en}\n"
        "periods: {granularity: quarter}\n"
        "data:\n"
        f"  codebook: {codebook}\n"
        "  tables:\n"
        f"    surveys:\n      file: {shared_datasets / VERBATIMS}\n"
        "      date_format: '%d/%m/%Y %H:%M'\n"
        "      columns: {CUSTOMER_RESPONSE_DATE: responded_at, NPS_SCORE: nps, text: comment, "
        "SURVEY_SUB_TYPE: journey_stage}\n", encoding="utf-8")
    return load_config(path)


def test_verbatims_validate_as_a_surveys_only_business(shared_datasets, tmp_path):
    from kit.data.io import validate
    from kit.text.sources import check_text_sources

    config = _verbatims_config(shared_datasets, tmp_path)
    report = pd.concat([validate(config), check_text_sources(config)], ignore_index=True)
    assert not (report["severity"] == "error").any(), report[report["severity"] == "error"]["example"].tolist()
    rows = report.set_index(["table", "check"])
    # SOURCE.md: 32 rows have no score; every row has a comment and a date
    assert rows.loc[("surveys", "responded_at given in every row"), "count"] == 0
    assert rows.loc[("codebook", "codebook read"), "severity"] == "info"
    optional = rows.loc[("surveys", "optional columns for report sections"), "example"]
    assert optional.startswith("absent: customer_id") and "present: comment (comment coding and themes)" in optional


def test_verbatims_nps_and_coded_comments(shared_datasets, tmp_path):
    from kit.metrics.survey import nps
    from kit.report import pages

    config = _verbatims_config(shared_datasets, tmp_path)
    ctx = pages.context(config.source, period="2018-Q1", smoke=True)
    assert ctx.data.orders is None and len(ctx.data.surveys) == 2385
    assert round(nps(ctx.data.surveys["nps"]).value, 1) == -24.7  # SOURCE.md: NPS -24.7 over all 2,353 scores
    raw = pd.read_csv(shared_datasets / VERBATIMS)
    when = pd.to_datetime(raw["CUSTOMER_RESPONSE_DATE"], format="%d/%m/%Y %H:%M")
    in_q1 = raw[(when >= "2018-01-01") & (when < "2018-04-01")]
    comments = pages.survey_comments(ctx)
    scored = in_q1[in_q1["NPS_SCORE"].notna()]
    assert f"{len(scored):,} comments in 2018-Q1" in str(comments)
    terms = pages.uncoded_terms(ctx)
    intro = next(b.content for b in terms.blocks if b.kind == "para")
    assert f"of {len(in_q1):,} survey comments in 2018-Q1 got no theme" in intro
    table = next(b.content for b in terms.blocks if b.kind == "table")
    assert len(table) > 0 and table["Comments"].astype(str).str.replace(",", "").astype(int).ge(2).all()
