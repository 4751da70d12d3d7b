"""A visitor to the open data page of a programme with many grants, in a real browser: the page says its
files are being prepared, the spreadsheet's address says so too (503, try again in a few minutes), and
once the worker has made them the page says when each was made and how big it is; axe on every page.

The threshold is set to two grants, and the served app's queue keeps jobs in memory until the test plays
the worker."""

from __future__ import annotations

import pytest
from huey import MemoryHuey
from playwright.sync_api import expect

from grants.extensions import db
from grants.jobs import queue
from grants.jobs.services import run
from tests.browser.conftest import Browser
from tests.datasets.open_data import mscf

pytestmark = pytest.mark.browser


@pytest.fixture
def waiting_queue(app, monkeypatch, tmp_path):
    huey = MemoryHuey("open-data-journey", results=False)
    monkeypatch.setitem(app.extensions, "job_queue", queue.attach(app, huey, run))
    monkeypatch.setitem(app.config, "BACKGROUND_OPEN_DATA_ROWS", 2)
    monkeypatch.setitem(app.config, "EXPORT_FOLDER", str(tmp_path / "exports"))

    def work_all() -> int:
        done = 0
        while (message := huey.dequeue()) is not None:
            with app.app_context():
                huey.execute(message)
                db.session.remove()
            done += 1
        return done

    return work_all


def test_a_visitor_is_told_a_big_programmes_file_is_being_prepared_then_sees_when_it_was_made(
    site: Browser, committed_db, waiting_queue
):
    mscf()
    committed_db.session.remove()

    site.visit("/open-data/")
    expect(site.page.locator("#programmes")).to_contain_text("being prepared")

    response = site.page.goto(site.url("/open-data/MSCF.xlsx"))
    assert response is not None and response.status == 503
    site.check()
    expect(site.heading()).to_have_text("This file is being prepared")
    expect(site.page.locator("main")).to_contain_text("Try again in a few minutes.")

    site.page.goto(site.url("/open-data/MSCF.json"))
    site.check()
    assert waiting_queue() == 2  # the spreadsheet and the JSON, each asked for once

    site.visit("/open-data/")
    table = site.page.locator("#programmes")
    expect(table).not_to_contain_text("being prepared")
    expect(table.get_by_text("as at")).to_have_count(2)
