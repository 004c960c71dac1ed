"""Reading real-world exports (CSV, Excel, Parquet) into the tidy tables of the data contract.

Every file is read as text first (nothing is guessed by the reader), then each contract
column is converted by its kind: ids to text, dates to naive timestamps in the business
time zone, money and scores to floats, flags to booleans. Encoding, separator and
decimal marks of CSV files are detected unless configured. Dates are never read
month-first. Problems are :class:`~kit.errors.DataError` s that name the file, the
column, the first offending rows and what was expected.

Row numbers in messages count as a spreadsheet user does: the header is row 1, the
first data row is row 2 (for Excel sheets with ``header_row: h``, the first data row
is ``h + 1``).

Input files are only ever opened for reading.
"""

from __future__ import annotations

import codecs
import csv
import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kit.errors import DataError
from kit.tables import TABLES, LoyaltyData

if TYPE_CHECKING:
    from kit.config import AnalysisConfig, CsvOptions, DataSources, TableSource

__all__ = ["read_table", "read_data", "validate", "format_quality_report", "NA_TOKENS", "column_kind"]

NA_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "n/a", "#N/A", "NaN", "nan", "NULL", "null", "None")
"""Cell texts read as missing (nothing else is)."""

_ID_COLUMNS = frozenset({"customer_id", "order_id", "ticket_id", "response_id", "referrer_id", "referred_id"})
_NUMBER_COLUMNS = frozenset({"revenue", "refund_amount", "quantity", "nps", "csat", "ces", "rating"})
_FLAG_COLUMNS = frozenset({"returned", "is_complaint", "responded"})
_TRUE = ("true", "yes", "ja", "wahr", "1", "1.0", "x", "y", "j", "t")
_FALSE = ("false", "no", "nein", "falsch", "0", "0.0", "n", "f", "")
_SEPARATORS = (";", ",", "\t", "|")
_SAMPLE_BYTES = 1 << 20
_SAMPLE_VALUES = 20_000

_ISO = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)? ?(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
_ISO_AWARE = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)? ?(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_GERMAN = r"^\d{1,2}\.\d{1,2}\.\d{4}(?:,? +\d{1,2}:\d{2}(?::\d{2})?)?$"
_SLASH = r"^\d{1,2}/\d{1,2}/\d{2,4}(?: .*)?$"
_QUALITY_COLUMNS = ["table", "check", "severity", "count", "example"]


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
class _Read:
    """A table read from one file, with what messages need to point into that file."""

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


# --------------------------------------------------------------------------- CSV detection


def _csv_options(source: TableSource, data: DataSources) -> dict[str, str | None]:
    keys = ("sep", "decimal", "thousands", "encoding")
    merged = {k: getattr(data.csv, k) for k in keys}
    if source.csv is not None:
        merged.update({k: getattr(source.csv, k) for k in keys if getattr(source.csv, k) is not None})
    return merged


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is not None and best.encoding.replace("_", "").startswith("utf"):
        return best.encoding
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _detect_sep(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and not text.endswith("\n"):
        lines = lines[:-1]  # the sample may cut the last line
    if not lines:
        return ","
    widths: dict[str, int] = {}
    for sep in _SEPARATORS:
        counts = [len(row) for row in csv.reader(lines, delimiter=sep)]
        if counts[0] > 1 and all(c == counts[0] for c in counts):
            widths[sep] = counts[0]
    if len(widths) == 1:
        return next(iter(widths))
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(_SEPARATORS)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed and (not widths or sniffed in widths):
        return sniffed
    if widths:
        return next(s for s in _SEPARATORS if s in widths)
    header = lines[0]
    return max(_SEPARATORS, key=header.count) if any(s in header for s in _SEPARATORS) else ","


def _encoding_error(path: Path, encoding: str, configured: bool) -> DataError:
    raw = path.read_bytes()  # only on this error path
    where = ""
    try:
        raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        where = f" (byte {raw[exc.start:exc.start + 1]!r} on line {line} of the file)"
    try:
        raw.decode("cp1252")
        looks = "cp1252 (Windows Western European)"
    except UnicodeDecodeError:
        looks = "latin-1"
    how = "is configured as" if configured else "was detected as"
    return DataError(
        f"the file's encoding {how} {encoding}, but it is not valid {encoding}{where}; it looks like {looks}",
        file=path.name, expected=f"text in {encoding}",
        fix=f"set csv: {{encoding: {looks.split()[0]}}} for this table (or data.csv.encoding) in analysis.yaml")


def _read_csv(path: Path, options: dict[str, str | None], header_row: int = 1) -> tuple[pd.DataFrame, str, int]:
    """Read a CSV as text; returns the frame, the separator and the file row of the first data row."""
    with path.open("rb") as fh:
        head = fh.read(_SAMPLE_BYTES)
    if not head.strip():
        raise DataError("the file is empty", file=path.name, expected="a header row and data rows",
                        fix="export the table again")
    configured = options["encoding"] is not None
    encoding = options["encoding"] or _detect_encoding(head)
    try:
        sample = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except (UnicodeDecodeError, LookupError) as exc:
        if isinstance(exc, LookupError):
            raise DataError(f"unknown encoding {encoding!r}", file=path.name,
                            expected="an encoding such as utf-8, utf-8-sig or cp1252",
                            fix="correct csv.encoding in analysis.yaml") from None
        raise _encoding_error(path, encoding, configured) from None
    skip = header_row - 1
    lines = sample.lstrip("\ufeff").splitlines()[skip:]
    excel_hint = lines[0].strip() if lines else ""
    if excel_hint.startswith("sep=") and len(excel_hint) == 5:  # Excel's 'sep=;' first line
        skip += 1
        lines = lines[1:]
        options = {**options, "sep": options["sep"] or excel_hint[4]}
    sep = options["sep"] or _detect_sep("\n".join(lines) + ("\n" if sample.endswith("\n") else ""))

    header = next(csv.reader(lines[:1], delimiter=sep), [])

    def parse(encoding_: str) -> pd.DataFrame:
        if encoding_.replace("-", "").lower() in ("utf8", "utf8sig"):
            fast = _read_csv_arrow(path, sep, skip, header)
            if fast is not None:
                return fast
        return pd.read_csv(path, sep=sep, encoding=encoding_, dtype=str, keep_default_na=False,
                           na_values=list(NA_TOKENS), skiprows=skip, engine="c")

    try:
        try:
            frame = parse(encoding)
        except UnicodeDecodeError:
            if configured:
                raise _encoding_error(path, encoding, configured) from None
            try:  # non-UTF-8 bytes after the sampled first megabyte
                frame = parse("cp1252")
            except UnicodeDecodeError:
                frame = parse("latin-1")
    except pd.errors.EmptyDataError:
        raise DataError("the file is empty", file=path.name, expected="a header row and data rows",
                        fix="export the table again") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"cannot be read as CSV with separator {sep!r} ({exc})", file=path.name,
                        expected="the same number of fields on every line",
                        fix="set csv: {sep: ...} for this table in analysis.yaml") from None
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    return frame, sep, skip + 2


def _unreadable_as(path: Path, kind: str, read: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """Run ``read``; a file that is not what its suffix says becomes a DataError."""
    import zipfile

    import pyarrow as pa

    try:
        return read()
    except (zipfile.BadZipFile, pa.ArrowException, OSError, KeyError, ValueError) as exc:
        raise DataError(f"cannot be read as {kind} ({type(exc).__name__}: {exc})", file=path.name,
                        expected=f"{kind} that opens in its program",
                        fix="export the table again, or check that the file suffix matches its format") from None


def _read_csv_arrow(path: Path, sep: str, skip: int, header: list[str]) -> pd.DataFrame | None:
    """Read a UTF-8 CSV as text with Arrow's multithreaded parser, or None to use pandas' parser.

    Every column is read as text with the same missing-value tokens as the pandas path;
    quoted values may hold line breaks. Files Arrow refuses (invalid UTF-8, ragged rows)
    and headers with empty or repeated names go to pandas, whose messages the callers
    already turn into DataErrors.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = [h.strip() for h in header]
    if not names or "" in names or len(set(header)) < len(header):
        return None
    try:
        table = pa_csv.read_csv(
            path, read_options=pa_csv.ReadOptions(encoding="utf-8", skip_rows=skip),
            parse_options=pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={h: pa.string() for h in header}, null_values=list(NA_TOKENS),
                strings_can_be_null=True, quoted_strings_can_be_null=True))
    except (pa.ArrowException, ValueError):
        return None
    if table.num_columns != len(header) or any(t != pa.string() for t in table.schema.types):
        return None
    text = pd.StringDtype("pyarrow", na_value=np.nan)
    return table.to_pandas(types_mapper={pa.string(): text}.get)


def _read_excel(path: Path, source: TableSource) -> pd.DataFrame:
    sheet = source.sheet if source.sheet is not None else 0
    try:
        frame = pd.read_excel(path, sheet_name=sheet, header=source.header_row - 1, dtype=str,
                              keep_default_na=False, na_values=list(NA_TOKENS))
    except (ValueError, IndexError) as exc:
        if "not found" in str(exc) or isinstance(exc, IndexError):
            sheets = pd.ExcelFile(path).sheet_names
            raise DataError(f"sheet {sheet!r} does not exist; sheets: {', '.join(map(repr, sheets))}",
                            file=path.name, expected="an existing sheet name or 0-based number",
                            fix="set sheet in analysis.yaml") from None
        raise
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


# --------------------------------------------------------------------------- conversion


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
    only_comma = sample[comma & ~dot]
    if len(only_comma):
        grouped = only_comma.str.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+", na=False)
        if (~grouped).any():
            found.add(",")
        if only_comma.str.count(",").gt(1).any():
            found.add(".")
    only_dot = sample[dot & ~comma]
    if len(only_dot):
        grouped = only_dot.str.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+", na=False)
        if (~grouped).any():
            found.add(".")
        if only_dot.str.count(r"\.").gt(1).any():
            found.add(",")
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


def _parse_dates(values: pd.Series, *, fmt: str | None, timezone: str, where: _Read, column: str) -> pd.Series:
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
            raise DataError(
                f"{_n(n, 'date like', 'dates like')} {text[slash].iloc[0]!r} {'is' if n == 1 else 'are'} "
                f"ambiguous: {problem}{where.mapped(column)}", file=where.file, column=where.label(column),
                rows=where.rows(slash), values=text[slash].head(5).tolist(),
                expected="DD.MM.YYYY or ISO dates (YYYY-MM-DD)", fix=fix)
    if far.any():
        n = int(far.sum())
        raise DataError(
            f"{_n(n, 'date lies', 'dates lie')} outside the years 1678-2261 that can be computed with"
            f"{where.mapped(column)} (placeholders such as 31.12.9999 for 'no date'?)", file=where.file,
            column=where.label(column), rows=where.rows(far), values=text[far].head(5).tolist(),
            expected="real dates, or empty cells where there is no date",
            fix="replace the placeholder dates by empty cells in the export")
    if todo.any():
        expected = f"dates like {fmt!r} or ISO" if fmt else "DD.MM.YYYY or ISO dates"
        raise DataError(f"{_n(int(todo.sum()), 'value is not a date', 'values are not dates')}"
                        f"{where.mapped(column)}", file=where.file, column=where.label(column),
                        rows=where.rows(todo), values=text[todo].head(5).tolist(),
                        expected=expected, fix="set date_format in analysis.yaml")
    return pd.Series(out, index=text.index)


def _convert(read: _Read, fmt: str | None, timezone: str, numbers: dict[str, str | None],
             on_error: Callable[[DataError], None] | None) -> None:
    """Convert every contract column of ``read.frame`` in place (by kind)."""
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
                    raise DataError(
                        f"{_n(int(bad.sum()), 'value is not a yes/no flag', 'values are not yes/no flags')}"
                        f"{read.mapped(col)}", file=read.file,
                        column=read.label(col), rows=read.rows(bad), values=values[bad].head(5).tolist(),
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


def _convert_number(read: _Read, col: str, values: pd.Series, numbers: dict[str, str | None],
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
        raise DataError(f"{_n(int(bad.sum()), 'value is not a number', 'values are not numbers')}"
                        f"{read.mapped(col)}", file=read.file,
                        column=read.label(col), rows=read.rows(bad), values=values[bad].head(5).tolist(),
                        expected=f"numbers with a {mark} (detected for this column)",
                        fix="clean the values or set csv: {decimal: ..., thousands: ...} in analysis.yaml")
    return converted


def _note_ambiguous(read: _Read, col: str, text: pd.Series, converted: pd.Series, decimal: str) -> None:
    """Record values like '1.234' whose reading rests on the separator alone (a quality-report warning)."""
    grouped = text.str.fullmatch(r"[+-]?\d{1,3}(?:(?:\.\d{3})+|(?:,\d{3})+)", na=False)
    count = int(grouped.sum())
    if not count:
        return
    first = int(np.flatnonzero(grouped.to_numpy())[0])
    basis = f"the {read.sep!r} separator" if read.sep else "the file type"
    read.notes.append({
        "table": read.name, "check": f"{col} decimal mark", "severity": "warning", "count": count,
        "example": f"{read.label(col)}: {text.iloc[first]!r} read as {converted.iloc[first]:g} (decimal "
                   f"{'comma' if decimal == ',' else 'point'} assumed from {basis}); set csv.decimal if wrong"})


# --------------------------------------------------------------------------- reading one table


def _n(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _header_hint(found: list[str], source: TableSource) -> str:
    if sum(c.startswith("Unnamed:") for c in found) * 2 < len(found):
        return ""
    return (f"; most columns have no name, so the header is probably not on row {source.header_row}: "
            "set header_row (the 1-based row of the header) for this table")


def _read(source: TableSource, name: str, data: DataSources,
          on_error: Callable[[DataError], None] | None = None) -> _Read:
    if name not in TABLES:
        raise DataError(f"unknown table {name!r}", expected=f"one of {', '.join(TABLES)}",
                        fix="correct the table name under data.tables in analysis.yaml")
    path = Path(source.file)
    if not path.is_file():
        raise DataError(f"file not found: {str(path)!r} (table {name})", file=path.name,
                        expected="an existing CSV, Excel or Parquet file",
                        fix=f"correct data.tables.{name}.file in analysis.yaml (relative paths start at its folder)")
    suffix = path.suffix.lower()
    sep = None
    first_row = 2
    numbers: dict[str, str | None] = {"decimal": None, "thousands": None}
    if suffix in (".csv", ".txt", ".tsv"):
        options = _csv_options(source, data)
        frame, sep, first_row = _read_csv(path, options, source.header_row)
        numbers = {"decimal": options["decimal"], "thousands": options["thousands"]}
    elif suffix in (".xlsx", ".xlsm"):
        frame = _unreadable_as(path, "an Excel workbook (.xlsx)", lambda: _read_excel(path, source))
        first_row = source.header_row + 1  # number cells arrive as '1234.5'; text cells are detected
    elif suffix in (".parquet", ".pq"):
        frame = _unreadable_as(path, "a Parquet file", lambda: pd.read_parquet(path))
        frame.columns = [str(c) for c in frame.columns]
    else:
        fix = ("open it in Excel and save it as .xlsx (Excel workbook)" if suffix == ".xls"
               else "export the table in one of these formats")
        raise DataError(f"unsupported file type {suffix!r}", file=path.name,
                        expected=".csv, .xlsx or .parquet", fix=fix)
    frame = frame.reset_index(drop=True)
    if frame.shape[1] == 0:
        raise DataError("the file is empty", file=path.name, expected="a header row and data rows",
                        fix="export the table again")
    found = list(frame.columns)
    missing = [user for user in source.columns if user not in found]
    if missing:
        user = missing[0]
        close = difflib.get_close_matches(user, found, n=1, cutoff=0.6) or \
            [c for c in found if c.lower() == user.lower()]
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise DataError(
            f"mapped column {user!r} (-> {source.columns[user]}) is not in the file; columns found: "
            f"{', '.join(map(repr, found[:30]))}{hint}{_header_hint(found, source)}", file=path.name, column=user,
            expected=f"a column named {user!r}", fix="correct data.tables." + name + ".columns in analysis.yaml")
    frame = frame.rename(columns=source.columns)
    duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if duplicated:
        raise DataError(f"column {duplicated[0]!r} appears twice after mapping", file=path.name,
                        column=duplicated[0], expected="each contract column once",
                        fix=f"remove one mapping to {duplicated[0]!r} in analysis.yaml")
    user_names = {contract: user for user, contract in source.columns.items()}
    spec = TABLES[name]
    absent = [c for c in spec.required if c not in frame.columns]
    if absent:
        col = absent[0]
        close = [c for c in found if c.strip().lower().replace(" ", "_") == col] or \
            difflib.get_close_matches(col, found, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}? Map it with columns: {{{close[0]}: {col}}}" if close else ""
        raise DataError(
            f"required column {col!r} is missing; columns found: {', '.join(map(repr, found[:30]))}{hint}"
            f"{_header_hint(found, source)}",
            file=path.name, column=col, expected=f"the {name} columns {', '.join(spec.required)}",
            fix=f"map your column names under data.tables.{name}.columns in analysis.yaml")
    if len(frame) == 0:
        raise DataError("the file has a header but no data rows", file=path.name,
                        expected="at least one data row", fix="export the table again with its rows")
    read = _Read(name=name, frame=frame, file=path.name, first_row=first_row, user_names=user_names, sep=sep)
    fmt = source.date_format or data.date_format
    _convert(read, fmt, data.timezone, numbers, on_error)
    return read


def read_table(source: TableSource, name: str, *, data: DataSources) -> pd.DataFrame:
    """Read one table of the data contract from a CSV, Excel or Parquet file.

    The file type follows the suffix (``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm``,
    ``.parquet``). ``header_row`` skips title lines above the header (Excel and CSV; a CSV's
    ``sep=;`` line is skipped by itself). CSV encoding (BOM, UTF-8, else cp1252), separator (``;`` ``,`` TAB ``|``)
    and, per numeric column, decimal mark and thousands separator are detected unless
    set under ``csv:``. Everything is read as text, mapped to contract names
    (``source.columns``) and converted by kind; dates are ISO or ``DD.MM.YYYY`` (or the
    configured ``date_format``, table level before data level) and never month-first.
    Aware timestamps are converted to ``data.timezone`` and made naive.

    Row numbers in error messages count as a spreadsheet user does: the header is
    row 1 and the first data row is row 2 (with ``header_row: h``: row ``h + 1``).

    Parameters
    ----------
    source : TableSource
        File and reading options of this table (``config.data.tables[name]``).
    name : str
        Table name of the data contract (``orders``, ``surveys``, ...).
    data : DataSources
        The data section of the configuration (date format, time zone, CSV defaults).

    Returns
    -------
    DataFrame
        Canonical column names, converted types (ids str, dates naive
        ``datetime64[ns]``, numbers float64, flags bool); other columns kept as text.
        Range and consistency checks are not applied here (see :func:`read_data`).

    Raises
    ------
    DataError
        Missing file or column, empty file, undecodable text, values that are not
        dates / numbers / flags, ambiguous day-month dates.


    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kit.config import DataSources, TableSource
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = p.write_text("Nr;Kunde;Datum;Umsatz\\nA1;K1;31.01.2024;1.234,50\\n", encoding="utf-8")
    >>> src = TableSource(file=p, columns={"Nr": "order_id", "Kunde": "customer_id",
    ...                                    "Datum": "order_date", "Umsatz": "revenue"})
    >>> data = DataSources(tables={"orders": src})
    >>> read_table(src, "orders", data=data).iloc[0].tolist()
    ['A1', 'K1', Timestamp('2024-01-31 00:00:00'), 1234.5]
    """
    return _read(source, name, data).frame


# --------------------------------------------------------------------------- all tables


def _load(config: AnalysisConfig, collect: bool) -> tuple[LoyaltyData, list[DataError]]:
    from kit.schema import check_relations, check_table

    errors: list[DataError] = []
    rows: list[dict[str, Any]] = []
    data = LoyaltyData()
    reads: dict[str, _Read] = {}
    for name, source in config.data.tables.items():
        table_errors: list[DataError] = []
        try:
            read = _read(source, name, config.data, on_error=table_errors.append if collect else None)
        except DataError as exc:
            if not collect:
                raise
            errors.append(exc)
            rows.append(_error_row(name, "read file", exc))
            continue
        rows.append({"table": name, "check": "rows read", "severity": "info", "count": len(read.frame),
                     "example": read.file})
        rows.extend(_mapping_rows(name, source))
        rows.extend(read.notes)
        for exc in table_errors:
            errors.append(exc)
            rows.append(_error_row(name, "column types", exc))
        checked, problems, frame = check_table(read.frame, name, file=read.file, first_row=read.first_row,
                                               user_names=read.user_names, thresholds=config.thresholds)
        rows.extend(checked)
        errors.extend(problems)
        if problems and not collect:
            break
        read.frame = frame
        reads[name] = read
        data.sources[name] = read.file
    if not errors or collect:
        rows.extend(check_relations({n: r.frame for n, r in reads.items()},
                                    files={n: r.file for n, r in reads.items()}))
    for name, read in reads.items():
        setattr(data, name, read.frame.reset_index(drop=True))
    data.quality = pd.DataFrame(rows, columns=_QUALITY_COLUMNS).astype({"count": "int64"})
    return data, errors


def _mapping_rows(name: str, source: TableSource) -> list[dict[str, Any]]:
    """Warn about mappings onto names the contract does not know (typos such as 'chanel')."""
    spec = TABLES[name]
    known = (*spec.required, *spec.optional, *spec.dates)
    odd = [(user, target) for user, target in source.columns.items()
           if target not in known and not any(target.startswith(p) for p in spec.prefixes)]
    examples = []
    for user, target in odd[:3]:
        close = difflib.get_close_matches(target, known, n=1)
        examples.append(f"{user} -> {target!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    example = "; ".join(examples) + ("; kept as attributes" if odd else "")
    return [{"table": name, "check": "mapped columns are contract columns", "severity": "warning" if odd else "info",
             "count": len(odd), "example": example}]


def _error_row(table: str, check: str, exc: DataError) -> dict[str, Any]:
    return {"table": table, "check": check, "severity": "error", "count": max(len(exc.rows), 1),
            "example": str(exc)}


def read_data(config: AnalysisConfig) -> LoyaltyData:
    """Read and validate every configured table (interviews and codebook are read elsewhere).

    Parameters
    ----------
    config : AnalysisConfig
        The analysis configuration (``kit.load_config``).

    Returns
    -------
    LoyaltyData
        The tidy tables; ``quality`` holds one row per check run (errors excluded,
        since they raise) and ``sources`` maps table -> file name.

    Notes
    -----
    Checks (see :mod:`kit.schema`): required columns, types, ranges (NPS 0-10 whole
    numbers, CSAT and stars 1-5, CES on ``thresholds.ces_scale``, drivers 1-5 or 0-10,
    revenue >= 0, refunds between 0 and revenue, quantity > 0), unique keys, tickets
    answered and resolved not before they were opened. Warnings, which do not raise:
    exact duplicate rows (dropped, the first copy kept), dates before 1990 or after the
    end of the data, customer ids unknown to ``customers``, exits before signup,
    mappings onto names the contract does not know, decimal marks guessed from the
    separator alone.

    Raises
    ------
    DataError
        The first problem that makes a table unusable (see :func:`validate` for all).

    Examples
    --------
    >>> from kit.config import load_config
    >>> from kit.sample import sample_config_path
    >>> data = read_data(load_config(sample_config_path()))  # doctest: +SKIP
    >>> data.sources["orders"]  # doctest: +SKIP
    'bestellungen.csv'
    """
    data, errors = _load(config, collect=False)
    if errors:
        raise errors[0]
    return data


def validate(config: AnalysisConfig) -> pd.DataFrame:
    """Run every read and check and return the quality report, errors included as rows.

    Parameters
    ----------
    config : AnalysisConfig
        The analysis configuration.

    Returns
    -------
    DataFrame
        Columns ``table, check, severity, count, example``; severity is ``error``
        (the example is the full message), ``warning`` or ``info`` (passed checks
        have count 0).

    Examples
    --------
    >>> from kit.config import load_config
    >>> from kit.sample import sample_config_path
    >>> report = validate(load_config(sample_config_path()))  # doctest: +SKIP
    >>> (report["severity"] == "error").any()  # doctest: +SKIP
    False
    """
    data, _ = _load(config, collect=True)
    return data.quality


def format_quality_report(report: pd.DataFrame, *, width: int = 110) -> str:
    """Render the quality report as a plain-text table for a terminal.

    Parameters
    ----------
    report : DataFrame
        Output of :func:`validate` (or ``LoyaltyData.quality``).
    width : int
        Maximum line width; long examples are cut in the table and errors are
        repeated in full below it.

    Returns
    -------
    str

    Examples
    --------
    >>> report = pd.DataFrame([{"table": "orders", "check": "rows read", "severity": "info",
    ...                         "count": 3, "example": "orders.csv"}])
    >>> print(format_quality_report(report))  # doctest: +NORMALIZE_WHITESPACE
    table   check      severity  count  example
    orders  rows read  info          3  orders.csv
    <BLANKLINE>
    0 errors, 0 warnings, 1 checks.
    """
    if report.empty:
        return "no checks were run (no tables configured)."
    shown = report.copy()
    shown["example"] = shown["example"].fillna("").astype("str").str.replace("\n", " ", regex=False)
    heads = ["table", "check", "severity", "count"]
    widths = {h: max(len(h), shown[h].astype("str").str.len().max()) for h in heads}
    room = max(20, width - sum(widths.values()) - 2 * len(heads))
    lines = ["  ".join(h.ljust(widths[h]) for h in heads) + "  example"]
    for _, row in shown.iterrows():
        example = row["example"] if len(row["example"]) <= room else row["example"][:room - 1] + "…"
        cells = [str(row[h]).ljust(widths[h]) if h != "count" else str(row[h]).rjust(widths[h]) for h in heads]
        lines.append("  ".join(cells) + "  " + example)
    errors = shown[shown["severity"] == "error"]
    warnings = shown[shown["severity"] == "warning"]
    lines.append("")
    lines.append(f"{len(errors)} errors, {len(warnings)} warnings, {len(shown)} checks.")
    if len(errors):
        lines.append("")
        lines.append("Errors:")
        lines.extend(f"- {message}" for message in errors["example"])
    return "\n".join(line.rstrip() for line in lines)
