"""Typed reading of a large UTF-8 CSV in DuckDB, with the text path as the fallback for any column that fails.

The text path (every cell as text, then :func:`kit.data.convert.convert_columns`) names every bad value
precisely but converts column by column in pandas. Here DuckDB parses the file in parallel and converts
the date, number and flag columns while reading, but only values that the text path reads the same way:
``DD.MM.YYYY`` and ISO dates (``YYYY-MM-DD``, optionally `` HH:MM:SS``) inside the years 1678-2261 (a strict
regular expression first, then ``try_strptime``); numbers that DuckDB's cast reads once the column's decimal
mark (the one the text path detects from the same first 20,000 values, or the configured one) is a point,
without an underscore, without the other mark (a thousands mark: the text path's rules for it stay there),
and finite; flags from the kit's yes/no words. Ids and text arrive as text and are converted as before. A
value of any other shape (``1.234,50``, ``1_000``, ``31.02.2024``, ``NAN``) makes its column *fail*; every
failed column is then read again as text and converted by the text path, so results and error messages are
those of the text path. The number columns fail together (the decimal mark of one may rest on the others'
values). ``tests/test_typed_csv.py`` reads the fixtures, the sample and some 90 odd values both ways.

Why DuckDB and not Arrow's CSV reader: Arrow reads the text as fast, but the conversions then run one column
after another in one thread; DuckDB converts in the same parallel pass that splits the lines. (On this
2-core machine under load the CPU seconds of both paths are close; see ``benchmarks/README.md``.)

Used by :mod:`kit.data.rawtables` for UTF-8 files of :data:`TYPED_MIN_BYTES` or more (not for a
table with ``where`` conditions, which work on the text).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kit.data._convert_numbers import _SAMPLE_VALUES, _decimal_evidence

__all__ = ["TYPED_MIN_BYTES", "ColumnPlan", "plan_columns", "read_typed", "sample_frame", "typed_min_bytes"]

TYPED_MIN_BYTES = 8 * 2**20
"""Files from this size on are read typed (smaller ones are read as text: that is fast enough)."""


def typed_min_bytes() -> int:
    """:data:`TYPED_MIN_BYTES`, looked up at each read (tests set it to 0 to read every fixture typed)."""
    return TYPED_MIN_BYTES

_GERMAN = r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}"
_ISO = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-2][0-9]:[0-5][0-9]:[0-5][0-9]"
_TRUE = ("true", "yes", "ja", "wahr", "1", "1.0", "x", "y", "j", "t")
_FALSE = ("false", "no", "nein", "falsch", "0", "0.0", "n", "f")


@dataclass(frozen=True)
class ColumnPlan:
    """How one column is read: ``text`` (as text), ``date`` (with the accepted shapes), ``number`` (with its
    decimal mark, or None for whole numbers only) or ``flag``."""

    kind: str
    shapes: tuple[tuple[str, str], ...] = ()
    decimal: str | None = None

    def pattern(self) -> str:
        """The regular expression (RE2 and Python alike) that every value of a typed number column matches."""
        return "[+-]?[0-9]+" + (f"(?:{re.escape(self.decimal)}[0-9]+)?" if self.decimal else "")


def _date_shapes(fmt: str | None) -> tuple[tuple[str, str], ...]:
    """(regex, strptime format) pairs the text path reads alike, for the configured ``date_format``."""
    iso = ((_ISO, "%Y-%m-%d"), (_ISO_TIME.replace("[ T]", " "), "%Y-%m-%d %H:%M:%S"),
           (_ISO_TIME.replace("[ T]", "T"), "%Y-%m-%dT%H:%M:%S"))
    if fmt is None or fmt == "%d.%m.%Y":
        return ((_GERMAN, "%d.%m.%Y"), *iso)
    if fmt == "%Y-%m-%d":
        return iso
    return ()


def plan_columns(sample: pd.DataFrame, kinds: dict[str, str], *, fmt: str | None,
                 decimal: str | None) -> dict[str, ColumnPlan] | None:
    """The plan of every column from the file's first rows, or None when nothing is worth reading typed.

    Parameters
    ----------
    sample : DataFrame
        The first rows of the file as text (the user's column names).
    kinds : dict
        User column -> kind of its contract column (:func:`kit.data.convert.column_kind`); absent = text.
    fmt : str or None
        ``date_format`` of the table.
    decimal : str or None
        The configured decimal mark (None = detected per column, as the text path does).

    Returns
    -------
    dict or None

    Examples
    --------
    >>> s = pd.DataFrame({"Datum": ["31.01.2024"], "Umsatz": ["12,50"], "Menge": ["3"], "Nr": ["A1"]})
    >>> plan = plan_columns(s, {"Datum": "date", "Umsatz": "number", "Menge": "number", "Nr": "id"},
    ...                     fmt=None, decimal=None)
    >>> plan["Umsatz"].decimal, plan["Menge"].decimal, plan["Nr"].kind
    (',', None, 'text')
    """
    plan: dict[str, ColumnPlan] = {}
    head = sample.head(_SAMPLE_VALUES)
    numbers_typed = True
    for col in sample.columns:
        kind = kinds.get(col, "text")
        values = head[col].dropna()
        if kind == "date":
            # only the shapes the first rows use (usually one): each shape costs a regular expression per value
            shapes = tuple(s for s in _date_shapes(fmt) if values.str.fullmatch(s[0]).any())
            alike = "|".join(f"(?:{s})" for s, _ in shapes)
            ok = bool(shapes) and bool(values.str.fullmatch(alike).all())
            plan[col] = ColumnPlan("date", shapes) if ok else ColumnPlan("text")
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
            low = values.str.lower()
            ok = bool(len(values)) and values.str.isascii().all() and low.isin(_TRUE + _FALSE).all()
            plan[col] = ColumnPlan("flag") if ok else ColumnPlan("text")
        else:
            plan[col] = ColumnPlan("text")
    if not numbers_typed:
        plan = {c: ColumnPlan("text") if p.kind == "number" else p for c, p in plan.items()}
    return plan if any(p.kind != "text" for p in plan.values()) else None


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _expression(ref: str, plan: ColumnPlan) -> str:
    """DuckDB SQL for the typed value of ``ref``: NULL where the cell is missing, and where the value has another
    shape a mark the reader then finds in one pass: NaN (numbers), the year 1 (dates), NULL (flags)."""
    if plan.kind == "date":
        cases = " ".join(f"WHEN regexp_full_match({ref}, {_quote(s)}) THEN try_strptime({ref}, {_quote(f)})"
                         for s, f in plan.shapes)
        # the years are checked on the result (1678-2261, as the text path): the year 1 fails too
        return f"(CASE WHEN {ref} IS NULL THEN NULL ELSE coalesce(CASE {cases} END, TIMESTAMP '0001-01-01') END)"
    if plan.kind == "number":
        # DuckDB's cast reads what Arrow's does after the text path's steps, and also '1_000' and a mark of the
        # wrong kind: those fail, as do NaN and infinity (the text path reports 'NAN' and decides on 'inf' itself)
        other = [m for m in ".," if m != plan.decimal]
        refused = " OR ".join(f"contains({ref}, {_quote(m)})" for m in ["_", *other])
        value = f"replace({ref}, {_quote(plan.decimal)}, '.')" if plan.decimal and plan.decimal != "." else ref
        return (f"(CASE WHEN {ref} IS NULL THEN NULL WHEN {refused} THEN 'NaN'::DOUBLE "
                f"ELSE coalesce(TRY_CAST({value} AS DOUBLE), 'NaN'::DOUBLE) END)")
    if plan.kind == "flag":
        # a regular expression, not IN (...): DuckDB may turn a long IN list into a join, which loses the row order
        def words(values: tuple[str, ...]) -> str:
            return _quote("|".join(re.escape(v) for v in values))

        return (f"(CASE WHEN {ref} IS NULL THEN false WHEN strlen({ref}) <> length({ref}) THEN NULL "
                f"WHEN regexp_full_match(lower({ref}), {words(_TRUE)}) THEN true "
                f"WHEN regexp_full_match(lower({ref}), {words(_FALSE)}) THEN false END)")
    return ref


def read_typed(path: Path, *, sep: str, skip: int, header: list[str], plan: dict[str, ColumnPlan],
               na_tokens: tuple[str, ...]) -> tuple[pd.DataFrame, list[str]] | None:
    """Read the CSV with DuckDB, typed by ``plan``.

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

    Returns
    -------
    (DataFrame, list of str) or None
        The table (text columns as Arrow-backed text, dates ``datetime64[ns]``, numbers float64, flags bool)
        and the columns that failed (their cells are to be read as text); None when DuckDB cannot read the
        file with these options (ragged rows, mixed line ends...): the text path reads it and says why.
    """
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc

    names = [h.strip() for h in header]
    columns = ", ".join(f"{_quote(f'c{i}')}: 'VARCHAR'" for i in range(len(names)))
    source = (f"read_csv({_quote(str(path))}, delim={_quote(sep)}, quote='\"', escape='\"', header=false, "
              f"skip={skip + 1}, auto_detect=false, columns={{{columns}}}, "
              f"nullstr=[{', '.join(map(_quote, na_tokens))}], allow_quoted_nulls=true)")
    select = [f"{_expression(f'c{i}', plan.get(name, ColumnPlan('text')))} AS v{i}" for i, name in enumerate(names)]
    connection = duckdb.connect()
    try:
        connection.execute("SET enable_progress_bar = false")
        # the rows must come out in the file's order: no optimiser step that turns IN lists into joins
        connection.execute("SET preserve_insertion_order = true")
        connection.execute("SET disabled_optimizers = 'in_clause'")
        query = f"SELECT {', '.join(select)} FROM {source}"
        table = connection.sql(query).to_arrow_table()
    except duckdb.Error:
        return None
    finally:
        connection.close()
    failed: list[str] = []
    data: dict[str, pd.Series | pd.api.extensions.ExtensionArray] = {}
    text = pd.StringDtype("pyarrow", na_value=np.nan)
    for i, name in enumerate(names):
        col = plan.get(name, ColumnPlan("text"))
        values = table.column(f"v{i}")
        if (col.kind == "number" and pc.any(pc.invert(pc.is_finite(values))).as_py()) or \
                (col.kind == "flag" and values.null_count):
            failed.append(name)
        if col.kind == "date":
            low, high = pc.min_max(values).values()
            if low.is_valid and (low.as_py().year < 1678 or high.as_py().year > 2261):
                failed.append(name)
                values = pa.nulls(len(values), pa.timestamp("ns"))
            values = values.cast(pa.timestamp("ns"))
        elif col.kind == "text" and values.type != pa.string():
            values = values.cast(pa.string())
        data[name] = values.to_pandas(types_mapper={pa.string(): text}.get)
    if any(plan.get(n, ColumnPlan("text")).kind == "number" for n in failed):
        failed += [n for n in names if plan.get(n, ColumnPlan("text")).kind == "number"]
    return pd.DataFrame(data), list(dict.fromkeys(failed))


def sample_frame(sample: str, sep: str, na_tokens: tuple[str, ...]) -> pd.DataFrame | None:
    """The complete lines of ``sample`` (header first) as a text table, or None when pandas cannot read them."""
    cut = sample[:sample.rfind("\n") + 1] if "\n" in sample else sample
    try:
        return pd.read_csv(io.StringIO(cut), sep=sep, dtype=str, keep_default_na=False, na_values=list(na_tokens),
                           engine="c").rename(columns=lambda c: str(c).strip())
    except (ValueError, pd.errors.ParserError):
        return None
