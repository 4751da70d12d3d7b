"""Commissioning in a real browser, with axe on every page: an officer records a need from the
commissioning pages, chooses a direct award with its written justification, runs the procurement and
sets terms above £100,000; two different decision makers approve; the officer mobilises it and
delivery starts. The list, the programme's money by year and the provider's own view are checked too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Browser
from tests.factories import PASSWORD, OrganisationFactory, ProgrammeFactory, ensure_terms, member_of, staff_user

pytestmark = pytest.mark.browser

OFFICER, FIRST, SECOND = "cora.officer@example.org", "dev.deputy@example.org", "max.mayor@example.org"
PROVIDER = "pat.provider@example.org"


def _set_up(db) -> None:
    ensure_terms(
        {
            ("budget_stream", "violence_reduction_unit"): "Violence Reduction Unit",
            ("district", "leeds"): "Leeds",
            ("district", "bradford"): "Bradford",
            ("service_type", "youth_intervention"): "Youth violence intervention",
        }
    )
    programme = ProgrammeFactory(code="VRU", name="Violence Reduction Unit interventions", kind="commissioning")
    staff_user("officer", programme, email=OFFICER, name="Cora Officer")
    staff_user("decision_maker", programme, email=FIRST, name="Dev Deputy")
    staff_user("decision_maker", programme, email=SECOND, name="Max Mayor")
    provider = OrganisationFactory(name="Second Chance Youth Trust", org_type="registered_charity")
    member_of(provider, email=PROVIDER, name="Pat Provider")
    db.session.commit()


def _date(page, name: str, day: str, month: str, year: str) -> None:
    page.locator(f"#{name}-day").fill(day)
    page.locator(f"#{name}-month").fill(month)
    page.locator(f"#{name}-year").fill(year)


def _switch(site: Browser, email: str) -> None:
    from grants.extensions import limiter

    limiter.reset()
    site.page.context.clear_cookies()
    site.sign_in(email, PASSWORD)


def test_a_direct_award_above_100000_pounds_is_approved_twice_and_delivered(site: Browser, committed_db):
    _set_up(committed_db)
    page = site.page

    site.sign_in(OFFICER, PASSWORD)
    site.follow(page.locator(".govuk-service-navigation").get_by_role("link", name="Commissioning"))
    site.follow(page.get_by_role("link", name="Record a need"))
    page.get_by_label("Programme").select_option(label="Violence Reduction Unit interventions")
    page.get_by_label("Title").fill("Custody diversion in the five custody suites")
    page.get_by_label("What is needed").fill("Youth workers in every custody suite")
    page.get_by_label("Why it is needed").fill("Young people arrested for violence leave custody with no support")
    page.get_by_label("The evidence for it").fill("VRU strategic needs assessment 2025")
    page.get_by_label("Budget stream").select_option("violence_reduction_unit")
    page.get_by_label("Estimated value").fill("310,000")
    site.follow(page.get_by_role("button", name="Record the need"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("need identified")
    contract_url = site.path

    page.get_by_role("radio", name="Direct award").check()
    site.follow(page.get_by_role("button", name="Choose the route"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write why a direct award is justified")
    page.get_by_label("Written justification (for a direct award)").fill(
        "The only provider with access to all five custody suites"
    )
    page.get_by_label("Contract Standing Orders exception (for a direct award)").select_option(index=2)
    site.follow(page.get_by_role("button", name="Choose the route"))
    expect(page.get_by_role("definition").filter(has_text="The only provider with access")).to_be_visible()
    site.follow(page.get_by_role("button", name="Start procurement"))

    site.follow(page.get_by_role("link", name="Change procurement"))
    page.get_by_label("Number of bidders").fill("1")
    page.get_by_label("Provider chosen").select_option(label="Second Chance Youth Trust")
    site.follow(page.get_by_role("button", name="Save"))
    site.follow(page.get_by_role("link", name="Change terms of the award"))
    page.get_by_label("Contract value").fill("310000")
    _date(page, "starts_on", "1", "4", "2026")
    _date(page, "end_date", "31", "March", "2027")
    page.get_by_label("Extension allowed (months)").fill("12")
    page.get_by_label("Contract Standing Orders reference").fill("CSO-2026-002")
    site.follow(page.get_by_role("button", name="Save"))
    expect(page.get_by_text("£310,000.00").first).to_be_visible()

    _switch(site, FIRST)
    site.visit(contract_url)
    site.follow(page.get_by_role("button", name="Approve the award (first of two decision makers)"))
    expect(page.get_by_text("Awaiting second approval").first).to_be_visible()
    expect(page.get_by_role("button", name="Approve the award (second decision maker)")).to_have_count(0)
    expect(page.get_by_text("a second, different decision maker must approve it")).to_be_visible()

    _switch(site, SECOND)
    site.visit(contract_url)
    site.follow(page.get_by_role("button", name="Approve the award (second decision maker)"))
    expect(page.get_by_text("Second approval").first).to_be_visible()

    _switch(site, OFFICER)
    site.visit(contract_url)
    site.follow(page.get_by_role("button", name="Start mobilisation"))
    site.follow(page.get_by_role("button", name="Start delivery"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is now delivering")
    site.follow(page.get_by_role("link", name="Change what is delivered, and where"))
    page.get_by_label("Leeds").check()
    site.follow(page.get_by_role("button", name="Save"))

    site.visit("/commissioning/contracts?district=leeds")
    expect(page.get_by_role("cell", name="Second Chance Youth Trust")).to_be_visible()
    site.visit("/commissioning/programmes/VRU")
    expect(site.heading()).to_contain_text("Violence Reduction Unit interventions")

    _switch(site, PROVIDER)
    site.visit("/grants")
    site.follow(page.get_by_role("link", name="Your contracts"))
    expect(page.get_by_text("Custody diversion in the five custody suites").first).to_be_visible()
