"""The assessor and the decision maker from Your work, with axe on every page.

The assessor signs in to Your work, opens their bids to score (due date shown), declares no conflict,
sees the bid beside the criteria at 1280 px and stacked at 320 px (no sideways scrolling), scores and
submits, and finds the bid under Done with their total. The decision maker then goes from Your work to
the round's decision page and sees the ranking, the funding line and the budget left.

The round is the demo's Round 4 (five criteria), closed, with a budget of £1,000 so the funding line
falls before the bid; the bid is the demo's screened "Walk Home Safe".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grants.models import Application, Round, User
from tests.browser.conftest import Browser

pytestmark = pytest.mark.browser

ROUND = "MSCF-R4"
OFFICER = "officer@example.org"
ASSESSOR = "assessor@example.org"  # Gareth Lloyd
DECISION_MAKER = "decision@example.org"
TITLE = "Walk Home Safe: volunteer escorts from Manningham Lane"
SCORES = [4, 3, 4, 3, 4]  # weights 2.5, 2, 2, 2, 1.5: 36.00
DUE = datetime.now(UTC).date() + timedelta(days=10)
SHOTS = Path("/tmp/grantflow-screenshots")  # noqa: S108 - looked at by people checking the layout


def _set_up(db) -> int:
    from grants.assessment import assigning
    from grants.workflow import apply_transition

    round_ = db.session.scalar(select(Round).where(Round.code == ROUND))
    officer = db.session.scalar(select(User).where(User.email == OFFICER))
    gareth = db.session.scalar(select(User).where(User.email == ASSESSOR))
    bid = db.session.scalar(select(Application).where(Application.project_title == TITLE))
    round_.state = "closed"
    round_.budget_pence = 100_000
    round_.assessment_due_on = DUE
    round_.decision_on = DUE + timedelta(days=14)
    db.session.commit()
    apply_transition(bid, "mark_eligible", officer)
    assigning.assign(officer, round_, [gareth.id], per_bid=1)
    bid_id = bid.id
    db.session.remove()
    return bid_id


def _recommend(db, bid_id: int) -> None:
    """The officer marks the bid recommended and the round goes to the decision maker (as the panel does)."""
    from grants.decisions import recommendations

    officer = db.session.scalar(select(User).where(User.email == OFFICER))
    bid = db.session.get(Application, bid_id)
    recommendations.mark(bid, officer, "recommend", None, bid.version_id)
    round_ = db.session.scalar(select(Round).where(Round.code == ROUND))
    round_.state = "assessing"
    db.session.commit()
    db.session.remove()


def _box(site: Browser, selector: str) -> dict:
    box = site.page.locator(selector).bounding_box()
    assert box is not None, selector
    return box


def _sign_out(site: Browser) -> None:
    site.follow(site.page.locator(".govuk-service-navigation a[href='/sign-out']"))


def test_an_assessor_scores_from_their_work_and_the_decision_maker_sees_the_panels_view(site, demo, committed_db):
    page = site.page
    bid_id = _set_up(committed_db)
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    site.sign_in(ASSESSOR)
    assert site.path == "/work/", site.path
    site.follow(page.locator("#queue-bids_to_score a"))
    expect(site.heading()).to_have_text("Your assessments")
    expect(page.locator("main nav")).to_contain_text("To do (1)")
    row = page.locator("main table tbody tr", has_text="Walk Home Safe")
    expect(row).to_contain_text(DUE.strftime("%-d %B %Y"))

    site.follow(row.get_by_role("link"))
    expect(site.heading()).to_have_text("Conflict of interest")
    page.get_by_label("No", exact=True).check()
    site.follow(page.get_by_role("button", name="Continue"))
    expect(site.heading()).to_have_text(TITLE)
    expect(page.locator("#due")).to_contain_text(DUE.strftime("%-d %B %Y"))

    # Wide: the bid on the left, the criteria on the right, side by side.
    bid, scoring = _box(site, "#bid"), _box(site, "#scoring")
    assert bid["x"] + bid["width"] <= scoring["x"] + 1 and abs(bid["y"] - scoring["y"]) < 5, (bid, scoring)
    page.screenshot(path=str(SHOTS / "scoring-1280.png"))

    # Narrow: stacked, the bid first, and nothing wider than the window.
    page.set_viewport_size({"width": 320, "height": 640})
    page.wait_for_timeout(200)
    site.check()
    bid, scoring = _box(site, "#bid"), _box(site, "#scoring")
    assert scoring["y"] >= bid["y"] + bid["height"] - 1 and abs(bid["x"] - scoring["x"]) < 5, (bid, scoring)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path=str(SHOTS / "scoring-320.png"), full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})

    criteria = page.locator(".app-criterion")
    expect(criteria).to_have_count(len(SCORES))
    for index, score in enumerate(SCORES):
        criteria.nth(index).get_by_role("radio", name=str(score), exact=True).check()
        criteria.nth(index).get_by_role("textbox").fill(f"Scored {score}: the evidence in the bid supports it.")
    site.follow(page.get_by_role("button", name="Submit scores"))
    expect(page.locator("#locked")).to_contain_text("They are locked")

    site.follow(page.get_by_role("link", name="Your assessments").first)
    expect(page.locator("main")).to_contain_text("You have scored every bid you were given")
    site.follow(page.get_by_role("link", name=re.compile(r"^Done \(")))  # with Round 3's, scored in the demo
    done = page.locator("main table tbody tr", has_text="Walk Home Safe")
    expect(done).to_contain_text("36.00")
    _sign_out(site)

    _recommend(committed_db, bid_id)
    site.sign_in(DECISION_MAKER)
    site.follow(page.locator("#queue-rounds_to_decide a"))
    site.follow(page.locator("main table tbody a", has_text=ROUND).first)
    site.follow(page.get_by_role("link", name="Make the panel decision for this round"))
    expect(site.heading()).to_contain_text("Decision")
    expect(page.locator("#funding-line")).to_contain_text("budget of £1,000.00 runs out before the first bid")
    expect(page.locator(f"#bid-{bid_id}")).to_contain_text("36.00")
    expect(page.locator("#budget")).to_contain_text("Left")
    page.screenshot(path=str(SHOTS / "decision-1280.png"), full_page=True)
