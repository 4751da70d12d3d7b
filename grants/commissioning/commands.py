"""`grantflow report commissioning --programme CODE [--year YYYY]`: a commissioning programme's money,
providers and strands (and, for interventions, the share rated high impact), as text or JSON."""

from __future__ import annotations

import json

import click

from grants.cli_options import FORMAT, PROGRAMME
from grants.commissioning import figures as commissioning_figures
from grants.formatting import money


def _text(found: commissioning_figures.ProgrammeFigures) -> list[str]:
    f = found.whole
    assert f is not None
    lines = [f"{found.programme.name} ({found.programme.code}), {f.label}"]
    if f.budget is not None:
        lines.append(f"Budget: {money(f.budget)}")
    if f.earmarked is not None:
        lines.append(f"Earmarked (the budget of its budget stream): {money(f.earmarked)}")
    lines += [
        f"Committed (allocated): {money(f.committed)}",
        f"Paid: {money(f.paid)}",
        f"Remaining to pay: {money(f.remaining)}",
        f"Providers: {f.providers} ({f.vcse_providers} VCSE, {f.public_providers} public bodies)",
        f"Strands or interventions: {f.strands}",
        f"VCSE: {money(f.vcse_money)}; public bodies: {money(f.public_money)}",
    ]
    if found.interventions:
        lines.append(
            f"Rated high impact (YEF toolkit): {f.high_impact} of {f.interventions} "
            f"({f.high_impact_share_by_count}% by count, {f.high_impact_share_by_money}% by money)"
        )
    return lines


@click.command("commissioning")
@PROGRAMME
@click.option("--year", type=int, default=None, help="one financial year, as the year it starts: 2023 for 2023/24")
@FORMAT
def report_commissioning(programme_code: str, year: int | None, output_format: str) -> None:
    """A commissioning programme's figures: budget, committed, paid; providers and strands; YEF ratings."""
    programme = commissioning_figures.find_programme(programme_code.strip().upper())
    if programme is None or programme.kind not in ("commissioning", "sub_grant"):
        raise click.ClickException(f"There is no commissioning programme {programme_code!r}.")
    if year is not None and not 2000 <= year <= 2100:
        raise click.ClickException(f"{year} is not a financial year: give the year it starts, like 2023.")
    found = commissioning_figures.programme_figures(programme, year)
    if output_format == "json":
        click.echo(json.dumps(commissioning_figures.report_json(found), sort_keys=True))
        return
    for line in _text(found):
        click.echo(line)
