"""What the finance spreadsheet shows, read from the database: the period, the rows, the totals.

`FinanceExport` names a programme and a period of UK dates, inclusive. The awards of the
period are those whose decision (`Award.decided_at`, stored in UTC) falls on one of those
dates in Europe/London; the payments due are the instalments of the programme's awards
due on one of those dates. Rows come as plain tuples, a batch at a time (`stream`: a
server-side cursor on PostgreSQL), and the totals are summed by the database (GROUP BY)
with the same expressions the rows use, so they agree to the penny.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, Select, case, func, literal, select
from sqlalchemy.orm import Session, scoped_session

from grants.formatting import london_date, london_day, london_to_utc
from grants.models import Award, MonitoringReturn, Organisation, Payment, Programme, Recovery, Term
from grants.models.awards import RECOVERY_KINDS
from grants.workflow_states import states, workflow_labels

BATCH = 2_000
# No more is paid on an award in these states: nothing is outstanding.
NOT_RECORDED = "Not recorded"
# A session, or Flask-SQLAlchemy's `db.session` (a scoped session standing for one).
AnySession = Session | scoped_session[Any]


class FinanceExportError(ValueError):
    """Asked for an export that cannot be made; the message says why, for people."""


@dataclass(frozen=True)
class FinanceExport:
    """What to export: a programme, a period of London dates (inclusive), bank details or not."""

    programme_id: int
    programme_code: str
    programme_name: str
    starts_on: date
    ends_on: date
    with_bank_details: bool = False

    def __post_init__(self) -> None:
        if self.starts_on > self.ends_on:
            raise FinanceExportError(
                f"The start of the period ({london_date(self.starts_on)}) is after its end "
                f"({london_date(self.ends_on)})."
            )

    @property
    def decided_from(self) -> datetime:
        """The first moment of the period: midnight in London on its first day, in UTC."""
        return london_to_utc(datetime.combine(self.starts_on, time()))

    @property
    def decided_before(self) -> datetime:
        """Midnight in London after the period's last day, in UTC."""
        return london_to_utc(datetime.combine(self.ends_on + timedelta(days=1), time()))

    @property
    def period_label(self) -> str:
        return f"{london_date(self.starts_on)} to {london_date(self.ends_on)}"

    def filename(self, extension: str) -> str:
        return f"{self.programme_code}-finance-{self.starts_on:%Y-%m-%d}-to-{self.ends_on:%Y-%m-%d}.{extension}"


@dataclass(frozen=True)
class Totals:
    awards: int = 0  # live awards: declined and cancelled ones are counted apart
    awarded_pence: int = 0
    fallen_away: int = 0  # declined or cancelled: not going ahead
    fallen_away_pence: int = 0
    at_decision_pence: int = 0
    paid_pence: int = 0  # gross: every instalment paid
    returned_pence: int = 0  # underspends returned and money clawed back
    outstanding_pence: int = 0

    @property
    def paid_net_pence(self) -> int:
        return self.paid_pence - self.returned_pence


@dataclass(frozen=True)
class SummaryLine:
    grouping: str  # "Budget stream" | "District" | "All awards"
    name: str
    totals: Totals


@dataclass
class Written:
    """What an export wrote: the database's totals, and the rows of each sheet."""

    totals: Totals
    summary: list[SummaryLine] = field(default_factory=list)
    award_rows: int = 0
    payment_rows: int = 0
    payments_due_pence: int = 0


# -- the queries ----------------------------------------------------------------------------------
def _in_period(export: FinanceExport) -> list[Any]:
    return [
        Award.programme_id == export.programme_id,
        Award.decided_at >= export.decided_from,
        Award.decided_at < export.decided_before,
    ]


def _paid_by_award(export: FinanceExport) -> Any:
    """Paid instalments summed per award of the period (one row per award with any paid)."""
    return (
        select(Payment.award_id.label("award_id"), func.sum(Payment.amount_pence).label("paid_pence"))
        .join(Award, Award.id == Payment.award_id)
        .where(Payment.state == "paid", *_in_period(export))
        .group_by(Payment.award_id)
        .subquery("paid")
    )


def _returned_by_award(export: FinanceExport) -> Any:
    """Money returned (underspends, clawbacks) summed per award of the period."""
    return (
        select(Recovery.award_id.label("award_id"), func.sum(Recovery.amount_pence).label("returned_pence"))
        .join(Award, Award.id == Recovery.award_id)
        .where(*_in_period(export))
        .group_by(Recovery.award_id)
        .subquery("returned")
    )


@dataclass(frozen=True)
class MoneyColumns:
    """The money of an award, as the rows and the totals both compute it."""

    awarded: Any  # the current amount of a live award; 0 for one declined or cancelled
    fallen_away: Any  # the amount of a declined or cancelled award; 0 for a live one
    paid: Any
    returned: Any
    outstanding: Any
    is_fallen_away: Any


def _money_columns(paid: Any, returned: Any) -> MoneyColumns:
    paid_pence = func.coalesce(paid.c.paid_pence, 0)
    fallen = Award.state.in_(states("award", "fallen_away"))
    outstanding = case((Award.state.in_(states("award", "ended")), literal(0)), else_=Award.amount_pence - paid_pence)
    return MoneyColumns(
        awarded=case((fallen, literal(0)), else_=Award.amount_pence),
        fallen_away=case((fallen, Award.amount_pence), else_=literal(0)),
        paid=paid_pence,
        returned=func.coalesce(returned.c.returned_pence, 0),
        outstanding=outstanding,
        is_fallen_away=case((fallen, literal(1)), else_=literal(0)),
    )


def _last_paid_by_organisation(export: FinanceExport) -> Any:
    """The day each organisation of the programme was last paid (any of its awards)."""
    return (
        select(Award.organisation_id.label("organisation_id"), func.max(Payment.paid_on).label("last_paid_on"))
        .join(Award, Award.id == Payment.award_id)
        .where(Payment.state == "paid", Award.programme_id == export.programme_id)
        .group_by(Award.organisation_id)
        .subquery("last_paid")
    )


def awards_query(export: FinanceExport) -> Select[*tuple[Any, ...]]:
    """One tuple per award of the period, by reference: the Awards sheet's raw values."""
    paid, returned, last_paid = _paid_by_award(export), _returned_by_award(export), _last_paid_by_organisation(export)
    m = _money_columns(paid, returned)
    return (
        select(
            Award.public_reference,
            Organisation.name,
            Organisation.charity_number,
            Organisation.company_number,
            Organisation.bank_account_name,
            Organisation.bank_sort_code,
            Organisation.bank_account_number,
            Organisation.district,
            Award.budget_stream,
            Award.cost_centre,
            m.awarded,
            m.fallen_away,
            Award.amount_at_decision_pence,
            m.paid,
            m.returned,
            m.outstanding,
            Award.decided_at,
            Award.state,
            Organisation.bank_details_changed_at,
            last_paid.c.last_paid_on,
        )
        .join(Organisation, Organisation.id == Award.organisation_id)
        .outerjoin(paid, paid.c.award_id == Award.id)
        .outerjoin(returned, returned.c.award_id == Award.id)
        .outerjoin(last_paid, last_paid.c.organisation_id == Award.organisation_id)
        .where(*_in_period(export))
        .order_by(Award.public_reference)
    )


def payments_query(export: FinanceExport) -> Select[*tuple[Any, ...]]:
    """One tuple per instalment still to pay (scheduled, approved or held) due in the period, by due date
    then reference: paid and cancelled instalments are not due."""
    return (
        select(
            Award.public_reference,
            Payment.instalment,
            Organisation.name,
            Payment.due_on,
            Payment.amount_pence,
            Payment.state,
            MonitoringReturn.period_label,
            MonitoringReturn.state,
            Payment.paid_on,
            Payment.finance_reference,
        )
        .select_from(Payment)
        .join(Award, Award.id == Payment.award_id)
        .join(Organisation, Organisation.id == Award.organisation_id)
        .outerjoin(MonitoringReturn, MonitoringReturn.id == Payment.monitoring_return_id)
        .where(
            Award.programme_id == export.programme_id,
            Payment.due_on >= export.starts_on,
            Payment.due_on <= export.ends_on,
            Payment.state.in_(TO_PAY),
        )
        .order_by(Payment.due_on, Award.public_reference, Payment.instalment)
    )


TO_PAY = ("scheduled", "approved", "held")


def returned_query(export: FinanceExport) -> Select[*tuple[Any, ...]]:
    """Money returned on the period's awards (underspends, clawbacks), by day received then reference."""
    return (
        select(
            Award.public_reference,
            Organisation.name,
            Recovery.kind,
            Recovery.amount_pence,
            Recovery.received_on,
            Recovery.reason,
        )
        .select_from(Recovery)
        .join(Award, Award.id == Recovery.award_id)
        .join(Organisation, Organisation.id == Award.organisation_id)
        .where(*_in_period(export))
        .order_by(Recovery.received_on, Award.public_reference, Recovery.id)
    )


def _totals_query(export: FinanceExport, group: Any | None) -> Select[*tuple[Any, ...]]:
    paid, returned = _paid_by_award(export), _returned_by_award(export)
    m = _money_columns(paid, returned)
    figures = (
        func.count(Award.id) - func.coalesce(func.sum(m.is_fallen_away), 0),
        func.coalesce(func.sum(m.awarded), 0),
        func.coalesce(func.sum(m.is_fallen_away), 0),
        func.coalesce(func.sum(m.fallen_away), 0),
        func.coalesce(func.sum(Award.amount_at_decision_pence), 0),
        func.coalesce(func.sum(m.paid), 0),
        func.coalesce(func.sum(m.returned), 0),
        func.coalesce(func.sum(m.outstanding), 0),
    )
    query = (
        select(*((group,) if group is not None else ()), *figures)
        .select_from(Award)
        .join(Organisation, Organisation.id == Award.organisation_id)
        .outerjoin(paid, paid.c.award_id == Award.id)
        .outerjoin(returned, returned.c.award_id == Award.id)
        .where(*_in_period(export))
    )
    return query.group_by(group) if group is not None else query


def _totals(row: Sequence[Any]) -> Totals:
    return Totals(*(int(value) for value in row))


def _labels(session: AnySession, vocabulary: str) -> tuple[dict[str, str], dict[str, int]]:
    rows = session.execute(
        select(Term.code, Term.label, Term.position).where(Term.vocabulary == vocabulary).order_by(Term.position)
    ).all()
    return {code: label for code, label, _ in rows}, {code: position for code, _, position in rows}


def summary(session: AnySession, export: FinanceExport) -> tuple[list[SummaryLine], Totals]:
    """Totals by budget stream, by district and for every award of the period, summed by the database."""
    lines: list[SummaryLine] = []
    for grouping, column, vocabulary in (
        ("Budget stream", Award.budget_stream, "budget_stream"),
        ("District", Organisation.district, "district"),
    ):
        labels, positions = _labels(session, vocabulary)
        groups = list(session.execute(_totals_query(export, column)).all())
        groups.sort(key=lambda g: (g[0] is None, positions.get(g[0], len(positions)), labels.get(g[0], g[0] or "")))
        lines += [
            SummaryLine(grouping, NOT_RECORDED if g[0] is None else str(labels.get(g[0], g[0])), _totals(g[1:]))
            for g in groups
        ]
    total = _totals(session.execute(_totals_query(export, None)).one())
    lines.append(SummaryLine("All awards", "Total", total))
    return lines, total


def award_count(session: AnySession, export: FinanceExport) -> int:
    """How many awards (rows of the Awards sheet) the export holds: what decides whether it is made in the
    background, and the progress page's "of N rows"."""
    return int(session.scalar(select(func.count(Award.id)).where(*_in_period(export))) or 0)


def ensure_not_empty(session: AnySession, export: FinanceExport) -> None:
    """FinanceExportError when the period has no award decided in it and no instalment due to pay in it:
    a clear message rather than a file of headers."""
    has_award = session.scalar(select(Award.id).where(*_in_period(export)).limit(1))
    has_due = session.scalar(select(payments_query(export).subquery().c[0]).limit(1))
    if has_award is None and has_due is None:
        raise FinanceExportError(
            f"Nothing to export: no award of {export.programme_code} was decided from {london_date(export.starts_on)} "
            f"to {london_date(export.ends_on)}, and no instalment is due then."
        )


def stream(session: AnySession, query: Select[*tuple[Any, ...]]) -> Iterator[Sequence[Any]]:
    """The query's rows a batch at a time (a server-side cursor on PostgreSQL): never all in memory."""
    result = session.execute(query, execution_options={"yield_per": BATCH})
    try:
        for partition in result.partitions():
            yield from partition
    finally:
        result.close()


# -- row values, as the XLSX and the CSV show them (exports/finance_spreadsheet.py writes them) -------------------
def _sort_code(code: str | None, unmasked: bool) -> str:
    if not code:
        return ""
    if unmasked:
        return f"{code[0:2]}-{code[2:4]}-{code[4:6]}" if len(code) == 6 else code
    return f"**-**-{code[-2:]}"


def _account_number(number: str | None, unmasked: bool) -> str:
    if not number:
        return ""
    return number if unmasked else f"****{number[-4:]}"


def _london_day(moment: datetime | None) -> date | None:
    return None if moment is None else london_day(moment)


@dataclass(frozen=True)
class Lookups:
    districts: dict[str, str]
    streams: dict[str, str]
    award_states: dict[str, str]
    payment_states: dict[str, str]
    return_states: dict[str, str]


def lookups(session: AnySession) -> Lookups:
    return Lookups(
        districts=_labels(session, "district")[0],
        streams=_labels(session, "budget_stream")[0],
        award_states=workflow_labels("award"),
        payment_states=workflow_labels("payment"),
        return_states=workflow_labels("monitoring_return"),
    )


BANK_MISSING = "Missing: no payment until they are given"
BANK_CHANGED = "Changed since the last payment"


def bank_check(account_name: str | None, sort_code: str | None, account_number: str | None,
               changed_at: datetime | None, last_paid_on: date | None) -> str:  # fmt: skip
    """What finance should know of the bank details before paying: missing, changed since the last payment, or ""."""
    if not (account_name and sort_code and account_number):
        return BANK_MISSING
    if changed_at is not None and last_paid_on is not None and london_day(changed_at) > last_paid_on:
        return BANK_CHANGED
    return ""


def award_values(
    row: Sequence[Any], labels: Lookups, unmasked: bool
) -> tuple[list[str], list[int | None], date | None, str]:
    """An award row as its eleven text values, its seven money values (pence), its decision day and state label.

    Split by kind so each writer types its cells without asking each value what it is.
    """
    reference, organisation, charity, company, account_name, sort_code, account_number, district, stream = row[:9]
    text = [
        reference,
        organisation,
        charity or "",
        company or "",
        account_name or "",
        _sort_code(sort_code, unmasked),
        _account_number(account_number, unmasked),
        bank_check(account_name, sort_code, account_number, row[18], row[19]),
        "" if district is None else labels.districts.get(district, district),
        "" if stream is None else labels.streams.get(stream, stream),
        row[9] or "",
    ]
    awarded, fallen, paid, returned, outstanding = (int(row[i] or 0) for i in (10, 11, 13, 14, 15))
    at_decision = row[12]
    money: list[int | None] = [
        None if fallen else awarded,
        fallen or None,
        at_decision,
        paid,
        returned,
        paid - returned,
        outstanding,
    ]
    return text, money, _london_day(row[16]), labels.award_states.get(row[17], row[17])


def returned_values(row: Sequence[Any]) -> tuple[str, str, str, int, date, str]:
    reference, organisation, kind, amount, received_on, reason = row
    return reference, organisation, RECOVERY_KINDS.get(kind, kind), amount, received_on, reason or ""


def payment_values(
    row: Sequence[Any], labels: Lookups
) -> tuple[str, str, date | None, int, str, str, str, date | None, str]:
    """A row of `payments_query` as the Payments due sheet shows it: "AWD-1-P2", labels for states, "" for none."""
    reference, instalment, organisation, due_on, amount, state, period, return_state, paid_on, finance_ref = row
    return (
        f"{reference}-P{instalment}",
        organisation,
        due_on,
        amount,
        labels.payment_states.get(state, state),
        period or "",
        "" if return_state is None else labels.return_states.get(return_state, return_state),
        paid_on,
        finance_ref or "",
    )


def begin_snapshot(session: AnySession) -> None:
    """On PostgreSQL, read every sheet from one snapshot: REPEATABLE READ, READ ONLY.

    Then the Summary adds up to the rows even while payments are being marked paid. It
    needs a session that has no transaction yet and owns its connections (bound to an
    engine); otherwise the session's transaction goes on as it is (READ COMMITTED: a payment
    marked paid during the seconds the export takes could show in one sheet and not another).
    """
    real = session() if isinstance(session, scoped_session) else session
    bind = real.get_bind()
    if bind.dialect.name == "postgresql" and isinstance(bind, Engine) and not real.in_transaction():
        real.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})


def programme_export(
    session: AnySession, code: str, starts_on: date, ends_on: date, *, with_bank_details: bool = False
) -> FinanceExport:
    """The export of the programme with this code (e.g. MSCF), or FinanceExportError saying what is wrong."""
    programme = session.execute(
        select(Programme.id, Programme.code, Programme.name).where(Programme.code == code)
    ).one_or_none()
    if programme is None:
        known = ", ".join(session.scalars(select(Programme.code).order_by(Programme.code))) or "none yet"
        raise FinanceExportError(f"There is no programme with the code {code!r} (programmes: {known}).")
    return FinanceExport(programme.id, programme.code, programme.name, starts_on, ends_on, with_bank_details)
