"""The finance spreadsheet above BACKGROUND_EXPORT_ROWS awards is made as a background job: the person is
sent to a progress page, emailed when it is ready, and downloads it there; nobody else may see it
unless they hold the same rights. (Tests run jobs at once, in the request: JOB_QUEUE_URL=immediate.)"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from grants.extensions import db
from grants.jobs import services
from grants.models.base import utcnow
from tests.datasets.finance import build_finance_data, database_totals, pence, sheet_rows
from tests.factories import PASSWORD, BackgroundJobFactory, OrganisationFactory, member_of, staff_user
from tests.finance_export.helpers import read_csv
from tests.fixtures import post_form, sign_in_as
from tests.jobs.helpers import ask, emails_to, job, job_id_of


@pytest.fixture
def data(db_session):
    return build_finance_data()


@pytest.fixture(autouse=True)
def _small_threshold(app, monkeypatch, tmp_path):
    """Every export of more than two awards goes to the background; each test keeps its files apart."""
    monkeypatch.setitem(app.config, "BACKGROUND_EXPORT_ROWS", 2)
    monkeypatch.setitem(app.config, "EXPORT_FOLDER", str(tmp_path / "exports"))


def test_a_big_export_becomes_a_job_that_is_emailed_and_downloaded_with_the_right_figures(data, sign_in, client):
    finance = staff_user("finance")
    sign_in(finance)

    job_id = job_id_of(ask(client))

    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Your file is ready" in page
    assert f"{len(data.in_period):,} rows" in page
    assert f"/jobs/{job_id}/download.xlsx" in page
    download = client.get(f"/jobs/{job_id}/download.xlsx")
    assert download.status_code == 200
    assert "FIN-finance-2022-04-01-to-2023-03-31.xlsx" in download.headers["Content-Disposition"]
    rows = sheet_rows(load_workbook(io.BytesIO(download.data))["Awards"])
    assert sum(pence(row["Amount awarded (£)"]) for row in rows) == database_totals(data)["awarded"]
    assert {row["Account number"] for row in rows} >= {"12345678", "87654321"}  # finance: in full
    (email,) = emails_to(finance.email)
    assert email.subject == "Your finance spreadsheet is ready"
    assert f"http://localhost/jobs/{job_id}" in email.body
    assert "Your files" in client.get("/jobs/").get_data(as_text=True)


def test_a_small_export_still_downloads_at_once(data, sign_in, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "BACKGROUND_EXPORT_ROWS", 10_000)
    sign_in(staff_user("officer"))

    response = ask(client)

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_csv_is_made_in_the_background_too(data, sign_in, client):
    sign_in(staff_user("officer"))

    job_id = job_id_of(ask(client, output_format="csv"))

    response = client.get(f"/jobs/{job_id}/download.csv")
    assert response.status_code == 200
    rows = read_csv(response.get_data(as_text=True))
    assert len(rows) == len(data.in_period)
    assert "87654321" not in response.get_data(as_text=True)  # an officer's copy: masked
    assert client.get(f"/jobs/{job_id}/download.xlsx").status_code == 404  # not its format


def test_the_progress_page_says_how_many_rows_are_written_and_offers_to_check_again(sign_in, client):
    officer = staff_user("officer")
    running = BackgroundJobFactory(requested_by_id=officer.id, state="running", rows_done=12_000, rows_total=100_000)
    waiting = BackgroundJobFactory(requested_by_id=officer.id, state="queued")
    sign_in(officer)

    page = client.get(f"/jobs/{running.id}").get_data(as_text=True)
    assert "Your file is being made" in page
    assert "12,000 of 100,000 rows" in page
    assert "Check again" in page and f'href="/jobs/{running.id}"' in page
    assert 'http-equiv="refresh"' not in page
    assert "Waiting to start" in client.get(f"/jobs/{waiting.id}").get_data(as_text=True)


def _as(app, user):
    """A browser of its own, signed in as this person."""
    browser = app.test_client()
    assert sign_in_as(browser, user.email, PASSWORD).status_code == 302
    return browser


def test_another_person_or_an_applicant_gets_not_found_for_the_page_and_the_file(data, sign_in, client, app):
    sign_in(staff_user("finance"))
    job_id = job_id_of(ask(client))  # bank details in full
    assert client.get(f"/jobs/{job_id}/download.xlsx").status_code == 200

    others = {
        "an officer (bank details are finance's)": staff_user("officer"),
        "an applicant": member_of(OrganisationFactory()),
        "finance on another programme": staff_user("finance", data.other_programme),
    }
    for who, someone in others.items():
        browser = _as(app, someone)
        assert browser.get(f"/jobs/{job_id}").status_code == 404, who
        assert browser.get(f"/jobs/{job_id}/download.xlsx").status_code == 404, who
        assert f"/jobs/{job_id}" not in browser.get("/jobs/").get_data(as_text=True), who


def test_staff_with_the_same_rights_may_fetch_the_file(data, sign_in, client, app):
    sign_in(staff_user("officer"))
    job_id = job_id_of(ask(client))  # masked bank details: any export role on FIN may see it

    browser = _as(app, staff_user("admin", data.programme))

    assert browser.get(f"/jobs/{job_id}").status_code == 200
    assert browser.get(f"/jobs/{job_id}/download.xlsx").status_code == 200
    assert "Try again" not in browser.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_a_second_request_for_the_same_export_goes_to_the_waiting_one(data, sign_in, client):
    officer = staff_user("officer")
    waiting = BackgroundJobFactory(
        requested_by_id=officer.id,
        dedupe_key=services.dedupe_key(
            "finance_export",
            {
                "programme": "FIN",
                "starts_on": "2022-04-01",
                "ends_on": "2023-03-31",
                "format": "xlsx",
                "with_bank_details": False,
            },
        ),
    )
    sign_in(officer)

    response = ask(client)

    assert job_id_of(response) == waiting.id
    page = client.get(f"/jobs/{waiting.id}").get_data(as_text=True)
    assert "You have already asked for this file" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(type(waiting))) == 1


def test_a_person_may_have_only_so_many_files_waiting(data, sign_in, client, app):
    officer = staff_user("officer")
    for n in range(app.config["JOB_LIMIT_PER_USER"]):
        BackgroundJobFactory(requested_by_id=officer.id, state="running" if n else "queued")
    sign_in(officer)

    response = ask(client)

    assert response.status_code == 429
    assert "You already have 3 files being made" in response.get_data(as_text=True)


def test_a_failed_job_says_why_and_its_owner_can_try_again(data, sign_in, client, app, monkeypatch):
    officer = staff_user("officer")
    sign_in(officer)
    from grants.finance_export import background
    from grants.finance_export.spreadsheet import write_xlsx

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(background, "write_xlsx", broken)
    job_id = job_id_of(ask(client))
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Your file could not be made" in page
    assert f"tell the service desk (job {job_id})" in page
    assert "Try again" in page
    assert not list(Path(app.config["EXPORT_FOLDER"]).glob(f"{job_id}-*"))  # no file, whole or half
    monkeypatch.setattr(background, "write_xlsx", write_xlsx)

    retried = post_form(client, f"/jobs/{job_id}/retry", {}, form_page=f"/jobs/{job_id}")

    assert retried.status_code == 302
    assert job(job_id).is_done
    assert client.get(f"/jobs/{job_id}/download.xlsx").status_code == 200


def test_a_period_with_nothing_in_it_is_said_at_once_not_queued(data, sign_in, client):
    sign_in(staff_user("officer"))

    response = ask(client, starts_on=["1", "4", "2030"], ends_on=["31", "3", "2031"])

    assert response.status_code == 400
    assert "Nothing to export" in response.get_data(as_text=True)


def test_expired_files_are_removed_and_the_page_says_so(data, sign_in, client, app):
    officer = staff_user("officer")
    sign_in(officer)
    job_id = job_id_of(ask(client))
    stored = Path(app.config["EXPORT_FOLDER"]) / job(job_id).stored_name
    assert stored.is_file()
    assert job(job_id).expires_at - utcnow() > timedelta(days=6, hours=23)

    removed = services.remove_expired(utcnow() + timedelta(days=8))

    assert removed >= 1
    assert not stored.exists()
    assert client.get(f"/jobs/{job_id}/download.xlsx").status_code == 404
    assert "This file is no longer kept" in client.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_a_job_whose_worker_stopped_is_queued_again_and_made_once(data, app):
    officer = staff_user("officer")
    stalled = BackgroundJobFactory(
        requested_by_id=officer.id,
        state="running",
        attempts=1,
        rows_done=1,
        heartbeat_at=datetime.now(UTC) - timedelta(seconds=app.config["JOB_STALE_SECONDS"] + 5),
    )
    alive = BackgroundJobFactory(requested_by_id=officer.id, state="running", attempts=1)

    sent = services.requeue_stale(utcnow())

    assert sent == [stalled.id]
    assert job(stalled.id).is_done and job(stalled.id).attempts == 2
    assert job(alive.id).is_running  # its worker is alive: left alone
    assert len(emails_to(officer.email)) == 1
    assert services.requeue_stale(utcnow()) == []  # done: never made again


def test_a_job_whose_worker_keeps_dying_is_failed_with_the_reason(data, app):
    stalled = BackgroundJobFactory(
        state="running",
        attempts=app.config["JOB_MAX_ATTEMPTS"],
        heartbeat_at=datetime.now(UTC) - timedelta(hours=1),
    )

    services.requeue_stale(utcnow())

    assert job(stalled.id).is_failed
    assert "stopped 3 times" in job(stalled.id).error


def test_the_metrics_count_jobs_waiting_and_being_made(client):
    BackgroundJobFactory(state="queued")
    BackgroundJobFactory(state="running")
    BackgroundJobFactory(state="done")

    text = client.get("/metrics").get_data(as_text=True)

    assert 'grantflow_background_jobs{state="queued"} 1.0' in text
    assert 'grantflow_background_jobs{state="running"} 1.0' in text
