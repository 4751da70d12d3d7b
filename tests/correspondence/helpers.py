"""Test data for the correspondence tests, and for the organisation picture that lists the same notes and
messages: what staff wrote on an organisation's cases."""

from __future__ import annotations

from typing import Any

from grants.models import CaseNote, User
from tests.factories import CaseNoteFactory, staff_user


def staff_wrote(subject: Any, kind: str, body: str, author: User | None = None) -> CaseNote:
    """A private note (kind "note") or a message to the organisation ("message") on a case of theirs (an
    application, award, payment, return or contract), by `author`, else by a new officer, Priya Sharma."""
    author = author or staff_user("officer", name="Priya Sharma")
    return CaseNoteFactory(
        case_kind=subject.__audit_type__, case_id=subject.id, kind=kind, body=body,
        organisation_id=subject.owning_organisation_id(), author_id=author.id,
    )  # fmt: skip
