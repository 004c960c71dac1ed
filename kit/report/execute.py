"""Executing the notebooks with papermill: in parallel, under a cell timeout, each failure pointing at its cell."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["stop_kernels"]  # the rest is used by kit.report.run only

_LOG = logging.getLogger("kit.report")


@dataclass
class _Outcome:
    notebook: str
    seconds: float
    error: str | None = None
    cell: int | None = None


def _failing_cell(source_nb: Path, executed_nb: Path) -> tuple[int | None, str]:
    """1-based index (in the source notebook) and first line of the cell that failed or timed out."""
    import nbformat

    if not Path(executed_nb).is_file():
        return None, ""
    try:
        executed = nbformat.read(executed_nb, as_version=4)
    except (OSError, ValueError):  # a half-written notebook: the caller falls back on the message
        return None, ""
    bad = None
    for cell in executed.cells:
        meta = cell.get("metadata", {}).get("papermill", {})
        if cell.get("cell_type") == "code" and (meta.get("exception") or meta.get("status") == "running"):
            bad = cell
            break
    if bad is None:
        return None, ""
    first_line = (bad.get("source") or "").strip().splitlines()[0] if bad.get("source", "").strip() else ""
    original = nbformat.read(source_nb, as_version=4)
    for index, cell in enumerate(original.cells, start=1):
        if cell.get("id") and cell.get("id") == bad.get("id"):
            return index, first_line
    for index, cell in enumerate(original.cells, start=1):
        if cell.get("source") == bad.get("source"):
            return index, first_line
    return None, first_line


def _cell_in_message(source_nb: Path, message: str) -> int | None:
    """1-based index of the code cell whose source nbclient quotes in a timeout message."""
    import nbformat

    original = nbformat.read(source_nb, as_version=4)
    for index, cell in enumerate(original.cells, start=1):
        text = cell.get("source", "").strip()
        if cell.get("cell_type") == "code" and text and text in message:
            return index
    return None


def _execute(source: Path, target: Path, parameters: dict[str, Any], timeout: int) -> _Outcome:
    """Run one notebook with papermill; a failing or timed-out cell becomes an outcome with an error."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    started = time.monotonic()
    try:
        # the kernel app's own log (not cell output) stays quiet: ipykernel warns about every local TCP kernel
        # and logs the interrupt that ends it. The kernel starts in the run folder through nbclient's
        # resources, not papermill's cwd=, which os.chdir()s the whole process from each worker thread: with
        # notebooks in parallel that left the process (and papermill's file handler) in a folder that the
        # run then renames, and the next run in the same process failed.
        papermill.execute_notebook(str(source), str(target), parameters=parameters, kernel_name="python3",
                                   progress_bar=False, execution_timeout=timeout,
                                   resources={"metadata": {"path": str(target.parent)}},
                                   extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    except PapermillExecutionError as exc:
        cell, _ = _failing_cell(source, target)
        message = f"{exc.ename}: {exc.evalue}"
        return _Outcome(source.name, time.monotonic() - started, message, cell)
    except CellTimeoutError as exc:
        cell, _ = _failing_cell(source, target)
        if cell is None:
            cell = _cell_in_message(source, str(exc))
        return _Outcome(source.name, time.monotonic() - started,
                        f"the cell took longer than the cell timeout of {timeout} s (raise --timeout)", cell)
    except DeadKernelError as exc:
        cell, _ = _failing_cell(source, target)
        return _Outcome(source.name, time.monotonic() - started, f"the kernel died: {exc}", cell)
    return _Outcome(source.name, time.monotonic() - started)


def stop_kernels(grace_s: float = 1.0) -> list[int]:
    """Stop the notebook kernels this process started (a run that is terminated or failed): SIGTERM, then
    SIGKILL for those still alive after ``grace_s`` seconds. Only this process's own ``ipykernel`` children
    are touched.

    Returns
    -------
    list of int
        The process ids that were stopped.
    """
    import psutil

    try:
        children = psutil.Process().children(recursive=False)
    except psutil.Error:
        return []
    kernels = []
    for child in children:
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                kernels.append(child)
        except psutil.Error:
            continue
    for kernel in kernels:
        try:
            kernel.terminate()
        except psutil.Error:
            continue
    _, alive = psutil.wait_procs(kernels, timeout=grace_s)
    for kernel in alive:
        try:
            kernel.kill()
        except psutil.Error:
            continue
    return [k.pid for k in kernels]


def _execute_all(notebooks: Sequence[Path], folder: Path, parameters: dict[str, Any], *, jobs: int,
                 timeout: int, then: Callable[[Path], None] | None = None) -> list[_Outcome]:
    """Execute ``notebooks`` into ``folder``, ``jobs`` at a time; ``then(executed)`` runs in the same worker
    right after each notebook that succeeded (the HTML conversion, overlapping the other kernels)."""
    from tqdm import tqdm

    def one(nb: Path) -> _Outcome:
        outcome = _execute(nb, folder / nb.name, parameters, timeout)
        if then is not None and not outcome.error:
            then(folder / nb.name)
        return outcome

    outcomes: list[_Outcome] = []
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        with tqdm(total=len(notebooks), desc="notebooks", unit="nb", file=sys.stderr,
                  disable=None) as bar:  # None: no bar when stderr is not a terminal (cron logs)
            futures = {pool.submit(one, nb): nb for nb in notebooks}
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                bar.set_postfix_str(outcome.notebook)
                bar.update(1)
                if outcome.error:
                    _LOG.error("%s failed at cell %s after %.1f s: %s", outcome.notebook, outcome.cell,
                               outcome.seconds, outcome.error)
                else:
                    _LOG.info("%s executed in %.1f s", outcome.notebook, outcome.seconds)
    except BaseException:
        # terminated (SIGTERM, Ctrl-C) or broken: do not wait for running and queued notebooks, stop them
        pool.shutdown(wait=False, cancel_futures=True)
        stop_kernels()
        raise
    pool.shutdown(wait=True)
    order = {nb.name: i for i, nb in enumerate(notebooks)}
    return sorted(outcomes, key=lambda o: order[o.notebook])
