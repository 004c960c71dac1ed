"""Parsing a date column: ISO, ``DD.MM.YYYY`` or the configured ``date_format``, never month-first.

Aware timestamps are converted to the business time zone and made naive. Ambiguous
day-month dates (``01/02/2024``), values that are not dates, days that do not exist
(``31.02.2024``) and placeholders outside the computable years raise a
:class:`~kit.errors.DataError` that says which format to set. Used by :mod:`kit.data.convert`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.data._table_read import TableRead, _n

__all__: list[str] = []

_ISO = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)? ?(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
_ISO_AWARE = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)? ?(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_GERMAN = r"^\d{1,2}\.\d{1,2}\.\d{4}(?:,? +\d{1,2}:\d{2}(?::\d{2})?)?$"
_SLASH = r"^\d{1,2}/\d{1,2}/\d{2,4}(?: .*)?$"


def _localise(parsed: pd.Series, timezone: str) -> pd.Series:
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_convert(timezone).dt.tz_localize(None)
    return parsed


def _slash_format(values: pd.Series, first: str, second: str) -> str:
    """The strptime format that reads the slash dates of ``values`` (``first``/``second`` are %d or %m):
    a two- or four-digit year as written, and the time of day when the values carry one."""
    parts = values.str.extract(r"^\d{1,2}/\d{1,2}/(\d{2,4})(?:[ T](\d{1,2}:\d{2})(:\d{2})?\s*([AaPp][Mm])?)?\s*$")
    year = "%y" if parts[0].dropna().str.len().eq(2).all() and parts[0].notna().any() else "%Y"
    fmt = f"{first}/{second}/{year}"
    if parts[1].notna().any():
        clock = "%I" if parts[3].notna().any() else "%H"
        fmt += f" {clock}:%M" + (":%S" if parts[2].notna().any() else "") + (" %p" if parts[3].notna().any() else "")
    return fmt


def _slash_hint(values: pd.Series) -> tuple[str, str]:
    parts = values.str.extract(r"^(\d{1,2})/(\d{1,2})/")
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    day_first, month_first = _slash_format(values, "%d", "%m"), _slash_format(values, "%m", "%d")
    if (first > 12).any() and not (second > 12).any():
        example = values[first > 12].iloc[0]
        return (f"the values suggest day first (DD/MM, e.g. {example!r}), but the kit does not guess",
                f"set date_format: '{day_first}' for this table in analysis.yaml")
    if (second > 12).any() and not (first > 12).any():
        example = values[second > 12].iloc[0]
        return (f"the values suggest month first (MM/DD, e.g. {example!r}), but the kit does not guess",
                f"set date_format: '{month_first}' for this table in analysis.yaml")
    return ("every value could be DD/MM/YYYY or MM/DD/YYYY",
            f"set date_format ('{day_first}' or '{month_first}') for this table in analysis.yaml")


def _to_datetime(values: pd.Series, fmt: str) -> pd.Series:
    """``pd.to_datetime`` with ``fmt``; repeated values (dates without time) are parsed once."""
    aware = fmt == "ISO8601-aware" or "%z" in fmt
    fmt = fmt.removesuffix("-aware")
    if len(values) > 20_000 and values.iloc[:5_000].nunique() < 2_500:
        codes, uniques = pd.factorize(values)
        parsed = pd.to_datetime(pd.Series(uniques), format=fmt, errors="coerce", utc=aware)
        return pd.Series(parsed.take(codes).to_numpy(), index=values.index)
    return pd.to_datetime(values, format=fmt, errors="coerce", utc=aware)


def _parse_dates(values: pd.Series, *, fmt: str | None, timezone: str, where: TableRead, column: str) -> pd.Series:
    """Parse one date column; raise DataError for ambiguous, unparsable or out-of-range values."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _localise(values, timezone).astype("datetime64[ns]")
    text = values.astype("str").str.strip()
    todo = (text.notna() & (text != "")).to_numpy(dtype=bool, copy=True)
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    far = np.zeros(len(text), dtype=bool)

    def attempt(mask: np.ndarray, fmt_: str, source: pd.Series | None = None) -> None:
        """Parse the rows of ``mask`` with ``fmt_``; rows that parse are done."""
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        subset = (text if source is None else source).iloc[positions]
        parsed = _localise(_to_datetime(subset, fmt_), timezone)
        ok = parsed.notna().to_numpy()
        stamps = parsed[ok]
        inside = ((stamps >= pd.Timestamp.min) & (stamps <= pd.Timestamp.max)).to_numpy()
        done = positions[ok]
        out[done[inside]] = stamps[inside].astype("datetime64[ns]").to_numpy()
        far[done[~inside]] = True
        todo[done] = False

    if fmt:
        for f in [fmt] if "%H" in fmt else [fmt, fmt + " %H:%M:%S", fmt + " %H:%M"]:
            attempt(todo, f)
    if todo.any():  # ISO is never ambiguous, so it is always accepted
        iso = todo & text.str.match(_ISO, na=False).to_numpy()
        if iso.any():
            aware = iso & text.str.contains(_ISO_AWARE, na=False, regex=True).to_numpy()
            attempt(aware, "ISO8601-aware")
            attempt(iso & ~aware, "ISO8601")
    if todo.any() and not fmt:
        german = todo & text.str.match(_GERMAN, na=False).to_numpy()
        if german.any():
            clean = text.str.replace(",", "", regex=False)
            for f in ("%d.%m.%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M"):
                attempt(todo & german, f, clean)
        slash = todo & text.str.match(_SLASH, na=False).to_numpy()
        if slash.any():
            problem, fix = _slash_hint(text[slash])
            n = int(slash.sum())
            raise where.invalid(
                column, slash, text,
                f"{_n(n, 'date like', 'dates like')} {text[slash].iloc[0]!r} {'is' if n == 1 else 'are'} "
                f"ambiguous: {problem}", expected="DD.MM.YYYY or ISO dates (YYYY-MM-DD)", fix=fix)
    if far.any():
        raise where.invalid(
            column, far, text,
            f"{_n(int(far.sum()), 'date lies', 'dates lie')} outside the years 1678-2261 that can be computed with",
            after=" (placeholders such as 31.12.9999 for 'no date'?)",
            expected="real dates, or empty cells where there is no date",
            fix="replace the placeholder dates by empty cells in the export")
    if todo.any():
        expected = f"dates like {fmt!r} or ISO" if fmt else "DD.MM.YYYY or ISO dates"
        # written like a date but no such day (31.02.2024): the value is wrong, not the format setting
        if _impossible_dates(text[todo]).all():
            raise where.invalid(
                column, todo, text,
                _n(int(todo.sum()), "value is not a calendar date", "values are not calendar dates"),
                after=" (written like a date, but that day does not exist)", expected="days that exist in the calendar",
                fix="correct the value in the export (or leave the cell empty)")
        raise where.invalid(column, todo, text, _n(int(todo.sum()), "value is not a date", "values are not dates"),
                            expected=expected, fix="correct the values in the export, or set date_format in "
                            "analysis.yaml if the dates are written another way")
    return pd.Series(out, index=text.index)


def _impossible_dates(text: pd.Series) -> np.ndarray:
    """Which values are written like a DD.MM.YYYY or ISO date but name a day that does not exist (31.02.2024)."""
    day_first = text.str.extract(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})")
    iso = text.str.extract(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
    parts = pd.DataFrame({"year": day_first[2].fillna(iso[0]), "month": day_first[1].fillna(iso[1]),
                          "day": day_first[0].fillna(iso[2])})
    shaped = parts.notna().all(axis=1).to_numpy()
    if not shaped.any():
        return shaped
    exists = pd.to_datetime(parts[shaped].astype("int64"), errors="coerce").notna().to_numpy()
    out = shaped.copy()
    out[shaped] = ~exists
    return out
