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
