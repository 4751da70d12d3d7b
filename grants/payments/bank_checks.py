"""Finance's check of changed bank details: the organisations whose new details wait for it, and the check
itself (who, when, how) that lets their instalments be approved and paid again.

A member changing the bank details dates the change (grants.organisations.services); until finance records
a check made since, nothing is approved or paid to the organisation (grants.payments.cases.bank_details_ready).
Finance sees the organisations with an award on a programme they hold the finance role on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_, select

from grants import access, audit
from grants.errors import FieldErrors, NotFound
from grants.extensions import db
from grants.models import Award, Organisation, Payment
from grants.models.base import utcnow
from grants.payments.services import FINANCE_ROLES

HOW_MAX = 200


@dataclass(frozen=True)
class Waiting:
    organisation: Organisation
    changed_at: datetime
    instalments_waiting: int


def may_check(user: Any) -> bool:
    return access.programmes_with(user, FINANCE_ROLES) != []


def _paid_by(user: Any) -> Any:
    programmes = access.programmes_with(user, FINANCE_ROLES)
    awarded = select(Award.id).where(Award.organisation_id == Organisation.id)
    if programmes is not None:
        awarded = awarded.where(Award.programme_id.in_(programmes))
    return exists(awarded)


def _unverified() -> Any:
    return (Organisation.bank_details_changed_at.is_not(None)) & or_(
        Organisation.bank_details_verified_at.is_(None),
        Organisation.bank_details_verified_at < Organisation.bank_details_changed_at,
    )


def waiting_count(user: Any) -> Any:
    """Finance's work queue: how many organisations `waiting` lists (None: not their work)."""
    if not may_check(user):
        return None
    return select(func.count(Organisation.id)).where(_unverified(), _paid_by(user))


def _bank_details_problem() -> Any:
    """SQL for Organisation.bank_details_problem: details missing, or changed and not checked since."""
    missing = [
        or_(column.is_(None), column == "")
        for column in (Organisation.bank_account_name, Organisation.bank_sort_code, Organisation.bank_account_number)
    ]
    return or_(*missing, _unverified())


def blocked_count(user: Any) -> Any:
    """Finance's work queue: the approved instalments a payment run cannot pay for want of bank details,
    counted as grants.payments.runs.candidates lists them under "Waiting for bank details" (with why)."""
    programmes = access.programmes_with(user, FINANCE_ROLES)
    if programmes == []:
        return None
    query = (
        select(func.count(Payment.id))
        .join(Award, Award.id == Payment.award_id)
        .join(Organisation, Organisation.id == Award.organisation_id)
        .where(
            Payment.state == "approved",
            access.free_of_conflict(user.id, Award.organisation_id),
            _bank_details_problem(),
        )
    )
    return query if programmes is None else query.where(Award.programme_id.in_(programmes))


def waiting(user: Any) -> list[Waiting]:
    """Organisations paid on the user's programmes whose bank details changed and wait for finance's check."""
    organisations = db.session.scalars(
        select(Organisation).where(_unverified(), _paid_by(user)).order_by(Organisation.bank_details_changed_at)
    ).all()
    counts: dict[int, int] = dict(
        db.session.execute(
            select(Award.organisation_id, func.count(Payment.id))
            .join(Payment, Payment.award_id == Award.id)
            .where(
                Award.organisation_id.in_([o.id for o in organisations]),
                Payment.state.in_(("scheduled", "approved", "held")),
            )
            .group_by(Award.organisation_id)
        ).all()
    )
    return [
        Waiting(o, o.bank_details_changed_at, int(counts.get(o.id, 0)))
        for o in organisations
        if o.bank_details_changed_at
    ]


def verify(user: Any, organisation_id: int, how: str) -> Organisation:
    """Record finance's check of the new details; FieldErrors when `how` is missing or too long."""
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.id == organisation_id, _unverified(), _paid_by(user))
    )
    if organisation is None:
        raise NotFound(str(organisation_id))
    how = " ".join(how.replace("\x00", "").split())
    if not how:
        raise FieldErrors({"how": "Say how you checked the new bank details, for example a call to the chair"})
    if len(how) > HOW_MAX:
        raise FieldErrors({"how": f"How you checked must be {HOW_MAX} characters or fewer"})
    organisation.bank_details_verified_at = utcnow()
    organisation.bank_details_verified_by_id = user.id
    organisation.bank_details_verified_how = how
    audit.record(
        actor=user,
        subject_type="organisation",
        subject_id=organisation.id,
        subject_reference=organisation.name[:64],
        action="bank_details_verified",
        reason=how,
        data={"account number": organisation.masked_account_number},
    )
    db.session.commit()
    return organisation
