"""Odd input that used to pass silently: a header with a column name twice, NUL bytes inside cells, and a small
Excel file that unpacks to millions of rows. Used by :mod:`kit.data.rawtables` and :mod:`kit.data.io`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from kit.data._arrow_text import any_byte
from kit.errors import DataError

__all__: list[str] = []   # private to kit.data

_MANGLED = re.compile(r"^(.*)\.(\d+)$")


def duplicate_headers(columns: list[str]) -> dict[str, list[int]]:
    """Names that occur more than once in a header -> their 1-based column positions.

    pandas renames the second ``Kundennummer`` to ``Kundennummer.1``; both spellings count.

    Examples
    --------
    >>> duplicate_headers(["Nr", "Kunde", "Datum", "Kunde.1", "Kunde"])
    {'Kunde': [2, 4, 5]}
    """
    names = [str(c) for c in columns]
    base = []
    for name in names:
        match = _MANGLED.match(name)
        base.append(match.group(1) if match and match.group(1) in names else name)
    out: dict[str, list[int]] = {}
    for position, name in enumerate(base, start=1):
        out.setdefault(name, []).append(position)
    return {name: positions for name, positions in out.items() if len(positions) > 1}


def check_duplicate_headers(frame: pd.DataFrame, *, file: str, used: set[str]) -> tuple[pd.DataFrame, list[str]]:
    """Refuse a repeated column name the table uses; drop the later copies of any other and name them.

    Parameters
    ----------
    frame : DataFrame
        The table as read (user's column names; pandas' ``.1`` copies included).
    file : str
        File name for the message.
    used : set of str
        Column names the configuration maps or the contract knows.

    Returns
    -------
    frame : DataFrame
        Without the later copies of unused repeated columns.
    dropped : list of str
        The repeated names whose later copies were dropped (for a warning).

    Raises
    ------
    DataError
        A column the analysis uses appears twice: it cannot tell which one holds the data.
    """
    repeated = duplicate_headers(list(frame.columns))
    for name, positions in repeated.items():
        if name in used:
            raise DataError(f"the header has column {name!r} {len(positions)} times (columns "
                            f"{', '.join(map(str, positions))}), so it is not clear which one holds the data",
                            file=file, column=name, expected="each column name once in the header",
                            fix="rename or remove the extra column in the export")
    if not repeated:
        return frame, []
    keep = [i for i, pos in enumerate(range(1, frame.shape[1] + 1))
            if not any(pos in p[1:] for p in repeated.values())]
    return frame.iloc[:, keep], sorted(repeated)


def strip_nul_bytes(frame: pd.DataFrame, first_row: int) -> tuple[pd.DataFrame, int, list[int]]:
    """Remove NUL characters (``\\x00``) from text cells; returns the frame, the count of cells and their rows.

    A NUL inside a value comes from a broken export (a fixed-width field padded with zero bytes); kept,
    it makes two equal ids differ and breaks the HTML of the report. Arrow-backed text is searched cell by cell
    only when its bytes hold a zero (:func:`kit.data._arrow_text.any_byte`): a 10M-row Parquet table has none.

    Examples
    --------
    >>> f, n, rows = strip_nul_bytes(pd.DataFrame({"id": ["K1\\x00\\x00", "K2"]}), first_row=2)
    >>> f["id"].tolist(), n, rows
    (['K1', 'K2'], 1, [2])
    """
    total, rows = 0, set()
    out = frame
    for col in frame.columns:
        values = frame[col]
        if values.dtype != object and not isinstance(values.dtype, pd.StringDtype):
            continue
        if not any_byte(values, lambda b: b == 0):   # Arrow text without a zero byte: no cell to search
            continue
        hit = values.astype("string").str.contains("\x00", regex=False).fillna(False).to_numpy(dtype=bool)
        if hit.any():
            if out is frame:
                out = frame.copy()
            out.loc[hit, col] = values[hit].str.replace("\x00", "", regex=False)
            total += int(hit.sum())
            rows.update(int(i) + first_row for i in frame.index[hit])
    return out, total, sorted(rows)[:5]


def file_has_nul(path: Path) -> bool:
    """True when a text file holds a NUL byte (a fast byte search, 8 MB at a time)."""
    with Path(path).open("rb") as fh:
        while chunk := fh.read(8 * 2**20):
            if b"\x00" in chunk:
                return True
    return False


def check_sheet_size(path: Path, sheet: Any, *, header_row: int, max_rows: int) -> int:
    """Rows an Excel sheet declares (its ``dimension``), checked against ``data.max_rows`` before reading it.

    Raises
    ------
    DataError
        The sheet has more rows than ``max_rows``: a 1.7 MB workbook can unpack to a million rows and
        take minutes and gigabytes to read.
    """
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:   # noqa: BLE001 - not a workbook: the reader says so with its own message
        return 0
    try:
        names = book.sheetnames
        name = sheet if isinstance(sheet, str) else (names[sheet] if isinstance(sheet, int) and sheet < len(names)
                                                     else None)
        if name not in names:
            return 0
        rows = int(book[name].max_row or 0) - header_row
    finally:
        book.close()
    if rows > max_rows:
        raise DataError(f"sheet {name!r} has {rows:,} data rows, more than data.max_rows ({max_rows:,})",
                        file=Path(path).name, expected=f"at most {max_rows:,} rows (reading a sheet this large "
                                                        "takes minutes and gigabytes of memory)",
                        fix="check that the sheet holds no empty formatted rows below the data, export it as CSV "
                            "or Parquet, or raise data.max_rows in analysis.yaml")
    return rows
