"""What people write on a case: officers' private notes, and messages between staff and the
organisation (or provider) the case belongs to.

One table for every kind of case: a row names its case by the case type's key (`application`,
`award`, `payment`, `return`, `contract`, … — a workflowed model's `__audit_type__`) and id, so a
case's history can show notes and messages beside its workflow events. The organisation and
programme are copied onto the row when it is written, so access checks and the organisation's
page need no join through every case table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, utcnow
from grants.models.people import User

NOTE = "note"  # staff only
MESSAGE = "message"  # seen by the organisation's members too, and emailed to them (or to officers)
KINDS = (NOTE, MESSAGE)


class CaseNote(Base):
    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_case", "case_kind", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_kind: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # NOTE or MESSAGE
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # True when a member of the organisation wrote it (a reply), False when staff did.
    from_organisation: Mapped[bool] = mapped_column(default=False)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
