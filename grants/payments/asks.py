"""A grant holder's own asks to change their grant: more time, a different amount, or both, with a reason.

Members of the award's organisation ask from their grant's page; anyone else is told the grant does not
exist (NotFound). The ask starts the variation workflow in its "asked" state (grants/definitions,
variation v2), audited as its creation with the grant holder's reason, and the programme's officers
are emailed through the outbox. An officer then prepares it for a decision or declines it
(grants.payments.variations); until then the grant holder may withdraw it. Their grant's page shows
each ask and where it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants import access, mail, notifications
from grants.email_wording.links import page_address
from grants.errors import NotFound
from grants.extensions import db
from grants.formatting import london, london_day
from grants.models import AuditEvent, Award, Membership, Variation
from grants.models.base import utcnow
from grants.monitoring.grant_facts import grantee_states
from grants.payments.services import Invalid, NotAllowed, commit_or_stale, typed_text
from grants.payments.variation_rules import (
    GRANTEE_WORDS,
    REASON_MAX,
    change_in_words,
    next_number,
    open_variation,
    read_change,
)
from grants.payments.variations import ASKED, one_at_a_time
from grants.workflow import apply_transition, start_case
from grants.workflow_states import states

# Where an ask is, as the grant holder reads it.
GRANTEE_LABELS = {
    "asked": "Asked for: waiting for the grants team",
    "requested": "Being decided",
    "approved": "Approved",
    "rejected": "Rejected",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
}
# The steps whose reason the grant holder is shown: the officer's for declining, their own for withdrawing.
REASONS_SHOWN = ("decline", "withdraw")


def award_of_member(user: Any, award_id: int) -> Award:
    """One grant of the user's organisations, as "Your grants" lists them; anything else is NotFound."""
    award = db.session.scalar(
        select(Award)
        .join(Membership, Membership.organisation_id == Award.organisation_id)
        .where(Award.id == award_id, Membership.user_id == user.id, Award.state.in_(grantee_states()))
        .options(joinedload(Award.organisation), joinedload(Award.programme))
    )
    if award is None:
        raise NotFound(str(award_id))
    return award


def _open_ask(award: Award) -> Variation | None:
    found = open_variation(award)
    return found if found is not None and found.state == ASKED else None


def ask_refusal(award: Award, under_way: Variation | None) -> str | None:
    """Why the grant holder cannot ask for a change now, or None."""
    if award.state in states("award", "ended"):
        return "This grant has ended, so it can no longer be changed."
    if under_way is None:
        return None
    if under_way.state == ASKED:
        return (
            f"You have already asked to change this grant ({under_way.reference}). You can ask for another "
            "change once the grants team has dealt with it, or after you withdraw it."
        )
    return (
        f"A change to this grant is already being decided ({under_way.reference}). You can ask for another "
        "change once it has been decided."
    )


def ask_for_variation(
    user: Any,
    award: Award,
    amount_typed: str,
    ends: tuple[str, str, str],
    reason: str,
    *,
    now: datetime | None = None,
) -> Variation:
    """The grant holder's ask; Invalid (by field) or NotAllowed (one already under way, or the grant has
    ended) write nothing. The award's row is held meanwhile, so two asks at once cannot both start."""
    if not access.is_member(user, award.organisation_id):
        raise NotFound(str(award.id))
    now = now or utcnow()
    one_at_a_time(award)
    refusal = ask_refusal(award, open_variation(award))
    if refusal:
        raise NotAllowed(refusal)
    change = read_change(award, amount_typed, ends, reason, GRANTEE_WORDS, not_before=london_day(now))
    variation = Variation(
        award=award,
        number=next_number(award),
        old_amount_pence=award.amount_pence,
        new_amount_pence=change.new_amount_pence,
        old_ends_on=award.ends_on,
        new_ends_on=change.new_ends_on,
        reason=change.reason,
        requested_by_id=user.id,
        created_at=now,
    )
    start_case(variation, "variation", user, state=ASKED, reason=change.reason, now=now)
    email_officers_of_ask(variation, user, now)
    commit_or_stale()
    return variation


def email_officers_of_ask(variation: Variation, user: Any, now: datetime) -> None:
    """Tell the programme's officers what the grant holder asked for and why, with the link to prepare it."""
    award = variation.award
    what = change_in_words(
        variation.new_amount_pence, variation.old_amount_pence, variation.new_ends_on, variation.old_ends_on
    )
    subject = f"{award.organisation.name} asks to change {award.public_reference}"
    body = "\n".join(
        [
            f"{award.organisation.name} asks to change {award.public_reference} ({award.title}).",
            "",
            f"{what}.",
            "",
            "Why:",
            variation.reason,
            "",
            f"Asked by {user.name} on {london(now)}.",
            "",
            "Check it, then prepare it for a decision or decline it: "
            + page_address("payments.variation", {"variation_id": variation.id}),
        ]
    )
    for email in notifications.officer_emails(award.programme_id):
        mail.queue_email(to=email, subject=subject, body=body, key=f"variation_asked:{variation.id}:{email}")


def open_ask(user: Any, award: Award) -> Variation | None:
    """The grant holder's ask still with the officers (theirs to withdraw), if there is one."""
    if not access.is_member(user, award.organisation_id):
        raise NotFound(str(award.id))
    return _open_ask(award)


def withdraw_ask(user: Any, award: Award, reason: str, expected_version: int | None) -> Variation:
    """Withdraw the grant holder's own ask while it is with the officers, with why. NotAllowed when there is
    none (prepared or declined meanwhile); a stale version is a Conflict; nothing changes then."""
    ask = open_ask(user, award)
    if ask is None:
        raise NotAllowed(
            "There is no request to withdraw: the grants team may have dealt with it meanwhile. "
            "Your grant's page shows where it is."
        )
    errors: dict[str, str] = {}
    reason = typed_text(
        errors,
        "reason",
        reason.replace("\x00", ""),
        "Enter why you are withdrawing your request",
        REASON_MAX,
        f"The reason must be {REASON_MAX:,} characters or fewer",
    )
    if errors:
        raise Invalid(errors)
    apply_transition(ask, "withdraw", user, reason, expected_version=expected_version)
    return ask


# -- what the grant's page shows -----------------------------------------------------------------------
@dataclass(frozen=True)
class AskRow:
    reference: str
    asked_on: datetime
    change: str
    state: str
    label: str
    reason: str  # what the grant holder gave
    outcome_reason: str | None  # why it was declined, or why they withdrew it
    changed_on: date | None  # when it was last moved on


@dataclass
class GrantAsks:
    award: Award
    rows: list[AskRow] = field(default_factory=list)
    refusal: str | None = None  # why no new ask can be made now
    withdrawable: Variation | None = None


def asks_on_grant(user: Any, award: Award) -> GrantAsks:
    """The organisation's asks on this grant, newest first, with where each is; three statements."""
    if not access.is_member(user, award.organisation_id):
        raise NotFound(str(award.id))
    asked = select(AuditEvent.subject_id).where(
        AuditEvent.subject_type == Variation.__audit_type__,
        AuditEvent.action == "create",
        AuditEvent.to_state == ASKED,
    )
    variations = list(
        db.session.scalars(
            select(Variation)
            .where(Variation.award_id == award.id, Variation.id.in_(asked))
            .order_by(Variation.number.desc())
        )
    )
    given: dict[int, str | None] = {}  # the grant holder's own words (an officer may reword the variation's)
    reasons: dict[int, str | None] = {}
    if variations:
        for subject_id, action, reason in db.session.execute(
            select(AuditEvent.subject_id, AuditEvent.action, AuditEvent.reason)
            .where(
                AuditEvent.subject_type == Variation.__audit_type__,
                AuditEvent.subject_id.in_([v.id for v in variations]),
                AuditEvent.action.in_(("create", *REASONS_SHOWN)),
            )
            .order_by(AuditEvent.id)
        ):
            (given if action == "create" else reasons)[subject_id] = reason
    ended = states("variation", "ended")
    rows = [
        AskRow(
            reference=v.reference,
            asked_on=v.created_at,
            change=change_in_words(v.new_amount_pence, v.old_amount_pence, v.new_ends_on, v.old_ends_on),
            state=v.state,
            label=GRANTEE_LABELS.get(v.state, v.state),
            reason=given.get(v.id) or v.reason,
            outcome_reason=reasons.get(v.id),
            changed_on=london_day(v.state_changed_at) if v.state in ended and v.state_changed_at else None,
        )
        for v in variations
    ]
    under_way = open_variation(award)
    return GrantAsks(
        award=award,
        rows=rows,
        refusal=ask_refusal(award, under_way),
        withdrawable=under_way if under_way is not None and under_way.state == ASKED else None,
    )
