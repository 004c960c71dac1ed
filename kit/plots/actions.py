"""Figures of the action plan (:mod:`kit.actions`): the impact-effort matrix.

Every function takes the frame a :mod:`kit.actions` function returns, draws on ``ax`` (or a new
Axes) in the kit's look and returns the Axes. Texts in English (``lang="en"``) or German (``"de"``).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from kit.plots._style import PALETTE, finish, new_axes, require_columns, style, texts

__all__ = ["plot_impact_effort"]

_TEXT = {
    "en": {"title": "Action plan: expected impact vs effort", "x": "Effort (1 = trivial … 5 = a project)",
           "y": "Expected impact (0…1)", "note": "point size = confidence; label = rank and action id",
           "quick": "quick wins", "big": "major projects"},
    "de": {"title": "Maßnahmenplan: erwartete Wirkung vs. Aufwand", "x": "Aufwand (1 = trivial … 5 = Projekt)",
           "y": "Erwartete Wirkung (0…1)", "note": "Punktgröße = Sicherheit; Beschriftung = Rang und Maßnahme",
           "quick": "schnelle Erfolge", "big": "große Projekte"},
}


def plot_impact_effort(data: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Impact-effort matrix: one point per action (x effort, y impact, size confidence).

    Parameters
    ----------
    data : DataFrame
        :func:`kit.actions.prioritise_actions` output (``action_id, effort, impact, confidence, rank``).
    ax : Axes, optional
        Where to draw.
    lang : {"en", "de"}
        Language of the texts.

    Returns
    -------
    Axes

    Raises
    ------
    DataError
        When a needed column is missing.

    Examples
    --------
    >>> plan = pd.DataFrame({"rank": [1, 2], "action_id": ["a", "b"], "effort": [2, 4],
    ...                      "impact": [0.5, 0.2], "confidence": [0.9, 0.4]})
    >>> ax = plot_impact_effort(plan)
    >>> ax.collections[0].get_offsets().tolist()
    [[2.0, 0.5], [4.0, 0.2]]
    """
    text = texts(_TEXT, lang)
    require_columns(data, ("rank", "action_id", "effort", "impact", "confidence"), "action plan",
                    source="kit.prioritise_actions")
    with style():
        ax = new_axes(ax)
        effort, impact = data["effort"].astype("float64"), data["impact"].astype("float64")
        size = 40 + 360 * data["confidence"].astype("float64").clip(0, 1)
        ax.scatter(effort, impact, s=size,
                   color=PALETTE[0], alpha=0.75, edgecolor="white", zorder=3)
        for row in data.itertuples():
            ax.annotate(f"{row.rank}. {row.action_id}", (row.effort, row.impact), xytext=(7, 5),
                        textcoords="offset points", fontsize=8)
        top = max(float(impact.max()) if len(data) else 0.0, 0.05) * 1.15
        ax.set_xlim(0.5, 5.5)
        ax.set_ylim(0, top)
        ax.axvline(3, color="#555555", lw=0.8, ls="--")
        ax.text(0.6, top * 0.96, text["quick"], fontsize=8, color="#555555", va="top")
        ax.text(5.4, top * 0.96, text["big"], fontsize=8, color="#555555", va="top", ha="right")
        finish(ax, title=text["title"], xlabel=text["x"], ylabel=text["y"], note=text["note"], lang=lang)
    return ax
