"""Business hours between timestamps: a weekly schedule minus the public holidays of one German state.

Durations are counted on a day grid (open minutes per day, 0 on closed weekdays and on the
holidays of one federal state from the ``holidays`` package), vectorised over tickets.
:func:`_hours` picks calendar or business hours for the service metrics
(:mod:`kit.metrics.service`) and their figure (:mod:`kit.report.plots.service`).
"""

from __future__ import annotations

from typing import Literal

import holidays
import numpy as np
import pandas as pd

from kit.data.config import BusinessHours

__all__ = ["Basis", "business_hours_between"]

Basis = Literal["calendar", "business"]
_NS_PER_MINUTE = 60 * 10**9


def _minutes(t: object) -> int:
    return t.hour * 60 + t.minute  # type: ignore[attr-defined]


def _cumulative_minutes(moments: np.ndarray, day0: np.datetime64, open_minutes: np.ndarray,
                        cum_before: np.ndarray, start_min: int, length: int) -> np.ndarray:
    """Business minutes from ``day0`` 00:00 to each moment (NaN for NaT)."""
    valid = ~np.isnat(moments)
    out = np.full(moments.shape, np.nan)
    m = moments[valid]
    days = m.astype("datetime64[D]")
    index = (days - day0).astype(np.int64)
    minute_of_day = (m - days).astype("timedelta64[ns]").astype(np.int64) / _NS_PER_MINUTE
    inside = np.clip(minute_of_day - start_min, 0, length) * (open_minutes[index] > 0)
    out[valid] = cum_before[index] + inside
    return out


def business_hours_between(start: pd.Series, end: pd.Series, *, schedule: BusinessHours | None = None,
                           state: str = "NW") -> pd.Series:
    """Business hours between two timestamp columns, vectorised over a day grid.

    Parameters
    ----------
    start, end : Series of datetime64
        Naive timestamps in the business time zone, aligned by position.
    schedule : BusinessHours, optional
        Opening hours and working weekdays (default Monday-Friday 09:00-18:00).
    state : str
        German federal state whose public holidays are closed days (e.g. ``"NW"``).

    Returns
    -------
    Series of float
        Hours, aligned with ``start``; NaN where either timestamp is missing; negative when
        ``end`` is before ``start``.

    Notes
    -----
    A day grid from the first to the last date holds each day's open minutes (0 on closed
    weekdays and holidays); its running sum gives the business minutes before each day.
    The business minutes up to a moment are that sum plus the open minutes already passed
    that day, so a duration is a difference of two look-ups, without a loop over tickets.

    Examples
    --------
    >>> s = pd.Series(pd.to_datetime(["2026-06-03 17:00"]))   # Wednesday
    >>> e = pd.Series(pd.to_datetime(["2026-06-05 10:00"]))   # Friday; Thursday is Corpus Christi in NW
    >>> business_hours_between(s, e, state="NW").tolist()
    [2.0]
    """
    schedule = schedule or BusinessHours()
    start_values = pd.to_datetime(pd.Series(start)).to_numpy(dtype="datetime64[ns]")
    end_values = pd.to_datetime(pd.Series(end)).to_numpy(dtype="datetime64[ns]")
    index = pd.Series(start).index
    both = np.concatenate([start_values, end_values])
    both = both[~np.isnat(both)]
    if both.size == 0:
        return pd.Series(np.nan, index=index, dtype=float)
    day0 = both.min().astype("datetime64[D]")
    last = both.max().astype("datetime64[D]")
    days = np.arange(day0, last + np.timedelta64(1, "D"), dtype="datetime64[D]")
    start_min, end_min = _minutes(schedule.start), _minutes(schedule.end)
    length = end_min - start_min
    weekday = (days.astype(np.int64) + 3) % 7           # 1970-01-01 was a Thursday (3)
    years = range(int(str(day0)[:4]), int(str(last)[:4]) + 1)
    closed = np.array(sorted(holidays.Germany(subdiv=state, years=years)), dtype="datetime64[D]")
    is_open = np.isin(weekday, schedule.weekdays) & ~np.isin(days, closed)
    open_minutes = np.where(is_open, length, 0)
    cum_before = np.concatenate([[0], np.cumsum(open_minutes)[:-1]])
    a = _cumulative_minutes(start_values, day0, open_minutes, cum_before, start_min, length)
    b = _cumulative_minutes(end_values, day0, open_minutes, cum_before, start_min, length)
    return pd.Series((b - a) / 60, index=index, dtype=float)


def _hours(tickets: pd.DataFrame, column: str, basis: Basis, schedule: BusinessHours | None,
           state: str) -> pd.Series:
    if basis == "calendar":
        return (tickets[column] - tickets["opened_at"]) / pd.Timedelta(hours=1)
    if basis != "business":
        raise ValueError(f"basis {basis!r} is not known. Expected 'calendar' or 'business'.")
    return business_hours_between(tickets["opened_at"], tickets[column], schedule=schedule, state=state)
