"""Run every benchmark script in this folder, one after the other, each in its own process.

Usage: ``.venv/bin/python benchmarks/run_all.py [name ...]`` (names without ``bench_`` and ``.py``).
Benchmarks are not tests: they print time and peak memory next to a floor measured in the same run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in argv]
    failed = 0
    for script in scripts:
        sys.stdout.write(f"\n=== {script.name}\n")
        sys.stdout.flush()
        failed += subprocess.run([sys.executable, str(script)], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
