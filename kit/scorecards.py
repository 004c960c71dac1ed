"""Every KPI for one period in one tidy table: value, n, interval, previous period, target, status.

The scorecard is what ``kpis.csv`` holds. Each KPI id of :data:`kit.definitions.KPI_IDS`
gets exactly one row, in that order, whatever data exist: a KPI without its data
is a ``no_data`` row that says why.
"""

from __future__ import annotations

import importlib
import math
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd

from kit.config import AnalysisConfig
from kit.definitions import DEFINITIONS, KPI_IDS, Language
from kit.errors import ConfigError, DataError, DataQualityWarning, KitWarning, SmallSampleWarning
from kit.metrics import behaviour, service, survey, value
from kit.metrics._orders import PreparedOrders
from kit.metrics._purchases import counts_prepared
from kit.metrics._stats import difference_test, two_proportion_test
from kit.periods import Period, latest_complete_period, parse_period, rows_in_period
from kit.results import MetricResult, no_data
from kit.tables import LoyaltyData

__all__ = ["scorecard", "resolve_period", "kpi_status", "SCORECARD_COLUMNS", "STATUSES"]

SCORECARD_COLUMNS = ("kpi", "label", "period", "value", "n", "ci_low", "ci_high", "previous", "change",
                     "p_value", "target", "status", "definition")
STATUSES = ("met", "missed", "inconclusive", "no_target", "no_data")

#: ``adapter(data, config, period, prep=None)``: ``prep`` (optional) carries the orders prepared once
#: for the whole scorecard; without it the adapter prepares them itself.
Adapter = Callable[..., MetricResult]

_TEXT = {
    "en": {
        "not_yet": "not available yet",
        "surveys": "no survey data: survey metrics skipped",
        "contacts": "no survey invitations (contacts): response rate skipped",
        "orders": "no order data: behaviour and value metrics skipped",
        "tickets": "no ticket data: service metrics skipped",
        "referrals": "no referral data: referral rate skipped",
        "column": "the surveys table has no '{column}' column",
        "no_test": "change not tested: {reason}",
        "median": "a median has no standard error",
        "no_se": "no standard error for both periods",
        "note": "Note",
    },
    "de": {
        "not_yet": "noch nicht verfügbar",
        "surveys": "keine Umfragedaten: Umfragekennzahlen übersprungen",
        "contacts": "keine Umfrageeinladungen (contacts): Rücklaufquote übersprungen",
        "orders": "keine Bestelldaten: Verhaltens- und Wertkennzahlen übersprungen",
        "tickets": "keine Ticketdaten: Servicekennzahlen übersprungen",
        "referrals": "keine Empfehlungsdaten: Empfehlungsquote übersprungen",
        "column": "die Umfragetabelle hat keine Spalte '{column}'",
        "no_test": "Veränderung nicht getestet: {reason}",
        "median": "ein Median hat keinen Standardfehler",
        "no_se": "kein Standardfehler für beide Zeiträume",
        "note": "Hinweis",
    },
}


def _text(lang: str, key: str, **values: Any) -> str:
    return _TEXT.get(lang, _TEXT["en"])[key].format(**values)


# --------------------------------------------------------------------------- period


def resolve_period(data: LoyaltyData, config: AnalysisConfig, period: Period | str = "latest") -> Period:
    """Turn ``"latest"``, a label like ``"2026-Q3"`` or a :class:`Period` into a :class:`Period`.

    Parameters
    ----------
    data : LoyaltyData
        The tables; ``"latest"`` is the latest complete period of their dates.
    config : AnalysisConfig
        ``periods.granularity`` is used for ``"latest"``.
    period : Period or str
        ``"latest"``, ``"2026-Q3"``, ``"2026-10"``, ``"2026"`` or a Period.

    Returns
    -------
    Period
        The resolved calendar period.

    Raises
    ------
    ConfigError
        When the label is not a period, or the period starts after the data end.

    Warns
    -----
    DataQualityWarning
        When the period ends after the data (it is incomplete).
    DataError
        When ``"latest"`` is asked for and no table has a dated row.

    Examples
    --------
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "Shop"},
    ...     "data": {"tables": {"orders": {"file": "/tmp/orders.csv"}}}})
    >>> data = LoyaltyData(orders=pd.DataFrame({"order_date": pd.to_datetime(["2026-09-30 17:00"])}))
    >>> resolve_period(data, cfg, "latest").label
    '2026-Q3'
    >>> resolve_period(data, cfg, "2026-05").label
    '2026-05'
    """
    if isinstance(period, Period):
        return period
    if str(period).strip().lower() == "latest":
        try:
            last = data.last_seen()
        except ValueError:
            raise DataError("no table has a dated row, so there is no latest period",
                            fix="pass an explicit period such as '2026-Q3'") from None
        return latest_complete_period(last, config.periods.granularity)
    resolved = parse_period(str(period))
    try:
        last = data.last_seen()
    except ValueError:
        return resolved
    if resolved.start > last:
        latest = latest_complete_period(last, config.periods.granularity)
        raise ConfigError(
            f"period {resolved.label} starts after the data end ({last:%Y-%m-%d}): there is nothing to report "
            f"for it. Choose a period up to {latest.label} (the latest complete one, also chosen by "
            "--period latest).", key="period")
    if resolved.end > last.normalize() + pd.Timedelta(days=1):
        warnings.warn(f"period {resolved.label} is not complete in the data (they end on {last:%Y-%m-%d}): "
                      "churn counts customers not yet due as retained and shares rest on part of the period",
                      DataQualityWarning, stacklevel=2)
    return resolved


# --------------------------------------------------------------------------- status


def kpi_status(value: float, ci_low: float, ci_high: float, *, n: int, target: float | None,
               direction: str) -> str:
    """Status of a KPI against its target, read from the 95 % interval.

    Parameters
    ----------
    value, ci_low, ci_high : float
        The estimate and its interval (NaN bounds: no interval).
    n : int
        Observations behind the value.
    target : float or None
        The target; None when none is configured.
    direction : {"higher", "lower"}
        Which side of the target is good.

    Returns
    -------
    str
        ``no_data`` (n = 0 or no value), ``no_target``, ``met`` (the whole interval on the good
        side, touching the target allowed), ``missed`` (the whole interval on the bad side) or
        ``inconclusive`` (the interval straddles the target). Without an interval the value
        itself is compared.

    Examples
    --------
    >>> kpi_status(32.0, 25.0, 39.0, n=400, target=30, direction="higher")
    'inconclusive'
    >>> kpi_status(0.05, 0.04, 0.06, n=900, target=0.10, direction="lower")
    'met'
    """
    if n == 0 or value is None or math.isnan(value):
        return "no_data"
    if target is None or math.isnan(target):
        return "no_target"
    if direction not in ("higher", "lower"):
        raise ValueError(f"direction {direction!r} is not known. Expected 'higher' or 'lower'.")
    low, high = (value, value) if math.isnan(ci_low) or math.isnan(ci_high) else (ci_low, ci_high)
    if direction == "lower":
        low, high, target = -high, -low, -target
    if low >= target:
        return "met"
    if high < target:
        return "missed"
    return "inconclusive"


# --------------------------------------------------------------------------- adapters


def _lazy(module: str, name: str) -> Callable[..., MetricResult] | None:
    """``module.name`` or None when the module or the name does not exist (yet).

    Only a missing module *itself* counts as absent: an import error raised inside an
    existing module is a bug and propagates.
    """
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None
    return getattr(mod, name, None)


def _survey(kpi: str, column: str, compute: Callable[[pd.Series, AnalysisConfig], MetricResult]) -> Adapter:
    def adapter(data: LoyaltyData, config: AnalysisConfig, period: Period,
                prep: PreparedOrders | None = None) -> MetricResult:
        if data.surveys is None:
            return no_data(kpi, _text("en", "surveys"))
        if column not in data.surveys.columns:
            return no_data(kpi, _text("en", "column", column=column))
        answers = rows_in_period(data.surveys, "responded_at", period)[column]
        return compute(answers, config)

    return adapter


def _response_rate(data: LoyaltyData, config: AnalysisConfig, period: Period,
                   prep: PreparedOrders | None = None) -> MetricResult:
    if data.contacts is None:
        return no_data("response_rate", _text("en", "contacts"))
    return survey.response_rate(data.contacts, period=period,
                                warn_below=config.thresholds.response_rate_warning)


def _prepared(data: LoyaltyData, prep: PreparedOrders | None) -> PreparedOrders:
    """``prep`` when it belongs to these orders and exits, else a fresh preparation."""
    if prep is not None and prep.orders is data.orders and prep.exits is data.exits:
        return prep
    return PreparedOrders(data.orders, data.exits)  # type: ignore[arg-type]


def _orders(kpi: str, module: str, call: Callable[[Callable[..., MetricResult], PreparedOrders,
                                                    AnalysisConfig, Period], MetricResult]) -> Adapter:
    def adapter(data: LoyaltyData, config: AnalysisConfig, period: Period,
                prep: PreparedOrders | None = None) -> MetricResult:
        if data.orders is None:
            return no_data(kpi, _text("en", "orders"))
        function = _lazy(module, kpi)
        if function is None:
            return no_data(kpi, _text("en", "not_yet"))
        return call(function, _prepared(data, prep), config, period)

    return adapter


def _service(kpi: str) -> Adapter:
    def adapter(data: LoyaltyData, config: AnalysisConfig, period: Period,
                prep: PreparedOrders | None = None) -> MetricResult:
        if data.tickets is None:
            return no_data(kpi, _text("en", "tickets"))
        t = config.thresholds
        options = {"basis": t.hours_basis, "schedule": t.business_hours, "state": t.holiday_state}
        if kpi == "sla_share":
            return service.sla_share(data.tickets, period=period, sla_hours=t.sla_hours, **options)
        function = service.first_response_hours if kpi == "first_response_hours" else service.resolution_hours
        return function(data.tickets, period=period, **options)

    return adapter


def _complaint_rate(data: LoyaltyData, config: AnalysisConfig, period: Period,
                    prep: PreparedOrders | None = None) -> MetricResult:
    if data.tickets is None:
        return no_data("complaint_rate", _text("en", "tickets"))
    if data.orders is None:
        return no_data("complaint_rate", _text("en", "orders"))
    return service.complaint_rate(data.tickets, _prepared(data, prep).narrow(("order_date",)), period=period)


def _referral_rate(data: LoyaltyData, config: AnalysisConfig, period: Period,
                   prep: PreparedOrders | None = None) -> MetricResult:
    if data.referrals is None:
        return no_data("referral_rate", _text("en", "referrals"))
    if data.orders is None:
        return no_data("referral_rate", _text("en", "orders"))
    function = _lazy("kit.metrics.advocacy", "referral_rate")
    if function is None:
        return no_data("referral_rate", _text("en", "not_yet"))
    return function(data.referrals, _prepared(data, prep).narrow(("customer_id", "order_date")), period=period)


# The order adapters give the results of the public functions named by the KPI ids; they reuse
# the prepared orders (one sort, integer customer codes, narrow column selections) across KPIs.
_VALUE_COLUMNS = ("order_date", "revenue", "refund_amount", "returned")
_CLV_COLUMNS = ("customer_id", "order_date", "revenue", "refund_amount")


def _churn_args(f: Callable[..., MetricResult], o: PreparedOrders, c: AnalysisConfig, p: Period) -> MetricResult:
    days = c.thresholds.inactivity_days
    if f is behaviour.retention_rate:
        return behaviour._retention_prepared(o, period=p, inactivity_days=days)
    return behaviour._churn_prepared(o, period=p, inactivity_days=days)


def _count_args(f: Callable[..., MetricResult], o: PreparedOrders, c: AnalysisConfig, p: Period) -> MetricResult:
    return counts_prepared(f.__name__, o, p)


def _clv_args(f: Callable[..., MetricResult], o: PreparedOrders, c: AnalysisConfig, p: Period) -> MetricResult:
    value_module = importlib.import_module("kit.clv.value")
    if "revenue" in o.orders.columns and o.coded(_CLV_COLUMNS) is not None and o.sorted_net() is not None:
        # every dated order has a customer and a revenue: summarise the prepared sort in numpy
        from kit.clv.summary import _summarise_sorted

        s, net = o.sorted, o.sorted_net()

        def summarise(as_of: pd.Timestamp, unit: str) -> pd.DataFrame:
            return _summarise_sorted(s.codes, s.dates, net, s.ids, as_of=as_of, freq=unit)  # type: ignore[arg-type]

        return value_module._clv_predicted(o.narrow(_CLV_COLUMNS), as_of=p.end, settings=c.clv, summarise=summarise)
    coded = o.coded(_CLV_COLUMNS)
    if coded is None:
        return f(o.narrow(_CLV_COLUMNS), as_of=p.end, settings=c.clv)
    frame, ids = coded  # integer customer codes: DuckDB groups them several times faster than strings
    return value_module._clv_predicted(frame, as_of=p.end, settings=c.clv, ids=ids)


def _period_args(f: Callable[..., MetricResult], o: PreparedOrders, c: AnalysisConfig, p: Period) -> MetricResult:
    return f(o.narrow(_VALUE_COLUMNS), period=p)


_BEHAVIOUR, _VALUE = "kit.metrics.behaviour", "kit.metrics.value"

#: KPI id -> callable(data, config, period) -> MetricResult. One entry per KPI id.
ADAPTERS: dict[str, Adapter] = {
    "nps": _survey("nps", "nps", lambda s, c: survey.nps(s)),
    "csat": _survey("csat", "csat", lambda s, c: survey.csat(s, top_box=c.thresholds.csat_top_box)),
    "ces": _survey("ces", "ces", lambda s, c: survey.ces(
        s, scale=c.thresholds.ces_scale, low_effort=c.thresholds.ces_low_effort,
        higher_is_better=c.thresholds.ces_higher_is_better)),
    "star_rating": _survey("star_rating", "rating", lambda s, c: survey.star_rating(
        s, at_risk_max=c.thresholds.star_at_risk_max)),
    "at_risk_share": _survey("at_risk_share", "rating", lambda s, c: survey.at_risk_share(
        s, at_risk_max=c.thresholds.star_at_risk_max)),
    "response_rate": _response_rate,
    "churn_rate": _orders("churn_rate", _BEHAVIOUR, _churn_args),
    "retention_rate": _orders("retention_rate", _BEHAVIOUR, _churn_args),
    "repeat_purchase_rate": _orders("repeat_purchase_rate", _BEHAVIOUR, _count_args),
    "purchase_frequency": _orders("purchase_frequency", _BEHAVIOUR, _count_args),
    "average_order_value": _orders("average_order_value", _VALUE, _period_args),
    "return_rate": _orders("return_rate", _VALUE, _period_args),
    "refund_share": _orders("refund_share", _VALUE, _period_args),
    "clv_historical": _orders("clv_historical", _VALUE,
                              lambda f, o, c, p: value._clv_historical_coded(
                                  o.orders, o.row_codes, margin=c.clv.margin, as_of=p.end)),
    "clv_predicted": _orders("clv_predicted", "kit.clv", lambda f, o, c, p: _clv_args(f, o, c, p)),
    "referral_rate": _referral_rate,
    "first_response_hours": _service("first_response_hours"),
    "resolution_hours": _service("resolution_hours"),
    "sla_share": _service("sla_share"),
    "complaint_rate": _complaint_rate,
}


# --------------------------------------------------------------------------- change tests


def _change_p_value(kpi: str, now: MetricResult, before: MetricResult, data: LoyaltyData,
                    current: Period, previous: Period, lang: str) -> tuple[float, str]:
    """Two-sided p-value of the change and, when none exists, the reason."""
    if not (now.has_data and before.has_data):
        return math.nan, ""
    if kpi == "nps" and data.surveys is not None:
        change = survey.compare_nps(rows_in_period(data.surveys, "responded_at", current)["nps"],
                                    rows_in_period(data.surveys, "responded_at", previous)["nps"])
        return float(change.extras.get("p_value", math.nan)), change.note
    if DEFINITIONS[kpi].interval == "Wilson score":
        _, p_value = two_proportion_test(now.value, now.n, before.value, before.n)
        if not math.isnan(p_value):
            return p_value, ""
        return math.nan, _text(lang, "no_test", reason="no variation in either period")
    _, _, p_value = difference_test(now.value - before.value, now.se, before.se)
    if not math.isnan(p_value):
        return p_value, ""
    reason = _text(lang, "median") if now.unit == "hours" else _text(lang, "no_se")
    return math.nan, _text(lang, "no_test", reason=reason)


# --------------------------------------------------------------------------- scorecard


def _localise(note: str, lang: str) -> str:
    """Translate the scorecard's own notes; other notes pass through."""
    if lang == "en":
        return note
    for key, text in _TEXT["en"].items():
        if note == text:
            return _TEXT[lang][key]
    return note


def scorecard(data: LoyaltyData, config: AnalysisConfig, *, period: Period | str = "latest",
              lang: Language = "en") -> pd.DataFrame:
    """Every KPI of :data:`kit.definitions.KPI_IDS` for one period, against the previous one and its target.

    Parameters
    ----------
    data : LoyaltyData
        The tables of the analysis; missing tables give ``no_data`` rows that say why.
    config : AnalysisConfig
        Targets, thresholds, business hours, CLV settings and the period granularity.
    period : Period or str
        ``"latest"`` (the latest complete period of the data) or a label like ``"2026-Q3"``.
    lang : {"en", "de"}
        Language of ``label`` and ``definition``.

    Returns
    -------
    DataFrame
        Columns ``kpi, label, period, value, n, ci_low, ci_high, previous, change, p_value,
        target, status, definition``; one row per KPI id, in registry order. ``change`` =
        value - previous; ``p_value`` of the change: NPS by :func:`~kit.metrics.survey.compare_nps`,
        shares by a pooled two-proportion z-test, means and rates by a z-test with the two
        standard errors; medians have none (NaN, and the definition says so). Notes (why a
        row has no data, the rule applied) follow the definition after "Note:" and are also in
        ``frame.attrs["notes"]``.

    Raises
    ------
    ConfigError
        When ``period`` is not a period label.

    Warns
    -----
    SmallSampleWarning
        Once, naming every KPI whose n is below ``thresholds.min_n``.

    Examples
    --------
    >>> import kit
    >>> config, data = kit.load_sample()          # doctest: +SKIP
    >>> scorecard(data, config, period="2026-Q3")  # doctest: +SKIP
    """
    current = resolve_period(data, config, period)
    previous = current.previous()
    rows, notes, small = [], {}, []
    # orders sorted and coded once for every order KPI of both periods (the costly part on large data)
    prep = PreparedOrders(data.orders, data.exits) if data.orders is not None else None
    for kpi in KPI_IDS:
        adapter = ADAPTERS[kpi]
        now = adapter(data, config, current, prep)
        with warnings.catch_warnings():
            # the previous period is only the comparison: its warnings would repeat or confuse
            warnings.simplefilter("ignore", KitWarning)
            before = adapter(data, config, previous, prep)
        p_value, test_note = _change_p_value(kpi, now, before, data, current, previous, lang)
        target_cfg = config.targets.get(kpi)
        target = float(target_cfg.target) if target_cfg else math.nan
        status = kpi_status(now.value, now.ci_low, now.ci_high, n=now.n,
                            target=target_cfg.target if target_cfg else None, direction=config.direction(kpi))
        if 0 < now.n < config.thresholds.min_n:
            small.append(f"{kpi} (n = {now.n})")
        label, text = DEFINITIONS[kpi].text(lang)
        note = "; ".join(part for part in (_localise(now.note, lang), test_note) if part)
        notes[kpi] = note
        previous_value = before.value if before.has_data else math.nan
        rows.append({
            "kpi": kpi, "label": label, "period": current.label,
            "value": now.value if now.has_data else math.nan, "n": int(now.n),
            "ci_low": now.ci_low, "ci_high": now.ci_high, "previous": previous_value,
            "change": now.value - previous_value if now.has_data else math.nan,
            "p_value": p_value, "target": target, "status": status,
            "definition": f"{text} {_text(lang, 'note')}: {note}" if note else text,
        })
    if small:
        warnings.warn(f"{current.label}: below the minimum n of {config.thresholds.min_n}: {', '.join(small)}",
                      SmallSampleWarning, stacklevel=2)
    frame = pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))
    frame = frame.astype({"n": "int64", "value": "float64", "ci_low": "float64", "ci_high": "float64",
                          "previous": "float64", "change": "float64", "p_value": "float64",
                          "target": "float64"})
    frame.attrs["notes"] = notes
    frame.attrs["period"] = current.label
    frame.attrs["previous_period"] = previous.label
    return frame
