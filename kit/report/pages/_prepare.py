"""Compute once, before the kernels start, what several report pages share."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Collection, Iterator

from kit.report.pages._common import get_scorecard
from kit.report.pages._context import Context
from kit.report.pages.actions import driver_model, list_frames, plan_frame
from kit.report.pages.criteria import customer_values
from kit.report.pages.interviews import coded_comments, coded_interviews
from kit.report.pages.trends import kpi_trends

__all__ = ["prepare", "PARTS", "FIRST"]

_LOG = logging.getLogger("kit.report")

#: What :func:`prepare` computes, in order (later ones reuse the earlier ones).
SHARED = (("scorecard", get_scorecard), ("customer values", customer_values), ("drivers", driver_model),
          ("coded interviews", coded_interviews), ("coded comments", coded_comments),
          ("customer lists", list_frames), ("action plan", plan_frame), ("kpi trends", kpi_trends))

#: The names of the parts, in the order :func:`prepare` computes them.
PARTS = tuple(name for name, _ in SHARED)

#: The parts the longest page (page 3, the loyalty criteria) uses: ``loyalty-kit run`` computes and shares these
#: first and starts that page, then computes the others while it runs.
FIRST = ("scorecard", "customer values", "kpi trends")


def prepare(ctx: Context, *, timeout: float | None = None, parts: Collection[str] | None = None) -> list[str]:
    """Fill ``ctx``'s cache with the results several pages show: scorecard, customer values,
    NPS drivers, coded interviews and comments, customer lists, the action plan and the KPI trends.

    ``loyalty-kit run`` calls this once in its own process and hands the context to the
    notebooks (:func:`kit.report.pages.share`), so no kernel computes them again. A part that fails
    here is left out, and the notebook that needs it computes it and reports the failure
    at its cell, exactly as when it runs on its own.

    Parameters
    ----------
    ctx : Context
    timeout : float, optional
        Seconds each part may take (the run's cell timeout). A part that takes longer is
        stopped where that is possible (the main thread of a POSIX process) and left to the
        notebook, which then runs it under the cell timeout and fails naming its cell.
    parts : collection of str, optional
        Compute only these parts (names of :data:`SHARED`, e.g. :data:`FIRST`); None: all. A part computed
        before is not computed again.

    Returns
    -------
    list of str
        The parts that failed, each with its error ("drivers: ...").
    """
    failed: list[str] = []
    names = [name for name, _ in SHARED]
    unknown = set(parts or ()) - set(names)
    if unknown:
        raise ValueError(f"prepare(): no part named {sorted(unknown)}; the parts are {names}")
    for name, compute in SHARED:
        if parts is not None and name not in parts:
            continue
        # wall and CPU time of this thread (kernels start in other threads meanwhile): where a slow run went
        wall, cpu = time.monotonic(), time.thread_time()
        try:
            with _time_limit(timeout):
                compute(ctx)
            _LOG.info("%s computed in %.2f s (%.2f s CPU)", name, time.monotonic() - wall, time.thread_time() - cpu)
        except Exception as err:  # noqa: BLE001 - the page that needs it runs it again and reports it
            _LOG.warning("computing %s before the notebooks failed (%s: %s); the page that needs it computes it "
                         "itself and says why", name, type(err).__name__, err)
            failed.append(f"{name}: {err}")
    return failed


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`TimeoutError` inside the block after ``seconds`` (SIGALRM; only in the main thread of a POSIX
    process whose SIGALRM is unused, otherwise no limit)."""
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread()
              and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None))
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"took longer than the time limit of {seconds:g} s")

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))  # type: ignore[arg-type]
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
