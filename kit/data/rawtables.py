"""Reading a table file (CSV, Excel, Parquet) as text, before any column is converted.

The file type follows the suffix. For CSV files the encoding (BOM, UTF-8, else cp1252)
and the separator (``;`` ``,`` TAB ``|``) are detected unless configured; an Excel
``sep=;`` first line and title rows above the header (``header_row``) are skipped.
Every cell arrives as text (or as the type a Parquet/Excel file stores), with
:data:`NA_TOKENS` as the only missing values. Problems are
:class:`~kit.errors.DataError` s naming the file, what was expected and how to fix it.

Input files are only ever opened for reading.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kit.data._odd_input import check_sheet_size
from kit.data._parquet_folder import read_parquet_folder
from kit.data._rawformats import COMPRESSED, JSON_SUFFIXES, decompress, read_json_records
from kit.data._typed_csv import plan_columns, read_typed, sample_frame, typed_min_bytes
from kit.errors import DataError

if TYPE_CHECKING:
    from kit.data.config import DataSources, TableSource

__all__ = ["NA_TOKENS", "RawTable", "read_raw"]

NA_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "n/a", "#N/A", "NaN", "nan", "NULL", "null", "None")
"""Cell texts read as missing (nothing else is)."""

_SEPARATORS = (";", ",", "\t", "|")
_SAMPLE_BYTES = 1 << 20


@dataclass
class RawTable:
    """One file's table as read, before conversion.

    Attributes
    ----------
    frame : DataFrame
        The user's column names (stripped) and the cells as text.
    first_row : int
        File row of the first data row (the header is row 1 unless ``header_row`` says otherwise).
    sep : str or None
        The CSV separator used (None for Excel and Parquet).
    numbers : dict
        ``decimal`` and ``thousands`` as configured for CSV files (None = detect per column).
    parts : list of (str, int) or None
        For a folder of Parquet files: each part's path in the folder and its rows, in the order of the rows
        (:mod:`kit.data._parquet_folder`); None for one file.
    """

    frame: pd.DataFrame
    first_row: int = 2
    sep: str | None = None
    numbers: dict[str, str | None] = field(default_factory=lambda: {"decimal": None, "thousands": None})
    parts: list[tuple[str, int]] | None = None


def read_raw(source: TableSource, name: str, *, data: DataSources) -> RawTable:
    """Read the file of one table as text, choosing the reader by the file suffix.

    Parameters
    ----------
    source : TableSource
        File and reading options of this table (``config.data.tables[name]``).
    name : str
        Table name, for messages.
    data : DataSources
        The data section of the configuration (CSV defaults).

    Returns
    -------
    RawTable

    Raises
    ------
    DataError
        Missing or empty file, unsupported suffix, undecodable text, a file that is not
        what its suffix says, a missing Excel sheet.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kit.data.config import DataSources, TableSource
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = p.write_text("sep=;\\nNr;Umsatz\\nA1;1.234,50\\n", encoding="utf-8")
    >>> src = TableSource(file=p)
    >>> raw = read_raw(src, "orders", data=DataSources(tables={"orders": src}))
    >>> raw.frame.iloc[0].tolist(), raw.sep, raw.first_row
    (['A1', '1.234,50'], ';', 3)
    """
    path = Path(source.file)
    if path.is_dir():   # a folder of Parquet files, one table
        raw = RawTable(frame=pd.DataFrame())
        raw.frame, raw.parts = read_parquet_folder(path)
        raw.frame.columns = [str(c) for c in raw.frame.columns]
        if raw.frame.shape[1] == 0:
            raise _empty_file(path)
        return raw
    if not path.is_file():
        raise DataError(f"file not found: {str(path)!r} (table {name})", file=path.name,
                        expected="an existing CSV, Excel, JSON or Parquet file (or a folder of Parquet files)",
                        fix=f"correct data.tables.{name}.file in analysis.yaml (relative paths start at its folder)")
    suffix = path.suffix.lower()
    content: bytes | None = None
    if suffix in COMPRESSED:
        inner, content = decompress(path)
        suffix = Path(inner).suffix.lower()
    opened = io.BytesIO(content) if content is not None else path
    raw = RawTable(frame=pd.DataFrame())
    if suffix in (".csv", ".txt", ".tsv"):
        options = _csv_options(source, data)
        raw.frame, raw.sep, raw.first_row = _read_csv(path, options, source.header_row, content,
                                                      _typed_hints(source, name, data, options["decimal"]))
        raw.numbers = {"decimal": options["decimal"], "thousands": options["thousands"]}
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        if suffix != ".xls" and content is None:   # the declared size of an .xlsx sheet, before unpacking it
            check_sheet_size(path, source.sheet if source.sheet is not None else 0, header_row=source.header_row,
                             max_rows=data.max_rows)
        kind = "an Excel workbook (.xls)" if suffix == ".xls" else "an Excel workbook (.xlsx)"
        raw.frame = _unreadable_as(path, kind, lambda: _read_excel(opened, source, path.name))
        raw.first_row = source.header_row + 1  # number cells arrive as '1234.5'; text cells are detected
    elif suffix in (".parquet", ".pq"):
        raw.frame = _unreadable_as(path, "a Parquet file", lambda: pd.read_parquet(opened))
        if any(level is not None for level in raw.frame.index.names):   # a named pandas index is data (order_id)
            raw.frame = raw.frame.reset_index()
        raw.frame.columns = [str(c) for c in raw.frame.columns]
    elif suffix in JSON_SUFFIXES:
        raw.frame = read_json_records(content if content is not None else path.read_bytes(), path.name)
        raw.first_row = 1  # record 1 is row 1
    else:
        raise DataError(f"unsupported file type {suffix!r}", file=path.name,
                        expected=".csv, .xlsx, .xls, .json, .ndjson or .parquet (also inside .gz or .zip)",
                        fix="export the table in one of these formats")
    raw.frame = raw.frame.reset_index(drop=True)
    if raw.frame.shape[1] == 0:
        raise _empty_file(path)
    return raw


def _empty_file(path: Path) -> DataError:
    return DataError("the file is empty", file=path.name, expected="a header row and data rows",
                     fix="export the table again")


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


def _encoding_error(path: Path, encoding: str, configured: bool, content: bytes | None = None) -> DataError:
    raw = content if content is not None else path.read_bytes()  # only on this error path
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


def _read_csv(path: Path, options: dict[str, str | None], header_row: int = 1,
              content: bytes | None = None, typed: TypedHints | None = None) -> tuple[pd.DataFrame, str, int]:
    """Read a CSV as text; returns the frame, the separator and the file row of the first data row.

    ``content``: the bytes of an unpacked file (``path`` then only names it in messages). ``typed``: the kinds
    of the columns, for a large file read typed by Arrow (:mod:`kit.data._typed_csv`); the columns it
    converts arrive typed, every other column as text."""
    if content is not None:
        head = content[:_SAMPLE_BYTES]
        typed = None
    else:
        with path.open("rb") as fh:
            head = fh.read(_SAMPLE_BYTES)
        if typed is not None and path.stat().st_size < typed_min_bytes():
            typed = None
    if not head.strip():
        raise _empty_file(path)
    configured = options["encoding"] is not None
    encoding = options["encoding"] or _detect_encoding(head)
    try:
        sample = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except (UnicodeDecodeError, LookupError) as exc:
        if isinstance(exc, LookupError):
            raise DataError(f"unknown encoding {encoding!r}", file=path.name,
                            expected="an encoding such as utf-8, utf-8-sig or cp1252",
                            fix="correct csv.encoding in analysis.yaml") from None
        raise _encoding_error(path, encoding, configured, content) from None
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
        source = io.BytesIO(content) if content is not None else path
        if typed is not None and encoding_.replace("-", "").lower() in ("utf8", "utf8sig"):
            frame = _read_typed(path, sep, skip, header, "\n".join(lines[:-1]) + "\n", typed)
            if frame is not None:
                return frame
        return parse_text(encoding_, source)

    def parse_text(encoding_: str, source: Path | io.BytesIO) -> pd.DataFrame:
        if encoding_.replace("-", "").lower() in ("utf8", "utf8sig"):
            fast = _read_csv_arrow(source, sep, skip, header)
            if fast is not None:
                return fast
            source = io.BytesIO(content) if content is not None else path
        return pd.read_csv(source, sep=sep, encoding=encoding_, dtype=str, keep_default_na=False,
                           na_values=list(NA_TOKENS), skiprows=skip, engine="c")

    try:
        try:
            frame = parse(encoding)
        except UnicodeDecodeError:
            if configured:
                raise _encoding_error(path, encoding, configured, content) from None
            try:  # non-UTF-8 bytes after the sampled first megabyte
                frame = parse("cp1252")
            except UnicodeDecodeError:
                frame = parse("latin-1")
    except pd.errors.EmptyDataError:
        raise _empty_file(path) from None
    except pd.errors.ParserError as exc:
        raise DataError(f"cannot be read as CSV with separator {sep!r} ({exc})", file=path.name,
                        expected="the same number of fields on every line",
                        fix="set csv: {sep: ...} for this table in analysis.yaml") from None
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    return frame, sep, skip + 2


@dataclass(frozen=True)
class TypedHints:
    """What a large CSV needs to be read typed: the kind of each user column, the date format and the
    configured decimal mark (see :mod:`kit.data._typed_csv`)."""

    kinds: dict[str, str]
    fmt: str | None
    decimal: str | None
    timezone: str


def _typed_hints(source: TableSource, name: str, data: DataSources, decimal: str | None) -> TypedHints | None:
    """The hints for reading ``source`` typed, or None when it is read as text (rows chosen by ``where``)."""
    from kit.data.convert import column_kind

    if source.where:
        return None
    kinds = {user: column_kind(contract, name) for user, contract in source.columns.items()}

    class _Kinds(dict):  # a column not mapped keeps its name: its kind is that of the contract column
        def __missing__(self, user: str) -> str:
            return column_kind(user, name)

    return TypedHints(kinds=_Kinds(kinds), fmt=source.date_format or data.date_format, decimal=decimal,
                      timezone=data.timezone)


def _read_typed(path: Path, sep: str, skip: int, header: list[str], sample: str,
                hints: TypedHints) -> pd.DataFrame | None:
    """A large CSV read typed (its failed columns as text, as the text path reads them); None to read it as text."""
    names = [h.strip() for h in header]
    if not names or "" in names or len(set(names)) < len(names) or len(set(header)) < len(header) or \
            "\x00" in sample:
        return None
    first = sample_frame(sample, sep, NA_TOKENS)
    if first is None or list(first.columns) != names or len(first) == 0:
        return None
    plan = plan_columns(first, {n: hints.kinds[n] for n in names}, decimal=hints.decimal)
    if plan is None:
        return None
    read = read_typed(path, sep=sep, skip=skip, header=header, plan=plan, na_tokens=NA_TOKENS, fmt=hints.fmt,
                      timezone=hints.timezone)
    return None if read is None else read[0]


def _unreadable_as(path: Path, kind: str, read: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """Run ``read``; a file that is not what its suffix says becomes a DataError."""
    import zipfile

    import pyarrow as pa
    from python_calamine import CalamineError

    try:
        return read()
    except (zipfile.BadZipFile, pa.ArrowException, OSError, KeyError, ValueError, CalamineError) as exc:
        raise DataError(f"cannot be read as {kind} ({type(exc).__name__}: {exc})", file=path.name,
                        expected=f"{kind} that opens in its program",
                        fix="export the table again, or check that the file suffix matches its format") from None


def _read_csv_arrow(path: Path | io.BytesIO, sep: str, skip: int, header: list[str]) -> pd.DataFrame | None:
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


def _read_excel(path: Path | io.BytesIO, source: TableSource, name: str) -> pd.DataFrame:
    sheet = source.sheet if source.sheet is not None else 0
    try:
        engine = "calamine" if name.lower().endswith(".xls") else "openpyxl"  # legacy .xls (BIFF): python-calamine
        frame = pd.read_excel(path, sheet_name=sheet, header=source.header_row - 1, dtype=str, engine=engine,
                              keep_default_na=False, na_values=list(NA_TOKENS))
    except (ValueError, IndexError) as exc:
        if "not found" in str(exc) or isinstance(exc, IndexError):
            if isinstance(path, io.BytesIO):
                path.seek(0)
            sheets = pd.ExcelFile(path, engine=engine).sheet_names
            raise DataError(f"sheet {sheet!r} does not exist; sheets: {', '.join(map(repr, sheets))}",
                            file=name, expected="an existing sheet name or 0-based number",
                            fix="set sheet in analysis.yaml") from None
        raise
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame
