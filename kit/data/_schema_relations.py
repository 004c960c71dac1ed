"""Checks across the tidy tables: unknown customers, exits before signup, dates after the end of the data.

All of them are warnings in the quality report; re-exported by :mod:`kit.data.schema`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kit.data._schema_rules import _row
from kit.data.contract import TABLES, quality_row

__all__ = ["check_relations"]

_CUSTOMER_REFS = {"orders": ("customer_id",), "surveys": ("customer_id",), "tickets": ("customer_id",),
                  "exits": ("customer_id",), "contacts": ("customer_id",), "subscriptions": ("customer_id",),
                  "referrals": ("referrer_id", "referred_id")}


def _is_in(columns: list[pd.Series], known: pd.Series) -> list[np.ndarray]:
    """Vectorised membership test of every value of each of ``columns`` in ``known``, one mask per column.

    One pyarrow hash set of ``known`` serves all columns (their chunks are looked up as one chunked array):
    ~10x faster than ``isin`` on text, and building the set of 900k customer ids once instead of per column
    saves 0.2 s a column. Columns whose Arrow types differ are looked up one by one.

    Examples
    --------
    >>> known = pd.Series(["K1", "K2", "K2"])
    >>> [m.tolist() for m in _is_in([pd.Series(["K2", "K9"]), pd.Series(["K1"])], known)]
    [[True, False], [True]]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not columns:
        return []
    try:
        value_set = pa.array(known, from_pandas=True)
        arrays = [pa.array(values, from_pandas=True) for values in columns]
        chunks = [chunk for a in arrays for chunk in (a.chunks if isinstance(a, pa.ChunkedArray) else [a])]
        if len({chunk.type for chunk in chunks}) > 1:
            return [mask for values in columns for mask in _is_in([values], known)]
        found = pc.is_in(pa.chunked_array(chunks, type=arrays[0].type), value_set=value_set)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return [values.isin(known).to_numpy() for values in columns]
    masks = np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    return np.split(masks, np.cumsum([len(values) for values in columns])[:-1])


def check_relations(frames: dict[str, pd.DataFrame], *, files: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Cross-table checks (all warnings): unknown customers, exits before signup, dates after the data.

    Parameters
    ----------
    frames : dict
        Table name -> tidy table (the tables that passed :func:`check_table`).
    files : dict, optional
        Table name -> file name, for the examples.

    Returns
    -------
    list of dict
        Quality-report rows.

    Notes
    -----
    The end of the data is the latest ``order_date`` (or ``responded_at`` without
    orders). The first date column of every other table (signups, exits, survey
    answers, ticket openings, referrals, invitations) must not lie more than one day
    after it.

    Examples
    --------
    >>> c = pd.DataFrame({"customer_id": ["1"]})
    >>> e = pd.DataFrame({"customer_id": ["1", "9"], "exit_date": pd.to_datetime(["2024-01-01"] * 2)})
    >>> [r["count"] for r in check_relations({"customers": c, "exits": e}) if r["check"].startswith("customer_id")]
    [1]
    """
    files = files or {}
    rows: list[dict[str, Any]] = []
    customers = frames.get("customers")
    if customers is not None:
        refs = [(name, col, frames[name][col].dropna()) for name, cols in _CUSTOMER_REFS.items()
                for col in cols if name in frames and col in frames[name]]
        found = _is_in([ids for _, _, ids in refs], customers["customer_id"].dropna())  # one hash set, 15M ids
        for (name, col, ids), known in zip(refs, found, strict=True):
            unknown = ids[~known]
            rows.append(_row(name, "known_customer", "warning", len(unknown), example_key="ex_unknown_ids",
                             params={"column": col, "n": int(unknown.nunique()),
                                     "ids": ", ".join(map(repr, unknown.unique()[:3]))}))
        exits = frames.get("exits")
        if exits is not None and "signup_date" in customers:
            left = customers[_is_in([customers["customer_id"]], exits["customer_id"])[0]]  # 900k -> 70k customers
            left = left[left["customer_id"].notna()]   # an exit without an id is nobody's: no signup to compare
            signup = left.drop_duplicates("customer_id").set_index("customer_id")["signup_date"]
            signed = pd.Series(signup.reindex(exits["customer_id"]).to_numpy(), index=exits.index)
            before = exits["exit_date"] < signed
            sub = exits[before.fillna(False).to_numpy()]
            rows.append(_row("exits", "exit_after_signup", "warning", len(sub),
                             example=", ".join(f"{c}: {d:%Y-%m-%d}" for c, d in zip(
                                 sub["customer_id"].head(3), sub["exit_date"].head(3), strict=False))))
    anchor = next(((n, c) for n, c in (("orders", "order_date"), ("surveys", "responded_at"))
                   if n in frames and frames[n][c].notna().any()), None)
    if anchor is not None:
        end = frames[anchor[0]][anchor[1]].max()
        limit = end.normalize() + pd.Timedelta(days=2)  # end of the day after the last date
        for name, table in frames.items():
            if name == anchor[0]:
                continue
            col = TABLES[name].dates[0]
            if col not in table:
                continue
            late = table[col] >= limit
            n_late = int(late.sum())
            shown = ", ".join(str(v) for v in table.loc[late.to_numpy(), col].head(3))
            rows.append(quality_row(name, "not_after_end", "warning" if n_late else "info", n_late,
                                    params={"column": col, "end": f"{end:%Y-%m-%d}", "dates": shown},
                                    example_key="ex_data_end_late" if n_late else "ex_data_end"))
    return rows
