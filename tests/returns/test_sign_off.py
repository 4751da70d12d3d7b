"""Sign-off at the grantee: a return sent for sign-off is confirmed by another member of the organisation
(with their position), or sent back with a comment; the person who sent it cannot sign it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, ReturnMetric
from tests.factories import OrganisationFactory, member_of
from tests.fixtures import csrf_token, post_form
from tests.returns.helpers import complete, open_return, send


@pytest.fixture
def refuge():
    return OrganisationFactory(name="Leeds Women's Refuge")


@pytest.fixture
def filler(refuge):
    return member_of(refuge, email="priya@example.org", name="Priya Shah")


@pytest.fixture
def chair(refuge):
    return member_of(refuge, email="margaret@example.org", name="Margaret Lowe")


@pytest.fixture
def sent_for_sign_off(client, sign_in, refuge, filler):
    """An MoJ quarterly return, filled in by Priya and sent for sign-off."""
    ret = open_return("moj-quarterly", organisation=refuge, sign_off_required=True, amount_pence=12_000_000)
    sign_in(filler)
    complete(client, ret, "moj-quarterly")
    response = send(client, ret)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.refresh(ret)
    return ret


def sign(client, ret, position="Chair of trustees", confirm=True):
    data = {"position": position, "version_id": str(ret.version_id)}
    if confirm:
        data["confirm"] = "y"
    return post_form(client, f"/returns/{ret.id}/sign-off", data, form_page="/sign-out")


def send_back(client, ret, comment):
    data = {"comment": comment, "version_id": str(ret.version_id)}
    return post_form(client, f"/returns/{ret.id}/send-back", data, form_page="/sign-out")


def test_sending_a_return_that_needs_sign_off_waits_for_a_second_person(client, sent_for_sign_off, filler):
    ret = sent_for_sign_off

    html = client.get(f"/returns/{ret.id}").get_data(as_text=True)

    assert ret.state == "awaiting_sign_off" and ret.sent_for_sign_off_by_id == filler.id
    assert ret.submitted_at is None
    assert "Waiting for sign-off" in html
    assert "The person who filled in the return cannot sign it off" in html
    metrics = dict(
        db.session.execute(
            select(ReturnMetric.metric, ReturnMetric.value).where(ReturnMetric.monitoring_return_id == ret.id)
        ).all()
    )
    assert metrics["victims_supported"] == 1204 and metrics["idva_domestic_abuse"] == 310
    assert metrics["spend_to_date"] == 3_000_000


def test_the_check_page_says_it_will_go_for_sign_off(client, sign_in, refuge, filler):
    ret = open_return("moj-quarterly", organisation=refuge, sign_off_required=True, amount_pence=12_000_000)
    sign_in(filler)
    complete(client, ret, "moj-quarterly")

    html = client.get(f"/returns/{ret.id}/check").get_data(as_text=True)

    assert "Send for sign-off" in html and "You cannot sign it off yourself" in html


def test_the_person_who_sent_it_cannot_sign_it_off(client, sent_for_sign_off):
    ret = sent_for_sign_off

    page = client.get(f"/returns/{ret.id}/sign-off").get_data(as_text=True)
    response = sign(client, ret)

    assert "The person who filled in the return cannot sign it off" in page
    assert "Sign off and send the return" not in page
    assert response.status_code == 400
    assert "The person who filled in the return cannot sign it off" in response.get_data(as_text=True)
    db.session.refresh(ret)
    assert ret.state == "awaiting_sign_off" and ret.signed_off_by_id is None


def test_another_member_reads_and_signs_it_off_with_their_position(client, sign_in, sent_for_sign_off, chair):
    ret = sent_for_sign_off
    sign_in(chair)

    page = client.get(f"/returns/{ret.id}/sign-off").get_data(as_text=True)
    response = sign(client, ret, position="  Chair of trustees ")

    assert "1,204" in page and "Margaret Lowe" in page
    assert response.status_code == 302
    db.session.refresh(ret)
    assert ret.state == "submitted" and ret.submitted_at is not None
    assert (ret.signed_off_by_id, ret.signer_position) == (chair.id, "Chair of trustees")
    assert ret.signed_off_at is not None
    html = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "signed off the return" in html and "by the Chair of trustees" in html


def test_signing_off_needs_a_position_and_the_confirmation(client, sign_in, sent_for_sign_off, chair):
    ret = sent_for_sign_off
    sign_in(chair)

    response = sign(client, ret, position="   ", confirm=False)

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your position at the organisation" in html
    assert "Confirm that you have read the return" in html
    db.session.refresh(ret)
    assert ret.state == "awaiting_sign_off"


def test_the_signer_sends_it_back_with_a_comment_and_it_opens_again(client, sign_in, sent_for_sign_off, chair, filler):
    ret = sent_for_sign_off
    sign_in(chair)

    empty = send_back(client, ret, "  ")
    response = send_back(client, ret, "The IDVA figure looks like last quarter's: check it.")

    assert "Enter what needs changing" in empty.get_data(as_text=True)
    assert response.status_code == 302
    db.session.refresh(ret)
    assert ret.state == "open"
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.subject_id == ret.id, AuditEvent.action == "send_back")
    )
    assert event.reason == "The IDVA figure looks like last quarter's: check it." and event.actor_id == chair.id
    sign_in(filler)
    html = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "The IDVA figure looks like last quarter&#39;s: check it." in html
    assert "You have completed 7 of 7 sections" in html


def test_a_member_of_another_organisation_cannot_sign(client, sign_in, sent_for_sign_off):
    ret = sent_for_sign_off
    sign_in(member_of(OrganisationFactory(), email="outsider@example.org"))

    token = csrf_token(client, "/sign-out")
    data = {"csrf_token": token, "position": "Chair", "confirm": "y", "version_id": str(ret.version_id)}

    assert client.get(f"/returns/{ret.id}/sign-off").status_code == 404
    assert client.post(f"/returns/{ret.id}/sign-off", data=data).status_code == 404
    db.session.refresh(ret)
    assert ret.state == "awaiting_sign_off"


def test_a_return_that_needs_no_sign_off_has_no_sign_off_page(client, sign_in, refuge, filler):
    ret = open_return(organisation=refuge)
    sign_in(filler)

    response = client.get(f"/returns/{ret.id}/sign-off", follow_redirects=True)

    assert "This return is not waiting for sign-off" in response.get_data(as_text=True)
