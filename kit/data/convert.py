"""Converting a table read as text to the types of the data contract.

Each contract column is converted by its kind (:func:`column_kind`): ids to text,
dates to naive timestamps in the business time zone, money and scores to floats,
flags to booleans. Decimal marks and thousands separators are detected per column
unless configured. Dates are ISO, ``DD.MM.YYYY`` or the configured ``date_format`` and
never read month-first: ``01/02/2024`` is an error that says which format to set.
Problems are :class:`~kit.errors.DataError` s that name the file, the user's column,
the first offending rows (header = row 1) and what was expected.

This module maps each column to its kind and converts ids and flags; dates are parsed in
:mod:`kit.data._convert_dates`, numbers in :mod:`kit.data._convert_numbers`, and :class:`TableRead`
(re-exported here) lives in :mod:`kit.data._table_read`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from kit.data._arrow_text import any_byte
from kit.data._convert_dates import _parse_dates
from kit.data._convert_numbers import _convert_number, _decimal_evidence
from kit.data._table_read import TableRead, _n
from kit.data.contract import TABLES
from kit.errors import DataError

__all__ = ["column_kind", "TableRead", "convert_columns"]

_ID_COLUMNS = frozenset({"customer_id", "order_id", "ticket_id", "response_id", "referrer_id", "referred_id"})
_NUMBER_COLUMNS = frozenset({"revenue", "refund_amount", "quantity", "unit_price", "nps", "csat", "ces", "rating",
                             "amount", "tenure_months"})
_FLAG_COLUMNS = frozenset({"returned", "is_complaint", "responded"})
_TRUE = ("true", "yes", "ja", "wahr", "1", "1.0", "x", "y", "j", "t")
_FALSE = ("false", "no", "nein", "falsch", "0", "0.0", "n", "f", "")


def column_kind(name: str, table: str) -> str:
    """The kind of a contract column: ``id``, ``date``, ``number``, ``flag`` or ``text``.

    Parameters
    ----------
    name : str
        Canonical column name.
    table : str
        Table of the data contract.

    Returns
    -------
    str

    Examples
    --------
    >>> column_kind("order_date", "orders"), column_kind("driver_price", "surveys")
    ('date', 'number')
    """
    if name in _ID_COLUMNS:
        return "id"
    if name in TABLES[table].dates:
        return "date"
    if name in _NUMBER_COLUMNS or any(name.startswith(p) for p in TABLES[table].prefixes):
        return "number"
    if name in _FLAG_COLUMNS:
        return "flag"
    return "text"


def _convert_ids(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        out = pd.Series(pd.NA, index=values.index, dtype="str")
        present = values.notna()
        numbers = values[present]
        integral = bool((numbers % 1 == 0).all())
        out[present] = numbers.astype("int64").astype("str") if integral else numbers.astype("str")
        return out
    text = values.astype("str")
    if any_byte(text, lambda b: (b <= 0x20) | (b >= 0x80)):   # a space, a control or a non-ASCII character
        text = text.str.strip()
    if any_byte(text, lambda b: b == ord(".")) and text.str.contains(".", regex=False, na=False).any():
        text = text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    empty = (text == "").to_numpy(dtype=bool, na_value=False)
    return (text.where(~empty, None) if empty.any() else text).astype("str")


def _convert_flags(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.fillna(False).astype(bool), pd.Series(False, index=values.index)
    if pd.api.types.is_numeric_dtype(values.dtype):
        bad = values.notna() & ~values.isin([0, 1])
        return values.fillna(0).eq(1), bad
    low = values.astype("str").str.strip().str.lower()
    true = low.isin(_TRUE)
    false = low.isin(_FALSE) | low.isna()
    return true.astype(bool), ~(true | false)


def convert_columns(read: TableRead, fmt: str | None, timezone: str, numbers: dict[str, str | None],
                    on_error: Callable[[DataError], None] | None) -> None:
    """Convert every contract column of ``read.frame`` in place, by :func:`column_kind`.

    Parameters
    ----------
    read : TableRead
        The table with contract column names, cells as text (or typed, from Parquet/Excel).
    fmt : str or None
        ``date_format`` (strptime); None accepts ISO and ``DD.MM.YYYY`` only.
    timezone : str
        Business time zone; aware timestamps are converted to it and made naive.
    numbers : dict
        ``decimal`` and ``thousands`` marks; None detects them per column.
    on_error : callable or None
        Receives the DataError of a column that cannot be converted (the column becomes
        empty); None raises it.

    Raises
    ------
    DataError
        Values that are not ids, dates, numbers or flags; ambiguous day-month dates;
        a column mixing decimal commas and points (only when ``on_error`` is None).

    Examples
    --------
    >>> frame = pd.DataFrame({"order_id": ["7"], "order_date": ["31.01.2024"], "revenue": ["1.234,50"]})
    >>> read = TableRead(name="orders", frame=frame, file="orders.csv", first_row=2, sep=";")
    >>> convert_columns(read, None, "Europe/Berlin", {"decimal": None, "thousands": None}, None)
    >>> read.frame.to_dict("records")
    [{'order_id': '7', 'order_date': Timestamp('2024-01-31 00:00:00'), 'revenue': 1234.5}]
    """
    frame = read.frame
    sep_hint = "," if read.sep == ";" else "."
    evidence: dict[str, set[str]] = {}
    number_columns = [c for c in frame.columns if column_kind(c, read.name) == "number"]
    for col in number_columns:
        if not pd.api.types.is_numeric_dtype(frame[col].dtype):
            evidence[col] = _decimal_evidence(frame[col].astype("str"))
    file_evidence = set().union(*evidence.values()) if evidence else set()
    for col in list(frame.columns):
        kind = column_kind(col, read.name)
        values = frame[col]
        try:
            if kind == "id":
                frame[col] = _convert_ids(values)
            elif kind == "date":
                frame[col] = _parse_dates(values, fmt=fmt, timezone=timezone, where=read, column=col)
            elif kind == "number":
                frame[col] = _convert_number(read, col, values, numbers, evidence.get(col, set()),
                                             file_evidence, sep_hint)
            elif kind == "flag":
                flags, bad = _convert_flags(values)
                if bad.any():
                    raise read.invalid(
                        col, bad, values,
                        _n(int(bad.sum()), "value is not a yes/no flag", "values are not yes/no flags"),
                        expected="true/false, yes/no, ja/nein, wahr/falsch, 1/0 or x/empty",
                        fix="recode the column in the export")
                frame[col] = flags
            elif not isinstance(values.dtype, pd.StringDtype) and values.dtype == object:
                frame[col] = values.astype("str")
        except DataError as exc:
            if on_error is None:
                raise
            on_error(exc)
            empty = {"number": (np.nan, "float64"), "date": (pd.NaT, "datetime64[ns]"),
                     "flag": (False, "bool")}.get(kind, (pd.NA, "str"))
            frame[col] = pd.Series(empty[0], index=frame.index, dtype=empty[1])
    if "refund_amount" in frame and read.name == "orders":
        frame["refund_amount"] = frame["refund_amount"].fillna(0.0)
