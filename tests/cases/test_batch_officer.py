"""An officer names the officer of several selected cases at once: the page shows each case's officer now,
each case then changes on its own with its own audit row, and a case changed meanwhile, or of a programme
the chosen officer does not cover, is left as it was and listed with the reason."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, CaseOfficer
from tests.factories import (
    ApplicationFactory,
    CaseOfficerFactory,
    ProgrammeFactory,
    RoundFactory,
    staff_user,
)
from tests.fixtures import csrf_token


class Two:
    """An officer of two programmes, a colleague on the first only, and a bid on each."""

    def __init__(self) -> None:
        self.first, self.second = ProgrammeFactory(), ProgrammeFactory()
        self.officer = staff_user("officer", self.first, name="Priya Sharma")
        from grants.models import RoleGrant

        db.session.add(RoleGrant(user_id=self.officer.id, role="officer", programme_id=self.second.id))
        self.colleague = staff_user("officer", self.first, name="Tom Baker")
        self.a = ApplicationFactory(round=RoundFactory(programme=self.first), state="submitted")
        self.b = ApplicationFactory(round=RoundFactory(programme=self.second), state="submitted")
        db.session.commit()


@pytest.fixture
def two(sign_in):
    made = Two()
    sign_in(made.officer)
    return made


def _post(client, url: str, data: dict):
    return client.post(url, data={"csrf_token": csrf_token(client, "/sign-out"), **data})


def _review(client, cases) -> str:
    response = _post(client, "/cases/application/batch", {"action": "name_officer", "case": [str(c) for c in cases]})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _shown(html: str) -> list[str]:
    return re.findall(r'name="case" value="([^"]+)"', html)


def test_the_list_offers_it_and_the_page_shows_each_cases_officer_now(client, two):
    CaseOfficerFactory(case_kind="application", case_id=two.a.id, officer_id=two.colleague.id)
    db.session.commit()
    listing = client.get("/cases/application").get_data(as_text=True)
    assert '<option value="name_officer">Name the officer who looks after them</option>' in listing

    html = _review(client, [two.a.id, two.b.id])
    assert "Name the officer of 2 cases" in html
    assert sorted(_shown(html)) == sorted([f"{two.a.id}:{two.colleague.id}", f"{two.b.id}:none"])
    rows = html[html.index('id="batch-rows"') :]
    assert "Tom Baker" in rows and "Nobody yet" in rows
    assert db.session.scalar(select(CaseOfficer.officer_id).where(CaseOfficer.case_id == two.b.id)) is None


def test_each_case_changes_on_its_own_and_those_that_cannot_are_listed(client, two):
    html = _review(client, [two.a.id, two.b.id])
    # Meanwhile someone names Tom on the first bid.
    CaseOfficerFactory(case_kind="application", case_id=two.a.id, officer_id=two.colleague.id)
    db.session.commit()
    response = _post(client, "/cases/application/batch/officer", {"case": _shown(html), "officer": str(two.officer.id)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Priya Sharma now looks after 1 case. 1 was not changed." in page
    assert f"{two.a.reference}</a>: someone else changed its officer meanwhile" in page
    db.session.expire_all()
    officers = dict(db.session.execute(select(CaseOfficer.case_id, CaseOfficer.officer_id)).all())
    assert officers == {two.a.id: two.colleague.id, two.b.id: two.officer.id}
    audited = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "officer_assigned")))
    assert [(e.subject_id, e.data["to_id"]) for e in audited] == [(two.b.id, two.officer.id)]


def test_an_officer_who_does_not_cover_a_programme_is_not_named_there(client, two):
    html = _review(client, [two.a.id, two.b.id])
    response = _post(
        client, "/cases/application/batch/officer", {"case": _shown(html), "officer": str(two.colleague.id)}
    )
    page = response.get_data(as_text=True)
    assert "Tom Baker now looks after 1 case." in page
    assert f"{two.b.reference}</a>: Tom Baker is not an officer of its programme" in page


@pytest.mark.parametrize("typed", ["", "abc", "\x00", "99999", "1" * 30])
def test_no_officer_or_a_stranger_is_refused_keeping_the_selection(client, two, typed):
    html = _review(client, [two.a.id])
    response = _post(client, "/cases/application/batch/officer", {"case": _shown(html), "officer": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose an officer from the list, or nobody" in page
    assert _shown(page) == _shown(html)
    assert db.session.scalar(select(CaseOfficer)) is None


def test_cases_the_officer_cannot_see_are_never_named_or_changed(client, two, sign_in):
    hidden = ApplicationFactory(round=RoundFactory(programme=ProgrammeFactory()), state="submitted")
    response = _post(
        client,
        "/cases/application/batch/officer",
        {"case": [f"{two.a.id}:none", f"{hidden.id}:none", "junk"], "officer": str(two.officer.id)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert hidden.reference not in page
    assert page.count("A selected case</li>") == 0  # the reason follows the colon
    assert page.count("A selected case: not found, or not a case you may change") == 2
    assert db.session.scalar(select(CaseOfficer.case_id).where(CaseOfficer.case_id == hidden.id)) is None

    finance = staff_user("finance", two.first)
    sign_in(finance)
    response = _post(
        client, "/cases/application/batch/officer", {"case": [f"{two.a.id}:none"], "officer": str(two.officer.id)}
    )
    assert response.status_code == 404
