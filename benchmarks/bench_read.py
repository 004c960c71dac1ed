"""Benchmark of reading a large order CSV: the kit against DuckDB's and pandas' own CSV readers.

Usage::

    .venv/bin/python benchmarks/bench_read.py [--rows 10000000] [--dir /tmp/read-bench] [--repeat 3]
        [--tasks duckdb,pandas,...] [--before /tmp/read-base]

The order export is written once (and reused when it exists) in the format of the sample's
``bestellungen.csv``: UTF-8 with BOM, ``;``, decimal commas, ``DD.MM.YYYY`` dates, ``ja``/``nein``
flags and German headers, with an ``analysis.yaml`` that maps only this table (the sample's
``date_format: "%d.%m.%Y"``). The file is built column by column with Arrow compute (a few seconds for
10M rows), not by the sample generator.

Each measurement runs in a fresh subprocess, ``--repeat`` times, interleaved; the table shows the
median seconds and the median peak resident memory of the process (``ru_maxrss``) above its idle
baseline (the interpreter with pandas, pyarrow and duckdb imported), and the CPU seconds (user + system; on a
shared machine the wall time depends on the other jobs, the CPU time much less):

- ``duckdb read_csv``: ``duckdb.sql("SELECT * FROM read_csv(...)").arrow()``, typed by DuckDB's sniffer
  (the decimal comma set; it leaves the dates as text unless told, so the format is given);
- ``pandas read_csv``: ``pd.read_csv(path, sep=";")``, pandas' defaults otherwise (numbers and dates
  stay text, since pandas does not know the decimal comma or the date format unless told);
- ``pandas read_csv, text as objects`` (task ``pandas_object``): the same with pandas 3's deprecated
  ``future.infer_string`` off, so text arrives as Python objects as pandas 2's default gave it (the issue's
  reference; the venv has no pandas 2);
- ``kit read_table``: :func:`kit.data.io.read_table` (encoding and separator detected, every column
  converted by its kind);
- ``kit read_data``: :func:`kit.data.io.read_data` on the orders-only configuration (reading plus the
  quality checks: duplicates, ranges, dates, ...);
- ``..., text path``: the same with the typed reading switched off (every cell read as text and converted
  column by column in pandas, as before issue 17);
- ``... (before)``, with ``--before PATH``: the kit's readers of another checkout (``git archive`` of an earlier
  commit), run right after this one's in every round.

The ratios: ``× DuckDB`` (seconds and CPU seconds), ``pandas ÷ reader`` and ``pandas 2-style ÷ reader`` (how many
times faster than the pandas tasks). Last measured (2026-12-03, load average 1.59 at the start, 1.54 at the end;
``--tasks duckdb,pandas,pandas_object,read_table,read_data --before`` main at 0f15f2c; more in
``benchmarks/README.md``):

| reader | seconds | CPU seconds | × DuckDB | × DuckDB CPU | pandas ÷ reader | pandas 2-style ÷ reader | peak MB |
|---|---|---|---|---|---|---|---|
| DuckDB read_csv | 2.62 | 4.81 | 1.00 | 1.00 | 0.46 | 4.14 | 1,086 |
| pandas read_csv (defaults) | 1.21 | 2.30 | 0.46 | 0.48 | 1.00 | 8.99 | 1,967 |
| pandas read_csv, text as objects | 10.85 | 11.89 | 4.14 | 2.47 | 0.11 | 1.00 | 2,768 |
| kit read_table | 3.36 | 5.42 | 1.28 | 1.13 | 0.36 | 3.23 | 1,427 |
| kit read_table (before) | 7.80 | 12.85 | 2.98 | 2.67 | 0.15 | 1.39 | 1,961 |
| kit read_data (with checks) | 3.67 | 5.47 | 1.40 | 1.14 | 0.33 | 2.95 | 1,499 |
| kit read_data (with checks) (before) | 10.53 | 15.63 | 4.02 | 3.25 | 0.11 | 1.03 | 2,810 |
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CONFIG = """\
business: {{name: Read benchmark, currency: EUR}}
data:
  as_of: 2026-10-01
  tables:
    orders:
      file: {file}
      date_format: "%d.%m.%Y"
      columns: {{Bestellnummer: order_id, Kundennummer: customer_id, Bestelldatum: order_date,
                Umsatz: revenue, Erstattung: refund_amount, Retoure: returned, Menge: quantity,
                Kategorie: category, Kanal: channel}}
"""

_HEADER = "Bestellnummer;Kundennummer;Bestelldatum;Umsatz;Erstattung;Retoure;Menge;Kategorie;Kanal\n"
_CATEGORIES = ("Filterkaffee", "Espresso", "Zubehör", "Entkoffeiniert", "Probierset")
_CHANNELS = ("Webshop", "App", "Marktplatz")


def _chunk_lines(start: int, rows: int, customers: int, rng: object) -> bytes:
    """``rows`` order lines from order number ``start`` on, as UTF-8 bytes (Arrow compute, no Python loop)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def cents(values: np.ndarray) -> pa.Array:
        euros = pc.cast(pa.array(values // 100), pa.string())
        rest = pc.utf8_lpad(pc.cast(pa.array(values % 100), pa.string()), 2, "0")
        return pc.binary_join_element_wise(euros, rest, ",")

    def text(values: np.ndarray, width: int, prefix: str) -> pa.Array:
        padded = pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width, "0")
        return pc.binary_join_element_wise(pa.scalar(prefix), padded, "")

    revenue = rng.gamma(2.0, 2500.0, rows).astype("int64") + 499
    returned = rng.random(rows) < 0.06
    refund = np.where(returned & (rng.random(rows) < 0.8), revenue, 0)
    days = np.sort(rng.integers(0, 365 * 4, rows)) + np.datetime64("2022-10-01", "D").astype("int64")
    dates = pc.strftime(pa.array(days.astype("datetime64[D]")).cast(pa.timestamp("s")), format="%d.%m.%Y")
    columns = [
        text(np.arange(start, start + rows), 8, "B"),
        text(rng.integers(1, customers + 1, rows), 7, "K"),
        dates,
        cents(revenue),
        cents(refund),
        pa.array(np.where(returned, "ja", "nein")),
        pc.cast(pa.array(rng.integers(1, 7, rows)), pa.string()),
        pa.array(np.asarray(_CATEGORIES)[rng.integers(0, len(_CATEGORIES), rows)]),
        pa.array(np.asarray(_CHANNELS)[rng.integers(0, len(_CHANNELS), rows)]),
    ]
    lines = pc.binary_join_element_wise(*columns, ";")
    return ("\n".join(lines.to_pylist()) + "\n").encode("utf-8")


def write_orders(path: Path, rows: int, seed: int = 7, chunk: int = 1_000_000) -> None:
    """Write the order export of ``rows`` lines to ``path`` (about 0.9 orders per 10 customers' ids)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    customers = max(rows // 11, 1)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        fh.write(b"\xef\xbb\xbf" + _HEADER.encode("utf-8"))
        for start in range(0, rows, chunk):
            fh.write(_chunk_lines(start + 1, min(chunk, rows - start), customers, rng))
    tmp.replace(path)


def _prepare(folder: Path, rows: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / f"orders_{rows}.csv"
    if not csv_path.exists():
        started = time.perf_counter()
        write_orders(csv_path, rows)
        print(f"wrote {csv_path} ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    config = folder / f"analysis_{rows}.yaml"
    config.write_text(CONFIG.format(file=csv_path.name), encoding="utf-8")
    return config


def _pandas2_worker(csv_path: str) -> dict[str, object]:
    """``pd.read_csv(path, sep=";")`` in an interpreter with pandas 2 (no kit, no DuckDB there)."""
    import resource

    import pandas as pd

    usage = resource.getrusage(resource.RUSAGE_SELF)
    baseline_kb, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    rows = len(pd.read_csv(csv_path, sep=";"))
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime - cpu,
            "peak_mb": (usage.ru_maxrss - baseline_kb) / 1024, "rows": rows, "version": pd.__version__}


def _worker(task: str, config_path: str) -> dict[str, object]:
    import resource

    import duckdb  # noqa: F401  (imported in every worker, so the baselines are alike)
    import pandas as pd

    import kit.data._typed_csv as typed_csv
    from kit.data.config import load_config
    from kit.data.io import read_data, read_table

    config = load_config(config_path)
    source = config.data.tables["orders"]
    if task.endswith("_text"):  # the text path of before: every cell as text, converted in pandas
        typed_csv.TYPED_MIN_BYTES = 2**62
    usage = resource.getrusage(resource.RUSAGE_SELF)
    baseline_kb, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    if task == "duckdb":
        import duckdb

        connection = duckdb.connect()
        connection.execute("SET enable_progress_bar = false")
        table = connection.sql(f"SELECT * FROM read_csv('{source.file}', delim=';', decimal_separator=',', "
                               "header=true, dateformat='%d.%m.%Y')").to_arrow_table()
        rows = table.num_rows
    elif task == "pandas":
        rows = len(pd.read_csv(source.file, sep=";"))
    elif task == "pandas_object":  # text as Python objects, pandas 2's default (deprecated option of pandas 3)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pd.set_option("future.infer_string", False)
        rows = len(pd.read_csv(source.file, sep=";"))
    elif task.startswith("read_table"):
        rows = len(read_table(source, "orders", data=config.data))
    elif task.startswith("read_data"):
        rows = len(read_data(config).orders)
    else:
        raise ValueError(task)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime - cpu,
            "peak_mb": (usage.ru_maxrss - baseline_kb) / 1024, "rows": rows}


TASKS = {"duckdb": "DuckDB read_csv", "pandas": "pandas read_csv (defaults)",
         "pandas2": "pandas 2 read_csv (defaults)",
         "pandas_object": "pandas read_csv, text as objects (pandas 2's default)", "read_table": "kit read_table",
         "read_data": "kit read_data (with checks)", "read_table_text": "kit read_table, text path",
         "read_data_text": "kit read_data, text path"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--dir", default="/tmp/read-bench")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tasks", default=",".join(TASKS), help="comma-separated subset of " + ", ".join(TASKS))
    parser.add_argument("--before", help="another checkout of the kit (git archive of an earlier commit): its "
                        "read_table and read_data run too, interleaved, as '... (before)'")
    parser.add_argument("--pandas2-python", help="a Python with pandas 2 installed, for the task pandas2 (e.g. "
                        "python3 -m venv /tmp/p2 && /tmp/p2/bin/pip install 'pandas==2.2.3')")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker == "pandas2":
        print(json.dumps(_pandas2_worker(args.config)))
        return 0
    if args.worker:
        print(json.dumps(_worker(args.worker, args.config)))
        return 0
    config = _prepare(Path(args.dir), args.rows)
    csv_file = config.parent / f"orders_{args.rows}.csv"
    tasks = args.tasks.split(",")
    if "pandas2" in tasks and not args.pandas2_python:
        parser.error("the task pandas2 needs --pandas2-python PATH (a Python with pandas 2 installed)")
    if args.before:   # the kit's readers of the other checkout, right after this one's
        tasks = [t for task in tasks for t in ([task, f"{task}@before"] if task.startswith("read_") else [task])]
    load = os.getloadavg()
    results: dict[str, list[dict[str, object]]] = {t: [] for t in tasks}
    for _ in range(args.repeat):
        for task in tasks:
            tree = Path(args.before).resolve() if task.endswith("@before") else ROOT
            env = {**os.environ, "PYTHONPATH": str(tree)}
            # pandas 2's interpreter has no YAML reader: it gets the CSV file itself
            python, source = (args.pandas2_python, csv_file) if task == "pandas2" else (sys.executable, config)
            out = subprocess.run([python, __file__, "--worker", task.removesuffix("@before"), "--config",
                                  str(source)], check=True, capture_output=True, text=True, cwd=tree, env=env)
            results[task].append(json.loads(out.stdout.strip().splitlines()[-1]))
    floor = statistics.median(float(r["seconds"]) for r in results.get("duckdb", [])) if "duckdb" in results \
        else None
    pandas_s = statistics.median(float(r["seconds"]) for r in results["pandas"]) if "pandas" in results else None
    pandas2 = "pandas2" if "pandas2" in results else "pandas_object"   # the real one when it ran
    objects_s = statistics.median(float(r["seconds"]) for r in results[pandas2]) if pandas2 in results else None
    floor_cpu = statistics.median(float(r["cpu"]) for r in results["duckdb"]) if "duckdb" in results else None
    import pandas as pd

    versions = f", pandas 2: {results['pandas2'][0]['version']}" if "pandas2" in results else ""
    print(f"{args.rows:,} rows, medians of {args.repeat}, pandas {pd.__version__}{versions}; "
          "load average (1, 5, 15 min) "
          f"at the start {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}, at the end "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    reference = "pandas 2" if pandas2 == "pandas2" else "pandas 2-style"
    print(f"| reader | seconds | CPU seconds | × DuckDB | × DuckDB CPU | pandas ÷ reader | {reference} ÷ reader "
          "| peak MB above idle |")
    print("|---|---|---|---|---|---|---|---|")
    for task in tasks:
        seconds = statistics.median(float(r["seconds"]) for r in results[task])
        cpu = statistics.median(float(r["cpu"]) for r in results[task])
        peak = statistics.median(float(r["peak_mb"]) for r in results[task])
        ratio = f"{seconds / floor:.2f}" if floor else ""
        ratio_cpu = f"{cpu / floor_cpu:.2f}" if floor_cpu else ""
        faster = f"{pandas_s / seconds:.2f}" if pandas_s else ""
        faster_objects = f"{objects_s / seconds:.2f}" if objects_s else ""
        label = TASKS[task.removesuffix("@before")] + (" (before)" if task.endswith("@before") else "")
        print(f"| {label} | {seconds:.2f} | {cpu:.2f} | {ratio} | {ratio_cpu} | {faster} | {faster_objects} "
              f"| {peak:,.0f} |")
    for task in tasks:
        runs = {key: ", ".join(f"{float(r[key]):.2f}" for r in results[task]) for key in ("seconds", "cpu")}
        print(f"{task}: seconds {runs['seconds']}; CPU {runs['cpu']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
