"""Behaviour metrics: churn/retention (hand arithmetic and a day-by-day oracle), repeat purchases, frequency."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kit.data.periods import parse_period, periods_between
from kit.metrics.behaviour import (
    churn_by_period,
    churn_rate,
    convert_rate,
    inter_purchase_days,
    loss_moments,
    purchase_frequency,
    repeat_purchase_rate,
    retention_rate,
)

Q3 = parse_period("2026-Q3")  # [2026-07-01, 2026-10-01)


def _orders(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"order_id": [f"o{i}" for i in range(len(rows))],
                         "customer_id": [c for c, _ in rows],
                         "order_date": pd.to_datetime([d for _, d in rows]),
                         "revenue": 10.0})


@pytest.fixture
def churn_orders() -> pd.DataFrame:
    # inactivity 90 days, period 2026-Q3:
    # a: 03-01, 05-01 -> 05-01 + 90 d = 07-30 >= 07-01: at start; lost 07-30 (in Q3)
    # b: 05-01, 07-15 -> at start; gap 75 d < 90; next loss 07-15 + 90 = 10-13: kept
    # c: 01-01 -> 01-01 + 90 = 04-01 < 07-01: already lost, not at start
    # d: first order 07-05: new in the period, not at start
    # e: 06-01 (+ exit 08-01) -> at start; lost (exit 08-01; inactivity would also say 08-30)
    # f: 06-15 (+ exit 06-20) -> exit after the last order, before the start: not at start
    #    (without exits: at start, lost at 06-15 + 90 = 09-13)
    # g: 04-02, 07-01 -> 04-02 + 90 = 07-01: at start; gap = 90 >= 90: lost on 07-01 despite the order
    return _orders([("a", "2026-03-01"), ("a", "2026-05-01"), ("b", "2026-05-01"), ("b", "2026-07-15"),
                    ("c", "2026-01-01"), ("d", "2026-07-05"), ("e", "2026-06-01"), ("f", "2026-06-15"),
                    ("g", "2026-04-02"), ("g", "2026-07-01")])


@pytest.fixture
def exits() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["e", "f"], "exit_date": pd.to_datetime(["2026-08-01", "2026-06-20"])})


def test_churn_rate_hand_example_with_exits(churn_orders, exits):
    # at start: a, b, e, g (4); lost: a, e, g (3) -> 0.75
    r = churn_rate(churn_orders, period=Q3, inactivity_days=90, exits=exits)
    assert (r.value, r.n) == (0.75, 4)
    assert r.extras["lost"] == 3 and r.extras["lost_by_exit"] == 1 and r.extras["lost_by_inactivity"] == 2
    # Agresti-Coull 3/4: ñ = 7.8415, p̃ = (3 + 1.9208) / 7.8415 = .62753; half = 1.96 sqrt(p̃ (1 - p̃) / ñ) = .33839
    assert r.ci_low == pytest.approx(0.2891, abs=1e-3)
    assert r.ci_high == pytest.approx(0.9659, abs=1e-3)
    assert r.note.startswith("lost = no order for 90 days, or a recorded exit")
    assert r.kpi == "churn_rate" and r.definition


def test_churn_rate_hand_example_without_exits(churn_orders):
    # at start: a, b, e, f, g (5); lost: a, e, f, g (4) -> 0.8
    r = churn_rate(churn_orders, period="2026-Q3", inactivity_days=90)
    assert (r.value, r.n) == (0.8, 5)
    assert r.note.startswith("lost = no order for 90 days")
    assert "exit" not in r.note
    assert "Tage ohne Bestellung" in churn_rate(churn_orders, period=Q3, inactivity_days=90, lang="de").note


def test_retention_mirrors_churn(churn_orders, exits):
    c = churn_rate(churn_orders, period=Q3, inactivity_days=90, exits=exits)
    r = retention_rate(churn_orders, period=Q3, inactivity_days=90, exits=exits)
    assert r.value == 0.25 and r.n == 4 and r.extras["retained"] == 1
    assert r.ci_low == pytest.approx(1 - c.ci_high) and r.ci_high == pytest.approx(1 - c.ci_low)
    assert r.kpi == "retention_rate"


def test_churn_edge_cases(churn_orders):
    # no customer before 2020: no data with the reason
    r = churn_rate(churn_orders, period="2020-Q1", inactivity_days=90)
    assert not r.has_data and "no active customers" in r.note
    assert not retention_rate(churn_orders, period="2020-Q1", inactivity_days=90).has_data
    assert not churn_rate(None, period=Q3, inactivity_days=90).has_data
    # a single customer: b only (orders 05-01, 07-15). Q3 starts 61 days after the first order of the data,
    # sooner than the 90 inactive days: no loss could be seen yet -> no data with that reason (not 0 %)
    b_only = churn_orders[churn_orders.customer_id == "b"]
    single = churn_rate(b_only, period=Q3, inactivity_days=90)
    assert not single.has_data and "cannot be observed yet" in single.note and "61 days" in single.note
    assert "nicht beobachtbar" in churn_rate(b_only, period=Q3, inactivity_days=90, lang="de").note
    # Q4: at start (07-15 + 90 = 10-13 >= 10-01), lost on 10-13 -> 1 of 1
    q4 = churn_rate(b_only, period="2026-Q4", inactivity_days=90)
    assert (q4.value, q4.n, q4.ci_high) == (1.0, 1, 1.0)
    # missing customer ids / dates are ignored: add junk rows, same result as before (0.8 of 5)
    junk = pd.concat([churn_orders, pd.DataFrame({"customer_id": [None, "x"],
                                                  "order_date": [pd.Timestamp("2026-05-05"), pd.NaT],
                                                  "revenue": [1.0, 1.0]})], ignore_index=True)
    assert churn_rate(junk, period=Q3, inactivity_days=90).value == 0.8


def test_churn_note_when_data_end_early(churn_orders):
    r = churn_rate(churn_orders, period="2026-Q4", inactivity_days=90)
    assert "data end" in r.note


def test_loss_moments(churn_orders, exits):
    m = loss_moments(churn_orders, inactivity_days=90, exits=exits)
    g = m[m.customer_id == "g"]
    # g: the gap 04-02 -> 07-01 is 90 d, so a loss at 07-01; then 07-01 + 90 d = 09-29
    assert g["lost_at"].dt.strftime("%m-%d").tolist() == ["07-01", "09-29"]
    e = m[m.customer_id == "e"]
    assert e["cause"].tolist() == ["exit", "inactivity"]


def _oracle_churn(orders: pd.DataFrame, exits: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                  inact: int) -> tuple[int, int]:
    """Day-by-day state machine per customer: (customers active at start, lost in [start, end)).

    Works on whole day numbers (all dates here are midnights)."""
    def day(t: pd.Timestamp) -> int:
        return int((t - pd.Timestamp("2000-01-01")) / pd.Timedelta(days=1))

    start_d, end_d = day(start), day(end)
    at_start = lost = 0
    for cid, o in orders.groupby("customer_id"):
        order_days = {day(t) for t in o["order_date"]}
        exit_days = {day(t) for t in exits.loc[exits.customer_id == cid, "exit_date"]}
        state, last_order, was_active, lost_here = "never", None, False, False
        for d in range(min(order_days), end_d):
            if d == start_d:
                was_active = state == "active"
            if state == "active" and d - last_order >= inact:  # the rule fires this day
                state = "lost"
                lost_here |= was_active and d >= start_d
            if d in order_days:
                state, last_order = "active", d
            if d in exit_days:  # an exit is a loss, also after an inactivity loss; an order the same day comes first
                state = "lost" if state == "active" else state
                lost_here |= was_active and d >= start_d
        at_start += was_active
        lost += lost_here
    return at_start, lost


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_churn_matches_day_by_day_oracle(seed):
    rng = np.random.default_rng(seed)
    rows, exit_rows = [], []
    base = pd.Timestamp("2025-01-01")
    for i in range(60):
        n = rng.integers(1, 7)
        days = np.sort(rng.choice(640, size=n, replace=False))
        rows += [(f"c{i}", base + pd.Timedelta(days=int(d))) for d in days]
        if rng.random() < 0.25:
            exit_day = int(rng.integers(0, 640))
            if exit_day not in days:  # no order on the exit day (order vs exit on one day is a tie)
                exit_rows.append((f"c{i}", base + pd.Timedelta(days=exit_day)))
    orders = pd.DataFrame(rows, columns=["customer_id", "order_date"]).assign(revenue=1.0)
    exits = pd.DataFrame(exit_rows, columns=["customer_id", "exit_date"])
    for label in ("2025-Q3", "2026-Q1", "2026-Q2", "2025-10"):
        p = parse_period(label)
        expected_n, expected_lost = _oracle_churn(orders, exits, p.start, p.end, 60)
        r = churn_rate(orders, period=p, inactivity_days=60, exits=exits)
        assert (r.n, r.extras.get("lost", 0)) == (expected_n, expected_lost), label
    # the trend (one sort for all periods) gives the oracle's counts and rates
    periods = [parse_period(label) for label in ("2025-Q3", "2026-Q1")]
    trend = churn_by_period(orders, periods=periods, inactivity_days=60, exits=exits)
    for p, (_, row) in zip(periods, trend.iterrows(), strict=True):
        expected_n, expected_lost = _oracle_churn(orders, exits, p.start, p.end, 60)
        assert row["n"] == expected_n
        assert row["value"] == pytest.approx(expected_lost / expected_n), p.label


def test_churn_by_period(churn_orders):
    trend = churn_by_period(churn_orders, periods=periods_between(pd.Timestamp("2026-04-01"),
                                                                 pd.Timestamp("2026-09-30"), "quarter"),
                            inactivity_days=90)
    assert trend["period"].tolist() == ["2026-Q2", "2026-Q3"]
    assert trend["value"].iloc[1] == 0.8
    # Q2: at start: a (03-01 +90 = 05-30 >= 04-01), c (01-01 + 90 = 04-01 >= 04-01) -> 2;
    # lost in Q2: c on 04-01; a ordered 05-01 (gap 61) -> 1 of 2
    assert trend["value"].iloc[0] == 0.5 and trend["n"].iloc[0] == 2


def test_convert_rate():
    # 10 % a quarter -> a year: 1 - 0.9^4 = 0.3439; and back
    assert convert_rate(0.1, from_days=91, to_days=364) == pytest.approx(0.3439)
    assert convert_rate(0.3439, from_days=364, to_days=91) == pytest.approx(0.1, abs=1e-6)
    with pytest.raises(ValueError, match="share"):
        convert_rate(1.5, from_days=1, to_days=2)
    with pytest.raises(ValueError, match="positive"):
        convert_rate(0.1, from_days=0, to_days=2)


@pytest.fixture
def q3_orders() -> pd.DataFrame:
    # Q3: a 2 orders, b 1, c 3; d only in Q2
    return _orders([("a", "2026-07-01"), ("a", "2026-07-11"), ("a", "2026-08-10"), ("b", "2026-06-20"),
                    ("b", "2026-07-05"), ("c", "2026-09-01"), ("c", "2026-09-02"), ("c", "2026-09-03"),
                    ("d", "2026-04-01")])


def test_repeat_purchase_rate(q3_orders):
    # Q3 orders per customer: a 3, b 1, c 3 -> 2 of 3 repeat
    r = repeat_purchase_rate(q3_orders, period=Q3)
    assert r.value == pytest.approx(2 / 3) and r.n == 3
    # all time: a 3, b 2, c 3, d 1 -> 3 of 4
    assert repeat_purchase_rate(q3_orders).value == 0.75
    assert not repeat_purchase_rate(q3_orders, period="2020-Q1").has_data
    assert not repeat_purchase_rate(None, period="2020-Q1").has_data


def test_purchase_frequency(q3_orders):
    # Q3 counts 3, 1, 3: mean 7/3; sd = sqrt(((2/3)^2 + (4/3)^2 + (2/3)^2) / 2) = sqrt(4/3) = 1.1547
    # se = 1.1547 / sqrt(3) = 0.66667; t(2) = 4.30265 -> half width 2.8684
    r = purchase_frequency(q3_orders, period=Q3)
    assert r.value == pytest.approx(7 / 3) and r.n == 3
    assert r.se == pytest.approx(2 / 3)
    assert r.ci_high - r.value == pytest.approx(4.30265 * 2 / 3, abs=1e-4)
    assert r.extras == {"orders": 7, "median": 3.0}
    single = purchase_frequency(q3_orders, period="2026-Q2")  # b 06-20, d 04-01 -> 1 each
    assert single.value == 1.0 and single.n == 2


def test_inter_purchase_days(q3_orders):
    # gaps: a 10, 30; b 15; c 1, 1 -> sorted 1, 1, 10, 15, 30: median 10
    r = inter_purchase_days(q3_orders)
    assert r.value == 10.0 and r.n == 5 and math.isnan(r.ci_low)  # n = 5 is too small for an interval
    assert r.extras["customers"] == 3
    # in 2026-08 only a's 30-day gap ends
    assert inter_purchase_days(q3_orders, period="2026-08").value == 30.0
    assert not inter_purchase_days(q3_orders, period="2020-Q1").has_data
    assert not inter_purchase_days(q3_orders[q3_orders.customer_id == "d"]).has_data


def test_inter_purchase_days_interval():
    # one customer, 11 orders every 1, 2, ..., 10 days: gaps 1..10 -> median 5.5, interval [x(2), x(9)] = [2, 9]
    dates = pd.Timestamp("2026-01-01") + pd.to_timedelta(np.cumsum(np.arange(0, 11)), unit="D")
    o = pd.DataFrame({"customer_id": "a", "order_date": dates, "revenue": 1.0})
    r = inter_purchase_days(o)
    assert (r.value, r.ci_low, r.ci_high) == (5.5, 2.0, 9.0)


# --------------------------------------------------------------------------- plots (through the Axes)
def test_plot_orders_per_customer_bars(q3_orders):
    from kit.report.plots.behaviour import plot_orders_per_customer

    # all time: a 3, b 2, c 3, d 1 -> shares 1: .25, 2: .25, 3: .5, 4: 0, 5+: 0; repeat 75 %
    ax = plot_orders_per_customer(q3_orders)
    assert [p.get_height() for p in ax.patches] == [0.25, 0.25, 0.5, 0.0, 0.0]
    assert "75%" in ax.get_title(loc="left")


def test_plot_churn_trend(churn_orders):
    from kit.report.plots.behaviour import plot_churn_trend

    trend = churn_by_period(churn_orders, periods=[parse_period("2026-Q2"), Q3], inactivity_days=90)
    ax = plot_churn_trend(trend, target=0.1)
    assert list(ax.get_lines()[0].get_ydata()) == [0.5, 0.8]
    target = [line for line in ax.get_lines() if line.get_label().startswith("target")]
    assert target[0].get_label() == "target 10%" and target[0].get_ydata()[0] == 0.1


# --------------------------------------------------------------------------- the sample business
def test_sample_five_star_customers_reorder_more(sample_data):
    # planted: five-star customers order 1.5 x as often. Among survey respondents (so both groups had to be
    # active to answer), compare orders per ordering customer in 2026-Q3: any 5-star answer vs none.
    ratings = sample_data.surveys.dropna(subset=["rating"]).groupby("customer_id")["rating"].max()
    five, other = ratings.index[ratings == 5], ratings.index[ratings < 5]
    orders = sample_data.orders
    a = purchase_frequency(orders[orders["customer_id"].isin(five)], period="2026-Q3")
    b = purchase_frequency(orders[orders["customer_id"].isin(other)], period="2026-Q3")
    z = (a.value - b.value) / math.hypot(a.se, b.se)
    assert a.value > b.value and z > 3
    assert repeat_purchase_rate(orders[orders["customer_id"].isin(five)], period="2026-Q3").value > \
        repeat_purchase_rate(orders[orders["customer_id"].isin(other)], period="2026-Q3").value


def test_sample_period_metrics_match_direct_counts(sample_data):
    orders = sample_data.orders
    q3 = orders[(orders["order_date"] >= "2026-07-01") & (orders["order_date"] < "2026-10-01")]
    per_customer = q3["customer_id"].value_counts()
    r = repeat_purchase_rate(orders, period="2026-Q3")
    assert (r.value, r.n) == ((per_customer >= 2).mean(), len(per_customer))
    assert purchase_frequency(orders, period="2026-Q3").value == pytest.approx(len(q3) / len(per_customer))
    churn = churn_rate(orders, period="2026-Q3", inactivity_days=180, exits=sample_data.exits)
    q3p = parse_period("2026-Q3")
    expected_n, expected_lost = _oracle_churn(orders, sample_data.exits, q3p.start, q3p.end, 180)
    assert (churn.n, churn.value) == (expected_n, pytest.approx(expected_lost / expected_n))
    assert churn.extras["lost_by_exit"] > 0


def test_sample_referred_customers_churn_less(sample_data):
    # planted: referred customers' churn hazard x 0.6. Churn in 2026-Q3, referred vs the rest, with a
    # two-proportion z-test written out: z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)), p pooled
    referred = set(sample_data.referrals["referred_id"].dropna())
    orders, exits = sample_data.orders, sample_data.exits
    mask = orders["customer_id"].isin(referred)
    a = churn_rate(orders[mask], period="2026-Q3", inactivity_days=180, exits=exits)
    b = churn_rate(orders[~mask], period="2026-Q3", inactivity_days=180, exits=exits)
    pooled = (a.extras["lost"] + b.extras["lost"]) / (a.n + b.n)
    z = (a.value - b.value) / math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n))
    assert a.value < b.value and z < -2


# --------------------------------------------------------------------------- notes in English and German


def test_no_data_notes_in_english_and_german():
    o = _orders([("a", "2026-01-05")])
    q1 = parse_period("2025-Q1")
    assert churn_rate(None, period=Q3, inactivity_days=90, lang="de").note == \
        "keine Bestelldaten: Abwanderung übersprungen"
    assert churn_rate(o, period=q1, inactivity_days=90).note == \
        "no active customers at the start of 2025-Q1 (lost = no order for 90 days)"
    assert churn_rate(o, period=q1, inactivity_days=90, lang="de").note == \
        "keine aktiven Kunden zu Beginn von 2025-Q1 (verloren = 90 Tage ohne Bestellung)"
    assert repeat_purchase_rate(o, period=Q3).note == "no orders in 2026-Q3"
    assert repeat_purchase_rate(o, period=Q3, lang="de").note == purchase_frequency(o, period=Q3, lang="de").note \
        == "keine Bestellungen im Zeitraum 2026-Q3"
    assert purchase_frequency(None, lang="de").note == "keine Bestelldaten: Kaufkennzahlen übersprungen"
    assert inter_purchase_days(o, period=Q3, lang="de").note == "keine Wiederholungsbestellungen im Zeitraum 2026-Q3"
    assert inter_purchase_days(None, lang="de").note == "keine Bestelldaten"
