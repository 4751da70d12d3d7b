"""Setting up the finance export benchmark (not timed): a programme's awards and payments, with PostgreSQL COPY.

The vocabularies, a programme and its rounds with the ORM; then organisations (one per four awards, with bank
details, some with formula-like names), an application per award (with its district), the awards and three
payments per award (summing to it: paid, approved or scheduled), all decided and due in the 2022/23 financial
year; then ANALYZE.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import select
from support_db import analyze, libpq_url

from grants.extensions import db
from grants.models import Programme, Round, Term
from grants.setup.seed import seed_vocabularies

PROGRAMME = "MSCF"
FROM, TO = date(2022, 4, 1), date(2023, 3, 31)
ROUNDS = 10
PAYMENTS_PER_AWARD = 3
STREAMS = ["victims_of_crime", "community_safety", "criminal_justice", "violence_reduction_unit"]
DISTRICTS = ["bradford", "calderdale", "kirklees", "leeds", "wakefield"]
# Award states by weight: most are being paid; some finished, some declined.
AWARD_STATES = ["accepted"] * 3 + ["active"] * 5 + ["closed", "declined", "offered", "suspended"]
NAMES = ["Community", "Youth", "Safer", "Neighbourhood", "Women's", "Recovery", "Sports", "Arts", "Family", "Hope"]
KINDS = ["Trust", "Group", "Project", "CIC", "Association", "Network", "Centre", "Foundation"]


def _next_id(conn: Any, table: str) -> int:
    """The id after the highest in `table` (1 if empty): COPY gives ids itself, so rows can refer to each other."""
    return conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0] + 1  # noqa: S608


def _copy(conn: Any, table: str, columns: list[str], rows: Any) -> None:
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def build(bench_url: str, awards: int, seed: int) -> dict[str, int]:
    """Vocabularies, the programme and rounds (ORM), then organisations, applications, awards, payments (COPY)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    seed_vocabularies()
    programme = Programme(code=PROGRAMME, name="Mayor's Safer Communities Fund", kind="grant_rounds")
    db.session.add(programme)
    db.session.flush()
    rounds = [
        Round(
            programme_id=programme.id,
            number=n,
            code=f"{PROGRAMME}-R{n}",
            title=f"Mayor's Safer Communities Fund Round {n}",
            workflow="round",
            workflow_version=1,
            state="closed",
            state_changed_at=now,
            version_id=1,
        )
        for n in range(1, ROUNDS + 1)
    ]
    db.session.add_all(rounds)
    db.session.commit()
    round_ids = [r.id for r in rounds]
    district_terms = dict(db.session.execute(select(Term.code, Term.id).where(Term.vocabulary == "district")).all())
    programme_id = programme.id
    db.session.remove()

    organisations = max(1, awards // 4)
    with psycopg.connect(libpq_url(bench_url)) as conn:
        start = _next_id(conn, "organisations")

        def organisation(i: int) -> tuple[Any, ...]:
            name = f"{rng.choice(NAMES)} {rng.choice(NAMES)} {rng.choice(KINDS)} {i:06d}"
            if i % 97 == 0:
                name = f'=HYPERLINK("http://example.com/{i}","{name}")'  # formula-like names get through
            return (
                start + i,
                name,
                "registered_charity" if i % 3 else "cic",
                f"{1_000_000 + i}" if i % 3 else None,
                None if i % 3 else f"{i:08d}",
                DISTRICTS[i % len(DISTRICTS)],
                f"LS{i % 30} {i % 9}AB",
                "Leeds",
                name[:60],
                f"{rng.randrange(100_000, 999_999)}",
                f"{rng.randrange(10_000_000, 99_999_999)}",
                now,
                1,
            )

        _copy(
            conn,
            "organisations",
            ["id", "name", "org_type", "charity_number", "company_number", "district", "postcode", "town"]
            + ["bank_account_name", "bank_sort_code", "bank_account_number", "created_at", "version_id"],
            (organisation(i) for i in range(organisations)),
        )
        first_application = _next_id(conn, "applications")
        first_award = _next_id(conn, "awards")
        per_round = -(-awards // ROUNDS)
        plan = []
        for i in range(awards):
            number, within = divmod(i, per_round)
            decided = datetime(2022, 4, 1, 9, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 270 * 24 * 60))
            amount = rng.randrange(50_000, 800_001)
            plan.append((i, number, within, start + i % organisations, decided, amount))

        _copy(
            conn,
            "applications",
            ["id", "public_reference", "round_id", "organisation_id", "project_title", "amount_requested_pence"]
            + ["created_at", "submitted_at", "workflow", "workflow_version", "state", "state_changed_at", "version_id"],
            (
                (
                    first_application + i,
                    f"{PROGRAMME}-R{number + 1}-{within + 1:05d}",
                    round_ids[number],
                    org,
                    f"Project {i + 1}: keeping {rng.choice(NAMES).lower()} streets safe",
                    amount,
                    decided - timedelta(days=60),
                    decided - timedelta(days=50),
                    "application",
                    1,
                    "approved",
                    decided,
                    5,
                )
                for i, number, within, org, decided, amount in plan
            ),
        )
        _copy(
            conn,
            "application_terms",
            ["application_id", "term_id"],
            ((first_application + i, district_terms[DISTRICTS[i % len(DISTRICTS)]]) for i in range(awards)),
        )
        states = [rng.choice(AWARD_STATES) for _ in range(awards)]
        _copy(
            conn,
            "awards",
            ["id", "public_reference", "programme_id", "organisation_id", "application_id", "title", "amount_pence"]
            + ["amount_at_decision_pence", "decided_at", "budget_stream", "cost_centre", "starts_on", "ends_on"]
            + ["created_at", "offer_conditions", "agreement_terms", "declaration_agreed", "workflow"]
            + ["workflow_version", "state", "state_changed_at", "version_id"],
            (
                (
                    first_award + i,
                    f"{PROGRAMME}-R{number + 1}-{within + 1:05d}",
                    programme_id,
                    org,
                    first_application + i,
                    f"Project {i + 1}",
                    amount,
                    amount + (rng.choice((0, 0, 0, 5_000))),
                    decided,
                    STREAMS[i % len(STREAMS)],
                    f"PCC-{i % len(STREAMS)}",
                    decided.date() + timedelta(days=30),
                    decided.date() + timedelta(days=395),
                    decided,
                    "",
                    "The grant agreement terms.",
                    True,
                    "award",
                    2,
                    states[i],
                    decided,
                    3,
                )
                for i, number, within, org, decided, amount in plan
            ),
        )

        rows = []
        for i, _number, _within, _org, decided, amount in plan:
            shares = [amount // PAYMENTS_PER_AWARD] * PAYMENTS_PER_AWARD
            shares[-1] += amount - sum(shares)
            paid_so_far = rng.randrange(0, PAYMENTS_PER_AWARD + 1) if states[i] != "declined" else 0
            for k, share in enumerate(shares):
                due = min(decided.date() + timedelta(days=30 + 60 * k), TO)
                paid_on = due + timedelta(days=2) if k < paid_so_far else None
                state = "paid" if paid_on else "approved" if k == paid_so_far else "scheduled"
                paid_at = datetime.combine(paid_on, datetime.min.time(), UTC) if paid_on else None
                reference = f"BACS-{i:06d}-{k + 1}" if paid_on else None
                rows.append((first_award + i, k + 1, share, due, paid_on, paid_at, reference, decided, state))
        _copy(
            conn,
            "payments",
            ["award_id", "instalment", "amount_pence", "due_on", "paid_on", "paid_at", "finance_reference"]
            + ["created_at", "state", "workflow", "workflow_version", "state_changed_at", "version_id"],
            ((*row, "payment", 2, row[7], 2) for row in rows),
        )
        for table in ("organisations", "applications", "awards", "payments"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )
        conn.commit()
    analyze()
    # The "Payments due" sheet lists the instalments still to pay (grants.finance_export.queries.TO_PAY).
    due = sum(1 for row in rows if row[-1] != "paid")
    return {"organisations": organisations, "awards": awards, "payments": len(rows), "payments_due": due}
