"""KPI gaps, evidence (kit.evidence) and evidence-scored action priorities (kit.actions)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kit.actions import prioritise_actions
from kit.config import AnalysisConfig
from kit.evidence import Evidence, gather_evidence, kpi_gaps, theme_stats
from test_lists import AS_OF, SAMPLE_AS_OF, _data  # the hand-built tables the lists are tested on


def _config(actions=(), *, pseudonymise_ids=False, targets=None, margin=0.3) -> AnalysisConfig:
    return AnalysisConfig.model_validate({
        "business": {"name": "Test shop"},
        "targets": targets or {"nps": {"target": 30}, "churn_rate": {"target": 0.10}, "csat": {"target": 0.80},
                               "star_rating": {"target": 4.3}, "referral_rate": {"target": 0.03}},
        "clv": {"margin": margin},
        "privacy": {"pseudonymise": pseudonymise_ids, "salt": "test-salt"},
        "actions": list(actions),
        "data": {"tables": {"orders": {"file": "/tmp/orders.csv"}}}})


# ---------------------------------------------------------------------------------------------
# KPI gaps


def _scorecard() -> pd.DataFrame:
    return pd.DataFrame({
        "kpi": ["nps", "churn_rate", "csat", "star_rating", "referral_rate", "aov_unknown", "nps"],
        "period": ["2026-Q3"] * 6 + ["2026-Q2"],
        "value": [24.0, 0.12, 0.85, 4.1, math.nan, 41.0, 10.0],
        "n": [400, 1000, 380, 350, 0, 900, 300],
        "target": [30.0, 0.10, 0.80, 4.3, 0.03, math.nan, 30.0],
        "status": ["missed", "missed", "met", "inconclusive", "no_data", "no_target", "missed"]})


def test_kpi_gaps_signs_severity_and_latest_period():
    gaps = kpi_gaps(_scorecard(), _config()).set_index("kpi")
    # nps: higher is better, gap = 30 - 24 = 6, relative 6/30 = 0.2, missed -> severity 0.2 (2026-Q3 row, not Q2)
    assert gaps.loc["nps", ["gap", "relative_gap", "severity"]].tolist() == pytest.approx([6, 0.2, 0.2])
    # churn: lower is better, gap = 0.12 - 0.10 = 0.02, relative 0.2, severity 0.2
    assert gaps.loc["churn_rate", ["gap", "relative_gap", "severity"]].tolist() == pytest.approx([0.02, 0.2, 0.2])
    # csat met: gap = 0.80 - 0.85 = -0.05 (better than target), severity 0
    assert gaps.loc["csat", "gap"] == pytest.approx(-0.05) and gaps.loc["csat", "severity"] == 0
    # stars inconclusive: gap 0.2, relative 0.2/4.3 = 0.04651, half weight -> 0.02326
    assert gaps.loc["star_rating", "severity"] == pytest.approx(0.2 / 4.3 / 2)
    assert gaps.loc["referral_rate", "severity"] == 0 and math.isnan(gaps.loc["referral_rate", "gap"])
    assert "aov_unknown" not in gaps.index  # no target anywhere
    assert gaps.index.tolist()[:2] == ["churn_rate", "nps"]  # severity desc (0.2 = 0.2), then kpi id


def test_kpi_gaps_takes_missing_target_from_config_and_caps_severity():
    sc = pd.DataFrame({"kpi": ["nps"], "value": [-30.0], "n": [100], "target": [math.nan], "status": ["missed"]})
    gaps = kpi_gaps(sc, _config())
    # target 30 from config; gap 60, relative 2.0 -> severity capped at 1
    assert gaps.loc[0, "target"] == 30 and gaps.loc[0, "relative_gap"] == pytest.approx(2.0)
    assert gaps.loc[0, "severity"] == 1.0


# ---------------------------------------------------------------------------------------------
# scoring

ACTIONS = [
    {"id": "fast", "title": "Faster delivery", "title_de": "Schneller liefern", "effort": 2,
     "addresses": {"kpis": ["nps"], "drivers": ["driver_delivery"], "themes": ["delivery"],
                   "complaint_categories": ["delivery"]}},
    {"id": "cheap", "title": "Explain prices", "effort": 1,
     "addresses": {"drivers": ["driver_price"], "themes": ["price"]}},
    {"id": "advocacy", "title": "Referral programme", "effort": 1, "addresses": {"segments": ["advocates"]}},
    {"id": "ghost", "title": "Fix the app", "effort": 1,
     "addresses": {"drivers": ["driver_app"], "themes": ["app"], "complaint_categories": ["app"]}},
]


def _evidence(**overrides) -> Evidence:
    drivers = pd.DataFrame({"driver": ["driver_delivery", "driver_price"], "importance": [0.6, 0.4],
                            "ci_low": [0.5, 0.2], "ci_high": [0.7, 0.6], "rank": [1, 2]})
    # 10 texts: delivery negative in texts 1-4 (and positive in 5), price negative in texts 6-7
    coded = pd.DataFrame({"text_id": [1, 2, 3, 4, 5, 6, 7, 1],
                          "theme": ["delivery"] * 5 + ["price", "price", "delivery"],
                          "polarity": ["negative"] * 4 + ["positive", "negative", "negative", "negative"]})
    complaints = pd.DataFrame({"category": ["delivery", "billing"], "complaints": [30, 10]})
    kwargs = dict(scorecard=_scorecard(), config=_config(), drivers=drivers, driver_n=200, coded=coded,
                  n_texts=10, complaints=complaints)
    kwargs.update(overrides)
    return gather_evidence(**kwargs)


def test_theme_stats_by_hand():
    coded = pd.DataFrame({"text_id": [1, 1, 2, 3], "theme": ["a", "a", "a", "b"],
                          "polarity": ["negative", "negative", "positive", "neutral"]})
    stats = theme_stats(coded, n_texts=8).set_index("theme")
    # theme a: texts 1, 2 mention it (2 mentions), text 1 negatively (twice, counted once) -> 1/8 of texts
    assert stats.loc["a", ["mentions", "negative", "negativity", "negative_share"]].tolist() == [2, 1, 0.5, 0.125]
    assert stats.loc["b", "negative"] == 0


def test_scores_by_hand():
    plan = prioritise_actions(_config(ACTIONS), _evidence()).set_index("action_id")
    # Evidence kinds present: kpi, driver, theme, complaints (no customer values) -> impact = sum / 4.
    # fast: kpi 0.2 (nps severity), driver 0.6, theme 4/10 = 0.4, complaints 30/40 = 0.75 -> impact 1.95/4 = 0.4875
    #   confidences: kpi min(1, 400/30) = 1; driver 1 - half-width/importance = 1 - 0.1/0.6 = 0.83333
    #   (n 200 >= 100); theme 4 negative texts / 30 = 0.13333; complaints 30/30 = 1
    #   confidence = (0.2*1 + 0.6*0.83333 + 0.4*0.13333 + 0.75*1) / 1.95 = 1.50333/1.95 = 0.77094
    #   score = 0.4875 * 0.77094 / 2 = 0.18792
    fast = plan.loc["fast"]
    assert fast[["impact_kpi", "impact_driver", "impact_theme", "impact_complaints", "impact_value"]].tolist() \
        == pytest.approx([0.2, 0.6, 0.4, 0.75, 0.0])
    assert fast["impact"] == pytest.approx(0.4875)
    assert fast["confidence_driver"] == pytest.approx(1 - 0.1 / 0.6)
    assert fast["confidence"] == pytest.approx(1.503333333 / 1.95)
    assert fast["score"] == pytest.approx(0.18792, abs=1e-5)
    # cheap: driver 0.4 (conf 1 - 0.2/0.4 = 0.5), theme 2/10 = 0.2 (conf 2/30) -> impact 0.6/4 = 0.15
    #   confidence = (0.4*0.5 + 0.2*0.066667)/0.6 = 0.355556; score = 0.15 * 0.355556 / 1 = 0.053333
    assert plan.loc["cheap", "score"] == pytest.approx(0.15 * (0.2 + 0.2 * 2 / 30) / 0.6)
    assert plan.loc["advocacy", "score"] == 0 and "no segment evidence" in plan.loc["advocacy", "notes"]
    assert plan.loc["ghost", "score"] == 0
    assert plan.loc["ghost", "notes"] == ("driver 'driver_app' not in the evidence; theme 'app' not in the "
                                          "evidence; complaint category 'app' not in the evidence")
    assert plan["rank"].tolist() == [1, 2, 3, 4]
    assert plan.index.tolist() == ["fast", "cheap", "advocacy", "ghost"]  # 0-score tie: effort 1 each, then id
    assert fast["why"] == ("delivery: 75 % of complaints, strongest NPS driver (60 % of R², 95 % CI 50–70 %), "
                           "mentioned negatively in 40 % of coded texts, Net Promoter Score 24.0 vs target 30.0")
    de = prioritise_actions(_config(ACTIONS), _evidence(), lang="de").set_index("action_id")
    assert de.loc["fast", "title"] == "Schneller liefern" and "der Beschwerden" in de.loc["fast", "why"]
    assert de.loc["cheap", "title"] == "Explain prices"  # no German title: English one
    assert de.loc["fast", "why"].endswith("Net Promoter Score 24,0 statt Ziel 30,0")  # decimal comma


def test_tie_breaking_effort_then_id():
    same = {"drivers": ["driver_price"]}
    actions = [{"id": "zeta", "title": "Z", "effort": 1, "addresses": same},
               {"id": "alpha", "title": "A", "effort": 2, "addresses": same},
               {"id": "beta", "title": "B", "effort": 1, "addresses": same}]
    # beta and zeta tie exactly (same evidence, effort 1): id order; alpha has half their score
    plan = prioritise_actions(_config(actions), _evidence())
    assert plan["action_id"].tolist() == ["beta", "zeta", "alpha"]
    # equal score but different effort: a 0-score tie is broken by effort first
    zero = [{"id": "a", "title": "A", "effort": 3}, {"id": "b", "title": "B", "effort": 1}]
    assert prioritise_actions(_config(zero), _evidence())["action_id"].tolist() == ["b", "a"]


def test_missing_evidence_scores_zero_with_notes():
    ev = gather_evidence()
    assert "no driver analysis: no survey drivers" in ev.notes and ev.available() == []
    plan = prioritise_actions(_config(ACTIONS), ev)
    assert (plan["score"] == 0).all()
    assert "no driver evidence" in plan.set_index("action_id").loc["fast", "notes"]
    assert plan["action_id"].tolist() == ["advocacy", "cheap", "ghost", "fast"]  # effort 1 (by id), then 2
    assert prioritise_actions(_config(), ev).empty


def test_value_at_risk_component_counts_each_customer_once():
    tickets = pd.DataFrame({"customer_id": ["A", "A", "B", "C"], "category": ["delivery", "delivery", "billing",
                                                                             "delivery"],
                            "is_complaint": [True, True, True, False], "opened_at": pd.Timestamp("2026-09-01")})
    surveys = pd.DataFrame({"customer_id": ["A", "D", "D"], "responded_at": pd.to_datetime(
        ["2026-08-01", "2026-07-01", "2026-09-01"]), "driver_delivery": [1.0, 1.0, 4.0]})
    values = pd.DataFrame({"customer_id": ["A", "B", "C", "D", "E"], "value_at_risk": [50.0, 20.0, 10.0, 15.0, 5.0]})
    ev = _evidence(tickets=tickets, surveys=surveys, customer_values=values)
    plan = prioritise_actions(_config(ACTIONS), ev).set_index("action_id")
    # fast touches A (delivery complaint and driver rating 1); C's ticket is no complaint; D's latest rating is 4.
    # A counted once: 50 / total 100 = 0.5
    assert plan.loc["fast", "impact_value"] == pytest.approx(0.5)
    assert plan.loc["fast", "confidence_value"] == pytest.approx(1 / 30)
    assert ev.available() == ["kpi", "driver", "theme", "complaints", "value"]
    assert plan.loc["fast", "impact"] == pytest.approx((0.2 + 0.6 + 0.4 + 0.75 + 0.5) / 5)


def test_same_order_twice_and_with_shuffled_rows():
    rng = np.random.default_rng(11)
    n = 400
    surveys = pd.DataFrame({"customer_id": [f"K{i}" for i in range(n)],
                            "responded_at": pd.Timestamp("2026-09-01") + pd.to_timedelta(rng.integers(0, 20, n), "D"),
                            "driver_delivery": rng.integers(1, 6, n).astype(float),
                            "driver_price": rng.integers(1, 6, n).astype(float)})
    surveys["nps"] = np.clip(np.round(surveys.driver_delivery * 1.5 + surveys.driver_price * 0.5
                                      + rng.normal(0, 1.5, n)), 0, 10)
    tickets = pd.DataFrame({"customer_id": surveys.customer_id.sample(120, random_state=1).to_numpy(),
                            "category": rng.choice(["delivery", "billing", "product"], 120),
                            "is_complaint": True, "opened_at": pd.Timestamp("2026-09-01")})
    coded = pd.DataFrame({"text_id": rng.integers(0, 80, 200), "theme": rng.choice(["delivery", "price"], 200),
                          "polarity": rng.choice(["negative", "positive"], 200)})
    values = pd.DataFrame({"customer_id": surveys.customer_id, "value_at_risk": rng.gamma(2, 20, n)})
    actions = ACTIONS + [{"id": "fast2", "title": "Same as fast", "effort": 2,
                          "addresses": ACTIONS[0]["addresses"]}]

    def plan(shuffle: int | None) -> pd.DataFrame:
        def mix(f: pd.DataFrame) -> pd.DataFrame:
            return f if shuffle is None else f.sample(frac=1, random_state=shuffle)
        from kit.drivers import KeyDrivers
        s = mix(surveys)
        kd = KeyDrivers(n_boot=100, seed=0).fit(s, outcome="nps", drivers=["driver_delivery", "driver_price"])
        counts = mix(tickets).groupby("category").size().rename("complaints").reset_index()
        ev = gather_evidence(scorecard=mix(_scorecard()), config=_config(), drivers=kd, coded=mix(coded),
                             n_texts=80, complaints=counts, customer_values=mix(values), surveys=s,
                             tickets=mix(tickets))
        return prioritise_actions(_config(actions), ev)

    first, again, shuffled = plan(None), plan(None), plan(7)
    pd.testing.assert_frame_equal(first, again)
    assert first["action_id"].tolist() == shuffled["action_id"].tolist()
    assert first["action_id"].tolist()[:2] == ["fast", "fast2"]  # exact tie broken by id
    # point parts of the score do not depend on row order; confidence_driver uses the bootstrap interval,
    # whose resamples depend on the row order, so only the remaining columns are compared exactly
    cols = ["impact_kpi", "impact_driver", "impact_theme", "impact_complaints", "impact_value", "impact"]
    np.testing.assert_allclose(first[cols].to_numpy(float), shuffled[cols].to_numpy(float), atol=1e-12)


def test_impact_effort_plot_places_each_action():
    from kit.plots.actions import plot_impact_effort

    plan = prioritise_actions(_config(ACTIONS), _evidence())
    ax = plot_impact_effort(plan, lang="de")
    offsets = ax.collections[0].get_offsets()
    assert offsets[:, 0].tolist() == plan["effort"].astype(float).tolist()
    assert offsets[:, 1].tolist() == pytest.approx(plan["impact"].tolist())
    assert ax.texts[0].get_text() == "1. fast" and ax.get_xlabel().startswith("Aufwand")


# ---------------------------------------------------------------------------------------------
# the sample business (planted effect: delivery is the biggest problem)


def _optional(module: str, name: str):
    """A sibling function, or None when its module is not there yet (that part of the evidence is skipped)."""
    import importlib

    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


@pytest.fixture(scope="module")
def sample_evidence(sample_data, sample_config):
    from kit.drivers import KeyDrivers

    skipped = []
    surveys = sample_data.surveys
    drivers = sorted(c for c in surveys.columns if c.startswith("driver_"))
    kd = KeyDrivers(n_boot=300, seed=0).fit(surveys, outcome="nps", drivers=drivers)
    scorecard = _optional("kit.scorecards", "scorecard")
    sc = scorecard(sample_data, sample_config, period="latest") if scorecard else skipped.append("scorecard")
    by_category = _optional("kit.metrics.service", "complaints_by_category")
    complaints = (by_category(sample_data.tickets, sample_data.orders) if by_category
                  else skipped.append("complaints_by_category"))
    customer_value = _optional("kit.clv", "customer_value")
    values = (customer_value(sample_data.orders, as_of=SAMPLE_AS_OF, settings=sample_config.clv)
              if customer_value else skipped.append("customer_value"))
    code_texts = _optional("kit.interviews", "code_texts") or _optional("kit.codebook", "code_texts")
    read_codebook = _optional("kit.interviews", "read_codebook") or _optional("kit.codebook", "read_codebook")
    coded, n_texts = None, None
    if code_texts and read_codebook and sample_config.data.codebook is not None:
        detractors = surveys[(surveys["nps"] <= 6) & surveys["comment"].fillna("").astype(str).str.strip().ne("")]
        coded = code_texts(detractors, read_codebook(sample_config.data.codebook), column="comment",
                           id_column="response_id")
        n_texts = len(detractors)
    else:
        skipped.append("code_texts")
    ev = gather_evidence(scorecard=sc, config=sample_config, drivers=kd, coded=coded, n_texts=n_texts,
                         theme_base="detractor comments", complaints=complaints, customer_values=values,
                         surveys=surveys, tickets=sample_data.tickets, data=sample_data, as_of=SAMPLE_AS_OF)
    return ev, skipped


def test_sample_biggest_problem_ranks_first(sample_config, sample_evidence):
    ev, skipped = sample_evidence
    plan = prioritise_actions(sample_config, ev)
    # measured (sample as of 02:05 UTC, all five kinds of evidence, segments included): faster-delivery 0.158,
    # price-transparency 0.132, referral-programme 0.089, ...; delivery leads on driver share (53 %),
    # complaints (47 %) and negative detractor comments (54 %)
    assert plan["action_id"].iloc[0] == "faster-delivery", (plan[["action_id", "score"]], skipped)
    top = plan.iloc[0]
    assert top["impact_driver"] == max(plan["impact_driver"]) and top["impact_complaints"] == max(
        plan["impact_complaints"])
    assert top["why"].startswith("delivery:") and "strongest NPS driver" in top["why"]
    assert plan["rank"].tolist() == list(range(1, len(sample_config.actions) + 1))
    assert plan["notes"].eq("").all(), plan["notes"]  # every reference of the sample catalogue has evidence


def test_segments_from_the_lists_feed_the_value_component():
    values = pd.DataFrame({"customer_id": list("ABCDEFG"), "p_alive": [0.9, 0.8, 0.1, 0.1, 0.9, 0.3, 0.9],
                           "value_at_risk": [10.0, 20.0, 5.0, 40.0, 15.0, 6.0, 4.0]})
    actions = [{"id": "win", "title": "Win back", "addresses": {"segments": ["lapsed"]}},
               {"id": "refer", "title": "Refer", "addresses": {"segments": ["advocates"]}},
               {"id": "watch", "title": "Call", "addresses": {"segments": ["at_risk"]}}]
    ev = gather_evidence(customer_values=values, data=_data(), config=_config(), as_of=AS_OF)
    plan = prioritise_actions(_config(actions), ev).set_index("action_id")
    # total value at risk 100. lapsed = C (exited), D (inactive) -> 45; advocates = E, G -> 19;
    # at risk = A, B (detractor/complaint), F (P(alive) 0.3 < 0.5) -> 36
    assert plan["impact_value"].to_dict() == pytest.approx({"win": 0.45, "refer": 0.19, "watch": 0.36})
    assert plan.loc["win", "impact"] == pytest.approx(0.45)  # value is the only kind of evidence


def test_small_driver_analysis_lowers_confidence_and_evidence_presents_itself():
    plan = prioritise_actions(_config(ACTIONS), _evidence(driver_n=50)).set_index("action_id")
    # precision 1 - 0.1/0.6 = 0.8333 times the sample-size factor 50/100
    assert plan.loc["fast", "confidence_driver"] == pytest.approx((1 - 0.1 / 0.6) * 0.5)
    ev = _evidence()
    assert isinstance(ev, Evidence)
    assert repr(ev) == ("Evidence(available: kpi, driver, theme, complaints; "
                        "no value at risk: no customer values)")
    frame = ev.to_frame().set_index("component")
    assert frame["rows"].to_dict() == {"kpi": 5, "driver": 2, "theme": 2, "complaints": 2, "value": 0}


def test_component_weights():
    # weights kpi 0, driver 2, others 1 over kpi/driver/theme/complaints. fast: impacts 0.2, 0.6, 0.4, 0.75
    # impact = (0*0.2 + 2*0.6 + 0.4 + 0.75) / (0 + 2 + 1 + 1) = 2.35 / 4 = 0.5875
    # confidence = (2*0.6*0.83333 + 0.4*0.13333 + 0.75*1) / 2.35 = (1.0 + 0.053333 + 0.75) / 2.35 = 0.767376
    plan = prioritise_actions(_config(ACTIONS), _evidence(), weights={"kpi": 0, "driver": 2}).set_index("action_id")
    assert plan.loc["fast", "impact"] == pytest.approx(0.5875)
    assert plan.loc["fast", "confidence"] == pytest.approx(1.803333333 / 2.35)
    assert plan.loc["fast", "score"] == pytest.approx(0.5875 * 1.803333333 / 2.35 / 2)
    with pytest.raises(ValueError, match="unknown impact component"):
        prioritise_actions(_config(ACTIONS), _evidence(), weights={"drivers": 1})


def test_impact_effort_plot_of_an_empty_plan():
    from kit.plots.actions import plot_impact_effort

    ax = plot_impact_effort(prioritise_actions(_config(), gather_evidence()))
    assert len(ax.collections[0].get_offsets()) == 0
