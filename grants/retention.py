"""The retention schedule: personal data is not kept longer than the privacy notice says.

An application that was not funded (a draft never sent, or one that ended unsuccessful, withdrawn
or ineligible) keeps its answers and files for two years after its round closed. After that its
answers are emptied and its uploaded files deleted; what the reports count stays: the reference,
organisation, round, state, amount asked for, people to be reached, districts and themes, so no
report's figures change. Each removal is audited. A dry run lists what would go; the scheduler
applies it daily. Awarded grants are kept seven years after closure (not yet applied here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Select, delete, func, select, update

from grants import audit
from grants.apply import uploads
from grants.extensions import db
from grants.formatting import LONDON
from grants.models import Application, ApplicationSection, Document, Round
from grants.models.base import utcnow
from grants.workflow_states import states

UNSUCCESSFUL_YEARS = 2
REASON = "retention: not funded, two years after its round closed"


@dataclass(frozen=True)
class Due:
    application_id: int
    reference: str
    round_code: str
    round_closed: date
    documents: int


def _cut_off(today: date) -> datetime:
    """Rounds that closed before this moment are past the two years."""
    try:
        then = today.replace(year=today.year - UNSUCCESSFUL_YEARS)
    except ValueError:  # 29 February
        then = today.replace(year=today.year - UNSUCCESSFUL_YEARS, day=28)
    return datetime.combine(then, time.min, tzinfo=LONDON)


def _due(today: date) -> Select[Any]:
    not_sent = states("application", "with_applicant") - states("application", "screenable")  # drafts
    finished = states("application", "ended") | not_sent
    return (
        select(Application)
        .join(Round, Round.id == Application.round_id)
        .where(
            Application.anonymised_at.is_(None),
            Application.state.in_(finished),
            Application.state.not_in(states("application", "funded")),
            Round.closes_at.is_not(None),
            Round.closes_at < _cut_off(today),
        )
        .order_by(Application.id)
    )


def due(today: date) -> list[Due]:
    """What a pass on `today` would remove (the dry run), oldest first."""
    applications: list[Application] = list(db.session.scalars(_due(today)))
    documents = dict(
        db.session.execute(
            select(Document.application_id, func.count(Document.id))
            .where(Document.application_id.in_([application.id for application in applications]))
            .group_by(Document.application_id)
        ).all()
    )
    found = []
    for application in applications:
        closed = application.round.closes_at
        found.append(Due(application.id, application.reference, application.round.code,
                         closed.astimezone(LONDON).date() if closed else today,
                         documents.get(application.id, 0)))  # fmt: skip
    return found


def apply(today: date, upload_folder: str) -> list[Due]:
    """Remove the personal data of every application past its time, one transaction each; audited."""
    done = []
    for item in due(today):
        stored = _anonymise(item.application_id)
        if stored is None:
            continue  # changed meanwhile (funded, or done by another pass)
        db.session.commit()
        uploads.discard(upload_folder, stored)  # after the commit: a rolled-back pass keeps its files
        done.append(item)
    return done


def _anonymise(application_id: int) -> list[str] | None:
    application = db.session.get(Application, application_id)
    if application is None or application.anonymised_at is not None:
        return None
    stored = list(db.session.scalars(select(Document.stored_name).where(Document.application_id == application.id)))
    db.session.execute(delete(Document).where(Document.application_id == application.id))
    db.session.execute(
        update(ApplicationSection)
        .where(ApplicationSection.application_id == application.id)
        .values(answers={}, version_id=ApplicationSection.version_id + 1)
    )
    application.anonymised_at = utcnow()
    audit.record_on(application, actor=None, action="anonymise", reason=REASON, data={"files": len(stored)})
    return stored
