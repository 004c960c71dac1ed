"""A run in two steps: the longest page starts once the results it uses are shared, the rest is computed beside it
(kit.report.pages.prepare(parts=...), map_shared, kit.report.execute.Gate / _execute_all(hold=...))."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from kit.report import execute, pages
from kit.report.pages import _prepare

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures_report" / "analysis.yaml"


# ---- prepare(parts=...) ---------------------------------------------------------------------------------------


def test_prepare_computes_the_parts_asked_and_names_an_unknown_one(monkeypatch):
    done: list[str] = []
    monkeypatch.setattr(_prepare, "SHARED", tuple((n, lambda ctx, n=n: done.append(n)) for n in ("a", "b", "c")))
    assert pages.prepare(object(), parts=("c", "a")) == []   # type: ignore[arg-type]
    assert done == ["a", "c"]                                 # in the order of SHARED, not of the question
    assert pages.prepare(object()) == [] and done == ["a", "c", "a", "b", "c"]   # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"no part named \['scorcard'\]; the parts are \['a', 'b', 'c'\]"):
        pages.prepare(object(), parts=("scorcard",))           # type: ignore[arg-type]


def test_the_first_parts_are_parts_and_each_part_is_computed_once_over_the_two_steps(fixture_config):
    assert set(pages.FIRST) < set(pages.PARTS)
    ctx = pages.context(fixture_config, period="latest", smoke=True)
    assert pages.prepare(ctx, parts=pages.FIRST) == []
    first = {k: v[0] for k, v in ctx._cache.items()}
    assert {"scorecard", "customer_value"} <= set(first) and "plan" not in first
    assert pages.prepare(ctx, parts=[p for p in pages.PARTS if p not in pages.FIRST]) == []
    assert all(ctx._cache[k][0] is v for k, v in first.items())   # not computed again
    alone = pages.context(fixture_config, period="latest", smoke=True)
    assert pages.prepare(alone) == []
    pd.testing.assert_frame_equal(pages.get_scorecard(ctx), pages.get_scorecard(alone))
    pd.testing.assert_frame_equal(pages.plan_frame(ctx), pages.plan_frame(alone))


# ---- the run works on the tables it shared ----------------------------------------------------------------------


def test_map_shared_swaps_the_tables_for_their_mapped_files_and_keeps_the_results(fixture_config, tmp_path):
    ctx = pages.context(fixture_config, period="latest", smoke=True)
    assert pages.prepare(ctx, parts=pages.FIRST) == []
    before = {t: getattr(ctx.data, t).copy() for t in ctx.data.available()}
    card = pages.get_scorecard(ctx)
    assert pages.map_shared(ctx, tmp_path) == []                 # nothing shared there yet: nothing swapped
    pages.share(ctx, tmp_path)
    swapped = pages.map_shared(ctx, tmp_path)
    assert swapped == sorted(before)                              # every fixture table is Arrow-exact
    for table, frame in before.items():
        pd.testing.assert_frame_equal(getattr(ctx.data, table), frame, check_exact=True)
    maps = Path("/proc/self/maps")
    if maps.exists():                                             # Linux: the run maps the file
        assert str((tmp_path / f"{pages.SHARED_FILE}.orders").resolve()) in maps.read_text()
    assert pages.get_scorecard(ctx) is card                       # cached by name: still the same result
    files = {p.name: p.stat() for p in tmp_path.glob(pages.SHARED_FILE + ".*")}
    context_file = (tmp_path / pages.SHARED_FILE).stat()
    time.sleep(0.01)
    assert pages.prepare(ctx) == []
    pages.share(ctx, tmp_path)                                    # the second share, with the rest
    again = {p.name: p.stat() for p in tmp_path.glob(pages.SHARED_FILE + ".*")}
    assert {n: (s.st_ino, s.st_mtime_ns) for n, s in again.items()} == \
        {n: (s.st_ino, s.st_mtime_ns) for n, s in files.items()}  # the tables were not written again
    assert (tmp_path / pages.SHARED_FILE).stat().st_ino != context_file.st_ino
    kernel = pages.context(fixture_config, period=ctx.period.label, smoke=True, run_dir=tmp_path)
    assert "plan" in kernel._cache
    pd.testing.assert_frame_equal(kernel.data.orders, before["orders"], check_exact=True)


@pytest.mark.parametrize("change", ["replace", "write"])
def test_a_table_changed_after_the_first_share_is_written_again(fixture_config, tmp_path, change):
    ctx = pages.context(fixture_config, period="latest", smoke=True)
    pages.share(ctx, tmp_path)
    pages.map_shared(ctx, tmp_path)
    if change == "replace":
        ctx.data.orders = ctx.data.orders.head(3)                 # no longer the table in the file
    else:
        ctx.data.orders.loc[0, "revenue"] = -1.0                  # the same frame, one value written
    expected = ctx.data.orders.copy()
    pages.share(ctx, tmp_path)
    kernel = pages.context(fixture_config, period=ctx.period.label, smoke=True, run_dir=tmp_path)
    pd.testing.assert_frame_equal(kernel.data.orders, expected, check_exact=True)


# ---- the gate of _execute_all -----------------------------------------------------------------------------------


def _fake_notebooks(tmp_path: Path, cells: dict[str, int]) -> list[Path]:
    paths = []
    for name, n in cells.items():
        book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1") for _ in range(n)])
        path = tmp_path / name
        nbformat.write(book, path)
        paths.append(path)
    return paths


def _wait_for(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def recorded(monkeypatch):
    """_execute replaced by a recorder: which notebook started when (no kernel)."""
    started: list[str] = []

    def fake(source: Path, target: Path, parameters: dict, timeout: int, km: object = None,
             keep: bool = False) -> execute._Outcome:
        started.append(source.name)
        time.sleep(0.05)
        return execute._Outcome(source.name, 0.05)

    monkeypatch.setattr(execute, "_execute", fake)
    return started


def test_only_the_longest_notebook_starts_before_the_gate_opens(tmp_path, recorded):
    books = _fake_notebooks(tmp_path, {"01.ipynb": 2, "03.ipynb": 9, "05.ipynb": 4})
    converted: list[str] = []
    gate = execute.Gate()
    result: list[list[execute._Outcome]] = []
    worker = threading.Thread(target=lambda: result.append(execute._execute_all(
        books, tmp_path, {}, jobs=2, timeout=60, then=lambda p: converted.append(p.name), hold=gate)))
    worker.start()
    _wait_for(lambda: recorded)
    time.sleep(0.3)                                               # time for another to start, were it allowed
    assert recorded == ["03.ipynb"] and converted == []           # ran, but waits to be converted
    gate.open()
    worker.join(timeout=10)
    assert sorted(recorded) == ["01.ipynb", "03.ipynb", "05.ipynb"] and sorted(converted) == sorted(recorded)
    assert [o.notebook for o in result[0]] == ["01.ipynb", "03.ipynb", "05.ipynb"]   # in the given order
    assert not any(o.error for o in result[0])


def test_a_cancelled_gate_ends_the_held_notebooks_unstarted(tmp_path, recorded):
    books = _fake_notebooks(tmp_path, {"01.ipynb": 2, "03.ipynb": 9})
    gate = execute.Gate()
    result: list[list[execute._Outcome]] = []
    worker = threading.Thread(target=lambda: result.append(execute._execute_all(
        books, tmp_path, {}, jobs=2, timeout=60, then=lambda p: None, hold=gate)))
    worker.start()
    _wait_for(lambda: recorded)
    gate.cancel()
    worker.join(timeout=10)
    assert not worker.is_alive() and recorded == ["03.ipynb"]
    errors = {o.notebook: o.error for o in result[0]}
    assert errors == {"01.ipynb": "not started: the run stopped before it",
                      "03.ipynb": "not converted: the run stopped"}


def test_a_closed_pool_hands_out_no_kernel_at_once():
    """A notebook waiting for a kernel when the run stops gets None within half a second, not after the start-up
    timeout (which kept a failed run's process alive for two minutes)."""
    pool = execute._KernelPool(0, Path("."), "", startup_timeout=120)   # starts nothing: no kernel ever comes
    got: list[object] = ["waiting"]
    waiter = threading.Thread(target=lambda: got.__setitem__(0, pool.take()))
    started = time.monotonic()
    waiter.start()
    time.sleep(0.2)
    pool.close(wait=False)
    waiter.join(timeout=5)
    assert not waiter.is_alive() and got == [None] and time.monotonic() - started < 2


def test_a_run_that_fails_in_its_second_step_stops_page_3_and_leaves_nothing_behind(tmp_path, monkeypatch):
    import psutil

    from kit.report import run as run_module

    def broken(ctx: object) -> dict:
        time.sleep(2)                                             # page 3 is under way by now
        raise RuntimeError("findings broke")

    monkeypatch.setattr(run_module, "all_findings", broken)
    out = tmp_path / "r"
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="findings broke"):
        run_module.run_report(FIXTURE, out=out, smoke=True, timeout=300, jobs=2)
    assert time.monotonic() - started < 90
    assert not list(out.rglob(pages.SHARED_FILE + "*"))          # no copy of the data left
    assert [p.name.startswith("failed-") for p in out.iterdir() if p.is_dir()] == [True]
    log = next(out.glob("failed-*/run.log")).read_text(encoding="utf-8")
    assert "failed: findings broke" in log and " ERROR 01_goals.ipynb failed" not in log
    assert "the run works on the tables it shared" in log          # page 3 had been started
    _wait_for(lambda: not [c for c in psutil.Process().children() if "ipykernel" in " ".join(c.cmdline())])
