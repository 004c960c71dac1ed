"""A folder of Parquet files read as one table (what Spark, DuckDB's ``COPY ... (PARTITION_BY ...)``, a data
lake or a chunked export write).

The parts are the folder's ``.parquet`` / ``.pq`` files, also in subfolders, in name order (``part-00000``,
``part-00001``, ...); names starting with ``_`` or ``.`` (``_SUCCESS``, ``_delta_log``, ``.crc``) are not parts.
Hive-style subfolders (``region=DE/part-0.parquet``) add their key as a column of text, as a CSV cell would be;
symlinked subfolders are followed. Every part must have the same columns; their order, nullability and compatible
types may differ (``string`` and ``large_string``, timestamps in ms and us, a column empty in one part) and are
combined as pyarrow promotes them; a part whose column cannot be combined is named, with the column, before anything
is read. A pandas index stored as a column (``__index_level_0__``) is left out, as when one file is read. A Delta or
Iceberg table folder is refused: its Parquet files also hold the rows' old versions.

Rows count across the parts in name order, like one long file. A :class:`~kit.errors.DataError` that names rows
is pointed at the part that holds the first of them, with the rows counted inside that part
(:func:`in_part`), so the message leads to the file to open.
"""

from __future__ import annotations

import bisect
import os
import re
from pathlib import Path

import pandas as pd

from kit.errors import DataError

__all__ = ["PARQUET_SUFFIXES", "parquet_parts", "read_parquet_folder", "in_part", "row_labels", "folder_size",
           "folder_mtime"]

PARQUET_SUFFIXES = (".parquet", ".pq")


_INDEX = re.compile(r"__index_level_\d+__$")   # a pandas index stored as a column: not data (as for one file)
#: What a table format keeps beside its Parquet files: old versions of the rows live on in them.
_TABLE_FORMATS = {"_delta_log": "a Delta table", "metadata": "an Iceberg table"}


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
    # the folder's own subfolders first: a symlink to one of them (latest -> region=DE) is not read twice, and
    # not instead of it; a symlink to a folder outside is followed (each such folder once, in name order)
    seen = {os.path.realpath(root) for root, _, _ in os.walk(folder)}
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs.sort()
        keep = []
        for d in dirs:
            if d.startswith(("_", ".")):
                continue
            path = os.path.join(root, d)
            if os.path.islink(path):
                real = os.path.realpath(path)
                if real in seen:   # inside the tree already, or a link back up it
                    continue
                seen.update(os.path.realpath(r) for r, _, _ in os.walk(real))
            keep.append(d)
        dirs[:] = keep
        rel_root = Path(root).relative_to(folder)
        found += [rel_root / f for f in files
                  if Path(f).suffix.lower() in PARQUET_SUFFIXES and not f.startswith(("_", "."))]
    return [folder / rel for rel in sorted(found, key=lambda p: p.as_posix()) if (folder / rel).is_file()]


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
    for marker, kind in _TABLE_FORMATS.items():
        if (folder / marker).is_dir() and (marker != "metadata" or any((folder / marker).glob("*.metadata.json"))):
            raise DataError(f"the folder is {kind} ({marker}/): its Parquet files hold old versions of the rows too",
                            file=name, expected="a folder of plain Parquet files, or one file",
                            fix=f"export the table's current rows (in DuckDB: COPY (SELECT * FROM ...) TO "
                                f"'{folder.name}.parquet'), and point data.tables.<name>.file at that")
    metas = []
    for path in files:
        relative = path.relative_to(folder)
        try:
            meta = pq.ParquetFile(path)
        except (OSError, pa.ArrowException) as exc:
            raise DataError(f"part {relative.as_posix()!r} cannot be read as Parquet ({type(exc).__name__}: {exc})",
                            file=name, expected="only Parquet files in the folder (or names starting with _ or .)",
                            fix="export the part again, or move it out of the folder") from None
        schema = pa.schema([f for f in meta.schema_arrow if not _INDEX.match(f.name)])
        metas.append((path, relative, meta.metadata.num_rows, schema))
    # the parts' columns must be the same; their order, nullability and compatible types may differ (a column
    # empty in one part is of type null there, one writer stores string and another large_string, timestamps in
    # ms or us, whole numbers where another part has decimals): they are combined as pyarrow promotes them
    first = metas[0]
    columns, first_keys = first[3].names, list(_hive_keys(first[1]))
    for _, relative, _, schema in metas:
        repeated = sorted({c for c in schema.names if schema.names.count(c) > 1})
        if repeated:
            raise DataError(f"part {relative.as_posix()!r} has column {repeated[0]!r} twice", file=name,
                            column=repeated[0], expected="each column once", fix="export the part again")
    unified = first[3].remove_metadata()
    origin = dict.fromkeys(columns, first[1].as_posix())   # the part that gave each column its type so far
    for _, relative, _, schema in metas[1:]:
        keys = list(_hive_keys(relative))
        if set(schema.names) != set(columns) or keys != first_keys:
            raise DataError(_difference(relative.as_posix(), schema.names, keys, first[1].as_posix(), columns,
                                        first_keys),
                            file=name, expected="every part with the same columns",
                            fix="export all parts of the table with the same columns, or move the odd part out of "
                                "the folder")
        try:
            merged = pa.unify_schemas([unified, schema.remove_metadata()], promote_options="permissive")
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            col = next(c for c in columns if not _combines(unified.field(c).type, schema.field(c).type))
            raise _clash(name, relative.as_posix(), col, schema.field(col).type, origin[col],
                         unified.field(col).type) from None
        for c in columns:
            if merged.field(c).type != unified.field(c).type and not pa.types.is_null(schema.field(c).type):
                origin[c] = relative.as_posix()
        unified = merged
    fields = []
    for c in columns:   # the first part's order, nullable; timestamps of mixed units in us, not ns: 9999-12-31
        kind = unified.field(c).type    # (an open end) fits us, and the kit reads dates to the second
        units = {s.field(c).type.unit for *_, s in metas if pa.types.is_timestamp(s.field(c).type)}
        if pa.types.is_timestamp(kind) and kind.unit == "ns" and len(units) > 1:
            kind = pa.timestamp("us", tz=kind.tz)
        fields.append(pa.field(c, kind))
    target = pa.schema(fields, metadata=_pandas_metadata(first[3], first[0], columns, fields))
    tables = []
    for path, relative, _rows, schema in metas:
        table = pq.read_table(path, columns=columns).select(columns)
        try:
            table = table.cast(target)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            col = next((f.name for f in target if not _casts(table.column(f.name), f.type)), columns[0])
            raise DataError(f"part {relative.as_posix()!r}: column {col!r} ({schema.field(col).type}) does not fit "
                            f"the type of the other parts ({target.field(col).type}): {exc}", file=name, column=col,
                            expected="every part with the same columns and types",
                            fix="export all parts of the table with the same types") from None
        for key, value in _hive_keys(relative).items():
            if key in table.column_names:
                raise DataError(f"the folder name {key}={value} repeats column {key!r} of part "
                                f"{relative.as_posix()!r}", file=name, column=key,
                                expected="Hive folder keys that are not columns of the parts",
                                fix="rename the folder key or the column")
            table = table.append_column(key, pa.array([value] * table.num_rows, pa.string()))
        tables.append(table)
    frame = pa.concat_tables(tables).to_pandas() if len(tables) > 1 else tables[0].to_pandas()
    frame.columns = [str(c) for c in frame.columns]
    del tables
    return frame.reset_index(drop=True), [(relative.as_posix(), rows) for _, relative, rows, _ in metas]


def _clash(name: str, part: str, col: str, kind, origin: str, origin_kind) -> DataError:  # noqa: ANN001
    return DataError(f"part {part!r} stores column {col!r} as {kind}, {origin!r} as {origin_kind}", file=name,
                     column=col, expected="every part with the same columns and types",
                     fix="export all parts of the table with the same types, or move the odd part out of the folder")


def _casts(column, kind) -> bool:  # noqa: ANN001 - a pyarrow ChunkedArray and DataType
    import pyarrow as pa

    try:
        column.cast(kind)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return False
    return True


def _pandas_metadata(schema, path: Path, columns: list[str], fields: list) -> dict | None:  # noqa: ANN001
    """The first part's pandas metadata for the folder's table: nullable integers, booleans and strings come back as
    pandas wrote them (as when one file is read). Index levels become plain columns; a column whose type the
    other parts changed keeps no entry (its pandas type no longer holds)."""
    import json

    import pyarrow.parquet as pq

    raw = (pq.read_schema(path).metadata or {}).get(b"pandas")
    if not raw:
        return None
    meta = json.loads(raw)
    same = {f.name for f in fields if schema.field(f.name).type == f.type}
    meta["index_columns"] = []
    meta["column_indexes"] = []
    meta["columns"] = [c for c in meta.get("columns", []) if c.get("field_name") in columns
                       and c.get("field_name") in same]
    return {b"pandas": json.dumps(meta).encode()}


def _combines(a, b) -> bool:  # noqa: ANN001 - pyarrow DataTypes
    import pyarrow as pa

    try:
        pa.unify_schemas([pa.schema([("c", a)]), pa.schema([("c", b)])], promote_options="permissive")
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return False
    return True


def _difference(part: str, names: list[str], keys: list[str], first: str, first_names: list[str],
                first_keys: list[str]) -> str:
    missing = [c for c in first_names if c not in names]
    extra = [c for c in names if c not in first_names]
    if missing:
        what = f"has no column {missing[0]!r}"
    elif extra:
        what = f"has a column {extra[0]!r} that {first!r} has not"
    else:
        what = f"lies under the folder keys {keys or 'none'}, {first!r} under {first_keys or 'none'}"
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
    where = _locate(exc.rows, parts, first_row)
    first = where[0][0]
    if first is None:
        return exc
    keep = [i for i, (w, _) in enumerate(where) if w == first]
    local = [where[i][1] for i in keep]
    values = [exc.values[i] for i in keep if i < len(exc.values)] if exc.values else None
    elsewhere = [f"row {row} of {parts[w][0]}" for w, row in where if w is not None and w != first]
    problem = exc.problem + (f"; also {', '.join(elsewhere)}" if elsewhere else "")
    return DataError(problem, file=f"{folder}/{parts[first][0]}", column=exc.column, rows=local, values=values,
                     expected=exc.expected, fix=exc.fix)


def _locate(rows: list[int], parts: list[tuple[str, int]], first_row: int) -> list[tuple[int | None, int]]:
    """Each row of the whole folder as (index of its part, its row inside that part); (None, row) outside."""
    starts = [0]
    for _, n in parts:
        starts.append(starts[-1] + n)
    located = []
    for r in rows:
        w = bisect.bisect_right(starts, r - first_row) - 1
        located.append((w, r - starts[w]) if 0 <= w < len(parts) else (None, r))
    return located


def row_labels(rows: list[int], parts: list[tuple[str, int]] | None, first_row: int) -> list[str]:
    """Rows of a whole folder as ``"<row> in <part>"`` (for warnings' row lists); plain numbers without parts.

    Examples
    --------
    >>> row_labels([3, 9], [("part-0.parquet", 4), ("part-1.parquet", 10)], 2)
    ['3 in part-0.parquet', '5 in part-1.parquet']
    >>> row_labels([3, 9], None, 2)
    ['3', '9']
    """
    if not parts:
        return [str(r) for r in rows]
    return [f"{row} in {parts[w][0]}" if w is not None else str(row) for w, row in _locate(rows, parts, first_row)]


def folder_size(folder: Path) -> int:
    """Bytes of a folder's Parquet parts."""
    return sum(p.stat().st_size for p in parquet_parts(folder))


def folder_mtime(folder: Path) -> float | None:
    """Modification time of a folder's newest Parquet part (None without parts)."""
    times = [p.stat().st_mtime for p in parquet_parts(folder)]
    return max(times) if times else None
