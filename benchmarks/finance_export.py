"""The finance spreadsheet and the 360Giving JSON, streamed from PostgreSQL, beside in-memory baselines.

The workload is the "exports" one of docs/benchmarks.md for
issue 6: 100,000 awards and 300,000 payments (--quick: 10,000 and 30,000) of one programme,
all decided and due in the 2022/23 financial year, so the export's period holds every row.

1. The finance export (``grants.finance_export.spreadsheet.write_xlsx``: the Awards, Payments due, Summary and
   About sheets, rows streamed from a server-side cursor into openpyxl write-only) written by
   a child process (this script with a hidden ``--child finance``), timed from the first query
   to the file saved.
2. Its baseline, in another child: the same rows (same columns, the same values as the export
   shows them) fetched into lists *before* the clock starts, then written with plain openpyxl
   write-only the usual way: text and numbers as plain values, money and dates as
   ``WriteOnlyCell`` with the same number formats, a bold header, frozen panes, autofilter and
   column widths. ``finance_ratio`` = export time / baseline time. Target: <= 1.3, and the
   export's peak RSS < 150 MB.
3. The same for the 360Giving JSON (``grants.open_data.publish.write_json``, streamed from one
   server-side cursor) beside a baseline that writes the same grant dicts, built in memory
   beforehand, with json's C encoder and the export's JSON options (``json.dumps`` of each grant,
   the defaults, a grant per line, 500 grants per write, as the export writes). The same child
   then also times ``json.dump`` of the whole document (the earlier baseline: it goes through
   json's pure-Python encoder, about three times slower) as ``threesixtygiving_jsondump_s``.
   If ``write_json`` is not there, this part is skipped and the JSON says so.
   ``--only threesixtygiving`` (or ``finance``) runs one part.

Peak RSS is each child's own: the child resets its peak counter just before the timed part
(Linux ``/proc/self/clear_refs``; a spawned child otherwise starts with its parent's peak) and
reports ``VmHWM`` (``ru_maxrss`` where /proc is missing), and the RSS just before.

Setup (not timed): the script makes its own database (grantflow_finance_<random>) on the server
named by --database-url, migrates it with Alembic, loads the vocabularies, a programme and ten
rounds with the ORM, then the organisations (one per four awards, with bank details, some with
formula-like names), an application per award (with its district), the awards and the payments
(three instalments per award summing to it: paid, approved or scheduled) with PostgreSQL COPY,
then ANALYZE. It drops the database at the end, even on error.

    .venv/bin/python benchmarks/finance_export.py --quick    # 10,000 awards; about 40 s
    .venv/bin/python benchmarks/finance_export.py            # 100,000 awards; about 4 min
    .venv/bin/python benchmarks/finance_export.py --only finance --background   # and through a worker

``--background`` also times the background path end to end (benchmarks/finance_background.py): a
`grantflow worker` process on a SQLite queue file makes the spreadsheet as a job; ``background_s`` from
asking to the file in place, ``background_ask_ms`` the web request's share, the worker's peak RSS.

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from finance_child import MODES, child
from finance_setup import build
from support import bench_parser, print_json
from support_child import add_child_arguments, run_child
from support_db import migrated_app

TARGET_RATIO = 1.3
TARGET_RSS_MB = 150


def threesixtygiving_available() -> str | None:
    """None if grants.open_data.publish.write_json is there; else why not."""
    try:
        from grants.open_data.publish import write_json  # noqa: F401
    except ImportError as exc:
        return f"grants.open_data.publish.write_json is not there yet ({exc})"
    return None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = bench_parser(__doc__, "10,000 awards and 30,000 payments")
    parser.add_argument("--awards", type=int, default=None, help="awards (default 100,000; 3 payments each)")
    parser.add_argument("--seed", type=int, default=20230209)
    parser.add_argument("--only", choices=["finance", "threesixtygiving"], help="run only this part (default: both)")
    parser.add_argument("--background", action="store_true", help="also time the export as a background job")
    add_child_arguments(parser, MODES)
    args = parser.parse_args(argv)
    if args.awards is None:
        args.awards = 10_000 if args.quick else 100_000
    return args


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def _finance_figures(
    result: dict[str, Any], counts: dict[str, int], finance: dict[str, Any], baseline: dict[str, Any]
) -> None:
    """The finance export's figures into `result`, and its lines of the report."""
    result.update(
        {
            "finance_xlsx_s": round(finance["seconds"], 2),
            "baseline_xlsx_s": round(baseline["seconds"], 2),
            "finance_ratio": _ratio(finance["seconds"], baseline["seconds"]),
            "finance_rss_mb": round(finance["peak_rss_mb"], 1),
            "finance_cpu_s": round(finance["cpu_seconds"], 2),
            "baseline_cpu_s": round(baseline["cpu_seconds"], 2),
            "finance_cpu_ratio": _ratio(finance["cpu_seconds"], baseline["cpu_seconds"]),
            "baseline_rss_mb": round(baseline["peak_rss_mb"], 1),
            "finance_rss_before_mb": round(finance["rss_before_mb"], 1),
            "baseline_rss_before_mb": round(baseline["rss_before_mb"], 1),
            "finance_bytes": finance["bytes"],
            "baseline_bytes": baseline["bytes"],
            "finance_rows_checked": finance["awards"] == counts["awards"]
            and finance["payments"] == counts["payments_due"],
        }
    )
    print(
        f"  finance XLSX (child, streamed from the database): {finance['seconds']:.2f} s "
        f"({finance['cpu_seconds']:.2f} s CPU), "
        f"{finance['bytes'] / 1024 / 1024:,.1f} MiB, peak RSS {finance['peak_rss_mb']:.1f} MB "
        f"({finance['rss_before_mb']:.1f} MB before)"
    )
    print(
        f"  baseline, plain openpyxl write-only from lists in memory: {baseline['seconds']:.2f} s "
        f"({baseline['cpu_seconds']:.2f} s CPU), peak RSS "
        f"{baseline['peak_rss_mb']:.1f} MB ({baseline['rss_before_mb']:.1f} MB before, the lists included)"
    )
    ok_ratio = result["finance_ratio"] is not None and result["finance_ratio"] <= TARGET_RATIO
    ok_rss = finance["peak_rss_mb"] < TARGET_RSS_MB
    print(
        f"  export/baseline {result['finance_ratio']} (target <= {TARGET_RATIO}: {'met' if ok_ratio else 'NOT met'}); "
        f"peak RSS target < {TARGET_RSS_MB} MB: {'met' if ok_rss else 'NOT met'}"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args.child, args.database_url, args.output)

    with migrated_app(args.database_url, "grantflow_finance") as bench:
        counts, setup_seconds = bench.set_up(build, bench.url, args.awards, args.seed)
        print(
            f"finance export: {counts['awards']:,} awards, {counts['payments']:,} payments, "
            f"{counts['organisations']:,} organisations on PostgreSQL (setup {setup_seconds:.1f} s, not timed)",
            flush=True,
        )
        if args.only != "threesixtygiving":
            finance = run_child(__file__, "finance", bench.url, "export.xlsx", timeout=3600)
            baseline = run_child(__file__, "baseline", bench.url, "export.xlsx", timeout=3600)
        if args.background:
            from finance_background import time_background

            background = time_background(bench.url, counts["awards"])
            print(
                f"  background path: {background['background_s']:.2f} s from asking to the file in place "
                f"(the request: {background['background_ask_ms']} ms), worker peak RSS "
                f"{background['background_worker_rss_mb']} MB, {background['background_rows']:,} rows; "
                f"web answered {background['background_web_probes']} probes meanwhile, slowest "
                f"{background['background_web_probe_max_ms']} ms",
                flush=True,
            )
        skipped = threesixtygiving_available() if args.only != "finance" else "not run (--only finance)"
        if skipped is None:
            grants_json = run_child(__file__, "threesixtygiving", bench.url, "export.json", timeout=3600)
            grants_baseline = run_child(__file__, "threesixtygiving_baseline", bench.url, "export.json", timeout=3600)

    result: dict[str, Any] = {"awards": counts["awards"], "payments": counts["payments"]}
    if args.background:
        result.update(background)
    if args.only != "threesixtygiving":
        _finance_figures(result, counts, finance, baseline)
    if skipped is None:
        result.update(
            {
                "threesixtygiving_grants": grants_json["grants"],
                "threesixtygiving_s": round(grants_json["seconds"], 2),
                "threesixtygiving_baseline_s": round(grants_baseline["seconds"], 2),
                "threesixtygiving_ratio": _ratio(grants_json["seconds"], grants_baseline["seconds"]),
                "threesixtygiving_cpu_s": round(grants_json["cpu_seconds"], 2),
                "threesixtygiving_baseline_cpu_s": round(grants_baseline["cpu_seconds"], 2),
                "threesixtygiving_rss_mb": round(grants_json["peak_rss_mb"], 1),
                "threesixtygiving_baseline_rss_mb": round(grants_baseline["peak_rss_mb"], 1),
                "threesixtygiving_jsondump_s": round(grants_baseline["jsondump_seconds"], 2),
                "threesixtygiving_jsondump_ratio": _ratio(grants_json["seconds"], grants_baseline["jsondump_seconds"]),
                "threesixtygiving_bytes": grants_json["bytes"],
            }
        )
        print(
            f"  360Giving JSON (child, one server-side cursor): {grants_json['grants']:,} grants, "
            f"{grants_json['seconds']:.2f} s ({grants_json['cpu_seconds']:.2f} s CPU), peak RSS "
            f"{grants_json['peak_rss_mb']:.1f} MB; baseline json.dumps of each dict in memory: "
            f"{grants_baseline['seconds']:.2f} s, peak RSS {grants_baseline['peak_rss_mb']:.1f} MB; "
            f"ratio {result['threesixtygiving_ratio']} (target <= {TARGET_RATIO}); beside json.dump of the "
            f"whole document ({grants_baseline['jsondump_seconds']:.2f} s): "
            f"{result['threesixtygiving_jsondump_ratio']}"
        )
    else:
        result["threesixtygiving"] = "skipped"
        print(f"  360Giving JSON: skipped: {skipped}")
    result.update({"target_ratio": TARGET_RATIO, "target_rss_mb": TARGET_RSS_MB, "quick": args.quick})
    result["database"] = "postgresql"
    print_json(result)
    return 0 if result.get("finance_rows_checked", True) and result.get("background_rows_checked", True) else 1


if __name__ == "__main__":
    sys.exit(main())
