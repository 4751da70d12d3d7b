"""A real `grantflow worker` process on a real queue (a SQLite queue file): it makes the file, and a worker
killed with SIGKILL mid-job leaves no file and no temporary file (its openpyxl sheets were in a folder of
its own, removed once it is gone); the next worker to start takes the job up again and it completes once
(one file, one email)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from grants.extensions import db
from grants.finance_export import background, services
from grants.jobs import scratch
from grants.jobs.queue import attach, make_queue
from grants.jobs.services import run
from grants.models import BackgroundJob
from tests.datasets.finance import FROM, TO, build_finance_data
from tests.factories import staff_user
from tests.jobs.helpers import emails_to

ROOT = Path(__file__).resolve().parents[2]
ROW_PAUSE = 0.4  # seconds per row: the seven awards take ~3 s, time to watch and to kill
STALE = 2


@pytest.fixture
def queue_settings(tmp_path, database_url) -> dict[str, str]:
    return {
        "JOB_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        "EXPORT_FOLDER": str(tmp_path / "exports"),
        "JOB_HEARTBEAT_SECONDS": "0.2",
        "JOB_STALE_SECONDS": str(STALE),
        "JOB_ROW_PAUSE_SECONDS": str(ROW_PAUSE),
        "BACKGROUND_EXPORT_ROWS": "2",
    }


@pytest.fixture
def web(app, committed_db, queue_settings, monkeypatch):
    """The web side: the tests' app, queueing onto the SQLite queue file instead of running jobs at once."""
    monkeypatch.setitem(app.config, "JOB_QUEUE_URL", queue_settings["JOB_QUEUE_URL"])
    monkeypatch.setitem(app.config, "EXPORT_FOLDER", queue_settings["EXPORT_FOLDER"])
    monkeypatch.setitem(app.config, "JOB_STALE_SECONDS", STALE)
    monkeypatch.setitem(app.config, "BACKGROUND_EXPORT_ROWS", 2)
    monkeypatch.setitem(app.extensions, "job_queue", attach(app, make_queue(queue_settings["JOB_QUEUE_URL"]), run))
    return app


@pytest.fixture
def start_worker(tmp_path, database_url, queue_settings) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        env = {**os.environ, "GRANTFLOW_ENV": "test", "DATABASE_URL": database_url, **queue_settings}
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(  # noqa: S603 - our own command, no shell
            [sys.executable, "-m", "flask", "--app", "wsgi", "grantflow", "worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        _wait_for_start(process, tmp_path / f"worker-{len(started) - 1}.log")
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_start(process: subprocess.Popen[bytes], log: Path, seconds: float = 300) -> None:
    """Until the worker says it is taking jobs (starting Python and the app is slow on a busy machine)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        if b"worker: taking jobs" in log.read_bytes():
            return
        time.sleep(0.1)
    raise AssertionError(f"the worker did not start in {seconds} s")


def _read(job_id: int) -> BackgroundJob:
    db.session.rollback()  # a fresh look at what the worker committed
    found = db.session.get(BackgroundJob, job_id, populate_existing=True)
    assert found is not None
    return found


def _until(job_id: int, ready: Callable[[BackgroundJob], bool], worker: Any, seconds: float = 30) -> BackgroundJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker stopped: see worker-*.log in the test's folder"
        job = _read(job_id)
        if ready(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not get there in {seconds} s: {job.state}, {job.rows_done} rows")


def _references(path: Path) -> set[str]:
    """The award references on the file's Awards sheet (its total row has none)."""
    rows = load_workbook(path, read_only=True)["Awards"].iter_rows(min_row=2, values_only=True)
    return {row[0] for row in rows if row[0] and str(row[0]).startswith("FIN")}


def _served(folder: Path) -> list[str]:
    """The files in the export folder that could be downloaded (not hidden, not the workers' folders)."""
    return sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))


def _temporary_files(folder: Path) -> list[Path]:
    """Every file in the workers' temporary folders."""
    return [path for path in (folder / scratch.FOLDER).rglob("*") if path.is_file()]


def _ask(user: Any) -> int:
    export = services.export_for(user, "FIN", FROM, TO)
    return background.start(user, export, "xlsx").job_id


def test_a_worker_process_makes_the_file_showing_progress_on_the_way(web, start_worker, queue_settings):
    data = build_finance_data()
    finance = staff_user("finance")
    worker = start_worker()

    job_id = _ask(finance)

    midway = _until(
        job_id, lambda job: bool(job.is_running and job.rows_total and 0 < job.rows_done < job.rows_total), worker
    )
    assert midway.rows_total == 7
    done = _until(job_id, lambda job: not job.is_waiting, worker)
    assert done.is_done, done.error
    assert (done.rows_done, done.rows_total, done.attempts) == (7, 7, 1)
    folder = Path(queue_settings["EXPORT_FOLDER"])
    assert _served(folder) == [done.stored_name]
    assert _references(folder / done.stored_name) == {award.public_reference for award in data.in_period}
    assert _temporary_files(folder) == []  # openpyxl removed its sheets as it saved
    assert len(emails_to(finance.email)) == 1


def test_a_worker_killed_mid_job_leaves_no_file_and_the_job_completes_once_after_a_restart(
    web, start_worker, queue_settings
):
    data = build_finance_data()
    finance = staff_user("finance")
    folder = Path(queue_settings["EXPORT_FOLDER"])
    first = start_worker()
    job_id = _ask(finance)
    _until(job_id, lambda job: job.is_running and job.rows_done >= 2, first)

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    killed = _read(job_id)
    assert killed.is_running and killed.attempts == 1  # as the dead worker left it
    assert _served(folder) == []  # no file to serve
    left = _temporary_files(folder)
    assert left, "the killed worker's openpyxl sheet should be in its own temporary folder"
    assert {path.parent for path in left} == {scratch.own_folder(folder, first.pid)}
    time.sleep(STALE + 0.5)  # its heartbeat is now stale

    second = start_worker()

    done = _until(job_id, lambda job: job.is_done and job.stored_name is not None, second)
    assert done.attempts == 2
    assert done.rows_done == 7
    assert sorted(path.name for path in folder.iterdir() if path.name != scratch.FOLDER) == [done.stored_name]
    assert _temporary_files(folder) == []  # the killed worker's temporary files are gone too
    assert not scratch.own_folder(folder, first.pid).exists()
    assert _references(folder / done.stored_name) == {award.public_reference for award in data.in_period}
    time.sleep(1)
    assert len(emails_to(finance.email)) == 1  # completed once
    assert _read(job_id).attempts == 2
