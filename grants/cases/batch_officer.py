"""Name the officer of several cases at once: the list's selection, one officer chosen, each case checked
and changed on its own (grants.cases.officers.assign: the same rules, audit row and race check as the case
page), so a case someone else changed meanwhile, or whose programme the officer does not cover, is left
as it was and listed with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from grants import access
from grants.cases import batch, officers
from grants.cases.lists import officers_query
from grants.errors import FieldErrors, NotFound
from grants.extensions import db
from grants.models import CaseOfficer, User
from workflows import Conflict

NAME_OFFICER = "name_officer"  # the batch action's name on the list's form


def may_name(user: Any) -> bool:
    return bool(access.staff_roles(user) & officers.ASSIGNING_ROLES)


@dataclass
class Row:
    id: int
    reference: str
    description: str
    officer_id: int | None  # who the page shows now: the apply step checks it is still them
    officer_name: str | None


@dataclass
class Plan:
    kind: str
    rows: list[Row]
    choices: list[tuple[int, str]]  # officers of the selection's programmes
    not_found: int = 0


def plan(kind: str, user: Any, subjects: Sequence[Any], not_found: int = 0) -> Plan:
    """Each selected case with its officer now, and the officers who could be named (two statements)."""
    mine = [s for s in subjects if access.staff_roles(user, s.owning_programme_id()) & officers.ASSIGNING_ROLES]
    ids = [s.id for s in mine]
    current = {
        int(case_id): (officer_id, str(name))
        for case_id, officer_id, name in (
            db.session.execute(
                select(CaseOfficer.case_id, CaseOfficer.officer_id, User.name)
                .join(User, User.id == CaseOfficer.officer_id)
                .where(CaseOfficer.case_kind == kind, CaseOfficer.case_id.in_(ids))
            )
            if ids
            else ()
        )
    }
    programmes = sorted({p for s in mine if (p := s.owning_programme_id()) is not None})
    choices = [(uid, name) for uid, name in db.session.execute(officers_query(programmes))] if mine else []
    rows = [Row(s.id, s.reference, batch.describe(s), *current.get(s.id, (None, None))) for s in mine]
    return Plan(kind, rows, choices, not_found + len(subjects) - len(mine))


def parse_shown(values: Iterable[str]) -> tuple[dict[int, str], int]:
    """The page's "id:officer" pairs (officer an id or "none"), and how many values were not such a pair."""
    shown: dict[int, str] = {}
    junk = 0
    for value in values:
        case_id, _, officer = str(value).partition(":")
        ids, bad = batch.parse_ids([case_id])
        if bad or not (officer == officers.NOBODY or (officer.isascii() and officer.isdigit() and len(officer) <= 9)):
            junk += 1
            continue
        shown.setdefault(ids[0], officer)
    return shown, junk


@dataclass
class Outcome:
    officer_name: str
    named: list[tuple[int, str]] = field(default_factory=list)  # (id, reference)
    skipped: list[batch.Skipped] = field(default_factory=list)


def apply(kind: str, user: Any, chosen: str, shown: dict[int, str], names: dict[int, str]) -> Outcome:
    """Name `chosen` (an officer's id, or "none") on each case, each in its own commit."""
    wanted = officers.read_choice(chosen)
    outcome = Outcome(officer_name=names.get(wanted, "Nobody") if isinstance(wanted, int) else "Nobody")
    for case_id, was in shown.items():
        try:
            officers.assign(kind, case_id, user, chosen, was)
        except NotFound:
            outcome.skipped.append(batch.Skipped(None, None, "not found, or not a case you may change"))
            continue
        except Conflict:
            reference = officers.reference_of(kind, case_id, user)
            outcome.skipped.append(batch.Skipped(case_id, reference, "someone else changed its officer meanwhile"))
            continue
        except FieldErrors:
            reference = officers.reference_of(kind, case_id, user)
            why = f"{outcome.officer_name} is not an officer of its programme"
            outcome.skipped.append(batch.Skipped(case_id, reference, why))
            continue
        outcome.named.append((case_id, officers.reference_of(kind, case_id, user) or str(case_id)))
    return outcome
