"""The scorecard's fast paths (orders prepared once) give the results of the public metric functions.

Oracles: the public functions themselves (behaviour, value, clv) and the DuckDB query of
``summarise_customers``; a tiny frame checks the numpy customer summary by hand arithmetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kit.data.periods import parse_period
from kit.metrics import behaviour, value
from kit.metrics._orders import PreparedOrders
from kit.models.clv.summary import _summarise_sorted, summarise_customers
from kit.plan.scorecards import ADAPTERS


def _same(a, b) -> None:
    assert (a.kpi, a.n, a.note) == (b.kpi, b.n, b.note)
    for field in ("value", "ci_low", "ci_high", "se"):
        x, y = getattr(a, field), getattr(b, field)
        assert (np.isnan(x) and np.isnan(y)) or x == y, field


@pytest.mark.parametrize("label", ["2026-Q3", "2026-Q2", "2024-Q1", "2023-Q3"])
def test_prepared_order_kpis_equal_public_functions(sample_data, sample_config, label):
    period = parse_period(label)
    prep = PreparedOrders(sample_data.orders, sample_data.exits)
    days = sample_config.thresholds.inactivity_days
    o, ex = sample_data.orders, sample_data.exits
    _same(ADAPTERS["churn_rate"](sample_data, sample_config, period, prep),
          behaviour.churn_rate(o, period=period, inactivity_days=days, exits=ex))
    _same(ADAPTERS["retention_rate"](sample_data, sample_config, period, prep),
          behaviour.retention_rate(o, period=period, inactivity_days=days, exits=ex))
    _same(ADAPTERS["repeat_purchase_rate"](sample_data, sample_config, period, prep),
          behaviour.repeat_purchase_rate(o, period=period))
    _same(ADAPTERS["purchase_frequency"](sample_data, sample_config, period, prep),
          behaviour.purchase_frequency(o, period=period))
    _same(ADAPTERS["clv_historical"](sample_data, sample_config, period, prep),
          value.clv_historical(o, margin=sample_config.clv.margin, as_of=period.end))
    for kpi in ("average_order_value", "return_rate", "refund_share"):
        _same(ADAPTERS[kpi](sample_data, sample_config, period, prep), getattr(value, kpi)(o, period=period))


def test_clv_historical_coded_with_missing_ids_and_revenue():
    # a: 10 + 5 = 15; b: 7 (its NaN revenue left out); the row without a customer is ignored
    o = pd.DataFrame({"customer_id": pd.array(["b", "a", None, "a", "b"], dtype="str"),
                      "order_date": pd.to_datetime(["2026-01-02", "2026-01-01", "2026-01-03", "2026-01-05",
                                                    "2026-01-06"]),
                      "revenue": [7.0, 10.0, 99.0, 5.0, np.nan]})
    prep = PreparedOrders(o)
    fast = value._clv_historical_coded(o, prep.row_codes, margin=0.5, as_of="2026-02-01")
    _same(fast, value.clv_historical(o, margin=0.5, as_of="2026-02-01"))
    assert fast.value == pytest.approx((7.0 * 0.5 + 15.0 * 0.5) / 2)   # customers in first-row order: b, a
    assert fast.extras["missing_revenue"] == 1


def test_orders_per_customer_leaves_out_rows_without_customer():
    o = pd.DataFrame({"customer_id": pd.array(["a", None, "a", "b"], dtype="str"),
                      "order_date": pd.to_datetime(["2026-07-01", "2026-07-02", "2026-08-01", "2026-07-05"])})
    prep = PreparedOrders(o)
    p = parse_period("2026-Q3")
    assert prep.orders_per_customer(p.start.to_datetime64(), p.end.to_datetime64()).tolist() == [2, 1]
    assert prep.coded(("customer_id", "order_date")) is None   # a dated order without a customer


def test_summarise_sorted_by_hand():
    # a: orders on 2024-01-01 (10 + 5: one occasion), 2024-01-15 (20): frequency 1, recency 2 weeks,
    # T = (2024-01-29 - 2024-01-01) / 7 = 4 weeks, monetary 20; b: one order on 2024-01-08: T = 3 weeks
    o = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
                      "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-08"]),
                      "revenue": [10.0, 5.0, 20.0, 8.0]})
    prep = PreparedOrders(o)
    s = prep.sorted
    out = _summarise_sorted(s.codes, s.dates, prep.sorted_net(), s.ids, as_of="2024-01-30", freq="W")
    assert out[["customer_id", "frequency", "recency", "T", "monetary_value"]].to_numpy().tolist() == [
        ["a", 1, 2.0, 4.0, 20.0], ["b", 0, 0.0, 3.0, 0.0]]


@pytest.mark.parametrize("freq", ["W", "D", "M"])
@pytest.mark.parametrize("as_of", ["2026-10-01", "2025-03-15 12:00"])
def test_summarise_sorted_matches_duckdb(sample_data, freq, as_of):
    prep = PreparedOrders(sample_data.orders)
    s = prep.sorted
    fast = _summarise_sorted(s.codes, s.dates, prep.sorted_net(), s.ids, as_of=as_of, freq=freq)
    ref = summarise_customers(sample_data.orders, as_of=as_of, freq=freq)
    assert list(fast.columns) == list(ref.columns)
    for col in ref.columns:
        if col == "monetary_value":   # sums in another order: equal up to rounding
            np.testing.assert_allclose(fast[col].to_numpy(), ref[col].to_numpy(), rtol=1e-12, atol=1e-9)
        else:
            pd.testing.assert_series_equal(fast[col], ref[col])
    assert fast.attrs == ref.attrs


def test_prepared_clv_predicted_close_to_public(sample_data, sample_config):
    from kit.models.clv import clv_predicted

    period = parse_period("2026-Q3")
    fast = ADAPTERS["clv_predicted"](sample_data, sample_config, period, PreparedOrders(sample_data.orders,
                                                                                         sample_data.exits))
    ref = clv_predicted(sample_data.orders, as_of=period.end, settings=sample_config.clv)
    assert fast.n == ref.n
    # DuckDB's parallel sums already vary in the last digits from run to run
    assert fast.value == pytest.approx(ref.value, rel=1e-9)
    assert fast.ci_low == pytest.approx(ref.ci_low, rel=1e-9)


def test_summarise_sorted_without_orders_before_as_of_is_empty_like_duckdb():
    o = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-02-01"]), "revenue": [1.0]})
    prep = PreparedOrders(o)
    s = prep.sorted
    fast = _summarise_sorted(s.codes, s.dates, prep.sorted_net(), s.ids, as_of="2024-01-30", freq="W")
    ref = summarise_customers(o, as_of="2024-01-30", freq="W")
    assert len(fast) == len(ref) == 0
    assert list(fast.columns) == list(ref.columns)


@pytest.mark.parametrize("freq", ["W", "D", "M"])
def test_summarise_sorted_before_1970_and_within_the_day_matches_duckdb(freq):
    # days are taken by integer floor division of the nanoseconds: an afternoon order before 1970 must still fall
    # on its calendar day (1969-12-31, not 1970-01-01), and the last purchase is the last order's day per customer
    o = pd.DataFrame({"customer_id": ["b", "a", "a", "b", "c", "a"],
                      "order_date": pd.to_datetime(["1969-12-31 15:00", "1969-12-30 23:59", "1970-01-02 00:01",
                                                    "1970-02-01 08:00", "1970-01-01 00:00", "1970-01-02 18:00"]),
                      "revenue": [3.0, 10.0, 20.0, 4.0, 7.0, 5.0]})
    prep = PreparedOrders(o)
    s = prep.sorted
    fast = _summarise_sorted(s.codes, s.dates, prep.sorted_net(), s.ids, as_of="1970-03-01", freq=freq)
    ref = summarise_customers(o, as_of="1970-03-01", freq=freq)
    pd.testing.assert_frame_equal(fast, ref)
    # by hand: a's last order is on 1970-01-02, b's first on 1969-12-31
    assert fast["last_purchase"].dt.strftime("%Y-%m-%d").tolist() == ["1970-01-02", "1970-02-01", "1970-01-01"]
    assert fast["first_purchase"].dt.strftime("%Y-%m-%d").tolist() == ["1969-12-30", "1969-12-31", "1970-01-01"]
