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


# ids of one byte length up to 8 take the integer-key path of _sort_orders; every other id the general one
def _general(frame: pd.DataFrame, monkeypatch) -> orders_module.SortedOrders:
    with monkeypatch.context() as m:
        m.setattr(orders_module, "_short_id_keys", lambda ids: None)
        return _sort_orders(frame)


def _identical(a, b) -> None:
    for name in ("codes", "dates", "rows"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        np.testing.assert_array_equal(x, y)
    pd.testing.assert_index_equal(a.ids, b.ids, exact=True)


def _ids_frame(ids: list[str | None], seed: int, dtype: str = "str") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = len(ids)
    dates = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 30, n), unit="D")
    frame = pd.DataFrame({"customer_id": pd.Series(ids, dtype="str").astype(dtype), "order_date": dates})
    frame.loc[rng.random(n) < 0.05, "order_date"] = pd.NaT   # rows without a date are left out on both paths
    return frame


@pytest.mark.parametrize("width", [1, 2, 3, 7, 8])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_short_ids_sort_exactly_as_the_general_path(width, seed, monkeypatch):
    rng = np.random.default_rng(seed)
    alphabet = list("AZaz09-_ ~\x00\x7f")   # byte order differs from case-insensitive or numeric order
    pool = ["".join(alphabet[i] for i in rng.integers(0, len(alphabet), width)) for _ in range(60)]
    frame = _ids_frame([pool[i] for i in rng.integers(0, len(pool), 2_000)], seed)
    assert orders_module._short_id_keys(frame["customer_id"]) is not None   # the fast path is what is tested
    _identical(_sort_orders(frame), _general(frame, monkeypatch))


def test_multibyte_ids_of_one_byte_length_sort_as_python_sorts_them(monkeypatch):
    ids = ["Ä1", "Zz1", "ß1", "az1", "é1", "Ö1", "€", "日"]   # 3 bytes each in UTF-8
    frame = _ids_frame([ids[i] for i in np.random.default_rng(5).integers(0, len(ids), 500)], 5)
    assert orders_module._short_id_keys(frame["customer_id"]) is not None
    fast = _sort_orders(frame)
    _identical(fast, _general(frame, monkeypatch))
    assert list(fast.ids) == sorted(ids)


@pytest.mark.parametrize("ids", [
    ["K1", "K22", "K333"] * 10,            # lengths differ
    ["K000000001", "K000000002"] * 10,     # longer than 8 bytes
    ["", "", ""],                          # empty ids
])
def test_other_ids_take_the_general_path_and_give_the_same_result(ids, monkeypatch):
    frame = _ids_frame(ids, 7)
    if None not in ids:
        assert orders_module._short_id_keys(frame["customer_id"]) is None
    _identical(_sort_orders(frame), _general(frame, monkeypatch))


def test_a_missing_id_leaves_its_row_out_on_both_paths(monkeypatch):
    frame = _ids_frame(["K1", None, "K2"] * 10, 7)
    fast = _sort_orders(frame)
    _identical(fast, _general(frame, monkeypatch))
    assert 1 not in fast.rows and list(fast.ids) == ["K1", "K2"]


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string[python]"])
def test_other_text_dtypes_sort_as_the_general_path(dtype, monkeypatch):
    frame = _ids_frame([f"C{i % 37:03d}" for i in range(400)], 9, dtype=dtype)
    _identical(_sort_orders(frame), _general(frame, monkeypatch))


def test_arrow_string_with_int32_offsets_is_read_at_its_offsets(monkeypatch):
    import pyarrow as pa

    rng = np.random.default_rng(13)
    ids = pa.array([f"C{i:04d}" for i in rng.integers(0, 300, 2_000)], pa.string()).slice(100, 1_500)
    frame = pd.DataFrame({"customer_id": pd.Series(pd.arrays.ArrowExtensionArray(ids)),
                          "order_date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 9, 1_500), "D")})
    assert orders_module._short_id_keys(frame["customer_id"]) is not None
    _identical(_sort_orders(frame), _general(frame, monkeypatch))


def test_chunked_and_sliced_arrow_ids_are_read_at_their_offsets(monkeypatch):
    import pyarrow as pa

    rng = np.random.default_rng(11)
    ids = [f"C{i:05d}" for i in rng.integers(0, 500, 3_000)]
    chunked = pa.chunked_array([pa.array(ids[:1000], pa.large_string()), pa.array([], pa.large_string()),
                                pa.array(["X"] * 5 + ids[1000:], pa.large_string()).slice(5)])
    whole = pd.DataFrame({"customer_id": pd.array(chunked, dtype="str"),
                          "order_date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 9, 3_000), "D")})
    part = whole.iloc[500:2500].reset_index(drop=True)   # an Arrow slice: offsets start inside the buffers
    for frame in (whole, part):
        assert orders_module._short_id_keys(frame["customer_id"]) is not None
        _identical(_sort_orders(frame), _general(frame, monkeypatch))


def test_object_and_categorical_ids_take_the_general_path():
    for dtype in (object, "category"):
        frame = _ids_frame(["K1", "K2", "K1"], 3, dtype=dtype)
        assert orders_module._short_id_keys(frame["customer_id"]) is None
