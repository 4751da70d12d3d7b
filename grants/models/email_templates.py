"""A programme's own wording for an email the service sends, edited by its officers.

`key` names the email: for a transition's email, `<workflow>.<transition>.<audience>` (audience
`organisation` or `officers`); other emails choose keys of their own. With no row, the service's
default wording is used. Subject and body hold placeholders the sender fills in; which ones an
email knows is the sender's to say, and an unknown one is refused when the template is saved.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grants.models.base import Base, UTCDateTime, utcnow


class EmailTemplate(Base):
    __tablename__ = "email_templates"
    __table_args__ = (UniqueConstraint("programme_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    key: Mapped[str] = mapped_column(String(160))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Two officers editing the same template: the second save is refused, not silently lost.
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}
