"""NPS by every dimension in the data: the customer's (segment, region, acquisition channel) and the orders'
(order channel, product category: each order by its own value, so a customer who ordered in two categories
counts in both), with n per cell; small cells are marked, not hidden, and a group is called below or above all
customers only when its test, Holm-adjusted over the tested groups, says so."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from pandas.api.extensions import take

from kit.errors import KitWarning
from kit.metrics.segments import compare_groups, order_groups
from kit.metrics.survey import nps_by_segment
from kit.metrics.value import average_order_value
from kit.report.pages._context import Context
from kit.report.pages._format import Col, display
from kit.report.pages._section import Section

__all__ = ["DIMENSIONS", "ORDER_DIMENSIONS", "segment_nps", "segment_aov", "add_segment_table"]

#: Dimensions the segment breakdowns use, with their names in en / de: customer columns, then order columns
#: (:data:`ORDER_DIMENSIONS`).
DIMENSIONS: dict[str, tuple[str, str]] = {
    "segment": ("segment", "Segment"),
    "region": ("region", "Region"),
    "acquisition_channel": ("acquisition channel", "Akquisekanal"),
    "channel": ("order channel", "Bestellkanal"),
    "category": ("product category", "Produktkategorie"),
}
#: The dimensions that are columns of the orders table: a customer is in every group of their period's orders.
ORDER_DIMENSIONS = ("channel", "category")

_TEXT = {"en": {"nps": "NPS", "average_order_value": "Average order value", "value": "Value",
                "dimension": "Dimension", "group": "Group", "vs": "vs overall", "p": "p (Holm)",
                "below": "below", "above": "above", "small": "small cell (n < {n})", "same": "–",
                "caption": "{kpi} by group, {period}: overall {overall}; {m} groups with n ≥ {n} tested against "
                           "the overall value, p adjusted by Holm over them. ",
                "nps_orders": "Order channel and category: a customer's answers count in every group of their orders "
                              "in the period.",
                "average_order_value_orders": "Order channel and category: each order by its own value; customer "
                                              "dimensions: the orders of the group's customers."},
         "de": {"nps": "NPS", "average_order_value": "Durchschnittlicher Bestellwert", "value": "Wert",
                "dimension": "Merkmal", "group": "Gruppe", "vs": "ggü. gesamt", "p": "p (Holm)",
                "below": "darunter", "above": "darüber", "small": "kleine Zelle (n < {n})", "same": "–",
                "caption": "{kpi} nach Gruppe, {period}: gesamt {overall}; {m} Gruppen mit n ≥ {n} gegen den "
                           "Gesamtwert getestet, p nach Holm über diese angepasst. ",
                "nps_orders": "Bestellkanal und Kategorie: Die Antworten eines Kunden zählen in jeder Gruppe seiner "
                              "Bestellungen im Zeitraum.",
                "average_order_value_orders": "Bestellkanal und Kategorie: jede Bestellung nach ihrem eigenen Wert; "
                                              "Kundenmerkmale: die Bestellungen der Kunden der Gruppe."}}


def segment_nps(ctx: Context) -> pd.DataFrame | None:
    """NPS of the period by every dimension of :data:`DIMENSIONS` present in the data.

    Customer dimensions come from the customers table; order dimensions (:data:`ORDER_DIMENSIONS`) from the
    period's orders, each order by its own value, so an answer counts in every group its customer ordered in.

    Returns
    -------
    DataFrame or None
        ``dimension, segment, n, value, ci_low, ci_high, se, small`` (``small``: n below ``thresholds.min_n``;
        small cells are kept and marked, never hidden); None without surveys, NPS or period.
    """
    return ctx.cached("segment_nps", lambda: _segment_nps(ctx))   # page 3 and the findings show it


def _segment_nps(ctx: Context) -> pd.DataFrame | None:
    surveys, customers, orders = ctx.data.surveys, ctx.data.customers, ctx.data.orders
    if surveys is None or ctx.period is None or "nps" not in surveys or "customer_id" not in surveys:
        return None
    now = surveys[ctx.period.contains(surveys["responded_at"])]
    parts = []
    for dimension in DIMENSIONS:
        if dimension in ORDER_DIMENSIONS:
            if orders is None or dimension not in orders:
                continue
            groups = order_groups(orders, dimension, start=ctx.period.start, end=ctx.period.end)
            joined = now.drop(columns=dimension, errors="ignore").merge(groups, on="customer_id", how="inner")
        elif customers is not None and dimension in customers and "customer_id" in customers:
            joined = now.merge(customers[["customer_id", dimension]], on="customer_id", how="left")
        else:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", KitWarning)   # small cells are marked in the frame instead
            table = nps_by_segment(joined, by=dimension, min_n=ctx.config.thresholds.min_n)
        parts.append(pd.DataFrame({"dimension": dimension, "segment": table[dimension].astype(str),
                                   "n": table["n"], "value": table["nps"], "ci_low": table["ci_low"],
                                   "ci_high": table["ci_high"], "se": table["se"], "small": table["small"]}))
    return pd.concat(parts, ignore_index=True) if parts else None


def segment_aov(ctx: Context) -> pd.DataFrame | None:
    """Average order value of the period by every dimension of :data:`DIMENSIONS` present in the data.

    Each group's value is the scorecard's own estimator (:func:`kit.metrics.value.average_order_value`,
    interval clustered by customer) on the group's orders: a customer dimension takes the orders of the
    group's customers, an order dimension (:data:`ORDER_DIMENSIONS`) the orders with that value.

    Returns
    -------
    DataFrame or None
        ``dimension, segment, n`` (orders), ``value, ci_low, ci_high, se``; None without orders or period.
    """
    return ctx.cached("segment_aov", lambda: _segment_aov(ctx))


def _segment_aov(ctx: Context) -> pd.DataFrame | None:
    orders, customers = ctx.data.orders, ctx.data.customers
    if orders is None or ctx.period is None:
        return None
    now = orders[ctx.period.contains(orders["order_date"])]
    rows = []
    found: tuple[pd.DataFrame, np.ndarray] | None = None
    for dimension in DIMENSIONS:
        if dimension in ORDER_DIMENSIONS:
            if dimension not in now:
                continue
            key = now[dimension]
        elif customers is not None and dimension in customers and "customer_id" in customers:
            if found is None:   # each order's customer, looked up once for all dimensions (2.5 s each at 1M)
                first = customers.drop_duplicates("customer_id").set_index("customer_id")
                found = first, first.index.get_indexer(now["customer_id"])
            key = _customer_column(*found, dimension, now.index)
        else:
            continue
        for group, part in now.groupby(key.astype(object).where(key.notna(), "–").astype(str), sort=True):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", KitWarning)   # small cells are marked in the table instead
                result = average_order_value(part, lang=ctx.lang)
            rows.append({"dimension": dimension, "segment": str(group), "n": result.n, "value": result.value,
                         "ci_low": result.ci_low, "ci_high": result.ci_high, "se": result.se})
    return pd.DataFrame(rows) if rows else None


def _customer_column(customers: pd.DataFrame, at: np.ndarray, column: str, index: pd.Index) -> pd.Series:
    """``customers[column]`` at positions ``at`` (-1: missing), as ``Series.map`` of the ids gives it (same dtype).

    Examples
    --------
    >>> c = pd.DataFrame({"region": ["Nord", "Süd"]}, index=pd.Index(["a", "b"], name="customer_id"))
    >>> _customer_column(c, np.array([1, -1, 0]), "region", pd.RangeIndex(3)).tolist()
    ['Süd', nan, 'Nord']
    """
    values = customers[column].array
    if isinstance(values, pd.arrays.NumpyExtensionArray):
        values = values.to_numpy()   # as Series.map: an int column becomes float only when a value is missing
    return pd.Series(take(values, at, allow_fill=True), index=index, name="customer_id")


_KPI = {"nps": (segment_nps, "col_nps", "number", "col_answers"),
        "average_order_value": (segment_aov, "", "money", "col_orders")}


def add_segment_table(ctx: Context, s: Section, overall: float, kpi: str = "nps") -> Section:
    """Add ``kpi`` (``nps`` or ``average_order_value``) of every group to ``s``, each compared with ``overall``
    (:func:`kit.metrics.segments.compare_groups`: Holm over the groups with ``n >= thresholds.min_n``; small cells
    are marked and not tested)."""
    compute, value_label, kind, n_label = _KPI[kpi]
    frame = s.call(compute, ctx)
    if frame is None or frame.empty:
        return s
    t = _TEXT["de" if ctx.lang == "de" else "en"]
    min_n = ctx.config.thresholds.min_n
    tested = compare_groups(frame.drop(columns="small", errors="ignore"), overall, min_n=min_n)
    m = int(tested["p_value"].notna().sum())
    words = {"below": t["below"], "above": t["above"], "same": t["same"], "small": t["small"].format(n=min_n)}
    lang = 1 if ctx.lang == "de" else 0
    shown = tested.assign(dimension=tested["dimension"].map(lambda d: DIMENSIONS[d][lang]),
                          verdict=tested["verdict"].map(words))
    table = display(shown, [Col("dimension", t["dimension"]), Col("segment", t["group"]),
                            Col("n", n_label, "count"), Col("value", value_label or t["value"], kind),
                            Col(("ci_low", "ci_high"), "col_interval", "interval" if kind == "number" else kind),
                            Col("p_adjusted", t["p"], "p"),
                            Col("verdict", t["vs"])],
                    ctx.lang, currency=ctx.config.business.currency)
    currency = ctx.config.business.currency
    overall_text = display(pd.DataFrame({"v": [overall]}), [Col("v", "v", kind)], ctx.lang,
                           currency=currency).iloc[0, 0]
    caption = t["caption"].format(kpi=t[kpi], period=ctx.period_label, overall=overall_text, m=m, n=min_n)
    caption += t[f"{kpi}_orders"] if set(ORDER_DIMENSIONS) & set(frame["dimension"]) else ""
    return s.table(table, caption=caption, max_rows=len(table))
