"""Change tests calibrated under no change, and multiplicity corrections (hand arithmetic, oracles)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from kit.metrics._boschloo import boschloo_p_value
from kit.metrics._change import (
    benjamini_hochberg,
    cluster_sums,
    cluster_totals,
    clustered_mean_change_test,
    holm,
    mean_change_test,
    nps_change_test,
    rate_change_test,
    ratio_change_test,
    share_change_test,
    wald_change_test,
)
from kit.metrics.survey import compare_nps


def test_twenty_of_twenty_promoters_against_nps_90_is_not_significant():
    # regression: with each period's own variance (0 for 20/20 promoters) p was 0.00009, though 20 of 20
    # promoters happen in 12-19 % of samples of 20 at NPS 90 (0.90^20 = 0.12 with no detractors).
    # pooled: p0 = 200/220 = 0.90909, d0 = 0; V0 = (0.90909 - 0.82645)(1/20 + 1/200) = 0.0045455;
    # z = (1.0 - 0.9) / 0.067420 = 1.4832, p = 0.138
    z, p = nps_change_test(20, 0, 20, 180, 0, 200)
    assert z == pytest.approx(1.4832, abs=1e-4) and p == pytest.approx(0.1380, abs=1e-3)
    r = compare_nps(pd.Series([10] * 20), pd.Series([10] * 180 + [8] * 20))
    assert r.extras["p_value"] == pytest.approx(p) and r.value == pytest.approx(10)


def test_nps_change_test_without_any_variation():
    assert all(math.isnan(v) for v in nps_change_test(10, 0, 10, 30, 0, 30))   # all promoters twice
    assert all(math.isnan(v) for v in nps_change_test(0, 0, 0, 3, 0, 3))


def test_mean_change_test_by_hand_and_against_the_pooled_t_test():
    a = np.array([5.0, 4.0, 5.0, 3.0])
    b = np.array([4.0, 4.0, 2.0, 3.0, 5.0, 3.0])
    t, p = mean_change_test(a.mean(), a.std(ddof=1), 4, b.mean(), b.std(ddof=1), 6)
    # m1 4.25, m2 3.5; SS1 = 2.75, SS2 = 5.5, between 4 x 6 / 10 x 0.5625 = 1.35 -> s0^2 = 9.6 / 9 = 1.0667
    # t = 0.75 / sqrt(1.0667 x (1/4 + 1/6)) = 0.75 / 0.66667 = 1.125, df 8
    assert t == pytest.approx(1.125) and p == pytest.approx(2 * stats.t.sf(1.125, 8))
    # oracle: the variance around the common mean is the two-sample variance plus the between part, so
    # t is smaller than the classic pooled t (scipy, equal_var) for the same data
    classic = stats.ttest_ind(a, b, equal_var=True)
    assert abs(t) < abs(classic.statistic)


def test_mean_change_test_does_not_collapse_at_zero_variance():
    # twelve five-star ratings against 300 with mean 4.85 and sd 0.4 (see the docstring): t = 1.296, p 0.20
    t, p = mean_change_test(5.0, 0.0, 12, 4.85, 0.4, 300)
    assert t == pytest.approx(1.296, abs=1e-3) and 0.15 < p < 0.25
    # Welch with the plug-in variances would give t = 0.15 / (0.4 / sqrt(300)) = 6.5
    assert all(math.isnan(v) for v in mean_change_test(5.0, 0.0, 12, 5.0, 0.0, 30))


def test_ratio_change_test_by_hand():
    # period 1: refunds 10 of 100 gross on 2 orders; period 2: 0 of 100 on 2 orders (orders 50 + 50,
    # refund 10 on one): R0 = 0.05; sum e^2 = 100 - 2 x 0.05 x 500 + 0.0025 x 10000 = 75; s0^2 = 75 / 3 = 25;
    # g = 50 -> var = 25 / 2500 x (1/2 + 1/2) = 0.01 -> z = 0.1 / 0.1 = 1
    z, p = ratio_change_test((2, 10, 100, 100, 500, 5000), (2, 0, 100, 0, 0, 5000))
    assert z == pytest.approx(1.0) and p == pytest.approx(2 * stats.norm.sf(1.0))
    assert math.isnan(ratio_change_test((2, 0, 100, 0, 0, 5000), (2, 0, 100, 0, 0, 5000))[1])
    # with the refunded counts (1 of 2 and 0 of 2): expected 2 x 1 / 4 = 0.5 < 5 refunded orders -> Fisher
    z, p = ratio_change_test((2, 10, 100, 100, 500, 5000, 1), (2, 0, 100, 0, 0, 5000, 0))
    assert z == pytest.approx(1.0) and p == pytest.approx(stats.fisher_exact([[1, 1], [0, 2]])[1])


def test_rate_change_test_is_the_exact_binomial_test():
    # 30 complaints on 1,000 orders against 10 on 1,000: k1 | 40 ~ Binomial(40, 0.5)
    ratio, p = rate_change_test(30, 1000, 10, 1000)
    assert ratio == 3.0 and p == pytest.approx(stats.binomtest(30, 40, 0.5).pvalue)
    assert math.isnan(rate_change_test(0, 100, 0, 200)[1])


def test_wald_change_test_welch_degrees_of_freedom():
    # se 1 and 2 with 4 and 9 df: df = (1 + 4)^2 / (1/4 + 16/9) = 25 / 2.02778 = 12.329; t = 3 / sqrt(5)
    t, p = wald_change_test(3.0, 1.0, 4, 2.0, 9)
    assert t == pytest.approx(3 / math.sqrt(5))
    assert p == pytest.approx(2 * stats.t.sf(3 / math.sqrt(5), 25 / (0.25 + 16 / 9)))
    assert math.isnan(wald_change_test(1.0, 0.0, 5, 0.0, 5)[1])


@pytest.mark.parametrize("p_values", [[0.01, 0.04, 0.03, 0.005], [0.2, 0.5, 0.001, 0.049, 0.3, 0.8, 0.02],
                                      [0.5]])
def test_holm_and_bh_match_statsmodels(p_values):
    assert holm(p_values) == pytest.approx(multipletests(p_values, method="holm")[1])
    assert benjamini_hochberg(p_values) == pytest.approx(multipletests(p_values, method="fdr_bh")[1])


def test_holm_by_hand_skips_nan():
    # m = 3 (the NaN does not count): 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 -> max(0.04, 0.06) = 0.06
    out = holm([0.01, 0.04, math.nan, 0.03])
    assert out[[0, 1, 3]].tolist() == pytest.approx([0.03, 0.06, 0.06]) and math.isnan(out[2])
    assert holm([]).size == 0 and math.isnan(benjamini_hochberg([math.nan])[0])


def test_share_change_test_exact_up_to_200_z_and_fisher_beyond():
    # 60/100 vs 50/100: pooled 0.55, z = 0.1 / sqrt(0.55 x 0.45 x 0.02) = 1.4213; 101 x 101 tables: Boschloo
    z, p = share_change_test(60, 100, 50, 100)
    assert z == pytest.approx(0.1 / math.sqrt(0.55 * 0.45 * 0.02))
    assert p == pytest.approx(stats.boschloo_exact([[60, 50], [40, 50]]).pvalue, abs=1e-9)
    # 1 of 30 against 1 of 300 (31 x 301 tables): Boschloo too
    assert share_change_test(1, 30, 1, 300)[1] == pytest.approx(stats.boschloo_exact([[1, 1], [29, 299]]).pvalue,
                                                                abs=1e-9)
    # 300/500 vs 250/500: 501 x 501 tables -> the pooled z-test; pooled 0.55, se sqrt(0.55 x 0.45 x 0.004)
    z, p = share_change_test(300, 500, 250, 500)
    assert z == pytest.approx(0.1 / math.sqrt(0.55 * 0.45 * 0.004)) and p == pytest.approx(2 * stats.norm.sf(z))
    # 1 of 300 against 1 of 3000: expected 300 x 2/3300 = 0.18 < 5 -> Fisher's exact p
    assert share_change_test(1, 300, 1, 3000)[1] == pytest.approx(stats.fisher_exact([[1, 299], [1, 2999]])[1])
    assert math.isnan(share_change_test(0, 30, 0, 300)[1])


@pytest.mark.parametrize(("k1", "n1", "k2", "n2"), [(7, 12, 2, 12), (0, 30, 6, 30), (14, 30, 19, 30),
                                                    (50, 100, 36, 100), (3, 30, 12, 300), (150, 200, 130, 200)])
def test_boschloo_p_value_matches_scipy(k1, n1, k2, n2):
    expected = stats.boschloo_exact([[k1, k2], [n1 - k1, n2 - k2]]).pvalue
    assert boschloo_p_value(k1, n1, k2, n2) == pytest.approx(expected, abs=1e-9)


def test_share_change_test_holds_its_level_exactly_where_z_did_not():
    # exact size at a 50 % share, 100 vs 100, summed over every table: the z-test rejects 5.60 %, the test 5 % or less
    k = np.arange(101)
    weights = np.outer(stats.binom.pmf(k, 100, 0.5), stats.binom.pmf(k, 100, 0.5))
    z_rejects = np.zeros((101, 101), dtype=bool)
    rejects = np.zeros((101, 101), dtype=bool)
    for a in k:
        for b in k:
            if a + b in (0, 200):
                continue
            pooled = (a + b) / 200
            z = (a - b) / 100 / math.sqrt(pooled * (1 - pooled) * 0.02)
            z_rejects[a, b] = 2 * stats.norm.sf(abs(z)) < 0.05
            rejects[a, b] = share_change_test(int(a), 100, int(b), 100)[1] < 0.05
    assert (weights * z_rejects).sum() == pytest.approx(0.0560, abs=1e-4)
    assert (weights * rejects).sum() <= 0.05


def test_clustered_mean_change_test_by_hand():
    # sample 1: customers a (10, 30) and b (20); sample 2: c (40) and d (20, 20)
    s1 = cluster_sums(np.array([10.0, 30.0, 20.0]), np.array([0, 0, 1]))
    s2 = cluster_sums(np.array([40.0, 20.0, 20.0]), np.array([0, 1, 1]))
    assert s1 == (2, 3, 60.0, 40.0**2 + 20.0**2, 40.0 * 2 + 20.0, 5.0)
    # mu0 = 140 / 6 = 23.333; residual cluster sums S - n mu0: a 40 - 46.667 = -6.667, b -3.333, c 16.667,
    # d 40 - 46.667 = -6.667; squares 44.44 + 11.11 + 277.78 + 44.44 = 377.78; v0 = 377.78 / 3 = 125.93;
    # var = v0 (2/9 + 2/9) = 55.97; t = (20 - 26.667) / 7.481 = -0.8911, df 2
    t, p = clustered_mean_change_test(s1, s2)
    assert t == pytest.approx(-0.8911, abs=1e-4) and p == pytest.approx(2 * stats.t.sf(0.8911, 2), abs=1e-4)
    assert math.isnan(clustered_mean_change_test((1, 1, 5.0, 25.0, 5.0, 1.0), (1, 1, 5.0, 25.0, 5.0, 1.0))[1])


def _enumerated_permutation_p(values1, codes1, values2, codes2):
    """The exact permutation p-value by enumerating every split of the customers (an independent oracle)."""
    s1, m1 = cluster_totals(values1, codes1)
    s2, m2 = cluster_totals(values2, codes2)
    s, m = np.r_[s1, s2], np.r_[m1, m2]
    g, k = s.size, s1.size
    mu0 = s.sum() / m.sum()
    v0 = np.sum((s - m * mu0) ** 2) / (g - 1)

    def t_of(group):
        rest = [i for i in range(g) if i not in group]
        a, na, b, nb = s[list(group)].sum(), m[list(group)].sum(), s[rest].sum(), m[rest].sum()
        return (a / na - b / nb) / math.sqrt(v0 * (k / na**2 + (g - k) / nb**2))

    observed = abs(t_of(tuple(range(k))))
    splits = list(itertools.combinations(range(g), k))
    return sum(abs(t_of(c)) >= observed - 1e-9 for c in splits) / len(splits)


def test_clustered_mean_change_test_permutes_few_customers_like_full_enumeration():
    # 4 customers against 5: 126 splits, enumerated here; the kit draws 4,999 of them (Monte-Carlo se of p <= 0.007)
    v1, c1 = np.array([12.0, 30.0, 25.0, 18.0, 240.0, 22.0]), np.array([0, 0, 1, 2, 3, 3])
    v2, c2 = np.array([15.0, 20.0, 35.0, 11.0, 14.0, 60.0, 19.0]), np.array([0, 1, 1, 2, 3, 4, 4])
    t, p = clustered_mean_change_test(cluster_sums(v1, c1), cluster_sums(v2, c2),
                                      cluster_totals(v1, c1), cluster_totals(v2, c2))
    assert t == pytest.approx(clustered_mean_change_test(cluster_sums(v1, c1), cluster_sums(v2, c2))[0])
    exact = _enumerated_permutation_p(v1, c1, v2, c2)
    assert p == pytest.approx(exact, abs=0.025)
    # the same data again: the same p-value (fixed seed)
    assert clustered_mean_change_test(cluster_sums(v1, c1), cluster_sums(v2, c2), cluster_totals(v1, c1),
                                      cluster_totals(v2, c2))[1] == p
    # one big buyer (240) in the small sample: the t distribution says 'significant' more readily than permuting
    assert exact > clustered_mean_change_test(cluster_sums(v1, c1), cluster_sums(v2, c2))[1]


def test_clustered_mean_change_test_keeps_the_t_distribution_for_many_customers():
    rng = np.random.default_rng(3)
    v1, c1 = rng.gamma(2.0, 20.0, 900), rng.integers(0, 300, 900)
    v2, c2 = rng.gamma(2.0, 20.0, 900), rng.integers(0, 300, 900)
    s1, s2 = cluster_sums(v1, c1), cluster_sums(v2, c2)
    t, p = clustered_mean_change_test(s1, s2)
    # 300 customers each: more than PERMUTATION_SMALLER_MAX in the smaller sample -> t with G1 + G2 - 2 df
    assert clustered_mean_change_test(s1, s2, cluster_totals(v1, c1), cluster_totals(v2, c2)) == (t, p)
    assert p == pytest.approx(2 * stats.t.sf(abs(t), 598))
