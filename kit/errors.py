"""The one exception hierarchy of the kit.

Every error says what was found, where, what was expected and how to fix it.
``cli.py`` alone maps these to exit codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "KitError",
    "ConfigError",
    "DataError",
    "ReportError",
    "OutputError",
    "ModelFitError",
    "KitWarning",
    "SmallSampleWarning",
    "DataQualityWarning",
    "NonResponseWarning",
]


class KitError(Exception):
    """Base class of every error raised on purpose by the kit."""


class ConfigError(KitError):
    """The analysis configuration (YAML) is invalid.

    Parameters
    ----------
    message : str
        What was found, where, what was expected, how to fix it.
    key : str, optional
        The dotted configuration key, e.g. ``targets.nps.target``.
    """

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def _preview(values: Sequence[Any], limit: int = 5) -> str:
    shown = ", ".join(repr(v) for v in list(values)[:limit])
    return shown + (", ..." if len(values) > limit else "")


class DataError(KitError):
    """A data file cannot be used as it is.

    The message names the file, the column, the first offending rows (1-based
    data rows as a spreadsheet user counts them, header = row 1 excluded), their
    values, what was expected and how to fix it.

    Parameters
    ----------
    problem : str
        What is wrong, e.g. ``"3 values are not dates"``.
    file : str, optional
        File name (not the full path) or table name.
    column : str, optional
        Column as named in the user's file.
    rows : sequence of int, optional
        Offending row numbers (as the user sees them in the file).
    values : sequence, optional
        The offending values, aligned with ``rows``.
    expected : str, optional
        What was expected.
    fix : str, optional
        How to fix it.

    Examples
    --------
    >>> print(DataError("3 values are not dates", file="orders.csv", column="order_date",
    ...                 rows=[4, 17, 90], values=["31.02.2024", "x", "?"],  # doctest: +NORMALIZE_WHITESPACE
    ...                 expected="DD.MM.YYYY or ISO dates", fix="set date_format in analysis.yaml"))
    orders.csv, column 'order_date': 3 values are not dates (rows 4, 17, 90: '31.02.2024', 'x', '?').
    Expected DD.MM.YYYY or ISO dates; set date_format in analysis.yaml.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: Sequence[int] | None = None,
        values: Sequence[Any] | None = None,
        expected: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.column = column
        self.rows = list(rows) if rows is not None else []
        self.values = list(values) if values is not None else []
        self.expected = expected
        self.fix = fix
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = ", ".join(
            part
            for part in (self.file, f"column '{self.column}'" if self.column else None)
            if part
        )
        text = f"{where}: {self.problem}" if where else self.problem
        if self.rows:
            rows = ", ".join(str(r) for r in self.rows[:5]) + (", ..." if len(self.rows) > 5 else "")
            detail = f"{'row' if len(self.rows) == 1 else 'rows'} {rows}"
            if self.values:
                detail += f": {_preview(self.values)}"
            text += f" ({detail})"
        text += "."
        if self.expected:
            text += f" Expected {self.expected}"
            text += f"; {self.fix}." if self.fix else "."
        elif self.fix:
            text += f" {self.fix[0].upper()}{self.fix[1:]}."
        return text


class ReportError(KitError):
    """A report run failed; names the notebook and the cell.

    Parameters
    ----------
    message : str
        What went wrong.
    notebook : str, optional
        Notebook file name, e.g. ``03_criteria.ipynb``.
    cell : int, optional
        1-based index of the failing cell in the notebook.
    """

    def __init__(self, message: str, *, notebook: str | None = None, cell: int | None = None) -> None:
        where = ""
        if notebook:
            where = notebook + (f", cell {cell}" if cell is not None else "") + ": "
        super().__init__(where + message)
        self.notebook = notebook
        self.cell = cell


class ModelFitError(KitError):
    """A statistical model cannot be fitted to these data (no convergence, not identified).

    This is a finding about the data, not a bug: reports show the message in place of the
    model's numbers. The message says why and how to fix it (more history, another time unit, ...).
    """


class KitWarning(UserWarning):
    """Base class of the kit's warnings."""


class SmallSampleWarning(KitWarning):
    """A number rests on fewer observations than the configured minimum n."""


class DataQualityWarning(KitWarning):
    """Data can be used, but a check found something the analyst should know."""


class NonResponseWarning(KitWarning):
    """The survey response rate is low enough for non-response bias to matter."""


class OutputError(KitError):
    """The reports folder cannot take a run: not writable, full, a file, or a ``latest`` that is not a link.

    Raised before any data are read, so a run never does minutes of work it cannot save.

    Parameters
    ----------
    message : str
        What was found.
    path : Path or str
        The path concerned.
    fix : str
        How to fix it.

    Examples
    --------
    >>> str(OutputError("is a file, not a folder", path="/srv/reports", fix="pass a folder with --out"))
    '/srv/reports: is a file, not a folder. Pass a folder with --out.'
    """

    def __init__(self, message: str, *, path: Any, fix: str) -> None:
        self.path, self.fix = str(path), fix
        super().__init__(f"{path}: {message}. {fix[0].upper()}{fix[1:]}.")
