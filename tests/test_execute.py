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

    writes: list[str] = []
    real = papermill.engines.write_ipynb
    monkeypatch.setattr(papermill.engines, "write_ipynb",
                        lambda nb, path, **kw: (writes.append(path), real(nb, path, **kw)))
    source = _book(tmp_path / "nb.ipynb", [f"print({i} * 7)" for i in range(6)])
    outcome = _execute(source, tmp_path / "out.ipynb", {}, timeout=60)
    assert outcome.error is None
    # papermill wrote it at the start and at the end of every cell (13 writes here); now once, when it ends
    assert writes == [str(tmp_path / "out.ipynb")]
    done = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    code = [c for c in done.cells if c.cell_type == "code"]
    assert [c.outputs[0]["text"].strip() for c in code] == [str(i * 7) for i in range(6)]
    assert all(c.metadata["papermill"]["status"] == "completed" for c in code)


def test_a_cell_that_times_out_is_named_from_the_notebook_written_when_it_stopped(tmp_path):
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
