"""`grantflow report committee`."""

from __future__ import annotations

import click


@click.command("committee")
def report_committee() -> None:
    """The committee report of a round (not built yet)."""
    raise click.ClickException("not built yet")
