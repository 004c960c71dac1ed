"""Interval and test helpers shared by the metric modules (private: not part of the public API).

One place for the statistics behind every :class:`~kit.results.MetricResult`: the Agresti-Coull
interval of a share, the t interval of a mean, the distribution-free interval of a median,
the exact Poisson interval of a count, the pooled two-proportion z-test and the z-test on a
difference of two estimates. The sibling modules of :mod:`kit.metrics`, :mod:`kit.plan.scorecards`
and :mod:`kit.models.survival` import from here; :func:`median_interval` is public through
:mod:`kit.metrics.service`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from kit.definitions import DEFINITIONS
from kit.results import MetricResult

__all__ = [
    "Z95",
    "z_critical",
    "share_interval",
    "SHARE_METHOD",
    "binomial_se",
    "mean_t_interval",
    "median_interval",
    "poisson_interval",
    "normal_interval",
    "difference_test",
    "share_result",
    "mean_result",
]


def z_critical(level: float = 0.95) -> float:
    """Two-sided critical value of the standard normal distribution.

    Parameters
    ----------
    level : float
        Coverage of the interval (0.95 gives the 97.5 % quantile).

    Returns
    -------
    float

    Examples
    --------
    >>> round(z_critical(0.95), 4)
    1.96
    """
    return float(stats.norm.ppf(1 - (1 - level) / 2))


#: 97.5 % quantile of the standard normal, for 95 % intervals.
Z95 = z_critical(0.95)

#: How :func:`share_interval` works, as printed in the definitions.
SHARE_METHOD = "Agresti-Coull (add z²/2 successes and failures)"


def share_interval(k: float, n: float) -> tuple[float, float]:
    """95 % Agresti-Coull interval of ``k`` successes in ``n`` trials.

    Parameters
    ----------
    k, n : float
        Successes and trials.

    Returns
    -------
    (float, float)
        ``(ci_low, ci_high)``, clipped to [0, 1]; exactly 0 at ``k = 0`` and 1 at ``k = n``; NaN when
        ``n <= 0``.

    Notes
    -----
    ñ = n + z², p̃ = (k + z²/2) / ñ, interval p̃ ± z sqrt(p̃ (1 - p̃) / ñ), z = 1.96 (Agresti & Coull 1998):
    the Wald interval after adding z²/2 successes and z²/2 failures, the same pseudo-answers as
    :func:`kit.metrics._bounded.bounded_mean_interval`. It always contains the Wilson score interval
    (Brown, Cai & DasGupta 2001). Chosen over Wilson because its exact coverage stays at or above 93.4 %
    for every share between 0.1 % and 99.9 % at n = 30, 100, 300 and 1000, while Wilson's dips to
    89.9 % (n = 30) and 92.1 % (a 1 % share, n = 100) where its bound passes the truth; in the middle it
    is as wide as Wilson, near 0 % or 100 % up to 16 % wider.

    Examples
    --------
    >>> tuple(round(b, 4) for b in share_interval(2, 4))   # p̃ = 0.5, ñ = 7.8415: 0.5 ± 1.96 x 0.17856
    (0.15, 0.85)
    >>> tuple(round(b, 4) for b in share_interval(0, 30))   # p̃ = 1.9207 / 33.8415 = 0.0568, + 0.0780
    (0.0, 0.1347)
    """
    if n <= 0:
        return math.nan, math.nan
    z2 = Z95**2
    n_adj = n + z2
    centre = (k + z2 / 2) / n_adj
    half = Z95 * math.sqrt(centre * (1 - centre) / n_adj)
    low = 0.0 if k <= 0 else max(0.0, centre - half)
    high = 1.0 if k >= n else min(1.0, centre + half)
    return low, high


def binomial_se(k: float, n: float) -> float:
    """Plain binomial standard error ``sqrt(p (1 - p) / n)`` of the share ``p = k / n``.

    Parameters
    ----------
    k : float
        Number of successes (the numerator of the share).
    n : float
        Number of trials (the denominator).

    Returns
    -------
    float
        The standard error; NaN when ``n <= 0``.

    Examples
    --------
    >>> binomial_se(2, 4)   # sqrt(0.25 / 4)
    0.25
    """
    if n <= 0:
        return math.nan
    p = k / n
    return math.sqrt(p * (1 - p) / n)


def mean_t_interval(values: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, standard error and 95 % Student t interval of ``values``.

    Parameters
    ----------
    values : array
        Observations (no NaN).

    Returns
    -------
    (float, float, float, float)
        ``(mean, se, ci_low, ci_high)`` with se = sd / sqrt(n) (sd with n - 1); se and
        interval are NaN for fewer than 2 values, the mean is NaN for none.

    Examples
    --------
    >>> mean, se, low, high = mean_t_interval(np.array([1.0, 2.0, 3.0]))   # sd 1, se 1/sqrt(3)
    >>> mean, round(se, 4), round(low, 3)   # 2 - 4.303 * 0.5774
    (2.0, 0.5774, -0.484)
    """
    n = len(values)
    mean = float(np.mean(values)) if n else math.nan
    if n < 2:
        return mean, math.nan, math.nan, math.nan
    se = float(np.std(values, ddof=1) / math.sqrt(n))
    half = float(stats.t.ppf(0.975, n - 1)) * se
    return mean, se, mean - half, mean + half


def median_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Distribution-free interval of the median from binomial order statistics.

    Parameters
    ----------
    values : array
        The observations (no NaN).
    level : float
        Coverage, at least this (conservative, as order statistics allow).

    Returns
    -------
    (float, float)
        ``(x_(l), x_(n-l+1))`` with the largest 1-based rank ``l`` such that
        P(B <= l - 1) <= (1 - level) / 2 for B ~ Binomial(n, 1/2); NaN when n is too small
        (n < 6 at 95 %).

    Examples
    --------
    >>> median_interval(np.arange(1.0, 11.0))   # n = 10: ranks 2 and 9
    (2.0, 9.0)
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n == 0:
        return math.nan, math.nan
    alpha = (1 - level) / 2
    k = int(stats.binom.ppf(alpha, n, 0.5))
    if stats.binom.cdf(k, n, 0.5) > alpha:
        k -= 1
    if k < 0:
        return math.nan, math.nan
    rank = k + 1
    low, high = np.partition(x, [rank - 1, n - rank])[[rank - 1, n - rank]]  # two order statistics
    return float(low), float(high)


def poisson_interval(count: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson count.

    Parameters
    ----------
    count : int
        Observed events.
    level : float
        Coverage.

    Returns
    -------
    (float, float)
        ``(chi2(alpha/2, 2k) / 2, chi2(1 - alpha/2, 2k + 2) / 2)``; the lower bound is 0 for k = 0.

    Examples
    --------
    >>> round(poisson_interval(0)[1], 4)   # -ln(0.025)
    3.6889
    """
    alpha = 1 - level
    low = 0.0 if count == 0 else float(stats.chi2.ppf(alpha / 2, 2 * count) / 2)
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2)
    return low, high


def normal_interval(estimate: float, se: float) -> tuple[float, float]:
    """95 % Wald interval ``estimate ± 1.96 se``.

    Parameters
    ----------
    estimate, se : float
        The estimate and its standard error.

    Returns
    -------
    (float, float)

    Examples
    --------
    >>> tuple(round(b, 2) for b in normal_interval(10.0, 1.0))
    (8.04, 11.96)
    """
    return estimate - Z95 * se, estimate + Z95 * se


def difference_test(diff: float, se1: float, se2: float) -> tuple[float, float, float]:
    """z-test of a difference of two independent estimates from their standard errors.

    Parameters
    ----------
    diff : float
        Estimate 1 - estimate 2.
    se1, se2 : float
        Their standard errors.

    Returns
    -------
    (float, float, float)
        ``(se, z, p_value)`` with se = sqrt(se1^2 + se2^2), z = diff / se and the two-sided
        p-value; z and p are NaN when se is 0 or not finite.

    Examples
    --------
    >>> se, z, p = difference_test(3.0, 1.2, 1.6)   # se = 2, z = 1.5
    >>> se, z, round(p, 4)
    (2.0, 1.5, 0.1336)
    """
    se = math.sqrt(se1**2 + se2**2)
    if not (math.isfinite(se) and se > 0):
        return se, math.nan, math.nan
    z = diff / se
    return se, z, float(2 * stats.norm.sf(abs(z)))


def share_result(kpi: str, k: int, n: int, *, note: str = "", extras: dict[str, Any] | None = None,
                 definition: str | None = None) -> MetricResult:
    """A share ``k / n`` as a :class:`~kit.results.MetricResult` with its Agresti-Coull interval.

    Parameters
    ----------
    kpi : str
        KPI id; definition and unit come from :data:`kit.definitions.DEFINITIONS`.
    k, n : int
        Count and denominator (n > 0).
    note : str
        Note for the result.
    extras : dict, optional
        Extra values for the result.
    definition : str, optional
        Overrides the registered definition (e.g. for a non-default threshold).

    Returns
    -------
    MetricResult
        ``se`` is the binomial standard error; ``extras["count"]`` is ``k``.

    Examples
    --------
    >>> r = share_result("return_rate", 1, 4)
    >>> r.value, r.n, r.se
    (0.25, 4, 0.21650635094610965)
    """
    d = DEFINITIONS.get(kpi)
    low, high = share_interval(k, n)
    return MetricResult(kpi, k / n, int(n), low, high,
                        definition if definition is not None else (d.definition if d else ""),
                        d.unit if d else "share", se=binomial_se(k, n), note=note,
                        extras={"count": int(k), **(extras or {})})


def mean_result(kpi: str, values: np.ndarray, *, note: str = "",
                extras: dict[str, Any] | None = None) -> MetricResult:
    """The mean of ``values`` as a :class:`~kit.results.MetricResult` with its t interval.

    Parameters
    ----------
    kpi : str
        KPI id registered in :data:`kit.definitions.DEFINITIONS`.
    values : array
        Observations (no NaN).
    note : str
        Note for the result.
    extras : dict, optional
        Extra values for the result.

    Returns
    -------
    MetricResult

    Examples
    --------
    >>> mean_result("average_order_value", np.array([30.0, 50.0])).value
    40.0
    """
    d = DEFINITIONS[kpi]
    mean, se, low, high = mean_t_interval(values)
    return MetricResult(kpi, mean, len(values), low, high, d.definition, d.unit, se, note,
                        extras=extras or {})
