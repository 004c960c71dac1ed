"""The reports folder: checked before any data are read, cleaned of what killed runs left, ``latest`` kept honest.

A run writes ``<out>/.<run-id>.tmp/`` and renames it at the end; the temporary folder holds a private
copy of the data (not pseudonymised) while the notebooks run. Its ``owner`` file names the process
that writes it, so the next run of any kind (``run`` or ``validate``) can tell a folder of a run that
was killed outright (SIGKILL, out of memory) from one still running in parallel, and removes the
private copy at once (not after a day). Failed attempts (``failed-<run-id>/``) are kept for inspection,
the newest few only.
"""

from __future__ import annotations

import datetime as dt
import errno
import glob
import logging
import os
import shutil
import socket
import time
from pathlib import Path

from kit.errors import OutputError

__all__ = ["check_output", "remove_leftovers", "prune_failed", "point_latest", "unique_run_id", "claim",
           "OWNER_FILE", "MIN_FREE_BYTES"]

_LOG = logging.getLogger("kit.report")

OWNER_FILE = "owner"
"""File in a run's temporary folder: ``<pid> <host>`` of the process writing it."""

MIN_FREE_BYTES = 50 * 2**20
"""Free space a run needs at least beside twice the size of its input files (pages, notebooks, private copy)."""


def _free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


def check_output(out: Path, *, inputs_bytes: int = 0) -> None:
    """Make sure a run can write ``out`` before it reads any data.

    Creates ``out`` when missing, writes and removes a probe file, checks the free space and that
    ``out/latest`` is the link the kit keeps (not a folder copied over it).

    Parameters
    ----------
    out : Path
        The reports folder.
    inputs_bytes : int
        Total size of the input files; the run needs about twice that plus :data:`MIN_FREE_BYTES`.

    Raises
    ------
    OutputError
        ``out`` is a file, cannot be created or written, has too little free space, or its
        ``latest`` is a real folder; the message names the path and the fix.

    Examples
    --------
    >>> import tempfile
    >>> check_output(Path(tempfile.mkdtemp()) / "reports")
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError("is a file, not a folder", path=out,
                          fix="pass a folder with --out (it is created when missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"the reports folder cannot be created ({err.strerror or err})", path=out,
                          fix="choose a folder you may write to with --out, or create it first") from None
    probe = out / f".write-test-{os.getpid()}"
    try:
        with probe.open("wb") as f:
            f.write(b"0" * 4096)
            f.flush()
            os.fsync(f.fileno())
    except OSError as err:
        full = err.errno in (errno.ENOSPC, errno.EDQUOT)
        raise OutputError(
            "the disk is full" if full else f"the reports folder is not writable ({err.strerror or err})", path=out,
            fix="free some space on that disk or choose another folder with --out" if full else
            "give yourself write access (or remount it read-write), or choose another folder with --out") from None
    finally:
        probe.unlink(missing_ok=True)
    need = MIN_FREE_BYTES + 2 * max(int(inputs_bytes), 0)
    free = _free_bytes(out)
    if free < need:
        raise OutputError(f"only {free / 2**20:.0f} MB are free on its disk; a run needs about {need / 2**20:.0f} MB",
                          path=out, fix="free some space on that disk or choose another folder with --out")
    latest = out / "latest"
    if latest.exists() and not latest.is_symlink():
        raise OutputError("is a folder (a copy of a report?), not the link the kit points at the newest report, so "
                          "the new run could not be shown there", path=latest,
                          fix=f"rename or remove it (e.g. mv {latest} {out / 'latest-copy'}) and run again")


def claim(tmp: Path) -> None:
    """Mark ``tmp`` as the temporary folder of this process (see :func:`remove_leftovers`)."""
    (tmp / OWNER_FILE).write_text(f"{os.getpid()} {socket.gethostname()}\n", encoding="utf-8")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # someone else's live process
        return True
    return True


def _abandoned(tmp: Path, *, max_age_s: float) -> bool:
    """True when the process that wrote ``tmp`` is gone (same host), or, without an owner file, it is old."""
    try:
        pid_text, host = (tmp / OWNER_FILE).read_text(encoding="utf-8").split()
        pid = int(pid_text)
    except (OSError, ValueError):
        try:
            return tmp.stat().st_mtime < time.time() - max_age_s
        except OSError:
            return False
    if host != socket.gethostname():   # a shared folder written from another machine: only by age
        return tmp.stat().st_mtime < time.time() - max_age_s
    return pid != os.getpid() and not _alive(pid)


def remove_leftovers(out: Path, *, shared_file: str, max_age_s: float = 24 * 3600) -> list[Path]:
    """Clean up after runs into ``out`` that were killed outright: their private data copy is deleted and
    their temporary folder becomes ``failed-<run-id>/`` with a note in its ``run.log``.

    A folder whose process still runs (a parallel run) is left alone; one without an owner file
    (written by an older kit) only when it is older than ``max_age_s``.

    Parameters
    ----------
    out : Path
        The reports folder; nothing happens when it does not exist.
    shared_file : str
        Name of the private data copy in a run's temporary folder.
    max_age_s : float
        Age after which a temporary folder without an owner is treated as abandoned.

    Returns
    -------
    list of Path
        The ``failed-*`` folders the leftovers were moved to.
    """
    out = Path(out)
    moved: list[Path] = []
    if not out.is_dir():
        return moved
    for tmp in sorted(out.glob(".*.tmp")):
        if not tmp.is_dir() or tmp.is_symlink() or not _abandoned(tmp, max_age_s=max_age_s):
            continue
        try:
            # the tables beside it (<shared_file>.<table>) and files killed while being written (.partial), too
            for private in [tmp / shared_file, *tmp.glob(glob.escape(shared_file) + ".*")]:
                private.unlink(missing_ok=True)
            (tmp / OWNER_FILE).unlink(missing_ok=True)
            with (tmp / "run.log").open("a", encoding="utf-8") as log:
                log.write(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} ERROR killed: the process ended without "
                          "cleaning up; a later run removed its private data copy and kept this folder\n")
            target = out / f"failed-{tmp.name[1:-len('.tmp')]}"
            if target.exists():
                shutil.rmtree(target)
            tmp.rename(target)
            moved.append(target)
            _LOG.info("removed the leftovers of a killed run: %s (kept as %s)", tmp.name, target.name)
        except OSError as err:
            _LOG.warning("could not clean up %s, left by a killed run: %s", tmp, err)
    return moved


def prune_failed(out: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` ``failed-*`` folders of ``out``; returns the deleted ones.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> for i in range(4):
    ...     (out / f"failed-2026-Q3_2026120{i}T000000Z").mkdir()
    >>> [p.name for p in prune_failed(out, keep=2)]
    ['failed-2026-Q3_20261200T000000Z', 'failed-2026-Q3_20261201T000000Z']
    """
    failed = [p for p in Path(out).glob("failed-*") if p.is_dir() and not p.is_symlink()]
    failed.sort(key=lambda p: (p.name.rsplit("_", 1)[-1], p.stat().st_mtime))   # run ids end in their UTC stamp
    doomed = failed[:max(len(failed) - max(keep, 0), 0)]
    for old in doomed:
        shutil.rmtree(old, ignore_errors=True)
    return doomed


def point_latest(out: Path, run_id: str) -> None:
    """Point ``out/latest`` at ``run_id`` (a relative symlink, replaced atomically).

    Where symlinks cannot be made, ``latest.txt`` names the run instead and a stale ``latest``
    link is removed, so nothing points at an older report.
    """
    link = out / "latest"
    tmp = out / ".latest.tmp"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(run_id, target_is_directory=True)
        os.replace(tmp, link)
    except OSError:  # no symlinks here (some Windows or network drives): a pointer file instead
        if link.is_symlink():
            link.unlink()
        (out / "latest.txt").write_text(run_id + "\n", encoding="utf-8")
        return
    (out / "latest.txt").unlink(missing_ok=True)   # an old pointer file would contradict the link


def unique_run_id(out: Path, label: str) -> str:
    """``<label>_<UTC stamp>``, with ``-2``, ``-3`` ... when a run of the same second exists."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")  # a run id, never data logic
    run_id = f"{label}_{stamp}"
    n = 2
    while (out / run_id).exists() or (out / f".{run_id}.tmp").exists() or (out / f"failed-{run_id}").exists():
        run_id = f"{label}_{stamp}-{n}"
        n += 1
    return run_id
