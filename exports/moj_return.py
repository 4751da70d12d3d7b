"""The MoJ victims' services return as an XLSX workbook.

Sheets: "Summary" (each figure by quarter and for the year), "Returns" (every return counted, one
row each: its rows add up to the summary), "Not returned" (the strands with no return counted for
a quarter that has begun).

A writer: grants.reports.moj works the figures out and passes them in (`MojWorkbook`, its parts
typed by the Protocols below); the sheets are laid out with exports/xlsx.py. Counts are number
cells with thousands separators (#,##0), never text; the year's total is the sum of the quarters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from openpyxl import Workbook

from exports.xlsx import Column, Sheet, Target, save

COUNT_FORMAT = "#,##0"


class Strand(Protocol):
    @property
    def reference(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def provider(self) -> str: ...


class Quarter(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def figures(self) -> Mapping[str, int]: ...
    @property
    def returns(self) -> int: ...
    @property
    def not_returned(self) -> Sequence[Strand]: ...
    @property
    def begun(self) -> bool: ...


class ReturnLine(Protocol):
    @property
    def quarter(self) -> str: ...
    @property
    def strand(self) -> str: ...
    @property
    def strand_title(self) -> str: ...
    @property
    def provider(self) -> str: ...
    @property
    def period(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def figures(self) -> Mapping[str, int]: ...


@dataclass(frozen=True)
class MojWorkbook:
    financial_year: str  # "2022-23"
    metrics: Sequence[tuple[str, str]]  # (key, label), in the order the Ministry asks
    quarters: Sequence[Quarter]
    totals: Mapping[str, int]
    lines: Sequence[ReturnLine]


def _summary(workbook: Workbook, report: MojWorkbook) -> None:
    sheet = Sheet(
        workbook,
        "Summary",
        [Column("Figure", 60), *(Column(q.label, 12) for q in report.quarters), Column(report.financial_year, 14)],
    )

    def count(value: int) -> object:
        return sheet.formatted(value, COUNT_FORMAT)

    for key, label in report.metrics:
        sheet.append([sheet.text(label), *(count(q.figures[key]) for q in report.quarters), count(report.totals[key])])
    sheet.append(
        [
            sheet.text("Returns counted"),
            *(count(q.returns) for q in report.quarters),
            count(sum(q.returns for q in report.quarters)),
        ]
    )
    sheet.finish()


def _returns(workbook: Workbook, report: MojWorkbook) -> None:
    sheet = Sheet(
        workbook,
        "Returns",
        [
            Column("Quarter", 9),
            Column("Strand", 12),
            Column("Strand of provision", 48),
            Column("Provider", 36),
            Column("Period", 14),
            Column("State", 12),
            *(Column(label, 16) for _key, label in report.metrics),
        ],
    )
    for line in report.lines:
        sheet.append(
            [
                sheet.text(line.quarter),
                sheet.text(line.strand),
                sheet.text(line.strand_title),
                sheet.text(line.provider),
                sheet.text(line.period),
                sheet.text(line.state),
                *(sheet.formatted(line.figures[key], COUNT_FORMAT) for key, _label in report.metrics),
            ]
        )
    sheet.finish()


def _not_returned(workbook: Workbook, report: MojWorkbook) -> None:
    sheet = Sheet(
        workbook,
        "Not returned",
        [Column("Quarter", 28), Column("Strand", 12), Column("Strand of provision", 48), Column("Provider", 36)],
    )
    for quarter in report.quarters:
        for strand in quarter.not_returned:
            sheet.append(
                [
                    sheet.text(quarter.title),
                    sheet.text(strand.reference),
                    sheet.text(strand.title),
                    sheet.text(strand.provider),
                ]
            )
    sheet.finish()


def build_workbook(report: MojWorkbook, workbook: Workbook) -> None:
    _summary(workbook, report)
    _returns(workbook, report)
    _not_returned(workbook, report)


def write_moj_return(report: MojWorkbook, target: Target) -> None:
    """Write the workbook to a path (whole or not at all) or a binary stream."""
    save(lambda workbook: build_workbook(report, workbook), target)
