"""Applying online in a real browser: register, organisation, eligibility, every section, submit.

Each journey runs through the `Browser` helper of conftest.py, so axe checks every page on the
way. The answers are the realistic ones of tests/datasets/applications.py (GOOD), typed the
way a volunteer would type them, with the dates moved into Round 4's delivery window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from grants.models import Application, OutboxMessage
from tests.browser.conftest import DEMO_PASSWORD, Browser
from tests.datasets.applications import PDF

pytestmark = pytest.mark.browser

PASSWORD = "a-good-long-password"  # noqa: S105 - a test account's password
ROUND_TITLE = "Mayor's Safer Communities Fund Round 4"
DEMO_DRAFT = "Safe Suppers: evening meals and youth activities in Bramley"
REFERENCE = re.compile(r"MSCF-R4-\d{4}")
ERROR_SUMMARY = ".govuk-error-summary"
NARROW = 320  # the width of narrow_site

# Round 4 of the demo data delivers from 1 April next year to 31 March the year after.
START_YEAR = datetime.now(UTC).year + 1

SECTIONS = [
    ("organisation", "About your organisation"),
    ("project", "Your project"),
    ("focus", "Areas of focus"),
    ("priorities", "Police and Crime Plan priorities and themes"),
    ("people", "People your project will reach"),
    ("outcomes", "Outcomes and how you will measure them"),
    ("budget", "Budget"),
    ("safeguarding", "Safeguarding and policies"),
    ("equality", "Equality Impact Assessment"),
    ("declarations", "Declarations"),
]
TITLES = [title for _key, title in SECTIONS]
FILES = {
    "Your safeguarding policy": "safeguarding-policy.pdf",
    "Your governing document": "constitution.pdf",
    "Your latest accounts": "accounts-2025-26.pdf",
}
SIXTY_WORDS = " ".join(
    [
        "We will open the community centre kitchen on three evenings a week so that young people",
        "aged eleven to sixteen can cook and eat a hot meal together with trained volunteers, then",
        "take part in sport, music and games until nine o'clock, walking home in groups with staff",
        "so that parents know they are safe and the streets around the park are calmer",
        "every single night.",
    ]
).split()[:60]
assert len(SIXTY_WORDS) == 60


@dataclass(frozen=True)
class Applicant:
    name: str
    email: str
    organisation: str
    project_title: str
    password: str = PASSWORD


# -- small helpers --------------------------------------------------------------------------------


def _group(page: Page, name: str) -> Locator:
    """A fieldset by its legend."""
    return page.get_by_role("group", name=name, exact=True)


def _choose(page: Page, legend: str, *labels: str) -> None:
    """Tick radios or checkboxes in the fieldset with this legend."""
    group = _group(page, legend)
    for label in labels:
        group.get_by_label(label, exact=True).check()


def _date(page: Page, legend: str, day: int, month: int, year: int) -> None:
    group = _group(page, legend)
    group.get_by_label("Day", exact=True).fill(str(day))
    group.get_by_label("Month", exact=True).fill(str(month))
    group.get_by_label("Year", exact=True).fill(str(year))


def _no_errors(page: Page) -> None:
    expect(page.locator(ERROR_SUMMARY)).to_have_count(0)


def _follow(site: Browser, target: Locator) -> None:
    """Browser.follow, failing first with the address when the server answers with an error page
    (which axe would otherwise report as a page without landmarks)."""
    with site.page.expect_navigation() as navigation:
        target.click()
    response = navigation.value
    if response is not None and response.status >= 500:
        site.unchecked = 0  # the test fails here: do not also report the error page as unchecked
        pytest.fail(f"{site.path}: the server answered {response.status}")
    site.check()
    _fits(site)


def _fits(site: Browser) -> None:
    """On a phone-sized window, the page must not scroll sideways (WCAG 1.4.10 reflow)."""
    viewport = site.page.viewport_size
    if viewport is not None and viewport["width"] <= NARROW:
        width = site.page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1, f"{site.path} is {width}px wide: it scrolls sideways at {NARROW}px"


def _nav(site: Browser, name: str) -> None:
    """Follow a link in the service navigation, opening its menu first on a narrow screen."""
    page = site.page
    toggle = page.locator(".govuk-service-navigation__toggle")
    if toggle.count() and toggle.is_visible():
        toggle.click()
    _follow(site, page.locator(".govuk-service-navigation").get_by_role("link", name=name, exact=True))


def _save_and_continue(site: Browser) -> None:
    # The section's first button is a visually hidden, aria-hidden copy for the Enter key;
    # get_by_role finds only the visible one.
    _follow(site, site.page.get_by_role("button", name="Save and continue"))


def _statuses(page: Page, expected: list[str]) -> None:
    """The task list, in order: each section's title and status."""
    items = page.locator(".govuk-task-list__item")
    expect(items.locator(".govuk-task-list__name-and-hint")).to_have_text(TITLES)
    expect(items.locator(".govuk-task-list__status")).to_have_text(expected)


def _pdfs(folder: Path) -> dict[str, Path]:
    paths = {}
    for label, name in FILES.items():
        path = folder / name
        path.write_bytes(PDF)
        paths[label] = path
    return paths


# -- one section each, with the answers of applications.GOOD --------------------------------------


def _fill_organisation(site: Browser, who: Applicant) -> None:
    page = site.page
    page.get_by_label("Name of the main contact for this application").fill(who.name)
    page.get_by_label("Their phone number").fill("0113 496 0000")
    page.get_by_label("What does your organisation do?").fill(
        "We cook evening meals with young people in Bramley and run sport and music sessions after them."
    )
    page.get_by_label("How many years has your organisation been running?").fill("6")


def _fill_project(site: Browser, who: Applicant) -> None:
    page = site.page
    page.get_by_label("Project title").fill(who.project_title)
    page.get_by_label("Summarise your project in a few sentences").fill(
        "Evening meals and activities for young people, three nights a week."
    )
    page.get_by_label("Describe your project").fill(
        "Three evenings a week at the community centre: cooking together, a shared meal, then sport or "
        "music, with trained volunteers and a youth worker. Groups walk home together at nine."
    )
    _date(page, "When will the project start?", 1, 4, START_YEAR)
    _date(page, "When will the project end?", 31, 3, START_YEAR + 1)
    _choose(page, "Which districts will the project serve?", "Leeds", "Bradford")
    page.get_by_label("Postcodes or wards where you will work (optional)").fill("Bramley, LS13")


def _fill_focus(site: Browser, who: Applicant) -> None:
    page = site.page
    _choose(page, "Which areas of focus will the project tackle?", "Neighbourhood Crime and ASB", "Drugs and Alcohol")
    _choose(page, "Will the project support people's mental health?", "Yes")


def _fill_priorities(site: Browser, who: Applicant) -> None:
    page = site.page
    _choose(
        page,
        "Which Police and Crime Plan priorities does the project support?",
        "Safer Places and Thriving Communities",
    )
    themes = "Which cross-cutting themes does the project address? (optional)"
    _choose(page, themes, "Early Intervention and Prevention")


def _fill_people(site: Browser, who: Applicant) -> None:
    page = site.page
    page.get_by_label("How many people will the project reach?").fill("1,200")
    page.get_by_label("Who are they?").fill("Young people aged 11 to 16 in Bramley and Armley, and their families.")


def _fill_outcomes(site: Browser, who: Applicant, *, measures: bool = True) -> None:
    page = site.page
    page.get_by_label("What difference will the project make?").fill(
        "Fewer young people drawn into crime and anti-social behaviour around Bramley Park in the evenings."
    )
    if measures:
        page.get_by_label("How will you measure it?").fill(
            "Attendance registers, a short survey each term, and calls to the police about the park."
        )


def _budget_line(page: Page, number: int, item: str, cost: str, kind: str) -> None:
    line = _group(page, f"Budget line {number}")
    line.get_by_label("Item", exact=True).fill(item)
    line.get_by_label("Cost", exact=True).fill(cost)
    line.get_by_role("group", name="Capital or revenue?").get_by_label(kind, exact=True).check()


def _fill_budget(site: Browser, who: Applicant) -> None:
    page = site.page
    _budget_line(page, 1, "Food and cooking ingredients", "£4,500.50", "Revenue (running costs, staff, activities)")
    # Adding a line posts the form (with or without JavaScript) and keeps what is typed.
    _follow(site, page.get_by_role("button", name="Add another budget line"))
    _no_errors(page)
    assert page.url.endswith("#budget_lines-1"), page.url  # the page opens at the new line
    expect(page.locator(".govuk-error-message")).to_have_count(0)
    expect(_group(page, "Budget line 1").get_by_label("Item", exact=True)).to_have_value("Food and cooking ingredients")
    total = page.locator("p[aria-live='polite']").filter(has_text="Total you are asking for")
    expect(total).to_have_text("Total you are asking for: £4,500.50")
    _budget_line(page, 2, "Cooker for the community centre", "1500", "Capital (things you buy and keep)")
    if site.auditor is None:  # with JavaScript, the total follows what is typed (announced politely)
        expect(total).to_have_text("Total you are asking for: £6,000.50")
        _group(page, "Budget line 2").get_by_label("Cost", exact=True).fill("1,500.00 and a bit")
        expect(total).to_have_text("Total you are asking for: £4,500.50")  # not an amount: not added, as on the server
        _group(page, "Budget line 2").get_by_label("Cost", exact=True).fill("1500")
        expect(total).to_have_text("Total you are asking for: £6,000.50")
    page.get_by_label("Match funding from other sources (optional)").fill("750")
    page.get_by_label("Where does the match funding come from? (optional)").fill("Bramley Ward Councillors' fund")


def _fill_safeguarding(site: Browser, who: Applicant, files: dict[str, Path]) -> None:
    page = site.page
    _choose(page, "Will the project work with children or adults at risk?", "Yes")
    _choose(page, "Do the staff and volunteers who need them have DBS checks?", "Yes")
    for label, path in files.items():
        page.get_by_label(label, exact=True).set_input_files(path)


def _fill_equality(site: Browser, who: Applicant) -> None:
    page = site.page
    page.get_by_label("Which groups with protected characteristics could the project affect, and how?").fill(
        "Young people of all faiths and none; girls, who we will reach with girls-only sessions."
    )
    page.get_by_label("What could stop people taking part, and what will you do about it?").fill(
        "Cost of travel: we pay bus fares. Dietary needs: every meal has halal and vegetarian choices."
    )
    page.get_by_label("How will you monitor who takes part?").fill("Anonymous sign-in sheets each evening.")


def _fill_declarations(site: Browser, who: Applicant) -> None:
    page = site.page
    _choose(
        page,
        "Declarations",
        "The information in this application is true and complete",
        "We will follow the grant terms and conditions if we are funded",
        "We will send monitoring returns when they are due",
    )
    page.get_by_label("Your full name").fill(who.name)
    page.get_by_label("Your position in the organisation").fill("Chair")


FILL = {
    "organisation": _fill_organisation,
    "project": _fill_project,
    "focus": _fill_focus,
    "priorities": _fill_priorities,
    "people": _fill_people,
    "outcomes": _fill_outcomes,
    "budget": _fill_budget,
    "equality": _fill_equality,
    "declarations": _fill_declarations,
}


def _complete_sections(site: Browser, who: Applicant, keys: list[str], files: dict[str, Path]) -> None:
    """Fill in each section on its page and save and continue, which opens the next one."""
    page = site.page
    for key in keys:
        index = [k for k, _t in SECTIONS].index(key)
        expect(site.heading()).to_have_text(SECTIONS[index][1])
        if key == "safeguarding":
            _fill_safeguarding(site, who, files)
        else:
            FILL[key](site, who)
        _save_and_continue(site)
        _no_errors(page)
        if index + 1 < len(SECTIONS):
            expect(site.heading()).to_have_text(SECTIONS[index + 1][1])
        else:
            expect(site.heading()).to_have_text(who.project_title)  # back at the task list


def _open_section(site: Browser, title: str) -> None:
    _follow(site, site.page.locator(".govuk-task-list").get_by_role("link", name=title, exact=True))


# -- journeys made of the steps above -------------------------------------------------------------


def _register(site: Browser, who: Applicant) -> None:
    page = site.page
    site.visit("/")
    _fits(site)
    _follow(site, page.get_by_role("button", name="Start now"))
    expect(site.heading()).to_have_text("Create an account")
    page.get_by_label("Full name").fill(who.name)
    page.get_by_label("Email address").fill(who.email)
    page.get_by_label("Password", exact=True).fill(who.password)
    page.get_by_label("Confirm password").fill(who.password)
    _follow(site, page.get_by_role("button", name="Create account"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your account has been created.")


def _create_organisation(site: Browser, who: Applicant) -> None:
    page = site.page
    _nav(site, "Your organisations")
    _follow(site, page.get_by_role("button", name="Create an organisation"))
    expect(site.heading()).to_have_text("Create an organisation")
    page.get_by_label("Name of the organisation").fill(who.organisation)
    _choose(page, "Type of organisation", "Constituted community group")
    page.get_by_label("Address line 1").fill("Bramley Community Centre, 2 Broad Lane")
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Postcode").fill("ls13 3ab")
    _choose(page, "District", "Leeds")
    page.get_by_label("Annual income").fill("12,500")
    safeguarding = _group(page, "Safeguarding lead")
    safeguarding.get_by_label("Full name").fill("Mary Okoro")
    safeguarding.get_by_label("Email address").fill("mary.okoro@example.net")
    bank = _group(page, "Bank account for grant payments")
    bank.get_by_label("Name on the account").fill(who.organisation)
    bank.get_by_label("Sort code").fill("30-94-30")
    bank.get_by_label("Account number").fill("00733445")
    _follow(site, page.get_by_role("button", name="Create organisation"))
    _no_errors(page)
    expect(site.heading()).to_have_text(who.organisation)
    details = page.locator("main")
    expect(details).to_contain_text("Constituted community group")
    expect(details).to_contain_text("LS13 3AB")
    expect(details).to_contain_text("****3445")  # the account number, masked
    expect(details).not_to_contain_text("00733445")


def _check_eligibility_and_start(site: Browser, who: Applicant) -> None:
    page = site.page
    _nav(site, "Funding rounds")
    _follow(site, page.get_by_role("link", name=ROUND_TITLE))
    expect(site.heading()).to_have_text(ROUND_TITLE)
    _follow(site, page.get_by_role("button", name="Check if you can apply"))
    expect(site.heading()).to_have_text("Check if you can apply")
    expect(_group(page, "Which organisation is applying?").get_by_label(who.organisation)).to_be_checked()
    _choose(page, "Will the project take place in West Yorkshire?", "Yes")
    page.get_by_label("How much will you ask for?").fill("6,000")
    _date(page, "When will the project end?", 31, 3, START_YEAR + 1)
    _follow(site, page.get_by_role("button", name="Check eligibility"))
    expect(site.heading()).to_have_text("You can apply")
    expect(page.locator("main")).to_contain_text(f"{who.organisation} can apply to this round")
    _follow(site, page.get_by_role("button", name="Start your application"))
    expect(site.heading()).to_have_text("Your application")
    expect(page.locator("main")).to_contain_text("You have completed 0 of 10 sections")
    _statuses(page, ["Not started"] * 10)


def _sign_out(site: Browser) -> None:
    page = site.page
    _nav(site, "Sign out")
    _follow(site, page.get_by_role("button", name="Sign out", exact=True))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("You have signed out.")


def _check_answers_and_submit(site: Browser, who: Applicant) -> str:
    """From the completed task list: check your answers, submit; returns the reference."""
    page = site.page
    expect(page.locator("main")).to_contain_text("Application complete")
    _statuses(page, ["Completed"] * 10)
    _follow(site, page.get_by_role("button", name="Check your answers and submit"))
    expect(site.heading()).to_have_text("Check your answers before you submit")
    _no_errors(page)
    main = page.locator("main")
    for text in (who.project_title, "Bradford; Leeds", "Food and cooking ingredients, £4,500.50", "£6,000.50"):
        expect(main).to_contain_text(text)
    for name in FILES.values():
        expect(main).to_contain_text(name)
    rows = main.locator(".govuk-summary-list__row")
    changes = main.locator(".govuk-summary-list__actions a")
    expect(changes).to_have_count(rows.count())
    change_title = main.get_by_role("link", name="Change project title")
    expect(change_title).to_have_attribute("href", re.compile(r"/sections/project\?return_to=check#project_title$"))
    # Change, then Save and continue, comes back here rather than going on to the next section.
    _follow(site, change_title)
    expect(site.heading()).to_have_text("Your project")
    _no_errors(page)
    _save_and_continue(site)
    expect(site.heading()).to_have_text("Check your answers before you submit")
    _no_errors(page)
    _follow(site, page.get_by_role("button", name="Submit application"))

    panel = page.locator(".govuk-panel--confirmation")
    expect(panel).to_be_visible()
    expect(panel.locator("h1")).to_have_text("Application submitted")
    expect(panel).to_contain_text(REFERENCE)
    found = REFERENCE.search(panel.inner_text())
    assert found, panel.inner_text()
    return found.group(0)


def _emailed(db, email: str, reference: str) -> str:
    """The body of the newest email to `email` whose subject names the reference."""
    body = db.session.scalar(
        select(OutboxMessage.body)
        .where(OutboxMessage.recipient == email, OutboxMessage.subject.contains(reference))
        .order_by(OutboxMessage.id.desc())
    )
    db.session.rollback()
    assert body is not None, f"no email to {email} about {reference} in the outbox"
    return body


def _make_person(db, who: Applicant) -> None:
    """An account made directly in the database, not yet in any organisation."""
    from grants.auth.services import create_user

    create_user(who.name, who.email, who.password)
    db.session.commit()
    db.session.remove()


# -- the tests ------------------------------------------------------------------------------------


def test_a_new_applicant_applies_across_two_sign_ins_and_submits(site, demo, committed_db, tmp_path):
    page = site.page
    who = Applicant(
        name="Jo Bloggs",
        email="jo.bloggs@example.net",
        organisation="Bramley Young Cooks",
        project_title="Cook, Eat, Play: evening meals and activities in Bramley",
    )
    files = _pdfs(tmp_path)

    _register(site, who)
    _create_organisation(site, who)
    _check_eligibility_and_start(site, who)

    # The first five sections, then part of the sixth, saved to come back to later.
    _open_section(site, "About your organisation")
    _complete_sections(site, who, ["organisation", "project", "focus", "priorities", "people"], files)
    expect(site.heading()).to_have_text("Outcomes and how you will measure them")
    _fill_outcomes(site, who, measures=False)
    _follow(site, page.get_by_role("button", name="Save and come back later"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your answers have been saved")
    expect(site.heading()).to_have_text(who.project_title)
    _sign_out(site)

    # The second sign-in: carry on from the task list.
    site.sign_in(who.email, who.password)
    _nav(site, "Your applications")
    row = page.get_by_role("table", name="Your organisations' applications").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Draft")
    _follow(site, row.get_by_role("link", name=who.project_title))
    expect(site.heading()).to_have_text(who.project_title)
    expect(page.locator("main")).to_contain_text("You have completed 5 of 10 sections")
    _statuses(page, ["Completed"] * 5 + ["In progress"] + ["Not started"] * 4)

    _open_section(site, "Outcomes and how you will measure them")
    expect(page.get_by_label("What difference will the project make?")).to_have_value(
        re.compile(r"^Fewer young people drawn into crime")
    )
    expect(page.get_by_label("How will you measure it?")).to_have_value("")
    _complete_sections(site, who, ["outcomes", "budget", "safeguarding", "equality", "declarations"], files)

    reference = _check_answers_and_submit(site, who)

    body = _emailed(committed_db, who.email, reference)
    assert who.project_title in body, body
    assert "copy" in body, body

    _follow(site, page.get_by_role("link", name="Go to your applications"))
    expect(site.heading()).to_have_text("Your applications")
    row = page.get_by_role("table", name="Your organisations' applications").locator("tr", has_text=reference)
    expect(row).to_contain_text(who.project_title)
    expect(row.locator(".govuk-tag")).to_have_text("Submitted")


def test_the_journey_fits_a_320_pixel_wide_screen(narrow_site, demo):
    site = narrow_site
    page = site.page
    who = Applicant(
        name="Sam Patel",
        email="sam.patel@example.net",
        organisation="Armley Walking Buses",
        project_title="Safe Routes: volunteer walking buses to Armley schools",
    )

    _register(site, who)
    _create_organisation(site, who)
    _check_eligibility_and_start(site, who)

    _open_section(site, "Your project")
    _fill_project(site, who)
    _date(page, "When will the project start?", 1, 9, START_YEAR)
    _date(page, "When will the project end?", 1, 6, START_YEAR)  # before it starts
    _save_and_continue(site)
    summary = page.locator(ERROR_SUMMARY)
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="The end date must be after the start date")
    expect(link).to_have_attribute("href", "#end_date-day")
    link.click()
    expect(page.locator("#end_date-day")).to_be_focused()
    expect(page.locator("#end_date-error")).to_contain_text("The end date must be after the start date")
    expect(page.get_by_label("Project title")).to_have_value(who.project_title)

    _date(page, "When will the project end?", 31, 3, START_YEAR + 1)
    _save_and_continue(site)
    _no_errors(page)
    expect(site.heading()).to_have_text("Areas of focus")

    _follow(site, page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=who.project_title))
    _statuses(page, ["Not started", "Completed"] + ["Not started"] * 8)
    _follow(site, page.get_by_role("button", name="Check your answers and submit"))
    expect(site.heading()).to_have_text("Check your answers before you submit")
    expect(page.locator(ERROR_SUMMARY)).to_contain_text("Complete the section ‘About your organisation’")
    expect(page.get_by_role("button", name="Submit application")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(who.project_title)


def test_without_javascript_the_demo_applicant_completes_and_submits_a_draft(no_js_site, demo, committed_db, tmp_path):
    site = no_js_site
    page = site.page
    who = Applicant(
        name="Aisha Rahman",
        email="applicant@example.org",
        organisation="Bramley Community Kitchen",
        project_title=DEMO_DRAFT,
        password=DEMO_PASSWORD,
    )
    files = _pdfs(tmp_path)

    site.sign_in(who.email, who.password)
    _nav(site, "Your applications")
    _follow(site, page.get_by_role("link", name=DEMO_DRAFT))
    expect(site.heading()).to_have_text(DEMO_DRAFT)
    _statuses(page, ["Not started"] * 10)

    _open_section(site, "About your organisation")
    _complete_sections(site, who, [key for key, _title in SECTIONS], files)
    reference = _check_answers_and_submit(site, who)
    expect(page.locator("main")).to_contain_text("We have sent a copy of your answers")
    _emailed(committed_db, who.email, reference)


def test_a_section_with_errors_keeps_what_was_typed(site, demo, committed_db):
    page = site.page
    site.sign_in("applicant@example.org")
    draft = committed_db.session.scalar(select(Application.id).where(Application.project_title == DEMO_DRAFT))
    committed_db.session.rollback()
    site.visit(f"/applications/{draft}")
    _open_section(site, "Your project")

    title = "Safe Suppers: hot meals, sport and music for young people in Bramley"
    summary_text = " ".join(SIXTY_WORDS)
    page.get_by_label("Project title").fill(title)
    page.get_by_label("Summarise your project in a few sentences").fill(summary_text)
    _save_and_continue(site)

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(ERROR_SUMMARY)
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    # The summary is at the top of the page, above the heading.
    assert summary.bounding_box()["y"] < site.heading().bounding_box()["y"]
    link = summary.get_by_role("link", name="A summary of your project must be 50 words or fewer (you have 60)")
    expect(link).to_have_attribute("href", "#summary")
    link.click()
    field = page.get_by_label("Summarise your project in a few sentences")
    expect(field).to_be_focused()
    expect(field).to_have_value(summary_text)
    expect(page.get_by_label("Project title")).to_have_value(title)
    expect(page.locator("#summary-error")).to_contain_text("50 words or fewer")

    # What was typed was kept on the server too: it is there when the page is opened again.
    site.visit(f"/applications/{draft}")
    _statuses(page, ["Not started", "In progress"] + ["Not started"] * 8)
    _open_section(site, "Your project")
    expect(page.get_by_label("Project title")).to_have_value(title)
    expect(page.get_by_label("Summarise your project in a few sentences")).to_have_value(summary_text)


NO_ORGANISATION = Applicant(
    name="Chris Moran",
    email="chris.moran@example.net",
    organisation="Holbeck Street Angels",
    project_title="Night Watch: street volunteers in Holbeck",
)


def test_the_dashboard_sends_someone_without_an_organisation_to_add_one(site, committed_db):
    page = site.page
    _make_person(committed_db, NO_ORGANISATION)
    site.sign_in(NO_ORGANISATION.email, NO_ORGANISATION.password)
    _nav(site, "Your applications")
    expect(site.heading()).to_have_text("Your applications")
    expect(page.locator("main")).to_contain_text("You are not part of an organisation yet.")
    _follow(site, page.get_by_role("link", name="Add your organisation"))
    expect(site.heading()).to_have_text("Create an organisation")


def test_the_eligibility_checker_sends_someone_without_an_organisation_to_add_one(site, demo, committed_db):
    page = site.page
    _make_person(committed_db, NO_ORGANISATION)
    site.sign_in(NO_ORGANISATION.email, NO_ORGANISATION.password)
    _nav(site, "Funding rounds")
    _follow(site, page.get_by_role("link", name=ROUND_TITLE))
    _follow(site, page.get_by_role("button", name="Check if you can apply"))
    expect(site.heading()).to_have_text("Add your organisation first")
    _follow(site, page.get_by_role("link", name="Add your organisation"))
    expect(site.heading()).to_have_text("Create an organisation")
