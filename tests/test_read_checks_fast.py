"""The fast paths of read_data's checks give what the plain pandas way gives (oracles: pandas' own duplicated,
a loop over the rows, str.contains)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kit.data._odd_input import strip_nul_bytes
from kit.data._schema_relations import check_relations
from kit.data.schema import _copies


@pytest.mark.parametrize("seed", range(40))
def test_copies_marks_what_duplicated_marks(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 300)), int(rng.integers(1, 30))
    frame = pd.DataFrame({
        "text": pd.Series(rng.integers(0, k, n).astype(str), dtype="str").where(rng.random(n) > 0.1),
        "score": np.where(rng.random(n) > 0.1, rng.integers(0, k, n).astype(float), np.nan),
        "count": rng.integers(0, 3, n), "flag": rng.random(n) > 0.5,
        "day": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, k, n), unit="D"),
        "mixed": pd.Series(rng.integers(0, k, n).astype(str), dtype=object)})
    frame = pd.concat([frame, frame.sample(frac=0.3, random_state=seed)]).sample(frac=1.0, random_state=seed + 1)
    np.testing.assert_array_equal(_copies(frame), frame.duplicated(keep="first").to_numpy())


def test_copies_of_an_empty_table_and_of_rows_that_all_differ():
    assert _copies(pd.DataFrame({"a": pd.Series([], dtype="str")})).tolist() == []
    assert not _copies(pd.DataFrame({"a": ["x", "y"], "b": [1, 1]})).any()


def _naive_relations(frames):
    """Unknown ids and exits before signup by plain loops over the rows."""
    known = {v for v in frames["customers"]["customer_id"] if not pd.isna(v)}
    unknown = {}
    for name, cols in (("orders", ("customer_id",)), ("exits", ("customer_id",)),
                       ("referrals", ("referrer_id", "referred_id"))):
        for col in cols:
            if name in frames:
                unknown[(name, col)] = sum(1 for v in frames[name][col] if not pd.isna(v) and v not in known)
    signup = {}
    for cid, day in zip(frames["customers"]["customer_id"], frames["customers"]["signup_date"], strict=True):
        signup.setdefault(cid, day)   # the first row of a customer, as drop_duplicates keeps it
    before = sum(1 for cid, day in zip(frames["exits"]["customer_id"], frames["exits"]["exit_date"], strict=True)
                 if not pd.isna(cid) and cid in signup and not pd.isna(signup[cid]) and day < signup[cid])
    return unknown, before


@pytest.mark.parametrize("seed", range(30))
def test_relations_count_what_a_loop_counts(seed):
    rng = np.random.default_rng(seed)
    dtype = ["str", object][seed % 2]
    ids = lambda n: pd.Series([None if rng.random() < 0.1 else f"K{rng.integers(0, 30)}" for _ in range(n)],  # noqa: E731
                              dtype=dtype)
    days = lambda n: pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D")  # noqa: E731
    nc, ne, no = (int(rng.integers(1, 40)) for _ in range(3))
    frames = {"customers": pd.DataFrame({"customer_id": ids(nc), "signup_date": days(nc)}),
              "exits": pd.DataFrame({"customer_id": ids(ne), "exit_date": days(ne)}),
              "orders": pd.DataFrame({"order_id": [str(i) for i in range(no)], "customer_id": ids(no),
                                      "order_date": days(no)})}
    if seed % 3 == 0:
        frames["referrals"] = pd.DataFrame({"referrer_id": ids(5), "referred_id": ids(5), "referred_at": days(5)})
    rows = {(r["table"], r["params"].get("column"), r["check_key"]): r["count"] for r in check_relations(frames)}
    unknown, before = _naive_relations(frames)
    for (name, col), count in unknown.items():
        assert rows[(name, col, "known_customer")] == count
    assert rows[("exits", None, "exit_after_signup")] == before


def test_a_nul_byte_in_arrow_text_is_still_found_and_stripped():
    # Parquet text is Arrow-backed: its bytes are searched first, and a zero byte sends it to the cell-by-cell step
    frame = pd.DataFrame({"id": pd.Series(["K1", "K2\x00\x00", None], dtype="str"),
                          "note": pd.Series(["a", "b", "c"], dtype="str")})
    out, count, rows = strip_nul_bytes(frame, first_row=2)
    assert out["id"].tolist()[:2] == ["K1", "K2"] and count == 1 and rows == [3]
    assert strip_nul_bytes(frame[["note"]], first_row=2)[1] == 0


def test_an_exit_without_a_customer_id_is_not_compared_with_a_customer_without_one():
    # both ids missing: nobody's exit and nobody's signup; before, the two were matched and the exit counted
    frames = {"customers": pd.DataFrame({"customer_id": pd.Series(["K1", None], dtype="str"),
                                         "signup_date": pd.to_datetime(["2024-01-01", "2024-03-01"])}),
              "exits": pd.DataFrame({"customer_id": pd.Series([None, "K1"], dtype="str"),
                                     "exit_date": pd.to_datetime(["2024-02-01", "2023-12-01"])})}
    row = next(r for r in check_relations(frames) if r["check_key"] == "exit_after_signup")
    assert row["count"] == 1 and row["example"].startswith("K1")
