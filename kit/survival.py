"""Customer lifetimes: Kaplan-Meier retention curves, log-rank tests and Cox churn drivers.

A customer's lifetime starts at the first order and ends at the first loss (see
:mod:`kit.metrics.behaviour`: no order for ``inactivity_days``, or a recorded exit). Customers
not lost by ``as_of`` are right-censored there. The estimators come from
``statsmodels.duration`` (``SurvfuncRight``, ``survdiff``, ``PHReg``); the classes follow the
lifelines style: ``fit`` returns ``self``, fitted attributes end in ``_``, ``summary`` is tidy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from kit.config import AnalysisConfig
from kit.metrics._orders import exit_codes, group_min, inactivity_rows, sort_orders
from kit.tables import LoyaltyData

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["lifetime_table", "KaplanMeier", "LogrankResult", "logrank_test", "CoxChurnModel",
           "REFERRAL_CHANNELS"]

Language = Literal["en", "de"]

#: Acquisition channels (lower case) that mark a referred customer.
REFERRAL_CHANNELS = ("empfehlung", "referral", "recommendation")

_SLOW_RESPONSE = pd.Timedelta(hours=24)


# --------------------------------------------------------------------------- lifetime table
def lifetime_table(data: LoyaltyData, config: AnalysisConfig, *, as_of: pd.Timestamp | str,
                   loss: Literal["final", "first"] = "final") -> pd.DataFrame:
    """One row per customer: lifetime from the first order to the loss, and covariates.

    Parameters
    ----------
    data : LoyaltyData
        The tidy tables; ``orders`` is needed, every other table adds covariates when present.
    config : AnalysisConfig
        Supplies ``thresholds.inactivity_days``.
    as_of : Timestamp or str
        End of follow-up, exclusive: orders, exits, tickets and surveys before ``as_of`` count;
        customers not lost before it are censored at ``as_of``.
    loss : {"final", "first"}
        Which loss ends the lifetime. ``"final"`` (default): the customer stopped for good, i.e. the
        loss after which no order follows before ``as_of``: the earlier of the last order +
        ``inactivity_days`` and an exit on or after the last order. ``"first"``: the first loss
        (the first gap of ``inactivity_days``, or the first exit), even when the customer came back.

    Returns
    -------
    DataFrame
        ``customer_id``, ``start`` (first order), ``end`` (loss or ``as_of``), ``duration_days``,
        ``churned`` (bool), ``n_orders`` (before ``end``), then the covariates whose tables exist:

        - ``segment`` (customers.segment);
        - ``referred``: the customer is a ``referred_id`` in referrals, or the acquisition channel is a
          referral channel (:data:`REFERRAL_CHANNELS`, e.g. "Empfehlung");
        - ``n_tickets``, ``slow_first_response``: tickets opened before ``end``; slow = first response
          more than 24 calendar hours after opening (computed from the timestamps), or no response
          yet and more than 24 hours passed before ``end``;
        - ``five_star`` (any star rating of 5 before ``end``), ``mean_rating`` (NaN without a rating).

        Empty (with the base columns) when there are no orders before ``as_of``.

    Raises
    ------
    ValueError
        For an unknown ``loss``.

    Notes
    -----
    ``"first"`` counts a temporary lapse as the end of a lifetime; for one-off buyers with a low
    order rate that happens early and blurs the effects of covariates (on the sample business the
    planted slow-response effect shows as HR 1.47 with ``"final"`` and only 1.13 with ``"first"``).
    Covariates are measured up to the end of follow-up. Customers who stay longer have more
    time to open tickets or answer surveys, which biases such covariates towards longer
    lifetimes; read hazard ratios of event-count covariates with that in mind.

    Examples
    --------
    >>> from kit.tables import LoyaltyData
    >>> from kit.config import AnalysisConfig
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "Shop"},
    ...     "thresholds": {"inactivity_days": 30},
    ...     "data": {"tables": {"orders": {"file": "/tmp/orders.csv"}}}})
    >>> o = pd.DataFrame({"order_id": ["1", "2"], "customer_id": ["a", "b"], "revenue": [5.0, 5.0],
    ...                   "order_date": pd.to_datetime(["2026-01-01", "2026-02-20"])})
    >>> lifetime_table(LoyaltyData(orders=o), cfg, as_of="2026-03-01")[
    ...     ["customer_id", "duration_days", "churned"]].values.tolist()
    [['a', 30.0, True], ['b', 9.0, False]]
    """
    as_of = pd.Timestamp(as_of)
    base = ["customer_id", "start", "end", "duration_days", "churned", "n_orders"]
    if loss not in ("final", "first"):
        raise ValueError(f"loss must be 'final' or 'first', found {loss!r}")
    orders = data.orders
    if orders is None:
        return pd.DataFrame(columns=base)
    orders = orders.loc[orders["order_date"] < as_of]
    s = sort_orders(orders)
    if not len(s.codes):
        return pd.DataFrame(columns=base)
    n, as_of64 = s.n_customers, as_of.to_datetime64()
    inact = np.timedelta64(config.thresholds.inactivity_days, "D")
    first_rows = s.first_rows()
    last_rows = ~s.next_same()
    start, last = s.dates[first_rows], s.dates[last_rows]  # one per customer, in code order
    cand = inactivity_rows(s, config.thresholds.inactivity_days)
    if loss == "first":  # the first gap of inactivity_days
        lost_at = group_min(s.codes[cand], s.dates[cand] + inact, n)
        exit_from = start
    else:  # stopped for good: the last order + inactivity_days
        lost_at = last + inact
        exit_from = last
    exits = data.exits
    if exits is not None:
        ex_codes, ex_dates = exit_codes(s, exits.loc[exits["exit_date"] < as_of])
        keep = ex_dates >= exit_from[ex_codes]
        lost_at = np.fmin(lost_at, group_min(ex_codes[keep], ex_dates[keep], n))
    churned = lost_at < as_of64
    end = np.where(churned, lost_at, as_of64)
    table = pd.DataFrame({
        "customer_id": s.ids, "start": start, "end": end,
        "duration_days": (end - start) / np.timedelta64(1, "D"), "churned": churned,
        "n_orders": np.bincount(s.codes, weights=s.dates < end[s.codes], minlength=n).astype("int64")})
    table = _add_customer_covariates(table, data)
    table = _add_ticket_covariates(table, data.tickets)
    table = _add_survey_covariates(table, data.surveys)
    table.attrs.update({"as_of": as_of, "inactivity_days": config.thresholds.inactivity_days, "loss": loss})
    return table


def _add_customer_covariates(table: pd.DataFrame, data: LoyaltyData) -> pd.DataFrame:
    customers = data.customers
    referred = None
    if customers is not None and "segment" in customers:
        seg = customers.drop_duplicates("customer_id").set_index("customer_id")["segment"]
        table["segment"] = table["customer_id"].map(seg)
    if data.referrals is not None and "referred_id" in data.referrals:
        ids = pd.Index(data.referrals["referred_id"].dropna().unique())
        referred = table["customer_id"].isin(ids)
    if customers is not None and "acquisition_channel" in customers:
        channel = customers.drop_duplicates("customer_id").set_index("customer_id")["acquisition_channel"]
        by_channel = table["customer_id"].map(channel).astype("str").str.strip().str.lower().isin(REFERRAL_CHANNELS)
        referred = by_channel if referred is None else referred | by_channel
    if referred is not None:
        table["referred"] = referred.astype(bool)
    return table


def _add_ticket_covariates(table: pd.DataFrame, tickets: pd.DataFrame | None) -> pd.DataFrame:
    if tickets is None or "customer_id" not in tickets:
        return table
    t = tickets.loc[tickets["customer_id"].notna(), ["customer_id", "opened_at"]
                    + (["first_response_at"] if "first_response_at" in tickets else [])]
    t = t.join(table.set_index("customer_id")["end"], on="customer_id", how="inner")
    t = t.loc[t["opened_at"] < t["end"]]
    per = t.groupby("customer_id")
    table["n_tickets"] = table["customer_id"].map(per.size()).fillna(0).astype("int64")
    if "first_response_at" in t:
        waited = t["first_response_at"] - t["opened_at"]
        unanswered = t["first_response_at"].isna() & ((t["end"] - t["opened_at"]) > _SLOW_RESPONSE)
        t = t.assign(_slow=(waited > _SLOW_RESPONSE) | unanswered)
        slow = t.groupby("customer_id")["_slow"].any()
        table["slow_first_response"] = table["customer_id"].map(slow).fillna(False).astype(bool)
    return table


def _add_survey_covariates(table: pd.DataFrame, surveys: pd.DataFrame | None) -> pd.DataFrame:
    if surveys is None or "customer_id" not in surveys or "rating" not in surveys:
        return table
    s = surveys.loc[surveys["customer_id"].notna() & surveys["rating"].notna(),
                    ["customer_id", "responded_at", "rating"]]
    s = s.join(table.set_index("customer_id")["end"], on="customer_id", how="inner")
    s = s.loc[s["responded_at"] < s["end"]]
    g = s.groupby("customer_id")["rating"]
    table["five_star"] = table["customer_id"].map(g.max() == 5).fillna(False).astype(bool)
    table["mean_rating"] = table["customer_id"].map(g.mean()).astype(float)
    return table


# --------------------------------------------------------------------------- Kaplan-Meier
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
           groups: Sequence[object] | pd.Series | None) -> pd.DataFrame:
    frame = pd.DataFrame({"time": np.asarray(durations, dtype=float),
                          "event": np.asarray(events, dtype=float),
                          "group": "all" if groups is None else np.asarray(groups, dtype=object)})
    frame = frame.dropna()
    if (frame["time"] < 0).any():
        raise ValueError(f"durations must be >= 0; found {int((frame['time'] < 0).sum())} negative")
    frame["event"] = frame["event"].astype(bool)
    frame["group"] = frame["group"].astype(str)
    return frame


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
        frame = _clean(durations, events, groups)
        if frame.empty:
            raise ValueError("no lifetimes to fit: every row has a missing duration, event or group")
        z = float(stats.norm.ppf(1 - self.alpha / 2))
        curves, summary = [], []
        medians: dict[str, float] = {}
        for name, g in frame.groupby("group", sort=True):
            sf = SurvfuncRight(g["time"].to_numpy(), g["event"].to_numpy(dtype=float))
            surv, se = np.asarray(sf.surv_prob), np.asarray(sf.surv_prob_se)
            low, high = _loglog_band(surv, se, z)
            curve = pd.DataFrame({"group": name, "time": sf.surv_times, "survival": surv,
                                  "ci_low": low, "ci_high": high, "at_risk": sf.n_risk.astype("int64"),
                                  "events": sf.n_events.astype("int64")})
            first = pd.DataFrame({"group": [name], "time": [0.0], "survival": [1.0], "ci_low": [1.0],
                                  "ci_high": [1.0], "at_risk": [len(g)], "events": [0]})
            curves.append(pd.concat([first, curve], ignore_index=True) if len(curve) else first)
            median, m_low, m_high = _median_with_ci(sf, surv, self.alpha)
            medians[name] = median
            summary.append({"group": name, "n": len(g), "events": int(g["event"].sum()), "median": median,
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

    def plot(self, ax: Axes | None = None, *, lang: Language = "en") -> Axes:
        """Step curves with confidence bands, one per group; see :func:`kit.plots.behaviour.plot_survival`."""
        from kit.plots.behaviour import plot_survival

        return plot_survival(self, ax=ax, lang=lang)


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
        With fewer than two groups.

    Examples
    --------
    >>> r = logrank_test([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 0], ["a", "a", "a", "b", "b", "b"])
    >>> r.df, round(r.p_value, 3)
    (1, 0.025)
    """
    frame = _clean(durations, events, groups)
    names = tuple(sorted(frame["group"].unique()))
    if len(names) < 2:
        raise ValueError(f"the log-rank test needs at least two groups; found {list(names)}")
    statistic, p_value = survdiff(frame["time"].to_numpy(), frame["event"].to_numpy(dtype=float),
                                  frame["group"].to_numpy())
    return LogrankResult(float(statistic), len(names) - 1, float(p_value), len(frame), names)


# --------------------------------------------------------------------------- Cox
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
            event: str = "churned") -> CoxChurnModel:
        """Fit the model.

        Parameters
        ----------
        frame : DataFrame
            One row per customer, e.g. from :func:`lifetime_table`.
        covariates : list of str
            Columns to use. Bool and numeric columns enter as they are; text columns as indicator
            columns ``name=level`` against the most frequent level.
        duration, event : str
            Columns of the lifetime and of the observed loss.

        Returns
        -------
        CoxChurnModel
            ``self``, fitted.

        Raises
        ------
        ValueError
            When a column is missing, or no loss was observed.
        """
        missing = [c for c in [duration, event, *covariates] if c not in frame]
        if missing:
            raise ValueError(f"columns {missing} not in the frame; available: {', '.join(map(str, frame.columns))}")
        design = _design(frame, covariates)
        data = pd.concat([frame[[duration]].astype(float), frame[[event]].astype(float), design], axis=1).dropna()
        if data[event].sum() == 0:
            raise ValueError("no observed losses: a Cox model needs at least one churned customer")
        exog = data[design.columns]
        result = PHReg(data[duration].to_numpy(), exog.to_numpy(), status=data[event].to_numpy(),
                       ties=self.ties).fit()
        params, se = np.asarray(result.params), np.asarray(result.bse)
        z = float(stats.norm.ppf(1 - self.alpha / 2))
        self.summary_ = pd.DataFrame({
            "covariate": list(design.columns), "coef": params, "hazard_ratio": np.exp(params),
            "ci_low": np.exp(params - z * se), "ci_high": np.exp(params + z * se), "se": se,
            "p_value": np.asarray(result.pvalues)})
        self.result_ = result
        self.n_ = len(data)
        self.events_ = int(data[event].sum())
        risk = exog.to_numpy() @ params
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
