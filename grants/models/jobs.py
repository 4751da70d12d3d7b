"""Background jobs: a file that takes too long to make inside a web request (the finance spreadsheet
at many thousand awards) is asked for here, made by a worker process, and kept for a while.

The row is the truth about a job; the queue (Huey: grants.jobs.queue) only carries its id to a
worker. A worker claims the row (queued -> running, attempts + 1) with a compare-and-set, writes a
heartbeat while it works, and finishes it (done, with the file's stored name, or failed, with why).
A job whose heartbeat stopped (its worker was killed) is queued again by the scheduler or by a worker
starting, so a message lost with its worker is never a job lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, utcnow
from grants.models.people import User

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
WAITING = (QUEUED, RUNNING)  # not finished yet: counted against the per-person limit
JOB_STATES = (QUEUED, RUNNING, DONE, FAILED)


class BackgroundJob(Base):
    __tablename__ = "background_jobs"
    __table_args__ = (Index("ix_background_jobs_requester_state", "requested_by_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # e.g. "finance_export"
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The kind and its parameters as one string: the same export asked for twice is found by it.
    dedupe_key: Mapped[str] = mapped_column(String(400), index=True)
    title: Mapped[str] = mapped_column(String(300))  # what a person sees: "MSCF finance spreadsheet, ..."
    # Who asked; None for the service's own jobs (the published 360Giving files: grants.open_data.published).
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The programme the file is about (None: no one programme): the audit log shows the job's rows to its admins.
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    state: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_total: Mapped[int | None] = mapped_column(Integer)
    stored_name: Mapped[str | None] = mapped_column(String(200))  # the file in the exports folder
    download_name: Mapped[str] = mapped_column(String(200))  # the name the browser saves it as
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])

    @property
    def is_queued(self) -> bool:
        return self.state == QUEUED

    @property
    def is_running(self) -> bool:
        return self.state == RUNNING

    @property
    def is_done(self) -> bool:
        return self.state == DONE

    @property
    def is_failed(self) -> bool:
        return self.state == FAILED

    @property
    def is_waiting(self) -> bool:
        return self.state in WAITING
