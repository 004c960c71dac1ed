"""Contractual (subscription) metrics: churn and retention per period and by tenure.

A subscription business records when each subscription started and when it ended; a customer is
**lost** on the day the subscription ends (``end_date``, else ``cancelled_at``). No inactivity rule is
needed. The tables these functions take come from :func:`subscriptions_of`: the ``subscriptions`` table
of the data contract, or, for exports that only carry a status, the ``customers`` table's ``status`` /
``churn_date`` / ``tenure_months`` columns (with ``data.as_of`` for snapshots without dates).

A customer with several subscriptions counts once: active from the first start to the last end
(open when any subscription is still running); gaps between subscriptions are not counted as losses.

Contractual churn of a period ``[start, end)`` = customers whose subscription ended in the period /
customers active at its start (started before ``start``, not ended before it). Customers who joined
**and** left within the period are not in the denominator (they were not active at its start) and so
not in the numerator either; the result's note says how many they were.

The model-based view (the shifted-beta-geometric retention curve and the discounted expected residual
lifetime) is in :mod:`kit.models.clv.sbg` and :mod:`kit.models.clv.contract_value`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kit.data.contract import CHURNED_STATUSES, LoyaltyData
from kit.data.periods import Period, as_period
from kit.definitions import DEFINITIONS, Language
from kit.errors import DataError
from kit.metrics._stats import share_interval, share_result
from kit.results import MetricResult, no_data

__all__ = ["DAYS_PER_MONTH", "subscriptions_of", "customer_subscriptions", "subscription_lifetimes",
           "contractual_churn", "contractual_retention", "contractual_churn_by_period", "churn_by_tenure"]

#: Days of an average calendar month (365.25 / 12): billing periods are counted in these.
DAYS_PER_MONTH = 30.4375

_COLUMNS = ["customer_id", "start_date", "end_date", "plan", "amount"]


def subscriptions_of(data: LoyaltyData) -> pd.DataFrame | None:
    """The subscriptions of an analysis: the ``subscriptions`` table, or one built from the customers' status.

    Parameters
    ----------
    data : LoyaltyData
        The tables. ``subscriptions`` is used when present (``end_date``, else ``cancelled_at``, is the end).
        Otherwise a ``customers`` table with ``status`` or ``churn_date`` gives one subscription per
        customer: start = ``signup_date``, else the end (or ``data.as_of``) minus ``tenure_months``; end =
        ``churn_date``, else the day before ``data.as_of`` (the snapshot's last day) for a churned ``status``
        (see :data:`kit.data.contract.CHURNED_STATUSES`).

    Returns
    -------
    DataFrame or None
        ``customer_id, start_date, end_date, plan, amount`` (``end_date`` NaT while running, ``plan`` and
        ``amount`` NaN where unknown), rows without a start left out; None when neither source exists.

    Raises
    ------
    DataError
        A status-only customers table without ``signup_date`` / ``tenure_months``, or with churned
        statuses but neither ``churn_date`` nor ``data.as_of``.

    Examples
    --------
    >>> c = pd.DataFrame({"customer_id": ["a", "b"], "tenure_months": [2.0, 5.0], "status": ["active", "Churned"]})
    >>> subs = subscriptions_of(LoyaltyData(customers=c, as_of=pd.Timestamp("2026-07-01")))
    >>> subs["end_date"].dt.strftime("%Y-%m-%d").tolist(), subs["start_date"].dt.strftime("%Y-%m-%d").tolist()
    ([nan, '2026-06-30'], ['2026-05-01', '2026-01-29'])
    """
    if data.subscriptions is not None:
        s = data.subscriptions
        end = s["end_date"] if "end_date" in s else pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        if "cancelled_at" in s:
            end = end.fillna(s["cancelled_at"])
        out = pd.DataFrame({"customer_id": s["customer_id"], "start_date": s["start_date"], "end_date": end,
                            "plan": s["plan"] if "plan" in s else np.nan,
                            "amount": s["amount"] if "amount" in s else np.nan})
        return out[out["start_date"].notna() & out["customer_id"].notna()].reset_index(drop=True)
    c = data.customers
    if c is None or not {"status", "churn_date"} & set(c.columns):
        return None
    return _from_customers(c, data.as_of)


def _from_customers(c: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """One subscription per customer from status / churn_date / tenure_months (see :func:`subscriptions_of`)."""
    churned = pd.Series(False, index=c.index)
    if "status" in c:
        churned = c["status"].astype("string").str.strip().str.lower().isin(CHURNED_STATUSES).fillna(False)
    end = c["churn_date"] if "churn_date" in c else pd.Series(pd.NaT, index=c.index, dtype="datetime64[ns]")
    undated = churned & end.isna()
    if undated.any():
        if as_of is None:
            raise DataError(f"{int(undated.sum())} customers have a churned status but no churn_date",
                            file="customers", column="status", rows=[int(i) + 2 for i in c.index[undated][:5]],
                            values=c.loc[undated, "status"].head(5).tolist(),
                            expected="a churn_date for churned customers, or data.as_of for a snapshot export",
                            fix="map a churn date column, or set data.as_of in analysis.yaml to the export's day")
        end = end.where(~undated, as_of - pd.Timedelta(days=1))  # the snapshot's last day: lost within the data
    start = c["signup_date"] if "signup_date" in c else pd.Series(pd.NaT, index=c.index, dtype="datetime64[ns]")
    if "tenure_months" in c:
        # a snapshot: tenure counts back from the churn date (churned) or from as_of (still active)
        anchor = end.fillna(as_of) if as_of is not None else end
        back = pd.to_timedelta(c["tenure_months"] * DAYS_PER_MONTH, unit="D").dt.round("D")
        start = start.fillna(anchor - back)
    if "signup_date" not in c and "tenure_months" not in c:
        raise DataError("customers with a status need a start: neither signup_date nor tenure_months is mapped",
                        file="customers", column="status", expected="signup_date or tenure_months",
                        fix="map the signup date or the tenure in months under data.tables.customers.columns")
    out = pd.DataFrame({"customer_id": c["customer_id"], "start_date": start.astype("datetime64[ns]"),
                        "end_date": end.astype("datetime64[ns]"),
                        "plan": c["plan"] if "plan" in c else np.nan,
                        "amount": c["amount"] if "amount" in c else np.nan})
    return out[out["start_date"].notna()].reset_index(drop=True)


def customer_subscriptions(subscriptions: pd.DataFrame) -> pd.DataFrame:
    """One row per customer: first start, last end (NaT when any subscription runs), amount of the latest one.

    Parameters
    ----------
    subscriptions : DataFrame
        Output of :func:`subscriptions_of`.

    Returns
    -------
    DataFrame
        ``customer_id, start_date, end_date, amount``, sorted by customer id.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "a"], "start_date": pd.to_datetime(["2026-01-01", "2026-03-01"]),
    ...                   "end_date": pd.to_datetime(["2026-02-01", None]), "amount": [10.0, 12.0]})
    >>> one = customer_subscriptions(s)
    >>> one["end_date"].isna().tolist(), one["amount"].tolist()
    ([True], [12.0])
    """
    s = subscriptions.sort_values(["customer_id", "start_date"], kind="stable")
    amount = s["amount"] if "amount" in s else pd.Series(np.nan, index=s.index)
    grouped = s.assign(amount=amount, open=s["end_date"].isna()).groupby("customer_id", sort=True)
    out = pd.DataFrame({"start_date": grouped["start_date"].min(), "end_date": grouped["end_date"].max(),
                        "open": grouped["open"].any(), "amount": grouped["amount"].last()})
    out["end_date"] = out["end_date"].where(~out["open"])
    return out.drop(columns="open").reset_index()


def _counts(customers: pd.DataFrame, period: Period) -> dict[str, int]:
    start, end = customers["start_date"], customers["end_date"]
    at_start = (start < period.start) & (end.isna() | (end >= period.start))
    lost = at_start & (end >= period.start) & (end < period.end)
    joined_left = (start >= period.start) & (start < period.end) & (end < period.end)
    joined = (start >= period.start) & (start < period.end)
    return {"at_start": int(at_start.sum()), "lost": int(lost.sum()), "joined_and_left": int(joined_left.sum()),
            "joined": int(joined.sum())}


def _note(counts: dict[str, int], lang: Language) -> str:
    k = counts["joined_and_left"]
    if lang == "de":
        return (f"vertraglich: im Zeitraum beendete Abonnements / zu Beginn aktive Abonnenten; {k} Kunden haben im "
                "Zeitraum begonnen und wieder gekündigt (nicht gezählt: zu Beginn nicht aktiv)")
    return (f"contractual: subscriptions ended in the period / subscribers active at its start; {k} customers "
            "joined and left within the period (not counted: not active at its start)")


def contractual_churn(subscriptions: pd.DataFrame | None, *, period: Period | str,
                      lang: Language = "en") -> MetricResult:
    """Contractual churn rate: subscribers whose subscription ended in the period / subscribers at its start.

    Parameters
    ----------
    subscriptions : DataFrame or None
        Output of :func:`subscriptions_of` (``customer_id``, ``start_date``, ``end_date``).
    period : Period or str
        The period, e.g. ``"2026-Q3"``.
    lang : {"en", "de"}
        Language of the note.

    Returns
    -------
    MetricResult
        kpi ``churn_rate``; n = subscribers active at the start; Agresti-Coull interval; the note says the rule and
        how many customers joined and left within the period; extras ``lost``, ``joined``,
        ``joined_and_left``, ``source`` (``"subscriptions"``).

    Notes
    -----
    churn = lost / at start (customers, see the module docstring); 95 % Agresti-Coull interval
    (Agresti & Coull 1998). Customers who joined and left within the period are left out of both counts, as the
    documented formula requires, and counted in the note.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...     "start_date": pd.to_datetime(["2026-01-05", "2026-02-01", "2026-03-01", "2026-07-02"]),
    ...     "end_date": pd.to_datetime(["2026-08-01", None, "2026-06-30", "2026-09-01"])})
    >>> r = contractual_churn(s, period="2026-Q3")   # a, b at the start; a lost; d joined and left
    >>> r.value, r.n, r.extras["joined_and_left"]
    (0.5, 2, 1)
    """
    period = as_period(period)
    if subscriptions is None:
        return no_data("churn_rate", "keine Abonnementdaten: vertragliche Abwanderung übersprungen" if lang == "de"
                       else "no subscription data: contractual churn skipped")
    counts = _counts(customer_subscriptions(subscriptions), period)
    if counts["at_start"] == 0:
        return no_data("churn_rate", f"keine aktiven Abonnenten zu Beginn von {period.label}" if lang == "de"
                       else f"no active subscribers at the start of {period.label}")
    return share_result("churn_rate", counts["lost"], counts["at_start"], note=_note(counts, lang),
                        extras={**counts, "source": "subscriptions"})


def contractual_retention(subscriptions: pd.DataFrame | None, *, period: Period | str,
                          lang: Language = "en") -> MetricResult:
    """Contractual retention = 1 - :func:`contractual_churn`, same n, the interval mirrored.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "b"], "start_date": pd.to_datetime(["2026-01-05", "2026-02-01"]),
    ...                   "end_date": pd.to_datetime(["2026-08-01", None])})
    >>> contractual_retention(s, period="2026-Q3").value
    0.5
    """
    churn = contractual_churn(subscriptions, period=period, lang=lang)
    if not churn.has_data:
        return no_data("retention_rate", churn.note)
    d = DEFINITIONS["retention_rate"]
    extras = {**churn.extras, "retained": churn.n - churn.extras["lost"]}
    return MetricResult("retention_rate", 1 - churn.value, churn.n, 1 - churn.ci_high, 1 - churn.ci_low,
                        d.definition, d.unit, churn.se, churn.note, extras)


def contractual_churn_by_period(subscriptions: pd.DataFrame, *, periods: list[Period]) -> pd.DataFrame:
    """Contractual churn of each period (for a trend chart), with those who joined and left within it.

    Returns
    -------
    DataFrame
        ``period, start, value, n, lost, joined_and_left, ci_low, ci_high``; periods without subscribers at
        their start have NaN values and n = 0.

    Examples
    --------
    >>> from kit.data.periods import parse_period
    >>> s = pd.DataFrame({"customer_id": ["a", "b"], "start_date": pd.to_datetime(["2026-01-05", "2026-02-01"]),
    ...                   "end_date": pd.to_datetime(["2026-08-01", None])})
    >>> contractual_churn_by_period(s, periods=[parse_period("2026-Q3")])["value"].tolist()
    [0.5]
    """
    customers = customer_subscriptions(subscriptions)
    rows = []
    for p in periods:
        c = _counts(customers, p)
        n, lost = c["at_start"], c["lost"]
        low, high = share_interval(lost, n)
        rows.append({"period": p.label, "start": p.start, "value": lost / n if n else math.nan, "n": n,
                     "lost": lost, "joined_and_left": c["joined_and_left"], "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=["period", "start", "value", "n", "lost", "joined_and_left", "ci_low",
                                       "ci_high"])


def subscription_lifetimes(subscriptions: pd.DataFrame, *, as_of: pd.Timestamp | str,
                           billing_months: int = 1) -> pd.DataFrame:
    """Each subscriber's lifetime in whole billing periods at ``as_of``, the input of the sBG model.

    Parameters
    ----------
    subscriptions : DataFrame
        Output of :func:`subscriptions_of`.
    as_of : Timestamp or str
        Exclusive end of the observation: subscriptions starting on or after it are left out; an end on or
        after it counts as still running.
    billing_months : int
        Length of a billing period in months (of 30.4375 days).

    Returns
    -------
    DataFrame
        ``customer_id, periods, churned, amount``: a cancelled subscriber has ``periods`` = the billing
        period in which the subscription ended (ceil(days / period), at least 1); a running one the whole
        periods completed (floor(days / period), its renewals so far).

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "b"], "start_date": pd.to_datetime(["2026-01-01", "2026-01-01"]),
    ...                   "end_date": pd.to_datetime(["2026-02-15", None]), "amount": [9.0, 9.0]})
    >>> subscription_lifetimes(s, as_of="2026-04-20")[["periods", "churned"]].values.tolist()
    [[2, True], [3, False]]
    """
    as_of = pd.Timestamp(as_of)
    if billing_months < 1:
        raise ValueError(f"billing_months must be 1 or more, found {billing_months}")
    customers = customer_subscriptions(subscriptions)
    customers = customers[customers["start_date"] < as_of]
    churned = customers["end_date"].notna() & (customers["end_date"] < as_of)
    stop = customers["end_date"].where(churned, as_of)
    days = (stop - customers["start_date"]).dt.total_seconds().to_numpy() / 86400.0
    per = billing_months * DAYS_PER_MONTH
    periods = np.where(churned, np.maximum(np.ceil(days / per - 1e-9), 1), np.floor(days / per + 1e-9))
    return pd.DataFrame({"customer_id": customers["customer_id"].to_numpy(), "periods": periods.astype("int64"),
                         "churned": churned.to_numpy(), "amount": customers["amount"].to_numpy(dtype="float64")})


def churn_by_tenure(lifetimes: pd.DataFrame, *, max_periods: int | None = None) -> pd.DataFrame:
    """Observed churn in each billing period of tenure: cancelled in period t / subscribers who reached it.

    Parameters
    ----------
    lifetimes : DataFrame
        Output of :func:`subscription_lifetimes` (``periods``, ``churned``).
    max_periods : int, optional
        Last tenure period shown (default: the longest observed).

    Returns
    -------
    DataFrame
        ``tenure`` (1 = first billing period), ``at_risk`` (subscribers who reached period t and whose
        period t was observed: cancelled in t or later, or still running after t or more periods),
        ``churned``, ``churn_rate``, ``ci_low``, ``ci_high`` (Agresti-Coull), ``retention`` (1 - churn_rate).
        Periods nobody reached are left out.

    Examples
    --------
    >>> life = pd.DataFrame({"periods": [1, 2, 2, 3], "churned": [True, True, False, False]})
    >>> churn_by_tenure(life)[["tenure", "at_risk", "churned"]].values.tolist()  # t=3: only the last one
    [[1, 4, 1], [2, 3, 1], [3, 1, 0]]
    """
    t = lifetimes["periods"].to_numpy(dtype="int64")
    c = lifetimes["churned"].to_numpy(dtype=bool)
    top = int(t.max()) if len(t) else 0
    if max_periods is not None:
        top = min(top, int(max_periods))
    rows = []
    for k in range(1, top + 1):
        at_risk = int((t >= k).sum())  # cancelled in k or later, or running after k or more periods
        lost = int((c & (t == k)).sum())
        if at_risk == 0:
            continue
        low, high = share_interval(lost, at_risk)
        rows.append({"tenure": k, "at_risk": at_risk, "churned": lost, "churn_rate": lost / at_risk,
                     "ci_low": low, "ci_high": high, "retention": 1 - lost / at_risk})
    return pd.DataFrame(rows, columns=["tenure", "at_risk", "churned", "churn_rate", "ci_low", "ci_high",
                                       "retention"])
