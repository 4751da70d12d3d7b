"""A grantee's monitoring returns: the list, filling one in with the form engine, metrics recorded,
sending (straight to the officer or for sign-off), signing off or sending back, and what no one else sees."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, Document, MonitoringTarget, ReturnMetric, ReturnSection
from tests.apply.helpers import upload
from tests.datasets.applications import PDF
from tests.factories import PASSWORD, OrganisationFactory, member_of
from tests.fixtures import csrf_token, sign_in_as
from tests.returns.helpers import GOOD, complete, open_return, save, send, version_on


@pytest.fixture
def kitchen():
    return OrganisationFactory(name="Bramley Community Kitchen")


@pytest.fixture
def aisha(kitchen, sign_in):
    user = member_of(kitchen, email="aisha@example.org", name="Aisha Rahman")
    sign_in(user)
    return user


def metrics_of(ret) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(ReturnMetric.metric, ReturnMetric.value).where(ReturnMetric.monitoring_return_id == ret.id)
        ).all()
    )


# -- the list and the return's page ------------------------------------------------------------------
def test_your_returns_lists_the_organisations_returns_with_state_and_due_date_and_not_others(client, kitchen, aisha):
    ours = open_return(organisation=kitchen)
    theirs = open_return(organisation=OrganisationFactory(name="Calder Valley Youth"))

    html = client.get("/returns").get_data(as_text=True)

    assert ours.reference in html and "To do" in html
    assert f"/returns/{ours.id}" in html
    assert theirs.reference not in html
    assert "Your returns" in client.get("/applications").get_data(as_text=True)  # in the navigation


def test_the_return_page_shows_reference_grant_period_due_date_and_the_task_list(client, kitchen, aisha):
    ret = open_return(organisation=kitchen)

    html = client.get(f"/returns/{ret.id}").get_data(as_text=True)

    assert ret.reference in html
    assert "Bramley cooks together" in html and "£7,985.50" in html
    assert "1 April 2025 to 30 September 2025" in html
    assert "You have completed 0 of 8 sections" in html
    for title in (
        "Delivery so far",
        "People reached",
        "Spend to date",
        "Equality Impact Assessment actions",
        "Evidence",
    ):
        assert title in html


def test_the_return_shows_actual_against_target_for_the_period(client, kitchen, aisha):
    ret = open_return(organisation=kitchen)
    db.session.add(
        MonitoringTarget(
            award_id=ret.award_id, metric="people_reached", period_label=ret.period_label, baseline=40, target=150
        )
    )
    db.session.commit()
    save(client, ret, "reach", GOOD["mscf-progress"]["reach"])

    html = client.get(f"/returns/{ret.id}").get_data(as_text=True)

    assert "Against your targets" in html
    row = html.split("People reached</th>", 1)[1].split("</tr>", 1)[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:3]] == ["40", "150", "140"]


# -- filling in and sending: MSCF, no sign-off -----------------------------------------------------------
def test_a_grantee_fills_in_and_sends_a_return_and_its_figures_are_recorded(client, kitchen, aisha):
    ret = open_return(organisation=kitchen)

    complete(client, ret)
    response = send(client, ret)

    assert response.status_code == 302
    db.session.refresh(ret)
    assert ret.state == "submitted" and ret.submitted_at is not None
    assert metrics_of(ret) == {"people_reached": 140, "volunteers": 6, "spend_to_date": 250_050}
    assert ret.spend_to_date_pence == 250_050
    spend = db.session.scalar(
        select(AuditEvent).where(AuditEvent.subject_id == ret.id, AuditEvent.action == "report_spend")
    )
    assert spend is not None and spend.data["to"] == 250_050
    html = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "Your return has been sent to the grants officer" in html
    assert "Sent" in html and "can no longer be changed" in html


def test_saving_a_section_again_updates_its_figure_rather_than_adding_one(client, kitchen, aisha):
    ret = open_return(organisation=kitchen)
    save(client, ret, "reach", GOOD["mscf-progress"]["reach"])

    save(client, ret, "reach", {"people_reached": "155", "volunteers": ""})

    assert metrics_of(ret) == {"people_reached": 155}


def test_the_last_section_goes_to_check_your_answers_and_change_comes_back_to_it(client, kitchen, aisha):
    ret = open_return(organisation=kitchen)
    complete(client, ret)

    check = client.get(f"/returns/{ret.id}/check").get_data(as_text=True)
    change = client.get(f"/returns/{ret.id}/sections/reach?return_to=check").get_data(as_text=True)
    response = save(client, ret, "reach", {"people_reached": "150", "volunteers": "6", "return_to": "check"})

    assert f"/returns/{ret.id}/sections/reach?return_to=check#people_reached" in check
    assert 'name="return_to" value="check"' in change
    assert "Send the return" in check and "£2,500.50" in check
    assert response.headers["Location"].endswith(f"/returns/{ret.id}/check")


def test_a_return_with_a_section_left_cannot_be_sent(client, kitchen, aisha):
    ret = open_return(organisation=kitchen)
    save(client, ret, "delivery", GOOD["mscf-progress"]["delivery"])

    response = send(client, ret)

    assert response.status_code == 400
    assert "Complete every section before you send the return" in response.get_data(as_text=True)
    db.session.refresh(ret)
    assert ret.state == "open"


def test_sending_again_after_acceptance_is_refused_with_a_clear_message(client, kitchen, aisha):
    ret = open_return(organisation=kitchen)
    complete(client, ret)
    send(client, ret)
    db.session.refresh(ret)
    ret.state = "accepted"  # as the officer's acceptance leaves it
    db.session.commit()

    response = send(client, ret)
    section = client.get(f"/returns/{ret.id}/sections/reach", follow_redirects=True).get_data(as_text=True)

    assert "already been accepted" in response.get_data(as_text=True)
    assert "has been accepted, so it can no longer be changed" in section


def test_a_return_not_open_yet_cannot_be_filled_in(client, kitchen, aisha):
    from datetime import date

    ret = open_return(organisation=kitchen, state="scheduled", opens_on=date(2030, 3, 1))

    html = client.get(f"/returns/{ret.id}/sections/reach", follow_redirects=True).get_data(as_text=True)

    assert "This return opens on 1 March 2030" in html


# -- what people type ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-3", "Enter 0 or more for the number of people reached"),
        ("lots", "Enter the number of people reached as a number, like 25"),
        ("12.5", "Enter the number of people reached as a whole number, like 25, not a fraction"),
        ("99999999999999999999999", "The number of people reached must be 100,000,000 or fewer: check the figure"),
        ("1\x002", "Enter the number of people reached as a number, like 25"),
    ],
)
def test_a_bad_count_gets_its_own_message_and_keeps_what_was_typed(client, kitchen, aisha, typed, message):
    ret = open_return(organisation=kitchen)

    response = save(client, ret, "reach", {"people_reached": typed, "volunteers": "6"})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert f'value="{typed.replace(chr(0), "")}"' in html.replace("\x00", "").replace("\ufffd", "")
    row = db.session.scalar(select(ReturnSection).where(ReturnSection.monitoring_return_id == ret.id))
    assert row.status == "in_progress" and metrics_of(ret) == {}


def test_spend_above_the_award_is_refused_naming_the_grant(client, kitchen, aisha):
    ret = open_return(organisation=kitchen, amount_pence=798_550)

    response = save(client, ret, "spend", {"spend_to_date": "8,000", "spend_notes": ""})

    html = response.get_data(as_text=True)
    assert "Spend to date cannot be more than the grant of £7,985.50" in html
    assert 'value="8,000"' in html
    db.session.refresh(ret)
    assert ret.spend_to_date_pence is None


def test_negative_spend_is_refused(client, kitchen, aisha):
    ret = open_return(organisation=kitchen)

    html = save(client, ret, "spend", {"spend_to_date": "-20", "spend_notes": ""}).get_data(as_text=True)

    assert "Spend to date must be £0 or more" in html


def test_an_answer_of_only_spaces_is_not_an_answer(client, kitchen, aisha):
    ret = open_return(organisation=kitchen)

    html = save(client, ret, "outcomes", {"outcomes_progress": "    "}).get_data(as_text=True)

    assert "There is a problem" in html
    assert "Enter progress towards your outcomes" in html


def test_a_nul_character_in_an_answer_is_refused_and_never_stored(client, kitchen, aisha):
    ret = open_return(organisation=kitchen)

    html = save(client, ret, "outcomes", {"outcomes_progress": "Families\x00 eat together"}).get_data(as_text=True)

    assert "contains a character that cannot be saved" in html
    row = db.session.scalar(select(ReturnSection).where(ReturnSection.monitoring_return_id == ret.id))
    assert row.status == "in_progress"
    assert row.answers["raw"]["outcomes_progress"] == ["Families eat together"]


# -- two people, one section ------------------------------------------------------------------------
def test_two_members_saving_one_section_the_second_sees_the_conflict_and_keeps_what_they_typed(
    app, kitchen, aisha, client
):
    ret = open_return(organisation=kitchen)
    ben = member_of(kitchen, email="ben@example.org", name="Ben Okafor")
    bens = app.test_client()
    assert sign_in_as(bens, ben.email, PASSWORD).status_code == 302
    url = f"/returns/{ret.id}/sections/reach"
    aishas_version = version_on(client, url)
    bens_version = version_on(bens, url)

    assert (
        save(bens, ret, "reach", {"people_reached": "140", "volunteers": "6"}, version=bens_version).status_code == 302
    )
    response = save(client, ret, "reach", {"people_reached": "175", "volunteers": "9"}, version=aishas_version)

    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else in your organisation saved this section" in html
    assert 'value="175"' in html and 'value="9"' in html
    assert metrics_of(ret) == {"people_reached": 140, "volunteers": 6}


# -- uploads ----------------------------------------------------------------------------------------
def test_evidence_is_uploaded_to_the_return_and_downloaded_by_members_only(client, kitchen, aisha, sign_in):
    ret = open_return(organisation=kitchen)

    response = save(client, ret, "evidence", {"evidence_note": ""}, files={"evidence": upload("attendance.pdf")})

    assert response.status_code == 302
    document = db.session.scalar(select(Document).where(Document.monitoring_return_id == ret.id))
    assert document.original_name == "attendance.pdf" and document.application_id is None
    download = client.get(f"/returns/{ret.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    assert "attendance.pdf" in client.get(f"/returns/{ret.id}/check").get_data(as_text=True)

    sign_in(member_of(OrganisationFactory(), email="stranger@example.org"))
    assert client.get(f"/returns/{ret.id}/documents/{document.id}").status_code == 404


def test_a_file_that_is_not_a_document_is_refused(client, kitchen, aisha):
    ret = open_return(organisation=kitchen)

    html = save(
        client, ret, "evidence", {"evidence_note": ""}, files={"evidence": upload("run.pdf", b"MZ\x90\x00")}
    ).get_data(as_text=True)

    assert "must be a PDF" in html


# -- another organisation's return --------------------------------------------------------------------
def test_another_organisations_return_is_not_found_on_every_returns_route(client, aisha):
    ret = open_return(organisation=OrganisationFactory(name="Calder Valley Youth"), sign_off_required=True)
    token = csrf_token(client, "/sign-out")

    for url in (
        f"/returns/{ret.id}",
        f"/returns/{ret.id}/sections/reach",
        f"/returns/{ret.id}/check",
        f"/returns/{ret.id}/sign-off",
        f"/returns/{ret.id}/documents/1",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/returns/{ret.id}/sections/reach",
        f"/returns/{ret.id}/check",
        f"/returns/{ret.id}/sign-off",
        f"/returns/{ret.id}/send-back",
    ):
        assert client.post(url, data={"csrf_token": token, "version_id": "1"}).status_code == 404, url
    db.session.refresh(ret)
    assert ret.state == "open"


def test_staff_are_not_members_and_use_their_own_pages(client, sign_in):
    from tests.factories import staff_user

    ret = open_return()
    sign_in(staff_user("officer", ret.award.programme))

    assert client.get(f"/returns/{ret.id}").status_code == 404
