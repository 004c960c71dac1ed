"""Notebook execution of a report run: start order and kernels started ahead (kit.report.execute)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import psutil

from kit.report.execute import _execute, _KernelPool, _start_order


def _book(path: Path, cells: list[str], skipped: int = 0) -> Path:
    """A notebook with ``cells`` as code cells and ``skipped`` more tagged ``skip-execution``."""
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    for _ in range(skipped):
        book.cells.append(nbformat.v4.new_code_cell("1", metadata={"tags": ["skip-execution"]}))
    book.cells.insert(0, nbformat.v4.new_markdown_cell("# title"))
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(book, path)
    return path


def _own_kernels() -> list[psutil.Process]:
    return [c for c in psutil.Process().children(recursive=True)
            if c.is_running() and c.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(c.cmdline())]


def test_the_notebook_with_most_cells_that_run_starts_first_ties_in_the_given_order(tmp_path):
    one = _book(tmp_path / "a.ipynb", ["1"], skipped=5)          # 1 cell runs (5 skipped do not count)
    three = _book(tmp_path / "b.ipynb", ["1", "2", "3"])
    two = _book(tmp_path / "c.ipynb", ["1", "2"])
    also_two = _book(tmp_path / "d.ipynb", ["1", "2"], skipped=1)
    missing = tmp_path / "gone.ipynb"                            # cannot be read: counts as empty
    assert _start_order([one, missing, two, three, also_two]) == [three, two, also_two, one, missing]


def test_a_kernel_started_ahead_runs_the_notebook_in_the_run_folder_without_a_trace_of_its_import(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    source = _book(tmp_path / "nb.ipynb", ["import os, sys\nprint(os.getcwd())",
                                           "print('json' in sys.modules, 'warmed' in dir())"])
    pool = _KernelPool(2, folder, "import json\nwarmed = 1", parallel=1)
    try:
        km = pool.take()
        assert km is not None and km.has_kernel
        outcome = _execute(source, folder / "nb.ipynb", {}, timeout=60, km=km)
    finally:
        pool.close()
    assert outcome.error is None
    done = nbformat.read(folder / "nb.ipynb", as_version=4)
    code = [c for c in done.cells if c.cell_type == "code"]
    # the warm-up ran silently: the first cell is still execution 1; its import and name are there
    assert [c.execution_count for c in code] == [1, 2]
    assert code[0].outputs[0]["text"].strip() == str(folder)
    assert code[1].outputs[0]["text"].strip() == "True True"
    # the notebook's kernel ended with it, and close() shut down the one never taken
    assert _own_kernels() == []


def test_a_kernel_whose_warm_up_fails_is_handed_out_as_none_and_shut_down(tmp_path):
    pool = _KernelPool(1, tmp_path, "raise ValueError('no')", parallel=1)
    try:
        assert pool.take() is None
    finally:
        pool.close()
    assert _own_kernels() == []


def test_the_executed_notebook_is_written_once_with_every_cell_and_its_output(tmp_path, monkeypatch):
    import papermill.engines
    import papermill.execute

    writes: list[str] = []
    for module in (papermill.engines, papermill.execute):   # the engine's saves and papermill's own last write
        real = module.write_ipynb
        monkeypatch.setattr(module, "write_ipynb",
                            lambda nb, path, real=real, **kw: (writes.append(path), real(nb, path, **kw)))
    source = _book(tmp_path / "nb.ipynb", [f"print({i} * 7)" for i in range(6)])
    outcome = _execute(source, tmp_path / "out.ipynb", {}, timeout=60)
    assert outcome.error is None
    # papermill wrote it at the start and at the end of every cell and once more at the end (14 writes here)
    assert writes == [str(tmp_path / "out.ipynb")]
    writes.clear()
    failing = _book(tmp_path / "bad.ipynb", ["print(1)", "1 / 0", "print(3)"])
    assert _execute(failing, tmp_path / "bad_out.ipynb", {}, timeout=60).error.startswith("ZeroDivisionError")
    assert writes == [str(tmp_path / "bad_out.ipynb")]
    writes.clear()
    slow = _book(tmp_path / "slow.ipynb", ["print(1)", "import time\ntime.sleep(30)"])
    assert "cell timeout" in _execute(slow, tmp_path / "slow_out.ipynb", {}, timeout=2).error
    assert writes == [str(tmp_path / "slow_out.ipynb")]
    done = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    code = [c for c in done.cells if c.cell_type == "code"]
    assert [c.outputs[0]["text"].strip() for c in code] == [str(i * 7) for i in range(6)]
    assert all(c.metadata["papermill"]["status"] == "completed" for c in code)


def test_a_cell_that_times_out_is_named_as_the_last_cell_that_started(tmp_path):
    source = _book(tmp_path / "nb.ipynb", ["print('before')", "import time\ntime.sleep(30)", "print('after')"])
    outcome = _execute(source, tmp_path / "out.ipynb", {}, timeout=2)
    assert outcome.cell == 3                      # 1-based in the source notebook: the markdown title is cell 1
    assert "cell timeout of 2 s" in outcome.error
    done = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    code = [c for c in done.cells if c.cell_type == "code"]
    assert code[0].outputs[0]["text"].strip() == "before"
    assert code[1].metadata["papermill"]["duration"] >= 2
    assert code[2].outputs == [] and not code[2].metadata["papermill"].get("start_time")   # never started
    assert _own_kernels() == []


def test_a_kernel_that_dies_is_reported_with_its_cell_from_the_notebook_written_when_it_stopped(tmp_path):
    source = _book(tmp_path / "nb.ipynb", ["print('before')", "import os\nos._exit(3)", "print('after')"])
    outcome = _execute(source, tmp_path / "out.ipynb", {}, timeout=60)
    assert outcome.error.startswith("the kernel died")
    assert outcome.cell == 3                      # the last cell that started (before this session: not named)
    done = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert [c for c in done.cells if c.cell_type == "code"][0].outputs[0]["text"].strip() == "before"
    assert _own_kernels() == []


_WARM = "import kit.report._kernel\nkit.report._kernel.remember()"

#: what a page can change for its whole process (and what the next page on the same kernel must not see)
_CHANGE_PROCESS = """import os, sys, logging, numpy as np
os.makedirs('sub', exist_ok=True)
os.chdir('sub')
os.environ['KIT_TEST_X'] = '1'
sys.path.insert(0, '/nowhere')
np.seterr(divide='ignore')
logging.basicConfig(level=logging.DEBUG)
from matplotlib_inline.config import InlineBackend
InlineBackend.instance().figure_formats = {'svg'}   # as %config InlineBackend.figure_formats = ... does
InlineBackend.instance().close_figures = False"""

_SEE_PROCESS = """import os, sys, logging, numpy as np
from matplotlib_inline.config import InlineBackend
print(os.getcwd(), os.environ.get('KIT_TEST_X'), sys.path[0] == '/nowhere', np.geterr()['divide'],
      logging.getLogger().level, len(logging.getLogger().handlers), sorted(InlineBackend.instance().figure_formats),
      InlineBackend.instance().close_figures)"""


def _on_one_kernel(folder: Path, books: list[Path]) -> list:
    """Run ``books`` as a run does, one worker and a pool of one kernel started ahead."""
    from kit.report.execute import _execute_all

    pool = _KernelPool(1, folder, _WARM, parallel=1)
    try:
        return _execute_all(books, folder, {}, jobs=1, timeout=60, kernels=pool)
    finally:
        pool.close()


def _outputs(path: Path) -> list[str]:
    book = nbformat.read(path, as_version=4)
    return ["".join(o.get("text", "") for o in c.outputs) for c in book.cells if c.cell_type == "code"]


def test_a_worker_runs_its_next_page_on_its_kernel_emptied_as_if_it_were_new(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "warner.py").write_text("import warnings\n\ndef warn():\n    warnings.warn('said once per place')\n")
    first = _book(tmp_path / "a.ipynb", ["import os, warner\nprint(os.getpid())", "x = 1", "warner.warn()",
                                         "import matplotlib\nmatplotlib.rcParams['lines.linewidth'] = 7",
                                         "import pandas as pd, numpy as np\npd.set_option('display.max_rows', 3)\n"
                                         "np.set_printoptions(precision=1)",
                                         _CHANGE_PROCESS])
    second = _book(tmp_path / "b.ipynb", ["import os, warner, matplotlib\nprint(os.getpid())",
                                          "print('x' in dir(), matplotlib.rcParams['lines.linewidth'])",
                                          "warner.warn()",
                                          "import pandas as pd, numpy as np\nprint(pd.get_option('display.max_rows'),"
                                          " np.get_printoptions()['precision'])",
                                          _SEE_PROCESS])
    outcomes = _on_one_kernel(folder, [first, second])
    assert [o.error for o in outcomes] == [None, None]
    a, b = _outputs(folder / "a.ipynb"), _outputs(folder / "b.ipynb")
    assert a[0] == b[0]                                   # the same kernel process ran both pages
    assert b[1].split() == ["False", "1.5"]               # no name of the first page; matplotlib's setting back
    assert "said once per place" in a[2] and "said once per place" in b[2]   # shown again, as in a new kernel
    assert b[3].split() == ["60", "8"]                    # pandas' and NumPy's defaults, not the first page's
    assert b[4].split() == [str(folder), "None", "False", "warn", "30", "0", "['png']", "True"]
    done = nbformat.read(folder / "b.ipynb", as_version=4)
    assert [c.execution_count for c in done.cells if c.cell_type == "code"] == [1, 2, 3, 4, 5]
    assert _own_kernels() == []                           # the kept kernel ended with the last page


def test_a_page_that_leaves_a_thread_running_hands_on_no_kernel(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    first = _book(tmp_path / "a.ipynb", ["import os\nprint(os.getpid())", "import threading\n"
                                         "threading.Timer(1.5, print, ['late output of page a']).start()"])
    second = _book(tmp_path / "b.ipynb", ["import os, time\nprint(os.getpid())\ntime.sleep(2)"])
    outcomes = _on_one_kernel(folder, [first, second])
    assert [o.error for o in outcomes] == [None, None]
    a, b = _outputs(folder / "a.ipynb"), _outputs(folder / "b.ipynb")
    assert a[0] != b[0].split()[0] and "late output" not in "".join(b)   # another kernel, nothing of page a
    assert _own_kernels() == []


def test_the_kernel_of_a_page_that_failed_is_not_used_again(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    failing = _book(tmp_path / "a.ipynb", ["import os\nprint(os.getpid())", "1 / 0"])
    after = _book(tmp_path / "b.ipynb", ["import os\nprint(os.getpid())"])
    outcomes = _on_one_kernel(folder, [failing, after])
    assert outcomes[0].error.startswith("ZeroDivisionError") and outcomes[1].error is None
    assert _outputs(folder / "a.ipynb")[0] != _outputs(folder / "b.ipynb")[0]   # a new kernel (papermill's own)
    assert _own_kernels() == []


def test_a_pool_that_handed_out_all_its_kernels_says_so_at_once(tmp_path):
    import time

    pool = _KernelPool(1, tmp_path, "1", parallel=1)
    try:
        km = pool.take()
        assert km is not None
        started = time.monotonic()
        assert pool.take() is None
        assert time.monotonic() - started < 2        # not after the start-up timeout (240 s)
    finally:
        from kit.report.execute import _shutdown

        _shutdown(km)
        pool.close()
    assert _own_kernels() == []


def test_a_pool_thread_leaves_no_event_loop_behind(tmp_path):
    # jupyter_client's blocking client makes an event loop per thread and never closes it; collected later, in the
    # middle of the run's work, it wrote "ResourceWarning: unclosed event loop" into run.log (seen at 1M customers)
    import gc
    import warnings

    from kit.report.execute import _shutdown

    gc.collect()   # what earlier tests left (their workers' loops) is not this pool's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pool = _KernelPool(1, tmp_path, "import json", parallel=1)
        km = pool.take()
        assert km is not None
        for thread in pool._threads:
            thread.join(timeout=60)
        _shutdown(km)
        pool.close()
        gc.collect()
    assert [str(w.message) for w in caught if "event loop" in str(w.message)] == []
    assert _own_kernels() == []
