"""The demo's awards: Round 3's offers and money, budgets, and Rounds 1-2 imported, matching the Panel's reports."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from grants.demo import load_demo
from grants.extensions import db
from grants.models import (
    Application,
    ApplicationSection,
    AuditEvent,
    Award,
    Budget,
    MonitoringReturn,
    Payment,
    Programme,
    Recovery,
    Round,
    Term,
    Variation,
)

LIVE = ("declined", "cancelled")


@pytest.fixture
def demo(demo_loaded, app):
    with app.app_context():
        yield
        db.session.remove()


def _mscf_awards(*where):
    return (
        select(func.count(Award.id), func.coalesce(func.sum(Award.amount_pence), 0))
        .join(Programme, Programme.id == Award.programme_id)
        .where(Programme.code == "MSCF", *where)
    )


def _round3(*where):
    return (
        select(func.count(Award.id), func.coalesce(func.sum(Award.amount_pence), 0))
        .join(Application, Application.id == Award.application_id)
        .join(Round, Round.id == Application.round_id)
        .where(Round.code == "MSCF-R3", *where)
    )


def test_round_3_has_an_award_for_each_of_the_73_approved_bids_for_506_097_82_at_decision(demo):
    count, total = db.session.execute(
        select(func.count(Award.id), func.sum(Award.amount_at_decision_pence))
        .join(Application, Application.id == Award.application_id)
        .join(Round, Round.id == Application.round_id)
        .where(Round.code == "MSCF-R3")
    ).one()

    assert (count, total) == (73, 50_609_782)
    approved = db.session.scalar(
        select(func.count(Application.id))
        .join(Round, Round.id == Application.round_id)
        .where(Round.code == "MSCF-R3", Application.state == "approved")
    )
    assert approved == 73


def test_one_group_declined_its_offer_leaving_72_projects_and_503_493_as_the_june_report_says(demo):
    declined = db.session.scalar(select(Award).where(Award.state == "declined", Award.programme.has(code="MSCF")))

    assert declined.public_reference == "MSCF-R3-0027"
    assert declined.amount_pence == 260_482
    assert db.session.execute(_round3(Award.state.not_in(LIVE))).one() == (72, 50_349_300)
    why = db.session.scalar(
        select(AuditEvent.reason).where(
            AuditEvent.subject_type == "award", AuditEvent.subject_id == declined.id, AuditEvent.action == "decline"
        )
    )
    assert "cannot run the sessions" in why


def test_rounds_1_to_3_add_up_to_173_projects_and_1_037_781_75_172_after_the_decline(demo):
    assert db.session.execute(_mscf_awards()).one() == (173, 103_778_175)
    assert db.session.execute(_mscf_awards(Award.state.not_in(LIVE))).one() == (172, 103_517_693)


def test_neighbourhood_crime_and_mental_health_reach_the_reports_figures_across_rounds_1_to_3(demo):
    live = (
        select(Award.amount_pence, Application.people_reached, Application.id)
        .join(Application, Application.id == Award.application_id)
        .join(Programme, Programme.id == Award.programme_id)
        .where(Programme.code == "MSCF", Award.state.not_in(LIVE))
    )
    nc_ids = select(Application.id).join(Application.terms).where(Term.code == "neighbourhood_crime_and_asb")
    nc = db.session.execute(live.where(Application.id.in_(nc_ids))).all()
    focus = {
        s.application_id: s.answers["values"].get("mental_health")
        for s in db.session.scalars(select(ApplicationSection).where(ApplicationSection.section_key == "focus"))
    }
    mh = [row for row in db.session.execute(live).all() if focus.get(row.id) == "yes"]

    assert (len(nc), sum(r.amount_pence for r in nc), sum(r.people_reached for r in nc)) == (78, 48_636_763, 23_098)
    assert (len(mh), sum(r.amount_pence for r in mh), sum(r.people_reached for r in mh)) == (93, 55_573_217, 21_222)


def test_every_live_award_has_instalments_adding_up_to_it_and_paid_ones_carry_a_date_and_reference(demo):
    awards = db.session.scalars(select(Award).where(Award.state.not_in(LIVE))).all()

    assert awards
    for award in awards:
        assert award.schedule_problem() is None, award.public_reference
    paid = db.session.scalars(select(Payment).where(Payment.state == "paid")).all()
    assert paid
    for payment in paid:
        assert payment.paid_on is not None and payment.finance_reference
        assert payment.paid_on >= payment.award.decided_at.date()


def test_round_3_money_is_partly_paid_and_partly_still_due(demo):
    states = dict(
        db.session.execute(
            select(Payment.state, func.count(Payment.id))
            .join(Award, Award.id == Payment.award_id)
            .join(Application, Application.id == Award.application_id)
            .join(Round, Round.id == Application.round_id)
            .where(Round.code == "MSCF-R3")
            .group_by(Payment.state)
        ).all()
    )

    assert states["paid"] > 100
    assert states["scheduled"] > 0 and states["held"] > 0
    waiting = db.session.scalars(
        select(Payment).where(Payment.state == "scheduled", Payment.monitoring_return_id.is_not(None))
    ).all()
    assert any(p.return_problem() for p in waiting)  # the last instalment waits for a late return
    overdue = db.session.scalar(select(func.count(MonitoringReturn.id)).where(MonitoringReturn.state == "overdue"))
    assert overdue > 0


def test_accepted_offers_name_a_signatory_and_closed_awards_record_their_final_spend(demo):
    for award in db.session.scalars(select(Award).where(Award.state.in_(("accepted", "active", "closed")))):
        assert award.acceptance_problem() is None, award.public_reference
        assert award.agreement_terms
    for award in db.session.scalars(select(Award).where(Award.state == "closed")):
        returned = sum(r.amount_pence for r in award.recoveries)
        assert award.final_spend_pence == award.paid_pence() - returned


def test_an_extension_and_underspends_are_recorded(demo):
    variation = db.session.scalar(
        select(Variation).where(Variation.state == "approved", Variation.new_ends_on.is_not(None))
    )

    assert variation.award.ends_on == variation.new_ends_on == date(2024, 9, 30)
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.subject_type == "award",
                AuditEvent.subject_id == variation.award_id,
                AuditEvent.action == "end_date_varied",
            )
        )
        == 1
    )
    assert db.session.scalar(select(func.count(Recovery.id))) > 0


def test_budgets_name_a_cost_centre_for_each_stream_and_round_3_is_charged_to_community_safety(demo):
    streams = set(db.session.scalars(select(Budget.budget_stream)))
    assert streams == {
        "victims_of_crime",
        "community_safety",
        "criminal_justice",
        "violence_reduction_unit",
        "partnership_contributions",
    }
    moj = db.session.scalar(select(func.sum(Budget.amount_pence)).where(Budget.budget_stream == "victims_of_crime"))
    assert moj == 1_400_000_000
    charged = db.session.execute(
        _round3().add_columns(func.min(Award.cost_centre), func.max(Award.cost_centre), func.min(Award.budget_stream))
    ).one()
    assert charged[2:] == ("CS-4410", "CS-4410", "community_safety")


def test_imported_rounds_say_so_in_their_history(demo):
    imported = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "imported", AuditEvent.subject_type == "award")
    )

    assert imported == 100


def test_loading_the_demo_again_adds_no_awards(demo):
    before = db.session.scalar(select(func.count(Award.id)))
    load_demo()
    db.session.commit()

    assert db.session.scalar(select(func.count(Award.id))) == before


def test_the_demo_officer_looks_after_some_bids_and_round_3_awards_and_nobody_the_rest(demo):
    from grants.models import CaseOfficer, User

    named = db.session.execute(select(CaseOfficer.case_kind, func.count()).group_by(CaseOfficer.case_kind)).all()
    assert dict(named) == {"application": 12, "award": 8}
    officers = set(db.session.scalars(select(User.email).join(CaseOfficer, CaseOfficer.officer_id == User.id)))
    assert officers == {"officer@example.org"}
    assert db.session.scalar(select(func.count(Award.id))) > 8  # the rest still wait for an officer
