"""More file shapes for :mod:`kit.data.rawtables`: compressed files and JSON / NDJSON records.

A ``.gz``, ``.bz2``, ``.xz`` or ``.zip`` file is opened in memory and read by the format of the name
inside (``orders.csv.gz`` is a CSV; a ZIP holds exactly one table file). JSON is a list of records
(``[{...}, {...}]``), an object with one list of records (``{"orders": [...]}``), or NDJSON (one
record per line, ``.ndjson`` / ``.jsonl``); nested objects become ``parent.child`` columns. Numbers
stay numbers (like Parquet cells), everything else arrives as text.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from kit.errors import DataError

__all__ = ["COMPRESSED", "JSON_SUFFIXES", "decompress", "read_json_records"]

COMPRESSED = (".gz", ".bz2", ".xz", ".zip")
JSON_SUFFIXES = (".json", ".ndjson", ".jsonl")
_MAX_RECORD_ERRORS = 5


def decompress(path: Path) -> tuple[str, bytes]:
    """The inner file's name and bytes of a compressed file (read into memory; the file is not changed).

    Raises
    ------
    DataError
        The file is not what its suffix says, or a ZIP holds no or several table files.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/") and not n.startswith("__MACOSX")
                         and not Path(n).name.startswith(".")]
                if len(names) != 1:
                    found = ", ".join(repr(n) for n in names[:10]) or "none"
                    raise DataError(f"the ZIP archive holds {len(names)} files ({found})", file=path.name,
                                    expected="exactly one table file (CSV, Excel, JSON or Parquet) in the archive",
                                    fix="put one table per ZIP file, or unpack it and point data.tables.<name>.file "
                                        "at the table")
                return Path(names[0]).name, archive.read(names[0])
        opener = {".gz": gzip.decompress, ".bz2": bz2.decompress, ".xz": lzma.decompress}[suffix]
        return path.stem, opener(path.read_bytes())
    except (OSError, EOFError, zipfile.BadZipFile, lzma.LZMAError) as exc:
        raise DataError(f"cannot be unpacked as a {suffix} file ({type(exc).__name__}: {exc})", file=path.name,
                        expected=f"a {suffix} compressed file", fix="export the table again, or check that the "
                        "file suffix matches its format") from None


def _records(document: object, name: str) -> list[object]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        lists = [k for k, v in document.items() if isinstance(v, list)]
        if len(lists) == 1:
            return document[lists[0]]
    shape = type(document).__name__ if not isinstance(document, dict) else \
        f"an object with keys {', '.join(map(repr, list(document)[:8]))}"
    raise DataError(f"the JSON is {shape}, not a list of records", file=name,
                    expected='a list of records ([{"order_id": ...}, ...]), an object holding one such list, '
                             "or one record per line (NDJSON)",
                    fix="export the table as a list of records, or as JSON lines")


def _ndjson(text: str, name: str) -> list[object]:
    records: list[object] = []
    bad: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            bad.append(number)
    if bad:
        raise DataError(f"{len(bad)} line{'s' if len(bad) > 1 else ''} {'are' if len(bad) > 1 else 'is'} not JSON",
                        file=name, rows=bad[:_MAX_RECORD_ERRORS], expected="one JSON record per line (NDJSON)",
                        fix="correct those lines or export the table again")
    return records


def _column(values: pd.Series) -> pd.Series:
    """Numbers stay numbers (as Parquet cells); every other value becomes its text, None stays missing."""
    present = values.dropna()
    if len(present) and present.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all():
        return pd.to_numeric(values, errors="coerce").astype("float64")
    return values.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                      else ("true" if v is True else "false" if v is False
                            else json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else str(v)))


def read_json_records(content: bytes, name: str) -> pd.DataFrame:
    """A table from JSON records, a JSON object holding one list of records, or NDJSON.

    Parameters
    ----------
    content : bytes
        The file's bytes (UTF-8, with or without BOM).
    name : str
        File name, for messages (``.ndjson`` and ``.jsonl`` are read line by line).

    Returns
    -------
    DataFrame
        One row per record, one column per key (nested objects as ``parent.child``).

    Raises
    ------
    DataError
        Not UTF-8, not JSON, not records, or records that are not objects.

    Examples
    --------
    >>> read_json_records(b'[{"id": "A", "total": 1.5, "customer": {"id": 7}}]', "o.json").to_dict("records")
    [{'id': 'A', 'total': 1.5, 'customer.id': 7.0}]
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"is not UTF-8 text (byte {exc.start})", file=name, expected="JSON in UTF-8",
                        fix="export the JSON as UTF-8") from None
    if not text.strip():
        raise DataError("the file is empty", file=name, expected="a header row and data rows",
                        fix="export the table again")
    if Path(name).suffix.lower() in (".ndjson", ".jsonl"):
        records = _ndjson(text, name)
    else:
        try:
            records = _records(json.loads(text), name)
        except json.JSONDecodeError as exc:
            if exc.msg != "Extra data":
                raise DataError(f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",
                                file=name, expected="a list of JSON records",
                                fix="correct the file or export it again") from None
            records = _ndjson(text, name)  # several records, one per line
    odd = [i + 1 for i, r in enumerate(records) if not isinstance(r, dict)]
    if odd:
        raise DataError(f"{len(odd)} record{'s' if len(odd) > 1 else ''} {'are' if len(odd) > 1 else 'is'} not "
                        f"an object", file=name, rows=odd[:_MAX_RECORD_ERRORS],
                        expected='records like {"order_id": "A-1", "revenue": 9.5}',
                        fix="export the table as a list of records")
    frame = pd.json_normalize(records, sep=".") if records else pd.DataFrame()
    return pd.DataFrame({str(c): _column(frame[c].astype(object)) for c in frame.columns}, index=frame.index)
