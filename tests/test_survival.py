"""Survival: lifetime table by hand, Kaplan-Meier against a naive product-limit oracle and Greenwood
by hand, log-rank by hand, Cox on simulated data with a known hazard ratio."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kit.data.config import AnalysisConfig
from kit.data.contract import LoyaltyData
from kit.errors import ModelFitError
from kit.models._survival_cox import _concordance
from kit.models.survival import CoxChurnModel, KaplanMeier, lifetime_table, logrank_test
from kit.report.plots.behaviour import plot_survival

T = pd.Timestamp


def _cfg(days: int) -> AnalysisConfig:
    return AnalysisConfig.model_validate({"business": {"name": "Shop"}, "thresholds": {"inactivity_days": days},
                                          "data": {"tables": {"orders": {"file": "/tmp/orders.csv"}}}})


@pytest.fixture
def data() -> LoyaltyData:
    orders = pd.DataFrame({
        "order_id": [str(i) for i in range(8)],
        "customer_id": ["a", "a", "b", "b", "c", "d", "e", None],
        "order_date": pd.to_datetime(["2026-01-01", "2026-01-20", "2026-01-10", "2026-03-15", "2026-03-10",
                                      "2026-02-01", "2026-04-05", "2026-01-01"]),
        "revenue": 10.0})
    customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
                              "segment": ["Abo", "Einzelkauf", "Abo", "Einzelkauf"],
                              "acquisition_channel": ["Empfehlung", "Web", "Web", "Web"]})
    exits = pd.DataFrame({"customer_id": ["d", "z"], "exit_date": pd.to_datetime(["2026-02-10", "2026-01-05"])})
    referrals = pd.DataFrame({"referrer_id": ["a"], "referred_id": ["c"], "referred_at": [T("2026-03-09")]})
    tickets = pd.DataFrame({
        "ticket_id": ["t1", "t2", "t3", "t4", "t5"],
        "customer_id": ["a", "b", "b", "c", "d"],
        "opened_at": [T("2026-01-05 10:00"), T("2026-01-15 09:00"), T("2026-03-01 09:00"),
                      T("2026-03-31 20:00"), T("2026-02-05 09:00")],
        "first_response_at": [T("2026-01-06 12:00"), T("2026-01-15 11:00"), T("2026-03-04 09:00"), pd.NaT, pd.NaT]})
    surveys = pd.DataFrame({"customer_id": ["a", "b", "b", "d"],
                            "responded_at": pd.to_datetime(["2026-01-10", "2026-03-01", "2026-01-12", "2026-02-02"]),
                            "rating": [5.0, 5.0, 3.0, 4.0]})
    return LoyaltyData(customers=customers, orders=orders, exits=exits, referrals=referrals, tickets=tickets,
                       surveys=surveys)


def test_lifetime_table_final_loss_by_hand(data):
    # inactivity 30 d, as_of 2026-04-01 (exclusive), loss = "final" (no order after the loss):
    # a: 01-01, 01-20 -> lost 01-20 + 30 = 02-19; 49 days, churned
    # b: 01-10, 03-15 -> 03-15 + 30 = 04-14 is after as_of: censored, 01-10 -> 04-01 = 21 + 29 + 31 = 81 days
    # c: 03-10 -> censored at 04-01, 22 days; d: 02-01, exit 02-10 (after the last order) -> 9 days
    t = lifetime_table(data, _cfg(30), as_of="2026-04-01").set_index("customer_id")
    assert t["duration_days"].tolist() == [49.0, 81.0, 22.0, 9.0]
    assert t["churned"].tolist() == [True, False, False, True]
    assert t["n_orders"].tolist() == [2, 2, 1, 1]
    # b now followed to 04-01: t3 (03-01, answered after 72 h) counts -> slow; its 5-star answer (03-01) too
    assert t["n_tickets"].tolist() == [1, 2, 1, 1]
    assert t["slow_first_response"].tolist() == [True, True, False, True]
    # the day each became slow = opening of the first late-answered ticket + 24 h, from the first order:
    # a t1 01-05 10:00 -> 01-06 10:00 = 5 d 10 h; b t3 03-01 09:00 -> 03-02 09:00 = 51 d 9 h from 01-10;
    # d t5 02-05 09:00 -> 02-06 09:00 = 5 d 9 h from 02-01; c never
    np.testing.assert_allclose(t["slow_first_response_day"], [5 + 10 / 24, 51 + 9 / 24, np.nan, 5 + 9 / 24])
    assert t.attrs["time_varying"] == {"slow_first_response": "slow_first_response_day"}
    assert t["five_star"].tolist() == [True, True, False, False]
    assert t["mean_rating"]["b"] == 4.0  # (5 + 3) / 2


def test_slow_first_response_threshold_comes_from_the_configuration(data):
    # thresholds.slow_response_hours = 48 (calendar): a's t1 was answered after 26 h -> no longer slow;
    # b's t3 after 72 h stays slow, from 03-01 09:00 + 48 h = 03-03 09:00 = 52 d 9 h after 01-10;
    # d's t5 is unanswered and 48 h passed before its exit (02-10): slow from 02-07 09:00 = 6 d 9 h
    cfg = AnalysisConfig.model_validate({"business": {"name": "Shop"},
                                         "thresholds": {"inactivity_days": 30, "slow_response_hours": 48},
                                         "data": {"tables": {"orders": {"file": "/tmp/orders.csv"}}}})
    t = lifetime_table(data, cfg, as_of="2026-04-01").set_index("customer_id")
    assert t["slow_first_response"].tolist() == [False, True, False, True]
    np.testing.assert_allclose(t["slow_first_response_day"], [np.nan, 52 + 9 / 24, np.nan, 6 + 9 / 24])
    assert _cfg(30).thresholds.slow_response_hours == 24   # the default: 24 calendar hours
    assert t.attrs["loss"] == "final"
    with pytest.raises(ValueError, match="loss"):
        lifetime_table(data, _cfg(30), as_of="2026-04-01", loss="last")


def test_lifetime_table_first_loss_by_hand(data):
    # inactivity 30 d, as_of 2026-04-01 (exclusive), loss = "first":
    # a: 01-01, 01-20 (gap 19) -> lost 01-20 + 30 = 02-19; 49 days, churned
    # b: 01-10, 03-15 (gap 64 >= 30) -> first loss 01-10 + 30 = 02-09; 30 days, churned
    # c: 03-10 -> loss 04-09 is after as_of: censored at 04-01, 22 days
    # d: 02-01, exit 02-10 -> 9 days, churned; e orders after as_of (left out); z has an exit but no order
    t = lifetime_table(data, _cfg(30), as_of="2026-04-01", loss="first").set_index("customer_id")
    assert list(t.index) == ["a", "b", "c", "d"]
    assert t["duration_days"].tolist() == [49.0, 30.0, 22.0, 9.0]
    assert t["churned"].tolist() == [True, True, False, True]
    assert t["end"].dt.strftime("%m-%d").tolist() == ["02-19", "02-09", "04-01", "02-10"]
    assert t["n_orders"].tolist() == [2, 1, 1, 1]
    assert t["segment"].tolist() == ["Abo", "Einzelkauf", "Abo", "Einzelkauf"]
    # referred: a by channel "Empfehlung", c as referred_id
    assert t["referred"].tolist() == [True, False, True, False]
    # tickets before the end: a t1 (26 h -> slow); b t2 (2 h; t3 after b's loss 02-09 is ignored);
    # c t4 unanswered but only 4 h before as_of (not slow); d t5 unanswered, 5 days before its exit (slow)
    assert t["n_tickets"].tolist() == [1, 1, 1, 1]
    assert t["slow_first_response"].tolist() == [True, False, False, True]
    # ratings before the end: a 5; b 3 (the 5 on 03-01 is after its loss); c none; d 4
    assert t["five_star"].tolist() == [True, False, False, False]
    assert t["mean_rating"].tolist()[:2] == [5.0, 3.0] and math.isnan(t["mean_rating"]["c"])


def test_lifetime_table_optional_tables(data):
    bare = LoyaltyData(orders=data.orders)
    t = lifetime_table(bare, _cfg(30), as_of="2026-04-01")
    assert list(t.columns) == ["customer_id", "start", "end", "duration_days", "churned", "n_orders"]
    # without exits d is lost by inactivity: 02-01 + 30 = 03-03 -> 30 days
    assert t.set_index("customer_id").loc["d", "duration_days"] == 30.0
    assert lifetime_table(bare, _cfg(30), as_of="2020-01-01").empty
    # a gap of exactly the inactivity days: 01-01, 01-31 (30 d) -> "first" loss on 01-31 (30 days);
    # "final" loss 01-31 + 30 = 03-02 (60 days), not the 01-31 moment the order itself ended
    exact = LoyaltyData(orders=pd.DataFrame({"order_id": ["1", "2"], "customer_id": ["x", "x"], "revenue": 1.0,
                                             "order_date": pd.to_datetime(["2026-01-01", "2026-01-31"])}))
    assert lifetime_table(exact, _cfg(30), as_of="2026-04-01", loss="first")["duration_days"].tolist() == [30.0]
    assert lifetime_table(exact, _cfg(30), as_of="2026-04-01")["duration_days"].tolist() == [60.0]
    assert lifetime_table(LoyaltyData(surveys=data.surveys), _cfg(30), as_of="2026-04-01").empty


def _naive_km(time: np.ndarray, event: np.ndarray) -> dict[float, tuple[float, float, int]]:
    """Product-limit estimate and Greenwood variance, written out: time -> (S, var S, at risk)."""
    out, s, green = {}, 1.0, 0.0
    for t in sorted(set(time[event.astype(bool)])):
        n = int(np.sum(time >= t))
        d = int(np.sum((time == t) & event.astype(bool)))
        s *= 1 - d / n
        if n > d:
            green += d / (n * (n - d))
        out[t] = (s, s * s * green, n)
    return out


def test_kaplan_meier_matches_naive_oracle():
    rng = np.random.default_rng(3)
    time = rng.integers(1, 40, 150).astype(float)  # many ties
    event = rng.random(150) < 0.7
    group = np.where(rng.random(150) < 0.5, "Abo", "Einzelkauf")
    km = KaplanMeier().fit(time, event, group)
    sf = km.survival_function_
    for name in ("Abo", "Einzelkauf"):
        mask = group == name
        oracle = _naive_km(time[mask], event[mask])
        curve = sf[(sf.group == name) & (sf.time > 0)].set_index("time")
        assert list(curve.index) == sorted(oracle)
        assert curve["survival"].to_numpy() == pytest.approx([v[0] for v in oracle.values()])
        assert curve["at_risk"].tolist() == [v[2] for v in oracle.values()]
        # the median: first time the oracle curve is <= 0.5
        first_below = min((t for t, v in oracle.items() if v[0] <= 0.5), default=math.nan)
        assert km.median_[name] == pytest.approx(first_below, nan_ok=True)
    assert km.summary["n"].sum() == 150 and set(km.summary["group"]) == {"Abo", "Einzelkauf"}


def test_kaplan_meier_band_greenwood_by_hand():
    # times 1, 2, 2+, 3, 4+, 5 (+ = censored). At t = 1: n 6, d 1 -> S = 5/6;
    # Greenwood sum = 1/(6*5) = 1/30, sigma = sqrt(1/30) = 0.182574; log S = -0.182322
    # log-log band: S^exp(+-1.959964 * 0.182574 / 0.182322) = S^exp(+-1.962680)
    # low = (5/6)^7.118377 = exp(-0.182322 * 7.118377) = exp(-1.297834) = 0.273123
    # high = (5/6)^0.140481 = exp(-0.025613) = 0.974712
    km = KaplanMeier().fit([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
    row = km.survival_function_.set_index("time").loc[1.0]
    assert row["survival"] == pytest.approx(5 / 6)
    assert row["ci_low"] == pytest.approx(0.273123, abs=1e-5)
    assert row["ci_high"] == pytest.approx(0.974712, abs=1e-5)
    assert row["at_risk"] == 6
    # time 0 row and the final drop to 0 (no band left)
    sf = km.survival_function_
    assert sf.iloc[0][["time", "survival", "ci_low", "ci_high"]].tolist() == [0.0, 1.0, 1.0, 1.0]
    assert sf.iloc[-1][["survival", "ci_low"]].tolist() == [0.0, 0.0]
    assert km.median_["all"] == 3.0  # S(2) = 2/3, S(3) = 4/9 <= 0.5
    assert km.survival_at(2.5)["survival"].iloc[0] == pytest.approx(2 / 3)


def test_kaplan_meier_no_median_and_errors():
    km = KaplanMeier().fit([1, 2, 3, 4], [1, 0, 0, 0])  # S falls to 0.75 only
    assert math.isnan(km.median_["all"]) and math.isnan(km.summary["median_ci_low"].iloc[0])
    with pytest.raises(ValueError, match="negative"):
        KaplanMeier().fit([-1, 2], [1, 1])
    with pytest.raises(ValueError, match="no lifetimes"):
        KaplanMeier().fit([np.nan], [1])


def test_logrank_by_hand():
    # a: 1, 2, 3 (events); b: 4, 5 (events), 6 (censored)
    # t=1: n 6, n_a 3 -> E_a .5, V = 3*3*1*5/(36*5) = .25; t=2: n 5, n_a 2 -> E .4, V = 2*3*4/(25*4) = .24
    # t=3: n 4, n_a 1 -> E .25, V = 1*3*3/(16*3) = .1875; t=4, 5: n_a 0.
    # O_a - E_a = 3 - 1.15 = 1.85; chi2 = 1.85^2 / .6775 = 5.0517; p = P(chi2_1 > 5.0517) = 0.02459
    r = logrank_test([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 0], ["a", "a", "a", "b", "b", "b"])
    assert r.statistic == pytest.approx(5.0517, abs=1e-4)
    assert r.p_value == pytest.approx(0.02459, abs=1e-4)
    assert (r.df, r.n, r.groups) == (1, 6, ("a", "b"))
    assert r.to_frame().columns.tolist() == ["statistic", "df", "p_value", "n", "groups"]
    with pytest.raises(ValueError, match="two groups"):
        logrank_test([1, 2], [1, 1], ["a", "a"])


def _simulate(n: int, hr: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    slow = rng.random(n) < 0.4
    segment = rng.choice(["Abo", "Einzelkauf", "Probe"], size=n, p=[0.5, 0.3, 0.2])
    seg_hr = np.select([segment == "Einzelkauf", segment == "Probe"], [1.5, 0.7], 1.0)
    lifetime = rng.exponential(300 / (np.where(slow, hr, 1.0) * seg_hr))
    censor = rng.uniform(100, 900, n)
    return pd.DataFrame({"duration_days": np.minimum(lifetime, censor), "churned": lifetime <= censor,
                         "slow_first_response": slow, "segment": segment})


def test_cox_recovers_known_hazard_ratio():
    frame = _simulate(3000, 2.0, seed=11)
    model = CoxChurnModel().fit(frame, covariates=["slow_first_response", "segment"])
    s = model.summary_.set_index("covariate")
    # reference level = the most frequent segment ("Abo")
    assert list(s.index) == ["slow_first_response", "segment=Einzelkauf", "segment=Probe"]
    # the planted ratio lies in the 95 % interval; every estimate within 3 se of its truth on the log scale
    # (over 20 seeds the mean estimates were 2.02, 1.48, 0.69: unbiased)
    assert s.loc["slow_first_response", "ci_low"] < 2.0 < s.loc["slow_first_response", "ci_high"]
    for name, truth in [("slow_first_response", 2.0), ("segment=Einzelkauf", 1.5), ("segment=Probe", 0.7)]:
        assert abs(math.log(s.loc[name, "hazard_ratio"] / truth)) < 3 * s.loc[name, "se"], name
    assert s.loc["slow_first_response", "p_value"] < 1e-6
    assert model.n_ == 3000 and model.events_ == int(frame["churned"].sum())
    assert 0.55 < model.concordance_ < 0.75
    assert model.summary is model.summary_


def test_cox_null_effect_and_errors():
    frame = _simulate(1500, 1.0, seed=5)
    s = CoxChurnModel().fit(frame, covariates=["slow_first_response"]).summary_
    assert s["ci_low"].iloc[0] < 1 < s["ci_high"].iloc[0]
    with pytest.raises(ValueError, match="not in the frame"):
        CoxChurnModel().fit(frame, covariates=["nope"])
    with pytest.raises(ValueError, match="no observed losses"):
        CoxChurnModel().fit(frame.assign(churned=False), covariates=["slow_first_response"])
    # rows with a missing covariate are dropped
    holed = frame.assign(segment=frame["segment"].where(frame.index >= 100))
    assert CoxChurnModel().fit(holed, covariates=["segment"]).n_ == 1400


def test_cox_time_varying_equals_the_counting_process_built_by_hand():
    from statsmodels.duration.hazard_regression import PHReg

    # six lifetimes; x switches on day 3 for #0 (inside), day 0 for #1 (whole life), day 9 for #2 (after its end),
    # never for #3-#5; z is a fixed covariate
    frame = pd.DataFrame({"duration_days": [8.0, 5.0, 7.0, 4.0, 6.0, 9.0], "churned": [1, 1, 0, 1, 1, 0],
                          "x": [True, True, True, False, False, False], "z": [0.5, 1.5, -1.0, 0.0, 2.0, -0.5],
                          "x_day": [3.0, 0.0, 9.0, np.nan, np.nan, np.nan]})
    model = CoxChurnModel().fit(frame, covariates=["x", "z"], time_varying={"x": "x_day"})
    # by hand: #0 becomes (0, 3] x=0 no loss + (3, 8] x=1 loss, entering at 3; #1 x=1 throughout; #2 x=0 throughout
    stop = [3.0, 8.0, 5.0, 7.0, 4.0, 6.0, 9.0]
    status = [0, 1, 1, 0, 1, 1, 0]
    entry = [0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    exog = np.array([[0, 0.5], [1, 0.5], [1, 1.5], [0, -1.0], [0, 0.0], [0, 2.0], [0, -0.5]])
    hand = PHReg(np.array(stop), exog, status=np.array(status), entry=np.array(entry), ties="efron").fit()
    np.testing.assert_allclose(model.summary_["coef"], hand.params, rtol=1e-8)
    np.testing.assert_allclose(model.summary_["se"], hand.bse, rtol=1e-8)
    assert model.n_ == 6 and model.events_ == 4 and model.time_varying_ == ["x"]
    # the default comes from frame.attrs; {} holds every covariate fixed (x as given in the column)
    frame.attrs["time_varying"] = {"x": "x_day"}
    assert CoxChurnModel().fit(frame, covariates=["x", "z"]).summary_["coef"].tolist() == pytest.approx(hand.params)
    fixed = PHReg(frame["duration_days"].to_numpy(), frame[["x", "z"]].to_numpy(dtype=float),
                  status=frame["churned"].to_numpy(dtype=float), ties="efron").fit()
    static = CoxChurnModel().fit(frame, covariates=["x", "z"], time_varying={})
    np.testing.assert_allclose(static.summary_["coef"], fixed.params, rtol=1e-8)
    assert static.time_varying_ == []


def test_cox_time_varying_recovers_a_hazard_that_doubles_after_a_switch():
    # piecewise exponential: hazard 1/300 a day, doubled from a switch day S ~ U(0, 400) for 40 % of customers;
    # follow-up ends on day 600. Holding the flag for the whole life (static) dilutes the effect.
    rng = np.random.default_rng(3)
    n = 4000
    switches = np.where(rng.random(n) < 0.4, rng.uniform(0, 400, n), np.inf)
    first = rng.exponential(300, n)
    life = np.where(first < switches, first, switches + rng.exponential(150, n))
    stop = np.minimum(life, 600.0)
    frame = pd.DataFrame({"duration_days": stop, "churned": life < 600, "flag": switches < stop,
                          "flag_day": np.where(switches < stop, switches, np.nan)})
    tv = CoxChurnModel().fit(frame, covariates=["flag"], time_varying={"flag": "flag_day"}).summary_.iloc[0]
    static = CoxChurnModel().fit(frame, covariates=["flag"], time_varying={}).summary_.iloc[0]
    assert tv["ci_low"] < 2.0 < tv["ci_high"]
    assert abs(math.log(tv["hazard_ratio"] / 2.0)) < 3 * tv["se"]
    assert not static["ci_low"] < 2.0 < static["ci_high"]


def test_concordance_matches_pair_loop():
    rng = np.random.default_rng(2)
    time = rng.integers(1, 20, 60).astype(float)
    event = rng.random(60) < 0.6
    risk = rng.integers(0, 4, 60).astype(float)  # ties in risk
    num = den = 0.0
    for i in range(60):
        for j in range(60):
            if event[i] and time[i] < time[j]:
                den += 1
                num += 1.0 if risk[i] > risk[j] else 0.5 if risk[i] == risk[j] else 0.0
    assert _concordance(time, event, risk) == pytest.approx(num / den)


def test_plot_survival_lines_and_bands():
    # two groups: two step lines, two bands; the legend names n and the median
    km = KaplanMeier().fit([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 0], ["a", "a", "a", "b", "b", "b"])
    ax = plot_survival(km)  # the plot lives in kit.report.plots (models never import the report)
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a (n = 3, median 2)", "b (n = 3, median 5)"]  # a: S(2) = 1/3; b: S(5) = 1/3
    assert list(ax.get_lines()[0].get_ydata()) == pytest.approx([1, 2 / 3, 1 / 3, 0])


# --------------------------------------------------------------------------- the sample business
@pytest.fixture(scope="module")
def sample_lifetimes(sample_data, sample_config) -> pd.DataFrame:
    return lifetime_table(sample_data, sample_config, as_of="2026-10-01")


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "sample" / "truth" / "customers_truth.csv"
    return pd.read_csv(path, dtype={"customer_id": str}).set_index("customer_id")


def test_sample_lifetimes_match_answer_key(sample_lifetimes, sample_data, truth):
    # answer key: lapsed = last order more than 180 days before 2026-10-01; Abo deaths are exits.
    # "final" loss: churned <=> lapsed or an exit after the last order (every exit in the sample is)
    t = sample_lifetimes.set_index("customer_id")
    assert len(t) == len(truth) == 3000
    expected = truth["lapsed"].reindex(t.index) | t.index.isin(sample_data.exits["customer_id"])
    assert (t["churned"] == expected).all()
    assert (t["referred"] == truth["referred"].reindex(t.index)).all()
    # our slow flag only counts tickets before the end of follow-up, so it is a subset of the truth flag
    slow, true_slow = t["slow_first_response"], truth["slow_first_response"].reindex(t.index)
    assert not (slow & ~true_slow).any() and (slow == true_slow).mean() > 0.99


def test_sample_slow_first_response_raises_churn(sample_lifetimes):
    # planted: hazard x 2 from the first slow ticket. On inactivity-based lifetimes (what the kit sees) the
    # time-varying flag gives HR 1.63 (95 % CI 1.34-2.00), the static one 1.44 (README: static ~ 1.5)
    model = CoxChurnModel().fit(sample_lifetimes, covariates=["slow_first_response", "referred", "segment"])
    assert model.time_varying_ == ["slow_first_response"]
    s = model.summary_.set_index("covariate")
    hr = s.loc["slow_first_response"]
    assert hr["ci_low"] > 1 and hr["p_value"] < 0.01
    assert 1.2 < hr["hazard_ratio"] < 2.2
    static = CoxChurnModel().fit(sample_lifetimes, covariates=["slow_first_response", "referred", "segment"],
                                 time_varying={}).summary_.set_index("covariate").loc["slow_first_response"]
    assert static["hazard_ratio"] < hr["hazard_ratio"]      # the static flag dilutes the planted effect
    # planted: referred customers' hazard x 0.6 (README: HR ~ 0.6 on true lifetimes, weaker here)
    assert s.loc["referred", "ci_high"] < 1 and s.loc["referred", "p_value"] < 0.01
    assert logrank_test(sample_lifetimes["duration_days"], sample_lifetimes["churned"],
                        sample_lifetimes["slow_first_response"]).p_value < 0.01


def test_sample_referred_customers_stay_longer(sample_lifetimes):
    km = KaplanMeier().fit(sample_lifetimes["duration_days"], sample_lifetimes["churned"],
                           sample_lifetimes["referred"])
    assert km.median_["True"] > km.median_["False"]
    one_year = km.survival_at(365).set_index("group")
    assert one_year.loc["True", "ci_low"] > one_year.loc["False", "survival"]
    assert logrank_test(sample_lifetimes["duration_days"], sample_lifetimes["churned"],
                        sample_lifetimes["referred"]).p_value < 0.01


def test_models_present_themselves():
    assert repr(KaplanMeier()) == "KaplanMeier(not fitted)"
    km = KaplanMeier().fit([1, 2, 3], [1, 0, 1], ["a", "a", "b"])
    assert repr(km) == "KaplanMeier(groups=2, n=3)" and "<table" in km._repr_html_()
    model = CoxChurnModel().fit(_simulate(300, 2.0, seed=1), covariates=["slow_first_response"])
    assert repr(model).startswith("CoxChurnModel(n=300") and "hazard_ratio" in model._repr_html_()


def test_sample_truth_time_varying_cox_recovers_the_planted_ratios(truth):
    # on the true lifetimes of the answer key (signup to death, censored at 2026-10-01), with the switch on the
    # day of the first slow ticket: planted HR 2.0 (slow), 0.6 (referred), 0.08 (loyal); the 60 planted at-risk
    # customers never die and are left out
    t = truth.loc[~truth["planted_at_risk_high_value"]]
    signup, end_obs = pd.to_datetime(t["signup_date"]), T("2026-10-01")
    death = pd.to_datetime(t["lifetime_end"])
    died = t["churned"] & (death < end_obs)
    stop = (death.where(died, end_obs) - signup) / pd.Timedelta(days=1)
    switch = (pd.to_datetime(t["first_slow_ticket_at"]) - signup) / pd.Timedelta(days=1)
    frame = pd.DataFrame({"duration_days": stop, "churned": died, "slow": switch.notna() & (switch < stop),
                          "slow_day": switch, "referred": t["referred"], "loyal": t["loyal"]})
    s = CoxChurnModel().fit(frame, covariates=["slow", "referred", "loyal"],
                            time_varying={"slow": "slow_day"}).summary_.set_index("covariate")
    for name, planted in [("slow", 2.0), ("referred", 0.6), ("loyal", 0.08)]:
        assert s.loc[name, "ci_low"] < planted < s.loc[name, "ci_high"], (name, s.loc[name].to_dict())


def test_cox_with_a_repeated_index_and_lost_attrs(sample_lifetimes):
    covs = ["slow_first_response", "referred", "segment"]
    expected = CoxChurnModel().fit(sample_lifetimes, covariates=covs).summary_
    # concat of two tables repeats index labels; the fit works by position
    repeated = sample_lifetimes.set_axis([0] * 10 + list(range(len(sample_lifetimes) - 10)))
    pd.testing.assert_frame_equal(CoxChurnModel().fit(repeated, covariates=covs).summary_, expected)
    # a merge loses frame.attrs: the fit says it falls back to a fixed flag instead of doing it silently
    merged = sample_lifetimes.copy()
    merged.attrs = {}   # as after a merge with another frame, a concat or a CSV round trip
    with pytest.warns(UserWarning, match=r"slow_first_response look time-varying.*fitting them as fixed"):
        static = CoxChurnModel().fit(merged, covariates=covs)
    assert static.time_varying_ == []
    # selecting columns keeps attrs but may drop the switch day: the message says where it comes from
    with pytest.raises(ValueError, match=r"switch-day column\(s\) \['slow_first_response_day'\].*frame\.attrs"):
        CoxChurnModel().fit(sample_lifetimes[["duration_days", "churned", *covs]], covariates=covs)


def test_logrank_without_any_loss_is_a_clear_error():
    # nobody lost in either group: the statistic is 0/0 (statsmodels raised LinAlgError: Singular matrix)
    from kit.models.survival import logrank_test

    with pytest.raises(ValueError, match="needs at least one observed loss; none of the 4 customers was lost"):
        logrank_test([1, 2, 3, 4], [0, 0, 0, 0], ["a", "a", "b", "b"])


def test_cox_that_the_covariates_do_not_identify_is_a_model_fit_error():
    """Two covariates with the same values give a singular information matrix: a ModelFitError that says so
    (a report's section and a notebook's work cell show it as 'not available'), not numpy's LinAlgError."""
    rng = np.random.default_rng(1)
    same = rng.integers(0, 2, 50)
    frame = pd.DataFrame({"duration_days": rng.integers(10, 300, 50), "churned": rng.integers(0, 2, 50),
                          "referred": same, "slow_first_response": same})
    with pytest.raises(ModelFitError, match=r"referred, slow_first_response .* 50 customers .*singular"):
        CoxChurnModel().fit(frame, covariates=["referred", "slow_first_response"], time_varying={})
