"""Which officer looks after a case: one named officer per case of any kind, so lists can show
"my cases" and work can be shared out.

Like notes (grants.models.correspondence), one table serves every kind of case: a row names its case
by the case type's key and id. The programme is copied on when the officer is assigned, so the
lists' officer choices need no join through every case table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, utcnow
from grants.models.people import User


class CaseOfficer(Base):
    __tablename__ = "case_officers"
    __table_args__ = (
        UniqueConstraint("case_kind", "case_id", name="uq_case_officers_case"),
        Index("ix_case_officers_officer", "officer_id", "case_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_kind: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int] = mapped_column(Integer)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
