"""Key driver analysis: which attribute ratings explain an outcome (NPS, stars, churn) most.

Two relative-importance methods share one interface, :class:`KeyDrivers`:

- **relative weights** (Johnson 2000): orthogonalise the drivers through the symmetric square
  root of their correlation matrix, regress the outcome on the orthogonal variables and map the
  squared weights back. The raw weights add up to the R² of the multiple regression.
- **Shapley / LMG** (Lindeman, Merenda & Gold 1980; Grömping 2006): the R² of every subset
  of drivers, each driver credited with its average increase in R² over all orders of entry.
  Exhaustive, so limited to :data:`MAX_SHAPLEY_DRIVERS` drivers.

Both agree closely in practice (Johnson's weights approximate the LMG shares); the tests
measure how closely. :func:`importance_performance` turns the importances into the classic
importance-performance quadrants.

This module holds :class:`KeyDrivers` and is where the driver analysis is imported from: the
two decompositions (and the correlation matrices of bootstrap resamples they run on) are written
in :mod:`kit.models._drivers_importance`, the importance-performance map in :mod:`kit.models._drivers_ipa`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from kit.definitions import Language
from kit.errors import DataError, DataQualityWarning, SmallSampleWarning
from kit.models._drivers_importance import (
    MAX_SHAPLEY_DRIVERS,
    Method,
    centred_moments,
    corr_stack,
    decompose,
    relative_weights,
    shapley_r2,
)
from kit.models._drivers_ipa import QUADRANTS, importance_performance, side_of_split
from kit.results import format_value

__all__ = ["KeyDrivers", "importance_performance", "relative_weights", "shapley_r2", "MAX_SHAPLEY_DRIVERS",
           "EXPLORATORY_N", "QUADRANTS", "side_of_split"]

#: Below this many complete rows a driver analysis is exploratory.
EXPLORATORY_N = 100

_SUMMARY_COLUMNS = ["driver", "importance", "raw_weight", "ci_low", "ci_high", "sign", "coefficient",
                    "std_coefficient", "correlation", "p_value", "rank"]
_COLLINEAR = 1e-10  # smallest eigenvalue of the driver correlations below which they are collinear
_BOOT_CELLS = 4_000_000  # resampled row indices held at once while bootstrapping (rows x replicates)


class KeyDrivers:
    """Relative importance of driver ratings for an outcome, with bootstrap intervals.

    Parameters
    ----------
    method : {"relative_weights", "shapley"}
        Johnson's relative weights (any number of drivers) or the exhaustive Shapley/LMG
        decomposition of R² (at most :data:`MAX_SHAPLEY_DRIVERS` drivers).
    n_boot : int
        Bootstrap replicates for the percentile intervals (0 = no intervals).
    seed : int
        Seed of the bootstrap; the same seed and data always give the same intervals.
    level : float
        Coverage of the intervals.
    lang : {"en", "de"}
        Language of :attr:`note_` and of the warnings (German numbers by :func:`kit.results.format_value`).

    Attributes
    ----------
    summary : DataFrame
        After :meth:`fit`: one row per driver (see :attr:`summary`).
    r_squared_ : float
        R² of the multiple regression of the outcome on all drivers.
    n_, n_dropped_ : int
        Complete rows used, and rows dropped for a missing value (listwise deletion).
    binary_ : bool
        True when the outcome has two values. Importances then use the linear-probability
        approximation (OLS R² of the 0/1 outcome), which the note says.
    pseudo_r_squared_ : float
        For a two-valued outcome: McFadden's pseudo-R² of the logit on all drivers (else NaN).
    note_ : str
        What the reader must know: small sample, binary outcome, why there is no result.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = pd.DataFrame(rng.normal(size=(300, 2)), columns=["driver_a", "driver_b"])
    >>> x["y"] = 2 * x.driver_a + x.driver_b + rng.normal(size=300)
    >>> kd = KeyDrivers(n_boot=50).fit(x, outcome="y", drivers=["driver_a", "driver_b"])
    >>> kd.summary.driver.tolist()
    ['driver_a', 'driver_b']
    """

    def __init__(self, method: Method = "relative_weights", n_boot: int = 500, seed: int = 0,
                 level: float = 0.95, lang: Language = "en") -> None:
        if method not in ("relative_weights", "shapley"):
            raise ValueError(f"unknown method {method!r}; choose 'relative_weights' or 'shapley'")
        if n_boot < 0:
            raise ValueError(f"n_boot must be 0 or more, found {n_boot}")
        if not 0 < level < 1:
            raise ValueError(f"level must lie between 0 and 1, found {level}")
        if lang not in ("en", "de"):
            raise ValueError(f"unknown lang {lang!r}; choose 'en' or 'de'")
        self.method: Method = method
        self.n_boot = int(n_boot)
        self.seed = int(seed)
        self.level = float(level)
        self.lang: Language = lang

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, frame: pd.DataFrame, *, outcome: str, drivers: Sequence[str]) -> KeyDrivers:
        """Estimate the importance of each driver for ``outcome``.

        Parameters
        ----------
        frame : DataFrame
            One row per answer (or customer) with the outcome and the driver columns.
        outcome : str
            Column to explain, e.g. ``"nps"``; a two-valued column (churned yes/no) is analysed
            as a linear probability model, which the note says.
        drivers : sequence of str
            Driver columns, e.g. ``["driver_delivery", "driver_price"]``.

        Returns
        -------
        KeyDrivers
            ``self``, fitted. With too few complete rows (fewer than drivers + 3) or a constant
            column the summary is empty and :attr:`note_` says why.

        Raises
        ------
        DataError
            When a column is missing from ``frame`` or is not numeric.

        Warns
        -----
        SmallSampleWarning
            Below :data:`EXPLORATORY_N` complete rows (the result is exploratory).
        DataQualityWarning
            When the drivers are perfectly collinear (the summary is then empty).

        Examples
        --------
        >>> f = pd.DataFrame({"y": [1., 2, 3, 4, 5, 7], "a": [1., 2, 2, 4, 5, 6], "b": [3., 1, 2, 2, 1, 2]})
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     kd = KeyDrivers(n_boot=0).fit(f, outcome="y", drivers=["a", "b"])
        >>> kd.summary.driver.iloc[0], kd.n_
        ('a', 6)
        """
        drivers = list(drivers)
        if not drivers:
            raise ValueError("name at least one driver column")
        if len(set(drivers)) < len(drivers) or outcome in drivers:
            raise ValueError(f"drivers must be distinct columns other than the outcome {outcome!r}; found {drivers}")
        if self.method == "shapley" and len(drivers) > MAX_SHAPLEY_DRIVERS:
            raise ValueError(f"method='shapley' is exhaustive (2^p regressions) and takes at most "
                             f"{MAX_SHAPLEY_DRIVERS} drivers; {len(drivers)} given. Use "
                             "method='relative_weights'.")
        columns = [outcome, *drivers]
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise DataError(f"{len(missing)} column(s) not found: {', '.join(missing)}", file="driver analysis",
                            expected=f"columns among {', '.join(map(str, frame.columns))}",
                            fix="pass the outcome and driver columns as they are named in the table")
        bad = [c for c in columns if not (pd.api.types.is_numeric_dtype(frame[c])
                                         or pd.api.types.is_bool_dtype(frame[c]))]
        if bad:
            raise DataError(f"column(s) {', '.join(bad)} are not numeric", file="driver analysis",
                            expected="numeric ratings (e.g. 1-5) and a numeric or yes/no outcome")
        self.outcome_, self.drivers_ = outcome, drivers
        complete = frame[columns].astype("float64").dropna()
        self.n_, self.n_dropped_ = len(complete), len(frame) - len(complete)
        y = complete[outcome].to_numpy()
        self.binary_ = bool(len(complete) and np.unique(y).size == 2)
        de = self.lang == "de"
        count = lambda v: format_value(v, "count", "de") if de else str(v)  # noqa: E731
        notes: list[str] = []
        if self.n_dropped_:
            notes.append(f"{count(self.n_dropped_)} von {count(len(frame))} Zeilen wegen eines fehlenden Werts "
                         "ausgelassen (listenweiser Ausschluss)" if de else
                         f"{self.n_dropped_} of {len(frame)} rows dropped for a missing value (listwise)")
        if self.binary_:
            notes.append("zweiwertige Zielgröße: Wichtigkeiten nach dem linearen Wahrscheinlichkeitsmodell (OLS-R²)"
                         if de else "binary outcome: importances use the linear-probability approximation (OLS R²)")
        constant = [c for c in columns if complete[c].nunique() < 2]
        if self.n_ < len(drivers) + 3 or constant:
            if constant and self.n_ >= len(drivers) + 3:
                why = (f"konstante Spalte(n) {', '.join(constant)}" if de
                       else f"constant column(s) {', '.join(constant)}")
            else:
                why = (f"{count(self.n_)} vollständige Zeilen für {count(len(drivers))} Treiber" if de
                       else f"{self.n_} complete rows for {len(drivers)} drivers")
            self._empty(f"keine Treiberanalyse: {why}" if de else f"no driver analysis: {why}", notes)
            warnings.warn(self.note_, SmallSampleWarning, stacklevel=2)
            return self
        if self.n_ < EXPLORATORY_N:
            notes.insert(0, f"explorativ: nur {count(self.n_)} vollständige Zeilen (weniger als {EXPLORATORY_N})"
                         if de else f"exploratory: only {self.n_} complete rows (fewer than {EXPLORATORY_N})")
            warnings.warn(f"Treiberanalyse von {outcome!r} beruht auf {count(self.n_)} vollständigen Zeilen; "
                          "nur explorativ zu lesen" if de else
                          f"driver analysis of {outcome!r} rests on {self.n_} complete rows; "
                          "treat it as exploratory", SmallSampleWarning, stacklevel=2)
        values = complete.to_numpy()
        corr = np.corrcoef(values, rowvar=False)
        rxx, rxy = corr[1:, 1:], corr[1:, 0]
        if np.linalg.eigvalsh(rxx)[0] < _COLLINEAR:
            self._empty("keine Treiberanalyse: die Treiber sind vollständig kollinear (einer ist eine "
                        "Linearkombination der anderen); einen davon weglassen" if de else
                        "no driver analysis: the drivers are perfectly collinear (one is a linear "
                        "combination of others); drop one of them", notes)
            warnings.warn(self.note_, DataQualityWarning, stacklevel=2)
            return self
        raw = decompose(self.method, rxx, rxy)
        self.r_squared_ = float(np.sum(raw))
        share = raw / self.r_squared_ if self.r_squared_ > 0 else np.full(len(drivers), np.nan)
        ci_low, ci_high, self.boot_ = self._bootstrap(values)
        coef, std_coef, p_value = self._regression(complete)
        self.pseudo_r_squared_ = self._pseudo_r2(complete) if self.binary_ else math.nan
        if self.binary_ and not math.isnan(self.pseudo_r_squared_):
            if de:
                r2 = lambda v: format_value(v, "number", "de", digits=3)  # noqa: E731
                notes.append(f"Pseudo-R² nach McFadden (Logit) = {r2(self.pseudo_r_squared_)} "
                             f"(OLS-R² = {r2(self.r_squared_)})")
            else:
                notes.append(f"logit McFadden pseudo-R² = {self.pseudo_r_squared_:.3f} "
                             f"(OLS R² = {self.r_squared_:.3f})")
        sign = np.where((coef > 0) & (rxy > 0), "+", np.where((coef < 0) & (rxy < 0), "-", "mixed"))
        table = pd.DataFrame({
            "driver": drivers, "importance": share, "raw_weight": raw, "ci_low": ci_low, "ci_high": ci_high,
            "sign": sign, "coefficient": coef, "std_coefficient": std_coef, "correlation": rxy,
            "p_value": p_value})
        table = table.sort_values(["importance", "driver"], ascending=[False, True], kind="mergesort")
        table["rank"] = np.arange(1, len(table) + 1)
        self._summary = table.reset_index(drop=True)[_SUMMARY_COLUMNS]
        self.note_ = "; ".join(notes)
        return self

    def _empty(self, reason: str, notes: list[str]) -> None:
        self.r_squared_ = self.pseudo_r_squared_ = math.nan
        self.boot_ = np.empty((0, len(self.drivers_)))
        self._summary = pd.DataFrame({c: pd.Series(dtype="float64") for c in _SUMMARY_COLUMNS}).astype(
            {"driver": "str", "sign": "str", "rank": "int64"})
        self.note_ = "; ".join([reason, *notes])

    def _bootstrap(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p = values.shape[1] - 1
        if self.n_boot == 0:
            nan = np.full(p, np.nan)
            return nan, nan, np.empty((0, p))
        rng = np.random.default_rng(self.seed)
        n = len(values)
        chunk = max(1, _BOOT_CELLS // n)
        moments = centred_moments(values)
        # One BLAS thread: the resample products then add in the same order on every machine (with 2 threads
        # the shares differed by up to 8e-16 from 1 thread), and threads that spin while the other core is
        # busy cost 3-45 s of CPU at 1M answers for a fit that takes 3 s on one thread.
        with threadpool_limits(limits=1, user_api="blas"):
            shares = self._resample_shares(values, rng, chunk, moments)
        boot = np.concatenate(shares)
        alpha = (1 - self.level) / 2
        low, high = np.nanquantile(boot, [alpha, 1 - alpha], axis=0)
        return low, high, boot

    def _resample_shares(self, values: np.ndarray, rng: np.random.Generator, chunk: int,
                         moments: tuple[np.ndarray, np.ndarray]) -> list[np.ndarray]:
        """Each bootstrap resample's shares, ``chunk`` resamples at a time (NaN where a resample is collinear)."""
        p, n = values.shape[1] - 1, len(values)
        shares = []
        for start in range(0, self.n_boot, chunk):
            # drawn chunk by chunk: the same stream as one (n_boot, n) draw, without holding it all
            idx = rng.integers(0, n, size=(min(chunk, self.n_boot - start), n))
            corr = corr_stack(values, idx, moments)
            ok = np.isfinite(corr).all(axis=(1, 2))
            ok[ok] = np.linalg.eigvalsh(corr[ok][:, 1:, 1:])[:, 0] >= _COLLINEAR
            out = np.full((len(corr), p), np.nan)
            if ok.any():
                raw = decompose(self.method, corr[ok][:, 1:, 1:], corr[ok][:, 1:, 0])
                out[ok] = raw / raw.sum(axis=1, keepdims=True)
            shares.append(out)
        return shares

    def _regression(self, complete: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import statsmodels.api as sm  # heavy; only when fitting

        exog = sm.add_constant(complete[self.drivers_], has_constant="add")
        fit = sm.OLS(complete[self.outcome_], exog).fit(cov_type="HC1" if self.binary_ else "nonrobust")
        coef = fit.params[self.drivers_].to_numpy()
        sd_x = complete[self.drivers_].std().to_numpy()
        std_coef = coef * sd_x / complete[self.outcome_].std()
        return coef, std_coef, fit.pvalues[self.drivers_].to_numpy()

    def _pseudo_r2(self, complete: pd.DataFrame) -> float:
        """McFadden's pseudo-R² of a logit of the two-valued outcome on all drivers (NaN if it fails)."""
        import statsmodels.api as sm

        y = complete[self.outcome_]
        y = (y == y.max()).astype("float64")
        exog = sm.add_constant(complete[self.drivers_], has_constant="add")
        try:
            fit = sm.Logit(y, exog).fit(disp=0, maxiter=200)
        except (np.linalg.LinAlgError, ValueError):
            return math.nan
        return float(fit.prsquared)

    # -- results ---------------------------------------------------------------------------
    @property
    def summary(self) -> pd.DataFrame:
        """One row per driver, most important first.

        Columns: ``driver``; ``importance`` (share of R², adds up to 1); ``raw_weight`` (in R²
        units); ``ci_low``, ``ci_high`` (bootstrap percentile interval of the share);
        ``sign`` (``+`` / ``-`` when the multiple-regression coefficient and the correlation
        agree, ``mixed`` otherwise: a suppressor, read with care); ``coefficient`` (OLS, outcome
        units per rating point); ``std_coefficient``; ``correlation`` (zero-order); ``p_value`` of
        the coefficient; ``rank`` (1 = most important).
        """
        if not hasattr(self, "_summary"):
            raise AttributeError("call fit() first")
        return self._summary.copy()

    @property
    def note(self) -> str:
        """Alias of :attr:`note_` for display."""
        return getattr(self, "note_", "")

    def __repr__(self) -> str:
        if not hasattr(self, "_summary"):
            return f"KeyDrivers(method={self.method!r}, n_boot={self.n_boot}, seed={self.seed})"
        return (f"KeyDrivers({self.method}, outcome={self.outcome_!r}, n={self.n_}, "
                f"R²={self.r_squared_:.3f})" + (f" — {self.note_}" if self.note_ else ""))

    def _repr_html_(self) -> str:
        head = f"<p><strong>{repr(self)}</strong></p>"
        return head + (self._summary.to_html(index=False, float_format="{:.3f}".format)
                       if hasattr(self, "_summary") else "")
