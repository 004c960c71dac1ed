"""The sample's raw chunks turned into tables (private to :mod:`kit.sample`).

:func:`finalise` writes one chunk drawn by :func:`kit.sample._sim.simulate` (day offsets and
integer codes) into the canonical tables with their ids, dates and labels, and adds the answer
key (``truth``) and the interview notes, which name real customers of the chunk.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kit.sample import _text
from kit.sample._business import (
    CATEGORIES,
    CHANNELS,
    DRIVERS,
    EXIT_CATEGORIES,
    ORDER_CHANNELS,
    SAMPLE_END,
    STATES,
    T_END,
    TICKET_CATEGORIES,
    TICKET_CHANNELS,
    WAVES,
    format_ids,
)

__all__ = ["finalise"]

_START64 = np.datetime64("2023-10-01T00:00:00", "s")


def _days_to_ts(days: np.ndarray) -> np.ndarray:
    """Days since SAMPLE_START (float) -> datetime64[s], rounded down to the minute."""
    minutes = np.floor(np.asarray(days, dtype=float) * 1440.0)
    return _START64 + (minutes.astype(np.int64) * 60).astype("timedelta64[s]")


def finalise(ch: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """Turn one raw chunk of :func:`~kit.sample._sim.simulate` into the canonical tables, answer key and interviews.

    Parameters
    ----------
    ch : dict
        The output of :func:`~kit.sample._sim.simulate`; its ``offsets`` counters are advanced.

    Returns
    -------
    dict of str to DataFrame
        ``customers``, ``orders``, ``surveys``, ``tickets``, ``exits``, ``referrals``, ``contacts``,
        ``truth``, ``interviews`` and ``subscriptions``; timestamps naive in Europe/Berlin.
    """
    cid = ch["cid"]
    offsets = ch["offsets"]
    signup_ts = _days_to_ts(ch["signup"]).astype("datetime64[ns]")
    customers = pd.DataFrame({
        "customer_id": pd.array(cid, dtype="str"),
        "signup_date": signup_ts,
        "segment": np.where(ch["abo"], "Abo", "Einzelkauf"),
        "region": np.array(list(STATES), dtype=object)[ch["region"]],
        "acquisition_channel": np.array(list(CHANNELS), dtype=object)[ch["channel"]],
    })

    n_o = ch["o_cust"].size
    oid = np.arange(offsets["order"] + 1, offsets["order"] + n_o + 1)
    offsets["order"] += n_o
    orders = pd.DataFrame({
        "order_id": format_ids("B", oid, 8),
        "customer_id": cid[ch["o_cust"]],
        "order_date": _days_to_ts(ch["o_day"]).astype("datetime64[ns]"),
        "revenue": ch["gross"].astype(float),
        "refund_amount": ch["refund"].astype(float),
        "returned": ch["returned"].astype(bool),
        "quantity": ch["qty"].astype(np.int64),
        "category": np.array(CATEGORIES, dtype=object)[ch["cat"]],
        "channel": np.array(ORDER_CHANNELS, dtype=object)[ch["och"]],
    })

    m_r = ch["r_cust"].size
    rid = np.arange(offsets["response"] + 1, offsets["response"] + m_r + 1)
    offsets["response"] += m_r
    comments = ch["comments"]
    surveys = pd.DataFrame({
        "response_id": format_ids("R", rid, 8),
        "customer_id": cid[ch["r_cust"]],
        "responded_at": _days_to_ts(ch["r_at"]).astype("datetime64[ns]"),
        "wave": np.array(WAVES, dtype=object)[ch["r_q"]],
        "nps": ch["nps"], "csat": ch["csat"], "ces": ch["ces"], "rating": ch["stars"],
        **{f"driver_{d}": ch["drv"][:, j] for j, d in enumerate(DRIVERS)},
        "comment": pd.array(comments, dtype="str"),
        "language": np.where(ch["lang_de"][ch["r_cust"]], "de", "en"),
    })

    contacts = pd.DataFrame({
        "customer_id": cid[ch["p_cust"]],
        "sent_at": _days_to_ts(ch["sent"]).astype("datetime64[ns]"),
        "responded": ch["responded"].astype(bool),
        "wave": np.array(WAVES, dtype=object)[ch["p_q"]],
    })

    m_t = ch["t_cust"].size
    tid = np.arange(offsets["ticket"] + 1, offsets["ticket"] + m_t + 1)
    offsets["ticket"] += m_t
    opened = pd.Series(_days_to_ts(ch["t_open"]).astype("datetime64[ns]"))
    opened_utc = opened.dt.tz_localize("Europe/Berlin", ambiguous=np.zeros(m_t, dtype=bool),
                                       nonexistent="shift_forward").dt.tz_convert("UTC")
    end_utc = pd.Timestamp(SAMPLE_END).tz_localize("Europe/Berlin").tz_convert("UTC")

    def _later(hours: np.ndarray) -> pd.Series:
        when = opened_utc + pd.to_timedelta(np.round(hours * 60.0), unit="min")
        when = when.where(when < end_utc)
        return when.dt.tz_convert("Europe/Berlin").dt.tz_localize(None).astype("datetime64[ns]")

    tickets = pd.DataFrame({
        "ticket_id": format_ids("T", tid, 7),
        "customer_id": cid[ch["t_cust"]],
        "opened_at": opened,
        "first_response_at": _later(ch["t_delay"]),
        "resolved_at": _later(ch["t_resolve"]),
        "category": np.array(TICKET_CATEGORIES, dtype=object)[ch["t_cat"]],
        "is_complaint": ch["t_complaint"].astype(bool),
        "channel": np.array(TICKET_CHANNELS, dtype=object)[ch["t_channel"]],
    })

    ex = ch["ex"]
    exits = pd.DataFrame({
        "customer_id": cid[ex],
        "exit_date": _days_to_ts(np.floor(ch["death"][ex])).astype("datetime64[ns]"),
        "reason": pd.array(ch["ex_reason"], dtype="str"),
        "category": np.array(EXIT_CATEGORIES, dtype=object)[ch["ex_cat"]],
    }).sort_values(["exit_date", "customer_id"], kind="stable", ignore_index=True)

    referrals = pd.DataFrame({
        "referrer_id": cid[ch["referrer"]],
        "referred_id": cid[ch["ref_idx"]],
        "referred_at": signup_ts[ch["ref_idx"]],
    }).sort_values(["referred_at", "referred_id"], kind="stable", ignore_index=True)

    subscriptions = _subscriptions(ch, orders)
    truth = _truth(ch, orders, tickets)
    interviews = _interviews(ch, truth) if ch["with_texts"] else _interviews_empty()
    for frame in (customers, orders, surveys, contacts, tickets, exits, referrals, truth, subscriptions):
        for col in frame.columns:
            if frame[col].dtype == object:
                frame[col] = frame[col].astype("str")
    return {"customers": customers, "orders": orders, "surveys": surveys, "tickets": tickets, "exits": exits,
            "referrals": referrals, "contacts": contacts, "truth": truth, "interviews": interviews,
            "subscriptions": subscriptions}


def _subscriptions(ch: dict[str, Any], orders: pd.DataFrame) -> pd.DataFrame:
    """The Abo customers' subscriptions, derived from what was already drawn (no random draw of its own).

    Start = signup day, end = the cancellation day of ``exits`` (empty while the Abo runs); the plan is the
    customer's most frequent number of bags per order (ties: the smaller); the monthly amount is the median
    revenue of the customer's orders x deliveries per month (30.4375 days / the customer's delivery interval).
    Built after every draw of the chunk, so none of the other tables moves.
    """
    abo = np.flatnonzero(ch["abo"])
    cid = ch["cid"][abo]
    churned = ch["death"][abo] < T_END
    o = orders[orders["customer_id"].isin(set(cid))]
    median = o.groupby("customer_id")["revenue"].median()
    bags = o.groupby("customer_id")["quantity"].agg(lambda q: int(q.value_counts().sort_index().idxmax()))
    per_month = 30.4375 / ch["interval"][abo]
    amount = np.round(median.reindex(cid).to_numpy(dtype=float) * per_month, 2)
    plan = [f"Abo {b} {'Tüte' if b == 1 else 'Tüten'}" for b in bags.reindex(cid).fillna(1).astype(int)]
    end = pd.Series(_days_to_ts(np.where(churned, np.floor(ch["death"][abo]), 0.0)).astype("datetime64[ns]"))
    return pd.DataFrame({
        "customer_id": pd.array(cid, dtype="str"),
        "start_date": _days_to_ts(ch["signup"][abo]).astype("datetime64[ns]"),
        "end_date": end.where(churned).to_numpy(),
        "plan": np.array(plan, dtype=object),
        "amount": amount,
    })


def _truth(ch: dict[str, Any], orders: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    n = ch["n"]
    death = ch["death"]
    churned = death < T_END
    counts = np.bincount(ch["o_cust"], minlength=n)
    last = np.full(n, -1.0)
    np.maximum.at(last, ch["o_cust"], ch["o_day"])
    slow_any = np.zeros(n, dtype=bool)
    slow_any[ch["t_cust"][ch["t_slow"]]] = True
    first_slow = ch["first_slow"]
    fs_valid = first_slow < np.minimum(death, T_END)
    return pd.DataFrame({
        "customer_id": ch["cid"],
        "segment": np.where(ch["abo"], "Abo", "Einzelkauf"),
        "signup_date": _days_to_ts(ch["signup"]).astype("datetime64[ns]"),
        "loyal": ch["loyal"],
        "five_star": ch["five_star"],
        "referred": ch["referred"],
        "planted_at_risk_high_value": ch["at_risk"],
        "only_refunded": ch["only_refunded"],
        "slow_first_response": slow_any,
        "first_slow_ticket_at": pd.Series(_days_to_ts(np.where(fs_valid, first_slow, 0.0))
                                          .astype("datetime64[ns]")).where(fs_valid),
        "churn_hazard_multiplier": np.round(ch["multiplier"], 4),
        "order_rate_multiplier": np.where(ch["five_star"], 1.5, 1.0),
        "churned": churned,
        "lifetime_end": pd.Series(_days_to_ts(np.where(churned, np.floor(death), 0.0))
                                  .astype("datetime64[ns]")).where(churned),
        "last_order_date": _days_to_ts(last).astype("datetime64[ns]"),
        "lapsed": last < T_END - 180,
        "n_orders": counts.astype(np.int64),
    })


def _interviews_empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in
                         ("customer_id", "date", "interviewer", "segment", "language", "codes", "text")})


def _interviews(ch: dict[str, Any], truth: pd.DataFrame) -> pd.DataFrame:
    """Pick real sample customers for the interview notes (planted effect 6)."""
    t = truth
    loyal = t[t.loyal & ~t.churned & (t.n_orders >= 8)].sort_values(
        ["n_orders", "customer_id"], ascending=[False, True], kind="stable").customer_id.tolist()
    at_risk = t[t.planted_at_risk_high_value].customer_id.tolist()
    exited = set(ch["cid"][ch["ex"]])
    lost_abo = [c for c in t[t.lapsed & t.churned & (t.n_orders >= 4)].customer_id if c in exited]
    lost_one = t[t.lapsed & (t.segment == "Einzelkauf") & (t.n_orders >= 3)].customer_id.tolist()
    pools = {"loyal": iter(loyal), "at_risk": iter(at_risk), "lost": iter(lost_abo)}
    rows = []
    for i, note in enumerate(_text.INTERVIEWS):
        seg = str(note["segment"])
        if seg == "lost" and "one-off" in str(note["body"]):
            customer = lost_one[0] if lost_one else next(pools["lost"], None)
        else:
            customer = next(pools[seg], None)
        if customer is None:  # a small sample may not have enough customers of this kind
            continue
        codes = note["codes"]
        rows.append({"customer_id": customer,
                     "date": (pd.Timestamp("2026-09-01") + pd.Timedelta(days=2 * i)).strftime("%Y-%m-%d"),
                     "interviewer": note["interviewer"], "segment": seg, "language": note["lang"],
                     "codes": ",".join(codes) if codes else "", "text": note["body"]})
    return pd.DataFrame(rows).astype("str") if rows else _interviews_empty()
