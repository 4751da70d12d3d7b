"""Award to payment in a real browser, with axe on every page (issue 6, points 2 and 3).

The officer sets a two-instalment schedule for an accepted award of £7,985.00 (adding the
second row without JavaScript's help: the button posts the form back); finance approves the
first instalment from the list of payments due, marks it paid with the date and the finance
system's reference, and sees it on the budgets page under the award's budget stream.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Locator, expect

from grants.extensions import db
from grants.formatting import LONDON
from grants.models import Award, Programme
from grants.models.budgets import financial_year_of
from tests.browser.conftest import Browser
from tests.factories import (
    PASSWORD,
    AwardFactory,
    BudgetFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    ReturnFactory,
    VariationFactory,
    ensure_terms,
    staff_user,
)

pytestmark = pytest.mark.browser

OFFICER = "olu.officer@example.org"
FINANCE = "farah.finance@example.org"
REFERENCE = "MSCF-R3-0042"
FINANCE_REFERENCE = "SAP-100234"
PAYER = "pat.payer@example.org"  # approving and paying need two finance users


def _set_up(db) -> dict:
    ensure_terms({("budget_stream", "community_safety"): "Community Safety"})
    programme = ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund", budget_stream="community_safety")
    staff_user("officer", programme, email=OFFICER, name="Olu Adeyemi")
    staff_user("finance", programme, email=FINANCE, name="Farah Khan")
    staff_user("finance", programme, email=PAYER, name="Pat Payer")
    organisation = OrganisationFactory(
        name="Bramley Community Kitchen",
        bank_account_name="Bramley Community Kitchen",
        bank_sort_code="401122",
        bank_account_number="71234567",
    )
    decided = datetime.now(UTC) - timedelta(minutes=5)
    award = AwardFactory(
        programme=programme,
        organisation=organisation,
        public_reference=REFERENCE,
        title="Safe Suppers",
        amount_pence=798_500,
        amount_at_decision_pence=798_500,
        decided_at=decided,
        budget_stream="community_safety",
        state="accepted",
    )
    today = datetime.now(LONDON).date()
    year = financial_year_of(today)
    BudgetFactory(budget_stream="community_safety", financial_year=year, cost_centre="PCC-CS", amount_pence=100_000_000)
    same_year = financial_year_of(decided.astimezone(LONDON).date()) == year
    facts = {"award_id": award.id, "today": today, "year": year, "committed": "£7,985.00" if same_year else "£0.00"}
    db.session.remove()
    return facts


def _follow(site: Browser, target: Locator) -> None:
    with site.page.expect_navigation() as navigation:
        target.click()
    response = navigation.value
    if response is not None and response.status >= 500:
        site.unchecked = 0
        pytest.fail(f"{site.path}: the server answered {response.status}")
    site.check()


def _fill_instalment(site: Browser, number: int, amount: str, day) -> None:  # type: ignore[no-untyped-def]
    group = site.page.get_by_role("group", name=f"Instalment {number}", exact=True)
    group.get_by_label("Amount", exact=True).fill(amount)
    due = group.get_by_role("group", name="Due date")
    due.get_by_label("Day").fill(str(day.day))
    due.get_by_label("Month").fill(str(day.month))
    due.get_by_label("Year").fill(str(day.year))


def _flash(site: Browser, text: str | re.Pattern[str]) -> None:
    expect(site.page.locator(".govuk-notification-banner")).to_contain_text(text)


def _sign_out(site: Browser) -> None:
    _follow(site, site.page.locator(".govuk-service-navigation").get_by_role("link", name="Sign out", exact=True))
    _follow(site, site.page.get_by_role("button", name="Sign out", exact=True))


def test_officer_schedules_two_instalments_finance_pays_the_first_and_the_budget_shows_it(site, committed_db):
    facts = _set_up(committed_db)
    page = site.page
    first, second = f"{REFERENCE}-P1", f"{REFERENCE}-P2"

    # The officer sets the schedule: £4,000.00 today and £3,985.00 in three months.
    site.sign_in(OFFICER, PASSWORD)
    site.visit(f"/payments/awards/{facts['award_id']}/schedule")
    expect(site.heading()).to_have_text(f"Payment schedule for {REFERENCE}")
    _fill_instalment(site, 1, "4000", facts["today"])
    _follow(site, page.get_by_role("button", name="Add another instalment"))
    expect(page.get_by_role("group", name="Instalment 1", exact=True).get_by_label("Amount")).to_have_value("4000")
    _fill_instalment(site, 2, "3,985.00", facts["today"] + timedelta(days=91))
    _follow(site, page.get_by_role("button", name="Save the payment schedule"))
    _flash(site, f"The payment schedule for {REFERENCE} has been saved.")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    _sign_out(site)

    # Finance approves the first instalment from the list of payments due, then marks it paid.
    site.sign_in(FINANCE, PASSWORD)
    site.visit("/payments/due")
    expect(page.locator("#due-total")).to_have_text("2 instalments: £7,985.00")
    _follow(site, page.get_by_role("button", name=f"Approve {first}"))
    _flash(site, f"Approve for payment: done. {first} is now approved for payment.")
    _sign_out(site)
    site.sign_in(PAYER, PASSWORD)  # another finance user pays it
    site.visit("/payments/due")
    _follow(site, page.get_by_role("link", name=f"Mark as paid for {first}"))
    expect(site.heading()).to_have_text(f"Instalment {first}")
    expect(page.get_by_text("71234567")).to_be_visible()  # finance sees the bank details
    paid = page.get_by_role("group", name="Date paid")
    paid.get_by_label("Day").fill(str(facts["today"].day))
    paid.get_by_label("Month").fill(str(facts["today"].month))
    paid.get_by_label("Year").fill(str(facts["today"].year))
    page.get_by_label("Finance system reference").fill(FINANCE_REFERENCE)
    _follow(site, page.get_by_role("button", name="Mark as paid"))
    _flash(site, f"Mark as paid: done. {first} is now paid.")
    expect(page.locator("#state")).to_have_text("Paid")
    expect(page.get_by_text(FINANCE_REFERENCE)).to_be_visible()

    # The budgets page shows the payment under the award's stream, for this financial year.
    site.visit(f"/payments/budgets?year={facts['year']}")
    row = page.locator("#stream-community_safety")
    expect(row.locator("th")).to_have_text("Community Safety")
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text("PCC-CS")
    expect(cells.nth(1)).to_have_text("£1,000,000.00")
    expect(cells.nth(2)).to_have_text(facts["committed"])
    expect(cells.nth(3)).to_have_text("£4,000.00")
    expect(page.locator("#stream-total td").nth(3)).to_have_text("£4,000.00")

    # The second instalment is still to approve.
    site.visit("/payments/due?state=scheduled")
    expect(page.get_by_role("link", name=second, exact=True)).to_be_visible()


def test_every_other_payments_page_passes_axe_with_its_errors_showing(site, committed_db):
    """The pages the journey above does not reach, each also as it comes back with errors."""
    facts = _set_up(committed_db)
    award = db.session.get(Award, facts["award_id"])
    award.state = "active"
    programme = db.session.get(Programme, award.programme_id)
    staff_user("decision_maker", programme, email="dee.decides@example.org")
    ReturnFactory(award=award, period_label="Q1")
    PaymentFactory(award=award, amount_pence=400_000, state="paid", paid_on=facts["today"], finance_reference="SAP-1")
    held = PaymentFactory(award=award, instalment=2, amount_pence=398_500, state="held")
    variation = VariationFactory(award=award, new_amount_pence=900_000)
    ids = {"award": award.id, "held": held.id, "variation": variation.id}
    db.session.commit()
    db.session.remove()
    page = site.page
    save = page.get_by_role("button", name="Save the payment schedule")

    site.sign_in(OFFICER, PASSWORD)
    site.visit(f"/payments/awards/{ids['award']}/schedule")
    _follow(site, page.get_by_role("button", name="Add another instalment"))
    page.get_by_role("group", name="Instalment 3", exact=True).get_by_label("Amount", exact=True).fill("1")
    _follow(site, save)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the due date of instalment 3")
    site.visit(f"/payments/{ids['held']}")
    _follow(site, page.get_by_role("button", name="Release the hold"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason for releasing the hold")
    for path, button, message in [
        (f"/payments/awards/{ids['award']}/variations/new", None, "awaiting approval"),
        (f"/payments/awards/{ids['award']}/recoveries/new", "Record the money received", "Enter the amount received"),
        (f"/payments/awards/{ids['award']}/close", "Close the award", "Enter the final spend"),
    ]:
        site.visit(path)
        if button:
            _follow(site, page.get_by_role("button", name=button))
            expect(page.locator(".govuk-error-summary")).to_contain_text(message)
        else:
            expect(page.locator(".govuk-inset-text")).to_contain_text(message)
    _sign_out(site)

    site.sign_in("dee.decides@example.org", PASSWORD)
    site.visit("/payments/variations")
    _follow(site, page.get_by_role("link", name=f"{REFERENCE}-V1"))
    _follow(site, page.get_by_role("button", name="Reject the variation"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason for rejecting the variation")
    site.visit("/payments/budgets")
    _sign_out(site)

    site.sign_in(FINANCE, PASSWORD)
    site.visit("/payments/due?from-day=2&from-month=1&from-year=2024&to-day=1&to-month=1&to-year=2024")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The ‘to’ date must be the same as or after")
    site.visit(f"/payments/budgets/community_safety/{facts['year']}")
    page.get_by_label("Budget for").fill("lots")
    _follow(site, page.get_by_role("button", name="Save the budget"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the budget in pounds and pence")
