"""Intervals that hold at the edges: bounded means, ratios of sums, and means of clustered observations.

Private helpers of :mod:`kit.metrics` (the plain share, t, median and Poisson intervals are in
:mod:`kit.metrics._stats`).

- :func:`bounded_mean_interval`: the mean of answers on a bounded scale (stars 1-5, CES 1-7). A t
  interval collapses to ``[5, 5]`` when every answer is a 5 and covers far less than 95 % near the
  ceiling. The interval here is the Agresti-Coull idea carried over to a bounded mean: the answers are
  rescaled to 0…1, z²/2 pseudo-answers are added at each end of the scale, and the Wald interval of the
  augmented sample is taken. For answers that are only ever the two ends of the scale it *is* the
  Agresti-Coull interval of a share; in between, the pseudo-answers add at most the variance of a
  two-point answer, so it stays valid at the bounds where a bootstrap (no variation to resample) and a
  scaled-beta fit (undefined at zero variance) fail. It needs no random numbers.
- :func:`ratio_interval`: a ratio of sums such as refunds / gross revenue, with the same pseudo-orders
  (z²/2 orders of average size refunded in full, z²/2 not at all); not ``[0, 0]`` when no refund was seen.
- :func:`cluster_mean_interval`: the mean of observations that come in clusters (orders of the same
  customer), with the cluster jackknife (CR3) standard error and a studentised interval on the log scale whose
  quantiles are learnt from the whole order history (a bootstrap-t that resamples the history's customers):
  order values are skewed to the right and real shops have a few very big buyers that a small period may not
  show, but the history does.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["bounded_mean_interval", "ratio_interval", "cluster_mean_interval", "cluster_codes", "CALIBRATION_DRAWS",
           "CALIBRATION_SEED", "CALIBRATION_CLUSTERS_MIN", "CALIBRATION_CLUSTERS_MAX"]

#: Resamples of the history behind :func:`cluster_mean_interval`'s quantiles, and their fixed seed: the same
#: data give the same interval on every run.
CALIBRATION_DRAWS = 999
CALIBRATION_SEED = 20261203
#: Below this many customers the plain t quantiles are used: a resample of 2-4 customers has no shape to learn.
CALIBRATION_CLUSTERS_MIN = 5
#: A resample holds at most this many customers. With more in the period the quantiles are those at this size:
#: the t's skew shrinks as customers grow, so the interval is then a little conservative, and the cost stays
#: about 0.1 s whatever the size of the shop.
CALIBRATION_CLUSTERS_MAX = 2000


def bounded_mean_interval(values: np.ndarray, low: float, high: float,
                          level: float = 0.95) -> tuple[float, float, float, float]:
    """Mean of answers on the scale ``[low, high]``, its standard error and an interval that holds at the ends.

    Parameters
    ----------
    values : array
        The answers (no NaN), each within ``[low, high]``.
    low, high : float
        The ends of the scale (``low < high``).
    level : float
        Coverage of the interval.

    Returns
    -------
    (float, float, float, float)
        ``(mean, se, ci_low, ci_high)``: the plain mean and sd / sqrt(n) (sd with n - 1), and the interval,
        within ``[low, high]``; se and interval are NaN below 2 answers, the mean for none.

    Notes
    -----
    With y = (x - low) / (high - low), c = z²/2 and ñ = n + z²: ỹ = (Σy + c) / ñ,
    s̃² = [Σ(y - ỹ)² + c ỹ² + c (1 - ỹ)²] / ñ, interval ỹ ± z sqrt(s̃² / ñ) clipped to 0…1, then mapped
    back. For 0/1 answers s̃² = ỹ (1 - ỹ), the Agresti-Coull interval (Agresti & Coull 1998). The
    interval is centred on ỹ, so for a handful of answers it leans towards the middle of the scale.

    Examples
    --------
    >>> mean, se, lo, hi = bounded_mean_interval(np.full(12, 5.0), 1, 5)   # twelve five-star ratings
    >>> mean, round(lo, 2), hi   # ỹ = (12 + 1.92) / 15.84 = 0.879, se 0.082: not [5, 5]
    (5.0, 3.87, 5.0)
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan
    if not high > low:
        raise ValueError(f"the scale needs low < high, found [{low}, {high}]")
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan, math.nan, math.nan
    se = float(x.std(ddof=1) / math.sqrt(n))
    z = float(stats.norm.ppf(1 - (1 - level) / 2))
    span = high - low
    y = (x - low) / span
    c = z * z / 2
    n_adj = n + z * z
    centre = (float(y.sum()) + c) / n_adj
    var = (float(np.sum((y - centre) ** 2)) + c * centre**2 + c * (1 - centre) ** 2) / n_adj
    half = z * math.sqrt(var / n_adj)
    lo, hi = max(0.0, centre - half), min(1.0, centre + half)
    return mean, se, low + span * lo, low + span * hi


def ratio_interval(numerator: np.ndarray, denominator: np.ndarray,
                   level: float = 0.95) -> tuple[float, float, float, float]:
    """Ratio of sums ``Σ numerator / Σ denominator`` (e.g. refunds / gross revenue) with an interval that holds at 0.

    Parameters
    ----------
    numerator, denominator : array
        Per unit (order): the part (refund, between 0 and the denominator) and the whole (gross revenue).
    level : float
        Coverage of the interval.

    Returns
    -------
    (float, float, float, float)
        ``(ratio, se, ci_low, ci_high)``: the plain ratio and its delta-method standard error
        sqrt(Σ(r - R g)² / (n (n - 1))) / mean(g) (NaN below 2 units), and the interval within 0…1.
        All NaN when the denominators sum to 0 or less.

    Notes
    -----
    z²/2 pseudo-orders of the mean size ḡ with nothing refunded and z²/2 refunded in full are added
    (c = z²/2, ñ = n + z²): R̃ = (Σr + c ḡ) / (Σg + 2c ḡ),
    V = [Σ(r - R̃ g)² + c (R̃ ḡ)² + c ((1 - R̃) ḡ)²] / (ñ² ḡ²), interval R̃ ± z sqrt(V) clipped to 0…1.
    With orders of equal size refunded either fully or not at all this is the Agresti-Coull interval of
    the share of refunded orders. The plain delta-method interval (Cochran 1977, eq. 6.9) is ``[0, 0]``
    when no refund was seen, and covers 61 % at 30 orders.

    Examples
    --------
    >>> r, se, lo, hi = ratio_interval(np.zeros(30), np.full(30, 40.0))   # no refund in 30 orders
    >>> r, lo, round(hi, 3)   # R̃ = 1.92 / 33.84 = 0.057, half-width 0.078
    (0.0, 0.0, 0.135)
    """
    r = np.asarray(numerator, dtype=float)
    g = np.asarray(denominator, dtype=float)
    n = r.size
    total = float(g.sum())
    if n == 0 or total <= 0:
        return math.nan, math.nan, math.nan, math.nan
    ratio = float(r.sum()) / total
    g_bar = total / n
    se = math.sqrt(float(np.sum((r - ratio * g) ** 2)) / (n * (n - 1))) / g_bar if n >= 2 else math.nan
    z = float(stats.norm.ppf(1 - (1 - level) / 2))
    c = z * z / 2
    n_adj = n + z * z
    centre = (float(r.sum()) + c * g_bar) / (total + 2 * c * g_bar)
    ss = float(np.sum((r - centre * g) ** 2)) + c * (centre * g_bar) ** 2 + c * ((1 - centre) * g_bar) ** 2
    half = z * math.sqrt(ss / n_adj**2) / g_bar
    return ratio, se, max(0.0, centre - half), min(1.0, centre + half)


def cluster_mean_interval(values: np.ndarray, clusters: np.ndarray | None, level: float = 0.95,
                          history: tuple[np.ndarray, np.ndarray] | None = None
                          ) -> tuple[float, float, float, float, int]:
    """Mean of observations that come in clusters, with the cluster-robust standard error and an interval whose
    quantiles are learnt from the history.

    Parameters
    ----------
    values : array
        Observations (no NaN), e.g. net revenue per order.
    clusters : array or None
        Cluster of each observation (e.g. customer id); a missing cluster (NaN/None) is a cluster of its
        own. None: every observation is its own cluster.
    level : float
        Coverage of the interval.
    history : (array, array), optional
        Sum and size of every cluster in the whole history the observations come from (e.g. each customer's
        net revenue and number of orders in each period of the order log, this one included), the population
        the quantiles are learnt from. None: the observations' own clusters (a plain cluster bootstrap-t).

    Returns
    -------
    (float, float, float, float, int)
        ``(mean, se, ci_low, ci_high, clusters)``; se and interval NaN below 2 clusters.

    Notes
    -----
    The standard error is the jackknife over clusters (CR3; Cameron & Miller 2015, section VI.B): leave out
    cluster g, m_(g) = (Σx - S_g) / (n - n_g); se² = (G - 1) / G Σ_g (m_(g) - mean of m_(g))². With one
    observation per cluster this is s² / n. It is larger than the CR1 sandwich when a few large clusters carry
    the mean, which is what kept a change test between 30 and 300 orders near its 5 % level.

    The interval is studentised on the log scale, x̄ exp(-q_hi se / x̄) to x̄ exp(-q_lo se / x̄), with q_lo and
    q_hi the (1 ∓ level) / 2 quantiles of t* = (log m* - log μ) / (se* / m*) over
    :data:`CALIBRATION_DRAWS` resamples of G clusters (at most :data:`CALIBRATION_CLUSTERS_MAX`) drawn with
    replacement from ``history``, whose ratio mean is μ (bootstrap-t; Efron & Tibshirani 1993, ch. 12). The
    draws use a fixed seed. Below :data:`CALIBRATION_CLUSTERS_MIN` clusters, or when the resamples show no
    spread, q = ∓ t(G - 1); when a mean is not positive the same is done on the natural scale.

    Why the history: order values have heavy right tails, and a sample without its few big buyers has a low
    mean *and* a low se, so a t interval misses mostly above, and no test of the sample itself can tell (a
    Hill tail index or Cochran's rule flags the wrong samples). The whole order log shows the tail. In
    ``benchmarks/sim_stats.py`` (a period drawn with three earlier ones of the same size as its history) the
    interval covers the true mean of customers drawn from CDNOW and UCI Online Retail (the top 1 % of
    customers carry 16 % and 28 % of the revenue) far more often than the log-scale t interval did (84.8 /
    87.2 / 91.5 % and 73.0 / 70.0 / 78.0 % at 30 / 100 / 1000 orders); see the script's table for the
    figures and the widths, which are about 1.1-2.2 times the t interval's. With no other periods it is the
    plain cluster bootstrap-t, which gained 1-5 points at 30-100 orders.

    Examples
    --------
    >>> mean, se, lo, hi, g = cluster_mean_interval(np.array([10.0, 30.0, 20.0, 40.0]), np.array(list("aabb")))
    >>> mean, g, se   # leave out a: 30, leave out b: 20; se² = 1/2 (25 + 25) = 25
    (25.0, 2, 5.0)
    >>> round(lo, 3), round(hi, 1)   # 2 clusters: 25 exp(∓ 12.706 x 5 / 25), t(1) = 12.706
    (1.969, 317.4)
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan, 0
    mean = float(x.mean())
    codes = np.arange(n) if clusters is None else cluster_codes(clusters)
    sums = np.bincount(codes, weights=x)
    sizes = np.bincount(codes).astype(float)
    g = int(sums.size)
    if g < 2:
        return mean, math.nan, math.nan, math.nan, g
    se = float(_cluster_jackknife(sums, sizes)[1])
    log_scale = mean > 0
    quantiles = None
    if g >= CALIBRATION_CLUSTERS_MIN:
        quantiles = _calibrated_quantiles(*(history if history is not None else (sums, sizes)), g, level)
    if quantiles is None:
        t = float(stats.t.ppf(1 - (1 - level) / 2, g - 1))
        q_low, q_high = -t, t
    else:
        q_low, q_high, log_scale = quantiles[0], quantiles[1], log_scale and quantiles[2]
    if log_scale:
        return mean, se, mean * math.exp(-q_high * se / mean), mean * math.exp(-q_low * se / mean), g
    return mean, se, mean - q_high * se, mean - q_low * se, g


def cluster_codes(clusters: np.ndarray | pd.Series) -> np.ndarray:
    """Integer code (0…G-1) of each observation's cluster; a missing cluster id is a cluster of its own.

    Codes follow first appearance. A Series is factorised in its own dtype (Arrow text without a copy to
    Python strings: 3x faster on a million ids), with the same codes as its values as an array.

    Examples
    --------
    >>> cluster_codes(np.array(["a", None, "b", "a", None], dtype=object))
    array([0, 2, 1, 0, 3])
    >>> cluster_codes(pd.Series(["a", None, "b", "a", None], dtype="string[pyarrow]"))
    array([0, 2, 1, 0, 3])
    """
    codes, _ = pd.factorize(clusters if isinstance(clusters, pd.Series) else pd.Series(clusters),
                            use_na_sentinel=True)
    missing = codes < 0
    if missing.any():
        codes = codes.copy()
        codes[missing] = codes.max() + 1 + np.arange(int(missing.sum()))
    return codes


def _cluster_jackknife(sums: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ratio mean ΣS / Σn and its CR3 jackknife se along the last axis (one row per resample)."""
    g = sums.shape[-1]
    total, size = sums.sum(-1, keepdims=True), sizes.sum(-1, keepdims=True)
    left_out = (total - sums) / (size - sizes)
    spread = ((left_out - left_out.mean(-1, keepdims=True)) ** 2).sum(-1)
    return (total / size)[..., 0], np.sqrt((g - 1) / g * spread)


def _calibrated_quantiles(sums: np.ndarray, sizes: np.ndarray, clusters: int,
                          level: float) -> tuple[float, float, bool] | None:
    """(q_low, q_high, log scale) of the studentised mean over resamples of ``clusters`` clusters from the
    history ``(sums, sizes)``; None when the history cannot say (fewer than 2 clusters, no spread)."""
    sums, sizes = np.asarray(sums, dtype=float), np.asarray(sizes, dtype=float)
    keep = sizes > 0
    sums, sizes = sums[keep], sizes[keep]
    if sums.size < 2:
        return None
    size = min(clusters, CALIBRATION_CLUSTERS_MAX)
    picks = np.random.default_rng(CALIBRATION_SEED).integers(sums.size, size=(CALIBRATION_DRAWS, size))
    means, ses = _cluster_jackknife(sums[picks], sizes[picks])
    truth = float(sums.sum() / sizes.sum())
    log_scale = truth > 0 and bool(np.all(means > 0))
    valid = ses > 0
    if valid.mean() < 0.9:   # most resamples without spread: the history is (nearly) constant
        return None
    means, ses = means[valid], ses[valid]
    t = (np.log(means) - math.log(truth)) / (ses / means) if log_scale else (means - truth) / ses
    q_low, q_high = np.quantile(t, [(1 - level) / 2, (1 + level) / 2])
    return float(q_low), float(q_high), log_scale

