"""A round's panel pack as a background job: above BACKGROUND_PANEL_PACK_ROWS bids it is made by a worker.

The pack depends on who asks: the bids they have a conflict of interest on are withheld (`panel_pack`).
So the job's parameters are the round, the person it is made for and the bids withheld for them when they
asked. Someone else may see the job (and fetch its file) only when they would get the same file: an
officer's role on the round's programme, and exactly the same conflicts in the round as the bids withheld
(and as the person it was made for still has). The person who asked is held to the same test when they
download it, so a conflict declared after asking keeps the file from them too (grants.jobs.services.file_for).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from exports import panel_pack as writer
from grants import access
from grants.decisions.panel_pack import bid_count, conflicted_bids, panel_pack, panel_pack_filename
from grants.decisions.services import OFFICER_ROLES
from grants.extensions import db
from grants.jobs import services as jobs
from grants.jobs.kinds import JobFailed, JobKind, Progress, register
from grants.models import Round

KIND = "panel_pack"


def is_big(round_: Round) -> bool:
    """Whether the pack lists more bids than a web request should write (BACKGROUND_PANEL_PACK_ROWS)."""
    return bid_count(round_) > int(current_app.config["BACKGROUND_PANEL_PACK_ROWS"])


def parameters_of(round_: Round, user: Any) -> dict[str, Any]:
    return {"round": round_.code, "viewer": user.id, "withheld": conflicted_bids(round_, user.id)}


def start(user: Any, round_: Round) -> jobs.Asked:
    """Ask for the pack as a job (or find the same one of this person's that is waiting)."""
    parameters = parameters_of(round_, user)
    withheld = len(parameters["withheld"])
    title = f"{round_.code} panel pack"
    if withheld:
        title += f", without the {withheld} {'bid' if withheld == 1 else 'bids'} you have a conflict of interest on"
    return jobs.ask(
        user,
        KIND,
        parameters,
        title=title,
        download_name=panel_pack_filename(round_),
        programme_id=round_.programme_id,
    )


def _round(code: Any) -> Round | None:
    return db.session.scalar(select(Round).options(joinedload(Round.programme)).where(Round.code == str(code)))


def build(parameters: dict[str, Any], target: Path, progress: Progress) -> None:
    """Write the pack as the person it is for may see it (whole, or not at all: exports.xlsx.save)."""
    round_ = _round(parameters["round"])
    if round_ is None:
        raise JobFailed(f"The round {parameters['round']} no longer exists.")
    pack, ranking = panel_pack(round_, int(parameters["viewer"]))
    progress.total = len(ranking.rows)
    db.session.rollback()  # everything is read: the writer needs no transaction
    writer.write_panel_pack(pack, target)
    progress.done = progress.total


def may_see(user: Any, parameters: dict[str, Any]) -> bool:
    """An officer on the round's programme whose file would be the same: the same bids withheld."""
    round_ = _round(parameters.get("round"))
    if round_ is None or not access.staff_roles(user, round_.programme_id) & OFFICER_ROLES:
        return False
    withheld = sorted(int(bid) for bid in parameters.get("withheld", []))
    if conflicted_bids(round_, user.id) != withheld:
        return False
    viewer = int(parameters.get("viewer", 0))
    return viewer == user.id or conflicted_bids(round_, viewer) == withheld


register(JobKind(name=KIND, build=build, may_see=may_see, noun="panel pack"))
