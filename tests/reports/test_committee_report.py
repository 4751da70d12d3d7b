"""The committee report's figures, on both bases, for a round and across rounds (issue 6, point 7).

The data is `tests.datasets.committee_report.build()`: its docstring has the table every figure here
is worked out from.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants.audit import record
from grants.extensions import db
from grants.reports.committee import figures
from grants.reports.reconciliation import reconcile
from grants.reports.services import committee_report, report_json
from tests.datasets.committee_report import DECLINE_REASON, HATE, NC, SV, _application, build, grow
from tests.factories import AwardFactory
from tests.statements import counting_selects


@pytest.fixture
def data():
    return build()


def rows(scope, vocabulary: str) -> dict[str, tuple[int, int, int]]:
    """{label: (projects, pence, people)} of a breakdown, leaving out terms no project states."""
    return {
        row.label: (row.projects, row.amount_pence, row.people)
        for row in scope.breakdowns[vocabulary].rows
        if row.projects
    }


# -- approved at decision -------------------------------------------------------------------------------
def test_decision_counts_what_the_round_received_and_approved_at_the_approved_amount(data):
    scope = figures(data.r2, "decision").round

    assert (scope.applications, scope.requested_pence) == (5, 800_049)  # B1-B5; the draft is not received
    assert (scope.awarded, scope.awarded_pence) == (4, 650_050)  # B1 at £2,500 recommended, B2, B3, B4
    assert (scope.people, scope.people_not_stated) == (125, 1)


def test_a_project_counts_under_each_area_of_focus_it_tackles(data):
    scope = figures(data.r2, "decision").round
    areas = scope.breakdowns["area_of_focus"]

    assert rows(scope, "area_of_focus") == {
        SV: (1, 250_000, 40),
        NC: (2, 450_000, 100),
        HATE: (1, 80_000, 25),
    }
    assert (areas.with_any, areas.none_stated, areas.percent_with_any) == (3, 1, Decimal("75.00"))
    assert {row.label: row.percent for row in areas.rows} == {
        SV: Decimal("25.00"),
        HATE: Decimal("25.00"),
        NC: Decimal("50.00"),
    }


def test_districts_priorities_and_themes_count_each_project_under_every_term_it_states(data):
    scope = figures(data.r2, "decision").round

    assert rows(scope, "district") == {"Bradford": (2, 450_000, 100), "Leeds": (3, 450_050, 65)}
    assert rows(scope, "priority") == {
        "Supporting Victims and Witnesses and Improving Criminal Justice Outcomes": (1, 200_000, 60),
        "Safer Places and Thriving Communities": (2, 370_050, 40),
    }
    assert rows(scope, "theme") == {
        "Safety of Women and Girls": (1, 250_000, 40),
        "Early Intervention and Prevention": (1, 120_050, 0),
    }
    assert [scope.breakdowns[v].none_stated for v in ("district", "priority", "theme")] == [0, 1, 2]


def test_every_term_of_a_vocabulary_is_listed_even_with_no_projects(data):
    labels = [row.label for row in figures(data.r2, "current").round.breakdowns["area_of_focus"].rows]

    assert labels == [SV, HATE, NC]  # Hate Crime's only project (B4) has no award yet


def test_projects_supporting_mental_health_are_counted_from_their_answer(data):
    flag = figures(data.r2, "decision").round.breakdowns["flag"].rows

    assert [(row.label, row.projects, row.amount_pence, row.people) for row in flag] == [
        ("Mental Health", 1, 250_000, 40)
    ]


def test_an_application_approved_then_withdrawn_still_counts_as_approved_at_decision(data):
    later = _application(data.r2, "B7", 7, state="withdrawn", asked=10_000, terms=["hate_crime"], people=5)
    record(
        actor=data.decision_maker,
        subject_type="application",
        subject_id=later.id,
        subject_reference=later.reference,
        action="approve",
        from_state="recommended",
        to_state="approved",
    )
    db.session.commit()

    scope = figures(data.r2, "decision").round

    assert (scope.awarded, scope.awarded_pence) == (5, 660_050)
    assert rows(scope, "area_of_focus")[HATE] == (2, 90_000, 30)


# -- current ----------------------------------------------------------------------------------------------
def test_current_leaves_out_the_declined_award_and_takes_the_varied_amount(data):
    scope = figures(data.r2, "current").round

    assert (scope.applications, scope.requested_pence) == (5, 800_049)
    assert (scope.awarded, scope.awarded_pence) == (2, 320_050)  # B1 varied to £2,000, B3
    assert (scope.people, scope.people_not_stated) == (40, 1)
    assert rows(scope, "area_of_focus") == {SV: (1, 200_000, 40), NC: (1, 200_000, 40)}
    assert rows(scope, "district") == {"Bradford": (1, 200_000, 40), "Leeds": (2, 320_050, 40)}
    assert scope.breakdowns["area_of_focus"].percent_with_any == Decimal("50.00")


def test_money_returned_is_shown_apart_and_not_taken_off_the_awards(data):
    result = figures(data.r2, "current")

    assert result.round.awarded_pence == 320_050
    assert (result.recoveries.underspend_returned_pence, result.recoveries.clawback_pence) == (5_000, 1_000)
    assert (result.recoveries.total_pence, result.recoveries.count) == (6_000, 2)


# -- across rounds -----------------------------------------------------------------------------------------
def test_cumulative_totals_add_the_earlier_rounds_and_stop_at_this_round(data):
    decision = figures(data.r2, "decision")
    current = figures(data.r2, "current")

    assert [line.code for line in decision.rounds] == ["TST-R1", "TST-R2"]
    assert (decision.cumulative.applications, decision.cumulative.requested_pence) == (7, 950_049)
    assert (decision.cumulative.awarded, decision.cumulative.awarded_pence, decision.cumulative.people) == (
        5,
        750_050,
        225,
    )
    assert (current.cumulative.awarded, current.cumulative.awarded_pence, current.cumulative.people) == (
        3,
        420_050,
        140,
    )
    assert [(line.awarded, line.awarded_pence) for line in current.rounds] == [(1, 100_000), (2, 320_050)]


def test_cumulative_flags_give_projects_money_people_and_share_of_projects(data):
    decision = figures(data.r2, "decision").cumulative
    current = figures(data.r2, "current").cumulative

    nc_decision = next(r for r in decision.breakdowns["area_of_focus"].rows if r.label == NC)
    nc_current = next(r for r in current.breakdowns["area_of_focus"].rows if r.label == NC)
    mental_health = current.breakdowns["flag"].rows[0]
    assert (nc_decision.projects, nc_decision.amount_pence, nc_decision.people, nc_decision.percent) == (
        3,
        550_000,
        200,
        Decimal("60.00"),
    )
    assert (nc_current.projects, nc_current.amount_pence, nc_current.people, nc_current.percent) == (
        2,
        300_000,
        140,
        Decimal("66.67"),
    )
    assert (mental_health.projects, mental_health.amount_pence, mental_health.people) == (2, 300_000, 140)


def test_the_first_round_is_its_own_cumulative(data):
    result = figures(data.r1, "decision")

    assert [line.code for line in result.rounds] == ["TST-R1"]
    assert result.cumulative == result.round


# -- from the decision to now -----------------------------------------------------------------------------
def test_reconciliation_names_the_declined_award_the_variation_and_the_award_not_yet_made(data):
    rec = reconcile(data.r2.id)

    assert (rec.decision_projects, rec.decision_pence) == (4, 650_050)
    assert [(s.key, s.projects, s.amount_pence) for s in rec.steps] == [
        ("declined", -1, -200_000),
        ("not_awarded", -1, -80_000),
        ("varied", 0, -50_000),
    ]
    assert (rec.current_projects, rec.current_pence) == (2, 320_050)
    assert rec.reconciles
    declined = rec.steps[0].items[0]
    assert declined.reference == "TST-R2-0002"
    assert DECLINE_REASON in declined.detail
    assert rec.steps[2].items[0].detail.startswith("Variation 1: £2,500.00 to £2,000.00")
    assert rec.sentence() == (
        "4 approved at decision (£6,500.50); 1 declined (TST-R2-0002, £2,000.00); "
        "1 not yet awarded (TST-R2-0004, £800.00); 1 varied (-£500.00: TST-R2-0001, £500.00); "
        "2 current (£3,200.50)"
    )


def test_reconciliation_ends_where_both_bases_say(data):
    rec = reconcile(data.r2.id)

    decision = figures(data.r2, "decision").round
    current = figures(data.r2, "current").round
    assert (rec.decision_projects, rec.decision_pence) == (decision.awarded, decision.awarded_pence)
    assert (rec.current_projects, rec.current_pence) == (current.awarded, current.awarded_pence)


def test_an_award_made_at_another_amount_without_a_variation_still_reconciles(data):
    data.awards["B3"].amount_pence = 120_000
    unapproved = _application(data.r2, "B8", 8, state="unsuccessful", asked=7_000)
    AwardFactory(
        programme=data.programme,
        organisation=unapproved.organisation,
        application=unapproved,
        amount_pence=7_000,
        state="active",
    )
    db.session.commit()

    rec = reconcile(data.r2.id)

    steps = {s.key: (s.projects, s.amount_pence) for s in rec.steps}
    assert steps["other"] == (0, -50)
    assert steps["without_decision"] == (1, 7_000)
    assert (rec.current_projects, rec.current_pence) == (3, 327_000)
    assert rec.reconciles


# -- JSON -----------------------------------------------------------------------------------------------
def test_json_gives_money_as_pounds_and_each_breakdown_by_label(data):
    payload = report_json(committee_report(data.r2, "current"))

    assert {k: payload[k] for k in ("round", "basis", "applications", "requested", "awarded", "awarded_amount")} == {
        "round": "TST-R2",
        "basis": "current",
        "applications": 5,
        "requested": "8000.49",
        "awarded": 2,
        "awarded_amount": "3200.50",
    }
    assert payload["people_impacted"] == 40
    assert payload["by_district"]["Leeds"] == {
        "code": "leeds",
        "awarded": 2,
        "amount": "3200.50",
        "people": 40,
        "percent": "100.00",
    }
    assert payload["by_area_of_focus"][HATE]["amount"] == "0.00"
    assert payload["recoveries"] == {"underspend_returned": "50.00", "clawback": "10.00", "total": "60.00", "count": 2}
    assert payload["cumulative"]["rounds"] == ["TST-R1", "TST-R2"]
    assert (payload["cumulative"]["awarded"], payload["cumulative"]["awarded_amount"]) == (3, "4200.50")
    assert payload["cumulative"]["by_area_of_focus"][NC]["amount"] == "3000.00"
    assert payload["reconciliation"]["reconciles"] is True


# -- cost -------------------------------------------------------------------------------------------------
def test_the_report_costs_the_same_number_of_queries_whatever_the_size(data):
    with counting_selects() as small:
        committee_report(data.r2, "decision")
        committee_report(data.r2, "current")
    grow(data, 25)
    with counting_selects() as large:
        report = committee_report(data.r2, "decision")
        committee_report(data.r2, "current")

    assert report.this_round.awarded == 4 + 25
    assert len(large) == len(small) <= 40  # each report reads both bases


def test_json_gives_both_bases_side_by_side_whichever_is_chosen(data):
    chosen = report_json(committee_report(data.r2, "current"))
    other = report_json(committee_report(data.r2, "decision"))

    assert chosen["bases"] == other["bases"]
    decision, current = chosen["bases"]["decision"], chosen["bases"]["current"]
    assert (decision["round"]["awarded"], decision["round"]["awarded_amount"]) == (4, "6500.50")
    assert (current["round"]["awarded"], current["round"]["awarded_amount"]) == (2, "3200.50")
    assert (decision["cumulative"]["awarded"], current["cumulative"]["awarded"]) == (5, 3)
    assert chosen["awarded"] == current["round"]["awarded"]  # the chosen basis's keys are unchanged
