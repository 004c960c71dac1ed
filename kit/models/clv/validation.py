"""Checks of the CLV models: holdout purchases against the BG/NBD forecast, and the Gamma-Gamma
independence assumption (frequency vs spend).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from kit.models.clv._fitting import _Z95, _columns
from kit.models.clv.models import BetaGeo
from kit.results import MetricResult, no_data

__all__ = ["holdout_comparison", "frequency_spend_correlation"]


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
