"""KPI series (kit.plan.trends), sparklines and delta arrows (kit.report.sparklines), the trend chart."""

from __future__ import annotations

import math
import re
import warnings

import pandas as pd
import pytest

from kit.data.config import AnalysisConfig
from kit.data.contract import LoyaltyData
from kit.data.periods import parse_period
from kit.plan.trends import kpi_series
from kit.report.sparklines import delta_html, sparkline_svg, trend_cells


@pytest.fixture
def config() -> AnalysisConfig:
    return AnalysisConfig.model_validate({"business": {"name": "S"}, "targets": {"nps": {"target": 30}},
                                          "data": {"tables": {"surveys": {"file": "/tmp/s.csv"}}}})


def _surveys() -> LoyaltyData:
    # 2026-Q1: 10 answers, 6 promoters (10), 2 detractors (3) -> NPS = 60 - 20 = 40
    # 2026-Q2: no answers
    # 2026-Q3: 4 answers, 1 promoter, 3 detractors -> NPS = 25 - 75 = -50
    q1 = [10] * 6 + [8] * 2 + [3] * 2
    q3 = [9, 0, 1, 2]
    when = [pd.Timestamp("2026-02-01")] * len(q1) + [pd.Timestamp("2026-08-01")] * len(q3)
    return LoyaltyData(surveys=pd.DataFrame({"responded_at": when, "nps": q1 + q3}))


def test_each_period_of_the_series_is_computed_on_its_own_answers(config):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        series = kpi_series(_surveys(), config, parse_period("2026-Q3"), periods=3, kpis=("nps",))
    assert series["period"].tolist() == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert series["value"].iloc[0] == pytest.approx(40.0) and series["n"].iloc[0] == 10
    assert math.isnan(series["value"].iloc[1]) and series["n"].iloc[1] == 0
    assert series["value"].iloc[2] == pytest.approx(-50.0) and series["n"].iloc[2] == 4
    assert (series["ci_low"].iloc[[0, 2]] < series["value"].iloc[[0, 2]]).all()


def test_the_scorecard_value_is_reused_for_the_reporting_period(config):
    card = pd.DataFrame({"kpi": ["nps"], "value": [12.5], "n": [99], "ci_low": [1.0], "ci_high": [20.0]})
    series = kpi_series(_surveys(), config, parse_period("2026-Q3"), periods=2, kpis=("nps",), scorecard=card)
    assert series["value"].tolist()[-1] == 12.5 and series["n"].tolist()[-1] == 99


def test_orders_kpis_without_orders_have_no_data_and_periods_must_be_positive(config):
    series = kpi_series(_surveys(), config, parse_period("2026-Q3"), periods=2, kpis=("churn_rate",))
    assert series["n"].tolist() == [0, 0] and series["value"].isna().all()
    with pytest.raises(ValueError, match="at least 1"):
        kpi_series(_surveys(), config, parse_period("2026-Q3"), periods=0)


def test_sparkline_draws_one_point_per_value_and_breaks_at_gaps():
    svg = sparkline_svg([1.0, 2.0, float("nan"), 4.0, 5.0], lows=[0.5, 1.5, math.nan, 3.5, 4.5],
                        highs=[1.5, 2.5, math.nan, 4.5, 5.5], target=3.0, title="a <b>")
    lines = re.findall(r"<polyline points='([^']*)'", svg)
    assert [len(p.split()) for p in lines] == [2, 2]          # two runs of two points around the gap
    assert "stroke-dasharray" in svg and "<title>a &lt;b&gt;</title>" in svg
    # highest value (5.5 band top) at the top: y of the last point < y of the first
    first_y = float(lines[0].split()[0].split(",")[1])
    last_y = float(lines[1].split()[-1].split(",")[1])
    assert last_y < first_y


def test_delta_arrow_is_coloured_only_when_significant_and_by_direction():
    worse = delta_html("churn_rate", 0.024, 0.03, direction="lower")
    better = delta_html("churn_rate", -0.024, 0.03, direction="lower")
    flat = delta_html("churn_rate", 0.024, 0.4, direction="lower")
    assert "▲" in worse and "#b3261e" in worse and "+2.4 pp" in worse
    assert "▼" in better and "#1b7f3b" in better
    assert "#6b6b6b" in flat and "not significant" in flat
    assert delta_html("nps", math.nan, math.nan, direction="higher") == "–"


def test_trend_cells_hold_sparkline_and_delta_per_kpi(config):
    card = pd.DataFrame({"kpi": ["nps"], "change": [-16.8], "p_value": [0.005], "target": [30.0]})
    series = pd.DataFrame({"kpi": "nps", "period": ["2026-Q1", "2026-Q2", "2026-Q3"], "value": [30.0, 26.7, 9.9],
                           "ci_low": [20.0, 18.0, 1.7], "ci_high": [40.0, 35.0, 18.0]})
    cells = trend_cells(series, card, config)
    assert "<svg" in cells["nps"] and "▼" in cells["nps"] and "2026-Q2: 26.7" in cells["nps"]
    assert "<svg" not in trend_cells(None, card, config)["nps"]


def test_small_multiples_have_one_panel_per_kpi_with_its_target():
    from kit.report.plots.trends import plot_kpi_trends

    series = pd.DataFrame({"kpi": ["nps"] * 3 + ["csat"] * 3, "period": ["a", "b", "c"] * 2,
                           "value": [30.0, 26.7, 9.9, 0.7, 0.71, 0.63], "ci_low": [20, 18, 1.7, 0.6, 0.6, 0.5],
                           "ci_high": [40, 35, 18, 0.8, 0.8, 0.7]})
    ax = plot_kpi_trends(series, targets={"csat": 0.8}, ncols=2)
    panels = [a for a in ax.figure.axes if a.get_visible()]
    assert len(panels) == 2
    csat = panels[1]
    assert csat.lines[0].get_ydata().tolist() == pytest.approx([70.0, 71.0, 63.0])     # shares in percent
    assert csat.lines[1].get_ydata()[0] == pytest.approx(80.0)                          # the target line
    assert len(panels[0].lines) == 1                                                     # NPS has no target
