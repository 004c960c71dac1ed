"""Service metrics: first response and resolution times, the SLA share, complaints.

Durations are counted in calendar hours or in business hours (a weekly schedule
minus the German public holidays of one federal state, from the ``holidays``
package). Tickets without a first response or resolution are counted and named
in the note, never silently dropped.
"""

from __future__ import annotations

import math
from typing import Literal

import holidays
import numpy as np
import pandas as pd

from kit.config import BusinessHours
from kit.definitions import DEFINITIONS, Language
from kit.metrics._checks import period_rows, warn_small
from kit.metrics._stats import median_interval, poisson_interval, share_result  # median_interval: public here
from kit.periods import Period, rows_in_period
from kit.results import MetricResult, format_value, no_data

__all__ = [
    "business_hours_between",
    "first_response_hours",
    "resolution_hours",
    "sla_share",
    "complaint_rate",
    "complaints_by_category",
    "median_interval",
]

Basis = Literal["calendar", "business"]
_NS_PER_MINUTE = 60 * 10**9


# --------------------------------------------------------------------------- business hours


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


# --------------------------------------------------------------------------- notes


def _count(value: int, lang: Language, one: str = "", many: str = "") -> str:
    """A count in a note: English as written so far (``1624``), German by :func:`format_value` (``1.624``),
    followed by the German noun in singular or plural when given."""
    if lang != "de":
        return str(value)
    shown = format_value(value, "count", "de")
    return f"{shown} {one if value == 1 else many}" if many else shown


def _basis_hours(basis: Basis, lang: Language) -> str:
    """``business hours`` / ``calendar hours``; German ``Geschäftsstunden`` / ``Kalenderstunden``."""
    if lang == "de":
        return "Geschäftsstunden" if basis == "business" else "Kalenderstunden"
    return f"{basis} hours"


def _no_tickets(lang: Language) -> str:
    return "keine im Zeitraum eröffneten Tickets" if lang == "de" else "no tickets opened in the period"


# --------------------------------------------------------------------------- durations


def _duration(kpi: str, column: str, tickets: pd.DataFrame, period: Period | None, basis: Basis,
              schedule: BusinessHours | None, state: str, min_n: int | None, missing_text: tuple[str, str],
              lang: Language) -> MetricResult:
    """The median duration; ``missing_text``: what tickets without ``column`` lack, in English and German."""
    de = lang == "de"
    opened = period_rows(kpi, tickets, table="tickets", needs=column, date="opened_at", period=period,
                         empty=_no_tickets(lang))
    if isinstance(opened, MetricResult):
        return opened
    hours = _hours(opened, column, basis, schedule, state)
    missing = int(hours.isna().sum())
    negative = int((hours < 0).sum())
    x = hours[hours >= 0].to_numpy(dtype=float)
    notes = [_basis_hours(basis, lang)]
    if missing:
        of = f"{_count(missing, lang)} {'von' if de else 'of'} {_count(len(opened), lang)}"
        notes.append(f"{of} Tickets {missing_text[1]}, nicht im Median" if de
                     else f"{of} tickets {missing_text[0]} and are not in the median")
    if negative:
        notes.append(f"{_count(negative, lang, 'Ticket', 'Tickets')} mit einem Zeitpunkt vor der Eröffnung ausgelassen"
                     if de else f"{negative} tickets with the time before the opening were left out")
    if x.size == 0:
        return no_data(kpi, "; ".join(notes))
    warn_small(kpi, x.size, min_n)
    low, high = median_interval(x)
    if math.isnan(low):
        notes.append("zu wenige Tickets für ein 95-%-Intervall des Medians" if de
                     else "too few tickets for a 95 % interval of the median")
    other: Basis = "calendar" if basis == "business" else "business"
    other_hours = _hours(opened, column, other, schedule, state)
    medians = {f"median_{basis}": float(np.median(x)),
               f"median_{other}": float(np.median(other_hours[hours >= 0]))}
    return MetricResult(kpi, float(np.median(x)), int(x.size), low, high, DEFINITIONS[kpi].definition,
                        "hours", note="; ".join(notes),
                        extras={"p90": float(np.quantile(x, 0.9)), "mean": float(np.mean(x)),
                                "missing": missing, "tickets": len(opened), "basis": basis, **medians})


def first_response_hours(tickets: pd.DataFrame, *, period: Period | None = None, basis: Basis = "business",
                         schedule: BusinessHours | None = None, state: str = "NW",
                         min_n: int | None = None, lang: Language = "en") -> MetricResult:
    """Median hours from ticket opening to first response, with its distribution-free interval.

    Parameters
    ----------
    tickets : DataFrame
        The tidy tickets table (``opened_at``, ``first_response_at``).
    period : Period, optional
        Tickets opened in this period (all when None).
    basis : {"business", "calendar"}
        Count business hours (``schedule`` and holidays of ``state``) or calendar hours.
    schedule : BusinessHours, optional
        Opening hours (default Monday-Friday 09:00-18:00).
    state : str
        German federal state for public holidays.
    min_n : int, optional
        Warn when fewer answered tickets than this.
    lang : {"en", "de"}
        Language of the note: the basis (``business hours``, German ``Geschäftsstunden``) and the tickets left out.

    Returns
    -------
    MetricResult
        Median, interval from :func:`median_interval`, no se; ``extras``: ``p90``, ``mean``,
        ``missing`` (tickets without a first response), ``tickets``, ``basis``, and the median in
        both bases, ``median_business`` and ``median_calendar``.

    Examples
    --------
    >>> t = pd.DataFrame({"opened_at": pd.to_datetime(["2026-07-01 10:00", "2026-07-01 11:00"]),
    ...                   "first_response_at": pd.to_datetime(["2026-07-01 12:00", pd.NaT])})
    >>> r = first_response_hours(t, basis="calendar")
    >>> r.value, r.extras["missing"]
    (2.0, 1)
    """
    return _duration("first_response_hours", "first_response_at", tickets, period, basis, schedule, state,
                     min_n, ("have no first response", "ohne erste Antwort"), lang)


def resolution_hours(tickets: pd.DataFrame, *, period: Period | None = None, basis: Basis = "business",
                     schedule: BusinessHours | None = None, state: str = "NW",
                     min_n: int | None = None, lang: Language = "en") -> MetricResult:
    """Median hours from ticket opening to resolution, with its distribution-free interval.

    Parameters
    ----------
    tickets : DataFrame
        The tidy tickets table (``opened_at``, ``resolved_at``); open tickets have no ``resolved_at``.
    period : Period, optional
        Only tickets opened in this period; every ticket when None.
    basis : {"business", "calendar"}
        Hours of the opening schedule (minus holidays) or plain clock hours.
    schedule : BusinessHours, optional
        The weekly opening schedule; Monday-Friday 09:00-18:00 when not given.
    state : str
        Federal state (e.g. ``"NW"``) whose public holidays count as closed.
    min_n : int, optional
        Issue a :class:`~kit.errors.SmallSampleWarning` below this many resolved tickets.
    lang : {"en", "de"}
        Language of the note (as for :func:`first_response_hours`).

    Returns
    -------
    MetricResult
        As :func:`first_response_hours`; ``missing`` counts unresolved tickets.

    Examples
    --------
    >>> t = pd.DataFrame({"opened_at": pd.to_datetime(["2026-07-01 10:00"]),
    ...                   "resolved_at": pd.to_datetime(["2026-07-02 10:00"])})
    >>> resolution_hours(t, basis="calendar").value
    24.0
    """
    return _duration("resolution_hours", "resolved_at", tickets, period, basis, schedule, state, min_n,
                     ("are not resolved", "nicht gelöst"), lang)


def sla_share(tickets: pd.DataFrame, *, period: Period | None = None, sla_hours: float = 24,
              basis: Basis = "business", schedule: BusinessHours | None = None, state: str = "NW",
              min_n: int | None = None, lang: Language = "en") -> MetricResult:
    """Share of tickets with a first response within ``sla_hours`` (Wilson interval).

    Parameters
    ----------
    tickets : DataFrame
        The tidy tickets table; ``first_response_at`` is empty for tickets nobody answered.
    period : Period, optional
        Only tickets opened in this period; every ticket when None.
    sla_hours : float
        The SLA in hours of ``basis``.
    basis : {"business", "calendar"}
        Count business hours or calendar hours.
    schedule : BusinessHours, optional
        Opening hours (default Monday-Friday 09:00-18:00).
    state : str
        German federal state for public holidays.
    min_n : int, optional
        Warn when fewer tickets than this.
    lang : {"en", "de"}
        Language of the note (``SLA 24 business hours``, German ``SLA 24 Geschäftsstunden``).

    Returns
    -------
    MetricResult
        Tickets without a first response count as outside the SLA (they did not get one
        within it); the note says how many.

    Examples
    --------
    >>> t = pd.DataFrame({"opened_at": pd.to_datetime(["2026-07-01 10:00"] * 2),
    ...                   "first_response_at": pd.to_datetime(["2026-07-01 12:00", "2026-07-03 12:00"])})
    >>> sla_share(t, basis="calendar").value
    0.5
    """
    opened = period_rows("sla_share", tickets, table="tickets", needs="first_response_at", date="opened_at",
                         period=period, empty=_no_tickets(lang), min_n=min_n)
    if isinstance(opened, MetricResult):
        return opened
    n = len(opened)
    hours = _hours(opened, "first_response_at", basis, schedule, state)
    within = int((hours <= sla_hours).sum())
    missing = int(hours.isna().sum())
    if lang == "de":
        shown = f"{sla_hours:g}"
        hours_de = format_value(sla_hours, "number", "de", digits=len(shown.partition(".")[2]))
        note = f"SLA {hours_de} {_basis_hours(basis, lang)}"
        if missing:
            note += (f"; {_count(missing, lang)} von {_count(n, lang)} Tickets ohne erste Antwort zählen als "
                     "außerhalb des SLA")
    else:
        note = f"SLA {sla_hours:g} {_basis_hours(basis, lang)}"
        if missing:
            note += f"; {missing} of {n} tickets without a first response count as outside the SLA"
    return share_result("sla_share", within, n, note=note, extras={"within": within, "missing": missing})


# --------------------------------------------------------------------------- complaints


def _complaints(tickets: pd.DataFrame, period: Period | None) -> pd.DataFrame:
    opened = rows_in_period(tickets, "opened_at", period)
    return opened.loc[opened["is_complaint"].fillna(False).astype(bool)]


def complaint_rate(tickets: pd.DataFrame, orders: pd.DataFrame, *, period: Period | None,
                   min_n: int | None = None, lang: Language = "en") -> MetricResult:
    """Complaints per 1,000 orders, with the exact Poisson interval on the complaint count.

    Parameters
    ----------
    tickets : DataFrame
        The tidy tickets table (``opened_at``, ``is_complaint``).
    orders : DataFrame
        The tidy orders table (``order_date``).
    period : Period or None
        Complaints opened and orders placed in this period (None: everything).
    min_n : int, optional
        Warn when fewer orders than this.
    lang : {"en", "de"}
        Language of the note (``201 complaints, 4232 orders``, German ``201 Beschwerden, 4.232 Bestellungen``).

    Returns
    -------
    MetricResult
        ``n`` = orders; ``se`` = 1000 sqrt(complaints) / orders; ``extras``: ``complaints``.

    Examples
    --------
    >>> t = pd.DataFrame({"opened_at": pd.to_datetime(["2026-07-01"] * 3), "is_complaint": [True, True, False]})
    >>> o = pd.DataFrame({"order_date": pd.to_datetime(["2026-07-01"] * 400)})
    >>> complaint_rate(t, o, period=None).value   # 2 / 400 * 1000
    5.0
    """
    if "is_complaint" not in tickets.columns:
        return no_data("complaint_rate", "die Tickettabelle hat keine Spalte 'is_complaint'" if lang == "de"
                       else "the tickets table has no 'is_complaint' column")
    n_orders = len(rows_in_period(orders, "order_date", period))
    if n_orders == 0:
        return no_data("complaint_rate", "keine Bestellungen im Zeitraum" if lang == "de"
                       else "no orders in the period")
    warn_small("complaint_rate", n_orders, min_n)
    count = len(_complaints(tickets, period))
    low, high = poisson_interval(count)
    scale = 1000 / n_orders
    return MetricResult("complaint_rate", count * scale, n_orders, low * scale, high * scale,
                        DEFINITIONS["complaint_rate"].definition, "per_1000", se=math.sqrt(count) * scale,
                        note=(f"{_count(count, lang, 'Beschwerde', 'Beschwerden')}, "
                              f"{_count(n_orders, lang, 'Bestellung', 'Bestellungen')}" if lang == "de"
                              else f"{count} complaints, {n_orders} orders"),
                        extras={"complaints": count})


def complaints_by_category(tickets: pd.DataFrame, orders: pd.DataFrame, *,
                           period: Period | None = None) -> pd.DataFrame:
    """Complaints per category: count, share of complaints and rate per 1,000 orders.

    Parameters
    ----------
    tickets : DataFrame
        The tidy tickets table (``opened_at``, ``is_complaint``, ``category``).
    orders : DataFrame
        The tidy orders table (``order_date``).
    period : Period, optional
        Complaints opened and orders placed in this period.

    Returns
    -------
    DataFrame
        ``category``, ``complaints``, ``share``, ``per_1000_orders``, ``ci_low``, ``ci_high``
        (exact Poisson), most complaints first; a missing category is ``"(none)"``.

    Examples
    --------
    >>> t = pd.DataFrame({"opened_at": pd.to_datetime(["2026-07-01"] * 3), "is_complaint": [True] * 3,
    ...                   "category": ["delivery", "delivery", "price"]})
    >>> o = pd.DataFrame({"order_date": pd.to_datetime(["2026-07-01"] * 100)})
    >>> complaints_by_category(t, o)["per_1000_orders"].tolist()
    [20.0, 10.0]
    """
    columns = ["category", "complaints", "share", "per_1000_orders", "ci_low", "ci_high"]
    if "is_complaint" not in tickets.columns:
        return pd.DataFrame(columns=columns)
    complaints = _complaints(tickets, period)
    n_orders = len(rows_in_period(orders, "order_date", period))
    category = (complaints["category"] if "category" in complaints.columns
                else pd.Series("(none)", index=complaints.index))
    counts = category.fillna("(none)").astype(str).value_counts()
    rows = []
    for name, count in counts.items():
        low, high = poisson_interval(int(count))
        scale = 1000 / n_orders if n_orders else math.nan
        rows.append({"category": name, "complaints": int(count), "share": count / counts.sum(),
                     "per_1000_orders": count * scale, "ci_low": low * scale, "ci_high": high * scale})
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["complaints", "category"], ascending=[False, True]).reset_index(drop=True)
