"""An officer selects cases on a list, checks what a transition would do to each, and applies it case by case."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from grants.cases import batch
from grants.extensions import db
from grants.models import AuditEvent, Membership, ScreeningCheck
from grants.workflow import apply_transition
from tests.factories import ApplicationFactory, ProgrammeFactory, RoundFactory, passed_screening, staff_user
from tests.fixtures import csrf_token

_SEEN = re.compile(r'name="case" value="(\d+:\d+)"')
_BATCH = re.compile(r'name="batch" type="hidden" value="([^"]+)"|id="batch" name="batch" type="hidden" value="([^"]+)"')


@pytest.fixture
def officer(sign_in):
    user = staff_user("officer", name="Priya Sharma")
    sign_in(user)
    return user


def _screened(**kwargs):
    application = ApplicationFactory(state="submitted", **kwargs)
    passed_screening(application)
    return application


def _audit_rows(subject) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject.__audit_type__, AuditEvent.subject_id == subject.id)
            .order_by(AuditEvent.id)
        )
    )


def _review(client, cases=(), action="mark_eligible", query="", **extra):
    token = csrf_token(client, "/sign-out")
    data = {"csrf_token": token, "action": action, "case": [str(c) for c in cases], **extra}
    return client.post(f"/cases/application/batch{query}", data=data)


def _confirm(client, html: str, reason: str = "", seen: list[str] | None = None, action="mark_eligible"):
    token = csrf_token(client, "/sign-out")
    data = {"csrf_token": token, "action": action, "case": seen if seen is not None else _SEEN.findall(html)}
    data["reason"] = reason
    return client.post("/cases/application/batch/apply", data=data)


@contextmanager
def _counting_statements():
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_an_officer_sees_a_checkbox_per_case_and_the_actions_their_cases_could_take(client, officer):
    application = _screened()

    html = client.get("/cases/application").get_data(as_text=True)

    assert f'<span class="govuk-visually-hidden">Select {application.reference}</span>' in html
    assert f'id="case-{application.id}" name="case" type="checkbox" value="{application.id}"' in html
    assert '<option value="mark_eligible">Mark as eligible (to eligible)</option>' in html
    assert "All 1 case matching this filter" in html


def test_the_confirmation_page_shows_what_will_change_and_why_some_cannot_and_changes_nothing(client, officer):
    ready = [_screened(), _screened()]
    unscreened = ApplicationFactory(state="submitted")
    draft = ApplicationFactory(state="draft")

    response = _review(client, [c.id for c in [*ready, unscreened, draft]])
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "2 cases will move to eligible." in html and "2 cannot." in html
    assert "Submitted → Eligible" in html
    assert f"{unscreened.reference}</a> ({unscreened.project_title} – {unscreened.organisation.name})" in html
    assert "Complete the screening checklist first." in html
    assert "&#39;Mark as eligible&#39; is not possible while this is draft." in html
    assert sorted(_SEEN.findall(html)) == sorted(f"{c.id}:{c.version_id}" for c in ready)
    for application in [*ready, unscreened, draft]:
        db.session.refresh(application)
    assert {a.state for a in ready} == {"submitted"}


def test_confirming_moves_each_case_with_one_audit_row_naming_the_batch_and_reason(client, officer):
    ready = [_screened(), _screened(), _screened()]
    before = {a.id: len(_audit_rows(a)) for a in ready}
    page = _review(client, [a.id for a in ready]).get_data(as_text=True)

    response = _confirm(client, page, reason="Checked at the panel meeting")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "3 cases moved to eligible." in html
    for application in ready:
        db.session.refresh(application)
        rows = _audit_rows(application)
        assert application.state == "eligible"
        assert len(rows) == before[application.id] + 1
        assert (rows[-1].action, rows[-1].actor_id, rows[-1].to_state) == ("mark_eligible", officer.id, "eligible")
        assert re.fullmatch(r"Batch \d{8}-\d{4}-[0-9a-f]{4} \(3 cases\): Checked at the panel meeting", rows[-1].reason)
    assert len({_audit_rows(a)[-1].reason for a in ready}) == 1


def test_a_case_changed_after_the_confirmation_page_is_skipped_and_listed_and_the_rest_applied(client, officer):
    ready = [_screened(), _screened(), _screened()]
    page = _review(client, [a.id for a in ready]).get_data(as_text=True)
    changed = ready[1]
    apply_transition(changed, "mark_ineligible", officer, "Out of area")  # someone else, meanwhile
    rows_before = len(_audit_rows(changed))

    html = _confirm(client, page).get_data(as_text=True)

    assert "2 cases moved to eligible. 1 was not changed." in html
    assert f"{changed.reference}</a>: someone else changed it (now ineligible)" in html
    db.session.refresh(changed)
    assert changed.state == "ineligible"
    assert len(_audit_rows(changed)) == rows_before
    for application in (ready[0], ready[2]):
        db.session.refresh(application)
        assert application.state == "eligible"
        assert sum(row.action == "mark_eligible" for row in _audit_rows(application)) == 1


def test_all_cases_matching_the_filter_are_selected_with_the_lists_own_filter(client, officer):
    submitted = [_screened(), _screened()]
    eligible = ApplicationFactory(state="eligible")

    html = _review(client, [], action="request_information", query="?state=submitted", all="yes").get_data(as_text=True)

    assert "2 cases will move to more information requested." in html
    assert all(a.reference in html for a in submitted)
    assert eligible.reference not in html


def test_another_programmes_cases_and_ids_that_are_not_ids_are_not_shown_or_changed(client, sign_in):
    mine = ProgrammeFactory()
    user = staff_user("officer", mine)
    sign_in(user)
    own = _screened(round=RoundFactory(programme=mine))
    other = _screened()

    page = _review(client, [own.id, other.id, "abc", "99999999999999999999", "-3"])
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert other.reference not in html
    assert "4 selected cases were not found, or are not ones you may change." in html
    result = _confirm(client, html, seen=[f"{own.id}:{own.version_id}", f"{other.id}:{other.version_id}", "x:1"])
    done = result.get_data(as_text=True)
    assert result.status_code == 200
    assert "1 case moved to eligible. 2 were not changed." in done
    assert other.reference not in done
    db.session.refresh(other)
    assert other.state == "submitted"


def test_all_matching_a_filter_that_matches_nothing_is_an_error_saying_so(client, officer):
    _screened()

    response = _review(client, [], query="?state=eligible", all="yes")

    assert response.status_code == 400
    assert "No cases match this filter: change the filter, or select cases by hand" in response.get_data(as_text=True)


def test_an_empty_selection_is_an_error_on_the_list_keeping_the_filter(client, officer):
    application = _screened()

    response = _review(client, [], query="?state=submitted")
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "There is a problem" in html
    assert '<a href="#batch-all">Select at least one case, or all the cases matching this filter</a>' in html
    assert "Showing those submitted" in html
    assert application.reference in html


def test_no_action_or_an_unknown_one_is_an_error_and_an_unknown_one_is_never_applied(client, officer):
    application = _screened()

    none_chosen = _review(client, [application.id], action="").get_data(as_text=True)
    unknown = _review(client, [application.id], action="delete_everything")
    token = csrf_token(client, "/sign-out")
    applied = client.post(
        "/cases/application/batch/apply",
        data={"csrf_token": token, "action": "delete_everything", "case": f"{application.id}:1"},
    )

    assert "Choose what to do with the selected cases" in none_chosen
    assert unknown.status_code == 400
    assert "Choose one of the actions offered for these cases" in unknown.get_data(as_text=True)
    assert applied.status_code == 404
    db.session.refresh(application)
    assert application.state == "submitted"


def test_an_action_that_needs_a_reason_asks_for_it_on_the_confirmation_page_and_changes_nothing(client, officer):
    application = ApplicationFactory(state="submitted")
    page = _review(client, [application.id], action="mark_ineligible").get_data(as_text=True)

    response = _confirm(client, page, reason="   ", action="mark_ineligible")
    html = response.get_data(as_text=True)

    assert "Reason for &#39;mark as ineligible&#39;\n" in page
    assert response.status_code == 400
    assert "Enter a reason to &#39;mark as ineligible&#39;" in html
    assert f'name="case" value="{application.id}:{application.version_id}"' in html
    db.session.refresh(application)
    assert application.state == "submitted"


def test_a_selection_over_the_limit_is_refused_saying_so(client, officer, monkeypatch):
    monkeypatch.setattr(batch, "MAX_BATCH", 2)
    applications = [_screened() for _ in range(3)]

    by_hand = _review(client, [a.id for a in applications])
    matching = _review(client, [], all="yes")

    assert by_hand.status_code == 400
    assert "3 cases are selected: a batch takes at most 2." in by_hand.get_data(as_text=True)
    assert "3 cases are selected: a batch takes at most 2." in matching.get_data(as_text=True)


def test_applying_a_batch_runs_the_same_statements_for_each_case_whatever_the_size(client, officer):
    def statements_for(count: int) -> int:
        cases = [_screened() for _ in range(count)]
        page = _review(client, [a.id for a in cases]).get_data(as_text=True)
        token = csrf_token(client, "/sign-out")
        data = {"csrf_token": token, "action": "mark_eligible", "case": _SEEN.findall(page)}
        with _counting_statements() as seen:
            assert f"{count} cases moved" in client.post("/cases/application/batch/apply", data=data).get_data(
                as_text=True
            )
        return len(seen)

    two, four, eight = statements_for(2), statements_for(4), statements_for(8)

    assert four - two == (eight - four) // 2
    assert (eight - four) % 4 == 0


def test_a_case_that_no_longer_meets_a_condition_or_is_no_longer_visible_is_skipped_with_the_reason(client, officer):
    ready = [_screened(), _screened(), _screened()]
    page = _review(client, [a.id for a in ready]).get_data(as_text=True)
    unscreened, conflicted = ready[0], ready[1]
    db.session.execute(ScreeningCheck.__table__.delete().where(ScreeningCheck.application_id == unscreened.id))
    db.session.add(Membership(user_id=officer.id, organisation_id=conflicted.organisation_id, is_owner=False))
    db.session.commit()

    html = _confirm(client, page).get_data(as_text=True)

    assert "1 case moved to eligible. 2 were not changed." in html
    assert f"{unscreened.reference}</a>: Complete the screening checklist first." in html
    assert "A selected case: not found, or not a case you may change" in html
    assert conflicted.reference not in html
    db.session.refresh(conflicted)
    assert conflicted.state == "submitted"


def test_the_confirmation_page_runs_the_same_statements_for_each_case_whatever_the_size(client, officer):
    def statements_for(count: int) -> int:
        cases = [_screened() for _ in range(count)]
        token = csrf_token(client, "/sign-out")
        data = {"csrf_token": token, "action": "mark_eligible", "case": [str(a.id) for a in cases]}
        with _counting_statements() as seen:
            assert f"{count} cases will move" in client.post("/cases/application/batch", data=data).get_data(
                as_text=True
            )
        return len(seen)

    two, four, eight = statements_for(2), statements_for(4), statements_for(8)

    assert four - two == (eight - four) // 2
    assert (eight - four) % 4 == 0
