"""Survey metrics: NPS, CSAT, CES, star ratings and the survey response rate.

Every function takes the answers (a Series of scores, or the tidy ``surveys`` /
``contacts`` table) and returns a :class:`~kit.results.MetricResult` with n, a
95 % interval and the definition from :mod:`kit.definitions`. Missing answers
(NaN) are left out and never counted as zeros.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from kit.definitions import DEFINITIONS
from kit.errors import DataError, NonResponseWarning, SmallSampleWarning
from kit.metrics._stats import (Z95, difference_test, mean_t_interval, normal_interval, share_result,
                               wilson_interval)
from kit.periods import Period, rows_in_period
from kit.results import MetricResult, no_data

__all__ = [
    "nps",
    "compare_nps",
    "nps_by_segment",
    "csat",
    "ces",
    "star_rating",
    "at_risk_share",
    "star_segments",
    "at_risk_list",
    "response_rate",
]

_NPS_CHANGE_DEFINITION = (
    "Change in NPS points between two periods; z-test on the difference with the two "
    "variances [p + d - (p - d)^2] / n."
)


# --------------------------------------------------------------------------- helpers
# (_warn_small and _in_period are shared with kit.metrics.service and kit.metrics.advocacy;
# intervals and tests live in kit.metrics._stats)


def _warn_small(kpi: str, n: int, min_n: int | None, *, stacklevel: int = 3) -> None:
    """Warn (:class:`SmallSampleWarning`) when ``0 < n < min_n``, pointing at the metric's caller."""
    if min_n is not None and 0 < n < min_n:
        warnings.warn(f"{kpi}: n = {n} is below the minimum of {min_n}; read the interval, not the value.",
                      SmallSampleWarning, stacklevel=stacklevel)


def _scores(scores: pd.Series | Any, name: str, low: float, high: float) -> np.ndarray:
    """Non-missing answers as floats; answers outside ``[low, high]`` are a :class:`DataError`."""
    values = pd.to_numeric(pd.Series(scores), errors="coerce").dropna().to_numpy(dtype=float)
    bad = values[(values < low) | (values > high)]
    if bad.size:
        raise DataError(f"{bad.size} answers lie outside the scale {low:g}-{high:g}", file="surveys",
                        column=name, values=[float(v) for v in bad[:5]],
                        expected=f"answers from {low:g} to {high:g}",
                        fix="map the survey tool's scale to the contract scale before the analysis")
    return values


def _answers(kpi: str, scores: pd.Series | Any, column: str, scale: tuple[float, float], min_n: int | None,
             empty: str) -> np.ndarray | MetricResult:
    """Checked answers of a survey metric (see :func:`_scores`), or its no-data result when there are none.

    Warns like :func:`_warn_small` when there are fewer than ``min_n`` answers.
    """
    values = _scores(scores, column, *scale)
    if values.size == 0:
        return no_data(kpi, empty)
    _warn_small(kpi, len(values), min_n, stacklevel=4)
    return values


def _period_rows(kpi: str, frame: pd.DataFrame, *, table: str, needs: str, date: str, period: Period | None,
                 empty: str, min_n: int | None = None) -> pd.DataFrame | MetricResult:
    """Rows of ``frame`` dated (``date``) in ``period``, or the no-data result: no ``needs`` column, no rows.

    Warns like :func:`_warn_small` when there are fewer than ``min_n`` rows.
    """
    if needs not in frame.columns:
        return no_data(kpi, f"the {table} table has no '{needs}' column")
    rows = rows_in_period(frame, date, period)
    if len(rows) == 0:
        return no_data(kpi, empty)
    _warn_small(kpi, len(rows), min_n, stacklevel=4)
    return rows


# --------------------------------------------------------------------------- NPS


def _nps_parts(values: np.ndarray) -> tuple[int, int, int, int]:
    n = len(values)
    promoters = int(np.sum(values >= 9))
    detractors = int(np.sum(values <= 6))
    return n, promoters, n - promoters - detractors, detractors


def nps(scores: pd.Series, *, min_n: int | None = None) -> MetricResult:
    """Net Promoter Score of 0-10 answers, with the adjusted-Wald 95 % interval.

    Parameters
    ----------
    scores : Series
        Answers on the 0-10 scale; NaN (no answer) is left out.
    min_n : int, optional
        Warn (:class:`~kit.errors.SmallSampleWarning`) when fewer answers than this.

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
    values = _scores(scores, "nps", 0, 10)
    if values.size == 0:
        return no_data("nps", "no NPS answers")
    n, promoters, passives, detractors = _nps_parts(values)
    _warn_small("nps", n, min_n)
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


def compare_nps(current: pd.Series, previous: pd.Series) -> MetricResult:
    """Change in NPS between two sets of answers, with a z-test on the difference.

    Parameters
    ----------
    current, previous : Series
        0-10 answers of the two periods (or groups).

    Returns
    -------
    MetricResult
        ``kpi = "nps_change"``; ``value`` = current - previous in points, ``se`` =
        sqrt(se_current^2 + se_previous^2), the Wald interval of the difference, and
        ``extras``: ``z``, ``p_value`` (two-sided), ``current``, ``previous``.

    Notes
    -----
    z = (NPS_1 - NPS_2) / sqrt(Var_1 + Var_2), Var = 100^2 [p + d - (p - d)^2] / n.
    When both variances are 0 (e.g. all promoters twice) the test is undefined and
    ``p_value`` is NaN.

    Examples
    --------
    >>> r = compare_nps(pd.Series([10] * 6 + [0] * 4), pd.Series([10] * 4 + [0] * 6))
    >>> round(r.value, 1)
    40.0
    """
    now, before = nps(current), nps(previous)
    if not now.has_data or not before.has_data:
        missing = "current" if not now.has_data else "previous"
        return no_data("nps_change", f"no NPS answers in the {missing} period",
                       definition=_NPS_CHANGE_DEFINITION, unit="points")
    diff = now.value - before.value
    se, z, p_value = difference_test(diff, now.se, before.se)
    if se > 0:
        low, high = normal_interval(diff, se)
        note = ""
    else:
        low = high = math.nan
        note = "both periods have zero variance (all answers in one group); no test possible"
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
        _warn_small(f"nps[{by}={group}]", r.n, min_n)
        rows.append({by: group, "n": r.n, "nps": r.value, "ci_low": r.ci_low, "ci_high": r.ci_high,
                     "se": r.se, "promoters": r.extras["promoters"], "passives": r.extras["passives"],
                     "detractors": r.extras["detractors"], "small": min_n is not None and r.n < min_n})
    columns = [by, "n", "nps", "ci_low", "ci_high", "se", "promoters", "passives", "detractors", "small"]
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------- CSAT, CES, stars


def csat(scores: pd.Series, *, top_box: int = 4, scale: tuple[int, int] = (1, 5),
         min_n: int | None = None) -> MetricResult:
    """Customer satisfaction: share of answers at or above ``top_box``, with the mean beside it.

    Parameters
    ----------
    scores : Series
        Answers on ``scale`` (default 1-5); NaN is left out.
    top_box : int
        Lowest answer that counts as satisfied (4 = top-2 box on 1-5).
    scale : (int, int)
        Lowest and highest possible answer.
    min_n : int, optional
        Warn when fewer answers than this.

    Returns
    -------
    MetricResult
        Share with its Wilson interval; ``extras``: ``mean``, ``mean_ci_low``, ``mean_ci_high``,
        ``satisfied`` (count).

    Raises
    ------
    DataError
        When an answer lies outside ``scale``.

    Examples
    --------
    >>> csat(pd.Series([5, 4, 4, 3, 1])).value   # 3 of 5 answers are 4 or 5
    0.6
    """
    values = _answers("csat", scores, "csat", scale, min_n, "no CSAT answers")
    if isinstance(values, MetricResult):
        return values
    n = len(values)
    satisfied = int(np.sum(values >= top_box))
    mean, _, mlow, mhigh = mean_t_interval(values)
    definition = DEFINITIONS["csat"].definition
    if top_box != 4 or tuple(scale) != (1, 5):
        definition = f"Share of satisfaction ratings of {top_box} or more on the {scale[0]}-{scale[1]} scale."
    return share_result("csat", satisfied, n, definition=definition,
                         extras={"mean": mean, "mean_ci_low": mlow, "mean_ci_high": mhigh,
                                 "satisfied": satisfied})


def ces(scores: pd.Series, *, scale: tuple[int, int] = (1, 7), low_effort: int = 5,
        higher_is_better: bool = True, min_n: int | None = None) -> MetricResult:
    """Customer effort score: the mean answer (t interval) and the share of low-effort answers.

    Parameters
    ----------
    scores : Series
        Answers on ``scale``; NaN is left out.
    scale : (int, int)
        Lowest and highest possible answer.
    low_effort : int
        Answers at or beyond this, towards "easy", count as low effort.
    higher_is_better : bool
        True when a high answer means little effort (7 = very easy).
    min_n : int, optional
        Warn when fewer answers than this.

    Returns
    -------
    MetricResult
        Mean with se and t interval; ``extras``: ``low_effort_share`` with its Wilson
        ``low_effort_ci_low`` / ``low_effort_ci_high`` and ``low_effort`` (count).

    Raises
    ------
    DataError
        When an answer lies outside ``scale`` (map the survey tool's scale first).

    Examples
    --------
    >>> r = ces(pd.Series([7, 6, 5, 2]))   # mean 20 / 4 = 5; 3 of 4 answers >= 5
    >>> r.value, r.extras["low_effort_share"]
    (5.0, 0.75)
    """
    values = _answers("ces", scores, "ces", scale, min_n, "no CES answers")
    if isinstance(values, MetricResult):
        return values
    n = len(values)
    mean, se, low, high = mean_t_interval(values)
    easy = int(np.sum(values >= low_effort) if higher_is_better else np.sum(values <= low_effort))
    elow, ehigh = wilson_interval(easy, n)
    direction = f">= {low_effort}" if higher_is_better else f"<= {low_effort}"
    return MetricResult("ces", mean, n, low, high, DEFINITIONS["ces"].definition, "mean", se=se,
                        note=f"scale {scale[0]}-{scale[1]}; low effort = answers {direction}",
                        extras={"low_effort_share": easy / n, "low_effort_ci_low": elow,
                                "low_effort_ci_high": ehigh, "low_effort": easy})


def star_rating(ratings: pd.Series, *, at_risk_max: int = 3, min_n: int | None = None) -> MetricResult:
    """Mean star rating (1-5) with its t interval and the shares of the three star segments.

    Parameters
    ----------
    ratings : Series
        Star ratings 1-5; NaN is left out.
    at_risk_max : int
        Ratings at or below this are at risk.
    min_n : int, optional
        Warn when fewer ratings than this.

    Returns
    -------
    MetricResult
        Mean with se and t interval; ``extras``: ``advocate``, ``satisfied``, ``at_risk`` shares.

    Raises
    ------
    DataError
        When a rating lies outside 1-5.

    Examples
    --------
    >>> star_rating(pd.Series([5, 4, 3])).value
    4.0
    """
    values = _answers("star_rating", ratings, "rating", (1, 5), min_n, "no star ratings")
    if isinstance(values, MetricResult):
        return values
    n = len(values)
    mean, se, low, high = mean_t_interval(values)
    counts = _star_counts(values, at_risk_max)
    return MetricResult("star_rating", mean, n, low, high, DEFINITIONS["star_rating"].definition, "stars",
                        se=se, extras={k: v / n for k, v in counts.items()})


def _star_counts(values: np.ndarray, at_risk_max: int) -> dict[str, int]:
    return {"advocate": int(np.sum(values >= 5)),
            "satisfied": int(np.sum((values > at_risk_max) & (values < 5))),
            "at_risk": int(np.sum(values <= at_risk_max))}


def at_risk_share(ratings: pd.Series, *, at_risk_max: int = 3, min_n: int | None = None) -> MetricResult:
    """Share of star ratings at or below ``at_risk_max`` (Wilson interval).

    Parameters
    ----------
    ratings : Series
        Star ratings on the 1-5 scale; unanswered (NaN) ratings are not counted.
    at_risk_max : int
        Highest rating that counts as at risk (3: one to three stars).
    min_n : int, optional
        Issue a :class:`~kit.errors.SmallSampleWarning` below this many ratings.

    Returns
    -------
    MetricResult
        Share with its Wilson interval; ``extras``: ``at_risk`` (count).

    Raises
    ------
    DataError
        When a rating is not between 1 and 5 stars.

    Examples
    --------
    >>> at_risk_share(pd.Series([5, 4, 3, 1])).value   # 2 of 4 ratings <= 3
    0.5
    """
    values = _answers("at_risk_share", ratings, "rating", (1, 5), min_n, "no star ratings")
    if isinstance(values, MetricResult):
        return values
    n = len(values)
    k = int(np.sum(values <= at_risk_max))
    return share_result("at_risk_share", k, n, note=f"at risk = {at_risk_max} stars or fewer",
                         extras={"at_risk": k})


_SEGMENT_LABELS = {"en": {"advocate": "Advocate (5)", "satisfied": "Satisfied", "at_risk": "At risk"},
                   "de": {"advocate": "Fürsprecher (5)", "satisfied": "Zufrieden", "at_risk": "Gefährdet"}}


def star_segments(ratings: pd.Series, *, at_risk_max: int = 3, lang: str = "en") -> pd.DataFrame:
    """Counts and shares of the star segments: advocate (5), satisfied, at risk (<= ``at_risk_max``).

    Parameters
    ----------
    ratings : Series
        Star ratings 1-5; NaN is left out.
    at_risk_max : int
        Ratings at or below this are at risk.
    lang : {"en", "de"}
        Language of the ``label`` column.

    Returns
    -------
    DataFrame
        ``segment`` (advocate, satisfied, at_risk), ``label``, ``count``, ``share``, ``ci_low``,
        ``ci_high`` (Wilson); shares are NaN when there are no ratings.

    Raises
    ------
    DataError
        When a rating lies outside 1-5.

    Examples
    --------
    >>> star_segments(pd.Series([5, 5, 4, 2]))["count"].tolist()
    [2, 1, 1]
    """
    values = _scores(ratings, "rating", 1, 5)
    n = len(values)
    labels = _SEGMENT_LABELS.get(lang, _SEGMENT_LABELS["en"])
    rows = []
    for segment, count in _star_counts(values, at_risk_max).items():
        low, high = wilson_interval(count, n)
        rows.append({"segment": segment, "label": labels[segment], "count": count,
                     "share": count / n if n else math.nan, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)


def at_risk_list(surveys: pd.DataFrame, *, at_risk_max: int = 3, period: Period | None = None) -> pd.DataFrame:
    """Customers whose latest star rating is at or below ``at_risk_max`` (for the watch list).

    Parameters
    ----------
    surveys : DataFrame
        The tidy surveys table (``customer_id``, ``responded_at``, ``rating``; ``nps`` and
        ``comment`` are carried along when present).
    at_risk_max : int
        Ratings at or below this are at risk.
    period : Period, optional
        Only answers given in this period.

    Returns
    -------
    DataFrame
        One row per customer, lowest rating first then most recent: ``customer_id``,
        ``responded_at``, ``rating`` (and ``nps``, ``comment``).

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "a", "b"], "rating": [2.0, 5.0, 3.0],
    ...     "responded_at": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-01-05"])})
    >>> at_risk_list(s)["customer_id"].tolist()   # a's latest rating is 5
    ['b']
    """
    keep = [c for c in ("customer_id", "responded_at", "rating", "nps", "comment") if c in surveys.columns]
    if "customer_id" not in surveys.columns or "rating" not in surveys.columns:
        return pd.DataFrame(columns=keep)
    rated = rows_in_period(surveys, "responded_at", period).dropna(subset=["customer_id", "rating"])
    latest = rated.sort_values("responded_at").drop_duplicates("customer_id", keep="last")
    out = latest.loc[latest["rating"] <= at_risk_max, keep]
    return out.sort_values(["rating", "responded_at"], ascending=[True, False]).reset_index(drop=True)


# --------------------------------------------------------------------------- response rate


def response_rate(contacts: pd.DataFrame, *, period: Period | None = None, warn_below: float = 0.2,
                  lang: str = "en", min_n: int | None = None) -> MetricResult:
    """Survey answers / invitations sent, with the Wilson interval and a non-response note.

    Parameters
    ----------
    contacts : DataFrame
        The tidy ``contacts`` table (``customer_id``, ``sent_at``, ``responded``).
    period : Period, optional
        Invitations sent in this period (all when None).
    warn_below : float
        Below this rate a :class:`~kit.errors.NonResponseWarning` is issued and the note says so.
    lang : {"en", "de"}
        Language of the note.
    min_n : int, optional
        Warn when fewer invitations than this.

    Returns
    -------
    MetricResult

    Examples
    --------
    >>> c = pd.DataFrame({"customer_id": list("abcd"), "responded": [True, False, True, True],
    ...                   "sent_at": pd.to_datetime(["2026-01-01"] * 4)})
    >>> response_rate(c).value
    0.75
    """
    sent = _period_rows("response_rate", contacts, table="contacts", needs="responded", date="sent_at",
                        period=period, empty="no survey invitations in the period", min_n=min_n)
    if isinstance(sent, MetricResult):
        return sent
    n = len(sent)
    answered = int(sent["responded"].fillna(False).astype(bool).sum())
    rate = answered / n
    note = ""
    if rate < warn_below:
        note = (f"Rücklaufquote {rate:.1%} unter {warn_below:.0%}: Antwortende sind womöglich nicht "
                "repräsentativ (Non-Response-Bias)." if lang == "de" else
                f"response rate {rate:.1%} is below {warn_below:.0%}: those who answered may not "
                "represent all customers (non-response bias).")
        warnings.warn(note, NonResponseWarning, stacklevel=2)
    return share_result("response_rate", answered, n, note=note, extras={"answers": answered})
