"""Benchmark of kit.models.clv: summarise_customers on a large order log against a plain DuckDB query.

Usage::

    .venv/bin/python benchmarks/bench_clv.py [--customers 1000000] [--dir DIR] [--repeat 3]
    .venv/bin/python benchmarks/bench_clv.py --synthetic 10000000   # no kit.sample: simple order log

The order log is written once as Parquet (``kit.sample.write_sample(dir, customers=..., fmt="parquet")``,
about 11 orders per customer, so 1,000,000 customers give ~11M orders; or a simple synthetic log)
and reused when it already exists in ``--dir``. Every measurement runs in its own subprocess so
its peak memory (``ru_maxrss``) is its own:

- ``duckdb sql``: the floor — one DuckDB SQL query computing frequency, recency, T and monetary
  value (weeks, one purchase per customer and day, net of refunds) straight from the Parquet
  file, fetched as a pandas DataFrame;
- ``kit (parquet path)``: ``summarise_customers(path, as_of=..., freq="W")``;
- ``kit (DataFrame)``: the same on the orders already loaded as a DataFrame (load not timed);
- ``BG/NBD fit``: ``BetaGeo().fit`` on the first 100,000 customers of the summary.

Times are the median of ``--repeat`` rounds; each round runs every measurement once, each in a
fresh subprocess, interleaved so that outside load hits them alike. Peak memory is the process's
``ru_maxrss``; "cpu s" is user + system CPU time of the process during the measured call (all
DuckDB threads; less sensitive than wall time to other load on the machine); "above idle"
subtracts the resident size right after the imports of that process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-10-01"  # exclusive: data to 2026-09-30
LAST_DAY = "2026-09-30"

FLOOR_SQL = """
WITH occ AS (
    SELECT customer_id, CAST(order_date AS DATE) AS d, sum(revenue - coalesce(refund_amount, 0)) AS net
    FROM read_parquet('{path}')
    WHERE order_date < TIMESTAMP '{as_of}'
    GROUP BY ALL
)
SELECT customer_id,
       count(*) - 1 AS frequency,
       date_diff('day', min(d), max(d)) / 7.0 AS recency,
       date_diff('day', min(d), DATE '{last_day}') / 7.0 AS T,
       CASE WHEN count(*) > 1 THEN (sum(net) - arg_min(net, d)) / (count(*) - 1) ELSE 0.0 END
           AS monetary_value
FROM occ
GROUP BY customer_id
ORDER BY customer_id
"""


def _synthetic(path: Path, orders: int, seed: int = 7) -> None:
    """A simple order log: customers ~ orders / 10, dates over three years, 15 % refunded."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    customers = max(orders // 10, 1)
    chunk = 2_000_000
    writer = None
    start = np.datetime64("2023-10-01T00:00:00", "s")
    try:
        for lo in range(0, orders, chunk):
            n = min(chunk, orders - lo)
            cid = rng.integers(0, customers, n)
            seconds = rng.integers(0, 3 * 365 * 86400, n)
            revenue = np.round(rng.gamma(2.0, 20.0, n), 2)
            refund = np.where(rng.random(n) < 0.15, revenue, 0.0)
            table = pa.table({
                "order_id": pa.array([f"O{i:09d}" for i in range(lo, lo + n)]),
                "customer_id": pa.array(np.char.add("C", np.char.zfill(cid.astype(str), 7))),
                "order_date": pa.array((start + seconds.astype("timedelta64[s]")).astype("datetime64[ns]")),
                "revenue": revenue, "refund_amount": refund,
            })
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def _prepare(args: argparse.Namespace) -> Path:
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "orders.parquet"
    if path.exists():
        return path
    started = time.perf_counter()
    if args.synthetic:
        _synthetic(path, args.synthetic)
    else:
        from kit.sample import write_sample

        write_sample(folder, customers=args.customers, fmt="parquet")
    sys.stderr.write(f"wrote {path} in {time.perf_counter() - started:.0f} s\n")
    return path


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _worker(task: str, path: str, repeat: int) -> dict[str, object]:
    """Run one measurement in this process; return wall and CPU times and peak memory."""
    import resource

    import duckdb
    import pandas as pd

    if task not in ("duckdb", "idle_floor"):  # the floor imports only what it needs
        from kit.models.clv import BetaGeo, summarise_customers

    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def floor() -> int:
        con = duckdb.connect()
        out = con.execute(FLOOR_SQL.format(path=path, as_of=AS_OF, last_day=LAST_DAY)).df()
        con.close()
        return len(out)

    if task == "duckdb":
        call = floor
    elif task == "kit_path":
        def call() -> int:
            return len(summarise_customers(path, as_of=AS_OF, freq="W"))
    elif task == "kit_frame":
        orders = pd.read_parquet(path, columns=["customer_id", "order_date", "revenue", "refund_amount"])

        def call() -> int:
            return len(summarise_customers(orders, as_of=AS_OF, freq="W"))
    elif task == "fit":
        summary = summarise_customers(path, as_of=AS_OF, freq="W").iloc[:100_000]
        summary.attrs["time_unit"] = "W"

        def call() -> int:
            return BetaGeo().fit(summary).n_
    elif task in ("idle", "idle_floor"):
        def call() -> int:
            return 0
    else:
        raise SystemExit(f"unknown task {task!r}")
    times, cpus, rows = [], [], 0
    for _ in range(repeat):
        cpu0, t0 = _cpu_seconds(), time.perf_counter()
        rows = call()
        times.append(time.perf_counter() - t0)
        cpus.append(_cpu_seconds() - cpu0)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"task": task, "seconds": statistics.median(times), "cpu": statistics.median(cpus),
            "all": times, "rows": rows, "peak_mb": peak_kb / 1024, "baseline_mb": baseline_kb / 1024}


def _check_same(path: Path) -> float:
    """Largest absolute difference between the floor query and the kit, over the four columns."""
    import duckdb
    import numpy as np

    from kit.models.clv import summarise_customers

    floor = duckdb.connect().execute(FLOOR_SQL.format(path=path, as_of=AS_OF, last_day=LAST_DAY)).df()
    ours = summarise_customers(path, as_of=AS_OF, freq="W")
    if len(floor) != len(ours) or not (floor["customer_id"].to_numpy() == ours["customer_id"].to_numpy()).all():
        return float("inf")
    return max(float(np.abs(floor[c].to_numpy(float) - ours[c].to_numpy(float)).max())
               for c in ("frequency", "recency", "T", "monetary_value"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--synthetic", type=int, default=0, help="orders of a simple synthetic log instead")
    parser.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "loyalty-kit-bench-clv"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", nargs=2, metavar=("TASK", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        _prepare(args)
        return 0
    if args.worker:
        sys.stdout.write(json.dumps(_worker(args.worker[0], args.worker[1], args.repeat)) + "\n")
        return 0

    path = Path(args.dir) / "orders.parquet"
    if not path.exists():  # generate in a child process: ru_maxrss is inherited by later children
        cmd = [sys.executable, __file__, "--prepare", "--dir", args.dir, "--customers", str(args.customers),
               "--synthetic", str(args.synthetic)]
        subprocess.run(cmd, check=True, cwd=ROOT)
    labels = {"idle_floor": "idle: duckdb + pandas imported", "idle": "idle: kit.models.clv imported",
              "duckdb": "duckdb sql (floor)",
              "kit_path": "kit summarise_customers(path)", "kit_frame": "kit summarise_customers(df)",
              "fit": "BG/NBD fit (first 100k customers)"}
    # one run per subprocess, tasks interleaved round by round, so that load from other processes
    # on the machine falls on all measurements alike; the median over rounds is reported
    runs: dict[str, list[dict[str, object]]] = {task: [] for task in labels}
    for round_ in range(args.repeat):
        for task in labels:
            if task.startswith("idle") and round_ > 0:
                continue
            proc = subprocess.run([sys.executable, __file__, "--worker", task, str(path), "--repeat", "1"],
                                  capture_output=True, text=True, check=True, cwd=ROOT)
            runs[task].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    results = {task: {"seconds": statistics.median(float(r["seconds"]) for r in rs),
                      "cpu": statistics.median(float(r["cpu"]) for r in rs),
                      "peak_mb": max(float(r["peak_mb"]) for r in rs),
                      "baseline_mb": min(float(r["baseline_mb"]) for r in rs),
                      "rows": rs[0]["rows"], "all": [round(float(r["seconds"]), 2) for r in rs]}
               for task, rs in runs.items()}
    import pyarrow.parquet as pq

    n_orders = pq.read_metadata(path).num_rows
    floor = results["duckdb"]["seconds"]
    cpu_floor = results["duckdb"]["cpu"]
    lines = [f"orders: {n_orders:,} in {path}; customers: {results['duckdb']['rows']:,}; "
             f"median of {args.repeat} interleaved runs; load average {os.getloadavg()[0]:.1f} "
             f"on {os.cpu_count()} CPUs",
             f"{'measurement':34} {'seconds':>9} {'x floor':>8} {'cpu s':>7} {'x floor':>8} {'peak MB':>9} "
             f"{'above idle':>10}"]
    for task, label in labels.items():
        r = results[task]
        compared = task in ("kit_path", "kit_frame", "duckdb")
        ratio = f"{r['seconds'] / floor:8.2f}" if compared else " " * 8
        cpu_ratio = f"{r['cpu'] / cpu_floor:8.2f}" if compared else " " * 8
        lines.append(f"{label:34} {r['seconds']:9.3f} {ratio} {r['cpu']:7.2f} {cpu_ratio} {r['peak_mb']:9.0f} "
                     f"{r['peak_mb'] - r['baseline_mb']:10.0f}   runs: {r['all']}")
    lines.append(f"max |kit - floor| over frequency, recency, T, monetary_value: {_check_same(path):.3g}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
