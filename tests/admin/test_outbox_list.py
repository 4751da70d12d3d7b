"""An admin of every programme sorts the outbox by its columns both ways, narrows it to one status (Your
work's failed emails open it so), and downloads the rows of every page, in the same order, as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from grants.models.outbox import FAILED, PENDING, SENT
from tests.admin.helpers import browser_for
from tests.factories import OutboxMessageFactory, staff_user
from tests.statements import statements_at_page_sizes

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def four():
    """Four emails; two queued at the same moment, two to one address, two failed after three attempts."""
    made = {
        "m1": OutboxMessageFactory(recipient="carol@example.org", subject="Your application", status=SENT, attempts=1,
                                   created_at=START, sent_at=START + timedelta(minutes=1)),
        "m2": OutboxMessageFactory(recipient="alice@example.org", subject="=1+1 Reminder", status=FAILED, attempts=3,
                                   created_at=START + timedelta(hours=1), last_error="550 mailbox unavailable"),
        "m3": OutboxMessageFactory(recipient="bob@example.org", subject="Offer", status=PENDING, attempts=0,
                                   created_at=START + timedelta(hours=1)),
        "m4": OutboxMessageFactory(recipient="alice@example.org", subject="Offer", status=FAILED, attempts=3,
                                   created_at=START + timedelta(hours=2), last_error="@timeout"),
    }  # fmt: skip
    return {name: message.id for name, message in made.items()}


def _listed(browser, query: str = "") -> list[int]:
    response = browser.get(f"/admin/emails?{query}")
    assert response.status_code == 200
    return [int(n) for n in re.findall(r'href="/admin/emails/(\d+)"', response.get_data(as_text=True))]


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("column", "ascending"),
    [
        ("queued", ["m1", "m2", "m3", "m4"]),  # m2 and m3 queued together: by id
        ("recipient", ["m2", "m4", "m3", "m1"]),
        ("subject", ["m2", "m3", "m4", "m1"]),
        ("status", ["m2", "m4", "m3", "m1"]),  # failed, failed, pending, sent
        ("attempts", ["m3", "m1", "m2", "m4"]),
        ("sent", ["m1", "m2", "m3", "m4"]),  # not sent yet: after every sent one
    ],
)
def test_an_admin_sorts_the_outbox_by_each_column_both_ways(admin, four, column, ascending):
    expected = [four[name] for name in ascending]

    assert _listed(admin, f"sort={column}&dir=asc") == expected
    assert _listed(admin, f"sort={column}&dir=desc") == expected[::-1]


def test_the_outbox_opens_newest_first_and_a_header_link_reverses_its_sort(admin, four):
    assert _listed(admin) == [four[name] for name in ("m4", "m3", "m2", "m1")]
    html = admin.get("/admin/emails?status=failed&sort=attempts&dir=asc").get_data(as_text=True)

    header = re.search(r'<th[^>]*aria-sort="ascending"[^>]*>\s*<a[^>]*href="([^"]+)"', html)
    assert header is not None
    assert header.group(1).replace("&amp;", "&") == "/admin/emails?status=failed&sort=attempts&dir=desc"


def test_failed_emails_on_your_work_open_the_outbox_showing_only_those(admin, four):
    work = admin.get("/work/").get_data(as_text=True)

    assert 'href="/admin/emails?status=failed"' in work
    assert _listed(admin, "status=failed") == [four["m4"], four["m2"]]


@pytest.mark.parametrize(
    "query",
    [
        "status=%00&sort=%00&dir=%00",
        "sort=" + "x" * 5000 + "&dir=up",
        "sort=99999999999999999999&page=99999999999999999999",
    ],
)
def test_an_odd_sort_is_the_newest_first_order_not_an_error(admin, four, query):
    assert _listed(admin, query) == [four[name] for name in ("m4", "m3", "m2", "m1")]


@pytest.mark.parametrize("status", ["%00bounced", "nonsense", "x" * 5000])
def test_a_status_that_is_not_one_says_so_and_lists_nothing(admin, four, status):
    response = admin.get(f"/admin/emails?status={status}")

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a status from the list" in html and 'href="/admin/emails/' not in html
    assert admin.get(f"/admin/emails.csv?status={status}").status_code == 302  # back to the list, which says why


def test_the_csv_has_the_rows_of_every_page_with_the_status_and_sort(app, admin, four):
    query = "status=failed&sort=recipient&dir=desc"
    app.config["PAGE_SIZE"], size = 1, app.config["PAGE_SIZE"]
    try:
        shown = [found for page in (1, 2) for found in _listed(admin, f"{query}&page={page}")]
        html = admin.get(f"/admin/emails?{query}").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = size
    link = re.search(r'<a[^>]*href="([^"]+)"[^>]*>Download these 2 emails as CSV</a>', html)
    assert link is not None

    rows = _csv_rows(admin.get(link.group(1).replace("&amp;", "&")))

    assert shown == [four["m4"], four["m2"]]
    assert rows[0] == ["Queued (UK time)", "To", "Subject", "Status", "Attempts", "Sent (UK time)", "Last error"]
    assert rows[1] == ["2026-11-02 11:00", "alice@example.org", "Offer", "Failed", "3", "", "'@timeout"]
    assert rows[2] == ["2026-11-02 10:00", "alice@example.org", "'=1+1 Reminder", "Failed", "3", "",
                       "550 mailbox unavailable"]  # fmt: skip


def test_only_an_admin_of_every_programme_downloads_the_outbox(app, seeded, four):
    mscf_admin = browser_for(app, staff_user("admin", seeded["MSCF"]))
    officer = browser_for(app, staff_user("officer", None))

    assert mscf_admin.get("/admin/emails.csv").status_code == 403
    assert officer.get("/admin/emails.csv").status_code == 403


def test_a_page_runs_the_same_statements_for_one_email_or_many(admin, four):
    url = "/admin/emails?sort=sent&dir=desc"
    admin.get(url)  # anything read once per process is read now

    few, many = statements_at_page_sizes(admin, url, (1, 50))

    assert few == many
