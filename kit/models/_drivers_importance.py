"""The two relative-importance decompositions of R², computed from (stacks of) correlation matrices.

Johnson's relative weights (:func:`relative_weights`) and the exhaustive Shapley/LMG shares
(:func:`shapley_r2`), plus the correlation matrices of bootstrap resamples
(:func:`corr_stack`) that :class:`kit.models.drivers.KeyDrivers` feeds them. Every function works on a
single matrix or on a stack of them along the leading axes. Public through :mod:`kit.models.drivers`,
which re-exports ``relative_weights``, ``shapley_r2`` and ``MAX_SHAPLEY_DRIVERS``.
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import Literal

import numpy as np

__all__ = ["MAX_SHAPLEY_DRIVERS", "Method", "centred_moments", "corr_stack", "decompose", "relative_weights",
           "shapley_r2"]

#: Exhaustive Shapley needs 2^p regressions; above this many drivers use relative weights.
MAX_SHAPLEY_DRIVERS = 12

Method = Literal["relative_weights", "shapley"]


def relative_weights(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """Johnson's raw relative weights from driver correlations.

    Parameters
    ----------
    rxx : ndarray, shape (..., p, p)
        Correlation matrix of the drivers (a stack of them is allowed).
    rxy : ndarray, shape (..., p)
        Correlations of each driver with the outcome.

    Returns
    -------
    ndarray, shape (..., p)
        Raw weights; they add up to the R² of the regression of the outcome on all drivers.

    Notes
    -----
    With ``R = V diag(e) V'`` the eigen-decomposition of ``rxx``, ``Λ = V diag(√e) V'`` holds the
    correlations between the drivers and their closest orthogonal counterparts,
    ``β = Λ⁻¹ r_xy`` the weights of the outcome on those, and the raw weight of driver j is
    ``Σ_k Λ_jk² β_k²`` (Johnson, J. W. 2000, Multivariate Behavioral Research 35(1), 1-19).

    Examples
    --------
    >>> relative_weights(np.eye(2), np.array([0.3, 0.4])).round(2).tolist()
    [0.09, 0.16]
    """
    eig, vec = np.linalg.eigh(rxx)
    root = np.sqrt(np.clip(eig, 0.0, None))
    lam = (vec * root[..., None, :]) @ np.swapaxes(vec, -1, -2)
    beta = np.linalg.solve(lam, rxy[..., None])[..., 0]
    return ((lam**2) @ (beta**2)[..., None])[..., 0]


def _subset_r2(rxx: np.ndarray, rxy: np.ndarray) -> dict[tuple[int, ...], np.ndarray]:
    """R² of every subset of drivers, from correlations (stacked along the leading axes)."""
    p = rxx.shape[-1]
    out: dict[tuple[int, ...], np.ndarray] = {(): np.zeros(rxx.shape[:-2])}
    for size in range(1, p + 1):
        for subset in combinations(range(p), size):
            idx = np.array(subset)
            r_ss = rxx[..., idx[:, None], idx[None, :]]
            r_s = rxy[..., idx]
            coef = np.linalg.solve(r_ss, r_s[..., None])[..., 0]
            out[subset] = np.sum(coef * r_s, axis=-1)
    return out


def shapley_r2(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """Shapley (LMG) decomposition of R² over all subsets of drivers.

    Parameters
    ----------
    rxx : ndarray, shape (..., p, p)
        Correlation matrix of the drivers (a stack of them is allowed).
    rxy : ndarray, shape (..., p)
        Correlations of each driver with the outcome.

    Returns
    -------
    ndarray, shape (..., p)
        Each driver's share of R² (in R² units); the values add up to the full R².

    Raises
    ------
    ValueError
        With more than :data:`MAX_SHAPLEY_DRIVERS` drivers (2^p regressions).

    Notes
    -----
    ``φ_j = Σ_{S ⊆ P∖{j}} |S|! (p − |S| − 1)! / p! · [R²(S ∪ {j}) − R²(S)]`` with
    ``R²(S) = r_S' R_SS⁻¹ r_S`` (Lindeman, Merenda & Gold 1980; Grömping 2006, J. Stat. Softw. 17(1)).

    Examples
    --------
    >>> shapley_r2(np.eye(2), np.array([0.3, 0.4])).round(2).tolist()
    [0.09, 0.16]
    """
    p = rxx.shape[-1]
    if p > MAX_SHAPLEY_DRIVERS:
        raise ValueError(f"exhaustive Shapley needs 2^{p} regressions; use at most {MAX_SHAPLEY_DRIVERS} "
                         "drivers or method='relative_weights'")
    r2 = _subset_r2(rxx, rxy)
    weight = [math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) for s in range(p)]
    phi = np.zeros(rxy.shape)
    for subset, value in r2.items():
        for j in range(p):
            if j in subset:
                continue
            with_j = tuple(sorted((*subset, j)))
            phi[..., j] += weight[len(subset)] * (r2[with_j] - value)
    return phi


def decompose(method: Method, rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    return relative_weights(rxx, rxy) if method == "relative_weights" else shapley_r2(rxx, rxy)


def centred_moments(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Globally centred values and their row-wise outer products (n, k*k), for :func:`corr_stack`."""
    centred = values - values.mean(axis=0)  # global centring keeps the moment formula accurate
    n, k = centred.shape
    return centred, (centred[:, :, None] * centred[:, None, :]).reshape(n, k * k)


def corr_stack(values: np.ndarray, idx: np.ndarray,
                moments: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Correlation matrices of ``values`` resampled along rows by each row of ``idx``.

    Each resample is represented by how often it draws every row (a count vector), so all its
    moments come from one matrix product instead of copying the resampled rows.
    """
    n, k = values.shape
    b = idx.shape[0]
    centred, products = moments if moments is not None else centred_moments(values)
    counts = np.bincount((idx + (np.arange(b) * n)[:, None]).ravel(), minlength=b * n).reshape(b, n)
    counts = counts.astype("float64")
    first = counts @ centred / n                                         # (b, k) means
    second = (counts @ products).reshape(b, k, k) / n
    cov = second - first[:, :, None] * first[:, None, :]
    var = np.einsum("bii->bi", cov)
    sd = np.sqrt(np.clip(var, 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / (sd[:, :, None] * sd[:, None, :])
    # a column (nearly) constant in a resample has no correlation; rounding leaves ~1e-16 of variance
    full = (centred**2).mean(axis=0)
    corr[(var <= 1e-10 * full).any(axis=1)] = np.nan
    return corr
