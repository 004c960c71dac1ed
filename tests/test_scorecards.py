"""The scorecard: one row per KPI id, status against targets, change tests, honest no_data rows."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kit.data.config import AnalysisConfig
from kit.data.contract import LoyaltyData
from kit.data.periods import parse_period
from kit.definitions import KPI_IDS
from kit.errors import SmallSampleWarning
from kit.plan.scorecards import SCORECARD_COLUMNS, kpi_status, resolve_period, scorecard


def _config(**extra) -> AnalysisConfig:
    raw = {"business": {"name": "Test shop"},
           "data": {"tables": {"surveys": {"file": "/nonexistent/surveys.csv"}}},
           "targets": {"nps": {"target": 0}, "csat": {"target": 0.5}},
           "thresholds": {"min_n": 5}}
    raw.update(extra)
    return AnalysisConfig.model_validate(raw)


def _surveys() -> pd.DataFrame:
    # Q3 2026: 6 promoters, 2 passives, 2 detractors -> NPS 40; Q2: 3 promoters, 3 passives, 4 detractors -> -10
    q3 = [10, 10, 10, 9, 9, 9, 8, 7, 3, 0]
    q2 = [10, 9, 9, 8, 8, 7, 6, 5, 1, 0]
    return pd.DataFrame({
        "responded_at": pd.to_datetime(["2026-08-01"] * 10 + ["2026-05-01"] * 10),
        "nps": [float(x) for x in q3 + q2],
        "csat": [5.0] * 8 + [2.0] * 2 + [4.0] * 5 + [1.0] * 5,
    })


# --------------------------------------------------------------------------- status


@pytest.mark.parametrize("value, low, high, target, direction, expected", [
    (40, 35, 45, 30, "higher", "met"),           # whole interval above 30
    (40, 30, 45, 30, "higher", "met"),           # touching the target counts as reaching it
    (20, 10, 25, 30, "higher", "missed"),        # whole interval below 30
    (32, 25, 39, 30, "higher", "inconclusive"),  # straddles
    (0.05, 0.03, 0.07, 0.10, "lower", "met"),    # lower is better, interval below target
    (0.15, 0.12, 0.18, 0.10, "lower", "missed"),
    (0.11, 0.08, 0.14, 0.10, "lower", "inconclusive"),
    (7.0, math.nan, math.nan, 8, "lower", "met"),      # no interval: compare the value
    (9.0, math.nan, math.nan, 8, "lower", "missed"),
])
def test_kpi_status(value, low, high, target, direction, expected):
    assert kpi_status(value, low, high, n=100, target=target, direction=direction) == expected


def test_kpi_status_no_data_and_no_target():
    assert kpi_status(math.nan, math.nan, math.nan, n=0, target=30, direction="higher") == "no_data"
    assert kpi_status(40, 35, 45, n=0, target=30, direction="higher") == "no_data"
    assert kpi_status(40, 35, 45, n=10, target=None, direction="higher") == "no_target"


# --------------------------------------------------------------------------- periods


def test_resolve_period():
    data = LoyaltyData(surveys=_surveys())
    cfg = _config()
    # last answer 2026-08-01 -> Q3 not complete -> latest complete quarter 2026-Q2
    assert resolve_period(data, cfg, "latest").label == "2026-Q2"
    assert resolve_period(data, cfg, "2026-Q3").label == "2026-Q3"
    assert resolve_period(data, cfg, parse_period("2026-07")).label == "2026-07"


# --------------------------------------------------------------------------- the table


def test_scorecard_surveys_only():
    data = LoyaltyData(surveys=_surveys())
    with pytest.warns(SmallSampleWarning, match="nps"):
        card = scorecard(data, _config(thresholds={"min_n": 30}), period="2026-Q3")
    assert tuple(card.columns) == SCORECARD_COLUMNS
    assert tuple(card["kpi"]) == KPI_IDS
    row = card.set_index("kpi").loc["nps"]
    assert row["value"] == pytest.approx(40) and row["previous"] == pytest.approx(-10)
    assert row["change"] == pytest.approx(50) and row["n"] == 10 and row["period"] == "2026-Q3"
    # pooled under no change: Q3 6 promoters, 2 detractors; Q2 3 and 4 (of 10 each) -> p0 = 0.45, d0 = 0.30,
    # V0 = (0.75 - 0.15^2) (1/10 + 1/10) = 0.1455, z = 0.5 / sqrt(0.1455) = 1.3108
    z = 0.5 / math.sqrt((0.75 - 0.15**2) * 0.2)
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(z))
    assert row["target"] == 0
    # adjusted-Wald interval of NPS 40 with n 10 reaches below 0 -> inconclusive against target 0
    assert row["ci_low"] < 0 < row["ci_high"] and row["status"] == "inconclusive"
    csat_row = card.set_index("kpi").loc["csat"]
    # CSAT: Q3 8/10 = 0.8, Q2 5/10 = 0.5: 10 against 10 answers, Boschloo's exact test instead of the z-test
    assert csat_row["value"] == pytest.approx(0.8)
    assert csat_row["p_value"] == pytest.approx(stats.boschloo_exact([[8, 5], [2, 5]]).pvalue, abs=1e-9)
    others = card.set_index("kpi")
    assert others.loc["churn_rate", "status"] == "no_data"
    assert "no order data" in others.loc["churn_rate", "definition"]
    assert "no ticket data: service metrics skipped" in others.loc["first_response_hours", "definition"]
    assert others.loc["star_rating", "status"] == "no_data"
    assert "no 'rating' column" in others.loc["star_rating", "definition"]
    assert others.loc["ces", "status"] == "no_data"
    assert card.attrs["notes"]["response_rate"].startswith("no survey invitations")


def test_scorecard_german_and_no_target():
    card = scorecard(LoyaltyData(surveys=_surveys()), _config(targets={}), period="2026-Q3", lang="de")
    row = card.set_index("kpi").loc["nps"]
    assert row["status"] == "no_target" and math.isnan(row["target"])
    assert card.set_index("kpi").loc["at_risk_share", "label"] == "Anteil gefährdet (Sterne <= 3)"
    assert "keine Ticketdaten" in card.set_index("kpi").loc["sla_share", "definition"]


def test_scorecard_median_change_is_not_tested_and_says_so():
    opened = pd.to_datetime(["2026-08-03 10:00"] * 6 + ["2026-05-04 10:00"] * 6)
    tickets = pd.DataFrame({"ticket_id": [str(i) for i in range(12)], "opened_at": opened,
                            "first_response_at": opened + pd.to_timedelta([1, 2, 3, 4, 5, 6] * 2, unit="h"),
                            "is_complaint": [False] * 12})
    data = LoyaltyData(surveys=_surveys(), tickets=tickets)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        card = scorecard(data, _config(thresholds={"hours_basis": "calendar"}), period="2026-Q3")
    row = card.set_index("kpi").loc["first_response_hours"]
    assert row["value"] == 3.5 and row["change"] == 0 and math.isnan(row["p_value"])
    assert "a median has no standard error" in row["definition"]
    # complaint rate needs orders too
    assert "no order data" in card.set_index("kpi").loc["complaint_rate", "definition"]


def test_notes_are_written_in_the_scorecard_language():
    # the metric functions write their notes in the scorecard's language (no translation afterwards)
    opened = pd.to_datetime(["2026-08-03 10:00"] * 6 + ["2026-05-04 10:00"] * 6)
    tickets = pd.DataFrame({"ticket_id": [str(i) for i in range(12)], "opened_at": opened,
                            "first_response_at": opened + pd.to_timedelta([1, 2, 3, 4, 5, 6] * 2, unit="h"),
                            "is_complaint": [False] * 12})
    data = LoyaltyData(surveys=_surveys(), tickets=tickets)
    config = _config(thresholds={"hours_basis": "calendar"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        english = scorecard(data, config, period="2026-Q3").attrs["notes"]
        german = scorecard(data, config, period="2026-Q3", lang="de").attrs["notes"]
    # every answer within the SLA in both quarters: no variation to test
    assert english["sla_share"] == "SLA 24 calendar hours; change not tested: no variation in either period"
    assert german["sla_share"] == \
        "SLA 24 Kalenderstunden; Veränderung nicht getestet: in beiden Zeiträumen keine Streuung"
    assert english["first_response_hours"] == "calendar hours; change not tested: a median has no standard error"
    assert german["first_response_hours"] == \
        "Kalenderstunden; Veränderung nicht getestet: ein Median hat keinen Standardfehler"
    assert english["churn_rate"] == "no order data: behaviour and value metrics skipped"
    assert german["churn_rate"] == "keine Bestelldaten: Verhaltens- und Wertkennzahlen übersprungen"
    assert german["ces"] == "die Umfragetabelle hat keine Spalte 'ces'"
    assert german["response_rate"] == "keine Umfrageeinladungen (contacts): Rücklaufquote übersprungen"


def test_sample_scorecard_in_german_has_the_same_numbers_and_german_notes(sample_card, sample_data, sample_config):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        german = scorecard(sample_data, sample_config, lang="de")
    numbers = [c for c in SCORECARD_COLUMNS if c not in ("label", "definition")]
    pd.testing.assert_frame_equal(german[numbers], sample_card[numbers])
    notes = german.attrs["notes"]
    assert notes["complaint_rate"] == "201 Beschwerden, 4.232 Bestellungen"
    assert notes["churn_rate"] == "verloren = 180 Tage ohne Bestellung oder eine erfasste Kündigung"
    assert notes["clv_historical"] == ("Marge 35\u00a0% auf den Nettoumsatz, Bestellungen vor dem 2026-10-01; "
                                       "Veränderung nicht getestet: eine kumulierte Kennzahl bis heute überlappt "
                                       "den Wert der Vorperiode")
    assert sample_card.attrs["notes"]["complaint_rate"] == "201 complaints, 4232 orders"   # English as before
    for kpi, note in notes.items():   # each German note is in the definition after "Hinweis:"
        assert not note or german.set_index("kpi").loc[kpi, "definition"].endswith(f"Hinweis: {note}"), kpi


# --------------------------------------------------------------------------- the sample business


@pytest.fixture(scope="module")
def sample_card(sample_data, sample_config):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        return scorecard(sample_data, sample_config)


def test_sample_scorecard_lists_every_kpi_with_data(sample_card, sample_config):
    assert sample_card.attrs["period"] == "2026-Q3"          # orders end 2026-09-30
    assert tuple(sample_card["kpi"]) == KPI_IDS
    assert set(sample_card["status"]) <= {"met", "missed", "inconclusive", "no_target", "no_data"}
    card = sample_card.set_index("kpi")
    for kpi, row in card.iterrows():
        assert row["n"] > 0, kpi
        assert row["ci_low"] <= row["ci_high"], kpi
        assert not math.isnan(row["previous"]), kpi
        assert row["change"] == pytest.approx(row["value"] - row["previous"]), kpi
        target = sample_config.targets.get(kpi)
        if target is None:
            assert row["status"] == "no_target" and math.isnan(row["target"])
        else:
            assert row["target"] == target.target and row["status"] != "no_target"


def test_sample_planted_nps_drop_in_q3_is_detected(sample_card, sample_data):
    row = sample_card.set_index("kpi").loc["nps"]
    assert row["change"] < 0 and row["p_value"] < 0.05
    # the same z-test written out from the answers, variance pooled under no change:
    # NPS = 100 (p - d), V0 = [p0 + d0 - (p0 - d0)^2] (1/n3 + 1/n2)
    s = sample_data.surveys

    def parts(period: str) -> tuple[int, int, int]:
        answers = s.loc[parse_period(period).contains(s["responded_at"]), "nps"].dropna()
        return int((answers >= 9).sum()), int((answers <= 6).sum()), len(answers)

    (p3, d3, n3), (p2, d2, n2) = parts("2026-Q3"), parts("2026-Q2")
    nps3, nps2 = 100 * (p3 - d3) / n3, 100 * (p2 - d2) / n2
    p0, d0 = (p3 + p2) / (n3 + n2), (d3 + d2) / (n3 + n2)
    v0 = (p0 + d0 - (p0 - d0) ** 2) * (1 / n3 + 1 / n2)
    assert row["change"] == pytest.approx(nps3 - nps2)
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(abs(nps3 - nps2) / (100 * math.sqrt(v0))))
    # one of 15 change tests: Holm multiplies the smallest p by 15 at most (here 14: complaints come first)
    assert row["p_value"] < row["p_adjusted"] <= min(1.0, 15 * row["p_value"])


def test_sample_referred_customers_retain_better(sample_data, sample_config):
    from kit.metrics.advocacy import referred_retention

    r = referred_retention(sample_data.customers, sample_data.referrals, sample_data.orders,
                           as_of="2026-10-01", inactivity_days=sample_config.thresholds.inactivity_days)
    # planted: referred customers' churn hazard x 0.6 -> higher retention, clearly significant
    assert r.value > 0 and r.ci_low > 0 and r.extras["p_value"] < 0.01


def test_a_period_after_the_data_is_refused_and_an_incomplete_one_warns():
    from kit.data.contract import LoyaltyData
    from kit.errors import ConfigError, DataQualityWarning

    cfg = AnalysisConfig.model_validate({"business": {"name": "Shop"},
                                         "data": {"tables": {"orders": {"file": "/tmp/orders.csv"}}}})
    data = LoyaltyData(orders=pd.DataFrame({"order_date": pd.to_datetime(["2026-05-10", "2026-08-15"])}))
    # data end 2026-08-15: 2026-Q4 starts after it; 2026-Q3 ends 2026-09-30, after it (incomplete); Q2 is complete
    with pytest.raises(ConfigError, match=r"period 2026-Q4 starts after the data end \(2026-08-15\).*up to 2026-Q2"):
        resolve_period(data, cfg, "2026-Q4")
    with pytest.warns(DataQualityWarning, match="2026-Q3 is not complete in the data"):
        assert resolve_period(data, cfg, "2026-Q3").label == "2026-Q3"
    assert resolve_period(data, cfg, "2026-Q2").label == "2026-Q2"
    german = cfg.model_copy(update={"business": cfg.business.model_copy(update={"language": "de"})})
    with pytest.warns(DataQualityWarning, match=r"Zeitraum 2026-Q3 ist in den Daten nicht vollständig "
                                                r"\(sie enden am 15\.08\.2026\)"):
        resolve_period(data, german, "2026-Q3")


# --------------------------------------------------------------------------- change tests and multiplicity


def test_p_adjusted_is_holm_across_the_change_tests(sample_card):
    # the new column comes last; the raw p-values are unchanged next to it
    assert tuple(sample_card.columns)[-1] == "p_adjusted" and SCORECARD_COLUMNS[-1] == "p_adjusted"
    card = sample_card.set_index("kpi")
    family = card.drop(index="retention_rate")["p_value"].dropna().sort_values()
    m = len(family)
    # Holm by hand: the i-th smallest (0-based) times m - i, running maximum, capped at 1
    expected = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * family.to_numpy()))
    assert card.loc[family.index, "p_adjusted"].to_numpy() == pytest.approx(expected)
    assert card.loc["retention_rate", "p_adjusted"] == card.loc["churn_rate", "p_adjusted"]
    assert (card["p_adjusted"].dropna() >= card.loc[card["p_adjusted"].notna(), "p_value"]).all()
    assert "Holm" in sample_card.attrs["multiplicity"]


def test_cumulative_and_model_kpis_have_no_change_test(sample_card):
    card = sample_card.set_index("kpi")
    for kpi, reason in (("clv_historical", "cumulative"), ("clv_predicted", "share most of their data")):
        assert math.isnan(card.loc[kpi, "p_value"]) and math.isnan(card.loc[kpi, "p_adjusted"])
        assert "change not tested" in card.loc[kpi, "definition"] and reason in card.loc[kpi, "definition"]


def test_every_kpi_has_a_change_test_kind():
    from kit.definitions import CHANGE_TESTS
    from kit.plan._scorecard_kpis import CHANGE_TEST_KIND

    assert set(CHANGE_TEST_KIND) == set(KPI_IDS) and set(CHANGE_TEST_KIND.values()) <= set(CHANGE_TESTS)


def test_adjust_p_values_mirror_and_nan():
    from kit.plan._scorecard_kpis import adjust_p_values

    # family nps, churn (retention mirrors churn): m = 2 -> 0.01 x 2 = 0.02, then max(0.04, 0.02) = 0.04
    out = adjust_p_values(["nps", "churn_rate", "retention_rate", "clv_predicted"], [0.04, 0.01, 0.01, math.nan])
    assert out[:3] == pytest.approx([0.04, 0.02, 0.02]) and math.isnan(out[3])


def test_latest_never_picks_a_period_without_data_in_the_main_table():
    from kit.data.contract import LoyaltyData
    from kit.errors import DataQualityWarning

    cfg = AnalysisConfig.model_validate({"business": {"name": "Shop"},
                                         "data": {"tables": {"orders": {"file": "/tmp/orders.csv"}}}})
    # all orders fall in 2026-Q3, which the data do not complete (they end 2026-08-20): the latest complete
    # quarter, 2026-Q2, lies before all data; the run reports 2026-Q3, says why, and that it is incomplete
    data = LoyaltyData(orders=pd.DataFrame({"order_date": pd.to_datetime(["2026-07-02", "2026-08-20"])}))
    with pytest.warns(DataQualityWarning) as caught:
        assert resolve_period(data, cfg, "latest").label == "2026-Q3"
    messages = [str(w.message) for w in caught]
    assert any(m.startswith("the latest complete period 2026-Q2 has no rows in orders (order_date runs from "
                            "2026-07-02 to 2026-08-20): reporting 2026-Q3 instead") for m in messages)
    assert any("2026-Q3 is not complete in the data" for m in messages)
    # the main table ends a quarter before the surveys: latest is the last quarter with orders, not Q4
    data = LoyaltyData(orders=pd.DataFrame({"order_date": pd.to_datetime(["2026-05-10"])}),
                       surveys=pd.DataFrame({"responded_at": pd.to_datetime(["2026-12-31"]), "nps": [9.0]}))
    with pytest.warns(DataQualityWarning, match="2026-Q4 has no rows in orders.*reporting 2026-Q2 instead"):
        assert resolve_period(data, cfg, "latest").label == "2026-Q2"


def test_an_explicit_period_without_data_is_refused():
    from kit.data.contract import LoyaltyData
    from kit.errors import ConfigError

    cfg = AnalysisConfig.model_validate({"business": {"name": "Shop"},
                                         "data": {"tables": {"orders": {"file": "/tmp/orders.csv"}}}})
    data = LoyaltyData(orders=pd.DataFrame({"order_date": pd.to_datetime(["2026-05-10", "2026-08-15"])}))
    # 2025-Q4 lies before every order: nothing to report, as the README promises
    with pytest.raises(ConfigError, match=r"period 2025-Q4 has no rows in orders \(order_date runs from 2026-05-10 to "
                                          r"2026-08-15\).*e\.g\. 2026-Q3"):
        resolve_period(data, cfg, "2025-Q4")
