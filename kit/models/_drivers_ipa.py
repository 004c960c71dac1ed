"""Importance-performance map: each driver's importance against its mean rating, in four quadrants.

Public through :mod:`kit.models.drivers` (``from kit.models.drivers import importance_performance``), which
re-exports :func:`importance_performance` and :data:`QUADRANTS`. The importances come from
:attr:`kit.models.drivers.KeyDrivers.summary`; the split follows Martilla & James (1977).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kit.errors import DataError

__all__ = ["QUADRANTS", "importance_performance"]

#: Quadrant labels of the importance-performance map, English and German.
QUADRANTS = {
    "concentrate": {"en": "Concentrate here", "de": "Hier ansetzen"},
    "keep_up": {"en": "Keep up the good work", "de": "Weiter so"},
    "low_priority": {"en": "Low priority", "de": "Geringe Priorität"},
    "overkill": {"en": "Possible overkill", "de": "Möglicherweise übererfüllt"},
}


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
        ``driver, importance, performance, performance_share, n, quadrant_id, quadrant``. The
        split is at the mean importance and the mean performance across the drivers:
        important and below-average performance = *Concentrate here*; important and good =
        *Keep up the good work*; less important and weak = *Low priority*; less important and
        good = *Possible overkill* (Martilla & James 1977).

    Examples
    --------
    >>> s = pd.DataFrame({"driver": ["a", "b"], "importance": [0.7, 0.3]})
    >>> f = pd.DataFrame({"a": [2., 3.], "b": [4., 5.]})
    >>> importance_performance(s, f).quadrant.tolist()
    ['Concentrate here', 'Possible overkill']
    """
    table = summary[["driver", "importance"]].copy()
    if drivers is not None:
        table = table[table["driver"].isin(list(drivers))]
    missing = [d for d in table["driver"] if d not in frame.columns]
    if missing:
        raise DataError(f"driver column(s) {', '.join(missing)} not in the ratings", file="importance-performance",
                        expected="the frame the drivers were fitted on")
    low, high = scale
    table["performance"] = [float(frame[d].mean()) for d in table["driver"]]
    table["performance_share"] = (table["performance"] - low) / (high - low)
    table["n"] = [int(frame[d].notna().sum()) for d in table["driver"]]
    important = table["importance"] >= table["importance"].mean()
    good = table["performance"] >= table["performance"].mean()
    table["quadrant_id"] = np.select([important & ~good, important & good, ~important & ~good],
                                     ["concentrate", "keep_up", "low_priority"], "overkill")
    language = "de" if lang == "de" else "en"
    table["quadrant"] = [QUADRANTS[q][language] for q in table["quadrant_id"]]
    return table.reset_index(drop=True)
