"""Presentation glue for the five report notebooks.

Each function takes a :class:`Context` and returns a :class:`Section` that shows
itself in a notebook and in the HTML report. Sections call the kit's functions
and format their results; they compute nothing statistical themselves. Where a
table is missing a section says so ("no ticket data: service metrics skipped").

Example
-------
>>> from kit.report import pages                             # doctest: +SKIP
>>> ctx = pages.context(None, period="latest", smoke=True)   # doctest: +SKIP
>>> pages.scorecard(ctx)                                     # doctest: +SKIP
"""

from __future__ import annotations

from kit.report.pages._common import get_scorecard, scorecard_html
from kit.report.pages._context import (
                                SHARED_FILE,
                                Context,
                                config_fingerprint,
                                context,
                                map_shared,
                                release,
                                resolve_config_path,
                                resolve_period,
                                share,
)
from kit.report.pages._prepare import FIRST, PARTS, prepare
from kit.report.pages._section import Section
from kit.report.pages.actions import (
                                LISTS,
                                action_plan,
                                customer_lists,
                                driver_model,
                                drivers,
                                findings,
                                list_frames,
                                plan_frame,
)
from kit.report.pages.criteria import CRITERIA, criterion, customer_values, scorecard
from kit.report.pages.datapage import data_quality, inventory, market_context, survey_coverage
from kit.report.pages.goals import KPI_TREE, baseline, business, kpi_targets, kpi_tree, why_retention
from kit.report.pages.interviews import (
    aspects,
    loyal_patterns,
    overview,
    quotes,
    survey_comments,
    themes,
    uncoded_terms,
)
from kit.report.pages.show import SECTIONS, show

__all__ = [
    "Context", "context", "resolve_config_path", "resolve_period", "Section",
    "prepare", "PARTS", "FIRST", "share", "release", "map_shared", "config_fingerprint", "SHARED_FILE",
    "get_scorecard", "scorecard_html", "show", "SECTIONS",
    # 1 goals
    "business", "kpi_targets", "kpi_tree", "KPI_TREE", "baseline", "why_retention",
    # 2 data
    "inventory", "data_quality", "survey_coverage", "market_context",
    # 3 criteria
    "scorecard", "criterion", "customer_values", "CRITERIA",
    # 4 interviews
    "overview", "themes", "aspects", "loyal_patterns", "quotes", "survey_comments", "uncoded_terms",
    # 5 actions
    "findings", "drivers", "driver_model", "action_plan", "customer_lists", "plan_frame", "list_frames", "LISTS",
]
