"""The retention schedule: personal data is not kept longer than the privacy notice says.

Two rules; a dry run lists what each would remove, and the scheduler applies both daily.

Not funded, 2 years. An application that was not funded (a draft never sent, or one that ended
unsuccessful, withdrawn or ineligible) keeps its answers and files for two years after its round
closed. After that its answers are emptied and its uploaded files deleted.

Awarded, 7 years. A grant (an award made on an application, or a commissioned allocation) keeps
everything for seven years after it ended: closed, or declined or cancelled (the award workflow's
`ended` tag; an ended state is terminal, so the award's `state_changed_at` is when it ended). After
that its application's answers are emptied but for the yes/no flags the committee report counts, the
application's files are deleted, and each of its monitoring returns keeps only the figures its form
records as metrics: the other answers (narrative, case studies, notes), the officer's comments, the
signer's position and the return's files go.

Either way what the reports count stays: references, organisation, round, states, dates, amounts asked
for and awarded, people to be reached, districts and themes, payments, recoveries, the returns' figures
(ReturnMetric rows, spend to date), so no report's figures change. Each removal is audited. An
application removed is stamped `anonymised_at`; an award's own audit row ("anonymise", which the app
can never change or remove) is what marks it done, so a second pass does nothing and the awards table
needed no column of its own.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Exists, Select, delete, func, select, update
from sqlalchemy.orm import InstrumentedAttribute

from grants import audit
from grants.apply import uploads
from grants.apply.services import definition_of
from grants.extensions import db
from grants.formatting import LONDON
from grants.models import (
    Application,
    ApplicationSection,
    AuditEvent,
    Award,
    Document,
    MonitoringReturn,
    Programme,
    ReturnSection,
    Round,
)
from grants.models.base import utcnow
from grants.reports.committee import FLAG_QUESTIONS
from grants.transactions import lock_row
from grants.workflow_states import states

NOT_FUNDED, AWARDED = "not funded, 2 years", "awarded, 7 years"  # the rules, as the dry run names them
NOT_FUNDED_YEARS, AWARDED_YEARS = 2, 7
NOT_FUNDED_REASON = "retention: not funded, two years after its round closed"
AWARDED_REASON = "retention: awarded grant, seven years after it ended"
REMOVED = "(removed under the retention schedule)"  # in place of a person's name or position
ANONYMISE = "anonymise"


@dataclass(frozen=True)
class Due:
    """One application or award whose personal data a pass removes, and under which rule."""

    rule: str  # NOT_FUNDED or AWARDED
    reference: str  # the application's, or the award's
    round_or_programme: str  # the code of the round it was a bid to (an allocation: of its programme)
    closed: date  # when its time started: the day its round closed, or the day the award ended
    documents: int  # files to delete (an award's: its application's and its returns')
    application_id: int | None  # the bid (not funded), or the award's application if it had one
    award_id: int | None = None  # set under the awarded rule


def _cut_off(today: date, years: int) -> datetime:
    """Whatever closed before this moment (midnight in London, `years` before today) is past its time."""
    try:
        then = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        then = today.replace(year=today.year - years, day=28)
    return datetime.combine(then, time.min, tzinfo=LONDON)


def _london_day(moment: datetime | None, today: date) -> date:
    return moment.astimezone(LONDON).date() if moment else today


# -- what is due ------------------------------------------------------------------------------------


def due(today: date) -> list[Due]:
    """What a pass on `today` would remove (the dry run): bids not funded, then awards, oldest first."""
    return _bids_due(today) + _awards_due(today)


def _not_funded(today: date) -> Select[Any]:
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
            Round.closes_at < _cut_off(today, NOT_FUNDED_YEARS),
        )
        .order_by(Application.id)
    )


def _bids_due(today: date) -> list[Due]:
    applications: list[Application] = list(db.session.scalars(_not_funded(today)))
    documents = _application_files([application.id for application in applications])
    return [
        Due(NOT_FUNDED, application.reference, application.round.code,
            _london_day(application.round.closes_at, today), documents.get(application.id, 0), application.id)
        for application in applications
    ]  # fmt: skip


def _anonymised(award_id: int | InstrumentedAttribute[int]) -> Exists:
    """Whether the award has been through the awarded rule: its audit row says so."""
    return (
        select(AuditEvent.id)
        .where(
            AuditEvent.subject_type == Award.__audit_type__,
            AuditEvent.subject_id == award_id,
            AuditEvent.action == ANONYMISE,
        )
        .exists()
    )


def _ended(today: date) -> Select[int, str, str, datetime, int | None]:
    return (
        select(
            Award.id,
            Award.public_reference,
            func.coalesce(Round.code, Programme.code),
            Award.state_changed_at,
            Award.application_id,
        )
        .join(Programme, Programme.id == Award.programme_id)
        .outerjoin(Application, Application.id == Award.application_id)
        .outerjoin(Round, Round.id == Application.round_id)
        .where(
            Award.state.in_(states("award", "ended")),
            Award.state_changed_at < _cut_off(today, AWARDED_YEARS),
            ~_anonymised(Award.id),
        )
        .order_by(Award.state_changed_at, Award.id)
    )


def _awards_due(today: date) -> list[Due]:
    rows = db.session.execute(_ended(today)).all()
    applications = _application_files([row.application_id for row in rows if row.application_id is not None])
    returns = _return_files([row.id for row in rows])
    return [
        Due(AWARDED, reference, code, _london_day(ended, today),
            applications.get(application_id, 0) + returns.get(award_id, 0), application_id, award_id)
        for award_id, reference, code, ended, application_id in rows
    ]  # fmt: skip


def _application_files(application_ids: list[int]) -> dict[int | None, int]:
    """How many files each application has, in one grouped query."""
    rows = db.session.execute(
        select(Document.application_id, func.count(Document.id))
        .where(Document.application_id.in_(application_ids))
        .group_by(Document.application_id)
    )
    return {application_id: files for application_id, files in rows}  # noqa: C416 (a Result has keys(): no dict())


def _return_files(award_ids: list[int]) -> dict[int, int]:
    """How many files the returns of each award have, in one grouped query."""
    rows = db.session.execute(
        select(MonitoringReturn.award_id, func.count(Document.id))
        .join(Document, Document.monitoring_return_id == MonitoringReturn.id)
        .where(MonitoringReturn.award_id.in_(award_ids))
        .group_by(MonitoringReturn.award_id)
    )
    return {award_id: files for award_id, files in rows}  # noqa: C416 (as above)


# -- removing it ------------------------------------------------------------------------------------


def apply(today: date, upload_folder: str) -> list[Due]:
    """Remove the personal data of everything past its time, one transaction each; audited."""
    done = []
    for item in due(today):
        stored = _remove(item)
        if stored is None:
            db.session.rollback()  # changed meanwhile (funded, or done by another pass): let go of its lock
            continue
        db.session.commit()
        uploads.discard(upload_folder, stored)  # after the commit: a rolled-back pass keeps its files
        done.append(item)
    return done


def _remove(item: Due) -> list[str] | None:
    if item.award_id is not None:
        return _anonymise_award(item.award_id)
    assert item.application_id is not None  # a bid not funded
    return _anonymise(item.application_id, NOT_FUNDED_REASON)


def _anonymise(application_id: int, reason: str, keeping: Collection[tuple[str, str]] = ()) -> list[str] | None:
    """Empty an application's answers (but for `keeping`: (section, question) pairs) and delete its
    documents; the stored names of its files, to delete after the commit, or None if done already."""
    application = db.session.get(Application, application_id)
    if application is None or application.anonymised_at is not None:
        return None
    stored = _delete_documents(Document.application_id == application.id)
    if keeping:
        for section in db.session.scalars(
            select(ApplicationSection).where(ApplicationSection.application_id == application.id)
        ):
            section.answers = _only(section.answers, {q for s, q in keeping if s == section.section_key})
    else:
        db.session.execute(
            update(ApplicationSection)
            .where(ApplicationSection.application_id == application.id)
            .values(answers={}, version_id=ApplicationSection.version_id + 1)
        )
    application.anonymised_at = utcnow()
    audit.record_on(application, actor=None, action=ANONYMISE, reason=reason, data={"files": len(stored)})
    return stored


def _anonymise_award(award_id: int) -> list[str] | None:
    """The awarded rule for one award: its application, its returns, then the award's own audit row (the
    mark that it is done). Two passes at once: the second waits for the first, then finds the mark."""
    lock_row(Award, award_id)
    award = db.session.get(Award, award_id)
    if award is None or db.session.scalar(select(_anonymised(award.id))):
        return None
    stored = []
    if award.application_id is not None:
        stored += _anonymise(award.application_id, AWARDED_REASON, keeping=FLAG_QUESTIONS) or []
    returns = list(
        db.session.scalars(
            select(MonitoringReturn).where(MonitoringReturn.award_id == award.id).order_by(MonitoringReturn.id)
        )
    )
    if returns:
        stored += _anonymise_returns(returns)
    if award.signatory_name or award.signatory_position:  # who signed the offer: a person
        award.signatory_name, award.signatory_position = REMOVED, REMOVED
    audit.record_on(award, actor=None, action=ANONYMISE, reason=AWARDED_REASON,
                    data={"files": len(stored), "returns": len(returns)})  # fmt: skip
    return stored


def _anonymise_returns(returns: list[MonitoringReturn]) -> list[str]:
    """Each return keeps the figures its form records as metrics (what reports add up; its spend to date
    and ReturnMetric rows are columns and rows of their own, untouched); the rest of its answers, the
    notes written about it and its files go. One award's returns at once: a handful of statements."""
    figures = {monitoring_return.id: _figure_questions(monitoring_return) for monitoring_return in returns}
    files: dict[int | None, list[str]] = {}
    for return_id, stored_name in db.session.execute(
        select(Document.monitoring_return_id, Document.stored_name).where(Document.monitoring_return_id.in_(figures))
    ):
        files.setdefault(return_id, []).append(stored_name)
    db.session.execute(delete(Document).where(Document.monitoring_return_id.in_(figures)))
    for section in db.session.scalars(select(ReturnSection).where(ReturnSection.monitoring_return_id.in_(figures))):
        section.answers = _only(section.answers, figures[section.monitoring_return_id])
    for monitoring_return in returns:
        monitoring_return.review_comment = None
        monitoring_return.evidence_note = None
        monitoring_return.signer_position = None
        monitoring_return.reminders_paused_reason = None
        audit.record_on(monitoring_return, actor=None, action=ANONYMISE, reason=AWARDED_REASON,
                        data={"files": len(files.get(monitoring_return.id, []))})  # fmt: skip
    return [name for names in files.values() for name in names]


def _figure_questions(monitoring_return: MonitoringReturn) -> set[str]:
    """The keys of the questions on the return's form whose answers are figures (`metric`)."""
    if monitoring_return.question_set is None:
        return set()
    form = definition_of(monitoring_return.question_set)
    return {question.key for section in form.sections for question in section.questions if question.metric}


def _only(answers: dict[str, Any] | None, keys: Collection[str]) -> dict[str, Any]:
    """Answers in the form engine's shape ({"raw": typed, "values": checked}) cut down to some questions;
    nothing at all when none of them was answered."""
    if not keys or not isinstance(answers, dict):
        return {}
    kept = {part: {key: value for key, value in (answers.get(part) or {}).items() if key in keys}
            for part in ("raw", "values")}  # fmt: skip
    return kept if any(kept.values()) else {}


def _delete_documents(whose: Any) -> list[str]:
    """Delete the document rows; their stored names, so the files go once the change is committed."""
    stored = list(db.session.scalars(select(Document.stored_name).where(whose)))
    db.session.execute(delete(Document).where(whose))
    return stored
