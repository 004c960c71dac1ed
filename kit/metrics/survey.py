"""Survey metrics: NPS, CSAT, CES, star ratings and the survey response rate.

Every function takes the answers (a Series of scores, or the tidy ``surveys`` /
``contacts`` table) and returns a :class:`~kit.results.MetricResult` with n, a
95 % interval and the definition from :mod:`kit.definitions`. Missing answers
(NaN) are left out and never counted as zeros.

This module is where the survey metrics are imported from. The response rate (invitations
answered) lives here; the NPS functions are written in :mod:`kit.metrics._nps`, the rating
metrics (CSAT, CES, stars) in :mod:`kit.metrics._ratings`, and the answer checks they share
in :mod:`kit.metrics._checks`.
"""

from __future__ import annotations

import warnings

import pandas as pd

from kit.data.periods import Period
from kit.definitions import Language
from kit.errors import NonResponseWarning
from kit.metrics._checks import period_rows
from kit.metrics._nps import compare_nps, nps, nps_by_segment
from kit.metrics._ratings import at_risk_list, at_risk_share, ces, csat, star_rating, star_segments
from kit.metrics._stats import share_result
from kit.results import MetricResult, format_value

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


def response_rate(contacts: pd.DataFrame, *, period: Period | None = None, warn_below: float = 0.2,
                  lang: Language = "en", min_n: int | None = None) -> MetricResult:
    """Survey answers / invitations sent, with the Agresti-Coull interval and a non-response note.

    Parameters
    ----------
    contacts : DataFrame
        The tidy ``contacts`` table (``customer_id``, ``sent_at``, ``responded``).
    period : Period, optional
        Invitations sent in this period (all when None).
    warn_below : float
        Below this rate a :class:`~kit.errors.NonResponseWarning` is issued and the note says so.
    lang : {"en", "de"}
        Language of the note (and of the warning).
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
    de = lang == "de"
    sent = period_rows("response_rate", contacts, table="contacts", needs="responded", date="sent_at",
                       period=period, min_n=min_n,
                       empty="keine Umfrageeinladungen im Zeitraum" if de else "no survey invitations in the period")
    if isinstance(sent, MetricResult):
        return sent
    n = len(sent)
    answered = int(sent["responded"].fillna(False).astype(bool).sum())
    rate = answered / n
    note = ""
    if rate < warn_below:
        note = (f"Rücklaufquote {format_value(rate, 'share', 'de')} unter "
                f"{format_value(warn_below, 'share', 'de', digits=0)}: Antwortende sind womöglich nicht "
                "repräsentativ (Non-Response-Bias)." if de else
                f"response rate {rate:.1%} is below {warn_below:.0%}: those who answered may not "
                "represent all customers (non-response bias).")
        warnings.warn(note, NonResponseWarning, stacklevel=2)
    return share_result("response_rate", answered, n, note=note, extras={"answers": answered})
