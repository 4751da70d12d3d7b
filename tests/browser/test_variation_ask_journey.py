"""A grant holder asks for more time, and it goes all the way, by clicking only, axe on every page:

the grant holder opens their grant from "Your grants", asks to change it (first sending the form empty
and reading what is missing), and sees the ask waiting; the officer finds it on Your work under
"Variations to prepare", opens it with the grant holder's figures filled in, and prepares it for a
decision; the decision maker approves it from their Variations list; the grant holder sees it approved
and the grant's new end date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import Locator, expect

from grants.formatting import LONDON, london_date
from tests.browser.conftest import Browser
from tests.factories import PASSWORD, AwardFactory, OrganisationFactory, ProgrammeFactory, member_of, staff_user

pytestmark = pytest.mark.browser

HOLDER = "cara.coach@example.org"
OFFICER = "olu.officer@example.org"
DECIDER = "dee.decides@example.org"
REFERENCE = "MSCF-R3-0042"
WHY = "Our youth worker left in February; the last eight sessions move to the summer holidays."


def _set_up(db) -> dict:
    programme = ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund")
    staff_user("officer", programme, email=OFFICER, name="Olu Adeyemi")
    staff_user("decision_maker", programme, email=DECIDER, name="Dee Okafor")
    organisation = OrganisationFactory(name="Calder Valley Boxing Club CIC")
    member_of(organisation, email=HOLDER, name="Cara Coach")
    today = datetime.now(LONDON).date()
    ends = today + timedelta(days=60)
    AwardFactory(
        programme=programme,
        organisation=organisation,
        public_reference=REFERENCE,
        title="Gloves Not Knives",
        amount_pence=798_500,
        amount_at_decision_pence=798_500,
        state="active",
        starts_on=date(2023, 4, 1),
        ends_on=ends,
    )
    db.session.commit()
    db.session.remove()
    return {"later": ends + timedelta(days=61)}


def _menu(site: Browser) -> Locator:
    return site.page.locator(".govuk-service-navigation")


def _flash(site: Browser, text: str) -> None:
    expect(site.page.locator(".govuk-notification-banner")).to_contain_text(text)


def _sign_out(site: Browser) -> None:
    site.follow(_menu(site).get_by_role("link", name="Sign out", exact=True))
    site.follow(site.page.get_by_role("button", name="Sign out", exact=True))


def _open_the_grant(site: Browser) -> None:
    site.follow(_menu(site).get_by_role("link", name="Your grants", exact=True))
    site.follow(site.page.locator("main").get_by_role("link", name=f"{REFERENCE}: Gloves Not Knives"))
    expect(site.heading()).to_have_text(f"{REFERENCE}: Gloves Not Knives")


def test_a_grant_holders_ask_is_prepared_by_the_officer_and_approved_by_clicking(site: Browser, committed_db):
    facts = _set_up(committed_db)
    later = facts["later"]
    page, main = site.page, site.page.locator("main")

    # The grant holder asks for more time from their grant's page.
    site.sign_in(HOLDER, PASSWORD)
    _open_the_grant(site)
    expect(main).to_contain_text("You have not asked to change this grant.")
    site.follow(main.get_by_role("link", name="Ask to change this grant"))
    expect(site.heading()).to_have_text("Ask to change this grant")
    site.follow(page.get_by_role("button", name="Send to the grants team"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a new end date or a new amount, or both")
    expect(summary).to_contain_text("Enter why you need the change")
    when = page.get_by_role("group", name="New end date (optional)")
    when.get_by_label("Day").fill(str(later.day))
    when.get_by_label("Month").fill(str(later.month))
    when.get_by_label("Year").fill(str(later.year))
    page.get_by_label("Why do you need this change?").fill(WHY)
    site.follow(page.get_by_role("button", name="Send to the grants team"))
    _flash(site, f"Your request to change this grant has been sent to the grants team ({REFERENCE}-V1)")
    asked = page.locator(f"#ask-{REFERENCE}-V1")
    expect(asked).to_contain_text("Asked for: waiting for the grants team")
    expect(asked).to_contain_text(f"End date {london_date(later - timedelta(days=61))} to {london_date(later)}")
    _sign_out(site)

    # The officer finds it on Your work and prepares it as asked.
    site.sign_in(OFFICER, PASSWORD)
    expect(site.heading()).to_have_text("Your work")
    queue = page.locator("#queue-variations_to_prepare")
    expect(queue).to_contain_text("Variations to prepare")
    expect(queue).to_contain_text("1")
    site.follow(queue.get_by_role("link"))
    expect(site.heading()).to_have_text("Variations to prepare")
    site.follow(main.get_by_role("link", name=f"{REFERENCE}-V1"))
    expect(page.locator("#state")).to_have_text("Asked for by the grant holder")
    expect(page.get_by_label("Reason for the variation")).to_have_value(WHY)
    prepared = page.get_by_role("group", name="New end date (optional)")
    expect(prepared.get_by_label("Year")).to_have_value(str(later.year))
    site.follow(page.get_by_role("button", name="Send for approval"))
    _flash(site, f"{REFERENCE}-V1 has been sent for approval.")
    expect(page.locator("#state")).to_have_text("Awaiting approval")
    _sign_out(site)

    # The decision maker approves it from their list of variations.
    site.sign_in(DECIDER, PASSWORD)
    site.follow(_menu(site).get_by_role("link", name="Variations", exact=True))
    expect(site.heading()).to_have_text("Variations awaiting approval")
    site.follow(main.get_by_role("link", name=f"{REFERENCE}-V1"))
    site.follow(page.get_by_role("button", name="Approve the variation"))
    _flash(site, f"{REFERENCE}-V1 is now approved.")
    _sign_out(site)

    # The grant holder sees it approved and the grant's new end date.
    site.sign_in(HOLDER, PASSWORD)
    _open_the_grant(site)
    expect(page.locator(f"#ask-{REFERENCE}-V1")).to_contain_text("Approved on")
    expect(main).to_contain_text(f"to {london_date(later)}")
    expect(main.get_by_role("link", name="Ask to change this grant")).to_be_visible()
