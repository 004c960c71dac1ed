"""Stage 4, the plan: scorecard, KPI gaps and evidence, the prioritised actions, customer lists.

Owns: the tidy KPI scorecard with status against targets and change tests
(:mod:`~kit.plan.scorecards`), KPI gaps and the evidence behind them (:mod:`~kit.plan.evidence`), the
action plan (:mod:`~kit.plan.actions`) and the watch, win-back and advocate lists
(:mod:`~kit.plan.lists`).

May import :mod:`kit.data`, :mod:`kit.metrics`, :mod:`kit.models`, :mod:`kit.text` and the shared
vocabulary; never :mod:`kit.report`.
"""
