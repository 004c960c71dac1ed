"""The shifted-beta-geometric (sBG) model of contractual retention and its discounted residual lifetime.

Fader & Hardie (2007), "How to project customer retention", Journal of Interactive Marketing 21(1):
at the end of each billing period an active subscriber cancels with probability theta, and theta
varies across subscribers as Beta(alpha, beta). Then

- P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta), t = 1, 2, ... (cancels in period t);
- S(t) = P(T > t) = B(alpha, beta + t) / B(alpha, beta) (still subscribed after t periods);
- r(t) = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1) (retention rate of period t), which
  rises with t although no subscriber's own theta changes: the ones who stay are the loyal ones.

Fader & Hardie (2010), "Customer-base valuation in a contractual setting: the perils of ignoring
heterogeneity", Marketing Science 29(1): the discounted expected residual lifetime of a subscriber who
has made n - 1 renewals, valued just before the n-th renewal decision (the first future payment is the
n-th renewal, undiscounted),

    DERL(d | alpha, beta, n) = sum_{t >= n} S(t) / S(n - 1) / (1 + d)^(t - n)
        = (beta + n - 1) / (alpha + beta + n - 1) * 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d)),

with d the discount rate per billing period. A subscriber's expected residual value is the amount per
period times DERL.

The model is fitted by maximum likelihood over the log of (alpha, beta) with the shared machinery of
:mod:`kit.models.clv._fitting` (standard errors from the numerical Hessian, delta method).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, hyp2f1

from kit.errors import DataError, KitError, ModelFitError
from kit.models.clv._fitting import _maximise, _param_table

__all__ = ["ShiftedBetaGeometric", "lifetimes_from_survivors"]


def lifetimes_from_survivors(survivors: Sequence[float]) -> pd.DataFrame:
    """Turn a cohort's survivor counts into the per-group data that :meth:`ShiftedBetaGeometric.fit` takes.

    Parameters
    ----------
    survivors : sequence of numbers
        Subscribers still active at the start (index 0) and after each of the following periods,
        e.g. ``[1000, 869, 743]``: 131 cancelled in period 1, 126 in period 2, 743 still active after 2.

    Returns
    -------
    DataFrame
        ``periods`` (the period of the cancellation, or the periods survived for those still active),
        ``churned`` (bool) and ``weight`` (how many subscribers), one row per group.

    Raises
    ------
    DataError
        When the counts are not a non-increasing sequence of at least two non-negative numbers.

    Examples
    --------
    >>> lifetimes_from_survivors([1000, 869, 743]).to_dict("list")
    {'periods': [1, 2, 2], 'churned': [True, True, False], 'weight': [131.0, 126.0, 743.0]}
    """
    counts = np.asarray(survivors, dtype="float64")
    if counts.size < 2 or np.any(counts < 0) or np.any(np.diff(counts) > 0):
        raise DataError("survivor counts must not rise from one period to the next",
                        file="survivor counts", values=list(counts[:5]),
                        expected="at least two non-negative, non-increasing counts (start, after period 1, ...)",
                        fix="pass the number still subscribed at the start and after each period")
    lost = -np.diff(counts)
    n = counts.size - 1
    return pd.DataFrame({"periods": [*range(1, n + 1), n], "churned": [True] * n + [False],
                         "weight": [*lost, counts[-1]]})


def _sbg_objective(t: np.ndarray, churned: np.ndarray, w: np.ndarray) -> object:
    """Mean negative log-likelihood of the sBG and its gradient over the log-parameters.

    Churned in period t: log P(T = t) = betaln(a + 1, b + t - 1) - betaln(a, b); d/da = psi(a + 1) - psi(a)
    - psi(a + b + t) + psi(a + b); d/db = psi(b + t - 1) - psi(b) - psi(a + b + t) + psi(a + b).
    Active after t periods: log S(t) = betaln(a, b + t) - betaln(a, b); d/da = psi(a + b) - psi(a + b + t);
    d/db = psi(b + t) - psi(b) - psi(a + b + t) + psi(a + b).
    """
    n = float(w.sum())
    c = churned.astype(bool)
    # the special functions depend on t alone: evaluated once per distinct t and gathered back, so each
    # subscriber's term (and every sum below) is the same number as when evaluated row by row
    ut, at = np.unique(t, return_inverse=True)

    def objective(lp: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = np.exp(lp)
        ll_churn = (betaln(a + 1, b + ut - 1) - betaln(a, b))[at]
        ll_alive = (betaln(a, b + ut) - betaln(a, b))[at]
        ll = np.where(c, ll_churn, ll_alive)
        psi_ab, psi_abt = digamma(a + b), digamma(a + b + ut)[at]
        ga = np.where(c, digamma(a + 1) - digamma(a), 0.0) + psi_ab - psi_abt
        gb = np.where(c, digamma(b + ut - 1)[at], digamma(b + ut)[at]) - digamma(b) - psi_abt + psi_ab
        g = np.array([float(w @ ga), float(w @ gb)])
        return -float(w @ ll) / n, -(g / n) * np.array([a, b])

    return objective


class ShiftedBetaGeometric:
    """The shifted-beta-geometric model of contractual retention (Fader & Hardie 2007).

    Attributes
    ----------
    params_ : Series
        ``alpha`` and ``beta`` of the Beta distribution of the per-period cancellation probability.
    summary : DataFrame
        estimate, se (delta method from the Hessian of the log-parameters), ci_low, ci_high (95 %) per parameter.
    cov_log_ : ndarray
        Covariance of (log alpha, log beta): the inverse numerical Hessian.
    log_likelihood_, aic_ : float
    n_ : int
        Subscribers fitted (sum of the weights); ``churned_`` of them cancelled.

    Examples
    --------
    >>> sbg = ShiftedBetaGeometric().fit(lifetimes_from_survivors([1000, 631, 468, 382, 326, 289, 262, 241]))
    >>> sbg.params_.round(3).tolist()
    [0.704, 1.182]
    >>> round(float(sbg.retention_rate(1)), 3)  # beta / (alpha + beta)
    0.627
    """

    _names = ["alpha", "beta"]

    def fit(self, lifetimes: pd.DataFrame) -> ShiftedBetaGeometric:
        """Fit by maximum likelihood; returns self.

        Parameters
        ----------
        lifetimes : DataFrame
            One row per subscriber (or group of subscribers): ``periods`` (whole billing periods: the period
            in which the subscriber cancelled, 1 = during the first; or the periods completed by a subscriber
            still active, 0 allowed), ``churned`` (bool) and optionally ``weight`` (how many subscribers the row
            stands for). :func:`lifetimes_from_survivors` builds it from a cohort's survivor counts;
            :func:`kit.metrics.contracts.subscription_lifetimes` from a subscriptions table.

        Raises
        ------
        DataError
            Columns missing, or a cancellation in a period below 1.
        ModelFitError
            No cancellation at all (nothing identifies the model), or the optimiser did not converge.
        """
        missing = [c for c in ("periods", "churned") if c not in lifetimes.columns]
        if missing:
            raise DataError(f"column(s) {', '.join(missing)} missing for the sBG model", file="subscriber lifetimes",
                            expected="periods, churned (and optionally weight)",
                            fix="build the table with kit.metrics.contracts.subscription_lifetimes")
        t = lifetimes["periods"].to_numpy(dtype="float64")
        churned = lifetimes["churned"].to_numpy(dtype=bool)
        w = (lifetimes["weight"].to_numpy(dtype="float64") if "weight" in lifetimes
             else np.ones(len(t), dtype="float64"))
        bad = churned & (t < 1)
        if bad.any():
            raise DataError("a cancellation must fall in period 1 or later", file="subscriber lifetimes",
                            column="periods", rows=list(np.flatnonzero(bad)[:5]), values=list(t[bad][:5]),
                            expected="periods >= 1 where churned", fix="count the period of the cancellation from 1")
        keep = w > 0
        t, churned, w = t[keep], churned[keep], w[keep]
        if not (churned & (w > 0)).any():
            raise ModelFitError("sBG: no subscriber has cancelled yet, so nothing identifies the model. "
                                "Fix: wait for cancellations or use a longer history.")
        try:
            fit = _maximise(_sbg_objective(t, churned, w), np.zeros(2), "sBG", self._names, int(round(w.sum())))
        except ModelFitError as err:
            raise ModelFitError(f"{str(err).split('Fix:')[0]}Fix: use more subscribers or a longer history; "
                                "the model needs both cancellations and subscribers who renewed.") from None
        self.cov_log_ = fit.cov_log
        self.params_ = pd.Series(np.exp(fit.log_params), index=self._names, name="estimate")
        self.log_likelihood_ = float(fit.log_likelihood)
        self.aic_ = 2 * 2 - 2 * self.log_likelihood_
        self.summary = _param_table(self._names, fit.log_params, fit.cov_log)
        self.n_ = int(round(w.sum()))
        self.churned_ = int(round(w[churned].sum()))
        return self

    def _p(self, params: np.ndarray | None) -> tuple[float, float]:
        if params is not None:
            a, b = np.asarray(params, dtype="float64")
            return float(a), float(b)
        if not hasattr(self, "params_"):
            raise KitError("ShiftedBetaGeometric is not fitted yet. Call ShiftedBetaGeometric().fit(lifetimes) "
                           "first.")
        a, b = self.params_.to_numpy()
        return float(a), float(b)

    def retention_rate(self, t: object, *, params: np.ndarray | None = None) -> np.ndarray:
        """r(t) = (beta + t - 1) / (alpha + beta + t - 1): the share of period t - 1's subscribers who renew in t."""
        a, b = self._p(params)
        t_ = np.asarray(t, dtype="float64")
        return (b + t_ - 1) / (a + b + t_ - 1)

    def survival(self, t: object, *, params: np.ndarray | None = None) -> np.ndarray:
        """S(t) = B(alpha, beta + t) / B(alpha, beta): the share still subscribed after t periods (S(0) = 1)."""
        a, b = self._p(params)
        t_ = np.asarray(t, dtype="float64")
        return np.exp(betaln(a, b + t_) - betaln(a, b))

    def churn_probability(self, t: object, *, params: np.ndarray | None = None) -> np.ndarray:
        """P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta): the share who cancel in period t (t >= 1)."""
        a, b = self._p(params)
        t_ = np.asarray(t, dtype="float64")
        return np.exp(betaln(a + 1, b + t_ - 1) - betaln(a, b))

    def derl(self, discount_rate: float, renewals: object = 0, *, params: np.ndarray | None = None) -> np.ndarray:
        """Discounted expected residual lifetime of a subscriber who has made ``renewals`` renewals.

        DERL(d | alpha, beta, n) = (beta + n - 1) / (alpha + beta + n - 1) 2F1(1, beta + n; alpha + beta + n;
        1 / (1 + d)) with n = renewals + 1 (Fader & Hardie 2010, eq. 6): the expected number of future payments,
        the next renewal undiscounted and each later one discounted by (1 + d) per period.

        Parameters
        ----------
        discount_rate : float
            d, the discount rate per billing period (> 0).
        renewals : int or array
            Renewals made so far (0 for a subscriber in the first period).
        """
        if not discount_rate > 0:
            raise ValueError(f"discount_rate must be above 0 (per billing period), found {discount_rate}")
        a, b = self._p(params)
        n = np.asarray(renewals, dtype="float64") + 1
        if n.ndim:  # once per distinct renewal count (hyp2f1 is slow), gathered back: the same numbers
            un, at = np.unique(n, return_inverse=True)
            return ((b + un - 1) / (a + b + un - 1) * hyp2f1(1.0, b + un, a + b + un, 1.0 / (1.0 + discount_rate))
                    )[at.reshape(n.shape)]
        return (b + n - 1) / (a + b + n - 1) * hyp2f1(1.0, b + n, a + b + n, 1.0 / (1.0 + discount_rate))

    def del_new(self, discount_rate: float, *, params: np.ndarray | None = None) -> float:
        """Discounted expected lifetime of a new subscriber, the first payment included.

        sum_{t >= 0} S(t) / (1 + d)^t = 1 + DERL(d | n = 1) / (1 + d).
        """
        return float(1.0 + self.derl(discount_rate, 0, params=params) / (1.0 + discount_rate))

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return "ShiftedBetaGeometric()"
        a, b = self.params_.to_numpy()
        return f"ShiftedBetaGeometric(alpha={a:.3f}, beta={b:.3f}, n={self.n_})"
