"""The notebooks: the analysis visible through public kit calls, an English and a German set with the same code,
workshop exercises with self-checking solutions, and each report notebook running on the sample.

Each step notebook walks through its step in *work* cells (tagged ``work``): the period's tables, each KPI by its
``kit`` function with its arguments in view, each chart by its ``kit.plot_*`` function, each model fitted where it is
used. Below them one ``pages.show(ctx, "<section>", name=result, ...)`` cell (tagged ``remove-input``) hands the
results to the report's section; no code cell is a bare ``pages.*`` call. ``loyalty-kit run`` runs the work cells
too and shows them, with output, only ``--with-code``; exercise cells never run in a report. JupyterLab and
``pytest --nbval-lax`` run them all. The German set (``notebooks/de/``) has the same code cells and German narrative.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from kit.report import NOTEBOOKS, NOTEBOOKS_DE, notebook_dir, report_notebooks

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "kit" / "report" / "pages"
SOLUTIONS = {"en": ROOT / "notebooks" / "solutions" / "solutions.ipynb",
             "de": ROOT / "notebooks" / "de" / "loesungen.ipynb"}
PARAMETERS = {"config_path": None, "period": "latest", "run_dir": None, "smoke": False, "inactivity_days": None,
              "sla_hours": None, "min_n": None, "segment_by": None, "driver_outcome": None}
PAIRS = list(zip(NOTEBOOKS, NOTEBOOKS_DE, strict=True))
ALL = [notebook_dir("en") / n for n in NOTEBOOKS] + [notebook_dir("de") / n for n in NOTEBOOKS_DE] \
    + list(SOLUTIONS.values())
#: English function words with no place in German prose (whole words, any case, outside code spans).
ENGLISH_WORDS = re.compile(r"\b(the|and|which|this|of|with|is|are|what|how|for|to|from|when|each)\b", re.IGNORECASE)
#: Common German words: every German cell with more than headings uses at least one.
GERMAN_WORDS = re.compile(r"\b(der|die|das|und|ist|den|dem|des|mit|für|nicht|ein|eine|sie|wie|im|je|zu|auf|von)\b",
                          re.IGNORECASE)
#: Decimals with a point (German prose writes 0,05); ``1.000`` (thousands) and ``1. Ziele`` do not match.
DECIMAL_POINT = re.compile(r"\d\.\d{1,2}(?!\d)")
#: German cells that may read exactly as their English cell (the word is the same in both languages).
SAME_IN_BOTH = {"## Scorecard"}
#: Tags of the cells that show the analysis (run by the report too) and of the workshop exercises (not run by it).
WORK, EXERCISE = {"work"}, {"exercise", "skip-execution"}


def _parse(source: str) -> ast.Module:
    """A code cell as Python: IPython's line magics (``%matplotlib inline``) left out."""
    return ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%")))


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _book(name: str) -> nbformat.NotebookNode:
    return _read(notebook_dir("de" if name in NOTEBOOKS_DE and name not in NOTEBOOKS else "en") / name)


def _code_cells(book: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in book.cells if c.cell_type == "code"]


def _markdown(book: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in book.cells if c.cell_type == "markdown"]


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.metadata.get("tags", [])


def _pairs(name: str) -> list[tuple[nbformat.NotebookNode, nbformat.NotebookNode]]:
    """(English, German) Markdown cells of a step, in order: the two notebooks have their cells in the same order."""
    german = dict(PAIRS)[name]
    return list(zip(_markdown(_book(name)), _markdown(_read(notebook_dir("de") / german)), strict=True))


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


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_notebook_is_committed_stripped_and_valid(path):
    book = _read(path)
    nbformat.validate(book)
    for cell in _code_cells(book):
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]
    assert book.metadata["kernelspec"]["name"] == "python3"


def test_the_report_notebooks_of_each_language_exist_in_page_order():
    assert [p.name for p in report_notebooks("en")] == list(NOTEBOOKS)
    assert [p.name for p in report_notebooks("de")] == list(NOTEBOOKS_DE)
    assert all(p.is_file() for lang in ("en", "de") for p in report_notebooks(lang))
    assert report_notebooks("de")[0].parent == ROOT / "notebooks" / "de"


@pytest.mark.parametrize(("name", "german"), PAIRS)
def test_notebook_opens_with_a_title_and_closes_with_questions(name, german):
    for book, how, questions in ((_book(name), "How to read it", "Questions to discuss"),
                                 (_read(notebook_dir("de") / german), "So lesen Sie", "Fragen zur Diskussion")):
        first, last = book.cells[0], book.cells[-1]
        assert first.cell_type == "markdown" and first.source.startswith("# ") and how in first.source
        assert last.cell_type == "markdown" and questions in last.source


@pytest.mark.parametrize(("name", "german"), PAIRS)
def test_english_and_german_notebooks_have_identical_code_cells(name, german):
    """The German set differs only in its narrative: same code, same tags, same order of cells."""
    en, de = _book(name), _read(notebook_dir("de") / german)
    assert [c.cell_type for c in en.cells] == [c.cell_type for c in de.cells]
    assert [(c.source, _tags(c)) for c in _code_cells(en)] == [(c.source, _tags(c)) for c in _code_cells(de)]


def test_the_solutions_have_identical_code_in_both_languages():
    en, de = _read(SOLUTIONS["en"]), _read(SOLUTIONS["de"])
    assert [c.source for c in _code_cells(en)] == [c.source for c in _code_cells(de)]


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_no_collapsed_twins_and_no_language_tags(path):
    for cell in _read(path).cells:
        assert not [t for t in _tags(cell) if t.startswith("lang-")], cell.source[:40]
        assert not cell.metadata.get("jupyter", {}).get("source_hidden"), cell.source[:40]


# ---- the German narrative ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_german_headings_have_the_levels_of_the_english_ones(name):
    for en, de in _pairs(name):
        assert _headings(en.source), en.source[:40]    # every narrative cell starts a titled section
        assert _headings(de.source) == _headings(en.source), (en.source[:40], de.source[:40])


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_german_narrative_is_german(name):
    for en, de in _pairs(name):
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


# ---- the parameters cell -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_one_parameters_cell_of_literals_each_with_a_short_help(path):
    cells = [c for c in _code_cells(_read(path)) if "parameters" in _tags(c)]
    assert len(cells) == 1
    found = {}
    for line in cells[0].source.splitlines():
        code, _, comment = line.partition("#")
        assert comment.strip(), f"parameter without a help comment: {line!r}"
        assert len(line) <= 100, f"cut off in JupyterLab and in error messages: {line!r}"
        target, value = (part.strip() for part in code.split("=", 1))
        found[target] = ast.literal_eval(value)  # literals only
    assert found == PARAMETERS


def test_every_setting_parameter_reaches_the_context():
    """Each analyst setting of the parameters cell is passed on to ``pages.context`` by name."""
    from kit.report.parameters import SETTINGS

    setup = next(c.source for c in _code_cells(_book(NOTEBOOKS[0])) if "pages.context(" in c.source)
    call = next(n for n in ast.walk(_parse(setup)) if isinstance(n, ast.Call) and getattr(n.func, "attr", "")
                == "context")
    passed = {k.arg: k.value.id for k in call.keywords if isinstance(k.value, ast.Name)}
    assert {name: name for name in SETTINGS} == {k: v for k, v in passed.items() if k in SETTINGS}
    assert set(SETTINGS) < set(PARAMETERS)


# ---- the analysis is visible: public kit calls, not bare pages calls ---------------------------------------


def _calls(source: str, owner: str) -> set[str]:
    """Names called or used as ``owner.<name>`` in ``source`` (``kit.nps(...)`` -> ``nps``)."""
    return {n.attr for n in ast.walk(_parse(source))
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == owner}


def _handed(call: ast.Call) -> list[ast.expr]:
    """The arguments of a ``pages.*`` call other than ``ctx`` and literals: what the notebook hands over."""
    values = [*call.args, *(k.value for k in call.keywords)]
    return [v for v in values if not isinstance(v, ast.Constant) and not (isinstance(v, ast.Name) and v.id == "ctx")]


def _is_pages_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
        and isinstance(node.func.value, ast.Name) and node.func.value.id == "pages"


def is_bare_pages_call(source: str) -> bool:
    """A cell that is nothing but ``pages.<x>(ctx, "...")`` calls: a result shown without the notebook's own
    analysis handed to it (``pages.criterion(ctx, "satisfaction")``)."""
    body = _parse(source).body
    return bool(body) and all(isinstance(s, ast.Expr) and _is_pages_call(s.value) and not _handed(s.value)
                              for s in body)


def _is_section_cell(source: str) -> bool:
    """``pages.show(ctx, "<section>", name=result, ...)``: one call handing the notebook's results to a section."""
    body = _parse(source).body
    return len(body) == 1 and isinstance(body[0], ast.Expr) and _is_pages_call(body[0].value) \
        and body[0].value.func.attr == "show" and bool(body[0].value.keywords)


def bare_pages_cells(book: nbformat.NotebookNode) -> list[str]:
    """The code cells of ``book`` that are bare ``pages.*`` calls (:func:`is_bare_pages_call`)."""
    return [c.source.strip() for c in _code_cells(book) if is_bare_pages_call(c.source)]


def test_the_static_check_catches_a_bare_pages_call():
    def cell(source: str, *tags: str) -> nbformat.NotebookNode:
        return nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})

    book = nbformat.v4.new_notebook(cells=[
        cell('kit.nps(now["nps"], min_n=30)', "work"),
        cell('pages.criterion(ctx, "satisfaction")', "remove-input"),           # bare, even after its analysis
        cell('pages.scorecard(ctx)\npages.criterion(ctx, name="retention")', "remove-input"),
        cell('pages.show(ctx, "satisfaction", nps=nps_now)', "remove-input"),  # hands a result: not bare
        cell('s = pages.scorecard(ctx)\nkit.nps(now["nps"])', "work")])
    assert bare_pages_cells(book) == ['pages.criterion(ctx, "satisfaction")',
                                      'pages.scorecard(ctx)\npages.criterion(ctx, name="retention")']
    assert _is_section_cell('pages.show(ctx, "value", customer_value=values)')
    assert not _is_section_cell('pages.show(ctx, "value")') and not _is_section_cell("pages.KPI_TREE")


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_no_code_cell_is_a_bare_pages_call(path):
    assert not bare_pages_cells(_read(path))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_section_cell_hands_results_computed_above_it(name):
    """Each ``pages.show`` cell names a section and hands it names that a work cell above it assigned."""
    from kit.report import pages

    assigned: set[str] = set()
    sections = []
    for cell in _code_cells(_book(name)):
        tree = _parse(cell.source)
        if _is_section_cell(cell.source):
            call = tree.body[0].value
            sections.append(call.args[1].value)
            used = {n.id for v in _handed(call) for n in ast.walk(v) if isinstance(n, ast.Name)}
            assert used and used <= assigned | {"config"}, (cell.source, used - assigned)
            assert set(_tags(cell)) == {"remove-input"}, cell.source
        elif WORK <= set(_tags(cell)) or "pages.context(" in cell.source:
            assigned |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    assert sections and set(sections) <= set(pages.SECTIONS)


def test_every_report_section_is_shown_by_one_notebook_cell():
    shown = [_parse(c.source).body[0].value.args[1].value for name in NOTEBOOKS for c in _code_cells(_book(name))
             if _is_section_cell(c.source)]
    from kit.report import pages

    assert sorted(shown) == sorted(pages.SECTIONS)


def _section_functions() -> set[str]:
    """The public ``kit`` functions the report's sections call (imported by ``kit/report/pages/*.py`` from the
    metric, model, text, plan and plot modules and exported by ``kit``)."""
    import kit

    stages = ("kit.metrics", "kit.models", "kit.text", "kit.plan", "kit.report.plots", "kit.data.periods")
    used = set()
    for module in PAGES.glob("*.py"):
        if module.name in ("_context.py", "__init__.py"):  # reading the data and the period: pages.context
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(stages):
                used |= {alias.name for alias in node.names if alias.name in kit.__all__}
    return used


def test_the_sections_use_public_functions_the_static_check_can_see():
    used = _section_functions()
    assert {"nps_by_segment", "churn_by_period", "KaplanMeier", "KeyDrivers", "plot_nps_trend", "scorecard",
            "code_texts", "prioritise_actions"} <= used  # the check reads what it is meant to read


def test_every_public_function_the_sections_use_is_shown_in_a_notebook():
    shown = set()
    for name in NOTEBOOKS:
        for cell in _code_cells(_book(name)):
            if WORK <= set(_tags(cell)):
                shown |= _calls(cell.source, "kit")
    missing = sorted(_section_functions() - shown)
    assert not missing, f"used by the report's sections, never called in a notebook: {missing}"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_code_cells_hold_no_logic_of_their_own(path):
    for cell in _code_cells(_read(path)):
        src = cell.source
        tree = _parse(src)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))], src
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While, ast.Try))], src
        guards = [n for n in ast.walk(tree) if isinstance(n, ast.If)]  # "if ctx.has(...)": data a page can lack
        assert all(not n.orelse for n in guards), src
        assert "to_csv" not in src and "%autoreload" not in src and "import os" not in src, src
        literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        assert not [v for v in literals if "/" in v or v.endswith((".csv", ".yaml", ".xlsx"))], src  # no paths


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_code_cell_is_a_parameter_setup_work_section_or_exercise_cell(name):
    for cell in _code_cells(_book(name)):
        tags = set(_tags(cell))
        kinds = ["parameters" in tags, "pages.context(" in cell.source and tags == {"remove-input"},
                 WORK == tags, EXERCISE == tags, _is_section_cell(cell.source) and tags == {"remove-input"}]
        assert sum(kinds) == 1, (tags, cell.source[:60])


# ---- the workshop ------------------------------------------------------------------------------------------


def _exercise_numbers(book: nbformat.NotebookNode) -> list[int]:
    numbers = []
    for cell in _code_cells(book):
        if EXERCISE <= set(_tags(cell)):
            call = next(n for n in ast.walk(_parse(cell.source)) if isinstance(n, ast.Call)
                        and getattr(n.func, "attr", "") == "check_exercise")
            numbers.append(call.args[0].value)
    return numbers


def test_one_exercise_per_step_in_order():
    import kit

    assert [_exercise_numbers(_book(name)) for name in NOTEBOOKS] == [[1], [2], [3], [4], [5]]
    assert sorted(kit.EXERCISES) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_solution_ends_with_its_own_check(lang):
    checks = [(call.args[0].value) for cell in _code_cells(_read(SOLUTIONS[lang]))
              for node in ast.walk(_parse(cell.source)) if isinstance(node, ast.Assert)
              for call in ast.walk(node.test) if isinstance(call, ast.Call)
              and getattr(call.func, "attr", "") == "check_exercise"]
    assert checks == [1, 2, 3, 4, 5]


def test_every_solution_passes_its_own_check():
    """Runs the solutions notebook on the sample: each cell asserts that its answer matches the planted effect."""
    from nbclient import NotebookClient

    book = _read(SOLUTIONS["en"])
    NotebookClient(book, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    printed = "".join(o.get("text", "") for c in _code_cells(book) for o in c.get("outputs", []))
    assert "right: " in printed and "safely above 25 %: True" in printed  # and no cell raised (an assert fails)


@pytest.mark.parametrize(("number", "right", "wrong"), [
    (1, {"ces", "return_rate"}, {"nps", "csat"}),
    (2, 0.2955, 0.42),
    (3, ("Abo", 1e-9), ("Abo", 0.2)),          # right segment, but a difference chance explains is not real
    (4, "delivery", "price"),
    (5, "driver_delivery", "driver_price"),
])
def test_check_exercise_accepts_the_planted_answer_only(number, right, wrong):
    import kit

    assert kit.check_exercise(number, right).startswith("right: ")
    assert kit.check_exercise(number, wrong).startswith("not yet: ")
    assert kit.check_exercise(number, None).startswith(f"Exercise {number}: no answer yet")
    assert kit.check_exercise(number, None, lang="de").startswith(f"Übung {number}: noch keine Antwort")


def test_check_exercise_names_the_valid_exercises():
    import kit

    with pytest.raises(KeyError, match="the exercises are 1, 2, 3, 4, 5"):
        kit.check_exercise(6, "x")


@pytest.mark.parametrize("doc", ["workshop.md", "workshop.de.md"])
def test_the_workshop_guide_has_every_exercise_with_hint_and_solution(doc):
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    for number in range(1, 6):
        assert re.search(rf"^### .*{number}\b", text, flags=re.MULTILINE), number
    for word in (("Hint", "Solution", "Misconception") if doc == "workshop.md" else
                 ("Hinweis", "Lösung", "Fehlvorstellung")):
        assert text.count(word) >= 5, word


# ---- what the prose says matches what the page shows --------------------------------------------------------


def _twins(name: str, heading: str) -> tuple[str, str]:
    """The (English, German) sources of the section whose English heading is ``heading``."""
    return next((en.source, de.source) for en, de in _pairs(name) if en.source.startswith(heading))


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


def test_executed_notebooks_name_the_final_run_folder(sample_run):
    for name in NOTEBOOKS:
        executed = nbformat.read(sample_run / name, as_version=4)
        assert executed.metadata["papermill"]["parameters"]["run_dir"] == str(sample_run)
        injected = next(c for c in executed.cells if "injected-parameters" in _tags(c))
        assert f'run_dir = "{sample_run}"' in injected.source and ".tmp" not in injected.source


def test_the_report_runs_the_work_cells_shows_them_only_with_code_and_skips_the_exercises(sample_run, tmp_path):
    from kit.report.render import to_html

    executed = nbformat.read(sample_run / "03_criteria.ipynb", as_version=4)
    work = [c for c in _code_cells(executed) if "work" in _tags(c)]
    assert work and all(c.get("outputs") for c in work if "display(" in c.source)  # run: their results are there
    assert not [o for c in work for o in c.outputs if o.output_type == "error"]
    exercise = [c for c in executed.cells if "exercise" in _tags(c)]
    assert [c.cell_type for c in exercise] == ["markdown", "code"] and not exercise[1].get("outputs")  # not run
    page = (sample_run / "03_criteria.html").read_text(encoding="utf-8")
    assert "kit.churn_rate" not in page and "check_exercise" not in page and "Exercise 3" not in page
    assert "pages.show" not in page
    to_html(sample_run / "03_criteria.ipynb", tmp_path / "with_code.html", with_code=True)
    with_code = re.sub(r"<[^>]+>", "", (tmp_path / "with_code.html").read_text(encoding="utf-8"))  # code unhighlighted
    churn = next(c for c in work if "kit.churn_rate(" in c.source)
    assert churn.outputs and "kit.churn_rate(" in with_code and "pages.show(" in with_code  # code and its result
    assert "check_exercise" not in with_code


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_notebooks_results_agree_with_the_report_on_the_sample(sample_run, name):
    """pages.show notes any handed result that differs from the scorecard or the run's shared result: none on
    the sample, so every number the work cells compute is the number the page shows."""
    page = (sample_run / name.replace(".ipynb", ".html")).read_text(encoding="utf-8")
    assert "computed in this notebook" not in page and "differs from the one the report run" not in page


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
