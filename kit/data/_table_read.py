"""A table read from one file, and what conversion messages need to point into that file.

:class:`TableRead` carries the file name, the first data row and the user's column names,
so a :class:`~kit.errors.DataError` can name the file, the user's column and the rows;
quality-report notes made while converting collect on it. Used by :mod:`kit.data.convert`
(which re-exports :class:`TableRead`), :mod:`kit.data._convert_dates` and :mod:`kit.data._convert_numbers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kit.errors import DataError

__all__ = ["TableRead"]


@dataclass
class TableRead:
    """A table read from one file, with what messages need to point into that file.

    Attributes
    ----------
    name : str
        Table of the data contract.
    frame : DataFrame
        The table (contract column names); :func:`convert_columns` converts it in place.
    file : str
        File name, for messages.
    first_row : int
        File row of the first data row.
    user_names : dict
        Contract column -> the user's column name.
    sep : str or None
        CSV separator (the fallback evidence for the decimal mark).
    notes : list of dict
        Quality-report rows noted while converting (:func:`kit.data.contract.quality_row`).
    parts : list of (str, int) or None
        A folder of Parquet files: its parts and their rows (:func:`kit.data._parquet_folder.in_part` points an
        error at the part); None for one file.
    """

    name: str
    frame: pd.DataFrame
    file: str
    first_row: int
    user_names: dict[str, str] = field(default_factory=dict)
    sep: str | None = None
    notes: list[dict[str, Any]] = field(default_factory=list)
    parts: list[tuple[str, int]] | None = None

    def located(self, exc: DataError) -> DataError:
        """``exc`` pointed at the part of a Parquet folder that holds its first row (as it is for one file)."""
        from kit.data._parquet_folder import in_part

        return in_part(exc, self.parts, self.first_row, self.file.rstrip("/"))

    def label(self, column: str) -> str:
        return self.user_names.get(column, column)

    def rows(self, mask: pd.Series | np.ndarray) -> list[int]:
        # the index is the 0-based data row of the file (rows left out by ``where`` keep their numbers)
        positions = np.flatnonzero(np.asarray(mask))[:5]
        return [int(i) + self.first_row for i in np.asarray(self.frame.index)[positions]]

    def mapped(self, column: str) -> str:
        user = self.user_names.get(column)
        return f" (mapped to {column})" if user and user != column else ""

    def invalid(self, column: str, mask: pd.Series | np.ndarray, values: pd.Series, problem: str, *,
                expected: str, fix: str, after: str = "") -> DataError:
        """The DataError for the values of ``column`` where ``mask`` holds (first rows and values named)."""
        return DataError(f"{problem}{self.mapped(column)}{after}", file=self.file, column=self.label(column),
                         rows=self.rows(mask), values=values[mask].head(5).tolist(), expected=expected, fix=fix)


def _n(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"
