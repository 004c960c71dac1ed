"""Compare the report outputs of two commits byte for byte: kpis.csv, actions.csv and the customer lists.

A change that claims "no behaviour change" (a refactoring, a new layout) must leave these files identical.
The script checks out both commits into temporary git worktrees, writes the input data sets once (the bundled
sample and generated sets, written by the *first* commit's ``loyalty-kit sample``), runs ``loyalty-kit run`` of each
commit on each data set and compares the files. It prints one line per data set and file, the wall time of each
run, and exits 1 when any file differs.

Usage::

    .venv/bin/python benchmarks/compare_outputs.py BEFORE AFTER [--sets sample,600:7,1500:11] [--smoke]

``N:SEED`` is a generated set of N customers with that seed (written as Parquet with its own analysis.yaml).
Runs use the venv's Python with ``PYTHONPATH`` pointing at each worktree, so the installed ``kit`` is not used.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = ("kpis.csv", "kpis.json", "actions.csv", "watchlist.csv", "winback.csv", "advocates.csv")


def _worktree(ref: str, into: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(into), ref], check=True)
    return into


def _kit(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([sys.executable, "-m", "kit.cli", *args], cwd=tree, env=env, capture_output=True,
                          text=True, check=False)


def _data_sets(tree: Path, sets: list[str], into: Path) -> dict[str, Path]:
    configs = {}
    for spec in sets:
        if spec == "sample":
            configs["sample"] = tree / "data" / "analysis.yaml"
            continue
        customers, seed = spec.split(":")
        folder = into / f"generated-{customers}-{seed}"
        done = _kit(tree, "sample", str(folder), "--customers", customers, "--seed", seed, "--format", "parquet")
        if done.returncode != 0:
            raise SystemExit(f"sample {spec} failed:\n{done.stderr}")
        configs[spec] = folder / "analysis.yaml"
    return configs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--sets", default="sample,600:7,1500:11")
    parser.add_argument("--smoke", action="store_true", help="smoke runs (faster, fewer bootstrap draws)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="compare-"))
    trees = {}
    try:
        trees = {ref: _worktree(ref, work / f"tree-{i}") for i, ref in enumerate((args.before, args.after))}
        configs = _data_sets(trees[args.before], args.sets.split(","), work / "data")
        differ = 0
        for name, config in configs.items():
            outs = {}
            for i, (ref, tree) in enumerate(trees.items()):
                # the sample's configuration lives in each tree; generated sets are shared
                cfg = tree / "data" / "analysis.yaml" if name == "sample" else config
                out = work / f"out-{i}-{name.replace(':', '-')}"
                start = time.perf_counter()
                done = _kit(tree, "run", "--config", str(cfg), "--out", str(out), *(["--smoke"] if args.smoke else []))
                took = time.perf_counter() - start
                if done.returncode != 0:
                    print(f"{name}: run of {ref} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
                    return 1
                outs[ref] = next(p for p in out.iterdir() if p.is_dir() and not p.name.startswith((".", "failed")))
                print(f"{name}: {ref} ran in {took:.1f} s")
            a, b = outs[args.before], outs[args.after]
            for file in FILES:
                fa, fb = a / file, b / file
                if not fa.exists() and not fb.exists():
                    continue
                same = fa.exists() and fb.exists() and filecmp.cmp(fa, fb, shallow=False)
                differ += not same
                print(f"{name}: {file} {'identical' if same else 'DIFFERS'}")
        print("all identical" if not differ else f"{differ} file(s) differ")
        return 1 if differ else 0
    finally:
        for tree in trees.values():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
