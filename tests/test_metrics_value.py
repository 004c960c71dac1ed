"""Value metrics: net revenue, AOV, return rate, refund share, historical CLV (hand arithmetic)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kit.data.periods import parse_period
from kit.metrics._bounded import cluster_mean_interval
from kit.metrics.value import average_order_value, clv_historical, net_revenue, refund_share, return_rate


@pytest.fixture
def orders() -> pd.DataFrame:
    # 5 orders; a: 2 orders in Q3, b: one fully refunded order in Q3, c: one in Q3 with NaN refund,
    # d: one order in Q2 (outside 2026-Q3).
    return pd.DataFrame({
        "order_id": ["o1", "o2", "o3", "o4", "o5"],
        "customer_id": ["a", "a", "b", "c", "d"],
        "order_date": pd.to_datetime(["2026-07-01", "2026-08-15", "2026-09-30", "2026-07-10", "2026-06-30"]),
        "revenue": [40.0, 60.0, 30.0, 50.0, 100.0],
        "refund_amount": [0.0, 10.0, 30.0, np.nan, 0.0],
        "returned": [False, True, True, False, False],
    })


def test_net_revenue_nan_refund_is_zero(orders):
    # 40-0, 60-10, 30-30, 50-NaN->50, 100-0
    assert net_revenue(orders).tolist() == [40.0, 50.0, 0.0, 50.0, 100.0]


def test_net_revenue_without_refund_column(orders):
    assert net_revenue(orders.drop(columns="refund_amount")).tolist() == [40, 60, 30, 50, 100]


def test_average_order_value_q3(orders):
    # Q3 orders o1..o4 of customers a, a, b, c: net 40, 50, 0, 50 -> mean 35.
    # Clustered by customer (jackknife): leave out a 50/2 = 25, b 140/3 = 46.667, c 90/3 = 30; their mean
    # 33.889, squared deviations 79.01 + 163.27 + 15.12 = 257.41; se^2 = 2/3 x 257.41 = 171.60, se = 13.100
    # (orders as independent: 11.902); t with G - 1 = 2 df: 4.3027, on the log scale:
    # 35 exp(∓ 4.3027 x 13.0998 / 35) = 35 exp(∓ 1.6104) = 6.993, 175.17
    r = average_order_value(orders, period=parse_period("2026-Q3"))
    assert r.value == pytest.approx(35.0)
    assert r.n == 4 and r.extras["clusters"] == 3
    assert r.se == pytest.approx(13.0998, abs=1e-3)
    assert (r.ci_low, r.ci_high) == pytest.approx((6.9933, 175.168), abs=2e-3)
    # sums for the change test: clusters a (40 + 50, 2 orders), b (0, 1), c (50, 1)
    assert r.extras["cluster_sums"] == (3, 4, 140.0, 8100.0 + 0 + 2500, 180.0 + 0 + 50, 6.0)
    # without customer ids every order is its own cluster: the t interval, t(3) = 3.1824, on the log scale
    plain = average_order_value(orders.drop(columns="customer_id"), period=parse_period("2026-Q3"))
    assert plain.se == pytest.approx(11.9024, abs=1e-3)
    assert plain.ci_low == pytest.approx(35 * math.exp(-3.18245 * 11.9024 / 35), abs=1e-3)
    assert r.extras["gross"] == pytest.approx(45.0)  # (40+60+30+50)/4
    assert r.kpi == "average_order_value" and "Net revenue" in r.definition


def test_average_order_value_empty_period(orders):
    r = average_order_value(orders, period="2025-Q1")
    assert not r.has_data and "2025-Q1" in r.note
    assert not average_order_value(None, period="2025-Q1").has_data


def test_average_order_value_single_order(orders):
    r = average_order_value(orders, period="2026-Q2")  # only o5, net 100
    assert r.value == 100.0 and r.n == 1 and math.isnan(r.ci_low)


def test_return_rate_flag_or_refund(orders):
    # Q3: o2 returned & refund, o3 returned & refund, o1 no, o4 NaN refund -> 2 of 4
    r = return_rate(orders, period="2026-Q3")
    assert r.value == 0.5 and r.n == 4 and r.extras["count"] == 2
    assert r.ci_low == pytest.approx(0.15003, abs=1e-4)
    # a refund without the flag counts too: drop 'returned' -> still o2, o3
    assert return_rate(orders.drop(columns="returned"), period="2026-Q3").value == 0.5
    # flag without refund column: o2, o3 flagged
    assert return_rate(orders.drop(columns="refund_amount"), period="2026-Q3").value == 0.5


def test_return_rate_without_columns(orders):
    r = return_rate(orders.drop(columns=["returned", "refund_amount"]), period="2026-Q3")
    assert not r.has_data and "returned" in r.note


def test_refund_share_delta_method(orders):
    # Q3: refunds 0+10+30+0 = 40, gross 40+60+30+50 = 180 -> R = 0.2222
    # residuals d = refund - R*gross: 0-8.889, 10-13.333, 30-6.667, 0-11.111
    #   = -8.889, -3.333, 23.333, -11.111; sum d^2 = 79.01+11.11+544.44+123.46 = 758.02
    # se = sqrt(758.02 / (4*3)) / (180/4) = sqrt(63.17)/45 = 7.948/45 = 0.17662
    r = refund_share(orders, period="2026-Q3")
    assert r.value == pytest.approx(40 / 180)
    assert r.se == pytest.approx(0.17662, abs=1e-4)
    # interval with c = 1.92073 pseudo-orders of 45 refunded and c not: R~ = (40 + 86.433) / (180 + 172.866)
    # = 0.35830; residuals r - R~ g = -14.332, -11.498, 19.251, -17.915 (squares 1029.17), pseudo
    # c (0.3583 x 45)^2 = 499.33 and c (0.6417 x 45)^2 = 1601.60; V = 3130.1 / 7.84146^2 / 45^2,
    # se~ = 0.15855, half 0.31075 -> 0.0476 .. 0.6691
    assert (r.ci_low, r.ci_high) == pytest.approx((0.0476, 0.6691), abs=1e-3)
    assert r.extras == {"refunds": 40.0, "gross": 180.0, "missing_revenue": 0,
                        "sums": (4, 40.0, 180.0, 1000.0, 1500.0, 8600.0, 2)}   # 100+900; 600+900; 1600+3600+900+2500


def test_refund_share_delta_method_matches_simulation():
    # independent check of the ratio-estimator se: sd of R over many simulated samples
    rng = np.random.default_rng(1)
    n = 400

    def draw() -> pd.DataFrame:
        gross = rng.gamma(2.0, 20.0, n)
        refunded = rng.random(n) < 0.1
        return pd.DataFrame({"order_date": pd.Timestamp("2026-01-01"), "revenue": gross,
                             "refund_amount": np.where(refunded, gross, 0.0)})

    ratios = [refund_share(draw()).value for _ in range(400)]
    ses = [refund_share(draw()).se for _ in range(50)]
    assert np.mean(ses) == pytest.approx(np.std(ratios), rel=0.15)


def test_refund_share_without_refund_column(orders):
    assert not refund_share(orders.drop(columns="refund_amount")).has_data


def test_clv_historical_with_refund_only_customer(orders):
    # before 2026-10-01: a net 40+50 = 90, b net 0 (fully refunded), c 50, d 100
    # margin .3 -> 27, 0, 15, 30; mean 18
    r = clv_historical(orders, margin=0.3, as_of="2026-10-01")
    assert r.value == pytest.approx(18.0)
    assert r.n == 4
    assert r.extras["customers_net_le_zero"] == 1
    # sd of (27, 0, 15, 30) = sqrt((81+324+9+144)/3) = sqrt(186) = 13.638; se = 6.819
    assert r.se == pytest.approx(math.sqrt(186) / 2)


def test_clv_historical_as_of_is_exclusive(orders):
    # as_of 2026-09-30: o3 (b, 2026-09-30) excluded -> a 27, c 15, d 30 -> mean 24
    r = clv_historical(orders, margin=0.3, as_of=pd.Timestamp("2026-09-30"))
    assert r.value == pytest.approx(24.0) and r.n == 3


def test_clv_historical_negative_net_and_errors(orders):
    o = orders.assign(refund_amount=[0.0, 0.0, 45.0, 0.0, 0.0])  # b refunded more than paid: -15
    r = clv_historical(o, margin=1.0, as_of="2026-10-01")
    # a 100, b -15, c 50, d 100 -> mean 58.75
    assert r.value == pytest.approx(58.75)
    with pytest.raises(ValueError, match="margin"):
        clv_historical(orders, margin=0, as_of="2026-10-01")
    assert not clv_historical(orders, margin=0.3, as_of="2020-01-01").has_data
    assert not clv_historical(None, margin=0.3, as_of="2020-01-01").has_data


def test_sample_value_metrics_match_direct_sums(sample_data, sample_config):
    orders = sample_data.orders
    q3 = orders[(orders["order_date"] >= "2026-07-01") & (orders["order_date"] < "2026-10-01")]
    net = q3["revenue"] - q3["refund_amount"].fillna(0)
    assert average_order_value(orders, period="2026-Q3").value == pytest.approx(net.mean())
    assert refund_share(orders, period="2026-Q3").value == pytest.approx(
        q3["refund_amount"].sum() / q3["revenue"].sum())
    flagged = q3["returned"] | (q3["refund_amount"] > 0)
    assert return_rate(orders, period="2026-Q3").value == pytest.approx(flagged.mean())
    # 9 customers of the answer key had every order refunded in full: they count with CLV 0
    clv = clv_historical(orders, margin=sample_config.clv.margin, as_of="2026-10-01")
    assert clv.n == orders["customer_id"].nunique() and clv.extras["customers_net_le_zero"] >= 9
    before = orders[orders["order_date"] < "2026-10-01"]
    net_per_customer = (before["revenue"] - before["refund_amount"].fillna(0)).groupby(before["customer_id"]).sum()
    assert clv.value == pytest.approx(sample_config.clv.margin * net_per_customer.mean())


def test_missing_revenue_is_left_out_and_said(orders):
    # o4 (c, revenue 50) loses its revenue: Q3 nets 40, 50, 0 -> AOV 30; refunds 40 / gross 130
    o = orders.assign(revenue=[40.0, 60.0, 30.0, np.nan, 100.0])
    r = average_order_value(o, period="2026-Q3")
    assert (r.value, r.n, r.extras["missing_revenue"]) == (30.0, 3, 1)
    assert "1 orders without revenue" in r.note
    assert refund_share(o, period="2026-Q3").value == pytest.approx(40 / 130)
    # CLV: c has no known order left -> a 27, b 0, d 30 at margin .3 -> mean 19
    c = clv_historical(o, margin=0.3, as_of="2026-10-01")
    assert c.value == pytest.approx(19.0) and c.n == 3 and "without revenue" in c.note
    assert not average_order_value(o.assign(revenue=np.nan), period="2026-Q3").has_data


# --------------------------------------------------------------------------- notes in English and German
NB = "\u00a0"  # the no-break space between a German number and its unit


def test_clv_historical_note_in_english_and_german(orders):
    assert clv_historical(orders, margin=0.35, as_of="2026-10-01").note == \
        "margin 35% on net revenue, orders before 2026-10-01"
    assert clv_historical(orders, margin=0.35, as_of="2026-10-01", lang="de").note == \
        f"Marge 35{NB}% auf den Nettoumsatz, Bestellungen vor dem 2026-10-01"
    assert clv_historical(orders, margin=0.35, as_of="2020-01-01", lang="de").note == \
        "keine Bestellungen vor dem 2020-01-01"
    assert clv_historical(None, margin=0.35, as_of="2026-10-01", lang="de").note == \
        "keine Bestelldaten: Wertkennzahlen übersprungen"


def test_orders_without_revenue_are_counted_in_english_and_german():
    # 1,200 orders in 2026-Q3, 1,001 of them without a revenue: 199 orders carry the value
    many = pd.DataFrame({"customer_id": [f"c{i}" for i in range(1200)],
                         "order_date": pd.to_datetime(["2026-07-01"] * 1200),
                         "revenue": [20.0] * 199 + [np.nan] * 1001, "refund_amount": 0.0})
    assert average_order_value(many, period="2026-Q3").note == "1,001 orders without revenue left out"
    assert average_order_value(many, period="2026-Q3", lang="de").note == \
        "1.001 Bestellungen ohne Umsatz ausgelassen"
    assert refund_share(many.iloc[198:200], period="2026-Q3", lang="de").note == \
        "1 Bestellung ohne Umsatz ausgelassen"
    assert clv_historical(many, margin=0.5, as_of="2026-10-01", lang="de").note == \
        f"Marge 50{NB}% auf den Nettoumsatz, Bestellungen vor dem 2026-10-01; " \
        "1.001 Bestellungen ohne Umsatz ausgelassen"


def test_no_value_notes_in_english_and_german(orders):
    q1 = parse_period("2025-Q1")
    assert average_order_value(orders, period=q1).note == "no orders in 2025-Q1"
    assert average_order_value(orders, period=q1, lang="de").note == "keine Bestellungen im Zeitraum 2025-Q1"
    assert return_rate(None, lang="de").note == "keine Bestelldaten: Wertkennzahlen übersprungen"
    bare = orders.drop(columns=["refund_amount", "returned"])
    assert return_rate(bare, lang="de").note == \
        "die Bestellungen haben weder eine Spalte 'returned' noch 'refund_amount'"
    assert refund_share(bare, lang="de").note == "die Bestellungen haben keine Spalte 'refund_amount'"
    free = orders.assign(revenue=0.0, refund_amount=0.0)
    assert refund_share(free).note == "gross revenue in the period is zero"
    assert refund_share(free, lang="de").note == "kein Bruttoumsatz im Zeitraum"


def test_average_order_value_learns_its_interval_from_every_period_of_the_log():
    # Q3: customers a-f, one order each (a has two); Q2 holds a big buyer g (900) and a again.
    q3 = pd.DataFrame({"customer_id": list("aabcdef"), "revenue": [30.0, 50.0, 40.0, 35.0, 60.0, 45.0, 25.0],
                       "order_date": pd.Timestamp("2026-08-01")})
    q2 = pd.DataFrame({"customer_id": ["g", "a"], "revenue": [900.0, 20.0], "order_date": pd.Timestamp("2026-05-01")})
    orders = pd.concat([q2, q3], ignore_index=True)
    r = average_order_value(orders, period="2026-Q3")
    assert r.value == pytest.approx(285 / 7) and r.extras["clusters"] == 6
    # the history by hand: customer-quarters g/Q2 (900, 1 order), a/Q2 (20, 1), a/Q3 (80, 2), b..f/Q3 (one
    # each), in the kit's order (customers as they first appear in the log, then periods): the seeded draws
    # pick positions, so the order is part of the result
    history = (np.array([900.0, 20.0, 80.0, 40.0, 35.0, 60.0, 45.0, 25.0]), np.array([1.0, 1, 2, 1, 1, 1, 1, 1]))
    expected = cluster_mean_interval(q3["revenue"].to_numpy(), q3["customer_id"].to_numpy(), history=history)
    assert (r.se, r.ci_low, r.ci_high) == pytest.approx(expected[1:4], rel=1e-12)
    # the big buyer of Q2 lifts Q3's upper bound: without him the history is Q3's own customers
    alone = average_order_value(q3, period="2026-Q3")
    assert r.ci_high > alone.ci_high and r.value == alone.value and r.se == alone.se
