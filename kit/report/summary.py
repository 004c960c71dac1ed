"""The run's summary page (``index.html``) and its exports: kpis.csv/json, actions.csv and the customer lists."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from kit.data.config import AnalysisConfig
from kit.definitions import MULTIPLICITY
from kit.report.csvfile import write_csv
from kit.report.render import _TEMPLATES

__all__ = ["write_index"]


def _findings(frame: pd.DataFrame | None, config: AnalysisConfig, lang: str, period: str) -> list[dict[str, str]]:
    """Missed KPIs, largest gap first (``kit.kpi_gaps``), then a few met ones, as sentences."""
    from kit.labels import text
    from kit.plan.evidence import kpi_gaps
    from kit.report.pages._common import fmt_kpi
    from kit.results import format_value

    if frame is None:
        return []
    ranked = kpi_gaps(frame, config)
    card = frame.set_index("kpi")
    out = []
    for status, key, css, limit in (("missed", "finding_missed", "kit-missed", 5),
                                    ("met", "finding_met", "kit-met", 3)):
        rows = ranked[ranked["status"] == status].head(limit)
        for r in rows.itertuples(index=False):
            kpi, row = str(r.kpi), card.loc[str(r.kpi)]
            shown = lambda value, k=kpi: fmt_kpi(k, value, config.business.currency, lang=lang)  # noqa: E731
            interval = "" if pd.isna(row["ci_low"]) else text(
                "finding_interval", lang, low=shown(row["ci_low"]), high=shown(row["ci_high"]))
            adjusted = row.get("p_adjusted", math.nan)
            change = "" if pd.isna(row["change"]) or pd.isna(row["p_value"]) else text(
                "finding_change_raw" if pd.isna(adjusted) else "finding_change", lang,
                previous=shown(row["previous"]), change=_signed(kpi, row["change"], lang),
                p=_p(row["p_value"], lang), p_adj=_p(adjusted, lang),
                verdict=text("change_significant" if _significant(row) else "change_not_significant", lang))
            out.append({"css": css, "text": text(key, lang, label=r.label, value=shown(r.value),
                                                 target=shown(r.target), n=format_value(int(r.n), "count", lang),
                                                 interval=interval, change=change)})
    if not any(f["css"] == "kit-missed" for f in out):
        out.insert(0, {"css": "kit-met", "text": text("finding_none", lang, period=period)})
    return out


def _p(value: float, lang: str) -> str:
    """``= 0.012`` or ``< 0.001`` (a dash when there is no p-value)."""
    from kit.results import format_value

    shown = format_value(value, "p", lang)
    return shown if shown.startswith(("<", ">", "–")) else f"= {shown}"


def _significant(row: pd.Series) -> bool:
    """A change is called significant on its Holm-adjusted p-value (the raw one for a scorecard without it).

    Examples
    --------
    >>> _significant(pd.Series({"p_value": 0.004, "p_adjusted": 0.07}))
    False
    >>> _significant(pd.Series({"p_value": 0.004}))
    True
    """
    p = row.get("p_adjusted", math.nan) if "p_adjusted" in row else row.get("p_value", math.nan)
    return bool(pd.notna(p) and p < 0.05)


def _signed(kpi: str, change: float, lang: str = "en") -> str:
    """A change with its sign, in the KPI's unit; shares in percentage points (``+7.5 pp``, German ``+7,5 Pp.``).

    Examples
    --------
    >>> _signed("churn_rate", 0.075), _signed("nps", -16.9), _signed("churn_rate", -0.004, "de").replace("\\xa0", " ")
    ('+7.5 pp', '−16.9', '−0,4 Pp.')
    """
    from kit.definitions import DEFINITIONS
    from kit.results import format_value

    unit = DEFINITIONS[kpi].unit if kpi in DEFINITIONS else ""
    magnitude = format_value(abs(change), "share_diff" if unit == "share" else unit, lang, symbol=True)
    return ("+" if change >= 0 else "−") + magnitude.lstrip("+")


_ACTION_COLUMNS = {"rank": "col_rank", "title": "col_action", "owner": "col_owner", "effort": "col_effort",
                   "cost": "col_cost", "why": "col_why"}


def write_index(folder: Path, *, config: AnalysisConfig, period: Any, run_id: str, scorecard: pd.DataFrame | None,
                actions: pd.DataFrame | None, pages: Sequence[Mapping[str, str]], downloads: Sequence[str],
                notes: Sequence[str], smoke: bool, config_name: str,
                story: Mapping[str, Sequence[Any]] | None = None, page_files: Mapping[str, str] | None = None,
                trends: pd.DataFrame | None = None) -> Path:
    """Write ``index.html``: executive summary, scorecard with status colours, top findings, top five actions,
    links to the pages.

    ``story`` holds each page's findings (:func:`kit.report.story.all_findings`, keyed by page number);
    the executive summary (:func:`kit.plan.findings.executive_summary`) opens the page, each finding
    linking to its evidence in ``page_files[page]``. ``trends`` (:func:`kit.plan.trends.kpi_series`) gives
    each KPI of the scorecard a sparkline of its last periods beside its delta arrow.

    All text is escaped (Jinja2 autoescape); the scorecard table is built by
    :func:`kit.report.pages.scorecard_html`, which escapes every value itself.

    Returns
    -------
    Path
        The written ``index.html``.
    """
    import jinja2
    from markupsafe import Markup

    from kit.labels import STATUS_TEXT, text
    from kit.report.glossary import GLOSSARY_FILE
    from kit.report.pages._common import _STATUS_TEXT_COLOUR, STATUS_COLOURS, scorecard_html
    from kit.report.sparklines import TREND_HEADER, trend_cells
    from kit.results import format_value

    lang = config.business.language
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    span = ""
    if period is not None:
        span = f"{period.start:%d.%m.%Y} – {period.end - pd.Timedelta(days=1):%d.%m.%Y}"
    action_rows: list[list[str]] = []
    action_columns: list[str] = []
    if actions is not None and not actions.empty:
        from kit.plan.actions import planned

        actions = planned(actions)   # the actions not needed now are listed on page 5, not among the top five
        cols = [c for c in _ACTION_COLUMNS if c in actions]
        action_columns = [text(_ACTION_COLUMNS[c], lang) for c in cols]
        action_rows = [["–" if pd.isna(v) else (format_value(v, "number", lang, digits=0) if isinstance(v, float)
                                                else str(v)) for v in row]
                       for row in actions[cols].head(5).itertuples(index=False)]
    legend = [{"colour": STATUS_COLOURS[s], "fg": _STATUS_TEXT_COLOUR.get(s, "#222222"),
               "text": STATUS_TEXT[s][1 if lang == "de" else 0]} for s in STATUS_COLOURS]
    summary_html = ""
    if story:
        from kit.plan.findings import executive_summary
        from kit.report.story import findings_html, summary_title

        chosen = executive_summary(story)
        where = [next((str((page_files or {}).get(p, "")) for p, items in story.items() if f in items), "")
                 for f in chosen]
        summary_html = findings_html(chosen, lang, title=summary_title(lang), pages=where)
    page = env.get_template("index.html").render(
        executive_summary=Markup(summary_html),  # escaped inside findings_html
        lang=lang, title=text("summary_title", lang), business=config.business.name,
        period_label=text("period", lang), period=getattr(period, "label", "–"), period_span=span,
        smoke=smoke, smoke_text=text("smoke", lang), notes=list(notes),
        findings_title=text("top_findings", lang),
        findings=_findings(scorecard, config, lang, getattr(period, "label", "–")),
        status_help=text("status_help", lang) + " " + MULTIPLICITY[1 if lang == "de" else 0],
        findings_missing=text("not_available", lang, what="KPI scorecard (kit.scorecard)"),
        actions_title=text("top_actions", lang), actions=action_rows, action_columns=action_columns,
        actions_missing=text("not_available", lang, what="prioritised actions (kit.prioritise_actions)"),
        scorecard_title=text("scorecard", lang, period=getattr(period, "label", "–")),
        # escaped inside scorecard_html
        # definitions are in the glossary (each KPI's name links to it): the index stays short, also on paper
        scorecard=(Markup(scorecard_html(scorecard, lang, currency=config.business.currency, definitions=False,
                                         glossary=GLOSSARY_FILE, extra=(
            TREND_HEADER["de" if lang == "de" else "en"].format(
                k=0 if trends is None else trends["period"].nunique()),
            trend_cells(trends, scorecard, config, lang=lang))))
                   if scorecard is not None else ""),
        scorecard_missing=text("not_available", lang, what="KPI scorecard (kit.scorecard)"), legend=legend,
        pages_title=text("pages", lang), pages=list(pages), downloads_title=text("downloads", lang),
        downloads=list(downloads), generated=text("generated", lang, run_id=run_id, config=config_name))
    target = folder / "index.html"
    target.write_text(page, encoding="utf-8")
    return target


def _write_artefacts(folder: Path, ctx: Any) -> tuple[pd.DataFrame | None, pd.DataFrame | None, list[str], list[str]]:
    """kpis.csv/json, actions.csv, watchlist.csv; returns scorecard, actions, files written, notes."""
    from kit.labels import text
    from kit.report import pages

    written: list[str] = []
    notes: list[str] = []
    lang = ctx.lang
    frame = pages.get_scorecard(ctx)
    if frame is None:
        notes.append(text("not_available", lang, what="kpis.csv (kit.scorecard)"))
    else:
        write_csv(frame, folder / "kpis.csv")
        records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        (folder / "kpis.json").write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")
        written += ["kpis.csv", "kpis.json"]
    plan = pages.plan_frame(ctx)
    if plan is None:
        notes.append(text("not_available", lang, what="actions.csv (kit.prioritise_actions)"))
    else:
        write_csv(plan, folder / "actions.csv")
        written.append("actions.csv")
    for key, frame_ in pages.list_frames(ctx).items():
        file = pages.LISTS[key][1]
        if frame_ is None:
            notes.append(text("not_available", lang, what=f"{file} (kit.{pages.LISTS[key][0]})"))
        else:
            write_csv(frame_, folder / file)
            written.append(file)
    return frame, plan, written, notes
