"""Converting a number column: the decimal mark and thousands separator, configured or detected.

The decimal mark is detected per column from its values ('12,50', '1.234,5'), else from the
other number columns of the file, else from the CSV separator; a guess that rests on the
separator alone is noted in the quality report. Values that are not numbers raise a
:class:`~kit.errors.DataError`. Used by :mod:`kit.data.convert`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kit.data._table_read import TableRead, _n
from kit.data.contract import quality_row
from kit.errors import DataError

__all__: list[str] = []

_SAMPLE_VALUES = 20_000


def _present(values: pd.Series) -> pd.Series:
    return values.notna() & (values.astype("str").str.strip() != "")


def _decimal_evidence(values: pd.Series) -> set[str]:
    """Which decimal marks the values prove: ',' for '12,50' or '1.234,5', '.' for '12.50' or '1,234.5'."""
    sample = values.head(_SAMPLE_VALUES)
    found: set[str] = set()
    comma = sample.str.contains(",", regex=False, na=False)
    dot = sample.str.contains(".", regex=False, na=False)
    both = comma & dot
    if both.any():
        last_comma = sample[both].str.rfind(",")
        last_dot = sample[both].str.rfind(".")
        if (last_comma > last_dot).any():
            found.add(",")
        if (last_dot > last_comma).any():
            found.add(".")
    for mark, other, alone in ((",", ".", comma & ~dot), (".", ",", dot & ~comma)):
        only = sample[alone]
        if len(only):
            escaped = re.escape(mark)
            grouped = only.str.fullmatch(rf"[+-]?\d{{1,3}}(?:{escaped}\d{{3}})+", na=False)
            if (~grouped).any():  # '12,50': not groups of three, so the mark is decimal
                found.add(mark)
            if only.str.count(escaped).gt(1).any():  # '1.234.567': repeated, so it groups thousands
                found.add(other)
    return found


def _to_number(values: pd.Series, decimal: str, thousands: str | None) -> pd.Series:
    text = values.str.strip()
    if thousands:
        has = text.str.contains(thousands, regex=False, na=False)
        if has.any():
            t, d = (r"\.", r"\,") if thousands == "." else (r"\,", r"\.")
            grouped = text.str.fullmatch(rf"[+-]?\d{{1,3}}(?:{t}\d{{3}})+(?:{d}\d*)?", na=False)
            # a thousands mark outside proper groups of three ('12.5' in a decimal-comma column)
            # is not silently dropped: the value becomes invalid and is reported
            text = text.mask(has & grouped, text.str.replace(thousands, "", regex=False))
            text = text.mask(has & ~grouped, "invalid")
    if decimal != ".":
        text = text.str.replace(decimal, ".", regex=False)
    import pyarrow as pa

    try:  # Arrow's cast is ~10x faster; it refuses the whole column on one bad value
        return pd.Series(pa.compute.cast(pa.array(text, from_pandas=True), pa.float64()).to_numpy(
            zero_copy_only=False), index=text.index, dtype="float64")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return pd.to_numeric(text, errors="coerce").astype("float64")


def _convert_number(read: TableRead, col: str, values: pd.Series, numbers: dict[str, str | None],
                    evidence: set[str], file_evidence: set[str], sep_hint: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64")
    text = values.astype("str")
    decimal = numbers["decimal"]
    if decimal is None:
        if len(evidence) > 1:
            both = text[text.str.contains(",", regex=False, na=False)].head(2).tolist() + \
                text[text.str.contains(".", regex=False, na=False)].head(2).tolist()
            raise DataError(f"the column mixes decimal commas and decimal points{read.mapped(col)} "
                            f"(e.g. {', '.join(map(repr, both))})", file=read.file, column=read.label(col),
                            expected="one decimal mark per column",
                            fix="set csv: {decimal: ',' or '.'} for this table in analysis.yaml")
        if evidence:
            decimal = next(iter(evidence))
        elif len(file_evidence) == 1:
            decimal = next(iter(file_evidence))
        else:
            decimal = sep_hint
    guessed = numbers["decimal"] is None and not evidence and len(file_evidence) != 1
    thousands = numbers["thousands"]
    if thousands is None:
        thousands = "." if decimal == "," else ","
    converted = _to_number(text, decimal, thousands)
    if guessed:
        _note_ambiguous(read, col, text, converted, decimal)
    missing = converted.isna()
    bad = missing & _present(values) if missing.any() else missing
    if bad.any():
        mark = "decimal comma" if decimal == "," else "decimal point"
        raise read.invalid(col, bad, values, _n(int(bad.sum()), "value is not a number", "values are not numbers"),
                           expected=f"numbers with a {mark} (detected for this column)",
                           fix="clean the values or set csv: {decimal: ..., thousands: ...} in analysis.yaml")
    return converted


def _note_ambiguous(read: TableRead, col: str, text: pd.Series, converted: pd.Series, decimal: str) -> None:
    """Record values like '1.234' whose reading rests on the separator alone (a quality-report warning)."""
    grouped = text.str.fullmatch(r"[+-]?\d{1,3}(?:(?:\.\d{3})+|(?:,\d{3})+)", na=False)
    count = int(grouped.sum())
    if not count:
        return
    first = int(np.flatnonzero(grouped.to_numpy())[0])
    basis = {"key": "basis_separator", "params": {"sep": read.sep}} if read.sep else {"key": "basis_file_type"}
    read.notes.append(quality_row(
        read.name, "decimal_mark", "warning", count, example_key="ex_decimal_mark",
        params={"column": col, "label": read.label(col), "text": str(text.iloc[first]),
                "value": float(converted.iloc[first]),
                "mark": {"key": "decimal_comma" if decimal == "," else "decimal_point"}, "basis": basis}))
