"""The panel moderates, ranks within budget and recommends; the decision maker decides; the panel pack."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from grants.decisions import moderation
from grants.decisions.ranking import rank_round
from grants.extensions import db
from grants.models import (
    Application,
    ApplicationTerm,
    Approval,
    Assessment,
    AuditEvent,
    Criterion,
    OutboxMessage,
    Recommendation,
    Score,
    Term,
)
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    OrganisationFactory,
    RoundFactory,
    ensure_terms,
    member_of,
    staff_user,
)
from tests.fixtures import csrf_token, post_form, sign_in_as

TERMS = {
    ("district", "bradford"): "Bradford",
    ("district", "leeds"): "Leeds",
    ("district", "wakefield"): "Wakefield",
    ("area_of_focus", "serious_violence"): "Serious Violence",
    ("area_of_focus", "hate_crime"): "Hate Crime",
}


@pytest.fixture
def terms() -> dict[str, Term]:
    return ensure_terms(TERMS)


@pytest.fixture
def round_():
    return RoundFactory(
        code="MSCF-R9",
        title="Safer Communities Round 9",
        state="closed",
        budget_pence=1_000_000,  # £10,000
        moderation_spread=Decimal("5"),
    )


_positions = iter(range(1, 100_000))


def criterion(round_, name: str, weight: str, *, scale_max: int = 5, minimum: int | None = None) -> Criterion:
    found = Criterion(
        round_id=round_.id,
        name=name,
        weight=Decimal(weight),
        scale_min=0,
        scale_max=scale_max,
        minimum_score=minimum,
        position=next(_positions),
    )
    db.session.add(found)
    db.session.commit()
    return found


@pytest.fixture
def criteria(round_) -> list[Criterion]:
    """Two criteria with weights that test the sums: 1.5 and 2.25 (the most a bid can get: 18.75)."""
    return [criterion(round_, "Need and evidence", "1.5"), criterion(round_, "Value for money", "2.25")]


@pytest.fixture
def assessors(round_):
    return [staff_user("assessor", round_.programme, name=f"Assessor {letter}") for letter in "ABC"]


_numbers = iter(range(1, 100_000))


def bid(
    round_,
    criteria,
    assessors,
    marks: list[list[int]],
    *,
    amount: int = 400_000,
    tags=("leeds",),
    terms=None,
    state: str = "in_assessment",
    organisation=None,
    number: int | None = None,
    comments: str = "Clear evidence of need",
) -> Application:
    """A bid in assessment with one submitted assessment per list of marks (one mark per criterion)."""
    number = number or next(_numbers)
    application = ApplicationFactory(
        round=round_,
        organisation=organisation or OrganisationFactory(),
        amount_requested_pence=amount,
        state=state,
        public_reference=f"{round_.code}-{number:04d}",
        submitted_at=datetime(2022, 11, 3, 15, 30, tzinfo=UTC),
    )
    if terms is not None:
        db.session.add_all(ApplicationTerm(application_id=application.id, term_id=terms[code].id) for code in tags)
    for assessor, scores in zip(assessors, marks):
        assessment = Assessment(
            application_id=application.id,
            assessor_id=assessor.id,
            workflow="assessment",
            workflow_version=1,
            state="submitted",
            state_changed_at=datetime.now(UTC),
            submitted_at=datetime.now(UTC),
        )
        db.session.add(assessment)
        db.session.flush()
        for item, score in zip(criteria, scores):
            db.session.add(Score(assessment_id=assessment.id, criterion_id=item.id, score=score, comment=comments))
    db.session.commit()
    return application


def signed_in(app, user):
    client = app.test_client()
    response = sign_in_as(client, user.email, PASSWORD)
    assert response.status_code == 302
    return client


@pytest.fixture
def officer(round_):
    return staff_user("officer", round_.programme, name="Olive Officer")


@pytest.fixture
def decision_maker(round_):
    return staff_user("decision_maker", round_.programme, name="Deputy Mayor")


def text(response) -> str:
    return response.get_data(as_text=True)


# -- moderation -------------------------------------------------------------------------------------
def test_weighted_totals_and_their_mean_are_exact_to_the_penny(app, round_, criteria, assessors, officer):
    application = bid(round_, criteria, assessors, [[3, 4], [5, 1]])  # 4.50 + 9.00; 7.50 + 2.25

    board = moderation.board(round_)

    [shown] = board.bids
    assert [sheet.total for sheet in shown.sheets] == [Decimal("13.50"), Decimal("9.75")]
    assert shown.mean_total == Decimal("11.63")  # 11.625 rounded half up
    assert board.maximum_total == Decimal("18.75")
    [ranked] = rank_round(round_).rows  # the ranking sums in the database: the same figures
    assert sorted(ranked.assessor_totals) == [Decimal("9.75"), Decimal("13.50")]
    assert ranked.mean_total == Decimal("11.63")
    html = text(signed_in(app, officer).get(f"/panel/rounds/{round_.code}/moderation"))
    assert application.public_reference in html
    assert "13.50" in html and "9.75" in html and "11.63 out of 18.75" in html


def test_only_each_assessors_latest_submitted_scores_count(round_, criteria, assessors):
    application = bid(round_, criteria, assessors, [[1, 1]])
    assessment = db.session.scalar(select(Assessment).where(Assessment.application_id == application.id))
    db.session.add(Score(assessment_id=assessment.id, criterion_id=criteria[0].id, score=5, comment="Rescored"))
    draft = Assessment(
        application_id=application.id,
        assessor_id=assessors[1].id,
        workflow="assessment",
        workflow_version=1,
        state="scoring",  # not submitted: not counted
        state_changed_at=datetime.now(UTC),
    )
    db.session.add(draft)
    db.session.flush()
    db.session.add(Score(assessment_id=draft.id, criterion_id=criteria[0].id, score=0))
    db.session.commit()

    [shown] = moderation.board(round_).bids

    assert [sheet.total for sheet in shown.sheets] == [Decimal("9.75")]  # 5 × 1.5 + 1 × 2.25
    assert shown.sheets[0].comments[criteria[0].id] == "Rescored"
    assert rank_round(round_).rows[0].assessor_totals == [Decimal("9.75")]


def test_bids_whose_assessors_disagree_by_more_than_the_spread_are_flagged(app, round_, criteria, assessors, officer):
    calm = bid(round_, criteria, assessors, [[3, 3], [4, 3]])  # 11.25 and 12.75: 1.50 apart
    split = bid(round_, criteria, assessors, [[5, 5], [1, 2]])  # 18.75 and 6.00: 12.75 apart
    edge = bid(round_, criteria, assessors, [[0, 4], [0, 0], [2, 2]])  # 9.00, 0.00, 7.50: 9.00 apart
    round_.moderation_spread = Decimal("9.00")
    db.session.commit()

    flagged = {b.reference: b.flagged for b in moderation.board(round_).bids}

    assert flagged == {calm.public_reference: False, split.public_reference: True, edge.public_reference: False}
    html = text(signed_in(app, officer).get(f"/panel/rounds/{round_.code}/moderation?flagged=1"))
    assert split.public_reference in html and calm.public_reference not in html


def test_a_moderated_score_is_saved_with_its_reason_and_audited(app, round_, criteria, assessors, officer):
    application = bid(round_, criteria, assessors, [[5, 5], [1, 2]])
    client = signed_in(app, officer)
    url = f"/panel/applications/{application.id}/moderate"

    response = post_form(client, url, {"score": "14.25", "reason": "Assessor B missed the evidence", "version_id": ""})

    assert response.status_code == 302, text(response)
    saved = db.session.scalar(select(Recommendation).where(Recommendation.application_id == application.id))
    assert saved.moderated_score == Decimal("14.25")
    assert saved.moderation_reason == "Assessor B missed the evidence"
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "moderate"))
    assert event_.subject_id == application.id and event_.actor_id == officer.id
    assert event_.data == {"from_score": None, "to_score": "14.25"}


def test_a_moderated_score_outside_the_scale_or_without_a_reason_is_refused(app, round_, criteria, assessors, officer):
    application = bid(round_, criteria, assessors, [[5, 5], [1, 2]])
    client = signed_in(app, officer)
    url = f"/panel/applications/{application.id}/moderate"

    too_high = post_form(client, url, {"score": "18.76", "reason": "Generous", "version_id": ""})
    no_reason = post_form(client, url, {"score": "12", "reason": "  ", "version_id": ""})

    assert too_high.status_code == 400 and "between 0 and 18.75" in text(too_high)
    assert no_reason.status_code == 400 and "Enter the reason for the moderated score" in text(no_reason)
    assert db.session.scalar(select(func.count()).select_from(Recommendation)) == 0


def test_two_officers_moderating_at_once_the_second_is_told_and_keeps_what_they_typed(
    app, round_, criteria, assessors, officer
):
    application = bid(round_, criteria, assessors, [[5, 5], [1, 2]])
    other = staff_user("officer", round_.programme)
    first, second = signed_in(app, officer), signed_in(app, other)
    url = f"/panel/applications/{application.id}/moderate"
    first_token, second_token = csrf_token(first, url), csrf_token(second, url)  # both open the form

    saved = first.post(url, data={"csrf_token": first_token, "score": "12.00", "reason": "Agreed", "version_id": ""})
    late = second.post(
        url, data={"csrf_token": second_token, "score": "15.50", "reason": "My own view", "version_id": ""}
    )

    assert saved.status_code == 302
    assert late.status_code == 409
    html = text(late)
    assert "Someone else saved a moderated score" in html
    assert 'value="15.50"' in html and "My own view" in html  # what they typed is kept
    assert "<strong>12.00</strong>" in html  # and what is saved now is shown
    current = db.session.scalar(select(Recommendation).where(Recommendation.application_id == application.id))
    assert current.moderated_score == Decimal("12.00")
    assert f'name="version_id" type="hidden" value="{current.version_id}"' in html or (
        f'value="{current.version_id}"' in html
    )


# -- ranking --------------------------------------------------------------------------------------
def test_bids_are_ranked_by_moderated_score_or_mean_and_the_line_is_drawn_where_the_budget_runs_out(
    app, round_, criteria, assessors, officer
):
    top = bid(round_, criteria, assessors, [[5, 5], [5, 4]], amount=400_000, number=5)  # mean 17.63
    tie_b = bid(round_, criteria, assessors, [[3, 3]], amount=300_000, number=3)  # 11.25
    tie_a = bid(round_, criteria, assessors, [[3, 3]], amount=300_000, number=2)  # 11.25: ranks first by reference
    lifted = bid(round_, criteria, assessors, [[1, 1]], amount=200_000, number=4)  # 3.75, moderated to 12.00
    last = bid(round_, criteria, assessors, [[0, 1]], amount=100_000, number=1)  # 2.25
    db.session.add(Recommendation(application_id=lifted.id, moderated_score=Decimal("12"), moderation_reason="x"))
    db.session.commit()

    ranking = rank_round(round_)

    assert [row.reference for row in ranking.rows] == [
        top.public_reference,
        lifted.public_reference,
        tie_a.public_reference,
        tie_b.public_reference,
        last.public_reference,
    ]
    # £4,000 + £2,000 + £3,000 = £9,000 fits the £10,000 budget; + £3,000 does not; nor does anything below.
    assert [row.cumulative_pence for row in ranking.rows] == [400_000, 600_000, 900_000, 1_200_000, 1_300_000]
    assert [row.above_line for row in ranking.rows] == [True, True, True, False, False]
    assert ranking.above_line_pence == 900_000 and ranking.left_pence == 100_000
    html = text(signed_in(app, officer).get(f"/panel/rounds/{round_.code}/ranking"))
    assert "Funding line" in html and "£9,000.00 recommended above the line, £1,000.00 left" in html
    assert html.index(tie_a.public_reference) < html.index("funding-line") < html.index(tie_b.public_reference)


def test_the_funding_line_uses_recommended_amounts_and_skips_bids_not_recommended(round_, criteria, assessors):
    first = bid(round_, criteria, assessors, [[5, 5]], amount=800_000)
    dropped = bid(round_, criteria, assessors, [[4, 4]], amount=500_000, state="not_recommended")
    second = bid(round_, criteria, assessors, [[3, 3]], amount=400_000)
    db.session.add(Recommendation(application_id=first.id, recommended_amount_pence=600_000, amount_reason="Less"))
    db.session.commit()

    rows = {row.application_id: row for row in rank_round(round_).rows}

    assert rows[first.id].recommended_pence == 600_000 and rows[first.id].above_line
    assert not rows[dropped.id].above_line and rows[dropped.id].cumulative_pence == 600_000
    assert rows[second.id].cumulative_pence == 1_000_000 and rows[second.id].above_line  # exactly the budget


def test_money_above_the_line_is_summed_by_district_and_area_of_focus_counting_each_tag(
    app, round_, criteria, assessors, terms, officer
):
    bid(round_, criteria, assessors, [[5, 5]], amount=300_000, terms=terms, tags=("leeds", "bradford", "hate_crime"))
    bid(round_, criteria, assessors, [[4, 4]], amount=250_000, terms=terms, tags=("leeds", "serious_violence"))
    bid(round_, criteria, assessors, [[1, 1]], amount=900_000, terms=terms, tags=("wakefield", "hate_crime"))  # below

    ranking = rank_round(round_)

    districts = {t.label: (t.bids, t.recommended_pence) for t in ranking.by_district}
    areas = {t.label: (t.bids, t.recommended_pence) for t in ranking.by_area_of_focus}
    assert districts == {"Bradford": (1, 300_000), "Leeds": (2, 550_000), "Wakefield": (0, 0)}
    assert areas == {"Serious Violence": (1, 250_000), "Hate Crime": (1, 300_000)}
    html = text(signed_in(app, officer).get(f"/panel/rounds/{round_.code}/ranking"))
    assert "£5,500.00" in html


def test_ranking_reads_the_same_number_of_statements_for_3_bids_and_for_30(round_, criteria, assessors, terms):
    def statements() -> list[str]:
        seen: list[str] = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            seen.append(" ".join(statement.split())[:80])

        db.session.expire_all()
        code = round_.code  # the round itself is loaded by the page before it ranks
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            ranking = rank_round(round_)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert ranking.round.code == code
        return seen

    for n in range(3):
        bid(round_, criteria, assessors, [[n % 6, 3], [2, 4]], terms=terms, tags=("leeds", "hate_crime"))
    small = statements()
    for n in range(27):
        more = bid(round_, criteria, assessors, [[n % 6, 3], [2, 4], [1, 1]], terms=terms, tags=("bradford",))
        if n % 3 == 0:
            db.session.add(Recommendation(application_id=more.id, moderated_score=Decimal(n % 10)))
    db.session.commit()
    large = statements()

    assert len(rank_round(round_).rows) == 30
    assert len(small) == len(large) <= 5, large


# -- recommendations ------------------------------------------------------------------------------
def test_recommending_less_than_was_asked_for_needs_a_reason(app, round_, criteria, assessors, officer):
    application = bid(round_, criteria, assessors, [[4, 4]], amount=500_000)
    client = signed_in(app, officer)
    url = f"/panel/applications/{application.id}/recommendation"
    fields = {"feedback": "A strong, well-evidenced bid", "conditions": "", "version_id": ""}

    no_reason = post_form(client, url, {**fields, "amount": "4,000", "amount_reason": ""})
    too_much = post_form(client, url, {**fields, "amount": "5000.01", "amount_reason": ""})
    with_reason = post_form(client, url, {**fields, "amount": "4,000", "amount_reason": "Equipment not eligible"})

    assert no_reason.status_code == 400
    assert "Enter the reason for recommending less than was asked for" in text(no_reason)
    assert too_much.status_code == 400 and "no more than the £5,000.00 asked for" in text(too_much)
    assert with_reason.status_code == 302, text(with_reason)
    saved = db.session.scalar(select(Recommendation).where(Recommendation.application_id == application.id))
    assert saved.recommended_amount_pence == 400_000
    assert saved.amount_reason == "Equipment not eligible"
    assert saved.feedback == "A strong, well-evidenced bid"
    audited = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "recommendation"))
    assert audited.subject_id == application.id and audited.reason == "Equipment not eligible"
    assert audited.data["from_amount_pence"] is None and audited.data["to_amount_pence"] == 400_000
    assert rank_round(round_).rows[0].recommended_pence == 400_000


def test_a_recommendation_saved_by_someone_else_meanwhile_is_not_overwritten(app, round_, criteria, assessors, officer):
    application = bid(round_, criteria, assessors, [[4, 4]], amount=500_000)
    url = f"/panel/applications/{application.id}/recommendation"
    mine = signed_in(app, officer)
    token = csrf_token(mine, url)  # the form is open, with no recommendation saved yet
    db.session.add(Recommendation(application_id=application.id, recommended_amount_pence=450_000, amount_reason="x"))
    db.session.commit()

    late = mine.post(
        url,
        data={
            "csrf_token": token,
            "amount": "5000",
            "amount_reason": "",
            "feedback": "My feedback",
            "conditions": "",
            "version_id": "",
        },
    )

    assert late.status_code == 409
    assert "Someone else saved the recommendation" in text(late) and "My feedback" in text(late)
    assert "Recommended amount: £4,500.00" in text(late)
    db.session.expire_all()
    saved = db.session.scalar(select(Recommendation).where(Recommendation.application_id == application.id))
    assert saved.recommended_amount_pence == 450_000 and saved.feedback is None


def test_an_officer_marks_bids_recommended_reserve_and_not_recommended(app, round_, criteria, assessors, officer):
    first = bid(round_, criteria, assessors, [[4, 4]])
    second = bid(round_, criteria, assessors, [[3, 3]])
    third = bid(round_, criteria, assessors, [[1, 1]])
    client = signed_in(app, officer)

    def mark(application, decision: str, reason: str = ""):
        page = f"/panel/applications/{application.id}/recommendation"
        data = {"decision": decision, "reason": reason, "version_id": str(application.version_id)}
        return post_form(client, f"/panel/applications/{application.id}/mark", data, form_page=page)

    assert mark(first, "recommend").status_code == 302
    assert mark(second, "hold_in_reserve").status_code == 302
    refused = mark(third, "do_not_recommend")
    assert refused.status_code == 400 and "Enter a reason" in text(refused)
    assert mark(third, "do_not_recommend", "Weak evidence of need").status_code == 302

    db.session.expire_all()
    assert [first.state, second.state, third.state] == ["recommended", "reserve", "not_recommended"]


def test_a_bid_below_a_criterions_minimum_cannot_be_recommended(app, round_, assessors, officer):
    need = criterion(round_, "Need and evidence", "1", minimum=3)
    value = criterion(round_, "Value for money", "1")
    application = bid(round_, [need, value], assessors, [[2, 5], [3, 5]])  # need: mean 2.5 < 3
    client = signed_in(app, officer)
    page = f"/panel/applications/{application.id}/recommendation"

    response = post_form(
        client,
        f"/panel/applications/{application.id}/mark",
        {"decision": "recommend", "reason": "", "version_id": str(application.version_id)},
        form_page=page,
    )

    assert response.status_code == 403
    assert "Need and evidence scores below the minimum of 3" in text(response)
    db.session.expire_all()
    assert application.state == "in_assessment"
    assert "Below a minimum" in text(client.get(f"/panel/rounds/{round_.code}/ranking"))


# -- the decision ---------------------------------------------------------------------------------
def decide(client, round_, data: dict):
    url = f"/panel/rounds/{round_.code}/decision"
    return post_form(client, url, data)


def test_the_decision_maker_approves_a_batch_and_the_applicants_are_told(
    app, round_, criteria, assessors, decision_maker
):
    first = bid(round_, criteria, assessors, [[4, 4]], state="recommended")
    second = bid(round_, criteria, assessors, [[3, 3]], state="reserve")
    untouched = bid(round_, criteria, assessors, [[3, 2]], state="recommended")
    applicant = member_of(first.organisation)
    client = signed_in(app, decision_maker)

    response = decide(
        client,
        round_,
        {
            "application_ids": [str(first.id), str(second.id)],
            "action": "approve",
            "conditions": "Share your safeguarding policy",
            "reason": "",
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert [first.state, second.state, untouched.state] == ["approved", "approved", "recommended"]
    approvals = db.session.scalars(select(Approval).where(Approval.approver_id == decision_maker.id)).all()
    assert {a.application_id for a in approvals} == {first.id, second.id}
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == applicant.email))
    assert "Approved" in email.body and "Amount approved: £4,000.00" in email.body
    assert "Share your safeguarding policy" in email.body
    page = text(client.get(f"/panel/rounds/{round_.code}/decision"))
    assert f"2 bids approved: {first.public_reference}, {second.public_reference}." in page
    assert "Decided already: 2 approved" in page


def test_an_award_above_100000_pounds_needs_two_different_decision_makers(
    app, round_, criteria, assessors, decision_maker
):
    big = bid(round_, criteria, assessors, [[5, 5]], amount=10_000_100, state="recommended")  # £100,001
    first = signed_in(app, decision_maker)
    second_person = staff_user("decision_maker", round_.programme, name="Mayor")
    one = {"one": f"approve:{big.id}", "reason": "", "conditions": ""}
    version = big.version_id

    decide(first, round_, one)
    db.session.expire_all()
    assert big.state == "recommended"
    assert big.version_id == version + 1  # recording an approval bumps the bid: approvers act one at a time
    page = text(first.get(f"/panel/rounds/{round_.code}/decision"))
    assert "Waiting for a second approval" in page
    assert "waiting for a second approval by another decision maker" in page

    decide(first, round_, one)  # the same person again changes nothing
    db.session.expire_all()
    assert big.state == "recommended"
    assert db.session.scalar(select(func.count()).select_from(Approval).where(Approval.application_id == big.id)) == 1

    decide(signed_in(app, second_person), round_, one)
    db.session.expire_all()
    assert big.state == "approved"
    assert db.session.scalar(select(func.count()).select_from(Approval).where(Approval.application_id == big.id)) == 2


def test_a_rejection_email_carries_the_reason_and_the_panels_feedback(app, round_, criteria, assessors, decision_maker):
    application = bid(round_, criteria, assessors, [[1, 1]], state="not_recommended")
    db.session.add(
        Recommendation(application_id=application.id, feedback="Tell us more about how you will reach young people")
    )
    db.session.commit()
    applicant = member_of(application.organisation)
    client = signed_in(app, decision_maker)

    missing = decide(client, round_, {"application_ids": [str(application.id)], "action": "reject", "reason": ""})
    assert missing.status_code == 400 and "Enter the reason for rejecting" in text(missing)

    done = decide(
        client,
        round_,
        {"application_ids": [str(application.id)], "action": "reject", "reason": "The round is oversubscribed"},
    )

    assert done.status_code == 302
    db.session.expire_all()
    assert application.state == "unsuccessful"
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == applicant.email))
    assert "Unsuccessful" in email.body
    assert "The round is oversubscribed" in email.body
    assert "Feedback from the assessment panel:\nTell us more about how you will reach young people" in email.body


# -- the panel pack -------------------------------------------------------------------------------
@pytest.fixture
def pack_round(round_, criteria, assessors, terms):
    bid(
        round_,
        criteria,
        assessors,
        [[5, 4], [4, 4]],
        amount=600_050,
        terms=terms,
        tags=("leeds", "hate_crime"),
        organisation=OrganisationFactory(name="=cmd()|' /C calc'!A0"),
        comments="+SUM(1,2)\x07 with a bell",
    )
    bid(round_, criteria, assessors, [[3, 3], [2, 2]], amount=350_025, terms=terms, tags=("bradford",))
    bid(round_, criteria, assessors, [[1, 1]], amount=500_000, terms=terms, tags=("wakefield", "serious_violence"))
    return round_


def test_the_panel_pack_has_typed_cells_formats_and_totals_that_match_the_database(pack_round, tmp_path: Path):
    from exports.xlsx import MONEY_FORMAT
    from grants.decisions.panel_pack import write_panel_pack

    path = tmp_path / "pack.xlsx"
    write_panel_pack(pack_round, path)

    book = load_workbook(path)
    assert book.sheetnames == ["Ranked", "Scores", "By district", "By area of focus", "Notes"]
    ranked = book["Ranked"]
    header = [cell.value for cell in ranked[1]]
    assert header[:4] == ["Rank", "Reference", "Organisation", "Project"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        assert sheet.column_dimensions["A"].width > 0
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$1"  # the header row on every printed page
    rows = list(ranked.iter_rows(min_row=2, max_row=ranked.max_row - 1))
    assert len(rows) == 3
    total = {header[i]: cell.value for i, cell in enumerate(ranked[ranked.max_row])}
    assert (total["Rank"], total["Reference"]) == ("Total", "3 rows")
    assert (total["Requested (£)"], total["Recommended (£)"]) == ("=SUM(G2:G4)", "=SUM(H2:H4)")
    first = {header[i]: cell for i, cell in enumerate(rows[0])}
    assert first["Rank"].value == 1 and first["Rank"].data_type == "n"
    assert first["Organisation"].value == "=cmd()|' /C calc'!A0"  # exactly as typed: typed text, never run
    assert first["Organisation"].data_type == "s" and first["Organisation"].quotePrefix
    assert first["Requested (£)"].data_type == "n" and first["Requested (£)"].number_format == MONEY_FORMAT
    assert Decimal(str(first["Requested (£)"].value)) == Decimal("6000.50")
    assert Decimal(str(first["Mean of assessors' totals"].value)) == Decimal("15.75")  # (16.50 + 15.00) / 2
    assert first["Mean of assessors' totals"].number_format == "0.00"
    assert first["Above the funding line"].value == "Yes"

    requested = sum(round(Decimal(str(row[6].value)) * 100) for row in rows)
    in_db = db.session.scalar(
        select(func.sum(Application.amount_requested_pence)).where(Application.round_id == pack_round.id)
    )
    assert requested == in_db
    above = sum(round(Decimal(str(row[7].value)) * 100) for row in rows if row[12].value == "Yes")
    assert above == rank_round(pack_round).above_line_pence == 950_075

    scores = book["Scores"]
    score_rows = list(scores.iter_rows(min_row=2, values_only=True))
    assert len(score_rows) == 5  # two + two + one submitted assessments
    comment = next(value for value in score_rows[0] if isinstance(value, str) and "SUM" in value)
    assert comment == "+SUM(1,2) with a bell"  # text as typed, the control character gone
    formulas = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert {(cell.parent.title, cell.row) for cell in formulas} == {("Ranked", ranked.max_row)}  # the totals only

    districts = {row[0]: (row[1], row[2]) for row in book["By district"].iter_rows(min_row=2, values_only=True)}
    assert districts["Leeds"][0] == 1 and Decimal(str(districts["Leeds"][1])) == Decimal("6000.50")
    assert districts["Wakefield"] == (0, 0)
    assert book["By district"]["C2"].number_format == MONEY_FORMAT


def test_a_bid_not_recommended_shows_no_recommended_amount_and_the_cumulative_column_adds_up(pack_round, tmp_path):
    from grants.decisions.panel_pack import write_panel_pack

    last = db.session.scalars(select(Application).where(Application.round_id == pack_round.id)).all()[-1]
    last.state = "not_recommended"
    db.session.commit()
    path = tmp_path / "pack.xlsx"
    write_panel_pack(pack_round, path)

    ranked = load_workbook(path)["Ranked"]
    header = [cell.value for cell in ranked[1]]
    rows = [dict(zip(header, r)) for r in ranked.iter_rows(min_row=2, max_row=ranked.max_row - 1, values_only=True)]
    shown = next(r for r in rows if r["Reference"] == last.public_reference)
    assert shown["Recommended (£)"] is None and shown["Cumulative recommended (£)"] is None
    recommended = [Decimal(str(r["Recommended (£)"])) for r in rows if r["Recommended (£)"] is not None]
    cumulative = [Decimal(str(r["Cumulative recommended (£)"])) for r in rows if r["Recommended (£)"] is not None]
    assert cumulative[-1] == sum(recommended)
    notes = dict(load_workbook(path)["Notes"].iter_rows(min_row=2, values_only=True))
    assert "Blank: the bid was not moderated" in notes["Moderated score"]


def test_an_officer_downloads_the_panel_pack(app, pack_round, officer):
    response = signed_in(app, officer).get(f"/panel/rounds/{pack_round.code}/panel-pack.xlsx")

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"filename={pack_round.code}-panel-pack.xlsx" in response.headers["Content-Disposition"]
    assert response.data[:2] == b"PK"
    response.close()  # as a WSGI server does: closes the temporary file


def test_the_panel_pack_command_writes_the_file_and_refuses_an_unknown_round(app, pack_round, tmp_path: Path):
    runner = app.test_cli_runner()
    path = tmp_path / "pack.xlsx"

    done = runner.invoke(args=["grantflow", "export", "panel-pack", "--round", pack_round.code, "-o", str(path)])
    unknown = runner.invoke(
        args=["grantflow", "export", "panel-pack", "--round", "NOPE-R1", "-o", str(tmp_path / "x.xlsx")]
    )

    assert done.exit_code == 0, done.output
    assert "3 bids ranked" in done.output
    assert load_workbook(path)["Ranked"].max_row == 5  # the header, three bids and the total
    assert unknown.exit_code != 0
    assert "There is no round with the code 'NOPE-R1'" in unknown.output
    assert not (tmp_path / "x.xlsx").exists()


# -- who may see what ---------------------------------------------------------------------------
def panel_urls(round_, application) -> list[str]:
    return [
        f"/panel/rounds/{round_.code}/moderation",
        f"/panel/rounds/{round_.code}/ranking",
        f"/panel/rounds/{round_.code}/panel-pack.xlsx",
        f"/panel/applications/{application.id}/moderate",
        f"/panel/applications/{application.id}/recommendation",
    ]


def test_an_officer_of_another_programme_gets_404_everywhere(app, round_, criteria, assessors):
    application = bid(round_, criteria, assessors, [[3, 3]])
    stranger = staff_user("officer", RoundFactory().programme)
    other_decision_maker = staff_user("decision_maker", RoundFactory().programme)
    client = signed_in(app, stranger)

    assert {url: client.get(url).status_code for url in panel_urls(round_, application)} == dict.fromkeys(
        panel_urls(round_, application), 404
    )
    assert signed_in(app, other_decision_maker).get(f"/panel/rounds/{round_.code}/decision").status_code == 404


@pytest.mark.parametrize("role", ["assessor", "applicant", "finance"])
def test_assessors_applicants_and_finance_are_refused(app, round_, criteria, assessors, role):
    application = bid(round_, criteria, assessors, [[3, 3]])
    user = member_of(application.organisation) if role == "applicant" else staff_user(role, round_.programme)
    client = signed_in(app, user)

    urls = [*panel_urls(round_, application), f"/panel/rounds/{round_.code}/decision"]

    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 403)


def test_an_officer_cannot_reach_the_decision_and_a_decision_maker_cannot_rank(
    app, round_, criteria, assessors, officer, decision_maker
):
    application = bid(round_, criteria, assessors, [[3, 3]])

    assert signed_in(app, officer).get(f"/panel/rounds/{round_.code}/decision").status_code == 403
    assert signed_in(app, decision_maker).get(f"/panel/rounds/{round_.code}/ranking").status_code == 403
    assert signed_in(app, decision_maker).get(f"/panel/applications/{application.id}/moderate").status_code == 403


def test_a_bid_not_yet_in_assessment_has_no_panel_page(app, round_, officer):
    draft = ApplicationFactory(round=round_, state="submitted", public_reference="MSCF-R9-0999")

    assert signed_in(app, officer).get(f"/panel/applications/{draft.id}/recommendation").status_code == 404


def test_the_pages_render_for_an_empty_round(app, round_, officer, decision_maker):
    client = signed_in(app, officer)
    for url in (f"/panel/rounds/{round_.code}/moderation", f"/panel/rounds/{round_.code}/ranking"):
        assert client.get(url).status_code == 200
    html = text(signed_in(app, decision_maker).get(f"/panel/rounds/{round_.code}/decision"))
    assert "no recommended or reserve bids" in html


def test_two_decision_makers_approving_a_big_award_at_once_are_taken_one_at_a_time(app, committed_db):
    """Both approvals count in the end, and the bid never sticks with two approvals unapproved."""
    import threading

    from grants.decisions import decisions
    from grants.models import User

    round_ = RoundFactory(state="closed", budget_pence=50_000_000)
    need = criterion(round_, "Need", "1")
    assessor = staff_user("assessor", round_.programme)
    big = bid(round_, [need], [assessor], [[4]], amount=12_000_000, state="recommended")
    people = [staff_user("decision_maker", round_.programme).id for _ in range(2)]
    big_id = big.id
    db.session.remove()

    both_loaded = threading.Barrier(2, timeout=20)
    outcomes: dict[int, str] = {}

    def approve(user_id: int) -> None:
        with app.app_context():
            try:
                application = db.session.get(Application, big_id)
                user = db.session.get(User, user_id)
                both_loaded.wait()
                outcomes[user_id] = decisions.approve(application, user).result
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(user_id,)) for user_id in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values()) in (["conflict", "waiting"], ["approved", "waiting"])
    if "conflict" in outcomes.values():  # told someone else changed it, they try again
        again = next(user_id for user_id, result in outcomes.items() if result == "conflict")
        with app.app_context():
            retried = decisions.approve(db.session.get(Application, big_id), db.session.get(User, again)).result
            db.session.remove()
        assert retried == "approved"
    final = db.session.get(Application, big_id)
    assert final.state == "approved"
    assert db.session.scalar(select(func.count()).select_from(Approval).where(Approval.application_id == big_id)) == 2
