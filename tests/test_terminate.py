"""SIGTERM and Ctrl-C during a run: the command ends within 5 s, stops its kernels, leaves no private data copy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures_report" / "analysis.yaml"
SHARED = ".shared-context.pkl"


def _kernels(pid: int) -> list[psutil.Process]:
    try:
        return [c for c in psutil.Process(pid).children(recursive=True) if "ipykernel" in " ".join(c.cmdline())]
    except psutil.Error:
        return []


@pytest.mark.parametrize(("sig", "code", "said"), [
    (signal.SIGTERM, 143, "SIGTERM"),
    pytest.param(signal.SIGINT, 130, "Ctrl-C", marks=pytest.mark.slow),   # the same path; ~20 s more
])
def test_signal_while_notebooks_run_ends_within_5_seconds(tmp_path, sig, code, said):
    out = tmp_path / "reports"
    proc = subprocess.Popen([sys.executable, "-m", "kit.cli", "run", "--config", str(FIXTURE), "--out", str(out),
                             "--smoke"], env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        kernels: list[psutil.Process] = []
        shared: list[Path] = []
        # kernels start ahead while the run computes what the notebooks share; they run once it is shared
        while time.monotonic() < deadline and proc.poll() is None and not (kernels and shared):
            shared = list(out.glob(f".*.tmp/{SHARED}"))
            kernels = _kernels(proc.pid)
            time.sleep(0.2)
        assert kernels, "no kernel started"
        assert shared, "the private copy should exist while the notebooks run"
        sent = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code
    assert took <= 5.0, f"took {took:.1f} s"
    assert f"terminated ({said})" in err
    time.sleep(0.5)
    assert not [k for k in kernels if k.is_running() and k.status() != psutil.STATUS_ZOMBIE]
    assert not list(out.rglob(SHARED + "*")) and not list(out.glob(".*.tmp"))
    failed = list(out.glob("failed-*"))
    assert len(failed) == 1 and f"terminated ({said})" in (failed[0] / "run.log").read_text(encoding="utf-8")
    assert not (out / "latest").exists()
