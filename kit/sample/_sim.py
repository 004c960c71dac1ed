"""Simulation of the sample business (private to :mod:`kit.sample`).

One call of :func:`simulate` draws one chunk of customers with everything that happens to
them; :func:`finalise` (written in :mod:`kit.sample._frames`, imported from here) turns the raw
arrays into the canonical tables plus the answer key. The calendar and vocabulary of the business
are in :mod:`kit.sample._business`; the probabilities and effect sizes of the simulation are here.
The order of the random draws is part of the output: changing it changes the committed files.
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
    Q_DAYS,
    SAMPLE_END,
    SAMPLE_START,
    STATES,
    T_END,
    format_ids,
)
from kit.sample._frames import finalise

__all__ = ["SAMPLE_START", "SAMPLE_END", "DRIVERS", "simulate", "finalise"]

_CRISIS_Q2 = Q_DAYS[10]  # 2026-04-01: carrier change
_CRISIS_Q3 = Q_DAYS[11]  # 2026-07-01
_SLOWDOWN = float((pd.Timestamp("2026-05-01") - SAMPLE_START).days)

_CATEGORY_P = (0.38, 0.34, 0.08, 0.10, 0.10)
_UNIT_PRICE = (14.90, 12.90, 13.90, 24.90, 0.0)
_ACCESSORY_PRICES = (9.90, 19.90, 29.90, 49.90)
_TICKET_P = {"normal": (0.28, 0.14, 0.16, 0.14, 0.12, 0.16), "crisis": (0.78, 0.16, 0.02, 0.02, 0.02, 0.0),
             "forced": (0.6, 0.1, 0.0, 0.15, 0.15, 0.0)}
_COMPLAINT_P = np.array([0.7, 0.85, 0.3, 0.4, 0.6, 0.2])
_DRIVER_MEAN = np.array([3.75, 3.1, 4.1, 3.9, 3.5])
_DRIVER_WEIGHT = np.array([1.0, 0.1, 0.6, 0.5, 0.3])  # planted effect 2
_SLOPE = 0.85


def _quarter_of(days: np.ndarray) -> np.ndarray:
    return np.searchsorted(Q_DAYS, days, side="right") - 1


def _holiday_days() -> np.ndarray:
    import holidays

    cal = holidays.Germany(subdiv="NW", years=range(2023, 2027))
    return np.array(sorted((pd.Timestamp(d) - SAMPLE_START).days for d in cal), dtype=np.int64)


def simulate(n: int, rng: np.random.Generator, *, first: int, width: int,
              offsets: dict[str, int], with_texts: bool) -> dict[str, Any]:
    """Draw one chunk of ``n`` customers and everything that happens to them.

    Parameters
    ----------
    n : int
        Customers in this chunk.
    rng : numpy.random.Generator
        The chunk's generator (seeded from the sample seed and the chunk number).
    first : int
        Customers before this chunk (their ids continue from ``first + 1``).
    width : int
        Digits of the customer ids.
    offsets : dict
        Running counters of order, ticket and response ids, updated by :func:`finalise`.
    with_texts : bool
        Plant the special test comments and pick the interviewees (first chunk only).

    Returns
    -------
    dict
        Raw arrays (day offsets from :data:`SAMPLE_START`, integer codes) for :func:`finalise`.
    """
    idx = np.arange(n)
    cid = format_ids("K", idx + first + 1, width).to_numpy(dtype=object)

    # --- customers -----------------------------------------------------------------------
    launch = rng.random(n) < 0.15
    u = rng.random(n)
    grow = 1.5  # density grows linearly: the shop gets more customers over time
    span = T_END - 14.0
    signup = np.where(launch, rng.uniform(0, 45, n),
                      span * (np.sqrt(1 + u * ((1 + grow) ** 2 - 1)) - 1) / grow)
    signup = np.floor(signup)
    abo = rng.random(n) < 0.30
    state_names = list(STATES)
    state_p = np.array(list(STATES.values()))
    region = rng.choice(len(state_names), n, p=state_p / state_p.sum())
    channel_names = list(CHANNELS)
    channel = rng.choice(len(channel_names), n, p=np.array(list(CHANNELS.values())))
    lang_de = rng.random(n) < 0.70

    loyal = (signup < 730) & (rng.random(n) < 0.20)
    five_star = rng.random(n) < np.where(loyal, 0.45, 0.17)
    n_risk = max(1, round(0.02 * n))
    eligible = np.flatnonzero(~loyal & (signup < 548))
    at_risk = np.zeros(n, dtype=bool)
    at_risk[rng.choice(eligible, size=min(n_risk, eligible.size), replace=False)] = True

    # --- referrals (planted effect 4): referrer drawn among earlier customers ----------------
    referred_wish = channel == channel_names.index("Empfehlung")
    order_by_signup = np.argsort(signup, kind="stable")
    sorted_signup = signup[order_by_signup]
    weight = (1.0 + 2.0 * five_star + 1.0 * loyal)[order_by_signup]
    cum = np.cumsum(weight)
    m = np.searchsorted(sorted_signup, signup - 7, side="left")  # customers signed up >= 7 days earlier
    referred = referred_wish & (m > 0)
    channel = np.where(referred_wish & ~referred, channel_names.index("Suchmaschine"), channel)
    pick = rng.random(n)
    ref_idx = np.flatnonzero(referred)
    target = pick[ref_idx] * cum[m[ref_idx] - 1]
    referrer = order_by_signup[np.minimum(np.searchsorted(cum, target, side="right"), m[ref_idx] - 1)]

    # --- tickets (candidate times; kept only while the customer is alive) ---------------------
    t_parts, c_parts, kind_parts = [], [], []
    early = rng.random(n) < 0.25
    t_parts.append(signup[early] + rng.exponential(35.0, early.sum()))
    c_parts.append(idx[early])
    kind_parts.append(np.zeros(early.sum(), dtype=np.int8))
    for kind, (lo, rate) in enumerate(((0.0, 0.04), (_CRISIS_Q2, 0.15), (_CRISIS_Q3, 0.3)), start=1):
        hi = T_END if kind != 2 else _CRISIS_Q3
        begin = np.maximum(signup, lo)
        length = np.clip(hi - begin, 0, None)
        count = rng.poisson(rate / 365.0 * length)
        who = np.repeat(idx, count)
        t_parts.append(begin[who] + rng.random(who.size) * length[who])
        c_parts.append(who)
        kind_parts.append(np.full(who.size, kind, dtype=np.int8))
    risk_idx = np.flatnonzero(at_risk)  # planted effect 7: a recent complaint
    t_parts.append(rng.uniform(_CRISIS_Q3 + 2, T_END - 12, risk_idx.size))
    c_parts.append(risk_idx)
    kind_parts.append(np.full(risk_idx.size, 4, dtype=np.int8))
    t_cust = np.concatenate(c_parts)
    t_time = np.concatenate(t_parts)
    t_kind = np.concatenate(kind_parts)
    keep = t_time < T_END - 0.5
    t_cust, t_time, t_kind = t_cust[keep], t_time[keep], t_kind[keep]
    hour = rng.choice(np.arange(7, 23), t_time.size,
                      p=_norm(np.array([2, 4, 6, 7, 7, 6, 6, 6, 6, 5, 5, 5, 5, 4, 3, 2], dtype=float)))
    t_open = np.floor(t_time) + (hour * 60 + rng.integers(0, 60, t_time.size)) / 1440.0
    day = np.floor(t_open).astype(np.int64)
    weekday = (day + 6) % 7  # 2023-10-01 was a Sunday
    off_day = (weekday >= 5) | np.isin(day, _holiday_days())
    crisis = t_open >= _CRISIS_Q2
    p_slow = np.where(t_kind == 0, 0.15 + 0.45 * off_day, 0.01 + 0.06 * off_day + 0.03 * crisis)
    p_slow = np.where(t_kind == 4, 0.03, p_slow)
    slow = rng.random(t_open.size) < p_slow
    delay_h = np.where(slow, 24.5 + rng.exponential(18.0, t_open.size),
                       np.minimum(np.exp(rng.normal(np.log(2.5), 0.9, t_open.size)), 23.0))
    first_slow = np.full(n, 1e9)  # "never" (far beyond the sample)
    np.minimum.at(first_slow, t_cust[slow], t_open[slow])

    # --- lifetimes: piecewise-constant hazard (planted effects 1, 4, 9) -----------------------
    base = np.where(abo, 0.022, 0.05) / 30.4  # per day
    multiplier = np.where(referred, 0.6, 1.0) * np.where(loyal, 0.08, 1.0)
    hazard = np.where(at_risk, 1e-12, base * multiplier)
    e = rng.exponential(1.0, n)
    h1 = hazard * np.clip(first_slow - signup, 0, None)
    death = np.where(e < h1, signup + e / hazard, first_slow + (e - h1) / (2.0 * hazard))
    death = np.maximum(death, signup + 1.0)
    alive_end = np.minimum(death, T_END)

    tk = t_open < death[t_cust]
    t_cust, t_open, t_kind, slow, delay_h = t_cust[tk], t_open[tk], t_kind[tk], slow[tk], delay_h[tk]

    # --- orders (planted effects 5, 7, 9) ---------------------------------------------------
    speed = np.where(five_star, 1.5, 1.0)
    interval = 30.0 / speed * rng.uniform(0.92, 1.08, n)
    n_reg = np.where(abo, np.floor((alive_end - signup) / interval).astype(np.int64) + 1, 1)
    who = np.repeat(idx, n_reg)
    k = np.arange(who.size) - np.repeat(np.cumsum(n_reg) - n_reg, n_reg)
    o_time = signup[who] + k * interval[who] + np.where(k > 0, rng.normal(0, 1.5, who.size), 0.3)
    extra_rate = np.where(abo, 1.2, rng.gamma(2.5, 4.5 / 2.5, n)) * speed
    extra_rate = np.where(loyal & ~abo, np.maximum(extra_rate, 8.0), extra_rate)
    extra_rate = np.where(at_risk, 16.0, extra_rate) / 365.0
    n_x = rng.poisson(extra_rate * (alive_end - signup))
    wx = np.repeat(idx, n_x)
    x_time = signup[wx] + rng.random(wx.size) * (alive_end - signup)[wx]
    o_cust = np.concatenate([who, wx])
    o_time = np.concatenate([o_time, x_time])
    ok = (o_time >= signup[o_cust]) & (o_time < alive_end[o_cust])
    ok &= ~(at_risk[o_cust] & (o_time >= _SLOWDOWN) & (rng.random(o_time.size) > 0.3))
    o_cust, o_time = o_cust[ok], o_time[ok]
    o_day = np.floor(o_time)
    order = np.lexsort((o_time, o_cust, o_day))
    o_cust, o_day = o_cust[order], o_day[order]
    n_o = o_cust.size

    cat = rng.choice(len(CATEGORIES), n_o, p=_CATEGORY_P)
    qty = np.where(abo[o_cust], rng.choice([1, 2, 3], n_o, p=[0.05, 0.5, 0.45]), 1 + rng.poisson(2.0, n_o))
    qty = np.where(at_risk[o_cust], qty + 2, qty)
    qty = np.where(cat == 4, 1, qty)
    unit = np.array(_UNIT_PRICE)[cat]
    unit = np.where(cat == 4, np.array(_ACCESSORY_PRICES)[rng.integers(0, 4, n_o)], unit)
    gross = qty * unit * np.where(abo[o_cust], 0.9, 1.0)
    gross = gross + np.where(gross < 35.0, 4.90, 0.0)
    gross = np.round(gross, 2)
    mp = channel[o_cust] == channel_names.index("Marktplatz")
    och = np.where(mp & (rng.random(n_o) < 0.8), 3, rng.choice(4, n_o, p=[0.72, 0.2, 0.03, 0.05]))
    p_ret = np.where(o_day >= _CRISIS_Q2, 0.045, 0.035)
    returned = rng.random(n_o) < p_ret
    full = rng.random(n_o) < 0.65
    frac = np.where(returned, np.where(full, 1.0, rng.uniform(0.3, 0.7, n_o)),
                    np.where(rng.random(n_o) < 0.012, rng.uniform(0.1, 0.3, n_o), 0.0))
    refund = np.round(gross * frac, 2)
    # a few customers whose every order was refunded
    counts = np.bincount(o_cust, minlength=n)
    few = np.flatnonzero((counts <= 2) & ~loyal & ~at_risk & ~abo)
    only_ref = np.zeros(n, dtype=bool)
    only_ref[rng.choice(few, size=min(few.size, max(1, round(0.003 * n))), replace=False)] = True
    sel = only_ref[o_cust]
    returned = returned | sel
    refund = np.where(sel, gross, refund)

    # --- survey invitations and answers (planted effects 2, 3, 5, 7, 8) ----------------------
    quarter = _quarter_of(o_day)
    pair = np.unique(o_cust * 16 + quarter)
    p_cust, p_q = pair // 16, pair % 16
    invite = rng.random(pair.size) < 0.8
    risk_wave = np.where(rng.random(n) < 0.5, 10, 11)  # the low answer comes in 2026-Q2 or -Q3
    forced = at_risk[p_cust] & (p_q == risk_wave[p_cust])
    invite |= forced
    missing_risk = np.setdiff1d(risk_idx, p_cust[forced])
    p_cust = np.concatenate([p_cust[invite], missing_risk])
    p_q = np.concatenate([p_q[invite], risk_wave[missing_risk]])
    forced = at_risk[p_cust] & (p_q == risk_wave[p_cust])
    q_end = Q_DAYS[p_q + 1]
    sent = np.floor(q_end - rng.uniform(14, 30, p_cust.size)) + (9 * 60 + rng.integers(0, 120, p_cust.size)) / 1440
    responded = (rng.random(p_cust.size) < 0.27) | forced
    inv_order = np.lexsort((p_cust, sent))
    p_cust, p_q, sent, responded, forced = (a[inv_order] for a in (p_cust, p_q, sent, responded, forced))

    r_i = np.flatnonzero(responded)
    r_cust, r_q, r_forced = p_cust[r_i], p_q[r_i], forced[r_i]
    r_at = np.minimum(sent[r_i] + rng.exponential(2.5, r_i.size) + 0.01, Q_DAYS[r_q + 1] - 0.3)
    m_r = r_i.size
    offset = rng.normal(0, 0.55, n) + 0.9 * five_star + 0.35 * loyal
    shift = np.zeros((m_r, 5))
    shift[:, 0] = np.where(r_q == 10, -0.1, np.where(r_q == 11, -0.4, 0.0))
    shift[r_forced] -= 1.0
    z = 0.55 * offset[r_cust][:, None] + rng.normal(0, 1, (m_r, 5)) + shift
    drv = np.clip(np.round(_DRIVER_MEAN + _SLOPE * z), 1, 5)
    std = (drv - _DRIVER_MEAN) / _SLOPE
    latent = std @ _DRIVER_WEIGHT + rng.normal(0, 0.9, m_r)
    nps = np.clip(np.round(8.2 + 1.05 * latent), 0, 10)
    stars = np.clip(np.round(3.9 + 0.45 * latent + rng.normal(0, 0.45, m_r)), 1, 5)
    stars = np.where(five_star[r_cust], np.where(rng.random(m_r) < 0.88, 5, 4), stars)
    csat = np.clip(np.round(4.2 + 0.5 * latent + rng.normal(0, 0.6, m_r)), 1, 5)
    ces = np.clip(np.round(5.55 + 0.8 * std[:, 4] + rng.normal(0, 0.9, m_r)), 1, 7)
    nps = np.where(r_forced, rng.integers(2, 7, m_r), nps).astype(float)
    stars = np.where(r_forced, rng.integers(2, 4, m_r), stars).astype(float)
    csat = np.where(r_forced, rng.integers(1, 4, m_r), csat).astype(float)
    for arr, p in ((nps, 0.02), (stars, 0.04), (csat, 0.05), (ces, 0.08)):
        arr[(rng.random(m_r) < p) & ~r_forced] = np.nan
    drv[rng.random((m_r, 5)) < 0.06] = np.nan

    has_comment = rng.random(m_r) < 0.6
    klass = np.where(np.isnan(nps), np.where(stars <= 3, 0, np.where(stars == 4, 1, 2)),
                     np.where(nps <= 6, 0, np.where(nps <= 8, 1, 2)))
    comments = _comments(rng, klass, has_comment | r_forced, lang_de[r_cust], with_texts)

    # --- exits: Abo cancellations -------------------------------------------------------------
    ex = np.flatnonzero(abo & (death < T_END))
    had_slow = first_slow < death
    had_delivery = np.zeros(n, dtype=bool)
    had_delivery[t_cust[t_kind >= 2]] = True
    p_exit = np.tile([0.32, 0.20, 0.08, 0.08, 0.12, 0.20], (ex.size, 1))
    p_exit[:, 2] += 0.5 * had_slow[ex]
    p_exit[:, 1] += 0.5 * had_delivery[ex]
    ex_cat = _draw(rng, p_exit)
    ex_pick = rng.random(ex.size)
    ex_reason = [_nth(_text.EXIT_REASONS[EXIT_CATEGORIES[c]]["de" if lang_de[i] else "en"], u)
                 for i, c, u in zip(ex, ex_cat, ex_pick, strict=False)]

    # --- ticket details -----------------------------------------------------------------------
    m_t = t_open.size
    tcat = np.empty(m_t, dtype=np.int64)
    for name, kinds in (("normal", (0, 1)), ("crisis", (2, 3)), ("forced", (4,))):
        sel = np.isin(t_kind, kinds)
        tcat[sel] = rng.choice(6, sel.sum(), p=_TICKET_P[name])
    complaint = (rng.random(m_t) < _COMPLAINT_P[tcat]) | (t_kind == 4)
    tch = rng.choice(4, m_t, p=[0.5, 0.2, 0.2, 0.1])
    resolve_h = delay_h + rng.exponential(40.0, m_t) + np.where(slow, 24.0, 2.0)
    t_order = np.lexsort((t_cust, t_open))

    # a few bulk orders (offices, cafés) above 1,000 EUR; drawn last so nothing above changes
    bulk = (rng.random(n_o) < 0.0005) & ~abo[o_cust] & ~only_ref[o_cust] & (cat <= 1)
    qty = np.where(bulk, rng.integers(80, 150, n_o), qty)
    gross = np.where(bulk, np.round(qty * unit, 2), gross)
    refund = np.where(bulk, 0.0, refund)
    returned = returned & ~bulk

    return {
        "n": n, "cid": cid, "first": first, "width": width, "offsets": offsets, "with_texts": with_texts,
        "signup": signup, "abo": abo, "region": region, "channel": channel, "lang_de": lang_de,
        "loyal": loyal, "five_star": five_star, "at_risk": at_risk, "referred": referred,
        "ref_idx": ref_idx, "referrer": referrer, "multiplier": multiplier, "death": death,
        "first_slow": first_slow, "only_refunded": only_ref, "extra_rate": extra_rate * 365.0,
        "interval": interval,
        "o_cust": o_cust, "o_day": o_day, "cat": cat, "qty": qty, "gross": gross, "refund": refund,
        "returned": returned, "och": och,
        "p_cust": p_cust, "p_q": p_q, "sent": sent, "responded": responded,
        "r_cust": r_cust, "r_q": r_q, "r_at": r_at, "nps": nps, "csat": csat, "ces": ces, "stars": stars,
        "drv": drv, "comments": comments,
        "ex": ex, "ex_cat": ex_cat, "ex_reason": ex_reason,
        "t_cust": t_cust[t_order], "t_open": t_open[t_order], "t_delay": delay_h[t_order],
        "t_resolve": resolve_h[t_order], "t_cat": tcat[t_order], "t_complaint": complaint[t_order],
        "t_channel": tch[t_order], "t_slow": slow[t_order],
    }


def _norm(p: np.ndarray) -> np.ndarray:
    return p / p.sum()


def _draw(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One category per row of the (unnormalised) probability matrix ``p``, by inverse CDF."""
    cum = np.cumsum(p, axis=1)
    u = rng.random(p.shape[0]) * cum[:, -1]
    return np.minimum((cum <= u[:, None]).sum(axis=1), p.shape[1] - 1)


def _nth(options: tuple[str, ...], u: float) -> str:
    return options[min(int(u * len(options)), len(options) - 1)]


def _comments(rng: np.random.Generator, klass: np.ndarray, has: np.ndarray, de: np.ndarray,
              special: bool) -> list[str | None]:
    """Survey comments by NPS class (planted effect 3): one or two themes from the class's mix."""
    mixes = [_text.COMMENT_MIX[k] for k in ("detractor", "passive", "promoter")]
    width = max(len(m) for m in mixes)
    weights = np.zeros((3, width))
    for k, mix in enumerate(mixes):
        weights[k, :len(mix)] = [w for _, _, w in mix]
    m = klass.size
    first = _draw(rng, weights[klass])
    second = _draw(rng, weights[klass])
    two = (rng.random(m) < 0.35) & (second != first)
    u1, u2 = rng.random(m), rng.random(m)
    out: list[str | None] = []
    placed = {"script": not special, "contact": not special}
    for j in range(m):
        if not has[j]:
            out.append(None)
            continue
        k, lang = int(klass[j]), ("de" if de[j] else "en")
        mix = mixes[k]
        text = _nth(_text.COMMENTS[mix[first[j]][:2]][lang], u1[j])
        if two[j]:
            text += " " + _nth(_text.COMMENTS[mix[second[j]][:2]][lang], u2[j])
        if not placed["contact"] and k == 0 and de[j]:
            text, placed["contact"] = _text.CONTACT_COMMENT, True
        elif not placed["script"] and k == 2 and de[j]:
            text, placed["script"] = _text.SCRIPT_COMMENT, True
        out.append(text)
    return out
