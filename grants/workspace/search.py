"""Search for staff: a reference (MSCF-R3-0042, VRU-2023-007, MOJ-S-031, a payment's MSCF-R3-0042-A-P2
or a variation's -V1), a title, an organisation's name or charity or company number, a person at an
organisation (by name or email: the result opens their organisation's page). Only what the
person may list is found: cases on the programmes where they hold a case-page role, none they are
conflicted on, and organisations with such a case. A fixed number of statements, whatever is held.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from sqlalchemy import ColumnElement, Integer, Select, String, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import joinedload, load_only

from grants import access
from grants.cases import services as cases
from grants.correspondence import services as correspondence
from grants.extensions import db
from grants.kept import access_key, kept
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
STATEMENTS_KEPT = 2000  # search statements kept per process (a few per person, grants and day)
# What was typed reaches the statements as bound parameters, so one statement serves every search.
PATTERN = bindparam("pattern", type_=String)  # the text as a LIKE pattern (_like)
NUMBER = bindparam("number", type_=String)  # the text in capitals, for a charity or company number
AWARD = bindparam("award", type_=String)  # a payment's or variation's award reference, in capitals
INSTALMENT = bindparam("instalment", type_=Integer)  # its number


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


def _numbered(text: str) -> bool:
    """Whether the search could be a charity or company number (the statements ask for those too)."""
    return bool(_NUMBER.fullmatch(text))


def _parameters(text: str) -> dict[str, Any]:
    return {"pattern": _like(text), "number": text.upper()}


def _kept(name: Any, user: Any, build: Callable[[], Select[Any]]) -> Select[Any]:
    """A search statement, built once per person, their grants and the day in this process (building the
    dozen statements, with every kind's visibility and conflict clauses, is much of a search's work).
    What was typed is bound when it runs; the conflicts are subqueries read afresh by every statement,
    and a role given or taken away is a new key. FORM_CACHES=False builds it every time."""
    key = access_key(user)
    return kept("search_statements", STATEMENTS_KEPT, None if key is None else (name, *key), build)


def _organisations_matching(numbered: bool) -> Any:
    clauses: list[ColumnElement[bool]] = [Organisation.name.ilike(PATTERN, escape="\\")]
    if numbered:
        clauses += [
            func.upper(Organisation.charity_number) == NUMBER,
            func.upper(Organisation.company_number) == NUMBER,
        ]
    return select(Organisation.id).where(or_(*clauses))


def _cases_query(kind: str, user: Any, numbered: bool, reference: Any, title: Any, organisation: Any) -> Select[Any]:
    model: Any = cases.case_type(kind).model
    return (
        select(model)
        .where(
            *cases.visible_clauses(kind, user),
            or_(
                reference.ilike(PATTERN, escape="\\"),
                title.ilike(PATTERN, escape="\\"),
                organisation.in_(_organisations_matching(numbered)),
            ),
        )
        .options(load_only(model.id, reference, title, model.state))  # what a hit shows: no joins
        .order_by(model.id.desc())
        .limit(MOST)
    )


def _cases(kind: str, user: Any, text: str, reference: Any, title: Any, organisation: Any) -> list[Hit]:
    numbered = _numbered(text)
    query = _kept(
        ("cases", kind, numbered), user, lambda: _cases_query(kind, user, numbered, reference, title, organisation)
    )
    label = cases.kind_label(kind)
    return [
        Hit(label, row.reference, str(getattr(row, "project_title", None) or getattr(row, "title", "")),
            url_for("cases.show", kind=kind, case_id=row.id), row.state.replace("_", " "))
        for row in db.session.scalars(query, _parameters(text))
    ]  # fmt: skip


def _derived_query(kind: str, user: Any) -> Select[Any]:
    model: Any = Payment if kind == "payment" else Variation
    number = Payment.instalment if model is Payment else Variation.number
    return (
        select(model)
        .join(Award, Award.id == model.award_id)
        .where(
            *cases.visible_clauses(kind, user),
            func.upper(Award.public_reference) == AWARD,
            number == INSTALMENT,
        )
        .options(joinedload(model.award))
        .limit(1)
    )


def _derived(user: Any, text: str) -> list[Hit]:
    """A payment (-P2) or a variation (-V1) named by its award's reference and its number."""
    found = _DERIVED.fullmatch(text)
    if not found:
        return []
    kind = "payment" if found["kind"].upper() == "P" else "variation"
    query = _kept(("derived", kind), user, lambda: _derived_query(kind, user))
    label = cases.kind_label(kind)
    parameters = {"award": found["award"].upper(), "instalment": int(found["number"])}
    return [
        Hit(label, row.reference, row.award.title, url_for("cases.show", kind=kind, case_id=row.id),
            row.state.replace("_", " "))
        for row in db.session.scalars(query, parameters)
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
    numbered = _numbered(text)
    query = _kept(
        ("organisations", numbered),
        user,
        lambda: (
            select(Organisation)
            .where(Organisation.id.in_(_organisations_matching(numbered)), visible_organisations(user))
            .order_by(Organisation.name)
            .limit(MOST)
        ),
    )
    return [
        Hit("Organisation", organisation.charity_number or organisation.company_number or "", organisation.name,
            url_for("workspace.organisation", organisation_id=organisation.id))
        for organisation in db.session.scalars(query, _parameters(text))
    ]  # fmt: skip


def _people_query(user: Any) -> Any:
    return (
        select(User, Organisation)
        .join(Membership, Membership.user_id == User.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            or_(User.name.ilike(PATTERN, escape="\\"), User.email.ilike(PATTERN, escape="\\")),
            visible_organisations(user),
        )
        .order_by(User.name, Organisation.name, User.id)
        .limit(MOST)
    )


def _people(user: Any, text: str) -> list[Hit]:
    """People at organisations this person may see, by name or email; a result opens the organisation.
    Staff are not found as staff: only as members of an organisation."""
    query = _kept("people", user, lambda: _people_query(user))
    return [
        Hit(f"Person at {organisation.name}", "", f"{person.name} ({person.email})",
            url_for("workspace.organisation", organisation_id=organisation.id), note=True)
        for person, organisation in db.session.execute(query, {"pattern": _like(text)})
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
    query = _kept(
        "notes",
        user,
        lambda: (
            select(CaseNote)
            .where(CaseNote.body.ilike(PATTERN, escape="\\"), visible_notes(user))
            .order_by(CaseNote.id.desc())
            .limit(MOST)
        ),
    )
    notes = list(db.session.scalars(query, {"pattern": _like(text)}))
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
