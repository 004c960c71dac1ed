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


# ---------------------------------------------------------------------------------------------
# winback.csv: the configuration's settings, the owner, and the private key of the pseudonyms


def _config(**winback):
    from kit.data.config import AnalysisConfig

    return AnalysisConfig.model_validate({
        "business": {"name": "S"}, "privacy": {"salt": "s"}, "winback": winback,
        "actions": [{"id": "call", "title": "Call", "owner": {"en": "Founders", "de": "Gründer"},
                     "addresses": {"segments": ["lapsed"]}}],
        "data": {"tables": {"orders": {"file": "/tmp/o.csv"}}}})


def _lapsed_data():
    from kit.data.contract import LoyaltyData

    # A, B, C lapsed (last orders 2025-01-01, 2025-06-01, 2025-12-01); D active; C moved abroad
    orders = pd.DataFrame({"order_id": ["1", "2", "3", "4"], "customer_id": ["A", "B", "C", "D"],
                           "order_date": pd.to_datetime(["2025-01-01", "2025-06-01", "2025-12-01", "2026-09-01"]),
                           "revenue": [1000.0, 100.0, 400.0, 50.0]})
    exits = pd.DataFrame({"customer_id": ["C"], "exit_date": pd.to_datetime(["2026-01-10"]),
                          "category": ["Moved"], "reason": ["moved abroad"]})
    return LoyaltyData(orders=orders, exits=exits)


def test_winback_calls_follow_the_configuration_and_name_the_owner():
    from kit.data.privacy import pseudonymise
    from kit.plan.winback import winback_calls

    out = winback_calls(_lapsed_data(), _config(cap=1, due_days=14), as_of="2026-09-30", lang="de")
    # C moved (unwinnable by default). Margin 0.3 (the default): A: 1000 × 0.3 × 0.5^(637/180) = 25.81;
    # B: 100 × 0.3 × 0.5^(486/180) = 4.61 -> A kept, B over the cap of 1
    assert out["customer_id"].tolist() == pseudonymise(pd.Series(["A"]), salt="s").tolist()
    assert out["recoverable_value"].tolist() == pytest.approx([300 * 0.5 ** (637 / 180)])
    assert out.attrs["left_out"] == {"unwinnable": 1, "over_cap": 1}
    assert out["owner"].tolist() == ["Gründer"] and str(out["due"].iloc[0]) == "2026-10-14"
    # nothing unwinnable configured: C (400 × 0.3 × 0.5^(303/180) = 37.3) comes first; an explicit owner wins
    out = winback_calls(_lapsed_data(), _config(unwinnable=[], owner="Sales"), as_of="2026-09-30")
    assert len(out) == 3 and out.attrs["left_out"] == {"unwinnable": 0, "over_cap": 0}
    assert out["customer_id"].iloc[0] == pseudonymise(pd.Series(["C"]), salt="s").iloc[0]
    assert set(out["owner"]) == {"Sales"}


def test_bad_winback_settings_are_config_errors():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="cap"):
        _config(cap=0)
    with pytest.raises(ValidationError, match="half_life_days"):
        _config(half_life_days=0)


def test_the_key_maps_each_pseudonym_of_the_list_to_its_customer(tmp_path):
    import os
    import stat

    from kit.plan.winback import winback_calls
    from kit.report.keyfile import key_path, winback_key, write_key

    data = _lapsed_data()
    out = winback_calls(data, _config(unwinnable=[]), as_of="2026-09-30")
    key = winback_key(out, data, _config())
    # the naive way: pseudonymise every id and look each pseudonym of the list up
    from kit.data.privacy import pseudonymise

    naive = {pseudonymise(pd.Series([c]), salt="s").iloc[0]: c for c in "ABCD"}
    assert key["pseudonym"].tolist() == out["customer_id"].tolist()
    assert key["customer_id"].tolist() == [naive[p] for p in out["customer_id"]]
    path = write_key(key, tmp_path / "reports", "2026-Q3_x")
    assert path == key_path(tmp_path / "reports", "2026-Q3_x")
    assert path == tmp_path / "reports" / ".private" / "2026-Q3_x" / "winback_key.csv"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert pd.read_csv(path).values.tolist() == key.values.tolist()
    # no key when the list holds real ids, or when the configuration asks for none
    assert winback_key(out, data, _config().model_copy(update={"privacy": _config().privacy.model_copy(
        update={"pseudonymise": False})})) is None
    assert winback_key(out, data, _config().model_copy(update={"privacy": _config().privacy.model_copy(
        update={"key_file": False})})) is None
