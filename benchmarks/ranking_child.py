"""What ranking.py's measuring child runs: the panel pack, or the plain-openpyxl baseline of the same rows.

The child (`ranking.py --child pack|baseline --round CODE -o FILE`) writes one file and prints its figures
as JSON: seconds, CPU seconds, resident memory before and the peak during the write (support_child.measured).
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from support import print_json
from support_child import measured
from support_db import app_on

from grants.decisions import scores
from grants.decisions.panel_pack import write_panel_pack
from grants.decisions.ranking import rank_round
from grants.decisions.services import ranked_states
from grants.extensions import db
from grants.models import Round

MODES = ["pack", "baseline"]


def load_round(code: str) -> Round:
    found = db.session.scalar(select(Round).where(Round.code == code))
    assert found is not None, code
    return found


def child(mode: str, url: str, code: str, output: str) -> int:
    """Write the panel pack (mode 'pack') or the raw openpyxl baseline (mode 'baseline'); print JSON."""
    with app_on(url):
        round_ = load_round(code)
        if mode == "pack":
            with measured() as figures:
                ranking = write_panel_pack(round_, output)
        else:
            ranking = rank_round(round_)
            sheets = baseline_sheets(round_, ranking)
            with measured() as figures:
                write_baseline(output, sheets)
        figures["rows"] = len(ranking.rows)
    print_json(figures)
    return 0


def baseline_sheets(round_: Round, ranking: Any) -> list[tuple[str, list[list[Any]]]]:
    """The pack's rows, values only, as lists in memory: (sheet title, rows) for each sheet."""
    sheets = scores.submitted_sheets(round_.id, ranked_states(), ranking.criteria, with_comments=True)
    ranked = [
        [r.rank, r.reference, r.organisation, r.project_title, "; ".join(r.districts)]
        + ["; ".join(r.areas_of_focus), r.requested_pence / 100, r.recommended_pence / 100]
        + [r.cumulative_pence / 100, r.mean_total, r.moderated_score, "Yes" if r.above_line else "No"]
        + [r.state_label, r.amount_reason or ""]
        for r in ranking.rows
    ]
    scored = []
    for r in ranking.rows:
        for sheet in sheets.get(r.application_id, []):
            row: list[Any] = [r.reference, sheet.assessor]
            for c in ranking.criteria:
                row += [sheet.scores.get(c.id), sheet.comments.get(c.id, "")]
            scored.append([*row, sheet.total])
    summaries = [[t.label, t.bids, t.recommended_pence / 100] for t in ranking.by_district]
    summaries2 = [[t.label, t.bids, t.recommended_pence / 100] for t in ranking.by_area_of_focus]
    return [("Ranked", ranked), ("Scores", scored), ("By district", summaries), ("By area of focus", summaries2)]


def write_baseline(output: str, sheets: list[tuple[str, list[list[Any]]]]) -> None:
    """Plain openpyxl write-only: a header of column names, then the values."""
    book = Workbook(write_only=True)
    for title, data in sheets:
        sheet_ = book.create_sheet(title)
        sheet_.append([f"Column {i}" for i in range(len(data[0]) if data else 1)])
        for values in data:
            sheet_.append(values)
    book.save(output)
