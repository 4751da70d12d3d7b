"""The deadline rush against two web instances, with reminders due: scale-out proven, not assumed.

The same workload and figures as deadline_rush.py (docs/benchmarks.md's "deadline rush" and "capacity"),
but the server is two gunicorn instances on different ports (each -w 2, `--no-control-socket`, one
SECRET_KEY), both on one throwaway PostgreSQL database, and the load generator sends each applicant's
requests to the two in turn (a round robin per request: every applicant's session is used on both
instances). While the rush runs, two reminder passes (`grantflow reminders run`, as two schedulers
would) start at the same moment on the same database, with RETURNS monitoring returns whose 14-working-
days reminder falls due that day.

Extra figures: `instances` (2), `reminders_due` (emails that should go), `reminders_sent` (queued),
`reminders_twice` (queued more than once: must be 0), `lost` (must be 0, as in the rush).

    .venv/bin/python benchmarks/scale_out.py --quick     # 100 applicants, about 1.5 min
    .venv/bin/python benchmarks/scale_out.py             # 300 applicants, about 3 min

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from deadline_rush import parse_args
from rush_checks import count_lost, statements_per_request
from rush_clients import capacity, rush
from rush_fixture import build_fixture
from rush_report import Outcome, report
from rush_server import ROOT, CpuMeter, gunicorn, worker_pids
from sqlalchemy import func, insert, select
from support_db import migrated_app

from grants.extensions import db
from grants.models import Award, Membership, MonitoringPlan, MonitoringReturn, Organisation, Programme, User
from grants.models.base import utcnow
from grants.monitoring.plans import definition_of, standard_text

INSTANCES = 2
RETURNS = 500
REMINDER_DAY = date(2024, 10, 8)  # a Tuesday: 14 working days before 28 October 2024
DUE = date(2024, 10, 28)
FLASK = str(ROOT / ".venv" / "bin" / "flask")


def add_due_returns(count: int) -> int:
    """`count` open returns due on DUE, one award and organisation each with one member: the reminder
    emails that should go on REMINDER_DAY (one per member)."""
    programme = Programme(code="SCALE", name="Scale-out benchmark programme", kind="grant_rounds")
    db.session.add(programme)
    db.session.flush()
    plan = MonitoringPlan(programme_id=programme.id, version=1, definition=definition_of(standard_text("MSCF") or ""))
    db.session.add(plan)
    db.session.flush()
    now = utcnow()
    orgs = list(
        db.session.scalars(
            insert(Organisation).returning(Organisation.id),
            [{"name": f"Scale group {n}", "org_type": "community_group"} for n in range(count)],
        )
    )
    users = list(
        db.session.scalars(
            insert(User).returning(User.id),
            [{"email": f"scale{n}@example.org", "name": f"Member {n}", "password_hash": "!"} for n in range(count)],
        )
    )
    db.session.execute(
        insert(Membership), [{"user_id": u, "organisation_id": o, "is_owner": True} for u, o in zip(users, orgs)]
    )
    awards = list(
        db.session.scalars(
            insert(Award).returning(Award.id),
            [
                {
                    "programme_id": programme.id,
                    "organisation_id": org,
                    "public_reference": f"SCALE-{n:05d}",
                    "title": "Scale-out award",
                    "amount_pence": 800_000,
                    "amount_at_decision_pence": 800_000,
                    "decided_at": now,
                    "workflow": "award",
                    "workflow_version": 2,
                    "state": "active",
                    "state_changed_at": now,
                    "version_id": 1,
                }
                for n, org in enumerate(orgs)
            ],
        )
    )
    db.session.execute(
        insert(MonitoringReturn),
        [
            {
                "award_id": award,
                "period_label": "6 months",
                "period_starts_on": DUE - timedelta(days=200),
                "period_ends_on": DUE - timedelta(days=28),
                "due_date": DUE,
                "opens_on": DUE - timedelta(days=28),
                "plan_id": plan.id,
                "kind": "progress",
                "sequence": 1,
                "sign_off_required": False,
                "workflow": "monitoring_return",
                "workflow_version": 2,
                "state": "open",
                "state_changed_at": now,
                "version_id": 1,
            }
            for award in awards
        ],
    )
    db.session.commit()
    return count


@contextmanager
def reminder_passes(database_url: str, count: int) -> Iterator[list[subprocess.Popen]]:
    """`count` reminder passes started at once (as that many schedulers would run them); waited for at the end."""
    env = {
        **os.environ,
        "GRANTFLOW_ENV": "development",
        "DATABASE_URL": database_url,
        "MAIL_SERVER": "",
        "GRANTFLOW_REMINDER_BATCH": "50",  # many small batches: the passes interleave
    }
    command = [FLASK, "--app", "wsgi", "grantflow", "reminders", "run", "--today", REMINDER_DAY.isoformat()]
    passes = [
        subprocess.Popen(
            [*command, "--format", "json"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(count)
    ]
    try:
        yield passes
    finally:
        for process in passes:
            process.communicate(timeout=300)


def reminder_figures() -> tuple[int, int]:
    """(reminder emails queued, of which queued more than once)."""
    from grants.models import OutboxMessage

    db.session.rollback()
    rows = db.session.execute(
        select(OutboxMessage.recipient, OutboxMessage.subject, func.count())
        .where(OutboxMessage.idempotency_key.like("reminder:%"))
        .group_by(OutboxMessage.recipient, OutboxMessage.subject)
    ).all()
    return sum(n for *_k, n in rows), sum(n - 1 for *_k, n in rows if n > 1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logs = [Path(tempfile.gettempdir()) / f"grantflow-scale-gunicorn-{os.getpid()}-{n}.log" for n in range(INSTANCES)]
    with migrated_app(args.database_url, "grantflow_scale", "development", RATELIMIT_ENABLED=False) as bench:
        fixture, setup_seconds = bench.set_up(build_fixture, args.applicants, args.capacity_clients, args.password_hash)
        with bench.app.app_context():
            due = add_due_returns(RETURNS)
        print(
            f"scale_out: {args.applicants} applicants over a {args.ramp:g} s ramp against {INSTANCES} gunicorn "
            f"instances (-w {args.workers} each, round robin per request) on PostgreSQL {bench.name}; "
            f"{due} reminders due, 2 passes at once (setup {setup_seconds:.1f} s, not timed)",
            flush=True,
        )
        secret = secrets.token_hex(32)
        with ExitStack() as stack:
            servers = [
                stack.enter_context(gunicorn(bench.url, args.workers, log, args.worker_class, args.threads, secret))
                for log in logs
            ]
            masters = tuple(server.pid for server, _base in servers)
            bases = [base for _server, base in servers]
            workers_before = set().union(*(worker_pids(pid) for pid in masters))
            with CpuMeter(masters, bench.name) as rush_cpu, reminder_passes(bench.url, 2) as passes:
                think = (args.think_min, args.think_max)
                limit = args.ramp + args.limit
                run = asyncio.run(rush(bases, fixture, args.ramp, think, args.request_timeout, limit, args.seed))
            pass_codes = [p.returncode for p in passes]
            print(f"  rush done in {run.t1 - run.t0:.1f} s; reminder passes exited {pass_codes}", flush=True)
            windows = asyncio.run(
                capacity(
                    bases, fixture, args.request_timeout, args.capacity_seconds, lambda: CpuMeter(masters, bench.name)
                )
            )
            workers_after = set().union(*(worker_pids(pid) for pid in masters))
            worker_restarts = len(workers_before - workers_after)
        with bench.app.app_context():
            lost_check = count_lost(fixture)
            sent, twice = reminder_figures()
        statements_check = statements_per_request(bench.app, fixture)

    reminders = {
        "instances": INSTANCES,
        "reminders_due": due,
        "reminders_sent": sent,
        "reminders_twice": twice,
        "reminder_pass_exit_codes": pass_codes,
    }
    report(args, Outcome.of(run, rush_cpu, windows, lost_check, worker_restarts, statements_check), reminders)
    return 0 if not lost_check[0] and not twice and sent == due else 1


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)  # `kill` cleans up as Ctrl+C does: gunicorns stopped, database dropped
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
