"""The panel pack of a round: the ranking and every assessor's scores, written by exports/panel_pack.py.

The download (`panel_pack_file`) and `grantflow export panel-pack` (`write_panel_pack`) both
rank the round here and hand the rows to the writer.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from typing import IO

from sqlalchemy import func, not_, select

from exports import panel_pack as writer
from grants import access
from grants.decisions import scores
from grants.decisions.ranking import Ranking, rank_round
from grants.decisions.services import ranked_states
from grants.extensions import db
from grants.formatting import LONDON
from grants.models import Application, Round


def panel_pack(round_: Round, viewer_id: int | None = None) -> tuple[writer.PanelPack, Ranking]:
    """What the pack shows (the ranking, and the submitted scores with comments), and the ranking itself.

    With a viewer, the bids they have a conflict of interest on are withheld, their scores left out."""
    ranking = rank_round(round_, viewer_id=viewer_id)
    sheets = scores.submitted_sheets(round_.id, tuple(sorted(ranked_states())), ranking.criteria, with_comments=True)
    for row in ranking.rows:
        if row.withheld:
            sheets.pop(row.application_id, None)
    pack = writer.PanelPack(
        ranked=ranking.rows,
        criteria=ranking.criteria,
        scores=sheets,
        by_district=ranking.by_district,
        by_area_of_focus=ranking.by_area_of_focus,
        footer=f"Panel pack {round_.code}: {round_.title}; made {datetime.now(LONDON):%d/%m/%Y %H:%M}",
    )
    return pack, ranking


def write_panel_pack(round_: Round, path: str | os.PathLike[str]) -> Ranking:
    """Write the round's panel pack to a file, whole or not at all; returns the ranking it shows."""
    pack, ranking = panel_pack(round_)
    writer.write_panel_pack(pack, path)
    return ranking


def panel_pack_filename(round_: Round) -> str:
    return f"{round_.code}-panel-pack.xlsx"


def panel_pack_file(round_: Round, viewer_id: int) -> IO[bytes]:
    """The panel pack as this viewer may see it, written to an anonymous temporary file, rewound for sending."""
    pack, _ranking = panel_pack(round_, viewer_id)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    try:
        writer.write_panel_pack(pack, handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def bid_count(round_: Round) -> int:
    """The bids the pack lists (one row each on its ranking sheet)."""
    return int(
        db.session.scalar(
            select(func.count(Application.id)).where(
                Application.round_id == round_.id, Application.state.in_(sorted(ranked_states()))
            )
        )
        or 0
    )


def conflicted_bids(round_: Round, user_id: int) -> list[int]:
    """The ids of the round's bids this person has a conflict of interest on (by membership of the
    applicant organisation or declared as an assessor): the bids their pack withholds."""
    free = access.free_of_conflict(user_id, Application.organisation_id, Application.id)
    return sorted(db.session.scalars(select(Application.id).where(Application.round_id == round_.id, not_(free))))
