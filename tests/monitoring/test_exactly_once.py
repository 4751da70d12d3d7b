"""Two `grantflow reminders run` processes at once, and one killed mid-pass then run again, against
one PostgreSQL database: every reminder email is queued exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import OutboxMessage
from grants.models.monitoring import Reminder
from tests.factories import OrganisationFactory, member_of
from tests.monitoring.helpers import due_return, programme_with_plan

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
TODAY = "2024-10-08"  # 14 working days before 28 October 2024
RETURNS = 30


@pytest.fixture
def many_due(committed_db, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL: SQLite refuses a second writer instead of making it wait")
    programme = programme_with_plan("mscf")
    expected = set()
    for n in range(RETURNS):
        organisation = OrganisationFactory(name=f"Group {n}")
        members = [member_of(organisation, email=f"m{n}-{k}@example.org") for k in range(2)]
        ret = due_return(programme, date(2024, 10, 28), organisation=organisation, reference=f"MSCF-R3-{n:04d}")
        expected |= {f"reminder:{ret.id}:due_in_14:{TODAY}:{m.email}" for m in members}
    db.session.commit()
    return expected


def _run(database_url: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [FLASK, "--app", "wsgi", "grantflow", "reminders", "run", "--today", TODAY, "--format", "json"],
        cwd=ROOT,
        env={**os.environ, "GRANTFLOW_ENV": "development", "DATABASE_URL": database_url, "MAIL_SERVER": "", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _keys() -> list[str]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key.like("reminder:%"))
        )
    )


def test_two_passes_started_at_once_queue_each_reminder_once(many_due, database_url):
    passes = [_run(database_url, GRANTFLOW_REMINDER_BATCH="4", GRANTFLOW_REMINDER_PAUSE="0.05") for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in passes]

    assert [p.returncode for p in passes] == [0, 0], outputs
    keys = _keys()
    assert sorted(keys) == sorted(many_due)  # none lost, none twice
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == RETURNS


def test_a_pass_killed_mid_way_and_run_again_queues_each_reminder_once(many_due, database_url):
    killed = _run(database_url, GRANTFLOW_REMINDER_BATCH="3", GRANTFLOW_REMINDER_PAUSE="1")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _keys():
        time.sleep(0.1)
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=30)
    partly = len(_keys())
    assert 0 < partly < len(many_due)  # it was stopped part of the way through

    again = _run(database_url)
    out, err = again.communicate(timeout=120)

    assert again.returncode == 0, err
    assert sorted(_keys()) == sorted(many_due)
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == RETURNS
