"""A round's panel pack of more than BACKGROUND_PANEL_PACK_ROWS bids is made as a background job. The pack
withholds the bids its reader has a conflict of interest on, so a pack made for one person is fetched by
another only when theirs would be the same: an officer on the programme with the same conflicts.
(Tests run jobs at once, in the request: JOB_QUEUE_URL=immediate.)"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from grants.extensions import db
from grants.jobs import services
from grants.models import Assessment, BackgroundJob, RoleGrant
from tests.decisions.test_panel import bid, criterion, signed_in
from tests.factories import (
    BackgroundJobFactory,
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    member_of,
    staff_user,
)
from tests.jobs.helpers import emails_to, job, job_id_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _small_threshold(app, monkeypatch, tmp_path):
    """A pack of more than one bid goes to the background; each test keeps its files apart."""
    monkeypatch.setitem(app.config, "BACKGROUND_PANEL_PACK_ROWS", 1)
    monkeypatch.setitem(app.config, "EXPORT_FOLDER", str(tmp_path / "exports"))


@pytest.fixture
def round_(db_session):
    return RoundFactory(code="MSCF-R9", title="Safer Communities Round 9", state="closed", budget_pence=2_000_000)


@pytest.fixture
def bids(round_):
    """Hope Works' bid (the one some staff have a conflict on) and Bright Futures' bid, both recommended."""
    criteria = [criterion(round_, "Need", "1"), criterion(round_, "Delivery", "1")]
    scorers = [staff_user("assessor", round_.programme, name=f"Scorer {n}") for n in (1, 2)]
    hope = OrganisationFactory(name="Hope Works CIC")
    bright = OrganisationFactory(name="Bright Futures Trust")
    conflicted = bid(round_, criteria, scorers, [[5, 5], [4, 4]], state="recommended", organisation=hope)
    control = bid(round_, criteria, scorers, [[3, 3], [3, 4]], state="recommended", organisation=bright)
    conflicted.project_title, control.project_title = "Hope after dark", "Bright mornings"
    db.session.commit()
    return conflicted, control


def _pack_url(round_) -> str:
    return f"/panel/rounds/{round_.code}/panel-pack.xlsx"


def _declare_conflict(user, application) -> None:
    """The person, an assessor on the round too, declares a conflict of interest on the bid."""
    db.session.add(RoleGrant(user_id=user.id, role="assessor", programme_id=application.round.programme_id))
    db.session.add(
        Assessment(
            application_id=application.id,
            assessor_id=user.id,
            workflow="assessment",
            workflow_version=1,
            state="conflicted",
            state_changed_at=datetime.now(UTC),
            conflict_details="My sister chairs its board",
        )
    )
    db.session.commit()


def _member_of_organisation(user, application) -> None:
    MembershipFactory(user=user, organisation=application.organisation)
    db.session.commit()


def _cells(data: bytes) -> dict[str, list[list[object]]]:
    """Every sheet's values, row by row, but the footer's "made at" time (it differs by the minute)."""
    workbook = load_workbook(io.BytesIO(data))
    return {
        sheet.title: [
            [value for value in row if not (isinstance(value, str) and value.startswith("Panel pack "))]
            for row in sheet.iter_rows(values_only=True)
        ]
        for sheet in workbook
    }


def _text_of(data: bytes) -> set[str]:
    return {str(value) for rows in _cells(data).values() for row in rows for value in row if value is not None}


def test_a_big_panel_pack_becomes_a_job_whose_file_is_the_same_as_the_one_made_at_once(app, round_, bids, monkeypatch):
    officer = staff_user("officer", round_.programme, name="Olive Officer")
    client = signed_in(app, officer)

    job_id = job_id_of(client.get(_pack_url(round_)))

    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Your file is ready" in page
    assert f"{round_.code} panel pack" in page
    download = client.get(f"/jobs/{job_id}/download.xlsx")
    assert download.status_code == 200
    assert f"{round_.code}-panel-pack.xlsx" in download.headers["Content-Disposition"]
    (email,) = emails_to(officer.email)
    assert email.subject == "Your panel pack is ready"

    monkeypatch.setitem(app.config, "BACKGROUND_PANEL_PACK_ROWS", 1000)
    at_once = client.get(_pack_url(round_))
    assert at_once.status_code == 200 and at_once.mimetype == XLSX
    assert _cells(download.data) == _cells(at_once.data)
    ranked = _cells(download.data)["Ranked"]
    assert len(ranked) == 4  # the header, both bids, the total
    assert {bids[0].public_reference, bids[1].public_reference} <= _text_of(download.data)


def test_a_small_panel_pack_still_downloads_at_once(app, round_, bids, monkeypatch):
    monkeypatch.setitem(app.config, "BACKGROUND_PANEL_PACK_ROWS", 2)  # two bids: not more than two
    client = signed_in(app, staff_user("officer", round_.programme))

    response = client.get(_pack_url(round_))

    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert db.session.scalar(db.select(db.func.count(BackgroundJob.id))) == 0


@pytest.mark.parametrize("conflict", ["member", "declared"])
def test_a_pack_made_for_someone_with_a_conflict_withholds_the_bid_and_reaches_only_the_same_conflicts(
    app, round_, bids, conflict
):
    conflicted_bid, control = bids
    connie = staff_user("officer", round_.programme, name="Connie Conflicted")
    (_member_of_organisation if conflict == "member" else _declare_conflict)(connie, conflicted_bid)
    client = signed_in(app, connie)

    job_id = job_id_of(client.get(_pack_url(round_)))

    assert "without the 1 bid you have a conflict of interest on" in client.get(f"/jobs/{job_id}").get_data(
        as_text=True
    )
    text = _text_of(client.get(f"/jobs/{job_id}/download.xlsx").data)
    assert control.public_reference in text and "Bright Futures Trust" in text
    assert conflicted_bid.public_reference not in text and "Hope Works CIC" not in text
    assert not any("Hope after dark" in value for value in text)

    # an officer with no conflict would get more than this file holds: not theirs to fetch
    clear = signed_in(app, staff_user("officer", round_.programme, name="Clara Clear"))
    assert clear.get(f"/jobs/{job_id}").status_code == 404
    assert clear.get(f"/jobs/{job_id}/download.xlsx").status_code == 404
    # an officer with the same conflict would get the same file: they may fetch it
    twin = staff_user("officer", round_.programme, name="Tess Twin")
    (_member_of_organisation if conflict == "member" else _declare_conflict)(twin, conflicted_bid)
    assert signed_in(app, twin).get(f"/jobs/{job_id}/download.xlsx").status_code == 200


def test_someone_with_a_conflict_never_fetches_a_pack_that_holds_the_bid(app, round_, bids):
    conflicted_bid, _control = bids
    clara = staff_user("officer", round_.programme, name="Clara Clear")
    job_id = job_id_of(signed_in(app, clara).get(_pack_url(round_)))  # the whole pack
    connie = staff_user("officer", round_.programme, name="Connie Conflicted")
    _declare_conflict(connie, conflicted_bid)

    browser = signed_in(app, connie)

    assert browser.get(f"/jobs/{job_id}").status_code == 404
    assert browser.get(f"/jobs/{job_id}/download.xlsx").status_code == 404


def test_a_conflict_declared_after_asking_keeps_the_pack_from_the_person_who_asked(app, round_, bids):
    conflicted_bid, _control = bids
    clara = staff_user("officer", round_.programme, name="Clara Clear")
    client = signed_in(app, clara)
    job_id = job_id_of(client.get(_pack_url(round_)))
    assert client.get(f"/jobs/{job_id}/download.xlsx").status_code == 200

    _declare_conflict(clara, conflicted_bid)

    assert client.get(f"/jobs/{job_id}/download.xlsx").status_code == 404
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "You can no longer download this file" in page
    assert f"/jobs/{job_id}/download.xlsx" not in page
    again = job_id_of(client.get(_pack_url(round_)))  # asking again makes one without the bid
    text = _text_of(client.get(f"/jobs/{again}/download.xlsx").data)
    assert conflicted_bid.public_reference not in text and "Hope Works CIC" not in text


def test_people_without_an_officers_rights_on_the_programme_get_not_found(app, round_, bids):
    job_id = job_id_of(signed_in(app, staff_user("officer", round_.programme)).get(_pack_url(round_)))

    others = {
        "an officer of another programme": staff_user("officer", RoundFactory().programme),
        "finance on the programme": staff_user("finance", round_.programme),
        "an assessor on the programme": staff_user("assessor", round_.programme),
        "an applicant": member_of(OrganisationFactory()),
    }
    for who, someone in others.items():
        browser = signed_in(app, someone)
        assert browser.get(f"/jobs/{job_id}").status_code == 404, who
        assert browser.get(f"/jobs/{job_id}/download.xlsx").status_code == 404, who
    admin = signed_in(app, staff_user("admin", round_.programme))
    assert admin.get(f"/jobs/{job_id}/download.xlsx").status_code == 200  # an officer's role: the same rights


def test_asking_again_goes_to_the_waiting_pack_and_the_limit_is_said_plainly(app, round_, bids):
    officer = staff_user("officer", round_.programme)
    parameters = {"round": round_.code, "viewer": officer.id, "withheld": []}
    waiting = BackgroundJobFactory(
        requested_by_id=officer.id, kind="panel_pack", dedupe_key=services.dedupe_key("panel_pack", parameters)
    )
    client = signed_in(app, officer)

    assert job_id_of(client.get(_pack_url(round_))) == waiting.id
    assert "You have already asked for this file" in client.get(f"/jobs/{waiting.id}").get_data(as_text=True)

    for _ in range(app.config["JOB_LIMIT_PER_USER"] - 1):
        BackgroundJobFactory(requested_by_id=officer.id, state="running")
    waiting.dedupe_key = "something else"
    db.session.commit()
    refused = client.get(_pack_url(round_))
    assert refused.status_code == 429
    assert "You already have 3 files being made" in refused.get_data(as_text=True)
    assert job(waiting.id).is_queued
