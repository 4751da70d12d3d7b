"""`grantflow export 360giving`."""

from __future__ import annotations

import click


@click.command("360giving")
def export_360giving() -> None:
    """Publish awarded grants as 360Giving data (not built yet)."""
    raise click.ClickException("not built yet")
