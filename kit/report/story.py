"""The story of a run: each page's findings (:mod:`kit.plan.findings`) gathered from the context, as HTML.

:func:`findings_for` reads what a page's rules need from the run's context (the scorecard, complaints by
category, NPS by every customer dimension in the data, the drivers, the action plan), all of which the
run computed once before the notebooks; :func:`findings_html` shows them as a short list at the top of the
page, each linking to its evidence; :func:`key_findings` is the same as a section for a notebook.
"""

from __future__ import annotations

import html
import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from kit.data.contract import TABLES
from kit.errors import KitWarning
from kit.labels import table_name
from kit.metrics.outcomes import group_names
from kit.metrics.service import complaints_by_category
from kit.plan.findings import Finding, executive_summary, page_findings
from kit.report.pages._common import get_scorecard
from kit.report.pages._context import Context
from kit.report.pages._section import Section
from kit.report.pages.actions import driver_model, plan_frame
from kit.report.pages.criteria import CRITERIA
from kit.report.pages.interviews import codebook, coded_comments, coded_interviews, interviews
from kit.report.pages.segments import DIMENSIONS, segment_nps
from kit.text.coding import code_texts
from kit.text.themes import theme_contrast, theme_frequency

__all__ = ["findings_for", "all_findings", "findings_html", "key_findings", "segment_nps", "DIMENSIONS",
           "executive_summary", "summary_title"]

_LOG = logging.getLogger("kit.report")
#: KPI -> the page-3 section that shows it (``kit-crit_service`` for the complaint rate)
_CRITERION_ANCHOR = {kpi: f"kit-{title}" for title, kpis, _ in CRITERIA.values() for kpi in kpis}
_TITLE = {"en": "In short", "de": "Kurz gesagt"}
_EVIDENCE = {"en": "evidence", "de": "Beleg"}
_SUMMARY = {"en": "Executive summary", "de": "Zusammenfassung für die Geschäftsführung"}


def _complaints(ctx: Context) -> pd.DataFrame | None:
    tickets, orders = ctx.data.tickets, ctx.data.orders
    if tickets is None or orders is None or ctx.period is None:
        return None
    return complaints_by_category(tickets, orders, period=ctx.period)


def _drivers(ctx: Context) -> pd.DataFrame | None:
    model = driver_model(ctx)
    return None if model is None else model.summary


def _data_inputs(ctx: Context) -> dict[str, object]:
    """What page 2's rules read: the quality report, each table's event dates, the period and the absent tables."""
    names = {t: table_name(t, ctx.lang) for t in TABLES}
    out: dict[str, object] = {"quality": ctx.data.quality, "table_names": names,
                              "missing": [t for t in TABLES if getattr(ctx.data, t) is None]}
    if ctx.period is not None:
        dates = {}
        for name, spec in TABLES.items():
            table = getattr(ctx.data, name)
            if table is not None and spec.dates and spec.dates[0] in table and name != "customers":
                dates[name] = table[spec.dates[0]]
        out.update(dates=dates, start=ctx.period.start, end=ctx.period.end, period=ctx.period_label)
    return out


def _lost_themes(ctx: Context) -> pd.DataFrame | None:
    """Interviews with a negative mention of each theme, by segment (:func:`kit.plan.findings.lost_theme`)."""
    notes, coded = interviews(ctx), coded_interviews(ctx)
    if notes is None or coded is None or "segment" not in notes:
        return None
    return theme_frequency(coded[coded["polarity"] == "negative"], notes, by="segment", codebook=codebook(ctx),
                           lang=ctx.lang).rename(columns={"segment": "group"})


def _comment_contrast(ctx: Context) -> tuple[pd.DataFrame, str, str] | None:
    """Negative themes of low against high scorers' comments (as page 4 shows them), with the two group names."""
    result = coded_comments(ctx)
    if result is None:
        return None
    coded, groups, _ = result
    low, middle, high = group_names(ctx.driver_outcome or "nps")
    two = groups[groups != middle].cat.remove_unused_categories()
    table = theme_contrast(coded[coded["text_id"].isin(two.index)], two, polarity="negative", codebook=codebook(ctx),
                           lang=ctx.lang)
    return table, low, high


def _rising_themes(ctx: Context) -> pd.DataFrame | None:
    """Survey comments with a negative mention of each theme, this period against the previous one."""
    surveys, book = ctx.data.surveys, codebook(ctx)
    if surveys is None or book is None or "comment" not in surveys or ctx.period is None:
        return None
    before = ctx.period.previous()
    when = surveys["responded_at"]
    group = pd.Series(pd.NA, index=surveys.index, dtype=object)
    group[ctx.period.contains(when)] = "now"
    group[before.contains(when)] = "before"
    rows = surveys[group.notna() & surveys["comment"].fillna("").astype(str).str.strip().ne("")]
    if rows.empty:
        return None
    texts = pd.DataFrame({"text": rows["comment"].astype(str).to_numpy(), "period": group[rows.index].to_numpy()},
                         index=pd.RangeIndex(len(rows)))
    coded = ctx.cached("coded_comments_two_periods", lambda: code_texts(texts["text"], book))
    return theme_frequency(coded[coded["polarity"] == "negative"], texts, by="period", codebook=book,
                           lang=ctx.lang).rename(columns={"period": "group"})


def _theme_inputs(ctx: Context) -> dict[str, object]:
    """What page 4's rules read (each part None when it cannot be computed)."""
    contrast = _quietly(_comment_contrast, ctx)
    out: dict[str, object] = {"lost": _quietly(_lost_themes, ctx), "rising": _quietly(_rising_themes, ctx),
                              "previous": "" if ctx.period is None else ctx.period.previous().label}
    if contrast is not None:
        out.update(contrast=contrast[0], low=contrast[1], high=contrast[2])
    return out


def _quietly(compute: Callable[[Context], Any], ctx: Context) -> Any:
    """``compute(ctx)``, or None when it fails: the page that shows the result reports the failure at its cell."""
    try:
        return compute(ctx)
    except Exception as err:  # noqa: BLE001 - the page's own cell runs it again and reports it
        _LOG.warning("findings: %s failed (%s: %s); its rules stay silent", getattr(compute, "__name__", compute),
                     type(err).__name__, err)
        return None


def findings_for(ctx: Context, page: str) -> list[Finding]:
    """The findings of report page ``page`` (``"01"`` … ``"05"``) from the context's results.

    Each rule whose input is missing or fails stays silent: a finding is a summary of the page, and the
    page itself reports what could not be computed (a failure is logged).
    """
    lang = ctx.lang
    scorecard = _quietly(get_scorecard, ctx)
    inputs: dict[str, pd.DataFrame | None] = {}
    if page == "02":
        inputs = {"data": _data_inputs(ctx)}
    if page == "03":
        inputs = {"complaints": _quietly(_complaints, ctx), "segments": _quietly(segment_nps, ctx)}
    if page == "04":
        inputs = {"themes": _theme_inputs(ctx)}
    outcome = "NPS"
    if page == "05":
        inputs = {"complaints": _quietly(_complaints, ctx), "drivers": _quietly(_drivers, ctx),
                  "plan": _quietly(plan_frame, ctx)}
        model = _quietly(driver_model, ctx)
        outcome = str(getattr(model, "outcome_", "nps")).upper()
    labels = {k: v[1 if lang == "de" else 0] for k, v in DIMENSIONS.items()}
    found = page_findings(page, scorecard=scorecard, config=ctx.config, lang=lang, dimension_labels=labels,
                          outcome=outcome, **inputs)
    if page == "03":   # a KPI's evidence is its criterion's section (its compact KPI table, trend and groups)
        found = [replace(f, anchor=_CRITERION_ANCHOR.get(f.kpi, f.anchor)) if f.anchor == "kit-scorecard" else f
                 for f in found]
    return found


def all_findings(ctx: Context, pages: Sequence[str] = ("01", "02", "03", "04", "05")) -> dict[str, list[Finding]]:
    """:func:`findings_for` of every page, computed once (kept in the context's cache)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KitWarning)   # the pages show these warnings where they belong
        return ctx.cached("findings", lambda: {p: findings_for(ctx, p) for p in pages})


_TONE = {"bad": "#b3261e", "good": "#1b7f3b", "neutral": "#1f4e79"}


def findings_html(findings: Sequence[Finding], lang: str = "en", *, title: str | None = None,
                  pages: Sequence[str] | None = None) -> str:
    """The findings as a short list (escaped), each with a link to its evidence.

    Parameters
    ----------
    findings : sequence of Finding
    lang : {"en", "de"}
    title : str, optional
        Heading (default "In short" / "Kurz gesagt").
    pages : sequence of str, optional
        The page file of each finding (the index links to ``03_criteria.html#kit-scorecard``); without it
        the links stay on the page.

    Returns
    -------
    str
        ``""`` when there are no findings.
    """
    if not findings:
        return ""
    esc = html.escape
    de = lang == "de"
    items = []
    for i, f in enumerate(findings):
        page = pages[i] if pages is not None else ""
        link = f"<a href='{esc(page)}#{esc(f.anchor)}'>{esc(_EVIDENCE['de' if de else 'en'])}</a>"
        items.append(f"<li class='kit-finding kit-finding-{esc(f.tone)}' style='border-left:4px solid "
                     f"{_TONE.get(f.tone, '#1f4e79')};padding:2px 10px;margin:4px 0;list-style:none'>"
                     f"{esc(f.text)} <small>({link})</small></li>")
    heading = esc(title or _TITLE["de" if de else "en"])
    return (f"<div class='kit-findings' lang='{esc(lang)}' style='margin:8px 0 16px'><h2 style='margin:8px 0 4px'>"
            f"{heading}</h2><ul style='padding-left:0;margin:0'>{''.join(items)}</ul></div>")


def key_findings(ctx: Context, page: str) -> Section:
    """The page's findings as a section (for a notebook cell)."""
    s = Section(_TITLE["de" if ctx.lang == "de" else "en"], lang=ctx.lang, anchor="kit-key-findings")
    found = all_findings(ctx).get(page, [])
    if found:
        s.html_block(findings_html(found, ctx.lang, title=""), "\n".join(f.text for f in found))
    else:
        s.para("–")
    return s


def summary_title(lang: str) -> str:
    """Heading of the index's executive summary."""
    return _SUMMARY["de" if lang == "de" else "en"]
