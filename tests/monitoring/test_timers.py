"""A return opens on its opens_on date and falls overdue the day after its due date (London's
day), fired by the timed-transition pass, which reads only the rows whose timer has fallen due."""

from __future__ import annotations

from datetime import UTC, date, datetime

from grants.extensions import db
from grants.workflow import fire_due_transitions
from tests.monitoring.helpers import due_return, programme_with_plan
from tests.statements import counting_selects


def test_a_scheduled_return_opens_on_its_opening_day_and_falls_overdue_the_day_after_it_is_due():
    programme = programme_with_plan("mscf")
    ret = due_return(programme, date(2024, 10, 28), state="scheduled", opens_on=date(2024, 9, 30))

    fire_due_transitions(datetime(2024, 9, 29, 12, tzinfo=UTC))
    assert ret.state == "scheduled"
    fire_due_transitions(datetime(2024, 9, 30, 12, tzinfo=UTC))
    db.session.refresh(ret)
    assert ret.state == "open"
    fire_due_transitions(datetime(2024, 10, 28, 22, 59, tzinfo=UTC))  # 23:59 on the due date in London (GMT)
    db.session.refresh(ret)
    assert ret.state == "open"
    fire_due_transitions(datetime(2024, 10, 29, 0, 1, tzinfo=UTC))
    db.session.refresh(ret)
    assert ret.state == "overdue"


def test_in_summer_time_a_return_is_overdue_from_midnight_in_london_not_in_utc():
    programme = programme_with_plan("mscf")
    ret = due_return(programme, date(2024, 7, 15), state="open")

    fire_due_transitions(datetime(2024, 7, 15, 22, 30, tzinfo=UTC))  # 23:30 in London, still the due date
    db.session.refresh(ret)
    assert ret.state == "open"
    fire_due_transitions(datetime(2024, 7, 15, 23, 30, tzinfo=UTC))  # 00:30 on the 16th in London
    db.session.refresh(ret)
    assert ret.state == "overdue"


def test_returns_not_due_yet_are_not_read_one_by_one():
    programme = programme_with_plan("mscf")
    for n in range(20):
        due_return(programme, date(2030, 1, 1), state="open", reference=f"MSCF-R9-{n:04d}")
    now = datetime(2024, 7, 15, 12, tzinfo=UTC)
    db.session.expunge_all()  # nothing in the session: a row read one by one would show as a SELECT

    with counting_selects() as selects:
        fired = fire_due_transitions(now)

    assert fired.get("return", 0) == 0
    assert not any("FROM monitoring_returns" in s and "WHERE monitoring_returns.id = " in s for s in selects)
