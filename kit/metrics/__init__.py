"""Stage 2, the metrics: pure functions of the tidy tables, one module per area.

- :mod:`kit.metrics.survey`: NPS, CSAT, CES, star ratings, response rate;
- :mod:`kit.metrics.service`: first response and resolution times, SLA share, complaints;
- :mod:`kit.metrics.advocacy`: referral rate, referred customers' retention, exit reasons;
- :mod:`kit.metrics.behaviour`: churn, retention, repeat purchases, frequency, time between purchases;
- :mod:`kit.metrics.segments`: cohort retention tables and RFM segments;
- :mod:`kit.metrics.value`: net revenue, order value, returns and refunds, historical CLV.

Every metric returns a :class:`kit.results.MetricResult`. Submodules are imported on use
(``from kit.metrics.survey import nps``); this package imports nothing.

May import :mod:`kit.data` and the shared vocabulary (:mod:`kit.errors`, :mod:`kit.definitions`,
:mod:`kit.labels`, :mod:`kit.results`); never a later stage.
"""

__all__: list[str] = []
