"""Figures of the action plan (:mod:`kit.plan.actions`): the impact-effort matrix.

Every function takes the frame a :mod:`kit.plan.actions` function returns, draws on ``ax`` (or a new
Axes) in the kit's look and returns the Axes. Texts in English (``lang="en"``) or German (``"de"``).
"""

from __future__ import annotations

import math
from itertools import count

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from kit.report.plots._style import PALETTE, finish, new_axes, require_columns, style, texts

__all__ = ["plot_impact_effort"]

_TEXT = {
    "en": {"title": "Action plan: impact vs effort", "x": "Effort (1 = trivial … 5 = a project)",
           "y": "Impact (0…1)", "note": "point size = confidence; number = rank (# in the table)",
           "quick": "quick wins", "big": "major projects"},
    "de": {"title": "Maßnahmenplan: Wirkung vs. Aufwand", "x": "Aufwand (1 = trivial … 5 = Projekt)",
           "y": "Wirkung (0…1)", "note": "Punktgröße = Sicherheit; Zahl = Rang (# in der Tabelle)",
           "quick": "schnelle Erfolge", "big": "große Projekte"},
}
_Side = tuple[int, int, str, str]
#: where a rank label may sit around its point, tried in this order: (dx, dy, ha, va) on the unit square
_SIDES: tuple[_Side, ...] = (
    (1, 0, "left", "center"), (1, 1, "left", "bottom"), (1, -1, "left", "top"), (0, 1, "center", "bottom"),
    (0, -1, "center", "top"), (-1, 0, "right", "center"), (-1, 1, "right", "bottom"), (-1, -1, "right", "top"))
_GAP = 2.0        # points between a marker's edge and its label
_RING = 6.0       # points further out for each ring of candidate places
_NEAR_RINGS = 4   # rings tried before a label may cover other markers or leave the axes
_KEY_WIDTH = 80   # characters of an action title in the key below the plot
_LABEL = {"fontsize": 9, "fontweight": "bold", "color": "#1a1a1a", "zorder": 4}


def plot_impact_effort(data: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Impact-effort matrix: one point per action (x effort, y impact, size confidence), labelled with its rank.

    Each point carries its rank only (the ``#`` of the plan table); the key under the plot gives
    rank and title. Labels are placed one after the other in rank order, each at the first place
    around its point where it overlaps no label placed before (and, while such a place is near:
    no marker, inside the axes, nearer to its own point than to any other). The places are tried
    ring by ring, further out each time, and a ring far enough out lies beyond every label placed
    before, so every label finds a free place: no two labels overlap, even for actions at the same
    point. A label away from its point gets a thin line to it.

    Parameters
    ----------
    data : DataFrame
        :func:`kit.plan.actions.prioritise_actions` output (``rank, action_id, effort, impact, confidence``;
        ``title`` for the key, else the action id).
    ax : Axes, optional
        Where to draw.
    lang : {"en", "de"}
        Language of the texts.

    Returns
    -------
    Axes
        The rank labels are the annotations with gid ``rank-<rank>``.

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
    >>> [t.get_text() for t in ax.texts if str(t.get_gid()).startswith("rank-")]
    ['1', '2']
    """
    text = texts(_TEXT, lang)
    require_columns(data, ("rank", "action_id", "effort", "impact", "confidence"), "action plan",
                    source="kit.prioritise_actions")
    plan = data.sort_values("rank", kind="stable")
    with style():
        ax = new_axes(ax)
        effort, impact = plan["effort"].astype("float64"), plan["impact"].astype("float64")
        size = 40 + 360 * plan["confidence"].astype("float64").clip(0, 1)
        ax.scatter(effort, impact, s=size, color=PALETTE[0], alpha=0.75, edgecolor="white", zorder=3)
        top = max(float(impact.max()) if len(plan) else 0.0, 0.05) * 1.15
        ax.set_xlim(0.5, 5.5)
        ax.set_ylim(0, top)
        ax.axvline(3, color="#555555", lw=0.8, ls="--")
        corners = [ax.text(0.6, top * 0.96, text["quick"], fontsize=8, color="#555555", va="top"),
                   ax.text(5.4, top * 0.96, text["big"], fontsize=8, color="#555555", va="top", ha="right")]
        _label_ranks(ax, plan, size, corners)
        titles = plan["title"] if "title" in plan else plan["action_id"]
        key = [f"{rank}  {_shorten(str(title))}" for rank, title in zip(plan["rank"], titles, strict=False)]
        finish(ax, title=text["title"], xlabel=text["x"], ylabel=text["y"], lang=lang,
               note="\n".join([text["note"], "", *key]))
    return ax


def _shorten(title: str) -> str:
    return title if len(title) <= _KEY_WIDTH else title[:_KEY_WIDTH - 1].rstrip() + "…"


def _label_ranks(ax: Axes, plan: pd.DataFrame, size: pd.Series, obstacles: list[Text]) -> None:
    """Put each rank next to its point where it overlaps no other label (see :func:`plot_impact_effort`)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72  # display pixels per point
    points = plan[["effort", "impact"]].to_numpy(dtype="float64")
    centres = ax.transData.transform(points) if len(plan) else points.reshape(0, 2)
    radii = [math.sqrt(s) / 2 * px for s in size]  # a scatter size is the marker's area in points²
    markers = [Bbox.from_extents(x - r, y - r, x + r, y + r) for (x, y), r in zip(centres, radii, strict=False)]
    frame = ax.get_window_extent(renderer)
    blocked = markers + [t.get_window_extent(renderer) for t in obstacles]
    placed: list[Bbox] = []
    for (x, y), (effort, impact), radius, rank in zip(centres, points, radii, plan["rank"], strict=False):
        probe = ax.text(0, 0, str(rank), **_LABEL)
        extent = probe.get_window_extent(renderer)
        probe.remove()
        ring, (dx, dy, ha, va), box = _free_place(x, y, radius, extent.width, extent.height, px, placed, blocked,
                                                  centres, frame)
        distance = radius / px + _GAP + ring * _RING  # in points, from the point's centre
        # away from its point (ring > 0), a thin line shows whose label it is
        line = {"arrowstyle": "-", "color": "#777777", "lw": 0.6, "shrinkA": 0, "shrinkB": radius / px}
        ax.annotate(str(rank), (effort, impact), xytext=(dx * distance, dy * distance), textcoords="offset points",
                    ha=ha, va=va, gid=f"rank-{rank}", arrowprops=line if ring else None, **_LABEL)
        placed.append(box)


def _free_place(x: float, y: float, radius: float, width: float, height: float, px: float, placed: list[Bbox],
                blocked: list[Bbox], centres: np.ndarray, frame: Bbox) -> tuple[int, _Side, Bbox]:
    """The first (ring, side, box) around (x, y) whose box overlaps no placed label.

    In the first rings the box must also clear the markers and corner texts, stay inside the axes and be
    nearer to its own point than to any other (so that it cannot be read as another point's label); further
    out only the placed labels count. A ring beyond every placed label is always free, so the search ends.
    """
    for ring in count():
        near = ring < _NEAR_RINGS
        free = []
        for side in _SIDES:
            box = _box(x, y, radius + (_GAP + ring * _RING) * px, side, width, height)
            if _free(box, placed) and (not near or (_free(box, blocked) and _inside(box, frame))):
                free.append((side, box))
        own = [(side, box) for side, box in free if _nearest_is_own(box, (x, y), centres)]
        if own or (free and not near):
            side, box = (own or free)[0]
            return ring, side, box
    raise AssertionError("unreachable")  # count() never ends


def _nearest_is_own(box: Bbox, own: tuple[float, float], centres: np.ndarray) -> bool:
    """The box's centre is nearer to its own point than to any other point (ties count as own)."""
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    distances = np.hypot(centres[:, 0] - cx, centres[:, 1] - cy)
    return bool(math.hypot(own[0] - cx, own[1] - cy) <= distances.min() + 1e-9)


def _box(x: float, y: float, distance: float, side: _Side, width: float, height: float) -> Bbox:
    """The label's box in display pixels when it sits ``distance`` away from (x, y) on ``side``."""
    dx, dy, ha, _ = side
    ax_, ay = x + dx * distance, y + dy * distance
    x0 = {"left": ax_, "center": ax_ - width / 2, "right": ax_ - width}[ha]
    y0 = {1: ay, 0: ay - height / 2, -1: ay - height}[dy]
    return Bbox.from_bounds(x0, y0, width, height)


def _free(box: Bbox, others: list[Bbox]) -> bool:
    """No overlap, with a pixel to spare (touching counts as overlapping)."""
    return not any(box.padded(1).overlaps(other) for other in others)


def _inside(box: Bbox, frame: Bbox) -> bool:
    return frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
