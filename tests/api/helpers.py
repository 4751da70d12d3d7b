"""Building blocks for the JSON API tests: two programmes' worth of rounds, applications, awards, payments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from grants.api.tokens import issue_token
from grants.extensions import db
from grants.models import Application, Award, Payment, Programme, Round, User
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    RoundFactory,
    ensure_terms,
    staff_user,
)

SUBMITTED_AT = datetime(2022, 11, 4, 11, 30, tzinfo=UTC)


@dataclass
class Dataset:
    programme_a: Programme
    programme_b: Programme
    round_a: Round
    round_b: Round
    applications_a: list[Application]
    draft_a: Application
    application_b: Application
    awards_a: list[Award]
    award_b: Award
    payments_a: list[Payment]
    payment_b: Payment
    officer_a: User
    tokens: dict[str, str] = field(default_factory=dict)


def token_for(user: User, role: str, programme: Programme | None = None, *, days: int = 30, name: str = "Test") -> str:
    return issue_token(user=user, role=role, programme=programme, name=name, days=days, issued_by=None).secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def build_dataset() -> Dataset:
    """Programme A (APIA): a round with three submitted bids and a draft, two awards with payments;
    programme B (APIB): one of each. An organisation with bank details, to prove they never leak."""
    terms = ensure_terms(
        {
            ("district", "leeds"): "Leeds",
            ("district", "bradford"): "Bradford",
            ("area_of_focus", "mental_health"): "Mental health",
            ("priority", "safer_places"): "Safer places",
            ("theme", "young_people"): "Young people",
        }
    )
    programme_a = ProgrammeFactory(code="APIA", name="Programme A")
    programme_b = ProgrammeFactory(code="APIB", name="Programme B")
    round_a = RoundFactory(programme=programme_a, code="APIA-R1", budget_pence=50_000_000, state="decided")
    round_b = RoundFactory(programme=programme_b, code="APIB-R1", state="open")
    banked = OrganisationFactory(
        name="Bramley Riverside Group",
        charity_number="1234567",
        bank_account_name="Riverside Group Account",
        bank_sort_code="401234",
        bank_account_number="87654321",
    )
    applications_a = [
        ApplicationFactory(
            round=round_a,
            organisation=banked if n == 0 else OrganisationFactory(),
            public_reference=f"APIA-R1-{n + 1:04d}",
            amount_requested_pence=500_050 + n,
            people_reached=40 + n,
            state=state,
            submitted_at=SUBMITTED_AT,
        )
        for n, state in enumerate(["approved", "submitted", "unsuccessful"])
    ]
    applications_a[0].terms = [terms["leeds"], terms["bradford"], terms["mental_health"], terms["young_people"]]
    draft_a = ApplicationFactory(round=round_a, state="draft")
    application_b = ApplicationFactory(
        round=round_b, public_reference="APIB-R1-0001", state="submitted", submitted_at=SUBMITTED_AT
    )
    awards_a = [
        AwardFactory(
            programme=programme_a,
            organisation=banked,
            application=applications_a[0],
            public_reference="APIA-A-0001",
            amount_pence=123_456,
            amount_at_decision_pence=150_000,
            state="active",
            starts_on=date(2023, 4, 1),
            ends_on=date(2024, 3, 31),
        ),
        AwardFactory(programme=programme_a, public_reference="APIA-A-0002", amount_pence=800_000, state="offered"),
    ]
    award_b = AwardFactory(programme=programme_b, public_reference="APIB-A-0001", state="accepted")
    payments_a = [
        PaymentFactory(
            award=awards_a[0],
            instalment=1,
            amount_pence=100_000,
            due_on=date(2023, 4, 15),
            state="paid",
            paid_on=date(2023, 4, 20),
            finance_reference="FIN-0001",
        ),
        PaymentFactory(award=awards_a[0], instalment=2, amount_pence=23_456, due_on=date(2023, 10, 15)),
        PaymentFactory(award=awards_a[1], instalment=1, amount_pence=800_000, due_on=date(2024, 1, 10)),
    ]
    payment_b = PaymentFactory(award=award_b, instalment=1, due_on=date(2023, 6, 1))
    db.session.commit()
    return Dataset(
        programme_a=programme_a,
        programme_b=programme_b,
        round_a=round_a,
        round_b=round_b,
        applications_a=applications_a,
        draft_a=draft_a,
        application_b=application_b,
        awards_a=awards_a,
        award_b=award_b,
        payments_a=payments_a,
        payment_b=payment_b,
        officer_a=staff_user("officer", programme_a),
    )


def more_awards(programme: Programme, count: int, start: int = 100) -> list[Award]:
    """Awards, each with an application (and its round) and two payments: enough rows to page through."""
    round_ = RoundFactory(programme=programme, code=f"{programme.code}-R9")
    made = []
    for n in range(start, start + count):
        application = ApplicationFactory(
            round=round_, public_reference=f"{round_.code}-{n:04d}", state="approved", submitted_at=SUBMITTED_AT
        )
        award = AwardFactory(programme=programme, application=application, public_reference=f"{programme.code}-M-{n}")
        PaymentFactory(award=award, instalment=1, due_on=date(2023, 5, 1) + timedelta(days=n % 30))
        PaymentFactory(award=award, instalment=2, due_on=date(2023, 11, 1))
        made.append(award)
    return made
