"""The final return and closure: an award closes only once its final return is accepted (or
waived); the closure page pre-fills the final spend from it and flags money paid but not spent.
And the award page lists the award's returns, targets and reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from grants.extensions import db
from grants.models import Award, MonitoringReturn, Reminder
from tests.factories import AwardFactory, PaymentFactory, ProgrammeFactory, ReturnFactory, staff_user
from tests.fixtures import post_form


@pytest.fixture
def programme():
    return ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund")


@pytest.fixture
def officer(programme):
    return staff_user("officer", programme)


def delivered_award(programme, final_state: str | None = "submitted", spend: int | None = 920_000):
    award = AwardFactory(programme=programme, public_reference="MSCF-R3-0042", state="active", amount_pence=1_000_000)
    PaymentFactory(award=award, amount_pence=1_000_000, state="paid", paid_on=date.today(), finance_reference="F1")
    final = None
    if final_state is not None:
        final = ReturnFactory(
            award=award,
            period_label="12 months",
            kind="final",
            workflow_version=2,
            state=final_state,
            spend_to_date_pence=spend,
            submitted_at=datetime.now(UTC),
        )
    return award, final


def close(client, award, spend="9200", reason="Project delivered"):
    return post_form(
        client,
        f"/payments/awards/{award.id}/close",
        {"version_id": str(award.version_id), "final_spend": spend, "reason": reason},
    )


def test_an_award_waits_for_its_final_return_to_be_accepted_before_it_closes(client, sign_in, programme, officer):
    award, final = delivered_award(programme)
    client = sign_in(officer)

    refused = close(client, award)

    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "The final return (12 months) must be accepted or waived before the award closes: it is submitted." in page
    db.session.expire_all()
    assert db.session.get(Award, award.id).state == "active"
    assert db.session.get(Award, award.id).final_spend_pence is None  # nothing kept when refused

    post_form(
        client,
        f"/monitoring/returns/{final.id}/accept",
        {"version_id": str(final.version_id)},
        form_page=f"/monitoring/returns/{final.id}",
    )
    db.session.expire_all()
    award = db.session.get(Award, award.id)
    closed = close(client, award)

    assert closed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Award, award.id).state == "closed"


def test_a_waived_final_return_lets_the_award_close(client, sign_in, programme, officer):
    award, _final = delivered_award(programme, final_state="waived")

    assert close(sign_in(officer), award).status_code == 302


def test_the_closure_page_prefills_the_final_spend_and_flags_money_unspent(client, sign_in, programme, officer):
    award, final = delivered_award(programme, final_state="accepted", spend=920_000)
    client = sign_in(officer)

    page = client.get(f"/payments/awards/{award.id}/close").get_data(as_text=True)

    assert 'value="9200.00"' in page
    assert "total spend reported £9,200.00" in page
    assert "£800.00 paid was not spent, by the final return." in page
    assert f'href="/payments/awards/{award.id}/recoveries/new"' in page
    assert f'href="/monitoring/returns/{final.id}"' in page


def test_nothing_is_flagged_when_the_final_return_spent_everything(client, sign_in, programme, officer):
    award, _final = delivered_award(programme, final_state="accepted", spend=1_000_000)

    page = sign_in(officer).get(f"/payments/awards/{award.id}/close").get_data(as_text=True)

    assert "was not spent" not in page


def test_the_award_page_lists_its_returns_reminders_and_flags(client, sign_in, programme, officer):
    award, final = delivered_award(programme, final_state="accepted")
    late = ReturnFactory(
        award=award,
        period_label="6 months",
        kind="progress",
        workflow_version=2,
        state="overdue",
        due_date=date.today() - timedelta(days=10),
    )
    db.session.add(
        Reminder(monitoring_return_id=late.id, rule="overdue_weekly", on_date=date.today(), audience="organisation")
    )
    db.session.commit()

    page = sign_in(officer).get(f"/awards/{award.id}").get_data(as_text=True)

    assert f'href="/monitoring/returns/{late.id}"' in page and f'href="/monitoring/returns/{final.id}"' in page
    assert "Overdue" in page and "Final report" in page and "Accepted" in page
    assert "1 return is overdue" in page
    assert "Your organisation" in page  # the reminder's audience
    assert db.session.get(MonitoringReturn, late.id).state == "overdue"
