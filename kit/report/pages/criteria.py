"""Page 3, loyalty criteria: the scorecard, then each criterion with its numbers and plots."""

from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np
import pandas as pd

from kit.data.periods import periods_between
from kit.definitions import MULTIPLICITY
from kit.errors import ModelFitError
from kit.labels import LABELS, no_data_for, table_name
from kit.metrics.advocacy import exit_reasons, referred_retention
from kit.metrics.behaviour import churn_by_period
from kit.metrics.contracts import (
    churn_by_tenure,
    contractual_churn,
    contractual_churn_by_period,
    subscription_lifetimes,
    subscriptions_of,
)
from kit.metrics.segments import cohort_retention, rfm_segments
from kit.metrics.service import complaints_by_category, sla_share
from kit.metrics.survey import nps_by_segment
from kit.models.clv import customer_value
from kit.models.clv.contract_value import period_discount_rate, subscriber_values
from kit.models.survival import CoxChurnModel, KaplanMeier, lifetime_table, logrank_test
from kit.report.pages._common import get_scorecard, kpi_rows
from kit.report.pages._context import Context
from kit.report.pages._format import INDEX_SCORECARD, Col, compact_kpis_html, compact_kpis_text, display
from kit.report.pages._section import Section
from kit.report.pages.segments import add_segment_table
from kit.report.pages.trends import add_trend_chart
from kit.report.plots.behaviour import plot_churn_trend, plot_cohort_retention, plot_survival
from kit.report.plots.clv import plot_p_alive
from kit.report.plots.service import plot_service_times
from kit.report.plots.survey import plot_nps_distribution, plot_nps_trend, plot_star_segments
from kit.results import format_value

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
    "contracts": ("crit_contracts", ["clv_contractual"], "subscriptions"),
}
_TABLE_WORD = {"surveys": "survey", "orders": "order", "referrals": "referral", "exits": "exit",
               "tickets": "ticket", "subscriptions": "subscription"}


_FULL = {"en": ("The full scorecard (every KPI with its previous period, target and status) is on the ",
                "index page", "; each criterion below shows its own KPIs, with definitions in the ", "glossary"),
         "de": ("Die vollständige Scorecard (jede Kennzahl mit Vorperiode, Ziel und Status) steht auf der ",
                "Startseite", "; jedes Kriterium unten zeigt seine eigenen Kennzahlen, Definitionen im ", "Glossar")}


def scorecard(ctx: Context) -> Section:
    """Every KPI over the last periods (small multiples with intervals and targets); the full scorecard is shown
    once, on the index page, and this section links to it."""
    s = ctx.section("scorecard", period=ctx.period_label)
    frame = get_scorecard(ctx, s)
    if frame is not None:
        before, index, middle, glossary = _FULL["de" if ctx.lang == "de" else "en"]
        esc = html.escape
        s.html_block(f"<p>{esc(before)}<a href='{esc(INDEX_SCORECARD)}'>{esc(index)}</a>{esc(middle)}"
                     f"<a href='glossary.html'>{esc(glossary)}</a>.</p>", f"{before}{index}{middle}{glossary}.")
        s.note(MULTIPLICITY[1 if ctx.lang == "de" else 0])
        add_trend_chart(ctx, s)   # every KPI over the last periods, with intervals and targets
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
        target = ctx.config.targets.get("nps")
        s.plot(plot_nps_trend, surveys, granularity=ctx.config.periods.granularity, min_n=th.min_n,
               target=None if target is None else target.target, direction=ctx.config.direction("nps"))
        s.plot(plot_nps_distribution, now)
        by_segment = s.call(nps_by_segment, _with_segment(ctx, now), by="segment")
        if by_segment is not None:
            s.table(_show(ctx, by_segment, [
                Col("segment", "col_segment", "category"), Col("n", "col_answers", "count"),
                Col("nps", "col_nps", "number"), Col(("ci_low", "ci_high"), "col_interval", "interval"),
                Col("promoters", "col_promoters", "share"), Col("passives", "col_passives", "share"),
                Col("detractors", "col_detractors", "share")]),
                caption=ctx.t("cap_nps_segment", period=ctx.period_label))
        overall = get_scorecard(ctx)
        if overall is not None:   # every customer dimension, tested against all customers
            add_segment_table(ctx, s, float(overall.set_index("kpi")["value"].get("nps", float("nan"))))
    if "rating" in surveys:
        s.plot(plot_star_segments, now, at_risk_max=th.star_at_risk_max)


def _with_segment(ctx: Context, surveys: pd.DataFrame) -> pd.DataFrame:
    """The answers with a ``segment`` column: the customers' ``ctx.segment_by`` column (``segment_by``), or "all"."""
    customers, by = ctx.data.customers, ctx.segment_by
    if customers is None or by not in customers or "customer_id" not in surveys:
        return surveys.assign(segment="all")
    groups = customers[["customer_id", by]].rename(columns={by: "segment"})
    return surveys.drop(columns="segment", errors="ignore").merge(groups, on="customer_id", how="left")


def _retention(ctx: Context, s: Section) -> None:
    if ctx.period is None or ctx.data.orders is None:
        return
    _churn_trend(ctx, s)
    _cohorts(ctx, s)
    _survival(ctx, s)


def _churn_trend(ctx: Context, s: Section) -> None:
    """Churn rate of every complete period up to the reporting period, with the target."""
    orders = ctx.data.orders
    if orders.empty:
        return
    days = ctx.config.thresholds.inactivity_days
    # a period starting less than inactivity_days after the first order cannot show inactivity losses yet
    # (only exits): its churn rate would be biased low, so the trend starts after that
    observable = orders["order_date"].min() + pd.Timedelta(days=days)
    periods = [p for p in periods_between(orders["order_date"].min(), ctx.period.end - pd.Timedelta(days=1),
                                  ctx.config.periods.granularity) if p.start >= observable]
    if not periods:
        return
    trend = s.call(ctx.reuse, churn_by_period, orders,   # the work cell's trend when it made this call
                   periods=periods, inactivity_days=days, exits=ctx.data.exits)
    if trend is None or trend["value"].notna().sum() < 2:
        return
    target = ctx.config.targets.get("churn_rate")
    s.heading(ctx.t("churn_trend"))
    s.note(ctx.t("churn_trend_from", days=days, start=periods[0].label))
    s.plot(plot_churn_trend, trend, target=None if target is None else target.target)


def _cohorts(ctx: Context, s: Section) -> None:
    """Cohort heatmap: share of each acquisition cohort ordering again in later periods."""
    table = s.call(ctx.reuse, cohort_retention, ctx.data.orders, granularity=ctx.config.periods.granularity,
                   as_of=ctx.period.end)
    if table is None or table.empty:
        return
    s.heading(ctx.t("cohorts"))
    s.plot(plot_cohort_retention, table)


def _show(ctx: Context, frame: pd.DataFrame, spec: list[Col]) -> pd.DataFrame:
    """``frame`` as displayed: the columns of ``spec``, labelled in the report language and formatted."""
    return display(frame, spec, ctx.lang, currency=ctx.config.business.currency)


def _p_text(p: float, lang: str = "en") -> str:
    """``= 0.012``, ``< 0.001`` or ``> 0.999`` (German ``= 0,012``)."""
    shown = format_value(p, "p", lang)
    return shown if shown.startswith(("<", ">")) else f"= {shown}"


def _survival(ctx: Context, s: Section) -> None:
    """Kaplan-Meier curves by segment, the log-rank test, median lifetimes and the Cox churn drivers."""
    as_of = ctx.period.end
    table = s.call(ctx.reuse, lifetime_table, ctx.data, ctx.config, as_of=as_of)  # the work cell's, when the same
    if table is None or table.empty:
        return
    groups = table["segment"] if "segment" in table and table["segment"].notna().any() else None
    s.heading(ctx.t("survival"))
    s.para(ctx.t("survival_intro", by=ctx.t("per_segment") if groups is not None else "",
                 days=ctx.config.thresholds.inactivity_days, as_of=f"{as_of - pd.Timedelta(days=1):%Y-%m-%d}"))
    with s.collect_warnings():
        km = KaplanMeier().fit(table["duration_days"], table["churned"], groups)
    s.plot(plot_survival, km)
    # an unbounded interval end (inf) reads as "not estimable": shown as a dash
    summary = km.summary.replace([np.inf, -np.inf], np.nan)
    s.table(_show(ctx, summary, [
        Col("group", "col_segment", "category"), Col("n", "col_customers", "count"),
        Col("events", "col_lost", "count"), Col("median", "col_median_days", "days"),
        Col(("median_ci_low", "median_ci_high"), "col_interval_median", "days")]), caption=ctx.t("survival_table"))
    if km.summary["median"].isna().any():
        s.note(ctx.t("median_never"))
    if groups is not None and groups.nunique() >= 2 and table["churned"].astype(bool).any():  # no loss: no test
        test = s.call(logrank_test, table["duration_days"], table["churned"], groups)
        if test is not None:
            verdict = ctx.t("logrank_diff" if test.p_value < 0.05 else "logrank_same")
            s.para(ctx.t("logrank", groups=", ".join(test.groups), df=test.df, verdict=verdict,
                         stat=format_value(test.statistic, "number", ctx.lang), p=_p_text(test.p_value, ctx.lang)))
    _cox(ctx, s, table)


def _cox(ctx: Context, s: Section, table: pd.DataFrame) -> None:
    """Hazard ratios of the covariates measured before the loss (not five_star: survivor-biased)."""
    s.heading(ctx.t("cox"))
    # five_star / mean_rating are left out on purpose: see the cox_five_star note
    covariates = [c for c in ("slow_first_response", "referred", "segment")
                  if c in table and table[c].nunique(dropna=True) >= 2]
    if not covariates:
        s.missing(ctx.t("cox_none"))
        return
    try:  # the model the work cell fitted on the same table, if it did
        model = s.call(ctx.reuse, CoxChurnModel().fit, table, covariates=covariates)
    except (ValueError, ModelFitError) as err:  # no observed loss, or a degenerate design: a finding, not a crash
        s.missing(str(err))
        return
    intro = ctx.t("cox_intro", n=format_value(model.n_, "count", ctx.lang),
                  events=format_value(model.events_, "count", ctx.lang),
                  c=format_value(model.concordance_, "number", ctx.lang, digits=2))
    if "slow_first_response" in getattr(model, "time_varying_", []):
        intro += " " + ctx.t("cox_time_varying")
    s.para(intro)
    out = model.summary.assign(covariate=model.summary["covariate"].map(lambda c: _covariate_label(ctx, table, c)))
    s.table(_show(ctx, out, [
        Col("covariate", "col_covariate"), Col("hazard_ratio", "col_hr", "number", 2),
        Col(("ci_low", "ci_high"), "col_interval_hr", "interval", 2), Col("p_value", "col_p", "p")]),
        caption=ctx.t("cap_cox"))
    if "five_star" in table:
        s.note(ctx.t("cox_five_star"))


def _covariate_label(ctx: Context, table: pd.DataFrame, name: str) -> str:
    """Readable name of a Cox design column (``segment=Abo`` against the most frequent segment)."""
    if name.startswith("segment="):
        counts = table["segment"].dropna().astype(str).value_counts().sort_index()
        # as kit.models.survival chooses it
        reference = str(counts.sort_values(ascending=False, kind="stable").index[0])
        return ctx.t("cov_segment", level=name.split("=", 1)[1], reference=reference)
    key = f"cov_{name}"
    if name == "slow_first_response":
        hours = ctx.config.thresholds.slow_response_hours
        return ctx.t(key, hours=format_value(hours, "number", ctx.lang, digits=0 if hours == int(hours) else 1))
    return ctx.t(key) if key in LABELS else name


def _frequency(ctx: Context, s: Section) -> None:
    if ctx.period is None:
        return
    rfm = s.call(ctx.reuse, rfm_segments, ctx.data.orders,
                 as_of=ctx.period.end, lang=ctx.lang)
    if rfm is not None and "segment" in rfm:
        counts = rfm["segment"].value_counts().rename_axis("segment").reset_index(name="customers")
        s.table(_show(ctx, counts, [Col("segment", "col_rfm_segment"), Col("customers", "col_customers", "count")]),
                caption=ctx.t("cap_rfm", period=ctx.period_label))


def customer_values(ctx: Context, s: Section | None = None) -> pd.DataFrame | None:
    """Per-customer predicted value and P(alive) (``kit.customer_value``), once per context."""
    if ctx.period is None or "orders" not in ctx.data.available():   # loads no table (see pages.release)
        return None

    def make() -> pd.DataFrame | ModelFitError:
        try:
            return customer_value(ctx.data.orders, as_of=_as_of(ctx), settings=ctx.config.clv)
        except ModelFitError as err:  # a finding about the data: kept, and shown by each section that asks
            return err

    if s is None:
        values = ctx.cached("customer_value", make)
    else:
        with s.collect_warnings():
            values = ctx.cached("customer_value", make)
    if isinstance(values, ModelFitError):
        if s is not None:
            s.missing(("predicted customer value not available: " if ctx.lang == "en"
                       else "prognostizierter Kundenwert nicht verfügbar: ") + str(values))
        return None
    return values


def _value(ctx: Context, s: Section) -> None:
    overall = get_scorecard(ctx)
    if overall is not None and ctx.data.orders is not None:   # every dimension, tested against all orders
        add_segment_table(ctx, s, float(overall.set_index("kpi")["value"].get("average_order_value", float("nan"))),
                          kpi="average_order_value")
    values = customer_values(ctx, s)
    if values is not None:
        s.plot(plot_p_alive, values)


def _referrals(ctx: Context, s: Section) -> None:
    if ctx.period is None or ctx.data.orders is None:
        return
    result = s.call(ctx.reuse, referred_retention, ctx.data.customers, ctx.data.referrals, ctx.data.orders,
                    as_of=ctx.period.end, inactivity_days=ctx.config.thresholds.inactivity_days, lang=ctx.lang)
    if result is not None:
        s.metric(result)
        table = result.extras.get("table") if hasattr(result, "extras") else None
        if isinstance(table, pd.DataFrame):
            groups = table.assign(group=table["group"].replace({"other": "other_customers"})) \
                if "group" in table else table
            s.table(_show(ctx, groups, [
                Col("group", "col_group", "category"), Col("customers", "col_customers", "count"),
                Col("retained", "col_retained", "count"), Col("retention", "col_retention", "share"),
                Col(("ci_low", "ci_high"), "col_interval", "share_interval")]), caption=ctx.t("cap_referred"))


def _exits(ctx: Context, s: Section) -> None:
    """Pareto table of the exit categories, else of the exit reasons as written (both columns are optional)."""
    by = next((c for c in ("category", "reason") if c in ctx.data.exits), None)
    if by is None:
        s.missing(ctx.t("no_column", column="category' / 'reason", table=table_name("exits", ctx.lang),
                        what=ctx.t("cap_exits")))
        return
    table = s.call(exit_reasons, ctx.data.exits, by=by, period=None)
    if table is not None:
        s.table(_show(ctx, table, [
            Col("category", "col_category", "category"), Col("count", "col_exits", "count"),
            Col("share", "col_share", "share"), Col(("ci_low", "ci_high"), "col_interval", "share_interval"),
            Col("cumulative_share", "col_cumulative", "share")]),
            caption=ctx.t("cap_exits" if by == "category" else "cap_exits_reason"))


def _service(ctx: Context, s: Section) -> None:
    th = ctx.config.thresholds
    table = s.call(complaints_by_category, ctx.data.tickets, ctx.data.orders, period=ctx.period)
    if table is not None:
        s.table(_show(ctx, table, [
            Col("category", "col_category", "category"), Col("complaints", "col_complaints", "count"),
            Col("share", "col_share_complaints", "share"), Col("per_1000_orders", "col_per_1000", "number"),
            Col(("ci_low", "ci_high"), "col_interval_per_1000", "interval")]),
            caption=ctx.t("cap_complaints", period=ctx.period_label))
    if "first_response_at" in ctx.data.tickets:
        _slow_beside_sla(ctx, s)
        s.plot(plot_service_times, _in_period(ctx, "tickets", "opened_at"),
               column="first_response_at", basis=th.hours_basis, sla_hours=th.sla_hours,
               schedule=th.business_hours, state=th.holiday_state)


def _slow_beside_sla(ctx: Context, s: Section) -> None:
    """The SLA share and the churn model's slow first responses side by side: two named thresholds."""
    th = ctx.config.thresholds
    options = {"period": ctx.period, "schedule": th.business_hours, "state": th.holiday_state, "lang": ctx.lang}
    with s.collect_warnings():
        sla = sla_share(ctx.data.tickets, sla_hours=th.sla_hours, basis=th.hours_basis, **options)
        calendar = sla_share(ctx.data.tickets, sla_hours=th.slow_response_hours, basis="calendar", **options)
    if not (sla.has_data and calendar.has_data):
        return
    share = lambda v: format_value(v, "share", ctx.lang)  # noqa: E731
    s.para(ctx.t("slow_vs_sla", sla=sla.note.split(";")[0].removeprefix("SLA ").strip(), sla_share=share(sla.value),
                 slow=format_value(th.slow_response_hours, "number", ctx.lang, digits=0),
                 slow_share=share(1 - calendar.value), low=share(1 - calendar.ci_high),
                 high=share(1 - calendar.ci_low), n=format_value(calendar.n, "count", ctx.lang)))


def _returns(ctx: Context, s: Section) -> None:
    return None


def _contracts(ctx: Context, s: Section) -> None:
    """Contractual churn of the period and its trend, churn by tenure against the sBG, value per plan."""
    subscriptions = subscriptions_of(ctx.data)
    if ctx.period is None or subscriptions is None:
        return
    as_of = ctx.period.end
    life = subscription_lifetimes(subscriptions, as_of=as_of, billing_months=ctx.config.clv.billing_months)
    s.para(ctx.t("contracts_intro", subscribers=format_value(len(life), "count", ctx.lang),
                 running=format_value(int((~life["churned"]).sum()), "count", ctx.lang),
                 as_of=f"{as_of - pd.Timedelta(days=1):%Y-%m-%d}"))
    snapshot = ctx.data.subscriptions is None and ctx.data.as_of is not None and \
        "churn_date" not in ctx.data.customers  # type: ignore[operator]
    if snapshot:
        s.note(ctx.t("contracts_snapshot", as_of=f"{ctx.data.as_of:%Y-%m-%d}",
                     day=f"{ctx.data.as_of - pd.Timedelta(days=1):%Y-%m-%d}"))
    s.metric(s.call(contractual_churn, subscriptions, period=ctx.period, lang=ctx.lang))
    periods = periods_between(subscriptions["start_date"].min(), as_of - pd.Timedelta(days=1),
                              ctx.config.periods.granularity)[-8:]
    trend = s.call(ctx.reuse, contractual_churn_by_period, subscriptions, periods=periods)
    s.heading(ctx.t("contracts_trend"))
    s.table(_show(ctx, trend, [
        Col("period", "col_period"), Col("n", "col_subscribers", "count"), Col("lost", "col_lost", "count"),
        Col("value", "col_churn", "share"), Col(("ci_low", "ci_high"), "col_interval", "share_interval"),
        Col("joined_and_left", "col_joined_left", "count")]), caption=ctx.t("cap_contracts_trend"))
    tenure = s.call(churn_by_tenure, life, max_periods=24)
    try:
        values, model = s.call(ctx.reuse, subscriber_values, subscriptions, as_of=as_of, settings=ctx.config.clv)
    except ModelFitError as err:  # e.g. no cancellation yet: a finding about the data, not a crash
        s.heading(ctx.t("contracts_tenure"))
        s.table(_show(ctx, tenure, _TENURE_COLUMNS), caption=ctx.t("cap_contracts_tenure",
                                                                    months=ctx.config.clv.billing_months))
        s.missing(str(err))
        return
    tenure = tenure.assign(model_churn=1 - model.retention_rate(tenure["tenure"].to_numpy()))
    s.heading(ctx.t("contracts_tenure"))
    s.table(_show(ctx, tenure, [*_TENURE_COLUMNS, Col("model_churn", "col_model_churn", "share")]),
            caption=ctx.t("cap_contracts_tenure", months=ctx.config.clv.billing_months))
    _contract_value(ctx, s, subscriptions, values, model)


_TENURE_COLUMNS = [Col("tenure", "col_tenure", "count"), Col("at_risk", "col_reached", "count"),
                   Col("churned", "col_cancelled", "count"), Col("churn_rate", "col_churn", "share"),
                   Col(("ci_low", "ci_high"), "col_interval", "share_interval")]


def _contract_value(ctx: Context, s: Section, subscriptions: pd.DataFrame, values: pd.DataFrame,
                    model: object) -> None:
    """The sBG fit in words, its parameters, and the running subscriptions' value per plan."""
    clv = ctx.config.clv
    alpha, beta = (model.summary.loc[name] for name in ("alpha", "beta"))  # type: ignore[attr-defined]

    def estimate(row: pd.Series) -> str:
        shown = [format_value(row[c], "number", ctx.lang, digits=2) for c in ("estimate", "ci_low", "ci_high")]
        return f"{shown[0]} ({shown[1]}–{shown[2]})"

    s.heading(ctx.t("contracts_sbg"))
    s.para(ctx.t("contracts_sbg_intro", n=format_value(model.n_, "count", ctx.lang),  # type: ignore[attr-defined]
                 cancelled=format_value(model.churned_, "count", ctx.lang),  # type: ignore[attr-defined]
                 alpha=estimate(alpha), beta=estimate(beta), margin=format_value(clv.margin, "share", ctx.lang),
                 rate=format_value(period_discount_rate(clv.annual_discount_rate, clv.billing_months), "share",
                                   ctx.lang, digits=2)))
    plans = subscriptions.drop_duplicates("customer_id", keep="last")[["customer_id", "plan"]]
    table = values.merge(plans, on="customer_id", how="left")
    table["plan"] = table["plan"].astype(object).where(table["plan"].notna(), "–").astype(str)
    by_plan = table.groupby("plan", sort=True).agg(customers=("customer_id", "size"), renewals=("renewals", "mean"),
                                                   derl=("derl", "mean"), value=("residual_value", "mean"))
    s.table(_show(ctx, by_plan.reset_index(), [
        Col("plan", "col_plan"), Col("customers", "col_customers", "count"),
        Col("renewals", "col_renewals", "number"), Col("derl", "col_derl", "number"),
        Col("value", "col_residual_value", "money")]), caption=ctx.t("cap_contracts_plan"))


_EXTRAS: dict[str, Callable[[Context, Section], None]] = {
    "satisfaction": _satisfaction, "retention": _retention, "frequency": _frequency, "value": _value,
    "referrals": _referrals, "exits": _exits, "service": _service, "returns": _returns,
    "contracts": _contracts,
}


def criterion(ctx: Context, name: str) -> Section:
    """One loyalty criterion: its KPIs in compact form (value, interval, n, status; links to the index scorecard
    and the glossary), then its tables and plots.

    Parameters
    ----------
    ctx : Context
    name : str
        One of :data:`CRITERIA`: satisfaction, retention, frequency, value, referrals, exits, service, returns,
        contracts (subscriptions: contractual churn by period and tenure, the sBG customer value).

    Raises
    ------
    KeyError
        When ``name`` is not a criterion (the message lists the valid ones).
    """
    if name not in CRITERIA:
        raise KeyError(f"unknown criterion {name!r}; valid: {', '.join(CRITERIA)}")
    title_key, kpis, table = CRITERIA[name]
    s = ctx.section(title_key)
    if name == "contracts" and subscriptions_of(ctx.data) is None:
        return s.missing(ctx.t("contracts_missing"))
    # churn and retention also come from subscriptions (or a customers status) when there are no orders
    contractual = name == "retention" and subscriptions_of(ctx.data) is not None
    if getattr(ctx.data, table) is None and name != "contracts" and not contractual:
        title = s.title if ctx.lang == "de" else s.title.lower()  # German nouns keep their capital
        return s.missing(no_data_for(_TABLE_WORD[table], ctx.t("metrics_of", title=title), ctx.lang))
    if kpis:
        frame = get_scorecard(ctx, s)
        if frame is not None:
            rows, currency = kpi_rows(frame, kpis), ctx.config.business.currency
            s.html_block(compact_kpis_html(rows, ctx.lang, currency=currency),
                         compact_kpis_text(rows, ctx.lang, currency=currency))
            for note in kpi_rows(frame, kpis).get("note", []):
                if isinstance(note, str) and note:
                    s.note(note)
    _EXTRAS[name](ctx, s)
    return s
