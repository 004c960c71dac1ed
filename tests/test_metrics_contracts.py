"""Contractual metrics: subscriptions read from a German export or a status snapshot, churn per period and by
tenure, and the sBG-based contractual CLV."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from kit.data.config import AnalysisConfig, CLVSettings, load_config
from kit.data.contract import LoyaltyData
from kit.data.io import read_data, validate
from kit.data.periods import parse_period
from kit.errors import DataError
from kit.metrics._stats import share_interval
from kit.metrics.contracts import (
    churn_by_tenure,
    contractual_churn,
    contractual_churn_by_period,
    contractual_retention,
    subscription_lifetimes,
    subscriptions_of,
)
from kit.models.clv.contract_value import clv_contractual, period_discount_rate, subscriber_values
from kit.models.clv.sbg import ShiftedBetaGeometric

Q3 = parse_period("2026-Q3")


def subs(rows: list[tuple[str, str, str | None]], amount: float = 10.0) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [r[0] for r in rows],
                         "start_date": pd.to_datetime([r[1] for r in rows]),
                         "end_date": pd.to_datetime([r[2] for r in rows]), "plan": "M", "amount": amount})


def test_contractual_churn_counts_by_hand():
    s = subs([("a", "2026-01-05", "2026-08-01"),   # active at 1 July, ends in Q3: lost
              ("b", "2026-02-01", None),           # active, running: retained
              ("c", "2026-03-01", "2026-06-30"),   # ended before Q3: not at the start
              ("d", "2026-07-02", "2026-09-01"),   # joined and left within Q3: in neither count
              ("e", "2026-07-03", None),           # joined in Q3, still running
              ("f", "2026-04-01", "2026-07-01"),   # ends on the first day of Q3: lost
              ("g", "2026-04-01", "2026-10-01")])  # ends on 1 October: after Q3, retained
    r = contractual_churn(s, period=Q3)
    # at the start: a, b, f, g (4); lost in Q3: a, f (2) -> 2 / 4 = 0.5
    assert (r.value, r.n, r.extras["lost"]) == (0.5, 4, 2)
    assert r.extras["joined_and_left"] == 1 and r.extras["joined"] == 2
    assert (r.ci_low, r.ci_high) == pytest.approx(share_interval(2, 4))
    assert "1 customers joined and left within the period" in r.note
    de = contractual_churn(s, period=Q3, lang="de")
    assert "1 Kunden haben im Zeitraum begonnen und wieder gekündigt" in de.note
    retention = contractual_retention(s, period=Q3)
    assert retention.value == 0.5 and retention.ci_low == pytest.approx(1 - r.ci_high)
    assert retention.extras["retained"] == 2


def test_independent_oracle_on_random_subscriptions():
    # oracle: a plain loop over the customers
    rng = np.random.default_rng(3)
    start = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 600, 300), unit="D")
    end = start + pd.to_timedelta(rng.integers(1, 500, 300), unit="D")
    end = end.where(rng.random(300) < 0.6)
    s = pd.DataFrame({"customer_id": [f"c{i}" for i in range(300)], "start_date": start, "end_date": end})
    at_start = lost = both = 0
    for a, b in zip(s.start_date, s.end_date, strict=True):
        active = a < Q3.start and (pd.isna(b) or b >= Q3.start)
        at_start += active
        lost += active and pd.notna(b) and b < Q3.end
        both += Q3.start <= a < Q3.end and pd.notna(b) and b < Q3.end
    r = contractual_churn(s, period=Q3)
    assert (r.n, r.extras["lost"], r.extras["joined_and_left"]) == (at_start, lost, both)
    trend = contractual_churn_by_period(s, periods=[parse_period("2026-Q2"), Q3])
    assert trend["n"].tolist()[1] == at_start and trend["value"].iloc[1] == pytest.approx(lost / at_start)


def test_several_subscriptions_of_one_customer_count_once():
    s = subs([("a", "2026-01-01", "2026-03-01"), ("a", "2026-03-01", None), ("b", "2026-01-01", "2026-07-15")])
    r = contractual_churn(s, period=Q3)
    assert (r.n, r.extras["lost"]) == (2, 1)   # a runs on (its open plan), b ends in Q3


def test_no_subscriptions_and_no_subscribers_say_why():
    assert contractual_churn(None, period=Q3).note == "no subscription data: contractual churn skipped"
    r = contractual_churn(subs([("a", "2026-08-01", None)]), period=Q3)
    assert not r.has_data and "no active subscribers at the start of 2026-Q3" in r.note


def test_lifetimes_in_billing_periods():
    s = subs([("a", "2026-01-01", "2026-01-01"),   # cancelled on the first day: period 1
              ("b", "2026-01-01", "2026-02-15"),   # 45 days: cancelled in period 2 (ceil(45 / 30.44))
              ("c", "2026-01-01", None),           # running, 109 days at 20 April: 3 periods completed
              ("d", "2026-01-01", "2026-05-01"),   # ends after as_of: running at as_of
              ("e", "2026-05-01", None)])          # starts after as_of: left out
    life = subscription_lifetimes(s, as_of="2026-04-20")
    assert life[["customer_id", "periods", "churned"]].values.tolist() == [
        ["a", 1, True], ["b", 2, True], ["c", 3, False], ["d", 3, False]]
    quarterly = subscription_lifetimes(s, as_of="2026-04-20", billing_months=3)
    assert quarterly["periods"].tolist() == [1, 1, 1, 1]


def test_churn_by_tenure_by_hand():
    life = pd.DataFrame({"periods": [1, 1, 2, 3, 2, 4], "churned": [True, True, True, True, False, False]})
    table = churn_by_tenure(life)
    # t=1: all 6 reached it, 2 cancelled; t=2: 4 reached it, 1 cancelled; t=3: 2 reached it (the 3 and the
    # running 4), 1 cancelled; t=4: the running one only, 0 cancelled
    assert table[["tenure", "at_risk", "churned"]].values.tolist() == [[1, 6, 2], [2, 4, 1], [3, 2, 1], [4, 1, 0]]
    assert table["churn_rate"].tolist() == pytest.approx([2 / 6, 1 / 4, 1 / 2, 0.0])
    assert (table["ci_low"] <= table["churn_rate"]).all() and (table["churn_rate"] <= table["ci_high"]).all()


def test_tenure_churn_matches_the_sbg_on_simulated_subscribers():
    # simulate the sBG itself: theta ~ Beta(1, 3), geometric lifetimes; observed churn at t=1 ~ alpha/(alpha+beta)
    rng = np.random.default_rng(11)
    theta = rng.beta(1.0, 3.0, 4000)
    t = rng.geometric(theta)
    life = pd.DataFrame({"periods": np.minimum(t, 8), "churned": t <= 8})
    table = churn_by_tenure(life)
    model = ShiftedBetaGeometric().fit(life)
    assert model.params_.to_numpy() == pytest.approx([1.0, 3.0], rel=0.15)
    first = table.iloc[0]
    assert first["ci_low"] <= 0.25 <= first["ci_high"]   # 1 / (1 + 3)
    assert (1 - model.retention_rate(np.arange(1, 9))) == pytest.approx(table["churn_rate"].to_numpy(), abs=0.04)


def test_status_snapshot_without_dates():
    c = pd.DataFrame({"customer_id": ["a", "b", "c"], "tenure_months": [1.0, 12.0, 24.0],
                      "status": ["Yes", "No", "no"]})
    s = subscriptions_of(LoyaltyData(customers=c, as_of=pd.Timestamp("2026-10-01")))
    assert s["end_date"].notna().tolist() == [True, False, False]
    assert s.loc[0, "end_date"] == pd.Timestamp("2026-09-30")   # the snapshot's last day
    # 12 months of 30.4375 days = 365.25 days -> 365 days before 1 October 2026
    assert s.loc[1, "start_date"] == pd.Timestamp("2025-10-01")
    with pytest.raises(DataError, match="churned status but no churn_date"):
        subscriptions_of(LoyaltyData(customers=c))
    assert subscriptions_of(LoyaltyData(customers=c[["customer_id"]])) is None
    with pytest.raises(DataError, match="neither signup_date nor tenure_months"):
        subscriptions_of(LoyaltyData(customers=c[["customer_id", "status"]], as_of=pd.Timestamp("2026-10-01")))


def test_subscriber_values_and_the_kpi():
    s = subs([(f"x{i}", "2025-01-01", f"2025-{m:02d}-10") for i, m in enumerate([2, 2, 3, 4, 6, 9])]
             + [(f"y{i}", "2025-01-01", None) for i in range(6)], amount=20.0)
    settings = CLVSettings(margin=0.5, annual_discount_rate=0.1)
    values, model = subscriber_values(s, as_of="2026-01-01", settings=settings)
    d = period_discount_rate(0.1, 1)
    # each running subscriber: 11 renewals at 1 January 2026 (365 days / 30.44 = 11.99 -> 11)
    assert values["renewals"].tolist() == [11] * 6
    assert values["residual_value"].to_numpy() == pytest.approx(20 * 0.5 * model.derl(d, 11))
    r = clv_contractual(s, as_of="2026-01-01", settings=settings)
    assert r.n == 6 and r.value == pytest.approx(float(values["residual_value"].mean()))
    assert r.ci_low < r.value < r.ci_high and r.se > 0
    assert "sBG fitted on 12 subscribers (6 cancelled)" in r.note
    assert not clv_contractual(None, as_of="2026-01-01", settings=settings).has_data
    no_amount = s.assign(amount=np.nan)
    assert "no amount" in clv_contractual(no_amount, as_of="2026-01-01", settings=settings).note
    none_left = subs([("a", "2025-01-01", None)])
    assert "no subscriber has cancelled" in clv_contractual(none_left, as_of="2026-01-01", settings=settings).note
    undiscounted = CLVSettings(annual_discount_rate=0.0)
    assert "annual_discount_rate above 0" in clv_contractual(s, as_of="2026-01-01", settings=undiscounted).note


def test_reading_a_german_subscriptions_export(tmp_path):
    (tmp_path / "abos.csv").write_text(
        "Kundennummer;Beginn;Ende;Tarif;Betrag\nK1;01.01.2026;15.02.2026;Basis;9,90\nK2;01.02.2026;;Plus;19,90\n",
        encoding="utf-8")
    (tmp_path / "analysis.yaml").write_text(
        "business: {name: Abo-Shop}\ndata:\n  tables:\n    subscriptions:\n      file: abos.csv\n"
        "      date_format: '%d.%m.%Y'\n      columns: {Kundennummer: customer_id, Beginn: start_date, Ende: end_date,"
        " Tarif: plan, Betrag: amount}\n", encoding="utf-8")
    data = read_data(load_config(tmp_path / "analysis.yaml"))
    assert data.subscriptions["amount"].tolist() == [9.9, 19.9]
    assert data.subscriptions["end_date"].isna().tolist() == [False, True]
    # the latest start (an end may be scheduled after the export day, so ends do not count)
    assert data.last_seen() == pd.Timestamp("2026-02-01")
    assert dataclasses.replace(data, as_of=pd.Timestamp("2026-03-01")).last_seen() == pd.Timestamp("2026-02-28")


def test_a_subscription_ending_before_it_starts_is_an_error(tmp_path):
    (tmp_path / "subs.csv").write_text("customer_id,start_date,end_date\nA,2026-03-01,2026-02-01\n"
                                       "B,2026-01-01,\n", encoding="utf-8")
    cfg = AnalysisConfig.model_validate({"business": {"name": "S"}, "data": {"tables": {
        "subscriptions": {"file": str(tmp_path / "subs.csv")}}}})
    with pytest.raises(DataError, match=r"subs\.csv, column 'end_date': 1 subscription has end_date before "
                                        r"start_date .*row 2"):
        read_data(cfg)
    report = validate(cfg)
    assert (report["check"] == "end_date >= start_date").any()


def test_as_of_ends_a_snapshot(tmp_path):
    (tmp_path / "c.csv").write_text("id,Churn,tenure\n1,Yes,3\n2,No,10\n", encoding="utf-8")
    cfg = AnalysisConfig.model_validate({"business": {"name": "S"}, "data": {"as_of": "2026-10-01", "tables": {
        "customers": {"file": str(tmp_path / "c.csv"),
                      "columns": {"id": "customer_id", "Churn": "status", "tenure": "tenure_months"}}}}})
    data = read_data(cfg)
    assert data.as_of == pd.Timestamp("2026-10-01") and data.last_seen() == pd.Timestamp("2026-09-30")
    assert data.customers["tenure_months"].tolist() == [3.0, 10.0]
    # customer 1 churned (lost on 30 September), tenure 3 months: started 2 July, joined and left within Q3;
    # customer 2 started ~1 December 2025 and runs on: 1 at the start of Q3, 0 lost
    r = contractual_churn(subscriptions_of(data), period="2026-Q3")
    assert (r.value, r.n, r.extras["joined_and_left"]) == (0.0, 1, 1)
    assert not math.isnan(r.ci_high)
