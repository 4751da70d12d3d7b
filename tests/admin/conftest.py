"""Fixtures of the admin area's tests: the seeded reference data and admins signed in."""

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import Programme
from grants.setup.seed import seed
from tests.admin.helpers import browser_for
from tests.factories import staff_user


@pytest.fixture
def seeded():
    seed()
    db.session.commit()
    return {p.code: p for p in db.session.scalars(select(Programme))}


@pytest.fixture
def admin(app, seeded):
    return browser_for(app, staff_user("admin", None, name="Ada Admin", email="ada@example.org"))


@pytest.fixture
def mscf_admin(app, seeded):
    return browser_for(app, staff_user("admin", seeded["MSCF"], name="Mo Scoped", email="mo@example.org"))
