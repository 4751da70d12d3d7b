"""360Giving JSON: the published grants pass the standard's schema and say what the database says."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from exports.threesixtygiving import GrantEncoder, grant_json
from exports.threesixtygiving_grants import Funder, Grant, Location, Recipient
from exports.threesixtygiving_schema import schema_errors
from grants.extensions import db
from grants.models import Contract
from grants.open_data.identifiers import organisation_identifier
from grants.open_data.publish import json_chunks, write_json
from grants.open_data.queries import NothingToPublish, UnknownProgramme, iter_grants, open_publication
from tests.factories import ProgrammeFactory
from tests.open_data.helpers import (
    DECIDED,
    FUNDER_ID,
    FUNDER_NAME,
    ONS,
    PREFIX,
    PUBLISHER,
    audit,
    export_json,
    grants_by_id,
    mscf,
    vru,
)


@pytest.fixture
def built():
    return mscf()


def test_the_json_package_passes_the_360giving_schema_with_zero_errors(built):
    text, count = export_json()

    document = json.loads(text)
    assert count == 4
    assert schema_errors(document) == []
    assert document["license"].startswith("https://")
    assert document["publisher"] == {"identifier": FUNDER_ID, "name": FUNDER_NAME}
    assert document["version"] == "1.4"


def test_a_commissioned_allocation_passes_the_schema_too(app):
    vru()

    text, count = export_json("VRU")

    assert count == 1
    assert schema_errors(json.loads(text)) == []


def test_the_validator_catches_a_date_in_the_wrong_format(built):
    """The format checker really checks: a grant modified at a non-date-time is an error."""
    text, _count = export_json()
    document = json.loads(text)
    document["grants"][0]["dateModified"] = "9 February 2023"
    document["grants"][1]["awardDate"] = "2023-02-30T25:00:00Z"

    errors = schema_errors(document)

    assert any(e.startswith("grants/0/dateModified") for e in errors)
    assert any(e.startswith("grants/1/awardDate") for e in errors)


def test_each_grant_has_its_360g_identifier_and_the_decision_date(built):
    grants = grants_by_id(export_json()[0])

    assert sorted(grants) == [f"{PREFIX}-MSCF-R3-000{n}" for n in (1, 2, 3, 4)]
    assert {g["awardDate"] for g in grants.values()} == {DECIDED.date().isoformat()}
    assert {g["currency"] for g in grants.values()} == {"GBP"}


def test_amounts_are_current_pounds_to_the_penny_and_add_up_to_the_database(built):
    text, _count = export_json()
    grants = grants_by_id(text)

    assert grants[f"{PREFIX}-MSCF-R3-0001"]["amountAwarded"] == Decimal("5061.07")
    assert grants[f"{PREFIX}-MSCF-R3-0002"]["amountAwarded"] == Decimal("7999.99")  # varied down from £8,000
    assert '"amountAwarded": 2500.50,' in text  # two decimals, a JSON number
    total = sum(g["amountAwarded"] for g in grants.values())
    assert total * 100 == built.published_total_pence() == 506_107 + 799_999 + 600_001 + 250_050


def test_declined_cancelled_and_undecided_awards_are_not_published(built):
    grants = grants_by_id(export_json()[0])

    assert not {f"{PREFIX}-MSCF-R3-0005", f"{PREFIX}-MSCF-R3-0006", f"{PREFIX}-MSCF-R3-0007"} & set(grants)


def test_recipients_are_identified_by_charity_company_or_our_own_identifier(built):
    grants = grants_by_id(export_json()[0])
    orgs = {g["id"].rsplit("-", 1)[1]: g["recipientOrganization"][0] for g in grants.values()}

    assert orgs["0001"] == {
        "id": "GB-CHC-1187654",
        "name": "Manningham Mothers' Network",
        "charityNumber": "1187654",
        "addressLocality": "Bradford",
        "postalCode": "BD8 7BX",
    }
    assert orgs["0002"]["id"] == "GB-CHC-1123456"  # a charitable company: the charity number first
    assert orgs["0002"]["companyNumber"] == "07654321"  # as Companies House writes it
    assert orgs["0003"]["id"] == "GB-COH-13456789"  # a CIC
    assert orgs["0004"]["id"] == f"{PREFIX}-ORG-{built.organisations['group'].id}"  # neither number
    assert orgs["0004"]["name"] == '=HYPERLINK("https://evil.example","Bramley Community Kitchen")'
    for grant in grants.values():
        assert grant["fundingOrganization"] == [{"id": FUNDER_ID, "name": FUNDER_NAME}]


def test_a_public_body_is_identified_by_its_own_org_id_and_a_commission_is_not_an_open_call(app):
    vru()

    (grant,) = grants_by_id(export_json("VRU")[0]).values()

    assert grant["id"] == f"{PREFIX}-VRU-2023-007"
    assert grant["recipientOrganization"][0]["id"] == "GB-NHS-RXF"
    assert grant["fromOpenCall"] == "No"
    assert grant["grantProgramme"] == [{"code": "VRU", "title": "Violence Reduction Unit"}]
    assert grant["plannedDates"] == [{"startDate": "2023-04-01", "endDate": "2025-03-31"}]
    assert grant["amountAwarded"] == Decimal("123456.78")
    assert grant["beneficiaryLocation"] == [{"name": "Wakefield", "geoCode": ONS["wakefield"], "geoCodeType": "MD"}]


def test_a_commissioned_grant_benefits_the_districts_its_contract_serves_not_the_providers_address(app):
    built = vru()
    contract = db.session.get(Contract, built.awards["VRU-2023-007"].contract_id)
    contract.districts_served = ["leeds", "bradford"]
    db.session.commit()

    (grant,) = grants_by_id(export_json("VRU")[0]).values()

    assert [(place["name"], place["geoCode"]) for place in grant["beneficiaryLocation"]] == [
        ("Leeds", ONS["leeds"]),
        ("Bradford", ONS["bradford"]),
    ]


@pytest.mark.parametrize(
    ("org_type", "charity", "company", "other", "expected"),
    [
        ("registered_charity", "1176543", None, None, "GB-CHC-1176543"),
        ("registered_charity", " 1176 543 ", None, None, "GB-CHC-1176543"),
        ("registered_charity", "SC012345", None, None, "GB-SC-SC012345"),
        ("registered_charity", "nic104226", None, None, "GB-NIC-104226"),
        ("company_limited_by_guarantee", "1123456", "07654321", None, "GB-CHC-1123456"),
        ("company_limited_by_guarantee", None, "7654321", None, "GB-COH-07654321"),
        ("company_limited_by_guarantee", None, "SC123456", None, "GB-COH-SC123456"),
        ("cic", "1111111", "13456789", None, "GB-COH-13456789"),
        ("cic", "1111111", None, None, "GB-CHC-1111111"),
        ("public_body", None, None, " GB-LAE-BRD ", "GB-LAE-BRD"),
        ("school", None, None, "GB-EDU-107312", "GB-EDU-107312"),
        ("community_group", None, None, None, f"{PREFIX}-ORG-42"),
        ("community_group", "", "", "", f"{PREFIX}-ORG-42"),
    ],
)
def test_organisation_identifiers_follow_org_id_guide(org_type, charity, company, other, expected):
    found = organisation_identifier(
        organisation_id=42,
        org_type=org_type,
        charity_number=charity,
        company_number_=company,
        other_identifier=other,
        prefix=PREFIX,
    )

    assert found == expected


def test_beneficiary_locations_are_the_project_districts_with_their_ons_codes(built):
    grants = grants_by_id(export_json()[0])
    places = {
        key[-4:]: [(loc["name"], loc["geoCode"], loc["geoCodeType"]) for loc in g["beneficiaryLocation"]]
        for key, g in grants.items()
    }

    assert places["0001"] == [("Bradford", "E08000032", "MD"), ("Leeds", "E08000035", "MD")]
    assert places["0002"] == [("Kirklees", "E08000034", "MD")]
    assert places["0003"] == [("Calderdale", "E08000033", "MD")]  # no project districts: the organisation's


def test_the_description_is_the_published_summary_or_else_says_who_was_funded_never_the_title_again(built):
    grants = grants_by_id(export_json()[0])

    one, two = grants[f"{PREFIX}-MSCF-R3-0001"], grants[f"{PREFIX}-MSCF-R3-0002"]
    assert one["title"] == "Walk Home Safe"
    assert one["description"] == "Volunteers walk women home from Manningham Lane on Friday and Saturday nights."
    assert two["description"] == (
        "Slow Down Dewsbury: £7,999.99 from the Mayor's Safer Communities Fund to Dewsbury Road Safety Partnership."
    )
    assert all(grant["description"] != grant["title"] for grant in grants.values())


def test_the_grant_programme_is_the_round_and_grants_from_a_round_came_from_an_open_call(built):
    grants = grants_by_id(export_json()[0])

    for grant in grants.values():
        assert grant["grantProgramme"] == [{"code": "MSCF-R3", "title": "Mayor's Safer Communities Fund Round 3"}]
        assert grant["fromOpenCall"] == "Yes"
    assert grants[f"{PREFIX}-MSCF-R3-0001"]["plannedDates"] == [{"startDate": "2023-04-01", "endDate": "2024-03-31"}]
    assert "plannedDates" not in grants[f"{PREFIX}-MSCF-R3-0002"]


def test_last_modified_is_the_latest_audited_change(built):
    varied = datetime(2023, 6, 1, 9, 15, tzinfo=UTC)
    award = built.awards["MSCF-R3-0002"]
    award.state_changed_at = DECIDED
    award.created_at = DECIDED
    audit(award, varied)

    grant = grants_by_id(export_json()[0])[f"{PREFIX}-MSCF-R3-0002"]

    assert grant["dateModified"] == "2023-06-01T09:15:00+00:00"


def test_grants_are_read_in_pages_in_reference_order(built):
    publication = open_publication(db.session, "MSCF", **PUBLISHER)

    in_pages_of_one = [g.identifier for g in iter_grants(db.session, publication, page_size=1)]
    in_pages_of_three = [g.identifier for g in iter_grants(db.session, publication, page_size=3)]

    assert in_pages_of_one == in_pages_of_three == [f"{PREFIX}-MSCF-R3-000{n}" for n in (1, 2, 3, 4)]


def test_the_json_is_streamed_a_page_of_grants_at_a_time_to_text_or_binary_streams(built):
    publication = open_publication(db.session, "MSCF", **PUBLISHER)
    chunks = list(json_chunks(db.session, publication, {"version": "1.4"}, page_size=3))
    text_out, binary_out = io.StringIO(), io.BytesIO()

    count = write_json(db.session, "MSCF", text_out, **PUBLISHER)
    write_json(db.session, "MSCF", binary_out, **PUBLISHER)

    assert count == 4
    assert [chunk.count('"currency": "GBP"') for chunk in chunks] == [0, 3, 1, 0]  # opening, 3 grants, 1, closing
    assert len(json.loads("".join(chunks))["grants"]) == 4
    assert json.loads(binary_out.getvalue())["grants"] == json.loads(text_out.getvalue())["grants"]


def _grant(**changes: Any) -> Grant:
    fields: dict[str, Any] = {
        "identifier": f"{PREFIX}-MSCF-R3-0001",
        "reference": "MSCF-R3-0001",
        "title": 'Café "Safe Space" \\ évening walks\n\t🚶',
        "description": "Naïve <script>\u2028 text",
        "amount_pence": 506_107,
        "award_date": DECIDED.date(),
        "starts_on": date(2023, 4, 1),
        "ends_on": date(2024, 3, 31),
        "recipient": Recipient("GB-CHC-1187654", "Women’s Network", "1187654", "07654321", "BD8 7BX", "Bradford"),
        "locations": (Location("Bradford", "E08000032"), Location("Ryedale", None)),
        "programme_title": "Mayor's Safer Communities Fund Round 3",
        "programme_code": "MSCF-R3",
        "from_open_call": "Yes",
        "modified": datetime(2023, 6, 1, 10, 15, 30, 123456, tzinfo=ZoneInfo("Europe/London")),
    }
    return Grant(**(fields | changes))


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"starts_on": None},
        {"ends_on": None},
        {"starts_on": None, "ends_on": None, "locations": (), "amount_pence": 0},
        {"recipient": Recipient(f"{PREFIX}-ORG-7", "Group", None, None, None, None), "amount_pence": 5},
        {"amount_pence": -250_050, "from_open_call": "No", "modified": datetime(2023, 1, 2, 3, 4, 5)},
    ],
)
def test_the_fast_grant_writer_writes_exactly_what_json_dumps_writes(changes):
    funder = Funder(FUNDER_ID, "West Yorkshire “Combined” Authority")
    grant = _grant(**changes)

    assert GrantEncoder(funder)(grant) == grant_json(grant, funder)


def test_an_unknown_programme_or_one_with_nothing_awarded_is_refused_before_writing(built):
    ProgrammeFactory(code="NEW", name="A programme with no awards yet")
    out = io.StringIO()

    with pytest.raises(UnknownProgramme, match="There is no programme with the code 'NOPE'.*MSCF"):
        write_json(db.session, "NOPE", out, **PUBLISHER)
    with pytest.raises(NothingToPublish, match="NEW has no awarded grants"):
        write_json(db.session, "NEW", out, **PUBLISHER)
    assert out.getvalue() == ""
