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
import statistics
import sys
import time
from typing import Any

from ranking_child import MODES, child, load_round
from ranking_setup import ASSESSORS, CRITERIA, build
from support import bench_parser, print_json
from support_child import add_child_arguments, run_child
from support_db import migrated_app, release_connections
from support_sql import counting_statements

from grants.decisions.ranking import rank_round
from grants.extensions import db

SMALL_BIDS = 100
RUNS = 5
TARGET_MS = 200


# -- measuring ------------------------------------------------------------------------------------
def count_statements(code: str) -> tuple[int, list[str], int]:
    db.session.remove()
    round_ = load_round(code)
    with counting_statements(db.engine) as log:
        ranking = rank_round(round_)
    return log.count, log.kinds(), len(ranking.rows)


def time_ranking(code: str, runs: int) -> tuple[list[float], Any]:
    db.session.remove()
    rank_round(load_round(code))  # warm up: statement caches, the workflow registry
    times = []
    ranking = None
    for _ in range(runs):
        db.session.remove()
        round_ = load_round(code)
        t0 = time.perf_counter()
        ranking = rank_round(round_)
        times.append(time.perf_counter() - t0)
    return times, ranking


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = bench_parser(__doc__, "200 bids")
    parser.add_argument("--bids", type=int, default=None, help="bids in the big round (default 1,000)")
    parser.add_argument("--seed", type=int, default=20230209)
    add_child_arguments(parser, MODES)
    parser.add_argument("--round", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bids is None:
        args.bids = 200 if args.quick else 1_000
    if args.bids < SMALL_BIDS:
        parser.error(f"--bids must be at least {SMALL_BIDS}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args.child, args.database_url, args.round, args.output)

    small_code, big_code = "RANK-S", "RANK-L"
    with migrated_app(args.database_url, "grantflow_rank") as bench:
        with bench.app.app_context():
            build({small_code: SMALL_BIDS, big_code: args.bids}, args.seed)
            setup_seconds = time.perf_counter() - bench.started

            small_count, _small_kinds, small_rows = count_statements(small_code)
            big_count, big_kinds, big_rows = count_statements(big_code)
            times, ranking = time_ranking(big_code, RUNS)
            release_connections()
        pack = run_child(__file__, "pack", bench.url, "pack.xlsx", "--round", big_code, timeout=900)
        baseline = run_child(__file__, "baseline", bench.url, "pack.xlsx", "--round", big_code, timeout=900)

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
    print_json(result)
    return 0 if small_count == big_count else 1


if __name__ == "__main__":
    sys.exit(main())
