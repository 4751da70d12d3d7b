"""The staff workspace: Your work (every role's queues), search and Payments due, as data grows.

The workload is "workspace" in issue 14: on PostgreSQL, one member of staff who is an officer,
finance, a decision maker and an admin of every programme (so the home page counts every queue)
opens their home page, a search, and Payments due, at a tenth of the full size and at full size
(10,000 applications, 5,000 awards, 20,000 instalments; --quick: 2,000 / 1,000 / 4,000). Equal
statement counts at both sizes are the pass; p95 (and p50) over --requests requests of each page at
full size.

Then a batch transition (issue 14, item 8): the officer marks screened, submitted applications eligible
from the case list's batch action, confirmation page then apply, each case moved through the engine on
its own. A batch of 1 and one of 100 at a tenth of the size, one of 1,000 at full size (--quick: 1, 10,
100): the apply's time, and its SQL statements per case ((statements - those of a batch of 1) / (cases -
1)), which must be the same for both batches.

Requests go through the Flask test client in this process (the app's real code, templates and
database, no HTTP server): the latency is the application's own time. Rows are inserted with
SQLAlchemy Core (not timed). The script makes its own database on the server named by
--database-url, migrates it, and drops it at the end.

    .venv/bin/python benchmarks/workspace.py --quick
    .venv/bin/python benchmarks/workspace.py

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from support import bench_parser, csrf_token, ms, percentile, print_json, sign_in_staff
from support_db import analyze, migrated_app
from support_fixtures import open_round, programme_with_officer, submitted_application
from support_sql import counting_statements

from grants.auth.services import create_user
from grants.extensions import db
from grants.models import Application, Award, Organisation, Payment, RoleGrant, Round, ScreeningCheck
from grants.models.assessments import SCREENING_ITEMS
from grants.setup.seed import seed_vocabularies

CODE = "WORK-R1"
PASSWORD = "benchmark-password-not-secret"  # noqa: S105 - a throwaway account in a throwaway database
ORGANISATIONS = 1_000
APPLICATION_STATES = ("submitted", "submitted", "eligible", "in_assessment", "recommended", "approved")
PAYMENT_STATES = ("scheduled", "scheduled", "approved", "held", "paid", "paid")
PAGES = {"home": "/work/", "search": "/search?q=Project+12&list=1", "payments due": "/payments/due"}
SEEN = re.compile(r'name="case" value="(\d+:\d+)"')


def build() -> tuple[int, int, str, list[int]]:
    """Vocabularies, a programme, an open round, organisations, and the member of staff (every role)."""
    seed_vocabularies()
    person = create_user("Work Everyone", "everyone@work.example", PASSWORD)
    programme = programme_with_officer("WORK", "Workspace benchmark programme", person)
    db.session.add_all(RoleGrant(user_id=person.id, role=role) for role in ("finance", "decision_maker", "admin"))
    now = datetime.now(UTC)
    open_round(programme, person, now, CODE, "Workspace round", closes_at=now + timedelta(days=30))
    db.session.execute(
        insert(Organisation.__table__),
        [
            {"name": f"Work Community Group {i:04d}", "org_type": "community_group", "district": "leeds",
             "version_id": 1, "created_at": now}
            for i in range(ORGANISATIONS)
        ],
    )  # fmt: skip
    db.session.commit()
    organisations = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))
    round_id = db.session.scalar(select(Round.id).where(Round.code == CODE))
    return programme.id, round_id, person.email, organisations


def grow(programme_id: int, round_id: int, organisations: list[int], sizes: dict[str, tuple[int, int]]) -> None:
    """Applications, awards and instalments from the first number to the second of each (Core inserts)."""
    rng = random.Random(20261204 + sizes["applications"][0])
    now = datetime.now(UTC)
    first, last = sizes["applications"]
    rows = [
        submitted_application(f"{CODE}-{n + 1:05d}", round_id, organisations[n % len(organisations)],
                              f"Project {n + 1}", now, amount_requested_pence=rng.randrange(50_000, 800_000, 50),
                              state=rng.choice(APPLICATION_STATES), version_id=2)
        for n in range(first, last)
    ]  # fmt: skip
    for batch in range(0, len(rows), 2_000):
        db.session.execute(insert(Application.__table__), rows[batch : batch + 2_000])
    first, last = sizes["awards"]
    db.session.execute(
        insert(Award.__table__),
        [
            {"public_reference": f"{CODE}-A{n + 1:05d}", "programme_id": programme_id,
             "organisation_id": organisations[n % len(organisations)], "title": f"Award {n + 1}",
             "amount_pence": 800_000, "workflow": "award", "workflow_version": 2,
             "state": rng.choice(("offered", "accepted", "active", "active")), "state_changed_at": now, "version_id": 1}
            for n in range(first, last)
        ],
    )  # fmt: skip
    awards = list(db.session.scalars(select(Award.id).order_by(Award.id).offset(first)))
    first, last = sizes["payments"]
    today = date.today()
    rows = [
        {"award_id": awards[n % len(awards)], "instalment": 1 + n // len(awards), "amount_pence": 200_000,
         "due_on": today + timedelta(days=rng.randrange(-400, 400)), "workflow": "payment", "workflow_version": 2,
         "state": rng.choice(PAYMENT_STATES), "state_changed_at": now, "version_id": 1}
        for n in range(first, last)
    ]  # fmt: skip
    for batch in range(0, len(rows), 5_000):
        db.session.execute(insert(Payment.__table__), rows[batch : batch + 5_000])
    db.session.commit()
    analyze()


def screened_submitted(count: int) -> list[int]:
    """`count` submitted applications not screened yet, now with every screening item passed (Core inserts)."""
    ids = list(
        db.session.scalars(
            select(Application.id)
            .where(Application.state == "submitted", Application.id.not_in(select(ScreeningCheck.application_id)))
            .order_by(Application.id)
            .limit(count)
        )
    )
    if len(ids) < count:
        raise RuntimeError(f"only {len(ids)} submitted applications to batch, not {count}")
    now = datetime.now(UTC)
    answers = dict.fromkeys(SCREENING_ITEMS, "pass")
    db.session.execute(
        insert(ScreeningCheck.__table__),
        [{"application_id": i, "answers": answers, "fraud_risk": "low", "notes": "", "updated_at": now,
          "version_id": 1} for i in ids],
    )  # fmt: skip
    db.session.commit()
    return ids


def batch_transition(app: Any, client: Any, log: Any, count: int) -> dict[str, float | int]:
    """Mark `count` applications eligible in one batch from the case list: the confirmation page, then the
    apply (timed, statements counted)."""
    with app.app_context():
        ids = screened_submitted(count)
    token = csrf_token(client.get("/cases/application?state=submitted").get_data(as_text=True))
    t0 = time.perf_counter()
    review = client.post(
        "/cases/application/batch", data={"csrf_token": token, "action": "mark_eligible", "case": [str(i) for i in ids]}
    )
    confirm_seconds = time.perf_counter() - t0
    html = review.get_data(as_text=True)
    seen = SEEN.findall(html)
    assert review.status_code == 200 and len(seen) == count, (review.status_code, len(seen))
    data = {"csrf_token": csrf_token(html), "action": "mark_eligible", "case": seen, "reason": "Screened (benchmark)"}
    before = log.count
    t0 = time.perf_counter()
    done = client.post("/cases/application/batch/apply", data=data)
    seconds = time.perf_counter() - t0
    moved = f"{count} {'case' if count == 1 else 'cases'} moved to eligible."
    assert done.status_code == 200 and moved in done.get_data(as_text=True), done.status_code
    return {"cases": count, "statements": log.count - before, "seconds": seconds, "confirm_seconds": confirm_seconds}


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, "2,000 applications, 1,000 awards, 4,000 instalments, 30 requests")
    parser.add_argument("--requests", type=int, default=None, help="timed requests of each page (100; quick 30)")
    args = parser.parse_args(argv)
    full = {"applications": 10_000, "awards": 5_000, "payments": 20_000}
    if args.quick:
        full = {"applications": 2_000, "awards": 1_000, "payments": 4_000}
    tenth = {kind: count // 10 for kind, count in full.items()}
    requests = args.requests or (30 if args.quick else 100)
    batch_size = 100 if args.quick else 1_000

    with migrated_app(args.database_url, "grantflow_work", "development", RATELIMIT_ENABLED=False) as bench:
        app = bench.app
        with app.app_context():
            programme_id, round_id, email, organisations = build()
            grow(programme_id, round_id, organisations, {k: (0, n) for k, n in tenth.items()})
            engine = db.engine
        client = app.test_client()
        sign_in_staff(client, email, PASSWORD)
        counts: dict[str, dict[str, int]] = {"small": {}, "large": {}}
        with counting_statements(engine) as log:
            for label, url in PAGES.items():
                client.get(url)  # warm up
                before = log.count
                assert client.get(url).status_code == 200, url
                counts["small"][label] = log.count - before
            batches = {
                "one": batch_transition(app, client, log, 1),
                "small": batch_transition(app, client, log, batch_size // 10),
            }
            with app.app_context():
                grow(programme_id, round_id, organisations, {k: (tenth[k], full[k]) for k in full})
            for label, url in PAGES.items():
                client.get(url)
                before = log.count
                assert client.get(url).status_code == 200, url
                counts["large"][label] = log.count - before
            batches["large"] = batch_transition(app, client, log, batch_size)
        times: dict[str, list[float]] = {}
        for label, url in PAGES.items():
            times[label] = []
            for _ in range(requests):
                t0 = time.perf_counter()
                response = client.get(url)
                times[label].append(time.perf_counter() - t0)
                assert response.status_code == 200, url

    result: dict[str, Any] = {
        "applications": full["applications"],
        "awards": full["awards"],
        "instalments": full["payments"],
        "requests": requests,
        "constant": counts["small"] == counts["large"],
        "in_process": True,
    }
    print(f"workspace: in-process (Flask test client, PostgreSQL), a tenth then all of {full}")
    for label in PAGES:
        key = label.replace(" ", "_")
        result[f"{key}_statements_small"] = counts["small"][label]
        result[f"{key}_statements_large"] = counts["large"][label]
        result[f"{key}_p95_ms"] = ms(percentile(times[label], 95))
        result[f"{key}_p50_ms"] = ms(percentile(times[label], 50))
        print(f"  {label} ({PAGES[label]}): {counts['small'][label]} statements, then {counts['large'][label]}; "
              f"p50 {result[f'{key}_p50_ms']} ms, p95 {result[f'{key}_p95_ms']} ms")  # fmt: skip
    fixed = batches["one"]["statements"]
    for size in ("small", "large"):
        done = batches[size]
        result[f"batch_{size}_cases"] = done["cases"]
        result[f"batch_{size}_statements"] = done["statements"]
        result[f"batch_{size}_statements_per_case"] = round((done["statements"] - fixed) / (done["cases"] - 1), 2)
        result[f"batch_{size}_ms"] = ms(done["seconds"])
        result[f"batch_{size}_ms_per_case"] = round(ms(done["seconds"]) / done["cases"], 2)
        result[f"batch_{size}_confirm_page_ms"] = ms(done["confirm_seconds"])
        print(f"  batch of {done['cases']} (mark eligible): {done['statements']} statements, "
              f"{result[f'batch_{size}_statements_per_case']} per case; {result[f'batch_{size}_ms']} ms "
              f"({result[f'batch_{size}_ms_per_case']} ms a case); confirmation page "
              f"{result[f'batch_{size}_confirm_page_ms']} ms")  # fmt: skip
    result["batch_one_statements"] = fixed
    result["batch_constant"] = result["batch_small_statements_per_case"] == result["batch_large_statements_per_case"]
    print_json(result)
    return 0 if result["constant"] and result["batch_constant"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
