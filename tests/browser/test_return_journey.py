"""A grantee fills in an MoJ quarterly return in a real browser and a second member signs it off,
with axe on every page: the list, the task list, a section with errors, check your answers, sign-off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grants.extensions import db
from grants.models import MonitoringReturn, ReturnMetric
from tests.browser.conftest import Browser
from tests.datasets.returns import GOOD, open_return
from tests.factories import PASSWORD, OrganisationFactory, member_of

pytestmark = pytest.mark.browser

FILLER = "priya@refuge.example"
CHAIR = "margaret@refuge.example"


@pytest.fixture
def return_to_fill(live_server, committed_db) -> int:
    refuge = OrganisationFactory(name="Leeds Women's Refuge")
    member_of(refuge, email=FILLER, name="Priya Shah")
    member_of(refuge, email=CHAIR, name="Margaret Lowe")
    ret = open_return("moj-quarterly", organisation=refuge, sign_off_required=True, amount_pence=12_000_000)
    committed_db.session.commit()
    ret_id = ret.id
    committed_db.session.remove()
    return ret_id


def _fill(site: Browser, fields: dict[str, str]) -> None:
    page = site.page
    for key, value in fields.items():
        if key.endswith("-status"):
            page.get_by_label("Green: on track").check()
        else:
            page.locator(f"#{key}").fill(value)


def test_a_grantee_fills_in_a_return_and_a_second_member_signs_it_off(site: Browser, return_to_fill: int):
    page = site.page
    site.sign_in(FILLER, PASSWORD)
    site.visit("/returns")
    expect(site.heading()).to_have_text("Your returns")
    site.follow(page.get_by_role("link", name="Months 1-6 return"))
    expect(page.locator("main")).to_contain_text("You have completed 0 of 7 sections")

    site.follow(page.get_by_role("link", name="Victims supported"))
    _fill(site, {**GOOD["moj-quarterly"]["victims"], "victims_supported": "-3"})
    site.follow(page.get_by_role("button", name="Save and continue").last)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter 0 or more for the number of victims supported directly"
    )
    expect(page.locator("#victims_supported")).to_have_value("-3")
    expect(page.locator("#idva_domestic_abuse")).to_have_value("310")

    for fields in GOOD["moj-quarterly"].values():
        _fill(site, fields)
        site.follow(page.get_by_role("button", name="Save and continue").last)
        expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(site.heading()).to_have_text("Check your answers before you send the return")
    expect(page.locator("main")).to_contain_text("1,204")
    expect(page.locator("main")).to_contain_text("£30,000.00")

    site.follow(page.get_by_role("button", name="Send for sign-off"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent for sign-off")
    expect(page.locator("main")).to_contain_text("The person who filled in the return cannot sign it off")
    page.context.clear_cookies()  # sign out

    site.sign_in(CHAIR, PASSWORD)
    site.visit(f"/returns/{return_to_fill}")
    site.follow(page.get_by_role("button", name="Read and sign off the return"))
    expect(site.heading()).to_have_text("Sign off the return")
    site.follow(page.get_by_role("button", name="Sign off and send the return"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your position at the organisation")
    page.get_by_label("Your position at the organisation").fill("Chair of trustees")
    page.get_by_label("I have read the return").check()
    site.follow(page.get_by_role("button", name="Sign off and send the return"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed off the return")
    expect(page.locator("main")).to_contain_text("by the Chair of trustees")

    ret = db.session.get(MonitoringReturn, return_to_fill)
    assert ret.state == "submitted" and ret.signer_position == "Chair of trustees"
    figures = dict(
        db.session.execute(
            select(ReturnMetric.metric, ReturnMetric.value).where(ReturnMetric.monitoring_return_id == ret.id)
        ).all()
    )
    assert figures["victims_supported"] == 1204 and figures["restorative_justice"] == 88
    db.session.rollback()
