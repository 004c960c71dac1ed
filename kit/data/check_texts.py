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
#: names, dates, row numbers: names, not amounts), ``{name!r}`` with its repr. ``{name:count}`` (an amount),
#: ``{name:money}`` (two decimals) and ``{name:reading}`` (a value as read from a file: the decimals it has and
#: no thousands separator, so that '1.234' read as 1234 cannot look like its input) go through
#: :func:`kit.results.format_value`. Keys starting with ``ex_`` are examples; the rest are check names or parts
#: of an example.
CHECK_TEXTS: dict[str, tuple[str, str]] = {
    # reading and mapping (kit.data.io, kit.data.convert)
    "rows_read": ("rows read", "gelesene Zeilen"),
    "ex_parts": ("{folder} ({parts} Parquet files)", "{folder} ({parts} Parquet-Dateien)"),
    "ex_part": ("{folder} (1 Parquet file)", "{folder} (1 Parquet-Datei)"),
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
    "resolved_after_response": ("resolved_at >= first_response_at", "resolved_at >= first_response_at"),
    "blank_required": ("{column} given in every row", "{column} in jeder Zeile angegeben"),
    "ex_blank_guest": ("{n:count} orders without {label} (rows {rows}): kept as guest orders for the order-level KPIs "
                       "(revenue, order value, refunds), left out of every customer KPI",
                       "{n:count} Bestellungen ohne {label} (Zeilen {rows}): als Gastbestellungen für die "
                       "Bestell-KPIs behalten (Umsatz, Bestellwert, Erstattungen), in keiner Kunden-KPI gezählt"),
    "ex_blank_left_out": ("{n:count} without {label} (rows {rows}): left out wherever {column} is needed",
                          "{n:count} ohne {label} (Zeilen {rows}): ausgelassen, wo {column} gebraucht wird"),
    "identical_counted": ("identical rows without an id (each counted)", "gleiche Zeilen ohne ID (jede gezählt)"),
    "ex_identical_counted": ("rows {rows}: the export has no {ids}, so {what} look alike; each is counted",
                             "Zeilen {rows}: der Export hat keine {ids}, daher sehen {what} gleich aus; jede wird "
                             "gezählt"),
    "what_referrals": ("several referrals by one referrer on one day", "mehrere Empfehlungen eines Empfehlers an "
                       "einem Tag"),
    "what_surveys": ("anonymous answers with the same date and scores", "anonyme Antworten mit gleichem Datum und "
                     "gleichen Werten"),
    "not_before_year": ("{column} not before {year}", "{column} nicht vor {year}"),
    # optional columns and the report sections they feed (kit.data.sections)
    "optional_columns": ("optional columns for report sections", "optionale Spalten für Abschnitte des Berichts"),
    "ex_optional_both": ("absent: {absent} | present: {present}", "fehlen: {absent} | vorhanden: {present}"),
    "ex_optional_absent": ("absent: {absent}", "fehlen: {absent}"),
    "feeds": ("{column} ({sections})", "{column} ({sections})"),
    "sec_segments": ("results by segment", "Ergebnisse nach Segment"),
    "sec_channel": ("survival and referrals by acquisition channel", "Überleben und Empfehlungen nach Kanal"),
    "sec_returns": ("return and refund rates", "Retouren- und Erstattungsquoten"),
    "sec_net_value": ("net revenue and CLV", "Nettoumsatz und CLV"),
    "sec_survey_customers": ("answers linked to customers: watch list, advocates, segments",
                             "Antworten mit Kundenbezug: Beobachtungsliste, Fürsprecher, Segmente"),
    "sec_comments": ("comment coding and themes", "Codierung der Kommentare und Themen"),
    "sec_drivers": ("key-driver analysis", "Treiberanalyse"),
    "sec_service_churn": ("service and churn per customer", "Service und Abwanderung je Kunde"),
    "sec_first_response": ("first response time and SLA share", "Erstreaktionszeit und SLA-Quote"),
    "sec_resolution": ("resolution time", "Lösungszeit"),
    "sec_complaints": ("complaint rate", "Beschwerdequote"),
    "sec_ticket_categories": ("tickets and complaints by category", "Tickets und Beschwerden nach Kategorie"),
    "sec_exit_reasons": ("reasons for leaving, coded by the codebook", "Kündigungsgründe, mit dem Codebuch codiert"),
    "sec_exit_categories": ("exit categories", "Kündigungskategorien"),
    "sec_referred": ("retention of referred customers", "Bindung geworbener Kunden"),
    "sec_response_rate": ("survey response rate", "Rücklaufquote der Umfragen"),
    # row filters and line items (kit.data.rowfilters, kit.data.lineitems)
    "where": ("rows left out by where", "durch where ausgelassene Zeilen"),
    "ex_where": ("{condition}: {left_out:count} of {n:count} rows left out",
                 "{condition}: {left_out:count} von {n:count} Zeilen ausgelassen"),
    "line_items": ("line items folded into orders", "Positionen zu Bestellungen zusammengefasst"),
    "ex_line_items": ("{lines:count} lines -> {orders:count} orders; {cancellations:count} cancellations "
                      "({cancelled:money}) -> refunds of {refunded:count} earlier orders of their customers",
                      "{lines:count} Positionen -> {orders:count} Bestellungen; {cancellations:count} Stornierungen "
                      "({cancelled:money}) -> Erstattungen von {refunded:count} früheren Bestellungen ihrer Kunden"),
    "unmatched_cancellations": ("cancellations without an earlier order of the customer",
                                "Stornierungen ohne frühere Bestellung des Kunden"),
    "ex_unmatched_cancellations": ("{n:count} cancellations ({value:money}, e.g. {ids}): no earlier order of the "
                                   "customer in the data (bought before the export starts, or no customer id); "
                                   "left out",
                                   "{n:count} Stornierungen ({value:money}, z. B. {ids}): keine frühere Bestellung "
                                   "des Kunden in den Daten (vor Beginn des Exports gekauft oder ohne Kundennummer); "
                                   "ausgelassen"),
    # codebook and interviews (kit.text.sources)
    "read_codebook": ("codebook read", "Codebuch gelesen"),
    "ex_codebook": ("{n:count} themes: {themes}", "{n:count} Themen: {themes}"),
    "read_interviews": ("interviews read", "Interviews gelesen"),
    "ex_interviews": ("{n:count} interview files", "{n:count} Interview-Dateien"),
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
        if format_spec not in ("count", "reading", "money"):
            return super().format_field(value, format_spec)
        from kit.results import format_value  # kit.results imports this module: import it where it is used

        if format_spec == "count":
            return format_value(value, "count", self.lang)
        if format_spec == "money":
            return format_value(value, "currency", self.lang)
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
