"""`grantflow users token EMAIL --role ROLE [--programme CODE] [--name NAME] [--days N]`."""

from __future__ import annotations

import click

from grants.api.tokens import DEFAULT_DAYS, MAX_DAYS, TOKEN_ROLES, TokenProblem, issue_for_email


@click.command("token")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(TOKEN_ROLES), help="the staff role the token acts in")
@click.option("--programme", "programme_code", default=None, help="only this programme, e.g. MSCF (default: all)")
@click.option("--name", default=None, help="what the token is for, shown on Admin > API tokens")
@click.option(
    "--days",
    type=click.IntRange(1, MAX_DAYS),
    default=DEFAULT_DAYS,
    show_default=True,
    help="days until it expires",
)
def users_token(email: str, role: str, programme_code: str | None, name: str | None, days: int) -> None:
    """Issue an API token for a person, in a staff role they hold; print it (last line) once."""

    try:
        issued = issue_for_email(email, role, programme_code, name, days)
    except TokenProblem as exc:
        raise click.ClickException(str(exc)) from exc
    token = issued.token
    where = token.programme.code if token.programme else "every programme where they hold the role"
    expires = f"{token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else "never"
    click.echo(f"Issued API token {token.prefix}... ({token.name!r}) for {token.user.email}")
    click.echo(f"Role: {token.role}; programme: {where}; expires: {expires}")
    click.echo("It is shown only this once: store it now. Send it as 'Authorization: Bearer <token>'.")
    click.echo(issued.secret)
