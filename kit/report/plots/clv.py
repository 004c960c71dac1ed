"""Figures of the predictive customer value (:mod:`kit.models.clv`): holdout check, spend check, P(alive).

Every function takes the frame a :mod:`kit.models.clv` function returns, draws on ``ax`` (or a new
Axes) in the kit's look and returns the Axes. Texts in English (``lang="en"``) or German (``"de"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from kit.report.plots._style import PALETTE, finish, new_axes, require_columns, style, texts
from kit.results import format_value

__all__ = ["plot_holdout", "plot_frequency_spend", "plot_p_alive"]

_TEXT = {
    "en": {
        "holdout_title": "Holdout check: repeat purchases per customer",
        "holdout_x": "Repeat purchases in the calibration period",
        "holdout_y": "Mean purchases in the holdout period",
        "actual": "actual", "expected": "BG/NBD expected",
        "holdout_note": "total: {actual} actual vs {expected} expected; n = {n} customers",
        "spend_title": "Spend per purchase vs number of repeat purchases",
        "spend_x": "Repeat purchases", "spend_y": "Mean net spend per repeat purchase",
        "spend_note": "Gamma-Gamma assumes no relation: Pearson r = {r}; n = {n} repeat buyers",
        "alive_title": "Probability that a customer is still active",
        "alive_x": "P(alive)", "alive_y": "Customers",
        "alive_note": "mean P(alive) = {mean}; n = {n} customers",
    },
    "de": {
        "holdout_title": "Holdout-Prüfung: Wiederkäufe je Kunde",
        "holdout_x": "Wiederkäufe im Kalibrierungszeitraum",
        "holdout_y": "Mittlere Käufe im Holdout-Zeitraum",
        "actual": "tatsächlich", "expected": "erwartet (BG/NBD)",
        "holdout_note": "gesamt: {actual} tatsächlich vs. {expected} erwartet; n = {n} Kunden",
        "spend_title": "Ausgaben je Kauf vs. Anzahl der Wiederkäufe",
        "spend_x": "Wiederkäufe", "spend_y": "Mittlerer Nettobetrag je Wiederkauf",
        "spend_note": "Gamma-Gamma setzt keinen Zusammenhang voraus: Pearson r = {r}; n = {n} Wiederkäufer",
        "alive_title": "Wahrscheinlichkeit, dass ein Kunde noch aktiv ist",
        "alive_x": "P(aktiv)", "alive_y": "Kunden",
        "alive_note": "mittlere P(aktiv) = {mean}; n = {n} Kunden",
    },
}


def plot_holdout(data: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Bars of actual and expected mean holdout purchases by calibration frequency.

    Parameters
    ----------
    data : DataFrame
        From :func:`kit.models.clv.holdout_comparison`.
    ax : Axes, optional
        Where to draw.
    lang : {"en", "de"}

    Returns
    -------
    Axes
        Two bar containers (actual first, then expected), one bar per calibration frequency.

    Example
    -------
    >>> plot_holdout(holdout_comparison(bg, summary))  # doctest: +SKIP
    """
    t = texts(_TEXT, lang)
    require_columns(data, ("calibration_frequency", "customers", "actual", "expected", "actual_mean",
                           "expected_mean"), "holdout comparison", source="kit.models.clv.holdout_comparison")
    rows = data[data["calibration_frequency"] != "total"]
    total = data[data["calibration_frequency"] == "total"]
    pos = np.arange(len(rows))
    with style():
        ax = new_axes(ax)
        ax.bar(pos - 0.2, rows["actual_mean"], width=0.4, color=PALETTE[0], label=t["actual"])
        ax.bar(pos + 0.2, rows["expected_mean"], width=0.4, color=PALETTE[1], label=t["expected"])
        ax.set_xticks(pos, rows["calibration_frequency"].tolist())
        ax.legend(frameon=False)
        note = None
        if len(total):
            note = t["holdout_note"].format(actual=format_value(int(total["actual"].iloc[0]), "count", lang),
                                            expected=format_value(float(total["expected"].iloc[0]), "count", lang),
                                            n=format_value(int(total["customers"].iloc[0]), "count", lang))
        return finish(ax, title=t["holdout_title"], xlabel=t["holdout_x"], ylabel=t["holdout_y"], note=note,
                      lang=lang)


def plot_frequency_spend(data: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Scatter of mean net repeat spend against repeat purchases (the Gamma-Gamma independence check).

    Parameters
    ----------
    data : DataFrame
        A customer summary (``frequency``, ``monetary_value``); only repeat buyers with positive
        spend are drawn.
    ax : Axes, optional
    lang : {"en", "de"}

    Returns
    -------
    Axes

    Example
    -------
    >>> plot_frequency_spend(summarise_customers(orders, as_of="2026-10-01"))  # doctest: +SKIP
    """
    t = texts(_TEXT, lang)
    require_columns(data, ("frequency", "monetary_value"), "customer summary", source="kit.summarise_customers")
    rep = data[(data["frequency"] > 0) & (data["monetary_value"] > 0)]
    r = float(np.corrcoef(rep["frequency"], rep["monetary_value"])[0, 1]) if len(rep) > 2 else float("nan")
    with style():
        ax = new_axes(ax)
        ax.scatter(rep["frequency"], rep["monetary_value"], s=10, alpha=0.4, color=PALETTE[0])
        return finish(ax, title=t["spend_title"], xlabel=t["spend_x"], ylabel=t["spend_y"], lang=lang,
                      note=t["spend_note"].format(r=format_value(r, "number", lang, digits=2),
                                                  n=format_value(len(rep), "count", lang)))


def plot_p_alive(data: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Histogram of P(alive) over customers, in 20 bins of width 0.05.

    Parameters
    ----------
    data : DataFrame
        From :func:`kit.models.clv.customer_value` (column ``p_alive``).
    ax : Axes, optional
    lang : {"en", "de"}

    Returns
    -------
    Axes

    Example
    -------
    >>> plot_p_alive(customer_value(orders, as_of="2026-10-01", settings=config.clv))  # doctest: +SKIP
    """
    t = texts(_TEXT, lang)
    require_columns(data, ("p_alive",), "customer value", source="kit.customer_value")
    values = data["p_alive"].to_numpy(dtype="float64")
    with style():
        ax = new_axes(ax)
        ax.hist(values, bins=np.linspace(0, 1, 21), color=PALETTE[2])
        ax.set_xlim(0, 1)
        mean = format_value(float(np.mean(values)) if len(values) else float("nan"), "number", lang, digits=2)
        return finish(ax, title=t["alive_title"], xlabel=t["alive_x"], ylabel=t["alive_y"], lang=lang,
                      note=t["alive_note"].format(mean=mean, n=format_value(len(values), "count", lang)))
