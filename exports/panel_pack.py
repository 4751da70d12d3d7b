"""The panel pack: a round's ranking as an XLSX workbook for the panel meeting.

Sheets: "Ranked" (the ranking with the funding line), "Scores" (each assessor's score and
comment on each criterion, and their weighted total), "By district" and "By area of
focus" (bids above the funding line and the money recommended for them; a bid counts
under each district and area it has).

A writer: it takes the rows grants.decisions computes (`PanelPack`, its parts typed by the
Protocols below) and lays them out with exports/xlsx.py: money in pounds with the format
"£"#,##0.00, scores with two decimals, and every text cell from people (names, titles,
comments, criteria) a typed string that can never be a formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from openpyxl import Workbook

from exports.xlsx import Column, Sheet, Target, save


class RankedBid(Protocol):
    """One bid of the ranking, in rank order."""

    @property
    def rank(self) -> int: ...
    @property
    def application_id(self) -> int: ...
    @property
    def reference(self) -> str: ...
    @property
    def organisation(self) -> str: ...
    @property
    def project_title(self) -> str: ...
    @property
    def districts(self) -> Sequence[str]: ...
    @property
    def areas_of_focus(self) -> Sequence[str]: ...
    @property
    def requested_pence(self) -> int: ...
    @property
    def recommended_pence(self) -> int: ...
    @property
    def cumulative_pence(self) -> int: ...
    @property
    def mean_total(self) -> Decimal | None: ...
    @property
    def moderated_score(self) -> Decimal | None: ...
    @property
    def above_line(self) -> bool: ...
    @property
    def state_label(self) -> str: ...
    @property
    def amount_reason(self) -> str | None: ...
    @property
    def moderation_reason(self) -> str | None: ...
    @property
    def takes_money(self) -> bool: ...


class Criterion(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...


class AssessorScores(Protocol):
    """One assessor's scores and comments on one bid, by criterion id, and their weighted total."""

    @property
    def assessor(self) -> str: ...
    @property
    def scores(self) -> Mapping[int, int]: ...
    @property
    def comments(self) -> Mapping[int, str]: ...
    @property
    def total(self) -> Decimal: ...


class MoneyByTag(Protocol):
    """Bids above the funding line under one district or area of focus, and the money recommended."""

    @property
    def label(self) -> str: ...
    @property
    def bids(self) -> int: ...
    @property
    def recommended_pence(self) -> int: ...


@dataclass(frozen=True)
class PanelPack:
    """What the pack shows: the ranked bids, the criteria, each bid's assessors (by application id), the totals."""

    ranked: Sequence[RankedBid]
    criteria: Sequence[Criterion]
    scores: Mapping[int, Sequence[AssessorScores]]
    by_district: Sequence[MoneyByTag]
    by_area_of_focus: Sequence[MoneyByTag]
    footer: str = ""  # on every printed page: the round, and when the pack was made


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
    Column("Moderation reason", 30),
    Column("Above the funding line", 12),
    Column("State", 22),
    Column("Reason for a lower amount", 36),
]
LEGEND = [
    ("Recommended (£)", "The amount the panel recommends for a bid recommended or in reserve. Blank: the bid is not "
     "recommended (or withdrawn), so it takes no money and the cumulative column does not count it."),
    ("Cumulative recommended (£)", "The running total of the recommended amounts, in rank order: the funding line "
     "falls where it passes the round's budget."),
    ("Moderated score", "The score the panel agreed after moderation, with its reason. Blank: the bid was not "
     "moderated, and the mean of the assessors' weighted totals ranks it."),
    ("Total", "The last row of the Ranked sheet adds up the money columns with SUM formulas."),
]  # fmt: skip


def _ranked(workbook: Workbook, ranked: Sequence[RankedBid], footer: str) -> None:
    sheet = Sheet(workbook, "Ranked", RANKED_COLUMNS, footer)
    for row in ranked:
        money_taken = row.takes_money
        sheet.append(
            [
                sheet.number(row.rank),
                sheet.text(row.reference),
                sheet.text(row.organisation),
                sheet.text(row.project_title),
                sheet.text("; ".join(row.districts)),
                sheet.text("; ".join(row.areas_of_focus)),
                sheet.money(row.requested_pence),
                sheet.money(row.recommended_pence if money_taken else None),
                sheet.money(row.cumulative_pence if money_taken else None),
                sheet.decimal(row.mean_total),
                sheet.decimal(row.moderated_score),
                sheet.text(row.moderation_reason or "", wrap=True),
                sheet.text("Yes" if row.above_line else "No"),
                sheet.text(row.state_label),
                sheet.text(row.amount_reason or "", wrap=True),
            ]
        )
    sheet.total_row(len(ranked), [7, 8])
    sheet.finish()


def _legend(workbook: Workbook, footer: str) -> None:
    sheet = Sheet(workbook, "Notes", [Column("Column", 28), Column("What it means", 100)], footer)
    for name, meaning in LEGEND:
        sheet.append([sheet.text(name), sheet.text(meaning, wrap=True)])
    sheet.finish()


def _scores(workbook: Workbook, pack: PanelPack) -> None:
    criteria = pack.criteria
    columns = [Column("Reference", 16), Column("Assessor", 24)]
    for criterion in criteria:
        columns += [Column(f"{criterion.name}: score", 12), Column(f"{criterion.name}: comment", 40)]
    columns.append(Column("Weighted total", 12))
    sheet = Sheet(workbook, "Scores", columns, pack.footer)
    for row in sorted(pack.ranked, key=lambda r: (r.reference, r.application_id)):
        for assessor in pack.scores.get(row.application_id, ()):
            cells = [sheet.text(row.reference), sheet.text(assessor.assessor)]
            for criterion in criteria:
                cells.append(sheet.number(assessor.scores.get(criterion.id)))
                cells.append(sheet.text(assessor.comments.get(criterion.id, ""), wrap=True))
            cells.append(sheet.decimal(assessor.total))
            sheet.append(cells)
    sheet.finish()


def _summary(workbook: Workbook, title: str, heading: str, totals: Sequence[MoneyByTag], footer: str) -> None:
    sheet = Sheet(
        workbook,
        title,
        [Column(heading, 40), Column("Bids above the funding line", 16), Column("Recommended above the line (£)", 22)],
        footer,
    )
    for total in totals:
        sheet.append([sheet.text(total.label), sheet.number(total.bids), sheet.money(total.recommended_pence)])
    sheet.finish()


def build_workbook(pack: PanelPack, workbook: Workbook) -> None:
    _ranked(workbook, pack.ranked, pack.footer)
    _scores(workbook, pack)
    _summary(workbook, "By district", "District", pack.by_district, pack.footer)
    _summary(workbook, "By area of focus", "Area of focus", pack.by_area_of_focus, pack.footer)
    _legend(workbook, pack.footer)


def write_panel_pack(pack: PanelPack, target: Target) -> None:
    """Write the panel pack to a path (whole or not at all) or a binary stream."""
    save(lambda workbook: build_workbook(pack, workbook), target)
