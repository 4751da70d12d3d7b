"""The demo's Round 3: 198 applications asking for about £1.3m, and the 73 the decision funds."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from grants.apply import formbuilder
from grants.apply.services import definition_for
from grants.audit import history as audit_history
from grants.auth.services import find_user
from grants.demo import load_demo
from grants.demo.round3 import check_plan, round3_funded_applications, round3_funded_references
from grants.demo.round3_plan import DEMO_R3_FUNDED, plan
from grants.extensions import db
from grants.models import (
    Application,
    ApplicationTerm,
    Approval,
    Assessment,
    AuditEvent,
    Criterion,
    Organisation,
    OutboxMessage,
    Recommendation,
    RoleGrant,
    Round,
    Score,
    ScreeningCheck,
    Term,
    User,
)
from grants.models.applications import COMPLETED

LONDON = ZoneInfo("Europe/London")
FUNDED_AREAS = {
    "Serious Violence": 12,
    "High Street Crime": 11,
    "Recovery from COVID": 15,
    "Hate Crime": 12,
    "Countering Terrorism": 2,
    "Drugs and Alcohol": 18,
    "Neighbourhood Crime and ASB": 42,
    "Road Safety, Speeding and Dangerous Driving": 8,
}


@pytest.fixture
def demo(demo_loaded):
    return db.session.scalar(select(Round).where(Round.code == "MSCF-R3"))


def _applications(round_: Round) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application).where(Application.round_id == round_.id).order_by(Application.public_reference)
        )
    )


def _labels(application_ids: list[int], vocabulary: str) -> Counter[str]:
    rows = db.session.scalars(
        select(Term.label)
        .join(ApplicationTerm, ApplicationTerm.term_id == Term.id)
        .where(ApplicationTerm.application_id.in_(application_ids), Term.vocabulary == vocabulary)
    )
    return Counter(rows)


def test_loading_the_demo_twice_leaves_198_round_three_applications_numbered_from_the_round(demo):
    load_demo()
    db.session.expire_all()

    applications = _applications(demo)
    assert len(applications) == 198
    assert [a.public_reference for a in applications] == [f"MSCF-R3-{n:04d}" for n in range(1, 199)]
    assert demo.application_count == 198


def test_round_three_asks_for_almost_1_3m_each_bid_within_the_cap(demo):
    amounts = [a.amount_requested_pence for a in _applications(demo)]

    assert 125_000_000 <= sum(amounts) <= 130_000_000
    assert sum(amounts) == 129_648_731  # £1,296,487.31
    assert all(0 < amount <= 800_000 for amount in amounts)


def test_the_73_funded_bids_ask_for_exactly_the_decisions_total_with_its_areas_of_focus(demo):
    funded = round3_funded_applications()

    assert round3_funded_references() == DEMO_R3_FUNDED
    assert len(funded) == len(set(DEMO_R3_FUNDED)) == 73
    assert sum(a.amount_requested_pence for a in funded) == 50_609_782  # £506,097.82
    assert dict(_labels([a.id for a in funded], "area_of_focus")) == FUNDED_AREAS
    tagged = db.session.scalar(
        select(func.count(func.distinct(ApplicationTerm.application_id)))
        .join(Term, Term.id == ApplicationTerm.term_id)
        .where(ApplicationTerm.application_id.in_([a.id for a in funded]), Term.vocabulary == "area_of_focus")
    )
    assert 73 - tagged == 8  # 89% tackle at least one area of focus
    assert Counter(a.state for a in funded) == {"approved": 73}


def test_every_district_and_area_of_focus_is_present(demo):
    ids = [a.id for a in _applications(demo)]

    assert set(_labels(ids, "district")) == {"Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"}
    assert set(_labels(ids, "area_of_focus")) == set(FUNDED_AREAS)


def test_every_bid_was_submitted_through_the_workflow_before_the_round_closed(demo):
    applications = _applications(demo)
    submits = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.subject_type == "application",
            AuditEvent.subject_id.in_([a.id for a in applications]),
            AuditEvent.action == "submit",
        )
    )

    assert submits == 198
    assert all(a.submitted_at is not None and a.submitted_at < demo.closes_at for a in applications)
    assert {a.state for a in applications} == {"approved", "unsuccessful", "ineligible"}


def test_organisations_are_many_and_a_few_applied_twice(demo):
    per_organisation = Counter(a.organisation_id for a in _applications(demo))
    names = db.session.scalars(select(Organisation.name).where(Organisation.id.in_(per_organisation)))

    assert 150 <= len(per_organisation) <= 190
    assert 5 <= sum(1 for count in per_organisation.values() if count == 2) <= 30
    assert max(per_organisation.values()) == 2
    assert len(set(names)) == len(per_organisation)


def test_every_bid_has_every_section_completed_as_the_form_would_save_it(demo, app):
    for application in _applications(demo)[::3]:
        definition = definition_for(application)
        sections = {s.section_key: s for s in application.sections}
        assert set(sections) == {s.key for s in definition.sections}
        for section in definition.sections:
            row = sections[section.key]
            with app.test_request_context():
                context = _context(application)
                form = formbuilder.build_form(section, context, formbuilder.formdata_from_raw(row.answers["raw"]))
                form.validate()
            errors = {key: value for key, value in form.errors.items() if key != "csrf_token"}
            assert errors == {}, (application.reference, section.key, errors)
            problems = formbuilder.check_section(form, section, context)
            files = {q.key for q in section.questions if q.type == "file"}
            assert set(problems) <= files, (application.reference, problems)  # the demo uploads no documents
            assert row.status == COMPLETED
            assert formbuilder.values_from_form(form, section) == row.answers["values"], (
                application.reference,
                section.key,
            )
        budget = sections["budget"].answers["values"]["budget_lines"]
        assert sum(line["cost"] for line in budget) == application.amount_requested_pence
        assert application.project_title == sections["project"].answers["values"]["project_title"]
        assert application.people_reached == sections["people"].answers["values"]["people_reached"]


def _context(application: Application) -> formbuilder.FormContext:
    from grants.apply.services import vocabularies

    round_ = application.round
    return formbuilder.FormContext(
        vocabularies=vocabularies(),
        max_grant_pence=round_.max_grant_pence,
        min_grant_pence=round_.min_grant_pence,
        delivery_starts_on=round_.delivery_starts_on,
        delivery_ends_on=round_.delivery_ends_on,
    )


def test_the_demo_officer_sees_198_applications_asking_for_1_296_487_31(demo, client, sign_in):
    from tests.fixtures import sign_in_as

    officer = find_user("officer@example.org")
    response = sign_in_as(client, officer.email, "grantflow-demo")
    assert response.status_code == 302

    html = client.get("/officer/rounds/MSCF-R3/applications").get_data(as_text=True)

    assert "198 applications asking for £1,296,487.31" in html


def test_the_plan_is_the_same_every_time_and_adds_up():
    from datetime import date, datetime, timedelta

    closes = datetime(2022, 11, 4, 12, tzinfo=UTC)
    args = ((date(2023, 3, 11), date(2024, 3, 10)), closes - timedelta(days=32), closes, closes - timedelta(days=2))

    one, two = plan(*args), plan(*args)

    assert [(b.reference, b.organisation.name, b.amount_pence) for b in one.all_bids] == [
        (b.reference, b.organisation.name, b.amount_pence) for b in two.all_bids
    ]
    figures = check_plan(one)
    assert (figures["applications"], figures["funded"], figures["funded_pence"]) == (198, 73, 50_609_782)
    assert figures["funded_without_area"] == 8


# -- Round 3 assessed and decided (9 February 2023) -----------------------------------------------
DECIDED_AT = datetime(2023, 2, 9, 14, 0, tzinfo=LONDON)


def _by_state(round_: Round) -> dict[str, list[Application]]:
    states: dict[str, list[Application]] = {}
    for application in _applications(round_):
        states.setdefault(application.state, []).append(application)
    return states


def _criteria(round_: Round) -> list[Criterion]:
    return list(
        db.session.scalars(select(Criterion).where(Criterion.round_id == round_.id).order_by(Criterion.position))
    )


def _submitted_scores(application_ids: list[int]) -> dict[int, dict[int, dict[int, Score]]]:
    """Each application's submitted assessments' current scores: {application: {assessment: {criterion: score}}}."""
    latest = (
        select(func.max(Score.id))
        .join(Assessment, Assessment.id == Score.assessment_id)
        .where(Assessment.application_id.in_(application_ids), Assessment.state == "submitted")
        .group_by(Score.assessment_id, Score.criterion_id)
    )
    found: dict[int, dict[int, dict[int, Score]]] = {}
    rows = db.session.execute(
        select(Assessment.application_id, Score)
        .join(Assessment, Assessment.id == Score.assessment_id)
        .where(Score.id.in_(latest))
    )
    for application_id, score in rows:
        found.setdefault(application_id, {}).setdefault(score.assessment_id, {})[score.criterion_id] = score
    return found


def _ranking_scores(round_: Round) -> dict[int, Decimal]:
    """What each assessed bid ranks by: the panel's moderated score, or else the mean of the weighted totals."""
    criteria = {c.id: c for c in _criteria(round_)}
    ids = [a.id for a in _applications(round_) if a.state != "ineligible"]
    moderated = dict(
        db.session.execute(
            select(Recommendation.application_id, Recommendation.moderated_score).where(
                Recommendation.application_id.in_(ids)
            )
        ).all()
    )
    result = {}
    for application_id, sheets in _submitted_scores(ids).items():
        totals = [sum(s.score * criteria[c].weight for c, s in sheet.items()) for sheet in sheets.values()]
        mean = (sum(totals) / len(totals)).quantize(Decimal("0.01"))
        result[application_id] = moderated.get(application_id) if moderated.get(application_id) is not None else mean
    return result


def test_round_three_is_decided_with_73_bids_approved_for_exactly_506_097_82(demo):
    states = _by_state(demo)
    approved = states["approved"]
    recommended = db.session.scalars(
        select(Recommendation.recommended_amount_pence).where(
            Recommendation.application_id.in_([a.id for a in approved])
        )
    ).all()

    assert demo.state == "decided"
    assert len(approved) == 73
    assert {a.public_reference for a in approved} == set(DEMO_R3_FUNDED)
    assert sum(a.amount_requested_pence for a in approved) == 50_609_782  # £506,097.82
    assert len(recommended) == 73 and sum(recommended) == 50_609_782
    assert dict(_labels([a.id for a in approved], "area_of_focus")) == FUNDED_AREAS
    assert set(states) == {"approved", "unsuccessful", "ineligible"}
    assert 3 <= len(states["ineligible"]) <= 10  # a handful
    assert len(approved) + len(states["unsuccessful"]) + len(states["ineligible"]) == 198


def test_round_three_has_five_weighted_criteria_shown_to_applicants_in_rounds_three_and_four(demo):
    criteria = _criteria(demo)
    round_four = db.session.scalar(select(Round).where(Round.code == "MSCF-R4"))

    assert [c.name for c in criteria] == [
        "Need and evidence",
        "Outcomes and measurement",
        "Value for money",
        "Deliverability and capacity",
        "Fit with Police and Crime Plan priorities",
    ]
    assert [c.weight for c in criteria] == [Decimal("2.5"), Decimal("2"), Decimal("2"), Decimal("2"), Decimal("1.5")]
    assert [c.minimum_score for c in criteria] == [None, None, None, 2, None]
    assert all((c.scale_min, c.scale_max) == (0, 5) and c.comment_required for c in criteria)
    assert all(c.descriptors["0"] == "Unacceptable" and c.descriptors["5"] == "Strong" for c in criteria)
    assert all(set(c.descriptors) == {str(n) for n in range(6)} for c in criteria)
    assert [c.name for c in _criteria(round_four)] == [c.name for c in criteria]
    for round_ in (demo, round_four):
        assert "need and evidence 25%" in round_.guidance
        assert "fit with Police and Crime Plan priorities 15%" in round_.guidance
        assert "at least 2 out of 5" in round_.guidance


def test_every_approved_bid_was_scored_by_two_assessors_on_every_criterion_with_comments(demo):
    approved = _by_state(demo)["approved"]
    criteria = _criteria(demo)
    delivery = next(c for c in criteria if c.minimum_score is not None)
    sheets = _submitted_scores([a.id for a in approved])

    for application in approved:
        mine = sheets[application.id]
        assert len(mine) >= 2, application.reference
        for sheet in mine.values():
            assert set(sheet) == {c.id for c in criteria}, application.reference
            assert all(0 <= s.score <= 5 and s.comment.strip() for s in sheet.values()), application.reference
        mean = Decimal(sum(sheet[delivery.id].score for sheet in mine.values())) / len(mine)
        assert mean >= delivery.minimum_score, application.reference
        assert application.minimum_score_problem() is None
        assert application.approval_problem() is None


def test_the_73_funded_bids_rank_highest_and_every_disagreement_was_moderated(demo):
    ranking = _ranking_scores(demo)
    approved = {a.id for a in _by_state(demo)["approved"]}
    unsuccessful = [score for application_id, score in ranking.items() if application_id not in approved]

    assert len(ranking) == 198 - len(_by_state(demo)["ineligible"])
    assert min(ranking[i] for i in approved) > max(unsuccessful)
    # Bids whose assessors' totals differ by more than the round's spread carry a moderated score and a reason.
    criteria = {c.id: c for c in _criteria(demo)}
    recommendations = {
        r.application_id: r
        for r in db.session.scalars(select(Recommendation).where(Recommendation.application_id.in_(ranking)))
    }
    flagged = 0
    for application_id, sheets in _submitted_scores(list(ranking)).items():
        totals = [sum(s.score * criteria[c].weight for c, s in sheet.items()) for sheet in sheets.values()]
        recommendation = recommendations[application_id]
        assert recommendation.feedback
        if max(totals) - min(totals) > demo.moderation_spread:
            flagged += 1
            assert recommendation.moderated_score is not None and recommendation.moderation_reason
        else:
            assert recommendation.moderated_score is None
    assert 5 <= flagged <= 20


def test_the_funding_line_falls_after_the_73_within_the_budget(demo):
    ranking = _ranking_scores(demo)
    references = {a.id: a for a in _applications(demo)}
    order = sorted(ranking, key=lambda i: (-ranking[i], references[i].public_reference))
    reserve = db.session.scalars(
        select(AuditEvent.subject_id).where(
            AuditEvent.subject_type == "application", AuditEvent.action == "hold_in_reserve"
        )
    ).all()

    assert {references[i].public_reference for i in order[:73]} == set(DEMO_R3_FUNDED)
    assert sum(references[i].amount_requested_pence for i in order[:73]) <= demo.budget_pence
    assert references[order[73]].amount_requested_pence > demo.budget_pence - 50_609_782  # the next does not fit
    assert order[73:77] == sorted(reserve, key=lambda i: order.index(i))


def test_four_assessors_share_the_bids_evenly_and_a_conflict_was_reassigned(demo):
    ids = [a.id for a in _applications(demo)]
    assessments = db.session.scalars(select(Assessment).where(Assessment.application_id.in_(ids))).all()
    load = Counter(a.assessor_id for a in assessments)
    mscf = demo.programme_id

    assert len(load) == 4
    assert find_user("assessor@example.org").id in load
    assert max(load.values()) - min(load.values()) <= 1
    for assessor_id in load:
        grants = db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == assessor_id)).all()
        assert [(g.role, g.programme_id) for g in grants] == [("assessor", mscf)]
    conflicted = [a for a in assessments if a.state == "conflicted"]
    assert len(conflicted) == 1 and conflicted[0].conflict_details
    others = [a for a in assessments if a.application_id == conflicted[0].application_id and a is not conflicted[0]]
    assert len(others) == 2 and all(a.state == "submitted" for a in others)
    assert conflicted[0].assessor_id not in {a.assessor_id for a in others}
    assert all(a.declared_at and a.declared_at >= a.assigned_at for a in assessments)
    assert Counter(a.state for a in assessments) == {"submitted": len(assessments) - 1, "conflicted": 1}


def test_ineligible_bids_failed_screening_and_the_applicant_is_told_why(demo):
    states = _by_state(demo)
    checks = {
        c.application_id: c
        for c in db.session.scalars(
            select(ScreeningCheck).where(ScreeningCheck.application_id.in_([a.id for a in _applications(demo)]))
        )
    }

    assert len(checks) == 198
    for application in states["ineligible"]:
        assert checks[application.id].failed_items, application.reference
        event = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.subject_type == "application",
                AuditEvent.subject_id == application.id,
                AuditEvent.action == "mark_ineligible",
            )
        )
        assert event.reason and event.reason.startswith(("Your", "You", "We", "Companies House", "The"))
        emails = db.session.scalars(
            select(OutboxMessage.body).where(
                OutboxMessage.subject == f"Your grant application {application.reference} is now ineligible"
            )
        ).all()
        assert emails and all(event.reason in body for body in emails)
    for application in states["approved"] + states["unsuccessful"]:
        assert checks[application.id].complete and not checks[application.id].failed_items


def test_the_decision_maker_approved_each_bid_once_at_2pm_on_9_february_2023(demo):
    decision_maker = find_user("decision@example.org")
    states = _by_state(demo)
    approved_ids = {a.id for a in states["approved"]}

    def events(action: str) -> list[AuditEvent]:
        return list(
            db.session.scalars(
                select(AuditEvent).where(
                    AuditEvent.subject_type == "application",
                    AuditEvent.subject_id.in_([a.id for a in _applications(demo)]),
                    AuditEvent.action == action,
                )
            )
        )

    approvals = events("approve")
    assert len(approvals) == 73
    assert {e.subject_id for e in approvals} == approved_ids
    assert all(e.actor_id == decision_maker.id and e.to_state == "approved" for e in approvals)
    assert {e.occurred_at for e in approvals} == {DECIDED_AT}
    rows = db.session.scalars(select(Approval).where(Approval.application_id.in_(approved_ids))).all()
    assert sorted(r.application_id for r in rows) == sorted(approved_ids)  # one each: none is above £100,000
    assert all(r.approver_id == decision_maker.id and r.created_at == DECIDED_AT for r in rows)
    rejections = events("reject")
    assert {e.subject_id for e in rejections} == {a.id for a in states["unsuccessful"]}
    assert all(e.reason and e.occurred_at == DECIDED_AT for e in rejections)
    assert "Other projects scored higher against the criteria and the fund is limited." in {
        e.reason for e in rejections
    }


def test_screening_and_assessment_happen_between_the_close_and_the_decision(demo):
    applications = {a.id for a in _applications(demo)}
    assessments = set(db.session.scalars(select(Assessment.id).where(Assessment.application_id.in_(applications))))
    events = db.session.scalars(
        select(AuditEvent).where(
            ((AuditEvent.subject_type == "application") & AuditEvent.subject_id.in_(applications))
            | ((AuditEvent.subject_type == "assessment") & AuditEvent.subject_id.in_(assessments))
        )
    ).all()
    after_close = [e for e in events if e.action not in {"create", "submit"} or e.subject_type == "assessment"]
    round_events = {e.action: e.occurred_at for e in audit_history(demo)}

    assert all(demo.closes_at < e.occurred_at <= DECIDED_AT for e in after_close)
    assert all(
        e.occurred_at < demo.closes_at for e in events if e.subject_type == "application" and e.action == "submit"
    )
    assert round_events["close"] < round_events["start_assessment"] < round_events["record_decision"]
    assert round_events["record_decision"] == DECIDED_AT
    starts = [e.occurred_at for e in events if e.action == "start_assessment"]
    assert round_events["start_assessment"] <= min(starts)


def test_loading_the_demo_again_changes_nothing(demo):
    def snapshot() -> dict:
        counts = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}
        states = sorted(db.session.execute(select(Application.id, Application.state, Application.version_id)).all())
        return {"counts": counts, "states": states}

    before = snapshot()
    load_demo()
    db.session.expire_all()

    assert snapshot() == before


def test_the_assessment_plan_is_the_same_every_time(demo):
    from grants.demo.assessment import bid_facts
    from grants.demo.assessment_plan import plan as assessment_plan

    facts, _applications_by_reference = bid_facts(demo)
    one, two = assessment_plan(facts), assessment_plan(facts)

    assert [(o.bid.reference, o.tier, o.rank, o.scores) for o in one.outcomes] == [
        (o.bid.reference, o.tier, o.rank, o.scores) for o in two.outcomes
    ]
    assert {o.bid.reference for o in one.outcomes if o.tier == "funded"} == set(DEMO_R3_FUNDED)


def test_every_demo_staff_account_signs_in_with_the_printed_key(demo):
    """The panel assessors too: a person trying the demo signs in as any of them with the one key."""
    from grants.demo.accounts import DEMO_TOTP_SECRET

    staff = db.session.scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id).distinct()).all()
    assert len(staff) >= 10
    assert {user.email for user in staff if user.totp_secret != DEMO_TOTP_SECRET} == set()
    assert all(user.totp_enrolled_at is not None for user in staff)
