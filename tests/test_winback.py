"""The workable win-back list (kit.plan.winback): unwinnable reasons out, recoverable value and recency, cap."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.plan.winback import workable_winback


def _lapsed() -> pd.DataFrame:
    return pd.DataFrame({
        "rank": [1, 2, 3, 4, 5],
        "customer_id": ["A", "B", "C", "D", "E"],
        "past_value": [300.0, 200.0, 100.0, 100.0, 50.0],
        "days_inactive": [540, 180, 0, 90, 0],
        "exit_category": ["price", "Moved", None, "no_need", None]})


def test_unwinnable_reasons_are_left_out_and_the_rest_ranked_by_recoverable_value():
    out = workable_winback(_lapsed(), as_of="2026-09-30", owner="Founders")
    # A: 300 × 0.5^3 = 37.5; B moved (out); C: 100 × 1 = 100; D no_need (out); E: 50 × 1 = 50
    assert out["customer_id"].tolist() == ["C", "E", "A"]
    assert out["recoverable_value"].tolist() == pytest.approx([100.0, 50.0, 37.5])
    assert out["rank"].tolist() == [1, 2, 3]
    assert set(out["owner"]) == {"Founders"} and str(out["due"].iloc[0]) == "2026-10-30"
    assert out.attrs["left_out"] == {"unwinnable": 2, "over_cap": 0}


def test_ties_go_to_the_more_recent_customer_and_the_cap_counts_who_is_left_out():
    tie = pd.DataFrame({"rank": [1, 2], "customer_id": ["X", "Y"], "past_value": [100.0, 50.0],
                        "days_inactive": [180, 0], "exit_category": [None, None]})
    out = workable_winback(tie, as_of="2026-09-30", cap=1)      # X: 100 × 0.5 = 50 = Y: 50 × 1 -> Y more recent
    assert out["customer_id"].tolist() == ["Y"] and out.attrs["left_out"]["over_cap"] == 1


def test_nothing_left_out_when_no_category_is_unwinnable_and_bad_settings_fail():
    out = workable_winback(_lapsed(), as_of="2026-09-30", unwinnable=())
    assert len(out) == 5
    with pytest.raises(ValueError, match="cap"):
        workable_winback(_lapsed(), as_of="2026-09-30", cap=0)
    with pytest.raises(ValueError, match="half_life_days"):
        workable_winback(_lapsed(), as_of="2026-09-30", half_life_days=0)


@pytest.mark.filterwarnings("ignore")
def test_on_the_sample_moved_and_no_need_exits_are_left_out(sample_config, sample_data):
    from kit.plan.lists import winback_list

    full = winback_list(sample_data, sample_config, as_of="2026-09-30")
    out = workable_winback(full, as_of="2026-09-30")
    unwinnable = full["exit_category"].fillna("").str.lower().isin(["moved", "no_need"]).sum()
    assert unwinnable > 0 and out.attrs["left_out"]["unwinnable"] == unwinnable
    assert len(out) == min(100, len(full) - unwinnable)
    assert not out["exit_category"].fillna("").str.lower().isin(["moved", "no_need"]).any()
    assert out["recoverable_value"].is_monotonic_decreasing
