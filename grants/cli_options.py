"""The command-line options more than one `grantflow` command takes, said the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

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


def output_file(help_text: str) -> Callable[[F], F]:
    """`-o/--output FILE`: the file a command writes (its folder is checked by `folder_must_exist`)."""
    return click.option(
        "-o",
        "--output",
        required=True,
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        help=help_text,
    )


def folder_must_exist(output: Path) -> None:
    """Refuse, writing nothing, when the output file's folder is not there."""
    if not output.parent.is_dir():
        raise click.ClickException(f"The folder {str(output.parent)!r} does not exist. Nothing was written.")
