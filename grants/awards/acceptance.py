"""The grantee's side: their organisations' offers, accepting one (a named signatory, their position,
the date signed and the declaration) or declining it with a reason.

Accepting is the award workflow's "accept" transition, under the award's optimistic lock: of two
clicks or two tabs, one accepts (one audit row, one email to the officers) and the other is told
the offer is already accepted. An offer is reachable only by members of its organisation, and
only once sent; anyone else gets a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import nulls_last, select
from sqlalchemy.orm import joinedload, selectinload

from grants import access
from grants.awards.services import AwardError, NotFound, today
from grants.extensions import db
from grants.formatting import london_date, london_day
from grants.models import Award, Membership, User
from grants.workflow import apply_transition
from workflows import Conflict

MAX_TEXT = 200
MAX_REASON = 2000

# What the grantee reads for each state of the award.
GRANTEE_STATES = {
    "offered": "Waiting for your reply",
    "accepted": "Accepted",
    "active": "Accepted: project under way",
    "suspended": "Suspended",
    "closed": "Closed",
    "declined": "Declined",
    "cancelled": "Withdrawn by us",
}


class AlreadyAnswered(Exception):
    """The offer was accepted or declined (or withdrawn) before this request; nothing changed."""

    def __init__(self, award: Award):
        self.award = award
        super().__init__(award.public_reference)


@dataclass(frozen=True)
class Signature:
    name: str
    position: str
    signed_on: date | None
    declaration: bool


def offers_for(user: Any) -> list[Award]:
    """The awards of the user's organisations that have been offered, newest offer first."""
    return list(
        db.session.scalars(
            select(Award)
            .join(Membership, Membership.organisation_id == Award.organisation_id)
            .where(Membership.user_id == user.id, Award.state != "preparing")
            .options(joinedload(Award.organisation))
            .order_by(nulls_last(Award.offered_at.desc()), Award.id.desc())
        )
    )


def offer_for_member(award_id: int, user: Any) -> Award:
    award = db.session.get(
        Award, award_id, options=[joinedload(Award.organisation), selectinload(Award.payments)], populate_existing=True
    )
    if award is None or award.state == "preparing" or not access.is_member(user, award.organisation_id):
        raise NotFound(str(award_id))
    return award


def offered_on(award: Award) -> date | None:
    return london_day(award.offered_at) if award.offered_at else None


def accepted_by_name(award: Award) -> str | None:
    if award.accepted_by_id is None:
        return None
    return db.session.scalar(select(User.name).where(User.id == award.accepted_by_id))


def declaration_text(award: Award) -> str:
    return f"I confirm I am authorised to sign for {award.organisation.name} and accept the grant on these terms"


def signature_problems(award: Award, signature: Signature, now: datetime | None = None) -> dict[str, str]:
    """Each field's problem, by form field name (the form checks the same; this is the rule)."""
    problems: dict[str, str] = {}
    if not signature.name.strip():
        problems["signatory_name"] = "Enter the full name of the person signing"
    elif len(signature.name.strip()) > MAX_TEXT:
        problems["signatory_name"] = f"The name must be {MAX_TEXT} characters or fewer"
    if not signature.position.strip():
        problems["signatory_position"] = f"Enter the signatory's position in {award.organisation.name}"
    elif len(signature.position.strip()) > MAX_TEXT:
        problems["signatory_position"] = f"The position must be {MAX_TEXT} characters or fewer"
    if signature.signed_on is None:
        problems["signed_on"] = "Enter the date the agreement was signed"
    else:
        problem = signed_on_problem(signature.signed_on, offered_on(award), today(now))
        if problem:
            problems["signed_on"] = problem
    if not signature.declaration:
        problems["declaration"] = (
            f"Confirm you are authorised to sign for {award.organisation.name} and accept the grant on these terms"
        )
    return problems


def signed_on_problem(signed_on: date, earliest: date | None, latest: date) -> str | None:
    if signed_on > latest:
        return "The date signed must be today or in the past"
    if earliest is not None and signed_on < earliest:
        return f"The date signed must be on or after the date of the offer, {london_date(earliest)}"
    return None


def accept_offer(
    award_id: int, user: Any, signature: Signature, expected_version: int | None, now: datetime | None = None
) -> Award:
    """Sign and accept the offer. Raises NotFound, AlreadyAnswered, AwardError or Conflict."""
    award = offer_for_member(award_id, user)
    if award.state != "offered":
        raise AlreadyAnswered(award)
    problems = signature_problems(award, signature, now)
    if problems:
        raise AwardError(problems)
    award.signatory_name = signature.name.strip()
    award.signatory_position = signature.position.strip()
    award.signed_on = signature.signed_on
    award.declaration_agreed = True
    try:
        apply_transition(award, "accept", user, expected_version=expected_version, now=now)
    except Conflict:
        _raise_if_answered(award_id, user)
        raise
    return award


def decline_offer(
    award_id: int, user: Any, reason: str, expected_version: int | None, now: datetime | None = None
) -> Award:
    """Decline the offer with a reason. Raises NotFound, AlreadyAnswered, AwardError or Conflict."""
    award = offer_for_member(award_id, user)
    if award.state != "offered":
        raise AlreadyAnswered(award)
    reason = reason.strip()
    if not reason:
        raise AwardError({"reason": "Enter why you are declining the offer"})
    if len(reason) > MAX_REASON:
        raise AwardError({"reason": f"The reason must be {MAX_REASON:,} characters or fewer"})
    try:
        apply_transition(award, "decline", user, reason, expected_version=expected_version, now=now)
    except Conflict:
        _raise_if_answered(award_id, user)
        raise
    return award


def _raise_if_answered(award_id: int, user: Any) -> None:
    """After a conflict: if the other request answered the offer, say so rather than 'try again'."""
    current = offer_for_member(award_id, user)
    if current.state != "offered":
        raise AlreadyAnswered(current) from None
