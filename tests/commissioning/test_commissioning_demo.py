"""The demo's commissioning as officers and the report command see it: the VRU's 2023/24 money and YEF
ratings, the MoJ grant's providers and strands, and the list of contracts with its filters and files."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from grants.auth.services import find_user
from grants.extensions import db
from grants.models import AuditEvent, Contract, Membership, Programme, RecoveryCode, RoleGrant, UserSession
from tests.factories import UserFactory
from tests.fixtures import allow_audit_purge
from tests.statements import statements_at_page_sizes

DEMO_PASSWORD = "grantflow-demo"


@pytest.fixture
def loaded(demo_loaded):
    return None


def report(app, *args: str) -> dict:
    result = app.test_cli_runner().invoke(args=["grantflow", "report", "commissioning", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_vru_report_gives_its_budget_earmark_and_share_rated_high_impact(loaded, app):
    figures = report(app, "--programme", "VRU", "--year", "2023")

    assert {k: figures[k] for k in ("budget", "earmarked", "committed", "high_impact_share_by_count")} == {
        "budget": "4400000.00",
        "earmarked": "2300000.00",
        "committed": "2300000.00",
        "high_impact_share_by_count": "30.0",
    }
    high_impact_money = sum(
        c.amount_pence
        for c in db.session.scalars(
            select(Contract).where(Contract.yef_impact == "high", Contract.public_reference.startswith("VRU-2023-"))
        )
    )
    assert figures["high_impact_share_by_money"] == f"{high_impact_money * 100 / 230_000_000:.1f}"


def test_the_share_rated_high_impact_rose_from_15_to_30_percent_year_on_year(loaded, app, client, sign_in):
    before = report(app, "--programme", "VRU", "--year", "2022")

    assert (before["committed"], before["high_impact_share_by_count"]) == ("1800000.00", "15.0")
    assert before["high_impact_share_by_money"] == "19.2"  # £345,000 of £1.8m
    sign_in(find_user("officer@example.org"), DEMO_PASSWORD)
    html = client.get("/commissioning/programmes/VRU").get_data(as_text=True)
    assert "15.0% (3 of 20)" in html and "30.0% (3 of 10)" in html


def test_the_moj_report_gives_the_grant_its_providers_and_strands(loaded, app):
    figures = report(app, "--programme", "MOJ")

    assert {k: figures[k] for k in ("allocated", "providers", "strands", "vcse_providers", "public_providers")} == {
        "allocated": "14000000.00",
        "providers": 34,
        "strands": 72,
        "vcse_providers": 27,
        "public_providers": 7,
    }


def test_an_unknown_programme_is_refused_by_name(loaded, app):
    result = app.test_cli_runner().invoke(args=["grantflow", "report", "commissioning", "--programme", "NOPE"])

    assert result.exit_code != 0
    assert "There is no commissioning programme 'NOPE'" in result.output


def test_the_officer_sees_the_vru_money_by_year_with_its_charts(loaded, client, sign_in):
    sign_in(find_user("officer@example.org"), DEMO_PASSWORD)

    html = client.get("/commissioning/programmes/VRU").get_data(as_text=True)

    shown = text_of(html)
    assert "£4,400,000.00" in shown and "£2,300,000.00" in shown
    assert "30.0% (3 of 10)" in shown
    assert html.count("<svg") >= 3


def test_the_list_filters_by_district_served_and_sorts_by_value(loaded, client, sign_in):
    sign_in(find_user("officer@example.org"), DEMO_PASSWORD)

    html = client.get("/commissioning/contracts?programme=VRU&district=wakefield&sort=value&order=desc").get_data(
        as_text=True
    )

    references = re.findall(r">(VRU-\d{4}-\d{3})</a>", html)
    wanted = [
        c.public_reference
        for c in sorted(
            db.session.scalars(select(Contract).where(Contract.public_reference.like("VRU-%"))),
            key=lambda c: (-c.amount_pence, c.public_reference),
        )
        if "wakefield" in c.districts_served
    ]
    assert references == wanted and len(wanted) >= 3


def test_a_page_of_the_list_runs_the_same_statements_whatever_its_size(loaded, client, sign_in):
    sign_in(find_user("officer@example.org"), DEMO_PASSWORD)
    client.get("/commissioning/contracts?programme=MOJ")  # anything read once per process is read now
    small, large = statements_at_page_sizes(client, "/commissioning/contracts?programme=MOJ", (5, 50))

    assert small == large


def test_the_csv_and_spreadsheet_hold_the_rows_the_filters_chose(loaded, client, sign_in):
    sign_in(find_user("officer@example.org"), DEMO_PASSWORD)
    query = "programme=MOJ&service_type=isva&sort=reference"

    rows = list(csv.reader(io.StringIO(client.get(f"/commissioning/contracts.csv?{query}").data.decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(client.get(f"/commissioning/contracts.xlsx?{query}").data))

    isva = sorted(db.session.scalars(select(Contract.public_reference).where(Contract.service_type == "isva")).all())
    assert [r[0] for r in rows[1:]] == isva
    assert [r[0].value for r in book.active.iter_rows(min_row=2)] == isva
    assert rows[0][:3] == ["Reference", "Title", "Provider"]


@pytest.mark.parametrize(
    "query",
    [
        "sort=drop%20table&order=up",
        "district=%00",
        "provider=99999999999999999999",
        "ends_before=32/13/2025",
        "q=" + "x" * 5000,
        "state=nonsense&programme=%E2%80%AE",
    ],
)
def test_odd_filters_answer_with_a_page_not_an_error(loaded, client, sign_in, query):
    sign_in(find_user("officer@example.org"), DEMO_PASSWORD)

    response = client.get(f"/commissioning/contracts?{query}")

    assert response.status_code == 200
    if "ends_before" in query:
        assert "Ends before must be a date, like 31/3/2025" in response.get_data(as_text=True)


def test_an_officer_of_the_vru_sees_no_victims_services_strand(loaded, client, sign_in):
    vru = db.session.scalar(select(Programme).where(Programme.code == "VRU"))
    officer = UserFactory()
    db.session.add(RoleGrant(user_id=officer.id, role="officer", programme_id=vru.id))
    db.session.commit()
    try:
        sign_in(officer)
        html = client.get("/commissioning/contracts?state=").get_data(as_text=True)
        assert "VRU-2023-001" in html and "MOJ-S-" not in html
        assert client.get("/commissioning/contracts/MOJ-S-001").status_code == 404
        assert client.get("/commissioning/programmes/MOJ").status_code == 404
    finally:
        db.session.delete(db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == officer.id)))
        db.session.execute(delete(UserSession).where(UserSession.user_id == officer.id))
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == officer.id))
        audit_rows = AuditEvent.__table__
        allow_audit_purge()
        db.session.execute(audit_rows.delete().where(audit_rows.c.actor_id == officer.id))  # their two-factor set-up
        db.session.delete(officer)
        db.session.commit()


def test_a_provider_sees_its_own_contracts_and_not_another_providers(loaded, client, sign_in):
    pennine = db.session.scalar(select(Contract).where(Contract.public_reference == "MOJ-S-001")).provider_id
    member = db.session.scalar(select(Membership).where(Membership.organisation_id == pennine)).user
    others = db.session.scalars(select(Contract.public_reference).where(Contract.provider_id != pennine).limit(3)).all()
    sign_in(member, DEMO_PASSWORD)

    listing = text_of(client.get("/your-contracts/").get_data(as_text=True))
    page = text_of(client.get("/your-contracts/MOJ-S-001").get_data(as_text=True))

    assert "MOJ-S-001" in listing and "2022/23" in listing
    assert "MOJ-S-001-22" in page
    assert all(reference not in listing for reference in others)
    assert all(client.get(f"/your-contracts/{reference}").status_code == 404 for reference in others)
    assert client.get("/commissioning/contracts/MOJ-S-001").status_code == 403


def test_the_provider_directory_splits_vcse_and_public_bodies_and_opens_a_provider(loaded, client, sign_in):
    sign_in(find_user("officer@example.org"), DEMO_PASSWORD)

    public = text_of(client.get("/commissioning/providers/?programme=MOJ&kind=public").get_data(as_text=True))
    vcse = client.get("/commissioning/providers/?programme=MOJ&kind=vcse").get_data(as_text=True)
    pennine = db.session.scalar(select(Contract).where(Contract.public_reference == "MOJ-S-001")).provider_id
    page = text_of(client.get(f"/commissioning/providers/{pennine}").get_data(as_text=True))

    assert "7 providers" in public and "Kirklees Council" in public
    assert "27 providers" in text_of(vcse) and f"/commissioning/providers/{pennine}" in vcse
    assert "MOJ-S-001" in page and "2022/23" in page and "penninevictimsupportserv@example.org" in page
    assert client.get("/commissioning/providers/999999").status_code == 404
