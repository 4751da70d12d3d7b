"""The MoJ return: what the victims' services strands reported, added up for the Ministry of Justice.

The team reports to the Ministry, each quarter and each financial year, the figures its providers
returned (grants/monitoring/metrics.py: MOJ_METRICS): victims supported directly, domestic-abuse and
sexual-abuse victims supported by IDVAs and ISVAs, victims who had reported to the police before
engaging and during or after, referrals to mental-health support, and victims supported by the
restorative-justice service.

What counts: the ReturnMetric rows of every MoJ strand's return that the provider has sent, that
is a return submitted (waiting for the officer's review) or accepted. The team reports what
providers returned, so a return sent and not yet reviewed counts; a return not sent (scheduled,
open, overdue, awaiting sign-off at the provider, or sent back for changes) and a waived return
never count. The states come from the definitions' tags (`awaiting_review`, `return_accepted`).

The quarter: a return counts in the financial-year quarter its period starts in
(MonitoringReturn.period_starts_on); the year runs from 1 April. A strand is expected to return
for a quarter when one of its allocations (a published, not fallen-away award of the MoJ programme
with a contract) runs through part of that quarter; the report lists, for each quarter that has
begun, the strands with no return counted.

Officers, decision makers and admins on the MoJ programme see it; anyone else with a staff role
gets a 404, as for cases.
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO, Any

from sqlalchemy import func, select

from exports import moj_return as writer
from grants import access
from grants.errors import NotFound
from grants.extensions import db
from grants.models import Award, Contract, MonitoringReturn, Organisation, Programme, ReturnMetric
from grants.monitoring.metrics import METRICS, MOJ_METRICS
from grants.workflow_states import state_labels, states

MOJ = "MOJ"
MOJ_REPORT_ROLES = frozenset({"officer", "decision_maker", "admin"})
QUARTER_MONTHS = (
    ("Q1", "April to June"),
    ("Q2", "July to September"),
    ("Q3", "October to December"),
    ("Q4", "January to March"),
)
EARLIEST_YEAR = 2000


class NoMojProgramme(LookupError):
    """The reference data has no MoJ programme (run `grantflow setup`)."""


class BadYear(ValueError):
    """A financial year that is not a year the report can be asked for."""


@dataclass(frozen=True)
class Strand:
    """A strand of provision the report expects a return from."""

    reference: str
    title: str
    provider: str


@dataclass
class Quarter:
    label: str  # "Q1"
    months: str  # "April to June"
    starts_on: date
    ends_on: date
    figures: dict[str, int] = field(default_factory=dict)
    returns: int = 0  # returns counted
    not_returned: list[Strand] = field(default_factory=list)
    begun: bool = True

    @property
    def title(self) -> str:
        return f"{self.label} ({self.months} {self.starts_on.year})"


@dataclass(frozen=True)
class ReturnLine:
    """One counted return, for the spreadsheet's list of returns (its rows add up to the totals)."""

    quarter: str
    strand: str
    strand_title: str
    provider: str
    period: str
    state: str
    figures: dict[str, int]


@dataclass
class MojReport:
    year: int
    quarters: list[Quarter]
    totals: dict[str, int]
    returns: int
    strands: int  # strands expected to return this year
    lines: list[ReturnLine]

    @property
    def label(self) -> str:
        """'2022-23'."""
        return financial_year_label(self.year)

    @property
    def metrics(self) -> list[tuple[str, str]]:
        return [(key, METRICS[key].label) for key in MOJ_METRICS]


def financial_year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def financial_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def quarter_dates(year: int) -> list[tuple[str, str, date, date]]:
    """(label, months, first day, last day) of each quarter of the financial year starting 1 April `year`."""
    starts = [date(year, 4, 1), date(year, 7, 1), date(year, 10, 1), date(year + 1, 1, 1), date(year + 1, 4, 1)]
    return [
        (label, months, starts[i], starts[i + 1] - timedelta(days=1))
        for i, (label, months) in enumerate(QUARTER_MONTHS)
    ]


def quarter_of(day: date) -> str:
    return f"Q{((day.month - 4) % 12) // 3 + 1}"


def check_year(year: int, today: date | None = None) -> int:
    latest = financial_year_of(today or date.today()) + 1
    if not EARLIEST_YEAR <= year <= latest:
        raise BadYear(
            f"Enter a financial year from {EARLIEST_YEAR} to {latest}, like 2022 for April 2022 to March 2023"
        )
    return year


def parse_year(value: str | None, default: int) -> tuple[int, str | None]:
    """The year asked for in the page's query string, or the default and what was wrong."""
    if value is None or not value.strip():
        return default, None
    text = value.strip()
    if not text.isdigit():
        return default, "Enter the financial year as the year it starts, like 2022"
    try:
        return check_year(int(text)), None
    except BadYear as exc:
        return default, str(exc)


# -- the doors ----------------------------------------------------------------------------------------
def moj_programme() -> Programme:
    programme = db.session.scalar(select(Programme).where(Programme.code == MOJ))
    if programme is None:
        raise NoMojProgramme(MOJ)
    return programme


def can_see(user: Any) -> bool:
    """Whether the user holds a reporting role on the MoJ programme (for the Reports page's link)."""
    programme_id = db.session.scalar(select(Programme.id).where(Programme.code == MOJ))
    return programme_id is not None and bool(access.staff_roles(user, programme_id) & MOJ_REPORT_ROLES)


def programme_for(user: Any) -> Programme:
    """The MoJ programme, if the user may see its report; otherwise NotFound."""
    programme = db.session.scalar(select(Programme).where(Programme.code == MOJ))
    if programme is None or not access.staff_roles(user, programme.id) & MOJ_REPORT_ROLES:
        raise NotFound(MOJ)
    return programme


def years_with_returns(programme: Programme) -> list[int]:
    """The financial years in which the programme's strands have allocations, newest first."""
    rows = db.session.execute(
        select(func.min(Award.starts_on), func.max(Award.ends_on)).where(
            Award.programme_id == programme.id, Award.contract_id.is_not(None)
        )
    ).one()
    first, last = rows
    if first is None or last is None:
        return []
    return list(range(financial_year_of(last), financial_year_of(first) - 1, -1))


def default_year(programme: Programme, today: date | None = None) -> int:
    """The last financial year that has ended and had allocations; else the current one."""
    today = today or date.today()
    ended = financial_year_of(today) - 1
    years = [y for y in years_with_returns(programme) if y <= ended]
    return years[0] if years else financial_year_of(today)


# -- the report ---------------------------------------------------------------------------------------
def counted_states() -> frozenset[str]:
    """Returns the provider has sent: waiting for review, or accepted."""
    return states("return", "awaiting_review") | states("return", "return_accepted")


def _expected(programme: Programme, first: date, last: date) -> list[tuple[Strand, date, date]]:
    """Each strand's allocations running through part of the year: (strand, starts, ends)."""
    rows = db.session.execute(
        select(Contract.public_reference, Contract.title, Organisation.name, Award.starts_on, Award.ends_on)
        .join(Contract, Contract.id == Award.contract_id)
        .join(Organisation, Organisation.id == Award.organisation_id)
        .where(
            Award.programme_id == programme.id,
            Award.state.in_(states("award", "published")),
            Award.starts_on <= last,
            Award.ends_on >= first,
        )
        .order_by(Contract.public_reference)
    ).all()
    return [
        (Strand(ref or "", title, provider), starts or first, ends or last)
        for ref, title, provider, starts, ends in rows
    ]


def moj_report(programme: Programme, year: int, today: date | None = None) -> MojReport:
    """The figures the strands returned for the financial year starting 1 April `year`, by quarter.

    Three queries, whatever the number of strands or returns.
    """
    today = today or date.today()
    quarters = [
        Quarter(label, months, starts, ends, dict.fromkeys(MOJ_METRICS, 0))
        for label, months, starts, ends in quarter_dates(year)
    ]
    by_label = {q.label: q for q in quarters}
    first, last = quarters[0].starts_on, quarters[-1].ends_on
    rows = db.session.execute(
        select(
            MonitoringReturn.id,
            MonitoringReturn.period_starts_on,
            MonitoringReturn.period_label,
            MonitoringReturn.state,
            Contract.public_reference,
            Contract.title,
            Organisation.name,
            ReturnMetric.metric,
            ReturnMetric.value,
        )
        .join(Award, Award.id == MonitoringReturn.award_id)
        .join(Contract, Contract.id == Award.contract_id)
        .join(Organisation, Organisation.id == Award.organisation_id)
        .outerjoin(
            ReturnMetric,
            (ReturnMetric.monitoring_return_id == MonitoringReturn.id) & ReturnMetric.metric.in_(MOJ_METRICS),
        )
        .where(
            Award.programme_id == programme.id,
            MonitoringReturn.state.in_(counted_states()),
            MonitoringReturn.period_starts_on >= first,
            MonitoringReturn.period_starts_on <= last,
        )
        .order_by(MonitoringReturn.period_starts_on, Contract.public_reference, MonitoringReturn.id)
    ).all()
    labels = state_labels("return")
    lines: dict[int, ReturnLine] = {}
    returned: dict[str, set[str]] = defaultdict(set)
    for return_id, starts, period, state, reference, title, provider, metric, value in rows:
        label = quarter_of(starts)
        line = lines.get(return_id)
        if line is None:
            line = ReturnLine(
                label, reference or "", title, provider, period, labels.get(state, state), dict.fromkeys(MOJ_METRICS, 0)
            )
            lines[return_id] = line
            by_label[label].returns += 1
            returned[label].add(reference or "")
        if metric is not None:
            line.figures[metric] += int(value)
            by_label[label].figures[metric] += int(value)
    expected = _expected(programme, first, last)
    strands = {strand.reference for strand, _s, _e in expected}
    for quarter in quarters:
        quarter.begun = quarter.starts_on <= today
        if not quarter.begun:
            continue
        seen: set[str] = set()
        for strand, starts, ends in expected:
            running = starts <= quarter.ends_on and ends >= quarter.starts_on
            if running and strand.reference not in returned[quarter.label] and strand.reference not in seen:
                seen.add(strand.reference)
                quarter.not_returned.append(strand)
    totals = {key: sum(q.figures[key] for q in quarters) for key in MOJ_METRICS}
    return MojReport(year, quarters, totals, len(lines), len(strands), list(lines.values()))


def moj_report_for_year(year: int, today: date | None = None) -> MojReport:
    """For the CLI: the year's report, whoever asks."""
    return moj_report(moj_programme(), check_year(year, today), today)


# -- as JSON ------------------------------------------------------------------------------------------
def report_json(report: MojReport) -> dict[str, Any]:
    """The report as one JSON object: the year's totals as integers at the top, each quarter under "quarters"."""
    return {
        "programme": MOJ,
        "year": report.year,
        "financial_year": report.label,
        **report.totals,
        "returns": report.returns,
        "strands": report.strands,
        "quarters": {
            quarter.label: {
                "from": quarter.starts_on.isoformat(),
                "to": quarter.ends_on.isoformat(),
                **quarter.figures,
                "returns": quarter.returns,
                "not_returned": [strand.reference for strand in quarter.not_returned],
            }
            for quarter in report.quarters
        },
    }


# -- as a spreadsheet ---------------------------------------------------------------------------------
def workbook(report: MojReport) -> writer.MojWorkbook:
    return writer.MojWorkbook(
        financial_year=report.label,
        metrics=report.metrics,
        quarters=report.quarters,
        totals=report.totals,
        lines=report.lines,
    )


def report_filename(report: MojReport) -> str:
    return f"moj-victims-services-return-{report.label}.xlsx"


def write_report(report: MojReport, path: str | os.PathLike[str]) -> None:
    writer.write_moj_return(workbook(report), path)


def report_file(report: MojReport) -> IO[bytes]:
    """The workbook in an anonymous temporary file, rewound for sending."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    try:
        writer.write_moj_return(workbook(report), handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle
