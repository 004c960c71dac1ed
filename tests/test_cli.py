"""The command line: exit codes 0 / 1 / 2 and messages without tracebacks."""

from __future__ import annotations

import pytest

from kit.cli import main


def test_unknown_command_is_a_usage_error(capsys):
    assert main(["runn"]) == 2
    assert "No such command 'runn'" in capsys.readouterr().err


def test_mistyped_option_is_a_usage_error(capsys):
    assert main(["run", "--perod", "2026-Q3"]) == 2
    assert "--perod" in capsys.readouterr().err


def test_missing_config_is_exit_1_with_a_message(capsys, tmp_path):
    code = main(["validate", "--config", str(tmp_path / "nope.yaml")])
    err = capsys.readouterr().err
    assert code == 1
    assert "nope.yaml" in err and "does not exist" in err and "Traceback" not in err


def test_debug_shows_the_exception(tmp_path):
    from kit.errors import ConfigError

    with pytest.raises(ConfigError):
        main(["--debug", "validate", "--config", str(tmp_path / "nope.yaml")])


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "validate" in capsys.readouterr().out


def test_parameters_are_name_value_pairs_read_as_literals():
    from kit.cli import _parameters
    from kit.errors import ConfigError

    assert _parameters(["inactivity_days=90", "sla_hours=12.5", "segment_by=region", "min_n=None"]) == \
        {"inactivity_days": 90, "sla_hours": 12.5, "segment_by": "region", "min_n": None}
    with pytest.raises(ConfigError, match="expected NAME=VALUE"):
        _parameters(["inactivity_days"])


def test_run_with_an_unknown_parameter_fails_before_any_kernel(tmp_path, capsys):
    code = main(["run", "--out", str(tmp_path), "-p", "inactivity_dayz=90"])
    assert code == 1
    assert "unknown notebook parameter 'inactivity_dayz'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_sample_parts_need_parquet(capsys, tmp_path):
    assert main(["sample", str(tmp_path / "s"), "--part-customers", "100"]) == 2
    assert "--part-customers needs --format parquet" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_sample_writes_a_parquet_folder_per_table(capsys, tmp_path):
    assert main(["sample", str(tmp_path / "s"), "--customers", "40", "--format", "parquet",
                 "--part-customers", "20"]) == 0
    assert "wrote 10 files" in capsys.readouterr().out   # one chunk: one part per table, the truth, the config
    assert (tmp_path / "s" / "orders" / "part-00000.parquet").is_file()
    assert main(["validate", "--config", str(tmp_path / "s" / "analysis.yaml")]) == 0
