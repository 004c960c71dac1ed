"""One formatting layer for the report tables: readable headers (en/de) and formatted cells.

Numbers are formatted by :func:`kit.results.format_value`, the kit's one number formatter (English
``1,234.5`` / German ``1.234,5``); this module adds the table kinds around it (categories, reasons,
ids, dates, yes/no). A page describes the columns it shows with :class:`Col` (source column, label, kind);
:func:`display` returns a frame of strings ready for :meth:`Section.table`, which escapes
every cell. Nothing is computed here beyond formatting: columns not in the spec
(``se``, ``small``, raw ids) are simply not shown.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kit.definitions import DEFINITIONS
from kit.labels import LABELS, STATUS_COLOURS, table_name, text
from kit.results import NBSP, format_value

__all__ = ["Col", "display", "fmt", "category_text", "reasons_text", "compact_kpis_html", "compact_kpis_text",
           "INDEX_SCORECARD"]

#: Where the full scorecard (previous period, target, trend) is: the index page's scorecard.
INDEX_SCORECARD = "index.html#kit-scorecard"
_LINKS = {"en": ("Full scorecard (previous period, target, trend)", "definitions"),
          "de": ("Vollständige Scorecard (Vorperiode, Ziel, Verlauf)", "Definitionen")}

_DASH = "–"
_NB = NBSP  # no break between a number and its unit (HTML tables wrap narrow columns)
#: table kind -> unit of :func:`kit.results.format_value`
_UNITS = {"share": "share", "points": "share_diff", "money": "currency", "hours": "hours", "days": "count",
          "count": "count", "p": "p", "number": "number"}


@dataclass(frozen=True)
class Col:
    """How one displayed column is made.

    Attributes
    ----------
    source : str or tuple of two str
        The column of the frame, or ``(low, high)`` columns for an interval.
    label : str
        A key of :data:`kit.labels.LABELS` (translated) or a literal header.
    kind : str
        ``text``, ``category`` (translated via ``cat_<value>`` labels), ``reasons`` (``a;b;c``
        codes translated via ``reason_<code>``), ``share`` (0…1 -> ``43.2 %``), ``points`` (a difference
        of shares -> ``+12.0 pp``), ``share_interval``,
        ``interval`` (plain numbers), ``money`` (with the currency), ``hours``, ``days``, ``count``,
        ``p`` (p-value), ``number`` (``digits`` decimals), ``bool`` (yes/no), ``id`` (kept on one line),
        ``table`` (a table id shown by its display name, :func:`kit.labels.table_name`).
    digits : int
        Decimals of ``number``, ``share``, ``interval`` and ``hours``.
    """

    source: str | tuple[str, str]
    label: str
    kind: str = "text"
    digits: int = 1


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt(value: Any, kind: str, lang: str = "en", *, digits: int = 1, currency: str = "") -> str:
    """Format one cell.

    Parameters
    ----------
    value : Any
    kind : str
        See :class:`Col` (not ``share_interval``/``interval``: use :func:`display`).
    lang : {"en", "de"}
    digits : int
    currency : str
        Appended to ``money`` values.

    Returns
    -------
    str

    Examples
    --------
    >>> fmt(0.4321, "share").replace("\\u00a0", " ")
    '43.2 %'
    >>> fmt(0.0004, "p")
    '< 0.001'
    >>> fmt(1234.5, "money", currency="EUR").replace("\\u00a0", " ")
    '1,234.50 EUR'
    >>> fmt(1234.5, "money", "de", currency="EUR").replace("\\u00a0", " ")
    '1.234,50 EUR'
    """
    if _missing(value):
        return _DASH
    if kind in _UNITS:
        unit = _UNITS[kind]
        places = {"currency": 2, "count": 0, "p": None}.get(unit, digits)
        return format_value(value, unit, lang, digits=places, currency=currency, symbol=True, nbsp=True)
    if kind == "table":
        return table_name(str(value), lang)
    if kind == "id":  # keep pseudonyms like C-4fed7eebbc on one line
        return str(value).replace("-", "\u2011")
    if kind == "bool":
        return text("yes" if bool(value) else "no", lang)
    if kind == "category":
        return category_text(value, lang)
    if kind == "reasons":
        return reasons_text(value, lang)
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}".replace("-", "\u2011")  # dates stay on one line
    return str(value)


def category_text(value: Any, lang: str = "en") -> str:
    """A category key (``no_need``, ``at_risk``) in words: the ``cat_<key>`` label, else the key with spaces."""
    if _missing(value):
        return _DASH
    key = f"cat_{value}"
    return text(key, lang) if key in LABELS else str(value).replace("_", " ")


def reasons_text(value: Any, lang: str = "en") -> str:
    """``detractor;stars<=3;recent complaint`` -> ``NPS detractor (0-6), 3 stars or fewer, recent complaint``."""
    if _missing(value):
        return _DASH
    parts = [p.strip() for p in str(value).split(";") if p.strip()]
    out = []
    for part in parts:
        stars = re.fullmatch(r"stars<=(\d+)", part)
        if stars:
            out.append(text("reason_stars_le", lang, n=stars.group(1)))
            continue
        key = "reason_" + part.replace(" ", "_")
        out.append(text(key, lang) if key in LABELS else part)
    return ", ".join(out)


def _header(label: str, lang: str, currency: str) -> str:
    return text(label, lang, currency=currency) if label in LABELS else label


def display(frame: pd.DataFrame, spec: Sequence[Col], lang: str = "en", *, currency: str = "") -> pd.DataFrame:
    """The frame as shown on a page: only the columns of ``spec``, labelled and formatted as strings.

    Columns of ``spec`` the frame lacks are left out (kit functions may add or drop optional
    columns); columns not in ``spec`` are not shown.

    Parameters
    ----------
    frame : DataFrame
    spec : sequence of Col
    lang : {"en", "de"}
    currency : str
        For ``money`` columns (``config.business.currency``) and ``{currency}`` in labels.

    Returns
    -------
    DataFrame
        All cells str; the index is reset.

    Examples
    --------
    >>> f = pd.DataFrame({"share": [0.4321], "ci_low": [0.381], "ci_high": [0.48], "se": [0.02]})
    >>> display(f, [Col("share", "col_share", "share"), Col(("ci_low", "ci_high"), "col_interval",
    ...         "share_interval")]).iloc[0].str.replace("\\u00a0", " ").tolist()
    ['43.2 %', '38.1 – 48.0 %']
    """
    out: dict[str, list[str]] = {}
    for col in spec:
        if isinstance(col.source, tuple):
            low, high = col.source
            if low not in frame or high not in frame:
                continue
            cells = []
            for lo, hi in zip(frame[low], frame[high], strict=False):
                if _missing(lo) and _missing(hi):
                    cells.append(_DASH)
                elif col.kind == "share_interval":
                    a = _DASH if _missing(lo) else format_value(float(lo) * 100, "number", lang, digits=col.digits)
                    b = _DASH if _missing(hi) else format_value(float(hi) * 100, "number", lang, digits=col.digits)
                    cells.append(f"{a}{_NB}–{_NB}{b}{_NB}%")
                else:
                    kind = "number" if col.kind == "interval" else col.kind
                    a = fmt(lo, kind, lang, digits=col.digits, currency=currency)
                    b = fmt(hi, kind, lang, digits=col.digits, currency=currency)
                    cells.append(f"{a}{_NB}–{_NB}{b}")
        else:
            if col.source not in frame:
                continue
            cells = [fmt(v, col.kind, lang, digits=col.digits, currency=currency) for v in frame[col.source]]
        out[_header(col.label, lang, currency)] = cells
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)), dtype=object)


def _kpi_value(kpi: str, value: Any, lang: str, currency: str) -> str:
    """A KPI value with its unit (as the index scorecard shows it: ``38.47 EUR``, ``12.3 %``)."""
    if _missing(value):
        return _DASH
    unit = DEFINITIONS[kpi].unit if kpi in DEFINITIONS else "number"
    return format_value(float(value), unit, lang, currency=currency, symbol=True)


def compact_kpis_html(frame: pd.DataFrame, lang: str = "en", *, currency: str = "", index: str = INDEX_SCORECARD,
                      glossary: str = "glossary.html") -> str:
    """A section's KPIs in compact form: name (linking to its glossary entry), value, 95 % interval, n and status,
    with one line linking to the full scorecard on the index page. All text escaped.

    Parameters
    ----------
    frame : DataFrame
        Scorecard rows (``kpi, label, value, ci_low, ci_high, n, status``; with ``definition``, a KPI without data
        says why under its name).
    lang : {"en", "de"}
    currency : str
        Shown with money KPIs.
    index, glossary : str
        Links to the full scorecard and to the glossary (``<glossary>#kpi-<id>``); ``""`` leaves a link out.

    Examples
    --------
    >>> card = pd.DataFrame({"kpi": ["nps"], "label": ["NPS"], "value": [9.9], "ci_low": [2.1],
    ...                      "ci_high": [17.6], "n": [390], "status": ["missed"]})
    >>> page = compact_kpis_html(card)
    >>> "glossary.html#kpi-nps" in page and ">9.9<" in page and "2.1 – 17.6" in page and ">390<" in page
    True
    >>> "Previous" in page or "Target" in page
    False
    """
    from kit.report.pages._common import _no_data_reason

    esc = html.escape
    head = "".join(f"<th style='text-align:{'left' if k == 'col_kpi' else 'right'}'>{esc(text(k, lang))}</th>"
                   for k in ("col_kpi", "col_value", "col_interval", "n", "col_status"))
    body = []
    for row in frame.itertuples(index=False):
        kpi, status = str(row.kpi), str(row.status)
        label = esc(str(row.label))
        if glossary:
            label = f"<a href='{esc(glossary)}#kpi-{esc(kpi)}'>{label}</a>"
        reason = _no_data_reason(str(getattr(row, "definition", "") or "")) if status == "no_data" else ""
        if reason:   # a KPI without data says why, in one line (as on the index)
            label += f"<br><small style='color:#555'>{esc(reason)}</small>"
        interval = _DASH
        if not _missing(row.ci_low) and not _missing(row.ci_high):
            interval = (f"{_kpi_value(kpi, row.ci_low, lang, currency)} – "
                        f"{_kpi_value(kpi, row.ci_high, lang, currency)}")
        n = _DASH if _missing(row.n) else format_value(int(row.n), "count", lang)
        status_text = text(status, lang) if status in STATUS_COLOURS else status
        colour = STATUS_COLOURS.get(status, "#e6e6e6")
        fg = "#ffffff" if status in ("met", "missed", "inconclusive") else "#222222"
        number = "<td style='text-align:right;white-space:nowrap'>"
        body.append(f"<tr><td style='text-align:left'>{label}</td>"
                    f"{number}<strong>{esc(_kpi_value(kpi, row.value, lang, currency))}</strong></td>"
                    f"{number}{esc(interval)}</td><td style='text-align:right'>{esc(n)}</td>"
                    f"<td style='text-align:right'><span class='kit-status kit-status-{esc(status)}' "
                    f"style='background:{colour};color:{fg};padding:1px 7px;border-radius:10px;white-space:nowrap'>"
                    f"{esc(status_text)}</span></td></tr>")
    full, definitions = _LINKS["de" if lang == "de" else "en"]
    links = []
    if index:
        links.append(f"<a href='{esc(index)}'>{esc(full)}</a>")
    if glossary:
        links.append(f"<a href='{esc(glossary)}'>{esc(definitions)}</a>")
    foot = f"<p class='kit-note' style='margin:2px 0 8px'><small>{' · '.join(links)}</small></p>" if links else ""
    return ("<table class='kit-scorecard kit-compact' style='border-collapse:collapse'>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{foot}")


def compact_kpis_text(frame: pd.DataFrame, lang: str = "en", *, currency: str = "") -> str:
    """:func:`compact_kpis_html` as plain text, one line per KPI (``NPS: 9.9 (2.1 – 17.6), n = 390; missed``)."""
    lines = []
    for row in frame.itertuples(index=False):
        kpi, status = str(row.kpi), str(row.status)
        interval = "" if _missing(row.ci_low) or _missing(row.ci_high) else \
            f" ({_kpi_value(kpi, row.ci_low, lang, currency)} – {_kpi_value(kpi, row.ci_high, lang, currency)})"
        n = "" if _missing(row.n) or (isinstance(row.n, float) and math.isnan(row.n)) else \
            f", n = {format_value(int(row.n), 'count', lang)}"
        shown = text(status, lang) if status in STATUS_COLOURS else status
        lines.append(f"{row.label}: {_kpi_value(kpi, row.value, lang, currency)}{interval}{n}; {shown}")
    return "\n".join(lines)
