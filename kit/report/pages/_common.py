"""Pieces several pages share: the scorecard of the period and its display."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from kit.data.config import localise
from kit.definitions import DEFINITIONS, definition
from kit.labels import STATUS_COLOURS, text
from kit.metrics.outcomes import survey_outcome
from kit.plan.scorecards import scorecard
from kit.report.pages._context import Context
from kit.report.pages._section import Section
from kit.results import format_value

__all__ = ["local_text", "get_scorecard", "scorecard_html", "scorecard_text", "kpi_rows", "fmt_kpi", "STATUS_COLOURS",
           "driver_outcome", "outcome_label", "outcome_chosen"]

_STATUS_TEXT_COLOUR = {"met": "#ffffff", "missed": "#ffffff", "inconclusive": "#ffffff"}


_ONLY_IN = {"en": {"en": "", "de": " (only in German)"}, "de": {"en": " (nur auf Englisch)", "de": ""}}


def local_text(value: object, lang: str) -> str:
    """A configured text (:data:`kit.data.config.LocalText`) in ``lang``; when it exists in another language
    only, that text and a note saying so.

    Examples
    --------
    >>> local_text({"en": "Fresh beans"}, "de"), local_text({"en": "a", "de": "b"}, "de")
    ('Fresh beans (nur auf Englisch)', 'b')
    """
    shown, other = localise(value, lang)  # type: ignore[arg-type]
    return shown + (_ONLY_IN["de" if lang == "de" else "en"].get(other, "") if other else "")


def get_scorecard(ctx: Context, section: Section | None = None) -> pd.DataFrame | None:
    """The scorecard of ``ctx.period`` (``kit.scorecard``), computed once per context.

    Returns None (and says so in ``section``) when there is no period.
    """
    if ctx.period is None:
        if section is not None:
            section.not_available("a period with data")
        return None
    if section is None:
        return ctx.cached("scorecard", lambda: scorecard(ctx.data, ctx.config, period=ctx.period, lang=ctx.lang))
    with section.collect_warnings():
        return ctx.cached("scorecard", lambda: scorecard(ctx.data, ctx.config, period=ctx.period, lang=ctx.lang))


def _unit(kpi: str) -> str:
    d = DEFINITIONS.get(kpi)
    return d.unit if d else ""


def _isnan(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def fmt_kpi(kpi: str, value: Any, currency: str = "", lang: str = "en") -> str:
    """Format one KPI value with its unit in ``lang`` (``12.3 %``, ``31.2``, ``0.8 h``; German ``12,3 %``;
    money with ``currency`` when given), by :func:`kit.results.format_value`.

    Examples
    --------
    >>> fmt_kpi("csat", 0.628), fmt_kpi("churn_rate", 1 / 3, lang="de").replace("\\u00a0", " ")
    ('62.8 %', '33,3 %')
    >>> fmt_kpi("average_order_value", 38.47, "EUR", "de").replace("\\u00a0", " ")
    '38,47 EUR'
    """
    if _isnan(value):
        return "–"
    return format_value(float(value), _unit(kpi), lang, currency=currency, symbol=True)


def _n(value: Any, lang: str) -> str:
    return "–" if _isnan(value) else format_value(int(value), "count", lang)


def kpi_rows(frame: pd.DataFrame, kpis: list[str] | None = None) -> pd.DataFrame:
    """The scorecard rows of ``kpis`` (in that order), or all rows."""
    if kpis is None:
        return frame
    rows = frame[frame["kpi"].isin(kpis)].copy()
    order = {k: i for i, k in enumerate(kpis)}
    return rows.sort_values("kpi", key=lambda s: s.map(order))


def _no_data_reason(definition: str) -> str:
    """The reason a KPI has no data: the note the scorecard appends to its definition ("... Note: no ticket data")."""
    for word in ("Note: ", "Hinweis: "):
        if word in definition:
            return definition.rsplit(word, 1)[1]
    return ""


def scorecard_html(frame: pd.DataFrame, lang: str = "en", *, definitions: bool = True, currency: str = "",
                   extra: tuple[str, Mapping[str, str]] | None = None, glossary: str = "") -> str:
    """The scorecard as an HTML table with status colours; all text escaped.

    Parameters
    ----------
    frame : DataFrame
        Scorecard rows (kpis.csv columns).
    lang : {"en", "de"}
    definitions : bool
        Add each KPI's definition under its label.
    currency : str
        Shown with the money KPIs (``config.business.currency``: ``38.47 EUR``), as everywhere else in the report.
    extra : (str, mapping), optional
        One more column after the value: its header (escaped) and, per KPI id, HTML built by the kit
        (e.g. :func:`kit.report.sparklines.trend_cells`: sparkline and delta arrow).
    glossary : str
        The glossary page (``glossary.html``): each KPI's name links to its entry ``#kpi-<id>``.

    Returns
    -------
    str
    """
    esc = html.escape
    t = lambda key: esc(text(key, lang))  # noqa: E731
    head = "".join(f"<th style='text-align:{'left' if k == 'col_kpi' else 'right'}'>{t(k)}</th>" for k in
                   ("col_kpi", "col_value", "col_interval", "n", "col_previous", "col_target", "col_status"))
    if extra is not None:
        close = head.index("</th>") + len("</th>")
        close = head.index("</th>", close) + len("</th>")   # after the value
        head = head[:close] + f"<th style='text-align:left'>{esc(extra[0])}</th>" + head[close:]
    body = []
    for row in frame.itertuples(index=False):
        kpi = str(row.kpi)
        interval = "–"
        if not _isnan(row.ci_low):
            interval = f"{fmt_kpi(kpi, row.ci_low, currency, lang)} – {fmt_kpi(kpi, row.ci_high, currency, lang)}"
        n = _n(row.n, lang)
        status = str(row.status)
        colour = STATUS_COLOURS.get(status, "#e6e6e6")
        fg = _STATUS_TEXT_COLOUR.get(status, "#222222")
        status_text = esc(text(status, lang)) if status in STATUS_COLOURS else esc(status)
        label = f"<strong>{esc(str(row.label))}</strong>"
        if glossary:
            label = f"<a href='{esc(glossary)}#kpi-{esc(kpi)}'>{label}</a>"
        if definitions and isinstance(row.definition, str) and row.definition:
            label += f"<br><small style='color:#555'>{esc(row.definition)}</small>"
        elif status == "no_data" and isinstance(row.definition, str):
            # without definitions (they are in the glossary) a KPI without data still says why, in one line
            reason = _no_data_reason(row.definition)
            if reason:
                label += f"<br><small style='color:#555'>{esc(reason)}</small>"
        shown = lambda value, k=kpi: esc(fmt_kpi(k, value, currency, lang))  # noqa: E731
        number = "<td style='text-align:right;white-space:nowrap'>"  # a value and its unit stay on one line
        trend = "" if extra is None else f"<td style='white-space:nowrap'>{extra[1].get(kpi, '')}</td>"
        body.append(
            f"<tr><td style='text-align:left'>{label}</td>{number}<strong>{shown(row.value)}</strong></td>"
            f"{trend}"
            f"{number}{esc(interval)}</td><td style='text-align:right'>{esc(n)}</td>"
            f"{number}{shown(row.previous)}</td>{number}{shown(row.target)}</td>"
            f"<td style='text-align:right'><span class='kit-status kit-status-{esc(status)}' "
            f"style='background:{colour};color:{fg};"
            f"padding:2px 8px;border-radius:10px;white-space:nowrap'>{status_text}</span></td></tr>")
    return ("<table class='kit-scorecard' style='border-collapse:collapse'>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def scorecard_text(frame: pd.DataFrame, lang: str = "en", *, currency: str = "") -> str:
    """The scorecard as plain text (one line per KPI), for ``str`` of a section; money KPIs with ``currency``."""
    lines = []
    target = text("col_target", lang)
    target = target if lang == "de" else target.lower()  # German nouns keep their capital
    for row in frame.itertuples(index=False):
        kpi = str(row.kpi)
        interval = "" if _isnan(row.ci_low) else \
            f" ({fmt_kpi(kpi, row.ci_low, currency, lang)} – {fmt_kpi(kpi, row.ci_high, currency, lang)})"
        n = "" if _isnan(row.n) else f", n = {_n(row.n, lang)}"
        status = text(str(row.status), lang) if str(row.status) in STATUS_COLOURS else str(row.status)
        lines.append(f"{row.label}: {fmt_kpi(kpi, row.value, currency, lang)}{interval}{n}; "
                     f"{target} {fmt_kpi(kpi, row.target, currency, lang)}: {status}")
    return "\n".join(lines)


def driver_outcome(ctx: Context) -> str | None:
    """The survey score the drivers and the comment contrast explain (``ctx.driver_outcome``): the run's
    ``driver_outcome`` setting, else ``drivers.outcome`` of the configuration, else the first of nps, csat,
    rating, ces with answers (``kit.metrics.outcomes.survey_outcome``)."""
    return ctx.driver_outcome


def outcome_chosen(ctx: Context) -> bool:
    """True when the outcome was chosen (setting or configuration), False when it is the first present."""
    return ctx.driver_outcome != survey_outcome(ctx.data.surveys, None) or ctx.config.drivers.outcome is not None


def outcome_label(ctx: Context, outcome: str) -> str:
    """The outcome's KPI label in the report language (``rating`` is the star rating)."""
    return definition("star_rating" if outcome == "rating" else outcome).text(ctx.lang)[0]
