"""APScheduler jobs, run in their own process (`grantflow scheduler`), one leader at a time.

Every job is idempotent: timed transitions re-check state under the optimistic
lock, and emails go through the outbox's unique idempotency keys.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import text

from grants import retention
from grants.awards.reminders import send_offer_reminders
from grants.commissioning.reminders import run_pass as commissioning_pass
from grants.extensions import db
from grants.jobs import services as jobs
from grants.mail import send_pending
from grants.monitoring.reminders import run_pass
from grants.observability.services import record_heartbeat
from grants.open_data import published as open_data_files
from grants.workflow import fire_due_transitions

log = logging.getLogger(__name__)
LOCK_KEY = 715_200_301  # pg advisory lock id for the scheduler leader


class NotLeader(Exception):
    pass


@contextmanager
def leader_lock(app: Flask) -> Iterator[None]:
    """Hold the single-leader lock for the life of the scheduler process."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            connection = engine.connect()
            try:
                if not connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
                    raise NotLeader("another scheduler holds the lock")
                connection.commit()
                yield
            finally:
                connection.close()
            return
    path = os.path.join(app.instance_path, "scheduler.lock")
    os.makedirs(app.instance_path, exist_ok=True)
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise NotLeader("another scheduler holds the lock") from None
        yield


def heartbeat(app: Flask) -> datetime:
    """The scheduler is alive (read by /readyz and /metrics on any web host)."""
    with app.app_context():
        return record_heartbeat()


def run_timed_transitions(app: Flask) -> dict[str, int]:

    with app.app_context():
        fired = fire_due_transitions()
        if fired:
            log.info("timed transitions fired: %s", fired)
        return fired


def send_outbox(app: Flask) -> dict[str, int]:

    with app.app_context():
        return send_pending(app.config)


def remind_offers(app: Flask) -> int:

    with app.app_context():
        reminded = send_offer_reminders()
        if reminded:
            log.info("offer reminders queued: %s", reminded)
        return reminded


def remind_returns(app: Flask) -> int:
    """The day's return reminders (London's date); each goes once however often this runs."""
    with app.app_context():
        today = datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()
        passed = run_pass(today)
        if passed.queued:
            log.info("return reminders: %s due, %s emails queued", passed.reminders, passed.queued)
        made, queued = commissioning_pass(today)
        if queued:
            log.info("commissioning reminders: %s due, %s emails queued", made, queued)
        return passed.queued + queued


def apply_retention(app: Flask) -> int:
    """Remove the personal data the retention schedule no longer lets us keep (grants.retention)."""
    with app.app_context():
        today = datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()
        removed = retention.apply(today, app.config["UPLOAD_FOLDER"])
        if removed:
            log.info("retention: personal data removed from %s applications and awards", len(removed))
        return len(removed)


def tend_jobs(app: Flask) -> tuple[int, int]:
    """Background jobs whose worker died back on the queue; files kept past their time removed."""
    with app.app_context():
        now = datetime.now(UTC)
        sent, removed = len(jobs.requeue_stale(now)), jobs.remove_expired(now)
        if sent or removed:
            log.info("background jobs: %s sent again, %s old files removed", sent, removed)
        return sent, removed


def publish_open_data(app: Flask) -> int:
    """A rebuild queued of each big programme's 360Giving files whose published grants have changed."""
    with app.app_context():
        now = datetime.now(UTC)
        queued = open_data_files.refresh(now)
        if queued:
            log.info("open data: %s files to make again", len(queued))
        removed = open_data_files.remove_unnamed(now)
        if removed:
            log.info("open data: %s files no row names removed (left by a stopped worker)", removed)
        return len(queued)


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC")
    defaults: dict[str, Any] = {
        "replace_existing": True,
        "misfire_grace_time": 6 * 3600,
        "coalesce": True,
        "max_instances": 1,
    }
    now = datetime.now(UTC)
    scheduler.add_job(heartbeat, "interval", minutes=1, args=[app], id="heartbeat", next_run_time=now, **defaults)
    scheduler.add_job(run_timed_transitions, "interval", minutes=1, args=[app], id="timed-transitions", **defaults)
    scheduler.add_job(send_outbox, "interval", seconds=30, args=[app], id="send-outbox", **defaults)
    scheduler.add_job(remind_offers, "interval", hours=1, args=[app], id="offer-reminders", **defaults)
    # Hourly, so a scheduler started late in the day still reminds that day; idempotent anyway.
    scheduler.add_job(remind_returns, "interval", hours=1, args=[app], id="return-reminders", **defaults)
    scheduler.add_job(tend_jobs, "interval", minutes=1, args=[app], id="background-jobs", **defaults)
    scheduler.add_job(publish_open_data, "interval", minutes=1, args=[app], id="open-data-files", **defaults)
    scheduler.add_job(apply_retention, "interval", hours=24, args=[app], id="retention", **defaults)
    return scheduler
