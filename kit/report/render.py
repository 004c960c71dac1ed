"""One executed notebook to one self-contained HTML page (nbconvert, tag-driven, language-aware)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kit.labels import LANGUAGES

__all__ = ["to_html", "WORK_TAG", "EXERCISE_TAG"]

#: Cells that show the analysis step by step with public kit calls (data, KPI functions, plots, models): for
#: working and teaching in JupyterLab; ``loyalty-kit run`` runs them too and shows them, with their output, only
#: ``--with-code``; the ``pages.show`` cell below them hands their results to the page's section.
WORK_TAG = "work"
#: Workshop exercise cells: never on a report page (solutions are in ``notebooks/solutions/``).
EXERCISE_TAG = "exercise"

_TITLE_KEYS = {"01": "page_01", "02": "page_02", "03": "page_03", "04": "page_04", "05": "page_05"}
_TEMPLATES = Path(__file__).resolve().parent / "templates"


def _page_title(name: str, lang: str) -> str:
    from kit.labels import text

    key = _TITLE_KEYS.get(name[:2])
    return text(key, lang) if key else Path(name).stem


def _page_summary(name: str, lang: str) -> str:
    from kit.labels import LABELS, text

    key = f"{_TITLE_KEYS.get(name[:2], '')}_summary"
    return text(key, lang) if key in LABELS else ""


def to_html(notebook: Path, target: Path, *, with_code: bool = False, nav: Sequence[Mapping[str, Any]] = (),
            title: str = "", lang: str = "en", findings: str = "") -> Path:
    """Convert an executed notebook into one self-contained HTML page.

    Code is hidden unless ``with_code`` (cells tagged ``remove-input`` show their output
    only; ``remove-cell`` cells and papermill's injected parameters vanish). Cells tagged
    :data:`WORK_TAG` appear only ``with_code``; cells tagged :data:`EXERCISE_TAG` never. Narrative cells
    tagged ``lang-en`` / ``lang-de`` appear only in a report of that language. Images are
    embedded; the page loads no script from the internet. Without code the page carries the kit's small
    stylesheet (``templates/kit.css``, a few KB) instead of JupyterLab's; every page carries the print
    stylesheet (``templates/print.css``: A4, columns fit, no orphaned headings).

    Parameters
    ----------
    notebook : Path
        The executed notebook.
    target : Path
        The HTML file to write.
    with_code : bool
        Show the code cells (for teaching).
    nav : sequence of mappings
        Navigation links: ``{"href", "title", "current"}``.
    title : str
        Title of the page (browser tab).
    lang : {"en", "de"}
        Report language: cells tagged for another language (``lang-de`` in an English report) are left out.
    findings : str
        HTML of the page's findings (:func:`kit.report.story.findings_html`, escaped there), shown first,
        under the navigation.

    Returns
    -------
    Path
        ``target``.
    """
    import nbformat

    book = nbformat.read(notebook, as_version=4)
    resources = {"metadata": {"name": title or Path(notebook).stem}, "kit_nav": list(nav), "kit_findings": findings,
                 # the one small stylesheet of the kit; with code (teaching) JupyterLab's own, which styles the code
                 "kit_small_css": not with_code}
    with _EXPORTING:   # one page at a time through an exporter (the pages of a run convert in parallel threads)
        body, _ = _exporter(with_code, lang).from_notebook_node(book, resources=resources)
    target.write_text(body, encoding="utf-8")
    return target


_EXPORTING = threading.Lock()


@functools.lru_cache(maxsize=8)
def _exporter(with_code: bool, lang: str) -> Any:
    """The HTML exporter for pages with or without code in ``lang``, made once per process: building one loads
    and compiles the templates, which took about twice as long as converting a page."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="lab", extra_template_paths=[str(_TEMPLATES)],
                            template_file="page.html.j2", exclude_input_prompt=True,
                            exclude_output_prompt=True, exclude_input=not with_code, embed_images=True)
    remover = TagRemovePreprocessor(
        remove_cell_tags={"remove-cell", EXERCISE_TAG} | (set() if with_code else {"injected-parameters", WORK_TAG})
        | {f"lang-{other}" for other in LANGUAGES if other != lang},
        remove_input_tags=set() if with_code else {"remove-input"},
        remove_all_outputs_tags={"remove-output"})
    exporter.register_preprocessor(remover, enabled=True)
    return exporter
