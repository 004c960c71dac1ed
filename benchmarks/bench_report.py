"""Benchmark of the full report run on the bundled sample against a papermill + nbconvert floor.

Usage::

    .venv/bin/python benchmarks/bench_report.py [--jobs 2] [--repeat 3] [--skip-full] [--skip-large]

Each measurement runs in its own subprocess:

- ``floor``: papermill executes five notebooks that only import pandas, seaborn and statsmodels
  and draw one plot, with the same parallelism, then nbconvert turns each into HTML. This is the
  cost of kernels, imports and conversion alone: no data, no kit.
- ``report --smoke``: ``kit.report.run_report`` on the sample with ``smoke=True`` (what the tests run, but here
  in a tuned process, as the command runs it; the tests do not tune their process).
- ``report``: the full run, as ``make report`` does it (``run_report`` after the ``loyalty-kit`` command's
  ``tune_this_process()``: freed memory kept for reuse in the run and, by ``run_report``, in its kernels).
- ``large``: the full run on a generated business of ``--customers`` customers (100,000 by default,
  about 1.1M orders; ``kit.sample.write_sample(..., fmt="parquet")``; generation is not timed).

``CPU s`` is the CPU time of the run and its kernels (user + system, ``getrusage``): on a shared machine it
moves much less than the wall time. Peak memory is reported twice: ``tree peak`` = the largest sum of resident
memory of the process and all its descendants (kernels included), sampled every 0.1 s with psutil when it is
installed;
``PSS peak`` = the largest sum of proportional set sizes, sampled every 2 s (``/proc/<pid>/smaps_rollup``: a page
shared by several processes, such as the libraries every kernel maps, counts once in the sum, split among them),
i.e. the memory the tree uses on the machine; ``max single`` = the largest resident set of the run process
itself or any one child (ru_maxrss). ``--large-config PATH --only-large`` measures a large business written
before (the 1M-customer report of issue 17) ``--repeat`` times. Times are medians of the rounds; the memory
peaks in the table are the largest of the rounds, and the "each run" line gives every round's PSS peak.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLOOR_CELLS = [
    "import pandas as pd\nimport seaborn as sns\nimport statsmodels.api as sm",
    "ax = sns.histplot(pd.Series(range(1000)) % 37)\nax",
]


def _pss_kb(pid: int) -> int | None:
    """Proportional set size of a process in kB (shared pages split among the processes sharing them), read from
    ``/proc/<pid>/smaps_rollup`` (Linux 4.14+); None where there is none."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except (OSError, StopIteration, ValueError):
        return None


def _tree_sampler(stop: threading.Event, peak: list[float]) -> None:
    """``peak[0]``: the largest sum of resident sets of the process tree; ``peak[1]``: of proportional set sizes
    (each process's share of the pages it shares with others: the libraries every kernel maps count once, not six
    times, so this sum is the machine's memory in use)."""
    try:
        import psutil
    except ImportError:  # psutil is optional here: only ru_maxrss then
        return
    me = psutil.Process()
    tick = 0
    while not stop.is_set():
        # the resident sets every 0.1 s; the proportional sizes every 2 s: the kernel walks every page table for
        # them (26 ms for a process holding 2 GB of tables), which at 0.1 s cost the run 65 s of CPU at 1M
        total, proportional, with_pss = 0, 0, tick % 20 == 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
            if with_pss:
                proportional += (_pss_kb(proc.pid) or 0) * 1024
        peak[0] = max(peak[0], total / 2**20)
        if with_pss:
            peak[1] = max(peak[1], proportional / 2**20)
        tick += 1
        stop.wait(0.1)


def _floor(folder: Path, jobs: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    books = []
    for i in range(5):
        book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in FLOOR_CELLS])
        book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        path = folder / f"floor_{i}.ipynb"
        nbformat.write(book, path)
        books.append(path)

    def one(path: Path) -> None:
        out = path.with_name(path.stem + "_out.ipynb")
        papermill.execute_notebook(str(path), str(out), kernel_name="python3", progress_bar=False)
        body, _ = HTMLExporter(template_name="lab", exclude_input=True).from_filename(str(out))
        out.with_suffix(".html").write_text(body, encoding="utf-8")

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, books))


def _child(kind: str, jobs: int, customers: int, large_config: str | None = None) -> None:
    stop, peak = threading.Event(), [0.0, 0.0]
    with tempfile.TemporaryDirectory() as tmp:
        config = ROOT / "data" / "analysis.yaml"
        if kind == "large" and large_config:
            config = Path(large_config)
        elif kind == "large":
            from kit.sample import write_sample

            write_sample(Path(tmp) / "data", customers=customers, seed=7, fmt="parquet")
            config = Path(tmp) / "data" / "analysis.yaml"
        sampler = threading.Thread(target=_tree_sampler, args=(stop, peak), daemon=True)
        sampler.start()
        started = time.perf_counter()
        if kind == "floor":
            _floor(Path(tmp), jobs)
        else:
            from kit.report import run_report
            from kit.report.allocator import tune_this_process

            tune_this_process()   # as the loyalty-kit command does at its start
            run_report(config, "latest", out=Path(tmp) / "reports", jobs=jobs, timeout=1200,
                       smoke=(kind == "smoke"))
        seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    single = max(own.ru_maxrss, kids.ru_maxrss) / 1024
    # CPU seconds of the run and of its (ended) kernels: much less sensitive to other load than the wall time
    cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    print(json.dumps({"seconds": seconds, "tree_peak_mb": peak[0] or None, "tree_pss_peak_mb": peak[1] or None,
                      "max_single_mb": single, "cpu_s": cpu}))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-full", action="store_true", help="measure floor and smoke run only")
    parser.add_argument("--skip-large", action="store_true", help="leave out the generated large business")
    parser.add_argument("--customers", type=int, default=100_000, help="customers of the large business")
    parser.add_argument("--large-config", help="analysis.yaml of a large business written before (e.g. 1M customers "
                        "by kit.sample.write_sample(..., fmt='parquet')): measured instead of generating one")
    parser.add_argument("--only-large", action="store_true", help="measure the large business only (--repeat times)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of floor, smoke and full (interleaved, so load drifts hit all alike); "
                             "medians are reported")
    parser.add_argument("--child", choices=["floor", "smoke", "full", "large"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.jobs, args.customers, args.large_config)
        return 0
    large = ("large", f"report ({args.large_config or f'generated, {args.customers:,} customers'})")
    kinds = [("floor", "floor: papermill + nbconvert, 5 trivial notebooks"), ("smoke", "report --smoke (sample)")]
    if not args.skip_full:
        kinds.append(("full", "report (sample, full)"))
    rounds = [kinds] * max(1, args.repeat)
    if args.only_large:
        rounds = [[large]] * max(1, args.repeat)
    elif not args.skip_large:
        rounds.append([large])
    runs: dict[str, list[dict[str, float]]] = {}
    labels = dict([*kinds, large])
    for kinds_ in rounds:
        for kind, label in kinds_:
            extra = ["--large-config", args.large_config] if args.large_config else []
            done = subprocess.run([sys.executable, __file__, "--child", kind, "--jobs", str(args.jobs),
                                   "--customers", str(args.customers), *extra],
                                  capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(f"{label:<52} failed:\n{done.stderr[-2000:]}")
                return 1
            runs.setdefault(kind, []).append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"{'run (median of ' + str(max(1, args.repeat)) + ')':<52}{'seconds':>9}{'tree peak MB':>14}"
          f"{'PSS peak MB':>13}{'max single MB':>15}{'x floor':>9}{'CPU s':>8}{'x floor':>9}")
    floor = statistics.median(r["seconds"] for r in runs["floor"]) if "floor" in runs else math.nan
    floor_cpu = statistics.median(r["cpu_s"] for r in runs["floor"]) if "floor" in runs else math.nan
    for kind, rs in runs.items():
        seconds = statistics.median(r["seconds"] for r in rs)
        peaks = [r["tree_peak_mb"] for r in rs if r["tree_peak_mb"]]
        tree = f"{max(peaks):.0f}" if peaks else "–"
        pss_peaks = [r["tree_pss_peak_mb"] for r in rs if r.get("tree_pss_peak_mb")]
        pss = f"{max(pss_peaks):.0f}" if pss_peaks else "–"
        single = max(r["max_single_mb"] for r in rs)
        cpu = statistics.median(r["cpu_s"] for r in rs)
        print(f"{labels[kind]:<52}{seconds:>9.1f}{tree:>14}{pss:>13}{single:>15.0f}{seconds / floor:>8.2f}x"
              f"{cpu:>8.1f}{cpu / floor_cpu:>8.2f}x")
        if len(rs) > 1:
            print(f"{'':<4}each run: " + ", ".join(
                f"{r['seconds']:.1f} s ({r['cpu_s']:.1f} s CPU, PSS peak "
                f"{r.get('tree_pss_peak_mb') or math.nan:.0f} MB)" for r in rs))
    if "large" in runs and args.large_config:
        # the estimate a run makes before reading (kit/report/memory.py) beside what this run measured: the
        # constants there come from these measurements, so a change that moves the peak shows here
        from kit.data.config import load_config
        from kit.report.memory import estimate_bytes, input_rows

        cfg = load_config(Path(args.large_config))
        rows = sum(n for n in (input_rows(s) for s in cfg.data.tables.values()) if n is not None)
        pss_peaks = [r["tree_pss_peak_mb"] for r in runs["large"] if r.get("tree_pss_peak_mb")]
        measured = f"{max(pss_peaks) * 2**20 / 1e9:.1f} GB" if pss_peaks else "not measured"
        print(f"memory: {rows:,} input rows; the run's estimate (kit.report.memory) {estimate_bytes(rows) / 1e9:.1f} "
              f"GB; PSS peak measured {measured}")
    print("targets: sample report (full) within 1.3x of the floor (issue 17); 100k customers under 90 s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
