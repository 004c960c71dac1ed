"""Pure metric functions, one module per area.

- :mod:`kit.metrics.survey`: NPS, CSAT, CES, star ratings, response rate;
- :mod:`kit.metrics.service`: first response and resolution times, SLA share, complaints;
- :mod:`kit.metrics.advocacy`: referral rate, referred customers' retention, exit reasons;
- :mod:`kit.metrics.behaviour` and :mod:`kit.metrics.value`: churn, retention, purchases, value.

Every metric returns a :class:`kit.results.MetricResult`. Submodules are imported on use
(``from kit.metrics.survey import nps``); this package imports nothing.
"""

__all__: list[str] = []
