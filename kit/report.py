"""The report run: validate, execute the five notebooks with papermill, convert to HTML, write the run folder.

A run writes ``<out>/<run-id>/`` (``<run-id>`` = ``<period>_<UTC timestamp>``)::

    index.html            summary: scorecard with status colours, top findings, top five actions, links
    0N_<step>.html        one self-contained page per step (images embedded, no CDN scripts)
    0N_<step>.ipynb       the executed notebooks
    kpis.csv, kpis.json   the scorecard (kit.scorecard)
    actions.csv           the prioritised action plan (kit.prioritise_actions)
    watchlist.csv         customers to watch (kit.watch_list), pseudonymised unless configured otherwise
    run.log               what ran, durations, warnings

Everything is first written into a hidden temporary folder that is renamed at the end;
``<out>/latest`` then points at the new run (a symlink, or ``latest.txt`` where symlinks
fail). A failed run raises :class:`~kit.errors.ReportError`, keeps its executed notebooks
in ``<out>/failed-<run-id>/`` for inspection, and leaves the previous report and ``latest``
untouched.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import logging
import os
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from kit.config import AnalysisConfig, load_config
from kit.errors import ConfigError, ReportError
from kit.labels import LANGUAGES
from kit.periods import parse_period

__all__ = ["run_report", "NOTEBOOKS", "notebook_dir", "notebook_parameters", "check_parameters",
           "default_out", "to_html", "write_index"]

#: The five report notebooks, in page order.
NOTEBOOKS: tuple[str, ...] = ("01_goals.ipynb", "02_data.ipynb", "03_criteria.ipynb", "04_interviews.ipynb",
                              "05_actions.ipynb")
_TITLE_KEYS = {"01": "page_01", "02": "page_02", "03": "page_03", "04": "page_04", "05": "page_05"}
_TEMPLATES = Path(__file__).resolve().parent / "templates"
_LOG = logging.getLogger("kit.report")


def notebook_dir() -> Path:
    """The folder of the bundled notebooks (``notebooks/`` beside the package)."""
    return Path(__file__).resolve().parents[1] / "notebooks"


def default_out(config: Path) -> Path:
    """Default reports folder: ``reports/`` next to the folder of the configuration.

    For the sample (``data/analysis.yaml``) that is the repository's ``reports/``, which
    is what ``make report`` writes to.

    Examples
    --------
    >>> default_out(Path("/shop/data/analysis.yaml"))
    PosixPath('/shop/reports')
    """
    return Path(config).resolve().parent.parent / "reports"


# ---- parameters --------------------------------------------------------------------------------------


def notebook_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """The parameters declared in a notebook's ``parameters`` cell (name -> default, help).

    Parameters
    ----------
    path : Path
        The notebook.

    Returns
    -------
    dict
        As :func:`papermill.inspect_notebook`: name -> ``{"default": "...", "help": "..."}``.

    Raises
    ------
    ReportError
        When the notebook is missing or has no ``parameters`` cell.
    """
    import papermill

    path = Path(path)
    if not path.is_file():
        raise ReportError(f"notebook {str(path)!r} does not exist", notebook=path.name)
    params = papermill.inspect_notebook(str(path))
    if not params:
        raise ReportError("no cell tagged 'parameters' (literals only, one per line, each with a help comment)",
                          notebook=path.name)
    return params


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None


def check_parameters(notebooks: Sequence[Path], parameters: Mapping[str, Any]) -> None:
    """Check that every parameter is declared by every notebook, with a value of the declared type.

    A default of ``None`` accepts text (a path) or None; otherwise the value must have
    the type of the default (``"latest"`` -> str, ``False`` -> bool).

    Parameters
    ----------
    notebooks : sequence of Path
    parameters : mapping
        Name -> value as passed to papermill.

    Raises
    ------
    ConfigError
        Naming the parameter and listing the valid ones with their help text.

    Examples
    --------
    >>> check_parameters([notebook_dir() / "01_goals.ipynb"], {"perod": "2026-Q3"})  # doctest: +SKIP
    Traceback (most recent call last):
    kit.errors.ConfigError: unknown notebook parameter 'perod' (01_goals.ipynb). Did you mean 'period'? ...
    """
    import difflib

    for nb in notebooks:
        declared = notebook_parameters(nb)
        valid = "; ".join(f"{name} = {p['default']} ({p['help']})" if p.get("help") else
                          f"{name} = {p['default']}" for name, p in declared.items())
        for name, value in parameters.items():
            if name not in declared:
                close = difflib.get_close_matches(name, list(declared), n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise ConfigError(f"unknown notebook parameter {name!r} ({Path(nb).name}).{hint} "
                                  f"Valid parameters: {valid}.", key=name)
            default = _literal(declared[name]["default"])
            if default is None:
                ok = value is None or isinstance(value, (str, os.PathLike))
                expected = "text (a path) or None"
            else:
                ok = type(value) is type(default)
                expected = type(default).__name__
            if not ok:
                raise ConfigError(f"notebook parameter {name!r} ({Path(nb).name}) must be {expected}, found "
                                  f"{value!r} ({type(value).__name__}). Valid parameters: {valid}.", key=name)


# ---- execution ---------------------------------------------------------------------------------------


@dataclass
class _Outcome:
    notebook: str
    seconds: float
    error: str | None = None
    cell: int | None = None


def _failing_cell(source_nb: Path, executed_nb: Path) -> tuple[int | None, str]:
    """1-based index (in the source notebook) and first line of the cell that failed or timed out."""
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


def _execute(source: Path, target: Path, parameters: dict[str, Any], timeout: int) -> _Outcome:
    """Run one notebook with papermill; a failing or timed-out cell becomes an outcome with an error."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    started = time.monotonic()
    try:
        # the kernel app's own log (not cell output) stays quiet: ipykernel warns about every local TCP kernel
        # and logs the interrupt that ends it
        papermill.execute_notebook(str(source), str(target), parameters=parameters, kernel_name="python3",
                                   progress_bar=False, execution_timeout=timeout, cwd=str(target.parent),
                                   extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    except PapermillExecutionError as exc:
        cell, _ = _failing_cell(source, target)
        message = f"{exc.ename}: {exc.evalue}"
        return _Outcome(source.name, time.monotonic() - started, message, cell)
    except CellTimeoutError as exc:
        cell, _ = _failing_cell(source, target)
        if cell is None:
            cell = _cell_in_message(source, str(exc))
        return _Outcome(source.name, time.monotonic() - started,
                        f"the cell took longer than the cell timeout of {timeout} s (raise --timeout)", cell)
    except DeadKernelError as exc:
        cell, _ = _failing_cell(source, target)
        return _Outcome(source.name, time.monotonic() - started, f"the kernel died: {exc}", cell)
    return _Outcome(source.name, time.monotonic() - started)


def _execute_all(notebooks: Sequence[Path], folder: Path, parameters: dict[str, Any], *, jobs: int,
                 timeout: int, then: Callable[[Path], None] | None = None) -> list[_Outcome]:
    """Execute ``notebooks`` into ``folder``, ``jobs`` at a time; ``then(executed)`` runs in the same worker
    right after each notebook that succeeded (the HTML conversion, overlapping the other kernels)."""
    from tqdm import tqdm

    def one(nb: Path) -> _Outcome:
        outcome = _execute(nb, folder / nb.name, parameters, timeout)
        if then is not None and not outcome.error:
            then(folder / nb.name)
        return outcome

    outcomes: list[_Outcome] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool, \
            tqdm(total=len(notebooks), desc="notebooks", unit="nb", file=sys.stderr) as bar:
        futures = {pool.submit(one, nb): nb for nb in notebooks}
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            bar.set_postfix_str(outcome.notebook)
            bar.update(1)
            if outcome.error:
                _LOG.error("%s failed at cell %s after %.1f s: %s", outcome.notebook, outcome.cell,
                           outcome.seconds, outcome.error)
            else:
                _LOG.info("%s executed in %.1f s", outcome.notebook, outcome.seconds)
    order = {nb.name: i for i, nb in enumerate(notebooks)}
    return sorted(outcomes, key=lambda o: order[o.notebook])


# ---- HTML ----------------------------------------------------------------------------------------------


def _page_title(name: str, lang: str) -> str:
    from kit.labels import text

    key = _TITLE_KEYS.get(name[:2])
    return text(key, lang) if key else Path(name).stem


def _page_summary(name: str, lang: str) -> str:
    from kit.labels import LABELS, text

    key = f"{_TITLE_KEYS.get(name[:2], '')}_summary"
    return text(key, lang) if key in LABELS else ""


def to_html(notebook: Path, target: Path, *, with_code: bool = False, nav: Sequence[Mapping[str, Any]] = (),
            title: str = "", lang: str = "en") -> Path:
    """Convert an executed notebook into one self-contained HTML page.

    Code is hidden unless ``with_code`` (cells tagged ``remove-input`` show their output
    only; ``remove-cell`` cells and papermill's injected parameters vanish). Narrative cells
    tagged ``lang-en`` / ``lang-de`` appear only in a report of that language. Images are
    embedded; the page loads no script from the internet.

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

    Returns
    -------
    Path
        ``target``.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="lab", extra_template_paths=[str(_TEMPLATES)],
                            template_file="page.html.j2", exclude_input_prompt=True,
                            exclude_output_prompt=True, exclude_input=not with_code, embed_images=True)
    remover = TagRemovePreprocessor(
        remove_cell_tags={"remove-cell"} | (set() if with_code else {"injected-parameters"})
        | {f"lang-{other}" for other in LANGUAGES if other != lang},
        remove_input_tags=set() if with_code else {"remove-input"},
        remove_all_outputs_tags={"remove-output"})
    exporter.register_preprocessor(remover, enabled=True)
    book = nbformat.read(notebook, as_version=4)
    resources = {"metadata": {"name": title or Path(notebook).stem}, "kit_nav": list(nav)}
    body, _ = exporter.from_notebook_node(book, resources=resources)
    target.write_text(body, encoding="utf-8")
    return target


# ---- summary and artefacts -------------------------------------------------------------------------------


def _findings(frame: pd.DataFrame | None, config: AnalysisConfig, lang: str, period: str) -> list[dict[str, str]]:
    """Missed KPIs, largest gap first (``kit.kpi_gaps``), then a few met ones, as sentences."""
    from kit.labels import text
    from kit.pages import capability
    from kit.pages._common import fmt_kpi

    if frame is None:
        return []
    gaps = capability("kit.evidence", "kpi_gaps")
    ranked = gaps(frame, config) if gaps is not None else frame
    card = frame.set_index("kpi")
    out = []
    for status, key, css, limit in (("missed", "finding_missed", "kit-missed", 5), ("met", "finding_met", "kit-met", 3)):
        rows = ranked[ranked["status"] == status].head(limit)
        for r in rows.itertuples(index=False):
            kpi, row = str(r.kpi), card.loc[str(r.kpi)]
            interval = "" if pd.isna(row["ci_low"]) else text(
                "finding_interval", lang, low=fmt_kpi(kpi, row["ci_low"]), high=fmt_kpi(kpi, row["ci_high"]))
            change = "" if pd.isna(row["change"]) or pd.isna(row["p_value"]) else text(
                "finding_change", lang, previous=fmt_kpi(kpi, row["previous"]), change=_signed(kpi, row["change"]),
                p="< 0.001" if row["p_value"] < 0.001 else f"= {row['p_value']:.3f}")
            out.append({"css": css, "text": text(key, lang, label=r.label, value=fmt_kpi(kpi, r.value),
                                                 target=fmt_kpi(kpi, r.target), n=f"{int(r.n):,}",
                                                 interval=interval, change=change)})
    if not any(f["css"] == "kit-missed" for f in out):
        out.insert(0, {"css": "kit-met", "text": text("finding_none", lang, period=period)})
    return out


def _signed(kpi: str, change: float) -> str:
    """A change with its sign, in the KPI's unit (shares in percentage points)."""
    from kit.pages._common import fmt_kpi

    text_ = fmt_kpi(kpi, abs(change))
    if text_.endswith(" %"):
        text_ = text_[:-2] + " pp"
    return ("+" if change >= 0 else "−") + text_


_ACTION_COLUMNS = {"rank": "col_rank", "title": "col_action", "owner": "col_owner", "effort": "col_effort",
                   "cost": "col_cost", "why": "col_why"}


def write_index(folder: Path, *, config: AnalysisConfig, period: Any, run_id: str, scorecard: pd.DataFrame | None,
                actions: pd.DataFrame | None, pages: Sequence[Mapping[str, str]], downloads: Sequence[str],
                notes: Sequence[str], smoke: bool, config_name: str) -> Path:
    """Write ``index.html``: scorecard with status colours, top findings, top five actions, links to the pages.

    All text is escaped (Jinja2 autoescape); the scorecard table is built by
    :func:`kit.pages.scorecard_html`, which escapes every value itself.

    Returns
    -------
    Path
        The written ``index.html``.
    """
    import jinja2
    from markupsafe import Markup

    from kit.labels import STATUS_TEXT, text
    from kit.pages._common import _STATUS_TEXT_COLOUR, STATUS_COLOURS, scorecard_html

    lang = config.business.language
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    span = ""
    if period is not None:
        span = f"{period.start:%d.%m.%Y} – {period.end - pd.Timedelta(days=1):%d.%m.%Y}"
    action_rows: list[list[str]] = []
    action_columns: list[str] = []
    if actions is not None and not actions.empty:
        cols = [c for c in _ACTION_COLUMNS if c in actions]
        action_columns = [text(_ACTION_COLUMNS[c], lang) for c in cols]
        action_rows = [["–" if pd.isna(v) else (f"{v:,.0f}" if isinstance(v, float) else str(v)) for v in row]
                       for row in actions[cols].head(5).itertuples(index=False)]
    legend = [{"colour": STATUS_COLOURS[s], "fg": _STATUS_TEXT_COLOUR.get(s, "#222222"),
               "text": STATUS_TEXT[s][1 if lang == "de" else 0]} for s in STATUS_COLOURS]
    page = env.get_template("index.html").render(
        lang=lang, title=text("summary_title", lang), business=config.business.name,
        period_label=text("period", lang), period=getattr(period, "label", "–"), period_span=span,
        smoke=smoke, smoke_text=text("smoke", lang), notes=list(notes),
        findings_title=text("top_findings", lang),
        findings=_findings(scorecard, config, lang, getattr(period, "label", "–")),
        status_help=text("status_help", lang),
        findings_missing=text("not_available", lang, what="KPI scorecard (kit.scorecard)"),
        actions_title=text("top_actions", lang), actions=action_rows, action_columns=action_columns,
        actions_missing=text("not_available", lang, what="prioritised actions (kit.prioritise_actions)"),
        scorecard_title=text("scorecard", lang, period=getattr(period, "label", "–")),
        scorecard=Markup(scorecard_html(scorecard, lang)) if scorecard is not None else "",  # noqa: S704 - escaped inside
        scorecard_missing=text("not_available", lang, what="KPI scorecard (kit.scorecard)"), legend=legend,
        pages_title=text("pages", lang), pages=list(pages), downloads_title=text("downloads", lang),
        downloads=list(downloads), generated=text("generated", lang, run_id=run_id, config=config_name))
    target = folder / "index.html"
    target.write_text(page, encoding="utf-8")
    return target


def _write_artefacts(folder: Path, ctx: Any) -> tuple[pd.DataFrame | None, pd.DataFrame | None, list[str], list[str]]:
    """kpis.csv/json, actions.csv, watchlist.csv; returns scorecard, actions, files written, notes."""
    from kit import pages
    from kit.labels import text

    written: list[str] = []
    notes: list[str] = []
    lang = ctx.lang
    frame = pages.get_scorecard(ctx)
    if frame is None:
        notes.append(text("not_available", lang, what="kpis.csv (kit.scorecard)"))
    else:
        frame.to_csv(folder / "kpis.csv", index=False)
        records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        (folder / "kpis.json").write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")
        written += ["kpis.csv", "kpis.json"]
    plan = pages.plan_frame(ctx)
    if plan is None:
        notes.append(text("not_available", lang, what="actions.csv (kit.prioritise_actions)"))
    else:
        plan.to_csv(folder / "actions.csv", index=False)
        written.append("actions.csv")
    for key, frame_ in pages.list_frames(ctx).items():
        file = pages.LISTS[key][1]
        if frame_ is None:
            notes.append(text("not_available", lang, what=f"{file} (kit.{pages.LISTS[key][0]})"))
        else:
            frame_.to_csv(folder / file, index=False)
            written.append(file)
    return frame, plan, written, notes


# ---- the run -------------------------------------------------------------------------------------------


def _point_latest(out: Path, run_id: str) -> None:
    link = out / "latest"
    tmp = out / ".latest.tmp"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(run_id, target_is_directory=True)
        os.replace(tmp, link)
    except OSError:  # no symlinks here (some Windows or network drives): a pointer file instead
        (out / "latest.txt").write_text(run_id + "\n", encoding="utf-8")


def _unique_run_id(out: Path, label: str) -> str:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")  # a run id, never data logic
    run_id = f"{label}_{stamp}"
    n = 2
    while (out / run_id).exists() or (out / f".{run_id}.tmp").exists():
        run_id = f"{label}_{stamp}-{n}"
        n += 1
    return run_id


def run_report(config: Path, period: str = "latest", out: Path | None = None, with_code: bool = False,
               jobs: int = 2, timeout: int = 600, smoke: bool = False, *,
               notebooks: Sequence[Path] | None = None, parameters: Mapping[str, Any] | None = None) -> Path:
    """Run the five-step report for a period and write the run folder.

    The configuration, the period and the notebook parameters are validated and the
    data read once before any kernel starts; a :class:`~kit.errors.DataError` stops the
    run there.

    Parameters
    ----------
    config : Path
        The ``analysis.yaml``.
    period : str
        ``2026-Q3``, ``2026-10``, ``2026`` or ``"latest"`` (latest complete period of the data).
    out : Path, optional
        The reports folder; default ``reports/`` next to the configuration's folder (see :func:`default_out`).
    with_code : bool
        Show code cells in the HTML pages.
    jobs : int
        Notebooks executed in parallel.
    timeout : int
        Seconds one cell may run before the run fails.
    smoke : bool
        Small, fast run (passed to the notebooks as ``smoke``).
    notebooks : sequence of Path, optional
        Notebooks to run instead of the bundled five (tests, custom reports).
    parameters : mapping, optional
        Extra or overriding notebook parameters; each must be declared by every notebook.

    Returns
    -------
    Path
        The run folder ``<out>/<run-id>``.

    Raises
    ------
    ConfigError
        Invalid configuration, period or notebook parameter (the message lists the valid ones).
    DataError
        A data file cannot be used.
    ReportError
        A notebook cell failed or timed out; names the notebook and the 1-based cell.

    Examples
    --------
    >>> run_report(Path("data/analysis.yaml"), "2026-Q3", smoke=True)  # doctest: +SKIP
    PosixPath('.../reports/2026-Q3_20261124T021500Z')
    """
    from kit import pages
    from kit.labels import text

    started = time.monotonic()
    config = Path(config).resolve()
    cfg = load_config(config)
    if period != "latest":
        parse_period(period)
    sources = [Path(p) for p in notebooks] if notebooks is not None else [notebook_dir() / n for n in NOTEBOOKS]
    params: dict[str, Any] = {"config_path": str(config), "period": period, "run_dir": None, "smoke": smoke,
                              **dict(parameters or {})}
    check_parameters(sources, params)

    read_data = pages.capability("kit.io", "read_data")
    notes: list[str] = []
    caught: list[warnings.WarningMessage] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if read_data is None:
            from kit.tables import LoyaltyData

            data = LoyaltyData()
            notes.append(text("not_available", cfg.business.language, what="reading data (kit.read_data)"))
        else:
            data = read_data(cfg)
        resolved = pages.resolve_period(data, cfg, period)
    label = resolved.label if resolved is not None else "no-period"

    out = Path(out) if out is not None else default_out(config)
    out.mkdir(parents=True, exist_ok=True)
    run_id = _unique_run_id(out, label)
    final, tmp = out / run_id, out / f".{run_id}.tmp"
    tmp.mkdir()
    handler = logging.FileHandler(tmp / "run.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    _LOG.addHandler(handler)
    _LOG.setLevel(logging.INFO)
    try:
        _LOG.info("run %s: config %s, period %s (asked: %s), smoke=%s, jobs=%d, cell timeout %d s",
                  run_id, config, label, period, smoke, jobs, timeout)
        _LOG.info("tables read: %s", ", ".join(data.available()) or "none")
        for w in caught:
            _LOG.warning("%s: %s", w.category.__name__, w.message)
        quality = data.quality
        if quality is not None and not quality.empty:
            found = quality[pd.to_numeric(quality["count"], errors="coerce").fillna(0) > 0]
            _LOG.info("data quality: %d checks, %d found something", len(quality), len(found))
            for row in found.itertuples(index=False):
                log = _LOG.warning if row.severity in ("error", "warning") else _LOG.info
                log("data quality %s: %s: %s (%s; e.g. %s)", row.severity, row.table, row.check, row.count,
                    row.example)
        lang = cfg.business.language
        ctx = pages.Context(config=cfg, data=data, period=resolved, lang=lang, smoke=smoke, config_path=config)
        t0 = time.monotonic()
        with warnings.catch_warnings(record=True) as caught_shared:
            warnings.simplefilter("always")
            pages.prepare(ctx)
        for w in caught_shared:
            _LOG.warning("%s: %s", w.category.__name__, w.message)
        pages.share(ctx, tmp)
        _LOG.info("shared results (scorecard, customer values, drivers, lists, plan) computed in %.1f s",
                  time.monotonic() - t0)
        # the notebooks run inside the folder being written; they load the shared context from it
        params.update(period=label if resolved is not None else period, run_dir=str(tmp))
        nav = [{"href": "index.html", "title": text("summary_nav", lang), "current": False}]
        nav += [{"href": Path(s.name).with_suffix(".html").name, "title": _page_title(s.name, lang),
                 "current": False} for s in sources]

        def convert(executed: Path) -> None:
            page = executed.with_suffix(".html").name
            this = [{**item, "current": item["href"] == page} for item in nav]
            t = time.monotonic()
            to_html(executed, executed.with_suffix(".html"), with_code=with_code, nav=this,
                    title=f"{_page_title(executed.name, lang)} · {cfg.business.name} · {label}", lang=lang)
            _LOG.info("%s written in %.1f s", page, time.monotonic() - t)

        t0 = time.monotonic()
        outcomes = _execute_all(sources, tmp, params, jobs=jobs, timeout=timeout, then=convert)
        _LOG.info("notebooks executed and converted to HTML in %.1f s", time.monotonic() - t0)
        failed = [o for o in outcomes if o.error]
        if failed:
            first = failed[0]
            raise ReportError(f"{first.error}. The executed notebook with the full traceback is kept in "
                              f"{out / ('failed-' + run_id) / first.notebook}", notebook=first.notebook,
                              cell=first.cell)

        with warnings.catch_warnings(record=True) as caught_artefacts:
            warnings.simplefilter("always")
            frame, plan, written, missing = _write_artefacts(tmp, ctx)
        for w in caught_artefacts:
            _LOG.warning("%s: %s", w.category.__name__, w.message)
        for m in missing:
            _LOG.warning(m)
        page_links = [{"href": Path(s.name).with_suffix(".html").name, "title": _page_title(s.name, lang),
                       "summary": _page_summary(s.name, lang)} for s in sources]
        downloads = [Path(s.name).with_suffix(".html").name for s in sources] + written + \
            [s.name for s in sources] + ["run.log"]
        write_index(tmp, config=cfg, period=resolved, run_id=run_id, scorecard=frame, actions=plan,
                    pages=page_links, downloads=downloads, notes=notes + missing, smoke=smoke,
                    config_name=config.name)
        _LOG.info("run %s finished in %.1f s", run_id, time.monotonic() - started)
    except BaseException:
        (tmp / pages.SHARED_FILE).unlink(missing_ok=True)
        _LOG.removeHandler(handler)
        handler.close()
        failed_dir = out / f"failed-{run_id}"
        if failed_dir.exists():
            shutil.rmtree(failed_dir)
        tmp.rename(failed_dir)
        raise
    (tmp / pages.SHARED_FILE).unlink(missing_ok=True)
    _LOG.removeHandler(handler)
    handler.close()
    tmp.rename(final)
    _point_latest(out, run_id)
    return final
