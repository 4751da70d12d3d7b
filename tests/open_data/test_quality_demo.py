"""The demo's open data passes the checks 360Giving's data quality tool makes, for each programme: MSCF's
grant rounds, MoJ's strands and the VRU's interventions (exports/threesixtygiving_quality.py), and the
standard's schema."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest

from exports.threesixtygiving_quality import problems
from exports.threesixtygiving_schema import schema_errors
from grants.extensions import db
from grants.open_data.publish import write_json
from tests.open_data.helpers import PREFIX, PUBLISHER


@pytest.fixture(scope="module")
def loaded(demo_loaded, app):
    with app.app_context():
        yield


@pytest.mark.parametrize("code", ["MSCF", "MOJ", "VRU"])
def test_each_programmes_open_data_passes_the_quality_checks(loaded, code):
    out = io.StringIO()
    count = write_json(db.session, code, out, data_source="https://grants.example.org/open-data/", **PUBLISHER)
    package = json.loads(out.getvalue())

    assert count > 0
    assert schema_errors(package) == []
    assert problems(package, own_prefix=PREFIX, today=date.today()) == []
    assert {g["dataSource"] for g in package["grants"]} == {"https://grants.example.org/open-data/"}
    assert {t for g in package["grants"] for t in (loc.get("geoCodeType") for loc in g["beneficiaryLocation"])} == {
        "MD"
    }


def test_the_package_dates_come_from_the_data_not_the_download(loaded):
    first, second = io.StringIO(), io.StringIO()
    write_json(db.session, "MOJ", first, **PUBLISHER)
    write_json(db.session, "MOJ", second, **PUBLISHER)

    one, two = json.loads(first.getvalue()), json.loads(second.getvalue())
    assert (one["issued"], one["modified"]) == (two["issued"], two["modified"])
    assert one["issued"].startswith("2022-0")  # the first MoJ allocation was decided on 1 April 2022
    assert one["modified"] == max(g["dateModified"] for g in one["grants"])


def test_the_checks_find_what_the_quality_tool_would_flag():
    grant = {
        "id": "360G-wypcc-X-1", "title": "Walk Home Safe", "description": "walk home safe ", "currency": "GBP",
        "amountAwarded": 100, "awardDate": "2099-01-01",
        "recipientOrganization": [{"id": "360G-wypcc-ORG-7", "name": "Kitchen", "charityNumber": "1187654",
                                   "postalCode": "LS99"}],
        "beneficiaryLocation": [{"name": "Leeds", "geoCode": "E08000035", "geoCodeType": "LAD"}],
    }  # fmt: skip
    flagged = problems({"grants": [grant, {**grant, "id": "2", "beneficiaryLocation": [],
                                           "description": "Email me at chair@kitchen.org"}]},
                       own_prefix=PREFIX, today=date(2026, 12, 3))  # fmt: skip

    assert flagged == [
        "360G-wypcc-X-1: the description is the title again",
        "360G-wypcc-X-1: awardDate 2099-01-01 is in the future",
        "360G-wypcc-X-1: geoCodeType 'LAD' is not on the codelist",
        "360G-wypcc-X-1: 360G-wypcc-ORG-7 is our own id though a register number is known",
        "360G-wypcc-X-1: postalCode 'LS99' is not a UK postcode",
        "2: an email address is published in the description",
        "2: awardDate 2099-01-01 is in the future",
        "2: no beneficiaryLocation",
        "2: 360G-wypcc-ORG-7 is our own id though a register number is known",
        "2: postalCode 'LS99' is not a UK postcode",
    ]
    assert problems({"grants": []}, own_prefix=PREFIX, today=date(2026, 12, 3)) == ["the package has no grants"]


def test_a_school_is_published_by_its_gb_edu_org_id(loaded):
    from sqlalchemy import select

    from grants.models import Organisation

    out = io.StringIO()
    write_json(db.session, "MSCF", out, **PUBLISHER)
    ids = {g["recipientOrganization"][0]["name"]: g["recipientOrganization"][0]["id"] for g in json.loads(
        out.getvalue())["grants"]}  # fmt: skip
    schools = set(db.session.scalars(select(Organisation.name).where(Organisation.org_type == "school")))

    published = {name: identifier for name, identifier in ids.items() if name in schools}
    assert published, "the demo's MSCF grants include a school"
    assert all(re.fullmatch(r"GB-EDU-\d{6}", identifier) for identifier in published.values()), published
