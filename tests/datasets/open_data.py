"""Programmes with awards of every kind to publish as 360Giving data: an MSCF round (a charity, a charitable
company, a CIC, a group with a formula-like name, awards that must not be published) and a VRU contract.
Shared by the open data tests and the browser journeys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from grants.extensions import db
from grants.models import ApplicationSection, AuditEvent, Award, Organisation
from grants.reference import WEST_YORKSHIRE_DISTRICTS
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    ContractFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RoundFactory,
    ensure_terms,
)

PREFIX = "360G-wypcc"
FUNDER_ID = "GB-LAE-WYCA"
FUNDER_NAME = "West Yorkshire Combined Authority (Mayor of West Yorkshire)"
PUBLISHER = {"prefix": PREFIX, "funder_id": FUNDER_ID, "funder_name": FUNDER_NAME}
DECIDED = datetime(2023, 2, 9, 11, 30, tzinfo=UTC)
ONS = {code: ons for code, _name, ons in WEST_YORKSHIRE_DISTRICTS}


@dataclass
class Built:
    programme: Any
    awards: dict[str, Award] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)

    def published_total_pence(self) -> int:
        return sum(a.amount_pence for a in self.awards.values() if a.state not in ("declined", "cancelled"))


def _application(round_, organisation, title: str, districts: list[str], summary: str | None, terms):
    application = ApplicationFactory(round=round_, organisation=organisation, project_title=title, state="approved")
    application.terms = [terms[code] for code in districts]
    if summary is not None:
        db.session.add(
            ApplicationSection(
                application_id=application.id,
                section_key="project",
                answers={  # as the form saves a completed section: what was typed, and the checked values
                    "raw": {"project_title": [title], "summary": [summary], "districts": districts},
                    "values": {"project_title": title, "summary": summary, "districts": districts},
                },
                status="completed",
            )
        )
    db.session.commit()
    return application


def mscf(code: str = "MSCF") -> Built:
    """An open grant round with a charity, a charitable company, a CIC, a community group with a name
    a spreadsheet would run as a formula, and awards that must not be published."""
    terms = ensure_terms({("district", c): name for c, name, _ons in WEST_YORKSHIRE_DISTRICTS})
    programme = ProgrammeFactory(code=code, name="Mayor's Safer Communities Fund", kind="grant_rounds")
    round_ = RoundFactory(
        programme=programme, code=f"{code}-R3", number=3, title="Mayor's Safer Communities Fund Round 3"
    )
    built = Built(programme)
    orgs = built.organisations
    orgs["cio"] = OrganisationFactory(
        name="Manningham Mothers' Network", org_type="cio", charity_number="1187654", district="bradford",
        postcode="BD8 7BX", town="Bradford",
    )  # fmt: skip
    orgs["charitable_company"] = OrganisationFactory(
        name="Dewsbury Road Safety Partnership", org_type="company_limited_by_guarantee", charity_number="1123456",
        company_number="7654321", district="kirklees", postcode="WF13 2AE",
    )  # fmt: skip
    orgs["cic"] = OrganisationFactory(
        name="Calder Valley Boxing Club CIC", org_type="cic", company_number="13456789", district="calderdale",
        postcode="HX7 8AD",
    )  # fmt: skip
    orgs["group"] = OrganisationFactory(
        name='=HYPERLINK("https://evil.example","Bramley Community Kitchen")', org_type="community_group",
        district="leeds", postcode="LS13 3AB",
    )  # fmt: skip

    def award(reference: str, organisation, application=None, **kwargs) -> Award:
        made = AwardFactory(
            programme=programme, organisation=organisation, application=application, public_reference=reference,
            decided_at=DECIDED, **kwargs,
        )  # fmt: skip
        built.awards[reference] = made
        return made

    walk_home = _application(
        round_, orgs["cio"], "Walk Home Safe", ["bradford", "leeds"],
        "Volunteers walk women home from Manningham Lane on Friday and Saturday nights.", terms,
    )  # fmt: skip
    award(
        f"{code}-R3-0001", orgs["cio"], walk_home, title="Walk Home Safe", amount_pence=506_107,
        amount_at_decision_pence=506_107, starts_on=date(2023, 4, 1), ends_on=date(2024, 3, 31), state="accepted",
    )  # fmt: skip
    road_safety = _application(round_, orgs["charitable_company"], "Slow Down Dewsbury", ["kirklees"], None, terms)
    award(
        f"{code}-R3-0002", orgs["charitable_company"], road_safety, title="Slow Down Dewsbury",
        amount_pence=799_999, amount_at_decision_pence=800_000, state="active",
    )  # fmt: skip
    boxing = _application(round_, orgs["cic"], "Gloves Not Knives", [], "Boxing and mentoring for 11-16s.", terms)
    award(f"{code}-R3-0003", orgs["cic"], boxing, title="Gloves Not Knives", amount_pence=600_001, state="offered")
    suppers = _application(round_, orgs["group"], "Safe Suppers", ["leeds"], "-Evening meals and youth club", terms)
    award(f"{code}-R3-0004", orgs["group"], suppers, title="@Safe Suppers", amount_pence=250_050, state="closed")
    # Not published: declined, cancelled, and no decision yet.
    award(f"{code}-R3-0005", orgs["cio"], title="Declined offer", amount_pence=100_000, state="declined")
    award(f"{code}-R3-0006", orgs["cic"], title="Cancelled grant", amount_pence=200_000, state="cancelled")
    undecided = award(f"{code}-R3-0007", orgs["group"], title="Not decided", amount_pence=300_000, state="preparing")
    undecided.decided_at = None
    db.session.commit()
    built.awards.pop(f"{code}-R3-0007")
    return built


def vru(code: str = "VRU") -> Built:
    """Commissioned interventions: an allocation to an NHS trust under a contract."""
    programme = ProgrammeFactory(code=code, name="Violence Reduction Unit", kind="commissioning")
    built = Built(programme)
    trust = OrganisationFactory(
        name="West Riding Hospitals NHS Trust", org_type="public_body", other_identifier="GB-NHS-RXF",
        district="wakefield", postcode="WF1 4DG",
    )  # fmt: skip
    built.organisations["trust"] = trust
    contract = ContractFactory(programme=programme)
    built.awards[f"{code}-2023-007"] = AwardFactory(
        programme=programme, organisation=trust, public_reference=f"{code}-2023-007", contract_id=contract.id,
        title="A&E navigators", amount_pence=12_345_678, decided_at=DECIDED, state="active",
        starts_on=date(2023, 4, 1), ends_on=date(2025, 3, 31),
    )  # fmt: skip
    return built


def audit(award: Award, at: datetime) -> None:
    db.session.add(
        AuditEvent(
            occurred_at=at, subject_type="award", subject_id=award.id, subject_reference=award.public_reference,
            action="varied",
        )
    )  # fmt: skip
    db.session.commit()
