"""Officers turn a round's approved bids into awards, prepare and send the offers, and read the awards."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from grants.awards.creation import STANDARD_AGREEMENT_TERMS, create_awards_for_round
from grants.extensions import db
from grants.models import Award, OutboxMessage
from tests.awards.helpers import (
    DECIDED_AT,
    approved_bid,
    audit_count,
    date_boxes,
    day_parts,
    london_today,
)
from tests.factories import (
    AwardFactory,
    BudgetFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    RecoveryFactory,
    RoundFactory,
    VariationFactory,
    ensure_terms,
    member_of,
    staff_user,
)
from tests.fixtures import post_form
from tests.statements import counting_selects


@pytest.fixture
def programme():
    ensure_terms({("budget_stream", "community_safety"): "Community Safety"})
    return ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund", budget_stream="community_safety")


@pytest.fixture
def round_(programme):
    return RoundFactory(programme=programme, code="MSCF-R3", title="Safer Communities Round 3", state="decided")


@pytest.fixture
def officer(programme):
    return staff_user("officer", programme)


def awards_of(round_) -> list[Award]:
    return list(
        db.session.scalars(
            select(Award).where(Award.public_reference.like(f"{round_.code}-%")).order_by(Award.public_reference)
        )
    )


# -- making awards from approved bids ------------------------------------------------------------
def test_each_approved_bid_becomes_an_award_for_the_approved_amount_with_its_facts(round_, officer):
    BudgetFactory(budget_stream="community_safety", financial_year=2022, cost_centre="PCC-CS-2223")
    BudgetFactory(budget_stream="community_safety", financial_year=2023, cost_centre="PCC-CS-2324")
    boxing = approved_bid(
        round_,
        requested=798_550,
        recommended=750_025,
        panel_conditions="Update the safeguarding policy before the first payment.",
        approval_conditions="Report quarterly on knife-crime referrals.",
        dates=("2023-03-01", "2024-02-29"),
        title="Gloves Not Knives",
    )
    asked = approved_bid(round_, requested=412_310)

    created = create_awards_for_round(round_, officer)

    assert len(created) == 2
    first, second = awards_of(round_)
    assert first.public_reference == boxing.public_reference and first.application_id == boxing.id
    assert (first.amount_pence, first.amount_at_decision_pence) == (750_025, 750_025)
    assert second.amount_pence == second.amount_at_decision_pence == 412_310  # no panel amount: what was asked
    assert first.title == "Gloves Not Knives"
    assert first.organisation_id == boxing.organisation_id and first.programme_id == round_.programme_id
    assert first.decided_at == DECIDED_AT
    assert (first.budget_stream, first.cost_centre) == ("community_safety", "PCC-CS-2223")
    assert (first.starts_on, first.ends_on) == (date(2023, 3, 1), date(2024, 2, 29))
    assert (second.starts_on, second.ends_on) == (None, None)
    assert first.offer_conditions == (
        "Update the safeguarding policy before the first payment.\n\nReport quarterly on knife-crime referrals."
    )
    assert first.agreement_terms == STANDARD_AGREEMENT_TERMS
    assert (first.workflow, first.workflow_version, first.state) == ("award", 2, "preparing")
    assert audit_count(first, "create") == 1
    assert asked.id == second.application_id


def test_the_standard_agreement_states_the_conditions_of_grant():
    for words in (
        "only on the project",
        "monitoring returns",
        "repay any part of the grant not spent",
        "acknowledge the Mayor of West Yorkshire's funding",
        "safeguarding policy",
        "Data Protection Act 2018",
    ):
        assert words in STANDARD_AGREEMENT_TERMS


def test_making_awards_twice_makes_each_award_once(round_, officer):
    approved_bid(round_, requested=100_000)
    approved_bid(round_, requested=200_000)
    approved_bid(round_, state="unsuccessful")
    approved_bid(RoundFactory(programme=round_.programme), requested=300_000)  # another round

    first = create_awards_for_round(round_, officer)
    approved_bid(round_, requested=400_000)  # approved later
    second = create_awards_for_round(round_, officer)
    third = create_awards_for_round(round_, officer)

    assert [a.amount_pence for a in first] == [100_000, 200_000]
    assert [a.amount_pence for a in second] == [400_000]
    assert third == []
    assert [a.amount_pence for a in awards_of(round_)] == [100_000, 200_000, 400_000]


def test_the_cost_centre_is_left_empty_without_a_budget_for_the_year_of_the_decision(round_, officer):
    BudgetFactory(budget_stream="community_safety", financial_year=2024, cost_centre="PCC-CS-2425")
    approved_bid(round_)

    (award,) = create_awards_for_round(round_, officer)

    assert award.cost_centre is None


def test_the_round_page_prepares_offers_for_the_approved_bids(client, sign_in, round_, officer):
    approved_bid(round_, requested=100_000)
    approved_bid(round_, requested=250_050)
    sign_in(officer)

    page = client.get("/awards/rounds/MSCF-R3").get_data(as_text=True)
    assert "Prepare offers for 2 approved bids" in page
    assert "2, for £3,500.50" in page

    response = post_form(client, "/awards/rounds/MSCF-R3/prepare", {}, form_page="/awards/rounds/MSCF-R3")
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "2 offers prepared" in page
    assert len(awards_of(round_)) == 2
    assert "Prepare offers for" not in page
    assert "Send all 2 prepared offers" in page


def test_the_round_page_is_not_found_for_an_officer_of_another_programme(client, sign_in, round_):
    sign_in(staff_user("officer", ProgrammeFactory()))

    assert client.get("/awards/rounds/MSCF-R3").status_code == 404


# -- the offer ------------------------------------------------------------------------------------
@pytest.fixture
def prepared(round_, officer):
    organisation = OrganisationFactory(name="Calder Valley Boxing Club CIC")
    member_of(organisation, email="coach@boxing.example")
    approved_bid(
        round_, recommended=798_550, panel_conditions="Share the safeguarding policy.", organisation=organisation
    )
    (award,) = create_awards_for_round(round_, officer)
    return award


def offer_fields(award, **changes) -> dict:
    fields = {
        "offer_conditions": award.offer_conditions,
        "agreement_terms": award.agreement_terms,
        "respond_by": day_parts(london_today() + timedelta(days=20)),
        "version_id": str(award.version_id),
        "action": "send",
    }
    return {**fields, **changes}


def test_the_offer_form_starts_with_the_decision_conditions_the_standard_terms_and_a_reply_by_date(
    client, sign_in, prepared, officer, app
):
    sign_in(officer)

    page = client.get(f"/awards/{prepared.id}/offer").get_data(as_text=True)

    due = london_today() + timedelta(days=app.config["OFFER_RESPONSE_DAYS"])
    assert "Share the safeguarding policy." in page
    assert "Data Protection Act 2018" in page
    assert date_boxes(page, "respond_by") == day_parts(due)
    assert "£7,985.50" in page


def test_sending_the_offer_emails_the_organisation_with_the_amount_and_the_reply_by_date(
    client, sign_in, prepared, officer
):
    sign_in(officer)
    url = f"/awards/{prepared.id}/offer"
    reply_by = london_today() + timedelta(days=20)

    response = post_form(client, url, offer_fields(prepared, offer_conditions="Share the safeguarding policy by May."))

    assert response.status_code == 302
    db.session.expire_all()
    award = db.session.get(Award, prepared.id)
    assert award.state == "offered"
    assert award.respond_by == reply_by
    assert award.offer_conditions == "Share the safeguarding policy by May."
    assert award.offered_at is not None
    (email,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "coach@boxing.example"))
    assert email.subject == (
        f"Your grant offer {award.public_reference} for £7,985.50: please reply by {reply_by.day} {reply_by:%B %Y}"
    )
    assert "£7,985.50" in email.body
    assert f"{reply_by.day} {reply_by:%B %Y}" in email.body
    assert f"/awards/offers/{award.id}" in email.body
    assert "Share the safeguarding policy by May." in email.body
    assert audit_count(award, "offer") == 1


def test_an_offer_without_agreement_terms_is_not_sent_and_says_why(client, sign_in, prepared, officer):
    sign_in(officer)
    url = f"/awards/{prepared.id}/offer"

    response = post_form(client, url, offer_fields(prepared, agreement_terms="  ", offer_conditions="Kept text."))

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Add the grant agreement terms before sending the offer." in page
    assert 'href="#agreement_terms"' in page
    assert "Kept text." in page
    db.session.expire_all()
    award = db.session.get(Award, prepared.id)
    assert award.state == "preparing"
    assert award.offer_conditions == "Kept text."  # what was typed is saved, not lost


def test_an_offer_without_a_reply_by_date_is_not_sent_and_says_why(client, sign_in, prepared, officer):
    sign_in(officer)

    response = post_form(client, f"/awards/{prepared.id}/offer", offer_fields(prepared, respond_by=["", "", ""]))

    assert response.status_code == 400
    assert "Set the date the grantee must reply by." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Award, prepared.id).state == "preparing"


def test_a_reply_by_date_in_the_past_is_refused_and_kept_as_typed(client, sign_in, prepared, officer):
    sign_in(officer)
    past = london_today() - timedelta(days=1)

    response = post_form(client, f"/awards/{prepared.id}/offer", offer_fields(prepared, respond_by=day_parts(past)))

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The date to reply by must be in the future" in page
    assert 'href="#respond_by-day"' in page
    assert date_boxes(page, "respond_by") == day_parts(past)


def test_saving_without_sending_keeps_the_offer_in_preparation(client, sign_in, prepared, officer):
    sign_in(officer)

    response = post_form(
        client, f"/awards/{prepared.id}/offer", offer_fields(prepared, action="save", offer_conditions="Draft.")
    )

    assert response.status_code == 302
    db.session.expire_all()
    award = db.session.get(Award, prepared.id)
    assert (award.state, award.offer_conditions) == ("preparing", "Draft.")


def test_an_offer_changed_by_someone_else_meanwhile_is_not_overwritten(client, sign_in, prepared, officer):
    sign_in(officer)
    url = f"/awards/{prepared.id}/offer"
    stale = offer_fields(prepared, action="save", offer_conditions="Mine.")
    post_form(client, url, offer_fields(prepared, action="save", offer_conditions="Theirs."))

    response = post_form(client, url, stale)

    assert response.status_code == 409
    assert "Someone else changed this award" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Award, prepared.id).offer_conditions == "Theirs."


@pytest.mark.parametrize("role", ["assessor", "finance", "decision_maker"])
def test_only_officers_send_offers(client, sign_in, prepared, role):
    sign_in(staff_user(role, prepared.programme))

    response = post_form(client, f"/awards/{prepared.id}/offer", offer_fields(prepared), form_page="/sign-in")

    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Award, prepared.id).state == "preparing"


def test_an_officer_of_another_programme_cannot_see_the_offer(client, sign_in, prepared):
    sign_in(staff_user("officer", ProgrammeFactory()))

    assert client.get(f"/awards/{prepared.id}/offer").status_code == 404
    assert client.get(f"/awards/{prepared.id}").status_code == 404


def test_send_all_sends_every_prepared_offer_and_lists_each_refused_one_with_its_reason(
    client, sign_in, round_, officer, app
):
    for amount in (100_000, 200_000, 300_000):
        approved_bid(round_, requested=amount)
    create_awards_for_round(round_, officer)
    first, second, third = awards_of(round_)
    second.agreement_terms = ""
    db.session.commit()
    sign_in(officer)

    response = post_form(client, "/awards/rounds/MSCF-R3/send", {}, form_page="/awards/rounds/MSCF-R3")

    page = response.get_data(as_text=True)
    assert "2 offers sent; 1 not sent" in page
    not_sent = page.split('id="not-sent"')[1]
    assert second.public_reference in not_sent
    assert "Add the grant agreement terms before sending the offer." in not_sent
    assert first.public_reference not in not_sent
    db.session.expire_all()
    assert [a.state for a in awards_of(round_)] == ["offered", "preparing", "offered"]
    assert awards_of(round_)[0].respond_by == london_today() + timedelta(days=app.config["OFFER_RESPONSE_DAYS"])


def test_send_all_leaves_an_offer_whose_reply_by_date_has_passed_for_the_officer_to_change(
    client, sign_in, prepared, officer
):
    prepared.respond_by = london_today() - timedelta(days=1)
    db.session.commit()
    sign_in(officer)

    response = post_form(client, "/awards/rounds/MSCF-R3/send", {}, form_page="/awards/rounds/MSCF-R3")

    page = response.get_data(as_text=True)
    assert "0 offers sent; 1 not sent" in page
    assert "has passed: change it first" in page
    db.session.expire_all()
    assert db.session.get(Award, prepared.id).state == "preparing"


# -- the list and the award page --------------------------------------------------------------------
def test_the_awards_list_shows_a_programmes_awards_filtered_by_state(client, sign_in, programme, officer):
    AwardFactory(programme=programme, public_reference="MSCF-R3-0002", title="Street Angels", state="offered")
    AwardFactory(programme=programme, public_reference="MSCF-R3-0001", title="Gloves Not Knives", amount_pence=798_550)
    AwardFactory(public_reference="VRU-2023-001", title="Someone else's")  # another programme
    sign_in(officer)

    everything = client.get("/awards/?programme=MSCF").get_data(as_text=True)
    offered = client.get("/awards/?programme=MSCF&state=offered").get_data(as_text=True)

    assert re.findall(r">(MSCF-R3-\d{4})</a>", everything) == ["MSCF-R3-0001", "MSCF-R3-0002"]
    assert "Someone else&#39;s" not in everything and "VRU-2023-001" not in everything
    assert "2 awards worth £15,985.50" in everything
    assert "Street Angels" in offered and "Gloves Not Knives" not in offered


def test_the_awards_list_filters_by_round(client, sign_in, round_, officer):
    round_4 = RoundFactory(programme=round_.programme, code="MSCF-R4")
    approved_bid(round_, requested=100_000, title="In round three")
    approved_bid(round_4, requested=200_000, title="In round four")
    create_awards_for_round(round_, officer)
    create_awards_for_round(round_4, officer)
    sign_in(officer)

    page = client.get("/awards/?round=MSCF-R4").get_data(as_text=True)

    assert "In round four" in page and "In round three" not in page


def test_the_awards_list_costs_the_same_statements_for_3_or_30_awards(client, sign_in, programme, officer):
    sign_in(officer)

    def statements() -> int:
        with counting_selects() as seen:
            response = client.get("/awards/?programme=MSCF&state=accepted")
            assert response.status_code == 200
        return len(seen)

    for _ in range(3):
        AwardFactory(programme=programme)
    few = statements()
    for _ in range(27):
        AwardFactory(programme=programme)
    many = statements()

    assert few == many
    assert "30 awards" in client.get("/awards/?programme=MSCF&state=accepted").get_data(as_text=True)


def test_the_award_page_shows_the_facts_offer_acceptance_payments_variations_and_recoveries(
    client, sign_in, programme, officer
):
    award = AwardFactory(
        programme=programme,
        public_reference="MSCF-R3-0001",
        amount_pence=750_000,
        amount_at_decision_pence=798_550,
        cost_centre="PCC-CS-2223",
        starts_on=date(2023, 3, 1),
        ends_on=date(2024, 2, 29),
        offer_conditions="Share the safeguarding policy.",
        agreement_terms=STANDARD_AGREEMENT_TERMS,
        offered_at=datetime(2023, 2, 13, 10, 0, tzinfo=UTC),
        respond_by=date(2023, 3, 13),
        signatory_name="Aisha Khan",
        signatory_position="Chair of Trustees",
        signed_on=date(2023, 2, 20),
        declaration_agreed=True,
        accepted_at=datetime(2023, 2, 20, 11, 30, tzinfo=UTC),
        accepted_by_id=member_of(OrganisationFactory(), name="Aisha Khan (online)").id,
    )
    PaymentFactory(award=award, instalment=1, amount_pence=600_000, due_on=date(2023, 3, 15))
    PaymentFactory(award=award, instalment=2, amount_pence=150_000, due_on=date(2023, 9, 15))
    VariationFactory(award=award, new_amount_pence=750_000, reason="Venue costs fell.")
    RecoveryFactory(award=award, amount_pence=12_345, reason="Unspent on catering.")
    sign_in(officer)

    page = client.get(f"/awards/{award.id}").get_data(as_text=True)

    for text in (
        "£7,500.00",
        "£7,985.50",
        "Community Safety",
        "PCC-CS-2223",
        "1 March 2023 to 29 February 2024",
        "Share the safeguarding policy.",
        "13 March 2023",
        "Aisha Khan",
        "Chair of Trustees",
        "20 February 2023",
        "by Aisha Khan (online)",
        "15 September 2023",
        "£1,500.00",
        "Venue costs fell.",
        "Unspent on catering.",
        "£123.45",
        f"/cases/award/{award.id}",
    ):
        assert text in page, text


@pytest.mark.parametrize("role", ["finance", "decision_maker"])
def test_finance_and_decision_makers_read_the_award_but_are_not_offered_the_offer_form(client, sign_in, prepared, role):
    sign_in(staff_user(role, prepared.programme))

    page = client.get(f"/awards/{prepared.id}")

    assert page.status_code == 200
    assert "Prepare and send the offer" not in page.get_data(as_text=True)
