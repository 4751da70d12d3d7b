"""Admins search the audit log and download what they found; nobody changes or removes a row.

An admin of every programme sees every row; an admin of one programme sees the rows of cases on
that programme only (not another programme's, nor rows about accounts). A search by person, case,
action, programme and dates narrows the page and the CSV alike; a date that is not a date is named
and what was typed is kept.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update

from grants.audit import AuditRowsAreFinal
from grants.extensions import db
from grants.models import AuditEvent
from tests.admin.helpers import text_of
from tests.factories import (
    ApplicationFactory,
    AuditEventFactory,
    AwardFactory,
    PaymentFactory,
    RoundFactory,
    UserFactory,
)
from tests.statements import statements_at_page_sizes


@pytest.fixture
def logged(seeded):
    """Rows on three programmes' cases and one about an account, by two people, on known days."""
    olu = UserFactory(name="Olu Officer", email="olu@example.org")
    fay = UserFactory(name="Fay Finance", email="fay@example.org")
    mscf_round = RoundFactory(programme=seeded["MSCF"], code="MSCF-R3")
    bid = ApplicationFactory(round=mscf_round, public_reference="MSCF-R3-0042")
    vru_award = AwardFactory(programme=seeded["VRU"], public_reference="VRU-2023-007")
    mscf_payment = PaymentFactory(award=AwardFactory(programme=seeded["MSCF"], public_reference="MSCF-R3-0042-A"))
    rows = {
        "screened": AuditEventFactory(subject=bid, actor_id=olu.id, action="pass_screening", from_state="submitted",
                                      to_state="in_assessment", occurred_at=datetime(2024, 3, 1, 10, tzinfo=UTC)),
        "approved": AuditEventFactory(subject=bid, actor_id=olu.id, action="approve", from_state="in_assessment",
                                      to_state="approved", reason="=HYPERLINK(\"http://evil.example\")",
                                      occurred_at=datetime(2024, 4, 1, 23, 30, tzinfo=UTC)),  # 2 April in London
        "paid": AuditEventFactory(subject_type="payment", subject_id=mscf_payment.id,
                                  subject_reference=mscf_payment.reference, actor_id=fay.id, action="mark_paid",
                                  from_state="approved", to_state="paid", occurred_at=datetime(2024, 4, 2, tzinfo=UTC)),
        "varied": AuditEventFactory(subject_type="award", subject_id=vru_award.id, subject_reference="VRU-2023-007",
                                    actor_id=fay.id, action="vary", occurred_at=datetime(2024, 4, 3, tzinfo=UTC)),
        "account": AuditEventFactory(subject_type="user", subject_id=olu.id, subject_reference=olu.email,
                                     actor_id=fay.id, action="grant_role", from_state=None, to_state=None,
                                     occurred_at=datetime(2024, 4, 4, tzinfo=UTC)),
    }  # fmt: skip
    db.session.commit()
    return rows


def _shown(browser, query: str = "") -> set[int]:
    page = browser.get(f"/admin/audit{query}").get_data(as_text=True)
    return {event.id for event in db.session.scalars(select(AuditEvent)) if f'id="audit-{event.id}"' in page}


def _csv(browser, query: str = "") -> list[dict[str, str]]:
    response = browser.get(f"/admin/audit.csv{query}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


def _ids(logged, *names: str) -> set[int]:
    return {logged[name].id for name in names}


def test_an_admin_finds_rows_by_person_case_action_programme_and_date(admin, logged):
    everything = _shown(admin)
    assert _ids(logged, "screened", "approved", "paid", "varied", "account") <= everything

    assert _shown(admin, "?person=FAY") == _ids(logged, "paid", "varied", "account")  # name, any case
    assert _shown(admin, "?person=olu%40example") == _ids(logged, "screened", "approved")  # email
    assert _shown(admin, "?case=mscf-r3-0042") >= _ids(logged, "screened", "approved", "paid")
    assert _shown(admin, "?case=VRU-2023") == _ids(logged, "varied")
    assert _shown(admin, "?action=approve") == _ids(logged, "approved")
    assert _shown(admin, "?programme=VRU") == _ids(logged, "varied")
    assert _shown(admin, "?programme=MSCF&person=olu") == _ids(logged, "screened", "approved")
    # dates are London days: 23:30 UTC on 1 April 2024 is 00:30 on 2 April there (summer time)
    assert _shown(admin, "?since=2/4/2024&until=2024-04-02&person=o") == _ids(logged, "approved", "paid")
    assert _shown(admin, "?until=1/4/2024&person=olu") == _ids(logged, "screened")

    page = text_of(admin.get("/admin/audit?person=Fay"))
    assert "3 rows" in page
    assert 'value="Fay"' in admin.get("/admin/audit?person=Fay").get_data(as_text=True)  # the search is kept


def test_the_csv_holds_the_rows_the_search_found_and_runs_no_formula(admin, logged):
    rows = _csv(admin, "?person=olu")
    assert [row["Action"] for row in rows] == ["approve", "pass_screening"]  # newest first
    approved = rows[0]
    assert approved["Who"] == "Olu Officer <olu@example.org>"
    assert approved["Case"] == "MSCF-R3-0042"
    assert approved["Programme"] == "Mayor's Safer Communities Fund"
    assert (approved["From"], approved["To"]) == ("in_assessment", "approved")
    assert approved["Reason"] == '\'=HYPERLINK("http://evil.example")'  # shown as typed, never run
    assert approved["When (UK time)"] == "2024-04-02T00:30:00+01:00"
    assert len(_csv(admin)) == len(_shown(admin))


def test_a_programme_admin_sees_their_programmes_cases_only(mscf_admin, admin, logged):
    mine = _shown(mscf_admin)
    assert _ids(logged, "screened", "approved", "paid") <= mine
    assert not mine & _ids(logged, "varied", "account")  # another programme's case; an account
    assert _shown(mscf_admin, "?programme=VRU") == set()
    assert _shown(mscf_admin, "?case=VRU-2023-007") == set()
    assert {row["Case"] for row in _csv(mscf_admin)} >= {"MSCF-R3-0042"}
    assert "VRU-2023-007" not in {row["Case"] for row in _csv(mscf_admin)}
    assert "olu@example.org" not in {row["Case"] for row in _csv(mscf_admin)}
    page = text_of(mscf_admin.get("/admin/audit"))
    assert "Violence Reduction Unit" not in page  # not offered as a programme to search
    assert _ids(logged, "varied", "account") <= _shown(admin)  # the admin of every programme sees them


def test_a_date_that_is_not_a_date_is_named_and_kept(admin, logged):
    response = admin.get("/admin/audit?since=31/2/2024&person=olu")
    assert response.status_code == 400
    page = text_of(response)
    assert "From date must be a real date, like 27/3/2024" in page
    assert 'value="31/2/2024"' in response.get_data(as_text=True)
    reversed_range = text_of(admin.get("/admin/audit?since=2/4/2024&until=1/4/2024"))
    assert "To date must be the same as or after the from date" in reversed_range
    assert admin.get("/admin/audit.csv?since=nonsense").status_code == 302  # back to the page that says why


@pytest.mark.parametrize(
    "query",
    ["?person=%00", "?case=" + "x" * 5000, "?since=99/99/99999", "?since=1/1/0", "?action=%00%00",
     "?programme=NOPE", "?page=99999999999999999999", "?until=%EF%BC%91/1/2024", "?person=%25_%5C"],
)  # fmt: skip
def test_odd_searches_answer_without_an_error(admin, logged, query):
    assert admin.get(f"/admin/audit{query}").status_code in (200, 400)
    assert admin.get(f"/admin/audit.csv{query}").status_code in (200, 302)


def test_the_page_runs_the_same_statements_whatever_its_size(admin, logged, seeded):
    bid = db.session.get(AuditEvent, logged["screened"].id)
    for _ in range(3):
        AuditEventFactory(subject_type="application", subject_id=bid.subject_id, subject_reference="MSCF-R3-0042")
    db.session.commit()
    small, large = statements_at_page_sizes(admin, "/admin/audit", (2, 6))
    assert small == large


def test_nobody_changes_or_removes_an_audit_row_through_the_app(logged):
    row = db.session.get(AuditEvent, logged["approved"].id)
    row.reason = "nothing happened"
    with pytest.raises(AuditRowsAreFinal):
        db.session.flush()
    db.session.rollback()

    db.session.delete(db.session.get(AuditEvent, logged["approved"].id))
    with pytest.raises(AuditRowsAreFinal):
        db.session.flush()
    db.session.rollback()

    with pytest.raises(AuditRowsAreFinal):
        db.session.execute(update(AuditEvent).values(reason="rewritten"))
    with pytest.raises(AuditRowsAreFinal):
        db.session.execute(delete(AuditEvent).where(AuditEvent.id == logged["approved"].id))
    db.session.rollback()
    assert db.session.get(AuditEvent, logged["approved"].id).reason == '=HYPERLINK("http://evil.example")'


def test_the_log_is_reached_from_the_admin_pages(admin, mscf_admin):
    for browser in (admin, mscf_admin):
        assert 'href="/admin/audit"' in browser.get("/admin/").get_data(as_text=True)
