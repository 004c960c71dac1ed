"""kit.models.clv: customer summaries, BG/NBD, Gamma-Gamma, CLV — against hand arithmetic and naive oracles."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit.data.config import CLVSettings
from kit.errors import DataError, KitError
from kit.models.clv import (
    BetaGeo,
    GammaGamma,
    clv_predicted,
    customer_value,
    frequency_spend_correlation,
    holdout_comparison,
    summarise_customers,
)

ROOT = Path(__file__).resolve().parents[1]


def _orders(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame({
        "order_id": [str(i) for i in range(len(rows))],
        "customer_id": [r[0] for r in rows],
        "order_date": pd.to_datetime([r[1] for r in rows], format="ISO8601").astype("datetime64[ns]"),
        "revenue": [r[2] for r in rows],
        "refund_amount": [r[3] for r in rows],
    })


def _simulate(n: int = 3000, *, r: float = 0.5, alpha: float = 20.0, a: float = 0.8, b: float = 3.0,
              days: int = 365, seed: int = 1) -> pd.DataFrame:
    """Orders of BG/NBD customers (rate per day ~ Gamma(r, alpha), dropout after each repeat purchase ~ Beta(a, b)).

    First purchases are spread over the first 90 days; every order is worth 20-60 (net).
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    start = rng.integers(0, 90, n).astype(float)
    ids, times = [np.arange(n)], [start]
    t, alive = start.copy(), np.ones(n, dtype=bool)  # alive at the first purchase (FHL 2005)
    while alive.any():
        t = t + rng.exponential(1 / np.maximum(lam, 1e-12))
        alive &= t < days
        ids.append(np.flatnonzero(alive))
        times.append(t[alive])
        alive &= rng.random(n) > p
    cid, tt = np.concatenate(ids), np.concatenate(times)
    return pd.DataFrame({
        "order_id": [str(i) for i in range(len(cid))],
        "customer_id": [f"c{c:05d}" for c in cid],
        "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.floor(tt), unit="D"),
        "revenue": rng.uniform(20, 60, len(cid)),
        "refund_amount": 0.0,
    })


# --------------------------------------------------------------------------- summaries


TINY = _orders([
    # customer a: two orders on 2024-01-01 (one occasion, 10 + 5), 2024-01-15 (20 - 4 refund), 2024-01-29
    ("a", "2024-01-01 09:00", 10.0, 0.0), ("a", "2024-01-01 18:00", 5.0, 0.0),
    ("a", "2024-01-15", 20.0, 4.0), ("a", "2024-01-29 23:59", 30.0, 0.0),
    ("b", "2024-01-08", 8.0, 0.0),
    # customer c: every order fully refunded
    ("c", "2024-01-02", 12.0, 12.0), ("c", "2024-01-09", 15.0, 15.0),
    # after the cut-off: ignored
    ("a", "2024-01-30", 99.0, 0.0), ("d", "2024-02-01", 5.0, 0.0),
])


def test_summary_in_weeks_by_hand():
    s = summarise_customers(TINY, as_of="2024-01-30", freq="W").set_index("customer_id")
    assert s.attrs["time_unit"] == "W"
    assert list(s.index) == ["a", "b", "c"]  # d bought after as_of
    # a: occasions 01-01, 01-15, 01-29 (before as_of 01-30) -> frequency 2; recency 28 days = 4 weeks,
    #    T = last observed day 01-29 - 01-01 = 28 days = 4 weeks; repeat values 20-4 = 16 and 30 -> mean 23
    assert s.loc["a", ["frequency", "recency", "T", "monetary_value"]].tolist() == [2, 4.0, 4.0, 23.0]
    # b: one order on 01-08 -> frequency 0, recency 0, T = 21 days = 3 weeks, monetary 0
    assert s.loc["b", ["frequency", "recency", "T", "monetary_value"]].tolist() == [0, 0.0, 3.0, 0.0]
    # c: two fully refunded orders: still two purchase occasions, net value 0
    assert s.loc["c", ["frequency", "recency", "T", "monetary_value"]].tolist() == [1, 1.0, 27 / 7, 0.0]
    assert s.loc["a", "first_purchase"] == pd.Timestamp("2024-01-01")  # the day of 09:00
    assert s.loc["a", "last_purchase"] == pd.Timestamp("2024-01-29")


def test_summary_in_days_and_without_refund_column():
    s = summarise_customers(TINY.drop(columns="refund_amount"), as_of="2024-01-30", freq="D")
    s = s.set_index("customer_id")
    # without refund_amount revenue is taken as net: a's repeats are 20 and 30 -> 25
    assert s.loc["a", ["frequency", "recency", "T", "monetary_value"]].tolist() == [2, 28.0, 28.0, 25.0]
    assert s.loc["c", "monetary_value"] == pytest.approx(15.0)


def test_summary_calendar_months():
    orders = _orders([("a", "2024-01-31", 10.0, 0.0), ("a", "2024-02-01", 10.0, 0.0),
                      ("a", "2024-02-29", 6.0, 0.0), ("b", "2024-03-31", 1.0, 0.0)])
    s = summarise_customers(orders, as_of="2024-04-15", freq="M").set_index("customer_id")
    # a: January (10) and February (10 + 6 collapsed into one occasion) -> frequency 1, recency 1 month,
    #    T = April - January = 3 months, monetary 16
    assert s.loc["a", ["frequency", "recency", "T", "monetary_value"]].tolist() == [1, 1.0, 3.0, 16.0]
    assert s.loc["b", ["frequency", "recency", "T"]].tolist() == [0, 0.0, 1.0]
    assert s.loc["a", "first_purchase"] == pd.Timestamp("2024-01-31")  # days, not months
    assert s.loc["a", "last_purchase"] == pd.Timestamp("2024-02-29")


def test_summary_with_holdout_by_hand():
    s = summarise_customers(TINY, as_of="2024-02-06", freq="W", calibration_end="2024-01-16")
    s = s.set_index("customer_id")
    # calibration before 01-16: a has 01-01 and 01-15 -> frequency 1, recency 2 weeks, T 2 weeks
    assert s.loc["a", ["frequency", "recency", "T", "monetary_value"]].tolist() == [1, 2.0, 2.0, 16.0]
    # holdout 01-16..02-05 (as_of 02-06 exclusive): a buys 01-29 (30) and 01-30 (99) -> 2 occasions, mean 64.5
    assert s.loc["a", ["frequency_holdout", "monetary_value_holdout"]].tolist() == [2, 64.5]
    # d's first purchase is in the holdout: d is not part of the calibration cohort
    assert "d" not in s.index
    assert (s["duration_holdout"] == 3.0).all()  # last observed days 01-15 .. 02-05 = 21 days


def test_summary_from_parquet_equals_dataframe(tmp_path):
    orders = _simulate(300, seed=3)
    path = tmp_path / "orders.parquet"
    orders.to_parquet(path)
    a = summarise_customers(orders, as_of="2025-01-01", freq="W")
    b = summarise_customers(path, as_of="2025-01-01", freq="W")
    pd.testing.assert_frame_equal(a, b)
    # a folder of parts (a quote in its name), read by DuckDB as one log
    folder = tmp_path / "o'rders"
    folder.mkdir()
    half = len(orders) // 2
    orders.iloc[:half].to_parquet(folder / "part-0.parquet")
    orders.iloc[half:].to_parquet(folder / "part-1.parquet")
    (folder / "_SUCCESS").write_text("")
    pd.testing.assert_frame_equal(a, summarise_customers(folder, as_of="2025-01-01", freq="W"))


def test_summary_errors():
    with pytest.raises(DataError, match="revenue"):
        summarise_customers(TINY.drop(columns="revenue"), as_of="2024-01-29")
    with pytest.raises(KitError, match="'W'"):
        summarise_customers(TINY, as_of="2024-01-29", freq="Q")  # type: ignore[arg-type]
    aware = TINY.assign(order_date=TINY["order_date"].dt.tz_localize("Europe/Berlin"))
    with pytest.raises(DataError, match="order_date is time-zone aware"):
        summarise_customers(aware, as_of="2024-01-29")
    with pytest.raises(DataError, match="order_date is of type str"):
        summarise_customers(TINY.assign(order_date=TINY["order_date"].astype(str)), as_of="2024-01-29")
    with pytest.raises(DataError, match="calibration_end"):
        summarise_customers(TINY, as_of="2024-01-29", calibration_end="2024-02-01")


# --------------------------------------------------------------------------- BG/NBD


def _oracle_bgnbd_ll(r, alpha, a, b, rows):
    """Per-customer loop, straight from Fader, Hardie & Lee (2005), eq. 6."""
    def lbeta(u, v):
        return math.lgamma(u) + math.lgamma(v) - math.lgamma(u + v)

    total = 0.0
    for x, tx, T in rows:
        common = math.exp(math.lgamma(r + x) - math.lgamma(r)) * alpha ** r
        term1 = math.exp(lbeta(a, b + x) - lbeta(a, b)) * common / (alpha + T) ** (r + x)
        term2 = 0.0
        if x > 0:
            term2 = math.exp(lbeta(a + 1, b + x - 1) - lbeta(a, b)) * common / (alpha + tx) ** (r + x)
        total += math.log(term1 + term2)
    return total


ROWS = [(0, 0.0, 38.86), (1, 1.71, 38.86), (2, 30.43, 38.86), (5, 20.0, 30.0), (10, 29.9, 30.0),
        (3, 0.5, 35.0), (0, 0.0, 1.0), (1, 27.0, 27.0)]
ROWS_FRAME = pd.DataFrame(ROWS, columns=["frequency", "recency", "T"])


@pytest.mark.parametrize("params", [(0.2426, 4.4136, 0.7929, 2.4259), (1.5, 0.7, 2.0, 0.4), (0.05, 40.0, 3.0, 9.0)])
def test_bgnbd_log_likelihood_matches_naive_oracle(params):
    ll = BetaGeo().log_likelihood(ROWS_FRAME, params=np.array(params))
    assert ll == pytest.approx(_oracle_bgnbd_ll(*params, ROWS), rel=1e-10)


def test_bgnbd_fit_is_the_maximum_of_the_oracle():
    summary = summarise_customers(_simulate(800, seed=5), as_of="2025-01-01", freq="W")
    bg = BetaGeo().fit(summary)
    rows = list(summary[["frequency", "recency", "T"]].itertuples(index=False, name=None))
    best = _oracle_bgnbd_ll(*bg.params_, rows)
    assert bg.log_likelihood_ == pytest.approx(best, rel=1e-9)
    for i in range(4):  # a 1 % step in any parameter lowers the oracle likelihood
        for step in (0.99, 1.01):
            p = bg.params_.to_numpy().copy()
            p[i] *= step
            assert _oracle_bgnbd_ll(*p, rows) < best


def test_bgnbd_recovers_simulated_parameters():
    # simulated with r = 0.5, alpha = 20 days, a = 0.8, b = 3 -> in weeks alpha = 20 / 7
    summary = summarise_customers(_simulate(4000, seed=11), as_of="2025-01-01", freq="W")
    bg = BetaGeo().fit(summary)
    truth = {"r": 0.5, "alpha": 20 / 7, "a": 0.8, "b": 3.0}
    for name, value in truth.items():
        row = bg.summary.loc[name]
        # within 3 standard errors (log scale would be looser; this is the delta-method SE)
        assert abs(row["estimate"] - value) < 3 * row["se"], (name, row.to_dict())


def test_p_alive_by_hand_and_properties():
    bg = BetaGeo()
    params = np.array([0.2426, 4.4136, 0.7929, 2.4259])
    # frequency 0 -> 1 whatever recency and T
    assert bg.p_alive([0, 0], [0, 0], [5.0, 50.0], params=params).tolist() == [1.0, 1.0]
    # x = 2, t_x = 30.43, T = 38.86: 1 / (1 + 0.7929/(2.4259+1) * ((4.4136+38.86)/(4.4136+30.43))^2.2426)
    odds = 0.7929 / 3.4259 * ((4.4136 + 38.86) / (4.4136 + 30.43)) ** 2.2426
    assert bg.p_alive(2, 30.43, 38.86, params=params) == pytest.approx(1 / (1 + odds), rel=1e-12)
    recency = np.linspace(0, 30, 31)
    pa = bg.p_alive(3, recency, 30.0, params=params)
    assert np.all(np.diff(pa) > 0)  # later last purchase -> more likely alive
    freq = np.arange(0, 10)
    ep = bg.expected_purchases(10.0, freq, 30.0, 30.0, params=params)  # all bought just now
    assert np.all(np.diff(ep) > 0)


def test_expected_purchases_against_simulation():
    r, alpha, a, b = 0.8, 5.0, 1.5, 4.0
    rng = np.random.default_rng(2)
    n, t = 400_000, 20.0
    lam = rng.gamma(r, 1 / alpha, n)
    j = rng.geometric(rng.beta(a, b, n))  # the customer drops out right after the j-th purchase
    x = np.minimum(rng.poisson(lam * t), j)  # X(t) = min(N(t), J) (FHL 2005, section 2)
    bg = BetaGeo()
    expected = float(bg.expected_purchases_population(t, params=np.array([r, alpha, a, b])))
    assert expected == pytest.approx(x.mean(), abs=4 * x.std() / math.sqrt(n))
    # a customer "born" at 0 with nothing observed yet has the population expectation
    assert float(bg.expected_purchases(t, 0, 0.0, 0.0, params=np.array([r, alpha, a, b]))) == pytest.approx(expected)


# --------------------------------------------------------------------------- Gamma-Gamma


def test_gamma_gamma_refuses_nonpositive_spend_and_drops_on_request():
    summary = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "frequency": [2, 1, 3, 0],
                            "monetary_value": [20.0, 0.0, 35.0, 0.0]})
    with pytest.raises(DataError, match=r"1 repeat buyer.*net of refunds.*drop_nonpositive=True") as err:
        GammaGamma().fit(summary)
    assert "b" in str(err.value)
    # 300 more repeat buyers drawn from the Gamma-Gamma model (p = 6, q = 4, gamma = 15)
    rng = np.random.default_rng(4)
    x = rng.integers(1, 7, 300)
    nu = rng.gamma(4.0, 1 / 15.0, 300)
    zbar = np.array([rng.gamma(6.0, 1 / v, k).mean() for v, k in zip(nu, x, strict=True)])
    more = pd.concat([summary, pd.DataFrame({"customer_id": [f"s{i}" for i in range(300)], "frequency": x,
                                             "monetary_value": zbar})])
    gg = GammaGamma(drop_nonpositive=True).fit(more)
    assert gg.n_dropped_ == 1 and gg.n_ == 302  # a, c and the 300 drawn; b dropped, d has no repeats


def test_gamma_gamma_log_likelihood_and_expected_spend_by_hand():
    # oracle: ln f(zbar | p, q, gamma, x) of Fader & Hardie (2013), eq. 5, written out
    p, q, v = 6.25, 3.74, 15.44
    rows = [(2, 22.35), (1, 11.77), (7, 40.0)]
    oracle = sum(math.lgamma(p * x + q) - math.lgamma(p * x) - math.lgamma(q) + q * math.log(v)
                 + (p * x - 1) * math.log(m) + p * x * math.log(x) - (p * x + q) * math.log(x * m + v)
                 for x, m in rows)
    from kit.models.clv import _gg_loglik

    ours = _gg_loglik(np.array([p, q, v]), np.array([r[0] for r in rows], float), np.array([r[1] for r in rows]))
    assert ours.sum() == pytest.approx(oracle, rel=1e-12)
    gg = GammaGamma()
    # x = 2, zbar = 22.35: 6.25 * (15.44 + 44.70) / (12.5 + 2.74) = 375.875 / 15.24 = 24.6637...
    assert gg.expected_spend(2, 22.35, params=np.array([p, q, v])) == pytest.approx(375.875 / 15.24)
    # x = 0: population mean p gamma / (q - 1) = 96.5 / 2.74
    assert gg.expected_spend(0, 0.0, params=np.array([p, q, v])) == pytest.approx(96.5 / 2.74)


# --------------------------------------------------------------------------- CLV


@pytest.fixture(scope="module")
def simulated_orders() -> pd.DataFrame:
    return _simulate(2000, seed=7)


def test_clv_discounting_by_hand(simulated_orders):
    settings = CLVSettings(margin=0.4, annual_discount_rate=0.1, horizon_months=2, time_unit="W")
    cv = customer_value(simulated_orders, as_of="2025-01-01", settings=settings)
    bg = cv.attrs["bg"]
    row = cv.iloc[0]
    month = 30.4375 / 7  # one month in weeks
    e1 = float(bg.expected_purchases(month, row["frequency"], row["recency"], row["T"]))
    e2 = float(bg.expected_purchases(2 * month, row["frequency"], row["recency"], row["T"]))
    d = 1.1 ** (1 / 12) - 1  # 0.0079741...
    assert d == pytest.approx(0.00797414, abs=1e-8)
    by_hand = 0.4 * row["expected_spend"] * (e1 / (1 + d) + (e2 - e1) / (1 + d) ** 2)
    assert row["clv"] == pytest.approx(by_hand, rel=1e-10)
    assert row["expected_purchases"] == pytest.approx(e2)
    assert row["value_at_risk"] == pytest.approx(row["clv"] * (1 - row["p_alive"]))
    # no discounting: clv = margin x spend x expected purchases over the horizon
    flat = customer_value(simulated_orders, as_of="2025-01-01",
                          settings=settings.model_copy(update={"annual_discount_rate": 0.0}))
    np.testing.assert_allclose(flat["clv"], 0.4 * flat["expected_spend"] * flat["expected_purchases"], rtol=1e-10)


def test_clv_does_not_depend_on_days_or_weeks(simulated_orders):
    # the BG/NBD is continuous time: measuring in days or weeks must give the same CLV
    base = CLVSettings(margin=0.3, annual_discount_rate=0.08, horizon_months=12, time_unit="W")
    weeks = customer_value(simulated_orders, as_of="2025-01-01", settings=base)
    days = customer_value(simulated_orders, as_of="2025-01-01", settings=base.model_copy(update={"time_unit": "D"}))
    assert weeks.attrs["bg"].params_["alpha"] * 7 == pytest.approx(days.attrs["bg"].params_["alpha"], rel=1e-4)
    np.testing.assert_allclose(weeks["clv"], days["clv"], rtol=1e-3)


def test_customer_with_only_refunds(simulated_orders):
    refunded = _orders([("zz", "2024-03-01", 50.0, 50.0), ("zz", "2024-06-01", 40.0, 40.0),
                        ("zz", "2024-09-01", 30.0, 30.0)])
    orders = pd.concat([simulated_orders, refunded], ignore_index=True)
    settings = CLVSettings(time_unit="W")
    cv = customer_value(orders, as_of="2025-01-01", settings=settings).set_index("customer_id")
    # zz counts as a repeat buyer (2 repeat occasions) with net spend 0: left out of the
    # Gamma-Gamma fit, and its expected spend is the model's p gamma / (p x + q - 1) with zbar = 0
    assert cv.loc["zz", "frequency"] == 2 and cv.loc["zz", "monetary_value"] == 0.0
    assert cv.attrs["n_dropped"] == 1
    p, q, v = cv.attrs["gg"].params_
    assert cv.loc["zz", "expected_spend"] == pytest.approx(p * v / (2 * p + q - 1))


def test_clv_predicted_result(simulated_orders):
    settings = CLVSettings(time_unit="W", horizon_months=12)
    result = clv_predicted(simulated_orders, as_of="2025-01-01", settings=settings, n_draws=60)
    cv = customer_value(simulated_orders, as_of="2025-01-01", settings=settings)
    assert result.kpi == "clv_predicted"
    assert result.value == pytest.approx(cv["clv"].mean())
    assert result.n == len(cv) == simulated_orders["customer_id"].nunique()
    assert result.ci_low < result.value < result.ci_high
    assert "bootstrap" in result.note
    assert not clv_predicted(None, as_of="2025-01-01", settings=settings).has_data
    empty = clv_predicted(simulated_orders.iloc[:0], as_of="2025-01-01", settings=settings)
    assert not empty.has_data and "no order data" in empty.note


def test_summary_and_fits_are_the_same_on_every_run(simulated_orders):
    # DuckDB combines partial sums from several threads in varying order; money is summed exactly (DECIMAL),
    # so repeated runs agree to the last bit (with double sums about every second pair of runs differed)
    runs = [summarise_customers(simulated_orders, as_of="2025-01-01") for _ in range(6)]
    for other in runs[1:]:
        pd.testing.assert_frame_equal(runs[0], other, check_exact=True)
    a, b = (customer_value(simulated_orders, as_of="2025-01-01", settings=CLVSettings()) for _ in range(2))
    assert a.attrs["gg"].params_.tolist() == b.attrs["gg"].params_.tolist()
    assert a["clv"].tolist() == b["clv"].tolist()


def test_a_thirteen_digit_revenue_does_not_overflow_the_exact_sums(simulated_orders):
    # an EAN pasted into the revenue column: 4,006,381,333,931 fits DECIMAL(38, 6), not DECIMAL(18, 6)
    orders = simulated_orders.copy()
    repeat = orders["customer_id"].value_counts().index[0]          # a customer with repeat purchases
    orders.loc[orders["customer_id"] == repeat, "revenue"] = 4006381333931.0
    summary = summarise_customers(orders, as_of="2025-01-01").set_index("customer_id")
    # mean net value per repeat occasion (orders of one day add up): at least one such order each
    assert summary.loc[repeat, "monetary_value"] >= 4006381333931.0


def test_quarterly_grid_of_the_bootstrap_matches_the_monthly_grid(simulated_orders, monkeypatch):
    import kit.models.clv.value as value

    settings = CLVSettings(time_unit="W", horizon_months=13)   # 13: the last step is one month
    quarterly = clv_predicted(simulated_orders, as_of="2025-01-01", settings=settings, n_draws=80)
    monkeypatch.setattr(value, "_BOOT_STEP_MONTHS", 1)
    monthly = clv_predicted(simulated_orders, as_of="2025-01-01", settings=settings, n_draws=80)
    assert quarterly.value == monthly.value                     # the estimate never uses the grid
    assert quarterly.ci_low == pytest.approx(monthly.ci_low, rel=1e-3)
    assert quarterly.ci_high == pytest.approx(monthly.ci_high, rel=1e-3)
    assert quarterly.se == pytest.approx(monthly.se, rel=1e-2)


def test_discounted_purchases_on_a_coarser_grid_by_hand(simulated_orders):
    from kit.models.clv.value import _discounted_purchases

    settings = CLVSettings(time_unit="W", horizon_months=5, annual_discount_rate=0.1)
    cv = customer_value(simulated_orders, as_of="2025-01-01", settings=settings).iloc[:3]
    bg = cv.attrs["bg"]
    x, tx, T = (cv[c].to_numpy(dtype="float64") for c in ("frequency", "recency", "T"))
    total, last = _discounted_purchases(bg, x, tx, T, horizon_months=5, annual_discount_rate=0.1, unit="W",
                                        step_months=2)
    month, d = 30.4375 / 7, 1.1 ** (1 / 12) - 1
    e = {m: bg.expected_purchases(m * month, x, tx, T) for m in (2, 4, 5)}   # grid 2, 4 and the horizon 5
    by_hand = e[2] / (1 + d) ** 2 + (e[4] - e[2]) / (1 + d) ** 4 + (e[5] - e[4]) / (1 + d) ** 5
    np.testing.assert_allclose(total, by_hand, rtol=1e-10)
    np.testing.assert_allclose(last, e[5], rtol=1e-10)


# --------------------------------------------------------------------------- validation and plots


def test_holdout_comparison_and_correlation():
    summary = pd.DataFrame({"frequency": [0, 0, 1, 9], "recency": [0.0, 0.0, 5.0, 9.0], "T": [10.0] * 4,
                            "monetary_value": [0.0, 0.0, 10.0, 30.0], "frequency_holdout": [0, 1, 2, 5],
                            "duration_holdout": [10.0] * 4})
    bg = BetaGeo()
    bg.params_ = pd.Series([0.5, 5.0, 0.8, 2.0], index=["r", "alpha", "a", "b"])
    table = holdout_comparison(bg, summary).set_index("calibration_frequency")
    assert table.index.tolist() == ["0", "1", "7+", "total"]
    assert table["customers"].tolist() == [2, 1, 1, 4]
    assert table["actual"].tolist() == [1, 2, 5, 8]
    exp = bg.expected_purchases(10.0, summary["frequency"], summary["recency"], summary["T"])
    assert table.loc["total", "expected"] == pytest.approx(exp.sum())
    assert table.loc["0", "expected_mean"] == pytest.approx(exp[:2].mean())

    spend = pd.DataFrame({"frequency": [1, 2, 3, 4, 5, 0], "monetary_value": [10.0, 12.0, 11.0, 15.0, 14.0, 0.0]})
    res = frequency_spend_correlation(spend)
    x, m = np.array([1, 2, 3, 4, 5.0]), np.array([10, 12, 11, 15, 14.0])
    r = ((x - x.mean()) * (m - m.mean())).sum() / math.sqrt(((x - x.mean()) ** 2).sum() * ((m - m.mean()) ** 2).sum())
    assert res.value == pytest.approx(r) and res.n == 5  # r = 8 / sqrt(10 * 17.2) = 0.6100
    assert 0 < res.extras["p_value"] < 1


def test_plots():
    from kit.report.plots.clv import plot_frequency_spend, plot_holdout, plot_p_alive

    table = pd.DataFrame({"calibration_frequency": ["0", "1", "total"], "customers": [2, 1, 3],
                          "actual": [1, 2, 3], "expected": [0.8, 1.5, 2.3],
                          "actual_mean": [0.5, 2.0, 1.0], "expected_mean": [0.4, 1.5, 2.3 / 3]})
    ax = plot_holdout(table, lang="de")
    actual, expected = ax.containers
    assert [p.get_height() for p in actual] == [0.5, 2.0]
    assert [p.get_height() for p in expected] == [0.4, 1.5]
    assert ax.get_xlabel() == "Wiederkäufe im Kalibrierungszeitraum"

    ax = plot_frequency_spend(pd.DataFrame({"frequency": [0, 1, 2, 3], "monetary_value": [0.0, 5.0, 6.0, -1.0]}))
    assert len(ax.collections[0].get_offsets()) == 2  # only repeat buyers with positive spend

    ax = plot_p_alive(pd.DataFrame({"p_alive": [0.01, 0.02, 0.5, 1.0, 1.0]}))
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 20 and heights[0] == 2 and heights[10] == 1 and heights[-1] == 2


# --------------------------------------------------------------------------- the sample business


@pytest.fixture(scope="module")
def sample_truth():
    path = ROOT / "data" / "sample" / "truth" / "customers_truth.csv"
    if not path.exists():
        pytest.skip("data/sample/truth/customers_truth.csv is not there yet")
    return pd.read_csv(path, dtype={"customer_id": str})


def _auc(high: np.ndarray, low: np.ndarray) -> float:
    """P(a random 'high' customer scores above a random 'low' one), ties count half: all pairs compared."""
    diff = np.asarray(high, float)[:, None] - np.asarray(low, float)[None, :]
    return float((diff > 0).mean() + 0.5 * (diff == 0).mean())


@pytest.fixture(scope="module")
def sample_value(sample_truth, sample_data, sample_config):
    cv = customer_value(sample_data.orders, as_of="2026-10-01", settings=sample_config.clv)
    return cv.merge(sample_truth, on="customer_id", how="left", validate="one_to_one")


def test_sample_ranks_loyal_above_lapsed(sample_value):
    m = sample_value
    loyal, lapsed = m[m["loyal"]], m[m["lapsed"]]
    assert len(loyal) > 50 and len(lapsed) > 50
    # seen on the sample of 02:25 UTC: mean P(alive) 0.91 (loyal, n = 400) vs 0.43 (lapsed, n = 1,057)
    assert loyal["p_alive"].mean() > lapsed["p_alive"].mean() + 0.2
    # CLV: AUC 0.97 over all customers
    assert _auc(loyal["clv"], lapsed["clv"]) > 0.8
    # P(alive) is 1 by definition for one-order customers (many lapsed ones), so its ranking is
    # judged among repeat buyers: AUC 0.96 (0.72 with the one-order customers included)
    rep_loyal, rep_lapsed = loyal[loyal["frequency"] > 0], lapsed[lapsed["frequency"] > 0]
    assert _auc(rep_loyal["p_alive"], rep_lapsed["p_alive"]) > 0.8


def test_sample_value_at_risk_flags_planted_customers(sample_value):
    m = sample_value
    planted = m["planted_at_risk_high_value"].astype(bool)
    # the planted high-value customers at risk carry more value at risk than the rest (41 vs 8)
    assert m.loc[planted, "value_at_risk"].mean() > 2 * m.loc[~planted, "value_at_risk"].mean()


def test_sample_only_refunded_customers_have_no_net_spend(sample_value):
    refunded = sample_value[sample_value["only_refunded"].astype(bool)]
    assert len(refunded) > 0
    assert (refunded["monetary_value"] == 0).all()


def test_unidentified_model_raises_with_a_fix():
    # nobody ever bought again: the dropout process cannot be estimated (flat likelihood)
    summary = pd.DataFrame({"frequency": [0] * 50, "recency": [0.0] * 50, "T": np.linspace(1, 40, 50)})
    with pytest.raises(KitError, match=r"BG/NBD: the data do not identify the model.*Fix: .*penaliser"):
        BetaGeo().fit(summary)
    one_order_each = _orders([(f"c{i}", f"2024-0{1 + i % 9}-1{i % 10}", 10.0, 0.0) for i in range(40)])
    result = clv_predicted(one_order_each, as_of="2025-01-01", settings=CLVSettings())
    assert not result.has_data and "models could not be fitted" in result.note


def test_unidentified_model_is_a_model_fit_error_and_clv_predicted_says_why():
    # 20 customers with one order each: no repeat purchase, so nothing identifies the BG/NBD dropout process
    from kit.data.config import CLVSettings
    from kit.errors import ModelFitError

    orders = pd.DataFrame({"order_id": [str(i) for i in range(20)], "customer_id": [f"c{i}" for i in range(20)],
                           "order_date": pd.date_range("2026-01-01", periods=20, freq="D"), "revenue": 10.0,
                           "refund_amount": 0.0})
    with pytest.raises(ModelFitError, match="do not identify the model.*Fix: use more customers"):
        customer_value(orders, as_of=pd.Timestamp("2026-06-01"), settings=CLVSettings())
    result = clv_predicted(orders, as_of=pd.Timestamp("2026-06-01"), settings=CLVSettings())
    assert result.n == 0 and "models could not be fitted" in result.note


def test_clv_predicted_note_in_english_and_german(simulated_orders):
    settings = CLVSettings(margin=0.35, annual_discount_rate=0.08, horizon_months=24, time_unit="W")
    english = clv_predicted(simulated_orders, as_of="2025-01-01", settings=settings, n_draws=10)
    german = clv_predicted(simulated_orders, as_of="2025-01-01", settings=settings, n_draws=10, lang="de")
    assert english.note == ("interval: parametric bootstrap of the model parameters (10 draws, seed 0, 3-month steps); "
                            "24 months, margin 35%, 8.0% a year discount, time unit W")
    assert german.note == ("Intervall: parametrischer Bootstrap der Modellparameter (10 Ziehungen, Seed 0, "
                           "Schritte von 3 Monaten); 24 Monate, Marge 35\u00a0%, Diskontsatz 8,0\u00a0% p. a., "
                           "Zeiteinheit Woche")
    assert german.value == english.value and german.ci_low == english.ci_low
    assert clv_predicted(None, as_of="2025-01-01", settings=settings, lang="de").note == \
        "keine Bestelldaten: prognostizierter Kundenwert entfällt"


def test_gamma_gamma_objective_is_the_row_by_row_formula_to_the_last_bit():
    # the fit evaluates gammaln/digamma once per distinct x and gathers them back; the value and the gradient
    # must be the very numbers of the row-by-row formulas (so fitted parameters, and the KPIs, do not move)
    from scipy.special import digamma

    from kit.models.clv import _gg_loglik
    from kit.models.clv._fitting import _dot
    from kit.models.clv.models import _gg_objective

    rng = np.random.default_rng(3)
    x = rng.integers(1, 9, 500).astype(float)
    m = rng.gamma(2.0, 15.0, 500)
    w = rng.integers(1, 4, 500).astype(float)
    for lp in (np.log([6.25, 3.74, 15.44]), np.array([0.1, -0.3, 2.0])):
        p, q, v = np.exp(lp)
        px = p * x
        lxm = np.log(x * m + v)
        grad = np.einsum("ki,i->k", np.stack([
            x * (digamma(px + q) - digamma(px) + np.log(m) + np.log(x) - lxm),
            digamma(px + q) - digamma(q) + np.log(v) - lxm,
            q / v - (px + q) / (x * m + v)]), w)
        value, gradient = _gg_objective(x, m, w, 0.01)(lp)
        pen = np.exp(lp)
        assert value == -_dot(w, _gg_loglik(pen, x, m)) / w.sum() + 0.01 * float(pen @ pen)
        assert np.array_equal(gradient, -(grad / w.sum()) * pen + 0.01 * 2 * pen * pen)
        # and the gathered log-likelihood terms equal a plain per-row evaluation with math.lgamma
        assert _gg_loglik(pen, x[:3], m[:3]) == pytest.approx(
            [math.lgamma(p * a + q) - math.lgamma(p * a) - math.lgamma(q) + q * math.log(v)
             + (p * a - 1) * math.log(b) + p * a * math.log(a) - (p * a + q) * math.log(a * b + v)
             for a, b in zip(x[:3], m[:3], strict=True)], rel=1e-12)
