"""Kaplan-Meier on 1M lifetimes: kit.KaplanMeier against statsmodels' SurvfuncRight on the same durations.

Target (issue 17): within 1.5x of ``SurvfuncRight`` (the estimator kit wraps; the rest is the kit's own work:
dropping incomplete rows, groups, the bands and the median interval). Prints the median of ``--repeat`` runs.

Usage: ``.venv/bin/python benchmarks/bench_survival.py [--n 1000000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from statsmodels.duration.survfunc import SurvfuncRight

from kit.models.survival import KaplanMeier


def _median_seconds(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    durations = np.round(rng.exponential(300, args.n))  # days, many ties as in real lifetimes
    events = rng.random(args.n) < 0.7
    groups = np.where(rng.random(args.n) < 0.5, "Abo", "Einzelkauf")
    floor = _median_seconds(lambda: SurvfuncRight(durations, events.astype(float)), args.repeat)
    kit_all = _median_seconds(lambda: KaplanMeier().fit(durations, events), args.repeat)
    floor_2 = _median_seconds(lambda: [SurvfuncRight(durations[groups == g], events[groups == g].astype(float))
                                       for g in ("Abo", "Einzelkauf")], args.repeat)
    kit_2 = _median_seconds(lambda: KaplanMeier().fit(durations, events, groups), args.repeat)
    print(f"{args.n:,} lifetimes, median of {args.repeat}")
    print(f"one curve:  statsmodels {floor:.3f} s, kit {kit_all:.3f} s -> {kit_all / floor:.2f}x (target <= 1.5x)")
    print(f"two groups: statsmodels {floor_2:.3f} s, kit {kit_2:.3f} s -> {kit_2 / floor_2:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
