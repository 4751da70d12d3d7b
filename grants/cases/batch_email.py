"""Email the selection: one plain-text email, typed on the batch page, to the people of each selected case's
organisation, with placeholders filled in for each case; checked on a preview page before anything is sent.

Each case's emails go to the outbox (`grants.mail.queue_email`, one idempotency key per batch, case and
address, so sending the same batch twice sends nothing twice) and one audit row on the case, in its own
commit. Placeholders are written, checked and filled as the programmes' email wording writes them
(grants.email_wording.placeholders).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from grants import access, audit, mail, notifications
from grants.cases import batch, services
from grants.correspondence import services as correspondence
from grants.email_wording import placeholders
from grants.extensions import db
from grants.models import Membership, User

EMAIL = "email"  # the batch action's name on the list's form
AUDIT_ACTION = "batch_email"
SENDERS = frozenset({"officer", "admin"})
PLACEHOLDERS = {
    "reference": "the case's reference",
    "title": "its title",
    "organisation": "the organisation's name",
    "link": "where they see it in grantflow",
}


def may_email(user: Any) -> bool:
    return bool(access.staff_roles(user) & SENDERS)


def problem(text: str) -> str | None:
    """What is wrong with the placeholders of a typed text, in words (None: nothing)."""
    unknown = placeholders.unknown(text, PLACEHOLDERS)
    if unknown:
        known = ", ".join(f"(({name}))" for name in PLACEHOLDERS)
        return f"(({unknown[0]})) is not a placeholder this email knows: use {known}"
    return placeholders.malformed(text)


def fill(text: str, values: dict[str, str]) -> str:
    """The text with each placeholder replaced by its value for one case."""
    return placeholders.render(text, values)


def values_for(subject: Any) -> dict[str, str]:
    page = correspondence.applicant_page(subject) or ("public.start", {})
    return {
        "reference": subject.reference,
        "title": next((str(v) for a in ("title", "project_title") if (v := getattr(subject, a, None))), ""),
        "organisation": correspondence.organisation_name(subject) or "",
        "link": notifications.page_address(*page),
    }


@dataclass
class Recipients:
    id: int
    reference: str
    description: str
    organisation: str | None
    people: int  # active members of the organisation, who get the email


def recipients(subjects: Sequence[Any]) -> list[Recipients]:
    """Who each case's email would go to (how many people), counted in one query for the whole selection."""
    organisations = {s.owning_organisation_id() for s in subjects} - {None}
    counts: dict[int, int] = {}
    if organisations:
        counts = dict(
            db.session.execute(
                select(Membership.organisation_id, func.count(User.id))
                .join(User, Membership.user_id == User.id)
                .where(Membership.organisation_id.in_(organisations), User.active.is_(True))
                .group_by(Membership.organisation_id)
            ).all()
        )
    return [
        Recipients(
            id=subject.id,
            reference=subject.reference,
            description=batch.describe(subject),
            organisation=correspondence.organisation_name(subject),
            people=counts.get(subject.owning_organisation_id(), 0),
        )
        for subject in subjects
    ]


@dataclass
class Sent:
    batch_id: str
    emailed: list[tuple[int, str, int]] = field(default_factory=list)  # (id, reference, people)
    skipped: list[batch.Skipped] = field(default_factory=list)

    @property
    def emails(self) -> int:
        return sum(people for _, _, people in self.emailed)


def send(kind: str, user: Any, ids: Sequence[int], subject_line: str, body: str, batch_id: str) -> Sent:
    """Queue each case's emails and audit it, case by case, each in its own commit."""
    case_type = services.case_type(kind)
    sent = Sent(batch_id=batch_id)
    subject_line, body = subject_line.replace("\x00", ""), body.replace("\x00", "")  # PostgreSQL text holds no NUL
    for case_id in ids:
        subject = db.session.get(case_type.model, case_id, options=case_type.eager())
        if subject is None or not access.can_see_case(user, subject):
            sent.skipped.append(batch.Skipped(None, None, "not found, or not a case you may email about"))
            continue
        addresses = notifications.organisation_emails(subject.owning_organisation_id())
        if not addresses:
            sent.skipped.append(
                batch.Skipped(subject.id, subject.reference, "nobody at its organisation has an account")
            )
            continue
        values = values_for(subject)
        title, text = fill(subject_line, values), fill(body, values)
        queued = [
            mail.queue_email(to=address, subject=title, body=text, key=f"batch:{batch_id}:{kind}:{case_id}:{address}")
            for address in addresses
        ]
        if not any(queued):  # the same batch sent again: nothing new to send or record
            sent.skipped.append(batch.Skipped(subject.id, subject.reference, "already emailed in this batch"))
            continue
        audit.record_on(
            subject,
            actor=user,
            action=AUDIT_ACTION,
            reason=f"Batch {batch_id}: {title}",
            data={"batch": batch_id, "recipients": len(addresses)},
        )
        db.session.commit()
        sent.emailed.append((subject.id, subject.reference, len(addresses)))
    return sent
