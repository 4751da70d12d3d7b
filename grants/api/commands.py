"""`grantflow users token EMAIL`."""

from __future__ import annotations

import click


@click.command("token")
def users_token() -> None:
    """Issue an API token (not built yet)."""
    raise click.ClickException("not built yet")
