"""Intervals that hold at the edges: bounded means, ratios of sums, clustered means (hand arithmetic, oracles)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from kit.metrics._bounded import bounded_mean_interval, cluster_mean_interval, ratio_interval
from kit.metrics.survey import star_rating
from kit.metrics.value import refund_share
from kit.plan.scorecards import kpi_status

Z = stats.norm.ppf(0.975)


def test_twelve_five_star_ratings_are_not_an_interval_of_zero_width():
    # regression: a t interval gave [5, 5] and status "met" against 4.5.
    # y = 1 for all twelve; y~ = (12 + 1.92073) / 15.84146 = 0.87875; s~^2 = y~ (1 - y~) = 0.10655 (two-point),
    # se~ = sqrt(0.10655 / 15.84146) = 0.08201, half 0.16074 -> 0.71801 .. 1 -> 1 + 4 x 0.71801 = 3.872 .. 5
    r = star_rating(pd.Series([5] * 12))
    assert r.value == 5.0 and r.n == 12
    assert (r.ci_low, r.ci_high) == pytest.approx((3.872, 5.0), abs=1e-3)
    assert kpi_status(r.value, r.ci_low, r.ci_high, n=r.n, target=4.5, direction="higher") == "inconclusive"


@pytest.mark.parametrize(("k", "n"), [(0, 30), (3, 30), (27, 30), (30, 30), (50, 100), (990, 1000)])
def test_two_point_answers_give_the_agresti_coull_interval(k, n):
    # oracle: statsmodels' Agresti-Coull interval of the share of fives among answers 1 and 5
    values = np.array([5.0] * k + [1.0] * (n - k))
    _, _, low, high = bounded_mean_interval(values, 1, 5)
    ac_low, ac_high = proportion_confint(k, n, alpha=0.05, method="agresti_coull")
    assert (low, high) == pytest.approx((1 + 4 * ac_low, 1 + 4 * ac_high), abs=1e-9)


def test_bounded_mean_is_close_to_the_t_interval_for_large_central_samples():
    rng = np.random.default_rng(3)
    values = rng.choice([1.0, 2.0, 3.0, 4.0, 5.0], size=5000, p=[0.1, 0.15, 0.25, 0.3, 0.2])
    mean, se, low, high = bounded_mean_interval(values, 1, 5)
    assert mean == pytest.approx(values.mean()) and se == pytest.approx(values.std(ddof=1) / math.sqrt(5000))
    t_half = stats.t.ppf(0.975, 4999) * se
    assert (high - low) / 2 == pytest.approx(t_half, rel=0.01)   # z^2 = 3.8 pseudo-answers among 5,000
    assert (low + high) / 2 == pytest.approx(mean, abs=0.01)


def test_bounded_mean_few_answers_and_bad_scale():
    assert all(math.isnan(v) for v in bounded_mean_interval(np.array([]), 1, 5))
    mean, se, low, high = bounded_mean_interval(np.array([4.0]), 1, 5)
    assert mean == 4.0 and math.isnan(se) and math.isnan(low) and math.isnan(high)
    with pytest.raises(ValueError, match="low < high"):
        bounded_mean_interval(np.array([1.0, 2.0]), 5, 5)


def test_no_refund_in_30_orders_is_not_zero_zero():
    # regression: the delta-method interval was [0, 0] (a quarter of samples of 30 orders).
    # R~ = 1.92073 x 40 / (1200 + 3.84146 x 40) = 0.05676; residuals -R~ g (30 x 2.2704^2 = 154.64), pseudo
    # c (2.2704)^2 = 9.90 and c (37.7296)^2 = 2734.24: V = 2898.78 / 33.84146^2 / 40^2 -> se~ 0.03977,
    # half 0.07795 -> 0 .. 0.1347
    orders = pd.DataFrame({"order_date": pd.Timestamp("2026-07-01"), "revenue": np.full(30, 40.0),
                           "refund_amount": np.zeros(30)})
    r = refund_share(orders)
    assert r.value == 0.0 and r.se == 0.0
    assert r.ci_low == 0.0 and r.ci_high == pytest.approx(0.1347, abs=1e-3)
    assert kpi_status(r.value, r.ci_low, r.ci_high, n=r.n, target=0.03, direction="lower") == "inconclusive"


@pytest.mark.parametrize(("k", "n"), [(0, 30), (2, 30), (10, 100), (100, 100)])
def test_full_refunds_of_equal_orders_give_the_agresti_coull_interval(k, n):
    gross = np.full(n, 25.0)
    refund = np.where(np.arange(n) < k, gross, 0.0)
    ratio, _, low, high = ratio_interval(refund, gross)
    ac_low, ac_high = proportion_confint(k, n, alpha=0.05, method="agresti_coull")
    assert ratio == pytest.approx(k / n) and (low, high) == pytest.approx((ac_low, ac_high), abs=1e-9)


def test_ratio_interval_without_gross_revenue():
    assert all(math.isnan(v) for v in ratio_interval(np.array([1.0]), np.array([0.0])))


def test_cluster_mean_of_singletons_is_the_t_interval():
    x = np.array([3.0, 7.0, 8.0, 10.0])   # mean 7, sd sqrt(26/3), se = sqrt(26/3) / 2 = 1.472
    mean, se, low, high, g = cluster_mean_interval(x, None)
    assert (mean, g) == (7.0, 4) and se == pytest.approx(math.sqrt(26 / 3) / 2)
    # the interval on the log scale: 7 exp(∓ t(3) se / 7), t(3) = 3.1824 -> 7 exp(∓ 0.66920) = 3.5848, 13.6688
    assert low == pytest.approx(7 * math.exp(-stats.t.ppf(0.975, 3) * se / 7))
    assert (low, high) == pytest.approx((3.5848, 13.6688), abs=1e-3)
    same = cluster_mean_interval(x, np.array(["a", "b", "c", "d"]))
    assert same[1] == pytest.approx(se)


def test_cluster_mean_interval_of_a_mean_at_or_below_zero_is_symmetric():
    # net order values can be negative: mean -1, the plain t interval -1 ± t(3) se
    x = np.array([-6.0, -2.0, 1.0, 3.0])   # deviations -5, -1, 2, 4: sd sqrt(46/3) = 3.9158, se 1.9579
    mean, se, low, high, _ = cluster_mean_interval(x, None)
    assert mean == -1.0 and se == pytest.approx(math.sqrt(46 / 3) / 2)
    assert (low, high) == pytest.approx((-1 - stats.t.ppf(0.975, 3) * se, -1 + stats.t.ppf(0.975, 3) * se))


def test_cluster_mean_missing_cluster_is_its_own_and_one_cluster_has_no_interval():
    x = np.array([10.0, 30.0, 20.0, 40.0])
    # customers a, a, None, None: the two without an id are clusters of their own -> G = 3
    # jackknife: leave out a 60/2 = 30, the 20: 80/3 = 26.667, the 40: 60/3 = 20; their mean 25.556,
    # squared deviations 19.753 + 1.235 + 30.864 = 51.852; se^2 = 2/3 x 51.852 = 34.568
    _, se, _, _, g = cluster_mean_interval(x, np.array(["a", "a", None, None], dtype=object))
    assert g == 3 and se == pytest.approx(math.sqrt(2 / 3 * 51.85185), rel=1e-5)
    mean, se, low, _, g = cluster_mean_interval(x, np.array(list("aaaa")))
    assert mean == 25.0 and g == 1 and math.isnan(se) and math.isnan(low)


def test_cluster_se_matches_simulation():
    # independent check: customers with a customer effect; sd of the mean over many samples
    rng = np.random.default_rng(5)

    def draw() -> tuple[np.ndarray, np.ndarray]:
        sizes = rng.integers(1, 6, 300)
        ids = np.repeat(np.arange(300), sizes)
        effect = rng.normal(0, 10, 300)[ids]
        return 40 + effect + rng.normal(0, 10, ids.size), ids

    means = [draw()[0].mean() for _ in range(400)]
    ses = [cluster_mean_interval(*draw())[1] for _ in range(60)]
    assert np.mean(ses) == pytest.approx(np.std(means), rel=0.12)


# --------------------------------------------------------------------------- the history-calibrated interval
from kit.metrics import _bounded  # noqa: E402  (the constants the oracle re-uses)


def _quantile_levels(mean: float, se: float, low: float, high: float) -> tuple[float, float]:
    """The q_high and q_low an interval mean x exp(-q_high se / mean) .. mean x exp(-q_low se / mean) used."""
    return -math.log(low / mean) * mean / se, -math.log(high / mean) * mean / se


def _jackknife(sums: np.ndarray, sizes: np.ndarray) -> tuple[float, float]:
    """The ratio mean and CR3 se of one resample, by explicit leave-one-out loops."""
    g = len(sums)
    left_out = [(sums.sum() - sums[i]) / (sizes.sum() - sizes[i]) for i in range(g)]
    centre = sum(left_out) / g
    return sums.sum() / sizes.sum(), math.sqrt((g - 1) / g * sum((v - centre) ** 2 for v in left_out))


def test_calibrated_quantiles_match_full_enumeration_of_a_tiny_history():
    # history: 4 customer-periods, sums 10, 40, 100, 25 over 1, 2, 1, 1 orders (ratio mean 175 / 5 = 35).
    # A period of 5 customers resamples 5 of them: all 4^5 = 1,024 resamples are equally likely, so the exact
    # distribution of t* = (log m* - log 35) / (se* / m*) is known; the 4 resamples of one customer repeated
    # have se* = 0 and are left out. The kit's 999 random draws must put its quantiles between the exact
    # distribution's 1.5 % and 3.5 % quantiles (and 96.5 % / 98.5 %): the sampling error of a quantile's level
    # at 999 draws is about 0.005.
    hist_sums, hist_sizes = np.array([10.0, 40.0, 100.0, 25.0]), np.array([1.0, 2.0, 1.0, 1.0])
    exact = []
    for picks in np.ndindex(4, 4, 4, 4, 4):
        m, se = _jackknife(hist_sums[list(picks)], hist_sizes[list(picks)])
        if se > 0:
            exact.append((math.log(m) - math.log(35.0)) / (se / m))
    assert len(exact) == 1020
    # a period: customers p..t (q with two orders)
    values = np.array([10.0, 20.0, 20.0, 100.0, 10.0, 40.0])
    clusters = np.array(list("pqqrst"))
    mean, se, low, high, g = cluster_mean_interval(values, clusters, history=(hist_sums, hist_sizes))
    assert g == 5 and mean == pytest.approx(200 / 6)
    q_high, q_low = _quantile_levels(mean, se, low, high)
    below = np.quantile(exact, [0.015, 0.035], method="inverted_cdf")
    above = np.quantile(exact, [0.965, 0.985], method="inverted_cdf")
    assert below[0] <= q_low <= below[1]
    assert above[0] <= q_high <= above[1]


def test_calibrated_interval_equals_a_loop_oracle_with_the_same_draws():
    # the same seeded draws as the kit, every resample's mean and jackknife se by loops, np.quantile on the t*
    rng = np.random.default_rng(3)
    hist_sizes = rng.integers(1, 5, 40).astype(float)
    hist_sums = hist_sizes * rng.lognormal(3.5, 1.0, 40)
    values = rng.lognormal(3.5, 1.0, 14)
    clusters = np.repeat(np.arange(7), 2)
    mean, se, low, high, g = cluster_mean_interval(values, clusters, history=(hist_sums, hist_sizes))
    picks = np.random.default_rng(_bounded.CALIBRATION_SEED).integers(40, size=(_bounded.CALIBRATION_DRAWS, 7))
    truth = hist_sums.sum() / hist_sizes.sum()
    t = []
    for row in picks:
        m, s = _jackknife(hist_sums[row], hist_sizes[row])
        t.append((math.log(m) - math.log(truth)) / (s / m))
    q_low, q_high = np.quantile(t, [0.025, 0.975])
    assert (low, high) == pytest.approx((mean * math.exp(-q_high * se / mean), mean * math.exp(-q_low * se / mean)),
                                        rel=1e-10)
    # the same data give the same interval (fixed seed), and money in cents scales it exactly
    assert cluster_mean_interval(values, clusters, history=(hist_sums, hist_sizes))[2:4] == (low, high)
    cents = cluster_mean_interval(100 * values, clusters, history=(100 * hist_sums, hist_sizes))
    assert cents[2:4] == pytest.approx((100 * low, 100 * high), rel=1e-10)


def test_calibrated_interval_is_wider_above_when_the_history_has_big_buyers():
    # the period's 10 customers bought 30-50 each; the history also holds two customers of 2,000. The t
    # interval cannot know them; the history-calibrated one reaches further up than down, and further up than
    # the t interval.
    values = np.linspace(30.0, 50.0, 10)
    ids = np.arange(10)
    hist_sums = np.r_[np.linspace(30.0, 50.0, 38), 2000.0, 2000.0]
    mean, se, low, high, _ = cluster_mean_interval(values, ids, history=(hist_sums, np.ones(40)))
    t = stats.t.ppf(0.975, 9)
    assert high > mean * math.exp(t * se / mean)
    assert high / mean > mean / low


def test_without_spread_in_the_history_or_with_few_customers_the_t_quantiles_stay():
    values, ids = np.array([30.0, 40.0, 50.0, 60.0, 70.0, 20.0]), np.arange(6)
    # a history of one repeated customer-period: every resample has se 0, nothing to learn
    mean, se, low, high, _ = cluster_mean_interval(values, ids, history=(np.full(20, 45.0), np.ones(20)))
    t = stats.t.ppf(0.975, 5)
    assert (low, high) == pytest.approx((mean * math.exp(-t * se / mean), mean * math.exp(t * se / mean)))
    # four customers: below CALIBRATION_CLUSTERS_MIN the history is not used
    assert _bounded.CALIBRATION_CLUSTERS_MIN == 5
    few = cluster_mean_interval(values[:4], ids[:4], history=(np.r_[values, 5000.0], np.ones(7)))
    plain = cluster_mean_interval(values[:4], ids[:4])
    assert few == plain
