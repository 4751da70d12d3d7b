"""The finance export's data set and its readers, for the finance export tests and the browser journey.

One programme (FIN) with awards decided around the edges of the 2022/23 financial year in
UK time, in every interesting state, to organisations with formula-like names and bank
details; instalments paid, scheduled and held, some due in the year and some not, one tied
to a monitoring return; and an award of another programme that must never show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Award, Payment, Recovery
from tests.factories import (
    AwardFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    RecoveryFactory,
    ReturnFactory,
    ensure_terms,
)

FROM, TO = date(2022, 4, 1), date(2023, 3, 31)
NASTY_NAMES = ['=HYPERLINK("http://example.com/x","Click")', "+44 113 000 0000", "@SUM(A1:A9)", "-1+2", "\tTabbed"]
TERMS = {
    ("district", "leeds"): "Leeds",
    ("district", "bradford"): "Bradford",
    ("district", "wakefield"): "Wakefield",
    ("budget_stream", "community_safety"): "Community Safety",
    ("budget_stream", "victims_of_crime"): "Victims of Crime",
}


@dataclass
class FinanceData:
    programme: Any
    other_programme: Any
    in_period: list[Any] = field(default_factory=list)  # awards the Awards sheet must list
    out_of_period: list[Any] = field(default_factory=list)
    due_in_period: list[Any] = field(default_factory=list)  # payments due in the period, whatever their state
    returned: list[Any] = field(default_factory=list)  # money returned on the period's awards

    @property
    def to_pay(self) -> list[Any]:
        """The payments the Payments due sheet must list: due in the period and still to pay."""
        return [p for p in self.due_in_period if p.state in ("scheduled", "approved", "held")]


def _org(name: str, district: str | None, **kwargs: Any) -> Any:
    return OrganisationFactory(
        name=name,
        district=district,
        charity_number=kwargs.pop("charity_number", "1234567"),
        company_number=kwargs.pop("company_number", "01234567"),
        bank_account_name=kwargs.pop("bank_account_name", name[:40]),
        bank_sort_code=kwargs.pop("bank_sort_code", "123456"),
        bank_account_number=kwargs.pop("bank_account_number", "12345678"),
        **kwargs,
    )


def build_finance_data(code: str = "FIN") -> FinanceData:
    ensure_terms(TERMS)
    programme = ProgrammeFactory(code=code, name="Finance test fund")
    other = ProgrammeFactory(code=f"{code}X", name="Another fund")
    data = FinanceData(programme=programme, other_programme=other)

    def award(ref: str, org: Any, decided: datetime, **kwargs: Any) -> Any:
        return AwardFactory(programme=programme, organisation=org, public_reference=ref, decided_at=decided, **kwargs)

    nasty = [_org(name, "leeds") for name in NASTY_NAMES]
    plain = _org("Calm Waters Trust", "bradford", bank_sort_code="654321", bank_account_number="87654321")
    no_district = _org(
        "Nowhere Group",
        None,
        charity_number=None,
        company_number=None,
        bank_sort_code=None,
        bank_account_number=None,
        bank_account_name=None,
    )

    # 00:30 BST on 1 April 2022: the first day of the period in the UK, though 31 March in UTC.
    first = award(
        "FIN-0001",
        nasty[0],
        datetime(2022, 3, 31, 23, 30, tzinfo=UTC),
        amount_pence=750_050,
        amount_at_decision_pence=800_000,
        state="active",
    )
    second = award(
        "FIN-0002",
        nasty[1],
        datetime(2022, 6, 1, 9, 0, tzinfo=UTC),
        amount_pence=500_001,
        amount_at_decision_pence=500_001,
        budget_stream="victims_of_crime",
        cost_centre="PCC-VOC",
    )
    third = award(
        "FIN-0003",
        nasty[2],
        datetime(2022, 11, 9, 12, 0, tzinfo=UTC),
        amount_pence=123_457,
        amount_at_decision_pence=123_457,
        state="declined",
    )
    fourth = award(
        "FIN-0004",
        nasty[3],
        datetime(2023, 2, 9, 10, 0, tzinfo=UTC),
        amount_pence=300_000,
        amount_at_decision_pence=300_000,
        state="closed",
        final_spend_pence=250_000,
    )
    fifth = award(
        "FIN-0005",
        nasty[4],
        datetime(2023, 2, 9, 10, 0, tzinfo=UTC),
        amount_pence=99,
        amount_at_decision_pence=None,
        state="offered",
        budget_stream=None,
        cost_centre=None,
    )
    # 23:30 BST on 31 March 2023: still the last day of the period.
    sixth = award(
        "FIN-0006",
        plain,
        datetime(2023, 3, 31, 22, 30, tzinfo=UTC),
        amount_pence=640_000,
        amount_at_decision_pence=650_000,
        budget_stream="victims_of_crime",
        cost_centre="PCC-VOC",
    )
    seventh = award(
        "FIN-0007",
        no_district,
        datetime(2022, 8, 1, 9, 0, tzinfo=UTC),
        amount_pence=200_000,
        amount_at_decision_pence=200_000,
        state="suspended",
    )
    data.in_period = [first, second, third, fourth, fifth, sixth, seventh]
    # 00:30 BST on 1 April 2023 (23:30 UTC on 31 March): the next year.
    late = award("FIN-0008", plain, datetime(2023, 3, 31, 23, 30, tzinfo=UTC))
    # 23:30 BST on 31 March 2022: the year before.
    early = award("FIN-0009", plain, datetime(2022, 3, 31, 22, 30, tzinfo=UTC))
    elsewhere = AwardFactory(
        programme=other, organisation=plain, public_reference="FINX-0001", decided_at=datetime(2022, 6, 1, tzinfo=UTC)
    )
    data.out_of_period = [late, early, elsewhere]

    def pay(award: Any, instalment: int, amount: int, due: date, state: str = "scheduled", **kwargs: Any) -> Any:
        return PaymentFactory(
            award=award, instalment=instalment, amount_pence=amount, due_on=due, state=state, **kwargs
        )

    accepted = ReturnFactory(award=first, period_label="Q1 2022-23", state="accepted")
    p1 = pay(first, 1, 375_025, date(2022, 4, 1), "paid", paid_on=date(2022, 4, 5), finance_reference="=CMD|calc")
    p2 = pay(first, 2, 375_025, date(2022, 10, 1), "approved", monitoring_return_id=accepted.id)
    p3 = pay(second, 1, 250_000, date(2022, 7, 1), "paid", paid_on=date(2022, 7, 2), finance_reference="BACS-002")
    p4 = pay(second, 2, 250_001, date(2023, 4, 1), "scheduled")  # due after the period
    p5 = pay(fourth, 1, 250_000, date(2023, 3, 1), "paid", paid_on=date(2023, 3, 3), finance_reference="BACS-004")
    p6 = pay(fourth, 2, 50_000, date(2023, 3, 31), "cancelled")
    p7 = pay(sixth, 1, 640_000, date(2023, 3, 31), "held")
    p8 = pay(late, 1, 100_000, date(2023, 3, 15), "scheduled")  # award decided later, payment due in the period
    pay(elsewhere, 1, 100_000, date(2022, 6, 15), "paid", paid_on=date(2022, 6, 16), finance_reference="X")
    pay(seventh, 1, 1, date(2022, 3, 31), "paid", paid_on=date(2022, 8, 2), finance_reference="EARLY")  # due before
    data.due_in_period = [p1, p2, p3, p5, p6, p7, p8]
    assert p4.due_on > TO
    # The closed award's underspend came back; the second organisation changed its bank details after
    # it was last paid (2 July 2022).
    data.returned = [
        RecoveryFactory(award=fourth, kind="underspend_returned", amount_pence=12_345, received_on=date(2023, 3, 20),
                        reason="=Unspent venue hire"),
        RecoveryFactory(award=seventh, kind="clawback", amount_pence=1, received_on=date(2023, 1, 10)),
    ]  # fmt: skip
    nasty[1].bank_details_changed_at = datetime(2022, 9, 1, 10, 0, tzinfo=UTC)
    return data


# -- what the database says, asked independently of the export -----------------------------------
def database_totals(data: FinanceData) -> dict[str, int]:
    ids = [a.id for a in data.in_period]
    fallen = [a.id for a in data.in_period if a.state in ("declined", "cancelled")]
    going_ahead = [i for i in ids if i not in fallen]
    awarded = db.session.scalar(select(func.sum(Award.amount_pence)).where(Award.id.in_(going_ahead)))
    fallen_pence = db.session.scalar(select(func.coalesce(func.sum(Award.amount_pence), 0)).where(Award.id.in_(fallen)))
    returned = db.session.scalar(
        select(func.coalesce(func.sum(Recovery.amount_pence), 0)).where(Recovery.award_id.in_(ids))
    )
    at_decision = db.session.scalar(select(func.sum(Award.amount_at_decision_pence)).where(Award.id.in_(ids)))
    paid = db.session.scalar(
        select(func.sum(Payment.amount_pence)).where(Payment.award_id.in_(ids), Payment.state == "paid")
    )
    live = [a.id for a in data.in_period if a.state not in ("declined", "cancelled", "closed")]
    live_awarded = db.session.scalar(select(func.sum(Award.amount_pence)).where(Award.id.in_(live)))
    live_paid = db.session.scalar(
        select(func.coalesce(func.sum(Payment.amount_pence), 0)).where(
            Payment.award_id.in_(live), Payment.state == "paid"
        )
    )
    due = db.session.scalar(
        select(func.sum(Payment.amount_pence))
        .join(Award, Award.id == Payment.award_id)
        .where(Award.programme_id == data.programme.id, Payment.due_on >= FROM, Payment.due_on <= TO)
        .where(Payment.state.in_(("scheduled", "approved", "held")))
    )
    return {
        "awards": len(going_ahead),
        "awarded": int(awarded),
        "fallen_away": len(fallen),
        "fallen_away_pence": int(fallen_pence),
        "at_decision": int(at_decision),
        "paid": int(paid),
        "returned": int(returned),
        "outstanding": int(live_awarded) - int(live_paid),
        "due": int(due),
    }


def pence(value: Any) -> int:
    """A money cell's value (float pounds) back as whole pence; an empty cell is none."""
    return 0 if value in (None, "") else round(float(value) * 100)


def read_workbook(source: Any) -> Any:
    return load_workbook(source)  # normal mode: cells with styles, freeze panes, filters


def sheet_rows(ws: Any) -> list[dict[str, Any]]:
    """The sheet's rows under its header, without its total row (see `total_row`)."""
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    if len(rows) > 1 and str(rows[-1][0] or "").startswith("Total") and str(rows[-1][1] or "").endswith(" rows"):
        rows = rows[:-1]
    return [dict(zip(header, row)) for row in rows[1:]]


def total_row(ws: Any) -> dict[str, Any]:
    """The last row: "Total", "7 rows" and a SUM formula under each money column."""
    rows = list(ws.iter_rows(values_only=True))
    return dict(zip(rows[0], rows[-1]))
