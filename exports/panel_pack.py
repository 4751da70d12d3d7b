"""The panel pack: a round's ranking as an XLSX workbook for the panel meeting.

Sheets: "Ranked" (the ranking with the funding line), "Scores" (each assessor's score and
comment on each criterion, and their weighted total), "By district" and "By area of
focus" (bids above the funding line and the money recommended for them; a bid counts
under each district and area it has).

Written with openpyxl in write-only mode (rows go to disk as they are made). Numbers are
numeric cells (money in pounds with the format "£"#,##0.00, scores with two decimals),
every sheet has a frozen header row, an autofilter and set column widths. Text that comes
from people (names, titles, comments, criteria) goes through `safe_text` (`Sheet.text`): control
characters are stripped, and a string that a spreadsheet would run as a formula (starting
with = + - @ tab, CR or LF) gets a leading apostrophe; every text cell is a typed string
with the quote-prefix style, so no cell is ever a formula.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from grants.decisions import scores
from grants.decisions.ranking import Ranking, TagTotal, rank_round
from grants.decisions.services import RANKED_STATES
from grants.models import Round

MONEY_FORMAT = '"£"#,##0.00'
SCORE_FORMAT = "0.00"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Characters XML 1.0 (and so XLSX) cannot hold, and DEL: tab, LF and CR are kept.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PENNY = Decimal("0.01")
HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def safe_text(value: Any) -> str:
    """Text a spreadsheet shows as text: control characters gone, a formula start escaped with '."""
    text = CONTROL_CHARACTERS.sub("", "" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def pounds(pence: int) -> Decimal:
    return (Decimal(pence) / 100).quantize(PENNY)


@dataclass(frozen=True)
class Column:
    title: str
    width: float


class Sheet:
    """One write-only sheet: widths and frozen header set before the first row, autofilter at the end."""

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Column]):
        self.ws = workbook.create_sheet(title)
        self.columns = columns
        for index, column in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        self.ws.freeze_panes = "A2"
        self.rows = 0
        header = []
        for column in columns:
            cell = self.text(column.title)
            cell.font = HEADER_FONT
            header.append(cell)
        self.append(header)

    def append(self, cells: Sequence[Any]) -> None:
        self.ws.append(list(cells))
        self.rows += 1

    def text(self, value: Any, *, wrap: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=safe_text(value))
        cell.data_type = "s"
        cell.quotePrefix = True
        if wrap:
            cell.alignment = WRAP
        return cell

    def money(self, pence: int | None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=None if pence is None else pounds(pence))
        cell.number_format = MONEY_FORMAT
        return cell

    def score(self, value: Decimal | None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = SCORE_FORMAT
        return cell

    def number(self, value: int | None) -> WriteOnlyCell:
        return WriteOnlyCell(self.ws, value=value)

    def finish(self) -> None:
        self.ws.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{max(self.rows, 1)}"


RANKED_COLUMNS = [
    Column("Rank", 7),
    Column("Reference", 16),
    Column("Organisation", 36),
    Column("Project", 36),
    Column("Districts", 22),
    Column("Areas of focus", 32),
    Column("Requested (£)", 14),
    Column("Recommended (£)", 16),
    Column("Cumulative recommended (£)", 18),
    Column("Mean of assessors' totals", 14),
    Column("Moderated score", 12),
    Column("Above the funding line", 12),
    Column("State", 22),
    Column("Reason for a lower amount", 36),
]


def _ranked(workbook: Workbook, ranking: Ranking) -> None:
    sheet = Sheet(workbook, "Ranked", RANKED_COLUMNS)
    for row in ranking.rows:
        sheet.append(
            [
                sheet.number(row.rank),
                sheet.text(row.reference),
                sheet.text(row.organisation),
                sheet.text(row.project_title),
                sheet.text("; ".join(row.districts)),
                sheet.text("; ".join(row.areas_of_focus)),
                sheet.money(row.requested_pence),
                sheet.money(row.recommended_pence),
                sheet.money(row.cumulative_pence),
                sheet.score(row.mean_total),
                sheet.score(row.moderated_score),
                sheet.text("Yes" if row.above_line else "No"),
                sheet.text(row.state_label),
                sheet.text(row.amount_reason or ""),
            ]
        )
    sheet.finish()


def _scores(workbook: Workbook, ranking: Ranking) -> None:
    criteria = ranking.criteria
    columns = [Column("Reference", 16), Column("Assessor", 24)]
    for criterion in criteria:
        columns += [Column(f"{criterion.name}: score", 12), Column(f"{criterion.name}: comment", 40)]
    columns.append(Column("Weighted total", 12))
    sheet = Sheet(workbook, "Scores", columns)
    sheets = scores.submitted_sheets(ranking.round.id, RANKED_STATES, criteria, with_comments=True)
    for row in sorted(ranking.rows, key=lambda r: (r.reference, r.application_id)):
        for assessor in sheets.get(row.application_id, []):
            cells = [sheet.text(row.reference), sheet.text(assessor.assessor)]
            for criterion in criteria:
                cells.append(sheet.number(assessor.scores.get(criterion.id)))
                cells.append(sheet.text(assessor.comments.get(criterion.id, ""), wrap=True))
            cells.append(sheet.score(assessor.total))
            sheet.append(cells)
    sheet.finish()


def _summary(workbook: Workbook, title: str, heading: str, totals: Sequence[TagTotal]) -> None:
    sheet = Sheet(
        workbook,
        title,
        [Column(heading, 40), Column("Bids above the funding line", 16), Column("Recommended above the line (£)", 22)],
    )
    for total in totals:
        sheet.append([sheet.text(total.label), sheet.number(total.bids), sheet.money(total.recommended_pence)])
    sheet.finish()


def build_workbook(round_: Round) -> tuple[Workbook, Ranking]:
    ranking = rank_round(round_)
    workbook = Workbook(write_only=True)
    _ranked(workbook, ranking)
    _scores(workbook, ranking)
    _summary(workbook, "By district", "District", ranking.by_district)
    _summary(workbook, "By area of focus", "Area of focus", ranking.by_area_of_focus)
    return workbook, ranking


def write_panel_pack(round_: Round, target: str | os.PathLike[str] | IO[bytes]) -> Ranking:
    """Write the round's panel pack to a path or a binary stream; returns the ranking it shows.

    A path is written to a temporary file beside it and then renamed into place, so a
    failure never leaves a half-written pack.
    """
    workbook, ranking = build_workbook(round_)
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
        os.close(handle)
        try:
            workbook.save(temporary)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    else:
        workbook.save(target)
    return ranking
