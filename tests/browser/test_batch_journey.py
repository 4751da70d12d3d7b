"""An officer filters the applications, ticks some, checks what marking them eligible would do, confirms,
and reads what happened to each; emails the organisations of a selection after checking a preview, starting
from a message template and saving one; manages the programme's message templates; and gives selected bids to
an assessor.
Axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Browser
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    EmailTemplateFactory,
    ProgrammeFactory,
    RoundFactory,
    member_of,
    passed_screening,
    staff_user,
)

pytestmark = pytest.mark.browser


def test_an_officer_marks_several_filtered_applications_eligible_in_one_batch(site: Browser, live_server, committed_db):
    programme = ProgrammeFactory()
    round_ = RoundFactory(programme=programme)
    ready = [ApplicationFactory(round=round_, state="submitted") for _ in range(2)]
    for application in ready:
        passed_screening(application)
    unscreened = ApplicationFactory(round=round_, state="submitted")
    elsewhere = ApplicationFactory(round=round_, state="eligible")
    staff_user("officer", programme, email="priya@example.org", name="Priya Sharma")
    page = site.page

    site.sign_in("priya@example.org", PASSWORD)
    site.visit("/cases/application?state=submitted")
    expect(page.locator("main")).not_to_contain_text(elsewhere.reference)
    site.follow(page.get_by_role("button", name="Check what will change"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select at least one case")
    for application in (*ready, unscreened):
        page.get_by_label(f"Select {application.reference}").check()
    page.get_by_label("Action").select_option("mark_eligible")
    site.follow(page.get_by_role("button", name="Check what will change"))

    expect(site.heading()).to_have_text("Check what will change: mark as eligible")
    expect(page.locator("#batch-summary")).to_contain_text("2 cases will move to eligible.")
    expect(page.locator("#staying")).to_contain_text(f"{unscreened.reference}")
    expect(page.locator("#staying")).to_contain_text("Complete the screening checklist first.")
    page.get_by_label("Reason for 'mark as eligible' (optional)").fill("Screened at Tuesday's meeting")
    site.follow(page.get_by_role("button", name="Confirm: mark as eligible (2 cases)"))

    expect(site.heading()).to_have_text("Mark as eligible: batch done")
    expect(page.locator("#batch-result")).to_have_text("2 cases moved to eligible.")
    site.follow(page.get_by_role("link", name=ready[0].reference))
    expect(page.locator("main")).to_contain_text("Screened at Tuesday's meeting")


def test_an_officer_emails_the_organisations_of_selected_applications(site: Browser, live_server, committed_db):
    programme = ProgrammeFactory()
    application = ApplicationFactory(round=RoundFactory(programme=programme), state="submitted")
    member_of(application.organisation, email="aisha@bramley.example")
    staff_user("officer", programme, email="priya@example.org", name="Priya Sharma")
    page = site.page

    site.sign_in("priya@example.org", PASSWORD)
    site.visit("/cases/application")
    page.get_by_label(f"Select {application.reference}").check()
    page.get_by_label("Action").select_option("email")
    site.follow(page.get_by_role("button", name="Check what will change"))

    expect(site.heading()).to_have_text("Email the organisations of 1 case")
    page.get_by_label("Subject").fill("Your application ((reference))")
    page.get_by_label("Message").fill("Dear ((organisation)), the panel meets on Friday.")
    site.follow(page.get_by_role("button", name="Check the email"))
    expect(page.locator("#preview")).to_contain_text(f"Your application {application.reference}")
    expect(page.locator("#preview")).to_contain_text(f"Dear {application.organisation.name}, the panel meets")
    site.follow(page.get_by_role("button", name="Send 1 email"))

    expect(site.heading()).to_have_text("Emails sent")
    expect(page.locator("#batch-result")).to_have_text("1 email sent about 1 case.")


def test_an_officer_starts_a_batch_email_from_a_template_saves_it_as_another_and_sends_it(
    site: Browser, live_server, committed_db
):
    programme = ProgrammeFactory(name="Mid-Shire Community Fund")
    round_ = RoundFactory(programme=programme)
    bids = [ApplicationFactory(round=round_, state="submitted") for _ in range(2)]
    for number, application in enumerate(bids):
        member_of(application.organisation, email=f"contact{number}@bramley.example")
    EmailTemplateFactory(
        programme_id=programme.id, key="batch:Round 4 reminder", subject="A reminder about ((reference))",
        body="Dear ((organisation)),\n\nPlease send your answers: ((link))",
    )  # fmt: skip
    staff_user("officer", programme, email="priya@example.org", name="Priya Sharma")
    page = site.page

    site.sign_in("priya@example.org", PASSWORD)
    site.visit("/cases/application")
    for application in bids:
        page.get_by_label(f"Select {application.reference}").check()
    page.get_by_label("Action").select_option("email")
    site.follow(page.get_by_role("button", name="Check what will change"))

    expect(site.heading()).to_have_text("Email the organisations of 2 cases")
    site.follow(page.get_by_role("button", name="Use this template"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a template to start from")
    page.get_by_label("Start from a template").select_option(label="Round 4 reminder (Mid-Shire Community Fund)")
    site.follow(page.get_by_role("button", name="Use this template"))
    expect(page.locator("#started-from")).to_contain_text("Round 4 reminder")
    expect(page.get_by_label("Subject")).to_have_value("A reminder about ((reference))")
    page.get_by_label("Message").fill("Dear ((organisation)),\n\nPlease send your answers by Friday: ((link))")
    site.follow(page.get_by_role("button", name="Check the email"))

    expect(page.locator("#preview")).to_contain_text(f"A reminder about {bids[0].reference}")
    expect(page.locator("#preview")).to_contain_text(f"Dear {bids[0].organisation.name}")
    page.get_by_label("Save as a template called").fill("Friday reminder")
    site.follow(page.get_by_role("button", name="Save as a template"))
    expect(page.locator("#saved-template")).to_have_text(
        "Saved as the template “Friday reminder” for Mid-Shire Community Fund."
    )
    site.follow(page.get_by_role("button", name="Send 2 emails"))

    expect(site.heading()).to_have_text("Emails sent")
    expect(page.locator("#batch-result")).to_have_text("2 emails sent about 2 cases.")


def test_an_officer_renames_and_deletes_a_message_template_on_the_programmes_emails_page(
    site: Browser, live_server, committed_db
):
    programme = ProgrammeFactory(name="Mid-Shire Community Fund", code="MSCF")
    EmailTemplateFactory(
        programme_id=programme.id, key="batch:Round 4 reminder", subject="A reminder about ((reference))",
        body="Dear ((organisation)),\n\nPlease send your answers: ((link))",
    )  # fmt: skip
    staff_user("officer", programme, email="priya@example.org", name="Priya Sharma")
    page = site.page

    site.sign_in("priya@example.org", PASSWORD)
    site.follow(page.get_by_role("link", name="emails your programmes send"))
    site.follow(page.get_by_role("link", name="Mid-Shire Community Fund (MSCF)"))
    site.follow(page.get_by_role("link", name="Round 4 reminder", exact=True))
    expect(site.heading()).to_have_text("Round 4 reminder")
    page.get_by_label("Subject").fill("A reminder about ((referance))")
    site.follow(page.get_by_role("button", name="Save template"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("((referance)) is not a placeholder this email knows")
    page.get_by_label("Name").fill("Round 5 reminder")
    page.get_by_label("Subject").fill("A reminder about ((reference))")
    site.follow(page.get_by_role("button", name="Save template"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved the template “Round 5 reminder”.")
    expect(page.locator("#messages")).to_contain_text("Round 5 reminder")

    site.follow(page.get_by_role("link", name="Delete Round 5 reminder"))
    expect(site.heading()).to_have_text("Delete the template “Round 5 reminder”?")
    site.follow(page.get_by_role("button", name="Delete this template"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Deleted the template “Round 5 reminder”.")
    expect(page.locator("#messages")).to_have_text("Mid-Shire Community Fund has no message templates yet.")


def test_an_officer_gives_selected_bids_to_an_assessor(site: Browser, live_server, committed_db):
    programme = ProgrammeFactory()
    bid = ApplicationFactory(round=RoundFactory(programme=programme), state="eligible")
    staff_user("assessor", programme, name="Ama Owusu", email="ama@example.org")
    staff_user("officer", programme, email="priya@example.org", name="Priya Sharma")
    page = site.page

    site.sign_in("priya@example.org", PASSWORD)
    site.visit("/cases/application?state=eligible")
    page.get_by_label(f"Select {bid.reference}").check()
    page.get_by_label("Action").select_option("assign")
    site.follow(page.get_by_role("button", name="Check what will change"))

    expect(site.heading()).to_have_text("Assign assessors to 1 bid")
    page.get_by_label("Ama Owusu (ama@example.org): 0 bids in this round now").check()
    page.get_by_label("Assessors per bid").fill("1")
    site.follow(page.get_by_role("button", name="Check the assignment"))
    expect(page.locator("#assign-plan")).to_contain_text("shared between Ama Owusu")
    site.follow(page.get_by_role("button", name="Assign assessors to 1 bid"))

    expect(site.heading()).to_have_text("Assessors assigned")
    expect(page.locator("#batch-result")).to_have_text("1 assignment to 1 assessor. 1 bid sent for assessment.")
