"""The emails a transition sends: the standard "your case has moved" message, with what its case type adds.

`email_organisation` and `email_officers` are effects any definition may name; the case type of
the subject (and the step of its transition) supplies a better subject line or more details.
"""

from __future__ import annotations

from sqlalchemy import select

from grants import mail
from grants.email_wording.case_values import case_values
from grants.email_wording.catalogue import transition_key
from grants.email_wording.links import page_address
from grants.email_wording.wording import worded
from grants.extensions import db
from grants.models import Membership, RoleGrant, User
from workflows import Context


def _organisation_emails(organisation_id: int | None) -> list[str]:
    if organisation_id is None:
        return []
    return list(
        db.session.scalars(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id, User.active.is_(True))
            .order_by(User.email)
        )
    )


def _officer_emails(programme_id: int | None) -> list[str]:
    query = (
        select(User.email)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == "officer", User.active.is_(True))
        .where((RoleGrant.programme_id == programme_id) | RoleGrant.programme_id.is_(None))
        .distinct()
        .order_by(User.email)
    )
    return list(db.session.scalars(query))


def organisation_emails(organisation_id: int | None) -> list[str]:
    """The addresses of an organisation's active members (a message on its case goes to each)."""
    return _organisation_emails(organisation_id)


def officer_emails(programme_id: int | None) -> list[str]:
    """The addresses of a programme's active officers (and officers of every programme)."""
    return _officer_emails(programme_id)


def _subject(context: Context, audience: str, state_label: str) -> str:
    """A subject written for its reader: "Your application MSCF-R4-0002 is now approved" to the
    organisation, "Monitoring return MSCF-R3-0042-Q1 is now submitted" to officers."""
    what = f"{context.definition.label[:1].lower()}{context.definition.label[1:]} {context.subject.reference}"
    if audience == "organisation":
        return f"Your {what} is now {state_label[:1].lower()}{state_label[1:]}"
    return f"{what[:1].upper()}{what[1:]} is now {state_label[:1].lower()}{state_label[1:]}"


def _previous_state(context: Context) -> str:
    before = context.event.from_state if context.event else None
    state = context.definition.states.get(before) if before else None
    return f"{state.label[:1].lower()}{state.label[1:]}" if state else ""


def notify(context: Context, audience: str) -> None:
    """Queue one email per recipient in the outbox, inside the transition's transaction."""
    subject = context.subject
    case_type = context.host.case_types.of(subject)
    if case_type.quiet(context):
        return
    if audience == "organisation":
        recipients = _organisation_emails(subject.owning_organisation_id())
    else:
        recipients = _officer_emails(subject.owning_programme_id())
    state_label = context.definition.states[context.transition.target].label
    title = case_type.subject_line(context) or _subject(context, audience, state_label)
    lines = [
        f"{context.definition.label} {subject.reference} is now: {state_label}.",
        "",
        f"What happened: {context.transition.label}.",
    ]
    if context.reason:
        lines += ["", "Reason given:", context.reason]
    extra = case_type.details(context)
    if extra:
        lines += ["", extra]
    if audience == "organisation":
        lines += ["", f"Sign in to grantflow to see it: {page_address('apply.dashboard', {})}"]
    else:
        case = {"kind": subject.__audit_type__, "case_id": subject.id}
        lines += ["", f"See it in grantflow: {page_address('cases.show', case)}"]
    if not recipients:
        return
    key = transition_key(context.definition.name, context.transition.name, audience)

    def values() -> dict[str, str]:
        return dict(
            case_values(subject, audience, definition=context.definition, state=context.transition.target),
            previous_state=_previous_state(context),
            action=context.transition.label,
            reason=context.reason or "",
            details=extra or "",
        )

    # The programme's own wording of this email if it has one, else the standard wording above.
    title, body = worded(subject.owning_programme_id(), key, (title, "\n".join(lines)), values)
    version = (subject.version_id or 0) + 1
    for email in recipients:
        mail.queue_email(
            to=email,
            subject=title,
            body=body,
            key=f"transition:{subject.__audit_type__}:{subject.id}:{version}:{context.transition.name}:{email}",
        )


def email_organisation(ctx: Context) -> None:
    """Tell the members of the subject's organisation what happened, and why."""
    ctx.host.notify(ctx, "organisation")


def email_officers(ctx: Context) -> None:
    """Tell the officers of the subject's programme that it needs them."""
    ctx.host.notify(ctx, "officers")


EFFECTS = {"email_organisation": email_organisation, "email_officers": email_officers}
