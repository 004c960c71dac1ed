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


def test_intervals_cover_at_the_edges(sim):
    cov = sim.coverage_table(reps=REPS, seed=7).set_index(["kpi", "truth"])
    # the audit's edges: 98 % five-star answers at n = 30 (the t interval covered 47 %), refunds in 2 % of
    # 30 orders (the delta method covered 61 %), NPS 96.5
    assert cov.loc[("star_rating (bounded mean)", "98 % fives"), "n=30"] >= 0.93
    assert cov.loc[("(old) star_rating t interval", "98 % fives"), "n=30"] < 0.6
    assert cov.loc[("refund_share (pseudo-orders)", "refunds in 2 % of orders"), "n=30"] >= 0.93
    assert cov.loc[("nps (adjusted Wald)", "NPS 96.5"), "n=30"] >= 0.92
    # a 1 % share at n = 100, where Wilson covered 92.1 % (exact): Agresti-Coull covers 98.2 % (exact)
    assert cov.loc[("shares: csat, churn, ... (Agresti-Coull)", "1 %"), "n=100"] >= 0.95
    # every interval of the kit but the clustered AOV, at every n: target 93 %, at 2,000 data sets per cell
    # the lowest is 93.7 %; 400 here leave room for 2.5 standard errors (1.2 points)
    kit_rows = cov[~cov.index.get_level_values("kpi").str.startswith("(old)")]
    not_aov = kit_rows[~kit_rows.index.get_level_values("kpi").str.startswith("average_order_value")]
    assert not_aov.to_numpy().min() >= 0.90
    # the clustered AOV: about 10 customers behind 30 orders stay below target (87.0 % at customer log-sd
    # 1.0 in the full run); from 1000 orders on it holds, and it covers far better than orders taken as
    # independent
    aov = "average_order_value (clustered, log scale)"
    assert cov.loc[(aov, "customer sd 0.5"), "n=1000"] >= 0.91 and cov.loc[(aov, "customer sd 1.0"), "n=1000"] >= 0.91
    assert cov.loc[(aov, "customer sd 0.5"), "n=100"] >= 0.89 and cov.loc[(aov, "customer sd 1.0"), "n=100"] >= 0.86
    new = cov.loc[(aov, "customer sd 0.5"), "n=1000"]
    old = cov.loc[("(old) average_order_value t interval", "customer sd 0.5"), "n=1000"]
    assert new - old > 0.05


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


def test_average_order_value_on_real_order_logs(sim):
    """Customers of CDNOW and UCI Online Retail drawn with all their orders: the known limit of issue 12.

    Order values with a heavy tail (a few big buyers carry the mean) leave the clustered interval too narrow:
    in the full run 84.8 / 87.2 / 91.5 % (CDNOW) and 73.0 / 70.0 / 78.0 % (UCI) at 30 / 100 / 1000 orders. This
    pins floors about two standard errors (at 400 data sets) below those, so that a change that makes them
    worse fails; it does not claim the target. The change test's level on the same logs is checked with the
    others in :func:`test_change_tests_hold_their_level_with_unequal_n`.
    """
    if not sim.real_order_logs():
        pytest.skip("../shared/datasets is absent")
    cov = sim.coverage_table(reps=REPS, seed=7, ns=(1000,)).set_index(["kpi", "truth"])
    aov = "average_order_value (clustered, log scale)"
    assert cov.loc[(aov, "real: CDNOW customers"), "n=1000"] >= 0.87
    assert cov.loc[(aov, "real: UCI Online Retail customers"), "n=1000"] >= 0.72
