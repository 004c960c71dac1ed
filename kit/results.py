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

from kit.definitions import DEFINITIONS, METRIC_DEFINITIONS, METRIC_LABELS
from kit.labels import text

__all__ = ["MetricResult", "no_data", "format_value", "NBSP"]

#: No-break space: keeps a number and its unit together (German always; English tables ask for it).
NBSP = "\u00a0"
_DASH = "–"
#: Symbols a KPI unit is shown with when ``symbol=True`` (see :func:`format_value`).
_SYMBOLS = {"hours": "h", "per_1000": "‰"}
#: Decimals of each unit unless ``digits`` says otherwise.
_DIGITS = {"share": 1, "share_diff": 1, "currency": 2, "hours": 1, "points": 1, "per_1000": 1, "count": 0,
           "number": 1}


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _number(value: float, digits: int, lang: str) -> str:
    """``1234.5`` -> ``1,234.5`` (English) or ``1.234,5`` (German); infinity as ``∞``."""
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if round(value, digits) == 0:
        value = 0.0  # no "-0.0" for a small negative value
    text = f"{value:,.{digits}f}"
    if lang == "de":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def format_value(value: Any, unit: str, lang: str = "en", *, digits: int | None = None, currency: str = "",
                 symbol: bool = False, nbsp: bool = False) -> str:
    """Format a number for reading, in English or German: the one number formatter of the kit.

    Parameters
    ----------
    value : float or None
        The number; None or NaN gives a dash.
    unit : str
        A KPI unit of :class:`kit.definitions.Definition` (``share``, ``points``, ``hours``, ``per_1000``,
        ``currency``, ``mean``, ``stars``, ``orders``) or ``share_diff`` (a difference of shares, in percentage
        points), ``count`` (whole number), ``number`` (``digits`` decimals), ``p`` (a p-value: three decimals,
        ``< 0.001`` and ``> 0.999`` at the ends). Shares are 0…1 and shown as percent.
    lang : {"en", "de"}
        English: ``1,234.5``, ``12.3 %``, ``+9.8 pp``. German: ``1.234,5``, ``12,3 %``, ``+9,8 Pp.``.
    digits : int, optional
        Decimals (default: one for shares, points, hours and per 1,000; two for money and means; none for
        counts).
    currency : str
        Appended to ``currency`` values (``38.47 EUR``).
    symbol : bool
        Append the unit's symbol: ``h`` for hours, ``‰`` for per 1,000.
    nbsp : bool
        Join number and unit with a no-break space (report tables, where narrow columns wrap). German text
        always does; English text otherwise uses a plain space.

    Returns
    -------
    str

    Examples
    --------
    >>> format_value(0.1234, "share")
    '12.3 %'
    >>> format_value(0.1234, "share", "de").replace(NBSP, " ")
    '12,3 %'
    >>> format_value(31.25, "points")
    '31.2'
    >>> format_value(0.098, "share_diff")
    '+9.8 pp'
    >>> format_value(0.098, "share_diff", "de").replace(NBSP, " ")
    '+9,8 Pp.'
    >>> format_value(1234.5, "currency"), format_value(1234.5, "currency", "de", currency="EUR")
    ('1,234.50', '1.234,50\xa0EUR')
    >>> format_value(0.0004, "p"), format_value(0.0431, "p", "de")
    ('< 0.001', '0,043')
    """
    if _missing(value):
        return _DASH
    de = lang == "de"
    space = NBSP if (nbsp or de) else " "
    v = float(value)
    d = _DIGITS.get(unit, 2) if digits is None else digits
    if unit == "share":
        return f"{_number(v * 100, d, lang)}{space}%"
    if unit == "share_diff":
        sign = "+" if round(v * 100, d) > 0 else ""
        return f"{sign}{_number(v * 100, d, lang)}{space}{'Pp.' if de else 'pp'}"
    if unit == "p":  # three decimals; the ends as bounds (a German "1,000" would read as a thousand)
        if v < 0.001:
            return f"< {_number(0.001, 3, lang)}"
        return f"> {_number(0.999, 3, lang)}" if v > 0.999 else _number(v, 3, lang)
    text_ = _number(v, d, lang)
    if unit == "currency" and currency:
        return f"{text_}{space}{currency}"
    if symbol and unit in _SYMBOLS:
        return f"{text_}{space}{_SYMBOLS[unit]}"
    return text_


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
        return self.label_in("en")

    def label_in(self, lang: str = "en") -> str:
        """The label in ``lang`` from the registries (KPIs, then other metrics), else the kpi name."""
        d = DEFINITIONS.get(self.kpi)
        if d:
            return d.text("de" if lang == "de" else "en")[0]
        pair = METRIC_LABELS.get(self.kpi, (self.kpi, self.kpi))
        return pair[1] if lang == "de" else pair[0]

    def definition_in(self, lang: str = "en") -> str:
        """The definition in ``lang``: the registry's German text where the result's definition is the
        registered English one; a definition the metric wrote itself stays as written."""
        if lang != "de" or not self.definition:
            return self.definition
        d = DEFINITIONS.get(self.kpi)
        pair = (d.definition, d.definition_de) if d else METRIC_DEFINITIONS.get(self.kpi)
        return pair[1] if pair and pair[0] == self.definition else self.definition

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

    def formatted(self, lang: str = "en") -> str:
        """The result as one line in ``lang``: label, value, 95 % interval and n.

        Examples
        --------
        >>> r = MetricResult("csat", 0.628, 1828, 0.577, 0.676, unit="share")
        >>> r.formatted("de").replace(NBSP, " ")
        'Kundenzufriedenheit (CSAT) = 62,8 % (95-%-KI 57,7 % bis 67,6 %; n = 1.828)'
        """
        label = self.label_in(lang)
        if not self.has_data:
            return f"{label}: {text('no_data', lang)}" + (f" ({self.note})" if self.note else "")
        n = format_value(self.n, "count", lang)
        shown = f"{label} = {format_value(self.value, self.unit, lang)}"
        if not math.isnan(self.ci_low):
            return shown + " (" + text("result_interval", lang, low=format_value(self.ci_low, self.unit, lang),
                                       high=format_value(self.ci_high, self.unit, lang), n=n) + ")"
        return shown + f" (n = {n})"

    def to_html(self, lang: str = "en") -> str:
        """The result as HTML in ``lang``: the line of :meth:`formatted`, its definition and note (escaped)."""
        parts = [f"<div class='kit-metric'><strong>{html.escape(self.formatted(lang))}</strong>"]
        definition = self.definition_in(lang)
        if definition:
            parts.append(f"<br><small>{html.escape(text('definition', lang))}: {html.escape(definition)}</small>")
        if self.note:
            parts.append(f"<br><small>{html.escape(self.note)}</small>")
        parts.append("</div>")
        return "".join(parts)

    def __str__(self) -> str:
        return self.formatted("en")

    def _repr_html_(self) -> str:
        return self.to_html("en")


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
