"""The emails a transition sends: the standard "your case has moved" message, with what its case type adds.

`email_organisation` and `email_officers` are effects any definition may name; the case type of
the subject (and the step of its transition) supplies a better subject line or more details.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from werkzeug.routing import BuildError

from grants import mail
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


def page_address(endpoint: str, values: dict[str, object], fallback: str = "/") -> str:
    """A page's full address from SERVICE_URL (the service's public address, a setting), built
    without a request: the scheduler sends emails too, and a request's Host is the caller's to set."""
    base = str(current_app.config["SERVICE_URL"]).rstrip("/")
    try:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        path = fallback
    return f"{base}{path}"


def _subject(context: Context, audience: str, state_label: str) -> str:
    """A subject written for its reader: "Your application MSCF-R4-0002 is now approved" to the
    organisation, "Monitoring return MSCF-R3-0042-Q1 is now submitted" to officers."""
    what = f"{context.definition.label[:1].lower()}{context.definition.label[1:]} {context.subject.reference}"
    if audience == "organisation":
        return f"Your {what} is now {state_label[:1].lower()}{state_label[1:]}"
    return f"{what[:1].upper()}{what[1:]} is now {state_label[:1].lower()}{state_label[1:]}"


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
    version = (subject.version_id or 0) + 1
    for email in recipients:
        mail.queue_email(
            to=email,
            subject=title,
            body="\n".join(lines),
            key=f"transition:{subject.__audit_type__}:{subject.id}:{version}:{context.transition.name}:{email}",
        )


def email_organisation(ctx: Context) -> None:
    """Tell the members of the subject's organisation what happened, and why."""
    ctx.host.notify(ctx, "organisation")


def email_officers(ctx: Context) -> None:
    """Tell the officers of the subject's programme that it needs them."""
    ctx.host.notify(ctx, "officers")


EFFECTS = {"email_organisation": email_organisation, "email_officers": email_officers}
