"""The sort of an orders frame is kept while the frame and its two key columns are unchanged (kit.metrics._orders)."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

import kit.metrics._orders as orders_module
from kit.metrics._orders import _sort_orders, sort_orders


def _orders(n: int = 200, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "customer_id": pd.array([f"K{i:03d}" for i in rng.integers(0, 40, n)], dtype="str"),
        "order_date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D"),
        "revenue": rng.gamma(2.0, 20.0, n)})


def _same(a, b) -> None:
    np.testing.assert_array_equal(a.codes, b.codes)
    np.testing.assert_array_equal(a.dates, b.dates)
    np.testing.assert_array_equal(a.rows, b.rows)
    assert list(a.ids) == list(b.ids)


def test_the_same_frame_is_sorted_once_and_equals_a_fresh_sort():
    o = _orders()
    first = sort_orders(o)
    assert sort_orders(o) is first
    _same(first, _sort_orders(o.copy()))   # an independent sort of a copy: the same result


@pytest.mark.parametrize("column, value", [("customer_id", "K999"), ("order_date", pd.Timestamp("2025-06-01"))])
def test_a_written_key_column_is_sorted_again(column, value):
    o = _orders()
    kept = sort_orders(o)
    o.loc[5, column] = value
    again = sort_orders(o)
    assert again is not kept
    _same(again, _sort_orders(o.copy()))
    # the kept sort was not changed by the write (copy-on-write copied the column first)
    _same(kept, _sort_orders(_orders()))


def test_other_columns_do_not_matter_and_a_new_frame_is_sorted_anew():
    o = _orders()
    kept = sort_orders(o)
    o["revenue"] = o["revenue"] * 2
    assert sort_orders(o) is kept
    assert sort_orders(o.copy()) is not kept


def test_the_kept_sort_is_read_only_and_leaves_with_its_frame():
    o = _orders()
    s = sort_orders(o)
    with pytest.raises(ValueError, match="read-only"):
        s.codes[0] = 7
    before = len(orders_module._KEPT)
    del o
    gc.collect()
    assert len(orders_module._KEPT) == before - 1


def test_nothing_is_kept_without_copy_on_write(monkeypatch):
    # pandas 2 without copy-on-write writes into the columns in place: a kept sort could be stale
    monkeypatch.setattr(orders_module, "_copy_on_write", lambda: False)
    o = _orders()
    assert sort_orders(o) is not sort_orders(o)
    _same(sort_orders(o), _sort_orders(o))


def test_the_lists_share_one_order_history_until_a_money_column_changes(monkeypatch):
    import kit.plan.lists as lists
    from kit.data.contract import LoyaltyData

    calls = []
    real = lists._history_of
    monkeypatch.setattr(lists, "_history_of", lambda *a: calls.append(1) or real(*a))
    o = _orders()
    o["refund_amount"] = 0.0
    data, cut = LoyaltyData(orders=o), pd.Timestamp("2026-03-01")
    first = lists._order_history(data, cut)
    first["scratch"] = 1   # a caller's change stays its own
    again = lists._order_history(data, cut)
    assert len(calls) == 1 and "scratch" not in again
    pd.testing.assert_frame_equal(again, real(o.copy(), cut))
    o.loc[0, "revenue"] = 1_000.0
    changed = lists._order_history(data, cut)
    assert len(calls) == 2
    pd.testing.assert_frame_equal(changed, real(o.copy(), cut))
    assert lists._order_history(data, pd.Timestamp("2026-02-01")) is not None and len(calls) == 3   # another cut
    assert [k for k in orders_module._KEPT if k[0] == id(o) and k[1] == "history"] == [(id(o), "history")]  # replaced
