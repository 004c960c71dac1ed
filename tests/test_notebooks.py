"""The five notebooks: committed clean and thin, and each runs on the sample (papermill, smoke=True).

The sample run goes through the ``loyalty-kit run`` command itself, once per session: it
executes every notebook with papermill and converts it, so a failure here is what a user
running ``make report`` would see.

The narrative is bilingual: every Markdown cell is tagged ``lang-en`` and directly followed by
its German twin tagged ``lang-de`` (collapsed in JupyterLab); the HTML page of a report keeps
the cells of the report's language only (``kit.report.to_html``).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from kit.report import NOTEBOOKS, notebook_dir

ROOT = Path(__file__).resolve().parents[1]
PARAMETERS = {"config_path": None, "period": "latest", "run_dir": None, "smoke": False}
LANG_TAGS = ("lang-en", "lang-de")
#: English function words with no place in German prose (whole words, any case, outside code spans).
ENGLISH_WORDS = re.compile(r"\b(the|and|which|this|of|with|is|are|what|how|for|to|from|when|each)\b", re.IGNORECASE)
#: Common German words: every German cell with more than headings uses at least one.
GERMAN_WORDS = re.compile(r"\b(der|die|das|und|ist|den|dem|des|mit|für|nicht|ein|eine|sie|wie|im|je|zu|auf|von)\b",
                          re.IGNORECASE)
#: Decimals with a point (German prose writes 0,05); ``1.000`` (thousands) and ``1. Ziele`` do not match.
DECIMAL_POINT = re.compile(r"\d\.\d{1,2}(?!\d)")
#: German twins that may read exactly as their English cell (the word is the same in both languages).
SAME_IN_BOTH = {"## Scorecard"}


def _book(name: str) -> nbformat.NotebookNode:
    return nbformat.read(notebook_dir() / name, as_version=4)


def _code_cells(book: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in book.cells if c.cell_type == "code"]


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.metadata.get("tags", [])


def _pairs(book: nbformat.NotebookNode) -> list[tuple[nbformat.NotebookNode, nbformat.NotebookNode]]:
    """(English, German) Markdown twins, in order; the German cell is the one right after its English cell."""
    cells = book.cells
    return [(cell, cells[i + 1]) for i, cell in enumerate(cells[:-1]) if "lang-en" in _tags(cell)]


def _headings(source: str) -> list[int]:
    """The levels of the Markdown headings (``## Title`` -> 2), in order."""
    return [len(m.group(1)) for m in re.finditer(r"^(#+)\s", source, flags=re.MULTILINE)]


def _prose(source: str) -> str:
    """The text a reader reads as prose: code blocks and ``code spans`` (identifiers, file names) removed."""
    source = re.sub(r"^```.*?^```", " ", source, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"`[^`]*`", " ", source)


def _not_german(source: str) -> list[str]:
    """What gives a cell away as not (yet) translated into German; empty when it reads as German."""
    prose = _prose(source)
    problems = [f"English word {m.group(0)!r}" for m in ENGLISH_WORDS.finditer(prose)]
    problems += [f"decimal point in {m.group(0)!r}" for m in DECIMAL_POINT.finditer(prose)]
    if not _heading_only(prose) and not GERMAN_WORDS.search(prose):
        problems.append("no common German word")
    return problems


def _heading_only(source: str) -> bool:
    """A cell that is nothing but a heading (``## Scorecard``): too short to tell its language by words."""
    return all(line.startswith("#") or not line.strip() for line in source.splitlines())


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
    (first, first_de), (last, last_de) = book.cells[:2], book.cells[-2:]
    for cell in (first, first_de):
        assert cell.cell_type == "markdown" and cell.source.startswith("# ")
    assert "How to read it" in first.source and "So lesen Sie" in first_de.source
    assert last.cell_type == "markdown" and "Questions to discuss" in last.source
    assert last_de.cell_type == "markdown" and "Fragen zur Diskussion" in last_de.source


# ---- the German edition of the narrative -------------------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_markdown_cell_has_one_language_and_a_twin_right_beside_it(name):
    cells = _book(name).cells
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        langs = [t for t in _tags(cell) if t in LANG_TAGS]
        assert len(langs) == 1, f"cell {i + 1}: {langs} ({cell.source[:40]!r})"
        if langs == ["lang-en"]:  # English first, its German twin directly after it
            assert i + 1 < len(cells) and "lang-de" in _tags(cells[i + 1]), f"cell {i + 1} has no German twin"
        else:
            assert i > 0 and "lang-en" in _tags(cells[i - 1]), f"cell {i + 1} has no English twin before it"
    english = [c for c in cells if "lang-en" in _tags(c)]
    german = [c for c in cells if "lang-de" in _tags(c)]
    assert len(english) == len(german) == len(_pairs(_book(name))) > 0


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_german_twins_are_collapsed_in_jupyterlab_and_english_cells_are_not(name):
    for en, de in _pairs(_book(name)):
        assert de.metadata.get("jupyter", {}).get("source_hidden") is True, de.source[:40]
        assert not en.metadata.get("jupyter", {}).get("source_hidden"), en.source[:40]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_german_headings_have_the_levels_of_their_english_twins(name):
    for en, de in _pairs(_book(name)):
        assert _headings(en.source), en.source[:40]    # every narrative cell starts a titled section
        assert _headings(de.source) == _headings(en.source), (en.source[:40], de.source[:40])


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_german_twins_are_german(name):
    for en, de in _pairs(_book(name)):
        assert de.source != en.source or de.source in SAME_IN_BOTH, f"not translated: {en.source[:40]!r}"
        assert not _not_german(de.source), (de.source[:60], _not_german(de.source))
        if not _heading_only(en.source):  # the check would catch the English cell if it were left untranslated
            assert _not_german(en.source), f"the English cell reads as German: {en.source[:60]!r}"


@pytest.mark.parametrize(("source", "german"), [
    ("## Data quality\n\nEvery check run while reading the data.", False),
    ("## Datenqualität\n\nJede Prüfung, die beim Einlesen lief; the rest is English.", False),
    ("## Kundenwert\n\nMarge 0.35 je Kunde.", False),                       # decimal point
    ("## Inventory", True),                                                 # a bare heading: caught by the twin check
    ("## Die Ziele\n\nDie Ziele stammen aus `targets:` in `the_config.yaml` (`this`, `which`, `and`).", True),
    ("## Service\n\nBeschwerden je 1.000 Bestellungen, p < 0,05.", True),
])
def test_the_german_check_tells_english_from_german(source, german):
    assert (not _not_german(source)) is german, _not_german(source)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_code_cells_carry_no_language_tag(name):
    book = _book(name)
    for cell in _code_cells(book):
        assert not [t for t in _tags(cell) if t.startswith("lang-")], cell.source[:40]
    assert len([c for c in book.cells if "parameters" in _tags(c)]) == 1


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


# ---- what the prose says matches what the page shows --------------------------------------------------------


def _twins(name: str, heading: str) -> tuple[str, str]:
    """The (English, German) sources of the section whose English heading is ``heading``."""
    return next((en.source, de.source) for en, de in _pairs(_book(name)) if en.source.startswith(heading))


def test_data_quality_prose_uses_the_severity_words_of_the_page():
    from kit.labels import text

    en, de = _twins("02_data.ipynb", "## Data quality")
    for severity in ("error", "warning", "info"):
        shown = text(f"cat_{severity}", "de")                     # Fehler, Warnung, Info: as the German table
        assert f"*{shown}*" in de, shown
        assert not re.search(rf"\b{severity}\b", de), f"the internal id {severity!r} in the German prose"
        assert f"*{text(f'cat_{severity}', 'en')}*" in en
    assert "found something" in en and "mit Befund" in de         # the table lists only those


@pytest.mark.parametrize("lang", ["en", "de"])
def test_cohort_mark_reads_the_same_on_the_page_and_in_the_chart(lang):
    from kit.report.plots.behaviour import _TEXT

    en, de = _twins("03_criteria.ipynb", "## Retention")
    note = _TEXT[lang]["incomplete"]                               # "° = period not yet complete"
    assert note.startswith("° = ") and note in (en if lang == "en" else de)


def test_customer_lists_prose_says_where_the_full_lists_are():
    from kit.report import pages

    en, de = _twins("05_actions.ipynb", "## Customers to act on")
    for source in (en, de):
        assert "`loyalty-kit run`" in source and "`pages.list_frames(ctx)`" in source
        assert all(f"`{file}`" in source for _, file in pages.LISTS.values())
    assert callable(pages.list_frames)


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
    page = (sample_run / name.replace(".ipynb", ".html")).read_text(encoding="utf-8")
    assert "Bohnenpost" in page
    assert "How to read it" in page and "So lesen Sie" not in page   # the sample report is English


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
