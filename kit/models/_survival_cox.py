"""Cox proportional-hazards model of churn: which covariates shorten customer lifetimes.

Public through :mod:`kit.models.survival` (``from kit.models.survival import CoxChurnModel``), which re-exports
:class:`CoxChurnModel`. The model is ``statsmodels``' ``PHReg``; text covariates enter as
indicator columns against their most frequent level, and the fit reports Harrell's concordance.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg

from kit.errors import ModelFitError

__all__ = ["CoxChurnModel"]


def _design(frame: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    parts = []
    for name in covariates:
        col = frame[name]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            parts.append(col.astype(float).rename(name))
        else:
            levels = col.dropna().astype(str)
            order = levels.value_counts().sort_index().sort_values(ascending=False, kind="stable").index
            dummies = pd.get_dummies(col.astype("object").where(col.notna()), dtype=float)
            dummies = dummies[[c for c in order]]
            dummies.loc[col.isna()] = np.nan
            # the most frequent level is the reference
            parts.append(dummies.iloc[:, 1:].rename(columns=lambda c, n=name: f"{n}={c}"))
    return pd.concat(parts, axis=1)


class CoxChurnModel:
    """Cox proportional-hazards model of churn: which covariates shorten customer lifetimes.

    Parameters
    ----------
    ties : {"efron", "breslow"}
        Handling of tied lifetimes (statsmodels ``PHReg``).
    alpha : float
        1 - confidence level of the hazard-ratio intervals.

    Attributes
    ----------
    summary_ : DataFrame
        ``covariate``, ``coef``, ``hazard_ratio``, ``ci_low``, ``ci_high``, ``se``, ``p_value``.
        A hazard ratio of 2 means the covariate doubles the churn risk at every moment.
    n_, events_ : int
        Lifetimes and observed losses used (rows with a missing covariate are dropped).
    concordance_ : float
        Harrell's C of the linear predictor (NaN above 5,000 lifetimes, where it is not cheap).
    result_ : statsmodels PHRegResults

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 2, 400).astype(bool)
    >>> t = rng.exponential(1 / np.where(x, 2.0, 1.0))
    >>> frame = pd.DataFrame({"duration_days": t, "churned": True, "x": x})
    >>> model = CoxChurnModel().fit(frame, covariates=["x"])
    >>> bool(model.summary_["ci_low"].iloc[0] < 2 < model.summary_["ci_high"].iloc[0])
    True
    """

    def __init__(self, *, ties: Literal["efron", "breslow"] = "efron", alpha: float = 0.05) -> None:
        self.ties = ties
        self.alpha = alpha

    def fit(self, frame: pd.DataFrame, *, covariates: Sequence[str], duration: str = "duration_days",
            event: str = "churned", time_varying: Mapping[str, str] | None = None) -> CoxChurnModel:
        """Fit the model.

        Parameters
        ----------
        frame : DataFrame
            One row per customer, e.g. from :func:`kit.models.survival.lifetime_table`.
        covariates : list of str
            Columns to use. Bool and numeric columns enter as they are; text columns as indicator
            columns ``name=level`` against the most frequent level.
        duration, event : str
            Columns of the lifetime and of the observed loss.
        time_varying : mapping of str to str, optional
            Bool covariates that switch from False to True during a lifetime: covariate -> column
            with the day (same unit and origin as ``duration``) it switches; NaN = never. Each such
            lifetime is split at that day into two rows (counting-process form, the second entering
            the risk set on the switch day), so the covariate only counts from then on. Default:
            ``frame.attrs["time_varying"]`` (set by :func:`kit.models.survival.lifetime_table`), restricted
            to the covariates used; pass ``{}`` for a model with every covariate fixed.

        Returns
        -------
        CoxChurnModel
            ``self``, fitted.

        Raises
        ------
        ValueError
            When a column is missing, or no loss was observed.
        ModelFitError
            When the covariates do not identify the model (a singular information matrix).
        """
        frame = frame.reset_index(drop=True)  # rows are matched by position below (any index works)
        declared = time_varying is not None
        if time_varying is None:
            time_varying = dict(frame.attrs.get("time_varying", {}))
            partners = [c for c in covariates if f"{c}_day" in frame and c not in time_varying]
            if partners:  # attrs lost on the way (merge, concat, a file): say so instead of fitting static silently
                days = ", ".join(c + "_day" for c in partners)
                warnings.warn(f"{', '.join(partners)} look time-varying (columns {days})"
                              " but the frame does not declare them (frame.attrs['time_varying'] is lost by merge, "
                              "concat or a file round trip); fitting them as fixed. Pass time_varying={...} to choose.",
                              UserWarning, stacklevel=2)
        time_varying = {k: v for k, v in time_varying.items() if k in covariates}
        missing = [c for c in [duration, event, *covariates] if c not in frame]
        if missing:
            raise ValueError(f"columns {missing} not in the frame; available: {', '.join(map(str, frame.columns))}")
        lost = {k: v for k, v in time_varying.items() if v not in frame}
        if lost:
            source = "time_varying" if declared else "frame.attrs['time_varying']"
            raise ValueError(f"the switch-day column(s) {sorted(lost.values())} of {sorted(lost)} (from {source}) are "
                             "not in the frame; keep them when selecting columns, or pass time_varying={} for a "
                             "model with every covariate fixed")
        design = _design(frame, covariates)
        data = pd.concat([frame[[duration]].astype(float), frame[[event]].astype(float), design], axis=1).dropna()
        if data[event].sum() == 0:
            raise ValueError("no observed losses: a Cox model needs at least one churned customer")
        switches = frame.loc[data.index, list(time_varying.values())].astype(float)
        switches.columns = list(time_varying)
        rows, entry = _split_at_switches(data, switches, duration=duration, event=event)
        exog = rows[design.columns]
        try:
            result = PHReg(rows[duration].to_numpy(), exog.to_numpy(), status=rows[event].to_numpy(),
                           entry=entry, ties=self.ties).fit()
        except np.linalg.LinAlgError as err:
            raise ModelFitError(
                f"the Cox model of {', '.join(covariates)} cannot be fitted to these {len(data)} customers "
                f"({int(data[event].sum())} lost): the covariates do not identify it (a singular information matrix: "
                "two covariates carry the same information, or one hardly varies among the customers at risk when "
                "losses happen). Fix: leave out one of the covariates, or use a longer history with more losses"
            ) from err
        self.time_varying_ = sorted(time_varying)
        params, se = np.asarray(result.params), np.asarray(result.bse)
        z = float(stats.norm.ppf(1 - self.alpha / 2))
        self.summary_ = pd.DataFrame({
            "covariate": list(design.columns), "coef": params, "hazard_ratio": np.exp(params),
            "ci_low": np.exp(params - z * se), "ci_high": np.exp(params + z * se), "se": se,
            "p_value": np.asarray(result.pvalues)})
        self.result_ = result
        self.n_ = len(data)
        self.events_ = int(data[event].sum())
        # concordance per customer, with each covariate as it stood at the end of the lifetime
        risk = data[design.columns].to_numpy() @ params
        self.concordance_ = _concordance(data[duration].to_numpy(), data[event].to_numpy(dtype=bool), risk)
        return self

    @property
    def summary(self) -> pd.DataFrame:
        """Hazard ratios with intervals and p-values, one row per covariate column."""
        return self.summary_

    def __repr__(self) -> str:
        if not hasattr(self, "summary_"):
            return "CoxChurnModel(not fitted)"
        return f"CoxChurnModel(n={self.n_}, events={self.events_}, covariates={len(self.summary_)})"

    def _repr_html_(self) -> str:
        if not hasattr(self, "summary_"):
            return "<p>CoxChurnModel (not fitted)</p>"
        head = (f"<p><strong>Cox churn model</strong>: n = {self.n_:,}, losses = {self.events_:,}, "
                f"concordance = {self.concordance_:.2f}</p>")
        return head + self.summary_.to_html(index=False, float_format=lambda v: f"{v:.3g}")


def _split_at_switches(data: pd.DataFrame, switches: pd.DataFrame, *, duration: str,
                       event: str) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Counting-process rows: each lifetime with a switch day strictly inside it becomes two rows.

    Row 1 covers (0, switch] with the covariate False and no loss; row 2 covers (switch, duration]
    with the covariate True and the lifetime's loss, entering the risk set at ``switch``. A switch
    on day 0 or earlier holds for the whole lifetime; one at or after its end (or NaN) never applies.
    Returns the rows and the entry times (None when nothing is split: the plain one-row form).
    """
    if switches.empty or switches.shape[1] == 0:
        return data, None
    rows = data.copy()
    entry = np.zeros(len(rows))
    for name in switches.columns:
        day = switches[name].to_numpy()
        stop = rows[duration].to_numpy()
        origin = rows.index.to_numpy()
        switch = day[pd.Index(switches.index).get_indexer(origin)]
        never = np.isnan(switch) | (switch >= stop)
        always = ~never & (switch <= entry)
        inside = ~never & ~always
        rows[name] = np.where(always, 1.0, 0.0)
        after = rows.loc[inside].copy()
        after[name] = 1.0
        after_entry = switch[inside]
        rows.loc[inside, duration] = switch[inside]
        rows.loc[inside, event] = 0.0
        rows = pd.concat([rows, after])
        entry = np.concatenate([entry, after_entry])
    return rows, entry


def _concordance(time: np.ndarray, event: np.ndarray, risk: np.ndarray, *, limit: int = 5000) -> float:
    """Harrell's C: among comparable pairs (the earlier lifetime ended in a loss), the share in which
    the earlier one had the higher risk; ties in risk count one half."""
    if len(time) > limit:
        return math.nan
    ti, ri = time[event][:, None], risk[event][:, None]
    comparable = time[None, :] > ti
    if not comparable.any():
        return math.nan
    concordant = (comparable & (ri > risk[None, :])).sum() + 0.5 * (comparable & (ri == risk[None, :])).sum()
    return float(concordant / comparable.sum())
