"""A real `grantflow worker` process on a real queue (a SQLite queue file): it makes the file, and a worker
killed with SIGKILL mid-job leaves no file and no temporary file (its openpyxl sheets were in a folder of
its own, removed once it is gone); the next worker to start takes the job up again and it completes once
(one file, one email)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
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
from grants.scheduling import tend_jobs
from tests.datasets.finance import FROM, TO, build_finance_data
from tests.factories import staff_user
from tests.jobs.helpers import ask, emails_to, job_id_of

ROOT = Path(__file__).resolve().parents[2]
ROW_PAUSE = 0.4  # seconds per row: the seven awards take ~3 s, time to watch and to kill
STALE = 2
REDIS_SERVER = shutil.which("redis-server")


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

    def start(**settings: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, "GRANTFLOW_ENV": "test", "DATABASE_URL": database_url, **queue_settings, **settings}
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


# -- Redis down ----------------------------------------------------------------------------------------------
class PrivateRedis:
    """A redis-server of the test's own, on a free port, keeping nothing on disk: stopped and started at will."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own command, no shell
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not _answers(self.port):
            assert self.process.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not answer in 30 s"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_server(tmp_path) -> Iterator[PrivateRedis]:
    if REDIS_SERVER is None:
        pytest.skip("needs redis-server")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_web(web, redis_server, monkeypatch):
    """The web side queueing onto the private Redis."""
    monkeypatch.setitem(web.config, "JOB_QUEUE_URL", redis_server.url)
    monkeypatch.setitem(web.extensions, "job_queue", attach(web, make_queue(redis_server.url), run))
    return web


def test_with_redis_down_a_big_export_waits_and_is_made_once_when_redis_returns(
    redis_web, redis_server, start_worker, queue_settings, client, sign_in, tmp_path
):
    data = build_finance_data()
    finance = staff_user("finance")
    folder = Path(queue_settings["EXPORT_FOLDER"])
    worker = start_worker(JOB_QUEUE_URL=redis_server.url, JOB_ROW_PAUSE_SECONDS="0.05")
    sign_in(finance)

    redis_server.stop()
    job_id = job_id_of(ask(client))  # the person is sent to the job's page all the same

    page = client.get(f"/jobs/{job_id}")
    assert page.status_code == 200
    assert "Waiting to start" in page.get_data(as_text=True)
    time.sleep(STALE + 2)  # the worker meets the dead Redis a few times, and keeps going
    assert worker.poll() is None, (tmp_path / "worker-0.log").read_text(errors="replace")[-3000:]
    assert _read(job_id).is_queued  # waiting, not lost and not failed

    redis_server.start()  # back, empty: the message sent while it was down never arrived
    assert tend_jobs(redis_web) == (1, 0)  # the scheduler's pass sends it again

    done = _until(job_id, lambda job: not job.is_waiting, worker, seconds=120)
    assert done.is_done, done.error
    assert done.attempts == 1
    assert _served(folder) == [done.stored_name]
    assert _references(folder / done.stored_name) == {award.public_reference for award in data.in_period}
    time.sleep(STALE + 0.5)
    assert tend_jobs(redis_web) == (0, 0)  # nothing left to send: made once
    assert len(emails_to(finance.email)) == 1
    assert _read(job_id).attempts == 1
    said = (tmp_path / "worker-0.log").read_text(errors="replace")
    assert said.count("the job queue does not answer") == 1  # one warning for the outage, not a flood
    assert "the job queue answers again" in said
    assert "Error reading from queue" not in said
