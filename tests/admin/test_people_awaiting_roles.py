"""Admins see who has an account but can do nothing yet (no organisation, no role), counted on Your work
and listed with a link that opens the role form for that person."""

from __future__ import annotations

import re

from grants.extensions import db
from tests.factories import PASSWORD, OrganisationFactory, ProgrammeFactory, UserFactory, member_of, staff_user
from tests.fixtures import sign_in_as
from tests.statements import counting_selects


def _text(response) -> str:
    return response.get_data(as_text=True)


def _listed(page: str) -> list[str]:
    table = page.split('id="people-awaiting-roles"', 1)[1] if 'id="people-awaiting-roles"' in page else ""
    return re.findall(r'<span class="govuk-body-s">([^<]+)</span>', table)


def _queue_count(page: str) -> str:
    row = page[page.index('id="queue-people_awaiting_roles"') :]
    row = row[: row.index("</tr>")]
    return re.sub(r"<[^>]+>", "", row[row.rindex('govuk-table__cell--numeric">') :].split(">", 1)[1]).strip()


def test_an_admin_sees_the_people_waiting_for_a_role_and_gives_one(client):
    admin = staff_user("admin", email="ada@example.org")
    UserFactory(email="new.officer@example.org", name="Nia Officer")
    UserFactory(email="left@example.org", active=False)  # a closed account waits for nothing
    member_of(OrganisationFactory(), email="amira@example.org")  # an applicant with an organisation
    staff_user("officer", ProgrammeFactory(), email="olu@example.org")  # already staff
    db.session.commit()
    sign_in_as(client, admin.email, PASSWORD)

    home = _text(client.get("/work/"))
    assert _queue_count(home) == "1"
    assert 'href="/admin/roles/waiting"' in home
    waiting = _text(client.get("/admin/roles/waiting"))
    assert _listed(waiting) == ["new.officer@example.org"]

    form = _text(client.get("/admin/roles?email=new.officer@example.org"))
    assert 'value="new.officer@example.org"' in form  # the role form opens with their address filled in


def test_the_list_takes_the_same_statements_however_many_wait(client):
    admin = staff_user("admin", email="ada@example.org")
    sign_in_as(client, admin.email, PASSWORD)
    UserFactory()

    def statements() -> int:
        with counting_selects() as seen:
            assert client.get("/admin/roles/waiting").status_code == 200
        return len(seen)

    few = statements()
    UserFactory.create_batch(15)
    db.session.commit()
    assert statements() == few


def test_odd_addresses_in_the_role_forms_link_get_a_page(client):
    admin = staff_user("admin", email="ada@example.org")
    sign_in_as(client, admin.email, PASSWORD)
    for typed in ("x\x00y@example.org", "a" * 5000, "   "):
        assert client.get("/admin/roles", query_string={"email": typed}).status_code == 200


def test_people_who_are_not_admins_cannot_see_who_waits(app, client):
    officer = staff_user("officer", ProgrammeFactory(), email="olu@example.org")
    sign_in_as(client, officer.email, PASSWORD)
    assert client.get("/admin/roles/waiting").status_code == 403
    assert "People with no role or organisation" not in _text(client.get("/work/"))
