"""Search finds notes and messages by their words, only on cases the person may list, and a result
opens the case's history; the statements stay the same whatever the number of notes."""

from __future__ import annotations

import re

import pytest

from grants.extensions import db
from grants.models import Membership
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CaseNoteFactory,
    PaymentFactory,
    ProgrammeFactory,
    RoundFactory,
    staff_user,
)
from tests.fixtures import sign_in_as
from tests.statements import counting_selects


def _found(html: str) -> list[str]:
    table = html.split('id="search-results"', 1)[1] if 'id="search-results"' in html else ""
    return re.findall(r'<td class="govuk-table__cell"><a class="govuk-link" href="([^"]+)">([^<]+)</a>', table)


def _note(subject, body: str, kind: str = "note"):
    return CaseNoteFactory(case_kind=subject.__audit_type__, case_id=subject.id, kind=kind, body=body)


@pytest.fixture
def held():
    mscf, vru = ProgrammeFactory(code="MSCF"), ProgrammeFactory(code="VRU")
    bid = ApplicationFactory(round=RoundFactory(programme=mscf), state="submitted", public_reference="MSCF-R3-0042")
    elsewhere = ApplicationFactory(round=RoundFactory(programme=vru), state="submitted", public_reference="VRU-R1-0001")
    payment = PaymentFactory()
    officer = staff_user("officer", mscf, email="olu@example.org")
    return locals()


def test_an_officer_finds_a_note_and_a_message_by_their_words_and_the_result_opens_the_case(client, held):
    bid = held["bid"]
    _note(bid, "Match funding from the Lottery is confirmed.")
    _note(bid, "Please confirm your match funding.", kind="message")
    sign_in_as(client, "olu@example.org", PASSWORD)

    page = client.get("/search?q=match+funding").get_data(as_text=True)

    assert _found(page) == [(f"/cases/application/{bid.id}#history", "MSCF-R3-0042")] * 2
    assert "Private note on application" in page and "Message on application" in page
    assert "Please confirm your match funding." in page


def test_notes_on_cases_the_person_may_not_list_are_not_found(client, held):
    _note(held["elsewhere"], "Safeguarding concern raised.")
    _note(held["payment"], "Safeguarding concern on the payment.")
    sign_in_as(client, "olu@example.org", PASSWORD)

    assert _found(client.get("/search?q=safeguarding").get_data(as_text=True)) == []


def test_a_conflicted_officer_does_not_find_notes_on_their_own_organisations_case(client, held):
    _note(held["bid"], "Budget looks thin.")
    db.session.add(Membership(user_id=held["officer"].id, organisation_id=held["bid"].organisation_id))
    db.session.commit()
    sign_in_as(client, "olu@example.org", PASSWORD)

    assert _found(client.get("/search?q=budget+looks").get_data(as_text=True)) == []


def test_a_reference_still_opens_its_case_when_a_note_mentions_it(client, held):
    _note(held["bid"], "See also MSCF-R3-0042")
    sign_in_as(client, "olu@example.org", PASSWORD)

    response = client.get("/search?q=MSCF-R3-0042")

    assert response.status_code == 302 and response.headers["Location"] == f"/cases/application/{held['bid'].id}"


def test_searching_notes_takes_the_same_statements_whatever_their_number(client, held):
    sign_in_as(client, "olu@example.org", PASSWORD)

    def statements() -> int:
        with counting_selects() as seen:
            assert client.get("/search?q=follow+up").status_code == 200
        return len(seen)

    _note(held["bid"], "Follow up on the accounts.")
    few = statements()
    for number in range(25):
        _note(held["bid"], f"Follow up number {number}.", kind="message" if number % 2 else "note")
    assert statements() == few
