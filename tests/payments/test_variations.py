"""Variations (asked for by an officer, decided by a decision maker), recoveries and closure."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from grants.extensions import db
from grants.models import Award, Recovery, Variation
from tests.factories import PaymentFactory, ProgrammeFactory, VariationFactory, staff_user
from tests.fixtures import post_form
from tests.payments.helpers import (
    audit_count,
    audit_rows,
    award,
    people,
    schedule_url,
    text_of,
)

MAY = date(2023, 5, 1)


def _ask(client, award_id: int, amount: str = "", ends: tuple[str, str, str] = ("", "", ""), reason: str = ""):
    data = {"amount": amount, "ends_on-day": ends[0], "ends_on-month": ends[1], "ends_on-year": ends[2]}
    url = f"/payments/awards/{award_id}/variations/new"
    return post_form(client, url, {**data, "reason": reason}, form_page="/sign-out")


def _decide(client, variation, action: str, reason: str = "", version: int | None = None):
    data = {"version_id": str(variation.version_id if version is None else version), "reason": reason}
    return post_form(client, f"/payments/variations/{variation.id}/{action}", data, form_page="/sign-out")


def _variations(award_id: int) -> list[Variation]:
    db.session.expire_all()
    return list(db.session.scalars(select(Variation).where(Variation.award_id == award_id)))


def _award(award_id: int) -> Award:
    db.session.expire_all()
    return db.session.get(Award, award_id)


# -- asking for a variation ---------------------------------------------------------------------------
def test_an_officer_asks_to_change_the_amount_and_end_date_with_a_reason(client, sign_in):
    team = people()
    grant = award(team.programme, starts_on=date(2023, 4, 1), ends_on=date(2024, 3, 31))
    sign_in(team.officer)

    response = _ask(client, grant.id, "9,000", ("30", "6", "2024"), "Demand doubled after the first quarter")

    assert response.status_code == 302
    [variation] = _variations(grant.id)
    assert (variation.state, variation.workflow, variation.number) == ("requested", "variation", 1)
    assert (variation.old_amount_pence, variation.new_amount_pence) == (798_500, 900_000)
    assert (variation.old_ends_on, variation.new_ends_on) == (date(2024, 3, 31), date(2024, 6, 30))
    assert variation.requested_by_id == team.officer.id
    assert audit_count("variation", variation.id, "create") == 1
    assert _award(grant.id).amount_pence == 798_500  # nothing changes until it is approved


def test_each_wrong_variation_request_says_what_is_wrong_and_writes_nothing(client, sign_in):
    team = people()
    grant = award(team.programme, starts_on=date(2023, 4, 1), ends_on=date(2024, 3, 31))
    PaymentFactory(award=grant, amount_pence=400_000, state="paid", paid_on=MAY, finance_reference="F1")
    sign_in(team.officer)

    cases = [
        (
            ("", ("", "", ""), ""),
            ["Enter a new amount or a new end date, or both", "Enter the reason for the variation"],
        ),
        (("0", ("", "", ""), "Less needed"), ["The new amount must be more than £0"]),
        (("7985", ("", "", ""), "Same"), ["The new amount is the same as the award now (£7,985.00)"]),
        (
            ("3000", ("", "", ""), "Less"),
            ["The new amount cannot be less than is already paid or approved (£4,000.00)"],
        ),
        (("", ("1", "3", "2023"), "Earlier"), ["The new end date must be after the start date (1 April 2023)"]),
        (("", ("31", "2", "2024"), "Typo"), ["The new end date must be a real date"]),
    ]
    for (amount, ends, reason), messages in cases:
        response = _ask(client, grant.id, amount, ends, reason)
        assert response.status_code == 400, messages
        page = text_of(response)
        assert all(message in page for message in messages), (messages, page[:2000])
    assert _variations(grant.id) == []


def test_a_second_variation_waits_until_the_first_is_decided(client, sign_in):
    team = people()
    grant = award(team.programme)
    first = VariationFactory(award=grant)
    sign_in(team.officer)

    response = _ask(client, grant.id, "9000", reason="More again")

    assert response.status_code == 403
    assert f"This award already has a variation awaiting approval ({first.reference})." in text_of(response)
    assert len(_variations(grant.id)) == 1


# -- deciding -------------------------------------------------------------------------------------------
def test_a_decision_maker_approves_and_the_award_changes_with_its_audit_rows(client, sign_in):
    team = people()
    grant = award(team.programme, ends_on=date(2024, 3, 31))
    PaymentFactory(award=grant, instalment=1, amount_pence=400_000, due_on=MAY)
    PaymentFactory(award=grant, instalment=2, amount_pence=398_500, due_on=MAY)
    variation = VariationFactory(award=grant, new_amount_pence=900_000, new_ends_on=date(2024, 6, 30))
    sign_in(team.decision_maker)

    queue = text_of(client.get("/payments/variations"))
    assert variation.reference in queue and "Amount £7,985.00 to £9,000.00" in queue

    response = _decide(client, variation, "approve")

    assert response.status_code == 302
    varied = _award(grant.id)
    assert (varied.amount_pence, varied.ends_on, varied.amount_at_decision_pence) == (
        900_000,
        date(2024, 6, 30),
        798_500,
    )
    [amount] = audit_rows("award", grant.id, "amount_varied")
    [end] = audit_rows("award", grant.id, "end_date_varied")
    assert (amount.from_state, amount.to_state, amount.actor_id) == ("£7,985.00", "£9,000.00", team.decision_maker.id)
    assert (end.from_state, end.to_state) == ("31 March 2024", "30 June 2024")
    assert _variations(grant.id)[0].state == "approved"
    sign_in(team.officer)
    assert "The instalments add up to £7,985.00 but the award is £9,000.00" in text_of(
        client.get(schedule_url(grant.id))
    )


def test_rejecting_needs_a_reason_and_leaves_the_award_as_it_was(client, sign_in):
    team = people()
    grant = award(team.programme)
    variation = VariationFactory(award=grant, new_amount_pence=900_000)
    sign_in(team.decision_maker)

    missing = _decide(client, variation, "reject", " ")
    assert missing.status_code == 400
    assert "Enter the reason for rejecting the variation" in text_of(missing)
    assert _variations(grant.id)[0].state == "requested"

    rejected = _decide(client, variation, "reject", "The fund is fully committed")

    assert rejected.status_code == 302
    assert _variations(grant.id)[0].state == "rejected"
    assert audit_rows("variation", variation.id, "reject")[0].reason == "The fund is fully committed"
    assert _award(grant.id).amount_pence == 798_500
    assert audit_count("award", grant.id, "amount_varied") == 0


def test_the_officer_may_withdraw_but_not_approve_their_request(client, sign_in):
    team = people()
    grant = award(team.programme)
    variation = VariationFactory(award=grant)
    sign_in(team.officer)

    refused = _decide(client, variation, "approve")
    assert refused.status_code == 403
    assert "Only a decision maker of this programme can do this." in text_of(refused)

    assert _decide(client, variation, "withdraw", "Raised in error").status_code == 302
    assert _variations(grant.id)[0].state == "withdrawn"
    assert _award(grant.id).amount_pence == 798_500


def test_a_decision_maker_elsewhere_neither_sees_nor_decides_the_variation(client, sign_in):
    team = people()
    variation = VariationFactory(award=award(team.programme))
    sign_in(staff_user("decision_maker", ProgrammeFactory()))

    assert variation.reference not in text_of(client.get("/payments/variations"))
    assert client.get(f"/payments/variations/{variation.id}").status_code == 404
    assert _decide(client, variation, "approve").status_code == 404


# -- money coming back -----------------------------------------------------------------------------------
def _recover(client, award_id: int, **fields):
    data = {"kind": "", "amount": "", "received_on-day": "", "received_on-month": "", "received_on-year": ""}
    data.update({"reason": ""}, **fields)
    return post_form(client, f"/payments/awards/{award_id}/recoveries/new", data)


def _received(day: date) -> dict:
    return {"received_on-day": str(day.day), "received_on-month": str(day.month), "received_on-year": str(day.year)}


def test_an_officer_records_underspend_returned_and_it_is_audited_on_the_award(client, sign_in):
    team = people()
    grant = award(team.programme)
    PaymentFactory(award=grant, amount_pence=400_000, state="paid", paid_on=MAY, finance_reference="F1")
    sign_in(team.officer)

    response = _recover(
        client,
        grant.id,
        kind="underspend_returned",
        amount="250",
        reason="Venue hire cost less than planned",
        **_received(date(2023, 6, 1)),
    )

    assert response.status_code == 302
    [recovery] = db.session.scalars(select(Recovery).where(Recovery.award_id == grant.id)).all()
    assert (recovery.kind, recovery.amount_pence, recovery.received_on) == (
        "underspend_returned",
        25_000,
        date(2023, 6, 1),
    )
    [row] = audit_rows("award", grant.id, "recovery_recorded")
    assert (row.from_state, row.to_state, row.reason, row.actor_id) == (
        "£0.00 recovered",
        "£250.00 recovered",
        "Venue hire cost less than planned",
        team.officer.id,
    )


def test_a_wrong_recovery_says_what_is_wrong_and_writes_nothing(client, sign_in):
    team = people()
    grant = award(team.programme)
    PaymentFactory(award=grant, amount_pence=400_000, state="paid", paid_on=MAY, finance_reference="F1")
    sign_in(team.officer)

    empty = text_of(_recover(client, grant.id))
    too_much = text_of(
        _recover(client, grant.id, kind="clawback", amount="4000.01", reason="Breach", **_received(date(2023, 2, 1)))
    )

    for message in [
        "Select whether this is underspend returned or money clawed back",
        "Enter the amount received",
        "Enter the date the money was received",
        "Enter the reason the money came back",
    ]:
        assert message in empty
    assert "The amount received cannot be more than has been paid and not yet recovered (£4,000.00)" in too_much
    assert "The date received cannot be before the award was made (9 February 2023)" in too_much
    assert db.session.scalars(select(Recovery).where(Recovery.award_id == grant.id)).all() == []
    assert audit_count("award", grant.id, "recovery_recorded") == 0


# -- closure ----------------------------------------------------------------------------------------------
def _close(client, award_, final_spend: str, reason: str):
    data = {"version_id": str(award_.version_id), "final_spend": final_spend, "reason": reason}
    return post_form(client, f"/payments/awards/{award_.id}/close", data, form_page="/sign-out")


def test_an_officer_records_the_final_spend_and_closes_the_award_in_one_step(client, sign_in):
    team = people()
    grant = award(team.programme, state="active")
    PaymentFactory(award=grant, amount_pence=798_500, state="paid", paid_on=MAY, finance_reference="F1")
    sign_in(team.officer)

    response = _close(client, grant, "7,900", "Project delivered; final report accepted")

    assert response.status_code == 302
    closed = _award(grant.id)
    assert (closed.state, closed.final_spend_pence) == ("closed", 790_000)
    [spend] = audit_rows("award", grant.id, "final_spend_recorded")
    assert (spend.from_state, spend.to_state) == (None, "£7,900.00")
    assert audit_rows("award", grant.id, "close")[0].reason == "Project delivered; final report accepted"


def test_the_final_spend_cannot_exceed_what_was_paid_and_closing_needs_a_reason(client, sign_in):
    team = people()
    grant = award(team.programme, state="active")
    PaymentFactory(award=grant, amount_pence=400_000, state="paid", paid_on=MAY, finance_reference="F1")
    sign_in(team.officer)

    response = _close(client, grant, "4000.01", "")

    page = text_of(response)
    assert response.status_code == 400
    assert "The final spend cannot be more than has been paid (£4,000.00)" in page
    assert "Enter the reason for closing the award" in page
    unchanged = _award(grant.id)
    assert (unchanged.state, unchanged.final_spend_pence) == ("active", None)
    assert audit_count("award", grant.id, "final_spend_recorded") == 0


def test_an_award_not_in_delivery_cannot_be_closed_and_its_final_spend_is_not_kept(client, sign_in):
    team = people()
    grant = award(team.programme, state="accepted")
    PaymentFactory(award=grant, amount_pence=400_000, state="paid", paid_on=MAY, finance_reference="F1")
    sign_in(team.officer)

    response = _close(client, grant, "4000", "Finished early")

    assert response.status_code == 400
    assert "'Close the award' is not possible while this is accepted." in text_of(response)
    unchanged = _award(grant.id)
    assert (unchanged.state, unchanged.final_spend_pence) == ("accepted", None)
    assert audit_count("award", grant.id, "final_spend_recorded") == 0
