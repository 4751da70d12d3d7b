"""`grantflow worker`: the process that makes background jobs' files (run one or more, beside the web server).

As it starts it puts back on the queue the jobs whose worker died (no heartbeat for JOB_STALE_SECONDS)
and removes the half-written files they left; then it takes jobs from the queue (Huey's consumer,
JOB_WORKER_THREADS at once) until it is stopped. Ctrl+C (SIGINT) lets the job in hand finish; SIGTERM
stops at once, and that job is queued again by the scheduler's next pass.

Its temporary files (openpyxl's write-only sheets) go to a folder of its own under EXPORT_FOLDER
(grants.jobs.scratch), removed by the next worker to start or the scheduler once this process is gone.

With the queue's Redis unreachable the worker keeps running: Huey's consumer tries again, waiting a
little longer each time up to `max_delay`, and `QueueOutage` makes its logging one warning as the outage
starts, one a minute while it lasts and one line when the queue answers again (not a traceback every two
seconds); a job asked for meanwhile waits as queued in the database and the scheduler's `requeue_stale`
sends it again once Redis answers.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask

from grants.jobs import queue, scratch, services
from grants.models.base import utcnow

log = logging.getLogger(__name__)


def recover(app: Flask) -> list[int]:
    """Jobs a dead worker held (or whose message was lost) back on the queue; its half files removed."""
    with app.app_context():
        sent = services.requeue_stale(utcnow())
        services.remove_temporary_files(float(app.config["JOB_STALE_SECONDS"]))
        return sent


class QueueOutage(logging.Filter):
    """Huey's consumer logs a traceback each time it cannot read the queue: during an outage that is one
    every two seconds per thread. This lets through one warning as the queue stops answering, one a
    minute while it stays silent, and (`answered`) one line when it answers again."""

    FAILED_READS = frozenset({"Error reading from queue", "Error reading schedule."})
    EVERY = 60.0

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.since: float | None = None
        self.told = 0.0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() not in self.FAILED_READS:
            return True
        now = time.monotonic()
        with self.lock:
            if self.since is not None and now - self.told < self.EVERY:
                return False
            first, self.told = self.since is None, now
            since = now if self.since is None else self.since
            self.since = since
        error = record.exc_info[1] if record.exc_info else None
        reason = f"{type(error).__name__}: {error}" if error else "no reason given"
        if first:
            record.msg, record.args = "worker: the job queue does not answer (%s); trying again", (reason,)
        else:
            record.msg = "worker: the job queue has not answered for %d s (%s); still trying"
            record.args = (now - since, reason)
        record.exc_info, record.exc_text = None, None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True

    def answered(self) -> None:
        with self.lock:
            since, self.since = self.since, None
        if since is not None:
            log.warning("worker: the job queue answers again after %d s", time.monotonic() - since)


def _watch_outages(huey: Any) -> QueueOutage:
    """Quieten Huey's logging of failed reads (QueueOutage), and say when the queue answers again."""
    outage = QueueOutage()
    for name in ("huey.consumer.Worker", "huey.consumer.Scheduler"):
        logging.getLogger(name).addFilter(outage)
    dequeue = huey.dequeue

    def watched_dequeue() -> Any:
        task = dequeue()
        outage.answered()
        return task

    huey.dequeue = watched_dequeue
    return outage


def run_worker(app: Flask, threads: int | None = None) -> None:
    sent = recover(app)
    if sent:
        log.info("worker: %s stalled jobs sent to the queue again", len(sent))
    own = scratch.use_own_folder(app.config["EXPORT_FOLDER"])
    huey = queue.queue_of(app)

    @huey.pre_execute(name="grantflow.own-temporary-folder")
    def _own_folder(_task: object) -> None:  # made again if a clean-up removed it while idle
        scratch.ensure(own)

    _watch_outages(huey)
    consumer = huey.create_consumer(
        workers=threads or int(app.config["JOB_WORKER_THREADS"]),
        worker_type="thread",
        periodic=False,
        max_delay=2.0,  # an idle worker looks at the queue at least every two seconds
    )
    consumer.run()
