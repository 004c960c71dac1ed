"""Behaviour metrics on the orders table: churn, retention, cohorts, repeat purchases, frequency, RFM.

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

All functions are vectorised (integer customer codes, one sort, bincount); none loops over customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from kit.definitions import DEFINITIONS
from kit.metrics.value import _as_period, _in_period, _mean_result, _median_ci, _share, net_revenue
from kit.periods import Granularity, Period
from kit.results import MetricResult, no_data

__all__ = [
    "loss_rule", "loss_moments", "churn_rate", "retention_rate", "churn_by_period", "convert_rate",
    "cohort_retention", "repeat_purchase_rate", "purchase_frequency", "inter_purchase_days",
    "rfm_segments", "RFM_SEGMENTS",
]

Language = Literal["en", "de"]
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


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


@dataclass(frozen=True)
class _Sorted:
    """Orders as integer customer codes and dates, sorted by customer then date (fast at 10M rows).

    ``ids[code]`` is the customer id (codes follow the sorted ids); ``rows`` are the positions of the
    sorted orders in the input frame (for carrying other columns along).
    """

    codes: np.ndarray
    dates: np.ndarray
    ids: pd.Index
    rows: np.ndarray

    @property
    def n_customers(self) -> int:
        return len(self.ids)

    def next_same(self) -> np.ndarray:
        """True where the next row belongs to the same customer."""
        out = np.zeros(len(self.codes), dtype=bool)
        out[:-1] = self.codes[1:] == self.codes[:-1]
        return out

    def first_rows(self) -> np.ndarray:
        """True on each customer's first (earliest) order."""
        out = np.ones(len(self.codes), dtype=bool)
        out[1:] = self.codes[1:] != self.codes[:-1]
        return out

    def code_of(self, ids: pd.Series) -> np.ndarray:
        """Codes of other customer ids (-1 for a customer without orders)."""
        return self.ids.get_indexer(ids)


def _sort_orders(orders: pd.DataFrame) -> _Sorted:
    ok = (orders["customer_id"].notna() & orders["order_date"].notna()).to_numpy()
    rows = np.flatnonzero(ok)
    codes, ids = pd.factorize(orders["customer_id"].iloc[rows], sort=True)
    dates = orders["order_date"].to_numpy("datetime64[ns]")[rows]
    # two passes (dates, then a stable sort of int32 codes) run about twice as fast as np.lexsort
    by_date = np.argsort(dates)
    small = codes.astype(np.int32) if len(ids) < 2**31 else codes
    order = by_date[np.argsort(small[by_date], kind="stable")]
    return _Sorted(codes[order].astype(np.int64), dates[order], pd.Index(ids), rows[order])


def _group_min(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per-code minimum of datetime64[ns] values; NaT for codes without a value."""
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, codes, values.view("i8"))
    out[out == np.iinfo(np.int64).max] = np.iinfo(np.int64).min  # NaT
    return out.view("M8[ns]")


def _group_max(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per-code maximum of datetime64[ns] values (NaT ignored); NaT for codes without a value."""
    out = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)  # int64 min is NaT
    np.maximum.at(out, codes, values.view("i8"))
    return out.view("M8[ns]")


def _inactivity_rows(s: _Sorted, inactivity_days: int) -> np.ndarray:
    """Orders not followed by another of the same customer within ``inactivity_days`` (loss candidates)."""
    inact = np.timedelta64(inactivity_days, "D")
    in_time = np.zeros(len(s.codes), dtype=bool)
    in_time[:-1] = (s.dates[1:] - s.dates[:-1]) < inact
    return ~(s.next_same() & in_time)


def _exit_codes(s: _Sorted, exits: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Exits of customers with orders, as (codes, dates)."""
    if exits is None or not len(exits):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype="M8[ns]")
    codes = s.code_of(exits["customer_id"])
    dates = exits["exit_date"].to_numpy("datetime64[ns]")
    keep = (codes >= 0) & ~np.isnat(dates)
    return codes[keep].astype(np.int64), dates[keep]


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
    s = _sort_orders(orders)
    cand = _inactivity_rows(s, inactivity_days)
    ex_codes, ex_dates = _exit_codes(s, exits)
    codes = np.concatenate([s.codes[cand], ex_codes])
    when = np.concatenate([s.dates[cand] + np.timedelta64(inactivity_days, "D"), ex_dates])
    cause = np.repeat(np.array(["inactivity", "exit"], dtype=object), [int(cand.sum()), len(ex_codes)])
    order = np.lexsort((when, codes))
    return pd.DataFrame({"customer_id": s.ids[codes[order]], "lost_at": when[order],
                         "cause": pd.array(cause[order], dtype="str")})


def _churn_counts(s: _Sorted, ex_codes: np.ndarray, ex_dates: np.ndarray, period: Period,
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
        prior_max = _group_max(ex_codes[prior], ex_dates[prior], n)
        active &= ~(prior_max >= last)
        lost_exit[ex_codes[(ex_dates >= start) & (ex_dates < end)]] = True
    cand = _inactivity_rows(s, inactivity_days)
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
        Language of the printed rule in ``note``.

    Returns
    -------
    MetricResult
        kpi ``churn_rate``; n = customers at the period start; Wilson interval; ``note`` = the rule;
        extras ``lost``, ``lost_by_exit``, ``lost_by_inactivity``, ``data_end``.

    Notes
    -----
    churn = lost / at start; 95 % Wilson score interval (Wilson 1927, JASA 22:209-212).
    Exits of customers without any order are ignored (they never count as customers at a start).
    See the module docstring for the loss rule. When the data end before
    ``period.end``, an inactivity loss is counted at ``last order + inactivity_days`` even if that
    moment lies after the data end; the note then says that the period is not covered by the data.

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "b", "b"],
    ...     "order_date": pd.to_datetime(["2026-05-01", "2026-05-01", "2026-07-15"])})
    >>> churn_rate(o, period="2026-Q3", inactivity_days=90).value   # a lost on 2026-07-30, b not
    0.5
    """
    period = _as_period(period)
    if orders is None:
        return no_data("churn_rate", "no order data: churn skipped")
    s = _sort_orders(orders)
    counts = _churn_counts(s, *_exit_codes(s, exits), period, inactivity_days)
    return _churn_result(counts, period, inactivity_days, exits is not None, orders["order_date"].max(), lang)


def _churn_result(counts: dict[str, int], period: Period, inactivity_days: int, has_exits: bool,
                  data_end: pd.Timestamp, lang: Language) -> MetricResult:
    rule = loss_rule(inactivity_days, exits=has_exits, lang=lang)
    if counts["at_start"] == 0:
        return no_data("churn_rate", f"no active customers at the start of {period.label} ({rule})")
    note = rule
    if pd.notna(data_end) and data_end < period.end - pd.Timedelta(days=1):
        note += ("; the data end before the end of the period" if lang == "en"
                 else "; die Daten enden vor dem Ende des Zeitraums")
    return _share("churn_rate", counts["lost"], counts["at_start"], note=note,
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
    >>> o = pd.DataFrame({"customer_id": ["a", "b", "b"],
    ...     "order_date": pd.to_datetime(["2026-05-01", "2026-05-01", "2026-07-15"])})
    >>> retention_rate(o, period="2026-Q3", inactivity_days=90).value
    0.5
    """
    churn = churn_rate(orders, period=period, inactivity_days=inactivity_days, exits=exits, lang=lang)
    d = DEFINITIONS["retention_rate"]
    if not churn.has_data:
        return no_data("retention_rate", churn.note)
    extras = dict(churn.extras)
    extras["retained"] = churn.n - extras["lost"]
    return MetricResult("retention_rate", 1 - churn.value, churn.n, 1 - churn.ci_high, 1 - churn.ci_low,
                        d.definition, d.unit, churn.se, churn.note, extras)


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
    >>> from kit.periods import parse_period
    >>> o = pd.DataFrame({"customer_id": ["a", "b", "b"],
    ...     "order_date": pd.to_datetime(["2026-05-01", "2026-05-01", "2026-07-15"])})
    >>> churn_by_period(o, periods=[parse_period("2026-Q3")], inactivity_days=90)["value"].tolist()
    [0.5]
    """
    rows = []
    if orders is None:
        return pd.DataFrame(rows, columns=["period", "start", "value", "n", "lost", "ci_low", "ci_high"])
    s = _sort_orders(orders)  # once for all periods
    ex_codes, ex_dates = _exit_codes(s, exits)
    data_end = orders["order_date"].max()
    for p in periods:
        counts = _churn_counts(s, ex_codes, ex_dates, p, inactivity_days)
        r = _churn_result(counts, p, inactivity_days, exits is not None, data_end, "en")
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


# --------------------------------------------------------------------------- cohorts
def _period_index(dates: np.ndarray, granularity: Granularity) -> np.ndarray:
    """Periods since 1970 (which starts a month, a quarter and a year) of datetime64 values."""
    return dates.astype("M8[M]").astype(np.int64) // _MONTHS[granularity]


def _period_start(index: np.ndarray, granularity: Granularity) -> pd.Series:
    months = np.asarray(index, dtype=np.int64) * _MONTHS[granularity]
    return pd.Series(months.astype("M8[M]").astype("M8[ns]"))


def _period_label(starts: pd.Series, granularity: Granularity) -> pd.Series:
    if granularity == "quarter":
        return starts.dt.year.astype(str) + "-Q" + ((starts.dt.month - 1) // 3 + 1).astype(str)
    if granularity == "month":
        return starts.dt.strftime("%Y-%m")
    return starts.dt.year.astype(str)


def cohort_retention(orders: pd.DataFrame | None, *, granularity: Granularity,
                     as_of: pd.Timestamp | str) -> pd.DataFrame:
    """Cohort retention: share of each acquisition cohort that orders in each later period.

    Parameters
    ----------
    orders : DataFrame or None
        Tidy orders (``customer_id``, ``order_date``).
    granularity : {"month", "quarter", "year"}
        Length of the cohort and activity periods.
    as_of : Timestamp or str
        End of the data, exclusive: orders with ``order_date < as_of`` count. The period that
        contains the last instant before ``as_of`` is incomplete unless ``as_of`` is its end.

    Returns
    -------
    DataFrame
        Tidy, one row per cohort and period since acquisition: ``cohort`` (label), ``cohort_start``,
        ``periods_since`` (0 = acquisition period), ``period`` (label), ``customers`` (cohort size,
        the n of the row), ``active`` (customers of the cohort with an order in that period),
        ``share`` = active / customers, ``complete`` (False for the unfinished period).
        Empty (same columns) when there are no orders. Period 0 has share 1 by construction.

    Raises
    ------
    ValueError
        For an unknown granularity.

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "b", "a"],
    ...     "order_date": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-02-03"])})
    >>> c = cohort_retention(o, granularity="month", as_of="2026-03-01")
    >>> c["share"].tolist(), c["complete"].tolist()
    ([1.0, 0.5], [True, True])
    """
    if granularity not in _MONTHS:
        raise ValueError(f"granularity {granularity!r} is not known; valid: month, quarter, year")
    columns = ["cohort", "cohort_start", "periods_since", "period", "customers", "active", "share", "complete"]
    as_of = pd.Timestamp(as_of)
    if orders is None:
        return pd.DataFrame(columns=columns)
    within = orders.loc[orders["order_date"] < as_of]
    if within.empty:
        return pd.DataFrame(columns=columns)
    s = _sort_orders(within)
    pidx = _period_index(s.dates, granularity)
    first = s.first_rows()
    cohort_of = pidx[first]  # one per customer, in code order
    cohort_row = cohort_of[s.codes]
    new_pair = first.copy()  # first order of a customer in each period
    new_pair[1:] |= pidx[1:] != pidx[:-1]
    cohort_of_pair, since = cohort_row[new_pair], (pidx - cohort_row)[new_pair]
    low, width = int(cohort_of_pair.min()), int(since.max()) + 1
    counts = np.bincount((cohort_of_pair - low) * width + since)
    cells = np.flatnonzero(counts)
    active = pd.Series(counts[cells], name="active", index=pd.MultiIndex.from_arrays(
        [cells // width + low, cells % width], names=["cohort_idx", "periods_since"]))
    size = pd.Series(cohort_of).value_counts().rename("customers")
    last_idx = int(_period_index(np.array([(as_of - pd.Timedelta(1, "ns")).to_datetime64()]), granularity)[0])
    as_of_is_boundary = _period_start(np.array([last_idx + 1]), granularity)[0] == as_of
    # the full grid: each cohort from its period to the last period
    cohorts = np.sort(size.index.to_numpy())
    lengths = last_idx - cohorts + 1
    grid = pd.DataFrame({"cohort_idx": np.repeat(cohorts, lengths),
                         "periods_since": np.concatenate([np.arange(k) for k in lengths])})
    grid = grid.join(size, on="cohort_idx").join(active, on=["cohort_idx", "periods_since"])
    grid["active"] = grid["active"].fillna(0).astype("int64")
    grid["share"] = grid["active"] / grid["customers"]
    pidx = (grid["cohort_idx"] + grid["periods_since"]).to_numpy()
    grid["complete"] = (pidx < last_idx) | as_of_is_boundary
    grid["cohort_start"] = _period_start(grid["cohort_idx"].to_numpy(), granularity).to_numpy()
    grid["cohort"] = _period_label(grid["cohort_start"], granularity)
    grid["period"] = _period_label(_period_start(pidx, granularity), granularity).to_numpy()
    out = grid[columns].reset_index(drop=True)
    out["periods_since"] = out["periods_since"].astype("int64")
    out["customers"] = out["customers"].astype("int64")
    out.attrs.update({"granularity": granularity, "as_of": as_of})
    return out


# --------------------------------------------------------------------------- repeat and frequency
def _orders_per_customer(orders: pd.DataFrame | None, period: Period | None) -> pd.Series:
    sub = _in_period(orders, "order_date", period)
    if orders is None or sub.empty:
        return pd.Series(dtype="int64")
    return sub.loc[sub["customer_id"].notna()].groupby("customer_id").size()


def repeat_purchase_rate(orders: pd.DataFrame | None, *, period: Period | str | None = None) -> MetricResult:
    """Repeat purchase rate: customers with 2 or more orders / customers with 1 or more, in the period.

    Parameters
    ----------
    orders : DataFrame or None
        Tidy orders (``customer_id``, ``order_date``).
    period : Period or str, optional
        The window; None = all orders.

    Returns
    -------
    MetricResult
        kpi ``repeat_purchase_rate``; n = ordering customers; Wilson interval; extras ``count``.

    Notes
    -----
    rate = #(customers with >= 2 orders) / #(customers with >= 1 order); orders without a
    customer id are left out. 95 % Wilson score interval (Wilson 1927).

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2026-07-01", "2026-08-01", "2026-07-05"])})
    >>> repeat_purchase_rate(o, period="2026-Q3").value
    0.5
    """
    period = _as_period(period)
    counts = _orders_per_customer(orders, period)
    if counts.empty:
        return _no("repeat_purchase_rate", orders, period)
    return _share("repeat_purchase_rate", int((counts >= 2).sum()), len(counts))


def purchase_frequency(orders: pd.DataFrame | None, *, period: Period | str | None = None) -> MetricResult:
    """Purchase frequency: orders per ordering customer in the period.

    Parameters
    ----------
    orders : DataFrame or None
        Tidy orders (``customer_id``, ``order_date``).
    period : Period or str, optional
        The window; None = all orders.

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
    period = _as_period(period)
    counts = _orders_per_customer(orders, period)
    if counts.empty:
        return _no("purchase_frequency", orders, period)
    return _mean_result("purchase_frequency", counts.to_numpy(dtype=float),
                        extras={"orders": int(counts.sum()), "median": float(counts.median())})


def inter_purchase_days(orders: pd.DataFrame | None, *, period: Period | str | None = None) -> MetricResult:
    """Median days between consecutive orders of the same customer.

    Parameters
    ----------
    orders : DataFrame or None
        Tidy orders (``customer_id``, ``order_date``).
    period : Period or str, optional
        Count the gaps whose later order falls in the period (the earlier one may lie before);
        None = all gaps.

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
    period = _as_period(period)
    if orders is None:
        return no_data("inter_purchase_days", "no order data", unit="days",
                       definition=_IPT_DEFINITION)
    o = _sort_orders(orders)
    has_prev = ~o.first_rows()
    if period is not None:
        has_prev &= (o.dates >= period.start.to_datetime64()) & (o.dates < period.end.to_datetime64())
    prev = np.empty_like(o.dates)
    prev[1:] = o.dates[:-1]
    gaps = (o.dates - prev)[has_prev] / np.timedelta64(1, "D")
    if len(gaps) == 0:
        where = f" in {period.label}" if period is not None else ""
        return no_data("inter_purchase_days", f"no repeat orders{where}", unit="days",
                       definition=_IPT_DEFINITION)
    low, high = _median_ci(gaps)
    return MetricResult("inter_purchase_days", float(np.median(gaps)), len(gaps), low, high,
                        _IPT_DEFINITION, "days",
                        extras={"mean": float(gaps.mean()),
                                "customers": int(len(np.unique(o.codes[has_prev])))})


_IPT_DEFINITION = "Median days between consecutive orders of the same customer."


def _no(kpi: str, orders: pd.DataFrame | None, period: Period | None) -> MetricResult:
    if orders is None:
        return no_data(kpi, "no order data: purchase metrics skipped")
    return no_data(kpi, "no orders" + (f" in {period.label}" if period is not None else ""))


# --------------------------------------------------------------------------- RFM
#: Segment rules, checked in order (first match wins); fm = round((f + m) / 2).
RFM_SEGMENTS: tuple[tuple[str, str, str], ...] = (
    ("Champions", "Champions", "r >= 4 and fm >= 4"),
    ("Loyal", "Treue Kunden", "r >= 3 and fm >= 3"),
    ("Potential loyalists", "Potenzielle Stammkunden", "r >= 4"),
    ("Needs attention", "Braucht Aufmerksamkeit", "r == 3"),
    ("Can't lose", "Nicht verlieren", "r <= 2 and fm == 5"),
    ("At risk", "Gefährdet", "r <= 2 and fm >= 3"),
    ("Hibernating", "Schlafend", "r == 2"),
    ("Lost", "Verloren", "r == 1"),
)


def _score(values: pd.Series) -> pd.Series:
    """Quintile score 1-5 from the percentile rank (ties share a score; larger value = higher score)."""
    return np.ceil(values.rank(method="average", pct=True) * 5).clip(1, 5).astype("int64")


def rfm_segments(orders: pd.DataFrame | None, *, as_of: pd.Timestamp | str, lang: Language = "en") -> pd.DataFrame:
    """Recency, frequency and monetary value per customer, quintile scores and named segments.

    Parameters
    ----------
    orders : DataFrame or None
        Tidy orders (``customer_id``, ``order_date``, ``revenue``, optional ``refund_amount``).
    as_of : Timestamp or str
        End of the data, exclusive: orders with ``order_date < as_of`` count.
    lang : {"en", "de"}
        Language of the segment names.

    Returns
    -------
    DataFrame
        One row per customer: ``customer_id``, ``recency_days`` (as_of - last order), ``frequency``
        (orders), ``monetary`` (net revenue), scores ``r``, ``f``, ``m`` (1-5, 5 = best: most
        recent, most orders, most net revenue) and ``segment``. Empty when there are no orders.

    Notes
    -----
    Scores are ``ceil(5 x percentile rank)`` with tied values sharing their average rank, so a
    customer with the most common frequency (often 1 order) gets the same ``f`` as all like them.
    With ``fm = round((f + m) / 2)`` the segments are, first match wins (:data:`RFM_SEGMENTS`):
    Champions r >= 4, fm >= 4; Loyal r >= 3, fm >= 3; Potential loyalists r >= 4;
    Needs attention r = 3; Can't lose r <= 2, fm = 5; At risk r <= 2, fm >= 3; Hibernating r = 2;
    Lost r = 1. A customer whose orders were all refunded has monetary 0 (or below) and scores low on m.

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b"], "revenue": [10.0, 20.0, 5.0],
    ...     "order_date": pd.to_datetime(["2026-01-01", "2026-09-01", "2026-02-01"])})
    >>> rfm_segments(o, as_of="2026-10-01")[["customer_id", "recency_days", "segment"]].values.tolist()
    [['a', 30.0, 'Champions'], ['b', 242.0, 'Loyal']]
    """
    columns = ["customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "segment"]
    as_of = pd.Timestamp(as_of)
    if orders is None:
        return pd.DataFrame(columns=columns)
    sub = orders.loc[(orders["order_date"] < as_of) & orders["customer_id"].notna()]
    if sub.empty:
        return pd.DataFrame(columns=columns)
    codes, ids = pd.factorize(sub["customer_id"], sort=True)
    n = len(ids)
    last = _group_max(codes, sub["order_date"].to_numpy("datetime64[ns]"), n)
    out = pd.DataFrame({
        "customer_id": pd.Index(ids),
        "recency_days": (as_of.to_datetime64() - last) / np.timedelta64(1, "D"),
        "frequency": np.bincount(codes, minlength=n).astype("int64"),
        "monetary": np.bincount(codes, weights=net_revenue(sub).to_numpy(), minlength=n),
    })
    out["r"] = _score(-out["recency_days"])
    out["f"] = _score(out["frequency"].astype(float))
    out["m"] = _score(out["monetary"])
    r = out["r"].to_numpy()
    fm = np.floor((out["f"] + out["m"]).to_numpy() / 2 + 0.5)
    conditions = [(r >= 4) & (fm >= 4), (r >= 3) & (fm >= 3), r >= 4, r == 3,
                  (r <= 2) & (fm == 5), (r <= 2) & (fm >= 3), r == 2, r == 1]
    names = [s[1] if lang == "de" else s[0] for s in RFM_SEGMENTS]
    out["segment"] = np.select(conditions, names, default=names[-1])
    out["segment"] = out["segment"].astype(str)
    return out[columns]
