"""Stage 3, the models fitted on the tidy tables: survival, customer lifetime value, key drivers.

Owns: Kaplan-Meier, log-rank and the Cox churn model (:mod:`~kit.models.survival`), BG/NBD and
Gamma-Gamma with predicted CLV (:mod:`kit.models.clv`), and the key-driver analysis with its
importance-performance map (:mod:`~kit.models.drivers`). Classes here are fitted
(``Model(**options).fit(data)`` returns self; fitted attributes end in ``_``).

May import :mod:`kit.data`, :mod:`kit.metrics` and the shared vocabulary; never :mod:`kit.plan`
or :mod:`kit.report`.
"""
