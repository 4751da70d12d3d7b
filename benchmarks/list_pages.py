"""Officers' list of a round's applications: SQL statements per request as rows grow, and p95.

The workload is "list pages" in docs/benchmarks.md, for the
list issue 4 builds: GET /officer/rounds/<code>/applications, signed in as an officer of the
round's programme.

1. Statements per request are counted with an SQLAlchemy ``before_cursor_execute`` listener
   on the engine, at 100 submitted applications and again at 10,000 (--quick: 2,000). Equal
   counts are the pass. Three requests are counted at each size: the first page with no
   filters (the headline), a later page, and a filtered page (district, area of focus, amount
   and organisation name together).
2. p95 (and p50) over 200 requests (--quick: 50) of the first page at the large size.

Requests go through the Flask test client in this process (the app's real code, templates
and database, but no HTTP server or network): the latency is the application's own time.
The applications, their organisations and their tags are inserted with SQLAlchemy Core
bulk inserts (not timed).

The script makes its own database (grantflow_list_<random>) on the server named by
--database-url, migrates it with Alembic, and drops it at the end, even on error.

    .venv/bin/python benchmarks/list_pages.py --quick    # 100 and 2,000 rows, 50 requests
    .venv/bin/python benchmarks/list_pages.py            # 100 and 10,000 rows, 200 requests

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from support import bench_parser, ms, percentile, print_json, sign_in_staff
from support_db import analyze, migrated_app
from support_fixtures import open_round, programme_with_officer, submitted_application, tag_rows
from support_sql import StatementLog, counting_statements

from grants.auth.services import create_user
from grants.extensions import db
from grants.models import Application, ApplicationTerm, Organisation, Round
from grants.setup.seed import seed_vocabularies

ROUND_CODE = "LIST-R1"
PASSWORD = "benchmark-password-not-secret"  # noqa: S105 - a throwaway account in a throwaway database
ORGANISATIONS = 1_000
STATES = ("submitted", "submitted", "submitted", "eligible", "in_assessment", "information_requested")


# -- setup (not timed) ----------------------------------------------------------------------------
def build_round() -> tuple[int, str, list[int]]:
    """Vocabularies, a programme with an officer, an open round, and organisations (Core inserts).

    Returns (round id, officer email, organisation ids)."""
    seed_vocabularies()
    officer = create_user("List Officer", "officer@list.example", PASSWORD)
    programme = programme_with_officer("LIST", "List benchmark programme", officer)
    now = datetime.now(UTC)
    open_round(
        programme,
        officer,
        now,
        ROUND_CODE,
        "List benchmark round",
        closes_at=now + timedelta(days=30),
        min_grant_pence=50_000,
        max_grant_pence=800_000,
    )
    db.session.execute(
        insert(Organisation.__table__),
        [
            {
                "name": f"List Community Group {i:04d}",
                "org_type": "community_group",
                "district": "leeds",
                "postcode": "LS1 2AB",
                "version_id": 1,
                "created_at": now,
            }
            for i in range(ORGANISATIONS)
        ],
    )
    db.session.commit()
    organisation_ids = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))
    round_id = db.session.scalar(select(Round.id).where(Round.code == ROUND_CODE))
    email = officer.email
    db.session.remove()
    return round_id, email, organisation_ids


def add_applications(round_id: int, organisation_ids: list[int], start: int, count: int, seed: int) -> None:
    """`count` more submitted (or later) applications, numbered from `start`, each with one or two
    districts and areas of focus (Core inserts), then ANALYZE."""
    rng = random.Random(seed + start)
    now = datetime.now(UTC)
    rows = [
        submitted_application(
            f"{ROUND_CODE}-{n + 1:05d}",
            round_id,
            organisation_ids[n % len(organisation_ids)],
            f"Project {n + 1}",
            now,
            amount_requested_pence=rng.randrange(50_000, 800_000, 50),
            people_reached=rng.randrange(10, 2_000),
            state=rng.choice(STATES),
            version_id=2,
        )
        for n in range(start, start + count)
    ]
    for batch in range(0, len(rows), 2_000):
        db.session.execute(insert(Application.__table__), rows[batch : batch + 2_000])
    ids = db.session.scalars(
        select(Application.id).where(Application.round_id == round_id).order_by(Application.id).offset(start)
    ).all()
    tags = tag_rows(rng, list(ids), fewest_areas=1)
    for batch in range(0, len(tags), 5_000):
        db.session.execute(insert(ApplicationTerm.__table__), tags[batch : batch + 5_000])
    analyze()


# -- measuring --------------------------------------------------------------------------------------
def count_statements(client: Any, log: StatementLog, url: str) -> tuple[int, list[str]]:
    before = log.count
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return log.count - before, log.kinds(since=before)


# -- main ----------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = bench_parser(__doc__, "100 and 2,000 rows, 50 requests")
    parser.add_argument("--rows-small", type=int, default=100)
    parser.add_argument("--rows-large", type=int, default=None, help="default 10,000 (quick 2,000)")
    parser.add_argument("--requests", type=int, default=None, help="timed requests at the large size (200; quick 50)")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    args.rows_large = args.rows_large or (2_000 if args.quick else 10_000)
    args.requests = args.requests or (50 if args.quick else 200)
    if args.rows_large <= args.rows_small:
        parser.error("--rows-large must be more than --rows-small")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base = f"/officer/rounds/{ROUND_CODE}/applications"
    urls = {
        "first page": base,
        "page 3": base + "?page=3",
        "filtered": base + "?district=leeds&area_of_focus=serious_violence&amount_from=1000&organisation=group+00",
    }
    # Development config: production's hasher and templates, without the Secure cookie the test client
    # would not send back over http. The officer signs in once (not measured).
    with migrated_app(args.database_url, "grantflow_list", "development", RATELIMIT_ENABLED=False) as bench:
        app = bench.app
        with app.app_context():
            round_id, officer_email, organisation_ids = build_round()
            add_applications(round_id, organisation_ids, 0, args.rows_small, args.seed)
            engine = db.engine
        with counting_statements(engine) as log:
            client = app.test_client()
            sign_in_staff(client, officer_email, PASSWORD)
            client.get(base)  # warm up: templates compiled, caches filled
            small = {label: count_statements(client, log, u) for label, u in urls.items()}

            with app.app_context():
                add_applications(
                    round_id, organisation_ids, args.rows_small, args.rows_large - args.rows_small, args.seed
                )
            client.get(base)
            large = {label: count_statements(client, log, u) for label, u in urls.items()}

            times: list[float] = []
            clock = time.perf_counter
            for _ in range(args.requests):
                t0 = clock()
                response = client.get(base)
                times.append(clock() - t0)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {base} answered {response.status_code}")
            shown = re.search(r"([\d,]+) applications asking for", response.get_data(as_text=True))

    equal = all(small[label][0] == large[label][0] for label in urls)
    result: dict[str, Any] = {
        "rows_small": args.rows_small,
        "rows_large": args.rows_large,
        "statements_small": small["first page"][0],
        "statements_large": large["first page"][0],
        "p95_ms": ms(percentile(times, 95)),
        "requests": len(times),
        # more figures, after the ones docs/benchmarks.md names
        "p50_ms": ms(percentile(times, 50)),
        "statements_page3_small": small["page 3"][0],
        "statements_page3_large": large["page 3"][0],
        "statements_filtered_small": small["filtered"][0],
        "statements_filtered_large": large["filtered"][0],
        "constant": equal,
        "in_process": True,
    }
    print(
        f"list_pages: GET {base} as an officer, in-process (Flask test client, PostgreSQL), "
        f"{args.rows_small:,} then {args.rows_large:,} applications"
    )
    for label in urls:
        print(
            f"  {label}: {small[label][0]} statements at {args.rows_small:,} rows, "
            f"{large[label][0]} at {args.rows_large:,}"
        )
    print("  the first page, statement by statement: " + "; ".join(large["first page"][1]))
    print(f"  the list said: {shown.group(1) if shown else '?'} applications (drafts are not listed)")
    print(
        f"  {len(times)} requests of the first page at {args.rows_large:,} rows: "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms"
    )
    print(f"  {'PASS' if equal else 'FAIL'}: the statement count {'does not change' if equal else 'grows'} with rows")
    print_json(result)
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
