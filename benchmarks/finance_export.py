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

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from support import peak_mb, postgres_url, reset_peak, status_mb, throwaway_database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PROGRAMME = "MSCF"
FROM, TO = date(2022, 4, 1), date(2023, 3, 31)
ROUNDS = 10
PAYMENTS_PER_AWARD = 3
TARGET_RATIO = 1.3
TARGET_RSS_MB = 150
GRANTS_PER_WRITE = 500  # the export's chunk: grants.open_data.queries.PAGE_SIZE
CHILDREN = ["finance", "baseline", "threesixtygiving", "threesixtygiving_baseline"]
PUBLISHER = {"prefix": "360G-wypcc", "funder_id": "GB-LAE-WYCA", "funder_name": "West Yorkshire Combined Authority"}
STREAMS = ["victims_of_crime", "community_safety", "criminal_justice", "violence_reduction_unit"]
DISTRICTS = ["bradford", "calderdale", "kirklees", "leeds", "wakefield"]
# Award states by weight: most are being paid; some finished, some declined.
AWARD_STATES = ["accepted"] * 3 + ["active"] * 5 + ["closed", "declined", "offered", "suspended"]
NAMES = ["Community", "Youth", "Safer", "Neighbourhood", "Women's", "Recovery", "Sports", "Arts", "Family", "Hope"]
KINDS = ["Trust", "Group", "Project", "CIC", "Association", "Network", "Centre", "Foundation"]


# -- setup (not timed) --------------------------------------------------------------------------
def _libpq(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _copy(conn: Any, table: str, columns: list[str], rows: Any) -> None:
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def build(db: Any, bench_url: str, awards: int, seed: int) -> dict[str, int]:
    """Vocabularies, the programme and rounds (ORM), then organisations, applications, awards, payments (COPY)."""
    import psycopg
    from sqlalchemy import select, text

    from grants.models import Programme, Round, Term
    from grants.setup.seed import seed_vocabularies

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
    with psycopg.connect(_libpq(bench_url)) as conn:
        start = conn.execute("SELECT coalesce(max(id), 0) FROM organisations").fetchone()[0] + 1

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
        first_application = conn.execute("SELECT coalesce(max(id), 0) FROM applications").fetchone()[0] + 1
        first_award = conn.execute("SELECT coalesce(max(id), 0) FROM awards").fetchone()[0] + 1
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
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    db.session.remove()
    return {"organisations": organisations, "awards": awards, "payments": len(rows)}


# -- measuring (in child processes) ---------------------------------------------------------------
def _finance_export(db: Any) -> Any:
    from grants.finance_export.queries import programme_export

    export = programme_export(db.session, PROGRAMME, FROM, TO, with_bank_details=True)
    db.session.rollback()  # the export begins its own transaction (one snapshot), as the command does
    return export


def _baseline_rows(db: Any, export: Any) -> tuple[list[list[Any]], list[list[Any]], list[list[Any]]]:
    """The export's rows, as the export shows them, all in memory: (awards, payments, summary)."""
    from grants.finance_export.queries import award_values, awards_query, lookups, payments_query, summary
    from grants.formatting import pounds_text as pounds

    labels = lookups(db.session)
    awards = []
    for row in db.session.execute(awards_query(export)):
        texts, pence, decided_on, state = award_values(row, labels, export.with_bank_details)
        awards.append([*texts, *(None if p is None else float(pounds(p)) for p in pence), decided_on, state])
    payments = [
        [
            f"{reference}-P{instalment}",
            organisation,
            due_on,
            float(pounds(amount)),
            labels.payment_states.get(state, state),
            period or "",
            "" if return_state is None else labels.return_states.get(return_state, return_state),
            paid_on,
            finance_ref or "",
        ]
        for reference, instalment, organisation, due_on, amount, state, period, return_state, paid_on, finance_ref in (
            db.session.execute(payments_query(export))
        )
    ]
    lines, _ = summary(db.session, export)
    summaries = [
        [line.grouping, line.name, line.totals.awards]
        + [float(pounds(p)) for p in (line.totals.awarded_pence, line.totals.at_decision_pence)]
        + [float(pounds(p)) for p in (line.totals.paid_pence, line.totals.outstanding_pence)]
        for line in lines
    ]
    return awards, payments, summaries


def _write_baseline(output: str, sheets: list[tuple[str, list[Any], list[list[Any]], set[int], set[int]]]) -> None:
    """Plain openpyxl write-only, the usual way: WriteOnlyCell only where a cell needs a format."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from exports.xlsx import DATE_FORMAT, MONEY_FORMAT

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, columns, rows, money_columns, date_columns in sheets:
        ws = book.create_sheet(title)
        for index, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=column.title)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for values in rows:
            row: list[Any] = []
            for index, value in enumerate(values):
                if value is not None and (index in money_columns or index in date_columns):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = MONEY_FORMAT if index in money_columns else DATE_FORMAT
                    row.append(cell)
                else:
                    row.append(value)
            ws.append(row)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    book.save(output)


def _threesixtygiving_dicts(db: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from exports.threesixtygiving import grant_object, package_metadata
    from grants.formatting import pounds as grant_pounds
    from grants.open_data.queries import iter_grants, open_publication

    publication = open_publication(db.session, PROGRAMME, **PUBLISHER)
    metadata = package_metadata(publication)
    grants = []
    for grant in iter_grants(db.session, publication):
        before, after = grant_object(grant, publication.funder)
        grants.append({**before, "amountAwarded": float(grant_pounds(grant.amount_pence)), **after})
    return metadata, grants


def _write_grants(handle: Any, metadata: dict[str, Any], grants: list[dict[str, Any]]) -> None:
    """The baseline JSON writer: json.dumps (the C encoder) of each grant with the export's options
    (the defaults), a grant per line, BATCH grants per write: the export's framing, from memory."""
    write = handle.write
    write(json.dumps(metadata)[:-1] + ', "grants": [\n')
    for start in range(0, len(grants), GRANTS_PER_WRITE):
        lines = ",\n".join([json.dumps(grant) for grant in grants[start : start + GRANTS_PER_WRITE]])
        write(lines if start == 0 else ",\n" + lines)
    write("\n]}\n")


def child(mode: str, url: str, output: str) -> int:
    """Run one measured export in this (child) process and print its figures as JSON."""
    from grants import create_app
    from grants.extensions import db

    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    figures: dict[str, Any] = {}
    with app.app_context():
        if mode == "finance":
            from grants.finance_export.spreadsheet import write_xlsx

            export = _finance_export(db)
            reset, before = reset_peak(), status_mb("VmRSS")
            t0, c0 = time.perf_counter(), time.process_time()
            written = write_xlsx(db.session, export, output)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            figures = {"awards": written.award_rows, "payments": written.payment_rows}
        elif mode == "baseline":
            from exports.finance_spreadsheet import AWARD_COLUMNS, PAYMENT_COLUMNS, SUMMARY_COLUMNS

            awards, payments, summaries = _baseline_rows(db, _finance_export(db))
            reset, before = reset_peak(), status_mb("VmRSS")
            t0, c0 = time.perf_counter(), time.process_time()
            _write_baseline(
                output,
                [
                    ("Awards", AWARD_COLUMNS, awards, {10, 11, 12, 13}, {14}),
                    ("Payments due", PAYMENT_COLUMNS, payments, {3}, {2, 7}),
                    ("Summary", SUMMARY_COLUMNS, summaries, {3, 4, 5, 6}, set()),
                ],
            )
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            figures = {"awards": len(awards), "payments": len(payments)}
        elif mode == "threesixtygiving":
            from grants.open_data.publish import write_json

            reset, before = reset_peak(), status_mb("VmRSS")
            t0, c0 = time.perf_counter(), time.process_time()
            with open(output, "w", encoding="utf-8") as handle:
                count = write_json(db.session, PROGRAMME, handle, **PUBLISHER)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            figures = {"grants": count}
        else:  # threesixtygiving_baseline
            metadata, grants = _threesixtygiving_dicts(db)
            reset, before = reset_peak(), status_mb("VmRSS")
            t0, c0 = time.perf_counter(), time.process_time()
            with open(output, "w", encoding="utf-8") as handle:
                _write_grants(handle, metadata, grants)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            figures = {"grants": len(grants), "peak_rss_mb": peak_mb()}
            # The earlier baseline, for comparison: json.dump (json's pure-Python encoder, chunk by chunk).
            t0 = time.perf_counter()
            with open(output, "w", encoding="utf-8") as handle:
                json.dump({**metadata, "grants": grants}, handle)
            figures["jsondump_seconds"] = time.perf_counter() - t0
        peak = figures.pop("peak_rss_mb", None) or peak_mb()
        db.session.remove()
        db.engine.dispose()
    figures.update(seconds=seconds, cpu_seconds=cpu, peak_rss_mb=peak, rss_before_mb=before or peak, reset=reset)
    print(json.dumps(figures))
    return 0


def run_child(mode: str, url: str, suffix: str) -> dict[str, Any]:
    """This script as a child process (its peak RSS is its own); its last line is JSON."""
    with tempfile.TemporaryDirectory(prefix="grantflow-finance-") as folder:
        output = Path(folder) / f"export.{suffix}"
        done = subprocess.run(  # noqa: S603 - this script, with arguments we made
            [sys.executable, __file__, "--child", mode, "--database-url", url, "-o", str(output)],
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the {mode} child failed:\n{done.stderr[-3000:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        figures["bytes"] = output.stat().st_size
        return figures


def threesixtygiving_available() -> str | None:
    """None if grants.open_data.publish.write_json is there; else why not."""
    try:
        from grants.open_data.publish import write_json  # noqa: F401
    except ImportError as exc:
        return f"grants.open_data.publish.write_json is not there yet ({exc})"
    return None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="10,000 awards and 30,000 payments")
    parser.add_argument("--awards", type=int, default=None, help="awards (default 100,000; 3 payments each)")
    parser.add_argument("--seed", type=int, default=20230209)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="PostgreSQL server and maintenance database (default: $BENCH_DATABASE_URL or %(default)s)",
    )
    parser.add_argument(
        "--child",
        choices=["finance", "baseline", "threesixtygiving", "threesixtygiving_baseline"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--only", choices=["finance", "threesixtygiving"], help="run only this part (default: both)")
    parser.add_argument("-o", "--output", help=argparse.SUPPRESS)
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
            "finance_rows_checked": finance["awards"] == counts["awards"] and finance["payments"] == counts["payments"],
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
    url = postgres_url(args.database_url)
    if args.child:
        return child(args.child, url, args.output)

    from flask_migrate import upgrade

    from grants import create_app
    from grants.extensions import db

    with throwaway_database(url, "grantflow_finance") as (bench_url, _name):
        app = create_app("test", SQLALCHEMY_DATABASE_URI=bench_url)
        with app.app_context():
            try:
                t0 = time.perf_counter()
                upgrade()
                db.session.remove()
                counts = build(db, bench_url, args.awards, args.seed)
                setup_seconds = time.perf_counter() - t0
            finally:
                db.session.remove()
                db.engine.dispose()
        print(
            f"finance export: {counts['awards']:,} awards, {counts['payments']:,} payments, "
            f"{counts['organisations']:,} organisations on PostgreSQL (setup {setup_seconds:.1f} s, not timed)",
            flush=True,
        )
        if args.only != "threesixtygiving":
            finance = run_child("finance", bench_url, "xlsx")
            baseline = run_child("baseline", bench_url, "xlsx")
        skipped = threesixtygiving_available() if args.only != "finance" else "not run (--only finance)"
        if skipped is None:
            grants_json = run_child("threesixtygiving", bench_url, "json")
            grants_baseline = run_child("threesixtygiving_baseline", bench_url, "json")

    result: dict[str, Any] = {"awards": counts["awards"], "payments": counts["payments"]}
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
    print(json.dumps(result))
    return 0 if result.get("finance_rows_checked", True) else 1


if __name__ == "__main__":
    sys.exit(main())
