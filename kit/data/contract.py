"""The data contract in code: the tidy tables of one analysis and their columns.

After :func:`kit.read_data` every table uses the canonical column names below,
whatever the user's files called them. Conventions of the tidy tables:

- ids (``customer_id``, ``order_id``, ``ticket_id``, ...) are strings;
- timestamps are ``datetime64[ns]``, naive, in the configured business time zone;
- money is ``float64`` in the shop's currency; flags are ``bool``;
- scores are ``float64`` (missing answers are NaN).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import pandas as pd

from kit.data.check_texts import check_text

__all__ = ["TableSpec", "TABLES", "TableName", "LoyaltyData", "QUALITY_COLUMNS", "quality_row", "CHURNED_STATUSES"]

TableName = Literal["customers", "orders", "surveys", "tickets", "exits", "referrals", "contacts", "subscriptions"]


@dataclass(frozen=True)
class TableSpec:
    """Columns of one table of the data contract.

    Attributes
    ----------
    required : tuple of str
        Columns that must be present.
    optional : tuple of str
        Known optional columns (any other column is kept as an attribute).
    dates : tuple of str
        Columns parsed as timestamps.
    key : str or None
        Column that must be unique.
    prefixes : tuple of str
        Optional column families, e.g. ``driver_`` for driver ratings.
    """

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    key: str | None = None
    prefixes: tuple[str, ...] = ()


TABLES: dict[str, TableSpec] = {
    "customers": TableSpec(
        required=("customer_id",),
        optional=("signup_date", "segment", "region", "acquisition_channel", "status", "churn_date",
                  "tenure_months", "plan", "amount"),
        dates=("signup_date", "churn_date"), key="customer_id"),
    "orders": TableSpec(
        required=("order_id", "customer_id", "order_date", "revenue"),
        optional=("refund_amount", "returned", "quantity", "category", "channel", "unit_price"),
        dates=("order_date",), key="order_id"),
    "surveys": TableSpec(
        required=("responded_at",),
        optional=("customer_id", "nps", "csat", "ces", "rating", "comment", "wave"),
        dates=("responded_at",), prefixes=("driver_",)),
    "tickets": TableSpec(
        required=("ticket_id", "opened_at"),
        optional=("customer_id", "first_response_at", "resolved_at", "category", "is_complaint", "channel"),
        dates=("opened_at", "first_response_at", "resolved_at"), key="ticket_id"),
    "exits": TableSpec(
        required=("customer_id", "exit_date"), optional=("reason", "category"), dates=("exit_date",)),
    "referrals": TableSpec(
        required=("referrer_id", "referred_at"), optional=("referred_id",), dates=("referred_at",)),
    "contacts": TableSpec(
        required=("customer_id", "sent_at"), optional=("responded", "wave"), dates=("sent_at",)),
    "subscriptions": TableSpec(
        required=("customer_id", "start_date"), optional=("end_date", "cancelled_at", "plan", "amount"),
        dates=("start_date", "end_date", "cancelled_at")),
}

#: Values of ``customers.status`` that mean the customer has left (compared case-insensitively, trimmed).
CHURNED_STATUSES = ("churned", "cancelled", "canceled", "inactive", "lost", "left", "ended", "yes", "true", "1",
                    "gekündigt", "gekuendigt", "inaktiv", "verloren", "beendet", "ja")

SURVEY_SCORES = ("nps", "csat", "ces", "rating")

#: The columns of the data-quality report: the English texts, then what renders them in another language
#: (:func:`kit.data.check_texts.check_text` of ``check_key`` / ``example_key`` with ``params``; an empty
#: ``example_key`` means the example is shown as it is: a file name, an error message, dates, ids).
QUALITY_COLUMNS = ["table", "check", "severity", "count", "example", "check_key", "example_key", "params"]


def quality_row(table: str, check_key: str, severity: str, count: int, *, params: Mapping[str, Any] | None = None,
                example_key: str = "", example: str = "") -> dict[str, Any]:
    """One row of the data-quality report, its texts in English from :data:`kit.data.check_texts.CHECK_TEXTS`.

    Parameters
    ----------
    table : str
        Table of the data contract.
    check_key : str
        The check's key in :data:`kit.data.check_texts.CHECK_TEXTS`.
    severity : {"error", "warning", "info"}
    count : int
        Rows (or values) the check found; 0 when it passed.
    params : mapping, optional
        The placeholders of both texts (JSON-able: text, numbers, nested texts).
    example_key : str
        The example's key in :data:`kit.data.check_texts.CHECK_TEXTS`; empty: ``example`` is shown as it is.
    example : str
        An example that is the same in every language (used when ``example_key`` is empty).

    Returns
    -------
    dict
        The :data:`QUALITY_COLUMNS`.

    Examples
    --------
    >>> row = quality_row("surveys", "driver_scale", "info", 0, params={"column": "driver_price", "scale": "1-5"},
    ...                   example_key="ex_driver_scale")
    >>> row["check"], row["example"], row["check_key"]
    ('driver_price scale', 'read as a 1-5 scale', 'driver_scale')
    """
    values = dict(params or {})
    return {"table": table, "check": check_text(check_key, "en", values), "severity": severity, "count": int(count),
            "example": check_text(example_key, "en", values) if example_key else example,
            "check_key": check_key, "example_key": example_key, "params": values}


@dataclass
class LoyaltyData:
    """The tables of one analysis, each a tidy DataFrame or ``None`` when not supplied.

    Attributes
    ----------
    customers, orders, surveys, tickets, exits, referrals, contacts, subscriptions : DataFrame or None
        The tables of the data contract, canonical column names. ``subscriptions`` is the contractual
        alternative to ``orders``: one row per subscription (``customer_id``, ``start_date``, ``end_date``
        empty while it runs, ``plan``, ``amount`` per billing period).
    interviews : DataFrame or None
        One row per interview: ``customer_id``, ``date``, ``interviewer``, ``segment``, ``text``,
        ``file`` (and ``codes`` where manual codes exist).
    quality : DataFrame
        The data-quality report: one row per check (``table``, ``check``, ``severity``,
        ``count``, ``example`` in English; ``check_key``, ``example_key``, ``params`` to
        show it in another language, see :data:`QUALITY_COLUMNS`).
    sources : dict
        Table name -> file it was read from (for the inventory in step 2).
    as_of : Timestamp or None
        ``data.as_of`` of the configuration: the day a snapshot export was taken (exclusive end of the data),
        for exports without dates of their own; counts as the latest date in :meth:`last_seen`.
    """

    customers: pd.DataFrame | None = None
    orders: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    tickets: pd.DataFrame | None = None
    exits: pd.DataFrame | None = None
    referrals: pd.DataFrame | None = None
    contacts: pd.DataFrame | None = None
    subscriptions: pd.DataFrame | None = None
    interviews: pd.DataFrame | None = None
    quality: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUALITY_COLUMNS))
    sources: dict[str, str] = field(default_factory=dict)
    as_of: pd.Timestamp | None = None

    def available(self) -> list[str]:
        """Names of the tables that were supplied (interviews included)."""
        return [f.name for f in fields(self)
                if f.name not in ("quality", "sources", "as_of") and getattr(self, f.name) is not None]

    def last_seen(self) -> pd.Timestamp:
        """The latest date in the data (used to find the latest complete period).

        The day before ``as_of`` when it is set (the export's own end); otherwise the latest date of any
        table, leaving out the subscriptions' ``end_date``: an end may be scheduled after the export day (a
        cancellation that takes effect later), so it says nothing about how far the data reach.
        """
        if self.as_of is not None:  # exclusive: the snapshot shows the data up to the day before
            return pd.Timestamp(self.as_of) - pd.Timedelta(days=1)
        latest = []
        for name, spec in TABLES.items():
            table = getattr(self, name)
            if table is None:
                continue
            for col in spec.dates:
                if name == "subscriptions" and col == "end_date":
                    continue
                if col in table and table[col].notna().any():
                    latest.append(table[col].max())
        if not latest:
            raise ValueError("no dated rows in any table")
        return max(latest)
