"""Every KPI over the last complete periods: the series behind the index's sparklines and page 3's trend chart.

Each value is computed exactly as the scorecard computes it (the same function of
:data:`kit.plan._scorecard_kpis.ADAPTERS` per KPI), one period at a time, so the last point of each
series is the scorecard's value.
"""

from __future__ import annotations

import math
import warnings

import pandas as pd

from kit.data.config import AnalysisConfig
from kit.data.contract import LoyaltyData
from kit.data.periods import Period
from kit.definitions import KPI_IDS, Language
from kit.errors import KitWarning
from kit.metrics._orders import PreparedOrders
from kit.plan._scorecard_kpis import ADAPTERS

__all__ = ["kpi_series", "TREND_PERIODS", "SERIES_COLUMNS", "MODEL_KPIS"]

#: How many complete periods a trend shows (the reporting period and the ones before it).
TREND_PERIODS = 8
SERIES_COLUMNS = ("kpi", "period", "start", "value", "n", "ci_low", "ci_high")
#: KPIs that count customers lost to the inactivity rule: a period that starts less than ``inactivity_days``
#: after the first order cannot show such losses yet, and its value would be biased (left out, as on page 3).
_INACTIVITY_KPIS = ("churn_rate", "retention_rate")
#: Model-based KPIs: each period would mean fitting the model again on overlapping data (seconds per period), and
#: their period-to-period movement is not a tested change (see the scorecard): only the reporting period is shown.
MODEL_KPIS = ("clv_predicted", "clv_contractual")


def kpi_series(data: LoyaltyData, config: AnalysisConfig, period: Period, *, periods: int = TREND_PERIODS,
               kpis: tuple[str, ...] = KPI_IDS, scorecard: pd.DataFrame | None = None,
               lang: Language = "en") -> pd.DataFrame:
    """Each KPI over the ``periods`` complete periods that end with ``period``.

    Parameters
    ----------
    data : LoyaltyData
    config : AnalysisConfig
    period : Period
        The reporting period (the last point of every series).
    periods : int
        Number of periods, the reporting period included.
    kpis : tuple of str
        KPI ids (default: all of :data:`kit.definitions.KPI_IDS`).
    scorecard : DataFrame, optional
        The period's scorecard: its value and previous value are reused instead of computed again.
    lang : {"en", "de"}

    Returns
    -------
    DataFrame
        ``kpi, period, start, value, n, ci_low, ci_high``, oldest period first within each KPI. A period
        without data has ``n = 0`` and NaN value; churn and retention are NaN for periods that start less
        than ``thresholds.inactivity_days`` after the first order (the inactivity rule cannot hold yet); the
        model-based KPIs of :data:`MODEL_KPIS` have only the reporting period's point (from ``scorecard`` when
        given), earlier periods are NaN with ``n = 0``.

    Examples
    --------
    >>> import kit                                                          # doctest: +SKIP
    >>> config, data = kit.load_sample()                                    # doctest: +SKIP
    >>> kpi_series(data, config, kit.parse_period("2026-Q3")).query("kpi == 'nps'")  # doctest: +SKIP
    """
    if periods < 1:
        raise ValueError(f"periods must be at least 1, got {periods}")
    chain = [period.shift(-k) for k in range(periods - 1, -1, -1)]
    prep = PreparedOrders(data.orders, data.exits) if data.orders is not None else None
    observable = (data.orders["order_date"].min() + pd.Timedelta(days=config.thresholds.inactivity_days)
                  if data.orders is not None and not data.orders.empty else None)
    known: dict[tuple[str, str], tuple[float, int, float, float]] = {}
    if scorecard is not None:
        for row in scorecard.itertuples(index=False):
            known[(str(row.kpi), period.label)] = (row.value, int(row.n), row.ci_low, row.ci_high)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KitWarning)   # the scorecard and the pages raise them where they belong
        for kpi in kpis:
            for p in chain:
                if kpi in _INACTIVITY_KPIS and observable is not None and p.start < observable:
                    value, n, low, high = math.nan, 0, math.nan, math.nan
                elif (kpi, p.label) in known:
                    value, n, low, high = known[(kpi, p.label)]
                elif kpi in MODEL_KPIS and p != period:
                    value, n, low, high = math.nan, 0, math.nan, math.nan
                else:
                    r = ADAPTERS[kpi](data, config, p, prep, lang=lang)
                    value, n, low, high = (r.value if r.has_data else math.nan), int(r.n), r.ci_low, r.ci_high
                rows.append({"kpi": kpi, "period": p.label, "start": p.start, "value": value, "n": n,
                             "ci_low": low, "ci_high": high})
    frame = pd.DataFrame(rows, columns=list(SERIES_COLUMNS))
    return frame.astype({"value": "float64", "n": "int64", "ci_low": "float64", "ci_high": "float64"})
