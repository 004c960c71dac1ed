"""Page 3, loyalty criteria: the scorecard, then each criterion with its numbers and plots."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from kit.errors import ModelFitError
from kit.pages._common import get_scorecard, kpi_rows, scorecard_html, scorecard_text
from kit.pages._context import Context
from kit.pages._section import Section, capability

__all__ = ["scorecard", "criterion", "customer_values", "CRITERIA"]

#: criterion -> (title key, KPI ids shown, table its data come from)
CRITERIA: dict[str, tuple[str, list[str], str]] = {
    "satisfaction": ("crit_satisfaction", ["nps", "csat", "ces", "star_rating", "at_risk_share"], "surveys"),
    "retention": ("crit_retention", ["churn_rate", "retention_rate"], "orders"),
    "frequency": ("crit_frequency", ["repeat_purchase_rate", "purchase_frequency"], "orders"),
    "value": ("crit_value", ["average_order_value", "clv_historical", "clv_predicted"], "orders"),
    "referrals": ("crit_referrals", ["referral_rate"], "referrals"),
    "exits": ("crit_exits", [], "exits"),
    "service": ("crit_service", ["first_response_hours", "resolution_hours", "sla_share", "complaint_rate"],
                "tickets"),
    "returns": ("crit_returns", ["return_rate", "refund_share"], "orders"),
}
_TABLE_WORD = {"surveys": "survey", "orders": "order", "referrals": "referral", "exits": "exit",
               "tickets": "ticket"}


def scorecard(ctx: Context) -> Section:
    """Every KPI of the period with n, interval, previous period, target, status and definition."""
    s = ctx.section("scorecard", period=ctx.period_label)
    frame = get_scorecard(ctx, s)
    if frame is not None:
        s.html_block(scorecard_html(frame, ctx.lang), scorecard_text(frame, ctx.lang))
    return s


def _in_period(ctx: Context, table: str, column: str) -> pd.DataFrame:
    frame = getattr(ctx.data, table)
    if ctx.period is None:
        return frame
    return frame[ctx.period.contains(frame[column])]


def _as_of(ctx: Context) -> pd.Timestamp | None:
    """Last day of the period: the reference date of customer-level views."""
    return None if ctx.period is None else ctx.period.end - pd.Timedelta(days=1)


def _satisfaction(ctx: Context, s: Section) -> None:
    surveys = ctx.data.surveys
    now = _in_period(ctx, "surveys", "responded_at")
    th = ctx.config.thresholds
    if "nps" in surveys:
        s.plot("kit.plots.survey", "plot_nps_trend", "NPS by period (kit.plots.survey.plot_nps_trend)",
               surveys, granularity=ctx.config.periods.granularity, min_n=th.min_n)
        s.plot("kit.plots.survey", "plot_nps_distribution", "NPS answers (kit.plots.survey.plot_nps_distribution)",
               now)
        by_segment = s.call("kit.metrics.survey", "nps_by_segment", "NPS by segment (kit.nps_by_segment)",
                            _with_segment(ctx, now), by="segment")
        if by_segment is not None:
            s.table(by_segment, caption=f"NPS by customer segment, {ctx.period_label}")
    if "rating" in surveys:
        s.plot("kit.plots.survey", "plot_star_segments", "star segments (kit.plots.survey.plot_star_segments)",
               now, at_risk_max=th.star_at_risk_max)


def _with_segment(ctx: Context, surveys: pd.DataFrame) -> pd.DataFrame:
    customers = ctx.data.customers
    if customers is None or "segment" not in customers or "customer_id" not in surveys:
        return surveys.assign(segment="all")
    return surveys.merge(customers[["customer_id", "segment"]], on="customer_id", how="left")


def _retention(ctx: Context, s: Section) -> None:
    if ctx.period is None:
        return
    table = s.call("kit.metrics.behaviour", "cohort_retention", "cohort retention (kit.cohort_retention)",
                   ctx.data.orders, granularity=ctx.config.periods.granularity, as_of=ctx.period.end)
    if table is not None and not table.empty:
        wide = table.pivot(index="cohort", columns="periods_since", values="share")
        s.table(wide.reset_index().rename(columns=lambda c: f"+{c}" if isinstance(c, (int, float)) else c),
                caption="Cohort retention: share of each cohort ordering again, by periods since the first order",
                max_rows=20)


def _frequency(ctx: Context, s: Section) -> None:
    if ctx.period is None:
        return
    rfm = s.call("kit.metrics.behaviour", "rfm_segments", "RFM segments (kit.rfm_segments)", ctx.data.orders,
                 as_of=ctx.period.end, lang=ctx.lang)
    if rfm is not None and "segment" in rfm:
        counts = rfm["segment"].value_counts().rename_axis("segment").reset_index(name="customers")
        s.table(counts, caption="Customers by RFM segment (recency, frequency, monetary value)")


def customer_values(ctx: Context, s: Section | None = None) -> pd.DataFrame | None:
    """Per-customer predicted value and P(alive) (``kit.customer_value``), once per context."""
    func = capability("kit.clv", "customer_value")
    if func is None or ctx.period is None or ctx.data.orders is None:
        if s is not None and func is None:
            s.not_available("customer value (kit.customer_value)")
        return None

    def make() -> pd.DataFrame | None:
        try:
            return func(ctx.data.orders, as_of=_as_of(ctx), settings=ctx.config.clv)
        except ModelFitError as err:  # a finding about the data: shown, not a crash
            if s is not None:
                s.missing(("predicted customer value not available: " if ctx.lang == "en"
                           else "prognostizierter Kundenwert nicht verfügbar: ") + str(err))
            return None

    if s is None:
        return ctx.cached("customer_value", make)
    with s.collect_warnings():
        return ctx.cached("customer_value", make)


def _value(ctx: Context, s: Section) -> None:
    values = customer_values(ctx, s)
    if values is not None:
        s.plot("kit.plots.clv", "plot_p_alive", "P(alive) distribution (kit.plots.clv.plot_p_alive)", values)


def _referrals(ctx: Context, s: Section) -> None:
    if ctx.period is None or ctx.data.orders is None:
        return
    result = s.call("kit.metrics.advocacy", "referred_retention", "retention of referred customers "
                    "(kit.referred_retention)", ctx.data.customers, ctx.data.referrals, ctx.data.orders,
                    as_of=ctx.period.end, inactivity_days=ctx.config.thresholds.inactivity_days)
    if result is not None:
        s.metric(result)
        table = result.extras.get("table") if hasattr(result, "extras") else None
        if isinstance(table, pd.DataFrame):
            s.table(table)


def _exits(ctx: Context, s: Section) -> None:
    table = s.call("kit.metrics.advocacy", "exit_reasons", "exit reasons Pareto (kit.exit_reasons)",
                   ctx.data.exits, by="category", period=None)
    if table is not None:
        s.table(table, caption="All recorded exits by category, most frequent first")


def _service(ctx: Context, s: Section) -> None:
    th = ctx.config.thresholds
    table = s.call("kit.metrics.service", "complaints_by_category", "complaints by category "
                   "(kit.complaints_by_category)", ctx.data.tickets, ctx.data.orders, period=ctx.period)
    if table is not None:
        s.table(table, caption=f"Complaints by category, {ctx.period_label}")
    if "first_response_at" in ctx.data.tickets:
        s.plot("kit.plots.service", "plot_service_times", "first-response times "
               "(kit.plots.service.plot_service_times)", _in_period(ctx, "tickets", "opened_at"),
               column="first_response_at", basis=th.hours_basis, sla_hours=th.sla_hours,
               schedule=th.business_hours, state=th.holiday_state)


def _returns(ctx: Context, s: Section) -> None:
    return None


_EXTRAS: dict[str, Callable[[Context, Section], None]] = {
    "satisfaction": _satisfaction, "retention": _retention, "frequency": _frequency, "value": _value,
    "referrals": _referrals, "exits": _exits, "service": _service, "returns": _returns,
}


def criterion(ctx: Context, name: str) -> Section:
    """One loyalty criterion: its KPI rows from the scorecard (with definitions), then its tables and plots.

    Parameters
    ----------
    ctx : Context
    name : str
        One of :data:`CRITERIA`: satisfaction, retention, frequency, value, referrals, exits, service, returns.

    Raises
    ------
    KeyError
        When ``name`` is not a criterion (the message lists the valid ones).
    """
    if name not in CRITERIA:
        raise KeyError(f"unknown criterion {name!r}; valid: {', '.join(CRITERIA)}")
    title_key, kpis, table = CRITERIA[name]
    s = ctx.section(title_key)
    if getattr(ctx.data, table) is None:
        return s.missing(ctx.t("no_table", table=_TABLE_WORD[table], what=ctx.t("metrics_of", title=s.title.lower())))
    if kpis:
        frame = get_scorecard(ctx, s)
        if frame is not None:
            s.html_block(scorecard_html(kpi_rows(frame, kpis), ctx.lang), scorecard_text(kpi_rows(frame, kpis), ctx.lang))
            for note in kpi_rows(frame, kpis).get("note", []):
                if isinstance(note, str) and note:
                    s.note(note)
    _EXTRAS[name](ctx, s)
    return s
