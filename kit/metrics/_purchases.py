"""Purchase counts on the orders table: repeat purchase rate, purchase frequency, days between purchases.

Public through :mod:`kit.metrics.behaviour` (``from kit.metrics.behaviour import purchase_frequency``),
which re-exports these functions; :func:`counts_prepared` is the scorecard's fast path for the
first two. Unlike churn and retention they need no loss rule: they count orders per customer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.data.periods import Period, as_period, rows_in_period
from kit.definitions import Language
from kit.metrics._orders import PreparedOrders, sort_orders
from kit.metrics._stats import mean_result, median_interval, share_result
from kit.results import MetricResult, no_data

__all__ = ["counts_prepared", "inter_purchase_days", "purchase_frequency", "repeat_purchase_rate"]


def counts_prepared(kpi: str, prep: PreparedOrders, period: Period, lang: Language = "en") -> MetricResult:
    """:func:`repeat_purchase_rate` or :func:`purchase_frequency` from the prepared sort (scorecard).

    The counts come in sorted customer-id order, the order of the ``groupby`` of the public functions.
    """
    counts = prep.orders_per_customer(period.start.to_datetime64(), period.end.to_datetime64())
    if counts.size == 0:
        return _no(kpi, prep.orders, period, lang)
    if kpi == "repeat_purchase_rate":
        return share_result("repeat_purchase_rate", int((counts >= 2).sum()), len(counts))
    return mean_result("purchase_frequency", counts.astype(float),
                       extras={"orders": int(counts.sum()), "median": float(np.median(counts))})


def _orders_per_customer(orders: pd.DataFrame | None, period: Period | None) -> pd.Series:
    sub = rows_in_period(orders, "order_date", period, columns=["customer_id"])
    if orders is None or sub.empty:
        return pd.Series(dtype="int64")
    return sub.loc[sub["customer_id"].notna()].groupby("customer_id").size()


def repeat_purchase_rate(orders: pd.DataFrame | None, *, period: Period | str | None = None,
                         lang: Language = "en") -> MetricResult:
    """Repeat purchase rate: customers with 2 or more orders / customers with 1 or more, in the period.

    Parameters
    ----------
    orders : DataFrame or None
        Tidy orders (``customer_id``, ``order_date``).
    period : Period or str, optional
        The window; None = all orders.
    lang : {"en", "de"}
        Language of the note (why there is no value).

    Returns
    -------
    MetricResult
        kpi ``repeat_purchase_rate``; n = ordering customers; Agresti-Coull interval; extras ``count``.

    Notes
    -----
    rate = #(customers with >= 2 orders) / #(customers with >= 1 order); orders without a
    customer id are left out. 95 % Agresti-Coull interval (Agresti & Coull 1998).

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2026-07-01", "2026-08-01", "2026-07-05"])})
    >>> repeat_purchase_rate(o, period="2026-Q3").value
    0.5
    """
    period = as_period(period)
    counts = _orders_per_customer(orders, period)
    if counts.empty:
        return _no("repeat_purchase_rate", orders, period, lang)
    return share_result("repeat_purchase_rate", int((counts >= 2).sum()), len(counts))


def purchase_frequency(orders: pd.DataFrame | None, *, period: Period | str | None = None,
                       lang: Language = "en") -> MetricResult:
    """Purchase frequency: orders per ordering customer in the period.

    Parameters
    ----------
    orders : DataFrame or None
        Tidy orders (``customer_id``, ``order_date``).
    period : Period or str, optional
        The window; None = all orders.
    lang : {"en", "de"}
        Language of the note (why there is no value).

    Returns
    -------
    MetricResult
        kpi ``purchase_frequency``; n = ordering customers; t interval of the mean;
        extras ``orders``, ``median``.

    Notes
    -----
    frequency = orders / ordering customers (customers without an order in the period are not in
    the denominator). The t interval is a large-sample approximation; counts are skewed, so treat
    it as approximate below about 30 customers.

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2026-07-01", "2026-08-01", "2026-07-05"])})
    >>> purchase_frequency(o, period="2026-Q3").value
    1.5
    """
    period = as_period(period)
    counts = _orders_per_customer(orders, period)
    if counts.empty:
        return _no("purchase_frequency", orders, period, lang)
    return mean_result("purchase_frequency", counts.to_numpy(dtype=float),
                        extras={"orders": int(counts.sum()), "median": float(counts.median())})


def inter_purchase_days(orders: pd.DataFrame | None, *, period: Period | str | None = None,
                        lang: Language = "en") -> MetricResult:
    """Median days between consecutive orders of the same customer.

    Parameters
    ----------
    orders : DataFrame or None
        Tidy orders (``customer_id``, ``order_date``).
    period : Period or str, optional
        Count the gaps whose later order falls in the period (the earlier one may lie before);
        None = all gaps.
    lang : {"en", "de"}
        Language of the note (why there is no value).

    Returns
    -------
    MetricResult
        kpi ``inter_purchase_days`` (not a scorecard KPI); n = gaps; distribution-free interval of the
        median from binomial order statistics; extras ``mean``, ``customers``.

    Notes
    -----
    Two orders on the same day make a gap of 0 days and are kept.

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "a"],
    ...     "order_date": pd.to_datetime(["2026-07-01", "2026-07-11", "2026-08-10"])})
    >>> inter_purchase_days(o).value   # gaps 10 and 30
    20.0
    """
    period = as_period(period)
    de = lang == "de"
    if orders is None:
        return no_data("inter_purchase_days", "keine Bestelldaten" if de else "no order data", unit="days",
                       definition=_IPT_DEFINITION)
    o = sort_orders(orders)
    has_prev = ~o.first_rows()
    if period is not None:
        has_prev &= (o.dates >= period.start.to_datetime64()) & (o.dates < period.end.to_datetime64())
    prev = np.empty_like(o.dates)
    prev[1:] = o.dates[:-1]
    gaps = (o.dates - prev)[has_prev] / np.timedelta64(1, "D")
    if len(gaps) == 0:
        if de:
            reason = "keine Wiederholungsbestellungen" + (f" im Zeitraum {period.label}" if period is not None else "")
        else:
            reason = "no repeat orders" + (f" in {period.label}" if period is not None else "")
        return no_data("inter_purchase_days", reason, unit="days", definition=_IPT_DEFINITION)
    low, high = median_interval(gaps)
    return MetricResult("inter_purchase_days", float(np.median(gaps)), len(gaps), low, high,
                        _IPT_DEFINITION, "days",
                        extras={"mean": float(gaps.mean()),
                                "customers": int(len(np.unique(o.codes[has_prev])))})


_IPT_DEFINITION = "Median days between consecutive orders of the same customer."


def _no(kpi: str, orders: pd.DataFrame | None, period: Period | None, lang: Language = "en") -> MetricResult:
    if lang == "de":
        if orders is None:
            return no_data(kpi, "keine Bestelldaten: Kaufkennzahlen übersprungen")
        return no_data(kpi, "keine Bestellungen" + (f" im Zeitraum {period.label}" if period is not None else ""))
    if orders is None:
        return no_data(kpi, "no order data: purchase metrics skipped")
    return no_data(kpi, "no orders" + (f" in {period.label}" if period is not None else ""))
