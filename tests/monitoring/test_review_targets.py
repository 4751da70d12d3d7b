"""Officers set an award's targets per period (baseline and target), shown against what the returns reported."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, MonitoringTarget, ReturnMetric
from tests.factories import AwardFactory, ProgrammeFactory, ReturnFactory, staff_user
from tests.fixtures import post_form


@pytest.fixture
def programme():
    return ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund")


@pytest.fixture
def award(programme):
    return AwardFactory(programme=programme, public_reference="MSCF-R3-0042", state="active")


def targets_url(award) -> str:
    return f"/monitoring/awards/{award.id}/targets"


def test_an_officer_sets_a_target_audited_and_shown_against_the_actual(client, sign_in, programme, award):
    officer = staff_user("officer", programme)
    found = ReturnFactory(award=award, period_label="Q1 2024-25", workflow_version=2, state="accepted")
    db.session.add(ReturnMetric(monitoring_return_id=found.id, metric="victims_supported", value=90))
    db.session.commit()
    client = sign_in(officer)

    saved = post_form(
        client,
        targets_url(award),
        {"metric": "victims_supported", "period_label": " Q1  2024-25 ", "baseline": "60", "target": "120"},
        follow_redirects=True,
    )

    page = saved.get_data(as_text=True)
    assert "The target for MSCF-R3-0042 has been saved." in page
    assert "90 of 120 (75%)" in page
    target = db.session.scalar(select(MonitoringTarget).where(MonitoringTarget.award_id == award.id))
    assert (target.period_label, target.baseline, target.target) == ("Q1 2024-25", 60, 120)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "target_set"))
    assert event.subject_id == award.id and event.to_state == "120 (baseline 60)" and event.from_state is None

    post_form(
        client, targets_url(award), {"metric": "victims_supported", "period_label": "Q1 2024-25", "target": "100"}
    )
    db.session.expire_all()
    assert db.session.scalar(select(MonitoringTarget.target).where(MonitoringTarget.award_id == award.id)) == 100
    changed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "target_set").order_by(AuditEvent.id)
    ).all()
    assert changed[-1].from_state == "120 (baseline 60)" and changed[-1].to_state == "100 (baseline Not set)"
    assert "90 of 100 (90%)" in client.get(f"/monitoring/returns/{found.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"metric": "", "period_label": "Q1", "target": "5"}, "metric", "Select the figure the target is for"),
        ({"metric": "referrals", "period_label": "  ", "target": "5"}, "period_label", "Enter the period"),
        ({"metric": "referrals", "period_label": "Q1", "target": ""}, "target", "Enter the target"),
        ({"metric": "referrals", "period_label": "Q1", "target": "-4"}, "target", "The target must be 0 or more"),
        (
            {"metric": "referrals", "period_label": "Q1", "target": "lots"},
            "target",
            "Enter the target as a whole number",
        ),
        (
            {"metric": "referrals", "period_label": "Q1", "target": "4", "baseline": "2.5"},
            "baseline",
            "Enter the baseline as a whole number",
        ),
        (
            {"metric": "spend_to_date", "period_label": "Q1", "target": "£1,2x"},
            "target",
            "Enter the target in pounds and pence",
        ),
    ],
)
def test_bad_targets_get_a_message_on_the_field_and_keep_what_was_typed(
    client, sign_in, programme, award, typed, field, message
):
    client = sign_in(staff_user("officer", programme))

    response = post_form(client, targets_url(award), {"baseline": "", **typed})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and f'href="#{field}"' in page
    for value in typed.values():
        if value.strip():
            assert value.replace("£", "&#163;") in page or value in page
    assert db.session.scalar(select(MonitoringTarget.id)) is None


def test_a_money_target_is_typed_in_pounds(client, sign_in, programme, award):
    client = sign_in(staff_user("officer", programme))

    post_form(
        client, targets_url(award), {"metric": "spend_to_date", "period_label": "6 months", "target": "£4,000.50"}
    )

    assert db.session.scalar(select(MonitoringTarget.target)) == 400_050
    assert "£4,000.50" in client.get(targets_url(award)).get_data(as_text=True)


def test_finance_reads_targets_but_only_officers_set_them_and_other_programmes_see_nothing(
    client, sign_in, programme, award
):
    finance = sign_in(staff_user("finance", programme))
    assert finance.get(targets_url(award)).status_code == 200
    assert "Save the target" not in finance.get(targets_url(award)).get_data(as_text=True)
    refused = post_form(
        finance, targets_url(award), {"metric": "referrals", "period_label": "Q1", "target": "4"}, form_page="/sign-out"
    )
    assert refused.status_code == 403

    outsider = sign_in(staff_user("officer", ProgrammeFactory(code="VRU")))
    assert outsider.get(targets_url(award)).status_code == 404
