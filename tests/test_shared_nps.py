"""NPS on real verbatims (UK telecom, R package textSummary): published figures in SOURCE.md."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.metrics.survey import nps, nps_by_segment


@pytest.fixture(scope="module")
def verbatims(shared_datasets) -> pd.DataFrame:
    return pd.read_csv(shared_datasets / "bt-nps-verbatims" / "nps_verbatims.csv")


def test_overall_nps_matches_source(verbatims):
    # SOURCE.md: 2,353 scored rows, promoters 690 (29.3 %), detractors 1,271 (54.0 %) -> NPS -24.7
    r = nps(verbatims["NPS_SCORE"])
    assert r.n == 2353
    assert r.extras["n_promoters"] == 690 and r.extras["n_detractors"] == 1271
    assert r.value == pytest.approx(100 * (690 - 1271) / 2353)   # -24.69
    assert round(r.value, 1) == -24.7
    # Var = [p + d - (p - d)^2] / n = (0.29324 + 0.54016 - 0.24692^2) / 2353 = 0.77243 / 2353 -> se 1.812 points;
    # with n this large the adjusted interval is within 0.1 point of +-1.96 x 1.812 = +-3.55
    assert r.ci_low < r.value < r.ci_high
    assert r.ci_high - r.ci_low == pytest.approx(2 * 1.96 * 1.812, abs=0.2)


def test_categories_agree_with_the_0_6_7_8_9_10_rule(verbatims):
    scored = verbatims.dropna(subset=["NPS_SCORE"])
    promoters = (scored["NPS_RATING"] == "Promoter").sum()
    detractors = (scored["NPS_RATING"] == "Detractor").sum()
    r = nps(scored["NPS_SCORE"])
    assert (r.extras["n_promoters"], r.extras["n_detractors"]) == (promoters, detractors)


def test_nps_by_journey_stage_matches_source(verbatims):
    out = nps_by_segment(verbatims, by="SURVEY_SUB_TYPE", score="NPS_SCORE").set_index("SURVEY_SUB_TYPE")
    expected = {"Order": (-10.0, 962), "First Payment": (-29.3, 1130), "Equipment Received": (-56.7, 231),
                "Service in Use": (-76.7, 30)}
    for stage, (value, n) in expected.items():
        assert round(out.loc[stage, "nps"], 1) == value
        assert out.loc[stage, "n"] == n
    # the stages' answers add up to the overall n
    assert out["n"].sum() == 2353
