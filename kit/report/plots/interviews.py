"""Figures of step 4: themes by segment, positive against negative aspects per theme."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from kit.labels import LABELS
from kit.labels import text as text_of
from kit.report.plots._style import PALETTE, POLARITY_COLOURS, finish, new_axes, style
from kit.results import format_value

__all__ = ["plot_themes_by_segment", "plot_theme_polarity"]

Lang = Literal["en", "de"]

_TEXT = {
    "en": {"by_segment": "Themes by segment", "share": "Share of interviews mentioning the theme",
           "polarity": "Positive and negative mentions per theme", "mentions": "Mentions (sentences)",
           "positive": "positive", "negative": "negative", "n": "n = {n} interviews"},
    "de": {"by_segment": "Themen nach Segment", "share": "Anteil der Interviews, die das Thema nennen",
           "polarity": "Positive und negative Nennungen je Thema", "mentions": "Nennungen (Sätze)",
           "positive": "positiv", "negative": "negativ", "n": "n = {n} Interviews"},
}


def _group(value: object, lang: str) -> str:
    """A segment (``at_risk``) in words: the kit's ``cat_<segment>`` label, else the value as it is."""
    key = f"cat_{value}"
    return text_of(key, lang) if key in LABELS else str(value)


def _labels(frame: pd.DataFrame) -> pd.Series:
    return frame["label"] if "label" in frame else frame["theme"]


def plot_themes_by_segment(frequency: pd.DataFrame, *, by: str = "segment", ax: Axes | None = None,
                           lang: Lang = "en") -> Axes:
    """Grouped horizontal bars: share of texts mentioning each theme, one bar per segment.

    Parameters
    ----------
    frequency : DataFrame
        :func:`kit.text.interviews.theme_frequency` with ``by="segment"`` (columns ``segment``,
        ``theme``, optional ``label``, ``share``, ``texts``).
    by : str
        The group column.
    ax : Axes, optional
        Draw into this Axes.
    lang : {"en", "de"}
        Language of title and axis label.

    Returns
    -------
    Axes
        One bar container per group, bars in theme order (first theme at the top).

    Examples
    --------
    >>> freq = pd.DataFrame({"segment": ["loyal", "loyal", "lost", "lost"], "theme": ["service", "price"] * 2,
    ...                      "share": [1.0, 0.2, 0.3, 0.9], "texts": [5, 5, 3, 3]})
    >>> ax = plot_themes_by_segment(freq)
    >>> [round(float(b.get_width()), 1) for b in ax.containers[0]]
    [1.0, 0.2]
    """
    text = _TEXT[lang]
    groups = list(dict.fromkeys(frequency[by]))
    themes = list(dict.fromkeys(frequency["theme"]))
    labels = dict(zip(frequency["theme"], _labels(frequency), strict=True))
    with style():
        ax = new_axes(ax, size=(7.0, 0.5 + 0.45 * len(themes) * max(1, len(groups)) ** 0.5))
        height = 0.8 / max(1, len(groups))
        y = np.arange(len(themes))
        for i, group in enumerate(groups):
            part = frequency.loc[frequency[by] == group].set_index("theme")["share"].reindex(themes).fillna(0.0)
            ax.barh(y + i * height - 0.4 + height / 2, part.to_numpy(), height=height, label=str(group),
                    color=PALETTE[i % len(PALETTE)])
        ax.set_yticks(y, [labels[t] for t in themes])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.legend(handles=ax.containers, labels=[_group(g, lang) for g in groups],
                  title=text_of("col_segment", lang) if by == "segment" else by, frameon=False, loc="lower right")
        n = int(frequency.drop_duplicates(by)["texts"].sum()) if "texts" in frequency else None
        return finish(ax, title=text["by_segment"], xlabel=text["share"], ylabel="", lang=lang,
                      note=text["n"].format(n=format_value(n, "count", lang)) if n is not None else None)


def plot_theme_polarity(aspects: pd.DataFrame, *, ax: Axes | None = None, lang: Lang = "en") -> Axes:
    """Diverging bars per theme: negative mentions to the left, positive to the right.

    Parameters
    ----------
    aspects : DataFrame
        :func:`kit.text.interviews.aspects` (``theme``, optional ``label``, ``positive``, ``negative``).
    ax : Axes, optional
        Draw into this Axes.
    lang : {"en", "de"}
        Language of title, legend and axis label.

    Returns
    -------
    Axes
        Two bar containers: ``containers[0]`` negative (widths ≤ 0), ``containers[1]`` positive.

    Examples
    --------
    >>> table = pd.DataFrame({"theme": ["price", "service"], "positive": [1, 6], "negative": [4, 0]})
    >>> ax = plot_theme_polarity(table)
    >>> [float(b.get_width()) for b in ax.containers[0]], [float(b.get_width()) for b in ax.containers[1]]
    ([-4.0, 0.0], [1.0, 6.0])
    """
    text = _TEXT[lang]
    y = np.arange(len(aspects))
    with style():
        ax = new_axes(ax, size=(7.0, 0.6 + 0.4 * len(aspects)))
        ax.barh(y, -aspects["negative"].to_numpy(dtype=float), color=POLARITY_COLOURS["negative"],
                label=text["negative"])
        ax.barh(y, aspects["positive"].to_numpy(dtype=float), color=POLARITY_COLOURS["positive"],
                label=text["positive"])
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_yticks(y, _labels(aspects).tolist())
        ax.invert_yaxis()
        limit = float(max(aspects["negative"].max(), aspects["positive"].max(), 1)) * 1.1 if len(aspects) else 1.0
        ax.set_xlim(-limit, limit)
        ax.xaxis.set_major_formatter(lambda v, _: f"{abs(v):.0f}")
        ax.legend(frameon=False, loc="lower right")
        return finish(ax, title=text["polarity"], xlabel=text["mentions"], ylabel="", lang=lang)
