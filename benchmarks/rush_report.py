"""The deadline rush's figures: latency by kind of request, peak rate, server CPU per request; the JSON
object (keys as docs/benchmarks.md and benchmarks/README.md name them) and the summary for people.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from rush_browser import Recorder
from rush_clients import RushRun
from rush_fixture import CAPACITY_SECTION
from rush_server import CpuMeter
from support import ms, percentile, print_json

TARGET_P95_MS = 250
# The cheap-pages targets (issue 17): server + database CPU and SQL statements per request.
TARGET_PAGE_CPU_MS, TARGET_SAVE_CPU_MS = 5.0, 8.0
TARGET_PAGE_STATEMENTS, TARGET_SAVE_STATEMENTS = 4, 6
TIMED_KINDS = ("sign_in_page", "sign_in", "start", "page", "save", "check", "submit")


@dataclass
class Outcome:
    """Everything a run measured and checked."""

    run: RushRun
    rush_cpu: CpuMeter
    capacity: dict[str, dict[str, Any]]  # "page", "save" -> capacity_figures
    lost: set[int]  # organisation ids
    lost_why: dict[str, int]
    duplicates: int  # organisations with more than one application
    worker_restarts: int
    statements: dict[str, int]  # kind of request -> SQL statements (and sign_in_cpu_ms)
    statement_kinds: dict[str, list[str]]

    @classmethod
    def of(
        cls,
        run: RushRun,
        rush_cpu: CpuMeter,
        windows: dict[str, tuple[Recorder, float, CpuMeter]],
        lost_check: tuple[set[int], int, dict[str, int]],
        worker_restarts: int,
        statements_check: tuple[dict[str, int], dict[str, list[str]]],
    ) -> Outcome:
        """A run's outcome from what rush_clients.capacity, rush_checks.count_lost and
        rush_checks.statements_per_request returned."""
        lost, duplicates, lost_why = lost_check
        statements, statement_kinds = statements_check
        return cls(
            run=run,
            rush_cpu=rush_cpu,
            capacity={kind: capacity_figures(*window) for kind, window in windows.items()},
            lost=lost,
            lost_why=lost_why,
            duplicates=duplicates,
            worker_restarts=worker_restarts,
            statements=statements,
            statement_kinds=statement_kinds,
        )


def kind_table(recorder: Recorder) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for kind in TIMED_KINDS:
        times = [s.seconds for s in recorder.samples if s.kind == kind]
        if times:
            table[kind] = {
                "n": len(times),
                "p50": ms(percentile(times, 50)),
                "p95": ms(percentile(times, 95)),
                "p99": ms(percentile(times, 99)),
                "max": ms(max(times)),
                "errors": sum(1 for s in recorder.samples if s.kind == kind and s.error),
            }
    return table


def peak_rps(recorder: Recorder, t0: float) -> int:
    """The most requests completed in any one-second interval (aligned to the start of the rush)."""
    buckets: dict[int, int] = {}
    for s in recorder.samples:
        second = int(s.started + s.seconds - t0)
        buckets[second] = buckets.get(second, 0) + 1
    return max(buckets.values(), default=0)


def per_request_ms(seconds: float, n: int) -> float:
    return round(1000 * seconds / n, 2) if n else 0.0


def capacity_figures(window: Recorder, seconds: float, meter: CpuMeter) -> dict[str, Any]:
    """One capacity window's rate, latency, and CPU per request (server, split, and the load generator's)."""
    times = [s.seconds for s in window.samples]
    n = len(times)
    cpu = meter.server
    return {
        "rps": round(n / seconds, 1),
        "p50_ms": ms(percentile(times, 50)),
        "p95_ms": ms(percentile(times, 95)),
        "cpu_ms": per_request_ms(sum(cpu.values()), n),
        "gunicorn_cpu_ms": per_request_ms(cpu["gunicorn"], n),
        "postgres_cpu_ms": per_request_ms(cpu["postgres"], n),
        "requests": n,
        "client_cpu_ms": per_request_ms(meter.own, n),
        "other_load_cores": meter.other_cores,
        "errors": sum(1 for s in window.samples if s.error),
        "error_kinds": window.error_kinds,
    }


def figures(args: argparse.Namespace, outcome: Outcome, table: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The JSON last line: docs/benchmarks.md's figures first, then the rest."""
    run, cap, statements = outcome.run, outcome.capacity, outcome.statements
    samples = run.recorder.samples
    times = [s.seconds for s in samples]
    return {
        "applicants": args.applicants,
        "requests": len(samples),
        "p50_ms": ms(percentile(times, 50)),
        "p95_ms": ms(percentile(times, 95)),
        "p99_ms": ms(percentile(times, 99)),
        "p95_sign_in_ms": table.get("sign_in", {}).get("p95", 0.0),
        "p95_save_ms": table.get("save", {}).get("p95", 0.0),
        "p95_submit_ms": table.get("submit", {}).get("p95", 0.0),
        "errors": sum(1 for s in samples if s.error),
        "lost": len(outcome.lost),
        "peak_rps": peak_rps(run.recorder, run.t0),
        "capacity_page_rps": cap["page"]["rps"],
        "capacity_page_p95_ms": cap["page"]["p95_ms"],
        "capacity_page_cpu_ms": cap["page"]["cpu_ms"],
        "capacity_save_rps": cap["save"]["rps"],
        "capacity_save_p95_ms": cap["save"]["p95_ms"],
        "capacity_save_cpu_ms": cap["save"]["cpu_ms"],
        # more figures, after the ones docs/benchmarks.md names
        "p95_page_ms": table.get("page", {}).get("p95", 0.0),
        "p95_start_ms": table.get("start", {}).get("p95", 0.0),
        "p95_check_ms": table.get("check", {}).get("p95", 0.0),
        "rush_seconds": round(run.t1 - run.t0, 1),
        "finished": len(run.finished),
        "lost_of_finished": len(outcome.lost & run.finished),
        "unfinished": run.unfinished,
        "duplicates": outcome.duplicates,
        "worker_restarts": outcome.worker_restarts,
        "rush_server_cpu_ms_per_request": per_request_ms(sum(outcome.rush_cpu.server.values()), len(samples)),
        "rush_client_cpu_ms_per_request": per_request_ms(outcome.rush_cpu.own, len(samples)),
        "capacity_page_gunicorn_cpu_ms": cap["page"]["gunicorn_cpu_ms"],
        "capacity_page_postgres_cpu_ms": cap["page"]["postgres_cpu_ms"],
        "capacity_save_gunicorn_cpu_ms": cap["save"]["gunicorn_cpu_ms"],
        "capacity_save_postgres_cpu_ms": cap["save"]["postgres_cpu_ms"],
        "capacity_errors": cap["page"]["errors"] + cap["save"]["errors"],
        "statements_sign_in": statements.get("sign_in"),
        "statements_page": statements.get("page"),
        "statements_save": statements.get("save"),
        "statements_submit": statements.get("submit"),
        "sign_in_cpu_ms": statements.get("sign_in_cpu_ms"),
        "rush_other_load_cores": outcome.rush_cpu.other_cores,
        "capacity_page_other_load_cores": cap["page"]["other_load_cores"],
        "capacity_save_other_load_cores": cap["save"]["other_load_cores"],
        "target_p95_ms": TARGET_P95_MS,
        "error_kinds": run.recorder.error_kinds,
        "password_hash": args.password_hash,
        "worker_class": args.worker_class,
        "threads": args.threads,
        "quick": args.quick,
        "target_page_cpu_ms": TARGET_PAGE_CPU_MS,
        "target_save_cpu_ms": TARGET_SAVE_CPU_MS,
        "target_page_statements": TARGET_PAGE_STATEMENTS,
        "target_save_statements": TARGET_SAVE_STATEMENTS,
        "capacity_targets_met": capacity_targets_met(cap, statements),
    }


def capacity_targets_met(cap: dict[str, dict[str, Any]], statements: dict[str, int]) -> bool:
    """Whether a section page and a save each kept within their CPU and statement targets."""
    return (
        cap["page"]["cpu_ms"] <= TARGET_PAGE_CPU_MS
        and cap["save"]["cpu_ms"] <= TARGET_SAVE_CPU_MS
        and statements.get("page", TARGET_PAGE_STATEMENTS + 1) <= TARGET_PAGE_STATEMENTS
        and statements.get("save", TARGET_SAVE_STATEMENTS + 1) <= TARGET_SAVE_STATEMENTS
    )


def print_summary(
    args: argparse.Namespace, outcome: Outcome, table: dict[str, dict[str, float]], result: dict[str, Any]
) -> None:
    """The lines for people, before the JSON."""
    run, cap, statements = outcome.run, outcome.capacity, outcome.statements
    samples = run.recorder.samples
    print(
        f"  rush: {len(samples):,} requests in {result['rush_seconds']} s, peak {result['peak_rps']} req/s; "
        f"{len(run.finished)} of {args.applicants} applicants got through without an error "
        f"({run.unfinished} cut off by the time limit; an applicant stops at its first error)"
    )
    print(f"  {'request':<13}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
    for kind, row in table.items():
        print(
            f"  {kind:<13}{row['n']:>6}{row['p50']:>9}{row['p95']:>9}{row['p99']:>9}{row['max']:>9}{row['errors']:>8}"
        )
    print(
        f"  {'all':<13}{len(samples):>6}{result['p50_ms']:>9}{result['p95_ms']:>9}{result['p99_ms']:>9}"
        f"{ms(max((s.seconds for s in samples), default=0)):>9}{result['errors']:>8}"
    )
    for what, n in sorted(run.recorder.error_kinds.items(), key=lambda item: -item[1])[:8]:
        print(f"    error: {what} x{n}")
    print(
        f"  checked in the database: {result['lost']} lost {outcome.lost_why or ''}; of the applicants whose every "
        f"request succeeded, {result['lost_of_finished']} lost; {outcome.duplicates} organisations with two "
        "applications"
    )
    print(
        f"  server CPU over the rush: {result['rush_server_cpu_ms_per_request']} ms per request "
        f"(load generator {result['rush_client_cpu_ms_per_request']} ms); worker restarts: {outcome.worker_restarts}"
    )
    others = max(outcome.rush_cpu.other_cores, cap["page"]["other_load_cores"], cap["save"]["other_load_cores"])
    if others >= 0.2:
        print(
            f"  NOTE: other processes on this machine used up to {others} cores of CPU during the run "
            "(rush_other_load_cores, capacity_*_other_load_cores): the figures are pessimistic"
        )
    for kind, label in (("page", "open a section page"), ("save", "save a section")):
        row = cap[kind]
        print(
            f"  capacity, {label} ({CAPACITY_SECTION}), {args.capacity_clients} clients, no think time: "
            f"{row['rps']} req/s, p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, server CPU {row['cpu_ms']} ms "
            f"per request (gunicorn {row['gunicorn_cpu_ms']}, PostgreSQL {row['postgres_cpu_ms']}; load generator "
            f"{row['client_cpu_ms']}), errors {row['errors']} {row['error_kinds'] or ''}"
        )
    counted = ", ".join(f"{kind} {n}" for kind, n in statements.items() if not kind.endswith("_cpu_ms"))
    print(f"  SQL statements per request (in-process, same code): {counted}")
    for kind, kinds in outcome.statement_kinds.items():
        print(f"    {kind}: " + "; ".join(kinds))
    print(
        f"  one sign-in costs {statements.get('sign_in_cpu_ms')} ms of CPU (Argon2id, {args.password_hash} "
        "parameters; in-process)"
    )
    met = result["p95_ms"] < TARGET_P95_MS and result["errors"] == 0 and result["lost"] == 0
    print(f"  {'meets' if met else 'misses'} the goal: p95 < {TARGET_P95_MS} ms, 0 errors, 0 lost")
    print(
        f"  {'meets' if result['capacity_targets_met'] else 'misses'} the cheap-pages targets: a section page "
        f"<= {TARGET_PAGE_CPU_MS:g} ms CPU and {TARGET_PAGE_STATEMENTS} statements, a save <= "
        f"{TARGET_SAVE_CPU_MS:g} ms and {TARGET_SAVE_STATEMENTS}"
    )


def report(args: argparse.Namespace, outcome: Outcome, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The run's figures (and `extra`): the summary for people, then the JSON object as the last line."""
    table = kind_table(outcome.run.recorder)
    result = figures(args, outcome, table) | (extra or {})
    print_summary(args, outcome, table, result)
    print_json(result)
    return result
