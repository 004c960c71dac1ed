"""The action plan: the configured actions ranked by evidence per cost, every component of the score shown.

The action plan is transparent on purpose. Each action of the catalogue (``actions:`` in
``analysis.yaml``) names what it addresses (KPIs, survey drivers, interview themes, complaint
categories, customer segments) and what it costs. Its score (:data:`kit.definitions.ACTION_TERMS`) is

    expected_impact = impact × confidence
    score = expected_impact / (cost / 1,000)        expected impact per 1,000 of the business currency

where *impact* is the mean, over the kinds of evidence that exist, of five components in 0…1:

- ``impact_kpi``: the largest gap severity among the addressed KPIs (:func:`kit.plan.evidence.kpi_gaps`);
- ``impact_driver``: the addressed drivers' share of the explained variance (key driver analysis);
- ``impact_theme``: share of coded texts that mention an addressed theme negatively
  (negativity × frequency);
- ``impact_complaints``: the addressed categories' share of all complaints;
- ``impact_value``: share of the total value at risk held by the customers the addressed
  problems touch (each customer counted once);

and *confidence* is the impact-weighted mean of each component's confidence (n and interval
width of its evidence). Every component is a column, so a reader can recompute the score.

An action without a cost (or with a cost of 0) cannot be weighed per euro: its score is
``expected_impact / effort`` (``score_basis`` = ``effort``) and it is ranked after every costed action.
A catalogue without any cost is therefore ranked by impact × confidence / effort, as before costs existed.

A KPI gap counts in full for every action that addresses the KPI: it says how far the goal is,
not how much of it the action can move (that is the driver component's job). A KPI that meets its
target has severity 0, so it never raises ``impact_kpi``.

**Not needed now.** An action whose addressed KPIs with a target all meet it gets ``status``
``not_needed`` and no rank, unless a driver or a theme argues for it: an addressed driver whose
importance is not below average (its bootstrap interval reaches the mean importance) and whose
rating in the period is not above average (the importance-performance map,
:func:`kit.models.drivers.importance_performance`), or an addressed theme mentioned negatively in
at least :data:`THEME_SHARE` of the low-score comments. The ``why`` text then says which one kept it.

The ``why`` sentence names the evidence for the action, strongest first (every addressed KPI
that misses its target, not only the worst), then, after "but", the evidence against it: addressed
KPIs that already meet their target, and an addressed driver below the average importance (its whole
interval below the split of the importance-performance map), e.g. ``price: Net Promoter Score 9.9 vs
target 30.0, mentioned negatively in 36 % of detractor comments; but below-average NPS driver #5 of 5
(3 % of R², 95 % CI 2–4 %)``.

The evidence is collected by :mod:`kit.plan.evidence`; the customer lists (whom to act on) are in
:mod:`kit.plan.lists`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from kit.data.config import Action, AnalysisConfig, localise
from kit.definitions import COST_UNIT, DEFINITIONS
from kit.models.drivers import QUADRANTS, side_of_split
from kit.plan.evidence import _FLOAT_DIGITS, COMPONENTS, Evidence, _has, _kpi_label
from kit.results import format_value

__all__ = ["prioritise_actions", "planned", "not_needed_line", "THEME_SHARE", "STATUSES"]

#: A theme argues for an action whose targets are all met when at least this share of the low-score
#: comments mentions it negatively.
THEME_SHARE = 0.05

#: ``status`` of an action: in the plan, or left out because its targets are met and nothing argues for it.
STATUSES = ("planned", "not_needed")


_TEXT = {
    "en": {"strongest": "strongest {o} driver", "rank": "{o} driver #{k} of {p}",
           "weak": "below-average {o} driver #{k} of {p}",
           "r2": "{s} of R², 95 % CI {lo}–{hi} %", "complaints": "{s} of complaints",
           "theme": "mentioned negatively in {s} of {base}", "kpi": "{label} {v} vs target {t}",
           "kpi_unsure": "{label} {v} vs target {t} (inconclusive)",
           "met_one": "target already met: {items}", "met_many": "targets already met: {items}",
           "met_item": "{label} {v} (target {t})", "but": "{support}; but {against}",
           "value": "customers holding {s} of value at risk",
           "missing": "{kind} '{id}' not in the evidence", "none": "no evidence for this action",
           "no_kind": "no {kind} evidence",
           "kept": "kept although its targets are met: {reasons}",
           "kept_driver": "{name} is an important {o} driver{rating}{quadrant}",
           "rating": {"below": " rated below average", "borderline": " rated about average", "unknown": ""},
           "kept_theme": "{name} mentioned negatively in {s} of {base}",
           "dropped": "not needed now (targets met; no driver or theme argues for it): {why}",
           "no_cost": "no cost given: ranked after the costed actions, by impact × confidence / effort",
           "line": "Not needed now: {items}.", "line_item": "{title} (targets met)",
           "kinds": {"driver": "driver", "theme": "theme", "complaint_category": "complaint category",
                     "segment": "segment", "kpi": "KPI"}},
    "de": {"strongest": "stärkster {o}-Treiber", "rank": "{o}-Treiber Nr. {k} von {p}",
           "weak": "unterdurchschnittlicher {o}-Treiber Nr. {k} von {p}",
           "r2": "{s} von R², 95-%-KI {lo}–{hi}\u00a0%", "complaints": "{s} der Beschwerden",
           "theme": "negativ erwähnt in {s} der {base}", "kpi": "{label} {v} statt Ziel {t}",
           "kpi_unsure": "{label} {v} statt Ziel {t} (nicht eindeutig)",
           "met_one": "Ziel bereits erreicht: {items}", "met_many": "Ziele bereits erreicht: {items}",
           "met_item": "{label} {v} (Ziel {t})", "but": "{support}; aber {against}",
           "value": "Kunden mit {s} des gefährdeten Werts",
           "missing": "{kind} '{id}' nicht in den Befunden", "none": "keine Befunde für diese Maßnahme",
           "no_kind": "keine Befunde zu {kind}",
           "kept": "beibehalten, obwohl die Ziele erreicht sind: {reasons}",
           "kept_driver": "{name} ist ein wichtiger {o}-Treiber{rating}{quadrant}",
           "rating": {"below": ", bewertet unter dem Durchschnitt", "borderline": ", bewertet etwa durchschnittlich",
                      "unknown": ""},
           "kept_theme": "{name} negativ erwähnt in {s} der {base}",
           "dropped": "derzeit nicht nötig (Ziele erreicht; kein Treiber und kein Thema spricht dafür): {why}",
           "no_cost": "keine Kosten angegeben: nach den Maßnahmen mit Kosten eingeordnet, nach Wirkung × "
                      "Sicherheit / Aufwand",
           "line": "Derzeit nicht nötig: {items}.", "line_item": "{title} (Ziele erreicht)",
           "kinds": {"driver": "Treiber", "theme": "Thema", "complaint_category": "Beschwerdekategorie",
                     "segment": "Segment", "kpi": "KPI"}},
}


def _pct(x: float, lang: str) -> str:
    """A share as a whole percent (``75 %``; German with a no-break space)."""
    return format_value(x, "share", lang, digits=0)


def _number(value: float, unit: str, lang: str) -> str:
    return format_value(value, unit, lang, symbol=True)


def _kpi_values(kpi: str, row: pd.Series, lang: str) -> dict[str, str]:
    """Label, value and target of one KPI gap row, as printed (``First response time``, ``0.8 h``, ``8.0 h``)."""
    unit = DEFINITIONS[kpi].unit if kpi in DEFINITIONS else ""
    return {"label": _kpi_label(kpi, lang), "v": _number(row["value"], unit, lang),
            "t": _number(row["target"], unit, lang)}


def _driver_sides(drivers: pd.DataFrame) -> pd.Series:
    """Each driver's side of the mean importance, judged by its bootstrap interval (:func:`side_of_split`)."""
    nan = pd.Series(np.nan, index=drivers.index)
    return side_of_split(drivers["importance"], drivers["ci_low"] if "ci_low" in drivers else nan,
                         drivers["ci_high"] if "ci_high" in drivers else nan, float(drivers["importance"].mean()))


def _arguments(a: Any, ev: Evidence, text: dict[str, Any], topics: Mapping[str, str],
               lang: str, theme_share: float) -> list[str]:
    """What argues for an action whose targets are all met: an important driver rated below average (or
    not above it), a theme mentioned negatively in at least ``theme_share`` of the low-score comments."""
    out: list[str] = []
    if a.drivers and _has(ev.drivers):
        table = ev.drivers.assign(_side=_driver_sides(ev.drivers).to_numpy()).set_index("driver")
        for d in (x for x in a.drivers if x in table.index):
            row = table.loc[d]
            # without the period's ratings (no importance-performance map) importance alone decides
            performing = row["performance_side"] if "performance_side" in table else "unknown"
            if row["_side"] != "below" and performing != "above":
                quadrant = f" ({QUADRANTS[row['quadrant_id']][lang]})" if "quadrant_id" in table else ""
                name = topics.get(d.removeprefix("driver_"), d.removeprefix("driver_"))
                out.append(text["kept_driver"].format(name=name, o=ev.driver_outcome, quadrant=quadrant,
                                                      rating=text["rating"][performing]))
    if a.themes and _has(ev.themes):
        table = ev.themes.set_index("theme")
        for t in (x for x in a.themes if x in table.index):
            share = float(table.loc[t, "negative_share"])
            if share >= theme_share:
                out.append(text["kept_theme"].format(name=topics.get(t, t), s=_pct(share, lang), base=ev.theme_base))
    return out


def _score_action(action: Action, ev: Evidence, text: dict[str, Any], lang: str,
                  weights: Mapping[str, float], topics: Mapping[str, str], theme_share: float) -> dict[str, Any]:
    a = action.addresses
    impact = dict.fromkeys(COMPONENTS, 0.0)
    conf = dict.fromkeys(COMPONENTS, 0.0)
    why: list[tuple[float, str]] = []  # evidence for the action, with its weight (strongest first)
    against: list[str] = []  # evidence against it: targets already met, a below-average driver
    notes: list[str] = []
    kinds = text["kinds"]
    all_met = False  # every addressed KPI with a target meets it

    def matched(kind: str, frame: pd.DataFrame, key: str, wanted: Iterable[str]) -> pd.DataFrame | None:
        """Rows of ``frame`` for the ``wanted`` ids (in that order); ids without evidence go to the notes."""
        indexed = frame.set_index(key)
        notes.extend(text["missing"].format(kind=kinds[kind], id=i) for i in wanted if i not in indexed.index)
        found = [i for i in wanted if i in indexed.index]
        return indexed.loc[found] if found else None

    if a.kpis and _has(ev.kpi_gaps) and (sub := matched("kpi", ev.kpi_gaps, "kpi", a.kpis)) is not None:
        ranked = sub.sort_values("severity", ascending=False, kind="mergesort")
        top = ranked.iloc[0]
        impact["kpi"] = float(top["severity"])
        n = top["n"]
        conf["kpi"] = 1.0 if pd.isna(n) else min(1.0, float(n) / ev.min_n)
        # every addressed KPI off target is named (the worst alone sets impact_kpi), each with its own severity
        for kpi, row in ranked[ranked["severity"] > 0].iterrows():
            phrase = text["kpi_unsure" if row["status"] == "inconclusive" else "kpi"]
            why.append((float(row["severity"]), phrase.format(**_kpi_values(str(kpi), row, lang))))
        met = ranked[ranked["status"] == "met"]
        all_met = len(met) == len(ranked)
        if not met.empty:
            items = ", ".join(text["met_item"].format(**_kpi_values(str(kpi), row, lang))
                              for kpi, row in met.iterrows())
            against.append(text["met_one" if len(met) == 1 else "met_many"].format(items=items))
    if a.drivers and _has(ev.drivers) and (sub := matched("driver", ev.drivers, "driver", a.drivers)) is not None:
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
        p = len(ev.drivers)
        # the whole interval below the mean importance = the "less important" half of the importance-performance
        # map; a driver whose interval reaches the mean is not called below average (it is borderline)
        sides = pd.Series(_driver_sides(ev.drivers).to_numpy(), index=ev.drivers["driver"])
        weak = sides[best.name] == "below"
        head = (text["strongest"].format(o=ev.driver_outcome) if int(best["rank"]) == 1
                else text["weak" if weak else "rank"].format(o=ev.driver_outcome, k=int(best["rank"]), p=p))
        whole = lambda v: format_value(100 * v, "number", lang, digits=0)  # noqa: E731
        detail = text["r2"].format(s=_pct(best["importance"], lang), lo=whole(best["ci_low"]),
                                   hi=whole(best["ci_high"])) if pd.notna(best["ci_low"]) else _pct(
            best["importance"], lang) + " R²"
        if weak:
            against.append(f"{head} ({detail})")
        else:
            why.append((impact["driver"], f"{head} ({detail})"))
    if a.themes and _has(ev.themes) and (sub := matched("theme", ev.themes, "theme", a.themes)) is not None:
        impact["theme"] = float(min(1.0, sub["negative_share"].sum()))
        conf["theme"] = min(1.0, float(sub["negative"].sum()) / ev.min_n)
        if impact["theme"] > 0:
            why.append((impact["theme"], text["theme"].format(s=_pct(impact["theme"], lang), base=ev.theme_base)))
    if (a.complaint_categories and _has(ev.complaints)
            and (sub := matched("complaint_category", ev.complaints, "category", a.complaint_categories))
            is not None):
        impact["complaints"] = float(min(1.0, sub["share"].sum()))
        conf["complaints"] = min(1.0, float(sub["complaints"].sum()) / ev.min_n)
        if impact["complaints"] > 0:
            why.append((impact["complaints"], text["complaints"].format(s=_pct(impact["complaints"], lang))))
    if _has(ev.customers) and ev.value_total > 0:
        wanted = ([("driver", x) for x in a.drivers] + [("theme", x) for x in a.themes]
                  + [("complaint_category", x) for x in a.complaint_categories]
                  + [("segment", x) for x in a.segments])
        known_segments = set(ev.customers.loc[ev.customers["kind"] == "segment", "problem"])
        notes.extend(text["missing"].format(kind=kinds["segment"], id=x) for x in a.segments
                     if x not in known_segments)
        keys = pd.MultiIndex.from_frame(ev.customers[["kind", "problem"]])
        touched = ev.customers[keys.isin(wanted)] if wanted else ev.customers.iloc[:0]
        per_customer = touched.drop_duplicates("customer_id")
        impact["value"] = float(min(1.0, per_customer["value_at_risk"].sum() / ev.value_total))
        conf["value"] = min(1.0, len(per_customer) / ev.min_n)
        if impact["value"] > 0:
            why.append((impact["value"], text["value"].format(s=_pct(impact["value"], lang))))
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
    support, contra = ", ".join(w for _, w in why), "; ".join(against)
    sentence = (text["but"].format(support=support, against=contra) if support and contra
                else support or contra or text["none"])
    if topic and (why or against):
        sentence = f"{topics.get(topic, topic)}: {sentence}"
    status = "planned"
    if all_met:
        reasons = _arguments(a, ev, text, topics, lang, theme_share)
        if reasons:
            sentence = f"{sentence}; {text['kept'].format(reasons='; '.join(reasons))}"
        else:
            status, sentence = "not_needed", text["dropped"].format(why=sentence)
    expected = overall * confidence
    costed = action.cost is not None and action.cost > 0
    row = {f"impact_{c}": impact[c] for c in COMPONENTS}
    row.update({"impact": overall})
    row.update({f"confidence_{c}": conf[c] for c in COMPONENTS})
    row.update({"confidence": confidence, "expected_impact": expected,
                "score": expected / (action.cost / COST_UNIT) if costed else expected / action.effort,
                "score_basis": "cost" if costed else "effort", "status": status,
                "why": sentence, "notes": "; ".join(dict.fromkeys(notes))})
    return row


def prioritise_actions(config: AnalysisConfig, evidence: Evidence | None = None, *, lang: str = "en",
                       weights: Mapping[str, float] | None = None,
                       topics: Mapping[str, str] | None = None, theme_share: float = THEME_SHARE) -> pd.DataFrame:
    """Rank the action catalogue by expected impact per cost, every component shown.

    Parameters
    ----------
    config : AnalysisConfig
        Its ``actions`` are the catalogue (with ``cost`` in the business currency, ``effort`` 1-5).
    evidence : Evidence, optional
        From :func:`kit.plan.evidence.gather_evidence`; missing evidence scores 0 and is named in ``notes``.
    lang : {"en", "de"}
        Language of ``title``, ``why`` and ``notes``.
    weights : mapping, optional
        Weight per impact component (default 1 each; see :data:`kit.plan.evidence.COMPONENTS`). Impact is the
        weighted mean over the components that have evidence; confidence weighs each component by
        weight × impact.
    topics : mapping, optional
        Display names of the topics that open a ``why`` sentence (``delivery: ...``): theme, driver
        (without ``driver_``) or complaint category id -> name in ``lang``, e.g. the codebook's theme labels.
        Ids not in it are shown as they are.
    theme_share : float
        Share of the low-score comments that must mention a theme negatively for it to keep an action whose
        targets are all met (:data:`THEME_SHARE`).

    Returns
    -------
    DataFrame
        ``rank, action_id, title, owner, effort, cost, due``, then ``impact_<component>``,
        ``impact``, ``confidence_<component>``, ``confidence``, ``expected_impact`` (impact × confidence),
        ``score`` (expected impact per 1,000 of cost; per effort point for an action without a cost),
        ``score_basis`` (``cost`` or ``effort``), ``status`` (``planned`` or ``not_needed``), ``why``, ``notes``
        (definitions: :data:`kit.definitions.ACTION_TERMS`).
        Order: planned actions first, costed before uncosted, score descending, then effort ascending, then
        id, so the same input always gives the same order. ``rank`` numbers the planned actions from 1 and is
        empty (``<NA>``) for those not needed now. Ready for ``actions.csv``.

    Examples
    --------
    >>> from kit.data.config import AnalysisConfig
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "S"},
    ...     "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}},
    ...     "actions": [{"id": "a", "title": "A", "cost": 6000, "addresses": {"complaint_categories": ["delivery"]}},
    ...                 {"id": "b", "title": "B", "cost": 1000, "addresses": {"complaint_categories": ["billing"]}}]})
    >>> from kit.plan.evidence import gather_evidence
    >>> ev = gather_evidence(complaints=pd.DataFrame({"category": ["delivery", "billing"],
    ...                                               "complaints": [30, 10]}))
    >>> # a: impact 0.75 × confidence 1 per 6 thousand = 0.125; b: 0.25 × 10/30 per 1 thousand = 0.083
    >>> prioritise_actions(cfg, ev)[["action_id", "expected_impact", "score"]].round(3).values.tolist()
    [['a', 0.75, 0.125], ['b', 0.083, 0.083]]
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
        row = _score_action(action, ev, _TEXT[language], language, weights or {}, topics or {}, theme_share)
        title = action.title_de if language == "de" and action.title_de else action.title
        owner = localise(action.owner, language)[0] if action.owner is not None else None
        rows.append({"action_id": action.id, "title": title, "owner": owner, "effort": action.effort,
                     "cost": action.cost, "due": action.due, **row})
    columns = (["rank", "action_id", "title", "owner", "effort", "cost", "due"]
               + [f"impact_{c}" for c in COMPONENTS] + ["impact"]
               + [f"confidence_{c}" for c in COMPONENTS]
               + ["confidence", "expected_impact", "score", "score_basis", "status", "why", "notes"])
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=columns)
    uncosted = out["score_basis"].ne("cost")
    if not uncosted.all():   # a catalogue without costs is ranked per effort point throughout: nothing to say
        note = _TEXT[language]["no_cost"]
        out.loc[uncosted, "notes"] = [f"{n}; {note}" if n else note for n in out.loc[uncosted, "notes"]]
    out["_key"] = out["score"].round(_FLOAT_DIGITS)
    out["_later"] = out["status"].ne("planned")
    out["_uncosted"] = out["score_basis"].ne("cost")
    out = out.sort_values(["_later", "_uncosted", "_key", "effort", "action_id"],
                          ascending=[True, True, False, True, True], kind="mergesort")
    planned_rows = int((~out["_later"]).sum())
    out["rank"] = pd.array(list(range(1, planned_rows + 1)) + [pd.NA] * (len(out) - planned_rows), dtype="Int64")
    return out.drop(columns=["_key", "_later", "_uncosted"]).reset_index(drop=True)[columns]


def planned(plan: pd.DataFrame) -> pd.DataFrame:
    """The actions of the plan (``status`` ``planned``), in rank order; a frame without ``status`` as it is.

    Examples
    --------
    >>> p = pd.DataFrame({"rank": pd.array([1, pd.NA], dtype="Int64"), "action_id": ["a", "b"],
    ...                   "status": ["planned", "not_needed"]})
    >>> planned(p)["action_id"].tolist()
    ['a']
    """
    if "status" not in plan:
        return plan
    return plan[plan["status"] == "planned"].reset_index(drop=True)


def not_needed_line(plan: pd.DataFrame, lang: str = "en") -> str:
    """One line naming the actions not needed now, e.g. ``Not needed now: Simplify the checkout (targets met).``;
    empty when every action is planned.

    Examples
    --------
    >>> p = pd.DataFrame({"title": ["A", "B", "C"], "status": ["planned", "not_needed", "not_needed"]})
    >>> not_needed_line(p)
    'Not needed now: B (targets met), C (targets met).'
    >>> not_needed_line(p.head(1), "de")
    ''
    """
    text = _TEXT["de" if lang == "de" else "en"]
    if "status" not in plan:
        return ""
    dropped = plan[plan["status"] == "not_needed"]
    if dropped.empty:
        return ""
    return text["line"].format(items=", ".join(text["line_item"].format(title=t) for t in dropped["title"]))
