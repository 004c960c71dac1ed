"""A report section from a notebook's own analysis: ``pages.show(ctx, "satisfaction", nps=nps_now, ...)``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from kit.report.pages import actions, criteria, datapage, goals, interviews
from kit.report.pages._common import fmt_kpi
from kit.report.pages._context import Context
from kit.report.pages._section import Section
from kit.results import MetricResult

__all__ = ["show", "SECTIONS"]

#: Every section a report page shows, by the name a notebook passes to :func:`show`.
SECTIONS: dict[str, Callable[[Context], Section]] = {
    # 1 goals
    "business": goals.business, "kpi_targets": goals.kpi_targets, "kpi_tree": goals.kpi_tree,
    "baseline": goals.baseline, "why_retention": goals.why_retention,
    # 2 data
    "inventory": datapage.inventory, "data_quality": datapage.data_quality,
    "survey_coverage": datapage.survey_coverage, "market_context": datapage.market_context,
    # 3 criteria
    "scorecard": criteria.scorecard,
    **{name: (lambda ctx, name=name: criteria.criterion(ctx, name)) for name in criteria.CRITERIA},
    # 4 interviews
    "overview": interviews.overview, "themes": interviews.themes, "aspects": interviews.aspects,
    "loyal_patterns": interviews.loyal_patterns, "quotes": interviews.quotes,
    "survey_comments": interviews.survey_comments, "uncoded_terms": interviews.uncoded_terms,
    # 5 actions
    "findings": actions.findings, "drivers": actions.drivers, "action_plan": actions.action_plan,
    "customer_lists": actions.customer_lists,
}

_DIFFERS = {"en": "computed in this notebook: {label} = {mine}; the scorecard (analysis.yaml's settings) shows {card}",
            "de": "in diesem Notebook berechnet: {label} = {mine}; die Scorecard (Einstellungen der analysis.yaml) "
                  "zeigt {card}"}
_NOT_SHARED = {"en": "the {what} computed in this notebook differs from the one the report run computed",
               "de": "{what} in diesem Notebook weicht von dem des Berichtslaufs ab"}


def show(ctx: Context, name: str, /, **computed: Any) -> Section:
    """The report's section ``name``, laid out for the page, with the notebook's results it rests on.

    The work cells above a section compute its numbers with public kit calls; the section's cell hands
    them over by name: ``pages.show(ctx, "satisfaction", nps=nps_now, csat=csat_now)``. The section is
    laid out as on the report page (tables formatted and labelled, charts in the report's style, what is
    missing said), and every handed result is compared with what the page shows:

    - a KPI result (``MetricResult``, handed under its KPI id, e.g. ``nps=``) with the scorecard's row (when the
      scorecard was computed: by the run, or by ``ctx.reuse(kit.scorecard, ...)`` in the notebook);
    - ``scorecard=`` with the run's scorecard;
    - any other DataFrame with the run's shared result of the same name (``customer_value=``), when there is one.

    A difference (an argument changed in a work cell: ``min_n=500``, ``inactivity_days=90``) is written under the
    section, so the page never silently shows other numbers than the analysis above it. None (a work cell that
    found its table missing) is skipped; the section itself says what is missing. Other objects (a chart, a
    model, a table the section draws again from the same kit call) are accepted and not compared.

    Parameters
    ----------
    ctx : Context
    name : str
        One of :data:`SECTIONS`.
    **computed
        The notebook's results for this section.

    Returns
    -------
    Section

    Raises
    ------
    KeyError
        When ``name`` is not a section (the message lists the valid ones).
    """
    if name not in SECTIONS:
        raise KeyError(f"unknown section {name!r}; valid: {', '.join(SECTIONS)}")
    section = SECTIONS[name](ctx)
    for key, value in computed.items():
        for note in _differences(ctx, key, value):
            section.note(note)
    return section


def _same(a: float, b: float) -> bool:
    if a is None or b is None:
        return a is b
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _differences(ctx: Context, key: str, value: Any) -> list[str]:
    """What in ``value`` (handed as ``key``) differs from the run's result: notes for the section."""
    if value is None:
        return []
    if isinstance(value, MetricResult):
        card = ctx._cache.get("scorecard", (None,))[0]  # as computed (its warnings are the sections' to note)
        if not isinstance(card, pd.DataFrame) or value.kpi not in set(card["kpi"]):
            return []
        row = card.set_index("kpi").loc[value.kpi]
        if _same(value.value, row["value"]):
            return []
        currency = ctx.config.business.currency
        return [_DIFFERS[ctx.lang].format(label=row["label"], mine=fmt_kpi(value.kpi, value.value, currency, ctx.lang),
                                          card=fmt_kpi(value.kpi, row["value"], currency, ctx.lang))]
    shared = {"scorecard": "scorecard", "customer_value": "customer_value", "drivers": "drivers"}.get(key)
    if shared is None or shared not in ctx._cache:
        return []
    run = ctx._cache[shared][0]
    if value is run:
        return []
    if isinstance(value, pd.DataFrame) and isinstance(run, pd.DataFrame) and value.equals(run):
        return []
    if not isinstance(value, pd.DataFrame):
        summary, run_summary = getattr(value, "summary", None), getattr(run, "summary", None)
        if isinstance(summary, pd.DataFrame) and isinstance(run_summary, pd.DataFrame) and summary.equals(run_summary):
            return []
    return [_NOT_SHARED[ctx.lang].format(what=key)]
