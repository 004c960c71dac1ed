"""The tables of a report run's shared context, one private file each, loaded when a page first uses one.

``loyalty-kit run`` hands its context to the notebook kernels (:func:`kit.report.pages.share`). The tables used to
travel inside that one pickle, so every kernel unpickled every table (1.6 GB at 1M customers, about 7 s and 2 GB
of memory per kernel) whether its page read them or not. Here each table is a file of its own next to the context
and :class:`TablesOnDisk` loads it on first use: page 4 (interviews) never loads the orders, and the run itself
drops its copy of the tables while the kernels work (:func:`kit.report.pages.release`).

A table whose columns Arrow holds exactly (text, numbers, flags, dates; a plain row index) is written as an
uncompressed Arrow IPC file instead of a pickle, and a kernel maps that file into memory rather than reading it: the
columns stay in the operating system's page cache, which all kernels share, so the 1 GB order log of a 1M-customer
business is held once instead of once per page (and it is written in 1 s instead of 6). Such a frame's columns are
read-only memory; a write to one copies that column first, as copy-on-write does for any shared column
(:func:`_guard_writes`). Any other table (object or categorical columns, a labelled index, ``attrs``) stays a pickle.
"""

from __future__ import annotations

import os
import pickle
import weakref
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kit.data.contract import LoyaltyData

__all__ = ["TablesOnDisk", "TableRef", "write_tables", "loaded_table", "table_token", "table_names", "return_memory",
           "arrow_files", "table_file"]

#: LoyaltyData fields that are not tables (they travel with the context).
_NOT_TABLES = ("quality", "sources", "as_of")

#: The first bytes of an Arrow IPC file (the table files that are not pickles).
_ARROW_MAGIC = b"ARROW1"

#: Frames mapped from an Arrow file -> a shallow copy that keeps their columns "referenced" (see _guard_writes).
_SHADOWS: dict[int, pd.DataFrame] = {}

#: Frames mapped from an Arrow file -> the memory of each column as mapped (see :func:`_as_mapped`).
_MAPPED: dict[int, tuple[tuple[str, tuple[int, ...]], ...]] = {}

#: Whether a mapped table can be written to safely here: pandas 3 (copy-on-write, Arrow text) on POSIX.
_MAPPING_SAFE = int(pd.__version__.split(".", 1)[0]) >= 3 and os.name == "posix"


def table_names(data: LoyaltyData) -> list[str]:
    """The table fields of ``data`` (customers ... interviews), whether supplied or not."""
    return [f.name for f in fields(data) if f.name not in _NOT_TABLES]


@dataclass(frozen=True)
class TableRef:
    """Stands for table ``name`` of the context's data in a call key, without loading the table
    (see ``Context._arg_key``)."""

    name: str


def table_file(prefix: Path, name: str) -> Path:
    """The file of table ``name`` beside the context file ``prefix``: ``<prefix>.<name>``."""
    return prefix.with_name(f"{prefix.name}.{name}")


def write_tables(data: LoyaltyData, prefix: Path) -> dict[str, str]:
    """Write each supplied table of ``data`` to ``<prefix>.<table>`` (mode 0600, written whole or not at all): an
    Arrow IPC file when :func:`arrow_exact`, else a pickle. A table of ``data`` that is still the one loaded from
    that very file (a run sharing a second time) is not written again.

    Returns
    -------
    dict
        Table name -> file written.
    """
    files: dict[str, str] = {}
    for name in table_names(data):
        target = table_file(prefix, name)
        token = table_token(data, name)
        if isinstance(token, tuple) and token == ("file", str(target)) and target.is_file() and _as_mapped(data, name):
            files[name] = str(target)   # shared before and still the table in that file: not written again
            continue
        frame = getattr(data, name)
        if frame is None:
            continue
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        try:
            with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
                if arrow_exact(frame):
                    _write_arrow(frame, f)
                else:
                    pickle.dump(frame, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        files[name] = str(target)
    return files


class TablesOnDisk(LoyaltyData):
    """:class:`~kit.data.contract.LoyaltyData` whose tables stay in their files (:func:`write_tables`) until one is
    first read as an attribute; then it is loaded once and kept, so ``data.orders is data.orders`` holds as before.

    :meth:`available` answers without loading anything.
    """

    def __init__(self, data: LoyaltyData, files: dict[str, str]) -> None:  # noqa: D107 - see the class
        for f in fields(data):
            if f.name not in files:  # a table in a file stays unset until it is read
                self.__dict__[f.name] = getattr(data, f.name)
        self.__dict__["_files"] = dict(files)
        self.__dict__["_from_file"] = {}

    def __getattribute__(self, name: str) -> Any:
        # a table still in its file is loaded now (the dataclass's class attribute, None, would answer otherwise)
        state = object.__getattribute__(self, "__dict__")
        files = state.get("_files")
        if files and name in files and name not in state:
            frame = _load(Path(files[name]))
            state[name] = frame
            state["_from_file"][name] = frame
        return object.__getattribute__(self, name)

    def available(self) -> list[str]:
        """Names of the tables that were supplied (interviews included); loads none of them."""
        state = self.__dict__
        return [n for n in table_names(self)
                if (n in state and state[n] is not None) or (n not in state and n in state["_files"])]


def arrow_exact(frame: Any) -> bool:
    """Whether an Arrow IPC file gives ``frame`` back exactly (same values, dtypes, columns and row index).

    True for a plain :class:`pandas.DataFrame` with at least one column, a default row index (0, 1, ...), unique
    column labels of pandas' text dtype, no ``attrs``, and only columns of float64, int64, bool, time-zone-free
    datetime64 (ns or us) or pandas' default text dtype (``str``, held by Arrow). Anything else (object,
    categorical or nullable columns, a labelled index) is pickled, and so is every table where the mapping could
    not be written to safely: before pandas 3 (no copy-on-write by default, and text comes back as ``object``)
    and outside POSIX (Windows cannot delete a file that is still mapped). The sign and payload of a NaN are
    not kept (every NaN comes back as NaN).

    Examples
    --------
    >>> arrow_exact(pd.DataFrame({"customer_id": pd.array(["a", None], dtype="str"), "revenue": [1.0, float("nan")]}))
    True
    >>> arrow_exact(pd.DataFrame({"x": [1, 2]}, index=[5, 6]))
    False
    >>> arrow_exact(pd.DataFrame({"x": pd.Categorical(["a"])}))
    False
    """
    if not _MAPPING_SAFE or type(frame) is not pd.DataFrame or frame.attrs or not frame.flags.allows_duplicate_labels:
        return False
    index, columns = frame.index, frame.columns
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None):
        return False
    if (len(columns) == 0 or columns.name is not None or not columns.is_unique
            or not isinstance(columns.dtype, pd.StringDtype) or not all(type(c) is str for c in columns)):
        return False
    return all(_arrow_dtype(dtype) for dtype in frame.dtypes)


def _arrow_dtype(dtype: Any) -> bool:
    if isinstance(dtype, np.dtype):
        return dtype in (np.float64, np.int64, np.bool_) or (dtype.kind == "M" and dtype.str.endswith(("[ns]", "[us]")))
    return (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and dtype.na_value is np.nan)


def _write_arrow(frame: pd.DataFrame, f: Any) -> None:
    import pyarrow as pa
    import pyarrow.ipc as ipc

    table = pa.Table.from_pandas(frame, preserve_index=False)
    with ipc.new_file(f, table.schema) as writer:
        writer.write_table(table)


def _read_arrow(path: Path) -> pd.DataFrame:
    """The frame of an Arrow table file, its columns mapped from the file (no copy where Arrow's memory is numpy's)."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    table = ipc.open_file(pa.memory_map(str(path), "r")).read_all()
    return _guard_writes(table.to_pandas(split_blocks=True))


def _guard_writes(frame: pd.DataFrame) -> pd.DataFrame:
    """Let ``frame`` be written to although its columns are read-only memory.

    Under copy-on-write pandas copies a column before writing to it only when another frame shares it; a column
    nobody shares is written in place, which fails on a mapped file ("assignment destination is read-only"). A
    shallow copy kept while ``frame`` lives is that other frame: a write (``frame.loc[0, "revenue"] = 0``) copies
    the column and changes ``frame`` only. So does a write to a view of ``frame`` (a column, a selection of
    columns) while ``frame`` lives. A view that outlives ``frame`` and is then written to in place raises
    pandas' "read-only" error instead: it never changes the file. The kit's functions do not write to their
    inputs, and a report page's tables live as long as its kernel.
    """
    key = id(frame)
    _SHADOWS[key] = frame.copy(deep=False)
    _MAPPED[key] = _memory(frame)
    weakref.finalize(frame, _SHADOWS.pop, key, None)
    weakref.finalize(frame, _MAPPED.pop, key, None)
    return frame


def _memory(frame: pd.DataFrame) -> tuple[tuple[str, tuple[int, ...]], ...]:
    from kit.metrics._orders import _buffers

    return tuple((name, _buffers(frame[name])) for name in frame.columns)


def _as_mapped(data: LoyaltyData, name: str) -> bool:
    """Whether table ``name`` of ``data`` still holds the values of its file: not loaded yet, or loaded and no
    column written to or replaced since (under copy-on-write a write gives the column new memory)."""
    frame = vars(data).get(name)
    if frame is None:
        return True
    mapped = _MAPPED.get(id(frame))
    return mapped is not None and mapped == _memory(frame)


def arrow_files(files: dict[str, str]) -> dict[str, str]:
    """The entries of ``files`` (table -> file of :func:`write_tables`) that are Arrow files, which a process maps
    instead of reading."""
    mapped = {}
    for name, file in files.items():
        with open(file, "rb") as f:
            if f.read(len(_ARROW_MAGIC)) == _ARROW_MAGIC:
                mapped[name] = file
    return mapped


def return_memory() -> None:
    """Give the memory of dropped tables back to the operating system, so that it counts for the kernels.

    A freed table does not leave the process by itself: Arrow's memory pool keeps the text columns' buffers for
    reuse, and glibc's allocator the many small blocks. At 300k customers the run held 1.2 GB after dropping its
    tables and 0.5 GB after this. Nothing is lost: it is only memory no object uses.
    """
    import gc

    import pyarrow as pa

    from kit.report.allocator import glibc

    gc.collect()
    pa.default_memory_pool().release_unused()
    libc = glibc()
    if libc is not None:   # not macOS, Windows or musl
        libc.malloc_trim(0)


def _load(path: Path) -> Any:
    """Load a table file of :func:`write_tables` (map an Arrow file, unpickle the others), only when it is still
    private to this user.

    Raises
    ------
    ReportError
        When the file is no longer there (the run ended) or others may read or write it.
    """
    from kit.errors import ReportError

    try:
        info = path.stat()
    except FileNotFoundError:
        raise ReportError(f"{path} is gone: the report run that shared it has ended. Run the report again.") from None
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o077):
        raise ReportError(f"{path} is not a private file of this user (mode {info.st_mode & 0o777:o}); it is not "
                          "loaded. Delete it and run the report again.")
    with path.open("rb") as f:
        if f.read(len(_ARROW_MAGIC)) == _ARROW_MAGIC:
            return _read_arrow(path)
        f.seek(0)
        return pickle.load(f)  # noqa: S301 - a private file of this user, written by this run (write_tables)


def loaded_table(data: LoyaltyData, name: str) -> Any:
    """Table ``name`` of ``data`` if it is in memory (always, for a plain LoyaltyData), else None; loads nothing."""
    return vars(data).get(name)


def table_token(data: LoyaltyData, name: str) -> Any:
    """What tells table ``name`` of ``data`` apart from another table without loading it: the table itself, or its
    file while it is the table loaded from (or still in) that file."""
    files = vars(data).get("_files")
    if files and name in files:
        kept = vars(data).get(name, files)
        if kept is files or kept is vars(data)["_from_file"].get(name):
            return ("file", files[name])
    return loaded_table(data, name)
