"""A grant holder asks to change their grant (more time, a different amount) from their grant's page; the
officers are emailed; the grant's page shows where each ask is; only the organisation's members reach it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.formatting import LONDON
from grants.models import Award, OutboxMessage, Variation
from grants.payments import variations
from tests.factories import OrganisationFactory, PaymentFactory, VariationFactory, member_of
from tests.fixtures import post_form
from tests.payments.helpers import applicant_of, audit_count, audit_rows, award, people, text_of

TODAY = datetime.now(LONDON).date()
STARTS = date(2023, 4, 1)
ENDS = TODAY + timedelta(days=90)
WHY = "Our youth worker left; the last sessions move to the summer."


def _grant(team, **kwargs) -> Award:
    values = {"starts_on": STARTS, "ends_on": ENDS, "state": "active"}
    values.update(kwargs)
    return award(team.programme, **values)


def _parts(day: date) -> tuple[str, str, str]:
    return (str(day.day), str(day.month), str(day.year))


def ask_url(award_id: int) -> str:
    return f"/payments/grants/{award_id}/ask-for-a-change"


def ask(client, award_id: int, amount: str = "", ends: tuple[str, str, str] = ("", "", ""), reason: str = WHY):
    data = {"amount": amount, "ends_on-day": ends[0], "ends_on-month": ends[1], "ends_on-year": ends[2]}
    return post_form(client, ask_url(award_id), {**data, "reason": reason}, form_page="/sign-out")


def _variations(award_id: int) -> list[Variation]:
    db.session.expire_all()
    return list(db.session.scalars(select(Variation).where(Variation.award_id == award_id).order_by(Variation.id)))


def _emails_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)))


# -- asking ----------------------------------------------------------------------------------------------
def test_a_grant_holder_asks_for_more_time_from_their_grant_page_and_the_officers_are_emailed(client, sign_in):
    team = people()
    grant = _grant(team)
    holder = applicant_of(grant)
    sign_in(holder)

    page = client.get(f"/grants/{grant.id}").get_data(as_text=True)
    assert f'href="{ask_url(grant.id)}"' in page and "Ask to change this grant" in page
    assert "Ask to change this grant" in text_of(client.get(ask_url(grant.id)))

    later = ENDS + timedelta(days=92)
    response = ask(client, grant.id, ends=_parts(later))

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/grants/{grant.id}")
    [asked] = _variations(grant.id)
    assert (asked.state, asked.workflow_version, asked.requested_by_id) == ("asked", 2, holder.id)
    assert (asked.new_ends_on, asked.old_ends_on, asked.new_amount_pence) == (later, ENDS, None)
    [created] = audit_rows("variation", asked.id, "create")
    assert (created.actor_id, created.from_state, created.to_state, created.reason) == (holder.id, None, "asked", WHY)
    [email] = _emails_to(team.officer.email)
    assert email.subject == f"{grant.organisation.name} asks to change {grant.public_reference}"
    assert WHY in email.body and f"/payments/variations/{asked.id}" in email.body
    assert db.session.get(Award, grant.id).ends_on == ENDS  # nothing changes until it is approved
    shown = text_of(client.get(f"/grants/{grant.id}"))
    assert f"{asked.reference} asked" in shown and "Asked for: waiting for the grants team" in shown
    assert f"You have already asked to change this grant ({asked.reference})" in shown


def test_a_grant_holder_asks_for_a_new_amount_and_more_time_together(client, sign_in):
    team = people()
    grant = _grant(team)
    sign_in(applicant_of(grant))

    assert ask(client, grant.id, "9,000.50", _parts(ENDS + timedelta(days=30))).status_code == 302

    [asked] = _variations(grant.id)
    assert (asked.old_amount_pence, asked.new_amount_pence) == (798_500, 900_050)


WRONG = [
    pytest.param("", ("", "", ""), WHY, {"amount": "Enter a new end date or a new amount, or both"}, id="no-change"),
    pytest.param("   ", ("", "", ""), WHY, {"amount": "Enter a new end date or a new amount, or both"}, id="spaces"),
    pytest.param("\x00", ("", "", ""), WHY, {"amount": "Enter a new end date or a new amount, or both"}, id="nul"),
    pytest.param("0", ("", "", ""), WHY, {"amount": "The new amount must be more than £0"}, id="zero"),
    pytest.param("-500", ("", "", ""), WHY, {"amount": "The new amount must be more than £0"}, id="negative"),
    pytest.param(
        "99999999999999999999",
        ("", "", ""),
        WHY,
        {"amount": "The new amount must be £1,000,000,000.00 or less"},
        id="huge",
    ),
    pytest.param(
        "12 pounds", ("", "", ""), WHY, {"amount": "Enter the new amount in pounds and pence"}, id="not-money"
    ),
    pytest.param("7985", ("", "", ""), WHY, {"amount": "The new amount is the same as your grant now (£7,985.00)"}),
    pytest.param(
        "3000",
        ("", "", ""),
        WHY,
        {"amount": "The new amount cannot be less than has already been paid or approved for payment (£4,000.00)"},
        id="below-paid",
    ),
    pytest.param(
        "", ("1", "3", "2023"), WHY, {"ends_on": "The new end date must be after the start date (1 April 2023)"}
    ),
    pytest.param("", _parts(TODAY - timedelta(days=1)), WHY, {"ends_on": "The new end date must be in the future"}),
    pytest.param("", ("31", "2", "2027"), WHY, {"ends_on": "The new end date must be a real date"}, id="no-such-day"),
    pytest.param("", _parts(ENDS), WHY, {"ends_on": "The new end date is the same as your grant's end date now"}),
    pytest.param("9000", ("", "", ""), "   ", {"reason": "Enter why you need the change"}, id="no-reason"),
    pytest.param(
        "9000", ("", "", ""), "x" * 5001, {"reason": "The reason must be 5,000 characters or fewer"}, id="long"
    ),
]


@pytest.mark.parametrize(("amount", "ends", "reason", "messages"), WRONG)
def test_each_wrong_ask_says_what_is_wrong_keeps_what_was_typed_and_writes_nothing(
    client, sign_in, amount, ends, reason, messages
):
    team = people()
    grant = _grant(team)
    PaymentFactory(award=grant, amount_pence=400_000, state="paid", paid_on=date(2023, 5, 1), finance_reference="F1")
    sign_in(applicant_of(grant))

    response = ask(client, grant.id, amount, ends, reason)

    assert response.status_code == 400
    page, html = text_of(response), response.get_data(as_text=True)
    for field, message in messages.items():
        assert message in page, (message, page[:3000])
        assert f'href="#{field}-day"' in html if field == "ends_on" else f'href="#{field}"' in html
    typed = amount.replace("\x00", "").strip()
    if typed:
        assert f'value="{typed}"' in html  # what was typed comes back
    if ends[0]:
        assert f'value="{ends[0]}"' in html and f'value="{ends[2]}"' in html
    if reason.strip() and len(reason) < 100:
        assert reason in page
    assert _variations(grant.id) == []
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_one_change_at_a_time_and_the_grant_holder_is_told_why(client, sign_in):
    team = people()
    grant = _grant(team)
    sign_in(applicant_of(grant))
    assert ask(client, grant.id, "9000").status_code == 302
    [first] = _variations(grant.id)

    again = ask(client, grant.id, "9500")

    assert again.status_code == 409
    expected = f"You have already asked to change this grant ({first.reference})."
    assert expected in text_of(again)
    assert expected in text_of(client.get(ask_url(grant.id)))
    assert 'name="reason"' not in client.get(ask_url(grant.id)).get_data(as_text=True)  # no form to fill in vain
    assert len(_variations(grant.id)) == 1


def test_a_change_the_officers_asked_for_blocks_an_ask_until_it_is_decided(client, sign_in):
    team = people()
    grant = _grant(team)
    theirs = VariationFactory(award=grant, workflow_version=2)  # an officer's, awaiting approval
    sign_in(applicant_of(grant))

    response = ask(client, grant.id, "9000")

    assert response.status_code == 409
    assert f"A change to this grant is already being decided ({theirs.reference})." in text_of(response)
    assert len(_variations(grant.id)) == 1
    section = text_of(client.get(f"/grants/{grant.id}")).split("Changes you have asked for")[1]
    assert section.startswith(" You have not asked to change this grant.")  # the officers' own is not theirs


def test_an_ended_grant_cannot_be_asked_to_change(client, sign_in):
    team = people()
    grant = _grant(team, state="closed")
    sign_in(applicant_of(grant))

    assert "This grant has ended, so it can no longer be changed." in text_of(client.get(ask_url(grant.id)))
    assert ask(client, grant.id, "9000").status_code == 409
    assert _variations(grant.id) == []


# -- who may ask -----------------------------------------------------------------------------------------
def test_only_members_of_the_organisation_reach_the_ask_page_and_anyone_else_writes_nothing(client, sign_in):
    team = people()
    grant = _grant(team)
    outsider = member_of(OrganisationFactory())
    sign_in(outsider)

    assert client.get(ask_url(grant.id)).status_code == 404
    assert client.get(f"{ask_url(grant.id)}/withdraw").status_code == 404
    assert ask(client, grant.id, "9000").status_code == 404
    assert post_form(client, f"{ask_url(grant.id)}/withdraw", {"reason": "x"}, form_page="/sign-out").status_code == 404
    assert _variations(grant.id) == []
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_staff_of_the_programme_are_not_grant_holders_here(client, sign_in):
    team = people()
    grant = _grant(team)
    sign_in(team.officer)

    assert client.get(ask_url(grant.id)).status_code == 404
    assert ask(client, grant.id, "9000").status_code == 404
    assert _variations(grant.id) == []


def test_a_grant_not_yet_accepted_has_no_ask_page(client, sign_in):
    team = people()
    offered = _grant(team, state="offered")
    sign_in(applicant_of(offered))

    assert client.get(ask_url(offered.id)).status_code == 404
    assert ask(client, offered.id, "9000").status_code == 404


# -- withdrawing -----------------------------------------------------------------------------------------
def test_the_grant_holder_withdraws_their_ask_with_a_reason_and_may_then_ask_again(client, sign_in):
    team = people()
    grant = _grant(team)
    holder = applicant_of(grant)
    sign_in(holder)
    ask(client, grant.id, "9000")
    [asked] = _variations(grant.id)
    assert f'href="{ask_url(grant.id)}/withdraw"' in client.get(f"/grants/{grant.id}").get_data(as_text=True)
    url = f"{ask_url(grant.id)}/withdraw"

    missing = post_form(client, url, {"version_id": str(asked.version_id), "reason": " "})
    assert missing.status_code == 400
    assert "Enter why you are withdrawing your request" in text_of(missing)

    done = post_form(client, url, {"version_id": str(asked.version_id), "reason": "The new worker started early"})

    assert done.status_code == 302
    assert _variations(grant.id)[0].state == "withdrawn"
    [row] = audit_rows("variation", asked.id, "withdraw")
    assert (row.actor_id, row.from_state, row.to_state, row.reason) == (
        holder.id,
        "asked",
        "withdrawn",
        "The new worker started early",
    )
    page = text_of(client.get(f"/grants/{grant.id}"))
    assert "Withdrawn on" in page and "Reason: The new worker started early" in page
    assert ask(client, grant.id, "9100").status_code == 302  # a new ask is welcome now


def test_a_prepared_ask_is_no_longer_the_grant_holders_to_withdraw(client, sign_in):
    team = people()
    grant = _grant(team)
    holder = applicant_of(grant)
    sign_in(holder)
    ask(client, grant.id, "9000")
    [asked] = _variations(grant.id)
    version = asked.version_id
    variations.prepare(team.officer, asked, "9000", ("", "", ""), WHY, version)

    response = post_form(
        client,
        f"{ask_url(grant.id)}/withdraw",
        {"version_id": str(version), "reason": "No longer"},
        form_page="/sign-out",
    )

    assert response.status_code == 302
    assert _variations(grant.id)[0].state == "requested"
    assert audit_count("variation", asked.id, "withdraw") == 0
    assert "Being decided" in text_of(client.get(f"/grants/{grant.id}"))


# -- where each ask is -------------------------------------------------------------------------------------
def _ask_as(holder, grant: Award, amount: str) -> Variation:
    from grants.payments import asks

    return asks.ask_for_variation(holder, grant, amount, ("", "", ""), WHY)


def test_the_grant_page_shows_where_each_ask_is_with_the_reason_it_was_declined(client, sign_in):
    team = people()
    grant = _grant(team)
    holder = applicant_of(grant)

    declined = _ask_as(holder, grant, "9000")
    variations.decide(team.officer, declined, "decline", "The fund has no money left this year", declined.version_id)
    rejected = _ask_as(holder, grant, "9100")
    variations.prepare(team.officer, rejected, "9100", ("", "", ""), WHY, rejected.version_id)
    variations.decide(team.decision_maker, rejected, "reject", "Not value for money", rejected.version_id)
    approved = _ask_as(holder, grant, "8200")
    variations.prepare(team.officer, approved, "8200", ("", "", ""), WHY, approved.version_id)
    variations.decide(team.decision_maker, approved, "approve", "", approved.version_id)
    deciding = _ask_as(holder, grant, "8300")
    variations.prepare(team.officer, deciding, "8300", ("", "", ""), WHY, deciding.version_id)
    sign_in(holder)

    page = text_of(client.get(f"/grants/{grant.id}"))

    section = page.split("Changes you have asked for")[1]
    assert f"{deciding.reference} asked" in section and "Being decided" in section
    assert "Approved on" in section and "Rejected on" in section
    assert "Not value for money" not in section  # the decision maker's words are for the officers
    assert "Declined on" in section and "Reason: The fund has no money left this year" in section
    assert section.index(deciding.reference) < section.index(approved.reference) < section.index(declined.reference)
    assert db.session.get(Award, grant.id).amount_pence == 820_000
    [declined_email] = [e for e in _emails_to(holder.email) if declined.reference in e.subject]
    assert "The fund has no money left this year" in declined_email.body
    assert "You asked for: amount £7,985.00 to £9,000.00." in declined_email.body


def test_an_officer_cannot_withdraw_a_grant_holders_ask_but_declines_it(client, sign_in):
    team = people()
    grant = _grant(team)
    asked = _ask_as(applicant_of(grant), grant, "9000")
    sign_in(team.officer)

    response = post_form(
        client,
        f"/payments/variations/{asked.id}/withdraw",
        {"version_id": str(asked.version_id), "reason": "Tidying up"},
        form_page="/sign-out",
    )

    assert response.status_code == 400
    assert "The grant holder may withdraw their own ask; an officer declines it instead" in text_of(response)
    assert _variations(grant.id)[0].state == "asked"
