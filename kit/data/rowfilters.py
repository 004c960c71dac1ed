"""Row filters (``where:``) and constant columns (``constants:``) of a table, applied while it is read.

A filter runs on the file's cells as text, before any conversion, so test customers or another
country's rows can be left out even when their values would not pass the checks. A constant column
gives every row the same value (``channel: online`` for a shop that exports no channel).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kit.data.contract import quality_row
from kit.errors import DataError

if TYPE_CHECKING:
    from kit.data.config import RowFilter

__all__ = ["filter_rows", "add_constants"]


def _as_text(values: pd.Series) -> pd.Series:
    """Cells as the user sees them: whole numbers without '.0', missing as NaN."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        whole = values.dropna() % 1 == 0
        if whole.all():
            return values.map(lambda v: np.nan if pd.isna(v) else str(int(v)))
    return values.map(lambda v: np.nan if pd.isna(v) else str(v).strip())


def _keep(text: pd.Series, op: str, value: Any) -> pd.Series:
    filled = text.notna()
    if op == "blank":
        return ~filled if value else filled
    cell = text.fillna("")
    if op == "equals":
        return cell == value
    if op == "not_equals":
        return cell != value
    if op == "in":
        return cell.isin(value)
    if op == "not_in":
        return ~cell.isin(value)
    if op == "contains":
        return cell.str.contains(value, regex=False)
    if op == "not_contains":
        return ~cell.str.contains(value, regex=False)
    if op == "starts_with":
        return cell.str.startswith(value)
    return ~cell.str.startswith(value)  # not_starts_with


def filter_rows(frame: pd.DataFrame, conditions: tuple[RowFilter, ...], *, table: str, file: str,
                columns: Mapping[str, str]) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Keep the rows that meet every condition; one quality-report row per condition.

    Parameters
    ----------
    frame : DataFrame
        The table as read (the file's column names, cells as text or as the file types them).
    conditions : tuple of RowFilter
        ``data.tables.<table>.where``.
    table, file : str
        For messages.
    columns : mapping
        The table's mapping (file column -> contract column): a condition may name either.

    Returns
    -------
    frame : DataFrame
        The rows kept (index unchanged, so row numbers in later messages still point into the file).
    rows : list of dict
        Quality-report rows ``rows left out by where`` (info, count = rows left out).

    Raises
    ------
    DataError
        A condition names a column that is neither in the file nor mapped.

    Examples
    --------
    >>> from kit.data.config import RowFilter
    >>> frame = pd.DataFrame({"Kunde": ["K1", "TEST-1", "K2"], "Umsatz": ["5", "1", "7"]})
    >>> kept, rows = filter_rows(frame, (RowFilter(column="customer_id", not_starts_with="TEST"),),
    ...                          table="orders", file="o.csv", columns={"Kunde": "customer_id"})
    >>> kept["Kunde"].tolist(), rows[0]["count"], rows[0]["example"]
    (['K1', 'K2'], 1, "Kunde not_starts_with 'TEST': 1 of 3 rows left out")
    """
    out: list[dict[str, Any]] = []
    contract_to_file = {contract: user for user, contract in columns.items()}
    for condition in conditions:
        column = condition.column if condition.column in frame else contract_to_file.get(condition.column)
        if column is None or column not in frame:
            raise DataError(f"the where condition names column {condition.column!r}, which is neither in the file "
                            f"nor mapped; columns found: {', '.join(map(repr, list(frame.columns)[:30]))}",
                            file=file, column=condition.column, expected="a column of the file",
                            fix=f"correct data.tables.{table}.where in analysis.yaml")
        op, value = condition.operator
        keep = _keep(_as_text(frame[column]), op, value).to_numpy(dtype=bool)
        shown = repr(value) if not isinstance(value, tuple) else "[" + ", ".join(map(repr, value)) + "]"
        out.append(quality_row(table, "where", "info", int((~keep).sum()), example_key="ex_where",
                               params={"condition": f"{column} {op} {shown}", "left_out": int((~keep).sum()),
                                       "n": len(keep)}))
        frame = frame[keep]
    return frame, out


def add_constants(frame: pd.DataFrame, constants: Mapping[str, Any], *, table: str, file: str) -> pd.DataFrame:
    """Add a column per constant (the same value in every row), named as in the contract.

    Raises
    ------
    DataError
        A constant names a column the table already has.

    Examples
    --------
    >>> add_constants(pd.DataFrame({"order_id": ["A"]}), {"channel": "online"}, table="orders",
    ...               file="o.csv").to_dict("records")
    [{'order_id': 'A', 'channel': 'online'}]
    """
    clash = [c for c in constants if c in frame]
    if clash:
        raise DataError(f"constant column {clash[0]!r} is also a column of the file (or mapped onto it)",
                        file=file, column=clash[0], expected="constants only for columns the export lacks",
                        fix=f"remove {clash[0]!r} from data.tables.{table}.constants or from the mapping")
    text = {name: ("true" if v is True else "false" if v is False else str(v)) for name, v in constants.items()}
    return frame.assign(**text) if text else frame
