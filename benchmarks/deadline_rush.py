"""The last hour before a round closes: applicants sign in, fill six sections and submit.

The workload is defined in docs/benchmarks.md:

* **deadline rush** (an open system): N applicants (default 300; --quick 100), each with an
  existing account and organisation, start at uniformly random moments over a ramp of R
  seconds (default 60; quick 20). Each signs in (GET then POST /sign-in), starts an
  application (POST /rounds/<code>/start), then six times opens a section page and saves
  it with valid answers, opens check-your-answers and submits. Between requests it waits
  a uniformly random think time (default 1-3 s; quick 0.25-1 s).
* **capacity** (a closed loop, after the rush): 16 clients, no think time, 20 s (quick 10 s),
  first only "open a section page", then only "save a section", with the server's CPU per
  request over each window (gunicorn master and workers, and the PostgreSQL backends of the
  benchmark database, from /proc).

The server is a real one: gunicorn with 2 sync workers, GRANTFLOW_ENV=production, on a
throwaway PostgreSQL database (grantflow_rush_<random>) that this script creates, migrates
and drops at the end, even on error or Ctrl+C. This script is the load generator: asyncio
and httpx, one client (own cookies) per applicant, 127.0.0.1 only. Latencies are per HTTP
request, measured at the client with perf_counter. "lost" is counted in the database after
the run: applicants whose application is not 'submitted' with all six sections completed
and holding every required answer.

Production limits sign-in to 5 a minute per IP address and all the load comes from
127.0.0.1, so gunicorn serves benchmarks/rush_wsgi.py, a benchmark-only wrapper that builds
the production app with RATELIMIT_ENABLED=False (config.py does not read it from the
environment). Passwords are hashed with the production Argon2 parameters, so sign-in costs
what it costs in production.

    .venv/bin/python benchmarks/deadline_rush.py --quick     # 100 applicants, about 1 min
    .venv/bin/python benchmarks/deadline_rush.py             # 300 applicants, about 2.5 min

The last line printed is one JSON object of the figures. The pieces: rush_fixture.py (setup and the
answers posted), rush_server.py (gunicorn and CPU from /proc), rush_browser.py and rush_clients.py (the
load generator), rush_checks.py (lost applicants, statements per request), rush_report.py (figures).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from rush_checks import count_lost, statements_per_request
from rush_clients import capacity, rush
from rush_fixture import HASH_PROFILES, build_fixture
from rush_report import Outcome, report
from rush_server import CpuMeter, gunicorn, worker_pids
from support import bench_parser
from support_db import migrated_app


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = bench_parser(__doc__, "100 applicants, 20 s ramp, 0.25-1 s think, 10 s windows")
    parser.add_argument("--applicants", type=int, default=None, help="default 300 (quick 100)")
    parser.add_argument("--ramp", type=float, default=None, help="seconds over which applicants start (60; quick 20)")
    parser.add_argument("--think-min", type=float, default=None, help="seconds (1; quick 0.25)")
    parser.add_argument("--think-max", type=float, default=None, help="seconds (3; quick 1)")
    parser.add_argument("--capacity-clients", type=int, default=16)
    parser.add_argument("--capacity-seconds", type=float, default=None, help="each window (20; quick 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--worker-class", default="sync", help="gunicorn worker class (sync, as docs/benchmarks.md says; try gthread)"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per worker with --worker-class gthread")
    parser.add_argument(
        "--password-hash",
        choices=sorted(HASH_PROFILES),
        default="production",
        help="what-if: store hashes made with OWASP's minimum Argon2id parameters instead of production's",
    )
    parser.add_argument("--request-timeout", type=float, default=30.0, help="client timeout per request, seconds")
    parser.add_argument("--limit", type=float, default=600.0, help="abort the rush this many seconds after the ramp")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    quick = args.quick
    args.applicants = args.applicants or (100 if quick else 300)
    args.ramp = args.ramp if args.ramp is not None else (20.0 if quick else 60.0)
    args.think_min = args.think_min if args.think_min is not None else (0.25 if quick else 1.0)
    args.think_max = args.think_max if args.think_max is not None else (1.0 if quick else 3.0)
    args.capacity_seconds = args.capacity_seconds or (10.0 if quick else 20.0)
    if args.think_max < args.think_min:
        parser.error("--think-max must be at least --think-min")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    log_path = Path(tempfile.gettempdir()) / f"grantflow-rush-gunicorn-{os.getpid()}.log"
    # The in-process app is only for setup, the database check and counting statements; it uses the
    # production password hasher (development config: PASSWORD_HASH_FAST is not set).
    with migrated_app(args.database_url, "grantflow_rush", "development", RATELIMIT_ENABLED=False) as bench:
        fixture, setup_seconds = bench.set_up(build_fixture, args.applicants, args.capacity_clients, args.password_hash)
        print(
            f"deadline_rush: {args.applicants} applicants over a {args.ramp:g} s ramp, think "
            f"{args.think_min:g}-{args.think_max:g} s, gunicorn -w {args.workers} -k {args.worker_class}"
            f"{f' --threads {args.threads}' if args.worker_class != 'sync' else ''} (production config"
            f"{'' if args.password_hash == 'production' else '; WHAT-IF password hashes: ' + args.password_hash}) on "
            f"PostgreSQL {bench.name} (setup {setup_seconds:.1f} s, not timed)",
            flush=True,
        )
        with gunicorn(bench.url, args.workers, log_path, args.worker_class, args.threads) as (server, base):
            workers_before = worker_pids(server.pid)
            with CpuMeter(server.pid, bench.name) as rush_cpu:
                think = (args.think_min, args.think_max)
                limit = args.ramp + args.limit
                run = asyncio.run(rush(base, fixture, args.ramp, think, args.request_timeout, limit, args.seed))
            print(f"  rush done in {run.t1 - run.t0:.1f} s; capacity windows next", flush=True)
            windows = asyncio.run(
                capacity(
                    base, fixture, args.request_timeout, args.capacity_seconds, lambda: CpuMeter(server.pid, bench.name)
                )
            )
            worker_restarts = len(workers_before - worker_pids(server.pid))
        with bench.app.app_context():
            lost_check = count_lost(fixture)
        statements_check = statements_per_request(bench.app, fixture)

    report(args, Outcome.of(run, rush_cpu, windows, lost_check, worker_restarts, statements_check))
    return 0 if not lost_check[0] else 1


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)  # `kill` cleans up as Ctrl+C does: gunicorn stopped, database dropped
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: gunicorn stopped and the database dropped", file=sys.stderr)
        sys.exit(130)
