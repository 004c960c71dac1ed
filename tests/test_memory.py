"""The memory check before a run: rows counted without reading, the estimate, and a run refused before any
reading when it would need far more memory than the machine has."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kit.cli import main
from kit.data.config import TableSource
from kit.report import memory
from kit.report.memory import (
    BASE_BYTES,
    BYTES_PER_ROW,
    MemoryShortError,
    available_bytes,
    estimate_bytes,
    input_rows,
    memory_verdict,
)
from kit.sample import sample_config_path

FIX = Path(__file__).resolve().parent / "fixtures"


def test_parquet_rows_are_counted_from_the_metadata(tmp_path):
    frame = pd.DataFrame({"order_id": [f"A{i}" for i in range(1234)], "revenue": range(1234)})
    frame.to_parquet(tmp_path / "o.parquet")
    assert input_rows(TableSource(file=tmp_path / "o.parquet")) == 1234
    folder = tmp_path / "orders"
    folder.mkdir()
    frame.iloc[:1000].to_parquet(folder / "part-0.parquet")
    frame.iloc[1000:].to_parquet(folder / "part-1.parquet")
    (folder / "_SUCCESS").write_text("")
    assert input_rows(TableSource(file=folder)) == 1234


def test_csv_rows_are_exact_when_small_and_close_when_large(tmp_path):
    small = tmp_path / "s.csv"
    small.write_text("a;b\n1;x\n2;y\n3;z", encoding="utf-8")      # no newline after the last row
    assert input_rows(TableSource(file=small)) == 3
    large = tmp_path / "l.csv"
    n = 200_000   # about 2.5 MB: more than the megabyte the estimate looks at; lines of varying length
    large.write_text("order_id;revenue\n" + "".join(f"A{i};{i * 7 % 1000},5\n" for i in range(n)), encoding="utf-8")
    counted = input_rows(TableSource(file=large))
    assert large.stat().st_size > 2 * 2**20
    assert abs(counted - n) / n < 0.02


def test_what_is_not_counted_is_none(tmp_path):
    assert input_rows(TableSource(file=FIX / "orders_en.xlsx")) is None
    assert input_rows(TableSource(file=tmp_path / "missing.csv")) is None
    broken = tmp_path / "b.parquet"
    broken.write_bytes(b"not parquet")
    assert input_rows(TableSource(file=broken)) is None


def test_the_estimate_is_the_measured_line():
    # the three measurements the line is fitted to (benchmarks/README.md, session 11; PSS peaks in MiB)
    assert estimate_bytes(17_438_130) == pytest.approx(5901 * 2**20, rel=0.03)
    assert estimate_bytes(34_884_707) == pytest.approx(10479 * 2**20, rel=0.03)
    assert estimate_bytes(69_741_634) == pytest.approx(20728 * 2**20, rel=0.03)
    assert estimate_bytes(0) == BASE_BYTES
    assert estimate_bytes(10) - estimate_bytes(0) == 10 * BYTES_PER_ROW


def test_verdict_goes_ahead_warns_and_refuses_by_the_factors():
    rows = {"orders": 10_000_000, "customers": None}
    needed = BASE_BYTES + 10_000_000 * BYTES_PER_ROW   # 3.8 GB
    assert memory_verdict(rows, available=int(needed / 0.79)).warn is None           # under 0.8x
    warned = memory_verdict(rows, available=int(needed / 0.81))
    assert warned.warn is not None and warned.refuse is None
    assert "10,000,000 rows (orders: 10,000,000)" in warned.warn and "about 3.8 GB" in warned.warn
    assert memory_verdict(rows, available=int(needed / 1.19)).refuse is None         # under 1.2x: a warning
    refused = memory_verdict(rows, available=int(needed / 1.21))
    assert refused.refuse is not None
    assert "--no-memory-check" in refused.refuse and "a shorter export of orders" in refused.refuse
    assert memory_verdict(rows, available=None).refuse is None       # not Linux: no check
    # the 100M orders of issue 17 (about 9M customers of the generated business, 155M rows) on this 24 GiB machine
    big = memory_verdict({"orders": 100_000_000, "contacts": 30_000_000, "customers": 9_000_000,
                          "surveys": 8_300_000, "others": 7_700_000}, available=22_000_000_000)
    assert big.refuse is not None and round(big.needed / 1e9) == 47


def test_available_memory_reads_meminfo_and_the_cgroup_limit():
    meminfo = "MemTotal:  24000000 kB\nMemFree: 1000 kB\nMemAvailable:  20000000 kB\nSwapFree:  1000000 kB\n"
    assert available_bytes(meminfo, "max", "123") == 21_000_000 * 1024
    assert available_bytes(meminfo, str(8 * 2**30), str(2 * 2**30)) == 6 * 2**30    # the container's room
    assert available_bytes("", "", "") is None
    assert available_bytes() is None or available_bytes() > 0      # this machine


def _no_reading(*args, **kwargs):
    raise AssertionError("the data were read although the run was refused")


def test_a_run_too_large_for_memory_is_refused_before_reading(tmp_path, monkeypatch):
    from kit.report import pages, run_report

    monkeypatch.setattr(memory, "available_bytes", lambda: 500_000_000)    # 0.5 GB: the sample needs 0.8 GB
    monkeypatch.setattr(pages, "context", _no_reading)
    with pytest.raises(MemoryShortError, match=r"needs about 0\.8 GB of memory .* 0\.5 GB are available"):
        run_report(sample_config_path(), out=tmp_path / "reports", smoke=True)
    assert [p.name for p in (tmp_path / "reports").iterdir()] == []      # no run folder begun


def test_the_command_says_it_in_one_line_and_can_be_told_to_go_on(tmp_path, monkeypatch, capsys):
    import kit.report

    monkeypatch.setattr(memory, "available_bytes", lambda: 500_000_000)
    code = main(["run", "--smoke", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and "--no-memory-check" in err
    seen = {}
    monkeypatch.setattr(kit.report, "run_report", lambda **kw: seen.update(kw) or tmp_path)
    assert main(["run", "--smoke", "--no-memory-check", "--out", str(tmp_path / "r")]) == 0
    assert seen["memory_check"] is False


def test_validate_is_refused_before_reading_too(tmp_path, monkeypatch, capsys):
    import kit.data.io

    monkeypatch.setattr(memory, "available_bytes", lambda: 500_000_000)
    monkeypatch.setattr(kit.data.io, "validate", _no_reading)
    code = main(["validate"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "reading and checking them may need up to about 0.8 GB" in err and "stop loyalty-kit validate" in err
    # warned, not refused (0.8 GB needed, 0.9 GB available): validate reads and says why in a warning line
    monkeypatch.undo()
    monkeypatch.setattr(memory, "available_bytes", lambda: 900_000_000)
    assert main(["validate"]) == 0
    assert "warning: the inputs hold" in capsys.readouterr().err
    monkeypatch.setattr(memory, "available_bytes", lambda: 500_000_000)
    assert main(["validate", "--no-memory-check"]) == 0


def test_a_notebook_reading_the_data_itself_is_refused_in_one_message(monkeypatch):
    from kit.report import pages
    from kit.report.pages import _context

    monkeypatch.setattr(memory, "available_bytes", lambda: 500_000_000)
    monkeypatch.setattr(_context, "read_data", _no_reading)
    with pytest.raises(MemoryShortError, match=r"would stop this kernel .* pass memory_check=False"):
        pages.context(sample_config_path(), smoke=True)
    # told not to check, it reads (here: the stand-in reader says it was called)
    with pytest.raises(AssertionError, match="the data were read"):
        pages.context(sample_config_path(), smoke=True, memory_check=False)


def test_a_run_checks_once_and_its_context_follows_its_decision(tmp_path, monkeypatch):
    from kit.report import pages, run_report

    seen = []

    def spy(*args, **kwargs):
        seen.append(kwargs.get("memory_check"))
        raise RuntimeError("stop here")

    monkeypatch.setattr(pages, "context", spy)
    with pytest.raises(RuntimeError, match="stop here"):
        run_report(sample_config_path(), out=tmp_path / "r", smoke=True)
    assert seen == [False]     # the run checked before; its own context does not check again
