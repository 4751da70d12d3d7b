"""Workflow transitions applied on PostgreSQL: throughput and SQL statements per transition.

Each timed unit is what one request that changes a case's state does, through the
application's own code path:

1. a fresh session (``db.session.remove()``, as at the end of every request),
2. load the acting user by id (grants.auth.services.load_active_user, as Flask-Login's
   user loader does on every request; counted apart),
3. load the case by primary key (``db.session.get``),
4. ``grants.workflow.apply_transition(case, name, user, reason)``, which commits.

Statements are counted with an SQLAlchemy ``before_cursor_execute`` listener on the
engine, over the whole timed loop and per transition (min/max/mean, so that "constant"
is visible). ``statements_per_transition`` is load + apply + commit (steps 3 and 4);
the user load is reported beside it because every signed-in request pays it whether or
not it changes a state. Round trips the listener cannot see (the pool's pre-ping, which
psycopg sends as ``;``, psycopg's own ``BEGIN``, and ``COMMIT``) are counted for one
sample transition with libpq's protocol trace.

Headline workload: payments cycled scheduled -> held -> scheduled by an officer with
``hold`` / ``release`` (reason required; no conditions, no effects). A second figure:
``approve`` by finance, which has the conditions ``award_accepted`` and
``within_unpaid_balance``.

The script makes its own database (grantflow_bench_<random>) on the server named by
--database-url, migrates it with Alembic, and drops it at the end, even on error.

    .venv/bin/python benchmarks/workflow_apply.py --quick    # 1,000 transitions
    .venv/bin/python benchmarks/workflow_apply.py            # 10,000 transitions

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, select
from support import bench_parser, print_json
from support_db import migrated_app
from support_sql import StatementLog, counting_statements

from grants.auth.passwords import hash_password
from grants.auth.services import load_active_user
from grants.extensions import db
from grants.models import AuditEvent, Award, Membership, Organisation, Payment, Programme, RoleGrant, User
from grants.workflow import apply_transition, engine

PAYMENTS_PER_AWARD = 10
PAYMENT_PENCE = 100_000
TARGET = 4


@dataclass
class Phase:
    """Per-unit statement counts and durations for one timed loop."""

    name: str
    user: list[int] = field(default_factory=list)
    load: list[int] = field(default_factory=list)
    apply: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    total_seconds: float = 0.0
    total_statements: int = 0

    @property
    def per_transition(self) -> list[int]:
        return [lo + ap for lo, ap in zip(self.load, self.apply)]

    def figures(self, prefix: str = "") -> dict[str, Any]:
        n = len(self.apply)
        per = self.per_transition
        ms = sorted(s * 1000 for s in self.seconds)
        return {
            f"{prefix}transitions": n,
            f"{prefix}seconds": round(self.total_seconds, 3),
            f"{prefix}transitions_per_second": round(n / self.total_seconds, 1) if self.total_seconds else None,
            f"{prefix}statements_per_transition": round(statistics.fmean(per), 3),
            f"{prefix}statements_per_transition_max": max(per),
            f"{prefix}statements_per_transition_min": min(per),
            f"{prefix}load_statements_per_transition": round(statistics.fmean(self.load), 3),
            f"{prefix}apply_statements_per_transition": round(statistics.fmean(self.apply), 3),
            f"{prefix}user_load_statements_per_transition": round(statistics.fmean(self.user), 3),
            f"{prefix}total_statements": self.total_statements,
            f"{prefix}p50_ms": round(ms[len(ms) // 2], 3),
            f"{prefix}p95_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.95))], 3),
        }


# -- setup (not timed) -------------------------------------------------------------------
@dataclass
class Fixture:
    officer_id: int
    finance_id: int
    cycle_payment_ids: list[int]
    approve_payment_ids: list[int]


def build_fixture(cycle_payments: int, approve_payments: int) -> Fixture:
    """A programme, an officer and a finance user with role grants on it, organisations with a member,
    awards in 'accepted' and their payments in 'scheduled'. Rows are added directly (setup is not the
    thing measured); the workflow columns are set as Engine.start would."""
    now = datetime.now(UTC)
    award_wf = engine().registry.latest("award")
    payment_wf = engine().registry.latest("payment")
    password = hash_password("benchmark-password-not-secret")

    programme = Programme(code="BENCH", name="Benchmark programme", kind="grant_rounds")
    officer = User(email="officer@bench.example", name="Bench Officer", password_hash=password)
    finance = User(email="finance@bench.example", name="Bench Finance", password_hash=password)
    applicant = User(email="applicant@bench.example", name="Bench Applicant", password_hash=password)
    db.session.add_all([programme, officer, finance, applicant])
    db.session.flush()
    db.session.add_all(
        [
            RoleGrant(user_id=officer.id, role="officer", programme_id=programme.id),
            RoleGrant(user_id=finance.id, role="finance", programme_id=programme.id),
        ]
    )
    organisations = [Organisation(name=f"Bench Group {i}", org_type="community_group") for i in range(20)]
    db.session.add_all(organisations)
    db.session.flush()
    db.session.add(Membership(user_id=applicant.id, organisation_id=organisations[0].id, is_owner=True))

    def make_payments(count: int, label: str) -> list[Payment]:
        payments: list[Payment] = []
        awards = []
        for a in range((count + PAYMENTS_PER_AWARD - 1) // PAYMENTS_PER_AWARD):
            award = Award(
                public_reference=f"BENCH-{label}-{a:05d}",
                programme_id=programme.id,
                organisation_id=organisations[a % len(organisations)].id,
                title=f"Benchmark award {label}{a}",
                amount_pence=PAYMENT_PENCE * PAYMENTS_PER_AWARD,
                workflow=award_wf.name,
                workflow_version=award_wf.version,
                state="accepted",
                state_changed_at=now,
            )
            awards.append(award)
        db.session.add_all(awards)
        db.session.flush()
        for i in range(count):
            payments.append(
                Payment(
                    award_id=awards[i // PAYMENTS_PER_AWARD].id,
                    instalment=i % PAYMENTS_PER_AWARD + 1,
                    amount_pence=PAYMENT_PENCE,
                    due_on=date(2026, 1 + i % 12, 1),
                    workflow=payment_wf.name,
                    workflow_version=payment_wf.version,
                    state=payment_wf.initial,
                    state_changed_at=now,
                )
            )
        db.session.add_all(payments)
        db.session.flush()
        return payments

    cycle = make_payments(cycle_payments, "C")
    approve = make_payments(approve_payments, "A")
    fixture = Fixture(
        officer_id=officer.id,
        finance_id=finance.id,
        cycle_payment_ids=[p.id for p in cycle],
        approve_payment_ids=[p.id for p in approve],
    )
    db.session.commit()
    db.session.remove()
    return fixture


# -- the timed loop ----------------------------------------------------------------------
Plan = list[tuple[int, str, str | None]]


def run_unit(
    counter: StatementLog, user_id: int, payment_id: int, name: str, reason: str | None
) -> tuple[int, int, int]:
    """One request's worth: fresh session, load user, load case by id, apply_transition (commits)."""
    db.session.remove()
    c0 = counter.count
    user = load_active_user(user_id)
    c1 = counter.count
    subject = db.session.get(Payment, payment_id)
    c2 = counter.count
    assert user is not None and subject is not None
    apply_transition(subject, name, user, reason)
    c3 = counter.count
    return c1 - c0, c2 - c1, c3 - c2


def run_phase(counter: StatementLog, name: str, user_id: int, plan: Plan) -> Phase:
    phase = Phase(name)
    clock = time.perf_counter
    start_count = counter.count
    started = clock()
    for payment_id, transition, reason in plan:
        t0 = clock()
        user_n, load_n, apply_n = run_unit(counter, user_id, payment_id, transition, reason)
        phase.seconds.append(clock() - t0)
        phase.user.append(user_n)
        phase.load.append(load_n)
        phase.apply.append(apply_n)
    phase.total_seconds = clock() - started
    phase.total_statements = counter.count - start_count
    db.session.remove()
    return phase


def sample_statements(
    counter: StatementLog, unit: Callable[[], tuple[int, int, int]]
) -> tuple[list[tuple[str, str]], int, list[str]]:
    """Run one unit capturing statement text and the libpq protocol trace; return (statements, round trips)."""
    with db.engine.connect() as conn:  # the pool holds one connection: trace it, then hand it back
        raw = conn.connection.dbapi_connection
    trace = tempfile.NamedTemporaryFile(prefix="grantflow-bench-", suffix=".trace", delete=False)  # noqa: SIM115
    before = counter.count
    try:
        raw.pgconn.trace(trace.fileno())
        raw.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
        user_n, load_n, _ = unit()
        raw.pgconn.untrace()
        kinds = counter.kinds(since=before)
    finally:
        trace.close()
    lines = Path(trace.name).read_text().splitlines()
    os.unlink(trace.name)
    round_trips = sum(1 for line in lines if "\tReadyForQuery" in line)
    frontend = [line.split("\t")[3].strip() for line in lines if line.startswith("F\t") and "\tQuery\t" in line]
    steps = ["user"] * user_n + ["load"] * load_n + ["apply"] * (len(kinds) - user_n - load_n)
    statements = list(zip(steps, kinds))
    return statements, round_trips, frontend


def cycle_plan(payment_ids: list[int], n: int) -> Plan:
    """hold every payment, then release every one, and so on, until n transitions."""
    plan: Plan = []
    for i in range(n):
        hold = (i // len(payment_ids)) % 2 == 0
        name, reason = ("hold", "Benchmark: hold for checks") if hold else ("release", "Benchmark: checks done")
        plan.append((payment_ids[i % len(payment_ids)], name, reason))
    return plan


# -- main --------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = bench_parser(__doc__, "1,000 transitions")
    parser.add_argument("--transitions", type=int, default=None, help="transitions to apply (default 10,000)")
    args = parser.parse_args(argv)
    if args.transitions is None:
        args.transitions = 1_000 if args.quick else 10_000
    if args.transitions < 2:
        parser.error("--transitions must be at least 2")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    n = args.transitions

    with migrated_app(args.database_url, "grantflow_bench", PASSWORD_HASH_FAST=True) as bench, bench.app.app_context():
        cycle_payments = (n + 1) // 2
        approve_payments = max(1, n // 10)
        fixture = build_fixture(cycle_payments + 1, approve_payments + 1)
        setup_seconds = time.perf_counter() - bench.started

        db.engine.dispose()  # an empty pool: from here on it holds one connection, the traced one
        with counting_statements(db.engine) as counter:
            # One sample of each kind (not timed): the statements, and the real round trips.
            sample_id = fixture.cycle_payment_ids[-1]
            sample, round_trips, frontend = sample_statements(
                counter, lambda: run_unit(counter, fixture.officer_id, sample_id, "hold", "Benchmark: sample")
            )
            approve_sample_id = fixture.approve_payment_ids[-1]
            approve_sample, approve_round_trips, _ = sample_statements(
                counter, lambda: run_unit(counter, fixture.finance_id, approve_sample_id, "approve", None)
            )
            audit_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
            db.session.remove()

            cycle_ids = fixture.cycle_payment_ids[:-1]
            headline = run_phase(counter, "hold/release", fixture.officer_id, cycle_plan(cycle_ids, n))
            approve_plan: Plan = [(pid, "approve", None) for pid in fixture.approve_payment_ids[:-1]]
            approve = run_phase(counter, "approve", fixture.finance_id, approve_plan)

        # Check in the database that every transition landed (nothing lost, nothing extra).
        audit_after = db.session.scalar(select(func.count()).select_from(AuditEvent))
        held = db.session.scalar(select(func.count()).where(Payment.id.in_(cycle_ids), Payment.state == "held"))
        approved = db.session.scalar(
            select(func.count()).where(Payment.id.in_(fixture.approve_payment_ids[:-1]), Payment.state == "approved")
        )
        db.session.remove()

    expected_audit = n + len(approve_plan)
    applied: dict[int, int] = {}
    for payment_id, _, _ in cycle_plan(cycle_ids, n):
        applied[payment_id] = applied.get(payment_id, 0) + 1
    expected_held = sum(1 for times in applied.values() if times % 2)
    lost = abs((audit_after - audit_before) - expected_audit) + abs(held - expected_held)
    lost += abs(approved - len(approve_plan))

    figures = headline.figures()
    result: dict[str, Any] = {
        "transitions": figures["transitions"],
        "seconds": figures["seconds"],
        "transitions_per_second": figures["transitions_per_second"],
        "statements_per_transition": figures["statements_per_transition"],
        "statements_per_transition_max": figures["statements_per_transition_max"],
        "statements_per_transition_min": figures["statements_per_transition_min"],
        "load_statements_per_transition": figures["load_statements_per_transition"],
        "apply_statements_per_transition": figures["apply_statements_per_transition"],
        "user_load_statements_per_transition": figures["user_load_statements_per_transition"],
        "total_statements": figures["total_statements"],
        "round_trips_per_transition": round_trips,
        "p50_ms": figures["p50_ms"],
        "p95_ms": figures["p95_ms"],
        **{k: v for k, v in approve.figures("condition_").items() if not k.endswith("total_statements")},
        "condition_round_trips_per_transition": approve_round_trips,
        "target_statements_per_transition": TARGET,
        "lost": lost,
        "database": "postgresql",
    }

    print(f"workflow_apply: {n:,} transitions on PostgreSQL (setup {setup_seconds:.1f} s, not timed)")
    print(
        f"  payment hold/release by an officer (no conditions, no effects): "
        f"{result['transitions_per_second']:,} transitions/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms"
    )
    print(
        f"  statements per transition (load case + apply + commit): mean {result['statements_per_transition']}, "
        f"min {result['statements_per_transition_min']}, max {result['statements_per_transition_max']} "
        f"(load {result['load_statements_per_transition']}, apply {result['apply_statements_per_transition']}; "
        f"plus {result['user_load_statements_per_transition']} to load the user; target <= {TARGET})"
    )
    print(f"  one transition, statement by statement ({round_trips} round trips on the wire in all):")
    for step, kind in sample:
        print(f"    {step:<6} {kind}")
    hidden = [q for q in frontend if not re.match(r'"(SELECT|UPDATE|INSERT|DELETE)\b', q)]
    print(f"    not seen by the listener: {', '.join(hidden) or 'nothing'}")
    print(
        f"  payment approve by finance (conditions award_accepted, within_unpaid_balance): "
        f"{result['condition_transitions_per_second']:,} transitions/s, statements per transition mean "
        f"{result['condition_statements_per_transition']}, min {result['condition_statements_per_transition_min']}, "
        f"max {result['condition_statements_per_transition_max']}"
    )
    print("    " + ", ".join(f"{step}: {kind}" for step, kind in approve_sample if step == "apply"))
    print(f"  checked in the database: {lost} transitions lost or extra")
    verdict = "meets" if result["statements_per_transition_max"] <= TARGET else "is above"
    print(f"  {verdict} the target of <= {TARGET} statements per transition")
    print_json(result)
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
