"""The report run: validate, read once, compute the shared results, execute and convert the notebooks, write
the run folder atomically."""

from __future__ import annotations

import contextlib
import logging
import pickle
import shutil
import signal
import sys
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from glob import escape as glob_escape
from pathlib import Path
from typing import Any

import pandas as pd

from kit.data.config import load_config
from kit.data.io import table_bytes
from kit.data.periods import parse_period
from kit.data.privacy import customer_ids, pseudonymise_outputs
from kit.errors import KitWarning, OutputError, ReportError
from kit.report.allocator import kernel_env
from kit.report.execute import Gate, _execute_all, _KernelPool, stop_kernels
from kit.report.glossary import GLOSSARY_FILE, glossary_title, write_glossary
from kit.report.keyfile import key_path, winback_key, write_key
from kit.report.memory import check_memory
from kit.report.outdir import (
    OWNER_FILE,
    check_output,
    claim,
    point_latest,
    prune_failed,
    remove_leftovers,
    unique_run_id,
)
from kit.report.pages.trends import kpi_trends
from kit.report.parameters import SETTINGS, check_parameters, report_notebooks
from kit.report.pdf import check_pdf, write_pdf
from kit.report.render import _page_summary, _page_title, to_html
from kit.report.story import all_findings, findings_html
from kit.report.summary import _write_artefacts, write_index

__all__ = ["run_report", "default_out", "remove_shared_files"]

_LOG = logging.getLogger("kit.report")


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


#: What a kernel started ahead imports (silently) while the run computes the shared results: the modules the
#: notebooks' first cell imports, with matplotlib's pyplot and seaborn that the pages' figures load; then it keeps
#: the settings each page starts with (:mod:`kit.report._kernel`: a kernel serves one page after another).
_KERNEL_IMPORTS = ("import pandas, matplotlib.pyplot, seaborn, kit, kit.report.pages, kit.report._kernel\n"
                   "kit.report._kernel.remember()")

#: Shared-context files of runs in progress in this process (see :func:`remove_shared_files`).
_LIVE: set[Path] = set()


def remove_shared_files() -> None:
    """Delete the shared-context files of the runs in progress: they hold the data as read, not pseudonymised.

    Called when a run's notebooks are done, when it fails, and by ``loyalty-kit`` when it is
    terminated (SIGTERM, e.g. a cancelled CI job), so no copy of the data stays in the reports folder.
    Each file's siblings ``<file>.<table>`` (the tables, see :func:`kit.report.pages.share`) and ``.partial``
    files go with it.
    """
    while _LIVE:
        path = _LIVE.pop()
        for sibling in path.parent.glob(glob_escape(path.name) + ".*"):
            sibling.unlink(missing_ok=True)
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def _warnings_to_log() -> Iterator[None]:
    """Warnings raised inside the block go to run.log (and nowhere else)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        _LOG.warning("%s: %s", w.category.__name__, w.message)


def _log_quality(quality: pd.DataFrame | None) -> None:
    """The checks of the data-quality report that found something, one line each."""
    if quality is None or quality.empty:
        return
    found = quality[pd.to_numeric(quality["count"], errors="coerce").fillna(0) > 0]
    _LOG.info("data quality: %d checks, %d found something", len(quality), len(found))
    for row in found.itertuples(index=False):
        log = _LOG.warning if row.severity in ("error", "warning") else _LOG.info
        log("data quality %s: %s: %s (%s; e.g. %s)", row.severity, row.table, row.check, row.count, row.example)


def _pseudonymise_notebook(executed: Path, ids: set[str], salt: str) -> int:
    """Replace the customer ids in an executed notebook's outputs by their pseudonyms (the work cells display the
    tables as read); returns how many outputs changed (see :func:`kit.data.privacy.pseudonymise_outputs`)."""
    import nbformat

    if not ids:
        return 0
    book = nbformat.read(executed, as_version=4)
    changed = pseudonymise_outputs(book.cells, ids, salt)
    if changed:
        nbformat.write(book, executed)
    return changed


def _point_at_final_folder(executed: Path, tmp: Path, final: Path) -> None:
    """Make an executed notebook name the run folder it ends up in (``run_dir`` and papermill's record of the
    parameters), not the temporary folder it was written to, which is renamed when the run succeeds."""
    import nbformat

    book = nbformat.read(executed, as_version=4)
    recorded = book.metadata.get("papermill", {}).get("parameters", {})
    if recorded.get("run_dir") == str(tmp):
        recorded["run_dir"] = str(final)
    for cell in book.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = cell.source.replace(repr(str(tmp)), repr(str(final))).replace(
                f'"{tmp}"', f'"{final}"')
    nbformat.write(book, executed)


#: Inputs from this size on get a progress bar for the steps between reading and the kernels (on a terminal).
_STEPS_BAR_BYTES = 64 * 2**20


def _steps_bar(inputs_bytes: int) -> Any:
    """A tqdm bar over the four steps before all kernels run (the results the first page uses, the others,
    findings, handing them over); shown only for large inputs and only when stderr is a terminal (no bars in cron
    logs)."""
    from tqdm import tqdm

    return tqdm(total=4, desc="preparing", unit="step", file=sys.stderr, leave=False,
                disable=None if inputs_bytes >= _STEPS_BAR_BYTES else True)


def _share(ctx: Any, tmp: Path, t0: float, what: str) -> Path | None:
    """:func:`kit.report.pages.share` into the run folder, logged; None (and a warning in run.log) when the
    context could not be written: each notebook then computes what it needs itself, only slower."""
    from kit.report import pages

    try:
        _LIVE.add(tmp / pages.SHARED_FILE)
        shared = pages.share(ctx, tmp)
    except (pickle.PicklingError, TypeError, AttributeError, OSError) as err:
        _LOG.warning("could not hand the shared results to the notebooks (%s: %s); each computes its own",
                     type(err).__name__, err)
        return None
    sizes = [f.stat().st_size for f in tmp.glob(glob_escape(pages.SHARED_FILE) + ".*")]
    _LOG.info("shared results (%s) computed in %.1f s and handed to the notebooks (%.0f MB, tables %.0f MB in %d "
              "files)", what, time.monotonic() - t0, shared.stat().st_size / 2**20, sum(sizes) / 2**20, len(sizes))
    return shared


def _winback_key(ctx: Any) -> pd.DataFrame | None:
    """The key of ``winback.csv`` (pseudonym -> customer id), or None (see :func:`kit.report.keyfile.winback_key`);
    made while the run still holds the tables, written by :func:`_write_winback_key` when the run succeeds."""
    from kit.report import pages

    privacy = ctx.config.privacy
    if not privacy.pseudonymise or not privacy.key_file:
        return None
    from kit.report.pages.actions import winback_real_ids

    return winback_key(pages.list_frames(ctx).get("winback_list"), ctx.data, ctx.config, ids=winback_real_ids(ctx))


def _write_winback_key(ctx: Any, key: pd.DataFrame | None, out: Path, run_id: str) -> None:
    """The key of ``winback.csv`` (made by :func:`_winback_key`) to ``<out>/.private/<run-id>/``, named in run.log."""
    privacy = ctx.config.privacy
    if not privacy.pseudonymise:
        _LOG.info("winback.csv holds the real customer ids (privacy.pseudonymise: false): no key file")
        return
    if not privacy.key_file:
        _LOG.info("no key file for winback.csv (privacy.key_file: false); whoever holds the data and privacy.salt "
                  "re-identifies the pseudonyms with kit.data.privacy.pseudonym_key")
        return
    if key is None:
        return
    path = write_key(key, out, run_id)
    _LOG.info("key of winback.csv (pseudonym -> customer_id, %d customers, mode 0600; not part of the shareable "
              "report folder): %s", len(key), path)


@kernel_env()
def run_report(config: Path, period: str = "latest", out: Path | None = None, with_code: bool = False,
               jobs: int = 2, timeout: int = 600, smoke: bool = False, *, keep_failed: int = 5,
               notebooks: Sequence[Path] | None = None, parameters: Mapping[str, Any] | None = None,
               pdf: bool = False, memory_check: bool = True) -> Path:
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
    keep_failed : int
        How many ``failed-<run-id>/`` folders of earlier failed attempts to keep (the newest).
    notebooks : sequence of Path, optional
        Notebooks to run instead of the bundled five (tests, custom reports). Default: the five of the report
        language (``business.language``): ``notebooks/`` or ``notebooks/de/`` (:func:`report_notebooks`).
    parameters : mapping, optional
        Extra or overriding notebook parameters; each must be declared by every notebook. The analyst's
        settings (``inactivity_days``, ``sla_hours``, ``min_n``, ``segment_by``, ``driver_outcome``;
        ``loyalty-kit run -p NAME=VALUE``) also apply to the results the run computes once for all pages.
    pdf : bool
        Also print the summary and every page to A4 PDFs (``index.pdf``, ``0N_*.pdf``) with WeasyPrint
        (:mod:`kit.report.pdf`; no browser). Checked before any kernel starts.
    memory_check : bool
        Estimate the memory the run needs from the inputs' rows before reading them, and refuse a run that
        would need far more than the machine has (:mod:`kit.report.memory`); False runs anyway.

    Returns
    -------
    Path
        The run folder ``<out>/<run-id>``.

    Raises
    ------
    ConfigError
        Invalid configuration, period or notebook parameter (the message lists the valid ones).
    OutputError
        The reports folder is a file, not writable, full, or its ``latest`` is a real folder (checked
        before any data are read), or writing the run failed (e.g. the disk filled up).
    MemoryShortError
        The inputs hold so many rows that the run would need far more memory than is available (checked
        before any data are read; see ``memory_check``).
    DataError
        A data file cannot be used.
    ReportError
        A notebook cell failed or timed out; names the notebook and the 1-based cell.

    Examples
    --------
    >>> run_report(Path("data/analysis.yaml"), "2026-Q3", smoke=True)  # doctest: +SKIP
    PosixPath('.../reports/2026-Q3_20261124T021500Z')
    """
    from kit.labels import text
    from kit.report import pages

    started = time.monotonic()
    if pdf:
        check_pdf()
    config = Path(config).resolve()
    configured = load_config(config)   # a configuration error comes before anything else
    language = configured.business.language
    if period != "latest":
        parse_period(period)
    # the notebook set of the report language: notebooks/ (English) or notebooks/de/ (German)
    sources = [Path(p) for p in notebooks] if notebooks is not None else report_notebooks(language)
    params: dict[str, Any] = {"config_path": str(config), "period": period, "run_dir": None, "smoke": smoke,
                              **dict(parameters or {})}
    check_parameters(sources, params)
    # absolute: the kernels run inside the run folder, where a relative path would point elsewhere
    out = Path(out).resolve() if out is not None else default_out(config)
    # the configured inputs' size (those that exist; a missing one is reported when read)
    inputs_bytes = sum(table_bytes(source) for source in configured.data.tables.values())
    check_output(out, inputs_bytes=inputs_bytes)   # before minutes of reading, not after
    memory = check_memory(configured) if memory_check else None   # likewise
    remove_leftovers(out, shared_file=pages.SHARED_FILE)    # private copies of runs that were killed outright

    with warnings.catch_warnings(record=True) as caught:   # logged once run.log exists
        warnings.simplefilter("always")
        # the data read once, the period, the configuration's fingerprint; what the reader must know about the
        # data (e.g. a period only partly covered) is in ctx.notes: at the top of every page and on the summary
        # the analyst's settings (-p inactivity_days=90, ...) apply to the shared results as to every page
        ctx = pages.context(config, period=period, smoke=smoke, memory_check=False,   # checked above, or not asked
                            **{k: params[k] for k in SETTINGS if k in params})
    cfg, resolved, notes = ctx.config, ctx.period, list(ctx.notes)
    for note in notes:   # and to the caller, who sees it as a warning
        warnings.warn(note, KitWarning, stacklevel=2)
    if memory is not None and memory.warn:
        warnings.warn(memory.warn, KitWarning, stacklevel=2)
    label = resolved.label if resolved is not None else "no-period"

    run_id = unique_run_id(out, label)
    final, tmp = out / run_id, out / f".{run_id}.tmp"
    try:
        tmp.mkdir()
        claim(tmp)
    except OSError as err:
        raise OutputError(f"the run folder cannot be created ({err.strerror or err})", path=tmp,
                          fix="free some space or choose another folder with --out") from None
    handler = logging.FileHandler(tmp / "run.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    _LOG.addHandler(handler)
    _LOG.setLevel(logging.INFO)
    kernels: _KernelPool | None = None
    gate: Gate | None = None
    background: Future[list[Any]] | None = None
    try:
        _LOG.info("run %s: config %s, period %s (asked: %s), smoke=%s, jobs=%d, cell timeout %d s",
                  run_id, config, label, period, smoke, jobs, timeout)
        _LOG.info("tables read: %s", ", ".join(ctx.data.available()) or "none")
        if memory is not None:
            _LOG.info("memory: the inputs hold %s rows (counted before reading); estimate %.1f GB, available %s",
                      f"{memory.rows:,}", memory.needed / 1e9,
                      f"{memory.available / 1e9:.1f} GB" if memory.available is not None else "unknown")
            if memory.warn:
                _LOG.warning("%s", memory.warn)
        for w in caught:
            _LOG.warning("%s: %s", w.category.__name__, w.message)
        for note in notes:
            _LOG.warning("note on every page: %s", note)
        _log_quality(ctx.data.quality)
        lang = ctx.lang
        # the kernels start (and import the kit) now, on the other core, while this process computes what the
        # notebooks share: at most ``jobs`` of them starting at a time
        # one kernel per worker: a worker's next page runs on the kernel of its last one, emptied in between
        kernels = _KernelPool(min(len(sources), max(1, jobs)), tmp, _KERNEL_IMPORTS, parallel=jobs)
        # the notebooks run inside the folder being written; they load the shared context from it
        params.update(period=label if resolved is not None else period, run_dir=str(tmp))
        nav = [{"href": "index.html", "title": text("summary_nav", lang), "current": False}]
        nav += [{"href": Path(s.name).with_suffix(".html").name, "title": _page_title(s.name, lang),
                 "current": False} for s in sources]
        nav.append({"href": GLOSSARY_FILE, "title": glossary_title(lang), "current": False})
        story: dict[str, Any] = {}
        ids: set[str] = set()

        def convert(executed: Path) -> None:   # runs once the findings and the ids are there (the gate is open)
            if (changed := _pseudonymise_notebook(executed, ids, cfg.privacy.salt)):
                _LOG.info("%s: customer ids in %d outputs replaced by their pseudonyms", executed.name, changed)
            _point_at_final_folder(executed, tmp, final)
            page = executed.with_suffix(".html").name
            this = [{**item, "current": item["href"] == page} for item in nav]
            t = time.monotonic()
            to_html(executed, executed.with_suffix(".html"), with_code=with_code, nav=this,
                    title=f"{_page_title(executed.name, lang)} · {cfg.business.name} · {label}", lang=lang,
                    findings=findings_html(story.get(executed.name[:2], []), lang))
            _LOG.info("%s written in %.1f s", page, time.monotonic() - t)

        t0 = time.monotonic()
        steps = _steps_bar(inputs_bytes)
        failed_parts: list[str] = []
        rest: Sequence[str] | None = None
        if jobs >= 2 and len(sources) > 1:
            # two steps: what the longest page uses (page 3: scorecard, customer values, KPI trends) is shared
            # first and that page starts on the other core; the rest is computed beside it
            steps.set_postfix_str("scorecard, customer values, KPI trends", refresh=True)
            with _warnings_to_log():
                failed_parts += pages.prepare(ctx, timeout=timeout, parts=pages.FIRST)
            rest = [part for part in pages.PARTS if part not in pages.FIRST]
            if _share(ctx, tmp, t0, ", ".join(pages.FIRST)) is not None:
                # the run's tables become the files just written, mapped: one copy for the run and its kernels
                mapped = pages.map_shared(ctx, tmp)
                _LOG.info("the run works on the tables it shared (mapped, not copied): %s", ", ".join(mapped) or "none")
                gate, started_notebooks = Gate(), time.monotonic()
                background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kit-notebooks").submit(
                    _execute_all, sources, tmp, params, jobs=jobs, timeout=timeout, then=convert, kernels=kernels,
                    hold=gate)
        steps.update()
        steps.set_postfix_str("drivers, customer lists, action plan" if rest is not None
                              else "scorecard, customer values, lists", refresh=True)
        with _warnings_to_log():
            failed_parts += pages.prepare(ctx, timeout=timeout, parts=rest)
        steps.update()
        # conclusions first: each page's findings and the index's executive summary, from the shared results
        steps.set_postfix_str("findings", refresh=True)
        story = all_findings(ctx)
        steps.update()
        steps.set_postfix_str("handing the results to the notebooks", refresh=True)
        shared = _share(ctx, tmp, t0, "scorecard, customer values, drivers, lists, plan, trends")
        steps.update()
        key = _winback_key(ctx)
        # the work cells display the tables as read: their outputs get the lists' pseudonyms (before the release)
        ids = customer_ids(getattr(ctx.data, n) for n in ctx.data.available()) if cfg.privacy.pseudonymise else set()
        if shared is not None and not failed_parts and pages.release(ctx, tmp):
            # every result the run writes is computed: its copy of the tables leaves memory while the kernels work
            _LOG.info("the run's copy of the tables is released while the notebooks run")
        steps.close()

        if background is not None:
            gate.open()
            t0 = started_notebooks
            outcomes = background.result()
        else:
            t0 = time.monotonic()
            outcomes = _execute_all(sources, tmp, params, jobs=jobs, timeout=timeout, then=convert, kernels=kernels)
        kernels.close()
        remove_shared_files()  # the kernels are done with it: the data it holds leaves the reports folder now
        _LOG.info("notebooks executed and converted to HTML in %.1f s", time.monotonic() - t0)
        failed = [o for o in outcomes if o.error]
        if failed:
            first = failed[0]
            others = "".join(f" Also failed: {o.notebook}" + (f", cell {o.cell}" if o.cell is not None else "")
                             + f" ({o.error})." for o in failed[1:])
            raise ReportError(f"{first.error}. The executed notebook with the full traceback is kept in "
                              f"{out / ('failed-' + run_id) / first.notebook}.{others}", notebook=first.notebook,
                              cell=first.cell)

        with _warnings_to_log():
            frame, plan, written, missing = _write_artefacts(tmp, ctx)
        for m in missing:
            _LOG.warning(m)
        page_links = [{"href": Path(s.name).with_suffix(".html").name, "title": _page_title(s.name, lang),
                       "summary": _page_summary(s.name, lang)} for s in sources]
        downloads = [Path(s.name).with_suffix(".html").name for s in sources] + written + \
            [s.name for s in sources] + ["run.log"]
        write_glossary(tmp, lang, business=cfg.business.name)
        downloads.append(GLOSSARY_FILE)
        printed = (["index.html"] + [Path(s.name).with_suffix(".html").name for s in sources]) if pdf else []
        downloads += [Path(p).with_suffix(".pdf").name for p in printed]
        write_index(tmp, config=cfg, period=resolved, run_id=run_id, scorecard=frame, actions=plan,
                    pages=page_links, downloads=downloads, notes=notes + missing, smoke=smoke,
                    config_name=config.name, story=story, page_files={Path(s.name).name[:2]: Path(s.name).with_suffix(
                        ".html").name for s in sources}, trends=kpi_trends(ctx))
        if printed:
            t0 = time.monotonic()
            write_pdf(tmp, printed)
            _LOG.info("%d pages printed to PDF in %.1f s", len(printed), time.monotonic() - t0)
        _write_winback_key(ctx, key, out, run_id)
        _LOG.info("run %s finished in %.1f s", run_id, time.monotonic() - started)
    except BaseException as exc:
        if gate is not None:
            gate.cancel()   # the notebooks still held back end unstarted
        if kernels is not None:
            kernels.close(wait=False)
        stop_kernels()
        if background is not None:   # its notebooks end with their kernels; before the folder is renamed
            futures_wait([background], timeout=30)
        remove_shared_files()
        error: BaseException = exc
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            how = "Ctrl-C" if isinstance(exc, KeyboardInterrupt) or exc.code == 128 + signal.SIGINT else "SIGTERM"
            _LOG.error("terminated (%s) after %.1f s: the notebooks were stopped and the private copy of the data "
                       "removed; this attempt is kept as failed-%s", how, time.monotonic() - started, run_id)
        elif isinstance(exc, OSError):
            error = OutputError(f"writing the run failed: {exc.strerror or exc}"
                                + (f" ({exc.filename})" if exc.filename else ""), path=out,
                                fix="free some space or fix the permissions of that folder (or choose another "
                                    "with --out) and run again")
            _LOG.error("%s", error)
        else:
            _LOG.error("failed: %s", exc)
        _LOG.removeHandler(handler)
        handler.close()
        shutil.rmtree(key_path(out, run_id).parent, ignore_errors=True)   # no key of a report that does not exist
        failed_dir = out / f"failed-{run_id}"
        with contextlib.suppress(OSError):
            (tmp / OWNER_FILE).unlink(missing_ok=True)
            if failed_dir.exists():
                shutil.rmtree(failed_dir)
            tmp.rename(failed_dir)
            prune_failed(out, keep=keep_failed)
        if error is not exc:
            raise error from exc
        raise
    remove_shared_files()
    _LOG.removeHandler(handler)
    handler.close()
    (tmp / OWNER_FILE).unlink(missing_ok=True)
    tmp.rename(final)
    point_latest(out, run_id)
    prune_failed(out, keep=keep_failed)
    return final
