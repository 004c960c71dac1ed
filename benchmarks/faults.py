"""Fault cases of ``loyalty-kit run`` on a copy of the bundled sample: signals at several moments, SIGKILL and the
next command, output folders that cannot be used, a date far in the future. Prints one line per case.

    PYTHONPATH=. .venv/bin/python benchmarks/faults.py [--quick]

Each case checks what a scheduler relies on: the exit code, the seconds from the signal to the exit (at most 5),
no private data copy (``.shared-context.pkl``) and no ``.tmp`` folder left, no kernel process left, ``latest``
still on the good run, ``run.log`` saying "terminated". ``--quick`` skips the baseline run and the late signals.
About 4 minutes on 2 busy cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
SHARED = ".shared-context.pkl"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "kit.cli", *args]


def _copy_sample(base: Path) -> Path:
    shutil.copytree(ROOT / "data", base / "data", ignore=shutil.ignore_patterns("truth"))
    return base / "data" / "analysis.yaml"


def _leftovers(out: Path) -> tuple[int, int]:
    if not out.exists():
        return 0, 0
    return len(list(out.glob(".*.tmp"))), len(list(out.rglob(SHARED)))


def _latest(out: Path) -> str:
    link = out / "latest"
    return os.readlink(link) if link.is_symlink() else ("folder" if link.exists() else "-")


def _wait_for(proc: subprocess.Popen, out: Path, moment: str, limit: float = 240.0) -> float:
    """Seconds waited until ``moment``: a number of seconds after the start, 'pickle' (shared results written)
    or 'notebooks' (a kernel runs)."""
    started = time.monotonic()
    while time.monotonic() - started < limit and proc.poll() is None:
        elapsed = time.monotonic() - started
        if moment.isdigit() and elapsed >= float(moment):
            return elapsed
        if moment == "pickle" and list(out.glob(f".*.tmp/{SHARED}")):
            return elapsed
        if moment == "notebooks" and any("ipykernel" in " ".join(c.cmdline())
                                         for c in _children(proc.pid)):
            time.sleep(2.0)   # a cell is running
            return time.monotonic() - started
        time.sleep(0.1)
    return time.monotonic() - started


def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def signal_case(config: Path, out: Path, sig: signal.Signals, moment: str) -> dict[str, object]:
    before = _latest(out)
    failed_before = set(out.glob("failed-*"))
    proc = subprocess.Popen(_cmd("run", "--config", str(config), "--out", str(out), "--smoke"), env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    waited = _wait_for(proc, out, moment)
    kernels = [c for c in _children(proc.pid) if "ipykernel" in " ".join(c.cmdline())]
    sent = time.monotonic()
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    took = time.monotonic() - sent
    time.sleep(0.5)
    alive = [k.pid for k in kernels if k.is_running() and k.status() != psutil.STATUS_ZOMBIE]
    if sig == signal.SIGKILL:
        for pid in alive:   # the orphaned kernels of the killed run (they poll their parent and end soon too)
            with_kill = psutil.Process(pid)
            with_kill.kill()
    tmp_dirs, pickles = _leftovers(out)
    new = [p for p in out.glob("failed-*") if p not in failed_before]
    said: object = "no run folder yet (still reading)"
    if new and (new[0] / "run.log").is_file():
        said = "terminated" in (new[0] / "run.log").read_text(encoding="utf-8")
    return {"case": f"{sig.name} at {moment}{'' if not moment.isdigit() else ' s'}", "after_s": round(waited, 1),
            "exit": proc.returncode, "exit_s": round(took, 2), "tmp_left": tmp_dirs, "pickle_left": pickles,
            "kernels_left": len(alive), "latest_kept": _latest(out) == before,
            "log_says_terminated": said, "console": (err.strip().splitlines() or [""])[-1][:70]}


def sigkill_then_next(config: Path) -> dict[str, object]:
    out = config.parent.parent / "reports"   # the default folder, which validate cleans as well
    row = signal_case(config, out, signal.SIGKILL, "pickle")
    left_before = _leftovers(out)
    done = subprocess.run(_cmd("validate", "--config", str(config)), env=_env(), capture_output=True, text=True)
    left_after = _leftovers(out)
    failed = sorted(out.glob("failed-*"))
    return {"case": "SIGKILL, then validate", "exit": row["exit"], "tmp_left": f"{left_before[0]} -> {left_after[0]}",
            "pickle_left": f"{left_before[1]} -> {left_after[1]}", "validate_exit": done.returncode,
            "kept_as": failed[-1].name if failed else "-"}


def output_case(config: Path, name: str, out: Path) -> dict[str, object]:
    started = time.monotonic()
    done = subprocess.run(_cmd("run", "--config", str(config), "--out", str(out), "--smoke"), env=_env(),
                          capture_output=True, text=True)
    lines = done.stderr.strip().splitlines()
    return {"case": name, "exit": done.returncode, "seconds": round(time.monotonic() - started, 1),
            "stderr_lines": len(lines), "message": (lines or [""])[-1][:110]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="no baseline run, fewer signal moments")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="kit-faults-"))
    config = _copy_sample(base)
    out = base / "out"
    rows: list[dict[str, object]] = []
    if not args.quick:
        started = time.monotonic()
        good = subprocess.run(_cmd("run", "--config", str(config), "--out", str(out), "--smoke"), env=_env(),
                              capture_output=True, text=True)
        rows.append({"case": "baseline smoke run", "exit": good.returncode,
                     "seconds": round(time.monotonic() - started, 1), "latest": _latest(out)})
    moments = ["3", "notebooks"] if args.quick else ["3", "8", "15", "pickle", "notebooks"]
    for moment in moments:
        rows.append(signal_case(config, out, signal.SIGTERM, moment))
    rows.append(signal_case(config, out, signal.SIGINT, "notebooks"))
    rows.append(sigkill_then_next(config))
    a_file = base / "a-file"
    a_file.write_text("x")
    rows.append(output_case(config, "--out is a file", a_file))
    copied = base / "copied"
    (copied / "latest").mkdir(parents=True)
    rows.append(output_case(config, "latest is a real folder", copied))
    if os.geteuid() != 0:
        ro = base / "read-only"
        ro.mkdir()
        ro.chmod(0o555)
        rows.append(output_case(config, "read-only --out", ro / "reports"))
    else:
        rows.append({"case": "read-only --out", "note": "not run: root ignores permissions (tests/test_outdir.py "
                                                         "simulates it)"})
    orders = config.parent / "sample" / "bestellungen.csv"
    lines = orders.read_text(encoding="utf-8").split("\n")
    lines[5] = lines[5].replace(lines[5].split(";")[2], "31.12.2200")
    orders.write_text("\n".join(lines), encoding="utf-8")
    rows.append(output_case(config, "one order dated 31.12.2200", base / "future"))
    for row in rows:
        print("  ".join(f"{k}={v}" for k, v in row.items()))
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
