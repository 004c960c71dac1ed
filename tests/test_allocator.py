"""The allocator settings of a report run (kit/report/allocator.py): where they apply, where they must not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kit.report.allocator import KERNEL_ENV, kernel_env

ROOT = Path(__file__).resolve().parents[1]
LINUX = sys.platform.startswith("linux")

# in a fresh process: the bytes glibc newly holds in mmap'ed blocks (mallinfo2().hblkhd) while a 200 MB array lives,
# the Arrow pool's backend and NumPy's huge-page advice, after tune_this_process() when TUNE is set
PROBE = """
import ctypes, json, os, sys
import numpy as np
import pyarrow as pa
from kit.report.allocator import tune_this_process
tuned = tune_this_process() if os.environ.get("TUNE") else False

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Mallinfo2
before = libc.mallinfo2().hblkhd   # blocks the imports mapped
first = np.ones(25_000_000)   # 200 MB
mapped_first = libc.mallinfo2().hblkhd - before
del first
second = np.ones(25_000_000)
from numpy._core.multiarray import _get_madvise_hugepage
print(json.dumps({"tuned": tuned, "mapped_first": mapped_first, "mapped_second": libc.mallinfo2().hblkhd - before,
                  "pool": pa.default_memory_pool().backend_name, "hugepages": bool(_get_madvise_hugepage())}))
"""


def _probe(**env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k not in (*KERNEL_ENV, "GLIBC_TUNABLES", "TUNE")}
    out = subprocess.run([sys.executable, "-c", PROBE], env={**clean, **env}, cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def _glibc() -> bool:
    import ctypes

    return LINUX and hasattr(ctypes.CDLL(None), "mallinfo2")


needs_glibc = pytest.mark.skipif(not _glibc(), reason="glibc >= 2.33 (mallinfo2) on Linux only")


@needs_glibc
def test_by_default_a_large_array_is_its_own_mapping():
    """The baseline the tuning changes: glibc maps a 200 MB array by itself (and unmaps it when freed)."""
    seen = _probe()
    assert seen["tuned"] is False
    assert seen["mapped_first"] >= 200_000_000
    assert seen["pool"] != "system"   # Arrow's own pool (mimalloc or jemalloc, as pyarrow was built)


@needs_glibc
def test_tuned_process_takes_large_arrays_from_the_heap_and_arrow_uses_it():
    seen = _probe(TUNE="1")
    assert seen["tuned"] is True
    assert seen["mapped_first"] == 0 and seen["mapped_second"] == 0   # from the heap, reused, not mapped
    assert seen["pool"] == "system" and seen["hugepages"] is False


@needs_glibc
def test_a_kernel_started_inside_kernel_env_gets_the_settings(monkeypatch):
    """The same effect in a process that only inherits the environment (as a report's kernels do)."""
    for name in (*KERNEL_ENV, "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)
    with kernel_env():
        env = {k: os.environ[k] for k in KERNEL_ENV}
    seen = _probe(**env)
    assert seen["mapped_first"] == 0 and seen["pool"] == "system" and seen["hugepages"] is False


@needs_glibc
def test_the_users_own_setting_stands():
    seen = _probe(TUNE="1", MALLOC_MMAP_MAX_="65536")
    assert seen["tuned"] is False and seen["pool"] == "mimalloc"
    seen = _probe(TUNE="1", GLIBC_TUNABLES="glibc.malloc.check=0")
    assert seen["tuned"] is False


@needs_glibc
def test_kernel_env_is_set_inside_and_removed_after(monkeypatch):
    for name in (*KERNEL_ENV, "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)
    with kernel_env():
        assert {k: os.environ[k] for k in KERNEL_ENV} == KERNEL_ENV
        with kernel_env():   # nested: the outer block's settings stay
            pass
        assert {k: os.environ[k] for k in KERNEL_ENV} == KERNEL_ENV
    assert not any(name in os.environ for name in KERNEL_ENV)


def test_kernel_env_leaves_a_users_setting_alone(monkeypatch):
    for name in KERNEL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    with kernel_env():
        assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"
        assert "MALLOC_MMAP_MAX_" not in os.environ
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"


def test_kernel_env_is_removed_when_the_block_fails(monkeypatch):
    for name in (*KERNEL_ENV, "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError), kernel_env():
        raise RuntimeError("a failed run")
    assert not any(name in os.environ for name in KERNEL_ENV)


@needs_glibc
def test_run_report_starts_its_work_inside_kernel_env(monkeypatch, tmp_path):
    """run_report itself is wrapped: what it starts (kernels) inherits the settings; afterwards they are gone."""
    from kit.report import run as run_module

    for name in (*KERNEL_ENV, "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)
    seen: dict[str, str | None] = {}

    def spy(path):
        seen.update({k: os.environ.get(k) for k in KERNEL_ENV})
        raise RuntimeError("stop here")

    monkeypatch.setattr(run_module, "load_config", spy)
    with pytest.raises(RuntimeError, match="stop here"):
        run_module.run_report(tmp_path / "analysis.yaml")
    assert seen == KERNEL_ENV
    assert not any(name in os.environ for name in KERNEL_ENV)


def test_the_command_tunes_its_process_and_main_does_not(monkeypatch):
    """``loyalty-kit`` (kit.cli:command) tunes its own process; ``main`` (called in a user's or test's process)
    leaves the process alone."""
    from kit import cli

    calls: list[str] = []
    monkeypatch.setattr("kit.report.allocator.tune_this_process", lambda: calls.append("tuned") or True)
    assert cli.main(["--version"]) == 0
    assert calls == []   # main alone: this (test) process is not the kit's
    monkeypatch.setattr(cli, "main", lambda argv=None: calls.append("main") or 0)
    assert cli.command() == 0
    assert calls == ["tuned", "main"]


@needs_glibc
def test_runs_in_parallel_threads_keep_the_settings_until_the_last_ends(monkeypatch):
    """Two report runs in one process (threads): the first to end must not take the settings from the other."""
    import threading

    for name in (*KERNEL_ENV, "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)
    first_in, first_out, second_done = threading.Event(), threading.Event(), threading.Event()
    seen: list[str | None] = []

    def first() -> None:
        with kernel_env():
            first_in.set()
            first_out.wait(5)

    def second() -> None:
        first_in.wait(5)
        with kernel_env():
            first_out.set()
            thread.join(5)   # the first run has ended
            seen.append(os.environ.get("MALLOC_MMAP_MAX_"))
        second_done.set()

    thread = threading.Thread(target=first)
    other = threading.Thread(target=second)
    thread.start()
    other.start()
    other.join(10)
    assert second_done.is_set() and seen == ["0"]
    assert not any(name in os.environ for name in KERNEL_ENV)
