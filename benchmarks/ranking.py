"""Ranking a round within its budget, and writing the panel pack, on PostgreSQL.

The workload is issue 5's: 1,000 eligible bids (--quick: 200), each scored by 5 assessors
on 6 weighted criteria (submitted assessments; one score in ten has been rescored, so the
append-only history is there for the max(id) subquery to skip).

1. ``grants.decisions.ranking.rank_round(round)``: the ranked list with the funding line and
   the money by district and area of focus. Median (and min, max) of 5 timed runs after a
   warm-up, each with a fresh session (the round is loaded before the clock starts, as the
   page does). Target: under 200 ms. The weighted totals are summed by the database, one row
   per assessment (exact: whole hundredths), not one row per score.
2. SQL statements rank_round sends, counted with an SQLAlchemy ``before_cursor_execute``
   listener, for a round of 100 bids and for the big round: equal counts are the pass.
3. The panel pack (``grants.decisions.panel_pack.write_panel_pack``, ranking included) written in a
   child process, so its peak memory is its own: the child resets its peak-RSS counter just
   before the export (Linux ``/proc/self/clear_refs``), then reports the export's time, the
   resident memory before it and the peak during it (``VmHWM``; ``ru_maxrss`` where /proc is
   missing). Beside it, a baseline child writes the same rows (values only, from lists already
   in memory) with plain openpyxl write-only: the time ratio is the figure docs/benchmarks.md asks
   exports for.

Setup (not timed) uses SQLAlchemy Core bulk inserts, then ANALYZE. The script makes its own
database (grantflow_rank_<random>) on the server named by --database-url, migrates it with
Alembic, and drops it at the end, even on error.

    .venv/bin/python benchmarks/ranking.py --quick    # 200 bids; about 10 s
    .venv/bin/python benchmarks/ranking.py            # 1,000 bids; about 15 s

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from support import peak_mb, postgres_url, reset_peak, statement_kind, status_mb, throwaway_database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ASSESSORS = 5
CRITERIA = [  # name, weight, minimum score
    ("Need and evidence", "1.50", 2),
    ("Outcomes and measurement", "1.25", None),
    ("Value for money", "2.25", None),
    ("Deliverability and capacity", "1.00", None),
    ("Fit with Police and Crime Plan priorities", "0.75", None),
    ("Safeguarding", "1.00", None),
]
SMALL_BIDS = 100
RUNS = 5
TARGET_MS = 200
STATES = ("in_assessment",) * 7 + ("recommended", "reserve", "not_recommended")


# -- the throwaway database -------------------------------------------------------------------------
# -- setup (not timed) ---------------------------------------------------------------------------------
def build(db: Any, bids_by_round: dict[str, int], seed: int) -> None:
    """Vocabularies, a programme, assessors, and for each round: criteria, organisations, bids with
    tags, submitted assessments, scores (some rescored) and recommendations. Core inserts."""
    from sqlalchemy import insert, select, text

    from grants.models import (
        Application,
        ApplicationTerm,
        Assessment,
        Criterion,
        Organisation,
        Programme,
        Recommendation,
        Round,
        Score,
        Term,
        User,
    )
    from grants.setup.seed import seed_vocabularies

    rng = random.Random(seed)
    now = datetime.now(UTC)
    seed_vocabularies()
    programme = Programme(code="RANK", name="Ranking benchmark programme", kind="grant_rounds")
    db.session.add(programme)
    db.session.flush()
    db.session.execute(
        insert(User.__table__),
        [
            {"email": f"assessor{i}@rank.example", "name": f"Assessor {i}", "password_hash": "x", "active": True}
            for i in range(ASSESSORS)
        ],
    )
    assessors = list(db.session.scalars(select(User.id).order_by(User.id)))
    terms = db.session.execute(select(Term.id, Term.vocabulary)).all()
    districts = [t.id for t in terms if t.vocabulary == "district"]
    areas = [t.id for t in terms if t.vocabulary == "area_of_focus"]

    for number, (code, bids) in enumerate(bids_by_round.items(), start=1):
        requested = [rng.randrange(50_000, 800_001, 50) for _ in range(bids)]
        round_id = db.session.execute(
            insert(Round.__table__).returning(Round.id),
            {
                "programme_id": programme.id,
                "number": number,
                "code": code,
                "title": f"Ranking benchmark round {number}",
                "budget_pence": sum(requested) * 2 // 5,  # the line falls about 40% of the way down
                "workflow": "round",
                "workflow_version": 1,
                "state": "closed",
                "state_changed_at": now,
                "version_id": 1,
                "application_count": bids,
                "moderation_spread": Decimal("5"),
            },
        ).scalar_one()
        db.session.execute(
            insert(Criterion.__table__),
            [
                {
                    "round_id": round_id,
                    "position": i,
                    "name": name,
                    "weight": Decimal(weight),
                    "scale_min": 0,
                    "scale_max": 5,
                    "minimum_score": minimum,
                    "descriptors": {},
                }
                for i, (name, weight, minimum) in enumerate(CRITERIA)
            ],
        )
        criteria = list(db.session.scalars(select(Criterion.id).where(Criterion.round_id == round_id)))
        organisation_ids = list(
            db.session.scalars(
                insert(Organisation.__table__).returning(Organisation.id, sort_by_parameter_order=True),
                [
                    {
                        "name": f"Rank Community Group {code} {i:04d}",
                        "org_type": "community_group",
                        "district": "leeds",
                        "version_id": 1,
                        "created_at": now,
                    }
                    for i in range(bids)
                ],
            )
        )
        application_ids = list(
            db.session.scalars(
                insert(Application.__table__).returning(Application.id, sort_by_parameter_order=True),
                [
                    {
                        "public_reference": f"{code}-{i + 1:04d}",
                        "round_id": round_id,
                        "organisation_id": organisation_ids[i],
                        "project_title": f"Project {i + 1}",
                        "amount_requested_pence": requested[i],
                        "created_at": now,
                        "submitted_at": now,
                        "workflow": "application",
                        "workflow_version": 1,
                        "state": rng.choice(STATES),
                        "state_changed_at": now,
                        "version_id": 5,
                    }
                    for i in range(bids)
                ],
            )
        )
        tags = []
        for application_id in application_ids:
            for term_id in {*rng.sample(districts, rng.randint(1, 2)), *rng.sample(areas, rng.randint(0, 2))}:
                tags.append({"application_id": application_id, "term_id": term_id})
        db.session.execute(insert(ApplicationTerm.__table__), tags)
        assessment_ids = list(
            db.session.scalars(
                insert(Assessment.__table__).returning(Assessment.id, sort_by_parameter_order=True),
                [
                    {
                        "application_id": application_id,
                        "assessor_id": assessor_id,
                        "assigned_at": now,
                        "declared_at": now,
                        "submitted_at": now,
                        "workflow": "assessment",
                        "workflow_version": 1,
                        "state": "submitted",
                        "state_changed_at": now,
                        "version_id": 4,
                    }
                    for application_id in application_ids
                    for assessor_id in assessors
                ],
            )
        )
        scores = []
        for assessment_id in assessment_ids:
            for criterion_id in criteria:
                first = rng.randint(0, 5)
                scores.append(
                    {
                        "assessment_id": assessment_id,
                        "criterion_id": criterion_id,
                        "score": first,
                        "comment": f"Score {first}: the evidence given, in a sentence or two of plain text.",
                        "created_at": now,
                    }
                )
        rescored = [
            {**row, "score": min(5, row["score"] + 1), "comment": "Rescored after reading again."}
            for row in rng.sample(scores, len(scores) // 10)
        ]
        for batch in range(0, len(scores), 10_000):
            db.session.execute(insert(Score.__table__), scores[batch : batch + 10_000])
        db.session.execute(insert(Score.__table__), rescored)  # later ids: these are the current scores
        moderated = rng.sample(application_ids, len(application_ids) // 5)
        db.session.execute(
            insert(Recommendation.__table__),
            [
                {
                    "application_id": application_id,
                    "moderated_score": Decimal(rng.randint(500, 3_800)) / 100,
                    "moderation_reason": "The panel agreed a score between the assessors'.",
                    "recommended_amount_pence": None if rng.random() < 0.5 else 50_000,
                    "amount_reason": "Part of the costs are not eligible.",
                    "feedback": "Feedback for the applicant.",
                    "updated_at": now,
                    "version_id": 1,
                }
                for application_id in moderated
            ],
        )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    db.session.remove()


# -- measuring ------------------------------------------------------------------------------------
class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool):
        self.statements.append(statement)


def load_round(db: Any, code: str) -> Any:
    from sqlalchemy import select

    from grants.models import Round

    return db.session.scalar(select(Round).where(Round.code == code))


def count_statements(db: Any, code: str) -> tuple[int, list[str], int]:
    from sqlalchemy import event

    from grants.decisions.ranking import rank_round

    db.session.remove()
    round_ = load_round(db, code)
    counter = StatementCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        ranking = rank_round(round_)
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return len(counter.statements), [statement_kind(s) for s in counter.statements], len(ranking.rows)


def time_ranking(db: Any, code: str, runs: int) -> tuple[list[float], Any]:
    from grants.decisions.ranking import rank_round

    db.session.remove()
    rank_round(load_round(db, code))  # warm up: statement caches, the workflow registry
    times = []
    ranking = None
    for _ in range(runs):
        db.session.remove()
        round_ = load_round(db, code)
        t0 = time.perf_counter()
        ranking = rank_round(round_)
        times.append(time.perf_counter() - t0)
    return times, ranking


def run_child(mode: str, url: str, code: str) -> dict[str, Any]:
    """Run this script as a child that writes the pack (or the baseline); its last line is JSON."""
    with tempfile.TemporaryDirectory(prefix="grantflow-pack-") as folder:
        output = Path(folder) / "pack.xlsx"
        done = subprocess.run(  # noqa: S603 - this script, with arguments we made
            [sys.executable, __file__, "--child", mode, "--database-url", url, "--round", code, "-o", str(output)],
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the {mode} child failed:\n{done.stderr[-3000:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        figures["bytes"] = output.stat().st_size
        return figures


def child(mode: str, url: str, code: str, output: str) -> int:
    """Write the panel pack (mode 'pack') or the raw openpyxl baseline (mode 'baseline'); print JSON."""
    from grants import create_app
    from grants.extensions import db

    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        round_ = load_round(db, code)
        if mode == "pack":
            from grants.decisions.panel_pack import write_panel_pack

            reset = reset_peak()
            before = status_mb("VmRSS") or peak_mb()
            t0 = time.perf_counter()
            ranking = write_panel_pack(round_, output)
            seconds = time.perf_counter() - t0
            rows = len(ranking.rows)
        else:
            from openpyxl import Workbook

            from grants.decisions import scores
            from grants.decisions.ranking import rank_round
            from grants.decisions.services import ranked_states

            ranking = rank_round(round_)
            sheets = scores.submitted_sheets(round_.id, ranked_states(), ranking.criteria, with_comments=True)
            ranked = [
                [r.rank, r.reference, r.organisation, r.project_title, "; ".join(r.districts)]
                + ["; ".join(r.areas_of_focus), r.requested_pence / 100, r.recommended_pence / 100]
                + [r.cumulative_pence / 100, r.mean_total, r.moderated_score, "Yes" if r.above_line else "No"]
                + [r.state_label, r.amount_reason or ""]
                for r in ranking.rows
            ]
            scored = []
            for r in ranking.rows:
                for sheet in sheets.get(r.application_id, []):
                    row: list[Any] = [r.reference, sheet.assessor]
                    for c in ranking.criteria:
                        row += [sheet.scores.get(c.id), sheet.comments.get(c.id, "")]
                    scored.append([*row, sheet.total])
            summaries = [[t.label, t.bids, t.recommended_pence / 100] for t in ranking.by_district]
            summaries2 = [[t.label, t.bids, t.recommended_pence / 100] for t in ranking.by_area_of_focus]
            rows = len(ranking.rows)
            reset = reset_peak()
            before = status_mb("VmRSS") or peak_mb()
            t0 = time.perf_counter()
            book = Workbook(write_only=True)
            for title, data in (
                ("Ranked", ranked),
                ("Scores", scored),
                ("By district", summaries),
                ("By area of focus", summaries2),
            ):
                sheet_ = book.create_sheet(title)
                sheet_.append([f"Column {i}" for i in range(len(data[0]) if data else 1)])
                for values in data:
                    sheet_.append(values)
            book.save(output)
            seconds = time.perf_counter() - t0
        peak = peak_mb()
        db.session.remove()
        db.engine.dispose()
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "rss_before_mb": before, "rows": rows, "reset": reset}))
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="200 bids")
    parser.add_argument("--bids", type=int, default=None, help="bids in the big round (default 1,000)")
    parser.add_argument("--seed", type=int, default=20230209)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="PostgreSQL server and maintenance database (default: $BENCH_DATABASE_URL or %(default)s)",
    )
    parser.add_argument("--child", choices=["pack", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--round", help=argparse.SUPPRESS)
    parser.add_argument("-o", "--output", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bids is None:
        args.bids = 200 if args.quick else 1_000
    if args.bids < SMALL_BIDS:
        parser.error(f"--bids must be at least {SMALL_BIDS}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = postgres_url(args.database_url)
    if args.child:
        return child(args.child, url, args.round, args.output)

    from flask_migrate import upgrade

    from grants import create_app
    from grants.extensions import db

    small_code, big_code = "RANK-S", "RANK-L"
    with throwaway_database(url, "grantflow_rank") as (bench_url, _name):
        app = create_app("test", SQLALCHEMY_DATABASE_URI=bench_url)
        with app.app_context():
            try:
                t0 = time.perf_counter()
                upgrade()
                db.session.remove()
                build(db, {small_code: SMALL_BIDS, big_code: args.bids}, args.seed)
                setup_seconds = time.perf_counter() - t0

                small_count, _small_kinds, small_rows = count_statements(db, small_code)
                big_count, big_kinds, big_rows = count_statements(db, big_code)
                times, ranking = time_ranking(db, big_code, RUNS)
                db.session.remove()
            finally:
                db.session.remove()
                db.engine.dispose()
        pack = run_child("pack", bench_url, big_code)
        baseline = run_child("baseline", bench_url, big_code)

    ms = [t * 1000 for t in times]
    rank_ms = round(statistics.median(ms), 1)
    result: dict[str, Any] = {
        "bids": args.bids,
        "rank_ms": rank_ms,
        "rank_statements": big_count,
        "rank_statements_small": small_count,
        "pack_seconds": round(pack["seconds"], 3),
        "pack_peak_rss_mb": round(pack["peak_rss_mb"], 1),
        # more figures, after the ones the issue names
        "rank_ms_min": round(min(ms), 1),
        "rank_ms_max": round(max(ms), 1),
        "rank_runs": RUNS,
        "bids_small": SMALL_BIDS,
        "assessors_per_bid": ASSESSORS,
        "criteria": len(CRITERIA),
        "constant": small_count == big_count,
        "pack_rss_before_mb": round(pack["rss_before_mb"], 1),
        "pack_rss_growth_mb": round(pack["peak_rss_mb"] - pack["rss_before_mb"], 1),
        "pack_bytes": pack["bytes"],
        "baseline_seconds": round(baseline["seconds"], 3),
        "baseline_peak_rss_mb": round(baseline["peak_rss_mb"], 1),
        "pack_to_baseline": round(pack["seconds"] / baseline["seconds"], 2) if baseline["seconds"] else None,
        "target_rank_ms": TARGET_MS,
        "database": "postgresql",
    }
    assert ranking is not None
    print(
        f"ranking: {args.bids:,} bids x {ASSESSORS} assessors x {len(CRITERIA)} criteria on PostgreSQL "
        f"(setup {setup_seconds:.1f} s, not timed)"
    )
    print(
        f"  rank_round: median {rank_ms} ms over {RUNS} runs (min {result['rank_ms_min']}, max "
        f"{result['rank_ms_max']}); target < {TARGET_MS} ms: {'met' if rank_ms < TARGET_MS else 'NOT met'}"
    )
    print(
        f"  {len(ranking.above_line):,} of {big_rows:,} bids above the funding line, "
        f"{ranking.above_line_pence / 100:,.2f} of a {ranking.budget_pence / 100:,.2f} budget"
    )
    print(
        f"  SQL statements: {small_count} at {small_rows} bids, {big_count} at {big_rows} "
        f"({'constant' if small_count == big_count else 'NOT constant'}): " + "; ".join(big_kinds)
    )
    print(
        f"  panel pack (child process): {pack['seconds']:.2f} s, {pack['bytes'] / 1024:,.0f} KiB, peak RSS "
        f"{pack['peak_rss_mb']:.1f} MB ({pack['rss_before_mb']:.1f} MB before the export)"
    )
    print(
        f"  baseline, plain openpyxl write-only from lists in memory: {baseline['seconds']:.2f} s, peak RSS "
        f"{baseline['peak_rss_mb']:.1f} MB; pack/baseline time {result['pack_to_baseline']}"
    )
    print(json.dumps(result))
    return 0 if small_count == big_count else 1


if __name__ == "__main__":
    sys.exit(main())
