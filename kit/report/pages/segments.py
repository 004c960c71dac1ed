"""NPS by every customer dimension in the data (segment, region, acquisition channel), with n per cell; small
cells are marked, not hidden, and a group is called below or above all customers only when a Bonferroni
test over the tested cells says so."""

from __future__ import annotations

import warnings

import pandas as pd
from scipy.stats import norm

from kit.errors import KitWarning
from kit.metrics.survey import nps_by_segment
from kit.report.pages._context import Context
from kit.report.pages._format import Col, display
from kit.report.pages._section import Section

__all__ = ["DIMENSIONS", "segment_nps", "add_segment_table"]

#: Customer dimensions the segment breakdowns use (customers table), with their names in en / de.
DIMENSIONS: dict[str, tuple[str, str]] = {
    "segment": ("segment", "Segment"),
    "region": ("region", "Region"),
    "acquisition_channel": ("acquisition channel", "Akquisekanal"),
}

_TEXT = {"en": {"dimension": "Dimension", "group": "Group", "vs": "vs all customers (Bonferroni)",
                "below": "below", "above": "above", "small": "small cell (n < {n})", "same": "–",
                "caption": "NPS by customer group, {period}: all customers {overall}; {m} groups tested at "
                           "α = 0.05 / {m}"},
         "de": {"dimension": "Merkmal", "group": "Gruppe", "vs": "ggü. allen Kunden (Bonferroni)",
                "below": "darunter", "above": "darüber", "small": "kleine Zelle (n < {n})", "same": "–",
                "caption": "NPS nach Kundengruppe, {period}: alle Kunden {overall}; {m} Gruppen getestet mit "
                           "α = 0,05 / {m}"}}


def segment_nps(ctx: Context) -> pd.DataFrame | None:
    """NPS of the period by every customer dimension of :data:`DIMENSIONS` present in the data.

    Returns
    -------
    DataFrame or None
        ``dimension, segment, n, value, ci_low, ci_high, se, small`` (``small``: n below ``thresholds.min_n``;
        small cells are kept and marked, never hidden); None without surveys, NPS, customers or period.
    """
    surveys, customers = ctx.data.surveys, ctx.data.customers
    if (surveys is None or customers is None or ctx.period is None or "nps" not in surveys
            or "customer_id" not in surveys or "customer_id" not in customers):
        return None
    now = surveys[ctx.period.contains(surveys["responded_at"])]
    parts = []
    for dimension in DIMENSIONS:
        if dimension not in customers:
            continue
        joined = now.merge(customers[["customer_id", dimension]], on="customer_id", how="left")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", KitWarning)   # small cells are marked in the frame instead
            table = nps_by_segment(joined, by=dimension, min_n=ctx.config.thresholds.min_n)
        parts.append(pd.DataFrame({"dimension": dimension, "segment": table[dimension].astype(str),
                                   "n": table["n"], "value": table["nps"], "ci_low": table["ci_low"],
                                   "ci_high": table["ci_high"], "se": table["se"], "small": table["small"]}))
    return pd.concat(parts, ignore_index=True) if parts else None


def add_segment_table(ctx: Context, s: Section, overall: float) -> Section:
    """Add the NPS of every customer group to ``s``, each compared with ``overall`` (Bonferroni over the groups
    with ``n >= thresholds.min_n``; small cells are marked and not tested)."""
    frame = s.call(segment_nps, ctx)
    if frame is None or frame.empty:
        return s
    t = _TEXT["de" if ctx.lang == "de" else "en"]
    min_n = ctx.config.thresholds.min_n
    tested = ~frame["small"].astype(bool) & frame["se"].notna()
    m = max(int(tested.sum()), 1)
    z = float(norm.ppf(1 - 0.05 / (2 * m)))
    low, high = frame["value"] - z * frame["se"], frame["value"] + z * frame["se"]
    verdict = pd.Series(t["same"], index=frame.index)
    verdict[tested & (high < overall)] = t["below"]
    verdict[tested & (low > overall)] = t["above"]
    verdict[~tested] = t["small"].format(n=min_n)
    lang = 1 if ctx.lang == "de" else 0
    shown = frame.assign(dimension=frame["dimension"].map(lambda d: DIMENSIONS[d][lang]), verdict=verdict)
    table = display(shown, [Col("dimension", t["dimension"]), Col("segment", t["group"]),
                            Col("n", "col_answers", "count"), Col("value", "col_nps", "number"),
                            Col(("ci_low", "ci_high"), "col_interval", "interval"), Col("verdict", t["vs"])],
                    ctx.lang, currency=ctx.config.business.currency)
    overall_text = display(pd.DataFrame({"v": [overall]}), [Col("v", "v", "number")], ctx.lang).iloc[0, 0]
    return s.table(table, caption=t["caption"].format(period=ctx.period_label, overall=overall_text, m=m),
                   max_rows=len(table))
