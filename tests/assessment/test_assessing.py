"""Officers prepare a round's assessment: screening, criteria, assigning assessors, conflicts."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from grants.assessment import criteria as criteria_service
from grants.extensions import db
from grants.models import Application, Assessment, AuditEvent, Criterion, OutboxMessage, Score, ScreeningCheck
from grants.models.assessments import SCREENING_ITEMS
from grants.workflow import apply_transition
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RoundFactory,
    member_of,
    passed_screening,
    staff_user,
)
from tests.fixtures import post_form
from tests.statements import counting_selects

ALL_PASS = dict.fromkeys(SCREENING_ITEMS, "pass")


@pytest.fixture
def round_():
    return RoundFactory(code="MSCF-R8", title="Safer Communities Round 8", state="closed")


@pytest.fixture
def officer(round_, sign_in):
    user = staff_user("officer", round_.programme)
    sign_in(user)
    return user


_numbers = iter(range(1, 100_000))


def bid(round_, state: str = "submitted", **kwargs) -> Application:
    """A bid to the round from an organisation with one member (who gets its emails)."""
    number = next(_numbers)
    organisation = kwargs.pop("organisation", None) or OrganisationFactory(charity_number="1123456")
    application = ApplicationFactory(
        round=round_,
        organisation=organisation,
        state=state,
        public_reference=f"{round_.code}-{number:04d}",
        **kwargs,
    )
    member_of(organisation, email=f"bidder{number}@example.org")
    return application


def assessors(round_, count: int) -> list:
    return [staff_user("assessor", round_.programme, name=f"Assessor {n}") for n in range(count)]


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (response.status_code, url)
    return response.get_data(as_text=True)


def screening_url(application) -> str:
    return f"/assessing/applications/{application.id}/screening"


def save_checklist(client, application, answers: dict, *, version: str = "", fraud_risk="low", notes=""):
    data = {**answers, "fraud_risk": fraud_risk, "notes": notes, "version_id": version}
    return post_form(client, screening_url(application), data)


def take_step(client, application, step: str, reason: str = "", version: int | None = None):
    return post_form(
        client,
        f"{screening_url(application)}/{step}",
        {"reason": reason, "version_id": str(application.version_id if version is None else version)},
        form_page=screening_url(application),
    )


def check_of(application) -> ScreeningCheck | None:
    db.session.expire_all()
    return db.session.scalar(select(ScreeningCheck).where(ScreeningCheck.application_id == application.id))


def state_of(application) -> str:
    db.session.expire_all()
    return db.session.get(Application, application.id).state


# -- screening ------------------------------------------------------------------------------
def test_the_checklist_shows_the_organisations_numbers_and_its_documents_beside_the_items(client, round_, officer):
    from grants.models import Document

    application = bid(
        round_,
        organisation=OrganisationFactory(name="Holbeck Youth", charity_number="1123456", company_number="01234567"),
    )
    db.session.add(
        Document(
            application_id=application.id,
            question_key="safeguarding_policy",
            original_name="safeguarding-2022.pdf",
            stored_name="abc123",
            content_type="application/pdf",
            size_bytes=100,
            sha256="0" * 64,
        )
    )
    db.session.commit()

    html = page(client, screening_url(application))

    assert "Charity number: 1123456" in html and "Companies House number: 01234567" in html
    assert "safeguarding-2022.pdf" in html
    assert f"/applications/{application.id}/documents/" in html
    for label in SCREENING_ITEMS.values():
        assert label in html
    assert "Not started" in html


def test_an_officer_saves_the_checklist_part_done_and_the_answers_are_audited(client, round_, officer):
    application = bid(round_)

    response = save_checklist(
        client, application, {"organisation_verified": "pass", "bank_details": "not_applicable"}, notes="Checked CC"
    )

    assert response.status_code == 302
    check = check_of(application)
    assert check.answers == {"organisation_verified": "pass", "bank_details": "not_applicable"}
    assert check.fraud_risk == "low" and check.notes == "Checked CC" and check.updated_by_id == officer.id
    row = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "screen", AuditEvent.subject_id == application.id)
    )
    assert row.subject_type == "application" and row.actor_id == officer.id
    assert row.data["answers"]["organisation_verified"] == "pass" and row.data["fraud_risk"] == "low"
    assert "In progress" in page(client, screening_url(application))


def test_a_checklist_saved_by_someone_else_meanwhile_is_not_overwritten_and_what_you_chose_is_kept(
    client, round_, officer
):
    application = bid(round_)
    save_checklist(client, application, ALL_PASS)
    opened_at = str(check_of(application).version_id)
    check = check_of(application)
    check.answers = {**ALL_PASS, "bank_details": "fail"}  # another officer's save
    db.session.commit()

    response = save_checklist(client, application, ALL_PASS, version=opened_at, notes="My careful notes")

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this checklist while you were editing it" in html
    assert "My careful notes" in html
    assert check_of(application).answers["bank_details"] == "fail"


def test_a_first_checklist_saved_by_someone_else_meanwhile_is_a_conflict_too(client, round_, officer):
    application = bid(round_)
    passed_screening(application)  # saved by another officer after this one opened the empty form

    response = save_checklist(client, application, {"bank_details": "fail"}, version="")

    assert response.status_code == 409
    assert check_of(application).answers == ALL_PASS


def test_mark_as_eligible_is_refused_until_every_item_has_passed(client, round_, officer):
    application = bid(round_)

    nothing = take_step(client, application, "mark_eligible")
    assert nothing.status_code == 400
    assert "Complete the screening checklist first." in nothing.get_data(as_text=True)

    save_checklist(client, application, {**ALL_PASS, "bank_details": "fail"})
    failed = take_step(client, application, "mark_eligible")
    assert failed.status_code == 400
    assert "Screening found problems: Bank details checked." in failed.get_data(as_text=True)
    assert state_of(application) == "submitted"

    save_checklist(client, application, ALL_PASS, version=str(check_of(application).version_id))
    allowed = take_step(client, application, "mark_eligible")
    assert allowed.status_code == 302
    assert state_of(application) == "eligible"


def test_marking_ineligible_needs_a_reason_which_is_emailed_to_the_applicant(client, round_, officer):
    application = bid(round_)

    missing = take_step(client, application, "mark_ineligible", reason="  ")
    assert missing.status_code == 400
    assert "Enter the reason the application is not eligible" in missing.get_data(as_text=True)
    assert state_of(application) == "submitted"

    response = take_step(client, application, "mark_ineligible", reason="Your organisation is based outside the area.")

    assert response.status_code == 302
    assert state_of(application) == "ineligible"
    emails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient.like("bidder%"))).all()
    assert len(emails) == 1
    assert "Your organisation is based outside the area." in emails[0].body


def test_asking_for_more_information_emails_the_question_to_the_applicant(client, round_, officer):
    application = bid(round_)

    response = take_step(client, application, "request_information", reason="Please send your 2022 accounts.")

    assert response.status_code == 302
    assert state_of(application) == "information_requested"
    body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient.like("bidder%")))
    assert "Please send your 2022 accounts." in body


def test_a_decision_on_an_application_someone_else_changed_meanwhile_is_refused(client, round_, officer):
    application = bid(round_)
    opened_at = application.version_id
    apply_transition(application, "request_information", officer, "Who are your trustees?")

    response = take_step(client, application, "mark_ineligible", reason="Outside the area", version=opened_at)

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this application" in html and "Outside the area" in html
    assert state_of(application) == "information_requested"


def test_the_checklist_of_a_decided_application_is_shown_but_no_longer_changed(client, round_, officer):
    application = bid(round_)
    passed_screening(application)
    take_step(client, application, "mark_eligible")

    html = page(client, screening_url(application))
    response = save_checklist(client, application, {"bank_details": "fail"}, version="1")

    assert "no longer changed" in html and 'name="bank_details"' not in html
    assert response.status_code == 302
    assert check_of(application).answers == ALL_PASS


def test_the_screening_list_shows_each_bids_status_and_fraud_risk(client, round_, officer):
    untouched = bid(round_)
    part_done = bid(round_)
    passed = bid(round_)
    failed = bid(round_)
    draft = ApplicationFactory(round=round_, state="draft", project_title="Unfinished draft")
    db.session.add_all(
        [
            ScreeningCheck(application_id=part_done.id, answers={"accounts": "pass"}),
            ScreeningCheck(application_id=passed.id, answers=ALL_PASS, fraud_risk="medium"),
            ScreeningCheck(application_id=failed.id, answers={**ALL_PASS, "accounts": "fail"}, fraud_risk="high"),
        ]
    )
    db.session.commit()

    html = page(client, f"/assessing/rounds/{round_.code}/screening")

    rows = dict(re.findall(r">(MSCF-R8-\d{4})</a>(.*?)</tr>", html, re.S))
    assert "Not started" in rows[untouched.public_reference]
    assert "In progress" in rows[part_done.public_reference]
    assert "Passed" in rows[passed.public_reference] and "Medium" in rows[passed.public_reference]
    assert "Failed" in rows[failed.public_reference] and "High" in rows[failed.public_reference]
    assert draft.project_title not in html
    assert "4 bids" in html


def test_the_screening_list_reads_the_same_number_of_statements_however_many_bids(client, round_, officer):
    def statements() -> int:
        with counting_selects() as seen:
            page(client, f"/assessing/rounds/{round_.code}/screening")
        return len(seen)

    for _ in range(2):
        passed_screening(bid(round_))
    few = statements()
    for _ in range(30):
        passed_screening(bid(round_))
    many = statements()

    assert few == many


# -- criteria ---------------------------------------------------------------------------------
CRITERION = {
    "name": "Need and evidence",
    "guidance": "Is the need shown with local evidence?",
    "scale_min": "0",
    "scale_max": "5",
    "descriptors": "5: Strong\n3: Satisfactory\n0: No evidence",
    "weight": "1.5",
    "minimum_score": "2",
    "comment_required": "y",
}


def test_an_officer_adds_a_criterion_with_descriptors_weight_and_a_minimum(client, round_, officer):
    response = post_form(client, f"/assessing/rounds/{round_.code}/criteria", CRITERION)

    assert response.status_code == 302
    criterion = db.session.scalar(select(Criterion).where(Criterion.round_id == round_.id))
    assert criterion.descriptors == {"5": "Strong", "3": "Satisfactory", "0": "No evidence"}
    assert str(criterion.weight) == "1.50" and criterion.minimum_score == 2 and criterion.comment_required
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.subject_id == round_.id)) == "add_criterion"
    html = page(client, f"/assessing/rounds/{round_.code}/criteria")
    assert "Need and evidence" in html and "5: Strong" in html


def test_a_criterion_with_a_descriptor_off_its_scale_is_refused_with_the_reason(client, round_, officer):
    response = post_form(
        client, f"/assessing/rounds/{round_.code}/criteria", {**CRITERION, "descriptors": "7: Outstanding"}
    )

    assert response.status_code == 400
    assert "The descriptor for 7 is outside the scale of 0 to 5" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Criterion).where(Criterion.round_id == round_.id)) == 0


def test_an_officer_changes_a_criterion_and_the_change_is_audited(client, round_, officer):
    [criterion] = criteria_service.load_criteria(round_, [{"name": "Value for money", "weight": "1"}])

    response = post_form(
        client,
        f"/assessing/rounds/{round_.code}/criteria/{criterion.id}",
        {**CRITERION, "name": "Value for money", "weight": "2"},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert str(db.session.get(Criterion, criterion.id).weight) == "2.00"
    change = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "change_criterion"))
    assert change.data["changed"]["weight"] == ["1.00", "2.00"]


def test_a_criterion_can_be_removed_before_scoring_begins(client, round_, officer):
    kept, dropped = criteria_service.load_criteria(round_, [{"name": "Need"}, {"name": "Duplicate idea"}])

    response = post_form(
        client,
        f"/assessing/rounds/{round_.code}/criteria/{dropped.id}/remove",
        {},
        form_page=f"/assessing/rounds/{round_.code}/criteria",
    )

    assert response.status_code == 302
    assert [c.name for c in criteria_service.criteria_of(round_)] == ["Need"]
    assert db.session.scalar(select(AuditEvent.data).where(AuditEvent.action == "remove_criterion"))["name"] == (
        "Duplicate idea"
    )


def test_once_a_score_exists_every_change_to_the_criteria_is_refused(client, round_, officer):
    [criterion] = criteria_service.load_criteria(round_, [{"name": "Deliverability", "weight": 1}])
    [assessor] = assessors(round_, 1)
    assessment = Assessment(application_id=bid(round_, state="in_assessment").id, assessor_id=assessor.id)
    from grants.workflow import start_case

    start_case(assessment, "assessment", officer)
    db.session.flush()
    db.session.add(Score(assessment_id=assessment.id, criterion_id=criterion.id, score=3, comment="Fine"))
    db.session.commit()
    message = "Scoring has begun, so the criteria are fixed: existing scores must keep their meaning"

    elsewhere = "/organisations/new"  # the criteria page has no forms now: send what a stale page would
    added = post_form(client, f"/assessing/rounds/{round_.code}/criteria", CRITERION, form_page=elsewhere)
    changed = post_form(
        client,
        f"/assessing/rounds/{round_.code}/criteria/{criterion.id}",
        {**CRITERION, "name": "Deliverability"},
        form_page=elsewhere,
    )
    removed = post_form(
        client,
        f"/assessing/rounds/{round_.code}/criteria/{criterion.id}/remove",
        {},
        form_page=elsewhere,
    )

    for response in (added, changed, removed):
        assert response.status_code == 409
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert [c.name for c in db.session.scalars(select(Criterion).where(Criterion.round_id == round_.id))] == [
        "Deliverability"
    ]
    assert str(db.session.get(Criterion, criterion.id).weight) == "1.00"
    with pytest.raises(criteria_service.CriteriaFixed):
        criteria_service.load_criteria(round_, [{"name": "Something new"}])


def test_load_criteria_makes_the_rounds_criteria_exactly_the_list_given(round_):
    criteria_service.load_criteria(round_, [{"name": "Old one"}, {"name": "Need", "weight": "1"}])

    loaded = criteria_service.load_criteria(
        round_,
        [
            {"name": "Need", "weight": "2.5", "descriptors": {5: "Strong", 1: "Poor"}, "minimum_score": 2},
            {"name": "Fit with the Police and Crime Plan", "scale_min": 1, "scale_max": 10, "comment_required": False},
        ],
    )

    assert [c.name for c in loaded] == ["Need", "Fit with the Police and Crime Plan"]
    assert [c.name for c in criteria_service.criteria_of(round_)] == ["Need", "Fit with the Police and Crime Plan"]
    need, fit = loaded
    assert str(need.weight) == "2.50" and need.descriptors == {"5": "Strong", "1": "Poor"} and need.minimum_score == 2
    assert (fit.scale_min, fit.scale_max, fit.comment_required) == (1, 10, False)


# -- assigning -------------------------------------------------------------------------------
def assign(client, round_, people, per_bid: int = 2):
    return post_form(
        client,
        f"/assessing/rounds/{round_.code}/assign",
        {"assessors": [str(p.id) for p in people], "per_bid": str(per_bid)},
    )


def active_assessments(round_) -> list[Assessment]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Assessment)
            .join(Application, Application.id == Assessment.application_id)
            .where(Application.round_id == round_.id, Assessment.state.in_(("assigned", "scoring", "submitted")))
        )
    )


def test_bulk_assignment_gives_each_bid_distinct_assessors_with_balanced_loads(client, round_, officer):
    bids = [bid(round_, state="eligible") for _ in range(10)]
    people = assessors(round_, 3)
    staff_user("assessor", ProgrammeFactory())  # assesses another programme: not offered

    form = page(client, f"/assessing/rounds/{round_.code}/assign")
    response = assign(client, round_, people, per_bid=2)

    assert "Assessor 0" in form and form.count('name="assessors"') == 3
    assert response.status_code == 302
    found = active_assessments(round_)
    per_bid = Counter(a.application_id for a in found)
    assert set(per_bid.values()) == {2} and len(per_bid) == 10
    assert len({(a.application_id, a.assessor_id) for a in found}) == 20
    assert sorted(Counter(a.assessor_id for a in found).values()) == [6, 7, 7]
    assert {state_of(b) for b in bids} == {"in_assessment"}
    assert {a.state for a in found} == {"assigned"}
    assert "20 assignments to 3 assessors" in page(client, f"/assessing/rounds/{round_.code}/assign")


def test_each_assessor_is_emailed_once_with_their_bids_and_when_the_panel_needs_them(client, round_, officer):
    round_.decision_on = date(2027, 2, 14)
    db.session.commit()
    bids = [bid(round_, state="eligible") for _ in range(3)]
    people = assessors(round_, 2)

    assign(client, round_, people, per_bid=1)

    sent = {
        m.recipient: m
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key.startswith("assigned:")))
    }
    assert set(sent) == {p.email for p in people}
    counts = sorted(len(re.findall(r"^- ", m.body, re.MULTILINE)) for m in sent.values())
    assert counts == [1, 2]
    two = next(m for m in sent.values() if m.body.count("\n- ") == 2)
    assert two.subject == "2 bids to score for Safer Communities Round 8 before the panel decides on 14 February 2027"
    assert "http://localhost/scoring/" in two.body
    assert all(b.reference in "".join(m.body for m in sent.values()) for b in bids)

    assign(client, round_, people, per_bid=1)  # nothing new given: nobody is emailed again
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.idempotency_key.startswith("assigned:"))
        )
        == 2
    )


def test_assigning_again_only_fills_the_gaps(client, round_, officer):
    for _ in range(4):
        bid(round_, state="eligible")
    people = assessors(round_, 3)
    assign(client, round_, people, per_bid=2)
    first = {a.id for a in active_assessments(round_)}

    response = assign(client, round_, people, per_bid=2)

    assert response.status_code == 302
    assert {a.id for a in active_assessments(round_)} == first
    assert "No new assignments" in page(client, f"/assessing/rounds/{round_.code}/assign")


def test_an_assessor_who_declared_a_conflict_is_never_given_that_bid_again(client, round_, officer):
    conflicted_bid = bid(round_, state="eligible")
    people = assessors(round_, 3)
    assign(client, round_, people[:2], per_bid=2)
    mine = db.session.scalar(
        select(Assessment).where(Assessment.application_id == conflicted_bid.id, Assessment.assessor_id == people[0].id)
    )
    apply_transition(mine, "declare_conflict", people[0], "I am a trustee of this charity")

    assign(client, round_, people, per_bid=2)

    holders = {a.assessor_id for a in active_assessments(round_) if a.application_id == conflicted_bid.id}
    assert holders == {people[1].id, people[2].id}


def test_bulk_assignment_with_more_assessors_per_bid_than_chosen_is_refused(client, round_, officer):
    bid(round_, state="eligible")
    people = assessors(round_, 2)

    response = assign(client, round_, people, per_bid=3)

    assert response.status_code == 400
    assert "Each bid needs 3 different assessors but you chose 2" in response.get_data(as_text=True)
    assert active_assessments(round_) == []


# -- conflicts and reassigning -------------------------------------------------------------------
def test_the_conflict_register_shows_a_declared_conflict_and_reassigning_gives_the_bid_to_another_assessor(
    client, round_, officer
):
    application = bid(round_, state="eligible")
    first, second, third = assessors(round_, 3)
    assign(client, round_, [first, second], per_bid=2)
    mine = db.session.scalar(
        select(Assessment).where(Assessment.application_id == application.id, Assessment.assessor_id == first.id)
    )
    apply_transition(mine, "declare_conflict", first, "My sister chairs the board")

    html = page(client, f"/assessing/rounds/{round_.code}/conflicts")
    assert application.public_reference in html and "Assessor 0" in html and "My sister chairs the board" in html
    options = re.findall(r'<option value="(\d+)"', html)
    assert options == [str(third.id)]  # not the conflicted one, nor the one already assessing it

    response = post_form(
        client,
        f"/assessing/assessments/{mine.id}/reassign",
        {"assessor": str(third.id)},
        form_page=f"/assessing/rounds/{round_.code}/conflicts",
    )

    assert response.status_code == 302
    holders = {a.assessor_id for a in active_assessments(round_) if a.application_id == application.id}
    assert holders == {second.id, third.id}
    audit_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reassign"))
    assert audit_row.subject_id == mine.id and audit_row.data["to_assessor_id"] == third.id
    assert "Reassigned to Assessor 2" in page(client, f"/assessing/rounds/{round_.code}/conflicts")


def test_reassigning_to_an_assessor_who_already_has_the_bid_is_refused(client, round_, officer):
    application = bid(round_, state="eligible")
    first, second = assessors(round_, 2)
    assign(client, round_, [first, second], per_bid=2)
    mine = db.session.scalar(
        select(Assessment).where(Assessment.application_id == application.id, Assessment.assessor_id == first.id)
    )
    apply_transition(mine, "declare_conflict", first, "Former employee")

    response = post_form(
        client,
        f"/assessing/assessments/{mine.id}/reassign",
        {"assessor": str(second.id)},
        form_page="/organisations/new",  # nobody is offered: a forged request
    )

    assert response.status_code == 400
    assert "Choose an assessor who has not already been given this bid" in response.get_data(as_text=True)


def test_removing_an_assignment_needs_a_reason_and_the_bid_lists_its_assessments(client, round_, officer):
    application = bid(round_, state="eligible")
    first, second = assessors(round_, 2)
    assign(client, round_, [first, second], per_bid=2)
    mine = db.session.scalar(
        select(Assessment).where(Assessment.application_id == application.id, Assessment.assessor_id == first.id)
    )
    url = f"/assessing/applications/{application.id}/assessments"
    html = page(client, url)
    assert "Assessor 0" in html and "Assessor 1" in html and "Awaiting conflict declaration" in html

    refused = post_form(
        client,
        f"/assessing/assessments/{mine.id}/remove",
        {"reason": "", "version_id": str(mine.version_id)},
        form_page=url,
    )
    removed = post_form(
        client,
        f"/assessing/assessments/{mine.id}/remove",
        {"reason": "On leave for the whole round", "version_id": str(mine.version_id)},
        form_page=url,
    )

    assert refused.status_code == 400 and "Enter the reason for removing the assignment" in refused.get_data(
        as_text=True
    )
    assert removed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Assessment, mine.id).state == "withdrawn"
    assert "Assignment removed" in page(client, url)


# -- who may ----------------------------------------------------------------------------------
def _every_page(round_, application, assessment) -> tuple[list[str], list[str]]:
    gets = [
        f"/assessing/rounds/{round_.code}",
        f"/assessing/rounds/{round_.code}/screening",
        f"/assessing/rounds/{round_.code}/criteria",
        f"/assessing/rounds/{round_.code}/assign",
        f"/assessing/rounds/{round_.code}/conflicts",
        f"/assessing/applications/{application.id}/screening",
        f"/assessing/applications/{application.id}/assessments",
    ]
    posts = [
        f"/assessing/applications/{application.id}/screening",
        f"/assessing/applications/{application.id}/screening/mark_eligible",
        f"/assessing/rounds/{round_.code}/criteria",
        f"/assessing/rounds/{round_.code}/assign",
        f"/assessing/applications/{application.id}/assessments",
        f"/assessing/assessments/{assessment.id}/reassign",
        f"/assessing/assessments/{assessment.id}/remove",
    ]
    return gets, posts


@pytest.fixture
def case(round_):
    application = bid(round_, state="in_assessment")
    passed_screening(application)
    [assessor] = assessors(round_, 1)
    assessment = Assessment(application_id=application.id, assessor_id=assessor.id)
    from grants.workflow import start_case

    start_case(assessment, "assessment", None)
    db.session.commit()
    return application, assessment, assessor


def test_an_officer_on_another_programme_finds_none_of_these_pages(client, round_, case, sign_in):
    application, assessment, _ = case
    sign_in(staff_user("officer", ProgrammeFactory()))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page(client, "/organisations/new")).group(1)
    gets, posts = _every_page(round_, application, assessment)

    got = {url: client.get(url).status_code for url in gets}
    got.update({f"POST {url}": client.post(url, data={"csrf_token": token}).status_code for url in posts})

    assert set(got.values()) == {404}, got


@pytest.mark.parametrize("who", ["assessor", "applicant"])
def test_assessors_and_applicants_are_refused_every_page(client, round_, case, sign_in, who):
    application, assessment, assessor = case
    user = assessor if who == "assessor" else member_of(application.organisation)
    sign_in(user)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page(client, "/organisations/new")).group(1)
    gets, posts = _every_page(round_, application, assessment)

    got = {url: client.get(url).status_code for url in gets}
    got.update({f"POST {url}": client.post(url, data={"csrf_token": token}).status_code for url in posts})

    assert set(got.values()) == {403}, got


def test_the_round_tasks_page_links_to_each_task(client, round_, officer):
    bid(round_)

    html = page(client, f"/assessing/rounds/{round_.code}")

    for path in ("screening", "criteria", "assign", "conflicts"):
        assert f'href="/assessing/rounds/{round_.code}/{path}"' in html
    assert f'href="/officer/rounds/{round_.code}/applications"' in html
