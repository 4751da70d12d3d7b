"""`grantflow export finance`: the finance spreadsheet (XLSX) or its Awards sheet (CSV), to a file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from grants.cli_options import PROGRAMME
from grants.extensions import db
from grants.finance_export.queries import FinanceExportError, programme_export
from grants.finance_export.spreadsheet import write_csv, write_xlsx
from grants.formatting import money

FORMATS = ("xlsx", "csv")


def _day(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.ClickException(
            f"{option} must be a date written year-month-day, like 2022-04-01; got {text!r}. Nothing was written."
        ) from None


def _format(output: Path, chosen: str | None) -> str:
    suffix = output.suffix.lower().lstrip(".")
    if chosen is None:
        if suffix not in FORMATS:
            raise click.ClickException(
                f"Name the file .xlsx or .csv, or say --format xlsx or --format csv (got {output.name!r}). "
                "Nothing was written."
            )
        return suffix
    if suffix in FORMATS and suffix != chosen:
        raise click.ClickException(f"The file name ends in .{suffix} but --format is {chosen}. Nothing was written.")
    return chosen


@click.command("finance")
@PROGRAMME
@click.option("--from", "starts_on", required=True, metavar="YYYY-MM-DD", help="first day of the period")
@click.option("--to", "ends_on", required=True, metavar="YYYY-MM-DD", help="last day of the period (included)")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="the file to write (.xlsx, or .csv for the Awards sheet alone)",
)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default=None, help="default: from the file name")
@click.option(
    "--with-bank-details",
    is_flag=True,
    help="show sort codes and account numbers in full (for finance); masked otherwise",
)
def export_finance(
    programme_code: str, starts_on: str, ends_on: str, output: Path, output_format: str | None, with_bank_details: bool
) -> None:
    """Write a programme's finance spreadsheet for a period.

    Sheets: Awards (every award decided on a date from --from to --to, UK time, whatever
    its state; declined and cancelled ones as not going ahead), Payments due (instalments still
    to pay due in the period), Returned (underspends and clawbacks), Summary (totals by budget
    stream and district) and About. A period with nothing in it writes nothing. Example:

      flask --app wsgi grantflow export finance --programme MSCF --from 2022-04-01 --to 2023-03-31 -o awards.xlsx
    """

    first, last = _day("--from", starts_on), _day("--to", ends_on)
    kind = _format(output, output_format)
    if not output.parent.is_dir():
        raise click.ClickException(f"The folder {str(output.parent)!r} does not exist. Nothing was written.")
    if output.is_dir():
        raise click.ClickException(f"{str(output)!r} is a folder. Nothing was written.")
    try:
        export = programme_export(db.session, programme_code, first, last, with_bank_details=with_bank_details)
    except FinanceExportError as exc:
        raise click.ClickException(f"{exc} Nothing was written.") from exc
    db.session.rollback()  # so the export reads in a transaction (one snapshot) of its own
    try:
        written = write_xlsx(db.session, export, output) if kind == "xlsx" else write_csv(db.session, export, output)
    except FinanceExportError as exc:
        raise click.ClickException(f"{exc} Nothing was written.") from exc
    except OSError as exc:
        raise click.ClickException(
            f"Could not write {str(output)!r}: {exc.strerror or exc}. Nothing was written."
        ) from exc
    finally:
        db.session.rollback()  # a read-only snapshot: nothing to keep
    totals = written.totals
    click.echo(
        f"Wrote the finance {'spreadsheet' if kind == 'xlsx' else 'CSV (Awards)'} for {export.programme_code}, "
        f"{export.period_label}, to {output}: {totals.awards:,} awards, {money(totals.awarded_pence)} awarded "
        f"({totals.fallen_away:,} not going ahead, {money(totals.fallen_away_pence)}), "
        f"{money(totals.paid_pence)} paid ({money(totals.returned_pence)} returned, "
        f"{money(totals.paid_net_pence)} net), {money(totals.outstanding_pence)} outstanding."
    )
    if kind == "xlsx":
        click.echo(f"Payments due in the period: {written.payment_rows:,}, {money(written.payments_due_pence)}.")
    if with_bank_details:
        click.echo("Bank details: in full.")
    else:
        click.echo("Bank details: masked (--with-bank-details shows them, for finance).")
