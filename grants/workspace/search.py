"""Search for staff: a reference (MSCF-R3-0042, VRU-2023-007, MOJ-S-031, a payment's MSCF-R3-0042-A-P2
or a variation's -V1), a title, an organisation's name or charity or company number, a person at an
organisation (by name or email: the result opens their organisation's page). Only what the
person may list is found: cases on the programmes where they hold a case-page role, none they are
conflicted on, and organisations with such a case. A fixed number of statements, whatever is held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from flask import url_for
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import joinedload

from grants import access
from grants.cases import services as cases
from grants.correspondence import services as correspondence
from grants.extensions import db
from grants.models import (
    Application,
    Award,
    CaseNote,
    Contract,
    Membership,
    Organisation,
    Payment,
    User,
    Variation,
)
from grants.workflow import case_types

MOST = 20  # results of each kind shown
LONGEST = 100  # characters of a search kept
_DERIVED = re.compile(r"^(?P<award>.+)-(?P<kind>[PV])(?P<number>[0-9]{1,4})$", re.IGNORECASE)
_NUMBER = re.compile(r"^[0-9A-Za-z]{6,10}$")


@dataclass(frozen=True)
class Hit:
    kind: str  # what it is: "Application", "Award", ...
    reference: str
    title: str
    href: str
    state: str = ""
    note: bool = (
        False  # not the thing its reference names (a note or message on a case, a person): never opened at once
    )


@dataclass(frozen=True)
class Results:
    query: str
    hits: list[Hit]
    message: str = ""


def may_search(user: Any) -> bool:
    return bool(access.staff_roles(user) & access.CASE_PAGE_ROLES)


def clean(typed: str) -> str:
    """The search as typed, without control characters and runs of spaces, at most LONGEST characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in typed)
    return " ".join(text.split())[:LONGEST]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _organisations_matching(text: str) -> Any:
    pattern = _like(text)
    clauses: list[ColumnElement[bool]] = [Organisation.name.ilike(pattern, escape="\\")]
    if _NUMBER.fullmatch(text):
        number = text.upper()
        clauses += [
            func.upper(Organisation.charity_number) == number,
            func.upper(Organisation.company_number) == number,
        ]
    return select(Organisation.id).where(or_(*clauses))


def _cases(kind: str, user: Any, text: str, reference: Any, title: Any, organisation: Any) -> list[Hit]:
    model: Any = cases.case_type(kind).model
    pattern = _like(text)
    query = (
        select(model)
        .where(
            *cases.visible_clauses(kind, user),
            or_(
                reference.ilike(pattern, escape="\\"),
                title.ilike(pattern, escape="\\"),
                organisation.in_(_organisations_matching(text)),
            ),
        )
        .options(*cases.case_type(kind).eager())
        .order_by(model.id.desc())
        .limit(MOST)
    )
    label = cases.kind_label(kind)
    return [
        Hit(label, row.reference, str(getattr(row, "project_title", None) or getattr(row, "title", "")),
            url_for("cases.show", kind=kind, case_id=row.id), row.state.replace("_", " "))
        for row in db.session.scalars(query)
    ]  # fmt: skip


def _derived(user: Any, text: str) -> list[Hit]:
    """A payment (-P2) or a variation (-V1) named by its award's reference and its number."""
    found = _DERIVED.fullmatch(text)
    if not found:
        return []
    kind, model = ("payment", Payment) if found["kind"].upper() == "P" else ("variation", Variation)
    model = cast(Any, model)
    number = Payment.instalment if model is Payment else Variation.number
    query = (
        select(model)
        .join(Award, Award.id == model.award_id)
        .where(
            *cases.visible_clauses(kind, user),
            func.upper(Award.public_reference) == found["award"].upper(),
            number == int(found["number"]),
        )
        .options(joinedload(model.award))
        .limit(1)
    )
    label = cases.kind_label(kind)
    return [
        Hit(label, row.reference, row.award.title, url_for("cases.show", kind=kind, case_id=row.id),
            row.state.replace("_", " "))
        for row in db.session.scalars(query)
    ]  # fmt: skip


def visible_organisations(user: Any) -> Any:
    """A clause: organisations with a case this person may list (any, for staff of every programme)."""
    kinds = (("application", Application, Application.organisation_id), ("award", Award, Award.organisation_id),
             ("contract", Contract, Contract.provider_id))  # fmt: skip
    return or_(
        *(
            exists(select(model.id).where(column == Organisation.id, *cases.visible_clauses(kind, user)))
            for kind, model, column in kinds
        )
    )


def _organisations(user: Any, text: str) -> list[Hit]:
    query = (
        select(Organisation)
        .where(Organisation.id.in_(_organisations_matching(text)), visible_organisations(user))
        .order_by(Organisation.name)
        .limit(MOST)
    )
    return [
        Hit("Organisation", organisation.charity_number or organisation.company_number or "", organisation.name,
            url_for("workspace.organisation", organisation_id=organisation.id))
        for organisation in db.session.scalars(query)
    ]  # fmt: skip


def _people(user: Any, text: str) -> list[Hit]:
    """People at organisations this person may see, by name or email; a result opens the organisation.
    Staff are not found as staff: only as members of an organisation."""
    pattern = _like(text)
    query = (
        select(User, Organisation)
        .join(Membership, Membership.user_id == User.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            or_(User.name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\")),
            visible_organisations(user),
        )
        .order_by(User.name, Organisation.name, User.id)
        .limit(MOST)
    )
    return [
        Hit(f"Person at {organisation.name}", "", f"{person.name} ({person.email})",
            url_for("workspace.organisation", organisation_id=organisation.id), note=True)
        for person, organisation in db.session.execute(query)
    ]  # fmt: skip


def visible_notes(user: Any) -> ColumnElement[bool]:
    """A clause: the notes and messages on the cases this person may list (their programmes, no conflicts)."""
    models: dict[str, Any] = {case_type.kind: case_type.model for case_type in case_types()}
    return or_(
        *(
            and_(
                CaseNote.case_kind == kind,
                CaseNote.case_id.in_(select(model.id).where(*cases.visible_clauses(kind, user))),
            )
            for kind, model in models.items()
        )
    )


def _notes(user: Any, text: str) -> list[Hit]:
    """Notes and messages whose text matches, on cases the person may list; a result opens its case."""
    query = (
        select(CaseNote)
        .where(CaseNote.body.ilike(_like(text), escape="\\"), visible_notes(user))
        .order_by(CaseNote.id.desc())
        .limit(MOST)
    )
    notes = list(db.session.scalars(query))
    subjects = correspondence.subjects_of(notes)
    hits = []
    for note in notes:
        subject = subjects.get((note.case_kind, note.case_id))
        if subject is None:
            continue
        what = "Private note" if note.kind == "note" else "Message"
        excerpt = " ".join(note.body.split())
        hits.append(
            Hit(f"{what} on {cases.kind_label(note.case_kind).lower()}", subject.reference,
                excerpt if len(excerpt) <= 120 else f"{excerpt[:119]}…",
                url_for("cases.show", kind=note.case_kind, case_id=note.case_id, _anchor="history"), note=True)
        )  # fmt: skip
    return hits


def search(user: Any, typed: str) -> Results:
    text = clean(typed)
    if len(text) < 2:
        message = "Enter a reference, a title, or an organisation's or person's name or number" if typed.strip() else ""
        return Results(text, [], message)
    hits = _derived(user, text)
    hits += _cases("application", user, text, Application.public_reference, Application.project_title,
                   Application.organisation_id)  # fmt: skip
    hits += _cases("award", user, text, Award.public_reference, Award.title, Award.organisation_id)
    hits += _cases("contract", user, text, Contract.public_reference, Contract.title, Contract.provider_id)
    hits += _organisations(user, text)
    hits += _people(user, text)
    hits += _notes(user, text)
    exact = [hit for hit in hits if hit.reference.upper() == text.upper() and not hit.note]
    return Results(text, exact + [hit for hit in hits if hit not in exact])
