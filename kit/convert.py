"""Converting a table read as text to the types of the data contract.

Each contract column is converted by its kind (:func:`column_kind`): ids to text,
dates to naive timestamps in the business time zone, money and scores to floats,
flags to booleans. Decimal marks and thousands separators are detected per column
unless configured. Dates are ISO, ``DD.MM.YYYY`` or the configured ``date_format`` and
never read month-first: ``01/02/2024`` is an error that says which format to set.
Problems are :class:`~kit.errors.DataError` s that name the file, the user's column,
the first offending rows (header = row 1) and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kit.errors import DataError
from kit.tables import TABLES, quality_row

__all__ = ["column_kind", "TableRead", "convert_columns"]

_ID_COLUMNS = frozenset({"customer_id", "order_id", "ticket_id", "response_id", "referrer_id", "referred_id"})
_NUMBER_COLUMNS = frozenset({"revenue", "refund_amount", "quantity", "nps", "csat", "ces", "rating"})
_FLAG_COLUMNS = frozenset({"returned", "is_complaint", "responded"})
_TRUE = ("true", "yes", "ja", "wahr", "1", "1.0", "x", "y", "j", "t")
_FALSE = ("false", "no", "nein", "falsch", "0", "0.0", "n", "f", "")
_SAMPLE_VALUES = 20_000

_ISO = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)? ?(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
_ISO_AWARE = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)? ?(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_GERMAN = r"^\d{1,2}\.\d{1,2}\.\d{4}(?:,? +\d{1,2}:\d{2}(?::\d{2})?)?$"
_SLASH = r"^\d{1,2}/\d{1,2}/\d{2,4}(?: .*)?$"


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


@dataclass
class TableRead:
    """A table read from one file, with what messages need to point into that file.

    Attributes
    ----------
    name : str
        Table of the data contract.
    frame : DataFrame
        The table (contract column names); :func:`convert_columns` converts it in place.
    file : str
        File name, for messages.
    first_row : int
        File row of the first data row.
    user_names : dict
        Contract column -> the user's column name.
    sep : str or None
        CSV separator (the fallback evidence for the decimal mark).
    notes : list of dict
        Quality-report rows noted while converting (:func:`kit.tables.quality_row`).
    """

    name: str
    frame: pd.DataFrame
    file: str
    first_row: int
    user_names: dict[str, str] = field(default_factory=dict)
    sep: str | None = None
    notes: list[dict[str, Any]] = field(default_factory=list)

    def label(self, column: str) -> str:
        return self.user_names.get(column, column)

    def rows(self, mask: pd.Series | np.ndarray) -> list[int]:
        return [int(i) + self.first_row for i in np.flatnonzero(np.asarray(mask))[:5]]

    def mapped(self, column: str) -> str:
        user = self.user_names.get(column)
        return f" (mapped to {column})" if user and user != column else ""

    def invalid(self, column: str, mask: pd.Series | np.ndarray, values: pd.Series, problem: str, *,
                expected: str, fix: str, after: str = "") -> DataError:
        """The DataError for the values of ``column`` where ``mask`` holds (first rows and values named)."""
        return DataError(f"{problem}{self.mapped(column)}{after}", file=self.file, column=self.label(column),
                         rows=self.rows(mask), values=values[mask].head(5).tolist(), expected=expected, fix=fix)



def _n(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"



def _present(values: pd.Series) -> pd.Series:
    return values.notna() & (values.astype("str").str.strip() != "")


def _convert_ids(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        out = pd.Series(pd.NA, index=values.index, dtype="str")
        present = values.notna()
        numbers = values[present]
        integral = bool((numbers % 1 == 0).all())
        out[present] = numbers.astype("int64").astype("str") if integral else numbers.astype("str")
        return out
    text = values.astype("str").str.strip()
    if text.str.contains(".", regex=False, na=False).any():
        text = text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return text.where(text != "", None).astype("str")


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


def _localise(parsed: pd.Series, timezone: str) -> pd.Series:
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_convert(timezone).dt.tz_localize(None)
    return parsed


def _slash_hint(values: pd.Series) -> tuple[str, str]:
    parts = values.str.extract(r"^(\d{1,2})/(\d{1,2})/")
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    if (first > 12).any() and not (second > 12).any():
        example = values[first > 12].iloc[0]
        return (f"the values suggest day first (DD/MM/YYYY, e.g. {example!r}), but the kit does not guess",
                "set date_format: '%d/%m/%Y' for this table in analysis.yaml")
    if (second > 12).any() and not (first > 12).any():
        example = values[second > 12].iloc[0]
        return (f"the values suggest month first (MM/DD/YYYY, e.g. {example!r}), but the kit does not guess",
                "set date_format: '%m/%d/%Y' for this table in analysis.yaml")
    return ("every value could be DD/MM/YYYY or MM/DD/YYYY",
            "set date_format ('%d/%m/%Y' or '%m/%d/%Y') for this table in analysis.yaml")


def _to_datetime(values: pd.Series, fmt: str) -> pd.Series:
    """``pd.to_datetime`` with ``fmt``; repeated values (dates without time) are parsed once."""
    aware = fmt == "ISO8601-aware" or "%z" in fmt
    fmt = fmt.removesuffix("-aware")
    if len(values) > 20_000 and values.iloc[:5_000].nunique() < 2_500:
        codes, uniques = pd.factorize(values)
        parsed = pd.to_datetime(pd.Series(uniques), format=fmt, errors="coerce", utc=aware)
        return pd.Series(parsed.take(codes).to_numpy(), index=values.index)
    return pd.to_datetime(values, format=fmt, errors="coerce", utc=aware)


def _parse_dates(values: pd.Series, *, fmt: str | None, timezone: str, where: TableRead, column: str) -> pd.Series:
    """Parse one date column; raise DataError for ambiguous, unparsable or out-of-range values."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _localise(values, timezone).astype("datetime64[ns]")
    text = values.astype("str").str.strip()
    todo = (text.notna() & (text != "")).to_numpy(dtype=bool, copy=True)
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    far = np.zeros(len(text), dtype=bool)

    def attempt(mask: np.ndarray, fmt_: str, source: pd.Series | None = None) -> None:
        """Parse the rows of ``mask`` with ``fmt_``; rows that parse are done."""
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        subset = (text if source is None else source).iloc[positions]
        parsed = _localise(_to_datetime(subset, fmt_), timezone)
        ok = parsed.notna().to_numpy()
        stamps = parsed[ok]
        inside = ((stamps >= pd.Timestamp.min) & (stamps <= pd.Timestamp.max)).to_numpy()
        done = positions[ok]
        out[done[inside]] = stamps[inside].astype("datetime64[ns]").to_numpy()
        far[done[~inside]] = True
        todo[done] = False

    if fmt:
        for f in [fmt] if "%H" in fmt else [fmt, fmt + " %H:%M:%S", fmt + " %H:%M"]:
            attempt(todo, f)
    if todo.any():  # ISO is never ambiguous, so it is always accepted
        iso = todo & text.str.match(_ISO, na=False).to_numpy()
        if iso.any():
            aware = iso & text.str.contains(_ISO_AWARE, na=False, regex=True).to_numpy()
            attempt(aware, "ISO8601-aware")
            attempt(iso & ~aware, "ISO8601")
    if todo.any() and not fmt:
        german = todo & text.str.match(_GERMAN, na=False).to_numpy()
        if german.any():
            clean = text.str.replace(",", "", regex=False)
            for f in ("%d.%m.%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M"):
                attempt(todo & german, f, clean)
        slash = todo & text.str.match(_SLASH, na=False).to_numpy()
        if slash.any():
            problem, fix = _slash_hint(text[slash])
            n = int(slash.sum())
            raise where.invalid(
                column, slash, text,
                f"{_n(n, 'date like', 'dates like')} {text[slash].iloc[0]!r} {'is' if n == 1 else 'are'} "
                f"ambiguous: {problem}", expected="DD.MM.YYYY or ISO dates (YYYY-MM-DD)", fix=fix)
    if far.any():
        raise where.invalid(
            column, far, text,
            f"{_n(int(far.sum()), 'date lies', 'dates lie')} outside the years 1678-2261 that can be computed with",
            after=" (placeholders such as 31.12.9999 for 'no date'?)",
            expected="real dates, or empty cells where there is no date",
            fix="replace the placeholder dates by empty cells in the export")
    if todo.any():
        expected = f"dates like {fmt!r} or ISO" if fmt else "DD.MM.YYYY or ISO dates"
        # written like a date but no such day (31.02.2024): the value is wrong, not the format setting
        if _impossible_dates(text[todo]).all():
            raise where.invalid(
                column, todo, text, _n(int(todo.sum()), "value is not a calendar date", "values are not calendar dates"),
                after=" (written like a date, but that day does not exist)", expected="days that exist in the calendar",
                fix="correct the value in the export (or leave the cell empty)")
        raise where.invalid(column, todo, text, _n(int(todo.sum()), "value is not a date", "values are not dates"),
                            expected=expected, fix="correct the values in the export, or set date_format in "
                            "analysis.yaml if the dates are written another way")
    return pd.Series(out, index=text.index)


def _impossible_dates(text: pd.Series) -> np.ndarray:
    """Which values are written like a DD.MM.YYYY or ISO date but name a day that does not exist (31.02.2024)."""
    day_first = text.str.extract(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})")
    iso = text.str.extract(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
    parts = pd.DataFrame({"year": day_first[2].fillna(iso[0]), "month": day_first[1].fillna(iso[1]),
                          "day": day_first[0].fillna(iso[2])})
    shaped = parts.notna().all(axis=1).to_numpy()
    if not shaped.any():
        return shaped
    exists = pd.to_datetime(parts[shaped].astype("int64"), errors="coerce").notna().to_numpy()
    out = shaped.copy()
    out[shaped] = ~exists
    return out


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
