"""Which survey score the drivers and the comment contrast explain, and its low / high groups
(kit/metrics/outcomes.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.data.config import Thresholds
from kit.metrics.outcomes import group_rules, score_groups, survey_outcome


def test_outcome_is_the_configured_one_else_the_first_with_answers():
    s = pd.DataFrame({"nps": [None, None], "csat": [4, 5], "rating": [5, 3], "ces": [6, 2]})
    assert survey_outcome(s) == "csat"            # nps has no answer: skipped
    assert survey_outcome(s, "rating") == "rating"
    assert survey_outcome(s.drop(columns=["csat"])) == "rating"
    assert survey_outcome(s[["ces"]]) == "ces"
    assert survey_outcome(pd.DataFrame({"comment": ["x"]})) is None
    assert survey_outcome(None) is None


@pytest.mark.parametrize(("outcome", "scores", "expected"), [
    # NPS: 0-6 detractor, 7-8 passive, 9-10 promoter (kit.definitions)
    ("nps", [0, 6, 7, 8, 9, 10], ["detractor"] * 2 + ["passive"] * 2 + ["promoter"] * 2),
    # CSAT 1-5: 1-2 low, 3-4 middle, 5 high
    ("csat", [1, 2, 3, 4, 5], ["low", "low", "middle", "middle", "high"]),
    # stars: <= star_at_risk_max (3) low, 4 middle, 5 high
    ("rating", [1, 3, 4, 5], ["low", "low", "middle", "high"]),
    # CES 1-7, 7 = easy, low effort from 5: 1-4 low, 5-6 middle, 7 high
    ("ces", [1, 4, 5, 6, 7], ["low", "low", "middle", "middle", "high"]),
])
def test_score_groups_by_hand(outcome, scores, expected):
    groups = score_groups(pd.Series(scores, index=[f"r{i}" for i in range(len(scores))]), outcome)
    assert groups.tolist() == expected
    assert groups.index.tolist() == [f"r{i}" for i in range(len(scores))]


def test_score_groups_follow_the_thresholds():
    # stars at risk up to 2: a 3 is middle; CES where 1 = easy, low effort up to 3 on 1-7: 4-7 low, 2-3 middle, 1 high
    th = Thresholds(star_at_risk_max=2, ces_higher_is_better=False, ces_low_effort=3)
    assert score_groups(pd.Series([2, 3, 5]), "rating", th).tolist() == ["low", "middle", "high"]
    assert score_groups(pd.Series([7, 4, 3, 2, 1]), "ces", th).tolist() == ["low", "low", "middle", "middle", "high"]
    assert group_rules("ces", th) == ("4-7", "1") and group_rules("rating", th) == ("1-2", "5")
    assert score_groups(pd.Series([None, 9.0]), "nps").isna().tolist() == [True, False]
    with pytest.raises(ValueError, match="unknown outcome 'stars'; valid: nps, csat, rating, ces"):
        score_groups(pd.Series([1]), "stars")
