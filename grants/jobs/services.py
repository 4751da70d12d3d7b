"""Background jobs, from asking to removing the file.

A job is asked for (`ask`: the same file already waiting is not asked again; a person has at most
`JOB_LIMIT_PER_USER` waiting), its id goes on the queue, a worker claims it (`claim`: queued -> running,
or a running one whose heartbeat stopped, with a compare-and-set that adds an attempt), works while a
heartbeat thread writes its progress (`Heartbeat`), writes the file under a temporary name and renames
it, then finishes it (`finish`, fenced by the attempt: a worker presumed dead cannot finish a job
another has taken) and queues the email, in one transaction. `requeue_stale` (the scheduler each
minute, a worker as it starts) puts back jobs whose worker died; `remove_expired` deletes old files.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Engine, and_, func, or_, select, update

from grants import audit
from grants.email_wording.links import page_address
from grants.errors import NotFound
from grants.extensions import db
from grants.formatting import london
from grants.jobs import queue, scratch
from grants.jobs.kinds import JobFailed, Progress, kind_of
from grants.mail import queue_email
from grants.models import User
from grants.models.base import utcnow
from grants.models.jobs import DONE, FAILED, QUEUED, RUNNING, WAITING, BackgroundJob
from grants.transactions import lock_row

log = logging.getLogger(__name__)
TEMPORARY_SUFFIX = ".tmp"
SHOWN = 20  # jobs listed on "Your files"


class JobLimitReached(Exception):
    """This person already has as many files waiting as they may: the message says what to do."""


def _setting(name: str) -> Any:
    return current_app.config[name]


def folder() -> Path:
    path = Path(_setting("EXPORT_FOLDER"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def dedupe_key(kind: str, parameters: dict[str, Any]) -> str:
    return f"{kind}:{json.dumps(parameters, sort_keys=True, separators=(',', ':'))}"[:400]


# -- asking ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Asked:
    job_id: int
    already_asked: bool  # the same file was already waiting: this is that job


def ask(
    user: User,
    kind: str,
    parameters: dict[str, Any],
    *,
    title: str,
    download_name: str,
    programme_id: int | None = None,
) -> Asked:
    """Queue a job for this person, or find theirs that already makes the same file.

    Raises JobLimitReached when they have `JOB_LIMIT_PER_USER` waiting already. The person's row is
    locked while this checks and adds, so two clicks at once make one job."""
    key = dedupe_key(kind, parameters)
    lock_row(User, user.id)
    waiting = db.session.execute(
        select(BackgroundJob.id, BackgroundJob.dedupe_key).where(
            BackgroundJob.requested_by_id == user.id, BackgroundJob.state.in_(WAITING)
        )
    ).all()
    same = [job_id for job_id, job_key in waiting if job_key == key]
    if same:
        db.session.rollback()
        return Asked(same[0], already_asked=True)
    limit = int(_setting("JOB_LIMIT_PER_USER"))
    if len(waiting) >= limit:
        db.session.rollback()
        raise JobLimitReached(
            f"You already have {len(waiting)} files being made, the most you can have at once. "
            "Wait for one to finish, then ask again."
        )
    now = utcnow()
    job = BackgroundJob(
        kind=kind,
        parameters=parameters,
        dedupe_key=key,
        title=title[:300],
        download_name=download_name[:200],
        requested_by_id=user.id,
        programme_id=programme_id,
        state=QUEUED,
        rows_done=0,
        attempts=0,
        created_at=now,
        heartbeat_at=now,  # when its message was sent: `requeue_stale` sends another if none is taken
    )
    db.session.add(job)
    db.session.flush()
    _audit(job, user, "ask_for_file", to_state=QUEUED)
    db.session.commit()
    _send(job.id)
    return Asked(job.id, already_asked=False)


AUDIT_SUBJECT = "background_job"  # the admin audit log shows it as "background job"


def _audit(job: BackgroundJob, actor: User, action: str, **details: Any) -> None:
    """A row in the audit log about a job: who, which job (its number and title), its kind and parameters."""
    audit.record(
        actor=actor,
        subject_type=AUDIT_SUBJECT,
        subject_id=job.id,
        subject_reference=f"Job {job.id}",
        action=action,
        reason=job.title,
        data={
            "kind": job.kind,
            "parameters": dict(job.parameters),
            "title": job.title,
            "asked_for_by": job.requested_by_id,
        },
        **details,
    )


def _send(job_id: int) -> None:
    """Put the id on the queue. If the queue is down, the job waits as queued and `requeue_stale` sends it
    again once the queue answers: nothing is lost."""
    try:
        queue.send(job_id)
    except Exception:  # the queue's storage (Redis, a file) did not answer
        log.exception("job %s: could not reach the job queue; the scheduler will send it again", job_id)


def retry(user: User, job_id: int) -> None:
    """The person who asked for a failed job asks again: it is queued afresh."""
    job = db.session.get(BackgroundJob, job_id)
    if job is None or job.requested_by_id != user.id or not job.is_failed:
        raise NotFound()
    waiting = db.session.scalar(
        select(func.count(BackgroundJob.id)).where(
            BackgroundJob.requested_by_id == user.id, BackgroundJob.state.in_(WAITING)
        )
    )
    if (waiting or 0) >= int(_setting("JOB_LIMIT_PER_USER")):
        raise JobLimitReached(
            f"You already have {waiting} files being made, the most you can have at once. "
            "Wait for one to finish, then try again."
        )
    changed = db.session.execute(
        update(BackgroundJob)
        .where(BackgroundJob.id == job_id, BackgroundJob.state == FAILED)
        .values(state=QUEUED, error=None, rows_done=0, attempts=0, finished_at=None, heartbeat_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    if changed:
        _audit(job, user, "retry_file", from_state=FAILED, to_state=QUEUED)
    db.session.commit()
    if changed:
        _send(job_id)


# -- reading -----------------------------------------------------------------------------------------
def visible(user: User, job_id: int) -> BackgroundJob:
    """The job, for the person who asked for it or someone holding the same rights; NotFound for anyone else."""
    job = db.session.get(BackgroundJob, job_id)
    if job is None:
        raise NotFound()
    if job.requested_by_id == user.id:
        return job
    try:
        kind = kind_of(job.kind)
    except JobFailed:
        raise NotFound() from None
    if not kind.may_see(user, dict(job.parameters)):
        raise NotFound()
    return job


def is_kept(job: BackgroundJob) -> bool:
    return bool(job.is_done and job.stored_name and job.expires_at and job.expires_at > utcnow())


def extension(job: BackgroundJob) -> str:
    return Path(job.download_name).suffix.lstrip(".").lower()


def may_download(user: User, job: BackgroundJob) -> bool:
    """Whether this person may fetch the job's file now: they hold the rights it needs (its kind's
    `may_see`), the person who asked included, since rights change (a conflict of interest declared on
    a bid in a panel pack after asking for it keeps the pack from them)."""
    try:
        kind = kind_of(job.kind)
    except JobFailed:
        return False
    return bool(kind.may_see(user, dict(job.parameters)))


def file_for(user: User, job_id: int, extension_asked: str) -> tuple[Path, str]:
    """The finished file's path and the name to save it as; NotFound unless it is theirs (or the same rights'),
    they may still download it, it is finished, still kept, and the extension named is its own.

    The download is written to the audit log: who fetched which job's file."""
    job = visible(user, job_id)
    if not is_kept(job) or extension(job) != extension_asked or job.stored_name is None:
        raise NotFound()
    if not may_download(user, job):
        raise NotFound()
    path = folder() / job.stored_name
    if not path.is_file():
        raise NotFound()
    _audit(job, user, "download_file")
    db.session.commit()
    return path, job.download_name


def jobs_of(user: User) -> list[BackgroundJob]:
    return list(
        db.session.scalars(
            select(BackgroundJob)
            .where(BackgroundJob.requested_by_id == user.id)
            .order_by(BackgroundJob.created_at.desc(), BackgroundJob.id.desc())
            .limit(SHOWN)
        )
    )


def figures() -> dict[str, int]:
    """Jobs waiting and being made (the queue's depth, for /metrics), read from the rows."""
    rows = db.session.execute(
        select(BackgroundJob.state, func.count(BackgroundJob.id))
        .where(BackgroundJob.state.in_(WAITING))
        .group_by(BackgroundJob.state)
    ).all()
    counts = dict.fromkeys(WAITING, 0)
    counts.update({state: int(count) for state, count in rows})
    return counts


# -- working -----------------------------------------------------------------------------------------
def claim(job_id: int, now: datetime) -> int | None:
    """Take the job for this worker: the attempt number, or None when it is not there to take (done,
    failed, or another worker has it and is alive)."""
    stale_before = now - timedelta(seconds=float(_setting("JOB_STALE_SECONDS")))
    taken = db.session.execute(
        update(BackgroundJob)
        .where(
            BackgroundJob.id == job_id,
            or_(
                BackgroundJob.state == QUEUED,
                and_(BackgroundJob.state == RUNNING, BackgroundJob.heartbeat_at < stale_before),
            ),
        )
        .values(
            state=RUNNING,
            attempts=BackgroundJob.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            rows_done=0,
            error=None,
        )
    ).rowcount  # type: ignore[attr-defined]
    if taken != 1:
        db.session.rollback()
        return None
    attempt = db.session.scalar(select(BackgroundJob.attempts).where(BackgroundJob.id == job_id))
    db.session.commit()
    return attempt


def _fenced(job_id: int, attempt: int) -> Any:
    return and_(BackgroundJob.id == job_id, BackgroundJob.state == RUNNING, BackgroundJob.attempts == attempt)


def write_progress(engine: Engine, job_id: int, attempt: int, progress: Progress) -> bool:
    """The heartbeat: progress so far and the time, on a connection of its own (the job's own session is
    reading its snapshot). False when the job is no longer this attempt's."""
    with engine.begin() as connection:
        result = connection.execute(
            update(BackgroundJob)
            .where(_fenced(job_id, attempt))
            .values(heartbeat_at=utcnow(), rows_done=progress.done, rows_total=progress.total)
        )
    return bool(result.rowcount == 1)


class Heartbeat:
    """A thread writing the job's progress and heartbeat every JOB_HEARTBEAT_SECONDS while it works."""

    def __init__(self, engine: Engine, job_id: int, attempt: int, progress: Progress, every: float) -> None:
        self.stopped = threading.Event()
        self.thread = threading.Thread(
            target=self._beat, args=(engine, job_id, attempt, progress, every), name=f"job-{job_id}-heartbeat"
        )
        self.thread.daemon = True

    def _beat(self, engine: Engine, job_id: int, attempt: int, progress: Progress, every: float) -> None:
        while not self.stopped.wait(every):
            try:
                write_progress(engine, job_id, attempt, progress)
            except Exception:  # the database did not answer this time: the next beat tries again
                log.exception("job %s: heartbeat not written", job_id)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()


def _email(job: BackgroundJob, noun: str) -> None:
    if job.requested_by is None:  # the service's own job (a published 360Giving file): nobody to tell
        return
    link = page_address("jobs.job_page", {"job_id": job.id}, fallback="/jobs/")
    queue_email(
        to=job.requested_by.email,
        subject=f"Your {noun} is ready",
        body=(
            f"Dear {job.requested_by.name},\n\n"
            f"The {job.title} you asked for is ready. Sign in and download it here:\n\n{link}\n\n"
            f"It is kept until {london(job.expires_at)}, then removed; after that, ask for it again.\n"
        ),
        key=f"job-ready:{job.id}:{job.attempts}",
    )


def finish(job_id: int, attempt: int, stored_name: str, progress: Progress, noun: str) -> bool:
    """Mark the job done with its file, and queue the email, in one transaction. False (and nothing
    changed) when the job is no longer this attempt's: another worker took it over."""
    now = utcnow()
    expires = now + timedelta(days=float(_setting("JOB_KEEP_DAYS")))
    done = db.session.execute(
        update(BackgroundJob)
        .where(_fenced(job_id, attempt))
        .values(
            state=DONE,
            stored_name=stored_name,
            finished_at=now,
            heartbeat_at=now,
            expires_at=expires,
            rows_done=progress.done,
            rows_total=progress.total if progress.total is not None else progress.done,
        )
    ).rowcount  # type: ignore[attr-defined]
    if done != 1:
        db.session.rollback()
        return False
    job = db.session.get(BackgroundJob, job_id, populate_existing=True)
    assert job is not None  # just updated
    _email(job, noun)
    db.session.commit()
    return True


def fail(job_id: int, attempt: int, message: str) -> None:
    db.session.execute(
        update(BackgroundJob)
        .where(_fenced(job_id, attempt))
        .values(state=FAILED, error=message[:2000], finished_at=utcnow())
    )
    db.session.commit()


UNEXPECTED = (
    "Something went wrong while making the file. Try again; if it fails again, tell the service desk (job {id})."
)


def run(job_id: int) -> None:
    """Make one job's file (the queue's task): claim it, build it under a temporary name, rename it, finish."""
    attempt = claim(job_id, utcnow())
    if attempt is None:
        return
    job = db.session.get(BackgroundJob, job_id, populate_existing=True)
    assert job is not None  # just claimed
    kind_name, parameters, download_name = job.kind, dict(job.parameters), job.download_name
    db.session.commit()  # the kind reads in a transaction (a snapshot) of its own
    progress = Progress(pause=float(_setting("JOB_ROW_PAUSE_SECONDS")))
    stored_name = f"{job_id}-{secrets.token_hex(8)}{Path(download_name).suffix.lower()}"
    target = folder() / stored_name
    engine = db.session.get_bind()
    message: str | None = None
    noun = "file"
    try:
        kind = kind_of(kind_name)
        noun = kind.noun
        if isinstance(engine, Engine):  # a worker (or a request) owning its connections: beat from a thread
            every = float(_setting("JOB_HEARTBEAT_SECONDS"))
            with Heartbeat(engine, job_id, attempt, progress, every):
                kind.build(parameters, target, progress)
        else:  # a session on one connection (tests): the progress is written when it finishes
            kind.build(parameters, target, progress)
    except JobFailed as exc:
        message = str(exc)
    except Exception:
        log.exception("job %s failed", job_id)
        message = UNEXPECTED.format(id=job_id)
    db.session.rollback()  # the kind's reading transaction
    if message is not None:
        target.unlink(missing_ok=True)
        fail(job_id, attempt, message)
        return
    if not finish(job_id, attempt, stored_name, progress, noun):
        target.unlink(missing_ok=True)  # another worker took the job over and makes its own file


# -- the scheduler's (and a starting worker's) pass ------------------------------------------------------
def requeue_stale(now: datetime) -> list[int]:
    """Send again every job whose worker stopped (running, no heartbeat for JOB_STALE_SECONDS) or whose
    message was lost (queued that long with no worker taking it); fail one whose worker died
    JOB_MAX_ATTEMPTS times. Returns the ids sent."""
    stale_before = now - timedelta(seconds=float(_setting("JOB_STALE_SECONDS")))
    most = int(_setting("JOB_MAX_ATTEMPTS"))
    gave_up = db.session.execute(
        update(BackgroundJob)
        .where(
            BackgroundJob.state == RUNNING,
            BackgroundJob.heartbeat_at < stale_before,
            BackgroundJob.attempts >= most,
        )
        .values(
            state=FAILED,
            finished_at=now,
            error=f"The file could not be made: the worker making it stopped {most} times. Try again later.",
        )
    ).rowcount  # type: ignore[attr-defined]
    if gave_up:
        log.warning("jobs: %s given up after %s attempts", gave_up, most)
    stalled = list(
        db.session.scalars(
            select(BackgroundJob.id)
            .where(BackgroundJob.state.in_(WAITING), BackgroundJob.heartbeat_at < stale_before)
            .order_by(BackgroundJob.id)
        )
    )
    if stalled:
        db.session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id.in_(stalled), BackgroundJob.heartbeat_at < stale_before)
            .values(state=QUEUED, heartbeat_at=now)
        )
    db.session.commit()
    for job_id in stalled:
        log.info("job %s: sent to the queue again (its worker stopped or its message was lost)", job_id)
        _send(job_id)
    return stalled


def remove_expired(now: datetime) -> int:
    """Delete the files kept past JOB_KEEP_DAYS (the job's page then says so), and temporary files left by
    a worker that was killed. Returns the number of files removed."""
    expired = db.session.execute(
        select(BackgroundJob.id, BackgroundJob.stored_name).where(
            BackgroundJob.state == DONE, BackgroundJob.stored_name.is_not(None), BackgroundJob.expires_at <= now
        )
    ).all()
    base = folder()
    for _job_id, stored_name in expired:
        if stored_name:
            (base / stored_name).unlink(missing_ok=True)
    if expired:
        db.session.execute(
            update(BackgroundJob).where(BackgroundJob.id.in_([i for i, _ in expired])).values(stored_name=None)
        )
    db.session.commit()
    left = remove_temporary_files(float(_setting("JOB_STALE_SECONDS")))
    return len(expired) + left


def remove_temporary_files(older_than_seconds: float) -> int:
    """Half-written files of workers that were killed (never served: only renamed files are), and the
    temporary files (openpyxl's sheets) in the folders of worker processes that are gone."""
    removed = 0
    cutoff = time.time() - older_than_seconds
    for path in folder().glob(f".*{TEMPORARY_SUFFIX}"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed + scratch.remove_leftovers(folder(), older_than_seconds)
