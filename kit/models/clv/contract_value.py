"""Contractual customer value: the sBG model fitted on a subscriptions table, each subscriber's residual value.

The value of a running subscription at ``as_of`` is its amount per billing period x margin x its
discounted expected residual lifetime (DERL, Fader & Hardie 2010; :meth:`ShiftedBetaGeometric.derl`): the
expected number of future payments from the next renewal on, each later one discounted. The discount rate
per billing period is ``(1 + annual_discount_rate) ** (billing_months / 12) - 1``. The KPI
:func:`clv_contractual` is the mean over running subscriptions, with a parametric-bootstrap interval
from the sBG parameters' covariance.

The data preparation (:func:`kit.metrics.contracts.subscription_lifetimes`) lives with the contractual
metrics; this module adds the model, which metrics must not import.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kit.definitions import DEFINITIONS, Language
from kit.errors import ModelFitError
from kit.metrics.contracts import subscription_lifetimes
from kit.models.clv.sbg import ShiftedBetaGeometric
from kit.results import MetricResult, format_value, no_data

if TYPE_CHECKING:
    from kit.data.config import CLVSettings

__all__ = ["period_discount_rate", "subscriber_values", "clv_contractual"]

_DRAWS = 200


def period_discount_rate(annual_discount_rate: float, billing_months: int) -> float:
    """The discount rate of one billing period: ``(1 + annual) ** (billing_months / 12) - 1``.

    Examples
    --------
    >>> round(period_discount_rate(0.1, 12), 6), round(period_discount_rate(0.1, 1), 6)
    (0.1, 0.007974)
    """
    return (1.0 + annual_discount_rate) ** (billing_months / 12.0) - 1.0


def subscriber_values(subscriptions: pd.DataFrame, *, as_of: pd.Timestamp | str, settings: CLVSettings,
                      model: ShiftedBetaGeometric | None = None) -> tuple[pd.DataFrame, ShiftedBetaGeometric]:
    """Each running subscription's expected residual value at ``as_of`` under the sBG model.

    Parameters
    ----------
    subscriptions : DataFrame
        Output of :func:`kit.metrics.contracts.subscriptions_of`.
    as_of : Timestamp or str
        Exclusive end of the observation (the reporting period's end).
    settings : CLVSettings
        ``margin``, ``annual_discount_rate`` (above 0) and ``billing_months``.
    model : ShiftedBetaGeometric, optional
        A fitted model; by default one is fitted on the subscriptions' lifetimes at ``as_of``.

    Returns
    -------
    (DataFrame, ShiftedBetaGeometric)
        ``customer_id, renewals, amount, retention_next, derl, residual_value`` (``amount x margin x derl``;
        NaN without an amount) for every subscription running at ``as_of``, and the model.

    Raises
    ------
    ModelFitError
        No cancellation yet, or the fit failed; or ``annual_discount_rate`` is 0 (the undiscounted
        expected lifetime of the sBG may be infinite).
    """
    if not settings.annual_discount_rate > 0:
        raise ModelFitError("the discounted expected residual lifetime needs clv.annual_discount_rate above 0 "
                            "(without discounting the sBG's expected lifetime can be infinite). Fix: set "
                            "clv.annual_discount_rate, e.g. 0.1.")
    lifetimes = subscription_lifetimes(subscriptions, as_of=as_of, billing_months=settings.billing_months)
    if model is None:
        model = ShiftedBetaGeometric().fit(lifetimes)
    d = period_discount_rate(settings.annual_discount_rate, settings.billing_months)
    running = lifetimes[~lifetimes["churned"]]
    renewals = running["periods"].to_numpy(dtype="float64")
    derl = model.derl(d, renewals)
    out = pd.DataFrame({"customer_id": running["customer_id"].to_numpy(), "renewals": renewals.astype("int64"),
                        "amount": running["amount"].to_numpy(dtype="float64"),
                        "retention_next": model.retention_rate(renewals + 1), "derl": derl})
    out["residual_value"] = out["amount"] * settings.margin * out["derl"]
    return out, model


def clv_contractual(subscriptions: pd.DataFrame | None, *, as_of: pd.Timestamp | str, settings: CLVSettings,
                    lang: Language = "en") -> MetricResult:
    """Contractual CLV: mean expected residual value of the running subscriptions (sBG + DERL).

    Parameters
    ----------
    subscriptions : DataFrame or None
        Output of :func:`kit.metrics.contracts.subscriptions_of`.
    as_of : Timestamp or str
        Exclusive end of the observation (the reporting period's end).
    settings : CLVSettings
        ``margin``, ``annual_discount_rate`` and ``billing_months``.
    lang : {"en", "de"}
        Language of the note.

    Returns
    -------
    MetricResult
        kpi ``clv_contractual``; n = running subscriptions with an amount; 95 % interval and se from 200
        parametric-bootstrap draws of (log alpha, log beta) (seeded); extras ``alpha``, ``beta``,
        ``mean_derl``, ``fitted``, ``cancelled``, ``values`` (the per-subscriber table).

    Notes
    -----
    Value = amount per billing period x margin x DERL(d | alpha, beta, renewals + 1) (Fader & Hardie 2010),
    d = the discount rate per billing period. A ``no_data`` result says why (no subscriptions, no amount,
    no cancellation yet, no discount rate).

    Examples
    --------
    >>> from kit.data.config import CLVSettings
    >>> s = pd.DataFrame({"customer_id": list("abcdef"), "amount": [10.0] * 6,
    ...     "start_date": pd.to_datetime(["2025-01-01"] * 6),
    ...     "end_date": pd.to_datetime(["2025-02-10", "2025-03-10", "2025-06-10", None, None, None])})
    >>> r = clv_contractual(s, as_of="2026-01-01", settings=CLVSettings(margin=1.0, annual_discount_rate=0.1))
    >>> r.n, r.value > 10
    (3, True)
    """
    if subscriptions is None:
        return no_data("clv_contractual", "keine Abonnementdaten: vertraglicher Kundenwert übersprungen"
                       if lang == "de" else "no subscription data: contractual CLV skipped")
    if subscriptions["amount"].isna().all():
        return no_data("clv_contractual", "die Abonnements haben keinen Betrag (amount) je Abrechnungszeitraum"
                       if lang == "de" else "the subscriptions have no amount per billing period")
    try:
        values, model = subscriber_values(subscriptions, as_of=as_of, settings=settings)
    except ModelFitError as err:
        return no_data("clv_contractual", str(err))
    valued = values[values["amount"].notna()]
    if valued.empty:
        return no_data("clv_contractual", "keine laufenden Abonnements mit Betrag" if lang == "de"
                       else "no running subscription with an amount")
    d = period_discount_rate(settings.annual_discount_rate, settings.billing_months)
    renewals, weight = np.unique(valued["renewals"].to_numpy(dtype="float64"), return_inverse=True)
    money = valued["amount"].to_numpy(dtype="float64") * settings.margin
    rng = np.random.default_rng(0)
    draws = rng.multivariate_normal(np.log(model.params_.to_numpy()), model.cov_log_, size=_DRAWS)
    means = np.array([float(np.mean(money * model.derl(d, renewals, params=np.exp(lp))[weight])) for lp in draws])
    value = float(valued["residual_value"].mean())
    low, high = (float(v) for v in np.percentile(means, [2.5, 97.5]))
    alpha, beta = (float(v) for v in model.params_)
    rate = format_value(d, "share", lang, digits=2)
    a_, b_ = (format_value(v, "number", lang, digits=2) for v in (alpha, beta))
    fitted, cancelled = (format_value(v, "count", lang) for v in (model.n_, model.churned_))
    if lang == "de":
        note = (f"sBG auf {fitted} Abonnenten ({cancelled} gekündigt): alpha = {a_}, "
                f"beta = {b_}; Wert = Betrag x Marge x DERL bei {rate} Abzinsung je Abrechnungszeitraum")
    else:
        note = (f"sBG fitted on {fitted} subscribers ({cancelled} cancelled): alpha = {a_}, "
                f"beta = {b_}; value = amount x margin x DERL at {rate} discount per billing period")
    definition = DEFINITIONS["clv_contractual"]
    return MetricResult("clv_contractual", value, int(len(valued)), low, high, definition.definition,
                        definition.unit, float(np.std(means, ddof=1)) if len(means) > 1 else math.nan, note,
                        {"alpha": alpha, "beta": beta, "mean_derl": float(valued["derl"].mean()),
                         "fitted": model.n_, "cancelled": model.churned_, "values": values})
