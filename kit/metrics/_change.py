"""Change tests calibrated under "nothing changed", and the multiplicity corrections of a family of tests.

Private helpers of :mod:`kit.metrics` and :mod:`kit.plan` (the interval helpers are in
:mod:`kit.metrics._stats` and :mod:`kit.metrics._bounded`).

Every test here estimates the variance *under the null hypothesis*, from both periods pooled: a
period whose answers all fall in one class (every answer a promoter, every rating a five) has a
plug-in variance of 0, and a test that adds the two plug-in variances then treats its estimate as
exact. With 20 of 20 promoters against 200 answers at NPS 90 that gave p = 0.00009, though 20 of 20
happens in 19 % of samples; pooled, p = 0.14.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from kit.metrics._boschloo import EXACT_TABLES_MAX, boschloo_p_value

__all__ = ["nps_change_test", "share_change_test", "mean_change_test", "cluster_sums", "cluster_totals",
           "clustered_mean_change_test", "ratio_change_test", "rate_change_test", "wald_change_test", "holm",
           "benjamini_hochberg", "PERMUTATION_SMALLER_MAX", "PERMUTATION_TOTAL_MAX", "PERMUTATIONS"]

#: The clustered mean test permutes customers when the smaller sample has at most this many customers ...
PERMUTATION_SMALLER_MAX = 200
#: ... and both together at most this many (above, the t distribution; a permutation costs PERMUTATIONS x G).
PERMUTATION_TOTAL_MAX = 2000
#: Permutations of the customer permutation test (Monte-Carlo se of a p-value of 0.05: 0.003), drawn with a
#: fixed seed so that the same data give the same p-value.
PERMUTATIONS = 4999


def _two_sided(z: float) -> float:
    return float(2 * stats.norm.sf(abs(z)))


def nps_change_test(promoters1: int, detractors1: int, n1: int,
                    promoters2: int, detractors2: int, n2: int) -> tuple[float, float]:
    """Score test of a change in NPS between two independent samples, variance pooled under H0.

    Parameters
    ----------
    promoters1, detractors1, n1 : int
        Promoters (9-10), detractors (0-6) and answers of the first sample.
    promoters2, detractors2, n2 : int
        The same for the second sample.

    Returns
    -------
    (float, float)
        ``(z, p_value)``, two-sided; NaN when both samples have every answer in one class (no variation).

    Notes
    -----
    p0 = (P1 + P2) / (n1 + n2), d0 = (D1 + D2) / (n1 + n2), V0 = [p0 + d0 - (p0 - d0)²] (1/n1 + 1/n2),
    z = [(p1 - d1) - (p2 - d2)] / sqrt(V0).

    Examples
    --------
    >>> z, p = nps_change_test(20, 0, 20, 180, 0, 200)   # 20/20 promoters vs NPS 90 on 200 answers
    >>> round(z, 3), round(p, 3)   # p0 = 200/220, V0 = 0.0826 x 0.055, z = 0.1 / 0.0674
    (1.483, 0.138)
    """
    if min(n1, n2) <= 0:
        return math.nan, math.nan
    p0 = (promoters1 + promoters2) / (n1 + n2)
    d0 = (detractors1 + detractors2) / (n1 + n2)
    var0 = (p0 + d0 - (p0 - d0) ** 2) * (1 / n1 + 1 / n2)
    if var0 <= 1e-15:
        return math.nan, math.nan
    diff = (promoters1 - detractors1) / n1 - (promoters2 - detractors2) / n2
    z = diff / math.sqrt(var0)
    return z, _two_sided(z)


def share_change_test(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Test of a change in a share: Boschloo's exact test for samples up to 200 against 200, else the pooled z-test.

    Parameters
    ----------
    k1, n1 : int
        Successes and trials of the first sample.
    k2, n2 : int
        The same for the second sample.

    Returns
    -------
    (float, float)
        ``(z, p_value)``, two-sided (z of the pooled test also when the p-value is exact); NaN when the
        pooled share is 0 or 1 (no variation).

    Notes
    -----
    z = (p1 - p2) / sqrt(p0 (1 - p0) (1/n1 + 1/n2)), p0 = (k1 + k2) / (n1 + n2). The z-test is discrete:
    its exact size is 5.6 % at a 50 % share with 100 against 100 answers, 5.5-5.9 % between 40 and 150 per
    sample. While (n1 + 1)(n2 + 1) <= 40,401 the p-value is Boschloo's exact unconditional test
    (:func:`kit.metrics._boschloo.boschloo_p_value`), whose size is at most 5 % for every share. Larger
    samples use the z-test (exact size at most 5.4 % at 300 against 300 and beyond), or Fisher's exact test
    when an expected count n_i p0 or n_i (1 - p0) is below 5 (Cochran's rule).

    Examples
    --------
    >>> z, p = share_change_test(60, 100, 50, 100)   # pooled 0.55, se 0.0704; p exact (z-test: 0.1552)
    >>> round(z, 3), round(p, 4)
    (1.421, 0.1679)
    >>> z, p = share_change_test(330, 550, 275, 550)   # the same shares at 550 each: the z-test
    >>> round(z, 3), round(p, 4)   # se = sqrt(0.55 x 0.45 x 2 / 550) = 0.0300
    (3.333, 0.0009)
    """
    if min(n1, n2) <= 0:
        return math.nan, math.nan
    pooled = (k1 + k2) / (n1 + n2)
    var0 = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var0 <= 0:
        return math.nan, math.nan
    z = (k1 / n1 - k2 / n2) / math.sqrt(var0)
    if (n1 + 1) * (n2 + 1) <= EXACT_TABLES_MAX:
        return z, boschloo_p_value(int(k1), int(n1), int(k2), int(n2))
    if min(n1, n2) * min(pooled, 1 - pooled) < 5:
        return z, float(stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])[1])
    return z, _two_sided(z)


def mean_change_test(mean1: float, sd1: float, n1: int, mean2: float, sd2: float, n2: int) -> tuple[float, float]:
    """t-test of a change in a mean between two independent samples, variance pooled around the common mean.

    Parameters
    ----------
    mean1, sd1, n1 : float, float, int
        Mean, standard deviation (ddof 1; 0 or NaN for a single answer) and size of the first sample.
    mean2, sd2, n2 : float, float, int
        The same for the second sample.

    Returns
    -------
    (float, float)
        ``(t, p_value)``, two-sided with n1 + n2 - 2 degrees of freedom; NaN when all answers of both
        samples are equal or a sample is empty.

    Notes
    -----
    Under H0 both samples come from one distribution, so its variance is estimated from all answers around
    their common mean: s0² = [(n1 - 1) s1² + (n2 - 1) s2² + n1 n2 / (n1 + n2) (m1 - m2)²] / (n1 + n2 - 1),
    t = (m1 - m2) / sqrt(s0² (1/n1 + 1/n2)). Unlike a Welch test it does not collapse when the smaller
    sample has no variation (twelve five-star ratings against 300 ratings with mean 4.85).

    Examples
    --------
    >>> t, p = mean_change_test(5.0, 0.0, 12, 4.85, 0.4, 300)
    >>> round(t, 3), round(p, 2)   # s0² = (299 x 0.16 + 12 x 300 / 312 x 0.0225) / 311 = 0.15466, se 0.11578
    (1.296, 0.2)
    """
    if min(n1, n2) <= 0 or n1 + n2 < 3:
        return math.nan, math.nan
    ss1 = 0.0 if n1 < 2 or not math.isfinite(sd1) else (n1 - 1) * sd1**2
    ss2 = 0.0 if n2 < 2 or not math.isfinite(sd2) else (n2 - 1) * sd2**2
    diff = mean1 - mean2
    var0 = (ss1 + ss2 + n1 * n2 / (n1 + n2) * diff**2) / (n1 + n2 - 1)
    if var0 <= 1e-15:
        return math.nan, math.nan
    t = diff / math.sqrt(var0 * (1 / n1 + 1 / n2))
    return t, float(2 * stats.t.sf(abs(t), n1 + n2 - 2))


def cluster_sums(values: np.ndarray, codes: np.ndarray) -> tuple[float, ...]:
    """Sufficient sums of clustered observations for :func:`clustered_mean_change_test`.

    Parameters
    ----------
    values : array
        Observations.
    codes : array of int
        Cluster code (0…G-1) of each observation.

    Returns
    -------
    tuple of float
        ``(G, n, Σx, Σ_g S_g², Σ_g S_g n_g, Σ_g n_g²)`` with S_g the sum and n_g the size of cluster g.

    Examples
    --------
    >>> cluster_sums(np.array([10.0, 30.0, 20.0]), np.array([0, 0, 1]))   # S = 40, 20; n_g = 2, 1
    (2, 3, 60.0, 2000.0, 100.0, 5.0)
    """
    s, m = cluster_totals(values, codes)
    return (int(s.size), int(values.size), float(values.sum()), float(s @ s), float(s @ m), float(m @ m))


def cluster_totals(values: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum and size of each cluster, for the permutation branch of :func:`clustered_mean_change_test`.

    Parameters
    ----------
    values : array
        Observations.
    codes : array of int
        Cluster code (0…G-1) of each observation.

    Returns
    -------
    (array, array)
        ``(S, m)``: S_g the sum and m_g the size of cluster g.

    Examples
    --------
    >>> cluster_totals(np.array([10.0, 30.0, 20.0]), np.array([0, 0, 1]))
    (array([40., 20.]), array([2., 1.]))
    """
    return np.bincount(codes, weights=values), np.bincount(codes).astype(float)


def clustered_mean_change_test(sums1: Sequence[float], sums2: Sequence[float],
                               totals1: tuple[np.ndarray, np.ndarray] | None = None,
                               totals2: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, float]:
    """Test of a change in a mean of clustered observations (orders of customers), variance pooled under H0.

    Parameters
    ----------
    sums1, sums2 : sequence of float
        :func:`cluster_sums` of the two samples.
    totals1, totals2 : (array, array), optional
        :func:`cluster_totals` of the two samples. When both are given and the smaller sample has at most
        :data:`PERMUTATION_SMALLER_MAX` clusters (both together at most :data:`PERMUTATION_TOTAL_MAX`), the
        p-value is that of a permutation test of the same statistic over the clusters.

    Returns
    -------
    (float, float)
        ``(t, p_value)``, two-sided with G1 + G2 - 2 degrees of freedom (or by permutation); NaN without
        variation.

    Notes
    -----
    Under H0 both samples' clusters come from one distribution: with the common mean μ0 = (Σx1 + Σx2) / (n1 + n2),
    v0 = Σ_g (S_g - n_g μ0)² / (G1 + G2 - 1) over the clusters of both, and Var(m1 - m2) = v0 (G1 / n1² + G2 / n2²).
    The Welch test with each sample's own cluster-robust error over-rejected (8 % for 30 against 300 orders of
    skewed value): in the small sample a low mean comes with a low variance.

    With real order values the t distribution is not enough when the samples are unequal: customers drawn
    from CDNOW and UCI Online Retail gave 7.4 % and 9.0 % false positives at 30 against 300 orders (about 10
    against 100 customers), because the small sample usually lacks the few big buyers. "Nothing changed"
    means that the customers of both periods come from one distribution, so they are exchangeable: assigning
    the G1 + G2 customers (each with all its orders) to the two periods at random gives the exact null
    distribution of t. v0 does not change under such a reassignment, only n1 and n2 do, so each permutation
    costs one sum. p = (1 + #{|t*| >= |t|}) / (B + 1) with B = :data:`PERMUTATIONS` and a fixed seed.

    Examples
    --------
    >>> t, p = clustered_mean_change_test((2, 2, 20.0, 200.0, 20.0, 2.0), (2, 2, 40.0, 800.0, 40.0, 2.0))
    >>> round(t, 3)   # μ0 = 15; Σ(S - 15 n)² = 4 x 25 = 100 -> v0 = 100 / 3; se² = v0 (2/4 + 2/4); t = -10 / 5.774
    -1.732
    """
    g1, n1, x1, ss1, sn1, nn1 = (float(v) for v in sums1)
    g2, n2, x2, ss2, sn2, nn2 = (float(v) for v in sums2)
    if min(g1, g2) < 1 or g1 + g2 < 3:
        return math.nan, math.nan
    mu0 = (x1 + x2) / (n1 + n2)
    q = (ss1 + ss2) - 2 * mu0 * (sn1 + sn2) + mu0**2 * (nn1 + nn2)
    v0 = max(q, 0.0) / (g1 + g2 - 1)
    var0 = v0 * (g1 / n1**2 + g2 / n2**2)
    if var0 <= 1e-15:
        return math.nan, math.nan
    t = (x1 / n1 - x2 / n2) / math.sqrt(var0)
    if (totals1 is not None and totals2 is not None and min(g1, g2) <= PERMUTATION_SMALLER_MAX
            and g1 + g2 <= PERMUTATION_TOTAL_MAX):
        return t, _cluster_permutation_p(t, totals1, totals2, v0)
    return t, float(2 * stats.t.sf(abs(t), g1 + g2 - 2))


def _cluster_permutation_p(t: float, totals1: tuple[np.ndarray, np.ndarray],
                           totals2: tuple[np.ndarray, np.ndarray], v0: float) -> float:
    """Two-sided permutation p-value of the pooled clustered t (see :func:`clustered_mean_change_test`)."""
    s = np.concatenate([np.asarray(totals1[0], float), np.asarray(totals2[0], float)])
    m = np.concatenate([np.asarray(totals1[1], float), np.asarray(totals2[1], float)])
    g, k = s.size, len(totals1[0])
    small = min(k, g - k)   # draw the smaller group: |t| is the same whichever group is called first
    total_s, total_m = float(s.sum()), float(m.sum())
    rng = np.random.default_rng(20_261_202)
    hits, done = 0, 0
    while done < PERMUTATIONS:
        b = min(1000, PERMUTATIONS - done)
        picked = np.argpartition(rng.random((b, g)), small - 1, axis=1)[:, :small]
        m1 = m[picked].sum(axis=1)   # every cluster has at least one observation: m1, m2 > 0
        s1, m2 = s[picked].sum(axis=1), total_m - m1
        se = np.sqrt(v0 * (small / m1**2 + (g - small) / m2**2))
        hits += int(np.sum(np.abs(s1 / m1 - (total_s - s1) / m2) / se >= abs(t) * (1 - 1e-9)))
        done += b
    return (1 + hits) / (PERMUTATIONS + 1)


def ratio_change_test(sums1: Sequence[float], sums2: Sequence[float]) -> tuple[float, float]:
    """Score test of a change in a ratio of sums (refunds / gross revenue), variance pooled under H0.

    Parameters
    ----------
    sums1, sums2 : sequence of float
        Per sample ``(n, Σr, Σg, Σr², Σrg, Σg²)`` of the parts r (refunds) and wholes g (gross revenue),
        optionally followed by k, the number of units with r > 0.

    Returns
    -------
    (float, float)
        ``(z, p_value)``, two-sided; NaN when no sample has a variation (e.g. no refund in either).

    Notes
    -----
    R0 = (Σr1 + Σr2) / (Σg1 + Σg2); the residuals e = r - R0 g of both samples give
    s0² = Σe² / (N - 1) (Σe² = Σr² - 2 R0 Σrg + R0² Σg²) and ḡ = (Σg1 + Σg2) / N;
    z = (R1 - R2) / sqrt(s0² / ḡ² (1/n1 + 1/n2)). When the counts k are given and fewer than 5 refunded
    units are expected in the smaller sample (min(n) (k1 + k2) / N < 5), the ratio is too lumpy for the
    normal approximation (6.9 % false positives with refunds in 2 % of orders, 30 against 300 orders); the
    p-value is then Fisher's exact test of the refunded units, which is valid under "nothing changed".

    Examples
    --------
    >>> z, p = ratio_change_test((2, 10, 100, 100, 500, 5000), (2, 0, 100, 0, 0, 5000))
    >>> round(z, 3)   # R0 = 0.05; Σe² = 100 - 50 + 25 = 75, s0² = 25, ḡ = 50: z = 0.1 / 0.1
    1.0
    """
    n1, r1, g1, rr1, rg1, gg1 = (float(v) for v in sums1[:6])
    n2, r2, g2, rr2, rg2, gg2 = (float(v) for v in sums2[:6])
    n = n1 + n2
    if min(n1, n2) <= 0 or n < 3 or g1 <= 0 or g2 <= 0:
        return math.nan, math.nan
    r0 = (r1 + r2) / (g1 + g2)
    ss = (rr1 + rr2) - 2 * r0 * (rg1 + rg2) + r0**2 * (gg1 + gg2)
    g_bar = (g1 + g2) / n
    var0 = max(ss, 0.0) / (n - 1) / g_bar**2 * (1 / n1 + 1 / n2)
    if var0 <= 1e-15:
        return math.nan, math.nan
    z = (r1 / g1 - r2 / g2) / math.sqrt(var0)
    if len(sums1) > 6 and len(sums2) > 6:
        k1, k2 = int(sums1[6]), int(sums2[6])
        if min(n1, n2) * (k1 + k2) / n < 5:
            return z, float(stats.fisher_exact([[k1, int(n1) - k1], [k2, int(n2) - k2]])[1])
    return z, _two_sided(z)


def rate_change_test(count1: int, exposure1: float, count2: int, exposure2: float) -> tuple[float, float]:
    """Exact conditional test of two Poisson rates (complaints per order), two-sided.

    Parameters
    ----------
    count1, exposure1 : int, float
        Events and exposure (orders) of the first sample.
    count2, exposure2 : int, float
        The same for the second sample.

    Returns
    -------
    (float, float)
        ``(ratio, p_value)`` with ratio = rate1 / rate2 (inf when rate2 = 0); p NaN without events.

    Notes
    -----
    Given the total k1 + k2, k1 ~ Binomial(k1 + k2, e1 / (e1 + e2)) under equal rates
    (Przyborowski & Wilenski 1940); the p-value is the exact binomial one (``scipy.stats.binomtest``).

    Examples
    --------
    >>> ratio, p = rate_change_test(10, 100, 10, 100)   # same rate
    >>> ratio, p
    (1.0, 1.0)
    """
    total = int(count1) + int(count2)
    if total == 0 or exposure1 <= 0 or exposure2 <= 0:
        return math.nan, math.nan
    share = exposure1 / (exposure1 + exposure2)
    p = float(stats.binomtest(int(count1), total, share).pvalue)
    rate2 = count2 / exposure2
    ratio = (count1 / exposure1) / rate2 if rate2 > 0 else math.inf
    return ratio, p


def wald_change_test(diff: float, se1: float, df1: float, se2: float, df2: float) -> tuple[float, float]:
    """Welch-type test of a difference of two independent estimates from their (e.g. cluster-robust) errors.

    Parameters
    ----------
    diff : float
        Estimate 1 - estimate 2.
    se1, se2 : float
        Their standard errors.
    df1, df2 : float
        Their degrees of freedom (clusters - 1 for a clustered mean).

    Returns
    -------
    (float, float)
        ``(t, p_value)``, two-sided with the Welch-Satterthwaite degrees of freedom; NaN when the se is 0.

    Examples
    --------
    >>> t, p = wald_change_test(2.0, 1.0, 1e9, 1.0, 1e9)   # large df: the z-test, z = 2 / sqrt(2)
    >>> round(t, 4), round(p, 4)
    (1.4142, 0.1573)
    """
    v1, v2 = se1**2, se2**2
    se = math.sqrt(v1 + v2)
    if not (math.isfinite(se) and se > 0) or min(df1, df2) <= 0:
        return math.nan, math.nan
    df = (v1 + v2) ** 2 / (v1**2 / df1 + v2**2 / df2)
    t = diff / se
    return t, float(2 * stats.t.sf(abs(t), df))


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error rate); NaN stays NaN and is not counted.

    Parameters
    ----------
    p_values : sequence of float
        The raw p-values of one family of tests.

    Returns
    -------
    ndarray
        Adjusted p-values in the input order: for the i-th smallest of m, max over j <= i of
        min(1, (m - j + 1) p_(j)) (Holm 1979).

    Examples
    --------
    >>> holm([0.01, 0.04, float("nan"), 0.03]).round(2).tolist()   # m = 3: 0.03, then max(0.06, 0.03), then 0.06
    [0.03, 0.06, nan, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out[order] = adjusted
    return out


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false discovery rate); NaN stays NaN and is not counted.

    Parameters
    ----------
    p_values : sequence of float
        The raw p-values of one family of tests.

    Returns
    -------
    ndarray
        Adjusted p-values in the input order: for the i-th smallest of m, min over j >= i of
        min(1, m p_(j) / j) (Benjamini & Hochberg 1995).

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03]).round(2).tolist()   # 3 x 0.01 / 1, then min(0.045, 0.04), 0.04
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    scaled = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return out
