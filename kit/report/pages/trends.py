"""KPI trends of the report: every KPI over the last complete periods (:func:`kit.plan.trends.kpi_series`)."""

from __future__ import annotations

import math

import pandas as pd

from kit.plan.trends import TREND_PERIODS, kpi_series
from kit.report.pages._common import get_scorecard
from kit.report.pages._context import Context
from kit.report.pages._section import Section
from kit.report.plots.trends import plot_kpi_trends

__all__ = ["kpi_trends", "add_trend_chart"]


def kpi_trends(ctx: Context) -> pd.DataFrame | None:
    """Every KPI over the last :data:`~kit.plan.trends.TREND_PERIODS` complete periods, computed once per
    context (reusing the scorecard's values of the reporting period); None without a period."""
    if ctx.period is None:
        return None
    return ctx.cached("kpi_series", lambda: kpi_series(ctx.data, ctx.config, ctx.period, periods=TREND_PERIODS,
                                                       scorecard=get_scorecard(ctx), lang=ctx.lang))


def add_trend_chart(ctx: Context, s: Section) -> Section:
    """Add the small multiples of every KPI with data (interval band, target dashed) to ``s``."""
    series = s.call(kpi_trends, ctx)
    if series is None:
        return s
    with_data = series.groupby("kpi")["n"].transform("sum") > 0
    series = series[with_data]
    if series.empty:
        return s
    targets = {k: float(t.target) for k, t in ctx.config.targets.items()}
    frame = get_scorecard(ctx)
    labels = None if frame is None else dict(zip(frame["kpi"], frame["label"], strict=True))
    return s.plot(plot_kpi_trends, series, targets={k: v for k, v in targets.items() if not math.isnan(v)},
                  labels=labels)
