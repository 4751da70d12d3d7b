"""Above BACKGROUND_OPEN_DATA_ROWS grants a programme's 360Giving files are made by the worker and served as
published files, never made inside a public request: the first asker is told the file is being prepared,
the page says when each file was made, and a change to the published grants has the scheduler's next pass
make them again (the old file served until the new one is complete).

The worker is held back here: a job sent to the queue waits in `held` until `work` runs it, as a worker
process would (tests otherwise run jobs at once: JOB_QUEUE_URL=immediate)."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook

from exports.threesixtygiving_schema import schema_errors
from grants.extensions import db
from grants.jobs import queue
from grants.jobs import services as jobs
from grants.models import Award, BackgroundJob, OutboxMessage
from grants.open_data import published, services
from grants.scheduling import publish_open_data
from tests.factories import ProgrammeFactory, staff_user
from tests.open_data.helpers import DECIDED, grants_by_id, mscf

PREPARING = "This file is being prepared. Try again in a few minutes."


@pytest.fixture
def built(app, monkeypatch, tmp_path):
    """MSCF publishes four grants: more than the threshold of two."""
    monkeypatch.setitem(app.config, "BACKGROUND_OPEN_DATA_ROWS", 2)
    monkeypatch.setitem(app.config, "EXPORT_FOLDER", str(tmp_path / "exports"))
    return mscf()


@pytest.fixture
def held(monkeypatch) -> list[int]:
    """The ids sent to the queue, not yet taken by a worker."""
    sent: list[int] = []
    monkeypatch.setattr(queue, "send", sent.append)
    return sent


@pytest.fixture
def never_in_the_request(monkeypatch):
    """A public request that made a big programme's file itself would fail."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("the file was made inside the request")

    monkeypatch.setattr(services, "xlsx_download", refuse)
    monkeypatch.setattr(services, "json_download", refuse)


def work(held: list[int]) -> None:
    """The worker takes each waiting job."""
    while held:
        jobs.run(held.pop(0))


def _files(app) -> list[str]:
    folder = Path(app.config["EXPORT_FOLDER"])
    return sorted(p.name for p in folder.glob("open-data-*")) if folder.exists() else []


def _xlsx_grants(response) -> int:
    rows = list(load_workbook(io.BytesIO(response.data))["grants"].iter_rows(values_only=True))
    return len(rows) - 1


def _publish_the_undecided_award(built) -> None:
    award = db.session.scalars(
        db.select(Award).where(Award.programme_id == built.programme.id, Award.decided_at.is_(None))
    ).one()
    award.decided_at = DECIDED
    db.session.commit()


def test_the_first_asker_is_told_the_file_is_being_prepared_and_the_worker_makes_it(
    client, app, built, held, never_in_the_request
):
    first = client.get("/open-data/MSCF.xlsx")

    assert first.status_code == 503
    assert 60 <= int(first.headers["Retry-After"]) <= 120
    assert PREPARING in " ".join(first.get_data(as_text=True).split())
    assert _files(app) == []
    assert client.get("/open-data/MSCF.xlsx").status_code == 503  # asked again: still the one job
    assert client.get("/open-data/MSCF.json").status_code == 503
    assert len(held) == 2  # one spreadsheet, one JSON

    work(held)

    spreadsheet = client.get("/open-data/MSCF.xlsx")
    assert spreadsheet.status_code == 200
    assert "filename=360G-wypcc-MSCF.xlsx" in spreadsheet.headers["Content-Disposition"]
    assert _xlsx_grants(spreadsheet) == 4
    package = client.get("/open-data/MSCF.json")
    assert package.status_code == 200
    assert package.mimetype == "application/json"
    assert package.headers["Access-Control-Allow-Origin"] == "*"
    text = package.get_data(as_text=True)
    assert schema_errors(json.loads(text)) == []
    assert sum(g["amountAwarded"] for g in grants_by_id(text).values()) * 100 == built.published_total_pence()
    assert json.loads(text)["downloadURL"] == "http://localhost/open-data/MSCF.json"
    assert held == []  # serving the files asked for nothing more


def test_the_open_data_page_says_when_each_file_was_made_and_its_size(client, built, held):
    html = " ".join(client.get("/open-data/").get_data(as_text=True).split())
    assert "being prepared" in html
    assert "more than 2 grants" in html

    published.refresh(published.utcnow())
    work(held)

    html = " ".join(client.get("/open-data/").get_data(as_text=True).split())
    assert "being prepared" not in html
    assert html.count("as at ") == 2
    assert " KB" in html or " bytes" in html


def test_a_change_to_the_published_grants_is_made_again_by_the_next_pass_and_the_old_file_served_meanwhile(
    client, app, built, held, never_in_the_request
):
    published.refresh(published.utcnow())
    work(held)
    before = _files(app)
    assert len(before) == 2
    assert publish_open_data(app) == 0  # nothing changed: nothing made again

    _publish_the_undecided_award(built)
    assert publish_open_data(app) == 2
    assert publish_open_data(app) == 0  # a second pass while the rebuild waits queues none

    assert _xlsx_grants(client.get("/open-data/MSCF.xlsx")) == 4  # the old file, until the new one is complete
    work(held)

    assert _xlsx_grants(client.get("/open-data/MSCF.xlsx")) == 5
    assert len(grants_by_id(client.get("/open-data/MSCF.json").get_data(as_text=True))) == 5
    after = _files(app)
    assert len(after) == 2 and not set(after) & set(before)  # the old files are gone


def test_two_passes_at_once_queue_one_rebuild_of_each_file(app, built, held):
    now = published.utcnow()
    programme_id = built.programme.id
    stamp = published.stamp(programme_id)

    first = published.ask_rebuild(programme_id, "MSCF", "xlsx", stamp, now)
    second = published.ask_rebuild(programme_id, "MSCF", "xlsx", stamp, now)

    assert first is not None and second is None
    assert held == [first]
    assert published.refresh(now) == [held[1]]  # only the JSON was left to ask for


def test_the_services_own_job_sends_no_email_and_is_on_nobodys_list(client, app, built, held, sign_in):
    sign_in(staff_user("officer"))
    published.refresh(published.utcnow())
    job_ids = list(held)
    work(held)

    assert [db.session.get(BackgroundJob, i).state for i in job_ids] == ["done", "done"]
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0
    assert client.get(f"/jobs/{job_ids[0]}").status_code == 404
    assert "(published)" not in client.get("/jobs/").get_data(as_text=True)


def test_a_failed_rebuild_leaves_the_old_file_and_is_not_asked_for_again_at_once(client, app, built, held, monkeypatch):
    published.refresh(published.utcnow())
    work(held)
    _publish_the_undecided_award(built)

    def broken(*_args, **_kwargs):
        raise services.NotPublished("The database went away.")

    monkeypatch.setattr(services, "export_to_file", broken)
    published.refresh(published.utcnow())
    job_ids = list(held)
    work(held)

    assert {db.session.get(BackgroundJob, i).state for i in job_ids} == {"failed"}
    assert _xlsx_grants(client.get("/open-data/MSCF.xlsx")) == 4
    assert published.refresh(published.utcnow()) == []
    assert published.refresh(published.utcnow() + published.RETRY_FAILED_AFTER * 2) != []


def test_a_small_programme_is_still_made_when_it_is_downloaded(client, app, built, held, monkeypatch):
    monkeypatch.setitem(app.config, "BACKGROUND_OPEN_DATA_ROWS", 5000)

    assert _xlsx_grants(client.get("/open-data/MSCF.xlsx")) == 4
    assert published.refresh(published.utcnow()) == []
    assert held == [] and _files(app) == []


def test_a_big_programme_unknown_or_with_nothing_published_is_not_found(client, built, held):
    ProgrammeFactory(code="EMPTY", name="Nothing awarded yet")

    assert client.get("/open-data/EMPTY.xlsx").status_code == 404
    assert client.get("/open-data/NOPE.json").status_code == 404
    assert held == []


def test_two_scheduler_passes_at_the_same_moment_queue_one_rebuild_of_each_file(app, committed_db, monkeypatch):
    monkeypatch.setitem(app.config, "BACKGROUND_OPEN_DATA_ROWS", 2)
    sent: list[int] = []
    monkeypatch.setattr(queue, "send", sent.append)
    mscf()
    db.session.remove()
    together = threading.Barrier(2, timeout=20)
    queued: list[list[int]] = []
    failures: list[BaseException] = []

    def scheduler_pass() -> None:
        with app.app_context():
            try:
                together.wait()
                queued.append(published.refresh(published.utcnow()))
            except BaseException as exc:  # reported below
                failures.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scheduler_pass) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sorted(len(ids) for ids in queued) in ([0, 2], [1, 1])
    assert len(sent) == 2
    kinds = db.session.scalars(db.select(BackgroundJob.parameters).where(BackgroundJob.kind == published.KIND)).all()
    assert sorted(p["format"] for p in kinds) == ["json", "xlsx"]


def test_a_file_a_killed_worker_left_unnamed_is_removed_an_hour_on_the_published_ones_never(client, app, built, held):
    import os
    from datetime import UTC, datetime, timedelta

    client.get("/open-data/MSCF.xlsx")
    client.get("/open-data/MSCF.json")
    work(held)
    published_files = _files(app)
    assert len(published_files) == 2  # the spreadsheet and the JSON
    folder = Path(app.config["EXPORT_FOLDER"])
    left = folder / "open-data-MSCF-0123456789abcdef.xlsx"  # renamed into place, its row never saved
    left.write_bytes(b"PK left behind")
    now = datetime.now(UTC)

    assert published.remove_unnamed(now) == 0  # written just now: perhaps a worker is about to save its row
    two_hours_ago = (now - timedelta(hours=2)).timestamp()
    for path in folder.glob("open-data-*"):
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert published.remove_unnamed(now) == 1
    assert _files(app) == published_files
    assert client.get("/open-data/MSCF.xlsx").status_code == 200
