"""Organisations and their members: create, change details, invite, join.

An applicant is a member of an organisation. Every read here is for a member only:
anyone else is told the organisation does not exist (the view answers 404), so an id
in a URL reveals nothing. The rules for an organisation's details live in
`details.check_details`; bank details are never written to the audit log.
"""

from __future__ import annotations

import secrets
from dataclasses import fields
from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from grants import audit, mail
from grants.access import is_member
from grants.auth.passwords import hash_token
from grants.auth.services import find_user, normalise_email
from grants.errors import NotFound
from grants.extensions import db
from grants.formatting import london
from grants.models import Invitation, Membership, Organisation, User
from grants.models.base import utcnow
from grants.organisations.details import BANK_FIELDS, Details, check_details, pounds_text
from grants.transactions import lock_row, lost_race

INVITATION_DAYS = 14


class EditConflict(Exception):
    """Someone else saved the organisation's details after this user opened them."""

    def __init__(self, current: Organisation):
        self.current = current
        super().__init__("Someone else changed these details while you were editing")


class InvitationError(Exception):
    """An invitation that cannot be sent; the message says which field and why."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class InvitationUnusable(Exception):
    """An invitation link that cannot be used: unknown (404), expired or already used (400)."""

    def __init__(self, message: str, status: int):
        self.status = status
        super().__init__(message)


class AlreadyMember(Exception):
    def __init__(self, organisation: Organisation):
        self.organisation = organisation
        super().__init__(f"You are already a member of {organisation.name}")


# Reading, for members only.


def user_memberships(user: User) -> list[Membership]:
    """The user's memberships, with their organisations, by organisation name."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.organisation)
            .where(Membership.user_id == user.id)
            .options(joinedload(Membership.organisation))
            .order_by(Organisation.name, Organisation.id)
        )
    )


def organisation_for_member(user: User, organisation_id: int) -> Organisation:
    """The organisation if the user is one of its members; NotFound otherwise."""
    organisation = db.session.scalar(
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Organisation.id == organisation_id, Membership.user_id == user.id)
    )
    if organisation is None:
        raise NotFound(organisation_id)
    return organisation


def members(organisation: Organisation) -> list[Membership]:
    """Everyone in the organisation, owners first, then by name."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.user)
            .where(Membership.organisation_id == organisation.id)
            .options(joinedload(Membership.user))
            .order_by(Membership.is_owner.desc(), User.name, User.id)
        )
    )


def is_member_of(user: User, organisation_id: int) -> bool:
    return is_member(user, organisation_id)


def form_values(organisation: Organisation) -> dict[str, str]:
    """The saved details as the edit form shows them; bank details are left out (shown masked instead)."""
    values = {
        f.name: getattr(organisation, f.name) or ""
        for f in fields(Details)
        if f.name not in BANK_FIELDS and f.name not in ("annual_income", "urn", "public_body_id")
    }
    values["annual_income"] = pounds_text(organisation.annual_income_pence)
    identifier = organisation.other_identifier or ""
    values["urn"] = identifier.removeprefix("GB-EDU-") if identifier.startswith("GB-EDU-") else ""
    values["public_body_id"] = identifier if organisation.org_type == "public_body" else ""
    values["version_id"] = str(organisation.version_id)
    return values


def saved_bank_details(organisation: Organisation) -> dict[str, str]:
    """For each bank field that holds a value, what may be shown of it."""
    shown = {
        "bank_account_name": organisation.bank_account_name or "",
        "bank_sort_code": organisation.masked_sort_code,
        "bank_account_number": organisation.masked_account_number,
    }
    return {name: text for name, text in shown.items() if text}


# Changing state.


def _audit(user: User, organisation: Organisation, action: str, data: dict[str, Any]) -> None:
    audit.record(
        actor=user,
        subject_type="organisation",
        subject_id=organisation.id,
        subject_reference=organisation.name[:64],  # the column's width; the id is the key
        action=action,
        data=data,
    )


def create_organisation(user: User, details: Details) -> Organisation:
    """A new organisation with the user as its owner.

    Raises OrganisationError if any detail is wrong, and AlreadyMember if the user already
    belongs to an organisation of this name (the form sent twice, by a double click or a
    refresh on a slow connection).
    """
    values = check_details(details)
    try:
        lock_row(User, user.id)  # the same form sent twice at once: the second waits, then finds the first
        existing = own_organisation_named(user.id, values["name"])
        if existing is not None:
            raise AlreadyMember(existing)
        organisation = Organisation(**values)
        db.session.add(organisation)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, organisation_id=organisation.id, is_owner=True))
        _audit(
            user,
            organisation,
            "create_organisation",
            {"org_type": organisation.org_type, "district": organisation.district},
        )
        db.session.commit()
    except (IntegrityError, OperationalError) as exc:
        db.session.rollback()
        found = own_organisation_named(user.id, values["name"]) if lost_race(exc) else None
        if found is None:
            raise
        raise AlreadyMember(found) from None
    return organisation


def own_organisation_named(user_id: int, name: str) -> Organisation | None:
    """An organisation of this name (in any case) that the user belongs to."""
    return db.session.scalar(
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id, func.lower(Organisation.name) == name.lower())
        .limit(1)
    )


def update_organisation(
    user: User, organisation_id: int, details: Details, expected_version: int | None, part: str | None = None
) -> tuple[Organisation, list[str]]:
    """Save changed details; returns the organisation and the names of the fields that changed.
    With `part` (a key of details.PARTS: income, safeguarding, bank) only that part is checked and saved.

    Raises NotFound for a non-member, EditConflict when the details were saved
    by someone else since `expected_version` was read (nothing is written then), and
    OrganisationError when a detail is wrong.
    """
    organisation = organisation_for_member(user, organisation_id)
    if expected_version is None or expected_version != organisation.version_id:
        raise EditConflict(organisation)
    values = check_details(details, frozenset(saved_bank_details(organisation)), part)
    changed = [name for name, value in values.items() if getattr(organisation, name) != value]
    if not changed:
        return organisation, []
    bank_changed = [name for name in changed if name in BANK_FIELDS]
    before = _masked_bank(organisation) if bank_changed else {}
    try:
        for name in changed:
            setattr(organisation, name, values[name])
        # Names only, never values: bank details are among them (masked, below).
        _audit(user, organisation, "update_organisation", {"changed": changed})
        if bank_changed:
            _bank_details_changed(user, organisation, before, bank_changed)
        db.session.commit()  # or an earlier autoflush: either may find the row changed
    except StaleDataError:
        # Saved by someone else between our read and our write.
        db.session.rollback()
        raise EditConflict(organisation_for_member(user, organisation_id)) from None
    return organisation, changed


def _masked_bank(organisation: Organisation) -> dict[str, str]:
    """What the audit log may keep of bank details: the last digits only (never the name on the account)."""
    return {"sort code": organisation.masked_sort_code, "account number": organisation.masked_account_number}


def _bank_details_changed(user: User, organisation: Organisation, before: dict[str, str], changed: list[str]) -> None:
    """New bank details wait for finance's check before anything is approved or paid to them
    (grants.payments.cases.bank_details_ready); the change is audited masked, and every member is told."""
    now = utcnow()
    organisation.bank_details_changed_at = now
    organisation.bank_details_verified_at = None
    organisation.bank_details_verified_by_id = None
    organisation.bank_details_verified_how = None
    audit.record(
        actor=user,
        subject_type="organisation",
        subject_id=organisation.id,
        subject_reference=organisation.name[:64],
        action="bank_details_changed",
        from_state=", ".join(f"{k} {v}" for k, v in before.items() if v) or "none",
        to_state=", ".join(f"{k} {v}" for k, v in _masked_bank(organisation).items() if v),
        data={
            "before": before,
            "after": _masked_bank(organisation),
            "name_on_the_account_changed": "bank_account_name" in changed,
        },
    )
    members = db.session.scalars(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation.id, User.active.is_(True))
    ).all()
    body = (
        f"{user.name} changed the bank details of {organisation.name} on {london(now)}.\n\n"
        f"Account number now ending {organisation.masked_account_number[-4:] or '(none)'}.\n\n"
        "Until our finance team has checked the new details with you, no payment will be made to them. "
        "If you did not expect this change, tell us at once."
    )
    mail.queue_emails(
        (email, f"The bank details of {organisation.name} were changed", body,
         f"bank-change:{organisation.id}:{now.isoformat()}:{email}")
        for email in members
    )  # fmt: skip


def invite(user: User, organisation_id: int, email: str) -> Invitation:
    """Invite someone by email to join the organisation: the email carries a link with a one-time token."""
    organisation = organisation_for_member(user, organisation_id)
    email = normalise_email(email)
    existing = find_user(email)
    if existing is not None and is_member(existing, organisation.id):
        raise InvitationError("email", f"{email} is already a member of {organisation.name}")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation_id=organisation.id,
        email=email,
        token_hash=hash_token(token),
        invited_by_id=user.id,
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    service = current_app.config["SERVICE_NAME"]
    base = current_app.config["SERVICE_URL"].rstrip("/")
    link = base + url_for("organisations.invitation", token=token)
    mail.queue_email(
        to=email,
        subject=f"{user.name} has invited you to join {organisation.name} on {service}",
        body=(
            f"Hello,\n\n{user.name} has invited you to join {organisation.name} on {service}, the service "
            "for applying for and managing funding from the West Yorkshire Policing and Crime team.\n\n"
            f"To accept, open this link before {london(invitation.expires_at)}:\n{link}\n\n"
            f"You need a {service} account to accept. If you do not have one yet, create one at "
            f"{base}{url_for('auth.register')}, then open the link again.\n\n"
            "If you were not expecting this, you can ignore this email."
        ),
        key=f"invitation:{invitation.id}",
    )
    _audit(user, organisation, "invite_member", {"email": email, "invitation_id": invitation.id})
    db.session.commit()
    return invitation


def invitation_for_token(token: str, user: User | None = None) -> Invitation:
    """The invitation this link carries, if it can still be accepted.

    An invitation this same user has already accepted is returned too, so pressing the
    button twice, or going back to the page, is harmless.
    """
    invitation = db.session.scalar(
        select(Invitation)
        .where(Invitation.token_hash == hash_token(token))
        .options(joinedload(Invitation.organisation))
    )
    if invitation is None:
        raise InvitationUnusable(
            "This invitation link is not valid. Check you copied the whole link from the email.", 404
        )
    if invitation.accepted_at is not None:
        if user is not None and invitation.accepted_by_id == user.id:
            return invitation
        raise InvitationUnusable(
            "This invitation has already been used. Ask a member of the organisation to invite you again.", 400
        )
    if invitation.expires_at <= utcnow():
        raise InvitationUnusable(
            f"This invitation expired on {london(invitation.expires_at)}. "
            "Ask a member of the organisation to invite you again.",
            400,
        )
    if user is not None and normalise_email(user.email) != invitation.email:
        raise InvitationUnusable(
            f"This invitation was sent to {_masked_email(invitation.email)}, and you are signed in as {user.email}. "
            "Sign out, then sign in with the email address the invitation was sent to (or create an account "
            "with it). If you want to join with this account, ask a member of the organisation to invite it.",
            403,
        )
    return invitation


def _masked_email(email: str) -> str:
    """An address shown to whoever holds a link: its first letter and its domain (t***@example.org)."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def accept_invitation(user: User, token: str) -> Organisation:
    """Make the user a member (not an owner) of the invitation's organisation; the link then cannot be used again."""
    invitation = invitation_for_token(token, user)
    organisation = invitation.organisation
    if invitation.accepted_by_id == user.id:
        return organisation  # accepted already, by this user
    if is_member(user, organisation.id):
        raise AlreadyMember(organisation)
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow(), accepted_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise InvitationUnusable(
            "This invitation has already been used. Ask a member of the organisation to invite you again.", 400
        )
    db.session.add(Membership(user_id=user.id, organisation_id=organisation.id, is_owner=False))
    _audit(user, organisation, "join_organisation", {"invitation_id": invitation.id, "invited_email": invitation.email})
    try:
        db.session.commit()
    except IntegrityError:
        # Joined by another invitation at the same moment.
        db.session.rollback()
        raise AlreadyMember(organisation) from None
    return organisation
