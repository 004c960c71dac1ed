"""Kaplan-Meier retention curves and the log-rank test, on lifetimes from :func:`kit.models.survival.lifetime_table`.

Public through :mod:`kit.models.survival` (``from kit.models.survival import KaplanMeier``), which re-exports
:class:`KaplanMeier`, :class:`LogrankResult` and :func:`logrank_test`. The estimators come from
``statsmodels.duration`` (``SurvfuncRight``, ``survdiff``); bands use Greenwood's variance on the
log(-log) scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

__all__ = ["KaplanMeier", "LogrankResult", "logrank_test"]


def _loglog_band(surv: np.ndarray, se: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise interval on the log(-log S) scale (Kalbfleisch & Prentice 2002, eq. 1.11)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = se / surv  # Greenwood: sqrt(sum d / (n (n - d)))
        log_s = np.log(surv)
        width = z * sigma / np.abs(log_s)
        low = surv ** np.exp(width)
        high = surv ** np.exp(-width)
    low = np.where(surv >= 1, 1.0, np.where(surv <= 0, 0.0, low))
    high = np.where(surv >= 1, 1.0, np.where(surv <= 0, 0.0, high))
    # the last step of a curve that drops to 0 has no Greenwood se; no band there
    return np.nan_to_num(low, nan=0.0), np.nan_to_num(high, nan=1.0)


def _clean(durations: Sequence[float] | pd.Series, events: Sequence[bool] | pd.Series,
           groups: Sequence[object] | pd.Series | None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, list[str]]:
    """``(time, event, codes, names)`` without the rows that miss a duration, event or group.

    ``codes`` index ``names``, the group labels as text in sorted order (None and ``["all"]`` without groups).
    Plain arrays and one factorisation: 1M lifetimes cost little more than statsmodels itself.
    """
    time = np.asarray(durations, dtype=float)
    event = np.asarray(events, dtype=float)
    keep = ~(np.isnan(time) | np.isnan(event))
    codes, names = None, ["all"]
    if groups is not None:
        raw_codes, uniques = pd.factorize(np.asarray(groups, dtype=object))  # a missing group is -1
        keep &= raw_codes >= 0
        text, inverse = np.unique(np.array([str(u) for u in uniques], dtype=object), return_inverse=True)
        codes, names = inverse[raw_codes[keep]], [str(n) for n in text]
    time, event = time[keep], event[keep]
    if (time < 0).any():
        raise ValueError(f"durations must be >= 0; found {int((time < 0).sum())} negative")
    return time, event, codes, names


def _by_group(time: np.ndarray, event: np.ndarray, codes: np.ndarray | None,
              names: list[str]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """``(name, time, event)`` per group present, groups sorted by name."""
    if codes is None:
        return [("all", time, event)]
    present = np.bincount(codes, minlength=len(names)) > 0
    return [(name, time[codes == k], event[codes == k]) for k, name in enumerate(names) if present[k]]


class KaplanMeier:
    """Kaplan-Meier survival (retention) curves, optionally per group.

    Parameters
    ----------
    alpha : float
        1 - confidence level of the pointwise bands and the median intervals.

    Attributes
    ----------
    survival_function_ : DataFrame
        Tidy: ``group``, ``time``, ``survival``, ``ci_low``, ``ci_high``, ``at_risk``, ``events``;
        a first row at time 0 with survival 1 per group. Bands use Greenwood's variance on the
        log(-log) scale.
    median_ : Series
        Median lifetime per group (NaN when the curve never falls to 0.5).
    summary_ : DataFrame
        ``group``, ``n``, ``events``, ``median``, ``median_ci_low``, ``median_ci_high``.

    Examples
    --------
    >>> km = KaplanMeier().fit([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
    >>> km.survival_function_["survival"].round(4).tolist()
    [1.0, 0.8333, 0.6667, 0.4444, 0.0]
    >>> float(km.median_["all"])
    3.0
    """

    def __init__(self, *, alpha: float = 0.05) -> None:
        self.alpha = alpha

    def fit(self, durations: Sequence[float] | pd.Series, events: Sequence[bool] | pd.Series,
            groups: Sequence[object] | pd.Series | None = None) -> KaplanMeier:
        """Fit one curve per group.

        Parameters
        ----------
        durations : array-like
            Time to loss or censoring (e.g. ``duration_days``), >= 0.
        events : array-like of bool
            True when the loss was observed (churned), False when censored.
        groups : array-like, optional
            Group labels (e.g. ``segment``); rows with a missing duration, event or group are dropped.

        Returns
        -------
        KaplanMeier
            ``self``, fitted.

        Raises
        ------
        ValueError
            When a duration is negative or no row remains.
        """
        time, event, codes, names = _clean(durations, events, groups)
        if len(time) == 0:
            raise ValueError("no lifetimes to fit: every row has a missing duration, event or group")
        z = float(stats.norm.ppf(1 - self.alpha / 2))
        curves, summary = [], []
        medians: dict[str, float] = {}
        for name, g_time, g_event in _by_group(time, event, codes, names):
            sf = SurvfuncRight(g_time, g_event)
            surv, se = np.asarray(sf.surv_prob), np.asarray(sf.surv_prob_se)
            low, high = _loglog_band(surv, se, z)
            curve = pd.DataFrame({"group": name, "time": sf.surv_times, "survival": surv,
                                  "ci_low": low, "ci_high": high, "at_risk": sf.n_risk.astype("int64"),
                                  "events": sf.n_events.astype("int64")})
            first = pd.DataFrame({"group": [name], "time": [0.0], "survival": [1.0], "ci_low": [1.0],
                                  "ci_high": [1.0], "at_risk": [len(g_time)], "events": [0]})
            curves.append(pd.concat([first, curve], ignore_index=True) if len(curve) else first)
            median, m_low, m_high = _median_with_ci(sf, surv, self.alpha)
            medians[name] = median
            summary.append({"group": name, "n": len(g_time), "events": int(g_event.sum()), "median": median,
                            "median_ci_low": m_low, "median_ci_high": m_high})
        self.survival_function_ = pd.concat(curves, ignore_index=True)
        self.median_ = pd.Series(medians, name="median", dtype=float)
        self.median_.index.name = "group"
        self.summary_ = pd.DataFrame(summary)
        return self

    @property
    def summary(self) -> pd.DataFrame:
        """Per group: n, events, median lifetime and its interval."""
        return self.summary_

    def __repr__(self) -> str:
        if not hasattr(self, "summary_"):
            return "KaplanMeier(not fitted)"
        return f"KaplanMeier(groups={len(self.summary_)}, n={int(self.summary_['n'].sum())})"

    def _repr_html_(self) -> str:
        if not hasattr(self, "summary_"):
            return "<p>KaplanMeier (not fitted)</p>"
        return "<p><strong>Kaplan-Meier retention</strong></p>" + self.summary_.to_html(index=False)

    def survival_at(self, time: float) -> pd.DataFrame:
        """Survival (retained share) at ``time`` per group, with the band: ``group, survival, ci_low, ci_high``.

        Examples
        --------
        >>> KaplanMeier().fit([1, 2, 3], [1, 1, 0]).survival_at(1.5)["survival"].round(3).tolist()
        [0.667]
        """
        sf = self.survival_function_
        rows = sf.loc[sf["time"] <= time].groupby("group", sort=True).tail(1)
        return rows[["group", "survival", "ci_low", "ci_high"]].reset_index(drop=True)


def _median_with_ci(sf: SurvfuncRight, surv: np.ndarray, alpha: float) -> tuple[float, float, float]:
    if len(surv) == 0 or surv.min() > 0.5:
        return math.nan, math.nan, math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        median = float(sf.quantile(0.5))
        low, high = sf.quantile_ci(0.5, alpha=alpha, method="cloglog")
    return median, float(low) if low is not None else math.nan, float(high) if high is not None else math.nan


@dataclass(frozen=True)
class LogrankResult:
    """Result of a log-rank test: chi-square statistic, degrees of freedom, p-value.

    Attributes
    ----------
    statistic : float
    df : int
    p_value : float
    n : int
        Lifetimes used.
    groups : tuple of str
    """

    statistic: float
    df: int
    p_value: float
    n: int
    groups: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One tidy row: statistic, df, p_value, n, groups."""
        return pd.DataFrame([{"statistic": self.statistic, "df": self.df, "p_value": self.p_value,
                              "n": self.n, "groups": ", ".join(self.groups)}])


def logrank_test(durations: Sequence[float] | pd.Series, events: Sequence[bool] | pd.Series,
                 groups: Sequence[object] | pd.Series) -> LogrankResult:
    """Log-rank test that the survival curves of the groups are equal.

    Parameters
    ----------
    durations, events, groups : array-like
        As for :meth:`KaplanMeier.fit`; at least two groups.

    Returns
    -------
    LogrankResult
        Chi-square statistic with ``groups - 1`` degrees of freedom and its p-value.

    Raises
    ------
    ValueError
        With fewer than two groups, or without any observed loss (the test statistic is undefined).

    Examples
    --------
    >>> r = logrank_test([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 0], ["a", "a", "a", "b", "b", "b"])
    >>> r.df, round(r.p_value, 3)
    (1, 0.025)
    """
    time, event, codes, names = _clean(durations, events, groups)
    present = tuple(names) if codes is None else tuple(n for k, n in enumerate(names) if (codes == k).any())
    if len(present) < 2:
        raise ValueError(f"the log-rank test needs at least two groups; found {list(present)}")
    if not event.any():
        raise ValueError("the log-rank test needs at least one observed loss; none of the "
                         f"{len(time)} customers was lost")
    statistic, p_value = survdiff(time, event, codes)
    return LogrankResult(float(statistic), len(present) - 1, float(p_value), len(time), present)
