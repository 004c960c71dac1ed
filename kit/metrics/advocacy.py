"""Advocacy metrics: referral rate, referred customers' retention, reasons for leaving.

Referrals show advocacy in action; exits show where loyalty broke. Both are
reported with their n and interval like every other metric.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kit.data.periods import Period, rows_in_period
from kit.definitions import METRIC_DEFINITIONS, Language
from kit.metrics._change import share_change_test
from kit.metrics._checks import warn_small
from kit.metrics._stats import normal_interval, share_interval, share_result
from kit.results import MetricResult, format_value, no_data

__all__ = ["referral_rate", "referred_retention", "exit_reasons"]

#: The English definition of the registry; reports show its German text (:meth:`MetricResult.definition_in`).
_RETENTION_DEFINITION = METRIC_DEFINITIONS["referred_retention"][0]


def referral_rate(referrals: pd.DataFrame, orders: pd.DataFrame, *, period: Period | None,
                  min_n: int | None = None, lang: Language = "en") -> MetricResult:
    """Customers who referred someone in the period / customers who ordered in the period.

    Parameters
    ----------
    referrals : DataFrame
        The tidy referrals table (``referrer_id``, ``referred_at``).
    orders : DataFrame
        The tidy orders table (``customer_id``, ``order_date``).
    period : Period or None
        The period (None: all data).
    min_n : int, optional
        Warn when fewer active customers than this.
    lang : {"en", "de"}
        Language of the note.

    Returns
    -------
    MetricResult
        Agresti-Coull interval; ``n`` = active customers. Referrers who did not order in the period are
        not in the numerator (a share needs its numerator inside its denominator); the note
        counts them (``"24 referring of 1624 ordering customers; ..."``, German
        ``"24 Empfehlende unter 1.624 bestellenden Kunden; ..."``).

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...                   "order_date": pd.to_datetime(["2026-07-01"] * 4)})
    >>> r = pd.DataFrame({"referrer_id": ["a", "x"], "referred_at": pd.to_datetime(["2026-07-02"] * 2)})
    >>> referral_rate(r, o, period=None).value   # a of a, b, c, d referred; x did not order
    0.25
    """
    de = lang == "de"
    ordered = rows_in_period(orders, "order_date", period, columns=["customer_id"])["customer_id"]
    active = pd.Index(ordered.dropna().astype(str).unique())
    if len(active) == 0:
        return no_data("referral_rate", "keine bestellenden Kunden im Zeitraum" if de
                       else "no ordering customers in the period")
    warn_small("referral_rate", len(active), min_n)
    referrers = pd.Index(rows_in_period(referrals, "referred_at", period)["referrer_id"].dropna().astype(str).unique())
    # both are unique: count active customers among the (few) referrers, not the other way
    # round (pandas' Arrow-string isin iterates over its argument in Python)
    inside = int(active.isin(referrers).sum())
    outside = len(referrers) - inside
    if de:
        count = lambda v: format_value(v, "count", "de")  # noqa: E731
        note = f"{count(inside)} Empfehlende unter {count(len(active))} bestellenden Kunden"
        if outside:
            note += f"; {count(outside)} Empfehlende ohne Bestellung im Zeitraum nicht mitgezählt"
    else:
        note = f"{inside} referring of {len(active)} ordering customers"
        if outside:
            note += f"; {outside} referrers without an order in the period are not counted"
    return share_result("referral_rate", inside, len(active), note=note,
                         extras={"referrers": inside, "referrers_not_active": outside})


def referred_retention(customers: pd.DataFrame | None, referrals: pd.DataFrame, orders: pd.DataFrame, *,
                       as_of: pd.Timestamp | str, inactivity_days: int, lang: Language = "en") -> MetricResult:
    """Retention of referred customers against all other customers, with a two-proportion z-test.

    Parameters
    ----------
    customers : DataFrame or None
        The customers table; when it has ``acquisition_channel`` and ``referrals`` has no
        ``referred_id``, customers acquired through ``"Empfehlung"``/``"referral"`` count as referred.
    referrals : DataFrame
        The tidy referrals table (``referred_id`` names the referred customers).
    orders : DataFrame
        The tidy orders table (``customer_id``, ``order_date``).
    as_of : Timestamp or str
        Reference date (exclusive): orders before it count.
    inactivity_days : int
        A customer is retained when their last order is within this many days before ``as_of``.
    lang : {"en", "de"}
        Language of the note (the retention rule and where the referred customers come from). The
        definition is the registry's English text, shown in German by
        :meth:`~kit.results.MetricResult.definition_in`.

    Returns
    -------
    MetricResult
        ``kpi = "referred_retention"``; value = retention(referred) - retention(others) with its
        Wald interval and se; ``extras``: ``z``, ``p_value`` (pooled two-proportion z-test),
        ``table`` (group, customers, retained, retention, ci_low, ci_high).

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b", "c"],
    ...     "order_date": pd.to_datetime(["2026-01-01", "2026-09-01", "2026-01-01", "2026-01-01"])})
    >>> r = pd.DataFrame({"referrer_id": ["c"], "referred_id": ["a"],
    ...                   "referred_at": pd.to_datetime(["2026-01-01"])})
    >>> referred_retention(None, r, o, as_of="2026-10-01", inactivity_days=90).value   # 1/1 - 0/2
    1.0
    """
    de = lang == "de"
    as_of = pd.Timestamp(as_of)
    before = orders.loc[orders["order_date"] < as_of]
    span = before.groupby(before["customer_id"].astype(str))["order_date"].agg(["min", "max"])
    window_start = as_of - pd.Timedelta(days=inactivity_days)
    eligible = span.loc[span["min"] < window_start]
    if "referred_id" in referrals.columns:
        referred = set(referrals["referred_id"].dropna().astype(str))
        source = "referrals.referred_id"
    elif customers is not None and "acquisition_channel" in customers.columns:
        channel = customers["acquisition_channel"].astype(str).str.lower()
        referred = set(customers.loc[channel.isin(["empfehlung", "referral"]), "customer_id"].astype(str))
        source = "customers.acquisition_channel"
    else:
        return no_data("referred_retention", "weder referred_id in den Empfehlungen noch acquisition_channel"
                       if de else "no referred_id in referrals and no acquisition_channel",
                       definition=_RETENTION_DEFINITION, unit="share_diff")
    is_referred = eligible.index.isin(pd.Index(list(referred)))
    retained = (eligible["max"] >= window_start).to_numpy()
    rows = []
    for group, mask in (("referred", is_referred), ("other", ~is_referred)):
        n, k = int(mask.sum()), int(retained[mask].sum())
        low, high = share_interval(k, n)
        rows.append({"group": group, "customers": n, "retained": k,
                     "retention": k / n if n else math.nan, "ci_low": low, "ci_high": high})
    table = pd.DataFrame(rows)
    (n1, k1), (n2, k2) = [(int(n), int(k)) for n, k in table[["customers", "retained"]].to_numpy()]
    if min(n1, n2) == 0:
        return no_data("referred_retention", "keine geworbenen oder keine anderen Kunden zum Vergleich" if de
                       else "no referred customers or no other customers to compare",
                       definition=_RETENTION_DEFINITION, unit="share_diff")
    p1, p2 = k1 / n1, k2 / n2
    diff = p1 - p2
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    z, p_value = share_change_test(k1, n1, k2, n2)   # exact (Boschloo) up to 200 against 200
    if de:
        note = (f"noch aktiv = eine Bestellung in den {format_value(inactivity_days, 'count', 'de')} Tagen vor dem "
                f"{as_of.date()}; geworben laut {source}")
    else:
        note = f"retained = an order in the {inactivity_days} days before {as_of.date()}; referred from {source}"
    return MetricResult("referred_retention", diff, int(n1 + n2), *normal_interval(diff, se),
                        _RETENTION_DEFINITION, "share_diff", se=se, note=note,
                        extras={"z": z, "p_value": p_value, "table": table,
                                "referred": p1, "other": p2})


def exit_reasons(exits: pd.DataFrame, *, by: str = "category", period: Period | None = None) -> pd.DataFrame:
    """Pareto table of the reasons for leaving: count, share and cumulative share.

    Parameters
    ----------
    exits : DataFrame
        The tidy exits table (``exit_date`` and the ``by`` column).
    by : str
        Column holding the reason (``category``, or a coded theme column).
    period : Period, optional
        Exits in this period only.

    Returns
    -------
    DataFrame
        ``category``, ``count``, ``share``, ``cumulative_share``, ``ci_low``, ``ci_high`` (Agresti-Coull
        interval of the share), largest first; a missing reason is ``"(none)"``.

    Raises
    ------
    KeyError
        When ``by`` is not a column of ``exits``.

    Examples
    --------
    >>> e = pd.DataFrame({"exit_date": pd.to_datetime(["2026-07-01"] * 4),
    ...                   "category": ["price", "price", "delivery", None]})
    >>> exit_reasons(e)["cumulative_share"].tolist()
    [0.5, 0.75, 1.0]
    """
    if by not in exits.columns:
        raise KeyError(f"column {by!r} not in exits; columns: {', '.join(map(str, exits.columns))}")
    chosen = rows_in_period(exits, "exit_date", period)
    counts = chosen[by].astype("object").where(chosen[by].notna(), "(none)").astype(str).value_counts()
    frame = counts.rename_axis("category").reset_index(name="count")
    frame = frame.sort_values(["count", "category"], ascending=[False, True], kind="stable").reset_index(drop=True)
    total = int(frame["count"].sum())
    frame["share"] = frame["count"] / total if total else np.nan
    frame["cumulative_share"] = frame["share"].cumsum()
    bounds = [share_interval(int(k), total) for k in frame["count"]]
    frame["ci_low"] = [b[0] for b in bounds]
    frame["ci_high"] = [b[1] for b in bounds]
    return frame[["category", "count", "share", "cumulative_share", "ci_low", "ci_high"]]


