"""An in-process stand-in for papermill's kernel, for tests that run the report on many small data sets.

``loyalty-kit run`` executes each notebook in a fresh Jupyter kernel (about 20 s each on a busy machine,
most of it starting the kernel and importing the kit). The shape-matrix test runs the report on dozens
of data shapes; it swaps :func:`kit.report.execute._execute` for :func:`execute_in_process`, which
injects the parameters exactly as papermill does, executes every code cell in one namespace in this
process and stores the value of a cell's last expression as its output (``text/html`` from
``_repr_html_`` and ``text/plain``), as IPython would. Everything else of the run is the real one:
validation, the shared context, every page section, the HTML conversion, the index and the artefacts.
A cell that raises ends the notebook with papermill's error metadata, so the run fails as it would.
"""

from __future__ import annotations

import ast
import time
import traceback
from pathlib import Path
from typing import Any

import nbformat
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from kit.report.execute import _Outcome

__all__ = ["execute_in_process"]


def _run_cell(source: str, namespace: dict[str, Any]) -> Any:
    """Execute ``source``; return the value of its last statement when that is an expression (else None)."""
    # IPython's line magics (``%matplotlib inline``: figures shown under their cell) mean nothing in this process
    tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%")))
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)  # noqa: S102 - the kit's own notebooks
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)  # noqa: S307


def _output(value: Any) -> dict[str, Any]:
    data = {"text/plain": repr(value)}
    html = getattr(value, "_repr_html_", None)
    if callable(html):
        data["text/html"] = html()
    return nbformat.v4.new_output("execute_result", data=data, execution_count=1)


def execute_in_process(source: Path, target: Path, parameters: dict[str, Any], timeout: int,
                       km: Any = None, keep: bool = False) -> _Outcome:
    """Execute the notebook ``source`` into ``target`` in this process (signature of ``_execute``); a kernel the
    run started ahead (``km``) is not needed and shut down (``keep`` does not apply: the run then finds it gone
    and gives the next page none)."""
    from kit.report.execute import _shutdown

    _shutdown(km)
    started = time.monotonic()
    nb = load_notebook_node(str(source))  # as papermill reads it: every cell has metadata.tags
    nb.metadata.papermill = {}  # papermill's own execute_notebook sets this before parameterising
    nb = parameterize_notebook(nb, parameters, kernel_name="python3", language="python")
    import matplotlib.pyplot as plt
    from IPython.display import display

    namespace: dict[str, Any] = {"__name__": "__main__", "display": display}  # as in a kernel
    error, cell_no = None, None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "skip-execution" in cell.metadata.get("tags", []):
            continue  # nbclient skips cells tagged skip-execution (the notebooks' exercises) the same way
        cell.outputs = []
        try:
            value = _run_cell(cell.source, namespace)
        except Exception as exc:  # noqa: BLE001 - recorded like papermill records a failing cell
            cell.outputs = [nbformat.v4.new_output("error", ename=type(exc).__name__, evalue=str(exc),
                                                   traceback=traceback.format_exc().splitlines())]
            cell.metadata.setdefault("papermill", {})["exception"] = True
            error, cell_no = f"{type(exc).__name__}: {exc}", index
            break
        finally:
            plt.close("all")  # the kernel's inline backend shows and closes each cell's figures
        if value is not None:
            cell.outputs = [_output(value)]
    nbformat.write(nb, target)
    return _Outcome(source.name, time.monotonic() - started, error, cell_no)
