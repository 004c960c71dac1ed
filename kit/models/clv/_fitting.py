"""Maximum-likelihood machinery shared by the CLV models (private to :mod:`kit.models.clv`).

Column checks, compression of a summary to unique rows with counts, the BFGS fit over the
log-parameters with a numerical-Hessian covariance, and the parameter table with delta-method
standard errors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from kit.errors import DataError, ModelFitError

__all__: list[str] = []

_Z95 = 1.959963984540054


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
    ModelFitError
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
        raise ModelFitError(
            f"{model} did not converge ({res.message}; largest gradient {gnorm:.3g}). "
            "Fix: use more customers or a longer history, a different time unit (clv.time_unit: "
            "'W' or 'M'), or a small penaliser (clv.penaliser: 0.001 in analysis.yaml, or BetaGeo(penaliser=0.001)).")
    hess = approx_fprime(res.x, grad, centered=True)
    hess = n * (hess + hess.T) / 2
    try:
        np.linalg.cholesky(hess)
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        edge = ", ".join(f"{name} = {v:.3g}" for name, v in zip(names, np.exp(res.x), strict=True))
        raise ModelFitError(
            f"{model}: the data do not identify the model (the likelihood is flat at {edge}, "
            "so there are no standard errors and the estimates sit at the edge of the parameter "
            "space). Fix: use more customers or a longer history (the model needs repeat buyers "
            "and some who stopped buying), a different time unit (clv.time_unit), or a small "
            "penaliser (clv.penaliser: 0.001 in analysis.yaml, or BetaGeo(penaliser=0.001)).") from None
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


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """Inner product without BLAS (``einsum``): no thread wake-ups in the optimiser's hot loop."""
    return float(np.einsum("i,i->", u, v))
