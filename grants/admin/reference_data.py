"""Reference data an admin edits: programmes (name, standard agreement terms) and vocabulary terms.

Who: an admin edits the programmes they administer (a grant for every programme covers them all);
vocabularies are shared by every programme, so only an admin of every programme changes them.
Every change is in the audit log (who, when, from, to). Two admins editing the same row at once:
the second save finds the version it was shown is no longer current and is refused with what is
saved now (EditConflict), keeping what they typed. A term is never deleted or retired: applications
refer to terms, and the Term model has no retired flag, so an admin may only add and relabel.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from grants import audit
from grants.access import ALL_PROGRAMMES, staff_grants, staff_roles
from grants.agreement_terms import current_version, standard_text
from grants.awards.offers import MAX_TERMS
from grants.errors import NotFound
from grants.extensions import db
from grants.form_fields import version_or_none
from grants.models import AgreementTerms, Programme, Term, User
from grants.models.programmes import VOCABULARIES

MAX_NAME = 200  # programmes.name
MAX_LABEL = 200  # terms.label
MAX_CODE = 40  # terms.code is 64 wide; shorter keeps "vocabulary:code" inside the audit reference
CODE_SHAPE = re.compile(r"[a-z][a-z0-9_]*")
LINE_BREAKS = frozenset("\t\n\r")


class NotAllowed(Exception):
    """The admin may not change this (another programme's, or a shared vocabulary)."""


class Problems(Exception):
    """What is wrong with what was typed, by field name; nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class EditConflict(Exception):
    """Someone else saved this since the form was shown; nothing was saved."""


# -- who may ------------------------------------------------------------------------------------------


def can_edit_programme(user: User, programme_id: int) -> bool:
    return "admin" in staff_roles(user, programme_id)


def can_edit_vocabularies(user: User) -> bool:
    return "admin" in staff_grants(user).get(ALL_PROGRAMMES, frozenset())


# -- checking what was typed ----------------------------------------------------------------------------


def _checked(raw: str, what: str, limit: int, *, multiline: bool = False) -> str:
    """The value to store: NUL and control characters refused, spaces trimmed (one line: collapsed)."""
    if "\x00" in raw:
        raise ValueError(f"{what} must not contain a NUL character (\\0): remove it and try again")
    allowed = LINE_BREAKS if multiline else frozenset("\t")
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in raw):
        raise ValueError(f"{what} must not contain control characters: remove them and try again")
    if not raw:
        raise ValueError(f"Enter {what[0].lower() + what[1:]}")
    if multiline:
        value = "\n".join(line.rstrip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()
    else:
        value = " ".join(raw.split())
    if not value:
        raise ValueError(f"{what} must not be only spaces")
    if len(value) > limit:
        raise ValueError(f"{what} must be {limit:,} characters or fewer")
    return value


def _check(errors: dict[str, str], field: str, raw: str, what: str, limit: int, **kwargs: Any) -> str:
    try:
        return _checked(raw, what, limit, **kwargs)
    except ValueError as exc:
        errors[field] = str(exc)
        return ""


# -- programmes -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeRow:
    programme: Programme
    terms_version: int
    editable: bool


def programmes(user: User) -> list[ProgrammeRow]:
    """Every programme, with its terms' newest version and whether this admin may change it."""
    newest = dict(
        db.session.execute(
            select(AgreementTerms.programme_id, func.max(AgreementTerms.version)).group_by(AgreementTerms.programme_id)
        ).all()
    )
    return [
        ProgrammeRow(p, int(newest.get(p.id, 0)), can_edit_programme(user, p.id))
        for p in db.session.scalars(select(Programme).order_by(Programme.code))
    ]


@dataclass(frozen=True)
class ProgrammeNow:
    """A programme as saved now: its name, its terms' text and version (0: none yet, the standard text)."""

    programme: Programme
    terms: str
    terms_version: int

    def form_values(self) -> dict[str, str]:
        return {
            "name": self.programme.name,
            "agreement_terms": self.terms,
            "version_id": str(self.programme.version_id),
            "terms_version": str(self.terms_version),
        }


def programme_for_edit(user: User, code: str) -> ProgrammeNow:
    """NotFound if there is no such programme, NotAllowed if this admin does not administer it."""
    if "\x00" in code or len(code) > 16:  # no such code; PostgreSQL refuses a NUL in a query
        raise NotFound
    programme = db.session.scalar(select(Programme).where(Programme.code == code))
    if programme is None:
        raise NotFound
    if not can_edit_programme(user, programme.id):
        raise NotAllowed
    current = current_version(programme.id)
    if current is None:
        return ProgrammeNow(programme, standard_text(), 0)
    return ProgrammeNow(programme, current.text, current.version)


def update_programme(
    user: User, code: str, name: str, terms: str, version_id: str | None, terms_version: str | None
) -> list[str]:
    """Save the name and the terms (a new version when they changed); returns what changed, in words.

    Problems when a value is wrong, EditConflict when the programme or its terms were saved by someone
    else since the form was shown.
    """
    now = programme_for_edit(user, code)
    programme = now.programme
    errors: dict[str, str] = {}
    new_name = _check(errors, "name", name, "The programme's name", MAX_NAME)
    new_terms = _check(errors, "agreement_terms", terms, "The agreement terms", MAX_TERMS, multiline=True)
    if "name" not in errors and new_name.casefold() != programme.name.casefold():
        clash = db.session.scalar(
            select(Programme.code).where(func.lower(Programme.name) == new_name.lower(), Programme.id != programme.id)
        )
        if clash is not None:
            errors["name"] = f"There is already a programme called {new_name} ({clash}): choose another name"
    if version_or_none(version_id) != programme.version_id or version_or_none(terms_version) != now.terms_version:
        raise EditConflict
    if errors:
        raise Problems(errors)
    changed = []
    try:
        if new_name != programme.name:
            _record(user, "programme", programme.id, programme.code, "change_programme_name", programme.name, new_name)
            programme.name = new_name
            changed.append("name")
        if new_terms != now.terms:
            version = now.terms_version + 1
            db.session.add(
                AgreementTerms(programme_id=programme.id, version=version, text=new_terms, created_by_id=user.id)
            )
            _record(
                user,
                "programme",
                programme.id,
                programme.code,
                "change_agreement_terms",
                now.terms,
                new_terms,
                from_version=now.terms_version,
                to_version=version,
            )
            changed.append("standard agreement terms")
        db.session.commit()
    except (StaleDataError, IntegrityError):  # saved by someone else between our read and our write
        db.session.rollback()
        raise EditConflict from None
    return changed


def _record(
    user: User, kind: str, subject_id: int, reference: str, action: str, old: str, new: str, **more: Any
) -> None:
    audit.record(
        actor=user,
        subject_type=kind,
        subject_id=subject_id,
        subject_reference=reference[:64],
        action=action,
        data={"from": old, "to": new, **more},
    )


# -- vocabularies ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VocabularySummary:
    key: str
    label: str
    terms: int


def vocabularies() -> list[VocabularySummary]:
    counts = dict(db.session.execute(select(Term.vocabulary, func.count(Term.id)).group_by(Term.vocabulary)).all())
    return [VocabularySummary(key, label, int(counts.get(key, 0))) for key, label in VOCABULARIES.items()]


def vocabulary_label(vocabulary: str) -> str:
    if vocabulary not in VOCABULARIES:
        raise NotFound
    return VOCABULARIES[vocabulary]


def vocabulary_terms(vocabulary: str) -> list[Term]:
    """The vocabulary's terms in their order on forms and in reports. NotFound for an unknown vocabulary."""
    vocabulary_label(vocabulary)
    return list(db.session.scalars(select(Term).where(Term.vocabulary == vocabulary).order_by(Term.position, Term.id)))


def term_for_edit(user: User, vocabulary: str, term_id: int) -> Term:
    vocabulary_label(vocabulary)
    term = db.session.get(Term, term_id)
    if term is None or term.vocabulary != vocabulary:
        raise NotFound
    if not can_edit_vocabularies(user):
        raise NotAllowed
    return term


def term_form_values(term: Term) -> dict[str, str]:
    return {"label": term.label, "version_id": str(term.version_id)}


def _one_of(vocabulary: str) -> str:
    """ "a district", "an area of focus", "a Police and Crime Plan priority"."""
    label = VOCABULARIES[vocabulary]
    if not label.startswith("Police"):
        label = label[0].lower() + label[1:]
    return ("an " if label[0] in "aeiou" else "a ") + label


def _label_clash(vocabulary: str, label: str, other_than: int | None = None) -> str | None:
    query = select(Term.code).where(Term.vocabulary == vocabulary, func.lower(Term.label) == label.lower())
    if other_than is not None:
        query = query.where(Term.id != other_than)
    code = db.session.scalar(query.limit(1))
    if code is None:
        return None
    return f"There is already {_one_of(vocabulary)} called {label} (code {code}): choose another label"


def relabel_term(user: User, vocabulary: str, term_id: int, label: str, version_id: str | None) -> tuple[Term, bool]:
    """Change a term's label; returns the term and whether anything changed."""
    term = term_for_edit(user, vocabulary, term_id)
    errors: dict[str, str] = {}
    new_label = _check(errors, "label", label, "The label", MAX_LABEL)
    if "label" not in errors:
        clash = _label_clash(vocabulary, new_label, other_than=term.id)
        if clash:
            errors["label"] = clash
    if version_or_none(version_id) != term.version_id:
        raise EditConflict
    if errors:
        raise Problems(errors)
    if new_label == term.label:
        return term, False
    try:
        _record(user, "term", term.id, f"{vocabulary}:{term.code}", "relabel_term", term.label, new_label)
        term.label = new_label
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise EditConflict from None
    return term, True


def add_term(user: User, vocabulary: str, code: str, label: str) -> Term:
    """A new term at the end of the vocabulary. Problems names each field that is wrong."""
    vocabulary_label(vocabulary)
    if not can_edit_vocabularies(user):
        raise NotAllowed
    errors: dict[str, str] = {}
    new_code = _check(errors, "code", code, "The code", MAX_CODE)
    if "code" not in errors and not CODE_SHAPE.fullmatch(new_code):
        errors["code"] = (
            "The code must start with a lower-case letter and use only lower-case letters, numbers and "
            "underscores, like youth_violence"
        )
    new_label = _check(errors, "label", label, "The label", MAX_LABEL)
    if "code" not in errors and _code_taken(vocabulary, new_code):
        errors["code"] = _code_taken_message(vocabulary, new_code)
    if "label" not in errors:
        clash = _label_clash(vocabulary, new_label)
        if clash:
            errors["label"] = clash
    if errors:
        raise Problems(errors)
    last = db.session.scalar(select(func.max(Term.position)).where(Term.vocabulary == vocabulary))
    term = Term(vocabulary=vocabulary, code=new_code, label=new_label, position=(last or 0) + 1)
    try:
        db.session.add(term)
        db.session.flush()
        audit.record(
            actor=user,
            subject_type="term",
            subject_id=term.id,
            subject_reference=f"{vocabulary}:{new_code}",
            action="add_term",
            data={"vocabulary": vocabulary, "code": new_code, "from": None, "to": new_label},
        )
        db.session.commit()
    except IntegrityError:  # the same code added by someone else a moment ago
        db.session.rollback()
        raise Problems({"code": _code_taken_message(vocabulary, new_code)}) from None
    return term


def _code_taken(vocabulary: str, code: str) -> bool:
    return db.session.scalar(select(Term.id).where(Term.vocabulary == vocabulary, Term.code == code)) is not None


def _code_taken_message(vocabulary: str, code: str) -> str:
    return f"There is already {_one_of(vocabulary)} with the code {code}: codes cannot repeat"
