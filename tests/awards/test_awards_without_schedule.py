"""An officer's Your work counts the live awards on their programmes with no payment schedule, and the
count links to a list of exactly those, each opening the award's schedule."""

from __future__ import annotations

import re

from grants.extensions import db
from grants.models import Membership
from tests.factories import AwardFactory, PaymentFactory, ProgrammeFactory, staff_user
from tests.statements import counting_selects


def _row(page: str, key: str) -> str:
    start = page.index(f'id="queue-{key}"')
    return page[start : page.index("</tr>", start)].replace("<strong>", "").replace("</strong>", "")


def _listed(html: str) -> set[str]:
    return set(re.findall(r'href="/payments/awards/\d+/schedule">([^<]+)</a>', html))


def test_an_officers_awards_without_a_schedule_count_matches_the_list_it_links_to(client, sign_in):
    mscf, vru = ProgrammeFactory(code="MSCF"), ProgrammeFactory(code="VRU")
    officer = staff_user("officer", mscf)
    waiting = [AwardFactory(programme=mscf, state=state) for state in ("preparing", "offered", "accepted", "active")]
    only_cancelled = AwardFactory(programme=mscf, state="active")
    PaymentFactory(award=only_cancelled, state="cancelled")
    waiting.append(only_cancelled)
    PaymentFactory(award=AwardFactory(programme=mscf, state="active"))  # scheduled
    AwardFactory(programme=mscf, state="closed")  # ended: nothing more to pay
    AwardFactory(programme=mscf, state="declined")
    AwardFactory(programme=vru, state="active")  # another programme's
    own = AwardFactory(programme=mscf, state="active")  # the officer's own organisation's
    db.session.add(Membership(user_id=officer.id, organisation_id=own.organisation_id))
    db.session.commit()
    sign_in(officer)

    row = _row(client.get("/work/").get_data(as_text=True), "awards_without_schedule")
    listed = client.get("/awards/without-schedule").get_data(as_text=True)

    assert "Awards without a payment schedule" in row and ">5<" in row
    assert 'href="/awards/without-schedule"' in row
    assert _listed(listed) == {award.public_reference for award in waiting}


def test_the_list_reads_the_same_number_of_statements_however_many_awards(client, sign_in):
    mscf = ProgrammeFactory(code="MSCF")
    sign_in(staff_user("officer", mscf))

    def statements() -> int:
        with counting_selects() as seen:
            assert client.get("/awards/without-schedule").status_code == 200
        return len(seen)

    AwardFactory.create_batch(2, programme=mscf, state="active")
    few = statements()
    AwardFactory.create_batch(12, programme=mscf, state="offered")
    many = statements()

    assert few == many


def test_finance_cannot_open_the_officers_list(client, sign_in):
    sign_in(staff_user("finance", ProgrammeFactory(code="MSCF")))

    assert client.get("/awards/without-schedule").status_code == 403
