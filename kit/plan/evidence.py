"""What the action plan is scored on: KPI gaps, theme statistics and the :class:`Evidence` bundle.

:func:`kpi_gaps` measures how far each KPI is from its target, :func:`theme_stats` counts how
often and how negatively coded texts mention each theme, and :func:`gather_evidence` collects
these with the key drivers, the complaints by category and the customers each problem touches
(weighted by their value at risk) into one :class:`Evidence`, which
:func:`kit.plan.actions.prioritise_actions` scores. Every part is optional; what is missing is named
in :attr:`Evidence.notes`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kit.data.config import AnalysisConfig
from kit.definitions import DEFINITIONS, scaled_gap
from kit.models.drivers import importance_performance
from kit.plan.lists import advocates, watch_list, winback_list

__all__ = ["Evidence", "COMPONENTS", "kpi_gaps", "theme_stats", "gather_evidence"]

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
        ``kpi, label, period, value, target, direction, gap, relative_gap, scaled_gap, status, severity, n``,
        one row per KPI with a target, largest severity first (then kpi id). ``gap`` = target − value
        when higher is better, value − target when lower is better; ``relative_gap`` = gap / |target|
        (shown for reference only: it scores the same miss 9 × higher as churn than as retention);
        ``scaled_gap`` = the gap on the one gap scale of :data:`kit.definitions.GAP_SCALE` (gap / width of
        the KPI's scale, or / target for KPIs without an upper bound; :func:`kit.definitions.scaled_gap`);
        ``severity`` in 0…1 = scaled gap clipped to 0…1 for a missed target, half of it for an
        inconclusive one (the interval includes the target), 0 when the target is met or there is
        no data. An unbounded KPI with a target of 0 has no scaled gap; a missed one then counts as
        severity 1.

    Examples
    --------
    >>> from kit.data.config import AnalysisConfig
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "S"}, "targets": {"nps": {"target": 30}},
    ...     "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})
    >>> sc = pd.DataFrame({"kpi": ["nps"], "value": [24.0], "n": [400], "target": [30.0], "status": ["missed"]})
    >>> kpi_gaps(sc, cfg)[["gap", "relative_gap", "scaled_gap", "severity"]].round(2).values.tolist()
    [[6.0, 0.2, 0.03, 0.03]]
    """
    columns = ["kpi", "label", "period", "value", "target", "direction", "gap", "relative_gap", "scaled_gap",
               "status", "severity", "n"]
    ces_scale = tuple(config.thresholds.ces_scale)
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
        scaled = scaled_gap(kpi, gap, float(target), ces_scale=ces_scale)  # type: ignore[arg-type]
        status = str(rec.get("status") or ("no_data" if math.isnan(value) else
                                           ("missed" if gap > 0 else "met")))
        size = (1.0 if gap > 0 else 0.0) if math.isnan(scaled) else min(max(scaled, 0.0), 1.0)
        if math.isnan(value) or status in ("met", "no_data", "no_target"):
            size = 0.0
        elif status == "inconclusive":
            size *= 0.5
        label = rec.get("label")
        label = label if isinstance(label, str) and label else _kpi_label(kpi, "en")
        rows.append({"kpi": kpi, "label": label, "period": rec.get("period"),
                     "value": value, "target": float(target), "direction": direction, "gap": gap,
                     "relative_gap": relative, "scaled_gap": scaled, "status": status, "severity": size,
                     "n": rec.get("n", math.nan)})
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
        :func:`kit.text.interviews.code_texts` output: one row per coded sentence with ``text_id``,
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
        :attr:`kit.models.drivers.KeyDrivers.summary` (``driver`` ids as in the surveys, e.g. ``driver_delivery``);
        given the period's ratings, also ``performance``, ``performance_side`` and ``quadrant_id`` of the
        importance-performance map (:func:`kit.models.drivers.importance_performance`).
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
                    ratings: pd.DataFrame | None = None,
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
        A fitted :class:`kit.models.drivers.KeyDrivers` or its ``summary``.
    driver_outcome : str
        What the drivers explain, as printed in the ``why`` text.
    driver_n : int, optional
        Complete answers behind the drivers (default: ``drivers.n_``; unknown for a bare summary,
        which then gets no small-sample discount).
    coded : DataFrame, optional
        :func:`kit.text.interviews.code_texts` output (``text_id, theme, polarity``; with a
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
    ratings : DataFrame, optional
        The period's driver ratings (survey answers of the reporting period): the performance of each driver
        on the importance-performance map, so that the plan can tell an important driver rated below
        average (which keeps an action whose targets are met) from one rated above it.
    segments : mapping, optional
        Segment name (``at_risk``, ``lapsed``, ``advocates``) -> customer ids (not pseudonymised),
        for actions that address segments. Given ``data``, ``config`` and ``as_of``, the three are
        built from :func:`kit.plan.lists.watch_list`, :func:`kit.plan.lists.winback_list` and
        :func:`kit.plan.lists.advocates` (entries given here win).
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
    elif ratings is not None and not ratings.empty and set(summary["driver"]) <= set(ratings.columns):
        ipa = importance_performance(summary, ratings)
        summary = summary.merge(ipa[["driver", "performance", "performance_side", "quadrant_id"]], on="driver",
                                how="left")
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
