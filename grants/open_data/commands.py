"""`grantflow export 360giving`: a programme's awarded grants as 360Giving open data."""

from __future__ import annotations

from pathlib import Path

import click

from grants.cli_options import PROGRAMME
from grants.open_data import services


@click.command("360giving")
@PROGRAMME
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="the file to write: .json (a 360Giving data package) or .xlsx (the 360Giving spreadsheet)",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "xlsx"]),
    default=None,
    help="json or xlsx; by default taken from the file's extension",
)
def export_360giving(programme_code: str, output: Path, output_format: str | None) -> None:
    """Publish a programme's awarded grants (not declined or cancelled) in the 360Giving Data Standard."""

    try:
        chosen = services.output_format_for(output, output_format)
        written = services.export_to_file(programme_code, output, chosen)
    except services.NotPublished as exc:
        raise click.ClickException(f"{exc} Nothing was written.") from exc
    click.echo(
        f"Wrote {services.describe(written)} from {programme_code} to {written.path} "
        f"as 360Giving {written.output_format.upper()}."
    )
