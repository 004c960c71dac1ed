"""Interval and test helpers of kit.metrics._stats against hand arithmetic and independent libraries."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats
from statsmodels.stats.proportion import proportion_confint

from kit.metrics._stats import (
    Z95,
    binomial_se,
    difference_test,
    mean_result,
    mean_t_interval,
    median_interval,
    normal_interval,
    poisson_interval,
    share_interval,
    share_result,
    z_critical,
)


def test_z_critical():
    # published table value: the 97.5 % normal quantile is 1.959964; the 95 % one 1.644854
    assert Z95 == pytest.approx(1.959964, abs=1e-6)
    assert z_critical(0.90) == pytest.approx(1.644854, abs=1e-6)


def test_share_interval_two_of_four_by_hand():
    # z^2 = 3.8415: ñ = 7.8415, p̃ = (2 + 1.92073) / 7.8415 = .5; half = 1.96 sqrt(.25 / 7.8415) = .34997
    low, high = share_interval(2, 4)
    assert low == pytest.approx(0.15003, abs=1e-4)
    assert high == pytest.approx(0.84997, abs=1e-4)


def test_share_interval_one_of_hundred_by_hand():
    # p̃ = (1 + 1.92073) / 103.8415 = .028129; half = 1.96 sqrt(.028129 x .971871 / 103.8415) = .031797
    low, high = share_interval(1, 100)
    assert (low, high) == pytest.approx((0.0, 0.059926), abs=1e-5)   # the lower bound clipped at 0
    # Wilson's lower bound, .00177, was above 0 but its coverage at a 1 % share with n = 100 is 92.1 %


@pytest.mark.parametrize(("k", "n"), [(0, 7), (1, 10), (37, 120), (120, 120), (999, 1000), (3, 100)])
def test_share_interval_matches_statsmodels(k, n):
    low, high = share_interval(k, n)
    ref_low, ref_high = proportion_confint(k, n, alpha=0.05, method="agresti_coull")
    assert (low, high) == pytest.approx((ref_low, ref_high), abs=1e-12)
    # it always contains the Wilson interval (Brown, Cai & DasGupta 2001)
    w_low, w_high = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert low <= w_low + 1e-12 and high >= w_high - 1e-12


@pytest.mark.parametrize("n", [30, 50, 100, 300])
def test_share_interval_exact_coverage_holds_everywhere(n):
    # exact coverage, summed over the binomial distribution, for shares 0.1 % ... 99.9 %: at least 93 %
    # (Wilson dips to 89.9 % at n = 30 and 92.1 % at a 1 % share with n = 100)
    k = np.arange(n + 1)
    bounds = np.array([share_interval(int(j), n) for j in k])
    shares = np.linspace(0.001, 0.999, 999)
    pmf = stats.binom.pmf(k[None, :], n, shares[:, None])
    covers = (bounds[:, 0][None, :] <= shares[:, None] + 1e-12) & (shares[:, None] <= bounds[:, 1][None, :] + 1e-12)
    coverage = (pmf * covers).sum(axis=1)
    assert coverage.min() >= 0.93
    wilson = np.array(proportion_confint(k, n, alpha=0.05, method="wilson")).T
    at_1 = stats.binom.pmf(k, n, 0.01) @ ((wilson[:, 0] <= 0.01) & (0.01 <= wilson[:, 1]))
    if n == 100:
        assert at_1 == pytest.approx(0.921, abs=1e-3)


def test_share_interval_and_se_without_trials_are_nan():
    assert all(math.isnan(b) for b in share_interval(0, 0))
    assert math.isnan(binomial_se(0, 0))


def test_binomial_se_by_hand():
    # p = 3/10: sqrt(.3 * .7 / 10) = sqrt(.021) = .144914
    assert binomial_se(3, 10) == pytest.approx(0.144914, abs=1e-6)


def test_mean_t_interval_matches_scipy():
    x = np.array([2.0, 4.0, 4.0, 5.0, 7.0, 9.0])
    mean, se, low, high = mean_t_interval(x)
    # mean 31/6; sd (n-1) from the deviations; scipy's t interval as the oracle
    assert mean == pytest.approx(31 / 6)
    assert se == pytest.approx(stats.sem(x))
    ref = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert (low, high) == pytest.approx(ref)


def test_mean_t_interval_small_samples():
    mean, se, low, high = mean_t_interval(np.array([3.0]))
    assert mean == 3.0 and all(math.isnan(v) for v in (se, low, high))
    assert math.isnan(mean_t_interval(np.array([]))[0])


def test_median_interval_order_statistics():
    # n = 10: binom(10, .5) cdf(1) = 11/1024 = .0107 <= .025, cdf(2) = 56/1024 = .0547 -> rank 2
    # interval [x_(2), x_(9)] with coverage 1 - 2*11/1024 = .9785; the order of the input does not matter
    x = np.array([7.0, 1.0, 10.0, 3.0, 5.0, 2.0, 9.0, 4.0, 8.0, 6.0])
    assert median_interval(x) == (2.0, 9.0)
    assert all(math.isnan(v) for v in median_interval(np.arange(5.0)))  # n = 5: 1/32 > .025, no interval
    assert all(math.isnan(v) for v in median_interval(np.array([])))


def test_median_interval_against_coverage_oracle():
    for n in (6, 7, 20, 57, 200):
        x = np.arange(1.0, n + 1)
        ranks = [r for r in range(1, n // 2 + 1) if 1 - 2 * stats.binom.cdf(r - 1, n, 0.5) >= 0.95]
        assert median_interval(x) == (float(max(ranks)), float(n - max(ranks) + 1))
    # an 80 % level gives a narrower interval: n = 10, P(B <= 2) = 56/1024 = .0547 <= .10,
    # P(B <= 3) = 176/1024 = .172 > .10 -> ranks 3 and 8
    assert median_interval(np.arange(1.0, 11.0), level=0.80) == (3.0, 8.0)


@pytest.mark.parametrize("count", [0, 1, 4, 25])
def test_poisson_interval_matches_root_finding(count):
    low, high = poisson_interval(count)
    # oracle: the exact bounds solve P(X >= k; lo) = .025 and P(X <= k; hi) = .025
    ref_high = optimize.brentq(lambda m: stats.poisson.cdf(count, m) - 0.025, 1e-9, 100)
    assert high == pytest.approx(ref_high, rel=1e-8)
    if count == 0:
        assert low == 0.0
    else:
        ref_low = optimize.brentq(lambda m: stats.poisson.sf(count - 1, m) - 0.025, 1e-9, 100)
        assert low == pytest.approx(ref_low, rel=1e-8)


def test_normal_interval_by_hand():
    # 10 ± 1.959964 * 2
    assert normal_interval(10.0, 2.0) == pytest.approx((6.080072, 13.919928), abs=1e-6)


def test_difference_test_by_hand():
    # se = sqrt(1.2^2 + 1.6^2) = sqrt(1.44 + 2.56) = 2; z = 3 / 2 = 1.5; p = 2 (1 - Phi(1.5)) = .133614
    se, z, p = difference_test(3.0, 1.2, 1.6)
    assert se == pytest.approx(2.0)
    assert z == pytest.approx(1.5)
    assert p == pytest.approx(0.133614, abs=1e-6)


@pytest.mark.parametrize(("se1", "se2"), [(0.0, 0.0), (math.nan, 1.0), (math.inf, 1.0)])
def test_difference_test_without_variance_is_nan(se1, se2):
    _, z, p = difference_test(1.0, se1, se2)
    assert math.isnan(z) and math.isnan(p)


def test_share_result_carries_its_interval_and_se():
    r = share_result("return_rate", 3, 10, note="n", extras={"x": 1})
    assert (r.kpi, r.value, r.n, r.unit, r.note, r.extras) == ("return_rate", 0.3, 10, "share", "n",
                                                               {"count": 3, "x": 1})
    assert (r.ci_low, r.ci_high) == pytest.approx(proportion_confint(3, 10, method="agresti_coull"), abs=1e-12)
    assert r.se == pytest.approx(0.144914, abs=1e-6)  # sqrt(.3 * .7 / 10)
    assert share_result("return_rate", 3, 10, definition="mine").definition == "mine"


def test_mean_result_carries_t_interval():
    # mean of 30 and 50 = 40; sd = 14.142, se = 10; t(.975, 1) = 12.706 -> 40 ± 127.06
    r = mean_result("average_order_value", np.array([30.0, 50.0]))
    assert (r.value, r.n, r.se) == (40.0, 2, pytest.approx(10.0))
    assert r.ci_low == pytest.approx(40 - 127.062, abs=1e-3)


@pytest.mark.parametrize("n", [1, 7, 100, 1000, 12345])
def test_share_interval_edges_are_exact(n):
    # k = 0: the interval starts exactly at 0 (was 3.5e-18 at n = 100, which made plot_churn_trend's
    # lower error bar negative); k = n: it ends exactly at 1. Inside, the bounds hold the point estimate.
    low, high = share_interval(0, n)
    assert low == 0.0 and 0.0 < high < 1.0
    low, high = share_interval(n, n)
    assert high == 1.0 and 0.0 < low < 1.0
    ref_low, _ = proportion_confint(n, n, alpha=0.05, method="agresti_coull")
    assert low == pytest.approx(ref_low, abs=1e-12)
