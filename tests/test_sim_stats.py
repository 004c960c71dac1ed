"""A small seeded run of ``benchmarks/sim_stats.py``: intervals and change tests against known truths (slow).

The full run (2,000 data sets per cell) is a benchmark; here 400 per cell check the audit's edge cases
and the targets with room for Monte-Carlo error (standard error about 1.1 points at 95 %, 1.1 at 5 %).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.slow

REPS = 400


def _sim() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "sim_stats.py"
    spec = importlib.util.spec_from_file_location("sim_stats", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sim() -> ModuleType:
    return _sim()


@pytest.fixture(scope="module")
def coverage(sim):
    """The coverage table at 400 data sets per cell, once for the tests below."""
    return sim.coverage_table(reps=REPS, seed=7).set_index(["kpi", "truth"])


def test_intervals_cover_at_the_edges(coverage):
    cov = coverage
    # the audit's edges: 98 % five-star answers at n = 30 (the t interval covered 47 %), refunds in 2 % of
    # 30 orders (the delta method covered 61 %), NPS 96.5
    assert cov.loc[("star_rating (bounded mean)", "98 % fives"), "n=30"] >= 0.93
    assert cov.loc[("(old) star_rating t interval", "98 % fives"), "n=30"] < 0.6
    assert cov.loc[("refund_share (pseudo-orders)", "refunds in 2 % of orders"), "n=30"] >= 0.93
    assert cov.loc[("nps (adjusted Wald)", "NPS 96.5"), "n=30"] >= 0.92
    # a 1 % share at n = 100, where Wilson covered 92.1 % (exact): Agresti-Coull covers 98.2 % (exact)
    assert cov.loc[("shares: csat, churn, ... (Agresti-Coull)", "1 %"), "n=100"] >= 0.95
    # every interval of the kit on generated data, at every n: target 93 %, at 2,000 data sets per cell the
    # lowest is 93.7 %; 400 here leave room for 2.5 standard errors (1.2 points)
    kit_rows = cov[~cov.index.get_level_values("kpi").str.startswith("(old)")]
    generated = kit_rows[~kit_rows.index.get_level_values("truth").str.startswith("real:")]
    assert generated.to_numpy().min() >= 0.90
    # the AOV interval learnt from a history of 4 periods, customer log-sd 1.0: 94.7 / 94.2 / 95.2 % in the
    # full run, where the log-scale t interval covered 86.6 / 90.0 / 93.5 %
    aov = "average_order_value (bootstrap-t from a history of 4 periods)"
    old = cov.loc[("(old) average_order_value, log-scale t", "customer sd 1.0"), "n=30"]
    assert cov.loc[(aov, "customer sd 1.0"), "n=30"] - old > 0.03


def test_change_tests_hold_their_level_with_unequal_n(sim):
    fpr = sim.false_positive_table(reps=REPS, seed=7, designs=((30, 300), (100, 100))).set_index(["test", "truth"])
    kit_rows = fpr[~fpr.index.get_level_values("test").str.startswith("(old)")]
    assert kit_rows.to_numpy().max() <= 0.085   # target 5.5 %, plus 2.5 standard errors at 400 pairs
    # the audit's case: NPS 96.5 with 30 against 300 answers gave 38 % false positives with plug-in variances
    assert fpr.loc[("(old) nps, plug-in variances", "NPS 96.5"), "30 vs 300"] > 0.2
    assert fpr.loc[("nps (pooled z)", "NPS 96.5"), "30 vs 300"] <= 0.085
    # a 50 % share, 100 vs 100: the z-test's exact size is 5.6 %, Boschloo's exact test's at most 5 %
    assert fpr.loc[("shares (Boschloo up to 200 vs 200, else z)", "50 %"), "100 vs 100"] <= 0.075


def test_holm_keeps_unchanged_scorecards_quiet(sim):
    table = sim.scorecard_table(reps=REPS, seed=7).iloc[0]
    # 15 tests at 5 % each: about half the scorecards show a raw p < 0.05; Holm keeps it at 5 %
    assert table["any raw p < 0.05"] > 0.3
    assert table["any Holm-adjusted p < 0.05"] <= 0.08


def test_average_order_value_on_real_order_logs(sim, coverage):
    """Customers of CDNOW and UCI Online Retail drawn with all their orders, a period with a history of 4.

    Order values with a heavy tail (a few big buyers carry the mean) left the log-scale t interval too narrow:
    84.8 / 88.2 / 91.3 % (CDNOW) and 73.2 / 70.9 / 78.6 % (UCI) at 30 / 100 / 1000 orders in the full run.
    Learnt from the history, the interval covers 94.2 / 94.2 / 94.3 % and 87.4 / 87.2 / 92.2 %: CDNOW meets the
    target; UCI (Hill tail index about 1.5, an infinite variance) stays below it with a year of history, and
    this pins floors about 2.5 standard errors (at 400 data sets) below the full run's figures, so that a change
    that makes them worse fails. The change test's level on the same logs is checked with the others in
    :func:`test_change_tests_hold_their_level_with_unequal_n`.
    """
    if not sim.real_order_logs():
        pytest.skip("../shared/datasets is absent")
    cov = coverage
    aov = "average_order_value (bootstrap-t from a history of 4 periods)"
    assert cov.loc[(aov, "real: CDNOW customers")].min() >= 0.91
    assert cov.loc[(aov, "real: UCI Online Retail customers"), "n=100"] >= 0.83
    assert cov.loc[(aov, "real: UCI Online Retail customers"), "n=1000"] >= 0.88
    old = cov.loc[("(old) average_order_value, log-scale t", "real: UCI Online Retail customers"), "n=100"]
    assert cov.loc[(aov, "real: UCI Online Retail customers"), "n=100"] - old > 0.1
