"""A grantee reads their organisation's grant offer and accepts it online, or declines it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grants.extensions import db
from grants.models import Award
from tests.awards.helpers import (
    audit_count,
    date_boxes,
    day_parts,
    emails_to,
    london_today,
    offered_award,
)
from tests.factories import AwardFactory, OrganisationFactory, PaymentFactory, ProgrammeFactory, member_of, staff_user
from tests.fixtures import csrf_token, post_form


@pytest.fixture
def programme():
    return ProgrammeFactory(code="MSCF")


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Calder Valley Boxing Club CIC")


@pytest.fixture
def grantee(organisation, sign_in):
    user = member_of(organisation, name="Aisha Khan")
    sign_in(user)
    return user


@pytest.fixture
def officer(programme):
    return staff_user("officer", programme, email="grants.applications@example.org")


@pytest.fixture
def award(programme, organisation, officer):
    return offered_award(organisation, programme=programme, public_reference="MSCF-R3-0042")


def fresh(award) -> Award:
    db.session.expire_all()
    return db.session.get(Award, award.id)


def signature(**changes) -> dict:
    fields = {
        "signatory_name": "Aisha Khan",
        "signatory_position": "Chair of Trustees",
        "signed_on": day_parts(london_today()),
        "declaration": "y",
    }
    fields.update(changes)
    return fields


def accept(client, award, fields: dict, *, token: str | None = None, **kwargs):
    """Post the acceptance form as the offer page shows it (or, with `token`, as a page loaded earlier did)."""
    url = f"/awards/offers/{award.id}"
    token = token or csrf_token(client, url)
    data = {"csrf_token": token, "version_id": str(award.version_id), **fields}
    return client.post(f"{url}/accept", data=data, **kwargs)


# -- reading ------------------------------------------------------------------------------------
def test_the_grantee_sees_their_organisations_offers_but_not_those_still_being_prepared(
    client, grantee, award, organisation
):
    AwardFactory(organisation=organisation, state="preparing", title="Not sent yet")
    AwardFactory(state="offered", title="Another organisation's grant")

    page = client.get("/awards/offers").get_data(as_text=True)

    assert "Gloves Not Knives: boxing and mentoring" in page
    assert "Waiting for your reply" in page and "£7,985.50" in page
    assert "Not sent yet" not in page
    assert "Another organisation" not in page


def test_the_offer_page_shows_the_amount_conditions_terms_schedule_and_reply_by_date(client, grantee, award):
    PaymentFactory(award=award, instalment=1, amount_pence=600_000, due_on=london_today() + timedelta(days=40))
    PaymentFactory(award=award, instalment=2, amount_pence=198_550, due_on=london_today() + timedelta(days=200))

    page = client.get(f"/awards/offers/{award.id}").get_data(as_text=True)

    reply_by = award.respond_by
    assert "Grant offer MSCF-R3-0042" in page
    assert "£7,985.50" in page
    assert "Send an updated safeguarding policy before the first payment." in page
    assert "acknowledge the Mayor of West Yorkshire&#39;s funding" in page
    assert "Payment schedule" in page and "£1,985.50" in page
    assert f"{reply_by.day} {reply_by:%B %Y}" in page
    declaration = (
        "I confirm I am authorised to sign for Calder Valley Boxing Club CIC and accept the grant on these terms"
    )
    assert declaration in page


def test_another_organisations_offer_is_not_found(client, award, sign_in):
    sign_in(member_of(OrganisationFactory()))

    assert client.get(f"/awards/offers/{award.id}").status_code == 404
    assert client.get(f"/awards/offers/{award.id}/decline").status_code == 404
    assert fresh(award).state == "offered"


def test_another_organisations_member_cannot_accept_it(client, award, sign_in):
    sign_in(member_of(OrganisationFactory()))

    response = post_form(client, f"/awards/offers/{award.id}/accept", signature(), form_page="/sign-out")

    assert response.status_code == 404
    assert fresh(award).state == "offered"


def test_an_offer_still_being_prepared_is_not_found(client, grantee, organisation):
    preparing = AwardFactory(organisation=organisation, state="preparing")

    assert client.get(f"/awards/offers/{preparing.id}").status_code == 404


# -- accepting ------------------------------------------------------------------------------------
def test_accepting_with_every_field_signs_the_agreement_tells_the_officers_and_is_audited(
    client, grantee, award, officer
):
    signed = london_today() - timedelta(days=1)

    response = accept(client, award, signature(signed_on=day_parts(signed)), follow_redirects=True)

    page = response.get_data(as_text=True)
    accepted = fresh(award)
    assert accepted.state == "accepted"
    assert (accepted.signatory_name, accepted.signatory_position) == ("Aisha Khan", "Chair of Trustees")
    assert accepted.signed_on == signed
    assert accepted.declaration_agreed is True
    assert accepted.accepted_by_id == grantee.id and accepted.accepted_at is not None
    assert audit_count(accepted, "accept") == 1
    (email,) = emails_to("grants.applications@example.org")
    assert "Signed by Aisha Khan (Chair of Trustees)" in email.body
    assert "You have accepted the grant offer MSCF-R3-0042" in page
    assert "Grant agreement MSCF-R3-0042" in page and "Signed and accepted" in page
    assert "Accept the offer</button>" not in page


def test_accepting_twice_has_one_effect_and_says_it_is_already_accepted(client, grantee, award, officer):
    token = csrf_token(client, f"/awards/offers/{award.id}")  # the page both clicks (or both tabs) came from
    first = accept(client, award, signature(), token=token)
    second = accept(client, award, signature(signatory_name="Someone Else"), token=token, follow_redirects=True)

    assert first.status_code == 302
    assert "This offer is already accepted (signed by Aisha Khan)" in second.get_data(as_text=True)
    accepted = fresh(award)
    assert accepted.signatory_name == "Aisha Khan"
    assert audit_count(accepted, "accept") == 1
    assert len(emails_to("grants.applications@example.org")) == 1


def test_accepting_from_a_stale_tab_after_acceptance_elsewhere_changes_nothing(client, grantee, award):
    from grants.awards import acceptance

    stale_version = award.version_id
    acceptance.accept_offer(
        award.id,
        grantee,
        acceptance.Signature("Aisha Khan", "Chair of Trustees", london_today(), True),
        stale_version,
    )

    with pytest.raises(acceptance.AlreadyAnswered):
        acceptance.accept_offer(
            award.id,
            grantee,
            acceptance.Signature("Other Tab", "Treasurer", london_today(), True),
            stale_version,
        )

    assert fresh(award).signatory_name == "Aisha Khan"
    assert audit_count(award, "accept") == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("signatory_name", "", "Enter the full name of the person signing"),
        ("signatory_name", "   ", "Enter the full name of the person signing"),
        ("signatory_position", "", "Enter the signatory&#39;s position in Calder Valley Boxing Club CIC"),
        ("signed_on", ["", "", ""], "Enter the date the agreement was signed"),
        ("signed_on", ["", "3", "2026"], "The date signed must include a day"),
        ("signed_on", ["31", "2", "2026"], "The date signed must be a real date"),
        ("declaration", None, "Confirm you are authorised to sign for Calder Valley Boxing Club CIC"),
    ],
)
def test_each_missing_or_wrong_field_has_its_own_message_and_keeps_what_was_typed(
    client, grantee, award, field, value, message
):
    fields = signature(**{"signatory_name": "Aisha Typed", "signatory_position": "Typed Treasurer", field: value})
    if value is None:
        del fields[field]

    response = accept(client, award, fields)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert page.count('class="govuk-error-message"') == 1
    if field != "signatory_name":
        assert 'value="Aisha Typed"' in page
    if field != "signatory_position":
        assert 'value="Typed Treasurer"' in page
    if field == "signed_on":
        assert date_boxes(page, "signed_on") == value
    assert fresh(award).state == "offered"


def test_a_date_signed_in_the_future_is_refused(client, grantee, award):
    tomorrow = london_today() + timedelta(days=1)

    response = accept(client, award, signature(signed_on=day_parts(tomorrow)))

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The date signed must be today or in the past" in page
    assert 'href="#signed_on-day"' in page
    assert date_boxes(page, "signed_on") == day_parts(tomorrow)


def test_a_date_signed_before_the_offer_is_refused(client, grantee, award):
    before = london_today() - timedelta(days=10)  # offered 3 days ago

    response = accept(client, award, signature(signed_on=day_parts(before)))

    assert response.status_code == 400
    assert "The date signed must be on or after the date of the offer" in response.get_data(as_text=True)
    assert fresh(award).state == "offered"


def test_every_problem_is_listed_at_once(client, grantee, award):
    response = accept(client, award, {"signatory_name": "", "signatory_position": "", "signed_on": ["", "", ""]})

    page = response.get_data(as_text=True)
    assert page.count('class="govuk-error-message"') == 4
    assert (
        page.index('href="#signatory_name"') < page.index('href="#signed_on-day"') < page.index('href="#declaration"')
    )


# -- declining ------------------------------------------------------------------------------------
def test_declining_needs_a_reason(client, grantee, award):
    url = f"/awards/offers/{award.id}/decline"

    response = post_form(client, url, {"reason": "  ", "version_id": str(award.version_id)})

    assert response.status_code == 400
    assert "Enter why you are declining the offer" in response.get_data(as_text=True)
    assert fresh(award).state == "offered"


def test_declining_with_a_reason_tells_the_officers(client, grantee, award, officer):
    url = f"/awards/offers/{award.id}/decline"

    response = post_form(
        client,
        url,
        {"reason": "Our venue closed, so we cannot run the project.", "version_id": str(award.version_id)},
        follow_redirects=True,
    )

    declined = fresh(award)
    assert declined.state == "declined"
    assert audit_count(declined, "decline") == 1
    (email,) = emails_to("grants.applications@example.org")
    assert "Our venue closed, so we cannot run the project." in email.body
    page = response.get_data(as_text=True)
    assert "You have declined the grant offer MSCF-R3-0042" in page
    assert "Accept the offer</button>" not in page


def test_an_accepted_offer_cannot_then_be_declined(client, grantee, award):
    token = csrf_token(client, f"/awards/offers/{award.id}/decline")  # the decline page, open in another tab
    accept(client, award, signature())

    response = client.post(
        f"/awards/offers/{award.id}/decline",
        data={"csrf_token": token, "reason": "Changed our minds.", "version_id": str(award.version_id)},
        follow_redirects=True,
    )

    assert "already accepted" in response.get_data(as_text=True)
    assert fresh(award).state == "accepted"


def test_two_tabs_accepting_at_the_same_moment_accept_once(app, committed_db, monkeypatch):
    import threading

    from grants.awards import acceptance
    from grants.models import User
    from workflows import Conflict

    organisation = OrganisationFactory()
    people = [member_of(organisation).id, member_of(organisation).id]
    award = offered_award(organisation)
    award_id, version = award.id, award.version_id
    db.session.remove()

    both_ready = threading.Barrier(2, timeout=20)
    real_apply = acceptance.apply_transition

    def apply_together(*args, **kwargs):
        both_ready.wait()  # both requests have read the offer as waiting and checked the signature
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(acceptance, "apply_transition", apply_together)
    outcomes: dict[int, str] = {}

    def sign(user_id: int, name: str) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                acceptance.accept_offer(
                    award_id, user, acceptance.Signature(name, "Trustee", london_today(), True), version
                )
                outcomes[user_id] = "accepted"
            except acceptance.AlreadyAnswered:
                outcomes[user_id] = "already accepted"
            except Conflict:
                outcomes[user_id] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign, args=(uid, f"Signer {n}")) for n, uid in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values())[0] == "accepted"
    assert sorted(outcomes.values())[1] in ("already accepted", "conflict")
    final = db.session.get(Award, award_id)
    assert final.state == "accepted"
    assert audit_count(final, "accept") == 1


def test_the_applicant_dashboard_links_to_the_grant_offers(client, grantee):
    page = client.get("/applications").get_data(as_text=True)

    assert 'href="/awards/offers"' in page
