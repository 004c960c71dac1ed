"""The shared look of every figure: palette, status colours, axes helper.

Nothing here changes global matplotlib state; figures are styled through
``with style():`` and the helpers below.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from kit.errors import DataError

__all__ = ["PALETTE", "STATUS_COLOURS", "POLARITY_COLOURS", "style", "new_axes", "finish", "texts",
           "require_columns"]

#: Colour-blind-safe base palette (seaborn "colorblind").
PALETTE = sns.color_palette("colorblind")
#: Status colours of the scorecard; ``inconclusive`` is deliberately neutral.
STATUS_COLOURS = {
    "met": "#1b7f3b",
    "missed": "#b3261e",
    "inconclusive": "#8a8a8a",
    "no_target": "#c9c9c9",
    "no_data": "#e6e6e6",
}
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


def finish(ax: Axes, *, title: str = "", xlabel: str | None = None, ylabel: str | None = None,
           note: str | None = None) -> Axes:
    """Set title, axis labels and an optional small note (e.g. ``n = 412``) under the axes."""
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
