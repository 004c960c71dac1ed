"""Figures of the service metrics (:mod:`kit.metrics.service`): the distribution of service times.

Draws on ``ax`` (or a new Axes) in the kit's look and returns the Axes. Texts in English or German.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from kit.data.config import BusinessHours
from kit.metrics._business_hours import Basis, _hours
from kit.report.plots._style import PALETTE, STATUS_COLOURS, finish, new_axes, percent, style, texts
from kit.results import format_value

__all__ = ["plot_service_times"]

_TEXT = {
    "en": {
        "first_response_at": "Hours to first response", "resolved_at": "Hours to resolution",
        "business": "business hours", "calendar": "calendar hours", "tickets": "Tickets",
        "sla": "SLA {hours}", "median": "median {value}",
        "note": "n = {n} tickets; {within} within the SLA; {missing} without a time (not shown)",
    },
    "de": {
        "first_response_at": "Stunden bis zur ersten Antwort", "resolved_at": "Stunden bis zur Lösung",
        "business": "Geschäftsstunden", "calendar": "Kalenderstunden", "tickets": "Tickets",
        "sla": "SLA {hours}", "median": "Median {value}",
        "note": "n = {n} Tickets; {within} innerhalb des SLA; {missing} ohne Zeit (nicht gezeigt)",
    },
}


def plot_service_times(data: pd.DataFrame, *, column: str = "first_response_at", basis: Basis = "business",
                       sla_hours: float | None = 24, schedule: BusinessHours | None = None, state: str = "NW",
                       bins: int = 30, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Histogram of hours from opening to first response (or resolution), with the SLA and median lines.

    Parameters
    ----------
    data : DataFrame
        The tickets table (``opened_at`` and ``column``).
    column : {"first_response_at", "resolved_at"}
        Which time to measure to.
    basis : {"business", "calendar"}
        Business hours (``schedule``, holidays of ``state``) or calendar hours.
    sla_hours : float, optional
        Draw the SLA line here (None: no line).
    schedule : BusinessHours, optional
        Opening hours (default Monday-Friday 09:00-18:00).
    state : str
        German federal state for public holidays.
    bins : int
        Number of histogram bins.
    ax : Axes, optional
        Where to draw; a new Axes when None.
    lang : {"en", "de"}
        Language of the texts.

    Returns
    -------
    Axes
        Histogram bars (heights = ticket counts) and vertical lines at the SLA and the median.

    Examples
    --------
    >>> t = pd.DataFrame({"opened_at": pd.to_datetime(["2026-07-01 10:00"] * 2),
    ...                   "first_response_at": pd.to_datetime(["2026-07-01 12:00", "2026-07-02 12:00"])})
    >>> ax = plot_service_times(t, basis="calendar", bins=2)
    >>> float(sum(p.get_height() for p in ax.patches))
    2.0
    """
    t = texts(_TEXT, lang)
    if column not in t:
        raise ValueError(f"column {column!r} is not a service time; choose 'first_response_at' or 'resolved_at'")
    hours = _hours(data, column, basis, schedule, state)
    x = hours[hours >= 0].to_numpy(dtype=float)
    with style():
        ax = new_axes(ax)
        if x.size:
            ax.hist(x, bins=bins, color=PALETTE[0], alpha=0.85)
            median = float(np.median(x))
            ax.axvline(median, color="#333333", linestyle=":",
                       label=t["median"].format(value=format_value(median, "hours", lang, symbol=True)))
        if sla_hours is not None:
            places = len(f"{sla_hours:g}".partition(".")[2])  # as configured: 24 h, 8.5 h
            ax.axvline(sla_hours, color=STATUS_COLOURS["missed"], linestyle="--",
                       label=t["sla"].format(hours=format_value(sla_hours, "hours", lang, digits=places, symbol=True)))
        ax.legend(frameon=False, fontsize=8)
        within = float((hours <= sla_hours).sum() / len(hours)) if sla_hours is not None and len(hours) else np.nan
        count = lambda v: format_value(v, "count", lang)  # noqa: E731
        finish(ax, title=f"{t[column]} ({t[basis]})", xlabel=t[column], ylabel=t["tickets"], lang=lang,
               note=t["note"].format(n=count(len(hours)), within=percent(within, lang),
                                     missing=count(int(hours.isna().sum()))))
    return ax
