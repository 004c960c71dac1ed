"""Behaviour and value metrics on real data: UCI Online Retail (first 240,007 invoice lines).

The published figures come from the data set's SOURCE.md (computed there with plain pandas):
among invoices with a CustomerID, 1,846 of 10,436 (17.7 %) are cancellations; cancelled value is
6.76 % of gross sales value (the figure holds for the lines with a CustomerID; over all lines it
would be 9.0 %); 53.7 % of customers with a non-cancelled invoice have two or more. The invoice
lines are mapped onto the kit's orders table here, in the test.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kit.metrics.behaviour import purchase_frequency, repeat_purchase_rate
from kit.metrics.segments import cohort_retention, rfm_segments
from kit.metrics.value import clv_historical, refund_share, return_rate

pytestmark = pytest.mark.shared

RETAIL = "uci-online-retail/online_retail_first240k.parquet"


@pytest.fixture(scope="module")
def retail_orders(shared_datasets) -> pd.DataFrame:
    """Invoice lines -> one order per invoice (lines without a CustomerID are left out).

    revenue = sum of positive Quantity x UnitPrice; refund_amount = minus the sum of negative ones;
    returned = the invoice is a cancellation ("C" prefix). A cancellation is thus an order with
    revenue 0 and a refund.
    """
    lines = pd.read_parquet(shared_datasets / RETAIL)
    lines = lines.loc[lines["CustomerID"].notna()].copy()
    lines["value"] = lines["Quantity"] * lines["UnitPrice"]
    lines["positive"] = lines["value"].clip(lower=0)
    lines["negative"] = (-lines["value"]).clip(lower=0)
    lines["order_date"] = pd.to_datetime(lines["InvoiceDate"], format="%m/%d/%y %H:%M")  # month first
    orders = lines.groupby("InvoiceNo").agg(
        customer_id=("CustomerID", "first"), order_date=("order_date", "min"),
        revenue=("positive", "sum"), refund_amount=("negative", "sum"), quantity=("Quantity", "sum"))
    orders = orders.reset_index().rename(columns={"InvoiceNo": "order_id"})
    orders["customer_id"] = orders["customer_id"].astype("int64").astype(str)
    orders["returned"] = orders["order_id"].str.startswith("C")
    return orders


def test_dates_are_month_first(retail_orders):
    # SOURCE.md: dates 2010-12-01 08:26 to 2011-06-26 10:59 (the last invoice may lack a CustomerID)
    assert retail_orders["order_date"].min() == pd.Timestamp("2010-12-01 08:26")
    assert retail_orders["order_date"].max() <= pd.Timestamp("2011-06-26 10:59")


def test_cancellation_share_of_customer_invoices(retail_orders):
    # published: 1,846 of 10,436 customer invoices are cancellations (17.7 %)
    r = return_rate(retail_orders)
    assert (r.extras["count"], r.n) == (1846, 10436)
    assert r.value == pytest.approx(0.177, abs=5e-4)
    assert r.ci_low < 0.177 < r.ci_high


def test_cancelled_value_share(retail_orders):
    # published: cancelled value is 6.76 % of gross sales value
    r = refund_share(retail_orders)
    assert r.value == pytest.approx(0.0676, abs=5e-5)
    assert r.ci_low < r.value < r.ci_high


def test_repeat_customer_share(retail_orders):
    # published: 53.7 % of customers with a non-cancelled invoice have two or more
    kept = retail_orders.loc[~retail_orders["returned"]]
    r = repeat_purchase_rate(kept)
    assert r.value == pytest.approx(0.537, abs=5e-4)
    # customers with a non-cancelled invoice, counted directly
    assert r.n == kept["customer_id"].nunique()
    f = purchase_frequency(kept)
    assert f.value == pytest.approx(len(kept) / r.n) and f.ci_low < f.value < f.ci_high


def test_cohorts_rfm_and_clv_run_on_real_data(retail_orders):
    kept = retail_orders.loc[~retail_orders["returned"]]
    as_of = pd.Timestamp("2011-06-27")
    cohorts = cohort_retention(kept, granularity="month", as_of=as_of)
    # the December 2010 cohort: customers whose first non-cancelled invoice is in 2010-12
    first = kept.groupby("customer_id")["order_date"].min()
    dec = cohorts[cohorts["cohort"] == "2010-12"]
    assert dec["customers"].iloc[0] == int((first < "2011-01-01").sum())
    assert dec["periods_since"].tolist() == list(range(7))  # Dec .. Jun
    assert dec["complete"].tolist() == [True] * 6 + [False]  # June 2011 is cut at the 26th
    # share in January 2011 = Dec customers with a January invoice, counted directly
    dec_ids = first.index[first < "2011-01-01"]
    jan = kept[(kept["order_date"] >= "2011-01-01") & (kept["order_date"] < "2011-02-01")]
    assert dec["active"].iloc[1] == jan.loc[jan["customer_id"].isin(dec_ids), "customer_id"].nunique()

    rfm = rfm_segments(retail_orders, as_of=as_of)
    assert len(rfm) == retail_orders["customer_id"].nunique() == 2974
    assert rfm[["r", "f", "m"]].isin(range(1, 6)).all().all()
    # customers whose every invoice was cancelled: monetary <= 0, and they are in the CLV mean
    only_cancelled = retail_orders.groupby("customer_id")["returned"].all()
    clv = clv_historical(retail_orders, margin=1.0, as_of=as_of)
    assert clv.n == 2974
    assert clv.extras["customers_net_le_zero"] >= int(only_cancelled.sum()) > 0
