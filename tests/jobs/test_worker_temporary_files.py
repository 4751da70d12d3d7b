"""A worker's temporary files (openpyxl's sheets) are kept in a folder of its own, and removed once that
worker is gone: at once (after a few minutes) on this host, after a day for another host's worker, never
while the worker still runs."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grants.jobs import scratch


def _folder_with_file(path: Path, age_seconds: float) -> Path:
    path.mkdir(parents=True)
    sheet = path / "openpyxl.abc123"
    sheet.write_text("<row/>")
    then = time.time() - age_seconds
    os.utime(sheet, (then, then))
    os.utime(path, (then, then))
    return sheet


@pytest.fixture
def gone_pid() -> int:
    """The number of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603 - our own command
    process.wait()
    return process.pid


def test_a_stopped_workers_files_are_removed_once_old_enough(tmp_path, gone_pid):
    sheet = _folder_with_file(scratch.own_folder(tmp_path, gone_pid), age_seconds=30)

    assert scratch.remove_leftovers(tmp_path, older_than_seconds=60) == 0  # just killed: left a while
    assert sheet.exists()
    assert scratch.remove_leftovers(tmp_path, older_than_seconds=10) == 1
    assert not sheet.parent.exists()


def test_a_running_workers_files_are_kept(tmp_path):
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # noqa: S603
    try:
        sheet = _folder_with_file(scratch.own_folder(tmp_path, alive.pid), age_seconds=3600)
        assert scratch.remove_leftovers(tmp_path, older_than_seconds=10) == 0
        assert sheet.exists()
    finally:
        alive.kill()
        alive.wait()


def test_another_hosts_workers_files_are_removed_only_after_a_day(tmp_path):
    recent = _folder_with_file(tmp_path / scratch.FOLDER / "elsewhere-4242", age_seconds=3600)
    old = _folder_with_file(tmp_path / scratch.FOLDER / "elsewhere-4243", age_seconds=25 * 3600)

    assert scratch.remove_leftovers(tmp_path, older_than_seconds=10) == 1
    assert recent.exists()
    assert not old.exists()


def test_a_worker_sends_its_temporary_files_to_its_own_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", tempfile.tempdir)  # put back afterwards
    own = scratch.use_own_folder(tmp_path / "exports")

    with tempfile.NamedTemporaryFile() as handle:
        assert Path(handle.name).parent == own == scratch.own_folder(tmp_path / "exports")
    assert scratch.remove_leftovers(tmp_path / "exports", older_than_seconds=0) == 0  # its own: never
