"""The texts of the data-quality checks, in English and German.

The quality report (``LoyaltyData.quality``, built while reading the data) stores each check's English
text together with its key and parameters; :func:`check_text` renders the same row in the report's
language for page 02 and ``loyalty-kit validate``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from kit.labels import Language

__all__ = ["CHECK_TEXTS", "check_text"]

#: The texts of the data-quality checks (``check`` and ``example`` of ``LoyaltyData.quality``): key -> (English,
#: German), rendered by :func:`check_text`. ``{name}`` is filled with the value as it is (column ids, file
#: names, dates, row numbers: names, not amounts), ``{name!r}`` with its repr. ``{name:count}`` (an amount)
#: and ``{name:reading}`` (a value as read from a file: the decimals it has and no thousands separator, so
#: that '1.234' read as 1234 cannot look like its input) go through :func:`kit.results.format_value`.
#: Keys starting with ``ex_`` are examples; the rest are check names or parts of an example.
CHECK_TEXTS: dict[str, tuple[str, str]] = {
    # reading and mapping (kit.data.io, kit.data.convert)
    "rows_read": ("rows read", "gelesene Zeilen"),
    "read_file": ("read file", "Datei lesen"),
    "column_types": ("column types", "Spaltentypen"),
    "repeated_header": ("column names unique in the header", "Spaltennamen im Kopf eindeutig"),
    "nul_bytes": ("no NUL bytes in cells (removed)", "keine NUL-Bytes in Zellen (entfernt)"),
    "mapped_columns": ("mapped columns are contract columns", "zugeordnete Spalten gehören zum Datenvertrag"),
    "ex_mapped_columns": ("{mappings}; kept as attributes", "{mappings}; als Attribute behalten"),
    "mapping": ("{user} -> {target!r}", "{user} -> {target!r}"),
    "mapping_close": ("{user} -> {target!r} (did you mean {close!r}?)", "{user} -> {target!r} (gemeint: {close!r}?)"),
    "decimal_mark": ("{column} decimal mark", "{column}: Dezimalzeichen"),
    "ex_decimal_mark": ("{label}: {text!r} read as {value:reading} ({mark} assumed from {basis}); "
                        "set csv.decimal if wrong",
                        "{label}: {text!r} als {value:reading} gelesen ({mark} angenommen wegen {basis}); "
                        "falls falsch, csv.decimal setzen"),
    "decimal_comma": ("decimal comma", "Dezimalkomma"),
    "decimal_point": ("decimal point", "Dezimalpunkt"),
    "basis_separator": ("the {sep!r} separator", "des Trennzeichens {sep!r}"),
    "basis_file_type": ("the file type", "des Dateityps"),
    # one table (kit.data.schema.check_table)
    "not_empty": ("not empty", "nicht leer"),
    "exact_duplicates": ("exact duplicate rows (dropped, first kept)",
                         "exakt doppelte Zeilen (entfernt, erste behalten)"),
    "ex_rows": ("rows {rows}", "Zeilen {rows}"),
    "at_least_one_score": ("at least one score", "mindestens eine Bewertungsspalte"),
    "range": ("{column} {low:count}-{high:count}", "{column} {low:count}-{high:count}"),
    "integer": ("{column} integer", "{column} ganzzahlig"),
    "non_negative": ("{column} >= 0", "{column} >= 0"),
    "positive": ("{column} > 0", "{column} > 0"),
    "driver_range": ("{column} 1-5 or 0-10", "{column} 1-5 oder 0-10"),
    "driver_scale": ("{column} scale", "{column}: Skala"),
    "ex_driver_scale": ("read as a {scale} scale", "als Skala {scale} gelesen"),
    "unique": ("{column} unique", "{column} eindeutig"),
    "filled": ("{column} filled", "{column} ausgefüllt"),
    "refund_within_revenue": ("refund_amount <= revenue", "refund_amount <= revenue"),
    "not_before_opened": ("{column} >= opened_at", "{column} >= opened_at"),
    "not_before_start": ("{column} >= start_date", "{column} >= start_date"),
    "not_before_year": ("{column} not before {year}", "{column} nicht vor {year}"),
    "not_after_export": ("{column} not after {date}", "{column} nicht nach {date}"),
    # across tables (kit.data.schema.check_relations)
    "known_customer": ("{column} known in customers", "{column} in Kunden vorhanden"),
    "ex_unknown_ids": ("{n:count} distinct ids, e.g. {ids}", "verschiedene IDs: {n:count}, z. B. {ids}"),
    "exit_after_signup": ("exit_date not before signup_date", "exit_date nicht vor signup_date"),
    "not_after_end": ("{column} not after the data's end + 1 day", "{column} nicht nach Datenende + 1 Tag"),
    "ex_data_end": ("end {end}", "Datenende {end}"),
    "ex_data_end_late": ("end {end}: {dates}", "Datenende {end}: {dates}"),
}


class _CheckFormatter(string.Formatter):
    """``str.format`` whose ``count`` and ``reading`` format specs format through ``format_value`` in ``lang``."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec not in ("count", "reading"):
            return super().format_field(value, format_spec)
        from kit.results import format_value  # kit.results imports this module: import it where it is used

        if format_spec == "count":
            return format_value(value, "count", self.lang)
        digits = len(f"{abs(float(value)):.6f}".rstrip("0").partition(".")[2])  # 1.234 -> 3, 1234.0 -> 0
        shown = format_value(value, "number", self.lang, digits=digits)
        return shown.replace("." if self.lang == "de" else ",", "")  # no thousands separator


def _check_value(value: Any, lang: str) -> Any:
    """A parameter as its template sees it: a nested text (``{"key": ..., "params": ...}``) rendered in ``lang``,
    a list of them joined with ``"; "``, anything else as it is."""
    if isinstance(value, Mapping) and "key" in value:
        return check_text(value["key"], lang, value.get("params"))
    if isinstance(value, list):
        return "; ".join(str(_check_value(item, lang)) for item in value)
    return value


def check_text(key: str, lang: Language = "en", params: Mapping[str, Any] | None = None) -> str:
    """The text of a data-quality check (or of its example) in ``lang``, its placeholders filled from ``params``.

    The quality report (``LoyaltyData.quality``) stores the English texts and, beside them, the keys and the
    parameters (``check_key``, ``example_key``, ``params``), so a page or the ``validate`` command can show
    the same row in the report's language.

    Parameters
    ----------
    key : str
        A key of :data:`CHECK_TEXTS`.
    lang : {"en", "de"}
        Language; anything other than ``"de"`` gives English.
    params : mapping, optional
        Values for the placeholders (JSON-able): text and numbers as they are, a nested text as
        ``{"key": ..., "params": {...}}``, a list of nested texts (joined with ``"; "``).

    Returns
    -------
    str

    Raises
    ------
    KeyError
        When ``key`` (or a nested key) is unknown, or a placeholder has no value.

    Examples
    --------
    >>> check_text("driver_scale", "de", {"column": "driver_delivery"})
    'driver_delivery: Skala'
    >>> check_text("ex_unknown_ids", "de", {"n": 1500, "ids": "'X0', 'X1'"})
    "verschiedene IDs: 1.500, z. B. 'X0', 'X1'"
    >>> mark = {"key": "decimal_comma"}
    >>> check_text("ex_decimal_mark", "en", {"label": "Umsatz", "text": "1,5", "value": 1.5, "mark": mark,
    ...                                       "basis": {"key": "basis_file_type"}})
    "Umsatz: '1,5' read as 1.5 (decimal comma assumed from the file type); set csv.decimal if wrong"
    """
    pair = CHECK_TEXTS.get(key)
    if pair is None:
        raise KeyError(f"unknown data-quality check text {key!r}")
    template = pair[1] if lang == "de" else pair[0]
    values = {name: _check_value(value, lang) for name, value in (params or {}).items()}
    return _CheckFormatter(lang).format(template, **values)
