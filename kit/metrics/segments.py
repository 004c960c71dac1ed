"""Customer segments from the orders table: acquisition cohorts and RFM scores.

- :func:`cohort_retention`: the share of each acquisition cohort that orders in each later period;
- :func:`rfm_segments`: recency, frequency and monetary quintile scores with named segments
  (:data:`RFM_SEGMENTS`);
- :func:`order_groups`: the groups of an order-level column (channel, category) each customer ordered in,
  a customer in several;
- :func:`compare_groups`: each group of a breakdown against all customers, Holm-adjusted over the groups.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from kit.data.periods import Granularity
from kit.metrics._change import holm
from kit.metrics._orders import group_max, orders_before, sort_orders
from kit.metrics.value import net_revenue

__all__ = ["cohort_retention", "rfm_segments", "RFM_SEGMENTS", "order_groups", "compare_groups"]

Language = Literal["en", "de"]
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


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
    within = orders_before(orders, as_of)
    if within.empty:
        return pd.DataFrame(columns=columns)
    s = sort_orders(within)
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
    last = group_max(codes, sub["order_date"].to_numpy("datetime64[ns]"), n)
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


# --------------------------------------------------------------------------- breakdowns
def order_groups(orders: pd.DataFrame, column: str, *, start: pd.Timestamp | None = None,
                 end: pd.Timestamp | None = None) -> pd.DataFrame:
    """The groups of an order-level column each customer ordered in: one row per customer and group.

    A customer who ordered through two channels (or in two categories) is in both groups: each order is
    assigned by its own value, and a customer's answers count in every group of their orders.

    Parameters
    ----------
    orders : DataFrame
        ``customer_id``, ``order_date`` and ``column``.
    column : str
        The order-level dimension (``channel``, ``category``).
    start, end : Timestamp, optional
        Only orders with ``start <= order_date < end``.

    Returns
    -------
    DataFrame
        ``customer_id`` and ``column`` (str), distinct pairs, orders without a value left out.

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b", "a"], "channel": ["app", "web", "web", "app"],
    ...                   "order_date": pd.to_datetime(["2026-07-02", "2026-08-01", "2026-08-03", "2026-09-01"])})
    >>> order_groups(o, "channel").values.tolist()
    [['a', 'app'], ['a', 'web'], ['b', 'web']]
    """
    rows = orders
    if start is not None:
        rows = rows[rows["order_date"] >= start]
    if end is not None:
        rows = rows[rows["order_date"] < end]
    pairs = rows.loc[rows[column].notna() & rows["customer_id"].notna(), ["customer_id", column]]
    pairs = pairs.assign(**{column: pairs[column].astype(str)}).drop_duplicates()
    return pairs.sort_values(["customer_id", column], kind="mergesort").reset_index(drop=True)


def compare_groups(frame: pd.DataFrame, overall: float, *, min_n: int) -> pd.DataFrame:
    """Each group of a breakdown against the value over all customers, Holm-adjusted over the tested groups.

    Parameters
    ----------
    frame : DataFrame
        ``n``, ``value``, ``se`` per group (any other columns are kept).
    overall : float
        The KPI over all customers.
    min_n : int
        Groups with fewer observations are small cells: kept and marked, not tested.

    Returns
    -------
    DataFrame
        ``frame`` plus ``small`` (n < min_n), ``p_value`` (two-sided, z = (value − overall) / se; NaN for a small
        cell or without se), ``p_adjusted`` (Holm over the tested groups, :func:`kit.metrics._change.holm`) and
        ``verdict``: ``below`` / ``above`` (p_adjusted < 0.05), ``same``, or ``small``.

    Examples
    --------
    >>> f = pd.DataFrame({"n": [200, 200, 10], "value": [0.0, 22.0, -50.0], "se": [5.0, 5.0, 30.0]})
    >>> compare_groups(f, 20.0, min_n=30)["verdict"].tolist()   # z = -4: p 6e-5, x 2 tested = 1.3e-4
    ['below', 'same', 'small']
    """
    from scipy.stats import norm

    out = frame.copy()
    out["small"] = out["n"] < min_n
    se = pd.to_numeric(out["se"], errors="coerce")
    tested = ~out["small"] & se.notna() & (se > 0) & pd.notna(overall)
    z = (out["value"] - overall) / se
    out["p_value"] = np.where(tested, 2 * norm.sf(np.abs(z.fillna(0).to_numpy())), np.nan)
    out["p_adjusted"] = holm(out["p_value"].to_numpy())
    verdict = np.where(out["p_adjusted"] < 0.05, np.where(out["value"] < overall, "below", "above"), "same")
    out["verdict"] = np.where(out["small"], "small", verdict)
    return out
