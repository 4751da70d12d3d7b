"""Admin > Monitoring plans: a programme's plan in words with its versions; editing it as TOML adds
a version (audited, from and to), says exactly what is wrong and keeps what was typed, refuses a
save over a newer version; an admin of one programme sees only that programme's plan."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, MonitoringPlan, Programme
from grants.monitoring.plans import standard_text
from grants.setup.seed import seed
from tests.admin.helpers import browser_for, text_of
from tests.factories import staff_user
from tests.fixtures import post_form
from tests.monitoring.helpers import accepted_award, returns_of


@pytest.fixture
def seeded():
    seed()
    db.session.commit()
    return {p.code: p for p in db.session.scalars(select(Programme))}


@pytest.fixture
def admin(app, seeded):
    return browser_for(app, staff_user("admin", None, name="Ada Admin", email="ada@example.org"))


@pytest.fixture
def mscf_admin(app, seeded):
    return browser_for(app, staff_user("admin", seeded["MSCF"], name="Mo Scoped", email="mo@example.org"))


def versions(programme) -> list[int]:
    return list(
        db.session.scalars(
            select(MonitoringPlan.version)
            .where(MonitoringPlan.programme_id == programme.id)
            .order_by(MonitoringPlan.version)
        )
    )


def plan_text() -> str:
    return standard_text("MSCF") or ""


def edited(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def save(browser, code: str, text: str, version: str):
    url = f"/admin/monitoring-plans/{code}/edit"
    return post_form(browser, url, {"plan": text, "expected_version": version})


def test_the_admin_menu_links_to_the_monitoring_plans_and_they_list_every_programme_with_its_version(admin):
    assert "/admin/monitoring-plans/" in admin.get("/admin/").get_data(as_text=True)

    page = text_of(admin.get("/admin/monitoring-plans/"))

    for code in ("MSCF", "VRU", "MOJ"):
        assert re.search(rf"<td[^>]*>{code}</td>.*?Version 1", page, re.S), code


def test_the_plan_page_says_the_plan_in_words(admin):
    page = text_of(admin.get("/admin/monitoring-plans/MSCF"))

    assert "Monitoring plan, version 1" in page
    assert "the 6-month progress report 6 months after the award starts" in page
    assert "20 working days after the period ends" in page
    assert "28 days before the due date" in page
    assert "Not needed: returns go straight to the officers" in page
    assert "14 working days before the due date, to the organisation" in page
    assert "1 working day after the due date, then every 5 working days until it is sent, to the organisation" in page
    assert "28 working days after the due date, to the programme lead" in page
    assert "mscf-progress" in page and "not loaded yet" not in page  # setup loads the forms
    assert "Returns already scheduled keep the plan version they were made under" in page


def test_the_vru_plan_page_says_returns_are_quarterly_and_signed_off(admin):
    page = text_of(admin.get("/admin/monitoring-plans/VRU"))

    assert "A quarterly return for every financial-year quarter" in page
    assert "A second person at the organisation signs each return off" in page


def test_saving_a_changed_plan_makes_version_2_audited_and_new_awards_use_it_while_scheduled_returns_keep_1(
    admin, seeded
):
    mscf = seeded["MSCF"]
    before = accepted_award(mscf, date(2024, 4, 1), date(2025, 3, 31), reference="MSCF-R3-0001")
    form = admin.get("/admin/monitoring-plans/MSCF/edit").get_data(as_text=True)
    assert 'name="expected_version" type="hidden" value="1"' in form
    assert "due_working_days = 20" in text_of(admin.get("/admin/monitoring-plans/MSCF/edit"))

    response = save(admin, "MSCF", edited(plan_text(), "due_working_days = 20", "due_working_days = 10"), "1")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/monitoring-plans/MSCF")
    assert versions(mscf) == [1, 2]
    page = text_of(admin.get("/admin/monitoring-plans/MSCF"))
    assert "saved the monitoring plan as version 2" in page
    assert "10 working days after the period ends" in page
    assert re.search(r"<td[^>]*>2 \(current\)</td>.*?Ada Admin", page, re.S)
    (row,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "plan_changed")).all()
    assert (row.subject_reference, row.data) == ("MSCF", {"from_version": 1, "to_version": 2})
    assert row.actor_id is not None
    after = accepted_award(mscf, date(2024, 4, 1), date(2025, 3, 31), reference="MSCF-R3-0002")
    assert returns_of(before)[0].due_date == date(2024, 10, 28)  # 20 working days, version 1
    assert returns_of(after)[0].due_date == date(2024, 10, 14)  # 10 working days, version 2
    assert returns_of(before)[0].plan_id != returns_of(after)[0].plan_id


def test_saving_the_plan_unchanged_adds_no_version(admin, seeded):
    response = save(admin, "MSCF", plan_text(), "1")

    assert response.status_code == 302
    assert versions(seeded["MSCF"]) == [1]
    assert "You did not change anything" in text_of(admin.get("/admin/monitoring-plans/MSCF"))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("due_working_days = 20", "due_working_days = -3", "The plan: due_working_days must be from 0 to 120, not -3"),
        ('audience = "lead"', 'audience = "mayor"', "or \"lead\", not 'mayor'"),
        ("[[returns]]", "[[returns", "The plan is not valid TOML"),
        ('key = "due_in_3"', 'key = "due_in_14"', "the key 'due_in_14' is used twice"),
    ],
)
def test_a_bad_plan_says_exactly_what_is_wrong_keeps_what_was_typed_and_saves_nothing(admin, seeded, old, new, message):
    typed = edited(plan_text(), old, new)

    response = save(admin, "MSCF", typed, "1")

    page = text_of(response)
    assert response.status_code == 200
    assert "There is a problem" in page and page.count(message) == 2  # in the summary and on the field
    assert 'class="govuk-textarea govuk-textarea--error' in page
    assert typed.strip() in page
    assert versions(seeded["MSCF"]) == [1]


def test_an_empty_plan_is_refused(admin, seeded):
    page = text_of(save(admin, "MSCF", "   \n ", "1"))

    assert "Enter the plan" in page
    assert versions(seeded["MSCF"]) == [1]


def test_a_save_over_a_version_another_admin_saved_meanwhile_is_refused_keeping_what_was_typed(app, admin, seeded):
    other = browser_for(app, staff_user("admin", None, name="Bo Other", email="bo@example.org"))
    theirs = edited(plan_text(), "window_opens_days = 28", "window_opens_days = 21")
    assert save(other, "MSCF", theirs, "1").status_code == 302
    mine = edited(plan_text(), "due_working_days = 20", "due_working_days = 15")

    response = save(admin, "MSCF", mine, "1")

    page = text_of(response)
    assert response.status_code == 409
    assert "Another administrator saved version 2 while you were editing" in page
    assert "21 days before the due date" in page  # what is saved now
    assert "due_working_days = 15" in page  # what was typed
    assert 'name="expected_version" type="hidden" value="2"' in response.get_data(as_text=True)
    assert versions(seeded["MSCF"]) == [1, 2]
    assert save(admin, "MSCF", mine, "2").status_code == 302  # saving again replaces it, knowingly
    assert versions(seeded["MSCF"]) == [1, 2, 3]


def test_an_admin_of_one_programme_sees_and_changes_only_its_plan(mscf_admin, seeded):
    listed = text_of(mscf_admin.get("/admin/monitoring-plans/"))
    assert "Mayor's Safer Communities Fund" in listed or "MSCF" in listed
    assert ">VRU<" not in listed and ">MOJ<" not in listed

    assert mscf_admin.get("/admin/monitoring-plans/MSCF").status_code == 200
    for url in ("/admin/monitoring-plans/VRU", "/admin/monitoring-plans/VRU/edit", "/admin/monitoring-plans/NOPE"):
        assert mscf_admin.get(url).status_code == 404, url
    token_page = "/admin/monitoring-plans/MSCF/edit"
    response = post_form(
        mscf_admin, "/admin/monitoring-plans/VRU/edit", {"plan": "x", "expected_version": "1"}, form_page=token_page
    )
    assert response.status_code == 404
    assert versions(seeded["VRU"]) == [1]


@pytest.mark.parametrize("role", ["officer", "finance", "decision_maker"])
def test_only_admins_open_the_monitoring_plans(app, seeded, role):
    browser = browser_for(app, staff_user(role, None, email=f"{role}@example.org"))

    assert browser.get("/admin/monitoring-plans/").status_code == 403
    assert browser.get("/admin/monitoring-plans/MSCF/edit").status_code == 403
