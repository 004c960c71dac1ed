"""The shared look of every figure: palette, status colours, axes helper.

Nothing here changes global matplotlib state; figures are styled through
``with style():`` and the helpers below.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import Formatter

from kit.errors import DataError
from kit.labels import STATUS_COLOURS
from kit.results import format_value

__all__ = ["PALETTE", "STATUS_COLOURS", "POLARITY_COLOURS", "style", "new_axes", "finish", "texts",
           "require_columns", "percent", "localise_ticks"]

#: Colour-blind-safe base palette (seaborn "colorblind").
PALETTE = sns.color_palette("colorblind")
POLARITY_COLOURS = {"positive": "#1b7f3b", "negative": "#b3261e", "neutral": "#8a8a8a"}

_RC = {
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titleweight": "bold",
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "figure.dpi": 100,
    "savefig.bbox": "tight",
}


@contextmanager
def style() -> Iterator[None]:
    """Context in which figures get the kit's look (seaborn whitegrid + tidy spines)."""
    with sns.axes_style("whitegrid", rc=_RC), plt.rc_context(_RC):
        yield


def new_axes(ax: Axes | None = None, *, size: tuple[float, float] = (7.0, 4.0)) -> Axes:
    """Return ``ax`` or a fresh Axes of the kit's default size."""
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=size)
    return ax


def percent(value: float, lang: str = "en", digits: int = 0) -> str:
    """A share (0…1) as percent in a figure's text, by :func:`kit.results.format_value`: German ``75 %``;
    English as compact as the percent ticks beside it (``75%``).

    Examples
    --------
    >>> percent(0.75), percent(0.75, "de").replace("\\u00a0", " "), percent(0.125, "de", 1).replace("\\u00a0", " ")
    ('75%', '75 %', '12,5 %')
    """
    shown = format_value(value, "share", lang, digits=digits)
    return shown if lang == "de" else shown.replace(" ", "")


#: a tick label that is a plain number or percent (``0.2``, ``−1.5``, ``17.5%``, ``53 %``); others stay as they are
_TICK = re.compile(r"([-\u2212]?)(\d+)(?:\.(\d+))?(\s?%)?")


class _GermanTicks(Formatter):
    """Tick labels of another formatter in German: ``17.5%`` -> ``17,5 %``, ``0.2`` -> ``0,2``; whole numbers
    (``1400``, a year) as they are. The other formatter still chooses ticks and decimals; the text comes from
    :func:`kit.results.format_value`."""

    def __init__(self, inner: Formatter) -> None:
        self.inner = inner

    def set_axis(self, axis: Any) -> None:
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def set_locs(self, locs: Sequence[float]) -> None:
        self.inner.set_locs(locs)

    def get_offset(self) -> str:
        return self.inner.get_offset()

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self._german(self.inner(x, pos))

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        return [self._german(label) for label in self.inner.format_ticks(values)]

    @staticmethod
    def _german(label: Any) -> str:
        shown = str(label)
        match = _TICK.fullmatch(shown.strip())
        if match is None or not (match.group(3) or match.group(4)):  # whole numbers (also years) stay as they are
            return shown
        sign, whole, decimals, pct = match.groups()
        digits = len(decimals or "")
        value = float(f"{whole}.{decimals or 0}")
        text_ = (format_value(value / 100, "share", "de", digits=digits) if pct
                 else format_value(value, "number", "de", digits=digits))
        return ("\u2212" if sign else "") + text_


def localise_ticks(ax: Axes, lang: str) -> Axes:
    """Number ticks in the figure's language: German decimal commas, thousands dots and ``10 %``.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0.0, 0.5])
    >>> _ = ax.set_yticks([0, 0.25, 0.5])
    >>> fig.canvas.draw()
    >>> [t.get_text() for t in localise_ticks(ax, "de").get_yticklabels()]
    ['0,00', '0,25', '0,50']
    >>> plt.close(fig)
    """
    if lang != "de":
        return ax
    for axis in (ax.xaxis, ax.yaxis):
        current = axis.get_major_formatter()
        if not isinstance(current, _GermanTicks):
            axis.set_major_formatter(_GermanTicks(current))
    return ax


def finish(ax: Axes, *, title: str = "", xlabel: str | None = None, ylabel: str | None = None,
           note: str | None = None, lang: str = "en") -> Axes:
    """Set title, axis labels and an optional small note (e.g. ``n = 412``) under the axes; number ticks in
    ``lang`` (:func:`localise_ticks`)."""
    localise_ticks(ax, lang)
    if title:
        ax.set_title(title, loc="left")
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if note:
        ax.annotate(note, xy=(0, -0.18), xycoords="axes fraction", fontsize=8, color="#555555", va="top")
    return ax


def texts(table: dict[str, dict[str, str]], lang: str) -> dict[str, str]:
    """The strings of ``table`` in ``lang``; an unsupported language lists the supported ones.

    Examples
    --------
    >>> texts({"en": {"title": "Drivers"}, "de": {"title": "Treiber"}}, "de")["title"]
    'Treiber'
    """
    if lang not in table:
        raise ValueError(f"lang {lang!r} is not supported; choose one of {sorted(table)}")
    return table[lang]


def require_columns(data: pd.DataFrame, columns: tuple[str, ...], what: str, *, source: str) -> None:
    """Raise :class:`~kit.errors.DataError` when ``data`` lacks any of ``columns``.

    Parameters
    ----------
    data : DataFrame
        The frame a plot was given.
    columns : tuple of str
        The columns the plot needs.
    what : str
        What the frame is (e.g. ``"driver summary"``), named in the message.
    source : str
        Which kit function makes such a frame (the fix).

    Examples
    --------
    >>> require_columns(pd.DataFrame({"a": [1]}), ("a",), "table", source="kit.x")
    """
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise DataError(f"column(s) {', '.join(missing)} missing", file=what, expected=", ".join(columns),
                        fix=f"pass the frame {source} returns")
