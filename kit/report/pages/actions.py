"""Page 5, actions: findings ranked, drivers, gaps, the prioritised plan and the customer lists."""

from __future__ import annotations

from typing import Any

import pandas as pd

from kit.data.periods import periods_between
from kit.definitions import GAP_SCALE, action_terms
from kit.labels import LABELS, no_data_for, table_name
from kit.metrics.service import complaints_by_category
from kit.models.drivers import KeyDrivers, importance_performance
from kit.plan.actions import not_needed_line, planned, prioritise_actions
from kit.plan.evidence import gather_evidence, kpi_gaps
from kit.plan.lists import advocates, pseudonymise_list, value_basis_text, watch_list, winback_list
from kit.plan.winback import winback_calls_of
from kit.report.pages._common import driver_outcome, fmt_kpi, get_scorecard, outcome_chosen, outcome_label
from kit.report.pages._context import Context
from kit.report.pages._format import Col, display, fmt
from kit.report.pages._section import Section
from kit.report.plots.actions import plot_impact_effort
from kit.report.plots.drivers import plot_driver_importance, plot_importance_performance

__all__ = ["findings", "drivers", "driver_model", "action_plan", "customer_lists", "plan_frame", "list_frames",
           "LISTS"]

#: list key -> (kit.plan function that writes it, file name in the run folder or "")
LISTS: dict[str, tuple[str, str]] = {
    "watch_list": ("watch_list", "watchlist.csv"),
    "winback_list": ("winback_calls", "winback.csv"),
    "advocates": ("advocates", "advocates.csv"),
}
_LIST_FUNCTIONS = {"watch_list": watch_list, "winback_list": winback_list, "advocates": advocates}
_SHOWN = 10
#: how the driver outcome is named on the chart and in the evidence
#: the columns of the three customer lists, as shown (each list has a subset)
_LIST_COLUMNS = [
    Col("rank", "col_rank", "count"), Col("customer_id", "col_customer", "id"),
    Col("reasons", "col_reasons", "reasons"), Col("status", "col_status_list", "category"),
    Col("value_at_risk", "col_value_at_risk", "money"), Col("segment", "col_segment", "category"),
    Col("nps", "col_nps", "count"), Col("rating", "col_rating", "count"), Col("p_alive", "col_p_alive", "share", 0),
    Col("open_complaints", "col_open_complaints", "count"), Col("referrals", "col_referrals", "count"),
    Col("last_order", "col_last_order"), Col("days_inactive", "col_days_inactive", "count"),
    Col("orders", "col_orders", "count"), Col("net_revenue", "col_net_revenue", "money"),
    Col("past_value", "col_past_value", "money"), Col("exit_date", "col_exit_date"),
    Col("exit_category", "col_exit_category", "category"), Col("exit_reason", "col_exit_reason"),
    Col("recoverable_value", "col_recoverable_value", "money"), Col("owner", "col_owner"), Col("due", "col_due"),
]

#: Columns a list's CSV keeps but its page leaves out, so the table fits a 1,280 px window (and an A4 page):
#: the win-back call needs who, why, how much can be won back, owner and due date; revenue history is in the CSV.
_CSV_ONLY = {"winback_list": ("net_revenue", "past_value", "exit_date")}


def _as_of(ctx: Context) -> pd.Timestamp | None:
    return None if ctx.period is None else ctx.period.end - pd.Timedelta(days=1)


def _gap(value: float, lang: str) -> str:
    """A gap on its scale: three decimals below 1 (0.038), two from 1 on (3.75; never a German "3,750")."""
    return fmt(value, "number", lang, digits=3 if abs(value) < 1 else 2)


def findings(ctx: Context) -> Section:
    """Positives and negatives: every KPI with a target, ranked by its gap (``kit.kpi_gaps``)."""
    s = ctx.section("findings")
    frame = get_scorecard(ctx, s)
    if frame is None:
        return s
    gaps = s.call(kpi_gaps, frame, ctx.config)
    if gaps is None:
        return s
    currency = ctx.config.business.currency
    for key, statuses in (("negatives", ("missed", "inconclusive")), ("positives", ("met",))):
        part = gaps[gaps["status"].isin(statuses)]
        s.heading(ctx.t(key))
        if part.empty:
            s.para("–")
            continue
        shown = pd.DataFrame({
            ctx.t("col_kpi"): part["label"],
            ctx.t("col_value"): [fmt_kpi(k, v, currency, ctx.lang)
                                 for k, v in zip(part["kpi"], part["value"], strict=False)],
            ctx.t("col_target"): [fmt_kpi(k, v, currency, ctx.lang)
                                  for k, v in zip(part["kpi"], part["target"], strict=False)],
            ctx.t("col_status"): [ctx.t(st) for st in part["status"]],
            ctx.t("col_scaled_gap"): [_gap(v, ctx.lang) for v in part["scaled_gap"]],
            ctx.t("col_severity"): [_gap(v, ctx.lang) for v in part["severity"]],
            "n": [fmt(v, "count", ctx.lang) for v in part["n"]],
        })
        s.table(shown, max_rows=len(shown))
    s.note(GAP_SCALE[1 if ctx.lang == "de" else 0])
    return s


def driver_model(ctx: Context, s: Section | None = None) -> Any:
    """Key drivers of the survey outcome (``kit.KeyDrivers``, see :func:`driver_outcome`) on all answers up to
    the period's end, fitted once.

    Returns None when there are no driver ratings or no outcome column.
    """
    surveys = ctx.data.surveys
    outcome = driver_outcome(ctx)
    if surveys is None or ctx.period is None or outcome is None or outcome not in surveys:
        return None
    cols = [c for c in surveys.columns if c.startswith("driver_")]
    if not cols:
        return None
    upto = surveys[surveys["responded_at"] < ctx.period.end]

    def make() -> Any:
        return KeyDrivers(n_boot=50 if ctx.smoke else 500, seed=0, lang=ctx.lang).fit(upto, outcome=outcome,
                                                                                     drivers=cols)

    if s is None:
        return ctx.cached("drivers", make)
    with s.collect_warnings():
        return ctx.cached("drivers", make)


def drivers(ctx: Context) -> Section:
    """Key drivers of the survey outcome (NPS, CSAT, stars or CES): relative importance of each driver rating,
    with intervals, and the importance-performance map."""
    surveys = ctx.data.surveys
    outcome = driver_outcome(ctx)
    s = ctx.section("drivers" if outcome in (None, "nps") else f"drivers_{outcome}")
    if surveys is None:
        return s.missing(no_data_for("survey", s.title, ctx.lang))
    if outcome is None:
        return s.missing(ctx.t("no_outcome", what=s.title))
    if outcome not in surveys:
        return s.missing(ctx.t("no_column", column=outcome, table=table_name("surveys", ctx.lang), what=s.title))
    if not any(c.startswith("driver_") for c in surveys.columns):
        return s.missing(no_data_for("driver rating", s.title, ctx.lang))
    model = driver_model(ctx, s)
    if model is None:
        return s
    label = outcome_label(ctx, outcome)
    why = ctx.t("outcome_configured" if outcome_chosen(ctx) else "outcome_default")
    s.para(ctx.t("outcome_used", label=label, column=outcome, why=why))
    if getattr(model, "note_", ""):
        s.note(model.note_)
    s.para(_driver_scope(ctx, model))
    s.plot(plot_driver_importance, model.summary, outcome="NPS" if outcome == "nps" else label)
    # importance rests on every answer up to the period's end (stable); performance is the period's own
    current = surveys[ctx.period.contains(surveys["responded_at"])]
    if current.empty:
        return s.missing(no_data_for("survey", ctx.t("cap_ipa"), ctx.lang, detail=ctx.period_label))
    ipa = s.call(ctx.reuse, importance_performance, model.summary, current, lang=ctx.lang)  # the work cell's, if same
    if ipa is not None:
        s.plot(plot_importance_performance, ipa)
        s.table(_show(ctx, ipa, [
            Col("driver", "col_driver", "category"), Col("importance", "col_importance", "share"),
            Col("performance", "col_performance", "number", 2), Col("n", "col_answers", "count"),
            Col("quadrant", "col_quadrant")]), caption=ctx.t("cap_ipa"))
    return s


def _show(ctx: Context, frame: pd.DataFrame, spec: list[Col]) -> pd.DataFrame:
    """``frame`` as displayed: the columns of ``spec``, labelled in the report language and formatted."""
    return display(frame, spec, ctx.lang, currency=ctx.config.business.currency)


def _driver_scope(ctx: Context, model: Any) -> str:
    """Which answers the driver model rests on: all answers up to the period's end (see :func:`driver_model`)."""
    surveys = ctx.data.surveys
    upto = surveys[surveys["responded_at"] < ctx.period.end]
    first = ctx.period_label
    dated = upto["responded_at"].dropna()
    if not dated.empty:
        spans = periods_between(dated.min(), ctx.period.end - pd.Timedelta(days=1), ctx.config.periods.granularity)
        first = spans[0].label if spans else first
    current = int(ctx.period.contains(surveys["responded_at"]).sum())
    return ctx.t("drivers_scope", n=fmt(len(upto), "count", ctx.lang), first=first, last=ctx.period_label,
                 period=ctx.period_label, complete=fmt(model.n_, "count", ctx.lang),
                 r2=fmt(model.r_squared_, "number", ctx.lang, digits=2), n_model=fmt(model.n_, "count", ctx.lang),
                 n_period=fmt(current, "count", ctx.lang))


def _raw_id_config(ctx: Context) -> Any:
    """The configuration with pseudonyms switched off: evidence joins lists with values on real ids."""
    privacy = ctx.config.privacy.model_copy(update={"pseudonymise": False})
    return ctx.config.model_copy(update={"privacy": privacy})


def _real_id_list(ctx: Context, key: str, values: pd.DataFrame | None = None) -> pd.DataFrame:
    """List ``key`` (watch list, win-back list, advocates) with the real customer ids, made once per context.

    The action plan links these ids with the customer values; the lists the pages show and the run writes are the
    same lists pseudonymised (:func:`kit.plan.lists.pseudonymise_list`), so each list is made once, not twice.
    ``values``: the customer values the watch list ranks by (``customer_values(ctx)``).
    """
    extra = {"customer_values": values} if key == "watch_list" else {}
    return ctx.cached(f"real_id_{key}", lambda: _LIST_FUNCTIONS[key](ctx.data, _raw_id_config(ctx),
                                                                     as_of=_as_of(ctx), **extra))


def _winback_full(ctx: Context) -> pd.DataFrame:
    """``kit.winback_list(data, config, as_of=...)``: every lapsed customer, ids as configured; once per context
    (page 5 shows its head, ``winback.csv`` holds the calls made from it)."""
    return ctx.cached("list_winback_full", lambda: pseudonymise_list(_real_id_list(ctx, "winback_list"), ctx.config))


def winback_real_ids(ctx: Context) -> list[str] | None:
    """The real customer ids of the customers on ``winback.csv`` (the calls of the win-back list), or None.

    The full win-back list is the real-id list pseudonymised row by row (:func:`_winback_full`), so a pseudonym's
    real id is the one in its row: the key file is made from these instead of pseudonymising every id of the data.
    """
    calls = list_frames(ctx).get("winback_list")
    if calls is None:
        return None
    real, shown = _real_id_list(ctx, "winback_list"), _winback_full(ctx)
    on_list = shown["customer_id"].isin(calls["customer_id"]).to_numpy()
    return [str(i) for i in real["customer_id"].to_numpy()[on_list]]


def plan_frame(ctx: Context, section: Section | None = None) -> pd.DataFrame | None:
    """The prioritised action plan (``kit.prioritise_actions`` on ``kit.gather_evidence``), once per context.

    Evidence: KPI gaps of the scorecard, the NPS drivers, complaints by category in the
    period, predicted customer values and the customers in the at-risk, lapsed and advocate
    lists. Returns None without a reporting period.
    """
    if ctx.period is None:
        return None
    from kit.report.pages.criteria import customer_values
    from kit.report.pages.interviews import coded_comments

    def make() -> pd.DataFrame:
        data = ctx.data
        complaints = None
        if data.tickets is not None and data.orders is not None:
            complaints = complaints_by_category(data.tickets, data.orders, period=ctx.period)
        segments = {}
        for segment, name in (("at_risk", "watch_list"), ("lapsed", "winback_list"), ("advocates", "advocates")):
            values = customer_values(ctx) if name == "watch_list" else None
            segments[segment] = _real_id_list(ctx, name, values)["customer_id"].tolist()
        themes: dict[str, Any] = {}
        comments = coded_comments(ctx)
        outcome = driver_outcome(ctx)
        if comments is not None:
            coded, groups, who = comments
            low = groups[groups == groups.cat.categories[0]].index   # detractors, or the low scores
            mine = coded[coded["text_id"].isin(low)]
            base = (ctx.t("theme_base_detractors") if outcome == "nps"
                    else ctx.t("theme_base_low", label=outcome_label(ctx, outcome)))
            themes = {"coded": mine.assign(customer_id=mine["text_id"].map(who)), "n_texts": len(low),
                      "theme_base": base}
        label = "NPS" if outcome in (None, "nps") else outcome_label(ctx, outcome)
        ratings = None if data.surveys is None else data.surveys[ctx.period.contains(data.surveys["responded_at"])]
        evidence = gather_evidence(scorecard=get_scorecard(ctx), config=ctx.config, drivers=driver_model(ctx),
                          driver_outcome=label,
                          complaints=complaints, customer_values=customer_values(ctx), surveys=data.surveys,
                          tickets=data.tickets, segments=segments, ratings=ratings, **themes)
        return prioritise_actions(ctx.config, evidence, lang=ctx.lang, topics=_topics(ctx))

    if section is None:
        return ctx.cached("plan", make)
    with section.collect_warnings():
        return ctx.cached("plan", make)


def _topics(ctx: Context) -> dict[str, str]:
    """Display names of what actions address, in the report language: the codebook's theme labels, then the
    kit's names of driver ratings and complaint categories (``delivery`` -> ``Lieferung``)."""
    from kit.report.pages.interviews import codebook

    names: dict[str, str] = {}
    for ids in ((a.addresses.drivers, a.addresses.themes, a.addresses.complaint_categories)
                for a in ctx.config.actions):
        for raw in (i for group in ids for i in group):
            topic = raw.removeprefix("driver_")
            for key in (f"cat_driver_{topic}", f"cat_{topic}"):
                if key in LABELS:
                    names[topic] = ctx.t(key)
                    break
    book = codebook(ctx)
    if book is not None:
        names.update(book.labels(lang="de" if ctx.lang == "de" else "en"))
    return names


def action_plan(ctx: Context) -> Section:
    """The configured actions ranked by expected impact per cost, with every part of the score and the reason for
    each; the actions not needed now (targets met) in one line."""
    s = ctx.section("plan")
    plan = plan_frame(ctx, s)
    if plan is None:
        return s
    if plan.empty:
        return s.missing(ctx.t("no_actions"))
    shown = planned(plan)
    s.plot(plot_impact_effort, shown)
    s.table(_show(ctx, shown, [
        Col("rank", "col_rank", "count"), Col("title", "col_title"), Col("owner", "col_owner"),
        Col("cost", "col_cost", "money"), Col("effort", "col_effort", "count"),
        Col("impact", "col_impact_part", "share", 0), Col("confidence", "col_confidence", "share", 0),
        Col("expected_impact", "col_impact", "share", 0), Col("score", "col_score", "number", 3),
        Col("why", "col_why")]), caption=ctx.t("cap_plan"), max_rows=len(shown))
    if line := not_needed_line(plan, ctx.lang):
        s.para(line)
    terms = action_terms(ctx.lang, currency=ctx.config.business.currency)
    for key in ("impact", "confidence", "expected_impact", "score", "not_needed"):
        s.note(terms[key])
    return s


def list_frames(ctx: Context) -> dict[str, pd.DataFrame | None]:
    """Watch list, win-back list and advocates (pseudonymised as configured); None while not available."""
    out: dict[str, pd.DataFrame | None] = {}
    for key in LISTS:
        if ctx.period is None:
            out[key] = None
            continue
        if key == "winback_list":   # the calls a team can work, made from the full list
            out[key] = ctx.cached(f"list_{key}", lambda: winback_calls_of(_winback_full(ctx), ctx.config,
                                                                          as_of=_as_of(ctx), lang=ctx.lang))
            continue
        values = None
        if key == "watch_list":
            from kit.report.pages.criteria import customer_values

            values = customer_values(ctx)
        out[key] = ctx.cached(f"list_{key}", lambda k=key, v=values: pseudonymise_list(_real_id_list(ctx, k, v),
                                                                                      ctx.config))
    return out


def customer_lists(ctx: Context) -> Section:
    """The customers to act on: watch list, win-back list, advocates (pseudonymised)."""
    s = ctx.section("lists")
    with s.collect_warnings():
        frames = list_frames(ctx)
    for key, frame in frames.items():
        s.heading(ctx.t(key))
        if frame is None:
            s.not_available(f"{ctx.t(key)} (kit.{LISTS[key][0]})")
            continue
        s.para(ctx.t("list_count", n=fmt(len(frame), "count", ctx.lang), shown=min(_SHOWN, len(frame)),
                     file=LISTS[key][1]))
        if "value_basis" in frame and not frame.empty:
            s.note(f"{ctx.t('col_value_at_risk')}: {value_basis_text(frame['value_basis'].iloc[0], ctx.lang)}")
        if key == "winback_list" and "left_out" in frame.attrs:
            w = ctx.config.winback
            s.note(ctx.t("winback_rule", unwinnable=frame.attrs["left_out"]["unwinnable"],
                         categories=", ".join(w.unwinnable) or "–", over=frame.attrs["left_out"]["over_cap"],
                         cap=w.cap, half=fmt(w.half_life_days, "count", ctx.lang), days=w.due_days))
        shown = frame.head(_SHOWN).drop(columns=list(_CSV_ONLY.get(key, ())), errors="ignore")
        s.table(_show(ctx, shown, _LIST_COLUMNS), max_rows=_SHOWN)
    return s
