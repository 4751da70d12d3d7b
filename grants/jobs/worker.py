"""`grantflow worker`: the process that makes background jobs' files (run one or more, beside the web server).

As it starts it puts back on the queue the jobs whose worker died (no heartbeat for JOB_STALE_SECONDS)
and removes the half-written files they left; then it takes jobs from the queue (Huey's consumer,
JOB_WORKER_THREADS at once) until it is stopped. Ctrl+C (SIGINT) lets the job in hand finish; SIGTERM
stops at once, and that job is queued again by the scheduler's next pass.

Its temporary files (openpyxl's write-only sheets) go to a folder of its own under EXPORT_FOLDER
(grants.jobs.scratch), removed by the next worker to start or the scheduler once this process is gone.

With the queue's Redis unreachable the worker keeps running: Huey's consumer logs "Error reading from
queue" and tries again, waiting a little longer each time up to `max_delay`; a job asked for meanwhile
waits as queued in the database and the scheduler's `requeue_stale` sends it again once Redis answers.
"""

from __future__ import annotations

import logging

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


def run_worker(app: Flask, threads: int | None = None) -> None:
    sent = recover(app)
    if sent:
        log.info("worker: %s stalled jobs sent to the queue again", len(sent))
    own = scratch.use_own_folder(app.config["EXPORT_FOLDER"])
    huey = queue.queue_of(app)

    @huey.pre_execute(name="grantflow.own-temporary-folder")
    def _own_folder(_task: object) -> None:  # made again if a clean-up removed it while idle
        scratch.ensure(own)

    consumer = huey.create_consumer(
        workers=threads or int(app.config["JOB_WORKER_THREADS"]),
        worker_type="thread",
        periodic=False,
        max_delay=2.0,  # an idle worker looks at the queue at least every two seconds
    )
    consumer.run()
