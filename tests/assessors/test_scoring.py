"""Assessors: the conflict declaration, scoring with drafts, submitting, and seeing others' scores."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from grants.assessors import services
from grants.extensions import db
from grants.models import (
    ApplicationSection,
    Assessment,
    AuditEvent,
    Criterion,
    Document,
    OutboxMessage,
    Score,
)
from grants.workflow import apply_transition, start_case
from tests.apply.helpers import open_round
from tests.datasets.applications import PDF
from tests.factories import ApplicationFactory, OrganisationFactory, RoundFactory, staff_user
from tests.fixtures import csrf_token
from tests.statements import counting_selects

ANSWER = "Three evenings a week of cooking and football at the Bramley community centre."
DETAILS = "My sister is a trustee of Bramley Community Kitchen."
_VERSION = re.compile(r'name="version_id"[^>]*value="(\d+)"')


# -- building blocks -----------------------------------------------------------------------------
@pytest.fixture
def round_():
    return open_round()


@pytest.fixture
def criteria(round_):
    """Three criteria with weights that floats cannot add exactly."""
    rows = [
        Criterion(
            round_id=round_.id,
            position=1,
            name="Need and evidence",
            guidance="How well the bid shows the need, with evidence.",
            scale_min=0,
            scale_max=5,
            descriptors={"0": "No evidence", "3": "Satisfactory", "5": "Strong"},
            weight=Decimal("1.10"),
            minimum_score=2,
            comment_required=True,
        ),
        Criterion(
            round_id=round_.id,
            position=2,
            name="Value for money",
            scale_min=0,
            scale_max=5,
            weight=Decimal("2.35"),
            comment_required=False,
        ),
        Criterion(
            round_id=round_.id,
            position=3,
            name="Deliverability",
            scale_min=1,
            scale_max=10,
            weight=Decimal("0.15"),
            comment_required=True,
        ),
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


@pytest.fixture
def officer(round_):
    return staff_user("officer", round_.programme, email="officer@example.org", name="Olu Officer")


@pytest.fixture
def application(round_):
    organisation = OrganisationFactory(name="Bramley Community Kitchen")
    bid = ApplicationFactory(
        round=round_,
        organisation=organisation,
        project_title="Safe Suppers",
        public_reference="MSCF-R9-0001",
        question_set_id=round_.question_set_id,
        state="in_assessment",
    )
    db.session.add(
        ApplicationSection(
            application_id=bid.id,
            section_key="project",
            answers={"values": {"description": ANSWER}},
            status="completed",
        )
    )
    db.session.commit()
    return bid


def assessor(round_, name: str):
    return staff_user("assessor", round_.programme, name=name)


def assign(application, user, officer, *, state: str | None = None) -> Assessment:
    assessment = Assessment(application_id=application.id, assessor_id=user.id, assigned_by_id=officer.id)
    start_case(assessment, "assessment", officer)
    db.session.commit()
    if state in ("scoring", "submitted"):
        apply_transition(assessment, "declare_no_conflict", user)
    return assessment


@pytest.fixture
def anna(round_):
    return assessor(round_, "Anna Assessor")


@pytest.fixture
def ben(round_):
    return assessor(round_, "Ben Assessor")


@pytest.fixture
def annas(application, anna, officer, criteria) -> Assessment:
    return assign(application, anna, officer)


def version_on(client, url: str) -> str:
    match = _VERSION.search(client.get(url).get_data(as_text=True))
    assert match, f"no version_id on {url}"
    return match.group(1)


def post_scores(client, assessment, scores: dict, action: str = "save", version: str | None = None):
    """POST the scoring form as a browser would: scores maps a Criterion to (score, comment)."""
    url = f"/scoring/{assessment.id}"
    token = csrf_token(client, "/sign-out")
    data = {"csrf_token": token, "version_id": version or version_on(client, url), "action": action}
    for criterion, (score, comment) in scores.items():
        if score is not None:
            data[f"score-{criterion.id}"] = str(score)
        data[f"comment-{criterion.id}"] = comment
    return client.post(url, data=data)


def declare(client, assessment, conflict: str, details: str = ""):
    url = f"/scoring/{assessment.id}/declaration"
    data = {"csrf_token": csrf_token(client, url), "version_id": version_on(client, url), "conflict": conflict}
    if details:
        data["details"] = details
    return client.post(url, data=data)


def full_scores(criteria, need=4, value=3, deliver=7) -> dict:
    need_c, value_c, deliver_c = criteria
    return {
        need_c: (need, "Clear local evidence of need."),
        value_c: (value, ""),
        deliver_c: (deliver, "An experienced team."),
    }


def score_rows(assessment) -> list[Score]:
    return list(db.session.scalars(select(Score).where(Score.assessment_id == assessment.id).order_by(Score.id)))


def state_of(assessment) -> str:
    db.session.expire_all()
    return db.session.get(Assessment, assessment.id).state


# -- the list ------------------------------------------------------------------------------------
def test_an_assessor_sees_their_bids_by_round_with_the_state_in_plain_words(
    client, sign_in, round_, application, anna, officer, criteria
):
    other_round = RoundFactory(programme=round_.programme, title="Safer Communities Fund Round 10")
    second = ApplicationFactory(round=other_round, public_reference="MSCF-R10-0007", project_title="Street Lights")
    annas = assign(application, anna, officer, state="scoring")
    db.session.add(Score(assessment_id=annas.id, criterion_id=criteria[0].id, score=3, created_by_id=anna.id))
    db.session.commit()
    assign(second, anna, officer)
    sign_in(anna)

    html = client.get("/scoring/").get_data(as_text=True)

    assert "Your assessments" in html
    newer, older = html.index("Safer Communities Fund Round 10"), html.index("Safer Communities Fund Round 9")
    assert newer < html.index("MSCF-R10-0007") < older < html.index("MSCF-R9-0001")
    assert "Bramley Community Kitchen" in html and "Safe Suppers" in html and "Street Lights" in html
    assert "Declare any conflict" in html
    assert "Scoring" in html and "1 of 3 criteria scored" in html


def test_someone_without_the_assessor_role_cannot_open_the_scoring_pages(client, sign_in, annas, officer):
    sign_in(officer)

    assert client.get("/scoring/").status_code == 403
    assert client.get(f"/scoring/{annas.id}").status_code == 403


# -- the declaration -----------------------------------------------------------------------------
def test_before_declaring_the_assessor_sees_only_the_organisation_project_and_round(client, sign_in, anna, annas):
    sign_in(anna)

    redirected = client.get(f"/scoring/{annas.id}")
    html = client.get(f"/scoring/{annas.id}/declaration").get_data(as_text=True)

    assert redirected.status_code == 302
    assert redirected.headers["Location"].endswith(f"/scoring/{annas.id}/declaration")
    assert "Bramley Community Kitchen" in html and "Safe Suppers" in html and "Safer Communities Fund Round 9" in html
    assert "Do you have a conflict of interest with this organisation or project?" in html
    assert ANSWER not in html


def test_declaring_no_conflict_opens_the_bid_for_scoring(client, sign_in, anna, annas):
    sign_in(anna)

    response = declare(client, annas, "no")
    html = client.get(f"/scoring/{annas.id}").get_data(as_text=True)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/scoring/{annas.id}")
    assert state_of(annas) == "scoring"
    assert ANSWER in html
    assert "Need and evidence" in html and "Save draft" in html and "Submit scores" in html


def test_a_declared_conflict_needs_details(client, sign_in, anna, annas):
    sign_in(anna)

    response = declare(client, annas, "yes")

    assert response.status_code == 400
    assert "Enter details of your conflict of interest" in response.get_data(as_text=True)
    assert state_of(annas) == "assigned"


def test_declaring_a_conflict_takes_the_bid_off_the_list_and_tells_the_officers(client, sign_in, anna, annas, officer):
    sign_in(anna)

    response = declare(client, annas, "yes", DETAILS)
    listing = client.get(response.headers["Location"]).get_data(as_text=True)

    assert response.status_code == 302 and response.headers["Location"].endswith("/scoring/")
    assert "You have declared a conflict of interest with MSCF-R9-0001" in listing
    assert "Safe Suppers" not in listing and "Bramley Community Kitchen" not in listing
    db.session.expire_all()
    saved = db.session.get(Assessment, annas.id)
    assert (saved.state, saved.conflict_details) == ("conflicted", DETAILS)
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == officer.email))
    assert email is not None and DETAILS in email.body


def test_a_conflicted_bid_is_not_found_on_every_page_of_that_assessor_but_another_assessor_still_sees_it(
    app, client, sign_in, application, anna, ben, officer, criteria
):
    annas = assign(application, anna, officer, state="scoring")
    assign(application, ben, officer, state="scoring")
    document = _document(app, application)
    apply_transition(annas, "declare_conflict", anna, DETAILS)
    sign_in(anna)
    token = csrf_token(client, "/sign-out")

    assert "MSCF-R9-0001" not in client.get("/scoring/").get_data(as_text=True)
    assert client.get(f"/scoring/{annas.id}").status_code == 404
    assert client.get(f"/scoring/{annas.id}/declaration").status_code == 404
    assert (
        client.post(f"/scoring/{annas.id}/declaration", data={"csrf_token": token, "conflict": "no"}).status_code == 404
    )
    crafted = {"csrf_token": token, "version_id": annas.version_id, "action": "save", f"score-{criteria[0].id}": "3"}
    assert client.post(f"/scoring/{annas.id}", data=crafted).status_code == 404
    assert client.get(f"/applications/{application.id}/documents/{document.id}").status_code == 404
    assert score_rows(annas) == []
    assert services.can_see_application(anna, application.id) is False

    client.get("/sign-out")
    sign_in(ben)
    assert "MSCF-R9-0001" in client.get("/scoring/").get_data(as_text=True)
    assert client.get(f"/scoring/{_assessment_of(ben).id}").status_code == 200


def test_visible_assessments_leaves_out_conflicted_and_removed_assignments(round_, anna, officer, criteria):
    kept, conflicted, removed = (ApplicationFactory(round=round_, state="in_assessment") for _ in range(3))
    wanted = assign(kept, anna, officer)
    apply_transition(assign(conflicted, anna, officer), "declare_conflict", anna, DETAILS)
    apply_transition(assign(removed, anna, officer), "remove", officer, "Workload")

    seen = db.session.scalars(services.visible_assessments(anna)).all()

    assert [a.id for a in seen] == [wanted.id]


def test_an_assessor_who_lost_the_role_on_the_programme_no_longer_sees_its_bids(round_, anna, officer, criteria):
    from grants.models import RoleGrant

    assign(ApplicationFactory(round=round_, state="in_assessment"), anna, officer)
    db.session.execute(RoleGrant.__table__.delete().where(RoleGrant.user_id == anna.id))
    db.session.commit()
    db.session.add(RoleGrant(user_id=anna.id, role="assessor", programme_id=RoundFactory().programme_id))
    db.session.commit()

    assert db.session.scalars(services.visible_assessments(anna)).all() == []


def test_scoring_a_bid_one_is_not_assigned_to_is_not_found_and_saves_nothing(
    client, sign_in, application, anna, ben, officer, criteria
):
    annas = assign(application, anna, officer, state="scoring")
    sign_in(ben)
    token = csrf_token(client, "/sign-out")
    crafted = {"csrf_token": token, "version_id": annas.version_id, "action": "submit"}
    crafted.update({f"score-{c.id}": "3" for c in criteria})

    assert client.get(f"/scoring/{annas.id}").status_code == 404
    assert client.get(f"/scoring/{annas.id}/declaration").status_code == 404
    assert client.post(f"/scoring/{annas.id}", data=crafted).status_code == 404
    assert client.get("/scoring/999999").status_code == 404
    assert score_rows(annas) == []
    assert state_of(annas) == "scoring"


def test_a_removed_assignment_is_not_found(client, sign_in, application, anna, officer, criteria):
    annas = assign(application, anna, officer, state="scoring")
    apply_transition(annas, "remove", officer, "Rebalancing the load")
    sign_in(anna)

    assert client.get(f"/scoring/{annas.id}").status_code == 404


# -- scoring -------------------------------------------------------------------------------------
@pytest.fixture
def scoring(application, anna, officer, criteria) -> Assessment:
    return assign(application, anna, officer, state="scoring")


def test_a_score_outside_the_scale_is_refused_and_nothing_is_saved(client, sign_in, anna, scoring, criteria):
    sign_in(anna)
    scores = full_scores(criteria, need=7)
    scores[criteria[1]] = (4, "Kept comment on value")

    response = post_scores(client, scoring, scores)
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "Score for Need and evidence must be between 0 and 5" in html
    assert "Kept comment on value" in html
    assert score_rows(scoring) == []


def test_a_score_that_is_not_a_number_is_refused(client, sign_in, anna, scoring, criteria):
    sign_in(anna)

    response = post_scores(client, scoring, {criteria[2]: ("lots", "")})

    assert response.status_code == 400
    assert "Score for Deliverability must be between 1 and 10" in response.get_data(as_text=True)
    assert score_rows(scoring) == []


def test_submitting_without_a_required_comment_is_refused_and_nothing_is_saved(
    client, sign_in, anna, scoring, criteria
):
    sign_in(anna)
    scores = full_scores(criteria)
    scores[criteria[0]] = (4, "   ")

    response = post_scores(client, scoring, scores, action="submit")

    assert response.status_code == 400
    assert "Enter a comment for Need and evidence" in response.get_data(as_text=True)
    assert score_rows(scoring) == []
    assert state_of(scoring) == "scoring"


def test_submitting_with_a_criterion_unscored_is_refused(client, sign_in, anna, scoring, criteria):
    sign_in(anna)
    scores = full_scores(criteria)
    del scores[criteria[2]]

    response = post_scores(client, scoring, scores, action="submit")

    assert response.status_code == 400
    assert "Select a score for Deliverability" in response.get_data(as_text=True)
    assert state_of(scoring) == "scoring"


def test_a_saved_draft_is_there_when_the_assessor_comes_back(client, sign_in, anna, scoring, criteria):
    sign_in(anna)

    response = post_scores(client, scoring, {criteria[0]: (4, "Good evidence from the ward profile.")})
    html = client.get(f"/scoring/{scoring.id}").get_data(as_text=True)

    assert response.status_code == 302
    assert "Your draft scores have been saved" in html
    assert re.search(rf'name="score-{criteria[0].id}" type="radio" value="4"\s+checked', html)
    assert "Good evidence from the ward profile." in html
    assert state_of(scoring) == "scoring"


def test_rescoring_adds_a_row_and_keeps_the_earlier_score(client, sign_in, anna, scoring, criteria):
    sign_in(anna)
    need = criteria[0]

    post_scores(client, scoring, {need: (3, "First look.")})
    post_scores(client, scoring, {need: (4, "Second look.")})
    unchanged = post_scores(client, scoring, {need: (4, "Second look.")})

    rows = score_rows(scoring)
    assert [(r.score, r.comment, r.created_by_id) for r in rows] == [
        (3, "First look.", anna.id),
        (4, "Second look.", anna.id),
    ]
    assert scoring.current_scores()[need.id].score == 4
    assert "You have not changed any scores" in client.get(unchanged.headers["Location"]).get_data(as_text=True)


def test_a_stale_page_is_refused_with_what_was_typed_kept(client, sign_in, anna, scoring, criteria):
    sign_in(anna)
    need = criteria[0]
    old_version = version_on(client, f"/scoring/{scoring.id}")
    post_scores(client, scoring, {need: (2, "Saved in another tab.")}, version=old_version)

    response = post_scores(client, scoring, {need: (5, "Typed in the old tab.")}, version=old_version)
    html = response.get_data(as_text=True)

    assert response.status_code == 409
    assert "Typed in the old tab." in html and "Saved in another tab." in html
    assert [r.comment for r in score_rows(scoring)] == ["Saved in another tab."]


def test_submitting_locks_the_scores(client, sign_in, anna, scoring, criteria):
    sign_in(anna)

    response = post_scores(client, scoring, full_scores(criteria), action="submit")
    html = client.get(f"/scoring/{scoring.id}").get_data(as_text=True)
    again = post_scores(client, scoring, full_scores(criteria, need=1), version=str(scoring.version_id))

    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Assessment, scoring.id)
    assert saved.state == "submitted" and saved.submitted_at is not None
    assert "They are locked" in html and 'name="action"' not in html
    assert again.status_code == 409
    assert "cannot be changed" in again.get_data(as_text=True)
    assert [r.score for r in score_rows(scoring)] == [4, 3, 7]
    assert "Submitted" in client.get("/scoring/?show=done").get_data(as_text=True)


def test_an_officer_reopening_the_scores_unlocks_them(client, sign_in, anna, officer, scoring, criteria):
    sign_in(anna)
    post_scores(client, scoring, full_scores(criteria), action="submit")
    db.session.expire_all()
    submitted = db.session.get(Assessment, scoring.id)

    apply_transition(submitted, "reopen", officer, "Please look again at value for money.")
    html = client.get(f"/scoring/{scoring.id}").get_data(as_text=True)
    response = post_scores(client, scoring, {criteria[1]: (2, "Looked again.")})

    assert 'name="action"' in html and "They are locked" not in html
    assert response.status_code == 302
    assert [r.score for r in score_rows(scoring)] == [4, 3, 7, 2]
    reopened = db.session.scalar(
        select(AuditEvent).where(AuditEvent.subject_type == "assessment", AuditEvent.action == "reopen")
    )
    assert reopened.reason == "Please look again at value for money." and reopened.actor_id == officer.id


# -- others' scores ------------------------------------------------------------------------------
def test_other_assessors_scores_are_hidden_until_ones_own_are_submitted(
    client, sign_in, application, anna, ben, officer, criteria
):
    annas = assign(application, anna, officer, state="scoring")
    bens = assign(application, ben, officer, state="scoring")
    sign_in(ben)
    post_scores(client, bens, full_scores(criteria, need=5, value=2, deliver=9), action="submit")
    client.get("/sign-out")
    sign_in(anna)

    before = client.get(f"/scoring/{annas.id}").get_data(as_text=True)
    post_scores(client, annas, full_scores(criteria, need=3, value=4, deliver=10), action="submit")
    after = client.get(f"/scoring/{annas.id}").get_data(as_text=True)

    assert "Ben Assessor" not in before and "side-by-side" not in before and "11.55" not in before
    # Ben: 5 × 1.10 + 2 × 2.35 + 9 × 0.15 = 11.55; Anna: 3 × 1.10 + 4 × 2.35 + 10 × 0.15 = 14.20
    assert "Ben Assessor" in after and 'id="side-by-side"' in after
    assert "11.55" in after and "14.20" in after


def test_weighted_totals_are_exact_decimals_to_two_places(criteria):
    totals = services.weighted_total(criteria, {criteria[0].id: 3, criteria[1].id: 3, criteria[2].id: 3})

    assert totals == Decimal("10.80")
    assert str(totals) == "10.80"


# -- documents -----------------------------------------------------------------------------------
def _document(app, application) -> Document:
    stored = secrets.token_hex(16)
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / stored).write_bytes(PDF)
    document = Document(
        application_id=application.id,
        question_key="latest_accounts",
        original_name="accounts-2025.pdf",
        stored_name=stored,
        content_type="application/pdf",
        size_bytes=len(PDF),
        sha256="0" * 64,
    )
    db.session.add(document)
    db.session.commit()
    return document


def test_the_scoring_page_links_to_the_bids_documents(app, client, sign_in, anna, scoring, application):
    document = _document(app, application)
    sign_in(anna)

    html = client.get(f"/scoring/{scoring.id}").get_data(as_text=True)

    assert f'href="/applications/{application.id}/documents/{document.id}"' in html
    assert "accounts-2025.pdf" in html


def test_an_assessor_assigned_to_a_bid_can_download_its_documents(app, client, sign_in, anna, scoring, application):
    document = _document(app, application)
    sign_in(anna)

    response = client.get(f"/applications/{application.id}/documents/{document.id}")

    assert response.status_code == 200
    assert response.data == PDF


# -- the list's cost -----------------------------------------------------------------------------
def test_the_list_uses_the_same_number_of_queries_whatever_its_length(client, sign_in, round_, anna, officer, criteria):
    def statements_for(url: str) -> int:
        with counting_selects() as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    def more_bids(number: int, state: str | None) -> None:
        for _ in range(number):
            assign(ApplicationFactory(round=round_, state="in_assessment"), anna, officer, state=state)

    sign_in(anna)
    more_bids(2, "scoring")
    small = statements_for("/scoring/")
    more_bids(15, None)
    more_bids(15, "scoring")
    large = statements_for("/scoring/")
    second_page = client.get("/scoring/?page=2").get_data(as_text=True)

    assert small == large
    total = db.session.scalar(select(func.count()).select_from(Assessment).where(Assessment.assessor_id == anna.id))
    assert f"Showing 26 to {total} of {total}" in second_page


def _assessment_of(user) -> Assessment:
    return db.session.scalar(select(Assessment).where(Assessment.assessor_id == user.id))
