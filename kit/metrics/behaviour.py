"""Behaviour metrics on the orders table: churn, retention, repeat purchases, frequency.

The loss rule
-------------
A customer is **lost** at the first moment the inactivity rule holds, or at a recorded exit:

- after an order at time ``t`` with no further order before ``t + inactivity_days``, the customer
  is lost at ``t + inactivity_days`` (a next order exactly at that moment comes too late);
- a recorded exit (``exits.exit_date``) makes the customer lost on that date.

A customer who orders again after being lost is active again from that order. For a period
``[start, end)``, the customers **at its start** are those with an order before ``start`` whose
last such order is at most ``inactivity_days`` before ``start`` and who have no exit between that
order and ``start``. They are **lost during the period** when a loss moment falls in ``[start, end)``.

All functions are vectorised (integer customer codes, one sort, bincount; see
:mod:`kit.metrics._orders`); none loops over customers. Cohorts and RFM segments live in
:mod:`kit.metrics.segments`.

Repeat purchases, purchase frequency and the time between purchases count orders rather than
losses; they are written in :mod:`kit.metrics._purchases` and imported from here.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from kit.data.periods import Period, as_period
from kit.definitions import DEFINITIONS
from kit.metrics._orders import PreparedOrders, SortedOrders, exit_codes, group_max, inactivity_rows, sort_orders
from kit.metrics._purchases import inter_purchase_days, purchase_frequency, repeat_purchase_rate
from kit.metrics._stats import share_result
from kit.results import MetricResult, no_data

__all__ = [
    "loss_rule", "loss_moments", "churn_rate", "retention_rate", "churn_by_period", "convert_rate",
    "unobservable_churn",
    "repeat_purchase_rate", "purchase_frequency", "inter_purchase_days",
]

Language = Literal["en", "de"]


def loss_rule(inactivity_days: int, *, exits: bool = False, lang: Language = "en") -> str:
    """The printed loss rule, e.g. ``"lost = no order for 180 days, or a recorded exit"``.

    Examples
    --------
    >>> loss_rule(180, exits=True)
    'lost = no order for 180 days, or a recorded exit'
    >>> loss_rule(90, lang="de")
    'verloren = 90 Tage ohne Bestellung'
    """
    if lang == "de":
        return f"verloren = {inactivity_days} Tage ohne Bestellung" + (
            " oder eine erfasste Kündigung" if exits else "")
    return f"lost = no order for {inactivity_days} days" + (", or a recorded exit" if exits else "")


def loss_moments(orders: pd.DataFrame, *, inactivity_days: int,
                 exits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every moment at which a customer is lost, one row per loss.

    Parameters
    ----------
    orders : DataFrame
        Tidy orders (``customer_id``, ``order_date``).
    inactivity_days : int
        Days without an order after which a customer counts as lost.
    exits : DataFrame, optional
        Recorded exits (``customer_id``, ``exit_date``); exits of customers without orders are left out.

    Returns
    -------
    DataFrame
        ``customer_id``, ``lost_at``, ``cause`` (``"inactivity"`` or ``"exit"``), sorted by customer
        and time. Inactivity moments may lie after the last date of the data (still unobserved).

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "a"],
    ...                   "order_date": pd.to_datetime(["2026-01-01", "2026-01-11"])})
    >>> loss_moments(o, inactivity_days=30)["lost_at"].dt.date.astype(str).tolist()
    ['2026-02-10']
    """
    s = sort_orders(orders)
    cand = inactivity_rows(s, inactivity_days)
    ex_codes, ex_dates = exit_codes(s, exits)
    codes = np.concatenate([s.codes[cand], ex_codes])
    when = np.concatenate([s.dates[cand] + np.timedelta64(inactivity_days, "D"), ex_dates])
    cause = np.repeat(np.array(["inactivity", "exit"], dtype=object), [int(cand.sum()), len(ex_codes)])
    order = np.lexsort((when, codes))
    return pd.DataFrame({"customer_id": s.ids[codes[order]], "lost_at": when[order],
                         "cause": pd.array(cause[order], dtype="str")})


def _churn_counts(s: SortedOrders, ex_codes: np.ndarray, ex_dates: np.ndarray, period: Period,
                  inactivity_days: int) -> dict[str, int]:
    n = s.n_customers
    start, end = period.start.to_datetime64(), period.end.to_datetime64()
    inact = np.timedelta64(inactivity_days, "D")
    before = s.dates < start
    next_before = np.zeros(len(s.codes), dtype=bool)
    next_before[:-1] = before[1:]
    last_rows = before & ~(s.next_same() & next_before)  # each customer's last order before the start
    last = np.full(n, np.datetime64("NaT"), dtype="M8[ns]")
    last[s.codes[last_rows]] = s.dates[last_rows]
    active = ~np.isnat(last) & (last + inact >= start)
    lost_exit = np.zeros(n, dtype=bool)
    if len(ex_codes):
        # an exit between the last order before the start and the start: already lost
        prior = ex_dates < start
        prior_max = group_max(ex_codes[prior], ex_dates[prior], n)
        active &= ~(prior_max >= last)
        lost_exit[ex_codes[(ex_dates >= start) & (ex_dates < end)]] = True
    cand = inactivity_rows(s, inactivity_days)
    moment = s.dates + inact
    lost_inact = np.zeros(n, dtype=bool)
    lost_inact[s.codes[cand & (moment >= start) & (moment < end)]] = True
    by_exit, by_inact = active & lost_exit, active & lost_inact & ~lost_exit
    return {"at_start": int(active.sum()), "lost": int((by_exit | by_inact).sum()),
            "lost_by_exit": int(by_exit.sum()), "lost_by_inactivity": int(by_inact.sum())}


def churn_rate(orders: pd.DataFrame | None, *, period: Period | str, inactivity_days: int,
               exits: pd.DataFrame | None = None, lang: Language = "en") -> MetricResult:
    """Churn rate: customers lost during the period / customers at its start.

    Parameters
    ----------
    orders : DataFrame or None
        Tidy orders (``customer_id``, ``order_date``).
    period : Period or str
        The period, e.g. ``"2026-Q3"``.
    inactivity_days : int
        Days without an order after which a customer counts as lost (``config.thresholds.inactivity_days``).
    exits : DataFrame, optional
        Recorded exits (``customer_id``, ``exit_date``); an exit in the period is a loss.
    lang : {"en", "de"}
        Language of ``note`` (the printed rule, or why there is no value).

    Returns
    -------
    MetricResult
        kpi ``churn_rate``; n = customers at the period start; Agresti-Coull interval; ``note`` = the rule;
        extras ``lost``, ``lost_by_exit``, ``lost_by_inactivity``, ``data_end``. No data (with the reason as
        ``note``) when no customer is active at the start, or when the period starts less than
        ``inactivity_days`` after the first order (:func:`unobservable_churn`: no loss can be seen yet).

    Notes
    -----
    churn = lost / at start; 95 % Agresti-Coull interval (Agresti & Coull 1998, Am. Stat. 52:119-126).
    Exits of customers without any order are ignored (they never count as customers at a start).
    See the module docstring for the loss rule. When the data end before
    ``period.end``, an inactivity loss is counted at ``last order + inactivity_days`` even if that
    moment lies after the data end; the note then says that the period is not covered by the data.

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["c", "a", "b", "b"],   # c: lost before Q3 (01-05 + 90 < 07-01)
    ...     "order_date": pd.to_datetime(["2026-01-05", "2026-05-01", "2026-05-01", "2026-07-15"])})
    >>> churn_rate(o, period="2026-Q3", inactivity_days=90).value   # a lost on 2026-07-30, b not
    0.5
    """
    period = as_period(period)
    if orders is None:
        return no_data("churn_rate", "keine Bestelldaten: Abwanderung übersprungen" if lang == "de"
                       else "no order data: churn skipped")
    s = sort_orders(orders)
    counts = _churn_counts(s, *exit_codes(s, exits), period, inactivity_days)
    return _churn_result(counts, period, inactivity_days, exits is not None, orders["order_date"].max(), lang,
                         data_start=orders["order_date"].min())


def unobservable_churn(period: Period, data_start: pd.Timestamp, inactivity_days: int,
                       lang: Language = "en") -> str | None:
    """Why the churn rate of ``period`` cannot be observed yet, or None when it can.

    A customer counts as lost once ``inactivity_days`` have passed since the last order. A period
    that starts less than ``inactivity_days`` after the first order in the data cannot show losses by
    that rule for customers whose history starts before the data do; its rate would be biased towards 0.

    Examples
    --------
    >>> from kit.data.periods import parse_period
    >>> unobservable_churn(parse_period("2024-Q1"), pd.Timestamp("2023-10-01"), 180)[:47]
    'churn cannot be observed yet: 2024-Q1 starts 92'
    >>> unobservable_churn(parse_period("2024-Q2"), pd.Timestamp("2023-10-01"), 180) is None
    True
    """
    if pd.isna(data_start):
        return None
    first = pd.Timestamp(data_start).normalize()
    if period.start >= first + pd.Timedelta(days=inactivity_days):
        return None
    days = (period.start - first).days
    if lang == "de":
        return (f"Abwanderung noch nicht beobachtbar: {period.label} beginnt {days} Tage nach der ersten Bestellung "
                f"({first:%Y-%m-%d}), früher als die {inactivity_days} Tage ohne Bestellung, nach denen ein Kunde "
                "als verloren gilt")
    return (f"churn cannot be observed yet: {period.label} starts {days} days after the first order "
            f"({first:%Y-%m-%d}), sooner than the {inactivity_days} days without an order after which a customer "
            "counts as lost")


def _churn_result(counts: dict[str, int], period: Period, inactivity_days: int, has_exits: bool,
                  data_end: pd.Timestamp, lang: Language, *, data_start: pd.Timestamp | None = None) -> MetricResult:
    rule = loss_rule(inactivity_days, exits=has_exits, lang=lang)
    if counts["at_start"] == 0:
        return no_data("churn_rate", f"keine aktiven Kunden zu Beginn von {period.label} ({rule})" if lang == "de"
                       else f"no active customers at the start of {period.label} ({rule})")
    why = None if data_start is None else unobservable_churn(period, data_start, inactivity_days, lang)
    if why is not None:
        return no_data("churn_rate", why)
    note = rule
    if pd.notna(data_end) and data_end < period.end - pd.Timedelta(days=1):
        note += ("; the data end before the end of the period" if lang == "en"
                 else "; die Daten enden vor dem Ende des Zeitraums")
    return share_result("churn_rate", counts["lost"], counts["at_start"], note=note,
                  extras={"lost": counts["lost"], "lost_by_exit": counts["lost_by_exit"],
                          "lost_by_inactivity": counts["lost_by_inactivity"], "data_end": data_end})


def retention_rate(orders: pd.DataFrame | None, *, period: Period | str, inactivity_days: int,
                   exits: pd.DataFrame | None = None, lang: Language = "en") -> MetricResult:
    """Retention rate = 1 - churn rate, same n; the interval is the churn interval mirrored.

    Parameters
    ----------
    orders, period, inactivity_days, exits, lang
        As for :func:`churn_rate`.

    Returns
    -------
    MetricResult
        kpi ``retention_rate``; extras ``retained`` and the churn extras.

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["c", "a", "b", "b"],   # c: lost before Q3 (01-05 + 90 < 07-01)
    ...     "order_date": pd.to_datetime(["2026-01-05", "2026-05-01", "2026-05-01", "2026-07-15"])})
    >>> retention_rate(o, period="2026-Q3", inactivity_days=90).value
    0.5
    """
    churn = churn_rate(orders, period=period, inactivity_days=inactivity_days, exits=exits, lang=lang)
    return _retention_of(churn)


def _retention_of(churn: MetricResult) -> MetricResult:
    """Retention from the churn result (1 - churn, mirrored interval)."""
    d = DEFINITIONS["retention_rate"]
    if not churn.has_data:
        return no_data("retention_rate", churn.note)
    extras = dict(churn.extras)
    extras["retained"] = churn.n - extras["lost"]
    return MetricResult("retention_rate", 1 - churn.value, churn.n, 1 - churn.ci_high, 1 - churn.ci_low,
                        d.definition, d.unit, churn.se, churn.note, extras)


def _churn_prepared(prep: PreparedOrders, *, period: Period, inactivity_days: int,
                    lang: Language = "en") -> MetricResult:
    """:func:`churn_rate` of ``prep.orders`` and ``prep.exits``, reusing the prepared sort (scorecard)."""
    counts = _churn_counts(prep.sorted, *prep.exit_codes, period, inactivity_days)
    return _churn_result(counts, period, inactivity_days, prep.exits is not None, prep.data_end, lang,
                         data_start=prep.data_start)


def _retention_prepared(prep: PreparedOrders, *, period: Period, inactivity_days: int,
                        lang: Language = "en") -> MetricResult:
    """:func:`retention_rate` reusing the prepared sort (scorecard)."""
    return _retention_of(_churn_prepared(prep, period=period, inactivity_days=inactivity_days, lang=lang))


def churn_by_period(orders: pd.DataFrame | None, *, periods: list[Period], inactivity_days: int,
                    exits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Churn rate for each period (for a trend chart).

    Parameters
    ----------
    orders, inactivity_days, exits
        As for :func:`churn_rate`.
    periods : list of Period
        E.g. ``kit.periods_between(first, last, "quarter")``.

    Returns
    -------
    DataFrame
        ``period`` (label), ``start``, ``value``, ``n``, ``lost``, ``ci_low``, ``ci_high``; rows
        without active customers have NaN values and n = 0.

    Examples
    --------
    >>> from kit.data.periods import parse_period
    >>> o = pd.DataFrame({"customer_id": ["c", "a", "b", "b"],   # c: lost before Q3 (01-05 + 90 < 07-01)
    ...     "order_date": pd.to_datetime(["2026-01-05", "2026-05-01", "2026-05-01", "2026-07-15"])})
    >>> churn_by_period(o, periods=[parse_period("2026-Q3")], inactivity_days=90)["value"].tolist()
    [0.5]
    """
    rows = []
    if orders is None:
        return pd.DataFrame(rows, columns=["period", "start", "value", "n", "lost", "ci_low", "ci_high"])
    s = sort_orders(orders)  # once for all periods
    ex_codes, ex_dates = exit_codes(s, exits)
    data_start, data_end = orders["order_date"].min(), orders["order_date"].max()
    for p in periods:
        counts = _churn_counts(s, ex_codes, ex_dates, p, inactivity_days)
        r = _churn_result(counts, p, inactivity_days, exits is not None, data_end, "en", data_start=data_start)
        rows.append({"period": p.label, "start": p.start, "value": r.value, "n": r.n,
                     "lost": r.extras.get("lost", 0), "ci_low": r.ci_low, "ci_high": r.ci_high})
    return pd.DataFrame(rows, columns=["period", "start", "value", "n", "lost", "ci_low", "ci_high"])


def convert_rate(rate: float, *, from_days: float, to_days: float) -> float:
    """Convert a churn rate between period lengths: ``1 - (1 - c) ** (to_days / from_days)``.

    Assumes a constant hazard over time (the retained share compounds).

    Parameters
    ----------
    rate : float
        Churn rate over ``from_days`` (0 to 1).
    from_days, to_days : float
        Length of the period the rate refers to, and of the wanted period.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        When ``rate`` is outside [0, 1] or a length is not positive.

    Examples
    --------
    >>> round(convert_rate(0.1, from_days=91, to_days=364), 4)   # 1 - 0.9**4
    0.3439
    """
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be a share between 0 and 1, found {rate!r}")
    if from_days <= 0 or to_days <= 0:
        raise ValueError(f"period lengths must be positive, found from_days={from_days}, to_days={to_days}")
    return 1 - (1 - rate) ** (to_days / from_days)
