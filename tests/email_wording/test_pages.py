"""Officers and admins of a programme word its emails: list, edit, preview on a real case, save, go back."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, EmailTemplate
from tests.factories import (
    ApplicationFactory,
    EmailTemplateFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RoundFactory,
    member_of,
    staff_user,
)
from tests.fixtures import csrf_token

KEY = "application.request_information.organisation"
SUBJECT = "We need more from you on ((reference))"
BODY = "Dear ((organisation)),\n\nPlease reply about ((reference)): ((link))"


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Mid-Shire Community Fund", code="MSCF")


@pytest.fixture
def officer(programme, sign_in):
    user = staff_user("officer", programme, name="Priya Sharma")
    sign_in(user)
    return user


def _url(programme, key=KEY, tail=""):
    return f"/work/emails/{programme.id}/{key}{tail}"


def _save(client, programme, subject=SUBJECT, body=BODY, version="", **more):
    data = {"subject": subject, "body": body, "version_id": version, "save": "y", **more}
    return client.post(_url(programme), data={"csrf_token": csrf_token(client, _url(programme)), **data})


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _bid(programme, reference="MSCF-R4-0002"):
    return ApplicationFactory(
        round=RoundFactory(programme=programme, title="Round 4"), state="submitted", public_reference=reference,
        organisation=OrganisationFactory(name="Riverside Community Trust"),
    )  # fmt: skip


def test_an_officer_sees_every_email_their_programme_sends_and_which_have_its_own_wording(client, officer, programme):
    EmailTemplateFactory(programme_id=programme.id, key=KEY)

    page = _text(client.get(f"/work/emails/{programme.id}/"))

    assert "Grant application: Ask the applicant for more information" in page
    assert "Bids given to an assessor to score" in page
    assert "Award: " in page and "Monitoring return: " in page
    row = page[page.index('id="email-application-request_information-organisation"') :]
    assert "This programme's own" in row[: row.index("</tr>")]


def test_a_commissioning_programme_lists_the_emails_of_its_contracts_not_of_rounds(client, sign_in):
    vru = ProgrammeFactory(kind="commissioning")
    sign_in(staff_user("officer", vru))

    page = _text(client.get(f"/work/emails/{vru.id}/"))

    assert "Commissioned contract or strand: " in page and "Award: " in page
    assert "Grant application: " not in page and "Bids given to an assessor" not in page
    assert client.get(_url(vru)).status_code == 404


def test_an_officer_reaches_the_emails_from_their_work(client, officer, programme):
    home = _text(client.get("/work/"))
    index = _text(client.get("/work/emails/"))

    assert 'href="/work/emails/"' in home
    assert f'href="/work/emails/{programme.id}/"' in index


def test_the_edit_page_starts_from_the_standard_wording_and_describes_each_placeholder(client, officer, programme):
    page = _text(client.get(_url(programme)))

    assert "Your ((case_label)) ((reference)) is now ((state))" in page
    assert "((amount))" in page and "The case's amount of money" in page and "£7,500.00" in page


def test_an_officer_saves_the_wording_and_it_is_audited(client, officer, programme):
    response = _save(client, programme)

    saved = db.session.scalar(select(EmailTemplate).where(EmailTemplate.programme_id == programme.id))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "change_email_wording"))
    assert response.status_code == 302
    assert (saved.subject, saved.body, saved.updated_by_id) == (SUBJECT, BODY, officer.id)
    assert (event.actor_id, event.subject_type, event.subject_id) == (officer.id, "programme", programme.id)
    assert event.data["email"] == KEY and event.data["to_subject"] == SUBJECT and event.data["from_subject"] is None


def test_an_officer_previews_what_they_typed_on_one_of_the_programmes_cases(client, officer, programme):
    _bid(programme)

    response = client.post(
        _url(programme),
        data={"csrf_token": csrf_token(client, _url(programme)), "subject": SUBJECT, "body": BODY,
              "version_id": "", "recent": "", "case": "mscf-r4-0002", "preview": "y"},
    )  # fmt: skip

    page = _text(response)
    assert "Preview on MSCF-R4-0002" in page
    assert "We need more from you on MSCF-R4-0002" in page
    assert "Dear Riverside Community Trust," in page
    assert db.session.scalar(select(EmailTemplate.id)) is None  # a preview saves nothing


def test_a_preview_reads_as_the_email_would_when_the_case_moves(client, officer, programme):
    _bid(programme)

    response = client.post(
        _url(programme),
        data={"csrf_token": csrf_token(client, _url(programme)), "case": "MSCF-R4-0002", "preview": "y",
              "subject": "Your ((case_label)) ((reference)) is now ((state))", "body": "It was ((previous_state))."},
    )  # fmt: skip

    page = _text(response)
    assert "Your grant application MSCF-R4-0002 is now more information requested" in page
    assert "It was submitted." in page


def test_the_latest_cases_are_offered_to_preview_on(client, officer, programme):
    _bid(programme, "MSCF-R4-0009")
    _bid(ProgrammeFactory(), "OTHER-R1-0001")

    page = _text(client.get(_url(programme)))

    assert '<option value="MSCF-R4-0009">' in page
    assert "OTHER-R1-0001" not in page


def test_a_case_of_another_programme_cannot_be_previewed(client, officer, programme):
    _bid(ProgrammeFactory(), "OTHER-R1-0001")

    response = client.post(
        _url(programme),
        data={"csrf_token": csrf_token(client, _url(programme)), "subject": SUBJECT, "body": BODY,
              "case": "OTHER-R1-0001", "preview": "y"},
    )  # fmt: skip

    page = _text(response)
    assert "There is no case with that reference on this programme that you can see" in page
    assert "preview-subject" not in page


def test_an_unknown_placeholder_is_refused_naming_it_and_what_was_typed_is_kept(client, officer, programme):
    response = _save(client, programme, body="You asked for ((amont)) on ((reference))")

    page = _text(response)
    assert response.status_code == 200
    assert "((amont)) is not a placeholder this email knows. Use one of: ((reference)), ((case_label))" in page
    assert "You asked for ((amont)) on ((reference))</textarea>" in page
    assert db.session.scalar(select(EmailTemplate.id)) is None


@pytest.mark.parametrize(
    ("subject", "body", "message"),
    [
        ("", BODY, "Enter the subject"),
        ("   ", BODY, "Subject must not be only spaces"),
        (SUBJECT, "", "Enter the email text"),
        ("About ((reference)", BODY, "There is a (( with no )) to close it"),
        (SUBJECT, "Dear ((Organisation Name))", "((Organisation Name)) is not written as a placeholder"),
        ("Nul\x00here", BODY, "Subject must not contain a NUL character"),
        (SUBJECT, "x" * 10_001, "Email text must be 10,000 characters or fewer"),
        ("x" * 301, BODY, "Subject must be 300 characters or fewer"),
    ],
)
def test_wording_that_cannot_be_sent_is_refused_with_a_specific_message(
    client, officer, programme, subject, body, message
):
    response = _save(client, programme, subject=subject, body=body)

    page = _text(response)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert db.session.scalar(select(EmailTemplate.id)) is None


def test_a_save_from_a_stale_page_is_refused_showing_what_someone_else_saved(client, officer, programme):
    template = EmailTemplateFactory(programme_id=programme.id, key=KEY, subject="First ((reference))")
    stale = str(template.version_id)
    template.subject = "Someone else's ((reference))"
    db.session.commit()

    response = _save(client, programme, subject="Mine ((reference))", version=stale)

    page = _text(response)
    assert response.status_code == 409
    assert "Someone else changed this email’s wording while you were editing" in page
    assert "Someone else's ((reference))" in page and 'value="Mine ((reference))"' in page
    db.session.refresh(template)
    assert template.subject == "Someone else's ((reference))"


def test_a_save_over_wording_someone_else_created_meanwhile_is_refused(client, officer, programme):
    EmailTemplateFactory(programme_id=programme.id, key=KEY, subject="Theirs ((reference))")

    response = _save(client, programme, subject="Mine ((reference))", version="")

    assert response.status_code == 409
    assert db.session.scalar(select(EmailTemplate.subject)) == "Theirs ((reference))"


def test_going_back_to_the_default_wording_removes_the_programmes_own_and_is_audited(client, officer, programme):
    template = EmailTemplateFactory(programme_id=programme.id, key=KEY)

    response = client.post(
        _url(programme, tail="/default"),
        data={"csrf_token": csrf_token(client, _url(programme)), "version_id": str(template.version_id)},
    )

    assert response.status_code == 302
    assert db.session.scalar(select(EmailTemplate.id)) is None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "reset_email_wording"))


def test_another_programmes_emails_are_not_found(client, officer):
    other = ProgrammeFactory()

    assert client.get(f"/work/emails/{other.id}/").status_code == 404
    assert client.get(_url(other)).status_code == 404
    assert client.get("/work/emails/999999/").status_code == 404


def test_an_email_the_service_does_not_send_is_not_found(client, officer, programme):
    assert client.get(_url(programme, key="application.nothing.organisation")).status_code == 404
    assert client.get(_url(programme, key="x" * 5000)).status_code == 404


def test_a_finance_user_of_the_programme_cannot_word_its_emails(client, programme, sign_in):
    sign_in(staff_user("finance", programme))

    assert client.get(_url(programme)).status_code == 403


def test_an_applicant_cannot_word_emails(client, programme, sign_in):
    applicant = member_of(OrganisationFactory())
    sign_in(applicant)

    assert client.get(_url(programme)).status_code in (403, 404)


def test_an_admin_of_the_programme_reaches_its_emails_from_the_admin_pages(client, programme, sign_in):
    sign_in(staff_user("admin", programme))

    assert 'href="/work/emails/"' in _text(client.get("/admin/"))
    assert client.get(_url(programme)).status_code == 200


def test_a_preview_asks_for_a_case_when_none_was_chosen(client, officer, programme):
    response = client.post(
        _url(programme),
        data={"csrf_token": csrf_token(client, _url(programme)), "subject": SUBJECT, "body": BODY, "preview": "y"},
    )

    assert "Choose one of the latest cases, or type the reference of a case to preview on" in _text(response)


def test_nothing_of_the_page_breaks_on_a_hostile_reference(client, officer, programme):
    response = client.post(
        _url(programme),
        data={"csrf_token": csrf_token(client, _url(programme)), "subject": SUBJECT, "body": BODY,
              "case": "\x00" + "9" * 5000, "recent": "' OR 1=1 --", "preview": "y"},
    )  # fmt: skip

    assert response.status_code == 200
    assert re.search("There is no case with that reference", _text(response))


def test_the_assessors_email_is_previewed_on_one_of_the_programmes_rounds(client, officer, programme):
    round_ = RoundFactory(programme=programme, title="Round 4", code="MSCF-R4")
    ApplicationFactory(round=round_, state="eligible", public_reference="MSCF-R4-0002")
    url = _url(programme, key="assessors.assigned")

    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "subject": "((count)) for ((round))",
              "body": "Score these:\n((bids))", "recent": "MSCF-R4", "preview": "y"},
    )  # fmt: skip

    page = _text(response)
    assert "Preview on MSCF-R4" in page
    assert "1 bid for Round 4" in page and "- MSCF-R4-0002" in page
