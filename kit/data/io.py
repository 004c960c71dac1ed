"""Reading real-world exports (CSV, Excel, Parquet) into the tidy tables of the data contract.

Every file is read as text first (nothing is guessed by the reader), then each contract
column is converted by its kind (a large UTF-8 CSV is read typed instead, with the same
results and messages: :mod:`kit.data._typed_csv`): ids to text, dates to naive timestamps in the business
time zone, money and scores to floats, flags to booleans. Encoding, separator and
decimal marks of CSV files are detected unless configured. Dates are never read
month-first. Problems are :class:`~kit.errors.DataError` s that name the file, the
column, the first offending rows and what was expected.

Row numbers in messages count as a spreadsheet user does: the header is row 1, the
first data row is row 2 (for Excel sheets with ``header_row: h``, the first data row
is ``h + 1``).

Input files are only ever opened for reading. The file readers (encoding and separator
detection) live in :mod:`kit.data.rawtables`, the conversion by kind in :mod:`kit.data.convert`,
the range and consistency checks in :mod:`kit.data.schema`; this module maps the user's
columns, runs them in order and assembles the quality report.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from tqdm import tqdm

from kit.data._odd_input import check_duplicate_headers, file_has_nul, strip_nul_bytes
from kit.data._parquet_folder import folder_mtime, folder_size, row_labels
from kit.data.check_texts import check_text
from kit.data.contract import QUALITY_COLUMNS, TABLES, LoyaltyData, quality_row
from kit.data.convert import TableRead, column_kind, convert_columns
from kit.data.lineitems import fold_line_items
from kit.data.rawtables import NA_TOKENS, read_raw
from kit.data.rowfilters import add_constants, filter_rows
from kit.data.sections import optional_columns_row
from kit.errors import DataError
from kit.labels import LABELS, table_name, text
from kit.results import format_value

if TYPE_CHECKING:
    from kit.data.config import AnalysisConfig, DataSources, TableSource

__all__ = ["read_table", "read_data", "validate", "translate_quality_report", "format_quality_report", "NA_TOKENS",
           "column_kind"]


def _header_hint(found: list[str], source: TableSource) -> str:
    if sum(c.startswith("Unnamed:") for c in found) * 2 < len(found):
        return ""
    return (f"; most columns have no name, so the header is probably not on row {source.header_row}: "
            "set header_row (the 1-based row of the header) for this table")


def _read(source: TableSource, name: str, data: DataSources,
          on_error: Callable[[DataError], None] | None = None) -> TableRead:
    if name not in TABLES:
        raise DataError(f"unknown table {name!r}", expected=f"one of {', '.join(TABLES)}",
                        fix="correct the table name under data.tables in analysis.yaml")
    raw = read_raw(source, name, data=data)
    path_name = Path(source.file).name + ("/" if raw.parts is not None else "")
    spec = TABLES[name]
    frame, repeated = check_duplicate_headers(raw.frame, file=path_name, used=set(source.columns) | {
        *spec.required, *spec.optional, *spec.dates})
    nul_cells, nul_rows = 0, []
    if raw.sep is None or file_has_nul(Path(source.file)):   # a byte search first: CSVs are large
        frame, nul_cells, nul_rows = strip_nul_bytes(frame, raw.first_row)
    found = list(frame.columns)
    missing = [user for user in source.columns if user not in found]
    if missing:
        user = missing[0]
        close = difflib.get_close_matches(user, found, n=1, cutoff=0.6) or \
            [c for c in found if c.lower() == user.lower()]
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise DataError(
            f"mapped column {user!r} (-> {source.columns[user]}) is not in the file; columns found: "
            f"{', '.join(map(repr, found[:30]))}{hint}{_header_hint(found, source)}", file=path_name, column=user,
            expected=f"a column named {user!r}", fix="correct data.tables." + name + ".columns in analysis.yaml")
    frame, filtered = filter_rows(frame, source.where, table=name, file=path_name, columns=source.columns)
    renames = {**source.columns, **_group_by_column(source, found, path_name)}
    frame = add_constants(frame.rename(columns=renames), source.constants, table=name, file=path_name)
    duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if duplicated:
        raise DataError(f"column {duplicated[0]!r} appears twice after mapping", file=path_name,
                        column=duplicated[0], expected="each contract column once",
                        fix=f"remove one mapping to {duplicated[0]!r} in analysis.yaml")
    user_names = {contract: user for user, contract in renames.items()}
    absent = [c for c in spec.required if c not in frame.columns
              and not (source.group_by and c == "revenue" and {"quantity", "unit_price"} <= set(frame.columns))]
    if absent:
        col = absent[0]
        close = [c for c in found if c.strip().lower().replace(" ", "_") == col] or \
            difflib.get_close_matches(col, found, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}? Map it with columns: {{{close[0]}: {col}}}" if close else ""
        raise DataError(
            f"required column {col!r} is missing; columns found: {', '.join(map(repr, found[:30]))}{hint}"
            f"{_header_hint(found, source)}",
            file=path_name, column=col, expected=f"the {name} columns {', '.join(spec.required)}",
            fix=f"map your column names under data.tables.{name}.columns in analysis.yaml")
    if len(frame) == 0 and source.where:
        raise DataError("no row meets the where conditions", file=path_name,
                        expected="at least one data row left", fix=f"check data.tables.{name}.where in analysis.yaml")
    if len(frame) == 0:
        raise DataError("the file has a header but no data rows", file=path_name,
                        expected="at least one data row", fix="export the table again with its rows")
    read = TableRead(name=name, frame=frame, file=path_name, first_row=raw.first_row, user_names=user_names,
                     sep=raw.sep, parts=raw.parts)
    read.notes.extend(filtered)
    read.notes.append(quality_row(name, "repeated_header", "warning" if repeated else "info", len(repeated),
                                  example=", ".join(repeated) + (" (later copies ignored)" if repeated else "")))
    read.notes.append(quality_row(name, "nul_bytes", "warning" if nul_cells else "info", nul_cells,
                                  example_key="ex_rows" if nul_cells else "",
                                  params={"rows": ", ".join(row_labels(nul_rows, raw.parts, raw.first_row))}))
    fmt = source.date_format or data.date_format
    failed: list[DataError] = []

    def collect(exc: DataError) -> None:
        exc = read.located(exc)
        failed.append(exc)
        if on_error is not None:
            on_error(exc)

    try:
        convert_columns(read, fmt, data.timezone, raw.numbers, collect if on_error is not None else None)
        if source.group_by and not failed:
            read.frame, folded = fold_line_items(read.frame, file=path_name, prefix=source.cancellation_prefix,
                                                 table=name)
            read.notes.extend(folded)
    except DataError as exc:
        raise read.located(exc) from None   # a folder's error names its part; one file's stays as it is
    return read


def _group_by_column(source: TableSource, found: list[str], file: str) -> dict[str, str]:
    """The rename that makes ``group_by`` the order id of line items (nothing when it is mapped already)."""
    key = source.group_by
    if key is None or key == "order_id" or source.columns.get(key) == "order_id":
        return {}
    if key not in found:
        raise DataError(f"group_by names column {key!r}, which is not in the file; columns found: "
                        f"{', '.join(map(repr, found[:30]))}", file=file, column=key,
                        expected="the column that names the order of each line (e.g. InvoiceNo)",
                        fix="correct data.tables.orders.group_by in analysis.yaml")
    if "order_id" in source.columns.values():
        raise DataError(f"group_by is {key!r}, but another column is mapped to order_id", file=file, column=key,
                        expected="group_by and the order_id mapping naming the same column",
                        fix="map the group_by column to order_id, or leave group_by out")
    return {key: "order_id"}


def read_table(source: TableSource, name: str, *, data: DataSources) -> pd.DataFrame:
    """Read one table of the data contract from a CSV, Excel, JSON or Parquet file.

    The file type follows the suffix (``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm``/``.xls``,
    ``.json``/``.ndjson``/``.jsonl`` records, ``.parquet``), also inside ``.gz``, ``.bz2``, ``.xz`` or a
    one-file ``.zip`` (``orders.csv.gz``). ``header_row`` skips title lines above the header (Excel and CSV; a CSV's
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
    >>> from kit.data.config import DataSources, TableSource
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = p.write_text("Nr;Kunde;Datum;Umsatz\\nA1;K1;31.01.2024;1.234,50\\n", encoding="utf-8")
    >>> src = TableSource(file=p, columns={"Nr": "order_id", "Kunde": "customer_id",
    ...                                    "Datum": "order_date", "Umsatz": "revenue"})
    >>> data = DataSources(tables={"orders": src})
    >>> read_table(src, "orders", data=data).to_dict("records")
    [{'order_id': 'A1', 'customer_id': 'K1', 'order_date': Timestamp('2024-01-31 00:00:00'), 'revenue': 1234.5}]
    """
    return _read(source, name, data).frame


# --------------------------------------------------------------------------- all tables


def _load(config: AnalysisConfig, collect: bool) -> tuple[LoyaltyData, list[DataError]]:
    from kit.data.schema import check_relations, check_table

    errors: list[DataError] = []
    rows: list[dict[str, Any]] = []
    data = LoyaltyData(as_of=pd.Timestamp(config.data.as_of) if config.data.as_of is not None else None)
    reads: dict[str, TableRead] = {}
    # a progress bar over the bytes of the input files on a terminal (none in cron logs or notebooks' captured
    # stderr), naming the file and the step: a 10M-row CSV or a large Excel sheet takes a while
    sizes = {name: table_bytes(source) for name, source in config.data.tables.items()}
    bar = tqdm(total=sum(sizes.values()), desc="reading", unit="B", unit_scale=True, unit_divisor=1024,
               file=sys.stderr, disable=None, leave=False)
    for name, source in config.data.tables.items():
        bar.set_postfix_str(f"{Path(source.file).name}: read", refresh=True)
        table_errors: list[DataError] = []
        try:
            read = _read(source, name, config.data, on_error=table_errors.append if collect else None)
        except DataError as exc:
            if not collect:
                raise
            errors.append(exc)
            rows.append(_error_row(name, "read_file", exc))
            bar.update(sizes[name])
            continue
        if read.parts is None:
            rows.append(quality_row(name, "rows_read", "info", len(read.frame), example=read.file))
        else:   # a folder of Parquet files: how many
            rows.append(quality_row(name, "rows_read", "info", len(read.frame),
                                    example_key="ex_parts" if len(read.parts) > 1 else "ex_part",
                                    params={"folder": read.file, "parts": len(read.parts)}))
        rows.extend(_mapping_rows(name, source))
        rows.extend(read.notes)
        feeds = optional_columns_row(name, list(read.frame.columns))
        if feeds is not None:
            rows.append(feeds)
        for exc in table_errors:
            errors.append(exc)
            rows.append(_error_row(name, "column_types", exc))
        bar.set_postfix_str(f"{Path(source.file).name}: check", refresh=True)
        latest, basis = _latest_plausible(source, config.data)
        checked, problems, frame = check_table(read.frame, name, file=read.file, first_row=read.first_row,
                                               user_names=read.user_names, thresholds=config.thresholds,
                                               latest_plausible=latest, latest_basis=basis, parts=read.parts)
        rows.extend(checked)
        errors.extend(problems)
        if problems and not collect:
            break
        read.frame = frame
        reads[name] = read
        data.sources[name] = read.file
        bar.update(sizes[name])
    bar.close()
    if not errors or collect:
        rows.extend(check_relations({n: r.frame for n, r in reads.items()},
                                    files={n: r.file for n, r in reads.items()}))
    for name, read in reads.items():
        setattr(data, name, read.frame.reset_index(drop=True))
    data.quality = pd.DataFrame(rows, columns=QUALITY_COLUMNS).astype({"count": "int64"})
    return data, errors


def table_bytes(source: TableSource) -> int:
    """Bytes of a table's file (of its parts, for a folder of Parquet files); 0 when it is not there."""
    try:
        path = Path(source.file)
        return folder_size(path) if path.is_dir() else path.stat().st_size
    except OSError:
        return 0


def _latest_plausible(source: TableSource, data: DataSources) -> tuple[pd.Timestamp | None, str]:
    """The latest date a table may hold: ``data.as_of``, else the file's modification date (when it was exported
    or copied), plus ``data.future_days``; with the basis in words for the message."""
    if data.as_of is not None:
        export, what = pd.Timestamp(data.as_of), f"data.as_of {data.as_of:%Y-%m-%d}"
    else:
        try:
            path = Path(source.file)
            mtime = folder_mtime(path) if path.is_dir() else path.stat().st_mtime
        except OSError:
            return None, ""
        if mtime is None:
            return None, ""
        export = pd.Timestamp(mtime, unit="s").normalize()
        what = f"the file's date {export:%Y-%m-%d}"
    limit = export + pd.Timedelta(days=data.future_days + 1) - pd.Timedelta(microseconds=1)
    days = "1 day" if data.future_days == 1 else f"{data.future_days} days"
    return limit, f"more than {days} after {what}"


def _mapping_rows(name: str, source: TableSource) -> list[dict[str, Any]]:
    """Warn about mappings onto names the contract does not know (typos such as 'chanel')."""
    spec = TABLES[name]
    known = (*spec.required, *spec.optional, *spec.dates)
    odd = [(user, target) for user, target in source.columns.items()
           if target not in known and not any(target.startswith(p) for p in spec.prefixes)]
    mappings = []
    for user, target in odd[:3]:
        close = difflib.get_close_matches(target, known, n=1)
        mappings.append({"key": "mapping_close", "params": {"user": user, "target": target, "close": close[0]}}
                        if close else {"key": "mapping", "params": {"user": user, "target": target}})
    return [quality_row(name, "mapped_columns", "warning" if odd else "info", len(odd), params={"mappings": mappings},
                        example_key="ex_mapped_columns" if odd else "")]


def _error_row(table: str, check_key: str, exc: DataError) -> dict[str, Any]:
    """An error as a quality row: the example is the error's message (English, as every error)."""
    return quality_row(table, check_key, "error", max(len(exc.rows), 1), example=str(exc))


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
    Checks (see :mod:`kit.data.schema`): required columns, types, ranges (NPS 0-10 whole
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
    >>> from kit.data.config import load_config
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
        Columns ``table, check, severity, count, example`` (English), then ``check_key,
        example_key, params`` (see :func:`translate_quality_report`); severity is ``error``
        (the example is the full message), ``warning`` or ``info`` (passed checks
        have count 0).

    Examples
    --------
    >>> from kit.data.config import load_config
    >>> from kit.sample import sample_config_path
    >>> report = validate(load_config(sample_config_path()))  # doctest: +SKIP
    >>> (report["severity"] == "error").any()  # doctest: +SKIP
    False
    """
    data, _ = _load(config, collect=True)
    return data.quality


def translate_quality_report(report: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The quality report with its ``check`` and ``example`` texts in ``lang``.

    Each row is rendered from its ``check_key``, ``example_key`` and ``params`` by
    :func:`kit.data.check_texts.check_text`. Examples without a key (file names, error messages, dates,
    ids) are the same in every language; English returns the report as it is.

    Parameters
    ----------
    report : DataFrame
        Output of :func:`validate` (or ``LoyaltyData.quality``).
    lang : {"en", "de"}

    Returns
    -------
    DataFrame
        A copy with ``check`` and ``example`` translated (the keys and parameters kept).

    Examples
    --------
    >>> from kit.data.contract import quality_row
    >>> report = pd.DataFrame([quality_row("surveys", "driver_scale", "info", 0, example_key="ex_driver_scale",
    ...                                    params={"column": "driver_price", "scale": "0-10"})])
    >>> translate_quality_report(report, "de")[["check", "example"]].values.tolist()
    [['driver_price: Skala', 'als Skala 0-10 gelesen']]
    """
    if lang == "en" or report.empty or not {"check_key", "example_key", "params"} <= set(report.columns):
        return report
    out = report.copy()
    params = [p if isinstance(p, dict) else {} for p in report["params"]]
    out["check"] = [check_text(key, lang, p) if isinstance(key, str) and key else check
                    for key, p, check in zip(report["check_key"], params, report["check"], strict=False)]
    out["example"] = [check_text(key, lang, p) if isinstance(key, str) and key else example
                      for key, p, example in zip(report["example_key"], params, report["example"], strict=False)]
    return out


def format_quality_report(report: pd.DataFrame, *, width: int = 110, lang: str = "en") -> str:
    """Render the quality report as a plain-text table for a terminal.

    Parameters
    ----------
    report : DataFrame
        Output of :func:`validate` (or ``LoyaltyData.quality``).
    width : int
        Maximum line width; long examples are cut in the table and errors are
        repeated in full below it.
    lang : {"en", "de"}
        English: the column ids as headers, table ids, severities and counts as stored (scripts may
        read them). German: headers, table names, severities, checks and examples in German, counts
        with thousands dots; error messages stay English.

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
        return text("quality_none", lang)
    english = lang == "en"
    shown = translate_quality_report(report, lang).copy()
    shown["example"] = shown["example"].fillna("").astype("str").str.replace("\n", " ", regex=False)
    errors = shown[shown["severity"] == "error"]
    warnings = shown[shown["severity"] == "warning"]
    if not english:
        shown["table"] = shown["table"].map(lambda t: table_name(str(t), lang))
        shown["severity"] = shown["severity"].map(lambda v: text(f"cat_{v}", lang) if f"cat_{v}" in LABELS else v)
        shown["count"] = shown["count"].map(lambda n: format_value(n, "count", lang))
    heads = ["table", "check", "severity", "count"]
    titles = dict(zip([*heads, "example"], ["table", "check", "severity", "count", "example"] if english else
                      [text(key, lang) for key in ("col_table", "col_check", "col_dq_severity", "col_dq_count",
                                                   "col_example")], strict=False))
    widths = {h: max(len(titles[h]), shown[h].astype("str").str.len().max()) for h in heads}
    room = max(20, width - sum(widths.values()) - 2 * len(heads))
    lines = ["  ".join(titles[h].ljust(widths[h]) for h in heads) + "  " + titles["example"]]
    for _, row in shown.iterrows():
        example = row["example"] if len(row["example"]) <= room else row["example"][:room - 1] + "…"
        cells = [str(row[h]).ljust(widths[h]) if h != "count" else str(row[h]).rjust(widths[h]) for h in heads]
        lines.append("  ".join(cells) + "  " + example)
    counts = {"errors": len(errors), "warnings": len(warnings), "checks": len(shown)}
    lines.append("")
    lines.append(text("quality_counts", lang, **{k: str(n) if english else format_value(n, "count", lang)
                                                 for k, n in counts.items()}))
    if len(errors):
        lines.append("")
        lines.append(text("quality_errors", lang))
        lines.extend(f"- {message}" for message in errors["example"])
    return "\n".join(line.rstrip() for line in lines)
