"""The column rules of the data contract as pandera checks, and a check's row in the quality report.

Each rule pairs a pandera check with its text (key and parameters of
:data:`kit.data.check_texts.CHECK_TEXTS`), what was expected and how to fix it;
:func:`table_schema` builds a table's schema from them. Used by :mod:`kit.data.schema`
(which re-exports :func:`table_schema`) and :mod:`kit.data._schema_relations`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd
import pandera.pandas as pa

from kit.data.check_texts import check_text
from kit.data.contract import TABLES, quality_row
from kit.data.convert import column_kind

__all__ = ["table_schema"]

_FIX_VALUES = "correct the values in the export or remove the rows"


@dataclass(frozen=True)
class _Rule:
    """One column check: the pandera check, its text (key and parameters), what was expected and how to fix it."""

    check: pa.Check
    key: str
    params: dict[str, Any]
    problem: str
    expected: str
    fix: str = _FIX_VALUES


def _rule(make: Callable[..., pa.Check], key: str, params: dict[str, Any], problem: str, expected: str,
          fix: str = _FIX_VALUES) -> _Rule:
    """A rule whose pandera check is named by its English text (:data:`kit.data.check_texts.CHECK_TEXTS`)."""
    return _Rule(make(name=check_text(key, "en", params)), key, params, problem, expected, fix)


def _rules(name: str, columns: list[str], frame: pd.DataFrame, ces_scale: tuple[int, int]) -> dict[str, list[_Rule]]:
    low, high = ces_scale
    rules: dict[str, list[_Rule]] = {
        "nps": [_rule(partial(pa.Check.in_range, 0, 10), "range", {"column": "nps", "low": 0, "high": 10},
                      "outside 0-10", "NPS answers 0 to 10"),
                _rule(partial(pa.Check, lambda s: s % 1 == 0), "integer", {"column": "nps"}, "with decimals",
                      "whole NPS answers 0, 1, ..., 10")],
        "csat": [_rule(partial(pa.Check.in_range, 1, 5), "range", {"column": "csat", "low": 1, "high": 5},
                       "outside 1-5", "CSAT answers 1 to 5")],
        "rating": [_rule(partial(pa.Check.in_range, 1, 5), "range", {"column": "rating", "low": 1, "high": 5},
                         "outside 1-5", "star ratings 1 to 5")],
        "ces": [_rule(partial(pa.Check.in_range, low, high), "range", {"column": "ces", "low": low, "high": high},
                      f"outside {low}-{high}", f"CES answers {low} to {high} (thresholds.ces_scale)",
                      "correct the values or set thresholds.ces_scale in analysis.yaml")],
        "revenue": [_rule(partial(pa.Check.ge, 0), "non_negative", {"column": "revenue"}, "below 0",
                          "revenue of 0 or more", "export gross revenue; put refunds in refund_amount")],
        "refund_amount": [_rule(partial(pa.Check.ge, 0), "non_negative", {"column": "refund_amount"}, "below 0",
                                "refunds of 0 or more (as positive amounts)")],
        "quantity": [_rule(partial(pa.Check.gt, 0), "positive", {"column": "quantity"}, "at or below 0",
                           "quantities above 0")],
    }
    for col in columns:
        if col.startswith("driver_"):
            rules[col] = [_rule(partial(pa.Check.in_range, 0, 10), "driver_range", {"column": col},
                                "outside both driver scales 1-5 and 0-10", "driver ratings on 1-5 or 0-10")]
    key = TABLES[name].key
    out = {col: rules[col] for col in columns if col in rules}
    if key and key in columns:
        out.setdefault(key, [])
    return out


def table_schema(name: str, columns: list[str], *, ces_scale: tuple[int, int] = (1, 7),
                 unique: bool = True) -> pa.DataFrameSchema:
    """The pandera schema of one tidy table (only for the columns present).

    Parameters
    ----------
    name : str
        Table of the data contract.
    columns : list of str
        Columns present in the table.
    ces_scale : tuple of int
        Lowest and highest CES answer.
    unique : bool
        Check the table's key for uniqueness (:func:`check_table` does it itself).

    Returns
    -------
    pandera DataFrameSchema

    Examples
    --------
    >>> schema = table_schema("surveys", ["responded_at", "nps"])
    >>> sorted(schema.columns)
    ['nps', 'responded_at']
    """
    dtypes = {"id": None, "date": "datetime64[ns]", "number": "float64", "flag": "bool", "text": None}
    rules = _rules(name, columns, pd.DataFrame(), ces_scale)
    key = TABLES[name].key
    schema_columns = {
        col: pa.Column(dtypes[column_kind(col, name)], checks=[r.check for r in rules.get(col, [])],
                       nullable=True, unique=unique and col == key, required=col in TABLES[name].required, name=col)
        for col in columns
    }
    return pa.DataFrameSchema(schema_columns, strict=False)


def _row(table: str, check_key: str, severity: str, count: int, *, params: dict[str, Any] | None = None,
         example_key: str = "", example: str = "") -> dict[str, Any]:
    """A check's row: its severity and example only when it found something (else ``info``, no example)."""
    found = bool(count)
    return quality_row(table, check_key, severity if found else "info", count, params=params,
                       example_key=example_key if found else "", example=example if found else "")
