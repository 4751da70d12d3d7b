"""The command-line options more than one `grantflow` command takes, said the same way everywhere."""

from __future__ import annotations

import click

FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: print one JSON object as the last line",
)
PROGRAMME = click.option("--programme", "programme_code", required=True, help="the programme's code, e.g. MSCF")
ROUND = click.option("--round", "round_code", required=True, help="the round's code, e.g. MSCF-R3")
