"""Applying online: eligibility, the task list, saving as you go, uploads, checking and submitting."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from grants.extensions import db
from grants.models import Application, ApplicationSection, AuditEvent, Document, OutboxMessage
from tests.apply.helpers import open_round, upload
from tests.datasets.applications import FILES, GOOD, PDF, PNG, form_fields
from tests.factories import AgreementTermsFactory, OrganisationFactory, member_of, staff_user
from tests.fixtures import csrf_token


@pytest.fixture
def round_():
    return open_round()


@pytest.fixture
def applicant(sign_in):
    organisation = OrganisationFactory(name="Bramley Community Kitchen", org_type="community_group")
    user = member_of(organisation, email="aisha@example.org", name="Aisha Rahman")
    sign_in(user)
    return user


def start(client, round_, organisation_id: int) -> Application:
    token = csrf_token(client, "/sign-out")
    response = client.post(
        f"/rounds/{round_.code}/start", data={"csrf_token": token, "organisation_id": organisation_id}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return db.session.get(Application, int(response.headers["Location"].rsplit("/", 1)[1]))


def save(client, application, section: str, action: str = "continue", pairs=None, files=None, **changes):
    page = client.get(f"/applications/{application.id}/sections/{section}").get_data(as_text=True)
    version = page.split('name="version_id" value="', 1)[1].split('"', 1)[0]
    data = MultiDict(pairs if pairs is not None else form_fields(section, **changes))
    data.add("csrf_token", csrf_token(client, "/sign-out"))
    data.add("version_id", version)
    data.add("action", action)
    for key, value in (files or {}).items():
        data.add(key, value)
    return client.post(
        f"/applications/{application.id}/sections/{section}", data=data, content_type="multipart/form-data"
    )


def complete(client, application) -> None:
    for section in GOOD:
        files = {key: upload(f"{key}.pdf") for key in FILES} if section == "safeguarding" else None
        response = save(client, application, section, files=files)
        assert response.status_code == 302, (section, response.get_data(as_text=True)[:2000])


def section_row(application, key) -> ApplicationSection | None:
    return db.session.scalar(
        select(ApplicationSection).where(
            ApplicationSection.application_id == application.id, ApplicationSection.section_key == key
        )
    )


def submit(client, application):
    token = csrf_token(client, "/sign-out")
    return client.post(
        f"/applications/{application.id}/check", data={"csrf_token": token, "version_id": application.version_id}
    )


# -- rounds and eligibility ----------------------------------------------------------------
def test_open_rounds_show_the_pot_and_closing_time_in_uk_time(client, round_):
    round_.closes_at = datetime(2027, 1, 29, 12, 0, tzinfo=UTC)
    db.session.commit()

    html = client.get("/rounds").get_data(as_text=True)

    assert round_.title in html
    assert "£500.00 to £8,000.00" in html
    assert "29 January 2027, midday" in html


def test_an_ineligible_organisation_is_told_which_rules_it_fails(client, sign_in, round_):
    council = OrganisationFactory(name="Calderdale Council", org_type="public_body")
    sign_in(member_of(council))
    token = csrf_token(client, f"/rounds/{round_.code}/eligibility")

    response = client.post(
        f"/rounds/{round_.code}/eligibility",
        data=MultiDict(
            [
                ("csrf_token", token),
                ("organisation", council.id),
                ("in_west_yorkshire", "no"),
                ("amount", "9000"),
                ("ends_on", "30"),
                ("ends_on", "6"),
                ("ends_on", "2028"),
            ]
        ),
    )
    html = response.get_data(as_text=True)

    assert "You cannot apply to this round" in html
    assert "registered as a public body" in html
    assert "Projects must take place in West Yorkshire" in html
    assert "You can ask for up to £8,000.00" in html
    assert "Projects must end by 31 March 2028" in html
    assert "Start your application" not in html


def test_an_eligible_organisation_starts_an_application_with_every_section_not_started(client, applicant, round_):
    organisation = applicant.memberships[0].organisation
    token = csrf_token(client, f"/rounds/{round_.code}/eligibility")
    response = client.post(
        f"/rounds/{round_.code}/eligibility",
        data=MultiDict(
            [
                ("csrf_token", token),
                ("organisation", organisation.id),
                ("in_west_yorkshire", "yes"),
                ("amount", "6,500"),
                ("ends_on", "31"),
                ("ends_on", "3"),
                ("ends_on", "2028"),
            ]
        ),
    )
    assert "You can apply" in response.get_data(as_text=True)

    application = start(client, round_, organisation.id)
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)

    assert application.state == "draft"
    assert html.count("Not started") == len(GOOD)
    assert "You have completed 0 of 10 sections" in html
    assert start(client, round_, organisation.id).id == application.id  # starting again returns the same draft


# -- saving as you go ----------------------------------------------------------------------
def test_save_and_continue_completes_the_section_and_goes_to_the_next(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)

    response = save(client, application, "project")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/applications/{application.id}/sections/focus")
    assert section_row(application, "project").status == "completed"
    db.session.refresh(application)
    assert application.project_title == "Safe Suppers"
    assert sorted(t.code for t in application.terms) == ["bradford", "leeds"]


def test_save_and_come_back_later_keeps_unfinished_answers_exactly_as_typed(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)

    response = save(
        client,
        application,
        "project",
        action="later",
        project_title="Safe Sup",
        summary="",
        start_date=["31", "2", "2027"],
    )
    assert response.status_code == 302
    assert section_row(application, "project").status == "in_progress"

    html = client.get(f"/applications/{application.id}/sections/project").get_data(as_text=True)
    assert 'value="Safe Sup"' in html
    assert 'value="31"' in html and 'value="2027"' in html
    task_list = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "In progress" in task_list


def test_coming_back_to_a_half_done_section_shows_no_errors_until_a_button_is_pressed(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    save(
        client,
        application,
        "project",
        action="later",
        project_title="Safe Sup",
        summary="",
        start_date=["31", "2", "2027"],
    )

    html = client.get(f"/applications/{application.id}/sections/project").get_data(as_text=True)

    assert "There is a problem" not in html
    assert "Error:" not in html
    assert "govuk-error-message" not in html
    assert "The start date must be a real date" not in html
    assert 'value="Safe Sup"' in html
    pressed = save(
        client, application, "project", project_title="Safe Sup", summary="", start_date=["31", "2", "2027"]
    ).get_data(as_text=True)
    assert "There is a problem" in pressed and "The start date must be a real date" in pressed


@pytest.mark.parametrize(
    ("section", "changes", "message"),
    [
        ("project", {"summary": "word " * 51}, "A summary of your project must be 50 words or fewer (you have 51)"),
        (
            "project",
            {"end_date": ["1", "3", "2027"], "start_date": ["1", "4", "2027"]},
            "The end date must be after the start date",
        ),
        ("project", {"start_date": ["1", "1", "2026"]}, "The date must be within the round&#39;s delivery window"),
        ("project", {"project_title": ""}, "Enter the project title"),
        ("budget", {"budget_lines-0-cost": "-20"}, "The cost must be £0 or more"),
        ("budget", {"budget_lines-0-cost": "lots"}, "Enter the cost in pounds and pence, like 1250 or 1250.50"),
        (
            "budget",
            {"budget_lines-0-cost": "7000"},
            "The total, £8,500.00, is more than the most you can ask for in this round (£8,000.00)",
        ),
        ("people", {"people_reached": "many"}, "The number of people the project will reach must be a whole number"),
        ("declarations", {"declarations": ["terms"]}, "Agree to every declaration to apply"),
    ],
)
def test_bad_answers_get_a_specific_message_and_keep_what_was_typed(
    client, applicant, round_, section, changes, message
):
    application = start(client, round_, applicant.memberships[0].organisation_id)

    response = save(client, application, section, **changes)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert "Error:" in html.split("</title>")[0]
    for value in changes.values():
        typed = value if isinstance(value, str) else None
        if typed and typed.strip():
            assert f'value="{typed}"' in html or typed.strip() in html
    assert section_row(application, section).status == "in_progress"


def test_a_budget_line_can_be_added_and_removed_without_losing_the_others(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    pairs = [("budget_lines-0-item", "Food"), ("budget_lines-0-cost", "100"), ("budget_lines-0-kind", "revenue")]

    response = save(client, application, "budget", action="add-budget_lines", pairs=pairs)
    added = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="budget_lines-1-item"' in added and 'value="Food"' in added
    assert "There is a problem" not in added

    pairs += [("budget_lines-1-item", "Hall"), ("budget_lines-1-cost", "50"), ("budget_lines-1-kind", "revenue")]
    response = save(client, application, "budget", action="remove-budget_lines-0", pairs=pairs)
    removed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="Hall"' in removed and 'value="Food"' not in removed


def test_adding_a_budget_line_goes_back_to_the_new_line_without_errors(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    pairs = [("budget_lines-0-item", "Food"), ("budget_lines-0-cost", "100"), ("budget_lines-0-kind", "revenue")]

    response = save(client, application, "budget", action="add-budget_lines", pairs=pairs)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/applications/{application.id}/sections/budget#budget_lines-1")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="budget_lines-1"' in page  # the new line's fieldset, where the page opens
    assert "There is a problem" not in page and "govuk-error-message" not in page
    assert "Enter what the item is" not in page
    assert "Total you are asking for: <span data-group-total-value>£100.00</span>" in page
    assert 'aria-live="polite"' in page and "group-total.js" in page

    pairs += [("budget_lines-1-item", "Hall"), ("budget_lines-1-cost", "50"), ("budget_lines-1-kind", "revenue")]
    removed = save(client, application, "budget", action="remove-budget_lines-1", pairs=pairs)
    assert removed.headers["Location"].endswith("/sections/budget#budget_lines")


def test_change_on_check_your_answers_goes_back_to_check_your_answers_after_saving(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    complete(client, application)
    check = client.get(f"/applications/{application.id}/check").get_data(as_text=True)
    change = f"/applications/{application.id}/sections/people?return_to=check#people_reached"
    assert f'href="{change}"' in check

    page = client.get(change.split("#")[0]).get_data(as_text=True)
    assert '<input type="hidden" name="return_to" value="check">' in page
    data = MultiDict(form_fields("people", who="Older people in Holbeck"))
    version = page.split('name="version_id" value="', 1)[1].split('"', 1)[0]
    data.update({"csrf_token": csrf_token(client, "/sign-out"), "version_id": version, "action": "continue"})
    data.add("return_to", "check")
    response = client.post(f"/applications/{application.id}/sections/people", data=data)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/applications/{application.id}/check")
    assert section_row(application, "people").answers["values"]["who"] == "Older people in Holbeck"


@pytest.mark.parametrize("where", ["https://evil.example/", "//evil.example", "/sign-out", "outcomes"])
def test_save_and_continue_only_goes_back_to_a_known_page(client, applicant, round_, where):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    data = MultiDict(form_fields("people"))
    data.update({"csrf_token": csrf_token(client, "/sign-out"), "version_id": "0", "action": "continue"})
    data.add("return_to", where)

    response = client.post(f"/applications/{application.id}/sections/people", data=data)

    assert response.headers["Location"].endswith(f"/applications/{application.id}/sections/outcomes")
    assert "return_to" not in client.get(f"/applications/{application.id}/sections/people?return_to={where}").get_data(
        as_text=True
    )


def test_two_people_saving_the_same_section_do_not_overwrite_each_other(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    page = client.get(f"/applications/{application.id}/sections/people").get_data(as_text=True)
    stale_version = page.split('name="version_id" value="', 1)[1].split('"', 1)[0]
    assert save(client, application, "people", who="First person's answer").status_code == 302

    data = MultiDict(form_fields("people", who="Second person's answer"))
    data.update({"csrf_token": csrf_token(client, "/sign-out"), "version_id": stale_version, "action": "continue"})
    response = client.post(f"/applications/{application.id}/sections/people", data=data)
    html = response.get_data(as_text=True)

    assert response.status_code == 409
    assert "Your changes have not been saved" in html
    assert "Second person&#39;s answer" in html
    assert section_row(application, "people").answers["values"]["who"] == "First person's answer"


# -- uploads -------------------------------------------------------------------------------
def test_a_document_is_checked_by_content_and_stored_outside_static_under_a_random_name(app, client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)

    response = save(
        client, application, "safeguarding", action="later", files={"safeguarding_policy": upload("policy.pdf")}
    )

    assert response.status_code == 302
    document = db.session.scalar(select(Document).where(Document.application_id == application.id))
    assert document.original_name == "policy.pdf" and document.content_type == "application/pdf"
    assert "policy" not in document.stored_name
    stored = os.path.join(app.config["UPLOAD_FOLDER"], document.stored_name)
    assert Path(stored).read_bytes() == PDF
    assert not os.path.realpath(stored).startswith(os.path.realpath(app.static_folder))
    download = client.get(f"/applications/{application.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF


def test_a_pdf_uploaded_with_a_dangerous_name_is_downloaded_as_a_pdf(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    save(client, application, "safeguarding", action="later",
         files={"safeguarding_policy": upload("policy\u202efdp.exe")})  # fmt: skip
    document = db.session.scalar(select(Document).where(Document.application_id == application.id))

    download = client.get(f"/applications/{application.id}/documents/{document.id}")

    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"] == "attachment; filename=policyfdp.pdf"


def test_a_file_that_is_not_what_its_name_says_is_refused_and_the_typed_answers_stay(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)

    response = save(
        client,
        application,
        "safeguarding",
        dbs_checks="not_needed",
        files={"governing_document": upload("constitution.pdf", b"MZ\x90\x00 not really a pdf")},
    )
    html = response.get_data(as_text=True)

    assert "The file for ‘Your governing document’ must be a PDF, Word (DOCX)" in html
    assert 'value="not_needed" checked' in html
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_a_png_is_accepted_whatever_it_is_called(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)

    save(client, application, "safeguarding", action="later", files={"latest_accounts": upload("accounts.txt", PNG)})

    document = db.session.scalar(select(Document).where(Document.application_id == application.id))
    assert document.content_type == "image/png"


def test_staff_on_the_programme_can_download_a_document_but_other_applicants_cannot(client, sign_in, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    save(client, application, "safeguarding", action="later", files={"safeguarding_policy": upload("policy.pdf")})
    document = db.session.scalar(select(Document).where(Document.application_id == application.id))
    url = f"/applications/{application.id}/documents/{document.id}"

    sign_in(member_of(OrganisationFactory()))
    assert client.get(url).status_code == 404
    sign_in(staff_user("officer", round_.programme))
    assert client.get(url).status_code == 200


# -- checking and submitting ---------------------------------------------------------------
def test_submitting_an_incomplete_application_says_which_sections_are_left(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    save(client, application, "project")

    html = client.get(f"/applications/{application.id}/check").get_data(as_text=True)

    assert "Complete the section ‘Budget’" in html
    assert "Complete the section ‘Your project’" not in html
    assert "Submit application" not in html


def test_a_complete_application_is_submitted_once_with_a_reference_and_one_email_with_the_answers(
    client, applicant, round_
):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    complete(client, application)
    check = client.get(f"/applications/{application.id}/check").get_data(as_text=True)
    assert "£6,000.50" in check and "Safe Suppers" in check

    first = submit(client, application)
    second = submit(client, application)  # a double click, or a second tab

    assert first.status_code == 302 and second.status_code == 302
    db.session.refresh(application)
    assert application.state == "submitted"
    assert application.public_reference == "MSCF-R9-0001"
    assert application.amount_requested_pence == 600_050
    confirmation = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Application submitted" in confirmation and "MSCF-R9-0001" in confirmation
    emails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "aisha@example.org")).all()
    assert len(emails) == 1
    assert "Safe Suppers" in emails[0].body and "£6,000.50" in emails[0].body
    submits = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.subject_id == application.id, AuditEvent.action == "submit")
    )
    assert submits == 1


def test_after_submission_the_answers_are_read_only(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    complete(client, application)
    submit(client, application)

    opened = client.get(f"/applications/{application.id}/sections/people")
    data = MultiDict(form_fields("people", who="changed after submission"))
    data.update({"csrf_token": csrf_token(client, "/sign-out"), "version_id": "1", "action": "continue"})
    posted = client.post(f"/applications/{application.id}/sections/people", data=data)

    assert opened.status_code == 302 and posted.status_code == 302
    db.session.refresh(application)
    assert section_row(application, "people").answers["values"]["who"] == GOOD["people"]["who"]


def test_submitting_after_the_closing_time_is_refused_with_the_time_and_the_draft_stays(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    complete(client, application)
    round_.closes_at = datetime(2026, 10, 30, 11, 0, tzinfo=UTC)  # 11:00 GMT, the day after the clocks went back
    db.session.commit()

    response = submit(client, application)
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)

    db.session.refresh(application)
    assert application.state == "draft"
    assert "closed on 30 October 2026, 11:00am" in html
    assert response.status_code in (302, 400)


def test_saving_on_the_closing_day_works_until_the_minute(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    round_.closes_at = datetime.now(UTC) + timedelta(minutes=1)
    db.session.commit()

    assert save(client, application, "people").status_code == 302

    data = MultiDict(form_fields("outcomes"))
    data.update({"csrf_token": csrf_token(client, "/sign-out"), "version_id": "0", "action": "continue"})
    round_.closes_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    response = client.post(f"/applications/{application.id}/sections/outcomes", data=data)

    assert response.status_code == 302  # back to the application, with the closing time
    assert section_row(application, "outcomes") is None
    assert "This round closed on" in client.get(response.headers["Location"]).get_data(as_text=True)


# -- another organisation's application ------------------------------------------------------
def test_every_applicant_page_of_another_organisations_application_is_not_found(client, sign_in, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    save(client, application, "safeguarding", action="later", files={"safeguarding_policy": upload("policy.pdf")})
    document = db.session.scalar(select(Document).where(Document.application_id == application.id))
    sign_in(member_of(OrganisationFactory(), email="someone.else@example.org"))
    token = csrf_token(client, "/sign-out")

    pages = [
        f"/applications/{application.id}",
        f"/applications/{application.id}/sections/project",
        f"/applications/{application.id}/check",
        f"/applications/{application.id}/confirmation",
        f"/applications/{application.id}/respond",
        f"/applications/{application.id}/withdraw",
        f"/applications/{application.id}/documents/{document.id}",
    ]
    posts = {pages[1], pages[2], pages[4], pages[5]}
    for url in pages:
        assert client.get(url).status_code == 404, url
        if url in posts:
            assert client.post(url, data={"csrf_token": token}).status_code == 404, url
    assert "Safe Suppers" not in client.get("/applications").get_data(as_text=True)


# -- questions from officers, and withdrawing ------------------------------------------------
def test_an_applicant_answers_the_officers_question_and_it_goes_back_to_the_officer(client, sign_in, applicant, round_):
    from grants.workflow import apply_transition

    application = start(client, round_, applicant.memberships[0].organisation_id)
    complete(client, application)
    submit(client, application)
    officer = staff_user("officer", round_.programme)
    apply_transition(application, "request_information", officer, "Please send last year's accounts.")

    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Please send last year&#39;s accounts." in page
    token = csrf_token(client, f"/applications/{application.id}/respond")
    response = client.post(
        f"/applications/{application.id}/respond",
        data={"csrf_token": token, "version_id": application.version_id, "answer": "Attached to our profile now."},
    )

    assert response.status_code == 302
    db.session.refresh(application)
    assert application.state == "submitted"
    row = db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == application.id, AuditEvent.action == "provide_information")
    ).one()
    assert row.reason == "Attached to our profile now." and row.actor_id == applicant.id


def test_an_applicant_withdraws_with_a_reason_and_a_reason_is_required(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)
    url = f"/applications/{application.id}/withdraw"

    refused = client.post(
        url, data={"csrf_token": csrf_token(client, url), "version_id": application.version_id, "reason": ""}
    )
    assert "Enter why you are withdrawing the application" in refused.get_data(as_text=True)

    done = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "version_id": application.version_id,
            "reason": "We found other funding.",
        },
    )
    assert done.status_code == 302
    db.session.refresh(application)
    assert application.state == "withdrawn"


# -- dates, and the grant terms ---------------------------------------------------------------
def test_date_hints_give_an_example_still_to_come_and_a_month_may_be_typed_as_a_word(client, applicant, round_):
    application = start(client, round_, applicant.memberships[0].organisation_id)

    html = client.get(f"/applications/{application.id}/sections/project").get_data(as_text=True)
    assert "For example, 1 4 2023" not in html and "For example, 31 3 2024" not in html
    assert "For example, 31 3 2028" in html  # the end of the round's delivery window

    response = save(client, application, "project", start_date=["1", "April", "2027"], end_date=["31", "mar", "2028"])
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    values = section_row(application, "project").answers["values"]
    assert values["start_date"] == "2027-04-01" and values["end_date"] == "2028-03-31"


def test_the_eligibility_date_hint_looks_ahead(client, applicant, round_):
    html = client.get(f"/rounds/{round_.code}/eligibility").get_data(as_text=True)
    assert "For example, 31 3 2024" not in html
    assert f"For example, 1 4 {datetime.now(UTC).year + 1}" in html


def test_the_declaration_links_to_the_programmes_current_grant_terms(client, applicant, round_):
    AgreementTermsFactory(programme_id=round_.programme_id, version=1, text="1. Old terms.")
    AgreementTermsFactory(programme_id=round_.programme_id, version=2, text="1. Spend the grant on the project.")
    application = start(client, round_, applicant.memberships[0].organisation_id)

    html = client.get(f"/applications/{application.id}/sections/declarations").get_data(as_text=True)
    link = f'href="/rounds/{round_.code}/terms"'
    assert link in html and "Read the grant terms and conditions (opens in new tab)" in html

    terms = client.get(f"/rounds/{round_.code}/terms")
    assert terms.status_code == 200
    text = terms.get_data(as_text=True)
    assert "1. Spend the grant on the project." in text and "Old terms" not in text


def test_the_grant_terms_page_is_public_and_falls_back_to_the_standard_terms(client, round_):
    from grants.agreement_terms import standard_text

    html = client.get(f"/rounds/{round_.code}/terms").get_data(as_text=True)

    first_line = next(line.strip() for line in standard_text().splitlines() if line.strip())
    assert "Grant terms and conditions" in html
    assert first_line.replace("'", "&#39;") in html


def test_check_your_answers_says_what_the_organisations_profile_still_lacks(client, applicant, round_):
    applicant.memberships[0].organisation.bank_account_number = None  # a new group: no bank details yet
    db.session.commit()
    application = start(client, round_, applicant.memberships[0].organisation_id)

    html = client.get(f"/applications/{application.id}/check").get_data(as_text=True)
    assert "profile does not give its annual income, safeguarding lead, bank details yet" in html

    organisation = applicant.memberships[0].organisation
    organisation.annual_income_pence = 1_250_000
    organisation.safeguarding_lead_name = "Grace Oduya"
    organisation.bank_account_number = "31926819"
    db.session.commit()
    assert "profile does not give" not in client.get(f"/applications/{application.id}/check").get_data(as_text=True)
