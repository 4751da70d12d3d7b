"""The panel's doors: which round or bid a user may reach.

Officers (and admins) on a round's programme moderate, rank and recommend; decision
makers on it decide. Anyone else gets a 404 with no hint that the round or bid exists.
The operations themselves live beside this module: moderation.py, ranking.py,
recommendations.py and decisions.py; the panel pack in panel_pack.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from grants import access
from grants.errors import NotFound
from grants.extensions import db
from grants.models import Application, Round
from grants.workflow_states import states

OFFICER_ROLES = frozenset({"officer", "admin"})
DECISION_ROLES = frozenset({"decision_maker"})


def panel_states() -> frozenset[str]:
    """Bids the panel moderates and marks (the application workflow's "with_panel" tag)."""
    return states("application", "with_panel")


def ranked_states() -> frozenset[str]:
    """Bids the ranking shows: the panel's, and those decided already (so the pack still tells the story)."""
    return states("application", "ranked")


class PanelConflict(Exception):
    """Someone else saved this bid's recommendation since the form was loaded; nothing was written."""

    def __init__(self, current: Any):
        self.current = current
        super().__init__("Someone else changed this while you were working on it.")


class PanelError(ValueError):
    """What the user entered cannot be saved: messages by form field name."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def round_for(code: str, user: Any, roles: frozenset[str]) -> Round:
    """The round, if the user holds one of `roles` on its programme."""
    round_ = db.session.scalar(select(Round).options(joinedload(Round.programme)).where(Round.code == code))
    if round_ is None or not access.staff_roles(user, round_.programme_id) & roles:
        raise NotFound(code)
    return round_


def application_for(application_id: int, user: Any, roles: frozenset[str]) -> Application:
    """A bid that has reached the panel, if the user holds one of `roles` on its programme."""
    application = db.session.get(Application, application_id, options=[joinedload(Application.organisation)])
    if (
        application is None
        or application.state not in ranked_states()
        or not access.staff_roles(user, application.round.programme_id) & roles
        or access.has_conflict(user, application)
    ):
        raise NotFound(str(application_id))
    return application


def commit_or_conflict(current: Any, *, flush_only: bool = False) -> None:
    """Commit (or only flush); a stale version, a duplicate row or a locked SQLite file becomes
    PanelConflict, after a rollback. `current` is called then to fetch what is saved now.
    """
    try:
        if flush_only:
            db.session.flush()
        else:
            db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise PanelConflict(current()) from None
    except OperationalError as exc:
        db.session.rollback()
        if "database is locked" in str(exc):
            raise PanelConflict(current()) from None
        raise
