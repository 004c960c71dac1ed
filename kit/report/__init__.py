"""Stage 5, the report: pages, plots, templates and the run.

The run validates, executes the five notebooks with papermill, converts them to HTML and writes the run folder.

A run writes ``<out>/<run-id>/`` (``<run-id>`` = ``<period>_<UTC timestamp>``)::

    index.html            summary: scorecard with status colours, top findings, top five actions, links
    0N_<step>.html        one self-contained page per step (images embedded, no CDN scripts)
    0N_<step>.ipynb       the executed notebooks
    kpis.csv, kpis.json   the scorecard (kit.scorecard)
    actions.csv           the prioritised action plan (kit.prioritise_actions)
    watchlist.csv         customers to watch (kit.watch_list), pseudonymised unless configured otherwise
    winback.csv           the win-back calls a team can work (kit.plan.winback.winback_calls), pseudonymised likewise
    advocates.csv         customers likely to recommend (kit.advocates), pseudonymised likewise
    run.log               what ran, durations, warnings

and, outside the run folder, ``<out>/.private/<run-id>/winback_key.csv`` (mode 0600): the key pseudonym ->
customer id of ``winback.csv`` for the people allowed to call (:mod:`kit.report.keyfile`).

Before any kernel starts, the run validates the parameters, reads the data once and computes
what several pages share (scorecard, customer values, drivers, lists, action plan); the
notebooks load that through their ``run_dir`` parameter instead of computing it again.
Everything is first written into a hidden temporary folder that is renamed at the end;
``<out>/latest`` then points at the new run (a symlink, or ``latest.txt`` where symlinks
fail). A failed run raises :class:`~kit.errors.ReportError`, keeps its executed notebooks
in ``<out>/failed-<run-id>/`` for inspection, and leaves the previous report and ``latest``
untouched.

May import every earlier stage; nothing but :mod:`kit.cli` imports it. The pages' presentation
helpers are :mod:`kit.report.pages`, the figures :mod:`kit.report.plots`.

Modules: :mod:`~kit.report.parameters` (the notebooks and their parameters), :mod:`~kit.report.execute`
(papermill), :mod:`~kit.report.render` (HTML pages), :mod:`~kit.report.summary` (index and exports),
:mod:`~kit.report.run` (the run).
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> module, imported on first use so that ``from kit.report import pages`` in a notebook kernel
# does not load papermill and nbconvert
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(["NOTEBOOKS", "NOTEBOOKS_DE", "notebook_dir", "report_notebooks", "notebook_parameters",
                     "check_parameters"], "kit.report.parameters"),
    "to_html": "kit.report.render",
    **dict.fromkeys(["run_report", "default_out"], "kit.report.run"),
    "write_index": "kit.report.summary",
}

__all__ = ["run_report", "NOTEBOOKS", "NOTEBOOKS_DE", "notebook_dir", "report_notebooks", "notebook_parameters",
           "check_parameters",
           "default_out", "to_html", "write_index"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kit.report' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(__all__) | {"pages", "plots"})
