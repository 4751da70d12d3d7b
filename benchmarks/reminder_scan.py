"""The reminder pass over many monitoring returns on PostgreSQL: time and SQL statements.

Makes returns in mixed states (scheduled, open, overdue, awaiting sign-off, submitted, accepted,
waived; 3 in 10 already sent or ended, and of those due more than 60 days ago 19 in 20) with due
dates spread over two years around the pass's day, under the MSCF plan, inserted in bulk
(Core INSERTs, not the ORM one by one). Then, at 1,000
and at 100,000 returns (`--quick`: 1,000 and 10,000):

- ``find``: grants.monitoring.reminders.due_reminders(today), which finds every (return, rule)
  due today: seconds and SQL statements;
- ``pass``: grants.monitoring.reminders.run_pass(today), the whole pass (Reminder rows and their
  emails queued, committed) for a day not yet reminded: seconds and SQL statements.

Statement counts must be equal at both sizes (no per-return queries; the pass's batch is set
above the number due, so it is one batch at both sizes). Target: the pass under 1 s at 100,000.
`measure_dashboard` is the hook for the officers' dashboard figures (p95 and statements at both
sizes), which its page adds.

    .venv/bin/python benchmarks/reminder_scan.py --quick
    .venv/bin/python benchmarks/reminder_scan.py
    .venv/bin/python benchmarks/reminder_scan.py --profile   # cProfile of the pass at the largest size

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import random
import sys
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select
from support import bench_parser, ms, percentile, print_json, sign_in_staff
from support_db import Bench, analyze, migrated_app
from support_sql import counting_statements

from grants.auth.passwords import hash_password
from grants.extensions import db
from grants.models import (
    Award,
    Membership,
    MonitoringPlan,
    MonitoringReturn,
    Organisation,
    Programme,
    RoleGrant,
    User,
)
from grants.models.base import utcnow
from grants.monitoring.plans import definition_of, standard_text
from grants.monitoring.reminders import BATCH_ENV, due_reminders, run_pass

FIND_DAY = date(2024, 10, 8)  # a Tuesday
PASS_DAYS = [date(2024, 10, 9), date(2024, 10, 10)]  # one fresh day per size
STATES = (
    ["scheduled"] * 2 + ["open"] * 2 + ["overdue"] * 2 + ["awaiting_sign_off"] + ["submitted", "accepted", "waived"]
)
PER_ORGANISATION = 50


def state_for(due: date, rng: random.Random) -> str:
    """A state that fits the due date: long past due, most returns are in (1 in 20 still overdue)."""
    if due < FIND_DAY - timedelta(days=60) and rng.random() < 0.95:
        return rng.choice(["submitted", "accepted", "accepted", "accepted", "waived"])
    return rng.choice(STATES)


def seed_plan() -> tuple[int, int]:
    programme = Programme(code="MSCF", name="Mayor's Safer Communities Fund", kind="grant_rounds")
    db.session.add(programme)
    db.session.flush()
    plan = MonitoringPlan(programme_id=programme.id, version=1, definition=definition_of(standard_text("MSCF") or ""))
    db.session.add(plan)
    db.session.commit()
    return programme.id, plan.id


def add_returns(programme_id: int, plan_id: int, start: int, count: int, rng: random.Random) -> None:
    """`count` returns (one award each, an organisation with one member per 50), by Core INSERTs."""
    now = utcnow()
    organisations = (count + PER_ORGANISATION - 1) // PER_ORGANISATION
    org_rows = [
        {"name": f"Group {start + n}", "org_type": "community_group", "district": "leeds", "postcode": "LS1 1AA"}
        for n in range(organisations)
    ]
    org_ids = list(db.session.scalars(insert(Organisation).returning(Organisation.id), org_rows))
    user_ids = list(
        db.session.scalars(
            insert(User).returning(User.id),
            [
                {"email": f"m{start}-{n}@example.org", "name": f"Member {n}", "password_hash": "x", "active": True}
                for n in range(organisations)
            ],
        )
    )
    db.session.execute(
        insert(Membership), [{"user_id": u, "organisation_id": o, "is_owner": True} for u, o in zip(user_ids, org_ids)]
    )
    award_ids = list(
        db.session.scalars(
            insert(Award).returning(Award.id),
            [
                {
                    "programme_id": programme_id,
                    "organisation_id": org_ids[n // PER_ORGANISATION],
                    "public_reference": f"MSCF-B-{start + n:06d}",
                    "title": "Benchmark award",
                    "amount_pence": 800_000,
                    "amount_at_decision_pence": 800_000,
                    "decided_at": now,
                    "workflow": "award",
                    "workflow_version": 2,
                    "state": "active",
                    "state_changed_at": now,
                    "version_id": 1,
                }
                for n in range(count)
            ],
        )
    )
    rows = []
    for award_id in award_ids:
        due = FIND_DAY + timedelta(days=rng.randint(-400, 400))
        rows.append(
            {
                "award_id": award_id,
                "period_label": "6 months",
                "period_starts_on": due - timedelta(days=200),
                "period_ends_on": due - timedelta(days=28),
                "due_date": due,
                "opens_on": due - timedelta(days=28),
                "plan_id": plan_id,
                "kind": "progress",
                "sequence": 1,
                "sign_off_required": False,
                "workflow": "monitoring_return",
                "workflow_version": 2,
                "state": state_for(due, rng),
                "state_changed_at": now,
                "version_id": 1,
            }
        )
    for chunk in range(0, len(rows), 5000):
        db.session.execute(insert(MonitoringReturn), rows[chunk : chunk + 5000])
    db.session.commit()


def measure(bench: Bench, pass_day: date, profile: bool = False) -> dict[str, Any]:
    db.session.remove()
    with counting_statements(db.engine) as log:
        started = time.perf_counter()
        found = due_reminders(FIND_DAY)
        find_seconds = time.perf_counter() - started
    find_statements = log.count
    db.session.remove()
    profiler = cProfile.Profile() if profile else None
    with counting_statements(db.engine) as log:
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        result = run_pass(pass_day)
        if profiler is not None:
            profiler.disable()
        pass_seconds = time.perf_counter() - started
    if profiler is not None:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    return {
        "find_seconds": round(find_seconds, 4),
        "find_statements": find_statements,
        "found": len(found),
        "pass_seconds": round(pass_seconds, 4),
        "pass_statements": log.count,
        "pass_reminders": result.reminders,
        "pass_queued": result.queued,
    }


DASHBOARD_OFFICER = "bench.officer@example.org"
DASHBOARD_PASSWORD = "bench-dashboard-password"  # noqa: S105  (a throwaway database's officer)
DASHBOARD_REQUESTS = 20


def measure_dashboard(bench: Bench, returns: int) -> dict[str, Any] | None:
    """The officers' monitoring dashboard (/monitoring) at this many returns: statements per request
    and p95 / p50 over DASHBOARD_REQUESTS requests, signed in as an officer of every programme."""
    app = bench.app
    if db.session.scalar(select(User.id).where(User.email == DASHBOARD_OFFICER)) is None:
        officer = User(
            email=DASHBOARD_OFFICER, name="Bench Officer", password_hash=hash_password(DASHBOARD_PASSWORD), active=True
        )
        db.session.add(officer)
        db.session.flush()
        db.session.add(RoleGrant(user_id=officer.id, role="officer", programme_id=None))
        db.session.commit()
    client = app.test_client()
    sign_in_staff(client, DASHBOARD_OFFICER, DASHBOARD_PASSWORD)
    client.get("/monitoring")  # warm up: templates compiled, caches filled
    with counting_statements(db.engine) as log:
        before = log.count
        response = client.get("/monitoring")
        statements = log.count - before
    if response.status_code != 200:
        raise RuntimeError(f"GET /monitoring answered {response.status_code}")
    times: list[float] = []
    for _ in range(DASHBOARD_REQUESTS):
        started = time.perf_counter()
        client.get("/monitoring")
        times.append(time.perf_counter() - started)
    return {
        "statements": statements,
        "p95_ms": ms(percentile(times, 95)),
        "p50_ms": ms(percentile(times, 50)),
        "requests": len(times),
    }


def main() -> None:
    parser = bench_parser(__doc__ or "", "1,000 and 10,000 returns instead of 1,000 and 100,000")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the pass at the largest size")
    args = parser.parse_args()
    sizes = [1_000, 10_000 if args.quick else 100_000]
    os.environ[BATCH_ENV] = "100000"  # one batch at both sizes: equal statement counts show no per-row work
    rng = random.Random(12)
    figures: dict[str, Any] = {"sizes": sizes}
    with migrated_app(args.database_url, "grantflow_bench_reminders") as bench, bench.app.app_context():
        programme_id, plan_id = seed_plan()
        made = 0
        for size, pass_day in zip(sizes, PASS_DAYS, strict=True):
            started = time.perf_counter()
            add_returns(programme_id, plan_id, made, size - made, rng)
            made = size
            analyze()
            print(f"{size:,} returns made in {time.perf_counter() - started:.1f} s", flush=True)
            at = measure(bench, pass_day, profile=args.profile and size == sizes[-1])
            at["dashboard"] = measure_dashboard(bench, size)
            print(f"{size:,} returns: {at}", flush=True)
            figures[str(size)] = at
        small, large = (figures[str(s)] for s in sizes)
        figures["find_statements_equal"] = small["find_statements"] == large["find_statements"]
        figures["pass_statements_equal"] = small["pass_statements"] == large["pass_statements"]
        figures["pass_seconds_at_largest"] = large["pass_seconds"]
        figures["target_met"] = large["pass_seconds"] < 1.0
        figures["dashboard_statements_equal"] = small["dashboard"]["statements"] == large["dashboard"]["statements"]
    print_json(figures)


if __name__ == "__main__":
    main()
