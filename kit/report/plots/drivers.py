"""Figures of the key driver analysis (:mod:`kit.models.drivers`): importance bars and the importance-performance map.

Every function takes the frame a :mod:`kit.models.drivers` function returns, draws on ``ax`` (or a new
Axes) in the kit's look and returns the Axes. Texts in English (``lang="en"``) or German (``"de"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from kit.labels import LABELS
from kit.labels import text as text_of
from kit.report.plots._style import PALETTE, finish, new_axes, require_columns, style, texts
from kit.results import format_value

__all__ = ["plot_driver_importance", "plot_importance_performance"]

_TEXT = {
    "en": {"imp_title": "What drives {outcome}: share of explained variance",
           "imp_x": "Share of R² (95 % bootstrap interval)", "ip_title": "Importance vs performance",
           "ip_x": "Importance (share of R²)", "ip_y": "Mean rating", "note": "split at the means; n = {n}"},
    "de": {"imp_title": "Was {outcome} bestimmt: Anteil an der erklärten Varianz",
           "imp_x": "Anteil an R² (95-%-Bootstrap-Intervall)", "ip_title": "Wichtigkeit vs. Leistung",
           "ip_x": "Wichtigkeit (Anteil an R²)", "ip_y": "Mittlere Bewertung",
           "note": "Teilung an den Mittelwerten; n = {n}"},
}
_QUADRANT_COLOURS = {"concentrate": "#b3261e", "keep_up": "#1b7f3b", "low_priority": "#8a8a8a",
                     "overkill": PALETTE[0], "borderline": "#b26b00"}


def _label(driver: str, lang: str = "en") -> str:
    """A driver's name: the kit's label (``cat_driver_delivery``: Delivery / Lieferung), else its id in words."""
    name = str(driver).removeprefix("driver_")
    key = f"cat_driver_{name}"
    return text_of(key, lang) if key in LABELS else name.replace("_", " ")


def plot_driver_importance(data: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en",
                           outcome: str = "NPS") -> Axes:
    """Horizontal bars of each driver's share of R² with its bootstrap interval, most important on top.

    Parameters
    ----------
    data : DataFrame
        :attr:`kit.models.drivers.KeyDrivers.summary`.
    ax : Axes, optional
        Where to draw.
    lang : {"en", "de"}
        Language of the texts.
    outcome : str
        What the drivers explain, for the title.

    Returns
    -------
    Axes

    Examples
    --------
    >>> s = pd.DataFrame({"driver": ["driver_delivery", "driver_price"], "importance": [0.7, 0.3],
    ...                   "ci_low": [0.6, 0.2], "ci_high": [0.8, 0.4]})
    >>> [round(float(p.get_width()), 1) for p in plot_driver_importance(s).patches]
    [0.7, 0.3]
    """
    text = texts(_TEXT, lang)
    require_columns(data, ("driver", "importance", "ci_low", "ci_high"), "driver summary",
                    source="kit.models.drivers.KeyDrivers.summary")
    frame = data.sort_values("importance", ascending=False, kind="mergesort")
    with style():
        ax = new_axes(ax)
        y = np.arange(len(frame))
        ax.barh(y, frame["importance"], color=PALETTE[0])
        # the interval drawn from its own ends, not as errors around the bar: a bootstrap percentile interval
        # of a small sample may lie wholly above or below the estimate (xerr would be negative and fail)
        low, high = frame["ci_low"].to_numpy(dtype=float), frame["ci_high"].to_numpy(dtype=float)
        if np.isfinite(low).all() and np.isfinite(high).all():
            ax.hlines(y, low, high, color="#333333", linewidth=1)
            ax.plot(np.r_[low, high], np.r_[y, y], linestyle="none", marker="|", markersize=7, color="#333333")
        ax.set_yticks(y, [_label(d, lang) for d in frame["driver"]])
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f} %")
        finish(ax, title=text["imp_title"].format(outcome=outcome), xlabel=text["imp_x"], ylabel="", lang=lang)
    return ax


def plot_importance_performance(data: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """The importance-performance map: one point per driver, quadrant lines at the means.

    Parameters
    ----------
    data : DataFrame
        :func:`kit.models.drivers.importance_performance` output.
    ax : Axes, optional
        Where to draw.
    lang : {"en", "de"}
        Language of the texts.

    Returns
    -------
    Axes

    Examples
    --------
    >>> ip = pd.DataFrame({"driver": ["a", "b"], "importance": [0.7, 0.3], "performance": [3.1, 4.2],
    ...                    "n": [100, 100], "quadrant_id": ["concentrate", "overkill"],
    ...                    "quadrant": ["Concentrate here", "Possible overkill"]})
    >>> [t.get_text() for t in plot_importance_performance(ip).texts][:2]
    ['a', 'b']
    """
    text = texts(_TEXT, lang)
    require_columns(data, ("driver", "importance", "performance", "quadrant_id", "quadrant"),
                    "importance-performance", source="kit.importance_performance")
    with style():
        ax = new_axes(ax)
        for quadrant_id, group in data.groupby("quadrant_id", sort=True):
            ax.scatter(group["importance"], group["performance"], s=60,
                       color=_QUADRANT_COLOURS.get(str(quadrant_id), PALETTE[1]), label=group["quadrant"].iloc[0],
                       zorder=3)
        for row in data.itertuples():
            ax.annotate(_label(row.driver, lang), (row.importance, row.performance), xytext=(5, 4),
                        textcoords="offset points", fontsize=9)
        ax.axvline(data["importance"].mean(), color="#555555", lw=0.8, ls="--")
        ax.axhline(data["performance"].mean(), color="#555555", lw=0.8, ls="--")
        ax.xaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f} %")
        ax.legend(loc="best", fontsize=8, frameon=False)
        n = int(data["n"].max()) if "n" in data.columns and len(data) else 0
        finish(ax, title=text["ip_title"], xlabel=text["ip_x"], ylabel=text["ip_y"],
               note=text["note"].format(n=format_value(n, "count", lang)), lang=lang)
    return ax
