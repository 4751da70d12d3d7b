"""Applications to a grant round (minimal for now: the apply issue adds answers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, Workflowed, utcnow
from grants.models.people import Organisation, User
from grants.models.programmes import Round


class Application(Workflowed, Base):
    __tablename__ = "applications"
    __audit_type__ = "application"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    project_title: Mapped[str] = mapped_column(String(200), default="")
    amount_requested_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship(lazy="joined", innerjoin=True)
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def reference(self) -> str:
        return self.public_reference or f"Draft {self.id}"

    @property
    def amount_pence(self) -> int:
        return self.amount_requested_pence

    def owning_programme_id(self) -> int:
        return self.round.programme_id

    def owning_organisation_id(self) -> int:
        return self.organisation_id
