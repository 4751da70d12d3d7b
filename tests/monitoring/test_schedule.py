"""Accepting an award schedules its returns from the programme's plan (MSCF: 6 months and final;
VRU and MoJ: every financial quarter), due in working days after bank holidays; a varied end date
moves the returns not sent yet; an officer moves one due date with a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from grants.extensions import db
from grants.models import RoleGrant
from grants.monitoring import schedule
from grants.monitoring.plans import parse, standard_text
from grants.monitoring.schedule import NotAllowed, ScheduleProblem, move_due_date, periods, reschedule
from grants.workflow import apply_transition
from tests.factories import QuestionSetFactory, UserFactory, VariationFactory, staff_user
from tests.monitoring.helpers import accepted_award, audit_rows, plan_row, programme_with_plan, returns_of
from workflows import Conflict, TransitionRefused


def test_an_accepted_mscf_award_gets_a_6_month_progress_report_and_a_final_report():
    programme = programme_with_plan("mscf")
    progress_form = QuestionSetFactory(name="mscf-progress", version=1)
    newer = QuestionSetFactory(name="mscf-progress", version=2)

    award = accepted_award(programme, date(2024, 4, 1), date(2025, 3, 31))

    progress, final = returns_of(award)
    assert (progress.kind, progress.period_label, progress.period_ends_on) == (
        "progress",
        "6 months",
        date(2024, 9, 30),
    )
    # 20 working days after 30 September 2024.
    assert progress.due_date == date(2024, 10, 28)
    assert progress.opens_on == date(2024, 9, 30)
    assert (final.kind, final.period_label, final.period_ends_on) == ("final", "Final", date(2025, 3, 31))
    # 20 working days after 31 March 2025, skipping Good Friday and Easter Monday.
    assert final.due_date == date(2025, 4, 30)
    assert progress.question_set_id == newer.id != progress_form.id
    assert final.question_set_id is None  # no "mscf-final" form yet
    assert {r.plan_id for r in (progress, final)} == {plan_row(programme).id}
    assert [(r.workflow_version, r.state, r.sequence, r.sign_off_required) for r in (progress, final)] == [
        (2, "scheduled", 1, False),
        (2, "scheduled", 2, False),
    ]
    assert progress.reference == "MSCF-R3-0042-6months"


def test_a_short_mscf_award_gets_only_its_final_report():
    programme = programme_with_plan("mscf")

    award = accepted_award(programme, date(2024, 4, 1), date(2024, 8, 31))

    assert [(r.kind, r.period_ends_on) for r in returns_of(award)] == [("final", date(2024, 8, 31))]


def test_a_commissioned_service_gets_a_signed_off_return_for_each_financial_quarter():
    programme = programme_with_plan("vru")

    award = accepted_award(programme, date(2023, 4, 1), date(2024, 3, 31), reference="VRU-2023-007")

    returns = returns_of(award)
    assert [(r.period_label, r.period_starts_on, r.period_ends_on, r.due_date) for r in returns] == [
        ("Q1 2023-24", date(2023, 4, 1), date(2023, 6, 30), date(2023, 7, 21)),
        ("Q2 2023-24", date(2023, 7, 1), date(2023, 9, 30), date(2023, 10, 20)),
        # New Year's Day and Easter Monday are not working days.
        ("Q3 2023-24", date(2023, 10, 1), date(2023, 12, 31), date(2024, 1, 22)),
        ("Q4 2023-24", date(2024, 1, 1), date(2024, 3, 31), date(2024, 4, 22)),
    ]
    assert all(r.kind == "quarterly" and r.sign_off_required for r in returns)


def test_every_quarter_the_award_overlaps_gets_a_return():
    plan = parse(standard_text("MOJ") or "")

    made = periods(plan, date(2023, 5, 15), date(2024, 2, 10))

    assert [p.label for p in made] == ["Q1 2023-24", "Q2 2023-24", "Q3 2023-24", "Q4 2023-24"]


def test_an_award_of_a_programme_without_a_plan_gets_no_returns():
    from tests.factories import ProgrammeFactory

    award = accepted_award(ProgrammeFactory(), date(2024, 4, 1), date(2025, 3, 31))

    assert returns_of(award) == []


def test_an_approved_variation_of_the_end_date_moves_the_returns_not_sent_and_adds_new_quarters():
    programme = programme_with_plan("vru")
    award = accepted_award(programme, date(2023, 4, 1), date(2023, 12, 31), reference="VRU-2023-008")
    first, second, third = returns_of(award)
    apply_transition(first, "waive", staff_user("officer", programme), "Agreed by phone")
    decider = staff_user("decision_maker", programme)
    variation = VariationFactory(award=award, new_ends_on=date(2024, 3, 31), old_amount_pence=award.amount_pence)

    apply_transition(variation, "approve", decider, "More time to finish the sessions")

    labels = [r.period_label for r in returns_of(award)]
    assert labels == ["Q1 2023-24", "Q2 2023-24", "Q3 2023-24", "Q4 2023-24"]
    assert returns_of(award)[3].due_date == date(2024, 4, 22)
    assert returns_of(award)[3].state == "scheduled"


def test_rescheduling_moves_the_final_return_with_the_new_end_date_and_says_from_and_to():
    programme = programme_with_plan("mscf")
    award = accepted_award(programme, date(2024, 4, 1), date(2025, 3, 31))
    award.ends_on = date(2025, 6, 30)

    moved = reschedule(award, None, why="Varied")

    assert moved == 1
    final = returns_of(award)[1]
    assert (final.period_ends_on, final.due_date) == (date(2025, 6, 30), date(2025, 7, 28))
    (row,) = audit_rows(final, "rescheduled")
    assert (row.from_state, row.to_state) == ("30 April 2025", "28 July 2025")


# -- an officer moves one due date ----------------------------------------------------------------


@pytest.fixture
def mscf_return():
    programme = programme_with_plan("mscf")
    award = accepted_award(programme, date(2024, 4, 1), date(2025, 3, 31))
    return returns_of(award)[0]


def test_an_officer_moves_a_due_date_with_a_reason_and_it_is_audited(mscf_return):
    officer = staff_user("officer", mscf_return.award.programme)

    old = move_due_date(officer, mscf_return, date(2024, 11, 11), "Treasurer in hospital", mscf_return.version_id)

    assert old == date(2024, 10, 28)
    db.session.refresh(mscf_return)
    assert mscf_return.due_date == date(2024, 11, 11)
    (row,) = audit_rows(mscf_return, "due_date_moved")
    assert row.data == {"from": "2024-10-28", "to": "2024-11-11", "reason": "Treasurer in hospital"}


@pytest.mark.parametrize(
    ("new", "reason", "field", "message"),
    [
        (date(2024, 11, 11), "   ", "reason", "Enter why the due date is moving"),
        (date(2024, 9, 1), "Late", "due_date", "must be after the period ends (30 September 2024)"),
        (date(2024, 10, 28), "Late", "due_date", "the same as the current one"),
    ],
)
def test_a_due_date_move_that_makes_no_sense_is_refused(mscf_return, new, reason, field, message):
    officer = staff_user("officer", mscf_return.award.programme)

    with pytest.raises(ScheduleProblem) as refused:
        move_due_date(officer, mscf_return, new, reason, mscf_return.version_id)

    assert refused.value.field == field and message in str(refused.value)
    assert mscf_return.due_date == date(2024, 10, 28)


def test_a_due_date_move_on_a_return_changed_meanwhile_is_a_conflict(mscf_return):
    officer = staff_user("officer", mscf_return.award.programme)

    with pytest.raises(Conflict):
        move_due_date(officer, mscf_return, date(2024, 11, 11), "Late", mscf_return.version_id - 1)


def test_only_the_programmes_officers_move_a_due_date(mscf_return):
    other = staff_user("officer", programme_with_plan("vru"))
    assessor = UserFactory()
    db.session.add(RoleGrant(user_id=assessor.id, role="assessor", programme_id=mscf_return.award.programme_id))

    for user in (other, assessor):
        with pytest.raises(NotAllowed):
            move_due_date(user, mscf_return, date(2024, 11, 11), "Late", mscf_return.version_id)


def test_a_typed_date_says_what_is_missing():
    assert schedule.parse_typed_date("11", "11", "2024") == date(2024, 11, 11)
    with pytest.raises(ScheduleProblem, match="must include a month"):
        schedule.parse_typed_date("11", "", "2024")
    with pytest.raises(ScheduleProblem, match="must be a real date"):
        schedule.parse_typed_date("31", "2", "2024")


def test_a_typed_month_may_be_its_name():
    assert schedule.parse_typed_date("11", "November", "2024") == date(2024, 11, 11)
    assert schedule.parse_typed_date("1", "sept", "2024") == date(2024, 9, 1)
    with pytest.raises(ScheduleProblem, match="must be a real date"):
        schedule.parse_typed_date("1", "Smarch", "2024")


# -- a later due date reopens an overdue return ---------------------------------------------------------


def _overdue(mscf_return):
    apply_transition(mscf_return, "become_overdue", None, now=datetime(2024, 10, 29, 9, tzinfo=UTC))
    assert mscf_return.state == "overdue"
    return mscf_return


def test_a_due_date_moved_to_today_or_later_reopens_an_overdue_return_in_the_same_change(mscf_return):
    late = _overdue(mscf_return)
    officer = staff_user("officer", late.award.programme)

    move_due_date(
        officer, late, date(2024, 11, 15), "Agreed by phone", late.version_id, now=datetime(2024, 11, 4, 9, tzinfo=UTC)
    )

    db.session.refresh(late)
    assert (late.state, late.due_date) == ("open", date(2024, 11, 15))
    (moved,) = audit_rows(late, "due_date_moved")
    (reopened,) = audit_rows(late, "reopen")
    assert (reopened.from_state, reopened.to_state, reopened.reason, reopened.actor_id) == (
        "overdue",
        "open",
        "Agreed by phone",
        officer.id,
    )
    assert reopened.id > moved.id


def test_a_due_date_moved_but_still_in_the_past_leaves_the_return_overdue(mscf_return):
    late = _overdue(mscf_return)
    officer = staff_user("officer", late.award.programme)

    move_due_date(
        officer, late, date(2024, 11, 1), "Corrected", late.version_id, now=datetime(2024, 11, 4, 9, tzinfo=UTC)
    )

    db.session.refresh(late)
    assert (late.state, late.due_date) == ("overdue", date(2024, 11, 1))
    assert audit_rows(late, "reopen") == []


def test_reopening_by_hand_needs_a_due_date_of_today_or_later(mscf_return):
    late = _overdue(mscf_return)

    with pytest.raises(TransitionRefused, match="Move the due date to today or later first"):
        apply_transition(
            late, "reopen", staff_user("officer", late.award.programme), "Try", now=datetime(2024, 11, 4, tzinfo=UTC)
        )

    assert late.state == "overdue"


# -- a shortened award ----------------------------------------------------------------------------------


def test_a_variation_bringing_the_end_date_earlier_waives_the_returns_not_sent_for_periods_after_it():
    programme = programme_with_plan("vru")
    award = accepted_award(programme, date(2023, 4, 1), date(2024, 3, 31), reference="VRU-2023-009")
    q1, q2, q3, q4 = returns_of(award)
    officer = staff_user("officer", programme)
    apply_transition(q4, "record_on_behalf", officer, "Sent early by email")
    decider = staff_user("decision_maker", programme)
    variation = VariationFactory(award=award, new_ends_on=date(2023, 9, 30), old_amount_pence=award.amount_pence)

    apply_transition(variation, "approve", decider, "The project stops at half-year")

    assert [(r.period_label, r.state) for r in returns_of(award)] == [
        ("Q1 2023-24", "scheduled"),
        ("Q2 2023-24", "scheduled"),
        ("Q3 2023-24", "waived"),
        ("Q4 2023-24", "submitted"),  # sent already: an officer decides what to do with it
    ]
    (row,) = audit_rows(q3, "waive")
    assert (row.from_state, row.to_state, row.reason) == (
        "scheduled",
        "waived",
        "The grant now ends on 30 September 2023",
    )
    assert audit_rows(q2, "waive") == []
