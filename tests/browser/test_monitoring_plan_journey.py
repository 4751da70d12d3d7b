"""Admin > Monitoring plans and an officer's "Move the due date", in a real browser, axe on every page.

An admin opens a programme's plan in words, types a bad reminder into the plan and is told exactly
what is wrong (what they typed kept), fixes it and saves version 2; then, on a return, types a new
due date before the period ends, is told so, and moves it with a month typed as a word.
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grants.extensions import db
from grants.models import Programme
from grants.setup.seed import seed
from tests.datasets.monitoring import due_return
from tests.factories import PASSWORD, staff_user

pytestmark = pytest.mark.browser


def test_an_admin_changes_a_monitoring_plan_and_moves_a_returns_due_date(site, live_server, committed_db):
    seed()
    db.session.commit()
    mscf = db.session.scalar(select(Programme).where(Programme.code == "MSCF"))
    staff_user("admin", None, email="ada.admin@example.org", name="Ada Admin")
    late = due_return(mscf, date(2024, 10, 28), period_starts_on=date(2024, 4, 1), period_ends_on=date(2024, 9, 30))
    page = site.page

    site.sign_in("ada.admin@example.org", PASSWORD)
    site.visit("/admin/")
    site.follow(page.get_by_role("link", name="Monitoring plans"))
    site.follow(page.get_by_role("link", name="Mayor's Safer Communities Fund"))
    expect(site.heading()).to_have_text("Monitoring plan, version 1")
    expect(page.locator("main")).to_contain_text("14 working days before the due date, to the organisation")

    site.follow(page.get_by_role("link", name="Change the plan"))
    plan = page.get_by_label("The plan (TOML)")
    typed = plan.input_value().replace('audience = "lead"', 'audience = "mayor"')
    plan.fill(typed)
    site.follow(page.get_by_role("button", name="Save as a new version"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("not 'mayor'")
    expect(page.get_by_label("The plan (TOML)")).to_have_value(typed.strip() + "\n")

    page.get_by_label("The plan (TOML)").fill(typed.replace('audience = "mayor"', 'audience = "officers"'))
    site.follow(page.get_by_role("button", name="Save as a new version"))
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("saved the monitoring plan as version 2")

    site.visit(f"/monitoring/returns/{late.id}/due-date")
    expect(site.heading()).to_have_text("Move the due date")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("September")
    page.get_by_label("Year").fill("2024")
    page.get_by_label("Why is the due date moving?").fill("Treasurer in hospital")
    site.follow(page.get_by_role("button", name="Move the due date"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be after the period ends (30 September 2024)")
    expect(page.get_by_label("Month")).to_have_value("September")

    page.get_by_label("Day").fill("11")
    page.get_by_label("Month").fill("November")
    site.follow(page.get_by_role("button", name="Move the due date"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The due date is now 11 November 2024")
