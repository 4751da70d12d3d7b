"""Health of the service's parts."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from grants.extensions import db
from grants.models import Round


def database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


def open_rounds_summary() -> list[dict[str, object]]:
    """Rounds applicants can see on the start page, newest first."""

    rounds = db.session.scalars(
        select(Round).where(Round.state.in_(("scheduled", "open"))).order_by(Round.closes_at)
    ).all()
    return [{"round": r, "programme": r.programme} for r in rounds]
