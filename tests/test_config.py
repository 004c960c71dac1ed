"""The analysis configuration (kit/data/config.py): unknown keys, wrong types, KPI ids, paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.data.config import load_config
from kit.errors import ConfigError

MINIMAL = "business: {name: Shop}\ndata: {tables: {orders: {file: orders.csv}}}\n"


def write(folder: Path, text: str, name: str = "analysis.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_has_defaults(tmp_path):
    cfg = load_config(write(tmp_path, MINIMAL))
    assert cfg.thresholds.inactivity_days == 180
    assert cfg.data.timezone == "Europe/Berlin"
    assert cfg.source == tmp_path / "analysis.yaml"


@pytest.mark.parametrize(("text", "key", "match"), [
    ("busines: {name: Shop}\n" + MINIMAL, "busines",
     r"analysis\.yaml, key 'busines': unknown key\. Did you mean 'business'\? Allowed keys here: business, periods"),
    (MINIMAL + "thresholds: {inactivity_dayz: 90}\n", "thresholds.inactivity_dayz",
     r"key 'thresholds\.inactivity_dayz': unknown key\. Did you mean 'inactivity_days'\?"),
    ("business: {name: Shop}\ndata: {tables: {orders: {file: o.csv, column: {}}}}\n", "data.tables.orders.column",
     r"key 'data\.tables\.orders\.column': unknown key\. Did you mean 'columns'\?"),
])
def test_unknown_key(tmp_path, text, key, match):
    with pytest.raises(ConfigError, match=match) as info:
        load_config(write(tmp_path, text))
    assert info.value.key == key


@pytest.mark.parametrize(("text", "key", "match"), [
    (MINIMAL + "thresholds: {inactivity_days: many}\n", "thresholds.inactivity_days",
     r"key 'thresholds\.inactivity_days': .*valid integer.*\(found 'many'\)"),
    (MINIMAL + "clv: {margin: 1.5}\n", "clv.margin", r"key 'clv\.margin': .*less than or equal to 1.*\(found 1\.5\)"),
    (MINIMAL + "periods: {granularity: week}\n", "periods.granularity",
     r"key 'periods\.granularity': .*'month', 'quarter' or 'year'"),
    ("business: {name: Shop}\ndata: {tables: {orders: {file: o.csv, header_row: 0}}}\n",
     "data.tables.orders.header_row", r"greater than or equal to 1 \(found 0\)"),
])
def test_wrong_type_or_value(tmp_path, text, key, match):
    with pytest.raises(ConfigError, match=match) as info:
        load_config(write(tmp_path, text))
    assert info.value.key == key


def test_mistyped_kpi_id_in_targets(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown KPI id 'nsp'\. Did you mean 'nps'\? Valid: nps, csat"):
        load_config(write(tmp_path, MINIMAL + "targets: {nsp: {target: 30}}\n"))


def test_mistyped_kpi_id_in_an_action(tmp_path):
    text = MINIMAL + "actions: [{id: a, title: T, addresses: {kpis: [chrun_rate]}}]\n"
    with pytest.raises(ConfigError, match=r"key 'actions\.0\.addresses\.kpis': unknown KPI id 'chrun_rate'\. "
                                          r"Did you mean 'churn_rate'\?"):
        load_config(write(tmp_path, text))


def test_unknown_table_and_missing_main_table(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown table 'order'\. Did you mean 'orders'\?"):
        load_config(write(tmp_path, "business: {name: S}\ndata: {tables: {order: {file: o.csv}}}\n"))
    with pytest.raises(ConfigError, match=r"at least an 'orders', a 'subscriptions' or a 'surveys' table"):
        load_config(write(tmp_path, "business: {name: S}\ndata: {tables: {customers: {file: c.csv}}}\n"))


def test_subscriptions_or_a_customer_status_is_enough(tmp_path):
    # any one of orders, subscriptions or surveys; or customers that map a status (a snapshot export)
    cfg = load_config(write(tmp_path, "business: {name: S}\ndata: {tables: {subscriptions: {file: s.csv}}}\n"))
    assert set(cfg.data.tables) == {"subscriptions"}
    cfg = load_config(write(tmp_path, "business: {name: S}\ndata: {as_of: 2026-07-01, tables: {customers: "
                                      "{file: c.csv, columns: {Churn: status, tenure: tenure_months}}}}\n"))
    assert str(cfg.data.as_of) == "2026-07-01"
    assert cfg.thresholds.churn_from == "auto" and cfg.clv.billing_months == 1
    with pytest.raises(ConfigError, match=r"churn_from"):
        load_config(write(tmp_path, MINIMAL + "thresholds: {churn_from: exits}\n"))


def test_relative_paths_resolve_against_the_yaml_folder(tmp_path):
    folder = tmp_path / "project" / "config"
    folder.mkdir(parents=True)
    text = ("business: {name: S}\ndata:\n  tables:\n    orders: {file: ../exports/orders.csv}\n"
            f"    surveys: {{file: {tmp_path / 'abs.csv'}}}\n"
            "  interviews: notes\n  codebook: ../codebook.yaml\n")
    cfg = load_config(write(folder, text))
    assert cfg.data.tables["orders"].file == tmp_path / "project" / "exports" / "orders.csv"
    assert cfg.data.tables["surveys"].file == tmp_path / "abs.csv"  # absolute paths are kept
    assert cfg.data.interviews == folder / "notes"
    assert cfg.data.codebook == tmp_path / "project" / "codebook.yaml"


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match=r"configuration file .*nope\.yaml' does not exist\. Pass --config"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match=r"analysis\.yaml: not valid YAML at line 2"):
        load_config(write(tmp_path, "business: {name: S\ndata: [\n"))
    with pytest.raises(ConfigError, match=r"expected a mapping of sections"):
        load_config(write(tmp_path, "- a\n- b\n"))


def test_sample_config_loads(sample_config):
    assert set(sample_config.data.tables) == {"customers", "orders", "surveys", "tickets", "exits", "referrals",
                                              "contacts", "subscriptions"}
    assert sample_config.data.tables["orders"].columns["Umsatz"] == "revenue"
    assert sample_config.data.tables["orders"].file.is_absolute()


def test_unknown_timezone_is_a_config_error(tmp_path):
    text = "business: {name: S}\ndata: {timezone: Europe/Berln, tables: {orders: {file: o.csv}}}\n"
    expected = r"data\.timezone.*unknown time zone .Europe/Berln.\. Did you mean .Europe/Berlin."
    with pytest.raises(ConfigError, match=expected):
        load_config(write(tmp_path, text))


FIX = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize(("file", "match"), [
    ("config_unknown_key.yaml", r"config_unknown_key\.yaml, key 'thresholds\.inactivity_dayz': unknown key\. "
                                r"Did you mean 'inactivity_days'\?"),
    ("config_mistyped_kpi.yaml", r"config_mistyped_kpi\.yaml, key 'targets.nsp': unknown KPI id 'nsp'\. "
                                 r"Did you mean 'nps'\?"),
    ("config_wrong_type.yaml", r"config_wrong_type\.yaml, key 'clv\.horizon_months': .*valid integer.*"
                               r"\(found 'two years'\)"),
])
def test_bad_config_fixtures(file, match):
    with pytest.raises(ConfigError, match=match):
        load_config(FIX / file)


def test_good_config_fixture_paths_resolve_to_the_fixtures():
    cfg = load_config(FIX / "config_good.yaml")
    assert cfg.data.tables["orders"].file == FIX / "bestellungen_de.csv"
    assert cfg.data.tables["orders"].file.is_file()


def test_misspelt_section_is_reported_before_the_missing_section(tmp_path):
    text = "busines: {name: S}\ndata: {tables: {orders: {file: o.csv}}}\n"
    with pytest.raises(ConfigError, match=r"^analysis\.yaml, key 'busines': unknown key\. Did you mean 'business'\?"):
        load_config(write(tmp_path, text))


def test_source_is_reserved(tmp_path):
    with pytest.raises(ConfigError, match=r"key 'source': unknown key"):
        load_config(write(tmp_path, "source: x\n" + MINIMAL))


def test_ces_errors_name_their_key(tmp_path):
    with pytest.raises(ConfigError, match=r"key 'thresholds\.ces_scale': ces_scale must be \[lowest, highest\]"):
        load_config(write(tmp_path, MINIMAL + "thresholds: {ces_scale: [7, 1]}\n"))
    with pytest.raises(ConfigError, match=r"key 'thresholds\.ces_low_effort': .* \(found 9\)"):
        load_config(write(tmp_path, MINIMAL + "thresholds: {ces_low_effort: 9}\n"))


def test_override_thresholds_validates_like_the_yaml_and_keeps_what_is_none():
    from kit.data.config import load_config, override_thresholds

    cfg = load_config(Path(__file__).resolve().parents[1] / "data" / "analysis.yaml")
    assert override_thresholds(cfg, inactivity_days=None) is cfg                # nothing overridden
    changed = override_thresholds(cfg, inactivity_days=90, sla_hours=12)
    assert (changed.thresholds.inactivity_days, changed.thresholds.sla_hours) == (90, 12.0)
    assert changed.thresholds.min_n == cfg.thresholds.min_n and cfg.thresholds.inactivity_days == 180  # a copy
    with pytest.raises(ConfigError, match=r"threshold 'sla_hours' = 0: .*greater than 0"):
        override_thresholds(cfg, sla_hours=0)
    with pytest.raises(ConfigError, match=r"unknown threshold 'csat_top_box'; .*inactivity_days, sla_hours, min_n"):
        override_thresholds(cfg, csat_top_box=5)


def test_drivers_outcome(tmp_path):
    # default: unset (the first of nps, csat, rating, ces in the surveys is used); a mistyped outcome lists the valid
    assert load_config(write(tmp_path, MINIMAL)).drivers.outcome is None
    assert load_config(write(tmp_path, MINIMAL + "drivers: {outcome: csat}\n")).drivers.outcome == "csat"
    with pytest.raises(ConfigError, match=r"key 'drivers\.outcome': .*'nps', 'csat', 'rating' or 'ces'") as info:
        load_config(write(tmp_path, MINIMAL + "drivers: {outcome: stars}\n"))
    assert info.value.key == "drivers.outcome"
