"""Your work: staff land on a page that counts what is waiting for each role they hold, on the
programmes they hold it on and without bids they are conflicted on, each count linking to the list
where the work is done (showing the same cases); the counts take one statement whatever the size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import current_app

from grants.extensions import db
from grants.models import Membership
from grants.models.outbox import FAILED
from grants.workflow import engine
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    AssessmentFactory,
    AwardFactory,
    OrganisationFactory,
    OutboxMessageFactory,
    PaymentFactory,
    ProgrammeFactory,
    RoundFactory,
    UserFactory,
    staff_user,
)
from tests.fixtures import sign_in_as
from tests.statements import counting_selects
from tests.workspace.helpers import queue_count, queue_row


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def programmes():
    return ProgrammeFactory(code="MSCF", name="Safer Communities"), ProgrammeFactory(code="VRU", name="VRU")


def test_an_officer_lands_on_their_work_counted_on_their_programmes_without_conflicts(client, programmes):
    mscf, vru = programmes
    own_round, other_round = RoundFactory(programme=mscf), RoundFactory(programme=vru)
    officer = staff_user("officer", mscf, email="olu@example.org")
    theirs = ApplicationFactory.create_batch(3, round=own_round, state="submitted")
    ApplicationFactory.create_batch(2, round=other_round, state="submitted")  # another programme's
    ApplicationFactory(round=own_round, state="draft")  # not sent: not theirs to screen
    conflicted = ApplicationFactory(round=own_round, state="submitted")  # the officer's own organisation
    db.session.add(Membership(user_id=officer.id, organisation_id=conflicted.organisation_id))
    db.session.commit()

    signed = sign_in_as(client, officer.email, PASSWORD)
    assert signed.headers["Location"] == "/work/"
    page = _text(client.get("/work/"))
    assert "<h1" in page and "Your work" in page and "Grants officer" in page
    assert queue_count(page, "applications_to_screen") == "3"
    assert queue_count(page, "offers_awaiting_reply") == "None"
    assert 'href="/cases/application?state=submitted"' in queue_row(page, "applications_to_screen")

    listed = _text(client.get("/cases/application?state=submitted"))
    assert _references(listed) == {a.reference for a in theirs}  # the same cases the count counted
    assert conflicted.reference not in listed
    assert "Showing those submitted" in listed
    assert "Bids to score" not in page and "Finance" not in page  # roles they do not hold


def _references(html: str) -> set[str]:
    import re

    return set(re.findall(r'class="govuk-link" href="/cases/application/\d+">([^<]+)</a>', html))


def test_each_role_sees_its_own_queues(client, programmes):
    mscf, _ = programmes
    finance = staff_user("finance", mscf, email="fay@example.org")
    award = AwardFactory(programme=mscf)
    today = datetime.now(UTC).date()
    PaymentFactory(award=award, due_on=today - timedelta(days=3))
    PaymentFactory(award=award, instalment=2, due_on=today)
    PaymentFactory(award=award, instalment=3, due_on=today + timedelta(days=30))  # not due yet
    PaymentFactory(award=award, instalment=4, state="held")
    sign_in_as(client, finance.email, PASSWORD)
    page = _text(client.get("/work/"))
    assert queue_count(page, "instalments_to_approve") == "2"
    link = queue_row(page, "instalments_to_approve").split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    due = _text(client.get(link))
    assert due.count('id="payment-') == 2  # the page the count links to lists the same two
    assert due.count("Overdue</strong>") == 1  # the one due three days ago; today's is not late yet
    assert queue_count(page, "instalments_held") == "1"
    assert "Applications to screen" not in page


def test_an_assessor_sees_the_bids_waiting_for_their_scores(client):
    assessor = staff_user("assessor", email="anna@example.org")
    AssessmentFactory(assessor=assessor)
    AssessmentFactory(assessor=assessor, state="scoring")
    AssessmentFactory(assessor=assessor, state="submitted")  # done
    AssessmentFactory(assessor=UserFactory())  # someone else's
    sign_in_as(client, assessor.email, PASSWORD)
    page = _text(client.get("/work/"))
    assert queue_count(page, "bids_to_score") == "2"
    assert 'href="/scoring/"' in queue_row(page, "bids_to_score")


def test_only_an_admin_of_every_programme_is_told_of_failed_emails(app, client, programmes):
    OutboxMessageFactory.create_batch(2, status=FAILED)
    admin = staff_user("admin", email="ada@example.org")
    sign_in_as(client, admin.email, PASSWORD)
    assert queue_count(_text(client.get("/work/")), "failed_emails") == "2"

    scoped = staff_user("admin", programmes[0], email="mo@example.org")
    other = app.test_client()
    sign_in_as(other, scoped.email, PASSWORD)
    assert "Emails that could not be sent" not in _text(other.get("/work/"))


def test_the_counts_take_one_statement_whatever_the_size(app, programmes):
    mscf, _ = programmes
    person = UserFactory(email="every@example.org")
    from grants.models import RoleGrant

    db.session.add_all(RoleGrant(user_id=person.id, role=role) for role in ("officer", "finance", "decision_maker"))
    db.session.commit()
    client = app.test_client()
    sign_in_as(client, person.email, PASSWORD)
    few = _statements(client)
    round_ = RoundFactory(programme=mscf)
    ApplicationFactory.create_batch(40, round=round_, state="submitted")
    ApplicationFactory.create_batch(20, round=round_, state="recommended")
    PaymentFactory.create_batch(30, award=AwardFactory(programme=mscf))
    many = _statements(client)
    assert few == many, (few, many)


def _statements(client) -> int:
    with counting_selects() as seen:
        assert client.get("/work/").status_code == 200
    return len(seen)


def test_every_queue_names_a_registered_kind_and_states_of_its_workflow(app):
    from grants.workflow import case_types

    for queue in current_app.extensions["work_queues"]:
        if queue.kind is None:
            continue
        case_type = case_types().find(queue.kind)
        assert case_type is not None, queue.key
        names = set(engine().registry.latest(case_type.workflow).states)
        assert set(queue.states) <= names, (queue.key, set(queue.states) - names)


def test_the_staff_menu_leads_to_your_work_and_a_member_of_staff_in_an_organisation_finds_it_there(client):
    officer = staff_user("officer", email="olu@example.org")
    sign_in_as(client, officer.email, PASSWORD)
    page = _text(client.get("/work/"))
    menu = page[page.index('class="govuk-service-navigation"') :].split("</nav>")[0]
    assert menu.index('href="/work/"') < menu.index('href="/cases/"')
    assert "Your applications" not in menu and "Your organisations" not in menu
    assert "You also belong to an organisation" not in page

    db.session.add(Membership(user_id=officer.id, organisation_id=OrganisationFactory().id))
    db.session.commit()
    page = _text(client.get("/work/"))
    assert "You also belong to an organisation" in page


def test_applicants_have_no_work_page(client):
    applicant = UserFactory(email="amira@example.org")
    sign_in_as(client, applicant.email, PASSWORD)
    assert client.get("/work/").status_code == 403


def test_a_case_list_sorts_by_its_address_and_keeps_its_filter_across_pages(app, client, programmes):
    mscf, _ = programmes
    officer = staff_user("officer", mscf, email="olu@example.org")
    round_ = RoundFactory(programme=mscf)
    made = [ApplicationFactory(round=round_, state=state) for state in ("submitted", "eligible", "submitted")]
    sign_in_as(client, officer.email, PASSWORD)

    def order(url: str) -> list[int]:
        import re

        return [int(n) for n in re.findall(r'href="/cases/application/(\d+)"', _text(client.get(url)))]

    ids = [a.id for a in made]
    assert order("/cases/application") == ids
    assert order("/cases/application?sort=newest") == ids[::-1]
    assert order("/cases/application?sort=state") == [ids[1], ids[0], ids[2]]  # eligible, then submitted
    assert order("/cases/application?sort=nonsense") == ids  # an unknown key: the default
    assert order("/cases/application?state=submitted&sort=newest") == [ids[2], ids[0]]

    app.config["PAGE_SIZE"], size = 1, app.config["PAGE_SIZE"]
    try:
        page = _text(client.get("/cases/application?state=submitted&sort=newest"))
        assert 'href="/cases/application?state=submitted&amp;sort=newest&amp;page=2"' in page
    finally:
        app.config["PAGE_SIZE"] = size
