"""`flask --app wsgi grantflow ...` commands."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from grants import backup, retention, subject_access
from grants.api.commands import users_token
from grants.apply.question_set_admin import load_question_set, use_for_round
from grants.apply.questions import QuestionSetError
from grants.auth import two_factor
from grants.auth.services import find_user
from grants.awards.reminders import send_offer_reminders
from grants.cli_options import FORMAT, ROUND, folder_must_exist, output_file
from grants.commissioning.commands import report_commissioning
from grants.commissioning.reminders import run_pass as commissioning_pass
from grants.decisions.panel_pack import write_panel_pack
from grants.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo
from grants.extensions import db
from grants.finance_export.commands import export_finance
from grants.formatting import london_today
from grants.jobs.worker import run_worker
from grants.mail import send_pending
from grants.models import Round
from grants.monitoring.reminders import run_pass
from grants.open_data.commands import export_360giving
from grants.reports.commands import report_committee, report_moj
from grants.scheduling import NotLeader, build_scheduler, leader_lock
from grants.setup.seed import seed
from grants.users import UserError, create_account
from grants.workflow import check_definitions, engine, fire_due_transitions
from workflows.diagram import diagram

grantflow = AppGroup("grantflow", help="grantflow operations")
users = AppGroup("users", help="Accounts")
workflows_group = AppGroup("workflows", help="Workflow definitions")
reminders = AppGroup("reminders", help="Scheduled reminders")
outbox = AppGroup("outbox", help="Emails waiting to be sent")
grantflow.add_command(users)
grantflow.add_command(workflows_group)
grantflow.add_command(reminders)
grantflow.add_command(outbox)


def _emit(output_format: str, payload: dict, lines: list[str]) -> None:
    for line in lines:
        click.echo(line)
    if output_format == "json":
        click.echo(json.dumps(payload, sort_keys=True))


@grantflow.command("setup")
@FORMAT
def setup_command(output_format: str) -> None:
    """Insert the reference data that is missing (programmes, their agreement terms, vocabularies); idempotent."""

    seeded = seed()
    db.session.commit()
    counts = seeded.counts()
    lines = [
        f"Reference data: {counts['programmes_created']} programmes and {counts['terms_created']} vocabulary terms "
        f"added; {counts['programmes']} programmes and {counts['terms']} terms in all."
    ]
    if seeded.agreement_terms:
        lines.append(f"Standard grant agreement terms added for {', '.join(seeded.agreement_terms)}.")
    if seeded.monitoring_plans:
        lines.append(f"Monitoring plans (version 1) added for {', '.join(seeded.monitoring_plans)}.")
    _emit(output_format, counts, lines)


@grantflow.command("demo")
def demo_command() -> None:
    """Load the reference data and demo data (idempotent) and print the demo accounts."""

    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("demo data and demo accounts are refused in production")
    accounts = load_demo()
    click.echo(f"Demo data loaded. Demo accounts (password: {DEMO_PASSWORD}):")
    for email, role in accounts:
        click.echo(f"  {role:<15} {email}")
    click.echo(
        f"Staff accounts sign in with a code too: add the key {DEMO_TOTP_SECRET} to an authenticator app,\n"
        "or print the current code with: flask --app wsgi grantflow users totp EMAIL"
    )


@users.command("totp")
@click.argument("email")
def users_totp(email: str) -> None:
    """Print the current two-factor sign-in code of a demo account (refused in production)."""

    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("printing sign-in codes is for the demo only: refused in production")
    user = find_user(email)
    if user is None or user.totp_secret != DEMO_TOTP_SECRET:
        raise click.ClickException(f"{email} is not a demo account with two-factor sign-in")
    click.echo(two_factor.current_code(user.totp_secret))


@users.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, help="staff role on every programme (repeatable)")
@click.password_option()
def users_create(email: str, name: str, roles: tuple[str, ...], password: str) -> None:
    """Create an account, optionally with staff roles on every programme."""

    try:
        create_account(email, name, password, roles)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {email}")


@workflows_group.command("check")
@click.option("--folder", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None)
@FORMAT
def workflows_check(folder: Path | None, output_format: str) -> None:
    """Validate every workflow definition; exit 1 naming each problem."""

    folder = folder or Path(current_app.config["WORKFLOW_DEFINITIONS_DIR"])
    definitions, problems = check_definitions(folder)
    lines = [f"{'ok ' if not problems else '   '} {d.name} v{d.version} ({d.source})" for d in definitions]
    lines += [f"problem: {p}" for p in problems]
    payload = {
        "ok": not problems,
        "definitions": [{"name": d.name, "version": d.version, "file": d.source} for d in definitions],
        "problems": problems,
    }
    _emit(output_format, payload, lines)
    if problems:
        sys.exit(1)


@workflows_group.command("diagram")
@click.argument("name")
@click.option("--version", type=int, default=None)
def workflows_diagram(name: str, version: int | None) -> None:
    """Print a workflow's Mermaid diagram."""

    registry = engine().registry
    try:
        definition = registry.get(name, version) if version else registry.latest(name)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(diagram(definition), nl=False)


question_sets = AppGroup("question-sets", help="Application forms")
grantflow.add_command(question_sets)


@question_sets.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--round", "round_code", default=None, help="give the form to this round, e.g. MSCF-R4")
def question_sets_load(path: Path, round_code: str | None) -> None:
    """Load a question set (TOML) as a new form version, optionally for a round."""

    try:
        question_set = load_question_set(path.read_text(encoding="utf-8"), path.name)
        click.echo(f"Loaded {question_set.name} version {question_set.version}")
        if round_code:
            use_for_round(round_code, question_set)
            click.echo(f"{round_code} now uses it")
    except QuestionSetError as exc:
        raise click.ClickException(str(exc)) from exc


@grantflow.command("scheduler")
def scheduler_command() -> None:
    """Run the job scheduler in this process (run exactly one)."""

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        with leader_lock(app):
            click.echo("scheduler: leader lock held; running jobs (Ctrl+C to stop)")
            build_scheduler(app).start()
    except NotLeader as exc:
        raise click.ClickException(str(exc)) from exc


@grantflow.command("worker")
@click.option(
    "--threads", type=click.IntRange(1, 32), default=None, help="jobs at once (default JOB_WORKER_THREADS, 1)"
)
def worker_command(threads: int | None) -> None:
    """Make background jobs' files (big finance spreadsheets) from the job queue; run one or more."""

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"worker: taking jobs from {app.config['JOB_QUEUE_URL'].split('://')[0]} (Ctrl+C to stop)")
    run_worker(app, threads)


@reminders.command("run")
@click.option(
    "--today",
    "today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="run the pass as of this day (YYYY-MM-DD; default: today in London)",
)
@FORMAT
def reminders_run(today: datetime | None, output_format: str) -> None:
    """One reminder pass: apply due timed transitions (rounds opening/closing, returns opening and
    going overdue), queue the return reminders due today and the offer reminders, then try to send
    the outbox. Idempotent: a second pass the same day queues nothing."""

    zone = ZoneInfo(current_app.config["TIMEZONE"])
    if today is None:
        day = datetime.now(zone).date()
        now = None
    else:
        day = today.date()
        # Noon in London on that day: every timer of the day before has fallen due, none of the day after.
        now = datetime.combine(day, time(12), tzinfo=zone).astimezone(UTC)
    fired = fire_due_transitions(now)
    passed = run_pass(day, now)
    offer_reminders = send_offer_reminders(now)
    commissioning_made, commissioning_queued = commissioning_pass(day)
    sent = send_pending(current_app.config)
    lines = [f"{kind}: {count} moved" for kind, count in sorted(fired.items())] or ["nothing due"]
    lines.append(f"return reminders: {passed.reminders} due today, {passed.queued} emails queued")
    lines.append(f"offer reminders: {offer_reminders} queued")
    lines.append(f"commissioning reminders: {commissioning_made} due, {commissioning_queued} emails queued")
    lines.append(f"outbox: {sent['sent']} sent, {sent['failed']} failed")
    _emit(
        output_format,
        {
            "fired": fired,
            "total": sum(fired.values()),
            "offer_reminders": offer_reminders,
            "commissioning_reminders": commissioning_made,
            "commissioning_queued": commissioning_queued,
            "today": day.isoformat(),
            "reminders": passed.reminders,
            "queued": passed.queued,
            "sent": sent["sent"],
            "failed": sent["failed"],
        },
        lines,
    )


@outbox.command("send")
@FORMAT
def outbox_send(output_format: str) -> None:
    """Deliver pending emails over SMTP (needs MAIL_SERVER)."""

    if not current_app.config.get("MAIL_SERVER"):
        raise click.ClickException("MAIL_SERVER is not set; emails stay in the outbox (see Admin > Emails)")
    counts = send_pending(current_app.config)
    _emit(output_format, counts, [f"{k}: {v}" for k, v in counts.items()])


export = AppGroup("export", help="Spreadsheets and files for people outside grantflow")
grantflow.add_command(export)


@export.command("panel-pack")
@ROUND
@output_file("the XLSX file to write")
def export_panel_pack(round_code: str, output: Path) -> None:
    """Write a round's panel pack (ranked bids, scores, money by district and area) as XLSX."""

    round_ = db.session.scalar(select(Round).where(Round.code == round_code))
    if round_ is None:
        raise click.ClickException(f"There is no round with the code {round_code!r}. Nothing was written.")
    folder_must_exist(output)
    ranking = write_panel_pack(round_, output)
    click.echo(
        f"Wrote the panel pack for {round_.code} to {output}: {len(ranking.rows)} bids ranked, "
        f"{len(ranking.above_line)} above the funding line."
    )


@grantflow.command("backup")
@output_file("the backup file to write (a zip)")
@FORMAT
def backup_command(output: Path, output_format: str) -> None:
    """Back up the whole database and the uploaded files to one file (SQLite or PostgreSQL alike)."""
    folder_must_exist(output)
    partial = output.with_name(f".{output.name}.partial")
    try:
        with partial.open("wb") as target:
            summary = backup.write_backup(target, current_app.config["UPLOAD_FOLDER"])
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    _emit(
        output_format,
        {"output": str(output), "rows": summary.rows, "tables": summary.tables, "files": summary.files,
         "revision": summary.revision},
        [f"Backed up {summary.rows:,} rows in {len(summary.tables)} tables and {summary.files} uploaded "
         f"files (schema {summary.revision}) to {output}."],
    )  # fmt: skip


@grantflow.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@FORMAT
def restore_command(path: Path, output_format: str) -> None:
    """Restore a backup into this new, migrated, empty database (`db upgrade` first); refused otherwise."""
    try:
        summary = backup.restore_backup(path, current_app.config["UPLOAD_FOLDER"])
    except backup.BackupRefused as exc:
        raise click.ClickException(f"{exc}. Nothing was restored.") from None
    _emit(
        output_format,
        {"restored": str(path), "rows": summary.rows, "tables": summary.tables, "files": summary.files,
         "revision": summary.revision},
        [f"Restored {summary.rows:,} rows in {len(summary.tables)} tables and {summary.files} uploaded files "
         f"from {path}."],
    )  # fmt: skip


@users.command("subject-access")
@click.argument("email")
@output_file("the zip to write")
@FORMAT
def users_subject_access(email: str, output: Path, output_format: str) -> None:
    """Everything held about one person (a subject access request), as a zip of JSON and their files."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"There is no account with the email address {email!r}. Nothing was written.")
    folder_must_exist(output)
    with output.open("wb") as target:
        made = subject_access.write_export(user, target, current_app.config["UPLOAD_FOLDER"])
    _emit(
        output_format,
        {"output": str(output), "rows": made.rows, "tables": made.tables, "files": made.files},
        [f"Wrote {made.rows} records from {len(made.tables)} tables and {made.files} files about {user.email} "
         f"to {output}."],
    )  # fmt: skip


retention_group = AppGroup("retention", help="The retention schedule for personal data")
grantflow.add_command(retention_group)
TODAY = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="the day to run as (YYYY-MM-DD; default: today in London)",
)


def _day_to_run(today: datetime | None) -> date:
    """The day given with --today, else today in London."""
    return today.date() if today else london_today()


def _retention_payload(found: list[retention.Due]) -> dict:
    return {
        "applications": sum(1 for item in found if item.rule == retention.NOT_FUNDED),
        "awards": sum(1 for item in found if item.rule == retention.AWARDED),
        "files": sum(item.documents for item in found),
        "references": [item.reference for item in found],
        "due": [
            {
                "reference": item.reference,
                "rule": item.rule,
                "round_or_programme": item.round_or_programme,
                "closed": item.closed.isoformat(),
                "files": item.documents,
            }
            for item in found
        ],
    }


def _retention_lines(summary: str, found: list[retention.Due]) -> list[str]:
    """The summary, then one line per application or award: which rule, and since when."""
    each = [f"  {item.reference} ({item.rule}: {item.round_or_programme}, closed {item.closed:%d %B %Y}): "
            f"{item.documents} files" for item in found]  # fmt: skip
    return [summary + (":" if found else "."), *each]


@retention_group.command("report")
@TODAY
@FORMAT
def retention_report(today: datetime | None, output_format: str) -> None:
    """A dry run: the applications and awards whose personal data a pass would remove now, and their files."""
    found = retention.due(_day_to_run(today))
    payload = _retention_payload(found)
    summary = (
        f"{payload['applications']} applications not funded, two years after their round closed, and "
        f"{payload['awards']} awarded grants, seven years after they ended, would have their personal data "
        f"and {payload['files']} files removed"
    )
    _emit(output_format, payload, _retention_lines(summary, found))


@retention_group.command("apply")
@TODAY
@FORMAT
def retention_apply(today: datetime | None, output_format: str) -> None:
    """Remove the personal data of applications and awards past their time (the scheduler does this daily)."""
    done = retention.apply(_day_to_run(today), current_app.config["UPLOAD_FOLDER"])
    payload = _retention_payload(done)
    summary = (
        f"Removed the personal data and {payload['files']} files of {payload['applications']} applications "
        f"not funded and {payload['awards']} awarded grants"
    )
    _emit(output_format, payload, _retention_lines(summary, done))


report = AppGroup("report", help="Reports to the Police and Crime Panel")
grantflow.add_command(report)


def _add_area_commands() -> None:
    """Each area keeps its own commands beside its services."""

    export.add_command(export_finance)
    export.add_command(export_360giving)
    report.add_command(report_committee)
    report.add_command(report_moj)
    report.add_command(report_commissioning)
    users.add_command(users_token)


_add_area_commands()


def register_cli(app: Flask) -> None:
    app.cli.add_command(grantflow)
