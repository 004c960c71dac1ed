"""Validation of the tidy tables against the data contract (pandera schemas plus cross-checks).

Each check gives one row of the quality report (:func:`kit.data.contract.quality_row`: ``table,
check, severity, count, example`` in English, and the keys and parameters that render it in
German), passed checks included (severity ``info``, count 0), so step 2 of the report can
show what was checked. Failed error checks also become
:class:`~kit.errors.DataError` s naming the file, the user's column, the rows (header =
row 1, first data row = row 2) and the values.

This module checks one table (:func:`check_table`); the column rules and the pandera schema
live in :mod:`kit.data._schema_rules`, the checks across tables in :mod:`kit.data._schema_relations`.
:func:`table_schema` and :func:`check_relations` are re-exported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from kit.data._parquet_folder import in_part, row_labels
from kit.data._schema_relations import check_relations
from kit.data._schema_rules import _row, _rules, table_schema
from kit.data._table_read import _n
from kit.data.contract import SURVEY_SCORES, TABLES, quality_row
from kit.errors import DataError

if TYPE_CHECKING:
    from kit.data.config import Thresholds

__all__ = ["check_table", "check_relations", "table_schema", "EARLIEST_PLAUSIBLE"]

EARLIEST_PLAUSIBLE = pd.Timestamp("1990-01-01")
"""Dates before this are reported as implausible (warning)."""

_MAY_LIE_AHEAD = frozenset({"end_date"})   # a contract's scheduled end: after the export date by its nature


#: Tables whose identical rows are separate events when the export has none of these ids (several referrals by
#: one referrer on one day; anonymous survey answers with the same date and scores): counted, not dropped.
_COUNTED_WITHOUT_ID: dict[str, tuple[str, ...]] = {"referrals": ("referred_id",),
                                                   "surveys": ("response_id", "customer_id")}


class _Where:
    def __init__(self, file: str, first_row: int, user_names: dict[str, str],
                 parts: list[tuple[str, int]] | None = None) -> None:
        self.file, self.first_row, self.user_names, self.parts = file, first_row, user_names, parts

    def label(self, col: str) -> str:
        return self.user_names.get(col, col)

    def mapped(self, col: str) -> str:
        user = self.user_names.get(col)
        return f" (mapped to {col})" if user and user != col else ""

    def rows(self, index: pd.Index | np.ndarray) -> list[int]:
        return [int(i) + self.first_row for i in sorted(index)[:5]]

    def row_text(self, index: pd.Index | np.ndarray) -> str:
        """The first rows for a warning: numbers, or ``"5 in part-1.parquet"`` for a folder of Parquet files."""
        return ", ".join(row_labels(self.rows(index), self.parts, self.first_row))


def _strictly_increasing(values: pd.Series) -> bool:
    """True when every value is present and greater than the one before (so none repeats): the order ids of an
    export sorted by them, compared byte by byte in one pass instead of hashing 10M texts."""
    if len(values) < 2 or not isinstance(values.dtype, pd.StringDtype) or values.dtype.storage != "pyarrow":
        return False
    import pyarrow as pa
    import pyarrow.compute as pc

    chunked = pa.chunked_array(values.array.__arrow_array__())
    if chunked.null_count:
        return False
    chunks = [chunk for chunk in chunked.chunks if len(chunk)]   # chunk by chunk: no copy of the whole column
    if not all(pc.all(pc.greater(chunk[1:], chunk[:-1])).as_py() is not False for chunk in chunks):
        return False
    return all(pc.greater(after[0], before[-1]).as_py() for before, after in zip(chunks, chunks[1:], strict=False))


def _repeated(values: pd.Series) -> np.ndarray:
    """True for every row whose value occurs more than once (one hash pass; fast on 10M rows)."""
    if _strictly_increasing(values):
        return np.zeros(len(values), dtype=bool)
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0]) if (codes >= 0).any() else np.zeros(0, dtype="int64")
    return np.where(codes >= 0, counts[np.maximum(codes, 0)] > 1 if len(counts) else False, False)


def _copies(frame: pd.DataFrame) -> np.ndarray:
    """``frame.duplicated(keep="first")``, narrowed column by column: numbers, dates and flags first, text last.

    Each column is factorised (as ``duplicated`` does) only on the rows still alike in the columns before it, so
    the text of a table whose rows differ in their dates and scores is hashed for the few rows left, not for all.

    Examples
    --------
    >>> t = pd.DataFrame({"id": ["a", "b", "a", "a"], "score": [1.0, 1.0, 1.0, None], "day": [1, 1, 1, 1]})
    >>> _copies(t).tolist(), t.duplicated(keep="first").tolist()
    ([False, False, True, False], [False, False, True, False])
    """
    text = [c for c in range(frame.shape[1]) if pd.api.types.is_object_dtype(frame.dtypes.iloc[c])
            or isinstance(frame.dtypes.iloc[c], pd.StringDtype)]
    rows = np.arange(len(frame))
    group, groups = np.zeros(len(frame), dtype="int64"), 1   # the rows' combination so far, below ``groups``
    for c in [c for c in range(frame.shape[1]) if c not in text] + text:
        values = frame.iloc[:, c]
        codes, uniques = pd.factorize(values if len(rows) == len(frame) else values.take(rows))
        group, groups = group * (len(uniques) + 1) + codes + 1, groups * (len(uniques) + 1)  # missing (-1) alike
        if groups <= 4 * len(rows):   # few enough combinations to count directly
            alike = np.bincount(group, minlength=groups)[group] > 1
            rows, group = rows[alike], group[alike]
        else:   # hash them, then number the ones left
            alike = pd.Series(group).duplicated(keep=False).to_numpy()
            group, uniques = pd.factorize(group[alike])
            rows, groups = rows[alike], len(uniques)
        if not len(rows):
            break
    copies = np.zeros(len(frame), dtype=bool)
    _, first = np.unique(group, return_index=True)
    copies[rows] = True
    copies[rows[first]] = False
    return copies


def _exact_duplicates(frame: pd.DataFrame, candidates: np.ndarray | None) -> pd.Series:
    """Rows equal to an earlier row in every column (the first copy is not marked).

    ``candidates`` marks the rows whose key repeats: only those can be copies, so the
    full-row comparison runs on those few rows instead of the whole table.
    """
    if candidates is None:
        return pd.Series(_copies(frame), index=frame.index)
    marked = pd.Series(False, index=frame.index)
    if candidates.any():
        marked[candidates] = frame[candidates].duplicated(keep="first").to_numpy()
    return marked


def _failures(frame: pd.DataFrame, name: str, columns: list[str], ces_scale: tuple[int, int]) -> pd.DataFrame:
    """pandera's failure cases of the column rules, for the ``columns`` that have rules.

    Only those columns go to pandera, and it checks them in place: the rows of the report are the same, but
    pandera copies what it validates, which for a 10M-row table with text columns took longer than the checks
    (2 s of the read's 17 s)."""
    if columns:
        try:
            table_schema(name, columns, ces_scale=ces_scale, unique=False).validate(frame[columns], lazy=True,
                                                                                    inplace=True)
        except pa.errors.SchemaErrors as exc:
            return exc.failure_cases
    return pd.DataFrame(columns=["column", "check", "check_number", "failure_case", "index"])


def _blank_required(frame: pd.DataFrame, name: str, where: _Where) -> list[dict[str, Any]]:
    """Rows with a blank required column (the key has its own error check): one warning row per column.

    A guest order (no customer_id) is kept for the order-level KPIs; any other row without a
    required value is left out wherever that value is needed (a survey answer without a date
    belongs to no period)."""
    spec = TABLES[name]
    out = []
    for col in spec.required:
        if col == spec.key or col not in frame:
            continue
        empty = frame[col].isna().to_numpy()
        example = "ex_blank_guest" if (name, col) == ("orders", "customer_id") else "ex_blank_left_out"
        out.append(_row(name, "blank_required", "warning", int(empty.sum()), example_key=example,
                        params={"column": col, "label": where.label(col), "n": int(empty.sum()),
                                "rows": where.row_text(frame.index[empty])}))
    return out


def check_table(frame: pd.DataFrame, name: str, *, file: str, first_row: int = 2,
                user_names: dict[str, str] | None = None,
                thresholds: Thresholds | None = None, latest_plausible: pd.Timestamp | None = None,
                latest_basis: str = "", parts: list[tuple[str, int]] | None = None,
                ) -> tuple[list[dict[str, Any]], list[DataError], pd.DataFrame]:
    """Check one converted table against the data contract.

    Parameters
    ----------
    frame : DataFrame
        A table as returned by :func:`kit.data.io.read_table` (canonical names, converted types,
        index = 0-based data row of the file).
    name : str
        Table of the data contract.
    file : str
        File name for messages.
    first_row : int
        Row number of the first data row in the file (2 when the header is row 1).
    user_names : dict, optional
        Contract column -> the user's column name (messages use the user's names).
    thresholds : Thresholds, optional
        ``config.thresholds`` (for the CES scale); defaults to a 1-7 scale.
    latest_plausible : Timestamp, optional
        Dates after this (the export date plus ``data.future_days``) are an error: one order dated
        31.12.2200 would otherwise make 2200-Q4 the latest period and every customer lapsed.
    latest_basis : str
        Where ``latest_plausible`` comes from, for the message (e.g. ``"31 days after the file's date
        2026-10-02"``).
    parts : list of (str, int), optional
        A folder of Parquet files: its parts and their rows (:func:`kit.data._parquet_folder.read_parquet_folder`).
        Errors are then pointed at the part that holds their rows, and warnings name rows inside their parts.

    Returns
    -------
    rows : list of dict
        Quality-report rows, one per check run.
    errors : list of DataError
        One per failed error check, in check order.
    frame : DataFrame
        The table with exact duplicate rows removed (first kept; reported as a warning).

    Examples
    --------
    >>> t = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-02"]), "nps": [11.0]})
    >>> rows, errors, _ = check_table(t, "surveys", file="s.csv")
    >>> str(errors[0]).split(". ")[0]
    "s.csv, column 'nps': 1 value outside 0-10 (row 2: 11.0)"
    """
    where = _Where(file, first_row, user_names or {}, parts)
    ces_scale = thresholds.ces_scale if thresholds is not None else (1, 7)
    rows: list[dict[str, Any]] = []
    errors: list[DataError] = []

    def fail(check_key: str, params: dict[str, Any], exc: DataError, count: int) -> None:
        exc = in_part(exc, parts, first_row, file.rstrip("/"))
        errors.append(exc)
        rows.append(_row(name, check_key, "error", count, params=params, example=str(exc)))

    def passed(check_key: str, params: dict[str, Any] | None = None) -> None:
        rows.append(_row(name, check_key, "error", 0, params=params))

    if len(frame) == 0:
        fail("not_empty", {}, DataError("the table has no data rows", file=file, expected="at least one data row",
                                        fix="export the table again with its rows"), 1)
        return rows, errors, frame
    passed("not_empty")
    key = TABLES[name].key
    key_repeats = _repeated(frame[key]) if key and key in frame else None
    dupes = _exact_duplicates(frame, key_repeats)
    if name in _COUNTED_WITHOUT_ID:  # rows alike only because the export lacks an id: each is a referral / answer
        ids = _COUNTED_WITHOUT_ID[name]
        no_id = pd.Series(True, index=frame.index)
        for col in ids:
            if col in frame:
                no_id &= frame[col].isna()
        alike = (dupes & no_id).to_numpy()
        rows.append(_row(name, "identical_counted", "warning", int(alike.sum()), example_key="ex_identical_counted",
                         params={"rows": where.row_text(frame.index[alike]),
                                 "ids": " or ".join(ids), "what": {"key": f"what_{name}"}}))
        dupes = dupes & ~no_id
    n_dupes = int(dupes.sum())
    rows.append(_row(name, "exact_duplicates", "warning", n_dupes, example_key="ex_rows",
                     params={"rows": where.row_text(frame.index[dupes.to_numpy()])}))
    if n_dupes:
        kept = ~dupes.to_numpy()
        frame = frame[kept]
        if key_repeats is not None:  # a key may stop repeating once its copies are gone
            key_repeats = key_repeats[kept]
            if key_repeats.any():
                key_repeats[key_repeats] = _repeated(frame.loc[key_repeats, key])
    columns = list(frame.columns)
    if name == "surveys":
        scores = [c for c in columns if c in SURVEY_SCORES or c.startswith("driver_")]
        if not scores:
            fail("at_least_one_score", {}, DataError(
                "no score column", file=file, expected="at least one of nps, csat, ces, rating or driver_*",
                fix="map a score column under data.tables.surveys.columns"), 1)
        else:
            passed("at_least_one_score")
    rules = _rules(name, columns, frame, ces_scale)
    failures = _failures(frame, name, [col for col, col_rules in rules.items() if col_rules], ces_scale)
    for col, col_rules in rules.items():
        failed = False
        for number, rule in enumerate(col_rules):
            hit = failures[(failures["column"] == col) & (failures["check_number"] == number)]
            hit = hit[hit["index"].notna()]
            if len(hit):
                order = np.argsort(hit["index"].to_numpy(dtype="int64"), kind="stable")
                hit = hit.iloc[order]
                exc = DataError(f"{_n(len(hit), 'value', 'values')} {rule.problem}{where.mapped(col)}", file=file,
                                column=where.label(col), rows=where.rows(hit["index"].astype("int64")),
                                values=hit["failure_case"].head(5).tolist(), expected=rule.expected, fix=rule.fix)
                fail(rule.key, rule.params, exc, len(hit))
                failed = True
            else:
                passed(rule.key, rule.params)
        if col.startswith("driver_") and not failed:
            values = frame[col].dropna()
            scale = "1-5" if len(values) and values.between(1, 5).all() else "0-10"
            rows.append(quality_row(name, "driver_scale", "info", 0, params={"column": col, "scale": scale},
                                    example_key="ex_driver_scale"))
    if key and key in columns:
        repeated = pd.Series(key_repeats, index=frame.index) & frame[key].notna()
        if repeated.any():
            values = frame.loc[repeated.to_numpy(), key]
            exc = DataError(f"{_n(int(values.nunique()), 'id occurs', 'ids occur')} more than once "
                            f"({int(repeated.sum())} rows)"
                            f"{where.mapped(key)}", file=file, column=where.label(key),
                            rows=where.rows(values.index), values=values.head(5).tolist(),
                            expected=f"each {key} once", fix="remove the repeated rows or export a unique id")
            fail("unique", {"column": key}, exc, int(repeated.sum()))
        else:
            passed("unique", {"column": key})
    missing_key = [c for c in TABLES[name].required if c in columns and TABLES[name].key == c]
    for col in missing_key:
        empty = frame[col].isna()
        if empty.any():
            fail("filled", {"column": col}, DataError(f"{int(empty.sum())} rows have no {col}", file=file,
                                                      column=where.label(col),
                                                      rows=where.rows(frame.index[empty.to_numpy()]),
                                                      expected=f"a {col} in every row",
                                                      fix="fill or remove those rows"),
                 int(empty.sum()))
        else:
            passed("filled", {"column": col})
    if name == "orders" and {"refund_amount", "revenue"} <= set(columns):
        over = (frame["refund_amount"] > frame["revenue"] + 1e-9).to_numpy()
        if over.any():
            sub = frame.loc[over]
            exc = DataError(f"{_n(int(over.sum()), 'refund exceeds', 'refunds exceed')} the order's revenue"
                            f"{where.mapped('refund_amount')}",
                            file=file, column=where.label("refund_amount"), rows=where.rows(sub.index),
                            values=[f"{r} > {v}" for r, v in zip(sub["refund_amount"].head(5),
                                                                 sub["revenue"].head(5), strict=False)],
                            expected="refund_amount between 0 and revenue",
                            fix="check that both columns hold gross amounts in the same currency")
            fail("refund_within_revenue", {}, exc, int(over.sum()))
        else:
            passed("refund_within_revenue")
    def in_order(later: str, earlier: str, check_key: str, params: dict[str, Any], noun: tuple[str, str],
                 expected: str, fix: str, show: str = "") -> None:
        """Check that ``later`` is not before ``earlier`` in every row that has both."""
        early = (frame[later] < frame[earlier]).to_numpy()
        if not early.any():
            passed(check_key, params)
            return
        sub = frame.loc[early]
        exc = DataError(f"{_n(int(early.sum()), *noun)} {later} before {earlier}{where.mapped(later)}",
                        file=file, column=where.label(later), rows=where.rows(sub.index),
                        values=[f"{a:{show}} < {b:{show}}" for a, b in zip(sub[later].head(5), sub[earlier].head(5),
                                                                           strict=False)],
                        expected=expected, fix=fix)
        fail(check_key, params, exc, int(early.sum()))

    tickets, subscriptions = ("ticket has", "tickets have"), ("subscription has", "subscriptions have")
    if name == "tickets" and "opened_at" in columns:
        for col in ("first_response_at", "resolved_at"):
            if col in columns:
                in_order(col, "opened_at", "not_before_opened", {"column": col}, tickets,
                         f"{col} at or after opened_at", "check the time zones of both columns or correct the rows")
    if name == "subscriptions" and "start_date" in columns:
        for col in ("end_date", "cancelled_at"):
            if col in columns:
                in_order(col, "start_date", "not_before_start", {"column": col}, subscriptions,
                         f"{col} on or after start_date",
                         "check that both columns are mapped to the right dates or correct the rows", "%Y-%m-%d")
    if name == "tickets" and {"first_response_at", "resolved_at"} <= set(columns):
        in_order("resolved_at", "first_response_at", "resolved_after_response", {}, tickets,
                 "resolved_at at or after first_response_at",
                 "check whether the two columns are swapped or in different time zones, "
                 "or correct the rows (an empty cell where a time is not known)")
    rows.extend(_blank_required(frame, name, where))
    for col in TABLES[name].dates:
        if col in columns:
            early = (frame[col] < EARLIEST_PLAUSIBLE).to_numpy()
            rows.append(_row(name, "not_before_year", "warning", int(early.sum()),
                             params={"column": col, "year": EARLIEST_PLAUSIBLE.year},
                             example=", ".join(str(v) for v in frame.loc[early, col].head(3))))
            if latest_plausible is not None and col not in _MAY_LIE_AHEAD:
                late = (frame[col] > latest_plausible).to_numpy()
                params = {"column": col, "date": f"{latest_plausible:%Y-%m-%d}"}
                if late.any():
                    sub = frame.loc[late, col]
                    exc = DataError(f"{_n(int(late.sum()), 'date lies', 'dates lie')} after {latest_plausible:%Y-%m-%d}"
                                    f" ({latest_basis or 'the export date'}){where.mapped(col)}", file=file,
                                    column=where.label(col), rows=where.rows(sub.index),
                                    values=[f"{v:%Y-%m-%d}" for v in sub.head(5)],
                                    expected="dates up to the export date, since a single date in the future "
                                             "would make its period the latest one",
                                    fix="correct those rows, or set data.as_of (the export date) or data.future_days "
                                        "in analysis.yaml")
                    fail("not_after_export", params, exc, int(late.sum()))
                else:
                    passed("not_after_export", params)
    return rows, errors, frame
