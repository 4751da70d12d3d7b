"""Monitoring end to end in a real browser, with axe on every page: the plan schedules an MoJ strand's
quarterly returns, the reminder pass emails the provider, a member fills the return in from the
emailed link, a second member signs it off, the officer asks for changes, the provider changes it and
it is signed off again, the officer accepts it, and finance can then approve the instalment tied to it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grants.extensions import limiter
from grants.formatting import LONDON
from grants.models import MonitoringReturn, OutboxMessage, Payment, Programme
from grants.monitoring.reminders import run_pass
from grants.monitoring.schedule import create_returns
from grants.setup.seed import seed
from tests.browser.conftest import Browser
from tests.datasets.returns import GOOD
from tests.factories import PASSWORD, AwardFactory, OrganisationFactory, PaymentFactory, member_of, staff_user

pytestmark = pytest.mark.browser

FILLER, CHAIR = "priya@refuge.example", "margaret@refuge.example"
OFFICER, FINANCE = "olu.officer@example.org", "farah.finance@example.org"


def _quarter_start(day: date) -> date:
    month = ((day.month - 4) % 12) // 3 * 3 + 4
    year = day.year if month <= day.month else day.year - 1
    return date(year if month <= 12 else year + 1, (month - 1) % 12 + 1, 1)


@pytest.fixture
def strand(live_server, committed_db) -> dict[str, int]:
    """An MoJ strand accepted last quarter: its plan-made returns, and an instalment tied to the first."""
    from datetime import datetime

    db = committed_db
    seed()
    moj = db.session.scalar(select(Programme).where(Programme.code == "MOJ"))
    staff_user("officer", moj, email=OFFICER, name="Olu Adeyemi")
    staff_user("finance", moj, email=FINANCE, name="Farah Khan")
    refuge = OrganisationFactory(name="Leeds Women's Refuge")
    member_of(refuge, email=FILLER, name="Priya Shah")
    member_of(refuge, email=CHAIR, name="Margaret Lowe")
    this_quarter = _quarter_start(datetime.now(LONDON).date())
    last_quarter = date(this_quarter.year - (this_quarter.month == 1), (this_quarter.month - 4) % 12 + 1, 1)
    award = AwardFactory(
        programme=moj,
        organisation=refuge,
        public_reference="MOJ-S-031",
        title="Independent domestic violence advisers",
        state="active",
        amount_pence=12_000_000,
        starts_on=last_quarter,
        ends_on=date(this_quarter.year + 1, this_quarter.month, 1),
    )
    create_returns(award)  # what accepting the award does
    first = db.session.scalars(
        select(MonitoringReturn).where(MonitoringReturn.award_id == award.id).order_by(MonitoringReturn.due_date)
    ).first()
    assert first is not None and first.sign_off_required
    first.state = "open"  # its window has opened (the scheduler's timer)
    payment = PaymentFactory(award=award, amount_pence=3_000_000, monitoring_return_id=first.id, due_on=first.due_date)
    db.session.commit()
    result = run_pass(today=first.due_date)  # the reminder pass on the due date
    assert result.queued >= 2
    ids = {"return": first.id, "payment": payment.id}
    db.session.remove()
    return ids


def _sign_in(site: Browser, email: str) -> None:
    """Sign in as the next person: five people signing in within a minute from one address would
    otherwise meet the sign-in rate limit (the journey's people are not at one desk)."""
    limiter.reset()
    site.sign_in(email, PASSWORD)


def _fill_every_section(site: Browser) -> None:
    page = site.page
    for fields in GOOD["moj-quarterly"].values():
        for key, value in fields.items():
            if key.endswith("-status"):
                page.get_by_label("Green: on track").check()
            else:
                page.locator(f"#{key}").fill(value)
        site.follow(page.get_by_role("button", name="Save and continue").last)
        expect(page.locator(".govuk-error-summary")).to_have_count(0)


def _sign_off(site: Browser, return_id: int) -> None:
    page = site.page
    _sign_in(site, CHAIR)
    site.visit(f"/returns/{return_id}")
    site.follow(page.get_by_role("button", name="Read and sign off the return"))
    page.get_by_label("Your position at the organisation").fill("Chair of trustees")
    page.get_by_label("I have read the return").check()
    site.follow(page.get_by_role("button", name="Sign off and send the return"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed off the return")
    page.context.clear_cookies()


def test_reminder_fill_sign_off_changes_resubmit_accept_and_the_instalment_is_approvable(
    site: Browser, strand: dict[str, int], committed_db
):
    page = site.page
    return_id = strand["return"]
    reminder = committed_db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == FILLER))
    assert reminder is not None and "MOJ-S-031" in reminder.subject and "due" in reminder.subject
    link = re.search(r"https?://\S+(/returns/\d+)", reminder.body)
    assert link is not None and link.group(1) == f"/returns/{return_id}"
    committed_db.session.remove()

    # The provider follows the emailed link, signs in, and fills the return in.
    page.goto(site.url(link.group(1)))
    expect(page.get_by_label("Email address")).to_be_visible()
    site.check()
    page.get_by_label("Email address").fill(FILLER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    site.follow(page.get_by_role("button", name="Sign in"))
    assert site.path == f"/returns/{return_id}"
    site.follow(page.get_by_role("link", name="Victims supported"))
    _fill_every_section(site)
    expect(site.heading()).to_have_text("Check your answers before you send the return")
    site.follow(page.get_by_role("button", name="Send for sign-off"))
    page.context.clear_cookies()

    _sign_off(site, return_id)

    # The officer asks for changes from the monitoring dashboard.
    _sign_in(site, OFFICER)
    site.visit(f"/monitoring/returns/{return_id}")
    expect(page.locator("#state")).to_have_text("Submitted")
    site.follow(page.get_by_role("button", name="Ask for changes"))
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # a comment is required
    page.locator("#request_changes-reason").fill("Please split the IDVA figure between the two hospitals.")
    site.follow(page.get_by_role("button", name="Ask for changes"))
    expect(page.locator("#state")).to_have_text("Changes requested")
    page.context.clear_cookies()

    # The provider reads the comment, changes the narrative and sends it for sign-off again.
    _sign_in(site, FILLER)
    site.visit(f"/returns/{return_id}")
    expect(page.locator("main")).to_contain_text("Please split the IDVA figure between the two hospitals.")
    site.visit(f"/returns/{return_id}/check")
    site.follow(page.locator(f"a[href*='/returns/{return_id}/sections/narrative']").first)
    page.locator("#narrative").fill("St James's: 180 IDVA cases; the LGI: 130.")
    site.follow(page.get_by_role("button", name="Save and continue").last)
    expect(site.heading()).to_have_text("Check your answers before you send the return")
    site.follow(page.get_by_role("button", name="Send for sign-off"))
    page.context.clear_cookies()

    _sign_off(site, return_id)

    # The officer accepts it; finance can now approve the instalment that waited for it.
    _sign_in(site, OFFICER)
    site.visit(f"/monitoring/returns/{return_id}")
    site.follow(page.get_by_role("button", name="Accept the return"))
    expect(page.locator("#state")).to_have_text("Accepted")
    page.context.clear_cookies()

    _sign_in(site, FINANCE)
    site.visit(f"/payments/{strand['payment']}")
    site.follow(page.get_by_role("button", name="Approve for payment"))
    assert committed_db.session.get(Payment, strand["payment"]).state == "approved"
