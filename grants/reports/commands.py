"""`grantflow report committee` and `report moj`: the committee report of a round, and the MoJ return of a
financial year, as text, JSON or XLSX."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from grants.cli_options import FORMAT, ROUND
from grants.formatting import london_date, money
from grants.reports import moj
from grants.reports.services import UnknownRound, committee_report_for_code, report_json, write_report

if TYPE_CHECKING:
    from grants.reports.moj import MojReport
    from grants.reports.services import CommitteeReport


def _table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        right = (str(cell).rjust(width) for cell, width in zip(rest, widths[1:], strict=False))
        return "  ".join([str(first).ljust(widths[0]), *right])

    return ["", title, line(headers), "  ".join("-" * w for w in widths), *(line(row) for row in rows)]


def _count(value: int) -> str:
    return f"{value:,}"


def _text(report: CommitteeReport) -> list[str]:
    this, so_far = report.this_round, report.cumulative
    round_ = report.round
    here, there = f"Round {round_.number}", report.rounds_label
    decided = f", decision of {london_date(round_.decision_on)}" if round_.decision_on else ""
    lines = [
        f"Committee report: {round_.title} ({round_.code}{decided})",
        f"Basis: {report.basis_label}. {report.basis_explained}",
    ]
    lines += _table(
        "Summary",
        ["Figure", here, there],
        [
            ["Applications received", _count(this.applications), _count(so_far.applications)],
            ["Amount requested", money(this.requested_pence), money(so_far.requested_pence)],
            ["Projects awarded", _count(this.awarded), _count(so_far.awarded)],
            ["Amount awarded", money(this.awarded_pence), money(so_far.awarded_pence)],
            ["People impacted", _count(this.people), _count(so_far.people)],
            [
                "Projects with an area of focus",
                f"{this.breakdowns['area_of_focus'].percent_with_any}%",
                f"{so_far.breakdowns['area_of_focus'].percent_with_any}%",
            ],
            [
                "Returned or clawed back",
                money(report.figures.recoveries.total_pence),
                money(report.figures.cumulative_recoveries.total_pence),
            ],
        ],
    )
    lines += ["", f"From the decision to now: {report.reconciliation.sentence()}"]
    for scope, label in ((this, here), (so_far, there)):
        for breakdown in scope.breakdowns.values():
            rows = [
                [row.label, _count(row.projects), f"{row.percent}%", money(row.amount_pence), _count(row.people)]
                for row in breakdown.rows
            ]
            if breakdown.vocabulary != "flag":
                rows.append(["None stated", _count(breakdown.none_stated), "", "", ""])
            lines += _table(
                f"{label}: by {breakdown.title.lower()}",
                [breakdown.title, "Projects", "% of projects", "Amount", "People"],
                rows,
            )
    lines += _table(
        f"{there}: by round",
        ["Round", "Applications", "Requested", "Awarded", "Amount", "People"],
        [
            [
                line.code,
                _count(line.applications),
                money(line.requested_pence),
                _count(line.awarded),
                money(line.awarded_pence),
                _count(line.people),
            ]
            for line in report.figures.rounds
        ]
        + [
            [
                "Total",
                _count(so_far.applications),
                money(so_far.requested_pence),
                _count(so_far.awarded),
                money(so_far.awarded_pence),
                _count(so_far.people),
            ]
        ],
    )
    return lines


@click.command("committee")
@ROUND
@click.option(
    "--basis",
    type=click.Choice(["decision", "current"]),
    default="decision",
    show_default=True,
    help="decision: approved at the decision; current: live awards after declines and variations",
)
@FORMAT
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="also write the report as an XLSX file",
)
def report_committee(round_code: str, basis: str, output_format: str, output: Path | None) -> None:
    """The committee report of a round: received, awarded, by area, district, priority and theme."""

    try:
        report = committee_report_for_code(round_code, basis)
    except UnknownRound:
        raise click.ClickException(f"There is no round with the code {round_code!r}.") from None
    if output is not None:
        if not output.parent.is_dir():
            raise click.ClickException(f"The folder {str(output.parent)!r} does not exist. Nothing was written.")
        write_report(report, output)
    if output_format == "json":
        if output is not None:
            click.echo(f"Wrote the committee report for {report.round.code} to {output}.")
        click.echo(json.dumps(report_json(report), sort_keys=True))
        return
    for line in _text(report):
        click.echo(line)
    if output is not None:
        click.echo("")
        click.echo(f"Wrote the committee report for {report.round.code} to {output}.")


def _moj_text(report: MojReport) -> list[str]:
    quarters = report.quarters
    lines = [
        f"MoJ victims' services return: financial year {report.label} (1 April {report.year} to 31 March "
        f"{report.year + 1})",
        f"Counted: {_count(report.returns)} returns submitted or accepted, from {_count(report.strands)} strands.",
    ]
    lines += _table(
        "Figures returned",
        ["Figure", *(q.label for q in quarters), report.label],
        [
            [label, *(_count(q.figures[key]) for q in quarters), _count(report.totals[key])]
            for key, label in report.metrics
        ]
        + [["Returns counted", *(_count(q.returns) for q in quarters), _count(report.returns)]],
    )
    for quarter in quarters:
        if not quarter.begun:
            lines += ["", f"{quarter.title}: not begun yet."]
        elif quarter.not_returned:
            lines += ["", f"{quarter.title}: not returned by {len(quarter.not_returned)} strands:"]
            lines += [f"  {s.reference}  {s.title} ({s.provider})" for s in quarter.not_returned]
        else:
            lines += ["", f"{quarter.title}: every strand has returned."]
    return lines


@click.command("moj")
@click.option(
    "--year",
    type=int,
    required=True,
    help="the financial year, as the year it starts: 2022 for 1 April 2022 to 31 March 2023",
)
@FORMAT
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="also write the return as an XLSX file",
)
def report_moj(year: int, output_format: str, output: Path | None) -> None:
    """The MoJ victims' services return: what the strands returned, by quarter and for the year."""

    try:
        report = moj.moj_report_for_year(year)
    except moj.BadYear as exc:
        raise click.ClickException(str(exc)) from None
    except moj.NoMojProgramme:
        raise click.ClickException("There is no MoJ programme: run `grantflow setup` first.") from None
    if output is not None:
        if not output.parent.is_dir():
            raise click.ClickException(f"The folder {str(output.parent)!r} does not exist. Nothing was written.")
        moj.write_report(report, output)
    lines = [] if output_format == "json" else _moj_text(report)
    if output is not None:
        lines += ["", f"Wrote the MoJ return for {report.label} to {output}."]
    for line in lines:
        click.echo(line)
    if output_format == "json":
        click.echo(json.dumps(moj.report_json(report), sort_keys=True))
