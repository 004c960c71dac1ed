"""Input checks shared by the metric modules (private: not part of the public API).

Answers checked against their scale (answers outside it are a :class:`~kit.errors.DataError`),
the rows of a table dated in a period, and the :class:`~kit.errors.SmallSampleWarning` below a
minimum n. The survey metrics (:mod:`kit.metrics.survey` and its NPS and rating modules),
:mod:`kit.metrics.service` and :mod:`kit.metrics.advocacy` import from here; intervals and
tests live in :mod:`kit.metrics._stats`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from kit.data.periods import Period, rows_in_period
from kit.errors import DataError, SmallSampleWarning
from kit.results import MetricResult, no_data

__all__ = ["checked_answers", "checked_scores", "period_rows", "warn_small"]


def warn_small(kpi: str, n: int, min_n: int | None, *, stacklevel: int = 3) -> None:
    """Warn (:class:`SmallSampleWarning`) when ``0 < n < min_n``, pointing at the metric's caller."""
    if min_n is not None and 0 < n < min_n:
        warnings.warn(f"{kpi}: n = {n} is below the minimum of {min_n}; read the interval, not the value.",
                      SmallSampleWarning, stacklevel=stacklevel)


def checked_scores(scores: pd.Series | Any, name: str, low: float, high: float) -> np.ndarray:
    """Non-missing answers as floats; answers outside ``[low, high]`` are a :class:`DataError`."""
    values = pd.to_numeric(pd.Series(scores), errors="coerce").dropna().to_numpy(dtype=float)
    bad = values[(values < low) | (values > high)]
    if bad.size:
        raise DataError(f"{bad.size} answers lie outside the scale {low:g}-{high:g}", file="surveys",
                        column=name, values=[float(v) for v in bad[:5]],
                        expected=f"answers from {low:g} to {high:g}",
                        fix="map the survey tool's scale to the contract scale before the analysis")
    return values


def checked_answers(kpi: str, scores: pd.Series | Any, column: str, scale: tuple[float, float],
                    min_n: int | None, empty: str) -> np.ndarray | MetricResult:
    """Checked answers of a survey metric (see :func:`checked_scores`), or its no-data result when there are none.

    Warns like :func:`warn_small` when there are fewer than ``min_n`` answers.
    """
    values = checked_scores(scores, column, *scale)
    if values.size == 0:
        return no_data(kpi, empty)
    warn_small(kpi, len(values), min_n, stacklevel=4)
    return values


def period_rows(kpi: str, frame: pd.DataFrame, *, table: str, needs: str, date: str, period: Period | None,
                empty: str, min_n: int | None = None) -> pd.DataFrame | MetricResult:
    """Rows of ``frame`` dated (``date``) in ``period``, or the no-data result: no ``needs`` column, no rows.

    Warns like :func:`warn_small` when there are fewer than ``min_n`` rows.
    """
    if needs not in frame.columns:
        return no_data(kpi, f"the {table} table has no '{needs}' column")
    rows = rows_in_period(frame, date, period)
    if len(rows) == 0:
        return no_data(kpi, empty)
    warn_small(kpi, len(rows), min_n, stacklevel=4)
    return rows
