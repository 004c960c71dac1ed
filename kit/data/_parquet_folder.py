"""A folder of Parquet files read as one table (what Spark, DuckDB's ``COPY ... (PARTITION_BY ...)``, a data
lake or a chunked export write).

The parts are the folder's ``.parquet`` / ``.pq`` files, also in subfolders, in name order (``part-00000``,
``part-00001``, ...); names starting with ``_`` or ``.`` (``_SUCCESS``, ``_delta_log``, ``.crc``) are not parts.
Hive-style subfolders (``region=DE/part-0.parquet``) add their key as a column of text, as a CSV cell would be.
Every part must have the same columns with the same types: a part that differs is named, with the column,
before anything is read.

Rows count across the parts in name order, like one long file. A :class:`~kit.errors.DataError` that names rows
is pointed at the part that holds the first of them, with the rows counted inside that part
(:func:`in_part`), so the message leads to the file to open.
"""

from __future__ import annotations

import bisect
from pathlib import Path

import pandas as pd

from kit.errors import DataError

__all__ = ["PARQUET_SUFFIXES", "parquet_parts", "read_parquet_folder", "in_part", "folder_size", "folder_mtime"]

PARQUET_SUFFIXES = (".parquet", ".pq")


def _skipped(relative: Path) -> bool:
    return any(part.startswith(("_", ".")) for part in relative.parts)


def parquet_parts(folder: Path) -> list[Path]:
    """The Parquet files of ``folder`` (subfolders included), in name order; hidden and ``_`` names left out.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for name in ("part-1.parquet", "part-0.parquet", "_SUCCESS", "region=DE/part-0.parquet"):
    ...     (d / name).parent.mkdir(exist_ok=True); _ = (d / name).write_bytes(b"")
    >>> [p.relative_to(d).as_posix() for p in parquet_parts(d)]
    ['part-0.parquet', 'part-1.parquet', 'region=DE/part-0.parquet']
    """
    folder = Path(folder)
    return sorted((p for p in folder.rglob("*") if p.suffix.lower() in PARQUET_SUFFIXES and p.is_file()
                   and not _skipped(p.relative_to(folder))), key=lambda p: p.relative_to(folder).as_posix())


def _hive_keys(relative: Path) -> dict[str, str | None]:
    """``key=value`` folder names on the way to a part (Hive partitioning; ``%``-escapes decoded, Hive's
    ``__HIVE_DEFAULT_PARTITION__`` is a missing value)."""
    from urllib.parse import unquote

    keys: dict[str, str | None] = {}
    for name in relative.parts[:-1]:
        key, sep, value = name.partition("=")
        if sep and key:
            keys[unquote(key)] = None if value == "__HIVE_DEFAULT_PARTITION__" else unquote(value)
    return keys


def _describe(schema, types: dict[str, object]) -> dict[str, str]:  # noqa: ANN001 - a pyarrow Schema
    """Column -> type; a column of type null (empty in this part) counts as the type the other parts give it."""
    return {field.name: str(types.get(field.name, field.type) if str(field.type) == "null" else field.type)
            for field in schema}


def read_parquet_folder(folder: Path) -> tuple[pd.DataFrame, list[tuple[str, int]]]:
    """Read every part of a Parquet folder into one frame, as :func:`pandas.read_parquet` reads one part.

    Returns
    -------
    frame : DataFrame
        The parts' rows in name order (index 0..n-1), Hive keys as text columns after the file's own.
    parts : list of (str, int)
        Each part's path relative to ``folder`` and its number of rows, in the order of the rows.

    Raises
    ------
    DataError
        No Parquet file in the folder; a part that is not Parquet; parts whose columns or types differ.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    name = folder.name + "/"
    files = parquet_parts(folder)
    if not files:
        others = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())[:5]
        found = f"; files found: {', '.join(map(repr, others))}" if others else "; the folder is empty"
        raise DataError(f"the folder holds no Parquet file (.parquet or .pq){found}", file=name,
                        expected="a folder of Parquet files with the same columns (part-0.parquet, part-1.parquet, "
                                 "...), or one table file",
                        fix="point data.tables.<name>.file at the folder of the table's Parquet files, or at a file")
    metas = []
    for path in files:
        relative = path.relative_to(folder)
        try:
            meta = pq.ParquetFile(path)
        except (OSError, pa.ArrowException) as exc:
            raise DataError(f"part {relative.as_posix()!r} cannot be read as Parquet ({type(exc).__name__}: {exc})",
                            file=name, expected="only Parquet files in the folder (or names starting with _ or .)",
                            fix="export the part again, or move it out of the folder") from None
        metas.append((path, relative, meta.metadata.num_rows, meta.schema_arrow))
    # a column that is empty in a part is stored as type null there (a chunk of a pandas export with no refund):
    # it takes the type the other parts give it
    types: dict[str, object] = {}
    for *_, schema in metas:
        for field in schema:
            if not pa.types.is_null(field.type):
                types.setdefault(field.name, field.type)
    first = metas[0]
    first_schema, first_keys = _describe(first[3], types), list(_hive_keys(first[1]))
    for _, relative, _, schema in metas[1:]:
        described, keys = _describe(schema, types), list(_hive_keys(relative))
        if described != first_schema or keys != first_keys:
            raise DataError(_difference(relative.as_posix(), described, keys, first[1].as_posix(), first_schema,
                                        first_keys),
                            file=name, expected="every part with the same columns and types",
                            fix="export all parts of the table with the same columns, or move the odd part out of "
                                "the folder")
    tables = []
    for path, relative, _rows, _schema in metas:
        table = pq.read_table(path)
        for i, field in enumerate(table.schema):
            if pa.types.is_null(field.type) and field.name in types:
                table = table.set_column(i, field.name, pa.nulls(table.num_rows, types[field.name]))
        for key, value in _hive_keys(relative).items():
            if key in table.column_names:
                raise DataError(f"the folder name {key}={value} repeats column {key!r} of part "
                                f"{relative.as_posix()!r}", file=name, column=key,
                                expected="Hive folder keys that are not columns of the parts",
                                fix="rename the folder key or the column")
            table = table.append_column(key, pa.array([value] * table.num_rows, pa.string()))
        tables.append(table)
    frame = pa.concat_tables(tables).to_pandas() if len(tables) > 1 else tables[0].to_pandas()
    del tables
    return frame.reset_index(drop=True), [(relative.as_posix(), rows) for _, relative, rows, _ in metas]


def _difference(part: str, schema: dict[str, str], keys: list[str], first: str, first_schema: dict[str, str],
                first_keys: list[str]) -> str:
    missing = [c for c in first_schema if c not in schema]
    extra = [c for c in schema if c not in first_schema]
    typed = [c for c in schema if c in first_schema and schema[c] != first_schema[c]]
    if missing:
        what = f"has no column {missing[0]!r}"
    elif extra:
        what = f"has a column {extra[0]!r} that {first!r} has not"
    elif typed:
        col = typed[0]
        what = f"stores column {col!r} as {schema[col]}, {first!r} as {first_schema[col]}"
    elif keys != first_keys:
        what = f"lies under the folder keys {keys or 'none'}, {first!r} under {first_keys or 'none'}"
    else:
        what = "has its columns in another order"
    return f"part {part!r} {what}"


def in_part(exc: DataError, parts: list[tuple[str, int]] | None, first_row: int, folder: str) -> DataError:
    """``exc`` pointed at the part of a folder that holds its first row, rows counted inside that part.

    ``exc`` names rows of the whole folder (``first_row`` is the number of its first data row). Without rows or
    parts it is returned as it is.

    Examples
    --------
    >>> exc = DataError("2 values are not dates", file="orders/", column="Datum", rows=[3, 9], values=["x", "y"])
    >>> str(in_part(exc, [("part-0.parquet", 4), ("part-1.parquet", 10)], 2, "orders"))
    "orders/part-0.parquet, column 'Datum': 2 values are not dates; also row 5 of part-1.parquet (row 3: 'x')."
    """
    if not parts or not exc.rows:
        return exc
    starts = [0]
    for _, rows in parts:
        starts.append(starts[-1] + rows)
    where = [bisect.bisect_right(starts, r - first_row) - 1 for r in exc.rows]
    first = where[0]
    if not 0 <= first < len(parts):
        return exc
    keep = [i for i, w in enumerate(where) if w == first]
    local = [exc.rows[i] - starts[first] for i in keep]
    values = [exc.values[i] for i in keep if i < len(exc.values)] if exc.values else None
    elsewhere = [f"row {r - starts[w]} of {parts[w][0]}" for r, w in zip(exc.rows, where, strict=True)
                 if w != first and 0 <= w < len(parts)]
    problem = exc.problem + (f"; also {', '.join(elsewhere)}" if elsewhere else "")
    located = DataError(problem, file=f"{folder}/{parts[first][0]}", column=exc.column, rows=local, values=values,
                        expected=exc.expected, fix=exc.fix)
    return located


def folder_size(folder: Path) -> int:
    """Bytes of a folder's Parquet parts."""
    return sum(p.stat().st_size for p in parquet_parts(folder))


def folder_mtime(folder: Path) -> float | None:
    """Modification time of a folder's newest Parquet part (None without parts)."""
    times = [p.stat().st_mtime for p in parquet_parts(folder)]
    return max(times) if times else None
