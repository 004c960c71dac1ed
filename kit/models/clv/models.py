"""The BG/NBD model of repeat purchasing and the Gamma-Gamma model of spend per purchase.

Fader, Hardie & Lee (2005) (BG/NBD) and Fader & Hardie (2013) (Gamma-Gamma), fitted by maximum
likelihood in log space on the log of the parameters (see :mod:`kit.models.clv`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, gammaln, hyp2f1, logsumexp

from kit.errors import DataError, KitError, ModelFitError
from kit.models.clv._fitting import _columns, _compress, _dot, _maximise, _param_table, _warm_start

__all__ = ["BetaGeo", "GammaGamma"]


def _bgnbd_terms(p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, ...]:
    r, alpha, a, b = p
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    pos = x > 0
    a3 = np.where(pos, betaln(a + 1, np.where(pos, b + x - 1, 1.0)) - betaln(a, b)
                  - (r + x) * np.log(alpha + tx), -np.inf)
    return a1, a2, a3


def _bgnbd_loglik(p: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6), in log space."""
    a1, a2, a3 = _bgnbd_terms(p, x, tx, T)
    return a1 + logsumexp(np.stack([a2, a3]), axis=0)

def _bgnbd_objective(x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray, penaliser: float
                     ) -> object:
    """Mean negative log-likelihood (+ L2 penalty) and its gradient over the log-parameters.

    Terms that depend on x alone (gammaln, betaln, digamma) are evaluated once per distinct x
    and weighted by the number of customers with that x; only logs and exps run per customer.
    Gradient of the per-customer LL = A1 + log(exp(A2) + exp(A3)) with weights w3 = exp(A3 - LL + A1),
    w2 = 1 - w3: d/dr = psi(r+x) - psi(r) + ln alpha - w2 ln(alpha+T) - w3 ln(alpha+t_x);
    d/dalpha = r/alpha - (r+x) [w2/(alpha+T) + w3/(alpha+t_x)]; d/da = psi(a+b) - psi(a+b+x) + w3/a;
    d/db = psi(a+b) - psi(a+b+x) - psi(b) + w2 psi(b+x) + w3 psi(b+x-1).
    """
    n = float(w.sum())
    ux, inv = np.unique(x, return_inverse=True)
    wx = np.bincount(inv, weights=w, minlength=len(ux))
    upos = ux > 0
    ux1 = np.where(upos, ux - 1, 1.0)

    def objective(lp: np.ndarray) -> tuple[float, np.ndarray]:
        p = np.exp(lp)
        r, alpha, a, b = p
        bab = betaln(a, b)
        b2 = betaln(a, b + ux) - bab
        b3 = np.where(upos, betaln(a + 1, b + ux1) - bab, -np.inf)
        rx = r + x
        l_t, l_tx = np.log(alpha + T), np.log(alpha + tx)
        a2 = b2[inv] - rx * l_t
        a3 = b3[inv] - rx * l_tx
        lse = np.logaddexp(a2, a3)
        w3 = np.exp(a3 - lse)
        w2 = 1.0 - w3
        ll = wx @ (gammaln(r + ux) - gammaln(r) + r * math.log(alpha)) + _dot(w, lse)
        psi_ab, psi_abx = digamma(a + b), digamma(a + b + ux)
        psi_bx, psi_bx1 = digamma(b + ux), np.where(upos, digamma(b + ux1), 0.0)
        ww3 = _dot(w, w3)
        g = np.array([
            wx @ (digamma(r + ux) - digamma(r) + math.log(alpha)) - _dot(w, w2 * l_t + w3 * l_tx),
            r / alpha * n - _dot(w, rx * (w2 / (alpha + T) + w3 / (alpha + tx))),
            wx @ (psi_ab - psi_abx) + ww3 / a,
            wx @ (psi_ab - psi_abx - digamma(b)) + _dot(w, w2 * psi_bx[inv] + w3 * psi_bx1[inv]),
        ])
        value = -float(ll) / n + penaliser * float(p @ p)
        return value, -(g / n) * p + penaliser * 2 * p * p

    return objective


class BetaGeo:
    """The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005).

    Purchases of an alive customer follow a Poisson process with rate lambda ~ Gamma(r, alpha);
    after each purchase the customer drops out with probability p ~ Beta(a, b).

    Parameters
    ----------
    penaliser : float
        L2 penalty ``penaliser * sum(params**2)`` added to the *mean* negative log-likelihood
        (as in ``lifetimes``); 0 (default) gives the maximum-likelihood estimate. With a
        penalty the standard errors are only indicative.

    Attributes
    ----------
    params_ : Series
        ``r``, ``alpha``, ``a``, ``b`` (``alpha`` is in the summary's time unit).
    summary : DataFrame
        estimate, se (delta method), ci_low, ci_high (95 %, log scale carried back) per parameter.
    log_likelihood_, aic_ : float
    cov_log_ : ndarray
        Covariance of the log-parameters (inverse numerical Hessian).
    n_ : int
        Customers fitted. ``time_unit_``: the summary's time unit.

    Example
    -------
    >>> bg = BetaGeo().fit(summary)                       # doctest: +SKIP
    >>> bg.p_alive(frequency=2, recency=30.4, T=38.9)     # doctest: +SKIP
    """

    _names = ["r", "alpha", "a", "b"]

    def __init__(self, penaliser: float = 0.0) -> None:
        self.penaliser = float(penaliser)

    def fit(self, summary: pd.DataFrame) -> BetaGeo:
        """Fit by maximum likelihood on ``frequency``, ``recency``, ``T``; returns self.

        Raises
        ------
        DataError
            Columns missing.
        ModelFitError
            No customers, or the optimiser did not converge (message suggests a fix).
        """
        x, tx, T = _columns(summary, ("frequency", "recency", "T"), "BG/NBD")
        if len(x) == 0:
            raise ModelFitError("BG/NBD: no customers to fit the model on (customer summary). "
                                "Fix: check as_of and the order dates.")
        (x, tx, T), w = _compress(x, tx, T)
        n = float(w.sum())
        start = np.log([1.0, max(float(np.average(T, weights=w)), 1e-3), 1.0, 1.0])
        hess_inv0 = None
        if len(x) > 20_000:
            # warm start: a fit on a seeded random 10,000 rows gets close in a fraction of the time
            sub = np.random.default_rng(0).choice(len(x), 10_000, replace=False)
            start, hess_inv0 = _warm_start(_bgnbd_objective(x[sub], tx[sub], T[sub], w[sub], self.penaliser),
                                           start)
        fit = _maximise(_bgnbd_objective(x, tx, T, w, self.penaliser), start, "BG/NBD", self._names,
                        int(n), hess_inv0)
        self.cov_log_ = fit.cov_log
        self.params_ = pd.Series(np.exp(fit.log_params), index=self._names, name="estimate")
        self.log_likelihood_ = _dot(w, _bgnbd_loglik(self.params_.to_numpy(), x, tx, T))
        self.aic_ = 2 * 4 - 2 * self.log_likelihood_
        self.summary = _param_table(self._names, fit.log_params, fit.cov_log)
        self.n_ = int(n)
        self.time_unit_ = summary.attrs.get("time_unit")
        return self

    def _p(self, params: np.ndarray | None) -> np.ndarray:
        if params is not None:
            return np.asarray(params, dtype="float64")
        if not hasattr(self, "params_"):
            raise KitError("BetaGeo is not fitted yet. Call BetaGeo().fit(summary) first.")
        return self.params_.to_numpy()

    def p_alive(self, frequency: object, recency: object, T: object, *,
                params: np.ndarray | None = None) -> np.ndarray:
        """P(customer still alive | x, t_x, T) = 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).

        Equals 1 for customers with no repeat purchase (eq. 13 of the BG/NBD paper). Arrays broadcast.
        """
        r, alpha, a, b = self._p(params)
        x, tx, T_ = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
        pos = x > 0
        log_odds = (np.log(a) - np.log(np.where(pos, b + x - 1, 1.0))
                    + (r + x) * (np.log(alpha + T_) - np.log(alpha + tx)))
        return np.where(pos, 1.0 / (1.0 + np.exp(np.minimum(log_odds, 700.0))), 1.0)

    def expected_purchases(self, t: object, frequency: object, recency: object, T: object, *,
                           params: np.ndarray | None = None) -> np.ndarray:
        """E[purchases in (T, T+t] | x, t_x, T] (BG/NBD paper eq. 10); ``t`` in the summary's unit.

        Formula: (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1;
        t/(alpha+T+t))] / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).
        """
        x, tx, T_ = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
        return self._purchases_if_alive(t, x, T_, params=params) * self.p_alive(x, tx, T_, params=params)

    def _purchases_if_alive(self, t: object, frequency: object, T: object, *,
                            params: np.ndarray | None = None) -> np.ndarray:
        """The factor of :meth:`expected_purchases` before P(alive): it depends on x and T only.

        ``(a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]``;
        customers sharing (x, T) share it, so large summaries evaluate it once per distinct pair.
        """
        r, alpha, a, b = self._p(params)
        t_, x, T_ = (np.asarray(v, dtype="float64") for v in (t, frequency, T))
        z = t_ / (alpha + T_ + t_)
        head = (a + b + x - 1) / (a - 1)
        tail = 1.0 - np.exp((r + x) * (np.log(alpha + T_) - np.log(alpha + T_ + t_))) \
            * hyp2f1(r + x, b + x, a + b + x - 1, z)
        return head * tail

    def expected_purchases_population(self, t: object, *, params: np.ndarray | None = None) -> np.ndarray:
        """E[X(t)] of a new customer: (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]."""
        r, alpha, a, b = self._p(params)
        t_ = np.asarray(t, dtype="float64")
        return (a + b - 1) / (a - 1) * (1.0 - (alpha / (alpha + t_)) ** r
                                       * hyp2f1(r, b, a + b - 1, t_ / (alpha + t_)))

    def log_likelihood(self, summary: pd.DataFrame, params: np.ndarray | None = None) -> float:
        """Total log-likelihood of a summary at the fitted (or given) parameters."""
        x, tx, T = _columns(summary, ("frequency", "recency", "T"), "BG/NBD")
        return float(np.sum(_bgnbd_loglik(self._p(params), x, tx, T)))

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return "BetaGeo(unfitted)"
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"BetaGeo({ps}; n={self.n_}, LL={self.log_likelihood_:.2f}, unit={self.time_unit_})"


# --------------------------------------------------------------------------- Gamma-Gamma


def _gg_loglik(p_: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of the mean spend m over x repeat purchases."""
    p, q, v = p_
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v) + (px - 1) * np.log(m)
            + px * np.log(x) - (px + q) * np.log(x * m + v))


def _gg_objective(x: np.ndarray, m: np.ndarray, w: np.ndarray, penaliser: float) -> object:
    """Mean negative log-likelihood (+ L2 penalty) of :func:`_gg_loglik` and its gradient over the log-parameters.

    d/dp = x [psi(p x + q) - psi(p x) + ln m + ln x - ln(x m + gamma)]; d/dq = psi(p x + q) - psi(q) + ln gamma
    - ln(x m + gamma); d/dgamma = q / gamma - (p x + q) / (x m + gamma).

    The same per-customer numbers as :func:`_gg_loglik` and the gradient written out, computed faster:
    gammaln and digamma depend on x alone and run once per distinct x (then gathered back), the logs of x
    and m once per fit; only log(x m + gamma) runs per customer and iteration. Every sum adds the same
    terms in the same order.
    """
    n = float(w.sum())
    ux, at = np.unique(x, return_inverse=True)
    log_m, log_x = np.log(m), np.log(x)

    def objective(lp: np.ndarray) -> tuple[float, np.ndarray]:
        p_ = np.exp(lp)
        p, q, v = p_
        pux = p * ux
        px = pux[at]
        xmv = x * m + v
        lxm = np.log(xmv)
        g_pxq, g_px = gammaln(pux + q)[at], gammaln(pux)[at]
        ll = g_pxq - g_px - gammaln(q) + q * np.log(v) + (px - 1) * log_m + px * log_x - (px + q) * lxm
        psi_pxq = digamma(pux + q)[at]
        d_p = x * (psi_pxq - digamma(pux)[at] + log_m + log_x - lxm)
        d_q = psi_pxq - digamma(q) + np.log(v) - lxm
        d_v = q / v - (px + q) / xmv
        grad = np.einsum("ki,i->k", np.stack([d_p, d_q, d_v]), w)
        value = -_dot(w, ll) / n + penaliser * float(p_ @ p_)
        return value, -(grad / n) * p_ + penaliser * 2 * p_ * p_

    return objective


class GammaGamma:
    """The Gamma-Gamma model of spend per purchase (Fader & Hardie 2013).

    Spend per transaction ~ Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers. Fitted on
    repeat buyers (``frequency > 0``) with their mean net repeat spend ``monetary_value``.
    The scale is called ``gamma`` as in the published tables (``lifetimes`` calls it ``v``).

    Parameters
    ----------
    drop_nonpositive : bool
        Repeat buyers whose mean net spend is <= 0 (refunds exceeding revenue) cannot enter the
        model. False (default): refuse with a DataError. True: leave them out and report the
        number in ``n_dropped_``.
    penaliser : float
        L2 penalty on the parameters as in :class:`BetaGeo`.

    Attributes
    ----------
    params_ : Series (p, q, gamma); summary : DataFrame; log_likelihood_, aic_, n_, n_dropped_.

    Example
    -------
    >>> gg = GammaGamma().fit(summary)                 # doctest: +SKIP
    >>> gg.expected_spend(frequency=2, monetary=22.35)  # doctest: +SKIP
    """

    _names = ["p", "q", "gamma"]

    def __init__(self, *, drop_nonpositive: bool = False, penaliser: float = 0.0) -> None:
        self.drop_nonpositive = drop_nonpositive
        self.penaliser = float(penaliser)

    def fit(self, summary: pd.DataFrame) -> GammaGamma:
        """Fit on the repeat buyers of ``summary`` (columns ``frequency``, ``monetary_value``); returns self.

        Raises
        ------
        DataError
            Non-positive mean net spend among repeat buyers (unless ``drop_nonpositive``).
        ModelFitError
            Fewer than 2 repeat buyers with positive spend, or the optimiser did not converge.
        """
        x, m = _columns(summary, ("frequency", "monetary_value"), "Gamma-Gamma")
        rep = x > 0
        bad = rep & ~(m > 0)
        self.n_dropped_ = int(bad.sum())
        if self.n_dropped_ and not self.drop_nonpositive:
            ids = summary["customer_id"].to_numpy()[bad] if "customer_id" in summary.columns else np.flatnonzero(bad)
            raise DataError(
                f"{self.n_dropped_} repeat buyer(s) have a mean net repeat spend <= 0 "
                f"(e.g. {', '.join(map(str, ids[:5]))}). Values are net of refunds "
                "(revenue - refund_amount), so refunds can make them 0 or negative, and the "
                "Gamma-Gamma model needs positive spend", file="customer summary", column="monetary_value",
                fix="leave those customers out with GammaGamma(drop_nonpositive=True) "
                "(the number dropped is reported in n_dropped_)")
        keep = rep & (m > 0)
        if keep.sum() < 2:
            raise ModelFitError("Gamma-Gamma: fewer than 2 repeat buyers with positive spend (customer "
                                "summary). Fix: use a longer history or a shorter time unit.")
        (x, m), w = _compress(x[keep], m[keep])
        n = float(w.sum())
        objective = _gg_objective(x, m, w, self.penaliser)
        mean_m = float(np.average(m, weights=w))
        start = np.log([1.0, 1.0, mean_m])
        fit = _maximise(objective, start, "Gamma-Gamma", self._names, int(n))
        self.cov_log_ = fit.cov_log
        self.params_ = pd.Series(np.exp(fit.log_params), index=self._names, name="estimate")
        self.log_likelihood_ = _dot(w, _gg_loglik(self.params_.to_numpy(), x, m))
        self.aic_ = 2 * 3 - 2 * self.log_likelihood_
        self.summary = _param_table(self._names, fit.log_params, fit.cov_log)
        self.n_ = int(n)
        return self

    def _p(self, params: np.ndarray | None) -> np.ndarray:
        if params is not None:
            return np.asarray(params, dtype="float64")
        if not hasattr(self, "params_"):
            raise KitError("GammaGamma is not fitted yet. Call GammaGamma().fit(summary) first.")
        return self.params_.to_numpy()

    def expected_spend(self, frequency: object, monetary: object, *,
                       params: np.ndarray | None = None) -> np.ndarray:
        """E[spend per purchase | x, zbar] = p (gamma + x zbar) / (p x + q - 1).

        For x = 0 this is the population mean p gamma / (q - 1). Mean net spends below 0 are
        taken as 0 (their expectation is then pulled up towards the population mean only by the
        prior). Needs q > 1.
        """
        p, q, v = self._p(params)
        x = np.asarray(frequency, dtype="float64")
        m = np.clip(np.asarray(monetary, dtype="float64"), 0.0, None)
        m = np.where(x > 0, m, 0.0)
        return p * (v + x * m) / (p * x + q - 1)

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return "GammaGamma(unfitted)"
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"GammaGamma({ps}; n={self.n_}, dropped={self.n_dropped_}, LL={self.log_likelihood_:.2f})"

