"""Your work builds its counting statement once per person, grants and day, and reads the counts afresh
every time: new cases, a declared conflict, a role given or taken away and a new day all show on the
next page, exactly as when the statement is built every time (FORM_CACHES=False)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

import grants.formatting
from grants.extensions import db
from grants.models import Membership, RoleGrant
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    AwardFactory,
    PaymentFactory,
    ProgrammeFactory,
    RoundFactory,
    staff_user,
)
from tests.fixtures import sign_in_as
from tests.workspace.helpers import queue_count


def _count(page: str, key: str) -> str | None:
    return queue_count(page, key) if f'id="queue-{key}"' in page else None


def _work(client) -> str:
    response = client.get("/work/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture(params=[True, False], ids=["kept", "built-each-time"])
def kept(request, app, monkeypatch):
    monkeypatch.setitem(app.config, "FORM_CACHES", request.param)
    return request.param


@pytest.fixture
def programmes():
    return ProgrammeFactory(code="MSCF", name="Safer Communities"), ProgrammeFactory(code="VRU", name="VRU")


def test_new_cases_and_a_declared_conflict_show_on_the_next_page(client, programmes, kept):
    mscf, _ = programmes
    round_ = RoundFactory(programme=mscf)
    officer = staff_user("officer", mscf, email="olu@example.org")
    ApplicationFactory.create_batch(2, round=round_, state="submitted")
    sign_in_as(client, officer.email, PASSWORD)
    assert _count(_work(client), "applications_to_screen") == "2"

    late = ApplicationFactory.create_batch(3, round=round_, state="submitted")
    assert _count(_work(client), "applications_to_screen") == "5"

    db.session.add(Membership(user_id=officer.id, organisation_id=late[0].organisation_id))
    db.session.commit()
    assert _count(_work(client), "applications_to_screen") == "4"  # their own organisation's bid is left out


def test_a_role_given_or_taken_away_changes_the_queues_at_once(client, programmes, kept):
    mscf, vru = programmes
    officer = staff_user("officer", mscf, email="olu@example.org")
    ApplicationFactory.create_batch(2, round=RoundFactory(programme=mscf), state="submitted")
    ApplicationFactory.create_batch(3, round=RoundFactory(programme=vru), state="submitted")
    sign_in_as(client, officer.email, PASSWORD)
    page = _work(client)
    assert _count(page, "applications_to_screen") == "2"
    assert _count(page, "instalments_to_approve") is None  # not finance

    db.session.add_all(
        [
            RoleGrant(user_id=officer.id, role="officer", programme_id=vru.id),
            RoleGrant(user_id=officer.id, role="finance", programme_id=mscf.id),
        ]
    )
    db.session.commit()
    page = _work(client)
    assert _count(page, "applications_to_screen") == "5"
    assert _count(page, "instalments_to_approve") == "None"  # finance now: their queue, nothing in it

    db.session.execute(delete(RoleGrant).where(RoleGrant.user_id == officer.id, RoleGrant.programme_id == vru.id))
    db.session.commit()
    assert _count(_work(client), "applications_to_screen") == "2"


def test_an_instalment_due_tomorrow_is_counted_when_tomorrow_comes(client, programmes, kept, monkeypatch):
    mscf, _ = programmes
    finance = staff_user("finance", mscf, email="fay@example.org")
    today = grants.formatting.london_today()
    PaymentFactory(award=AwardFactory(programme=mscf), due_on=today + timedelta(days=1))
    sign_in_as(client, finance.email, PASSWORD)
    assert _count(_work(client), "instalments_to_approve") == "None"

    class Tomorrow(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz or UTC) + timedelta(days=1)

    monkeypatch.setattr(grants.formatting, "datetime", Tomorrow)
    assert grants.formatting.london_today() == today + timedelta(days=1)
    assert _count(_work(client), "instalments_to_approve") == "1"
