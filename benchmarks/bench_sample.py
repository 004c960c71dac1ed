"""Benchmark of kit.sample: generate a large sample business as Parquet, chunk by chunk.

Usage::

    .venv/bin/python benchmarks/bench_sample.py [--customers 1000000] [--seed 7] [--dir DIR]
    .venv/bin/python benchmarks/bench_sample.py --customers 3000 --format csv   # the bundled sample

Each generation runs in its own subprocess so that its peak memory (``ru_maxrss`` of that child,
read with ``os.wait4`` when it exits) is its own. Next to it the
benchmark measures a floor: a child that only imports ``kit.sample`` and its dependencies.
``write_sample`` simulates 50,000 customers at a time and appends each chunk to the Parquet
files, so the peak should stay flat as the number of customers grows; the table shows one
chunk-sized run next to the full run to make that visible.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import sys
sys.path.insert(0, {root!r})
from kit.sample import write_sample
{body}
"""


def _run(body: str) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of a child Python process running ``body``."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", _CHILD.format(root=str(ROOT), body=body)])
    _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, body)
    return wall, usage.ru_maxrss / 1024.0  # ru_maxrss is in KiB on Linux


def _rows(folder: Path, fmt: str) -> dict[str, int]:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return {name: pq.ParquetFile(folder / f"{name}.parquet").metadata.num_rows
                for name in ("customers", "orders", "surveys", "tickets")}
    names = {"customers": "kunden.csv", "orders": "bestellungen.csv", "surveys": "surveys.csv",
             "tickets": "tickets.csv"}
    return {name: sum(1 for _ in open(folder / file, "rb")) - 1 for name, file in names.items()}


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", dest="fmt", choices=["csv", "parquet"], default="parquet")
    parser.add_argument("--dir", type=Path, default=None, help="output folder (default: a temporary one)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        base = args.dir or Path(tmp)
        rows = []
        floor_wall, floor_peak = _run("pass")
        rows.append(("floor: import kit.sample", "", "", floor_wall, floor_peak, 0.0))
        sizes = sorted({min(50_000, args.customers), args.customers})
        for n in sizes:
            out = base / f"sample_{n}_{args.fmt}"
            wall, peak = _run(f"write_sample({str(out)!r}, customers={n}, seed={args.seed}, fmt={args.fmt!r})")
            count = _rows(out, args.fmt)
            rows.append((f"write_sample {args.fmt}", f"{count['customers']:,}", f"{count['orders']:,}",
                         wall, peak, _size_mb(out)))

    header = f"{'step':<26} {'customers':>10} {'orders':>12} {'wall s':>8} {'peak MiB':>9} {'files MiB':>10}"
    sys.stdout.write(header + "\n" + "-" * len(header) + "\n")
    for step, cust, orders, wall, peak, size in rows:
        sys.stdout.write(f"{step:<26} {cust:>10} {orders:>12} {wall:>8.1f} {peak:>9.0f} {size:>10.1f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
