"""Service metrics: first response and resolution times, the SLA share, complaints.

Durations are counted in calendar hours or in business hours (a weekly schedule
minus the German public holidays of one federal state, from the ``holidays``
package). Tickets without a first response or resolution are counted and named
in the note, never silently dropped.

This module holds the durations and the SLA share; the business-hours arithmetic lives in
:mod:`kit.metrics._business_hours`, the complaint rates in :mod:`kit.metrics._complaints`,
the wording of the notes in :mod:`kit.metrics._service_notes`. Their public functions are
re-exported here, so ``kit.metrics.service`` remains the one place to look them up.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kit.data.config import BusinessHours
from kit.data.periods import Period
from kit.definitions import DEFINITIONS, Language
from kit.metrics._business_hours import Basis, _hours, business_hours_between
from kit.metrics._checks import period_rows, warn_small
from kit.metrics._complaints import complaint_rate, complaints_by_category
from kit.metrics._service_notes import _basis_hours, _count, _no_tickets
from kit.metrics._stats import median_interval, share_result  # median_interval: public here
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
    """Share of tickets with a first response within ``sla_hours`` (Agresti-Coull interval).

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
