"""The tables of a report run's shared context, one private file each, loaded when a page first uses one.

``loyalty-kit run`` hands its context to the notebook kernels (:func:`kit.report.pages.share`). The tables used to
travel inside that one pickle, so every kernel unpickled every table (1.6 GB at 1M customers, about 7 s and 2 GB
of memory per kernel) whether its page read them or not. Here each table is a file of its own next to the context
and :class:`TablesOnDisk` loads it on first use: page 4 (interviews) never loads the orders, and the run itself
drops its copy of the tables while the kernels work (:func:`kit.report.pages.release`).
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from kit.data.contract import LoyaltyData

__all__ = ["TablesOnDisk", "TableRef", "write_tables", "loaded_table", "table_token", "table_names"]

#: LoyaltyData fields that are not tables (they travel with the context).
_NOT_TABLES = ("quality", "sources", "as_of")


def table_names(data: LoyaltyData) -> list[str]:
    """The table fields of ``data`` (customers ... interviews), whether supplied or not."""
    return [f.name for f in fields(data) if f.name not in _NOT_TABLES]


@dataclass(frozen=True)
class TableRef:
    """Stands for table ``name`` of the context's data in a call key, without loading the table
    (see ``Context._arg_key``)."""

    name: str


def write_tables(data: LoyaltyData, prefix: Path) -> dict[str, str]:
    """Pickle each supplied table of ``data`` to ``<prefix>.<table>`` (mode 0600, written whole or not at all).

    Returns
    -------
    dict
        Table name -> file written.
    """
    files: dict[str, str] = {}
    for name in table_names(data):
        frame = getattr(data, name)
        if frame is None:
            continue
        target = prefix.with_name(f"{prefix.name}.{name}")
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        try:
            with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
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


def _load(path: Path) -> Any:
    """Unpickle a table file of :func:`write_tables`, only when it is still private to this user.

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
