"""A win-back list a team can work: reasons that cannot be won back left out, ranked by recoverable value and
recency, capped, each customer with an owner and a due date.

Takes the full list of lapsed customers (:func:`kit.plan.lists.winback_list`) and returns the calls to make;
:func:`winback_calls` does both with the configuration's ``winback:`` settings (``winback.csv``).

Recoverable value (the ranking)
    ``past_value × 0.5 ** (days_inactive / half_life_days)``: the margin the customer brought so far, halved for
    every ``half_life_days`` since the last order (the longer someone is gone, the less likely they return).
    Ties: fewer days inactive first, then id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from kit.data.config import AnalysisConfig, Winback, localise
from kit.plan.lists import winback_list

__all__ = ["workable_winback", "winback_calls", "winback_calls_of", "winback_owner", "UNWINNABLE", "HALF_LIFE_DAYS",
           "CAP", "DUE_DAYS"]

_DEFAULTS = Winback()
#: Exit categories that no call can change (the sample's ``moved`` and ``no_need``; ``deceased`` where recorded).
UNWINNABLE = _DEFAULTS.unwinnable
#: Days after which the recoverable value of a lapsed customer is halved.
HALF_LIFE_DAYS = _DEFAULTS.half_life_days
#: At most this many customers on the list a team works.
CAP = _DEFAULTS.cap
#: Days from the reference date to the due date of each call.
DUE_DAYS = _DEFAULTS.due_days


def workable_winback(winback: pd.DataFrame, *, as_of: object, unwinnable: Iterable[str] = UNWINNABLE,
                     cap: int = CAP, owner: str = "", due_days: int = DUE_DAYS,
                     half_life_days: float = HALF_LIFE_DAYS) -> pd.DataFrame:
    """The win-back calls to make: winnable customers, highest recoverable value first, at most ``cap``.

    Parameters
    ----------
    winback : DataFrame
        :func:`kit.plan.lists.winback_list` output (``customer_id, past_value, days_inactive, exit_category`` …).
    as_of : date-like
        The reference date; due dates are ``as_of + due_days``.
    unwinnable : iterable of str
        Exit categories left out (compared case-insensitively).
    cap : int
        Most customers kept.
    owner : str
        Who calls (e.g. the action's owner); empty when not known.
    due_days : int
        Days until each call is due.
    half_life_days : float
        Days after which the recoverable value halves.

    Returns
    -------
    DataFrame
        The kept rows with ``recoverable_value``, ``owner`` and ``due`` added and ``rank`` renumbered from 1;
        ``attrs["left_out"]`` counts the customers left out by reason (``unwinnable``, ``over_cap``).

    Raises
    ------
    ValueError
        When ``cap`` < 1 or ``half_life_days`` <= 0.

    Examples
    --------
    >>> w = pd.DataFrame({"rank": [1, 2, 3], "customer_id": ["A", "B", "C"], "past_value": [100.0, 80.0, 300.0],
    ...                   "days_inactive": [360, 0, 200], "exit_category": [None, None, "moved"]})
    >>> out = workable_winback(w, as_of="2026-09-30", owner="Founders")
    >>> out[["customer_id", "recoverable_value"]].values.tolist()   # A: 100 × 0.25 = 25; B: 80 × 1 = 80
    [['B', 80.0], ['A', 25.0]]
    >>> out.attrs["left_out"]
    {'unwinnable': 1, 'over_cap': 0}
    """
    if cap < 1:
        raise ValueError(f"cap must be at least 1, got {cap}")
    if half_life_days <= 0:
        raise ValueError(f"half_life_days must be positive, got {half_life_days}")
    blocked = {str(c).strip().lower() for c in unwinnable}
    category = winback["exit_category"] if "exit_category" in winback else pd.Series(None, index=winback.index)
    winnable = ~category.fillna("").astype(str).str.strip().str.lower().isin(blocked)
    kept = winback[winnable].copy()
    days = kept["days_inactive"].fillna(0).clip(lower=0).astype(float)
    kept["recoverable_value"] = kept["past_value"].fillna(0.0).astype(float) * 0.5 ** (days / half_life_days)
    kept["_days"] = days
    kept = kept.sort_values(["recoverable_value", "_days", "customer_id"], ascending=[False, True, True],
                            kind="mergesort").drop(columns="_days")
    over = max(len(kept) - cap, 0)
    kept = kept.head(cap).reset_index(drop=True)
    kept["rank"] = range(1, len(kept) + 1)
    kept["owner"] = owner
    kept["due"] = (pd.Timestamp(as_of).normalize() + pd.Timedelta(days=due_days)).date()
    kept.attrs["left_out"] = {"unwinnable": int((~winnable).sum()), "over_cap": int(over)}
    return kept


def winback_owner(config: AnalysisConfig, lang: str = "en") -> str:
    """Who calls: ``winback.owner``, else the owner of the first action that addresses the ``lapsed`` segment.

    Examples
    --------
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "S"},
    ...     "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}},
    ...     "actions": [{"id": "w", "title": "Call", "owner": {"en": "Founders", "de": "Gründer"},
    ...                  "addresses": {"segments": ["lapsed"]}}]})
    >>> winback_owner(cfg, "de")
    'Gründer'
    """
    if config.winback.owner is not None:
        return localise(config.winback.owner, lang)[0]
    for action in config.actions:
        if "lapsed" in action.addresses.segments and action.owner is not None:
            return localise(action.owner, lang)[0]
    return ""


def winback_calls(data: Any, config: AnalysisConfig, *, as_of: Any, lang: str = "en") -> pd.DataFrame:
    """``winback.csv``: the lapsed customers (:func:`kit.plan.lists.winback_list`) made workable by
    :func:`workable_winback` with the configuration's ``winback:`` settings and :func:`winback_owner`.

    Parameters
    ----------
    data : LoyaltyData
        Orders and exits (either may be missing).
    config : AnalysisConfig
        ``winback`` settings, inactivity rule, margin and privacy (ids pseudonymised unless configured otherwise).
    as_of : date-like
        The reference date (the last day of the period); due dates count from it.
    lang : {"en", "de"}
        Language of the owner.

    Returns
    -------
    DataFrame
        As :func:`workable_winback`, ``attrs["left_out"]`` included.

    Examples
    --------
    >>> from kit.data.contract import LoyaltyData
    >>> cfg = AnalysisConfig.model_validate({"business": {"name": "S"}, "privacy": {"pseudonymise": False},
    ...     "winback": {"cap": 1, "owner": "Team"}, "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})
    >>> d = LoyaltyData(orders=pd.DataFrame({"order_id": ["1", "2"], "customer_id": ["A", "B"],
    ...     "order_date": pd.to_datetime(["2025-01-01", "2026-01-01"]), "revenue": [100.0, 50.0]}))
    >>> out = winback_calls(d, cfg, as_of="2026-09-30")   # A: 100 × 0.35 × 0.5^(637/180) = 3.0; B: 6.1
    >>> out[["customer_id", "owner"]].values.tolist(), out.attrs["left_out"]
    ([['B', 'Team']], {'unwinnable': 0, 'over_cap': 1})
    """
    return winback_calls_of(winback_list(data, config, as_of=as_of), config, as_of=as_of, lang=lang)


def winback_calls_of(full: pd.DataFrame, config: AnalysisConfig, *, as_of: Any, lang: str = "en") -> pd.DataFrame:
    """:func:`winback_calls` of a win-back list already made (:func:`kit.plan.lists.winback_list` with ``config``),
    for a report that also uses the full list and makes it once."""
    w = config.winback
    return workable_winback(full, as_of=as_of, unwinnable=w.unwinnable, cap=w.cap, owner=winback_owner(config, lang),
                            due_days=w.due_days, half_life_days=w.half_life_days)
