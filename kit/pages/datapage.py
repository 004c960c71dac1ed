"""Page 2, data collection: inventory, data quality, survey coverage, market context."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kit.pages._common import fmt_kpi, get_scorecard
from kit.pages._context import Context
from kit.pages._section import Section
from kit.tables import TABLES

__all__ = ["inventory", "data_quality", "survey_coverage", "market_context"]


def inventory(ctx: Context) -> Section:
    """One row per table: file, rows, distinct customers and the date range covered."""
    s = ctx.section("inventory")
    rows = []
    for name, spec in TABLES.items():
        table = getattr(ctx.data, name)
        if table is None:
            continue
        id_col = next((c for c in ("customer_id", "referrer_id") if c in table), None)
        dates = [table[c] for c in spec.dates if c in table and table[c].notna().any()]
        first = min(d.min() for d in dates) if dates else pd.NaT
        last = max(d.max() for d in dates) if dates else pd.NaT
        source = ctx.data.sources.get(name, "")
        rows.append({ctx.t("col_table"): name, ctx.t("col_file"): Path(source).name if source else "–",
                     ctx.t("col_rows"): f"{len(table):,}",
                     ctx.t("col_customers"): f"{table[id_col].nunique():,}" if id_col else "–",
                     ctx.t("col_first"): first, ctx.t("col_last"): last})
    if ctx.data.interviews is not None:
        rows.append({ctx.t("col_table"): "interviews", ctx.t("col_file"): "*.md",
                     ctx.t("col_rows"): f"{len(ctx.data.interviews):,}", ctx.t("col_customers"): "–",
                     ctx.t("col_first"): pd.NaT, ctx.t("col_last"): pd.NaT})
    if not rows:
        return s.missing(ctx.t("no_table", table="any", what="inventory"))
    missing = [name for name in TABLES if getattr(ctx.data, name) is None]
    s.table(pd.DataFrame(rows), max_rows=len(rows))
    for name in missing:
        s.note(ctx.t("no_table", table=name, what=name))
    return s


def data_quality(ctx: Context) -> Section:
    """The data-quality report of ``kit.read_data`` (``data.quality``): what the checks found, errors first.

    Checks that found nothing are summarised per table in one line; rows read are in the inventory.
    """
    s = ctx.section("quality")
    q = ctx.data.quality
    if q is None or q.empty:
        return s.para(ctx.t("quality_ok"))
    count = pd.to_numeric(q["count"], errors="coerce").fillna(0)
    example = q["example"].fillna("").astype(str).str.strip()
    shown_mask = ((count > 0) | example.ne("")) & q["check"].ne("rows read")
    order = {"error": 0, "warning": 1, "info": 2}
    shown = q[shown_mask].sort_values("severity", key=lambda c: c.map(order).fillna(3), kind="stable")
    passed = q[~shown_mask & q["check"].ne("rows read")]
    if shown.empty:
        s.para(ctx.t("quality_ok"))
    else:
        s.table(shown, max_rows=60)
    if not passed.empty:
        per_table = passed.groupby("table", sort=False).size()
        s.note(ctx.t("quality_passed", n=len(passed),
                     tables=", ".join(f"{table} {n}" for table, n in per_table.items())))
    return s


def survey_coverage(ctx: Context) -> Section:
    """Survey answers in the period, the response rate, and a non-response warning when it is low."""
    s = ctx.section("survey_coverage")
    surveys = ctx.data.surveys
    if surveys is None:
        return s.missing(ctx.t("no_table", table="survey", what="survey coverage"))
    if ctx.period is not None:
        in_period = surveys[ctx.period.contains(surveys["responded_at"])]
        total = len(ctx.data.customers) if ctx.data.customers is not None else None
        responders = in_period["customer_id"].nunique() if "customer_id" in in_period else None
        if total and responders is not None:
            s.para(ctx.t("surveyed", answers=f"{len(in_period):,}", period=ctx.period_label,
                         customers=f"{responders:,}", share=f"{responders / total:.1%}", total=f"{total:,}"))
    if ctx.data.contacts is None:
        return s.missing(ctx.t("no_table", table="survey invitation", what="response rate"))
    frame = get_scorecard(ctx, s)
    if frame is None:
        return s
    row = frame[frame["kpi"] == "response_rate"]
    if row.empty:
        return s.not_available("response rate in the scorecard")
    r = row.iloc[0]
    s.para(f"{r['label']}: {fmt_kpi('response_rate', r['value'])} "
           f"({fmt_kpi('response_rate', r['ci_low'])} – {fmt_kpi('response_rate', r['ci_high'])}; n = {r['n']:,})")
    limit = ctx.config.thresholds.response_rate_warning
    if pd.notna(r["value"]) and r["value"] < limit:
        s.missing(ctx.t("nonresponse", rate=fmt_kpi("response_rate", r["value"]), limit=f"{limit:.0%}"))
    return s


def market_context(ctx: Context) -> Section:
    """Market and brand positioning, as configured."""
    b = ctx.config.business
    s = ctx.section("market_context")
    if not (b.market or b.positioning):
        return s.missing(ctx.t("not_configured"))
    return s.fields([(ctx.t("market"), b.market), (ctx.t("positioning"), b.positioning)])
