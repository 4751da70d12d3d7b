"""For the background job tests: asking for the finance spreadsheet as a job, reading the job's row."""

from __future__ import annotations

import re

from grants.extensions import db
from grants.models import BackgroundJob, OutboxMessage
from tests.fixtures import post_form

URL = "/finance/"
YEAR = {"starts_on": ["1", "4", "2022"], "ends_on": ["31", "3", "2023"]}
JOB_PAGE = re.compile(r"/jobs/(\d+)$")


def ask(client, programme: str = "FIN", output_format: str = "xlsx", **dates):
    return post_form(client, URL, {"programme": programme, "output_format": output_format, **YEAR, **dates})


def job_id_of(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    match = JOB_PAGE.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def job(job_id: int) -> BackgroundJob:
    found = db.session.get(BackgroundJob, job_id, populate_existing=True)
    assert found is not None
    return found


def emails_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.recipient == address)))
