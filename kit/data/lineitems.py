"""Line-item exports folded into the orders table, cancellations booked as refunds.

Many shop and ERP exports have one row per line item (``InvoiceNo, StockCode, Quantity, UnitPrice,
CustomerID, InvoiceDate``). With ``group_by: InvoiceNo`` under ``data.tables.orders`` the lines of one
invoice become one order: revenue = the sum of the line values (``revenue`` per line, or ``quantity`` x
``unit_price``), the order date its earliest line, quantity the sum.

A cancellation invoice (its id starts with ``cancellation_prefix``, e.g. ``C``, or its lines add up to
less than zero) is not an order: its value is booked as a refund of the same customer's latest earlier
order (``refund_amount``, ``returned``), spilling over to the order before when it exceeds that order's
revenue. A cancellation without an earlier order of the customer in the data (bought before the export
starts, or a guest without customer id) is left out and counted in the quality report.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kit.data.contract import quality_row
from kit.errors import DataError

__all__ = ["fold_line_items"]

_FIRST = ("customer_id", "category", "channel")


def _line_values(lines: pd.DataFrame, file: str) -> pd.Series:
    if "revenue" in lines:
        return lines["revenue"].astype("float64")
    if {"quantity", "unit_price"} <= set(lines.columns):
        return lines["quantity"].astype("float64") * lines["unit_price"].astype("float64")
    raise DataError("line items need a value per line: map a line total to revenue, or the quantity and the price "
                    "per unit to quantity and unit_price", file=file, column="revenue",
                    expected="revenue, or quantity and unit_price", fix="add the mapping under "
                    "data.tables.orders.columns in analysis.yaml")


def _book_refunds(orders: pd.DataFrame, cancels: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Refund per order (aligned with ``orders``) and the cancellations (or parts) that found no earlier order."""
    refund = np.zeros(len(orders))
    left = np.zeros(len(cancels))
    by_customer = {c: idx for c, idx in orders.groupby("customer_id", sort=False).indices.items()}
    dates = orders["order_date"].to_numpy()
    room = orders["revenue"].to_numpy(dtype="float64").copy()
    for k, (customer, when, amount) in enumerate(zip(cancels["customer_id"], cancels["order_date"],
                                                     cancels["amount"], strict=True)):
        positions = by_customer.get(customer)
        if positions is None or pd.isna(customer):
            left[k] = amount
            continue
        earlier = positions[dates[positions] <= np.datetime64(when)]
        for pos in earlier[np.argsort(dates[earlier], kind="stable")][::-1]:  # latest first
            booked = min(amount, room[pos])
            refund[pos] += booked
            room[pos] -= booked
            amount -= booked
            if amount <= 1e-9:
                break
        left[k] = max(amount, 0.0)
    return refund, cancels.assign(amount=left)[left > 1e-9]


def fold_line_items(lines: pd.DataFrame, *, file: str, prefix: str | None = None,
                    table: str = "orders") -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Fold converted line items into orders; cancellations become refunds of earlier orders.

    Parameters
    ----------
    lines : DataFrame
        One row per line, contract names and converted types: ``order_id`` (the ``group_by`` column),
        ``customer_id``, ``order_date`` and ``revenue`` (line total) or ``quantity`` and ``unit_price``;
        optional ``category``, ``channel``.
    file : str
        File name, for messages.
    prefix : str, optional
        Order ids starting with it are cancellations (``C`` in many ERP exports).
    table : str
        Table name of the quality rows.

    Returns
    -------
    orders : DataFrame
        One row per order that is not a cancellation: ``order_id``, ``customer_id``, ``order_date``,
        ``revenue`` (>= 0), ``refund_amount`` (<= revenue), ``returned``, ``quantity`` when given, the first
        ``category``/``channel`` of the order. The index is the first line of each order, so messages
        about an order name the file row of its first line.
    rows : list of dict
        Quality-report rows: how many lines became how many orders and refunds, and the cancellations
        without an earlier order (a warning when there are any).

    Raises
    ------
    DataError
        Neither ``revenue`` nor ``quantity`` and ``unit_price`` are mapped.

    Notes
    -----
    An invoice is a cancellation when its id starts with ``prefix``, its lines add up to less than zero,
    or its quantities add up to zero or less. An order's revenue is the sum of its lines, its quantity the
    sum of its positive quantities. A cancellation's value is booked against the latest earlier order
    of the customer (``order_date`` at or before the cancellation), up to that order's revenue, the rest
    against the order before; the refunds never exceed an order's revenue.

    Examples
    --------
    >>> lines = pd.DataFrame({"order_id": ["1", "1", "C2"], "customer_id": ["K", "K", "K"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-05"]),
    ...     "quantity": [2.0, 1.0, -1.0], "unit_price": [5.0, 3.0, 5.0]})
    >>> orders, _ = fold_line_items(lines, file="lines.csv", prefix="C")
    >>> orders[["order_id", "revenue", "refund_amount", "returned"]].to_dict("records")
    [{'order_id': '1', 'revenue': 13.0, 'refund_amount': 5.0, 'returned': True}]
    """
    lines = lines.assign(_value=_line_values(lines, file), _line=lines.index)
    groups = lines.groupby("order_id", sort=False, dropna=True)
    agg: dict[str, Any] = {"order_date": ("order_date", "min"), "revenue": ("_value", "sum"),
                           "_line": ("_line", "min")}
    agg.update({c: (c, "first") for c in _FIRST if c in lines})
    if "quantity" in lines:
        lines["_units"] = lines["quantity"].clip(lower=0)
        agg.update(quantity=("_units", "sum"), _net_units=("quantity", "sum"))
        groups = lines.groupby("order_id", sort=False, dropna=True)
    invoices = groups.agg(**agg).reset_index()
    cancelled = invoices["revenue"] < 0
    if "quantity" in lines:  # returns and stock corrections written as negative quantities
        cancelled |= invoices.pop("_net_units") <= 0
    if prefix:
        cancelled |= invoices["order_id"].astype("str").str.startswith(prefix)
    orders = invoices[~cancelled].copy()
    orders["revenue"] = orders["revenue"].clip(lower=0.0)
    cancels = invoices[cancelled].assign(amount=lambda f: f["revenue"].abs())
    refund, unmatched = _book_refunds(orders, cancels)
    orders["refund_amount"] = refund
    orders["returned"] = refund > 0
    orders = orders.set_index("_line").rename_axis(None).sort_index()
    rows = [quality_row(table, "line_items", "info", 0, example_key="ex_line_items",
                        params={"lines": len(lines), "orders": len(orders), "cancellations": len(cancels),
                                "cancelled": float(cancels["amount"].sum()), "refunded": int((refund > 0).sum())})]
    rows.append(quality_row(table, "unmatched_cancellations", "warning" if len(unmatched) else "info",
                            len(unmatched), example_key="ex_unmatched_cancellations" if len(unmatched) else "",
                            params={"n": len(unmatched), "value": float(unmatched["amount"].sum()),
                                    "ids": ", ".join(unmatched["order_id"].astype("str").head(3))}))
    return orders, rows
