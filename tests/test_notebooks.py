"""The five notebooks: committed clean and thin, and each runs on the sample (papermill, smoke=True).

The sample run goes through the ``loyalty-kit run`` command itself, once per session: it
executes every notebook with papermill and converts it, so a failure here is what a user
running ``make report`` would see.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from kit.report import NOTEBOOKS, notebook_dir

ROOT = Path(__file__).resolve().parents[1]
PARAMETERS = {"config_path": None, "period": "latest", "run_dir": None, "smoke": False}


def _book(name: str) -> nbformat.NotebookNode:
    return nbformat.read(notebook_dir() / name, as_version=4)


def _code_cells(book: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in book.cells if c.cell_type == "code"]


# ---- committed state ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_committed_stripped_and_valid(name):
    book = _book(name)
    nbformat.validate(book)
    for cell in _code_cells(book):
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]
    assert book.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_opens_with_a_title_and_closes_with_questions(name):
    book = _book(name)
    first, last = book.cells[0], book.cells[-1]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "How to read it" in first.source
    assert last.cell_type == "markdown" and "Questions to discuss" in last.source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_one_parameters_cell_of_literals_each_with_help(name):
    cells = [c for c in _code_cells(_book(name)) if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    found = {}
    for line in cells[0].source.splitlines():
        code, _, comment = line.partition("#")
        assert comment.strip(), f"parameter without a help comment: {line!r}"
        target, value = (part.strip() for part in code.split("=", 1))
        found[target] = ast.literal_eval(value)  # literals only
    assert found == PARAMETERS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_code_cells_are_thin(name):
    for cell in _code_cells(_book(name)):
        src = cell.source
        tree = ast.parse(src)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))], src
        assert "to_csv" not in src and "%autoreload" not in src and "import os" not in src, src
        literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        assert not [v for v in literals if "/" in v or v.endswith((".csv", ".yaml", ".xlsx"))], src  # no paths
        assert len(src.splitlines()) <= 4, src
        if "parameters" not in cell.metadata.get("tags", []):
            assert "remove-input" in cell.metadata.get("tags", []), src


# ---- running on the sample -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> Path:
    """``loyalty-kit run --smoke`` on the bundled sample, once."""
    from kit.cli import main

    out = tmp_path_factory.mktemp("sample_reports")
    assert main(["run", "--smoke", "--out", str(out), "--jobs", "3"]) == 0
    return (out / "latest").resolve()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_the_sample(sample_run, name):
    executed = nbformat.read(sample_run / name, as_version=4)
    assert executed.metadata["papermill"]["parameters"]["smoke"] is True
    outputs = [o for c in _code_cells(executed) for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "kit-section" in html                                   # the sections rendered
    assert "not available yet" not in html, "a kit capability the page uses is missing"
    assert "Bohnenpost" in (sample_run / name.replace(".ipynb", ".html")).read_text(encoding="utf-8")


def test_sample_run_writes_the_period_and_artefacts(sample_run):
    assert sample_run.name.startswith("2026-Q3_")
    for file in ("index.html", "kpis.csv", "kpis.json", "actions.csv", "watchlist.csv", "run.log"):
        assert (sample_run / file).is_file(), file


@pytest.mark.slow
def test_nbval_lax_over_the_notebooks():
    """``pytest --nbval-lax notebooks/``: every notebook runs top to bottom with its defaults (full size)."""
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
                             str(ROOT / "notebooks")], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
