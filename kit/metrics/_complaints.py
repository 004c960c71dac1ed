"""Complaint metrics: complaints per 1,000 orders, overall and by category.

Complaints are the tickets flagged ``is_complaint`` opened in the period; the rates carry the
exact Poisson interval on the complaint count. Re-exported by :mod:`kit.metrics.service`.
"""

from __future__ import annotations

import math

import pandas as pd

from kit.data.periods import Period, rows_in_period
from kit.definitions import DEFINITIONS, Language
from kit.metrics._checks import warn_small
from kit.metrics._service_notes import _count
from kit.metrics._stats import poisson_interval
from kit.results import MetricResult, no_data

__all__ = ["complaint_rate", "complaints_by_category"]


def _complaints(tickets: pd.DataFrame, period: Period | None) -> pd.DataFrame:
    opened = rows_in_period(tickets, "opened_at", period)
    return opened.loc[opened["is_complaint"].fillna(False).astype(bool)]


def complaint_rate(tickets: pd.DataFrame, orders: pd.DataFrame, *, period: Period | None,
                   min_n: int | None = None, lang: Language = "en") -> MetricResult:
    """Complaints per 1,000 orders, with the exact Poisson interval on the complaint count.

    Parameters
    ----------
    tickets : DataFrame
        The tidy tickets table (``opened_at``, ``is_complaint``).
    orders : DataFrame
        The tidy orders table (``order_date``).
    period : Period or None
        Complaints opened and orders placed in this period (None: everything).
    min_n : int, optional
        Warn when fewer orders than this.
    lang : {"en", "de"}
        Language of the note (``201 complaints, 4232 orders``, German ``201 Beschwerden, 4.232 Bestellungen``).

    Returns
    -------
    MetricResult
        ``n`` = orders; ``se`` = 1000 sqrt(complaints) / orders; ``extras``: ``complaints``.

    Examples
    --------
    >>> t = pd.DataFrame({"opened_at": pd.to_datetime(["2026-07-01"] * 3), "is_complaint": [True, True, False]})
    >>> o = pd.DataFrame({"order_date": pd.to_datetime(["2026-07-01"] * 400)})
    >>> complaint_rate(t, o, period=None).value   # 2 / 400 * 1000
    5.0
    """
    if "is_complaint" not in tickets.columns:
        return no_data("complaint_rate", "die Tickettabelle hat keine Spalte 'is_complaint'" if lang == "de"
                       else "the tickets table has no 'is_complaint' column")
    n_orders = len(rows_in_period(orders, "order_date", period, columns=()))
    if n_orders == 0:
        return no_data("complaint_rate", "keine Bestellungen im Zeitraum" if lang == "de"
                       else "no orders in the period")
    warn_small("complaint_rate", n_orders, min_n)
    count = len(_complaints(tickets, period))
    low, high = poisson_interval(count)
    scale = 1000 / n_orders
    return MetricResult("complaint_rate", count * scale, n_orders, low * scale, high * scale,
                        DEFINITIONS["complaint_rate"].definition, "per_1000", se=math.sqrt(count) * scale,
                        note=(f"{_count(count, lang, 'Beschwerde', 'Beschwerden')}, "
                              f"{_count(n_orders, lang, 'Bestellung', 'Bestellungen')}" if lang == "de"
                              else f"{count} complaints, {n_orders} orders"),
                        extras={"complaints": count})


def complaints_by_category(tickets: pd.DataFrame, orders: pd.DataFrame, *,
                           period: Period | None = None) -> pd.DataFrame:
    """Complaints per category: count, share of complaints and rate per 1,000 orders.

    Parameters
    ----------
    tickets : DataFrame
        The tidy tickets table (``opened_at``, ``is_complaint``, ``category``).
    orders : DataFrame
        The tidy orders table (``order_date``).
    period : Period, optional
        Complaints opened and orders placed in this period.

    Returns
    -------
    DataFrame
        ``category``, ``complaints``, ``share``, ``per_1000_orders``, ``ci_low``, ``ci_high``
        (exact Poisson), most complaints first; a missing category is ``"(none)"``.

    Examples
    --------
    >>> t = pd.DataFrame({"opened_at": pd.to_datetime(["2026-07-01"] * 3), "is_complaint": [True] * 3,
    ...                   "category": ["delivery", "delivery", "price"]})
    >>> o = pd.DataFrame({"order_date": pd.to_datetime(["2026-07-01"] * 100)})
    >>> complaints_by_category(t, o)["per_1000_orders"].tolist()
    [20.0, 10.0]
    """
    columns = ["category", "complaints", "share", "per_1000_orders", "ci_low", "ci_high"]
    if "is_complaint" not in tickets.columns:
        return pd.DataFrame(columns=columns)
    complaints = _complaints(tickets, period)
    n_orders = len(rows_in_period(orders, "order_date", period, columns=()))
    category = (complaints["category"] if "category" in complaints.columns
                else pd.Series("(none)", index=complaints.index))
    counts = category.fillna("(none)").astype(str).value_counts()
    rows = []
    for name, count in counts.items():
        low, high = poisson_interval(int(count))
        scale = 1000 / n_orders if n_orders else math.nan
        rows.append({"category": name, "complaints": int(count), "share": count / counts.sum(),
                     "per_1000_orders": count * scale, "ci_low": low * scale, "ci_high": high * scale})
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["complaints", "category"], ascending=[False, True]).reset_index(drop=True)
