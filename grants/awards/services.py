"""Offers and grant agreements: who may reach which award, and what the officer's award page shows.

The operations live beside this module: `creation` (awards made from a round's approved bids),
`offers` (the officer prepares and sends offers), `acceptance` (the grantee accepts or declines),
`listing` (the officers' list of awards) and `reminders` (offers not answered in time).

Staff reach an award through a role on its programme (officers, finance, decision makers and
admins read it; only officers prepare and send offers, as the award workflow says); a grantee
through membership of its organisation, and only once the offer is sent. Anyone else gets a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants import access
from grants.errors import NotFound
from grants.extensions import db
from grants.formatting import london_day, london_today
from grants.models import Application, Award, Payment, Recovery, Round, Term, User, Variation
from grants.models.budgets import financial_year_label, financial_year_of
from grants.monitoring import grant_facts, rating
from grants.workflow import engine
from grants.workflow_states import state_labels

VIEW_ROLES = access.CASE_PAGE_ROLES  # officer, finance, decision maker, admin
OFFER_ROLES = frozenset({"officer"})  # the award workflow's "offer" transition is the officer's


class AwardError(ValueError):
    """What was entered cannot be used: messages by form field name."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def today(now: datetime | None = None) -> date:
    """Today in West Yorkshire."""
    return london_today(now)


def stream_labels() -> dict[str, str]:
    rows = db.session.execute(select(Term.code, Term.label).where(Term.vocabulary == "budget_stream")).all()
    return dict(rows)


def round_for_officer(code: str, user: Any) -> Round:
    """The round, if the user is an officer on its programme."""
    round_ = db.session.scalar(select(Round).options(joinedload(Round.programme)).where(Round.code == code))
    if round_ is None or not access.staff_roles(user, round_.programme_id) & OFFER_ROLES:
        raise NotFound(code)
    return round_


def award_for_staff(award_id: int, user: Any, roles: frozenset[str] = VIEW_ROLES) -> Award:
    """The award, if the user holds one of `roles` on its programme."""
    award = db.session.get(Award, award_id, options=[joinedload(Award.organisation), joinedload(Award.programme)])
    if award is None or not access.staff_roles(user, award.programme_id) & roles or access.has_conflict(user, award):
        raise NotFound(str(award_id))
    return award


def may_prepare_offer(user: Any, award: Award) -> bool:
    return award.state == "preparing" and bool(access.staff_roles(user, award.programme_id) & OFFER_ROLES)


@dataclass(frozen=True)
class AwardPage:
    """Everything the officer's award page shows."""

    award: Award
    state_label: str
    stream_label: str
    financial_year: str | None
    round: Round | None
    accepted_by: str | None
    payments: list[Payment]
    payment_states: dict[str, str]
    variations: list[Variation]
    variation_states: dict[str, str]
    recoveries: list[Recovery]
    can_prepare_offer: bool
    monitoring: grant_facts.GrantFacts
    flags: list[str]
    rating_label: str
    can_rate: bool
    can_open_variations: bool = False  # the variation pages are for officers, decision makers and admins


def _labels(workflow: str) -> dict[str, str]:
    definition = engine().registry.latest(workflow)
    return {name: state.label for name, state in definition.states.items()}


def award_page(award: Award, user: Any) -> AwardPage:
    round_ = None
    if award.application_id is not None:
        round_ = db.session.scalar(
            select(Round)
            .join(Application, Application.round_id == Round.id)
            .where(Application.id == award.application_id)
        )
    accepted_by = None
    if award.accepted_by_id is not None:
        accepted_by = db.session.scalar(select(User.name).where(User.id == award.accepted_by_id))
    decided = london_day(award.decided_at) if award.decided_at else None
    stream = award.budget_stream or ""
    return AwardPage(
        award=award,
        state_label=state_labels("award").get(award.state, award.state),
        stream_label=stream_labels().get(stream, stream) if stream else "Not set",
        financial_year=financial_year_label(financial_year_of(decided)) if decided else None,
        round=round_,
        accepted_by=accepted_by,
        payments=list(award.payments),
        payment_states=_labels("payment"),
        variations=list(award.variations),
        variation_states=_labels("variation"),
        recoveries=list(award.recoveries),
        can_prepare_offer=may_prepare_offer(user, award),
        monitoring=grant_facts.for_award(award),
        flags=rating.flags_for([award], today()).get(award.id, []),
        rating_label=rating.LABELS[award.rag_rating or ""],
        can_rate="officer" in access.staff_roles(user, award.programme_id),
        can_open_variations=bool(access.staff_roles(user, award.programme_id) & {"officer", "decision_maker", "admin"}),
    )


def live_payments(award: Award) -> list[Payment]:
    """The instalments the grantee is told about: every one not cancelled."""
    return [payment for payment in award.payments if payment.state != "cancelled"]


def offer_link(award: Award) -> str:
    """The grantee's offer page, as a full address for emails."""
    return f"{current_app.config['SERVICE_URL'].rstrip('/')}/awards/offers/{award.id}"
