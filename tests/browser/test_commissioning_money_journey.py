"""A strand's money in a real browser, with axe on every page: the officer adds the year's allocation
to an MoJ strand and sends its offer, the provider accepts it and the MoJ totals show it; the provider
fills its first quarterly return in and another member signs it off; the officer prepares a 9% uplift
for the VCSE providers' allocations of the year, previews it, a decision maker approves it, and the
strand, the MoJ totals and the provider's own view show the new amount."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grants.awards.services import today as london_today
from grants.extensions import limiter
from grants.models import AuditEvent, Award, MonitoringReturn, OutboxMessage, Programme
from grants.models.budgets import financial_year_of
from grants.setup.seed import seed
from tests.browser.conftest import Browser
from tests.browser.test_monitor_end_to_end import _fill_every_section
from tests.factories import PASSWORD, BudgetFactory, ContractFactory, OrganisationFactory, member_of, staff_user

pytestmark = pytest.mark.browser

OFFICER, DECIDER = "olu.officer@example.org", "dee.decider@example.org"
FILLER, CHAIR = "priya@refuge.example", "margaret@refuge.example"
PROVIDER = "Leeds Women's Refuge"


@pytest.fixture
def strand(live_server, committed_db) -> dict[str, object]:
    """An MoJ strand delivering this financial year, with no allocation yet."""
    db = committed_db
    seed()
    moj = db.session.scalar(select(Programme).where(Programme.code == "MOJ"))
    year = financial_year_of(london_today())
    BudgetFactory(budget_stream="victims_of_crime", financial_year=year, amount_pence=100_000_000)
    staff_user("officer", moj, email=OFFICER, name="Olu Adeyemi")
    staff_user("decision_maker", moj, email=DECIDER, name="Dee Decider")
    refuge = OrganisationFactory(name=PROVIDER, org_type="registered_charity")
    member_of(refuge, email=FILLER, name="Priya Shah")
    member_of(refuge, email=CHAIR, name="Margaret Lowe")
    ContractFactory(
        programme=moj, provider=refuge, state="delivering", public_reference="MOJ-S-031",
        title="Independent domestic violence advisers", budget_stream="victims_of_crime",
        amount_pence=20_000_000, starts_on=date(year, 4, 1), end_date=date(year + 1, 3, 31),
    )  # fmt: skip
    db.session.commit()
    db.session.remove()
    return {"year": year, "label": f"{year}/{(year + 1) % 100:02d}", "allocation": f"MOJ-S-031-{year % 100:02d}"}


def _switch(site: Browser, email: str) -> None:
    limiter.reset()
    site.page.context.clear_cookies()
    site.sign_in(email, PASSWORD)


def _date(site: Browser, legend: str, day: date) -> None:
    group = site.page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_an_allocation_is_offered_accepted_reported_on_and_uplifted(site: Browser, strand, committed_db):
    page, main = site.page, site.page.locator("main")
    allocation = str(strand["allocation"])

    # The officer adds the year's allocation from the strand's page and sends its offer.
    site.sign_in(OFFICER, PASSWORD)
    site.follow(page.locator(".govuk-service-navigation").get_by_role("link", name="Commissioning"))
    site.follow(page.get_by_role("link", name="Contracts and strands", exact=False).first)
    site.follow(page.get_by_role("link", name="MOJ-S-031"))
    site.follow(page.get_by_role("link", name="Add an allocation"))
    page.get_by_label("Financial year").select_option(label=str(strand["label"]))
    page.get_by_label("Amount").fill("250,000")
    site.follow(page.get_by_role("button", name="Add the allocation"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("above the contract's value of £200,000.00")
    expect(page.get_by_label("Amount")).to_have_value("250,000")
    page.get_by_label("Amount").fill("50,000")
    site.follow(page.get_by_role("button", name="Add the allocation"))
    expect(site.heading()).to_contain_text(allocation)
    site.follow(page.get_by_role("link", name="Prepare and send the offer"))
    _date(site, "Reply by", london_today() + timedelta(days=21))
    site.follow(page.get_by_role("button", name="Send the offer"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"The offer for {allocation} has been sent")

    # The provider accepts it from its offers.
    _switch(site, CHAIR)
    site.visit("/awards/offers")
    site.follow(page.get_by_role("link", name="Independent domestic violence advisers", exact=False).first)
    page.get_by_label("Full name of the person signing").fill("Margaret Lowe")
    page.get_by_label("Their position in the organisation").fill("Chair of Trustees")
    _date(site, "Date signed", london_today())
    page.get_by_label(f"I confirm I am authorised to sign for {PROVIDER}").check()
    site.follow(page.get_by_role("button", name="Accept the offer"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"You have accepted the grant offer {allocation}"
    )

    # The MoJ totals count it.
    _switch(site, OFFICER)
    site.visit("/commissioning/programmes/MOJ")
    expect(main).to_contain_text("£50,000.00")

    # Its first quarterly return opens (the scheduler's timer); the provider fills it in from its
    # contracts, and another member signs it off.
    first = committed_db.session.scalars(
        select(MonitoringReturn)
        .join(Award, Award.id == MonitoringReturn.award_id)
        .where(Award.public_reference == allocation)
        .order_by(MonitoringReturn.due_date)
    ).first()
    assert first is not None
    first.state = "open"
    return_id = first.id
    committed_db.session.commit()
    committed_db.session.remove()

    _switch(site, FILLER)
    site.visit("/grants")
    site.follow(page.get_by_role("link", name="Your contracts"))
    site.follow(page.get_by_role("link", name="Independent domestic violence advisers", exact=False).first)
    site.follow(page.get_by_role("link", name=allocation))
    site.follow(page.locator(f"a[href='/returns/{return_id}']").first)
    site.follow(page.get_by_role("link", name="Victims supported"))
    _fill_every_section(site)
    site.follow(page.get_by_role("button", name="Send for sign-off"))

    _switch(site, CHAIR)
    site.visit(f"/returns/{return_id}")
    site.follow(page.get_by_role("button", name="Read and sign off the return"))
    page.get_by_label("Your position at the organisation").fill("Chair of trustees")
    page.get_by_label("I have read the return").check()
    site.follow(page.get_by_role("button", name="Sign off and send the return"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed off the return")

    # The officer prepares a 9% uplift for the VCSE providers' allocations of the year.
    _switch(site, OFFICER)
    site.visit("/commissioning")
    site.follow(page.get_by_role("link", name="Uplifts", exact=False).first)
    site.follow(page.get_by_role("link", name="Prepare an uplift"))
    page.get_by_label("Programme").select_option("MOJ")
    page.get_by_label("Financial year").fill(str(strand["year"]))
    page.get_by_role("radio", name="VCSE", exact=False).first.check()
    page.get_by_label("Uplift").fill("9")
    page.get_by_label("Reason (the decision it carries out)").fill("Mayor's decision on the 9% uplift")
    site.follow(page.get_by_role("button", name="Preview"))
    expect(main).to_contain_text("£54,500.00")
    expect(main).to_contain_text("Each allocation is rounded to the nearest penny on its own")
    site.follow(page.get_by_role("button", name="Prepare it for a decision"))
    expect(page.get_by_role("button", name="Approve the uplift")).to_have_count(0)
    uplift_url = site.path

    _switch(site, DECIDER)
    site.visit(uplift_url)
    site.follow(page.get_by_role("button", name="Approve the uplift"))
    expect(main).to_contain_text("Approved")

    site.visit("/commissioning/contracts/MOJ-S-031")
    expect(main).to_contain_text("£54,500.00")
    site.visit("/commissioning/programmes/MOJ")
    expect(main).to_contain_text("£54,500.00")

    _switch(site, FILLER)
    site.visit("/your-contracts")
    site.follow(page.get_by_role("link", name="Independent domestic violence advisers", exact=False).first)
    expect(main).to_contain_text("£54,500.00")

    award = committed_db.session.scalar(select(Award).where(Award.public_reference == allocation))
    assert award is not None and award.amount_pence == 5_450_000
    returned = committed_db.session.get(MonitoringReturn, return_id)
    assert returned is not None and returned.state == "submitted"
    varied = committed_db.session.scalars(select(AuditEvent).where(AuditEvent.action == "amount_varied")).all()
    assert len(varied) == 1
    told = committed_db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == CHAIR)).all()
    assert any("£54,500.00" in message.body for message in told)
