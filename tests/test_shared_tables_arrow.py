"""The shared tables as Arrow IPC files, mapped into a kernel's memory (kit.report.pages._tables)."""

from __future__ import annotations

import gc
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit.data.contract import LoyaltyData
from kit.report.pages import _tables
from kit.report.pages._tables import TablesOnDisk, arrow_exact, write_tables


def _awkward_orders(n: int = 400) -> pd.DataFrame:
    """Everything a read table can hold in the dtypes that go to Arrow: missing values of each kind, empty and
    non-ASCII text, negative zero, big integers, dates in ns and us."""
    rng = np.random.default_rng(5)
    ids = [f"K-{i % 37:03d}" for i in range(n)]
    ids[3], ids[4], ids[5] = None, "", "Müller ß 東京"
    revenue = rng.normal(50, 20, n)
    revenue[[0, 7]] = np.nan
    revenue[8] = -0.0
    dates = pd.Series(pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"))
    dates[[2, 9]] = pd.NaT
    return pd.DataFrame({
        "order_id": pd.array([f"o{i}" for i in range(n)], dtype="str"),
        "customer_id": pd.array(ids, dtype="str"),
        "order_date": dates.astype("datetime64[ns]"),
        "shipped_at": dates.astype("datetime64[us]"),
        "revenue": revenue,
        "units": rng.integers(-2**62, 2**62, n),
        "returned": rng.random(n) < 0.2,
        "note": pd.array([None] * n, dtype="str"),
    })


def _load_back(frame: pd.DataFrame, tmp_path: Path) -> tuple[pd.DataFrame, Path]:
    files = write_tables(LoyaltyData(orders=frame), tmp_path / "ctx")
    return TablesOnDisk(LoyaltyData(), files).orders, Path(files["orders"])


def test_a_table_comes_back_exactly_and_mapped_from_an_arrow_file(tmp_path):
    orders = _awkward_orders()
    back, path = _load_back(orders, tmp_path)
    assert path.read_bytes()[:6] == b"ARROW1" and path.stat().st_mode & 0o777 == 0o600
    pd.testing.assert_frame_equal(back, orders, check_exact=True)
    assert list(back.dtypes) == list(orders.dtypes)
    assert np.signbit(back["revenue"].iloc[8])                    # -0.0 stays -0.0
    assert _mapped(path)                                          # the file's memory, not a copy of it


def _mapped(path: Path) -> bool:
    """Whether this process maps ``path`` (Linux: /proc/self/maps lists every mapped file)."""
    maps = Path("/proc/self/maps")
    if not maps.exists():
        pytest.skip("no /proc/self/maps here")
    return str(path.resolve()) in maps.read_text()


def test_an_empty_table_comes_back_with_its_columns_and_dtypes(tmp_path):
    orders = _awkward_orders().iloc[:0].reset_index(drop=True)
    back, path = _load_back(orders, tmp_path)
    assert path.read_bytes()[:6] == b"ARROW1"
    pd.testing.assert_frame_equal(back, orders, check_exact=True)


@pytest.mark.parametrize("writes", [
    lambda f: f.loc.__setitem__((0, "revenue"), 1.5),
    lambda f: f.iloc.__setitem__((1, 5), 7),
    lambda f: f.at.__setitem__((2, "returned"), True),
    lambda f: f.loc.__setitem__((f["revenue"] > 50, "revenue"), 0.0),
    lambda f: f.loc.__setitem__((0, "order_date"), pd.Timestamp("2020-02-02")),
    lambda f: f.fillna({"revenue": 0.0}, inplace=True),
    lambda f: f.update(pd.DataFrame({"units": [1, 2]})),
])
def test_a_mapped_table_can_be_written_to_and_the_file_is_not(tmp_path, writes):
    """The kernel's frame takes the write (the column is copied first); the file, and so every other kernel's
    table, keeps the values as read."""
    orders = _awkward_orders()
    back, path = _load_back(orders, tmp_path)
    writes(back)
    expected = orders.copy()
    writes(expected)                                              # the same write on an ordinary frame
    pd.testing.assert_frame_equal(back, expected, check_exact=True)
    again = TablesOnDisk(LoyaltyData(), {"orders": str(path)}).orders
    pd.testing.assert_frame_equal(again, orders, check_exact=True)


def test_the_guard_leaves_with_its_frame(tmp_path):
    back, _ = _load_back(_awkward_orders(), tmp_path)
    key = id(back)
    assert key in _tables._SHADOWS
    del back
    gc.collect()
    assert key not in _tables._SHADOWS


def test_a_mapped_table_stays_readable_after_the_run_removed_its_file(tmp_path):
    orders = _awkward_orders()
    back, path = _load_back(orders, tmp_path)
    path.unlink()
    pd.testing.assert_frame_equal(back, orders, check_exact=True)


@pytest.mark.parametrize("odd", [
    pd.DataFrame({"customer_id": ["a", "b"]}, index=[10, 11]),                   # a labelled row index
    pd.DataFrame({"segment": pd.Categorical(["x", "y"])}),                       # categorical
    pd.DataFrame({"mixed": pd.Series([1, "a"], dtype=object)}),                  # object
    pd.DataFrame({"n": pd.array([1, None], dtype="Int64")}),                     # nullable integer
    pd.DataFrame({"at": pd.to_datetime(["2024-01-01", None]).tz_localize("Europe/Berlin")}),   # time zone
    pd.DataFrame([[1.0, 2.0]], columns=["a", "a"]),                              # duplicate labels
    pd.DataFrame({1: [1.0]}),                                                    # a label that is no text
    pd.DataFrame(index=range(5)),                                                # rows without columns
    pd.DataFrame({"x": [1.0]}, columns=pd.Index(["x"], dtype=object)),           # labels of object dtype
])
def test_what_arrow_would_change_stays_a_pickle_and_comes_back_exactly(tmp_path, odd):
    assert not arrow_exact(odd)
    back, path = _load_back(odd, tmp_path)
    assert path.read_bytes()[:6] != b"ARROW1"
    pd.testing.assert_frame_equal(back, odd, check_exact=True)
    with path.open("rb") as f:
        pd.testing.assert_frame_equal(pickle.load(f), odd)


def test_attrs_keep_a_table_a_pickle(tmp_path):
    frame = _awkward_orders(12)
    frame.attrs["source"] = "orders.csv"
    assert not arrow_exact(frame)
    back, _ = _load_back(frame, tmp_path)
    assert back.attrs == {"source": "orders.csv"}


def test_where_a_mapping_could_not_be_written_to_safely_every_table_is_a_pickle(tmp_path, monkeypatch):
    """Before pandas 3 (no copy-on-write, text back as object) and off POSIX (a mapped file cannot be deleted)."""
    monkeypatch.setattr(_tables, "_MAPPING_SAFE", False)
    orders = _awkward_orders()
    assert not arrow_exact(orders)
    back, path = _load_back(orders, tmp_path)
    assert path.read_bytes()[:6] != b"ARROW1"
    pd.testing.assert_frame_equal(back, orders, check_exact=True)
