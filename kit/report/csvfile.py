"""The one CSV writer of the kit's exports: cells a spreadsheet would run as a formula are made plain text.

A manager opens ``watchlist.csv`` or ``actions.csv`` in Excel or LibreOffice; a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read there as a formula
(``=HYPERLINK("http://evil.example/", "click")``, ``=cmd|' /C calc'!A0``), the attack OWASP calls
"CSV injection". Customer ids (with ``privacy.pseudonymise: false``), segments, exit reasons and action
titles are user strings, so every export goes through :func:`write_csv`, which puts a single quote before
such a cell (the OWASP rule). Numbers stay numbers: numeric columns are untouched, and a text cell that is
a plain number (``-12.5``) is kept as it is.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

__all__ = ["neutralise_formulas", "write_csv", "FORMULA_STARTS"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)."""

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][+-]?\d+)?")


def _safe_cell(value: object) -> object:
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        value = "'" + value
    if "\r" in value:   # the CSV writer quotes cells with a line feed, not with a lone carriage return
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot start a spreadsheet formula.

    Parameters
    ----------
    frame : DataFrame
        Any table about to be exported.

    Returns
    -------
    DataFrame
        Same shape, index and dtypes; a text cell starting with one of :data:`FORMULA_STARTS` gets a
        leading ``'`` unless it is a plain number such as ``-12.5``; carriage returns become line feeds.

    Examples
    --------
    >>> t = pd.DataFrame({"segment": ["=1+2", "-5", "@SUM(A1)", "gold"], "value": [-1.0, 2.0, 3.0, 4.0]})
    >>> neutralise_formulas(t).to_dict("list")
    {'segment': ["'=1+2", '-5', "'@SUM(A1)", 'gold'], 'value': [-1.0, 2.0, 3.0, 4.0]}
    """
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype | pd.CategoricalDtype):
            out[col] = values.astype(object).map(_safe_cell)
    out.columns = [_safe_cell(c) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: Path, *, mode: int | None = None) -> Path:
    """Write ``frame`` as a UTF-8 CSV without its index, formula cells neutralised.

    A carriage return inside a cell becomes a line feed, which the writer quotes: a lone one would
    otherwise end the row in a spreadsheet and start a new one with the rest of the cell.

    Parameters
    ----------
    frame : DataFrame
        The table to export.
    path : Path
        The file to write.
    mode : int, optional
        Permissions of the file (e.g. ``0o600`` for a private key file), set when it is created, before any
        byte is written; default: as the umask allows.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.csv"
    >>> write_csv(pd.DataFrame({"owner": ["=cmd|' /C calc'!A0"]}), p).read_bytes().decode()
    "owner\\n'=cmd|' /C calc'!A0\\n"
    """
    if mode is None:
        neutralise_formulas(frame).to_csv(path, index=False, encoding="utf-8")
        return Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.fchmod(fd, mode)   # an existing file, or a umask that took bits away
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        neutralise_formulas(frame).to_csv(f, index=False)
    return Path(path)
