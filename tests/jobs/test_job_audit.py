"""Every background job asked for, every download of a job's file and every retry is in the audit log: who,
when, which job (its number and title), its kind and parameters; the admin's audit log page lists them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grants.extensions import db
from grants.jobs import services
from grants.models import AuditEvent
from grants.models.base import utcnow
from tests.datasets.committee_report import build
from tests.factories import PASSWORD, BackgroundJobFactory, staff_user
from tests.fixtures import post_form, sign_in_as
from tests.jobs.helpers import job, job_id_of

SPREADSHEET = "/reports/committee/TST-R2/spreadsheet"


@pytest.fixture
def data(db_session):
    return build()


@pytest.fixture(autouse=True)
def _small_threshold(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "BACKGROUND_REPORT_ROWS", 1)
    monkeypatch.setitem(app.config, "EXPORT_FOLDER", str(tmp_path / "exports"))


def _rows(job_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.subject_type == "background_job", AuditEvent.subject_id == job_id)
            .order_by(AuditEvent.id)
        )
    )


def _as(app, user):
    browser = app.test_client()
    assert sign_in_as(browser, user.email, PASSWORD).status_code == 302
    return browser


def test_asking_for_a_job_and_each_download_are_audited_with_who_when_and_what(data, sign_in, client, app):
    before = utcnow() - timedelta(seconds=1)
    sign_in(data.officer)

    job_id = job_id_of(client.get(f"{SPREADSHEET}?basis=current"))
    assert client.get(f"/jobs/{job_id}/download.xlsx").status_code == 200
    assert _as(app, data.decision_maker).get(f"/jobs/{job_id}/download.xlsx").status_code == 200

    asked, mine, theirs = _rows(job_id)
    title = "TST-R2 committee report spreadsheet (basis: current)"
    assert (asked.action, asked.actor_id, asked.to_state) == ("ask_for_file", data.officer.id, "queued")
    assert asked.subject_reference == f"Job {job_id}" and asked.reason == title
    assert asked.data["kind"] == "committee_report"
    assert asked.data["parameters"] == {"round": "TST-R2", "basis": "current"}
    assert asked.data["title"] == title
    assert (mine.action, mine.actor_id) == ("download_file", data.officer.id)
    assert (theirs.action, theirs.actor_id) == ("download_file", data.decision_maker.id)
    assert theirs.data["asked_for_by"] == data.officer.id
    assert all(before <= row.occurred_at <= utcnow() for row in (asked, mine, theirs))


def test_a_refused_download_is_not_audited_as_one(data, sign_in, client, app):
    sign_in(data.officer)
    job_id = job_id_of(client.get(SPREADSHEET))

    assert _as(app, staff_user("assessor", data.programme)).get(f"/jobs/{job_id}/download.xlsx").status_code == 404
    assert client.get(f"/jobs/{job_id}/download.csv").status_code == 404  # not its format

    assert [row.action for row in _rows(job_id)] == ["ask_for_file"]


def test_a_retry_is_audited_from_failed_to_queued(data, sign_in, client, app, monkeypatch):
    from grants.reports import background
    from grants.reports.services import write_report

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    sign_in(data.officer)
    monkeypatch.setattr(background, "write_report", broken)
    job_id = job_id_of(client.get(SPREADSHEET))
    assert job(job_id).is_failed
    monkeypatch.setattr(background, "write_report", write_report)

    retried = post_form(client, f"/jobs/{job_id}/retry", {}, form_page=f"/jobs/{job_id}")

    assert retried.status_code == 302
    assert job(job_id).is_done
    asked, retry = _rows(job_id)
    assert (retry.action, retry.actor_id, retry.from_state, retry.to_state) == (
        "retry_file",
        data.officer.id,
        "failed",
        "queued",
    )
    assert retry.reason == asked.reason


def test_the_admin_audit_log_shows_the_jobs_rows(data, sign_in, client, app):
    sign_in(data.officer)
    job_id = job_id_of(client.get(SPREADSHEET))
    client.get(f"/jobs/{job_id}/download.xlsx")

    page = _as(app, staff_user("admin", name="Ada Admin")).get(f"/admin/audit?case=Job+{job_id}")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2 rows" in html
    assert "ask_for_file" in html and "download_file" in html
    assert f"Job {job_id}" in html and "background job" in html
    assert "TST-R2 committee report spreadsheet (basis: approved at decision)" in html
    assert data.officer.email in html


def test_asking_for_a_file_already_being_made_adds_no_row(data, sign_in, client):
    officer = data.officer
    key = services.dedupe_key("committee_report", {"round": "TST-R2", "basis": "decision"})
    waiting = BackgroundJobFactory(requested_by_id=officer.id, kind="committee_report", dedupe_key=key)
    sign_in(officer)

    assert job_id_of(client.get(SPREADSHEET)) == waiting.id

    assert _rows(waiting.id) == []


def test_a_jobs_rows_show_to_the_admins_of_its_programme_and_not_to_another_programmes(data, sign_in, client, app):
    from tests.factories import ProgrammeFactory

    sign_in(data.officer)
    job_id = job_id_of(client.get(SPREADSHEET))
    assert job(job_id).programme_id == data.programme.id
    address = f"/admin/audit?case=Job+{job_id}"

    own = _as(app, staff_user("admin", data.programme, name="Tess Programme Admin")).get(address)
    assert own.status_code == 200 and data.officer.email in own.get_data(as_text=True)  # the row, who asked

    other = _as(app, staff_user("admin", ProgrammeFactory(code="VRU"), name="Val Other Admin")).get(address)
    assert other.status_code == 200 and data.officer.email not in other.get_data(as_text=True)
