"""Whom to act on: the watch list, the win-back list and the advocates.

:func:`watch_list` names active customers with warning signs (most value at risk first),
:func:`winback_list` lapsed customers by past value and :func:`advocates` the promoters,
five-star raters and referrers. A customer who has left (an exit, or no order for
``thresholds.inactivity_days``) is only on the win-back list. Ids are pseudonymised unless the
configuration says otherwise. :func:`kit.plan.evidence.gather_evidence` uses the three lists as the
``at_risk``, ``lapsed`` and ``advocates`` segments of the action plan.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from kit.data.config import AnalysisConfig
from kit.data.privacy import pseudonymise, scrub_personal_data
from kit.metrics._orders import kept
from kit.results import format_value

__all__ = ["watch_list", "winback_list", "advocates", "pseudonymise_list", "value_basis_text"]

#: How the watch list measured value at risk: kind -> (English, as written to ``value_basis``; German).
_VALUE_BASIS = {
    "value_at_risk": ("predicted value at risk (CLV model)", "prognostizierter gefährdeter Wert (CLV-Modell)"),
    "clv": ("predicted CLV (CLV model)", "prognostizierter Kundenwert (CLV-Modell)"),
    "historical": ("historical net revenue × margin {margin} (fallback)",
                   "bisheriger Nettoumsatz × Marge {margin} (Ersatzwert)"),
}


def value_basis_text(basis: str, lang: str = "en") -> str:
    """The ``value_basis`` of :func:`watch_list` (written in English, as exported) in ``lang``.

    Parameters
    ----------
    basis : str
        A ``value_basis`` value.
    lang : {"en", "de"}

    Returns
    -------
    str
        The German wording for ``lang="de"`` (the margin with a decimal comma); ``basis`` itself in
        English or when it is not one of the watch list's wordings.

    Examples
    --------
    >>> value_basis_text("predicted value at risk (CLV model)", "de")
    'prognostizierter gefährdeter Wert (CLV-Modell)'
    >>> value_basis_text("historical net revenue × margin 0.35 (fallback)", "de")
    'bisheriger Nettoumsatz × Marge 0,35 (Ersatzwert)'
    """
    if lang != "de":
        return basis
    for english, german in _VALUE_BASIS.values():
        if "{margin}" not in english:
            if basis == english:
                return german
            continue
        head, tail = english.split("{margin}")
        if basis.startswith(head) and basis.endswith(tail):
            margin = basis[len(head):len(basis) - len(tail)]
            try:
                shown = format_value(float(margin), "number", lang, digits=len(margin.partition(".")[2]))
            except ValueError:  # not a number: shown as written
                shown = margin
            return german.format(margin=shown)
    return basis


def _cut(as_of: Any) -> pd.Timestamp:
    """The first instant after ``as_of``: a date includes its whole day, a timestamp is used as it is."""
    stamp = pd.Timestamp(as_of)
    if stamp.tzinfo is not None:
        raise ValueError(f"as_of must be a naive date in the business time zone, found {as_of!r}")
    return stamp + pd.Timedelta(days=1) if stamp == stamp.normalize() else stamp


def _order_history(data: Any, cut: pd.Timestamp) -> pd.DataFrame:
    """Per customer: orders, net revenue and last order date before ``cut``.

    Kept with the orders while they are unchanged (:func:`kit.metrics._orders.kept`): the watch list, the
    win-back list and the advocates of one report ask for the same history (2.5 s each at 10M orders).
    """
    if data.orders is None or data.orders.empty:
        return _history_of(data.orders, cut)
    return kept(data.orders, ("customer_id", "order_date", "revenue", "refund_amount"), "history",
                lambda: _history_of(data.orders, cut), version=cut)   # one history per frame: the last cut asked


def _history_of(orders: pd.DataFrame | None, cut: pd.Timestamp) -> pd.DataFrame:
    columns = ["orders", "net_revenue", "last_order"]
    if orders is None or orders.empty:
        # typed, so that callers can use .dt on last_order (an object column broke winback_list without orders)
        return pd.DataFrame({"orders": pd.Series(dtype="int64"), "net_revenue": pd.Series(dtype="float64"),
                             "last_order": pd.Series(dtype="datetime64[ns]")},
                            index=pd.Index([], dtype="str", name="customer_id"))[columns]
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
    """Lost by the inactivity rule before ``cut``: last order + inactivity_days has passed (as in kit.metrics)."""
    limit = cut - pd.Timedelta(days=config.thresholds.inactivity_days)
    return history.index[history["last_order"] < limit]


def _finish(frame: pd.DataFrame, config: AnalysisConfig, sort: list[str], ascending: list[bool]) -> pd.DataFrame:
    frame = frame.sort_values(sort, ascending=ascending, kind="mergesort").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return pseudonymise_list(frame, config)


def pseudonymise_list(frame: pd.DataFrame, config: AnalysisConfig) -> pd.DataFrame:
    """A customer list made with the real ids, its ids replaced as ``config.privacy`` asks.

    Every list is ranked on the real ids and only then pseudonymised, so a list made once with
    ``privacy.pseudonymise: false`` and passed through here is the list made with ``config``: the report needs
    both (the action plan links the real ids with customer values) and computes each list once.

    Examples
    --------
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "S"}, "privacy": {"salt": "s"},
    ...     "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})
    >>> pseudonymise_list(pd.DataFrame({"rank": [1], "customer_id": ["K1001"]}), cfg)["customer_id"].tolist()
    ['C-70f37656d9']
    """
    if not config.privacy.pseudonymise or frame.empty:
        return frame
    return frame.assign(customer_id=pseudonymise(frame["customer_id"], salt=config.privacy.salt))


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
    >>> from kit.data.contract import LoyaltyData
    >>> from kit.data.config import AnalysisConfig
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
    frame["value_basis"] = np.where(predicted.notna(), _VALUE_BASIS[value][0],
                                    _VALUE_BASIS["historical"][0].format(margin=f"{margin:g}"))
    customers = data.customers
    frame["segment"] = (frame["customer_id"].map(customers.assign(customer_id=customers["customer_id"].astype(str))
                                                 .set_index("customer_id")["segment"])
                        if customers is not None and "segment" in customers.columns else None)
    frame["nps"] = frame["customer_id"].map(answers["nps"])
    frame["rating"] = frame["customer_id"].map(answers["rating"])
    frame["p_alive"] = frame["customer_id"].map(p_alive) if len(p_alive) else np.nan
    frame["open_complaints"] = frame["customer_id"].map(open_count).fillna(0).astype("int64")
    frame["last_order"] = history["last_order"].reindex(frame["customer_id"]).to_numpy()  # not map: see winback_list
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
        (personal data scrubbed when :func:`kit.data.privacy.scrub_personal_data` is available). Order:
        net revenue desc, then id. Ids pseudonymised unless configured otherwise.

    Examples
    --------
    >>> from kit.data.contract import LoyaltyData
    >>> from kit.data.config import AnalysisConfig
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
    # reindex, not map: Series.map fails on an empty datetime Series (exits but no orders)
    frame["last_order"] = history["last_order"].reindex(frame["customer_id"]).to_numpy()
    frame["days_inactive"] = ((cut - pd.Timedelta(1, "ns")).normalize() - frame["last_order"].dt.normalize()).dt.days
    frame["orders"] = history["orders"].reindex(frame["customer_id"]).fillna(0).astype("int64").to_numpy()
    frame["net_revenue"] = (history["net_revenue"].reindex(frame["customer_id"]).fillna(0.0)
                            .astype("float64").to_numpy())
    frame["past_value"] = frame["net_revenue"].clip(lower=0) * config.clv.margin
    for col in ("exit_date", "exit_category", "exit_reason"):
        # reindex, not map: Series.map fails on an empty datetime Series (no exit before as_of)
        frame[col] = exited[col].reindex(frame["customer_id"]).to_numpy()
    frame["exit_reason"] = [scrub_personal_data(r, id_pattern=config.privacy.id_pattern) if isinstance(r, str) else r
                            for r in frame["exit_reason"]]
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
    >>> from kit.data.contract import LoyaltyData
    >>> from kit.data.config import AnalysisConfig
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
