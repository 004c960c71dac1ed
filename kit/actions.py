"""From findings to actions: KPI gaps, the evidence-scored action plan and the customer lists.

The action plan is transparent on purpose. Each action of the catalogue (``actions:`` in
``analysis.yaml``) names what it addresses (KPIs, survey drivers, interview themes, complaint
categories, customer segments). Its score is

    score = impact × confidence / effort

where *impact* is the mean, over the kinds of evidence that exist, of five components in 0…1:

- ``impact_kpi``: the largest gap severity among the addressed KPIs (:func:`kpi_gaps`);
- ``impact_driver``: the addressed drivers' share of the explained variance (key driver analysis);
- ``impact_theme``: share of coded texts that mention an addressed theme negatively
  (negativity × frequency);
- ``impact_complaints``: the addressed categories' share of all complaints;
- ``impact_value``: share of the total value at risk held by the customers the addressed
  problems touch (each customer counted once);

and *confidence* is the impact-weighted mean of each component's confidence (n and interval
width of its evidence). Every component is a column, so a reader can recompute the score.

The customer lists name whom to act on: :func:`watch_list` (active customers with warning
signs, most value at risk first), :func:`winback_list` (lapsed customers by past value) and
:func:`advocates` (promoters, five-star raters, referrers); ids are pseudonymised unless the
configuration says otherwise.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from kit.config import Action, AnalysisConfig
from kit.definitions import DEFINITIONS
from kit.privacy import pseudonymise
from kit.results import format_value

__all__ = ["Evidence", "COMPONENTS", "kpi_gaps", "theme_stats", "gather_evidence", "prioritise_actions",
           "watch_list", "winback_list", "advocates"]

#: The impact components, in the order they appear as columns.
COMPONENTS = ("kpi", "driver", "theme", "complaints", "value")
_FLOAT_DIGITS = 10  # scores are rounded to this many digits before sorting, so ties are real ties


# ---------------------------------------------------------------------------------------------
# KPI gaps


def kpi_gaps(scorecard: pd.DataFrame, config: AnalysisConfig) -> pd.DataFrame:
    """How far each KPI with a target is from it, signed so that a positive gap is worse.

    Parameters
    ----------
    scorecard : DataFrame
        :func:`kit.scorecard` output (``kpi``, ``value``, ``n``, ``target``, ``status``, ``period``…).
        When a KPI appears for several periods the latest period is used.
    config : AnalysisConfig
        Supplies targets missing from the scorecard and the direction of each KPI.

    Returns
    -------
    DataFrame
        ``kpi, label, period, value, target, direction, gap, relative_gap, status, severity, n``, one
        row per KPI with a target, largest severity first (then kpi id). ``gap`` = target − value
        when higher is better, value − target when lower is better; ``relative_gap`` = gap / |target|;
        ``severity`` in 0…1 = relative gap clipped to 0…1 for a missed target, half of it for an
        inconclusive one (the interval includes the target), 0 when the target is met or there is
        no data. A target of 0 has no relative gap; a missed one then counts as severity 1.

    Examples
    --------
    >>> from kit.config import AnalysisConfig
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "S"}, "targets": {"nps": {"target": 30}},
    ...     "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})
    >>> sc = pd.DataFrame({"kpi": ["nps"], "value": [24.0], "n": [400], "target": [30.0], "status": ["missed"]})
    >>> kpi_gaps(sc, cfg)[["gap", "relative_gap", "severity"]].round(2).values.tolist()
    [[6.0, 0.2, 0.2]]
    """
    columns = ["kpi", "label", "period", "value", "target", "direction", "gap", "relative_gap", "status",
               "severity", "n"]
    frame = scorecard.copy()
    if "period" in frame.columns:
        frame = frame.sort_values("period", kind="mergesort").drop_duplicates("kpi", keep="last")
    rows = []
    for rec in frame.to_dict("records"):
        kpi = str(rec["kpi"])
        target = rec.get("target", math.nan)
        if (target is None or pd.isna(target)) and kpi in config.targets:
            target = config.targets[kpi].target
        if target is None or pd.isna(target):
            continue
        direction = config.direction(kpi) if kpi in DEFINITIONS else "higher"
        value = rec.get("value", math.nan)
        value = math.nan if value is None or pd.isna(value) else float(value)
        gap = (target - value) if direction == "higher" else (value - target)
        relative = gap / abs(target) if target != 0 else math.nan
        status = str(rec.get("status") or ("no_data" if math.isnan(value) else
                                           ("missed" if gap > 0 else "met")))
        size = (1.0 if gap > 0 else 0.0) if math.isnan(relative) else min(max(relative, 0.0), 1.0)
        if math.isnan(value) or status in ("met", "no_data", "no_target"):
            size = 0.0
        elif status == "inconclusive":
            size *= 0.5
        label = rec.get("label")
        label = label if isinstance(label, str) and label else _kpi_label(kpi, "en")
        rows.append({"kpi": kpi, "label": label, "period": rec.get("period"),
                     "value": value, "target": float(target), "direction": direction, "gap": gap,
                     "relative_gap": relative, "status": status, "severity": size, "n": rec.get("n", math.nan)})
    out = pd.DataFrame(rows, columns=columns)
    out["_key"] = out["severity"].round(_FLOAT_DIGITS)
    out = out.sort_values(["_key", "kpi"], ascending=[False, True], kind="mergesort")
    return out.drop(columns="_key").reset_index(drop=True)


def _kpi_label(kpi: str, lang: str) -> str:
    d = DEFINITIONS.get(kpi)
    if d is None:
        return kpi
    return d.label_de if lang == "de" else d.label


# ---------------------------------------------------------------------------------------------
# evidence


def theme_stats(coded: pd.DataFrame, *, n_texts: int | None = None) -> pd.DataFrame:
    """Mentions and negativity per theme from coded texts.

    Parameters
    ----------
    coded : DataFrame
        :func:`kit.interviews.code_texts` output: one row per coded sentence with ``text_id``,
        ``theme`` and ``polarity`` (``negative`` / ``positive`` / ``neutral``).
    n_texts : int, optional
        Number of texts that were coded, including those without any theme (they have no row in
        ``coded``). Default: the distinct ``text_id`` in ``coded``.

    Returns
    -------
    DataFrame
        ``theme, mentions, negative, texts, frequency, negativity, negative_share``: texts
        mentioning the theme, texts mentioning it negatively, texts coded, mentions / texts,
        negative / mentions, and negative / texts (= frequency × negativity), most negative first.

    Examples
    --------
    >>> c = pd.DataFrame({"text_id": [1, 1, 2, 3], "theme": ["delivery", "delivery", "delivery", "price"],
    ...                   "polarity": ["negative", "positive", "positive", "negative"]})
    >>> theme_stats(c, n_texts=4)[["theme", "mentions", "negative", "negative_share"]].values.tolist()
    [['delivery', 2, 1, 0.25], ['price', 1, 1, 0.25]]
    """
    columns = ["theme", "mentions", "negative", "texts", "frequency", "negativity", "negative_share"]
    if coded is None or coded.empty:
        return pd.DataFrame(columns=columns)
    texts = int(n_texts) if n_texts is not None else int(coded["text_id"].nunique())
    mentions = coded.groupby("theme")["text_id"].nunique()
    negative = coded[coded["polarity"].astype(str) == "negative"].groupby("theme")["text_id"].nunique()
    out = pd.DataFrame({"mentions": mentions, "negative": negative.reindex(mentions.index, fill_value=0)})
    out = out.rename_axis("theme").reset_index()
    out["theme"] = out["theme"].astype(str)
    out["texts"] = texts
    out["frequency"] = out["mentions"] / texts
    out["negativity"] = out["negative"] / out["mentions"]
    out["negative_share"] = out["negative"] / texts
    out = out.sort_values(["negative", "theme"], ascending=[False, True], kind="mergesort")
    return out.reset_index(drop=True)[columns]


@dataclass(frozen=True)
class Evidence:
    """Everything the action plan is scored on; each part is optional.

    Attributes
    ----------
    kpi_gaps : DataFrame or None
        :func:`kpi_gaps` output.
    drivers : DataFrame or None
        :attr:`kit.drivers.KeyDrivers.summary` (``driver`` ids as in the surveys, e.g. ``driver_delivery``).
    driver_outcome : str
        What the drivers explain, as printed (``"NPS"``).
    driver_n : int
        Complete answers behind the driver analysis.
    themes : DataFrame or None
        :func:`theme_stats` output.
    theme_base : str
        What the themes were counted in, as printed (``"detractor comments"``).
    complaints : DataFrame or None
        ``category``, ``complaints`` (and ``share``), e.g. :func:`kit.complaints_by_category`.
    customers : DataFrame or None
        Long table ``customer_id, kind, problem, value_at_risk``: the customers each problem
        touches (``kind`` in ``driver``, ``theme``, ``complaint_category``, ``segment``).
    value_total : float
        Total value at risk over all customers (the denominator of ``impact_value``).
    value_basis : str
        How value at risk was measured, as printed.
    min_n : int
        Observations at which a count-based piece of evidence gets full confidence.
    notes : tuple of str
        What is missing ("no driver analysis: no survey drivers").
    """

    kpi_gaps: pd.DataFrame | None = None
    drivers: pd.DataFrame | None = None
    driver_outcome: str = "NPS"
    driver_n: int = 0
    themes: pd.DataFrame | None = None
    theme_base: str = "coded texts"
    complaints: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None
    value_total: float = math.nan
    value_basis: str = ""
    min_n: int = 30
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """One row per impact component: whether it has evidence, its size, and the notes.

        Examples
        --------
        >>> Evidence().to_frame()["available"].tolist()
        [False, False, False, False, False]
        """
        have = set(self.available())
        size = {"kpi": _rows(self.kpi_gaps), "driver": _rows(self.drivers), "theme": _rows(self.themes),
                "complaints": _rows(self.complaints), "value": _rows(self.customers)}
        basis = {"kpi": "KPIs with a target", "driver": f"drivers of {self.driver_outcome} (n = {self.driver_n:,})",
                 "theme": f"themes in {self.theme_base}", "complaints": "complaint categories",
                 "value": f"customer-problem links ({self.value_basis or 'no customer values'})"}
        return pd.DataFrame({"component": list(COMPONENTS), "available": [c in have for c in COMPONENTS],
                             "rows": [size[c] for c in COMPONENTS], "basis": [basis[c] for c in COMPONENTS]})

    def __repr__(self) -> str:
        have = ", ".join(self.available()) or "none"
        notes = "; ".join(self.notes)
        return f"Evidence(available: {have}" + (f"; {notes}" if notes else "") + ")"

    def _repr_html_(self) -> str:
        import html

        notes = "".join(f"<br><small>{html.escape(n)}</small>" for n in self.notes)
        return self.to_frame().to_html(index=False) + notes

    def available(self) -> list[str]:
        """The impact components that have evidence."""
        have = {"kpi": _has(self.kpi_gaps), "driver": _has(self.drivers), "theme": _has(self.themes),
                "complaints": _has(self.complaints),
                "value": _has(self.customers) and self.value_total > 0}
        return [c for c in COMPONENTS if have[c]]


def _has(frame: pd.DataFrame | None) -> bool:
    return frame is not None and not frame.empty


def _rows(frame: pd.DataFrame | None) -> int:
    return 0 if frame is None else len(frame)


def gather_evidence(*, scorecard: pd.DataFrame | None = None, config: AnalysisConfig | None = None,
                    drivers: Any = None, driver_outcome: str = "NPS", driver_n: int | None = None,
                    coded: pd.DataFrame | None = None,
                    n_texts: int | None = None, theme_base: str = "coded texts",
                    complaints: pd.DataFrame | None = None, customer_values: pd.DataFrame | None = None,
                    surveys: pd.DataFrame | None = None, tickets: pd.DataFrame | None = None,
                    segments: Mapping[str, Iterable[str]] | None = None, data: Any = None, as_of: Any = None,
                    low_rating: float = 2, min_n: int | None = None) -> Evidence:
    """Collect the evidence the action plan is scored on; any input may be missing.

    Parameters
    ----------
    scorecard : DataFrame, optional
        :func:`kit.scorecard` output; needs ``config`` for the gaps.
    config : AnalysisConfig, optional
        Targets, directions and ``thresholds.min_n``.
    drivers : KeyDrivers or DataFrame, optional
        A fitted :class:`kit.drivers.KeyDrivers` or its ``summary``.
    driver_outcome : str
        What the drivers explain, as printed in the ``why`` text.
    driver_n : int, optional
        Complete answers behind the drivers (default: ``drivers.n_``; unknown for a bare summary,
        which then gets no small-sample discount).
    coded : DataFrame, optional
        :func:`kit.interviews.code_texts` output (``text_id, theme, polarity``; with a
        ``customer_id`` column the themes also count towards customers touched).
    n_texts : int, optional
        Texts coded, including those without a theme (see :func:`theme_stats`).
    theme_base : str
        What ``coded`` holds, as printed (``"detractor comments"``, ``"interviews"``).
    complaints : DataFrame, optional
        ``category, complaints`` per complaint category (:func:`kit.complaints_by_category`).
    customer_values : DataFrame, optional
        ``customer_id, value_at_risk`` (:func:`kit.customer_value`); needed for ``impact_value``.
    surveys, tickets : DataFrame, optional
        Tidy tables used to find the customers each problem touches: a customer is touched by a
        driver when their latest rating of it is ``<= low_rating``, by a complaint category when
        they opened a complaint in it.
    segments : mapping, optional
        Segment name (``at_risk``, ``lapsed``, ``advocates``) -> customer ids (not pseudonymised),
        for actions that address segments. Given ``data``, ``config`` and ``as_of``, the three are
        built from :func:`watch_list`, :func:`winback_list` and :func:`advocates` (entries given here win).
    data : LoyaltyData, optional
        The tidy tables, for the segments.
    as_of : date-like, optional
        Reference date of the segments.
    low_rating : float
        Driver ratings at or below this count as a problem for the customer.
    min_n : int, optional
        Count at which evidence gets full confidence (default ``config.thresholds.min_n`` or 30).

    Returns
    -------
    Evidence

    Examples
    --------
    >>> ev = gather_evidence(complaints=pd.DataFrame({"category": ["delivery", "billing"],
    ...                                               "complaints": [30, 10]}))
    >>> ev.complaints["share"].tolist(), ev.available()
    ([0.75, 0.25], ['complaints'])
    """
    notes: list[str] = []
    gaps = None
    if scorecard is not None and config is not None:
        gaps = kpi_gaps(scorecard, config)
    if not _has(gaps):
        notes.append("no KPI gaps: no scorecard with targets")
    summary = None
    if drivers is None:
        driver_n = 0
    else:
        summary = drivers.summary if hasattr(drivers, "summary") else drivers
        driver_n = int(getattr(drivers, "n_", 0)) if driver_n is None else int(driver_n)
    if not _has(summary):
        notes.append("no driver analysis: no survey drivers" if drivers is None
                     else "no driver analysis: " + str(getattr(drivers, "note_", "empty result")))
        summary = None
    themes = theme_stats(coded, n_texts=n_texts) if coded is not None else None
    if not _has(themes):
        notes.append("no theme evidence: no coded texts")
        themes = None
    comp = None
    if complaints is not None and not complaints.empty:
        count = "complaints" if "complaints" in complaints.columns else "count"
        comp = complaints.rename(columns={count: "complaints"}).copy()
        comp["category"] = comp["category"].astype(str)
        comp["share"] = comp["complaints"] / comp["complaints"].sum()
    else:
        notes.append("no complaint evidence: no complaint tickets")
    if data is not None and config is not None and as_of is not None:
        segments = {**_segments(data, config, as_of, customer_values), **(segments or {})}
    customers, total, basis = _touched_customers(customer_values, surveys, tickets, coded, segments,
                                                 summary, low_rating, notes)
    if min_n is None:
        min_n = config.thresholds.min_n if config is not None else 30
    return Evidence(kpi_gaps=gaps, drivers=summary, driver_outcome=driver_outcome, driver_n=driver_n,
                    themes=themes, theme_base=theme_base, complaints=comp, customers=customers,
                    value_total=total, value_basis=basis, min_n=int(min_n), notes=tuple(notes))


def _segments(data: Any, config: AnalysisConfig, as_of: Any,
              customer_values: pd.DataFrame | None) -> dict[str, list[str]]:
    """The customers of the three list segments, with their real ids (for linking, never exported)."""
    plain = config.model_copy(update={"privacy": config.privacy.model_copy(update={"pseudonymise": False})})
    return {"at_risk": watch_list(data, plain, as_of=as_of, customer_values=customer_values)["customer_id"].tolist(),
            "lapsed": winback_list(data, plain, as_of=as_of)["customer_id"].tolist(),
            "advocates": advocates(data, plain, as_of=as_of)["customer_id"].tolist()}


def _touched_customers(values: pd.DataFrame | None, surveys: pd.DataFrame | None, tickets: pd.DataFrame | None,
                       coded: pd.DataFrame | None, segments: Mapping[str, Iterable[str]] | None,
                       drivers: pd.DataFrame | None, low_rating: float,
                       notes: list[str]) -> tuple[pd.DataFrame | None, float, str]:
    if values is None or values.empty or "value_at_risk" not in values.columns:
        notes.append("no value at risk: no customer values")
        return None, math.nan, ""
    value = values.groupby(values["customer_id"].astype(str))["value_at_risk"].sum().clip(lower=0)
    parts: list[pd.DataFrame] = []
    if surveys is not None and "customer_id" in surveys.columns:
        latest = surveys.dropna(subset=["customer_id"]).sort_values("responded_at", kind="mergesort")
        driver_cols = [c for c in surveys.columns if c.startswith("driver_")]
        if drivers is not None:
            driver_cols = [c for c in driver_cols if c in set(drivers["driver"])]
        for col in driver_cols:
            last = latest.dropna(subset=[col]).groupby("customer_id")[col].last()
            ids = last.index[last <= low_rating].astype(str)
            parts.append(pd.DataFrame({"customer_id": ids, "kind": "driver", "problem": col}))
    if tickets is not None and {"customer_id", "category"} <= set(tickets.columns):
        comp = tickets[tickets["is_complaint"].fillna(False).astype(bool)] if "is_complaint" in tickets else tickets
        comp = comp.dropna(subset=["customer_id"])
        parts.append(pd.DataFrame({"customer_id": comp["customer_id"].astype(str), "kind": "complaint_category",
                                   "problem": comp["category"].astype(str)}))
    if coded is not None and "customer_id" in coded.columns:
        neg = coded[coded["polarity"].astype(str) == "negative"].dropna(subset=["customer_id"])
        parts.append(pd.DataFrame({"customer_id": neg["customer_id"].astype(str), "kind": "theme",
                                   "problem": neg["theme"].astype(str)}))
    for name, ids in (segments or {}).items():
        ids = pd.Series(list(ids), dtype="str")
        parts.append(pd.DataFrame({"customer_id": ids, "kind": "segment", "problem": str(name)}))
    if not parts:
        notes.append("no value at risk: no tables to link customers to problems")
        return None, float(value.sum()), ""
    touched = pd.concat(parts, ignore_index=True).drop_duplicates()
    touched["value_at_risk"] = touched["customer_id"].map(value).fillna(0.0)
    touched = touched.sort_values(["kind", "problem", "customer_id"], kind="mergesort").reset_index(drop=True)
    return touched, float(value.sum()), "predicted value at risk (CLV model)"


# ---------------------------------------------------------------------------------------------
# the action plan

_TEXT = {
    "en": {"strongest": "strongest {o} driver", "rank": "{o} driver #{k} of {p}",
           "r2": "{s} of R², 95 % CI {lo}–{hi} %", "complaints": "{s} of complaints",
           "theme": "mentioned negatively in {s} of {base}", "kpi": "{label} {v} vs target {t}",
           "value": "customers holding {s} of value at risk",
           "missing": "{kind} '{id}' not in the evidence", "none": "no evidence for this action",
           "no_kind": "no {kind} evidence",
           "kinds": {"driver": "driver", "theme": "theme", "complaint_category": "complaint category",
                     "segment": "segment", "kpi": "KPI"}},
    "de": {"strongest": "stärkster {o}-Treiber", "rank": "{o}-Treiber Nr. {k} von {p}",
           "r2": "{s} von R², 95-%-KI {lo}–{hi} %", "complaints": "{s} der Beschwerden",
           "theme": "negativ erwähnt in {s} der {base}", "kpi": "{label} {v} statt Ziel {t}",
           "value": "Kunden mit {s} des gefährdeten Werts",
           "missing": "{kind} '{id}' nicht in den Befunden", "none": "keine Befunde für diese Maßnahme",
           "no_kind": "keine Befunde zu {kind}",
           "kinds": {"driver": "Treiber", "theme": "Thema", "complaint_category": "Beschwerdekategorie",
                     "segment": "Segment", "kpi": "KPI"}},
}


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _number(value: float, unit: str, lang: str) -> str:
    text = format_value(value, unit)
    return text.translate(str.maketrans({".": ",", ",": "."})) if lang == "de" else text


def _score_action(action: Action, ev: Evidence, text: dict[str, Any], lang: str,
                  weights: Mapping[str, float]) -> dict[str, Any]:
    a = action.addresses
    impact = dict.fromkeys(COMPONENTS, 0.0)
    conf = dict.fromkeys(COMPONENTS, 0.0)
    why: list[tuple[float, str]] = []
    notes: list[str] = []
    kinds = text["kinds"]

    def missing(kind: str, ids: Iterable[str]) -> None:
        notes.extend(text["missing"].format(kind=kinds[kind], id=i) for i in ids)

    if a.kpis and _has(ev.kpi_gaps):
        gaps = ev.kpi_gaps.set_index("kpi")
        found = [k for k in a.kpis if k in gaps.index]
        missing("kpi", [k for k in a.kpis if k not in gaps.index])
        if found:
            sub = gaps.loc[found].sort_values("severity", ascending=False, kind="mergesort")
            top = sub.iloc[0]
            impact["kpi"] = float(top["severity"])
            n = top["n"]
            conf["kpi"] = 1.0 if pd.isna(n) else min(1.0, float(n) / ev.min_n)
            if impact["kpi"] > 0:
                unit = DEFINITIONS[top.name].unit if top.name in DEFINITIONS else ""
                why.append((impact["kpi"], text["kpi"].format(label=_kpi_label(str(top.name), lang),
                                                             v=_number(top["value"], unit, lang),
                                                             t=_number(top["target"], unit, lang))))
    if a.drivers and _has(ev.drivers):
        d = ev.drivers.set_index("driver")
        found = [x for x in a.drivers if x in d.index]
        missing("driver", [x for x in a.drivers if x not in d.index])
        if found:
            sub = d.loc[found]
            impact["driver"] = float(min(1.0, sub["importance"].sum()))
            half = ((sub["ci_high"] - sub["ci_low"]) / 2).to_numpy()
            imp = sub["importance"].to_numpy()
            if np.isfinite(half).all() and imp.sum() > 0:
                precision = float(np.clip(1 - half / np.where(imp > 0, imp, np.nan), 0, 1).mean())
            else:
                precision = 1.0
            size = min(1.0, ev.driver_n / 100) if ev.driver_n else 1.0
            conf["driver"] = precision * size
            best = sub.sort_values("importance", ascending=False, kind="mergesort").iloc[0]
            p = len(d)
            head = (text["strongest"].format(o=ev.driver_outcome) if int(best["rank"]) == 1
                    else text["rank"].format(o=ev.driver_outcome, k=int(best["rank"]), p=p))
            detail = text["r2"].format(s=_pct(best["importance"]), lo=f"{100 * best['ci_low']:.0f}",
                                       hi=f"{100 * best['ci_high']:.0f}") if pd.notna(best["ci_low"]) else _pct(
                best["importance"]) + " R²"
            why.append((impact["driver"], f"{head} ({detail})"))
    if a.themes and _has(ev.themes):
        t = ev.themes.set_index("theme")
        found = [x for x in a.themes if x in t.index]
        missing("theme", [x for x in a.themes if x not in t.index])
        if found:
            sub = t.loc[found]
            impact["theme"] = float(min(1.0, sub["negative_share"].sum()))
            conf["theme"] = min(1.0, float(sub["negative"].sum()) / ev.min_n)
            if impact["theme"] > 0:
                why.append((impact["theme"], text["theme"].format(s=_pct(impact["theme"]), base=ev.theme_base)))
    if a.complaint_categories and _has(ev.complaints):
        c = ev.complaints.set_index("category")
        found = [x for x in a.complaint_categories if x in c.index]
        missing("complaint_category", [x for x in a.complaint_categories if x not in c.index])
        if found:
            sub = c.loc[found]
            impact["complaints"] = float(min(1.0, sub["share"].sum()))
            conf["complaints"] = min(1.0, float(sub["complaints"].sum()) / ev.min_n)
            if impact["complaints"] > 0:
                why.append((impact["complaints"], text["complaints"].format(s=_pct(impact["complaints"]))))
    if _has(ev.customers) and ev.value_total > 0:
        wanted = ([("driver", x) for x in a.drivers] + [("theme", x) for x in a.themes]
                  + [("complaint_category", x) for x in a.complaint_categories]
                  + [("segment", x) for x in a.segments])
        known_segments = set(ev.customers.loc[ev.customers["kind"] == "segment", "problem"])
        missing("segment", [x for x in a.segments if x not in known_segments])
        keys = pd.MultiIndex.from_frame(ev.customers[["kind", "problem"]])
        touched = ev.customers[keys.isin(wanted)] if wanted else ev.customers.iloc[:0]
        per_customer = touched.drop_duplicates("customer_id")
        impact["value"] = float(min(1.0, per_customer["value_at_risk"].sum() / ev.value_total))
        conf["value"] = min(1.0, len(per_customer) / ev.min_n)
        if impact["value"] > 0:
            why.append((impact["value"], text["value"].format(s=_pct(impact["value"]))))
    for kind, ids in (("driver", a.drivers), ("theme", a.themes), ("complaint_category", a.complaint_categories),
                      ("kpi", a.kpis), ("segment", a.segments)):
        source = {"driver": ev.drivers, "theme": ev.themes, "complaint_category": ev.complaints,
                  "kpi": ev.kpi_gaps, "segment": ev.customers}[kind]
        if ids and not _has(source):
            notes.append(text["no_kind"].format(kind=kinds[kind]))
    available = ev.available()
    w = {c: float(weights.get(c, 1.0)) for c in available}
    total = sum(w[c] * impact[c] for c in available)
    overall = total / sum(w.values()) if available and sum(w.values()) > 0 else 0.0
    confidence = sum(w[c] * impact[c] * conf[c] for c in available) / total if total > 0 else 0.0
    why.sort(key=lambda item: -item[0])
    topic = (a.drivers[0].removeprefix("driver_") if a.drivers else a.themes[0] if a.themes
             else a.complaint_categories[0] if a.complaint_categories else "")
    sentence = ", ".join(w for _, w in why) or text["none"]
    if topic and why:
        sentence = f"{topic}: {sentence}"
    row = {f"impact_{c}": impact[c] for c in COMPONENTS}
    row.update({"impact": overall})
    row.update({f"confidence_{c}": conf[c] for c in COMPONENTS})
    row.update({"confidence": confidence, "score": overall * confidence / action.effort,
                "why": sentence, "notes": "; ".join(dict.fromkeys(notes))})
    return row


def prioritise_actions(config: AnalysisConfig, evidence: Evidence | None = None, *, lang: str = "en",
                       weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Rank the action catalogue by impact × confidence / effort, every component shown.

    Parameters
    ----------
    config : AnalysisConfig
        Its ``actions`` are the catalogue.
    evidence : Evidence, optional
        From :func:`gather_evidence`; missing evidence scores 0 and is named in ``notes``.
    lang : {"en", "de"}
        Language of ``title``, ``why`` and ``notes``.
    weights : mapping, optional
        Weight per impact component (default 1 each; see :data:`COMPONENTS`). Impact is the
        weighted mean over the components that have evidence; confidence weighs each component by
        weight × impact.

    Returns
    -------
    DataFrame
        ``rank, action_id, title, owner, effort, cost, due``, then ``impact_<component>``,
        ``impact``, ``confidence_<component>``, ``confidence``, ``score``, ``why``, ``notes``.
        Order: score descending, then effort ascending, then id, so the same input always
        gives the same order. Ready for ``to_csv`` (``actions.csv``).

    Examples
    --------
    >>> from kit.config import AnalysisConfig
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "S"},
    ...     "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}},
    ...     "actions": [{"id": "a", "title": "A", "addresses": {"complaint_categories": ["delivery"]}},
    ...                 {"id": "b", "title": "B", "addresses": {"complaint_categories": ["billing"]}}]})
    >>> ev = gather_evidence(complaints=pd.DataFrame({"category": ["delivery", "billing"],
    ...                                               "complaints": [30, 10]}))
    >>> prioritise_actions(cfg, ev)[["action_id", "impact", "score"]].round(3).values.tolist()
    [['a', 0.75, 0.25], ['b', 0.25, 0.028]]
    """
    language = "de" if lang == "de" else "en"
    ev = evidence if evidence is not None else Evidence(notes=("no evidence",))
    if weights:
        unknown = set(weights) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"unknown impact component(s) {sorted(unknown)}; valid: {', '.join(COMPONENTS)}")
        if any(v < 0 for v in weights.values()):
            raise ValueError(f"impact weights must be 0 or more, found {dict(weights)}")
    rows = []
    for action in config.actions:
        row = _score_action(action, ev, _TEXT[language], language, weights or {})
        title = action.title_de if language == "de" and action.title_de else action.title
        rows.append({"action_id": action.id, "title": title, "owner": action.owner, "effort": action.effort,
                     "cost": action.cost, "due": action.due, **row})
    columns = (["rank", "action_id", "title", "owner", "effort", "cost", "due"]
               + [f"impact_{c}" for c in COMPONENTS] + ["impact"]
               + [f"confidence_{c}" for c in COMPONENTS] + ["confidence", "score", "why", "notes"])
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=columns)
    out["_key"] = out["score"].round(_FLOAT_DIGITS)
    out = out.sort_values(["_key", "effort", "action_id"], ascending=[False, True, True], kind="mergesort")
    out["rank"] = np.arange(1, len(out) + 1)
    return out.drop(columns="_key").reset_index(drop=True)[columns]


# ---------------------------------------------------------------------------------------------
# customer lists


def _cut(as_of: Any) -> pd.Timestamp:
    """The first instant after ``as_of``: a date includes its whole day, a timestamp is used as it is."""
    stamp = pd.Timestamp(as_of)
    if stamp.tzinfo is not None:
        raise ValueError(f"as_of must be a naive date in the business time zone, found {as_of!r}")
    return stamp + pd.Timedelta(days=1) if stamp == stamp.normalize() else stamp


def _order_history(data: Any, cut: pd.Timestamp) -> pd.DataFrame:
    """Per customer: orders, net revenue and last order date before ``cut``."""
    orders = data.orders
    columns = ["orders", "net_revenue", "last_order"]
    if orders is None or orders.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], dtype="str", name="customer_id"))
    o = orders[orders["order_date"] < cut]
    refund = o["refund_amount"].fillna(0.0) if "refund_amount" in o.columns else 0.0
    net = (o["revenue"] - refund).rename("net")
    frame = pd.DataFrame({"customer_id": o["customer_id"].astype(str), "net": net, "date": o["order_date"]})
    g = frame.groupby("customer_id")
    return pd.DataFrame({"orders": g.size(), "net_revenue": g["net"].sum(), "last_order": g["date"].max()})


def _latest_answers(data: Any, cut: pd.Timestamp, since: pd.Timestamp | None = None) -> pd.DataFrame:
    surveys = data.surveys
    if surveys is None or surveys.empty or "customer_id" not in surveys.columns:
        return pd.DataFrame(columns=["nps", "rating"], index=pd.Index([], dtype="str", name="customer_id"))
    s = surveys[(surveys["responded_at"] < cut) & surveys["customer_id"].notna()]
    if since is not None:
        s = s[s["responded_at"] >= since]
    s = s.assign(customer_id=s["customer_id"].astype(str)).sort_values(["responded_at", "customer_id"],
                                                                       kind="mergesort")
    cols = [c for c in ("nps", "rating") if c in s.columns]
    # the latest answer per customer, score by score (a later answer without stars keeps the earlier stars)
    latest = s.groupby("customer_id")[cols].last()
    for c in ("nps", "rating"):
        if c not in latest.columns:
            latest[c] = np.nan
    return latest[["nps", "rating"]]


def _exited(data: Any, cut: pd.Timestamp) -> pd.DataFrame:
    exits = data.exits
    if exits is None or exits.empty:
        return pd.DataFrame(columns=["exit_date", "exit_category", "exit_reason"],
                            index=pd.Index([], dtype="str", name="customer_id"))
    e = exits[exits["exit_date"] < cut].sort_values("exit_date", kind="mergesort")
    e = e.assign(customer_id=e["customer_id"].astype(str)).drop_duplicates("customer_id", keep="last")
    out = pd.DataFrame({"exit_date": e["exit_date"].to_numpy()}, index=pd.Index(e["customer_id"], name="customer_id"))
    out["exit_category"] = e["category"].to_numpy() if "category" in e.columns else None
    out["exit_reason"] = e["reason"].to_numpy() if "reason" in e.columns else None
    return out


def _lapsed(history: pd.DataFrame, config: AnalysisConfig, cut: pd.Timestamp) -> pd.Index:
    """Lost by the inactivity rule before ``cut``: last order + inactivity_days has passed (as kit.metrics.behaviour)."""
    limit = cut - pd.Timedelta(days=config.thresholds.inactivity_days)
    return history.index[history["last_order"] < limit]


def _finish(frame: pd.DataFrame, config: AnalysisConfig, sort: list[str], ascending: list[bool]) -> pd.DataFrame:
    frame = frame.sort_values(sort, ascending=ascending, kind="mergesort").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    if config.privacy.pseudonymise:
        frame["customer_id"] = pseudonymise(frame["customer_id"], salt=config.privacy.salt)
    return frame


def watch_list(data: Any, config: AnalysisConfig, *, as_of: Any, customer_values: pd.DataFrame | None = None,
               value: Literal["value_at_risk", "clv"] = "value_at_risk", complaint_days: int = 90,
               survey_days: int = 365, p_alive_max: float = 0.5) -> pd.DataFrame:
    """Active customers showing warning signs, most value at risk first.

    A customer is on the list for any of these reason codes:
    ``detractor`` (latest NPS answer 0-6), ``stars<=3`` (latest star rating at or below
    ``thresholds.star_at_risk_max``; the code shows the configured number), ``low p_alive``
    (model P(alive) below ``p_alive_max``, when ``customer_values`` is given), ``open complaint``
    (a complaint ticket not resolved by ``as_of``) and ``recent complaint`` (a complaint opened in
    the last ``complaint_days``). Survey answers count when given within ``survey_days`` before
    ``as_of``. Customers who have already left (an exit, or no order for ``inactivity_days``)
    belong on :func:`winback_list` instead and are left out.

    Parameters
    ----------
    data : LoyaltyData
        The tidy tables (surveys, tickets, orders, exits, customers; any may be missing).
    config : AnalysisConfig
        Thresholds, CLV margin and privacy settings.
    as_of : date-like
        The reference date (naive, business time zone); a date includes its whole day.
    customer_values : DataFrame, optional
        :func:`kit.customer_value` output (``customer_id, p_alive, value_at_risk``). Without it,
        value at risk falls back to historical net revenue × margin (``value_basis`` says which).
    value : {"value_at_risk", "clv"}
        Column of ``customer_values`` to rank by. ``value_at_risk`` (= CLV × (1 − P(alive))) is the
        model's expected loss, which ignores the warning signs themselves and is highest for
        customers who may already be gone; ``clv`` is everything a flagged customer could take with
        them, which favours recently active, valuable customers who can still be reached.
    complaint_days, survey_days : int
        Windows for recent complaints and for survey answers.
    p_alive_max : float
        P(alive) below this is a warning sign.

    Returns
    -------
    DataFrame
        ``rank, customer_id, reasons, n_reasons, value_at_risk, value_basis, segment, nps,
        rating, p_alive, open_complaints, last_order``; ids pseudonymised unless
        ``privacy.pseudonymise`` is false. Order: value at risk desc, reasons desc, id.

    Examples
    --------
    >>> from kit.tables import LoyaltyData
    >>> from kit.config import AnalysisConfig
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "S"}, "privacy": {"pseudonymise": False},
    ...     "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})
    >>> d = LoyaltyData(orders=pd.DataFrame({"order_id": ["1", "2"], "customer_id": ["A", "B"],
    ...         "order_date": pd.to_datetime(["2026-09-01", "2026-09-02"]), "revenue": [100.0, 50.0]}),
    ...     surveys=pd.DataFrame({"customer_id": ["A", "B"], "responded_at": pd.to_datetime(["2026-09-10"] * 2),
    ...                           "nps": [3.0, 9.0], "rating": [2.0, 5.0]}))
    >>> watch_list(d, cfg, as_of="2026-09-30")[["customer_id", "reasons", "value_at_risk"]].values.tolist()
    [['A', 'detractor;stars<=3', 30.0]]
    """
    cut = _cut(as_of)
    history = _order_history(data, cut)
    answers = _latest_answers(data, cut, since=cut - pd.Timedelta(days=survey_days))
    at_risk_max = config.thresholds.star_at_risk_max
    flags: dict[str, pd.Index] = {
        "detractor": answers.index[answers["nps"] <= 6],
        f"stars<={at_risk_max}": answers.index[answers["rating"] <= at_risk_max],
    }
    p_alive = pd.Series(dtype="float64")
    if customer_values is not None and "p_alive" in customer_values.columns:
        cv = customer_values.assign(customer_id=customer_values["customer_id"].astype(str)).set_index("customer_id")
        p_alive = cv["p_alive"]
        flags["low p_alive"] = p_alive.index[p_alive < p_alive_max]
    open_count = pd.Series(dtype="int64")
    tickets = data.tickets
    if tickets is not None and not tickets.empty and "customer_id" in tickets.columns:
        t = tickets[(tickets["opened_at"] < cut) & tickets["customer_id"].notna()]
        if "is_complaint" in t.columns:
            t = t[t["is_complaint"].fillna(False).astype(bool)]
        t = t.assign(customer_id=t["customer_id"].astype(str))
        unresolved = (t["resolved_at"].isna() | (t["resolved_at"] >= cut)) if "resolved_at" in t.columns \
            else pd.Series(True, index=t.index)
        open_count = t[unresolved].groupby("customer_id").size()
        flags["open complaint"] = open_count.index
        recent = t[t["opened_at"] >= cut - pd.Timedelta(days=complaint_days)]
        flags["recent complaint"] = pd.Index(recent["customer_id"].unique())
    gone = _exited(data, cut).index.union(_lapsed(history, config, cut))
    ids = sorted(set().union(*[set(v) for v in flags.values()]) - set(gone))
    columns = ["rank", "customer_id", "reasons", "n_reasons", "value_at_risk", "value_basis", "segment", "nps",
               "rating", "p_alive", "open_complaints", "last_order"]
    if not ids:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame({"customer_id": ids})
    sets = {k: set(v) for k, v in flags.items()}
    frame["reasons"] = [";".join(k for k in flags if cid in sets[k]) for cid in ids]
    frame["n_reasons"] = frame["reasons"].str.count(";") + 1
    margin = config.clv.margin
    historical = frame["customer_id"].map(history["net_revenue"]).fillna(0.0).clip(lower=0) * margin
    if value not in ("value_at_risk", "clv"):
        raise ValueError(f"value must be 'value_at_risk' or 'clv', found {value!r}")
    predicted = (frame["customer_id"].map(customer_values.assign(
        customer_id=customer_values["customer_id"].astype(str)).set_index("customer_id")[value])
                 if customer_values is not None and value in customer_values.columns
                 else pd.Series(np.nan, index=frame.index))
    frame["value_at_risk"] = predicted.fillna(historical).astype("float64")
    frame["value_basis"] = np.where(predicted.notna(), "predicted value at risk (CLV model)" if value ==
                                    "value_at_risk" else "predicted CLV (CLV model)",
                                    f"historical net revenue × margin {margin:g} (fallback)")
    customers = data.customers
    frame["segment"] = (frame["customer_id"].map(customers.assign(customer_id=customers["customer_id"].astype(str))
                                                 .set_index("customer_id")["segment"])
                        if customers is not None and "segment" in customers.columns else None)
    frame["nps"] = frame["customer_id"].map(answers["nps"])
    frame["rating"] = frame["customer_id"].map(answers["rating"])
    frame["p_alive"] = frame["customer_id"].map(p_alive) if len(p_alive) else np.nan
    frame["open_complaints"] = frame["customer_id"].map(open_count).fillna(0).astype("int64")
    frame["last_order"] = frame["customer_id"].map(history["last_order"])
    out = _finish(frame, config, ["value_at_risk", "n_reasons", "customer_id"], [False, False, True])
    return out[columns]


def winback_list(data: Any, config: AnalysisConfig, *, as_of: Any) -> pd.DataFrame:
    """Lapsed customers worth winning back, highest past net value first.

    Lapsed = an exit recorded by ``as_of``, or lost by the inactivity rule: ``thresholds.inactivity_days``
    have passed since the last order (the rule of :mod:`kit.metrics.behaviour`).

    Parameters
    ----------
    data : LoyaltyData
        Orders and exits (either may be missing).
    config : AnalysisConfig
        Inactivity rule, CLV margin and privacy settings.
    as_of : date-like
        The reference date (naive, business time zone); a date includes its whole day.

    Returns
    -------
    DataFrame
        ``rank, customer_id, status`` (``exited`` / ``inactive``), ``last_order, days_inactive, orders,
        net_revenue, past_value`` (net revenue × margin), ``exit_date, exit_category, exit_reason``
        (personal data scrubbed when :func:`kit.privacy.scrub_personal_data` is available). Order:
        net revenue desc, then id. Ids pseudonymised unless configured otherwise.

    Examples
    --------
    >>> from kit.tables import LoyaltyData
    >>> from kit.config import AnalysisConfig
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "S"}, "privacy": {"pseudonymise": False},
    ...     "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})
    >>> d = LoyaltyData(orders=pd.DataFrame({"order_id": ["1", "2"], "customer_id": ["A", "B"],
    ...         "order_date": pd.to_datetime(["2025-01-01", "2026-09-02"]), "revenue": [100.0, 50.0]}))
    >>> winback_list(d, cfg, as_of="2026-09-30")[["customer_id", "status", "net_revenue"]].values.tolist()
    [['A', 'inactive', 100.0]]
    """
    cut = _cut(as_of)
    history = _order_history(data, cut)
    exited = _exited(data, cut)
    ids = sorted(set(exited.index) | set(_lapsed(history, config, cut)))
    columns = ["rank", "customer_id", "status", "last_order", "days_inactive", "orders", "net_revenue",
               "past_value", "exit_date", "exit_category", "exit_reason"]
    if not ids:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame({"customer_id": ids})
    frame["status"] = np.where(frame["customer_id"].isin(exited.index), "exited", "inactive")
    frame["last_order"] = frame["customer_id"].map(history["last_order"])
    frame["days_inactive"] = ((cut - pd.Timedelta(1, "ns")).normalize() - frame["last_order"].dt.normalize()).dt.days
    frame["orders"] = frame["customer_id"].map(history["orders"]).fillna(0).astype("int64")
    frame["net_revenue"] = frame["customer_id"].map(history["net_revenue"]).fillna(0.0).astype("float64")
    frame["past_value"] = frame["net_revenue"].clip(lower=0) * config.clv.margin
    for col in ("exit_date", "exit_category", "exit_reason"):
        frame[col] = frame["customer_id"].map(exited[col])
    scrub = getattr(importlib.import_module("kit.privacy"), "scrub_personal_data", None)
    if scrub is not None:
        frame["exit_reason"] = [scrub(r) if isinstance(r, str) else r for r in frame["exit_reason"]]
    out = _finish(frame, config, ["net_revenue", "customer_id"], [False, True])
    return out[columns]


def advocates(data: Any, config: AnalysisConfig, *, as_of: Any, survey_days: int = 365) -> pd.DataFrame:
    """Active customers who recommend the business: promoters, five-star raters, referrers.

    Parameters
    ----------
    data : LoyaltyData
        Surveys, referrals, orders and exits (any may be missing).
    config : AnalysisConfig
        Inactivity rule and privacy settings.
    as_of : date-like
        The reference date (naive, business time zone); a date includes its whole day.
    survey_days : int
        Survey answers count when given within this many days before ``as_of``.

    Returns
    -------
    DataFrame
        ``rank, customer_id, reasons`` (``promoter;5 stars;referrer``), ``n_reasons, nps, rating,
        referrals, net_revenue``. Customers who left are excluded. Order: reasons desc, referrals
        desc, net revenue desc, id. Ids pseudonymised unless configured otherwise.

    Examples
    --------
    >>> from kit.tables import LoyaltyData
    >>> from kit.config import AnalysisConfig
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "S"}, "privacy": {"pseudonymise": False},
    ...     "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})
    >>> d = LoyaltyData(surveys=pd.DataFrame({"customer_id": ["A", "B"], "nps": [10.0, 8.0], "rating": [5.0, 5.0],
    ...                                       "responded_at": pd.to_datetime(["2026-09-10"] * 2)}))
    >>> advocates(d, cfg, as_of="2026-09-30")[["customer_id", "reasons"]].values.tolist()
    [['A', 'promoter;5 stars'], ['B', '5 stars']]
    """
    cut = _cut(as_of)
    history = _order_history(data, cut)
    answers = _latest_answers(data, cut, since=cut - pd.Timedelta(days=survey_days))
    flags: dict[str, pd.Index] = {"promoter": answers.index[answers["nps"] >= 9],
                                  "5 stars": answers.index[answers["rating"] >= 5]}
    referrals = pd.Series(dtype="int64")
    if data.referrals is not None and not data.referrals.empty:
        r = data.referrals[data.referrals["referred_at"] < cut]
        referrals = r.groupby(r["referrer_id"].astype(str)).size()
        flags["referrer"] = referrals.index
    gone = _exited(data, cut).index.union(_lapsed(history, config, cut))
    ids = sorted(set().union(*[set(v) for v in flags.values()]) - set(gone))
    columns = ["rank", "customer_id", "reasons", "n_reasons", "nps", "rating", "referrals", "net_revenue"]
    if not ids:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame({"customer_id": ids})
    sets = {k: set(v) for k, v in flags.items()}
    frame["reasons"] = [";".join(k for k in flags if cid in sets[k]) for cid in ids]
    frame["n_reasons"] = frame["reasons"].str.count(";") + 1
    frame["nps"] = frame["customer_id"].map(answers["nps"])
    frame["rating"] = frame["customer_id"].map(answers["rating"])
    frame["referrals"] = frame["customer_id"].map(referrals).fillna(0).astype("int64")
    frame["net_revenue"] = frame["customer_id"].map(history["net_revenue"]).fillna(0.0).astype("float64")
    out = _finish(frame, config, ["n_reasons", "referrals", "net_revenue", "customer_id"],
                  [False, False, False, True])
    return out[columns]
