"""Notes and messages on any kind of case.

A private note is for staff only. A message is between staff and the organisation the case belongs
to: one from staff is emailed to each of the organisation's members, who read it (and answer it)
online; an answer is emailed to the programme's officers. Each note or message writes an audit row on
its case. Staff reach a case as its case page does (`access.can_see_case`), members of the
organisation as the applicants' own pages do (`access.is_member`): anyone else gets NotFound and
nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from grants import access, audit, mail, notifications
from grants.errors import NotFound
from grants.extensions import db
from grants.models import CaseNote, Membership, Organisation, Payment, User, Variation, Workflowed
from grants.models.correspondence import MESSAGE, NOTE
from grants.pagination import Page, paginate
from grants.workflow import case_types

LONGEST = 10_000  # characters in a note or message

NOTE_ADDED = "note_added"
MESSAGE_SENT = "message_sent"
MESSAGE_RECEIVED = "message_received"
ACTIONS = frozenset({NOTE_ADDED, MESSAGE_SENT, MESSAGE_RECEIVED})

# The page where a member of the organisation already sees a case of each kind, and shows its messages
# (a payment's and a variation's: their grant's page). Every message is also on "Your messages".
APPLICANT_PAGES: dict[str, tuple[str, Callable[[Any], dict[str, Any]]]] = {
    "application": ("apply.application", lambda subject: {"application_id": subject.id}),
    "award": ("awards.offer_page", lambda subject: {"award_id": subject.id}),
    "payment": ("monitoring.your_grant", lambda subject: {"award_id": subject.award_id}),
    "variation": ("monitoring.your_grant", lambda subject: {"award_id": subject.award_id}),
    "return": ("returns.show", lambda subject: {"return_id": subject.id}),
    "contract": ("provider_portal.contract", lambda subject: {"reference": subject.public_reference}),
}


def _load(kind: str, case_id: int) -> Workflowed | None:
    case_type = case_types().find(kind)
    if case_type is None:
        return None
    return db.session.get(case_type.model, case_id, options=case_type.eager())


def staff_case(kind: str, case_id: int, user: Any) -> Workflowed:
    """The case, if this member of staff may see its case page; NotFound otherwise."""
    subject = _load(kind, case_id)
    if subject is None or not access.can_see_case(user, subject):
        raise NotFound(f"{kind} {case_id}")
    return subject


def member_case(kind: str, case_id: int, user: Any) -> Workflowed:
    """The case, if the user belongs to the organisation it belongs to; NotFound otherwise."""
    subject = _load(kind, case_id)
    if subject is None or not access.is_member(user, subject.owning_organisation_id()):
        raise NotFound(f"{kind} {case_id}")
    return subject


def label(subject: Workflowed) -> str:
    """What the case is called: "Application", "Monitoring return", ..."""
    return case_types().of(subject).label


def organisation_name(subject: Workflowed) -> str | None:
    """The name of the organisation the case belongs to (None: it has none, so no messages)."""
    organisation_id = subject.owning_organisation_id()
    if organisation_id is None:
        return None
    return db.session.scalar(select(Organisation.name).where(Organisation.id == organisation_id))


def applicant_page(subject: Workflowed) -> tuple[str, dict[str, Any]] | None:
    """The endpoint and arguments of the applicant's own page for the case, where there is one."""
    page = APPLICANT_PAGES.get(subject.__audit_type__)
    return None if page is None else (page[0], page[1](subject))


def _write(subject: Any, user: Any, body: str, kind: str, *, from_organisation: bool, action: str) -> CaseNote:
    note = CaseNote(
        case_kind=subject.__audit_type__,
        case_id=subject.id,
        kind=kind,
        body=body,
        author_id=user.id,
        from_organisation=from_organisation,
        organisation_id=subject.owning_organisation_id(),
        programme_id=subject.owning_programme_id(),
    )
    db.session.add(note)
    db.session.flush()
    audit.record_on(subject, actor=user, action=action, data={"note_id": note.id, "kind": kind})
    return note


def add_note(kind: str, case_id: int, user: Any, body: str) -> CaseNote:
    """A private note on a case the member of staff may see."""
    subject = staff_case(kind, case_id, user)
    note = _write(subject, user, body, NOTE, from_organisation=False, action=NOTE_ADDED)
    db.session.commit()
    return note


def _lower_first(text: str) -> str:
    return f"{text[:1].lower()}{text[1:]}"


def messaged_case(kind: str, case_id: int, user: Any) -> Workflowed:
    """The case, if this member of staff may see it and it has an organisation to write to; NotFound otherwise."""
    subject = staff_case(kind, case_id, user)
    if subject.owning_organisation_id() is None:
        raise NotFound(f"{kind} {case_id} has no organisation")
    return subject


def send_message(kind: str, case_id: int, user: Any, body: str) -> str:
    """A message to the case's organisation, emailed to each of its members (NotFound without one);
    returns the sentence that tells the sender who it went to."""
    subject: Any = messaged_case(kind, case_id, user)
    note = _write(subject, user, body, MESSAGE, from_organisation=False, action=MESSAGE_SENT)
    what = f"{_lower_first(label(subject))} {subject.reference}"
    link = notifications.page_address("correspondence.thread", {"kind": kind, "case_id": subject.id})
    text = "\n".join(
        [
            f"{user.name} has sent you a message about your {what}:",
            "",
            body,
            "",
            f"Read it and reply in grantflow: {link}",
        ]
    )
    recipients = notifications.organisation_emails(subject.owning_organisation_id())
    for email in recipients:
        mail.queue_email(to=email, subject=f"A message about your {what}", body=text, key=f"message:{note.id}:{email}")
    db.session.commit()
    organisation = organisation_name(subject)
    if not recipients:
        return f"Your message is in the history, but nobody at {organisation} has an account to be emailed."
    people = "1 person" if len(recipients) == 1 else f"{len(recipients)} people"
    return f"Your message is sent: it is emailed to {people} at {organisation} and added to the history."


def reply(kind: str, case_id: int, user: Any, body: str) -> CaseNote:
    """A member's answer on their organisation's case, emailed to the programme's officers."""
    subject: Any = member_case(kind, case_id, user)
    note = _write(subject, user, body, MESSAGE, from_organisation=True, action=MESSAGE_RECEIVED)
    organisation = organisation_name(subject)
    what = f"{_lower_first(label(subject))} {subject.reference}"
    link = notifications.page_address("cases.show", {"kind": kind, "case_id": subject.id})
    text = "\n".join(
        [f"{user.name} of {organisation} wrote about {what}:", "", body, "", f"Read it and reply in grantflow: {link}"]
    )
    for email in notifications.officer_emails(subject.owning_programme_id()):
        mail.queue_email(
            to=email, subject=f"{organisation} replied about {what}", body=text, key=f"message:{note.id}:{email}"
        )
    db.session.commit()
    return note


# -- reading ----------------------------------------------------------------------------------------


def on_case(subject: Workflowed, *, staff: bool) -> list[CaseNote]:
    """A case's notes and messages in the order they were written (members of the organisation:
    its messages only), with who wrote each."""
    query = (
        select(CaseNote)
        .where(CaseNote.case_kind == subject.__audit_type__, CaseNote.case_id == subject.id)
        .options(selectinload(CaseNote.author))
        .order_by(CaseNote.created_at, CaseNote.id)
    )
    if not staff:
        query = query.where(CaseNote.kind == MESSAGE)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class OnCase:
    """A message, with the case it is on (a grant's page shows those on its payments and variations too)."""

    note: CaseNote
    kind: str
    case_id: int
    reference: str
    label: str


def on_grant(award: Any) -> list[OnCase]:
    """The messages on an award, its instalments and its variations, oldest first: two statements, and
    one for each kind of case among them."""
    query = (
        select(CaseNote)
        .where(
            CaseNote.kind == MESSAGE,
            or_(
                and_(CaseNote.case_kind == "award", CaseNote.case_id == award.id),
                and_(
                    CaseNote.case_kind == "payment",
                    CaseNote.case_id.in_(select(Payment.id).where(Payment.award_id == award.id)),
                ),
                and_(
                    CaseNote.case_kind == "variation",
                    CaseNote.case_id.in_(select(Variation.id).where(Variation.award_id == award.id)),
                ),
            ),
        )
        .options(selectinload(CaseNote.author))
        .order_by(CaseNote.created_at, CaseNote.id)
    )
    notes = list(db.session.scalars(query))
    subjects = _subjects(note for note in notes if note.case_kind != "award")
    subjects[("award", award.id)] = award
    return [
        OnCase(note, note.case_kind, note.case_id, subject.reference, label(subject))
        for note in notes
        if (subject := subjects.get((note.case_kind, note.case_id))) is not None
    ]


def history(events: Sequence[Any], notes: Sequence[CaseNote]) -> list[Any]:
    """A case's workflow events and its notes and messages in one list, oldest first (the audit rows
    that record a note or message are left out: the note itself is shown)."""
    rows: list[tuple[Any, int, int, Any]] = [
        (event.occurred_at, 0, event.id, event) for event in events if event.action not in ACTIONS
    ]
    rows += [(note.created_at, 1, note.id, note) for note in notes]
    return [row for *_order, row in sorted(rows, key=lambda row: row[:3])]


def _member_messages(user: Any) -> Any:
    return CaseNote.kind == MESSAGE, CaseNote.organisation_id.in_(access.member_organisations(user.id))


def messages_for_member(user: Any) -> int:
    """How many messages staff have sent to the organisations the user belongs to."""
    query = select(func.count(CaseNote.id)).where(*_member_messages(user), CaseNote.from_organisation.is_(False))
    return int(db.session.scalar(query) or 0)


@dataclass(frozen=True)
class InboxRow:
    note: CaseNote
    subject: Any
    label: str


def _subjects(notes: Iterable[CaseNote]) -> dict[tuple[str, int], Any]:
    """The cases of these notes, one statement per kind of case among them."""
    wanted: dict[str, set[int]] = {}
    for note in notes:
        wanted.setdefault(note.case_kind, set()).add(note.case_id)
    found: dict[tuple[str, int], Any] = {}
    for kind, ids in sorted(wanted.items()):
        case_type = case_types().find(kind)
        if case_type is None:
            continue
        model: Any = case_type.model
        for row in db.session.scalars(select(model).where(model.id.in_(sorted(ids))).options(*case_type.eager())):
            found[(kind, row.id)] = row
    return found


def inbox(user: Any, page: int, per_page: int) -> Page[InboxRow]:
    """The messages on the cases of the user's organisations, newest first, a page at a time."""
    query = (
        select(CaseNote)
        .where(*_member_messages(user))
        .options(selectinload(CaseNote.author))
        .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
    )
    notes = paginate(query, page, per_page)
    subjects = _subjects(notes.items)
    rows = [
        InboxRow(note, subjects[(note.case_kind, note.case_id)], label(subjects[(note.case_kind, note.case_id)]))
        for note in notes.items
        if (note.case_kind, note.case_id) in subjects
    ]
    return Page(rows, notes.page, notes.per_page, notes.total)


def subjects_of(notes: Iterable[CaseNote]) -> dict[tuple[str, int], Any]:
    """The cases these notes are on, by (kind, id): a fixed number of statements."""
    return _subjects(notes)


def members(organisation_id: int, most: int = 50) -> list[Any]:
    """The people who belong to an organisation (the first `most` by name), with their accounts."""
    query = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == organisation_id)
        .options(contains_eager(Membership.user))
        .order_by(func.lower(User.name), Membership.id)
        .limit(most)
    )
    return list(db.session.scalars(query))
