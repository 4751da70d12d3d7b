"""Bearer tokens for the JSON API, issued to a user by an admin (or `grantflow users token`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, utcnow
from grants.models.people import User
from grants.models.programmes import Programme


class ApiToken(Base):
    """Only the SHA-256 of the token is stored; the token itself is shown once, when issued.

    A token acts for its user, narrowed to one role and (optionally) one programme.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # the first characters, to tell tokens apart
    role: Mapped[str] = mapped_column(String(32))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    programme: Mapped[Programme | None] = relationship()
