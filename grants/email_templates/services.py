"""Editing a programme's email wording: who may, checking what was typed, saving with a version
check and an audit row, and going back to the service's default wording."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from grants import access, audit
from grants.email_wording.catalogue import Email, emails_of_programme
from grants.email_wording.placeholders import malformed, unknown
from grants.email_wording.typed import typed_text
from grants.email_wording.wording import override
from grants.errors import FieldErrors, NotFound
from grants.extensions import db
from grants.form_fields import version_or_none
from grants.models import EmailTemplate, Programme
from grants.transactions import conflicts_as

EDITORS = frozenset({"officer", "admin"})
LONGEST_SUBJECT = 300
LONGEST_BODY = 10_000


class EditConflict(Exception):
    """Someone else saved (or removed) this programme's wording of the email since the page was shown."""


@dataclass(frozen=True)
class EmailRow:
    email: Email
    template: EmailTemplate | None


def programmes(user: Any) -> list[Programme]:
    """The programmes whose emails this user may word: where they are an officer or an admin."""
    ids = access.programmes_with(user, EDITORS)
    query = select(Programme).order_by(Programme.name)
    if ids is not None:
        query = query.where(Programme.id.in_(ids))
    return list(db.session.scalars(query))


def programme_for(user: Any, programme_id: int) -> Programme:
    """The programme, if this user words its emails; NotFound otherwise (no hint that it exists)."""
    programme = db.session.get(Programme, programme_id)
    if programme is None or not access.staff_roles(user, programme_id) & EDITORS:
        raise NotFound(f"programme {programme_id}")
    return programme


def email_rows(user: Any, programme_id: int) -> tuple[Programme, list[EmailRow]]:
    """Every email the programme's workflows send, with its own wording where it has one."""
    programme = programme_for(user, programme_id)
    own = {
        t.key: t for t in db.session.scalars(select(EmailTemplate).where(EmailTemplate.programme_id == programme_id))
    }
    return programme, [EmailRow(e, own.get(e.key)) for e in emails_of_programme(programme.kind)]


@dataclass(frozen=True)
class Editing:
    programme: Programme
    email: Email
    template: EmailTemplate | None

    @property
    def subject(self) -> str:
        return self.template.subject if self.template else self.email.subject

    @property
    def body(self) -> str:
        return self.template.body if self.template else self.email.body

    @property
    def version(self) -> str:
        return str(self.template.version_id) if self.template else ""

    @property
    def updated_at(self) -> datetime | None:
        return self.template.updated_at if self.template else None


def editing(user: Any, programme_id: int, key: str) -> Editing:
    programme = programme_for(user, programme_id)
    found = next((e for e in emails_of_programme(programme.kind) if e.key == key), None)
    if found is None:
        raise NotFound(f"email {key}")
    return Editing(programme, found, override(programme_id, key))


def _placeholder_problem(found: Email, text: str) -> str | None:
    problem = malformed(text)
    if problem:
        return problem
    wrong = unknown(text, found.names())
    if not wrong:
        return None
    named = " and ".join(f"(({name}))" for name in wrong[:3])
    verb = "is not a placeholder" if len(wrong) == 1 else "are not placeholders"
    known = ", ".join(f"(({name}))" for name in found.names())
    return f"{named} {verb} this email knows. Use one of: {known}"


def checked(found: Email, subject: str | None, body: str | None) -> tuple[str, str]:
    """The subject and body to keep, or FieldErrors naming what is wrong with each."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for field, raw, what, limit, multiline in (
        ("subject", subject, "Subject", LONGEST_SUBJECT, False),
        ("body", body, "Email text", LONGEST_BODY, True),
    ):
        try:
            values[field] = typed_text(raw, what, limit, multiline=multiline)
        except ValueError as exc:
            errors[field] = str(exc)
            continue
        problem = _placeholder_problem(found, values[field])
        if problem:
            errors[field] = problem
    if errors:
        raise FieldErrors(errors)
    return values["subject"], values["body"]


def _summary(text: str) -> str:
    return text if len(text) <= 200 else f"{text[:200]}… ({len(text):,} characters)"


def _audit(user: Any, programme: Programme, action: str, key: str, data: dict[str, Any]) -> None:
    audit.record(
        actor=user,
        subject_type="programme",
        subject_id=programme.id,
        subject_reference=programme.code,
        action=action,
        data={"email": key, **data},
    )


def _check_version(template: EmailTemplate | None, version: str | None) -> None:
    expected = version_or_none(version)
    if (template.version_id if template else None) != expected:
        raise EditConflict


def save(user: Any, programme_id: int, key: str, subject: str | None, body: str | None, version: str | None) -> bool:
    """Save the programme's wording of an email; False when nothing changed.

    FieldErrors for a wrong subject or body (an unknown placeholder named), EditConflict when someone
    else saved or removed it since the page was shown (`version`: the page's, "" for none)."""
    now = editing(user, programme_id, key)
    new_subject, new_body = checked(now.email, subject, body)
    _check_version(now.template, version)
    template = now.template
    if template is not None and (template.subject, template.body) == (new_subject, new_body):
        return False
    with conflicts_as(lambda: EditConflict(), duplicates=True):
        old_subject, old_body = now.subject, now.body
        if template is None:
            template = EmailTemplate(programme_id=programme_id, key=key, subject=new_subject, body=new_body)
            db.session.add(template)
        template.subject, template.body, template.updated_by_id = new_subject, new_body, user.id
        _audit(
            user,
            now.programme,
            "change_email_wording",
            key,
            {
                "from_subject": old_subject if now.template else None,
                "to_subject": new_subject,
                "from_body": _summary(old_body) if now.template else None,
                "to_body": _summary(new_body),
            },
        )
        db.session.commit()
    return True


def reset(user: Any, programme_id: int, key: str, version: str | None) -> bool:
    """Go back to the service's default wording (the programme's own removed); False when it had none."""
    now = editing(user, programme_id, key)
    if now.template is None:
        return False
    _check_version(now.template, version)
    with conflicts_as(lambda: EditConflict()):
        _audit(
            user,
            now.programme,
            "reset_email_wording",
            key,
            {"from_subject": now.template.subject, "from_body": _summary(now.template.body)},
        )
        db.session.delete(now.template)
        db.session.commit()
    return True
