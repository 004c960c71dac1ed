"""The reports folder: checked before reading, leftovers of killed runs removed, ``latest`` honest, failed pruned."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kit.errors import OutputError
from kit.report import outdir, run_report
from kit.report.outdir import OWNER_FILE, check_output, point_latest, prune_failed, remove_leftovers

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures_report" / "analysis.yaml"
SHARED = ".shared-context.pkl"


def test_out_is_a_file(tmp_path):
    target = tmp_path / "reports"
    target.write_text("x")
    with pytest.raises(OutputError, match=r"reports: is a file, not a folder\. Pass a folder with --out"):
        check_output(target)


def test_read_only_folder_is_refused(tmp_path, monkeypatch):
    # root ignores chmod, so the read-only mount is simulated where the probe file is opened
    def refuse(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(OutputError, match=r"not writable \(Read-only file system\).*choose another folder with --out"):
        check_output(tmp_path)


def test_full_disk_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(outdir, "_free_bytes", lambda path: 10 * 2**20)   # 10 MB free < 50 MB + 2 x 5 MB
    with pytest.raises(OutputError, match=r"only 10 MB are free on its disk; a run needs about 60 MB"):
        check_output(tmp_path, inputs_bytes=5 * 2**20)


def test_latest_that_is_a_folder_is_refused(tmp_path):
    (tmp_path / "latest").mkdir()   # cp -r of an old report
    with pytest.raises(OutputError, match=r"latest: is a folder .*Rename or remove it"):
        check_output(tmp_path)


def test_output_problems_come_before_reading_the_data(tmp_path, monkeypatch):
    from kit.report import pages

    def never(*args, **kwargs):
        raise AssertionError("the data were read although the output folder is unusable")

    monkeypatch.setattr(pages, "context", never)
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        run_report(FIXTURE, out=target)


def test_cli_prints_one_error_line_for_a_file_as_output(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    done = subprocess.run([sys.executable, "-m", "kit.cli", "run", "--config", str(FIXTURE), "--out", str(target)],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: {target}: is a file, not a folder. Pass a folder with --out (it is created when missing)."]


def test_leftovers_of_a_killed_run_are_removed_at_once(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    pid = int(dead.stdout)   # a process that has ended: its run was killed
    killed = tmp_path / ".2026-Q3_20261202T010000Z.tmp"
    killed.mkdir()
    (killed / SHARED).write_bytes(b"private")
    (killed / (SHARED + ".partial")).write_bytes(b"half")
    (killed / (SHARED + ".orders")).write_bytes(b"a table")
    (killed / "run.log").write_text("started\n")
    import socket

    (killed / OWNER_FILE).write_text(f"{pid} {socket.gethostname()}\n")
    running = tmp_path / ".2026-Q3_20261202T010001Z.tmp"   # a parallel run, alive: left alone
    running.mkdir()
    (running / SHARED).write_bytes(b"private")
    (running / OWNER_FILE).write_text(f"{os.getppid()} {socket.gethostname()}\n")
    moved = remove_leftovers(tmp_path, shared_file=SHARED)
    assert moved == [tmp_path / "failed-2026-Q3_20261202T010000Z"]
    assert sorted(p.name for p in moved[0].iterdir()) == ["run.log"] and not killed.exists()
    assert "killed" in (moved[0] / "run.log").read_text()
    assert (running / SHARED).exists()


def test_prune_keeps_the_newest(tmp_path):
    for stamp in ("20261201T000000Z", "20261203T000000Z", "20261202T000000Z"):
        (tmp_path / f"failed-2026-Q3_{stamp}").mkdir()
    removed = prune_failed(tmp_path, keep=1)
    assert sorted(p.name for p in removed) == ["failed-2026-Q3_20261201T000000Z", "failed-2026-Q3_20261202T000000Z"]
    assert [p.name for p in tmp_path.iterdir()] == ["failed-2026-Q3_20261203T000000Z"]


def test_point_latest_replaces_a_stale_pointer_file(tmp_path):
    (tmp_path / "run-b").mkdir()
    (tmp_path / "latest.txt").write_text("run-a\n")
    point_latest(tmp_path, "run-b")
    assert os.readlink(tmp_path / "latest") == "run-b" and not (tmp_path / "latest.txt").exists()
