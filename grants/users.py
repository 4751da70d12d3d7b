"""Creating accounts from the command line and the demo loader."""

from __future__ import annotations

from collections.abc import Iterable

from grants.auth.services import create_user, find_user
from grants.extensions import db
from grants.models import RoleGrant
from grants.models.people import STAFF_ROLES


class UserError(Exception):
    pass


def create_account(email: str, name: str, password: str, roles: Iterable[str] = ()) -> None:
    roles = list(roles)
    unknown = [r for r in roles if r not in STAFF_ROLES]
    if unknown:
        raise UserError(f"unknown role(s): {', '.join(unknown)}; choose from {', '.join(STAFF_ROLES)}")
    if find_user(email) is not None:
        raise UserError(f"an account for {email} exists already")
    if len(password) < 12:
        raise UserError("the password must be 12 characters or more")
    user = create_user(name, email, password)
    db.session.flush()
    for role in roles:
        db.session.add(RoleGrant(user_id=user.id, role=role, programme_id=None))
    db.session.commit()
