"""Net Promoter Score: the NPS of a set of answers, the change between two sets, NPS per group.

Public through :mod:`kit.metrics.survey` (``from kit.metrics.survey import nps``), which
re-exports these functions; this module holds them so that each survey concern has its own file.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kit.definitions import DEFINITIONS, Language
from kit.metrics._change import nps_change_test
from kit.metrics._checks import checked_scores, warn_small
from kit.metrics._stats import Z95, difference_test, normal_interval
from kit.results import MetricResult, no_data

__all__ = ["compare_nps", "nps", "nps_by_segment"]

_NPS_CHANGE_DEFINITION = (
    "Change in NPS points between two periods; z-test on the difference with the variance "
    "[p + d - (p - d)^2] (1/n1 + 1/n2) of both periods pooled (no change assumed)."
)


def _nps_parts(values: np.ndarray) -> tuple[int, int, int, int]:
    n = len(values)
    promoters = int(np.sum(values >= 9))
    detractors = int(np.sum(values <= 6))
    return n, promoters, n - promoters - detractors, detractors


def nps(scores: pd.Series, *, min_n: int | None = None, lang: Language = "en") -> MetricResult:
    """Net Promoter Score of 0-10 answers, with the adjusted-Wald 95 % interval.

    Parameters
    ----------
    scores : Series
        Answers on the 0-10 scale; NaN (no answer) is left out.
    min_n : int, optional
        Warn (:class:`~kit.errors.SmallSampleWarning`) when fewer answers than this.
    lang : {"en", "de"}
        Language of the note (why there is no value).

    Returns
    -------
    MetricResult
        ``value`` in points (-100…100), ``se`` in points, ``extras``: ``promoters``,
        ``passives``, ``detractors`` (shares) and ``n_promoters``, ``n_passives``,
        ``n_detractors`` (counts).

    Raises
    ------
    DataError
        When an answer lies outside 0-10.

    Notes
    -----
    NPS = 100 (p - d) with p the share of 9-10 and d the share of 0-6. Its variance is
    [p + d - (p - d)^2] / n. The interval is the adjusted Wald interval (Rocks 2016):
    add 3/4 to the promoters and to the detractors and 3 to n, then
    (p' - d') ± 1.96 sqrt([p' + d' - (p' - d')^2] / n'), times 100, clipped to ±100.
    The interval is centred on the adjusted estimate, so with very few answers it need not
    contain the raw NPS (one promoter: NPS 100, interval -48.5 to 98.5).

    Examples
    --------
    >>> r = nps(pd.Series([10, 10, 9, 9, 9, 8, 7, 5, 3, 8]))   # 5 promoters, 2 detractors
    >>> r.value, r.n
    (30.0, 10)
    """
    values = checked_scores(scores, "nps", 0, 10)
    if values.size == 0:
        return no_data("nps", "keine NPS-Antworten" if lang == "de" else "no NPS answers")
    n, promoters, passives, detractors = _nps_parts(values)
    warn_small("nps", n, min_n)
    p, d = promoters / n, detractors / n
    value = 100 * (p - d)
    se = 100 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
    n_adj = n + 3
    p_adj, d_adj = (promoters + 0.75) / n_adj, (detractors + 0.75) / n_adj
    centre = p_adj - d_adj
    half = Z95 * math.sqrt((p_adj + d_adj - centre**2) / n_adj)
    low, high = max(-100.0, 100 * (centre - half)), min(100.0, 100 * (centre + half))
    extras = {"promoters": p, "passives": passives / n, "detractors": d,
              "n_promoters": promoters, "n_passives": passives, "n_detractors": detractors}
    return MetricResult("nps", value, n, low, high, DEFINITIONS["nps"].definition, "points", se=se,
                        extras=extras)


def compare_nps(current: pd.Series, previous: pd.Series, *, lang: Language = "en") -> MetricResult:
    """Change in NPS between two sets of answers, with a z-test on the difference calibrated under no change.

    Parameters
    ----------
    current, previous : Series
        0-10 answers of the two periods (or groups).
    lang : {"en", "de"}
        Language of the note (why there is no value or no test).

    Returns
    -------
    MetricResult
        ``kpi = "nps_change"``; ``value`` = current - previous in points, ``se`` =
        sqrt(se_current^2 + se_previous^2), the Wald interval of the difference, and
        ``extras``: ``z``, ``p_value`` (two-sided, of the pooled test), ``current``, ``previous``.

    Notes
    -----
    z = (NPS_1 - NPS_2) / (100 sqrt(V0)), V0 = [p0 + d0 - (p0 - d0)^2] (1/n1 + 1/n2) with p0, d0 the
    shares of promoters and detractors of both periods together (the score test,
    :func:`kit.metrics._change.nps_change_test`). Each period's own variance is 0 when all its answers
    fall in one class, and adding the two made 20 of 20 promoters against NPS 90 on 200 answers look like
    p = 0.00009 (pooled: p = 0.14) and gave 11-38 % false positives near the top of the scale.
    When every answer of both periods is in one class the test is undefined and ``p_value`` is NaN.

    Examples
    --------
    >>> r = compare_nps(pd.Series([10] * 6 + [0] * 4), pd.Series([10] * 4 + [0] * 6))
    >>> round(r.value, 1)
    40.0
    """
    de = lang == "de"
    now, before = nps(current), nps(previous)
    if not now.has_data or not before.has_data:
        if de:
            reason = f"keine NPS-Antworten im {'aktuellen' if not now.has_data else 'vorherigen'} Zeitraum"
        else:
            reason = f"no NPS answers in the {'current' if not now.has_data else 'previous'} period"
        return no_data("nps_change", reason, definition=_NPS_CHANGE_DEFINITION, unit="points")
    diff = now.value - before.value
    se, _, _ = difference_test(diff, now.se, before.se)
    e1, e2 = now.extras, before.extras
    z, p_value = nps_change_test(e1["n_promoters"], e1["n_detractors"], now.n,
                                 e2["n_promoters"], e2["n_detractors"], before.n)
    note = ""
    if se > 0:
        low, high = normal_interval(diff, se)
    else:
        low = high = math.nan
    if math.isnan(p_value):
        note = ("beide Zeiträume ohne Streuung (alle Antworten in einer Gruppe); kein Test möglich" if de
                else "both periods have zero variance (all answers in one group); no test possible")
    return MetricResult("nps_change", diff, now.n + before.n, low, high, _NPS_CHANGE_DEFINITION, "points",
                        se=se, note=note,
                        extras={"z": z, "p_value": p_value, "current": now.value, "previous": before.value,
                                "n_current": now.n, "n_previous": before.n})


def nps_by_segment(frame: pd.DataFrame, *, by: str, score: str = "nps",
                   min_n: int | None = None) -> pd.DataFrame:
    """NPS per group of a column (journey stage, segment, wave …).

    Parameters
    ----------
    frame : DataFrame
        Survey answers with the score column and the grouping column.
    by : str
        Column to group by; rows with a missing group are left out.
    score : str
        The 0-10 score column.
    min_n : int, optional
        Groups with fewer answers get a :class:`~kit.errors.SmallSampleWarning` and ``small = True``.

    Returns
    -------
    DataFrame
        One row per group (sorted by group): ``<by>``, ``n``, ``nps``, ``ci_low``, ``ci_high``,
        ``se``, ``promoters``, ``passives``, ``detractors``, ``small``.

    Raises
    ------
    KeyError
        When ``by`` or ``score`` is not a column of ``frame``.

    Examples
    --------
    >>> f = pd.DataFrame({"stage": ["a", "a", "b"], "nps": [10, 0, 9]})
    >>> nps_by_segment(f, by="stage")["nps"].tolist()
    [0.0, 100.0]
    """
    for col in (by, score):
        if col not in frame.columns:
            raise KeyError(f"column {col!r} not in the frame; columns: {', '.join(map(str, frame.columns))}")
    rows = []
    for group, part in frame.dropna(subset=[by]).groupby(by, sort=True, observed=True):
        r = nps(part[score])
        if not r.has_data:
            continue
        warn_small(f"nps[{by}={group}]", r.n, min_n)
        rows.append({by: group, "n": r.n, "nps": r.value, "ci_low": r.ci_low, "ci_high": r.ci_high,
                     "se": r.se, "promoters": r.extras["promoters"], "passives": r.extras["passives"],
                     "detractors": r.extras["detractors"], "small": min_n is not None and r.n < min_n})
    columns = [by, "n", "nps", "ci_low", "ci_high", "se", "promoters", "passives", "detractors", "small"]
    return pd.DataFrame(rows, columns=columns)
