"""Typed reading of large CSVs in DuckDB (:mod:`kit.data._typed_csv`) gives what the text path gives.

Every check reads the same file twice, once by the text path (the oracle: every cell as text, then
converted column by column in pandas) and once typed (the size threshold set to 0, so that small files
take the DuckDB path too), and asserts equal frames, or equal error messages.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd
import pytest

import kit.data._typed_csv as typed_csv
import kit.data.rawtables as rawtables
from kit.data.config import DataSources, TableSource, load_config
from kit.data.io import read_data, read_table, validate
from kit.errors import DataError
from kit.sample import sample_config_path

FIX = Path(__file__).resolve().parent / "fixtures"
_ORDERS = {"Bestellnummer": "order_id", "Kundennummer": "customer_id", "Bestelldatum": "order_date",
           "Umsatz": "revenue", "Erstattung": "refund_amount", "Retoure": "returned", "Menge": "quantity",
           "Kategorie": "category"}


@pytest.fixture
def spy(monkeypatch):
    """Counts the typed reads: 'typed' (no column failed), 'fallback' (some columns read as text), 'declined'."""
    counts = {"typed": 0, "fallback": 0, "declined": 0}
    original = typed_csv.read_typed

    def counting(*args, **kwargs):
        out = original(*args, **kwargs)
        counts["declined" if out is None else "fallback" if out[1] else "typed"] += 1
        return out

    monkeypatch.setattr(rawtables, "read_typed", counting)
    return counts


def _both(monkeypatch, read):
    """``read()`` by the text path and typed: each a frame (or the like) or the message of its DataError."""
    out = []
    for threshold in (10**15, 0):
        monkeypatch.setattr(typed_csv, "TYPED_MIN_BYTES", threshold)
        try:
            out.append(read())
        except DataError as exc:
            out.append(str(exc))
    return out


def _read_lines_both(tmp_path, monkeypatch, lines, columns):
    """Write ``lines`` to orders.csv and read it as the orders table by both paths (see :func:`_both`)."""
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = TableSource(file=path, columns=columns)
    return _both(monkeypatch, lambda: read_table(source, "orders", data=DataSources(tables={"orders": source})))


def _same(old, new):
    if isinstance(old, str) or isinstance(new, str):
        assert old == new
    else:
        pd.testing.assert_frame_equal(new, old)


ORDERS = TableSource(file=FIX / "orders_en.csv")
FIXTURE_TABLES = sorted((p.name, p.name.split("_")[0].replace("kunden", "customers").replace("bestellungen", "orders"))
                        for p in FIX.glob("*.csv"))


@pytest.mark.parametrize(("file", "table"), FIXTURE_TABLES)
def test_every_fixture_reads_alike(file, table, monkeypatch, spy):
    table = {"customers": "customers", "orders": "orders", "surveys": "surveys", "tickets": "tickets",
             "exits": "exits", "referrals": "referrals"}.get(table, "orders")
    columns = _ORDERS if file == "bestellungen_de.csv" else {}
    source = TableSource(file=FIX / file, columns=columns)
    data = DataSources(tables={"orders": source} if table == "orders" else {table: source, "orders": ORDERS})
    old, new = _both(monkeypatch, lambda: read_table(source, table, data=data))
    _same(old, new)


def test_the_fixtures_take_the_typed_path(monkeypatch, spy):
    """Not every fixture may decline: the comparison above must compare something."""
    monkeypatch.setattr(typed_csv, "TYPED_MIN_BYTES", 0)
    source = TableSource(file=FIX / "bestellungen_de.csv", columns=_ORDERS)
    frame = read_table(source, "orders", data=DataSources(tables={"orders": source}))
    assert spy == {"typed": 1, "fallback": 0, "declined": 0}
    assert str(frame["order_date"].dtype) == "datetime64[ns]" and frame["returned"].dtype == bool


def test_sample_reads_alike_with_checks(monkeypatch, spy):
    config = load_config(sample_config_path())
    old, new = _both(monkeypatch, lambda: read_data(config))
    for name in ("orders", "customers", "surveys", "tickets", "exits", "referrals", "contacts", "subscriptions"):
        pd.testing.assert_frame_equal(getattr(new, name), getattr(old, name), obj=name)
    pd.testing.assert_frame_equal(new.quality, old.quality)
    assert spy["typed"] + spy["fallback"] >= 6  # the sample's tables are typed (tickets' aware stamps decline)


def _orders_csv(path: Path, column: str, value: str, rows: int = 40, *, whole: bool = False) -> Path:
    """An order export with one odd ``value`` in ``column`` at the 31st data row (row 32 of the file); ``whole``:
    revenue in whole euros (no number column shows a decimal mark)."""
    lines = ["Nr;Kunde;Datum;Umsatz;Menge;Retoure"]
    for i in range(rows):
        cells = {"Nr": f"A{i:03d}", "Kunde": f"K{i % 7}", "Datum": f"{i % 28 + 1:02d}.03.2024",
                 "Umsatz": str(i + 5) if whole else f"{i},{i % 100:02d}", "Menge": str(i % 5 + 1),
                 "Retoure": "ja" if i % 3 else "nein"}
        if i == 30:
            cells[column] = value
        lines.append(";".join(cells.values()))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


ODD = [("Umsatz", v) for v in ["12,5", "1_000", " 12,5", "12,5 ", "+5", "-5", "1e3", "NAN", "inf", "12,", ",5",
                               "1.234,5", "1.234", "12.5", "١٢", "0x1A", "--5", "007", "", "NA", "n/a", "  ",
                               "1e400", "Infinity", "-inf", "1E3", "5e", "1,2e3", "0,5e-3", "5-", "\t12,5"]] + \
    [("Menge", v) for v in ["3,5", "1.000", "1,000", "2.5", "x", "-0", "+5", " 3", "1e3", "3,0", "1.000,5",
                            "99999999999999999999", ""]] + \
    [("Datum", v) for v in ["1.2.2024", "+1.02.2024", " 01.02.2024", "31.02.2024", "29.02.2023", "01.02.9999",
                            "01.01.1600", "2024-02-01", "2024-02-01T10:00:00", "2024-02-01 10:00:00",
                            "2024-02-01T10:00:00+02:00", "01/02/2024", "01.02.24", "01.02.2024 10:00", "",
                            "2024-02-01T24:00:00", "2024-02-30"]] + \
    [("Retoure", v) for v in ["JA", "Nein", " ja", "NEİN", "x", "X", "1", "0.0", "1.0", "", "vielleicht", "TRUE",
                              "ｊａ"]] + \
    [("Nr", v) for v in ["A001.0", "7.0", " A030", "A030 ", "", "A\u00a0030"]] + \
    [(c, v) for c in ("Umsatz", "Menge", "Datum", "Retoure") for v in ['"12,5"', '"NA"', '""', '"3"', '"ja"',
                                                                    '"01.02.2024"']]


@pytest.mark.parametrize(("column", "value"), ODD)
@pytest.mark.parametrize("date_format", [None, "%d.%m.%Y"])
@pytest.mark.parametrize("sample_bytes", [None, 400])
def test_odd_values_read_alike(column, value, date_format, sample_bytes, tmp_path, monkeypatch, spy):
    """``sample_bytes`` 400: the first rows the plan sees end before the odd value (as in a file of millions of
    rows), so the reader meets it typed."""
    if sample_bytes:
        monkeypatch.setattr(rawtables, "_SAMPLE_BYTES", sample_bytes)
    path = _orders_csv(tmp_path / "orders.csv", column, value)
    source = TableSource(file=path, date_format=date_format, columns={
        "Nr": "order_id", "Kunde": "customer_id", "Datum": "order_date", "Umsatz": "revenue", "Menge": "quantity",
        "Retoure": "returned"})
    old, new = _both(monkeypatch, lambda: read_table(source, "orders", data=DataSources(tables={"orders": source})))
    _same(old, new)
    assert spy["typed"] + spy["fallback"] == 1  # the first 30 rows are clean: the file is read typed


@pytest.mark.parametrize("value", ["1.234", "1,000", "1.000.000", "12", "12,5", "1,5e3"])
def test_whole_numbers_keep_the_decimal_guess_and_its_note(value, tmp_path, monkeypatch, spy):
    """No number column shows a decimal mark in the first rows: a later '1.234' is read by the text path, which
    guesses the mark from the separator and notes it in the quality report."""
    monkeypatch.setattr(rawtables, "_SAMPLE_BYTES", 400)
    path = _orders_csv(tmp_path / "orders.csv", "Umsatz", value, whole=True)
    config = load_config(sample_config_path())
    source = TableSource(file=path, columns={"Nr": "order_id", "Kunde": "customer_id", "Datum": "order_date",
                                             "Umsatz": "revenue", "Menge": "quantity", "Retoure": "returned"})
    config = config.model_copy(update={"data": config.data.model_copy(update={"tables": {"orders": source}})})
    old, new = _both(monkeypatch, lambda: validate(config))
    pd.testing.assert_frame_equal(new, old)
    old, new = _both(monkeypatch, lambda: read_table(source, "orders", data=config.data))
    _same(old, new)
    assert spy["typed"] + spy["fallback"] == 2


def test_two_decimal_marks_and_quoted_line_breaks_read_alike(tmp_path, monkeypatch, spy):
    lines = ["Nr;Kunde;Datum;Umsatz;Menge;Kategorie"]
    for i in range(60):
        category = '"Kaffee\nund ""Tee"";"' if i == 0 else "Kaffee"
        lines.append(f"A{i:03d};K{i % 7};2024-03-{i % 28 + 1:02d};{i},{i % 100:02d};{i}.5;{category}")
    old, new = _read_lines_both(tmp_path, monkeypatch, lines, {
        "Nr": "order_id", "Kunde": "customer_id", "Datum": "order_date", "Umsatz": "revenue", "Menge": "quantity",
        "Kategorie": "category"})
    _same(old, new)
    assert spy["typed"] == 1 and new["category"].iloc[0] == 'Kaffee\nund "Tee";'
    assert new["quantity"].iloc[3] == 3.5 and new["revenue"].iloc[3] == 3.03


@pytest.mark.parametrize("quoted", [True, False])
def test_small_blocks_split_rows_alike(quoted, tmp_path, monkeypatch, spy):
    """Arrow splits a file into blocks; a line break inside quotes must not end a row (without any quote in the
    file, every line break ends one and the reader takes the faster split)."""
    monkeypatch.setattr(typed_csv, "BLOCK_BYTES", 256)
    lines = ["Nr;Kunde;Datum;Umsatz;Retoure;Kategorie"]
    for i in range(300):
        category = f'"Kaffee {i}\n2. Zeile; mit ""Zitat"""' if quoted and i % 7 == 3 else f"Kaffee {i}"
        lines.append(f"A{i:04d};K{i % 7};{i % 28 + 1:02d}.03.2024;{i},5;{'ja' if i % 2 else 'nein'};{category}")
    old, new = _read_lines_both(tmp_path, monkeypatch, lines, {
        "Nr": "order_id", "Kunde": "customer_id", "Datum": "order_date", "Umsatz": "revenue", "Retoure": "returned",
        "Kategorie": "category"})
    _same(old, new)
    assert spy["typed"] == 1 and len(new) == 300
    assert int(new["category"].str.contains("\n").sum()) == (43 if quoted else 0)


def test_a_failing_column_keeps_its_message_and_the_others_stay_typed(tmp_path, monkeypatch, spy):
    path = _orders_csv(tmp_path / "orders.csv", "Datum", "31.02.2024")
    source = TableSource(file=path, columns={"Nr": "order_id", "Kunde": "customer_id", "Datum": "order_date",
                                             "Umsatz": "revenue"})
    monkeypatch.setattr(typed_csv, "TYPED_MIN_BYTES", 0)
    with pytest.raises(DataError) as raised:
        read_table(source, "orders", data=DataSources(tables={"orders": source}))
    assert spy == {"typed": 0, "fallback": 1, "declined": 0}
    assert "orders.csv, column 'Datum'" in str(raised.value) and "row 32" in str(raised.value)
    assert "31.02.2024" in str(raised.value) and "not a calendar date" in str(raised.value)


def test_validate_reports_the_same_rows(tmp_path, monkeypatch):
    path = _orders_csv(tmp_path / "orders.csv", "Umsatz", "zwölf")
    config = load_config(sample_config_path())
    source = TableSource(file=path, columns={"Nr": "order_id", "Kunde": "customer_id", "Datum": "order_date",
                                             "Umsatz": "revenue", "Menge": "quantity", "Retoure": "returned"})
    config = config.model_copy(update={"data": config.data.model_copy(update={"tables": {"orders": source}})})
    old, new = _both(monkeypatch, lambda: validate(config))
    pd.testing.assert_frame_equal(new, old)
    assert (old["severity"] == "error").any() and old["example"].str.contains("zwölf").any()


def test_rows_keep_the_file_order_with_flags_and_many_rows(tmp_path, monkeypatch):
    """The typed reader keeps the file's row order (DuckDB, its engine before Arrow, could lose it when it ran a
    long IN list as a join)."""
    n = 300_000
    frame = pd.DataFrame({"Nr": [f"A{i:07d}" for i in range(n)], "Kunde": "K1", "Datum": "01.03.2024",
                          "Umsatz": "1,50", "Retoure": ["ja", "nein", "x"] * (n // 3)})
    path = tmp_path / "orders.csv"
    frame.to_csv(path, sep=";", index=False)
    source = TableSource(file=path, columns={"Nr": "order_id", "Kunde": "customer_id", "Datum": "order_date",
                                             "Umsatz": "revenue", "Retoure": "returned"})
    monkeypatch.setattr(typed_csv, "TYPED_MIN_BYTES", 0)
    out = read_table(source, "orders", data=DataSources(tables={"orders": source}))
    assert out["order_id"].tolist() == frame["Nr"].tolist()
    assert out["returned"].tolist() == [True, False, True] * (n // 3)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [True, False])
def test_reading_shows_a_progress_bar_only_on_a_terminal(terminal, monkeypatch):
    stream = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    read_data(load_config(sample_config_path()))
    shown = stream.getvalue()
    if terminal:
        assert "reading" in shown and "bestellungen.csv: read" in shown and "bestellungen.csv: check" in shown
    else:
        assert shown == ""


@pytest.mark.parametrize(("size", "shown"), [(64 * 2**20, True), (64 * 2**20 - 1, False)])
def test_the_steps_before_the_kernels_get_a_bar_on_large_inputs(size, shown, monkeypatch):
    from kit.report.run import _steps_bar

    stream = _Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    bar = _steps_bar(size)
    bar.set_postfix_str("findings", refresh=True)
    bar.update(3)
    bar.close()
    assert ("preparing" in stream.getvalue()) is shown
