"""One result type for every metric: value, n, interval, definition, extras.

A result presents itself (``str``, ``_repr_html_``, ``to_frame``) so a notebook
cell can simply end with it.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from kit.definitions import DEFINITIONS, METRIC_LABELS

__all__ = ["MetricResult", "no_data", "format_value"]


def format_value(value: float | None, unit: str) -> str:
    """Format a number for reading: shares as %, points with one decimal.

    Examples
    --------
    >>> format_value(0.1234, "share")
    '12.3 %'
    >>> format_value(31.25, "points")
    '31.2'
    >>> format_value(0.098, "share_diff")
    '+9.8 pp'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "share":
        return f"{value * 100:.1f} %"
    if unit == "share_diff":
        return f"{value * 100:+.1f} pp"
    if unit == "currency":
        return f"{value:,.2f}"
    if unit in ("hours", "points", "per_1000"):
        return f"{value:.1f}"
    return f"{value:.2f}"


@dataclass(frozen=True)
class MetricResult:
    """The value of a metric with its n, 95 % interval and definition.

    Attributes
    ----------
    kpi : str
        KPI id from :mod:`kit.definitions`, or a free name for non-KPI metrics.
    value : float
        The estimate (NaN when there is no data).
    n : int
        Number of observations the value rests on (answers, customers, orders, tickets).
    ci_low, ci_high : float
        95 % interval (NaN where none exists).
    definition : str
        The formula in words, as printed in reports.
    unit : str
        Unit keyword (see :class:`kit.definitions.Definition`).
    se : float
        Standard error of the value where one exists (used for period comparisons).
    note : str
        A short remark: the rule applied (``"inactive for 180 days"``) or why there is no data.
    extras : dict
        Further named numbers, e.g. ``{"promoters": 0.41, "detractors": 0.12}``.

    Examples
    --------
    >>> r = MetricResult("nps", 30.0, 10, 2.1, 57.9, "…", "points")
    >>> str(r)
    'Net Promoter Score = 30.0 (95 % CI 2.1 to 57.9; n = 10)'
    """

    kpi: str
    value: float
    n: int
    ci_low: float = math.nan
    ci_high: float = math.nan
    definition: str = ""
    unit: str = ""
    se: float = math.nan
    note: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """English label from the registries (KPIs, then other metrics), else the kpi name."""
        d = DEFINITIONS.get(self.kpi)
        if d:
            return d.label
        return METRIC_LABELS.get(self.kpi, (self.kpi,))[0]

    @property
    def has_data(self) -> bool:
        """True when the value rests on at least one observation."""
        return self.n > 0 and not (isinstance(self.value, float) and math.isnan(self.value))

    def with_(self, **changes: Any) -> MetricResult:
        """A copy with some fields replaced."""
        return replace(self, **changes)

    def to_frame(self) -> pd.DataFrame:
        """One tidy row: kpi, label, value, n, ci_low, ci_high, se, definition, note, and the extras."""
        row = {"kpi": self.kpi, "label": self.label, "value": self.value, "n": self.n,
               "ci_low": self.ci_low, "ci_high": self.ci_high, "se": self.se,
               "definition": self.definition, "note": self.note}
        row.update({k: v for k, v in self.extras.items() if not isinstance(v, (pd.DataFrame, pd.Series))})
        return pd.DataFrame([row])

    def __str__(self) -> str:
        if not self.has_data:
            return f"{self.label}: no data" + (f" ({self.note})" if self.note else "")
        text = f"{self.label} = {format_value(self.value, self.unit)}"
        if not math.isnan(self.ci_low):
            text += (f" (95 % CI {format_value(self.ci_low, self.unit)} to "
                     f"{format_value(self.ci_high, self.unit)}; n = {self.n:,})")
        else:
            text += f" (n = {self.n:,})"
        return text

    def _repr_html_(self) -> str:
        body = html.escape(str(self))
        parts = [f"<div class='kit-metric'><strong>{body}</strong>"]
        if self.definition:
            parts.append(f"<br><small>Definition: {html.escape(self.definition)}</small>")
        if self.note:
            parts.append(f"<br><small>{html.escape(self.note)}</small>")
        parts.append("</div>")
        return "".join(parts)


def no_data(kpi: str, reason: str, *, definition: str = "", unit: str = "") -> MetricResult:
    """A result that says there is no data and why (``n = 0``, value NaN).

    Examples
    --------
    >>> str(no_data("nps", "no survey data: survey metrics skipped"))
    'Net Promoter Score: no data (no survey data: survey metrics skipped)'
    """
    d = DEFINITIONS.get(kpi)
    return MetricResult(kpi, math.nan, 0, definition=definition or (d.definition if d else ""),
                        unit=unit or (d.unit if d else ""), note=reason)
