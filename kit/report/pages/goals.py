"""Page 1, goals: the business, its KPI targets, the KPI tree and the baseline."""

from __future__ import annotations

import html
import math

import pandas as pd

from kit.definitions import DEFINITIONS
from kit.labels import no_data_for
from kit.report.pages._common import (
    STATUS_COLOURS,
    fmt_kpi,
    get_scorecard,
    kpi_rows,
    local_text,
    scorecard_html,
    scorecard_text,
)
from kit.report.pages._context import Context
from kit.report.pages._section import Section
from kit.results import format_value

__all__ = ["business", "kpi_targets", "kpi_tree", "baseline", "why_retention", "KPI_TREE"]

#: The KPI tree: what each outcome rests on (presentation only; the metrics live in kit.metrics).
KPI_TREE: dict[str, list[str]] = {
    "clv_predicted": ["retention_rate", "purchase_frequency", "average_order_value"],
    "retention_rate": ["churn_rate", "nps", "referral_rate"],
    "nps": ["csat", "ces", "star_rating", "at_risk_share"],
    "csat": ["first_response_hours", "resolution_hours", "sla_share", "complaint_rate"],
    "average_order_value": ["return_rate", "refund_share"],
}
_ROOT = "clv_predicted"


def business(ctx: Context) -> Section:
    """Vision, business model and positioning, as configured (``business:`` in analysis.yaml)."""
    b = ctx.config.business
    s = Section(b.name, lang=ctx.lang)
    s.fields([(ctx.t("vision"), local_text(b.vision, ctx.lang)), (ctx.t("model"), local_text(b.model, ctx.lang)),
              (ctx.t("positioning"), local_text(b.positioning, ctx.lang))])
    return s


def kpi_targets(ctx: Context) -> Section:
    """The configured KPI targets with each KPI's definition and direction."""
    s = ctx.section("targets")
    if not ctx.config.targets:
        return s.missing(ctx.t("no_targets"))
    rows = []
    for kpi, target in ctx.config.targets.items():
        label, definition = DEFINITIONS[kpi].text(ctx.lang)  # type: ignore[arg-type]
        rows.append({ctx.t("col_kpi"): label,
                     ctx.t("col_target"): fmt_kpi(kpi, target.target, ctx.config.business.currency, ctx.lang),
                     ctx.t("col_better"): ctx.t(ctx.config.direction(kpi)), ctx.t("definition"): definition})
    return s.table(pd.DataFrame(rows), max_rows=len(rows))


def _tree_html(ctx: Context, frame: pd.DataFrame | None) -> str:
    esc = html.escape
    by_kpi = {} if frame is None else {str(r.kpi): r for r in frame.itertuples(index=False)}

    def node(kpi: str, depth: int) -> str:
        label = DEFINITIONS[kpi].text(ctx.lang)[0]  # type: ignore[arg-type]
        row = by_kpi.get(kpi)
        badge = ""
        if row is not None:
            colour = STATUS_COLOURS.get(str(row.status), "#e6e6e6")
            badge = (f" <span style='background:{colour};color:#fff;padding:0 6px;border-radius:8px'>"
                     f"{esc(fmt_kpi(kpi, row.value, ctx.config.business.currency, ctx.lang))}</span>")
        children = "".join(node(c, depth + 1) for c in KPI_TREE.get(kpi, []) if depth < 4)
        return f"<li>{esc(label)}{badge}" + (f"<ul>{children}</ul>" if children else "") + "</li>"

    return f"<ul class='kit-tree'>{node(_ROOT, 0)}</ul>"


def kpi_tree(ctx: Context) -> Section:
    """The KPI tree: customer value rests on retention, frequency and order value, and so on down."""
    s = ctx.section("kpi_tree")
    frame = get_scorecard(ctx, s)
    return s.html_block(_tree_html(ctx, frame))


def baseline(ctx: Context) -> Section:
    """The scorecard of the period against each target (KPIs with a target first)."""
    s = ctx.section("baseline", period=ctx.period_label)
    frame = get_scorecard(ctx, s)
    if frame is None:
        return s
    targeted = kpi_rows(frame, [k for k in frame["kpi"] if k in ctx.config.targets])
    currency = ctx.config.business.currency
    return s.html_block(scorecard_html(targeted, ctx.lang, definitions=False, currency=currency),
                        scorecard_text(targeted, ctx.lang, currency=currency))


def why_retention(ctx: Context) -> Section:
    """Why retention matters, from the configured acquisition cost and margin and the period's order value."""
    s = ctx.section("why_retention")
    b = ctx.config.business
    if b.acquisition_cost is None:
        return s.missing(ctx.t("no_acquisition_cost"))
    frame = get_scorecard(ctx, s)
    if frame is None:
        return s
    aov = frame.loc[frame["kpi"] == "average_order_value", "value"]
    if aov.empty or pd.isna(aov.iloc[0]) or aov.iloc[0] <= 0:
        return s.missing(no_data_for("order", ctx.t("what_payback"), ctx.lang))
    margin = ctx.config.clv.margin
    per_order = float(aov.iloc[0]) * margin
    cost = b.acquisition_cost

    def money(value: float, digits: int = 2) -> str:
        return format_value(value, "currency", ctx.lang, digits=digits, currency=b.currency)

    s.para(ctx.t("payback", cost=money(cost, 0 if float(cost).is_integer() else 2), aov=money(float(aov.iloc[0])),
                 margin=format_value(margin, "share", ctx.lang, digits=0), per_order=money(per_order),
                 orders=math.ceil(cost / per_order)))
    return s
