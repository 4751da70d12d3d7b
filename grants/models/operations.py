"""What the running service records about itself: the scheduler's heartbeat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from grants.models.base import Base, UTCDateTime, utcnow

SCHEDULER = "scheduler"


class SchedulerHeartbeat(Base):
    """The scheduler's last sign of life, one row per scheduler name, rewritten each minute by the
    leader (in the database, so a readiness check on any web host sees it)."""

    __tablename__ = "scheduler_heartbeats"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
