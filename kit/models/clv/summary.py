"""Customer summaries for the CLV models: frequency, recency, T and monetary value per customer.

The aggregation runs in DuckDB. Net value, purchase occasions, time units and the exclusive
cut-off follow the conventions in the :mod:`kit.models.clv` package docstring.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from kit.data._parquet_folder import parquet_parts
from kit.errors import DataError, KitError

__all__ = ["TIME_UNITS", "DAYS_PER_MONTH", "summarise_customers"]

TimeUnit = Literal["D", "W", "M"]
#: Valid time units and what they mean.
TIME_UNITS: dict[str, str] = {"D": "days", "W": "weeks (7 days)", "M": "calendar months"}
#: Length of an average month in days (365.25 / 12), used to turn months into days or weeks.
DAYS_PER_MONTH = 365.25 / 12


def _check_unit(freq: str) -> None:
    if freq not in TIME_UNITS:
        raise KitError(f"time unit {freq!r} is not known. Valid choices: "
                       + ", ".join(f"{k!r} ({v})" for k, v in TIME_UNITS.items()) + ".")


def _code_sql(freq: str) -> str:
    """SQL for the integer period code of ``order_date`` (days since 1970 or months since year 0)."""
    if freq == "M":
        return "(year(order_date) * 12 + month(order_date) - 1)"
    return "date_diff('day', DATE '1970-01-01', CAST(order_date AS DATE))"


def _code_of(day: pd.Timestamp, freq: str) -> int:
    if freq == "M":
        return day.year * 12 + day.month - 1
    return int((day - pd.Timestamp("1970-01-01")).days)


def _source_columns(orders: pd.DataFrame | str | Path, con: object) -> tuple[str, list[str]]:
    """Register the source with DuckDB; return its SQL name and its columns."""
    if isinstance(orders, pd.DataFrame):
        con.register("_orders", orders)  # type: ignore[attr-defined]
        return "_orders", list(orders.columns)
    path = Path(orders)
    if not path.exists():
        raise DataError("file not found", file=str(path), expected="a Parquet file of orders",
                        fix="check the path")
    files = parquet_parts(path) if path.is_dir() else [path]   # a folder of Parquet files: its parts
    if not files:
        raise DataError("the folder holds no Parquet file", file=path.name + "/",
                        expected="a folder of Parquet files of orders", fix="check the path")
    quoted = ", ".join("'" + f.as_posix().replace("'", "''") + "'" for f in files)
    src = f"read_parquet([{quoted}])"
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]  # type: ignore[attr-defined]
    return src, cols


def _check_dates(dates: pd.Series) -> None:
    """order_date must be naive datetimes (days are counted in the business time zone)."""
    if not pd.api.types.is_datetime64_dtype(dates.dtype):
        tz = getattr(dates.dtype, "tz", None)
        found = f"time-zone aware ({tz})" if tz is not None else f"of type {dates.dtype}"
        raise DataError(f"order_date is {found}", file="orders", column="order_date",
                        expected="naive timestamps in the business time zone",
                        fix="read the data with kit.read_data, or convert with "
                            ".dt.tz_convert('Europe/Berlin').dt.tz_localize(None) / pd.to_datetime")


def _sql_ts(ts: pd.Timestamp) -> str:
    return f"TIMESTAMP '{ts.strftime('%Y-%m-%d %H:%M:%S.%f')}'"


def _last_day(ts: pd.Timestamp) -> pd.Timestamp:
    """The last calendar day observed before the exclusive cut-off ``ts``."""
    return (ts - pd.Timedelta(1, "ns")).normalize()


def _summary_sql(src: str, *, net: str, freq: str, end: pd.Timestamp, cut: pd.Timestamp, holdout: bool,
                 coded: bool = False) -> str:
    """The DuckDB query of :func:`summarise_customers`.

    Orders are collapsed to occasions (customer, period code p); the day codes ``d`` of the first
    and last order give ``first_purchase`` and ``last_purchase``. Money is summed as DECIMAL(38, 6):
    exact, so the result does not depend on the order in which DuckDB's threads combine partial
    sums (summing doubles in parallel made the CLV differ in the last digits from run to run). Without a holdout this
    is the
    plain two-level aggregation (no flag, no join) so that it runs as fast as a hand-written query.
    """
    divisor = 7.0 if freq == "W" else 1.0
    day = "date_diff('day', DATE '1970-01-01', CAST(order_date AS DATE))"
    code = day if freq != "M" else _code_sql("M")
    day_cols = "" if freq != "M" else f", min({day}) AS d_first, max({day}) AS d_last"
    first_d, last_d = ("min(p)", "max(p)") if freq != "M" else ("min(d_first)", "max(d_last)")
    hold = f", order_date >= {_sql_ts(cut)} AS hold" if holdout else ""
    key = "customer_id" if coded else "CAST(customer_id AS VARCHAR)"
    occ = f"""
        occ AS (
            SELECT {key} AS customer_id, {code} AS p{hold},
                   sum(CAST({net} AS DECIMAL(38, 6))) AS net{day_cols}
            FROM {src}
            WHERE order_date < {_sql_ts(end)}
            GROUP BY ALL
        )"""
    model_cols = f"""
            count(*) - 1 AS frequency,
            (max(p) - min(p)) / {divisor} AS recency,
            ({_code_of(_last_day(cut), freq)} - min(p)) / {divisor} AS T,
            CASE WHEN count(*) > 1 THEN CAST(sum(net) - arg_min(net, p) AS DOUBLE) / (count(*) - 1) ELSE 0.0 END
                AS monetary_value,
            DATE '1970-01-01' + CAST({first_d} AS INTEGER) AS first_purchase,
            DATE '1970-01-01' + CAST({last_d} AS INTEGER) AS last_purchase"""
    if not holdout:
        return f"WITH {occ} SELECT customer_id, {model_cols} FROM occ GROUP BY customer_id ORDER BY customer_id"
    return f"""
        WITH {occ},
        cal AS (SELECT customer_id, {model_cols} FROM occ WHERE NOT hold GROUP BY customer_id),
        hold AS (
            SELECT customer_id, count(*) AS frequency_holdout,
                   CAST(sum(net) AS DOUBLE) / count(*) AS monetary_value_holdout
            FROM occ WHERE hold GROUP BY customer_id
        )
        SELECT cal.*, coalesce(frequency_holdout, 0) AS frequency_holdout,
               coalesce(monetary_value_holdout, 0.0) AS monetary_value_holdout
        FROM cal LEFT JOIN hold USING (customer_id)
        ORDER BY cal.customer_id"""


def summarise_customers(
    orders: pd.DataFrame | str | Path,
    *,
    as_of: str | pd.Timestamp,
    freq: TimeUnit = "W",
    calibration_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Summarise an order log into one row per customer: frequency, recency, T, monetary value.

    Parameters
    ----------
    orders : DataFrame or path to a Parquet file or a folder of them
        Columns ``customer_id``, ``order_date`` (naive datetime), ``revenue`` and optionally
        ``refund_amount``. A path is read by DuckDB directly (fast on large logs); a folder's parts are its
        ``.parquet`` files (:func:`kit.data._parquet_folder.parquet_parts`).
    as_of : date-like
        End of the data used, exclusive: orders with ``order_date < as_of`` count (pass
        ``Period.end``, e.g. ``"2026-10-01"`` for data to the end of September).
    freq : {"D", "W", "M"}
        Time unit of ``recency``, ``T`` and (for ``"M"``) of the purchase occasions; see the
        :mod:`kit.models.clv` notes. Stored in ``result.attrs["time_unit"]``.
    calibration_end : date-like, optional
        Split for a calibration/holdout validation, exclusive like ``as_of``. Customers must
        have bought before it; the model columns describe the calibration period (``T`` to its
        last day); orders from ``calibration_end`` to before ``as_of`` give the holdout columns.

    Returns
    -------
    DataFrame
        One row per customer, sorted by ``customer_id``: ``customer_id``, ``frequency``
        (repeat purchase occasions = occasions - 1), ``recency`` (last - first occasion, in
        units; 0 when frequency is 0), ``T`` (last observed day - first occasion, in units),
        ``monetary_value`` (mean net value of the repeat occasions; 0 when frequency is 0),
        ``first_purchase``, ``last_purchase`` (calendar days, at midnight, of the first and last
        order before the cut-off); with ``calibration_end`` also ``frequency_holdout``
        (occasions in the holdout), ``monetary_value_holdout`` (their mean net value, 0 when
        none) and ``duration_holdout`` (``as_of - calibration_end`` in units). ``attrs``: ``time_unit``, ``as_of``,
        ``calibration_end``.

    Raises
    ------
    DataError
        A required column is missing, ``order_date`` is not naive datetimes, or
        ``calibration_end`` is not before ``as_of``.
    KitError
        Unknown time unit.

    Notes
    -----
    Definitions of Fader & Hardie and of ``lifetimes.utils.summary_data_from_transaction_data``
    (``freq="D"`` with ``freq_multiplier=7`` for weeks). The aggregation runs in DuckDB.

    Example
    -------
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-08"]),
    ...     "revenue": [10.0, 5.0, 20.0, 8.0]})
    >>> s = summarise_customers(orders, as_of="2024-01-30", freq="W")
    >>> s[["customer_id", "frequency", "recency", "T", "monetary_value"]].to_numpy().tolist()
    [['a', 1, 2.0, 4.0, 20.0], ['b', 0, 0.0, 3.0, 0.0]]
    """
    return _summarise(orders, as_of=as_of, freq=freq, calibration_end=calibration_end)


def _summarise(orders: pd.DataFrame | str | Path, *, as_of: str | pd.Timestamp, freq: TimeUnit = "W",
               calibration_end: str | pd.Timestamp | None = None, ids: pd.Index | None = None) -> pd.DataFrame:
    """:func:`summarise_customers`; with ``ids``, ``orders.customer_id`` holds integer codes into ``ids``.

    Codes must follow the sorted ids (``pd.factorize(..., sort=True)``), so that ordering by code
    is ordering by id; grouping integers is several times faster than grouping strings.
    """
    import duckdb

    _check_unit(freq)
    end = pd.Timestamp(as_of)
    cal = pd.Timestamp(calibration_end) if calibration_end is not None else None
    if cal is not None and cal >= end:
        raise DataError(f"calibration_end {cal} is not before as_of {end}",
                        expected="calibration_end < as_of", fix="choose an earlier calibration_end")
    cut = cal if cal is not None else end
    divisor = 7.0 if freq == "W" else 1.0  # for duration_holdout
    con = duckdb.connect()
    try:
        src, cols = _source_columns(orders, con)
        missing = [c for c in ("customer_id", "order_date", "revenue") if c not in cols]
        if missing:
            raise DataError(f"column(s) {', '.join(missing)} missing", file="orders",
                            expected="customer_id, order_date, revenue (refund_amount optional)",
                            fix="map your column names in analysis.yaml")
        if isinstance(orders, pd.DataFrame):
            _check_dates(orders["order_date"])
        net = "revenue - coalesce(refund_amount, 0)" if "refund_amount" in cols else "revenue"
        query = _summary_sql(src, net=net, freq=freq, end=end, cut=cut, holdout=cal is not None,
                             coded=ids is not None)
        out = con.execute(query).df()
    finally:
        con.close()
    if ids is not None:
        out["customer_id"] = pd.Series(ids.take(out["customer_id"].to_numpy(dtype="int64")), index=out.index,
                                       dtype="str")
    else:
        out["customer_id"] = out["customer_id"].astype("str")
    out["frequency"] = out["frequency"].astype("int64")
    out["recency"] = out["recency"].astype("float64")
    out["T"] = out["T"].astype("float64")
    out["monetary_value"] = out["monetary_value"].astype("float64")
    for col in ("first_purchase", "last_purchase"):
        out[col] = out[col].astype("datetime64[ns]")
    if cal is not None:
        out["frequency_holdout"] = out["frequency_holdout"].astype("int64")
        out["duration_holdout"] = (_code_of(_last_day(end), freq) - _code_of(_last_day(cal), freq)) / divisor
    out.attrs.update(time_unit=freq, as_of=end, calibration_end=cal)
    return out


_NS_PER_DAY = 86_400_000_000_000


def _summarise_sorted(codes: np.ndarray, dates: np.ndarray, net: np.ndarray, ids: pd.Index, *,
                      as_of: str | pd.Timestamp, freq: TimeUnit = "W") -> pd.DataFrame:
    """:func:`summarise_customers` (no holdout) from orders sorted by customer code then date, in numpy.

    ``codes`` are integer customer codes following the sorted ``ids``, ``dates`` naive
    datetime64[ns] sorted within each customer, ``net`` the net revenue of each order (no NaN).
    The same columns, order and definitions as the DuckDB query; sums are taken in date order.
    """
    _check_unit(freq)
    end = pd.Timestamp(as_of)
    keep = dates < end.to_datetime64()
    c, d, v = (codes, dates, net) if keep.all() else (codes[keep], dates[keep], net[keep])
    day = np.floor_divide(d.view("i8"), _NS_PER_DAY)  # = d.astype("M8[D]") as integers (both floor), faster
    p = day if freq != "M" else d.astype("M8[M]").astype(np.int64) + 1970 * 12
    new_occ = np.ones(len(c), dtype=bool)
    new_occ[1:] = (c[1:] != c[:-1]) | (p[1:] != p[:-1])
    occ = np.flatnonzero(new_occ)
    occ_net = np.add.reduceat(v, occ) if len(occ) else np.zeros(0)
    occ_c, occ_p = c[occ], p[occ]
    new_cust = np.ones(len(occ), dtype=bool)
    new_cust[1:] = occ_c[1:] != occ_c[:-1]
    cust = np.flatnonzero(new_cust)
    cust_last = np.append(cust[1:], len(occ)) - 1 if len(cust) else cust
    count = cust_last - cust + 1
    # the last row of each customer's last occasion: the row before the next customer's first occasion
    after = cust_last + 1
    last_rows = np.where(after < len(occ), occ[np.minimum(after, len(occ) - 1)], len(c)) - 1 if len(occ) else occ
    divisor = 7.0 if freq == "W" else 1.0
    first_p, last_p = occ_p[cust], occ_p[cust_last]
    total = np.add.reduceat(occ_net, cust) if len(cust) else np.zeros(0)
    repeat = count > 1
    monetary = np.where(repeat, (total - occ_net[cust]) / np.where(repeat, count - 1, 1), 0.0)
    out = pd.DataFrame({
        "customer_id": pd.Series(ids.take(occ_c[cust]), dtype="str"),
        "frequency": (count - 1).astype("int64"),
        "recency": (last_p - first_p) / divisor,
        "T": (_code_of(_last_day(end), freq) - first_p) / divisor,
        "monetary_value": monetary.astype("float64"),
        "first_purchase": day[occ[cust]].astype("M8[D]").astype("datetime64[ns]"),
        "last_purchase": day[last_rows].astype("M8[D]").astype("datetime64[ns]"),
    })
    out.attrs.update(time_unit=freq, as_of=end, calibration_end=None)
    return out
