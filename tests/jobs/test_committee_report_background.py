"""The committee report spreadsheet of a round of more than BACKGROUND_REPORT_ROWS bids is made as a background
job; the report is the same for everyone who may see it, so anyone with a reporting role on the programme may
fetch it. (Data: tests.datasets.committee_report, round TST-R2; jobs run at once in tests.)"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from grants.extensions import db
from grants.jobs import services
from grants.models import BackgroundJob
from tests.datasets.committee_report import build
from tests.factories import PASSWORD, BackgroundJobFactory, OrganisationFactory, ProgrammeFactory, member_of, staff_user
from tests.fixtures import sign_in_as
from tests.jobs.helpers import emails_to, job_id_of

SPREADSHEET = "/reports/committee/TST-R2/spreadsheet"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def data(db_session):
    return build()


@pytest.fixture(autouse=True)
def _small_threshold(app, monkeypatch, tmp_path):
    """A round of more than one bid is reported on in the background; each test keeps its files apart."""
    monkeypatch.setitem(app.config, "BACKGROUND_REPORT_ROWS", 1)
    monkeypatch.setitem(app.config, "EXPORT_FOLDER", str(tmp_path / "exports"))


def _cells(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in load_workbook(io.BytesIO(data))}


def _as(app, user):
    browser = app.test_client()
    assert sign_in_as(browser, user.email, PASSWORD).status_code == 302
    return browser


@pytest.mark.parametrize("basis", ["decision", "current"])
def test_a_big_rounds_spreadsheet_becomes_a_job_whose_file_matches_the_one_made_at_once(
    data, sign_in, client, app, monkeypatch, basis
):
    sign_in(data.officer)

    job_id = job_id_of(client.get(f"{SPREADSHEET}?basis={basis}"))

    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Your file is ready" in page
    assert "TST-R2 committee report spreadsheet" in page
    download = client.get(f"/jobs/{job_id}/download.xlsx")
    assert download.status_code == 200
    assert f"TST-R2-committee-report-{basis}.xlsx" in download.headers["Content-Disposition"]
    ready = [email for email in emails_to(data.officer.email) if email.subject.endswith("is ready")]
    assert [email.subject for email in ready] == ["Your committee report spreadsheet is ready"]

    monkeypatch.setitem(app.config, "BACKGROUND_REPORT_ROWS", 5000)
    at_once = client.get(f"{SPREADSHEET}?basis={basis}")
    assert at_once.status_code == 200 and at_once.mimetype == XLSX
    made = _cells(download.data)
    assert made == _cells(at_once.data)
    assert "By district" in made and len(made["By district"]) > 2


def test_a_small_rounds_spreadsheet_still_downloads_at_once(data, sign_in, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "BACKGROUND_REPORT_ROWS", 5000)
    sign_in(data.officer)

    response = client.get(SPREADSHEET)

    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert db.session.scalar(db.select(db.func.count(BackgroundJob.id))) == 0


def test_only_people_who_may_see_the_report_may_fetch_the_file(data, sign_in, client, app):
    sign_in(data.officer)
    job_id = job_id_of(client.get(SPREADSHEET))

    assert _as(app, data.decision_maker).get(f"/jobs/{job_id}/download.xlsx").status_code == 200
    others = {
        "an officer of another programme": staff_user("officer", ProgrammeFactory()),
        "an assessor on the programme": staff_user("assessor", data.programme),
        "an applicant": member_of(OrganisationFactory()),
    }
    for who, someone in others.items():
        browser = _as(app, someone)
        assert browser.get(f"/jobs/{job_id}").status_code == 404, who
        assert browser.get(f"/jobs/{job_id}/download.xlsx").status_code == 404, who


def test_asking_again_goes_to_the_waiting_file_and_the_limit_is_said_plainly(data, sign_in, client, app):
    officer = data.officer
    key = services.dedupe_key("committee_report", {"round": "TST-R2", "basis": "decision"})
    waiting = BackgroundJobFactory(requested_by_id=officer.id, kind="committee_report", dedupe_key=key)
    sign_in(officer)

    assert job_id_of(client.get(f"{SPREADSHEET}?basis=decision")) == waiting.id

    for _ in range(app.config["JOB_LIMIT_PER_USER"] - 1):
        BackgroundJobFactory(requested_by_id=officer.id, state="running")
    refused = client.get(f"{SPREADSHEET}?basis=current")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "You already have 3 files being made" in page
    assert 'href="/jobs/"' in page
