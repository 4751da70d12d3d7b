"""The officer who looks after a case: shown on the case page and the lists, changed by an officer or
admin of the case's programme, and filtered by ("Assigned to me", a colleague, or nobody).

Anyone holding the officer role on the case's programme (or on every programme) may be named. A change
is audited on the case ("officer_assigned", with who it was and who it is now). The form carries the
officer it showed, so two people changing it at once cannot silently undo each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, delete, func, or_, select, update

from grants import access, audit
from grants.cases.lists import officers_query
from grants.cases.services import load_case, visible_clauses
from grants.errors import FieldErrors, NotFound
from grants.extensions import db
from grants.models import CaseOfficer
from grants.models.base import utcnow
from grants.transactions import commit_or_conflict
from grants.work_queues import Queue
from grants.workflow import case_types
from workflows import Conflict

ASSIGNING_ROLES = frozenset({"officer", "admin"})
NOBODY = "none"
ME = "me"
FIELD = "officer"


@dataclass(frozen=True)
class Assignment:
    """A case's officer as its page shows it, and whether this user may change it."""

    officer_id: int | None
    officer_name: str | None
    choices: list[tuple[int, str]]  # who may be named (empty when the user may not change it)

    @property
    def may_change(self) -> bool:
        return bool(self.choices)


def officers_for(programme_id: int | None) -> list[tuple[int, str]]:
    """Who may look after a case of this programme."""
    return [
        (uid, name)
        for uid, name in db.session.execute(officers_query(None if programme_id is None else [programme_id]))
    ]


def _current(kind: str, case_id: int) -> CaseOfficer | None:
    return db.session.scalar(select(CaseOfficer).where(CaseOfficer.case_kind == kind, CaseOfficer.case_id == case_id))


def _may_assign(user: Any, subject: Any) -> bool:
    return bool(access.staff_roles(user, subject.owning_programme_id()) & ASSIGNING_ROLES)


def of_case(kind: str, subject: Any, user: Any) -> Assignment:
    """The case's officer, and the people this user may name instead (none if they may not)."""
    row = _current(kind, subject.id)
    choices = officers_for(subject.owning_programme_id()) if _may_assign(user, subject) else []
    return Assignment(row.officer_id if row else None, row.officer.name if row else None, choices)


def read_choice(typed: str | None) -> int | None | str:
    """The chosen officer's id, None for "nobody", or "bad" for anything else."""
    text = (typed or "").strip()
    if "\x00" in text:
        return "bad"
    if text in ("", NOBODY):
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return "bad"
    return int(text)


def reference_of(kind: str, case_id: int, user: Any) -> str | None:
    """A case's reference, if this user may see it."""
    try:
        return str(load_case(kind, case_id, user).reference)
    except NotFound:
        return None


def assign(kind: str, case_id: int, user: Any, chosen: str | None, shown: str | None) -> str:
    """Name the case's officer (or nobody). `shown` is the officer the form showed: if someone changed
    it meanwhile, Conflict and nothing is written. Returns the sentence telling the user what happened."""
    subject = load_case(kind, case_id, user)
    if not _may_assign(user, subject):
        raise NotFound(f"{kind} {case_id}")  # the page offers no form: there is nothing to find
    wanted = read_choice(chosen)
    allowed = dict(officers_for(subject.owning_programme_id()))
    if wanted == "bad" or (wanted is not None and wanted not in allowed):
        raise FieldErrors({FIELD: "Choose an officer from the list"})
    row = _current(kind, case_id)
    before = row.officer_id if row else None
    if read_choice(shown) != before:
        raise Conflict(subject, f"{subject.reference}'s officer was changed by someone else")
    if wanted == before:
        return (
            "Nothing changed: "
            + (f"{allowed.get(before, '')} already looks after" if before else "nobody looks after")
            + f" {subject.reference}."
        )
    before_name = row.officer.name if row else None
    after_name = allowed.get(wanted) if isinstance(wanted, int) else None
    lost = f"{subject.reference}'s officer was changed by someone else"
    if row is None:  # two first assignments at once: the second breaks the one-per-case constraint
        db.session.add(
            CaseOfficer(
                case_kind=kind,
                case_id=case_id,
                officer_id=wanted,
                programme_id=subject.owning_programme_id(),
                assigned_by_id=user.id,
            )
        )
    else:  # only if it is still who the form showed: a change meanwhile writes nothing
        still = (CaseOfficer.id == row.id, CaseOfficer.officer_id == before)
        if wanted is None:
            changed = db.session.execute(delete(CaseOfficer).where(*still))
        else:
            changed = db.session.execute(
                update(CaseOfficer)
                .where(*still)
                .values(officer_id=wanted, assigned_by_id=user.id, assigned_at=utcnow())
            )
        if getattr(changed, "rowcount", 0) != 1:
            db.session.rollback()
            raise Conflict(subject, lost)
    audit.record_on(
        subject,
        actor=user,
        action="officer_assigned",
        data={"from": before_name, "from_id": before, "to": after_name, "to_id": wanted},
    )
    commit_or_conflict(lambda: Conflict(subject, lost), duplicates=True)
    if after_name is None:
        return f"Nobody looks after {subject.reference} now."
    return f"{after_name} now looks after {subject.reference}."


# -- "Cases you look after": on Your work, and on the cases page -----------------------------------------
def _mine(user: Any) -> list[tuple[Any, Any]]:
    """For each kind of case, (kind, the WHERE clause of the cases of it this officer looks after and may list)."""
    found = []
    for case_type in case_types():
        model: Any = case_type.model
        listed = select(model.id).where(*visible_clauses(case_type.kind, user))
        found.append((case_type, and_(CaseOfficer.case_kind == case_type.kind, CaseOfficer.case_id.in_(listed))))
    return found


def count_mine(user: Any) -> Select[Any]:
    """The work queue's count: every case, of any kind, this officer looks after (one statement)."""
    return (
        select(func.count(CaseOfficer.id))
        .where(CaseOfficer.officer_id == user.id)
        .where(or_(*(clause for _kind, clause in _mine(user))))
    )


def mine_by_kind(user: Any) -> list[dict[str, Any]]:
    """How many cases of each kind this user looks after (kinds with none left out; one statement)."""
    counts = dict(
        db.session.execute(
            select(CaseOfficer.case_kind, func.count(CaseOfficer.id))
            .where(CaseOfficer.officer_id == user.id)
            .where(or_(*(clause for _kind, clause in _mine(user))))
            .group_by(CaseOfficer.case_kind)
        ).all()
    )
    return [
        {"kind": case_type.kind, "label": case_type.plural, "count": counts[case_type.kind]}
        for case_type in case_types()
        if counts.get(case_type.kind)
    ]


WORK_QUEUES = [
    Queue(
        "cases_you_look_after",
        "Cases you look after",
        frozenset({"officer"}),
        "Every case you are the named officer for",
        count=count_mine,
        endpoint="cases.index",
        endpoint_args=lambda: {"_anchor": "mine"},
    )
]
