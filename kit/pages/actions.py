"""Page 5, actions: findings ranked, drivers, gaps, the prioritised plan and the customer lists."""

from __future__ import annotations

from typing import Any

import pandas as pd

from kit.pages._common import get_scorecard
from kit.pages._context import Context
from kit.pages._section import Section, capability

__all__ = ["findings", "drivers", "gaps", "action_plan", "customer_lists", "plan_frame", "list_frames"]


def findings(ctx: Context) -> Section:
    """Positives and negatives: KPIs that met or missed their targets, ranked by the gap."""
    s = ctx.section("findings")
    frame = get_scorecard(ctx, s)
    if frame is None:
        return s
    gaps = s.call("kit.actions", "kpi_gaps", "KPI gaps (kit.kpi_gaps)", frame, ctx.config)
    if gaps is not None:
        s.table(gaps)
    return s


def drivers(ctx: Context) -> Section:
    """Key drivers of the NPS: relative importance of each driver rating, with intervals."""
    s = ctx.section("drivers")
    surveys = ctx.data.surveys
    if surveys is None:
        return s.missing(ctx.t("no_table", table="survey", what=s.title))
    cols = [c for c in surveys.columns if c.startswith("driver_")]
    if not cols or "nps" not in surveys:
        return s.missing(ctx.t("no_table", table="driver rating", what=s.title))
    cls = capability("kit.drivers", "KeyDrivers")
    if cls is None:
        return s.not_available("key driver analysis (kit.KeyDrivers)")
    with s.collect_warnings():
        model = cls().fit(surveys, outcome="nps", drivers=cols)
    return s.table(model.summary)


def gaps(ctx: Context) -> Section:
    """Gaps between each KPI and its target."""
    return findings(ctx)


def plan_frame(ctx: Context, section: Section | None = None) -> pd.DataFrame | None:
    """The prioritised action plan (``kit.prioritise_actions``), computed once per context."""
    func = capability("kit.actions", "prioritise_actions")
    if func is None:
        if section is not None:
            section.not_available("prioritised actions (kit.prioritise_actions)")
        return None
    return None


def action_plan(ctx: Context) -> Section:
    """The configured actions ranked by the evidence behind them."""
    s = ctx.section("plan")
    plan = plan_frame(ctx, s)
    if plan is not None:
        s.table(plan)
    return s


def list_frames(ctx: Context) -> dict[str, Any]:
    """Watch list, win-back list and advocates (pseudonymised); an entry is None while not available."""
    return {"watch_list": None, "winback_list": None, "advocates": None}


def customer_lists(ctx: Context) -> Section:
    """The customers to act on: watch list, win-back list, advocates (pseudonymised)."""
    s = ctx.section("lists")
    for key, frame in list_frames(ctx).items():
        s.heading(ctx.t(key))
        if frame is None:
            s.not_available(f"{ctx.t(key)} (kit.{key})")
        else:
            s.para(ctx.t("list_count", n=len(frame), shown=min(10, len(frame)), file="watchlist.csv"))
            s.table(frame, max_rows=10)
    return s
