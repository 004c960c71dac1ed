"""Importance-performance map: each driver's importance against its mean rating, in four quadrants.

Public through :mod:`kit.models.drivers` (``from kit.models.drivers import importance_performance``), which
re-exports :func:`importance_performance` and :data:`QUADRANTS`. The importances come from
:attr:`kit.models.drivers.KeyDrivers.summary`; the split follows Martilla & James (1977), with one change: a
driver whose importance interval (the bootstrap interval of :class:`kit.models.drivers.KeyDrivers`) or performance
interval (the t interval of its mean rating) contains the split line is *borderline*, not placed in a quadrant the
data cannot tell apart.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kit.errors import DataError

__all__ = ["QUADRANTS", "importance_performance", "side_of_split"]

#: Quadrant labels of the importance-performance map, English and German.
QUADRANTS = {
    "concentrate": {"en": "Concentrate here", "de": "Hier ansetzen"},
    "keep_up": {"en": "Keep up the good work", "de": "Weiter so"},
    "low_priority": {"en": "Low priority", "de": "Geringe Priorität"},
    "overkill": {"en": "Possible overkill", "de": "Möglicherweise übererfüllt"},
    "borderline": {"en": "Borderline", "de": "Grenzfall"},
}


def side_of_split(estimate: pd.Series, low: pd.Series, high: pd.Series, split: float) -> pd.Series:
    """Which side of a split line each estimate lies on, judged by its interval.

    Parameters
    ----------
    estimate, low, high : Series
        Point estimates and their interval bounds (NaN bounds: the point estimate alone decides).
    split : float
        The line (e.g. the mean importance of all drivers).

    Returns
    -------
    Series of str
        ``above`` (the whole interval at or above the line; the point estimate when there is no interval),
        ``below`` (the whole interval below it) or ``borderline`` (the interval contains the line, or there is
        no estimate).

    Examples
    --------
    >>> side_of_split(pd.Series([0.53, 0.198, 0.164]), pd.Series([0.50, 0.168, 0.139]),
    ...               pd.Series([0.56, 0.228, 0.187]), 0.2).tolist()
    ['above', 'borderline', 'below']
    >>> side_of_split(pd.Series([0.3]), pd.Series([float("nan")]), pd.Series([float("nan")]), 0.2).tolist()
    ['above']
    """
    est = estimate.astype("float64").to_numpy()
    lo = low.astype("float64").fillna(estimate.astype("float64")).to_numpy()
    hi = high.astype("float64").fillna(estimate.astype("float64")).to_numpy()
    lo, hi = np.minimum(lo, est), np.maximum(hi, est)   # an interval that leaves out its estimate still holds it
    side = np.where(lo >= split, "above", np.where(hi < split, "below", "borderline"))
    # no interval at all: the point estimate decides, as in the classic map
    point = np.isnan(low.astype("float64").to_numpy()) & np.isnan(high.astype("float64").to_numpy())
    side = np.where(point, np.where(est >= split, "above", "below"), side)
    side = np.where(np.isnan(est), "borderline", side)   # no estimate (no ratings): the data cannot tell
    return pd.Series(side, index=estimate.index, dtype=object)


def _mean_interval(values: pd.Series, level: float = 0.95) -> tuple[float, float]:
    """t interval of a mean (NaN with fewer than two values)."""
    x = values.dropna().astype("float64")
    if len(x) < 2:
        return float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return float(x.mean()) - half, float(x.mean()) + half


def importance_performance(summary: pd.DataFrame, frame: pd.DataFrame, *, drivers: Sequence[str] | None = None,
                           scale: tuple[float, float] = (1, 5), lang: str = "en") -> pd.DataFrame:
    """Importance × current performance of each driver, with the four classic quadrants.

    Parameters
    ----------
    summary : DataFrame
        :attr:`kit.models.drivers.KeyDrivers.summary` (columns ``driver``, ``importance``).
    frame : DataFrame
        The ratings; performance = mean rating of each driver column (NaN ignored).
    drivers : sequence of str, optional
        Drivers to show (default: all in ``summary``).
    scale : (low, high)
        Rating scale, used for ``performance_share`` = (mean − low) / (high − low).
    lang : {"en", "de"}
        Language of the quadrant labels.

    Returns
    -------
    DataFrame
        ``driver, importance, importance_ci_low, importance_ci_high, performance, performance_ci_low,
        performance_ci_high, performance_share, n, importance_side, performance_side, quadrant_id, quadrant``.
        The split is at the mean importance and the mean performance across the drivers:
        important and below-average performance = *Concentrate here*; important and good =
        *Keep up the good work*; less important and weak = *Low priority*; less important and
        good = *Possible overkill* (Martilla & James 1977). A driver whose importance interval
        (``ci_low``/``ci_high`` of ``summary``, when given) or performance interval (95 % t interval of
        the mean rating) contains its split line is *Borderline* (``quadrant_id`` ``borderline``): the
        data cannot tell which quadrant it belongs to. ``importance_side`` and ``performance_side``
        (``above``, ``below``, ``borderline``; :func:`side_of_split`) say which line it straddles.

    Examples
    --------
    >>> s = pd.DataFrame({"driver": ["a", "b"], "importance": [0.7, 0.3]})
    >>> f = pd.DataFrame({"a": [2., 3.] * 10, "b": [4., 5.] * 10})   # means 2.5 and 4.5, each ± 0.24
    >>> importance_performance(s, f).quadrant.tolist()
    ['Concentrate here', 'Possible overkill']
    >>> s["ci_low"], s["ci_high"] = [0.45, 0.1], [0.9, 0.55]      # both intervals contain the mean 0.5
    >>> importance_performance(s, f, lang="de").quadrant.tolist()
    ['Grenzfall', 'Grenzfall']
    """
    table = summary[["driver", "importance"]].copy()
    for bound in ("ci_low", "ci_high"):
        table[f"importance_{bound}"] = summary[bound] if bound in summary else np.nan
    if drivers is not None:
        table = table[table["driver"].isin(list(drivers))]
    missing = [d for d in table["driver"] if d not in frame.columns]
    if missing:
        raise DataError(f"driver column(s) {', '.join(missing)} not in the ratings", file="importance-performance",
                        expected="the frame the drivers were fitted on")
    low, high = scale
    table["performance"] = [float(frame[d].mean()) for d in table["driver"]]
    bounds = [_mean_interval(frame[d]) for d in table["driver"]]
    table["performance_ci_low"] = [b[0] for b in bounds]
    table["performance_ci_high"] = [b[1] for b in bounds]
    table["performance_share"] = (table["performance"] - low) / (high - low)
    table["n"] = [int(frame[d].notna().sum()) for d in table["driver"]]
    table["importance_side"] = side_of_split(table["importance"], table["importance_ci_low"],
                                             table["importance_ci_high"], float(table["importance"].mean()))
    table["performance_side"] = side_of_split(table["performance"], table["performance_ci_low"],
                                              table["performance_ci_high"], float(table["performance"].mean()))
    important = table["importance_side"] == "above"
    good = table["performance_side"] == "above"
    borderline = (table["importance_side"] == "borderline") | (table["performance_side"] == "borderline")
    table["quadrant_id"] = np.select([borderline, important & ~good, important & good, ~important & ~good],
                                     ["borderline", "concentrate", "keep_up", "low_priority"], "overkill")
    language = "de" if lang == "de" else "en"
    table["quadrant"] = [QUADRANTS[q][language] for q in table["quadrant_id"]]
    columns = ["driver", "importance", "importance_ci_low", "importance_ci_high", "performance", "performance_ci_low",
               "performance_ci_high", "performance_share", "n", "importance_side", "performance_side", "quadrant_id",
               "quadrant"]
    return table.reset_index(drop=True)[columns]
