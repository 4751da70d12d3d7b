"""The contract workflow's own rules: a direct award is justified in writing, above £100,000 two
different decision makers approve, a contract is not ended while an allocation is being paid."""

from __future__ import annotations

from datetime import date

import pytest

from grants.workflow import apply_transition
from tests.commissioning.helpers import need_recorded, provider
from tests.factories import AwardFactory, staff_user
from workflows.engine import TransitionRefused

pytestmark = pytest.mark.usefixtures("db_session")


def refusal(subject, name, user, reason=None) -> str:
    with pytest.raises(TransitionRefused) as refused:
        apply_transition(subject, name, user, reason, commit=False)
    return " ".join(refused.value.reasons)


def awarded_terms(contract, amount_pence: int) -> None:
    contract.provider = provider()
    contract.amount_pence = amount_pence
    contract.cso_reference = "CSO-2026-001"


def test_a_direct_award_without_a_written_justification_is_refused():
    contract = need_recorded()
    officer = staff_user("officer")

    assert "written justification" in refusal(contract, "choose_direct_award", officer)

    contract.direct_award_justification = "Only provider with custody-suite access"
    assert "Contract Standing Orders exception" in refusal(contract, "choose_direct_award", officer)


def test_a_route_needs_the_need_written_down_first():
    contract = need_recorded(need_evidence="  ", estimated_value_pence=None)

    message = refusal(contract, "choose_competition", staff_user("officer"))

    assert "the evidence" in message and "the estimated value" in message


def test_above_100000_pounds_the_same_decision_maker_cannot_approve_twice():
    contract = need_recorded(state="procurement")
    awarded_terms(contract, 10_000_001)
    first, second = staff_user("decision_maker"), staff_user("decision_maker")

    assert "two decision makers" in refusal(contract, "award_contract", first)
    apply_transition(contract, "approve_contract", first, commit=False)
    assert "second, different decision maker" in refusal(contract, "second_approve", first)
    apply_transition(contract, "second_approve", second, commit=False)

    assert contract.state == "contract_awarded"
    assert (contract.approved_by_id, contract.second_approved_by_id) == (first.id, second.id)


def test_at_100000_pounds_one_decision_maker_awards_the_contract():
    contract = need_recorded(state="procurement")
    awarded_terms(contract, 10_000_000)

    apply_transition(contract, "award_contract", staff_user("decision_maker"), commit=False)

    assert contract.state == "contract_awarded"


def test_a_contract_ending_before_it_starts_cannot_be_awarded():
    contract = need_recorded(state="procurement", end_date=date(2026, 3, 31))
    awarded_terms(contract, 5_000_000)

    assert "cannot end before it starts" in refusal(contract, "award_contract", staff_user("decision_maker"))


def test_a_contract_is_not_ended_while_an_allocation_is_still_being_paid():
    contract = need_recorded(state="in_review")
    AwardFactory(contract=contract, public_reference="VRU-2026-001-26", state="in_delivery")

    message = refusal(contract, "end", staff_user("officer"))

    assert "1 allocation is still being paid (VRU-2026-001-26)" in message


def test_an_extension_beyond_the_contract_options_names_the_furthest_date():
    contract = need_recorded(state="in_review", original_end_date=date(2027, 3, 31), extension_months_allowed=12)
    contract.end_date = date(2028, 4, 30)

    message = refusal(contract, "extend", staff_user("decision_maker"), "Demand continues")

    assert "to 31 March 2028" in message
