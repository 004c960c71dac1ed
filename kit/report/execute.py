"""Executing the notebooks with papermill: in parallel, under a cell timeout, each failure pointing at its cell."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sys
import threading
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


def _failing_cell(source_nb: Path, executed_nb: Path, *, last_started: bool = False) -> tuple[int | None, str]:
    """1-based index (in the source notebook) and first line of the cell that failed or timed out.

    ``last_started``: without a cell marked as failed, the last code cell that started (a kernel that died
    leaves its cell marked as completed, and the cells after it pending)."""
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
    if bad is None and last_started:
        started = [c for c in executed.cells if c.get("cell_type") == "code"
                   and c.get("metadata", {}).get("papermill", {}).get("start_time")]
        bad = started[-1] if started else None
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


#: Arguments of every kernel: the kernel app's own log (not cell output) stays quiet (ipykernel warns about every
#: local TCP kernel and logs the interrupt that ends it).
_KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
#: Name of the papermill engine that runs a notebook on a kernel started ahead (:class:`_KernelPool`).
_ENGINE = "kit-prestarted"


def _register_engine() -> str:
    """Register (once) the papermill engine of every run: papermill's ``NBClientEngine`` that writes the executed
    notebook once, at its end (``_SaveAtEnd``), and runs it on a kernel the run started ahead (or one of its own
    when none is given), shutting that kernel down afterwards exactly as papermill shuts down a kernel it started
    itself (nbclient only does that for a kernel manager it created). The bodies are papermill's
    ``Engine.execute_notebook`` and ``NBClientEngine.execute_managed_notebook``."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    from papermill.exceptions import PapermillException
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    with contextlib.suppress(PapermillException):
        papermill_engines.get_engine(_ENGINE)
        return _ENGINE

    class _OwningClient(PapermillNotebookClient):
        def __init__(self, nb_man: Any, km: Any = None, keep_kernel: bool = False, **kw: Any) -> None:
            super().__init__(nb_man, km=km, **kw)
            # the kernel ends with its notebook, as one nbclient started would; unless the run keeps it for its
            # next page: then only this client's channels close
            self.owns_km = not keep_kernel

        def execute(self, **kwargs: Any) -> Any:
            try:
                return super().execute(**kwargs)
            finally:
                if not self.owns_km and getattr(self, "kc", None) is not None:
                    self.kc.stop_channels()
                    self.kc = None

    class _SaveAtEnd(NotebookExecutionManager):
        """Writes the executed notebook only when the engine stops on an exception (a timeout, a dead kernel),
        instead of at the start and end of every cell: each write serialises the whole notebook with its
        figures, so papermill's saves grew with the square of a page's length (about 1 s of the run's CPU on
        the sample report). papermill itself writes it once more after the engine, when it ran to the end or a
        cell failed: so every notebook is written once. Nobody reads it while it runs: it is in the run's
        private folder."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.stopped = False

        def save(self, **kwargs: Any) -> None:
            if self.stopped:
                super().save(**kwargs)

    class _PrestartedEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb: Any, kernel_name: str, output_path: Any = None, progress_bar: bool = True,
                             log_output: bool = False, autosave_cell_every: int = 30, **kwargs: Any) -> Any:
            # papermill's Engine.execute_notebook with the manager above and no autosave in long cells
            nb_man = _SaveAtEnd(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                autosave_cell_every=0)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            except BaseException:
                nb_man.stopped = True   # papermill does not write it after this: notebook_complete does
                raise
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                     stdout_file: Any = None, stderr_file: Any = None, start_timeout: int = 60,
                                     execution_timeout: int | None = None, **kwargs: Any) -> Any:
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(safe_kwargs, timeout=execution_timeout or kwargs.get("timeout"),
                                        startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                                        log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            return _OwningClient(nb_man, **final_kwargs).execute()

    papermill_engines.register(_ENGINE, _PrestartedEngine)
    return _ENGINE


class _KernelPool:
    """Kernels started ahead of the notebooks, in the run folder, with the modules the notebooks import already
    imported, while the run is still computing the shared results: ``count`` kernels, ``parallel`` of them
    starting at a time, in background threads.

    A kernel is taken by whichever notebook is next (any notebook can use any kernel); the import runs silently
    (no output, no history, no execution count), so the executed notebooks are as before. A kernel that could not
    be started or prepared is handed out as None: that notebook starts its own kernel, as without the pool.
    """

    def __init__(self, count: int, cwd: Path, warm: str, *, parallel: int = 1, startup_timeout: float = 120.0) -> None:
        self._cwd, self._warm, self._timeout = cwd, warm, startup_timeout
        self._ready: queue.Queue[Any] = queue.Queue()
        self._todo = count
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._threads = [threading.Thread(target=self._fill, name=f"kit-kernel-{i}", daemon=True)
                         for i in range(max(1, min(parallel, count)))]
        for thread in self._threads:
            thread.start()

    def _fill(self) -> None:
        try:
            while not self._closed.is_set():
                with self._lock:
                    if self._todo <= 0:
                        return
                    self._todo -= 1
                self._ready.put(self._start_one())
        finally:
            _close_thread_loop()

    def _start_one(self) -> Any:
        from jupyter_client import AsyncKernelManager

        if self._closed.is_set():
            return None
        started = time.monotonic()
        km = AsyncKernelManager(kernel_name="python3")
        try:
            # the same kernel and arguments nbclient would start (it adds the in-memory history)
            asyncio.run(km.start_kernel(cwd=str(self._cwd),
                                        extra_arguments=[*_KERNEL_ARGUMENTS, "--HistoryManager.hist_file=:memory:"]))
            _run_silently(km, self._warm, timeout=self._timeout, wait_ready=True)
        except Exception as err:  # noqa: BLE001 - that notebook starts its own kernel, as without the pool
            _LOG.info("a kernel could not be started ahead (%s: %s); its notebook starts one itself",
                      type(err).__name__, err)
            _shutdown(km)
            return None
        if self._closed.is_set():
            _shutdown(km)
            return None
        _LOG.info("a kernel started ahead and ready in %.1f s", time.monotonic() - started)
        return km

    def take(self) -> Any:
        """The next kernel started ahead (waits for it), or None: the notebook then starts its own. Returns None
        within half a second once the pool is closed (a run that stops) or has handed out every kernel it was to
        start, not after the start-up timeout."""
        deadline = time.monotonic() + self._timeout * 2
        while not self._closed.is_set() and time.monotonic() < deadline:
            try:
                return self._ready.get(timeout=0.5)
            except queue.Empty:
                with self._lock:
                    exhausted = self._todo <= 0 and not any(t.is_alive() for t in self._threads)
                if exhausted and self._ready.empty():   # every kernel of the pool was handed out
                    return None
        return None

    def close(self, *, wait: bool = True) -> None:
        """Stop starting kernels and shut down those started but not taken. ``wait=False`` (a run that is
        terminated): return at once; :func:`stop_kernels` then ends every kernel of this process, and one that a
        thread still starts ends itself with its parent (ipykernel watches the parent process)."""
        self._closed.set()
        if not wait:
            return
        for thread in self._threads:
            thread.join(timeout=self._timeout)
        while True:
            try:
                km = self._ready.get_nowait()
            except queue.Empty:
                return
            _shutdown(km)


def _close_thread_loop() -> None:
    """Close the event loop jupyter_client's blocking client left in this thread (``jupyter_core``'s
    ``run_sync`` makes one per thread and never closes it): when the thread ends, the loop would be collected
    later, in the middle of the run's work, with a "ResourceWarning: unclosed event loop" in ``run.log``."""
    with contextlib.suppress(RuntimeError):
        loop = asyncio.get_event_loop_policy().get_event_loop()
        if not loop.is_running() and not loop.is_closed():
            loop.close()
        asyncio.set_event_loop(None)


def _run_silently(km: Any, code: str, *, timeout: float, wait_ready: bool = False) -> None:
    """Execute ``code`` in ``km``'s kernel without output or history (a warm-up, a reset between pages) and wait
    for its reply; RuntimeError when the code raised, TimeoutError when no reply came within ``timeout`` seconds
    or the kernel is gone (one stopped meanwhile, in a run that is terminated, never answers)."""
    from jupyter_client.blocking import BlockingKernelClient

    client = BlockingKernelClient()
    client.load_connection_info(km.get_connection_info())
    client.start_channels(hb=False)  # no heartbeat: under load its first beat comes late, "kernel died"
    try:
        if wait_ready:
            client.wait_for_ready(timeout=timeout)
        msg_id = client.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = client.get_shell_msg(timeout=1.0)
            except queue.Empty:
                if time.monotonic() > deadline or not asyncio.run(km.is_alive()):
                    raise TimeoutError("no reply from the kernel") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
    finally:
        client.stop_channels()
    if reply["content"].get("status") != "ok":
        raise RuntimeError(f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")


#: Run (silently) in a kernel between two pages: see :mod:`kit.report._kernel`.
_FRESH_CODE = "import kit.report._kernel\nkit.report._kernel.fresh()"


def _fresh(km: Any, timeout: float = 60.0) -> Any:
    """``km`` made ready for another page (:func:`kit.report._kernel.fresh`: figures closed, settings and warning
    filters as after the warm-up, namespace empty, execution count 1), or None when there is none, its kernel is
    gone or the reset failed (then shut down: the page starts on another kernel)."""
    if km is None:
        return None
    try:
        if not km.has_kernel or not asyncio.run(km.is_alive()):
            _shutdown(km)
            return None
        _run_silently(km, _FRESH_CODE, timeout=timeout)
    except Exception as err:  # noqa: BLE001 - the page then takes a kernel of the pool or starts its own
        _LOG.info("a kernel could not be emptied for the next page (%s: %s); it is shut down",
                  type(err).__name__, err)
        _shutdown(km)
        return None
    return km


def _shutdown(km: Any) -> None:
    """Shut a kernel started ahead down now (it ran no notebook)."""
    if km is None:
        return
    try:
        if km.has_kernel:
            asyncio.run(km.shutdown_kernel(now=True))
    except Exception as err:  # noqa: BLE001 - stop_kernels() removes what is left when the run ends
        _LOG.debug("shutting down a kernel started ahead failed: %s", err)


def _execute(source: Path, target: Path, parameters: dict[str, Any], timeout: int, km: Any = None,
             keep: bool = False) -> _Outcome:
    """Run one notebook with papermill; a failing or timed-out cell becomes an outcome with an error.

    ``km``: a kernel manager whose kernel the run started ahead (:class:`_KernelPool`); None: papermill starts one.
    ``keep``: ``km``'s kernel stays alive after the notebook (the caller runs the next page on it, see
    :func:`_fresh`, or shuts it down); without it the kernel ends with the notebook.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    started = time.monotonic()
    engine = {"engine_name": _register_engine(), **({"km": km, "keep_kernel": keep} if km is not None else {})}
    try:
        # The kernel starts in the run folder through nbclient's resources (or the pool's cwd), not papermill's
        # cwd=, which os.chdir()s the whole process from each worker thread: with notebooks in parallel that left
        # the process (and papermill's file handler) in a folder that the run then renames, and the next run in
        # the same process failed.
        papermill.execute_notebook(str(source), str(target), parameters=parameters, kernel_name="python3",
                                   progress_bar=False, execution_timeout=timeout,
                                   resources={"metadata": {"path": str(target.parent)}},
                                   extra_arguments=list(_KERNEL_ARGUMENTS), **engine)
    except PapermillExecutionError as exc:
        cell, _ = _failing_cell(source, target)
        message = f"{exc.ename}: {exc.evalue}"
        return _Outcome(source.name, time.monotonic() - started, message, cell)
    except CellTimeoutError as exc:
        cell, _ = _failing_cell(source, target, last_started=True)
        if cell is None:
            cell = _cell_in_message(source, str(exc))
        return _Outcome(source.name, time.monotonic() - started,
                        f"the cell took longer than the cell timeout of {timeout} s (raise --timeout)", cell)
    except DeadKernelError as exc:
        cell, _ = _failing_cell(source, target, last_started=True)
        return _Outcome(source.name, time.monotonic() - started, f"the kernel died: {exc}", cell)
    return _Outcome(source.name, time.monotonic() - started)


def _start_order(notebooks: Sequence[Path]) -> list[Path]:
    """The notebooks in the order they start: most code cells that run first (cells tagged ``skip-execution``
    do not count), ties in the given order. The longest notebook (page 3's nine criteria) then runs beside all
    the others instead of starting last and keeping one kernel busy after the rest are done.

    A notebook that cannot be read counts as empty (its execution reports the problem).
    """
    import nbformat

    def cells(nb: Path) -> int:
        try:
            book = nbformat.read(nb, as_version=4)
        except (OSError, ValueError):
            return 0
        return sum(1 for c in book.cells if c.get("cell_type") == "code"
                   and "skip-execution" not in c.get("metadata", {}).get("tags", []))

    counts = {nb: cells(nb) for nb in notebooks}
    return sorted(notebooks, key=lambda nb: -counts[nb])


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


class Gate:
    """Holds notebooks back until the run has shared what they need (:func:`_execute_all`'s ``hold``).

    :meth:`open` lets them start; :meth:`cancel` (the run failed or was stopped) ends them without starting.
    """

    def __init__(self) -> None:  # noqa: D107 - see the class
        self._event = threading.Event()
        self.cancelled = False

    def open(self) -> None:
        """Let the notebooks held back start."""
        self._event.set()

    def cancel(self) -> None:
        """End the notebooks held back without starting them."""
        self.cancelled = True
        self._event.set()

    def wait(self) -> bool:
        """Wait until the gate opens (True) or is cancelled (False)."""
        self._event.wait()
        return not self.cancelled


def _execute_all(notebooks: Sequence[Path], folder: Path, parameters: dict[str, Any], *, jobs: int,
                 timeout: int, then: Callable[[Path], None] | None = None,
                 kernels: _KernelPool | None = None, hold: Gate | None = None) -> list[_Outcome]:
    """Execute ``notebooks`` into ``folder``, ``jobs`` at a time, the longest first (:func:`_start_order`);
    ``then(executed)`` runs in the same worker right after each notebook that succeeded (the HTML conversion,
    overlapping the other kernels). ``kernels``: kernels started ahead, taken one per notebook as it starts. The
    outcomes come back in the order of ``notebooks``.

    ``hold``: only the first notebook (in start order) starts at once; the others, and every ``then``, wait until
    the gate opens. ``loyalty-kit run`` starts the longest page this way as soon as the results it uses are shared,
    and opens the gate when it has shared the rest. A cancelled gate ends the waiting notebooks unstarted.
    """
    from tqdm import tqdm

    order = _start_order(notebooks)
    worker = threading.local()   # the kernel a worker keeps from its last page, if that page succeeded
    kept: list[Any] = []         # every kernel kept, shut down when all notebooks are done
    waiting = [len(order)]       # pages not started yet: a kernel is kept only while there are any
    idle: dict[int, Any] = {}    # kernels kept by a worker that runs no page now
    lock = threading.Lock()

    def one(nb: Path) -> _Outcome:
        mine, worker.km = getattr(worker, "km", None), None
        with lock:
            waiting[0] -= 1
            if mine is not None:
                idle.pop(id(mine), None)
            unused = list(idle.values()) if waiting[0] == 0 else []   # no page left for the other workers' kernels
            if waiting[0] == 0:
                idle.clear()
        for other in unused:
            _shutdown(other)
        if hold is not None and nb != order[0] and not hold.wait():
            return _Outcome(nb.name, 0.0, "not started: the run stopped before it")
        km = _fresh(mine)
        if km is None and kernels is not None:
            km = kernels.take()
        if hold is not None and hold.cancelled:   # stopped while waiting for a kernel
            _shutdown(km)
            return _Outcome(nb.name, 0.0, "not started: the run stopped before it")
        outcome = _execute(nb, folder / nb.name, parameters, timeout, km=km, keep=km is not None)
        if km is not None:
            with lock:   # the worker's next page runs on it (emptied by _fresh), if there is a page left
                reuse = outcome.error is None and waiting[0] > 0
                if reuse:
                    idle[id(km)] = km
            if reuse:
                worker.km = km
                kept.append(km)
            else:   # no page left to start (its memory goes now), or a failed page's kernel: not trusted again
                _shutdown(km)
        if then is not None and not outcome.error:
            if hold is not None and not hold.wait():
                return _Outcome(nb.name, outcome.seconds, "not converted: the run stopped")
            then(folder / nb.name)
        return outcome

    outcomes: list[_Outcome] = []
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        with tqdm(total=len(notebooks), desc="notebooks", unit="nb", file=sys.stderr,
                  disable=None) as bar:  # None: no bar when stderr is not a terminal (cron logs)
            futures = {pool.submit(one, nb): nb for nb in order}
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                bar.set_postfix_str(outcome.notebook)
                bar.update(1)
                if outcome.error and hold is not None and hold.cancelled:
                    _LOG.info("%s: %s", outcome.notebook, outcome.error)   # the run's own error says why
                elif outcome.error:
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
    for km in {id(k): k for k in kept}.values():   # the last page of each worker is done: its kernel ends
        _shutdown(km)
    given = {nb.name: i for i, nb in enumerate(notebooks)}
    return sorted(outcomes, key=lambda o: given[o.notebook])
