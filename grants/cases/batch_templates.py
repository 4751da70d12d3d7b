"""Message templates: a batch email's subject and body saved under a name for one programme, so its
officers start the next round's email from it instead of typing it again; and a few standard starting
points the service ships with.

A saved one is a row of `email_templates` (the programmes' own email wording) keyed `batch:<its name>`:
the programme, subject, body, who saved it when and the optimistic lock are that table's already, and no
email the service sends has a key with a colon, so the programme's email wording never meets one.
Only officers and admins of the programme see, use, change or delete its templates; for anyone else a
template is not found. Every save, change and deletion is audited on the programme, as wording is.
Placeholders are checked exactly as the batch email checks them when it is sent (batch_email.problem).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from grants import access, audit
from grants.cases import batch_email
from grants.email_wording.typed import typed_text
from grants.errors import FieldErrors, NotFound
from grants.extensions import db
from grants.form_fields import version_or_none
from grants.formatting import whole_number
from grants.models import EmailTemplate, Programme
from grants.transactions import conflicts_as

KEY_PREFIX = "batch:"
PLACEHOLDERS = batch_email.PLACEHOLDERS
STANDARD_PREFIX = "standard:"  # a standard starting point's value in the "Start from a template" choice
EDITORS = frozenset({"officer", "admin"})
LONGEST_NAME = 100
LONGEST_SUBJECT = 200  # as the batch email page takes (grants.cases.forms.BatchEmailForm)
LONGEST_BODY = 5_000
CHOOSE_A_TEMPLATE = "Choose a template to start from"
CHOOSE_A_PROGRAMME = "Choose the programme whose officers may use the template"


class EditConflict(Exception):
    """Someone else changed (or deleted) the template since the page was shown."""


@dataclass(frozen=True)
class Standard:
    """A starting point every officer is offered, whatever the programme."""

    slug: str
    name: str
    subject: str
    body: str


STANDARD = (
    Standard(
        "return-due",
        "Reminder: your monitoring return is due",
        "Reminder: your monitoring return for ((reference)) is due",
        "Dear ((organisation)),\n\n"
        "This is a reminder that your monitoring return for ((reference)) is due. Please complete it and send "
        "it to us in grantflow:\n\n((link))\n\n"
        "If you cannot send it on time, please tell us as soon as you can.\n\nThank you.",
    ),
    Standard(
        "more-information",
        "We need more information about your application",
        "We need more information about ((reference))",
        "Dear ((organisation)),\n\n"
        "Thank you for your application ((reference)), ((title)). Before we can go on with it, we need more "
        "information from you:\n\n"
        "- [say what you need]\n\n"
        "Please sign in to grantflow to send it to us:\n\n((link))\n\nThank you.",
    ),
    Standard(
        "round-update",
        "Update on the round",
        "An update on the funding round: ((reference))",
        "Dear ((organisation)),\n\n"
        "We are writing with an update on the funding round your application ((reference)) is part of.\n\n"
        "[Write the update here.]\n\n"
        "You can see your application in grantflow:\n\n((link))\n\nThank you.",
    ),
)


@dataclass(frozen=True)
class Offer:
    """One choice in "Start from a template": `value` is a saved template's id or `standard:<slug>`."""

    value: str
    label: str


def name_of(template: EmailTemplate) -> str:
    return template.key.removeprefix(KEY_PREFIX)


def _key(name: str) -> str:
    return f"{KEY_PREFIX}{name}"


def is_template_key(key: str) -> bool:
    return key.startswith(KEY_PREFIX)


# -- who may, and which ------------------------------------------------------------------------------------


def _edits(user: Any, programme_id: int | None) -> bool:
    return programme_id is not None and bool(access.staff_roles(user, programme_id) & EDITORS)


def programmes_of(user: Any, subjects: Iterable[Any]) -> list[Programme]:
    """The programmes of these cases whose templates this user may use and save, by name."""
    ids = {subject.owning_programme_id() for subject in subjects}
    ids = {programme_id for programme_id in ids if _edits(user, programme_id)}
    if not ids:
        return []
    return list(db.session.scalars(select(Programme).where(Programme.id.in_(ids)).order_by(Programme.name)))


def offers(programmes: Sequence[Programme]) -> list[Offer]:
    """What "Start from a template" offers: the saved templates of these programmes (those of a selection
    the user may use, `programmes_of`) by programme, then name; then the standard starting points."""
    ids = [programme.id for programme in programmes]
    saved: list[Offer] = []
    if ids:
        rows = db.session.execute(
            select(EmailTemplate.id, EmailTemplate.key, Programme.name)
            .join(Programme, EmailTemplate.programme_id == Programme.id)
            .where(EmailTemplate.programme_id.in_(ids), EmailTemplate.key.startswith(KEY_PREFIX, autoescape=True))
            .order_by(Programme.name, EmailTemplate.key, EmailTemplate.id)
        ).all()
        saved = [Offer(str(row_id), f"{key.removeprefix(KEY_PREFIX)} ({programme})") for row_id, key, programme in rows]
    return saved + [Offer(f"{STANDARD_PREFIX}{s.slug}", f"{s.name} (standard)") for s in STANDARD]


def chosen(user: Any, value: str | None, subjects: Sequence[Any]) -> tuple[str, str, str]:
    """The name, subject and body of the template chosen for this selection.

    FieldErrors when nothing (or nonsense) was chosen; NotFound for a template this user may not use
    on these cases (another programme's, or one that no longer exists)."""
    value = (value or "").replace("\x00", "").strip()
    if value.startswith(STANDARD_PREFIX):
        found = next((s for s in STANDARD if f"{STANDARD_PREFIX}{s.slug}" == value), None)
        if found is None:
            raise FieldErrors({"template": CHOOSE_A_TEMPLATE})
        return found.name, found.subject, found.body
    template_id = whole_number(value)
    if template_id is None or template_id < 1:
        raise FieldErrors({"template": CHOOSE_A_TEMPLATE})
    template = db.session.get(EmailTemplate, template_id)
    allowed = {programme.id for programme in programmes_of(user, subjects)}
    if template is None or not is_template_key(template.key) or template.programme_id not in allowed:
        raise NotFound(f"message template {template_id}")
    return name_of(template), template.subject, template.body


def programme_for(user: Any, programme_id: int) -> Programme:
    """The programme, if this user may manage its templates; NotFound otherwise."""
    programme = db.session.get(Programme, programme_id)
    if programme is None or not _edits(user, programme.id):
        raise NotFound(f"programme {programme_id}")
    return programme


def saved(user: Any, programme_id: int) -> list[EmailTemplate]:
    """The programme's saved templates, by name."""
    programme_for(user, programme_id)
    return list(
        db.session.scalars(
            select(EmailTemplate)
            .where(
                EmailTemplate.programme_id == programme_id,
                EmailTemplate.key.startswith(KEY_PREFIX, autoescape=True),
            )
            .order_by(EmailTemplate.key, EmailTemplate.id)
        )
    )


def template_for(user: Any, programme_id: int, template_id: int) -> tuple[Programme, EmailTemplate]:
    """One of the programme's saved templates; NotFound for another programme's or one that is gone."""
    programme = programme_for(user, programme_id)
    template = db.session.get(EmailTemplate, template_id)
    if template is None or template.programme_id != programme.id or not is_template_key(template.key):
        raise NotFound(f"message template {template_id}")
    return programme, template


# -- checking what was typed -------------------------------------------------------------------------------


def checked(name: str | None, subject: str | None, body: str | None) -> tuple[str, str, str]:
    """The name, subject and body to keep, or FieldErrors naming what is wrong with each
    (keys `name`, `subject`, `body`)."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for field, raw, what, empty, limit, multiline in (
        ("name", name, "The template's name", "Enter a name for the template", LONGEST_NAME, False),
        ("subject", subject, "Subject", "Enter the email's subject", LONGEST_SUBJECT, False),
        ("body", body, "Message", "Enter the message", LONGEST_BODY, True),
    ):
        try:
            values[field] = typed_text(raw, what, limit, multiline=multiline, empty=empty)
        except ValueError as exc:
            errors[field] = str(exc)
            continue
        problem = batch_email.problem(values[field]) if field != "name" else None
        if problem:
            errors[field] = problem
    if errors:
        raise FieldErrors(errors)
    return values["name"], values["subject"], values["body"]


def _taken(programme: Programme, name: str, but: int | None = None) -> None:
    """FieldErrors when the programme already has a template of this name (in any case)."""
    keys = db.session.execute(
        select(EmailTemplate.id, EmailTemplate.key).where(
            EmailTemplate.programme_id == programme.id, EmailTemplate.key.startswith(KEY_PREFIX, autoescape=True)
        )
    ).all()
    if any(key.removeprefix(KEY_PREFIX).casefold() == name.casefold() and row_id != but for row_id, key in keys):
        raise FieldErrors({"name": _duplicate(programme, name)})


def _duplicate(programme: Programme, name: str) -> str:
    return f"{programme.name} already has a template called “{name}”: choose another name"


# -- saving, changing, deleting ----------------------------------------------------------------------------


def _summary(text: str) -> str:
    return text if len(text) <= 200 else f"{text[:200]}… ({len(text):,} characters)"


def _audit(user: Any, programme: Programme, action: str, data: dict[str, Any]) -> None:
    audit.record(
        actor=user,
        subject_type="programme",
        subject_id=programme.id,
        subject_reference=programme.code,
        action=action,
        data=data,
    )


def create(
    user: Any, programme_id: int | None, name: str | None, subject: str | None, body: str | None
) -> EmailTemplate:
    """Save a new template for the programme. FieldErrors (keys `programme`, `name`, `subject`, `body`) for
    a programme this user may not save for, a name already used there, or text the batch email refuses."""
    programme = db.session.get(Programme, programme_id) if programme_id else None
    if programme is None or not _edits(user, programme.id):
        raise FieldErrors({"programme": CHOOSE_A_PROGRAMME})
    new_name, new_subject, new_body = checked(name, subject, body)
    _taken(programme, new_name)
    template = EmailTemplate(
        programme_id=programme.id, key=_key(new_name), subject=new_subject, body=new_body, updated_by_id=user.id
    )
    with conflicts_as(lambda: FieldErrors({"name": _duplicate(programme, new_name)}), duplicates=True):
        db.session.add(template)
        db.session.flush()
        _audit(
            user,
            programme,
            "save_message_template",
            {"template": template.id, "name": new_name, "subject": new_subject, "body": _summary(new_body)},
        )
        db.session.commit()
    return template


def _check_version(template: EmailTemplate, version: str | None) -> None:
    if template.version_id != version_or_none(version):
        raise EditConflict


def update(
    user: Any,
    programme_id: int,
    template_id: int,
    name: str | None,
    subject: str | None,
    body: str | None,
    version: str | None,
) -> bool:
    """Rename or reword a saved template; False when nothing changed. FieldErrors (keys `name`, `subject`,
    `body`) for what cannot be kept; EditConflict when someone changed or deleted it since `version`."""
    programme, template = template_for(user, programme_id, template_id)
    new_name, new_subject, new_body = checked(name, subject, body)
    _check_version(template, version)
    old_name, old_subject, old_body = name_of(template), template.subject, template.body
    if (old_name, old_subject, old_body) == (new_name, new_subject, new_body):
        return False
    _taken(programme, new_name, but=template.id)
    with conflicts_as(lambda: EditConflict(), duplicates=True):
        template.key, template.subject, template.body = _key(new_name), new_subject, new_body
        template.updated_by_id = user.id
        changes: dict[str, Any] = {"template": template.id, "name": new_name}
        if old_name != new_name:
            changes.update(from_name=old_name)
        if old_subject != new_subject:
            changes.update(from_subject=old_subject, to_subject=new_subject)
        if old_body != new_body:
            changes.update(from_body=_summary(old_body), to_body=_summary(new_body))
        _audit(user, programme, "change_message_template", changes)
        db.session.commit()
    return True


def delete(user: Any, programme_id: int, template_id: int, version: str | None) -> str:
    """Delete a saved template (its name is returned); EditConflict when it changed since `version`."""
    programme, template = template_for(user, programme_id, template_id)
    _check_version(template, version)
    name = name_of(template)
    with conflicts_as(lambda: EditConflict()):
        _audit(
            user,
            programme,
            "delete_message_template",
            {"template": template.id, "name": name, "subject": template.subject, "body": _summary(template.body)},
        )
        db.session.delete(template)
        db.session.commit()
    return name
