"""The commissioning dashboards on PostgreSQL at two sizes: p95 and SQL statements per page.

Makes providers (four in five VCSE), their strands (contracts) under a funding-agreement programme and
an interventions programme, five financial years of allocations per strand (one Award a year, paid in
part) and quarterly monitoring returns for each allocation, inserted in bulk (Core INSERTs). Then, at a
tenth of the size and at full size (500 providers, 2,000 strands, 5 years of quarterly returns: 10,000
allocations and 40,000 returns; `--quick`: 50/200 and 100/400), signed in as an officer of every
programme, it requests:

- ``figures``: a programme's money by year (/commissioning/programmes/MOJ and /VRU);
- ``front``: the commissioning front page (/commissioning/: counts by programme, contracts ending soon);
- ``list``: the list of contracts, filtered by programme and sorted by value (/commissioning/contracts).

Statement counts must be equal at both sizes (no per-row queries).

    .venv/bin/python benchmarks/commissioning_dashboard.py --quick
    .venv/bin/python benchmarks/commissioning_dashboard.py

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select
from support import bench_parser, ms, percentile, print_json, sign_in_staff
from support_db import Bench, analyze, migrated_app
from support_sql import counting_statements

from grants.auth.passwords import hash_password
from grants.extensions import db
from grants.models import Award, Contract, MonitoringReturn, Organisation, Payment, Programme, RoleGrant, User

OFFICER, PASSWORD = "bench.officer@example.org", "bench-password-1"
YEARS = [2020, 2021, 2022, 2023, 2024]
REQUESTS = 30
PAGES = {
    "figures_moj": "/commissioning/programmes/MOJ",
    "figures_vru": "/commissioning/programmes/VRU",
    "front": "/commissioning/",
    "list": "/commissioning/contracts?programme=MOJ&sort=value&order=desc",
}
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def seed() -> dict[str, int]:
    moj = Programme(code="MOJ", name="Victims' services", kind="sub_grant", budget_stream="victims_of_crime")
    vru = Programme(code="VRU", name="VRU interventions", kind="commissioning", budget_stream="violence_reduction_unit")
    db.session.add_all([moj, vru])
    officer = User(email=OFFICER, name="Bench Officer", password_hash=hash_password(PASSWORD), active=True)
    db.session.add(officer)
    db.session.flush()
    db.session.add(RoleGrant(user_id=officer.id, role="officer", programme_id=None))
    db.session.commit()
    return {"MOJ": moj.id, "VRU": vru.id}


def add(programmes: dict[str, int], providers: tuple[int, int], strands: tuple[int, int], rng: random.Random) -> None:
    """Providers [first, last) and strands [first, last), with their allocations, payments and returns."""
    org_ids = []
    for number in range(*providers):
        public = number % 5 == 0
        org_ids.append(
            db.session.execute(
                insert(Organisation).returning(Organisation.id),
                [
                    {
                        "name": f"Provider {number:04d}",
                        "org_type": "public_body" if public else "registered_charity",
                        "district": rng.choice(["bradford", "calderdale", "kirklees", "leeds", "wakefield"]),
                        "created_at": NOW,
                        "version_id": 1,
                    }
                ],  # fmt: skip
            ).scalar_one()
        )
    all_orgs = list(db.session.scalars(select(Organisation.id)))
    contract_rows = []
    for number in range(*strands):
        code = "VRU" if number % 4 == 0 else "MOJ"
        contract_rows.append({
            "public_reference": f"{code}-B-{number:05d}", "programme_id": programmes[code],
            "provider_id": rng.choice(all_orgs), "title": f"Strand {number}", "specification": "",
            "amount_pence": 5 * 4_000_000, "budget_stream": "victims_of_crime", "starts_on": date(2020, 4, 1),
            "end_date": date(2025, 3, 31), "workflow": "contract", "workflow_version": 2, "state": "in_review",
            "state_changed_at": NOW, "version_id": 1, "created_at": NOW, "need_summary": "", "need_reason": "",
            "need_evidence": "", "direct_award_justification": "", "evaluation_outcome": "",
            "extension_months_allowed": 0, "districts_served": ["leeds"], "settings": [],
            "yef_impact": rng.choice(["high", "moderate", "low"]) if code == "VRU" else None,
        })  # fmt: skip
    contracts = db.session.execute(
        insert(Contract).returning(Contract.id, Contract.public_reference, Contract.programme_id, Contract.provider_id),
        contract_rows,
    ).all()
    award_rows = []
    for contract_id, reference, programme_id, provider_id in contracts:
        for year in YEARS:
            award_rows.append({
                "public_reference": f"{reference}-{year % 100}", "programme_id": programme_id,
                "organisation_id": provider_id, "contract_id": contract_id, "title": reference,
                "amount_pence": 4_000_000, "amount_at_decision_pence": 4_000_000, "budget_stream": "victims_of_crime",
                "starts_on": date(year, 4, 1), "ends_on": date(year + 1, 3, 31), "workflow": "award",
                "workflow_version": 2, "state": "closed" if year < 2024 else "active", "state_changed_at": NOW,
                "version_id": 1, "created_at": NOW, "offer_conditions": "", "agreement_terms": "",
                "declaration_agreed": True,
            })  # fmt: skip
    awards = db.session.execute(insert(Award).returning(Award.id, Award.starts_on), award_rows).all()
    payment_rows, return_rows = [], []
    for award_id, starts in awards:
        for quarter, (month, day) in enumerate([(6, 30), (9, 30), (12, 31), (3, 31)], start=1):
            due = date(starts.year if month > 3 else starts.year + 1, month, day)
            paid = due < date(2025, 1, 1)
            payment_rows.append({
                "award_id": award_id, "instalment": quarter, "amount_pence": 1_000_000, "due_on": due,
                "paid_on": due if paid else None, "workflow": "payment", "workflow_version": 2,
                "state": "paid" if paid else "scheduled", "state_changed_at": NOW, "version_id": 1,
            })  # fmt: skip
            return_rows.append({
                "award_id": award_id, "period_label": f"Q{quarter}", "due_date": due, "workflow": "monitoring_return",
                "workflow_version": 2, "state": "accepted" if paid else "open", "state_changed_at": NOW,
                "version_id": 1, "kind": "quarterly", "sequence": quarter, "period_ends_on": due,
                "period_starts_on": due.replace(day=1),
            })  # fmt: skip
    db.session.execute(insert(Payment), payment_rows)
    db.session.execute(insert(MonitoringReturn), return_rows)
    db.session.commit()


def measure(bench: Bench) -> dict[str, Any]:
    client = bench.app.test_client()
    sign_in_staff(client, OFFICER, PASSWORD)
    found: dict[str, Any] = {}
    for name, path in PAGES.items():
        client.get(path)  # warm up
        with counting_statements(db.engine) as log:
            before = log.count
            response = client.get(path)
            statements = log.count - before
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - started)
        found[name] = {
            "statements": statements,
            "p95_ms": ms(percentile(times, 95)),
            "p50_ms": ms(percentile(times, 50)),
        }
    return found


def main() -> None:
    parser = bench_parser(__doc__ or "", "50/200 and 100/400 providers/strands instead of 50/200 and 500/2,000")
    args = parser.parse_args()
    sizes = [(50, 200), (100, 400)] if args.quick else [(50, 200), (500, 2_000)]
    rng = random.Random(13)
    figures: dict[str, Any] = {"sizes": [f"{p} providers, {s} strands" for p, s in sizes]}
    with migrated_app(args.database_url, "grantflow_bench_commissioning") as bench, bench.app.app_context():
        programmes = seed()
        made = (0, 0)
        for providers, strands in sizes:
            started = time.perf_counter()
            add(programmes, (made[0], providers), (made[1], strands), rng)
            made = (providers, strands)
            analyze()
            print(f"{providers} providers, {strands} strands made in {time.perf_counter() - started:.1f} s", flush=True)
            at = measure(bench)
            print(f"{strands} strands: {at}", flush=True)
            figures[str(strands)] = at
        small, large = (figures[str(s)] for _p, s in sizes)
        figures["statements_equal"] = all(small[k]["statements"] == large[k]["statements"] for k in PAGES)
        figures["p95_ms"] = max(large[k]["p95_ms"] for k in PAGES)
        figures["errors"] = 0
    print_json(figures)


if __name__ == "__main__":
    main()
