"""Page 2, data collection: inventory, data quality, survey coverage, market context."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kit.data.contract import TABLES
from kit.data.io import translate_quality_report
from kit.labels import no_data_for, table_name
from kit.report.pages._common import fmt_kpi, get_scorecard, local_text
from kit.report.pages._context import Context
from kit.report.pages._format import Col, display
from kit.report.pages._section import Section
from kit.results import format_value

__all__ = ["inventory", "data_quality", "survey_coverage", "market_context"]

#: the data-quality report as shown: table ids by their display name, severities translated (checks and examples
#: are put into the report's language before, by kit.data.io.translate_quality_report)
_QUALITY_COLUMNS = [Col("table", "col_table", "table"), Col("check", "col_check"),
                    Col("severity", "col_dq_severity", "category"), Col("count", "col_dq_count", "count"),
                    Col("example", "col_example")]
#: checks whose info row records how a column was read (a remark, not a finding): listed in one line, not the table
_READINGS = ("driver_scale",)


def _file_label(source: str) -> str:
    """A table's file as the inventory names it: the file name, or a folder of Parquet files with its slash.

    Examples
    --------
    >>> _file_label("/shop/data/orders.csv"), _file_label("orders/"), _file_label("")
    ('orders.csv', 'orders/', '–')
    """
    if not source:
        return "–"
    return Path(source).name + ("/" if source.endswith("/") else "")


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
        rows.append({ctx.t("col_table"): table_name(name, ctx.lang),
                     ctx.t("col_file"): _file_label(source),
                     ctx.t("col_rows"): format_value(len(table), "count", ctx.lang),
                     ctx.t("col_customers"): format_value(table[id_col].nunique(), "count", ctx.lang)
                     if id_col else "–",
                     ctx.t("col_first"): first, ctx.t("col_last"): last})
    if ctx.data.interviews is not None:
        rows.append({ctx.t("col_table"): table_name("interviews", ctx.lang), ctx.t("col_file"): "*.md",
                     ctx.t("col_rows"): format_value(len(ctx.data.interviews), "count", ctx.lang),
                     ctx.t("col_customers"): "–", ctx.t("col_first"): pd.NaT, ctx.t("col_last"): pd.NaT})
    if not rows:
        return s.missing(no_data_for("any", ctx.t("what_inventory"), ctx.lang))
    missing = [name for name in TABLES if getattr(ctx.data, name) is None]
    s.table(pd.DataFrame(rows), max_rows=len(rows))
    for name in missing:
        s.note(no_data_for(name, table_name(name, ctx.lang), ctx.lang))
    return s


def data_quality(ctx: Context) -> Section:
    """The data-quality report of ``kit.read_data`` (``data.quality``): the checks that found something, errors first.

    A check found something when its count is above 0 or its severity is warning or error; only those are
    listed. Then one line counts the checks that found nothing (per table), and one line says how columns
    were read (info rows such as "read as a 1-5 scale": a remark, not a problem). Rows read are in the
    inventory. Checks and examples are shown in the report's language (error messages stay English).
    """
    s = ctx.section("quality")
    q = ctx.data.quality
    if q is None or q.empty:
        return s.para(ctx.t("quality_ok"))
    checks = q[q["check"].ne("rows read")]
    count = pd.to_numeric(checks["count"], errors="coerce").fillna(0)
    keys = checks["check_key"] if "check_key" in checks else pd.Series("", index=checks.index)
    optional = keys.eq("optional_columns") & checks["severity"].eq("info")
    found = ((count > 0) | checks["severity"].isin(["warning", "error"])) & ~optional
    reading = ~found & keys.isin(_READINGS)
    nothing = checks[~found & ~reading & ~optional]
    order = {"error": 0, "warning": 1, "info": 2}
    shown = translate_quality_report(checks[found], ctx.lang).sort_values(
        "severity", key=lambda c: c.map(order).fillna(3), kind="stable")
    if shown.empty:
        s.para(ctx.t("quality_ok"))
    else:
        s.table(display(shown, _QUALITY_COLUMNS, ctx.lang), max_rows=60)
    if not nothing.empty:
        per_table = nothing.groupby("table", sort=False).size()
        count_text = lambda v: format_value(v, "count", ctx.lang)  # noqa: E731
        s.note(ctx.t("quality_passed", n=count_text(len(nothing)), total=count_text(len(shown) + len(nothing)),
                     tables=", ".join(f"{table_name(str(table), ctx.lang)} {count_text(n)}"
                                      for table, n in per_table.items())))
    if reading.any():
        s.note(ctx.t("quality_readings", readings=_readings(translate_quality_report(checks[reading], ctx.lang))))
    absent = translate_quality_report(checks[optional & (count > 0)], ctx.lang)
    if not absent.empty:
        s.note(ctx.t("quality_optional", items="; ".join(
            f"{table_name(str(row.table), ctx.lang)}: {row.example}" for row in absent.itertuples(index=False))))
    return s


def _readings(rows: pd.DataFrame) -> str:
    """``driver_delivery, driver_price: read as a 1-5 scale``: the columns of each reading, grouped by what was read."""
    columns: dict[str, list[str]] = {}
    for row in rows.itertuples(index=False):
        params = row.params if isinstance(getattr(row, "params", None), dict) else {}
        columns.setdefault(str(row.example), []).append(str(params.get("column", row.check)))
    return "; ".join(f"{', '.join(names)}: {example}" for example, names in columns.items())


def survey_coverage(ctx: Context) -> Section:
    """Survey answers in the period, the response rate, and a non-response warning when it is low."""
    s = ctx.section("survey_coverage")
    surveys = ctx.data.surveys
    if surveys is None:
        return s.missing(no_data_for("survey", ctx.t("what_survey_coverage"), ctx.lang))
    if ctx.period is not None:
        in_period = surveys[ctx.period.contains(surveys["responded_at"])]
        total = len(ctx.data.customers) if ctx.data.customers is not None else None
        responders = in_period["customer_id"].nunique() if "customer_id" in in_period else None
        if total and responders is not None:
            count = lambda v: format_value(v, "count", ctx.lang)  # noqa: E731
            s.para(ctx.t("surveyed", answers=count(len(in_period)), period=ctx.period_label,
                         customers=count(responders), share=format_value(responders / total, "share", ctx.lang),
                         total=count(total)))
    if ctx.data.contacts is None:
        return s.missing(no_data_for("survey invitation", ctx.t("what_response_rate"), ctx.lang))
    frame = get_scorecard(ctx, s)
    if frame is None:
        return s
    row = frame[frame["kpi"] == "response_rate"]
    if row.empty:
        return s.not_available("response rate in the scorecard")
    r = row.iloc[0]
    rate = lambda v: fmt_kpi("response_rate", v, lang=ctx.lang)  # noqa: E731
    s.para(f"{r['label']}: {rate(r['value'])} ({rate(r['ci_low'])} – {rate(r['ci_high'])}; "
           f"n = {format_value(r['n'], 'count', ctx.lang)})")
    limit = ctx.config.thresholds.response_rate_warning
    if pd.notna(r["value"]) and r["value"] < limit:
        s.missing(ctx.t("nonresponse", rate=rate(r["value"]), limit=format_value(limit, "share", ctx.lang, digits=0)))
    return s


def market_context(ctx: Context) -> Section:
    """Market and brand positioning, as configured."""
    b = ctx.config.business
    s = ctx.section("market_context")
    if not (b.market or b.positioning):
        return s.missing(ctx.t("not_configured"))
    return s.fields([(ctx.t("market"), local_text(b.market, ctx.lang)),
                     (ctx.t("positioning"), local_text(b.positioning, ctx.lang))])
