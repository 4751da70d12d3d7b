"""The finance spreadsheet through the background path, end to end (`finance_export.py --background`).

A `grantflow worker` process is started on the benchmark's database with a SQLite queue file; the
timed part is asking for the export as a job (what the web request does: count, insert the job, put
its id on the queue; `ask_ms`, the time a web worker is busy) until the worker has marked it done
with its file renamed into place (`background_s`). The worker's peak RSS (VmHWM) is read from /proc
just before it is stopped. While the worker writes, the web side answers `/healthz` every 0.2 s
(`web_probe_max_ms`: the slowest answer; `web_probe_failures`: answers other than 200). The figures
say whether the file's rows match the database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from finance_setup import FROM, PROGRAMME, TO

from grants import create_app
from grants.extensions import db
from grants.finance_export import background, services
from grants.models import BackgroundJob, RoleGrant, User

ROOT = Path(__file__).resolve().parents[1]


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _start_worker(url: str, settings: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GRANTFLOW_ENV": "development", "DATABASE_URL": url, **settings}
    process = subprocess.Popen(  # noqa: S603 - our own command, no shell
        [sys.executable, "-m", "flask", "--app", "wsgi", "grantflow", "worker"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 300
    while b"worker: taking jobs" not in log.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)
    return process


def time_background(url: str, awards: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="grantflow-bench-jobs-"))
    settings = {
        "JOB_QUEUE_URL": f"sqlite:///{folder / 'queue.sqlite3'}",
        "EXPORT_FOLDER": str(folder / "exports"),
        "BACKGROUND_EXPORT_ROWS": "0",
        "JOB_HEARTBEAT_SECONDS": "2",
    }
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, **{k: v for k, v in settings.items() if "ROWS" not in k})
    app.config["BACKGROUND_EXPORT_ROWS"] = 0
    worker = _start_worker(url, settings, folder / "worker.log")
    try:
        with app.app_context():
            user = User(email="bench.finance@example.org", name="Bench Finance", password_hash="-")
            db.session.add(user)
            db.session.flush()
            db.session.add(RoleGrant(user_id=user.id, role="finance"))
            db.session.commit()
            started = time.perf_counter()
            export = services.export_for(user, PROGRAMME, FROM, TO)
            assert background.is_big(export)
            job_id = background.start(user, export, "xlsx").job_id
            asked = time.perf_counter()
            progress_seen = 0
            probe = app.test_client()
            probes: list[float] = []
            failures = 0
            while True:
                # A web request while the worker writes: the web side is never busy with the file.
                before = time.perf_counter()
                failures += probe.get("/healthz").status_code != 200
                probes.append((time.perf_counter() - before) * 1000)
                db.session.rollback()
                job = db.session.get(BackgroundJob, job_id, populate_existing=True)
                assert job is not None
                if 0 < job.rows_done < (job.rows_total or 0):
                    progress_seen += 1
                if not job.is_waiting:
                    break
                if worker.poll() is not None:
                    raise RuntimeError("the worker stopped")
                time.sleep(0.2)
            finished = time.perf_counter()
            size = (folder / "exports" / job.stored_name).stat().st_size if job.stored_name else 0
            figures = {
                "background_s": round(finished - started, 2),
                "background_ask_ms": round((asked - started) * 1000, 1),
                "background_state": job.state,
                "background_rows": job.rows_done,
                "background_rows_checked": job.rows_done == awards,
                "background_progress_reads": progress_seen,
                "background_bytes": size,
                "background_worker_rss_mb": None,
                "background_web_probes": len(probes),
                "background_web_probe_max_ms": round(max(probes), 1),
                "background_web_probe_failures": failures,
            }
        rss = _peak_rss_mb(worker.pid)
        figures["background_worker_rss_mb"] = round(rss, 1) if rss is not None else None
        return figures
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
