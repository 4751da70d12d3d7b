"""The 360Giving files of a big programme (more than BACKGROUND_OPEN_DATA_ROWS published grants), made by
the worker and served as published files: never made inside a public request.

Each programme and format has a row (grants.models.OpenDataFile) naming the last complete file in the
exports folder and the stamp of the published grants it was made from. The scheduler's pass (`refresh`,
each minute) asks for a rebuild when the stamp of the grants now differs; the public download serves the
last complete file meanwhile, or, when there is none yet, asks for one and says the file is being
prepared. A rebuild is asked for with a compare-and-set on the row (no rebuild of it waiting or being
made), so two passes at once queue one. The job is the service's own: it has no person who asked, so
it sends no email and no one sees it on "Your files".
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from grants import audit
from grants.extensions import db
from grants.jobs import queue as job_queue
from grants.jobs import services as jobs
from grants.jobs.kinds import JobFailed, JobKind, Progress, register
from grants.models import AuditEvent, Award, BackgroundJob, OpenDataFile, Programme
from grants.models.base import utcnow
from grants.models.jobs import QUEUED, WAITING
from grants.open_data import services
from grants.open_data.queries import published_awards
from grants.transactions import lock_row

log = logging.getLogger(__name__)
KIND = "open_data_file"
FORMATS = services.FORMATS
# A rebuild that failed is asked for again after this long (a failing one is not retried every minute).
RETRY_FAILED_AFTER = timedelta(minutes=15)
# A published file no row names this long after it was written is one a killed worker left: removed.
UNNAMED_FILE_AGE = timedelta(hours=1)
RETRY_AFTER_SECONDS = 120  # what the "being prepared" page tells browsers and harvesters


class Preparing(Exception):
    """No complete file yet: a rebuild has been asked for."""


@dataclass(frozen=True)
class Served:
    handle: IO[bytes]
    made_at: datetime | None
    size_bytes: int


@dataclass(frozen=True)
class MadeFile:
    """What the open data page says about a published file."""

    made_at: datetime
    size_bytes: int

    @property
    def size(self) -> str:
        return size_label(self.size_bytes)


def size_label(size_bytes: int) -> str:
    if size_bytes < 1024:
        return f"{size_bytes} bytes"
    if size_bytes < 1024 * 1024:
        return f"{size_bytes / 1024:.0f} KB"
    return f"{size_bytes / (1024 * 1024):.1f} MB"


def threshold() -> int:
    return int(current_app.config["BACKGROUND_OPEN_DATA_ROWS"])


def _programme(code: str) -> tuple[int, int] | None:
    """The programme's id and how many grants it publishes, or None when there is no such programme."""
    found = db.session.execute(
        select(Programme.id, func.count(Award.id))
        .outerjoin(Award, published_awards(Programme.id))
        .where(Programme.code == code)
        .group_by(Programme.id)
    ).first()
    return (int(found[0]), int(found[1])) if found else None


def made_by_worker(code: str) -> bool:
    """Whether this programme's files are the worker's (more published grants than the threshold)."""
    found = _programme(code)
    return found is not None and found[1] > threshold()


def stamp(programme_id: int) -> str:
    """What the published grants are now, as one string: their count and total, the latest change to any
    of them (row or history), and the publisher's details. A different stamp means a different file."""
    count, total, changed, created = db.session.execute(
        select(
            func.count(Award.id),
            func.coalesce(func.sum(Award.amount_pence), 0),
            func.max(Award.state_changed_at),
            func.max(Award.created_at),
        ).where(published_awards(programme_id))
    ).one()
    audited = db.session.scalar(
        select(func.max(AuditEvent.occurred_at))
        .join(Award, and_(AuditEvent.subject_type == "award", AuditEvent.subject_id == Award.id))
        .where(published_awards(programme_id))
    )
    publisher = services.publisher()
    parts = [count, total, changed, created, audited, *sorted(publisher.items()), services.license_url()]
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()


def _row(programme_id: int, output_format: str) -> OpenDataFile:
    """The programme's row for this format, added if it has none (two at once: one is added)."""
    query = select(OpenDataFile).where(
        OpenDataFile.programme_id == programme_id, OpenDataFile.output_format == output_format
    )
    found = db.session.scalars(query).first()
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            db.session.add(OpenDataFile(programme_id=programme_id, output_format=output_format, grants=0, size_bytes=0))
    except IntegrityError:
        pass  # another pass added it first
    return db.session.scalars(query).one()


def ask_rebuild(programme_id: int, code: str, output_format: str, now_stamp: str, now: datetime) -> int | None:
    """Queue a rebuild of the file unless it is made from these grants already, or a rebuild of it is
    waiting or being made. Returns the job's id, or None when none was queued.

    The programme's row is locked first (SQLite: the database's write lock), so asks at once take turns."""
    lock_row(Programme, programme_id)
    row = _row(programme_id, output_format)
    row_id = row.id
    if row.stamp == now_stamp and row.stored_name:
        db.session.commit()
        return None
    waiting = exists().where(BackgroundJob.id == OpenDataFile.job_id, BackgroundJob.state.in_(WAITING))
    taken = db.session.execute(
        update(OpenDataFile)
        .where(
            OpenDataFile.id == row_id,
            ~waiting,
            or_(
                OpenDataFile.queued_stamp.is_(None),
                OpenDataFile.queued_stamp != now_stamp,
                OpenDataFile.queued_at < now - RETRY_FAILED_AFTER,
            ),
        )
        .values(queued_stamp=now_stamp, queued_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if taken != 1:
        db.session.commit()
        return None
    parameters = {"programme": code, "format": output_format}
    job = BackgroundJob(
        kind=KIND,
        parameters=parameters,
        dedupe_key=jobs.dedupe_key(KIND, parameters),
        title=f"{code} 360Giving {'JSON' if output_format == 'json' else 'spreadsheet'} (published)",
        download_name=services.download_filename(code, output_format),
        requested_by_id=None,
        programme_id=programme_id,
        state=QUEUED,
        rows_done=0,
        attempts=0,
        created_at=now,
        heartbeat_at=now,
    )
    db.session.add(job)
    db.session.flush()
    db.session.execute(update(OpenDataFile).where(OpenDataFile.id == row_id).values(job_id=job.id))
    audit.record(
        actor=None,
        subject_type=jobs.AUDIT_SUBJECT,
        subject_id=job.id,
        subject_reference=f"Job {job.id}",
        action="publish_open_data",
        to_state=QUEUED,
        reason=job.title,
        data={"kind": KIND, "parameters": parameters, "title": job.title, "asked_for_by": None},
    )
    job_id = job.id
    db.session.commit()
    try:
        job_queue.send(job_id)
    except Exception:  # the queue did not answer: the job waits as queued and the scheduler sends it again
        log.exception("job %s: could not reach the job queue; the scheduler will send it again", job_id)
    return job_id


def refresh(now: datetime) -> list[int]:
    """The scheduler's pass: queue a rebuild of each big programme's files whose grants have changed."""
    big = db.session.execute(
        select(Programme.id, Programme.code)
        .join(Award, published_awards(Programme.id))
        .group_by(Programme.id, Programme.code)
        .having(func.count(Award.id) > threshold())
        .order_by(Programme.code)
    ).all()
    queued = []
    for programme_id, code in big:
        now_stamp = stamp(programme_id)
        for output_format in FORMATS:
            job_id = ask_rebuild(programme_id, code, output_format, now_stamp, now)
            if job_id is not None:
                queued.append(job_id)
    db.session.commit()
    return queued


def remove_unnamed(now: datetime) -> int:
    """Remove the published files no row names, an hour after they were written: a worker killed between
    renaming a new file into place and saving its row leaves one (temporary files start with a dot and are
    jobs.remove_temporary_files's). Returns how many were removed."""
    named = set(db.session.scalars(select(OpenDataFile.stored_name).where(OpenDataFile.stored_name.is_not(None))))
    db.session.commit()
    cutoff = (now - UNNAMED_FILE_AGE).timestamp()
    removed = 0
    for path in jobs.folder().glob("open-data-*"):
        try:
            if path.name not in named and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another pass took it meanwhile
            continue
    return removed


def open_file(code: str, output_format: str) -> Served:
    """The last complete file, open for sending. Raises services.NotPublished (no such programme, nothing
    published) or Preparing (none made yet: a rebuild is asked for; nothing is made here)."""
    found = _programme(code)
    if found is None or not found[1]:
        raise services.NotPublished(f"{code} has nothing published.")
    programme_id = found[0]
    for _attempt in range(2):  # a rebuild may replace the file between reading its row and opening it
        row = db.session.scalars(
            select(OpenDataFile).where(
                OpenDataFile.programme_id == programme_id, OpenDataFile.output_format == output_format
            )
        ).first()
        if row is None or not row.stored_name:
            break
        made_at, size = row.made_at, row.size_bytes
        try:
            handle = open(jobs.folder() / row.stored_name, "rb")  # noqa: SIM115 - the response closes it
        except FileNotFoundError:
            db.session.rollback()
            continue
        db.session.commit()
        return Served(handle, made_at, size)
    ask_rebuild(programme_id, code, output_format, stamp(programme_id), utcnow())
    raise Preparing()


def made_files() -> dict[tuple[str, str], MadeFile]:
    """(programme code, format) → when its published file was made and its size: one statement."""
    rows = db.session.execute(
        select(Programme.code, OpenDataFile.output_format, OpenDataFile.made_at, OpenDataFile.size_bytes)
        .join(OpenDataFile, OpenDataFile.programme_id == Programme.id)
        .where(OpenDataFile.stored_name.is_not(None), OpenDataFile.made_at.is_not(None))
    ).all()
    return {(code, fmt): MadeFile(made_at, int(size)) for code, fmt, made_at, size in rows if made_at}


# -- the job ----------------------------------------------------------------------------------------------
def _safe(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", code)[:60]


def build(parameters: dict[str, Any], target: Path, progress: Progress) -> None:
    """Write the programme's file whole under a new name, then make it the published one (the old one is
    removed), with the stamp of the grants it was made from. The job's own file is a link to it."""
    code, output_format = str(parameters["programme"]), str(parameters["format"])
    if output_format not in FORMATS:
        raise JobFailed(f"Unknown format {output_format!r}.")
    found = _programme(code)
    if found is None:
        raise JobFailed(f"There is no programme with the code {code!r}.")
    programme_id, count = found
    made_from = stamp(programme_id)  # read before the grants: a change meanwhile is made again next pass
    progress.total = count
    stored_name = f"open-data-{_safe(code)}-{secrets.token_hex(8)}.{output_format}"
    path = jobs.folder() / stored_name
    try:
        written = services.export_to_file(code, path, output_format, counted=progress.counted)
    except services.NotPublished as exc:
        raise JobFailed(str(exc)) from exc
    db.session.rollback()
    lock_row(Programme, programme_id)  # as ask_rebuild does: SQLite's write lock before reading the row
    row = _row(programme_id, output_format)
    old = row.stored_name
    row.stored_name, row.stamp, row.grants = stored_name, made_from, written.count
    row.size_bytes, row.made_at = path.stat().st_size, utcnow()
    db.session.commit()
    if old and old != stored_name:
        (jobs.folder() / old).unlink(missing_ok=True)
    try:
        os.link(path, target)
    except OSError:
        shutil.copyfile(path, target)


def may_see(_user: Any, _parameters: dict[str, Any]) -> bool:
    return False  # the service's own job: its file is published on the open data page, not on "Your files"


register(JobKind(name=KIND, build=build, may_see=may_see, noun="360Giving file"))
