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
