"""The survey outcome a key-driver analysis or a comment contrast explains, and its low / high score groups.

A survey may carry an NPS, a CSAT, a CES or a star rating, or several. :func:`survey_outcome` picks the
configured one (``drivers: {outcome: csat}`` in ``analysis.yaml``) or the first of nps, csat, rating, ces
that has answers. :func:`score_groups` sorts answers into a low, a middle and a high group:

===========  ======================  =============  ====================================
outcome      low                     middle         high
===========  ======================  =============  ====================================
nps (0-10)   detractor: 0-6          passive: 7-8   promoter: 9-10
csat (1-5)   low: 1-2                middle: 3-4    high: 5
rating 1-5   low: <= star_at_risk    middle: 4      high: 5
             (default 3)
ces          low: short of the       middle         high: the best answer on the scale
             low-effort threshold                   (7 on a 1-7 scale where 7 = easy)
===========  ======================  =============  ====================================

The low group is the one whose comments say what goes wrong (as the detractors' do for the NPS); the
high group is the top answer only, so that "low against high" contrasts the clearly unhappy with the
clearly happy, like detractors against promoters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.data.config import OUTCOMES, Thresholds

__all__ = ["OUTCOMES", "survey_outcome", "score_groups", "group_names", "group_rules"]


def survey_outcome(surveys: pd.DataFrame | None, configured: str | None = None) -> str | None:
    """The outcome column to explain: ``configured`` when given, else the first of :data:`OUTCOMES` with answers.

    Parameters
    ----------
    surveys : DataFrame or None
        The tidy surveys table.
    configured : str, optional
        ``drivers.outcome`` of the configuration.

    Returns
    -------
    str or None
        The column name; None when there is no survey or no outcome column with answers. A configured
        outcome is returned even when the surveys lack it (the caller names the missing column).

    Examples
    --------
    >>> survey_outcome(pd.DataFrame({"rating": [5, 4], "csat": [None, None]}))
    'rating'
    >>> survey_outcome(pd.DataFrame({"rating": [5, 4]}), "csat")
    'csat'
    """
    if configured is not None:
        return configured
    if surveys is None:
        return None
    for name in OUTCOMES:
        if name in surveys and surveys[name].notna().any():
            return name
    return None


def group_names(outcome: str) -> tuple[str, str, str]:
    """Names of the low, middle and high groups of ``outcome`` (NPS: detractor, passive, promoter).

    Examples
    --------
    >>> group_names("rating")
    ('low', 'middle', 'high')
    """
    return ("detractor", "passive", "promoter") if outcome == "nps" else ("low", "middle", "high")


def score_groups(scores: pd.Series, outcome: str, thresholds: Thresholds | None = None) -> pd.Series:
    """Low, middle or high group of every answer (see the module's table); NaN for a missing answer.

    Parameters
    ----------
    scores : Series
        The answers of one outcome column.
    outcome : {"nps", "csat", "rating", "ces"}
    thresholds : Thresholds, optional
        The configuration's thresholds (star_at_risk_max, ces_scale, ces_low_effort, ces_higher_is_better);
        default: their defaults.

    Returns
    -------
    Series
        Categorical with the categories of :func:`group_names` in that order, on ``scores``' index.

    Raises
    ------
    ValueError
        When ``outcome`` is not one of :data:`OUTCOMES`.

    Examples
    --------
    >>> score_groups(pd.Series([0, 6, 7, 9, 10]), "nps").tolist()   # 0-6 | 7-8 | 9-10
    ['detractor', 'detractor', 'passive', 'promoter', 'promoter']
    >>> score_groups(pd.Series([1.0, 3.0, 4.0, 5.0, None]), "rating").tolist()   # <= 3 | 4 | 5
    ['low', 'low', 'middle', 'high', nan]
    """
    th = thresholds if thresholds is not None else Thresholds()
    x = pd.to_numeric(scores, errors="coerce").to_numpy(dtype=float)
    if outcome == "nps":
        low, high = x <= 6, x >= 9
    elif outcome == "csat":
        low, high = x <= 2, x >= 5
    elif outcome == "rating":
        low, high = x <= th.star_at_risk_max, x >= 5
    elif outcome == "ces":
        bottom, top = th.ces_scale
        if th.ces_higher_is_better:
            low, high = x < th.ces_low_effort, x >= top
        else:
            low, high = x > th.ces_low_effort, x <= bottom
    else:
        raise ValueError(f"unknown outcome {outcome!r}; valid: {', '.join(OUTCOMES)}")
    names = group_names(outcome)
    picked = np.select([np.isnan(x), low, high], [None, names[0], names[2]], default=names[1])
    return pd.Series(pd.Categorical(picked, categories=list(names)), index=scores.index)


def group_rules(outcome: str, thresholds: Thresholds | None = None) -> tuple[str, str]:
    """The answers of the low and of the high group of ``outcome``, as shown on the page.

    Examples
    --------
    >>> group_rules("rating"), group_rules("ces")
    (('1-3', '5'), ('1-4', '7'))
    """
    th = thresholds if thresholds is not None else Thresholds()
    bottom, top = th.ces_scale
    rules = {"nps": ("0-6", "9-10"), "csat": ("1-2", "5"), "rating": (f"1-{th.star_at_risk_max}", "5"),
             "ces": ((f"{bottom}-{th.ces_low_effort - 1}", f"{top}") if th.ces_higher_is_better
                     else (f"{th.ces_low_effort + 1}-{top}", f"{bottom}"))}
    if outcome not in rules:
        raise ValueError(f"unknown outcome {outcome!r}; valid: {', '.join(OUTCOMES)}")
    return rules[outcome]
