"""One formatting layer for the report tables: readable headers (en/de) and formatted cells.

Numbers are formatted by :func:`kit.results.format_value`, the kit's one number formatter (English
``1,234.5`` / German ``1.234,5``); this module adds the table kinds around it (categories, reasons,
ids, dates, yes/no). A page describes the columns it shows with :class:`Col` (source column, label, kind);
:func:`display` returns a frame of strings ready for :meth:`Section.table`, which escapes
every cell. Nothing is computed here beyond formatting: columns not in the spec
(``se``, ``small``, raw ids) are simply not shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kit.labels import LABELS, table_name, text
from kit.results import NBSP, format_value

__all__ = ["Col", "display", "fmt", "category_text", "reasons_text"]

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
