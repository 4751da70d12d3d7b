"""The published 360Giving files of a big programme, made by a worker (grants.open_data.published).

One row per programme and format. `stored_name` is the last complete file in the exports folder (served
to the public until a newer one is complete), with the stamp of the published grants it was made from.
`queued_stamp` and `job_id` say which rebuild was last asked for, so one is made at a time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grants.models.base import Base, UTCDateTime


class OpenDataFile(Base):
    __tablename__ = "open_data_files"
    __table_args__ = (UniqueConstraint("programme_id", "output_format", name="uq_open_data_files_programme_format"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    output_format: Mapped[str] = mapped_column(String(8))  # "json" or "xlsx"
    # The last complete file: its name in the exports folder, what it was made from, when, its size.
    stored_name: Mapped[str | None] = mapped_column(String(200))
    stamp: Mapped[str | None] = mapped_column(String(64))
    grants: Mapped[int] = mapped_column(Integer, default=0)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    made_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The rebuild last asked for: the stamp it was asked for, when, and its job.
    queued_stamp: Mapped[str | None] = mapped_column(String(64))
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("background_jobs.id"))
