"""`loyalty-kit validate`: prints the quality report; exit 1 with file and column on bad data."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.cli import main

FIX = Path(__file__).resolve().parent / "fixtures"


def _write_config(folder: Path, tables: str) -> Path:
    path = folder / "analysis.yaml"
    path.write_text(f"business: {{name: Test}}\ndata:\n  tables:\n{tables}", encoding="utf-8")
    return path


def test_validate_bad_data_exits_1_and_names_file_and_column(tmp_path, capsys):
    config = _write_config(tmp_path, f"    surveys: {{file: {FIX / 'surveys_nps_11.csv'}}}\n"
                                     f"    orders: {{file: {FIX / 'orders_text_in_number.csv'}}}\n")
    assert main(["validate", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "surveys_nps_11.csv, column 'nps': 1 value outside 0-10 (row 3: 11.0)" in out
    assert "orders_text_in_number.csv, column 'revenue': 1 value is not a number (row 3: 'zehn')" in out
    assert "2 errors" in out


def test_validate_good_tiny_config_exits_0(tmp_path, capsys):
    config = _write_config(tmp_path, f"    orders: {{file: {FIX / 'orders_en.csv'}}}\n"
                                     f"    tickets: {{file: {FIX / 'tickets_ok.csv'}}}\n")
    assert main(["validate", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "orders   rows read" in out and "0 errors, 0 warnings" in out


def test_validate_relative_paths_resolve_against_the_config(tmp_path, capsys):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "orders.csv").write_bytes((FIX / "orders_en.csv").read_bytes())
    config = _write_config(tmp_path, "    orders: {file: exports/orders.csv}\n")
    assert main(["validate", "--config", str(config)]) == 0
    assert "orders.csv" in capsys.readouterr().out


def test_validate_bad_config_exits_1(tmp_path, capsys):
    config = _write_config(tmp_path, f"    orders: {{file: {FIX / 'orders_en.csv'}, colums: {{}}}}\n")
    assert main(["validate", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "data.tables.orders.colums" in err and "Did you mean 'columns'?" in err


def test_validate_fixture_configs(capsys):
    assert main(["validate", "--config", str(FIX / "config_bad_data.yaml")]) == 1
    out = capsys.readouterr().out
    assert "surveys_nps_11.csv, column 'nps'" in out and "orders_text_in_number.csv, column 'revenue'" in out
    assert main(["validate", "--config", str(FIX / "config_good.yaml")]) == 0
    out = capsys.readouterr().out
    assert "bestellungen_de.csv" in out and "kunden_cp1252.csv" in out and "0 errors" in out


def test_validate_unknown_config_key_exits_1(capsys):
    assert main(["validate", "--config", str(FIX / "config_unknown_key.yaml")]) == 1
    assert "Did you mean 'inactivity_days'?" in capsys.readouterr().err


def test_validate_sample_exits_0(capsys):
    from kit.sample import sample_config_path

    if not (sample_config_path().parent / "sample" / "bestellungen.csv").is_file():
        pytest.skip("the sample's files are not generated yet")
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "bestellungen.csv" in out and "0 errors" in out


def test_validate_speaks_the_configured_language(tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_text("responded_at,nps,driver_delivery\n2024-01-02,9,5\n2024-01-03,3,1\n", encoding="utf-8")
    english = _write_config(tmp_path, f"    surveys: {{file: {path}}}\n")
    german = tmp_path / "de.yaml"
    german.write_text(english.read_text(encoding="utf-8").replace("{name: Test}", "{name: Test, language: de}"),
                      encoding="utf-8")
    assert main(["validate", "--config", str(german)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["Tabelle", "Prüfung", "Schweregrad", "Anzahl", "Beispiel"]
    assert "driver_delivery: Skala" in out and "als Skala 1-5 gelesen" in out and "gelesene Zeilen" in out
    assert "Umfragen" in out and "read as" not in out and "scale" not in out
    assert lines[-1].startswith("0 Fehler, 0 Warnungen, ")
    # English (the default) as before
    assert main(["validate", "--config", str(english)]) == 0
    out = capsys.readouterr().out
    assert "surveys  driver_delivery scale" in out and "read as a 1-5 scale" in out
    assert out.splitlines()[-1].startswith("0 errors, 0 warnings, ")
