"""Figures of the survey metrics (:mod:`kit.metrics.survey`): NPS distribution and trend, star segments.

Each function takes the tidy ``surveys`` table (or a Series of scores), draws on ``ax``
(or a new Axes) in the kit's look and returns the Axes. Texts in English or German.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D

from kit.data.periods import Granularity, periods_between
from kit.labels import text as label_text
from kit.metrics.survey import nps, star_segments
from kit.plan.scorecards import kpi_status
from kit.report.plots._style import PALETTE, POLARITY_COLOURS, STATUS_COLOURS, finish, new_axes, style, texts
from kit.results import format_value

__all__ = ["plot_nps_distribution", "plot_nps_trend", "plot_star_segments"]

_TEXT = {
    "en": {
        "dist_title": "NPS answers: {value:.0f} points",
        "dist_x": "Answer (0 = would not recommend, 10 = would certainly recommend)",
        "answers": "Answers", "detractor": "Detractors (0-6)", "passive": "Passives (7-8)",
        "promoter": "Promoters (9-10)", "n": "n = {n} answers",
        "trend_title": "NPS by period (95 % adjusted-Wald interval)", "period": "Period", "nps": "NPS",
        "trend_note": "periods with fewer than {min_n} answers are drawn hollow", "target": "target",
        "stars_title": "Star rating segments", "share": "Share of ratings",
        "no_data": "no answers",
    },
    "de": {
        "dist_title": "NPS-Antworten: {value:.0f} Punkte",
        "dist_x": "Antwort (0 = würde nicht empfehlen, 10 = würde sicher empfehlen)",
        "answers": "Antworten", "detractor": "Kritiker (0-6)", "passive": "Passive (7-8)",
        "promoter": "Promotoren (9-10)", "n": "n = {n} Antworten",
        "trend_title": "NPS je Zeitraum (95-%-Intervall, adjustierter Wald)", "period": "Zeitraum", "nps": "NPS",
        "trend_note": "Zeiträume mit weniger als {min_n} Antworten sind hohl gezeichnet", "target": "Ziel",
        "stars_title": "Segmente der Sternebewertung", "share": "Anteil der Bewertungen",
        "no_data": "keine Antworten",
    },
}


def _column(data: pd.DataFrame | pd.Series, column: str) -> pd.Series:
    if isinstance(data, pd.Series):
        return data
    if column not in data.columns:
        raise KeyError(f"column {column!r} not in the frame; columns: {', '.join(map(str, data.columns))}")
    return data[column]


def plot_nps_distribution(data: pd.DataFrame | pd.Series, *, ax: Axes | None = None,
                          lang: str = "en") -> Axes:
    """Bars of the 0-10 answers, coloured by detractors, passives and promoters.

    Parameters
    ----------
    data : DataFrame or Series
        The surveys table (its ``nps`` column is used) or a Series of 0-10 answers.
    ax : Axes, optional
        Where to draw; a new Axes when None.
    lang : {"en", "de"}
        Language of the texts.

    Returns
    -------
    Axes
        Eleven bars (answers 0 to 10) whose heights are the answer counts.

    Examples
    --------
    >>> ax = plot_nps_distribution(pd.Series([10, 9, 3, 7]))
    >>> [float(p.get_height()) for p in ax.patches][9:]
    [1.0, 1.0]
    """
    t = texts(_TEXT, lang)
    scores = pd.to_numeric(_column(data, "nps"), errors="coerce").dropna()
    result = nps(scores)
    counts = scores.round().astype(int).value_counts().reindex(range(11), fill_value=0)
    groups = np.where(counts.index <= 6, "detractor", np.where(counts.index <= 8, "passive", "promoter"))
    colours = {"detractor": POLARITY_COLOURS["negative"], "passive": POLARITY_COLOURS["neutral"],
               "promoter": POLARITY_COLOURS["positive"]}
    with style():
        ax = new_axes(ax)
        for group in ("detractor", "passive", "promoter"):
            mask = groups == group
            ax.bar(counts.index[mask], counts.to_numpy(dtype=float)[mask], color=colours[group], label=t[group])
        ax.set_xticks(range(11))
        ax.legend(frameon=False, fontsize=8)
        title = t["dist_title"].format(value=result.value) if result.has_data else t["no_data"]
        finish(ax, title=title, xlabel=t["dist_x"], ylabel=t["answers"],
               note=t["n"].format(n=format_value(result.n, "count", lang)), lang=lang)
    return ax


def plot_nps_trend(data: pd.DataFrame, *, granularity: Granularity = "quarter", min_n: int = 30,
                   target: float | None = None, direction: Literal["higher", "lower"] = "higher",
                   ax: Axes | None = None, lang: str = "en") -> Axes:
    """NPS per period with its adjusted-Wald 95 % interval as error bars, coloured by status against the target.

    Parameters
    ----------
    data : DataFrame
        The surveys table (``responded_at``, ``nps``).
    granularity : {"month", "quarter", "year"}
        Length of the periods.
    min_n : int
        Periods with fewer answers are drawn as hollow markers.
    target : float, optional
        The configured NPS target: drawn as a dashed line, and each period's point takes the colour
        of its status (:data:`kit.labels.STATUS_COLOURS`) as the scorecard reads it from the interval
        (:func:`kit.plan.scorecards.kpi_status`: met, missed, or inconclusive when the interval straddles the
        target). Without a target the points are one neutral colour.
    direction : {"higher", "lower"}
        Which side of the target is good (``config.direction("nps")``).
    ax : Axes, optional
        Where to draw; a new Axes when None.
    lang : {"en", "de"}
        Language of the texts.

    Returns
    -------
    Axes
        One point per period with answers. The x tick labels are the period labels; with more
        than 12 periods only every k-th is labelled (always the latest), and with more than six
        labels they are slanted so that they do not overlap.

    Examples
    --------
    >>> s = pd.DataFrame({"responded_at": pd.to_datetime(["2026-01-05", "2026-04-05"]), "nps": [10, 0]})
    >>> [t.get_text() for t in plot_nps_trend(s).get_xticklabels()]
    ['2026-Q1', '2026-Q2']
    """
    t = texts(_TEXT, lang)
    answered = data.dropna(subset=["responded_at", "nps"])
    rows = []
    if len(answered):
        for period in periods_between(answered["responded_at"].min(), answered["responded_at"].max(), granularity):
            r = nps(answered.loc[period.contains(answered["responded_at"]), "nps"])
            if r.has_data:
                rows.append((period.label, r.value, r.ci_low, r.ci_high, r.n))
    frame = pd.DataFrame(rows, columns=["period", "nps", "ci_low", "ci_high", "n"])
    with style():
        ax = new_axes(ax)
        x = np.arange(len(frame))
        # the adjusted-Wald interval is centred on the adjusted estimate, so with few answers it
        # may not contain the raw NPS; the bar then starts at the point
        err = (np.clip(np.vstack([frame["nps"] - frame["ci_low"], frame["ci_high"] - frame["nps"]]), 0, None)
               if len(frame) else None)
        # light, so that the points in their status colours (grey = inconclusive among them) stand out
        ax.errorbar(x, frame["nps"], yerr=err, fmt="-", color="#c4c4c4", capsize=3, zorder=1)
        big = frame["n"].to_numpy() >= min_n
        status = [kpi_status(v, lo, hi, n=int(n), target=target, direction=direction)
                  for v, lo, hi, n in zip(frame["nps"], frame["ci_low"], frame["ci_high"], frame["n"], strict=False)]
        colours = np.array([STATUS_COLOURS[st] if target is not None else to_hex(PALETTE[0]) for st in status])
        if len(frame):
            ax.scatter(x[big], frame["nps"][big], color=list(colours[big]), zorder=2)
            ax.scatter(x[~big], frame["nps"][~big], facecolor="white", edgecolor=list(colours[~big]), zorder=2)
        ax.axhline(0, color="#555555", linewidth=0.8)
        if target is not None:
            ax.axhline(target, color="#555555", linestyle="--", linewidth=1)
            handles = [Line2D([], [], color="#555555", linestyle="--", linewidth=1)]
            names = [f"{t['target']} {format_value(target, 'number', lang, digits=0)}"]
            for st in ("met", "missed", "inconclusive"):
                if st in status:
                    handles.append(Line2D([], [], linestyle="none", marker="o", color=STATUS_COLOURS[st]))
                    names.append(label_text(st, lang))  # type: ignore[arg-type]
            ax.legend(handles, names, frameon=False, fontsize=8)
        _period_ticks(ax, x, frame["period"].tolist())
        finish(ax, title=t["trend_title"], xlabel=t["period"], ylabel=t["nps"], lang=lang,
               note=t["trend_note"].format(min_n=format_value(min_n, "count", lang)) if (~big).any() else None)
    return ax


#: At most this many period labels on the x axis; with more periods every k-th is labelled.
_MAX_PERIOD_LABELS = 12


def _period_ticks(ax: Axes, x: np.ndarray, labels: list[str]) -> None:
    """Label the periods without overlap: at most ``_MAX_PERIOD_LABELS`` labels (the latest period
    always labelled), slanted and right-aligned under their tick when there are more than six."""
    step = max(1, -(-len(labels) // _MAX_PERIOD_LABELS))  # ceil
    keep = x[::-1][::step][::-1]  # count back from the latest period so that it keeps its label
    ax.set_xticks(keep, [labels[i] for i in keep])
    if step > 1:
        ax.set_xticks(x, minor=True)  # unlabelled ticks still mark every period
    if len(keep) > 6:
        for label in ax.get_xticklabels():
            label.set_rotation(45)
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")


def plot_star_segments(data: pd.DataFrame | pd.Series, *, at_risk_max: int = 3, ax: Axes | None = None,
                       lang: str = "en") -> Axes:
    """Shares of advocates (5 stars), satisfied and at-risk ratings with Agresti-Coull error bars.

    Parameters
    ----------
    data : DataFrame or Series
        The surveys table (its ``rating`` column) or a Series of 1-5 star ratings.
    at_risk_max : int
        Ratings at or below this are at risk.
    ax : Axes, optional
        Where to draw; a new Axes when None.
    lang : {"en", "de"}
        Language of the texts.

    Returns
    -------
    Axes
        Three bars (advocate, satisfied, at risk) whose heights are the shares.

    Examples
    --------
    >>> ax = plot_star_segments(pd.Series([5, 5, 4, 1]))
    >>> [float(p.get_height()) for p in ax.patches]
    [0.5, 0.25, 0.25]
    """
    t = texts(_TEXT, lang)
    segments = star_segments(_column(data, "rating"), at_risk_max=at_risk_max, lang=lang)
    colours = [POLARITY_COLOURS["positive"], POLARITY_COLOURS["neutral"], POLARITY_COLOURS["negative"]]
    with style():
        ax = new_axes(ax, size=(5.0, 3.5))
        shares = segments["share"].fillna(0).to_numpy()
        err = np.vstack([shares - segments["ci_low"].fillna(0), segments["ci_high"].fillna(0) - shares])
        ax.bar(segments["label"], shares, yerr=err, color=colours, capsize=3)
        ax.set_ylim(0, 1)
        n = int(segments["count"].sum())
        finish(ax, title=t["stars_title"], ylabel=t["share"], note=f"n = {format_value(n, 'count', lang)}", lang=lang)
    return ax
