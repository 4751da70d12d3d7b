"""Awards made from a round's approved bids, ready for the officer to send as offers.

One award per approved application (Award.application_id is unique): running it again makes
only the awards still missing, and two officers pressing the button at once make each award
once (the second finds the first's awards and makes none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from grants.agreement_terms import standard_text, terms_for_new_award
from grants.extensions import db
from grants.formatting import LONDON
from grants.models import Application, ApplicationSection, Approval, Award, Budget, Recommendation, Round
from grants.models.base import utcnow
from grants.models.budgets import financial_year_of
from grants.workflow import start_case

APPROVED = "approved"
# Date questions whose answers are the project's planned dates (see the round's question set).
START_DATE_KEYS = ("start_date",)
END_DATE_KEYS = ("end_date",)

# The reference file's standard terms (version 1 of every programme's). An award starts with its
# programme's newest version (grants.agreement_terms), which an admin may have edited since.
STANDARD_AGREEMENT_TERMS = standard_text()


@dataclass(frozen=True)
class RoundAwards:
    """Where a round's approved bids stand on their way to becoming accepted grants."""

    round: Round
    approved: int
    approved_pence: int
    without_award: int
    by_state: dict[str, int]
    awarded_pence: int

    @property
    def preparing(self) -> int:
        return self.by_state.get("preparing", 0)

    @property
    def awards(self) -> int:
        return sum(self.by_state.values())


def round_awards_filter(round_: Round) -> Any:
    return Award.application_id.in_(select(Application.id).where(Application.round_id == round_.id))


def round_summary(round_: Round) -> RoundAwards:
    approved_amount = func.coalesce(Recommendation.recommended_amount_pence, Application.amount_requested_pence)
    approved, approved_pence = db.session.execute(
        select(func.count(Application.id), func.coalesce(func.sum(approved_amount), 0))
        .outerjoin(Recommendation, Recommendation.application_id == Application.id)
        .where(Application.round_id == round_.id, Application.state == APPROVED)
    ).one()
    without = db.session.scalar(select(func.count()).select_from(_approved_without_award(round_).subquery())) or 0
    by_state: dict[str, int] = {}
    awarded = 0
    for state, count, pence in db.session.execute(
        select(Award.state, func.count(Award.id), func.coalesce(func.sum(Award.amount_pence), 0))
        .where(round_awards_filter(round_))
        .group_by(Award.state)
    ):
        by_state[state] = int(count)
        awarded += int(pence)
    return RoundAwards(
        round=round_,
        approved=int(approved),
        approved_pence=int(approved_pence),
        without_award=int(without),
        by_state=by_state,
        awarded_pence=awarded,
    )


def _approved_without_award(round_: Round) -> Any:
    return (
        select(Application)
        .where(
            Application.round_id == round_.id,
            Application.state == APPROVED,
            ~exists(select(Award.id).where(Award.application_id == Application.id)),
        )
        .order_by(Application.public_reference, Application.id)
    )


def _approved_amounts(ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Recommendation.application_id, Recommendation.recommended_amount_pence).where(
            Recommendation.application_id.in_(ids), Recommendation.recommended_amount_pence.is_not(None)
        )
    )
    return {application_id: int(amount or 0) for application_id, amount in rows}


def _conditions(ids: list[int]) -> dict[int, list[str]]:
    """The panel's conditions, then each decision maker's, in the order given; repeats left out."""
    found: dict[int, list[str]] = {}

    def add(application_id: int, text: str | None) -> None:
        text = (text or "").strip()
        if text and text not in found.setdefault(application_id, []):
            found[application_id].append(text)

    for application_id, text in db.session.execute(
        select(Recommendation.application_id, Recommendation.conditions).where(Recommendation.application_id.in_(ids))
    ):
        add(application_id, text)
    for application_id, text in db.session.execute(
        select(Approval.application_id, Approval.conditions)
        .where(Approval.application_id.in_(ids))
        .order_by(Approval.id)
    ):
        add(application_id, text)
    return found


def _iso_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _project_dates(ids: list[int]) -> dict[int, tuple[date | None, date | None]]:
    """The planned start and end dates from the answers, where the form asked for them."""
    dates: dict[int, tuple[date | None, date | None]] = {}
    for application_id, answers in db.session.execute(
        select(ApplicationSection.application_id, ApplicationSection.answers).where(
            ApplicationSection.application_id.in_(ids)
        )
    ):
        values = (answers or {}).get("values") or {}
        starts, ends = dates.get(application_id, (None, None))
        for key in START_DATE_KEYS:
            starts = starts or _iso_date(values.get(key))
        for key in END_DATE_KEYS:
            ends = ends or _iso_date(values.get(key))
        dates[application_id] = (starts, ends)
    return dates


def _cost_centres(stream: str | None) -> dict[int, str]:
    if not stream:
        return {}
    rows = db.session.execute(select(Budget.financial_year, Budget.cost_centre).where(Budget.budget_stream == stream))
    return {int(year): cost_centre for year, cost_centre in rows}


def _make_awards(round_: Round, user: Any, now: datetime) -> list[Award]:
    applications = list(db.session.scalars(_approved_without_award(round_)))
    if not applications:
        return []
    ids = [application.id for application in applications]
    amounts = _approved_amounts(ids)
    conditions = _conditions(ids)
    dates = _project_dates(ids)
    programme = round_.programme
    cost_centres = _cost_centres(programme.budget_stream)
    agreement_terms = terms_for_new_award(programme.id)  # a copy: a later edit of the terms leaves it be
    created = []
    for application in applications:
        decided_at = application.state_changed_at  # "approved" is final: the moment of the decision
        amount = amounts.get(application.id, application.amount_requested_pence)
        starts_on, ends_on = dates.get(application.id, (None, None))
        award = Award(
            public_reference=application.reference,
            programme_id=programme.id,
            organisation_id=application.organisation_id,
            application_id=application.id,
            title=(application.project_title or application.reference)[:200],
            amount_pence=amount,
            amount_at_decision_pence=amount,
            decided_at=decided_at,
            budget_stream=programme.budget_stream,
            cost_centre=cost_centres.get(financial_year_of(decided_at.astimezone(LONDON).date())),
            starts_on=starts_on,
            ends_on=ends_on,
            agreement_terms=agreement_terms,
            offer_conditions="\n\n".join(conditions.get(application.id, [])),
        )
        start_case(award, "award", user, now=now)
        created.append(award)
    db.session.commit()
    return created


def create_awards_for_round(round_: Round, user: Any, now: datetime | None = None) -> list[Award]:
    """An award (state "preparing") for each approved bid of the round that has none; the new ones.

    The amount is the approved amount (the panel's recommended amount, else the amount asked
    for), kept as the amount at decision too; the budget stream is the programme's and the cost
    centre that stream's budget's for the financial year of the decision.
    """
    now = now or utcnow()
    round_id = round_.id
    try:
        return _make_awards(round_, user, now)
    except IntegrityError:
        # Someone else made some of these awards at the same moment: make only what is still missing.
        db.session.rollback()
        round_ = db.session.get_one(Round, round_id)
        return _make_awards(round_, user, now)
