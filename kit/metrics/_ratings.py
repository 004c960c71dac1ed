"""Rating metrics of the survey answers: CSAT, CES, star ratings, star segments and at-risk customers.

Public through :mod:`kit.metrics.survey` (``from kit.metrics.survey import csat``), which
re-exports these functions. CSAT is a top-box share, CES a mean effort with the share of
low-effort answers; star ratings (1-5) split into advocates (5), satisfied and at risk
(at most ``at_risk_max`` stars).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kit.data.periods import Period, rows_in_period
from kit.definitions import DEFINITIONS, Language
from kit.metrics._bounded import bounded_mean_interval
from kit.metrics._checks import checked_answers, checked_scores
from kit.metrics._stats import share_interval, share_result
from kit.results import MetricResult

__all__ = ["at_risk_list", "at_risk_share", "ces", "csat", "star_rating", "star_segments"]


def csat(scores: pd.Series, *, top_box: int = 4, scale: tuple[int, int] = (1, 5),
         min_n: int | None = None, lang: Language = "en") -> MetricResult:
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
    lang : {"en", "de"}
        Language of the note (why there is no value).

    Returns
    -------
    MetricResult
        Share with its Agresti-Coull interval; ``extras``: ``mean``, ``mean_ci_low``, ``mean_ci_high`` (the bounded-mean
        interval of :func:`kit.metrics._bounded.bounded_mean_interval`), ``satisfied`` (count).

    Raises
    ------
    DataError
        When an answer lies outside ``scale``.

    Examples
    --------
    >>> csat(pd.Series([5, 4, 4, 3, 1])).value   # 3 of 5 answers are 4 or 5
    0.6
    """
    values = checked_answers("csat", scores, "csat", scale, min_n,
                             "keine CSAT-Antworten" if lang == "de" else "no CSAT answers")
    if isinstance(values, MetricResult):
        return values
    n = len(values)
    satisfied = int(np.sum(values >= top_box))
    mean, _, mlow, mhigh = bounded_mean_interval(values, *scale)
    definition = DEFINITIONS["csat"].definition
    if top_box != 4 or tuple(scale) != (1, 5):
        definition = f"Share of satisfaction ratings of {top_box} or more on the {scale[0]}-{scale[1]} scale."
    return share_result("csat", satisfied, n, definition=definition,
                         extras={"mean": mean, "mean_ci_low": mlow, "mean_ci_high": mhigh,
                                 "satisfied": satisfied})


def ces(scores: pd.Series, *, scale: tuple[int, int] = (1, 7), low_effort: int = 5,
        higher_is_better: bool = True, min_n: int | None = None, lang: Language = "en") -> MetricResult:
    """Customer effort score: the mean answer (bounded-mean interval) and the share of low-effort answers.

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
    lang : {"en", "de"}
        Language of the note (the scale and the low-effort rule).

    Returns
    -------
    MetricResult
        Mean with se (sd / sqrt(n)) and the interval of :func:`kit.metrics._bounded.bounded_mean_interval`, which
        holds near the ends of the scale; ``note`` = the scale and the low-effort rule
        (``"scale 1-7; low effort = answers >= 5"``, German ``"Skala 1-7; geringer Aufwand = Antworten >= 5"``);
        ``extras``: ``low_effort_share`` with its Agresti-Coull
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
    de = lang == "de"
    values = checked_answers("ces", scores, "ces", scale, min_n, "keine CES-Antworten" if de else "no CES answers")
    if isinstance(values, MetricResult):
        return values
    n = len(values)
    mean, se, low, high = bounded_mean_interval(values, *scale)
    easy = int(np.sum(values >= low_effort) if higher_is_better else np.sum(values <= low_effort))
    elow, ehigh = share_interval(easy, n)
    direction = f">= {low_effort}" if higher_is_better else f"<= {low_effort}"
    note = (f"Skala {scale[0]}-{scale[1]}; geringer Aufwand = Antworten {direction}" if de
            else f"scale {scale[0]}-{scale[1]}; low effort = answers {direction}")
    return MetricResult("ces", mean, n, low, high, DEFINITIONS["ces"].definition, "mean", se=se, note=note,
                        extras={"low_effort_share": easy / n, "low_effort_ci_low": elow,
                                "low_effort_ci_high": ehigh, "low_effort": easy})


def star_rating(ratings: pd.Series, *, at_risk_max: int = 3, min_n: int | None = None,
                lang: Language = "en") -> MetricResult:
    """Mean star rating (1-5) with its bounded-mean interval and the shares of the three star segments.

    Parameters
    ----------
    ratings : Series
        Star ratings 1-5; NaN is left out.
    at_risk_max : int
        Ratings at or below this are at risk.
    min_n : int, optional
        Warn when fewer ratings than this.
    lang : {"en", "de"}
        Language of the note (why there is no value).

    Returns
    -------
    MetricResult
        Mean with se (sd / sqrt(n)) and the interval of :func:`kit.metrics._bounded.bounded_mean_interval`
        (twelve five-star ratings give 3.87 to 5, not [5, 5]); ``extras``: ``advocate``, ``satisfied``,
        ``at_risk`` shares.

    Raises
    ------
    DataError
        When a rating lies outside 1-5.

    Examples
    --------
    >>> star_rating(pd.Series([5, 4, 3])).value
    4.0
    """
    values = checked_answers("star_rating", ratings, "rating", (1, 5), min_n, _no_ratings(lang))
    if isinstance(values, MetricResult):
        return values
    n = len(values)
    mean, se, low, high = bounded_mean_interval(values, 1, 5)
    counts = _star_counts(values, at_risk_max)
    return MetricResult("star_rating", mean, n, low, high, DEFINITIONS["star_rating"].definition, "stars",
                        se=se, extras={k: v / n for k, v in counts.items()})


def _star_counts(values: np.ndarray, at_risk_max: int) -> dict[str, int]:
    return {"advocate": int(np.sum(values >= 5)),
            "satisfied": int(np.sum((values > at_risk_max) & (values < 5))),
            "at_risk": int(np.sum(values <= at_risk_max))}


def _no_ratings(lang: Language) -> str:
    return "keine Sternebewertungen" if lang == "de" else "no star ratings"


def at_risk_share(ratings: pd.Series, *, at_risk_max: int = 3, min_n: int | None = None,
                  lang: Language = "en") -> MetricResult:
    """Share of star ratings at or below ``at_risk_max`` (Agresti-Coull interval).

    Parameters
    ----------
    ratings : Series
        Star ratings on the 1-5 scale; unanswered (NaN) ratings are not counted.
    at_risk_max : int
        Highest rating that counts as at risk (3: one to three stars).
    min_n : int, optional
        Issue a :class:`~kit.errors.SmallSampleWarning` below this many ratings.
    lang : {"en", "de"}
        Language of the note (the at-risk rule: ``"at risk = 3 stars or fewer"``,
        German ``"gefährdet = 3 Sterne oder weniger"``).

    Returns
    -------
    MetricResult
        Share with its Agresti-Coull interval; ``extras``: ``at_risk`` (count).

    Raises
    ------
    DataError
        When a rating is not between 1 and 5 stars.

    Examples
    --------
    >>> at_risk_share(pd.Series([5, 4, 3, 1])).value   # 2 of 4 ratings <= 3
    0.5
    """
    values = checked_answers("at_risk_share", ratings, "rating", (1, 5), min_n, _no_ratings(lang))
    if isinstance(values, MetricResult):
        return values
    n = len(values)
    k = int(np.sum(values <= at_risk_max))
    note = (f"gefährdet = {at_risk_max} {'Stern' if at_risk_max == 1 else 'Sterne'} oder weniger" if lang == "de"
            else f"at risk = {at_risk_max} stars or fewer")
    return share_result("at_risk_share", k, n, note=note,
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
        ``ci_high`` (Agresti-Coull); shares are NaN when there are no ratings.

    Raises
    ------
    DataError
        When a rating lies outside 1-5.

    Examples
    --------
    >>> star_segments(pd.Series([5, 5, 4, 2]))["count"].tolist()
    [2, 1, 1]
    """
    values = checked_scores(ratings, "rating", 1, 5)
    n = len(values)
    labels = _SEGMENT_LABELS.get(lang, _SEGMENT_LABELS["en"])
    rows = []
    for segment, count in _star_counts(values, at_risk_max).items():
        low, high = share_interval(count, n)
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
