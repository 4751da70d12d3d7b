"""The demo's monitoring returns (issue 12, point 11): Round 3's progress and final returns in every state a
user meets, VRU quarterly returns, MoJ 2022-23 quarterly returns from every strand; and the exact split of
the MoJ figures."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from grants.demo.commissioning_plan import plan
from grants.demo.returns import MOJ_2022_23, moj_strand_figures, share
from grants.extensions import db
from grants.models import AuditEvent, Award, MonitoringReturn, Programme, ReturnMetric


@pytest.fixture
def loaded(demo_loaded):
    return None


def _returns(code: str) -> list[MonitoringReturn]:
    return list(
        db.session.scalars(
            select(MonitoringReturn)
            .join(Award)
            .join(Programme)
            .where(Programme.code == code)
            .order_by(MonitoringReturn.id)
        )
    )


# -- pure: the MoJ figures shared out ----------------------------------------------------------------------------
def test_share_is_exact_proportional_and_respects_caps():
    assert share(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert share(10, {"a": 3, "b": 1}, {"a": 2, "b": 100}) == {"a": 2, "b": 8}
    with pytest.raises(ValueError):
        share(10, {"a": 1}, {"a": 9})


def test_moj_figures_add_up_exactly_and_each_return_is_possible():
    strands = [(s.reference, s.kind, s.allocations[2022].decided_pence) for s in plan().strands]

    figures = moj_strand_figures(strands)

    assert len(figures) == 72 * 4
    for metric, total in MOJ_2022_23.items():
        assert sum(cell[metric] for cell in figures.values()) == total
    for cell in figures.values():
        assert all(value >= 0 for value in cell.values())
        assert cell["reported_before"] + cell["reported_during_or_after"] <= cell["victims_supported"]
        for specialist in ("idva_domestic_abuse", "isva_sexual_abuse", "restorative_justice"):
            assert cell[specialist] <= cell["victims_supported"]
    assert figures == moj_strand_figures(strands)  # the same every time


# -- the loaded demo ---------------------------------------------------------------------------------------------
def test_round3_awards_have_a_progress_and_a_final_return_in_every_state(loaded):
    returns = [r for r in _returns("MSCF") if r.award.public_reference != "MSCF-R3-0001"]
    states = Counter((r.kind, r.state) for r in returns)

    assert states[("progress", "accepted")] >= 60
    assert states[("final", "accepted")] >= 50
    assert states[("final", "overdue")] >= 2
    assert states[("final", "changes_requested")] == 1
    assert states[("final", "awaiting_sign_off")] == 1
    for r in returns:
        assert (r.kind, r.sequence) in {("progress", 1), ("final", 2)}
        assert (r.due_date - r.opens_on).days == 28
    changed = next(r for r in returns if r.state == "changes_requested")
    assert changed.review_comment and "receipts" in changed.review_comment
    waiting = next(r for r in returns if r.state == "awaiting_sign_off")
    assert waiting.sign_off_required and waiting.sent_for_sign_off_by_id is not None
    late = [r for r in returns if r.state == "accepted" and r.submitted_at.date() > r.due_date]
    assert late  # some were sent late and still accepted


def test_round3_returns_report_people_and_spend_within_the_award(loaded):
    for r in _returns("MSCF"):
        if r.state != "accepted" or r.award.public_reference == "MSCF-R3-0001":
            continue
        figures = dict(
            db.session.execute(
                select(ReturnMetric.metric, ReturnMetric.value).where(ReturnMetric.monitoring_return_id == r.id)
            ).all()
        )
        assert figures["people_reached"] > 0
        assert figures["spend_to_date"] == r.spend_to_date_pence <= r.award.amount_pence
        if r.kind == "final" and r.award.state == "closed":
            assert r.spend_to_date_pence == r.award.final_spend_pence


def test_the_last_instalment_still_waits_for_the_final_return(loaded):
    for r in _returns("MSCF"):
        if r.kind == "final" and r.state in ("changes_requested", "awaiting_sign_off", "overdue"):
            tied = [p for p in r.award.payments if p.monitoring_return_id == r.id]
            assert tied and all(p.state in ("scheduled",) for p in tied)


def test_vru_interventions_send_quarterly_returns(loaded):
    returns = _returns("VRU")
    by_award = Counter(r.award_id for r in returns)

    assert set(by_award.values()) == {4}
    assert Counter(r.state for r in returns) == {"accepted": 36, "overdue": 4}
    accepted = [r.id for r in returns if r.state == "accepted"]
    metrics = Counter(
        db.session.scalars(select(ReturnMetric.metric).where(ReturnMetric.monitoring_return_id.in_(accepted)))
    )
    assert metrics == dict.fromkeys(("young_people_engaged", "referrals", "sessions_delivered"), 36)


def test_every_moj_strand_returned_each_quarter_of_2022_23_signed_off_or_recorded(loaded):
    returns = [r for r in _returns("MOJ") if r.award.public_reference.endswith("-22")]

    assert len(returns) == 288
    assert {r.state for r in returns} == {"accepted"}
    assert Counter(r.sequence for r in returns) == {1: 72, 2: 72, 3: 72, 4: 72}
    for r in returns:
        assert r.sign_off_required
        signed = r.signed_off_by_id is not None and r.signed_off_by_id != r.sent_for_sign_off_by_id
        assert signed or (r.recorded_by_id is not None and r.evidence_note)
    history = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.subject_type == "return", AuditEvent.subject_id == returns[0].id)
        .order_by(AuditEvent.occurred_at)
    ).all()
    assert history in (
        ["create", "open", "send_for_sign_off", "sign_off", "accept"],
        ["create", "open", "record_on_behalf", "accept"],
    )


def test_each_programme_has_a_lead(loaded):
    assert db.session.scalar(select(func.count()).select_from(Programme).where(Programme.lead_user_id.is_(None))) == 0
