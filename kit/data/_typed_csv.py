"""Typed reading of a large UTF-8 CSV with Arrow's parser, the text path's own conversions on the distinct values.

The text path reads every cell as text with Arrow's multithreaded CSV parser, then
:func:`kit.data.convert.convert_columns` converts column by column in pandas. Here the same parser, with the same
options, converts what it can while it splits the lines, and nothing it reads differently:

- dates and flags are read *dictionary-encoded* (each distinct text once, and a code per row); the text path's own
  functions (:func:`kit.data._convert_dates._parse_dates`, :func:`kit.data.convert._convert_flags`) convert the
  distinct texts, and the codes pick the results. These functions convert each value on its own, so the result is
  the text path's, for every format the text path reads (a few thousand distinct dates in 10M rows cost next to
  nothing). A column with many distinct dates in its first rows (timestamps) is read as text.
- numbers are parsed by the reader (``decimal_point`` set to the column's decimal mark), which reads what Arrow's
  cast reads in the text path once the value is stripped and its decimal mark made a point. The reader refuses a
  thousands mark, ``1_000``, spaces inside and anything else not a number; the text path has its own rules for
  those, so such a value, or one that is not finite (``NAN``, ``inf``), makes every number column be read again as
  text (the decimal mark of one may rest on the others' values). A column of whole numbers is parsed with the
  others' mark, which the text path also takes for a column without a mark of its own. When no number column shows
  a decimal mark in the first rows, the numbers are read as text and kept only when every value is a whole number
  Arrow's integer cast accepts (so ``1.234`` keeps the text path's decimal-mark guess and its quality-report note).
- ids and other text arrive as text (Arrow's ``large_string``, what pandas' ``str`` dtype holds) and are converted
  as before.
- the file is split into blocks of :data:`BLOCK_BYTES`; a file without any double quote is split at every line
  break, which is quicker than looking for line breaks inside quoted values (Arrow's ``newlines_in_values``).

A date or flag column whose distinct values fail arrives as its text (the dictionary decoded: no second read), so the
text path converts it and its message names the same rows and values. ``tests/test_typed_csv.py`` reads the
fixtures, the sample and some 90 odd values both ways.

Why not DuckDB (the reader of this module until issue 17's second round): DuckDB's typed CSV reading accepts values
the text path refuses (``1_000``, ``01.02.24``), so it had to read the dates, numbers and flags as text and check
each value's shape with a regular expression in SQL; on the 10M-row benchmark file that query alone took 9.5 s of
the 17 s ``read_data`` (cProfile), where Arrow's parser with dictionary-encoded dates and flags and parsed numbers
takes 3-5 s of CPU, and the whole ``read_data`` about 1.1-1.3x the CPU time of DuckDB's plain ``read_csv`` of the
file (``benchmarks/README.md``).

Used by :mod:`kit.data.rawtables` for UTF-8 files of :data:`TYPED_MIN_BYTES` or more (not for a
table with ``where`` conditions, which work on the text).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kit.data._convert_dates import _parse_dates
from kit.data._convert_numbers import _SAMPLE_VALUES, _decimal_evidence
from kit.data._table_read import TableRead
from kit.errors import DataError

__all__ = ["TYPED_MIN_BYTES", "BLOCK_BYTES", "ColumnPlan", "plan_columns", "read_typed", "sample_frame",
           "typed_min_bytes"]

TYPED_MIN_BYTES = 8 * 2**20
"""Files from this size on are read typed (smaller ones are read as text: that is fast enough)."""

BLOCK_BYTES = 16 * 2**20
"""Arrow's CSV block size for large files (its default of 1 MiB makes 640 chunks of a 670 MB file, and each block
costs: 16 MiB blocks read the benchmark file in about two thirds of the CPU time)."""

_DISTINCT_DATES = 1000
"""A date column is read dictionary-encoded when its first rows hold at most this many distinct values, or at most
one per two rows (dates repeat; timestamps to the second mostly do not)."""


def typed_min_bytes() -> int:
    """:data:`TYPED_MIN_BYTES`, looked up at each read (tests set it to 0 to read every fixture typed)."""
    return TYPED_MIN_BYTES


@dataclass(frozen=True)
class ColumnPlan:
    """How one column is read: ``text`` (as text), ``date`` or ``flag`` (dictionary-encoded, converted by the text
    path's function on the distinct values) or ``number`` (with its decimal mark, or None for whole numbers)."""

    kind: str
    decimal: str | None = None

    def pattern(self) -> str:
        """The regular expression that every sampled value of a typed number column matches."""
        return "[+-]?[0-9]+" + (f"(?:{re.escape(self.decimal)}[0-9]+)?" if self.decimal else "")


def plan_columns(sample: pd.DataFrame, kinds: dict[str, str], *, decimal: str | None) -> dict[str, ColumnPlan] | None:
    """The plan of every column from the file's first rows, or None when nothing is worth reading typed.

    Parameters
    ----------
    sample : DataFrame
        The first rows of the file as text (the user's column names).
    kinds : dict
        User column -> kind of its contract column (:func:`kit.data.convert.column_kind`); absent = text.
    decimal : str or None
        The configured decimal mark (None = detected per column, as the text path does).

    Returns
    -------
    dict or None
        Numbers are typed all together or not at all, and only with one decimal mark (the reader has one).

    Examples
    --------
    >>> s = pd.DataFrame({"Datum": ["31.01.2024"], "Umsatz": ["12,50"], "Menge": ["3"], "Nr": ["A1"]})
    >>> plan = plan_columns(s, {"Datum": "date", "Umsatz": "number", "Menge": "number", "Nr": "id"}, decimal=None)
    >>> plan["Datum"].kind, plan["Umsatz"].decimal, plan["Menge"].decimal, plan["Nr"].kind
    ('date', ',', None, 'text')
    """
    plan: dict[str, ColumnPlan] = {}
    head = sample.head(_SAMPLE_VALUES)
    numbers_typed = True
    for col in sample.columns:
        kind = kinds.get(col, "text")
        values = head[col].dropna()
        if kind == "date":
            distinct = values.nunique()
            plan[col] = ColumnPlan("date") if distinct <= max(_DISTINCT_DATES, len(values) // 2) else ColumnPlan("text")
        elif kind == "number":
            mark = decimal
            if mark is None:
                evidence = _decimal_evidence(head[col].astype("str"))
                mark = next(iter(evidence)) if len(evidence) == 1 else None
                if len(evidence) > 1:
                    numbers_typed = False
            column = ColumnPlan("number", decimal=mark)
            if not (len(values) and values.str.fullmatch(column.pattern()).all()):
                numbers_typed = False
            plan[col] = column
        elif kind == "flag":
            plan[col] = ColumnPlan("flag")
        else:
            plan[col] = ColumnPlan("text")
    if len({p.decimal for p in plan.values() if p.kind == "number" and p.decimal}) > 1:
        numbers_typed = False
    if not numbers_typed:
        plan = {c: ColumnPlan("text") if p.kind == "number" else p for c, p in plan.items()}
    return plan if any(p.kind != "text" for p in plan.values()) else None


def _arrow_type(plan: ColumnPlan, parsed: bool) -> object:
    """The Arrow type a column is read as (``parsed``: the numbers are parsed by the reader)."""
    import pyarrow as pa

    if plan.kind in ("date", "flag"):
        return pa.dictionary(pa.int32(), pa.string())
    if plan.kind == "number":
        return pa.float64() if parsed else pa.string()
    return pa.large_string()


def _has_quotes(path: Path) -> bool:
    """True when the file holds a double quote anywhere (one search of the mapped file: about 0.1 s for 670 MB)."""
    import mmap

    with Path(path).open("rb") as fh:
        if not Path(path).stat().st_size:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return mapped.find(b'"') != -1


def _read_arrow(path: Path, sep: str, skip: int, header: list[str], types: list[object],
                na_tokens: tuple[str, ...], decimal: str, quoted: bool) -> object:
    """Arrow's CSV reader with the text path's options (:func:`kit.data.rawtables._read_csv_arrow`), one type per
    column of the header. ``quoted``: the file holds a double quote, so a value may hold a line break; without one
    every line break ends a row, and Arrow splits the file into blocks faster (a third less CPU time)."""
    import pyarrow.csv as pa_csv

    return pa_csv.read_csv(
        path, read_options=pa_csv.ReadOptions(encoding="utf-8", skip_rows=skip, block_size=BLOCK_BYTES),
        parse_options=pa_csv.ParseOptions(delimiter=sep, newlines_in_values=quoted),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict(zip(header, types, strict=True)), null_values=list(na_tokens),
            strings_can_be_null=True, quoted_strings_can_be_null=True, decimal_point=decimal))


def _text(column: object) -> pd.Series:
    """An Arrow text column as pandas' ``str`` dtype (Arrow-backed, as the text path gives it)."""
    import pyarrow as pa

    text = pd.StringDtype("pyarrow", na_value=np.nan)
    if column.type != pa.large_string():
        column = column.cast(pa.large_string())
    return column.to_pandas(types_mapper={pa.large_string(): text}.get)


def _by_codes(column: object, convert: Callable[[pd.Series], np.ndarray | None], missing: object) -> np.ndarray | None:
    """A dictionary-encoded column converted through its distinct texts: ``convert(distinct)`` returns one value
    for each (a numpy array), or None when any fails; rows without a value get ``missing``."""
    import pyarrow.compute as pc

    if not column.num_chunks:
        return None
    unified = column.unify_dictionaries()
    converted = convert(_text(unified.chunk(0).dictionary))
    if converted is None:
        return None
    lookup = np.concatenate([converted, np.asarray([missing], dtype=converted.dtype)])
    out = np.empty(len(column), dtype=lookup.dtype)
    start = 0
    for chunk in unified.chunks:
        codes = (pc.fill_null(chunk.indices, -1) if chunk.null_count else chunk.indices).to_numpy()
        np.take(lookup, codes, out=out[start:start + len(codes)])   # the code -1 (no value) picks ``missing``
        start += len(codes)
    return out


def _dates(fmt: str | None, timezone: str, name: str) -> Callable[[pd.Series], np.ndarray | None]:
    """The converter of a date column's distinct texts: the text path's :func:`_parse_dates`, None if it fails."""
    def convert(distinct: pd.Series) -> np.ndarray | None:
        where = TableRead(name="", frame=distinct.to_frame(), file="", first_row=0)
        try:
            return _parse_dates(distinct, fmt=fmt, timezone=timezone, where=where, column=name).to_numpy()
        except (DataError, ValueError, TypeError, OverflowError):   # the text path converts it and reports it
            return None
    return convert


def _flags(distinct: pd.Series) -> np.ndarray | None:
    """The converter of a flag column's distinct texts: the text path's :func:`_convert_flags`, None if it fails."""
    from kit.data.convert import _convert_flags

    flags, bad = _convert_flags(distinct)
    return None if bad.any() else flags.to_numpy(dtype=bool)


def _numbers(column: object, parsed: bool) -> np.ndarray | None:
    """A number column as float64, or None when the text path may read it otherwise (see the module's notes)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not parsed:   # text: only whole numbers, which need no decimal mark
        try:
            pc.cast(column, pa.int64())
            column = pc.cast(column, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
    if pc.all(pc.is_finite(column)).as_py() is False:
        return None
    return column.to_numpy()


def read_typed(path: Path, *, sep: str, skip: int, header: list[str], plan: dict[str, ColumnPlan],
               na_tokens: tuple[str, ...], fmt: str | None, timezone: str) -> tuple[pd.DataFrame, list[str]] | None:
    """Read the CSV with Arrow's parser, typed by ``plan``.

    Parameters
    ----------
    path : Path
        A UTF-8 CSV file.
    sep : str
        Separator.
    skip : int
        Lines before the header.
    header : list of str
        The header's names as in the file (unique, none empty).
    plan : dict
        :func:`plan_columns` (header name stripped -> plan).
    na_tokens : tuple of str
        Cell texts read as missing.
    fmt : str or None
        ``date_format`` of the table.
    timezone : str
        Business time zone (aware timestamps are converted to it).

    Returns
    -------
    (DataFrame, list of str) or None
        The table (text columns as Arrow-backed text, dates ``datetime64[ns]``, numbers float64, flags bool) and the
        columns that failed, which hold their text as the text path reads it; None when Arrow cannot read the
        file with these options (ragged rows, invalid UTF-8...): the text path reads it and says why.
    """
    import pyarrow as pa

    names = [h.strip() for h in header]
    plans = [plan.get(name, ColumnPlan("text")) for name in names]
    marks = {p.decimal for p in plans if p.kind == "number" and p.decimal}
    numbers = [name for name, p in zip(names, plans, strict=True) if p.kind == "number"]
    quoted = _has_quotes(path)
    for attempt in range(2 if numbers else 1):
        if attempt:   # a number the reader refused or the text path may read otherwise: all numbers as text
            plans = [ColumnPlan("text") if p.kind == "number" else p for p in plans]
        types = [_arrow_type(p, bool(marks)) for p in plans]
        try:
            table = _read_arrow(path, sep, skip, header, types, na_tokens, next(iter(marks), "."), quoted)
        except (pa.ArrowException, ValueError) as exc:
            if "conversion error to double" in str(exc):   # a number the reader refused: try them as text
                continue
            return None   # ragged rows, invalid UTF-8: the text path reads the file and says why
        if table.num_columns != len(header) or table.schema.types != types:
            return None
        data = _convert(table, plans, bool(marks), fmt, timezone)
        if data is not None:
            frame = pd.DataFrame(dict(zip(names, data.values(), strict=True)), copy=False)
            failed = [names[i] for i in data if isinstance(data[i], pd.Series) and plans[i].kind != "text"]
            return frame, (numbers if attempt else []) + failed
    return None


def _convert(table: object, plans: list[ColumnPlan], parsed: bool, fmt: str | None,
             timezone: str) -> dict[int, np.ndarray | pd.Series] | None:
    """The columns of ``table`` converted by ``plans`` (text as a Series: text columns and date or flag columns
    that failed), or None when a number column failed (then all of them are read again as text)."""
    data: dict[int, np.ndarray | pd.Series] = {}
    for i, p in enumerate(plans):
        column = table.column(i)
        name = table.column_names[i]
        values: np.ndarray | None = None
        if p.kind == "number":
            values = _numbers(column, parsed)
            if values is None:
                return None
        elif p.kind == "date":
            values = _by_codes(column, _dates(fmt, timezone, name), np.datetime64("NaT", "ns"))
        elif p.kind == "flag":
            values = _by_codes(column, _flags, False)
        data[i] = values if values is not None else _text(column)
    return data


def sample_frame(sample: str, sep: str, na_tokens: tuple[str, ...]) -> pd.DataFrame | None:
    """The complete lines of ``sample`` (header first) as a text table, or None when pandas cannot read them."""
    cut = sample[:sample.rfind("\n") + 1] if "\n" in sample else sample
    try:
        return pd.read_csv(io.StringIO(cut), sep=sep, dtype=str, keep_default_na=False, na_values=list(na_tokens),
                           engine="c").rename(columns=lambda c: str(c).strip())
    except (ValueError, pd.errors.ParserError):
        return None
