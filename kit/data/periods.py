"""Reporting periods: parse ``2026-Q3``, ``2026-10``, ``2026``; find the latest complete one.

A period is half-open: ``start <= t < end``. Nothing here looks at today's date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from kit.errors import ConfigError

__all__ = ["Period", "Granularity", "parse_period", "latest_complete_period", "periods_between", "as_period",
           "rows_in_period"]

Granularity = Literal["month", "quarter", "year"]

_PATTERNS: dict[Granularity, re.Pattern[str]] = {
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    "year": re.compile(r"^(\d{4})$"),
}
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, quarter or year.

    Attributes
    ----------
    start : pandas.Timestamp
        First instant inside the period.
    end : pandas.Timestamp
        First instant after the period (exclusive).
    granularity : {"month", "quarter", "year"}

    Examples
    --------
    >>> p = parse_period("2026-Q3")
    >>> p.start, p.end
    (Timestamp('2026-07-01 00:00:00'), Timestamp('2026-10-01 00:00:00'))
    >>> p.previous().label
    '2026-Q2'
    """

    start: pd.Timestamp
    end: pd.Timestamp
    granularity: Granularity

    @property
    def label(self) -> str:
        """The period as written by users: ``2026-Q3``, ``2026-10`` or ``2026``."""
        if self.granularity == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.granularity == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.year}"

    @property
    def days(self) -> int:
        """Length of the period in days."""
        return int((self.end - self.start) / pd.Timedelta(days=1))

    def shift(self, steps: int) -> Period:
        """The period ``steps`` periods later (negative: earlier)."""
        months = _MONTHS[self.granularity] * steps
        start = self.start + pd.DateOffset(months=months)
        return Period(start, start + pd.DateOffset(months=_MONTHS[self.granularity]), self.granularity)

    def previous(self) -> Period:
        """The period just before this one."""
        return self.shift(-1)

    def contains(self, when: pd.Series) -> pd.Series:
        """Boolean mask: which timestamps fall inside the period."""
        return (when >= self.start) & (when < self.end)

    def __str__(self) -> str:
        return self.label


def parse_period(text: str) -> Period:
    """Parse ``YYYY-Qn``, ``YYYY-MM`` or ``YYYY`` into a :class:`Period`.

    Parameters
    ----------
    text : str
        The period label.

    Returns
    -------
    Period

    Raises
    ------
    ConfigError
        When the text is none of the accepted forms.

    Examples
    --------
    >>> parse_period("2026-10").label
    '2026-10'
    """
    text = str(text).strip()
    for granularity, pattern in _PATTERNS.items():
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if granularity == "quarter":
            month = (int(match.group(2)) - 1) * 3 + 1
        elif granularity == "month":
            month = int(match.group(2))
        else:
            month = 1
        start = pd.Timestamp(year=year, month=month, day=1)
        return Period(start, start + pd.DateOffset(months=_MONTHS[granularity]), granularity)
    raise ConfigError(
        f"period {text!r} is not a period. Expected '2026-Q3' (quarter), '2026-10' (month), "
        "'2026' (year) or 'latest'.",
        key="period",
    )


def latest_complete_period(last_seen: pd.Timestamp, granularity: Granularity) -> Period:
    """The latest period that ends on or before the day after ``last_seen``.

    A period counts as complete when the data reach its last day: with data up
    to 2026-09-30 (any time that day) the latest complete quarter is 2026-Q3.

    Parameters
    ----------
    last_seen : pandas.Timestamp
        The latest timestamp in the data.
    granularity : {"month", "quarter", "year"}

    Examples
    --------
    >>> latest_complete_period(pd.Timestamp("2026-09-30 18:00"), "quarter").label
    '2026-Q3'
    >>> latest_complete_period(pd.Timestamp("2026-09-29"), "quarter").label
    '2026-Q2'
    """
    if granularity not in _MONTHS:
        raise ConfigError(
            f"granularity {granularity!r} is not known. Expected one of: month, quarter, year.",
            key="periods.granularity",
        )
    day_after = pd.Timestamp(last_seen).normalize() + pd.Timedelta(days=1)
    months = _MONTHS[granularity]
    month0 = ((day_after.month - 1) // months) * months + 1
    current_start = pd.Timestamp(year=day_after.year, month=month0, day=1)
    current = Period(current_start, current_start + pd.DateOffset(months=months), granularity)
    return current if current.end <= day_after else current.previous()


def periods_between(first: pd.Timestamp, last: pd.Timestamp, granularity: Granularity) -> list[Period]:
    """All periods that overlap ``[first, last]``, oldest first."""
    months = _MONTHS[granularity]
    first = pd.Timestamp(first)
    month0 = ((first.month - 1) // months) * months + 1
    start = pd.Timestamp(year=first.year, month=month0, day=1)
    period = Period(start, start + pd.DateOffset(months=months), granularity)
    out = []
    while period.start <= pd.Timestamp(last):
        out.append(period)
        period = period.shift(1)
    return out


def as_period(period: Period | str | None) -> Period | None:
    """Accept a :class:`Period`, a period label or ``None`` (no restriction).

    Examples
    --------
    >>> as_period("2026-Q3").label
    '2026-Q3'
    >>> as_period(None) is None
    True
    """
    if period is None or isinstance(period, Period):
        return period
    return parse_period(period)


def rows_in_period(frame: pd.DataFrame | None, column: str, period: Period | None,
                   columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Rows of ``frame`` whose ``column`` lies in ``period``; all rows when ``period`` is None.

    A missing table (``None``) gives an empty frame with that column. ``columns``: only ``column`` and those of
    ``columns`` the frame has are kept (None: all). A metric that needs two columns of the order log copies
    two, not nine (a quarter of 10M orders: 0.3 s with all columns, 0.09 s with one).

    Examples
    --------
    >>> f = pd.DataFrame({"d": pd.to_datetime(["2026-06-30", "2026-07-01"]), "x": [1, 2], "y": [3, 4]})
    >>> len(rows_in_period(f, "d", parse_period("2026-Q3")))
    1
    >>> rows_in_period(f, "d", parse_period("2026-Q3"), columns=["y", "absent"]).columns.tolist()
    ['d', 'y']
    """
    if frame is None:
        return pd.DataFrame(columns=[column])
    if columns is not None:
        frame = frame[[c for c in dict.fromkeys([column, *columns]) if c in frame.columns]]
    if period is None:
        return frame
    return frame.loc[period.contains(frame[column])]
