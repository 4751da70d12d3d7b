"""Monitoring plans are TOML per programme: the shipped plans read, a bad plan is refused with a
message naming what is wrong, and `grantflow setup` puts in version 1 without touching an admin's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import MonitoringPlan, Programme
from grants.monitoring.plans import PlanProblems, definition_of, parse, seed_plans, standard_text
from grants.setup.seed import seed


def test_the_mscf_plan_asks_for_a_6_month_progress_report_and_a_final_report_without_sign_off():
    plan = parse(standard_text("MSCF") or "")

    assert plan.schedule == "months_after_start"
    assert [(r.kind, r.months) for r in plan.returns] == [("progress", 6), ("final", 12)]
    assert plan.question_sets == {"progress": "mscf-progress", "final": "mscf-final"}
    assert plan.sign_off is False
    assert [r.key for r in plan.reminders] == [
        "due_in_14",
        "due_in_3",
        "due_today",
        "overdue",
        "escalate_officers",
        "escalate_lead",
    ]


@pytest.mark.parametrize(("code", "form"), [("VRU", "vru-quarterly"), ("MOJ", "moj-quarterly")])
def test_commissioned_services_return_every_quarter_and_are_signed_off(code, form):
    plan = parse(standard_text(code) or "")

    assert plan.schedule == "financial_quarters"
    assert plan.question_sets == {"quarterly": form}
    assert plan.sign_off is True


GOOD = standard_text("MSCF") or ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schedule = [", "The plan is not valid TOML"),
        (GOOD.replace('"months_after_start"', '"fortnightly"'), 'schedule must be "months_after_start" or'),
        (GOOD.replace("due_working_days = 20", "due_working_days = -2"), "due_working_days must be from 0 to 120"),
        (GOOD.replace("due_working_days = 20", 'due_working_days = "twenty"'), "must be a whole number"),
        (GOOD.replace("sign_off = false", 'sign_off = "no"'), "sign_off must be true or false"),
        (GOOD.replace('final = "mscf-final"\n', ""), "question_sets: name the question set final returns use"),
        (GOOD.replace('audience = "lead"', 'audience = "mayor"'), 'audience must be "organisation", "officers"'),
        (GOOD.replace('key = "due_in_3"', 'key = "due_in_14"'), "the key 'due_in_14' is used twice"),
        (GOOD.replace("months = 12", "months = 3"), "Each return's months must be more than the one before"),
        (GOOD.replace('kind = "final"', 'kind = "progress"'), "Exactly one return must be the final one"),
        (GOOD + "\ncolour = 'blue'\n", "unknown setting colour"),
        ("colour = 'blue'\n" + GOOD, "Unknown setting colour"),
        (
            (standard_text("VRU") or "") + '\n[[returns]]\nkind = "progress"\nmonths = 6\ntitle = "x"\n',
            "[[returns]] tables belong to",
        ),
    ],
)
def test_a_bad_plan_is_refused_saying_what_is_wrong(text, message):
    with pytest.raises(PlanProblems) as refused:
        parse(text)

    assert any(message in problem for problem in refused.value.problems), refused.value.problems


def test_every_problem_is_listed_at_once():
    text = GOOD.replace("due_working_days = 20", "due_working_days = 999").replace(
        'audience = "lead"', 'audience = "x"'
    )

    with pytest.raises(PlanProblems) as refused:
        parse(text)

    assert len(refused.value.problems) == 2


def test_a_reminder_rule_repeats_every_n_working_days_after_its_first():
    plan = parse(GOOD)
    overdue = next(r for r in plan.reminders if r.key == "overdue")

    assert [n for n in range(-3, 20) if overdue.fires(n)] == [1, 6, 11, 16]
    assert overdue.describe() == (
        "1 working day after the due date, then every 5 working days until it is sent, to the organisation"
    )


def _plans(code: str) -> list[MonitoringPlan]:
    programme = db.session.scalar(select(Programme).where(Programme.code == code))
    return list(db.session.scalars(select(MonitoringPlan).where(MonitoringPlan.programme_id == programme.id)))


def test_setup_puts_in_version_1_of_each_programmes_plan_once_and_keeps_an_admins_version():
    seeded = seed()
    assert seeded.monitoring_plans == ["MOJ", "MSCF", "VRU"]
    (mscf,) = _plans("MSCF")
    assert mscf.version == 1
    assert mscf.definition["source"] == standard_text("MSCF")
    db.session.add(
        MonitoringPlan(programme_id=mscf.programme_id, version=2, definition=definition_of(GOOD.replace("20", "25")))
    )
    db.session.flush()

    assert seed_plans() == []
    assert sorted(p.version for p in _plans("MSCF")) == [1, 2]
