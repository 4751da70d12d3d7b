"""Assess and decide in a real browser, with axe on every page (issue 5, "Browser tests").

The officer screens a bid and assigns assessors; the assessor declares no conflict on one bid
and a conflict on another (which then vanishes from their pages), scores and submits; the
officer moderates, ranks and marks recommendations; the decision maker approves one bid and
rejects another; the applicant sees both outcomes and the emails carry the panel's feedback.

The round is the demo's Round 4 (MSCF-R4: five criteria, 0 to 5, comments required), closed
and given a £10,000 budget so the funding line falls inside three bids:

- A, the demo applicant's "Safe Suppers" (£6,000.50), submitted with every section complete;
- B, the demo's "Walk Home Safe" (£4,800), already submitted and screened;
- C, a bid from Pontefract Men's Shed (£3,000), submitted with every section complete.

The second assessor's scores (Nasreen Akhtar, of the demo panel) go in through the scoring
services, as her own browser would put them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask import current_app, g
from playwright.sync_api import Locator, expect
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict

from grants.models import Application, Assessment, Membership, Organisation, OutboxMessage, Round, User
from tests.browser.conftest import Browser
from tests.datasets.applications import FILES, GOOD, PDF, form_fields

pytestmark = pytest.mark.browser

ROUND = "MSCF-R4"
BUDGET_PENCE = 1_000_000  # £10,000: A and B together (£10,800.50) do not fit
OFFICER = "officer@example.org"
ASSESSOR = "assessor@example.org"  # Gareth Lloyd
SECOND_ASSESSOR = "nasreen.akhtar@example.org"
DECISION_MAKER = "decision@example.org"
APPLICANT = "applicant@example.org"

TITLE_A = "Safe Suppers: evening meals and youth activities in Bramley"
TITLE_B = "Walk Home Safe: volunteer escorts from Manningham Lane"
TITLE_C = "Shed Talk: peer support for men leaving prison in Pontefract"

# Scores per criterion, in the order of the round's criteria (weights 2.5, 2, 2, 2, 1.5).
GARETH_A = [4, 4, 5, 3, 4]  # 40.00
NASREEN = {"A": [5, 4, 4, 4, 5], "B": [3, 3, 4, 3, 3], "C": [2, 3, 3, 2, 3]}  # 44.00, 32.00, 25.50
MODERATED = "43.5"
MODERATION_REASON = "The panel agreed the evidence of need was stronger than one assessor allowed."
FEEDBACK_A = "A well-evidenced bid with clear outcomes and strong local partners."
FEEDBACK_B = "The escort scheme needs a clearer plan for recruiting and vetting volunteers."
NOT_RECOMMENDED_REASON = "Scored below the funding line; the volunteer plan is not yet deliverable."
REJECT_REASON = "Other projects scored higher against the criteria and the fund is limited."
CONFLICT_DETAILS = "My sister is a trustee of Manningham Mothers' Network."

START_YEAR = datetime.now(UTC).year + 1  # Round 4 delivers from 1 April next year


@dataclass(frozen=True)
class Bid:
    id: int
    reference: str
    title: str


@dataclass(frozen=True)
class Bids:
    a: Bid
    b: Bid
    c: Bid


# -- setting up in the database ---------------------------------------------------------------------
def _complete_and_submit(db, user: User, application: Application, title: str, **budget: str) -> None:
    """Every section saved with the GOOD answers of tests.datasets.applications (the project's title and dates
    moved into Round 4), then submitted through the apply services."""
    from grants.apply import services

    changes = {
        "project": {
            "project_title": title,
            "start_date": ["1", "4", str(START_YEAR)],
            "end_date": ["31", "3", str(START_YEAR + 1)],
        },
        "budget": budget,
    }
    for key in GOOD:
        _save_section(user, application, key, changes.get(key, {}))
    services.submit(user, application, application.version_id)
    assert application.state == "submitted", application.state


def _save_section(user: User, application: Application, key: str, changes: dict) -> None:
    from grants.apply import sections, services

    # The section's form is a FlaskForm: it wants a request, one that CSRFProtect has passed
    # (as the app's own view does; the answers it is built from leave the token out).
    with current_app.test_request_context(method="POST"):
        g.csrf_valid = True
        formdata = MultiDict(form_fields(key, **changes))
        files = MultiDict()
        if key == "safeguarding":
            for name in FILES:
                files.add(name, FileStorage(io.BytesIO(PDF), filename=f"{name}.pdf", content_type="application/pdf"))
        row = services.section_rows(application).get(key)
        page = sections.save(
            user,
            application,
            key,
            formdata,
            files,
            sections.CONTINUE,
            row.version_id if row else 0,
        )
        assert page.saved and not page.errors, (key, page.errors)


def _set_up(db) -> Bids:
    from grants.workflow import apply_transition, start_case
    from tests.factories import member_of, passed_screening

    round_ = db.session.scalar(select(Round).where(Round.code == ROUND))
    applicant = db.session.scalar(select(User).where(User.email == APPLICANT))
    officer = db.session.scalar(select(User).where(User.email == OFFICER))

    # A: the demo applicant's draft, completed and submitted.
    a = db.session.scalar(select(Application).where(Application.project_title == TITLE_A))
    _complete_and_submit(db, applicant, a, TITLE_A)

    # C: a new bid from another group.
    shed = db.session.scalar(select(Organisation).where(Organisation.name == "Pontefract Men's Shed"))
    volunteer = member_of(shed, name="Dave Hirst", email="dave.hirst@example.net")
    c = Application(round_id=round_.id, organisation_id=shed.id, created_by_id=volunteer.id, amount_requested_pence=0)
    start_case(c, round_.application_workflow, volunteer)
    db.session.commit()
    _complete_and_submit(db, volunteer, c, TITLE_C, **{"budget_lines-0-cost": "£1,500", "budget_lines-1-cost": "1500"})

    # B: the demo's submitted bid; the demo applicant joins its organisation, to see its outcome too.
    b = db.session.scalar(select(Application).where(Application.project_title == TITLE_B))
    db.session.add(Membership(user_id=applicant.id, organisation_id=b.organisation_id, is_owner=False))

    # The round has closed, with a budget that draws the funding line after the first bid.
    round_.state = "closed"
    round_.budget_pence = BUDGET_PENCE
    db.session.commit()

    # B (screened by the demo) and C are marked eligible here; A is screened in the browser.
    passed_screening(c, officer)
    for bid in (b, c):
        apply_transition(bid, "mark_eligible", officer)

    assert (a.amount_requested_pence, b.amount_requested_pence, c.amount_requested_pence) == (
        600_050,
        480_000,
        300_000,
    )
    bids = Bids(*(Bid(bid.id, bid.reference, bid.project_title) for bid in (a, b, c)))
    db.session.remove()
    return bids


def _second_assessor_scores(db, bids: Bids) -> None:
    """Nasreen Akhtar declares no conflict and submits her scores on every bid, through the services."""
    from grants.assessors import services

    nasreen = db.session.scalar(select(User).where(User.email == SECOND_ASSESSOR))
    for key, bid in (("A", bids.a), ("B", bids.b), ("C", bids.c)):
        assessment = db.session.scalar(
            select(Assessment).where(Assessment.application_id == bid.id, Assessment.assessor_id == nasreen.id)
        )
        assert assessment is not None, f"{bid.reference} was not given to {SECOND_ASSESSOR}"
        services.declare(nasreen, assessment, False, "", assessment.version_id)
        criteria = services.criteria_of(assessment)
        typed = {
            criterion.id: services.Typed(str(score), f"Scored {score}: see the bid's evidence.")
            for criterion, score in zip(criteria, NASREEN[key], strict=True)
        }
        services.submit(nasreen, assessment, typed, assessment.version_id)
    db.session.remove()


def _assessment_id(db, bid: Bid, email: str) -> int:
    found = db.session.scalar(
        select(Assessment.id)
        .join(User, User.id == Assessment.assessor_id)
        .where(Assessment.application_id == bid.id, User.email == email)
    )
    db.session.rollback()
    assert found is not None, (bid.reference, email)
    return found


def _emailed(db, email: str, reference: str, words: str) -> str:
    body = db.session.scalar(
        select(OutboxMessage.body)
        .where(
            OutboxMessage.recipient == email,
            OutboxMessage.subject.contains(reference),
            OutboxMessage.body.contains(words),
        )
        .order_by(OutboxMessage.id.desc())
    )
    db.session.rollback()
    assert body is not None, f"no email to {email} about {reference} saying {words!r} in the outbox"
    return body


# -- browser helpers --------------------------------------------------------------------------------
def _follow(site: Browser, target: Locator) -> None:
    """Browser.follow, failing first with the address when the server answers with an error page."""
    with site.page.expect_navigation() as navigation:
        target.click()
    response = navigation.value
    if response is not None and response.status >= 500:
        site.unchecked = 0  # the test fails here: do not also report the error page as unchecked
        pytest.fail(f"{site.path}: the server answered {response.status}")
    site.check()


def _visit(site: Browser, path: str) -> None:
    response = site.page.goto(site.url(path))
    if response is None or response.status >= 400:
        site.unchecked = 0
        pytest.fail(f"{path}: the server answered {response and response.status}")
    site.check()


def _nav(site: Browser, name: str) -> None:
    _follow(site, site.page.locator(".govuk-service-navigation").get_by_role("link", name=name, exact=True))


def _flash(site: Browser, text: str | re.Pattern[str]) -> None:
    expect(site.page.locator(".govuk-notification-banner")).to_contain_text(text)


def _no_errors(site: Browser) -> None:
    expect(site.page.locator(".govuk-error-summary")).to_have_count(0)


def _sign_out(site: Browser) -> None:
    _nav(site, "Sign out")
    _follow(site, site.page.get_by_role("button", name="Sign out", exact=True))


def _group(site: Browser, legend: str) -> Locator:
    return site.page.get_by_role("group", name=legend, exact=True)


# -- the journey, by person -------------------------------------------------------------------------
def _officer_screens_and_assigns(site: Browser, bids: Bids) -> None:
    page = site.page
    site.sign_in(OFFICER)
    _visit(site, f"/assessing/rounds/{ROUND}")
    expect(site.heading()).to_have_text("Assessment tasks for Mayor's Safer Communities Fund Round 4")
    _follow(site, page.get_by_role("link", name="Screen the bids"))
    expect(site.heading()).to_have_text("Screening")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    _follow(site, page.get_by_role("link", name=bids.a.reference, exact=True))
    expect(site.heading()).to_have_text(f"Screening {bids.a.reference}")
    expect(page.locator("#screening-status")).to_have_text("Not started")

    from grants.models.assessments import SCREENING_ITEMS

    for label in SCREENING_ITEMS.values():
        _group(site, label).get_by_label("Pass", exact=True).check()
    _group(site, "Fraud risk").get_by_label("Low", exact=True).check()
    page.get_by_label("Notes (optional)").fill(
        "Constitution, accounts and safeguarding policy seen; bank letter matches."
    )
    _follow(site, page.get_by_role("button", name="Save the checklist"))
    _no_errors(site)
    _flash(site, "The screening checklist has been saved.")
    expect(page.locator("#screening-status")).to_have_text("Passed")
    _follow(site, page.get_by_role("button", name="Mark as eligible"))
    _no_errors(site)
    _flash(site, f"{bids.a.reference} is now eligible")

    # Bulk assign: the three eligible bids to Gareth Lloyd and Nasreen Akhtar, two per bid.
    _visit(site, f"/assessing/rounds/{ROUND}")
    _follow(site, page.get_by_role("link", name="Assign assessors"))
    expect(site.heading()).to_have_text("Assign assessors")
    assessors = page.locator("fieldset", has=page.locator("legend", has_text="Assessors"))
    for name in ("Helen Greenwood", "Marcus Boateng"):
        assessors.get_by_label(re.compile(f"{name} \\(")).uncheck()
    expect(assessors.get_by_label(re.compile(r"Gareth Lloyd \("))).to_be_checked()
    expect(assessors.get_by_label(re.compile(r"Nasreen Akhtar \("))).to_be_checked()
    page.get_by_label("Assessors per bid").fill("2")
    _follow(site, page.get_by_role("button", name="Assign assessors"))
    _no_errors(site)
    expect(page.locator("#assignment-count")).to_have_text("6")
    _sign_out(site)


def _assessor_declares_and_scores(site: Browser, bids: Bids, db) -> None:
    page = site.page
    site.sign_in(ASSESSOR)
    _nav(site, "Your assessments")
    expect(site.heading()).to_have_text("Your assessments")
    round4 = page.locator("table", has=page.locator("caption", has_text="Round 4"))
    for bid in (bids.a, bids.b, bids.c):
        expect(round4).to_contain_text(bid.reference)

    # No conflict on A: the scoring page follows.
    _follow(site, round4.get_by_role("link", name=bids.a.reference, exact=True))
    expect(site.heading()).to_have_text("Conflict of interest")
    _group(site, "Do you have a conflict of interest with this organisation or project?").get_by_label(
        "No", exact=True
    ).check()
    _follow(site, page.get_by_role("button", name="Continue"))
    _no_errors(site)
    expect(site.heading()).to_have_text(bids.a.title)
    a_scoring = site.path

    # A draft: the first two criteria, with comments.
    criteria = page.locator(".app-criterion")
    expect(criteria).to_have_count(5)
    for index, score in enumerate(GARETH_A[:2]):
        block = criteria.nth(index)
        block.get_by_role("radio", name=str(score), exact=True).check()
        block.get_by_role("textbox").fill(f"Draft: {score} because the bid shows it.")
    _follow(site, page.get_by_role("button", name="Save draft"))
    _no_errors(site)
    _flash(site, "Your draft scores have been saved.")
    expect(criteria.nth(0).get_by_role("radio", name=str(GARETH_A[0]), exact=True)).to_be_checked()
    expect(criteria.nth(1).get_by_role("textbox")).to_have_value(f"Draft: {GARETH_A[1]} because the bid shows it.")

    # Every criterion scored with a comment, then submitted: locked.
    for index, score in enumerate(GARETH_A):
        block = criteria.nth(index)
        block.get_by_role("radio", name=str(score), exact=True).check()
        block.get_by_role("textbox").fill(f"Scored {score}: the evidence in the bid supports it.")
    _follow(site, page.get_by_role("button", name="Submit scores"))
    _no_errors(site)
    _flash(site, f"You have submitted your scores for {bids.a.reference}. They are now locked.")
    expect(page.locator("#locked")).to_contain_text("They are locked")
    expect(page.get_by_role("button", name="Submit scores")).to_have_count(0)
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Your weighted total: 40")
    # Having submitted, Gareth sees Nasreen's submitted scores beside his own.
    expect(page.locator("#side-by-side")).to_contain_text("Nasreen Akhtar")

    # A conflict on B: it leaves every page of his.
    b_id = _assessment_id(db, bids.b, ASSESSOR)
    _nav(site, "Your assessments")
    _follow(site, round4.get_by_role("link", name=bids.b.reference, exact=True))
    expect(site.heading()).to_have_text("Conflict of interest")
    _group(site, "Do you have a conflict of interest with this organisation or project?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label("Details of your conflict of interest").fill(CONFLICT_DETAILS)
    _follow(site, page.get_by_role("button", name="Continue"))
    _no_errors(site)
    expect(site.heading()).to_have_text("Your assessments")
    _flash(site, f"You have declared a conflict of interest with {bids.b.reference}")
    expect(round4).not_to_contain_text(bids.a.reference)  # scored: on the Done tab now
    expect(round4).to_contain_text(bids.c.reference)
    expect(round4).not_to_contain_text(bids.b.reference)
    expect(round4).not_to_contain_text(bids.b.title)
    # Its pages are gone for him (404); case pages are never for assessors (403 for every bid).
    for path, status in (
        (f"/scoring/{b_id}", 404),
        (f"/scoring/{b_id}/declaration", 404),
        (f"/cases/application/{bids.b.id}", 403),
    ):
        response = page.goto(site.url(path))
        site.check()
        assert response is not None and response.status == status, f"{path}: {response and response.status}"
        expect(page.locator("main")).not_to_contain_text(bids.b.title)

    # His submitted scores on A stay locked.
    _visit(site, a_scoring)
    expect(page.locator("#locked")).to_be_visible()
    _sign_out(site)


def _officer_moderates_ranks_and_recommends(site: Browser, bids: Bids) -> None:
    page = site.page
    site.sign_in(OFFICER)

    # The conflict is on the register.
    _visit(site, f"/assessing/rounds/{ROUND}/conflicts")
    expect(page.locator("main table")).to_contain_text(bids.b.reference)
    expect(page.locator("main table")).to_contain_text(CONFLICT_DETAILS)

    # Moderation: the scores side by side, each assessor's weighted total, and the mean.
    _visit(site, f"/panel/rounds/{ROUND}/moderation")
    expect(site.heading()).to_have_text("Moderation: Mayor's Safer Communities Fund Round 4")
    section_a = page.locator(f"#bid-{bids.a.id}")
    table_a = section_a.locator("table")
    expect(table_a.locator("thead")).to_contain_text("Gareth Lloyd")
    expect(table_a.locator("thead")).to_contain_text("Nasreen Akhtar")
    expect(table_a.locator("tr", has_text="Weighted total")).to_contain_text("40.00")
    expect(table_a.locator("tr", has_text="Weighted total")).to_contain_text("44.00")
    expect(section_a).to_contain_text("42.00 out of 50.00")
    section_b = page.locator(f"#bid-{bids.b.id}")
    expect(section_b.locator("thead")).not_to_contain_text("Gareth Lloyd")  # his conflict: no column
    _follow(site, section_a.get_by_role("link", name=f"Record a moderated score for {bids.a.reference}"))
    expect(site.heading()).to_have_text(f"Moderate the score of {bids.a.reference}")
    page.get_by_label("Moderated score", exact=True).fill(MODERATED)
    page.get_by_label("Reason for the moderated score").fill(MODERATION_REASON)
    _follow(site, page.get_by_role("button", name="Save the moderated score"))
    _no_errors(site)
    _flash(site, f"The moderated score for {bids.a.reference} has been saved.")
    expect(page.locator(f"#bid-{bids.a.id}")).to_contain_text("43.50")
    expect(page.locator(f"#bid-{bids.a.id}")).to_contain_text(MODERATION_REASON)

    # Ranking: A, B, C by score, and the £10,000 budget runs out after A.
    _follow(site, page.get_by_role("link", name="Ranking and recommendations"))
    expect(site.heading()).to_have_text("Ranking: Mayor's Safer Communities Fund Round 4")
    expect(page.locator("#ranking-summary")).to_contain_text("£10,000.00")
    ranked = page.locator("#ranking tbody tr[id^='bid-']")
    expect(ranked).to_have_count(3)
    for index, bid in enumerate((bids.a, bids.b, bids.c)):
        expect(ranked.nth(index)).to_contain_text(bid.reference)
    line = page.locator("#funding-line")
    expect(line).to_be_visible()
    expect(line).to_contain_text("The budget of £10,000.00 runs out here")
    # The line is drawn straight after the first bid.
    expect(page.locator(f"#bid-{bids.a.id} + tr")).to_have_id("funding-line")

    # A: feedback saved, then marked recommended.
    _follow(site, page.locator(f"#bid-{bids.a.id}").get_by_role("link", name=bids.a.reference, exact=True))
    expect(site.heading()).to_have_text(f"Recommendation for {bids.a.reference}")
    # (The amount is not filled in with the amount requested once the bid has a moderated score.)
    page.get_by_label("Recommended amount").fill("6,000.50")
    page.get_by_label("Feedback for the applicant").fill(FEEDBACK_A)
    _follow(site, page.get_by_role("button", name="Save the recommendation"))
    _no_errors(site)
    _flash(site, f"The recommendation for {bids.a.reference} has been saved.")
    _follow(site, page.locator(f"#bid-{bids.a.id}").get_by_role("link", name=bids.a.reference, exact=True))
    _follow(site, page.get_by_role("button", name="Mark as recommended"))
    _no_errors(site)
    _flash(site, f"{bids.a.reference} is now marked recommended.")
    expect(page.locator(f"#bid-{bids.a.id}")).to_contain_text("Recommended")

    # B: feedback, then not recommended, with a reason.
    _follow(site, page.locator(f"#bid-{bids.b.id}").get_by_role("link", name=bids.b.reference, exact=True))
    expect(page.get_by_label("Recommended amount")).to_have_value("4800.00")  # what was asked for
    page.get_by_label("Feedback for the applicant").fill(FEEDBACK_B)
    _follow(site, page.get_by_role("button", name="Save the recommendation"))
    _no_errors(site)
    _follow(site, page.locator(f"#bid-{bids.b.id}").get_by_role("link", name=bids.b.reference, exact=True))
    page.get_by_label("Reason for marking it not recommended").fill(NOT_RECOMMENDED_REASON)
    _follow(site, page.get_by_role("button", name="Mark as not recommended"))
    _no_errors(site)
    _flash(site, f"{bids.b.reference} is now marked not recommended.")
    expect(page.locator(f"#bid-{bids.b.id}")).to_contain_text("Not recommended")
    _sign_out(site)


def _decision_maker_decides(site: Browser, bids: Bids) -> None:
    page = site.page
    site.sign_in(DECISION_MAKER)
    _visit(site, f"/panel/rounds/{ROUND}/decision")
    expect(site.heading()).to_have_text("Decision: Mayor's Safer Communities Fund Round 4")
    to_decide = page.locator("#to-decide")
    expect(to_decide).to_contain_text(bids.a.reference)
    expect(to_decide).to_contain_text(FEEDBACK_A)
    expect(to_decide).not_to_contain_text(bids.c.reference)  # C was not marked: not for decision
    expect(page.locator("#not-recommended")).to_contain_text(bids.b.reference)

    _follow(site, page.get_by_role("button", name=f"Approve {bids.a.reference}", exact=True))
    _no_errors(site)
    _flash(site, f"{bids.a.reference} is approved for £6,000.50.")

    page.get_by_label("Reason for rejecting").fill(REJECT_REASON)
    _follow(site, page.get_by_role("button", name=f"Reject {bids.b.reference}", exact=True))
    _no_errors(site)
    _flash(site, f"{bids.b.reference} is rejected: it is now unsuccessful.")
    expect(page.locator("#decided")).to_contain_text("1 approved, 1 unsuccessful")
    _sign_out(site)


def _applicant_sees_the_outcomes(site: Browser, bids: Bids, db) -> None:
    page = site.page
    site.sign_in(APPLICANT)
    _nav(site, "Your applications")
    table = page.get_by_role("table", name="Your organisations' applications")
    expect(table.locator("tr", has_text=bids.a.reference).locator(".govuk-tag")).to_have_text("Successful")
    expect(table.locator("tr", has_text=bids.b.reference).locator(".govuk-tag")).to_have_text("Unsuccessful")

    approved = _emailed(db, APPLICANT, bids.a.reference, "Approved")
    assert "Amount approved: £6,000.50" in approved, approved
    assert FEEDBACK_A in approved, approved
    rejected = _emailed(db, APPLICANT, bids.b.reference, "Unsuccessful")
    assert REJECT_REASON in rejected, rejected
    assert FEEDBACK_B in rejected, rejected


# -- the test -------------------------------------------------------------------------------------
def test_screen_assign_score_moderate_rank_decide_and_tell_the_applicant(site, demo, committed_db):
    bids = _set_up(committed_db)
    _officer_screens_and_assigns(site, bids)
    _second_assessor_scores(committed_db, bids)
    _assessor_declares_and_scores(site, bids, committed_db)
    _officer_moderates_ranks_and_recommends(site, bids)
    _decision_maker_decides(site, bids)
    _applicant_sees_the_outcomes(site, bids, committed_db)
