"""Advocacy: referral rate, referred customers' retention, the exit-reason Pareto table."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from kit.data.periods import parse_period
from kit.metrics.advocacy import exit_reasons, referral_rate, referred_retention


def _orders(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [c for c, _ in rows], "order_date": pd.to_datetime([d for _, d in rows])})


def test_referral_rate_counts_distinct_active_referrers():
    orders = _orders([("a", "2026-07-01"), ("a", "2026-08-01"), ("b", "2026-07-03"), ("c", "2026-09-01"),
                      ("d", "2026-09-02"), ("e", "2026-04-01")])
    referrals = pd.DataFrame({"referrer_id": ["a", "a", "b", "e", "z"],
                              "referred_at": pd.to_datetime(["2026-07-05", "2026-08-05", "2026-05-01",
                                                             "2026-07-09", "2026-07-10"])})
    r = referral_rate(referrals, orders, period=parse_period("2026-Q3"))
    # active in Q3: a, b, c, d (4). Referrers in Q3: a (twice), e, z; e and z did not order in Q3 -> 1 / 4
    assert r.value == 0.25 and r.n == 4
    assert (r.ci_low, r.ci_high) == pytest.approx(proportion_confint(1, 4, method="agresti_coull"))
    assert r.extras["referrers_not_active"] == 2 and "2 referrers" in r.note
    assert not referral_rate(referrals, orders, period=parse_period("2025-Q1")).has_data


def test_referred_retention_against_statsmodels_z_and_scipy_boschloo():
    # as_of 2026-10-01, window 90 days -> window starts 2026-07-03; eligible = first order before that
    rows = []
    # referred r0..r9: 7 retained (order in Aug 2026), 3 lapsed
    for i in range(10):
        rows.append((f"r{i}", "2025-01-01"))
        if i < 7:
            rows.append((f"r{i}", "2026-08-01"))
    # others o0..o19: 6 retained, 14 lapsed; plus one new customer n0 (first order in the window: left out)
    for i in range(20):
        rows.append((f"o{i}", "2025-02-01"))
        if i < 6:
            rows.append((f"o{i}", "2026-09-01"))
    rows.append(("n0", "2026-09-15"))
    referrals = pd.DataFrame({"referrer_id": ["o0"] * 10, "referred_id": [f"r{i}" for i in range(10)],
                              "referred_at": pd.to_datetime(["2025-01-01"] * 10)})
    r = referred_retention(None, referrals, _orders(rows), as_of="2026-10-01", inactivity_days=90)
    # 7/10 - 6/20 = 0.4
    assert r.value == pytest.approx(0.4) and r.n == 30
    z, _ = proportions_ztest([7, 6], [10, 20])   # the pooled z; the p-value of 10 against 20 is exact
    assert r.extras["z"] == pytest.approx(z)
    assert r.extras["p_value"] == pytest.approx(stats.boschloo_exact([[7, 6], [3, 14]]).pvalue, abs=1e-9)
    table = r.extras["table"].set_index("group")
    assert table.loc["referred", "customers"] == 10 and table.loc["other", "retained"] == 6
    assert r.se == pytest.approx(math.sqrt(0.7 * 0.3 / 10 + 0.3 * 0.7 / 20))


def test_referred_retention_falls_back_to_acquisition_channel():
    rows = [("a", "2025-01-01"), ("a", "2026-09-01"), ("b", "2025-01-01")]
    customers = pd.DataFrame({"customer_id": ["a", "b"], "acquisition_channel": ["Empfehlung", "Suche"]})
    referrals = pd.DataFrame({"referrer_id": ["x"], "referred_at": pd.to_datetime(["2025-01-01"])})
    r = referred_retention(customers, referrals, _orders(rows), as_of="2026-10-01", inactivity_days=90)
    assert r.value == 1.0 and "acquisition_channel" in r.note


def test_exit_reasons_pareto():
    exits = pd.DataFrame({"customer_id": list("abcdefg"),
                          "exit_date": pd.to_datetime(["2026-07-01"] * 6 + ["2026-01-01"]),
                          "category": ["price", "delivery", "price", "price", None, "delivery", "price"]})
    out = exit_reasons(exits, period=parse_period("2026-Q3"))
    # Q3: price 3, delivery 2, (none) 1 of 6 -> shares .5, .333, .167; cumulative .5, .833, 1
    assert out["category"].tolist() == ["price", "delivery", "(none)"]
    assert out["count"].tolist() == [3, 2, 1]
    assert out["cumulative_share"].tolist() == pytest.approx([0.5, 5 / 6, 1.0])
    assert exit_reasons(exits)["count"].tolist() == [4, 2, 1]
    with pytest.raises(KeyError, match="theme"):
        exit_reasons(exits, by="theme")


# --------------------------------------------------------------------------- notes in English and German


def test_referral_rate_note_in_english_and_german():
    # 1,624 customers order in 2026-Q3; 24 of them refer someone, and 16 referrers did not order in the period
    orders = _orders([(f"c{i}", "2026-07-01") for i in range(1624)])
    referrers = [f"c{i}" for i in range(24)] + [f"x{i}" for i in range(16)]
    referrals = pd.DataFrame({"referrer_id": referrers, "referred_at": pd.to_datetime(["2026-08-01"] * 40)})
    q3 = parse_period("2026-Q3")
    assert referral_rate(referrals, orders, period=q3).note == \
        "24 referring of 1624 ordering customers; 16 referrers without an order in the period are not counted"
    assert referral_rate(referrals, orders, period=q3, lang="de").note == \
        "24 Empfehlende unter 1.624 bestellenden Kunden; 16 Empfehlende ohne Bestellung im Zeitraum nicht mitgezählt"
    assert referral_rate(referrals, orders, period=parse_period("2025-Q1"), lang="de").note == \
        "keine bestellenden Kunden im Zeitraum"


def test_referred_retention_note_in_english_and_german():
    orders = _orders([("a", "2026-01-01"), ("a", "2026-09-01"), ("b", "2026-01-01"), ("c", "2026-01-01")])
    referrals = pd.DataFrame({"referrer_id": ["c"], "referred_id": ["a"],
                              "referred_at": pd.to_datetime(["2026-01-01"])})
    english = referred_retention(None, referrals, orders, as_of="2026-10-01", inactivity_days=1000)
    german = referred_retention(None, referrals, orders, as_of="2026-10-01", inactivity_days=1000, lang="de")
    # nobody's first order is 1,000 days old: no customers to compare
    assert english.note == "no referred customers or no other customers to compare"
    assert german.note == "keine geworbenen oder keine anderen Kunden zum Vergleich"
    german = referred_retention(None, referrals, orders, as_of="2026-10-01", inactivity_days=90, lang="de")
    english = referred_retention(None, referrals, orders, as_of="2026-10-01", inactivity_days=90)
    assert english.note == "retained = an order in the 90 days before 2026-10-01; referred from referrals.referred_id"
    assert german.note == "noch aktiv = eine Bestellung in den 90 Tagen vor dem 2026-10-01; geworben laut " \
                          "referrals.referred_id"
    # the definition stays the registry's English text; a German report shows the registry's German one
    assert german.definition == english.definition
    assert german.definition_in("de").startswith("Anteil der zum Stichtag noch aktiven Kunden")
    no_source = referred_retention(None, referrals.drop(columns="referred_id"), orders, as_of="2026-10-01",
                                   inactivity_days=90, lang="de")
    assert no_source.note == "weder referred_id in den Empfehlungen noch acquisition_channel"
