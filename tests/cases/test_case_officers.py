"""A case has a named officer: an officer or admin of its programme names one (or nobody) on the case
page, the change is in the history and the audit log, and two changes at once cannot silently undo each
other. Lists show the officer, sort by them and filter by "Me", a colleague or nobody, and by district."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, CaseOfficer
from tests.factories import (
    ApplicationFactory,
    ApplicationTermFactory,
    AwardFactory,
    CaseOfficerFactory,
    PaymentFactory,
    ProgrammeFactory,
    RoundFactory,
    ensure_terms,
    staff_user,
)
from tests.statements import statements_at_page_sizes


def _csrf(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'data-csrf-token="([^"]+)"', page)
    assert found, page[:300]
    return found.group(1)


def _ids(client, url: str, kind: str = "application") -> list[int]:
    response = client.get(url)
    assert response.status_code in (200, 400), response.status_code
    return [int(n) for n in re.findall(rf'href="/cases/{kind}/(\d+)"', response.get_data(as_text=True))]


class Team:
    """Two officers and an admin on one programme, an officer elsewhere, and three bids."""

    def __init__(self) -> None:
        self.programme = ProgrammeFactory(name="Safer Streets")
        self.ann = staff_user("officer", self.programme, name="Ann Officer")
        self.bob = staff_user("officer", self.programme, name="Bob Officer")
        self.everywhere = staff_user("officer", None, name="Cat Everywhere")
        self.elsewhere = staff_user("officer", ProgrammeFactory(), name="Dan Elsewhere")
        self.finance = staff_user("finance", self.programme, name="Fay Finance")
        round_ = RoundFactory(programme=self.programme, code="SS-R1")
        self.a = ApplicationFactory(round=round_, state="submitted")
        self.b = ApplicationFactory(round=round_, state="submitted")
        self.c = ApplicationFactory(round=round_, state="submitted")
        db.session.commit()

    def page(self, case) -> str:
        return f"/cases/application/{case.id}"


@pytest.fixture
def team(client, sign_in):
    made = Team()
    sign_in(made.ann)
    return made


def _assign(client, team, case, officer: str, shown: str = "none"):
    token = _csrf(client, team.page(case))
    return client.post(f"{team.page(case)}/officer", data={"csrf_token": token, "officer": officer, "shown": shown})


def test_an_officer_names_who_looks_after_a_case_and_the_history_says_so(client, team):
    page = client.get(team.page(team.a)).get_data(as_text=True)
    assert "Nobody yet" in page
    choices = re.findall(r'<option value="(\d+)"', page.split('id="officer"')[1].split("</select>")[0])
    # The programme's officers and the officer of every programme: not another programme's, not finance.
    assert sorted(int(c) for c in choices) == sorted([team.ann.id, team.bob.id, team.everywhere.id])

    response = _assign(client, team, team.a, str(team.bob.id))
    assert response.status_code == 302
    page = client.get(team.page(team.a)).get_data(as_text=True)
    assert f"Bob Officer now looks after {team.a.reference}." in page
    assert "Officer: nobody → Bob Officer" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "officer_assigned"))
    assert event.actor_id == team.ann.id and event.subject_id == team.a.id
    assert event.data["to_id"] == team.bob.id and event.data["from_id"] is None

    response = _assign(client, team, team.a, "none", shown=str(team.bob.id))
    assert response.status_code == 302
    assert db.session.scalar(select(CaseOfficer)) is None
    assert "Officer: Bob Officer → nobody" in client.get(team.page(team.a)).get_data(as_text=True)


def test_a_change_made_meanwhile_is_not_overwritten(client, team):
    CaseOfficerFactory(case_kind="application", case_id=team.a.id, officer_id=team.everywhere.id)
    db.session.commit()
    # The page showed nobody; someone named Cat since.
    response = _assign(client, team, team.a, str(team.bob.id), shown="none")
    assert response.status_code == 409
    assert "Someone else changed who looks after this" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(CaseOfficer.officer_id)) == team.everywhere.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "officer_assigned")) is None


@pytest.mark.parametrize("typed", ["", "abc", "\x00", "99999999999999999999", "-1"])
def test_someone_who_cannot_be_named_is_refused_with_a_message(client, team, typed):
    chosen = typed or str(team.elsewhere.id)  # empty: try another programme's officer
    response = _assign(client, team, team.b, chosen)
    assert response.status_code == 400
    assert "Choose an officer from the list" in response.get_data(as_text=True)
    assert db.session.scalar(select(CaseOfficer)) is None


def test_only_officers_and_admins_of_the_programme_may_name_one(client, sign_in, team):
    sign_in(team.finance)
    response = client.get(team.page(team.a))
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    assert "Who looks after this" not in page  # finance sees who, but may not change it
    token = _csrf(client, team.page(team.a))
    response = client.post(
        f"{team.page(team.a)}/officer", data={"csrf_token": token, "officer": str(team.bob.id), "shown": "none"}
    )
    assert response.status_code == 404
    sign_in(team.elsewhere)  # cannot see the case at all
    assert client.get(team.page(team.a)).status_code == 404
    assert db.session.scalar(select(CaseOfficer)) is None


def test_lists_show_sort_and_filter_by_officer(client, team):
    for case, officer in ((team.a, team.bob), (team.b, team.ann)):
        CaseOfficerFactory(case_kind="application", case_id=case.id, officer_id=officer.id)
    db.session.commit()
    base = "/cases/application"
    assert _ids(client, f"{base}?officer=me") == [team.b.id]
    assert _ids(client, f"{base}?officer={team.bob.id}") == [team.a.id]
    assert _ids(client, f"{base}?officer=none") == [team.c.id]
    assert _ids(client, f"{base}?sort=officer&dir=asc") == [team.c.id, team.b.id, team.a.id]  # nobody, Ann, Bob
    assert _ids(client, f"{base}?sort=officer&dir=desc") == [team.a.id, team.b.id, team.c.id]
    page = client.get(base).get_data(as_text=True)
    assert "Ann Officer" in page and "Bob Officer" in page
    # A wrong officer is a message, and lists nothing.
    response = client.get(f"{base}?officer=abc\x00")
    assert response.status_code == 400 and "Choose an officer from the list" in response.get_data(as_text=True)
    assert _ids(client, f"{base}?officer=99999") == []

    rows = list(csv.reader(io.StringIO(client.get(f"{base}/cases.csv?sort=officer&dir=desc").get_data(as_text=True))))
    assert rows[0][-1] == "Officer"
    assert [row[-1] for row in rows[1:]] == ["Bob Officer", "Ann Officer", ""]


def test_the_officer_column_costs_the_same_statements_whatever_the_page_size(client, team):
    for case in (team.a, team.b, team.c):
        CaseOfficerFactory(case_kind="application", case_id=case.id, officer_id=team.bob.id)
    db.session.commit()
    one, three = statements_at_page_sizes(client, "/cases/application", (1, 3))
    assert one == three


def test_lists_about_bids_and_awards_filter_by_district(client, team):
    terms = ensure_terms({("district", "camden"): "Camden", ("district", "hackney"): "Hackney"})
    ApplicationTermFactory(application=team.a, term=terms["camden"])
    ApplicationTermFactory(application=team.b, term=terms["hackney"])
    award = AwardFactory(programme=team.programme, application_id=team.a.id)
    other = AwardFactory(programme=team.programme, application_id=team.b.id)
    payment = PaymentFactory(award=award)
    PaymentFactory(award=other)
    db.session.commit()
    assert _ids(client, "/cases/application?district=camden") == [team.a.id]
    assert _ids(client, "/cases/application?district=hackney") == [team.b.id]
    assert _ids(client, "/cases/application?district=nowhere\x00") == []
    assert _ids(client, "/cases/award?district=camden", "award") == [award.id]
    assert _ids(client, "/cases/payment?district=camden", "payment") == [payment.id]
    page = client.get("/cases/award").get_data(as_text=True)
    assert '<option value="camden">Camden</option>' in page
    # A round has no district: its list offers none.
    assert 'id="district"' not in client.get("/cases/round").get_data(as_text=True)


def test_your_work_counts_the_cases_you_look_after_and_leads_to_them(client, team):
    award = AwardFactory(programme=team.programme)
    hidden = ApplicationFactory(round=team.a.round, state="submitted")  # a bid Ann has a conflict on
    from grants.models import Membership

    db.session.add(Membership(user_id=team.ann.id, organisation_id=hidden.organisation_id))
    for kind, case_id in (("application", team.a.id), ("application", team.b.id), ("award", award.id)):
        CaseOfficerFactory(case_kind=kind, case_id=case_id, officer_id=team.ann.id)
    CaseOfficerFactory(case_kind="application", case_id=hidden.id, officer_id=team.ann.id)
    CaseOfficerFactory(case_kind="application", case_id=team.c.id, officer_id=team.bob.id)
    db.session.commit()

    home = client.get("/work/").get_data(as_text=True)
    row = home[home.index('id="queue-cases_you_look_after"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r">\s*3\s*<", row), row  # two bids and an award; not the conflicted bid, not Bob's
    link = re.search(r'href="([^"]+)"', row).group(1).replace("&amp;", "&")
    index = client.get(link).get_data(as_text=True)
    mine = index[index.index('id="mine"') :]
    assert "Applications you look after</a> (2)" in mine and "Awards you look after</a> (1)" in mine
    listed = re.search(r'href="(/cases/application\?officer=me)"', mine).group(1)
    assert _ids(client, listed) == [team.a.id, team.b.id]
