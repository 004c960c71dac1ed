"""Will a report run fit in this machine's memory? An estimate from the inputs' rows, made before any reading.

A run holds the tables and what is computed from them in its own process and in the kernels that run the pages.
Measured on the generated business (``loyalty-kit sample --format parquet --part-customers 1000000``;
``benchmarks/bench_report.py``, the peak of the proportional set sizes of all processes of a run, 2 kernels):

============  ============  ==========  ===================  ==========
customers     input rows    PSS peak    estimate (the line)  run time
============  ============  ==========  ===================  ==========
1,000,000     17.4 million  6.2 GB      6.0 GB               95 s
2,000,000     34.9 million  11.0 GB     11.3 GB              255 s
4,000,000     69.7 million  21.7 GB     21.7 GB              507 s
============  ============  ==========  ===================  ==========

so :func:`estimate_bytes` is the least-squares line through them, rounded: 0.8 GB plus :data:`BYTES_PER_ROW`
per input row (within 3 % of each measurement). Data of another shape need more or less per row: the estimate is
a rough one. So a run is refused only when the estimate is :data:`REFUSE_FACTOR` times the memory available or more
(a run that large would be stopped by the system's out-of-memory killer after minutes of work, with no report and
no clear message); from :data:`WARN_FACTOR` times it runs with a warning (the 4M run above, with 23.4 GB available,
was warned and fit). ``loyalty-kit run --no-memory-check`` runs anyway. ``loyalty-kit validate`` and a notebook
that reads the data itself (:func:`kit.report.pages.context` outside a run; ``memory_check=False``) check too.

Rows are counted without reading the tables: a Parquet file (or folder) says how many it holds; a CSV file's rows
are its size divided by the mean length of the lines in its first and last megabyte. Excel sheets (limited by
``data.max_rows``), JSON and compressed files are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kit.errors import KitError

if TYPE_CHECKING:
    from kit.data.config import AnalysisConfig, TableSource

__all__ = ["BYTES_PER_ROW", "BASE_BYTES", "REFUSE_FACTOR", "WARN_FACTOR", "MemoryShortError", "input_rows",
           "estimate_bytes", "available_bytes", "memory_verdict", "check_memory"]

#: Bytes a run holds per input row (all tables), above :data:`BASE_BYTES`; measured, see the module's table.
BYTES_PER_ROW = 300
#: Where the measured line meets zero rows (the run and two kernels with their libraries take about that).
BASE_BYTES = 800_000_000
#: A run whose estimate is this many times the available memory (or more) is refused.
REFUSE_FACTOR = 1.2
#: From this many times the available memory, the run goes ahead with a warning.
WARN_FACTOR = 0.8

_SAMPLE = 1 << 20


class MemoryShortError(KitError):
    """The inputs are too large for the memory of this machine: the run would be killed by the system."""


@dataclass(frozen=True)
class Verdict:
    """What :func:`memory_verdict` found: ``refuse`` and ``warn`` are the message or None."""

    rows: int
    needed: int
    available: int | None
    refuse: str | None = None
    warn: str | None = None


def _csv_rows(path: Path) -> int:
    """Data rows of a CSV: counted in a small file; in a large one, its size over the mean line length of its
    first and last megabyte (ids and amounts grow longer down a file)."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(_SAMPLE)
        if size <= len(head):
            lines = head.count(b"\n") + (0 if head.endswith(b"\n") or not head else 1)
            return max(lines - 1, 0)
        f.seek(max(size - _SAMPLE, len(head)))
        tail = f.read(_SAMPLE)
    tail = tail[tail.find(b"\n") + 1:]   # from the first whole line
    lines = head.count(b"\n") + tail.count(b"\n")
    if lines == 0:
        return 0
    return max(round(size / ((len(head) + len(tail)) / lines)) - 1, 0)


def input_rows(source: TableSource) -> int | None:
    """Rows of one table's input, without reading it: exact for Parquet (its metadata), estimated for an
    uncompressed CSV; None for what is not counted (Excel, JSON, compressed files, a missing file).

    Examples
    --------
    >>> import tempfile
    >>> from kit.data.config import TableSource
    >>> p = Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = p.write_text("id;x\\n1;a\\n2;b\\n", encoding="utf-8")
    >>> input_rows(TableSource(file=p))
    2
    """
    path = Path(source.file)
    try:
        if path.is_dir():
            import pyarrow.parquet as pq

            from kit.data._parquet_folder import parquet_parts

            return sum(pq.ParquetFile(p).metadata.num_rows for p in parquet_parts(path))
        suffix = path.suffix.lower()
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        if suffix in (".csv", ".txt", ".tsv"):
            return _csv_rows(path)
    except Exception:   # noqa: BLE001 - a file that cannot be counted is counted as unknown; the reader names it
        return None
    return None


def estimate_bytes(rows: int) -> int:
    """Memory a run needs for ``rows`` input rows (all tables): :data:`BASE_BYTES` + :data:`BYTES_PER_ROW` each.

    Examples
    --------
    >>> round(estimate_bytes(69_741_634) / 1e9, 1)    # the generated business at 4M customers: 21.7 GB measured
    21.7
    """
    return BASE_BYTES + BYTES_PER_ROW * int(rows)


def _meminfo(text: str) -> dict[str, int]:
    values = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            values[key] = int(parts[0]) * 1024
    return values


def available_bytes(meminfo: str | None = None, cgroup_max: str | None = None,
                    cgroup_current: str | None = None) -> int | None:
    """Memory a run may take now: Linux's ``MemAvailable`` plus free swap, or the room left under the
    container's cgroup limit when that is smaller; None where neither can be read (not Linux).

    The arguments are the files' texts (for tests); by default they are read from ``/proc`` and
    ``/sys/fs/cgroup``.

    Examples
    --------
    >>> available_bytes("MemTotal: 100 kB\\nMemAvailable: 60 kB\\nSwapFree: 4 kB\\n", "max", "0")
    65536
    >>> available_bytes("MemAvailable: 60 kB\\n", "40960", "8192")    # the container allows 40 kB, uses 8 kB
    32768
    """
    def read(path: str) -> str | None:
        try:
            return Path(path).read_text()
        except OSError:
            return None

    meminfo = read("/proc/meminfo") if meminfo is None else meminfo
    room = None
    if meminfo:
        info = _meminfo(meminfo)
        if "MemAvailable" in info:
            room = info["MemAvailable"] + info.get("SwapFree", 0)
    limit = read("/sys/fs/cgroup/memory.max") if cgroup_max is None else cgroup_max
    used = read("/sys/fs/cgroup/memory.current") if cgroup_current is None else cgroup_current
    if limit and limit.strip().isdigit() and used and used.strip().isdigit():
        left = max(int(limit) - int(used), 0)
        room = left if room is None else min(room, left)
    return room


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB"


def memory_verdict(rows: dict[str, int | None], available: int | None, *, command: str = "run") -> Verdict:
    """Refuse, warn or go ahead, for the inputs' rows (table -> rows, None = not counted) and the memory available.

    ``command`` is ``"run"``, ``"validate"`` or ``"kernel"`` (a notebook reading the data). ``validate`` is held
    to the report's line too: it took about half of it at 35 and 70 million rows (4.7 and 9.2 GB), but at 157
    million it was stopped by the system at 24.4 GB, above the half, so the half is not a safe line.

    Examples
    --------
    >>> v = memory_verdict({"orders": 100_000_000, "contacts": 30_000_000, "customers": 9_000_000},
    ...                    available=22_000_000_000)
    >>> v.refuse is not None, _gb(v.needed)
    (True, '42.5 GB')
    >>> memory_verdict({"orders": 11_000_000}, available=22_000_000_000).refuse is None
    True
    """
    counted = {name: n for name, n in rows.items() if n is not None}
    total = sum(counted.values())
    needed = estimate_bytes(total)
    verdict = Verdict(rows=total, needed=needed, available=available)
    if available is None or available <= 0 or needed < WARN_FACTOR * available:
        return verdict
    largest = max(counted, key=counted.__getitem__) if counted else "?"
    task = "a report of that size needs" if command == "run" else "reading and checking them may need up to"
    what = (f"the inputs hold {total:,} rows ({largest}: {counted.get(largest, 0):,}); {task} "
            f"about {_gb(needed)} of memory (estimated: {_gb(BASE_BYTES)} and {BYTES_PER_ROW} bytes per row, "
            f"measured on the generated business), and {_gb(available)} are available")
    who, override = _WHO.get(command, _WHO["run"])
    if needed >= REFUSE_FACTOR * available:
        return Verdict(total, needed, available, refuse=(
            f"{what}. The system would stop {who} when the memory runs out, after minutes of work and with no "
            f"message. Use fewer rows (a shorter export of {largest}: the rows are counted before any where: "
            f"filter), a machine with more memory, or pass {override} to try anyway"))
    return Verdict(total, needed, available, warn=f"{what}: {who} may run out of memory")


#: command -> (who the system would stop, how to go on anyway)
_WHO = {"run": ("loyalty-kit run", "--no-memory-check"), "validate": ("loyalty-kit validate", "--no-memory-check"),
        "kernel": ("this kernel", "memory_check=False")}


def check_memory(config: AnalysisConfig, *, command: str = "run") -> Verdict:
    """:func:`memory_verdict` for ``config``'s inputs on this machine (``command``: ``"run"``, ``"validate"`` or
    ``"kernel"``, a notebook that reads the data itself: :func:`kit.report.pages.context`).

    Raises
    ------
    MemoryShortError
        The estimate is :data:`REFUSE_FACTOR` times the available memory or more.
    """
    rows = {name: input_rows(source) for name, source in config.data.tables.items()}
    verdict = memory_verdict(rows, available_bytes(), command=command)
    if verdict.refuse:
        raise MemoryShortError(verdict.refuse)
    return verdict

