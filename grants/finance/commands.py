"""`grantflow export finance`."""

from __future__ import annotations

import click


@click.command("finance")
def export_finance() -> None:
    """Write the finance spreadsheet (not built yet)."""
    raise click.ClickException("not built yet")
