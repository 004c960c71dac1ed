"""Predictive customer value: customer summaries, BG/NBD, Gamma-Gamma and CLV.

The models follow Fader, Hardie & Lee (2005) "Counting your customers the easy way: an
alternative to the Pareto/NBD model", Marketing Science 24(2) (BG/NBD), and Fader & Hardie
(2013) "The Gamma-Gamma model of monetary value" (spend). Both are fitted by maximum
likelihood in log space (``scipy.special.gammaln``, ``betaln``, ``logsumexp``) on the log of
the parameters; standard errors come from a numerical Hessian (``statsmodels.tools.numdiff``)
on that log scale and are carried back by the delta method.

Conventions used everywhere in this package:

- **Net value.** Every money figure is net: ``revenue - refund_amount`` (``refund_amount``
  counts as 0 when the column is absent). A fully refunded order still counts as a purchase
  occasion (the transaction happened); its value is 0.
- **Purchase occasions.** Orders are first collapsed to one purchase per customer per day
  (time units ``"D"`` and ``"W"``) or per calendar month (``"M"``, pandas ``Period("M")``
  semantics), as the ``lifetimes`` package and Fader & Hardie's CDNOW analysis do. The value of
  an occasion is the sum of the net values of its orders.
- **Time unit.** ``"D"`` days, ``"W"`` weeks of 7 days (``days / 7``, fractional, as in the
  CDNOW data set), ``"M"`` whole calendar months. The unit of a summary is stored in
  ``summary.attrs["time_unit"]`` and copied to every model fitted on it (``time_unit_``).
  A month is ``365.25 / 12 = 30.4375`` days when months have to be converted to days or weeks.
- **Cut-off.** ``as_of`` and ``calibration_end`` are *exclusive*, like every ``as_of`` of the kit
  and ``Period.end``: an order counts when ``order_date < as_of`` (``as_of="2026-10-01"`` uses
  the data up to and including 30 September). ``T`` is measured from the day of the first
  purchase to the last day observed, the day before a midnight ``as_of``, so a customer who
  bought on that last day has ``recency == T`` (this reproduces Fader & Hardie's CDNOW summary:
  a first purchase on 1997-01-01 and ``as_of="1997-10-01"`` give T = 272 days = 38.86 weeks).

Modules (one concern each; imports run one way, top to bottom):

- :mod:`kit.models.clv.summary`: :func:`summarise_customers` (DuckDB), the time units.
- :mod:`kit.models.clv._fitting`: private maximum-likelihood machinery shared by the models.
- :mod:`kit.models.clv.models`: :class:`BetaGeo` and :class:`GammaGamma` (likelihoods, fit, predictions).
- :mod:`kit.models.clv.value`: :func:`customer_value` and the scorecard KPI :func:`clv_predicted`.
- :mod:`kit.models.clv.sbg`: :class:`ShiftedBetaGeometric`, the contractual retention model (Fader & Hardie
  2007) and its discounted expected residual lifetime (Fader & Hardie 2010).
- :mod:`kit.models.clv.contract_value`: :func:`subscriber_values` and the scorecard KPI :func:`clv_contractual`.
- :mod:`kit.models.clv.validation`: :func:`holdout_comparison`, :func:`frequency_spend_correlation`.

Every public name is re-exported here, so ``from kit.models.clv import X`` and ``kit.models.clv.X`` work.
"""

from __future__ import annotations

from kit.models.clv.contract_value import clv_contractual, subscriber_values
from kit.models.clv.models import (
    BetaGeo,
    GammaGamma,
    _gg_loglik,  # noqa: F401  (tests/test_clv.py imports it from kit.models.clv)
)
from kit.models.clv.sbg import ShiftedBetaGeometric, lifetimes_from_survivors
from kit.models.clv.summary import DAYS_PER_MONTH, TIME_UNITS, summarise_customers
from kit.models.clv.validation import frequency_spend_correlation, holdout_comparison
from kit.models.clv.value import clv_predicted, customer_value

__all__ = [
    "TIME_UNITS",
    "DAYS_PER_MONTH",
    "summarise_customers",
    "BetaGeo",
    "GammaGamma",
    "customer_value",
    "clv_predicted",
    "holdout_comparison",
    "frequency_spend_correlation",
    "ShiftedBetaGeometric",
    "lifetimes_from_survivors",
    "subscriber_values",
    "clv_contractual",
]
