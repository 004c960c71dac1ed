"""Predictive customer value: customer summaries, BG/NBD, Gamma-Gamma and CLV.

The models follow Fader, Hardie & Lee (2005) "Counting your customers the easy way: an
alternative to the Pareto/NBD model", Marketing Science 24(2) (BG/NBD), and Fader & Hardie
(2013) "The Gamma-Gamma model of monetary value" (spend). Both are fitted by maximum
likelihood in log space (``scipy.special.gammaln``, ``betaln``, ``logsumexp``) on the log of
the parameters; standard errors come from a numerical Hessian (``statsmodels.tools.numdiff``)
on that log scale and are carried back by the delta method.

Conventions used everywhere in this module:

- **Net value.** Every money figure is net: ``revenue - refund_amount`` (``refund_amount``
  counts as 0 when the column is absent). A fully refunded order still counts as a purchase
  occasion (the transaction happened); its value is 0.
- **Purchase occasions.** Orders are first collapsed to one purchase per customer per day
  (time units ``"D"`` and ``"W"``) or per calendar month (``"M"``, pandas ``Period("M")``
  semantics), as the ``lifetimes`` package and Fader & Hardie's CDNOW analysis do. The value of
  an occasion is the sum of the net values of its orders.
- **Time unit.** ``"D"`` days, ``"W"`` weeks of 7 days (``days / 7``, fractional, as in the
  CDNOW data set), ``"M"`` whole calendar months. The unit of a summary is stored in
  ``summary.attrs["time_unit"]`` and copied to every model fitted on it (``time_unit_``).
  A month is ``365.25 / 12 = 30.4375`` days when months have to be converted to days or weeks.
- **Cut-off.** ``as_of`` and ``calibration_end`` are *exclusive*, like every ``as_of`` of the kit
  and ``Period.end``: an order counts when ``order_date < as_of`` (``as_of="2026-10-01"`` uses
  the data up to and including 30 September). ``T`` is measured from the day of the first
  purchase to the last day observed, the day before a midnight ``as_of``, so a customer who
  bought on that last day has ``recency == T`` (this reproduces Fader & Hardie's CDNOW summary:
  a first purchase on 1997-01-01 and ``as_of="1997-10-01"`` give T = 272 days = 38.86 weeks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import betaln, digamma, gammaln, hyp2f1, logsumexp

from kit.errors import DataError, KitError
from kit.results import MetricResult, no_data

if TYPE_CHECKING:
    from kit.config import CLVSettings

__all__ = [
    "TIME_UNITS",
    "DAYS_PER_MONTH",
    "summarise_customers",
    "BetaGeo",
    "GammaGamma",
    "customer_value",
    "clv_predicted",
    "holdout_comparison",
    "frequency_spend_correlation",
]

TimeUnit = Literal["D", "W", "M"]
#: Valid time units and what they mean.
TIME_UNITS: dict[str, str] = {"D": "days", "W": "weeks (7 days)", "M": "calendar months"}
#: Length of an average month in days (365.25 / 12), used to turn months into days or weeks.
DAYS_PER_MONTH = 365.25 / 12
_Z95 = 1.959963984540054


# --------------------------------------------------------------------------- summaries


def _check_unit(freq: str) -> None:
    if freq not in TIME_UNITS:
        raise KitError(f"time unit {freq!r} is not known. Valid choices: "
                       + ", ".join(f"{k!r} ({v})" for k, v in TIME_UNITS.items()) + ".")


def _code_sql(freq: str) -> str:
    """SQL for the integer period code of ``order_date`` (days since 1970 or months since year 0)."""
    if freq == "M":
        return "(year(order_date) * 12 + month(order_date) - 1)"
    return "date_diff('day', DATE '1970-01-01', CAST(order_date AS DATE))"


def _code_of(day: pd.Timestamp, freq: str) -> int:
    if freq == "M":
        return day.year * 12 + day.month - 1
    return int((day - pd.Timestamp("1970-01-01")).days)


def _source_columns(orders: pd.DataFrame | str | Path, con: object) -> tuple[str, list[str]]:
    """Register the source with DuckDB; return its SQL name and its columns."""
    if isinstance(orders, pd.DataFrame):
        con.register("_orders", orders)  # type: ignore[attr-defined]
        return "_orders", list(orders.columns)
    path = Path(orders)
    if not path.exists():
        raise DataError("file not found", file=str(path), expected="a Parquet file of orders",
                        fix="check the path")
    src = f"read_parquet('{path.as_posix()}')"
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]  # type: ignore[attr-defined]
    return src, cols


def _check_dates(dates: pd.Series) -> None:
    """order_date must be naive datetimes (days are counted in the business time zone)."""
    if not pd.api.types.is_datetime64_dtype(dates.dtype):
        tz = getattr(dates.dtype, "tz", None)
        found = f"time-zone aware ({tz})" if tz is not None else f"of type {dates.dtype}"
        raise DataError(f"order_date is {found}", file="orders", column="order_date",
                        expected="naive timestamps in the business time zone",
                        fix="read the data with kit.read_data, or convert with "
                            ".dt.tz_convert('Europe/Berlin').dt.tz_localize(None) / pd.to_datetime")


def _sql_ts(ts: pd.Timestamp) -> str:
    return f"TIMESTAMP '{ts.strftime('%Y-%m-%d %H:%M:%S.%f')}'"


def _last_day(ts: pd.Timestamp) -> pd.Timestamp:
    """The last calendar day observed before the exclusive cut-off ``ts``."""
    return (ts - pd.Timedelta(1, "ns")).normalize()


def _summary_sql(src: str, *, net: str, freq: str, end: pd.Timestamp, cut: pd.Timestamp, holdout: bool) -> str:
    """The DuckDB query of :func:`summarise_customers`.

    Orders are collapsed to occasions (customer, period code p); the day codes ``d`` of the first
    and last order give ``first_purchase`` and ``last_purchase``. Without a holdout this is the
    plain two-level aggregation (no flag, no join) so that it runs as fast as a hand-written query.
    """
    divisor = 7.0 if freq == "W" else 1.0
    day = "date_diff('day', DATE '1970-01-01', CAST(order_date AS DATE))"
    code = day if freq != "M" else _code_sql("M")
    day_cols = "" if freq != "M" else f", min({day}) AS d_first, max({day}) AS d_last"
    first_d, last_d = ("min(p)", "max(p)") if freq != "M" else ("min(d_first)", "max(d_last)")
    hold = f", order_date >= {_sql_ts(cut)} AS hold" if holdout else ""
    occ = f"""
        occ AS (
            SELECT CAST(customer_id AS VARCHAR) AS customer_id, {code} AS p{hold},
                   sum({net}) AS net{day_cols}
            FROM {src}
            WHERE order_date < {_sql_ts(end)}
            GROUP BY ALL
        )"""
    model_cols = f"""
            count(*) - 1 AS frequency,
            (max(p) - min(p)) / {divisor} AS recency,
            ({_code_of(_last_day(cut), freq)} - min(p)) / {divisor} AS T,
            CASE WHEN count(*) > 1 THEN (sum(net) - arg_min(net, p)) / (count(*) - 1) ELSE 0.0 END
                AS monetary_value,
            DATE '1970-01-01' + CAST({first_d} AS INTEGER) AS first_purchase,
            DATE '1970-01-01' + CAST({last_d} AS INTEGER) AS last_purchase"""
    if not holdout:
        return f"WITH {occ} SELECT customer_id, {model_cols} FROM occ GROUP BY customer_id ORDER BY customer_id"
    return f"""
        WITH {occ},
        cal AS (SELECT customer_id, {model_cols} FROM occ WHERE NOT hold GROUP BY customer_id),
        hold AS (
            SELECT customer_id, count(*) AS frequency_holdout, sum(net) / count(*) AS monetary_value_holdout
            FROM occ WHERE hold GROUP BY customer_id
        )
        SELECT cal.*, coalesce(frequency_holdout, 0) AS frequency_holdout,
               coalesce(monetary_value_holdout, 0.0) AS monetary_value_holdout
        FROM cal LEFT JOIN hold USING (customer_id)
        ORDER BY cal.customer_id"""


def summarise_customers(
    orders: pd.DataFrame | str | Path,
    *,
    as_of: str | pd.Timestamp,
    freq: TimeUnit = "W",
    calibration_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Summarise an order log into one row per customer: frequency, recency, T, monetary value.

    Parameters
    ----------
    orders : DataFrame or path to a Parquet file
        Columns ``customer_id``, ``order_date`` (naive datetime), ``revenue`` and optionally
        ``refund_amount``. A path is read by DuckDB directly (fast on large logs).
    as_of : date-like
        End of the data used, exclusive: orders with ``order_date < as_of`` count (pass
        ``Period.end``, e.g. ``"2026-10-01"`` for data to the end of September).
    freq : {"D", "W", "M"}
        Time unit of ``recency``, ``T`` and (for ``"M"``) of the purchase occasions; see the
        module notes. Stored in ``result.attrs["time_unit"]``.
    calibration_end : date-like, optional
        Split for a calibration/holdout validation, exclusive like ``as_of``. Customers must
        have bought before it; the model columns describe the calibration period (``T`` to its
        last day); orders from ``calibration_end`` to before ``as_of`` give the holdout columns.

    Returns
    -------
    DataFrame
        One row per customer, sorted by ``customer_id``: ``customer_id``, ``frequency``
        (repeat purchase occasions = occasions - 1), ``recency`` (last - first occasion, in
        units; 0 when frequency is 0), ``T`` (last observed day - first occasion, in units),
        ``monetary_value`` (mean net value of the repeat occasions; 0 when frequency is 0),
        ``first_purchase``, ``last_purchase`` (calendar days, at midnight, of the first and last
        order before the cut-off); with ``calibration_end`` also ``frequency_holdout``
        (occasions in the holdout), ``monetary_value_holdout`` (their mean net value, 0 when
        none) and ``duration_holdout`` (``as_of - calibration_end`` in units). ``attrs``: ``time_unit``, ``as_of``,
        ``calibration_end``.

    Raises
    ------
    DataError
        A required column is missing, ``order_date`` is not naive datetimes, or
        ``calibration_end`` is not before ``as_of``.
    KitError
        Unknown time unit.

    Notes
    -----
    Definitions of Fader & Hardie and of ``lifetimes.utils.summary_data_from_transaction_data``
    (``freq="D"`` with ``freq_multiplier=7`` for weeks). The aggregation runs in DuckDB.

    Example
    -------
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-08"]),
    ...     "revenue": [10.0, 5.0, 20.0, 8.0]})
    >>> s = summarise_customers(orders, as_of="2024-01-30", freq="W")
    >>> s[["customer_id", "frequency", "recency", "T", "monetary_value"]].to_numpy().tolist()
    [['a', 1, 2.0, 4.0, 20.0], ['b', 0, 0.0, 3.0, 0.0]]
    """
    import duckdb

    _check_unit(freq)
    end = pd.Timestamp(as_of)
    cal = pd.Timestamp(calibration_end) if calibration_end is not None else None
    if cal is not None and cal >= end:
        raise DataError(f"calibration_end {cal} is not before as_of {end}",
                        expected="calibration_end < as_of", fix="choose an earlier calibration_end")
    cut = cal if cal is not None else end
    divisor = 7.0 if freq == "W" else 1.0  # for duration_holdout
    con = duckdb.connect()
    try:
        src, cols = _source_columns(orders, con)
        missing = [c for c in ("customer_id", "order_date", "revenue") if c not in cols]
        if missing:
            raise DataError(f"column(s) {', '.join(missing)} missing", file="orders",
                            expected="customer_id, order_date, revenue (refund_amount optional)",
                            fix="map your column names in analysis.yaml")
        if isinstance(orders, pd.DataFrame):
            _check_dates(orders["order_date"])
        net = "revenue - coalesce(refund_amount, 0)" if "refund_amount" in cols else "revenue"
        query = _summary_sql(src, net=net, freq=freq, end=end, cut=cut, holdout=cal is not None)
        out = con.execute(query).df()
    finally:
        con.close()
    out["customer_id"] = out["customer_id"].astype("str")
    out["frequency"] = out["frequency"].astype("int64")
    out["recency"] = out["recency"].astype("float64")
    out["T"] = out["T"].astype("float64")
    out["monetary_value"] = out["monetary_value"].astype("float64")
    for col in ("first_purchase", "last_purchase"):
        out[col] = out[col].astype("datetime64[ns]")
    if cal is not None:
        out["frequency_holdout"] = out["frequency_holdout"].astype("int64")
        out["duration_holdout"] = (_code_of(_last_day(end), freq) - _code_of(_last_day(cal), freq)) / divisor
    out.attrs.update(time_unit=freq, as_of=end, calibration_end=cal)
    return out


# --------------------------------------------------------------------------- fitting helpers


def _columns(summary: pd.DataFrame, names: tuple[str, ...], model: str) -> list[np.ndarray]:
    missing = [c for c in names if c not in summary.columns]
    if missing:
        raise DataError(f"column(s) {', '.join(missing)} missing for {model}", file="customer summary",
                        expected=", ".join(names), fix="build the summary with kit.summarise_customers")
    return [summary[c].to_numpy(dtype="float64") for c in names]


def _compress(*arrays: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Unique rows of the arrays and their counts (the likelihood is a weighted sum)."""
    frame = pd.DataFrame({str(i): a for i, a in enumerate(arrays)})
    counts = frame.groupby(list(frame.columns), sort=True).size()
    return ([counts.index.get_level_values(i).to_numpy(dtype="float64") for i in range(len(arrays))],
            counts.to_numpy(dtype="float64"))


def _param_table(names: list[str], log_est: np.ndarray, cov: np.ndarray) -> pd.DataFrame:
    """Estimates with delta-method SEs and log-scale 95 % intervals carried back."""
    se_log = np.sqrt(np.clip(np.diag(cov), 0, None)) if np.all(np.isfinite(cov)) else np.full(len(names), np.nan)
    est = np.exp(log_est)
    return pd.DataFrame({"estimate": est, "se": est * se_log,
                         "ci_low": np.exp(log_est - _Z95 * se_log),
                         "ci_high": np.exp(log_est + _Z95 * se_log)},
                        index=pd.Index(names, name="parameter"))


@dataclass
class _Fit:
    log_params: np.ndarray
    cov_log: np.ndarray
    log_likelihood: float


def _maximise(objective: object, start: np.ndarray, model: str, names: list[str], n: int,
              hess_inv0: np.ndarray | None = None) -> _Fit:
    """Minimise the mean negative log-likelihood over the log-parameters; covariance from the Hessian.

    ``objective(log_params) -> (value, gradient)`` is per customer (the mean) so the tolerances
    do not depend on n; the Hessian of the total is ``n`` times its Jacobian of the gradient.

    Raises
    ------
    KitError
        The optimiser did not converge, or the Hessian is not positive definite (the estimate
        is not identified: a flat likelihood at the edge of the parameter space).
    """
    from statsmodels.tools.numdiff import approx_fprime

    def grad(lp: np.ndarray) -> np.ndarray:
        return objective(lp)[1]  # type: ignore[operator]

    res = optimize.minimize(objective, start, jac=True, method="BFGS",  # type: ignore[arg-type]
                            options={"gtol": 1e-8, "maxiter": 2000, "hess_inv0": hess_inv0})
    gnorm = float(np.max(np.abs(grad(res.x))))
    if not np.all(np.isfinite(res.x)) or (not res.success and gnorm > 1e-5):
        raise KitError(
            f"{model} did not converge ({res.message}; largest gradient {gnorm:.3g}). "
            "Fix: use more customers or a longer history, a different time unit (clv.time_unit: "
            "'W' or 'M'), or a small penaliser (e.g. penaliser=0.001).")
    hess = approx_fprime(res.x, grad, centered=True)
    hess = n * (hess + hess.T) / 2
    try:
        np.linalg.cholesky(hess)
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        edge = ", ".join(f"{name} = {v:.3g}" for name, v in zip(names, np.exp(res.x), strict=True))
        raise KitError(
            f"{model}: the data do not identify the model (the likelihood is flat at {edge}, "
            "so there are no standard errors and the estimates sit at the edge of the parameter "
            "space). Fix: use more customers or a longer history (the model needs repeat buyers "
            "and some who stopped buying), a different time unit (clv.time_unit), or a small "
            "penaliser (e.g. penaliser=0.001).") from None
    return _Fit(res.x, cov, -n * float(res.fun))


def _warm_start(objective: object, start: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Fit a subsample's objective; return its optimum and inverse Hessian (None if not usable)."""
    from statsmodels.tools.numdiff import approx_fprime

    first = optimize.minimize(objective, start, jac=True, method="BFGS",  # type: ignore[arg-type]
                              options={"gtol": 1e-6})
    if not np.all(np.isfinite(first.x)):
        return start, None
    hess = approx_fprime(first.x, lambda lp: objective(lp)[1], centered=True)  # type: ignore[operator]
    try:
        inv = np.linalg.inv((hess + hess.T) / 2)
        inv = (inv + inv.T) / 2  # exactly symmetric, as scipy's BFGS requires
        np.linalg.cholesky(inv)
    except np.linalg.LinAlgError:
        return first.x, None
    return first.x, inv


# --------------------------------------------------------------------------- BG/NBD


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


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """Inner product without BLAS (``einsum``): no thread wake-ups in the optimiser's hot loop."""
    return float(np.einsum("i,i->", u, v))


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
            Columns missing or no customers.
        KitError
            The optimiser did not converge (message suggests a fix).
        """
        x, tx, T = _columns(summary, ("frequency", "recency", "T"), "BG/NBD")
        if len(x) == 0:
            raise DataError("no customers to fit the BG/NBD model on", file="customer summary",
                            fix="check as_of and the order dates")
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
        r, alpha, a, b = self._p(params)
        t_, x, tx, T_ = (np.asarray(v, dtype="float64") for v in (t, frequency, recency, T))
        z = t_ / (alpha + T_ + t_)
        head = (a + b + x - 1) / (a - 1)
        tail = 1.0 - np.exp((r + x) * (np.log(alpha + T_) - np.log(alpha + T_ + t_))) \
            * hyp2f1(r + x, b + x, a + b + x - 1, z)
        return head * tail * self.p_alive(x, tx, T_, params=params)

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


def _gg_grad(p_: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    p, q, v = p_
    px = p * x
    lxm = np.log(x * m + v)
    d_p = x * (digamma(px + q) - digamma(px) + np.log(m) + np.log(x) - lxm)
    d_q = digamma(px + q) - digamma(q) + np.log(v) - lxm
    d_v = q / v - (px + q) / (x * m + v)
    return np.stack([d_p, d_q, d_v])


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
            Non-positive mean net spend among repeat buyers (unless ``drop_nonpositive``), or
            no repeat buyers.
        KitError
            The optimiser did not converge.
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
            raise DataError("fewer than 2 repeat buyers with positive spend", file="customer summary",
                            fix="use a longer history or a shorter time unit")
        (x, m), w = _compress(x[keep], m[keep])
        n, pen = float(w.sum()), self.penaliser

        def objective(lp: np.ndarray) -> tuple[float, np.ndarray]:
            p = np.exp(lp)
            value = -_dot(w, _gg_loglik(p, x, m)) / n + pen * float(p @ p)
            grad = np.einsum("ki,i->k", _gg_grad(p, x, m), w)
            return value, -(grad / n) * p + pen * 2 * p * p

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


# --------------------------------------------------------------------------- customer value


def _units_per_month(unit: str) -> float:
    """Length of one month in the time unit: 30.4375 days, 30.4375 / 7 weeks, or 1 month."""
    return {"D": DAYS_PER_MONTH, "W": DAYS_PER_MONTH / 7, "M": 1.0}[unit]


def _monthly_rate(annual_discount_rate: float) -> float:
    """Monthly discount rate equivalent to the annual one: (1 + annual)^(1/12) - 1."""
    return (1.0 + annual_discount_rate) ** (1.0 / 12.0) - 1.0


def _discounted_purchases(bg: BetaGeo, x: np.ndarray, tx: np.ndarray, T: np.ndarray, *,
                          horizon_months: int, annual_discount_rate: float, unit: str,
                          params: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sum over months m = 1..H of (E[Y(m)] - E[Y(m-1)]) / (1 + d)^m, and E[Y(H)]."""
    months = np.arange(1, horizon_months + 1, dtype="float64")[:, None]
    cum = bg.expected_purchases(months * _units_per_month(unit), x, tx, T, params=params)
    step = np.diff(np.vstack([np.zeros((1, cum.shape[1])), cum]), axis=0)
    disc = (1.0 + _monthly_rate(annual_discount_rate)) ** -months
    return (step * disc).sum(axis=0), cum[-1]


def _fit_models(summary: pd.DataFrame) -> tuple[BetaGeo, GammaGamma]:
    bg = BetaGeo().fit(summary)
    gg = GammaGamma(drop_nonpositive=True).fit(summary)
    if gg.params_["q"] <= 1:
        raise KitError(f"Gamma-Gamma estimate q = {gg.params_['q']:.3g} <= 1: the mean spend per "
                       "purchase is not finite under this fit. Fix: use more repeat buyers or check "
                       "for extreme order values.")
    return bg, gg


def _clv_arrays(bg: BetaGeo, gg: GammaGamma, x: np.ndarray, tx: np.ndarray, T: np.ndarray,
                m: np.ndarray, settings: CLVSettings, unit: str, *,
                bg_params: np.ndarray | None = None, gg_params: np.ndarray | None = None,
                ) -> dict[str, np.ndarray]:
    disc, horizon = _discounted_purchases(
        bg, x, tx, T, horizon_months=settings.horizon_months,
        annual_discount_rate=settings.annual_discount_rate, unit=unit, params=bg_params)
    spend = gg.expected_spend(x, m, params=gg_params)
    return {"expected_purchases": horizon, "expected_spend": spend,
            "clv": settings.margin * spend * disc}


def customer_value(orders: pd.DataFrame, *, as_of: str | pd.Timestamp,
                   settings: CLVSettings) -> pd.DataFrame:
    """Predicted value of every customer: P(alive), expected purchases and spend, CLV, value at risk.

    Parameters
    ----------
    orders : DataFrame
        The orders table (``customer_id``, ``order_date``, ``revenue``, optional ``refund_amount``).
    as_of : date-like
        End of the data used, exclusive (``order_date < as_of``; e.g. ``Period.end``); the
        horizon starts after the last observed day.
    settings : kit.config.CLVSettings
        ``margin``, ``annual_discount_rate``, ``horizon_months``, ``time_unit``.

    Returns
    -------
    DataFrame
        One row per customer: ``customer_id``, ``frequency``, ``recency``, ``T`` (in
        ``attrs["time_unit"]``), ``monetary_value`` (mean net repeat spend), ``p_alive``,
        ``expected_purchases`` (repeat purchases over the horizon), ``expected_spend`` (net
        spend per purchase), ``clv``, ``value_at_risk``.
        ``attrs`` also hold the fitted ``bg`` and ``gg`` models and ``n_dropped`` (repeat buyers
        left out of the Gamma-Gamma fit because their net spend was <= 0).

    Raises
    ------
    DataError
        No customers, or too few repeat buyers for the Gamma-Gamma model.
    KitError
        A model did not converge, or the Gamma-Gamma fit has q <= 1.

    Notes
    -----
    With d = (1 + annual_discount_rate)^(1/12) - 1 and E[Y(t)] the BG/NBD conditional expectation
    of purchases in the next t time units (a month is 30.4375 days),

        clv = margin x E[spend] x sum_{m=1..H} (E[Y(m months)] - E[Y(m-1 months)]) / (1 + d)^m,

    i.e. each month's expected purchases are discounted to ``as_of`` at the month's end.
    E[spend] is the Gamma-Gamma conditional mean of net spend per purchase: the population mean
    p gamma / (q - 1) for customers without repeat purchases (whatever their first order was
    worth, also when it was refunded: the model learns spend from repeat purchases only), and
    zbar taken as 0 for repeat buyers whose net repeat spend is <= 0 (they are left out of the
    fit and counted in ``attrs["n_dropped"]``). P(alive) is 1 for customers without repeat
    purchases (BG/NBD: nobody drops out before the first repeat purchase).
    value_at_risk = clv x (1 - p_alive).

    Example
    -------
    >>> from kit.config import CLVSettings
    >>> cv = customer_value(orders, as_of="2026-10-01", settings=CLVSettings())  # doctest: +SKIP
    """
    summary = summarise_customers(orders, as_of=as_of, freq=settings.time_unit)
    bg, gg = _fit_models(summary)
    x, tx, T, m = (summary[c].to_numpy(dtype="float64") for c in ("frequency", "recency", "T", "monetary_value"))
    arrays = _clv_arrays(bg, gg, x, tx, T, m, settings, settings.time_unit)
    p_alive = bg.p_alive(x, tx, T)
    out = summary[["customer_id", "frequency", "recency", "T", "monetary_value"]].assign(
        p_alive=p_alive, **arrays, value_at_risk=arrays["clv"] * (1.0 - p_alive))
    out.attrs.update(summary.attrs, bg=bg, gg=gg, n_dropped=gg.n_dropped_)
    return out


def clv_predicted(orders: pd.DataFrame | None, *, as_of: str | pd.Timestamp, settings: CLVSettings,
                  n_draws: int = 200, seed: int = 0, lang: str = "en") -> MetricResult:
    """KPI ``clv_predicted``: mean predicted CLV per customer, with a parametric-bootstrap interval.

    Parameters
    ----------
    orders : DataFrame or None
        The orders table; None gives a no-data result.
    as_of : date-like
        End of the data used, exclusive (``order_date < as_of``; the scorecard passes ``Period.end``).
    settings : kit.config.CLVSettings
        Margin, discount rate, horizon, time unit.
    n_draws : int
        Parameter draws of the bootstrap (default 200).
    seed : int
        Seed of the draws (results are reproducible).
    lang : {"en", "de"}
        Language of the note.

    Returns
    -------
    MetricResult
        value = mean clv over customers (see :func:`customer_value`), n = customers, se and 95 %
        interval from the bootstrap, extras: mean p_alive, customers dropped from the
        Gamma-Gamma fit, the model parameters.

    Notes
    -----
    Interval: parametric bootstrap of the parameter estimates. ``n_draws`` parameter vectors
    are drawn from the asymptotic normal distribution of each model's log-parameters (inverse
    Hessian), the mean CLV is recomputed for each, and the 2.5 % and 97.5 % quantiles are
    reported. It shows the uncertainty of the fitted models, not which customers will buy.
    Above 1,500 customers the draws are evaluated on a seeded random 1,500 and scaled by the
    ratio of the full to the subsample point estimate.

    Example
    -------
    >>> clv_predicted(data.orders, as_of="2026-10-01", settings=config.clv)  # doctest: +SKIP
    """
    from kit.definitions import DEFINITIONS

    definition = DEFINITIONS["clv_predicted"].definition if "clv_predicted" in DEFINITIONS else ""
    if orders is None or len(orders) == 0:
        return no_data("clv_predicted", "no order data: predicted CLV skipped" if lang == "en"
                       else "keine Bestelldaten: prognostizierter Kundenwert entfällt")
    try:
        cv = customer_value(orders, as_of=as_of, settings=settings)
    except KitError as err:
        reason = ("models could not be fitted: " if lang == "en"
                  else "Modelle nicht schätzbar: ") + str(err)
        return no_data("clv_predicted", reason)
    bg, gg = cv.attrs["bg"], cv.attrs["gg"]
    value = float(cv["clv"].mean())
    rng = np.random.default_rng(seed)
    idx = np.arange(len(cv))
    if len(idx) > 1500:
        idx = np.sort(rng.choice(idx, 1500, replace=False))
    x, tx, T, m = (cv[c].to_numpy(dtype="float64")[idx]
                   for c in ("frequency", "recency", "T", "monetary_value"))
    ci_low = ci_high = se = math.nan
    note_en = (f"interval: parametric bootstrap of the model parameters ({n_draws} draws, seed {seed}); "
               f"{settings.horizon_months} months, margin {settings.margin:.0%}, "
               f"{settings.annual_discount_rate:.1%} a year discount, time unit {settings.time_unit}")
    note_de = (f"Intervall: parametrischer Bootstrap der Modellparameter ({n_draws} Ziehungen, Seed {seed}); "
               f"{settings.horizon_months} Monate, Marge {settings.margin:.0%}, "
               f"Diskontsatz {settings.annual_discount_rate:.1%} p. a., Zeiteinheit {settings.time_unit}")
    # the fits guarantee a positive definite Hessian, so both covariances exist
    bg_draws = np.exp(rng.multivariate_normal(np.log(bg.params_.to_numpy()), bg.cov_log_, n_draws))
    gg_draws = np.exp(rng.multivariate_normal(np.log(gg.params_.to_numpy()), gg.cov_log_, n_draws))
    base = float(_clv_arrays(bg, gg, x, tx, T, m, settings, settings.time_unit)["clv"].mean())
    means = np.array([
        _clv_arrays(bg, gg, x, tx, T, m, settings, settings.time_unit,
                    bg_params=bp, gg_params=gp)["clv"].mean()
        for bp, gp in zip(bg_draws, gg_draws, strict=True) if gp[1] > 1])  # q > 1: finite mean spend
    means = means * (value / base) if base > 0 else means
    if len(means) >= 10:
        ci_low, ci_high = (float(v) for v in np.quantile(means, [0.025, 0.975]))
        se = float(np.std(means, ddof=1))
    return MetricResult(
        "clv_predicted", value, int(len(cv)), ci_low, ci_high, definition, "currency", se,
        note_en if lang == "en" else note_de,
        {"mean_p_alive": float(cv["p_alive"].mean()), "dropped_nonpositive_spend": int(gg.n_dropped_),
         **{f"bgnbd_{k}": float(v) for k, v in bg.params_.items()},
         **{f"gg_{k}": float(v) for k, v in gg.params_.items()}})


# --------------------------------------------------------------------------- validation


def holdout_comparison(model: BetaGeo, summary_with_holdout: pd.DataFrame, *, max_frequency: int = 7
                       ) -> pd.DataFrame:
    """Expected vs actual holdout purchases, in total and by calibration frequency.

    Parameters
    ----------
    model : BetaGeo
        Fitted on the calibration columns of ``summary_with_holdout``.
    summary_with_holdout : DataFrame
        From :func:`summarise_customers` with ``calibration_end``.
    max_frequency : int
        Calibration frequencies from this value up are pooled (``"7+"``).

    Returns
    -------
    DataFrame
        ``calibration_frequency`` ("0", "1", ..., "7+", "total"), ``customers``, ``actual``
        and ``expected`` (summed holdout purchases), ``actual_mean`` and ``expected_mean``
        (per customer).

    Raises
    ------
    DataError
        The summary has no holdout columns.

    Example
    -------
    >>> holdout_comparison(BetaGeo().fit(s), s)  # doctest: +SKIP
    """
    x, tx, T, dur, actual = _columns(
        summary_with_holdout, ("frequency", "recency", "T", "duration_holdout", "frequency_holdout"),
        "the holdout comparison")
    expected = model.expected_purchases(dur, x, tx, T)
    group = np.minimum(x, max_frequency).astype(int)
    labels = [str(k) if k < max_frequency else f"{max_frequency}+" for k in group]
    frame = pd.DataFrame({"calibration_frequency": labels, "order": group, "actual": actual,
                          "expected": expected})
    table = (frame.groupby(["order", "calibration_frequency"], sort=True)
             .agg(customers=("actual", "size"), actual=("actual", "sum"), expected=("expected", "sum"))
             .reset_index().drop(columns="order"))
    total = pd.DataFrame({"calibration_frequency": ["total"], "customers": [len(frame)],
                          "actual": [actual.sum()], "expected": [expected.sum()]})
    table = pd.concat([table, total], ignore_index=True)
    table["actual"] = table["actual"].astype("int64")
    table["actual_mean"] = table["actual"] / table["customers"]
    table["expected_mean"] = table["expected"] / table["customers"]
    return table


def frequency_spend_correlation(summary: pd.DataFrame) -> MetricResult:
    """Pearson correlation of frequency and mean spend among repeat buyers (Gamma-Gamma check).

    The Gamma-Gamma model assumes spend per purchase is independent of how often a customer
    buys; a correlation near 0 supports it (Fader & Hardie 2013 report r = 0.11 for CDNOW).

    Parameters
    ----------
    summary : DataFrame
        From :func:`summarise_customers`.

    Returns
    -------
    MetricResult
        kpi ``frequency_spend_correlation``: value = r, n = repeat buyers with positive spend,
        Fisher-z 95 % interval, extras ``p_value`` (two-sided test of r = 0).

    Example
    -------
    >>> frequency_spend_correlation(summary).value  # doctest: +SKIP
    """
    x, m = _columns(summary, ("frequency", "monetary_value"), "the correlation check")
    keep = (x > 0) & (m > 0)
    definition = ("Pearson r between the number of repeat purchases and the mean net spend per "
                  "repeat purchase, among repeat buyers")
    n = int(keep.sum())
    if n < 4 or np.ptp(x[keep]) == 0 or np.ptp(m[keep]) == 0:
        return no_data("frequency_spend_correlation", "fewer than 4 repeat buyers or no variation",
                       definition=definition, unit="r")
    res = stats.pearsonr(x[keep], m[keep])
    r = float(res.statistic)
    z, half = math.atanh(max(min(r, 1 - 1e-12), -1 + 1e-12)), _Z95 / math.sqrt(n - 3)
    return MetricResult("frequency_spend_correlation", r, n, math.tanh(z - half), math.tanh(z + half),
                        definition, "r", note="Fisher z interval; Gamma-Gamma assumes r near 0",
                        extras={"p_value": float(res.pvalue)})
