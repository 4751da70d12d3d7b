"""The deadline rush's server, and what it costs: gunicorn (production config, the benchmark-only
rush_wsgi wrapper) on the throwaway database, and CPU time from /proc (the server's, the load generator's,
and everyone else's on the machine).
"""

from __future__ import annotations

import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


# -- the server -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    database_url: str,
    workers: int,
    log_path: Path,
    worker_class: str = "sync",
    threads: int = 1,
    secret_key: str | None = None,
) -> Iterator[tuple[subprocess.Popen, str]]:
    """gunicorn serving the benchmark wrapper in production mode; stopped at the end, whatever happens.

    Instances that share `secret_key` (and the database) accept each other's sessions. Each runs with
    `--no-control-socket`: gunicorn 26 and later open a control socket at one fixed default path, which
    two instances on one host would fight over."""
    port = free_port()
    upload_dir = tempfile.mkdtemp(prefix="grantflow-rush-uploads-")
    env = dict(
        os.environ,
        GRANTFLOW_ENV="production",
        SECRET_KEY=secret_key or secrets.token_hex(32),
        DATABASE_URL=database_url,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_ENABLED="0",  # hundreds of sign-ins from one address; production refuses memory:// unless off
        UPLOAD_FOLDER=upload_dir,
        MAIL_SERVER="",
    )
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        *(["-k", worker_class, "--threads", str(threads)] if worker_class != "sync" else []),
        "benchmarks.rush_wsgi:app",
    ]
    log = open(log_path, "wb")  # noqa: SIM115 - closed in finally
    failed = True
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_path}")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer /healthz within 60 s; see {log_path}")
            time.sleep(0.2)
        yield process, base
        failed = False
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
        if failed:
            print(f"  gunicorn's log is kept at {log_path}", file=sys.stderr)
        else:
            log_path.unlink(missing_ok=True)


# -- server CPU from /proc --------------------------------------------------------------------------
TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: str) -> tuple[str, int, float] | None:
    """(comm, ppid, utime+stime seconds) of a process, or None if it has gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = text[text.index("(") + 1 : text.rindex(")")]
    rest = text[text.rindex(")") + 2 :].split()
    # rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return comm, int(rest[1]), (int(rest[11]) + int(rest[12])) / TICK


def server_cpu(master_pid: int | tuple[int, ...], database: str) -> dict[str, float]:
    """CPU seconds so far of gunicorn (master and workers; of several instances, given their masters) and
    of the PostgreSQL backends of `database`."""
    masters = {master_pid} if isinstance(master_pid, int) else set(master_pid)
    gunicorn_s = postgres_s = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        found = _stat(pid)
        if found is None:
            continue
        comm, ppid, seconds = found
        if int(pid) in masters or ppid in masters:
            gunicorn_s += seconds
        elif comm == "postgres":
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if f" {database} " in cmdline:
                postgres_s += seconds
    return {"gunicorn": gunicorn_s, "postgres": postgres_s}


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores; /proc/stat, idle and iowait left out)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ticks = [int(v) for v in fields[:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICK


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class CpuMeter:
    """Server CPU (gunicorn + the benchmark database's backends), this process's CPU, and everything else
    on the machine (other people's tests, say), over one stretch of time."""

    master_pid: int | tuple[int, ...]
    database: str

    def __enter__(self) -> CpuMeter:
        self.server0 = server_cpu(self.master_pid, self.database)
        self.own0, self.machine0, self.t0 = own_cpu(), machine_busy(), time.perf_counter()
        return self

    def __exit__(self, *_exc: Any) -> None:
        server1 = server_cpu(self.master_pid, self.database)
        self.wall = time.perf_counter() - self.t0
        self.server = {k: server1[k] - self.server0[k] for k in server1}
        self.own = own_cpu() - self.own0
        self.other = max(0.0, machine_busy() - self.machine0 - sum(self.server.values()) - self.own)

    @property
    def other_cores(self) -> float:
        return round(self.other / self.wall, 2) if self.wall else 0.0


def worker_pids(master_pid: int) -> set[int]:
    pids = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            found = _stat(pid)
            if found is not None and found[1] == master_pid:
                pids.add(int(pid))
    return pids
