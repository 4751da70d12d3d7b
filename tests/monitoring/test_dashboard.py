"""The officers' monitoring dashboard: returns due, overdue, awaiting sign-off and review; spend against
award with ratings and flags; outcomes by quarter; charts with their tables; CSV and XLSX of each table."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from grants.extensions import db
from grants.formatting import LONDON
from grants.models import AuditEvent, Award, ReturnMetric
from tests.factories import (
    AwardFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ReturnFactory,
    staff_user,
)
from tests.fixtures import post_form
from tests.statements import counting_selects


def today() -> date:
    return datetime.now(LONDON).date()


@pytest.fixture
def programme():
    return ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund")


@pytest.fixture
def officer(programme):
    return staff_user("officer", programme, name="Olive Officer")


def award_of(programme, reference, organisation="Calder Youth Trust", **kwargs):
    return AwardFactory(
        programme=programme,
        public_reference=reference,
        organisation=OrganisationFactory(name=organisation),
        state="active",
        **kwargs,
    )


def a_return(award, state, due, **kwargs):
    return ReturnFactory(award=award, workflow_version=2, state=state, due_date=due, **kwargs)


@pytest.fixture
def returns(programme):
    t = today()
    first = award_of(programme, "MSCF-R3-0001", "Aire Boxing Club")
    second = award_of(programme, "MSCF-R3-0002", "Bramley Mentors")
    return {
        "old": a_return(first, "overdue", t - timedelta(days=40), period_label="6 months"),
        "recent": a_return(second, "overdue", t - timedelta(days=5), period_label="6 months"),
        "signing": a_return(first, "awaiting_sign_off", t + timedelta(days=3), period_label="12 months"),
        "review": a_return(
            second, "submitted", t + timedelta(days=1), period_label="12 months", submitted_at=datetime.now(UTC)
        ),
        "due": a_return(award_of(programme, "MSCF-R3-0003", "Chapeltown Cares"), "open", t, period_label="6 months"),
    }


def section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    end = page.find("<h2", start + 1)
    return page[start : end if end != -1 else len(page)]


def test_the_dashboard_lists_returns_due_overdue_awaiting_sign_off_and_review(client, sign_in, officer, returns):
    page = sign_in(officer).get("/monitoring").get_data(as_text=True)

    overdue = section(page, "overdue")
    assert overdue.index("Aire Boxing Club") < overdue.index("Bramley Mentors")  # oldest first
    assert ">40<" in overdue and ">5<" in overdue  # days late
    assert "Aire Boxing Club" in section(page, "awaiting_sign_off")
    assert "Bramley Mentors" in section(page, "awaiting_review")
    assert "Chapeltown Cares" in section(page, "due_this_month")
    assert f'href="/monitoring/returns/{returns["old"].id}"' in overdue


def test_officers_see_only_their_programmes_and_other_roles_are_kept_out(client, sign_in, programme, returns):
    other = ProgrammeFactory(code="VRU", name="Violence Reduction Unit")
    a_return(award_of(other, "VRU-2024-001", "Dewsbury Youth"), "overdue", today() - timedelta(days=9))

    mine = sign_in(staff_user("officer", other)).get("/monitoring").get_data(as_text=True)
    assert "Dewsbury Youth" in mine and "Aire Boxing Club" not in mine

    everything = sign_in(staff_user("admin")).get("/monitoring").get_data(as_text=True)
    assert "Dewsbury Youth" in everything and "Aire Boxing Club" in everything

    assert sign_in(staff_user("assessor", programme)).get("/monitoring").status_code == 403


def test_the_lists_filter_by_programme_state_and_due_dates(client, sign_in, programme, returns):
    other = ProgrammeFactory(code="VRU", name="Violence Reduction Unit")
    a_return(award_of(other, "VRU-2024-001", "Dewsbury Youth"), "overdue", today() - timedelta(days=9))
    client = sign_in(staff_user("admin"))

    by_programme = client.get("/monitoring?programme=VRU").get_data(as_text=True)
    assert "Dewsbury Youth" in by_programme and "Aire Boxing Club" not in by_programme

    early = today() - timedelta(days=20)
    by_dates = client.get(
        f"/monitoring?due_from-day={early.day}&due_from-month={early.month}&due_from-year={early.year}"
    ).get_data(as_text=True)
    assert "Bramley Mentors" in section(by_dates, "overdue") and "Aire Boxing Club" not in section(by_dates, "overdue")

    wrong = client.get("/monitoring?due_from-day=31&due_from-month=2&due_from-year=2024")
    assert wrong.status_code == 400
    assert "The first due date must be a real date" in wrong.get_data(as_text=True)
    assert 'value="31"' in wrong.get_data(as_text=True)  # what was typed is kept


def test_the_officer_filter_narrows_to_that_officers_programmes(client, sign_in, programme, officer, returns):
    other = ProgrammeFactory(code="VRU", name="Violence Reduction Unit")
    a_return(award_of(other, "VRU-2024-001", "Dewsbury Youth"), "overdue", today() - timedelta(days=9))
    client = sign_in(staff_user("admin"))

    page = client.get(f"/monitoring?officer={officer.id}").get_data(as_text=True)

    assert "Aire Boxing Club" in page and "Dewsbury Youth" not in page


def test_each_list_sorts_by_its_columns(client, sign_in, officer, returns):
    client = sign_in(officer)

    by_name_desc = section(
        client.get("/monitoring?sort_overdue=organisation&dir_overdue=desc").get_data(as_text=True), "overdue"
    )
    assert by_name_desc.index("Bramley Mentors") < by_name_desc.index("Aire Boxing Club")
    assert 'aria-sort="descending"' in by_name_desc

    least_late = section(
        client.get("/monitoring?sort_overdue=days_late&dir_overdue=asc").get_data(as_text=True), "overdue"
    )
    assert least_late.index("Bramley Mentors") < least_late.index("Aire Boxing Club")


def test_the_lists_are_paginated(app, client, sign_in, programme, officer):
    award = award_of(programme, "MSCF-R3-0100")
    for days in range(1, 31):
        a_return(award, "overdue", today() - timedelta(days=days), period_label=f"P{days}")

    page = sign_in(officer).get("/monitoring").get_data(as_text=True)
    overdue = section(page, "overdue")
    assert "Showing 1 to 25 of 30." in overdue
    second = section(sign_in(officer).get("/monitoring?page_overdue=2").get_data(as_text=True), "overdue")
    assert "Showing 26 to 30 of 30." in second and ">P1<" in second


def test_the_page_costs_the_same_statements_for_few_or_many_returns(client, sign_in, programme, officer):
    client = sign_in(officer)

    def statements() -> int:
        with counting_selects() as seen:
            assert client.get("/monitoring").status_code == 200
        return len(seen)

    def add(count: int) -> None:
        for n in range(count):
            award = award_of(
                programme,
                f"MSCF-X-{n}-{datetime.now().timestamp()}",
                starts_on=date(2024, 1, 1),
                ends_on=date(2026, 12, 31),
            )
            a_return(award, "overdue", today() - timedelta(days=n + 1))
            a_return(award, "submitted", today() + timedelta(days=n), submitted_at=datetime.now(UTC))
            done = a_return(
                award, "accepted", date(2024, 7, 14), period_ends_on=date(2024, 6, 30), spend_to_date_pence=100
            )
            db.session.add(ReturnMetric(monitoring_return_id=done.id, metric="people_reached", value=10))
        db.session.commit()

    add(2)
    few = statements()
    add(40)
    many = statements()

    assert few == many, (few, many)


def test_spend_against_award_ratings_and_automatic_flags(client, sign_in, programme, officer):
    behind = award_of(
        programme,
        "MSCF-R3-0010",
        "Slow Spenders",
        amount_pence=1_200_000,
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 12, 31),
    )
    done = a_return(
        behind,
        "accepted",
        date(2024, 7, 14),
        period_label="6 months",
        period_starts_on=date(2024, 1, 1),
        period_ends_on=date(2024, 6, 30),
        spend_to_date_pence=100_000,
    )
    a_return(behind, "overdue", today() - timedelta(days=3), period_label="12 months")

    spend = section(sign_in(officer).get("/monitoring").get_data(as_text=True), "spend")

    assert "Slow Spenders" in spend and "£12,000.00" in spend and "£1,000.00" in spend
    assert "1 return is overdue" in spend
    assert "Spend is far below plan" in spend
    assert "The accepted 6 months return reported no figures" in spend
    assert db.session.get(type(done), done.id).state == "accepted"


def test_an_officer_rates_a_grant_with_a_reason_audited_and_version_locked(client, sign_in, programme, officer):
    award = award_of(programme, "MSCF-R3-0020", "Rated Org")
    client = sign_in(officer)
    url = f"/monitoring/awards/{award.id}/rating"

    missing = post_form(client, url, {"version_id": str(award.version_id), "rating": "", "reason": ""})
    assert missing.status_code == 400
    assert "Select red, amber or green" in missing.get_data(as_text=True)
    assert "Enter the reason for the rating" in missing.get_data(as_text=True)

    version = str(award.version_id)
    saved = post_form(client, url, {"version_id": version, "rating": "amber", "reason": "Late reports twice."})
    assert saved.status_code == 302
    stale = post_form(client, url, {"version_id": version, "rating": "green", "reason": "All fine now."})
    assert stale.status_code == 409
    assert "Someone else changed this award while you were rating it" in stale.get_data(as_text=True)

    db.session.expire_all()
    award = db.session.get(Award, award.id)
    assert award.rag_rating == "amber" and award.rag_reason == "Late reports twice."
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.subject_id == award.id, AuditEvent.action == "rag_set")
    )
    assert (event.from_state, event.to_state, event.reason) == (None, "Amber", "Late reports twice.")

    assert "Amber" in section(client.get("/monitoring").get_data(as_text=True), "spend")
    assert sign_in(staff_user("finance", programme)).get(url).status_code == 403


def accepted_with(award, ends_on: date, **figures):
    found = a_return(award, "accepted", ends_on + timedelta(days=14), period_ends_on=ends_on, period_label=str(ends_on))
    for metric, value in figures.items():
        db.session.add(ReturnMetric(monitoring_return_id=found.id, metric=metric, value=value))
    db.session.commit()
    return found


def test_outcomes_add_up_by_financial_quarter_and_year_with_a_chart_and_its_table(client, sign_in, programme, officer):
    one, two = award_of(programme, "MSCF-R3-0030"), award_of(programme, "MSCF-R3-0031")
    accepted_with(one, date(2022, 6, 30), victims_supported=100)
    accepted_with(two, date(2022, 6, 30), victims_supported=50)
    accepted_with(one, date(2023, 3, 31), victims_supported=7)
    not_accepted = a_return(two, "submitted", date(2022, 7, 14), period_ends_on=date(2022, 6, 30))
    db.session.add(ReturnMetric(monitoring_return_id=not_accepted.id, metric="victims_supported", value=999))
    db.session.commit()

    page = sign_in(officer).get("/monitoring").get_data(as_text=True)
    outcomes = section(page, "outcomes")

    assert "2022-23" in outcomes and ">Q1<" in outcomes and ">Q4<" in outcomes
    assert ">150<" in outcomes and ">7<" in outcomes and ">157<" in outcomes  # quarters and the whole year
    assert "999" not in outcomes and "1,156" not in outcomes
    assert (
        'role="img"' in page
        and '<title id="outcomes-chart-title">Victims supported directly by financial quarter' in page
    )
    assert "2022-23 Q1: 150." in page  # the chart's description carries its figures


def test_overdue_by_programme_chart_and_table(client, sign_in, officer, returns):
    page = sign_in(officer).get("/monitoring").get_data(as_text=True)

    assert '<title id="overdue-chart-title">Overdue returns by programme</title>' in page
    assert "MSCF: 2." in page
    assert ">2<" in section(page, "overdue_by_programme")


def rows_of_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_each_table_downloads_as_csv_matching_the_page(client, sign_in, officer, returns):
    client = sign_in(officer)

    response = client.get("/monitoring/export/overdue.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="monitoring-overdue.csv"' in response.headers["Content-Disposition"]
    rows = rows_of_csv(response)
    assert rows[0] == ["Grant", "Organisation", "Programme", "Period", "Kind", "Due", "State", "Days late"]
    assert [r[1] for r in rows[1:]] == ["Aire Boxing Club", "Bramley Mentors"]  # the page's order
    assert rows[1][5] == (today() - timedelta(days=40)).isoformat() and rows[1][7] == "40"
    for name in ("due_this_month", "awaiting_sign_off", "awaiting_review", "spend", "outcomes", "overdue_by_programme"):
        assert client.get(f"/monitoring/export/{name}.csv").status_code == 200
    assert client.get("/monitoring/export/nothing.csv").status_code == 404


def test_downloads_follow_the_filters_and_the_sort(client, sign_in, officer, returns):
    client = sign_in(officer)

    rows = rows_of_csv(client.get("/monitoring/export/overdue.csv?sort_overdue=organisation&dir_overdue=desc"))

    assert [r[1] for r in rows[1:]] == ["Bramley Mentors", "Aire Boxing Club"]
    assert len(rows_of_csv(client.get("/monitoring/export/overdue.csv?programme=NONE"))) == 1


def test_each_table_downloads_as_xlsx_with_typed_cells(client, sign_in, programme, officer):
    award = award_of(programme, "MSCF-R3-0040", '=HYPERLINK("x")', amount_pence=1_000_000)
    a_return(award, "accepted", date(2024, 7, 14), spend_to_date_pence=250_050, period_ends_on=date(2024, 6, 30))
    client = sign_in(officer)

    response = client.get("/monitoring/export/spend.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Grant", "Organisation", "Programme", "Award", "Spend to date")
    assert rows[1][0] == "MSCF-R3-0040"
    assert rows[1][1] == '=HYPERLINK("x")'  # exactly as typed
    assert sheet["B2"].data_type == "s" and sheet["B2"].quotePrefix  # typed text: never a formula
    assert float(rows[1][3]) == 10000.0 and float(rows[1][4]) == 2500.5
    page = section(client.get("/monitoring").get_data(as_text=True), "spend")
    assert "£10,000.00" in page and "£2,500.50" in page  # the same figures as the page
