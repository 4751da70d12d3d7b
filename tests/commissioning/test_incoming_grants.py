"""Money coming in: an incoming grant's years against what is charged to it, partners' match funding
against the year's target with the shortfall named, and reminders (reports due, contracts ending) sent once."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from grants.commissioning import reminders
from grants.extensions import db
from grants.models import CommissioningReminder, IncomingGrant, IncomingGrantYear, MatchContribution, OutboxMessage
from tests.commissioning.helpers import need_recorded, provider
from tests.factories import AwardFactory, GrantReportFactory, ProgrammeFactory, staff_user
from tests.fixtures import post_form

pytestmark = pytest.mark.usefixtures("db_session")


@pytest.fixture
def grip():
    grant = IncomingGrant(
        reference="HO-GRIP-2022",
        title="GRIP hotspot policing grant",
        funder="Home Office",
        amount_pence=3 * 165_194_300,
        starts_on=date(2022, 4, 1),
        ends_on=date(2025, 3, 31),
        years=[
            IncomingGrantYear(financial_year=year, amount_pence=165_194_300, match_percent=Decimal(percent))
            for year, percent in ((2022, "20"), (2023, "30"), (2024, "40"))
        ],
    )
    db.session.add(grant)
    db.session.commit()
    return grant


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_contribution_counts_towards_the_years_match_target_and_names_the_shortfall(client, sign_in, grip):
    sign_in(staff_user("officer"))
    url = "/commissioning/incoming-grants/HO-GRIP-2022"

    response = post_form(
        client,
        f"{url}/contributions",
        {"year": "2023", "partner": "West Yorkshire Police", "amount": "450,000"},
        form_page=url,
    )

    assert response.status_code == 302
    shown = text_of(client.get(url).get_data(as_text=True))
    assert "£495,582.90 (30%)" in shown
    assert "£45,582.90 short of the 30% target" in shown
    assert db.session.scalar(select(func.count()).select_from(MatchContribution)) == 1


def test_a_contribution_with_bad_figures_is_refused_keeping_what_was_typed(client, sign_in, grip):
    sign_in(staff_user("officer"))
    url = "/commissioning/incoming-grants/HO-GRIP-2022"

    response = post_form(
        client, f"{url}/contributions", {"year": "2030", "partner": "  ", "amount": "lots"}, form_page=url
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose one of the grant&#39;s years" in html and "Enter the partner&#39;s name" in html
    assert 'value="lots"' in html


def test_money_charged_to_a_grant_shows_against_its_year(client, sign_in):
    programme = ProgrammeFactory(code="MOJ", kind="sub_grant")
    grant = IncomingGrant(
        reference="MOJ-VS-2022", title="Victims' grant", funder="Ministry of Justice", amount_pence=50_000_000,
        starts_on=date(2022, 4, 1), ends_on=date(2023, 3, 31), programme_id=programme.id,
        years=[IncomingGrantYear(financial_year=2022, amount_pence=50_000_000)],
    )  # fmt: skip
    db.session.add(grant)
    db.session.flush()
    strand = need_recorded(programme=programme, provider=provider(), incoming_grant_id=grant.id, state="delivering")
    AwardFactory(contract=strand, organisation=strand.provider, starts_on=date(2022, 4, 1), amount_pence=12_345_600)
    sign_in(staff_user("finance", programme))

    shown = text_of(client.get("/commissioning/incoming-grants/MOJ-VS-2022").get_data(as_text=True))

    assert "2022/23 £500,000.00 £123,456.00 £0.00 £376,544.00" in shown


def test_a_report_due_soon_is_reminded_once_however_often_the_pass_runs(grip):
    staff_user("officer", email="olu.officer@example.org")
    GrantReportFactory(incoming_grant=grip, due_on=date(2024, 5, 31), what="GRIP annual return 2023/24")

    first = reminders.run_pass(date(2024, 5, 20))
    second = reminders.run_pass(date(2024, 5, 21))

    assert first == (1, 1) and second == (0, 0)
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "olu.officer@example.org"))
    assert email.subject == "Home Office: GRIP annual return 2023/24 due 31 May 2024"


def test_a_contract_nearing_its_end_is_on_the_commissioning_page_and_reminded_once(client, sign_in, app):
    programme = ProgrammeFactory(code="VRU", kind="commissioning")
    soon = need_recorded(programme=programme, state="delivering", end_date=date(2027, 3, 31), title="Custody diversion")
    need_recorded(programme=programme, state="delivering", end_date=date(2028, 3, 31), title="Later one")
    officer = staff_user("officer", programme)

    made = [reminders.run_pass(date(2026, 10, 1))[0], reminders.run_pass(date(2026, 11, 1))[0]]

    assert made == [1, 0]
    rows = db.session.scalars(select(CommissioningReminder)).all()
    assert [(r.subject_id, r.on_date) for r in rows] == [(soon.id, date(2027, 3, 31))]
    sign_in(officer)
    html = client.get("/commissioning/").get_data(as_text=True)
    section = html[html.index('id="ending"') :]
    assert soon.public_reference in section and "Later one" not in section[: section.index('id="reports"')]


def test_finance_records_an_incoming_grant_year_by_year(client, sign_in):
    ProgrammeFactory(code="VRU", kind="commissioning")
    sign_in(staff_user("finance"))
    typed = {
        "reference": "HO-SVD-2025", "title": "Serious Violence Duty grant", "funder": "Home Office",
        "programme": "VRU", "starts_on": "1/4/2025", "ends_on": "31 March 2027", "conditions": "Quarterly returns",
    }  # fmt: skip

    shown = post_form(client, "/commissioning/incoming-grants/new", {**typed, "action": "years"})
    refused = post_form(
        client,
        "/commissioning/incoming-grants/new",
        {**typed, "year_2025": "152,000", "year_2026": "lots", "match_2025": "120", "action": "record"},
    )
    recorded = post_form(
        client,
        "/commissioning/incoming-grants/new",
        {**typed, "year_2025": "152,000", "year_2026": "152,000.50", "match_2026": "20", "action": "record"},
    )

    assert "2025/26: amount" in shown.get_data(as_text=True) and "2026/27: amount" in shown.get_data(as_text=True)
    html = refused.get_data(as_text=True)
    assert "Enter what 2026/27 brings, in pounds, like 1,651,943" in html
    assert "Match funding for 2025/26 must be a percentage from 0 to 100" in html and 'value="lots"' in html
    assert recorded.status_code == 302
    grant = db.session.scalar(select(IncomingGrant).where(IncomingGrant.reference == "HO-SVD-2025"))
    assert grant.amount_pence == 30_400_050
    assert [(y.financial_year, y.amount_pence, y.match_percent) for y in grant.years] == [
        (2025, 15_200_000, None),
        (2026, 15_200_050, Decimal("20")),
    ]
