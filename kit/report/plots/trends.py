"""Small multiples: every KPI over the last complete periods, with its 95 % interval and its target."""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from kit.definitions import DEFINITIONS
from kit.report.plots._style import PALETTE

__all__ = ["plot_kpi_trends"]

_TEXT = {"en": {"title": "Every KPI over the last {k} periods (band: 95 % interval, dashed: target)",
                "none": "no data"},
         "de": {"title": "Jede Kennzahl über die letzten {k} Zeiträume (Band: 95-%-Intervall, gestrichelt: Ziel)",
                "none": "keine Daten"}}


def plot_kpi_trends(series: pd.DataFrame, *, targets: Mapping[str, float] | None = None,
                    labels: Mapping[str, str] | None = None, ncols: int = 4, ax: Axes | None = None,
                    lang: str = "en") -> Axes:
    """One small panel per KPI: its values over the periods, a band for the 95 % interval, the target dashed.

    Parameters
    ----------
    series : DataFrame
        :func:`kit.plan.trends.kpi_series` output (``kpi, period, value, ci_low, ci_high``).
    targets : mapping, optional
        KPI id -> target.
    labels : mapping, optional
        KPI id -> title of its panel (default: the KPI's label in ``lang``).
    ncols : int
        Panels per row.
    ax : Axes, optional
        Not used (small multiples need their own figure); accepted for the common signature.
    lang : {"en", "de"}

    Returns
    -------
    Axes
        The first panel (``.figure`` holds all of them).
    """
    kpis = list(dict.fromkeys(series["kpi"]))
    rows = max(1, math.ceil(len(kpis) / ncols))
    fig, axes = plt.subplots(rows, ncols, figsize=(2.6 * ncols, 1.9 * rows), squeeze=False)
    t = _TEXT["de" if lang == "de" else "en"]
    share_units = {k for k in kpis if k in DEFINITIONS and DEFINITIONS[k].unit == "share"}
    periods = list(dict.fromkeys(series["period"]))
    for i, kpi in enumerate(kpis):
        a = axes[i // ncols][i % ncols]
        part = series[series["kpi"] == kpi].set_index("period").reindex(periods)
        scale = 100.0 if kpi in share_units else 1.0
        x = np.arange(len(periods))
        values = part["value"].to_numpy(dtype=float) * scale
        a.fill_between(x, part["ci_low"].to_numpy(dtype=float) * scale, part["ci_high"].to_numpy(dtype=float) * scale,
                       color=PALETTE[0], alpha=0.18, linewidth=0)
        a.plot(x, values, color=PALETTE[0], marker="o", markersize=2.5, linewidth=1.4)
        target = (targets or {}).get(kpi)
        if target is not None and not math.isnan(target):
            a.axhline(target * scale, color="#777777", linestyle="--", linewidth=1)
        title = (labels or {}).get(kpi) or (DEFINITIONS[kpi].text(lang)[0] if kpi in DEFINITIONS else kpi)
        a.set_title(title + (" (%)" if kpi in share_units else ""), fontsize=8, loc="left")
        a.set_xticks([0, len(periods) - 1] if len(periods) > 1 else [0])
        a.set_xticklabels([periods[0], periods[-1]] if len(periods) > 1 else periods, fontsize=7)
        a.tick_params(axis="y", labelsize=7)
        if np.isnan(values).all():
            a.text(0.5, 0.5, t["none"], transform=a.transAxes, ha="center", va="center", fontsize=8, color="#777")
    for j in range(len(kpis), rows * ncols):
        axes[j // ncols][j % ncols].set_visible(False)
    fig.suptitle(t["title"].format(k=len(periods)), fontsize=10, x=0.01, ha="left")
    fig.tight_layout()
    return axes[0][0]
