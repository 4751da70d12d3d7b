"""Demo data: realistic, fictional organisations on the real shapes of docs/domain.md.

`grantflow demo` runs `load_demo`; it is idempotent (everything is looked up by its code, reference
or email before it is made) and refused in production. It seeds the reference data first
(grants.setup.seed: programmes, vocabularies) and adds only fictional organisations, people, rounds,
applications, awards and history on top. Only grants.cli imports this package (an import-linter
contract says so).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from grants.demo import awards as demo_awards
from grants.demo import case_officers as demo_case_officers
from grants.demo import commissioning as demo_commissioning
from grants.demo import commissioning_details
from grants.demo import history as demo_history
from grants.demo import variation_asks as demo_variation_asks
from grants.demo.accounts import (
    ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    SECOND_DECISION_MAKER,
    SECOND_FINANCE,
    accounts,
    enrol_with_demo_key,
    member,
    organisations,
)
from grants.demo.assessment import assess_round3
from grants.demo.assessment_criteria import PANEL, ensure_criteria, panel_accounts
from grants.demo.contract_states import settle_contracts
from grants.demo.featured import featured_cases
from grants.demo.rounds import give_forms, mscf_rounds
from grants.extensions import db
from grants.models import Programme
from grants.setup.seed import seed

__all__ = ["DEMO_PASSWORD", "DEMO_TOTP_SECRET", "load_demo"]


def _programmes() -> dict[str, Programme]:
    """The seeded programmes, by code."""
    return {programme.code: programme for programme in db.session.scalars(select(Programme))}


def _programme_leads(programmes: dict[str, Programme], officer: Any) -> None:
    """The demo's officer leads each programme (escalations of long-overdue returns go to the lead)."""
    for programme in programmes.values():
        if programme.lead_user_id is None:
            programme.lead_user_id = officer.id


def load_demo() -> list[tuple[str, str]]:
    """Load (or top up) the demo data; returns the demo accounts as (email, role)."""
    seed()
    programmes = _programmes()
    demo_awards.ensure_budgets()
    orgs = organisations()
    users = accounts(orgs["Bramley Community Kitchen"], programmes["MSCF"])
    rounds, later_round_steps = mscf_rounds(programmes["MSCF"], users)
    db.session.flush()
    give_forms(rounds)
    for number in (3, 4):
        ensure_criteria(rounds[number])
    panel = panel_accounts(programmes["MSCF"], users["assessor"].password_hash)
    enrol_with_demo_key(panel)
    featured_cases(rounds, later_round_steps, orgs, programmes, users, panel)
    # A demo loaded before assessment existed: Round 3 is assessed now (a no-op once done).
    assess_round3(rounds[3], users["officer"], users["decision_maker"], panel)
    demo_awards.award_round3(rounds[3], users, lambda organisation: member(organisation, users["applicant"]))
    demo_history.import_rounds_1_and_2(rounds, users)
    demo_commissioning.load_commissioning(
        programmes, users, lambda organisation: member(organisation, users["applicant"])
    )
    commissioning_details.load_details(programmes, users)
    settle_contracts(users["officer"], date.today())
    _programme_leads(programmes, users["officer"])
    demo_case_officers.name_officer(rounds, users["officer"])
    demo_variation_asks.grant_holders_ask(lambda organisation: member(organisation, users["applicant"]))
    db.session.commit()
    demo_accounts = [(email, role) for email, _name, role in ACCOUNTS]
    demo_accounts += [(SECOND_DECISION_MAKER[0], "decision_maker"), (SECOND_FINANCE[0], "finance")]
    return demo_accounts + [(email, "assessor") for email, _name in PANEL if email not in dict(demo_accounts)]
