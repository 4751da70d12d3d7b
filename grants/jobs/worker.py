"""`grantflow worker`: the process that makes background jobs' files (run one or more, beside the web server).

As it starts it puts back on the queue the jobs whose worker died (no heartbeat for JOB_STALE_SECONDS)
and removes the half-written files they left; then it takes jobs from the queue (Huey's consumer,
JOB_WORKER_THREADS at once) until it is stopped. Ctrl+C (SIGINT) lets the job in hand finish; SIGTERM
stops at once, and that job is queued again by the scheduler's next pass.
"""

from __future__ import annotations

import logging

from flask import Flask

from grants.jobs import queue, services
from grants.models.base import utcnow

log = logging.getLogger(__name__)


def recover(app: Flask) -> list[int]:
    """Jobs a dead worker held (or whose message was lost) back on the queue; its half files removed."""
    with app.app_context():
        sent = services.requeue_stale(utcnow())
        services.remove_temporary_files(float(app.config["JOB_STALE_SECONDS"]))
        return sent


def run_worker(app: Flask, threads: int | None = None) -> None:
    sent = recover(app)
    if sent:
        log.info("worker: %s stalled jobs sent to the queue again", len(sent))
    consumer = queue.queue_of(app).create_consumer(
        workers=threads or int(app.config["JOB_WORKER_THREADS"]),
        worker_type="thread",
        periodic=False,
        max_delay=2.0,  # an idle worker looks at the queue at least every two seconds
    )
    consumer.run()
