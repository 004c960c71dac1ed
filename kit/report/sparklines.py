"""Inline SVG sparklines and delta arrows for the scorecard (no external files, no script)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import pandas as pd

from kit.data.config import AnalysisConfig
from kit.definitions import DEFINITIONS
from kit.results import format_value

__all__ = ["sparkline_svg", "delta_html", "trend_cells", "TREND_HEADER"]

TREND_HEADER = {"en": "Trend (last {k} periods), change", "de": "Verlauf (letzte {k} Zeiträume), Veränderung"}
_GOOD, _BAD, _FLAT = "#1b7f3b", "#b3261e", "#6b6b6b"
_TIP = {"en": ("significant", "not significant", "no test"), "de": ("signifikant", "nicht signifikant", "kein Test")}


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if v is not None and not math.isnan(v)]


def sparkline_svg(values: Sequence[float], *, lows: Sequence[float] | None = None,
                  highs: Sequence[float] | None = None, target: float | None = None, width: int = 96,
                  height: int = 24, title: str = "") -> str:
    """A small line chart of ``values`` as inline SVG: a grey band for the intervals, a dashed target line,
    a dot on the last value; gaps (NaN) break the line.

    Parameters
    ----------
    values : sequence of float
        Oldest first.
    lows, highs : sequence of float, optional
        The 95 % interval of each value.
    target : float, optional
        Drawn as a dashed line when it lies in (or near) the range.
    width, height : int
        Size in CSS pixels (SVG: crisp at any resolution).
    title : str
        Tooltip and accessible name (escaped).

    Returns
    -------
    str
        ``""`` when fewer than two values are known.

    Examples
    --------
    >>> svg = sparkline_svg([1.0, 2.0, 3.0], title="up")
    >>> svg.startswith("<svg") and "<polyline" in svg and "<title>up</title>" in svg
    True
    >>> sparkline_svg([1.0, float("nan")])
    ''
    """
    if len(_finite(values)) < 2:
        return ""
    bands = _finite(list(lows or [])) + _finite(list(highs or []))
    extent = _finite(list(values)) + bands + ([target] if target is not None and not math.isnan(target) else [])
    low, high = min(extent), max(extent)
    span = (high - low) or 1.0
    pad = 2.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def x(i: int) -> float:
        return pad + i * step

    def y(v: float) -> float:
        return pad + (high - v) / span * (height - 2 * pad)

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' class='kit-spark' width='{width}' height='{height}' "
             f"viewBox='0 0 {width} {height}' role='img' style='vertical-align:middle'>"]
    if title:
        parts.append(f"<title>{html.escape(title)}</title>")
    if lows is not None and highs is not None:
        top = [(x(i), y(h)) for i, h in enumerate(highs) if not math.isnan(h)]
        bottom = [(x(i), y(lo)) for i, lo in enumerate(lows) if not math.isnan(lo)]
        if len(top) >= 2 and len(top) == len(bottom):
            points = " ".join(f"{a:.1f},{b:.1f}" for a, b in top + bottom[::-1])
            parts.append(f"<polygon points='{points}' fill='#dfe6ee' stroke='none'/>")
    if target is not None and not math.isnan(target):
        parts.append(f"<line x1='{pad}' x2='{width - pad}' y1='{y(target):.1f}' y2='{y(target):.1f}' "
                     "stroke='#999' stroke-width='1' stroke-dasharray='3,2'/>")
    run: list[str] = []
    for i, v in enumerate(list(values) + [math.nan]):
        if v is None or math.isnan(v):
            if len(run) >= 2:
                parts.append(f"<polyline points='{' '.join(run)}' fill='none' stroke='#1f4e79' "
                             "stroke-width='1.5'/>")
            run = []
        else:
            run.append(f"{x(i):.1f},{y(v):.1f}")
    last = next(((i, v) for i, v in reversed(list(enumerate(values))) if v is not None and not math.isnan(v)))
    parts.append(f"<circle cx='{x(last[0]):.1f}' cy='{y(last[1]):.1f}' r='2.2' fill='#1f4e79'/>")
    parts.append("</svg>")
    return "".join(parts)


def delta_html(kpi: str, change: float, p_value: float, *, direction: str, lang: str = "en",
               currency: str = "", alpha: float = 0.05) -> str:
    """The change since the previous period as an arrow and a signed number, green or red when significant.

    Examples
    --------
    >>> "▼" in delta_html("nps", -16.8, 0.005, direction="higher") and "#b3261e" in delta_html(
    ...     "nps", -16.8, 0.005, direction="higher")
    True
    >>> "#6b6b6b" in delta_html("nps", -1.0, 0.6, direction="higher")
    True
    """
    if change is None or math.isnan(change):
        return "–"
    unit = DEFINITIONS[kpi].unit if kpi in DEFINITIONS else "number"
    shown = format_value(abs(change), "share_diff" if unit == "share" else unit, lang, currency=currency,
                         symbol=True).lstrip("+")
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    arrow = "▲" if change > 0 else ("▼" if change < 0 else "►")
    tips = _TIP["de" if lang == "de" else "en"]
    if p_value is None or math.isnan(p_value):
        colour, tip = _FLAT, tips[2]
    elif p_value < alpha and change != 0:
        better = (change > 0) == (direction == "higher")
        colour, tip = (_GOOD if better else _BAD), tips[0]
    else:
        colour, tip = _FLAT, tips[1]
    weight = "600" if colour != _FLAT else "400"
    return (f"<span class='kit-delta' title='{html.escape(tip)}' style='color:{colour};font-weight:{weight};"
            f"white-space:nowrap'>{arrow}\u00a0{html.escape(sign + shown)}</span>")


def trend_cells(series: pd.DataFrame | None, scorecard: pd.DataFrame, config: AnalysisConfig, *,
                lang: str = "en") -> dict[str, str]:
    """Per KPI: its sparkline over the series and its delta arrow, as one HTML cell.

    Parameters
    ----------
    series : DataFrame or None
        :func:`kit.plan.trends.kpi_series` output; None gives arrows only.
    scorecard : DataFrame
        The period's scorecard (change and p-value; ``p_adjusted`` when present).
    config : AnalysisConfig
        Directions and targets.

    Returns
    -------
    dict
        KPI id -> HTML.
    """
    currency = config.business.currency
    p_column = "p_adjusted" if "p_adjusted" in scorecard else "p_value"
    out = {}
    for row in scorecard.itertuples(index=False):
        kpi = str(row.kpi)
        spark = ""
        if series is not None:
            part = series[series["kpi"] == kpi]
            if not part.empty:
                shown = [format_value(v, DEFINITIONS[kpi].unit if kpi in DEFINITIONS else "number", lang,
                                      currency=currency, symbol=True) for v in part["value"]]
                tip = ", ".join(f"{p}: {s}" for p, s in zip(part["period"], shown, strict=True))
                spark = sparkline_svg(part["value"].tolist(), lows=part["ci_low"].tolist(),
                                      highs=part["ci_high"].tolist(), target=float(row.target), title=tip)
        delta = delta_html(kpi, float(row.change), float(getattr(row, p_column)), direction=config.direction(kpi),
                           lang=lang, currency=currency)
        out[kpi] = f"{spark} {delta}" if spark else delta
    return out
