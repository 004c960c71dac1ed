"""Conclusions first: plain-language findings computed from a page's own results by transparent rules.

Each rule looks at one kind of result and either fires (one :class:`Finding`, a sentence a manager
reads without statistics training, with the number, its change and "significant" where a test says so)
or stays silent. The rules and their order are:

``worsened`` / ``improved``
    KPIs whose change since the previous period is significant (``p_adjusted`` when the scorecard has
    it, else ``p_value``, below ``alpha``) in the bad / good direction, largest relative change first
    (``|change| / |previous|``).
``complaint_cause``
    The most frequent complaint category, when it holds strictly more complaints than the next one.
``worst_segment``
    The weakest segment of any dimension whose whole 95 % interval lies below the value of all customers
    (``n >= min_n``); small cells never fire.
``strongest_driver``
    The driver with the largest share of explained variance; "clearly ahead" only when its interval
    does not overlap the runner-up's.
``targets``
    How many KPIs with a target missed it, and the one furthest off (:func:`kit.plan.evidence.kpi_gaps`).
``met_but_falling``
    A KPI whose target is met although it fell significantly.
``far_target``
    A met target that the whole interval beats by more than half of the target: possibly miscalibrated.
``top_action``
    The first action of the plan, with owner and cost.

Page 2 (data):

``quality``
    The data-quality check that found the most (errors before warnings before remarks, then the most rows,
    :func:`quality_problems`); when none found anything, how many checks passed.
``coverage``
    A dated table whose rows in the period start late or stop early: the gap at either end is longer than a
    gap that happens by chance in 1 % of periods at the table's own rate, ``exp(−rate × gap) < 0.01``, with
    rate = rows in the period / days between its first and last row. Survey answers and invitations come in
    waves and are not checked (page 2 shows their coverage). When every checked table covers the period, that.
``missing_tables``
    The tables of the data contract the data lack, with the number of KPIs that have no data.

Page 4 (interviews):

``lost_theme``
    The theme the interviewed lost customers (segment ``lost``) criticise most often compared with the loyal
    ones (segment ``loyal``): the largest difference of the shares of interviewees who mention it negatively,
    when at least two lost customers do. Counts of a handful of interviews: no test, the counts are shown.
``detractor_theme``
    The theme low scorers (detractors) name negatively more often than high scorers (promoters) in survey
    comments, with the largest difference among those whose Holm-adjusted Fisher test is below ``alpha``
    (:func:`kit.text.themes.theme_contrast`).
``rising_theme``
    The theme whose share of negative survey comments rose most since the previous period, among those whose
    change test (:func:`kit.metrics._change.share_change_test`) is significant after Holm's correction over
    the themes.

:func:`page_findings` picks at most three per page; :func:`executive_summary` the index's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from scipy.stats import norm

from kit.data.config import AnalysisConfig
from kit.definitions import DEFINITIONS
from kit.labels import LABELS
from kit.plan.evidence import kpi_gaps
from kit.results import format_value

__all__ = ["Finding", "RULES", "significant_changes", "changes", "complaint_cause", "worst_segment",
           "strongest_driver", "targets", "met_but_falling", "far_targets", "top_action", "page_findings",
           "executive_summary", "change_phrase", "ALPHA", "MAX_PER_PAGE", "quality_problems", "quality",
           "coverage", "missing_tables", "lost_theme", "detractor_theme", "rising_theme", "COVERAGE_CHANCE"]

#: Significance level of the change rules.
ALPHA = 0.05
#: A page opens with at most this many findings.
MAX_PER_PAGE = 3
#: A met target beaten by more than this share of the target (by the whole interval) may be miscalibrated.
FAR_TARGET_SHARE = 0.5
#: Fewest complaints for the complaint-cause rule.
MIN_COMPLAINTS = 10

RULES = ("worsened", "improved", "complaint_cause", "worst_segment", "strongest_driver", "targets",
         "met_but_falling", "far_target", "top_action", "quality", "coverage", "missing_tables", "lost_theme",
         "detractor_theme", "rising_theme")
#: A gap at the start or end of a table's rows that happens by chance less often than this is reported.
COVERAGE_CHANCE = 0.01
#: Tables that come in survey waves: their dates are not expected to fill the period.
WAVE_TABLES = ("surveys", "contacts")


@dataclass(frozen=True)
class Finding:
    """One plain-language finding.

    Attributes
    ----------
    rule : str
        The rule of :data:`RULES` that fired.
    text : str
        The sentence, in the language asked for.
    tone : {"bad", "good", "neutral"}
        Colour of the finding.
    anchor : str
        Id of the section that holds the evidence on its page (``kit-scorecard``, ``kit-crit_service``,
        ``kit-drivers`` …: ``kit-`` and the section's key).
    kpi : str
        The KPI the finding is about, or ``""``.
    """

    rule: str
    text: str
    tone: str
    anchor: str
    kpi: str = ""


_T: dict[str, tuple[str, str]] = {
    "significant": ("significant", "signifikant"),
    "since": ("{change} since {previous}", "{change} seit {previous}"),
    "change": ("{label} {value} ({since}, {significant})", "{label} {value} ({since}, {significant})"),
    "points": ("points", "Punkte"),
    "pp": ("percentage points", "Prozentpunkte"),
    "per_1000": ("per 1,000 orders", "je 1.000 Bestellungen"),
    "cause": ("{base}; most complaints are about {cause} ({count} of {total}, {share})",
              "{base}; die meisten Beschwerden betreffen {cause} ({count} von {total}, {share})"),
    "complaint_cause": ("Most complaints are about {cause}: {count} of {total} ({share})",
                        "Die meisten Beschwerden betreffen {cause}: {count} von {total} ({share})"),
    "worst_segment": ("Weakest group: {dimension} {segment}, {label} {value} (n = {n}), below all customers "
                      "({overall})",
                      "Schwächste Gruppe: {dimension} {segment}, {label} {value} (n = {n}), unter allen Kunden "
                      "({overall})"),
    "driver": ("{driver} matters most for {outcome}: {share} of what the ratings explain{ahead}",
               "{driver} zählt am meisten für {outcome}: {share} dessen, was die Bewertungen erklären{ahead}"),
    "ahead": (", clearly ahead of {runner} ({runner_share})", ", klar vor {runner} ({runner_share})"),
    "close": (", not clearly ahead of {runner} ({runner_share})", ", nicht klar vor {runner} ({runner_share})"),
    "targets": ("{missed} of {total} KPI targets missed; furthest off: {label} {value} (target {target})",
                "{missed} von {total} KPI-Zielen verfehlt; am weitesten entfernt: {label} {value} (Ziel {target})"),
    "targets_none": ("All {total} KPI targets met or within reach",
                     "Alle {total} KPI-Ziele erreicht oder in Reichweite"),
    "met_but_falling": ("{label} meets its target ({target}) but is falling significantly: {value} ({since})",
                        "{label} erreicht das Ziel ({target}), sinkt aber signifikant: {value} ({since})"),
    "met_but_rising": ("{label} meets its target ({target}) but is rising significantly: {value} ({since})",
                       "{label} erreicht das Ziel ({target}), steigt aber signifikant: {value} ({since})"),
    "far_target": ("{label} {value} is far beyond its target {target}: the target may be miscalibrated",
                   "{label} {value} liegt weit jenseits des Ziels {target}: Das Ziel ist vielleicht falsch gesetzt"),
    "top_action": ("First action: {title} ({owner}, {cost})", "Erste Maßnahme: {title} ({owner}, {cost})"),
    "nps": ("NPS", "NPS"),
    "quality": ("Largest data-quality issue: {table}, {check}: {count} rows ({severity})",
                "Größtes Datenqualitätsproblem: {table}, {check}: {count} Zeilen ({severity})"),
    "quality_none": ("All {total} data-quality checks passed", "Alle {total} Datenqualitätsprüfungen bestanden"),
    "coverage_gap": ("{table}: the {when}; at {rate} rows a day a gap that long is unlikely",
                     "{table}: {when}; bei {rate} Zeilen am Tag ist eine so lange Lücke unwahrscheinlich"),
    "stop": ("last {column} of {period} is {date}, {gap} days before the period ends",
             "das letzte {column} in {period} ist der {date}, {gap} Tage vor Periodenende"),
    "start": ("first {column} of {period} is {date}, {gap} days after the period starts",
              "das erste {column} in {period} ist der {date}, {gap} Tage nach Periodenbeginn"),
    "coverage_full": ("{tables} cover all of {period}", "{tables} decken {period} ganz ab"),
    "missing": ("Not in the data: {tables}; {kpis} of {total} KPIs cannot be measured",
                "Nicht in den Daten: {tables}; {kpis} von {total} Kennzahlen sind nicht messbar"),
    "lost_theme": ("Lost customers criticise {theme} most: {lost} of {n_lost} interviewed lost customers speak "
                   "negatively of it, against {loyal} of {n_loyal} loyal ones",
                   "Verlorene Kunden kritisieren am häufigsten {theme}: {lost} von {n_lost} befragten verlorenen "
                   "Kunden äußern sich negativ dazu, gegen {loyal} von {n_loyal} treuen"),
    "detractor_theme": ("{low} name {theme} far more often than {high}: {share_low} against {share_high} of their "
                        "comments (significant)",
                        "{low} nennen {theme} weit öfter als {high}: {share_low} gegen {share_high} ihrer "
                        "Kommentare (signifikant)"),
    "rising_theme": ("Complaints about {theme} in survey comments rose: {now} of comments against {before} in "
                     "{previous} (significant)",
                     "Kritik an {theme} in Umfragekommentaren nahm zu: {now} der Kommentare gegen {before} in "
                     "{previous} (signifikant)"),
    "detractors": ("Detractors", "Kritiker"),
    "promoters": ("promoters", "Promotoren"),
    "low": ("Low scorers", "Niedrig Bewertende"),
    "high": ("high scorers", "hoch Bewertende"),
}


def _t(key: str, lang: str, **values: Any) -> str:
    return _T[key][1 if lang == "de" else 0].format(**values)


def _unit(kpi: str) -> str:
    return DEFINITIONS[kpi].unit if kpi in DEFINITIONS else "number"


def _number(kpi: str, value: float, lang: str, currency: str) -> str:
    """A KPI value in words a manager reads: ``47.5 per 1,000 orders`` rather than ``47.5 ‰``; a typographic
    minus (``−10.0``)."""
    if value < 0:
        return "−" + _number(kpi, -value, lang, currency)
    unit = _unit(kpi)
    if unit == "per_1000":
        return f"{format_value(value, 'number', lang, digits=1)} {_t('per_1000', lang)}"
    if unit == "number":
        return format_value(value, "number", lang, digits=2)
    return format_value(value, unit, lang, currency=currency, symbol=True)


def change_phrase(kpi: str, change: float, lang: str = "en", currency: str = "") -> str:
    """A change with its sign and unit in words: ``−16.8 points``, ``+2.4 percentage points``.

    Examples
    --------
    >>> change_phrase("nps", -16.81), change_phrase("churn_rate", 0.024)
    ('−16.8 points', '+2.4 percentage points')
    >>> change_phrase("complaint_rate", 23.43)
    '+23.4 per 1,000 orders'
    """
    unit = _unit(kpi)
    sign = "+" if change >= 0 else "−"
    size = abs(change)
    if unit == "points":
        shown = f"{format_value(size, 'points', lang)} {_t('points', lang)}"
    elif unit == "share":
        shown = f"{format_value(size * 100, 'number', lang, digits=1)} {_t('pp', lang)}"
    else:
        shown = _number(kpi, size, lang, currency)
    return sign + shown


def _label(row: Any) -> str:
    return str(getattr(row, "label", "") or getattr(row, "kpi", ""))


def _p(frame: pd.DataFrame) -> pd.Series:
    """The p-value a change rule reads: Holm-adjusted when the scorecard has it, else the raw one."""
    return frame["p_adjusted"] if "p_adjusted" in frame else frame["p_value"]


def significant_changes(scorecard: pd.DataFrame, config: AnalysisConfig, *, alpha: float = ALPHA) -> pd.DataFrame:
    """The KPIs whose change since the previous period is significant, with its direction.

    Parameters
    ----------
    scorecard : DataFrame
        :func:`kit.scorecard` output; ``p_adjusted`` is used when present.
    config : AnalysisConfig
        The direction of each KPI.
    alpha : float
        Significance level.

    Returns
    -------
    DataFrame
        The scorecard rows with a significant change, plus ``worse`` (bool) and ``relative``
        (``|change| / |previous|``, infinite when previous is 0), largest relative change first.
    """
    p = _p(scorecard)
    rows = scorecard[p.notna() & (p < alpha) & scorecard["change"].notna() & (scorecard["change"] != 0)].copy()
    if rows.empty:
        return rows.assign(worse=pd.Series(dtype=bool), relative=pd.Series(dtype=float))
    lower = rows["kpi"].map(lambda k: config.direction(str(k)) == "lower")
    rows["worse"] = (rows["change"] > 0) == lower
    previous = rows["previous"].abs()
    rows["relative"] = [math.inf if (pd.isna(b) or b == 0) else abs(c) / b
                        for c, b in zip(rows["change"], previous, strict=True)]
    return rows.sort_values(["relative", "kpi"], ascending=[False, True], kind="mergesort")


def changes(scorecard: pd.DataFrame, config: AnalysisConfig, *, lang: str = "en", worse: bool = True,
            alpha: float = ALPHA, previous: str | None = None) -> list[Finding]:
    """Rules ``worsened`` / ``improved``: one finding per significant change in that direction.

    Examples
    --------
    >>> from kit.data.config import AnalysisConfig
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "S"},
    ...     "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})
    >>> sc = pd.DataFrame({"kpi": ["nps"], "label": ["NPS"], "value": [9.9], "previous": [26.7],
    ...                    "change": [-16.8], "p_value": [0.005]})
    >>> changes(sc, cfg, previous="2026-Q2")[0].text
    'NPS 9.9 (−16.8 points since 2026-Q2, significant)'
    """
    before = previous or str(scorecard.attrs.get("previous_period", "")) or "–"
    currency = config.business.currency
    out = []
    rows = significant_changes(scorecard, config, alpha=alpha)
    for row in rows[rows["worse"] == worse].itertuples(index=False):
        kpi = str(row.kpi)
        since = _t("since", lang, change=change_phrase(kpi, float(row.change), lang, currency), previous=before)
        out.append(Finding("worsened" if worse else "improved",
                           _t("change", lang, label=_label(row), value=_number(kpi, float(row.value), lang, currency),
                              since=since, significant=_t("significant", lang)),
                           "bad" if worse else "good", "kit-scorecard", kpi))
    return out


def _category(name: str, lang: str) -> str:
    key = f"cat_{name}"
    return LABELS[key][1 if lang == "de" else 0] if key in LABELS else name


def _cause(complaints: pd.DataFrame | None, lang: str, min_complaints: int) -> dict[str, str] | None:
    """The values of the complaint-cause sentence, or None when the rule stays silent."""
    if complaints is None or complaints.empty:
        return None
    counts = complaints.sort_values("complaints", ascending=False, kind="mergesort")
    total = int(counts["complaints"].sum())
    first = counts.iloc[0]
    if total < min_complaints or (len(counts) > 1 and counts.iloc[1]["complaints"] >= first["complaints"]):
        return None
    return {"cause": _category(str(first["category"]), lang),
            "count": format_value(int(first["complaints"]), "count", lang),
            "total": format_value(total, "count", lang),
            "share": format_value(first["complaints"] / total, "share", lang, digits=0)}


def complaint_cause(complaints: pd.DataFrame | None, *, lang: str = "en",
                    min_complaints: int = MIN_COMPLAINTS) -> Finding | None:
    """Rule ``complaint_cause``: the most frequent complaint category (:func:`kit.complaints_by_category`).

    Fires when there are at least ``min_complaints`` complaints and the first category holds strictly
    more than the second; silent on a tie, on too few complaints and on a missing table.

    Examples
    --------
    >>> c = pd.DataFrame({"category": ["delivery", "billing"], "complaints": [8, 4]})
    >>> complaint_cause(c).text
    'Most complaints are about delivery: 8 of 12 (67 %)'
    """
    values = _cause(complaints, lang, min_complaints)
    if values is None:
        return None
    return Finding("complaint_cause", _t("complaint_cause", lang, **values), "bad", "kit-crit_service",
                   "complaint_rate")


def worst_segment(segments: pd.DataFrame | None, *, overall: float, kpi: str = "nps", lang: str = "en",
                  min_n: int = 30, currency: str = "", direction: str = "higher", alpha: float = ALPHA,
                  dimension_labels: Mapping[str, str] | None = None) -> Finding | None:
    """Rule ``worst_segment``: the weakest group that lies clearly on the bad side of ``overall``.

    Parameters
    ----------
    segments : DataFrame
        ``dimension, segment, n, value, ci_low, ci_high`` and, when known, ``se`` (one row per group of
        each dimension).
    overall : float
        The KPI over all customers.
    min_n : int
        Groups with fewer observations are small cells: shown in the tables, never a finding.
    direction : {"higher", "lower"}
        Which side is good.
    alpha : float
        Family-wise level. With ``se``, each of the m groups with ``n >= min_n`` is tested at alpha / m
        (Bonferroni): the group's interval ``value ± z(1 − alpha / 2m) · se`` must exclude ``overall``.
        Without ``se`` the 95 % interval ``ci_low … ci_high`` is used as given.

    Examples
    --------
    >>> seg = pd.DataFrame({"dimension": ["region"] * 3, "segment": ["N", "S", "tiny"], "n": [200, 200, 5],
    ...                     "value": [-10.0, 25.0, -90.0], "ci_low": [-22, 13, -100], "ci_high": [2.0, 37, -50],
    ...                     "se": [6.0, 6.0, 20.0]})
    >>> worst_segment(seg, overall=8.0).text      # 2 cells tested: z = 2.24, -10 + 2.24 × 6 = 3.4 < 8
    'Weakest group: region N, Net Promoter Score −10.0 (n = 200), below all customers (8.0)'
    """
    if segments is None or segments.empty or overall is None or math.isnan(overall):
        return None
    big = segments[(segments["n"] >= min_n) & segments["ci_low"].notna()].copy()
    if big.empty:
        return None
    if "se" in big:
        z = float(norm.ppf(1 - alpha / (2 * len(big))))
        big["low"], big["high"] = big["value"] - z * big["se"], big["value"] + z * big["se"]
    else:
        big["low"], big["high"] = big["ci_low"], big["ci_high"]
    if direction == "higher":
        clear = big[big["high"] < overall].sort_values(["value", "dimension", "segment"], kind="mergesort")
    else:
        clear = big[big["low"] > overall].sort_values(["value", "dimension", "segment"],
                                                      ascending=[False, True, True], kind="mergesort")
    if clear.empty:
        return None
    row = clear.iloc[0]
    dimension = str(row["dimension"])
    label = DEFINITIONS[kpi].text(lang)[0] if kpi in DEFINITIONS else kpi
    return Finding("worst_segment",
                   _t("worst_segment", lang, dimension=(dimension_labels or {}).get(dimension, dimension),
                      segment=row["segment"], label=label, value=_number(kpi, float(row["value"]), lang,
                                                                                currency),
                      n=format_value(int(row["n"]), "count", lang),
                      overall=_number(kpi, float(overall), lang, currency)),
                   "bad", "kit-crit_satisfaction", kpi)


def strongest_driver(summary: pd.DataFrame | None, *, lang: str = "en", outcome: str = "NPS") -> Finding | None:
    """Rule ``strongest_driver``: the driver with the largest importance (:attr:`kit.KeyDrivers.summary`).

    "Clearly ahead" when its interval lies above the runner-up's; silent without drivers.
    """
    if summary is None or summary.empty or summary["importance"].isna().all():
        return None
    ranked = summary.dropna(subset=["importance"]).sort_values("importance", ascending=False, kind="mergesort")
    first = ranked.iloc[0]
    name = lambda d: _category(f"driver_{str(d).removeprefix('driver_')}", lang)  # noqa: E731
    ahead = ""
    if len(ranked) > 1:
        second = ranked.iloc[1]
        key = "ahead" if (not pd.isna(first["ci_low"]) and not pd.isna(second["ci_high"])
                          and first["ci_low"] > second["ci_high"]) else "close"
        ahead = _t(key, lang, runner=name(second["driver"]),
                   runner_share=format_value(second["importance"], "share", lang, digits=0))
    return Finding("strongest_driver",
                   _t("driver", lang, driver=name(first["driver"]), outcome=outcome,
                      share=format_value(first["importance"], "share", lang, digits=0), ahead=ahead),
                   "neutral", "kit-drivers")


def targets(scorecard: pd.DataFrame, config: AnalysisConfig, *, lang: str = "en") -> Finding | None:
    """Rule ``targets``: how many targets were missed and which is furthest off (silent without targets)."""
    gaps = kpi_gaps(scorecard, config)
    gaps = gaps[gaps["status"] != "no_data"]
    if gaps.empty:
        return None
    missed = gaps[gaps["status"] == "missed"]
    currency = config.business.currency
    if missed.empty:
        return Finding("targets", _t("targets_none", lang, total=len(gaps)), "good", "kit-scorecard")
    row = missed.iloc[0]
    kpi = str(row["kpi"])
    return Finding("targets", _t("targets", lang, missed=len(missed), total=len(gaps), label=row["label"],
                                 value=_number(kpi, float(row["value"]), lang, currency),
                                 target=_number(kpi, float(row["target"]), lang, currency)),
                   "bad", "kit-scorecard", kpi)


def met_but_falling(scorecard: pd.DataFrame, config: AnalysisConfig, *, lang: str = "en",
                    alpha: float = ALPHA) -> list[Finding]:
    """Rule ``met_but_falling``: a met target whose KPI worsened significantly since the previous period."""
    before = str(scorecard.attrs.get("previous_period", "")) or "–"
    currency = config.business.currency
    rows = significant_changes(scorecard, config, alpha=alpha)
    out = []
    for row in rows[(rows["status"] == "met") & rows["worse"]].itertuples(index=False):
        kpi = str(row.kpi)
        key = "met_but_rising" if row.change > 0 else "met_but_falling"
        out.append(Finding("met_but_falling", _t(
            key, lang, label=_label(row), target=_number(kpi, float(row.target), lang, currency),
            value=_number(kpi, float(row.value), lang, currency),
            since=_t("since", lang, change=change_phrase(kpi, float(row.change), lang, currency), previous=before)),
            "bad", "kit-scorecard", kpi))
    return out


def far_targets(scorecard: pd.DataFrame, config: AnalysisConfig, *, lang: str = "en",
                share: float = FAR_TARGET_SHARE) -> list[Finding]:
    """Rule ``far_target``: a met target that the whole interval beats by more than ``share`` of the target.

    Examples
    --------
    >>> from kit.data.config import AnalysisConfig
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "S", "currency": "EUR"},
    ...     "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})
    >>> sc = pd.DataFrame({"kpi": ["clv_predicted"], "label": ["Predicted CLV"], "value": [132.3],
    ...                    "ci_low": [129.5], "ci_high": [135.0], "target": [60.0], "status": ["met"]})
    >>> [f.rule for f in far_targets(sc, cfg)]          # 129.5 > 60 × 1.5 = 90
    ['far_target']
    """
    currency = config.business.currency
    out = []
    for row in scorecard[scorecard["status"] == "met"].itertuples(index=False):
        kpi, target = str(row.kpi), float(row.target)
        if math.isnan(target) or target == 0:
            continue
        low = row.value if pd.isna(row.ci_low) else row.ci_low
        high = row.value if pd.isna(row.ci_high) else row.ci_high
        lower = config.direction(kpi) == "lower"
        beyond = (target - high) / abs(target) if lower else (low - target) / abs(target)
        if beyond > share:
            out.append(Finding("far_target", _t("far_target", lang, label=_label(row),
                                                value=_number(kpi, float(row.value), lang, currency),
                                                target=_number(kpi, target, lang, currency)),
                               "neutral", "kit-scorecard", kpi))
    return out


def top_action(plan: pd.DataFrame | None, *, lang: str = "en", currency: str = "") -> Finding | None:
    """Rule ``top_action``: the plan's first action with owner and cost (silent on an empty plan)."""
    if plan is None or plan.empty:
        return None
    row = plan.sort_values("rank", kind="mergesort").iloc[0] if "rank" in plan else plan.iloc[0]
    cost = row.get("cost", math.nan)
    cost_text = "–" if pd.isna(cost) else format_value(float(cost), "currency", lang, digits=0, currency=currency)
    owner = row.get("owner")
    return Finding("top_action", _t("top_action", lang, title=row["title"],
                                    owner="–" if owner is None or pd.isna(owner) else owner, cost=cost_text),
                   "neutral", "kit-plan")


# --------------------------------------------------------------------------- page 2: data

#: Checks whose info row records how a column was read or which optional column is absent: remarks, not problems.
_REMARKS = ("driver_scale", "optional_columns", "rows_read")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _checks(quality: pd.DataFrame) -> pd.DataFrame:
    """The rows of a data-quality report that are checks (not rows read, not remarks on how a column was read)."""
    keys = quality["check_key"] if "check_key" in quality else pd.Series("", index=quality.index)
    return quality[quality["check"].ne("rows read") & ~keys.isin(_REMARKS)]


def quality_problems(quality: pd.DataFrame | None) -> pd.DataFrame:
    """The checks of a data-quality report (``data.quality``) that found something, worst first.

    A check found something when its count is above 0 or its severity is warning or error; rows read and
    the remarks on how a column was read or which optional column is absent are not problems. Order:
    errors, warnings, then infos; within each, the most rows first.

    Examples
    --------
    >>> q = pd.DataFrame({"table": ["orders", "orders", "surveys"], "check": ["rows read", "duplicate id", "x"],
    ...                   "severity": ["info", "warning", "info"], "count": [100, 3, 0],
    ...                   "check_key": ["rows_read", "duplicates", "x"]})
    >>> quality_problems(q)["check"].tolist()
    ['duplicate id']
    """
    if quality is None or quality.empty:
        return pd.DataFrame(columns=["table", "check", "severity", "count"])
    checks = _checks(quality)
    count = pd.to_numeric(checks["count"], errors="coerce").fillna(0)
    found = checks[(count > 0) | checks["severity"].isin(["warning", "error"])]
    order = found.assign(_sev=found["severity"].map(_SEVERITY_ORDER).fillna(3),
                         _count=-pd.to_numeric(found["count"], errors="coerce").fillna(0))
    return order.sort_values(["_sev", "_count"], kind="mergesort").drop(columns=["_sev", "_count"])


def quality(report: pd.DataFrame | None, *, lang: str = "en",
            table_names: Mapping[str, str] | None = None) -> Finding | None:
    """Rule ``quality``: the largest data-quality problem, or that every check passed (silent without a report).

    Examples
    --------
    >>> q = pd.DataFrame({"table": ["orders", "orders"], "check": ["rows read", "negative revenue"],
    ...                   "severity": ["info", "error"], "count": [100, 4]})
    >>> quality(q).text
    'Largest data-quality issue: orders, negative revenue: 4 rows (error)'
    """
    if report is None or report.empty:
        return None
    problems = quality_problems(report)
    if problems.empty:
        total = len(_checks(report))
        return Finding("quality", _t("quality_none", lang, total=format_value(total, "count", lang)), "good",
                       "kit-quality")
    row = problems.iloc[0]
    count = pd.to_numeric(pd.Series([row["count"]]), errors="coerce").fillna(0).iloc[0]
    severity = str(row["severity"])
    return Finding("quality", _t("quality", lang, table=(table_names or {}).get(str(row["table"]), row["table"]),
                                 check=row["check"], count=format_value(int(count), "count", lang),
                                 severity=_category(severity, lang)),
                   "bad" if severity in ("error", "warning") else "neutral", "kit-quality")


def _day(value: pd.Timestamp) -> str:
    return f"{value:%Y-%m-%d}"


def coverage(dates: Mapping[str, pd.Series], *, start: pd.Timestamp, end: pd.Timestamp, period: str,
             lang: str = "en", table_names: Mapping[str, str] | None = None,
             chance: float = COVERAGE_CHANCE) -> Finding | None:
    """Rule ``coverage``: a table whose rows in the period start late or stop early.

    Parameters
    ----------
    dates : mapping
        Table id -> its event dates (any rows; those in ``[start, end)`` count), named by their column
        (``order_date``), which the finding names. Survey waves (:data:`WAVE_TABLES`) are skipped.
    start, end : Timestamp
        The period, ``end`` exclusive.
    chance : float
        A gap of g days at either end is reported when ``exp(−rate × g) < chance``: at the table's own rate
        (rows in the period / days between its first and last row in it) a gap that long would happen by
        chance less often than that. The largest gap (by that probability) is named.

    Returns
    -------
    Finding or None
        ``bad`` for a gap, ``good`` when every checked table covers the period; None when no checked table
        has rows in the period.

    Examples
    --------
    >>> d = pd.Series(pd.date_range("2026-07-01", "2026-09-10", freq="6h"), name="order_date")   # stops early
    >>> coverage({"orders": d}, start=pd.Timestamp("2026-07-01"), end=pd.Timestamp("2026-10-01"),
    ...          period="2026-Q3").text
    'Orders: the last order_date of 2026-Q3 is 2026-09-10, 20 days before the period ends; at 4.0 rows a day a \
gap that long is unlikely'
    """
    names = table_names or {}
    last_day = end - pd.Timedelta(days=1)
    checked, gaps = [], []
    for table, values in dates.items():
        if table in WAVE_TABLES or values is None:
            continue
        within = pd.to_datetime(values.dropna())
        within = within[(within >= start) & (within < end)]
        if within.empty:
            continue
        checked.append(table)
        first, last = within.min().normalize(), within.max().normalize()
        span = max((last - first).days + 1, 1)
        rate = len(within) / span
        for kind, gap, day in (("start", (first - start.normalize()).days, first),
                               ("stop", (last_day.normalize() - last).days, last)):
            p = math.exp(-rate * gap)
            if gap > 0 and p < chance:
                gaps.append((p, -gap, table, kind, gap, day, rate, str(values.name or "date")))
    if not checked:
        return None
    if not gaps:
        shown = ", ".join(names.get(t, t) for t in checked)
        return Finding("coverage", _t("coverage_full", lang, tables=shown[:1].upper() + shown[1:], period=period),
                       "good", "kit-inventory")
    _, _, table, kind, gap, day, rate, column = min(gaps)
    name = names.get(table, table)
    when = _t(kind, lang, column=column, period=period, date=_day(day), gap=format_value(gap, "count", lang))
    return Finding("coverage", _t("coverage_gap", lang, table=name[:1].upper() + name[1:], when=when,
                                  rate=format_value(rate, "number", lang, digits=1)),
                   "bad", "kit-inventory")


def missing_tables(missing: Sequence[str], scorecard: pd.DataFrame | None, *, lang: str = "en",
                   table_names: Mapping[str, str] | None = None) -> Finding | None:
    """Rule ``missing_tables``: the contract's tables the data lack, and how many KPIs have no data (silent when
    none is missing).

    Examples
    --------
    >>> card = pd.DataFrame({"kpi": ["nps", "sla_share"], "status": ["met", "no_data"]})
    >>> missing_tables(["tickets"], card).text
    'Not in the data: tickets; 1 of 2 KPIs cannot be measured'
    """
    if not missing:
        return None
    total = 0 if scorecard is None else len(scorecard)
    no_data = 0 if scorecard is None else int((scorecard["status"] == "no_data").sum())
    names = table_names or {}
    return Finding("missing_tables", _t("missing", lang, tables=", ".join(names.get(t, t) for t in missing),
                                        kpis=format_value(no_data, "count", lang),
                                        total=format_value(total, "count", lang)),
                   "bad", "kit-inventory")


# --------------------------------------------------------------------------- page 4: interviews


def _theme_name(row: Any, lang: str) -> str:
    """The theme's label (its id without one); lower case in English running text (``customer service``)."""
    label = row.get("label") if hasattr(row, "get") else None
    name = str(label if isinstance(label, str) and label else row["theme"])
    return name if lang == "de" else name[:1].lower() + name[1:]


def lost_theme(negative: pd.DataFrame | None, *, lang: str = "en", lost: str = "lost",
               loyal: str = "loyal", min_lost: int = 2) -> Finding | None:
    """Rule ``lost_theme``: the theme lost customers criticise most, compared with loyal ones.

    Parameters
    ----------
    negative : DataFrame
        :func:`kit.text.themes.theme_frequency` of the *negative* coded sentences of the interviews, by
        ``segment``: ``group, theme, [label], texts`` (interviews of the segment), ``mentioning``
        (interviews with a negative mention).
    lost, loyal : str
        The two segments compared.
    min_lost : int
        Fewest lost interviewees who must criticise the theme.

    Returns
    -------
    Finding or None
        The theme with the largest ``mentioning / texts`` of lost minus loyal (ties: the theme id), when that
        is above 0 and at least ``min_lost`` lost interviewees criticise it; None without both segments.

    Examples
    --------
    >>> f = pd.DataFrame({"group": ["lost", "lost", "loyal", "loyal"], "theme": ["price", "delivery"] * 2,
    ...                   "texts": [3, 3, 7, 7], "mentioning": [3, 2, 1, 3]})
    >>> lost_theme(f).text      # price 3/3 − 1/7 = 0.86 > delivery 2/3 − 3/7 = 0.24
    'Lost customers criticise price most: 3 of 3 interviewed lost customers speak negatively of it, against 1 of 7 \
loyal ones'
    """
    if negative is None or negative.empty or "group" not in negative:
        return None
    a = negative[negative["group"] == lost].set_index("theme")
    b = negative[negative["group"] == loyal].set_index("theme")
    if a.empty or b.empty:
        return None
    both = a.join(b[["texts", "mentioning"]].add_suffix("_loyal"), how="inner")
    both = both[(both["mentioning"] >= min_lost) & (both["texts"] > 0) & (both["texts_loyal"] > 0)]
    if both.empty:
        return None
    both["difference"] = both["mentioning"] / both["texts"] - both["mentioning_loyal"] / both["texts_loyal"]
    both = both[both["difference"] > 0].reset_index().sort_values(["difference", "theme"], ascending=[False, True],
                                                                    kind="mergesort")
    if both.empty:
        return None
    row = both.iloc[0]
    count = lambda v: format_value(int(v), "count", lang)  # noqa: E731
    return Finding("lost_theme", _t("lost_theme", lang, theme=_theme_name(row, lang), lost=count(row["mentioning"]),
                                    n_lost=count(row["texts"]), loyal=count(row["mentioning_loyal"]),
                                    n_loyal=count(row["texts_loyal"])), "bad", "kit-themes")


def detractor_theme(contrast: pd.DataFrame | None, *, low: str = "detractor", high: str = "promoter",
                    lang: str = "en", alpha: float = ALPHA) -> Finding | None:
    """Rule ``detractor_theme``: the theme low scorers criticise far more often than high scorers.

    Parameters
    ----------
    contrast : DataFrame
        :func:`kit.text.themes.theme_contrast` of the negative mentions, ``low`` against ``high``
        (``share_<low>``, ``share_<high>``, ``difference``, ``p_adjusted``).
    low, high : str
        The two groups (``detractor``/``promoter`` for the NPS, ``low``/``high`` for other scores).

    Returns
    -------
    Finding or None
        The largest positive difference among themes with ``p_adjusted < alpha``; None otherwise.
    """
    if contrast is None or contrast.empty or "p_adjusted" not in contrast:
        return None
    hits = contrast[(contrast["p_adjusted"] < alpha) & (contrast["difference"] > 0)]
    if hits.empty:
        return None
    row = hits.sort_values(["difference", "theme"], ascending=[False, True], kind="mergesort").iloc[0]
    names = ("detractors", "promoters") if low == "detractor" else ("low", "high")
    return Finding("detractor_theme", _t("detractor_theme", lang, low=_t(names[0], lang), high=_t(names[1], lang),
                                         theme=_theme_name(row, lang),
                                         share_low=format_value(row[f"share_{low}"], "share", lang, digits=0),
                                         share_high=format_value(row[f"share_{high}"], "share", lang, digits=0)),
                   "bad", "kit-comments")


def rising_theme(negative: pd.DataFrame | None, *, previous: str, lang: str = "en", now: str = "now",
                 before: str = "before", alpha: float = ALPHA) -> Finding | None:
    """Rule ``rising_theme``: the theme whose share of negative survey comments rose most, significantly.

    Parameters
    ----------
    negative : DataFrame
        :func:`kit.text.themes.theme_frequency` of the negative coded sentences of the comments of both
        periods, by period: ``group`` (``now`` / ``before``), ``theme``, [``label``], ``texts`` (comments of
        the period), ``mentioning`` (comments with a negative mention).
    previous : str
        Label of the previous period.

    Returns
    -------
    Finding or None
        Each theme's share is tested with :func:`kit.metrics._change.share_change_test`, the p-values are
        Holm-adjusted over the themes; the largest rise with adjusted p below ``alpha`` fires.

    Examples
    --------
    >>> f = pd.DataFrame({"group": ["now", "now", "before", "before"], "theme": ["delivery", "price"] * 2,
    ...                   "texts": [200, 200, 200, 200], "mentioning": [60, 22, 20, 20]})
    >>> rising_theme(f, previous="2026-Q2").text       # 30 % against 10 %, Holm p < 0.001
    'Complaints about delivery in survey comments rose: 30 % of comments against 10 % in 2026-Q2 (significant)'
    """
    from kit.metrics._change import holm, share_change_test

    if negative is None or negative.empty or "group" not in negative:
        return None
    a = negative[negative["group"] == now].set_index("theme")
    b = negative[negative["group"] == before].set_index("theme")
    both = a.join(b[["texts", "mentioning"]].add_suffix("_before"), how="inner")
    both = both[(both["texts"] > 0) & (both["texts_before"] > 0)]
    if both.empty:
        return None
    p = [share_change_test(int(r.mentioning), int(r.texts), int(r.mentioning_before), int(r.texts_before))[1]
         for r in both.itertuples()]
    both["p_adjusted"] = holm(p)
    both["rise"] = both["mentioning"] / both["texts"] - both["mentioning_before"] / both["texts_before"]
    hits = both[(both["p_adjusted"] < alpha) & (both["rise"] > 0)].reset_index()
    if hits.empty:
        return None
    row = hits.sort_values(["rise", "theme"], ascending=[False, True], kind="mergesort").iloc[0]
    share = lambda v: format_value(v, "share", lang, digits=0)  # noqa: E731
    return Finding("rising_theme", _t("rising_theme", lang, theme=_theme_name(row, lang),
                                      now=share(row["mentioning"] / row["texts"]),
                                      before=share(row["mentioning_before"] / row["texts_before"]),
                                      previous=previous), "bad", "kit-comments")


def _with_cause(first: Finding, complaints: pd.DataFrame | None, lang: str) -> Finding:
    """Attach the complaint cause to a complaint-rate finding ("…; most complaints are about delivery …")."""
    values = _cause(complaints, lang, MIN_COMPLAINTS)
    if values is None or first.kpi != "complaint_rate":
        return first
    return Finding(first.rule, _t("cause", lang, base=first.text, **values), first.tone, first.anchor, first.kpi)


def page_findings(page: str, *, scorecard: pd.DataFrame | None, config: AnalysisConfig, lang: str = "en",
                  complaints: pd.DataFrame | None = None, segments: pd.DataFrame | None = None,
                  drivers: pd.DataFrame | None = None, plan: pd.DataFrame | None = None,
                  dimension_labels: Mapping[str, str] | None = None, outcome: str = "NPS",
                  data: Mapping[str, Any] | None = None, themes: Mapping[str, Any] | None = None,
                  limit: int = MAX_PER_PAGE) -> list[Finding]:
    """At most ``limit`` findings for one report page, from that page's own results.

    Parameters
    ----------
    page : {"01", "02", "03", "04", "05"}
        The page: ``01`` goals (targets, met but falling, miscalibrated targets), ``03`` criteria
        (significant worsenings with the complaint cause attached to the complaint rate, the weakest
        segment, improvements), ``05`` actions (strongest driver, complaint cause, first action), ``02``
        data (quality, coverage, missing tables), ``04`` interviews (lost theme, detractor theme, rising theme).
    scorecard, complaints, segments, drivers, plan : DataFrame or None
        The results the rules read; a missing one silences its rules.
    data : mapping, optional
        Page 2: ``quality`` (the data-quality report), ``dates`` (table id -> event dates), ``start``, ``end``,
        ``period`` (label), ``missing`` (absent table ids), ``table_names`` (id -> display name).
    themes : mapping, optional
        Page 4: ``lost`` (:func:`lost_theme` input), ``contrast``, ``low``, ``high`` (:func:`detractor_theme`),
        ``rising`` and ``previous`` (:func:`rising_theme`).
    outcome : str
        What the drivers explain (``NPS``, ``CSAT``), named in the strongest-driver finding.

    Returns
    -------
    list of Finding
    """
    out: list[Finding] = []
    if page == "01" and scorecard is not None:
        goals = [f for f in (targets(scorecard, config, lang=lang),) if f]
        goals += met_but_falling(scorecard, config, lang=lang) + far_targets(scorecard, config, lang=lang)
        out += [replace(f, anchor="kit-targets") for f in goals]   # page 1 shows the scorecard as its targets
    elif page == "03" and scorecard is not None:
        cause = complaint_cause(complaints, lang=lang)
        worse = changes(scorecard, config, lang=lang, worse=True)
        if worse and cause is not None and any(f.kpi == "complaint_rate" for f in worse[:limit]):
            worse = [_with_cause(f, complaints, lang) for f in worse]
            cause = None
        nps_value = scorecard.set_index("kpi")["value"].get("nps", math.nan)
        segment = worst_segment(segments, overall=float(nps_value), lang=lang, min_n=config.thresholds.min_n,
                                dimension_labels=dimension_labels)
        out += worse[:2]
        out += [f for f in (cause, segment) if f]
        out += worse[2:]
        out += changes(scorecard, config, lang=lang, worse=False)
    elif page == "02" and data is not None:
        names = data.get("table_names")
        found = [quality(data.get("quality"), lang=lang, table_names=names)]
        if data.get("start") is not None:
            found.append(coverage(data.get("dates", {}), start=data["start"], end=data["end"],
                                  period=str(data.get("period", "")), lang=lang, table_names=names))
        found.append(missing_tables(data.get("missing", ()), scorecard, lang=lang, table_names=names))
        out += sorted((f for f in found if f), key=lambda f: f.tone != "bad")   # problems first
    elif page == "04" and themes is not None:
        out += [f for f in (lost_theme(themes.get("lost"), lang=lang),
                            detractor_theme(themes.get("contrast"), low=themes.get("low", "detractor"),
                                            high=themes.get("high", "promoter"), lang=lang),
                            rising_theme(themes.get("rising"), previous=str(themes.get("previous", "")),
                                         lang=lang)) if f]
    elif page == "05":
        cause = complaint_cause(complaints, lang=lang)
        driver = strongest_driver(drivers, lang=lang, outcome=outcome)
        out += [f for f in (driver, cause and replace(cause, anchor="kit-plan"),
                            top_action(plan, lang=lang, currency=config.business.currency)) if f]
    return out[:limit]


def executive_summary(findings: Mapping[str, Sequence[Finding]], *, limit: int = 4) -> list[Finding]:
    """The index's executive summary: the first finding of criteria, goals and actions, then the second ones.

    Parameters
    ----------
    findings : mapping
        :func:`page_findings` of each page, keyed by page number.
    limit : int
        At most this many.
    """
    order = ("03", "05", "01")
    out: list[Finding] = []
    for depth in range(MAX_PER_PAGE):
        for page in order:
            items = findings.get(page, ())
            if depth < len(items) and items[depth] not in out and not _said_already(items[depth], out):
                out.append(items[depth])
    return out[:limit]


def _said_already(finding: Finding, chosen: Sequence[Finding]) -> bool:
    """A complaint-cause finding repeats a change of the complaint rate that already names its largest cause."""
    return finding.rule == "complaint_cause" and any(
        f.kpi == "complaint_rate" and f.rule in ("worsened", "improved") for f in chosen)
