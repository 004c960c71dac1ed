"""The scorecard's KPIs one by one: how each is computed for a period, and how its change is tested.

:data:`ADAPTERS` maps every KPI id of :data:`kit.definitions.KPI_IDS` to the function that computes
it from the tables (a ``no_data`` result that says why when its table is missing);
:func:`change_p_value` tests the change between two periods. Used by :func:`kit.plan.scorecards.scorecard`,
which is where the scorecard is imported from.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from kit.data.config import AnalysisConfig
from kit.data.contract import LoyaltyData
from kit.data.periods import Period, rows_in_period
from kit.definitions import CHANGE_TESTS, Language
from kit.metrics import advocacy, behaviour, contracts, service, survey, value
from kit.metrics._change import (
    clustered_mean_change_test,
    holm,
    mean_change_test,
    nps_change_test,
    rate_change_test,
    ratio_change_test,
    share_change_test,
    wald_change_test,
)
from kit.metrics._orders import PreparedOrders
from kit.metrics._purchases import counts_prepared
from kit.models.clv import value as clv_value
from kit.models.clv.contract_value import clv_contractual
from kit.results import MetricResult, no_data

__all__ = ["ADAPTERS", "NOTES", "Adapter", "CHANGE_TEST_KIND", "MIRRORED_TESTS", "adjust_p_values", "change_p_value",
           "note_text"]

#: ``adapter(data, config, period, prep=None, *, lang="en")``: ``prep`` (optional) carries the orders
#: prepared once for the whole scorecard; without it the adapter prepares them itself. ``lang`` is the
#: language of the result's note, passed on to the metric function.
Adapter = Callable[..., MetricResult]

NOTES = {
    "en": {
        "surveys": "no survey data: survey metrics skipped",
        "contacts": "no survey invitations (contacts): response rate skipped",
        "orders": "no order data: behaviour and value metrics skipped",
        "tickets": "no ticket data: service metrics skipped",
        "referrals": "no referral data: referral rate skipped",
        "subscriptions": "no subscription data (nor a customers status or churn_date): contractual metrics skipped",
        "column": "the surveys table has no '{column}' column",
        "no_test": "change not tested: {reason}",
        "no_variation": "no variation in either period",
        "median": "a median has no standard error",
        "no_se": "no standard error for both periods",
        "note": "Note",
    },
    "de": {
        "surveys": "keine Umfragedaten: Umfragekennzahlen übersprungen",
        "contacts": "keine Umfrageeinladungen (contacts): Rücklaufquote übersprungen",
        "orders": "keine Bestelldaten: Verhaltens- und Wertkennzahlen übersprungen",
        "tickets": "keine Ticketdaten: Servicekennzahlen übersprungen",
        "referrals": "keine Empfehlungsdaten: Empfehlungsquote übersprungen",
        "subscriptions": "keine Abonnementdaten (auch kein Kundenstatus oder churn_date): vertragliche Kennzahlen "
                         "übersprungen",
        "column": "die Umfragetabelle hat keine Spalte '{column}'",
        "no_test": "Veränderung nicht getestet: {reason}",
        "no_variation": "in beiden Zeiträumen keine Streuung",
        "median": "ein Median hat keinen Standardfehler",
        "no_se": "kein Standardfehler für beide Zeiträume",
        "note": "Hinweis",
    },
}


def note_text(lang: str, key: str, **values: Any) -> str:
    """The note ``key`` of :data:`NOTES` in ``lang`` (English for an unknown language), filled with ``values``."""
    return NOTES.get(lang, NOTES["en"])[key].format(**values)


def _survey(kpi: str, column: str,
            compute: Callable[[pd.Series, AnalysisConfig, Language], MetricResult]) -> Adapter:
    def adapter(data: LoyaltyData, config: AnalysisConfig, period: Period,
                prep: PreparedOrders | None = None, *, lang: Language = "en") -> MetricResult:
        if data.surveys is None:
            return no_data(kpi, note_text(lang, "surveys"))
        if column not in data.surveys.columns:
            return no_data(kpi, note_text(lang, "column", column=column))
        answers = rows_in_period(data.surveys, "responded_at", period)[column]
        return compute(answers, config, lang)

    return adapter


def _response_rate(data: LoyaltyData, config: AnalysisConfig, period: Period,
                   prep: PreparedOrders | None = None, *, lang: Language = "en") -> MetricResult:
    if data.contacts is None:
        return no_data("response_rate", note_text(lang, "contacts"))
    return survey.response_rate(data.contacts, period=period,
                                warn_below=config.thresholds.response_rate_warning, lang=lang)


def _prepared(data: LoyaltyData, prep: PreparedOrders | None) -> PreparedOrders:
    """``prep`` when it belongs to these orders and exits, else a fresh preparation."""
    if prep is not None and prep.orders is data.orders and prep.exits is data.exits:
        return prep
    return PreparedOrders(data.orders, data.exits)  # type: ignore[arg-type]


def _orders(kpi: str, function: Callable[..., MetricResult],
            call: Callable[[Callable[..., MetricResult], PreparedOrders,
                                                    AnalysisConfig, Period, Language], MetricResult]) -> Adapter:
    def adapter(data: LoyaltyData, config: AnalysisConfig, period: Period,
                prep: PreparedOrders | None = None, *, lang: Language = "en") -> MetricResult:
        if data.orders is None:
            return no_data(kpi, note_text(lang, "orders"))
        return call(function, _prepared(data, prep), config, period, lang)

    return adapter


def _service(kpi: str) -> Adapter:
    def adapter(data: LoyaltyData, config: AnalysisConfig, period: Period,
                prep: PreparedOrders | None = None, *, lang: Language = "en") -> MetricResult:
        if data.tickets is None:
            return no_data(kpi, note_text(lang, "tickets"))
        t = config.thresholds
        options = {"basis": t.hours_basis, "schedule": t.business_hours, "state": t.holiday_state, "lang": lang}
        if kpi == "sla_share":
            return service.sla_share(data.tickets, period=period, sla_hours=t.sla_hours, **options)
        function = service.first_response_hours if kpi == "first_response_hours" else service.resolution_hours
        return function(data.tickets, period=period, **options)

    return adapter


def _complaint_rate(data: LoyaltyData, config: AnalysisConfig, period: Period,
                    prep: PreparedOrders | None = None, *, lang: Language = "en") -> MetricResult:
    if data.tickets is None:
        return no_data("complaint_rate", note_text(lang, "tickets"))
    if data.orders is None:
        return no_data("complaint_rate", note_text(lang, "orders"))
    return service.complaint_rate(data.tickets, _prepared(data, prep).narrow(("order_date",)), period=period,
                                  lang=lang)


def _referral_rate(data: LoyaltyData, config: AnalysisConfig, period: Period,
                   prep: PreparedOrders | None = None, *, lang: Language = "en") -> MetricResult:
    if data.referrals is None:
        return no_data("referral_rate", note_text(lang, "referrals"))
    if data.orders is None:
        return no_data("referral_rate", note_text(lang, "orders"))
    return advocacy.referral_rate(data.referrals, _prepared(data, prep).narrow(("customer_id", "order_date")),
                                  period=period,
                    lang=lang)


# The order adapters give the results of the public functions named by the KPI ids; they reuse
# the prepared orders (one sort, integer customer codes, narrow column selections) across KPIs.
_VALUE_COLUMNS = ("customer_id", "order_date", "revenue", "refund_amount", "returned")
_CLV_COLUMNS = ("customer_id", "order_date", "revenue", "refund_amount")


def _churn_args(f: Callable[..., MetricResult], o: PreparedOrders, c: AnalysisConfig, p: Period,
                lang: Language) -> MetricResult:
    days = c.thresholds.inactivity_days
    if f is behaviour.retention_rate:
        return behaviour._retention_prepared(o, period=p, inactivity_days=days, lang=lang)
    return behaviour._churn_prepared(o, period=p, inactivity_days=days, lang=lang)


def _count_args(f: Callable[..., MetricResult], o: PreparedOrders, c: AnalysisConfig, p: Period,
                lang: Language) -> MetricResult:
    return counts_prepared(f.__name__, o, p, lang)


def _clv_args(f: Callable[..., MetricResult], o: PreparedOrders, c: AnalysisConfig, p: Period,
              lang: Language) -> MetricResult:
    if "revenue" in o.orders.columns and o.all_coded and o.sorted_net() is not None:
        # every dated order has a customer and a revenue: summarise the prepared sort in numpy
        from kit.models.clv.summary import _summarise_sorted

        s, net = o.sorted, o.sorted_net()

        def summarise(as_of: pd.Timestamp, unit: str) -> pd.DataFrame:
            return _summarise_sorted(s.codes, s.dates, net, s.ids, as_of=as_of, freq=unit)  # type: ignore[arg-type]

        return clv_value._clv_predicted(o.narrow(_CLV_COLUMNS), as_of=p.end, settings=c.clv, lang=lang,
                                           summarise=summarise)
    coded = o.coded(_CLV_COLUMNS)
    if coded is None:
        return f(o.narrow(_CLV_COLUMNS), as_of=p.end, settings=c.clv, lang=lang)
    frame, ids = coded  # integer customer codes: DuckDB groups them several times faster than strings
    return clv_value._clv_predicted(frame, as_of=p.end, settings=c.clv, lang=lang, ids=ids)


def _period_args(f: Callable[..., MetricResult], o: PreparedOrders, c: AnalysisConfig, p: Period,
                 lang: Language) -> MetricResult:
    return f(o.narrow(_VALUE_COLUMNS), period=p, lang=lang)


def _churn(kpi: str) -> Adapter:
    """churn_rate / retention_rate from the orders (inactivity rule and exits) or from the subscriptions.

    ``thresholds.churn_from``: ``orders`` or ``subscriptions`` as configured; ``auto`` (the default) uses the
    orders when there are any (so a shop with an order log keeps one definition), else the subscriptions (or
    the customers' status / churn_date), as :func:`kit.metrics.contracts.subscriptions_of` finds them.
    """
    from_orders = _orders(kpi, behaviour.churn_rate if kpi == "churn_rate" else behaviour.retention_rate,
                          _churn_args)

    def adapter(data: LoyaltyData, config: AnalysisConfig, period: Period,
                prep: PreparedOrders | None = None, *, lang: Language = "en") -> MetricResult:
        source = config.thresholds.churn_from
        if source == "orders" or (source == "auto" and data.orders is not None):
            return from_orders(data, config, period, prep, lang=lang)
        subscriptions = contracts.subscriptions_of(data)
        if subscriptions is None:
            return no_data(kpi, note_text(lang, "subscriptions" if source == "subscriptions" else "orders"))
        function = contracts.contractual_churn if kpi == "churn_rate" else contracts.contractual_retention
        return function(subscriptions, period=period, lang=lang)

    return adapter


def _clv_contractual(data: LoyaltyData, config: AnalysisConfig, period: Period,
                     prep: PreparedOrders | None = None, *, lang: Language = "en") -> MetricResult:
    subscriptions = contracts.subscriptions_of(data)
    if subscriptions is None:
        return no_data("clv_contractual", note_text(lang, "subscriptions"))
    return clv_contractual(subscriptions, as_of=period.end, settings=config.clv, lang=lang)


#: KPI id -> callable(data, config, period, prep=None, *, lang="en") -> MetricResult. One entry per KPI id.
ADAPTERS: dict[str, Adapter] = {
    "nps": _survey("nps", "nps", lambda s, c, lang: survey.nps(s, lang=lang)),
    "csat": _survey("csat", "csat", lambda s, c, lang: survey.csat(
        s, top_box=c.thresholds.csat_top_box, lang=lang)),
    "ces": _survey("ces", "ces", lambda s, c, lang: survey.ces(
        s, scale=c.thresholds.ces_scale, low_effort=c.thresholds.ces_low_effort,
        higher_is_better=c.thresholds.ces_higher_is_better, lang=lang)),
    "star_rating": _survey("star_rating", "rating", lambda s, c, lang: survey.star_rating(
        s, at_risk_max=c.thresholds.star_at_risk_max, lang=lang)),
    "at_risk_share": _survey("at_risk_share", "rating", lambda s, c, lang: survey.at_risk_share(
        s, at_risk_max=c.thresholds.star_at_risk_max, lang=lang)),
    "response_rate": _response_rate,
    "churn_rate": _churn("churn_rate"),
    "retention_rate": _churn("retention_rate"),
    "repeat_purchase_rate": _orders("repeat_purchase_rate", behaviour.repeat_purchase_rate, _count_args),
    "purchase_frequency": _orders("purchase_frequency", behaviour.purchase_frequency, _count_args),
    "average_order_value": _orders("average_order_value", value.average_order_value, _period_args),
    "return_rate": _orders("return_rate", value.return_rate, _period_args),
    "refund_share": _orders("refund_share", value.refund_share, _period_args),
    "clv_historical": _orders("clv_historical", value.clv_historical,
                              lambda f, o, c, p, lang: value._clv_historical_coded(
                                  o.orders, o.row_codes, margin=c.clv.margin, as_of=p.end, lang=lang)),
    "clv_predicted": _orders("clv_predicted", clv_value.clv_predicted, _clv_args),
    "referral_rate": _referral_rate,
    "first_response_hours": _service("first_response_hours"),
    "resolution_hours": _service("resolution_hours"),
    "sla_share": _service("sla_share"),
    "complaint_rate": _complaint_rate,
    "clv_contractual": _clv_contractual,
}


# --------------------------------------------------------------------------- change tests

#: KPI id -> how its change is tested (a key of :data:`kit.definitions.CHANGE_TESTS`). Every test
#: estimates its variance under "nothing changed"; cumulative, model-based and median KPIs get none.
CHANGE_TEST_KIND: dict[str, str] = {
    "nps": "nps", "csat": "share", "ces": "mean", "star_rating": "mean", "at_risk_share": "share",
    "response_rate": "share", "churn_rate": "share", "retention_rate": "share", "repeat_purchase_rate": "share",
    "purchase_frequency": "mean", "average_order_value": "clustered_mean", "return_rate": "share",
    "refund_share": "ratio", "clv_historical": "cumulative", "clv_predicted": "model", "referral_rate": "share",
    "first_response_hours": "median", "resolution_hours": "median", "sla_share": "share", "complaint_rate": "rate",
    "clv_contractual": "model",
}

#: KPIs that restate another KPI's fact (retention = 1 - churn): they share its test and count once in
#: the multiplicity correction.
MIRRORED_TESTS: dict[str, str] = {"retention_rate": "churn_rate"}


def _change_test(kind: str, now: MetricResult, before: MetricResult) -> float:
    """The two-sided p-value of the change of ``kind`` between two results (NaN when undefined)."""
    if kind == "nps":
        e1, e2 = now.extras, before.extras
        return nps_change_test(e1["n_promoters"], e1["n_detractors"], now.n,
                               e2["n_promoters"], e2["n_detractors"], before.n)[1]
    if kind == "share":
        return share_change_test(round(now.value * now.n), now.n, round(before.value * before.n), before.n)[1]
    if kind == "mean":
        return mean_change_test(now.value, now.se * math.sqrt(now.n), now.n,
                                before.value, before.se * math.sqrt(before.n), before.n)[1]
    if kind == "clustered_mean" and "cluster_sums" in now.extras and "cluster_sums" in before.extras:
        return clustered_mean_change_test(now.extras["cluster_sums"], before.extras["cluster_sums"],
                                          now.extras.get("cluster_totals"), before.extras.get("cluster_totals"))[1]
    if kind == "clustered_mean":
        g1 = now.extras.get("clusters", now.n)
        g2 = before.extras.get("clusters", before.n)
        return wald_change_test(now.value - before.value, now.se, g1 - 1, before.se, g2 - 1)[1]
    if kind == "ratio" and "sums" in now.extras and "sums" in before.extras:
        return ratio_change_test(now.extras["sums"], before.extras["sums"])[1]
    if kind == "rate" and "complaints" in now.extras and "complaints" in before.extras:
        return rate_change_test(now.extras["complaints"], now.n, before.extras["complaints"], before.n)[1]
    return math.nan


def change_p_value(kpi: str, now: MetricResult, before: MetricResult, data: LoyaltyData,
                   current: Period, previous: Period, lang: Language) -> tuple[float, str]:
    """Two-sided p-value of the change (raw, before any multiplicity correction) and, when none exists, why.

    Parameters
    ----------
    kpi : str
        KPI id; :data:`CHANGE_TEST_KIND` says how it is tested.
    now, before : MetricResult
        The KPI in the current and the previous period.
    data : LoyaltyData
        The tables (unused by the tests: each reads what it needs from the two results).
    current, previous : Period
        The two periods.
    lang : {"en", "de"}
        Language of the reason.

    Returns
    -------
    (float, str)
        The p-value (NaN without a test) and the reason there is none ("" when there is one, or when a
        period has no data).
    """
    if not (now.has_data and before.has_data):
        return math.nan, ""
    kind = CHANGE_TEST_KIND.get(kpi, "mean")
    if kind in ("median", "cumulative", "model"):
        reason = CHANGE_TESTS[kind][1 if lang == "de" else 0].split(": ", 1)[1]
        return math.nan, note_text(lang, "no_test", reason=reason)
    p_value = _change_test(kind, now, before)
    if not math.isnan(p_value):
        return float(p_value), ""
    return math.nan, note_text(lang, "no_test", reason=note_text(lang, "no_variation"))


def adjust_p_values(kpis: list[str], p_values: list[float]) -> list[float]:
    """Holm-adjusted p-values of one scorecard's change tests; a mirrored KPI takes its original's.

    Examples
    --------
    >>> [round(p, 3) for p in adjust_p_values(["nps", "churn_rate", "retention_rate"], [0.04, 0.01, 0.01])]
    [0.04, 0.02, 0.02]
    """
    family = [i for i, k in enumerate(kpis) if k not in MIRRORED_TESTS]
    adjusted = holm([p_values[i] for i in family])
    out = [math.nan] * len(kpis)
    for i, p_adjusted in zip(family, adjusted, strict=True):
        out[i] = float(p_adjusted)
    where = {k: i for i, k in enumerate(kpis)}
    for i, k in enumerate(kpis):
        if k in MIRRORED_TESTS:
            original = where.get(MIRRORED_TESTS[k])
            out[i] = out[original] if original is not None and not math.isnan(p_values[i]) else math.nan
    return out
