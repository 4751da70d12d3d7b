"""The queue that carries a job's id to a worker: Huey, on a SQLite file or on Redis.

Only the id travels: the job's row (grants.models.jobs) is the truth, and a worker claims it with a
compare-and-set before working, so a message delivered twice, or sent again after its worker died,
makes the file once. `JOB_QUEUE_URL` chooses the storage:

- `sqlite:///path`: a file (the embedded default of `make run`: no Redis needed; one host);
- `redis://host:6379/1` (or `rediss://`, `unix://`): production, workers on any host; add `?queue=name`
  to keep apart the queues of several services (or test runs) sharing one Redis database;
- `immediate`: the job runs at once inside the call that queues it (tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Flask, current_app, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

TASK_NAME = "grantflow.run_job"
QUEUE_NAME = "grantflow-jobs"


class QueueSettingError(ValueError):
    pass


def make_queue(url: str) -> Huey:
    """The Huey for a `JOB_QUEUE_URL`."""
    if url == "immediate":
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if url.startswith("sqlite:///"):
        return SqliteHuey(QUEUE_NAME, filename=url.removeprefix("sqlite:///"), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        redis_url, name = _queue_name(url)
        return RedisHuey(name, url=redis_url, results=False)
    raise QueueSettingError(
        f"JOB_QUEUE_URL must be sqlite:///path, redis://host:port/db or immediate; got {url.split(':')[0]!r}"
    )


def _queue_name(url: str) -> tuple[str, str]:
    """The Redis address without `queue=`, and the queue's name (QUEUE_NAME unless `queue=` gives one)."""
    address, _, query = url.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    names = [value for key, value in pairs if key == "queue" and value]
    if not names:
        return url, QUEUE_NAME
    rest = urlencode([(key, value) for key, value in pairs if key != "queue"])
    return f"{address}?{rest}" if rest else address, names[-1]


def init_app(app: Flask, run: Callable[[int], None]) -> None:
    """Make the app's queue (JOB_QUEUE_URL)."""
    app.extensions["job_queue"] = attach(app, make_queue(app.config["JOB_QUEUE_URL"]), run)


def attach(app: Flask, huey: Huey, run: Callable[[int], None]) -> tuple[Huey, Any]:
    """Register the one task on this queue: run the job with this id, in this app. Returns (queue, task)."""

    def run_job(job_id: int) -> None:
        if has_app_context():  # immediate mode, inside the request (or test) that queued it
            run(job_id)
            return
        with app.app_context():
            run(job_id)

    return huey, huey.task(name=TASK_NAME, retries=0)(run_job)


def queue_of(app: Flask | None = None) -> Huey:
    huey, _task = (app or current_app).extensions["job_queue"]
    return huey  # type: ignore[no-any-return]


def send(job_id: int) -> None:
    """Put the job's id on the queue (in immediate mode: run it now)."""
    _huey, task = current_app.extensions["job_queue"]
    task(job_id)


def waiting_messages(app: Flask | None = None) -> Any:
    """How many messages wait on the queue (the job rows are the figures to trust: see services.figures)."""
    return queue_of(app).pending_count()
