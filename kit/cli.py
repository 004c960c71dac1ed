"""The ``loyalty-kit`` command.

Exit codes: 0 ok, 1 data, configuration, output or report error (message only; the
traceback with ``--debug``), 2 usage error (unknown command or option), 143 terminated
(SIGTERM), 130 interrupted (Ctrl-C).
This module alone maps errors to exit codes.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from kit.errors import KitError, KitWarning

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Customer-loyalty analysis: validate data, generate the sample, run the five-step report.",
)

_STATE = {"debug": False}

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="analysis.yaml to use (default: the bundled sample's)."),
]


def _config_path(config: Path | None) -> Path:
    if config is not None:
        return config
    from kit.sample import sample_config_path

    return sample_config_path()


def _version(value: bool) -> None:
    if value:
        from kit import __version__

        typer.echo(f"loyalty-kit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    _STATE["debug"] = debug


@app.command()
def validate(
    config: ConfigOption = None,
    memory_check: Annotated[bool, typer.Option(
        "--memory-check/--no-memory-check",
        help="Refuse, before reading, inputs far too large for this machine's memory (an estimate from their "
             "rows).")] = True,
) -> None:
    """Read and validate every table, the codebook and the interviews; print the data-quality report (in
    business.language). Exit 1 on errors."""
    from kit.data.config import load_config

    path = _config_path(config)
    cfg = load_config(path)
    import pandas as pd

    if memory_check:   # before minutes of reading that the system would end without a word
        from kit.report.memory import check_memory

        verdict = check_memory(cfg, command="validate")
        if verdict.warn:
            typer.echo(f"warning: {verdict.warn}", err=True)

    from kit.report.outdir import remove_leftovers
    from kit.report.pages import SHARED_FILE
    from kit.report.run import default_out

    # a run into the default folder that was killed outright left a private copy of the data: remove it now
    remove_leftovers(default_out(path), shared_file=SHARED_FILE)
    from kit.data.io import format_quality_report
    from kit.data.io import validate as validate_data
    from kit.text.sources import check_text_sources

    report = pd.concat([validate_data(cfg), check_text_sources(cfg)], ignore_index=True)
    typer.echo(format_quality_report(report, lang=cfg.business.language))
    if (report["severity"] == "error").any():
        raise typer.Exit(1)


@app.command()
def sample(
    directory: Annotated[Path, typer.Argument(help="Folder to write the generated data set into.")],
    customers: Annotated[int, typer.Option(min=10, help="Number of customers.")] = 3000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 7,
    fmt: Annotated[str, typer.Option("--format", help="csv (the sample's German exports) or parquet.")] = "csv",
    part_customers: Annotated[int | None, typer.Option(
        min=1, help="With --format parquet: each table a folder of Parquet files, one per this many customers.")
    ] = None,
) -> None:
    """Generate a sample business (the bundled one, or a large one for benchmarks)."""
    from kit.sample import write_sample

    if part_customers is not None and fmt != "parquet":
        raise typer.BadParameter("--part-customers needs --format parquet", param_hint="--part-customers")
    written = write_sample(directory, customers=customers, seed=seed, fmt=fmt, part_customers=part_customers)
    typer.echo(f"wrote {len(written)} files to {directory}")


@app.command()
def run(
    config: ConfigOption = None,
    period: Annotated[str, typer.Option(
        help="2026-Q3, 2026-10, 2026 or 'latest' (latest complete period).")] = "latest",
    out: Annotated[Path | None, typer.Option(
        help="Reports folder (default: reports/ next to the data folder).")] = None,
    with_code: Annotated[bool, typer.Option("--with-code", help="Show the code cells in the HTML.")] = False,
    jobs: Annotated[int, typer.Option(min=1, help="Notebooks run in parallel.")] = 2,
    timeout: Annotated[int, typer.Option(min=1, help="Seconds one cell may take before the run fails.")] = 600,
    smoke: Annotated[bool, typer.Option("--smoke", help="Small, fast run (for tests and demos).")] = False,
    parameter: Annotated[list[str] | None, typer.Option(
        "--parameter", "-p", help="Notebook parameter NAME=VALUE, repeatable: e.g. -p inactivity_days=90 "
                                  "-p sla_hours=12 -p min_n=50 -p segment_by=region -p driver_outcome=csat.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write each page as an A4 PDF (WeasyPrint, no browser).")]
    = False,
    keep_failed: Annotated[int, typer.Option(min=0, help="failed-<run-id>/ folders of failed runs to keep "
                                                         "(the newest).")] = 5,
    memory_check: Annotated[bool, typer.Option(
        "--memory-check/--no-memory-check",
        help="Refuse, before reading, inputs far too large for this machine's memory (an estimate from their "
             "rows).")] = True,
) -> None:
    """Run the five notebooks for a period and write the HTML report folder."""
    from kit.report import run_report

    result = run_report(config=_config_path(config), period=period, out=out, with_code=with_code,
                        jobs=jobs, timeout=timeout, smoke=smoke, parameters=_parameters(parameter or []),
                        pdf=pdf, keep_failed=keep_failed, memory_check=memory_check)
    typer.echo(f"report written to {result}\nopen {result / 'index.html'}")


def _parameters(pairs: list[str]) -> dict[str, Any]:
    """``["inactivity_days=90", "segment_by=region"]`` -> ``{"inactivity_days": 90, "segment_by": "region"}``.

    A value is read as a Python literal (``90``, ``12.5``, ``True``, ``None``), else kept as text. The names and
    types are checked against the notebooks' ``parameters`` cells by the run.

    Examples
    --------
    >>> _parameters(["inactivity_days=90", "segment_by=region", "sla_hours=12.5"])
    {'inactivity_days': 90, 'segment_by': 'region', 'sla_hours': 12.5}
    """
    import ast

    from kit.errors import ConfigError

    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"-p {pair!r}: expected NAME=VALUE, e.g. -p inactivity_days=90.")
        try:
            out[name.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            out[name.strip()] = value.strip()
    return out


@contextlib.contextmanager
def _kit_warnings_on_stderr() -> Iterator[None]:
    """While the command runs, the kit's warnings are one plain line on stderr (``warning: ...``), each
    distinct message once; other warnings are shown as Python shows them."""
    previous, shown = warnings.showwarning, set()

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        if not issubclass(category, KitWarning):
            previous(message, category, filename, lineno, file, line)
        elif str(message) not in shown:
            shown.add(str(message))
            typer.echo(f"warning: {message}", err=True)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = previous


_TERMINATED: dict[str, int] = {}


@contextlib.contextmanager
def _cleanup_on_terminate() -> Iterator[None]:
    """SIGTERM (a cancelled CI job, ``docker stop``, ``kill``) and Ctrl-C end the command within seconds: the
    run's copy of the data is deleted at once, its kernels are stopped (see :func:`kit.report.run.run_report`),
    the attempt is kept as ``failed-<run-id>/``; the exit code is 143 (SIGTERM) or 130 (Ctrl-C)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        from kit.report.run import remove_shared_files

        remove_shared_files()
        if _TERMINATED:   # a second signal while cleaning up: the cleanup goes on
            return
        _TERMINATED["code"] = 128 + signum
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, terminate) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    """Run the ``loyalty-kit`` command line in this process; returns the exit code."""
    _TERMINATED.clear()
    with _kit_warnings_on_stderr(), _cleanup_on_terminate():
        code = _main(argv)
    if _TERMINATED:
        import logging
        import os

        typer.echo(f"terminated ({'Ctrl-C' if _TERMINATED['code'] == 130 else 'SIGTERM'}): stopped; a run's "
                   "kernels and private copy of the data are gone, the previous report and 'latest' are untouched",
                   err=True)
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        # do not wait for the notebook threads: their kernels are gone and the run folder is already failed-*
        os._exit(_TERMINATED["code"])
    return code


def _main(argv: list[str] | None) -> int:
    try:
        app(args=argv, standalone_mode=True)
    except KitError as exc:
        if _STATE["debug"]:
            raise
        typer.echo(f"error: {exc}", err=True)
        return 1
    except OSError as exc:   # an OS problem the kit did not foresee: one line naming the path, not a traceback
        if _STATE["debug"]:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        typer.echo(f"error: {where}{exc.strerror or exc}. Check that the path exists, is writable and its disk "
                   "has space (--debug shows the traceback).", err=True)
        return 1
    except SystemExit as exc:  # typer exits itself: 0 ok, 2 usage error, or our Exit(1)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def command() -> int:
    """The ``loyalty-kit`` program (``python -m kit.cli``): :func:`main` in a process of its own, whose allocator
    keeps freed memory for reuse (:func:`kit.report.allocator.tune_this_process`)."""
    from kit.report.allocator import tune_this_process

    tune_this_process()
    return main()


if __name__ == "__main__":
    sys.exit(command())
