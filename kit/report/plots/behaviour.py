"""Behaviour figures: retention curves, cohort heatmap, orders per customer, churn trend, RFM segments.

Every function takes its data first and returns the Axes (``plot_x(data, *, ax=None, lang="en")``);
the look comes from :mod:`kit.report.plots._style`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from kit.metrics.segments import RFM_SEGMENTS
from kit.report.plots._style import PALETTE, finish, new_axes, percent, style, texts
from kit.results import format_value

if TYPE_CHECKING:
    from kit.models.survival import KaplanMeier

__all__ = ["plot_survival", "plot_cohort_retention", "plot_orders_per_customer", "plot_churn_trend",
           "plot_rfm_segments"]

Language = Literal["en", "de"]

_TEXT = {
    "en": {
        "survival_title": "Customer retention since the first order (Kaplan-Meier)",
        "days": "Days since the first order", "retained": "Still a customer",
        "median": "median", "cohort_title": "Cohort retention: share ordering in each period",
        "since": "Periods since the first order", "cohort": "Cohort (n customers)",
        "incomplete": "° = period not yet complete",
        "orders_title": "Orders per customer", "orders": "Orders", "customers": "Share of customers",
        "repeat": "repeat purchase rate", "churn_title": "Churn rate per period", "period": "Period",
        "churn": "Churn rate", "target": "target", "rfm_title": "RFM segments", "segment": "Segment",
        "n_customers": "Customers",
        "band": "shaded: 95 % interval",
    },
    "de": {
        "survival_title": "Kundenbindung seit der ersten Bestellung (Kaplan-Meier)",
        "days": "Tage seit der ersten Bestellung", "retained": "Noch Kunde",
        "median": "Median", "cohort_title": "Kohorten: Anteil mit Bestellung je Zeitraum",
        "since": "Zeiträume seit der ersten Bestellung", "cohort": "Kohorte (n Kunden)",
        "incomplete": "° = Zeitraum noch nicht abgeschlossen",
        "orders_title": "Bestellungen je Kunde", "orders": "Bestellungen", "customers": "Anteil der Kunden",
        "repeat": "Wiederkaufrate", "churn_title": "Abwanderungsquote je Zeitraum", "period": "Zeitraum",
        "churn": "Abwanderungsquote", "target": "Ziel", "rfm_title": "RFM-Segmente", "segment": "Segment",
        "n_customers": "Kunden",
        "band": "schattiert: 95-%-Intervall",
    },
}


def plot_survival(data: KaplanMeier | pd.DataFrame, *, ax: Axes | None = None, lang: Language = "en") -> Axes:
    """Kaplan-Meier retention curves with 95 % bands, one line per group.

    Parameters
    ----------
    data : KaplanMeier or DataFrame
        A fitted :class:`kit.models.survival.KaplanMeier`, or its ``survival_function_``.
    ax : Axes, optional
    lang : {"en", "de"}

    Returns
    -------
    Axes
        One step line per group (label: group, n and median), and one shaded band per group.

    Examples
    --------
    >>> from kit.models.survival import KaplanMeier
    >>> ax = plot_survival(KaplanMeier().fit([10, 20, 30], [1, 0, 1]))
    >>> len(ax.get_lines())
    1
    """
    text = texts(_TEXT, lang)
    curves = data if isinstance(data, pd.DataFrame) else data.survival_function_
    summary = None if isinstance(data, pd.DataFrame) else data.summary_.set_index("group")
    with style():
        ax = new_axes(ax)
        for i, (name, g) in enumerate(curves.groupby("group", sort=True)):
            colour = PALETTE[i % len(PALETTE)]
            label = str(name)
            if summary is not None:
                median = summary.loc[name, "median"]
                label += f" (n = {format_value(summary.loc[name, 'n'], 'count', lang)}"
                label += f", {text['median']} {format_value(median, 'count', lang)})" if np.isfinite(median) else ")"
            ax.step(g["time"], g["survival"], where="post", color=colour, label=label)
            ax.fill_between(g["time"], g["ci_low"], g["ci_high"], step="post", color=colour, alpha=0.2,
                            linewidth=0)
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.legend(frameon=False)
        return finish(ax, title=text["survival_title"], xlabel=text["days"], ylabel=text["retained"],
                      note=text["band"], lang=lang)


def plot_cohort_retention(data: pd.DataFrame, *, ax: Axes | None = None, lang: Language = "en") -> Axes:
    """Heatmap of cohort retention: cohorts down, periods since acquisition across, n per row.

    Parameters
    ----------
    data : DataFrame
        Output of :func:`kit.metrics.segments.cohort_retention`.
    ax : Axes, optional
    lang : {"en", "de"}

    Returns
    -------
    Axes
        Cells annotated with the share in %; cells of an unfinished period carry "°".

    Examples
    --------
    >>> from kit.metrics.segments import cohort_retention
    >>> o = pd.DataFrame({"customer_id": ["a", "b", "a"],
    ...     "order_date": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-02-03"])})
    >>> ax = plot_cohort_retention(cohort_retention(o, granularity="month", as_of="2026-02-15"))
    >>> [t.get_text() for t in ax.texts][:2]
    ['100', '50°']
    """
    text = texts(_TEXT, lang)
    share = data.pivot(index="cohort", columns="periods_since", values="share")
    complete = data.pivot(index="cohort", columns="periods_since", values="complete")
    sizes = data.drop_duplicates("cohort").set_index("cohort")["customers"].reindex(share.index)
    annot = share.map(lambda v: "" if pd.isna(v) else f"{v * 100:.0f}")
    annot = annot.where(complete.fillna(True).astype(bool), annot + "°")
    share.index = [f"{c} (n = {format_value(n, 'count', lang)})" for c, n in zip(share.index, sizes, strict=False)]
    with style():
        ax = new_axes(ax, size=(max(6.0, 0.6 * share.shape[1] + 3), max(3.0, 0.35 * share.shape[0] + 1.5)))
        sns.heatmap(share, ax=ax, annot=annot.to_numpy(), fmt="", cmap="Blues", vmin=0, vmax=1, cbar=False,
                    annot_kws={"fontsize": 7}, linewidths=0.5, linecolor="white")
        return finish(ax, title=text["cohort_title"], xlabel=text["since"], ylabel=text["cohort"],
                      note=text["incomplete"], lang=lang)


def plot_orders_per_customer(data: pd.DataFrame, *, ax: Axes | None = None, lang: Language = "en",
                             max_orders: int = 5) -> Axes:
    """Bars: share of ordering customers with 1, 2, ..., ``max_orders``+ orders.

    Parameters
    ----------
    data : DataFrame
        Tidy orders (``customer_id``), already restricted to the window of interest.
    ax : Axes, optional
    lang : {"en", "de"}
    max_orders : int
        The last bar collects customers with this many orders or more.

    Returns
    -------
    Axes
        One bar per order count; the title gives the repeat purchase rate.

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b"]})
    >>> [float(p.get_height()) for p in plot_orders_per_customer(o).patches][:2]
    [0.5, 0.5]
    """
    text = texts(_TEXT, lang)
    counts = data.loc[data["customer_id"].notna()].groupby("customer_id").size().clip(upper=max_orders)
    shares = counts.value_counts(normalize=True).reindex(range(1, max_orders + 1), fill_value=0.0)
    labels = [str(k) for k in shares.index[:-1]] + [f"{max_orders}+"]
    repeat = float((counts >= 2).mean()) if len(counts) else float("nan")
    with style():
        ax = new_axes(ax)
        ax.bar(labels, shares.to_numpy(), color=PALETTE[0])
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        return finish(ax, title=f"{text['orders_title']} ({text['repeat']} {percent(repeat, lang)})",
                      xlabel=text["orders"], ylabel=text["customers"],
                      note=f"n = {format_value(len(counts), 'count', lang)}", lang=lang)


def plot_churn_trend(data: pd.DataFrame, *, ax: Axes | None = None, lang: Language = "en",
                     target: float | None = None) -> Axes:
    """Churn rate per period with 95 % intervals, and the target as a dashed line.

    Parameters
    ----------
    data : DataFrame
        Output of :func:`kit.metrics.behaviour.churn_by_period`.
    ax : Axes, optional
    lang : {"en", "de"}
    target : float, optional
        The configured churn target.

    Returns
    -------
    Axes

    Examples
    --------
    >>> trend = pd.DataFrame({"period": ["2026-Q1", "2026-Q2"], "value": [0.1, 0.2], "n": [50, 60],
    ...                       "ci_low": [0.05, 0.1], "ci_high": [0.2, 0.3]})
    >>> [float(y) for y in plot_churn_trend(trend, target=0.1).get_lines()[0].get_ydata()]
    [0.1, 0.2]
    """
    text = texts(_TEXT, lang)
    d = data.dropna(subset=["value"])
    with style():
        ax = new_axes(ax)
        ax.plot(d["period"], d["value"], marker="o", color=PALETTE[0], label=text["churn"])
        ax.errorbar(d["period"], d["value"], yerr=[d["value"] - d["ci_low"], d["ci_high"] - d["value"]],
                    fmt="none", ecolor=PALETTE[0], alpha=0.6, capsize=3)
        if target is not None:
            ax.axhline(target, color="#555555", linestyle="--", linewidth=1,
                       label=f"{text['target']} {percent(target, lang)}")
            ax.legend(frameon=False)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.tick_params(axis="x", labelrotation=45)
        count = lambda v: format_value(int(v), "count", lang)  # noqa: E731
        return finish(ax, title=text["churn_title"], xlabel=text["period"], ylabel=text["churn"], lang=lang,
                      note=f"n = {count(d['n'].min())}-{count(d['n'].max())}" if len(d) else None)


def plot_rfm_segments(data: pd.DataFrame, *, ax: Axes | None = None, lang: Language = "en") -> Axes:
    """Horizontal bars: customers per RFM segment, in the order of the segment rules.

    Parameters
    ----------
    data : DataFrame
        Output of :func:`kit.metrics.segments.rfm_segments` (same ``lang``).
    ax : Axes, optional
    lang : {"en", "de"}

    Returns
    -------
    Axes

    Examples
    --------
    >>> rfm = pd.DataFrame({"segment": ["Champions", "Lost", "Lost"]})
    >>> [float(p.get_width()) for p in plot_rfm_segments(rfm).patches]
    [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0]
    """
    text = texts(_TEXT, lang)
    order = [s[1] if lang == "de" else s[0] for s in RFM_SEGMENTS]
    counts = data["segment"].value_counts().reindex(order, fill_value=0)
    with style():
        ax = new_axes(ax)
        ax.barh(order, counts.to_numpy(dtype=float), color=PALETTE[0])
        ax.invert_yaxis()  # the first rule (Champions) on top
        return finish(ax, title=text["rfm_title"], xlabel=text["n_customers"], ylabel=text["segment"],
                      note=f"n = {format_value(len(data), 'count', lang)}", lang=lang)
